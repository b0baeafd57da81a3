//! The value evaluator the language front ends share: options literals (JavaScript objects,
//! Python dicts) read into entries, algorithm allow-lists, key evidence, the secret literals a
//! key holds, raw `Authorization` header reads and key sources. Each is written once here,
//! driven by a per-language table of node kinds (`Kinds`) and a few hooks for what truly differs
//! between the languages; a front end implements `Evaluator` and keeps only those.

use std::cell::RefCell;
use std::collections::HashSet;
use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::finding::TextEdit;

use super::engine::{self, Judging};
use super::knowledge::{AlgItem, AllowList, Key, classify_key};
use super::library::{Ecosystem, Function};
use super::model::{self, CallSite, Dialect, Expr, KeyArg, KeySource, Model, TokenArg, Use, Value};
use super::scope::Scopes;
use super::syntax::{self, Field, MAX_DEPTH, elements, removal_range};

/// What every front end's analyzer reads and fills: the source, its tree's root, the same-file
/// definitions the collection pass records and, during that pass, the enclosing function (or
/// file) of the node being visited.
pub struct SourceFile<'s, 't> {
    pub src: &'s str,
    pub tree: &'t Tree,
    pub root: Node<'t>,
    pub scopes: Scopes<'t>,
    /// Set by the collection walk while it visits a node.
    enclosing: RefCell<Range<usize>>,
}

impl<'s, 't> SourceFile<'s, 't> {
    pub fn new(src: &'s str, tree: &'t Tree) -> SourceFile<'s, 't> {
        let root = tree.root_node();
        SourceFile { src, tree, root, scopes: Scopes::default(), enclosing: RefCell::new(root.byte_range()) }
    }

    /// The function (or file) that encloses the node the collection pass visits.
    pub fn enclosing(&self) -> Range<usize> {
        self.enclosing.borrow().clone()
    }
}

/// The kinds a front end's collection pass walks by.
pub struct Walk {
    /// Kinds that open a scope: functions, methods, lambdas.
    pub functions: &'static [&'static str],
    /// Kinds handed to `Collect::collect`; everything else is only walked through.
    pub collected: &'static [&'static str],
    /// Kinds whose insides hold no collected kind, so the walk does not enter them.
    pub opaque: &'static [&'static str],
}

/// A front end's collection pass: one walk over the file that hands `collect` every node of a
/// collected kind, in document order, with its function (or the file).
pub trait Collect<'s, 't>: Evaluator<'s, 't> {
    const WALK: Walk;

    /// `scope` is the node's enclosing function (or the file), also `file.enclosing()`.
    fn collect(&mut self, node: Node<'t>, scope: Range<usize>);

    fn collect_file(&mut self) {
        let (tree, src) = (self.file().tree, self.file().src);
        let walk = Self::WALK;
        syntax::walk_scoped_reusing(tree, src, walk.functions, walk.collected, walk.opaque, |node, enclosing| {
            self.file().enclosing.replace(enclosing.clone());
            self.collect(node, enclosing.clone());
        });
    }
}

/// How a language spells a key → value literal: `{a: 1, ...b}`, `{"a": 1, **b}`.
pub struct MappingKinds {
    pub literal: &'static str,
    pub pair: &'static str,
    pub spread: &'static str,
    /// The pair's field names.
    pub key: &'static str,
    pub value: &'static str,
}

impl MappingKinds {
    /// `pair` nodes with `key` and `value` fields, as JavaScript and Python spell them.
    pub const fn pairs(literal: &'static str, spread: &'static str) -> MappingKinds {
        MappingKinds { literal, pair: "pair", spread, key: "key", value: "value" }
    }
}

/// The node kinds the shared evaluator reads, per language.
pub struct Kinds {
    /// Names whose single same-file definition gives their value.
    pub names: &'static [&'static str],
    /// Wrappers whose first named child is the value (parentheses).
    pub parentheses: &'static [&'static str],
    /// Literal lists an algorithm allow-list is written as.
    pub lists: &'static [&'static str],
    /// The quote a fix writes an algorithm name in.
    pub quote: char,
    /// `None` where the front end reads no mapping literals.
    pub mapping: Option<MappingKinds>,
    /// The operator of a `binary_expression` that concatenates strings (`+`, PHP's `.`).
    pub concat: Option<&'static str>,
    /// Number literals, read by `number`.
    pub numbers: &'static [&'static str],
}

impl Kinds {
    /// What most grammars call names and parentheses; no literal lists or mappings read.
    pub const COMMON: Kinds = Kinds {
        names: &["identifier"],
        parentheses: &["parenthesized_expression"],
        lists: &[],
        quote: '"',
        mapping: None,
        concat: Some("+"),
        numbers: &[],
    };
}

/// One key of an options mapping.
#[derive(Debug, Clone)]
pub struct Entry<'t> {
    pub key: String,
    pub value: Node<'t>,
    /// The pair (or `opts.key = …` statement), where findings about it go.
    pub range: Range<usize>,
    /// Deletes the entry, where that is a clean edit.
    pub removal: Option<Range<usize>>,
}

/// An options mapping as far as it can be read.
#[derive(Debug, Clone)]
pub struct Mapping<'t> {
    pub entries: Vec<Entry<'t>>,
    /// Every entry is known: no unresolved spread, no computed key, no unmodelled mutation.
    pub complete: bool,
    /// The literal, where a fix can add an entry.
    pub literal: Option<Node<'t>>,
}

impl<'t> Entry<'t> {
    /// The entry `items[index]` stands for, removed with its separator.
    pub fn at(items: &[Node<'t>], index: usize, (key, value): (String, Node<'t>)) -> Entry<'t> {
        Entry { key, value, range: items[index].byte_range(), removal: Some(removal_range(items, index)) }
    }
}

impl<'t> Mapping<'t> {
    pub fn empty() -> Mapping<'t> {
        Mapping { entries: Vec::new(), complete: true, literal: None }
    }

    pub fn get(&self, key: &str) -> Option<&Entry<'t>> {
        // Later keys win, as in JavaScript and Python.
        self.entries.iter().rev().find(|entry| entry.key == key)
    }
}

/// The row of `library`'s function `path` as a call site with default options and no arguments
/// yet; `None` when the table lacks it.
pub fn site(
    ecosystem: Ecosystem,
    library: &str,
    path: &str,
    version: Option<u32>,
    range: Range<usize>,
    scope: Range<usize>,
) -> Option<CallSite> {
    let function = Function::find(ecosystem, library, path)?;
    Some(CallSite {
        function,
        version,
        operation: function.operation,
        range,
        scope,
        token: None,
        key: None,
        options: model::Options::defaults(None),
        used_for: Use::Claims,
    })
}

/// What reading these members of a decoded token amounts to: only `header` ones, only `times`
/// ones, or the claims (also when nothing is read).
pub fn members_use(members: &[&str], header: &[&str], times: &[&str]) -> Use {
    if members.is_empty() {
        Use::Claims
    } else if members.iter().all(|member| header.contains(member)) {
        Use::HeaderOnly
    } else if members.iter().all(|member| times.contains(member)) {
        Use::TimesOnly
    } else {
        Use::Claims
    }
}

/// Replaces the token expression with `rewrite` of its text (a fix that strips `Bearer `).
pub fn rewrite_token(src: &str, token: &Expr, rewrite: impl FnOnce(&str) -> String) -> Vec<TextEdit> {
    let original = src.get(token.range.clone()).unwrap_or(&token.text);
    vec![TextEdit { range: token.range.clone(), new_text: rewrite(original) }]
}

/// An expression as the receiver of a method call: in parentheses unless all its characters are
/// `simple` ones.
pub fn receiver(expression: &str, simple: impl Fn(char) -> bool) -> String {
    if expression.chars().all(simple) { expression.to_string() } else { format!("({expression})") }
}

/// Adds `entry` to a `{ … }` options literal: before its first entry, or as its only one.
pub fn literal_entry(first_entry: Option<usize>, whole: &Range<usize>, entry: &str) -> TextEdit {
    match first_entry {
        Some(at) => TextEdit { range: at..at, new_text: format!("{entry}, ") },
        None => TextEdit { range: whole.clone(), new_text: format!("{{ {entry} }}") },
    }
}

/// Judges a front end's model in the run's context.
pub fn judge(model: &Model, dialect: &dyn Dialect, options: &super::Options, sink: &mut super::Sink) {
    if let Some(verifiers) = &mut sink.verifiers {
        verifiers.extend(model.calls.iter().filter_map(super::verifier_call));
    }
    let judging = Judging { in_test_path: options.context.in_test_path, dependencies: options.context.dependencies };
    engine::judge(model, dialect, judging, sink);
}

/// Constant arithmetic the front ends fold (`60 * 60`, `time.Hour * 24`); `//` is Python's.
pub fn arithmetic(operator: &str, left: f64, right: f64) -> Option<f64> {
    match operator {
        "*" => Some(left * right),
        "+" => Some(left + right),
        "-" => Some(left - right),
        "/" | "//" if right != 0.0 => Some(left / right),
        _ => None,
    }
}

/// A unary (`-x`, `+x`) or binary operator folded over operands the front end evaluated.
pub fn fold(operator: &str, operands: &[f64]) -> Option<f64> {
    match operands {
        [operand] => match operator {
            "-" => Some(-operand),
            "+" => Some(*operand),
            _ => None,
        },
        [left, right] => arithmetic(operator, *left, *right),
        _ => None,
    }
}

/// A number literal's value: `1_000`, `0x1F`, JavaScript's BigInt `10n`.
pub fn number_literal(literal: &str) -> Option<f64> {
    let literal = literal.replace('_', "");
    match literal.strip_prefix("0x").or_else(|| literal.strip_prefix("0X")) {
        Some(hex) => i64::from_str_radix(hex, 16).ok().map(|value| value as f64),
        None => literal.trim_end_matches('n').parse().ok(),
    }
}

/// Whether a header name is `Authorization` (Django spells it `HTTP_AUTHORIZATION`).
pub fn is_authorization_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization") || name == "HTTP_AUTHORIZATION"
}

/// Front ends whose options objects are created apart from the call that reads them (C#
/// `new TokenValidationParameters { … }`, PHP `new Key(…)`).
pub trait Sites<'t> {
    /// A call's site; `consumed` collects the creations (node ids) it reads.
    fn call_site(&self, call: Node<'t>, scope: Range<usize>, consumed: &mut HashSet<usize>) -> Option<CallSite>;
    /// A creation no call read, as a site of its own.
    fn creation_site(&self, creation: Node<'t>, scope: Range<usize>) -> Option<CallSite>;

    /// The call sites of calls, then of the creations no call consumed: an options object a call
    /// reads is judged at that call, once.
    fn calls_then_creations(
        &self,
        calls: &[(Node<'t>, Range<usize>)],
        creations: &[(Node<'t>, Range<usize>)],
    ) -> Vec<CallSite> {
        let mut consumed = HashSet::new();
        let mut sites: Vec<CallSite> =
            calls.iter().filter_map(|(call, scope)| self.call_site(*call, scope.clone(), &mut consumed)).collect();
        sites.extend(
            creations
                .iter()
                .filter(|(creation, _)| !consumed.contains(&creation.id()))
                .filter_map(|(creation, scope)| self.creation_site(*creation, scope.clone())),
        );
        sites
    }
}

/// One later reading of a name that holds a decoded token.
pub enum Reading {
    /// It reads this much of the token.
    Uses(Use),
    /// It does not count (handed to a validator).
    Ignored,
    /// It may read anything.
    Other,
}

pub trait Evaluator<'s, 't> {
    const KINDS: Kinds;

    fn file(&self) -> &SourceFile<'s, 't>;
    fn string_literal(&self, node: Node<'_>) -> Option<String>;
    /// The language's own spellings of the token's `alg` header (names and parentheses are
    /// followed by `is_token_alg`).
    fn reads_token_alg(&self, node: Node<'t>, depth: usize) -> bool;
    /// The language's own spellings of the raw `Authorization` header (names are followed by
    /// `is_raw_authorization`).
    fn reads_authorization(&self, node: Node<'t>) -> bool;
    /// The expressions whose string literals end up in a secret, besides a name's definition:
    /// both sides of a `||` fallback, the branches of a conditional, the argument of an encoder.
    fn secret_parts(&self, node: Node<'t>, depth: usize) -> Vec<Node<'t>>;
    /// The expression a key's evidence continues with (a name's definition, an object's member).
    fn key_step(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.definition_value(node)
    }
    /// The source of a key expression that is not a name or parentheses.
    fn key_source_of(&self, node: Node<'t>, depth: usize) -> KeySource;

    /// The expression a string value continues with, besides names and parentheses (an object's
    /// member, `&x`).
    fn string_step(&self, _node: Node<'t>, _depth: usize) -> Option<Node<'t>> {
        None
    }

    /// A constant string: a literal, reached through names and parentheses, or a concatenation
    /// of constants.
    fn string_value(&self, node: Node<'t>, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        if let Some(literal) = self.string_literal(node) {
            return Some(literal);
        }
        let kind = node.kind();
        let concatenates = kind == "binary_expression"
            && Self::KINDS
                .concat
                .is_some_and(|concat| node.field("operator").is_some_and(|op| self.text(op) == concat));
        let next = if Self::KINDS.names.contains(&kind) {
            self.definition_value(node)?
        } else if Self::KINDS.parentheses.contains(&kind) {
            node.named_child(0)?
        } else if concatenates {
            let left = self.string_value(node.field("left")?, depth + 1)?;
            return Some(left + &self.string_value(node.field("right")?, depth + 1)?);
        } else {
            self.string_step(node, depth)?
        };
        self.string_value(next, depth + 1)
    }

    /// Whether a value is the token's own `alg` header, through names and parentheses.
    fn is_token_alg(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let node = self.unwrap(node);
        let kind = node.kind();
        if Self::KINDS.names.contains(&kind) {
            if let Some(value) = self.definition_value(node) {
                return self.is_token_alg(value, depth + 1);
            }
        } else if Self::KINDS.parentheses.contains(&kind) {
            return node.named_child(0).is_some_and(|inner| self.is_token_alg(inner, depth + 1));
        }
        self.reads_token_alg(node, depth)
    }

    /// A number literal's digits without the language's type suffix (`10L`, `5u64`).
    fn number_digits<'a>(&self, literal: &'a str) -> &'a str {
        literal
    }

    /// The language's own numeric forms besides literals, names, parentheses and arithmetic:
    /// durations in units, casts.
    fn number_step(&self, _node: Node<'t>, _depth: usize) -> Option<f64> {
        None
    }

    /// Constant arithmetic: number literals, through names and parentheses, folded over binary
    /// operators, and the language's `number_step`.
    fn number(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        let kind = node.kind();
        if Self::KINDS.numbers.contains(&kind) {
            number_literal(self.number_digits(self.text(node)))
        } else if Self::KINDS.names.contains(&kind) {
            self.number(self.definition_value(node)?, depth + 1)
        } else if Self::KINDS.parentheses.contains(&kind) {
            self.number(node.named_child(0)?, depth + 1)
        } else if kind == "binary_expression" {
            let left = self.number(node.field("left")?, depth + 1)?;
            let right = self.number(node.field("right")?, depth + 1)?;
            arithmetic(self.text(node.field("operator")?), left, right)
        } else {
            self.number_step(node, depth)
        }
    }

    /// What an expression's value is, as far as the model keeps it.
    fn expr_value(&self, node: Node<'t>) -> Value {
        self.string_value(node, 0).map_or(Value::Unknown, Value::Str)
    }

    fn expr(&self, node: Node<'t>) -> Expr {
        Expr { range: node.byte_range(), text: syntax::normalized(self.text(node)), value: self.expr_value(node) }
    }

    fn token_arg(&self, node: Node<'t>) -> TokenArg {
        TokenArg { expr: self.expr(node), raw_authorization: self.is_raw_authorization(node, 0) }
    }

    /// What a decoded token stored in `name` is used for: every reading of the name after `after`
    /// in `scope`, as `reading` classifies it, agrees on one use; `unread` when none counts.
    fn stored_use(
        &self,
        name: Node<'t>,
        after: usize,
        scope: &Range<usize>,
        unread: Use,
        reading: impl Fn(Node<'t>) -> Reading,
    ) -> Use {
        let Some(function) = self.file().root.descendant_for_byte_range(scope.start, scope.end) else {
            return Use::Claims;
        };
        let text = self.text(name);
        let mut uses = Vec::new();
        let mut other = false;
        syntax::walk(function, |node| {
            if node.kind() != name.kind() || self.text(node) != text || node.start_byte() < after {
                return;
            }
            match reading(node) {
                Reading::Uses(use_) => uses.push(use_),
                Reading::Ignored => {}
                Reading::Other => other = true,
            }
        });
        match uses.first() {
            Some(first) if !other && uses.iter().all(|use_| use_ == first) => *first,
            None if !other => unread,
            _ => Use::Claims,
        }
    }

    /// Strips wrappers that keep a value (TypeScript `as`, `!`); most languages have none.
    fn unwrap(&self, node: Node<'t>) -> Node<'t> {
        node
    }

    /// A mapping pair's key, when it is a constant.
    fn mapping_key(&self, key: Node<'t>, depth: usize) -> Option<String> {
        self.string_value(key, depth)
    }

    /// A mapping item other than a pair or a spread (JavaScript shorthand properties and
    /// methods): its key and value; `None` leaves the mapping incomplete.
    fn other_entry(&self, _item: Node<'t>) -> Option<(String, Node<'t>)> {
        None
    }

    /// Mappings other than literals and names (Python `dict(...)`, JavaScript `config.options`).
    fn other_mapping(&self, _node: Node<'t>, _depth: usize) -> Option<Mapping<'t>> {
        None
    }

    /// One step from an expression towards the literal list of an allow-list.
    fn follow(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.definition_value(node)
    }

    fn text(&self, node: Node<'_>) -> &'s str {
        syntax::text(node, self.file().src)
    }

    /// The value of a name from its single same-file definition.
    fn definition_value(&self, node: Node<'t>) -> Option<Node<'t>> {
        Self::KINDS
            .names
            .contains(&node.kind())
            .then(|| self.file().scopes.value(self.text(node), node.start_byte()))
            .flatten()
    }

    /// A mapping pair's constant key and its value.
    fn pair_entry(&self, pair: Node<'t>, depth: usize) -> Option<(String, Node<'t>)> {
        let kinds = Self::KINDS.mapping?;
        pair.field(kinds.key).and_then(|key| self.mapping_key(key, depth)).zip(pair.field(kinds.value))
    }

    /// The entries of an options mapping: a literal (with spreads of readable mappings), a name
    /// defined by one (with its `name.key = …` statements), or the language's other forms.
    fn mapping(&self, node: Node<'t>, depth: usize) -> Option<Mapping<'t>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.unwrap(node);
        let kinds = Self::KINDS.mapping?;
        if node.kind() == kinds.literal {
            let items = elements(node);
            let mut model = Mapping { entries: Vec::new(), complete: true, literal: Some(node) };
            for (index, item) in items.iter().enumerate() {
                let entry = if item.kind() == kinds.pair {
                    self.pair_entry(*item, depth + 1)
                } else if item.kind() == kinds.spread {
                    let spread = item.named_child(0).and_then(|inner| self.mapping(inner, depth + 1));
                    model.complete &= spread.as_ref().is_some_and(|spread| spread.complete);
                    let entries = spread.map(|spread| spread.entries).unwrap_or_default();
                    model.entries.extend(entries.into_iter().map(|entry| Entry { removal: None, ..entry }));
                    continue;
                } else {
                    self.other_entry(*item)
                };
                match entry {
                    Some(key_value) => model.entries.push(Entry::at(&items, index, key_value)),
                    None => model.complete = false,
                }
            }
            return Some(model);
        }
        if Self::KINDS.names.contains(&node.kind()) {
            let name = self.text(node);
            let value = self.file().scopes.value(name, node.start_byte())?;
            let mut model = self.mapping(value, depth + 1)?;
            match self.file().scopes.properties_of(name, node.start_byte()) {
                Some(properties) => model.entries.extend(properties.into_iter().map(|property| Entry {
                    key: property.key.clone(),
                    value: property.value,
                    range: property.statement.byte_range(),
                    removal: Some(property.statement.byte_range()),
                })),
                None => model.complete = false,
            }
            return Some(model);
        }
        self.other_mapping(node, depth)
    }

    /// An allow-list that is one expression (the token's `alg`, one algorithm name).
    fn single_algorithm(&self, value: Node<'t>, name: Option<String>, from_token: bool) -> AlgItem {
        AlgItem {
            name,
            text: self.text(value).to_string(),
            range: value.byte_range(),
            removal: value.byte_range(),
            from_token,
        }
    }

    /// The algorithm allow-list an expression holds: the token's own `alg`, or a literal list
    /// reached through same-file values.
    fn allow_list(&self, value: Node<'t>) -> Option<AllowList> {
        let quote = Self::KINDS.quote;
        let render: Box<dyn Fn(&str) -> String> = Box::new(move |algorithm: &str| format!("{quote}{algorithm}{quote}"));
        let value = self.unwrap(value);
        if self.is_token_alg(value, 0) {
            return Some(AllowList { items: vec![self.single_algorithm(value, None, true)], render });
        }
        let mut list = value;
        for _ in 0..MAX_DEPTH {
            if Self::KINDS.lists.contains(&list.kind()) {
                break;
            }
            list = self.unwrap(self.follow(list)?);
        }
        if !Self::KINDS.lists.contains(&list.kind()) {
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

    /// Literal strings an expression holds: one string, or a literal list of them reached through
    /// a name (empty when unknown).
    fn string_list(&self, node: Node<'t>) -> Vec<String> {
        if let Some(value) = self.string_value(node, 0) {
            return vec![value];
        }
        let list = match self.definition_value(node) {
            Some(value) => self.unwrap(value),
            None => self.unwrap(node),
        };
        if !Self::KINDS.lists.contains(&list.kind()) {
            return Vec::new();
        }
        let values: Option<Vec<String>> = elements(list).iter().map(|item| self.string_value(*item, 0)).collect();
        values.unwrap_or_default()
    }

    /// A key argument as far as its expression shows: the key a literal or the evidence says, the
    /// literals that end up in it and where its material comes from.
    fn plain_key_arg(&self, node: Node<'t>, spelled: &str) -> KeyArg {
        let key = match self.string_value(node, 0) {
            Some(literal) => classify_key(&literal, true),
            None => self.key_evidence(node),
        };
        KeyArg {
            key,
            literals: self.secret_literal_ranges(node),
            source: self.key_source(node, 0),
            ..KeyArg::unknown(spelled)
        }
    }

    /// What a key is, from the text of its expression and of up to three values it leads to;
    /// a string literal met on the way is classified as the secret itself.
    fn key_evidence(&self, node: Node<'t>) -> Key {
        let mut evidence = self.text(node).to_string();
        let mut current = node;
        for _ in 0..3 {
            let Some(next) = self.key_step(current) else { break };
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

    /// The string literals that end up in a key, with where they stand.
    fn secret_literal_ranges(&self, node: Node<'t>) -> Vec<(String, Range<usize>)> {
        let mut literals = Vec::new();
        self.secret_literals(node, 0, &mut literals);
        literals.into_iter().map(|(value, literal)| (value, literal.byte_range())).collect()
    }

    /// String literals that end up as the secret, through names and the language's `secret_parts`.
    fn secret_literals(&self, node: Node<'t>, depth: usize, out: &mut Vec<(String, Node<'t>)>) {
        if depth > MAX_DEPTH {
            return;
        }
        let node = self.unwrap(node);
        if let Some(literal) = self.string_literal(node) {
            out.push((literal, node));
            return;
        }
        let parts = match self.definition_value(node) {
            Some(value) => vec![value],
            None if Self::KINDS.names.contains(&node.kind()) => Vec::new(),
            None => self.secret_parts(node, depth),
        };
        for part in parts {
            self.secret_literals(part, depth + 1, out);
        }
    }

    /// The raw `Authorization` header, or a name holding it.
    fn is_raw_authorization(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let node = self.unwrap(node);
        self.reads_authorization(node)
            || (node.kind() == "identifier"
                && self.definition_value(node).is_some_and(|value| self.is_raw_authorization(value, depth + 1)))
    }

    /// `object[key]` / `object.fetch(key)` reading the `Authorization` header: `key` is the literal
    /// header name and `object`'s text ends with one of `headers` (`.headers`, `.env`), or is one
    /// without its dot.
    fn names_authorization(&self, object: Option<Node<'t>>, key: Option<Node<'t>>, headers: &[&str]) -> bool {
        let is_headers = object.is_some_and(|object| {
            let text = self.text(object);
            headers.iter().any(|suffix| text.ends_with(suffix) || text == suffix.trim_start_matches('.'))
        });
        is_headers && key.and_then(|key| self.string_literal(key)).is_some_and(|name| is_authorization_name(&name))
    }

    /// `headers.get("Authorization")`: a call of a member named one of `getters` whose first
    /// argument is the literal header name. `member` is the language's member access: its kind
    /// and the field holding the member's name.
    fn is_header_getter(&self, call: Node<'t>, member: (&str, &'static str), getters: &[&str]) -> bool {
        let getter = call
            .field("function")
            .filter(|function| function.kind() == member.0)
            .and_then(|function| function.field(member.1))
            .is_some_and(|name| getters.contains(&self.text(name)));
        getter
            && call
                .field("arguments")
                .and_then(|arguments| {
                    elements(arguments).into_iter().find(|argument| argument.kind() != "keyword_argument")
                })
                .and_then(|argument| self.string_literal(argument))
                .is_some_and(|name| is_authorization_name(&name))
    }

    /// Where a key expression's material comes from, through names and parentheses.
    fn key_source(&self, node: Node<'t>, depth: usize) -> KeySource {
        if depth > MAX_DEPTH {
            return KeySource::Unknown;
        }
        let node = self.unwrap(node);
        let inner = match node.kind() {
            kind if Self::KINDS.names.contains(&kind) => self.definition_value(node),
            kind if Self::KINDS.parentheses.contains(&kind) => node.named_child(0),
            _ => return self.key_source_of(node, depth),
        };
        inner.map_or(KeySource::Unknown, |inner| self.key_source(inner, depth + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_literals_and_arithmetic() {
        assert_eq!(number_literal("1_000"), Some(1000.0));
        assert_eq!(number_literal("0x1F"), Some(31.0));
        assert_eq!(number_literal("10n"), Some(10.0));
        assert_eq!(number_literal("2.5"), Some(2.5));
        assert_eq!(number_literal("0xZZ"), None);
        assert_eq!(arithmetic("*", 60.0, 60.0), Some(3600.0));
        assert_eq!(arithmetic("-", 1.0, 3.0), Some(-2.0));
        assert_eq!(arithmetic("/", 1.0, 0.0), None);
        assert_eq!(arithmetic("%", 7.0, 2.0), None);
        assert_eq!(fold("-", &[3.0]), Some(-3.0));
        assert_eq!(fold("*", &[60.0, 60.0]), Some(3600.0));
        assert_eq!(fold("!", &[1.0]), None);
        assert_eq!(fold("+", &[]), None);
    }

    #[test]
    fn authorization_names() {
        assert!(is_authorization_name("Authorization"));
        assert!(is_authorization_name("HTTP_AUTHORIZATION"));
        assert!(!is_authorization_name("X-Authorization"));
    }
}
