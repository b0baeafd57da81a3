//! The one finding type every front end renders: the LSP, the CLI text/JSON output and SARIF.
//!
//! Ranges are byte offsets into the analysed text. Conversion to lines, UTF-16 columns or
//! Unicode-character columns happens only at the edges (`text::LineIndex`).

use std::ops::Range;

use crate::rules::Rule;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    // Ordered from least to most severe so `>=` means "at least as bad as".
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" | "information" | "note" => Some(Severity::Info),
            "hint" => Some(Severity::Hint),
            _ => None,
        }
    }
}

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    pub range: Range<usize>,
    pub message: String,
    pub fixes: Vec<Fix>,
}

impl Finding {
    pub fn new(rule: Rule, range: Range<usize>, message: impl Into<String>) -> Finding {
        Finding { rule, severity: rule.default_severity(), range, message: message.into(), fixes: Vec::new() }
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
