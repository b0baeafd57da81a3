//! Keys a token can be verified with: the key model, PEM and JWK/JWKS parsing, and the `KeyRing`
//! that holds them for the verifier. Where keys come from (files, environment variables, the
//! workspace walk, JWKS over HTTPS) is the front ends' business (`jwt-lsp`'s `load` and `keys`):
//! they hand text to `parse_key_text` and rings to `verify::Sources`.
//!
//! Key material never leaves this module in text: `Debug` redacts it, and every description a
//! user sees names a key by its source, index and `kid` only.

pub mod der;
pub mod jwk;
pub mod pem;

use std::fmt;

use jsonwebtoken::{Algorithm, DecodingKey};

/// RSA moduli above this many bytes (16384 bits) are refused: verifying with them is a DoS.
const MAX_RSA_MODULUS_BYTES: usize = 2048;

/// The public (or, for HMAC, secret) part of a key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum KeyMaterial {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// `crv` is the JWK name: `P-256`, `P-384`, `P-521`, `secp256k1`.
    Ec {
        crv: String,
        x: Vec<u8>,
        y: Vec<u8>,
    },
    /// `crv`: `Ed25519`, `Ed448`, `X25519`, `X448`.
    Okp {
        crv: String,
        x: Vec<u8>,
    },
    /// An HMAC secret (a JWK `oct` key or an environment variable).
    Secret(Vec<u8>),
    /// A key we can read but not verify with (explicit curve parameters, DSA, ...).
    Unsupported {
        what: String,
    },
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind())
    }
}

/// Whether a key can verify a token with a given `alg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    Fits,
    /// The key's type does not match the algorithm (RSA key + `HS256`, P-384 key + `ES256`).
    WrongType(String),
    /// The pair is valid but the verification library cannot check it (ES512, ES256K, Ed448).
    Unverifiable(String),
}

impl KeyMaterial {
    /// `RSA-2048`, `EC P-256`, `OKP Ed25519`, `HMAC secret`: what the key is, never what it holds.
    pub fn kind(&self) -> String {
        match self {
            KeyMaterial::Rsa { n, .. } => format!("RSA-{}", significant_bits(n)),
            KeyMaterial::Ec { crv, .. } => format!("EC {crv}"),
            KeyMaterial::Okp { crv, .. } => format!("OKP {crv}"),
            KeyMaterial::Secret(_) => "HMAC secret".to_string(),
            KeyMaterial::Unsupported { what } => format!("unsupported ({what})"),
        }
    }

    pub fn is_public(&self) -> bool {
        matches!(self, KeyMaterial::Rsa { .. } | KeyMaterial::Ec { .. } | KeyMaterial::Okp { .. })
    }

    /// Whether this key can verify `alg` (RFC 7518 §3, RFC 8037).
    pub fn fit(&self, alg: &str) -> Fit {
        let wrong =
            |expected: &str| Fit::WrongType(format!("{alg} needs {expected}, but this is an {} key", self.kind()));
        match (alg, self) {
            ("HS256" | "HS384" | "HS512", KeyMaterial::Secret(_)) => Fit::Fits,
            ("HS256" | "HS384" | "HS512", _) => wrong("a shared HMAC secret"),
            ("RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512", KeyMaterial::Rsa { .. }) => Fit::Fits,
            ("RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512", _) => wrong("an RSA public key"),
            ("ES256", KeyMaterial::Ec { crv, .. }) if crv == "P-256" => Fit::Fits,
            ("ES384", KeyMaterial::Ec { crv, .. }) if crv == "P-384" => Fit::Fits,
            ("ES512", KeyMaterial::Ec { crv, .. }) if crv == "P-521" => {
                Fit::Unverifiable("jsonwebtoken (the verification library) does not implement ES512".to_string())
            }
            ("ES256K", KeyMaterial::Ec { crv, .. }) if crv == "secp256k1" => {
                Fit::Unverifiable("jsonwebtoken (the verification library) does not implement ES256K".to_string())
            }
            ("ES256", _) => wrong("an EC P-256 key"),
            ("ES384", _) => wrong("an EC P-384 key"),
            ("ES512", _) => wrong("an EC P-521 key"),
            ("ES256K", _) => wrong("an EC secp256k1 key"),
            ("EdDSA" | "Ed25519", KeyMaterial::Okp { crv, .. }) if crv == "Ed25519" => Fit::Fits,
            ("EdDSA" | "Ed448", KeyMaterial::Okp { crv, .. }) if crv == "Ed448" => {
                Fit::Unverifiable("jsonwebtoken (the verification library) does not implement Ed448".to_string())
            }
            ("EdDSA" | "Ed25519", _) => wrong("an OKP Ed25519 key"),
            ("Ed448", _) => wrong("an OKP Ed448 key"),
            (other, _) => Fit::Unverifiable(format!("`{other}` is not a signature algorithm jwt-lsp can verify")),
        }
    }

    /// The `jsonwebtoken` key and algorithm for `alg`, when `fit(alg)` is `Fits` and the key is
    /// well-formed. Sizes are checked here because the library slices without checking.
    pub fn decoding_key(&self, alg: &str) -> Option<(DecodingKey, Algorithm)> {
        if self.fit(alg) != Fit::Fits {
            return None;
        }
        let algorithm = match alg {
            "Ed25519" => Algorithm::EdDSA,
            other => other.parse::<Algorithm>().ok()?,
        };
        let key = match self {
            KeyMaterial::Rsa { n, e } => {
                if n.is_empty() || n.len() > MAX_RSA_MODULUS_BYTES || e.is_empty() || e.len() > 8 {
                    return None;
                }
                DecodingKey::from_rsa_raw_components(n, e)
            }
            KeyMaterial::Ec { crv, x, y } => {
                let size = match crv.as_str() {
                    "P-256" => 32,
                    "P-384" => 48,
                    _ => return None,
                };
                if x.len() != size || y.len() != size {
                    return None;
                }
                let mut point = Vec::with_capacity(1 + 2 * size);
                point.push(0x04);
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                DecodingKey::from_ec_der(&point)
            }
            KeyMaterial::Okp { x, .. } => {
                if x.len() != 32 {
                    return None;
                }
                DecodingKey::from_ed_der(x)
            }
            KeyMaterial::Secret(secret) => DecodingKey::from_secret(secret).ok()?,
            KeyMaterial::Unsupported { .. } => return None,
        };
        Some((key, algorithm))
    }
}

fn significant_bits(bytes: &[u8]) -> usize {
    let Some(first) = bytes.iter().position(|&byte| byte != 0) else { return 0 };
    (bytes.len() - first - 1) * 8 + (8 - bytes[first].leading_zeros() as usize)
}

/// Where a key came from. `location` is a path (relative to the workspace when under it), a URL
/// or an environment variable name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeySource {
    pub location: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Listed in `keys` (settings, `.jwt-lsp.toml` or `--key`/`--jwks`).
    Configured,
    /// Found in the workspace without configuration.
    Discovered,
    /// Fetched from a `jwksUrls` entry.
    Remote,
    /// An HMAC secret from an environment variable named in `secretEnv`.
    Environment,
}

impl KeySource {
    pub fn new(location: impl Into<String>, origin: Origin) -> KeySource {
        KeySource { location: location.into(), origin }
    }

    pub fn describe(&self) -> String {
        match self.origin {
            Origin::Environment => format!("${}", self.location),
            _ => self.location.clone(),
        }
    }
}

/// One key with its JWK metadata.
#[derive(Clone, PartialEq, Eq)]
pub struct Key {
    pub material: KeyMaterial,
    pub kid: Option<String>,
    /// The JWK `alg`, when the key pins one.
    pub alg: Option<String>,
    /// The JWK `use` (`sig` or `enc`).
    pub key_use: Option<String>,
    pub source: KeySource,
    /// Position within its source (JWKS entry or PEM block), 0-based, when the source holds several.
    pub index: Option<usize>,
    /// The texts a confused verifier would feed to HMAC as the "secret": the PEM block with and
    /// without its trailing newline, the file as written, the JWK JSON. Public keys only.
    pub public_texts: Vec<Vec<u8>>,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Key {
    pub fn new(material: KeyMaterial, source: KeySource) -> Key {
        Key { material, kid: None, alg: None, key_use: None, source, index: None, public_texts: Vec::new() }
    }

    /// `keys/jwks.json #2 (kid `2025-07`, RSA-2048)`: enough to find the key, nothing secret.
    pub fn describe(&self) -> String {
        let mut out = self.source.describe();
        if let Some(index) = self.index {
            out.push_str(&format!(" #{}", index + 1));
        }
        let mut details = Vec::new();
        if let Some(kid) = &self.kid {
            details.push(format!("kid `{kid}`"));
        }
        details.push(self.material.kind());
        out.push_str(&format!(" ({})", details.join(", ")));
        out
    }

    /// The key's own restrictions against `alg`: a JWK `alg` that differs, or `use: enc`.
    pub fn metadata_conflict(&self, alg: &str) -> Option<String> {
        if let Some(pinned) = &self.alg
            && pinned != alg
        {
            return Some(format!("the key is for `{pinned}`, the token says `{alg}`"));
        }
        if self.key_use.as_deref() == Some("enc") {
            return Some("the key is marked `use: enc` (encryption), not for signatures".to_string());
        }
        None
    }

    pub fn add_public_text(&mut self, text: &[u8]) {
        if !text.is_empty() && !self.public_texts.iter().any(|known| known == text) {
            self.public_texts.push(text.to_vec());
        }
    }
}

/// What one key source gave: how many keys, or why it gave none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceReport {
    pub source: KeySource,
    pub keys: usize,
    /// Notes such as "private key ignored"; never key material.
    pub notes: Vec<String>,
    pub error: Option<String>,
}

/// Every key known for the workspace, with a report per source.
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    pub keys: Vec<Key>,
    pub sources: Vec<SourceReport>,
}

impl KeyRing {
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn add_source(&mut self, source: KeySource, result: Result<(Vec<Key>, Vec<String>), String>) {
        match result {
            Ok((keys, notes)) => {
                self.sources.push(SourceReport { source, keys: keys.len(), notes, error: None });
                self.keys.extend(keys);
            }
            Err(error) => self.sources.push(SourceReport { source, keys: 0, notes: Vec::new(), error: Some(error) }),
        }
    }

    /// Keys whose `kid` equals `kid`.
    pub fn with_kid<'a>(&'a self, kid: &'a str) -> impl Iterator<Item = &'a Key> + 'a {
        self.keys.iter().filter(move |key| key.kid.as_deref() == Some(kid))
    }

    /// Sources that name their keys (`kid`): the ones a token's `kid` is looked up in.
    pub fn kid_sources(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for key in self.keys.iter().filter(|key| key.kid.is_some()) {
            let location = key.source.describe();
            if !out.contains(&location) {
                out.push(location);
            }
        }
        out
    }

    /// Public keys (for the key-confusion check).
    pub fn public_keys(&self) -> impl Iterator<Item = &Key> {
        self.keys.iter().filter(|key| key.material.is_public())
    }

    /// Warnings worth showing a user once: sources that failed.
    pub fn errors(&self) -> Vec<String> {
        self.sources
            .iter()
            .filter_map(|report| report.error.as_ref().map(|error| format!("{}: {error}", report.source.describe())))
            .collect()
    }

    /// Puts `prefix` (a folder, `/`-terminated) before every source location: discovery names
    /// files relative to the folder it walked, the CLI shows them relative to where it runs.
    pub fn prefix_locations(&mut self, prefix: &str) {
        if prefix.is_empty() {
            return;
        }
        for key in &mut self.keys {
            key.source.location = format!("{prefix}{}", key.source.location);
        }
        for report in &mut self.sources {
            report.source.location = format!("{prefix}{}", report.source.location);
        }
    }

    pub fn merge(&mut self, other: KeyRing) {
        self.keys.extend(other.keys);
        self.sources.extend(other.sources);
    }

    /// Drops keys identical (material, `kid`, `alg`, `use`) to an earlier one, so that a key set
    /// committed twice, or both configured and discovered, is tried once per token.
    pub fn drop_duplicate_keys(&mut self) {
        let mut seen = std::collections::HashSet::new();
        self.keys
            .retain(|key| seen.insert((key.material.clone(), key.kid.clone(), key.alg.clone(), key.key_use.clone())));
    }
}

/// The outcome of asking for a JWKS URL's keys (`verify::RemoteKeys`).
#[derive(Debug, Clone)]
pub struct Lookup {
    /// Keys to use: fresh, cached, or the last good set when the refresh failed.
    pub keys: Vec<Key>,
    /// Whether this call went to the network (or joined a fetch another caller had started).
    pub fetched: bool,
    /// Why the keys are missing or stale (timeout, HTTP status, bad JSON, ...), if they are.
    pub error: Option<String>,
    /// Non-fatal notes (skipped entries, a re-fetch that was rate-limited).
    pub notes: Vec<String>,
}

/// Parses key text (JSON or PEM), deciding by content.
pub fn parse_key_text(text: &str, source: KeySource) -> Result<(Vec<Key>, Vec<String>), String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        jwk::keys_from_json(text, source)
    } else if trimmed.contains("-----BEGIN") {
        pem::keys_from_pem(text, source)
    } else {
        Err("neither a JWK/JWKS (JSON object) nor PEM (`-----BEGIN ...`)".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_matches_key_types_to_algorithms() {
        let rsa = KeyMaterial::Rsa { n: vec![0xc0; 256], e: vec![1, 0, 1] };
        let p256 = KeyMaterial::Ec { crv: "P-256".into(), x: vec![1; 32], y: vec![2; 32] };
        let ed = KeyMaterial::Okp { crv: "Ed25519".into(), x: vec![3; 32] };
        let secret = KeyMaterial::Secret(b"s3cret".to_vec());
        assert_eq!(rsa.kind(), "RSA-2048");
        assert_eq!(rsa.fit("PS384"), Fit::Fits);
        assert!(matches!(rsa.fit("HS256"), Fit::WrongType(reason) if reason.contains("HMAC")));
        assert_eq!(p256.fit("ES256"), Fit::Fits);
        assert!(matches!(p256.fit("ES384"), Fit::WrongType(_)));
        assert_eq!(ed.fit("EdDSA"), Fit::Fits);
        assert_eq!(secret.fit("HS512"), Fit::Fits);
        let p521 = KeyMaterial::Ec { crv: "P-521".into(), x: vec![1; 66], y: vec![2; 66] };
        assert!(matches!(p521.fit("ES512"), Fit::Unverifiable(reason) if reason.contains("ES512")));
        assert!(p521.decoding_key("ES512").is_none());
    }

    #[test]
    fn malformed_sizes_are_refused_before_the_library_sees_them() {
        let short_ed = KeyMaterial::Okp { crv: "Ed25519".into(), x: vec![3; 5] };
        assert!(short_ed.decoding_key("EdDSA").is_none());
        let short_ec = KeyMaterial::Ec { crv: "P-256".into(), x: vec![1; 31], y: vec![2; 32] };
        assert!(short_ec.decoding_key("ES256").is_none());
        assert!(KeyMaterial::Secret(Vec::new()).decoding_key("HS256").is_none());
    }

    #[test]
    fn garbage_key_text_never_panics() {
        // A deterministic stream of junk: random bytes inside PEM armour and JSON shapes.
        let mut next = crate::test_random(0x9e37_79b9_7f4a_7c15);
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_{}[]\":,. \n";
        for round in 0..3000 {
            let length = (next() % 300) as usize;
            let junk: String =
                (0..length).map(|_| alphabet[(next() % alphabet.len() as u64) as usize] as char).collect();
            let texts = [
                format!("-----BEGIN PUBLIC KEY-----\n{junk}\n-----END PUBLIC KEY-----\n"),
                format!("-----BEGIN CERTIFICATE-----\n{junk}\n-----END CERTIFICATE-----"),
                format!("-----BEGIN RSA PUBLIC KEY-----\nMII{junk}\n-----END RSA PUBLIC KEY-----"),
                format!("{{\"keys\":[{{\"kty\":\"RSA\",\"n\":\"{junk}\",\"e\":\"AQAB\"}}]}}"),
                format!("{{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"{junk}\",\"y\":\"{junk}\"}}"),
                junk.clone(),
            ];
            for text in &texts {
                if let Ok((keys, _)) = parse_key_text(text, KeySource::new("junk", Origin::Discovered)) {
                    for key in keys {
                        for alg in ["RS256", "ES256", "EdDSA", "HS256", "PS512"] {
                            let _ = key.material.decoding_key(alg);
                        }
                    }
                }
            }
            // Random DER straight into the parsers.
            let der: Vec<u8> = (0..(round % 64)).map(|_| next() as u8).collect();
            let _ = der::subject_public_key_info(&der);
            let _ = der::certificate_public_key(&der);
            let _ = der::rsa_public_key(&der);
        }
    }

    #[test]
    fn debug_and_descriptions_never_show_material() {
        let mut key = Key::new(
            KeyMaterial::Secret(b"hunter2-hunter2".to_vec()),
            KeySource::new("JWT_SECRET", Origin::Environment),
        );
        key.kid = Some("k1".into());
        let shown = format!("{key:?} {:?} {}", key.material, key.describe());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(key.describe(), "$JWT_SECRET (kid `k1`, HMAC secret)");
    }
}
