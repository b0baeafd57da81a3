//! The call-site model: what a piece of JWT code does and accepts, the same for every language.
//!
//! A language front end turns syntax into `CallSite`s (and `Import`s) and nothing else: it names
//! no rule and writes no message. `engine` judges the sites for every language, and renders fixes
//! through the front end's `Dialect`. `library` holds what is known about each JWT library as
//! data. Ranges are byte offsets into the analysed text.
//!
//! Unknown stays unknown: a value the front end cannot read from the same file is `Value::Unknown`,
//! and options it cannot read completely are `complete: false`, so the engine never guesses.

use std::ops::Range;

use super::knowledge::{AllowList, Key};
use super::library::Function;
use crate::finding::TextEdit;

/// What a call does with tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Checks a signature, and claims as far as its options say (`jwt.verify`, `jwtVerify`,
    /// PyJWT `decode`, golang-jwt `Parse`).
    Verify,
    /// Returns claims without checking the signature (`jwt.decode`, `decodeJwt`,
    /// `ParseUnverified`, `get_unverified_claims`).
    Decode,
    /// Reads only the header without checking anything (`decodeProtectedHeader`,
    /// `get_unverified_header`): never a finding by itself, but a decode's use can be this.
    PeekHeader,
    /// Creates a token (`jwt.sign`, `SignJWT…sign`, `jwt.encode`, `SignedString`).
    Sign,
    /// Configures verification that runs elsewhere (middleware, a passport strategy, framework
    /// settings, a parser or key object); judged like `Verify` where its options say so.
    Configure,
}

/// A value as far as the front end could evaluate it (literals, same-file constants).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Number(f64),
    Bool(bool),
    /// `null` / `None` / `nil`.
    Null,
    /// A Go `time.Duration` in nanoseconds.
    Duration(f64),
    Unknown,
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(text) => Some(text),
            _ => None,
        }
    }
}

/// An expression at a call site: where it is, its source text, and what is known about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub range: Range<usize>,
    /// The source text with whitespace normalised (for "the same token" comparisons).
    pub text: String,
    pub value: Value,
}

/// The token argument of a call.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenArg {
    pub expr: Expr,
    /// The value is the raw `Authorization` header, `Bearer ` scheme included.
    pub raw_authorization: bool,
}

/// What the key argument (or key option, or the keys a key function returns) is.
#[derive(Debug, Clone)]
pub struct KeyArg {
    /// Where the key is named in messages: `key`, `secretOrKey`, `JWT_SECRET_KEY`.
    pub spelled: String,
    pub key: Key,
    /// String literals that end up as the secret, with their ranges (a literal, a same-file
    /// constant, `Buffer.from('…')`, `[]byte("…")`, each branch of a conditional).
    pub literals: Vec<(String, Range<usize>)>,
    /// Public-key material handed over where the library takes an HMAC secret (a PEM as
    /// `[]byte`): key confusion whatever the allow-list says.
    pub public_as_secret: Vec<Range<usize>>,
    /// A marker value that makes the library accept unsigned tokens
    /// (golang-jwt `UnsafeAllowNoneSignatureType`).
    pub accepts_unsigned: Option<Range<usize>>,
    /// The key itself decides the algorithm: a PyJWK, or a key function that checks the
    /// token's algorithm (`t.Method.(*jwt.SigningMethodRSA)`) or cannot be read (unknown counts
    /// as pinned: no guess).
    pub pins_algorithm: bool,
    /// Where a key function can be taught to check the algorithm (rendered by the dialect).
    pub resolver: Option<ResolverAnchor>,
    /// Where the key's material comes from, when the code says (for checking tokens against it).
    pub source: KeySource,
    /// Values read from configuration by key whose literal the service's settings files commit
    /// (`Configuration["Jwt:Key"]` and `"Jwt": { "Key": "…" }` in `appsettings.json`): the value,
    /// the range of the lookup in the code, and where the value is written, for messages.
    pub settings: Vec<(String, Range<usize>, String)>,
}

/// Where a verifier's key comes from, as far as the same file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// Not known (a parameter, a computed value, a key function that cannot be read).
    Unknown,
    /// The string literals of `KeyArg::literals` (one of them, when a conditional picks).
    Literal,
    /// An environment variable: `process.env.X`, `os.environ["X"]`, `os.getenv("X")`, `os.Getenv("X")`.
    Env(String),
    /// A file read by a literal path (`/`-separated, as written, `..` kept).
    File { path: String, base: PathBase },
    /// A JWKS URL (`jwksUri`, `PyJWKClient(url)`, `createRemoteJWKSet(new URL(url))`).
    JwksUrl(String),
}

/// What a key file's literal path is relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathBase {
    /// The source file's folder (`__dirname`, `os.path.dirname(__file__)`).
    SourceFile,
    /// The process's working folder: taken to be the service's folder.
    WorkingFolder,
}

impl KeyArg {
    pub fn unknown(spelled: &str) -> KeyArg {
        KeyArg {
            spelled: spelled.to_string(),
            key: Key::UNKNOWN,
            literals: Vec::new(),
            public_as_secret: Vec::new(),
            accepts_unsigned: None,
            pins_algorithm: false,
            resolver: None,
            source: KeySource::Unknown,
            settings: Vec::new(),
        }
    }
}

/// A key function the dialect can teach to check the algorithm: its whole range (the front end
/// that made the anchor finds its syntax again).
#[derive(Debug, Clone)]
pub struct ResolverAnchor {
    pub function: Range<usize>,
}

/// A claim check a verifier can be told to skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Signature,
    Expiry,
    NotBefore,
    /// Every registered claim (`WithoutClaimsValidation`, `SkipClaimsValidation`).
    Claims,
    Audience,
    Issuer,
    /// Refusing unsigned tokens (.NET `RequireSignedTokens = false` accepts `alg: none`).
    SignatureRequired,
    /// Refusing tokens without an `exp` claim (.NET `RequireExpirationTime = false`).
    ExpiryRequired,
}

/// An option that switches a check off (`ignoreExpiration: true`, `verify_exp: False`).
#[derive(Debug, Clone)]
pub struct Switch {
    pub check: Check,
    /// The option as written, for messages: `ignoreExpiration: true`, `WithoutClaimsValidation()`.
    pub spelled: String,
    pub range: Range<usize>,
    /// Deletes the option and one separator, where that is a clean edit.
    pub removal: Option<Range<usize>>,
}

/// The algorithm allow-list of a call.
pub enum Algorithms {
    /// No allow-list given: the library's default applies (`Function::without_allow_list`).
    Absent,
    /// Given explicitly as `None`/`null`, which means "no allow-list" to the library.
    ExplicitNone(Range<usize>),
    /// Every algorithm the library knows (`jwt.algorithms.get_default_algorithms()`).
    Every(Range<usize>),
    Listed(AllowList),
    /// Given but unreadable.
    Unknown,
}

/// Whether a claim expectation (`audience`, `issuer`) is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Given {
    Yes,
    No,
    /// The options cannot tell (unreadable, or the call cannot check claims at all).
    Unknown,
}

/// Where a fix can add an option to the call (rendered by the dialect with the library's
/// spelling).
#[derive(Debug, Clone)]
pub enum Anchor {
    /// An options literal: before its first entry, or replacing it when it is empty
    /// (JS object, Python dict, Go struct body).
    Literal { first_entry: Option<usize>, whole: Range<usize> },
    /// After the call's last argument (`comma`: a separator is needed first).
    AfterArguments { at: usize, comma: bool },
    /// Replacing a value (`algorithms=None`).
    Replace(Range<usize>),
    /// Replacing the receiver of the call (Authlib's module-level `jwt` → `JsonWebToken([…])`),
    /// plus an import when the constructor is not imported yet.
    Receiver { range: Range<usize>, import: Option<TextEdit> },
}

/// The options of a call, as far as they can be read.
pub struct Options {
    /// Every option is known: no unresolved spread/splat/variadic, no computed key.
    pub complete: bool,
    pub algorithms: Algorithms,
    pub audience: Given,
    pub issuer: Given,
    /// The audiences it accepts, when `audience` is given as literals (empty: not given or not
    /// readable).
    pub audiences: Vec<String>,
    /// The issuers it accepts, as `audiences`.
    pub issuers: Vec<String>,
    /// Clock tolerance in seconds, with the value's range and the option's name.
    pub leeway: Option<(f64, Range<usize>, String)>,
    pub switches: Vec<Switch>,
    /// Algorithm to sign with (`sign` options, `jwt.encode(…, algorithm=)`, the header `alg`).
    pub signing_algorithm: Option<Expr>,
    /// Where a missing allow-list can be added.
    pub anchor: Option<Anchor>,
}

impl Options {
    /// No options given at all: everything at the library's defaults.
    pub fn defaults(anchor: Option<Anchor>) -> Options {
        Options {
            complete: true,
            algorithms: Algorithms::Absent,
            audience: Given::No,
            issuer: Given::No,
            audiences: Vec::new(),
            issuers: Vec::new(),
            leeway: None,
            switches: Vec::new(),
            signing_algorithm: None,
            anchor,
        }
    }

    /// Options that exist but cannot be read: nothing is judged from them.
    pub fn unknown() -> Options {
        Options {
            complete: false,
            algorithms: Algorithms::Unknown,
            audience: Given::Unknown,
            issuer: Given::Unknown,
            audiences: Vec::new(),
            issuers: Vec::new(),
            leeway: None,
            switches: Vec::new(),
            signing_algorithm: None,
            anchor: None,
        }
    }
}

/// How the result of a decode is used (for `decode-without-verify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Only header fields (`.header`, `complete=True` then `["header"]`).
    HeaderOnly,
    /// Only time claims (`exp`, `iat`, `nbf`): scheduling a refresh, showing an expiry.
    TimesOnly,
    /// Anything else, or not known.
    Claims,
}

/// One call of a JWT library, in language-neutral terms.
pub struct CallSite {
    /// The library function (from `library::LIBRARIES`).
    pub function: &'static Function,
    /// The library's major version, when the file or the project says.
    pub version: Option<u32>,
    pub operation: Operation,
    /// The callee (or the option that makes this call what it is); "missing …" findings go here.
    pub range: Range<usize>,
    /// The enclosing function or file (a decode followed by a verify of the same token in this
    /// range is a peek).
    pub scope: Range<usize>,
    pub token: Option<TokenArg>,
    pub key: Option<KeyArg>,
    pub options: Options,
    /// For decodes: what the result is used for.
    pub used_for: Use,
}

/// An import of a JWT library (for `insecure-jwt-library`).
pub struct Import {
    /// The module as written (`github.com/dgrijalva/jwt-go`).
    pub module: String,
    /// The module string's range, quotes included.
    pub range: Range<usize>,
}

/// What a language front end found in one source text.
#[derive(Default)]
pub struct Model {
    pub calls: Vec<CallSite>,
    pub imports: Vec<Import>,
}

/// How fixes are written in one language (and one file: imports differ). Implemented by each
/// front end; called by the engine, which decides what to fix.
pub trait Dialect {
    /// `token` with a leading `Bearer ` scheme removed (and any import that needs).
    fn strip_bearer(&self, token: &Expr) -> Vec<TextEdit>;
    /// The edits that add an allow-list of `algorithm` at `anchor`, with the option spelled
    /// `option` (`algorithms`, `WithValidMethods`, `ValidMethods`, `JsonWebToken`).
    fn add_allow_list(&self, anchor: &Anchor, option: &str, algorithm: &str) -> Option<Vec<TextEdit>>;
    /// The edits that name one `algorithm` at `anchor`, for libraries that take a single
    /// algorithm (`alg: 'RS256'` in options, or a positional argument after `AfterArguments`).
    fn add_algorithm(&self, _anchor: &Anchor, _option: &str, _algorithm: &str) -> Option<Vec<TextEdit>> {
        None
    }
    /// A titled fix that makes a key function reject tokens whose algorithm is not of
    /// `algorithm`'s family.
    fn pin_in_resolver(&self, _anchor: &ResolverAnchor, _algorithm: &str) -> Option<(String, Vec<TextEdit>)> {
        None
    }
    /// A module path as a string literal of this language.
    fn module_literal(&self, module: &str) -> String {
        format!("\"{module}\"")
    }
}

impl Model {
    /// A stable, line-per-fact rendering for snapshot tests of the front ends (source → model).
    /// Positions are `line:column` (1-based, bytes), values are the facts the engine reads.
    pub fn describe(&self, text: &str) -> String {
        let at = |offset: usize| {
            let before = &text[..offset.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |newline| newline + 1) + 1;
            format!("{line}:{column}")
        };
        let span = |range: &Range<usize>| format!("{}-{}", at(range.start), at(range.end));
        let mut out = String::new();
        for import in &self.imports {
            out.push_str(&format!("import {} @{}\n", import.module, span(&import.range)));
        }
        for site in &self.calls {
            let function = site.function;
            out.push_str(&format!(
                "{:?} {}:{} @{}{}\n",
                site.operation,
                function.library,
                function.path,
                span(&site.range),
                site.version.map(|version| format!(" v{version}")).unwrap_or_default()
            ));
            if let Some(token) = &site.token {
                let bearer = if token.raw_authorization { " (raw Authorization)" } else { "" };
                out.push_str(&format!("  token `{}`{bearer}\n", token.expr.text));
            }
            if let Some(key) = &site.key {
                out.push_str(&format!("  key `{}`: {:?}", key.spelled, key.key));
                for (value, range) in &key.literals {
                    out.push_str(&format!(" literal({} chars @{})", value.chars().count(), at(range.start)));
                }
                for range in &key.public_as_secret {
                    out.push_str(&format!(" public-as-secret@{}", at(range.start)));
                }
                if let Some(range) = &key.accepts_unsigned {
                    out.push_str(&format!(" accepts-unsigned@{}", at(range.start)));
                }
                if key.pins_algorithm {
                    out.push_str(" pins-algorithm");
                }
                if key.resolver.is_some() {
                    out.push_str(" resolver");
                }
                match &key.source {
                    KeySource::Unknown => {}
                    KeySource::Literal => out.push_str(" from=literal"),
                    KeySource::Env(name) => out.push_str(&format!(" from=env:{name}")),
                    KeySource::File { path, base } => out.push_str(&format!(" from=file:{path} ({base:?})")),
                    KeySource::JwksUrl(url) => out.push_str(&format!(" from=jwks:{url}")),
                }
                out.push('\n');
            }
            if matches!(site.operation, Operation::Decode | Operation::PeekHeader) {
                if site.used_for != Use::Claims {
                    out.push_str(&format!("  used for {:?}\n", site.used_for));
                }
                continue;
            }
            let options = &site.options;
            let algorithms = match &options.algorithms {
                Algorithms::Absent => "absent".to_string(),
                Algorithms::ExplicitNone(_) => "explicit None".to_string(),
                Algorithms::Every(_) => "every".to_string(),
                Algorithms::Unknown => "unknown".to_string(),
                Algorithms::Listed(list) => {
                    let items: Vec<String> = list
                        .items
                        .iter()
                        .map(|item| {
                            if item.from_token {
                                "<from token>".to_string()
                            } else {
                                item.name.clone().unwrap_or_else(|| format!("?{}", item.text))
                            }
                        })
                        .collect();
                    format!("[{}]", items.join(", "))
                }
            };
            out.push_str(&format!(
                "  options: {} algorithms={algorithms} aud={:?} iss={:?}",
                if options.complete { "complete" } else { "partial" },
                options.audience,
                options.issuer
            ));
            if !options.audiences.is_empty() {
                out.push_str(&format!(" audiences={:?}", options.audiences));
            }
            if !options.issuers.is_empty() {
                out.push_str(&format!(" issuers={:?}", options.issuers));
            }
            if let Some((seconds, _, option)) = &options.leeway {
                out.push_str(&format!(" leeway={option}:{seconds}s"));
            }
            for switch in &options.switches {
                out.push_str(&format!(" off({:?} `{}`)", switch.check, switch.spelled));
            }
            if let Some(algorithm) = &options.signing_algorithm {
                out.push_str(&format!(" signs-with={:?}", algorithm.value));
            }
            if let Some(anchor) = &options.anchor {
                let kind = match anchor {
                    Anchor::Literal { .. } => "literal",
                    Anchor::AfterArguments { .. } => "after-arguments",
                    Anchor::Replace(_) => "replace",
                    Anchor::Receiver { .. } => "receiver",
                };
                out.push_str(&format!(" anchor={kind}"));
            }
            if site.used_for != Use::Claims {
                out.push_str(&format!(" used-for={:?}", site.used_for));
            }
            out.push('\n');
        }
        out
    }
}
