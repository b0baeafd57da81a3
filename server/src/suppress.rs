//! Ignore comments: `jwt-lsp-ignore` or `jwt-lsp-ignore: code, code` in any comment syntax.
//! Trailing a line, the directive covers that line; alone on its line, it covers the next line.

use crate::finding::Finding;
use crate::text::LineIndex;

const DIRECTIVE: &str = "jwt-lsp-ignore";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Zero-based line the directive applies to.
    pub line: usize,
    /// Rule codes; empty means every rule.
    pub codes: Vec<String>,
}

pub fn find_suppressions(text: &str, index: &LineIndex) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices(DIRECTIVE) {
        let line = index.line_of(at);
        let line_range = index.line_range(text, line);
        let before = &text[line_range.start..at];
        let after = &text[at + DIRECTIVE.len()..line_range.end.max(at + DIRECTIVE.len())];
        let codes = match after.strip_prefix(':') {
            Some(list) => list
                .split([',', ' '])
                .map(|code| code.trim().trim_end_matches(['*', '/', '-', '>']).trim())
                .take_while(|code| code.is_empty() || is_code(code))
                .filter(|code| !code.is_empty())
                .map(str::to_string)
                .collect(),
            None => Vec::new(),
        };
        let alone = before.trim().trim_start_matches(['#', '/', '*', ';', '-', '<', '!', '%']).trim().is_empty();
        out.push(Suppression { line: if alone { line + 1 } else { line }, codes });
    }
    out
}

fn is_code(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
}

/// Drops findings covered by a directive (matched on the finding's first line).
pub fn apply(findings: &mut Vec<Finding>, suppressions: &[Suppression], index: &LineIndex) {
    if suppressions.is_empty() {
        return;
    }
    findings.retain(|finding| {
        let line = index.line_of(finding.range.start);
        !suppressions.iter().any(|suppression| {
            suppression.line == line && (suppression.codes.is_empty() || suppression.codes.iter().any(|code| code == finding.rule.code()))
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_and_standalone_directives() {
        let text = "a = 1 // jwt-lsp-ignore: token-expired, token-no-expiry\n# jwt-lsp-ignore\nb = 2\n<!-- jwt-lsp-ignore: token-alg-none -->\nc";
        let index = LineIndex::new(text);
        let found = find_suppressions(text, &index);
        assert_eq!(
            found,
            vec![
                Suppression { line: 0, codes: vec!["token-expired".into(), "token-no-expiry".into()] },
                Suppression { line: 2, codes: vec![] },
                Suppression { line: 4, codes: vec!["token-alg-none".into()] },
            ]
        );
    }
}
