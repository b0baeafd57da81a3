//! Code analysis: finds JWT verification code in JavaScript/TypeScript, Python, Go, Java, C#, Ruby,
//! PHP and Rust (and in Markdown code fences) and reports what makes it accept forged tokens or reject good ones.
//!
//! Entry point: `analyze(text, language, context)`. Pure: text in, findings with byte ranges
//! (and their quick fixes) out. Precision first: a call is judged only when its callee provably
//! comes from a recognised JWT library, and options that cannot be resolved in the same file
//! produce no finding at all.
//!
//! Layout: `syntax` (tree helpers), `scope` (same-file definitions), `knowledge` (algorithms,
//! keys, weak secrets, durations, the shared allow-list and fix logic), one module per language,
//! and `markdown` (fences re-analysed at their offsets).

mod csharp;
#[allow(dead_code)] // Until the front ends are moved onto the model (issue 10).
mod engine;
mod evaluate;
mod go;
mod java;
mod javascript;
mod knowledge;
#[allow(dead_code)]
mod library;
mod markdown;
#[allow(dead_code)]
mod model;
mod php;
mod python;
mod ruby;
mod rust;
mod scope;
mod syntax;

#[cfg(test)]
mod fix_tests;
#[cfg(test)]
mod incremental_tests;

use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::Mutex;

use tree_sitter::{InputEdit, Parser, Point, Tree};

use crate::finding::Finding;
use crate::rules::Rule;

pub use model::{KeySource, PathBase};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    JavaScript,
    TypeScript,
    Tsx,
    Python,
    Go,
    Java,
    Rust,
    CSharp,
    Php,
    Ruby,
    Markdown,
}

impl Language {
    /// From an LSP `languageId` first, else from the file name's extension.
    pub fn detect(path: Option<&str>, language_id: Option<&str>) -> Option<Language> {
        if let Some(language) = language_id.and_then(Language::from_language_id) {
            return Some(language);
        }
        let (_, extension) = path?.rsplit_once('.')?;
        // Lowercased on the stack: asked several times for every file of a walk.
        let mut lowered = [0u8; 8];
        let lowered = lowered.get_mut(..extension.len())?;
        lowered.copy_from_slice(extension.as_bytes());
        lowered.make_ascii_lowercase();
        Some(match &*lowered {
            b"js" | b"mjs" | b"cjs" | b"jsx" => Language::JavaScript,
            b"ts" | b"mts" | b"cts" => Language::TypeScript,
            b"tsx" => Language::Tsx,
            b"py" | b"pyi" => Language::Python,
            b"go" => Language::Go,
            b"java" => Language::Java,
            b"rs" => Language::Rust,
            b"cs" => Language::CSharp,
            b"php" => Language::Php,
            b"rb" => Language::Ruby,
            b"md" | b"markdown" => Language::Markdown,
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
            "java" => Language::Java,
            "rust" => Language::Rust,
            // VS Code and Emacs say `csharp`, Neovim and Vim (the filetype) `cs`, Helix `c-sharp`.
            "csharp" | "cs" | "c-sharp" => Language::CSharp,
            "php" => Language::Php,
            "ruby" => Language::Ruby,
            "markdown" => Language::Markdown,
            _ => return None,
        })
    }

    /// The language of a Markdown fence's info string (`js`, `python title="x"`, `{.go}`).
    pub fn from_fence_info(info: &str) -> Option<Language> {
        let word =
            info.split_whitespace().next()?.trim_start_matches('{').trim_start_matches('.').trim_end_matches('}');
        Some(match word.to_ascii_lowercase().as_str() {
            "js" | "javascript" | "jsx" | "mjs" | "cjs" | "node" | "nodejs" => Language::JavaScript,
            "ts" | "typescript" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "py" | "python" | "python3" | "py3" => Language::Python,
            "go" | "golang" => Language::Go,
            "java" => Language::Java,
            "rs" | "rust" => Language::Rust,
            "cs" | "csharp" | "c#" => Language::CSharp,
            "php" => Language::Php,
            "rb" | "ruby" => Language::Ruby,
            _ => return None,
        })
    }

    /// The language's name in messages (an LSP `languageId`).
    pub fn name(self) -> &'static str {
        match self {
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Tsx => "typescriptreact",
            Language::Python => "python",
            Language::Go => "go",
            Language::Java => "java",
            Language::Rust => "rust",
            Language::CSharp => "csharp",
            Language::Php => "php",
            Language::Ruby => "ruby",
            Language::Markdown => "markdown",
        }
    }

    fn grammar(self) -> Option<tree_sitter::Language> {
        Some(match self {
            Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::Go => tree_sitter_go::LANGUAGE.into(),
            Language::Java => tree_sitter_java::LANGUAGE.into(),
            Language::Rust => tree_sitter_rust::LANGUAGE.into(),
            Language::CSharp => tree_sitter_c_sharp::LANGUAGE.into(),
            Language::Php => tree_sitter_php::LANGUAGE_PHP.into(),
            Language::Ruby => tree_sitter_ruby::LANGUAGE.into(),
            Language::Markdown => return None,
        })
    }

    /// The language's parser in `PARSERS` (one per grammar; Markdown has none).
    fn slot(self) -> usize {
        match self {
            Language::JavaScript => 0,
            Language::TypeScript => 1,
            Language::Tsx => 2,
            Language::Python => 3,
            Language::Go => 4,
            Language::Markdown => 5,
            Language::Java => 6,
            Language::Rust => 7,
            Language::CSharp => 8,
            Language::Php => 9,
            Language::Ruby => 10,
        }
    }
}

/// What the code analysis needs to know about the document beyond its text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The path matches `testPaths`: signing with `none` is expected there, literal secrets are
    /// fixtures.
    pub in_test_path: bool,
    /// The service's dependency files: the library version a call runs against, when the file
    /// itself does not say (Go import paths do).
    pub dependencies: Option<&'a crate::deps::Dependencies>,
}

/// Files larger than this are not parsed: they are generated or minified, not hand-written
/// verification code, and parsing them would stall the editor.
const MAX_PARSED_BYTES: usize = 4 * 1024 * 1024;

/// Findings on JWT code in `text`.
pub fn analyze(text: &str, language: Language, context: &Context) -> Vec<Finding> {
    analyzed(text, language, context, false).findings
}

/// [`analyze`], and the verifier calls of the same parse: what [`verifiers_in`] returns for the
/// same text and context (`check` indexes them for the cross-check; parsing each file twice was
/// a twentieth of `check` on a Python tree). Markdown fences are examples: no verifier calls.
pub fn analyze_with_verifiers(text: &str, language: Language, context: &Context) -> (Vec<Finding>, Vec<VerifierCall>) {
    let sink = analyzed(text, language, context, true);
    (sink.findings, sink.verifiers.unwrap_or_default())
}

fn analyzed(text: &str, language: Language, context: &Context, keep_verifiers: bool) -> Sink {
    let mut sink = Sink::default();
    let options = Options { context: *context, conventional_names: false };
    match language {
        Language::Markdown => markdown::analyze(text, &options, &mut sink),
        language => {
            sink.verifiers = keep_verifiers.then(Vec::new);
            analyze_source(text, language, &options, &mut sink)
        }
    }
    sink
}

/// What a claim check of a verifier expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// The verifier does not check the claim.
    NotChecked,
    /// Any of these values (literals read from the same file).
    AnyOf(Vec<String>),
    /// Checked against something the file does not say.
    Unknown,
}

/// A verification call's expectations, as far as the code says: what a token must be for this
/// verifier to accept it. Literal secrets are carried for checking signatures, never shown.
#[derive(Clone, PartialEq)]
pub struct VerifierCall {
    /// The callee's range (bytes).
    pub range: std::ops::Range<usize>,
    pub library: &'static str,
    /// How messages name the call: `` `jwt.verify` ``.
    pub display: &'static str,
    /// The allow-list's algorithms; `None` when absent or not readable (the check is skipped).
    pub algorithms: Option<Vec<String>>,
    pub issuers: Expected,
    pub audiences: Expected,
    /// Clock tolerance in seconds (0 when not given).
    pub leeway: f64,
    /// `exp` is checked (not switched off).
    pub checks_expiry: bool,
    /// The signature is checked (not switched off).
    pub checks_signature: bool,
    pub key: KeySource,
    /// The literal secrets the key can be (with `KeySource::Literal`).
    pub literal_secrets: Vec<String>,
}

impl std::fmt::Debug for VerifierCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Literal secrets are never printed.
        f.debug_struct("VerifierCall")
            .field("range", &self.range)
            .field("library", &self.library)
            .field("algorithms", &self.algorithms)
            .field("issuers", &self.issuers)
            .field("audiences", &self.audiences)
            .field("leeway", &self.leeway)
            .field("key", &self.key)
            .field("literal_secrets", &self.literal_secrets.len())
            .finish()
    }
}

/// The verification calls of a source file (JS/TS, Python, Go, Ruby; not Markdown fences: examples
/// in documentation verify nothing in the workspace).
pub fn verifiers(text: &str, language: Language) -> Vec<VerifierCall> {
    verifiers_in(text, language, &Context::default())
}

/// The same, with the service's dependency files in `context`: a C# key read from configuration
/// is then the value its `appsettings*.json` commits.
pub fn verifiers_in(text: &str, language: Language, context: &Context) -> Vec<VerifierCall> {
    if language == Language::Markdown || text.len() > MAX_PARSED_BYTES || !mentions_jwt_library(text, language, false) {
        return Vec::new();
    }
    let Some(tree) = parse(text, language) else { return Vec::new() };
    let options = Options { context: *context, conventional_names: false };
    let model = match language {
        Language::JavaScript | Language::TypeScript | Language::Tsx => javascript::model(text, &tree, &options),
        Language::Python => python::model(text, &tree, &options),
        Language::Go => go::model(text, &tree, &options),
        Language::Java => java::model(text, &tree, &options),
        Language::Rust => rust::model(text, &tree, &options),
        Language::CSharp => csharp::model(text, &tree, &options),
        Language::Php => php::model(text, &tree, &options),
        Language::Ruby => ruby::model(text, &tree, &options),
        Language::Markdown => return Vec::new(),
    };
    model.calls.iter().filter_map(verifier_call).collect()
}

/// A call site as a verifier: `Verify` calls, and configurations that hold a key (middleware,
/// strategies); option calls (`WithLeeway`) are folded into their verify call by the front end.
pub(crate) fn verifier_call(site: &model::CallSite) -> Option<VerifierCall> {
    use model::{Algorithms, Check, Given, Operation};
    // A key object (C# `SymmetricSecurityKey`, php-jwt `Key`) is judged for its literal, not as a verifier.
    let is_option = matches!(
        site.function.path,
        "ParserOption" | "Option" | "UnsafeAllowNoneSignatureType" | "SymmetricSecurityKey" | "Key" | "SignedWith"
    );
    let receives = match site.operation {
        Operation::Verify => true,
        Operation::Configure => site.key.is_some() && !is_option,
        _ => false,
    };
    if !receives {
        return None;
    }
    let options = &site.options;
    let off = |check: Check| options.switches.iter().any(|switch| switch.check == check);
    let algorithms = match &options.algorithms {
        Algorithms::Listed(list) if list.items.iter().all(|item| item.name.is_some() && !item.from_token) => {
            Some(list.items.iter().filter_map(|item| item.name.clone()).collect())
        }
        _ => None,
    };
    let expected = |given: Given, values: &[String], check: Check| {
        if off(check) || off(Check::Claims) {
            return Expected::NotChecked;
        }
        match given {
            Given::No => Expected::NotChecked,
            Given::Yes if !values.is_empty() => Expected::AnyOf(values.to_vec()),
            _ => Expected::Unknown,
        }
    };
    let key = site.key.as_ref();
    Some(VerifierCall {
        range: site.range.clone(),
        library: site.function.library,
        display: site.function.display,
        algorithms,
        issuers: expected(options.issuer, &options.issuers, Check::Issuer),
        audiences: expected(options.audience, &options.audiences, Check::Audience),
        leeway: options.leeway.as_ref().map_or(0.0, |(seconds, _, _)| seconds.max(0.0)),
        checks_expiry: !off(Check::Expiry) && !off(Check::Claims),
        checks_signature: !off(Check::Signature),
        // A key read from configuration whose value a settings file commits is that literal.
        key: key.map_or(KeySource::Unknown, |key| match &key.source {
            KeySource::Unknown if !key.settings.is_empty() => KeySource::Literal,
            source => source.clone(),
        }),
        literal_secrets: key
            .map(|key| {
                key.literals
                    .iter()
                    .map(|(value, _)| value)
                    .chain(key.settings.iter().map(|(value, _, _)| value))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// Per-run switches shared by the language analysers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options<'a> {
    pub context: Context<'a>,
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
        Language::Java => java::analyze(text, &tree, options, sink),
        Language::Rust => rust::analyze(text, &tree, options, sink),
        Language::CSharp => csharp::analyze(text, &tree, options, sink),
        Language::Php => php::analyze(text, &tree, options, sink),
        Language::Ruby => ruby::analyze(text, &tree, options, sink),
        Language::Markdown => {}
    }
}

/// Whether analysing `text` as `language` can find anything: Markdown (its fences are judged by
/// the names they use), or source small enough to parse that names a JWT library. Asked before
/// the service's dependencies are looked up: most files of a tree answer no.
pub fn may_find_anything(text: &str, language: Language) -> bool {
    language == Language::Markdown || (text.len() <= MAX_PARSED_BYTES && mentions_jwt_library(text, language, false))
}

/// The cheap literal prefilter: a file that names no JWT library is never parsed, which keeps
/// `check` over large trees of unrelated code close to the cost of reading them.
pub(crate) fn mentions_jwt_library(text: &str, language: Language, conventional_names: bool) -> bool {
    let mut found = prefilter(language, conventional_names).find_iter(text);
    if language != Language::Python || conventional_names {
        return found.next().is_some();
    }
    // A Python file reaches a library only through an import (`is_tracked_module`) or names a
    // settings key: `jwt` and `jose` elsewhere (`botocore`'s `jwt_token`, a docstring) mean
    // nothing without one, and parsing such files was a tenth of `check` on a Python tree.
    let bytes = text.as_bytes();
    found.any(|found| {
        found.pattern().as_usize() >= PYTHON_IMPORTED.len()
            || (names_a_tracked_module(bytes, found.start(), found.end()) && in_python_import(bytes, found.start()))
    })
}

/// Whether the needle at `bytes[start..end]` can start a module path `is_tracked_module`
/// follows: a whole name at the start of a dotted path (`jose`, `jwt.algorithms`, not
/// `josephson_constant`, `flask_jwt_extended` or `.jwt`), and for `authlib` the package itself
/// or `authlib.jose…`, not `authlib.oauth2…`. Each was a parse of a file with no JWT call in an
/// installed Python's tree: sympy's unit imports, typeshed's stubs of authlib's OAuth parts
/// (three quarters of the Python files parsed there).
fn names_a_tracked_module(bytes: &[u8], start: usize, end: usize) -> bool {
    let is_name = |byte: &u8| byte.is_ascii_alphanumeric() || *byte == b'_' || *byte >= 0x80;
    if start > 0 && (is_name(&bytes[start - 1]) || bytes[start - 1] == b'.') {
        return false;
    }
    let after = &bytes[end..];
    match after.first() {
        Some(b'.') if &bytes[start..end] == b"authlib" => {
            after[1..].starts_with(b"jose") && !after.get(5).is_some_and(is_name)
        }
        Some(byte) => !is_name(byte),
        None => true,
    }
}

/// Python needles that count only inside an import statement (the roots `is_tracked_module`
/// follows); the needles after them count anywhere.
const PYTHON_IMPORTED: &[&str] = &["jwt", "jose", "jwcrypto", "authlib"];

/// Whether byte `at` lies where an import names a module: anywhere in an `import` statement, or
/// in the module path of a `from` statement, before its `import` (the names after it come from
/// that module: `from joserfc import jwt` and `from m import (jwt)` follow nothing). The
/// statement is the logical line, back over `\` continuations, after the last `;`. A superset
/// is fine (the parse decides); a miss loses findings.
fn in_python_import(bytes: &[u8], at: usize) -> bool {
    let line_start = |end: usize| memchr::memrchr(b'\n', &bytes[..end]).map_or(0, |newline| newline + 1);
    let mut start = line_start(at);
    while start >= 2 && bytes[..start - 1].trim_ascii_end().ends_with(b"\\") {
        start = line_start(start - 1);
    }
    let statement = &bytes[start..at];
    let statement = statement.rsplit(|&byte| byte == b';').next().unwrap_or(statement).trim_ascii_start();
    let after_keyword =
        |word: &[u8]| statement.strip_prefix(word).filter(|rest| rest.first().is_some_and(u8::is_ascii_whitespace));
    if after_keyword(b"import").is_some() {
        return true;
    }
    // The `import` of a `from` statement: a whole word, before the names or their parenthesis.
    let names_follow = |path: &[u8]| {
        path.windows(8).any(|window| {
            window[0].is_ascii_whitespace()
                && &window[1..7] == b"import"
                && (window[7].is_ascii_whitespace() || window[7] == b'(')
        })
    };
    after_keyword(b"from").is_some_and(|path| !names_follow(path))
}

/// Every needle of a language in one automaton: one pass over a file that names none of them,
/// not one pass per needle (Python's four needles, asked in both modes, read each unrelated
/// source file eight times: 5 % of `check` on a source tree).
fn prefilter(language: Language, conventional_names: bool) -> &'static Prefilter {
    static PREFILTERS: [std::sync::OnceLock<Prefilter>; 2 * LANGUAGE_SLOTS] =
        [const { std::sync::OnceLock::new() }; 2 * LANGUAGE_SLOTS];
    PREFILTERS[2 * language.slot() + usize::from(conventional_names)]
        .get_or_init(|| Prefilter::new(needles(language, conventional_names)))
}

/// A few literal needles: the SIMD (Teddy) searcher where the CPU has it, else an automaton.
/// The automaton alone picks its own prefilter, and for Python's needles it chose single rare
/// bytes (`a`, `j`) that match everywhere in source text: three times slower than Teddy.
enum Prefilter {
    Packed(aho_corasick::packed::Searcher),
    Automaton(aho_corasick::AhoCorasick),
}

impl Prefilter {
    fn new(needles: &[&str]) -> Prefilter {
        match aho_corasick::packed::Searcher::new(needles) {
            Some(searcher) => Prefilter::Packed(searcher),
            None => Prefilter::Automaton(aho_corasick::AhoCorasick::new(needles).expect("literal needles build")),
        }
    }

    /// The needles in `text`, leftmost first, not overlapping.
    fn find_iter<'p, 'h>(&'p self, text: &'h str) -> Box<dyn Iterator<Item = aho_corasick::Match> + 'h>
    where
        'p: 'h,
    {
        match self {
            Prefilter::Packed(searcher) => Box::new(searcher.find_iter(text)),
            Prefilter::Automaton(automaton) => Box::new(automaton.find_iter(text)),
        }
    }
}

/// What the prefilter looks for in each language.
fn needles(language: Language, conventional_names: bool) -> &'static [&'static str] {
    match language {
        Language::JavaScript | Language::TypeScript | Language::Tsx if conventional_names => {
            &["jsonwebtoken", "jose", "jwt", "passport-jwt"]
        }
        Language::JavaScript | Language::TypeScript | Language::Tsx => &[
            "jsonwebtoken",
            "jose",
            "express-jwt",
            "passport-jwt",
            "koa-jwt",
            "@nestjs/jwt",
            "fastify/jwt",
            "fastify-jwt",
            "jwt-simple",
            "hono/",
        ],
        // `jwt` covers PyJWT imports but not upper-case settings: `JWT_SECRET_KEY`-style keys
        // and Simple JWT's `SIMPLE_JWT` dict get their own needles.
        Language::Python if conventional_names => &["jwt", "jose", "JWT_", "SIMPLE_JWT"],
        // The first four only in imports (`mentions_jwt_library`).
        Language::Python => &["jwt", "jose", "jwcrypto", "authlib", "JWT_", "SIMPLE_JWT"],
        Language::Go if conventional_names => &["jwt", "jose"],
        Language::Go => &[
            "golang-jwt/jwt",
            "dgrijalva/jwt-go",
            "jwt-go",
            "lestrrat-go/jwx",
            "go-jose",
            "coreos/go-oidc",
            "go-chi/jwtauth",
            "labstack/echo",
            "appleboy/gin-jwt",
            "gofiber/",
            "MicahParks/keyfunc",
        ],
        // Markdown fragments often skip imports: the classes by their simple names.
        Language::Java if conventional_names => {
            &["io.jsonwebtoken", "com.auth0.jwt", "com.nimbusds", "Jwts.", "JWT.", "SignedJWT", "NimbusJwtDecoder"]
        }
        Language::Java => {
            &["io.jsonwebtoken", "com.auth0.jwt", "com.nimbusds", "org.springframework.security.oauth2.jwt"]
        }
        Language::Rust if conventional_names => {
            &["jsonwebtoken", "josekit", "jwt_simple", "DecodingKey", "Validation::"]
        }
        Language::Rust => &["jsonwebtoken", "josekit", "jwt_simple"],
        // The namespaces of System.IdentityModel.Tokens.Jwt, Microsoft.IdentityModel.* and the
        // ASP.NET Core JwtBearer handler; the type names for files that rely on global usings.
        Language::CSharp => {
            &["IdentityModel", "JwtBearer", "TokenValidationParameters", "JwtSecurityToken", "JsonWebToken"]
        }
        // `JWT_`: tymon/jwt-auth's `config/jwt.php` (`env('JWT_SECRET')`, `env('JWT_TTL', 60)`).
        Language::Php => &["Firebase\\JWT", "Lcobucci\\JWT", "JWT::", "JWT_"],
        // ruby-jwt is the `JWT` constant (Bundler requires gems, so `require 'jwt'` is often
        // absent); devise-jwt is configured in `config.jwt do |jwt|` or through `Warden::JWTAuth`.
        Language::Ruby => &["JWT.", "JWT::", "JWTAuth", ".jwt do", ".jwt {"],
        // Fences of every language: `Jwt` covers C#'s `JwtSecurityTokenHandler`/`AddJwtBearer` and
        // Java's `Jwts.`; `JWT.` java-jwt and ruby-jwt, `DecodingKey` Rust's jsonwebtoken,
        // `IdentityModel` .NET.
        Language::Markdown => &["jwt", "jose", "JWT_", "Jwt", "JWT.", "DecodingKey", "IdentityModel"],
    }
}

const LANGUAGE_SLOTS: usize = 11;

thread_local! {
    /// One parser per language and thread, reused: analysis runs on every keystroke.
    static PARSERS: RefCell<[Option<Parser>; LANGUAGE_SLOTS]> = const { RefCell::new([const { None }; LANGUAGE_SLOTS]) };
}

/// Recently parsed texts and their trees. A new text that shares most of its bytes with one of
/// them (the same document after a keystroke) is parsed incrementally from the old tree, which
/// turns a 5,000-line re-parse into a sub-millisecond one. Keyed by content, not by document,
/// so the pure `analyze(text, …)` interface stays as it is for the server and the CLI.
struct RecentTree {
    language: Language,
    text: String,
    tree: Tree,
}

static RECENT_TREES: Mutex<Vec<RecentTree>> = Mutex::new(Vec::new());
const RECENT_TREES_KEPT: usize = 8;
const RECENT_TREES_TEXT_BYTES: usize = 2 * 1024 * 1024;

pub(crate) fn parse(text: &str, language: Language) -> Option<Tree> {
    let grammar = language.grammar()?;
    let previous = match similar_tree(text, language) {
        Some(Reuse::Same(tree)) => return Some(tree),
        Some(Reuse::Edited(tree)) => Some(tree),
        None => None,
    };
    let tree = PARSERS.with(|parsers| {
        let mut parsers = parsers.try_borrow_mut().ok()?;
        let slot = &mut parsers[language.slot()];
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&grammar).ok()?;
            *slot = Some(parser);
        }
        slot.as_mut()?.parse(text, previous.as_ref())
    })?;
    if let Ok(mut recent) = RECENT_TREES.lock() {
        recent.push(RecentTree { language, text: text.to_string(), tree: tree.clone() });
        // A tree takes about 25 times its text in dense code: bound the bytes as well as the count.
        while recent.len() > RECENT_TREES_KEPT
            || (recent.len() > 1
                && recent.iter().map(|entry| entry.text.len()).sum::<usize>() > RECENT_TREES_TEXT_BYTES)
        {
            recent.remove(0);
        }
    }
    Some(tree)
}

/// Forgets every recent tree, so the next parse of any text starts from scratch (benchmarks of
/// cold analysis; memory release).
pub fn clear_parse_cache() {
    if let Ok(mut recent) = RECENT_TREES.lock() {
        recent.clear();
    }
    syntax::clear_walks();
}

enum Reuse {
    /// The very same text was parsed before.
    Same(Tree),
    /// An earlier version, edited to match the new text's byte positions.
    Edited(Tree),
}

/// The recent tree of the text most like `text` (at least half its bytes shared as a common
/// prefix and suffix), taken out of the cache and edited for `text`.
fn similar_tree(text: &str, language: Language) -> Option<Reuse> {
    let mut recent = RECENT_TREES.lock().ok()?;
    let mut best: Option<(usize, usize, usize)> = None; // (index, prefix, suffix)
    for (index, entry) in recent.iter().enumerate().filter(|(_, entry)| entry.language == language) {
        let (prefix, suffix) = common_ends(entry.text.as_bytes(), text.as_bytes());
        let shared = prefix + suffix;
        if shared * 2 >= text.len().max(entry.text.len()) && best.is_none_or(|(_, p, s)| shared > p + s) {
            best = Some((index, prefix, suffix));
        }
    }
    let (index, mut prefix, mut suffix) = best?;
    let entry = recent.remove(index);
    // The shared ends were measured in bytes: keep the edit on whole characters of both texts
    // (`é` → `è` differ in their second byte only).
    while prefix > 0 && !(text.is_char_boundary(prefix) && entry.text.is_char_boundary(prefix)) {
        prefix -= 1;
    }
    while suffix > 0
        && !(text.is_char_boundary(text.len() - suffix) && entry.text.is_char_boundary(entry.text.len() - suffix))
    {
        suffix -= 1;
    }
    if entry.text == text {
        return Some(Reuse::Same(entry.tree));
    }
    let mut tree = entry.tree;
    let old_end = entry.text.len() - suffix;
    let new_end = text.len() - suffix;
    tree.edit(&InputEdit {
        start_byte: prefix,
        old_end_byte: old_end,
        new_end_byte: new_end,
        start_position: point_at(text.as_bytes(), prefix),
        old_end_position: point_at(entry.text.as_bytes(), old_end),
        new_end_position: point_at(text.as_bytes(), new_end),
    });
    Some(Reuse::Edited(tree))
}

/// Lengths of the common prefix and (non-overlapping) common suffix of two texts.
fn common_ends(old: &[u8], new: &[u8]) -> (usize, usize) {
    const CHUNK: usize = 256;
    let shortest = old.len().min(new.len());
    let mut prefix = 0;
    // Whole chunks compare with memcmp; the differing chunk byte by byte.
    while prefix + CHUNK <= shortest && old[prefix..prefix + CHUNK] == new[prefix..prefix + CHUNK] {
        prefix += CHUNK;
    }
    while prefix < shortest && old[prefix] == new[prefix] {
        prefix += 1;
    }
    let limit = shortest - prefix;
    let mut suffix = 0;
    while suffix + CHUNK <= limit
        && old[old.len() - suffix - CHUNK..old.len() - suffix] == new[new.len() - suffix - CHUNK..new.len() - suffix]
    {
        suffix += CHUNK;
    }
    while suffix < limit && old[old.len() - suffix - 1] == new[new.len() - suffix - 1] {
        suffix += 1;
    }
    (prefix, suffix)
}

fn point_at(text: &[u8], offset: usize) -> Point {
    let before = &text[..offset];
    let row = memchr::memchr_iter(b'\n', before).count();
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |at| at + 1);
    Point { row, column: offset - line_start }
}

/// Collects findings, dropping exact duplicates (one literal secret used by three calls is one
/// finding, on the literal).
#[derive(Debug, Default)]
pub(crate) struct Sink {
    pub findings: Vec<Finding>,
    seen: HashSet<(Rule, usize, usize)>,
    /// The verifier calls of the judged model, when asked for ([`analyze_with_verifiers`]).
    pub verifiers: Option<Vec<VerifierCall>>,
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
    fn languages_by_extension_in_any_case() {
        let detect = |path: &str| Language::detect(Some(path), None);
        assert_eq!(detect("src/app.TS"), Some(Language::TypeScript));
        assert_eq!(detect("README.Markdown"), Some(Language::Markdown));
        assert_eq!(detect("a.b/auth.Py"), Some(Language::Python));
        assert_eq!(detect("lib.v2/auth"), None, "a dot in a folder name is not an extension");
        for other in ["notes.markdowns", "x.", "noextension", "файл.ру", "x.日本語", "a.🦀"] {
            assert_eq!(detect(other), None, "{other}");
        }
        assert_eq!(Language::detect(Some("x.unknown"), Some("typescriptreact")), Some(Language::Tsx));
    }

    /// The verifier expectations and key sources each front end reads (issue 11).
    #[test]
    fn verifier_expectations_and_key_sources() {
        let js = "const jwt = require('jsonwebtoken');\nconst fs = require('fs');\nconst path = require('path');\n\
            const pub = fs.readFileSync(path.join(__dirname, '..', 'keys', 'public.pem'));\n\
            jwt.verify(t, pub, { algorithms: ['RS256'], audience: ['orders-api', 'admin'], issuer: 'https://auth', clockTolerance: 30 });\n\
            jwt.verify(t, process.env.JWT_SECRET || 'dev', { algorithms: ['HS256'], ignoreExpiration: true });\n\
            jwt.verify(t, 'literal-secret', { algorithms: ['HS256'], audience: aud });\n";
        let calls = verifiers(js, Language::JavaScript);
        assert_eq!(calls.len(), 3, "{calls:?}");
        assert_eq!(calls[0].algorithms.as_deref(), Some(&["RS256".to_string()][..]));
        assert_eq!(calls[0].audiences, Expected::AnyOf(vec!["orders-api".into(), "admin".into()]));
        assert_eq!(calls[0].issuers, Expected::AnyOf(vec!["https://auth".into()]));
        assert_eq!(calls[0].leeway, 30.0);
        assert_eq!(calls[0].key, KeySource::File { path: "../keys/public.pem".into(), base: PathBase::SourceFile });
        assert_eq!(calls[1].key, KeySource::Env("JWT_SECRET".into()));
        assert!(!calls[1].checks_expiry);
        assert_eq!(calls[1].audiences, Expected::NotChecked);
        assert_eq!(calls[2].key, KeySource::Literal);
        assert_eq!(calls[2].literal_secrets, vec!["literal-secret".to_string()]);
        assert_eq!(calls[2].audiences, Expected::Unknown);

        let py = "import os\nimport jwt\nPUBLIC = open(\"keys/pub.pem\").read()\n\
            jwt.decode(t, PUBLIC, algorithms=[\"RS256\"], audience=\"billing-api\", issuer=\"https://auth\", leeway=60)\n\
            jwt.decode(t, os.environ[\"JWT_SECRET\"], algorithms=[\"HS256\"])\n\
            jwt.decode(t, os.getenv(\"OTHER\"), algorithms=[\"HS256\"])\n\
            client = jwt.PyJWKClient(\"https://auth/jwks.json\")\n\
            jwt.decode(t, client.get_signing_key_from_jwt(t).key, algorithms=[\"RS256\"])\n";
        let calls = verifiers(py, Language::Python);
        assert_eq!(calls.len(), 4, "{calls:?}");
        assert_eq!(calls[0].key, KeySource::File { path: "keys/pub.pem".into(), base: PathBase::WorkingFolder });
        assert_eq!(calls[0].audiences, Expected::AnyOf(vec!["billing-api".into()]));
        assert_eq!(calls[0].leeway, 60.0);
        assert_eq!(calls[1].key, KeySource::Env("JWT_SECRET".into()));
        assert_eq!(calls[2].key, KeySource::Env("OTHER".into()));
        assert_eq!(calls[3].key, KeySource::JwksUrl("https://auth/jwks.json".into()));

        // `with open(...) as f:` binds `f` to the file; another context manager's `as` name stays
        // unknown.
        let py = "import jwt\nwith open(\"keys/pub.pem\") as f:\n    PUBLIC = f.read()\n\
            with vault.session() as s:\n    OTHER = s.read()\n\
            jwt.decode(t, PUBLIC, algorithms=[\"RS256\"])\njwt.decode(t, OTHER, algorithms=[\"RS256\"])\n";
        let calls = verifiers(py, Language::Python);
        assert_eq!(calls.len(), 2, "{calls:?}");
        assert_eq!(calls[0].key, KeySource::File { path: "keys/pub.pem".into(), base: PathBase::WorkingFolder });
        assert_eq!(calls[1].key, KeySource::Unknown);

        let go = "package p\n\nimport (\n\t\"os\"\n\t\"time\"\n\t\"github.com/golang-jwt/jwt/v5\"\n)\n\n\
            func f(s string) {\n\tjwt.Parse(s, func(t *jwt.Token) (any, error) { return []byte(os.Getenv(\"JWT_SECRET\")), nil },\n\
            \t\tjwt.WithValidMethods([]string{\"HS256\"}), jwt.WithAudience(\"orders-api\"), jwt.WithIssuer(\"https://auth\"), jwt.WithLeeway(45*time.Second))\n}\n";
        let calls = verifiers(go, Language::Go);
        assert_eq!(calls.len(), 1, "{calls:?}");
        assert_eq!(calls[0].key, KeySource::Env("JWT_SECRET".into()));
        assert_eq!(calls[0].audiences, Expected::AnyOf(vec!["orders-api".into()]));
        assert_eq!(calls[0].issuers, Expected::AnyOf(vec!["https://auth".into()]));
        assert_eq!(calls[0].leeway, 45.0);
        assert_eq!(calls[0].algorithms.as_deref(), Some(&["HS256".to_string()][..]));
    }

    /// Java verifiers: builder chains through fields, key sources, and a Spring decoder whose
    /// replaced validator checks no timestamps.
    #[test]
    fn java_verifier_expectations() {
        let java = "import io.jsonwebtoken.Jwts;\nimport com.auth0.jwt.JWT;\nimport com.auth0.jwt.algorithms.Algorithm;\n\
            import org.springframework.security.oauth2.jwt.*;\n\
            class A {\n  private final JwtParser parser = Jwts.parserBuilder().setSigningKey(\"k3Jd93-not-in-any-list-Qx81\".getBytes())\n\
            .requireIssuer(\"https://auth\").requireAudience(\"orders-api\").setAllowedClockSkewSeconds(30).build();\n\
            Object a(String t) { return parser.parseClaimsJws(t); }\n\
            Object b(String t) { return JWT.require(Algorithm.HMAC256(System.getenv(\"JWT_SECRET\"))).withIssuer(\"https://auth\").build().verify(t); }\n\
            JwtDecoder c() { NimbusJwtDecoder d = NimbusJwtDecoder.withJwkSetUri(\"https://auth/jwks.json\").build();\n\
            d.setJwtValidator(new JwtIssuerValidator(\"https://auth\")); return d; }\n}\n";
        let calls = verifiers(java, Language::Java);
        assert_eq!(calls.len(), 3, "{calls:?}");
        assert_eq!(calls[0].key, KeySource::Literal);
        assert_eq!(calls[0].literal_secrets, vec!["k3Jd93-not-in-any-list-Qx81".to_string()]);
        assert_eq!(calls[0].issuers, Expected::AnyOf(vec!["https://auth".into()]));
        assert_eq!(calls[0].audiences, Expected::AnyOf(vec!["orders-api".into()]));
        assert_eq!(calls[0].leeway, 30.0);
        assert_eq!(calls[1].key, KeySource::Env("JWT_SECRET".into()));
        assert_eq!(calls[1].audiences, Expected::NotChecked);
        assert_eq!(calls[2].key, KeySource::JwksUrl("https://auth/jwks.json".into()));
        assert!(!calls[2].checks_expiry);
        assert_eq!(calls[2].issuers, Expected::Unknown);
    }

    /// Rust verifiers: a `Validation` configured across statements, key sources.
    #[test]
    fn rust_verifier_expectations() {
        let rust = "use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};\n\
            fn a(t: &str) {\n    let mut v = Validation::new(Algorithm::HS256);\n    v.set_audience(&[\"orders-api\"]);\n\
            v.set_issuer(&[\"https://auth\"]);\n    v.leeway = 30;\n\
            decode::<C>(t, &DecodingKey::from_secret(std::env::var(\"JWT_SECRET\").unwrap().as_bytes()), &v);\n}\n\
            fn b(t: &str) {\n    let mut v = Validation::new(Algorithm::RS256);\n    v.validate_exp = false;\n\
            decode::<C>(t, &DecodingKey::from_rsa_pem(include_bytes!(\"keys/public.pem\")).unwrap(), &v);\n}\n";
        let calls = verifiers(rust, Language::Rust);
        assert_eq!(calls.len(), 2, "{calls:?}");
        assert_eq!(calls[0].algorithms.as_deref(), Some(&["HS256".to_string()][..]));
        assert_eq!(calls[0].audiences, Expected::AnyOf(vec!["orders-api".into()]));
        assert_eq!(calls[0].issuers, Expected::AnyOf(vec!["https://auth".into()]));
        assert_eq!(calls[0].leeway, 30.0);
        assert_eq!(calls[0].key, KeySource::Env("JWT_SECRET".into()));
        assert!(!calls[1].checks_expiry);
        assert_eq!(calls[1].key, KeySource::File { path: "keys/public.pem".into(), base: PathBase::SourceFile });
    }

    #[test]
    fn fence_info_strings() {
        assert_eq!(Language::from_fence_info("js"), Some(Language::JavaScript));
        assert_eq!(Language::from_fence_info("python title=\"x.py\""), Some(Language::Python));
        assert_eq!(Language::from_fence_info("{.go}"), Some(Language::Go));
        assert_eq!(Language::from_fence_info("TSX"), Some(Language::Tsx));
        assert_eq!(Language::from_fence_info("java"), Some(Language::Java));
        assert_eq!(Language::from_fence_info("rust"), Some(Language::Rust));
        assert_eq!(Language::from_fence_info("haskell"), None);
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

    /// The verifier calls `check` takes from the analysis' parse are those a parse of their own
    /// finds, on every code and workspace fixture.
    #[test]
    fn the_analysis_finds_the_verifier_calls_a_separate_parse_finds() {
        fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("fixtures").flatten() {
                let path = entry.path();
                if path.is_dir() { files(&path, out) } else { out.push(path) }
            }
        }
        let mut paths = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        files(&root.join("code"), &mut paths);
        files(&root.join("workspace"), &mut paths);
        let (mut compared, mut with_calls) = (0, 0);
        for path in paths {
            let display = path.to_string_lossy();
            let Some(language) = Language::detect(Some(&display), None).filter(|l| *l != Language::Markdown) else {
                continue;
            };
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let context = Context::default();
            let separate = verifiers_in(&text, language, &context);
            assert!(analyze_with_verifiers(&text, language, &context).1 == separate, "{display}");
            compared += 1;
            with_calls += usize::from(!separate.is_empty());
        }
        assert!(compared > 100 && with_calls > 50, "{compared} files, {with_calls} with verifier calls");
    }

    #[test]
    fn python_names_a_library_in_its_imports() {
        let mentions = |text: &str| mentions_jwt_library(text, Language::Python, false);
        for imports in [
            "import jwt\n",
            "    import jwt as pyjwt\n",
            "from jose import jwt\n",
            "from jwcrypto import jwk, jwt\n",
            "import jwcrypto\nk = jwcrypto.jwk.JWK()\n",
            "import authlib\n",
            "import os; import jwt\n",
            "from authlib import (\n    jose,\n)\n",
            "from authlib.jose import JsonWebToken\n",
            "import authlib.jose.errors\n",
            "import os,jwt.algorithms\n",
            "from jose import(jwt)\n",
            "from authlib.oauth2 import x\nimport authlib.jose\n",
            "from jose \\\n    import jwt\n",
            "import os, \\\n    jwt\n",
            "app.config['JWT_SECRET_KEY'] = 'k'\n",
            "SIMPLE_JWT = {}\n",
        ] {
            assert!(mentions(imports), "{imports:?}");
        }
        for unrelated in [
            "def jwt_token(self):\n    return self.jwt\n",
            "# import jwt\n",
            "x = foo(jose)\nfrom m import (a)\njwt = 1\n",
            "\"\"\"Reads a JWT.\"\"\"\n",
            // authlib's OAuth modules hold no JWT call the analysis follows (`is_tracked_module`).
            "from authlib.oauth2.rfc6749 import OAuth2Error\n",
            "import authlib.integrations.flask_client\n",
            "from authlib.oauth1.client import y\n",
            "from sympy.physics.units import (\n    josephson_constant,\n)\n",
            "import flask_jwt_extended\n",
            "from .jwt import decode\n",
            // Names imported from a module the analysis does not follow.
            "from joserfc import jwk, jwt\n",
            "from x import a, \\\n    jwt\n",
            "from m import (\n    a,\n    jwt,\n)\n",
            "from importlib import jwt\n",
            "from authlibx import y\n",
        ] {
            assert!(!mentions(unrelated), "{unrelated:?}");
        }
        // Fragments (Markdown fences) keep the names alone.
        assert!(mentions_jwt_library("jwt.decode(t, k)", Language::Python, true));
        assert!(may_find_anything("import jwt\n", Language::Python));
        assert!(!may_find_anything("import os\n", Language::Python));
        assert!(may_find_anything("no code at all\n", Language::Markdown));
        assert!(!may_find_anything(&format!("import jwt\n{}", " ".repeat(MAX_PARSED_BYTES)), Language::Python));
        assert_eq!(&needles(Language::Python, false)[..PYTHON_IMPORTED.len()], PYTHON_IMPORTED);
    }

    #[test]
    fn no_panic_on_hostile_input() {
        let deep_js = format!(
            "const jwt = require('jsonwebtoken');\n{}jwt.verify(t, k){}",
            "(".repeat(20_000),
            ")".repeat(20_000)
        );
        let deep_py = format!("import jwt\nx = {}jwt.decode(t, k){}", "[".repeat(20_000), "]".repeat(20_000));
        let deep_go = format!(
            "package p\nimport \"github.com/golang-jwt/jwt/v5\"\nvar x = {}jwt.Parse(s, nil){}",
            "(".repeat(20_000),
            ")".repeat(20_000)
        );
        let deep_java = format!(
            "import io.jsonwebtoken.Jwts;\nclass A {{ Object x = {}Jwts.parser().parseClaimsJws(t){}; }}",
            "(".repeat(20_000),
            ")".repeat(20_000)
        );
        let deep_rust = format!(
            "use jsonwebtoken::decode;\nfn f() {{ let x = {}decode::<C>(t, k, v){}; }}",
            "(".repeat(20_000),
            ")".repeat(20_000)
        );
        // Found by the fuzz target `code_rust`: nested `use` lists overflowed the stack.
        let deep_use = format!("use jsonwebtoken::{}decode{};\nfn f() {{}}", "{a::".repeat(20_000), "}".repeat(20_000));
        // Names defined by each other: following them must stop.
        let cycle_php = "<?php\nuse Firebase\\JWT\\JWT;\n$a = $b;\n$b = $a;\nJWT::decode($a, $k, [$a]);\n";
        let cycle_java = "import com.auth0.jwt.JWT;\nimport com.nimbusds.jose.JWSAlgorithm;\nclass A {\n  Object a = b;\n  Object b = a;\n  Object f(String t) { return new com.nimbusds.jose.JWSHeader(JWSAlgorithm.parse(a)); }\n}\n";
        let deep_cs = format!(
            "using System.IdentityModel.Tokens.Jwt;\nclass A {{ object F() => new JwtSecurityTokenHandler().ValidateToken(Request.Headers[\"Authorization\"]{}, p, out _); }}",
            ".ToString()".repeat(20_000)
        );
        let garbage = "jsonwebtoken jwt jose golang-jwt/jwt ) ( { [ \" ' ` \\ \u{0} é 🙂".repeat(200);
        for (text, language) in [
            (deep_js.as_str(), Language::JavaScript),
            (deep_py.as_str(), Language::Python),
            (deep_go.as_str(), Language::Go),
            (deep_java.as_str(), Language::Java),
            (garbage.as_str(), Language::Java),
            (deep_rust.as_str(), Language::Rust),
            (garbage.as_str(), Language::Rust),
            (garbage.as_str(), Language::JavaScript),
            (garbage.as_str(), Language::TypeScript),
            (garbage.as_str(), Language::Tsx),
            (garbage.as_str(), Language::Python),
            (garbage.as_str(), Language::Go),
            (garbage.as_str(), Language::Markdown),
            (deep_use.as_str(), Language::Rust),
            (cycle_php, Language::Php),
            (cycle_java, Language::Java),
            (deep_cs.as_str(), Language::CSharp),
            ("```js\njwt.verify(", Language::Markdown),
            ("```go\njwt.Parse(", Language::Markdown),
            ("```java\nJWT.decode(", Language::Markdown),
            ("```rust\nlet v = Validation::new(", Language::Markdown),
        ] {
            let _ = analyze(text, language, &Context::default());
        }
    }

    /// Incremental re-parses (from a recent, edited tree) equal fresh parses, whatever the edit.
    #[test]
    fn incremental_parse_matches_fresh_parse() {
        let base = "const jwt = require('jsonwebtoken');\nfunction f(t) {\n  return jwt.verify(t, k, { algorithms: ['RS256'] });\n}\n// é 🙂\n".repeat(40);
        // Kinds and byte ranges of every node: positions must match too, not just shapes.
        let layout = |tree: &Tree| {
            let mut out = Vec::new();
            syntax::walk(tree.root_node(), |node| out.push((node.kind_id(), node.byte_range(), node.start_position())));
            out
        };
        let fresh = |text: &str, language: Language| {
            let mut parser = Parser::new();
            parser.set_language(&language.grammar().expect("grammar")).expect("language");
            layout(&parser.parse(text, None).expect("tree"))
        };
        let edits: Vec<(usize, usize, &str)> = vec![
            (0, 0, "x"),
            (100, 103, ""),
            (500, 500, "\n\n{"),
            (base.len(), base.len(), "jwt.decode(t)\n"),
            (60, 200, "é"),
            (1, base.len() - 1, ""),
        ];
        for (start, end, insert) in edits {
            let mut start = start.min(base.len());
            while !base.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = end.min(base.len()).max(start);
            while !base.is_char_boundary(end) {
                end += 1;
            }
            let edited = format!("{}{insert}{}", &base[..start], &base[end..]);
            parse(&base, Language::JavaScript).expect("base");
            let incremental = layout(&parse(&edited, Language::JavaScript).expect("edited"));
            assert_eq!(incremental, fresh(&edited, Language::JavaScript), "edit {start}..{end} {insert:?}");
        }
        assert_eq!(common_ends(b"abcXYZdef", b"abcQdef"), (3, 3));
        assert_eq!(common_ends(b"aaa", b"aaaa"), (3, 0));
        assert_eq!(point_at(b"ab\ncd\ne", 7), Point { row: 2, column: 1 });
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
