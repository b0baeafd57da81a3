//! Ruby front end: ruby-jwt (`JWT.decode(token, key, verify, options)`, `JWT.encode`) and the
//! devise-jwt / warden-jwt_auth configuration blocks (`config.jwt do |jwt| jwt.secret = … end`,
//! `Warden::JWTAuth.configure do |config| … end`) turned into call sites (`model`), and fixes
//! written in Ruby (`RubyDialect`); the engine judges. Options are read from a literal hash, the
//! trailing `key: value` pairs of a call, or a same-file name (with its `opts[:key] = …`
//! statements). Rails credentials, `ENV[...]`, instance variables and methods of other files stay
//! unknown: no finding comes from them.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::Sink;
use super::evaluate::{self, Collect, Entry, Evaluator, Kinds, Mapping, MappingKinds, SourceFile, Walk};
use super::knowledge::AllowList;
use super::library::{Ecosystem, Function};
use super::model::{
    Algorithms, Anchor, CallSite, Check, Dialect, Expr, Given, KeyArg, KeySource, Model, Operation, Options, PathBase,
    Switch, TokenArg, Use, Value,
};
use super::syntax::{self, Field, MAX_DEPTH, elements};
use crate::finding::TextEdit;

/// The ruby-jwt gem's name (its rows in `library::FUNCTIONS`).
const RUBY_JWT: &str = "jwt";
/// devise-jwt is a thin layer over warden-jwt_auth: both are configured with the same setters.
const DEVISE_JWT: &str = "devise-jwt";

/// The arguments of one call: positional ones, the trailing `key: value` pairs (Ruby passes them
/// as one hash in the next positional place), and whether a splat hides any.
struct Arguments<'t> {
    list: Option<Node<'t>>,
    positional: Vec<Node<'t>>,
    pairs: Vec<Node<'t>>,
    splat: bool,
}

pub(super) fn analyze(source: &str, tree: &Tree, options: &super::Options, sink: &mut Sink) {
    let mut analyzer = Analyzer::new(source, tree);
    analyzer.collect_file();
    let model = analyzer.model(options.conventional_names);
    let dialect = RubyDialect { src: source, needs_verify: analyzer.needs_verify.take() };
    evaluate::judge(&model, &dialect, options, sink);
}

/// The call sites and settings of one Ruby source.
pub(super) fn model(source: &str, tree: &Tree, options: &super::Options) -> Model {
    let mut analyzer = Analyzer::new(source, tree);
    analyzer.collect_file();
    analyzer.model(options.conventional_names)
}

struct Analyzer<'s, 't> {
    file: SourceFile<'s, 't>,
    /// `JWT.decode(...)` / `JWT.encode(...)` calls with their enclosing method or block.
    calls: Vec<(Node<'t>, Range<usize>)>,
    /// The file defines its own `JWT` module or class: `JWT.decode` is not ruby-jwt's.
    defines_jwt: bool,
    /// devise-jwt / warden-jwt_auth configuration blocks: the block's range and its parameter.
    config_blocks: Vec<(Range<usize>, &'s str)>,
    /// Setter assignments inside those blocks: (setting, value, statement).
    settings: Vec<(&'s str, Node<'t>, Node<'t>)>,
    /// Positions of `AfterArguments` anchors after a call's second argument: the fix must pass
    /// `verify = true` before the options hash, or Ruby reads the hash as `verify`.
    needs_verify: std::cell::RefCell<HashSet<usize>>,
}

impl<'s, 't> Analyzer<'s, 't> {
    fn new(source: &'s str, tree: &'t Tree) -> Analyzer<'s, 't> {
        Analyzer {
            file: SourceFile::new(source, tree),
            calls: Vec::new(),
            defines_jwt: false,
            config_blocks: Vec::new(),
            settings: Vec::new(),
            needs_verify: std::cell::RefCell::new(HashSet::new()),
        }
    }

    // ---- pass 1 ----

    /// `JWT` or `::JWT`.
    fn is_jwt_constant(&self, node: Node<'_>) -> bool {
        match node.kind() {
            "constant" => self.text(node) == "JWT",
            "scope_resolution" => node.field("scope").is_none() && self.text(node).trim_start_matches("::") == "JWT",
            _ => false,
        }
    }

    fn method_name(&self, call: Node<'_>) -> &'s str {
        call.field("method").map_or("", |method| self.text(method))
    }

    fn collect_call(&mut self, call: Node<'t>) {
        let method = self.method_name(call);
        let Some(receiver) = call.field("receiver") else { return };
        if matches!(method, "decode" | "encode") && self.is_jwt_constant(receiver) {
            self.calls.push((call, self.file.enclosing()));
            return;
        }
        // ruby-jwt 2.10+ `JWT::EncodedToken`: the receiver is checked when the model is built.
        if matches!(method, "unverified_payload" | "verify_signature!" | "verify!") {
            self.calls.push((call, self.file.enclosing()));
            return;
        }
        // `config.jwt do |jwt| … end` (devise-jwt), `Warden::JWTAuth.configure do |config| … end` and
        // `Devise::JWT.configure do |config| … end` (its settings are warden-jwt_auth's).
        let configures = (method == "jwt" && matches!(receiver.kind(), "identifier" | "constant"))
            || (method == "configure"
                && matches!(self.text(receiver).trim_start_matches("::"), "Warden::JWTAuth" | "Devise::JWT"))
            || (method == "jwt" && self.text(receiver).trim_start_matches("::") == "Devise");
        if !configures {
            return;
        }
        let Some(block) = call.field("block") else { return };
        let parameter = block
            .field("parameters")
            .and_then(|parameters| parameters.named_child(0))
            .filter(|parameter| parameter.kind() == "identifier");
        if let Some(parameter) = parameter {
            self.config_blocks.push((block.byte_range(), self.text(parameter)));
        }
    }

    fn collect_assignment(&mut self, node: Node<'t>) {
        let Some(left) = node.field("left") else { return };
        let right = node.field("right");
        let scope = self.file.enclosing();
        match left.kind() {
            "identifier" | "constant" => {
                self.file.scopes.define(self.text(left), scope, left.start_byte(), right, false);
            }
            // `a, b = x, y` defines each name with its value; other shapes define names only.
            "left_assignment_list" => {
                let targets = elements(left);
                let values = right.filter(|right| right.kind() == "right_assignment_list").map(elements);
                for (index, target) in targets.iter().enumerate() {
                    if matches!(target.kind(), "identifier" | "constant") {
                        let value = values.as_ref().and_then(|values| values.get(index).copied());
                        let value =
                            value.filter(|_| values.as_ref().is_some_and(|values| values.len() == targets.len()));
                        self.file.scopes.define(self.text(*target), scope.clone(), target.start_byte(), value, false);
                    }
                }
            }
            // `opts[:leeway] = 30`.
            "element_reference" => {
                let Some(object) = left.field("object").filter(|object| object.kind() == "identifier") else { return };
                let key = subscript(left).and_then(|key| self.symbol_or_string(key));
                match (key, right) {
                    (Some(key), Some(right)) => self.file.scopes.property(self.text(object), key, right, node),
                    _ => self.file.scopes.mutate(self.text(object), left.start_byte()),
                }
            }
            // `jwt.secret = '…'` inside a configuration block.
            "call" => {
                let (Some(receiver), Some(right)) = (left.field("receiver"), right) else { return };
                let at = node.start_byte();
                let in_block = self
                    .config_blocks
                    .iter()
                    .any(|(range, parameter)| range.start <= at && at < range.end && self.text(receiver) == *parameter);
                if in_block {
                    self.settings.push((self.method_name(left), right, node));
                }
            }
            _ => {}
        }
    }

    fn collect_parameters(&mut self, parameters: Node<'t>, scope: Range<usize>) {
        for parameter in elements(parameters) {
            let name = match parameter.kind() {
                "identifier" => Some(parameter),
                _ => parameter.field("name").or_else(|| parameter.named_child(0)),
            };
            if let Some(name) = name.filter(|name| name.kind() == "identifier") {
                self.file.scopes.define(self.text(name), scope.clone(), name.start_byte(), None, false);
            }
        }
    }

    // ---- values ----

    fn arguments(&self, call: Node<'t>) -> Arguments<'t> {
        let list = call.field("arguments").filter(|list| list.kind() == "argument_list");
        let mut arguments = Arguments { list, positional: Vec::new(), pairs: Vec::new(), splat: false };
        for argument in list.map(elements).unwrap_or_default() {
            match argument.kind() {
                "pair" => arguments.pairs.push(argument),
                "splat_argument" | "hash_splat_argument" | "forward_argument" => arguments.splat = true,
                "block_argument" => {}
                _ => arguments.positional.push(argument),
            }
        }
        arguments
    }

    /// `:name`, `name:` (a hash key) or a plain string.
    fn symbol_or_string(&self, node: Node<'_>) -> Option<String> {
        match node.kind() {
            "simple_symbol" => Some(self.text(node).trim_start_matches(':').to_string()),
            "hash_key_symbol" => Some(self.text(node).to_string()),
            _ => self.string_literal(node),
        }
    }

    /// A literal or same-file constant: strings, numbers (with arithmetic and ActiveSupport
    /// durations such as `5.minutes`), booleans and `nil`.
    fn value(&self, node: Node<'t>, depth: usize) -> Value {
        if let Some(literal) = self.literal(node) {
            return literal;
        }
        if depth > MAX_DEPTH {
            return Value::Unknown;
        }
        let known = |number: Option<f64>| number.map_or(Value::Unknown, Value::Number);
        match node.kind() {
            "unary" | "binary" => {
                let operands: Option<Vec<f64>> = ["operand", "left", "right"]
                    .into_iter()
                    .filter_map(|side| node.field(side))
                    .map(|side| self.number_value(side, depth + 1))
                    .collect();
                let operator = node.field("operator").map(|operator| self.text(operator));
                known(operator.zip(operands).and_then(|(operator, operands)| evaluate::fold(operator, &operands)))
            }
            // `'secret'.freeze`, `'secret'.b`.
            "call" if matches!(self.method_name(node), "freeze" | "dup" | "b" | "to_s") => {
                node.field("receiver").map_or(Value::Unknown, |receiver| self.value(receiver, depth + 1))
            }
            "call" => known(self.duration(node, depth)),
            "parenthesized_statements" => {
                let inner = elements(node);
                match inner.as_slice() {
                    [only] => self.value(*only, depth + 1),
                    _ => Value::Unknown,
                }
            }
            "identifier" | "constant" => {
                self.definition_value(node).map_or(Value::Unknown, |inner| self.value(inner, depth + 1))
            }
            _ => Value::Unknown,
        }
    }

    /// A literal's value: a string, symbol, number, boolean or `nil`.
    fn literal(&self, node: Node<'_>) -> Option<Value> {
        if let Some(text) = self.string_literal(node) {
            return Some(Value::Str(text));
        }
        Some(match node.kind() {
            "true" | "false" => Value::Bool(node.kind() == "true"),
            "nil" => Value::Null,
            "simple_symbol" => Value::Str(self.text(node).trim_start_matches(':').to_string()),
            "integer" | "float" => Value::Number(evaluate::number_literal(self.text(node))?),
            _ => return None,
        })
    }

    /// ActiveSupport durations in seconds: `30.seconds`, `5.minutes.to_i`, `1.hour`.
    fn duration(&self, call: Node<'t>, depth: usize) -> Option<f64> {
        let receiver = call.field("receiver")?;
        if call.field("arguments").is_some() {
            return None;
        }
        let factor = match self.method_name(call) {
            "to_i" | "to_f" | "seconds" | "second" => 1.0,
            "minutes" | "minute" => 60.0,
            "hours" | "hour" => 3600.0,
            "days" | "day" => 86_400.0,
            "weeks" | "week" => 604_800.0,
            _ => return None,
        };
        Some(self.number_value(receiver, depth + 1)? * factor)
    }

    fn number_value(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        match self.value(node, depth) {
            Value::Number(number) => Some(number),
            _ => None,
        }
    }

    /// Ruby truthiness: only `false` and `nil` are false.
    fn truthiness(&self, node: Node<'t>) -> Option<bool> {
        match self.value(node, 0) {
            Value::Bool(flag) => Some(flag),
            Value::Null => Some(false),
            Value::Str(_) | Value::Number(_) | Value::Duration(_) => Some(true),
            Value::Unknown => matches!(node.kind(), "hash" | "array").then_some(true),
        }
    }

    /// A literal file path: a string, `Rails.root.join("config", "key.pem")` or
    /// `File.join(__dir__, "key.pem")`.
    fn path_value(&self, node: Node<'t>, depth: usize) -> Option<(String, PathBase)> {
        match node.kind() {
            _ if depth > MAX_DEPTH => None,
            "identifier" | "constant" => self.path_value(self.definition_value(node)?, depth + 1),
            "call" if self.method_name(node) == "join" => self.joined_path(node, depth),
            _ => Some((self.string_value(node, depth)?, PathBase::WorkingFolder)),
        }
    }

    /// `Rails.root.join("config", "key.pem")` (the service's folder) or `File.join(…)` of literal
    /// parts, from the source file's folder when the first is `__dir__`.
    fn joined_path(&self, call: Node<'t>, depth: usize) -> Option<(String, PathBase)> {
        let receiver = self.text(call.field("receiver")?).trim_start_matches("::");
        let arguments = self.arguments(call);
        let positional = &arguments.positional[..];
        let (base, parts) = match (receiver, positional.first().map(|first| self.text(*first))) {
            ("File", Some("__dir__" | "File.dirname(__FILE__)")) => (PathBase::SourceFile, &positional[1..]),
            ("Rails.root" | "File", _) => (PathBase::WorkingFolder, positional),
            _ => return None,
        };
        let parts: Option<Vec<String>> = parts.iter().map(|part| self.string_value(*part, depth + 1)).collect();
        Some((parts?.join("/"), base))
    }

    /// `JWT.decode(...)[1]`, `JWT.decode(...).last`, a name holding one, or any name that says
    /// `header`: the token's own (unverified) header.
    fn is_token_header(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match node.kind() {
            "element_reference" => {
                let index = subscript(node).map(|index| self.value(index, 0));
                index == Some(Value::Number(1.0)) && node.field("object").is_some_and(|object| self.is_decode(object))
            }
            "call" => {
                self.method_name(node) == "last" && node.field("receiver").is_some_and(|object| self.is_decode(object))
            }
            "identifier" => {
                self.text(node).to_ascii_lowercase().contains("header")
                    || self.definition_value(node).is_some_and(|value| self.is_token_header(value, depth + 1))
            }
            _ => false,
        }
    }

    fn is_decode(&self, node: Node<'_>) -> bool {
        node.kind() == "call"
            && self.method_name(node) == "decode"
            && node.field("receiver").is_some_and(|receiver| self.is_jwt_constant(receiver))
    }

    // ---- pass 2: the model ----

    fn model(&self, conventional_names: bool) -> Model {
        let mut model = Model::default();
        // A file that defines its own `JWT` is not calling ruby-jwt (a Markdown fence without
        // context still means the gem).
        if self.defines_jwt && !conventional_names {
            return model;
        }
        for (name, value, statement) in &self.settings {
            model.calls.extend(self.setting(name, *value, *statement));
        }
        let mut decodes = Vec::new();
        for (call, scope) in &self.calls {
            let Some(site) = self.call_site(*call, scope.clone()) else { continue };
            if site.operation == Operation::Decode {
                decodes.push((model.calls.len(), *call, Part::Payload));
            } else if site.options.switches.iter().any(|switch| switch.check == Check::Signature) {
                decodes.push((model.calls.len(), *call, Part::Whole));
            }
            model.calls.push(site);
        }
        if !decodes.is_empty() {
            let reads = self.reads();
            for (index, call, part) in decodes {
                let site = &mut model.calls[index];
                site.used_for = reads.use_of(self, call, part, &site.scope);
            }
        }
        model
    }

    /// A devise-jwt / warden-jwt_auth setting: the secret it signs and verifies with, or the
    /// algorithm it signs with.
    fn setting(&self, name: &str, value: Node<'t>, statement: Node<'t>) -> Option<CallSite> {
        let function = Function::find(Ecosystem::Ruby, DEVISE_JWT, "jwt.secret")?;
        let mut options = Options::defaults(None);
        let mut key = None;
        let mut operation = function.operation;
        match name {
            "secret" | "decoding_secret" => key = Some(self.plain_key_arg(value, name)),
            "algorithm" => {
                operation = Operation::Sign;
                options.signing_algorithm = Some(self.expr(value));
            }
            _ => return None,
        }
        Some(site(function, operation, value.byte_range(), statement.byte_range(), None, key, options))
    }

    /// `JWT::EncodedToken.new(token)`, directly or through a same-file name: its token.
    fn encoded_token(&self, node: Node<'t>, depth: usize) -> Option<Node<'t>> {
        if depth > MAX_DEPTH {
            return None;
        }
        match node.kind() {
            "identifier" | "constant" => self.encoded_token(self.definition_value(node)?, depth + 1),
            "call" if self.method_name(node) == "new" => {
                let class = self.text(node.field("receiver")?).trim_start_matches("::");
                (class == "JWT::EncodedToken").then(|| self.arguments(node).positional.first().copied()).flatten()
            }
            _ => None,
        }
    }

    /// `encoded.unverified_payload` (a decode) and `encoded.verify_signature!(algorithm:, key:)` /
    /// `encoded.verify!(signature: { algorithm:, key: })` (a verify of the signature only: the
    /// claims are `verify_claims!`'s, so none are expected here).
    fn encoded_token_site(&self, call: Node<'t>, scope: Range<usize>) -> Option<CallSite> {
        let receiver = call.field("receiver")?;
        let token = self.encoded_token(receiver, 0)?;
        let method = self.method_name(call);
        let path = match method {
            "unverified_payload" => "JWT::EncodedToken#unverified_payload",
            _ => "JWT::EncodedToken#verify_signature!",
        };
        let function = Function::find(Ecosystem::Ruby, RUBY_JWT, path)?;
        let range = call.field("method")?.byte_range();
        let token = Some(TokenArg { expr: self.expr(token), raw_authorization: self.is_raw_authorization(token, 0) });
        if function.operation == Operation::Decode {
            let options = Options::defaults(None);
            return Some(site(function, Operation::Decode, range, scope, token, None, options));
        }
        let arguments = self.arguments(call);
        let mut pairs = Mapping::empty();
        for pair in &arguments.pairs {
            match pair.field("key").and_then(|key| self.mapping_key(key, 0)).zip(pair.field("value")) {
                Some((key, value)) => pairs.entries.push(Entry { key, value, range: pair.byte_range(), removal: None }),
                None => pairs.complete = false,
            }
        }
        let signature = if method == "verify!" {
            pairs.get("signature").and_then(|entry| self.mapping(entry.value, 0))
        } else {
            Some(pairs)
        };
        let mut options = Options::unknown();
        if let Some(signature) = signature.filter(|signature| signature.complete && !arguments.splat) {
            // `algorithm:` is a required keyword: without it the call raises `ArgumentError`.
            options.complete = true;
            options.algorithms = match signature.get("algorithm") {
                Some(entry) => self.algorithms(entry.value),
                None => Algorithms::Unknown,
            };
            let key = signature.get("key").map(|entry| self.plain_key_arg(entry.value, "key"));
            return Some(site(function, Operation::Verify, range, scope, token, key, options));
        }
        Some(site(function, Operation::Verify, range, scope, token, None, options))
    }

    fn call_site(&self, call: Node<'t>, scope: Range<usize>) -> Option<CallSite> {
        let path = match self.method_name(call) {
            "decode" => "JWT.decode",
            "encode" => "JWT.encode",
            _ => return self.encoded_token_site(call, scope),
        };
        let function = Function::find(Ecosystem::Ruby, RUBY_JWT, path)?;
        let arguments = self.arguments(call);
        let range = call.field("receiver")?.start_byte()..call.field("method")?.end_byte();
        let key_node = arguments.positional.get(1).copied().filter(|key| key.kind() != "nil");
        if function.operation == Operation::Sign {
            let mut options = Options::defaults(None);
            options.complete = !arguments.splat;
            options.signing_algorithm = arguments.positional.get(2).map(|algorithm| self.expr(*algorithm));
            return Some(site(
                function,
                Operation::Sign,
                range,
                scope,
                None,
                key_node.map(|key| self.plain_key_arg(key, "key")),
                options,
            ));
        }
        let token = *arguments.positional.first()?;
        let options = self.decode_options(&arguments);
        let mut key = key_node.map(|key| self.plain_key_arg(key, "key"));
        if key.is_none() && call.field("block").is_some() {
            // A key finder block picks the key from the header: what it returns is not read.
            key = Some(KeyArg::unknown("key finder"));
        }
        Some(site(
            function,
            Operation::Verify,
            range,
            scope,
            Some(TokenArg { expr: self.expr(token), raw_authorization: self.is_raw_authorization(token, 0) }),
            key,
            options,
        ))
    }

    /// The options of `JWT.decode(jwt, key = nil, verify = true, options = {})`: a hash in the
    /// fourth place, or trailing pairs after three positional arguments (after two, Ruby passes
    /// the pairs as `verify` and the options stay at their defaults).
    fn decode_options(&self, arguments: &Arguments<'t>) -> Options {
        let positional = &arguments.positional;
        let mut switches = Vec::new();
        if let Some(verify) = positional.get(2)
            && self.truthiness(*verify) == Some(false)
        {
            switches.push(Switch {
                check: Check::Signature,
                spelled: format!("verify = {}", self.text(*verify)),
                range: verify.byte_range(),
                removal: None,
            });
        }
        let all = arguments.list.map(elements).unwrap_or_default();
        let (mapping, anchor) = match (positional.len(), arguments.pairs.is_empty()) {
            // `JWT.decode(t, k, true, { … })` or `JWT.decode(t, k, true, opts)`.
            (4.., _) => {
                let hash = positional[3];
                let anchor = (hash.kind() == "hash").then(|| {
                    let first = elements(hash).first().map(|entry| entry.start_byte());
                    Anchor::Literal { first_entry: first, whole: hash.byte_range() }
                });
                (self.mapping(hash, 0), anchor)
            }
            // `JWT.decode(t, k, true, algorithm: 'HS256')`.
            (3, false) => {
                let mut mapping = Mapping::empty();
                for (index, pair) in all.iter().enumerate() {
                    if pair.kind() != "pair" {
                        continue;
                    }
                    match self.pair_entry(*pair, 0) {
                        Some(key_value) => mapping.entries.push(Entry::at(&all, index, key_value)),
                        None => mapping.complete = false,
                    }
                }
                let first = arguments.pairs.first().map(|pair| pair.start_byte());
                let anchor = first.map(|at| Anchor::Literal { first_entry: Some(at), whole: at..at });
                (Some(mapping), anchor)
            }
            // Defaults: a fix adds them after the last argument (with `true` first after two).
            (count @ 1..=3, true) => {
                let at = positional.last().map(|last| last.end_byte());
                if count < 3
                    && let Some(at) = at
                {
                    self.needs_verify.borrow_mut().insert(at);
                }
                let anchor = at.filter(|_| count >= 2).map(|at| Anchor::AfterArguments { at, comma: true });
                (Some(Mapping::empty()), anchor)
            }
            // Pairs after fewer than three arguments become `verify`: no options.
            _ => (Some(Mapping::empty()), None),
        };
        let Some(mapping) = mapping else {
            let mut options = Options::unknown();
            options.switches = switches;
            return options;
        };
        let complete = mapping.complete && !arguments.splat;
        let is_false = |entry: &Entry<'t>| self.truthiness(entry.value) == Some(false);
        let is_true = |entry: Option<&Entry<'t>>| entry.is_some_and(|entry| self.truthiness(entry.value) == Some(true));
        for (option, check) in [("verify_expiration", Check::Expiry), ("verify_not_before", Check::NotBefore)] {
            if let Some(entry) = mapping.get(option).filter(|entry| is_false(entry)) {
                switches.push(Switch {
                    check,
                    spelled: format!("{option}: false"),
                    range: entry.range.clone(),
                    removal: entry.removal.clone(),
                });
            }
        }
        let algorithms = match mapping.get("algorithms").or_else(|| mapping.get("algorithm")) {
            None => Algorithms::Absent,
            Some(entry) if entry.value.kind() == "nil" => Algorithms::ExplicitNone(entry.value.byte_range()),
            Some(entry) => self.algorithms(entry.value),
        };
        // ruby-jwt checks `aud` / `iss` only with `verify_aud: true` / `verify_iss: true`.
        let given = |claim: &str, switch: &str| {
            if mapping.get(claim).is_some() && is_true(mapping.get(switch)) {
                Given::Yes
            } else if complete {
                Given::No
            } else {
                Given::Unknown
            }
        };
        let leeway = ["leeway", "exp_leeway", "nbf_leeway"]
            .into_iter()
            .filter_map(|option| {
                let entry = mapping.get(option)?;
                Some((self.number_value(entry.value, 0)?, entry.value.byte_range(), option.to_string()))
            })
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let audience = given("aud", "verify_aud");
        let issuer = given("iss", "verify_iss");
        Options {
            complete,
            algorithms,
            audience,
            issuer,
            audiences: if audience == Given::Yes {
                mapping.get("aud").map(|entry| self.string_list(entry.value)).unwrap_or_default()
            } else {
                Vec::new()
            },
            issuers: if issuer == Given::Yes {
                mapping.get("iss").map(|entry| self.string_list(entry.value)).unwrap_or_default()
            } else {
                Vec::new()
            },
            leeway,
            switches,
            signing_algorithm: None,
            anchor,
        }
    }

    fn algorithms(&self, value: Node<'t>) -> Algorithms {
        if let Some(list) = self.allow_list(value) {
            return Algorithms::Listed(list);
        }
        // `algorithm: 'HS256'`: one algorithm.
        match self.string_value(value, 0) {
            Some(name) => Algorithms::Listed(AllowList {
                items: vec![self.single_algorithm(value, Some(name), false)],
                render: Box::new(|algorithm: &str| format!("'{algorithm}'")),
            }),
            None => Algorithms::Unknown,
        }
    }

    /// Where values are read in the file, for the uses of unverified decodes.
    fn reads(&self) -> Reads<'t> {
        let mut reads = Reads { names: HashMap::new() };
        syntax::walk(self.file.root, |node| {
            if node.kind() == "identifier" {
                reads.names.entry(self.text(node).to_string()).or_default().push(node);
            }
        });
        reads
    }
}

/// Every identifier of the file by name: the reads of a decode's result.
struct Reads<'t> {
    names: HashMap<String, Vec<Node<'t>>>,
}

/// Where a value goes: the header part, the payload part, or something else.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Whole,
    Payload,
}

impl<'t> Reads<'t> {
    /// What the result of an unverified `JWT.decode` is read for: only its header
    /// (`[1]`, `.last`, `_payload, header = …`), or only the payload's times (`[0]['exp']`).
    fn use_of(&self, analyzer: &Analyzer<'_, 't>, call: Node<'t>, part: Part, scope: &Range<usize>) -> Use {
        let mut uses = Vec::new();
        self.uses(analyzer, call, part, scope, 0, &mut uses);
        // Header reads alone are a peek, times alone schedule a refresh; no read at all or any
        // other read is the claims.
        if uses.is_empty() || uses.contains(&Use::Claims) {
            Use::Claims
        } else if uses.contains(&Use::TimesOnly) {
            Use::TimesOnly
        } else {
            Use::HeaderOnly
        }
    }

    fn uses(
        &self,
        analyzer: &Analyzer<'_, 't>,
        node: Node<'t>,
        part: Part,
        scope: &Range<usize>,
        depth: usize,
        out: &mut Vec<Use>,
    ) {
        if depth > MAX_DEPTH {
            out.push(Use::Claims);
            return;
        }
        let Some(parent) = node.parent() else {
            out.push(Use::Claims);
            return;
        };
        let is_object = |field: &'static str| parent.field(field).is_some_and(|object| object.id() == node.id());
        match parent.kind() {
            "element_reference" if is_object("object") => {
                let key = subscript(parent).map(|key| analyzer.value(key, 0));
                match (part, key) {
                    (Part::Whole, Some(Value::Number(index))) if index == 1.0 || index == -1.0 => {
                        out.push(Use::HeaderOnly)
                    }
                    (Part::Whole, Some(Value::Number(0.0))) => {
                        self.uses(analyzer, parent, Part::Payload, scope, depth + 1, out)
                    }
                    (Part::Payload, Some(Value::Str(claim))) if matches!(claim.as_str(), "exp" | "iat" | "nbf") => {
                        out.push(Use::TimesOnly)
                    }
                    _ => out.push(Use::Claims),
                }
            }
            "call" if is_object("receiver") && part == Part::Whole => match analyzer.method_name(parent) {
                "last" => out.push(Use::HeaderOnly),
                "first" => self.uses(analyzer, parent, Part::Payload, scope, depth + 1, out),
                _ => out.push(Use::Claims),
            },
            "parenthesized_statements" => self.uses(analyzer, parent, part, scope, depth + 1, out),
            "assignment" if is_object("right") => {
                let Some(left) = parent.field("left") else { return out.push(Use::Claims) };
                // `payload, header = JWT.decode(…)`: the payload's reads decide; never read, only
                // the header is.
                let (name, part, unread) = match (left.kind(), elements(left).first()) {
                    ("identifier", _) => (left, part, None),
                    ("left_assignment_list", Some(payload))
                        if part == Part::Whole && payload.kind() == "identifier" =>
                    {
                        (*payload, Part::Payload, Some(Use::HeaderOnly))
                    }
                    _ => return out.push(Use::Claims),
                };
                let reads = self.later_reads(analyzer.text(name), name.end_byte(), scope);
                if reads.is_empty() {
                    out.extend(unread);
                }
                for read in reads {
                    self.uses(analyzer, read, part, scope, depth + 1, out);
                }
            }
            _ => out.push(Use::Claims),
        }
    }

    /// The reads of `name` after `after`, up to the end of `scope`.
    fn later_reads(&self, name: &str, after: usize, scope: &Range<usize>) -> Vec<Node<'t>> {
        let reads = self.names.get(name).into_iter().flatten();
        reads.filter(|read| read.start_byte() > after && read.end_byte() <= scope.end).copied().collect()
    }
}

impl<'s, 't> Collect<'s, 't> for Analyzer<'s, 't> {
    const WALK: Walk = Walk {
        functions: &["method", "singleton_method", "block", "do_block", "lambda"],
        collected: &[
            "call",
            "assignment",
            "operator_assignment",
            "module",
            "class",
            "method",
            "singleton_method",
            "block",
            "do_block",
            "lambda",
        ],
        opaque: &["comment", "heredoc_body", "regex"],
    };

    fn collect(&mut self, node: Node<'t>, scope: Range<usize>) {
        match node.kind() {
            "call" => self.collect_call(node),
            "assignment" => self.collect_assignment(node),
            "operator_assignment"
                if let Some(left) =
                    node.field("left").filter(|left| matches!(left.kind(), "identifier" | "constant")) =>
            {
                self.file.scopes.reassign(self.text(left), left.start_byte());
            }
            "module" | "class"
                if node.field("name").is_some_and(|name| self.text(name).trim_start_matches("::") == "JWT") =>
            {
                self.defines_jwt = true;
            }
            "method" | "singleton_method" => {
                // A method without parameters reads like a name: `secret_key` is `def secret_key`.
                if let Some(name) = node.field("name") {
                    let body = node.field("body");
                    self.file.scopes.define(self.text(name), scope, name.start_byte(), body, false);
                }
                if let Some(parameters) = node.field("parameters") {
                    self.collect_parameters(parameters, node.byte_range());
                }
            }
            "block" | "do_block" | "lambda" => {
                if let Some(parameters) = node.field("parameters") {
                    self.collect_parameters(parameters, node.byte_range());
                }
            }
            _ => {}
        }
    }
}

impl<'s, 't> Evaluator<'s, 't> for Analyzer<'s, 't> {
    const KINDS: Kinds = Kinds {
        names: &["identifier", "constant"],
        parentheses: &["parenthesized_statements"],
        lists: &["array", "string_array"],
        quote: '\'',
        mapping: Some(MappingKinds {
            literal: "hash",
            pair: "pair",
            spread: "hash_splat_argument",
            key: "key",
            value: "value",
        }),
        concat: None,
        numbers: &[],
    };

    fn file(&self) -> &SourceFile<'s, 't> {
        &self.file
    }

    /// `'…'`, `"…"` without interpolation, an element of `%w[RS256 ES256]`, and `'a' 'b'`.
    fn string_literal(&self, node: Node<'_>) -> Option<String> {
        let text_part = |part: &str| matches!(part, "string_content" | "escape_sequence").then_some(true);
        match node.kind() {
            "string" | "bare_string" => syntax::joined_parts(node, self.file.src, text_part),
            "chained_string" => elements(node).into_iter().map(|part| self.string_literal(part)).collect(),
            _ => None,
        }
    }

    fn string_value(&self, node: Node<'t>, depth: usize) -> Option<String> {
        self.value(node, depth).as_str().map(str::to_string)
    }

    fn expr_value(&self, node: Node<'t>) -> Value {
        self.value(node, 0)
    }

    /// `OPTIONS = { … }.freeze`.
    fn other_mapping(&self, node: Node<'t>, depth: usize) -> Option<Mapping<'t>> {
        if node.kind() != "call" || !matches!(self.method_name(node), "freeze" | "dup") {
            return None;
        }
        let mut mapping = self.mapping(node.field("receiver")?, depth + 1)?;
        // Entries of a constant's frozen hash are no place for a fix.
        mapping.literal = None;
        Some(mapping)
    }

    fn mapping_key(&self, key: Node<'t>, depth: usize) -> Option<String> {
        self.symbol_or_string(key).or_else(|| self.string_value(key, depth))
    }

    /// A method's body is its last expression.
    fn definition_value(&self, node: Node<'t>) -> Option<Node<'t>> {
        if !Self::KINDS.names.contains(&node.kind()) {
            return None;
        }
        let value = self.file.scopes.value(self.text(node), node.start_byte())?;
        if value.kind() == "body_statement" {
            return elements(value).into_iter().rfind(|statement| statement.kind() != "comment");
        }
        Some(value)
    }

    /// `header['alg']`, `header[:alg]`, `JWT.decode(t, nil, false)[1]['alg']`.
    fn reads_token_alg(&self, node: Node<'t>, depth: usize) -> bool {
        match node.kind() {
            "element_reference" => {
                let key = subscript(node).and_then(|key| self.symbol_or_string(key));
                key.as_deref() == Some("alg")
                    && node.field("object").is_some_and(|object| self.is_token_header(object, depth + 1))
            }
            "binary" => ["left", "right"]
                .into_iter()
                .filter_map(|side| node.field(side))
                .any(|side| self.is_token_alg(side, depth + 1)),
            _ => false,
        }
    }

    /// Through `||` fallbacks, conditionals, the default of `ENV.fetch("X", "dev")` and a
    /// method's last expression.
    fn secret_parts(&self, node: Node<'t>, _depth: usize) -> Vec<Node<'t>> {
        match node.kind() {
            "parenthesized_statements" => elements(node).into_iter().last().into_iter().collect(),
            "binary" if node.field("operator").is_some_and(|operator| matches!(self.text(operator), "||" | "or")) => {
                ["left", "right"].into_iter().filter_map(|side| node.field(side)).collect()
            }
            "conditional" => ["consequence", "alternative"].into_iter().filter_map(|side| node.field(side)).collect(),
            "call" => {
                let receiver = node.field("receiver").map(|receiver| self.text(receiver));
                match (receiver, self.method_name(node)) {
                    // `ENV.fetch('X', 'dev')` and `ENV.fetch('X') { 'dev' }`.
                    (Some("ENV"), "fetch") => {
                        let block_value = node
                            .field("block")
                            .and_then(|block| block.field("body"))
                            .and_then(|body| elements(body).into_iter().rfind(|part| part.kind() != "comment"));
                        self.arguments(node).positional.get(1).copied().into_iter().chain(block_value).collect()
                    }
                    // `'secret'.b`, `'secret'.freeze`.
                    (Some(_), "b" | "freeze" | "to_s" | "dup") => node.field("receiver").into_iter().collect(),
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    /// `request.headers['Authorization']`, `request.headers.fetch('Authorization')`,
    /// `request.env['HTTP_AUTHORIZATION']`, `request.authorization`.
    fn reads_authorization(&self, node: Node<'t>) -> bool {
        const HEADERS: &[&str] = &["headers", ".env"];
        match (node.kind(), self.method_name(node)) {
            ("element_reference", _) => self.names_authorization(node.field("object"), subscript(node), HEADERS),
            ("call", "authorization") => {
                node.field("receiver").is_some_and(|receiver| self.text(receiver).ends_with("request"))
            }
            ("call", "fetch" | "[]") => {
                let name = self.arguments(node).positional.first().copied();
                self.names_authorization(node.field("receiver"), name, HEADERS)
            }
            _ => false,
        }
    }

    /// A name's definition, an instance-variable-free receiver chain's start (`key.public_key`),
    /// or a method's last expression.
    fn key_step(&self, node: Node<'t>) -> Option<Node<'t>> {
        match node.kind() {
            "call" => node.field("receiver").filter(|receiver| matches!(receiver.kind(), "identifier" | "constant")),
            _ => self.definition_value(node),
        }
    }

    /// A literal, `ENV['X']`, `ENV.fetch('X')`, `File.read(path)`, `OpenSSL::PKey::RSA.new(…)`,
    /// `Rails.application.credentials…` (unknown: no file to read it from).
    fn key_source_of(&self, node: Node<'t>, depth: usize) -> KeySource {
        if self.string_literal(node).is_some() {
            return KeySource::Literal;
        }
        let unknown = KeySource::Unknown;
        match node.kind() {
            "element_reference" if node.field("object").is_some_and(|object| self.text(object) == "ENV") => {
                subscript(node).and_then(|name| self.string_value(name, depth + 1)).map_or(unknown, KeySource::Env)
            }
            "binary" => node.field("left").map_or(unknown, |left| self.key_source(left, depth + 1)),
            "call" => {
                let receiver = node.field("receiver");
                let receiver_text = receiver.map(|receiver| self.text(receiver).trim_start_matches("::"));
                let first = self.arguments(node).positional.first().copied();
                match (receiver_text, self.method_name(node)) {
                    (Some("ENV"), "fetch" | "[]") => {
                        first.and_then(|name| self.string_value(name, depth + 1)).map_or(unknown, KeySource::Env)
                    }
                    (Some("File" | "IO"), "read" | "binread") => first
                        .and_then(|path| self.path_value(path, depth + 1))
                        .map_or(unknown, |(path, base)| KeySource::File { path, base }),
                    // `OpenSSL::PKey::RSA.new(File.read(…))`, `OpenSSL::PKey.read(…)`.
                    (Some(class), "new" | "read") if class.starts_with("OpenSSL::") => {
                        first.map_or(unknown, |inner| self.key_source(inner, depth + 1))
                    }
                    // `Rails.root.join('config', 'key.pem').read`, `key.public_key`.
                    (Some(_), "read" | "public_key" | "b" | "freeze" | "to_s") => receiver
                        .and_then(|receiver| {
                            self.path_value(receiver, depth + 1)
                                .map(|(path, base)| KeySource::File { path, base })
                                .or_else(|| Some(self.key_source(receiver, depth + 1)))
                        })
                        .unwrap_or(unknown),
                    _ => unknown,
                }
            }
            _ => unknown,
        }
    }
}

/// A call site of this file: the version comes from no Ruby source, and uses start as claims.
fn site(
    function: &'static Function,
    operation: Operation,
    range: Range<usize>,
    scope: Range<usize>,
    token: Option<TokenArg>,
    key: Option<KeyArg>,
    options: Options,
) -> CallSite {
    CallSite { function, version: None, operation, range, scope, token, key, options, used_for: Use::Claims }
}

/// The first index of `object[index]` (the object is the element reference's first named child).
fn subscript(node: Node<'_>) -> Option<Node<'_>> {
    elements(node).into_iter().nth(1)
}

/// How fixes are written in Ruby.
struct RubyDialect<'s> {
    src: &'s str,
    /// `AfterArguments` positions after the second argument: `true` (verify) comes first.
    needs_verify: HashSet<usize>,
}

impl Dialect for RubyDialect<'_> {
    fn strip_bearer(&self, token: &Expr) -> Vec<TextEdit> {
        evaluate::rewrite_token(self.src, token, |text| {
            format!("{}.to_s.delete_prefix('Bearer ')", evaluate::receiver(text, |ch| ch != ' '))
        })
    }

    fn add_allow_list(&self, anchor: &Anchor, option: &str, algorithm: &str) -> Option<Vec<TextEdit>> {
        let entry = format!("{option}: ['{algorithm}']");
        let edit = match anchor {
            Anchor::Literal { first_entry, whole } => evaluate::literal_entry(*first_entry, whole, &entry),
            Anchor::AfterArguments { at, .. } if self.needs_verify.contains(at) => {
                TextEdit { range: *at..*at, new_text: format!(", true, {{ {entry} }}") }
            }
            Anchor::AfterArguments { at, .. } => TextEdit { range: *at..*at, new_text: format!(", {entry}") },
            Anchor::Replace(range) => TextEdit { range: range.clone(), new_text: format!("['{algorithm}']") },
            Anchor::Receiver { .. } => return None,
        };
        Some(vec![edit])
    }
}

#[cfg(test)]
#[path = "ruby_model_tests.rs"]
mod tests;
