//! PEM public keys: `PUBLIC KEY` (SubjectPublicKeyInfo), `RSA PUBLIC KEY` (PKCS#1) and
//! `CERTIFICATE` (X.509; its public key is used, the chain is not validated). Private-key blocks
//! are noted and skipped: jwt-lsp verifies with public keys only.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;

use super::{Key, KeyMaterial, KeySource, der};

/// At most this many PEM blocks are read from one file.
const MAX_BLOCKS: usize = 64;

/// One `-----BEGIN <label>-----` ... `-----END <label>-----` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block<'a> {
    pub label: &'a str,
    /// The block as written, from the first dash of BEGIN to the last dash of END.
    pub text: &'a str,
    /// Whether the block is followed by a line break in the file.
    pub newline_after: bool,
    /// The base64 body, decoded; `None` when it is not valid base64.
    pub der: Option<Vec<u8>>,
}

/// Every PEM block in `text`, in order.
pub fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    let mut rest_start = 0;
    while out.len() < MAX_BLOCKS {
        let Some(begin) = text[rest_start..].find("-----BEGIN ").map(|at| rest_start + at) else { break };
        let label_start = begin + "-----BEGIN ".len();
        let Some(label_end) = text[label_start..].find("-----").map(|at| label_start + at) else { break };
        let label = &text[label_start..label_end];
        if label.contains('\n') || label.len() > 64 {
            rest_start = label_start;
            continue;
        }
        let end_marker = format!("-----END {label}-----");
        let body_start = label_end + "-----".len();
        let Some(end) = text[body_start..].find(&end_marker).map(|at| body_start + at) else { break };
        let block_end = end + end_marker.len();
        let body: String = text[body_start..end]
            .lines()
            .filter(|line| !line.contains(':')) // RFC 1421 headers (Proc-Type, DEK-Info)
            .flat_map(|line| line.chars())
            .filter(|ch| !ch.is_whitespace())
            .collect();
        let der = STANDARD_NO_PAD.decode(body.trim_end_matches('=')).ok();
        let newline_after = text[block_end..].starts_with('\n') || text[block_end..].starts_with("\r\n");
        out.push(Block { label, text: &text[begin..block_end], newline_after, der });
        rest_start = block_end;
    }
    out
}

/// Public keys in PEM `text`. Errors only when no block at all could be used.
pub fn keys_from_pem(text: &str, source: KeySource) -> Result<(Vec<Key>, Vec<String>), String> {
    let found = blocks(text);
    if found.is_empty() {
        return Err("no complete PEM block (`-----BEGIN ...-----` to `-----END ...-----`)".to_string());
    }
    let several = found.len() > 1;
    let mut keys = Vec::new();
    let mut notes = Vec::new();
    for (index, block) in found.iter().enumerate() {
        let position = if several { format!("block {}: ", index + 1) } else { String::new() };
        let Some(der) = &block.der else {
            notes.push(format!("{position}`{}` body is not valid base64", block.label));
            continue;
        };
        let material = match block.label {
            "PUBLIC KEY" => der::subject_public_key_info(der),
            "RSA PUBLIC KEY" => der::rsa_public_key(der),
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => der::certificate_public_key(der),
            label if label.ends_with("PRIVATE KEY") => {
                notes.push(format!(
                    "{position}`{label}` skipped: jwt-lsp verifies with public keys; a private key in the workspace is a leak if committed"
                ));
                continue;
            }
            label => {
                notes.push(format!("{position}`{label}` is not a public key or certificate; skipped"));
                continue;
            }
        };
        let Some(material) = material else {
            notes.push(format!("{position}`{}` is not valid DER for its label; skipped", block.label));
            continue;
        };
        if let KeyMaterial::Unsupported { what } = &material {
            notes.push(format!("{position}{what}: not supported; skipped"));
            continue;
        }
        let mut key = Key::new(material, source.clone());
        if several {
            key.index = Some(index);
        }
        // What a confused HS verifier would read as the secret: the file as written (when it is
        // just this block), and the block with and without one trailing newline (LF and CRLF).
        if !several {
            key.add_public_text(text.as_bytes());
        }
        key.add_public_text(block.text.as_bytes());
        key.add_public_text(format!("{}\n", block.text).as_bytes());
        if block.text.contains("\r\n") || block.newline_after && text.contains("\r\n") {
            key.add_public_text(format!("{}\r\n", block.text).as_bytes());
        }
        let unix = block.text.replace("\r\n", "\n");
        key.add_public_text(unix.as_bytes());
        key.add_public_text(format!("{unix}\n").as_bytes());
        keys.push(key);
    }
    if keys.is_empty() {
        let detail = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) };
        return Err(format!("no usable public key{detail}"));
    }
    Ok((keys, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Origin;

    /// RFC 7515 A.2's RSA public key as SPKI (from `vectors.md`).
    const RFC_7515_A2_SPKI: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAofgWCuLjybRlzo0tZWJj
NiuSfb4p4fAkd/wWJcyQoTbji9k0l8W26mPddxHmfHQp+Vaw+4qPCJrcS2mJPMEz
P1Pt0Bm4d4QlL+yRT+SFd2lZS+pCgNMsD1W/YpRPEwOWvG6b32690r2jZ47soMZo
9wGzjb/7OMg0LOL+bSf63kpaSHSXndS5z5rexMdbBYUsLA9e+KXBdQOS+UTo7WTB
EMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6/I5IhlJH7aGhyxX
FvUK+DWNmoudF8NAco9/h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXp
oQIDAQAB
-----END PUBLIC KEY-----
";

    #[test]
    fn reads_an_spki_rsa_key_and_keeps_its_texts() {
        let (keys, notes) = keys_from_pem(RFC_7515_A2_SPKI, KeySource::new("pub.pem", Origin::Configured)).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].material.kind(), "RSA-2048");
        let KeyMaterial::Rsa { e, .. } = &keys[0].material else { panic!("not RSA") };
        assert_eq!(e, &vec![1, 0, 1]);
        let texts: Vec<&[u8]> = keys[0].public_texts.iter().map(Vec::as_slice).collect();
        assert!(texts.contains(&RFC_7515_A2_SPKI.as_bytes()));
        assert!(texts.contains(&RFC_7515_A2_SPKI.trim_end().as_bytes()));
    }

    #[test]
    fn crlf_files_keep_their_line_endings_for_the_confusion_check() {
        let crlf = RFC_7515_A2_SPKI.replace('\n', "\r\n");
        let (keys, _) = keys_from_pem(&crlf, KeySource::new("pub.pem", Origin::Configured)).unwrap();
        let texts: Vec<&[u8]> = keys[0].public_texts.iter().map(Vec::as_slice).collect();
        assert!(texts.contains(&crlf.as_bytes()), "the file as written");
        assert!(texts.contains(&crlf.trim_end().as_bytes()), "without the final CRLF");
        assert!(texts.contains(&RFC_7515_A2_SPKI.as_bytes()), "normalised to LF");
    }

    #[test]
    fn skips_private_keys_and_reports_garbage() {
        let text = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        let err = keys_from_pem(text, KeySource::new("k.pem", Origin::Discovered)).unwrap_err();
        assert!(err.contains("private key"), "{err}");
        let err = keys_from_pem(
            "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----",
            KeySource::new("k.pem", Origin::Discovered),
        )
        .unwrap_err();
        assert!(err.contains("base64"), "{err}");
        assert!(
            keys_from_pem("-----BEGIN PUBLIC KEY-----\nno end", KeySource::new("k.pem", Origin::Discovered)).is_err()
        );
    }
}
