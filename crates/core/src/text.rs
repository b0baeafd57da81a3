//! Line index and position conversion between byte offsets (used everywhere inside) and
//! line/column pairs in UTF-8 bytes, UTF-16 code units or Unicode scalar values (used at the edges:
//! LSP positions in the negotiated encoding, CLI columns in characters).

use std::borrow::Cow;
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    /// Unicode scalar values: LSP `utf-32`, and the CLI's "columns in characters".
    Utf32,
}

/// A zero-based line and column, the column counted in some `Encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Start offsets of every line. Line breaks are `\n`, `\r\n` and a lone `\r`, as in LSP.
///
/// Built on first use, from the text every query passes in (always the text it was made for):
/// most files `check` reads have no finding and never need their lines (finding them was 6 % of
/// a source tree's scan).
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: std::sync::OnceLock<Vec<usize>>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        LineIndex { starts: std::sync::OnceLock::new(), len: text.len() }
    }

    fn starts(&self, text: &str) -> &[usize] {
        debug_assert_eq!(text.len(), self.len, "a line index queried with another text");
        self.starts.get_or_init(|| line_starts(text))
    }

    pub fn line_count(&self, text: &str) -> usize {
        self.starts(text).len()
    }

    /// Zero-based line holding `offset`.
    pub fn line_of(&self, text: &str, offset: usize) -> usize {
        match self.starts(text).binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte range of a line's content, without its line break.
    pub fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let starts = self.starts(text);
        let start = starts[line];
        let mut end = starts.get(line + 1).copied().unwrap_or(self.len);
        let bytes = text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    pub fn line_col(&self, text: &str, offset: usize, encoding: Encoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(text, offset);
        let start = self.starts(text)[line];
        LineCol { line: line as u32, col: width(&text[start..offset], encoding) as u32 }
    }

    /// The byte offset of a position. Positions past the end of a line clamp to the line end and
    /// positions past the last line clamp to the end of the text, as LSP asks; a column inside a
    /// UTF-16 surrogate pair or a UTF-8 sequence rounds down to the character start.
    pub fn offset(&self, text: &str, position: LineCol, encoding: Encoding) -> usize {
        let line = position.line as usize;
        if line >= self.line_count(text) {
            return self.len;
        }
        let range = self.line_range(text, line);
        let content = &text[range.clone()];
        let wanted = position.col as usize;
        let mut units = 0;
        for (index, ch) in content.char_indices() {
            let width = match encoding {
                Encoding::Utf8 => ch.len_utf8(),
                Encoding::Utf16 => ch.len_utf16(),
                Encoding::Utf32 => 1,
            };
            if units + width > wanted {
                return range.start + index;
            }
            units += width;
        }
        range.end
    }
}

/// At most this many positions are found by counting line breaks instead of indexing lines.
const FEW_POSITIONS: usize = 32;

/// `\n` bytes in `bytes` (memchr counts without visiting each match: ~50 GB/s, against ~4 for
/// a vectorised filter-and-count loop).
fn count_line_feeds(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

fn line_starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut line_starts = vec![0];
    // Most files end lines with `\n` alone: one vectorised pass that yields every newline
    // costs less than a search started afresh per line. (Measured against 32- and 64-byte
    // blocks reduced to bit masks: memchr's iterator is as fast on 40-byte source lines and
    // three times faster on long log lines.)
    if memchr::memchr(b'\r', bytes).is_none() {
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|at| at + 1));
        return line_starts;
    }
    // `\r\n` and lone `\r`: a search per line (on 4 MiB of `\r\n` lines, 600 µs against 860
    // for one `memchr2_iter` pass that also stops at each `\r` of a `\r\n`).
    let mut i = 0;
    while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
        let at = i + found;
        let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') { at + 2 } else { at + 1 };
        line_starts.push(next);
        i = next;
    }
    line_starts
}

/// Converts offsets to line/column incrementally: an offset on the same line as, and after, the
/// previous one is measured from the previous one, not from the line start. Sorted offsets on
/// one line thus cost one pass over it (a 2.5 MB line with 20,000 tokens was quadratic); an
/// offset before the previous one, or on another line, starts again from its line start.
pub struct Cursor<'a> {
    index: &'a LineIndex,
    text: &'a str,
    encoding: Encoding,
    line: usize,
    /// Start of the next line (`usize::MAX` on the last): offsets below it are on `line`.
    next_line_start: usize,
    offset: usize,
    col: usize,
}

impl<'a> Cursor<'a> {
    pub fn line_col(&mut self, offset: usize) -> LineCol {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        if offset < self.offset || offset >= self.next_line_start {
            let starts = self.index.starts(self.text);
            self.line = self.index.line_of(self.text, offset);
            self.offset = starts[self.line];
            self.next_line_start = starts.get(self.line + 1).copied().unwrap_or(usize::MAX);
            self.col = 0;
        }
        self.col += width(&self.text[self.offset..offset], self.encoding);
        self.offset = offset;
        LineCol { line: self.line as u32, col: self.col as u32 }
    }
}

fn width(text: &str, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => text.len(),
        Encoding::Utf16 => text.chars().map(char::len_utf16).sum(),
        Encoding::Utf32 => text.chars().count(),
    }
}

impl LineIndex {
    pub fn cursor<'a>(&'a self, text: &'a str, encoding: Encoding) -> Cursor<'a> {
        Cursor {
            index: self,
            text,
            encoding,
            line: 0,
            next_line_start: self.starts(text).get(1).copied().unwrap_or(usize::MAX),
            offset: 0,
            col: 0,
        }
    }

    /// `line_col` of every offset, in the order given. The offsets are visited sorted, so the
    /// cost is one pass per line however many offsets share it.
    pub fn line_cols(&self, text: &str, offsets: &[usize], encoding: Encoding) -> Vec<LineCol> {
        // Most files of a tree have no token: nothing to look at, not even for a `\r`.
        let Some(last) = offsets.iter().max() else { return Vec::new() };
        let mut order: Vec<usize> = (0..offsets.len()).collect();
        order.sort_unstable_by_key(|&position| offsets[position]);
        let mut out = vec![LineCol { line: 0, col: 0 }; offsets.len()];
        // A few positions in a file whose lines nobody has asked for yet (a token in a large
        // source file): count the line breaks up to them instead of recording every line start.
        // Counting runs at memory speed; the index pushes one entry per line (a tenth of `check`
        // on a source tree went to indexes built for one or two tokens per file).
        // Only the lines before the last position matter: a `\r` after it changes none of them.
        if self.starts.get().is_none()
            && offsets.len() <= FEW_POSITIONS
            && memchr::memchr(b'\r', &text.as_bytes()[..(*last).min(text.len())]).is_none()
        {
            let bytes = text.as_bytes();
            let (mut line, mut line_start, mut at, mut col) = (0, 0, 0, 0);
            for position in order {
                let offset = floor_char_boundary(text, offsets[position].min(text.len()));
                let breaks = count_line_feeds(&bytes[at..offset]);
                if breaks > 0 {
                    line += breaks;
                    line_start = memchr::memrchr(b'\n', &bytes[at..offset]).map_or(at, |found| at + found + 1);
                    (at, col) = (line_start, 0);
                }
                // Measured from the previous position when on the same line: a long line with
                // several tokens costs one pass.
                col += width(&text[at..offset], encoding);
                at = offset;
                debug_assert!(line_start <= at);
                out[position] = LineCol { line: line as u32, col: col as u32 };
            }
            return out;
        }
        let mut cursor = self.cursor(text, encoding);
        for position in order {
            out[position] = cursor.line_col(offsets[position]);
        }
        out
    }
}

/// `text` safe to print on a terminal: C0 controls (line breaks and tabs included, so one value
/// cannot fake further output lines), DEL, C1 controls and the bidi embeddings, overrides and
/// isolates (U+202A–U+202E, U+2066–U+2069) become visible escapes such as `\u{1b}`. Decoded
/// claims come from untrusted tokens: raw, an `ESC ]` sequence could retitle or rewrite the
/// user's terminal, a bidi override could make text read differently from what it is.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    let needs_escape = |ch: char| matches!(ch, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for ch in text.chars() {
        match ch {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ch if needs_escape(ch) => out.push_str(&format!("\\u{{{:x}}}", ch as u32)),
            ch => out.push(ch),
        }
    }
    Cow::Owned(out)
}

/// `terminal_safe` for multi-line text: each line escaped, the line breaks kept.
pub fn terminal_safe_lines(text: &str) -> String {
    let lines: Vec<Cow<'_, str>> = text.split('\n').map(terminal_safe).collect();
    lines.join("\n")
}

pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// `103781` → `103,781`, for counts people read.
pub fn thousands(count: usize) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_starts_by_blocks_match_a_plain_search() {
        for length in [0, 1, 63, 64, 65, 127, 128, 129, 1000] {
            for every in [1, 2, 7, 40, 64, 200] {
                let text: String = (0..length).map(|at| if at % every == every - 1 { '\n' } else { 'x' }).collect();
                let expected: Vec<usize> =
                    std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect();
                assert_eq!(line_starts(&text), expected, "length {length}, a line break every {every}");
            }
        }
    }

    /// `\r\n` and lone `\r` in every arrangement, against a search from each line's end.
    #[test]
    fn line_starts_with_carriage_returns_match_a_line_by_line_search() {
        let reference = |text: &str| {
            let bytes = text.as_bytes();
            let (mut starts, mut i) = (vec![0], 0);
            while let Some(found) = bytes[i..].iter().position(|&byte| byte == b'\n' || byte == b'\r') {
                let at = i + found;
                i = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') { at + 2 } else { at + 1 };
                starts.push(i);
            }
            starts
        };
        let pieces = ["\r", "\n", "\r\n", "x", "日本", "😀"];
        let mut seed = 7u64;
        let mut next = |below: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize % below
        };
        for _ in 0..3000 {
            let text: String = (0..next(40)).map(|_| pieces[next(pieces.len())]).collect();
            assert_eq!(line_starts(&text), reference(&text), "{text:?}");
        }
        for text in ["\r", "\r\r\n", "\n\r", "a\r", "\r\n\r\n"] {
            assert_eq!(line_starts(text), reference(text), "{text:?}");
        }
    }

    /// A few positions are counted, many are indexed: both give the same lines and columns.
    #[test]
    fn counted_positions_match_indexed_ones() {
        // `\r` too: a text that has one only after the last position still takes the counting path.
        let pieces = ["a", "日本", "😀", "\n", "\n\n", "xyz ", "é", "\r\n", "\r"];
        let mut random = crate::test_random(0x9e37_79b9_7f4a_7c15);
        let mut next = |bound: usize| (random() % bound as u64) as usize;
        for _ in 0..2000 {
            let text: String = (0..next(200)).map(|_| pieces[next(pieces.len())]).collect();
            let offsets: Vec<usize> = (0..next(FEW_POSITIONS + 1)).map(|_| next(text.len() + 2)).collect();
            for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                let counted = LineIndex::new(&text).line_cols(&text, &offsets, encoding);
                let index = LineIndex::new(&text);
                let _ = index.line_count(&text); // built: the indexed path
                assert_eq!(counted, index.line_cols(&text, &offsets, encoding), "{text:?} {offsets:?}");
            }
        }
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(103_781), "103,781");
        assert_eq!(thousands(12_345_678), "12,345,678");
    }

    #[test]
    fn columns_in_each_encoding_with_cjk_and_emoji() {
        // "日本" is 2 chars / 2 UTF-16 units / 6 bytes; "😀" is 1 char / 2 units / 4 bytes.
        let text = "first\n日本😀x = 1\r\nlast";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.line_col(text, x, Encoding::Utf8), LineCol { line: 1, col: 10 });
        assert_eq!(index.line_col(text, x, Encoding::Utf16), LineCol { line: 1, col: 4 });
        assert_eq!(index.line_col(text, x, Encoding::Utf32), LineCol { line: 1, col: 3 });
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let at = index.line_col(text, x, encoding);
            assert_eq!(index.offset(text, at, encoding), x);
        }
        assert_eq!(index.line_col(text, text.find("last").unwrap(), Encoding::Utf16), LineCol { line: 2, col: 0 });
    }

    #[test]
    fn offsets_clamp_and_round_down() {
        let text = "a😀b\nc";
        let index = LineIndex::new(text);
        // Column 2 in UTF-16 is inside the surrogate pair: rounds down to the emoji's start.
        assert_eq!(index.offset(text, LineCol { line: 0, col: 2 }, Encoding::Utf16), 1);
        assert_eq!(index.offset(text, LineCol { line: 0, col: 99 }, Encoding::Utf16), 6);
        assert_eq!(index.offset(text, LineCol { line: 9, col: 0 }, Encoding::Utf16), text.len());
    }

    #[test]
    fn lone_carriage_returns_break_lines() {
        let text = "a\rb\r\nc\nd";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(text), 4);
        assert_eq!(index.line_range(text, 1), 2..3);
        assert_eq!(index.line_col(text, text.len(), Encoding::Utf8), LineCol { line: 3, col: 1 });
    }
    #[test]
    fn cursor_and_batch_agree_with_single_offset_conversion() {
        // CJK (3 bytes, 1 unit), emoji (4 bytes, 2 units), a combining accent (2 bytes, its own
        // char), all three line breaks, and a text that ends with a break.
        let text = "日本😀e\u{301}x\r\n\u{1F469}\u{200D}\u{1F4BB} = 1\rlé\nend\n";
        let index = LineIndex::new(text);
        let offsets: Vec<usize> = (0..=text.len() + 2).collect();
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let single: Vec<LineCol> = offsets.iter().map(|&offset| index.line_col(text, offset, encoding)).collect();
            let mut cursor = index.cursor(text, encoding);
            let walked: Vec<LineCol> = offsets.iter().map(|&offset| cursor.line_col(offset)).collect();
            assert_eq!(walked, single, "{encoding:?} sorted");
            // Out of order (backwards and jumping between lines) is still exact.
            let shuffled: Vec<usize> =
                offsets.iter().rev().copied().chain(offsets.iter().step_by(3).copied()).collect();
            let expected: Vec<LineCol> =
                shuffled.iter().map(|&offset| index.line_col(text, offset, encoding)).collect();
            let mut cursor = index.cursor(text, encoding);
            let walked: Vec<LineCol> = shuffled.iter().map(|&offset| cursor.line_col(offset)).collect();
            assert_eq!(walked, expected, "{encoding:?} cursor, shuffled");
            assert_eq!(index.line_cols(text, &shuffled, encoding), expected, "{encoding:?} batch, shuffled");
        }
    }

    #[test]
    fn terminal_safe_escapes_controls_and_bidi_only() {
        let hostile = "a\u{1b}]0;pwned\u{7}b\nc\u{7f}\u{9b}31m\u{202e}evil\u{2066}\u{2069}";
        assert_eq!(
            terminal_safe(hostile),
            "a\\u{1b}]0;pwned\\u{7}b\\nc\\u{7f}\\u{9b}31m\\u{202e}evil\\u{2066}\\u{2069}"
        );
        assert!(matches!(terminal_safe("日本 😀 e\u{301} \u{200d}"), Cow::Borrowed(_)));
        assert_eq!(terminal_safe_lines("a\u{1b}\nb\r\n"), "a\\u{1b}\nb\\r\n");
    }
}
