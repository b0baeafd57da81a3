//! Rust front end: the `jsonwebtoken` crate (`decode`, `decode_header`, `encode`, `Validation`,
//! `DecodingKey`/`EncodingKey`, the `dangerous` decoders) and josekit's unsecured JWTs. It turns
//! syntax into call sites (`model`) and writes fixes (`Dialect`); `engine` judges them.
//!
//! Items are recognised through `use` declarations (lists, aliases, globs) or written as full
//! paths. A `Validation` is read from its constructor (`Validation::new(alg)`, `default()`, a
//! struct expression with `..base`) and from the statements that configure the same `let` in its
//! function (`validation.leeway = 60;`, `validation.set_audience(&[…]);`); one handed on as
//! `&mut` is incomplete. Nothing is guessed across files.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::evaluate::{self, Collect, Evaluator, Kinds, SourceFile, Walk};
use super::knowledge::{AlgItem, AllowList, Family, Key, KeyKind};
use super::library::Ecosystem;
use super::model::{
    self, Algorithms, Anchor, CallSite, Check, Dialect, Expr, Given, KeyArg, KeySource, Model, PathBase, Switch,
    TokenArg, Value,
};
use super::syntax::{self, Field, MAX_DEPTH, elements};
use super::{Options, Sink};
use crate::finding::TextEdit;

const JSONWEBTOKEN: &str = "jsonwebtoken";
const JOSEKIT: &str = "josekit";
const JWT_SIMPLE: &str = "jwt_simple";

/// Crates whose paths are resolved.
const CRATES: &[&str] = &[JSONWEBTOKEN, JOSEKIT, JWT_SIMPLE];

/// jwt-simple's key types (`HS256Key`, `RS256PublicKey`, …) by prefix, with the key they hold.
const JWT_SIMPLE_KEYS: &[(&str, KeyKind)] = &[
    ("HS", KeyKind::Secret),
    ("RS", KeyKind::Rsa),
    ("PS", KeyKind::Rsa),
    ("ES", KeyKind::Ec),
    ("Ed25519", KeyKind::Ed),
];

/// Items a glob import brings into scope, by the glob's path.
const GLOB_ITEMS: &[(&str, &[&str])] = &[
    (
        "jwt_simple::prelude",
        &[
            "HS256Key",
            "HS384Key",
            "HS512Key",
            "RS256PublicKey",
            "RS384PublicKey",
            "RS512PublicKey",
            "PS256PublicKey",
            "ES256PublicKey",
            "ES384PublicKey",
            "Ed25519PublicKey",
            "VerificationOptions",
            "Duration",
        ],
    ),
    (
        JSONWEBTOKEN,
        &[
            "decode",
            "decode_header",
            "encode",
            "dangerous_insecure_decode",
            "Validation",
            "DecodingKey",
            "EncodingKey",
            "Algorithm",
            "Header",
        ],
    ),
];

/// Resolved function paths → (library, row path).
const FUNCTIONS: &[(&str, &str, &str)] = &[
    ("jsonwebtoken::decode", JSONWEBTOKEN, "decode"),
    ("jsonwebtoken::decode_header", JSONWEBTOKEN, "decode_header"),
    ("jsonwebtoken::dangerous_insecure_decode", JSONWEBTOKEN, "dangerous_insecure_decode"),
    ("jsonwebtoken::dangerous_insecure_decode_with_validation", JSONWEBTOKEN, "dangerous_insecure_decode"),
    ("jsonwebtoken::dangerous::insecure_decode", JSONWEBTOKEN, "dangerous::insecure_decode"),
    ("jsonwebtoken::encode", JSONWEBTOKEN, "encode"),
    ("josekit::jwt::decode_unsecured", JOSEKIT, "jwt::decode_unsecured"),
    ("josekit::jwt::encode_unsecured", JOSEKIT, "jwt::encode_unsecured"),
];

/// Wrappers that keep a value: `x?`, `x.unwrap()`, `&x`, `x.as_str()`, `(x)`.
const KEEPING_METHODS: &[&str] =
    &["unwrap", "expect", "unwrap_or_default", "to_str", "as_str", "to_string", "to_owned", "ok", "clone"];

const FUNCTION_KINDS: &[&str] = &["function_item", "closure_expression"];

pub(super) fn analyze(source: &str, tree: &Tree, options: &Options, sink: &mut Sink) {
    evaluate::judge(&model(source, tree, options), &RustDialect { src: source }, options, sink);
}

/// The call-site model of one Rust source (snapshot tests, the workspace's verifiers).
pub(super) fn model(source: &str, tree: &Tree, options: &Options) -> Model {
    Analyzer::collect_all(source, tree, options).map(|analyzer| analyzer.model()).unwrap_or_default()
}

/// A statement that configures a local: `v.field = value;` or `v.method(args);`.
#[derive(Clone, Copy)]
struct Configured<'s, 't> {
    member: &'s str,
    /// The assigned value, or the method call.
    node: Node<'t>,
    statement: Node<'t>,
    assignment: bool,
}

struct Analyzer<'s, 't> {
    file: SourceFile<'s, 't>,
    /// Local name → full path (`decode` → `jsonwebtoken::decode`, `jwt` → `jsonwebtoken`).
    imports: HashMap<String, String>,
    /// Paths imported with `::*` (`jsonwebtoken`, `jwt_simple::prelude`).
    globs: Vec<&'static str>,
    calls: Vec<(Node<'t>, Range<usize>)>,
    configured: HashMap<&'s str, Vec<Configured<'s, 't>>>,
    /// Names lent out as `&mut name` (positions): configured where this file cannot see.
    lent: HashMap<&'s str, Vec<usize>>,
}

impl<'s, 't> Analyzer<'s, 't> {
    fn collect_all(source: &'s str, tree: &'t Tree, options: &Options) -> Option<Analyzer<'s, 't>> {
        let mut analyzer = Analyzer {
            file: SourceFile::new(source, tree),
            imports: HashMap::new(),
            globs: Vec::new(),
            calls: Vec::new(),
            configured: HashMap::new(),
            lent: HashMap::new(),
        };
        analyzer.collect_file();
        let uses_crate = analyzer.imports.values().any(|path| CRATES.iter().any(|krate| path.starts_with(krate)))
            || !analyzer.globs.is_empty()
            || CRATES.iter().any(|krate| source.contains(&format!("{krate}::")));
        if options.conventional_names && !uses_crate {
            // A Markdown fragment without `use`: the jsonwebtoken README's names.
            analyzer.globs.push(JSONWEBTOKEN);
            return Some(analyzer);
        }
        uses_crate.then_some(analyzer)
    }

    // ---- collection ----

    fn collect_use(&mut self, node: Node<'t>, prefix: &str, depth: usize) {
        // `use a::{b::{c::{…}}}` nests without bound in a hostile file: the stack must not.
        if depth > MAX_DEPTH {
            return;
        }
        let join =
            |prefix: &str, part: &str| if prefix.is_empty() { part.to_string() } else { format!("{prefix}::{part}") };
        match node.kind() {
            "identifier" | "scoped_identifier" => {
                let path = join(prefix, &self.text(node).split_whitespace().collect::<String>());
                let name = path.rsplit("::").next().unwrap_or(&path).to_string();
                self.imports.insert(name, path);
            }
            "use_as_clause" => {
                let (Some(path), Some(alias)) = (node.field("path"), node.field("alias")) else { return };
                let path = join(prefix, &self.text(path).split_whitespace().collect::<String>());
                self.imports.insert(self.text(alias).to_string(), path);
            }
            "scoped_use_list" => {
                let path = node.field("path").map(|path| self.text(path).split_whitespace().collect::<String>());
                let prefix = match path {
                    Some(path) => join(prefix, &path),
                    None => prefix.to_string(),
                };
                if let Some(list) = node.field("list") {
                    self.collect_use(list, &prefix, depth + 1);
                }
            }
            "use_list" => {
                for item in elements(node) {
                    self.collect_use(item, prefix, depth + 1);
                }
            }
            "use_wildcard" => {
                let path = join(prefix, self.text(node).trim_end_matches('*').trim_end_matches("::"));
                if let Some((glob, _)) = GLOB_ITEMS.iter().find(|(glob, _)| path == *glob) {
                    self.globs.push(glob);
                }
            }
            "self" => {
                let name = prefix.rsplit("::").next().unwrap_or(prefix).to_string();
                self.imports.insert(name, prefix.to_string());
            }
            _ => {}
        }
    }

    // ---- resolution ----

    /// The full path a path expression names: `decode` → `jsonwebtoken::decode`,
    /// `jwt::decode` (with `use jsonwebtoken as jwt`) → `jsonwebtoken::decode`.
    fn path_of(&self, node: Node<'t>) -> Option<String> {
        self.path_within(node, 0)
    }

    /// `depth` bounds `a::b::c::…` and generic nesting a hostile file repeats without end.
    fn path_within(&self, node: Node<'t>, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        match node.kind() {
            "generic_function" => self.path_within(node.field("function")?, depth + 1),
            "identifier" | "type_identifier" => {
                let name = self.text(node);
                // A local binding of the same name hides the import.
                if self.file.scopes.innermost(name, node.start_byte()).is_some() {
                    return None;
                }
                if let Some(path) = self.imports.get(name) {
                    return Some(path.clone());
                }
                if CRATES.contains(&name) {
                    return Some(name.to_string());
                }
                let glob = self
                    .globs
                    .iter()
                    .find(|krate| GLOB_ITEMS.iter().any(|(glob, items)| glob == *krate && items.contains(&name)))?;
                Some(format!("{glob}::{name}"))
            }
            "scoped_identifier" | "scoped_type_identifier" => {
                let name = self.text(node.field("name")?);
                let path = match node.field("path") {
                    Some(path) => self.path_within(path, depth + 1)?,
                    None => return None,
                };
                Some(format!("{path}::{name}"))
            }
            _ => None,
        }
    }

    fn arguments(&self, call: Node<'t>) -> Vec<Node<'t>> {
        call.field("arguments").map(elements).unwrap_or_default()
    }

    /// Through `&`, `*`, `?`, parentheses and value-keeping methods (`unwrap`, `to_str`, …).
    fn strip(&self, mut node: Node<'t>) -> Node<'t> {
        for _ in 0..MAX_DEPTH {
            let inner = match node.kind() {
                "reference_expression" => node.field("value"),
                "unary_expression" | "try_expression" | "parenthesized_expression" => node.named_child(0),
                "call_expression" => node
                    .field("function")
                    .filter(|function| function.kind() == "field_expression")
                    .filter(|function| {
                        function.field("field").is_some_and(|field| KEEPING_METHODS.contains(&self.text(field)))
                    })
                    .and_then(|function| function.field("value")),
                _ => None,
            };
            match inner {
                Some(inner) => node = inner,
                None => break,
            }
        }
        node
    }

    /// A method call's receiver and name: `v.set_audience(…)` → (`v`, `set_audience`).
    fn method_of(&self, call: Node<'t>) -> Option<(Node<'t>, &'s str)> {
        let function = call.field("function")?;
        let function = match function.kind() {
            "generic_function" => function.field("function")?,
            _ => function,
        };
        let function = (function.kind() == "field_expression").then_some(function)?;
        Some((function.field("value")?, self.text(function.field("field")?)))
    }

    /// The resolved path of a call's function (`None` for method calls).
    fn callee(&self, call: Node<'t>) -> Option<String> {
        (call.kind() == "call_expression").then(|| self.path_of(call.field("function")?)).flatten()
    }

    // ---- values ----

    /// The bytes a secret conversion wraps: `"…".as_bytes()`, `SECRET.as_ref()`, `x.to_vec()`.
    fn conversion_operand(&self, node: Node<'t>) -> Option<Node<'t>> {
        let (receiver, method) = self.method_of(node)?;
        matches!(
            method,
            "as_bytes" | "as_ref" | "to_vec" | "into_bytes" | "to_owned" | "to_string" | "as_str" | "clone"
        )
        .then_some(receiver)
    }

    /// A `DecodingKey`/`EncodingKey` expression: what it is, its literals, where it comes from.
    fn key_arg(&self, spelled: &str, node: Node<'t>, depth: usize) -> KeyArg {
        let mut key = KeyArg::unknown(spelled);
        if depth > MAX_DEPTH {
            return key;
        }
        let node = self.strip(node);
        if node.kind() == "identifier"
            && let Some(value) = self.definition_value(node)
        {
            return self.key_arg(spelled, value, depth + 1);
        }
        let Some(path) = self.callee(node) else {
            key.key = self.key_evidence(node);
            return key;
        };
        let Some(argument) = self.arguments(node).first().copied() else { return key };
        let constructor = path.rsplit("::").next().unwrap_or("");
        let kind = |kind| Key { kind, public: path.contains("DecodingKey") };
        let mut segments = path.rsplit("::");
        if let (Some(function), Some(type_)) = (segments.next(), segments.next()) {
            key.spelled = format!("{type_}::{function}");
        }
        match constructor {
            "from_secret" | "from_base64_secret" => {
                key.literals = self.secret_literal_ranges(argument);
                key.key = Key { kind: KeyKind::Secret, public: false };
                if self.key_evidence(self.strip(argument)).public {
                    key.public_as_secret.push(argument.byte_range());
                }
                // A base64 secret's bytes are not the literal's own.
                key.source =
                    if constructor == "from_secret" { self.key_source(argument, 0) } else { KeySource::Unknown };
            }
            "from_rsa_pem" | "from_rsa_der" | "from_rsa_components" | "from_rsa_raw_components" => {
                key.key = kind(KeyKind::Rsa);
                key.source = self.key_source(argument, 0);
            }
            "from_ec_pem" | "from_ec_der" | "from_ec_components" => {
                key.key = kind(KeyKind::Ec);
                key.source = self.key_source(argument, 0);
            }
            "from_ed_pem" | "from_ed_der" | "from_ed_components" => {
                key.key = kind(KeyKind::Ed);
                key.source = self.key_source(argument, 0);
            }
            "from_jwk" => key.pins_algorithm = true,
            _ => key.key = self.key_evidence(node),
        }
        key
    }

    /// An algorithm expression's name: `Algorithm::RS256`, `"RS256".parse()`.
    fn algorithm_name(&self, text: &str) -> Option<String> {
        let name = text.trim().rsplit("::").next()?.trim();
        (Family::of(name) != Family::Other).then(|| name.to_string())
    }

    /// How a fix names an algorithm: `Algorithm::RS256` where `Algorithm` is imported, else by
    /// its full path.
    fn render_algorithm(&self) -> Box<dyn Fn(&str) -> String> {
        let imported = self.imports.get("Algorithm").is_some_and(|path| path == "jsonwebtoken::Algorithm")
            || self.globs.contains(&JSONWEBTOKEN);
        let prefix = if imported { "Algorithm::" } else { "jsonwebtoken::Algorithm::" };
        Box::new(move |algorithm: &str| format!("{prefix}{algorithm}"))
    }

    /// A literal allow-list: `vec![Algorithm::HS256, …]`, `&[…]`, `[…]`, or a `let` holding one.
    fn allow_list(&self, node: Node<'t>, depth: usize) -> Algorithms {
        if depth > MAX_DEPTH {
            return Algorithms::Unknown;
        }
        let node = self.strip(node);
        let render = self.render_algorithm();
        // (range, text) per element.
        let items: Vec<(Range<usize>, String)> = match node.kind() {
            "array_expression" => {
                elements(node).iter().map(|element| (element.byte_range(), self.text(*element).to_string())).collect()
            }
            "macro_invocation" if node.field("macro").is_some_and(|name| self.text(name) == "vec") => {
                let Some(tree) = elements(node).into_iter().find(|child| child.kind() == "token_tree") else {
                    return Algorithms::Unknown;
                };
                self.token_groups(tree)
            }
            "identifier" => {
                return match self.definition_value(node) {
                    Some(value) => self.allow_list(value, depth + 1),
                    None => Algorithms::Unknown,
                };
            }
            _ => return Algorithms::Unknown,
        };
        let algorithms = items
            .iter()
            .enumerate()
            .map(|(index, (range, text))| AlgItem {
                name: self.algorithm_name(text),
                text: text.clone(),
                range: range.clone(),
                removal: match (items.get(index + 1), index.checked_sub(1).and_then(|previous| items.get(previous))) {
                    (Some((next, _)), _) => range.start..next.start,
                    (None, Some((previous, _))) => previous.end..range.end,
                    (None, None) => range.clone(),
                },
                from_token: text.ends_with(".alg") && text.to_ascii_lowercase().contains("header"),
            })
            .collect();
        Algorithms::Listed(AllowList { items: algorithms, render })
    }

    /// The comma-separated groups of a macro's token tree, with their ranges.
    fn token_groups(&self, tree: Node<'t>) -> Vec<(Range<usize>, String)> {
        let mut groups = Vec::new();
        let mut current: Option<Range<usize>> = None;
        let mut cursor = tree.walk();
        let children: Vec<Node<'t>> = tree.children(&mut cursor).collect();
        let inner = children.get(1..children.len().saturating_sub(1)).unwrap_or_default();
        for child in inner {
            if child.kind() == "," {
                groups.extend(current.take());
                continue;
            }
            current = Some(match current {
                Some(range) => range.start..child.end_byte(),
                None => child.byte_range(),
            });
        }
        groups.extend(current);
        groups.into_iter().map(|range| (range.clone(), self.file.src[range].to_string())).collect()
    }

    /// A single algorithm (`Validation::new(alg)`) as an allow-list.
    fn single_algorithm(&self, node: Node<'t>) -> Algorithms {
        let render = self.render_algorithm();
        let item = AlgItem {
            name: self.algorithm_name(self.text(node)),
            text: self.text(node).to_string(),
            range: node.byte_range(),
            removal: node.byte_range(),
            from_token: self.is_token_alg(node, 0),
        };
        Algorithms::Listed(AllowList { items: vec![item], render })
    }

    /// A local that holds options (a `Validation`, jwt-simple's `VerificationOptions`): its value
    /// read by `read`, then the statements that configure it between its definition and `node`
    /// applied by `apply`. Lent out as `&mut` in that span, it is configured where this file
    /// cannot see: incomplete.
    fn configured_local(
        &self,
        node: Node<'t>,
        options: &mut model::Options,
        depth: usize,
        read: fn(&Self, Node<'t>, &mut model::Options, usize),
        apply: impl Fn(&Self, Configured<'s, 't>, &mut model::Options),
    ) {
        let name = self.text(node);
        let Some(definition) = self.file.scopes.lookup(name, node.start_byte()) else {
            options.complete = false;
            return;
        };
        let scope = definition.scope.clone();
        let Some(value) = definition.value else {
            options.complete = false;
            return;
        };
        read(self, value, options, depth + 1);
        let in_scope = |at: usize| scope.start <= at && at <= node.start_byte();
        if self.lent.get(name).is_some_and(|positions| positions.iter().any(|at| in_scope(*at))) {
            options.complete = false;
        }
        for configured in self.configured.get(name).into_iter().flatten() {
            if in_scope(configured.statement.start_byte()) {
                apply(self, *configured, options);
            }
        }
    }

    /// The options a `Validation` expression holds.
    fn validation(&self, node: Node<'t>, options: &mut model::Options, depth: usize) {
        if depth > MAX_DEPTH {
            options.complete = false;
            return;
        }
        let node = self.strip(node);
        match node.kind() {
            "identifier" => self.configured_local(node, options, depth, Self::validation, Self::configure),
            "call_expression" => match self.callee(node).as_deref() {
                Some("jsonwebtoken::Validation::new") => {
                    options.algorithms = self
                        .arguments(node)
                        .first()
                        .map_or(Algorithms::Unknown, |algorithm| self.single_algorithm(*algorithm));
                }
                // HS256 only; the key must be an HMAC secret or `decode` fails.
                Some("jsonwebtoken::Validation::default") => {}
                _ => options.complete = false,
            },
            "struct_expression" => {
                let is_validation = node
                    .field("name")
                    .and_then(|name| self.path_of(name))
                    .is_some_and(|path| path == "jsonwebtoken::Validation");
                if !is_validation {
                    options.complete = false;
                    return;
                }
                let items = node.field("body").map(elements).unwrap_or_default();
                for item in &items {
                    match item.kind() {
                        "base_field_initializer" => match item.named_child(0) {
                            Some(base) if self.text(base).ends_with("default()") => {}
                            Some(base) => self.validation(base, options, depth + 1),
                            None => options.complete = false,
                        },
                        "field_initializer" => {
                            let (Some(field), Some(value)) = (item.field("field"), item.field("value")) else {
                                continue;
                            };
                            let removal = syntax::removal_range(
                                &items,
                                items.iter().position(|other| other.id() == item.id()).unwrap_or(0),
                            );
                            self.configure(
                                Configured {
                                    member: self.text(field),
                                    node: value,
                                    statement: *item,
                                    assignment: true,
                                },
                                options,
                            );
                            if let Some(switch) = options.switches.last_mut()
                                && switch.range == item.byte_range()
                            {
                                switch.removal = Some(removal);
                            }
                        }
                        _ => options.complete = false,
                    }
                }
            }
            _ => options.complete = false,
        }
    }

    /// One configuring statement (or struct field) of a `Validation`.
    fn configure(&self, configured: Configured<'s, 't>, options: &mut model::Options) {
        let Configured { member, node, statement, assignment } = configured;
        let first = if assignment { Some(node) } else { self.arguments(node).first().copied() };
        let is_false = first.is_some_and(|value| self.text(value) == "false");
        let assigns = if statement.kind() == "field_initializer" { ": " } else { " = " };
        let switch = |check: Check, spelled: String| Switch {
            check,
            spelled,
            range: statement.byte_range(),
            removal: (statement.kind() == "expression_statement")
                .then(|| syntax::statement_removal(self.file.src, statement)),
        };
        match member {
            "leeway" => {
                if let Some(value) = first
                    && let Some(seconds) = self.number(value, 0)
                {
                    options.leeway = Some((seconds, value.byte_range(), "leeway".into()));
                }
            }
            "validate_exp" if is_false => {
                options.switches.push(switch(Check::Expiry, format!("validate_exp{assigns}false")))
            }
            "validate_aud" if is_false => {
                options.switches.push(switch(Check::Audience, format!("validate_aud{assigns}false")))
            }
            "insecure_disable_signature_validation" => {
                options.switches.push(switch(Check::Signature, "insecure_disable_signature_validation()".into()))
            }
            "algorithms" => options.algorithms = first.map_or(Algorithms::Unknown, |list| self.allow_list(list, 0)),
            "set_audience" | "aud" => {
                options.audience = Given::Yes;
                options.audiences.extend(first.map(|list| self.string_list(list)).unwrap_or_default());
            }
            "set_issuer" | "set_iss" | "iss" => {
                options.issuer = Given::Yes;
                options.issuers.extend(first.map(|list| self.string_list(list)).unwrap_or_default());
            }
            _ => {}
        }
    }

    /// The string literals of `&["a", "b"]`.
    fn string_list(&self, node: Node<'t>) -> Vec<String> {
        let node = self.strip(node);
        match node.kind() {
            "array_expression" => elements(node).iter().filter_map(|item| self.string_value(*item, 0)).collect(),
            _ => self.string_value(node, 0).into_iter().collect(),
        }
    }

    // ---- the model ----

    fn site(&self, library: &str, path: &str, range: Range<usize>, scope: Range<usize>) -> Option<CallSite> {
        evaluate::site(Ecosystem::Rust, library, path, None, range, scope)
    }

    fn token(&self, node: Node<'t>) -> TokenArg {
        let inner = match node.kind() {
            "reference_expression" => node.field("value").unwrap_or(node),
            _ => node,
        };
        TokenArg {
            expr: Expr {
                range: inner.byte_range(),
                text: syntax::normalized(self.text(inner)),
                value: self.string_value(inner, 0).map_or(Value::Unknown, Value::Str),
            },
            raw_authorization: self.is_raw_authorization(inner, 0),
        }
    }

    fn model(&self) -> Model {
        let mut model = Model::default();
        for (call, scope) in &self.calls {
            let Some(path) = self.callee(*call) else {
                model.calls.extend(self.jwt_simple_verify(*call, scope.clone()));
                continue;
            };
            let Some((_, library, row)) = FUNCTIONS.iter().find(|(full, _, _)| *full == path) else { continue };
            let Some(function) = call.field("function") else { continue };
            let range = match function.kind() {
                "generic_function" => function.field("function").unwrap_or(function).byte_range(),
                _ => function.byte_range(),
            };
            let Some(mut site) = self.site(library, row, range, scope.clone()) else { continue };
            let arguments = self.arguments(*call);
            match *row {
                "decode" => {
                    site.token = arguments.first().map(|token| self.token(*token));
                    site.key = arguments.get(1).map(|key| self.key_arg("key", *key, 0));
                    match arguments.get(2) {
                        Some(validation) => self.validation(*validation, &mut site.options, 0),
                        None => site.options = model::Options::unknown(),
                    }
                }
                "encode" => site.key = arguments.get(2).map(|key| self.key_arg("key", *key, 0)),
                "jwt::encode_unsecured" => {}
                _ => site.token = arguments.first().map(|token| self.token(*token)),
            }
            model.calls.push(site);
        }
        model
    }
}

impl<'s, 't> Analyzer<'s, 't> {
    /// jwt-simple `key.verify_token::<C>(&token, options)` on a key built in the same file.
    fn jwt_simple_verify(&self, call: Node<'t>, scope: Range<usize>) -> Option<CallSite> {
        let (receiver, method) = self.method_of(call)?;
        if method != "verify_token" {
            return None;
        }
        let key = self.jwt_simple_key(receiver, 0)?;
        let function = call.field("function")?;
        let name = match function.kind() {
            "generic_function" => function.field("function")?,
            _ => function,
        };
        let mut site = self.site(JWT_SIMPLE_ROW, "verify_token", name.field("field")?.byte_range(), scope)?;
        let arguments = self.arguments(call);
        site.token = arguments.first().map(|token| self.token(*token));
        site.key = Some(key);
        match arguments.get(1).map(|options| self.strip(*options)) {
            Some(options) if self.text(options) == "None" => {}
            Some(options) if options.kind() == "call_expression" && self.text(options.field("function")?) == "Some" => {
                let inner = *self.arguments(options).first()?;
                self.verification_options(inner, &mut site.options, 0);
            }
            _ => site.options = model::Options::unknown(),
        }
        Some(site)
    }

    /// A jwt-simple key: `HS256Key::from_bytes(b"…")`, `RS256PublicKey::from_pem(pem)`, or a
    /// local holding one.
    fn jwt_simple_key(&self, node: Node<'t>, depth: usize) -> Option<KeyArg> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.strip(node);
        if node.kind() == "identifier" {
            return self.jwt_simple_key(self.definition_value(node)?, depth + 1);
        }
        let path = self.callee(node)?;
        if !path.starts_with(JWT_SIMPLE) {
            return None;
        }
        let mut segments = path.rsplit("::");
        let (constructor, type_) = (segments.next()?, segments.next()?);
        let (_, kind) =
            JWT_SIMPLE_KEYS.iter().find(|(prefix, _)| type_.starts_with(prefix) && type_.ends_with("Key"))?;
        let argument = *self.arguments(node).first()?;
        let mut key = KeyArg::unknown(&format!("{type_}::{constructor}"));
        if *kind == KeyKind::Secret {
            key.literals = self.secret_literal_ranges(argument);
            key.key = Key { kind: KeyKind::Secret, public: false };
            if self.key_evidence(self.strip(argument)).public {
                key.public_as_secret.push(argument.byte_range());
            }
        } else {
            key.key = Key { kind: *kind, public: type_.contains("Public") };
        }
        key.source = self.key_source(argument, 0);
        Some(key)
    }

    /// `VerificationOptions { … }`, `VerificationOptions::default()` and the statements that set
    /// its fields.
    fn verification_options(&self, node: Node<'t>, options: &mut model::Options, depth: usize) {
        if depth > MAX_DEPTH {
            options.complete = false;
            return;
        }
        let node = self.strip(node);
        match node.kind() {
            "identifier" => {
                let set_field = |this: &Self, configured: Configured<'s, 't>, options: &mut model::Options| {
                    if configured.assignment {
                        this.verification_field(configured.member, configured.node, options);
                    }
                };
                self.configured_local(node, options, depth, Self::verification_options, set_field);
            }
            "call_expression" if self.text(node).ends_with("default()") => {}
            "struct_expression" => {
                for item in node.field("body").map(elements).unwrap_or_default() {
                    match item.kind() {
                        "field_initializer" => {
                            if let (Some(field), Some(value)) = (item.field("field"), item.field("value")) {
                                self.verification_field(self.text(field), value, options);
                            }
                        }
                        "base_field_initializer" if self.text(item).ends_with("default()") => {}
                        _ => options.complete = false,
                    }
                }
            }
            _ => options.complete = false,
        }
    }

    /// One field of jwt-simple's `VerificationOptions`.
    fn verification_field(&self, member: &str, value: Node<'t>, options: &mut model::Options) {
        match member {
            "allowed_issuers" => {
                options.issuer = Given::Yes;
                options.issuers.extend(self.strings_in(value));
            }
            "allowed_audiences" => {
                options.audience = Given::Yes;
                options.audiences.extend(self.strings_in(value));
            }
            "time_tolerance" => {
                let value = self.strip(value);
                let duration = match self.text(value).starts_with("Some(") {
                    true => self.arguments(value).first().copied(),
                    false => Some(value),
                };
                if let Some(duration) = duration
                    && let Some(seconds) = self.duration_seconds(duration)
                {
                    options.leeway = Some((seconds, duration.byte_range(), "time_tolerance".into()));
                }
            }
            _ => {}
        }
    }

    /// jwt-simple's `Duration::from_secs(n)` / `from_mins` / `from_hours` / `from_days`, in seconds.
    fn duration_seconds(&self, node: Node<'t>) -> Option<f64> {
        let node = self.strip(node);
        let function = self.text(node.field("function")?);
        let factor = [("from_secs", 1.0), ("from_mins", 60.0), ("from_hours", 3600.0), ("from_days", 86_400.0)]
            .iter()
            .find(|(name, _)| function.ends_with(name))?
            .1;
        Some(self.number(*self.arguments(node).first()?, 0)? * factor)
    }

    /// The string literals anywhere inside an expression (`HashSet::from_strings(&["a"])`).
    fn strings_in(&self, node: Node<'t>) -> Vec<String> {
        let mut out = Vec::new();
        syntax::walk(node, |inner| out.extend(self.string_literal(inner)));
        out
    }
}

const JWT_SIMPLE_ROW: &str = "jwt-simple";

impl<'s, 't> Collect<'s, 't> for Analyzer<'s, 't> {
    fn collect(&mut self, node: Node<'t>, scope: Range<usize>) {
        match node.kind() {
            "use_declaration" => {
                if let Some(argument) = node.field("argument") {
                    self.collect_use(argument, "", 0);
                }
            }
            "let_declaration" => {
                if let Some(pattern) = node.field("pattern").filter(|pattern| pattern.kind() == "identifier") {
                    self.file.scopes.define(
                        self.text(pattern),
                        scope,
                        pattern.start_byte(),
                        node.field("value"),
                        false,
                    );
                }
            }
            "const_item" | "static_item" => {
                if let Some(name) = node.field("name") {
                    self.file.scopes.define(self.text(name), scope, name.start_byte(), node.field("value"), false);
                }
            }
            "parameter" => {
                if let Some(pattern) = node.field("pattern").filter(|pattern| pattern.kind() == "identifier") {
                    self.file.scopes.define(self.text(pattern), scope, pattern.start_byte(), None, false);
                }
            }
            "expression_statement" => {
                let Some(expression) = node.named_child(0) else { return };
                let (target, member, value, assignment) = match expression.kind() {
                    "assignment_expression" => {
                        let Some(left) = expression.field("left") else { return };
                        if left.kind() == "identifier" {
                            self.file.scopes.reassign(self.text(left), left.start_byte());
                            return;
                        }
                        let (Some(object), Some(field), Some(right)) =
                            (left.field("value"), left.field("field"), expression.field("right"))
                        else {
                            return;
                        };
                        (object, field, right, true)
                    }
                    "call_expression" => {
                        let Some((receiver, _)) = self.method_of(expression) else { return };
                        let Some(field) = expression.field("function").and_then(|function| function.field("field"))
                        else {
                            return;
                        };
                        (receiver, field, expression, false)
                    }
                    _ => return,
                };
                if target.kind() == "identifier" {
                    let entry = Configured { member: self.text(member), node: value, statement: node, assignment };
                    self.configured.entry(self.text(target)).or_default().push(entry);
                }
            }
            "reference_expression" => {
                let mutable = elements(node).iter().any(|child| child.kind() == "mutable_specifier")
                    || self.text(node).starts_with("&mut");
                if let Some(value) = node.field("value").filter(|value| mutable && value.kind() == "identifier") {
                    self.lent.entry(self.text(value)).or_default().push(node.start_byte());
                }
            }
            "call_expression" => self.calls.push((node, scope)),
            _ => {}
        }
    }

    const WALK: Walk = Walk {
        functions: FUNCTION_KINDS,
        collected: &[
            "use_declaration",
            "let_declaration",
            "const_item",
            "static_item",
            "parameter",
            "expression_statement",
            "reference_expression",
            "call_expression",
        ],
        opaque: &["string_literal", "raw_string_literal", "line_comment", "block_comment"],
    };
}

impl<'s, 't> Evaluator<'s, 't> for Analyzer<'s, 't> {
    const KINDS: Kinds = Kinds { numbers: &["integer_literal", "float_literal"], ..Kinds::COMMON };

    fn number_digits<'a>(&self, literal: &'a str) -> &'a str {
        let digits = literal.trim_end_matches(|ch: char| ch.is_ascii_alphabetic() && ch != 'x' && ch != 'X');
        ["u8", "u16", "u32", "u64", "u128", "usize", "i32", "i64", "f64", "f32"]
            .iter()
            .find_map(|suffix| literal.strip_suffix(suffix))
            .unwrap_or(digits)
    }

    /// Through `&x`, `x?`, `x.unwrap()`; `Duration::from_secs(n).as_secs()`,
    /// `Duration::from_mins(n).as_secs()` in seconds.
    fn number_step(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        let stripped = self.strip(node);
        if stripped != node {
            return self.number(stripped, depth + 1);
        }
        if node.kind() != "call_expression" {
            return None;
        }
        let (receiver, method) = self.method_of(node)?;
        let inner = self.strip(receiver);
        if method != "as_secs" || inner.kind() != "call_expression" {
            return None;
        }
        let constructor = self.text(inner.field("function")?);
        let factor = [("from_secs", 1.0), ("from_mins", 60.0), ("from_hours", 3600.0), ("from_days", 86_400.0)]
            .iter()
            .find(|(name, _)| constructor.ends_with(name))?
            .1;
        Some(self.number(*self.arguments(inner).first()?, depth + 1)? * factor)
    }

    fn file(&self) -> &SourceFile<'s, 't> {
        &self.file
    }

    /// `"…"`, `b"…"`, `r#"…"#`, `br"…"` (escapes kept as written).
    fn string_literal(&self, node: Node<'_>) -> Option<String> {
        if !matches!(node.kind(), "string_literal" | "raw_string_literal") {
            return None;
        }
        syntax::joined_parts(node, self.file.src, |kind| match kind {
            "string_content" | "escape_sequence" => Some(true),
            _ => None,
        })
    }

    /// `&x`: the referenced value.
    fn string_step(&self, node: Node<'t>, _depth: usize) -> Option<Node<'t>> {
        (node.kind() == "reference_expression").then(|| node.field("value")).flatten()
    }

    /// `header.alg` where `header` is a `decode_header(…)` result (or named like a header).
    fn reads_token_alg(&self, node: Node<'t>, depth: usize) -> bool {
        let stripped = self.strip(node);
        if stripped != node {
            return self.is_token_alg(stripped, depth + 1);
        }
        match node.kind() {
            "field_expression" if node.field("field").is_some_and(|field| self.text(field) == "alg") => {
                let Some(value) = node.field("value").map(|value| self.strip(value)) else { return false };
                if self.text(value).to_ascii_lowercase().contains("header") {
                    return true;
                }
                let value = match value.kind() {
                    "identifier" => self.definition_value(value).map(|value| self.strip(value)),
                    _ => Some(value),
                };
                value.and_then(|value| self.callee(value)).is_some_and(|path| path.ends_with("decode_header"))
            }
            _ => false,
        }
    }

    fn secret_parts(&self, node: Node<'t>, _depth: usize) -> Vec<Node<'t>> {
        match node.kind() {
            "reference_expression" => node.field("value").into_iter().collect(),
            "parenthesized_expression" | "try_expression" => node.named_child(0).into_iter().collect(),
            "if_expression" => {
                let branches =
                    [node.field("consequence"), node.field("alternative").and_then(|other| other.named_child(0))];
                branches.into_iter().flatten().filter_map(|block| block_value(block)).collect()
            }
            _ => self.conversion_operand(node).into_iter().collect(),
        }
    }

    /// `headers.get("Authorization")` / `get(AUTHORIZATION)` / `get(header::AUTHORIZATION)`.
    fn reads_authorization(&self, node: Node<'t>) -> bool {
        let node = self.strip(node);
        let Some((_, method)) = self.method_of(node) else { return false };
        if method != "get" {
            return false;
        }
        let Some(first) = self.arguments(node).first().copied() else { return false };
        match self.string_literal(first) {
            Some(name) => evaluate::is_authorization_name(&name),
            None => self.text(first).ends_with("AUTHORIZATION"),
        }
    }

    /// A literal, `std::env::var("X")`, `fs::read("p")` / `read_to_string("p")`,
    /// `include_bytes!("p")` / `include_str!("p")` (relative to the source file).
    fn key_source_of(&self, node: Node<'t>, depth: usize) -> KeySource {
        let node = self.strip(node);
        if self.string_literal(node).is_some() {
            return KeySource::Literal;
        }
        if let Some(inner) = self.conversion_operand(node) {
            return self.key_source(inner, depth + 1);
        }
        let unknown = KeySource::Unknown;
        match node.kind() {
            "identifier" => self.key_source(node, depth + 1),
            "macro_invocation" => {
                let name = node.field("macro").map(|name| self.text(name)).unwrap_or("");
                if !matches!(name, "include_bytes" | "include_str") {
                    return unknown;
                }
                let literal = elements(node)
                    .into_iter()
                    .find(|child| child.kind() == "token_tree")
                    .and_then(|tree| elements(tree).into_iter().find(|child| child.kind() == "string_literal"))
                    .and_then(|literal| self.string_literal(literal));
                literal.map_or(unknown, |path| KeySource::File { path, base: PathBase::SourceFile })
            }
            "call_expression" => {
                let function = node.field("function").map(|function| self.text(function)).unwrap_or("");
                let first = self.arguments(node).first().and_then(|argument| self.string_value(*argument, depth + 1));
                match function.rsplit("::").next().unwrap_or("") {
                    "var" if function.contains("env") => first.map_or(unknown, KeySource::Env),
                    "read" | "read_to_string" if function.contains("fs") => {
                        first.map_or(unknown, |path| KeySource::File { path, base: PathBase::WorkingFolder })
                    }
                    _ => unknown,
                }
            }
            _ => unknown,
        }
    }
}

/// The value of a block: its last expression (`{ "a" }` → `"a"`).
fn block_value(block: Node<'_>) -> Option<Node<'_>> {
    let last = elements(block).into_iter().last()?;
    (last.kind() != "expression_statement" && !last.kind().ends_with("declaration")).then_some(last)
}

/// Fixes in Rust: the `Bearer ` scheme removed with `trim_start_matches`.
struct RustDialect<'s> {
    src: &'s str,
}

impl Dialect for RustDialect<'_> {
    fn strip_bearer(&self, token: &Expr) -> Vec<TextEdit> {
        evaluate::rewrite_token(self.src, token, |original| {
            let receiver = evaluate::receiver(original, |ch| {
                ch.is_alphanumeric() || matches!(ch, '_' | '.' | '(' | ')' | '"' | '?' | ':')
            });
            format!("{receiver}.trim_start_matches(\"Bearer \")")
        })
    }

    /// jsonwebtoken's `Validation` always carries algorithms; nothing to add.
    fn add_allow_list(&self, _anchor: &Anchor, _option: &str, _algorithm: &str) -> Option<Vec<TextEdit>> {
        None
    }
}

#[cfg(test)]
#[path = "rust_model_tests.rs"]
mod model_tests;
