//! What jwt-lsp knows about each JWT library, as data: its functions, what each does, how its
//! options are spelled, and what it does without an algorithm allow-list. Adding a library is
//! rows here (plus, in its language's front end, the import names that reach them) and fixtures.
//!
//! Messages quote `display`, `instead` and `without_allow_list`, so a row reads like the
//! library's documentation: keep each claim sourced (the rule pages cite the versions).

use super::model::Operation;
use crate::finding::Severity;

/// The language ecosystem a library belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ecosystem {
    Node,
    Python,
    Go,
    Java,
    Rust,
    /// C# (NuGet packages).
    DotNet,
    /// PHP (Composer packages).
    Php,
    Ruby,
}

/// Where a call carries one of its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    None,
    /// The positional argument at this index, named for messages (`secretOrPublicKey`).
    Arg(usize, &'static str),
    /// An entry of the options object (`secret`, `secretOrKey`).
    Option(&'static str),
}

/// One library function (or constructor, option, settings key) that the front ends recognise.
#[derive(Debug)]
pub struct Function {
    pub ecosystem: Ecosystem,
    /// The library's package name (`jsonwebtoken`, `PyJWT`, `golang-jwt`).
    pub library: &'static str,
    /// The front end's resolved name of the function (`verify`, `jwt.decode`, `Parser.Parse`).
    pub path: &'static str,
    pub operation: Operation,
    /// Where the token, the key and the options object sit (front ends that read calls
    /// generically use these; others may leave them `None`).
    pub token: Slot,
    pub key: Slot,
    pub options: Slot,
    /// Where the algorithm allow-list (or single algorithm) sits.
    pub algorithms: Slot,
    /// The algorithm used when none is given, for libraries that take one algorithm (Hono:
    /// `HS256`): with a public key that default is key confusion.
    pub default_algorithm: &'static str,
    /// An options entry whose object is read as if its entries were top-level (passport-jwt
    /// `jsonWebTokenOptions`, `@nestjs/jwt` `verifyOptions`).
    pub nested_options: &'static str,
    /// How messages name the call: `` `jwt.verify` ``.
    pub display: &'static str,
    /// For decodes: what to call instead.
    pub instead: &'static str,
    /// The error the function reports for a damaged token string, as users search for it
    /// (`` `jwt malformed` ``); empty when not worth quoting.
    pub malformed: &'static str,
    /// The call creates unsigned tokens by itself (jose `UnsecuredJWT`).
    pub unsigned: bool,
    /// What the function does when no allow-list is given; `None` when that is safe (the
    /// library derives the algorithm from the key, or refuses to run).
    pub without_allow_list: Option<(Severity, &'static str)>,
    /// Without an allow-list a secret key is still safe: the token can only choose among HMAC
    /// algorithms (jwt-simple); the finding is for public or unknown keys.
    pub secret_key_safe_without_allow_list: bool,
    /// How a fix spells the allow-list option (`algorithms`, `WithValidMethods`), and from which
    /// major version it exists (0: always).
    pub allow_list_option: &'static str,
    pub allow_list_option_since: u32,
    /// The options that set the expected audience and issuer, for messages (`audience`,
    /// `WithAudience`); empty when the call cannot check claims at all.
    pub audience_option: &'static str,
    pub issuer_option: &'static str,
    /// Missing `aud`/`iss` expectations are reported from this major version on (golang-jwt
    /// checks them only with options from v5).
    pub claims_since: u32,
}

impl Function {
    /// The row every entry starts from (`..Function::BASE`).
    pub const BASE: Function = Function {
        ecosystem: Ecosystem::Node,
        library: "",
        path: "",
        operation: Operation::Verify,
        token: Slot::None,
        key: Slot::None,
        options: Slot::None,
        algorithms: Slot::None,
        default_algorithm: "",
        nested_options: "",
        display: "",
        instead: "",
        malformed: "",
        unsigned: false,
        without_allow_list: None,
        secret_key_safe_without_allow_list: false,
        allow_list_option: "",
        allow_list_option_since: 0,
        audience_option: "",
        issuer_option: "",
        claims_since: 0,
    };

    /// The row for a resolved function, if the library is known.
    pub fn find(ecosystem: Ecosystem, library: &str, path: &str) -> Option<&'static Function> {
        FUNCTIONS.iter().find(|row| row.ecosystem == ecosystem && row.library == library && row.path == path)
    }

    /// The allow-list option a fix can add at `version`.
    pub fn allow_list_option_at(&self, version: Option<u32>) -> Option<&'static str> {
        let version = version.unwrap_or(u32::MAX);
        (!self.allow_list_option.is_empty() && version >= self.allow_list_option_since)
            .then_some(self.allow_list_option)
    }

    /// Whether missing `aud`/`iss` expectations are judged at `version`.
    pub fn judges_claims_at(&self, version: Option<u32>) -> bool {
        !self.audience_option.is_empty() && version.unwrap_or(u32::MAX) >= self.claims_since
    }
}

/// An archived library with a maintained successor (for `insecure-jwt-library`).
#[derive(Debug)]
pub struct Archived {
    /// The import path prefix of the archived library.
    pub module: &'static str,
    /// The same prefix in the successor (a drop-in replacement).
    pub successor: &'static str,
    pub why: &'static str,
}

pub const ARCHIVED: &[Archived] = &[
    Archived {
        module: "github.com/dgrijalva/jwt-go",
        successor: "github.com/golang-jwt/jwt",
        why: "`github.com/dgrijalva/jwt-go` is archived and unfixed: an `aud` array bypasses audience checks (CVE-2020-26160). `github.com/golang-jwt/jwt` is its maintained drop-in successor.",
    },
    Archived {
        module: "gopkg.in/square/go-jose.v2",
        successor: "gopkg.in/go-jose/go-jose.v2",
        why: "`gopkg.in/square/go-jose.v2` is archived and unfixed (JWE decompression bomb, CVE-2024-28180). `gopkg.in/go-jose/go-jose.v2` is its maintained drop-in fork.",
    },
];

impl Archived {
    pub fn of(module: &str) -> Option<&'static Archived> {
        ARCHIVED.iter().find(|archived| {
            module == archived.module || module.strip_prefix(archived.module).is_some_and(|rest| rest.starts_with('/'))
        })
    }
}

use Ecosystem::{DotNet, Go, Java, Php, Python, Ruby, Rust};
use Operation::{Configure, Decode, PeekHeader, Sign};

const JSONWEBTOKEN_WITHOUT: &str = "jsonwebtoken 9 derives it from the key type, and jsonwebtoken ≤ 8 accepts whatever algorithm the token names, `none` included (CVE-2022-23540, RFC 8725 §3.1). Pin the algorithm your key uses.";
const PYJWT_WITHOUT: &str =
    "PyJWT 2 raises `DecodeError` at runtime, and PyJWT 1 accepts whatever algorithm the token names (RFC 8725 §3.1).";
const PYTHON_JOSE_WITHOUT: &str = "python-jose skips the algorithm check when `algorithms` is missing or `None`: any algorithm the token names is accepted, including HS256 signed with your public key (CVE-2024-33663).";
const RUBY_JWT_WITHOUT: &str = "ruby-jwt 2.2 and later then verify HS256 only (a public key given as PEM text becomes an HMAC secret), 2.0–2.1 raise `IncorrectAlgorithm`, and 1.x accepts whatever algorithm the token names (RFC 8725 §3.1). Name the algorithm your key uses.";
const GOLANG_JWT_WITHOUT: &str = "without it, and with a keyfunc that never checks `t.Method`, the token chooses its own algorithm, so a public key can serve as an HMAC secret (RFC 8725 §3.1, golang-jwt README).";

/// A verify call of golang-jwt (and its archived predecessor) at `path`.
const fn golang_jwt(library: &'static str, path: &'static str, display: &'static str) -> Function {
    Function {
        ecosystem: Go,
        library,
        path,
        display,
        malformed: "`token is malformed`",
        without_allow_list: Some((Severity::Error, GOLANG_JWT_WITHOUT)),
        allow_list_option: "WithValidMethods",
        allow_list_option_since: 4,
        audience_option: "WithAudience",
        issuer_option: "WithIssuer",
        claims_since: 5,
        ..Function::BASE
    }
}

const fn pyjwt_decode(path: &'static str) -> Function {
    Function {
        ecosystem: Python,
        library: "PyJWT",
        path,
        display: "PyJWT `decode`",
        malformed: "`DecodeError`",
        without_allow_list: Some((Severity::Warning, PYJWT_WITHOUT)),
        allow_list_option: "algorithms",
        audience_option: "audience",
        issuer_option: "issuer",
        ..Function::BASE
    }
}

pub static FUNCTIONS: &[Function] = &[
    // ---- Node ----
    Function {
        library: "jsonwebtoken",
        path: "verify",
        token: Slot::Arg(0, "token"),
        key: Slot::Arg(1, "secretOrPublicKey"),
        options: Slot::Arg(2, "options"),
        algorithms: Slot::Option("algorithms"),
        display: "`jwt.verify`",
        malformed: "`jwt malformed` / `invalid token`",
        without_allow_list: Some((Severity::Warning, JSONWEBTOKEN_WITHOUT)),
        allow_list_option: "algorithms",
        audience_option: "audience",
        issuer_option: "issuer",
        ..Function::BASE
    },
    Function {
        library: "jsonwebtoken",
        path: "decode",
        operation: Decode,
        token: Slot::Arg(0, "token"),
        display: "`jwt.decode`",
        malformed: "a `null` result",
        instead: "`jwt.verify` with the key and an `algorithms` list",
        ..Function::BASE
    },
    Function {
        library: "jsonwebtoken",
        path: "sign",
        operation: Sign,
        key: Slot::Arg(1, "secretOrPrivateKey"),
        options: Slot::Arg(2, "options"),
        display: "jsonwebtoken `sign`",
        ..Function::BASE
    },
    // jose derives the allowed algorithms from the key: no allow-list is safe.
    Function {
        library: "jose",
        path: "jwtVerify",
        token: Slot::Arg(0, "jwt"),
        key: Slot::Arg(1, "key"),
        options: Slot::Arg(2, "options"),
        algorithms: Slot::Option("algorithms"),
        display: "`jwtVerify`",
        malformed: "`Invalid Compact JWS`",
        audience_option: "audience",
        issuer_option: "issuer",
        ..Function::BASE
    },
    // These verify a bare JWS: no claim options exist.
    Function {
        library: "jose",
        path: "compactVerify",
        token: Slot::Arg(0, "jws"),
        key: Slot::Arg(1, "key"),
        options: Slot::Arg(2, "options"),
        algorithms: Slot::Option("algorithms"),
        display: "`compactVerify`",
        ..Function::BASE
    },
    Function {
        library: "jose",
        path: "flattenedVerify",
        token: Slot::Arg(0, "jws"),
        key: Slot::Arg(1, "key"),
        options: Slot::Arg(2, "options"),
        algorithms: Slot::Option("algorithms"),
        display: "`flattenedVerify`",
        ..Function::BASE
    },
    Function {
        library: "jose",
        path: "generalVerify",
        token: Slot::Arg(0, "jws"),
        key: Slot::Arg(1, "key"),
        options: Slot::Arg(2, "options"),
        algorithms: Slot::Option("algorithms"),
        display: "`generalVerify`",
        ..Function::BASE
    },
    Function {
        library: "jose",
        path: "decodeJwt",
        operation: Decode,
        token: Slot::Arg(0, "jwt"),
        display: "`decodeJwt`",
        malformed: "`Invalid JWT`",
        instead: "`jwtVerify`",
        ..Function::BASE
    },
    Function {
        library: "jose",
        path: "UnsecuredJWT.decode",
        operation: Decode,
        token: Slot::Arg(0, "jwt"),
        display: "`UnsecuredJWT.decode`",
        instead: "`jwtVerify` with a real key",
        ..Function::BASE
    },
    Function {
        library: "jose",
        path: "UnsecuredJWT",
        operation: Sign,
        display: "`UnsecuredJWT`",
        unsigned: true,
        ..Function::BASE
    },
    Function { library: "jose", path: "SignJWT", operation: Sign, display: "jose `SignJWT`", ..Function::BASE },
    Function {
        library: "jose",
        path: "decodeProtectedHeader",
        operation: PeekHeader,
        token: Slot::Arg(0, "token"),
        display: "`decodeProtectedHeader`",
        ..Function::BASE
    },
    // jose v1/v2 (`const { JWT, JWK } = require('jose')`): without `algorithms`, every algorithm
    // of the key (or key store) is accepted — the key decides, as in jose v3+.
    Function {
        library: "jose",
        path: "JWT.verify",
        token: Slot::Arg(0, "token"),
        key: Slot::Arg(1, "key"),
        options: Slot::Arg(2, "options"),
        algorithms: Slot::Option("algorithms"),
        display: "jose `JWT.verify`",
        audience_option: "audience",
        issuer_option: "issuer",
        ..Function::BASE
    },
    Function {
        library: "jose",
        path: "JWT.decode",
        operation: Decode,
        token: Slot::Arg(0, "token"),
        display: "jose `JWT.decode`",
        instead: "`JWT.verify` with the key",
        ..Function::BASE
    },
    Function {
        library: "jose",
        path: "JWT.sign",
        operation: Sign,
        key: Slot::Arg(1, "key"),
        options: Slot::Arg(2, "options"),
        display: "jose `JWT.sign`",
        ..Function::BASE
    },
    Function {
        library: "express-jwt",
        path: "expressjwt",
        operation: Configure,
        key: Slot::Option("secret"),
        options: Slot::Arg(0, "options"),
        algorithms: Slot::Option("algorithms"),
        display: "`expressjwt`",
        without_allow_list: Some((
            Severity::Warning,
            "express-jwt ≥ 6 refuses to start (`algorithms should be set`), older versions accept any algorithm (CVE-2020-15084).",
        )),
        allow_list_option: "algorithms",
        audience_option: "audience",
        issuer_option: "issuer",
        ..Function::BASE
    },
    // koa-jwt hands its options to jsonwebtoken's `verify`: jsonwebtoken's defaults apply.
    Function {
        library: "koa-jwt",
        path: "koajwt",
        operation: Configure,
        key: Slot::Option("secret"),
        options: Slot::Arg(0, "options"),
        algorithms: Slot::Option("algorithms"),
        display: "koa-jwt",
        without_allow_list: Some((Severity::Warning, JSONWEBTOKEN_WITHOUT)),
        allow_list_option: "algorithms",
        audience_option: "audience",
        issuer_option: "issuer",
        ..Function::BASE
    },
    Function {
        library: "passport-jwt",
        path: "Strategy",
        operation: Configure,
        key: Slot::Option("secretOrKey"),
        options: Slot::Arg(0, "options"),
        algorithms: Slot::Option("algorithms"),
        nested_options: "jsonWebTokenOptions",
        display: "`JwtStrategy`",
        without_allow_list: Some((
            Severity::Warning,
            "passport-jwt then accepts every algorithm jsonwebtoken derives from the key (RFC 8725 §3.1). Pin the algorithm your key uses.",
        )),
        allow_list_option: "algorithms",
        audience_option: "audience",
        issuer_option: "issuer",
        ..Function::BASE
    },
    // @nestjs/jwt wraps jsonwebtoken; `verifyOptions` go to its `verify`.
    Function {
        library: "@nestjs/jwt",
        path: "JwtModule.register",
        operation: Configure,
        key: Slot::Option("secret"),
        options: Slot::Arg(0, "options"),
        algorithms: Slot::Option("algorithms"),
        nested_options: "verifyOptions",
        display: "`JwtModule.register`",
        without_allow_list: Some((Severity::Warning, JSONWEBTOKEN_WITHOUT)),
        allow_list_option: "algorithms",
        audience_option: "audience",
        issuer_option: "issuer",
        ..Function::BASE
    },
    // Per-call options override the module's, which this call cannot see: only what is written
    // here is judged.
    Function {
        library: "@nestjs/jwt",
        path: "JwtService.verify",
        token: Slot::Arg(0, "token"),
        key: Slot::Option("secret"),
        options: Slot::Arg(1, "options"),
        algorithms: Slot::Option("algorithms"),
        display: "`JwtService.verify`",
        malformed: "`jwt malformed`",
        ..Function::BASE
    },
    Function {
        library: "@nestjs/jwt",
        path: "JwtService.verifyAsync",
        token: Slot::Arg(0, "token"),
        key: Slot::Option("secret"),
        options: Slot::Arg(1, "options"),
        algorithms: Slot::Option("algorithms"),
        display: "`JwtService.verifyAsync`",
        malformed: "`jwt malformed`",
        ..Function::BASE
    },
    Function {
        library: "@nestjs/jwt",
        path: "JwtService.decode",
        operation: Decode,
        token: Slot::Arg(0, "token"),
        display: "`JwtService.decode`",
        instead: "`JwtService.verifyAsync`",
        ..Function::BASE
    },
    Function {
        library: "@nestjs/jwt",
        path: "JwtService.sign",
        operation: Sign,
        key: Slot::Option("secret"),
        options: Slot::Arg(1, "options"),
        display: "`JwtService.sign`",
        ..Function::BASE
    },
    Function {
        library: "@nestjs/jwt",
        path: "JwtService.signAsync",
        operation: Sign,
        key: Slot::Option("secret"),
        options: Slot::Arg(1, "options"),
        display: "`JwtService.signAsync`",
        ..Function::BASE
    },
    // @fastify/jwt verifies with fast-jwt, which refuses algorithms the key cannot use: no
    // allow-list is not key confusion. `verify` options are read as top-level.
    Function {
        library: "@fastify/jwt",
        path: "register",
        operation: Configure,
        key: Slot::Option("secret"),
        options: Slot::Arg(1, "options"),
        algorithms: Slot::Option("algorithms"),
        nested_options: "verify",
        display: "`@fastify/jwt`",
        audience_option: "allowedAud",
        issuer_option: "allowedIss",
        ..Function::BASE
    },
    // jwt-simple: `decode(token, key, noVerify, algorithm)` takes the algorithm from the token's
    // header unless the fourth argument names it.
    Function {
        library: "jwt-simple",
        path: "decode",
        token: Slot::Arg(0, "token"),
        key: Slot::Arg(1, "key"),
        algorithms: Slot::Arg(3, "algorithm"),
        display: "jwt-simple `decode`",
        without_allow_list: Some((
            Severity::Warning,
            "jwt-simple then uses the algorithm the token's header names (since 0.5.3 only a `BEGIN PUBLIC KEY` PEM forces RS256): with a certificate, a key object or an older version, an HS256 token signed with the public key verifies (CVE-2016-10555). Pass the algorithm as the fourth argument.",
        )),
        secret_key_safe_without_allow_list: true,
        ..Function::BASE
    },
    Function {
        library: "jwt-simple",
        path: "encode",
        operation: Sign,
        key: Slot::Arg(1, "key"),
        algorithms: Slot::Arg(2, "algorithm"),
        display: "jwt-simple `encode`",
        ..Function::BASE
    },
    // Hono verifies with one algorithm, `HS256` unless told otherwise.
    Function {
        library: "hono",
        path: "verify",
        token: Slot::Arg(0, "token"),
        key: Slot::Arg(1, "secret"),
        algorithms: Slot::Arg(2, "alg"),
        default_algorithm: "HS256",
        display: "Hono `verify`",
        ..Function::BASE
    },
    Function {
        library: "hono",
        path: "jwt",
        operation: Configure,
        key: Slot::Option("secret"),
        options: Slot::Arg(0, "options"),
        algorithms: Slot::Option("alg"),
        default_algorithm: "HS256",
        allow_list_option: "alg",
        display: "Hono `jwt`",
        ..Function::BASE
    },
    Function {
        library: "hono",
        path: "decode",
        operation: Decode,
        token: Slot::Arg(0, "token"),
        display: "Hono `decode`",
        instead: "`verify` with the key and its algorithm",
        ..Function::BASE
    },
    Function {
        library: "hono",
        path: "sign",
        operation: Sign,
        key: Slot::Arg(1, "secret"),
        algorithms: Slot::Arg(2, "alg"),
        display: "Hono `sign`",
        ..Function::BASE
    },
    // ---- Python ----
    pyjwt_decode("jwt.decode"),
    pyjwt_decode("jwt.decode_complete"),
    pyjwt_decode("jwt.api_jwt.decode"),
    pyjwt_decode("jwt.PyJWT.decode"),
    pyjwt_decode("jwt.PyJWT.decode_complete"),
    Function {
        ecosystem: Python,
        library: "PyJWT",
        path: "jwt.encode",
        operation: Sign,
        display: "`jwt.encode`",
        ..Function::BASE
    },
    Function {
        ecosystem: Python,
        library: "PyJWT",
        path: "jwt.PyJWT.encode",
        operation: Sign,
        display: "PyJWT `encode`",
        ..Function::BASE
    },
    Function {
        ecosystem: Python,
        library: "PyJWT",
        path: "jwt.get_unverified_header",
        operation: PeekHeader,
        display: "`get_unverified_header`",
        ..Function::BASE
    },
    Function {
        ecosystem: Python,
        library: "python-jose",
        path: "jose.jwt.decode",
        display: "python-jose `decode`",
        malformed: "`JWTError`",
        without_allow_list: Some((Severity::Error, PYTHON_JOSE_WITHOUT)),
        allow_list_option: "algorithms",
        audience_option: "audience",
        issuer_option: "issuer",
        ..Function::BASE
    },
    Function {
        ecosystem: Python,
        library: "python-jose",
        path: "jose.jwt.get_unverified_claims",
        operation: Decode,
        display: "`get_unverified_claims`",
        instead: "`jwt.decode` with the key and `algorithms`",
        ..Function::BASE
    },
    Function {
        ecosystem: Python,
        library: "python-jose",
        path: "jose.jwt.get_unverified_header",
        operation: PeekHeader,
        display: "`get_unverified_header`",
        ..Function::BASE
    },
    Function {
        ecosystem: Python,
        library: "python-jose",
        path: "jose.jws.verify",
        display: "python-jose `jws.verify`",
        without_allow_list: Some((Severity::Error, PYTHON_JOSE_WITHOUT)),
        allow_list_option: "algorithms",
        ..Function::BASE
    },
    Function {
        ecosystem: Python,
        library: "python-jose",
        path: "jose.jwt.encode",
        operation: Sign,
        display: "`jwt.encode`",
        ..Function::BASE
    },
    Function {
        ecosystem: Python,
        library: "Authlib",
        path: "authlib.jose.jwt.decode",
        display: "Authlib `jwt.decode`",
        without_allow_list: Some((
            Severity::Error,
            "`authlib.jose.jwt` is a `JsonWebToken` over every registered algorithm (`none` included before Authlib's fix): a public key then works as an HMAC secret (CVE-2024-37568). Decode with `JsonWebToken([\"RS256\"])`.",
        )),
        allow_list_option: "JsonWebToken",
        ..Function::BASE
    },
    Function {
        ecosystem: Python,
        library: "Authlib",
        path: "authlib.jose.jwt.encode",
        operation: Sign,
        display: "Authlib `jwt.encode`",
        ..Function::BASE
    },
    Function {
        ecosystem: Python,
        library: "Authlib",
        path: "authlib.instance.encode",
        operation: Sign,
        display: "Authlib `jwt.encode`",
        ..Function::BASE
    },
    Function {
        ecosystem: Python,
        library: "Authlib",
        path: "authlib.instance.decode",
        display: "Authlib `jwt.decode`",
        ..Function::BASE
    },
    Function {
        ecosystem: Python,
        library: "Authlib",
        path: "authlib.jose.JsonWebToken",
        operation: Configure,
        display: "`JsonWebToken`",
        ..Function::BASE
    },
    Function {
        ecosystem: Python,
        library: "Flask-JWT-Extended",
        path: "settings",
        operation: Configure,
        display: "Flask-JWT-Extended",
        ..Function::BASE
    },
    // jwcrypto checks every algorithm against the JWK's key type (`kty`) and implements no
    // `none`, so its `algs` (default: every HS/RS/ES/PS algorithm) cannot open key confusion.
    // Without `check_claims` it checks `exp`/`nbf` when present and nothing about `aud`/`iss`.
    Function {
        ecosystem: Python,
        library: "jwcrypto",
        path: "jwcrypto.jwt.JWT",
        display: "jwcrypto `JWT`",
        audience_option: "check_claims={\"aud\": …}",
        issuer_option: "check_claims={\"iss\": …}",
        ..Function::BASE
    },
    // The claims to check were given to the constructor.
    Function {
        ecosystem: Python,
        library: "jwcrypto",
        path: "jwcrypto.JWT.deserialize",
        display: "jwcrypto `deserialize`",
        ..Function::BASE
    },
    // Simple JWT always passes `[ALGORITHM]` (default HS256, validated against its own list) to
    // PyJWT, so only the key and the leeway are judged.
    Function {
        ecosystem: Python,
        library: "djangorestframework-simplejwt",
        path: "SIMPLE_JWT",
        operation: Configure,
        display: "Simple JWT",
        ..Function::BASE
    },
    // ---- Go ----
    golang_jwt("golang-jwt", "Parse", "golang-jwt `Parse`"),
    golang_jwt("golang-jwt", "ParseWithClaims", "golang-jwt `ParseWithClaims`"),
    golang_jwt("golang-jwt", "Parser.Parse", "golang-jwt `Parser.Parse`"),
    golang_jwt("golang-jwt", "Parser.ParseWithClaims", "golang-jwt `Parser.ParseWithClaims`"),
    Function {
        ecosystem: Go,
        library: "golang-jwt",
        path: "Parser.ParseUnverified",
        operation: Decode,
        display: "`ParseUnverified`",
        instead: "`Parse`/`ParseWithClaims` with a keyfunc and `WithValidMethods`",
        ..Function::BASE
    },
    // Parser options judged where they are written (an option variable may serve many parsers).
    Function {
        ecosystem: Go,
        library: "golang-jwt",
        path: "ParserOption",
        operation: Configure,
        display: "golang-jwt",
        ..Function::BASE
    },
    Function {
        ecosystem: Go,
        library: "golang-jwt",
        path: "SignedString",
        operation: Sign,
        display: "golang-jwt `SignedString`",
        ..Function::BASE
    },
    Function {
        ecosystem: Go,
        library: "golang-jwt",
        path: "New",
        operation: Sign,
        display: "golang-jwt `New`",
        ..Function::BASE
    },
    Function {
        ecosystem: Go,
        library: "golang-jwt",
        path: "NewWithClaims",
        operation: Sign,
        display: "golang-jwt `NewWithClaims`",
        ..Function::BASE
    },
    // The marker key: a verifier when used as a key, a signer inside `SignedString`/`Sign`.
    Function {
        ecosystem: Go,
        library: "golang-jwt",
        path: "UnsafeAllowNoneSignatureType",
        operation: Configure,
        display: "golang-jwt",
        ..Function::BASE
    },
    Function {
        ecosystem: Go,
        library: "jwx",
        path: "jwt.Parse",
        display: "jwx `jwt.Parse`",
        audience_option: "jwt.WithAudience",
        issuer_option: "jwt.WithIssuer",
        ..Function::BASE
    },
    Function {
        ecosystem: Go,
        library: "jwx",
        path: "jwt.ParseInsecure",
        operation: Decode,
        display: "`jwt.ParseInsecure`",
        instead: "`jwt.Parse` with `jwt.WithKey`",
        ..Function::BASE
    },
    Function { ecosystem: Go, library: "jwx", path: "Option", operation: Configure, display: "jwx", ..Function::BASE },
    Function {
        ecosystem: Go,
        library: "go-jose",
        path: "ParseSigned",
        display: "go-jose `ParseSigned`",
        without_allow_list: Some((
            Severity::Warning,
            "go-jose v2/v3 take the algorithm from the token. Upgrade to go-jose v4 and pass the expected algorithms.",
        )),
        ..Function::BASE
    },
    Function { ecosystem: Go, library: "go-jose", path: "Claims", display: "go-jose `Claims`", ..Function::BASE },
    Function {
        ecosystem: Go,
        library: "go-jose",
        path: "UnsafeClaimsWithoutVerification",
        operation: Decode,
        display: "`UnsafeClaimsWithoutVerification`",
        instead: "`Claims(key, &out)` and then `Validate`",
        ..Function::BASE
    },
    Function {
        ecosystem: Go,
        library: "go-jose",
        path: "UnsafePayloadWithoutVerification",
        operation: Decode,
        display: "`UnsafePayloadWithoutVerification`",
        instead: "`Verify(key)`",
        ..Function::BASE
    },
    Function {
        ecosystem: Go,
        library: "go-jose",
        path: "Option",
        operation: Configure,
        display: "go-jose",
        ..Function::BASE
    },
    Function {
        ecosystem: Go,
        library: "go-jose",
        path: "SigningKey",
        operation: Sign,
        display: "go-jose `SigningKey`",
        ..Function::BASE
    },
    // coreos/go-oidc `Config` (oidc/verify.go, https://pkg.go.dev/github.com/coreos/go-oidc/v3/oidc#Config):
    // `SupportedSigningAlgs` defaults to the provider's advertised list, else RS256, so no
    // allow-list is safe; an empty `ClientID` without `SkipClientIDCheck` makes `Verify` fail.
    // What is judged are the switches: `SkipExpiryCheck`, `SkipClientIDCheck`, `SkipIssuerCheck`,
    // `InsecureSkipSignatureCheck` (v3).
    Function {
        ecosystem: Go,
        library: "go-oidc",
        path: "Config",
        operation: Configure,
        display: "the go-oidc ID token verifier",
        ..Function::BASE
    },
    // go-chi/jwtauth `New(alg, signKey, verifyKey, validateOptions...)`: verifies with
    // `jwt.WithKey(alg, key)` (the algorithm is pinned) and validates with jwx `jwt.Validate`,
    // which checks `aud`/`iss` only when `validateOptions` ask (v5, jwtauth.go).
    Function {
        ecosystem: Go,
        library: "jwtauth",
        path: "New",
        operation: Configure,
        display: "`jwtauth.New`",
        audience_option: "jwt.WithAudience",
        issuer_option: "jwt.WithIssuer",
        claims_since: 5,
        ..Function::BASE
    },
    // labstack echo-jwt `Config` / `JWT(key)` and echo v4 `middleware.JWTConfig` / `JWT(key)`:
    // `SigningMethod` defaults to HS256 and the default parser rejects any other `alg`, so no
    // allow-list is needed; the key is what is judged.
    Function {
        ecosystem: Go,
        library: "echo-jwt",
        path: "Config",
        operation: Configure,
        display: "echo-jwt `Config`",
        ..Function::BASE
    },
    Function {
        ecosystem: Go,
        library: "echo-jwt",
        path: "JWT",
        operation: Configure,
        display: "`echojwt.JWT`",
        ..Function::BASE
    },
    Function {
        ecosystem: Go,
        library: "echo",
        path: "JWTConfig",
        operation: Configure,
        display: "echo `middleware.JWTConfig`",
        ..Function::BASE
    },
    Function {
        ecosystem: Go,
        library: "echo",
        path: "JWT",
        operation: Configure,
        display: "echo `middleware.JWT`",
        ..Function::BASE
    },
    // appleboy/gin-jwt `GinJWTMiddleware{Key, SigningAlgorithm}`: `SigningAlgorithm` defaults to
    // HS256 and `parseToken` rejects a token whose method differs (auth_jwt.go).
    Function {
        ecosystem: Go,
        library: "gin-jwt",
        path: "GinJWTMiddleware",
        operation: Configure,
        display: "gin-jwt `GinJWTMiddleware`",
        ..Function::BASE
    },
    // gofiber contrib/jwt `Config{SigningKey: SigningKey{JWTAlg, Key}}` (jwt/config.go: `JWTAlg`,
    // when set, is checked against the header); gofiber/jwt v2/v3 `Config{SigningKey,
    // SigningMethod}` (default HS256).
    Function {
        ecosystem: Go,
        library: "fiber-jwt",
        path: "Config",
        operation: Configure,
        display: "gofiber jwt `Config`",
        ..Function::BASE
    },
    Function {
        ecosystem: Go,
        library: "fiber-jwt",
        path: "SigningKey",
        operation: Configure,
        display: "gofiber jwt `SigningKey`",
        ..Function::BASE
    },
    // ---- Java (issue 14) ----
    // None of these takes an algorithm allow-list, and none needs one: jjwt picks the verifier
    // from the key's type (a `SecretKey` only verifies HS*, a `PublicKey` only its family), auth0
    // java-jwt's `JWT.require(Algorithm.X(key))` rejects a token whose header names another
    // algorithm (`AlgorithmMismatchException`), a nimbus `JWSVerifier` supports only its key's
    // family, and Spring's `NimbusJwtDecoder` builders default to HS256 (`withSecretKey`) or RS256
    // (`withPublicKey`, `withJwkSetUri`). What is judged is keys, claim expectations, leeway,
    // unsigned tokens and decodes.
    // jjwt (https://github.com/jwtk/jjwt, javadoc.io jjwt-api 0.11.2 `JwtParser`): `parseClaimsJws`
    // / 0.12 `parseSignedClaims` verify and check `exp`/`nbf`; `aud`/`iss` only with
    // `requireAudience` / `requireIssuer`.
    Function {
        ecosystem: Java,
        library: "jjwt",
        path: "JwtParser.parseClaimsJws",
        display: "jjwt `parseClaimsJws`",
        malformed: "`MalformedJwtException`",
        audience_option: "requireAudience",
        issuer_option: "requireIssuer",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "jjwt",
        path: "JwtParser.parseSignedClaims",
        display: "jjwt `parseSignedClaims`",
        malformed: "`MalformedJwtException`",
        audience_option: "requireAudience",
        issuer_option: "requireIssuer",
        ..Function::BASE
    },
    // `parseClaimsJwt` (≤ 0.11) and `parseUnsecuredClaims` (0.12) parse unsigned JWTs only.
    Function {
        ecosystem: Java,
        library: "jjwt",
        path: "JwtParser.parseClaimsJwt",
        operation: Decode,
        display: "jjwt `parseClaimsJwt`",
        instead: "`parseClaimsJws` with a signing key",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "jjwt",
        path: "JwtParser.parseUnsecuredClaims",
        operation: Decode,
        display: "jjwt `parseUnsecuredClaims`",
        instead: "`parseSignedClaims` with `verifyWith(key)`",
        ..Function::BASE
    },
    // jjwt ≤ 0.11 `parse(String)` returns whatever the string is, an unsigned JWT included ("The
    // parse method does not throw an error when it parses an unsigned JSON web token", Amazon
    // CodeGuru detector java/insecure-jwt-parsing); 0.12 rejects unsecured JWTs unless
    // `unsecured()` is called. Read only on chains written with the ≤ 0.11 API.
    Function {
        ecosystem: Java,
        library: "jjwt",
        path: "JwtParser.parse",
        operation: Decode,
        display: "jjwt ≤ 0.11 `parse`, which also returns unsigned tokens,",
        instead: "`parseClaimsJws`",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "jjwt",
        path: "JwtBuilder.compact",
        operation: Sign,
        display: "jjwt `Jwts.builder()`",
        ..Function::BASE
    },
    // A builder chain without `signWith` produces an unsecured JWT (`alg: none`).
    Function {
        ecosystem: Java,
        library: "jjwt",
        path: "JwtBuilder.compact unsigned",
        operation: Sign,
        display: "`Jwts.builder()…compact()` without `signWith`",
        unsigned: true,
        ..Function::BASE
    },
    // auth0 java-jwt (https://github.com/auth0/java-jwt EXAMPLES.md; javadoc.io java-jwt 4.5.2
    // `Verification`): `exp`/`nbf`/`iat` are checked by default, `acceptLeeway(s)` /
    // `acceptExpiresAt(s)` widen them; `withIssuer` / `withAudience` are opt-in. `JWT.decode`
    // does not verify.
    Function {
        ecosystem: Java,
        library: "java-jwt",
        path: "JWTVerifier.verify",
        display: "java-jwt `JWTVerifier.verify`",
        malformed: "`JWTDecodeException`",
        audience_option: "withAudience",
        issuer_option: "withIssuer",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "java-jwt",
        path: "JWT.decode",
        operation: Decode,
        display: "java-jwt `JWT.decode`",
        malformed: "`JWTDecodeException`",
        instead: "`JWT.require(algorithm).build().verify`",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "java-jwt",
        path: "JWT.create",
        operation: Sign,
        display: "java-jwt `JWT.create().sign`",
        ..Function::BASE
    },
    // nimbus-jose-jwt (https://connect2id.com/products/nimbus-jose-jwt): `SignedJWT.verify(verifier)`
    // checks the signature only (no claim is checked); claims read from a parsed JWT that is never
    // verified are unchecked. `DefaultJWTProcessor` checks `exp`/`nbf` through its default
    // `DefaultJWTClaimsVerifier` (60 s skew) unless the claims verifier is set to `null`.
    Function {
        ecosystem: Java,
        library: "nimbus-jose-jwt",
        path: "SignedJWT.verify",
        display: "nimbus `SignedJWT.verify`",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "nimbus-jose-jwt",
        path: "getJWTClaimsSet",
        operation: Decode,
        display: "nimbus `getJWTClaimsSet` on a parsed JWT",
        instead: "`signedJWT.verify(verifier)` (or a `DefaultJWTProcessor`)",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "nimbus-jose-jwt",
        path: "DefaultJWTProcessor",
        operation: Configure,
        display: "nimbus `DefaultJWTProcessor`",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "nimbus-jose-jwt",
        path: "DefaultJWTClaimsVerifier",
        operation: Configure,
        display: "nimbus `DefaultJWTClaimsVerifier`",
        ..Function::BASE
    },
    // The expected algorithm(s) of a `DefaultJWTProcessor`: an allow-list.
    Function {
        ecosystem: Java,
        library: "nimbus-jose-jwt",
        path: "JWSVerificationKeySelector",
        operation: Configure,
        display: "nimbus `JWSVerificationKeySelector`",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "nimbus-jose-jwt",
        path: "MACSigner",
        operation: Sign,
        display: "nimbus `MACSigner`",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "nimbus-jose-jwt",
        path: "PlainJWT",
        operation: Sign,
        display: "nimbus `PlainJWT`",
        unsigned: true,
        ..Function::BASE
    },
    // Spring Security `NimbusJwtDecoder` (docs.spring.io, OAuth 2.0 Resource Server JWT): the
    // default validator is `JwtValidators.createDefault()`, a `JwtTimestampValidator` with 60 s
    // clock skew; `setJwtValidator` replaces it, so a validator without a `JwtTimestampValidator`
    // stops checking `exp`/`nbf` (spring-security issue #18230 shows the documented pattern).
    Function {
        ecosystem: Java,
        library: "spring-security",
        path: "NimbusJwtDecoder.withSecretKey",
        operation: Configure,
        display: "Spring `NimbusJwtDecoder.withSecretKey`",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "spring-security",
        path: "NimbusJwtDecoder.withPublicKey",
        operation: Configure,
        display: "Spring `NimbusJwtDecoder.withPublicKey`",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "spring-security",
        path: "NimbusJwtDecoder.withJwkSetUri",
        operation: Configure,
        display: "Spring `NimbusJwtDecoder.withJwkSetUri`",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "spring-security",
        path: "NimbusReactiveJwtDecoder.withSecretKey",
        operation: Configure,
        display: "Spring `NimbusReactiveJwtDecoder.withSecretKey`",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "spring-security",
        path: "NimbusReactiveJwtDecoder.withPublicKey",
        operation: Configure,
        display: "Spring `NimbusReactiveJwtDecoder.withPublicKey`",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "spring-security",
        path: "NimbusReactiveJwtDecoder.withJwkSetUri",
        operation: Configure,
        display: "Spring `NimbusReactiveJwtDecoder.withJwkSetUri`",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "spring-security",
        path: "setJwtValidator",
        operation: Configure,
        display: "the Spring `JwtDecoder`",
        ..Function::BASE
    },
    Function {
        ecosystem: Java,
        library: "spring-security",
        path: "JwtTimestampValidator",
        operation: Configure,
        display: "Spring `JwtTimestampValidator`",
        ..Function::BASE
    },
    // ---- Rust (issue 14) ----
    // jsonwebtoken (docs.rs jsonwebtoken `Validation`): `Validation::new(alg)` allows that one
    // algorithm and `Validation::default()` HS256; `decode` fails with `InvalidAlgorithm` when the
    // key's family differs, so no allow-list is ever missing. `leeway` is seconds (default 60 from
    // 9, 0 before), `validate_exp` defaults to true, `aud`/`iss` are checked only when
    // `set_audience`/`set_issuer` set them, `insecure_disable_signature_validation()` turns
    // `decode` into a decode.
    Function {
        ecosystem: Rust,
        library: "jsonwebtoken",
        path: "decode",
        display: "jsonwebtoken `decode`",
        malformed: "`InvalidToken`",
        audience_option: "set_audience",
        issuer_option: "set_issuer",
        ..Function::BASE
    },
    Function {
        ecosystem: Rust,
        library: "jsonwebtoken",
        path: "decode_header",
        operation: PeekHeader,
        display: "jsonwebtoken `decode_header`",
        ..Function::BASE
    },
    Function {
        ecosystem: Rust,
        library: "jsonwebtoken",
        path: "dangerous_insecure_decode",
        operation: Decode,
        display: "jsonwebtoken `dangerous_insecure_decode`",
        instead: "`decode` with a `DecodingKey` and a `Validation`",
        ..Function::BASE
    },
    Function {
        ecosystem: Rust,
        library: "jsonwebtoken",
        path: "dangerous::insecure_decode",
        operation: Decode,
        display: "jsonwebtoken `dangerous::insecure_decode`",
        instead: "`decode` with a `DecodingKey` and a `Validation`",
        ..Function::BASE
    },
    Function {
        ecosystem: Rust,
        library: "jsonwebtoken",
        path: "encode",
        operation: Sign,
        display: "jsonwebtoken `encode`",
        ..Function::BASE
    },
    // josekit (docs.rs josekit `jwt::decode_unsecured`: "Return the JWT object decoded with the
    // \"none\" algorithm"; `encode_unsecured`: "… with a \"none\" algorithm").
    // jwt-simple (docs.rs jwt-simple `VerificationOptions`: "Signatures and token expiration are
    // already automatically verified"; `allowed_issuers` / `allowed_audiences` are opt-in;
    // `time_tolerance` is the clock tolerance). Each key type verifies only its own algorithm.
    Function {
        ecosystem: Rust,
        library: "jwt-simple",
        path: "verify_token",
        display: "jwt-simple `verify_token`",
        audience_option: "allowed_audiences",
        issuer_option: "allowed_issuers",
        ..Function::BASE
    },
    Function {
        ecosystem: Rust,
        library: "josekit",
        path: "jwt::decode_unsecured",
        operation: Decode,
        display: "josekit `jwt::decode_unsecured`",
        instead: "`jwt::decode_with_verifier`",
        ..Function::BASE
    },
    Function {
        ecosystem: Rust,
        library: "josekit",
        path: "jwt::encode_unsecured",
        operation: Sign,
        display: "josekit `jwt::encode_unsecured`",
        unsigned: true,
        ..Function::BASE
    },
    // ---- C# (.NET): System.IdentityModel.Tokens.Jwt, Microsoft.IdentityModel.JsonWebTokens and
    // Microsoft.IdentityModel.Tokens (AzureAD/azure-activedirectory-identitymodel-extensions-for-dotnet),
    // ASP.NET Core's JwtBearer handler. Validation is configured by `TokenValidationParameters`
    // (TokenValidationParameters.cs): `ValidateAudience`, `ValidateIssuer`, `ValidateLifetime`,
    // `RequireExpirationTime` and `RequireSignedTokens` default to true, `ClockSkew` to 300 s, and
    // `ValidAlgorithms` to null, which accepts any algorithm the key supports
    // (`CryptoProviderFactory.IsSupportedAlgorithm`: a `SymmetricSecurityKey` only HMAC, an RSA
    // key only RS/PS), so no allow-list is safe. Without `ValidAudience(s)` / `ValidIssuer(s)`
    // validation fails (IDX10208 / IDX10204): only switching a check off is a finding.
    Function {
        ecosystem: DotNet,
        library: "Microsoft.IdentityModel.Tokens",
        path: "TokenValidationParameters",
        operation: Configure,
        display: "`TokenValidationParameters`",
        audience_option: "ValidAudience",
        issuer_option: "ValidIssuer",
        ..Function::BASE
    },
    // A literal key is a secret wherever the key is used (signing or validating).
    Function {
        ecosystem: DotNet,
        library: "Microsoft.IdentityModel.Tokens",
        path: "SymmetricSecurityKey",
        operation: Configure,
        display: "`SymmetricSecurityKey`",
        ..Function::BASE
    },
    Function {
        ecosystem: DotNet,
        library: "Microsoft.IdentityModel.Tokens",
        path: "SigningCredentials",
        operation: Sign,
        display: "`SigningCredentials`",
        ..Function::BASE
    },
    Function {
        ecosystem: DotNet,
        library: "System.IdentityModel.Tokens.Jwt",
        path: "JwtSecurityTokenHandler.ValidateToken",
        display: "`JwtSecurityTokenHandler.ValidateToken`",
        malformed: "`SecurityTokenMalformedException` (IDX12741)",
        audience_option: "ValidAudience",
        issuer_option: "ValidIssuer",
        ..Function::BASE
    },
    Function {
        ecosystem: DotNet,
        library: "Microsoft.IdentityModel.JsonWebTokens",
        path: "JsonWebTokenHandler.ValidateToken",
        display: "`JsonWebTokenHandler.ValidateTokenAsync`",
        malformed: "an invalid result (IDX14100)",
        audience_option: "ValidAudience",
        issuer_option: "ValidIssuer",
        ..Function::BASE
    },
    // `ReadJwtToken`, `ReadToken` and the string constructors parse without validating anything.
    Function {
        ecosystem: DotNet,
        library: "System.IdentityModel.Tokens.Jwt",
        path: "JwtSecurityTokenHandler.ReadJwtToken",
        operation: Decode,
        display: "`ReadJwtToken`",
        instead: "`ValidateToken` with `TokenValidationParameters`",
        ..Function::BASE
    },
    Function {
        ecosystem: DotNet,
        library: "System.IdentityModel.Tokens.Jwt",
        path: "JwtSecurityTokenHandler.ReadToken",
        operation: Decode,
        display: "`JwtSecurityTokenHandler.ReadToken`",
        instead: "`ValidateToken` with `TokenValidationParameters`",
        ..Function::BASE
    },
    Function {
        ecosystem: DotNet,
        library: "System.IdentityModel.Tokens.Jwt",
        path: "JwtSecurityToken",
        operation: Decode,
        display: "`new JwtSecurityToken(string)`",
        instead: "`JwtSecurityTokenHandler.ValidateToken` with `TokenValidationParameters`",
        ..Function::BASE
    },
    Function {
        ecosystem: DotNet,
        library: "Microsoft.IdentityModel.JsonWebTokens",
        path: "JsonWebTokenHandler.ReadJsonWebToken",
        operation: Decode,
        display: "`ReadJsonWebToken`",
        instead: "`ValidateTokenAsync` with `TokenValidationParameters`",
        ..Function::BASE
    },
    Function {
        ecosystem: DotNet,
        library: "Microsoft.IdentityModel.JsonWebTokens",
        path: "JsonWebTokenHandler.ReadToken",
        operation: Decode,
        display: "`JsonWebTokenHandler.ReadToken`",
        instead: "`ValidateTokenAsync` with `TokenValidationParameters`",
        ..Function::BASE
    },
    Function {
        ecosystem: DotNet,
        library: "Microsoft.IdentityModel.JsonWebTokens",
        path: "JsonWebToken",
        operation: Decode,
        display: "`new JsonWebToken(string)`",
        instead: "`JsonWebTokenHandler.ValidateTokenAsync` with `TokenValidationParameters`",
        ..Function::BASE
    },
    // ASP.NET Core `AddJwtBearer(o => …)` / `Configure<JwtBearerOptions>(…)`: the handler
    // validates with `o.TokenValidationParameters`; `Audience` and `Authority` (whose metadata
    // supplies the issuer and the signing keys) fill in what those leave out
    // (JwtBearerPostConfigureOptions.cs).
    Function {
        ecosystem: DotNet,
        library: "Microsoft.AspNetCore.Authentication.JwtBearer",
        path: "AddJwtBearer",
        operation: Configure,
        display: "`AddJwtBearer`",
        audience_option: "Audience",
        issuer_option: "ValidIssuer",
        ..Function::BASE
    },
    Function {
        ecosystem: DotNet,
        library: "Microsoft.AspNetCore.Authentication.JwtBearer",
        path: "JwtBearerOptions",
        operation: Configure,
        display: "`JwtBearerOptions`",
        audience_option: "Audience",
        issuer_option: "ValidIssuer",
        ..Function::BASE
    },
    // ---- PHP: firebase/php-jwt (src/JWT.php, README, release notes) and lcobucci/jwt (docs:
    // "Validating tokens"). php-jwt 6 takes `Key` objects, each naming its one algorithm; 5.x
    // took `JWT::decode($jwt, $key, $allowed_algs)` and rejects every token without the list
    // (`Algorithm not allowed`); 1.x had no list and used the token's `alg`. php-jwt checks
    // `exp`/`nbf`/`iat` (with `JWT::$leeway`, default 0) and never `aud`/`iss`.
    Function {
        ecosystem: Php,
        library: "firebase/php-jwt",
        path: "JWT::decode",
        token: Slot::Arg(0, "jwt"),
        key: Slot::Arg(1, "keyOrKeyArray"),
        algorithms: Slot::Arg(2, "allowed_algs"),
        display: "`JWT::decode`",
        malformed: "`UnexpectedValueException` (`Wrong number of segments`)",
        without_allow_list: Some((
            Severity::Warning,
            "php-jwt 6 needs `new Key($key, 'HS256')` here, 2–5 reject every token without `allowed_algs` (`Algorithm not allowed`), and 1.x accepts whatever algorithm the token names (RFC 8725 §3.1).",
        )),
        allow_list_option: "Key",
        ..Function::BASE
    },
    Function {
        ecosystem: Php,
        library: "firebase/php-jwt",
        path: "JWT::encode",
        operation: Sign,
        display: "`JWT::encode`",
        ..Function::BASE
    },
    // A `Key` not handed to a `JWT::decode` of the same file (key sets, factories).
    Function {
        ecosystem: Php,
        library: "firebase/php-jwt",
        path: "Key",
        operation: Configure,
        display: "php-jwt `Key`",
        ..Function::BASE
    },
    Function {
        ecosystem: Php,
        library: "firebase/php-jwt",
        path: "JWT::$leeway",
        operation: Configure,
        display: "php-jwt",
        ..Function::BASE
    },
    // lcobucci/jwt: `parse()` checks nothing; `validate()`/`assert()` check exactly the
    // constraints they are given (`SignedWith`, `StrictValidAt`/`LooseValidAt`, `PermittedFor`,
    // `IssuedBy`).
    Function {
        ecosystem: Php,
        library: "lcobucci/jwt",
        path: "Parser::parse",
        operation: Decode,
        display: "lcobucci `parse()`",
        instead: "`validator()->assert()` with `SignedWith` and `StrictValidAt`",
        ..Function::BASE
    },
    Function {
        ecosystem: Php,
        library: "lcobucci/jwt",
        path: "Validator::validate",
        display: "lcobucci `validate()`",
        audience_option: "PermittedFor",
        issuer_option: "IssuedBy",
        ..Function::BASE
    },
    // tymon/jwt-auth's published `config/jwt.php` (`'secret' => env('JWT_SECRET')`, `'algo'`,
    // `'leeway' => env('JWT_LEEWAY', 0)`): the settings its Lcobucci provider validates with.
    Function {
        ecosystem: Php,
        library: "tymon/jwt-auth",
        path: "config/jwt.php",
        operation: Configure,
        display: "tymon/jwt-auth `config/jwt.php`",
        ..Function::BASE
    },
    // A `SignedWith` constraint built outside a `validate()` call of the same file
    // (`setValidationConstraints(…)`): judged for its key.
    Function {
        ecosystem: Php,
        library: "lcobucci/jwt",
        path: "SignedWith",
        operation: Configure,
        display: "lcobucci `SignedWith`",
        ..Function::BASE
    },
    Function {
        ecosystem: Php,
        library: "lcobucci/jwt",
        path: "Configuration",
        operation: Configure,
        display: "lcobucci `Configuration`",
        ..Function::BASE
    },
    // ---- Ruby ----
    // ruby-jwt (the `jwt` gem): `JWT.decode(jwt, key = nil, verify = true, options = {}, &keyfinder)`.
    // Without `algorithm(s)`, 2.2+ allows only HS256 (`DEFAULT_OPTIONS`), 2.0–2.1 raise
    // `IncorrectAlgorithm`, 1.x takes the token's `alg`; `aud`/`iss` are checked only with
    // `verify_aud`/`verify_iss: true` (default false), `exp`/`nbf` unless switched off.
    Function {
        ecosystem: Ruby,
        library: "jwt",
        path: "JWT.decode",
        token: Slot::Arg(0, "jwt"),
        key: Slot::Arg(1, "key"),
        options: Slot::Arg(3, "options"),
        algorithms: Slot::Option("algorithms"),
        display: "`JWT.decode`",
        malformed: "`JWT::DecodeError`",
        without_allow_list: Some((Severity::Warning, RUBY_JWT_WITHOUT)),
        secret_key_safe_without_allow_list: true,
        allow_list_option: "algorithms",
        audience_option: "aud: … with verify_aud: true",
        issuer_option: "iss: … with verify_iss: true",
        ..Function::BASE
    },
    Function {
        ecosystem: Ruby,
        library: "jwt",
        path: "JWT.encode",
        operation: Sign,
        key: Slot::Arg(1, "key"),
        algorithms: Slot::Arg(2, "algorithm"),
        display: "`JWT.encode`",
        ..Function::BASE
    },
    // ruby-jwt 2.10+ `JWT::EncodedToken`: `unverified_payload` is the payload before any check;
    // `verify_signature!(algorithm:, key:)` requires the algorithm and checks no claim
    // (`verify_claims!` does), so only its key and allow-list are judged.
    Function {
        ecosystem: Ruby,
        library: "jwt",
        path: "JWT::EncodedToken#unverified_payload",
        operation: Decode,
        display: "`JWT::EncodedToken#unverified_payload`",
        instead: "`verify_signature!(algorithm: …, key: …)` (or `verify!`) and then `payload`",
        ..Function::BASE
    },
    Function {
        ecosystem: Ruby,
        library: "jwt",
        path: "JWT::EncodedToken#verify_signature!",
        key: Slot::Option("key"),
        algorithms: Slot::Option("algorithm"),
        display: "`JWT::EncodedToken#verify_signature!` / `verify!`",
        malformed: "`JWT::DecodeError`",
        ..Function::BASE
    },
    // devise-jwt / warden-jwt_auth: `jwt.secret = …` (and `decoding_secret`, `algorithm`) in
    // `config.jwt do |jwt| … end` or `Warden::JWTAuth.configure do |config| … end`. The gem
    // passes its configured algorithm (default HS256) to ruby-jwt, so only keys are judged.
    Function {
        ecosystem: Ruby,
        library: "devise-jwt",
        path: "jwt.secret",
        operation: Configure,
        key: Slot::Option("secret"),
        display: "devise-jwt / warden-jwt_auth",
        ..Function::BASE
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_unique_and_named() {
        for (index, row) in FUNCTIONS.iter().enumerate() {
            assert!(!row.library.is_empty() && !row.path.is_empty() && !row.display.is_empty(), "{row:?}");
            assert!(
                !FUNCTIONS[..index].iter().any(|other| other.ecosystem == row.ecosystem
                    && other.library == row.library
                    && other.path == row.path),
                "duplicate row {}:{}",
                row.library,
                row.path
            );
            if row.operation == Operation::Decode {
                assert!(!row.instead.is_empty(), "{}: a decode row says what to call instead", row.path);
            }
        }
    }

    #[test]
    fn archived_prefixes_match_whole_path_segments() {
        assert!(Archived::of("github.com/dgrijalva/jwt-go").is_some());
        assert!(Archived::of("github.com/dgrijalva/jwt-go/request").is_some());
        assert!(Archived::of("github.com/dgrijalva/jwt-go-extra").is_none());
    }

    #[test]
    fn versions_gate_options() {
        let parse = Function::find(Ecosystem::Go, "golang-jwt", "Parse").expect("row");
        assert_eq!(parse.allow_list_option_at(Some(3)), None);
        assert_eq!(parse.allow_list_option_at(Some(4)), Some("WithValidMethods"));
        assert!(!parse.judges_claims_at(Some(4)));
        assert!(parse.judges_claims_at(Some(5)));
    }
}
