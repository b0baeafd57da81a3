//! Line index and position conversion between byte offsets (used everywhere inside) and
//! line/column pairs in UTF-8 bytes, UTF-16 code units or Unicode scalar values (used at the edges:
//! LSP positions in the negotiated encoding, CLI columns in characters).

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
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
            let at = i + found;
            let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') { at + 2 } else { at + 1 };
            line_starts.push(next);
            i = next;
        }
        LineIndex { line_starts, len: text.len() }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Zero-based line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte range of a line's content, without its line break.
    pub fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let start = self.line_starts[line];
        let mut end = self.line_starts.get(line + 1).copied().unwrap_or(self.len);
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
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let prefix = &text[start..offset];
        let col = match encoding {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.chars().map(char::len_utf16).sum(),
            Encoding::Utf32 => prefix.chars().count(),
        };
        LineCol { line: line as u32, col: col as u32 }
    }

    /// The byte offset of a position. Positions past the end of a line clamp to the line end and
    /// positions past the last line clamp to the end of the text, as LSP asks; a column inside a
    /// UTF-16 surrogate pair or a UTF-8 sequence rounds down to the character start.
    pub fn offset(&self, text: &str, position: LineCol, encoding: Encoding) -> usize {
        let line = position.line as usize;
        if line >= self.line_starts.len() {
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

pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line_range(text, 1), 2..3);
        assert_eq!(index.line_col(text, text.len(), Encoding::Utf8), LineCol { line: 3, col: 1 });
    }
}
