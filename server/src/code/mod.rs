//! Code analysis: finds JWT verification code in JavaScript/TypeScript, Python and Go (and in
//! Markdown code fences) and reports what makes it accept forged tokens or reject good ones.
//!
//! Entry point: `analyze(text, language, context)`. Pure: text in, findings with byte ranges
//! (and their quick fixes) out. Precision first: a call is judged only when its callee provably
//! comes from a recognised JWT library, and options that cannot be resolved in the same file
//! produce no finding at all.
//!
//! Layout: `syntax` (tree helpers), `scope` (same-file definitions), `knowledge` (algorithms,
//! keys, weak secrets, durations, the shared allow-list and fix logic), one module per language,
//! and `markdown` (fences re-analysed at their offsets).

mod go;
mod javascript;
mod knowledge;
mod markdown;
mod python;
mod scope;
mod syntax;

#[cfg(test)]
mod fix_tests;

use std::cell::RefCell;
use std::collections::HashSet;

use tree_sitter::{Parser, Tree};

use crate::finding::Finding;
use crate::rules::Rule;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    JavaScript,
    TypeScript,
    Tsx,
    Python,
    Go,
    Markdown,
}

impl Language {
    /// From an LSP `languageId` first, else from the file name's extension.
    pub fn detect(path: Option<&str>, language_id: Option<&str>) -> Option<Language> {
        if let Some(language) = language_id.and_then(Language::from_language_id) {
            return Some(language);
        }
        let path = path?;
        let extension = path.rsplit_once('.').map(|(_, extension)| extension.to_ascii_lowercase())?;
        Some(match extension.as_str() {
            "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
            "ts" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "py" | "pyi" => Language::Python,
            "go" => Language::Go,
            "md" | "markdown" => Language::Markdown,
            _ => return None,
        })
    }

    pub fn from_language_id(id: &str) -> Option<Language> {
        Some(match id {
            "javascript" | "javascriptreact" => Language::JavaScript,
            "typescript" => Language::TypeScript,
            "typescriptreact" => Language::Tsx,
            "python" => Language::Python,
            "go" => Language::Go,
            "markdown" => Language::Markdown,
            _ => return None,
        })
    }

    /// The language of a Markdown fence's info string (`js`, `python title="x"`, `{.go}`).
    pub fn from_fence_info(info: &str) -> Option<Language> {
        let word = info.split_whitespace().next()?.trim_start_matches('{').trim_start_matches('.').trim_end_matches('}');
        Some(match word.to_ascii_lowercase().as_str() {
            "js" | "javascript" | "jsx" | "mjs" | "cjs" | "node" | "nodejs" => Language::JavaScript,
            "ts" | "typescript" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "py" | "python" | "python3" | "py3" => Language::Python,
            "go" | "golang" => Language::Go,
            _ => return None,
        })
    }

    fn grammar(self) -> Option<tree_sitter::Language> {
        Some(match self {
            Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::Go => tree_sitter_go::LANGUAGE.into(),
            Language::Markdown => return None,
        })
    }

    fn slot(self) -> usize {
        match self {
            Language::JavaScript => 0,
            Language::TypeScript => 1,
            Language::Tsx => 2,
            Language::Python => 3,
            Language::Go => 4,
            Language::Markdown => 5,
        }
    }
}

/// What the code analysis needs to know about the document beyond its text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// The path matches `testPaths`: signing with `none` is expected there, literal secrets are
    /// fixtures.
    pub in_test_path: bool,
}

/// Files larger than this are not parsed: they are generated or minified, not hand-written
/// verification code, and parsing them would stall the editor.
const MAX_PARSED_BYTES: usize = 4 * 1024 * 1024;

/// Findings on JWT code in `text`.
pub fn analyze(text: &str, language: Language, context: &Context) -> Vec<Finding> {
    let mut sink = Sink::default();
    let options = Options { context: *context, conventional_names: false };
    match language {
        Language::Markdown => markdown::analyze(text, &options, &mut sink),
        language => analyze_source(text, language, &options, &mut sink),
    }
    sink.findings
}

/// Per-run switches shared by the language analysers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    pub context: Context,
    /// A Markdown fence without imports: `jwt` / `jose` stand for their conventional libraries.
    pub conventional_names: bool,
}

/// Parses and analyses one source text (a file, or a fence's code).
pub(crate) fn analyze_source(text: &str, language: Language, options: &Options, sink: &mut Sink) {
    if text.len() > MAX_PARSED_BYTES || !mentions_jwt_library(text, language, options.conventional_names) {
        return;
    }
    let Some(tree) = parse(text, language) else { return };
    match language {
        Language::JavaScript | Language::TypeScript | Language::Tsx => javascript::analyze(text, &tree, options, sink),
        Language::Python => python::analyze(text, &tree, options, sink),
        Language::Go => go::analyze(text, &tree, options, sink),
        Language::Markdown => {}
    }
}

/// The cheap literal prefilter: a file that names no JWT library is never parsed, which keeps
/// `check` over large trees of unrelated code close to the cost of reading them.
pub(crate) fn mentions_jwt_library(text: &str, language: Language, conventional_names: bool) -> bool {
    let needles: &[&str] = match language {
        Language::JavaScript | Language::TypeScript | Language::Tsx if conventional_names => &["jsonwebtoken", "jose", "jwt", "passport-jwt"],
        Language::JavaScript | Language::TypeScript | Language::Tsx => &["jsonwebtoken", "jose", "express-jwt", "passport-jwt"],
        // `jwt` covers PyJWT imports and `JWT_SECRET_KEY`-style config only in lower case, so
        // the config keys get their own needle.
        Language::Python => &["jwt", "jose", "JWT_"],
        Language::Go if conventional_names => &["jwt", "jose"],
        Language::Go => &["golang-jwt/jwt", "dgrijalva/jwt-go", "jwt-go", "lestrrat-go/jwx", "go-jose", "square/go-jose"],
        Language::Markdown => &["jwt", "jose", "JWT_"],
    };
    let bytes = text.as_bytes();
    needles.iter().any(|needle| memchr::memmem::find(bytes, needle.as_bytes()).is_some())
}

thread_local! {
    /// One parser per language and thread, reused: analysis runs on every keystroke.
    static PARSERS: RefCell<[Option<Parser>; 6]> = const { RefCell::new([None, None, None, None, None, None]) };
}

pub(crate) fn parse(text: &str, language: Language) -> Option<Tree> {
    let grammar = language.grammar()?;
    PARSERS.with(|parsers| {
        let mut parsers = parsers.try_borrow_mut().ok()?;
        let slot = &mut parsers[language.slot()];
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&grammar).ok()?;
            *slot = Some(parser);
        }
        slot.as_mut()?.parse(text, None)
    })
}

/// Collects findings, dropping exact duplicates (one literal secret used by three calls is one
/// finding, on the literal).
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub findings: Vec<Finding>,
    seen: HashSet<(Rule, usize, usize)>,
}

impl Sink {
    pub fn push(&mut self, finding: Finding) {
        if self.seen.insert((finding.rule, finding.range.start, finding.range.end)) {
            self.findings.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_info_strings() {
        assert_eq!(Language::from_fence_info("js"), Some(Language::JavaScript));
        assert_eq!(Language::from_fence_info("python title=\"x.py\""), Some(Language::Python));
        assert_eq!(Language::from_fence_info("{.go}"), Some(Language::Go));
        assert_eq!(Language::from_fence_info("TSX"), Some(Language::Tsx));
        assert_eq!(Language::from_fence_info("rust"), None);
        assert_eq!(Language::from_fence_info(""), None);
    }

    #[test]
    fn prefilter_skips_files_without_a_jwt_library() {
        assert!(!mentions_jwt_library("const x = require('express');", Language::JavaScript, false));
        assert!(mentions_jwt_library("const x = require('jsonwebtoken');", Language::JavaScript, false));
        assert!(!mentions_jwt_library("jwt.verify(t, k)", Language::JavaScript, false));
        assert!(mentions_jwt_library("jwt.verify(t, k)", Language::JavaScript, true));
        assert!(!mentions_jwt_library("import \"net/http\"", Language::Go, false));
        assert!(mentions_jwt_library("import \"github.com/golang-jwt/jwt/v5\"", Language::Go, false));
    }

    #[test]
    fn no_panic_on_hostile_input() {
        let deep_js = format!("const jwt = require('jsonwebtoken');\n{}jwt.verify(t, k){}", "(".repeat(20_000), ")".repeat(20_000));
        let deep_py = format!("import jwt\nx = {}jwt.decode(t, k){}", "[".repeat(20_000), "]".repeat(20_000));
        let deep_go = format!("package p\nimport \"github.com/golang-jwt/jwt/v5\"\nvar x = {}jwt.Parse(s, nil){}", "(".repeat(20_000), ")".repeat(20_000));
        let garbage = "jsonwebtoken jwt jose golang-jwt/jwt ) ( { [ \" ' ` \\ \u{0} é 🙂".repeat(200);
        for (text, language) in [
            (deep_js.as_str(), Language::JavaScript),
            (deep_py.as_str(), Language::Python),
            (deep_go.as_str(), Language::Go),
            (garbage.as_str(), Language::JavaScript),
            (garbage.as_str(), Language::TypeScript),
            (garbage.as_str(), Language::Tsx),
            (garbage.as_str(), Language::Python),
            (garbage.as_str(), Language::Go),
            (garbage.as_str(), Language::Markdown),
            ("```js\njwt.verify(", Language::Markdown),
            ("```go\njwt.Parse(", Language::Markdown),
        ] {
            let _ = analyze(text, language, &Context::default());
        }
    }

    /// Definitions that refer to each other twice over must not make evaluation exponential.
    #[test]
    fn branching_definitions_stay_cheap() {
        let mut js = String::from("const jwt = require('jsonwebtoken');\nconst k0 = 'x';\n");
        let mut py = String::from("import jwt\nk0 = 'x'\n");
        for index in 1..200 {
            js.push_str(&format!("const k{index} = k{0} || k{0} + k{0};\n", index - 1));
            py.push_str(&format!("k{index} = k{0} or k{0} + k{0}\n", index - 1));
        }
        js.push_str("jwt.verify(t, k199, { algorithms: [k199, k199], clockTolerance: k199 });\n");
        py.push_str("jwt.decode(t, k199, algorithms=[k199], leeway=k199)\n");
        let started = std::time::Instant::now();
        let _ = analyze(&js, Language::JavaScript, &Context::default());
        let _ = analyze(&py, Language::Python, &Context::default());
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "took {:?}", started.elapsed());
    }
}
