//! Python: PyJWT (`import jwt`, `from jwt import decode`, `PyJWKClient`), python-jose
//! (`from jose import jwt`, `jws`), Authlib (`authlib.jose`: the default `jwt` instance and
//! `JsonWebToken([...])`) and Flask-JWT-Extended config keys. Names are followed through
//! `import … as`, `from … import … as` and plain re-assignment; options dicts through literals,
//! `dict(...)`, same-file constants and `opts["key"] = …` statements.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::knowledge::{self, AlgItem, AllowList, Key, algorithm_choices, assess_allow_list, classify_key};
use super::scope::Scopes;
use super::syntax::{self, Field, MAX_DEPTH, elements, removal_range, text};
use super::{Options, Sink};
use crate::finding::{Finding, Fix, Severity, TextEdit};
use crate::rules::Rule;

const FUNCTION_KINDS: &[&str] = &["function_definition", "lambda"];

/// The node kinds the collection pass looks at (everything else is only walked through).
const COLLECTED_KINDS: &[&str] = &[
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
];

/// No kind is skipped whole: f-strings hold calls in their interpolations.
const OPAQUE_KINDS: &[&str] = &[];

/// Modules whose imports are tracked (prefixes of dotted paths).
fn is_tracked_module(module: &str) -> bool {
    let root = module.split('.').next().unwrap_or("");
    matches!(root, "jwt" | "jose")
        || module == "authlib.jose"
        || module.starts_with("authlib.jose.")
        || module == "authlib"
}

/// The path an `authlib.jose.JsonWebToken([...])` instance resolves to: it has an explicit
/// algorithm list, unlike the module-level default `authlib.jose.jwt`.
const AUTHLIB_INSTANCE: &str = "authlib.instance";

#[derive(Debug, Clone)]
struct Entry<'t> {
    key: String,
    value: Node<'t>,
    range: Range<usize>,
    removal: Option<Range<usize>>,
}

#[derive(Debug, Clone)]
struct DictModel<'t> {
    entries: Vec<Entry<'t>>,
    complete: bool,
}

impl<'t> DictModel<'t> {
    fn empty() -> DictModel<'t> {
        DictModel { entries: Vec::new(), complete: true }
    }

    fn get(&self, key: &str) -> Option<&Entry<'t>> {
        self.entries.iter().rev().find(|entry| entry.key == key)
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoder {
    PyJwt,
    PythonJose,
}

pub(super) fn analyze(source: &str, tree: &Tree, options: &Options, sink: &mut Sink) {
    let root = tree.root_node();
    let mut analyzer = Analyzer {
        src: source,
        options,
        bindings: HashMap::new(),
        scopes: Scopes::default(),
        calls: Vec::new(),
        flask_settings: Vec::new(),
        authlib_import: None,
        enclosing: root.byte_range(),
        statement: None,
    };
    syntax::walk_scoped(root, FUNCTION_KINDS, COLLECTED_KINDS, OPAQUE_KINDS, |node, enclosing| {
        analyzer.enclosing = enclosing.clone();
        analyzer.collect(node);
    });
    if options.conventional_names && analyzer.bindings.is_empty() {
        analyzer.bindings.insert("jwt".into(), "jwt".into());
        analyzer.bindings.insert("jose".into(), "jose".into());
    }
    analyzer.check_flask_settings(sink);
    if !analyzer.bindings.is_empty() {
        analyzer.check_calls(sink);
    }
}

struct Analyzer<'s, 't> {
    src: &'s str,
    options: &'s Options,
    /// Local name → canonical dotted path (`pyjwt` → `jwt`, `decode` → `jose.jwt.decode`).
    bindings: HashMap<String, String>,
    scopes: Scopes<'t>,
    /// Every call, with its enclosing function (for "peek then verify").
    calls: Vec<(Node<'t>, Range<usize>)>,
    /// Flask-JWT-Extended settings: (key, value) from `app.config[...] = …`, `update(...)` and
    /// module/class constants.
    flask_settings: Vec<(String, Node<'t>)>,
    /// `from authlib.jose import jwt`, where a fix adds the `JsonWebToken` import.
    authlib_import: Option<Node<'t>>,
    /// During collection: the enclosing function (or module) of the node being visited.
    enclosing: Range<usize>,
    /// During collection: the expression statement around the next assignment, if any.
    statement: Option<(usize, Node<'t>)>,
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
            "import_statement" => self.collect_import(node),
            "import_from_statement" => self.collect_from_import(node),
            "assignment" => self.collect_assignment(node),
            "augmented_assignment" => {
                if let Some(left) = node.field("left").filter(|left| left.kind() == "identifier") {
                    self.scopes.reassign(self.text(left), left.start_byte());
                }
            }
            "expression_statement" => {
                if let Some(expression) = node.named_child(0) {
                    self.statement = Some((expression.id(), node));
                }
            }
            "call" => {
                self.collect_call(node);
                self.calls.push((node, self.scope()));
            }
            "function_definition" | "class_definition" => {
                if let Some(name) = node.field("name") {
                    let scope = self.scope();
                    self.scopes.define(self.text(name), scope, name.start_byte(), Some(node), false);
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
                    let scope = self.scope();
                    self.define_targets(left, scope);
                }
            }
            "as_pattern_target" => {
                let scope = self.scope();
                self.define_targets(node, scope);
            }
            _ => {}
        }
    }

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
            self.scopes.define(self.text(name), scope.clone(), name.start_byte(), value, false);
        }
    }

    fn define_targets(&mut self, target: Node<'t>, scope: Range<usize>) {
        let mut names = Vec::new();
        target_names(target, 0, &mut names);
        for name in names {
            self.scopes.define(self.text(name), scope.clone(), name.start_byte(), None, false);
        }
    }

    fn bind(&mut self, local: Node<'t>, path: String) {
        let name = self.text(local).to_string();
        self.scopes.define(&name, self.scope(), local.start_byte(), None, true);
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
        let scope = self.scope();
        match left.kind() {
            "identifier" => {
                let name = self.text(left).to_string();
                let path = right.and_then(|right| self.resolve(right, 0));
                let binding = match path.as_deref() {
                    // `jwt = JsonWebToken(["RS256"])` makes an instance with its own list.
                    _ if right.is_some_and(|right| right.kind() == "call") => {
                        path.filter(|path| path == AUTHLIB_INSTANCE || path == "jwt.PyJWT" || path == "jwt.PyJWKClient")
                    }
                    Some(path) if right.is_some_and(|right| matches!(right.kind(), "identifier" | "attribute")) => {
                        Some(path.to_string())
                    }
                    _ => None,
                };
                self.scopes.define(&name, scope, left.start_byte(), right, binding.is_some());
                if let Some(binding) = binding {
                    self.bindings.insert(name.clone(), binding);
                }
                if name.starts_with("JWT_")
                    && let Some(right) = right
                {
                    self.flask_settings.push((name, right));
                }
            }
            "subscript" => {
                let (Some(object), Some(key)) = (left.field("value"), left.field("subscript")) else { return };
                let Some(key) = self.string_literal(key) else {
                    if object.kind() == "identifier" {
                        self.scopes.mutate(self.text(object), left.start_byte());
                    }
                    return;
                };
                let Some(right) = right else { return };
                if object.kind() == "identifier" {
                    let statement =
                        self.statement.filter(|(id, _)| *id == node.id()).map_or(node, |(_, statement)| statement);
                    self.scopes.property(self.text(object), key.clone(), right, statement);
                }
                if key.starts_with("JWT_") && self.text(object).ends_with("config") {
                    self.flask_settings.push((key, right));
                }
            }
            _ => self.define_targets(left, scope),
        }
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
            self.scopes.mutate(self.text(object), call.start_byte());
        }
        if self.text(object).ends_with("config") {
            let arguments = self.arguments(call);
            for (key, _, value) in &arguments.keywords {
                if key.starts_with("JWT_") {
                    self.flask_settings.push((key.clone(), *value));
                }
            }
            if let Some(model) = arguments.positional.first().and_then(|first| self.dict_model(*first, 0)) {
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
        let name_text = self.text(name);
        let path = self.bindings.get(name_text)?;
        match self.scopes.innermost(name_text, name.start_byte()) {
            Some(definition) if !definition.binding => None,
            _ => Some(path.clone()),
        }
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
                    _ => None,
                }
            }
            "parenthesized_expression" => self.resolve(node.named_child(0)?, depth + 1),
            _ => None,
        }
    }

    fn definition_value(&self, node: Node<'t>) -> Option<Node<'t>> {
        (node.kind() == "identifier").then(|| self.scopes.value(self.text(node), node.start_byte())).flatten()
    }

    fn string_literal(&self, node: Node<'_>) -> Option<String> {
        match node.kind() {
            "string" => {
                let mut value = String::new();
                let mut cursor = node.walk();
                for part in node.named_children(&mut cursor) {
                    match part.kind() {
                        "string_content" | "escape_sequence" => value.push_str(self.text(part)),
                        "string_start" | "string_end" => {}
                        _ => return None, // f-string interpolation
                    }
                }
                Some(value)
            }
            "concatenated_string" => {
                let mut value = String::new();
                let mut cursor = node.walk();
                for part in node.named_children(&mut cursor) {
                    value.push_str(&self.string_literal(part)?);
                }
                Some(value)
            }
            _ => None,
        }
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
            _ => None,
        }
    }

    fn number_value(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        if depth > MAX_DEPTH {
            return None;
        }
        match node.kind() {
            "integer" | "float" => {
                let literal = self.text(node).replace('_', "");
                match literal.strip_prefix("0x").or_else(|| literal.strip_prefix("0X")) {
                    Some(hex) => i64::from_str_radix(hex, 16).ok().map(|value| value as f64),
                    None => literal.parse().ok(),
                }
            }
            "unary_operator" => {
                let operand = self.number_value(node.field("argument")?, depth + 1)?;
                match self.text(node.field("operator")?) {
                    "-" => Some(-operand),
                    "+" => Some(operand),
                    _ => None,
                }
            }
            "binary_operator" => {
                let left = self.number_value(node.field("left")?, depth + 1)?;
                let right = self.number_value(node.field("right")?, depth + 1)?;
                match self.text(node.field("operator")?) {
                    "*" => Some(left * right),
                    "+" => Some(left + right),
                    "-" => Some(left - right),
                    "/" | "//" if right != 0.0 => Some(left / right),
                    _ => None,
                }
            }
            "parenthesized_expression" => self.number_value(node.named_child(0)?, depth + 1),
            "identifier" => self.number_value(self.definition_value(node)?, depth + 1),
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

    fn bool_value(&self, node: Node<'t>, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        match node.kind() {
            "true" => Some(true),
            "false" => Some(false),
            "integer" => self.number_value(node, depth).map(|number| number != 0.0),
            "identifier" => self.bool_value(self.definition_value(node)?, depth + 1),
            _ => None,
        }
    }

    fn dict_model(&self, node: Node<'t>, depth: usize) -> Option<DictModel<'t>> {
        if depth > MAX_DEPTH {
            return None;
        }
        match node.kind() {
            "dictionary" => {
                let items = elements(node);
                let mut model = DictModel { entries: Vec::new(), complete: true };
                for (index, item) in items.iter().enumerate() {
                    match item.kind() {
                        "pair" => {
                            let key = item.field("key").and_then(|key| self.string_value(key, depth + 1));
                            match (key, item.field("value")) {
                                (Some(key), Some(value)) => model.entries.push(Entry {
                                    key,
                                    value,
                                    range: item.byte_range(),
                                    removal: Some(removal_range(&items, index)),
                                }),
                                _ => model.complete = false,
                            }
                        }
                        "dictionary_splat" => {
                            match item.named_child(0).and_then(|inner| self.dict_model(inner, depth + 1)) {
                                Some(inner) => {
                                    model.complete &= inner.complete;
                                    model.entries.extend(
                                        inner.entries.into_iter().map(|entry| Entry { removal: None, ..entry }),
                                    );
                                }
                                None => model.complete = false,
                            }
                        }
                        _ => model.complete = false,
                    }
                }
                Some(model)
            }
            "call" if self.text(node.field("function")?) == "dict" => {
                let arguments = self.arguments(node);
                let keywords = arguments.list.map(elements).unwrap_or_default();
                let mut model =
                    DictModel { entries: Vec::new(), complete: !arguments.splat && arguments.positional.is_empty() };
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
            "identifier" => {
                let name = self.text(node);
                let value = self.scopes.value(name, node.start_byte())?;
                let mut model = self.dict_model(value, depth + 1)?;
                match self.scopes.properties_of(name, node.start_byte()) {
                    Some(properties) => model.entries.extend(properties.into_iter().map(|property| Entry {
                        key: property.key.clone(),
                        value: property.value,
                        range: property.statement.byte_range(),
                        removal: Some(property.statement.byte_range()),
                    })),
                    None => model.complete = false,
                }
                Some(model)
            }
            _ => None,
        }
    }

    // ---- evidence ----

    fn key(&self, node: Node<'t>) -> Key {
        if let Some(literal) = self.string_value(node, 0).or_else(|| self.encoded_literal(node)) {
            return classify_key(&literal, true);
        }
        let mut evidence = self.text(node).to_string();
        let mut current = node;
        for _ in 0..3 {
            let base = match current.kind() {
                // `signing_key.key` → look at where `signing_key` came from.
                "attribute" => current.field("object").filter(|object| object.kind() == "identifier"),
                "identifier" => Some(current),
                _ => None,
            };
            let Some(next) = base
                .and_then(|base| self.scopes.lookup(self.text(base), base.start_byte()))
                .and_then(|definition| definition.value)
            else {
                break;
            };
            if let Some(literal) = self.string_value(next, 0) {
                return classify_key(&literal, true);
            }
            evidence.push(' ');
            evidence.push_str(syntax::prefix(self.text(next), 2000));
            current = next;
        }
        classify_key(&evidence, false)
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
            self.scopes.lookup(self.text(node), node.start_byte()).and_then(|d| d.value)
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

    fn secret_literals(&self, node: Node<'t>, depth: usize, out: &mut Vec<(String, Node<'t>)>) {
        if depth > MAX_DEPTH {
            return;
        }
        if let Some(literal) = self.string_literal(node) {
            out.push((literal, node));
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
            "boolean_operator" => {
                for side in ["left", "right"] {
                    if let Some(side) = node.field(side) {
                        self.secret_literals(side, depth + 1, out);
                    }
                }
            }
            "conditional_expression" => {
                let mut cursor = node.walk();
                let branches: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
                // `a if cond else b`: children are a, cond, b.
                for branch in [branches.first(), branches.get(2)].into_iter().flatten() {
                    self.secret_literals(*branch, depth + 1, out);
                }
            }
            "call" => {
                let Some(function) = node.field("function") else { return };
                let function_text = self.text(function);
                let arguments = self.arguments(node);
                if function_text.ends_with("environ.get") || function_text.ends_with("getenv") {
                    // The default of `os.environ.get("JWT_SECRET", "dev")`.
                    if let Some(default) = arguments.get(1, "default") {
                        self.secret_literals(default, depth + 1, out);
                    }
                } else if function.kind() == "attribute"
                    && function.field("attribute").is_some_and(|attribute| self.text(attribute) == "encode")
                    && let Some(object) = function.field("object")
                {
                    self.secret_literals(object, depth + 1, out);
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

    fn is_authorization_name(name: &str) -> bool {
        name.eq_ignore_ascii_case("authorization") || name == "HTTP_AUTHORIZATION"
    }

    /// `request.headers["Authorization"]`, `request.headers.get("Authorization")`,
    /// `request.META["HTTP_AUTHORIZATION"]`, FastAPI `authorization: str = Header()`, or a
    /// name holding one of them.
    fn is_raw_authorization(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
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
                    .is_some_and(|key| Analyzer::is_authorization_name(&key))
                    && is_headers(node.field("value"))
            }
            "call" => {
                let Some(function) = node.field("function").filter(|function| function.kind() == "attribute") else {
                    return false;
                };
                function.field("attribute").is_some_and(|attribute| self.text(attribute) == "get")
                    && is_headers(function.field("object"))
                    && self
                        .arguments(node)
                        .positional
                        .first()
                        .and_then(|first| self.string_literal(*first))
                        .is_some_and(|key| Analyzer::is_authorization_name(&key))
            }
            "identifier" => {
                let Some(value) = self.definition_value(node) else { return false };
                let header_parameter = self.text(node).eq_ignore_ascii_case("authorization")
                    && value.kind() == "call"
                    && value.field("function").is_some_and(|function| self.text(function).ends_with("Header"));
                header_parameter || self.is_raw_authorization(value, depth + 1)
            }
            _ => false,
        }
    }

    /// `get_unverified_header(t)["alg"]`, `header["alg"]`, `header.get("alg")`.
    fn is_token_alg(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match node.kind() {
            "subscript" => {
                node.field("subscript").and_then(|key| self.string_literal(key)).as_deref() == Some("alg")
                    && node.field("value").is_some_and(|value| self.is_token_header(value, depth + 1))
            }
            "call" => {
                let Some(function) = node.field("function").filter(|function| function.kind() == "attribute") else {
                    return false;
                };
                function.field("attribute").is_some_and(|attribute| self.text(attribute) == "get")
                    && self.arguments(node).positional.first().and_then(|first| self.string_literal(*first)).as_deref()
                        == Some("alg")
                    && function.field("object").is_some_and(|object| self.is_token_header(object, depth + 1))
            }
            "identifier" => self.definition_value(node).is_some_and(|value| self.is_token_alg(value, depth + 1)),
            _ => false,
        }
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

    fn allow_list(&self, value: Node<'t>) -> Option<AllowList> {
        let render: Box<dyn Fn(&str) -> String> = Box::new(|algorithm: &str| format!("\"{algorithm}\""));
        if self.is_token_alg(value, 0) {
            let item = AlgItem {
                name: None,
                text: self.text(value).to_string(),
                range: value.byte_range(),
                removal: value.byte_range(),
                from_token: true,
            };
            return Some(AllowList { items: vec![item], render });
        }
        let mut list = value;
        for _ in 0..MAX_DEPTH {
            if matches!(list.kind(), "list" | "tuple" | "set") {
                break;
            }
            list = self.definition_value(list)?;
        }
        if !matches!(list.kind(), "list" | "tuple" | "set") {
            return None;
        }
        let elements = elements(list);
        let items = elements
            .iter()
            .enumerate()
            .map(|(index, element)| AlgItem {
                name: self.string_value(*element, 0),
                text: self.text(*element).to_string(),
                range: element.byte_range(),
                removal: removal_range(&elements, index),
                from_token: self.is_token_alg(*element, 0),
            })
            .collect();
        Some(AllowList { items, render })
    }

    /// `jwt.algorithms.get_default_algorithms()` (or its keys): every algorithm PyJWT knows.
    fn is_every_algorithm(&self, node: Node<'t>) -> bool {
        let text = self.text(node);
        text.contains("get_default_algorithms()")
            || text.contains("ALGORITHMS.SUPPORTED")
            || text.contains("ALGORITHMS.ALL")
    }

    // ---- pass 2 ----

    fn check_flask_settings(&self, sink: &mut Sink) {
        for (key, value) in &self.flask_settings {
            match key.as_str() {
                "JWT_SECRET_KEY" => self.report_secrets(sink, *value, "Flask-JWT-Extended `JWT_SECRET_KEY`"),
                "JWT_DECODE_LEEWAY" => {
                    if let Some(seconds) = self.seconds_value(*value, 0) {
                        knowledge::report_leeway(sink, seconds, value.byte_range(), "JWT_DECODE_LEEWAY");
                    }
                }
                _ => {}
            }
        }
    }

    /// Whether a call may be a library call at all, judged on text alone.
    fn is_candidate(&self, call: Node<'t>) -> bool {
        let Some(function) = call.child(0) else { return false };
        let name = syntax::last_segment(self.text(function));
        KNOWN_FUNCTIONS.contains(&name) || self.bindings.contains_key(name)
    }

    fn check_calls(&self, sink: &mut Sink) {
        let resolved: Vec<(Node<'t>, Node<'t>, String, Range<usize>, Arguments<'t>)> = self
            .calls
            .iter()
            .filter(|(call, _)| self.is_candidate(*call))
            .filter_map(|(call, scope)| {
                let function = call.field("function")?;
                Some((*call, function, self.resolve(function, 0)?, scope.clone(), self.arguments(*call)))
            })
            .collect();
        let verified: Vec<(Node<'t>, String)> = resolved
            .iter()
            .filter(|(_, _, path, _, arguments)| is_decode(path) && !self.signature_disabled(arguments))
            .filter_map(|(call, _, _, _, arguments)| {
                Some((
                    *call,
                    syntax::normalized(self.text(arguments.get(0, "jwt").or_else(|| arguments.get(0, "token"))?)),
                ))
            })
            .collect();
        for (call, callee, path, scope, arguments) in &resolved {
            match path.as_str() {
                "jwt.decode"
                | "jwt.decode_complete"
                | "jwt.api_jwt.decode"
                | "jwt.PyJWT.decode"
                | "jwt.PyJWT.decode_complete" => {
                    self.check_decode(sink, Decoder::PyJwt, *call, scope, *callee, arguments, &verified)
                }
                "jose.jwt.decode" => {
                    self.check_decode(sink, Decoder::PythonJose, *call, scope, *callee, arguments, &verified)
                }
                "jose.jwt.get_unverified_claims"
                    if !self.peeked_then_verified(*call, scope, arguments.get(0, "token"), &verified) =>
                {
                    sink.push(Finding::new(
                            Rule::DecodeWithoutVerify,
                            callee.byte_range(),
                            "`get_unverified_claims` returns the claims without checking the signature: anyone can write them. Use `jwt.decode` with the key and `algorithms`.",
                        ));
                }
                "jose.jws.verify" => {
                    if arguments.splat {
                        continue;
                    }
                    if let Some(key) = arguments.get(1, "key") {
                        self.report_secrets(sink, key, "python-jose jws.verify key");
                    }
                    let key = arguments.get(1, "key").map(|key| self.key(key)).unwrap_or(Key::UNKNOWN);
                    self.check_algorithms(
                        sink,
                        Decoder::PythonJose,
                        *callee,
                        arguments,
                        arguments.get(2, "algorithms"),
                        key,
                    );
                }
                "jwt.encode" | "jwt.PyJWT.encode" | "jose.jwt.encode" => {
                    if let Some(key) = arguments.get(1, "key") {
                        self.report_secrets(sink, key, "jwt.encode key");
                    }
                    if let Some(algorithm) = arguments.get(2, "algorithm") {
                        self.check_signing_algorithm(sink, algorithm);
                    }
                }
                "authlib.jose.jwt.decode" => self.check_authlib_default(sink, *callee, arguments),
                "authlib.jose.jwt.encode" | "authlib.instance.encode" => {
                    if let Some(key) = arguments.get(2, "key") {
                        self.report_secrets(sink, key, "Authlib jwt.encode key");
                    }
                    if let Some(header) = arguments.get(0, "header").and_then(|header| self.dict_model(header, 0))
                        && let Some(entry) = header.get("alg")
                    {
                        self.check_signing_algorithm(sink, entry.value);
                    }
                }
                "authlib.instance.decode" => {
                    if let Some(key) = arguments.get(1, "key") {
                        self.report_secrets(sink, key, "Authlib jwt.decode key");
                    }
                }
                "authlib.jose.JsonWebToken" => {
                    if let Some(list) =
                        arguments.get(0, "algorithms").and_then(|algorithms| self.allow_list(algorithms))
                    {
                        assess_allow_list(sink, &list, Key::UNKNOWN);
                    }
                }
                _ => {}
            }
        }
    }

    fn signature_disabled(&self, arguments: &Arguments<'t>) -> bool {
        arguments.keyword("verify").and_then(|verify| self.bool_value(verify, 0)) == Some(false)
            || arguments
                .get(3, "options")
                .and_then(|options| self.dict_model(options, 0))
                .and_then(|model| model.get("verify_signature").and_then(|entry| self.bool_value(entry.value, 0)))
                == Some(false)
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

    fn check_signing_algorithm(&self, sink: &mut Sink, algorithm: Node<'t>) {
        if self.options.context.in_test_path {
            return;
        }
        if self.string_value(algorithm, 0).is_some_and(|algorithm| algorithm.eq_ignore_ascii_case("none")) {
            sink.push(Finding::new(
                Rule::VerifyAllowsNone,
                algorithm.byte_range(),
                "Signs with algorithm `none`: the token carries no signature, anyone can change its claims, and only verifiers that accept `none` take it (RFC 7518 §3.6).",
            ));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn check_decode(
        &self,
        sink: &mut Sink,
        decoder: Decoder,
        call: Node<'t>,
        scope: &Range<usize>,
        callee: Node<'t>,
        arguments: &Arguments<'t>,
        verified: &[(Node<'t>, String)],
    ) {
        let token = arguments.get(0, "jwt").or_else(|| arguments.get(0, "token"));
        let key_node = arguments.get(1, "key");
        let options = match arguments.get(3, "options") {
            None => Some(DictModel::empty()),
            Some(options) => self.dict_model(options, 0),
        };
        let library = if decoder == Decoder::PyJwt { "PyJWT" } else { "python-jose" };
        // Signature verification off: report that, and nothing about a verification that
        // does not happen.
        let verify_off = arguments
            .keyword_node("verify")
            .filter(|verify| verify.field("value").and_then(|value| self.bool_value(value, 0)) == Some(false));
        let signature_off = options
            .as_ref()
            .and_then(|model| model.get("verify_signature"))
            .filter(|entry| self.bool_value(entry.value, 0) == Some(false));
        if verify_off.is_some() || signature_off.is_some() {
            if !self.peeked_then_verified(call, scope, token, verified) {
                let range = signature_off
                    .map(|entry| entry.range.clone())
                    .or(verify_off.map(|node| node.byte_range()))
                    .unwrap_or(callee.byte_range());
                sink.push(Finding::new(
                    Rule::DecodeWithoutVerify,
                    range,
                    format!("{library} `decode` with signature verification off returns claims anyone can write; it also skips `exp`, `aud` and `iss`. Verify with the key and `algorithms`."),
                ));
            }
            return;
        }
        if arguments.positional.is_empty() && token.is_none() {
            return;
        }
        if let Some(key_node) = key_node {
            self.report_secrets(sink, key_node, &format!("{library} decode key"));
        }
        if let Some(token) = token
            && self.is_raw_authorization(token, 0)
        {
            let token_text = self.text(token);
            sink.push(
                Finding::new(
                    Rule::VerifyBearerPrefix,
                    token.byte_range(),
                    "The raw `Authorization` header is passed as the token: its value starts with `Bearer `, so decoding fails with `DecodeError` / `JWTError`. Strip the scheme first.",
                )
                .with_fix(Fix {
                    title: "Strip the `Bearer ` prefix".into(),
                    edits: vec![TextEdit { range: token.byte_range(), new_text: format!("({token_text} or \"\").removeprefix(\"Bearer \")") }],
                    preferred: true,
                }),
            );
        }
        let key = key_node.map(|key| self.key(key)).unwrap_or(Key::UNKNOWN);
        let pyjwk = key_node.is_some_and(|key| self.is_pyjwk(key));
        if !(decoder == Decoder::PyJwt && pyjwk) {
            self.check_algorithms(sink, decoder, callee, arguments, arguments.get(2, "algorithms"), key);
        }
        let Some(options) = options else { return };
        for (option, claim) in [("verify_exp", "expired tokens (`exp`)"), ("verify_nbf", "tokens before their `nbf`")] {
            let Some(entry) = options.get(option).filter(|entry| self.bool_value(entry.value, 0) == Some(false)) else {
                continue;
            };
            let mut finding = Finding::new(
                Rule::VerifyExpiryDisabled,
                entry.range.clone(),
                format!(
                    "`{option}: False` makes {library} accept {claim}: a leaked token stays valid forever (RFC 7519 §4.1.4)."
                ),
            );
            if let Some(removal) = entry.removal.clone() {
                finding = finding.with_fix(Fix {
                    title: format!("Remove `{option}: False`"),
                    edits: vec![TextEdit { range: removal, new_text: String::new() }],
                    preferred: true,
                });
            }
            sink.push(finding);
        }
        let leeway = match decoder {
            Decoder::PyJwt => arguments.keyword("leeway"),
            Decoder::PythonJose => options.get("leeway").map(|entry| entry.value),
        };
        if let Some(leeway) = leeway
            && let Some(seconds) = self.seconds_value(leeway, 0)
        {
            knowledge::report_leeway(sink, seconds, leeway.byte_range(), "leeway");
        }
        let complete = options.complete && !arguments.splat;
        for (rule, argument, option, claim, why) in [
            (
                Rule::VerifyMissingAudience,
                "audience",
                "verify_aud",
                "aud",
                "a token issued for another service by the same issuer is accepted (RFC 8725 §3.9)",
            ),
            (
                Rule::VerifyMissingIssuer,
                "issuer",
                "verify_iss",
                "iss",
                "tokens from any issuer that shares the key are accepted (RFC 8725 §3.8)",
            ),
        ] {
            let switched_off = options.get(option).filter(|entry| self.bool_value(entry.value, 0) == Some(false));
            if let Some(entry) = switched_off {
                sink.push(Finding::new(
                    rule,
                    entry.range.clone(),
                    format!("`{option}: False` switches the `{claim}` check off: {why}."),
                ));
            } else if complete && arguments.keyword(argument).is_none() {
                sink.push(Finding::new(
                    rule,
                    callee.byte_range(),
                    format!("{library} `decode` never checks `{claim}`: {why}. Pass `{argument}=`."),
                ));
            }
        }
    }

    fn check_algorithms(
        &self,
        sink: &mut Sink,
        decoder: Decoder,
        callee: Node<'t>,
        arguments: &Arguments<'t>,
        algorithms: Option<Node<'t>>,
        key: Key,
    ) {
        let explicit_none = algorithms.filter(|algorithms| algorithms.kind() == "none");
        match algorithms {
            Some(algorithms) if explicit_none.is_none() => {
                if self.is_every_algorithm(algorithms) {
                    sink.push(Finding::new(
                        Rule::VerifyMixedAlgorithms,
                        algorithms.byte_range(),
                        "Every algorithm the library knows is allowed, HMAC and public-key alike: a public key then works as an HMAC secret (CVE-2022-29217). List the one algorithm your key uses.",
                    ));
                } else if let Some(list) = self.allow_list(algorithms) {
                    assess_allow_list(sink, &list, key);
                }
            }
            _ if arguments.splat && explicit_none.is_none() => {}
            _ => {
                let (message, severity) = match decoder {
                    Decoder::PyJwt => (
                        "PyJWT `decode` has no `algorithms` allow-list: PyJWT 2 raises `DecodeError` at runtime, and PyJWT 1 accepts whatever algorithm the token names (RFC 8725 §3.1).",
                        Severity::Warning,
                    ),
                    Decoder::PythonJose => (
                        "python-jose skips the algorithm check when `algorithms` is missing or `None`: any algorithm the token names is accepted, including HS256 signed with your public key (CVE-2024-33663).",
                        Severity::Error,
                    ),
                };
                let mut finding =
                    Finding::new(Rule::VerifyMissingAlgorithms, callee.byte_range(), message).with_severity(severity);
                for (algorithm, preferred) in algorithm_choices(key) {
                    let edit = match (explicit_none, arguments.append_at()) {
                        (Some(none), _) => {
                            TextEdit { range: none.byte_range(), new_text: format!("[\"{algorithm}\"]") }
                        }
                        (None, Some(at)) => {
                            TextEdit { range: at..at, new_text: format!(", algorithms=[\"{algorithm}\"]") }
                        }
                        (None, None) => continue,
                    };
                    finding = finding.with_fix(Fix {
                        title: format!("Allow only `{algorithm}`"),
                        edits: vec![edit],
                        preferred,
                    });
                }
                sink.push(finding);
            }
        }
    }

    /// `from authlib.jose import jwt; jwt.decode(s, key)`: the module-level instance allows
    /// every registered algorithm.
    fn check_authlib_default(&self, sink: &mut Sink, callee: Node<'t>, arguments: &Arguments<'t>) {
        let key_node = arguments.get(1, "key");
        if let Some(key_node) = key_node {
            self.report_secrets(sink, key_node, "Authlib jwt.decode key");
        }
        let key = key_node.map(|key| self.key(key)).unwrap_or(Key::UNKNOWN);
        let mut finding = Finding::new(
            Rule::VerifyMissingAlgorithms,
            callee.byte_range(),
            "`authlib.jose.jwt` is a `JsonWebToken` over every registered algorithm (`none` included before Authlib's fix): a public key then works as an HMAC secret (CVE-2024-37568). Decode with `JsonWebToken([\"RS256\"])`.",
        )
        .with_severity(Severity::Error);
        if let Some(object) = callee.field("object") {
            let needs_import = !self.bindings.values().any(|path| path == "authlib.jose.JsonWebToken");
            for (algorithm, preferred) in algorithm_choices(key) {
                let mut edits =
                    vec![TextEdit { range: object.byte_range(), new_text: format!("JsonWebToken([\"{algorithm}\"])") }];
                if needs_import && let Some(import) = self.authlib_import {
                    let at = import.start_byte();
                    let indent = syntax::line_prefix(self.src, at);
                    edits.push(TextEdit {
                        range: at..at,
                        new_text: format!("from authlib.jose import JsonWebToken\n{indent}"),
                    });
                }
                finding = finding.with_fix(Fix {
                    title: format!("Decode with `JsonWebToken([\"{algorithm}\"])`"),
                    edits,
                    preferred,
                });
            }
        }
        sink.push(finding);
    }
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
];

fn is_decode(path: &str) -> bool {
    matches!(
        path,
        "jwt.decode"
            | "jwt.decode_complete"
            | "jwt.api_jwt.decode"
            | "jwt.PyJWT.decode"
            | "jwt.PyJWT.decode_complete"
            | "jose.jwt.decode"
            | "authlib.jose.jwt.decode"
            | "authlib.instance.decode"
    )
}
