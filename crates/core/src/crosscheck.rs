//! The workspace cross-check: every token against the project's own verifiers
//! (`token-rejected-by-verifier`).
//!
//! A token goes to the verifiers of its service (the nearest folder with a manifest,
//! `service::Services`) and to any verifier whose literal issuers or audiences name its `iss` or
//! `aud`. Each receiving verifier judges it in the order of the usual `invalid signature` hunt:
//! `alg` not in its allow-list → `kid` in none of its keys → `iss` → `aud` → expired beyond its
//! leeway → the signature with its key. Unknown stays unknown: an expectation the code does not
//! state, or a key that could not be resolved, is not checked. The token is reported only when
//! every receiving verifier rejects it.
//!
//! Pure: the front end walks the workspace, resolves key sources (`.env` values, key files) and
//! hands in tokens, verifier calls and key rings; nothing here reads a file or the clock.

use std::path::Path;

use serde_json::Value;

use crate::code::{Expected, KeySource, VerifierCall};
use crate::finding::{Finding, Related};
use crate::jwt::Token;
use crate::jwt::time::{UnixSeconds, long_duration};
use crate::keys::{self, Fit, Key, KeyMaterial, KeyRing};
use crate::rules::Rule;
use crate::service::Services;

/// A token found in the workspace.
pub struct TokenAt<'a> {
    /// Relative to the workspace, as shown to the user.
    pub path: &'a Path,
    pub token: &'a Token,
    /// The rules the token's own analysis reported: a rejection for a problem one of them
    /// already names (`token-expired`, `token-alg-none`) is not reported twice.
    pub reported: &'a [Rule],
}

/// How a verifier's key was resolved by the front end.
pub enum Keys<'a> {
    /// The source is unknown, or could not be read: the signature is not judged.
    Unresolved,
    /// The keys the source holds.
    Resolved { ring: &'a KeyRing },
}

/// A verifier call found in the workspace.
pub struct VerifierAt<'a> {
    /// Relative to the workspace, as shown to the user.
    pub path: &'a Path,
    /// Zero-based line and column (characters, UTF-16 units) of the call.
    pub line: usize,
    pub column: usize,
    pub column_utf16: usize,
    pub call: &'a VerifierCall,
    /// Keys from the key source (ignored for `KeySource::Literal`: the literals are in `call`).
    pub keys: Keys<'a>,
}

impl VerifierAt<'_> {
    /// `orders/src/auth.js:18` (1-based line).
    pub fn location(&self) -> String {
        format!("{}:{}", self.path.to_string_lossy().replace('\\', "/"), self.line + 1)
    }
}

/// One verifier's verdict on one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing the code states rejects it; `signature_checked`: its key was known and verified
    /// the signature.
    Accepts { signature_checked: bool },
    /// Rejected, with the first reason in checking order. `reported_elsewhere`: the reason is the
    /// token's expiry, which `token-expired` already reports.
    Rejects { reason: String, reported_elsewhere: bool },
}

impl Verdict {
    pub fn rejects(&self) -> bool {
        matches!(self, Verdict::Rejects { .. })
    }

    /// `accepts`, `accepts (signature not checked)`, `rejects: <reason>`.
    pub fn describe(&self) -> String {
        match self {
            Verdict::Accepts { signature_checked: true } => "accepts".to_string(),
            Verdict::Accepts { signature_checked: false } => "accepts (signature not checked)".to_string(),
            Verdict::Rejects { reason, .. } => format!("rejects: {reason}"),
        }
    }
}

/// What the workspace's verifiers say about one token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// Index into the `tokens` given to `judge`.
    pub token: usize,
    /// (index into `verifiers`, verdict) for every verifier that receives the token.
    pub verdicts: Vec<(usize, Verdict)>,
    /// `token-rejected-by-verifier` on the token, when every receiving verifier rejects it.
    pub finding: Option<Finding>,
}

/// Judges every token against the verifiers that receive it, at `now`.
pub fn judge(
    tokens: &[TokenAt<'_>],
    verifiers: &[VerifierAt<'_>],
    services: &Services,
    now: UnixSeconds,
) -> Vec<Judgement> {
    // Literal keys are parsed once per verifier, not once per token.
    let literal_rings: Vec<Option<KeyRing>> = verifiers
        .iter()
        .map(|verifier| (verifier.call.key == KeySource::Literal).then(|| literal_ring(verifier.call)))
        .collect();
    let verifier_services: Vec<Option<&Path>> =
        verifiers.iter().map(|verifier| services.service_of(verifier.path)).collect();
    tokens
        .iter()
        .enumerate()
        .map(|(index, at)| {
            let service = services.service_of(at.path);
            let claims = Claims::of(at.token);
            // Verifiers that share a key ring (one `.env` secret, one key file) check a token's
            // signature once.
            let mut signatures: rustc_hash::FxHashMap<usize, Verdict> = Default::default();
            let verdicts: Vec<(usize, Verdict)> = verifiers
                .iter()
                .enumerate()
                .filter(|(number, verifier)| verifier_services[*number] == service || names(verifier.call, &claims))
                .map(|(number, verifier)| {
                    let ring = match (&literal_rings[number], &verifier.keys) {
                        (Some(ring), _) => Some(ring),
                        (None, Keys::Resolved { ring }) => Some(*ring),
                        (None, Keys::Unresolved) => None,
                    };
                    (number, verdict(at, &claims, verifier.call, ring, now, &mut signatures))
                })
                .collect();
            let finding = finding(at, &verdicts, verifiers);
            Judgement { token: index, verdicts, finding }
        })
        .collect()
}

/// The claims the checks read, decoded once per token.
struct Claims {
    alg: Option<String>,
    kid: Option<String>,
    iss: Option<String>,
    /// `aud` as a list (a single string is a list of one).
    aud: Vec<String>,
    exp: Option<i64>,
}

impl Claims {
    fn of(token: &Token) -> Claims {
        let claims = token.claims();
        let string = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_string);
        let aud = match claims.and_then(|claims| claims.get("aud")) {
            Some(Value::String(one)) => vec![one.clone()],
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            _ => Vec::new(),
        };
        Claims {
            alg: token.alg().map(str::to_string),
            kid: string(token.header.get("kid")),
            iss: string(claims.and_then(|claims| claims.get("iss"))),
            aud,
            exp: claims.and_then(|claims| claims.get("exp")).and_then(Value::as_f64).map(|exp| exp as i64),
        }
    }
}

/// Whether the verifier's literal issuers or audiences name the token's `iss` or `aud`.
fn names(call: &VerifierCall, claims: &Claims) -> bool {
    let issuer = match (&call.issuers, &claims.iss) {
        (Expected::AnyOf(issuers), Some(iss)) => issuers.contains(iss),
        _ => false,
    };
    let audience = match &call.audiences {
        Expected::AnyOf(audiences) => claims.aud.iter().any(|aud| audiences.contains(aud)),
        _ => false,
    };
    issuer || audience
}

/// A verifier's literal secrets (or literal PEM/JWK text) as keys.
fn literal_ring(call: &VerifierCall) -> KeyRing {
    let mut ring = KeyRing::default();
    for (index, literal) in call.literal_secrets.iter().enumerate() {
        let source = keys::KeySource::new(format!("literal #{}", index + 1), keys::Origin::Configured);
        let trimmed = literal.trim_start();
        if trimmed.starts_with('{') || trimmed.contains("-----BEGIN") {
            ring.add_source(source.clone(), keys::parse_key_text(literal, source));
        } else {
            let key = Key::new(KeyMaterial::Secret(literal.as_bytes().to_vec()), source.clone());
            ring.add_source(source, Ok((vec![key], Vec::new())));
        }
    }
    ring
}

fn quoted_list(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|value| format!("`{value}`")).collect();
    match quoted.len() {
        1 => quoted[0].clone(),
        _ => format!("one of {}", quoted.join(", ")),
    }
}

/// One verifier's verdict, checks in order; the first failure is the reason.
fn verdict(
    at: &TokenAt<'_>,
    claims: &Claims,
    call: &VerifierCall,
    ring: Option<&KeyRing>,
    now: UnixSeconds,
    signatures: &mut rustc_hash::FxHashMap<usize, Verdict>,
) -> Verdict {
    let reject = |reason: String| Verdict::Rejects { reason, reported_elsewhere: false };
    let alg = claims.alg.as_deref().unwrap_or("");
    // An unsigned token is `token-alg-none`'s problem: rejecting it is no news.
    let unsigned = alg.eq_ignore_ascii_case("none");
    let unsigned_reported = unsigned && at.reported.contains(&Rule::TokenAlgNone);
    if let Some(allowed) = &call.algorithms
        && !allowed.iter().any(|allowed| allowed == alg)
    {
        return Verdict::Rejects {
            reason: format!("`alg` is `{alg}`, the verifier allows only {}", quoted_list(allowed)),
            reported_elsewhere: unsigned_reported,
        };
    }
    // A key set that names its keys looks the token's `kid` up; a single unnamed key ignores it.
    if let (Some(kid), Some(ring)) = (&claims.kid, ring)
        && ring.keys.iter().any(|key| key.kid.is_some())
        && ring.with_kid(kid).next().is_none()
    {
        return reject(format!("`kid` `{kid}` is in none of its keys"));
    }
    if let Expected::AnyOf(issuers) = &call.issuers {
        match &claims.iss {
            Some(iss) if issuers.contains(iss) => {}
            Some(iss) => return reject(format!("`iss` is `{iss}`, the verifier requires {}", quoted_list(issuers))),
            None => return reject(format!("the token has no `iss`, the verifier requires {}", quoted_list(issuers))),
        }
    }
    if let Expected::AnyOf(audiences) = &call.audiences
        && !claims.aud.iter().any(|aud| audiences.contains(aud))
    {
        return reject(match claims.aud.as_slice() {
            [] => format!("the token has no `aud`, the verifier requires {}", quoted_list(audiences)),
            [one] => format!("`aud` is `{one}`, the verifier requires {}", quoted_list(audiences)),
            many => format!("`aud` is {}, the verifier requires {}", quoted_list(many), quoted_list(audiences)),
        });
    }
    let leeway = call.leeway.min(i64::MAX as f64) as i64;
    if call.checks_expiry
        && let Some(exp) = claims.exp
        && exp.saturating_add(leeway) < now
    {
        let tolerance = if leeway > 0 { format!(", beyond its leeway of {leeway} s") } else { String::new() };
        return Verdict::Rejects {
            reason: format!("the token expired {} ago{tolerance}", long_duration(now - exp)),
            reported_elsewhere: at.reported.contains(&Rule::TokenExpired),
        };
    }
    let Some(ring) = ring.filter(|ring| !ring.is_empty() && call.checks_signature) else {
        return Verdict::Accepts { signature_checked: false };
    };
    if unsigned {
        return Verdict::Rejects {
            reason: "the token is unsigned (`alg: none`)".to_string(),
            reported_elsewhere: unsigned_reported,
        };
    }
    signatures.entry(ring as *const KeyRing as usize).or_insert_with(|| signature_verdict(at, claims, ring)).clone()
}

/// Whether a key of `ring` verifies the token's signature.
fn signature_verdict(at: &TokenAt<'_>, claims: &Claims, ring: &KeyRing) -> Verdict {
    let reject = |reason: String| Verdict::Rejects { reason, reported_elsewhere: false };
    let alg = claims.alg.as_deref().unwrap_or("");
    let candidates: Vec<&Key> = match &claims.kid {
        Some(kid) if ring.keys.iter().any(|key| key.kid.is_some()) => ring.with_kid(kid).collect(),
        _ => ring.keys.iter().collect(),
    };
    let mut wrong_type = None;
    let mut checked = false;
    for key in candidates.iter().take(crate::verify::MAX_KEYS_PER_TOKEN) {
        match key.material.fit(alg) {
            Fit::Fits => {
                checked = true;
                if crate::verify::signature::verify(at.token, key, alg) == Ok(true) {
                    return Verdict::Accepts { signature_checked: true };
                }
            }
            Fit::WrongType(reason) => wrong_type = wrong_type.or(Some(reason)),
            Fit::Unverifiable(_) => {}
        }
    }
    match (checked, wrong_type) {
        (true, _) => reject("the signature does not verify with its key".to_string()),
        (false, Some(reason)) => reject(format!("its key cannot verify this token: {reason}")),
        (false, None) => Verdict::Accepts { signature_checked: false },
    }
}

/// The finding when every receiving verifier rejects the token (and not only for an expiry
/// `token-expired` already reports).
fn finding(at: &TokenAt<'_>, verdicts: &[(usize, Verdict)], verifiers: &[VerifierAt<'_>]) -> Option<Finding> {
    if verdicts.is_empty() || !verdicts.iter().all(|(_, verdict)| verdict.rejects()) {
        return None;
    }
    let new = verdicts.iter().any(|(_, verdict)| matches!(verdict, Verdict::Rejects { reported_elsewhere: false, .. }));
    if !new {
        return None;
    }
    let reasons: Vec<(String, &str, &VerifierAt<'_>)> = verdicts
        .iter()
        .filter_map(|(number, verdict)| match verdict {
            Verdict::Rejects { reason, .. } => {
                Some((verifiers[*number].location(), reason.as_str(), &verifiers[*number]))
            }
            Verdict::Accepts { .. } => None,
        })
        .collect();
    let message = match reasons.as_slice() {
        [(location, reason, verifier)] => {
            format!("Rejected by {location} ({}): {reason}.", verifier.call.display)
        }
        many => {
            let parts: Vec<String> = many.iter().map(|(location, reason, _)| format!("{location}: {reason}")).collect();
            format!("Rejected by all {} verifiers that receive it: {}.", many.len(), parts.join("; "))
        }
    };
    let related = reasons
        .iter()
        .map(|(_, reason, verifier)| Related {
            path: verifier.path.to_string_lossy().replace('\\', "/"),
            line: verifier.line,
            column: verifier.column,
            column_utf16: verifier.column_utf16,
            message: format!("{} rejects the token: {reason}", verifier.call.display),
        })
        .collect();
    let mut finding = Finding::new(Rule::TokenRejectedByVerifier, at.token.span.clone(), message);
    finding.related = related;
    Some(finding)
}

/// How many of the tokens each verifier accepts: (accepted, received) per verifier index.
pub fn acceptance(judgements: &[Judgement], verifier_count: usize) -> Vec<(usize, usize)> {
    let mut out = vec![(0, 0); verifier_count];
    for judgement in judgements {
        for (number, verdict) in &judgement.verdicts {
            out[*number].1 += 1;
            if !verdict.rejects() {
                out[*number].0 += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn token(payload: &str) -> Token {
        let segment = |json: &str| URL_SAFE_NO_PAD.encode(json);
        let compact = format!("{}.{}.c2lnbmF0dXJl", segment(r#"{"alg":"HS256"}"#), segment(payload));
        crate::jwt::decode::decode(&compact).expect("a token")
    }

    fn call(audiences: Expected, leeway: f64) -> VerifierCall {
        VerifierCall {
            range: 0..1,
            library: "jsonwebtoken",
            display: "`jwt.verify`",
            algorithms: Some(vec!["HS256".into()]),
            issuers: Expected::Unknown,
            audiences,
            leeway,
            checks_expiry: true,
            checks_signature: true,
            key: KeySource::Unknown,
            literal_secrets: Vec::new(),
        }
    }

    fn verifier<'a>(path: &'a str, call: &'a VerifierCall) -> VerifierAt<'a> {
        VerifierAt { path: Path::new(path), line: 4, column: 0, column_utf16: 0, call, keys: Keys::Unresolved }
    }

    #[test]
    fn unknown_expectations_and_unresolved_keys_accept_without_guessing() {
        let files = ["a/package.json", "a/auth.js", "a/tokens.txt"].map(Path::new);
        let services = Services::from_files(files);
        let unknown = call(Expected::Unknown, 0.0);
        let good = token(r#"{"aud":"x","exp":2000}"#);
        let tokens = [TokenAt { path: Path::new("a/tokens.txt"), token: &good, reported: &[] }];
        let judged = judge(&tokens, &[verifier("a/auth.js", &unknown)], &services, 1000);
        assert_eq!(judged[0].verdicts, vec![(0, Verdict::Accepts { signature_checked: false })]);
        assert!(judged[0].finding.is_none());
    }

    #[test]
    fn an_expiry_token_expired_reports_is_not_reported_again_and_leeway_counts() {
        let services = Services::from_files(["svc/go.mod"].map(Path::new));
        let strict = call(Expected::NotChecked, 30.0);
        let expired = token(r#"{"exp":900}"#);
        let at = |reported: bool| TokenAt {
            path: Path::new("svc/t.txt"),
            token: &expired,
            reported: if reported { &[Rule::TokenExpired] } else { &[] },
        };
        let verifiers = [verifier("svc/auth.go", &strict)];
        // 100 s past `exp`, 30 s of leeway: rejected.
        let fresh = judge(&[at(false)], &verifiers, &services, 1000);
        let finding = fresh[0].finding.as_ref().expect("rejected");
        assert!(finding.message.contains("svc/auth.go:5"), "{}", finding.message);
        assert!(finding.message.contains("beyond its leeway of 30 s"), "{}", finding.message);
        assert_eq!(finding.related[0].line, 4);
        // `token-expired` says it already: one problem, one finding (the verdict stays).
        let reported = judge(&[at(true)], &verifiers, &services, 1000);
        assert!(reported[0].finding.is_none());
        assert!(reported[0].verdicts[0].1.rejects());
        // 20 s past `exp`: within the verifier's leeway.
        assert!(
            judge(&[at(false)], &verifiers, &services, 920)[0].verdicts[0].1
                == Verdict::Accepts { signature_checked: false }
        );
    }

    #[test]
    fn other_services_verifiers_receive_a_token_only_when_they_name_its_audience() {
        let services = Services::from_files(["orders/package.json", "billing/go.mod"].map(Path::new));
        let billing = call(Expected::AnyOf(vec!["billing-api".into()]), 0.0);
        let for_billing = token(r#"{"aud":"billing-api"}"#);
        let for_inventory = token(r#"{"aud":"inventory-api"}"#);
        let tokens = [
            TokenAt { path: Path::new("orders/a.txt"), token: &for_billing, reported: &[] },
            TokenAt { path: Path::new("orders/b.txt"), token: &for_inventory, reported: &[] },
        ];
        let judged = judge(&tokens, &[verifier("billing/auth.go", &billing)], &services, 0);
        assert_eq!(judged[0].verdicts.len(), 1, "named by its audience");
        assert!(judged[1].verdicts.is_empty(), "another service's verifier that does not name it");
        assert!(judged[1].finding.is_none());
    }
}
