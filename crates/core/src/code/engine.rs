//! The one rule engine for code: judges the call sites of every language. Each code rule is
//! decided here, once, with one message; fixes are written through the front end's `Dialect`.
//! Nothing here knows a language or a syntax tree.

use std::ops::Range;

use super::Sink;
use super::knowledge::{self, Family, Key, KeyKind, algorithm_choices, assess_allow_list};
use super::library::{Archived, Ecosystem};
use super::model::{Algorithms, CallSite, Check, Dialect, Given, KeyArg, Model, Operation, Switch, TokenArg, Use};
use crate::deps::{self, Dependencies};
use crate::finding::{Finding, Fix, Severity, TextEdit};
use crate::rules::Rule;

/// Whether the document is under a test path (fixtures sign with `none` and hold literal secrets),
/// and the service's dependency files (the library version a call runs against).
#[derive(Debug, Clone, Copy, Default)]
pub struct Judging<'a> {
    pub in_test_path: bool,
    pub dependencies: Option<&'a Dependencies>,
}

/// The library version a call is judged at, read from the service's manifest or lockfile when
/// the source does not say (Go import paths do: `CallSite::version`).
struct Assumed {
    major: u64,
    /// `jsonwebtoken 8.5.1 from package-lock.json`.
    described: String,
}

fn assumed_version(site: &CallSite, judging: Judging<'_>) -> Option<Assumed> {
    if site.version.is_some() {
        return None;
    }
    let ecosystem = match site.function.ecosystem {
        Ecosystem::Node => deps::Ecosystem::Npm,
        Ecosystem::Python => deps::Ecosystem::PyPI,
        // Go import paths carry the version. No row of the other ecosystems behaves differently by
        // version yet (the ruby-jwt rows describe every version in their text); their manifests
        // and lockfiles are read for `vulnerable-jwt-library`.
        Ecosystem::Go | Ecosystem::Java | Ecosystem::Rust | Ecosystem::DotNet | Ecosystem::Php | Ecosystem::Ruby => {
            return None;
        }
    };
    let resolved = judging.dependencies?.resolve(ecosystem, site.function.library)?;
    Some(Assumed {
        major: resolved.version.major(),
        described: format!("{} {}", site.function.library, resolved.describe_version()),
    })
}

/// What a library does without an allow-list at a major version, where versions differ.
fn without_allow_list_at(library: &str, major: u64) -> Option<(Severity, &'static str)> {
    Some(match (library, major) {
        ("jsonwebtoken", 0..=8) => (
            Severity::Error,
            "accepts whatever algorithm the token names, `none` included (CVE-2022-23540). Pin the algorithm your key uses.",
        ),
        ("jsonwebtoken", _) => (
            Severity::Warning,
            "derives the allowed algorithms from the key type (a secret allows every HS* algorithm). Pin the algorithm your key uses.",
        ),
        ("PyJWT", 0..=1) => (
            Severity::Error,
            "accepts whatever algorithm the token names (RFC 8725 §3.1); its third positional argument is `verify`, not `algorithms`.",
        ),
        ("PyJWT", _) => (Severity::Warning, "raises `DecodeError` at runtime without it."),
        ("express-jwt", 0..=5) => (
            Severity::Error,
            "does not enforce algorithms: with a JWKS secret, tokens signed with another algorithm pass (CVE-2020-15084).",
        ),
        _ => return None,
    })
}

/// Judges everything one front end found in one source text.
pub fn judge(model: &Model, dialect: &dyn Dialect, judging: Judging<'_>, sink: &mut Sink) {
    for import in &model.imports {
        let Some(archived) = Archived::of(&import.module) else { continue };
        let successor = import.module.replacen(archived.module, archived.successor, 1);
        sink.push(Finding::new(Rule::InsecureJwtLibrary, import.range.clone(), archived.why).with_fix(Fix {
            title: format!("Import `{successor}` instead"),
            edits: vec![TextEdit { range: import.range.clone(), new_text: dialect.module_literal(&successor) }],
            // Changes a dependency: offered, never applied by `check --fix`.
            preferred: false,
        }));
    }
    // "Peek then verify": a decode whose token is verified later in the same function only
    // picks the key.
    let verified: Vec<(&Range<usize>, &str)> = model
        .calls
        .iter()
        .filter(|site| site.operation == Operation::Verify && !switched_off(site, Check::Signature))
        .filter_map(|site| Some((&site.range, site.token.as_ref()?.expr.text.as_str())))
        .collect();
    let is_peek = |site: &CallSite| {
        site.token.as_ref().is_some_and(|token| {
            verified
                .iter()
                .any(|(range, text)| *text == token.expr.text && **range != site.range && contains(&site.scope, range))
        })
    };
    for site in &model.calls {
        judge_site(site, dialect, judging, is_peek(site), sink);
    }
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn switched_off(site: &CallSite, check: Check) -> bool {
    site.options.switches.iter().any(|switch| switch.check == check)
}

fn judge_site(site: &CallSite, dialect: &dyn Dialect, judging: Judging<'_>, peek: bool, sink: &mut Sink) {
    let function = site.function;
    if site.operation == Operation::PeekHeader {
        return;
    }
    if let Some(key) = &site.key {
        report_key(site, key, judging, sink);
    }
    if let Some(token) = &site.token
        && token.raw_authorization
        && matches!(site.operation, Operation::Verify | Operation::Decode)
    {
        report_bearer(site, token, dialect, sink);
    }
    match site.operation {
        Operation::PeekHeader => {}
        Operation::Decode => {
            if !peek && site.used_for == Use::Claims {
                sink.push(Finding::new(
                    Rule::DecodeWithoutVerify,
                    site.range.clone(),
                    format!(
                        "{} returns the claims without checking the signature: anyone can write them. Use {} before trusting any claim.",
                        function.display, function.instead
                    ),
                ));
            }
        }
        Operation::Sign => {
            if judging.in_test_path {
                return;
            }
            if function.unsigned {
                sink.push(Finding::new(
                    Rule::VerifyAllowsNone,
                    site.range.clone(),
                    format!("{} creates an unsigned (`alg: none`) token: anyone can alter its claims, and only verifiers that accept `none` take it (RFC 7518 §3.6).", function.display),
                ));
            }
            if let Some(algorithm) = &site.options.signing_algorithm
                && algorithm.value.as_str().is_some_and(|name| name.eq_ignore_ascii_case("none"))
            {
                sink.push(Finding::new(
                    Rule::VerifyAllowsNone,
                    algorithm.range.clone(),
                    "Signs with algorithm `none`: the token carries no signature, anyone can change its claims, and only verifiers that accept `none` take it (RFC 7518 §3.6).",
                ));
            }
        }
        Operation::Verify | Operation::Configure => judge_verifier(site, dialect, judging, peek, sink),
    }
}

/// Literal secrets, public keys used as HMAC secrets, and "accept unsigned" marker keys.
fn report_key(site: &CallSite, key: &KeyArg, judging: Judging<'_>, sink: &mut Sink) {
    for (value, range) in &key.literals {
        report_secret(
            sink,
            judging.in_test_path,
            value,
            range.clone(),
            &format!("`{}` of {}", key.spelled, site.function.display),
        );
    }
    for (value, range, written) in &key.settings {
        report_secret(
            sink,
            judging.in_test_path,
            value,
            range.clone(),
            &format!("{written}, read as `{}` of {}", key.spelled, site.function.display),
        );
    }
    for range in &key.public_as_secret {
        sink.push(Finding::new(
            Rule::VerifyMixedAlgorithms,
            range.clone(),
            format!("Public-key material is passed as `{}`, which {} uses as an HMAC secret: anyone holding the public key can sign HS256 tokens that verify (key confusion). Parse it as a public key and pin its algorithm.", key.spelled, site.function.display),
        ));
    }
    if let Some(range) = &key.accepts_unsigned {
        if site.operation == Operation::Sign {
            if !judging.in_test_path {
                sink.push(Finding::new(
                    Rule::VerifyAllowsNone,
                    range.clone(),
                    "Signs with the `none` algorithm: the token carries no signature, and only verifiers that accept `none` take it (RFC 7518 §3.6).",
                ));
            }
        } else {
            sink.push(Finding::new(
                Rule::VerifyAllowsNone,
                range.clone(),
                format!("This key makes {} accept unsigned (`alg: none`) tokens: anyone can write any claims (RFC 8725 §3.2).", site.function.display),
            ));
        }
    }
}

/// Reports a string literal used as a signing/verification secret.
pub(super) fn report_secret(sink: &mut Sink, in_test_path: bool, value: &str, range: Range<usize>, place: &str) {
    // A public key is not a secret; committing one is normal.
    if value.contains("-----BEGIN") && (value.contains("PUBLIC KEY") || value.contains("CERTIFICATE")) {
        return;
    }
    let what = if value.contains("PRIVATE KEY") { "A private key" } else { "A string literal" };
    let mut message = format!(
        "{what} is used as the JWT secret ({place}): anyone who can read the source can forge tokens. Load it from the environment or a secret manager (RFC 8725 §3.5)."
    );
    let mut severity = Severity::Warning;
    if let Some(reason) = knowledge::weak_secret_reason(value) {
        message = format!("{message} This one is known-weak: {reason}.");
        severity = Severity::Error;
    }
    if in_test_path {
        // Fixture secrets in tests are expected; keep them visible but quiet.
        severity = Severity::Info;
    }
    sink.push(Finding::new(Rule::HardcodedSecret, range, message).with_severity(severity));
}

fn report_bearer(site: &CallSite, token: &TokenArg, dialect: &dyn Dialect, sink: &mut Sink) {
    let fails = match site.function.malformed {
        "" => "verification fails".to_string(),
        error => format!("{} fails with {error}", site.function.display),
    };
    sink.push(
        Finding::new(
            Rule::VerifyBearerPrefix,
            token.expr.range.clone(),
            format!("The raw `Authorization` header is passed as the token: its value starts with `Bearer `, so {fails}. Strip the scheme first."),
        )
        .with_fix(Fix { title: "Strip the `Bearer ` prefix".into(), edits: dialect.strip_bearer(&token.expr), preferred: true }),
    );
}

fn judge_verifier(site: &CallSite, dialect: &dyn Dialect, judging: Judging<'_>, peek: bool, sink: &mut Sink) {
    let function = site.function;
    let options = &site.options;
    if let Some(switch) = options.switches.iter().find(|switch| switch.check == Check::Signature) {
        // Verification off: report that, and nothing about a verification that does not happen.
        if !peek && site.used_for == Use::Claims {
            sink.push(Finding::new(
                Rule::DecodeWithoutVerify,
                switch.range.clone(),
                format!(
                    "`{}` turns {} into a decode: it returns claims anyone can write, without checking the signature (and skips `exp`, `aud`, `iss`). Verify with the key and an algorithm allow-list.",
                    switch.spelled, function.display
                ),
            ));
        }
        return;
    }
    let key = site.key.as_ref().map(|key| key.key).unwrap_or(Key::UNKNOWN);
    match &options.algorithms {
        Algorithms::Listed(list) => assess_allow_list(sink, list, key),
        Algorithms::Every(range) => sink.push(Finding::new(
            Rule::VerifyMixedAlgorithms,
            range.clone(),
            "Every algorithm the library knows is allowed, HMAC and public-key alike: a public key then works as an HMAC secret (CVE-2022-29217). List the one algorithm your key uses.",
        )),
        Algorithms::Absent if !function.default_algorithm.is_empty() => {
            report_default_algorithm(site, key, dialect, sink)
        }
        Algorithms::ExplicitNone(_) => report_missing_algorithms(site, key, dialect, judging, sink),
        Algorithms::Absent if options.complete => report_missing_algorithms(site, key, dialect, judging, sink),
        Algorithms::Absent | Algorithms::Unknown => {}
    }
    for switch in &options.switches {
        report_switch(site, switch, sink);
    }
    if let Some((seconds, range, option)) = &options.leeway {
        report_leeway(sink, *seconds, range.clone(), option);
    }
    if options.complete && function.judges_claims_at(site.version) {
        for (given, check, rule, claim, option, why) in [
            (
                options.audience,
                Check::Audience,
                Rule::VerifyMissingAudience,
                "aud",
                function.audience_option,
                "a token issued for another service by the same issuer is accepted (RFC 8725 §3.9)",
            ),
            (
                options.issuer,
                Check::Issuer,
                Rule::VerifyMissingIssuer,
                "iss",
                function.issuer_option,
                "tokens from any issuer that shares the key are accepted (RFC 8725 §3.8)",
            ),
        ] {
            if given == Given::No && !switched_off(site, check) {
                sink.push(Finding::new(
                    rule,
                    site.range.clone(),
                    format!("{} never checks `{claim}`: {why}. Pass `{option}`.", function.display),
                ));
            }
        }
    }
}

fn report_missing_algorithms(site: &CallSite, key: Key, dialect: &dyn Dialect, judging: Judging<'_>, sink: &mut Sink) {
    let function = site.function;
    let Some((mut severity, why)) = function.without_allow_list else { return };
    // The service's lockfile or manifest says which version runs: judge that one, and say so.
    let mut why = why.to_string();
    if let Some(assumed) = assumed_version(site, judging)
        && let Some((at_version, what)) = without_allow_list_at(function.library, assumed.major)
    {
        severity = at_version;
        why = format!("{} {what}", assumed.described);
    }
    let pins = site.key.as_ref().is_some_and(|key| key.pins_algorithm);
    if pins || (function.secret_key_safe_without_allow_list && key.kind == KeyKind::Secret) {
        return;
    }
    let option = function.allow_list_option_at(site.version);
    let spelled = option.unwrap_or(function.allow_list_option);
    let message = if spelled.is_empty() {
        format!("{} takes no algorithm allow-list: {why}", function.display)
    } else {
        format!("{} has no `{spelled}` allow-list: {why}", function.display)
    };
    let mut finding = Finding::new(Rule::VerifyMissingAlgorithms, site.range.clone(), message).with_severity(severity);
    let choices = algorithm_choices(key);
    if let (Some(option), Some(anchor)) = (option, &site.options.anchor) {
        for (algorithm, preferred) in &choices {
            if let Some(edits) = dialect.add_allow_list(anchor, option, algorithm) {
                let title = if option == "algorithms" {
                    format!("Allow only `{algorithm}`")
                } else {
                    format!("Allow only `{algorithm}` ({option})")
                };
                finding = finding.with_fix(Fix { title, edits, preferred: *preferred });
            }
        }
    }
    if let Some(anchor) = site.key.as_ref().and_then(|key| key.resolver.as_ref()) {
        // Checking the algorithm in the key function is the fix where no option exists.
        let resolver_preferred = finding.fixes.is_empty();
        for (algorithm, preferred) in &choices {
            if let Some((title, edits)) = dialect.pin_in_resolver(anchor, algorithm) {
                finding = finding.with_fix(Fix { title, edits, preferred: *preferred && resolver_preferred });
            }
        }
    }
    sink.push(finding);
}

/// A library that verifies with one default algorithm (Hono: HS256) given a public key.
fn report_default_algorithm(site: &CallSite, key: Key, dialect: &dyn Dialect, sink: &mut Sink) {
    let function = site.function;
    let default = function.default_algorithm;
    if Family::of(default) != Family::Hmac || !key.public {
        return;
    }
    let mut finding = Finding::new(
        Rule::VerifyMixedAlgorithms,
        site.range.clone(),
        format!(
            "{} verifies with {default} unless told otherwise, and the key is a public key: anyone holding it can sign {default} tokens that verify (key confusion, CVE-2015-9235). Name the key's algorithm.",
            function.display
        ),
    );
    if let Some(anchor) = &site.options.anchor {
        for (algorithm, preferred) in algorithm_choices(key) {
            if let Some(edits) = dialect.add_algorithm(anchor, function.allow_list_option, algorithm) {
                finding = finding.with_fix(Fix { title: format!("Verify with `{algorithm}`"), edits, preferred });
            }
        }
    }
    sink.push(finding);
}

fn report_switch(site: &CallSite, switch: &Switch, sink: &mut Sink) {
    let (rule, message) = match switch.check {
        Check::Signature => return,
        Check::SignatureRequired => (
            Rule::VerifyAllowsNone,
            format!(
                "`{}` makes {} accept unsigned (`alg: none`) tokens: anyone can write any claims (RFC 8725 §3.2).",
                switch.spelled, site.function.display
            ),
        ),
        Check::Expiry | Check::NotBefore | Check::Claims | Check::ExpiryRequired => {
            let accepted = match switch.check {
                Check::Expiry => "expired tokens (`exp`)",
                Check::NotBefore => "tokens before their `nbf`",
                Check::ExpiryRequired => "tokens without an expiry (`exp`)",
                _ => "expired (`exp`) and not-yet-valid (`nbf`) tokens, with every other claim check off",
            };
            (
                Rule::VerifyExpiryDisabled,
                format!(
                    "`{}` makes {} accept {accepted}: a leaked token stays valid forever (RFC 7519 §4.1.4).",
                    switch.spelled, site.function.display
                ),
            )
        }
        Check::Audience => (
            Rule::VerifyMissingAudience,
            format!(
                "`{}` switches the `aud` check off: a token issued for another service by the same issuer is accepted (RFC 8725 §3.9).",
                switch.spelled
            ),
        ),
        Check::Issuer => (
            Rule::VerifyMissingIssuer,
            format!(
                "`{}` switches the `iss` check off: tokens from any issuer that shares the key are accepted (RFC 8725 §3.8).",
                switch.spelled
            ),
        ),
    };
    let mut finding = Finding::new(rule, switch.range.clone(), message);
    if let Some(removal) = &switch.removal {
        finding = finding.with_fix(Fix {
            title: format!("Remove `{}`", switch.spelled),
            edits: vec![TextEdit { range: removal.clone(), new_text: String::new() }],
            preferred: true,
        });
    }
    sink.push(finding);
}

pub(super) fn report_leeway(sink: &mut Sink, seconds: f64, range: Range<usize>, option: &str) {
    // NaN and infinities are not durations anyone wrote.
    if !seconds.is_finite() || seconds <= knowledge::MAX_LEEWAY_SECONDS {
        return;
    }
    sink.push(Finding::new(
        Rule::VerifyLargeLeeway,
        range,
        format!(
            "`{option}` of {} accepts tokens that long after they expire; keep clock tolerance at or below 300 s (RFC 7519 §4.1.4: \"no more than a few minutes\").",
            knowledge::describe_seconds(seconds)
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::library::{Ecosystem, Function};
    use crate::code::model::{Anchor, Expr, Options, Value};

    /// Renders fixes as markers, so tests see which fix the engine asked for.
    struct Marker;

    impl Dialect for Marker {
        fn strip_bearer(&self, token: &Expr) -> Vec<TextEdit> {
            vec![TextEdit { range: token.range.clone(), new_text: "<stripped>".into() }]
        }
        fn add_allow_list(&self, anchor: &Anchor, option: &str, algorithm: &str) -> Option<Vec<TextEdit>> {
            let Anchor::AfterArguments { at, .. } = anchor else { return None };
            Some(vec![TextEdit { range: *at..*at, new_text: format!("<{option}={algorithm}>") }])
        }
    }

    fn site(ecosystem: Ecosystem, library: &str, path: &str, options: Options) -> CallSite {
        let function = Function::find(ecosystem, library, path).expect("row");
        CallSite {
            function,
            version: None,
            operation: function.operation,
            range: 10..20,
            scope: 0..100,
            token: Some(TokenArg {
                expr: Expr { range: 11..16, text: "token".into(), value: Value::Unknown },
                raw_authorization: false,
            }),
            key: None,
            options,
            used_for: Use::Claims,
        }
    }

    fn judged(calls: Vec<CallSite>, in_test_path: bool) -> Vec<Finding> {
        let mut sink = Sink::default();
        judge(&Model { calls, imports: Vec::new() }, &Marker, Judging { in_test_path, dependencies: None }, &mut sink);
        sink.findings
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|finding| finding.rule.code()).collect()
    }

    #[test]
    fn missing_allow_list_follows_the_library_and_its_version() {
        let after = || Options::defaults(Some(Anchor::AfterArguments { at: 30, comma: true }));
        // jose derives the algorithm from the key: silent.
        assert!(
            judged(vec![site(Ecosystem::Node, "jose", "jwtVerify", Options::defaults(None))], false)
                .iter()
                .all(|finding| finding.rule != Rule::VerifyMissingAlgorithms)
        );
        let mut v3 = site(Ecosystem::Go, "golang-jwt", "Parse", after());
        v3.version = Some(3);
        let mut v4 = site(Ecosystem::Go, "golang-jwt", "Parse", after());
        v4.version = Some(4);
        v4.range = 40..50;
        let findings = judged(vec![v3, v4], false);
        let missing: Vec<&Finding> =
            findings.iter().filter(|finding| finding.rule == Rule::VerifyMissingAlgorithms).collect();
        assert_eq!(missing.len(), 2);
        // `WithValidMethods` exists from v4 only.
        assert!(missing[0].fixes.is_empty());
        assert_eq!(missing[1].fixes.len(), 3);
        assert!(missing[1].fixes[0].edits[0].new_text.starts_with("<WithValidMethods="));
        assert_eq!(missing[1].severity, Severity::Error);
        // golang-jwt judges `aud`/`iss` from v5 on.
        assert!(!codes(&findings).contains(&"verify-missing-audience"));
    }

    #[test]
    fn a_key_that_pins_the_algorithm_needs_no_allow_list() {
        let mut call = site(Ecosystem::Python, "PyJWT", "jwt.decode", Options::defaults(None));
        call.key = Some(KeyArg { pins_algorithm: true, ..KeyArg::unknown("key") });
        assert!(!codes(&judged(vec![call], false)).contains(&"verify-missing-algorithms"));
    }

    #[test]
    fn a_decode_is_a_peek_when_the_same_token_is_verified_in_its_function() {
        let decode = site(Ecosystem::Node, "jsonwebtoken", "decode", Options::unknown());
        let verify = || {
            let mut verify = site(Ecosystem::Node, "jsonwebtoken", "verify", Options::unknown());
            verify.range = 40..50;
            verify
        };
        assert_eq!(
            codes(&judged(vec![site(Ecosystem::Node, "jsonwebtoken", "decode", Options::unknown())], false)),
            ["decode-without-verify"]
        );
        assert!(judged(vec![decode, verify()], false).is_empty());
        // A verify outside the decode's function does not count.
        let mut elsewhere = site(Ecosystem::Node, "jsonwebtoken", "decode", Options::unknown());
        elsewhere.scope = 0..30;
        assert_eq!(codes(&judged(vec![elsewhere, verify()], false)), ["decode-without-verify"]);
        // Reading only the header or the expiry is not trusting claims.
        for used_for in [Use::HeaderOnly, Use::TimesOnly] {
            let mut decode = site(Ecosystem::Node, "jsonwebtoken", "decode", Options::unknown());
            decode.used_for = used_for;
            assert!(judged(vec![decode], false).is_empty());
        }
    }

    #[test]
    fn switches_map_to_their_rules_and_a_signature_switch_silences_the_rest() {
        let switch =
            |check, spelled: &str| Switch { check, spelled: spelled.into(), range: 60..70, removal: Some(59..70) };
        let mut options = Options::defaults(None);
        options.switches =
            vec![switch(Check::Expiry, "verify_exp: False"), switch(Check::Audience, "verify_aud: False")];
        let findings = judged(vec![site(Ecosystem::Python, "PyJWT", "jwt.decode", options)], false);
        assert_eq!(
            codes(&findings),
            ["verify-missing-algorithms", "verify-expiry-disabled", "verify-missing-audience", "verify-missing-issuer"]
        );
        assert_eq!(findings[1].fixes[0].edits[0].range, 59..70);
        let mut options = Options::defaults(None);
        options.switches = vec![switch(Check::Signature, "verify=False"), switch(Check::Expiry, "verify_exp: False")];
        let findings = judged(vec![site(Ecosystem::Python, "PyJWT", "jwt.decode", options)], false);
        assert_eq!(codes(&findings), ["decode-without-verify"]);
        assert_eq!(findings[0].range, 60..70);
    }

    #[test]
    fn signing_with_none_is_quiet_in_test_paths_but_secrets_stay_visible() {
        let mut options = Options::defaults(None);
        options.signing_algorithm =
            Some(Expr { range: 30..36, text: "'none'".into(), value: Value::Str("none".into()) });
        let mut sign = site(Ecosystem::Node, "jsonwebtoken", "sign", options);
        sign.key = Some(KeyArg { literals: vec![("shhhhh".into(), 22..30)], ..KeyArg::unknown("secretOrPrivateKey") });
        let findings = judged(vec![sign], false);
        assert_eq!(codes(&findings), ["hardcoded-secret", "verify-allows-none"]);
        assert_eq!(findings[0].severity, Severity::Error);
        let mut options = Options::defaults(None);
        options.signing_algorithm =
            Some(Expr { range: 30..36, text: "'none'".into(), value: Value::Str("none".into()) });
        let mut sign = site(Ecosystem::Node, "jsonwebtoken", "sign", options);
        sign.key = Some(KeyArg { literals: vec![("shhhhh".into(), 22..30)], ..KeyArg::unknown("secretOrPrivateKey") });
        let findings = judged(vec![sign], true);
        assert_eq!(codes(&findings), ["hardcoded-secret"]);
        assert_eq!(findings[0].severity, Severity::Info);
    }

    #[test]
    fn a_raw_authorization_header_is_stripped_through_the_dialect() {
        let mut verify = site(Ecosystem::Node, "jsonwebtoken", "verify", Options::unknown());
        verify.token.as_mut().expect("token").raw_authorization = true;
        let findings = judged(vec![verify], false);
        assert_eq!(codes(&findings), ["verify-bearer-prefix"]);
        assert!(findings[0].message.contains("`jwt malformed`"));
        assert_eq!(findings[0].fixes[0].edits[0].new_text, "<stripped>");
    }
}
