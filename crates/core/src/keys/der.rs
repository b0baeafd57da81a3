//! A minimal DER reader: just enough ASN.1 to take public keys out of SubjectPublicKeyInfo
//! (`PUBLIC KEY`), PKCS#1 (`RSA PUBLIC KEY`) and X.509 certificates. Every read is bounds-checked
//! and returns `None` on malformed input; nothing here allocates more than the input's size.

use super::KeyMaterial;

const TAG_INTEGER: u8 = 0x02;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;
/// `[0]` explicit, constructed: the optional version of a TBSCertificate.
const TAG_CONTEXT_0: u8 = 0xa0;

// DER-encoded object identifiers (the content octets only).
const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]; // 1.2.840.113549.1.1.1
const OID_RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a]; // 1.2.840.113549.1.1.10
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]; // 1.2.840.10045.2.1
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]; // 1.2.840.10045.3.1.7
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22]; // 1.3.132.0.34
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23]; // 1.3.132.0.35
const OID_SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a]; // 1.3.132.0.10
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70]; // 1.3.101.112
const OID_ED448: &[u8] = &[0x2b, 0x65, 0x71]; // 1.3.101.113

/// A cursor over DER bytes.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Reads one tag-length-value; returns the tag and the value bytes.
    fn read_any(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.bytes.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let length = if first < 0x80 {
            usize::from(first)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 || count > 4 || rest.len() < count {
                return None;
            }
            let mut length = 0usize;
            for &byte in &rest[..count] {
                length = (length << 8) | usize::from(byte);
            }
            rest = &rest[count..];
            length
        };
        if rest.len() < length {
            return None;
        }
        let (value, rest) = rest.split_at(length);
        self.bytes = rest;
        Some((tag, value))
    }

    fn read(&mut self, expected: u8) -> Option<&'a [u8]> {
        let (tag, value) = self.read_any()?;
        (tag == expected).then_some(value)
    }

    fn peek_tag(&self) -> Option<u8> {
        self.bytes.first().copied()
    }
}

/// An INTEGER's magnitude without DER's leading zero byte.
fn unsigned(integer: &[u8]) -> Vec<u8> {
    let start = integer.iter().position(|&byte| byte != 0).unwrap_or(integer.len().saturating_sub(1));
    integer[start..].to_vec()
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` (PKCS#1).
pub fn rsa_public_key(der: &[u8]) -> Option<KeyMaterial> {
    let mut outer = Reader::new(der);
    let mut sequence = Reader::new(outer.read(TAG_SEQUENCE)?);
    let n = unsigned(sequence.read(TAG_INTEGER)?);
    let e = unsigned(sequence.read(TAG_INTEGER)?);
    if n.is_empty() || e.is_empty() {
        return None;
    }
    Some(KeyMaterial::Rsa { n, e })
}

/// `SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }`.
/// Unsupported algorithms come back as `KeyMaterial::Unsupported` with a description.
pub fn subject_public_key_info(der: &[u8]) -> Option<KeyMaterial> {
    let mut outer = Reader::new(der);
    spki_from_sequence(outer.read(TAG_SEQUENCE)?)
}

fn spki_from_sequence(content: &[u8]) -> Option<KeyMaterial> {
    let mut spki = Reader::new(content);
    let mut algorithm = Reader::new(spki.read(TAG_SEQUENCE)?);
    let oid = algorithm.read(TAG_OID)?;
    let bits = spki.read(TAG_BIT_STRING)?;
    // The first octet of a BIT STRING counts unused bits; keys use whole octets.
    let (&unused, key) = bits.split_first()?;
    if unused != 0 {
        return None;
    }
    if oid == OID_RSA_ENCRYPTION || oid == OID_RSASSA_PSS {
        return rsa_public_key(key);
    }
    if oid == OID_EC_PUBLIC_KEY {
        let curve = match algorithm.peek_tag() {
            Some(TAG_OID) => algorithm.read(TAG_OID)?,
            _ => return Some(KeyMaterial::Unsupported { what: "EC key with explicit curve parameters".to_string() }),
        };
        let crv = if curve == OID_P256 {
            "P-256"
        } else if curve == OID_P384 {
            "P-384"
        } else if curve == OID_P521 {
            "P-521"
        } else if curve == OID_SECP256K1 {
            "secp256k1"
        } else {
            return Some(KeyMaterial::Unsupported { what: "EC key on an unknown curve".to_string() });
        };
        return ec_point(crv, key);
    }
    if oid == OID_ED25519 || oid == OID_ED448 {
        let crv = if oid == OID_ED25519 { "Ed25519" } else { "Ed448" };
        return Some(KeyMaterial::Okp { crv: crv.to_string(), x: key.to_vec() });
    }
    Some(KeyMaterial::Unsupported { what: format!("public key with algorithm OID {}", oid_text(oid)) })
}

/// An uncompressed SEC1 point `04 || x || y` on `crv`.
pub fn ec_point(crv: &str, point: &[u8]) -> Option<KeyMaterial> {
    let (&form, coordinates) = point.split_first()?;
    if form != 0x04 || coordinates.len() % 2 != 0 || coordinates.is_empty() {
        return Some(KeyMaterial::Unsupported { what: format!("{crv} key in compressed or unknown point form") });
    }
    let (x, y) = coordinates.split_at(coordinates.len() / 2);
    Some(KeyMaterial::Ec { crv: crv.to_string(), x: x.to_vec(), y: y.to_vec() })
}

/// The SubjectPublicKeyInfo of an X.509 certificate:
/// `Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
/// signature, issuer, validity, subject, subjectPublicKeyInfo, ... }, ... }`.
pub fn certificate_public_key(der: &[u8]) -> Option<KeyMaterial> {
    let mut outer = Reader::new(der);
    let mut certificate = Reader::new(outer.read(TAG_SEQUENCE)?);
    let mut tbs = Reader::new(certificate.read(TAG_SEQUENCE)?);
    if tbs.peek_tag() == Some(TAG_CONTEXT_0) {
        tbs.read_any()?;
    }
    for _ in 0..5 {
        // serialNumber, signature, issuer, validity, subject
        tbs.read_any()?;
    }
    if tbs.is_empty() {
        return None;
    }
    spki_from_sequence(tbs.read(TAG_SEQUENCE)?)
}

fn oid_text(oid: &[u8]) -> String {
    let Some((&first, rest)) = oid.split_first() else { return String::new() };
    let mut parts = vec![(first / 40).to_string(), (first % 40).to_string()];
    let mut value: u64 = 0;
    for &byte in rest {
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            parts.push(value.to_string());
            value = 0;
        }
    }
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_never_panics() {
        for bytes in [&[][..], &[0x30], &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff], &[0x30, 0x03, 0x02, 0x01], &[0x30, 0x80]]
        {
            assert!(subject_public_key_info(bytes).is_none());
            assert!(rsa_public_key(bytes).is_none());
            assert!(certificate_public_key(bytes).is_none());
        }
    }

    #[test]
    fn reads_pkcs1_and_strips_the_sign_byte() {
        // SEQUENCE { INTEGER 0x00c3, INTEGER 0x010001 }
        let der = [0x30, 0x09, 0x02, 0x02, 0x00, 0xc3, 0x02, 0x03, 0x01, 0x00, 0x01];
        assert_eq!(rsa_public_key(&der), Some(KeyMaterial::Rsa { n: vec![0xc3], e: vec![1, 0, 1] }));
    }

    #[test]
    fn names_unknown_oids() {
        assert_eq!(oid_text(OID_RSA_ENCRYPTION), "1.2.840.113549.1.1.1");
        assert_eq!(oid_text(OID_P384), "1.3.132.0.34");
    }
}
