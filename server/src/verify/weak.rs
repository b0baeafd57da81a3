//! Weak HMAC secrets: does an HS256/384/512 token verify with a secret anyone can guess?
//!
//! Candidates, cheapest first: a curated built-in list (jwt.io defaults, library README and
//! tutorial secrets, generic placeholders; jwt-checks.md §E), the empty string, string literals
//! and config values in the same file, and an optional large wordlist by path (e.g. the 104k
//! entries of wallarm's `jwt.secrets.list`). Each candidate is tried as raw UTF-8 and, when it
//! is at least 16 characters and decodes, as base64 and base64url (RFC 7515 A.1 and jsonwebtoken's
//! `Buffer.from(secret, 'base64')` use decoded secrets). Comparison is constant-time (`hmac`'s
//! `verify_slice`). Wordlist results are cached per token, so each token pays once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256, Sha384, Sha512};

/// Wordlist files above this size are refused (the wallarm list is 1.2 MB).
pub const MAX_WORDLIST_BYTES: u64 = 64 * 1024 * 1024;
/// Literal candidates longer than this are not tried (secrets are short; PEM keys are handled by
/// the key-confusion check).
const MAX_LITERAL_BYTES: usize = 512;
/// At most this many literals per file.
const MAX_LITERALS: usize = 5000;
/// Cached wordlist verdicts (per token); the cache is cleared when it reaches this size.
const CACHE_CAPACITY: usize = 4096;

/// The built-in list: `(secret, where it comes from)`. The empty string is tried separately.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("secret", "the jsonwebtoken, PyJWT, python-jose and passport-jwt README examples"),
    ("your-256-bit-secret", "jwt.io's legacy default HS256 token"),
    ("a-string-secret-at-least-256-bits-long", "jwt.io's default HS256 token"),
    ("your-384-bit-secret", "jwt.io's HS384 default"),
    ("your-512-bit-secret", "jwt.io's HS512 default"),
    ("shhhhh", "the jsonwebtoken README"),
    ("shhhhhhared-secret", "the express-jwt README"),
    ("hello world !", "the express-jwt README"),
    ("wrong-secret", "the jsonwebtoken README"),
    ("super-secret", "the Flask-JWT-Extended docs"),
    ("09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7", "the FastAPI JWT tutorial"),
    (
        "DO NOT USE THIS VALUE. INSTEAD, CREATE A COMPLEX SECRET AND KEEP IT SAFE OUTSIDE OF THE SOURCE CODE.",
        "the NestJS authentication docs",
    ),
    ("AllYourBase", "the golang-jwt examples"),
    ("my_secret_key", "the golang-jwt examples"),
    ("cc7e0d44fd473002f1c42167459001140ec6389b7353f8088f4d9a95f2f596f2", "the panva/jose docs"),
    ("zH4NRP1HMALxxCFnRZABFA7GOJtzU_gIj02alfL1lvI", "the panva/jose docs"),
    (
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
        "RFC 7515 A.1 / RFC 7519 §3.1 (the spec example key)",
    ),
    ("keyboard cat", "the express-session README"),
    ("changeme", "a generic placeholder"),
    ("changeit", "a generic placeholder"),
    ("secretkey", "a generic placeholder"),
    ("secret_key", "a generic placeholder"),
    ("secret-key", "a generic placeholder"),
    ("supersecret", "a generic placeholder"),
    ("jwtsecret", "a generic placeholder"),
    ("jwt-secret", "a generic placeholder"),
    ("jwt_secret", "a generic placeholder"),
    ("mysecret", "a generic placeholder"),
    ("mysecretkey", "a generic placeholder"),
    ("my-secret", "a generic placeholder"),
    ("secret123", "a generic placeholder"),
    ("password", "a generic placeholder"),
    ("123456", "a generic placeholder"),
    ("thisisthesecretkey", "a common tutorial secret"),
    ("myJwtSecret", "a common tutorial secret"),
    ("your-secret-key", "a tutorial placeholder"),
    ("your_jwt_secret", "a tutorial placeholder"),
    ("your_secret_key", "a tutorial placeholder"),
    ("YOUR_SECRET_KEY", "a tutorial placeholder"),
    ("SECRET_KEY", "a variable name pasted as its value"),
    ("JWT_SECRET", "a variable name pasted as its value"),
    ("test", "a generic placeholder"),
    ("default", "a generic placeholder"),
];

/// How a candidate string became the HMAC key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Base64,
    Base64Url,
}

/// Where a candidate came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    BuiltIn(&'static str),
    Empty,
    /// A string literal or config value in the same file, at this byte offset.
    Literal {
        offset: usize,
    },
    Wordlist(PathBuf),
}

/// A secret that verifies the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeakSecret {
    /// The candidate as written (public by definition: it is in a list or in the file).
    pub secret: String,
    pub encoding: Encoding,
    pub origin: Origin,
}

impl WeakSecret {
    /// "`your-256-bit-secret` (jwt.io's legacy default HS256 token)".
    pub fn describe(&self, line_of: impl Fn(usize) -> usize) -> String {
        let shown = if self.secret.is_empty() {
            "the empty string".to_string()
        } else {
            format!("`{}`", shorten(&self.secret, 80))
        };
        let decoded = match self.encoding {
            Encoding::Utf8 => "",
            Encoding::Base64 => ", base64-decoded",
            Encoding::Base64Url => ", base64url-decoded",
        };
        let origin = match &self.origin {
            Origin::BuiltIn(what) => format!("a published default: {what}"),
            Origin::Empty => "an empty key (CVE-2025-65945 class)".to_string(),
            Origin::Literal { offset } => format!("a string on line {} of this file", line_of(*offset) + 1),
            Origin::Wordlist(path) => format!("in the wordlist {}", path.display()),
        };
        format!("{shown} ({origin}{decoded})")
    }
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max_chars).collect();
    out.push('…');
    out
}

/// An HS* token reduced to what the secret search needs.
#[derive(Debug, Clone)]
pub struct HmacTarget<'a> {
    pub alg: HmacAlg,
    pub signing_input: &'a [u8],
    pub signature: &'a [u8],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HmacAlg {
    Hs256,
    Hs384,
    Hs512,
}

impl HmacAlg {
    pub fn parse(alg: &str) -> Option<HmacAlg> {
        match alg {
            "HS256" => Some(HmacAlg::Hs256),
            "HS384" => Some(HmacAlg::Hs384),
            "HS512" => Some(HmacAlg::Hs512),
            _ => None,
        }
    }

    fn signature_len(self) -> usize {
        match self {
            HmacAlg::Hs256 => 32,
            HmacAlg::Hs384 => 48,
            HmacAlg::Hs512 => 64,
        }
    }
}

impl<'a> HmacTarget<'a> {
    /// `None` unless the signature has the algorithm's length (anything else cannot match).
    pub fn new(alg: &str, signing_input: &'a [u8], signature: &'a [u8]) -> Option<HmacTarget<'a>> {
        let alg = HmacAlg::parse(alg)?;
        (signature.len() == alg.signature_len()).then_some(HmacTarget { alg, signing_input, signature })
    }

    /// Whether `key` produces the token's signature (constant-time comparison).
    pub fn verifies(&self, key: &[u8]) -> bool {
        match self.alg {
            HmacAlg::Hs256 => check::<Hmac<Sha256>>(key, self.signing_input, self.signature),
            HmacAlg::Hs384 => check::<Hmac<Sha384>>(key, self.signing_input, self.signature),
            HmacAlg::Hs512 => check::<Hmac<Sha512>>(key, self.signing_input, self.signature),
        }
    }

    /// Tries `candidate` raw, then base64- and base64url-decoded when those decode to something
    /// else. Returns the encoding that verified.
    pub fn try_candidate(&self, candidate: &str) -> Option<Encoding> {
        if self.verifies(candidate.as_bytes()) {
            return Some(Encoding::Utf8);
        }
        decoded_variants(candidate).into_iter().find(|(_, key)| self.verifies(key)).map(|(encoding, _)| encoding)
    }
}

/// Candidates shorter than this are not tried base64-decoded: a base64 key that short carries
/// under 12 bytes, and nobody encodes such keys, while 80% of the wordlist (plain words) would
/// otherwise cost a second HMAC each.
const MIN_ENCODED_LEN: usize = 16;

/// The base64 and base64url decodings of `candidate` that are valid, non-empty and distinct.
fn decoded_variants(candidate: &str) -> Vec<(Encoding, Vec<u8>)> {
    if candidate.len() < MIN_ENCODED_LEN
        || !candidate.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"+/-_=".contains(&byte))
    {
        return Vec::new();
    }
    let trimmed = candidate.trim_end_matches('=');
    let mut out = Vec::new();
    if let Ok(decoded) = STANDARD_NO_PAD.decode(trimmed)
        && !decoded.is_empty()
    {
        out.push((Encoding::Base64, decoded));
    }
    if let Ok(decoded) = URL_SAFE_NO_PAD.decode(trimmed)
        && !decoded.is_empty()
        && out.first().is_none_or(|(_, standard)| *standard != decoded)
    {
        out.push((Encoding::Base64Url, decoded));
    }
    out
}

fn check<M: Mac + KeyInit>(key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    match <M as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.verify_slice(signature).is_ok()
        }
        Err(_) => false,
    }
}

/// The quick candidates: built-in list, empty string, then `literals` (with their offsets).
pub fn check_quick(target: &HmacTarget<'_>, literals: &[(usize, String)]) -> Option<WeakSecret> {
    if target.verifies(b"") {
        return Some(WeakSecret { secret: String::new(), encoding: Encoding::Utf8, origin: Origin::Empty });
    }
    for (secret, origin) in BUILT_IN {
        if let Some(encoding) = target.try_candidate(secret) {
            return Some(WeakSecret { secret: secret.to_string(), encoding, origin: Origin::BuiltIn(origin) });
        }
    }
    for (offset, literal) in literals {
        if let Some(encoding) = target.try_candidate(literal) {
            return Some(WeakSecret { secret: literal.clone(), encoding, origin: Origin::Literal { offset: *offset } });
        }
    }
    None
}

/// A loaded wordlist: one candidate per line (CR stripped), duplicates and blank lines dropped.
pub struct Wordlist {
    pub path: PathBuf,
    pub entries: Vec<String>,
    /// Every key to try, precomputed at load (raw bytes, then valid base64/base64url
    /// decodings), in one buffer: the search loop only computes HMACs.
    keys: Vec<u8>,
    spans: Vec<KeySpan>,
}

impl std::fmt::Debug for Wordlist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Wordlist({}, {} entries, {} keys)", self.path.display(), self.entries.len(), self.spans.len())
    }
}

#[derive(Debug, Clone, Copy)]
struct KeySpan {
    start: u32,
    len: u32,
    entry: u32,
    encoding: Encoding,
}

impl Wordlist {
    pub fn parse(path: PathBuf, text: &str) -> Wordlist {
        let mut seen = std::collections::HashSet::new();
        let entries: Vec<String> = text
            .split('\n')
            .map(|line| line.strip_suffix('\r').unwrap_or(line))
            .filter(|line| !line.is_empty() && seen.insert(*line))
            .map(str::to_string)
            .collect();
        let mut keys = Vec::with_capacity(text.len() * 2);
        let mut spans = Vec::with_capacity(entries.len() * 2);
        for (entry, candidate) in entries.iter().enumerate() {
            let raw = std::iter::once((Encoding::Utf8, candidate.as_bytes().to_vec()));
            for (encoding, key) in raw.chain(decoded_variants(candidate)) {
                spans.push(KeySpan { start: keys.len() as u32, len: key.len() as u32, entry: entry as u32, encoding });
                keys.extend_from_slice(&key);
            }
        }
        Wordlist { path, entries, keys, spans }
    }

    /// Loads `path`, reusing an earlier load while the file's size and mtime are unchanged. Only
    /// a regular file under the size cap is read (never a FIFO, a device or `/proc`).
    pub fn load(path: &Path) -> Result<Arc<Wordlist>, String> {
        static LOADED: OnceLock<Mutex<HashMap<PathBuf, LoadedWordlist>>> = OnceLock::new();
        let opened = crate::keys::file::open_regular(path, MAX_WORDLIST_BYTES, "wordlists")
            .map_err(|err| format!("wordlist {}: {err}", path.display()))?;
        let stamp = (opened.len, opened.modified);
        let loaded = LOADED.get_or_init(Default::default);
        if let Ok(cache) = loaded.lock()
            && let Some((len, modified, list)) = cache.get(path)
            && (*len, *modified) == stamp
        {
            return Ok(list.clone());
        }
        let bytes = opened.read().map_err(|err| format!("wordlist {}: {err}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes);
        let list = Arc::new(Wordlist::parse(path.to_path_buf(), &text));
        if let Ok(mut cache) = loaded.lock() {
            cache.insert(path.to_path_buf(), (stamp.0, stamp.1, list.clone()));
        }
        Ok(list)
    }

    /// The first entry that verifies the token.
    pub fn search(&self, target: &HmacTarget<'_>) -> Option<WeakSecret> {
        let found = self.spans.iter().find(|span| {
            let start = span.start as usize;
            target.verifies(&self.keys[start..start + span.len as usize])
        })?;
        Some(WeakSecret {
            secret: self.entries[found.entry as usize].clone(),
            encoding: found.encoding,
            origin: Origin::Wordlist(self.path.clone()),
        })
    }
}

/// A loaded list with the size and mtime it was read at.
type LoadedWordlist = (u64, Option<SystemTime>, Arc<Wordlist>);

type CacheKey = (PathBuf, [u8; 32]);

fn verdict_cache() -> &'static Mutex<HashMap<CacheKey, Option<WeakSecret>>> {
    static CACHE: OnceLock<Mutex<HashMap<CacheKey, Option<WeakSecret>>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn cache_key(list: &Wordlist, target: &HmacTarget<'_>) -> CacheKey {
    let mut hasher = Sha256::new();
    hasher.update([target.alg as u8]);
    hasher.update((target.signing_input.len() as u64).to_le_bytes());
    hasher.update(target.signing_input);
    hasher.update(target.signature);
    (list.path.clone(), hasher.finalize().into())
}

/// The cached wordlist verdict for this token: `None` when not computed yet.
pub fn cached_wordlist_verdict(list: &Wordlist, target: &HmacTarget<'_>) -> Option<Option<WeakSecret>> {
    verdict_cache().lock().ok()?.get(&cache_key(list, target)).cloned()
}

/// Searches the wordlist (or returns the cached verdict) and caches the result.
pub fn wordlist_verdict(list: &Wordlist, target: &HmacTarget<'_>) -> Option<WeakSecret> {
    if let Some(verdict) = cached_wordlist_verdict(list, target) {
        return verdict;
    }
    let verdict = list.search(target);
    if let Ok(mut cache) = verdict_cache().lock() {
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(cache_key(list, target), verdict.clone());
    }
    verdict
}

/// String literals and config values in `text`, with their byte offsets: `"..."`, `'...'`,
/// `` `...` `` on one line, and unquoted values of `NAME=value` / `name: value` lines. Ranges in
/// `skip` (the tokens themselves) are left out.
pub fn literals(text: &str, skip: &[std::ops::Range<usize>]) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let push = |offset: usize, value: &str, out: &mut Vec<(usize, String)>| {
        if value.is_empty() || value.len() > MAX_LITERAL_BYTES || out.len() >= MAX_LITERALS {
            return;
        }
        let end = offset + value.len();
        if skip.iter().any(|range| range.start < end && offset < range.end) {
            return;
        }
        if !out.iter().any(|(_, known)| known == value) {
            out.push((offset, value.to_string()));
        }
    };
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let bytes = body.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let quote = bytes[i];
            if quote == b'"' || quote == b'\'' || quote == b'`' {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != quote {
                    if bytes[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                if j < bytes.len() {
                    if let Some(value) = body.get(i + 1..j) {
                        push(line_start + i + 1, value, &mut out);
                    }
                    i = j + 1;
                    continue;
                }
            }
            i += 1;
        }
        if let Some((offset, value)) = config_value(body) {
            push(line_start + offset, value, &mut out);
        }
        line_start += line.len();
    }
    out
}

/// The unquoted value of `NAME=value`, `export NAME=value` or `name: value`.
fn config_value(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim_start();
    let indent = line.len() - trimmed.len();
    let trimmed_export = trimmed.strip_prefix("export ").unwrap_or(trimmed);
    let export_len = trimmed.len() - trimmed_export.len();
    let name_len =
        trimmed_export.bytes().take_while(|byte| byte.is_ascii_alphanumeric() || b"_.-".contains(byte)).count();
    if name_len == 0 {
        return None;
    }
    let after_name = &trimmed_export[name_len..];
    let separator = after_name.trim_start();
    let separator_offset = after_name.len() - separator.len();
    let value = separator.strip_prefix('=').or_else(|| separator.strip_prefix(": "))?;
    let leading = value.len() - value.trim_start().len();
    let value = value.trim();
    let value = value.split(" #").next().unwrap_or(value).trim_end();
    if value.is_empty() || value.starts_with(['"', '\'', '`', '{', '[']) {
        return None;
    }
    let offset =
        indent + export_len + name_len + separator_offset + 1 + usize::from(separator.starts_with(':')) + leading;
    Some((offset, value))
}

/// Base64 (standard, padded) of bytes; used by tests and benchmarks to make secrets.
pub fn base64_standard(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &[u8], input: &str) -> Vec<u8> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).unwrap();
        mac.update(input.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    #[test]
    fn finds_built_in_empty_and_literal_secrets() {
        let input = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9";
        for (secret, expected) in [
            ("your-256-bit-secret", Origin::BuiltIn("jwt.io's legacy default HS256 token")),
            ("", Origin::Empty),
            ("s3cr3t-from-the-file", Origin::Literal { offset: 11 }),
        ] {
            let signature = sign(secret.as_bytes(), input);
            let target = HmacTarget::new("HS256", input.as_bytes(), &signature).unwrap();
            let found = check_quick(&target, &[(11, "s3cr3t-from-the-file".to_string())]).expect(secret);
            assert_eq!(found.secret, secret);
            assert_eq!(found.origin, expected);
        }
        let strong = sign(b"0f9c2a7e5d1b4c8a9e3f6d2b7a1c5e8f", input);
        let target = HmacTarget::new("HS256", input.as_bytes(), &strong).unwrap();
        assert_eq!(check_quick(&target, &[]), None);
    }

    #[test]
    fn tries_base64_decoded_candidates() {
        let input = "a.b";
        let key = b"\x01\x02\x03 raw key bytes \xff";
        let signature = sign(key, input);
        let target = HmacTarget::new("HS256", input.as_bytes(), &signature).unwrap();
        let encoded = base64_standard(key);
        assert_eq!(target.try_candidate(&encoded), Some(Encoding::Base64));
        let url = URL_SAFE_NO_PAD.encode(key);
        assert!(target.try_candidate(&url).is_some());
        assert_eq!(target.try_candidate("nope"), None);
        // Short strings are words, not encoded keys: their decodings are not tried.
        let short = b"\x01\x02\x03\x04\x05\x06";
        let short_target_signature = sign(short, input);
        let short_target = HmacTarget::new("HS256", input.as_bytes(), &short_target_signature).unwrap();
        assert_eq!(short_target.try_candidate(&base64_standard(short)), None);
    }

    #[test]
    fn wrong_signature_length_is_not_a_target() {
        assert!(HmacTarget::new("HS256", b"a.b", &[0; 31]).is_none());
        assert!(HmacTarget::new("RS256", b"a.b", &[0; 32]).is_none());
    }

    #[test]
    fn extracts_literals_and_config_values() {
        let text =
            "const key = \"abc\\\"def\";\nJWT_SECRET=plain-value # note\n  secret: yaml-value\nx = 'single' + `tick`\n";
        let found: Vec<String> = literals(text, &[]).into_iter().map(|(_, value)| value).collect();
        assert_eq!(found, ["abc\\\"def", "plain-value", "yaml-value", "single", "tick"]);
        let offsets = literals(text, &[]);
        for (offset, value) in &offsets {
            assert_eq!(&text[*offset..*offset + value.len()], value);
        }
        let token_span = std::ops::Range { start: 5, end: 8 };
        assert!(literals("t = \"abc\"", std::slice::from_ref(&token_span)).is_empty());
    }

    #[test]
    fn wordlist_dedupes_and_caches_verdicts() {
        let list = Wordlist::parse(PathBuf::from("test-list"), "alpha\r\nbeta\nalpha\n\ngamma-secret\n");
        assert_eq!(list.entries, ["alpha", "beta", "gamma-secret"]);
        let input = "x.y";
        let signature = sign(b"gamma-secret", input);
        let target = HmacTarget::new("HS256", input.as_bytes(), &signature).unwrap();
        assert_eq!(cached_wordlist_verdict(&list, &target), None);
        let found = wordlist_verdict(&list, &target).unwrap();
        assert_eq!(found.secret, "gamma-secret");
        assert_eq!(cached_wordlist_verdict(&list, &target), Some(Some(found)));
    }
}
