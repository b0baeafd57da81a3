//! Java front end: jjwt (`io.jsonwebtoken`, 0.9–0.12), auth0 java-jwt (`com.auth0.jwt`),
//! nimbus-jose-jwt (`com.nimbusds`) and Spring Security's `NimbusJwtDecoder` /
//! `JwtTimestampValidator` / `setJwtValidator`. It turns syntax into call sites (`model`) and
//! writes fixes (`Dialect`); `engine` judges them.
//!
//! Classes are recognised through their imports (single-type or on-demand) or fully qualified.
//! Builder chains (`Jwts.parserBuilder().setSigningKey(k).requireAudience(a).build()
//! .parseClaimsJws(t)`, `JWT.require(alg).withIssuer(i).build().verify(t)`) are read through
//! same-file locals and fields (a field set once in a constructor counts as its value); a chain
//! whose start cannot be seen (an injected parser) keeps unknown options, and a builder configured
//! by later statements is incomplete. Nothing is guessed across files.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use tree_sitter::{Node, Tree};

use super::evaluate::{self, Collect, Evaluator, Kinds, SourceFile, Walk};
use super::knowledge::{AlgItem, AllowList, Family, Key, KeyKind};
use super::library::Ecosystem;
use super::model::{
    self, Algorithms, Anchor, CallSite, Check, Dialect, Expr, Given, KeyArg, KeySource, Model, Operation, PathBase,
    Switch, Use,
};
use super::syntax::{self, Field, MAX_DEPTH, elements, removal_range};
use super::{Options, Sink};
use crate::finding::TextEdit;

pub(super) const JJWT: &str = "jjwt";
pub(super) const JAVA_JWT: &str = "java-jwt";
pub(super) const NIMBUS: &str = "nimbus-jose-jwt";
pub(super) const SPRING: &str = "spring-security";

/// Recognised classes: (package, class, library).
const CLASSES: &[(&str, &str, &str)] = &[
    ("io.jsonwebtoken", "Jwts", JJWT),
    ("io.jsonwebtoken.security", "Keys", JJWT),
    ("com.auth0.jwt", "JWT", JAVA_JWT),
    ("com.auth0.jwt.algorithms", "Algorithm", JAVA_JWT),
    ("com.nimbusds.jwt", "SignedJWT", NIMBUS),
    ("com.nimbusds.jwt", "PlainJWT", NIMBUS),
    ("com.nimbusds.jwt", "JWTParser", NIMBUS),
    ("com.nimbusds.jose.crypto", "MACVerifier", NIMBUS),
    ("com.nimbusds.jose.crypto", "MACSigner", NIMBUS),
    ("com.nimbusds.jose.crypto", "RSASSAVerifier", NIMBUS),
    ("com.nimbusds.jose.crypto", "ECDSAVerifier", NIMBUS),
    ("com.nimbusds.jose.crypto", "Ed25519Verifier", NIMBUS),
    ("com.nimbusds.jose.proc", "JWSVerificationKeySelector", NIMBUS),
    ("com.nimbusds.jose.jwk.source", "ImmutableSecret", NIMBUS),
    ("org.springframework.security.oauth2.jwt", "NimbusJwtDecoder", SPRING),
    ("org.springframework.security.oauth2.jwt", "NimbusReactiveJwtDecoder", SPRING),
    ("org.springframework.security.oauth2.jwt", "JwtTimestampValidator", SPRING),
];

/// Package prefixes whose import makes a library's unique method names readable on receivers
/// whose construction cannot be seen (an injected `JwtParser`, a `SignedJWT` parameter).
const PACKAGES: &[(&str, &str)] = &[
    ("io.jsonwebtoken", JJWT),
    ("com.auth0.jwt", JAVA_JWT),
    ("com.nimbusds", NIMBUS),
    ("org.springframework.security.oauth2.jwt", SPRING),
];

/// Method names worth resolving (a cheap first filter).
const KNOWN_METHODS: &[&str] = &[
    "parseClaimsJws",
    "parseSignedClaims",
    "parseClaimsJwt",
    "parseUnsecuredClaims",
    "parse",
    "verify",
    "decode",
    "sign",
    "compact",
    "getJWTClaimsSet",
    "withSecretKey",
    "withPublicKey",
    "withJwkSetUri",
    "setJwtValidator",
    "setJWTClaimsSetVerifier",
    "setMaxClockSkew",
];

/// Verifier classes of nimbus and the key each takes (`MACVerifier`: an HMAC secret).
const NIMBUS_VERIFIERS: &[(&str, KeyKind)] = &[
    ("MACVerifier", KeyKind::Secret),
    ("RSASSAVerifier", KeyKind::Rsa),
    ("ECDSAVerifier", KeyKind::Ec),
    ("Ed25519Verifier", KeyKind::Ed),
];

/// jjwt builder methods that exist only up to 0.11: a chain using one is the API whose
/// `parse(String)` also returns unsigned JWTs.
const JJWT_LEGACY: &[&str] = &["parserBuilder", "setSigningKey", "setSigningKeyResolver", "setAllowedClockSkewSeconds"];

/// Methods on a decoded token (java-jwt `DecodedJWT`, nimbus `JWTClaimsSet`) that read only the
/// header or only the time claims.
const HEADER_GETTERS: &[&str] =
    &["getAlgorithm", "getKeyId", "getType", "getContentType", "getHeaderClaim", "getHeader"];
const TIME_GETTERS: &[&str] = &[
    "getExpiresAt",
    "getExpiresAtAsInstant",
    "getIssuedAt",
    "getIssuedAtAsInstant",
    "getNotBefore",
    "getNotBeforeAsInstant",
    "getExpirationTime",
    "getIssueTime",
    "getNotBeforeTime",
];

/// `Duration.ofX` / `TimeUnit.X` factors to seconds.
const DURATION_UNITS: &[(&str, f64)] = &[
    ("ofMillis", 0.001),
    ("ofSeconds", 1.0),
    ("ofMinutes", 60.0),
    ("ofHours", 3600.0),
    ("ofDays", 86_400.0),
    ("MILLISECONDS", 0.001),
    ("SECONDS", 1.0),
    ("MINUTES", 60.0),
    ("HOURS", 3600.0),
    ("DAYS", 86_400.0),
];

const FUNCTION_KINDS: &[&str] = &["method_declaration", "constructor_declaration", "lambda_expression"];

pub(super) fn analyze(source: &str, tree: &Tree, options: &Options, sink: &mut Sink) {
    evaluate::judge(&model(source, tree, options), &JavaDialect { src: source }, options, sink);
}

/// The call-site model of one Java source (snapshot tests, the workspace's verifiers).
pub(super) fn model(source: &str, tree: &Tree, options: &Options) -> Model {
    Analyzer::collect_all(source, tree, options).map(|analyzer| analyzer.model()).unwrap_or_default()
}

/// One method call of a builder chain.
#[derive(Clone, Copy)]
struct Step<'s, 't> {
    name: &'s str,
    call: Node<'t>,
}

/// A builder chain from a recognised class: `Jwts.parser()…build().parseClaimsJws(t)`.
struct Chain<'s, 't> {
    library: &'static str,
    class: &'static str,
    steps: Vec<Step<'s, 't>>,
    /// No step of it is configured by a later statement (`builder.requireIssuer(i);`).
    complete: bool,
}

impl<'s, 't> Chain<'s, 't> {
    fn has(&self, name: &str) -> bool {
        self.steps.iter().any(|step| step.name == name)
    }
}

struct Analyzer<'s, 't> {
    file: SourceFile<'s, 't>,
    /// Simple class name → (library, class) for the recognised classes in reach.
    classes: HashMap<&'static str, (&'static str, &'static str)>,
    /// Libraries with any import in the file.
    libraries: HashSet<&'static str>,
    /// Method invocations and `new` expressions, with their enclosing function.
    calls: Vec<(Node<'t>, Range<usize>)>,
    /// Fields: name → (name position, initializer).
    fields: Vec<(&'s str, usize, Option<Node<'t>>)>,
    /// `name = value` / `this.name = value`: (name, value, position).
    assignments: Vec<(&'s str, Node<'t>, usize)>,
    /// Names configured by a statement of their own (`builder.requireIssuer(i);`): positions.
    configured: HashMap<&'s str, Vec<usize>>,
    /// Names passed as an argument to some call: positions (a token handed to a helper may be
    /// verified there).
    passed: HashMap<&'s str, Vec<usize>>,
}

impl<'s, 't> Analyzer<'s, 't> {
    fn collect_all(source: &'s str, tree: &'t Tree, options: &Options) -> Option<Analyzer<'s, 't>> {
        let mut analyzer = Analyzer {
            file: SourceFile::new(source, tree),
            classes: HashMap::new(),
            libraries: HashSet::new(),
            calls: Vec::new(),
            fields: Vec::new(),
            assignments: Vec::new(),
            configured: HashMap::new(),
            passed: HashMap::new(),
        };
        analyzer.collect_file();
        if options.conventional_names && analyzer.classes.is_empty() {
            // A Markdown fragment without imports: every recognised class by its simple name.
            for (_, class, library) in CLASSES {
                analyzer.classes.insert(class, (library, class));
                analyzer.libraries.insert(library);
            }
        }
        if analyzer.libraries.is_empty() {
            return None;
        }
        analyzer.define_fields();
        Some(analyzer)
    }

    // ---- collection ----

    fn collect_import(&mut self, node: Node<'t>) {
        let text = self.text(node);
        if text.starts_with("import static") {
            return;
        }
        let Some(path) = elements(node).into_iter().find(|child| matches!(child.kind(), "scoped_identifier")) else {
            return;
        };
        let path = self.text(path);
        let on_demand = elements(node).iter().any(|child| child.kind() == "asterisk");
        for (prefix, library) in PACKAGES {
            if path == *prefix || path.starts_with(&format!("{prefix}.")) {
                self.libraries.insert(library);
            }
        }
        for (package, class, library) in CLASSES {
            let imported = if on_demand { path == *package } else { path == format!("{package}.{class}") };
            if imported {
                self.classes.insert(class, (library, class));
            }
        }
    }

    /// Fields become same-file definitions once every assignment is known: a field without an
    /// initializer that is assigned exactly once (in a constructor) has that value.
    fn define_fields(&mut self) {
        let file_scope = self.file.root.byte_range();
        let mut assigned: HashMap<&str, Vec<(Node<'t>, usize)>> = HashMap::new();
        for (name, value, at) in &self.assignments {
            assigned.entry(name).or_default().push((*value, *at));
        }
        let fields: HashSet<&str> = self.fields.iter().map(|(name, _, _)| *name).collect();
        for (name, at, value) in self.fields.clone() {
            let assignments = assigned.get(name).map(Vec::as_slice).unwrap_or_default();
            match (value, assignments) {
                (None, [(value, at)]) => self.file.scopes.define(name, file_scope.clone(), *at, Some(*value), false),
                _ => {
                    self.file.scopes.define(name, file_scope.clone(), at, value, false);
                    for (_, position) in assignments {
                        self.file.scopes.reassign(name, *position);
                    }
                }
            }
        }
        for (name, _, at) in &self.assignments {
            if !fields.contains(name) {
                self.file.scopes.reassign(name, *at);
            }
        }
    }

    // ---- resolution ----

    /// A recognised class named by `node`: `Jwts`, or `io.jsonwebtoken.Jwts` spelled out.
    fn class_of(&self, node: Node<'t>) -> Option<(&'static str, &'static str)> {
        self.class_within(node, 0)
    }

    fn class_within(&self, node: Node<'t>, depth: usize) -> Option<(&'static str, &'static str)> {
        if depth > MAX_DEPTH {
            return None;
        }
        match node.kind() {
            "identifier" | "type_identifier" => {
                let name = self.text(node);
                // A local or field of that name hides the class.
                if self.file.scopes.innermost(name, node.start_byte()).is_some() {
                    return None;
                }
                self.classes.get(name).copied()
            }
            "field_access" | "scoped_identifier" | "scoped_type_identifier" => {
                let text: String = self.text(node).split_whitespace().collect();
                CLASSES
                    .iter()
                    .find(|(package, class, _)| text == format!("{package}.{class}"))
                    .map(|(_, class, library)| (*library, *class))
            }
            "generic_type" => self.class_within(node.named_child(0)?, depth + 1),
            _ => None,
        }
    }

    fn arguments(&self, call: Node<'t>) -> Vec<Node<'t>> {
        call.field("arguments").map(elements).unwrap_or_default()
    }

    fn method_name(&self, call: Node<'t>) -> &'s str {
        call.field("name").filter(|_| call.kind() == "method_invocation").map_or("", |name| self.text(name))
    }

    /// The constructed class of a `new` expression.
    fn created_class(&self, node: Node<'t>) -> Option<(&'static str, &'static str)> {
        (node.kind() == "object_creation_expression").then(|| self.class_of(node.field("type")?)).flatten()
    }

    /// Through parentheses and casts.
    fn strip(&self, mut node: Node<'t>) -> Node<'t> {
        for _ in 0..MAX_DEPTH {
            let inner = match node.kind() {
                "parenthesized_expression" => node.named_child(0),
                "cast_expression" => node.field("value"),
                _ => None,
            };
            match inner {
                Some(inner) => node = inner,
                None => break,
            }
        }
        node
    }

    /// The builder chain an expression continues, through same-file values.
    fn chain(&self, node: Node<'t>, depth: usize) -> Option<Chain<'s, 't>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.strip(node);
        match node.kind() {
            "method_invocation" => {
                let step = Step { name: self.method_name(node), call: node };
                let object = node.field("object")?;
                if let Some((library, class)) = self.class_of(object) {
                    return Some(Chain { library, class, steps: vec![step], complete: true });
                }
                let mut chain = self.chain(object, depth + 1)?;
                chain.steps.push(step);
                Some(chain)
            }
            "object_creation_expression" => {
                let (library, class) = self.created_class(node)?;
                Some(Chain { library, class, steps: Vec::new(), complete: true })
            }
            "identifier" => {
                let name = self.text(node);
                let definition = self.file.scopes.lookup(name, node.start_byte())?;
                let scope = definition.scope.clone();
                let mut chain = self.chain(self.definition_value(node)?, depth + 1)?;
                let configured = self
                    .configured
                    .get(name)
                    .is_some_and(|positions| positions.iter().any(|at| scope.start <= *at && *at <= scope.end));
                chain.complete &= !configured;
                Some(chain)
            }
            _ => None,
        }
    }

    /// `request.getHeader("Authorization")`, `headers.getFirst(HttpHeaders.AUTHORIZATION)`.
    fn is_authorization_read(&self, node: Node<'t>) -> bool {
        if node.kind() != "method_invocation" || !matches!(self.method_name(node), "getHeader" | "getFirst" | "header")
        {
            return false;
        }
        let Some(first) = self.arguments(node).first().copied() else { return false };
        match self.string_literal(first) {
            Some(name) => evaluate::is_authorization_name(&name),
            None => {
                matches!(first.kind(), "field_access" | "identifier") && self.text(first).ends_with("AUTHORIZATION")
            }
        }
    }

    /// What a decoded token is used for: the methods called on it (directly, or on the local it
    /// is stored in when every use of that local is a method call).
    fn used_for(&self, decode: Node<'t>, scope: &Range<usize>) -> Use {
        let methods: Vec<&str> = match self.call_on(decode) {
            Some(method) => vec![method],
            None => {
                let Some(name) = self.stored_in(decode) else { return Use::Claims };
                let mut methods = Vec::new();
                let mut reads = 0;
                for (call, _) in &self.calls {
                    if call.kind() == "method_invocation"
                        && scope.contains(&call.start_byte())
                        && call
                            .field("object")
                            .is_some_and(|object| object.kind() == "identifier" && self.text(object) == name)
                    {
                        methods.push(self.method_name(*call));
                        reads += 1;
                    }
                }
                // Any other read of the name (returned, passed on) is a use of the claims.
                let occurrences = word_count(&self.file.src[scope.clone()], name);
                if occurrences != reads + 1 {
                    return Use::Claims;
                }
                methods
            }
        };
        evaluate::members_use(&methods, HEADER_GETTERS, TIME_GETTERS)
    }

    /// The method called directly on a call's result: `JWT.decode(t).getSubject()` → `getSubject`.
    fn call_on(&self, call: Node<'t>) -> Option<&'s str> {
        let parent = call.parent()?;
        (parent.kind() == "method_invocation" && parent.field("object").is_some_and(|object| object.id() == call.id()))
            .then(|| self.method_name(parent))
    }

    /// The local a call's result initialises: `DecodedJWT jwt = JWT.decode(t);` → `jwt`.
    fn stored_in(&self, call: Node<'t>) -> Option<&'s str> {
        let parent = call.parent()?;
        (parent.kind() == "variable_declarator").then(|| parent.field("name").map(|name| self.text(name))).flatten()
    }

    // ---- values ----

    /// The expression a byte/key conversion wraps: `"…".getBytes(UTF_8)` → `"…"`,
    /// `Keys.hmacShaKeyFor(b)` → `b`, `new SecretKeySpec(b, "HmacSHA256")` → `b`. The flag says
    /// whether the bytes are the text's own (not base64- or hex-decoded).
    fn conversion_operand(&self, node: Node<'t>) -> Option<(Node<'t>, bool)> {
        match node.kind() {
            "method_invocation" => {
                let first = self.arguments(node).first().copied();
                match self.method_name(node) {
                    "getBytes" | "toCharArray" | "getEncoded" | "trim" => Some((node.field("object")?, true)),
                    "hmacShaKeyFor" | "wrap" | "copyOf" => Some((first?, true)),
                    "decode" | "parseBase64Binary" | "parseHexBinary" | "decodeBase64" | "decodeHex" | "digest" => {
                        Some((first?, false))
                    }
                    _ => None,
                }
            }
            "object_creation_expression" => {
                let type_ = node.field("type").map(|type_| self.text(type_)).unwrap_or("");
                let class = type_.split('<').next().unwrap_or(type_).rsplit('.').next().unwrap_or("");
                matches!(
                    class,
                    "SecretKeySpec" | "ImmutableSecret" | "String" | "OctetSequenceKey" | "MACVerifier" | "MACSigner"
                )
                .then(|| Some((*self.arguments(node).first()?, true)))
                .flatten()
            }
            _ => None,
        }
    }

    /// An HMAC secret expression: its literals, what it is, and where it comes from. `secret`:
    /// the slot takes only secrets (`Algorithm.HMAC256`, `MACVerifier`), so a public key there is
    /// key confusion.
    fn secret_key(&self, spelled: &str, node: Node<'t>) -> KeyArg {
        let mut key = KeyArg::unknown(spelled);
        key.literals = self.secret_literal_ranges(node);
        let evidence = self.key_evidence(self.innermost_operand(node));
        key.key = Key { kind: KeyKind::Secret, public: false };
        if evidence.public {
            key.public_as_secret.push(node.byte_range());
        }
        key.source = self.key_source(node, 0);
        key
    }

    /// Through conversions and same-file values to the expression the key's material is.
    fn innermost_operand(&self, node: Node<'t>) -> Node<'t> {
        let mut current = self.strip(node);
        for _ in 0..MAX_DEPTH {
            let next = match self.conversion_operand(current) {
                Some((inner, _)) => inner,
                None => match self.definition_value(current) {
                    Some(value) if self.conversion_operand(self.strip(value)).is_some() => value,
                    _ => break,
                },
            };
            current = self.strip(next);
        }
        current
    }

    /// A jjwt key (`setSigningKey`, `verifyWith`, `signWith`): a string or bytes is an HMAC secret
    /// (a public key's bytes there are key confusion); a key object is what its name says.
    fn jjwt_key(&self, spelled: &str, node: Node<'t>) -> KeyArg {
        let inner = self.strip(node);
        let resolved = match inner.kind() {
            "identifier" => self.definition_value(inner).map(|value| self.strip(value)).unwrap_or(inner),
            _ => inner,
        };
        let bytes_or_text = self.string_value(resolved, 0).is_some() || self.conversion_operand(resolved).is_some();
        if bytes_or_text {
            let mut key = self.secret_key(spelled, node);
            // jjwt ≤ 0.11 `setSigningKey(String)` base64-decodes the text: its bytes are not the
            // literal's own.
            if self.string_value(resolved, 0).is_some() {
                key.source = KeySource::Unknown;
            }
            return key;
        }
        let mut key = KeyArg::unknown(spelled);
        key.key = self.key_evidence(node);
        key.source = self.key_source(node, 0);
        key
    }

    /// A java-jwt `Algorithm` expression (`Algorithm.HMAC256(secret)`, a local or field holding
    /// one): the key it verifies with.
    fn java_jwt_algorithm(&self, node: Node<'t>, depth: usize) -> Option<KeyArg> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.strip(node);
        if node.kind() == "identifier" {
            return self.java_jwt_algorithm(self.definition_value(node)?, depth + 1);
        }
        if node.kind() != "method_invocation" {
            return None;
        }
        let (library, class) = self.class_of(node.field("object")?)?;
        if (library, class) != (JAVA_JWT, "Algorithm") {
            return None;
        }
        let name = self.method_name(node);
        let first = self.arguments(node).first().copied();
        let mut key = KeyArg::unknown("algorithm");
        if name == "none" {
            key.accepts_unsigned = Some(node.byte_range());
        } else if name.starts_with("HMAC") {
            key = self.secret_key(&format!("Algorithm.{name}"), first?);
        } else {
            let kind = if name.starts_with("ECDSA") { KeyKind::Ec } else { KeyKind::Rsa };
            let public = first.is_some_and(|first| self.text(first) != "null");
            key.key = Key { kind, public };
            key.source = first.map_or(KeySource::Unknown, |first| self.key_source(first, 0));
        }
        Some(key)
    }

    /// A nimbus verifier expression (`new MACVerifier(secret)`, a local or field holding one).
    fn nimbus_verifier(&self, node: Node<'t>, depth: usize) -> Option<KeyArg> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.strip(node);
        if node.kind() == "identifier" {
            return self.nimbus_verifier(self.definition_value(node)?, depth + 1);
        }
        let (library, class) = self.created_class(node)?;
        let (_, kind) = NIMBUS_VERIFIERS.iter().find(|(name, _)| library == NIMBUS && *name == class)?;
        let first = *self.arguments(node).first()?;
        if *kind == KeyKind::Secret {
            return Some(self.secret_key(class, first));
        }
        let mut key = KeyArg::unknown(class);
        key.key = Key { kind: *kind, public: true };
        key.source = self.key_source(first, 0);
        Some(key)
    }

    /// An algorithm expression's name: `JWSAlgorithm.RS256`, `"RS256"`, `JWSAlgorithm.parse("RS256")`.
    fn algorithm_name(&self, node: Node<'t>) -> Option<String> {
        self.algorithm_name_within(node, 0)
    }

    /// `depth` bounds names that define each other (`a = b; b = a;`) and nested `parse` calls.
    fn algorithm_name_within(&self, node: Node<'t>, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some(value) = self.string_value(node, 0) {
            return Some(value);
        }
        let node = self.strip(node);
        match node.kind() {
            "field_access" => {
                let name = self.text(node.field("field")?);
                (name.eq_ignore_ascii_case("none") || Family::of(name) != Family::Other).then(|| name.to_string())
            }
            "method_invocation" if self.method_name(node) == "parse" => {
                self.algorithm_name_within(*self.arguments(node).first()?, depth + 1)
            }
            "identifier" => self.algorithm_name_within(self.definition_value(node)?, depth + 1),
            _ => None,
        }
    }

    /// The algorithms of a nimbus `JWSVerificationKeySelector`: one algorithm, or a
    /// `Set.of(…)` / `Arrays.asList(…)` / `new HashSet<>(…)` of them.
    fn nimbus_algorithms(&self, node: Node<'t>, depth: usize) -> Algorithms {
        if depth > MAX_DEPTH {
            return Algorithms::Unknown;
        }
        let node = self.strip(node);
        let render: Box<dyn Fn(&str) -> String> = Box::new(|algorithm: &str| format!("JWSAlgorithm.{algorithm}"));
        let item = |element: Node<'t>, removal: Range<usize>| AlgItem {
            name: self.algorithm_name(element),
            text: self.text(element).to_string(),
            range: element.byte_range(),
            removal,
            from_token: self.is_token_alg(element, 0),
        };
        match node.kind() {
            "method_invocation"
                if matches!(self.method_name(node), "of" | "asList" | "singleton" | "singletonList") =>
            {
                let elements = self.arguments(node);
                let items =
                    elements.iter().enumerate().map(|(index, element)| item(*element, removal_range(&elements, index)));
                Algorithms::Listed(AllowList { items: items.collect(), render })
            }
            "object_creation_expression" => match self.arguments(node).first() {
                Some(inner) => self.nimbus_algorithms(*inner, depth + 1),
                None => Algorithms::Unknown,
            },
            "identifier" if self.is_token_alg(node, 0) => {
                Algorithms::Listed(AllowList { items: vec![item(node, node.byte_range())], render })
            }
            "identifier" => match self.definition_value(node) {
                Some(value) => self.nimbus_algorithms(value, depth + 1),
                None => Algorithms::Unknown,
            },
            _ if self.algorithm_name(node).is_some() || self.is_token_alg(node, 0) => {
                Algorithms::Listed(AllowList { items: vec![item(node, node.byte_range())], render })
            }
            _ => Algorithms::Unknown,
        }
    }

    // ---- the model ----

    fn site(&self, library: &str, path: &str, range: Range<usize>, scope: Range<usize>) -> Option<CallSite> {
        evaluate::site(Ecosystem::Java, library, path, None, range, scope)
    }

    fn model(&self) -> Model {
        let mut model = Model::default();
        for (call, scope) in &self.calls {
            let site = match call.kind() {
                "method_invocation" => {
                    let name = self.method_name(*call);
                    if !KNOWN_METHODS.contains(&name) {
                        continue;
                    }
                    self.method_site(*call, name, scope.clone())
                }
                _ => self.creation_site(*call, scope.clone()),
            };
            model.calls.extend(site);
        }
        model
    }

    fn method_site(&self, call: Node<'t>, name: &'s str, scope: Range<usize>) -> Option<CallSite> {
        let range = call.field("name")?.byte_range();
        let arguments = self.arguments(call);
        let first = arguments.first().copied();
        let object = call.field("object")?;
        let chain = self.chain(call, 0);
        let library = chain.as_ref().map(|chain| (chain.library, chain.class));
        match (name, library) {
            (
                "parseClaimsJws" | "parseSignedClaims" | "parseClaimsJwt" | "parseUnsecuredClaims" | "parse",
                Some((JJWT, "Jwts")),
            ) => self.jjwt_parse(name, chain?, range, scope, first?, call),
            // An injected parser: only the names no other library has, with unknown options.
            ("parseClaimsJws" | "parseSignedClaims" | "parseClaimsJwt" | "parseUnsecuredClaims", None)
                if self.libraries.contains(JJWT) =>
            {
                let mut site = self.site(JJWT, &format!("JwtParser.{name}"), range, scope.clone())?;
                site.token = Some(self.token_arg(first?));
                site.options = model::Options::unknown();
                if site.operation == Operation::Decode {
                    site.used_for = self.used_for(call, &scope);
                }
                Some(site)
            }
            ("verify", Some((JAVA_JWT, "JWT"))) => self.java_jwt_verify(chain?, range, scope, first?),
            ("decode", Some((JAVA_JWT, "JWT"))) if chain.as_ref()?.steps.len() == 1 => {
                let mut site = self.site(JAVA_JWT, "JWT.decode", range, scope.clone())?;
                site.token = Some(self.token_arg(first?));
                site.used_for = self.used_for(call, &scope);
                Some(site)
            }
            ("sign", Some((JAVA_JWT, "JWT"))) if chain.as_ref()?.steps.first()?.name == "create" => {
                let mut site = self.site(JAVA_JWT, "JWT.create", range, scope)?;
                site.key = self.java_jwt_algorithm(first?, 0);
                Some(site)
            }
            ("compact", Some((JJWT, "Jwts"))) => self.jjwt_build(chain?, range, scope),
            ("verify", _) if self.libraries.contains(NIMBUS) => {
                let key = self.nimbus_verifier(first?, 0)?;
                let mut site = self.site(NIMBUS, "SignedJWT.verify", range, scope)?;
                site.token = Some(self.token_arg(object));
                site.key = Some(key);
                Some(site)
            }
            ("getJWTClaimsSet", Some((NIMBUS, "SignedJWT" | "JWTParser" | "PlainJWT"))) => {
                let chain = chain?;
                if chain.steps.first()?.name != "parse" {
                    return None;
                }
                // A parsed token handed to a helper may be verified there: not seen, not judged.
                if object.kind() == "identifier"
                    && self
                        .passed
                        .get(self.text(object))
                        .is_some_and(|positions| positions.iter().any(|at| scope.contains(at)))
                {
                    return None;
                }
                let mut site = self.site(NIMBUS, "getJWTClaimsSet", range, scope.clone())?;
                site.token = Some(self.token_arg(object));
                site.used_for = self.used_for(call, &scope);
                Some(site)
            }
            ("withSecretKey" | "withPublicKey" | "withJwkSetUri", Some((SPRING, decoder)))
                if chain.as_ref()?.steps.len() == 1 =>
            {
                let path = format!("{decoder}.{name}");
                let mut site = self.site(SPRING, &path, range, scope.clone())?;
                let first = first?;
                site.key = Some(match name {
                    "withSecretKey" => self.secret_key("withSecretKey", first),
                    "withPublicKey" => KeyArg {
                        key: Key { kind: KeyKind::Rsa, public: true },
                        source: self.key_source(first, 0),
                        ..KeyArg::unknown("withPublicKey")
                    },
                    _ => KeyArg {
                        key: Key { kind: KeyKind::Rsa, public: true },
                        source: self.string_value(first, 0).map_or(KeySource::Unknown, KeySource::JwksUrl),
                        ..KeyArg::unknown("withJwkSetUri")
                    },
                });
                // Claim validators are set elsewhere as often as here (`setJwtValidator`, Boot
                // properties): the decoder's expectations are not judged from this call.
                site.options.audience = Given::Unknown;
                site.options.issuer = Given::Unknown;
                // A validator set on the decoder's local replaces the default timestamp check.
                if let Some(name) = self.built_into(call) {
                    for (other, _) in &self.calls {
                        let on_decoder = other.field("object").is_some_and(|object| {
                            object.kind() == "identifier"
                                && self.text(object) == name
                                && scope.contains(&object.start_byte())
                        });
                        if on_decoder && self.method_name(*other) == "setJwtValidator" {
                            site.options.switches.extend(self.validator_switch(*other));
                        }
                    }
                }
                Some(site)
            }
            ("setJwtValidator", _) if self.libraries.contains(SPRING) => {
                let mut site = self.site(SPRING, "setJwtValidator", range, scope)?;
                site.options.switches.push(self.validator_switch(call)?);
                Some(site)
            }
            ("setJWTClaimsSetVerifier", _) if self.libraries.contains(NIMBUS) => {
                if first.is_none_or(|first| self.text(first) != "null") {
                    return None;
                }
                let mut site = self.site(NIMBUS, "DefaultJWTProcessor", range, scope)?;
                site.options.switches.push(Switch {
                    check: Check::Claims,
                    spelled: "setJWTClaimsSetVerifier(null)".into(),
                    range: call.byte_range(),
                    removal: call
                        .parent()
                        .filter(|parent| parent.kind() == "expression_statement")
                        .map(|statement| syntax::statement_removal(self.file.src, statement)),
                });
                Some(site)
            }
            ("setMaxClockSkew", _) if self.libraries.contains(NIMBUS) => {
                let value = first?;
                let mut site = self.site(NIMBUS, "DefaultJWTClaimsVerifier", range, scope)?;
                site.options.leeway = Some((self.number(value, 0)?, value.byte_range(), "setMaxClockSkew".into()));
                Some(site)
            }
            _ => None,
        }
    }

    /// `setJwtValidator(v)` with a validator that checks no timestamps, as a switch.
    fn validator_switch(&self, call: Node<'t>) -> Option<Switch> {
        let validator = *self.arguments(call).first()?;
        if self.checks_timestamps(validator, 0)? {
            return None;
        }
        let spelled = format!("setJwtValidator({})", short(self.text(validator)));
        Some(Switch { check: Check::Expiry, spelled, range: call.byte_range(), removal: None })
    }

    /// The local a builder chain's result is stored in: `NimbusJwtDecoder decoder =
    /// NimbusJwtDecoder.withJwkSetUri(uri).build();` → `decoder`.
    fn built_into(&self, call: Node<'t>) -> Option<&'s str> {
        let mut node = call;
        for _ in 0..MAX_DEPTH {
            let parent = node.parent()?;
            match parent.kind() {
                "method_invocation" if parent.field("object").is_some_and(|object| object.id() == node.id()) => {
                    node = parent
                }
                "cast_expression" | "parenthesized_expression" => node = parent,
                "variable_declarator" => return parent.field("name").map(|name| self.text(name)),
                _ => return None,
            }
        }
        None
    }

    /// Whether a Spring validator checks `exp`/`nbf`; `None` when it cannot be read.
    fn checks_timestamps(&self, node: Node<'t>, depth: usize) -> Option<bool> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.strip(node);
        match node.kind() {
            "identifier" => self.checks_timestamps(self.definition_value(node)?, depth + 1),
            "method_invocation" => {
                let object = self.text(node.field("object")?);
                // `JwtValidators.createDefault…(…)` always includes a `JwtTimestampValidator`.
                (object == "JwtValidators" && self.method_name(node).starts_with("createDefault")).then_some(true)
            }
            "object_creation_expression" => {
                let type_ = self.text(node.field("type")?);
                let class = type_.split('<').next().unwrap_or(type_).rsplit('.').next().unwrap_or("");
                match class {
                    "JwtTimestampValidator" => Some(true),
                    "JwtIssuerValidator" | "JwtClaimValidator" | "JwtAudienceValidator" => Some(false),
                    "DelegatingOAuth2TokenValidator" => {
                        let mut any = false;
                        for argument in self.arguments(node) {
                            any |= self.checks_timestamps(argument, depth + 1)?;
                        }
                        Some(any)
                    }
                    _ => None,
                }
            }
            // `jwt -> OAuth2TokenValidatorResult.success()`: accepts every token.
            "lambda_expression" => {
                let body = node.field("body")?;
                (self.text(body).split_whitespace().collect::<String>() == "OAuth2TokenValidatorResult.success()")
                    .then_some(false)
            }
            _ => None,
        }
    }

    fn jjwt_parse(
        &self,
        name: &str,
        chain: Chain<'s, 't>,
        range: Range<usize>,
        scope: Range<usize>,
        token: Node<'t>,
        call: Node<'t>,
    ) -> Option<CallSite> {
        if !matches!(chain.steps.first()?.name, "parser" | "parserBuilder") {
            return None;
        }
        let legacy = chain.steps.iter().any(|step| JJWT_LEGACY.contains(&step.name));
        // 0.12's `parse` rejects unsecured JWTs unless `unsecured()` is called; `parse(t, handler)`
        // accepts only what its handler implements.
        if name == "parse" && (!legacy || self.arguments(call).len() != 1) {
            return None;
        }
        let mut site = self.site(JJWT, &format!("JwtParser.{name}"), range, scope.clone())?;
        site.token = Some(self.token_arg(token));
        if site.operation == Operation::Decode {
            site.used_for = self.used_for(call, &scope);
            return Some(site);
        }
        let options = &mut site.options;
        options.complete = chain.complete;
        for step in &chain.steps[..chain.steps.len() - 1] {
            let arguments = self.arguments(step.call);
            let first = arguments.first().copied();
            match step.name {
                "setSigningKey" | "verifyWith" => site.key = Some(self.jjwt_key(step.name, first?)),
                "setSigningKeyResolver" | "keyLocator" => {
                    site.key = Some(KeyArg { pins_algorithm: true, ..KeyArg::unknown(step.name) })
                }
                "requireAudience" => {
                    options.audience = Given::Yes;
                    options.audiences.extend(first.and_then(|value| self.string_value(value, 0)));
                }
                "requireIssuer" => {
                    options.issuer = Given::Yes;
                    options.issuers.extend(first.and_then(|value| self.string_value(value, 0)));
                }
                "require" => match first.and_then(|claim| self.string_value(claim, 0)).as_deref() {
                    Some("aud") => options.audience = Given::Yes,
                    Some("iss") => options.issuer = Given::Yes,
                    Some(_) => {}
                    None => options.complete = false,
                },
                "setAllowedClockSkewSeconds" | "clockSkewSeconds" => {
                    let value = first?;
                    if let Some(seconds) = self.number(value, 0) {
                        options.leeway = Some((seconds, value.byte_range(), step.name.to_string()));
                    }
                }
                _ => {}
            }
        }
        Some(site)
    }

    fn java_jwt_verify(
        &self,
        chain: Chain<'s, 't>,
        range: Range<usize>,
        scope: Range<usize>,
        token: Node<'t>,
    ) -> Option<CallSite> {
        let require = chain.steps.first().filter(|step| step.name == "require")?;
        let mut site = self.site(JAVA_JWT, "JWTVerifier.verify", range, scope)?;
        site.token = Some(self.token_arg(token));
        site.key = self.java_jwt_algorithm(*self.arguments(require.call).first()?, 0);
        let options = &mut site.options;
        options.complete = chain.complete;
        for step in &chain.steps[1..chain.steps.len() - 1] {
            let arguments = self.arguments(step.call);
            let values: Vec<String> = arguments.iter().filter_map(|value| self.string_value(*value, 0)).collect();
            match step.name {
                "withAudience" | "withAnyOfAudience" => {
                    options.audience = Given::Yes;
                    options.audiences.extend(values);
                }
                "withIssuer" => {
                    options.issuer = Given::Yes;
                    options.issuers.extend(values);
                }
                "acceptLeeway" | "acceptExpiresAt" => {
                    let value = *arguments.first()?;
                    let seconds = self.number(value, 0);
                    let larger = options.leeway.as_ref().is_none_or(|(current, _, _)| seconds > Some(*current));
                    if let Some(seconds) = seconds.filter(|_| larger) {
                        options.leeway = Some((seconds, value.byte_range(), step.name.to_string()));
                    }
                }
                _ => {}
            }
        }
        Some(site)
    }

    /// `Jwts.builder()…compact()`: signed with `signWith`'s key, or unsigned without it.
    fn jjwt_build(&self, chain: Chain<'s, 't>, range: Range<usize>, scope: Range<usize>) -> Option<CallSite> {
        if chain.steps.first()?.name != "builder" {
            return None;
        }
        let sign_with = chain.steps.iter().find(|step| step.name == "signWith");
        match sign_with {
            Some(step) => {
                let mut site = self.site(JJWT, "JwtBuilder.compact", range, scope)?;
                // `signWith(key)`, `signWith(key, alg)` (0.10+) or `signWith(alg, key)` (≤ 0.9).
                let arguments = self.arguments(step.call);
                let key = arguments.iter().find(|argument| {
                    !self.text(**argument).contains("SignatureAlgorithm")
                        && !self.text(**argument).starts_with("Jwts.SIG")
                })?;
                site.key = Some(self.jjwt_key("signWith", *key));
                Some(site)
            }
            None if chain.complete && !chain.has("encryptWith") => {
                self.site(JJWT, "JwtBuilder.compact unsigned", range, scope)
            }
            None => None,
        }
    }

    fn creation_site(&self, node: Node<'t>, scope: Range<usize>) -> Option<CallSite> {
        let (library, class) = self.created_class(node)?;
        let arguments = self.arguments(node);
        let range = node.field("type")?.byte_range();
        match (library, class) {
            (NIMBUS, "JWSVerificationKeySelector") => {
                let mut site = self.site(NIMBUS, class, range, scope)?;
                site.options.algorithms = self.nimbus_algorithms(*arguments.first()?, 0);
                if let Some(source) = arguments.get(1) {
                    let source = self.strip(*source);
                    let resolved = self.definition_value(source).map(|value| self.strip(value)).unwrap_or(source);
                    let secret = self.created_class(resolved).is_some_and(|(_, class)| class == "ImmutableSecret");
                    site.key = Some(match secret {
                        true => self.secret_key("ImmutableSecret", *self.arguments(resolved).first()?),
                        false => KeyArg {
                            key: self.key_evidence(source),
                            source: self.key_source(source, 0),
                            ..KeyArg::unknown("keySource")
                        },
                    });
                }
                site.options.audience = Given::Unknown;
                site.options.issuer = Given::Unknown;
                Some(site)
            }
            (NIMBUS, "MACSigner") => {
                let mut site = self.site(NIMBUS, class, range, scope)?;
                site.key = Some(self.secret_key(class, *arguments.first()?));
                Some(site)
            }
            (NIMBUS, "PlainJWT") => self.site(NIMBUS, class, range, scope),
            (SPRING, "JwtTimestampValidator") => {
                let value = *arguments.first()?;
                let mut site = self.site(SPRING, class, range, scope)?;
                site.options.leeway =
                    Some((self.number(value, 0)?, value.byte_range(), "JwtTimestampValidator".into()));
                Some(site)
            }
            _ => None,
        }
    }
}

/// `text` cut to a length a message can quote.
fn short(text: &str) -> String {
    let text = syntax::normalized(text);
    if text.chars().count() <= 60 { text } else { format!("{}…", text.chars().take(57).collect::<String>()) }
}

/// How often `word` occurs in `text` as a whole identifier.
fn word_count(text: &str, word: &str) -> usize {
    let is_part = |ch: char| ch.is_alphanumeric() || ch == '_' || ch == '$';
    text.match_indices(word)
        .filter(|(at, _)| {
            !text[..*at].chars().next_back().is_some_and(is_part)
                && !text[at + word.len()..].chars().next().is_some_and(is_part)
        })
        .count()
}

impl<'s, 't> Collect<'s, 't> for Analyzer<'s, 't> {
    fn collect(&mut self, node: Node<'t>, scope: Range<usize>) {
        match node.kind() {
            "import_declaration" => self.collect_import(node),
            "local_variable_declaration" | "field_declaration" => {
                let field = node.kind() == "field_declaration" && scope == self.file.root.byte_range();
                let mut cursor = node.walk();
                let declarators: Vec<Node<'t>> = node.children_by_field_name("declarator", &mut cursor).collect();
                for declarator in declarators {
                    let Some(name) = declarator.field("name") else { continue };
                    let value = declarator.field("value").or_else(|| self.value_annotation(node));
                    let name_text = self.text(name);
                    if field {
                        self.fields.push((name_text, name.start_byte(), value));
                    } else {
                        self.file.scopes.define(name_text, scope.clone(), name.start_byte(), value, false);
                    }
                }
            }
            "formal_parameter" | "spread_parameter" => {
                if let Some(name) = node.field("name") {
                    let value = self.value_annotation(node);
                    self.file.scopes.define(self.text(name), scope, name.start_byte(), value, false);
                }
            }
            "assignment_expression" => {
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else { return };
                let name = match left.kind() {
                    "identifier" => Some(left),
                    "field_access" if left.field("object").is_some_and(|object| object.kind() == "this") => {
                        left.field("field")
                    }
                    _ => None,
                };
                if let Some(name) = name {
                    self.assignments.push((self.text(name), right, name.start_byte()));
                }
            }
            "method_invocation" => {
                let name = self.method_name(node);
                if let Some(object) = node.field("object").filter(|object| object.kind() == "identifier")
                    && ["set", "require", "with", "accept", "verifyWith", "keyLocator", "clockSkew", "signWith"]
                        .iter()
                        .any(|prefix| name.starts_with(prefix))
                    && node.parent().is_some_and(|parent| parent.kind() == "expression_statement")
                {
                    self.configured.entry(self.text(object)).or_default().push(node.start_byte());
                }
                for argument in self.arguments(node) {
                    if argument.kind() == "identifier" {
                        self.passed.entry(self.text(argument)).or_default().push(argument.start_byte());
                    }
                }
                self.calls.push((node, scope));
            }
            "object_creation_expression" => self.calls.push((node, scope)),
            _ => {}
        }
    }

    const WALK: Walk = Walk {
        functions: FUNCTION_KINDS,
        collected: &[
            "import_declaration",
            "local_variable_declaration",
            "field_declaration",
            "formal_parameter",
            "spread_parameter",
            "assignment_expression",
            "method_invocation",
            "object_creation_expression",
        ],
        opaque: &["string_literal", "line_comment", "block_comment"],
    };
}

impl<'s, 't> Evaluator<'s, 't> for Analyzer<'s, 't> {
    const KINDS: Kinds = Kinds {
        numbers: &["decimal_integer_literal", "hex_integer_literal", "decimal_floating_point_literal"],
        ..Kinds::COMMON
    };

    fn number_digits<'a>(&self, literal: &'a str) -> &'a str {
        literal.trim_end_matches(['L', 'l', 'F', 'f', 'D', 'd'])
    }

    /// Through casts; `Duration.ofMinutes(5)`, `TimeUnit.HOURS.toSeconds(1)`, `d.getSeconds()` in
    /// seconds.
    fn number_step(&self, node: Node<'t>, depth: usize) -> Option<f64> {
        let stripped = self.strip(node);
        if stripped != node {
            return self.number(stripped, depth + 1);
        }
        if node.kind() != "method_invocation" {
            return None;
        }
        let name = self.method_name(node);
        let object = node.field("object")?;
        let first = self.arguments(node).first().copied();
        match name {
            "getSeconds" | "toSeconds" if first.is_none() => self.number(object, depth + 1),
            "toSeconds" => {
                let unit = self.text(object).rsplit('.').next()?;
                let factor = DURATION_UNITS.iter().find(|(name, _)| *name == unit)?.1;
                Some(self.number(first?, depth + 1)? * factor)
            }
            _ if self.text(object) == "Duration" => {
                let factor = DURATION_UNITS.iter().find(|(unit, _)| *unit == name)?.1;
                Some(self.number(first?, depth + 1)? * factor)
            }
            _ => None,
        }
    }

    fn file(&self) -> &SourceFile<'s, 't> {
        &self.file
    }

    fn string_literal(&self, node: Node<'_>) -> Option<String> {
        if node.kind() != "string_literal" {
            return None;
        }
        if let Some(placeholder) = self.placeholder(node) {
            return placeholder;
        }
        syntax::joined_parts(node, self.file.src, |kind| match kind {
            "string_fragment" | "multiline_string_fragment" | "escape_sequence" => Some(true),
            _ => None,
        })
    }

    /// `jwt.getHeader().getAlgorithm()` (nimbus), `JWT.decode(t).getAlgorithm()` (java-jwt),
    /// through locals and `JWSAlgorithm.parse(…)` / `.getName()`.
    fn reads_token_alg(&self, node: Node<'t>, depth: usize) -> bool {
        let stripped = self.strip(node);
        if stripped != node {
            return self.is_token_alg(stripped, depth + 1);
        }
        match node.kind() {
            "method_invocation" => {
                let name = self.method_name(node);
                let object = node.field("object");
                match name {
                    "getAlgorithm" => object.is_some_and(|object| {
                        let object = self.strip(object);
                        self.text(object).to_ascii_lowercase().contains("header")
                            || self.chain(object, depth + 1).is_some_and(|chain| {
                                chain.library == JAVA_JWT
                                    && chain.steps.first().is_some_and(|step| step.name == "decode")
                            })
                    }),
                    "getName" | "toString" => object.is_some_and(|object| self.is_token_alg(object, depth + 1)),
                    "parse" => self.arguments(node).first().is_some_and(|inner| self.is_token_alg(*inner, depth + 1)),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    fn secret_parts(&self, node: Node<'t>, _depth: usize) -> Vec<Node<'t>> {
        match node.kind() {
            "parenthesized_expression" => node.named_child(0).into_iter().collect(),
            "cast_expression" => node.field("value").into_iter().collect(),
            "ternary_expression" => {
                [node.field("consequence"), node.field("alternative")].into_iter().flatten().collect()
            }
            _ => self.conversion_operand(node).map(|(inner, _)| inner).into_iter().collect(),
        }
    }

    fn reads_authorization(&self, node: Node<'t>) -> bool {
        self.is_authorization_read(self.strip(node))
    }

    /// A literal (as its own bytes), `System.getenv("X")`, `Files.readAllBytes(Paths.get("p"))` /
    /// `Files.readString(Path.of("p"))`, through byte conversions; a base64- or hex-decoded
    /// literal is not its own bytes, so its source stays unknown.
    fn key_source_of(&self, node: Node<'t>, depth: usize) -> KeySource {
        // A property's default is used only when the configuration does not set it.
        if self.placeholder(node).is_some() {
            return KeySource::Unknown;
        }
        if self.string_literal(node).is_some() {
            return KeySource::Literal;
        }
        let unknown = KeySource::Unknown;
        if let Some((inner, own_bytes)) = self.conversion_operand(node) {
            return if own_bytes { self.key_source(inner, depth + 1) } else { unknown };
        }
        match node.kind() {
            "cast_expression" => node.field("value").map_or(unknown, |inner| self.key_source(inner, depth + 1)),
            "method_invocation" => {
                let first = self.arguments(node).first().copied();
                let object = node.field("object").map(|object| self.text(object)).unwrap_or("");
                match (object, self.method_name(node)) {
                    ("System", "getenv") => {
                        first.and_then(|name| self.string_value(name, depth + 1)).map_or(unknown, KeySource::Env)
                    }
                    ("Files", "readAllBytes" | "readString") => first
                        .and_then(|path| self.path_literal(path, depth + 1))
                        .map_or(unknown, |path| KeySource::File { path, base: PathBase::WorkingFolder }),
                    _ => unknown,
                }
            }
            "object_creation_expression" => {
                // `new String(Files.readAllBytes(…))`.
                let first = self.arguments(node).first().copied();
                first.map_or(unknown, |inner| self.key_source(inner, depth + 1))
            }
            _ => unknown,
        }
    }
}

impl<'s, 't> Analyzer<'s, 't> {
    /// The `"${property:default}"` literal of a Spring `@Value` annotation among a declaration's
    /// modifiers: the value the field or parameter has when the configuration does not set it.
    fn value_annotation(&self, declaration: Node<'t>) -> Option<Node<'t>> {
        let modifiers = elements(declaration).into_iter().find(|child| child.kind() == "modifiers")?;
        let annotation = elements(modifiers).into_iter().find(|annotation| {
            annotation.kind() == "annotation" && annotation.field("name").is_some_and(|name| self.text(name) == "Value")
        })?;
        let argument = elements(annotation.field("arguments")?).into_iter().next()?;
        (argument.kind() == "string_literal" && self.placeholder(argument).is_some()).then_some(argument)
    }

    /// A `"${property}"` / `"${property:default}"` placeholder: `Some(Some(default))`, or
    /// `Some(None)` without a default (the value is not in the source); `None` for other text.
    fn placeholder(&self, node: Node<'_>) -> Option<Option<String>> {
        let text = self.text(node);
        if !text.starts_with("\"${") {
            return None;
        }
        // Only an annotation resolves placeholders; elsewhere the text is the value.
        let in_annotation = node
            .parent()
            .is_some_and(|parent| matches!(parent.kind(), "annotation_argument_list" | "element_value_pair"));
        if !in_annotation {
            return None;
        }
        let inner = text.strip_prefix("\"${")?.strip_suffix("}\"")?;
        if inner.contains(['$', '{', '}', '\\']) {
            return Some(None);
        }
        Some(inner.split_once(':').map(|(_, default)| default.to_string()))
    }

    /// `Paths.get("p")`, `Path.of("p")`, `new File("p").toPath()`, or a literal path.
    fn path_literal(&self, node: Node<'t>, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        let node = self.strip(node);
        if let Some(value) = self.string_value(node, depth) {
            return Some(value);
        }
        match node.kind() {
            "identifier" => self.path_literal(self.definition_value(node)?, depth + 1),
            "method_invocation" if matches!(self.method_name(node), "get" | "of") => {
                let parts: Option<Vec<String>> =
                    self.arguments(node).iter().map(|part| self.string_value(*part, depth + 1)).collect();
                Some(parts?.join("/"))
            }
            _ => None,
        }
    }
}

/// Fixes in Java: the `Bearer ` scheme removed with `replaceFirst`.
struct JavaDialect<'s> {
    src: &'s str,
}

impl Dialect for JavaDialect<'_> {
    fn strip_bearer(&self, token: &Expr) -> Vec<TextEdit> {
        evaluate::rewrite_token(self.src, token, |original| {
            let receiver = evaluate::receiver(original, |ch| {
                ch.is_alphanumeric() || matches!(ch, '_' | '$' | '.' | '(' | ')' | '"')
            });
            format!("{receiver}.replaceFirst(\"^Bearer \", \"\")")
        })
    }

    /// No Java library here takes an allow-list a fix could add: each binds the algorithm to its
    /// key or `Algorithm` object.
    fn add_allow_list(&self, _anchor: &Anchor, _option: &str, _algorithm: &str) -> Option<Vec<TextEdit>> {
        None
    }
}

#[cfg(test)]
#[path = "java_model_tests.rs"]
mod model_tests;
