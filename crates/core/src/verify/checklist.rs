//! The checklist an examination produces, and its two renderings: Markdown for hovers and plain
//! text for `jwt-lsp explain`. Steps are always in order ① … ⑤, then the signature.

use crate::finding::Finding;

use super::Deferred;

/// ✓ passed, ✗ failed, – not checked (nothing configured, or not applicable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Pass,
    Fail,
    Skip,
}

impl Mark {
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Pass => "✓",
            Mark::Fail => "✗",
            Mark::Skip => "–",
        }
    }
}

/// The signature's outcome: one per token, the most specific cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verdict {
    Verified,
    Invalid,
    KidUnknown,
    KeyConfusion,
    WeakSecret,
    #[default]
    NotChecked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// 1 to 5; 6 is the signature.
    pub number: u8,
    pub name: &'static str,
    pub mark: Mark,
    pub text: String,
}

impl Step {
    pub fn label(&self) -> &'static str {
        match self.number {
            1 => "①",
            2 => "②",
            3 => "③",
            4 => "④",
            5 => "⑤",
            _ => "✎",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Examination {
    pub steps: Vec<Step>,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    /// Slow work left for a background task (`Mode::Deferred`).
    pub deferred: Vec<Deferred>,
    /// Extra lines for the reader (a search running in the background, ...).
    pub notes: Vec<String>,
}

impl Examination {
    pub(super) fn push(&mut self, number: u8, name: &'static str, mark: Mark, text: String) {
        self.steps.push(Step { number, name, mark, text });
        self.steps.sort_by_key(|step| step.number);
    }

    pub(super) fn insert_kid_step(&mut self, mark: Mark, text: String) {
        self.push(3, "kid", mark, text);
    }

    pub(super) fn signature(&mut self, mark: Mark, text: String, verdict: Verdict) {
        self.push(6, "signature", mark, text);
        self.verdict = verdict;
    }

    /// The first failing step: the verdict `explain` prints.
    pub fn first_failure(&self) -> Option<&Step> {
        self.steps.iter().find(|step| step.mark == Mark::Fail)
    }

    /// Every step passed and the signature verified (`explain` exits 0 only then).
    pub fn all_passed(&self) -> bool {
        self.first_failure().is_none() && self.verdict == Verdict::Verified
    }

    /// The checklist as Markdown lines, for the hover.
    pub fn markdown(&self) -> String {
        let mut out = String::from("**Verification**\n\n");
        for step in &self.steps {
            let title =
                if step.number == 6 { "**signature**".to_string() } else { format!("{} {}", step.label(), step.name) };
            out.push_str(&format!("- {title} {} {}\n", step.mark.symbol(), step.text));
        }
        for note in &self.notes {
            out.push_str(&format!("- _{note}_\n"));
        }
        out
    }

    /// The checklist as aligned plain text, then the verdict line.
    pub fn plain(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            let title =
                if step.number == 6 { "  signature".to_string() } else { format!("{} {}", step.label(), step.name) };
            out.push_str(&format!("{title:<11} {} {}\n", step.mark.symbol(), step.text));
        }
        for note in &self.notes {
            out.push_str(&format!("note: {note}\n"));
        }
        out.push('\n');
        out.push_str(&self.verdict_line());
        out.push('\n');
        out
    }

    pub fn verdict_line(&self) -> String {
        match self.first_failure() {
            Some(step) if step.number == 6 => format!("Verdict: ✗ signature — {}", step.text),
            Some(step) => format!("Verdict: ✗ {} {} — {}", step.label(), step.name, step.text),
            None if self.verdict == Verdict::Verified => "Verdict: ✓ every step passes".to_string(),
            None => {
                let why =
                    self.steps.iter().find(|step| step.number == 6).map(|step| step.text.clone()).unwrap_or_default();
                format!("Verdict: – nothing failed, but the signature was not verified ({why})")
            }
        }
    }
}
