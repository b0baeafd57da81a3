//! C# front end: System.IdentityModel.Tokens.Jwt (`JwtSecurityTokenHandler`),
//! Microsoft.IdentityModel.JsonWebTokens (`JsonWebTokenHandler`), Microsoft.IdentityModel.Tokens
//! (`TokenValidationParameters`, `SymmetricSecurityKey`, `SigningCredentials`) and ASP.NET Core's
//! JwtBearer handler (`AddJwtBearer(o => …)`, `Configure<JwtBearerOptions>(…)`). It turns syntax
//! into call sites (`model`) and writes fixes (`Dialect`); `engine` judges them.
//!
//! The types are recognised by name: they are unique to these packages, and projects often import
//! their namespaces once with `global using`. Validation parameters are read from object
//! initializers, from `p.Property = value;` statements on a same-file variable, and inside a
//! bearer options lambda from `o.TokenValidationParameters = …` and
//! `o.TokenValidationParameters.Property = …`. A key read from configuration
//! (`Configuration["Jwt:Key"]`, `GetSection("Jwt")["Key"]`, `GetValue<string>(…)`) is the value the
//! service's `appsettings*.json` commits for it, when one does (a literal in the repository); from
//! dependency injection or another source file it stays unknown: no finding.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::evaluate::{self, Collect, Entry, Evaluator, Kinds, Reading, Sites, SourceFile, Walk};
use super::knowledge::{AlgItem, AllowList, Key, KeyKind, classify_key};
use super::library::Ecosystem;
use super::model::{
    self, Algorithms, Anchor, CallSite, Check, Dialect, Expr, Given, KeyArg, KeySource, Model, PathBase, Switch, Use,
    Value,
};
use super::syntax::{self, Field, MAX_DEPTH, elements, removal_range};
use super::{Options, Sink};
use crate::finding::TextEdit;

const TOKENS: &str = "Microsoft.IdentityModel.Tokens";
const JWT: &str = "System.IdentityModel.Tokens.Jwt";
const JSON_WEB_TOKENS: &str = "Microsoft.IdentityModel.JsonWebTokens";
const JWT_BEARER: &str = "Microsoft.AspNetCore.Authentication.JwtBearer";

/// The library types recognised by name (JwtBearerOptions is ASP.NET Core's).
const TYPES: &[&str] = &[
    "TokenValidationParameters",
    "SymmetricSecurityKey",
    "SigningCredentials",
    "JwtSecurityTokenHandler",
    "JwtSecurityToken",
    "JsonWebTokenHandler",
    "JsonWebToken",
    "JwtBearerOptions",
];

/// `SecurityAlgorithms` constants (SecurityAlgorithms.cs) and the JWS names they stand for; the
/// XML-DSig URIs (`HmacSha256Signature`) name the same algorithms.
const SECURITY_ALGORITHMS: &[(&str, &str)] = &[
    ("HmacSha256", "HS256"),
    ("HmacSha384", "HS384"),
    ("HmacSha512", "HS512"),
    ("RsaSha256", "RS256"),
    ("RsaSha384", "RS384"),
    ("RsaSha512", "RS512"),
    ("RsaSsaPssSha256", "PS256"),
    ("RsaSsaPssSha384", "PS384"),
    ("RsaSsaPssSha512", "PS512"),
    ("EcdsaSha256", "ES256"),
    ("EcdsaSha384", "ES384"),
    ("EcdsaSha512", "ES512"),
    ("None", "none"),
];

/// `TimeSpan.From…` factories in seconds.
const TIMESPAN_UNITS: &[(&str, f64)] = &[
    ("FromMilliseconds", 1e-3),
    ("FromSeconds", 1.0),
    ("FromMinutes", 60.0),
    ("FromHours", 3600.0),
    ("FromDays", 86_400.0),
];

/// `bool` properties of `TokenValidationParameters` whose `false` switches a check off.
/// `ValidateIssuerSigningKey` is not one: it only gates extra checks of the key (an X.509
/// certificate's lifetime) and defaults to false; the signature is checked either way.
const SWITCHES: &[(&str, Check)] = &[
    ("ValidateLifetime", Check::Expiry),
    ("ValidateAudience", Check::Audience),
    ("ValidateIssuer", Check::Issuer),
    ("RequireExpirationTime", Check::ExpiryRequired),
    ("RequireSignedTokens", Check::SignatureRequired),
];

/// Validator delegates that decide a check; one that accepts unconditionally switches it off.
const VALIDATORS: &[(&str, Check)] =
    &[("LifetimeValidator", Check::Expiry), ("AudienceValidator", Check::Audience), ("IssuerValidator", Check::Issuer)];

/// Members of a decoded token that read only its header, or only its times.
const HEADER_MEMBERS: &[&str] = &["Header", "Kid", "Alg", "SignatureAlgorithm", "Typ", "X5t", "EncodedHeader"];
const TIME_MEMBERS: &[&str] = &["ValidTo", "ValidFrom", "IssuedAt", "ValidToDate", "ValidFromDate"];

const FUNCTION_KINDS: &[&str] = &[
    "method_declaration",
    "constructor_declaration",
    "local_function_statement",
    "lambda_expression",
    "anonymous_method_expression",
    "accessor_declaration",
];

pub(super) fn analyze(source: &str, tree: &Tree, options: &Options, sink: &mut Sink) {
    let analyzer = Analyzer::collect_all(source, tree, options);
    let mut model = analyzer.model();
    resolve_settings(&mut model, options);
    let dialect = CSharpDialect { analyzer: &analyzer };
    evaluate::judge(&model, &dialect, options, sink);
}

/// The call-site model of one C# source (snapshot tests of this front end, the workspace's
/// verifiers).
pub(super) fn model(source: &str, tree: &Tree, options: &Options) -> Model {
    let mut model = Analyzer::collect_all(source, tree, options).model();
    resolve_settings(&mut model, options);
    model
}

/// Each configuration read of a key (recorded with the setting's name in place of where it is
/// written) becomes the value the service's settings files commit for it; a read they do not
/// answer is dropped: its value is not in the repository.
fn resolve_settings(model: &mut Model, options: &Options) {
    let dependencies = options.context.dependencies;
    for key in model.calls.iter_mut().filter_map(|site| site.key.as_mut()) {
        key.settings = std::mem::take(&mut key.settings)
            .into_iter()
            .filter_map(|(_, range, name)| {
                let (value, file) = dependencies?.setting(&name)?;
                Some((value.to_string(), range, format!("`{name}` in {}", file.name())))
            })
            .filter(|(value, _, _)| !value.trim().is_empty())
            .collect();
    }
}

#[cfg(test)]
#[path = "csharp_model_tests.rs"]
mod model_tests;

/// `receiver.Member = value;` outside an object initializer.
struct MemberAssignment<'t> {
    /// The receiver's text, whitespace removed (`o.TokenValidationParameters`).
    receiver: String,
    member: String,
    value: Node<'t>,
    assignment: Node<'t>,
}

struct Analyzer<'s, 't> {
    file: SourceFile<'s, 't>,
    /// Namespaces of `using` directives.
    namespaces: HashSet<String>,
    conventional_names: bool,
    invocations: Vec<(Node<'t>, Range<usize>)>,
    creations: Vec<(Node<'t>, Range<usize>)>,
    assignments: Vec<MemberAssignment<'t>>,
    /// Assignments that are object initializer entries (`{ ValidateLifetime = false }`).
    initializer_entries: HashSet<usize>,
    /// `new()` values of declarations, with the declared type.
    target_types: HashMap<usize, Node<'t>>,
    /// `SignatureValidator` delegates: the token they parse to hand back is not a decode.
    signature_validators: Vec<Range<usize>>,
}

impl<'s, 't> Analyzer<'s, 't> {
    fn collect_all(source: &'s str, tree: &'t Tree, options: &Options) -> Analyzer<'s, 't> {
        let mut analyzer = Analyzer {
            file: SourceFile::new(source, tree),
            namespaces: HashSet::new(),
            conventional_names: options.conventional_names,
            invocations: Vec::new(),
            creations: Vec::new(),
            assignments: Vec::new(),
            initializer_entries: HashSet::new(),
            target_types: HashMap::new(),
            signature_validators: Vec::new(),
        };
        analyzer.collect_file();
        analyzer
    }

    fn imports(&self, namespace: &str) -> bool {
        self.conventional_names || self.namespaces.contains(namespace)
    }

    // ---- types ----

    /// The recognised library type a type node names: `TokenValidationParameters`,
    /// `Microsoft.IdentityModel.Tokens.TokenValidationParameters`.
    fn library_type(&self, node: Node<'_>) -> Option<&'static str> {
        let text = self.text(node);
        let name = text.rsplit('.').next().unwrap_or(text).trim();
        TYPES.iter().find(|type_| **type_ == name).copied()
    }

    /// The type an expression is created as or declared with, through same-file names:
    /// `new JwtSecurityTokenHandler()`, a field `JsonWebTokenHandler _handler = new();`, a
    /// parameter `JwtSecurityTokenHandler handler`.
    fn type_of(&self, node: Node<'t>, depth: usize) -> Option<&'static str> {
        if depth > MAX_DEPTH {
            return None;
        }
        match node.kind() {
            "object_creation_expression" => self.library_type(node.field("type")?),
            "implicit_object_creation_expression" => self.library_type(*self.target_types.get(&node.id())?),
            "identifier" | "qualified_name" | "generic_name" | "predefined_type" if self.is_type_position(node) => {
                self.library_type(node)
            }
            "identifier" => self.type_of(self.definition_value(node)?, depth + 1),
            "member_access_expression" if self.is_this_member(node) => {
                self.type_of(self.definition_value(node.field("name")?)?, depth + 1)
            }
            "parenthesized_expression" => self.type_of(node.named_child(0)?, depth + 1),
            _ => None,
        }
    }

    /// Whether a name node is a declared type standing in for a value (a parameter's or an
    /// uninitialised declaration's type), rather than an expression.
    fn is_type_position(&self, node: Node<'t>) -> bool {
        self.definition_value(node).is_none() && self.library_type(node).is_some()
    }

    fn is_this_member(&self, node: Node<'t>) -> bool {
        node.kind() == "member_access_expression" && node.field("expression").is_some_and(|this| this.kind() == "this")
    }

    // ---- values ----

    fn arguments(&self, call: Node<'t>) -> Vec<Node<'t>> {
        let Some(list) = call.field("arguments") else { return Vec::new() };
        elements(list)
            .into_iter()
            .filter(|argument| argument.kind() == "argument")
            .filter_map(|argument| argument.named_children(&mut argument.walk()).last())
            .collect()
    }

    /// The argument nodes themselves (`out var x` and named arguments keep their shape).
    fn argument_nodes(&self, call: Node<'t>) -> Vec<Node<'t>> {
        call.field("arguments").map(elements).unwrap_or_default()
    }

    /// A `TimeSpan` in seconds: `TimeSpan.FromMinutes(10)`, `new TimeSpan(0, 10, 0)`,
    /// `TimeSpan.Zero`, through same-file names.
    fn timespan_seconds(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        if depth > MAX_DEPTH {
            return None;
        }
        match node.kind() {
            "member_access_expression" => match self.text(node).replace(char::is_whitespace, "").as_str() {
                "TimeSpan.Zero" => Some(0.0),
                "TimeSpan.MaxValue" => Some(f64::from(i32::MAX) * 4.0),
                _ => None,
            },
            "invocation_expression" => {
                let callee = node.field("function")?;
                let (receiver, member) = (callee.field("expression")?, callee.field("name")?);
                if self.text(receiver) != "TimeSpan" {
                    return None;
                }
                let factor = TIMESPAN_UNITS.iter().find(|(unit, _)| *unit == self.text(member))?.1;
                Some(self.number(*self.arguments(node).first()?, depth + 1)? * factor)
            }
            "object_creation_expression" if node.field("type").is_some_and(|type_| self.text(type_) == "TimeSpan") => {
                let values: Option<Vec<f64>> =
                    self.arguments(node).iter().map(|argument| self.number(*argument, depth + 1)).collect();
                match values?.as_slice() {
                    [ticks] => Some(ticks / 1e7),
                    [hours, minutes, seconds] => Some(hours * 3600.0 + minutes * 60.0 + seconds),
                    [days, hours, minutes, seconds] => {
                        Some(days * 86_400.0 + hours * 3600.0 + minutes * 60.0 + seconds)
                    }
                    [days, hours, minutes, seconds, milliseconds] => {
                        Some(days * 86_400.0 + hours * 3600.0 + minutes * 60.0 + seconds + milliseconds / 1e3)
                    }
                    _ => None,
                }
            }
            "parenthesized_expression" => self.timespan_seconds(node.named_child(0)?, depth + 1),
            "identifier" => self.timespan_seconds(self.definition_value(node)?, depth + 1),
            _ => None,
        }
    }

    /// An algorithm name: a string, or a `SecurityAlgorithms` constant.
    fn algorithm_name(&self, node: Node<'t>) -> Option<String> {
        if let Some(value) = self.string_value(node, 0) {
            return Some(value);
        }
        let text = self.text(node).replace(char::is_whitespace, "");
        let constant = text.strip_prefix("SecurityAlgorithms.")?;
        let constant = constant.strip_suffix("Signature").unwrap_or(constant);
        SECURITY_ALGORITHMS.iter().find(|(name, _)| *name == constant).map(|(_, jws)| jws.to_string())
    }

    /// The boolean literal a value is, through same-file constants.
    fn boolean(&self, node: Node<'t>) -> Option<bool> {
        let mut node = node;
        for _ in 0..MAX_DEPTH {
            match node.kind() {
                "boolean_literal" => return Some(self.text(node) == "true"),
                "identifier" => node = self.definition_value(node)?,
                "parenthesized_expression" => node = node.named_child(0)?,
                _ => return None,
            }
        }
        None
    }

    /// A delegate that accepts without looking: `(…) => true`, `delegate { return true; }`, or a
    /// signature validator that hands back the token it was given, parsed and unchecked
    /// (`(token, p) => new JwtSecurityToken(token)`).
    fn accepts_unchecked(&self, node: Node<'t>, check: Check) -> bool {
        if !matches!(node.kind(), "lambda_expression" | "anonymous_method_expression") {
            return false;
        }
        let Some(body) = node.field("body").or_else(|| node.named_children(&mut node.walk()).last()) else {
            return false;
        };
        let returned: Vec<Node<'t>> = match body.kind() {
            "block" => {
                let statements = elements(body);
                match statements.as_slice() {
                    [only] if only.kind() == "return_statement" => only.named_child(0).into_iter().collect(),
                    _ => return false,
                }
            }
            _ => vec![body],
        };
        let [value] = returned.as_slice() else { return false };
        let first_parameter = node
            .field("parameters")
            .and_then(|parameters| match parameters.kind() {
                "implicit_parameter" | "identifier" => Some(parameters),
                _ => elements(parameters).first().and_then(|parameter| parameter.field("name")),
            })
            .map(|name| self.text(name).to_string());
        match check {
            Check::Signature => {}
            // `(issuer, token, parameters) => issuer`: whatever the token says is accepted.
            Check::Issuer => {
                return self.text(*value) == "true" || first_parameter.as_deref() == Some(self.text(*value));
            }
            _ => return self.text(*value) == "true",
        }
        let parses_only = match value.kind() {
            "object_creation_expression" => value
                .field("type")
                .is_some_and(|type_| matches!(self.library_type(type_), Some("JwtSecurityToken" | "JsonWebToken"))),
            "invocation_expression" => value
                .field("function")
                .and_then(|callee| callee.field("name"))
                .is_some_and(|name| matches!(self.text(name), "ReadJwtToken" | "ReadJsonWebToken" | "ReadToken")),
            _ => false,
        };
        parses_only
            && self
                .arguments(*value)
                .first()
                .is_some_and(|argument| first_parameter.as_deref() == Some(self.text(*argument)))
    }

    // ---- keys ----

    /// `Encoding.UTF8.GetBytes(x)`, `Convert.FromBase64String(x)`, `x.ToArray()` (of a `"…"u8`
    /// literal), `new SymmetricSecurityKey(x)`, `credentials.Key` of `new SigningCredentials(x, …)`:
    /// the expression the bytes come from.
    fn bytes_operand(&self, node: Node<'t>) -> Option<Node<'t>> {
        match node.kind() {
            "invocation_expression"
                if node.field("function").is_some_and(|callee| {
                    callee.kind() == "member_access_expression"
                        && callee.field("name").is_some_and(|name| self.text(name) == "ToArray")
                }) =>
            {
                node.field("function")?.field("expression")
            }
            "member_access_expression" if node.field("name").is_some_and(|name| self.text(name) == "Key") => {
                let mut receiver = node.field("expression")?;
                for _ in 0..MAX_DEPTH {
                    match receiver.kind() {
                        "identifier" => receiver = self.definition_value(receiver)?,
                        "parenthesized_expression" => receiver = receiver.named_child(0)?,
                        _ => break,
                    }
                }
                let credentials = receiver.kind() == "object_creation_expression"
                    && receiver
                        .field("type")
                        .is_some_and(|type_| self.library_type(type_) == Some("SigningCredentials"));
                credentials.then(|| self.arguments(receiver).first().copied()).flatten()
            }
            "invocation_expression" => {
                let callee = self.text(node.field("function")?);
                let encodes = (callee.starts_with("Encoding.") || callee.contains(".Encoding."))
                    && callee.ends_with(".GetBytes")
                    || callee.ends_with("Convert.FromBase64String")
                    || callee.ends_with("Base64UrlEncoder.DecodeBytes");
                encodes.then(|| self.arguments(node).first().copied()).flatten()
            }
            "object_creation_expression"
                if node.field("type").is_some_and(|type_| self.library_type(type_) == Some("SymmetricSecurityKey")) =>
            {
                self.arguments(node).first().copied()
            }
            _ => None,
        }
    }

    /// What a key is: a `SymmetricSecurityKey` an HMAC secret, `RsaSecurityKey` /
    /// `X509SecurityKey` / `ECDsaSecurityKey` public-key objects, a name says the rest.
    fn key(&self, node: Node<'t>, depth: usize) -> Key {
        if depth > MAX_DEPTH {
            return Key::UNKNOWN;
        }
        match node.kind() {
            "object_creation_expression" => {
                let type_ = node.field("type").map(|type_| self.text(type_)).unwrap_or("");
                let name = type_.rsplit('.').next().unwrap_or(type_);
                match name {
                    "SymmetricSecurityKey" => Key { kind: KeyKind::Secret, public: false },
                    "X509SecurityKey" => Key { kind: KeyKind::Rsa, public: true },
                    "RsaSecurityKey" => Key { kind: KeyKind::Rsa, public: classify_key(self.text(node), false).public },
                    "ECDsaSecurityKey" => {
                        Key { kind: KeyKind::Ec, public: classify_key(self.text(node), false).public }
                    }
                    _ => classify_key(self.text(node), false),
                }
            }
            "identifier" => match self.definition_value(node).map(|value| self.key(value, depth + 1)) {
                Some(resolved) if resolved.kind != KeyKind::Unknown => resolved,
                _ => classify_key(self.text(node), false),
            },
            "parenthesized_expression" | "cast_expression" => {
                node.named_children(&mut node.walk()).last().map_or(Key::UNKNOWN, |inner| self.key(inner, depth + 1))
            }
            // `credentials.Key`: the key the credentials were made with.
            "member_access_expression" if self.bytes_operand(node).is_some() => {
                self.bytes_operand(node).map_or(Key::UNKNOWN, |inner| self.key(inner, depth + 1))
            }
            _ => self.key_evidence(node),
        }
    }

    /// A key expression as the model's key argument.
    fn key_arg(&self, spelled: &str, node: Node<'t>) -> KeyArg {
        let mut key = KeyArg::unknown(spelled);
        key.key = self.key(node, 0);
        key.literals = self.secret_literal_ranges(node);
        key.source = self.key_source(node, 0);
        // Resolved against the service's settings files in `resolve_settings`.
        let mut lookups = Vec::new();
        self.setting_lookups(node, 0, &mut lookups);
        key.settings = lookups.into_iter().map(|(name, range)| (String::new(), range, name)).collect();
        // Public-key material read as the bytes of a symmetric key.
        let mut current = Some(node);
        for _ in 0..MAX_DEPTH {
            let Some(node) = current else { break };
            let symmetric = node.kind() == "object_creation_expression"
                && node.field("type").is_some_and(|type_| self.library_type(type_) == Some("SymmetricSecurityKey"));
            current = match node.kind() {
                "identifier" => self.definition_value(node),
                _ => match self.bytes_operand(node) {
                    Some(inner) if symmetric => {
                        if self.key(inner, 0).public {
                            key.public_as_secret.push(inner.byte_range());
                        }
                        None
                    }
                    other => other,
                },
            };
        }
        key
    }

    /// Configuration reads on the way to the key: `Configuration["Jwt:Key"]`,
    /// `config.GetValue<string>("Jwt:Key")`, `GetSection("Jwt")["Key"]`,
    /// `GetSection("Jwt:Key").Value`, through the same steps as literal secrets.
    fn setting_lookups(&self, node: Node<'t>, depth: usize, out: &mut Vec<(String, Range<usize>)>) {
        if depth > MAX_DEPTH {
            return;
        }
        if let Some(name) = self.setting_name(node, depth) {
            if !out.iter().any(|(_, range)| *range == node.byte_range()) {
                out.push((name, node.byte_range()));
            }
            return;
        }
        if node.kind() == "postfix_unary_expression"
            && let Some(inner) = node.named_child(0)
        {
            return self.setting_lookups(inner, depth + 1, out);
        }
        for part in self.secret_parts(node, depth) {
            self.setting_lookups(part, depth + 1, out);
        }
        if let Some(next) = self.key_step(node) {
            self.setting_lookups(next, depth + 1, out);
        }
    }

    /// The configuration key `node` reads, if it reads one.
    fn setting_name(&self, node: Node<'t>, depth: usize) -> Option<String> {
        match node.kind() {
            "element_access_expression" => {
                let receiver = node.field("expression")?;
                let argument = node.field("subscript")?.named_child(0)?;
                let name = self.string_value(argument.named_children(&mut argument.walk()).last()?, depth + 1)?;
                match self.section_name(receiver, depth) {
                    Some(section) => Some(format!("{section}:{name}")),
                    None => self.is_configuration(receiver).then_some(name),
                }
            }
            "invocation_expression" => {
                let callee = node.field("function")?;
                let method = callee.field("name")?;
                let receiver = callee.field("expression")?;
                if !self.text(method).starts_with("GetValue") {
                    return None;
                }
                let name = self.string_value(*self.arguments(node).first()?, depth + 1)?;
                match self.section_name(receiver, depth) {
                    Some(section) => Some(format!("{section}:{name}")),
                    None => self.is_configuration(receiver).then_some(name),
                }
            }
            "member_access_expression" if node.field("name").is_some_and(|name| self.text(name) == "Value") => {
                self.section_name(node.field("expression")?, depth)
            }
            _ => None,
        }
    }

    /// `config.GetSection("Jwt")` (or `GetRequiredSection`), nested: `Jwt`, `Jwt:Signing`.
    fn section_name(&self, node: Node<'t>, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        if node.kind() == "identifier" {
            return self.section_name(self.definition_value(node)?, depth + 1);
        }
        if node.kind() != "invocation_expression" {
            return None;
        }
        let callee = node.field("function")?;
        let method = self.text(callee.field("name")?);
        if method != "GetSection" && method != "GetRequiredSection" {
            return None;
        }
        let receiver = callee.field("expression")?;
        let name = self.string_value(*self.arguments(node).first()?, depth + 1)?;
        match self.section_name(receiver, depth + 1) {
            Some(parent) => Some(format!("{parent}:{name}")),
            None => self.is_configuration(receiver).then_some(name),
        }
    }

    /// An `IConfiguration` by its name: `Configuration`, `builder.Configuration`, `_config`.
    fn is_configuration(&self, node: Node<'t>) -> bool {
        let last = match node.kind() {
            "member_access_expression" => node.field("name"),
            "identifier" => Some(node),
            _ => None,
        };
        last.is_some_and(|name| self.text(name).to_ascii_lowercase().contains("config"))
    }

    // ---- the model ----

    fn site(&self, library: &str, path: &str, range: Range<usize>, scope: Range<usize>) -> Option<CallSite> {
        evaluate::site(Ecosystem::DotNet, library, path, None, range, scope)
    }

    fn model(&self) -> Model {
        // Validation parameters read by a validate call or a bearer handler in this file are
        // judged there, once.
        let mut model =
            Model { calls: self.calls_then_creations(&self.invocations, &self.creations), ..Model::default() };
        model.calls.retain(|site| {
            site.operation != model::Operation::Decode
                || !self.signature_validators.iter().any(|body| body.contains(&site.range.start))
        });
        model.calls.sort_by_key(|site| site.range.start);
        model
    }

    /// The `TokenValidationParameters` creation an argument or name denotes in this file.
    fn parameters_source(&self, node: Node<'t>) -> Option<Node<'t>> {
        let mut node = node;
        for _ in 0..MAX_DEPTH {
            match node.kind() {
                "object_creation_expression" | "implicit_object_creation_expression" => {
                    return (self.type_of(node, 0) == Some("TokenValidationParameters")).then_some(node);
                }
                "identifier" => node = self.definition_value(node)?,
                "member_access_expression" if self.is_this_member(node) => {
                    node = self.definition_value(node.field("name")?)?
                }
                "parenthesized_expression" => node = node.named_child(0)?,
                _ => return None,
            }
        }
        None
    }

    /// The entries of validation parameters: the creation's initializer, then the
    /// `name.Property = …;` statements on the variable holding it. `None` (unknown) for a copy
    /// constructor or values that cannot be read.
    fn parameter_entries(&self, creation: Node<'t>, depth: usize) -> (Vec<Entry<'t>>, bool) {
        if depth > MAX_DEPTH {
            return (Vec::new(), false);
        }
        let mut entries = Vec::new();
        let mut complete = self.arguments(creation).is_empty();
        if let Some(initializer) = creation.field("initializer").or_else(|| {
            creation.named_children(&mut creation.walk()).find(|child| child.kind() == "initializer_expression")
        }) {
            let (read, read_complete) = self.initializer_entries(initializer);
            entries.extend(read);
            complete &= read_complete;
        }
        // The variable the creation is stored in: its later property assignments.
        if let Some((name, scope)) = self.stored_in(creation) {
            for assignment in self
                .assignments
                .iter()
                .filter(|assignment| assignment.receiver == name && scope.contains(&assignment.assignment.start_byte()))
            {
                entries.push(self.assignment_entry(assignment));
            }
        }
        (entries, complete)
    }

    /// `Key = value` entries of an object initializer.
    fn initializer_entries(&self, initializer: Node<'t>) -> (Vec<Entry<'t>>, bool) {
        let items = elements(initializer);
        let mut entries = Vec::new();
        let mut complete = true;
        for (index, item) in items.iter().enumerate() {
            let key = item.field("left").filter(|left| left.kind() == "identifier");
            match (item.kind(), key, item.field("right")) {
                ("assignment_expression", Some(key), Some(value)) => entries.push(Entry {
                    key: self.text(key).to_string(),
                    value,
                    range: item.byte_range(),
                    removal: Some(self.entry_removal(&items, index)),
                }),
                _ => complete = false,
            }
        }
        (entries, complete)
    }

    fn assignment_entry(&self, assignment: &MemberAssignment<'t>) -> Entry<'t> {
        Entry {
            key: assignment.member.clone(),
            value: assignment.value,
            range: assignment.assignment.byte_range(),
            removal: Some(self.statement_removal(assignment.assignment)),
        }
    }

    /// The variable (and its scope) a creation is the initial value of.
    fn stored_in(&self, creation: Node<'t>) -> Option<(String, Range<usize>)> {
        let declarator = creation.parent().filter(|parent| parent.kind() == "variable_declarator")?;
        let name = self.text(declarator.field("name")?);
        let definition = self.file.scopes.lookup(name, declarator.start_byte())?;
        Some((name.to_string(), definition.scope.clone()))
    }

    /// Deletes an assignment statement (with its `;`), and its line when it stands alone there.
    fn statement_removal(&self, assignment: Node<'t>) -> Range<usize> {
        self.through(assignment.byte_range(), ';')
    }

    /// Deletes an initializer entry with the comma after it (and its line when it stands alone
    /// there); the last entry without a comma goes with the comma before it.
    fn entry_removal(&self, items: &[Node<'t>], index: usize) -> Range<usize> {
        let range = items[index].byte_range();
        let after = self.through(range.clone(), ',');
        if self.file.src[range.end..after.end].contains(',') { after } else { removal_range(items, index) }
    }

    /// `range` extended over a directly following `separator`, then to whole lines when nothing
    /// else stands on them.
    fn through(&self, range: Range<usize>, separator: char) -> Range<usize> {
        let src = self.file.src;
        let mut end = range.end;
        let rest = &src[end..];
        let after_space = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if rest[after_space..].starts_with(separator) {
            end += after_space + 1;
            // `{ A = 1, B = 2 }` minus `A` is `{ B = 2 }`: the space after the separator goes too.
            end += src[end..].len() - src[end..].trim_start_matches([' ', '\t']).len();
        }
        let start = syntax::line_start(src, range.start);
        let before_is_blank = src[start..range.start].trim().is_empty();
        let line_rest = &src[end..];
        let to_newline = line_rest.find('\n').map_or(line_rest.len(), |at| at + 1);
        if before_is_blank && line_rest[..to_newline].trim().is_empty() {
            start..end + to_newline
        } else {
            range.start..end
        }
    }

    /// Reads validation parameter entries into a site: key, allow-list, expectations,
    /// switches and clock skew. Later entries win.
    fn read_parameters(&self, site: &mut CallSite, (entries, complete): (Vec<Entry<'t>>, bool)) {
        let options = &mut site.options;
        options.complete = complete;
        // An unset expectation makes validation fail (IDX10208 / IDX10204), not pass: absent is
        // not "no".
        options.audience = Given::Unknown;
        options.issuer = Given::Unknown;
        // `ClockSkew` defaults to 300 s (`[DefaultValue(300)]`): the tolerance the checks of
        // tokens against this verifier must allow (within the limit, so never a finding).
        options.leeway = Some((300.0, site.range.clone(), "ClockSkew".into()));
        let mut key: Option<KeyArg> = None;
        for entry in &entries {
            let value = entry.value;
            match entry.key.as_str() {
                "IssuerSigningKey" | "IssuerSigningKeys" => key = Some(self.key_arg(&entry.key, value)),
                "IssuerSigningKeyResolver" => {
                    key = Some(KeyArg { pins_algorithm: true, ..KeyArg::unknown("IssuerSigningKeyResolver") })
                }
                "ValidAlgorithms" => {
                    options.algorithms = self.allow_list(value).map_or(Algorithms::Unknown, Algorithms::Listed)
                }
                "AlgorithmValidator" => options.algorithms = Algorithms::Unknown,
                "ValidAudience" | "ValidAudiences" | "AudienceValidator" => {
                    options.audience = Given::Yes;
                    options.audiences.extend(self.strings(value));
                }
                "ValidIssuer" | "ValidIssuers" | "IssuerValidator" => {
                    options.issuer = Given::Yes;
                    options.issuers.extend(self.strings(value));
                }
                "ClockSkew" => {
                    if let Some(seconds) = self.timespan_seconds(value, 0) {
                        options.leeway = Some((seconds, value.byte_range(), "ClockSkew".into()));
                    }
                }
                "SignatureValidator" if self.accepts_unchecked(value, Check::Signature) => {
                    options.switches.push(Switch {
                        check: Check::Signature,
                        spelled: "SignatureValidator".into(),
                        range: entry.range.clone(),
                        removal: entry.removal.clone(),
                    })
                }
                _ => {}
            }
            if let Some((_, check)) = SWITCHES.iter().find(|(name, _)| *name == entry.key) {
                // A later `true` puts the check back.
                options.switches.retain(|switch| switch.check != *check);
                if self.boolean(value) == Some(false) {
                    options.switches.push(Switch {
                        check: *check,
                        spelled: format!("{} = false", entry.key),
                        range: entry.range.clone(),
                        removal: entry.removal.clone(),
                    });
                }
            }
            if let Some((_, check)) = VALIDATORS.iter().find(|(name, _)| *name == entry.key)
                && self.accepts_unchecked(value, *check)
            {
                options.switches.push(Switch {
                    check: *check,
                    spelled: entry.key.clone(),
                    range: entry.range.clone(),
                    removal: entry.removal.clone(),
                });
            }
        }
        site.key = Some(key.unwrap_or_else(|| KeyArg::unknown("IssuerSigningKey")));
    }

    /// The string literals an expectation holds: `"a"`, `new[] { "a", "b" }`, a same-file constant.
    fn strings(&self, node: Node<'t>) -> Vec<String> {
        if let Some(value) = self.string_value(node, 0) {
            return vec![value];
        }
        let Some(list) = self.list_literal(node) else { return Vec::new() };
        let values: Option<Vec<String>> = elements(list).iter().map(|item| self.string_value(*item, 0)).collect();
        values.unwrap_or_default()
    }

    /// The element list of `new[] { … }`, `new string[] { … }`, `new List<string> { … }`,
    /// `[ … ]`, through same-file names.
    fn list_literal(&self, node: Node<'t>) -> Option<Node<'t>> {
        let mut node = node;
        for _ in 0..MAX_DEPTH {
            if Self::KINDS.lists.contains(&node.kind()) {
                return Some(node);
            }
            node = self.follow(node)?;
        }
        None
    }

    /// `AddJwtBearer(o => { o.Audience = …; o.TokenValidationParameters = new … { … };
    /// o.TokenValidationParameters.ValidateLifetime = false; })`.
    fn read_bearer_lambda(&self, site: &mut CallSite, lambda: Node<'t>, consumed: &mut HashSet<usize>) {
        let parameter = lambda.field("parameters").and_then(|parameters| match parameters.kind() {
            "implicit_parameter" | "identifier" => Some(parameters),
            _ => elements(parameters).first().and_then(|parameter| parameter.field("name")),
        });
        let Some(parameter) = parameter.map(|name| self.text(name).to_string()) else {
            site.options = model::Options::unknown();
            return;
        };
        let range = lambda.byte_range();
        let parameters_receiver = format!("{parameter}.TokenValidationParameters");
        let mut options_entries: Vec<Entry<'t>> = Vec::new();
        let mut parameters: (Vec<Entry<'t>>, bool) = (Vec::new(), true);
        // The lambda's own statements, in order: a new `TokenValidationParameters` replaces what
        // earlier statements set on the default one.
        let mut body_assignments: Vec<&MemberAssignment<'t>> =
            self.assignments.iter().filter(|assignment| range.contains(&assignment.assignment.start_byte())).collect();
        body_assignments.sort_by_key(|assignment| assignment.assignment.start_byte());
        for assignment in body_assignments {
            if assignment.receiver == parameter {
                if assignment.member == "TokenValidationParameters" {
                    parameters = match self.parameters_source(assignment.value) {
                        Some(creation) => {
                            consumed.insert(creation.id());
                            self.parameter_entries(creation, 0)
                        }
                        None => (Vec::new(), false),
                    };
                } else {
                    options_entries.push(self.assignment_entry(assignment));
                }
            } else if assignment.receiver == parameters_receiver {
                parameters.0.push(self.assignment_entry(assignment));
            }
        }
        self.read_parameters(site, parameters);
        let options = &mut site.options;
        for entry in &options_entries {
            match entry.key.as_str() {
                "Audience" => {
                    options.audience = Given::Yes;
                    options.audiences.extend(self.string_value(entry.value, 0));
                }
                // The metadata's issuer is expected, and its keys verify.
                "Authority" | "MetadataAddress" | "ConfigurationManager" => {
                    if options.issuer != Given::Yes {
                        options.issuer = Given::Unknown;
                    }
                    if let Some(key) = &mut site.key
                        && key.key == Key::UNKNOWN
                        && key.literals.is_empty()
                    {
                        key.key = Key { kind: KeyKind::Rsa, public: true };
                    }
                }
                _ => {}
            }
        }
    }

    /// What a decode's result is used for: only header members (`.Header`, `.Kid`), only times
    /// (`.ValidTo`), or claims. Follows the result through the variable it is stored in.
    fn decoded_use(&self, call: Node<'t>, scope: Range<usize>) -> Use {
        let Some(parent) = call.parent() else { return Use::Claims };
        let classify = |member: &str| evaluate::members_use(&[member], HEADER_MEMBERS, TIME_MEMBERS);
        match parent.kind() {
            "member_access_expression" => {
                parent.field("name").map_or(Use::Claims, |member| classify(self.text(member)))
            }
            "variable_declarator" => {
                let Some(name) = parent.field("name") else { return Use::Claims };
                self.stored_use(name, call.end_byte(), &scope, Use::Claims, |node| match node.parent() {
                    Some(access)
                        if access.kind() == "member_access_expression"
                            && access.field("expression").is_some_and(|receiver| receiver.id() == node.id()) =>
                    {
                        Reading::Uses(access.field("name").map_or(Use::Claims, |member| classify(self.text(member))))
                    }
                    _ => Reading::Other,
                })
            }
            _ => Use::Claims,
        }
    }

    /// Whether an expression is a token decoded without validation (`handler.ReadJwtToken(t)`,
    /// `new JwtSecurityToken(t)`), through names.
    fn is_decoded_token(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match node.kind() {
            "identifier" => self.definition_value(node).is_some_and(|value| self.is_decoded_token(value, depth + 1)),
            "invocation_expression" => node
                .field("function")
                .and_then(|callee| callee.field("name"))
                .is_some_and(|name| matches!(self.text(name), "ReadJwtToken" | "ReadJsonWebToken" | "ReadToken")),
            "object_creation_expression" => node
                .field("type")
                .is_some_and(|type_| matches!(self.library_type(type_), Some("JwtSecurityToken" | "JsonWebToken"))),
            "parenthesized_expression" | "cast_expression" => node
                .named_children(&mut node.walk())
                .last()
                .is_some_and(|inner| self.is_decoded_token(inner, depth + 1)),
            _ => false,
        }
    }

    /// Renders an algorithm like `like`, an element of the same list: `SecurityAlgorithms.RsaSha256`
    /// when the list names constants, else a string.
    fn render_like(&self, like: Option<&str>) -> Box<dyn Fn(&str) -> String> {
        let constants =
            like.is_some_and(|like| like.replace(char::is_whitespace, "").starts_with("SecurityAlgorithms."));
        Box::new(move |algorithm: &str| {
            let constant = SECURITY_ALGORITHMS.iter().find(|(_, jws)| jws.eq_ignore_ascii_case(algorithm));
            match constant {
                Some((name, _)) if constants => format!("SecurityAlgorithms.{name}"),
                _ => format!("\"{algorithm}\""),
            }
        })
    }
}

impl<'s, 't> Collect<'s, 't> for Analyzer<'s, 't> {
    const WALK: Walk = Walk {
        functions: FUNCTION_KINDS,
        collected: &[
            "using_directive",
            "variable_declaration",
            "property_declaration",
            "parameter",
            "assignment_expression",
            "initializer_expression",
            "invocation_expression",
            "object_creation_expression",
            "implicit_object_creation_expression",
            "method_declaration",
        ],
        opaque: &["string_literal", "verbatim_string_literal", "raw_string_literal", "interpolated_string_expression"],
    };

    fn collect(&mut self, node: Node<'t>, scope: Range<usize>) {
        let root = self.file.root.byte_range();
        match node.kind() {
            "using_directive" => {
                // `using X;`, `global using X;`; aliases and `using static` name no namespace.
                if node.field("name").is_none()
                    && let Some(name) = node.named_children(&mut node.walk()).last()
                    && !self.text(node).contains(" static ")
                {
                    self.namespaces.insert(self.text(name).replace(char::is_whitespace, ""));
                }
            }
            "variable_declaration" => {
                let declared = node.field("type").filter(|type_| self.text(*type_) != "var");
                // Fields are visible in the whole file (one class per name is all we read).
                let is_field = scope == root;
                for declarator in elements(node).into_iter().filter(|child| child.kind() == "variable_declarator") {
                    let Some(name) = declarator.field("name") else { continue };
                    let value = declarator
                        .named_children(&mut declarator.walk())
                        .filter(|child| child.id() != name.id() && child.kind() != "bracketed_argument_list")
                        .last();
                    if let (Some(value), Some(declared)) = (value, declared)
                        && value.kind() == "implicit_object_creation_expression"
                    {
                        self.target_types.insert(value.id(), declared);
                    }
                    let value = value.or(declared);
                    let scope = if is_field { root.clone() } else { scope.clone() };
                    self.file.scopes.define(self.text(name), scope, name.start_byte(), value, false);
                }
            }
            "property_declaration" => {
                let Some(name) = node.field("name") else { return };
                let value = node
                    .field("value")
                    .map(|value| {
                        if value.kind() == "arrow_expression_clause" {
                            value.named_child(0).unwrap_or(value)
                        } else {
                            value
                        }
                    })
                    .or(node.field("type"));
                self.file.scopes.define(self.text(name), root, name.start_byte(), value, false);
            }
            "parameter" => {
                if let Some(name) = node.field("name") {
                    self.file.scopes.define(self.text(name), scope, name.start_byte(), node.field("type"), false);
                }
            }
            "method_declaration" => {
                if let Some(name) = node.field("name") {
                    self.file.scopes.define(self.text(name), root, name.start_byte(), Some(node), false);
                }
            }
            "initializer_expression" => {
                for item in elements(node) {
                    if item.kind() == "assignment_expression" {
                        self.initializer_entries.insert(item.id());
                    }
                }
            }
            "assignment_expression" => {
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else { return };
                if syntax::last_segment(self.text(left)) == "SignatureValidator" {
                    self.signature_validators.push(right.byte_range());
                }
                if self.initializer_entries.contains(&node.id()) {
                    return;
                }
                match left.kind() {
                    "identifier" => self.file.scopes.reassign(self.text(left), left.start_byte()),
                    "member_access_expression" => {
                        let (Some(receiver), Some(member)) = (left.field("expression"), left.field("name")) else {
                            return;
                        };
                        let receiver = self.text(receiver).replace(char::is_whitespace, "");
                        let receiver = receiver.strip_prefix("this.").map(str::to_string).unwrap_or(receiver);
                        self.assignments.push(MemberAssignment {
                            receiver,
                            member: self.text(member).to_string(),
                            value: right,
                            assignment: node,
                        });
                        // `o.TokenValidationParameters = new() { … }`: the property's type.
                        if right.kind() == "implicit_object_creation_expression"
                            && self.text(member) == "TokenValidationParameters"
                        {
                            self.target_types.insert(right.id(), member);
                        }
                    }
                    _ => {}
                }
            }
            "invocation_expression" => self.invocations.push((node, scope)),
            "object_creation_expression" => self.creations.push((node, scope)),
            // Visited after the declaration or assignment that gives its type.
            "implicit_object_creation_expression" if self.target_types.contains_key(&node.id()) => {
                self.creations.push((node, scope))
            }
            _ => {}
        }
    }
}

impl<'s, 't> Sites<'t> for Analyzer<'s, 't> {
    fn call_site(&self, call: Node<'t>, scope: Range<usize>, consumed: &mut HashSet<usize>) -> Option<CallSite> {
        let callee = call.field("function")?;
        let (receiver, name) = match callee.kind() {
            "member_access_expression" => (callee.field("expression"), callee.field("name")?),
            "generic_name" | "identifier" => (None, callee),
            _ => return None,
        };
        let method = match name.kind() {
            "generic_name" => self.text(name.named_child(0)?),
            _ => self.text(name),
        };
        let receiver_type = receiver.and_then(|receiver| self.type_of(receiver, 0));
        let arguments = self.arguments(call);
        let range = name.byte_range();
        match method {
            "ValidateToken" | "ValidateTokenAsync" => {
                let out_argument = self
                    .argument_nodes(call)
                    .get(2)
                    .is_some_and(|argument| self.text(*argument).trim_start().starts_with("out "));
                let path = match receiver_type {
                    Some("JwtSecurityTokenHandler") => (JWT, "JwtSecurityTokenHandler.ValidateToken"),
                    Some("JsonWebTokenHandler") => (JSON_WEB_TOKENS, "JsonWebTokenHandler.ValidateToken"),
                    Some(_) => return None,
                    // `ISecurityTokenValidator.ValidateToken(token, parameters, out validated)`.
                    None if method == "ValidateToken"
                        && out_argument
                        && (self.imports(JWT) || self.imports(TOKENS)) =>
                    {
                        (JWT, "JwtSecurityTokenHandler.ValidateToken")
                    }
                    None if method == "ValidateTokenAsync" && self.imports(JSON_WEB_TOKENS) => {
                        (JSON_WEB_TOKENS, "JsonWebTokenHandler.ValidateToken")
                    }
                    None => return None,
                };
                let mut site = self.site(path.0, path.1, range, scope)?;
                site.token = arguments.first().map(|token| self.token_arg(*token));
                match arguments.get(1).and_then(|parameters| self.parameters_source(*parameters)) {
                    Some(parameters) => {
                        consumed.insert(parameters.id());
                        self.read_parameters(&mut site, self.parameter_entries(parameters, 0));
                    }
                    None => {
                        site.options = model::Options::unknown();
                    }
                }
                Some(site)
            }
            "ReadJwtToken" | "ReadJsonWebToken" | "ReadToken" => {
                let path = match (receiver_type, method) {
                    (Some("JwtSecurityTokenHandler"), "ReadJwtToken" | "ReadToken") => (
                        JWT,
                        if method == "ReadToken" {
                            "JwtSecurityTokenHandler.ReadToken"
                        } else {
                            "JwtSecurityTokenHandler.ReadJwtToken"
                        },
                    ),
                    (Some("JsonWebTokenHandler"), "ReadJsonWebToken" | "ReadToken") => (
                        JSON_WEB_TOKENS,
                        if method == "ReadToken" {
                            "JsonWebTokenHandler.ReadToken"
                        } else {
                            "JsonWebTokenHandler.ReadJsonWebToken"
                        },
                    ),
                    // The method names are unique to the handlers; `ReadToken` is not.
                    (None, "ReadJwtToken") => (JWT, "JwtSecurityTokenHandler.ReadJwtToken"),
                    (None, "ReadJsonWebToken") => (JSON_WEB_TOKENS, "JsonWebTokenHandler.ReadJsonWebToken"),
                    _ => return None,
                };
                if arguments.len() != 1 {
                    return None;
                }
                let mut site = self.site(path.0, path.1, range, scope.clone())?;
                site.token = arguments.first().map(|token| self.token_arg(*token));
                site.used_for = self.decoded_use(call, scope);
                Some(site)
            }
            "AddJwtBearer" => {
                let lambda = arguments.iter().copied().find(|argument| argument.kind() == "lambda_expression");
                let mut site = self.site(JWT_BEARER, "AddJwtBearer", range, scope)?;
                match lambda {
                    Some(lambda) => self.read_bearer_lambda(&mut site, lambda, consumed),
                    // `AddJwtBearer()` alone, or options from a method group: configured elsewhere.
                    None => return None,
                }
                Some(site)
            }
            "Configure" | "PostConfigure" | "ConfigureAll" | "PostConfigureAll" => {
                let options_type = name.named_child(1).map(|arguments| self.text(arguments)).unwrap_or("");
                if name.kind() != "generic_name" || !options_type.contains("JwtBearerOptions") {
                    return None;
                }
                let lambda = arguments.iter().copied().find(|argument| argument.kind() == "lambda_expression")?;
                let mut site = self.site(JWT_BEARER, "JwtBearerOptions", range, scope)?;
                self.read_bearer_lambda(&mut site, lambda, consumed);
                Some(site)
            }
            _ => None,
        }
    }

    fn creation_site(&self, creation: Node<'t>, scope: Range<usize>) -> Option<CallSite> {
        let type_ = match creation.kind() {
            "object_creation_expression" => creation.field("type")?,
            _ => *self.target_types.get(&creation.id())?,
        };
        let library_type = self.library_type(type_)?;
        let arguments = self.arguments(creation);
        let range = type_.byte_range();
        match library_type {
            "TokenValidationParameters" => {
                let mut site = self.site(TOKENS, "TokenValidationParameters", range, scope)?;
                self.read_parameters(&mut site, self.parameter_entries(creation, 0));
                Some(site)
            }
            "SymmetricSecurityKey" => {
                let mut site = self.site(TOKENS, "SymmetricSecurityKey", range, scope)?;
                site.key = Some(self.key_arg("key", creation));
                Some(site)
            }
            "SigningCredentials" => {
                let mut site = self.site(TOKENS, "SigningCredentials", range, scope)?;
                site.key = arguments.first().map(|key| self.key_arg("key", *key));
                site.options.signing_algorithm = arguments.get(1).map(|algorithm| {
                    let mut expr = self.expr(*algorithm);
                    expr.value = self.algorithm_name(*algorithm).map_or(Value::Unknown, Value::Str);
                    expr
                });
                Some(site)
            }
            // `new JwtSecurityToken(encoded)` parses; the other constructors build a token.
            "JwtSecurityToken" | "JsonWebToken" if arguments.len() == 1 => {
                let library = if library_type == "JwtSecurityToken" { JWT } else { JSON_WEB_TOKENS };
                let mut site = self.site(library, library_type, range, scope.clone())?;
                site.token = arguments.first().map(|token| self.token_arg(*token));
                site.used_for = self.decoded_use(creation, scope);
                Some(site)
            }
            _ => None,
        }
    }
}

impl<'s, 't> Analyzer<'s, 't> {
    /// `depth` bounds chains of `.ToString()` and casts a hostile file nests without end.
    fn reads_authorization_within(&self, node: Node<'t>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match node.kind() {
            "element_access_expression" => {
                let on_headers =
                    node.field("expression").is_some_and(|receiver| self.text(receiver).ends_with("Headers"));
                let key = node
                    .field("subscript")
                    .and_then(|subscript| elements(subscript).first().copied())
                    .and_then(|argument| argument.named_child(0))
                    .and_then(|key| self.string_value(key, 0));
                on_headers && key.is_some_and(|key| evaluate::is_authorization_name(&key))
            }
            "member_access_expression" => {
                node.field("name").is_some_and(|name| self.text(name) == "Authorization")
                    && node.field("expression").is_some_and(|receiver| self.text(receiver).ends_with("Headers"))
            }
            "invocation_expression" => {
                let Some(callee) = node.field("function").filter(|callee| callee.kind() == "member_access_expression")
                else {
                    return false;
                };
                let passes = callee
                    .field("name")
                    .is_some_and(|name| matches!(self.text(name), "ToString" | "FirstOrDefault" | "First" | "Single"));
                passes
                    && callee
                        .field("expression")
                        .is_some_and(|receiver| self.reads_authorization_within(receiver, depth + 1))
            }
            "cast_expression" => {
                node.field("value").is_some_and(|value| self.reads_authorization_within(value, depth + 1))
            }
            _ => false,
        }
    }
}

impl<'s, 't> Evaluator<'s, 't> for Analyzer<'s, 't> {
    const KINDS: Kinds = Kinds {
        names: &["identifier"],
        parentheses: &["parenthesized_expression"],
        lists: &["initializer_expression", "collection_expression"],
        quote: '"',
        mapping: None,
        concat: Some("+"),
        numbers: &["integer_literal", "real_literal"],
    };

    fn number_digits<'a>(&self, literal: &'a str) -> &'a str {
        literal.trim_end_matches(['d', 'D', 'f', 'F', 'm', 'M', 'l', 'L', 'u', 'U'])
    }

    /// `(int)x`, `-x`.
    fn number_step(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        match node.kind() {
            "cast_expression" => self.number(node.field("value")?, depth + 1),
            "prefix_unary_expression" if self.text(node).starts_with('-') => {
                Some(-self.number(node.named_child(0)?, depth + 1)?)
            }
            _ => None,
        }
    }

    fn file(&self) -> &SourceFile<'s, 't> {
        &self.file
    }

    /// The null-forgiving `x!` keeps its operand's value.
    fn unwrap(&self, node: Node<'t>) -> Node<'t> {
        let mut node = node;
        while node.kind() == "postfix_unary_expression" && self.text(node).ends_with('!') {
            match node.named_child(0) {
                Some(inner) => node = inner,
                None => break,
            }
        }
        node
    }

    fn string_literal(&self, node: Node<'_>) -> Option<String> {
        let raw = self.text(node);
        match node.kind() {
            "string_literal" => syntax::joined_parts(node, self.file.src, |kind| match kind {
                "string_literal_content" | "escape_sequence" => Some(true),
                _ => Some(false),
            })
            .map(|value| unescape(&value)),
            "verbatim_string_literal" => {
                raw.strip_prefix("@\"").and_then(|rest| rest.strip_suffix('"')).map(|value| value.replace("\"\"", "\""))
            }
            "raw_string_literal" => {
                let quotes = raw.len() - raw.trim_start_matches('"').len();
                raw.get(quotes..raw.len().saturating_sub(quotes)).map(|value| value.trim_matches('\n').to_string())
            }
            _ => None,
        }
    }

    /// `this.name`: the field's value.
    fn string_step(&self, node: Node<'t>, _depth: usize) -> Option<Node<'t>> {
        self.is_this_member(node).then(|| self.definition_value(node.field("name")?)).flatten()
    }

    /// `jwt.Header.Alg`, `jwt.SignatureAlgorithm`, `jwt.Alg`, `jwt.Header["alg"]` of a token
    /// read without validation (or any `…Header.Alg`).
    fn reads_token_alg(&self, node: Node<'t>, depth: usize) -> bool {
        match node.kind() {
            "cast_expression" => {
                node.named_children(&mut node.walk()).last().is_some_and(|inner| self.is_token_alg(inner, depth + 1))
            }
            "member_access_expression" => {
                let (Some(receiver), Some(member)) = (node.field("expression"), node.field("name")) else {
                    return false;
                };
                let header = self.text(receiver).to_ascii_lowercase().ends_with("header");
                match self.text(member) {
                    "Alg" => header || self.is_decoded_token(receiver, depth + 1),
                    "SignatureAlgorithm" => self.is_decoded_token(receiver, depth + 1),
                    // `.ToString()` of one of those.
                    _ => false,
                }
            }
            "element_access_expression" => {
                let header = node
                    .field("expression")
                    .is_some_and(|receiver| self.text(receiver).to_ascii_lowercase().ends_with("header"));
                let key = node
                    .field("subscript")
                    .and_then(|subscript| elements(subscript).first().copied())
                    .and_then(|argument| argument.named_child(0))
                    .and_then(|key| self.string_value(key, depth + 1));
                header && key.as_deref() == Some("alg")
            }
            "invocation_expression" => node.field("function").is_some_and(|callee| {
                callee.kind() == "member_access_expression"
                    && callee.field("name").is_some_and(|name| self.text(name) == "ToString")
                    && callee.field("expression").is_some_and(|receiver| self.is_token_alg(receiver, depth + 1))
            }),
            _ => false,
        }
    }

    /// `Request.Headers["Authorization"]`, `Request.Headers.Authorization` (and their
    /// `.ToString()` / `.FirstOrDefault()`), `(string)Request.Headers["Authorization"]`.
    fn reads_authorization(&self, node: Node<'t>) -> bool {
        self.reads_authorization_within(node, 0)
    }

    /// Through `Encoding.UTF8.GetBytes(…)`, `new SymmetricSecurityKey(…)`, the branches of a
    /// conditional and `??` fallbacks.
    fn secret_parts(&self, node: Node<'t>, _depth: usize) -> Vec<Node<'t>> {
        match node.kind() {
            "parenthesized_expression" => node.named_child(0).into_iter().collect(),
            "conditional_expression" => {
                [node.field("consequence"), node.field("alternative")].into_iter().flatten().collect()
            }
            "binary_expression" if node.field("operator").is_some_and(|op| self.text(op) == "??") => {
                [node.field("left"), node.field("right")].into_iter().flatten().collect()
            }
            "member_access_expression" if self.is_this_member(node) => {
                node.field("name").and_then(|name| self.definition_value(name)).into_iter().collect()
            }
            _ => self.bytes_operand(node).into_iter().collect(),
        }
    }

    fn key_step(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.definition_value(node).or_else(|| self.bytes_operand(node))
    }

    /// `Environment.GetEnvironmentVariable("X")`, `File.ReadAllText("path")`, a literal; through
    /// the byte conversions and key constructors.
    fn key_source_of(&self, node: Node<'t>, depth: usize) -> KeySource {
        if self.string_literal(node).is_some() {
            return KeySource::Literal;
        }
        let unknown = KeySource::Unknown;
        if let Some(inner) = self.bytes_operand(node) {
            return self.key_source(inner, depth + 1);
        }
        match node.kind() {
            "invocation_expression" => {
                let Some(callee) = node.field("function") else { return unknown };
                let first = self.arguments(node).first().copied();
                let callee = self.text(callee).replace(char::is_whitespace, "");
                match callee.trim_start_matches("System.") {
                    "Environment.GetEnvironmentVariable" => {
                        first.and_then(|name| self.string_value(name, depth + 1)).map_or(unknown, KeySource::Env)
                    }
                    "File.ReadAllText" | "File.ReadAllBytes" | "IO.File.ReadAllText" | "IO.File.ReadAllBytes" => first
                        .and_then(|path| self.string_value(path, depth + 1))
                        .map_or(unknown, |path| KeySource::File { path, base: PathBase::WorkingFolder }),
                    _ => unknown,
                }
            }
            "member_access_expression" if self.is_this_member(node) => node
                .field("name")
                .and_then(|name| self.definition_value(name))
                .map_or(unknown, |value| self.key_source(value, depth + 1)),
            _ => unknown,
        }
    }

    /// From `new[] { … }`, `new string[] { … }`, `new List<string> { … }` to their element list;
    /// names to their values.
    fn follow(&self, node: Node<'t>) -> Option<Node<'t>> {
        match node.kind() {
            "implicit_array_creation_expression" | "array_creation_expression" | "object_creation_expression" => {
                node.field("initializer").or_else(|| {
                    node.named_children(&mut node.walk()).find(|child| child.kind() == "initializer_expression")
                })
            }
            "member_access_expression" if self.is_this_member(node) => self.definition_value(node.field("name")?),
            "parenthesized_expression" => node.named_child(0),
            _ => self.definition_value(node),
        }
    }

    /// Allow-list elements named by `SecurityAlgorithms` constants as well as strings.
    fn allow_list(&self, value: Node<'t>) -> Option<AllowList> {
        if self.is_token_alg(value, 0) {
            let item = self.single_algorithm(value, None, true);
            return Some(AllowList { items: vec![item], render: self.render_like(None) });
        }
        let list = self.list_literal(value)?;
        let items = elements(list);
        let algorithms: Vec<AlgItem> = items
            .iter()
            .enumerate()
            .map(|(index, item)| AlgItem {
                name: self.algorithm_name(*item),
                text: self.text(*item).to_string(),
                range: item.byte_range(),
                removal: removal_range(&items, index),
                from_token: self.is_token_alg(*item, 0),
            })
            .collect();
        let like = algorithms.iter().find(|item| item.name.is_some()).map(|item| item.text.clone());
        Some(AllowList { items: algorithms, render: self.render_like(like.as_deref()) })
    }
}

/// C# escapes in a regular string literal's value (only the common ones: secrets rarely hold
/// others, and an unknown escape is kept as written).
fn unescape(value: &str) -> String {
    if !value.contains('\\') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some(other @ ('\\' | '"' | '\'')) => out.push(other),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Fixes in C#: strip the scheme with `Replace("Bearer ", "")`. Allow-list fixes are rendered by
/// the list itself; no C# call takes an allow-list a fix could add (the key decides).
struct CSharpDialect<'a, 's, 't> {
    analyzer: &'a Analyzer<'s, 't>,
}

impl Dialect for CSharpDialect<'_, '_, '_> {
    fn strip_bearer(&self, token: &Expr) -> Vec<TextEdit> {
        let original = self.analyzer.file.src.get(token.range.clone()).unwrap_or(&token.text);
        let node = self.analyzer.file.root.descendant_for_byte_range(token.range.start, token.range.end);
        // `StringValues` (a header read) becomes a string first; a cast or other operator needs
        // parentheses around it.
        let primary = node.is_some_and(|node| {
            matches!(
                node.kind(),
                "identifier" | "member_access_expression" | "element_access_expression" | "invocation_expression"
            )
        });
        let string_values = node.is_some_and(|node| {
            matches!(node.kind(), "element_access_expression" | "member_access_expression")
                && self.analyzer.reads_authorization(node)
        });
        let receiver = match (primary, string_values) {
            (true, true) => format!("{original}.ToString()"),
            (true, false) => original.to_string(),
            (false, _) => format!("({original})"),
        };
        vec![TextEdit { range: token.range.clone(), new_text: format!("{receiver}.Replace(\"Bearer \", \"\")") }]
    }

    fn add_allow_list(&self, _anchor: &Anchor, _option: &str, _algorithm: &str) -> Option<Vec<TextEdit>> {
        None
    }
}
