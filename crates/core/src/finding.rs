//! The one finding type every front end renders: the LSP, the CLI text/JSON output and SARIF.
//!
//! Ranges are byte offsets into the analysed text. Conversion to lines, UTF-16 columns or
//! Unicode-character columns happens only at the edges (`text::LineIndex`).

use std::ops::Range;

// `Severity` belongs to the rule registry (a rule's default severity); findings carry one.
use crate::rules::Rule;
pub use crate::rules::Severity;

/// A replacement of `range` (bytes) by `new_text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub range: Range<usize>,
    pub new_text: String,
}

/// A named set of edits that repairs (or silences) one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<TextEdit>,
    /// The fix a user most likely wants; `check --fix` applies only preferred fixes.
    pub preferred: bool,
}

/// Another place a finding points at (LSP `relatedInformation`, SARIF `relatedLocations`): the
/// verifier that rejects a token, in another file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// As the front end shows paths (relative to the workspace or the current folder).
    pub path: String,
    /// Zero-based line.
    pub line: usize,
    /// Zero-based column, in Unicode characters (CLI) and in UTF-16 code units (LSP).
    pub column: usize,
    pub column_utf16: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    pub range: Range<usize>,
    pub message: String,
    pub fixes: Vec<Fix>,
    pub related: Vec<Related>,
}

impl Finding {
    pub fn new(rule: Rule, range: Range<usize>, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: rule.default_severity(),
            range,
            message: message.into(),
            fixes: Vec::new(),
            related: Vec::new(),
        }
    }

    pub fn with_severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Finding {
        self.fixes.push(fix);
        self
    }
}

/// Applies edits to `text`, last first so earlier ranges stay valid; an edit that overlaps one
/// already applied is skipped (two fixes touching the same code cannot both be right), and an
/// edit identical to another is applied once (two Go fixes that both add `import "fmt"`).
/// Returns the new text and how many edits were applied.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> (String, usize) {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by(|a, b| (b.range.start, b.range.end, &b.new_text).cmp(&(a.range.start, a.range.end, &a.new_text)));
    sorted.dedup_by(|a, b| a.range == b.range && a.new_text == b.new_text);
    let mut out = text.to_string();
    let mut applied = 0;
    let mut lowest_start = usize::MAX;
    for edit in sorted {
        let valid = edit.range.start <= edit.range.end
            && edit.range.end <= text.len()
            && text.is_char_boundary(edit.range.start)
            && text.is_char_boundary(edit.range.end);
        if !valid || edit.range.end > lowest_start {
            continue;
        }
        out.replace_range(edit.range.clone(), &edit.new_text);
        lowest_start = edit.range.start;
        applied += 1;
    }
    (out, applied)
}

/// Applies whole fixes: a fix whose edits collide with an already chosen fix is skipped
/// entirely, so a multi-edit fix (a call change plus its import) is never half-applied.
/// Returns the new text and how many fixes were applied.
pub fn apply_fixes(text: &str, fixes: &[&Fix]) -> (String, usize) {
    let mut ordered: Vec<&Fix> = fixes.to_vec();
    ordered.sort_by_key(|fix| fix.edits.iter().map(|edit| edit.range.start).min().unwrap_or(usize::MAX));
    let mut chosen: Vec<&TextEdit> = Vec::new();
    let mut applied = 0;
    for fix in ordered {
        let collides = fix.edits.iter().any(|edit| {
            chosen.iter().any(|other| {
                let identical = other.range == edit.range && other.new_text == edit.new_text;
                let overlap = edit.range.start < other.range.end && other.range.start < edit.range.end;
                !identical && overlap
            })
        });
        if !collides {
            chosen.extend(fix.edits.iter());
            applied += 1;
        }
    }
    let edits: Vec<TextEdit> = chosen.into_iter().cloned().collect();
    (apply_edits(text, &edits).0, applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_apply_whole_or_not_at_all() {
        let edit = |range: std::ops::Range<usize>, text: &str| TextEdit { range, new_text: text.into() };
        let import = edit(0..0, "use fmt;\n");
        let first = Fix { title: "a".into(), edits: vec![edit(4..5, "X"), import.clone()], preferred: true };
        let second = Fix { title: "b".into(), edits: vec![edit(8..9, "Y"), import.clone()], preferred: true };
        let clash = Fix { title: "c".into(), edits: vec![edit(4..6, "Z"), edit(10..11, "W")], preferred: true };
        let (text, applied) = apply_fixes("0123456789ab", &[&first, &second, &clash]);
        assert_eq!((text.as_str(), applied), ("use fmt;\n0123X567Y9ab", 2));
    }

    #[test]
    fn edits_apply_back_to_front_and_skip_overlaps() {
        let edits = vec![
            TextEdit { range: 0..1, new_text: "A".into() },
            TextEdit { range: 4..5, new_text: "E!".into() },
            TextEdit { range: 3..5, new_text: "overlap".into() },
        ];
        let (text, applied) = apply_edits("abcde", &edits);
        assert_eq!((text.as_str(), applied), ("AbcdE!", 2));
    }

    #[test]
    fn identical_edits_apply_once() {
        let import = TextEdit { range: 2..2, new_text: "\"fmt\"\n".into() };
        let (text, applied) =
            apply_edits("a\nb", &[import.clone(), TextEdit { range: 0..1, new_text: "A".into() }, import]);
        assert_eq!((text.as_str(), applied), ("A\n\"fmt\"\nb", 2));
    }
}
