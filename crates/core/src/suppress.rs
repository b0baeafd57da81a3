//! Ignore comments: `jwt-lsp-ignore` or `jwt-lsp-ignore: code, code` in any comment syntax.
//! Trailing a line, the directive covers that line; alone on its line, it covers the next line.

use crate::finding::{Finding, Fix, TextEdit};
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
    // memmem (SIMD) rather than `match_indices`: this runs over every file with findings.
    for at in memchr::memmem::find_iter(text.as_bytes(), DIRECTIVE) {
        let line = index.line_of(text, at);
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
pub fn apply(findings: &mut Vec<Finding>, suppressions: &[Suppression], text: &str, index: &LineIndex) {
    if suppressions.is_empty() {
        return;
    }
    findings.retain(|finding| {
        let line = index.line_of(text, finding.range.start);
        !suppressions.iter().any(|suppression| {
            suppression.line == line
                && (suppression.codes.is_empty() || suppression.codes.iter().any(|code| code == finding.rule.code()))
        })
    });
}

/// How a line comment is written in a file, for the "ignore on this line" fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentStyle {
    Slashes,
    Hash,
    Semicolon,
    Html,
}

impl CommentStyle {
    /// `None` where no comment syntax exists (JSON, plain text): no ignore fix is offered there.
    pub fn for_file(path: Option<&str>, language_id: Option<&str>) -> Option<CommentStyle> {
        let by_id = match language_id.unwrap_or_default() {
            "javascript" | "javascriptreact" | "typescript" | "typescriptreact" | "go" | "rust" | "java" | "c"
            | "cpp" | "csharp" | "kotlin" | "swift" | "jsonc" | "php" | "scala" | "dart" => Some(CommentStyle::Slashes),
            "python" | "yaml" | "toml" | "shellscript" | "dotenv" | "properties" | "ruby" | "perl" | "r" | "http"
            | "dockerfile" | "makefile" | "powershell" | "elixir" | "terraform" | "hcl" => Some(CommentStyle::Hash),
            "ini" => Some(CommentStyle::Semicolon),
            "markdown" | "html" | "xml" | "vue" | "svelte" => Some(CommentStyle::Html),
            _ => None,
        };
        if by_id.is_some() {
            return by_id;
        }
        let name = path?.rsplit('/').next()?.to_ascii_lowercase();
        if name.starts_with(".env") || name == "dockerfile" || name == "makefile" {
            return Some(CommentStyle::Hash);
        }
        let extension = name.rsplit_once('.')?.1.to_string();
        match extension.as_str() {
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" | "go" | "rs" | "java" | "c" | "h" | "cpp"
            | "cs" | "kt" | "swift" | "jsonc" | "json5" | "php" | "scala" | "dart" => Some(CommentStyle::Slashes),
            "py" | "yaml" | "yml" | "toml" | "sh" | "bash" | "zsh" | "env" | "properties" | "rb" | "pl" | "r"
            | "http" | "rest" | "tf" | "hcl" | "conf" | "cfg" | "ps1" | "ex" | "exs" => Some(CommentStyle::Hash),
            "ini" => Some(CommentStyle::Semicolon),
            "md" | "markdown" | "html" | "htm" | "xml" | "vue" | "svelte" => Some(CommentStyle::Html),
            _ => None,
        }
    }

    fn comment(self, body: &str) -> String {
        match self {
            CommentStyle::Slashes => format!("// {body}"),
            CommentStyle::Hash => format!("# {body}"),
            CommentStyle::Semicolon => format!("; {body}"),
            CommentStyle::Html => format!("<!-- {body} -->"),
        }
    }
}

/// "Ignore <code> on this line": a directive on its own line above the finding, indented like it.
pub fn ignore_fix(text: &str, index: &LineIndex, finding: &Finding, style: CommentStyle) -> Fix {
    let line = index.line_of(text, finding.range.start);
    let range = index.line_range(text, line);
    let content = &text[range.clone()];
    let indent = &content[..content.len() - content.trim_start().len()];
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let directive = style.comment(&format!("{DIRECTIVE}: {}", finding.rule.code()));
    Fix {
        title: format!("Ignore {} on this line", finding.rule.code()),
        edits: vec![TextEdit { range: range.start..range.start, new_text: format!("{indent}{directive}{newline}") }],
        preferred: false,
    }
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

    #[test]
    fn ignore_fix_silences_the_finding() {
        use crate::rules::Rule;
        let text = "a\n    TOKEN=x\n";
        let index = LineIndex::new(text);
        let finding = Finding::new(Rule::TokenExpired, 10..15, "m");
        let fix = ignore_fix(text, &index, &finding, CommentStyle::Hash);
        let (fixed, _) = crate::finding::apply_edits(text, &fix.edits);
        assert_eq!(fixed, "a\n    # jwt-lsp-ignore: token-expired\n    TOKEN=x\n");
        let index = LineIndex::new(&fixed);
        let mut findings = vec![Finding::new(Rule::TokenExpired, 42..47, "m")];
        apply(&mut findings, &find_suppressions(&fixed, &index), &fixed, &index);
        assert!(findings.is_empty());
    }
}
