//! Human descriptions of a token: the hover (Markdown), the inlay-hint label and the plain-text
//! report of `jwt-lsp decode`. One model (`describe`) feeds all three.

use serde_json::Value;

use super::decode::{Form, Payload, SignatureLength, Token, expected_signature_length};
use super::time::{UnixSeconds, format_utc, relative, short_duration};
use crate::text::{terminal_safe, terminal_safe_lines};

/// Pretty JSON longer than this is cut in hovers; editors choke on huge popups.
const MAX_HOVER_JSON: usize = 16 * 1024;

pub struct ClaimRow {
    pub name: String,
    pub value: String,
    /// For NumericDate claims: `2026-11-28 22:00:00 UTC · in 2 hours`.
    pub when: Option<String>,
    pub meaning: Option<&'static str>,
}

pub fn claim_rows(token: &Token, now: UnixSeconds) -> Vec<ClaimRow> {
    let Some(claims) = token.claims() else { return Vec::new() };
    claims
        .iter()
        .map(|(name, value)| {
            let when = match (name.as_str(), value) {
                ("exp" | "nbf" | "iat" | "auth_time" | "updated_at", Value::Number(number)) => {
                    number.as_f64().filter(|seconds| seconds.abs() < 1e11).map(|seconds| {
                        let seconds = seconds.floor() as i64;
                        format!("{} · {}", format_utc(seconds), relative(seconds, now))
                    })
                }
                _ => None,
            };
            ClaimRow { name: name.clone(), value: compact_json(value, 80), when, meaning: claim_meaning(name) }
        })
        .collect()
}

pub fn claim_meaning(name: &str) -> Option<&'static str> {
    Some(match name {
        "iss" => "Issuer: who created and signed the token",
        "sub" => "Subject: whom the token is about (usually a user id)",
        "aud" => "Audience: who the token is for; a verifier must find itself here",
        "exp" => "Expiration time: reject the token from this moment on",
        "nbf" => "Not before: reject the token before this moment",
        "iat" => "Issued at: when the token was created",
        "jti" => "JWT ID: a unique id, for replay detection and revocation",
        "scope" | "scp" => "Scopes (OAuth 2.0) granted to the bearer",
        "azp" => "Authorized party: the client the token was issued to (OpenID Connect)",
        "nonce" => "Nonce: ties an ID token to the login request that asked for it (OpenID Connect)",
        "client_id" => "OAuth client the token was issued to (RFC 9068)",
        "auth_time" => "When the user authenticated (OpenID Connect)",
        "sid" => "Session id (OpenID Connect)",
        "acr" => "Authentication context class (how strongly the user authenticated)",
        "amr" => "Authentication methods used (e.g. pwd, otp, mfa)",
        "at_hash" => "Access-token hash (OpenID Connect)",
        "cnf" => "Confirmation key: the token is bound to this key (proof of possession)",
        "roles" | "groups" | "permissions" => "Authorization data (application-defined)",
        "email" | "name" | "preferred_username" => "User profile claim (OpenID Connect)",
        _ => return None,
    })
}

pub fn header_meaning(name: &str) -> Option<&'static str> {
    Some(match name {
        "alg" => "Algorithm that signed (JWS) or encrypts the key (JWE)",
        "typ" => "Media type of the whole token (JWT, at+jwt, …)",
        "kid" => "Key id: which key of the issuer's key set to verify with",
        "cty" => "Content type of the payload (JWT for nested tokens)",
        "enc" => "Content-encryption algorithm (JWE)",
        "zip" => "Compression before encryption (discouraged)",
        "jku" => "URL of a key set, chosen by the token (do not follow)",
        "x5u" => "URL of a certificate, chosen by the token (do not follow)",
        "jwk" => "Public key embedded in the token (do not trust)",
        "x5c" => "Certificate chain (validate to a trust anchor)",
        "x5t" | "x5t#S256" => "Certificate thumbprint",
        "crit" => "Extensions the verifier must understand",
        "epk" => "Ephemeral public key (ECDH-ES)",
        _ => return None,
    })
}

pub fn describe_alg(alg: &str) -> String {
    let sha = |alg: &str| alg.get(2..).unwrap_or_default().to_string();
    match alg {
        "HS256" | "HS384" | "HS512" => format!("HMAC with SHA-{}: one shared secret signs and verifies", sha(alg)),
        "RS256" | "RS384" | "RS512" => {
            format!("RSA PKCS#1 v1.5 with SHA-{}: a private key signs, the public key verifies", sha(alg))
        }
        "PS256" | "PS384" | "PS512" => {
            format!("RSA-PSS with SHA-{}: a private key signs, the public key verifies", sha(alg))
        }
        "ES256" => "ECDSA on P-256 with SHA-256".to_string(),
        "ES384" => "ECDSA on P-384 with SHA-384".to_string(),
        "ES512" => "ECDSA on P-521 with SHA-512".to_string(),
        "ES256K" => "ECDSA on secp256k1 with SHA-256".to_string(),
        "EdDSA" => "EdDSA (usually Ed25519)".to_string(),
        "Ed25519" | "Ed448" => format!("EdDSA on {alg}"),
        other if other.eq_ignore_ascii_case("none") => "no signature: an unsecured token anyone can forge".to_string(),
        "RSA-OAEP" | "RSA-OAEP-256" => "key encrypted with RSA-OAEP".to_string(),
        "RSA1_5" => "key encrypted with RSA PKCS#1 v1.5 (deprecated)".to_string(),
        "dir" => "direct use of a shared content key".to_string(),
        other if other.starts_with("ECDH-ES") => "key agreed with ECDH-ES".to_string(),
        other if other.starts_with("PBES2") => "key derived from a password (PBES2)".to_string(),
        other if other.ends_with("KW") => "key wrapped with AES".to_string(),
        _ => "unregistered algorithm".to_string(),
    }
}

/// One-line summary of the time claims: "expires in 2 hours" / "expired 3 days ago" / "no expiry".
pub fn validity(token: &Token, now: UnixSeconds, short: bool) -> Option<String> {
    if token.form == Form::Jwe {
        return None;
    }
    let claims = token.claims()?;
    let duration = |seconds: i64| if short { short_duration(seconds) } else { super::time::long_duration(seconds) };
    Some(match claims.get("exp") {
        None => "no expiry".to_string(),
        Some(Value::Number(number)) => match number.as_f64().filter(|value| value.abs() < 1e11) {
            Some(exp) => {
                let exp = exp.floor() as i64;
                if exp < now {
                    format!("expired {} ago", duration(now.saturating_sub(exp)))
                } else {
                    format!("expires in {}", duration(exp.saturating_sub(now)))
                }
            }
            None => "exp in milliseconds?".to_string(),
        },
        Some(_) => "exp is not a number".to_string(),
    })
}

/// The inlay hint after a token: `RS256 · sub=alice · expires in 2 h`.
pub fn inlay_label(token: &Token, now: UnixSeconds) -> String {
    let mut parts = Vec::new();
    let alg = token.alg().unwrap_or("alg?");
    match token.form {
        Form::Jwe => {
            let enc = token.header.get("enc").and_then(Value::as_str).unwrap_or("?");
            parts.push(format!("JWE {alg}/{enc}"));
        }
        Form::Jws => parts.push(alg.to_string()),
    }
    if let Some(Value::String(sub)) = token.claims().and_then(|claims| claims.get("sub")) {
        parts.push(format!("sub={}", truncate_chars(sub, 24)));
    }
    if let Some(validity) = validity(token, now, true) {
        parts.push(validity);
    }
    if token.is_damaged() {
        parts.push("damaged".to_string());
    }
    // `alg` and `sub` come from the token: a bidi override would reorder the editor's line.
    terminal_safe(&parts.join(" · ")).into_owned()
}

/// The hover: what the token is, then header, payload, claims and signature.
pub fn hover_markdown(token: &Token, now: UnixSeconds) -> String {
    let mut out = String::new();
    let alg = token.alg().unwrap_or("?");
    match token.form {
        Form::Jws if alg.eq_ignore_ascii_case("none") => {
            out.push_str(&format!("**JWT** · unsecured (`alg: {alg}`): {}", describe_alg(alg)))
        }
        Form::Jws => out.push_str(&format!("**JWT** · JWS signed with `{alg}`: {}", describe_alg(alg))),
        Form::Jwe => {
            let enc = token.header.get("enc").and_then(Value::as_str).unwrap_or("?");
            out.push_str(&format!(
                "**JWE** · encrypted: `{alg}` ({}), content `{enc}` — the payload is encrypted",
                describe_alg(alg)
            ));
        }
    }
    if let Some(validity) = validity(token, now, false) {
        out.push_str(&format!("  \n{validity}"));
        if let Some(Value::Number(exp)) = token.claims().and_then(|claims| claims.get("exp"))
            && let Some(exp) = exp.as_i64()
            && exp.abs() < 100_000_000_000
        {
            out.push_str(&format!(" ({})", format_utc(exp)));
        }
    }
    out.push_str("\n\n");
    if !token.repairs.is_empty() {
        let actions: Vec<&str> = token.repairs.iter().map(|repair| repair.action()).collect();
        out.push_str(&format!("⚠ Damaged — to decode it, jwt-lsp {}.\n\n", actions.join("; ")));
    }
    for problem in &token.problems {
        out.push_str(&format!("⚠ {}\n\n", capitalize(problem)));
    }

    out.push_str("**Header**\n```json\n");
    out.push_str(&pretty_json(&Value::Object(token.header.map().clone())));
    out.push_str("\n```\n");
    let header_notes: Vec<String> = token
        .header
        .keys()
        .filter_map(|name| header_meaning(name).map(|meaning| format!("`{name}` {meaning}")))
        .collect();
    if !header_notes.is_empty() {
        out.push_str(&header_notes.join(" · "));
        out.push_str("\n\n");
    }

    match &token.payload {
        Payload::Claims(claims) => {
            out.push_str("**Payload**\n```json\n");
            out.push_str(&pretty_json(&Value::Object(claims.map().clone())));
            out.push_str("\n```\n");
            let rows = claim_rows(token, now);
            if !rows.is_empty() {
                out.push_str("| Claim | Value | Meaning |\n|---|---|---|\n");
                for row in rows {
                    let value = row.when.unwrap_or(row.value);
                    out.push_str(&format!(
                        "| `{}` | {} | {} |\n",
                        escape_table(&row.name),
                        escape_table(&value),
                        row.meaning.unwrap_or("")
                    ));
                }
                out.push('\n');
            }
        }
        Payload::NotObject(value) => {
            out.push_str("**Payload** (JSON, not an object)\n```json\n");
            out.push_str(&pretty_json(value));
            out.push_str("\n```\n");
        }
        Payload::NotJson { reason, bytes } => {
            out.push_str(&format!("**Payload**: {bytes} bytes, not JSON ({reason})\n\n"))
        }
        Payload::NotBase64 { reason } => out.push_str(&format!("**Payload**: not base64url ({reason})\n\n")),
        Payload::Missing => out.push_str("**Payload**: missing\n\n"),
        Payload::Encrypted => out.push_str("**Payload**: encrypted (needs the recipient's key to read)\n\n"),
    }
    if token.form == Form::Jws {
        out.push_str(&signature_line(token));
        out.push('\n');
    }
    // Claim values in the table and `alg` come raw from the token (JSON blocks are escaped).
    terminal_safe_lines(&out)
}

pub fn signature_line(token: &Token) -> String {
    let alg = token.alg().unwrap_or("?");
    let got = token.signature.len();
    if got == 0 {
        return "**Signature**: none".to_string();
    }
    let expectation = match expected_signature_length(alg) {
        Some(SignatureLength::Exact(expected)) => format!(" ({alg} signatures are {expected} bytes)"),
        Some(SignatureLength::Rsa) => format!(" (an RSA-{} key)", got * 8),
        None => String::new(),
    };
    format!("**Signature**: {got} bytes{expectation}")
}

/// The report `jwt-lsp decode` prints.
pub fn plain_report(token: &Token, now: UnixSeconds, notes: &[String]) -> String {
    let mut out = String::new();
    let alg = token.alg().unwrap_or("?");
    match token.form {
        Form::Jws => out.push_str(&format!("JWS, alg {alg}: {}\n", describe_alg(alg))),
        Form::Jwe => {
            let enc = token.header.get("enc").and_then(Value::as_str).unwrap_or("?");
            out.push_str(&format!("JWE, alg {alg} ({}), enc {enc}: the payload is encrypted\n", describe_alg(alg)));
        }
    }
    for note in notes {
        out.push_str(&format!("repaired: {note}\n"));
    }
    for repair in &token.repairs {
        out.push_str(&format!("repaired: the token {}\n", repair.problem()));
    }
    for problem in &token.problems {
        out.push_str(&format!("problem: {problem}\n"));
    }
    out.push_str("\nHeader:\n");
    out.push_str(&serde_json::to_string_pretty(&Value::Object(token.header.map().clone())).unwrap_or_default());
    out.push_str("\n\nPayload:\n");
    match &token.payload {
        Payload::Claims(claims) => {
            out.push_str(&serde_json::to_string_pretty(&Value::Object(claims.map().clone())).unwrap_or_default())
        }
        Payload::NotObject(value) => out.push_str(&serde_json::to_string_pretty(value).unwrap_or_default()),
        Payload::NotJson { reason, bytes } => out.push_str(&format!("({bytes} bytes, not JSON: {reason})")),
        Payload::NotBase64 { reason } => out.push_str(&format!("(not base64url: {reason})")),
        Payload::Missing => out.push_str("(missing)"),
        Payload::Encrypted => out.push_str("(encrypted)"),
    }
    out.push('\n');
    let times: Vec<ClaimRow> = claim_rows(token, now).into_iter().filter(|row| row.when.is_some()).collect();
    if !times.is_empty() {
        out.push_str("\nTimes (now ");
        out.push_str(&format_utc(now));
        out.push_str("):\n");
        for row in times {
            out.push_str(&format!("  {:<9} {}\n", row.name, row.when.unwrap_or_default()));
        }
    }
    if let Some(validity) = validity(token, now, false) {
        out.push_str(&format!("\nValidity: {validity}\n"));
    }
    if token.form == Form::Jws {
        out.push_str(&format!("\n{}\n", signature_line(token).replace("**", "")));
    }
    out
}

fn pretty_json(value: &Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    if text.len() <= MAX_HOVER_JSON {
        return text;
    }
    let cut = super::super::text::floor_char_boundary(&text, MAX_HOVER_JSON);
    format!("{}\n… ({} more bytes)", &text[..cut], text.len() - cut)
}

fn compact_json(value: &Value, max_chars: usize) -> String {
    let text = match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    truncate_chars(&text, max_chars)
}

fn truncate_chars(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max_chars).collect();
    out.push('…');
    out
}

fn escape_table(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::decode::decode;

    #[test]
    fn hover_and_inlay_label_escape_controls_and_bidi_from_the_token() {
        use base64::Engine;
        let b64 = |value: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string());
        let token = format!(
            "{}.{}.{}",
            b64(serde_json::json!({"alg": "HS256\u{202e}"})),
            b64(serde_json::json!({"sub": "a\u{1b}[2Jb", "iss": "x\u{2066}y"})),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([1u8; 32])
        );
        let token = decode(&token).unwrap();
        let label = inlay_label(&token, NOW);
        assert_eq!(label, "HS256\\u{202e} · sub=a\\u{1b}[2Jb · no expiry");
        let hover = hover_markdown(&token, NOW);
        assert!(hover.contains("| `iss` | x\\u{2066}y |"), "{hover}");
        assert!(!hover.chars().any(|ch| ch == '\u{1b}' || ch == '\u{202e}' || ch == '\u{2066}'), "{hover}");
    }

    const NOW: i64 = 1_767_225_600;
    const JWE: &str = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGeipsEdY3mx_etLbbWSrFr05kLzcSr4qKAq7YN7e9jwQRb23nfa6c9d-StnImGyFDbSv04uVuxIp5Zms1gNxKKK2Da14B8S4rzVRltdYwam_lDp5XnZAYpQdb76FdIKLaVmqgfwX7XWRxv2322i-vDxRfqNzo_tETKzpVLzfiwQyeyPGLBIO56YJ7eObdv0je81860ppamavo35UgoRdbYaBcoh9QcfylQr66oc6vFWXRcZ_ZT2LawVCWTIy3brGPi6UklfCpIMfIjf7iGdXKHzg.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6jiSdiwkIr3ajwQzaBtQD_A.XFBoMYUZodetZdvTiFvSkQ";
    // {"alg":"RS256","kid":"k1"} . {"sub":"alice","iss":"https://issuer","exp":1767232800,"iat":1767225000,"scope":"read"} . 256 bytes
    fn rs256() -> String {
        use base64::Engine;
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        format!(
            "{}.{}.{}",
            b64(br#"{"alg":"RS256","kid":"k1"}"#),
            b64(br#"{"sub":"alice","iss":"https://issuer","exp":1767232800,"iat":1767225000,"scope":"read"}"#),
            b64(&[1u8; 256])
        )
    }

    #[test]
    fn hover_explains_algorithm_claims_times_and_signature() {
        let token = decode(&rs256()).unwrap();
        let hover = hover_markdown(&token, NOW);
        assert!(hover.starts_with("**JWT** · JWS signed with `RS256`: RSA PKCS#1 v1.5 with SHA-256"), "{hover}");
        assert!(hover.contains("expires in 2 hours (2026-01-01 02:00:00 UTC)"), "{hover}");
        assert!(hover.contains("| `exp` | 2026-01-01 02:00:00 UTC · in 2 hours | Expiration time"), "{hover}");
        assert!(hover.contains("| `iat` | 2025-12-31 23:50:00 UTC · 10 minutes ago | Issued at"), "{hover}");
        assert!(hover.contains("| `scope` | read | Scopes"), "{hover}");
        assert!(hover.contains("`kid` Key id"), "{hover}");
        assert!(hover.contains("**Signature**: 256 bytes (an RSA-2048 key)"), "{hover}");
        assert_eq!(inlay_label(&token, NOW), "RS256 · sub=alice · expires in 2 h");
    }

    #[test]
    fn jwe_hover_shows_the_header_and_says_the_payload_is_encrypted() {
        let token = decode(JWE).unwrap();
        let hover = hover_markdown(&token, NOW);
        assert!(hover.contains("**JWE** · encrypted: `RSA-OAEP`"), "{hover}");
        assert!(hover.contains("\"enc\": \"A256GCM\""), "{hover}");
        assert!(hover.contains("**Payload**: encrypted"), "{hover}");
        assert_eq!(inlay_label(&token, NOW), "JWE RSA-OAEP/A256GCM");
    }

    #[test]
    fn damaged_token_hover_says_what_was_repaired() {
        let good = rs256();
        let (head, rest) = good.split_once('.').unwrap();
        let damaged = format!(
            "{head}.{}%3D%3D",
            rest.replacen('.', "==.", 1).replace("==.", "%3D%3D.").trim_end_matches("%3D%3D")
        );
        let token = decode(&damaged).unwrap();
        let hover = hover_markdown(&token, NOW);
        assert!(
            hover.contains("⚠ Damaged — to decode it, jwt-lsp URL-decoded the token; removed `=` padding."),
            "{hover}"
        );
        assert!(hover.contains("\"sub\": \"alice\""), "{hover}");
        assert!(inlay_label(&token, NOW).ends_with("· damaged"));
    }
}
