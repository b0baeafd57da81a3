//! Go front end: `github.com/golang-jwt/jwt` (v3, v4, v5; also `dgrijalva/jwt-go` and its forks),
//! lestrrat `jwx` (v1–v3 `jwt`, `jws`, `jwa`) and `go-jose` (v2–v4, `jose` and `jwt`), recognised
//! through their import paths under any alias or as dot imports. It turns syntax into call sites
//! (`model`) and writes fixes (`Dialect`); `engine` judges them. Keyfuncs are read when they are
//! literals or same-file functions; parser options when they are literal arguments or come from a
//! same-function `NewParser(...)` / `&jwt.Parser{...}`. Anything else stays unknown.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::evaluate::{self, Collect, Evaluator, Kinds, SourceFile, Walk};
use super::knowledge::{AlgItem, AllowList, Family, Key, KeyKind, classify_key};
use super::library::Ecosystem;
use super::model::{
    self, Algorithms, Anchor, CallSite, Check, Dialect, Expr, Given, KeyArg, KeySource, Model, Operation, PathBase,
    ResolverAnchor, Switch, TokenArg, Value,
};
use super::syntax::{self, Field, MAX_DEPTH, elements, removal_range, walk};
use super::{Options, Sink};
use crate::finding::TextEdit;

const GOLANG_JWT: &str = "golang-jwt";
const JWX: &str = "jwx";
const GO_JOSE: &str = "go-jose";
const GO_OIDC: &str = "go-oidc";
const JWTAUTH: &str = "jwtauth";
const ECHO_JWT: &str = "echo-jwt";
const ECHO: &str = "echo";
const GIN_JWT: &str = "gin-jwt";
const FIBER_JWT: &str = "fiber-jwt";
const KEYFUNC: &str = "keyfunc";

/// Struct literals that configure a verifier or a signer: (library, type, key field, algorithm
/// field). The algorithm field of a signer is the algorithm it signs with; of a verifier, the
/// algorithms it accepts.
const CONFIG_STRUCTS: &[(&str, &str, &str, &str)] = &[
    (GO_JOSE, "SigningKey", "Key", "Algorithm"),
    (GO_OIDC, "Config", "", "SupportedSigningAlgs"),
    (ECHO_JWT, "Config", "SigningKey", "SigningMethod"),
    (ECHO, "JWTConfig", "SigningKey", "SigningMethod"),
    (GIN_JWT, "GinJWTMiddleware", "Key", "SigningAlgorithm"),
    (FIBER_JWT, "Config", "SigningKey", "SigningMethod"),
    (FIBER_JWT, "SigningKey", "Key", "JWTAlg"),
];

/// Boolean struct fields that switch a check off (go-oidc `Config`).
const SWITCH_FIELDS: &[(&str, Check)] = &[
    ("InsecureSkipSignatureCheck", Check::Signature),
    ("SkipExpiryCheck", Check::Expiry),
    ("SkipClientIDCheck", Check::Audience),
    ("SkipIssuerCheck", Check::Issuer),
];

/// A recognised library (its name in `library::FUNCTIONS`) at a major version. golang-jwt v3
/// covers dgrijalva, form3tech and golang-jwt v3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Lib {
    library: &'static str,
    version: u32,
}

/// A recognised import path: its library and the package name it declares.
fn classify_import(path: &str) -> Option<(Lib, &'static str)> {
    let lib = |library, version| Some(Lib { library, version });
    if let Some(rest) = path.strip_prefix("github.com/lestrrat-go/jwx") {
        // `github.com/lestrrat-go/jwx/v2/jwt`; v1 has no major version segment.
        let version = rest.split('/').nth(1).and_then(|major| major.strip_prefix('v')?.parse().ok()).unwrap_or(1);
        let package = ["jwt", "jws", "jwa"].into_iter().find(|package| path.ends_with(&format!("/{package}")))?;
        return Some((lib(JWX, version)?, package));
    }
    let (module, package) = match path.strip_suffix("/jwt") {
        Some(module) if module.contains("go-jose") => (module, "jwt"),
        _ => (path, if path.contains("go-jose") { "jose" } else { "jwt" }),
    };
    let (lib, package) = match module {
        "github.com/coreos/go-oidc" | "github.com/coreos/go-oidc/v3/oidc" => {
            (lib(GO_OIDC, if module.ends_with("/oidc") { 3 } else { 2 }), "oidc")
        }
        "github.com/go-chi/jwtauth" => (lib(JWTAUTH, 1), "jwtauth"),
        "github.com/go-chi/jwtauth/v5" => (lib(JWTAUTH, 5), "jwtauth"),
        "github.com/labstack/echo-jwt/v4" => (lib(ECHO_JWT, 4), "echojwt"),
        "github.com/labstack/echo/v4/middleware" => (lib(ECHO, 4), "middleware"),
        "github.com/appleboy/gin-jwt" => (lib(GIN_JWT, 1), "jwt"),
        "github.com/appleboy/gin-jwt/v2" => (lib(GIN_JWT, 2), "jwt"),
        "github.com/gofiber/contrib/jwt" => (lib(FIBER_JWT, 1), "jwtware"),
        "github.com/gofiber/jwt/v2" | "github.com/gofiber/jwt/v3" => (lib(FIBER_JWT, 0), "jwtware"),
        "github.com/MicahParks/keyfunc" => (lib(KEYFUNC, 1), "keyfunc"),
        "github.com/MicahParks/keyfunc/v2" | "github.com/MicahParks/keyfunc/v3" => {
            (lib(KEYFUNC, if module.ends_with("v2") { 2 } else { 3 }), "keyfunc")
        }
        _ => (classify_jwt_module(module), package),
    };
    Some((lib?, package))
}

/// golang-jwt and go-jose modules by their path without the `/jwt` subpackage.
fn classify_jwt_module(module: &str) -> Option<Lib> {
    let lib = |library, version| Some(Lib { library, version });
    match module {
        "github.com/golang-jwt/jwt"
        | "github.com/form3tech-oss/jwt-go"
        | "github.com/dgrijalva/jwt-go"
        | "github.com/dgrijalva/jwt-go/v4" => lib(GOLANG_JWT, 3),
        "github.com/golang-jwt/jwt/v4" => lib(GOLANG_JWT, 4),
        "github.com/golang-jwt/jwt/v5" => lib(GOLANG_JWT, 5),
        "gopkg.in/go-jose/go-jose.v2" | "gopkg.in/square/go-jose.v2" => lib(GO_JOSE, 2),
        "github.com/go-jose/go-jose/v3" => lib(GO_JOSE, 3),
        "github.com/go-jose/go-jose/v4" => lib(GO_JOSE, 4),
        _ => None,
    }
}

const FUNCTION_KINDS: &[&str] = &["function_declaration", "method_declaration", "func_literal"];

/// Member names worth resolving (the last segment of a callee).
const KNOWN_MEMBERS: &[&str] = &[
    "Parse",
    "ParseWithClaims",
    "ParseUnverified",
    "WithValidMethods",
    "WithLeeway",
    "WithAcceptableSkew",
    "WithoutClaimsValidation",
    "SignedString",
    "New",
    "NewWithClaims",
    "ParseString",
    "ParseReader",
    "ParseRequest",
    "ParseHeader",
    "ParseForm",
    "ParseCookie",
    "ParseInsecure",
    "WithKey",
    "JWT",
    "ParseSigned",
    "Claims",
    "UnsafeClaimsWithoutVerification",
    "UnsafePayloadWithoutVerification",
    "ValidateWithLeeway",
];

/// `time.…` units in nanoseconds.
const DURATION_UNITS: &[(&str, f64)] = &[
    ("Nanosecond", 1.0),
    ("Microsecond", 1e3),
    ("Millisecond", 1e6),
    ("Second", 1e9),
    ("Minute", 60e9),
    ("Hour", 3600e9),
];

/// The golang-jwt marker key that accepts `alg: none`.
const UNSAFE_NONE: &str = "UnsafeAllowNoneSignatureType";

/// Parser options as far as they are known.
struct ParserOptions<'t> {
    /// Option expressions (`jwt.WithLeeway(…)`) or `Parser{...}` keyed elements.
    options: Vec<Node<'t>>,
    /// No `opts...` spread and no unreadable parser.
    complete: bool,
    /// Where a fix adds an option: (position, whether a comma must precede it).
    insert_option_at: Option<(usize, bool)>,
    /// A v4 `jwt.Parser{...}` literal: fields instead of option functions.
    struct_literal: Option<Node<'t>>,
}

pub(super) fn analyze(source: &str, tree: &Tree, options: &Options, sink: &mut Sink) {
    let Some(analyzer) = Analyzer::collect_all(source, tree, options) else { return };
    let (model, packages_at) = analyzer.model();
    let dialect = GoDialect { analyzer: &analyzer, packages_at };
    evaluate::judge(&model, &dialect, options, sink);
}

/// The call-site model of one Go source (snapshot tests of this front end, the workspace's
/// verifiers).
pub(super) fn model(source: &str, tree: &Tree, options: &Options) -> Model {
    Analyzer::collect_all(source, tree, options).map(|analyzer| analyzer.model().0).unwrap_or_default()
}

#[cfg(test)]
#[path = "go_model_tests.rs"]
mod model_tests;

struct Analyzer<'s, 't> {
    file: SourceFile<'s, 't>,
    /// Local package name → library.
    packages: HashMap<String, Lib>,
    /// Libraries imported with `.`: their exported names are used unqualified.
    dot_imports: Vec<Lib>,
    /// Every import path → the name it is used under (for `fmt` / `strings` in fixes).
    imports: HashMap<String, String>,
    import_declarations: Vec<Node<'t>>,
    /// Calls, `UnsafeAllowNoneSignatureType` uses and `SigningKey{…}` literals, each with its
    /// enclosing function.
    calls: Vec<(Node<'t>, Range<usize>)>,
    unsafe_none: Vec<(Node<'t>, Range<usize>)>,
    composites: Vec<(Node<'t>, Range<usize>)>,
    /// Imports of recognised libraries: the path literal and the path.
    library_imports: Vec<(Node<'t>, String)>,
    /// Options of parsers that only peek (`peek_only_parser_options`).
    peek_only_options: HashSet<usize>,
}

impl<'s, 't> Analyzer<'s, 't> {
    /// The collection pass; `None` when the file uses no recognised library.
    fn collect_all(source: &'s str, tree: &'t Tree, options: &Options) -> Option<Analyzer<'s, 't>> {
        let root = tree.root_node();
        let mut analyzer = Analyzer {
            file: SourceFile::new(source, tree),
            packages: HashMap::new(),
            dot_imports: Vec::new(),
            imports: HashMap::new(),
            import_declarations: Vec::new(),
            calls: Vec::new(),
            unsafe_none: Vec::new(),
            composites: Vec::new(),
            library_imports: Vec::new(),
            peek_only_options: HashSet::new(),
        };
        analyzer.collect_file();
        if options.conventional_names
            && analyzer.packages.is_empty()
            && analyzer.dot_imports.is_empty()
            && !analyzer.imports.contains_key("github.com/golang-jwt/jwt/v5")
        {
            analyzer.packages.insert("jwt".into(), Lib { library: GOLANG_JWT, version: 5 });
        }
        // A dot-imported marker is a bare name: found by text, not by visiting every identifier.
        if !analyzer.dot_imports.is_empty() {
            for (at, _) in source.match_indices(UNSAFE_NONE) {
                let Some(name) = root.descendant_for_byte_range(at, at + UNSAFE_NONE.len()) else { continue };
                if name.kind() == "identifier" {
                    let scope = syntax::ancestor(name, FUNCTION_KINDS)
                        .map_or(root.byte_range(), |function| function.byte_range());
                    analyzer.unsafe_none.push((name, scope));
                }
            }
        }
        analyzer.peek_only_options = analyzer.peek_only_parser_options();
        let used = !analyzer.packages.is_empty() || !analyzer.library_imports.is_empty();
        used.then_some(analyzer)
    }

    // ---- collection ----

    fn collect_import(&mut self, spec: Node<'t>) {
        let Some(path_node) = spec.field("path") else { return };
        let Some(path) = self.string_literal(path_node) else { return };
        let alias = spec.field("name").map(|name| self.text(name).to_string());
        let default_name = path.rsplit('/').next().unwrap_or(&path).to_string();
        self.imports.insert(path.clone(), alias.clone().unwrap_or(default_name));
        let Some((lib, default_name)) = classify_import(&path) else { return };
        match alias.as_deref() {
            Some("_") => {}
            Some(".") => self.dot_imports.push(lib),
            Some(alias) => _ = self.packages.insert(alias.to_string(), lib),
            None => _ = self.packages.insert(default_name.to_string(), lib),
        }
        self.library_imports.push((path_node, path));
    }

    // ---- values ----

    fn arguments(&self, call: Node<'t>) -> Vec<Node<'t>> {
        call.field("arguments").map(elements).unwrap_or_default()
    }

    /// `pkg.Name` where `pkg` is a recognised library, or `Name` from a dot-imported one.
    fn library_member(&self, node: Node<'t>) -> Option<(Lib, &'s str)> {
        let (package, member) = match node.kind() {
            "selector_expression" => {
                (node.field("operand").filter(|operand| operand.kind() == "identifier")?, node.field("field")?)
            }
            "identifier" | "type_identifier" => (node, node),
            _ => return None,
        };
        let name = self.text(package);
        // A local variable named like the package (or the dot-imported name) shadows it.
        if self.file.scopes.innermost(name, package.start_byte()).is_some() {
            return None;
        }
        let lib = match package.id() == member.id() {
            // Only one dot-imported library can be told apart from the names alone.
            true if name.starts_with(|ch: char| ch.is_ascii_uppercase()) && self.dot_imports.len() == 1 => {
                self.dot_imports[0]
            }
            true => return None,
            false => *self.packages.get(name)?,
        };
        Some((lib, self.text(member)))
    }

    /// The library imported under any name whose name is `library` (for method calls).
    fn imported(&self, library: &str) -> Option<Lib> {
        self.packages.values().chain(&self.dot_imports).copied().find(|lib| lib.library == library)
    }

    /// `[]byte("…")`: the inner expression.
    fn byte_slice_operand(&self, node: Node<'t>) -> Option<Node<'t>> {
        let is_bytes =
            |type_: Option<Node<'t>>| type_.is_some_and(|type_| self.text(type_).replace(' ', "") == "[]byte");
        match node.kind() {
            "type_conversion_expression" if is_bytes(node.field("type")) => node.field("operand"),
            "call_expression" if is_bytes(node.field("function")) => self.arguments(node).first().copied(),
            _ => None,
        }
    }

    /// The string literals that end up as the secret, where they stand.
    /// What a key is: `[]byte(…)` is an HMAC secret, `ParseRSAPublicKeyFromPEM` an RSA key, a
    /// name says the rest.
    fn key(&self, node: Node<'t>, depth: usize) -> Key {
        if depth > MAX_DEPTH {
            return Key::UNKNOWN;
        }
        if let Some(inner) = self.byte_slice_operand(node) {
            return Key { kind: KeyKind::Secret, public: self.key(inner, depth + 1).public };
        }
        if let Some(literal) = self.string_value(node, depth) {
            return classify_key(&literal, true);
        }
        let by_name = || classify_key(self.text(node), false);
        match node.kind() {
            "call_expression" => {
                let function = node.field("function").map(|function| self.text(function)).unwrap_or("");
                let parsers = [("RSA", KeyKind::Rsa), ("EC", KeyKind::Ec), ("Ed", KeyKind::Ed)];
                match parsers.iter().find(|(name, _)| function.ends_with(&format!("Parse{name}PublicKeyFromPEM"))) {
                    Some((_, kind)) => Key { kind: *kind, public: true },
                    None => by_name(),
                }
            }
            "identifier" => match self.definition_value(node).map(|value| self.key(value, depth + 1)) {
                Some(resolved) if resolved.kind != KeyKind::Unknown => resolved,
                _ => by_name(),
            },
            "unary_expression" | "parenthesized_expression" => node
                .named_child(node.named_child_count().saturating_sub(1) as u32)
                .map_or(Key::UNKNOWN, |inner| self.key(inner, depth + 1)),
            _ => by_name(),
        }
    }

    // ---- keyfuncs ----

    /// The function a keyfunc argument denotes, when it is a literal or a same-file function.
    fn keyfunc(&self, node: Node<'t>) -> Option<Node<'t>> {
        match node.kind() {
            "func_literal" => Some(node),
            "identifier" => self
                .file
                .scopes
                .lookup(self.text(node), node.start_byte())?
                .value
                .filter(|value| matches!(value.kind(), "func_literal" | "function_declaration")),
            "parenthesized_expression" => self.keyfunc(node.named_child(0)?),
            _ => None,
        }
    }

    /// Whether the keyfunc looks at the token's algorithm: `t.Method`, `t.Header["alg"]`.
    fn checks_method(&self, function: Node<'t>) -> bool {
        let mut found = false;
        walk(function, |node| match node.kind() {
            "selector_expression" if node.field("field").is_some_and(|field| self.text(field) == "Method") => {
                found = true;
            }
            "index_expression" => {
                let on_header = node.field("operand").is_some_and(|operand| self.text(operand).ends_with("Header"));
                let alg = node.field("index").and_then(|index| self.string_literal(index));
                found |= on_header && alg.as_deref() == Some("alg");
            }
            _ => {}
        });
        found
    }

    /// First values of the keyfunc's own `return` statements (not those of nested closures).
    fn returned_keys(&self, function: Node<'t>) -> Vec<Node<'t>> {
        let Some(body) = function.field("body") else { return Vec::new() };
        let mut out = Vec::new();
        let mut stack = vec![body];
        while let Some(node) = stack.pop() {
            match node.kind() {
                "func_literal" => continue,
                "return_statement" => {
                    let list = node.named_child(0);
                    out.extend(list.and_then(|list| match list.kind() {
                        "expression_list" => list.named_child(0),
                        _ => Some(list),
                    }));
                    continue;
                }
                _ => {}
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
            if stack.len() > 100_000 {
                break;
            }
        }
        out
    }

    /// MicahParks/keyfunc: `k.Keyfunc` where `k` comes from a JWK Set (`NewDefault`, `Get`, …)
    /// serves public keys, and the JWK's own `alg` and key type decide the algorithm.
    fn jwks_keyfunc(&self, node: Node<'t>) -> Option<KeyArg> {
        if self.text(node.field("field")?) != "Keyfunc" {
            return None;
        }
        let receiver = node.field("operand")?;
        let constructor = self.definition_value(receiver)?.field("function")?;
        let (lib, member) = self.library_member(constructor)?;
        let jwks = ["NewDefault", "Get", "NewJSON", "NewJWKSetJSON"].iter().any(|name| member.starts_with(name));
        let call = self.definition_value(receiver)?;
        let source = match self.arguments(call).first() {
            Some(first) if member.starts_with("NewJWKSetJSON") || member.starts_with("NewJSON") => {
                self.key_source(*first, 0)
            }
            _ => KeySource::Unknown,
        };
        (lib.library == KEYFUNC && jwks).then(|| KeyArg {
            // As `classify_key` reads a JWKS: RSA unless it says otherwise.
            key: Key { kind: KeyKind::Rsa, public: true },
            pins_algorithm: true,
            source,
            ..KeyArg::unknown("keyfunc")
        })
    }

    /// A keyfunc's keys. One that cannot be read decides the algorithm as far as we know.
    fn keyfunc_arg(&self, keyfunc: Option<Node<'t>>) -> KeyArg {
        let mut key = KeyArg::unknown("keyfunc");
        let Some(function) = keyfunc else {
            key.pins_algorithm = true;
            return key;
        };
        let returned: Vec<Node<'t>> =
            self.returned_keys(function).into_iter().filter(|value| self.text(*value) != "nil").collect();
        let keys: Vec<Key> = returned.iter().map(|value| self.key(*value, 0)).collect();
        if let Some(first) = keys.first()
            && keys.iter().all(|other| other.kind == first.kind)
        {
            key.key = Key { kind: first.kind, public: keys.iter().any(|other| other.public) };
        }
        let sources: Vec<KeySource> = returned.iter().map(|value| self.key_source(*value, 0)).collect();
        if let Some(first) = sources.first()
            && sources.iter().all(|other| other == first)
        {
            key.source = first.clone();
        }
        for &value in &returned {
            key.literals.extend(self.secret_literal_ranges(value));
            if self.byte_slice_operand(value).is_some_and(|inner| self.key(inner, 0).public) {
                key.public_as_secret.push(value.byte_range());
            }
        }
        key.pins_algorithm = self.checks_method(function);
        key.resolver = Some(ResolverAnchor { function: function.byte_range() });
        key
    }

    // ---- resolution ----

    /// A call's library and member: `jwt.Parse` → (golang-jwt, `Parse`); `parser.Parse` where
    /// `parser := jwt.NewParser(…)` → `Parser.Parse`; `token.SignedString` in a golang-jwt file.
    fn resolve_call(&self, function: Node<'t>) -> Option<(Lib, String)> {
        if let Some((lib, member)) = self.library_member(function) {
            return Some((lib, member.to_string()));
        }
        if function.kind() != "selector_expression" {
            return None;
        }
        let field = self.text(function.field("field")?);
        if matches!(field, "Parse" | "ParseWithClaims" | "ParseUnverified")
            && let Some(lib) = self.parser_library(function.field("operand")?, 0)
        {
            return Some((lib, format!("Parser.{field}")));
        }
        // Method names unique to one library: read when that library is imported.
        match field {
            "ParseUnverified" => Some((self.imported(GOLANG_JWT)?, "Parser.ParseUnverified".into())),
            "SignedString" => Some((self.imported(GOLANG_JWT)?, field.into())),
            "Claims"
            | "UnsafeClaimsWithoutVerification"
            | "UnsafePayloadWithoutVerification"
            | "ValidateWithLeeway" => Some((self.imported(GO_JOSE)?, field.into())),
            _ => None,
        }
    }

    /// The golang-jwt library of a parser expression: `jwt.NewParser(…)`, `&jwt.Parser{…}`,
    /// `new(jwt.Parser)`, or a variable holding one.
    fn parser_library(&self, node: Node<'t>, depth: usize) -> Option<Lib> {
        if depth > MAX_DEPTH {
            return None;
        }
        match node.kind() {
            "call_expression" => {
                let function = node.field("function")?;
                match self.library_member(function) {
                    Some((lib, "NewParser")) if lib.library == GOLANG_JWT => Some(lib),
                    _ if self.text(function) == "new" => self.parser_type(*self.arguments(node).first()?),
                    _ => None,
                }
            }
            "unary_expression" | "parenthesized_expression" => self.parser_library(node.named_child(0)?, depth + 1),
            "composite_literal" => self.parser_type(node.field("type")?),
            "identifier" => self.parser_library(self.definition_value(node)?, depth + 1),
            _ => None,
        }
    }

    /// `jwt.Parser` (or `Parser` from a dot import) of golang-jwt.
    fn parser_type(&self, node: Node<'t>) -> Option<Lib> {
        self.library_type(node).filter(|(lib, name)| lib.library == GOLANG_JWT && *name == "Parser").map(|(lib, _)| lib)
    }

    /// A library type: `jose.SigningKey` → (go-jose, `SigningKey`).
    fn library_type(&self, node: Node<'t>) -> Option<(Lib, &'s str)> {
        match node.kind() {
            "qualified_type" => {
                let (package, name) = (node.field("package")?, node.field("name")?);
                Some((*self.packages.get(self.text(package))?, self.text(name)))
            }
            _ => self.library_member(node),
        }
    }

    /// The options of the parser a method is called on.
    fn parser_options(&self, callee: Node<'t>) -> Option<ParserOptions<'t>> {
        let mut node = callee.field("operand")?;
        for _ in 0..MAX_DEPTH {
            match node.kind() {
                "identifier" => node = self.definition_value(node)?,
                "unary_expression" | "parenthesized_expression" => node = node.named_child(0)?,
                _ => break,
            }
        }
        let (options, insert_option_at, struct_literal) = match node.kind() {
            "call_expression" if self.text(node.field("function")?) == "new" => (Vec::new(), None, None),
            "call_expression" => {
                let arguments = self.arguments(node);
                let list = node.field("arguments")?;
                let insert_option_at = match arguments.last() {
                    Some(last) => (last.end_byte(), true),
                    // After the `(` token, not `start + 1`: a recovered list may lack it.
                    None => (list.child(0).map_or(list.start_byte(), |open| open.end_byte()), false),
                };
                (arguments, Some(insert_option_at), None)
            }
            "composite_literal" => {
                let body = node.field("body")?;
                (elements(body), None, Some(body))
            }
            _ => return None,
        };
        let complete = !options.iter().any(|option| option.kind() == "variadic_argument");
        Some(ParserOptions { options, complete, insert_option_at, struct_literal })
    }

    /// The option arguments of `NewParser(…)` calls whose parser only ever calls
    /// `ParseUnverified`, which reads no option: `jwt.NewParser(o).ParseUnverified(…)`, or
    /// `p := jwt.NewParser(o)` with every `p.…(…)` call a `ParseUnverified`. One pass over the
    /// calls (`Node::parent` re-walks from the root).
    fn peek_only_parser_options(&self) -> HashSet<usize> {
        // NewParser call id → (its arguments, calls on it, all of them `ParseUnverified`).
        let mut parsers: HashMap<usize, (Vec<usize>, usize, bool)> = HashMap::new();
        for (call, _) in &self.calls {
            let new_parser = call.field("function").and_then(|function| self.library_member(function));
            if new_parser.is_some_and(|(lib, member)| lib.library == GOLANG_JWT && member == "NewParser") {
                let arguments = self.arguments(*call).iter().map(|argument| argument.id()).collect();
                parsers.insert(call.id(), (arguments, 0, true));
            }
        }
        if parsers.is_empty() {
            return HashSet::new();
        }
        for (call, _) in &self.calls {
            let Some(function) = call.field("function").filter(|function| function.kind() == "selector_expression")
            else {
                continue;
            };
            let (Some(receiver), Some(field)) = (function.field("operand"), function.field("field")) else { continue };
            let parser = match parsers.contains_key(&receiver.id()) {
                true => Some(receiver),
                false => self.definition_value(receiver),
            };
            if let Some((_, uses, only_unverified)) = parser.and_then(|parser| parsers.get_mut(&parser.id())) {
                *uses += 1;
                *only_unverified &= self.text(field) == "ParseUnverified";
            }
        }
        let peek_only = parsers.into_values().filter(|(_, uses, only_unverified)| *uses > 0 && *only_unverified);
        peek_only.flat_map(|(arguments, ..)| arguments).collect()
    }

    /// Field name and value of a `Key: value` element of a composite literal.
    fn keyed(&self, element: Node<'t>) -> Option<(&'s str, Node<'t>)> {
        if element.kind() != "keyed_element" {
            return None;
        }
        let parts = elements(element);
        let (key, value) = (unwrap_element(*parts.first()?), unwrap_element(*parts.get(1)?));
        Some((self.text(key), value))
    }

    /// How fix text names golang-jwt `version`: `jwt.`, `jwtv5.`, or nothing for a dot import.
    fn package_prefix(&self, version: u32) -> String {
        let named = self.packages.iter().find(|(_, lib)| lib.library == GOLANG_JWT && lib.version == version);
        match named {
            Some((name, _)) => format!("{name}."),
            None if self.dot_imports.iter().any(|lib| lib.library == GOLANG_JWT) => String::new(),
            None => "jwt.".into(),
        }
    }

    /// An allow-list: a `[]string{…}` / `[]jose.SignatureAlgorithm{…}` literal or a same-file
    /// variable holding one.
    fn allow_list(&self, node: Node<'t>) -> Option<AllowList> {
        let mut list = node;
        for _ in 0..MAX_DEPTH {
            if list.kind() == "composite_literal" {
                break;
            }
            list = self.definition_value(list)?;
        }
        let body = list.field("body").filter(|_| list.kind() == "composite_literal")?;
        let items = elements(body);
        let algorithms: Vec<AlgItem> = items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let value = unwrap_element(*item);
                AlgItem {
                    name: self.algorithm_expr(value).value.as_str().map(str::to_string),
                    text: self.text(*item).to_string(),
                    range: item.byte_range(),
                    removal: removal_range(&items, index),
                    from_token: self.is_token_alg(value, 0),
                }
            })
            .collect();
        let known = algorithms.iter().find(|item| item.name.is_some()).map_or("", |item| item.text.as_str());
        let render = render_like(known);
        Some(AllowList { items: algorithms, render })
    }

    // ---- fixes ----

    /// An edit that imports `path` when the file does not yet; `None` when it does (or has no
    /// import block to extend, as in a Markdown fragment).
    fn import_edit(&self, path: &str) -> Option<TextEdit> {
        if self.imports.contains_key(path) {
            return None;
        }
        let declaration = self.import_declarations.first()?;
        let list = elements(*declaration).into_iter().find(|child| child.kind() == "import_spec_list");
        Some(match list.and_then(|list| elements(list).first().copied()) {
            Some(first) => {
                let indent = syntax::line_prefix(self.file.src, first.start_byte());
                TextEdit { range: first.start_byte()..first.start_byte(), new_text: format!("\"{path}\"\n{indent}") }
            }
            None => TextEdit {
                range: declaration.end_byte()..declaration.end_byte(),
                new_text: format!("\nimport \"{path}\""),
            },
        })
    }

    fn imported_name(&self, path: &str) -> String {
        self.imports.get(path).cloned().unwrap_or_else(|| path.to_string())
    }

    /// Inserts `if _, ok := t.Method.(*jwt.SigningMethodX); !ok { return nil, … }` at the top of
    /// the keyfunc, naming the token parameter if it is unnamed. The golang-jwt package is the
    /// one the keyfunc's `*jwt.Token` parameter names.
    fn method_check_fix(&self, function: Node<'t>, kind: KeyKind) -> Option<(String, Vec<TextEdit>)> {
        let method = match kind {
            KeyKind::Secret => "SigningMethodHMAC",
            KeyKind::Rsa => "SigningMethodRSA",
            KeyKind::Ec => "SigningMethodECDSA",
            KeyKind::Ed => "SigningMethodEd25519",
            KeyKind::Unknown => return None,
        };
        let open = function.field("body")?.child(0).filter(|open| open.kind() == "{")?;
        let parameter = function.field("parameters").and_then(|parameters| elements(parameters).first().copied())?;
        let token_type = parameter.field("type").map(|type_| self.text(type_).trim_start_matches('*'));
        let package = match token_type.and_then(|type_| type_.split_once('.')) {
            Some((package, _)) if self.packages.get(package).is_some_and(|lib| lib.library == GOLANG_JWT) => {
                format!("{package}.")
            }
            _ => self.package_prefix(self.imported(GOLANG_JWT).map_or(5, |lib| lib.version)),
        };
        let mut edits = Vec::new();
        let name = match parameter.field("name") {
            Some(name) if self.text(name) != "_" => self.text(name).to_string(),
            Some(name) => {
                edits.push(TextEdit { range: name.byte_range(), new_text: "token".into() });
                "token".to_string()
            }
            None => {
                edits.push(TextEdit {
                    range: parameter.start_byte()..parameter.start_byte(),
                    new_text: "token ".into(),
                });
                "token".to_string()
            }
        };
        let line_start = syntax::line_start(self.file.src, function.start_byte());
        let outer: String = self.file.src[line_start..].chars().take_while(|ch| *ch == ' ' || *ch == '\t').collect();
        let indent = format!("{outer}\t");
        let fmt = self.imported_name("fmt");
        edits.push(TextEdit {
            range: open.end_byte()..open.end_byte(),
            new_text: format!(
                "\n{indent}if _, ok := {name}.Method.(*{package}{method}); !ok {{\n{indent}\treturn nil, {fmt}.Errorf(\"unexpected signing method: %v\", {name}.Header[\"alg\"])\n{indent}}}"
            ),
        });
        edits.extend(self.import_edit("fmt"));
        Some((format!("Check `{name}.Method` is `*{package}{method}` in the keyfunc"), edits))
    }

    // ---- the model ----

    /// The row of `lib`'s function `path` as a call site with default options; `None` when the
    /// table lacks it.
    fn site(&self, lib: Lib, path: &str, range: Range<usize>, scope: Range<usize>) -> Option<CallSite> {
        evaluate::site(Ecosystem::Go, lib.library, path, Some(lib.version), range, scope)
    }

    /// A key expression: what it is, and the string literal that ends up as the secret.
    fn key_arg(&self, spelled: &str, node: Node<'t>) -> KeyArg {
        let mut key = KeyArg::unknown(spelled);
        key.key = self.key(node, 0);
        key.literals.extend(self.secret_literal_ranges(node));
        key.source = self.key_source(node, 0);
        key
    }

    /// Literal strings of an option call's arguments (`WithAudience("a")`, `WithIssuer(x)`).
    fn string_arguments(&self, call: Node<'t>) -> Vec<String> {
        let values: Option<Vec<String>> =
            self.arguments(call).iter().map(|argument| self.string_value(*argument, 0)).collect();
        values.unwrap_or_default()
    }

    /// `jose.HS256`, `jwa.RS256()`, `jwt.SigningMethodNone`, `"ES256"` as an expression whose
    /// value is the algorithm's name.
    fn algorithm_expr(&self, node: Node<'t>) -> Expr {
        let mut expr = self.expr(node);
        if expr.value == Value::Unknown {
            let text = self.text(node).trim_end_matches("()").trim_end_matches(".Alg");
            let last = text.rsplit('.').next().unwrap_or(text);
            let name = last.strip_prefix("SigningMethod").unwrap_or(last);
            if name.eq_ignore_ascii_case("none") || Family::of(name) != Family::Other {
                expr.value = Value::Str(name.to_string());
            }
        }
        expr
    }

    fn algorithms(&self, list: Option<Node<'t>>) -> Algorithms {
        list.and_then(|list| self.allow_list(list)).map_or(Algorithms::Unknown, Algorithms::Listed)
    }

    /// A `Switch` for an option call in an argument list, removable when it is not alone there.
    fn option_switch(&self, check: Check, option: Node<'t>) -> Switch {
        let removal = option.parent().filter(|parent| parent.kind() == "argument_list").and_then(|list| {
            let items = elements(list);
            let index = items.iter().position(|item| item.id() == option.id())?;
            (items.len() > 1).then(|| removal_range(&items, index))
        });
        Switch { check, spelled: self.text(option).to_string(), range: option.byte_range(), removal }
    }

    /// Every library call, option, marker key and signing key of the file as call sites, and
    /// the golang-jwt package name at each place a fix adds an option.
    fn model(&self) -> (Model, HashMap<usize, String>) {
        let mut model = Model::default();
        let mut packages_at = HashMap::new();
        for (path_node, path) in &self.library_imports {
            model.imports.push(model::Import { module: path.clone(), range: path_node.byte_range() });
        }
        for (call, scope) in &self.calls {
            let Some(callee) = call.field("function") else { continue };
            if !KNOWN_MEMBERS.contains(&syntax::last_segment(self.text(callee))) {
                continue;
            }
            let Some((lib, member)) = self.resolve_call(callee) else { continue };
            model.calls.extend(self.call_site(*call, callee, lib, &member, scope.clone(), &mut packages_at));
        }
        for (marker, scope) in &self.unsafe_none {
            let Some((lib, UNSAFE_NONE)) = self.library_member(*marker) else { continue };
            let Some(mut site) = self.site(lib, UNSAFE_NONE, marker.byte_range(), scope.clone()) else { continue };
            let signing = syntax::ancestor(*marker, &["call_expression"])
                .and_then(|call| call.field("function"))
                .and_then(|function| function.field("field").filter(|_| function.kind() == "selector_expression"))
                .is_some_and(|field| matches!(self.text(field), "SignedString" | "Sign"));
            if signing {
                site.operation = Operation::Sign;
            }
            let mut key = KeyArg::unknown("key");
            key.accepts_unsigned = Some(marker.byte_range());
            site.key = Some(key);
            model.calls.push(site);
        }
        for (composite, scope) in &self.composites {
            model.calls.extend(self.config_struct(*composite, scope.clone()));
        }
        (model, packages_at)
    }

    /// A `CONFIG_STRUCTS` literal: its key, algorithms and switches.
    fn config_struct(&self, composite: Node<'t>, scope: Range<usize>) -> Option<CallSite> {
        let (lib, name) = self.library_type(composite.field("type")?)?;
        let (_, _, key_field, algorithm_field) =
            CONFIG_STRUCTS.iter().find(|(library, type_, _, _)| *library == lib.library && *type_ == name)?;
        let mut site = self.site(lib, name, composite.byte_range(), scope)?;
        let items = composite.field("body").map(elements).unwrap_or_default();
        for (index, element) in items.iter().enumerate() {
            let Some((field, value)) = self.keyed(*element) else { continue };
            let options = &mut site.options;
            // A nested key struct (gofiber `SigningKey{…}`) is a site of its own.
            if field == *key_field && value.kind() != "composite_literal" {
                site.key = Some(self.key_arg(field, value));
            } else if field == *algorithm_field && site.operation == Operation::Sign {
                options.signing_algorithm = Some(self.algorithm_expr(value));
            } else if field == *algorithm_field {
                options.algorithms =
                    self.allow_list(value).map_or_else(|| self.single_algorithm(value), Algorithms::Listed);
            } else if let Some((_, check)) = SWITCH_FIELDS.iter().find(|(name, _)| *name == field)
                && self.text(value) == "true"
            {
                let spelled = format!("{field}: true");
                let removal = Some(removal_range(&items, index));
                options.switches.push(Switch { check: *check, spelled, range: element.byte_range(), removal });
            }
        }
        Some(site)
    }

    /// A verifier's one algorithm (`jwa.HS256`, `"RS256"`) as an allow-list.
    fn single_algorithm(&self, node: Node<'t>) -> Algorithms {
        let algorithm = self.algorithm_expr(node);
        let item = AlgItem {
            name: algorithm.value.as_str().map(str::to_string),
            text: self.text(node).to_string(),
            range: algorithm.range.clone(),
            removal: algorithm.range,
            from_token: self.is_token_alg(node, 0),
        };
        let render = render_like(&item.text);
        Algorithms::Listed(AllowList { items: vec![item], render })
    }

    fn call_site(
        &self,
        call: Node<'t>,
        callee: Node<'t>,
        lib: Lib,
        member: &str,
        scope: Range<usize>,
        packages_at: &mut HashMap<usize, String>,
    ) -> Option<CallSite> {
        let arguments = self.arguments(call);
        let first = arguments.first().copied();
        let range = callee.byte_range();
        // Options are judged where they are written (an option variable may serve many parsers).
        let option_range = call.byte_range();
        match (lib.library, member) {
            (GOLANG_JWT, "Parse" | "ParseWithClaims") => {
                let keyfunc_index = if member == "Parse" { 1 } else { 2 };
                let options = ParserOptions {
                    options: arguments.iter().skip(keyfunc_index + 1).copied().collect(),
                    complete: !arguments.iter().any(|argument| argument.kind() == "variadic_argument")
                        && arguments.len() > keyfunc_index,
                    insert_option_at: arguments.last().map(|last| (last.end_byte(), true)),
                    struct_literal: None,
                };
                self.golang_jwt_verify(lib, member, range, scope, &arguments, keyfunc_index, options, packages_at)
            }
            (GOLANG_JWT, "Parser.Parse" | "Parser.ParseWithClaims") => {
                let options = self.parser_options(callee)?;
                let keyfunc_index = if member == "Parser.Parse" { 1 } else { 2 };
                self.golang_jwt_verify(lib, member, range, scope, &arguments, keyfunc_index, options, packages_at)
            }
            (GOLANG_JWT, "Parser.ParseUnverified") | (JWX, "ParseInsecure") => {
                let path = if member == "ParseInsecure" { "jwt.ParseInsecure" } else { member };
                let mut site = self.site(lib, path, range, scope)?;
                site.token = first.map(|token| self.token_arg(token));
                Some(site)
            }
            (GOLANG_JWT, "WithValidMethods" | "WithLeeway" | "WithoutClaimsValidation")
            | (JWX, "WithAcceptableSkew")
                if self.peek_only_options.contains(&call.id()) =>
            {
                None
            }
            (GOLANG_JWT, "WithValidMethods") => {
                let mut site = self.site(lib, "ParserOption", option_range, scope)?;
                site.options.algorithms = self.algorithms(first);
                Some(site)
            }
            (GOLANG_JWT, "WithLeeway") | (JWX, "WithAcceptableSkew") | (GO_JOSE, "ValidateWithLeeway") => {
                let (path, duration) = match lib.library {
                    GOLANG_JWT => ("ParserOption", first?),
                    JWX => ("Option", first?),
                    _ => ("Option", *arguments.get(1)?),
                };
                let mut site = self.site(lib, path, option_range, scope)?;
                let seconds = self.number(duration, 0)? / 1e9;
                site.options.leeway = Some((seconds, duration.byte_range(), syntax::normalized(self.text(callee))));
                Some(site)
            }
            (GOLANG_JWT, "WithoutClaimsValidation") => {
                let mut site = self.site(lib, "ParserOption", option_range, scope)?;
                site.options.switches.push(self.option_switch(Check::Claims, call));
                Some(site)
            }
            (GOLANG_JWT, "SignedString") => {
                let mut site = self.site(lib, "SignedString", range, scope)?;
                site.key = first.map(|key| self.key_arg("key", key));
                Some(site)
            }
            (GOLANG_JWT, "New" | "NewWithClaims") => {
                let mut site = self.site(lib, member, range, scope)?;
                site.options.signing_algorithm = first
                    .filter(|method| self.library_member(*method).is_some())
                    .map(|method| self.algorithm_expr(method));
                Some(site)
            }
            (
                JWX,
                "Parse" | "ParseString" | "ParseReader" | "ParseRequest" | "ParseHeader" | "ParseForm" | "ParseCookie",
            ) => self.jwx_parse(lib, member, range, scope, &arguments),
            (JWX, "WithKey") => {
                let mut site = self.site(lib, "Option", option_range, scope)?;
                site.key = Some(self.key_arg("WithKey", *arguments.get(1)?));
                site.options.algorithms = self.single_algorithm(first?);
                Some(site)
            }
            // `jwtauth.New(alg, signKey, verifyKey, validateOptions...)` verifies with `verifyKey`
            // (or `signKey` when it is nil), for `alg` only.
            (JWTAUTH, "New") => {
                let mut site = self.site(lib, "New", range, scope)?;
                let sign_key = *arguments.get(1)?;
                let verify_key = arguments.get(2).copied().filter(|key| self.text(*key) != "nil");
                let mut key = self.key_arg("signKey", sign_key);
                key.key = self.key(verify_key.unwrap_or(sign_key), 0);
                site.key = Some(key);
                site.options.algorithms = self.single_algorithm(first?);
                let validate = arguments.get(3..).unwrap_or_default();
                site.options.complete = !validate.iter().any(|option| option.kind() == "variadic_argument");
                let [_, audience, issuer] = self.read_option_calls(validate, JWX, &mut site.options);
                (site.options.audience, site.options.issuer) = (given(true, audience), given(true, issuer));
                Some(site)
            }
            (ECHO_JWT | ECHO, "JWT") => {
                let mut site = self.site(lib, "JWT", range, scope)?;
                site.key = Some(self.key_arg("key", first?));
                Some(site)
            }
            (GO_JOSE, "ParseSigned") => {
                let mut site = self.site(lib, "ParseSigned", range, scope)?;
                site.options.algorithms = if lib.version < 4 && arguments.len() == 1 {
                    Algorithms::Absent
                } else {
                    self.algorithms(arguments.get(1).copied())
                };
                Some(site)
            }
            (GO_JOSE, "Claims" | "UnsafeClaimsWithoutVerification" | "UnsafePayloadWithoutVerification") => {
                // The token is the parsed object the method is called on: `tok.Claims(key, &out)`
                // next to `tok.UnsafeClaimsWithoutVerification(&out)` is a peek.
                let mut site = self.site(lib, member, range, scope)?;
                site.token = callee.field("operand").map(|receiver| self.token_arg(receiver));
                Some(site)
            }
            _ => None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn golang_jwt_verify(
        &self,
        lib: Lib,
        path: &str,
        range: Range<usize>,
        scope: Range<usize>,
        arguments: &[Node<'t>],
        keyfunc_index: usize,
        parser: ParserOptions<'t>,
        packages_at: &mut HashMap<usize, String>,
    ) -> Option<CallSite> {
        let mut site = self.site(lib, path, range, scope)?;
        site.token = arguments.first().map(|token| self.token_arg(*token));
        let keyfunc = arguments.get(keyfunc_index).copied();
        site.key = Some(match keyfunc.and_then(|keyfunc| self.jwks_keyfunc(keyfunc)) {
            Some(jwks) => jwks,
            None => self.keyfunc_arg(keyfunc.and_then(|keyfunc| self.keyfunc(keyfunc))),
        });
        let options = &mut site.options;
        options.complete = parser.complete;
        for option in &parser.options {
            match self.keyed(*option) {
                Some(("ValidMethods", value)) => options.algorithms = self.algorithms(Some(value)),
                Some(("SkipClaimsValidation", value)) if self.text(value) == "true" => {
                    let items = elements(parser.struct_literal.unwrap_or(*option));
                    let index = items.iter().position(|item| item.id() == option.id());
                    options.switches.push(Switch {
                        check: Check::Claims,
                        spelled: "SkipClaimsValidation: true".into(),
                        range: option.byte_range(),
                        removal: index.map(|index| removal_range(&items, index)),
                    });
                }
                _ => {}
            }
        }
        let [_, audience, issuer] = self.read_option_calls(&parser.options, GOLANG_JWT, options);
        // A `Parser{...}` literal is v4 or older, where claims carry their own expectations.
        let known = parser.struct_literal.is_none();
        (options.audience, options.issuer) = (given(known, audience), given(known, issuer));
        options.anchor = match (parser.insert_option_at, parser.struct_literal) {
            (Some((at, comma)), _) => {
                packages_at.insert(at, self.package_prefix(lib.version));
                Some(Anchor::AfterArguments { at, comma })
            }
            (None, Some(body)) => Some(Anchor::Literal {
                first_entry: elements(body).first().map(|first| first.start_byte()),
                whole: body.byte_range(),
            }),
            (None, None) => None,
        };
        Some(site)
    }

    fn jwx_parse(
        &self,
        lib: Lib,
        member: &str,
        range: Range<usize>,
        scope: Range<usize>,
        arguments: &[Node<'t>],
    ) -> Option<CallSite> {
        let mut site = self.site(lib, "jwt.Parse", range, scope)?;
        if matches!(member, "Parse" | "ParseString" | "ParseReader") {
            site.token = arguments.first().map(|token| TokenArg {
                // Only `ParseString` takes the header's text; the others take bytes or a reader.
                raw_authorization: member == "ParseString" && self.is_raw_authorization(*token, 0),
                expr: self.expr(*token),
            });
        }
        let options = &mut site.options;
        options.complete = !arguments.iter().any(|argument| argument.kind() == "variadic_argument");
        let [keyed, audience, issuer] = self.read_option_calls(&arguments[1.min(arguments.len())..], JWX, options);
        // Without a key option the call fails or does not verify: its claim options say nothing.
        (options.audience, options.issuer) = (given(keyed, audience), given(keyed, issuer));
        Some(site)
    }

    /// What literal option calls of `library` say (`WithValidMethods`, `WithVerify(false)`, …),
    /// into `options`; returns whether a key option, an audience and an issuer are among them.
    fn read_option_calls(&self, calls: &[Node<'t>], library: &str, options: &mut model::Options) -> [bool; 3] {
        let mut found = [false; 3];
        for option in calls.iter().filter(|option| option.kind() == "call_expression") {
            let Some((lib, member)) = option.field("function").and_then(|function| self.library_member(function))
            else {
                continue;
            };
            let first = self.arguments(*option).first().copied();
            let is_false = first.is_some_and(|argument| self.text(argument) == "false");
            match member {
                _ if lib.library != library => {}
                "WithValidMethods" => options.algorithms = self.algorithms(first),
                "WithVerify" if is_false => options.switches.push(self.option_switch(Check::Signature, *option)),
                "WithValidate" if is_false => options.switches.push(self.option_switch(Check::Claims, *option)),
                "WithKey" | "WithKeySet" | "WithKeyProvider" | "WithVerifyAuto" => found[0] = true,
                "WithAudience" | "WithAllAudiences" => {
                    found[1] = true;
                    options.audiences.extend(self.string_arguments(*option));
                }
                "WithIssuer" => {
                    found[2] = true;
                    options.issuers.extend(self.string_arguments(*option));
                }
                "WithLeeway" | "WithAcceptableSkew" => {
                    if let Some(seconds) = first.and_then(|duration| self.number(duration, 0)) {
                        let range = first.map(|duration| duration.byte_range()).unwrap_or_default();
                        let spelled = option.field("function").map(|callee| syntax::normalized(self.text(callee)));
                        options.leeway = Some((seconds / 1e9, range, spelled.unwrap_or_default()));
                    }
                }
                _ => {}
            }
        }
        found
    }
}

/// Whether an expectation is given, when the options can tell at all.
fn given(known: bool, has: bool) -> Given {
    match (known, has) {
        (false, _) => Given::Unknown,
        (true, true) => Given::Yes,
        (true, false) => Given::No,
    }
}

/// The value of a composite literal element (`literal_element` wraps it).
fn unwrap_element(node: Node<'_>) -> Node<'_> {
    if node.kind() == "literal_element" { node.named_child(0).unwrap_or(node) } else { node }
}

/// Renders an algorithm like `like`, an element of the same list: `"RS256"`, `jose.RS256`,
/// `jwa.RS256()`, `jwt.SigningMethodRS256.Alg()`.
fn render_like(like: &str) -> Box<dyn Fn(&str) -> String> {
    let like = like.trim();
    let (like, suffix) = match like.strip_suffix(".Alg()") {
        Some(method) => (method, ".Alg()"),
        None if like.ends_with("()") => (&like[..like.len() - 2], "()"),
        None => (like, ""),
    };
    let word = |part: &str| !part.is_empty() && part.chars().all(|ch| ch.is_alphanumeric() || ch == '_');
    // Only `pkg.NAME` is a shape to copy; anything else (a literal, a conversion) is quoted.
    let Some((prefix, last)) = like.split_once('.').filter(|(prefix, last)| word(prefix) && word(last)) else {
        return Box::new(|algorithm: &str| format!("\"{algorithm}\""));
    };
    let prefix =
        if last.starts_with("SigningMethod") { format!("{prefix}.SigningMethod") } else { format!("{prefix}.") };
    Box::new(move |algorithm: &str| format!("{prefix}{algorithm}{suffix}"))
}

impl<'s, 't> Collect<'s, 't> for Analyzer<'s, 't> {
    fn collect(&mut self, node: Node<'t>, scope: Range<usize>) {
        match node.kind() {
            "import_declaration" => self.import_declarations.push(node),
            "import_spec" => self.collect_import(node),
            "short_var_declaration" | "assignment_statement" => {
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else { return };
                let (left, right) = (elements(left), elements(right));
                let declares = node.kind() == "short_var_declaration";
                for (index, target) in left.iter().enumerate() {
                    if target.kind() != "identifier" {
                        continue;
                    }
                    // `alg, ok := t.Header["alg"].(string)`: the first name holds the value.
                    let comma_ok = index == 0 && left.len() == 2 && right.len() == 1;
                    let value = (left.len() == right.len() || comma_ok).then(|| right[index]);
                    if declares {
                        self.file.scopes.define(self.text(*target), scope.clone(), target.start_byte(), value, false);
                    } else {
                        self.file.scopes.reassign(self.text(*target), target.start_byte());
                    }
                }
            }
            "var_spec" | "const_spec" => {
                let mut cursor = node.walk();
                let names: Vec<Node<'t>> = node.children_by_field_name("name", &mut cursor).collect();
                let values = node.field("value").map(elements).unwrap_or_default();
                // Without a value, the declared type stands in: `var key *rsa.PublicKey` still
                // says what the key is.
                let declared_type = node.field("type");
                for (index, name) in names.iter().enumerate() {
                    let value = (names.len() == values.len()).then(|| values[index]).or(declared_type);
                    self.file.scopes.define(self.text(*name), scope.clone(), name.start_byte(), value, false);
                }
            }
            "function_declaration" => {
                if let Some(name) = node.field("name") {
                    self.file.scopes.define(
                        self.text(name),
                        self.file.root.byte_range(),
                        name.start_byte(),
                        Some(node),
                        false,
                    );
                }
            }
            "parameter_declaration" | "variadic_parameter_declaration" => {
                let mut cursor = node.walk();
                let names: Vec<Node<'t>> = node.children_by_field_name("name", &mut cursor).collect();
                for name in names {
                    self.file.scopes.define(
                        self.text(name),
                        scope.clone(),
                        name.start_byte(),
                        node.field("type"),
                        false,
                    );
                }
            }
            "call_expression" => self.calls.push((node, scope)),
            // Only the shapes read later are kept; Go files are full of selectors and names.
            "selector_expression" if self.text(node).ends_with(UNSAFE_NONE) => self.unsafe_none.push((node, scope)),
            "composite_literal"
                if node.child(0).is_some_and(|type_| {
                    CONFIG_STRUCTS.iter().any(|(_, name, _, _)| self.text(type_).ends_with(name))
                }) =>
            {
                self.composites.push((node, scope))
            }
            _ => {}
        }
    }

    const WALK: Walk = Walk {
        functions: FUNCTION_KINDS,
        collected: &[
            "import_declaration",
            "import_spec",
            "short_var_declaration",
            "assignment_statement",
            "var_spec",
            "const_spec",
            "function_declaration",
            "parameter_declaration",
            "variadic_parameter_declaration",
            "call_expression",
            "selector_expression",
            "composite_literal",
        ],
        opaque: &["interpreted_string_literal", "raw_string_literal"],
    };
}

impl<'s, 't> Evaluator<'s, 't> for Analyzer<'s, 't> {
    const KINDS: Kinds = Kinds { numbers: &["int_literal", "float_literal"], ..Kinds::COMMON };

    /// Durations in nanoseconds: `time.Minute`, `time.Duration(10)`.
    fn number_step(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        match node.kind() {
            "selector_expression" => {
                if self.text(node.field("operand")?) != "time" {
                    return None;
                }
                let field = self.text(node.field("field")?);
                DURATION_UNITS.iter().find(|(unit, _)| *unit == field).map(|(_, nanos)| *nanos)
            }
            // `time.Duration(10) * time.Minute`.
            "call_expression" | "type_conversion_expression" => {
                let callee = node.field("function").or_else(|| node.field("type"))?;
                if self.text(callee) != "time.Duration" {
                    return None;
                }
                let argument = match node.kind() {
                    "call_expression" => *self.arguments(node).first()?,
                    _ => node.field("operand")?,
                };
                self.number(argument, depth + 1)
            }
            _ => None,
        }
    }

    fn file(&self) -> &SourceFile<'s, 't> {
        &self.file
    }

    fn string_literal(&self, node: Node<'_>) -> Option<String> {
        let raw = self.text(node);
        matches!(node.kind(), "interpreted_string_literal" | "raw_string_literal")
            .then(|| raw.get(1..raw.len().saturating_sub(1)).unwrap_or("").to_string())
    }

    /// Whether a value is the token's own algorithm: `t.Header["alg"]` (asserted, or held in a
    /// variable), `t.Method.Alg()`, a header struct's `Alg`/`Algorithm` field.
    fn reads_token_alg(&self, node: Node<'t>, depth: usize) -> bool {
        let header =
            |node: Option<Node<'t>>| node.is_some_and(|node| self.text(node).to_ascii_lowercase().contains("header"));
        match node.kind() {
            "type_assertion_expression" => node.named_child(0).is_some_and(|inner| self.is_token_alg(inner, depth + 1)),
            "index_expression" => {
                header(node.field("operand"))
                    && node.field("index").and_then(|index| self.string_value(index, depth + 1)).as_deref()
                        == Some("alg")
            }
            "selector_expression" => {
                node.field("field").is_some_and(|field| matches!(self.text(field), "Alg" | "Algorithm"))
                    && header(node.field("operand"))
            }
            "type_conversion_expression" => {
                node.field("operand").is_some_and(|operand| self.is_token_alg(operand, depth + 1))
            }
            // A conversion: `string(…)`, `jose.SignatureAlgorithm(…)`.
            "call_expression"
                if node.field("function").is_some_and(|function| {
                    let callee = self.text(function);
                    callee == "string" || callee.ends_with("SignatureAlgorithm")
                }) =>
            {
                self.arguments(node).first().is_some_and(|operand| self.is_token_alg(*operand, depth + 1))
            }
            // `t.Method.Alg()`, jwx `ProtectedHeaders().Algorithm()`.
            "call_expression" => node.field("function").is_some_and(|function| {
                function.kind() == "selector_expression"
                    && function.field("field").is_some_and(|field| matches!(self.text(field), "Alg" | "Algorithm"))
                    && function.field("operand").is_some_and(|operand| {
                        header(Some(operand))
                            || operand.field("field").is_some_and(|field| self.text(field) == "Method")
                    })
            }),
            _ => false,
        }
    }

    /// Through parentheses and `[]byte("…")`.
    fn secret_parts(&self, node: Node<'t>, _depth: usize) -> Vec<Node<'t>> {
        match node.kind() {
            "parenthesized_expression" => node.named_child(0).into_iter().collect(),
            _ => self.byte_slice_operand(node).into_iter().collect(),
        }
    }

    /// `r.Header.Get("Authorization")`, gin's `c.GetHeader("Authorization")`.
    fn reads_authorization(&self, node: Node<'t>) -> bool {
        node.kind() == "call_expression"
            && self.is_header_getter(node, ("selector_expression", "field"), &["Get", "GetHeader"])
    }

    /// Where a key expression's material comes from: a literal, `os.Getenv("X")`,
    /// `os.ReadFile("path")`; through same-file values, `[]byte(…)` and parse calls
    /// (`jwt.ParseRSAPublicKeyFromPEM(pem)`).
    fn key_source_of(&self, node: Node<'t>, depth: usize) -> KeySource {
        if self.string_literal(node).is_some() {
            return KeySource::Literal;
        }
        let unknown = KeySource::Unknown;
        match node.kind() {
            "expression_list" => node.named_child(0).map_or(unknown, |inner| self.key_source(inner, depth + 1)),
            "type_conversion_expression" => {
                node.field("operand").map_or(unknown, |inner| self.key_source(inner, depth + 1))
            }
            "call_expression" => {
                if let Some(inner) = self.byte_slice_operand(node) {
                    return self.key_source(inner, depth + 1);
                }
                let Some(function) = node.field("function") else { return unknown };
                let first = self.arguments(node).first().copied();
                match self.text(function) {
                    "os.Getenv" | "os.LookupEnv" => {
                        first.and_then(|name| self.string_value(name, depth + 1)).map_or(unknown, KeySource::Env)
                    }
                    "os.ReadFile" | "ioutil.ReadFile" => first
                        .and_then(|path| self.string_value(path, depth + 1))
                        .map_or(unknown, |path| KeySource::File { path, base: PathBase::WorkingFolder }),
                    "json.RawMessage" | "string" => first.map_or(unknown, |inner| self.key_source(inner, depth + 1)),
                    callee if callee.contains("Parse") && callee.contains("FromPEM") => {
                        first.map_or(unknown, |inner| self.key_source(inner, depth + 1))
                    }
                    _ => unknown,
                }
            }
            _ => unknown,
        }
    }
}

/// Fixes in Go: `strings.TrimPrefix`, `WithValidMethods` / `ValidMethods`, a `t.Method` check in
/// the keyfunc.
struct GoDialect<'a, 's, 't> {
    analyzer: &'a Analyzer<'s, 't>,
    /// How golang-jwt is named (`jwt.`) at each `AfterArguments` anchor.
    packages_at: HashMap<usize, String>,
}

impl Dialect for GoDialect<'_, '_, '_> {
    fn strip_bearer(&self, token: &Expr) -> Vec<TextEdit> {
        let analyzer = self.analyzer;
        let strings = analyzer.imported_name("strings");
        let mut edits = evaluate::rewrite_token(analyzer.file.src, token, |original| {
            format!("{strings}.TrimPrefix({original}, \"Bearer \")")
        });
        edits.extend(analyzer.import_edit("strings"));
        edits
    }

    fn add_allow_list(&self, anchor: &Anchor, option: &str, algorithm: &str) -> Option<Vec<TextEdit>> {
        let edit = match anchor {
            Anchor::AfterArguments { at, comma } => {
                let option = format!("{}{option}([]string{{\"{algorithm}\"}})", self.packages_at.get(at)?);
                TextEdit { range: *at..*at, new_text: if *comma { format!(", {option}") } else { option } }
            }
            // A `Parser{...}` literal has the field the option sets.
            Anchor::Literal { first_entry, whole } => {
                let field = format!("{}: []string{{\"{algorithm}\"}}", option.strip_prefix("With").unwrap_or(option));
                match first_entry {
                    Some(at) => TextEdit { range: *at..*at, new_text: format!("{field}, ") },
                    None => TextEdit { range: whole.clone(), new_text: format!("{{{field}}}") },
                }
            }
            Anchor::Replace(_) | Anchor::Receiver { .. } => return None,
        };
        Some(vec![edit])
    }

    fn pin_in_resolver(&self, anchor: &ResolverAnchor, algorithm: &str) -> Option<(String, Vec<TextEdit>)> {
        let analyzer = self.analyzer;
        let function = analyzer.file.root.descendant_for_byte_range(anchor.function.start, anchor.function.end)?;
        if !FUNCTION_KINDS.contains(&function.kind()) || function.byte_range() != anchor.function {
            return None;
        }
        let kind = match Family::of(algorithm) {
            Family::Hmac => KeyKind::Secret,
            Family::Ecdsa => KeyKind::Ec,
            Family::EdDsa => KeyKind::Ed,
            _ => KeyKind::Rsa,
        };
        analyzer.method_check_fix(function, kind)
    }
}
