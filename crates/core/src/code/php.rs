//! PHP front end: firebase/php-jwt (`JWT::decode`, `JWT::encode`, `new Key(…)`, `JWT::$leeway`)
//! and lcobucci/jwt (`Configuration::forSymmetricSigner`, `parser()->parse()`,
//! `validator()->validate()`/`assert()` with their constraints), recognised through `use`
//! imports (or fully qualified names). It turns syntax into call sites (`model`) and writes
//! fixes (`Dialect`); `engine` judges them. Values are followed through `$variables` assigned
//! once in the same function; anything else stays unknown.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::evaluate::{self, Collect, Evaluator, Kinds, Reading, Sites, SourceFile, Walk};
use super::knowledge::{AlgItem, AllowList};
use super::library::Ecosystem;
use super::model::{
    self, Algorithms, Anchor, CallSite, Check, Dialect, Expr, Given, KeyArg, KeySource, Model, PathBase, Switch, Use,
};
use super::syntax::{self, Field, MAX_DEPTH, elements, removal_range};
use super::{Options, Sink};
use crate::finding::TextEdit;

const PHP_JWT: &str = "firebase/php-jwt";
const LCOBUCCI: &str = "lcobucci/jwt";

/// Imported classes by fully qualified name.
const CLASSES: &[(&str, &str, &str)] = &[
    ("Firebase\\JWT\\JWT", PHP_JWT, "JWT"),
    ("Firebase\\JWT\\Key", PHP_JWT, "Key"),
    ("Lcobucci\\JWT\\Configuration", LCOBUCCI, "Configuration"),
    ("Lcobucci\\JWT\\Token\\Parser", LCOBUCCI, "Parser"),
    ("Lcobucci\\JWT\\Validation\\Validator", LCOBUCCI, "Validator"),
    ("Lcobucci\\JWT\\Signer\\Key\\InMemory", LCOBUCCI, "InMemory"),
    ("Lcobucci\\JWT\\Validation\\Constraint\\SignedWith", LCOBUCCI, "SignedWith"),
    ("Lcobucci\\JWT\\Validation\\Constraint\\StrictValidAt", LCOBUCCI, "StrictValidAt"),
    ("Lcobucci\\JWT\\Validation\\Constraint\\LooseValidAt", LCOBUCCI, "LooseValidAt"),
    ("Lcobucci\\JWT\\Validation\\Constraint\\PermittedFor", LCOBUCCI, "PermittedFor"),
    ("Lcobucci\\JWT\\Validation\\Constraint\\IssuedBy", LCOBUCCI, "IssuedBy"),
];

const FUNCTION_KINDS: &[&str] = &["function_definition", "method_declaration", "anonymous_function", "arrow_function"];

/// Members of a parsed lcobucci token that read only its header, or only its times.
const HEADER_MEMBERS: &[&str] = &["headers"];
const TIME_MEMBERS: &[&str] = &["isExpired"];

pub(super) fn analyze(source: &str, tree: &Tree, options: &Options, sink: &mut Sink) {
    let analyzer = Analyzer::collect_all(source, tree, options);
    let model = analyzer.model();
    let dialect = PhpDialect { analyzer: &analyzer };
    evaluate::judge(&model, &dialect, options, sink);
}

/// The call-site model of one PHP source (snapshot tests, the workspace's verifiers).
pub(super) fn model(source: &str, tree: &Tree, options: &Options) -> Model {
    Analyzer::collect_all(source, tree, options).model()
}

#[cfg(test)]
#[path = "php_model_tests.rs"]
mod model_tests;

struct Analyzer<'s, 't> {
    file: SourceFile<'s, 't>,
    /// Local class name → (library, class).
    classes: HashMap<String, (&'static str, &'static str)>,
    calls: Vec<(Node<'t>, Range<usize>)>,
    creations: Vec<(Node<'t>, Range<usize>)>,
    /// `JWT::$leeway = …` statements.
    leeways: Vec<(Node<'t>, Range<usize>)>,
    /// Every `use` import: local name → fully qualified name.
    imports: HashMap<String, String>,
    /// Arrays the file returns at its top level (a Laravel config file).
    returned_arrays: Vec<Node<'t>>,
}

impl<'s, 't> Analyzer<'s, 't> {
    fn collect_all(source: &'s str, tree: &'t Tree, options: &Options) -> Analyzer<'s, 't> {
        let mut analyzer = Analyzer {
            file: SourceFile::new(source, tree),
            classes: HashMap::new(),
            calls: Vec::new(),
            creations: Vec::new(),
            leeways: Vec::new(),
            imports: HashMap::new(),
            returned_arrays: Vec::new(),
        };
        if options.conventional_names {
            for (_, library, class) in CLASSES {
                analyzer.classes.insert(class.to_string(), (library, class));
            }
        }
        analyzer.collect_file();
        analyzer
    }

    /// The recognised class a name denotes: an imported alias or a fully qualified name.
    fn class(&self, node: Node<'_>) -> Option<(&'static str, &'static str)> {
        let text = self.text(node).trim();
        if let Some(qualified) = text.strip_prefix('\\').filter(|_| text.contains('\\')) {
            return CLASSES.iter().find(|(fqn, _, _)| *fqn == qualified).map(|(_, library, class)| (*library, *class));
        }
        self.classes.get(text).copied()
    }

    fn arguments(&self, call: Node<'t>) -> Vec<Node<'t>> {
        let Some(list) = call
            .field("arguments")
            .or_else(|| call.named_children(&mut call.walk()).find(|child| child.kind() == "arguments"))
        else {
            return Vec::new();
        };
        elements(list)
            .into_iter()
            .filter(|argument| argument.kind() == "argument")
            .filter_map(|argument| argument.named_children(&mut argument.walk()).last())
            .collect()
    }

    /// `new Sha256()` where `Sha256` is imported from `Lcobucci\JWT\Signer\Hmac`.
    fn is_hmac_signer(&self, signer: Node<'t>) -> bool {
        let signer = self.resolve(signer);
        if signer.kind() != "object_creation_expression" {
            return false;
        }
        let Some(name) =
            signer.named_children(&mut signer.walk()).find(|child| matches!(child.kind(), "name" | "qualified_name"))
        else {
            return false;
        };
        let text = self.text(name).trim_start_matches('\\');
        let fqn = self.imports.get(text).map_or(text, String::as_str);
        fqn.contains("Signer\\Hmac\\") || (self.imports.is_empty() && text.starts_with("Sha"))
    }

    /// Whether an argument list spreads (`...$constraints`): its contents are unknown.
    fn spreads(&self, call: Node<'t>) -> bool {
        call.field("arguments")
            .map(elements)
            .unwrap_or_default()
            .iter()
            .any(|argument| self.text(*argument).trim_start().starts_with("..."))
    }

    /// The class a `new X(…)` creates.
    fn created_class(&self, node: Node<'t>) -> Option<(&'static str, &'static str)> {
        if node.kind() != "object_creation_expression" {
            return None;
        }
        let name =
            node.named_children(&mut node.walk()).find(|child| matches!(child.kind(), "name" | "qualified_name"))?;
        self.class(name)
    }

    fn site(&self, library: &str, path: &str, range: Range<usize>, scope: Range<usize>) -> Option<CallSite> {
        evaluate::site(Ecosystem::Php, library, path, None, range, scope)
    }

    /// Follows `$name` to its value, through parentheses.
    fn resolve(&self, node: Node<'t>) -> Node<'t> {
        let mut node = node;
        for _ in 0..MAX_DEPTH {
            match node.kind() {
                "variable_name" => match self.definition_value(node) {
                    Some(value) => node = value,
                    None => break,
                },
                "parenthesized_expression" => match node.named_child(0) {
                    Some(inner) => node = inner,
                    None => break,
                },
                _ => break,
            }
        }
        node
    }

    /// A single algorithm as an allow-list (`new Key($k, 'RS256')`).
    fn single_algorithm_list(&self, node: Node<'t>) -> Algorithms {
        let item = AlgItem {
            name: self.string_value(node, 0),
            text: self.text(node).to_string(),
            range: node.byte_range(),
            removal: node.byte_range(),
            from_token: self.is_token_alg(node, 0),
        };
        Algorithms::Listed(AllowList {
            items: vec![item],
            render: Box::new(|algorithm: &str| format!("'{algorithm}'")),
        })
    }

    // ---- the model ----

    fn model(&self) -> Model {
        let mut model = Model { calls: self.calls_then_creations(&self.calls, &self.creations), ..Model::default() };
        for (statement, scope) in &self.leeways {
            let Some(value) = statement.field("right") else { continue };
            let Some(mut site) = self.site(PHP_JWT, "JWT::$leeway", statement.byte_range(), scope.clone()) else {
                continue;
            };
            if let Some(seconds) = self.number(value, 0) {
                site.options.leeway = Some((seconds, value.byte_range(), "JWT::$leeway".into()));
            }
            model.calls.push(site);
        }
        for array in &self.returned_arrays {
            model.calls.extend(self.tymon_config(*array));
        }
        model.calls.sort_by_key(|site| site.range.start);
        model
    }

    /// tymon/jwt-auth's `config/jwt.php`: a returned array with its `'secret'` and `'algo'` keys.
    fn tymon_config(&self, array: Node<'t>) -> Option<CallSite> {
        let entries: Vec<(String, Node<'t>)> = elements(array)
            .into_iter()
            .filter_map(|element| {
                let parts = elements(element);
                let [key, value] = parts.as_slice() else { return None };
                Some((self.string_value(*key, 0)?, *value))
            })
            .collect();
        let get = |name: &str| entries.iter().find(|(key, _)| key == name).map(|(_, value)| *value);
        let (secret, _) = (get("secret")?, get("algo")?);
        let mut site =
            self.site("tymon/jwt-auth", "config/jwt.php", array.byte_range(), self.file.root.byte_range())?;
        site.key = Some(self.plain_key_arg(secret, "secret"));
        site.options = model::Options::unknown();
        // `env('JWT_LEEWAY', 0)` falls back to its default; a plain number is the leeway.
        if let Some(leeway) = get("leeway")
            && let Some(seconds) = self.number(leeway, 0)
        {
            site.options.leeway = Some((seconds, leeway.byte_range(), "leeway".into()));
        }
        Some(site)
    }

    fn php_jwt_decode(
        &self,
        arguments: &[Node<'t>],
        range: Range<usize>,
        scope: Range<usize>,
        consumed: &mut HashSet<usize>,
    ) -> Option<CallSite> {
        let mut site = self.site(PHP_JWT, "JWT::decode", range, scope)?;
        site.token = arguments.first().map(|token| self.token_arg(*token));
        let key = *arguments.get(1)?;
        let resolved = self.resolve(key);
        if self.created_class(resolved) == Some((PHP_JWT, "Key")) {
            // v6: the `Key` names the one algorithm.
            consumed.insert(resolved.id());
            let key_arguments = self.arguments(resolved);
            site.key = key_arguments.first().map(|material| self.plain_key_arg(*material, "keyMaterial"));
            site.options.algorithms =
                key_arguments.get(1).map_or(Algorithms::Unknown, |algorithm| self.single_algorithm_list(*algorithm));
            return Some(site);
        }
        site.key = Some(self.plain_key_arg(key, "key"));
        match arguments.get(2) {
            // v5: `JWT::decode($jwt, $key, ['HS256'])`.
            Some(allowed) => {
                site.options.algorithms = self.allow_list(*allowed).map_or(Algorithms::Unknown, Algorithms::Listed)
            }
            // A key (or key set) that cannot be read may be `Key` objects: no guess.
            None if !self.is_plain_key(resolved) => site.options = model::Options::unknown(),
            None => site.options.anchor = Some(Anchor::Replace(key.byte_range())),
        }
        Some(site)
    }

    /// A key that is certainly not a `Key` object: a string, `getenv(…)`, `file_get_contents(…)`,
    /// `$_ENV[…]`, `env(…)`.
    fn is_plain_key(&self, node: Node<'t>) -> bool {
        if self.string_value(node, 0).is_some() {
            return true;
        }
        match node.kind() {
            "function_call_expression" => node.field("function").is_some_and(|function| {
                matches!(self.text(function), "getenv" | "env" | "file_get_contents" | "base64_decode" | "trim")
            }),
            "subscript_expression" => self.text(node).starts_with("$_ENV") || self.text(node).starts_with("$_SERVER"),
            _ => false,
        }
    }

    /// `$config->parser()`, `new Parser(…)`, a variable holding one.
    fn is_lcobucci_parser(&self, object: Node<'t>) -> bool {
        let object = self.resolve(object);
        match object.kind() {
            "member_call_expression" => object.field("name").is_some_and(|name| self.text(name) == "parser"),
            "object_creation_expression" => self.created_class(object) == Some((LCOBUCCI, "Parser")),
            _ => false,
        }
    }

    fn is_lcobucci_validator(&self, object: Node<'t>) -> bool {
        let object = self.resolve(object);
        match object.kind() {
            "member_call_expression" => object.field("name").is_some_and(|name| self.text(name) == "validator"),
            "object_creation_expression" => self.created_class(object) == Some((LCOBUCCI, "Validator")),
            _ => false,
        }
    }

    /// `validate($token, ...$constraints)`: what the constraints check.
    fn lcobucci_validate(
        &self,
        call: Node<'t>,
        method: &str,
        arguments: &[Node<'t>],
        range: Range<usize>,
        scope: Range<usize>,
        consumed: &mut HashSet<usize>,
    ) -> Option<CallSite> {
        let mut site = self.site(LCOBUCCI, "Validator::validate", range.clone(), scope)?;
        // The token is the parsed object: compare by the string it was parsed from.
        let token = *arguments.first()?;
        let parsed = self.resolve(token);
        let source = (parsed.kind() == "member_call_expression")
            .then(|| self.arguments(parsed).first().copied())
            .flatten()
            .unwrap_or(token);
        site.token = Some(self.token_arg(source));
        let options = &mut site.options;
        options.complete = !self.spreads(call);
        let mut signed = false;
        let mut timed = false;
        for constraint in arguments.iter().skip(1).map(|constraint| self.resolve(*constraint)) {
            consumed.insert(constraint.id());
            let Some((LCOBUCCI, class)) = self.created_class(constraint) else {
                options.complete = false;
                continue;
            };
            let constraint_arguments = self.arguments(constraint);
            match class {
                "SignedWith" => {
                    signed = true;
                    let hmac = constraint_arguments.first().is_some_and(|signer| self.is_hmac_signer(*signer));
                    site.key = constraint_arguments.get(1).map(|key| {
                        let mut key = self.plain_key_arg(*key, "key");
                        if !hmac {
                            // A public key's text is not a secret.
                            key.literals.clear();
                        }
                        key
                    });
                }
                "StrictValidAt" | "LooseValidAt" => {
                    timed = true;
                    if let Some(leeway) = constraint_arguments.get(1)
                        && let Some(seconds) = self.interval_seconds(*leeway)
                    {
                        options.leeway = Some((seconds, leeway.byte_range(), class.to_string()));
                    }
                }
                "PermittedFor" => {
                    options.audience = Given::Yes;
                    options
                        .audiences
                        .extend(constraint_arguments.iter().filter_map(|value| self.string_value(*value, 0)));
                }
                "IssuedBy" => {
                    options.issuer = Given::Yes;
                    options
                        .issuers
                        .extend(constraint_arguments.iter().filter_map(|value| self.string_value(*value, 0)));
                }
                _ => {}
            }
        }
        if options.complete {
            if !signed {
                options.switches.push(Switch {
                    check: Check::Signature,
                    spelled: format!("{method}() without SignedWith"),
                    range: range.clone(),
                    removal: None,
                });
            }
            if !timed {
                options.switches.push(Switch {
                    check: Check::Expiry,
                    spelled: format!("{method}() without StrictValidAt or LooseValidAt"),
                    range,
                    removal: None,
                });
            }
        } else {
            options.audience = Given::Unknown;
            options.issuer = Given::Unknown;
        }
        if site.key.is_none() {
            site.key = Some(KeyArg::unknown("key"));
        }
        Some(site)
    }

    /// `new DateInterval('PT10M')` in seconds (days, hours, minutes, seconds).
    fn interval_seconds(&self, node: Node<'t>) -> Option<f64> {
        let node = self.resolve(node);
        if node.kind() != "object_creation_expression" || !self.text(node).contains("DateInterval") {
            return None;
        }
        let spec = self.string_value(*self.arguments(node).first()?, 0)?;
        let mut seconds = 0.0;
        let mut number = String::new();
        let mut in_time = false;
        for ch in spec.strip_prefix('P')?.chars() {
            match ch {
                '0'..='9' => number.push(ch),
                'T' => in_time = true,
                unit => {
                    let value: f64 = number.parse().ok()?;
                    number.clear();
                    seconds += value
                        * match (unit, in_time) {
                            ('D', false) => 86_400.0,
                            ('W', false) => 604_800.0,
                            ('H', true) => 3600.0,
                            ('M', true) => 60.0,
                            ('S', true) => 1.0,
                            _ => return None,
                        };
                }
            }
        }
        Some(seconds)
    }

    /// What a parsed token is used for: only `headers()`, only `isExpired()`, or claims.
    fn parsed_use(&self, call: Node<'t>, scope: Range<usize>) -> Use {
        let classify = |member: &str| evaluate::members_use(&[member], HEADER_MEMBERS, TIME_MEMBERS);
        let Some(parent) = call.parent() else { return Use::Claims };
        match parent.kind() {
            "member_call_expression" => parent.field("name").map_or(Use::Claims, |name| classify(self.text(name))),
            "assignment_expression" => {
                let Some(name) = parent.field("left").filter(|left| left.kind() == "variable_name") else {
                    return Use::Claims;
                };
                self.stored_use(name, call.end_byte(), &scope, Use::HeaderOnly, |node| match node.parent() {
                    Some(access)
                        if access.kind() == "member_call_expression"
                            && access.field("object").is_some_and(|object| object.id() == node.id()) =>
                    {
                        Reading::Uses(access.field("name").map_or(Use::Claims, |name| classify(self.text(name))))
                    }
                    // Handed to a validator: judged there.
                    Some(argument)
                        if argument.kind() == "argument"
                            && argument
                                .parent()
                                .and_then(|list| list.parent())
                                .and_then(|call| call_name(self, call))
                                .is_some_and(|name| matches!(name, "validate" | "assert")) =>
                    {
                        Reading::Ignored
                    }
                    _ => Reading::Other,
                })
            }
            _ => Use::Claims,
        }
    }
}

impl<'s, 't> Collect<'s, 't> for Analyzer<'s, 't> {
    const WALK: Walk = Walk {
        functions: FUNCTION_KINDS,
        collected: &[
            "namespace_use_clause",
            "assignment_expression",
            "simple_parameter",
            "return_statement",
            "scoped_call_expression",
            "member_call_expression",
            "object_creation_expression",
        ],
        opaque: &["string", "encapsed_string", "heredoc", "nowdoc", "comment", "text"],
    };

    fn collect(&mut self, node: Node<'t>, scope: Range<usize>) {
        match node.kind() {
            "namespace_use_clause" => {
                let Some(name) = node
                    .named_children(&mut node.walk())
                    .find(|child| matches!(child.kind(), "name" | "qualified_name"))
                else {
                    return;
                };
                let fqn = self.text(name).trim_start_matches('\\').to_string();
                let short = fqn.rsplit('\\').next().unwrap_or(&fqn).to_string();
                let local = node.field("alias").map_or(short, |alias| self.text(alias).to_string());
                self.imports.insert(local, fqn.clone());
                let Some((_, library, class)) = CLASSES.iter().find(|(known, _, _)| *known == fqn) else { return };
                let alias = node.field("alias").map_or(class.to_string(), |alias| self.text(alias).to_string());
                self.classes.insert(alias, (library, class));
            }
            "assignment_expression" => {
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else { return };
                match left.kind() {
                    "variable_name" => {
                        self.file.scopes.define(self.text(left), scope, left.start_byte(), Some(right), false)
                    }
                    "scoped_property_access_expression"
                        if self.text(left).replace(char::is_whitespace, "").ends_with("::$leeway") =>
                    {
                        let class = left.field("scope");
                        if class.and_then(|class| self.class(class)) == Some((PHP_JWT, "JWT")) {
                            self.leeways.push((node, scope));
                        }
                    }
                    _ => {}
                }
            }
            "simple_parameter" => {
                if let Some(name) = node.field("name") {
                    self.file.scopes.define(self.text(name), scope, name.start_byte(), None, false);
                }
            }
            "return_statement" if scope == self.file.root.byte_range() => self
                .returned_arrays
                .extend(node.named_child(0).filter(|value| value.kind() == "array_creation_expression")),
            "scoped_call_expression" | "member_call_expression" => self.calls.push((node, scope)),
            "object_creation_expression" => self.creations.push((node, scope)),
            _ => {}
        }
    }
}

impl<'s, 't> Sites<'t> for Analyzer<'s, 't> {
    fn call_site(&self, call: Node<'t>, scope: Range<usize>, consumed: &mut HashSet<usize>) -> Option<CallSite> {
        let arguments = self.arguments(call);
        match call.kind() {
            "scoped_call_expression" => {
                let (class, method) = (call.field("scope")?, call.field("name")?);
                let (library, class) = self.class(class)?;
                let range = call.field("scope")?.start_byte()..method.end_byte();
                match (library, class, self.text(method)) {
                    (PHP_JWT, "JWT", "decode") => self.php_jwt_decode(&arguments, range, scope, consumed),
                    (PHP_JWT, "JWT", "encode") => {
                        let mut site = self.site(PHP_JWT, "JWT::encode", range, scope)?;
                        site.key = arguments.get(1).map(|key| self.plain_key_arg(*key, "key"));
                        site.options.signing_algorithm = arguments.get(2).map(|algorithm| self.expr(*algorithm));
                        Some(site)
                    }
                    // lcobucci 4.x (deprecated in 4.3, removed in 5.0, lcobucci/jwt#937): the
                    // `None` signer and an empty key, so `SignedWith` accepts unsigned tokens.
                    (LCOBUCCI, "Configuration", "forUnsecuredSigner") => {
                        let mut site = self.site(LCOBUCCI, "Configuration", range.clone(), scope)?;
                        site.key = Some(KeyArg::unknown("key"));
                        site.options = model::Options::unknown();
                        site.options.switches.push(Switch {
                            check: Check::SignatureRequired,
                            spelled: "forUnsecuredSigner()".into(),
                            range,
                            removal: None,
                        });
                        Some(site)
                    }
                    // The key is a secret only for an HMAC signer (oauth2-server passes an RSA
                    // signer and a placeholder key to `forSymmetricSigner`); an asymmetric
                    // pair's verification key is public.
                    (LCOBUCCI, "Configuration", "forSymmetricSigner") => {
                        let mut site = self.site(LCOBUCCI, "Configuration", range, scope)?;
                        let hmac = arguments.first().is_some_and(|signer| self.is_hmac_signer(*signer));
                        site.key = arguments.get(1).filter(|_| hmac).map(|key| self.plain_key_arg(*key, "key"));
                        site.options = model::Options::unknown();
                        site.key.is_some().then_some(site)
                    }
                    _ => None,
                }
            }
            "member_call_expression" => {
                let method = self.text(call.field("name")?);
                let object = call.field("object")?;
                let range = call.field("name")?.byte_range();
                match method {
                    "parse" if self.is_lcobucci_parser(object) => {
                        let mut site = self.site(LCOBUCCI, "Parser::parse", range, scope.clone())?;
                        site.token = arguments.first().map(|token| self.token_arg(*token));
                        site.used_for = self.parsed_use(call, scope);
                        Some(site)
                    }
                    "validate" | "assert" if self.is_lcobucci_validator(object) => {
                        self.lcobucci_validate(call, method, &arguments, range, scope, consumed)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `new SignedWith(new Sha256(), $key)` (an HMAC key) and `new Key($material, 'HS256')`.
    fn creation_site(&self, creation: Node<'t>, scope: Range<usize>) -> Option<CallSite> {
        let arguments = self.arguments(creation);
        match self.created_class(creation)? {
            (LCOBUCCI, "SignedWith") => {
                let hmac = arguments.first().is_some_and(|signer| self.is_hmac_signer(*signer));
                let key = arguments.get(1).filter(|_| hmac)?;
                let mut site = self.site(LCOBUCCI, "SignedWith", creation.byte_range(), scope)?;
                site.key = Some(self.plain_key_arg(*key, "key"));
                site.options = model::Options::unknown();
                Some(site)
            }
            (PHP_JWT, "Key") => {
                let mut site = self.site(PHP_JWT, "Key", creation.byte_range(), scope)?;
                site.key = arguments.first().map(|key| self.plain_key_arg(*key, "keyMaterial"));
                if let Some(algorithm) = arguments.get(1) {
                    site.options.algorithms = self.single_algorithm_list(*algorithm);
                }
                Some(site)
            }
            _ => None,
        }
    }
}

impl<'s, 't> Analyzer<'s, 't> {
    /// `depth` bounds variables that are defined by each other (`$a = $b; $b = $a;`).
    fn reads_authorization_within(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match node.kind() {
            // `$header = $request->header('Authorization');` (PHP names are not identifiers).
            "variable_name" => {
                self.definition_value(node).is_some_and(|value| self.reads_authorization_within(value, depth + 1))
            }
            "subscript_expression" => {
                let parts = elements(node);
                let on = parts.first().map(|object| self.text(*object)).unwrap_or("");
                let key = parts.get(1).and_then(|key| self.string_value(*key, 0));
                (on == "$_SERVER" || on.starts_with("getallheaders") || on.ends_with("headers"))
                    && key.is_some_and(|key| evaluate::is_authorization_name(&key))
            }
            "member_call_expression" => {
                let getter =
                    call_name(self, node).is_some_and(|name| matches!(name, "header" | "get" | "getHeaderLine"));
                getter
                    && self
                        .arguments(node)
                        .first()
                        .and_then(|name| self.string_value(*name, 0))
                        .is_some_and(|name| evaluate::is_authorization_name(&name))
            }
            _ => false,
        }
    }
}

impl<'s, 't> Evaluator<'s, 't> for Analyzer<'s, 't> {
    const KINDS: Kinds = Kinds {
        names: &["variable_name"],
        parentheses: &["parenthesized_expression"],
        lists: &["array_creation_expression"],
        quote: '\'',
        mapping: None,
        concat: Some("."),
        numbers: &["integer", "float"],
    };

    fn file(&self) -> &SourceFile<'s, 't> {
        &self.file
    }

    fn string_literal(&self, node: Node<'_>) -> Option<String> {
        match node.kind() {
            "string" => {
                let raw = self.text(node);
                let inner = raw.get(1..raw.len().saturating_sub(1))?;
                Some(inner.replace("\\'", "'").replace("\\\\", "\\"))
            }
            // Double quotes: constant only without interpolation.
            "encapsed_string" => syntax::joined_parts(node, self.file.src, |kind| match kind {
                "string_content" | "escape_sequence" => Some(true),
                _ => None,
            }),
            _ => None,
        }
    }

    /// `$header->alg`, `$headers['alg']`, `$decoded->header->alg`.
    fn reads_token_alg(&self, node: Node<'t>, depth: usize) -> bool {
        match node.kind() {
            "member_access_expression" | "nullsafe_member_access_expression" => {
                node.field("name").is_some_and(|name| self.text(name) == "alg")
                    && node
                        .field("object")
                        .is_some_and(|object| self.text(object).to_ascii_lowercase().contains("header"))
            }
            "subscript_expression" => {
                let parts = elements(node);
                parts.first().is_some_and(|object| self.text(*object).to_ascii_lowercase().contains("header"))
                    && parts.get(1).and_then(|key| self.string_value(*key, depth + 1)).as_deref() == Some("alg")
            }
            _ => false,
        }
    }

    /// `$_SERVER['HTTP_AUTHORIZATION']`, `$request->header('Authorization')`,
    /// `$request->headers->get('Authorization')`, `getallheaders()['Authorization']`.
    fn reads_authorization(&self, node: Node<'t>) -> bool {
        self.reads_authorization_within(node, 0)
    }

    /// Through the branches of a conditional and `??` / `?:` fallbacks.
    fn secret_parts(&self, node: Node<'t>, _depth: usize) -> Vec<Node<'t>> {
        match node.kind() {
            "parenthesized_expression" => node.named_child(0).into_iter().collect(),
            "conditional_expression" => [node.field("body"), node.field("alternative")].into_iter().flatten().collect(),
            "binary_expression" if node.field("operator").is_some_and(|op| self.text(op) == "??") => {
                [node.field("left"), node.field("right")].into_iter().flatten().collect()
            }
            // `env('JWT_SECRET', 'fallback')`: the fallback is used when the variable is unset.
            "function_call_expression"
                if node.field("function").is_some_and(|function| self.text(function) == "env") =>
            {
                self.arguments(node).get(1).copied().into_iter().collect()
            }
            // `InMemory::plainText('…')`, `InMemory::base64Encoded('…')`.
            "scoped_call_expression"
                if node.field("scope").and_then(|scope| self.class(scope)) == Some((LCOBUCCI, "InMemory"))
                    && node
                        .field("name")
                        .is_some_and(|name| matches!(self.text(name), "plainText" | "base64Encoded")) =>
            {
                self.arguments(node).first().copied().into_iter().collect()
            }
            _ => Vec::new(),
        }
    }

    /// `getenv('X')`, `$_ENV['X']`, `env('X')`, `file_get_contents('path')`, a literal.
    fn key_source_of(&self, node: Node<'t>, depth: usize) -> KeySource {
        if self.string_literal(node).is_some() {
            return KeySource::Literal;
        }
        let unknown = KeySource::Unknown;
        match node.kind() {
            "function_call_expression" => {
                let first = self.arguments(node).first().copied();
                let value = || first.and_then(|argument| self.string_value(argument, depth + 1));
                match node.field("function").map(|function| self.text(function)) {
                    Some("getenv" | "env") => value().map_or(unknown, KeySource::Env),
                    Some("file_get_contents") => {
                        value().map_or(unknown, |path| KeySource::File { path, base: PathBase::WorkingFolder })
                    }
                    _ => unknown,
                }
            }
            "subscript_expression" if self.text(node).starts_with("$_ENV") => {
                elements(node).get(1).and_then(|key| self.string_value(*key, depth + 1)).map_or(unknown, KeySource::Env)
            }
            // `InMemory::file('path')` reads a key file.
            "scoped_call_expression"
                if node.field("scope").and_then(|scope| self.class(scope)) == Some((LCOBUCCI, "InMemory"))
                    && node.field("name").is_some_and(|name| self.text(name) == "file") =>
            {
                let path = self.arguments(node).first().and_then(|path| self.string_value(*path, depth + 1));
                path.map_or(unknown, |path| KeySource::File { path, base: PathBase::WorkingFolder })
            }
            "scoped_call_expression" => {
                self.secret_parts(node, depth).first().map_or(unknown, |inner| self.key_source(*inner, depth + 1))
            }
            _ => unknown,
        }
    }

    /// Through names and `InMemory::plainText(…)` to the key's material.
    fn key_step(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.definition_value(node).or_else(|| self.secret_parts(node, 0).first().copied())
    }

    fn follow(&self, node: Node<'t>) -> Option<Node<'t>> {
        match node.kind() {
            "parenthesized_expression" => node.named_child(0),
            _ => self.definition_value(node),
        }
    }

    /// Elements of `['HS256', 'RS256']` (`array_element_initializer` wraps each).
    fn allow_list(&self, value: Node<'t>) -> Option<AllowList> {
        let list = self.resolve(value);
        if list.kind() != "array_creation_expression" {
            return None;
        }
        let items = elements(list);
        let algorithms = items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let value = item.named_child(0).unwrap_or(*item);
                AlgItem {
                    name: self.string_value(value, 0),
                    text: self.text(*item).to_string(),
                    range: item.byte_range(),
                    removal: removal_range(&items, index),
                    from_token: self.is_token_alg(value, 0),
                }
            })
            .collect();
        Some(AllowList { items: algorithms, render: Box::new(|algorithm: &str| format!("'{algorithm}'")) })
    }
}

fn call_name<'s>(analyzer: &Analyzer<'s, '_>, call: Node<'_>) -> Option<&'s str> {
    call.field("name").map(|name| analyzer.text(name))
}

/// Fixes in PHP: `str_replace('Bearer ', '', …)`, and a php-jwt key wrapped in `new Key(…, 'HS256')`.
struct PhpDialect<'a, 's, 't> {
    analyzer: &'a Analyzer<'s, 't>,
}

impl Dialect for PhpDialect<'_, '_, '_> {
    fn strip_bearer(&self, token: &Expr) -> Vec<TextEdit> {
        evaluate::rewrite_token(self.analyzer.file.src, token, |original| {
            format!("str_replace('Bearer ', '', {original})")
        })
    }

    fn add_allow_list(&self, anchor: &Anchor, _option: &str, algorithm: &str) -> Option<Vec<TextEdit>> {
        let Anchor::Replace(range) = anchor else { return None };
        let original = self.analyzer.file.src.get(range.clone())?;
        let key_class = self
            .analyzer
            .classes
            .iter()
            .find(|(_, class)| **class == (PHP_JWT, "Key"))
            .map_or("\\Firebase\\JWT\\Key".to_string(), |(name, _)| name.clone());
        Some(vec![TextEdit { range: range.clone(), new_text: format!("new {key_class}({original}, '{algorithm}')") }])
    }

    fn module_literal(&self, module: &str) -> String {
        format!("'{module}'")
    }
}
