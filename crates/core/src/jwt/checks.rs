//! The token rules: what is wrong with one decoded token, at a given moment.

use serde_json::Value;

use super::decode::{Field, Form, KEY_PARAMETERS, Payload, Token};
use super::time::{LongDuration, UnixSeconds, Utc};
use crate::finding::Finding;
use crate::rules::Rule;

/// The clock the time rules compare against: a pinned or real "now" and the accepted skew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub now: UnixSeconds,
    pub leeway: u64,
}

/// NumericDates above this are almost certainly milliseconds (this is the year 5138 in seconds).
const MILLISECONDS_THRESHOLD: f64 = 1e11;

pub fn check_token(token: &Token, clock: Clock) -> Vec<Finding> {
    let mut findings = Vec::new();
    check_token_into(token, clock, &mut findings);
    findings
}

/// [`check_token`], adding to `findings`.
pub fn check_token_into(token: &Token, clock: Clock, findings: &mut Vec<Finding>) {
    let span = token.span.clone();

    if token.is_damaged() {
        findings.push(Finding::new(Rule::TokenMalformed, span.clone(), malformed_message(token)));
    }
    if let Some(message) = alg_none_message(token) {
        findings.push(Finding::new(Rule::TokenAlgNone, span.clone(), message));
    }
    if token.header.names_its_key() {
        let key_headers: Vec<&str> =
            KEY_PARAMETERS.into_iter().filter(|name| token.header.contains_key(*name)).collect();
        findings.push(Finding::new(Rule::TokenHeaderKey, span.clone(), header_key_message(token, &key_headers)));
    }
    if token.form == Form::Jwe {
        return;
    }
    let Payload::Claims(claims) = &token.payload else { return };
    let claims = claims.registered();

    let mut invalid = Vec::new();
    let exp = numeric_date(&claims.exp, "exp", &mut invalid);
    let nbf = numeric_date(&claims.nbf, "nbf", &mut invalid);
    let iat = numeric_date(&claims.iat, "iat", &mut invalid);
    if let (Some(nbf), Some(exp)) = (nbf, exp)
        && nbf > exp
    {
        invalid.push(format!("`nbf` ({}) is after `exp` ({}): the token can never be valid", Utc(nbf), Utc(exp)));
    }
    if let (Some(iat), Some(exp)) = (iat, exp)
        && iat > exp
    {
        invalid.push(format!("`iat` ({}) is after `exp` ({}): it expired before it was issued", Utc(iat), Utc(exp)));
    }
    if claims.aud != Field::Missing {
        let valid = match &claims.aud {
            Field::String(_) => true,
            Field::Other(value) => value.as_array().is_some_and(|items| items.iter().all(Value::is_string)),
            _ => false,
        };
        if !valid {
            invalid.push(
                "`aud` must be a string or an array of strings (RFC 7519 §4.1.3); verifiers will reject or mis-read it"
                    .to_string(),
            );
        }
    }
    if !invalid.is_empty() {
        findings.push(Finding::new(
            Rule::TokenInvalidClaims,
            span.clone(),
            format!("Invalid claims: {}.", invalid.join("; ")),
        ));
    }

    let leeway = clock.leeway as i64;
    let leeway_note = if clock.leeway > 0 { format!(" (leeway {} s)", clock.leeway) } else { String::new() };
    match exp {
        None if claims.exp == Field::Missing => findings.push(Finding::new(
            Rule::TokenNoExpiry,
            span.clone(),
            "Token has no `exp` claim: it never expires, so a leaked copy stays valid forever.",
        )),
        Some(exp) if exp < clock.now.saturating_sub(leeway) => findings.push(Finding::new(
            Rule::TokenExpired,
            span.clone(),
            format!(
                "Token expired {} ago, {}{leeway_note}. Verifiers reject it: jsonwebtoken `jwt expired` (TokenExpiredError), PyJWT `Signature has expired`, golang-jwt `token is expired`.",
                LongDuration(clock.now - exp),
                Utc(exp)
            ),
        )),
        _ => {}
    }
    if let Some(nbf) = nbf
        && nbf > clock.now.saturating_add(leeway)
    {
        findings.push(Finding::new(
            Rule::TokenNotYetValid,
            span.clone(),
            format!(
                "Token is not valid yet: `nbf` is {}, in {}{leeway_note}. Verifiers reject it until then: jsonwebtoken `jwt not active`, PyJWT `The token is not yet valid (nbf)`, golang-jwt `token is not valid yet`.",
                Utc(nbf),
                LongDuration(nbf - clock.now)
            ),
        ));
    }
    if let Some(iat) = iat
        && iat > clock.now.saturating_add(leeway)
    {
        findings.push(Finding::new(
            Rule::TokenIssuedInFuture,
            span,
            format!(
                "Token was issued in the future: `iat` is {}, {} from now{leeway_note}. The issuer's clock is ahead of this one (clock skew); PyJWT rejects it with `The token is not yet valid (iat)`. Sync the clocks (NTP) or allow a small leeway.",
                Utc(iat),
                LongDuration(iat - clock.now)
            ),
        ));
    }
}

/// A NumericDate claim as whole seconds, or `None` (recording why) when it is absent or invalid.
fn numeric_date(field: &Field, name: &str, invalid: &mut Vec<String>) -> Option<UnixSeconds> {
    match field {
        Field::Missing => None,
        Field::Number(number) => {
            let value = number.as_f64()?;
            if value.abs() >= MILLISECONDS_THRESHOLD {
                invalid.push(format!(
                    "`{name}` is {number}, which looks like milliseconds; NumericDate is seconds since 1970 (divide by 1000)"
                ));
                None
            } else {
                Some(value.floor() as i64)
            }
        }
        Field::String(text) => {
            let hint = if text.trim().parse::<f64>().is_ok() { " (remove the quotes)" } else { "" };
            invalid
                .push(format!("`{name}` is a string ({text:?}); NumericDate must be a JSON number of seconds{hint}"));
            None
        }
        Field::Other(other) => {
            invalid.push(format!("`{name}` is {other}; NumericDate must be a JSON number of seconds"));
            None
        }
    }
}

fn malformed_message(token: &Token) -> String {
    let mut causes: Vec<String> = token.repairs.iter().map(|repair| repair.problem()).collect();
    causes.extend(token.problems.iter().cloned());
    let verdict = if token.problems.is_empty() {
        "Verifiers reject it as is (jsonwebtoken `jwt malformed`/`invalid token`, PyJWT `Invalid crypto padding`/`Not enough segments`, golang-jwt `token is malformed`)."
    } else {
        "Verifiers reject it (jsonwebtoken `jwt malformed`, PyJWT `DecodeError`, golang-jwt `token is malformed`)."
    };
    let clauses: Vec<String> = causes
        .iter()
        .map(|cause| if cause.starts_with("the ") { cause.clone() } else { format!("it {cause}") })
        .collect();
    let message = format!("Malformed token: {}", clauses.join("; "));
    format!("{message}. {verdict}")
}

fn alg_none_message(token: &Token) -> Option<String> {
    if token.form != Form::Jws {
        return None;
    }
    let alg = token.alg()?;
    // Decoded bytes imply a signature segment; only without them is the text read (it is cold
    // by now: reading its last byte for every token of a log was most of this function's time).
    let has_signature = token.segment_count == 3 && (!token.signature.is_empty() || !token.compact.ends_with('.'));
    if alg.eq_ignore_ascii_case("none") {
        let variant = if alg != "none" {
            format!(" `{alg}` is a case variant of `none` used to slip past case-sensitive blocklists.")
        } else {
            String::new()
        };
        let signature =
            if has_signature { " It also carries a signature, which `none` forbids (RFC 7518 §3.6)." } else { "" };
        return Some(format!(
            "Unsecured token: `alg` is `{alg}`, so nothing protects its claims and anyone can forge it. Verifiers must reject it.{variant}{signature}"
        ));
    }
    if token.segment_count == 3 && !has_signature {
        return Some(format!(
            "The signature is empty but `alg` is `{alg}`: the signature was stripped (an alg-none style forgery) or cut off. Verifiers must reject it."
        ));
    }
    None
}

fn header_key_message(token: &Token, names: &[&str]) -> String {
    let mut parts = Vec::new();
    for name in names {
        match *name {
            "jwk" => parts.push(
                "`jwk` embeds a public key: a verifier that trusts it accepts any token signed by the key it carries (CVE-2018-0114)".to_string(),
            ),
            other => {
                let url = token.header.get(other).and_then(Value::as_str).unwrap_or("?");
                let insecure = if url.starts_with("http://") { " over plain HTTP" } else { "" };
                parts.push(format!(
                    "`{other}` points verifiers at a key URL chosen by the token ({url}{insecure}): following it lets an attacker supply the key (SSRF, key injection)"
                ));
            }
        }
    }
    format!(
        "Header names its own key: {}. Configure keys on the verifier; never trust these headers.",
        parts.join("; ")
    )
}
