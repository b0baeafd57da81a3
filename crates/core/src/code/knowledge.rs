//! Language-neutral JWT knowledge shared by the analysers: algorithm families, what a visible key
//! looks like (secret, RSA, EC, public), known-weak secrets, clock-tolerance limits, and the
//! allow-list assessment with its quick fixes. Each language module turns its syntax into the
//! plain values used here.

use std::ops::Range;

use super::Sink;
use super::syntax::words;
use crate::finding::{Finding, Fix, TextEdit};
use crate::rules::Rule;

/// RFC 7519 §4.1.4: "usually no more than a few minutes". Above this, the finding fires.
pub const MAX_LEEWAY_SECONDS: f64 = 300.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Hmac,
    Rsa,
    RsaPss,
    Ecdsa,
    EdDsa,
    None,
    Other,
}

impl Family {
    pub fn of(algorithm: &str) -> Family {
        let upper = algorithm.trim().to_ascii_uppercase();
        if upper == "NONE" {
            Family::None
        } else if upper.starts_with("HS") {
            Family::Hmac
        } else if upper.starts_with("RS") {
            Family::Rsa
        } else if upper.starts_with("PS") {
            Family::RsaPss
        } else if upper.starts_with("ES") {
            Family::Ecdsa
        } else if matches!(upper.as_str(), "EDDSA" | "ED25519" | "ED448") {
            Family::EdDsa
        } else {
            Family::Other
        }
    }

    pub fn is_asymmetric(self) -> bool {
        matches!(self, Family::Rsa | Family::RsaPss | Family::Ecdsa | Family::EdDsa)
    }
}

/// What the key argument visibly is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Secret,
    Rsa,
    Ec,
    Ed,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub kind: KeyKind,
    /// Clearly public material: a public-key or certificate PEM, a JWKS, a value named public.
    pub public: bool,
}

impl Key {
    pub const UNKNOWN: Key = Key { kind: KeyKind::Unknown, public: false };

    /// The algorithm a fix should pin for this key, when the key says.
    pub fn algorithm(self) -> Option<&'static str> {
        match self.kind {
            KeyKind::Secret => Some("HS256"),
            KeyKind::Rsa => Some("RS256"),
            KeyKind::Ec => Some("ES256"),
            KeyKind::Ed => Some("EdDSA"),
            KeyKind::Unknown => None,
        }
    }
}

/// Classifies a key from the text of its expression (and of the definitions it resolves to).
/// `string_literal`: the key is a plain string, which (unless it is PEM) is an HMAC secret.
pub fn classify_key(evidence: &str, string_literal: bool) -> Key {
    if let Some((_, after)) = evidence.split_once("-----BEGIN ") {
        let label: String = after.chars().take(40).collect();
        let public =
            label.starts_with("PUBLIC KEY") || label.contains("PUBLIC KEY") || label.starts_with("CERTIFICATE");
        let kind = if label.starts_with("EC ") { KeyKind::Ec } else { KeyKind::Rsa };
        return Key { kind, public };
    }
    if evidence.contains("ssh-rsa ") {
        return Key { kind: KeyKind::Rsa, public: true };
    }
    if string_literal {
        return Key { kind: KeyKind::Secret, public: false };
    }
    let words = words(evidence);
    let has = |list: &[&str]| words.iter().any(|word| list.contains(&word.as_str()));
    let secret = has(&["secret", "hmac", "hs256", "hs384", "hs512", "shared", "symmetric", "passphrase", "password"]);
    let jwks = has(&["jwks", "jwksuri", "jwksrsa"]) || (has(&["jwk"]) && has(&["set", "remote"]));
    let public = jwks || has(&["public", "pub", "pubkey", "publickey", "cert", "certificate", "x509", "spki"]);
    let private = has(&["private", "priv", "privkey", "privatekey"]);
    let ec = has(&["ec", "ecdsa", "es256", "es384", "es512", "p256", "p384", "prime256v1", "secp256r1", "secp384r1"]);
    let ed = has(&["ed25519", "eddsa", "ed448"]);
    let rsa = has(&["rsa", "rs256", "rs384", "rs512", "ps256", "ps384", "ps512"]);
    let pem = has(&["pem", "der", "crt"]);
    let asymmetric = public || private || ec || ed || rsa || pem;
    if jwks {
        // `jwksRsa.expressJwtSecret(...)` says "secret" but serves public keys.
        return Key { kind: if ec { KeyKind::Ec } else { KeyKind::Rsa }, public: true };
    }
    if secret && asymmetric {
        return Key::UNKNOWN;
    }
    if secret {
        return Key { kind: KeyKind::Secret, public: false };
    }
    if !asymmetric {
        return Key::UNKNOWN;
    }
    let kind = if ec && !ed && !rsa {
        KeyKind::Ec
    } else if ed && !ec && !rsa {
        KeyKind::Ed
    } else if jwks || rsa || public || private || pem {
        KeyKind::Rsa
    } else {
        KeyKind::Unknown
    };
    Key { kind, public: public && !private }
}

/// Default and tutorial secrets (research §E), compared case-insensitively.
const WEAK_SECRETS: &[&str] = &[
    "secret",
    "your-256-bit-secret",
    "a-string-secret-at-least-256-bits-long",
    "your-384-bit-secret",
    "your-512-bit-secret",
    "shhhhh",
    "shhhhhhared-secret",
    "hello world !",
    "wrong-secret",
    "super-secret",
    "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7",
    "do not use this value. instead, create a complex secret and keep it safe outside of the source code.",
    "allyourbase",
    "my_secret_key",
    "cc7e0d44fd473002f1c42167459001140ec6389b7353f8088f4d9a95f2f596f2",
    "keyboard cat",
    "changeme",
    "changeit",
    "secretkey",
    "secret_key",
    "secret-key",
    "supersecret",
    "jwtsecret",
    "jwt-secret",
    "jwt_secret",
    "mysecret",
    "mysecretkey",
    "my-secret",
    "my_secret",
    "secret123",
    "password",
    "123456",
    "thisisthesecretkey",
    "myjwtsecret",
    "your-secret-key",
    "your_jwt_secret",
    "your_secret_key",
    "jwt_secret_key",
    "test",
    "default",
];

/// Why a literal secret is known-weak, if it is.
pub fn weak_secret_reason(secret: &str) -> Option<&'static str> {
    if secret.is_empty() {
        return Some("it is empty, so verification is meaningless");
    }
    if WEAK_SECRETS.iter().any(|weak| weak.eq_ignore_ascii_case(secret)) {
        return Some("it is a published default from library docs or jwt.io, in every cracking wordlist");
    }
    if secret.len() < 8 {
        return Some("it is shorter than 8 characters and falls to a dictionary attack in seconds");
    }
    None
}

/// Seconds as a short human string: `600 s (10 min)`.
pub fn describe_seconds(seconds: f64) -> String {
    let whole = seconds.round() as i64;
    let human = if whole % 86_400 == 0 && whole >= 86_400 {
        format!("{} d", whole / 86_400)
    } else if whole % 3600 == 0 && whole >= 3600 {
        format!("{} h", whole / 3600)
    } else if whole % 60 == 0 && whole >= 60 {
        format!("{} min", whole / 60)
    } else {
        return format!("{whole} s");
    };
    format!("{whole} s ({human})")
}

/// A jose-style time span (`"5 minutes"`, `"2h"`, `"30 s"`) in seconds.
pub fn parse_timespan(text: &str) -> Option<f64> {
    let text = text.trim().to_ascii_lowercase();
    let split = text.find(|ch: char| !(ch.is_ascii_digit() || ch == '.')).unwrap_or(text.len());
    let value: f64 = text[..split].trim().parse().ok()?;
    let unit = text[split..].trim();
    let unit = unit.strip_suffix(" ago").unwrap_or(unit).trim();
    let factor = match unit {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "week" | "weeks" => 604_800.0,
        "y" | "yr" | "yrs" | "year" | "years" => 31_557_600.0,
        _ => return None,
    };
    Some(value * factor)
}

/// Algorithms a fix may pin: the one the key implies (preferred), or the common choices.
pub fn algorithm_choices(key: Key) -> Vec<(&'static str, bool)> {
    match key.algorithm() {
        Some(algorithm) => vec![(algorithm, true)],
        None => vec![("RS256", false), ("ES256", false), ("HS256", false)],
    }
}

/// One element of an algorithm allow-list, already evaluated by the language module.
#[derive(Debug, Clone)]
pub struct AlgItem {
    /// The algorithm name when the element is a known string.
    pub name: Option<String>,
    /// The element's source text (kept when other elements are dropped).
    pub text: String,
    pub range: Range<usize>,
    /// Deletes the element and one separator.
    pub removal: Range<usize>,
    /// The element is the token's own `alg` header.
    pub from_token: bool,
}

/// An allow-list as the language module sees it.
pub struct AllowList {
    pub items: Vec<AlgItem>,
    /// Renders one algorithm as a literal element of this list (`'RS256'`, `"RS256"`,
    /// `jose.RS256`).
    pub render: Box<dyn Fn(&str) -> String>,
}

/// The allow-list checks every library shares: the token's own alg, `none`, HMAC mixed with
/// public-key algorithms, and HMAC paired with a public key.
pub fn assess_allow_list(sink: &mut Sink, list: &AllowList, key: Key) {
    let render = &list.render;
    let replace_fixes = |range: Range<usize>, title: &str| -> Vec<Fix> {
        algorithm_choices(key)
            .into_iter()
            .map(|(algorithm, preferred)| Fix {
                title: format!("{title} `{algorithm}`"),
                edits: vec![TextEdit { range: range.clone(), new_text: render(algorithm) }],
                preferred,
            })
            .collect()
    };
    for item in list.items.iter().filter(|item| item.from_token) {
        let mut finding = Finding::new(
            Rule::VerifyAlgFromToken,
            item.range.clone(),
            "The allowed algorithm is read from the token's own header, which the attacker writes: any algorithm (`none`, or HS256 signed with your public key) passes. Pin the algorithm your key uses (RFC 8725 §3.1).",
        );
        finding.fixes = replace_fixes(item.range.clone(), "Pin the algorithm to");
        sink.push(finding);
    }
    let real: Vec<&AlgItem> = list.items.iter().filter(|item| !item.from_token).collect();
    let is_none = |item: &AlgItem| item.name.as_deref().is_some_and(|name| name.eq_ignore_ascii_case("none"));
    let others = real.iter().filter(|item| !is_none(item)).count();
    for item in real.iter().filter(|item| is_none(item)) {
        let mut finding = Finding::new(
            Rule::VerifyAllowsNone,
            item.range.clone(),
            "`none` in the allow-list accepts unsigned tokens: anyone can write any claims (RFC 7518 §3.6, RFC 8725 §3.2).",
        );
        if others > 0 {
            finding = finding.with_fix(Fix {
                title: "Remove `none` from the allowed algorithms".into(),
                edits: vec![TextEdit { range: item.removal.clone(), new_text: String::new() }],
                preferred: true,
            });
        } else {
            finding.fixes = replace_fixes(item.range.clone(), "Replace `none` with");
        }
        sink.push(finding);
    }
    let family = |item: &&&AlgItem| item.name.as_deref().map(Family::of);
    let hmac: Vec<&&AlgItem> = real.iter().filter(|item| family(item) == Some(Family::Hmac)).collect();
    let asymmetric: Vec<&&AlgItem> =
        real.iter().filter(|item| family(item).is_some_and(Family::is_asymmetric)).collect();
    if !hmac.is_empty() && !asymmetric.is_empty() {
        let span =
            real.first().map(|item| item.range.start).unwrap_or(0)..real.last().map(|item| item.range.end).unwrap_or(0);
        let names =
            |items: &[&&AlgItem]| items.iter().filter_map(|item| item.name.clone()).collect::<Vec<_>>().join(", ");
        let mut finding = Finding::new(
            Rule::VerifyMixedAlgorithms,
            span.clone(),
            format!(
                "The allow-list mixes HMAC ({}) with public-key algorithms ({}): a token signed with HS256 using your public key as the HMAC secret verifies (key confusion, CVE-2015-9235). Use one verifier per key type.",
                names(&hmac),
                names(&asymmetric)
            ),
        );
        let keep = |kept: &[&&AlgItem], what: &str, preferred: bool| Fix {
            title: format!("Keep only the {what} algorithms"),
            edits: vec![TextEdit {
                range: span.clone(),
                new_text: kept.iter().map(|item| item.text.as_str()).collect::<Vec<_>>().join(", "),
            }],
            preferred,
        };
        let key_is_secret = key.kind == KeyKind::Secret;
        let key_is_asymmetric = matches!(key.kind, KeyKind::Rsa | KeyKind::Ec | KeyKind::Ed);
        // Never offer to keep the family the visible key contradicts.
        if key.kind != KeyKind::Secret {
            finding = finding.with_fix(keep(&asymmetric, "public-key", key_is_asymmetric));
        }
        if !key.public && !key_is_asymmetric {
            finding = finding.with_fix(keep(&hmac, "HMAC", key_is_secret));
        }
        sink.push(finding);
    } else if key.public {
        for item in &hmac {
            let mut finding = Finding::new(
                Rule::VerifyMixedAlgorithms,
                item.range.clone(),
                "An HMAC algorithm is allowed with a public key as the secret: anyone holding the public key can sign tokens that verify (key confusion, CVE-2015-9235). Allow the key's own algorithm.",
            );
            finding.fixes = replace_fixes(item.range.clone(), "Allow");
            sink.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        assert_eq!(Family::of("hs256"), Family::Hmac);
        assert_eq!(Family::of("NoNe"), Family::None);
        assert_eq!(Family::of("ES256K"), Family::Ecdsa);
        assert_eq!(Family::of("EdDSA"), Family::EdDsa);
        assert!(Family::of("PS512").is_asymmetric());
        assert_eq!(Family::of("A128KW"), Family::Other);
    }

    #[test]
    fn keys_from_evidence() {
        assert_eq!(classify_key("process.env.JWT_SECRET", false).kind, KeyKind::Secret);
        assert_eq!(classify_key("'shhhhh'", true).kind, KeyKind::Secret);
        let public = classify_key("publicKey", false);
        assert_eq!(public, Key { kind: KeyKind::Rsa, public: true });
        assert_eq!(classify_key("fs.readFileSync('./keys/ec-public.pem')", false).kind, KeyKind::Ec);
        assert!(classify_key("createRemoteJWKSet(new URL(issuer))", false).public);
        assert_eq!(classify_key("\"-----BEGIN EC PRIVATE KEY-----\"", true), Key { kind: KeyKind::Ec, public: false });
        assert_eq!(classify_key("key", false), Key::UNKNOWN);
        assert_eq!(classify_key("secretOrPublicKey", false), Key::UNKNOWN);
    }

    #[test]
    fn weak_secrets() {
        assert!(weak_secret_reason("shhhhh").is_some());
        assert!(weak_secret_reason("Your-256-Bit-Secret").is_some());
        assert!(weak_secret_reason("").is_some());
        assert!(weak_secret_reason("abc").is_some());
        assert!(weak_secret_reason("k3Jd93-not-in-any-list-Qx81").is_none());
    }

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("5 minutes"), Some(300.0));
        assert_eq!(parse_timespan("2h"), Some(7200.0));
        assert_eq!(parse_timespan("30"), Some(30.0));
        assert_eq!(parse_timespan("soon"), None);
        assert_eq!(describe_seconds(600.0), "600 s (10 min)");
        assert_eq!(describe_seconds(86_400.0), "86400 s (1 d)");
        assert_eq!(describe_seconds(301.0), "301 s");
    }
}
