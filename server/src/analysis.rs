//! The whole analysis of one document: tokens and their findings, then settings applied
//! (severity overrides, test-path downgrades, ignore comments). The LSP and the CLI both call
//! `analyze`; neither adds or drops findings on its own, so both report the same things.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::code::{self, Language};
use crate::config::Config;
use crate::finding::Finding;
use crate::jwt::checks::check_token;
use crate::jwt::{Form, Token, scan};
use crate::suppress;
use crate::text::LineIndex;
use crate::verify::{Deferred, weak};

/// What a document holds: its tokens (for hovers and inlay hints) and its findings, sorted by
/// position.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub tokens: Vec<Token>,
    pub findings: Vec<Finding>,
    /// Slow verification work left for a background task (wordlist search, JWKS re-fetch);
    /// empty unless the verifier runs in `Mode::Deferred` (the server).
    pub deferred: Vec<Deferred>,
}

impl Analysis {
    /// The token whose span contains `offset` (end inclusive, so a cursor just after it counts).
    pub fn token_at(&self, offset: usize) -> Option<&Token> {
        let candidate = self.tokens.partition_point(|token| token.span.end < offset);
        self.tokens.get(candidate).filter(|token| token.span.start <= offset)
    }
}

/// The document being analysed. `path` is relative to the workspace root or the current
/// directory, `/`-separated; it decides test-path downgrades and the language.
pub struct Document<'a> {
    pub text: &'a str,
    pub path: Option<&'a str>,
    /// The LSP `languageId`, when known; otherwise the language comes from the path.
    pub language_id: Option<&'a str>,
    pub index: &'a LineIndex,
}

pub fn analyze(document: &Document<'_>, config: &Config) -> Analysis {
    // Lets the end-to-end tests prove that a panic in one document's analysis is contained.
    #[cfg(debug_assertions)]
    if std::env::var_os("JWT_LSP_TEST_PANIC").is_some() && document.text.contains("jwt-lsp-test-panic") {
        panic!("analysis panic requested by JWT_LSP_TEST_PANIC");
    }
    let tokens = scan::find_tokens(document.text);
    let clock = config.clock();
    let mut findings: Vec<Finding> = tokens.iter().flat_map(|token| check_token(token, clock)).collect();
    let (verification, deferred) = verify_tokens(&tokens, document, config);
    findings.extend(verification);
    let in_test_path = document.path.is_some_and(|path| config.is_test_path(path));
    if let Some(language) = Language::detect(document.path, document.language_id) {
        findings.extend(code::analyze(document.text, language, &code::Context { in_test_path }));
    }

    findings.retain_mut(|finding| match config.level_for(finding.rule, finding.severity, in_test_path) {
        Some(severity) => {
            finding.severity = severity;
            true
        }
        None => false,
    });
    let suppressions = suppress::find_suppressions(document.text, document.index);
    suppress::apply(&mut findings, &suppressions, document.index);
    findings.sort_by_key(|a| (a.range.start, a.range.end, a.rule));
    Analysis { tokens, findings, deferred }
}

/// The verification checklist's findings for every JWS (signature, `kid`, allow-list, issuer,
/// audience, key confusion, weak secrets). The file's string literals are weak-secret candidates.
fn verify_tokens(tokens: &[Token], document: &Document<'_>, config: &Config) -> (Vec<Finding>, Vec<Deferred>) {
    let verifier = &config.verifier;
    let jws: Vec<&Token> = tokens.iter().filter(|token| token.form == Form::Jws).collect();
    if jws.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let literals = literals_for(tokens, document.text);
    let clock = config.clock();
    let line_of = |offset: usize| document.index.line_of(offset);
    let mut findings = Vec::new();
    let mut deferred = Vec::new();
    // Logs repeat the same token thousands of times: examine each distinct token once.
    // FxHash: SipHash over whole tokens was the largest cost on logs dense with tokens.
    let mut seen: rustc_hash::FxHashMap<&str, Vec<Finding>> = rustc_hash::FxHashMap::default();
    for token in jws {
        if let Some(known) = seen.get(token.compact.as_str()) {
            findings.extend(known.iter().cloned().map(|finding| Finding { range: token.span.clone(), ..finding }));
            continue;
        }
        let exam = verifier.examine(token, &literals, clock, &line_of);
        findings.extend(exam.findings.iter().cloned());
        deferred.extend(exam.deferred);
        seen.insert(token.compact.as_str(), exam.findings);
    }
    (findings, deferred)
}

/// String literals of `text` (weak-secret candidates), computed only when an HS* token is there.
pub fn literals_for(tokens: &[Token], text: &str) -> Vec<(usize, String)> {
    if !tokens.iter().any(|token| token.alg().is_some_and(|alg| alg.starts_with("HS"))) {
        return Vec::new();
    }
    let spans: Vec<std::ops::Range<usize>> = tokens.iter().map(|token| token.span.clone()).collect();
    weak::literals(text, &spans)
}

/// `analyze`, but a panic inside it becomes an error message instead of taking the caller down:
/// one pathological document must never kill the server or abort a `check` run.
pub fn analyze_isolated(document: &Document<'_>, config: &Config) -> Result<Analysis, String> {
    catch_unwind(AssertUnwindSafe(|| analyze(document, config))).map_err(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|text| text.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        format!("internal error while analysing this document (please report it): {detail}")
    })
}
