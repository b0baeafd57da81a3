//! Finding JWT-shaped strings in any text: source code, configs, logs, URLs, headers.
//!
//! A regex finds runs that start like a base64url JSON object (`{"` → `eyJ`, `{ "` → `eyA`,
//! `{\n` → `ewo`, …) and continue with base64 characters, dots and the characters of common
//! damage (`+ / = %`). Each run is then cut at its real end, joined with its continuation when a
//! line break splits it, and decoded; only runs whose header is a JOSE header become tokens.

use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

use regex::Regex;

use super::decode::{Token, decode};

/// How a base64url-encoded JSON object starts: `{` followed by `"`, a digit, space, tab, CR or LF.
/// Only the 3-byte prefix goes through the regex (a SIMD literal search); the run after it is
/// extended by a byte-table loop, which avoids the regex engine's reverse scans on dense text.
static TOKEN_START: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"ey[JIAL]|ew[ok0]").expect("valid regex"));

/// Bytes a token run may contain: base64url, dots, and the characters of common damage.
static RUN_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+' | b'/' | b'=' | b'%' | b'.');
        byte += 1;
    }
    table
};

/// A wrapped token is joined across at most this many line breaks.
const MAX_JOINS: usize = 64;

/// Texts smaller than this are scanned on the calling thread: a thread costs more than it saves.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// Every token in `text`, in order, with `span` set to its byte range in `text`.
///
/// A large text (a log) is cut at line breaks no token can continue across and the pieces are
/// scanned on all cores; the result is the same as one sequential scan.
pub fn find_tokens(text: &str) -> Vec<Token> {
    if text.len() < 2 * PARALLEL_MIN_BYTES {
        return scan_range(text, 0, text.len());
    }
    // Asked once: on Linux the answer reads cgroup files, too slow to repeat for every file.
    static THREADS: OnceLock<usize> = OnceLock::new();
    let threads = *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    find_tokens_chunked(text, threads, PARALLEL_MIN_BYTES)
}

/// [`find_tokens`] on the calling thread only, however large the text.
pub fn find_tokens_on_this_thread(text: &str) -> Vec<Token> {
    scan_range(text, 0, text.len())
}

/// `find_tokens` with the text cut into at most `chunks` pieces of at least `min_chunk` bytes,
/// scanned in parallel and concatenated in order. Public for tests and benchmarks.
pub fn find_tokens_chunked(text: &str, chunks: usize, min_chunk: usize) -> Vec<Token> {
    let bounds = split_points(text, chunks, min_chunk);
    if bounds.len() <= 2 {
        return scan_range(text, 0, text.len());
    }
    let pieces: Vec<Vec<Token>> = std::thread::scope(|scope| {
        let workers: Vec<_> = bounds
            .windows(2)
            .skip(1)
            .map(|pair| {
                let (start, end) = (pair[0], pair[1]);
                scope.spawn(move || scan_range(text, start, end))
            })
            .collect();
        // The first piece on this thread: one thread fewer to start.
        let mut pieces = vec![scan_range(text, bounds[0], bounds[1])];
        pieces.extend(workers.into_iter().map(|worker| match worker.join() {
            Ok(tokens) => tokens,
            Err(panic) => std::panic::resume_unwind(panic),
        }));
        pieces
    });
    let mut tokens = Vec::with_capacity(pieces.iter().map(Vec::len).sum());
    for piece in pieces {
        tokens.extend(piece);
    }
    tokens
}

/// Offsets `0 = p0 < p1 < … < pn = len` where the text may be cut: each `pi` starts a line and
/// no token, nor a wrapped token's join, can reach across it.
fn split_points(text: &str, chunks: usize, min_chunk: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut points = vec![0];
    let chunks = chunks.min(bytes.len() / min_chunk.max(1)).max(1);
    let step = bytes.len() / chunks;
    for piece in 1..chunks {
        let previous = points[points.len() - 1];
        // From the byte before the target: a line that starts right at the target qualifies.
        let mut at = (piece * step).saturating_sub(1).max(previous);
        let mut split = None;
        while let Some(newline) = memchr::memchr(b'\n', &bytes[at..]) {
            at += newline + 1;
            if can_split_after_newline(bytes, at) {
                split = Some(at);
                break;
            }
        }
        match split {
            Some(at) if at > previous && at < bytes.len() => points.push(at),
            _ => break,
        }
    }
    points.push(bytes.len());
    points
}

/// Whether no token reaches across the line break that ends just before `after`. A token run
/// never contains a line break; only `continuation` joins across one, and only right after a
/// run (optionally `\`, spaces, tabs, CR) and onto a line whose first visible byte is a token
/// byte or a dot. So either side can make the break safe: a line whose last visible byte is not
/// a run byte (nor a `\`), or a next line that starts with anything else (`{`, `[`, `#`).
fn can_split_after_newline(bytes: &[u8], after: usize) -> bool {
    let mut i = after - 1;
    while i > 0 && matches!(bytes[i - 1], b'\r' | b' ' | b'\t') {
        i -= 1;
    }
    let line_ends_tokens = match i.checked_sub(1).map(|last| bytes[last]) {
        None => true,
        Some(last) => !RUN_BYTES[last as usize] && last != b'\\',
    };
    let next_visible = bytes[after..].iter().find(|byte| !matches!(byte, b'\r' | b' ' | b'\t'));
    let no_join_starts_here = match next_visible {
        None => true,
        Some(&byte) => !is_token_byte(byte) && byte != b'.',
    };
    line_ends_tokens || no_join_starts_here
}

/// The tokens that start in `start..end`, where `end` is a split point (or the text's end).
fn scan_range(text: &str, start: usize, end: usize) -> Vec<Token> {
    // Limiting the text to `end` keeps runs and joins inside the piece; at a split point they
    // stop there anyway. The bytes before `start` stay visible for the boundary test.
    let text = &text[..end];
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut from = start;
    while let Some(found) = TOKEN_START.find_at(text, from) {
        let start = found.start();
        let mut end = found.end();
        while end < bytes.len() && RUN_BYTES[bytes[end] as usize] {
            end += 1;
        }
        from = end;
        if !starts_at_boundary(bytes, start) {
            continue;
        }
        let end = cut_end(text, start, end);
        if let Some(token) = build_token(text, start, end) {
            from = from.max(token.span.end);
            tokens.push(token);
        }
    }
    tokens
}

/// Decodes the run at `start..end`, joining continuation lines while that makes it more complete.
fn build_token(text: &str, start: usize, end: usize) -> Option<Token> {
    let mut best = decode(&text[start..end]);
    let mut quality = best.as_ref().map_or(0, Token::completeness);
    // The common case, an intact token, never copies the text.
    let mut joined: Option<String> = None;
    let mut last_end = end;
    let mut line_breaks = 0;
    for _ in 0..MAX_JOINS {
        if quality == 4 {
            break;
        }
        let Some(next) = continuation(text, last_end) else { break };
        let mut candidate_text = joined.clone().unwrap_or_else(|| text[start..end].to_string());
        candidate_text.push_str(&text[next.clone()]);
        let candidate = decode(&candidate_text);
        let candidate_quality = candidate.as_ref().map_or(0, Token::completeness);
        if candidate.is_none() || candidate_quality <= quality {
            break;
        }
        joined = Some(candidate_text);
        best = candidate;
        quality = candidate_quality;
        last_end = next.end;
        line_breaks += 1;
    }
    let mut token = best?;
    if line_breaks > 0 {
        token.repairs.insert(0, super::decode::Repair::Whitespace { count: line_breaks, line_breaks: true });
    }
    token.span = start..last_end;
    Some(token)
}

/// The next run of token characters after a line break that starts at `after` (optionally
/// preceded by a `\` continuation, a closing quote and `+`, or indentation).
fn continuation(text: &str, after: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut i = after;
    // An escaped line break in a shell command or a string: `\` then newline.
    if bytes.get(i) == Some(&b'\\') {
        i += 1;
    }
    let mut newlines = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'\n' => newlines += 1,
            b'\r' | b' ' | b'\t' => {}
            _ => break,
        }
        i += 1;
    }
    // Same-line spaces (`header. payload`) or one line break; a blank line ends the token.
    if newlines > 1 || i == after {
        return None;
    }
    let start = i;
    while let Some(&byte) = bytes.get(i) {
        if is_token_byte(byte) || byte == b'.' {
            i += 1;
        } else {
            break;
        }
    }
    (i > start).then(|| start..cut_end(text, start, i))
}

fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-')
}

/// A token starts where a base64url word cannot continue: not inside `keyJson`, `a.eyJ…`.
/// Two exceptions keep URL- and JSON-escaped context working: `%20eyJ…` and `\neyJ…`.
fn starts_at_boundary(bytes: &[u8], start: usize) -> bool {
    if start == 0 {
        return true;
    }
    let before = bytes[start - 1];
    if !is_token_byte(before) && before != b'.' {
        return true;
    }
    if start >= 3 && bytes[start - 3] == b'%' && bytes[start - 2].is_ascii_hexdigit() && before.is_ascii_hexdigit() {
        return true;
    }
    start >= 2 && bytes[start - 2] == b'\\' && matches!(before, b'n' | b'r' | b't')
}

/// Cuts a regex run at its real end: before a percent-escape of a character that cannot be part
/// of a token (`%26` = `&`, `%22` = `"`), and before trailing full stops that end a sentence.
fn cut_end(text: &str, start: usize, end: usize) -> usize {
    let bytes = &text.as_bytes()[..end];
    let mut end = end;
    if let Some(at) =
        memchr::memchr_iter(b'%', &bytes[start..]).map(|at| start + at).find(|&at| !escape_is_token_part(bytes, at))
    {
        end = at;
    }
    // `=` only ever pads the end of a segment; a run like `a=b` is a key/value, not padding.
    // Trailing dots: `header.payload.sig.` at the end of a sentence has one dot too many.
    // Only 2 (a lone header) and 3 (an unsecured JWS) segments may legitimately end in a dot.
    // (Dots counted with memchr, and only for a run that ends in one: `str::split` was 1 % of
    // `check` on dense logs.)
    loop {
        let run = &text.as_bytes()[start..end];
        if run.ends_with(b".") && memchr::memchr_iter(b'.', run).count() + 1 > 3 {
            end -= 1;
        } else {
            return end;
        }
    }
}

/// Whether the escape at `at` decodes (once or twice) to `=`, `+`, `/` or whitespace.
fn escape_is_token_part(bytes: &[u8], at: usize) -> bool {
    let hex = |offset: usize| -> Option<u8> {
        let pair = bytes.get(offset..offset + 2)?;
        u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()
    };
    match hex(at + 1) {
        Some(b'=' | b'+' | b'/' | b' ' | b'\n' | b'\r' | b'\t') => true,
        // `%25` is an encoded `%`: look at what the inner escape encodes.
        Some(b'%') => matches!(hex(at + 3), Some(b'=' | b'+' | b'/' | b' ')),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn token(subject: usize) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"{subject}","exp":1700000000}}"#));
        let signature = URL_SAFE_NO_PAD.encode([subject as u8; 32]);
        format!("{header}.{payload}.{signature}")
    }

    /// Lines of every shape the joiner handles next to lines that are safe to cut after.
    fn mixed_text() -> String {
        let mut text = String::new();
        for subject in 0..12 {
            let token = token(subject);
            let (head, tail) = token.split_at(token.len() / 2);
            match subject % 7 {
                0 => text.push_str(&format!("10.0.0.{subject} - \"GET /?t={token} HTTP/1.1\" 200 \"curl\"\n")),
                1 => text.push_str(&format!("token: {head}\n  {tail}\n")),
                2 => text.push_str(&format!("curl -H \"{head}\\\n{tail}\"\n")),
                3 => text.push_str(&format!("Authorization: Bearer {token}\r\n\r\n")),
                4 => text.push_str(&format!("{head} \t\r\n{tail};\n")),
                5 => text.push_str(&format!("x = '{token}'\n# é\n")),
                _ => text.push_str(&format!("Bearer {token}\n[ok]\n")),
            }
        }
        text
    }

    #[test]
    fn a_chunked_scan_finds_what_one_pass_finds() {
        let text = mixed_text();
        let sequential = scan_range(&text, 0, text.len());
        assert_eq!(sequential.len(), 12, "every line's token, the wrapped ones joined");
        assert_eq!(sequential.iter().filter(|token| token.is_damaged()).count(), 6);
        for chunks in 2..=text.lines().count() + 2 {
            assert!(split_points(&text, chunks, 1).len() > 2, "{chunks} chunks: the text is really cut");
            assert_eq!(find_tokens_chunked(&text, chunks, 1), sequential, "{chunks} chunks");
        }
    }

    #[test]
    fn split_points_avoid_wrapped_tokens() {
        let text = mixed_text();
        let tokens = scan_range(&text, 0, text.len());
        let points = split_points(&text, text.len(), 1);
        for point in &points[1..points.len() - 1] {
            assert_eq!(text.as_bytes()[point - 1], b'\n');
            assert!(!tokens.iter().any(|token| token.span.start < *point && *point < token.span.end));
        }
        // Only after a line whose last visible byte ends every token.
        assert!(!can_split_after_newline(b"abc\ndef", 4));
        assert!(!can_split_after_newline(b"abc \r\ndef", 6));
        assert!(!can_split_after_newline(b"x\"\\\ndef", 4));
        assert!(can_split_after_newline(b"abc\"\ndef", 5));
        assert!(can_split_after_newline(b"abc\n\ndef", 5));
        assert!(can_split_after_newline(b"\ndef", 1));
        // A line ending in a token, then a line no join can start with.
        assert!(can_split_after_newline(b"abc\n{def", 4));
        assert!(can_split_after_newline(b"abc\n \t[def", 4));
        assert!(can_split_after_newline(b"abc\r\n\r\ndef", 5));
        assert!(can_split_after_newline(b"abc\n", 4));
        assert!(!can_split_after_newline(b"abc\n  .def", 4));
        assert!(!can_split_after_newline(b"abc\n-def", 4));
    }

    #[test]
    fn small_or_unsplittable_texts_stay_one_piece() {
        assert_eq!(split_points("", 4, 1), vec![0, 0]);
        assert_eq!(split_points("abc\ndef\n", 4, 1 << 20), vec![0, 8]);
        // No line ends in a byte that ends tokens: one piece.
        assert_eq!(split_points("abc\ndef\nghi\n", 3, 1), vec![0, 12]);
        assert_eq!(split_points("ab;\ncd;\nef;\n", 3, 1), vec![0, 4, 8, 12]);
    }

    #[test]
    fn lookalikes_are_not_tokens() {
        for text in [
            "version 1.2.3 and a.b.c and com.example.pkg",
            "keyJson.foo.bar and theyJump.over.fences",
            "eyJhbGciOiJIUzI1NiJ9 alone",
            "eyJub3RhaGVhZGVyIjoxfQ.eyJzdWIiOiIxIn0.c2ln", // JSON header without alg
            "eyJzZWNvbmQ.eyJzZWNvbmQ.eyJzZWNvbmQ",         // header is not JSON
            "eyJhbGciOiJIUzI1NiJ9.",                       // lone header and a full stop
        ] {
            assert!(find_tokens(text).is_empty(), "{text}");
        }
    }
}
