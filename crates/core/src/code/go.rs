//! Go: `github.com/golang-jwt/jwt` (v3, v4, v5; also `dgrijalva/jwt-go` and its forks), lestrrat
//! `jwx` (v1–v3 `jwt`, `jws`, `jwa`) and `go-jose` (v2–v4, `jose` and `jwt`), recognised through
//! their import paths under any alias. Keyfuncs are read when they are literals or same-file
//! functions; parser options when they are literal arguments or come from a same-function
//! `NewParser(...)` / `&jwt.Parser{...}`. Anything else is not judged.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::knowledge::{
    self, AlgItem, AllowList, Family, Key, KeyKind, algorithm_choices, assess_allow_list, classify_key,
};
use super::scope::Scopes;
use super::syntax::{self, Field, MAX_DEPTH, elements, removal_range, text, walk};
use super::{Options, Sink};
use crate::finding::{Finding, Fix, Severity, TextEdit};
use crate::rules::Rule;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lib {
    /// golang-jwt and its ancestors; `version` 3 covers dgrijalva, form3tech and golang-jwt v3.
    GolangJwt {
        version: u8,
    },
    JwxJwt,
    JwxJws,
    JwxJwa,
    GoJoseJwt {
        version: u8,
    },
    GoJose {
        version: u8,
    },
}

struct Import {
    lib: Lib,
    default_name: &'static str,
    /// The maintained drop-in replacement of an archived module, for insecure imports.
    replacement: Option<(&'static str, &'static str)>,
}

fn classify_import(path: &str) -> Option<Import> {
    let import = |lib, default_name| Some(Import { lib, default_name, replacement: None });
    match path {
        "github.com/golang-jwt/jwt" | "github.com/form3tech-oss/jwt-go" => import(Lib::GolangJwt { version: 3 }, "jwt"),
        "github.com/golang-jwt/jwt/v4" => import(Lib::GolangJwt { version: 4 }, "jwt"),
        "github.com/golang-jwt/jwt/v5" => import(Lib::GolangJwt { version: 5 }, "jwt"),
        "github.com/dgrijalva/jwt-go" | "github.com/dgrijalva/jwt-go/v4" => Some(Import {
            lib: Lib::GolangJwt { version: 3 },
            default_name: "jwt",
            replacement: Some(("github.com/dgrijalva/jwt-go", "github.com/golang-jwt/jwt")),
        }),
        "github.com/go-jose/go-jose/v3/jwt" => import(Lib::GoJoseJwt { version: 3 }, "jwt"),
        "github.com/go-jose/go-jose/v4/jwt" => import(Lib::GoJoseJwt { version: 4 }, "jwt"),
        "gopkg.in/go-jose/go-jose.v2/jwt" => import(Lib::GoJoseJwt { version: 2 }, "jwt"),
        "github.com/go-jose/go-jose/v3" => import(Lib::GoJose { version: 3 }, "jose"),
        "github.com/go-jose/go-jose/v4" => import(Lib::GoJose { version: 4 }, "jose"),
        "gopkg.in/go-jose/go-jose.v2" => import(Lib::GoJose { version: 2 }, "jose"),
        "gopkg.in/square/go-jose.v2/jwt" => Some(Import {
            lib: Lib::GoJoseJwt { version: 2 },
            default_name: "jwt",
            replacement: Some(("gopkg.in/square/go-jose.v2", "gopkg.in/go-jose/go-jose.v2")),
        }),
        "gopkg.in/square/go-jose.v2" => Some(Import {
            lib: Lib::GoJose { version: 2 },
            default_name: "jose",
            replacement: Some(("gopkg.in/square/go-jose.v2", "gopkg.in/go-jose/go-jose.v2")),
        }),
        path if path.starts_with("github.com/lestrrat-go/jwx") => match path.rsplit('/').next() {
            Some("jwt") => import(Lib::JwxJwt, "jwt"),
            Some("jws") => import(Lib::JwxJws, "jws"),
            Some("jwa") => import(Lib::JwxJwa, "jwa"),
            _ => None,
        },
        _ => None,
    }
}

const FUNCTION_KINDS: &[&str] = &["function_declaration", "method_declaration", "func_literal"];

/// The node kinds the collection pass looks at (everything else is only walked through).
const COLLECTED_KINDS: &[&str] = &[
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
];

/// Kinds whose insides hold no collected kind, so the walk does not enter them.
const OPAQUE_KINDS: &[&str] = &["interpreted_string_literal", "raw_string_literal"];

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
    "ParseSigned",
    "UnsafeClaimsWithoutVerification",
    "UnsafePayloadWithoutVerification",
    "ValidateWithLeeway",
];

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
    let root = tree.root_node();
    let mut analyzer = Analyzer {
        src: source,
        options,
        root,
        packages: HashMap::new(),
        imports: HashMap::new(),
        import_declarations: Vec::new(),
        scopes: Scopes::default(),
        calls: Vec::new(),
        selectors: Vec::new(),
        composites: Vec::new(),
        insecure: Vec::new(),
        enclosing: root.byte_range(),
    };
    syntax::walk_scoped(root, FUNCTION_KINDS, COLLECTED_KINDS, OPAQUE_KINDS, |node, enclosing| {
        analyzer.enclosing = enclosing.clone();
        analyzer.collect(node);
    });
    if options.conventional_names
        && analyzer.packages.is_empty()
        && !analyzer.imports.contains_key("github.com/golang-jwt/jwt/v5")
    {
        analyzer.packages.insert("jwt".into(), Lib::GolangJwt { version: 5 });
    }
    if analyzer.packages.is_empty() {
        return;
    }
    analyzer.check(sink);
}

struct Analyzer<'s, 't> {
    src: &'s str,
    options: &'s Options,
    root: Node<'t>,
    /// Local package name → library.
    packages: HashMap<String, Lib>,
    /// Every import path → the name it is used under (for `fmt` / `strings` in fixes).
    imports: HashMap<String, String>,
    import_declarations: Vec<Node<'t>>,
    scopes: Scopes<'t>,
    /// Every call, with its enclosing function.
    calls: Vec<(Node<'t>, Range<usize>)>,
    selectors: Vec<Node<'t>>,
    composites: Vec<Node<'t>>,
    /// Imports of archived modules: the path literal and the path.
    insecure: Vec<(Node<'t>, String)>,
    /// During collection: the enclosing function (or file) of the node being visited.
    enclosing: Range<usize>,
}

impl<'s, 't> Analyzer<'s, 't> {
    fn text(&self, node: Node<'_>) -> &'s str {
        text(node, self.src)
    }

    /// During collection: the scope of the node being visited.
    fn scope(&self) -> Range<usize> {
        self.enclosing.clone()
    }

    // ---- pass 1 ----

    fn collect(&mut self, node: Node<'t>) {
        match node.kind() {
            "import_declaration" => self.import_declarations.push(node),
            "import_spec" => self.collect_import(node),
            "short_var_declaration" | "assignment_statement" => {
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else { return };
                let (left, right) = (elements(left), elements(right));
                let scope = self.scope();
                let declares = node.kind() == "short_var_declaration";
                for (index, target) in left.iter().enumerate() {
                    if target.kind() != "identifier" {
                        continue;
                    }
                    let value = (left.len() == right.len()).then(|| right[index]);
                    if declares {
                        self.scopes.define(self.text(*target), scope.clone(), target.start_byte(), value, false);
                    } else {
                        self.scopes.reassign(self.text(*target), target.start_byte());
                    }
                }
            }
            "var_spec" | "const_spec" => {
                let scope = self.scope();
                let mut cursor = node.walk();
                let names: Vec<Node<'t>> = node.children_by_field_name("name", &mut cursor).collect();
                let values = node.field("value").map(elements).unwrap_or_default();
                // Without a value, the declared type stands in: `var key *rsa.PublicKey` still
                // says what the key is.
                let declared_type = node.field("type");
                for (index, name) in names.iter().enumerate() {
                    let value = (names.len() == values.len()).then(|| values[index]).or(declared_type);
                    self.scopes.define(self.text(*name), scope.clone(), name.start_byte(), value, false);
                }
            }
            "function_declaration" => {
                if let Some(name) = node.field("name") {
                    self.scopes.define(self.text(name), self.root.byte_range(), name.start_byte(), Some(node), false);
                }
            }
            "parameter_declaration" | "variadic_parameter_declaration" => {
                let scope = self.scope();
                let mut cursor = node.walk();
                let names: Vec<Node<'t>> = node.children_by_field_name("name", &mut cursor).collect();
                let declared_type = node.field("type");
                for name in names {
                    self.scopes.define(self.text(name), scope.clone(), name.start_byte(), declared_type, false);
                }
            }
            "call_expression" => self.calls.push((node, self.scope())),
            // Only the shapes checked later are kept; Go files are full of selectors.
            "selector_expression" if self.text(node).ends_with("UnsafeAllowNoneSignatureType") => {
                self.selectors.push(node)
            }
            "composite_literal" if node.child(0).is_some_and(|kind| self.text(kind).ends_with("SigningKey")) => {
                self.composites.push(node)
            }
            _ => {}
        }
    }

    fn collect_import(&mut self, spec: Node<'t>) {
        let Some(path_node) = spec.field("path") else { return };
        let Some(path) = self.string_literal(path_node) else { return };
        let alias = spec.field("name").map(|name| self.text(name).to_string());
        let default_name = path.rsplit('/').next().unwrap_or(&path).to_string();
        self.imports.insert(path.clone(), alias.clone().unwrap_or(default_name));
        let Some(import) = classify_import(&path) else { return };
        let name = match alias.as_deref() {
            Some("_" | ".") => None,
            Some(alias) => Some(alias.to_string()),
            None => Some(import.default_name.to_string()),
        };
        if let Some(name) = name {
            self.packages.insert(name, import.lib);
        }
        if import.replacement.is_some() {
            self.insecure.push((path_node, path));
        }
    }

    // ---- values ----

    fn string_literal(&self, node: Node<'_>) -> Option<String> {
        match node.kind() {
            "interpreted_string_literal" => {
                let raw = self.text(node);
                Some(raw.get(1..raw.len().saturating_sub(1)).unwrap_or("").to_string())
            }
            "raw_string_literal" => {
                let raw = self.text(node);
                Some(raw.get(1..raw.len().saturating_sub(1)).unwrap_or("").to_string())
            }
            _ => None,
        }
    }

    fn definition_value(&self, node: Node<'t>) -> Option<Node<'t>> {
        (node.kind() == "identifier").then(|| self.scopes.value(self.text(node), node.start_byte())).flatten()
    }

    fn string_value(&self, node: Node<'t>, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some(literal) = self.string_literal(node) {
            return Some(literal);
        }
        match node.kind() {
            "identifier" => self.string_value(self.definition_value(node)?, depth + 1),
            "parenthesized_expression" => self.string_value(node.named_child(0)?, depth + 1),
            "binary_expression" if node.field("operator").is_some_and(|op| self.text(op) == "+") => {
                let left = self.string_value(node.field("left")?, depth + 1)?;
                Some(left + &self.string_value(node.field("right")?, depth + 1)?)
            }
            _ => None,
        }
    }

    /// A `time.Duration` expression in nanoseconds.
    fn duration_nanos(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        if depth > MAX_DEPTH {
            return None;
        }
        match node.kind() {
            "int_literal" | "float_literal" => self.text(node).replace('_', "").parse().ok(),
            "selector_expression" => {
                let operand = node.field("operand")?;
                if self.text(operand) != "time" {
                    return None;
                }
                Some(match self.text(node.field("field")?) {
                    "Nanosecond" => 1.0,
                    "Microsecond" => 1e3,
                    "Millisecond" => 1e6,
                    "Second" => 1e9,
                    "Minute" => 60e9,
                    "Hour" => 3600e9,
                    _ => return None,
                })
            }
            "binary_expression" => {
                let left = self.duration_nanos(node.field("left")?, depth + 1)?;
                let right = self.duration_nanos(node.field("right")?, depth + 1)?;
                match self.text(node.field("operator")?) {
                    "*" => Some(left * right),
                    "+" => Some(left + right),
                    "-" => Some(left - right),
                    "/" if right != 0.0 => Some(left / right),
                    _ => None,
                }
            }
            // `time.Duration(10) * time.Minute`.
            "call_expression" | "type_conversion_expression" => {
                let callee = node.field("function").or_else(|| node.field("type"))?;
                if self.text(callee) != "time.Duration" {
                    return None;
                }
                let argument = match node.kind() {
                    "call_expression" => elements(node.field("arguments")?).first().copied()?,
                    _ => node.field("operand")?,
                };
                self.duration_nanos(argument, depth + 1)
            }
            "parenthesized_expression" => self.duration_nanos(node.named_child(0)?, depth + 1),
            "identifier" => self.duration_nanos(self.definition_value(node)?, depth + 1),
            _ => None,
        }
    }

    fn arguments(&self, call: Node<'t>) -> Vec<Node<'t>> {
        call.field("arguments").map(elements).unwrap_or_default()
    }

    /// `pkg.Name` where `pkg` is a recognised library.
    fn library_member(&self, node: Node<'t>) -> Option<(Lib, &'s str)> {
        if node.kind() != "selector_expression" {
            return None;
        }
        let operand = node.field("operand")?;
        if operand.kind() != "identifier" {
            return None;
        }
        let name = self.text(operand);
        // A local variable named like the package shadows it.
        if self.scopes.innermost(name, operand.start_byte()).is_some() {
            return None;
        }
        Some((*self.packages.get(name)?, self.text(node.field("field")?)))
    }

    /// The package name of a library call's package, for rendering fix text.
    fn package_name(&self, callee: Node<'t>) -> &'s str {
        callee.field("operand").map(|operand| self.text(operand)).unwrap_or("jwt")
    }

    /// `[]byte("…")`: the inner expression.
    fn byte_slice_operand(&self, node: Node<'t>) -> Option<Node<'t>> {
        match node.kind() {
            "type_conversion_expression"
                if node.field("type").is_some_and(|kind| self.text(kind).replace(' ', "") == "[]byte") =>
            {
                node.field("operand")
            }
            "call_expression"
                if node.field("function").is_some_and(|function| self.text(function).replace(' ', "") == "[]byte") =>
            {
                self.arguments(node).first().copied()
            }
            _ => None,
        }
    }

    fn secret_literals(&self, node: Node<'t>, depth: usize, out: &mut Vec<(String, Node<'t>)>) {
        if depth > MAX_DEPTH {
            return;
        }
        if let Some(literal) = self.string_literal(node) {
            out.push((literal, node));
            return;
        }
        if let Some(inner) = self.byte_slice_operand(node) {
            self.secret_literals(inner, depth + 1, out);
            return;
        }
        match node.kind() {
            "identifier" => {
                if let Some(value) = self.definition_value(node) {
                    self.secret_literals(value, depth + 1, out);
                }
            }
            "parenthesized_expression" => {
                if let Some(inner) = node.named_child(0) {
                    self.secret_literals(inner, depth + 1, out);
                }
            }
            _ => {}
        }
    }

    fn report_secrets(&self, sink: &mut Sink, key: Node<'t>, where_: &str) {
        let mut literals = Vec::new();
        self.secret_literals(key, 0, &mut literals);
        for (value, node) in literals {
            knowledge::report_secret(sink, self.options.context.in_test_path, &value, node.byte_range(), where_);
        }
    }

    /// What a returned key is: `[]byte(…)` is an HMAC secret, `ParseRSAPublicKeyFromPEM` an RSA
    /// key, a name says the rest.
    fn key(&self, node: Node<'t>, depth: usize) -> Key {
        if depth > MAX_DEPTH {
            return Key::UNKNOWN;
        }
        if let Some(inner) = self.byte_slice_operand(node) {
            let material = self.key(inner, depth + 1);
            return Key { kind: KeyKind::Secret, public: material.public };
        }
        if let Some(literal) = self.string_value(node, depth) {
            return classify_key(&literal, true);
        }
        match node.kind() {
            "call_expression" => {
                let function = node.field("function").map(|function| self.text(function)).unwrap_or("");
                if function.ends_with("ParseRSAPublicKeyFromPEM") {
                    Key { kind: KeyKind::Rsa, public: true }
                } else if function.ends_with("ParseECPublicKeyFromPEM") {
                    Key { kind: KeyKind::Ec, public: true }
                } else if function.ends_with("ParseEdPublicKeyFromPEM") {
                    Key { kind: KeyKind::Ed, public: true }
                } else {
                    classify_key(self.text(node), false)
                }
            }
            "identifier" => match self.definition_value(node) {
                Some(value) => {
                    let resolved = self.key(value, depth + 1);
                    if resolved.kind == KeyKind::Unknown { classify_key(self.text(node), false) } else { resolved }
                }
                None => classify_key(self.text(node), false),
            },
            "unary_expression" | "parenthesized_expression" => node
                .named_child(node.named_child_count().saturating_sub(1) as u32)
                .map_or(Key::UNKNOWN, |inner| self.key(inner, depth + 1)),
            _ => classify_key(self.text(node), false),
        }
    }

    /// `r.Header.Get("Authorization")`, gin's `c.GetHeader("Authorization")`, or a variable
    /// holding one.
    fn is_raw_authorization(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match node.kind() {
            "call_expression" => {
                let getter = node
                    .field("function")
                    .filter(|function| function.kind() == "selector_expression")
                    .and_then(|function| function.field("field"))
                    .is_some_and(|field| matches!(self.text(field), "Get" | "GetHeader"));
                getter
                    && self
                        .arguments(node)
                        .first()
                        .and_then(|first| self.string_literal(*first))
                        .is_some_and(|name| name.eq_ignore_ascii_case("authorization"))
            }
            "identifier" => {
                self.definition_value(node).is_some_and(|value| self.is_raw_authorization(value, depth + 1))
            }
            _ => false,
        }
    }

    // ---- keyfuncs ----

    /// The function a keyfunc argument denotes, when it is a literal or a same-file function.
    fn keyfunc(&self, node: Node<'t>) -> Option<Node<'t>> {
        match node.kind() {
            "func_literal" => Some(node),
            "identifier" => self
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
                let alg = node
                    .field("index")
                    .and_then(|index| self.string_literal(index))
                    .is_some_and(|index| index == "alg");
                found |= on_header && alg;
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
            if node.kind() == "func_literal" {
                continue;
            }
            if node.kind() == "return_statement" {
                if let Some(first) = node
                    .named_child(0)
                    .and_then(|list| if list.kind() == "expression_list" { list.named_child(0) } else { Some(list) })
                {
                    out.push(first);
                }
                continue;
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
            if stack.len() > 100_000 {
                break;
            }
        }
        out
    }

    fn keyfunc_key(&self, returned: &[Node<'t>]) -> Key {
        let keys: Vec<Key> = returned
            .iter()
            .copied()
            .filter(|returned| self.text(*returned) != "nil")
            .map(|returned| self.key(returned, 0))
            .collect();
        match keys.first() {
            Some(first) if keys.iter().all(|key| key.kind == first.kind) => {
                Key { kind: first.kind, public: keys.iter().any(|key| key.public) }
            }
            _ => Key::UNKNOWN,
        }
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
        match list.and_then(|list| elements(list).first().copied()) {
            Some(first) => {
                let indent = syntax::line_prefix(self.src, first.start_byte());
                Some(TextEdit {
                    range: first.start_byte()..first.start_byte(),
                    new_text: format!("\"{path}\"\n{indent}"),
                })
            }
            None => Some(TextEdit {
                range: declaration.end_byte()..declaration.end_byte(),
                new_text: format!("\nimport \"{path}\""),
            }),
        }
    }

    fn imported_name(&self, path: &str) -> String {
        self.imports.get(path).cloned().unwrap_or_else(|| path.to_string())
    }

    /// Inserts `if _, ok := t.Method.(*jwt.SigningMethodX); !ok { return nil, … }` at the top of
    /// the keyfunc, naming the token parameter if it is unnamed.
    fn method_check_fix(&self, function: Node<'t>, package: &str, kind: KeyKind, preferred: bool) -> Option<Fix> {
        let method = match kind {
            KeyKind::Secret => "SigningMethodHMAC",
            KeyKind::Rsa => "SigningMethodRSA",
            KeyKind::Ec => "SigningMethodECDSA",
            KeyKind::Ed => "SigningMethodEd25519",
            KeyKind::Unknown => return None,
        };
        let body = function.field("body")?;
        let open = body.child(0).filter(|open| open.kind() == "{")?;
        let parameter = function.field("parameters").and_then(|parameters| elements(parameters).first().copied())?;
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
        let line_start = syntax::line_start(self.src, function.start_byte());
        let outer: String = self.src[line_start..].chars().take_while(|ch| *ch == ' ' || *ch == '\t').collect();
        let indent = format!("{outer}\t");
        let fmt = self.imported_name("fmt");
        edits.push(TextEdit {
            range: open.end_byte()..open.end_byte(),
            new_text: format!(
                "\n{indent}if _, ok := {name}.Method.(*{package}.{method}); !ok {{\n{indent}\treturn nil, {fmt}.Errorf(\"unexpected signing method: %v\", {name}.Header[\"alg\"])\n{indent}}}"
            ),
        });
        edits.extend(self.import_edit("fmt"));
        Some(Fix { title: format!("Check `{name}.Method` is `*{package}.{method}` in the keyfunc"), edits, preferred })
    }

    // ---- pass 2 ----

    fn check(&self, sink: &mut Sink) {
        for (path_node, path) in &self.insecure {
            let Some(import) = classify_import(path) else { continue };
            let Some((old, new)) = import.replacement else { continue };
            let why = if old.contains("dgrijalva") {
                "`github.com/dgrijalva/jwt-go` is archived and unfixed: an `aud` array bypasses audience checks (CVE-2020-26160). `github.com/golang-jwt/jwt` is its maintained drop-in successor."
            } else {
                "`gopkg.in/square/go-jose.v2` is archived and unfixed (JWE decompression bomb, CVE-2024-28180). `gopkg.in/go-jose/go-jose.v2` is its maintained drop-in fork."
            };
            let replaced = format!("\"{}\"", path.replacen(old, new, 1));
            sink.push(Finding::new(Rule::InsecureJwtLibrary, path_node.byte_range(), why).with_fix(Fix {
                title: format!("Import `{}` instead", path.replacen(old, new, 1)),
                edits: vec![TextEdit { range: path_node.byte_range(), new_text: replaced }],
                // Changes a dependency: offered, never applied by `check --fix`.
                preferred: false,
            }));
        }
        let resolved: Vec<(Node<'t>, Node<'t>, Lib, String, Range<usize>)> = self
            .calls
            .iter()
            .filter(|(call, _)| {
                call.child(0).is_some_and(|function| KNOWN_MEMBERS.contains(&syntax::last_segment(self.text(function))))
            })
            .filter_map(|(call, scope)| {
                let function = call.field("function")?;
                let (lib, member) = self.resolve_call(function)?;
                Some((*call, function, lib, member, scope.clone()))
            })
            .collect();
        let parse_tokens: Vec<(Node<'t>, String)> = resolved
            .iter()
            .filter(|(_, _, _, member, _)| {
                matches!(
                    member.as_str(),
                    "Parse" | "ParseWithClaims" | "ParseString" | "Parser.Parse" | "Parser.ParseWithClaims"
                )
            })
            .filter_map(|(call, _, _, _, _)| {
                Some((*call, syntax::normalized(self.text(*self.arguments(*call).first()?))))
            })
            .collect();
        for (call, callee, lib, member, scope) in &resolved {
            let arguments = self.arguments(*call);
            match (*lib, member.as_str()) {
                (Lib::GolangJwt { version }, "Parse" | "ParseWithClaims") => {
                    let skip = if member == "Parse" { 2 } else { 3 };
                    let options = ParserOptions {
                        options: arguments.iter().skip(skip).copied().collect(),
                        complete: !arguments.iter().any(|argument| argument.kind() == "variadic_argument") && arguments.len() >= skip,
                        insert_option_at: arguments.last().map(|last| (last.end_byte(), true)),
                        struct_literal: None,
                    };
                    self.check_golang_jwt_parse(sink, version, *callee, &arguments, skip - 1, options);
                }
                (Lib::GolangJwt { version }, "Parser.Parse" | "Parser.ParseWithClaims") => {
                    let Some(options) = self.parser_options(*callee) else { continue };
                    let keyfunc_index = if member == "Parser.Parse" { 1 } else { 2 };
                    self.check_golang_jwt_parse(sink, version, *callee, &arguments, keyfunc_index, options);
                }
                (Lib::GolangJwt { .. }, "Parser.ParseUnverified")
                    if !self.peeked_then_verified(*call, scope, arguments.first().copied(), &parse_tokens) => {
                        sink.push(Finding::new(
                            Rule::DecodeWithoutVerify,
                            callee.byte_range(),
                            "`ParseUnverified` returns the claims without checking the signature: anyone can write them. Use `Parse`/`ParseWithClaims` with a keyfunc and `WithValidMethods`.",
                        ));
                    }
                (Lib::GolangJwt { .. }, "WithValidMethods") => {
                    if let Some(list) = arguments.first().and_then(|list| self.allow_list(*list)) {
                        assess_allow_list(sink, &list, Key::UNKNOWN);
                    }
                }
                (Lib::GolangJwt { .. }, "WithLeeway") | (Lib::JwxJwt, "WithAcceptableSkew") => {
                    if let Some(duration) = arguments.first()
                        && let Some(nanos) = self.duration_nanos(*duration, 0)
                    {
                        knowledge::report_leeway(sink, nanos / 1e9, duration.byte_range(), &format!("{}.{member}", self.package_name(*callee)));
                    }
                }
                (Lib::GolangJwt { .. }, "WithoutClaimsValidation") => self.report_option_off(
                    sink,
                    *call,
                    "`WithoutClaimsValidation()` switches off every claim check: expired (`exp`) and not-yet-valid (`nbf`) tokens are accepted (RFC 7519 §4.1.4).",
                ),
                (Lib::GolangJwt { .. }, "SignedString") => {
                    if let Some(key) = arguments.first() {
                        self.report_secrets(sink, *key, "golang-jwt SignedString key");
                    }
                }
                (Lib::GolangJwt { .. }, "New" | "NewWithClaims") => {
                    let none = arguments.first().and_then(|method| self.library_member(*method)).is_some_and(|(_, field)| field == "SigningMethodNone");
                    if none && !self.options.context.in_test_path {
                        sink.push(Finding::new(
                            Rule::VerifyAllowsNone,
                            arguments[0].byte_range(),
                            "Signs with `SigningMethodNone`: the token carries no signature, anyone can change its claims, and only verifiers that accept `none` take it (RFC 7518 §3.6).",
                        ));
                    }
                }
                (Lib::JwxJwt, "Parse" | "ParseString" | "ParseReader" | "ParseRequest" | "ParseHeader" | "ParseForm" | "ParseCookie") => {
                    self.check_jwx_parse(sink, *call, scope, *callee, &arguments, member == "ParseString", &parse_tokens)
                }
                (Lib::JwxJwt, "ParseInsecure")
                    if !self.peeked_then_verified(*call, scope, arguments.first().copied(), &parse_tokens) => {
                        sink.push(Finding::new(
                            Rule::DecodeWithoutVerify,
                            callee.byte_range(),
                            "`jwt.ParseInsecure` neither verifies the signature nor validates the claims: anyone can write them. Use `jwt.Parse` with `jwt.WithKey`.",
                        ));
                    }
                (Lib::JwxJwt | Lib::JwxJws, "WithKey") => self.check_jwx_key(sink, &arguments),
                (Lib::GoJoseJwt { version } | Lib::GoJose { version }, "ParseSigned") => {
                    if version < 4 && arguments.len() == 1 {
                        sink.push(Finding::new(
                            Rule::VerifyMissingAlgorithms,
                            callee.byte_range(),
                            "go-jose v2/v3 `ParseSigned` takes no algorithm allow-list: the algorithm comes from the token. Upgrade to go-jose v4 and pass the expected algorithms.",
                        ));
                    } else if let Some(list) = arguments.get(1).and_then(|list| self.allow_list(*list)) {
                        assess_allow_list(sink, &list, Key::UNKNOWN);
                    }
                }
                (Lib::GoJoseJwt { .. } | Lib::GoJose { .. }, "UnsafeClaimsWithoutVerification" | "UnsafePayloadWithoutVerification")
                    if !self.go_jose_verified_in_scope(scope, *callee) => {
                        sink.push(Finding::new(
                            Rule::DecodeWithoutVerify,
                            callee.byte_range(),
                            "`UnsafeClaimsWithoutVerification` returns the claims without checking the signature: anyone can write them. Use `Claims(key, &out)` and then `Validate`.",
                        ));
                    }
                (Lib::GoJoseJwt { .. }, "ValidateWithLeeway") => {
                    if let Some(duration) = arguments.get(1)
                        && let Some(nanos) = self.duration_nanos(*duration, 0)
                    {
                        knowledge::report_leeway(sink, nanos / 1e9, duration.byte_range(), "ValidateWithLeeway");
                    }
                }
                _ => {}
            }
        }
        self.check_selectors(sink);
        self.check_composites(sink);
    }

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
        let receiver = function.field("operand")?;
        if matches!(field, "Parse" | "ParseWithClaims" | "ParseUnverified")
            && let Some(lib) = self.parser_library(receiver, 0)
        {
            return Some((lib, format!("Parser.{field}")));
        }
        // Method names unique to one library: judged when that library is imported.
        let owner = |predicate: fn(Lib) -> bool| self.packages.values().copied().find(|lib| predicate(*lib));
        match field {
            "ParseUnverified" => {
                owner(|lib| matches!(lib, Lib::GolangJwt { .. })).map(|lib| (lib, "Parser.ParseUnverified".to_string()))
            }
            "SignedString" => owner(|lib| matches!(lib, Lib::GolangJwt { .. })).map(|lib| (lib, field.to_string())),
            "UnsafeClaimsWithoutVerification" | "UnsafePayloadWithoutVerification" | "ValidateWithLeeway" => {
                owner(|lib| matches!(lib, Lib::GoJoseJwt { .. } | Lib::GoJose { .. }))
                    .map(|lib| (lib, field.to_string()))
            }
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
                if let Some((lib @ Lib::GolangJwt { .. }, "NewParser")) = self.library_member(function) {
                    return Some(lib);
                }
                if self.text(function) == "new" {
                    return self.parser_type(*self.arguments(node).first()?);
                }
                None
            }
            "unary_expression" | "parenthesized_expression" => self.parser_library(node.named_child(0)?, depth + 1),
            "composite_literal" => self.parser_type(node.field("type")?),
            "identifier" => self.parser_library(self.definition_value(node)?, depth + 1),
            _ => None,
        }
    }

    fn parser_type(&self, node: Node<'t>) -> Option<Lib> {
        let package = node.field("package")?;
        let name = node.field("name")?;
        if self.text(name) != "Parser" {
            return None;
        }
        match self.packages.get(self.text(package))? {
            lib @ Lib::GolangJwt { .. } => Some(*lib),
            _ => None,
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
        match node.kind() {
            "call_expression" if self.text(node.field("function")?) == "new" => Some(ParserOptions {
                options: Vec::new(),
                complete: true,
                insert_option_at: None,
                struct_literal: None,
            }),
            "call_expression" => {
                let arguments = self.arguments(node);
                let list = node.field("arguments")?;
                let insert_option_at = match arguments.last() {
                    Some(last) => Some((last.end_byte(), true)),
                    // After the `(` token, not `start + 1`: a recovered list may lack it.
                    None => Some((list.child(0).map_or(list.start_byte(), |open| open.end_byte()), false)),
                };
                Some(ParserOptions {
                    complete: !arguments.iter().any(|argument| argument.kind() == "variadic_argument"),
                    options: arguments,
                    insert_option_at,
                    struct_literal: None,
                })
            }
            "composite_literal" => {
                let body = node.field("body")?;
                Some(ParserOptions {
                    options: elements(body),
                    complete: true,
                    insert_option_at: None,
                    struct_literal: Some(body),
                })
            }
            _ => None,
        }
    }

    /// Field name and value of a `Key: value` element of a composite literal.
    fn keyed(&self, element: Node<'t>) -> Option<(&'s str, Node<'t>)> {
        if element.kind() != "keyed_element" {
            return None;
        }
        let parts = elements(element);
        let key = parts.first()?;
        let value = parts.get(1)?;
        let unwrap =
            |node: Node<'t>| if node.kind() == "literal_element" { node.named_child(0).unwrap_or(node) } else { node };
        Some((self.text(unwrap(*key)), unwrap(*value)))
    }

    fn check_golang_jwt_parse(
        &self,
        sink: &mut Sink,
        version: u8,
        callee: Node<'t>,
        arguments: &[Node<'t>],
        keyfunc_index: usize,
        options: ParserOptions<'t>,
    ) {
        let token = arguments.first().copied();
        let keyfunc = arguments.get(keyfunc_index).and_then(|argument| self.keyfunc(*argument));
        if let Some(token) = token
            && self.is_raw_authorization(token, 0)
        {
            let strings = self.imported_name("strings");
            let mut edits = vec![TextEdit {
                range: token.byte_range(),
                new_text: format!("{strings}.TrimPrefix({}, \"Bearer \")", self.text(token)),
            }];
            edits.extend(self.import_edit("strings"));
            sink.push(
                Finding::new(
                    Rule::VerifyBearerPrefix,
                    token.byte_range(),
                    "The raw `Authorization` header is passed as the token: its value starts with `Bearer `, so parsing fails with `token is malformed`. Strip the scheme first.",
                )
                .with_fix(Fix { title: "Strip the `Bearer ` prefix".into(), edits, preferred: true }),
            );
        }
        let returned = keyfunc.map(|function| self.returned_keys(function)).unwrap_or_default();
        let key = if keyfunc.is_some() { self.keyfunc_key(&returned) } else { Key::UNKNOWN };
        if keyfunc.is_some() {
            for &returned in &returned {
                self.report_secrets(sink, returned, "golang-jwt keyfunc key");
                if let Some(inner) = self.byte_slice_operand(returned)
                    && self.key(inner, 0).public
                {
                    sink.push(Finding::new(
                        Rule::VerifyMixedAlgorithms,
                        returned.byte_range(),
                        "The keyfunc returns public-key material as `[]byte`, which golang-jwt uses as an HMAC secret: anyone holding the public key can sign HS256 tokens that verify (key confusion). Parse it with `ParseRSAPublicKeyFromPEM` and check `t.Method`.",
                    ));
                }
            }
        }
        let option_member = |option: Node<'t>| {
            let function = if option.kind() == "call_expression" { option.field("function") } else { None };
            function.and_then(|function| self.library_member(function)).map(|(_, member)| member)
        };
        let mut has_valid_methods = false;
        let (mut has_audience, mut has_issuer) = (false, false);
        for option in &options.options {
            if let Some((field, value)) = self.keyed(*option) {
                match field {
                    "ValidMethods" => {
                        has_valid_methods = true;
                        if let Some(list) = self.allow_list(value) {
                            assess_allow_list(sink, &list, key);
                        }
                    }
                    "SkipClaimsValidation" if self.text(value) == "true" => {
                        let removal = options.struct_literal.map(|body| {
                            let items = elements(body);
                            let index = items.iter().position(|item| item.id() == option.id()).unwrap_or(0);
                            removal_range(&items, index)
                        });
                        let mut finding = Finding::new(
                            Rule::VerifyExpiryDisabled,
                            option.byte_range(),
                            "`SkipClaimsValidation: true` switches off every claim check: expired (`exp`) and not-yet-valid (`nbf`) tokens are accepted (RFC 7519 §4.1.4).",
                        );
                        if let Some(removal) = removal {
                            finding = finding.with_fix(Fix {
                                title: "Remove `SkipClaimsValidation`".into(),
                                edits: vec![TextEdit { range: removal, new_text: String::new() }],
                                preferred: true,
                            });
                        }
                        sink.push(finding);
                    }
                    _ => {}
                }
                continue;
            }
            match option_member(*option) {
                Some("WithValidMethods") => {
                    has_valid_methods = true;
                    // The list itself is assessed where the option call is (with the key here).
                    if key.public
                        && let Some(list) = elements(option.field("arguments").unwrap_or(*option))
                            .first()
                            .and_then(|list| self.allow_list(*list))
                        && list.items.iter().any(|item| item.name.as_deref().map(Family::of) == Some(Family::Hmac))
                    {
                        assess_allow_list(sink, &list, key);
                    }
                }
                Some("WithAudience" | "WithAllAudiences") => has_audience = true,
                Some("WithIssuer") => has_issuer = true,
                _ => {}
            }
        }
        if version >= 5 && options.complete && options.struct_literal.is_none() {
            if !has_audience {
                sink.push(Finding::new(
                    Rule::VerifyMissingAudience,
                    callee.byte_range(),
                    "golang-jwt v5 checks `aud` only with `WithAudience`: a token issued for another service by the same issuer is accepted (RFC 8725 §3.9).",
                ));
            }
            if !has_issuer {
                sink.push(Finding::new(
                    Rule::VerifyMissingIssuer,
                    callee.byte_range(),
                    "golang-jwt v5 checks `iss` only with `WithIssuer`: tokens from any issuer that shares the key are accepted (RFC 8725 §3.8).",
                ));
            }
        }
        let Some(function) = keyfunc else { return };
        let package = self.package_alias(version);
        if !has_valid_methods && options.complete && !self.checks_method(function) {
            let mut finding = Finding::new(
                Rule::VerifyMissingAlgorithms,
                callee.byte_range(),
                "golang-jwt parses with no `WithValidMethods` and the keyfunc never checks `t.Method`: the token chooses its own algorithm, so a public key can serve as an HMAC secret (RFC 8725 §3.1, golang-jwt README).",
            )
            .with_severity(Severity::Error);
            let choices = algorithm_choices(key);
            if version >= 4 {
                for (algorithm, preferred) in &choices {
                    let option = format!("{package}.WithValidMethods([]string{{\"{algorithm}\"}})");
                    let edit = match (options.insert_option_at, options.struct_literal) {
                        (Some((at, comma)), _) => {
                            TextEdit { range: at..at, new_text: if comma { format!(", {option}") } else { option } }
                        }
                        (None, Some(body)) => match elements(body).first() {
                            Some(first) => TextEdit {
                                range: first.start_byte()..first.start_byte(),
                                new_text: format!("ValidMethods: []string{{\"{algorithm}\"}}, "),
                            },
                            None => TextEdit {
                                range: body.byte_range(),
                                new_text: format!("{{ValidMethods: []string{{\"{algorithm}\"}}}}"),
                            },
                        },
                        (None, None) => continue,
                    };
                    finding = finding.with_fix(Fix {
                        title: format!("Allow only `{algorithm}` (WithValidMethods)"),
                        edits: vec![edit],
                        preferred: *preferred,
                    });
                }
            }
            let method_preferred = version < 4 || finding.fixes.is_empty();
            for (algorithm, preferred) in &choices {
                let kind = match Family::of(algorithm) {
                    Family::Hmac => KeyKind::Secret,
                    Family::Ecdsa => KeyKind::Ec,
                    Family::EdDsa => KeyKind::Ed,
                    _ => KeyKind::Rsa,
                };
                if let Some(fix) = self.method_check_fix(function, &package, kind, *preferred && method_preferred) {
                    finding = finding.with_fix(fix);
                }
            }
            sink.push(finding);
        }
    }

    fn package_alias(&self, version: u8) -> String {
        self.packages
            .iter()
            .find(|(_, lib)| matches!(lib, Lib::GolangJwt { version: v } if *v == version))
            .map(|(name, _)| name.clone())
            .unwrap_or_else(|| "jwt".into())
    }

    /// An option call such as `jwt.WithoutClaimsValidation()`: reported, with a fix removing it
    /// from its argument list.
    fn report_option_off(&self, sink: &mut Sink, option: Node<'t>, message: &str) {
        let mut finding = Finding::new(Rule::VerifyExpiryDisabled, option.byte_range(), message);
        if let Some(list) = option.parent().filter(|parent| parent.kind() == "argument_list") {
            let items = elements(list);
            if let Some(index) = items.iter().position(|item| item.id() == option.id())
                && items.len() > 1
            {
                finding = finding.with_fix(Fix {
                    title: format!("Remove `{}`", self.text(option)),
                    edits: vec![TextEdit { range: removal_range(&items, index), new_text: String::new() }],
                    preferred: true,
                });
            }
        }
        sink.push(finding);
    }

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
        let unwrap =
            |node: Node<'t>| if node.kind() == "literal_element" { node.named_child(0).unwrap_or(node) } else { node };
        let algs = items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let value = unwrap(*item);
                let name = self.string_value(value, 0).or_else(|| {
                    // `jose.RS256`, `jwa.RS256`, `jwa.RS256()`, `jwt.SigningMethodRS256.Alg()`.
                    let text = self.text(value).trim_end_matches("()").trim_end_matches(".Alg");
                    let last = text.rsplit('.').next().unwrap_or(text);
                    let last = last.strip_prefix("SigningMethod").unwrap_or(last);
                    (Family::of(last) != Family::Other).then(|| last.to_string())
                });
                let from_token = self.text(value).contains(".Header[\"alg\"]");
                AlgItem {
                    name,
                    text: self.text(*item).to_string(),
                    range: item.byte_range(),
                    removal: removal_range(&items, index),
                    from_token,
                }
            })
            .collect();
        Some(AllowList { items: algs, render: Box::new(|algorithm: &str| format!("\"{algorithm}\"")) })
    }

    fn peeked_then_verified(
        &self,
        call: Node<'t>,
        scope: &Range<usize>,
        token: Option<Node<'t>>,
        verified: &[(Node<'t>, String)],
    ) -> bool {
        let Some(token) = token else { return false };
        let token = syntax::normalized(self.text(token));
        verified.iter().any(|(verify, verified_token)| {
            *verified_token == token && verify.id() != call.id() && syntax::contains(scope.clone(), verify.byte_range())
        })
    }

    /// go-jose: `tok.UnsafeClaimsWithoutVerification(…)` next to `tok.Claims(key, …)` in the same
    /// function is a peek before the real check.
    fn go_jose_verified_in_scope(&self, scope: &Range<usize>, callee: Node<'t>) -> bool {
        let Some(receiver) = callee.field("operand").map(|operand| self.text(operand)) else { return false };
        self.calls.iter().any(|(other, _)| {
            syntax::contains(scope.clone(), other.byte_range())
                && other.field("function").is_some_and(|function| {
                    function.kind() == "selector_expression"
                        && function.field("field").is_some_and(|field| self.text(field) == "Claims")
                        && function.field("operand").is_some_and(|operand| self.text(operand) == receiver)
                })
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn check_jwx_parse(
        &self,
        sink: &mut Sink,
        call: Node<'t>,
        scope: &Range<usize>,
        callee: Node<'t>,
        arguments: &[Node<'t>],
        token_is_string: bool,
        verified: &[(Node<'t>, String)],
    ) {
        let options: Vec<Node<'t>> = arguments.iter().skip(1).copied().collect();
        let complete = !options.iter().any(|option| option.kind() == "variadic_argument");
        let member_and_argument = |option: Node<'t>| -> Option<(&'s str, Option<Node<'t>>)> {
            if option.kind() != "call_expression" {
                return None;
            }
            let (lib, member) = self.library_member(option.field("function")?)?;
            matches!(lib, Lib::JwxJwt | Lib::JwxJws).then(|| (member, self.arguments(option).first().copied()))
        };
        let (mut verifies, mut has_issuer, mut has_audience) = (false, false, false);
        for option in &options {
            let Some((member, argument)) = member_and_argument(*option) else { continue };
            let is_false = argument.is_some_and(|argument| self.text(argument) == "false");
            match member {
                "WithVerify" if is_false => {
                    if !self.peeked_then_verified(call, scope, arguments.first().copied(), verified) {
                        sink.push(Finding::new(
                            Rule::DecodeWithoutVerify,
                            option.byte_range(),
                            "`jwt.WithVerify(false)` parses without checking the signature: anyone can write the claims. Pass `jwt.WithKey` instead.",
                        ));
                    }
                    return;
                }
                "WithValidate" if is_false => self.report_option_off(
                    sink,
                    *option,
                    "`jwt.WithValidate(false)` switches off claim validation: expired (`exp`) and not-yet-valid (`nbf`) tokens are accepted (RFC 7519 §4.1.4).",
                ),
                "WithKey" | "WithKeySet" | "WithKeyProvider" | "WithVerifyAuto" => verifies = true,
                "WithIssuer" => has_issuer = true,
                "WithAudience" => has_audience = true,
                _ => {}
            }
        }
        if token_is_string
            && let Some(token) = arguments.first()
            && self.is_raw_authorization(*token, 0)
        {
            let strings = self.imported_name("strings");
            let mut edits = vec![TextEdit {
                range: token.byte_range(),
                new_text: format!("{strings}.TrimPrefix({}, \"Bearer \")", self.text(*token)),
            }];
            edits.extend(self.import_edit("strings"));
            sink.push(
                Finding::new(
                    Rule::VerifyBearerPrefix,
                    token.byte_range(),
                    "The raw `Authorization` header is passed as the token: its value starts with `Bearer `, so parsing fails. Strip the scheme first, or use `jwt.ParseRequest`.",
                )
                .with_fix(Fix { title: "Strip the `Bearer ` prefix".into(), edits, preferred: true }),
            );
        }
        if verifies && complete {
            if !has_audience {
                sink.push(Finding::new(
                    Rule::VerifyMissingAudience,
                    callee.byte_range(),
                    "jwx checks `aud` only with `jwt.WithAudience`: a token issued for another service by the same issuer is accepted (RFC 8725 §3.9).",
                ));
            }
            if !has_issuer {
                sink.push(Finding::new(
                    Rule::VerifyMissingIssuer,
                    callee.byte_range(),
                    "jwx checks `iss` only with `jwt.WithIssuer`: tokens from any issuer that shares the key are accepted (RFC 8725 §3.8).",
                ));
            }
        }
    }

    /// jwx `WithKey(jwa.HS256, key)`: literal secrets, and HMAC with public-key material.
    fn check_jwx_key(&self, sink: &mut Sink, arguments: &[Node<'t>]) {
        let (Some(algorithm), Some(key_node)) = (arguments.first(), arguments.get(1)) else { return };
        self.report_secrets(sink, *key_node, "jwx WithKey key");
        let name = self.text(*algorithm).trim_end_matches("()").rsplit('.').next().unwrap_or("").to_string();
        let key = self.key(*key_node, 0);
        if Family::of(&name) == Family::Hmac && key.public {
            sink.push(Finding::new(
                Rule::VerifyMixedAlgorithms,
                algorithm.byte_range(),
                format!("`{name}` is used with a public key as the HMAC secret: anyone holding the public key can sign tokens that verify (key confusion). Use the key's own algorithm."),
            ));
        }
    }

    /// `jwt.UnsafeAllowNoneSignatureType` outside signing.
    fn check_selectors(&self, sink: &mut Sink) {
        for &selector in &self.selectors {
            let Some((Lib::GolangJwt { .. }, "UnsafeAllowNoneSignatureType")) = self.library_member(selector) else {
                continue;
            };
            let signing = syntax::ancestor(selector, &["call_expression"])
                .and_then(|call| call.field("function"))
                .is_some_and(|function| {
                    function.kind() == "selector_expression"
                        && function
                            .field("field")
                            .is_some_and(|field| matches!(self.text(field), "SignedString" | "Sign"))
                });
            if signing && self.options.context.in_test_path {
                continue;
            }
            let message = if signing {
                "Signs with `UnsafeAllowNoneSignatureType`: the token carries no signature, and only verifiers that accept `none` take it (RFC 7518 §3.6)."
            } else {
                "`UnsafeAllowNoneSignatureType` as a key makes golang-jwt accept unsigned (`alg: none`) tokens: anyone can write any claims (RFC 8725 §3.2)."
            };
            sink.push(Finding::new(Rule::VerifyAllowsNone, selector.byte_range(), message));
        }
    }

    /// go-jose `SigningKey{Key: []byte("…")}`.
    fn check_composites(&self, sink: &mut Sink) {
        for &composite in &self.composites {
            let Some(kind) = composite.field("type") else { continue };
            let (Some(package), Some(name)) = (kind.field("package"), kind.field("name")) else { continue };
            if !matches!(self.packages.get(self.text(package)), Some(Lib::GoJose { .. }))
                || self.text(name) != "SigningKey"
            {
                continue;
            }
            let Some(body) = composite.field("body") else { continue };
            for element in elements(body) {
                if let Some(("Key", value)) = self.keyed(element) {
                    self.report_secrets(sink, value, "go-jose SigningKey");
                }
            }
        }
    }
}
