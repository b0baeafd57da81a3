//! JavaScript, TypeScript and TSX: `jsonwebtoken`, `jose` (v3+), `express-jwt` and
//! `passport-jwt`, recognised through `require`, default/namespace/named imports, TypeScript
//! `import x = require()`, destructuring and renames. Options objects are read from literals,
//! same-file constants, spreads of constants and step-by-step `opts.x = …` assignments.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::evaluate::{self, Collect, Entry, Evaluator, Kinds, Mapping, MappingKinds, SourceFile, Walk};
use super::knowledge::{self, AllowList, Key, classify_key};
use super::library::{self, Ecosystem, Slot};
use super::model::{
    Algorithms, Anchor, CallSite, Check, Dialect, Expr, Given, KeyArg, KeySource, Model, Operation,
    Options as CallOptions, PathBase, Switch, TokenArg, Use, Value,
};
use super::syntax::{self, Field, MAX_DEPTH, elements, text};
use super::{Options, Sink};
use crate::finding::TextEdit;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lib {
    JsonWebToken,
    Jose,
    ExpressJwt,
    PassportJwt,
    KoaJwt,
    NestJwt,
    NestPassport,
    FastifyJwt,
    JwtSimple,
    Hono,
}

impl Lib {
    /// The package name, as `library::FUNCTIONS` knows it.
    fn name(self) -> &'static str {
        match self {
            Lib::JsonWebToken => "jsonwebtoken",
            Lib::Jose => "jose",
            Lib::ExpressJwt => "express-jwt",
            Lib::PassportJwt => "passport-jwt",
            Lib::KoaJwt => "koa-jwt",
            Lib::NestJwt => "@nestjs/jwt",
            Lib::NestPassport => "@nestjs/passport",
            Lib::FastifyJwt => "@fastify/jwt",
            Lib::JwtSimple => "jwt-simple",
            Lib::Hono => "hono",
        }
    }

    fn from_name(name: &str) -> Option<Lib> {
        ALL_LIBS.iter().copied().find(|lib| lib.name() == name)
    }

    fn from_module(source: &str) -> Option<Lib> {
        Some(match source {
            "jsonwebtoken" => Lib::JsonWebToken,
            "jose" => Lib::Jose,
            // jose v3 shipped deep imports: `jose/jwt/verify`.
            source if source.starts_with("jose/") => Lib::Jose,
            "express-jwt" => Lib::ExpressJwt,
            "passport-jwt" => Lib::PassportJwt,
            "koa-jwt" => Lib::KoaJwt,
            "@nestjs/jwt" => Lib::NestJwt,
            "@nestjs/passport" => Lib::NestPassport,
            "@fastify/jwt" | "fastify-jwt" => Lib::FastifyJwt,
            "jwt-simple" => Lib::JwtSimple,
            "hono/jwt" | "hono/utils/jwt" | "hono/utils/jwt/jwt" => Lib::Hono,
            _ => return None,
        })
    }
}

const ALL_LIBS: &[Lib] = &[
    Lib::JsonWebToken,
    Lib::Jose,
    Lib::ExpressJwt,
    Lib::PassportJwt,
    Lib::KoaJwt,
    Lib::NestJwt,
    Lib::NestPassport,
    Lib::FastifyJwt,
    Lib::JwtSimple,
    Lib::Hono,
];

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

pub(super) fn analyze(source: &str, tree: &Tree, options: &Options, sink: &mut Sink) {
    evaluate::judge(&model(source, tree, options), &JsDialect { src: source }, options, sink);
}

/// The call sites of JWT libraries in one source text.
pub(super) fn model(source: &str, tree: &Tree, options: &Options) -> Model {
    let mut analyzer = Analyzer {
        file: SourceFile::new(source, tree),
        bindings: HashMap::new(),
        instance_fields: HashMap::new(),
        reads: std::cell::RefCell::new(HashMap::new()),
        destructured: Vec::new(),
        calls: Vec::new(),
        statement: None,
    };
    analyzer.collect_file();
    if options.conventional_names && analyzer.bindings.is_empty() {
        // A Markdown fragment without imports: the names every README uses.
        analyzer.bindings.insert("jwt".into(), Binding::module(Lib::JsonWebToken));
        analyzer.bindings.insert("jose".into(), Binding::module(Lib::Jose));
    }
    if analyzer.bindings.is_empty() {
        return Model::default();
    }
    analyzer.model()
}

/// What reading these properties of a decoded token amounts to (nothing read: the claims).
fn use_of(properties: &[&str]) -> Use {
    evaluate::members_use(properties, &["header"], &["exp", "iat", "nbf"])
}

/// The ancestors of `node` from `root` down to its parent (empty when `node` is `root`; `None`
/// when it is not below `root`), found by descending towards it: `Node::parent` re-walks from
/// the tree's root.
fn ancestors_below<'t>(root: Node<'t>, node: Node<'t>) -> Option<Vec<Node<'t>>> {
    let mut ancestors = Vec::new();
    let mut current = root;
    while current.id() != node.id() {
        ancestors.push(current);
        current = current.child_with_descendant(node)?;
    }
    Some(ancestors)
}

/// Wrappers that keep a call's value (`await`, parentheses, `as`, `!`): its use is what is
/// around them.
const VALUE_WRAPPERS: &[&str] =
    &["await_expression", "parenthesized_expression", "as_expression", "non_null_expression"];

/// The parent of `call` below `root`, past `VALUE_WRAPPERS`.
fn call_parent<'t>(root: Node<'t>, call: Node<'t>) -> Option<Node<'t>> {
    ancestors_below(root, call)?.into_iter().rev().find(|ancestor| !VALUE_WRAPPERS.contains(&ancestor.kind()))
}

/// Decodes in one function (or the file) answered by `reads_of` and `call_parent` before its
/// `ReadIndex` is built: a few targeted lookups cost less than indexing every node of the scope
/// (a whole-file walk per keystroke while a typed statement is unclosed), many cost more.
const TARGETED_DECODES: u32 = 4;

/// Reads of names and the parents of calls in one function (or the file), indexed in one walk
/// once more than `TARGETED_DECODES` decodes there asked: `Node::parent` re-walks from the root,
/// so asking it per decode would be quadratic. Gives what `reads_of` and `call_parent` give.
struct ReadIndex<'s, 't> {
    /// Name → every read: its position, and the property read through it (`None`: the whole value).
    reads: HashMap<&'s str, Vec<(usize, Option<&'s str>)>>,
    /// Call → its parent, past `VALUE_WRAPPERS`.
    call_parents: HashMap<usize, Node<'t>>,
}

impl<'s, 't> ReadIndex<'s, 't> {
    fn build(root: Node<'t>, src: &'s str) -> ReadIndex<'s, 't> {
        let mut index = ReadIndex { reads: HashMap::new(), call_parents: HashMap::new() };
        syntax::walk_with_ancestors(root, |node, ancestors| {
            match node.kind() {
                "identifier" => {
                    let property = property_read_through(node, ancestors, src);
                    index.reads.entry(text(node, src)).or_default().push((node.start_byte(), property));
                }
                "call_expression" => {
                    if let Some(parent) =
                        ancestors.iter().rev().find(|ancestor| !VALUE_WRAPPERS.contains(&ancestor.kind()))
                    {
                        index.call_parents.insert(node.id(), *parent);
                    }
                }
                _ => {}
            }
            true
        });
        index
    }
}

/// The property read through `identifier` (`name.x` gives `x`), from its parent among `ancestors`.
fn property_read_through<'s>(identifier: Node<'_>, ancestors: &[Node<'_>], src: &'s str) -> Option<&'s str> {
    ancestors
        .last()
        .filter(|parent| {
            parent.kind() == "member_expression"
                && parent.field("object").is_some_and(|object| object.id() == identifier.id())
        })
        .and_then(|member| member.field("property"))
        .map(|property| text(property, src))
}

/// What is known of one scope's reads: how many decodes asked so far, then its index.
enum ScopeReads<'s, 't> {
    Asked(u32),
    Indexed(std::rc::Rc<ReadIndex<'s, 't>>),
}

/// Every `identifier` named `name` below `root` (`root` included), in document order: its
/// position, and the property read through it (`name.x`; `None`: the whole value). The name's
/// occurrences are found in the text first and the walk enters only nodes that hold one:
/// indexing every node of the decode's function was a whole-file walk per keystroke while an
/// unclosed statement left the decode at the top level.
fn reads_of<'s>(root: Node<'_>, src: &'s str, name: &str) -> Vec<(usize, Option<&'s str>)> {
    let mut reads = Vec::new();
    let range = root.byte_range();
    let Some(region) = src.as_bytes().get(range.clone()) else { return reads };
    // Every match, overlapping ones included (the search restarts one byte after each). An empty
    // name (a declarator whose name error recovery made up) is read by empty identifiers, which
    // can be anywhere: that walk enters every node.
    let finder = memchr::memmem::Finder::new(name.as_bytes());
    let mut hits = Vec::new();
    let mut from = 0;
    while !name.is_empty()
        && let Some(found) = finder.find(&region[from..])
    {
        hits.push(range.start + from + found);
        from += found + 1;
    }
    let mut next = 0; // The first hit not before the current node.
    syntax::walk_with_ancestors(root, |node, ancestors| {
        let (start, end) = (node.start_byte(), node.end_byte());
        while hits.get(next).is_some_and(|&hit| hit < start) {
            next += 1;
        }
        let at_hit = name.is_empty() || hits.get(next) == Some(&start);
        if at_hit && end - start == name.len() && node.kind() == "identifier" {
            reads.push((start, property_read_through(node, ancestors, src)));
        }
        name.is_empty() || hits.get(next).is_some_and(|&hit| hit < end)
    });
    reads
}

/// A name bound by destructuring (`const { alg } = header`), with the keys it was read through.
struct Destructured<'t> {
    name: Node<'t>,
    path: Vec<String>,
    source: Node<'t>,
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
    file: SourceFile<'s, 't>,
    bindings: HashMap<String, Binding>,
    /// Per function (or the file) with a decode: its reads, looked up or indexed (`decoded_use`).
    reads: std::cell::RefCell<HashMap<(usize, usize), ScopeReads<'s, 't>>>,
    /// Names bound by destructuring, in source order.
    destructured: Vec<Destructured<'t>>,
    /// `this.x` bound to a library class instance through a TypeScript parameter property.
    instance_fields: HashMap<String, Binding>,
    /// Every call and `new`, with its enclosing function (for "peek then verify").
    calls: Vec<Call<'s, 't>>,
    /// During collection: the expression statement around the next assignment, if any.
    statement: Option<(usize, Node<'t>)>,
}

impl<'s, 't> Analyzer<'s, 't> {
    // ---- pass 1: imports, definitions, assignments, calls ----

    /// TypeScript `jwtService: JwtService` (a NestJS injection): the parameter is the library
    /// class's instance; with `private`/`readonly`/`public` it is also `this.jwtService`.
    fn collect_typed_parameter(&mut self, parameter: Node<'t>, scope: Range<usize>) {
        let Some(name) = parameter.field("pattern").filter(|pattern| pattern.kind() == "identifier") else { return };
        let Some(kind) = parameter.field("type").and_then(|annotation| annotation.named_child(0)) else { return };
        let Some(binding) = self.bindings.get(self.text(kind)).cloned() else { return };
        let name_text = self.text(name).to_string();
        self.file.scopes.define(&name_text, scope, name.start_byte(), None, true);
        let is_property = elements(parameter).iter().any(|child| child.kind() == "accessibility_modifier")
            || self.text(parameter).starts_with("readonly ");
        if is_property {
            self.instance_fields.insert(name_text.clone(), binding.clone());
        }
        self.bindings.insert(name_text, binding);
    }

    /// Defines every identifier in a parameter or destructuring pattern, with no known value.
    fn define_pattern(&mut self, pattern: Node<'t>, scope: Range<usize>) {
        let mut names = Vec::new();
        pattern_names(pattern, 0, &mut names);
        for name in names {
            self.file.scopes.define(self.text(name), scope.clone(), name.start_byte(), None, false);
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
        self.file.scopes.define(&name_text, self.file.root.byte_range(), name.start_byte(), None, true);
        self.bindings.insert(name_text, binding);
    }

    fn collect_declarator(&mut self, node: Node<'t>) {
        let Some(name) = node.field("name") else { return };
        let value = node.field("value");
        let scope = self.file.enclosing();
        let binding = value.and_then(|value| self.binding_of_value(value, 0));
        match name.kind() {
            "identifier" => {
                let name_text = self.text(name).to_string();
                self.file.scopes.define(&name_text, scope, name.start_byte(), value, binding.is_some());
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
                    let key = self.string_literal(exported).unwrap_or_else(|| self.text(exported).to_string());
                    if !matches!(local.kind(), "identifier" | "shorthand_property_identifier_pattern") {
                        // `{ header: { alg } } = jwt.decode(t, { complete: true })`: one level of nesting.
                        if local.kind() == "object_pattern"
                            && let Some(value) = value
                        {
                            for inner in elements(local) {
                                if inner.kind() == "shorthand_property_identifier_pattern" {
                                    self.destructured.push(Destructured {
                                        name: inner,
                                        path: vec![key.clone(), self.text(inner).to_string()],
                                        source: value,
                                    });
                                }
                            }
                        }
                        self.define_pattern(local, scope.clone());
                        continue;
                    }
                    if let Some(value) = value {
                        self.destructured.push(Destructured { name: local, path: vec![key.clone()], source: value });
                    }
                    let local_text = self.text(local).to_string();
                    let member = binding.as_ref().map(|binding| {
                        binding
                            .member(&self.string_literal(exported).unwrap_or_else(|| self.text(exported).to_string()))
                    });
                    self.file.scopes.define(&local_text, scope.clone(), local.start_byte(), None, member.is_some());
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
                self.file.scopes.reassign(&name, left.start_byte());
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
                    Some(key) => self.file.scopes.property(self.text(object), key, right, statement),
                    None => self.file.scopes.mutate(self.text(object), left.start_byte()),
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
            self.file.scopes.mutate(self.text(*target), target.start_byte());
        }
        let callee_name = callee.map(|callee| syntax::last_segment(self.text(callee)));
        self.calls.push(Call { node: call, scope: self.file.enclosing(), callee_name });
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
        self.file.scopes.binding(&self.bindings, self.text(name), name.start_byte()).cloned()
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
                if object.kind() == "this" {
                    return self.instance_fields.get(self.text(property)).cloned();
                }
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

    fn arguments(&self, call: Node<'t>) -> Vec<Node<'t>> {
        call.field("arguments").map(elements).unwrap_or_default()
    }

    fn number_value(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        match node.kind() {
            "number" => evaluate::number_literal(self.text(node)),
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
                evaluate::arithmetic(self.text(node.field("operator")?), left, right)
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
        let model = self.mapping(object, depth + 1)?;
        Some(model.get(self.text(property))?.value)
    }

    fn is_function(&self, node: Node<'t>) -> bool {
        let node = self.unwrap(node);
        match node.kind() {
            "arrow_function" | "function_expression" | "function" | "generator_function" => true,
            "identifier" => self
                .file
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
                || function.ends_with("createSecretKey")
                || function.ends_with("JWK.asKey"))
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
        self.key_evidence(node)
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

    /// An allow-list, or one algorithm (Hono `alg`, jwt-simple's fourth argument).
    fn algorithms(&self, value: Node<'t>) -> Option<AllowList> {
        let Some(name) = self.string_value(value, 0) else { return self.allow_list(value) };
        let item = self.single_algorithm(self.unwrap(value), Some(name), false);
        Some(AllowList { items: vec![item], render: Box::new(|algorithm: &str| format!("'{algorithm}'")) })
    }

    // ---- pass 2: call sites ----

    /// Whether a call may be a library call at all, judged on its callee's text alone: most calls
    /// in a file (`res.json(...)`, `db.query(...)`) are dropped here without resolving anything.
    fn is_candidate(&self, call: &Call<'_, '_>) -> bool {
        call.callee_name.is_some_and(|name| KNOWN_EXPORTS.contains(&name) || self.bindings.contains_key(name))
    }

    fn model(&self) -> Model {
        let mut model = Model::default();
        for call in self.calls.iter().filter(|call| self.is_candidate(call)) {
            if let Some(site) = self.call_site(call) {
                model.calls.push(site);
            }
        }
        // jose `new SignJWT(claims)…sign(key)`: the key is the last call of the chain.
        for call in &self.calls {
            // The text filter first: it drops most calls without a kind-name lookup.
            if self.is_candidate(call)
                && call.node.kind() == "call_expression"
                && let Some(site) = self.sign_jwt_chain(call)
            {
                model.calls.push(site);
            }
        }
        model
    }

    /// The library function a call reaches, with the node whose arguments it takes.
    fn function_of(&self, call: &Call<'_, 't>) -> Option<(&'static library::Function, Node<'t>)> {
        let node = call.node;
        let callee = node.field("function").or_else(|| node.field("constructor"))?;
        let is_new = node.kind() == "new_expression";
        if callee.kind() == "super" {
            // NestJS: `class S extends PassportStrategy(Strategy) { constructor() { super({…}) } }`.
            return if self.is_passport_strategy_class(node) {
                Some((self.row(Lib::PassportJwt, "Strategy")?, callee))
            } else {
                None
            };
        }
        if call.callee_name == Some("register")
            && let Some(plugin) = self.arguments(node).first()
            && self.resolve(*plugin, 0).is_some_and(|binding| binding.lib == Lib::FastifyJwt && binding.path.is_empty())
        {
            return Some((self.row(Lib::FastifyJwt, "register")?, callee));
        }
        let binding = self.resolve(callee, 0)?;
        let path = match (is_new, binding.lib, binding.path.as_str()) {
            (true, Lib::PassportJwt, "Strategy") | (true, Lib::Jose, "UnsecuredJWT") => binding.path.as_str(),
            (true, _, _) => return None,
            (false, Lib::ExpressJwt, "" | "expressjwt" | "default") => "expressjwt",
            (false, Lib::KoaJwt, "" | "default") => "koajwt",
            (false, _, path) => path,
        };
        Some((self.row(binding.lib, path)?, callee))
    }

    fn row(&self, lib: Lib, path: &str) -> Option<&'static library::Function> {
        library::Function::find(Ecosystem::Node, lib.name(), path)
    }

    /// A call in model terms, read through the library row's slots.
    fn call_site(&self, call: &Call<'_, 't>) -> Option<CallSite> {
        let (function, callee) = self.function_of(call)?;
        let node = call.node;
        let arguments = self.arguments(node);
        if arguments.iter().any(|argument| argument.kind() == "spread_element") {
            return None;
        }
        let argument = |slot: Slot| match slot {
            Slot::Arg(index, _) => arguments.get(index).copied(),
            _ => None,
        };
        if let Slot::Arg(index, _) = function.key
            && function.operation == Operation::Verify
            && arguments.len() <= index
        {
            return None;
        }
        let lib = Lib::from_name(function.library)?;
        // `None`: no options argument; `Some(None)`: one that cannot be read.
        let object = match argument(function.options) {
            Some(options) if !self.is_function(options) => {
                Some(self.mapping(options, 0).map(|model| self.with_nested(model, function.nested_options)))
            }
            _ => None,
        };
        if function.operation == Operation::Configure && !matches!(object, Some(Some(_))) {
            return None;
        }
        let key = match function.key {
            Slot::Arg(index, name) => arguments.get(index).map(|key| self.key_arg(*key, name)),
            Slot::Option(name) => object
                .as_ref()
                .and_then(|object| object.as_ref()?.get(name))
                .map(|entry| self.key_arg(entry.value, name)),
            Slot::None => None,
        };
        let mut options = match object {
            Some(Some(model)) => self.options(lib, function, model),
            Some(None) => CallOptions::unknown(),
            None => {
                // A fix can add the options object after the argument before its slot.
                let anchor = match function.options {
                    Slot::Arg(index, _)
                        if index > 0 && arguments.len() >= index && !function.allow_list_option.is_empty() =>
                    {
                        Some(Anchor::AfterArguments { at: arguments[index - 1].end_byte(), comma: true })
                    }
                    _ => None,
                };
                CallOptions::defaults(anchor)
            }
        };
        if let Slot::Arg(index, _) = function.algorithms {
            self.positional_algorithm(&mut options, function.operation, &arguments, index);
        }
        if lib == Lib::JwtSimple
            && let Some(no_verify) = arguments.get(2)
            && self.bool_value(*no_verify, 0) == Some(true)
        {
            options.switches.push(Switch {
                check: Check::Signature,
                spelled: format!("noVerify = {}", self.text(*no_verify)),
                range: no_verify.byte_range(),
                removal: None,
            });
        }
        let token = argument(function.token).map(|token| self.token(token));
        let used_for = match (function.operation, node.kind()) {
            (Operation::Decode, "call_expression") => self.decoded_use(node, &call.scope),
            _ => Use::Claims,
        };
        Some(CallSite {
            function,
            version: None,
            operation: function.operation,
            range: callee.byte_range(),
            scope: call.scope.clone(),
            token,
            key,
            options,
            used_for,
        })
    }

    /// An algorithm passed as a positional argument (jwt-simple, Hono): one algorithm, or a list.
    fn positional_algorithm(
        &self,
        options: &mut CallOptions,
        operation: Operation,
        arguments: &[Node<'t>],
        index: usize,
    ) {
        match arguments.get(index) {
            Some(&algorithm) if operation == Operation::Sign => {
                options.signing_algorithm = Some(Expr {
                    range: algorithm.byte_range(),
                    text: syntax::normalized(self.text(algorithm)),
                    value: self.string_value(algorithm, 0).map_or(Value::Unknown, Value::Str),
                });
            }
            Some(&algorithm) => {
                options.algorithms = self.algorithms(algorithm).map_or(Algorithms::Unknown, Algorithms::Listed);
            }
            None => {
                options.algorithms = Algorithms::Absent;
                // Only right after the argument before it can a fix add it positionally.
                options.anchor = (arguments.len() == index && index > 0)
                    .then(|| Anchor::AfterArguments { at: arguments[index - 1].end_byte(), comma: true });
            }
        }
    }

    fn token(&self, node: Node<'t>) -> TokenArg {
        TokenArg {
            expr: Expr { range: node.byte_range(), text: syntax::normalized(self.text(node)), value: Value::Unknown },
            raw_authorization: self.is_raw_authorization(node, 0),
        }
    }

    fn key_arg(&self, node: Node<'t>, spelled: &str) -> KeyArg {
        let mut literals = Vec::new();
        self.secret_literals(node, 0, &mut literals);
        // `process.env.X || 'dev'`: the environment wins where it is set; the literal is the fallback.
        let source = match self.key_source(node, 0) {
            KeySource::Unknown if !literals.is_empty() => KeySource::Literal,
            source => source,
        };
        KeyArg {
            key: self.key(node),
            literals: literals.into_iter().map(|(value, node)| (value, node.byte_range())).collect(),
            source,
            ..KeyArg::unknown(spelled)
        }
    }

    /// A literal file path: a string, or `path.join`/`path.resolve` of `__dirname` and strings.
    fn path_value(&self, node: Node<'t>, depth: usize) -> Option<(String, PathBase)> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        if let Some(path) = self.string_value(node, depth) {
            return Some((path, PathBase::WorkingFolder));
        }
        match node.kind() {
            "identifier" => self.path_value(self.definition_value(node)?, depth + 1),
            "call_expression" => {
                let function = self.text(node.field("function")?);
                if !matches!(function, "path.join" | "path.resolve" | "join" | "resolve") {
                    return None;
                }
                let arguments = self.arguments(node);
                let (base, rest) = match arguments.first().map(|first| self.text(*first)) {
                    Some("__dirname") => (PathBase::SourceFile, &arguments[1..]),
                    Some("process.cwd()") => (PathBase::WorkingFolder, &arguments[1..]),
                    _ => (PathBase::WorkingFolder, &arguments[..]),
                };
                let parts: Option<Vec<String>> = rest.iter().map(|part| self.string_value(*part, depth + 1)).collect();
                Some((parts?.join("/"), base))
            }
            _ => None,
        }
    }

    /// Literal strings an option accepts: one string or an array of them (empty when unknown).
    fn string_list(&self, node: Node<'t>) -> Vec<String> {
        let node = self.unwrap(node);
        if let Some(value) = self.string_value(node, 0) {
            return vec![value];
        }
        let node = match node.kind() {
            "identifier" => match self.definition_value(node) {
                Some(value) => self.unwrap(value),
                None => return Vec::new(),
            },
            _ => node,
        };
        if node.kind() != "array" {
            return Vec::new();
        }
        let values: Option<Vec<String>> = elements(node).iter().map(|item| self.string_value(*item, 0)).collect();
        values.unwrap_or_default()
    }

    /// An options entry whose object the library reads as top-level options (passport-jwt
    /// `jsonWebTokenOptions`, `@nestjs/jwt` `verifyOptions`): merged in, without letting a fix
    /// edit it. A fix still adds to the nested literal when there is one.
    fn with_nested(&self, mut options: Mapping<'t>, nested: &str) -> Mapping<'t> {
        if nested.is_empty() {
            return options;
        }
        if let Some(value) = options.get(nested).map(|entry| entry.value) {
            match self.mapping(value, 0) {
                Some(inner) => {
                    options.complete &= inner.complete;
                    let mut merged: Vec<Entry<'t>> = inner.entries;
                    merged.extend(options.entries);
                    options.entries = merged;
                }
                None => options.complete = false,
            }
        }
        options
    }

    /// The options object in model terms, with the library's spelling.
    fn options(&self, lib: Lib, function: &library::Function, model: Mapping<'t>) -> CallOptions {
        let given = |key: &str| match (model.get(key).is_some(), model.complete) {
            (true, _) => Given::Yes,
            (false, true) => Given::No,
            (false, false) => Given::Unknown,
        };
        let algorithms = match function.algorithms {
            Slot::Option(name) => match model.get(name) {
                None => Algorithms::Absent,
                Some(entry) => self.algorithms(entry.value).map_or(Algorithms::Unknown, Algorithms::Listed),
            },
            _ => Algorithms::Absent,
        };
        let leeway = model.get("clockTolerance").and_then(|entry| {
            let seconds = match lib {
                // fast-jwt counts milliseconds.
                Lib::FastifyJwt => self.number_value(entry.value, 0)? / 1000.0,
                // jose also takes a time span string: "10 minutes".
                Lib::Jose => self
                    .number_value(entry.value, 0)
                    .or_else(|| self.string_value(entry.value, 0).and_then(|span| knowledge::parse_timespan(&span)))?,
                _ => self.number_value(entry.value, 0)?,
            };
            Some((seconds, entry.value.byte_range(), "clockTolerance".to_string()))
        });
        // jose and Hono have no switches: their claim checks follow the options given.
        let switch_names: &[(&str, Check)] = match lib {
            Lib::Jose | Lib::Hono => &[],
            _ => &[("ignoreExpiration", Check::Expiry), ("ignoreNotBefore", Check::NotBefore)],
        };
        let switches = switch_names
            .iter()
            .filter_map(|(name, check)| {
                let entry = model.get(name)?;
                (self.bool_value(entry.value, 0) == Some(true)).then(|| Switch {
                    check: *check,
                    spelled: format!("{name}: true"),
                    range: entry.range.clone(),
                    removal: entry.removal.clone(),
                })
            })
            .collect();
        let signing_algorithm = model.get("algorithm").map(|entry| Expr {
            range: entry.range.clone(),
            text: syntax::normalized(self.text(entry.value)),
            value: self.string_value(entry.value, 0).map_or(Value::Unknown, Value::Str),
        });
        // @nestjs/jwt reads verify options only under `verifyOptions`: an added option goes
        // into that literal (when there is one); elsewhere into the options literal itself.
        let literal = match lib {
            Lib::NestJwt => model
                .get(function.nested_options)
                .map(|entry| self.unwrap(entry.value))
                .filter(|value| value.kind() == "object"),
            _ => model.literal,
        };
        let anchor = literal.map(|literal| Anchor::Literal {
            first_entry: elements(literal).first().map(|first| first.start_byte()),
            whole: literal.byte_range(),
        });
        let values = |key: &str| {
            if key.is_empty() {
                return Vec::new();
            }
            model.get(key).map(|entry| self.string_list(entry.value)).unwrap_or_default()
        };
        CallOptions {
            complete: model.complete,
            algorithms,
            audience: given(function.audience_option),
            issuer: given(function.issuer_option),
            audiences: values(function.audience_option),
            issuers: values(function.issuer_option),
            leeway,
            switches,
            signing_algorithm,
            anchor,
        }
    }

    /// Whether a `super(…)` call is in a class that `extends PassportStrategy(Strategy)` with
    /// passport-jwt's `Strategy` (NestJS).
    fn is_passport_strategy_class(&self, call: Node<'t>) -> bool {
        let Some(class) = syntax::ancestor(call, &["class_declaration", "class"]) else { return false };
        let Some(heritage) = elements(class).into_iter().find(|child| child.kind() == "class_heritage") else {
            return false;
        };
        let mut found = false;
        syntax::walk(heritage, |node| {
            if found || node.kind() != "call_expression" {
                return;
            }
            let mixin = node.field("function").and_then(|function| self.resolve(function, 0));
            let strategy = self.arguments(node).first().and_then(|argument| self.resolve(*argument, 0));
            found = mixin.is_some_and(|mixin| mixin.lib == Lib::NestPassport && mixin.path == "PassportStrategy")
                && strategy.is_some_and(|strategy| strategy.lib == Lib::PassportJwt && strategy.path == "Strategy");
        });
        found
    }

    /// The node a function (or the file) spans, below which its reads are looked up.
    fn scope_node(&self, scope: &Range<usize>) -> Node<'t> {
        self.file.root.descendant_for_byte_range(scope.start, scope.end).unwrap_or(self.file.root)
    }

    /// The read index of a scope once more than `TARGETED_DECODES` decodes there asked for it;
    /// `None` before (the caller looks up what it needs).
    fn read_index(&self, scope: &Range<usize>, root: Node<'t>) -> Option<std::rc::Rc<ReadIndex<'s, 't>>> {
        let mut reads = self.reads.borrow_mut();
        let entry = reads.entry((scope.start, scope.end)).or_insert(ScopeReads::Asked(0));
        match entry {
            ScopeReads::Indexed(index) => Some(index.clone()),
            ScopeReads::Asked(asked) if *asked < TARGETED_DECODES => {
                *asked += 1;
                None
            }
            ScopeReads::Asked(_) => {
                let index = std::rc::Rc::new(ReadIndex::build(root, self.file.src));
                *entry = ScopeReads::Indexed(index.clone());
                Some(index)
            }
        }
    }

    /// What the result of a decode call is used for: only its header (`jwt.decode(t, {complete:
    /// true}).header`, `const { header } = …`), only time claims (`.exp`, `const { exp } = …`,
    /// a variable read only as `d.exp`/`d.iat`/`d.nbf`), or claims.
    fn decoded_use(&self, call: Node<'t>, scope: &Range<usize>) -> Use {
        let root = self.scope_node(scope);
        let index = self.read_index(scope, root);
        let parent = match &index {
            Some(index) => index.call_parents.get(&call.id()).copied(),
            None => call_parent(root, call),
        };
        let Some(parent) = parent else { return Use::Claims };
        match parent.kind() {
            "member_expression" => use_of(&[parent.field("property").map_or("", |property| self.text(property))]),
            "variable_declarator" => match parent.field("name") {
                Some(pattern) if pattern.kind() == "object_pattern" => {
                    let keys: Vec<&str> = elements(pattern)
                        .into_iter()
                        .map(|property| match property.kind() {
                            "shorthand_property_identifier_pattern" => self.text(property),
                            "pair_pattern" => property.field("key").map_or("", |key| self.text(key)),
                            _ => "",
                        })
                        .collect();
                    use_of(&keys)
                }
                Some(name) if name.kind() == "identifier" => {
                    // Every read of the variable in the decode's function, the declaration aside;
                    // a read of the whole value (passed on, returned) is a use of the claims.
                    let reads = match &index {
                        Some(index) => index.reads.get(self.text(name)).cloned().unwrap_or_default(),
                        None => reads_of(root, self.file.src, self.text(name)),
                    };
                    let properties: Option<Vec<&str>> = reads
                        .iter()
                        .filter(|(at, _)| *at != name.start_byte() && scope.contains(at))
                        .map(|(_, property)| property.as_deref())
                        .collect();
                    properties.map_or(Use::Claims, |properties| use_of(&properties))
                }
                _ => Use::Claims,
            },
            _ => Use::Claims,
        }
    }

    /// jose `new SignJWT(claims)…sign(key)`: a signing site for the key of the final `sign`.
    fn sign_jwt_chain(&self, call: &Call<'_, 't>) -> Option<CallSite> {
        let function = call.node.field("function").filter(|function| function.kind() == "member_expression")?;
        if function.field("property").is_none_or(|property| self.text(property) != "sign") {
            return None;
        }
        let mut object = function.field("object");
        for _ in 0..MAX_DEPTH {
            let current = self.unwrap(object?);
            match current.kind() {
                "new_expression" => {
                    let is_sign_jwt = current
                        .field("constructor")
                        .and_then(|constructor| self.resolve(constructor, 0))
                        .is_some_and(|binding| binding.lib == Lib::Jose && binding.path == "SignJWT");
                    let key = self.arguments(call.node).first().copied().filter(|_| is_sign_jwt)?;
                    let function = library::Function::find(Ecosystem::Node, "jose", "SignJWT")?;
                    return Some(CallSite {
                        function,
                        version: None,
                        operation: function.operation,
                        range: call.node.byte_range(),
                        scope: call.scope.clone(),
                        token: None,
                        key: Some(self.key_arg(key, "key")),
                        options: CallOptions::unknown(),
                        used_for: Use::Claims,
                    });
                }
                "call_expression" => object = current.field("function").and_then(|function| function.field("object")),
                _ => return None,
            }
        }
        None
    }
}

impl<'s, 't> Collect<'s, 't> for Analyzer<'s, 't> {
    fn collect(&mut self, node: Node<'t>, scope: Range<usize>) {
        match node.kind() {
            "call_expression" | "new_expression" => self.collect_call(node),
            "import_statement" => self.collect_import(node),
            "variable_declarator" => self.collect_declarator(node),
            "assignment_expression" => self.collect_assignment(node),
            "augmented_assignment_expression" | "update_expression" => {
                if let Some(target) = node.field("left").or_else(|| node.field("argument"))
                    && target.kind() == "identifier"
                {
                    self.file.scopes.reassign(self.text(target), target.start_byte());
                }
            }
            "expression_statement" => {
                if let Some(expression) = node.named_child(0) {
                    self.statement = Some((expression.id(), node));
                }
            }
            "function_declaration" | "generator_function_declaration" | "class_declaration" => {
                if let Some(name) = node.field("name") {
                    self.file.scopes.define(self.text(name), scope, name.start_byte(), Some(node), false);
                }
            }
            "formal_parameters" => {
                for parameter in elements(node) {
                    self.define_pattern(parameter, scope.clone());
                    self.collect_typed_parameter(parameter, scope.clone());
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

    const WALK: Walk = Walk {
        functions: &[
            "function_declaration",
            "function_expression",
            "function",
            "arrow_function",
            "method_definition",
            "generator_function_declaration",
            "generator_function",
        ],
        collected: &[
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
        ],
        // Template strings hold collected kinds (`${call()}`); strings and regexes do not.
        opaque: &["string", "regex"],
    };
}

impl<'s, 't> Evaluator<'s, 't> for Analyzer<'s, 't> {
    const KINDS: Kinds = Kinds {
        names: &["identifier", "shorthand_property_identifier"],
        lists: &["array"],
        quote: '\'',
        mapping: Some(MappingKinds::pairs("object", "spread_element")),
        ..Kinds::COMMON
    };

    fn file(&self) -> &SourceFile<'s, 't> {
        &self.file
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

    fn string_literal(&self, node: Node<'_>) -> Option<String> {
        match node.kind() {
            "string" => syntax::joined_parts(node, self.file.src, |_| Some(true)),
            // A template without substitutions.
            "template_string" => syntax::joined_parts(node, self.file.src, |part| {
                matches!(part, "string_fragment" | "escape_sequence").then_some(true)
            }),
            _ => None,
        }
    }

    /// `config.secret`: the member's same-file value.
    fn string_step(&self, node: Node<'t>, depth: usize) -> Option<Node<'t>> {
        (node.kind() == "member_expression").then(|| self.member_value(node, depth)).flatten()
    }

    /// The token's own `alg`: `decoded.header.alg`, `header.alg`, `decodeProtectedHeader(t).alg`,
    /// or a constant holding it.
    fn reads_token_alg(&self, node: Node<'t>, depth: usize) -> bool {
        let (object, key) = match node.kind() {
            "member_expression" => (node.field("object"), node.field("property").map(|p| self.text(p).to_string())),
            "subscript_expression" => (node.field("object"), node.field("index").and_then(|i| self.string_literal(i))),
            "identifier" => {
                // `const { alg } = header`, `{ alg: a }`, `{ header: { alg } } = jwt.decode(…)`.
                let name = self.text(node);
                let Some(destructured) = self.destructured.iter().rev().find(|destructured| {
                    destructured.name.start_byte() <= node.start_byte() && self.text(destructured.name) == name
                }) else {
                    return false;
                };
                let path: Vec<&str> = destructured.path.iter().map(String::as_str).collect();
                return matches!(path.as_slice(), ["alg"] | ["header", "alg"])
                    && self.is_token_header(destructured.source, depth + 1);
            }
            _ => return false,
        };
        key.as_deref() == Some("alg") && object.is_some_and(|object| self.is_token_header(object, depth + 1))
    }

    fn mapping_key(&self, key: Node<'t>, _depth: usize) -> Option<String> {
        match key.kind() {
            "property_identifier" | "number" => Some(self.text(key).to_string()),
            "string" => self.string_literal(key),
            _ => None,
        }
    }

    /// Shorthand properties (`{ secret }`) and methods (`{ secretOrKeyProvider() {…} }`).
    fn other_entry(&self, item: Node<'t>) -> Option<(String, Node<'t>)> {
        let name = match item.kind() {
            "shorthand_property_identifier" => item,
            "method_definition" => item.field("name")?,
            _ => return None,
        };
        Some((self.text(name).to_string(), item))
    }

    /// `config.jwt`, where `config` is a same-file object.
    fn other_mapping(&self, node: Node<'t>, depth: usize) -> Option<Mapping<'t>> {
        (node.kind() == "member_expression").then(|| self.mapping(self.member_value(node, depth)?, depth + 1))?
    }

    fn follow(&self, node: Node<'t>) -> Option<Node<'t>> {
        match node.kind() {
            "identifier" => self.definition_value(node),
            "member_expression" => self.member_value(node, 0),
            _ => None,
        }
    }

    fn key_step(&self, node: Node<'t>) -> Option<Node<'t>> {
        match node.kind() {
            "identifier" => {
                self.file.scopes.lookup(self.text(node), node.start_byte()).and_then(|definition| definition.value)
            }
            "member_expression" => self.member_value(node, 0),
            _ => None,
        }
    }

    /// Through members of same-file objects, `||`/`??` fallbacks, ternaries, `Buffer.from`,
    /// `TextEncoder().encode`.
    fn secret_parts(&self, node: Node<'t>, depth: usize) -> Vec<Node<'t>> {
        let fields: &[&'static str] = match node.kind() {
            "member_expression" => return self.member_value(node, depth).into_iter().collect(),
            "binary_expression" if node.field("operator").is_some_and(|op| matches!(self.text(op), "||" | "??")) => {
                &["left", "right"]
            }
            "ternary_expression" => &["consequence", "alternative"],
            "call_expression" => {
                let function = node.field("function").map(|function| self.text(function)).unwrap_or("");
                let wraps = (function.ends_with(".encode") && function.contains("TextEncoder"))
                    || function.ends_with("Buffer.from")
                    || function.ends_with("createSecretKey")
                    || function.ends_with("JWK.asKey");
                return if wraps { self.arguments(node).into_iter().take(1).collect() } else { Vec::new() };
            }
            _ => &[],
        };
        fields.iter().filter_map(|field| node.field(field)).collect()
    }

    /// `req.headers.authorization`, `req.headers['authorization']`, `req.get('Authorization')`,
    /// `request.headers.get('authorization')`.
    fn reads_authorization(&self, node: Node<'t>) -> bool {
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
                self.is_header_getter(node, ("member_expression", "property"), &["get", "header", "getHeader"])
            }
            _ => false,
        }
    }

    /// Where a key expression's material comes from, past names: `process.env.X` (before a `||` fallback), a
    /// file read by a literal path, a JWKS URL; through constants and wrapping calls
    /// (`Buffer.from`, `createPublicKey`, `new TextEncoder().encode`).
    fn key_source_of(&self, node: Node<'t>, depth: usize) -> KeySource {
        match node.kind() {
            "member_expression" | "subscript_expression" => {
                let object = node.field("object").map(|object| self.text(object));
                if object == Some("process.env") {
                    let name = match node.kind() {
                        "member_expression" => node.field("property").map(|property| self.text(property).to_string()),
                        _ => node.field("index").and_then(|index| self.string_value(index, depth + 1)),
                    };
                    return name.map_or(KeySource::Unknown, KeySource::Env);
                }
                if node.kind() == "member_expression"
                    && let Some(value) = self.member_value(node, depth)
                {
                    return self.key_source(value, depth + 1);
                }
                KeySource::Unknown
            }
            "binary_expression" if node.field("operator").is_some_and(|op| matches!(self.text(op), "||" | "??")) => {
                node.field("left").map_or(KeySource::Unknown, |left| self.key_source(left, depth + 1))
            }
            "await_expression" => {
                node.named_child(0).map_or(KeySource::Unknown, |inner| self.key_source(inner, depth + 1))
            }
            "call_expression" | "new_expression" => {
                let callee = node.field("function").or_else(|| node.field("constructor"));
                let function = callee.map(|function| self.text(function)).unwrap_or("");
                let arguments = self.arguments(node);
                let first = arguments.first().copied();
                let last = function.rsplit('.').next().unwrap_or(function);
                match last {
                    "readFileSync" | "readFile" => first
                        .and_then(|path| self.path_value(path, depth + 1))
                        .map_or(KeySource::Unknown, |(path, base)| KeySource::File { path, base }),
                    "toString" => node
                        .field("function")
                        .and_then(|callee| callee.field("object"))
                        .map_or(KeySource::Unknown, |object| self.key_source(object, depth + 1)),
                    "expressJwtSecret" | "koaJwtSecret" | "passportJwtSecret" | "JwksClient" | "jwksClient" => first
                        .and_then(|options| self.mapping(options, depth + 1))
                        .and_then(|options| self.string_value(options.get("jwksUri")?.value, depth + 1))
                        .map_or(KeySource::Unknown, KeySource::JwksUrl),
                    "createRemoteJWKSet" => {
                        let url = first.map(|url| self.unwrap(url)).and_then(|url| match url.kind() {
                            "new_expression" => self.string_value(*self.arguments(url).first()?, depth + 1),
                            _ => self.string_value(url, depth + 1),
                        });
                        url.map_or(KeySource::Unknown, KeySource::JwksUrl)
                    }
                    "from" | "encode" | "createSecretKey" | "createPublicKey" | "importSPKI" | "importX509"
                    | "importJWK" | "String" | "parse" | "createLocalJWKSet" => {
                        first.map_or(KeySource::Unknown, |inner| self.key_source(inner, depth + 1))
                    }
                    _ => KeySource::Unknown,
                }
            }
            _ => KeySource::Unknown,
        }
    }
}

/// How fixes are written in JavaScript and TypeScript.
struct JsDialect<'s> {
    src: &'s str,
}

impl Dialect for JsDialect<'_> {
    fn strip_bearer(&self, token: &Expr) -> Vec<TextEdit> {
        let original = &self.src[token.range.clone()];
        vec![TextEdit {
            range: token.range.clone(),
            new_text: format!("({original} ?? '').replace(/^Bearer\\s+/i, '')"),
        }]
    }

    fn add_allow_list(&self, anchor: &Anchor, option: &str, algorithm: &str) -> Option<Vec<TextEdit>> {
        let property = format!("{option}: ['{algorithm}']");
        let edit = match anchor {
            Anchor::Literal { first_entry, whole } => evaluate::literal_entry(*first_entry, whole, &property),
            Anchor::AfterArguments { at, .. } => TextEdit { range: *at..*at, new_text: format!(", {{ {property} }}") },
            Anchor::Replace(range) => TextEdit { range: range.clone(), new_text: format!("['{algorithm}']") },
            Anchor::Receiver { .. } => return None,
        };
        Some(vec![edit])
    }

    fn add_algorithm(&self, anchor: &Anchor, option: &str, algorithm: &str) -> Option<Vec<TextEdit>> {
        let edit = match anchor {
            // A positional argument.
            Anchor::AfterArguments { at, .. } => TextEdit { range: *at..*at, new_text: format!(", '{algorithm}'") },
            Anchor::Literal { first_entry, whole } if !option.is_empty() => {
                evaluate::literal_entry(*first_entry, whole, &format!("{option}: '{algorithm}'"))
            }
            _ => return None,
        };
        Some(vec![edit])
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
    "register",
    "verifyAsync",
    "signAsync",
    "encode",
    "super",
];

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

#[cfg(test)]
mod tests {
    use super::super::{Context, Language, Options, parse};

    /// Source → call sites, for a few fixtures that exercise every kind of fact.
    #[test]
    fn call_site_snapshots() {
        let fixtures = [
            "js/verify-missing-algorithms.fires.js",
            "js/verify-alg-from-token.fires.js",
            "js/decode-without-verify.silent.js",
            "js/verify-bearer-prefix.fires.js",
            "js/hardcoded-secret.fires.js",
            "ts/aliased-imports.fires.ts",
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/code");
        for fixture in fixtures {
            let source = std::fs::read_to_string(root.join(fixture)).expect("fixture");
            let language = Language::detect(Some(fixture), None).expect("language");
            let tree = parse(&source, language).expect("parses");
            let options = Options { context: Context::default(), conventional_names: false };
            let model = super::model(&source, &tree, &options);
            insta::assert_snapshot!(
                format!("javascript_model__{}", fixture.replace('/', "__")),
                model.describe(&source)
            );
        }
    }

    /// `reads_of` and `call_parent` (targeted lookups) give what the `ReadIndex` of every node
    /// below the scope gives, for every function and the file of every JS/TS fixture, also while
    /// a line is half typed (unclosed statements move code to the top level and into ERROR nodes).
    #[test]
    fn targeted_reads_match_a_full_index() {
        use super::super::syntax::walk;
        use super::{ReadIndex, call_parent, reads_of};

        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/code");
        let mut sources = Vec::new();
        for directory in ["js", "ts"] {
            for entry in std::fs::read_dir(root.join(directory)).expect("fixtures").flatten() {
                let path = entry.path();
                let Some(language) = Language::detect(path.to_str(), None) else { continue };
                let source = std::fs::read_to_string(&path).expect("fixture");
                // Half-typed lines at the start, middle and end.
                for typed in ["", "const claims = jwt.decode(String(req.query", "x = ((a.b"] {
                    for at in [0, source.len() / 2, source.len()] {
                        let at = source[..super::super::syntax::floor_char_boundary(&source, at)]
                            .rfind('\n')
                            .map_or(0, |newline| newline + 1);
                        sources.push((format!("{}{typed}\n{}", &source[..at], &source[at..]), language));
                    }
                }
            }
        }
        assert!(sources.len() > 100, "only {} sources", sources.len());
        let (mut names_checked, mut calls_checked) = (0, 0);
        for (source, language) in &sources {
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(&language.grammar().expect("grammar")).expect("language");
            let tree = parser.parse(source, None).expect("tree");
            let mut scopes = vec![tree.root_node()];
            walk(tree.root_node(), |node| {
                if matches!(
                    node.kind(),
                    "function_declaration" | "arrow_function" | "method_definition" | "function_expression"
                ) {
                    scopes.push(node);
                }
            });
            for scope in scopes {
                let index = ReadIndex::build(scope, source);
                for (name, expected) in &index.reads {
                    assert_eq!(&reads_of(scope, source, name), expected, "reads of {name:?} in {source:?}");
                    names_checked += 1;
                }
                walk(scope, |node| {
                    if node.kind() == "call_expression" {
                        let found = call_parent(scope, node).map(|parent| parent.id());
                        let indexed = index.call_parents.get(&node.id()).map(|parent| parent.id());
                        assert_eq!(found, indexed, "call at {:?}", node.byte_range());
                        calls_checked += 1;
                    }
                });
            }
        }
        assert!(names_checked > 1000 && calls_checked > 1000, "{names_checked} names, {calls_checked} calls");
    }
}
