//! Decoding one candidate string into a token: repairs the common damage (whitespace, percent
//! encoding, `=` padding, the standard base64 alphabet), then decodes the JOSE header and the
//! payload with our own base64url + JSON code. `alg` stays a free string: `none`, `ES512` or a
//! typo must decode, which the `jsonwebtoken` crate's header parser refuses.
//!
//! A candidate is a token only if its header is a JSON object with `alg` (JWS) or `alg` + `enc`
//! (JWE); anything else returns `None` so look-alikes stay silent.

use std::ops::Range;
use std::sync::Arc;

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

/// Unpadded base64url that tolerates non-zero trailing bits (we report, not reject, those).
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Compact JWS: `header.payload.signature` (the signature is empty for `alg: none`).
    Jws,
    /// Compact JWE: `header.encrypted_key.iv.ciphertext.tag`.
    Jwe,
}

// `Claims` is the variant of nearly every token; boxing it would bring back the cache miss per
// token its inline registered claims avoid (see `Claims::registered`).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    Claims(Claims),
    /// Valid JSON that is not an object (a JWS, but not a JWT).
    NotObject(Value),
    /// Decodes to bytes that are not JSON.
    NotJson {
        reason: String,
        bytes: usize,
    },
    NotBase64 {
        reason: String,
    },
    Missing,
    Encrypted,
}

/// A payload that is a JSON object, kept as its text and parsed into a map only when something
/// reads more than the registered time and audience claims (a hover, `explain`, configured
/// expectations). A log holds tens of thousands of tokens whose claims maps nobody reads;
/// building them was a quarter of `check`'s time on dense logs, most of it in the allocator.
pub struct Claims {
    text: Box<str>,
    map: std::sync::OnceLock<Map<String, Value>>,
    /// Read by the token rules and the weak-secret search: parsed once, while decoding. Inline,
    /// not boxed: by the time a log's 17,500 tokens are judged, a box per token was a cache miss
    /// per token (8 % of `check` on dense logs), and a box costs its own allocation.
    registered: std::sync::OnceLock<Registered>,
}

impl Claims {
    /// `text` must be a valid JSON object (checked by the caller).
    fn new(text: Box<str>) -> Claims {
        Claims { text, map: std::sync::OnceLock::new(), registered: std::sync::OnceLock::new() }
    }

    /// Every claim, in token order.
    pub fn map(&self) -> &Map<String, Value> {
        self.map.get_or_init(|| match serde_json::from_str::<Value>(&self.text) {
            Ok(Value::Object(map)) => map,
            // Validated as an object at decode time: unreachable, but never a panic.
            _ => Map::new(),
        })
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.map().get(name)
    }

    /// `exp`, `nbf`, `iat`, `aud` and `iss`, read without building the map (the map once it exists,
    /// or when the payload repeats one of them: the last one wins, as in the map).
    pub fn registered(&self) -> &Registered {
        self.registered.get_or_init(|| {
            if self.map.get().is_none()
                && let Ok(view) = serde_json::from_str::<Registered>(&self.text)
            {
                return view;
            }
            let field = |name: &str| self.map().get(name).cloned().map_or(Field::Missing, Field::from);
            Registered { exp: field("exp"), nbf: field("nbf"), iat: field("iat"), aud: field("aud"), iss: field("iss") }
        })
    }
}

impl Clone for Claims {
    fn clone(&self) -> Claims {
        let clone = Claims::new(self.text.clone());
        if let Some(map) = self.map.get() {
            let _ = clone.map.set(map.clone());
        }
        clone
    }
}

impl PartialEq for Claims {
    fn eq(&self, other: &Claims) -> bool {
        self.text == other.text
    }
}

impl std::fmt::Debug for Claims {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.map().fmt(formatter)
    }
}

/// The registered claims the token rules read on every token.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Registered {
    #[serde(default)]
    pub exp: Field,
    #[serde(default)]
    pub nbf: Field,
    #[serde(default)]
    pub iat: Field,
    #[serde(default)]
    pub aud: Field,
    #[serde(default)]
    pub iss: Field,
}

/// [`Registered`] from the payload most tokens carry, without serde: a compact (no whitespace),
/// ASCII, flat object whose values are strings without escapes, integers, `true`, `false` or
/// `null`. Anything else (and a registered claim given twice) is `None`, and serde_json decides.
/// It accepts only valid JSON and reads it as serde_json does (`flat_registered_agrees_with_serde`
/// checks both on random payloads): the derived parse was a tenth of `check` on dense logs.
fn flat_registered(bytes: &[u8]) -> Option<Registered> {
    let mut registered = Registered::default();
    let mut at = 1;
    if bytes.first() != Some(&b'{') {
        return None;
    }
    if bytes.get(at) == Some(&b'}') {
        return (bytes.len() == 2).then_some(registered);
    }
    loop {
        let key = flat_string(bytes, &mut at)?;
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at += 1;
        let value_start = at;
        let value = flat_value(bytes, &mut at)?;
        let slot = match key {
            b"exp" => &mut registered.exp,
            b"nbf" => &mut registered.nbf,
            b"iat" => &mut registered.iat,
            b"aud" => &mut registered.aud,
            b"iss" => &mut registered.iss,
            _ => {
                match bytes.get(at) {
                    Some(b',') => at += 1,
                    Some(b'}') if at + 1 == bytes.len() => return Some(registered),
                    _ => return None,
                }
                continue;
            }
        };
        if *slot != Field::Missing {
            return None; // serde_json's derive rejects a repeated field: so does the slow path.
        }
        *slot = match value {
            FlatValue::String => Field::String(std::str::from_utf8(&bytes[value_start + 1..at - 1]).ok()?.to_string()),
            FlatValue::Other(value) => Field::from(value),
        };
        match bytes.get(at) {
            Some(b',') => at += 1,
            Some(b'}') if at + 1 == bytes.len() => return Some(registered),
            _ => return None,
        }
    }
}

enum FlatValue {
    /// A string: its text is `bytes[start + 1..end - 1]`.
    String,
    Other(Value),
}

/// A string without escapes or control characters at `*at`; moves past its closing quote.
fn flat_string<'b>(bytes: &'b [u8], at: &mut usize) -> Option<&'b [u8]> {
    if bytes.get(*at) != Some(&b'"') {
        return None;
    }
    let start = *at + 1;
    let length =
        bytes[start..].iter().position(|&byte| byte == b'"' || byte == b'\\' || !(0x20..0x7f).contains(&byte))?;
    if bytes[start + length] != b'"' {
        return None;
    }
    *at = start + length + 1;
    Some(&bytes[start..start + length])
}

/// A flat value at `*at` (see [`flat_registered`]); moves past it.
fn flat_value(bytes: &[u8], at: &mut usize) -> Option<FlatValue> {
    match *bytes.get(*at)? {
        b'"' => flat_string(bytes, at).map(|_| FlatValue::String),
        b't' | b'f' | b'n' => {
            for (word, value) in [("true", Value::Bool(true)), ("false", Value::Bool(false)), ("null", Value::Null)] {
                if bytes[*at..].starts_with(word.as_bytes()) {
                    *at += word.len();
                    return Some(FlatValue::Other(value));
                }
            }
            None
        }
        b'-' | b'0'..=b'9' => {
            // Integers only, as JSON writes them (no leading zero, no `-0`); anything else, such
            // as fractions, exponents and integers beyond 64 bits, is left to serde_json.
            let negative = bytes[*at] == b'-';
            let digits_start = *at + usize::from(negative);
            let digits = bytes[digits_start..].iter().take_while(|byte| byte.is_ascii_digit()).count();
            let text = std::str::from_utf8(&bytes[digits_start..digits_start + digits]).ok()?;
            if digits == 0 || digits > 18 || (digits > 1 && text.starts_with('0')) || (negative && text == "0") {
                return None;
            }
            if matches!(bytes.get(digits_start + digits), Some(b'.' | b'e' | b'E')) {
                return None;
            }
            let magnitude: i64 = text.parse().ok()?;
            *at = digits_start + digits;
            Some(FlatValue::Other(Value::from(if negative { -magnitude } else { magnitude })))
        }
        _ => None,
    }
}

/// A claim that is absent, or present with any value (`null` included).
/// Its two usual kinds held as they are (32 bytes, where a `Value` takes 72: five of them sit in
/// every token), any other boxed.
#[derive(Debug, Default, Clone, PartialEq)]
pub enum Field {
    #[default]
    Missing,
    /// A number (a NumericDate, as it should be).
    Number(serde_json::Number),
    /// A string (`iss`, a single `aud`; a NumericDate in quotes).
    String(String),
    /// `null`, a boolean, an array or an object: never a number or a string.
    Other(Box<Value>),
}

impl From<Value> for Field {
    fn from(value: Value) -> Field {
        match value {
            Value::Number(number) => Field::Number(number),
            Value::String(text) => Field::String(text),
            other => Field::Other(Box::new(other)),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Field {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Field, D::Error> {
        Value::deserialize(deserializer).map(Field::from)
    }
}

/// Damage that was repaired so the token could be decoded. Each says what was wrong and how to
/// repair it at the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repair {
    Whitespace { count: usize, line_breaks: bool },
    PercentEncoded { levels: usize, example: String },
    Padding { segments: Vec<usize> },
    StandardAlphabet { segments: Vec<usize> },
}

impl Repair {
    /// What was wrong, in a sentence fragment.
    pub fn problem(&self) -> String {
        match self {
            Repair::Whitespace { count: 1, line_breaks: true } => {
                "contains a line break inside (a wrapped or copy-pasted token); remove it".to_string()
            }
            Repair::Whitespace { count: 1, line_breaks: false } => {
                "contains a space inside (a copy-paste accident); remove it".to_string()
            }
            Repair::Whitespace { count, line_breaks } => {
                let what = if *line_breaks { "line breaks or spaces" } else { "spaces" };
                format!("contains {count} {what} inside (a wrapped or copy-pasted token); remove them")
            }
            Repair::PercentEncoded { levels: 1, example } => {
                format!("is percent-encoded (`{example}`); URL-decode it once before use")
            }
            Repair::PercentEncoded { levels, example } => format!(
                "is percent-encoded {levels} times (`{example}`): it was URL-encoded more than once; encode it only once where it is produced"
            ),
            Repair::Padding { segments } => format!(
                "has `=` padding in {}; JWTs use unpadded base64url (RFC 7515 §2): remove the trailing `=`",
                segment_names(segments)
            ),
            Repair::StandardAlphabet { segments } => format!(
                "uses the standard base64 alphabet (`+`, `/`) in {} instead of base64url: replace `+` with `-` and `/` with `_`",
                segment_names(segments)
            ),
        }
    }

    /// What we did to decode it, for hovers.
    pub fn action(&self) -> &'static str {
        match self {
            Repair::Whitespace { .. } => "removed whitespace inside the token",
            Repair::PercentEncoded { .. } => "URL-decoded the token",
            Repair::Padding { .. } => "removed `=` padding",
            Repair::StandardAlphabet { .. } => "mapped `+` `/` to base64url `-` `_`",
        }
    }
}

pub fn segment_name(index: usize, form: Form) -> &'static str {
    match (form, index) {
        (_, 0) => "header",
        (Form::Jws, 1) => "payload",
        (Form::Jws, 2) => "signature",
        (Form::Jwe, 1) => "encrypted key",
        (Form::Jwe, 2) => "IV",
        (Form::Jwe, 3) => "ciphertext",
        (Form::Jwe, 4) => "tag",
        _ => "extra segment",
    }
}

fn segment_names(segments: &[usize]) -> String {
    let names: Vec<&str> = segments.iter().map(|&index| segment_name(index, Form::Jws)).collect();
    format!("the {}", names.join(" and "))
}

/// A decoded JOSE header (a map: `token.header.get("kid")`) and its `alg`, looked up once:
/// every rule asks for it. Shared (an `Arc`) by the tokens of one header segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    map: Map<String, Value>,
    alg: Option<String>,
    names_its_key: bool,
}

/// Header parameters that point a verifier at a key (`token-header-key`).
pub const KEY_PARAMETERS: [&str; 3] = ["jku", "x5u", "jwk"];

impl Header {
    fn new(map: Map<String, Value>) -> Header {
        let alg = map.get("alg").and_then(Value::as_str).map(str::to_string);
        let names_its_key = KEY_PARAMETERS.iter().any(|name| map.contains_key(*name));
        Header { map, alg, names_its_key }
    }

    pub fn map(&self) -> &Map<String, Value> {
        &self.map
    }

    /// Whether one of [`KEY_PARAMETERS`] is present (asked of every token; looked up once).
    pub fn names_its_key(&self) -> bool {
        self.names_its_key
    }
}

impl std::ops::Deref for Header {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Map<String, Value> {
        &self.map
    }
}

/// A JWS signature's bytes: inline up to 64 (HS256 to HS512, ES256, EdDSA: what dense logs
/// carry), on the heap beyond (RSA, ES384, ES512). A `Vec` was an allocation per token.
#[derive(Clone, PartialEq, Eq)]
pub enum Signature {
    Inline { len: u8, bytes: [u8; 64] },
    Heap(Box<[u8]>),
}

impl Signature {
    /// The decoding of a signature segment, or the base64 error.
    fn decode(text: &str) -> Result<Signature, base64::DecodeError> {
        let mut bytes = [0u8; 64];
        if text.len() / 4 * 3 + 3 <= bytes.len() {
            match LENIENT.decode_slice(text, &mut bytes) {
                Ok(len) => return Ok(Signature::Inline { len: len as u8, bytes }),
                Err(base64::DecodeSliceError::DecodeError(err)) => return Err(err),
                Err(base64::DecodeSliceError::OutputSliceTooSmall) => {}
            }
        }
        LENIENT.decode(text).map(|bytes| Signature::Heap(bytes.into_boxed_slice()))
    }
}

impl Default for Signature {
    fn default() -> Signature {
        Signature::Inline { len: 0, bytes: [0; 64] }
    }
}

impl std::ops::Deref for Signature {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Signature::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Signature::Heap(bytes) => bytes,
        }
    }
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(formatter)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Byte range in the document (set by the scanner; `0..len` for a decoded string).
    pub span: Range<usize>,
    pub form: Form,
    /// Shared: a log or a config file repeats one issuer's header on every token.
    pub header: Arc<Header>,
    pub payload: Payload,
    /// Decoded signature bytes (JWS). Empty when absent or undecodable.
    pub signature: Signature,
    /// The repaired compact serialization.
    pub compact: String,
    pub segment_count: usize,
    pub repairs: Vec<Repair>,
    /// Damage that could not be repaired, one sentence each.
    pub problems: Vec<String>,
}

impl Token {
    pub fn alg(&self) -> Option<&str> {
        self.header.alg.as_deref()
    }

    pub fn claims(&self) -> Option<&Map<String, Value>> {
        match &self.payload {
            Payload::Claims(claims) => Some(claims.map()),
            _ => None,
        }
    }

    /// `header.payload` of the repaired token: the bytes a JWS signature covers.
    pub fn signing_input(&self) -> Option<&str> {
        if self.form != Form::Jws {
            return None;
        }
        self.compact.rfind('.').map(|end| &self.compact[..end])
    }

    pub fn is_damaged(&self) -> bool {
        !self.repairs.is_empty() || !self.problems.is_empty()
    }

    /// How well the candidate decodes, from 0 (header only) to 4 (everything fits). The scanner
    /// uses it to decide whether joining text across a line break repairs a wrapped token.
    pub fn completeness(&self) -> u8 {
        let count_ok = match self.form {
            Form::Jws => self.segment_count == 3,
            Form::Jwe => self.segment_count == 5,
        };
        if !count_ok {
            return 1;
        }
        if !matches!(self.payload, Payload::Claims(_) | Payload::Encrypted | Payload::NotObject(_)) {
            return 2;
        }
        if self.problems.iter().any(|problem| problem.contains("signature")) {
            return 3;
        }
        4
    }
}

/// Decodes `raw` (the candidate text, possibly with whitespace or percent-encoding inside).
/// Returns `None` when the header is not a JOSE header: such strings are not tokens.
pub fn decode(raw: &str) -> Option<Token> {
    // Fast path: an intact token needs no repair and no copy before decoding. Every byte is
    // tested without stopping early, so the compiler can compare 32 at a time.
    let intact = raw.bytes().fold(true, |intact, byte| {
        intact & (byte.is_ascii_alphanumeric() | (byte == b'-') | (byte == b'_') | (byte == b'.'))
    });
    if intact {
        return decode_compact(raw, raw.len(), Vec::new());
    }
    let mut repairs = Vec::new();

    let mut compact: String = raw.to_string();
    let whitespace = compact.chars().filter(|ch| ch.is_whitespace()).count();
    if whitespace > 0 {
        let line_breaks = compact.contains(['\n', '\r']);
        compact.retain(|ch| !ch.is_whitespace());
        repairs.push(Repair::Whitespace { count: whitespace, line_breaks });
    }

    let mut levels = 0;
    let example = first_escape(&compact);
    while compact.contains('%') && levels < 3 {
        match percent_decode(&compact) {
            Some(decoded) => {
                compact = decoded;
                levels += 1;
            }
            None => break,
        }
    }
    if levels > 0 {
        repairs.push(Repair::PercentEncoded { levels, example });
        // Whitespace may have been percent-encoded (`%20`).
        compact.retain(|ch| !ch.is_whitespace());
    }

    let mut padded = Vec::new();
    let mut standard = Vec::new();
    let mut segments: Vec<String> = Vec::new();
    for (index, segment) in compact.split('.').enumerate() {
        let trimmed = segment.trim_end_matches('=');
        if trimmed.len() != segment.len() {
            padded.push(index);
        }
        if trimmed.contains(['+', '/']) {
            standard.push(index);
        }
        segments.push(trimmed.replace('+', "-").replace('/', "_"));
    }
    if !padded.is_empty() {
        repairs.push(Repair::Padding { segments: padded });
    }
    if !standard.is_empty() {
        repairs.push(Repair::StandardAlphabet { segments: standard });
    }
    decode_compact(&segments.join("."), raw.len(), repairs)
}

/// Decodes a token already reduced to base64url segments and dots (`=` inside a segment aside).
fn decode_compact(compact: &str, raw_len: usize, repairs: Vec<Repair>) -> Option<Token> {
    // Up to 8 segments on the stack (a JWE has 5): no allocation per token.
    let mut inline = [""; 8];
    let collected: Vec<&str>;
    let segments: &[&str] = match memchr::memchr_iter(b'.', compact.as_bytes()).count() + 1 {
        count if count <= inline.len() => {
            let mut from = 0;
            for (slot, dot) in inline.iter_mut().zip(memchr::memchr_iter(b'.', compact.as_bytes())) {
                *slot = &compact[from..dot];
                from = dot + 1;
            }
            inline[count - 1] = &compact[from..];
            &inline[..count]
        }
        _ => {
            collected = compact.split('.').collect();
            &collected
        }
    };
    let segment_count = segments.len();
    let header = decode_header(segments[0])?;
    if segment_count < 2 || (segment_count == 2 && segments[1].is_empty()) {
        // A lone header segment (maybe followed by a full stop) is not a token.
        return None;
    }

    let mut problems = Vec::new();
    let is_jwe = header.contains_key("enc");
    let form = if is_jwe { Form::Jwe } else { Form::Jws };
    check_segment_count(form, segment_count, segments, &mut problems);
    check_segment_text(segments, form, &mut problems);
    if !header.get("alg").is_some_and(Value::is_string) {
        problems.push("the header's `alg` is not a string (RFC 7515 §4.1.1)".to_string());
    }

    let (payload, signature) = match form {
        Form::Jwe => (Payload::Encrypted, Signature::default()),
        Form::Jws => {
            let payload = decode_payload(segments[1], &mut problems);
            let signature = match segments.get(2) {
                Some(text) if segment_count == 3 && !text.is_empty() => match Signature::decode(text) {
                    Ok(signature) => signature,
                    Err(err) => {
                        problems
                            .push(format!("the signature is not valid base64url ({})", describe_base64_error(&err)));
                        Signature::default()
                    }
                },
                _ => Signature::default(),
            };
            (payload, signature)
        }
    };

    let mut token = Token {
        span: 0..raw_len,
        form,
        header,
        payload,
        signature,
        compact: compact.to_string(),
        segment_count,
        repairs,
        problems,
    };
    check_signature_length(&mut token);
    Some(token)
}

/// A decoded JOSE header, shared by the tokens that carry the same header segment.
type SharedHeader = Arc<Header>;

/// Headers longer than this are not remembered by `decode_header`.
const REMEMBERED_HEADER_MAX: usize = 512;

thread_local! {
    /// The last header segment decoded on this thread and its JOSE header. A log or a config
    /// file repeats one issuer's header on every token: sharing the map skips the base64, the
    /// JSON parse, the key hashing and (since it is shared, not cloned) every allocation.
    static LAST_HEADER: std::cell::RefCell<Option<(String, SharedHeader)>> =
        const { std::cell::RefCell::new(None) };
}

fn decode_header(segment: &str) -> Option<SharedHeader> {
    if segment.len() > REMEMBERED_HEADER_MAX {
        return decode_header_uncached(segment).map(|map| Arc::new(Header::new(map)));
    }
    let remembered = LAST_HEADER.with_borrow(|last| match last {
        Some((text, header)) if text == segment => Some(Arc::clone(header)),
        _ => None,
    });
    if remembered.is_some() {
        return remembered;
    }
    let header = Arc::new(Header::new(decode_header_uncached(segment)?));
    LAST_HEADER.with_borrow_mut(|last| match last {
        Some((text, remembered)) => {
            text.clear();
            text.push_str(segment);
            *remembered = Arc::clone(&header);
        }
        None => *last = Some((segment.to_string(), Arc::clone(&header))),
    });
    Some(header)
}

fn decode_header_uncached(segment: &str) -> Option<Map<String, Value>> {
    // Most headers are short: decode into a stack buffer, no allocation for look-alikes.
    let mut buffer = [0u8; 512];
    let heap;
    let bytes: &[u8] = if segment.len() / 4 * 3 + 3 <= buffer.len() {
        let length = LENIENT.decode_slice(segment, &mut buffer).ok()?;
        &buffer[..length]
    } else {
        heap = LENIENT.decode(segment).ok()?;
        &heap
    };
    if bytes.first() != Some(&b'{') && !bytes.first().is_some_and(u8::is_ascii_whitespace) {
        return None;
    }
    match serde_json::from_slice::<Value>(bytes).ok()? {
        Value::Object(header) if header.contains_key("alg") => Some(header),
        _ => None,
    }
}

fn decode_payload(text: &str, problems: &mut Vec<String>) -> Payload {
    // Most payloads are short: decode into a stack buffer, the JSON parse is the only allocation.
    let mut buffer = [0u8; 1024];
    let on_stack = match text.len() / 4 * 3 + 3 <= buffer.len() {
        true => match LENIENT.decode_slice(text, &mut buffer) {
            Ok(length) => Some(Ok(length)),
            Err(base64::DecodeSliceError::DecodeError(err)) => Some(Err(err)),
            Err(base64::DecodeSliceError::OutputSliceTooSmall) => None,
        },
        false => None,
    };
    let heap;
    let decoded = match on_stack {
        Some(result) => result.map(|length| &buffer[..length]),
        None => match LENIENT.decode(text) {
            Ok(bytes) => {
                heap = bytes;
                Ok(heap.as_slice())
            }
            Err(err) => Err(err),
        },
    };
    let bytes: &[u8] = match decoded {
        Ok(bytes) => bytes,
        Err(err) => {
            let reason = describe_base64_error(&err);
            problems.push(format!(
                "the payload is not valid base64url ({reason}); was it truncated or cut at the wrong place?"
            ));
            return Payload::NotBase64 { reason };
        }
    };
    // An object is validated without building it (see `Claims`); anything else is rare and
    // parsed whole for its message.
    let object = bytes.iter().find(|byte| !byte.is_ascii_whitespace()) == Some(&b'{');
    // The registered claims every token rule reads, parsed while validating: one pass, not two.
    // (An object that repeats one of them fails here and is validated below.)
    if object
        && let Some(registered) = flat_registered(bytes).or_else(|| serde_json::from_slice::<Registered>(bytes).ok())
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        let claims = Claims::new(text.into());
        let _ = claims.registered.set(registered);
        return Payload::Claims(claims);
    }
    if object && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
        // Valid JSON is valid UTF-8.
        if let Ok(text) = std::str::from_utf8(bytes) {
            return Payload::Claims(Claims::new(text.into()));
        }
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(claims)) => Payload::Claims(Claims::new(Value::Object(claims).to_string().into())),
        Ok(other) => {
            problems.push(format!(
                "the payload is JSON but not an object (a {}): this is a JWS, not a JWT, and JWT libraries reject it (`jwt malformed`)",
                json_kind(&other)
            ));
            Payload::NotObject(other)
        }
        Err(err) => {
            let reason = if err.to_string().contains("recursion limit") {
                "nested too deeply".to_string()
            } else if std::str::from_utf8(bytes).is_err() {
                "not UTF-8".to_string()
            } else {
                err.to_string()
            };
            problems.push(format!(
                "the payload decodes but is not JSON ({reason}): this is a JWS, not a JWT, and JWT libraries reject it (`jwt malformed`, `Invalid payload string`)"
            ));
            Payload::NotJson { reason, bytes: bytes.len() }
        }
    }
}

fn check_segment_count(form: Form, count: usize, segments: &[&str], problems: &mut Vec<String>) {
    match (form, count) {
        (Form::Jws, 3) | (Form::Jwe, 5) => {}
        (Form::Jws, 2) => problems.push(
            "has 2 segments, but a JWS has 3 (header.payload.signature): the signature segment is missing — was the token truncated? (an unsecured token still ends in `.`)".to_string(),
        ),
        (Form::Jwe, 3) => problems.push(
            "the header has `enc` (a JWE), but there are 3 segments; a compact JWE has 5 (header.key.iv.ciphertext.tag)".to_string(),
        ),
        (Form::Jws, 5) => problems.push(
            "has 5 segments like a JWE, but the header has no `enc`; a JWS has 3 segments".to_string(),
        ),
        (_, count) => problems.push(format!(
            "has {count} segments; a JWS has 3 and a JWE 5{}",
            if segments.iter().any(|segment| segment.is_empty()) { " (an empty segment: a doubled `.`?)" } else { "" }
        )),
    }
}

fn check_segment_text(segments: &[&str], form: Form, problems: &mut Vec<String>) {
    for (index, segment) in segments.iter().enumerate() {
        if memchr::memchr(b'=', segment.as_bytes()).is_some() {
            problems.push(format!(
                "the {} contains `=` in the middle, which base64url never does (two tokens run together?)",
                segment_name(index, form)
            ));
        } else if segment.len() % 4 == 1 {
            problems.push(format!(
                "the {} has an impossible length for base64url ({} characters): it was truncated or has a stray character",
                segment_name(index, form),
                segment.len()
            ));
        }
    }
}

fn check_signature_length(token: &mut Token) {
    if token.form != Form::Jws || token.segment_count != 3 || token.signature.is_empty() {
        return;
    }
    let Some(alg) = token.alg() else { return };
    let got = token.signature.len();
    let problem = match expected_signature_length(alg) {
        Some(SignatureLength::Exact(expected)) if got != expected => {
            let hint = if alg.starts_with("ES") && got > expected && token.signature.first() == Some(&0x30) {
                " (it looks DER-encoded; JWS wants the raw R‖S form)"
            } else {
                ""
            };
            Some(format!(
                "the signature is {got} bytes, but {alg} signatures are exactly {expected} bytes{hint}: it was truncated or damaged"
            ))
        }
        Some(SignatureLength::Rsa) if got < 256 => Some(format!(
            "the {alg} signature is {got} bytes, which means a {}-bit RSA key or a truncated signature; RFC 7518 requires keys of 2048 bits (256 bytes) or more",
            got * 8
        )),
        _ => None,
    };
    if let Some(problem) = problem {
        token.problems.push(problem);
    }
}

pub enum SignatureLength {
    Exact(usize),
    /// As long as the RSA modulus.
    Rsa,
}

pub fn expected_signature_length(alg: &str) -> Option<SignatureLength> {
    Some(match alg {
        "HS256" => SignatureLength::Exact(32),
        "HS384" => SignatureLength::Exact(48),
        "HS512" => SignatureLength::Exact(64),
        "ES256" | "ES256K" => SignatureLength::Exact(64),
        "ES384" => SignatureLength::Exact(96),
        "ES512" => SignatureLength::Exact(132),
        "EdDSA" | "Ed25519" => SignatureLength::Exact(64),
        "Ed448" => SignatureLength::Exact(114),
        "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" => SignatureLength::Rsa,
        _ => return None,
    })
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn describe_base64_error(err: &base64::DecodeError) -> String {
    match err {
        base64::DecodeError::InvalidByte(offset, byte) => {
            format!("invalid character {:?} at position {}", char::from(*byte), offset + 1)
        }
        base64::DecodeError::InvalidLength(_) => "impossible length".to_string(),
        base64::DecodeError::InvalidLastSymbol { .. } => "bad last character".to_string(),
        base64::DecodeError::InvalidPadding => "bad padding".to_string(),
    }
}

/// One level of percent-decoding; `None` when a `%` is not followed by two hex digits or the
/// result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let value = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
            out.push(value);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The first escape as written, `%3D` or (double-encoded) `%253D`.
fn first_escape(text: &str) -> String {
    let Some(at) = text.find('%') else { return String::new() };
    let length = if text[at..].starts_with("%25") { 5 } else { 3 };
    text.get(at..at + length).unwrap_or(&text[at..]).to_string()
}

/// Decodes a token a user pasted (CLI `decode`, `explain`): strips surrounding whitespace and
/// quotes, a `Bearer ` prefix or an `Authorization:` header name, and says what it removed.
pub fn decode_pasted(input: &str) -> Result<(Token, Vec<String>), String> {
    let mut notes = Vec::new();
    let mut text = input.trim();
    for quote in ['"', '\'', '`'] {
        if text.len() >= 2 && text.starts_with(quote) && text.ends_with(quote) {
            text = text[1..text.len() - 1].trim();
            notes.push(format!("removed surrounding {quote} quotes"));
        }
    }
    if let Some(rest) = strip_prefix_ignore_case(text, "authorization:") {
        text = rest.trim_start();
        notes.push("removed the `Authorization:` header name".to_string());
    }
    for quote in ['"', '\'', '`'] {
        if text.len() >= 2 && text.starts_with(quote) && text.ends_with(quote) {
            text = text[1..text.len() - 1].trim();
            notes.push(format!("removed surrounding {quote} quotes"));
        }
    }
    if let Some(rest) = strip_prefix_ignore_case(text, "bearer") {
        let rest_trimmed = rest.trim_start_matches([' ', '\t']).trim_start_matches("%20");
        if rest_trimmed.len() < rest.len() {
            text = rest_trimmed.trim_start();
            notes.push(
                "removed the `Bearer ` prefix (send it in the header, but pass only the token to the verifier)"
                    .to_string(),
            );
        }
    }
    match decode(text) {
        Some(token) => Ok((token, notes)),
        None => Err(not_a_token_reason(text)),
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

fn not_a_token_reason(text: &str) -> String {
    if text.is_empty() {
        return "no token given".to_string();
    }
    let first = text.split('.').next().unwrap_or_default();
    let first: String = first.chars().filter(|ch| !ch.is_whitespace()).collect();
    let first = first.trim_end_matches('=').replace('+', "-").replace('/', "_");
    match LENIENT.decode(&first) {
        Err(err) => format!("not a JWT: the first segment is not base64url ({})", describe_base64_error(&err)),
        Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
            Err(err) => format!("not a JWT: the first segment decodes but is not JSON ({err})"),
            Ok(Value::Object(map)) if !map.contains_key("alg") => {
                "not a JWT: the header has no `alg` (is this the payload segment on its own?)".to_string()
            }
            Ok(Value::Object(_)) => "not a JWT: only a header segment, no payload".to_string(),
            Ok(_) => "not a JWT: the header is JSON but not an object".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(json: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    /// Random payloads near the fast path's edges (escapes, whitespace, fractions, leading zeros,
    /// `-0`, big integers, nesting, repeated claims, truncation): whenever `flat_registered`
    /// accepts one, serde_json accepts it too and reads the same claims.
    #[test]
    fn flat_registered_agrees_with_serde() {
        const KEYS: &[&str] = &["exp", "nbf", "iat", "aud", "iss", "sub", "", "ex", "expx", "e\\u0078p", "EXP"];
        const VALUES: &[&str] = &[
            "1",
            "0",
            "-1",
            "-0",
            "01",
            "1.5",
            "1e3",
            "1E3",
            "-",
            "123456789012345678",
            "1234567890123456789",
            "99999999999999999999",
            "\"a\"",
            "\"\"",
            "\"a\\nb\"",
            "\"\u{e9}\"",
            "\"\u{7f}\"",
            "\"\u{1}\"",
            "true",
            "false",
            "null",
            "nul",
            "tru",
            "[1]",
            "[\"a\",\"b\"]",
            "{}",
            "{\"a\":1}",
            "\"https://i.example/\"",
        ];
        let mut random = crate::test_random(0x2545_F491_4F6C_DD1D);
        let mut next = |bound: usize| (random() % bound as u64) as usize;
        let mut accepted = 0;
        for _ in 0..30_000 {
            let mut text = String::from("{");
            for member in 0..next(6) {
                if member > 0 {
                    text.push_str([",", ",", ",", ", ", ";"][next(5)]);
                }
                text.push_str(&format!("\"{}\"", KEYS[next(KEYS.len())]));
                text.push_str([":", ":", ":", " :", ": "][next(5)]);
                text.push_str(VALUES[next(VALUES.len())]);
            }
            text.push_str(["}", "}", "}", "} ", "}x", ""][next(6)]);
            // Cut anywhere, inside a character too.
            let mut text = text.into_bytes();
            if next(10) == 0 {
                text.truncate(next(text.len() + 1));
            }
            let fast = flat_registered(&text);
            let slow = serde_json::from_slice::<Registered>(&text);
            let text = String::from_utf8_lossy(&text);
            if let Some(fast) = fast {
                accepted += 1;
                let slow = slow.unwrap_or_else(|err| panic!("{text:?}: accepted, but serde_json says {err}"));
                let fields =
                    |r: &Registered| [r.exp.clone(), r.nbf.clone(), r.iat.clone(), r.aud.clone(), r.iss.clone()];
                assert_eq!(fields(&fast), fields(&slow), "{text:?}");
            }
        }
        assert!(accepted > 2_000, "the fast path took only {accepted} payloads");
        // A real access token's payload takes it.
        let payload = r#"{"iss":"https://auth.example.com/","sub":"a-1","aud":"api","iat":1767225600,"exp":1767229200,"scope":"read"}"#;
        assert!(flat_registered(payload.as_bytes()).is_some());
    }

    #[test]
    fn a_remembered_header_is_used_only_for_the_same_segment() {
        let payload = segment(r#"{"sub":"1"}"#);
        let hs = segment(r#"{"alg":"HS256","typ":"JWT"}"#);
        let rs = segment(r#"{"alg":"RS256","kid":"k1"}"#);
        let not_jose = segment(r#"{"typ":"JWT"}"#);
        for header in [&hs, &hs, &rs, &hs, &not_jose, &rs, &rs] {
            let expected = decode_header_uncached(header);
            assert_eq!(decode_header(header).as_deref().map(Header::map), expected.as_ref());
            let token = decode(&format!("{header}.{payload}.c2ln"));
            assert_eq!(token.as_ref().map(|token| token.header.map()), expected.as_ref(), "{header}");
        }
        assert_eq!(decode(&format!("{rs}.{payload}.c2ln")).as_ref().and_then(Token::alg), Some("RS256"));
        assert!(decode(&format!("{not_jose}.{payload}.c2ln")).is_none());
    }

    #[test]
    fn payloads_decode_the_same_on_the_stack_and_the_heap() {
        let header = segment(r#"{"alg":"none"}"#);
        let long = format!(r#"{{"sub":"{}"}}"#, "x".repeat(2000));
        for claims in [r#"{"sub":"1","exp":5}"#, long.as_str()] {
            let token = decode(&format!("{header}.{}.", segment(claims))).expect("a token");
            let expected: Map<String, Value> = serde_json::from_str(claims).expect("JSON");
            assert_eq!(token.claims(), Some(&expected));
        }
        let mut problems = Vec::new();
        assert!(matches!(decode_payload("e30x!", &mut problems), Payload::NotBase64 { .. }));
        assert!(matches!(decode_payload(&format!("{}!", "A".repeat(2000)), &mut problems), Payload::NotBase64 { .. }));
        assert!(matches!(decode_payload(&segment("[1]"), &mut problems), Payload::NotObject(_)));
        assert_eq!(problems.len(), 3);
    }
}
