//! Python front end: turns PyJWT (`import jwt`, `from jwt import decode`, `PyJWT()`,
//! `api_jwt`, `PyJWKClient`), python-jose (`from jose import jwt`, `jws`), Authlib
//! (`authlib.jose`: the default `jwt` instance and `JsonWebToken([...])`), jwcrypto
//! (`jwt.JWT(jwt=…, key=…)`, `deserialize`), Flask-JWT-Extended `JWT_…` settings and Simple JWT's
//! `SIMPLE_JWT` into call sites (`model`), and writes fixes in Python (`PythonDialect`); the
//! engine judges. Names are followed through `import … as`, `from … import … as`, plain
//! re-assignment and tuple unpacking; options dicts through literals, `dict(...)`, same-file
//! constants and `opts["key"] = …` statements.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::Sink;
use super::evaluate::{
    self, Collect, Entry, Evaluator, Kinds, Mapping, MappingKinds, SourceFile, Walk, is_authorization_name,
};
use super::knowledge::{Key, classify_key};
use super::library::{Ecosystem, Function};
use super::model::{
    Algorithms, Anchor, CallSite, Check, Dialect, Expr, Given, KeyArg, KeySource, Model, Operation, Options, PathBase,
    Switch, Use, Value,
};
use super::syntax::{self, Field, MAX_DEPTH, elements, removal_range, text};
use crate::finding::TextEdit;

/// Modules whose imports are tracked (prefixes of dotted paths).
fn is_tracked_module(module: &str) -> bool {
    let root = module.split('.').next().unwrap_or("");
    matches!(root, "jwt" | "jose" | "jwcrypto")
        || module == "authlib.jose"
        || module.starts_with("authlib.jose.")
        || module == "authlib"
}

/// The path a `jwcrypto.jwt.JWT()` instance resolves to (for its `deserialize`).
const JWCRYPTO_INSTANCE: &str = "jwcrypto.JWT";

/// The path an `authlib.jose.JsonWebToken([...])` instance resolves to: it has an explicit
/// algorithm list, unlike the module-level default `authlib.jose.jwt`.
const AUTHLIB_INSTANCE: &str = "authlib.instance";

/// Call arguments split into positional and keyword ones.
struct Arguments<'t> {
    list: Option<Node<'t>>,
    positional: Vec<Node<'t>>,
    keywords: Vec<(String, Node<'t>, Node<'t>)>,
    /// `*args` / `**kwargs`: anything may be passed, so "missing" cannot be claimed.
    splat: bool,
}

impl<'t> Arguments<'t> {
    fn get(&self, position: usize, name: &str) -> Option<Node<'t>> {
        self.keyword(name).or_else(|| self.positional.get(position).copied())
    }

    fn keyword(&self, name: &str) -> Option<Node<'t>> {
        self.keywords.iter().find(|(keyword, _, _)| keyword == name).map(|(_, _, value)| *value)
    }

    fn keyword_node(&self, name: &str) -> Option<Node<'t>> {
        self.keywords.iter().find(|(keyword, _, _)| keyword == name).map(|(_, node, _)| *node)
    }

    /// Where a fix appends a keyword argument.
    fn append_at(&self) -> Option<usize> {
        let list = self.list?;
        let last = elements(list).last().copied()?;
        Some(last.end_byte())
    }
}

pub(super) fn analyze(source: &str, tree: &Tree, options: &super::Options, sink: &mut Sink) {
    evaluate::judge(&model(source, tree, options), &PythonDialect { src: source }, options, sink);
}

/// The call sites and settings of one Python source.
pub(super) fn model(source: &str, tree: &Tree, options: &super::Options) -> Model {
    let mut analyzer = Analyzer {
        file: SourceFile::new(source, tree),
        bindings: HashMap::new(),
        calls: Vec::new(),
        flask_settings: Vec::new(),
        simple_jwt: Vec::new(),
        authlib_import: None,
        statement: None,
        pyjwt_1: options
            .context
            .dependencies
            .and_then(|deps| deps.resolve(crate::deps::Ecosystem::PyPI, "PyJWT"))
            .is_some_and(|resolved| resolved.version.major() <= 1),
    };
    analyzer.collect_file();
    if options.conventional_names && analyzer.bindings.is_empty() {
        analyzer.bindings.insert("jwt".into(), "jwt".into());
        analyzer.bindings.insert("jose".into(), "jose".into());
    }
    analyzer.model()
}

struct Analyzer<'s, 't> {
    file: SourceFile<'s, 't>,
    /// Local name → canonical dotted path (`pyjwt` → `jwt`, `decode` → `jose.jwt.decode`).
    bindings: HashMap<String, String>,
    /// Every call, with its enclosing function (the call site's scope).
    calls: Vec<(Node<'t>, Range<usize>)>,
    /// Flask-JWT-Extended settings: (key, value) from `app.config[...] = …`, `update(...)` and
    /// module/class constants.
    flask_settings: Vec<(String, Node<'t>)>,
    /// Values assigned to Django's `SIMPLE_JWT` setting (djangorestframework-simplejwt).
    simple_jwt: Vec<Node<'t>>,
    /// `from authlib.jose import jwt`, where a fix adds the `JsonWebToken` import.
    authlib_import: Option<Node<'t>>,
    /// During collection: the expression statement around the next assignment, if any.
    statement: Option<(usize, Node<'t>)>,
    /// The service runs PyJWT 1.x, whose `decode(jwt, key, verify, algorithms, options)` reads
    /// the third positional argument as `verify` (PyJWT 2: `algorithms`).
    pyjwt_1: bool,
}

impl<'s, 't> Analyzer<'s, 't> {
    // ---- pass 1 ----

    fn collect_parameters(&mut self, parameters: Node<'t>, scope: Range<usize>) {
        for parameter in elements(parameters) {
            let (name, value) = match parameter.kind() {
                "identifier" => (Some(parameter), None),
                "default_parameter" | "typed_default_parameter" => (parameter.field("name"), parameter.field("value")),
                "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                    (parameter.named_child(0).filter(|name| name.kind() == "identifier"), None)
                }
                _ => (None, None),
            };
            let Some(name) = name.filter(|name| name.kind() == "identifier") else { continue };
            // FastAPI `authorization: str = Header(...)` is the raw header: keep the default so
            // the bearer check can see it. Other defaults are only defaults.
            let value =
                value.filter(|value| value.kind() == "call" && self.text(name).eq_ignore_ascii_case("authorization"));
            self.file.scopes.define(self.text(name), scope.clone(), name.start_byte(), value, false);
        }
    }

    fn define_targets(&mut self, target: Node<'t>, scope: Range<usize>) {
        let mut names = Vec::new();
        target_names(target, 0, &mut names);
        for name in names {
            self.file.scopes.define(self.text(name), scope.clone(), name.start_byte(), None, false);
        }
    }

    fn bind(&mut self, local: Node<'t>, path: String) {
        let name = self.text(local).to_string();
        self.file.scopes.define(&name, self.file.enclosing(), local.start_byte(), None, true);
        self.bindings.insert(name, path);
    }

    fn collect_import(&mut self, node: Node<'t>) {
        let mut cursor = node.walk();
        let names: Vec<Node<'t>> = node.children_by_field_name("name", &mut cursor).collect();
        for name in names {
            match name.kind() {
                // `import jose.jwt` binds `jose`.
                "dotted_name" => {
                    let module = self.text(name).to_string();
                    if is_tracked_module(&module)
                        && let Some(first) = name.named_child(0)
                    {
                        self.bind(first, self.text(first).to_string());
                    }
                }
                "aliased_import" => {
                    let (Some(module), Some(alias)) = (name.field("name"), name.field("alias")) else { continue };
                    let module = self.text(module).to_string();
                    if is_tracked_module(&module) {
                        self.bind(alias, module);
                    }
                }
                _ => {}
            }
        }
    }

    fn collect_from_import(&mut self, node: Node<'t>) {
        let Some(module) = node.field("module_name").filter(|module| module.kind() == "dotted_name") else { return };
        let module = self.text(module).to_string();
        if !is_tracked_module(&module) {
            return;
        }
        if module == "authlib.jose" {
            self.authlib_import = Some(node);
        }
        let mut cursor = node.walk();
        let names: Vec<Node<'t>> = node.children_by_field_name("name", &mut cursor).collect();
        for name in names {
            let (imported, local) = match name.kind() {
                "dotted_name" => (name, name),
                "aliased_import" => match (name.field("name"), name.field("alias")) {
                    (Some(imported), Some(alias)) => (imported, alias),
                    _ => continue,
                },
                _ => continue,
            };
            self.bind(local, format!("{module}.{}", self.text(imported)));
        }
    }

    fn collect_assignment(&mut self, node: Node<'t>) {
        let Some(left) = node.field("left") else { return };
        let right = node.field("right");
        let scope = self.file.enclosing();
        match left.kind() {
            "identifier" => {
                let name = self.text(left).to_string();
                let path = right.and_then(|right| self.resolve(right, 0));
                let binding = match path.as_deref() {
                    // `jwt = JsonWebToken(["RS256"])` makes an instance with its own list.
                    _ if right.is_some_and(|right| right.kind() == "call") => path.filter(|path| {
                        [AUTHLIB_INSTANCE, JWCRYPTO_INSTANCE, "jwt.PyJWT", "jwt.PyJWKClient"].contains(&path.as_str())
                    }),
                    Some(path) if right.is_some_and(|right| matches!(right.kind(), "identifier" | "attribute")) => {
                        Some(path.to_string())
                    }
                    _ => None,
                };
                self.file.scopes.define(&name, scope, left.start_byte(), right, binding.is_some());
                if let Some(binding) = binding {
                    self.bindings.insert(name.clone(), binding);
                }
                if name.starts_with("JWT_")
                    && let Some(right) = right
                {
                    self.flask_settings.push((name, right));
                } else if name == "SIMPLE_JWT"
                    && let Some(right) = right
                {
                    self.simple_jwt.push(right);
                }
            }
            "subscript" => {
                let (Some(object), Some(key)) = (left.field("value"), left.field("subscript")) else { return };
                let Some(key) = self.string_literal(key) else {
                    if object.kind() == "identifier" {
                        self.file.scopes.mutate(self.text(object), left.start_byte());
                    }
                    return;
                };
                let Some(right) = right else { return };
                if object.kind() == "identifier" {
                    let statement =
                        self.statement.filter(|(id, _)| *id == node.id()).map_or(node, |(_, statement)| statement);
                    self.file.scopes.property(self.text(object), key.clone(), right, statement);
                }
                if key.starts_with("JWT_") && self.text(object).ends_with("config") {
                    self.flask_settings.push((key, right));
                }
            }
            _ => self.define_unpacked(left, right, scope),
        }
    }

    /// `a, b = x, y` defines each name with its value; other targets define names without one.
    fn define_unpacked(&mut self, left: Node<'t>, right: Option<Node<'t>>, scope: Range<usize>) {
        const SEQUENCES: &[&str] =
            &["pattern_list", "tuple_pattern", "list_pattern", "expression_list", "tuple", "list"];
        let is_splat = |node: &Node<'t>| matches!(node.kind(), "list_splat_pattern" | "list_splat");
        if let Some(right) = right.filter(|right| SEQUENCES.contains(&left.kind()) && SEQUENCES.contains(&right.kind()))
        {
            let (targets, values) = (elements(left), elements(right));
            if targets.len() == values.len() && !targets.iter().chain(&values).any(is_splat) {
                for (target, value) in targets.into_iter().zip(values) {
                    if target.kind() == "identifier" {
                        self.file.scopes.define(
                            self.text(target),
                            scope.clone(),
                            target.start_byte(),
                            Some(value),
                            false,
                        );
                    } else {
                        self.define_targets(target, scope.clone());
                    }
                }
                return;
            }
        }
        self.define_targets(left, scope);
    }

    /// `opts.update(...)` mutates a dict beyond the model; `app.config.update(JWT_…=…)` sets
    /// Flask settings.
    fn collect_call(&mut self, call: Node<'t>) {
        if call.child(0).is_none_or(|function| !self.text(function).ends_with(".update")) {
            return;
        }
        let Some(function) = call.field("function").filter(|function| function.kind() == "attribute") else { return };
        if function.field("attribute").is_none_or(|attribute| self.text(attribute) != "update") {
            return;
        }
        let Some(object) = function.field("object") else { return };
        if object.kind() == "identifier" {
            self.file.scopes.mutate(self.text(object), call.start_byte());
        }
        if self.text(object).ends_with("config") {
            let arguments = self.arguments(call);
            for (key, _, value) in &arguments.keywords {
                if key.starts_with("JWT_") {
                    self.flask_settings.push((key.clone(), *value));
                }
            }
            if let Some(model) = arguments.positional.first().and_then(|first| self.mapping(*first, 0)) {
                for entry in model.entries.into_iter().filter(|entry| entry.key.starts_with("JWT_")) {
                    self.flask_settings.push((entry.key, entry.value));
                }
            }
        }
    }

    // ---- values ----

    fn arguments(&self, call: Node<'t>) -> Arguments<'t> {
        let list = call.field("arguments").filter(|list| list.kind() == "argument_list");
        let mut arguments = Arguments { list, positional: Vec::new(), keywords: Vec::new(), splat: false };
        for argument in list.map(elements).unwrap_or_default() {
            match argument.kind() {
                "keyword_argument" => {
                    if let (Some(name), Some(value)) = (argument.field("name"), argument.field("value")) {
                        arguments.keywords.push((self.text(name).to_string(), argument, value));
                    }
                }
                "list_splat" | "dictionary_splat" => arguments.splat = true,
                _ => arguments.positional.push(argument),
            }
        }
        arguments
    }

    fn binding_at(&self, name: Node<'_>) -> Option<String> {
        self.file.scopes.binding(&self.bindings, self.text(name), name.start_byte()).cloned()
    }

    /// The canonical dotted path of a callee or value: `pyjwt.decode` → `jwt.decode`.
    fn resolve(&self, node: Node<'t>, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        match node.kind() {
            "identifier" => self.binding_at(node),
            "attribute" => {
                let object = self.resolve(node.field("object")?, depth + 1)?;
                Some(format!("{object}.{}", self.text(node.field("attribute")?)))
            }
            "call" => {
                let function = self.resolve(node.field("function")?, depth + 1)?;
                match function.as_str() {
                    "authlib.jose.JsonWebToken" => Some(AUTHLIB_INSTANCE.into()),
                    "jwt.PyJWT" | "jwt.api_jwt.PyJWT" => Some("jwt.PyJWT".into()),
                    "jwt.PyJWKClient" | "jwt.jwks_client.PyJWKClient" => Some("jwt.PyJWKClient".into()),
                    "jwcrypto.jwt.JWT" => Some(JWCRYPTO_INSTANCE.into()),
                    _ => None,
                }
            }
            "parenthesized_expression" => self.resolve(node.named_child(0)?, depth + 1),
            _ => None,
        }
    }

    /// A literal or same-file constant: strings (and their concatenations), numbers (with
    /// arithmetic), booleans and `None`.
    fn value(&self, node: Node<'t>, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Unknown;
        }
        if let Some(literal) = self.string_literal(node) {
            return Value::Str(literal);
        }
        let number = |node: Option<Node<'t>>| node.and_then(|node| self.number_value(node, depth + 1));
        let known = |number: Option<f64>| number.map_or(Value::Unknown, Value::Number);
        match node.kind() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "none" => Value::Null,
            "integer" | "float" => known(evaluate::number_literal(self.text(node))),
            "unary_operator" => {
                let operand = number(node.field("argument"));
                known(match node.field("operator").map(|operator| self.text(operator)) {
                    Some("-") => operand.map(|operand| -operand),
                    Some("+") => operand,
                    _ => None,
                })
            }
            "binary_operator" => {
                let (Some(left), Some(right)) = (number(node.field("left")), number(node.field("right"))) else {
                    return Value::Unknown;
                };
                known(
                    node.field("operator").and_then(|operator| evaluate::arithmetic(self.text(operator), left, right)),
                )
            }
            "parenthesized_expression" | "identifier" => {
                let inner = if node.kind() == "identifier" { self.definition_value(node) } else { node.named_child(0) };
                inner.map_or(Value::Unknown, |inner| self.value(inner, depth + 1))
            }
            _ => Value::Unknown,
        }
    }

    fn number_value(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        match self.value(node, depth) {
            Value::Number(number) => Some(number),
            _ => None,
        }
    }

    /// `False`, or `0` as Python's truthiness has it.
    fn bool_value(&self, node: Node<'t>, depth: usize) -> Option<bool> {
        match self.value(node, depth) {
            Value::Bool(flag) => Some(flag),
            Value::Number(number) => Some(number != 0.0),
            _ => None,
        }
    }

    /// Seconds of a number or a `timedelta(...)`.
    fn seconds_value(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some(number) = self.number_value(node, depth) {
            return Some(number);
        }
        match node.kind() {
            "call" => {
                let function = self.text(node.field("function")?);
                if function != "timedelta" && !function.ends_with(".timedelta") {
                    return None;
                }
                let arguments = self.arguments(node);
                if arguments.splat {
                    return None;
                }
                const UNITS: [(&str, f64); 7] = [
                    ("days", 86_400.0),
                    ("seconds", 1.0),
                    ("microseconds", 1e-6),
                    ("milliseconds", 1e-3),
                    ("minutes", 60.0),
                    ("hours", 3600.0),
                    ("weeks", 604_800.0),
                ];
                let mut total = 0.0;
                for (index, (unit, factor)) in UNITS.iter().enumerate() {
                    if let Some(value) = arguments.get(index, unit) {
                        total += self.number_value(value, depth + 1)? * factor;
                    }
                }
                Some(total)
            }
            "identifier" => self.seconds_value(self.definition_value(node)?, depth + 1),
            _ => None,
        }
    }

    // ---- evidence ----

    fn key(&self, node: Node<'t>) -> Key {
        if let Some(literal) = self.string_value(node, 0).or_else(|| self.encoded_literal(node)) {
            return classify_key(&literal, true);
        }
        self.key_evidence(node)
    }

    /// `"secret".encode()`.
    fn encoded_literal(&self, node: Node<'t>) -> Option<String> {
        let function =
            node.field("function").filter(|function| node.kind() == "call" && function.kind() == "attribute")?;
        if self.text(function.field("attribute")?) != "encode" {
            return None;
        }
        self.string_literal(function.field("object")?)
    }

    /// A key that is a `PyJWK` (from `PyJWKClient`): PyJWT takes the algorithm from the JWK.
    fn is_pyjwk(&self, node: Node<'t>) -> bool {
        let value = if node.kind() == "identifier" {
            self.file.scopes.lookup(self.text(node), node.start_byte()).and_then(|d| d.value)
        } else {
            Some(node)
        };
        value.filter(|value| value.kind() == "call").and_then(|call| call.field("function")).is_some_and(|function| {
            let function = self.text(function);
            function.ends_with("get_signing_key_from_jwt")
                || function.ends_with("get_signing_key")
                || function.ends_with("PyJWK")
                || function.ends_with("PyJWK.from_json")
        })
    }

    /// `object["key"]` or `object.get("key", …)`: the object, and the key when it is a literal.
    fn read_key(&self, node: Node<'t>) -> Option<(Node<'t>, Option<String>)> {
        match node.kind() {
            "subscript" => {
                Some((node.field("value")?, node.field("subscript").and_then(|key| self.string_literal(key))))
            }
            "call" => {
                let function = node.field("function").filter(|function| function.kind() == "attribute")?;
                if self.text(function.field("attribute")?) != "get" {
                    return None;
                }
                let key = self.arguments(node).positional.first().and_then(|first| self.string_literal(*first));
                Some((function.field("object")?, key))
            }
            _ => None,
        }
    }

    /// Where values are read in the file, for the uses of decode results (one walk, however many
    /// decodes there are).
    fn reads(&self) -> Reads<'s, 't> {
        let mut reads = Reads { keyed: HashMap::new(), assigned: HashMap::new(), names: HashMap::new() };
        syntax::walk(self.file.root, |node| {
            if let Some((object, key)) = self.read_key(node) {
                reads.keyed.insert(object.id(), key);
            }
            match node.kind() {
                "identifier" => reads.names.entry(self.text(node)).or_default().push(node),
                "assignment" => {
                    if let (Some(left), Some(right)) = (node.field("left"), node.field("right"))
                        && left.kind() == "identifier"
                    {
                        reads.assigned.insert(right.id(), left);
                    }
                }
                _ => {}
            }
        });
        reads
    }

    fn is_token_header(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match node.kind() {
            "call" => node
                .field("function")
                .and_then(|function| self.resolve(function, 0))
                .is_some_and(|path| path.ends_with("get_unverified_header")),
            "subscript" => {
                node.field("subscript").and_then(|key| self.string_literal(key)).as_deref() == Some("header")
            }
            "identifier" => {
                self.text(node).to_ascii_lowercase().contains("header")
                    || self.definition_value(node).is_some_and(|value| self.is_token_header(value, depth + 1))
            }
            _ => false,
        }
    }

    /// `jwt.algorithms.get_default_algorithms()` (or its keys): every algorithm PyJWT knows.
    fn is_every_algorithm(&self, node: Node<'t>) -> bool {
        let text = self.text(node);
        text.contains("get_default_algorithms()")
            || text.contains("ALGORITHMS.SUPPORTED")
            || text.contains("ALGORITHMS.ALL")
    }

    // ---- pass 2: the model ----

    /// Whether a call may be a library call at all, judged on text alone.
    fn is_candidate(&self, call: Node<'t>) -> bool {
        let Some(function) = call.child(0) else { return false };
        let name = syntax::last_segment(self.text(function));
        KNOWN_FUNCTIONS.contains(&name) || self.bindings.contains_key(name)
    }

    fn model(&self) -> Model {
        let mut model = Model::default();
        if let Some(flask) = Function::find(Ecosystem::Python, "Flask-JWT-Extended", "settings") {
            for (name, value) in &self.flask_settings {
                model.calls.extend(self.setting(flask, name, *value));
            }
        }
        if let Some(simple_jwt) = Function::find(Ecosystem::Python, "djangorestframework-simplejwt", "SIMPLE_JWT") {
            for entry in self.simple_jwt.iter().filter_map(|dict| self.mapping(*dict, 0)).flat_map(|dict| dict.entries)
            {
                model.calls.extend(self.setting(simple_jwt, &entry.key, entry.value));
            }
        }
        if self.bindings.is_empty() {
            return model;
        }
        // Decodes (and verifies with the signature off), with their calls: what they are used for.
        let mut decodes = Vec::new();
        for (call, scope) in self.calls.iter().filter(|(call, _)| self.is_candidate(*call)) {
            let Some(callee) = call.field("function") else { continue };
            let Some(function) = self.resolve(callee, 0).as_deref().and_then(library_function) else { continue };
            let Some(site) = self.call_site(function, *call, callee, scope.clone()) else { continue };
            if site.operation == Operation::Decode
                || site.options.switches.iter().any(|switch| switch.check == Check::Signature)
            {
                decodes.push((model.calls.len(), *call));
            }
            model.calls.push(site);
        }
        if !decodes.is_empty() {
            let reads = self.reads();
            for (index, call) in decodes {
                let site = &mut model.calls[index];
                site.used_for = reads.use_of(call, &site.scope, self.file.src);
            }
        }
        model
    }

    /// One framework setting, judged like an option of the verifier it configures: a key, a
    /// leeway, an allow-list or the signing algorithm. Flask-JWT-Extended (`app.config["JWT_…"]`,
    /// `JWT_…` constants) and Simple JWT (entries of the `SIMPLE_JWT` dict).
    fn setting(&self, function: &'static Function, name: &str, value: Node<'t>) -> Option<CallSite> {
        let mut options = Options::defaults(None);
        let mut key = None;
        let mut operation = function.operation;
        match name {
            "JWT_SECRET_KEY" | "JWT_PRIVATE_KEY" | "SIGNING_KEY" => key = Some(self.key_arg(value, name)),
            "JWT_DECODE_LEEWAY" | "LEEWAY" => {
                options.leeway = Some((self.seconds_value(value, 0)?, value.byte_range(), name.to_string()))
            }
            "JWT_DECODE_ALGORITHMS" => options.algorithms = self.algorithms(Some(value)),
            // Flask-JWT-Extended signs with it (and decodes with it unless told otherwise).
            "JWT_ALGORITHM" => {
                operation = Operation::Sign;
                options.signing_algorithm = Some(self.expr(value));
            }
            _ => return None,
        }
        Some(CallSite {
            function,
            version: None,
            operation,
            range: value.byte_range(),
            scope: 0..self.file.src.len(),
            token: None,
            key,
            options,
            used_for: Use::Claims,
        })
    }

    fn call_site(
        &self,
        function: &'static Function,
        call: Node<'t>,
        callee: Node<'t>,
        scope: Range<usize>,
    ) -> Option<CallSite> {
        let arguments = self.arguments(call);
        let authlib = function.library == "Authlib";
        let mut operation = function.operation;
        let mut token = None;
        let mut key = None;
        let mut options = Options::defaults(None);
        options.complete = !arguments.splat;
        match operation {
            Operation::Sign => {
                key = arguments.get(if authlib { 2 } else { 1 }, "key");
                options.signing_algorithm = if authlib {
                    let header = arguments.get(0, "header").and_then(|header| self.mapping(header, 0));
                    header.and_then(|header| header.get("alg").map(|entry| self.expr(entry.value)))
                } else {
                    arguments.get(2, "algorithm").map(|algorithm| self.expr(algorithm))
                };
            }
            Operation::Configure => options.algorithms = self.algorithms(arguments.get(0, "algorithms")),
            Operation::Decode | Operation::PeekHeader => token = arguments.get(0, "token"),
            Operation::Verify if function.library == "jwcrypto" => {
                let constructor = function.path == "jwcrypto.jwt.JWT";
                token = arguments.get(if constructor { 2 } else { 0 }, "jwt");
                key = arguments.get(if constructor { 3 } else { 1 }, "key").filter(|key| key.kind() != "none");
                options = if constructor { self.jwcrypto_options(&arguments) } else { Options::unknown() };
                if key.is_none() {
                    // Without a key jwcrypto only parses: the claims stay unreadable, the header
                    // (`token.jose_header`, to pick a key) is all there is.
                    operation = Operation::PeekHeader;
                }
            }
            Operation::Verify if authlib => {
                token = arguments.get(0, "s");
                key = arguments.get(1, "key");
                // The module-level `jwt` takes its allow-list from the constructor it replaces.
                options.anchor =
                    callee.field("object").filter(|_| !function.allow_list_option.is_empty()).map(|receiver| {
                        Anchor::Receiver { range: receiver.byte_range(), import: self.json_web_token_import() }
                    });
            }
            Operation::Verify => {
                token = arguments.get(0, "jwt").or_else(|| arguments.get(0, "token"));
                key = arguments.get(1, "key");
                // python-jose reads `leeway` from the options dict, PyJWT takes it as an argument.
                let leeway_in_options = function.library == "python-jose";
                let positional_verify = self.pyjwt_1 && function.library == "PyJWT";
                options = self.verify_options(&arguments, leeway_in_options, positional_verify);
            }
        }
        let signature_off = options.switches.iter().any(|switch| switch.check == Check::Signature);
        if matches!(operation, Operation::Verify | Operation::Decode | Operation::PeekHeader)
            && token.is_none()
            && !signature_off
        {
            return None;
        }
        Some(CallSite {
            function,
            version: None,
            operation,
            range: callee.byte_range(),
            scope,
            token: token.map(|token| self.token_arg(token)),
            key: key.map(|key| self.key_arg(key, "key")),
            options,
            used_for: Use::Claims,
        })
    }

    /// The options of a PyJWT / python-jose `decode` (and python-jose `jws.verify`).
    fn verify_options(&self, arguments: &Arguments<'t>, leeway_in_options: bool, positional_verify: bool) -> Options {
        // PyJWT 1.x: `verify` sits where PyJWT 2 has `algorithms`, and moves the rest right.
        let shift = usize::from(positional_verify);
        let dict = match arguments.get(3 + shift, "options") {
            None => Some(Mapping::empty()),
            Some(options) => self.mapping(options, 0),
        };
        let is_false = |node: Node<'t>| self.bool_value(node, 0) == Some(false);
        let mut switches = Vec::new();
        for (option, check) in [
            ("verify_signature", Check::Signature),
            ("verify_exp", Check::Expiry),
            ("verify_nbf", Check::NotBefore),
            ("verify_aud", Check::Audience),
            ("verify_iss", Check::Issuer),
        ] {
            if let Some(entry) = dict.as_ref().and_then(|dict| dict.get(option)).filter(|entry| is_false(entry.value)) {
                switches.push(Switch {
                    check,
                    spelled: format!("{option}: False"),
                    range: entry.range.clone(),
                    removal: entry.removal.clone(),
                });
            }
        }
        let positional = positional_verify.then(|| arguments.positional.get(2).copied()).flatten();
        if let Some(verify) = positional.filter(|verify| is_false(*verify)) {
            switches.push(Switch {
                check: Check::Signature,
                spelled: "verify=False (PyJWT 1.x reads the third argument as `verify`)".into(),
                range: verify.byte_range(),
                removal: None,
            });
        } else if let Some(verify) = arguments.keyword_node("verify")
            && verify.field("value").is_some_and(is_false)
        {
            switches.push(Switch {
                check: Check::Signature,
                spelled: "verify=False".into(),
                range: verify.byte_range(),
                removal: None,
            });
        }
        let algorithms = self.algorithms(arguments.get(2 + shift, "algorithms"));
        let anchor = match &algorithms {
            Algorithms::ExplicitNone(none) => Some(Anchor::Replace(none.clone())),
            _ => arguments.append_at().map(|at| Anchor::AfterArguments { at, comma: true }),
        };
        // An unreadable options dict may switch the claim checks off.
        let readable = !arguments.splat && dict.as_ref().is_some_and(|dict| dict.complete);
        let given = |name: &str| match arguments.keyword(name) {
            Some(_) => Given::Yes,
            None if readable => Given::No,
            None => Given::Unknown,
        };
        let leeway = if leeway_in_options {
            dict.as_ref().and_then(|dict| dict.get("leeway")).map(|entry| entry.value)
        } else {
            arguments.keyword("leeway")
        };
        Options {
            complete: !arguments.splat,
            algorithms,
            audience: given("audience"),
            issuer: given("issuer"),
            audiences: arguments.keyword("audience").map(|node| self.string_list(node)).unwrap_or_default(),
            issuers: arguments.keyword("issuer").map(|node| self.string_list(node)).unwrap_or_default(),
            leeway: leeway
                .and_then(|leeway| Some((self.seconds_value(leeway, 0)?, leeway.byte_range(), "leeway".into()))),
            switches,
            signing_algorithm: None,
            anchor,
        }
    }

    /// The options of a jwcrypto `JWT(jwt=…, key=…)`: `check_claims` (a dict of expected claims,
    /// or `False` for none at all). Its `algs` are not read: jwcrypto checks each algorithm
    /// against the JWK's key type, so the list cannot open key confusion.
    fn jwcrypto_options(&self, arguments: &Arguments<'t>) -> Options {
        let mut options = Options::defaults(None);
        options.complete = !arguments.splat;
        let Some(check_claims) = arguments.get(6, "check_claims") else { return options };
        if self.bool_value(check_claims, 0) == Some(false) {
            let argument = arguments.keyword_node("check_claims").unwrap_or(check_claims);
            options.switches.push(Switch {
                check: Check::Claims,
                spelled: "check_claims=False".into(),
                range: argument.byte_range(),
                // Removing it leaves `aud`/`iss` unchecked, which is no fix.
                removal: None,
            });
            options.audience = Given::Unknown;
            options.issuer = Given::Unknown;
            return options;
        }
        let claims = self.mapping(check_claims, 0);
        let given = |claim: &str| match &claims {
            Some(claims) if claims.get(claim).is_some() => Given::Yes,
            Some(claims) if claims.complete => Given::No,
            _ => Given::Unknown,
        };
        options.audience = given("aud");
        options.issuer = given("iss");
        options
    }

    fn algorithms(&self, node: Option<Node<'t>>) -> Algorithms {
        match node {
            None => Algorithms::Absent,
            Some(none) if none.kind() == "none" => Algorithms::ExplicitNone(none.byte_range()),
            Some(every) if self.is_every_algorithm(every) => Algorithms::Every(every.byte_range()),
            Some(list) => self.allow_list(list).map_or(Algorithms::Unknown, Algorithms::Listed),
        }
    }

    /// `from authlib.jose import JsonWebToken`, when a fix needs it and it is not imported yet.
    fn json_web_token_import(&self) -> Option<TextEdit> {
        if self.bindings.values().any(|path| path == "authlib.jose.JsonWebToken") {
            return None;
        }
        let at = self.authlib_import?.start_byte();
        let indent = syntax::line_prefix(self.file.src, at);
        Some(TextEdit { range: at..at, new_text: format!("from authlib.jose import JsonWebToken\n{indent}") })
    }

    fn key_arg(&self, node: Node<'t>, spelled: &str) -> KeyArg {
        KeyArg {
            key: self.key(node),
            literals: self.secret_literal_ranges(node),
            pins_algorithm: self.is_pyjwk(node),
            source: self.key_source(node, 0),
            ..KeyArg::unknown(spelled)
        }
    }

    /// A literal file path: a string, or `os.path.join(os.path.dirname(__file__), "a", "b")`.
    fn path_value(&self, node: Node<'t>, depth: usize) -> Option<(String, PathBase)> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some(path) = self.string_value(node, depth) {
            return Some((path, PathBase::WorkingFolder));
        }
        match node.kind() {
            "identifier" => self.path_value(self.definition_value(node)?, depth + 1),
            "call" if matches!(self.text(node.field("function")?), "os.path.join" | "path.join") => {
                let arguments = self.arguments(node);
                let positional = &arguments.positional;
                let from_file = |first: &Node<'t>| {
                    let text = self.text(*first).replace(' ', "");
                    text.contains("__file__") && text.contains("dirname")
                };
                let (base, rest) = match positional.first() {
                    Some(first) if from_file(first) => (PathBase::SourceFile, &positional[1..]),
                    _ => (PathBase::WorkingFolder, &positional[..]),
                };
                let parts: Option<Vec<String>> = rest.iter().map(|part| self.string_value(*part, depth + 1)).collect();
                Some((parts?.join("/"), base))
            }
            _ => None,
        }
    }

    /// Literal strings an argument holds: one string, or a list/tuple/set of them (empty when
    /// unknown).
    fn string_list(&self, node: Node<'t>) -> Vec<String> {
        if let Some(value) = self.string_value(node, 0) {
            return vec![value];
        }
        let node = if node.kind() == "identifier" {
            match self.definition_value(node) {
                Some(value) => value,
                None => return Vec::new(),
            }
        } else {
            node
        };
        if !matches!(node.kind(), "list" | "tuple" | "set") {
            return Vec::new();
        }
        let values: Option<Vec<String>> = elements(node).iter().map(|item| self.string_value(*item, 0)).collect();
        values.unwrap_or_default()
    }
}

/// Where values are read in one file: for `Use`, what a decode's result serves.
struct Reads<'s, 't> {
    /// Object node id → the key read from it (`x["exp"]`, `x.get("exp")`; `None`: not a literal).
    keyed: HashMap<usize, Option<String>>,
    /// Assigned value's node id → the name it is assigned to.
    assigned: HashMap<usize, Node<'t>>,
    /// Every identifier, by name.
    names: HashMap<&'s str, Vec<Node<'t>>>,
}

impl Reads<'_, '_> {
    /// What the result of `call` is read for: the literal keys read from the call itself, or from
    /// the name it is assigned to (later in `scope`). Any other use of that name counts as claims.
    fn use_of(&self, call: Node<'_>, scope: &Range<usize>, source: &str) -> Use {
        let keys: Vec<Option<&str>> = match (self.keyed.get(&call.id()), self.assigned.get(&call.id())) {
            (Some(key), _) => vec![key.as_deref()],
            (None, Some(name)) => self
                .names
                .get(text(*name, source))
                .into_iter()
                .flatten()
                .filter(|read| read.start_byte() >= name.end_byte() && read.end_byte() <= scope.end)
                .map(|read| self.keyed.get(&read.id()).and_then(|key| key.as_deref()))
                .collect(),
            (None, None) => Vec::new(),
        };
        let only =
            |allowed: &[&str]| !keys.is_empty() && keys.iter().all(|key| key.is_some_and(|key| allowed.contains(&key)));
        if only(&["header"]) {
            Use::HeaderOnly
        } else if only(&["header", "exp", "iat", "nbf"]) {
            Use::TimesOnly
        } else {
            Use::Claims
        }
    }
}

impl<'s, 't> Collect<'s, 't> for Analyzer<'s, 't> {
    fn collect(&mut self, node: Node<'t>, scope: Range<usize>) {
        match node.kind() {
            "import_statement" => self.collect_import(node),
            "import_from_statement" => self.collect_from_import(node),
            "assignment" => self.collect_assignment(node),
            "augmented_assignment" => {
                if let Some(left) = node.field("left").filter(|left| left.kind() == "identifier") {
                    self.file.scopes.reassign(self.text(left), left.start_byte());
                }
            }
            "expression_statement" => {
                if let Some(expression) = node.named_child(0) {
                    self.statement = Some((expression.id(), node));
                }
            }
            "call" => {
                self.collect_call(node);
                self.calls.push((node, scope.clone()));
            }
            "function_definition" | "class_definition" => {
                if let Some(name) = node.field("name") {
                    self.file.scopes.define(self.text(name), scope, name.start_byte(), Some(node), false);
                }
                if let Some(parameters) = node.field("parameters") {
                    self.collect_parameters(parameters, node.byte_range());
                }
            }
            "lambda" => {
                if let Some(parameters) = node.field("parameters") {
                    self.collect_parameters(parameters, node.byte_range());
                }
            }
            "for_statement" | "for_in_clause" => {
                if let Some(left) = node.field("left") {
                    self.define_targets(left, scope);
                }
            }
            "as_pattern_target" => {
                // `with open("keys/pub.pem") as f:` binds `f` to the opened file (a key source
                // through `f.read()`); other context managers' `__enter__` results stay unknown.
                let opened = node
                    .parent()
                    .filter(|pattern| pattern.kind() == "as_pattern")
                    .and_then(|pattern| pattern.named_child(0))
                    .filter(|value| {
                        value.kind() == "call"
                            && value.field("function").is_some_and(|callee| {
                                let callee = self.text(callee);
                                callee == "open" || callee.ends_with(".open")
                            })
                    });
                match (opened, node.named_child(0)) {
                    (Some(value), Some(name)) if name.kind() == "identifier" && node.named_child_count() == 1 => {
                        self.file.scopes.define(self.text(name), scope, name.start_byte(), Some(value), false);
                    }
                    _ => self.define_targets(node, scope),
                }
            }
            _ => {}
        }
    }

    const WALK: Walk = Walk {
        functions: &["function_definition", "lambda"],
        collected: &[
            "import_statement",
            "import_from_statement",
            "assignment",
            "augmented_assignment",
            "expression_statement",
            "call",
            "function_definition",
            "class_definition",
            "lambda",
            "for_statement",
            "for_in_clause",
            "as_pattern_target",
        ],
        // Nothing is skipped whole: f-strings hold calls in their interpolations.
        opaque: &[],
    };
}

impl<'s, 't> Evaluator<'s, 't> for Analyzer<'s, 't> {
    const KINDS: Kinds = Kinds {
        lists: &["list", "tuple", "set"],
        mapping: Some(MappingKinds::pairs("dictionary", "dictionary_splat")),
        ..Kinds::COMMON
    };

    fn file(&self) -> &SourceFile<'s, 't> {
        &self.file
    }

    fn string_literal(&self, node: Node<'_>) -> Option<String> {
        match node.kind() {
            "string" => syntax::joined_parts(node, self.file.src, |part| match part {
                "string_content" | "escape_sequence" => Some(true),
                "string_start" | "string_end" => Some(false),
                _ => None, // f-string interpolation
            }),
            "concatenated_string" => {
                let mut cursor = node.walk();
                node.named_children(&mut cursor).map(|part| self.string_literal(part)).collect()
            }
            _ => None,
        }
    }

    fn expr_value(&self, node: Node<'t>) -> Value {
        self.value(node, 0)
    }

    fn string_value(&self, node: Node<'t>, depth: usize) -> Option<String> {
        match self.value(node, depth) {
            Value::Str(text) => Some(text),
            _ => None,
        }
    }

    /// `get_unverified_header(t)["alg"]`, `header["alg"]`, `header.get("alg")`.
    fn reads_token_alg(&self, node: Node<'t>, depth: usize) -> bool {
        match node.kind() {
            // `header.get("alg") or "RS256"`, `header["alg"] if "alg" in header else "RS256"`.
            "boolean_operator" | "conditional_expression" => {
                elements(node).into_iter().any(|part| self.is_token_alg(part, depth + 1))
            }
            _ => self
                .read_key(node)
                .is_some_and(|(object, key)| key.as_deref() == Some("alg") && self.is_token_header(object, depth + 1)),
        }
    }

    /// `dict(key=value, ...)`.
    fn other_mapping(&self, node: Node<'t>, _depth: usize) -> Option<Mapping<'t>> {
        if node.kind() != "call" || self.text(node.field("function")?) != "dict" {
            return None;
        }
        let arguments = self.arguments(node);
        let keywords = arguments.list.map(elements).unwrap_or_default();
        let mut model = Mapping { complete: !arguments.splat && arguments.positional.is_empty(), ..Mapping::empty() };
        for (index, argument) in keywords.iter().enumerate() {
            if argument.kind() != "keyword_argument" {
                continue;
            }
            if let (Some(name), Some(value)) = (argument.field("name"), argument.field("value")) {
                model.entries.push(Entry {
                    key: self.text(name).to_string(),
                    value,
                    range: argument.byte_range(),
                    removal: Some(removal_range(&keywords, index)),
                });
            }
        }
        Some(model)
    }

    /// `signing_key.key` continues with where `signing_key` came from.
    fn key_step(&self, node: Node<'t>) -> Option<Node<'t>> {
        let base = match node.kind() {
            "attribute" => node.field("object").filter(|object| object.kind() == "identifier")?,
            "identifier" => node,
            _ => return None,
        };
        self.file.scopes.lookup(self.text(base), base.start_byte()).and_then(|definition| definition.value)
    }

    /// Through parentheses, `or` fallbacks, conditionals, the default of `os.environ.get`,
    /// `.encode()` and jwcrypto's `JWK.from_password`.
    fn secret_parts(&self, node: Node<'t>, _depth: usize) -> Vec<Node<'t>> {
        match node.kind() {
            "parenthesized_expression" => node.named_child(0).into_iter().collect(),
            "boolean_operator" => ["left", "right"].into_iter().filter_map(|side| node.field(side)).collect(),
            "conditional_expression" => {
                // `a if cond else b`: children are a, cond, b.
                let branches = elements(node);
                [branches.first(), branches.get(2)].into_iter().flatten().copied().collect()
            }
            "call" => {
                let Some(function) = node.field("function") else { return Vec::new() };
                let function_text = self.text(function);
                let arguments = self.arguments(node);
                let part = if function_text.ends_with("environ.get") || function_text.ends_with("getenv") {
                    // The default of `os.environ.get("JWT_SECRET", "dev")`.
                    arguments.get(1, "default")
                } else if function.kind() == "attribute"
                    && function.field("attribute").is_some_and(|attribute| self.text(attribute) == "encode")
                {
                    function.field("object")
                } else if function_text.ends_with("JWK.from_password") {
                    // jwcrypto's symmetric key from a password.
                    arguments.get(0, "password")
                } else {
                    None
                };
                part.into_iter().collect()
            }
            _ => Vec::new(),
        }
    }

    /// `request.headers["Authorization"]`, `request.headers.get("Authorization")`,
    /// `request.META["HTTP_AUTHORIZATION"]`, FastAPI `authorization: str = Header()`.
    fn reads_authorization(&self, node: Node<'t>) -> bool {
        let is_headers = |object: Option<Node<'t>>| {
            object.is_some_and(|object| {
                let object = self.text(object);
                object.ends_with(".headers") || object.ends_with(".META") || object == "headers"
            })
        };
        match node.kind() {
            "subscript" => {
                node.field("subscript")
                    .and_then(|key| self.string_literal(key))
                    .is_some_and(|key| is_authorization_name(&key))
                    && is_headers(node.field("value"))
            }
            "call" => {
                self.is_header_getter(node, ("attribute", "attribute"), &["get"])
                    && is_headers(node.field("function").and_then(|function| function.field("object")))
            }
            "identifier" => {
                self.text(node).eq_ignore_ascii_case("authorization")
                    && self.definition_value(node).is_some_and(|value| {
                        value.kind() == "call"
                            && value.field("function").is_some_and(|function| self.text(function).ends_with("Header"))
                    })
            }
            _ => false,
        }
    }

    /// Where a key expression's material comes from: a literal, `os.environ["X"]`,
    /// `os.environ.get("X")`, `os.getenv("X")`, `open(path).read()`, `Path(path).read_text()`, a
    /// `PyJWKClient(url)`; through constants, `.encode()`, `.key` and loader calls.
    fn key_source_of(&self, node: Node<'t>, depth: usize) -> KeySource {
        if self.string_literal(node).is_some() {
            return KeySource::Literal;
        }
        let unknown = KeySource::Unknown;
        match node.kind() {
            "subscript" if node.field("value").is_some_and(|value| self.text(value) == "os.environ") => node
                .field("subscript")
                .and_then(|name| self.string_value(name, depth + 1))
                .map_or(unknown, KeySource::Env),
            // `KEYS[kid]`: the key set's source.
            "subscript" => node.field("value").map_or(unknown, |value| self.key_source(value, depth + 1)),
            // `signing_key.key`, `settings.key`: the object's source.
            "attribute" => node.field("object").map_or(unknown, |object| self.key_source(object, depth + 1)),
            "boolean_operator" => node.field("left").map_or(unknown, |left| self.key_source(left, depth + 1)),
            "call" => {
                let Some(function) = node.field("function") else { return unknown };
                let arguments = self.arguments(node);
                let first = arguments.positional.first().copied();
                let callee = self.text(function);
                let last = callee.rsplit('.').next().unwrap_or(callee);
                match (callee, last) {
                    ("os.environ.get" | "os.getenv" | "environ.get" | "getenv", _) => {
                        first.and_then(|name| self.string_value(name, depth + 1)).map_or(unknown, KeySource::Env)
                    }
                    ("open", _) => first
                        .and_then(|path| self.path_value(path, depth + 1))
                        .map_or(unknown, |(path, base)| KeySource::File { path, base }),
                    (_, "PyJWKClient") => {
                        first.and_then(|url| self.string_value(url, depth + 1)).map_or(unknown, KeySource::JwksUrl)
                    }
                    (_, "Path") => first
                        .and_then(|path| self.path_value(path, depth + 1))
                        .map_or(unknown, |(path, base)| KeySource::File { path, base }),
                    // Methods on a source: `open(p).read()`, `Path(p).read_text()`, `x.encode()`,
                    // `client.get_signing_key_from_jwt(t)`.
                    (
                        _,
                        "read" | "read_text" | "read_bytes" | "encode" | "get_signing_key_from_jwt" | "get_signing_key",
                    ) => function.field("object").map_or(unknown, |object| self.key_source(object, depth + 1)),
                    // Loaders: `load_pem_public_key(x)`, `serialization.load_pem_x509_certificate(x)`.
                    (_, name)
                        if name.starts_with("load_pem") || matches!(name, "bytes" | "str" | "from_json" | "loads") =>
                    {
                        first.map_or(unknown, |inner| self.key_source(inner, depth + 1))
                    }
                    _ => unknown,
                }
            }
            _ => unknown,
        }
    }
}

/// How fixes are written in Python.
struct PythonDialect<'s> {
    src: &'s str,
}

impl Dialect for PythonDialect<'_> {
    fn strip_bearer(&self, token: &Expr) -> Vec<TextEdit> {
        evaluate::rewrite_token(self.src, token, |text| format!("({text} or \"\").removeprefix(\"Bearer \")"))
    }

    fn add_allow_list(&self, anchor: &Anchor, option: &str, algorithm: &str) -> Option<Vec<TextEdit>> {
        let list = format!("[\"{algorithm}\"]");
        Some(match anchor {
            Anchor::Replace(range) => vec![TextEdit { range: range.clone(), new_text: list }],
            Anchor::AfterArguments { at, comma } => {
                let separator = if *comma { ", " } else { "" };
                vec![TextEdit { range: *at..*at, new_text: format!("{separator}{option}={list}") }]
            }
            Anchor::Receiver { range, import } => {
                let mut edits = vec![TextEdit { range: range.clone(), new_text: format!("{option}({list})") }];
                edits.extend(import.clone());
                edits
            }
            // Python allow-lists are arguments, never entries of an options dict.
            Anchor::Literal { .. } => return None,
        })
    }
}

/// The library row a resolved dotted path names (`jwt.decode` → PyJWT's `jwt.decode`).
fn library_function(path: &str) -> Option<&'static Function> {
    let library = match path.split('.').next()? {
        "jwt" => "PyJWT",
        "jose" => "python-jose",
        "authlib" => "Authlib",
        "jwcrypto" => "jwcrypto",
        _ => return None,
    };
    Function::find(Ecosystem::Python, library, path)
}

/// Names bound by an assignment or loop target (attributes and subscripts bind none).
fn target_names<'t>(node: Node<'t>, depth: usize, out: &mut Vec<Node<'t>>) {
    if depth > MAX_DEPTH {
        return;
    }
    match node.kind() {
        "identifier" => out.push(node),
        "pattern_list"
        | "tuple_pattern"
        | "list_pattern"
        | "list_splat_pattern"
        | "as_pattern_target"
        | "parenthesized_expression"
        | "tuple"
        | "list" => {
            for child in elements(node) {
                target_names(child, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// Function names worth resolving (the last segment of a callee); local aliases are caught by
/// the bindings instead.
const KNOWN_FUNCTIONS: &[&str] = &[
    "decode",
    "decode_complete",
    "encode",
    "get_unverified_claims",
    "get_unverified_header",
    "verify",
    "JsonWebToken",
    "PyJWKClient",
    "PyJWT",
    "JWT",
    "deserialize",
];

#[cfg(test)]
#[path = "python_model_tests.rs"]
mod tests;
