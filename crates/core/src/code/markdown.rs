//! Markdown: fenced code blocks in JS/TS/Python/Go are analysed as fragments and their findings
//! (and fix edits) moved back to the Markdown file's offsets. Fragments often skip imports, so
//! there the conventional names (`jwt`, `jose`) stand for their libraries. A Go fragment without
//! a `package` clause is wrapped in a package (and, for bare statements, a function) first.

use std::ops::Range;

use super::{Language, Options, Sink, analyze_source, mentions_jwt_library, parse};
use crate::finding::{Finding, Fix, TextEdit};

/// One fenced block: its language and its code with the fence's indentation removed.
struct Fence {
    language: Language,
    code: String,
    /// For each line of `code`: (offset in `code`, offset in the Markdown text).
    lines: Vec<(usize, usize)>,
}

impl Fence {
    /// The Markdown offset of a `code` offset.
    fn original(&self, offset: usize) -> usize {
        let line = self.lines.partition_point(|(start, _)| *start <= offset).saturating_sub(1);
        let (code_start, original_start) = self.lines.get(line).copied().unwrap_or((0, 0));
        original_start + (offset - code_start)
    }
}

pub(super) fn analyze(text: &str, options: &Options, sink: &mut Sink) {
    if !(text.contains("```") || text.contains("~~~")) || !mentions_jwt_library(text, Language::Markdown, true) {
        return;
    }
    let fence_options = Options { conventional_names: true, ..*options };
    for fence in fences(text) {
        if !mentions_jwt_library(&fence.code, fence.language, true) {
            continue;
        }
        let (source, shift) = match fence.language {
            Language::Go => go_compilation_unit(&fence.code),
            Language::Rust => rust_compilation_unit(&fence.code),
            Language::Php => php_unit(&fence.code),
            _ => (fence.code.clone(), 0),
        };
        let mut inner = Sink::default();
        analyze_source(&source, fence.language, &fence_options, &mut inner);
        let to_markdown = |range: &Range<usize>| -> Option<Range<usize>> {
            let start = range.start.checked_sub(shift)?;
            let end = range.end.checked_sub(shift)?;
            (end <= fence.code.len()).then(|| fence.original(start)..fence.original(end))
        };
        for finding in inner.findings {
            let Some(range) = to_markdown(&finding.range) else { continue };
            let fixes = finding
                .fixes
                .iter()
                .filter_map(|fix| {
                    let edits = fix
                        .edits
                        .iter()
                        .map(|edit| {
                            Some(TextEdit {
                                range: to_markdown(&edit.range)?,
                                new_text: reindent(&edit.new_text, text, to_markdown(&edit.range)?.start),
                            })
                        })
                        .collect::<Option<Vec<_>>>()?;
                    Some(Fix { title: fix.title.clone(), edits, preferred: fix.preferred })
                })
                .collect();
            sink.push(Finding { range, fixes, ..finding });
        }
    }
}

/// The source each analysable fence is parsed as (fix tests check it still parses).
#[cfg(test)]
pub(super) fn fence_sources(text: &str) -> Vec<(String, Language)> {
    fences(text)
        .into_iter()
        .map(|fence| match fence.language {
            Language::Go => (go_compilation_unit(&fence.code).0, Language::Go),
            Language::Rust => (rust_compilation_unit(&fence.code).0, Language::Rust),
            Language::Php => (php_unit(&fence.code).0, Language::Php),
            language => (fence.code, language),
        })
        .collect()
}

/// Inserted lines inside an indented fence keep the fence's indentation.
fn reindent(new_text: &str, markdown: &str, at: usize) -> String {
    if !new_text.contains('\n') {
        return new_text.to_string();
    }
    let line_start = super::syntax::line_start(markdown, at);
    let fence_indent: String = markdown[line_start..].chars().take_while(|ch| *ch == ' ').collect();
    if fence_indent.is_empty() { new_text.to_string() } else { new_text.replace('\n', &format!("\n{fence_indent}")) }
}

/// A Go fragment as a file: as is when it has a `package` clause, else with one added, and
/// bare statements wrapped in a function. Returns the text and the length of what was added
/// in front.
fn go_compilation_unit(code: &str) -> (String, usize) {
    let has_package = code.lines().any(|line| line.trim_start().starts_with("package "));
    if has_package {
        return (code.to_string(), 0);
    }
    let with_package = format!("package snippet\n{code}");
    if parse(&with_package, Language::Go).is_some_and(|tree| !tree.root_node().has_error()) {
        return (with_package, "package snippet\n".len());
    }
    let prefix = "package snippet\nfunc snippet() {\n";
    let wrapped = format!("{prefix}{code}\n}}\n");
    if parse(&wrapped, Language::Go).is_some_and(|tree| !tree.root_node().has_error()) {
        return (wrapped, prefix.len());
    }
    (with_package, "package snippet\n".len())
}

/// A Rust fragment as a file: as is when it parses, else its bare statements wrapped in a
/// function. Returns the text and the length of what was added in front.
fn rust_compilation_unit(code: &str) -> (String, usize) {
    if parse(code, Language::Rust).is_some_and(|tree| !tree.root_node().has_error()) {
        return (code.to_string(), 0);
    }
    let prefix = "fn snippet() -> Result<(), Box<dyn std::error::Error>> {\n";
    let wrapped = format!("{prefix}{code}\nOk(())\n}}\n");
    if parse(&wrapped, Language::Rust).is_some_and(|tree| !tree.root_node().has_error()) {
        return (wrapped, prefix.len());
    }
    (code.to_string(), 0)
}

/// A PHP fragment as a file: code before `<?php` is HTML text to the grammar.
fn php_unit(code: &str) -> (String, usize) {
    if code.trim_start().starts_with("<?php") {
        return (code.to_string(), 0);
    }
    (format!("<?php\n{code}"), "<?php\n".len())
}

fn fences(text: &str) -> Vec<Fence> {
    let mut out = Vec::new();
    let mut open: Option<(char, usize, usize, Option<Language>)> = None; // (char, run length, indent, language)
    let mut current = Fence { language: Language::JavaScript, code: String::new(), lines: Vec::new() };
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let indent = content.len() - content.trim_start_matches(' ').len();
        let rest = &content[indent..];
        let marker = rest.chars().next().filter(|ch| *ch == '`' || *ch == '~');
        let run = marker.map_or(0, |ch| rest.chars().take_while(|c| *c == ch).count());
        match open {
            None => {
                if let Some(ch) = marker
                    && run >= 3
                {
                    let info = &rest[run..];
                    if ch == '`' && info.contains('`') {
                        continue;
                    }
                    let language = Language::from_fence_info(info.trim());
                    open = Some((ch, run, indent, language));
                    current = Fence {
                        language: language.unwrap_or(Language::JavaScript),
                        code: String::new(),
                        lines: Vec::new(),
                    };
                }
            }
            Some((ch, length, fence_indent, language)) => {
                if marker == Some(ch) && run >= length && rest[run..].trim().is_empty() {
                    if language.is_some() {
                        out.push(std::mem::replace(
                            &mut current,
                            Fence { language: Language::JavaScript, code: String::new(), lines: Vec::new() },
                        ));
                    }
                    open = None;
                    continue;
                }
                if language.is_some() {
                    // Remove up to the fence's own indentation from each content line.
                    let strip = line.len() - line.trim_start_matches(' ').len();
                    let strip = strip.min(fence_indent);
                    current.lines.push((current.code.len(), line_start + strip));
                    current.code.push_str(&line[strip..]);
                }
            }
        }
    }
    // An unclosed fence runs to the end of the document (CommonMark).
    if let Some((_, _, _, Some(_))) = open {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::{Context, analyze as analyze_code};
    use crate::rules::Rule;

    #[test]
    fn fences_are_found_with_their_offsets() {
        let text = "# Guide\n\n```js\nconst a = 1;\n```\n\n  ~~~python title=x\n  b = 2\n  ~~~\n```\nplain\n```\n";
        let found = fences(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].language, Language::JavaScript);
        assert_eq!(found[0].code, "const a = 1;\n");
        assert_eq!(&text[found[0].original(6)..found[0].original(7)], "a");
        assert_eq!(found[1].language, Language::Python);
        assert_eq!(found[1].code, "b = 2\n");
        assert_eq!(&text[found[1].original(0)..found[1].original(1)], "b");
    }

    #[test]
    fn findings_land_on_the_markdown_lines() {
        let text = "Verify like this:\n\n```go\ntoken, err := jwt.Parse(tokenString, func(token *jwt.Token) (interface{}, error) {\n\treturn []byte(\"AllYourBase\"), nil\n})\n```\n";
        let findings = analyze_code(text, Language::Markdown, &Context::default());
        let missing =
            findings.iter().find(|finding| finding.rule == Rule::VerifyMissingAlgorithms).expect("missing algorithms");
        assert_eq!(&text[missing.range.clone()], "jwt.Parse");
        let secret = findings.iter().find(|finding| finding.rule == Rule::HardcodedSecret).expect("secret");
        assert_eq!(&text[secret.range.clone()], "\"AllYourBase\"");
    }
}
