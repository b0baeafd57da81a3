//! JavaScript, TypeScript and TSX: `jsonwebtoken`, `jose` (v3+), `express-jwt` and
//! `passport-jwt`, recognised through `require`, default/namespace/named imports, TypeScript
//! `import x = require()`, destructuring and renames. Options objects are read from literals,
//! same-file constants, spreads of constants and step-by-step `opts.x = …` assignments.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::knowledge::{self, AlgItem, AllowList, Key, algorithm_choices, assess_allow_list, classify_key};
use super::scope::Scopes;
use super::syntax::{self, Field, MAX_DEPTH, elements, removal_range, text};
use super::{Options, Sink};
use crate::finding::{Finding, Fix, TextEdit};
use crate::rules::Rule;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lib {
    JsonWebToken,
    Jose,
    ExpressJwt,
    PassportJwt,
}

impl Lib {
    fn from_module(source: &str) -> Option<Lib> {
        Some(match source {
            "jsonwebtoken" => Lib::JsonWebToken,
            "jose" => Lib::Jose,
            // jose v3 shipped deep imports: `jose/jwt/verify`.
            source if source.starts_with("jose/") => Lib::Jose,
            "express-jwt" => Lib::ExpressJwt,
            "passport-jwt" => Lib::PassportJwt,
            _ => return None,
        })
    }
}

/// A name bound to a library or one of its exports (`path` is `""` for the module itself,
/// else `verify`, `UnsecuredJWT.decode`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Binding {
    lib: Lib,
    path: String,
}

impl Binding {
    fn module(lib: Lib) -> Binding {
        Binding { lib, path: String::new() }
    }

    fn member(&self, name: &str) -> Binding {
        let path = if self.path.is_empty() { name.to_string() } else { format!("{}.{name}", self.path) };
        Binding { lib: self.lib, path }
    }
}

const FUNCTION_KINDS: &[&str] = &[
    "function_declaration",
    "function_expression",
    "function",
    "arrow_function",
    "method_definition",
    "generator_function_declaration",
    "generator_function",
];

/// The node kinds the collection pass looks at (everything else is only walked through).
const COLLECTED_KINDS: &[&str] = &[
    "import_statement",
    "variable_declarator",
    "assignment_expression",
    "augmented_assignment_expression",
    "update_expression",
    "expression_statement",
    "call_expression",
    "new_expression",
    "function_declaration",
    "generator_function_declaration",
    "class_declaration",
    "formal_parameters",
    "arrow_function",
    "catch_clause",
];

/// Kinds whose insides hold no collected kind (template strings do: `${call()}`), so the walk
/// does not enter them.
const OPAQUE_KINDS: &[&str] = &["string", "regex"];

/// An options object as far as it can be read.
#[derive(Debug, Clone)]
struct ObjectModel<'t> {
    entries: Vec<Entry<'t>>,
    /// Every entry is known: no unresolved spread, no computed key, no unmodelled mutation.
    complete: bool,
    /// The object literal, where a fix can add a property.
    literal: Option<Node<'t>>,
}

#[derive(Debug, Clone)]
struct Entry<'t> {
    key: String,
    value: Node<'t>,
    /// The pair (or `opts.key = …` statement), where findings about it go.
    range: Range<usize>,
    /// Deletes the entry, where that is a clean edit.
    removal: Option<Range<usize>>,
}

impl<'t> ObjectModel<'t> {
    fn empty() -> ObjectModel<'t> {
        ObjectModel { entries: Vec::new(), complete: true, literal: None }
    }

    fn get(&self, key: &str) -> Option<&Entry<'t>> {
        // Later keys win, as in JavaScript.
        self.entries.iter().rev().find(|entry| entry.key == key)
    }
}

/// Which verifier a call is, for messages and the checks that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verifier {
    JsonWebToken,
    Jose,
    ExpressJwt,
    PassportJwt,
}

struct VerifyCall<'t> {
    verifier: Verifier,
    /// Where "missing …" findings go: the callee (`jwt.verify`, `expressjwt`, `JwtStrategy`).
    callee: Node<'t>,
    /// `None`: the options exist but cannot be read, so option checks are skipped.
    options: Option<ObjectModel<'t>>,
    /// With no options argument, a fix inserts `, { algorithms: [...] }` here.
    insert_options_at: Option<usize>,
    key: Option<Node<'t>>,
    token: Option<Node<'t>>,
}

pub(super) fn analyze(source: &str, tree: &Tree, options: &Options, sink: &mut Sink) {
    let root = tree.root_node();
    let mut analyzer = Analyzer {
        src: source,
        options,
        root,
        bindings: HashMap::new(),
        scopes: Scopes::default(),
        calls: Vec::new(),
        enclosing: root.byte_range(),
        statement: None,
    };
    syntax::walk_scoped(root, FUNCTION_KINDS, COLLECTED_KINDS, OPAQUE_KINDS, |node, enclosing| {
        analyzer.enclosing = enclosing.clone();
        analyzer.collect(node);
    });
    if options.conventional_names && analyzer.bindings.is_empty() {
        // A Markdown fragment without imports: the names every README uses.
        analyzer.bindings.insert("jwt".into(), Binding::module(Lib::JsonWebToken));
        analyzer.bindings.insert("jose".into(), Binding::module(Lib::Jose));
    }
    if analyzer.bindings.is_empty() {
        return;
    }
    analyzer.check_calls(sink);
}

/// A call or `new` seen by the collection pass.
struct Call<'s, 't> {
    node: Node<'t>,
    /// The enclosing function (or file).
    scope: Range<usize>,
    /// The last segment of the callee's text (`jwt.verify` → `verify`), computed once: the text
    /// filter of `is_candidate` runs on it twice per call.
    callee_name: Option<&'s str>,
}

struct Analyzer<'s, 't> {
    src: &'s str,
    options: &'s Options,
    root: Node<'t>,
    bindings: HashMap<String, Binding>,
    scopes: Scopes<'t>,
    /// Every call and `new`, with its enclosing function (for "peek then verify").
    calls: Vec<Call<'s, 't>>,
    /// During collection: the enclosing function (or file) of the node being visited.
    enclosing: Range<usize>,
    /// During collection: the expression statement around the next assignment, if any.
    statement: Option<(usize, Node<'t>)>,
}

impl<'s, 't> Analyzer<'s, 't> {
    fn text(&self, node: Node<'_>) -> &'s str {
        text(node, self.src)
    }

    /// During collection: the scope of the node being visited (its enclosing function or file).
    fn scope(&self) -> Range<usize> {
        self.enclosing.clone()
    }

    // ---- pass 1: imports, definitions, assignments, calls ----

    fn collect(&mut self, node: Node<'t>) {
        match node.kind() {
            "import_statement" => self.collect_import(node),
            "variable_declarator" => self.collect_declarator(node),
            "assignment_expression" => self.collect_assignment(node),
            "augmented_assignment_expression" | "update_expression" => {
                if let Some(target) = node.field("left").or_else(|| node.field("argument"))
                    && target.kind() == "identifier"
                {
                    self.scopes.reassign(self.text(target), target.start_byte());
                }
            }
            "expression_statement" => {
                if let Some(expression) = node.named_child(0) {
                    self.statement = Some((expression.id(), node));
                }
            }
            "call_expression" | "new_expression" => self.collect_call(node),
            "function_declaration" | "generator_function_declaration" | "class_declaration" => {
                if let Some(name) = node.field("name") {
                    let scope = self.scope();
                    self.scopes.define(self.text(name), scope, name.start_byte(), Some(node), false);
                }
            }
            "formal_parameters" => {
                let scope = self.scope();
                for parameter in elements(node) {
                    self.define_pattern(parameter, scope.clone());
                }
            }
            "arrow_function" => {
                if let Some(parameter) = node.field("parameter") {
                    self.define_pattern(parameter, node.byte_range());
                }
            }
            "catch_clause" => {
                if let Some(parameter) = node.field("parameter") {
                    self.define_pattern(parameter, node.byte_range());
                }
            }
            _ => {}
        }
    }

    /// Defines every identifier in a parameter or destructuring pattern, with no known value.
    fn define_pattern(&mut self, pattern: Node<'t>, scope: Range<usize>) {
        let mut names = Vec::new();
        pattern_names(pattern, 0, &mut names);
        for name in names {
            self.scopes.define(self.text(name), scope.clone(), name.start_byte(), None, false);
        }
    }

    fn collect_import(&mut self, node: Node<'t>) {
        let source = node.field("source");
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                // TypeScript `import jwt = require('jsonwebtoken')`.
                "import_require_clause" => {
                    let Some(lib) = child
                        .field("source")
                        .and_then(|source| self.string_literal(source))
                        .and_then(|s| Lib::from_module(&s))
                    else {
                        continue;
                    };
                    if let Some(name) = child.named_child(0).filter(|name| name.kind() == "identifier") {
                        self.bind(name, Binding::module(lib));
                    }
                }
                "import_clause" => {
                    let Some(lib) =
                        source.and_then(|source| self.string_literal(source)).and_then(|s| Lib::from_module(&s))
                    else {
                        continue;
                    };
                    let mut inner = child.walk();
                    for part in child.named_children(&mut inner) {
                        match part.kind() {
                            "identifier" => self.bind(part, Binding::module(lib)),
                            "namespace_import" => {
                                if let Some(name) = part.named_child(0) {
                                    self.bind(name, Binding::module(lib));
                                }
                            }
                            "named_imports" => {
                                for specifier in elements(part)
                                    .into_iter()
                                    .filter(|specifier| specifier.kind() == "import_specifier")
                                {
                                    let Some(imported) = specifier.field("name") else { continue };
                                    let local = specifier.field("alias").unwrap_or(imported);
                                    let exported = self
                                        .string_literal(imported)
                                        .unwrap_or_else(|| self.text(imported).to_string());
                                    self.bind(local, Binding::module(lib).member(&exported));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn bind(&mut self, name: Node<'t>, binding: Binding) {
        let name_text = self.text(name).to_string();
        self.scopes.define(&name_text, self.root.byte_range(), name.start_byte(), None, true);
        self.bindings.insert(name_text, binding);
    }

    fn collect_declarator(&mut self, node: Node<'t>) {
        let Some(name) = node.field("name") else { return };
        let value = node.field("value");
        let scope = self.scope();
        let binding = value.and_then(|value| self.binding_of_value(value, 0));
        match name.kind() {
            "identifier" => {
                let name_text = self.text(name).to_string();
                self.scopes.define(&name_text, scope, name.start_byte(), value, binding.is_some());
                if let Some(binding) = binding {
                    self.bindings.insert(name_text, binding);
                }
            }
            "object_pattern" => {
                for property in elements(name) {
                    let (exported, local) = match property.kind() {
                        "shorthand_property_identifier_pattern" => (Some(property), Some(property)),
                        "pair_pattern" => {
                            let local = property.field("value").map(|value| match value.kind() {
                                "assignment_pattern" => value.field("left").unwrap_or(value),
                                _ => value,
                            });
                            (property.field("key"), local)
                        }
                        "object_assignment_pattern" => {
                            let left = property.field("left");
                            (left, left)
                        }
                        _ => {
                            self.define_pattern(property, scope.clone());
                            continue;
                        }
                    };
                    let (Some(exported), Some(local)) = (exported, local) else { continue };
                    if !matches!(local.kind(), "identifier" | "shorthand_property_identifier_pattern") {
                        self.define_pattern(local, scope.clone());
                        continue;
                    }
                    let local_text = self.text(local).to_string();
                    let member = binding.as_ref().map(|binding| {
                        binding
                            .member(&self.string_literal(exported).unwrap_or_else(|| self.text(exported).to_string()))
                    });
                    self.scopes.define(&local_text, scope.clone(), local.start_byte(), None, member.is_some());
                    if let Some(member) = member {
                        self.bindings.insert(local_text, member);
                    }
                }
            }
            _ => self.define_pattern(name, scope),
        }
    }

    fn collect_assignment(&mut self, node: Node<'t>) {
        let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else { return };
        match left.kind() {
            "identifier" => {
                let name = self.text(left).to_string();
                self.scopes.reassign(&name, left.start_byte());
                // `jwt = require('jsonwebtoken')` after `let jwt;`.
                if let Some(binding) = self.binding_of_value(right, 0) {
                    self.bindings.insert(name, binding);
                }
            }
            "member_expression" | "subscript_expression" => {
                let Some(object) = left.field("object").filter(|object| object.kind() == "identifier") else { return };
                let key = match left.kind() {
                    "member_expression" => left.field("property").map(|property| self.text(property).to_string()),
                    _ => left.field("index").and_then(|index| self.string_literal(index)),
                };
                let statement =
                    self.statement.filter(|(id, _)| *id == node.id()).map_or(node, |(_, statement)| statement);
                match key {
                    Some(key) => self.scopes.property(self.text(object), key, right, statement),
                    None => self.scopes.mutate(self.text(object), left.start_byte()),
                }
            }
            _ => {}
        }
    }

    /// Records a call with its callee's last name segment, and notes `Object.assign(opts, …)`,
    /// which changes `opts` in ways the model does not follow.
    fn collect_call(&mut self, call: Node<'t>) {
        // `new X(...)` starts with the unnamed `new` keyword; a call with its callee.
        let first = call.child(0);
        let callee = match first {
            Some(first) if !first.is_named() => call.child(1),
            first => first,
        };
        if let Some(function) = first
            && self.text(function) == "Object.assign"
            && let Some(target) = self.arguments(call).first().filter(|target| target.kind() == "identifier")
        {
            self.scopes.mutate(self.text(*target), target.start_byte());
        }
        let callee_name = callee.map(|callee| syntax::last_segment(self.text(callee)));
        self.calls.push(Call { node: call, scope: self.scope(), callee_name });
    }

    /// The library binding an initialiser produces: `require('jsonwebtoken')`,
    /// `require('jose').jwtVerify`, `await import('jose')`, `jwt.verify`, `promisify(jwt.verify)`.
    fn binding_of_value(&self, value: Node<'t>, depth: usize) -> Option<Binding> {
        if depth > MAX_DEPTH {
            return None;
        }
        let value = self.unwrap(value);
        match value.kind() {
            "await_expression" => self.binding_of_value(value.named_child(0)?, depth + 1),
            "call_expression" => {
                let function = value.field("function")?;
                let function_text = self.text(function);
                if matches!(function_text, "require" | "import") {
                    let module = self.string_literal(*self.arguments(value).first()?)?;
                    return Lib::from_module(&module).map(Binding::module);
                }
                if matches!(function_text, "promisify" | "util.promisify") {
                    return self.binding_of_value(*self.arguments(value).first()?, depth + 1);
                }
                None
            }
            "identifier" | "member_expression" | "subscript_expression" => self.resolve(value, depth + 1),
            _ => None,
        }
    }

    // ---- resolution ----

    /// The binding an identifier has at its position, unless a local definition shadows it.
    fn binding_at(&self, name: Node<'_>) -> Option<Binding> {
        let name_text = self.text(name);
        let binding = self.bindings.get(name_text)?;
        match self.scopes.innermost(name_text, name.start_byte()) {
            Some(definition) if !definition.binding => None,
            _ => Some(binding.clone()),
        }
    }

    /// The library path an expression denotes (`jwt.verify` → jsonwebtoken `verify`).
    fn resolve(&self, node: Node<'t>, depth: usize) -> Option<Binding> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        match node.kind() {
            "identifier" => self.binding_at(node),
            "member_expression" => {
                let object = node.field("object")?;
                let property = node.field("property")?;
                Some(self.resolve(object, depth + 1)?.member(self.text(property)))
            }
            "subscript_expression" => {
                let object = node.field("object")?;
                let index = self.string_literal(node.field("index")?)?;
                Some(self.resolve(object, depth + 1)?.member(&index))
            }
            "call_expression" => {
                let function = node.field("function")?;
                if self.text(function) == "require" {
                    let module = self.string_literal(*self.arguments(node).first()?)?;
                    return Lib::from_module(&module).map(Binding::module);
                }
                None
            }
            _ => None,
        }
    }

    /// Strips wrappers that do not change a value: parentheses, TypeScript `as`/`!`/`satisfies`.
    fn unwrap(&self, mut node: Node<'t>) -> Node<'t> {
        for _ in 0..MAX_DEPTH {
            match node.kind() {
                "parenthesized_expression" | "as_expression" | "satisfies_expression" | "non_null_expression" => {
                    match node.named_child(0) {
                        Some(inner) => node = inner,
                        None => break,
                    }
                }
                "type_assertion" => match node.named_child(node.named_child_count().saturating_sub(1) as u32) {
                    Some(inner) => node = inner,
                    None => break,
                },
                _ => break,
            }
        }
        node
    }

    fn arguments(&self, call: Node<'t>) -> Vec<Node<'t>> {
        call.field("arguments").map(elements).unwrap_or_default()
    }

    fn is_identifier(node: Node<'_>) -> bool {
        matches!(node.kind(), "identifier" | "shorthand_property_identifier")
    }

    /// The value of an identifier from its single same-file definition.
    fn definition_value(&self, node: Node<'t>) -> Option<Node<'t>> {
        Analyzer::is_identifier(node).then(|| self.scopes.value(self.text(node), node.start_byte())).flatten()
    }

    fn string_literal(&self, node: Node<'_>) -> Option<String> {
        match node.kind() {
            "string" => {
                let mut value = String::new();
                let mut cursor = node.walk();
                for part in node.named_children(&mut cursor) {
                    value.push_str(self.text(part));
                }
                Some(value)
            }
            "template_string" => {
                let mut value = String::new();
                let mut cursor = node.walk();
                for part in node.named_children(&mut cursor) {
                    match part.kind() {
                        "string_fragment" | "escape_sequence" => value.push_str(self.text(part)),
                        _ => return None,
                    }
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
        let node = self.unwrap(node);
        if let Some(literal) = self.string_literal(node) {
            return Some(literal);
        }
        match node.kind() {
            "identifier" | "shorthand_property_identifier" => {
                self.string_value(self.definition_value(node)?, depth + 1)
            }
            "member_expression" => {
                let value = self.member_value(node, depth)?;
                self.string_value(value, depth + 1)
            }
            "binary_expression" if node.field("operator").is_some_and(|op| self.text(op) == "+") => {
                let left = self.string_value(node.field("left")?, depth + 1)?;
                let right = self.string_value(node.field("right")?, depth + 1)?;
                Some(left + &right)
            }
            _ => None,
        }
    }

    fn number_value(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        match node.kind() {
            "number" => {
                let literal = self.text(node).replace('_', "");
                match literal.strip_prefix("0x").or_else(|| literal.strip_prefix("0X")) {
                    Some(hex) => i64::from_str_radix(hex, 16).ok().map(|value| value as f64),
                    None => literal.trim_end_matches('n').parse().ok(),
                }
            }
            "unary_expression" => {
                let operand = self.number_value(node.field("argument")?, depth + 1)?;
                match self.text(node.field("operator")?) {
                    "-" => Some(-operand),
                    "+" => Some(operand),
                    _ => None,
                }
            }
            "binary_expression" => {
                let left = self.number_value(node.field("left")?, depth + 1)?;
                let right = self.number_value(node.field("right")?, depth + 1)?;
                match self.text(node.field("operator")?) {
                    "*" => Some(left * right),
                    "+" => Some(left + right),
                    "-" => Some(left - right),
                    "/" if right != 0.0 => Some(left / right),
                    _ => None,
                }
            }
            "identifier" | "shorthand_property_identifier" => {
                self.number_value(self.definition_value(node)?, depth + 1)
            }
            "member_expression" => self.number_value(self.member_value(node, depth)?, depth + 1),
            _ => None,
        }
    }

    fn bool_value(&self, node: Node<'t>, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        match node.kind() {
            "true" => Some(true),
            "false" => Some(false),
            "unary_expression" if node.field("operator").is_some_and(|op| self.text(op) == "!") => {
                let argument = node.field("argument")?;
                match self.number_value(argument, depth + 1) {
                    Some(number) => Some(number == 0.0),
                    None => self.bool_value(argument, depth + 1).map(|value| !value),
                }
            }
            "identifier" | "shorthand_property_identifier" => self.bool_value(self.definition_value(node)?, depth + 1),
            "member_expression" => self.bool_value(self.member_value(node, depth)?, depth + 1),
            _ => None,
        }
    }

    /// `config.jwt.secret` where `config` is a same-file object literal.
    fn member_value(&self, node: Node<'t>, depth: usize) -> Option<Node<'t>> {
        let object = node.field("object")?;
        let property = node.field("property")?;
        let model = self.object_model(object, depth + 1)?;
        Some(model.get(self.text(property))?.value)
    }

    fn object_model(&self, node: Node<'t>, depth: usize) -> Option<ObjectModel<'t>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        match node.kind() {
            "object" => {
                let items = elements(node);
                let mut model = ObjectModel { entries: Vec::new(), complete: true, literal: Some(node) };
                for (index, item) in items.iter().enumerate() {
                    let removal = Some(removal_range(&items, index));
                    match item.kind() {
                        "pair" => {
                            let key = item.field("key").and_then(|key| match key.kind() {
                                "property_identifier" | "number" => Some(self.text(key).to_string()),
                                "string" => self.string_literal(key),
                                _ => None,
                            });
                            match (key, item.field("value")) {
                                (Some(key), Some(value)) => {
                                    model.entries.push(Entry { key, value, range: item.byte_range(), removal })
                                }
                                _ => model.complete = false,
                            }
                        }
                        "shorthand_property_identifier" => model.entries.push(Entry {
                            key: self.text(*item).to_string(),
                            value: *item,
                            range: item.byte_range(),
                            removal,
                        }),
                        "method_definition" => match item.field("name") {
                            Some(name) => model.entries.push(Entry {
                                key: self.text(name).to_string(),
                                value: *item,
                                range: item.byte_range(),
                                removal,
                            }),
                            None => model.complete = false,
                        },
                        "spread_element" => {
                            match item.named_child(0).and_then(|inner| self.object_model(inner, depth + 1)) {
                                Some(spread) => {
                                    model.complete &= spread.complete;
                                    model.entries.extend(
                                        spread.entries.into_iter().map(|entry| Entry { removal: None, ..entry }),
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
            "identifier" | "shorthand_property_identifier" => {
                let name = self.text(node);
                let value = self.scopes.value(name, node.start_byte())?;
                let mut model = self.object_model(value, depth + 1)?;
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
            "member_expression" => self.object_model(self.member_value(node, depth)?, depth + 1),
            _ => None,
        }
    }

    fn is_function(&self, node: Node<'t>) -> bool {
        let node = self.unwrap(node);
        match node.kind() {
            "arrow_function" | "function_expression" | "function" | "generator_function" => true,
            "identifier" => self
                .scopes
                .lookup(self.text(node), node.start_byte())
                .and_then(|definition| definition.value)
                .is_some_and(|value| {
                    matches!(
                        value.kind(),
                        "function_declaration" | "arrow_function" | "function_expression" | "function"
                    )
                }),
            _ => false,
        }
    }

    // ---- evidence: keys, secrets, token sources ----

    /// The key expression's text plus the text of what it resolves to, for classification.
    fn key(&self, node: Node<'t>) -> Key {
        let node = self.unwrap(node);
        if let Some(literal) = self.string_value(node, 0) {
            return classify_key(&literal, true);
        }
        // `new TextEncoder().encode(x)`, `Buffer.from(x)`, `createSecretKey(x)` wrap a secret.
        if node.kind() == "call_expression" {
            let function = node.field("function").map(|function| self.text(function)).unwrap_or("");
            if (function.ends_with(".encode")
                || function.ends_with("Buffer.from")
                || function.ends_with("createSecretKey"))
                && let Some(inner) = self.arguments(node).first()
            {
                let key = self.key(*inner);
                return if key.kind == knowledge::KeyKind::Unknown {
                    Key { kind: knowledge::KeyKind::Secret, public: false }
                } else {
                    key
                };
            }
        }
        let mut evidence = self.text(node).to_string();
        let mut current = node;
        for _ in 0..3 {
            let next = match current.kind() {
                "identifier" => {
                    self.scopes.lookup(self.text(current), current.start_byte()).and_then(|definition| definition.value)
                }
                "member_expression" => self.member_value(current, 0),
                _ => None,
            };
            let Some(next) = next else { break };
            let next = self.unwrap(next);
            if let Some(literal) = self.string_value(next, 0) {
                return classify_key(&literal, true);
            }
            evidence.push(' ');
            evidence.push_str(syntax::prefix(self.text(next), 2000));
            current = next;
        }
        classify_key(&evidence, false)
    }

    /// String literals that end up as the secret (through constants, `||` fallbacks, ternaries,
    /// `Buffer.from`, `TextEncoder().encode`).
    fn secret_literals(&self, node: Node<'t>, depth: usize, out: &mut Vec<(String, Node<'t>)>) {
        if depth > MAX_DEPTH {
            return;
        }
        let node = self.unwrap(node);
        if let Some(literal) = self.string_literal(node) {
            out.push((literal, node));
            return;
        }
        match node.kind() {
            "identifier" | "shorthand_property_identifier" => {
                if let Some(value) = self.definition_value(node) {
                    self.secret_literals(value, depth + 1, out);
                }
            }
            "member_expression" => {
                if let Some(value) = self.member_value(node, depth) {
                    self.secret_literals(value, depth + 1, out);
                }
            }
            "binary_expression" if node.field("operator").is_some_and(|op| matches!(self.text(op), "||" | "??")) => {
                for side in ["left", "right"] {
                    if let Some(side) = node.field(side) {
                        self.secret_literals(side, depth + 1, out);
                    }
                }
            }
            "ternary_expression" => {
                for branch in ["consequence", "alternative"] {
                    if let Some(branch) = node.field(branch) {
                        self.secret_literals(branch, depth + 1, out);
                    }
                }
            }
            "call_expression" => {
                let function = node.field("function").map(|function| self.text(function)).unwrap_or("");
                if ((function.ends_with(".encode") && function.contains("TextEncoder"))
                    || function.ends_with("Buffer.from")
                    || function.ends_with("createSecretKey"))
                    && let Some(inner) = self.arguments(node).first()
                {
                    self.secret_literals(*inner, depth + 1, out);
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

    /// The raw `Authorization` header: `req.headers.authorization`, `req.get('Authorization')`,
    /// `request.headers.get('authorization')`, or a constant holding one of them.
    fn is_raw_authorization(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let node = self.unwrap(node);
        let is_headers = |object: Option<Node<'t>>| {
            object.map(|object| self.unwrap(object)).is_some_and(|object| {
                object.kind() == "member_expression"
                    && object.field("property").is_some_and(|property| self.text(property) == "headers")
            })
        };
        match node.kind() {
            "member_expression" => {
                node.field("property").is_some_and(|property| self.text(property).eq_ignore_ascii_case("authorization"))
                    && is_headers(node.field("object"))
            }
            "subscript_expression" => {
                node.field("index")
                    .and_then(|index| self.string_literal(index))
                    .is_some_and(|index| index.eq_ignore_ascii_case("authorization"))
                    && is_headers(node.field("object"))
            }
            "call_expression" => {
                let getter = node
                    .field("function")
                    .filter(|function| function.kind() == "member_expression")
                    .and_then(|function| function.field("property"))
                    .is_some_and(|property| matches!(self.text(property), "get" | "header" | "getHeader"));
                getter
                    && self
                        .arguments(node)
                        .first()
                        .and_then(|argument| self.string_literal(*argument))
                        .is_some_and(|name| name.eq_ignore_ascii_case("authorization"))
            }
            "identifier" => {
                self.definition_value(node).is_some_and(|value| self.is_raw_authorization(value, depth + 1))
            }
            _ => false,
        }
    }

    /// The token's own `alg`: `decoded.header.alg`, `header.alg`, `decodeProtectedHeader(t).alg`,
    /// or a constant holding it.
    fn is_token_alg(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let node = self.unwrap(node);
        let (object, key) = match node.kind() {
            "member_expression" => (node.field("object"), node.field("property").map(|p| self.text(p).to_string())),
            "subscript_expression" => (node.field("object"), node.field("index").and_then(|i| self.string_literal(i))),
            "identifier" => {
                return self.definition_value(node).is_some_and(|value| self.is_token_alg(value, depth + 1));
            }
            _ => return false,
        };
        key.as_deref() == Some("alg") && object.is_some_and(|object| self.is_token_header(object, depth + 1))
    }

    fn is_token_header(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let node = self.unwrap(node);
        match node.kind() {
            "member_expression" => node.field("property").is_some_and(|property| self.text(property) == "header"),
            "call_expression" => {
                node.field("function").and_then(|function| self.resolve(function, 0)).is_some_and(|binding| {
                    matches!(
                        (binding.lib, binding.path.as_str()),
                        (Lib::Jose, "decodeProtectedHeader") | (Lib::JsonWebToken, "decode")
                    )
                })
            }
            "identifier" => {
                self.text(node).to_ascii_lowercase().contains("header")
                    || self.definition_value(node).is_some_and(|value| self.is_token_header(value, depth + 1))
            }
            _ => false,
        }
    }

    fn allow_list(&self, value: Node<'t>) -> Option<AllowList> {
        let value = self.unwrap(value);
        let render: Box<dyn Fn(&str) -> String> = Box::new(|algorithm: &str| format!("'{algorithm}'"));
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
        let mut array = value;
        for _ in 0..MAX_DEPTH {
            if array.kind() == "array" {
                break;
            }
            array = match array.kind() {
                "identifier" => self.definition_value(array)?,
                "member_expression" => self.member_value(array, 0)?,
                _ => return None,
            };
            array = self.unwrap(array);
        }
        if array.kind() != "array" {
            return None;
        }
        let elements = elements(array);
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

    // ---- pass 2: judging calls ----

    /// Whether a call may be a library call at all, judged on its callee's text alone: most calls
    /// in a file (`res.json(...)`, `db.query(...)`) are dropped here without resolving anything.
    fn is_candidate(&self, call: &Call<'_, '_>) -> bool {
        call.callee_name.is_some_and(|name| KNOWN_EXPORTS.contains(&name) || self.bindings.contains_key(name))
    }

    fn check_calls(&self, sink: &mut Sink) {
        let resolved: Vec<(Node<'t>, Node<'t>, Binding, Range<usize>)> = self
            .calls
            .iter()
            .filter(|call| self.is_candidate(call))
            .filter_map(|call| {
                let node = call.node;
                let callee = node.field("function").or_else(|| node.field("constructor"))?;
                Some((node, callee, self.resolve(callee, 0)?, call.scope.clone()))
            })
            .collect();
        // Verified tokens per call, for "peek then verify".
        let verified: Vec<(Node<'t>, String)> = resolved
            .iter()
            .filter(|(call, _, binding, _)| call.kind() == "call_expression" && is_verify(binding))
            .filter_map(|(call, _, _, _)| Some((*call, syntax::normalized(self.text(*self.arguments(*call).first()?)))))
            .collect();
        for (call, callee, binding, scope) in &resolved {
            let (call, callee) = (*call, *callee);
            let arguments = self.arguments(call);
            if call.kind() == "new_expression" {
                match (binding.lib, binding.path.as_str()) {
                    (Lib::PassportJwt, "Strategy") => self.check_passport(sink, callee, &arguments),
                    (Lib::Jose, "UnsecuredJWT") if !self.options.context.in_test_path => sink.push(Finding::new(
                        Rule::VerifyAllowsNone,
                        callee.byte_range(),
                        "`UnsecuredJWT` creates an unsigned (`alg: none`) token: anyone can alter its claims, and only verifiers that accept `none` read it (RFC 7518 §3.6).",
                    )),
                    _ => {}
                }
                continue;
            }
            match (binding.lib, binding.path.as_str()) {
                (Lib::JsonWebToken, "verify") => self.check_jsonwebtoken_verify(sink, callee, &arguments),
                (Lib::JsonWebToken, "decode") | (Lib::Jose, "decodeJwt" | "UnsecuredJWT.decode") => {
                    self.check_decode(sink, scope.clone(), callee, arguments.first().copied(), &verified, binding)
                }
                (Lib::JsonWebToken, "sign") => self.check_jsonwebtoken_sign(sink, &arguments),
                (Lib::Jose, "jwtVerify" | "compactVerify" | "flattenedVerify" | "generalVerify") => {
                    self.check_jose_verify(sink, callee, &arguments, binding.path == "jwtVerify")
                }
                (Lib::ExpressJwt, "" | "expressjwt" | "default") => self.check_express_jwt(sink, callee, &arguments),
                _ => {}
            }
        }
        // jose `new SignJWT(claims)…sign(key)`: the key is the last call of the chain.
        for call in &self.calls {
            if call.node.kind() == "call_expression" && self.is_candidate(call) {
                self.check_sign_jwt_chain(sink, call.node);
            }
        }
    }

    fn check_jsonwebtoken_verify(&self, sink: &mut Sink, callee: Node<'t>, arguments: &[Node<'t>]) {
        if arguments.len() < 2 || arguments.iter().any(|argument| argument.kind() == "spread_element") {
            return;
        }
        let options = match arguments.get(2) {
            None => Some(ObjectModel::empty()),
            Some(&third) if self.is_function(third) => Some(ObjectModel::empty()),
            Some(&third) => self.object_model(third, 0),
        };
        self.check_verifier(
            sink,
            VerifyCall {
                verifier: Verifier::JsonWebToken,
                callee,
                options,
                insert_options_at: Some(arguments[1].end_byte()),
                key: Some(arguments[1]),
                token: Some(arguments[0]),
            },
        );
    }

    fn check_jose_verify(&self, sink: &mut Sink, callee: Node<'t>, arguments: &[Node<'t>], checks_claims: bool) {
        if arguments.len() < 2 || arguments.iter().any(|argument| argument.kind() == "spread_element") {
            return;
        }
        let options = match arguments.get(2) {
            None => Some(ObjectModel::empty()),
            Some(&third) => self.object_model(third, 0),
        };
        // Claim options only exist on jwtVerify; the others verify a bare JWS.
        let options =
            if checks_claims { options } else { options.map(|model| ObjectModel { complete: false, ..model }) };
        self.check_verifier(
            sink,
            VerifyCall {
                verifier: Verifier::Jose,
                callee,
                options,
                insert_options_at: None,
                key: Some(arguments[1]),
                token: Some(arguments[0]),
            },
        );
    }

    fn check_express_jwt(&self, sink: &mut Sink, callee: Node<'t>, arguments: &[Node<'t>]) {
        let Some(options) = arguments.first().and_then(|first| self.object_model(*first, 0)) else { return };
        let key = options.get("secret").map(|entry| entry.value);
        self.check_verifier(
            sink,
            VerifyCall {
                verifier: Verifier::ExpressJwt,
                callee,
                options: Some(options),
                insert_options_at: None,
                key,
                token: None,
            },
        );
    }

    fn check_passport(&self, sink: &mut Sink, callee: Node<'t>, arguments: &[Node<'t>]) {
        let Some(mut options) = arguments.first().and_then(|first| self.object_model(*first, 0)) else { return };
        // `jsonWebTokenOptions` are handed to jsonwebtoken.verify: read them as if top-level,
        // without letting a fix edit them.
        if let Some(nested) = options.get("jsonWebTokenOptions").map(|entry| entry.value) {
            match self.object_model(nested, 0) {
                Some(nested) => {
                    options.complete &= nested.complete;
                    let mut merged: Vec<Entry<'t>> = nested.entries;
                    merged.extend(options.entries);
                    options.entries = merged;
                }
                None => options.complete = false,
            }
        }
        let key = options.get("secretOrKey").map(|entry| entry.value);
        self.check_verifier(
            sink,
            VerifyCall {
                verifier: Verifier::PassportJwt,
                callee,
                options: Some(options),
                insert_options_at: None,
                key,
                token: None,
            },
        );
    }

    /// The checks every Node verifier shares.
    fn check_verifier(&self, sink: &mut Sink, call: VerifyCall<'t>) {
        let key = call.key.map(|key| self.key(key)).unwrap_or(Key::UNKNOWN);
        let (name, key_place) = match call.verifier {
            Verifier::JsonWebToken => ("jwt.verify", "jsonwebtoken verify key"),
            Verifier::Jose => ("jwtVerify", "jose verify key"),
            Verifier::ExpressJwt => ("expressjwt", "express-jwt `secret`"),
            Verifier::PassportJwt => ("JwtStrategy", "passport-jwt `secretOrKey`"),
        };
        if let Some(key_node) = call.key {
            self.report_secrets(sink, key_node, key_place);
        }
        if let Some(token) = call.token
            && self.is_raw_authorization(token, 0)
        {
            let token_text = self.text(token);
            sink.push(
                Finding::new(
                    Rule::VerifyBearerPrefix,
                    token.byte_range(),
                    "The raw `Authorization` header is passed as the token: its value starts with `Bearer `, so verification fails with `jwt malformed` / `invalid token`. Strip the scheme first.",
                )
                .with_fix(Fix {
                    title: "Strip the `Bearer ` prefix".into(),
                    edits: vec![TextEdit { range: token.byte_range(), new_text: format!("({token_text} ?? '').replace(/^Bearer\\s+/i, '')") }],
                    preferred: true,
                }),
            );
        }
        let Some(options) = call.options else { return };
        match options.get("algorithms") {
            Some(entry) => {
                if let Some(list) = self.allow_list(entry.value) {
                    assess_allow_list(sink, &list, key);
                }
            }
            None if options.complete && call.verifier != Verifier::Jose => {
                let message = match call.verifier {
                    Verifier::JsonWebToken => {
                        "`jwt.verify` has no `algorithms` allow-list: jsonwebtoken 9 derives it from the key type, and jsonwebtoken ≤ 8 accepts whatever algorithm the token names, `none` included (CVE-2022-23540, RFC 8725 §3.1). Pin the algorithm your key uses."
                    }
                    Verifier::ExpressJwt => {
                        "`expressjwt` has no `algorithms` allow-list: express-jwt ≥ 6 refuses to start (`algorithms should be set`), older versions accept any algorithm (CVE-2020-15084)."
                    }
                    _ => {
                        "The `JwtStrategy` options have no `algorithms` allow-list: passport-jwt then accepts every algorithm jsonwebtoken derives from the key (RFC 8725 §3.1). Pin the algorithm your key uses."
                    }
                };
                let mut finding = Finding::new(Rule::VerifyMissingAlgorithms, call.callee.byte_range(), message);
                for (algorithm, preferred) in algorithm_choices(key) {
                    let property = format!("algorithms: ['{algorithm}']");
                    let edit = match (options.literal, call.insert_options_at) {
                        (Some(literal), _) => insert_property(literal, &property),
                        (None, Some(at)) if options.entries.is_empty() => {
                            TextEdit { range: at..at, new_text: format!(", {{ {property} }}") }
                        }
                        _ => continue,
                    };
                    finding = finding.with_fix(Fix {
                        title: format!("Allow only `{algorithm}`"),
                        edits: vec![edit],
                        preferred,
                    });
                }
                sink.push(finding);
            }
            None => {}
        }
        if call.verifier != Verifier::Jose {
            for option in ["ignoreExpiration", "ignoreNotBefore"] {
                let Some(entry) = options.get(option) else { continue };
                if self.bool_value(entry.value, 0) != Some(true) {
                    continue;
                }
                let claim =
                    if option == "ignoreExpiration" { "expired tokens (`exp`)" } else { "tokens before their `nbf`" };
                let mut finding = Finding::new(
                    Rule::VerifyExpiryDisabled,
                    entry.range.clone(),
                    format!(
                        "`{option}: true` makes {name} accept {claim}: a leaked token stays valid forever (RFC 7519 §4.1.4)."
                    ),
                );
                if let Some(removal) = entry.removal.clone() {
                    finding = finding.with_fix(Fix {
                        title: format!("Remove `{option}`"),
                        edits: vec![TextEdit { range: removal, new_text: String::new() }],
                        preferred: true,
                    });
                }
                sink.push(finding);
            }
        }
        if let Some(entry) = options.get("clockTolerance") {
            let seconds = self.number_value(entry.value, 0).or_else(|| {
                // jose also takes a time span string: "10 minutes".
                (call.verifier == Verifier::Jose)
                    .then(|| self.string_value(entry.value, 0).and_then(|span| knowledge::parse_timespan(&span)))
                    .flatten()
            });
            if let Some(seconds) = seconds {
                knowledge::report_leeway(sink, seconds, entry.value.byte_range(), "clockTolerance");
            }
        }
        if options.complete {
            if options.get("audience").is_none() {
                sink.push(Finding::new(
                    Rule::VerifyMissingAudience,
                    call.callee.byte_range(),
                    format!("{name} never checks `aud`: a token issued for another service by the same issuer is accepted (RFC 8725 §3.9). Pass `audience`."),
                ));
            }
            if options.get("issuer").is_none() {
                sink.push(Finding::new(
                    Rule::VerifyMissingIssuer,
                    call.callee.byte_range(),
                    format!("{name} never checks `iss`: tokens from any issuer that shares the key are accepted (RFC 8725 §3.8). Pass `issuer`."),
                ));
            }
        }
    }

    fn check_decode(
        &self,
        sink: &mut Sink,
        scope: Range<usize>,
        callee: Node<'t>,
        token: Option<Node<'t>>,
        verified: &[(Node<'t>, String)],
        binding: &Binding,
    ) {
        if let Some(token) = token {
            let token_text = syntax::normalized(self.text(token));
            if verified.iter().any(|(verify, verified_token)| {
                *verified_token == token_text && syntax::contains(scope.clone(), verify.byte_range())
            }) {
                return; // Peek then verify: the decode only picks the key.
            }
        }
        let (what, instead) = match (binding.lib, binding.path.as_str()) {
            (Lib::JsonWebToken, _) => ("`jwt.decode`", "`jwt.verify` with the key and an `algorithms` list"),
            (_, "decodeJwt") => ("`decodeJwt`", "`jwtVerify`"),
            _ => ("`UnsecuredJWT.decode`", "`jwtVerify` with a real key"),
        };
        sink.push(Finding::new(
            Rule::DecodeWithoutVerify,
            callee.byte_range(),
            format!("{what} returns the claims without checking the signature: anyone can write them. Use {instead} before trusting any claim."),
        ));
    }

    fn check_jsonwebtoken_sign(&self, sink: &mut Sink, arguments: &[Node<'t>]) {
        if let Some(key) = arguments.get(1) {
            self.report_secrets(sink, *key, "jsonwebtoken sign key");
        }
        if self.options.context.in_test_path {
            return;
        }
        let Some(options) = arguments.get(2).and_then(|options| self.object_model(*options, 0)) else { return };
        if let Some(entry) = options.get("algorithm")
            && self.string_value(entry.value, 0).is_some_and(|algorithm| algorithm.eq_ignore_ascii_case("none"))
        {
            sink.push(Finding::new(
                Rule::VerifyAllowsNone,
                entry.range.clone(),
                "Signs with `algorithm: 'none'`: the token carries no signature, anyone can change its claims, and only verifiers that accept `none` take it (RFC 7518 §3.6).",
            ));
        }
    }

    fn check_sign_jwt_chain(&self, sink: &mut Sink, call: Node<'t>) {
        let Some(function) = call.field("function").filter(|function| function.kind() == "member_expression") else {
            return;
        };
        if function.field("property").is_none_or(|property| self.text(property) != "sign") {
            return;
        }
        let mut object = function.field("object");
        for _ in 0..MAX_DEPTH {
            let Some(current) = object.map(|object| self.unwrap(object)) else { return };
            match current.kind() {
                "new_expression" => {
                    let is_sign_jwt = current
                        .field("constructor")
                        .and_then(|constructor| self.resolve(constructor, 0))
                        .is_some_and(|binding| binding.lib == Lib::Jose && binding.path == "SignJWT");
                    if is_sign_jwt && let Some(key) = self.arguments(call).first() {
                        self.report_secrets(sink, *key, "jose SignJWT key");
                    }
                    return;
                }
                "call_expression" => object = current.field("function").and_then(|function| function.field("object")),
                _ => return,
            }
        }
    }
}

/// Export names worth resolving (the last segment of a callee); local aliases are caught by
/// the bindings instead.
const KNOWN_EXPORTS: &[&str] = &[
    "verify",
    "decode",
    "sign",
    "jwtVerify",
    "compactVerify",
    "flattenedVerify",
    "generalVerify",
    "decodeJwt",
    "expressjwt",
    "default",
    "Strategy",
    "UnsecuredJWT",
    "jwt",
    "jose",
];

fn is_verify(binding: &Binding) -> bool {
    matches!(
        (binding.lib, binding.path.as_str()),
        (Lib::JsonWebToken, "verify")
            | (Lib::Jose, "jwtVerify" | "compactVerify" | "flattenedVerify" | "generalVerify")
    )
}

/// Adds `property` to an object literal: before the first entry, or as the only one.
fn insert_property(object: Node<'_>, property: &str) -> TextEdit {
    match elements(object).first() {
        Some(first) => TextEdit { range: first.start_byte()..first.start_byte(), new_text: format!("{property}, ") },
        None => TextEdit { range: object.byte_range(), new_text: format!("{{ {property} }}") },
    }
}

/// The names a parameter or destructuring pattern binds (defaults and types skipped).
fn pattern_names<'t>(node: Node<'t>, depth: usize, out: &mut Vec<Node<'t>>) {
    if depth > MAX_DEPTH {
        return;
    }
    match node.kind() {
        "identifier" | "shorthand_property_identifier_pattern" => out.push(node),
        "assignment_pattern" | "object_assignment_pattern" => {
            if let Some(left) = node.field("left") {
                pattern_names(left, depth + 1, out);
            }
        }
        "pair_pattern" => {
            if let Some(value) = node.field("value") {
                pattern_names(value, depth + 1, out);
            }
        }
        "required_parameter" | "optional_parameter" => {
            if let Some(pattern) = node.field("pattern") {
                pattern_names(pattern, depth + 1, out);
            }
        }
        "rest_pattern" | "object_pattern" | "array_pattern" => {
            for child in elements(node) {
                pattern_names(child, depth + 1, out);
            }
        }
        _ => {}
    }
}
