//! The whole analysis of one document: tokens and their findings, then settings applied
//! (severity overrides, test-path downgrades, ignore comments). The LSP and the CLI both call
//! `analyze`; neither adds or drops findings on its own, so both report the same things.

use crate::code::{self, Language};
use crate::config::Config;
use crate::deps::{self, Dependencies};
use crate::finding::Finding;
use crate::jwt::checks::check_token_into;
use crate::jwt::{Form, Token, scan};
use crate::panic::{self, PanicLocation};
use crate::suppress;
use crate::text::LineIndex;
use std::sync::Arc;

use crate::jwt::checks::Clock;
use crate::jwt::time::UnixSeconds;
use crate::rules::Rule;
use crate::verify::weak::{self, Budget, Candidates, Search};
use crate::verify::{self, Deferred, Examination, Verifier, Weak, WeakSearch};

/// What a document holds: its tokens (for hovers and inlay hints) and its findings, sorted by
/// position.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub tokens: Vec<Token>,
    pub findings: Vec<Finding>,
    /// Slow verification work left for a background task (wordlist search, JWKS re-fetch);
    /// empty unless the verifier runs in `Mode::Deferred` (the server).
    pub deferred: Vec<Deferred>,
    /// The verification checklist of each distinct JWS, by its compact text, computed with the
    /// findings (its own findings and deferred work are left out: they are in the fields above).
    /// Empty when every verification rule is off, and when no keys, expectations or wordlist
    /// are configured: then only `weak_outcomes` are kept. Read through [`Analysis::checklist`].
    pub examinations: rustc_hash::FxHashMap<Box<str>, Arc<Examination>>,
    /// Without keys or expectations, the weak-secret outcome of each JWS that reached that step
    /// (all its checklist needs beyond the token itself), by the token's start offset: keyed by
    /// its text, a log's 10^4 tokens were each copied once more.
    pub weak_outcomes: rustc_hash::FxHashMap<usize, Search>,
    /// The document's weak-secret candidates, extracted once: `None` when it has no HS* token or
    /// `token-weak-secret` is off.
    pub candidates: Option<Arc<Candidates>>,
    /// HMAC attempts the weak-secret search spent on this document (0 when the rule is off).
    pub hmac_attempts: u64,
    /// The verifier calls of the document's code, from the parse its code rules ran on (what
    /// `code::verifiers_in` returns); `None` when the document is not code or that stage failed.
    pub verifier_calls: Option<Vec<code::VerifierCall>>,
}

impl Analysis {
    /// The checklist computed for `token` during the analysis, if any.
    pub fn examination(&self, token: &Token) -> Option<&Arc<Examination>> {
        self.examinations.get(token.compact.as_str())
    }

    /// The checklist of `token` from what the analysis computed: the kept examination, or one
    /// rendered from the kept weak-secret outcome (no HMAC, no key). `None` when the analysis
    /// judged nothing for it (verification off, or an analysis rebuilt without them).
    pub fn checklist(
        &self,
        token: &Token,
        verifier: &Verifier,
        clock: Clock,
        line_of: &dyn Fn(usize) -> usize,
    ) -> Option<Arc<Examination>> {
        if let Some(exam) = self.examination(token) {
            return Some(exam.clone());
        }
        let outcome = self.weak_outcomes.get(&token.span.start)?;
        let truncated = self.candidates.as_ref().is_some_and(|candidates| candidates.truncated);
        Some(Arc::new(verifier.examine_with(token, Weak::Known { outcome, truncated }, clock, line_of)))
    }

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

/// Where a document's service dependencies come from: the front end's lookup (it walks up the
/// folders to the service's manifests and reads them once per service), run when the analysis
/// first asks. Most files of a tree are code that names no JWT library, or not code at all, and
/// never ask.
pub trait DependencySource: Sync + std::fmt::Debug {
    fn dependencies(&self) -> Option<&Dependencies>;
}

/// Dependencies already at hand.
impl DependencySource for Dependencies {
    fn dependencies(&self) -> Option<&Dependencies> {
        Some(self)
    }
}

/// What an analysis reads besides the document, all supplied by the front end: the resolved
/// settings, the verifier (keys and expectations it loaded), and the clock (pinned by `--now` /
/// the `now` setting, or the wall clock the front end read; the analysis never reads it).
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub config: &'a Config,
    pub verifier: &'a Verifier,
    pub clock: Clock,
    /// The dependency files of the document's service and the advisories (`None`: not read).
    /// They decide `vulnerable-jwt-library` on a manifest or lockfile, and the library version
    /// the code rules assume for a call. Asked for only then: a source file that names no JWT
    /// library never needs them.
    pub dependencies: Option<&'a dyn DependencySource>,
    /// Whether a large document's token scan may use every core ([`scan::find_tokens`]). Off
    /// when the caller already analyses one document per core: more threads than cores then
    /// only cost their start and a malloc arena each.
    pub parallel_scan: bool,
    /// Whether to keep the verifier calls of the code's parse (`Analysis::verifier_calls`): what
    /// `check` indexes for its cross-check. The server's keystrokes need none.
    pub keeps_verifier_calls: bool,
}

impl<'a> Inputs<'a> {
    /// `wall_now` is used only when `config` pins no `now`.
    pub fn new(config: &'a Config, verifier: &'a Verifier, wall_now: UnixSeconds) -> Inputs<'a> {
        Inputs {
            config,
            verifier,
            clock: config.clock(wall_now),
            dependencies: None,
            parallel_scan: true,
            keeps_verifier_calls: false,
        }
    }

    /// The same inputs for a document of the service whose dependencies these are.
    pub fn with_dependencies(self, dependencies: Option<&'a Dependencies>) -> Inputs<'a> {
        self.with_dependency_source(dependencies.map(|dependencies| dependencies as &dyn DependencySource))
    }

    /// The same, with the dependencies looked up only if the analysis asks for them.
    pub fn with_dependency_source(self, dependencies: Option<&'a dyn DependencySource>) -> Inputs<'a> {
        Inputs { dependencies, ..self }
    }

    /// The same inputs with the large-document scan on one thread (`parallel_scan` off).
    pub fn one_thread_per_document(self) -> Inputs<'a> {
        Inputs { parallel_scan: false, ..self }
    }
}

/// The whole analysis; a panic in any stage propagates (tests, benchmarks). The front ends call
/// `analyze_isolated`.
pub fn analyze(document: &Document<'_>, inputs: &Inputs<'_>) -> Analysis {
    analyze_in_stages(document, inputs, &mut Stages { isolate: false, failures: Vec::new() })
}

/// One stage of the analysis. Each runs isolated in `analyze_isolated`, so a bug in one (say, the
/// Go analyser) still leaves the token findings of the same file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Finding tokens and the token rules (`token-*`).
    Tokens,
    /// The verification checklist against the configured keys.
    Verification,
    /// Verification-code analysis with tree-sitter.
    Code(Language),
    /// Dependency files against the advisories (`vulnerable-jwt-library`).
    Dependencies,
    /// Severity levels, test paths and ignore comments.
    Settings,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stage::Tokens => f.write_str("token scan and checks"),
            Stage::Verification => f.write_str("token verification"),
            Stage::Code(language) => write!(f, "code analysis ({})", language.name()),
            Stage::Dependencies => f.write_str("dependency versions and advisories"),
            Stage::Settings => f.write_str("settings and ignore comments"),
        }
    }
}

/// A stage that panicked: which one and where, never the panic's message (it can quote the
/// document, tokens included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageFailure {
    pub stage: Stage,
    pub location: PanicLocation,
}

impl std::fmt::Display for StageFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let consequence = match self.stage {
            Stage::Settings => "findings are reported without severity settings or ignore comments applied",
            _ => "its findings are missing; the other stages' findings are reported",
        };
        write!(
            f,
            "internal error while analysing this document (please report it): {} failed ({}); {consequence}",
            self.stage, self.location
        )
    }
}

/// What `analyze_isolated` returns: the findings of every stage that completed, and the stages
/// that did not.
#[derive(Debug, Default)]
pub struct Isolated {
    pub analysis: Analysis,
    pub failures: Vec<StageFailure>,
}

/// `analyze` with each stage behind its own panic guard: one pathological document never kills
/// the server or aborts a `check` run, and a failing stage costs only its own findings. Callers
/// must surface `failures` (the CLI exits 2, the server logs them).
pub fn analyze_isolated(document: &Document<'_>, inputs: &Inputs<'_>) -> Isolated {
    let mut stages = Stages { isolate: true, failures: Vec::new() };
    let analysis = analyze_in_stages(document, inputs, &mut stages);
    Isolated { analysis, failures: stages.failures }
}

struct Stages {
    isolate: bool,
    failures: Vec<StageFailure>,
}

impl Stages {
    fn run<T>(&mut self, stage: Stage, text: &str, work: impl FnOnce() -> T) -> Option<T> {
        let work = || {
            test_panic(stage, text);
            work()
        };
        if !self.isolate {
            return Some(work());
        }
        panic::isolate(work).map_err(|location| self.failures.push(StageFailure { stage, location })).ok()
    }
}

/// The stage the end-to-end tests asked to panic in (`JWT_LSP_TEST_PANIC`, read by the binary:
/// the analysis reads no environment). Debug builds only.
#[cfg(debug_assertions)]
static TEST_PANIC: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Lets the end-to-end tests prove that a panic is contained to its stage: with `requested` set
/// to a stage (`tokens`, `verification`, `code`, `settings`; any other value means `tokens`), a
/// document containing `jwt-lsp-test-panic` panics in that stage, with the document's text in the
/// message (which must never be shown). The first request wins; release builds ignore it.
pub fn request_test_panic(requested: String) {
    #[cfg(debug_assertions)]
    let _ = TEST_PANIC.set(requested);
    #[cfg(not(debug_assertions))]
    let _ = requested;
}

#[cfg(debug_assertions)]
fn test_panic(stage: Stage, text: &str) {
    let Some(requested) = TEST_PANIC.get() else { return };
    let requested = match requested.as_str() {
        "verification" => Stage::Verification,
        "code" if matches!(stage, Stage::Code(_)) => stage,
        "settings" => Stage::Settings,
        "code" => return,
        "dependencies" => Stage::Dependencies,
        _ => Stage::Tokens,
    };
    if requested == stage && text.contains("jwt-lsp-test-panic") {
        panic!("analysis panic requested by JWT_LSP_TEST_PANIC in {stage}: {text}");
    }
}

#[cfg(not(debug_assertions))]
fn test_panic(_stage: Stage, _text: &str) {}

fn analyze_in_stages(document: &Document<'_>, inputs: &Inputs<'_>, stages: &mut Stages) -> Analysis {
    let (config, clock) = (inputs.config, inputs.clock);
    let text = document.text;
    let (tokens, mut findings) = stages
        .run(Stage::Tokens, text, || {
            let tokens =
                if inputs.parallel_scan { scan::find_tokens(text) } else { scan::find_tokens_on_this_thread(text) };
            // Most tokens of a log have one finding (expired): sized once, no per-token vector.
            let mut findings = Vec::with_capacity(tokens.len());
            for token in &tokens {
                check_token_into(token, clock, &mut findings);
            }
            (tokens, findings)
        })
        .unwrap_or_default();
    let verification =
        stages.run(Stage::Verification, text, || verify_tokens(&tokens, document, inputs)).unwrap_or_default();
    findings.extend(verification.findings);
    // Asked once, and only of a document with code or findings: globs against every path of a
    // tree were 1 % of `check`.
    let test_path = std::cell::OnceCell::new();
    let in_test_path = || *test_path.get_or_init(|| document.path.is_some_and(|path| config.is_test_path(path)));
    let mut verifier_calls = None;
    if let Some(language) = Language::detect(document.path, document.language_id) {
        let analysed = stages.run(Stage::Code(language), text, || {
            // Before the dependencies are looked up: most source files name no JWT library.
            if !code::may_find_anything(text, language) {
                return (Vec::new(), Vec::new());
            }
            let dependencies = inputs.dependencies.and_then(|source| source.dependencies());
            let context = code::Context { in_test_path: in_test_path(), dependencies };
            match inputs.keeps_verifier_calls {
                true => code::analyze_with_verifiers(text, language, &context),
                false => (code::analyze(text, language, &context), Vec::new()),
            }
        });
        if let Some((found, calls)) = analysed {
            findings.extend(found);
            verifier_calls = inputs.keeps_verifier_calls.then_some(calls);
        }
    }
    // A dependency file (a manifest, a lockfile, a `-r` include) is never source code.
    if let (Some(source), Some(path), None) =
        (inputs.dependencies, document.path, Language::detect(document.path, None))
        && config.is_on(Rule::VulnerableJwtLibrary)
    {
        findings.extend(
            stages
                .run(Stage::Dependencies, text, || {
                    source
                        .dependencies()
                        .and_then(|dependencies| dependencies.with_document(path, text))
                        .map(|current| deps::rule::findings(path, &current))
                        .unwrap_or_default()
                })
                .unwrap_or_default(),
        );
    }

    // On a panic here `findings` is left as far as it got, which is still a valid list.
    stages.run(Stage::Settings, text, || {
        if findings.is_empty() {
            return;
        }
        let in_test_path = in_test_path();
        findings.retain_mut(|finding| match config.level_for(finding.rule, finding.severity, in_test_path) {
            Some(severity) => {
                finding.severity = severity;
                true
            }
            None => false,
        });
        // Most files have nothing to suppress: searching them for the directive was 7 % of `check`.
        if !findings.is_empty() {
            let suppressions = suppress::find_suppressions(text, document.index);
            suppress::apply(&mut findings, &suppressions, document.text, document.index);
        }
    });
    findings.sort_by_key(|a| (a.range.start, a.range.end, a.rule));
    Analysis {
        tokens,
        findings,
        deferred: verification.deferred,
        examinations: verification.examinations,
        weak_outcomes: verification.weak_outcomes,
        candidates: verification.candidates,
        hmac_attempts: verification.hmac_attempts,
        verifier_calls,
    }
}

#[derive(Default)]
struct Verification {
    findings: Vec<Finding>,
    deferred: Vec<Deferred>,
    examinations: rustc_hash::FxHashMap<Box<str>, Arc<Examination>>,
    weak_outcomes: rustc_hash::FxHashMap<usize, Search>,
    candidates: Option<Arc<Candidates>>,
    hmac_attempts: u64,
}

/// The verification checklist's findings for every JWS (signature, `kid`, allow-list, issuer,
/// audience, key confusion, weak secrets), each distinct token examined once. Nothing runs when
/// every verification rule is off; no candidate is extracted and no HMAC computed when
/// `token-weak-secret` is off.
fn verify_tokens(tokens: &[Token], document: &Document<'_>, inputs: &Inputs<'_>) -> Verification {
    let Inputs { config, verifier, clock, .. } = *inputs;
    let jws: Vec<&Token> = tokens.iter().filter(|token| token.form == Form::Jws).collect();
    if jws.is_empty() || !verify::RULES.iter().any(|rule| config.is_on(*rule)) {
        return Verification::default();
    }
    let candidates = config.is_on(Rule::TokenWeakSecret).then(|| candidates_for(tokens, document)).flatten();
    let budget = Budget::per_document();
    let search = candidates.as_deref().map(|candidates| WeakSearch { candidates, budget: &budget });
    let weak = search.map_or(Weak::Off, Weak::Search);
    // Without keys or expectations only weak secrets can be found: search them, and leave the
    // checklist's text (dates, durations, step lines) to the hovers that ask for it.
    let only_weak = verifier.only_weak_secrets();
    if only_weak && search.is_none() {
        return Verification::default(); // No HS* token, or weak secrets off: nothing to find.
    }
    let line_of = |offset: usize| document.index.line_of(document.text, offset);
    let mut out = Verification::default();
    // Logs repeat the same token thousands of times: examine each distinct token once.
    // FxHash: SipHash over whole tokens was the largest cost on logs dense with tokens.
    // Sized up front: growing by doubling rehashed every entry again (7 % of `check` on logs).
    // Each distinct text's findings and the start of its first occurrence.
    let mut seen: rustc_hash::FxHashMap<TokenText<'_>, (Vec<Finding>, usize)> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(jws.len(), Default::default());
    if only_weak {
        out.weak_outcomes.reserve(jws.len());
    }
    for token in jws {
        if let Some((known, first)) = seen.get(&TokenText(&token.compact)) {
            out.findings.extend(known.iter().cloned().map(|finding| Finding { range: token.span.clone(), ..finding }));
            if let Some(outcome) = out.weak_outcomes.get(first).cloned() {
                out.weak_outcomes.insert(token.span.start, outcome);
            }
            continue;
        }
        if only_weak {
            let outcome = search.zip(verify::weak_target(token)).map(|(search, target)| search.run(token, &target));
            let findings = match &outcome {
                Some(Search::Found(found)) => vec![verify::weak_secret_finding(token, found, &line_of)],
                _ => Vec::new(),
            };
            out.findings.extend(findings.iter().cloned());
            seen.insert(TokenText(&token.compact), (findings, token.span.start));
            if let Some(outcome) = outcome {
                out.weak_outcomes.insert(token.span.start, outcome);
            }
            continue;
        }
        let mut exam = verifier.examine_with(token, weak, clock, &line_of);
        out.findings.extend(exam.findings.iter().cloned());
        out.deferred.append(&mut exam.deferred);
        seen.insert(TokenText(&token.compact), (std::mem::take(&mut exam.findings), token.span.start));
        out.examinations.insert(Box::from(token.compact.as_str()), Arc::new(exam));
    }
    if candidates.is_some() {
        out.hmac_attempts = weak::MAX_HMAC_ATTEMPTS_PER_DOCUMENT - budget.left();
    }
    out.candidates = candidates;
    out
}

/// A token's text as a map key, hashed by its length and last 32 bytes (the end of the signature:
/// distinct for distinct signed tokens) instead of all of it; equality still compares the whole
/// text. Hashing whole 400-byte tokens twice each was 3 % of `check` on dense logs.
#[derive(PartialEq, Eq)]
struct TokenText<'t>(&'t str);

impl std::hash::Hash for TokenText<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let bytes = self.0.as_bytes();
        state.write_usize(bytes.len());
        state.write(&bytes[bytes.len().saturating_sub(32)..]);
    }
}

/// The weak-secret candidates of the document, extracted only when an HS* token is there: in
/// source code its quoted strings, elsewhere also unquoted `name=value` values.
pub fn candidates_for(tokens: &[Token], document: &Document<'_>) -> Option<Arc<Candidates>> {
    if !tokens.iter().any(|token| token.alg().is_some_and(|alg| alg.starts_with("HS"))) {
        return None;
    }
    let mut spans: Vec<std::ops::Range<usize>> = tokens.iter().map(|token| token.span.clone()).collect();
    spans.sort_by_key(|span| span.start);
    let in_code = crate::code::Language::detect(document.path, document.language_id)
        .is_some_and(|language| language != crate::code::Language::Markdown);
    Some(Arc::new(match in_code {
        true => weak::candidates_in_code(document.text, &spans),
        false => weak::candidates(document.text, &spans),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn an_unpinned_analysis_judges_at_the_front_ends_clock() {
        let segment = |json: &str| URL_SAFE_NO_PAD.encode(json);
        let text = format!("token={}.{}.c2ln\n", segment(r#"{"alg":"HS256"}"#), segment(r#"{"exp":1500}"#));
        let index = LineIndex::new(&text);
        let document = Document { text: &text, path: Some("app.env"), language_id: None, index: &index };
        let config = Config::default();
        let expired_at = |wall_now| {
            analyze(&document, &Inputs::new(&config, &Verifier::default(), wall_now))
                .findings
                .iter()
                .any(|f| f.rule == Rule::TokenExpired)
        };
        assert!(!expired_at(1_000));
        assert!(expired_at(2_000));
    }

    /// A dependency source that counts the analysis' questions.
    #[derive(Debug, Default)]
    struct Counting {
        asked: std::sync::atomic::AtomicUsize,
        dependencies: Dependencies,
    }

    impl DependencySource for Counting {
        fn dependencies(&self) -> Option<&Dependencies> {
            self.asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Some(&self.dependencies)
        }
    }

    /// Looking up a service walks its folders: only code that names a JWT library and
    /// dependency files ask, not every source file of a tree.
    #[test]
    fn dependencies_are_asked_for_only_where_they_can_matter() {
        let (config, verifier) = (Config::default(), Verifier::default());
        let asked = |path: &str, text: &str| {
            let source = Counting::default();
            let index = LineIndex::new(text);
            let document = Document { text, path: Some(path), language_id: None, index: &index };
            analyze(&document, &Inputs::new(&config, &verifier, 0).with_dependency_source(Some(&source)));
            source.asked.load(std::sync::atomic::Ordering::Relaxed)
        };
        assert_eq!(asked("svc/util.py", "import os\nprint('jwt')\n"), 0);
        assert_eq!(asked("svc/util.js", "module.exports = 1;\n"), 0);
        assert_eq!(asked("svc/app.py", "import jwt\njwt.decode(t, 'k', algorithms=['HS256'])\n"), 1);
        assert_eq!(asked("svc/app.js", "const jwt = require('jsonwebtoken');\njwt.verify(t, k);\n"), 1);
        assert_eq!(asked("svc/requirements.txt", "pyjwt==1.5.0\n"), 1);
        assert_eq!(asked("svc/package.json", "{}"), 1);
    }

    #[test]
    fn token_texts_with_the_same_ending_stay_distinct_keys() {
        let ending = "x".repeat(40);
        let (one, other) = (format!("eyJa.eyJb.{ending}"), format!("eyJc.eyJd.{ending}"));
        let mut seen: rustc_hash::FxHashMap<TokenText<'_>, u8> = Default::default();
        seen.insert(TokenText(&one), 1);
        seen.insert(TokenText(&other), 2);
        assert_eq!((seen.len(), seen[&TokenText(&one)], seen[&TokenText(&other)]), (2, 1, 2));
    }

    /// A dense log: one signer's tokens are searched [`weak::SEARCHES_PER_SIGNER`] times, then
    /// skipped with a note; another signer's token (here a weak one, after them) is still searched.
    #[test]
    fn one_signers_tokens_are_searched_a_bounded_number_of_times() {
        use hmac::{Hmac, KeyInit, Mac};
        let segment = |json: &str| URL_SAFE_NO_PAD.encode(json);
        let signed = |header: &str, payload: &str, secret: &[u8]| {
            let input = format!("{}.{}", segment(header), segment(payload));
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).expect("any key length");
            mac.update(input.as_bytes());
            format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
        };
        let strong = b"k7Qz-not-in-any-list-9fX2";
        let mut text = String::new();
        let per_signer = weak::SEARCHES_PER_SIGNER as usize;
        for n in 0..per_signer + 5 {
            let payload = format!(r#"{{"iss":"https://id.example","sub":"user-{n}"}}"#);
            text.push_str(&format!("GET /?access_token={} 200\n", signed(r#"{"alg":"HS256"}"#, &payload, strong)));
        }
        let weak_token = signed(r#"{"alg":"HS256"}"#, r#"{"iss":"https://other.example","sub":"x"}"#, b"secret");
        // Twice: the copy shares the first one's outcome.
        text.push_str(&format!("GET /?access_token={weak_token} 200\nGET /?access_token={weak_token} 304\n"));
        let index = LineIndex::new(&text);
        let document = Document { text: &text, path: Some("access.log"), language_id: None, index: &index };
        let config = Config::default();
        let analysis = analyze(&document, &Inputs::new(&config, &Verifier::default(), 0));
        let outcomes: Vec<&Search> =
            analysis.tokens.iter().map(|token| &analysis.weak_outcomes[&token.span.start]).collect();
        assert!(outcomes[..per_signer].iter().all(|outcome| **outcome == Search::NotFound));
        assert!(outcomes[per_signer..per_signer + 5].iter().all(|outcome| **outcome == Search::SignerSearched));
        assert!(matches!(outcomes[per_signer + 5], Search::Found(_)));
        assert_eq!(outcomes[per_signer + 6], outcomes[per_signer + 5]);
        let weak_findings = analysis.findings.iter().filter(|finding| finding.rule == Rule::TokenWeakSecret).count();
        assert_eq!(weak_findings, 2);
        // The hover's checklist says why a skipped token was not searched.
        let skipped = &analysis.tokens[per_signer];
        let exam = analysis.checklist(skipped, &Verifier::default(), config.clock(0), &|_| 0).expect("checklist");
        assert!(exam.notes.iter().any(|note| note.contains("same issuer, key id and algorithm")), "{:?}", exam.notes);
    }
}
