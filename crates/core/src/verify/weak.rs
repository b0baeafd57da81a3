//! Weak HMAC secrets: does an HS256/384/512 token verify with a secret anyone can guess?
//!
//! Candidates, cheapest first: a curated built-in list (jwt.io defaults, library README and
//! tutorial secrets, generic placeholders; jwt-checks.md §E), the empty string, the strings of
//! the same file where secrets live ([`candidates`]: once per document, capped, with HMAC states
//! keyed once and a per-document attempt budget), and an optional large wordlist by path (e.g. the 104k
//! entries of wallarm's `jwt.secrets.list`). Each candidate is tried as raw UTF-8 and, when it
//! is at least 16 characters and decodes, as base64 and base64url (RFC 7515 A.1 and jsonwebtoken's
//! `Buffer.from(secret, 'base64')` use decoded secrets). Comparison is constant-time (`hmac`'s
//! `verify_slice`). Wordlist results are cached per token, so each token pays once.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

pub use super::pads::set_pause_between_slices;
use super::pads::{Message, PadStates};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256, Sha384, Sha512};

/// Literal candidates longer than this are not tried (secrets are short; PEM keys are handled by
/// the key-confusion check).
const MAX_LITERAL_BYTES: usize = 512;
/// The most SHA-2 blocks one token's wordlist search may hash (keys × blocks per key): about
/// 0.2 s on one core, a 4 KiB signed part against the 104k built-in list.
pub const MAX_WORDLIST_BLOCKS: u64 = 8_000_000;

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
        let mut decoded = Vec::new();
        let variants = decode_variants_into(candidate, &mut decoded);
        variants
            .into_iter()
            .flatten()
            .find(|(_, range)| self.verifies(&decoded[range.clone()]))
            .map(|(encoding, _)| encoding)
    }
}

/// Candidates shorter than this are not tried base64-decoded: a base64 key that short carries
/// under 12 bytes, and nobody encodes such keys, while 80% of the wordlist (plain words) would
/// otherwise cost a second HMAC each.
const MIN_ENCODED_LEN: usize = 16;

/// The base64 and base64url decodings of `candidate` that are valid, non-empty and distinct,
/// appended to `bytes`: their encodings and where they are in it. Decoded in place, not into a
/// vector each: a source file's candidates are keyed for every document that has a token.
fn decode_variants_into(candidate: &str, bytes: &mut Vec<u8>) -> [Option<(Encoding, std::ops::Range<usize>)>; 2] {
    let mut found = [None, None];
    if candidate.len() < MIN_ENCODED_LEN
        || !candidate.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"+/-_=".contains(&byte))
    {
        return found;
    }
    let trimmed = candidate.trim_end_matches('=');
    let start = bytes.len();
    if STANDARD_NO_PAD.decode_vec(trimmed, bytes).is_ok() && bytes.len() > start {
        found[0] = Some((Encoding::Base64, start..bytes.len()));
    } else {
        bytes.truncate(start);
    }
    let url_start = bytes.len();
    let distinct =
        |bytes: &[u8]| found[0].as_ref().is_none_or(|(_, standard)| bytes[standard.clone()] != bytes[url_start..]);
    if URL_SAFE_NO_PAD.decode_vec(trimmed, bytes).is_ok() && bytes.len() > url_start && distinct(bytes) {
        found[1] = Some((Encoding::Base64Url, url_start..bytes.len()));
    } else {
        bytes.truncate(url_start);
    }
    found
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

/// The quick candidates for one token: the empty string, the built-in list, then the
/// document's `candidates`, each against HMAC states keyed once per document (or once per process
/// for the built-in list), so a candidate costs the message blocks only.
pub fn check_quick(target: &HmacTarget<'_>, candidates: &Candidates) -> Option<WeakSecret> {
    match candidates.search(target, &Budget::unlimited()) {
        Search::Found(found) => Some(found),
        Search::NotFound | Search::OverBudget | Search::SignerSearched => None,
    }
}

/// At most this many distinct strings of a document are weak-secret candidates.
pub const MAX_CANDIDATES: usize = 256;
/// HMAC attempts per document: enough for ~300 candidates on hundreds of tokens, while a 9 MB log
/// with 17,500 distinct tokens stops after ~2,000 of them instead of costing seconds. A token is
/// either searched through every quick candidate or not at all (then its checklist says so).
pub const MAX_HMAC_ATTEMPTS_PER_DOCUMENT: u64 = 100_000;

/// Tokens of one signer (issuer, key id, algorithm) searched without a match, per document,
/// before the signer's further tokens are not searched. A verifier picks its key by issuer and
/// key id, so one signer's tokens share their key: a log with 17,500 tokens of one issuer needs
/// one search, not 2,000. More than one, in case a document mixes environments under one name.
pub const SEARCHES_PER_SIGNER: u32 = 32;

/// The HMAC attempts a document may still spend, and the signers already searched without a
/// match (shared by the document's tokens, one thread).
#[derive(Debug)]
pub struct Budget {
    left: std::cell::Cell<u64>,
    /// Tokens searched without a match, per signer: by the signer's hash, then the signers with
    /// that hash (a lookup allocates nothing; a signer's first search stores it once).
    signers: std::cell::RefCell<rustc_hash::FxHashMap<u64, Vec<(SignerOwned, u32)>>>,
}

/// Who signed a token, as far as its text tells: `alg`, the `iss` claim and the `kid` header
/// (empty when absent). A verifier picks one key per issuer and key id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signer<'a> {
    pub alg: &'a str,
    pub issuer: &'a str,
    pub key_id: &'a str,
}

type SignerOwned = (Box<str>, Box<str>, Box<str>);

impl Signer<'_> {
    fn hash(&self) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut hasher = rustc_hash::FxBuildHasher.build_hasher();
        Hash::hash(self, &mut hasher);
        hasher.finish()
    }

    fn is(&self, owned: &SignerOwned) -> bool {
        (self.alg, self.issuer, self.key_id) == (&*owned.0, &*owned.1, &*owned.2)
    }
}

impl Budget {
    /// Tokens of `signer` searched without a match so far.
    fn searched(&self, signer: &Signer<'_>) -> u32 {
        let signers = self.signers.borrow();
        let bucket = signers.get(&signer.hash());
        bucket.and_then(|bucket| bucket.iter().find(|(owned, _)| signer.is(owned))).map_or(0, |(_, count)| *count)
    }

    fn searched_once_more(&self, signer: &Signer<'_>) {
        let mut signers = self.signers.borrow_mut();
        let bucket = signers.entry(signer.hash()).or_default();
        match bucket.iter_mut().find(|(owned, _)| signer.is(owned)) {
            Some((_, count)) => *count += 1,
            None => bucket.push(((signer.alg.into(), signer.issuer.into(), signer.key_id.into()), 1)),
        }
    }
}

impl Budget {
    pub fn per_document() -> Budget {
        Budget::new(MAX_HMAC_ATTEMPTS_PER_DOCUMENT)
    }

    pub fn new(attempts: u64) -> Budget {
        Budget { left: std::cell::Cell::new(attempts), signers: Default::default() }
    }

    pub fn unlimited() -> Budget {
        Budget::new(u64::MAX)
    }

    /// Attempts still available.
    pub fn left(&self) -> u64 {
        self.left.get()
    }

    fn take(&self, attempts: u64) -> bool {
        let left = self.left.get();
        if left < attempts {
            return false;
        }
        self.left.set(left - attempts);
        true
    }
}

/// The outcome of the quick search for one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    Found(WeakSecret),
    NotFound,
    /// The document's HMAC budget could not pay for this token: not searched.
    OverBudget,
    /// [`SEARCHES_PER_SIGNER`] tokens of this document from the same signer were searched
    /// without a match: not searched.
    SignerSearched,
}

/// Keys to try, in order, with their HMAC pad states computed lazily once per algorithm.
struct KeyList {
    /// Every key in one buffer: `spans` index it (raw bytes, then valid base64/base64url
    /// decodings), so a 10^5-entry list is two allocations, not 10^5.
    bytes: Vec<u8>,
    spans: Vec<KeySpan>,
    hs256: OnceLock<PadStates>,
    hs384: OnceLock<PadStates>,
    hs512: OnceLock<PadStates>,
}

#[derive(Debug, Clone, Copy)]
struct KeySpan {
    start: u32,
    len: u32,
    /// The candidate the key came from.
    candidate: u32,
    encoding: Encoding,
}

impl KeyList {
    fn new<'a>(candidates: impl Iterator<Item = &'a str>) -> KeyList {
        // Sized for the usual case (short strings, few of them base64): growing both by doubling
        // was a tenth of keying a source file's candidates.
        let expected = candidates.size_hint().0;
        let mut bytes = Vec::with_capacity(expected * 16);
        let mut spans = Vec::with_capacity(expected);
        for (index, candidate) in candidates.enumerate() {
            super::pads::pause_every_slice(index);
            let span = |encoding, range: std::ops::Range<usize>| KeySpan {
                start: range.start as u32,
                len: range.len() as u32,
                candidate: index as u32,
                encoding,
            };
            let start = bytes.len();
            bytes.extend_from_slice(candidate.as_bytes());
            spans.push(span(Encoding::Utf8, start..bytes.len()));
            for (encoding, range) in decode_variants_into(candidate, &mut bytes).into_iter().flatten() {
                spans.push(span(encoding, range));
            }
        }
        KeyList { bytes, spans, hs256: OnceLock::new(), hs384: OnceLock::new(), hs512: OnceLock::new() }
    }

    fn len(&self) -> u64 {
        self.spans.len() as u64
    }

    /// The text of candidate `index`: its raw key, which [`KeyList::new`] stores first.
    fn candidate_text(&self, index: u32) -> &str {
        let first = self.spans.partition_point(|span| span.candidate < index);
        match self.spans.get(first) {
            Some(span) if span.candidate == index && span.encoding == Encoding::Utf8 => {
                let bytes = &self.bytes[span.start as usize..(span.start + span.len) as usize];
                std::str::from_utf8(bytes).unwrap_or_default() // Copied from a `&str`: always UTF-8.
            }
            _ => "",
        }
    }

    /// The first key that verifies the token: `(candidate index, encoding)`.
    fn first_match(&self, target: &HmacTarget<'_>) -> Option<(u32, Encoding)> {
        let states = match target.alg {
            HmacAlg::Hs256 => &self.hs256,
            HmacAlg::Hs384 => &self.hs384,
            HmacAlg::Hs512 => &self.hs512,
        };
        let states = states.get_or_init(|| {
            let keys = self.spans.iter().map(|span| &self.bytes[span.start as usize..(span.start + span.len) as usize]);
            PadStates::new(target.alg, keys)
        });
        let position = states.first_verifying(&Message::new(target.alg, target.signing_input, target.signature))?;
        let span = &self.spans[position];
        Some((span.candidate, span.encoding))
    }
}

/// The empty string, then the built-in list, keyed once per process.
fn built_in_keys() -> &'static KeyList {
    static KEYS: OnceLock<KeyList> = OnceLock::new();
    KEYS.get_or_init(|| KeyList::new(std::iter::once("").chain(BUILT_IN.iter().map(|(secret, _)| *secret))))
}

/// A document's weak-secret candidates: the distinct strings where secrets live (see
/// [`candidates`]), extracted once per document, capped in number and length.
pub struct Candidates {
    /// The byte offset of each distinct text's first occurrence, in document order; the texts
    /// are the raw keys in `keys` (one copy, not one allocation per string).
    offsets: Vec<usize>,
    /// Whether the cap left strings of the document out.
    pub truncated: bool,
    keys: KeyList,
}

impl std::fmt::Debug for Candidates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the strings themselves: they may be secrets.
        write!(f, "Candidates({} strings, {} keys, truncated: {})", self.offsets.len(), self.keys.len(), self.truncated)
    }
}

impl Default for Candidates {
    fn default() -> Candidates {
        Candidates::from_literals(Vec::new())
    }
}

impl Candidates {
    /// Candidates from `(offset, text)` pairs as given (tests, `explain`).
    pub fn from_literals(literals: Vec<(usize, String)>) -> Candidates {
        Candidates::found(literals.iter().map(|(offset, text)| (*offset, text.as_str())))
    }

    fn found<'t>(literals: impl ExactSizeIterator<Item = (usize, &'t str)> + Clone) -> Candidates {
        let offsets = literals.clone().map(|(offset, _)| offset).collect();
        Candidates { offsets, truncated: false, keys: KeyList::new(literals.map(|(_, text)| text)) }
    }

    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// The candidate strings with their offsets.
    pub fn literals(&self) -> impl Iterator<Item = (usize, &str)> {
        self.offsets.iter().enumerate().map(|(index, offset)| (*offset, self.keys.candidate_text(index as u32)))
    }

    /// HMAC attempts one token costs: the empty string, the built-in list and these candidates.
    pub fn attempts_per_token(&self) -> u64 {
        built_in_keys().len() + self.keys.len()
    }

    /// The empty string, the built-in list, then these candidates, if `budget` pays for all.
    pub fn search(&self, target: &HmacTarget<'_>, budget: &Budget) -> Search {
        self.search_signed(target, None, budget)
    }

    /// [`Self::search`], skipping a token whose signer already had [`SEARCHES_PER_SIGNER`]
    /// tokens of this document searched without a match.
    pub fn search_signed(&self, target: &HmacTarget<'_>, signer: Option<Signer<'_>>, budget: &Budget) -> Search {
        if let Some(signer) = &signer
            && budget.searched(signer) >= SEARCHES_PER_SIGNER
        {
            return Search::SignerSearched;
        }
        let outcome = self.search_all(target, budget);
        if let Some(signer) = &signer
            && outcome == Search::NotFound
        {
            budget.searched_once_more(signer);
        }
        outcome
    }

    fn search_all(&self, target: &HmacTarget<'_>, budget: &Budget) -> Search {
        if !budget.take(self.attempts_per_token()) {
            return Search::OverBudget;
        }
        if let Some((index, encoding)) = built_in_keys().first_match(target) {
            let found = match index {
                0 => WeakSecret { secret: String::new(), encoding, origin: Origin::Empty },
                _ => {
                    let (secret, origin) = BUILT_IN[index as usize - 1];
                    WeakSecret { secret: secret.to_string(), encoding, origin: Origin::BuiltIn(origin) }
                }
            };
            return Search::Found(found);
        }
        match self.keys.first_match(target) {
            Some((index, encoding)) => Search::Found(WeakSecret {
                secret: self.keys.candidate_text(index).to_string(),
                encoding,
                origin: Origin::Literal { offset: self.offsets[index as usize] },
            }),
            None => Search::NotFound,
        }
    }
}

/// A loaded wordlist: one candidate per line (CR stripped), duplicates and blank lines dropped.
pub struct Wordlist {
    pub path: PathBuf,
    pub entries: Vec<String>,
    /// Every key to try (raw, then valid base64/base64url decodings), keyed once per algorithm
    /// on first use: the search loop only hashes the token's message blocks.
    keys: KeyList,
}

impl std::fmt::Debug for Wordlist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Wordlist({}, {} entries, {} keys)", self.path.display(), self.entries.len(), self.keys.len())
    }
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
        let keys = KeyList::new(entries.iter().map(String::as_str));
        Wordlist { path, entries, keys }
    }

    /// Whether searching this token fits [`MAX_WORDLIST_BLOCKS`]: the cost is keys × the
    /// token's hash blocks, so a 1 MB token against 10^5 keys would take minutes.
    pub fn covers(&self, target: &HmacTarget<'_>) -> bool {
        let block = if target.alg == HmacAlg::Hs256 { 64 } else { 128 };
        // The inner message blocks (with padding) and the outer block.
        let blocks = (target.signing_input.len() + 17).div_ceil(block) as u64 + 1;
        blocks.saturating_mul(self.keys.len()) <= MAX_WORDLIST_BLOCKS
    }

    /// The first entry that verifies the token (`None` too when the token is over [`Self::covers`]).
    pub fn search(&self, target: &HmacTarget<'_>) -> Option<WeakSecret> {
        if !self.covers(target) {
            return None;
        }
        let (entry, encoding) = self.keys.first_match(target)?;
        Some(WeakSecret {
            secret: self.entries[entry as usize].clone(),
            encoding,
            origin: Origin::Wordlist(self.path.clone()),
        })
    }
}

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

/// Runs `judge` on a token given by its compact form: `None` when it is not an HS* token with a
/// signature of its algorithm's length.
pub fn with_hmac_target<R>(compact: &str, judge: impl FnOnce(&HmacTarget<'_>) -> R) -> Option<R> {
    let token = crate::jwt::decode::decode(compact)?;
    let input = token.signing_input()?;
    let target = HmacTarget::new(token.alg().unwrap_or(""), input.as_bytes(), &token.signature)?;
    Some(judge(&target))
}

/// The wordlist search for a token given by its compact form (cached like
/// [`wordlist_verdict`]): `None` when it is not an HS* target, `OverBudget` when the list does
/// not [`Wordlist::covers`] it.
pub fn token_wordlist_search(list: &Wordlist, compact: &str) -> Option<Search> {
    with_hmac_target(compact, |target| match list.covers(target) {
        false => Search::OverBudget,
        true => wordlist_verdict(list, target).map_or(Search::NotFound, Search::Found),
    })
}

/// The weak-secret candidates of `text`: the places secrets live, not every quoted field.
///
/// - unquoted values of `NAME=value`, `export NAME=value` and `name: value` lines (`.env`, YAML,
///   properties);
/// - quoted strings (`"…"`, `'…'`, `` `…` `` on one line) that are values or arguments in code or
///   config: the quote opens a line, or follows `=`, `:`, `(`, `,`, `[`, `{`, `+` or `|`
///   (`KEY="v"`, `"key": "v"`, `sign(p, 'v')`), optionally with a string prefix (`b"v"`). The
///   quoted fields of a log line (after a date, a status code) are not candidates.
///
/// Ranges in `skip` (the tokens themselves, sorted) are left out; at most [`MAX_CANDIDATES`]
/// distinct strings of at most 512 bytes, first occurrence kept.
pub fn candidates(text: &str, skip: &[std::ops::Range<usize>]) -> Candidates {
    let mut collector = Collector::new(skip);
    let mut line_start = 0;
    // Lines found with memchr (`split_inclusive` searched them byte by byte).
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).map(|newline| newline + 1).chain([text.len()]);
    for line_end in ends {
        if line_start == text.len() {
            break; // The text ends with a line break: no last line after it.
        }
        let line = &text[line_start..line_end];
        let body = line.trim_end_matches(['\n', '\r']);
        if !collector.push_quoted(body, line_start) {
            break;
        }
        if let Some((offset, value)) = config_value(body)
            && !collector.push(line_start + offset, value)
        {
            break;
        }
        line_start += line.len();
    }
    collector.finish()
}

/// [`candidates`] of source code: its quoted strings only. An unquoted `name = value` in code
/// is an expression, not a secret (`key = os.environ["K"]`, `self.x = y`); reading every line of
/// a source file for them filled the cap with such text and cost a line-by-line pass. One pass
/// over the text jumps from quote to quote instead.
pub fn candidates_in_code(text: &str, skip: &[std::ops::Range<usize>]) -> Candidates {
    let mut collector = Collector::new(skip);
    collector.push_quoted(text, 0);
    collector.finish()
}

struct Collector<'t, 's> {
    skip: &'s [std::ops::Range<usize>],
    seen: rustc_hash::FxHashSet<&'t str>,
    found: Vec<(usize, &'t str)>,
    truncated: bool,
}

impl<'t, 's> Collector<'t, 's> {
    fn new(skip: &'s [std::ops::Range<usize>]) -> Collector<'t, 's> {
        // Sized for the cap: growing it by doubling was a tenth of extracting a source file's strings.
        let seen = rustc_hash::FxHashSet::with_capacity_and_hasher(MAX_CANDIDATES, Default::default());
        Collector { skip, seen, found: Vec::with_capacity(MAX_CANDIDATES), truncated: false }
    }

    /// Adds the quoted strings of `text` (one line, or a whole text: a string never continues
    /// past a line break) that open a value, `base` being the offset of `text`; `false` once the
    /// cap is reached. `memchr` jumps between quotes: a log is mostly bytes that are neither.
    fn push_quoted(&mut self, text: &'t str, base: usize) -> bool {
        let bytes = text.as_bytes();
        let mut i = 0;
        while let Some(found) = memchr::memchr3(b'"', b'\'', b'`', &bytes[i..]) {
            i += found;
            let quote = bytes[i];
            // The closing quote on the same line, past escapes.
            let mut j = i + 1;
            let closed = loop {
                match memchr::memchr3(quote, b'\\', b'\n', &bytes[j.min(bytes.len())..]) {
                    Some(next) if bytes[j + next] == quote => break Some(j + next),
                    Some(next)
                        if bytes[j + next] == b'\\' && bytes.get(j + next + 1).is_some_and(|&after| after != b'\n') =>
                    {
                        j += next + 2;
                    }
                    _ => break None,
                }
            };
            let Some(j) = closed else {
                i += 1;
                continue;
            };
            if opens_a_value(bytes, i)
                && let Some(value) = text.get(i + 1..j)
                && !self.push(base + i + 1, value)
            {
                return false;
            }
            i = j + 1;
        }
        true
    }

    fn finish(self) -> Candidates {
        let mut candidates = Candidates::found(self.found.iter().copied());
        candidates.truncated = self.truncated;
        candidates
    }

    /// Adds a candidate; `false` once the cap is reached (stop looking).
    fn push(&mut self, offset: usize, value: &'t str) -> bool {
        if value.is_empty() || value.len() > MAX_LITERAL_BYTES || self.overlaps_token(offset, offset + value.len()) {
            return true;
        }
        if self.found.len() >= MAX_CANDIDATES {
            // A string already kept is no reason to stop; a new one is (the cap leaves it out).
            if self.seen.contains(value) {
                return true;
            }
            self.truncated = true;
            return false;
        }
        // One lookup that also inserts: most strings of a source file repeat.
        if self.seen.insert(value) {
            self.found.push((offset, value));
        }
        true
    }

    /// Whether `start..end` overlaps a token (`skip` is sorted and the tokens do not overlap).
    fn overlaps_token(&self, start: usize, end: usize) -> bool {
        let next = self.skip.partition_point(|range| range.end <= start);
        self.skip.get(next).is_some_and(|range| range.start < end)
    }
}

/// Whether the quote at `bytes[quote]` opens a value: it starts the line, or follows (past a
/// one- or two-letter string prefix and spaces) one of `=:(,[{+|`.
fn opens_a_value(bytes: &[u8], quote: usize) -> bool {
    let mut before = quote;
    let prefix_start = before.saturating_sub(2);
    while before > prefix_start && matches!(bytes[before - 1], b'b' | b'B' | b'r' | b'R' | b'f' | b'F' | b'u' | b'U') {
        before -= 1;
    }
    // A prefix must stand alone (`b"…"`), not end a word (`verb"…"`).
    if before < quote && before > 0 && (bytes[before - 1].is_ascii_alphanumeric() || bytes[before - 1] == b'_') {
        return false;
    }
    while before > 0 && matches!(bytes[before - 1], b' ' | b'\t') {
        before -= 1;
    }
    // `bytes` is one line, or a whole text (then a line starts after `\n`).
    before == 0 || b"=:(,[{+|\n".contains(&bytes[before - 1])
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
            let candidates = Candidates::from_literals(vec![(11, "s3cr3t-from-the-file".to_string())]);
            let found = check_quick(&target, &candidates).expect(secret);
            assert_eq!(found.secret, secret);
            assert_eq!(found.origin, expected);
        }
        let strong = sign(b"0f9c2a7e5d1b4c8a9e3f6d2b7a1c5e8f", input);
        let target = HmacTarget::new("HS256", input.as_bytes(), &strong).unwrap();
        assert_eq!(check_quick(&target, &Candidates::default()), None);
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
    fn decodings_are_appended_distinct_and_only_when_valid() {
        let kinds = |candidate: &str| {
            let mut bytes = b"kept".to_vec();
            let found = decode_variants_into(candidate, &mut bytes);
            let decoded: Vec<(Encoding, Vec<u8>)> =
                found.into_iter().flatten().map(|(encoding, range)| (encoding, bytes[range].to_vec())).collect();
            assert!(bytes.starts_with(b"kept"), "{candidate}");
            assert_eq!(bytes.len(), 4 + decoded.iter().map(|(_, key)| key.len()).sum::<usize>(), "{candidate}");
            decoded
        };
        let key = b"\x01\x02\x03 raw key bytes \xfb\xff";
        assert_eq!(kinds(&base64_standard(key)), [(Encoding::Base64, key.to_vec())]);
        assert_eq!(kinds(&URL_SAFE_NO_PAD.encode(key)), [(Encoding::Base64Url, key.to_vec())]);
        // Both alphabets read an alphanumeric string alike: one decoding, not two.
        assert_eq!(kinds("c2VjcmV0LWtleS12YWx1ZQ"), [(Encoding::Base64, b"secret-key-value".to_vec())]);
        assert!(kinds("short").is_empty());
        assert!(kinds("not base64 at all, with spaces").is_empty());
        assert!(kinds("abcdefghijklmnopq").is_empty()); // 17 characters: no valid length
    }

    #[test]
    fn wrong_signature_length_is_not_a_target() {
        assert!(HmacTarget::new("HS256", b"a.b", &[0; 31]).is_none());
        assert!(HmacTarget::new("RS256", b"a.b", &[0; 32]).is_none());
    }

    fn texts(candidates: &Candidates) -> Vec<&str> {
        candidates.literals().map(|(_, value)| value).collect()
    }

    #[test]
    fn extracts_literals_and_config_values() {
        let text =
            "const key = \"abc\\\"def\";\nJWT_SECRET=plain-value # note\n  secret: yaml-value\nx = 'single' + `tick`\n";
        let found = candidates(text, &[]);
        assert_eq!(texts(&found), ["abc\\\"def", "plain-value", "yaml-value", "single", "tick"]);
        for (offset, value) in found.literals() {
            assert_eq!(&text[offset..offset + value.len()], value);
        }
        let token_span = std::ops::Range { start: 5, end: 8 };
        assert!(candidates("t = \"abc\"", std::slice::from_ref(&token_span)).is_empty());
        // Arguments, JSON values, prefixed strings and strings opening a line count.
        let code = "jwt.sign(p, 'arg')\n{\"k\": \"json\"}\nkey = b\"bytes\"\n    \"listed\",\n";
        // (`b"bytes"` whole is also the unquoted config value of its line, as before.)
        assert_eq!(texts(&candidates(code, &[])), ["arg", "k", "json", "bytes", "b\"bytes\"", "listed"]);
    }

    #[test]
    fn quoted_values_with_escapes_and_unterminated_quotes() {
        let text = concat!(
            "a = \"one\\\"two\"\n", // a = "one\"two"  (escaped quote inside)
            "b = 'it\\'s'\n",       // b = 'it\'s'
            "c = \"ends\\\\\"\n",   // c = "ends\\"  (escaped backslash before the quote)
            "d = \"never closed\n", // unterminated: nothing
            "e = `tick` + \"x\\\n", // a backslash as the last byte
            "f(\"ä☃\", 'ü')\n",
        );
        assert_eq!(texts(&candidates(text, &[])), ["one\\\"two", "it\\'s", "ends\\\\", "tick", "ä☃", "ü"]);
    }

    #[test]
    fn code_gives_its_quoted_strings_only() {
        let code = "jwt.sign(p, 'arg')\n{\"k\": \"json\"}\nkey = b\"bytes\"\n    \"listed\",\nsecret = other_name\n";
        assert_eq!(texts(&candidates_in_code(code, &[])), ["arg", "k", "json", "bytes", "listed"]);
        let text = concat!(
            "a = \"one\\\"two\"\n",
            "b = 'it\\'s'\n",
            "c = \"ends\\\\\"\n",
            "d = \"never closed\n",
            "e = `tick` + \"x\\\n", // a backslash before the line break: not closed on the next line
            "\"\r\nf(\"ä☃\", 'ü')\r\n",
        );
        assert_eq!(texts(&candidates_in_code(text, &[])), ["one\\\"two", "it\\'s", "ends\\\\", "tick", "ä☃", "ü"]);
        let token_span = std::ops::Range { start: 5, end: 8 };
        assert!(candidates_in_code("t = \"abc\"", std::slice::from_ref(&token_span)).is_empty());
    }

    /// On text without unquoted values (no `=` or `:`), the one-pass scan of code finds what
    /// the line-by-line scan finds: the same strings at the same offsets.
    #[test]
    fn the_code_scan_agrees_with_the_line_scan_on_quoted_strings() {
        let alphabet = ['a', 'b', '(', ',', ' ', '\t', '"', '\'', '`', '\\', '\r', '\n', 'é', '☃', 'B', 'r'];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..(state % 120) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let by_line = candidates(&text, &[]);
            let in_code = candidates_in_code(&text, &[]);
            let pairs =
                |found: &Candidates| found.literals().map(|(at, value)| (at, value.to_string())).collect::<Vec<_>>();
            assert_eq!(pairs(&in_code), pairs(&by_line), "{text:?}");
        }
    }

    #[test]
    fn quoted_fields_of_a_log_line_are_not_candidates() {
        let log = "10.0.0.1 - - [02/Dec/2025:00:00:00 +0000] \"GET /a?x=1 HTTP/1.1\" 200 512 \"https://ref.example\" \"Mozilla/5.0 (X11)\" \"-\"\n";
        assert!(candidates(log, &[]).is_empty(), "{:?}", texts(&candidates(log, &[])));
    }

    #[test]
    fn candidates_are_distinct_capped_and_skip_tokens_by_binary_search() {
        let mut text = String::new();
        for index in 0..MAX_CANDIDATES + 50 {
            text.push_str(&format!("KEY_{index}=value-{index}\nAGAIN=value-0\n"));
        }
        let found = candidates(&text, &[]);
        assert_eq!(found.len(), MAX_CANDIDATES);
        assert!(found.truncated);
        assert_eq!(texts(&found).iter().filter(|value| **value == "value-0").count(), 1);
        let few = candidates("A=one\nB=two\nC=three\n", &[2..5, 14..19]);
        assert_eq!(texts(&few), ["two"]);
        assert!(!few.truncated);
    }

    #[test]
    fn the_document_budget_stops_whole_tokens_not_half_searches() {
        let input = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9";
        let signature = sign(b"in-the-file", input);
        let target = HmacTarget::new("HS256", input.as_bytes(), &signature).unwrap();
        let found = Candidates::from_literals(vec![(0, "in-the-file".to_string())]);
        let per_token = found.attempts_per_token();
        assert!(per_token > BUILT_IN.len() as u64);
        let budget = Budget::new(per_token + 1);
        assert!(matches!(found.search(&target, &budget), Search::Found(_)));
        assert_eq!(budget.left(), 1);
        assert_eq!(found.search(&target, &budget), Search::OverBudget);
        assert_eq!(budget.left(), 1);
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

    #[test]
    fn a_wordlist_search_is_bounded_by_keys_times_token_length() {
        let text: String = (0..20_000).map(|i| format!("secret-{i}\n")).collect();
        let list = Wordlist::parse(PathBuf::from("big-list"), &text);
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#);
        let short = format!("{header}.eyJzdWIiOiJhIn0");
        let long = format!("{header}.{}", "A".repeat(64 * 1024));
        for (input, covered) in [(&short, true), (&long, false)] {
            let signature = sign(b"secret-19999", input);
            let target = HmacTarget::new("HS256", input.as_bytes(), &signature).unwrap();
            assert_eq!(list.covers(&target), covered);
            let compact = format!("{input}.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&signature));
            match token_wordlist_search(&list, &compact) {
                Some(Search::Found(found)) if covered => assert_eq!(found.secret, "secret-19999"),
                Some(Search::OverBudget) if !covered => assert_eq!(list.search(&target), None),
                other => panic!("covered {covered}: {other:?}"),
            }
        }
    }
}
