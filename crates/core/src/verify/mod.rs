//! Verifying a token against real keys, as a five-step checklist that finds the cause of an
//! `invalid signature` fast: ① decode, ② `alg` against the allow-list, ③ `kid` against the keys
//! and JWKS, ④ `iss`/`aud`, ⑤ `exp`/`nbf` with leeway — then the signature.
//!
//! The signature verdict is one per token, the most specific cause first: key confusion (an
//! HS* token whose key is a public key), a weak or default secret, an unknown `kid`, then an
//! invalid signature. Signatures are checked by the `jsonwebtoken` crate; decoding stays ours.
//!
//! Pure: keys, the parsed wordlist and the JWKS source come in from the front end (`Sources`,
//! `RemoteKeys`); nothing here reads a file, the environment or the network. Two parts can be
//! slow, and `Mode::Deferred` (the editor) hands them back for a background task: searching a
//! large wordlist, and asking `RemoteKeys` to re-fetch a JWKS for an unknown `kid`.

pub mod checklist;
mod pads;
pub mod signature;
pub mod weak;

use std::sync::Arc;

use serde_json::Value;

use crate::finding::Finding;
use crate::jwt::Token;
use crate::jwt::checks::Clock;
use crate::jwt::decode::{Form, Payload};
use crate::jwt::time::{format_utc, long_duration};
use crate::keys::{Fit, Key, KeyRing, Lookup, Origin};
use crate::rules::Rule;
pub use checklist::{Examination, Mark, Step, Verdict};
use weak::{Budget, Candidates, HmacTarget, Search, Wordlist};

/// The weak-secret search of one document: its candidates (extracted once) and what is left of
/// its HMAC budget.
#[derive(Debug, Clone, Copy)]
pub struct WeakSearch<'a> {
    pub candidates: &'a Candidates,
    pub budget: &'a Budget,
}

impl WeakSearch<'_> {
    /// The document's search for `token` (see [`Candidates::search_signed`]).
    pub fn run(&self, token: &Token, target: &HmacTarget<'_>) -> Search {
        self.candidates.search_signed(target, signer(token), self.budget)
    }
}

/// The token's signer as far as its text tells: `alg`, the `iss` claim and the `kid` header.
/// `None` without a string `iss`: then nothing ties two tokens to one key.
pub fn signer(token: &Token) -> Option<weak::Signer<'_>> {
    let Payload::Claims(claims) = &token.payload else { return None };
    let crate::jwt::decode::Field::String(issuer) = &claims.registered().iss else { return None };
    let key_id = token.header.get("kid").and_then(Value::as_str).unwrap_or("");
    Some(weak::Signer { alg: token.alg()?, issuer, key_id })
}

/// Where the weak-secret step of a checklist gets its outcome.
#[derive(Debug, Clone, Copy)]
pub enum Weak<'a> {
    /// `token-weak-secret` is off: no candidate, no HMAC.
    Off,
    /// Search the document's candidates now, within its budget.
    Search(WeakSearch<'a>),
    /// The outcome of the search the analysis ran for the same token (rendering a hover).
    Known { outcome: &'a Search, truncated: bool },
}

/// The HMAC target of a token whose checklist reaches the weak-secret step with no keys known:
/// a signable HS* JWS with a signature of its algorithm's length.
pub fn weak_target(token: &Token) -> Option<HmacTarget<'_>> {
    let alg = token.alg()?;
    if token.form == Form::Jwe || alg.eq_ignore_ascii_case("none") || !signable(token) || token.signature.is_empty() {
        return None;
    }
    HmacTarget::new(alg, token.signing_input()?.as_bytes(), &token.signature)
}

/// A payload that is JSON but not an object, or not JSON at all, is a JWS that is not a JWT: its
/// signature can still be checked. Broken segments cannot.
fn signable(token: &Token) -> bool {
    token.segment_count == 3
        && token.alg().is_some()
        && matches!(token.payload, Payload::Claims(_) | Payload::NotObject(_) | Payload::NotJson { .. })
        && !token.problems.iter().any(|problem| problem.contains("signature") || problem.contains("segment"))
}

/// The `token-weak-secret` finding for `token`, verified with `found`.
pub fn weak_secret_finding(token: &Token, found: &weak::WeakSecret, line_of: &dyn Fn(usize) -> usize) -> Finding {
    let alg = token.alg().unwrap_or("");
    Finding::new(
        Rule::TokenWeakSecret,
        token.span.clone(),
        format!(
            "Weak secret: this {alg} token verifies with {}. Anyone can forge tokens with it. Rotate to a random secret of at least {} bytes from a secret store (RFC 7518 §3.2).",
            found.describe(line_of),
            hmac_key_bytes(alg)
        ),
    )
}

/// What a verifier expects: empty lists mean "not configured" (that step is skipped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectations {
    pub algorithms: Vec<String>,
    pub issuers: Vec<String>,
    pub audiences: Vec<String>,
}

/// Whether slow work runs now (CLI) or is handed back for a background task (editor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Inline,
    Deferred,
}

/// Slow work an examination in `Mode::Deferred` left undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deferred {
    /// Search the wordlist for this token (its repaired compact form).
    Wordlist { compact: String },
    /// Re-fetch this JWKS because of this unknown `kid`.
    RefreshJwks { url: String, kid: String },
}

/// JWKS keys from outside the analysis. The front end implements it (its HTTPS cache, in the
/// `jwt-lsp` crate), so the analysis names no HTTP client and opens no connection. The
/// verifier calls `keys` and `refresh_for_kid` only in `Mode::Inline` and from `run_deferred`;
/// an examination in `Mode::Deferred` reads `cached` and hands re-fetches back as `Deferred`.
pub trait RemoteKeys: Send + Sync + std::fmt::Debug {
    /// The keys of `url`: cached while fresh, otherwise fetched now.
    fn keys(&self, url: &str) -> Lookup;
    /// What is cached for `url`, without any I/O; `None` when it was never fetched.
    fn cached(&self, url: &str) -> Option<Lookup>;
    /// Re-fetches `url` because a token's `kid` is not among its keys (the implementation
    /// rate-limits this and then answers from the cache with a note).
    fn refresh_for_kid(&self, url: &str, kid: &str) -> Lookup;
}

/// Everything needed to examine tokens: expectations, keys, and the optional slow sources.
#[derive(Debug, Clone, Default)]
pub struct Verifier {
    pub expectations: Expectations,
    /// Configured, environment and discovered keys.
    pub keys: KeyRing,
    /// `jwksUrls`; only consulted when `remote` is set (network allowed).
    pub jwks_urls: Vec<String>,
    pub remote: Option<Arc<dyn RemoteKeys>>,
    pub wordlist: Option<Arc<Wordlist>>,
    pub mode: Mode,
}

/// The rules the checklist can produce: when all are off, no token is examined.
pub const RULES: &[Rule] = &[
    Rule::TokenSignatureInvalid,
    Rule::TokenKidUnknown,
    Rule::TokenAlgNotAllowed,
    Rule::TokenKeyConfusion,
    Rule::TokenWeakSecret,
    Rule::TokenIssuerMismatch,
    Rule::TokenAudienceMismatch,
];

/// At most this many keys are tried per token. A signature check costs up to ~0.1 ms (RSA), so a
/// project listing thousands of keys would otherwise cost seconds per token.
pub const MAX_KEYS_PER_TOKEN: usize = 64;
/// Public keys whose texts are tried as HMAC secrets per token (key confusion): HMACs are cheap.
const MAX_CONFUSION_KEYS: usize = 4 * MAX_KEYS_PER_TOKEN;

const LIBRARY_ERRORS: &str = "jsonwebtoken: `invalid signature`; PyJWT: `Signature verification failed`; golang-jwt: `token signature is invalid`";

impl Verifier {
    /// Runs the checklist for one token. `literals` are the file's strings (weak-secret
    /// candidates); `line_of` maps a byte offset of the file to its 0-based line. A document's
    /// analysis uses [`Verifier::examine_with`], with candidates extracted once per document.
    pub fn examine(
        &self,
        token: &Token,
        literals: &[(usize, String)],
        clock: Clock,
        line_of: &dyn Fn(usize) -> usize,
    ) -> Examination {
        let candidates = Candidates::from_literals(literals.to_vec());
        let budget = Budget::unlimited();
        self.examine_with(token, Weak::Search(WeakSearch { candidates: &candidates, budget: &budget }), clock, line_of)
    }

    /// Whether the checklist can find nothing but weak secrets: no keys, JWKS, expectations or
    /// wordlist are configured. Then an analysis runs only the weak-secret search per token and
    /// renders checklists on demand.
    pub fn only_weak_secrets(&self) -> bool {
        self.keys.keys.is_empty()
            && self.jwks_urls.is_empty()
            && self.remote.is_none()
            && self.wordlist.is_none()
            && self.expectations == Expectations::default()
    }

    /// [`Verifier::examine`] with the document's weak-secret search (or its known outcome, or
    /// none when the rule is off).
    pub fn examine_with(
        &self,
        token: &Token,
        weak: Weak<'_>,
        clock: Clock,
        line_of: &dyn Fn(usize) -> usize,
    ) -> Examination {
        let mut exam = Examination::default();
        let alg = token.alg().unwrap_or("");

        // ① decode
        let decoded_ok = token.problems.is_empty() && token.alg().is_some();
        let decode_text = if !decoded_ok {
            format!("damaged: {}", token.problems.first().cloned().unwrap_or_else(|| "no `alg`".to_string()))
        } else if token.form == Form::Jwe {
            "JWE header decodes; the payload is encrypted".to_string()
        } else if !token.repairs.is_empty() {
            let actions: Vec<&str> = token.repairs.iter().map(|repair| repair.action()).collect();
            format!("decodes after repair ({})", actions.join("; "))
        } else {
            "header and payload decode".to_string()
        };
        exam.push(1, "decode", if decoded_ok { Mark::Pass } else { Mark::Fail }, decode_text);

        // ② alg
        let is_none = alg.eq_ignore_ascii_case("none");
        let allowed = &self.expectations.algorithms;
        if is_none {
            exam.push(2, "alg", Mark::Fail, format!("`{alg}`: unsecured, verifiers must reject it"));
        } else if allowed.is_empty() {
            exam.push(2, "alg", Mark::Skip, format!("`{alg}`; no allow-list configured (setting `algorithms`)"));
        } else if allowed.iter().any(|allowed| allowed == alg) {
            exam.push(2, "alg", Mark::Pass, format!("`{alg}` ∈ [{}]", allowed.join(", ")));
        } else {
            let message = format!("`{alg}` ∉ [{}]", allowed.join(", "));
            exam.push(2, "alg", Mark::Fail, message.clone());
            exam.findings.push(Finding::new(
                Rule::TokenAlgNotAllowed,
                token.span.clone(),
                format!(
                    "Algorithm {message}: verifiers with this allow-list reject it (jsonwebtoken `invalid algorithm`, PyJWT `The specified alg value is not allowed`, golang-jwt `signing method {alg} is invalid`). Sign with an allowed algorithm, or add `{alg}` to `algorithms` if it is expected."
                ),
            ));
        }

        if token.form == Form::Jwe {
            exam.push(3, "kid", Mark::Skip, "JWE: jwt-lsp verifies JWS signatures only".to_string());
            exam.push(4, "iss/aud", Mark::Skip, "the claims are encrypted".to_string());
            exam.push(5, "exp/nbf", Mark::Skip, "the claims are encrypted".to_string());
            exam.signature(Mark::Skip, "JWE: not a signature".to_string(), Verdict::NotChecked);
            return exam;
        }

        // ③ kid, resolved together with the signature below; ④ and ⑤ first need the claims.
        let claims = token.claims();
        self.check_issuer_audience(token, claims, &mut exam);
        check_times(claims, clock, &mut exam);

        let signable = signable(token);
        if is_none || !signable || token.signature.is_empty() {
            let why = if is_none {
                "no signature (`alg: none`)"
            } else if !signable {
                "not checked: the token is damaged"
            } else {
                "no signature segment"
            };
            exam.insert_kid_step(
                Mark::Skip,
                kid_of(token).map_or("no `kid`".to_string(), |kid| format!("`{kid}`; not checked")),
            );
            exam.signature(Mark::Skip, why.to_string(), Verdict::NotChecked);
            return exam;
        }
        self.check_signature(token, alg, weak, line_of, &mut exam);
        exam
    }

    fn check_issuer_audience(
        &self,
        token: &Token,
        claims: Option<&serde_json::Map<String, Value>>,
        exam: &mut Examination,
    ) {
        let issuers = &self.expectations.issuers;
        let audiences = &self.expectations.audiences;
        if issuers.is_empty() && audiences.is_empty() {
            exam.push(
                4,
                "iss/aud",
                Mark::Skip,
                "no expected issuer or audience configured (settings `issuers`, `audiences`)".to_string(),
            );
            return;
        }
        let Some(claims) = claims else {
            exam.push(4, "iss/aud", Mark::Fail, "the payload is not a JSON object, so it has no claims".to_string());
            return;
        };
        let mut parts = Vec::new();
        let mut failed = false;
        if !issuers.is_empty() {
            let expected = quoted_list(issuers);
            match claims.get("iss") {
                Some(Value::String(iss)) if issuers.contains(iss) => parts.push(format!("iss `{iss}` ✓")),
                other => {
                    failed = true;
                    let got = match other {
                        None => "the token has no `iss`".to_string(),
                        Some(Value::String(iss)) => format!("`iss` is `{iss}`"),
                        Some(value) => format!("`iss` is {value}, not a string"),
                    };
                    let near = match other {
                        Some(Value::String(iss)) => near_miss(iss, issuers),
                        _ => String::new(),
                    };
                    parts.push(format!("{got}, expected {expected} ✗"));
                    exam.findings.push(Finding::new(
                        Rule::TokenIssuerMismatch,
                        token.span.clone(),
                        format!(
                            "Issuer mismatch: {got}, expected {expected}{near}. Verifiers reject it (jsonwebtoken `jwt issuer invalid`, PyJWT `Invalid issuer`, golang-jwt `token has invalid issuer`)."
                        ),
                    ));
                }
            }
        }
        if !audiences.is_empty() {
            let expected = quoted_list(audiences);
            let token_audiences: Option<Vec<&str>> = match claims.get("aud") {
                Some(Value::String(aud)) => Some(vec![aud.as_str()]),
                Some(Value::Array(items)) => Some(items.iter().filter_map(Value::as_str).collect()),
                _ => None,
            };
            match token_audiences {
                Some(list) if list.iter().any(|aud| audiences.iter().any(|expected| expected == aud)) => parts.push(
                    format!("aud {} ✓", list.iter().map(|aud| format!("`{aud}`")).collect::<Vec<_>>().join(", ")),
                ),
                other => {
                    failed = true;
                    let got = match other {
                        None if claims.contains_key("aud") => {
                            "`aud` is not a string or an array of strings".to_string()
                        }
                        None => "the token has no `aud`".to_string(),
                        Some(list) => format!(
                            "`aud` is {}",
                            list.iter().map(|aud| format!("`{aud}`")).collect::<Vec<_>>().join(", ")
                        ),
                    };
                    parts.push(format!("{got}, expected {expected} ✗"));
                    exam.findings.push(Finding::new(
                        Rule::TokenAudienceMismatch,
                        token.span.clone(),
                        format!(
                            "Audience mismatch: {got}, expected {expected}. Verifiers reject it (jsonwebtoken `jwt audience invalid`, PyJWT `Audience doesn't match` / `Invalid audience`, golang-jwt `token has invalid audience`): the token was issued for another API."
                        ),
                    ));
                }
            }
        }
        exam.push(4, "iss/aud", if failed { Mark::Fail } else { Mark::Pass }, parts.join(" · "));
    }

    fn check_signature(
        &self,
        token: &Token,
        alg: &str,
        weak_input: Weak<'_>,
        line_of: &dyn Fn(usize) -> usize,
        exam: &mut Examination,
    ) {
        let kid = kid_of(token);
        let (remote_keys, remote_notes) = self.remote_keys(kid, &mut exam.deferred);
        let all_keys: Vec<&Key> = self.keys.keys.iter().chain(remote_keys.iter()).collect();
        let by_kid: Vec<&Key> = match kid {
            Some(kid) => all_keys.iter().copied().filter(|key| key.kid.as_deref() == Some(kid)).collect(),
            None => Vec::new(),
        };
        let kid_sources = kid_sources(&all_keys);

        let is_hmac = alg.starts_with("HS");
        let hmac_target =
            token.signing_input().and_then(|input| HmacTarget::new(alg, input.as_bytes(), &token.signature));

        // Key confusion (a): an HS* token whose kid names a public key.
        if is_hmac && let Some(public) = by_kid.iter().find(|key| key.material.is_public()) {
            let verifies = hmac_target.as_ref().and_then(|target| confusion_text(target, public));
            exam.insert_kid_step(
                Mark::Fail,
                format!("`{}` is {}, a public key, but `alg` is `{alg}`", kid.unwrap_or_default(), public.describe()),
            );
            let proof = match verifies {
                Some(form) => {
                    format!(" and the token verifies with that key's {form} as the HMAC secret: it is forged")
                }
                None => String::new(),
            };
            let message = format!(
                "Key confusion: `kid` `{}` resolves to {}, but the token says `{alg}`{proof}. A verifier that takes the algorithm from the token would use the public key as an HMAC secret, so anyone can mint tokens (CVE-2015-9235, CVE-2016-10555, CVE-2022-29217 class). Pin the algorithms per key on the verifier.",
                kid.unwrap_or_default(),
                public.describe()
            );
            exam.signature(Mark::Fail, format!("{alg} token, {} key", public.material.kind()), Verdict::KeyConfusion);
            exam.findings.push(Finding::new(Rule::TokenKeyConfusion, token.span.clone(), message));
            return;
        }

        if let Some(target) = &hmac_target {
            // Key confusion (b): the token verifies with a public key's text as the HMAC secret.
            let public_keys = all_keys.iter().filter(|key| key.material.is_public()).count();
            if public_keys > MAX_CONFUSION_KEYS {
                exam.notes.push(format!(
                    "key confusion checked against the first {MAX_CONFUSION_KEYS} of {public_keys} public keys (the per-token cap)"
                ));
            }
            for key in all_keys.iter().filter(|key| key.material.is_public()).take(MAX_CONFUSION_KEYS) {
                if let Some(form) = confusion_text(target, key) {
                    exam.insert_kid_step(Mark::Skip, kid.map_or("no `kid`".to_string(), |kid| format!("`{kid}`")));
                    exam.signature(
                        Mark::Fail,
                        format!("verifies with the {form} of {} as HMAC secret", key.describe()),
                        Verdict::KeyConfusion,
                    );
                    exam.findings.push(Finding::new(
                        Rule::TokenKeyConfusion,
                        token.span.clone(),
                        format!(
                            "Key confusion: this {alg} token verifies when the {form} of the public key {} is used as the HMAC secret — the HS/RS algorithm-confusion forgery (CVE-2015-9235 class). Anyone with the public key can mint tokens a confused verifier accepts. Pin `algorithms` on the verifier and never pass a public key to an HMAC check.",
                            key.describe()
                        ),
                    ));
                    return;
                }
            }
            // Weak secrets: built-in list, empty string, literals in this file, then the wordlist.
            let (outcome, truncated) = match weak_input {
                Weak::Off => (None, false),
                Weak::Search(search) => (Some(search.run(token, target)), search.candidates.truncated),
                Weak::Known { outcome, truncated } => (Some(outcome.clone()), truncated),
            };
            let mut weak = None;
            let mut searched = false;
            match outcome {
                Some(Search::Found(found)) => weak = Some(found),
                Some(Search::NotFound) => searched = true,
                Some(Search::OverBudget) => exam.notes.push(format!(
                    "weak secrets not searched: this document's budget of {} HMAC attempts is spent",
                    weak::MAX_HMAC_ATTEMPTS_PER_DOCUMENT
                )),
                Some(Search::SignerSearched) => exam.notes.push(format!(
                    "weak secrets not searched: {} tokens of this document with the same issuer, key id and algorithm were searched without a match (one signer, one key)",
                    weak::SEARCHES_PER_SIGNER
                )),
                None => {}
            }
            if searched && truncated {
                exam.notes.push(format!(
                    "weak secrets: only the first {} distinct strings of this file were tried",
                    weak::MAX_CANDIDATES
                ));
            }
            if searched
                && let Some(list) = &self.wordlist
                && !list.covers(target)
            {
                exam.notes.push(format!(
                    "the wordlist {} was not searched: this token's signed part ({} bytes) is too long for a search of {} keys",
                    list.path.display(),
                    target.signing_input.len(),
                    list.entries.len()
                ));
            } else if searched && let Some(list) = &self.wordlist {
                weak = match self.mode {
                    Mode::Inline => weak::wordlist_verdict(list, target),
                    Mode::Deferred => match weak::cached_wordlist_verdict(list, target) {
                        Some(verdict) => verdict,
                        None => {
                            exam.deferred.push(Deferred::Wordlist { compact: token.compact.clone() });
                            exam.notes.push(format!(
                                "the wordlist {} is being searched in the background",
                                list.path.display()
                            ));
                            None
                        }
                    },
                };
            }
            if let Some(found) = weak {
                let described = found.describe(line_of);
                exam.insert_kid_step(Mark::Skip, kid.map_or("no `kid`".to_string(), |kid| format!("`{kid}`")));
                exam.signature(Mark::Fail, format!("verifies with the weak secret {described}"), Verdict::WeakSecret);
                exam.findings.push(weak_secret_finding(token, &found, line_of));
                return;
            }
        }

        // ③ kid and the candidate keys.
        let mut trusted = true;
        let candidates: Vec<&Key> = match kid {
            Some(kid) if !by_kid.is_empty() => {
                let described: Vec<String> = by_kid.iter().map(|key| key.source.describe()).collect();
                exam.insert_kid_step(Mark::Pass, format!("`{kid}` found in {}", dedupe(described).join(", ")));
                by_kid
            }
            Some(kid) if !kid_sources.is_empty() => {
                let sources = kid_sources.join(", ");
                let notes =
                    if remote_notes.is_empty() { String::new() } else { format!(" ({})", remote_notes.join("; ")) };
                exam.insert_kid_step(
                    Mark::Fail,
                    format!("`{kid}` not in {sources} (rotated? refresh the JWKS){notes}"),
                );
                exam.signature(Mark::Fail, format!("no key with kid `{kid}`"), Verdict::KidUnknown);
                let refresh = if self.jwks_urls.is_empty() {
                    "update the key files".to_string()
                } else if self.remote.is_some() {
                    "run the command `jwt-lsp.refreshJwks` to re-fetch the JWKS".to_string()
                } else {
                    "enable `allowNetwork` so jwt-lsp can fetch the configured `jwksUrls`".to_string()
                };
                exam.findings.push(Finding::new(
                    Rule::TokenKidUnknown,
                    token.span.clone(),
                    format!(
                        "Unknown key id: `kid` `{kid}` matches no key in {sources}. After a key rotation, verifiers with a cached JWKS fail on it (jwks-rsa `SigningKeyNotFoundError`, PyJWT `Unable to find a signing key that matches`, then {LIBRARY_ERRORS}): refresh the JWKS — {refresh} — or check that the token comes from the expected issuer."
                    ),
                ));
                return;
            }
            _ => {
                let fitting: Vec<&Key> = all_keys
                    .iter()
                    .copied()
                    .filter(|key| !matches!(key.material.fit(alg), Fit::WrongType(_)))
                    .collect();
                trusted = fitting.iter().any(|key| key.source.origin != Origin::Discovered);
                let what = match kid {
                    Some(kid) if all_keys.is_empty() => format!("`{kid}`; no keys known"),
                    Some(kid) => format!("`{kid}`; the known keys carry no `kid`"),
                    None => "no `kid`".to_string(),
                };
                if fitting.is_empty() {
                    exam.insert_kid_step(Mark::Skip, what);
                } else {
                    exam.insert_kid_step(
                        Mark::Pass,
                        format!("{what}; {} candidate key{} for `{alg}`", fitting.len(), plural(fitting.len())),
                    );
                }
                // Every fitting key is tried; a failure is reported only if a configured key was
                // among them (discovered keys count only through a `kid`).
                fitting
            }
        };

        if candidates.is_empty() {
            let reason = if all_keys.is_empty() && !remote_notes.is_empty() {
                // The JWKS URLs are configured: say why they gave nothing, not that none are set.
                format!("not verified: no keys: {}", remote_notes.join("; "))
            } else if all_keys.is_empty() {
                "not verified: no keys configured or found (settings `keys`, `jwksUrls`, `secretEnv`)".to_string()
            } else {
                format!("not verified: none of the {} known key{} fits `{alg}`", all_keys.len(), plural(all_keys.len()))
            };
            exam.signature(Mark::Skip, reason, Verdict::NotChecked);
            return;
        }

        let mut tried = Vec::new();
        let mut mismatches = Vec::new();
        let mut unverifiable = Vec::new();
        let capped = (candidates.len() > MAX_KEYS_PER_TOKEN).then(|| {
            format!(
                "only the first {MAX_KEYS_PER_TOKEN} of {} candidate keys were tried (the per-token cap; a `kid` in the token or fewer configured keys avoids it)",
                candidates.len()
            )
        });
        if let Some(note) = &capped {
            exam.notes.push(note.clone());
        }
        for key in candidates.iter().take(MAX_KEYS_PER_TOKEN) {
            if let Some(conflict) = key.metadata_conflict(alg) {
                mismatches.push(format!("{}: {conflict}", key.describe()));
                continue;
            }
            match key.material.fit(alg) {
                Fit::Fits => match signature::verify(token, key, alg) {
                    Ok(true) => {
                        exam.signature(Mark::Pass, format!("verified with {}", key.describe()), Verdict::Verified);
                        return;
                    }
                    Ok(false) => tried.push(key.describe()),
                    Err(reason) => mismatches.push(format!("{}: {reason}", key.describe())),
                },
                Fit::WrongType(reason) => mismatches.push(format!("{}: {reason}", key.describe())),
                Fit::Unverifiable(reason) => unverifiable.push(reason),
            }
        }
        if tried.is_empty() && mismatches.is_empty() {
            exam.signature(
                Mark::Skip,
                format!("not verified: {}", dedupe(unverifiable).join("; ")),
                Verdict::NotChecked,
            );
            return;
        }
        let mut detail = Vec::new();
        if !tried.is_empty() {
            detail.push(format!("tried {}", tried.join(", ")));
        }
        if !mismatches.is_empty() {
            detail.push(format!("alg/key mismatch: {}", mismatches.join("; ")));
        }
        detail.extend(capped);
        let detail = detail.join("; ");
        if !trusted {
            exam.signature(
                Mark::Skip,
                format!("not verified by the workspace keys found without configuration ({detail}); they are trusted only through a matching `kid`: list the right key in `keys`"),
                Verdict::NotChecked,
            );
            return;
        }
        exam.signature(Mark::Fail, format!("invalid: {detail}"), Verdict::Invalid);
        exam.findings.push(Finding::new(
            Rule::TokenSignatureInvalid,
            token.span.clone(),
            format!(
                "Invalid signature: no known key verifies this {alg} token ({detail}). Verifiers reject it ({LIBRARY_ERRORS}). The token was signed with another key (wrong environment, rotated key) or altered after signing."
            ),
        ));
    }

    /// Keys from the configured JWKS URLs (network allowed only). In `Inline` mode this may
    /// fetch; in `Deferred` mode it reads the cache and asks for a background refresh instead.
    fn remote_keys(&self, kid: Option<&str>, deferred: &mut Vec<Deferred>) -> (Vec<Key>, Vec<String>) {
        let Some(cache) = &self.remote else { return (Vec::new(), Vec::new()) };
        let mut keys = Vec::new();
        let mut notes = Vec::new();
        for url in &self.jwks_urls {
            let mut lookup = match self.mode {
                Mode::Inline => Some(cache.keys(url)),
                Mode::Deferred => cache.cached(url),
            };
            let kid_missing =
                |keys: &[Key]| kid.is_some_and(|kid| !keys.iter().any(|key| key.kid.as_deref() == Some(kid)));
            if let Some(kid) = kid
                && lookup.as_ref().is_none_or(|found| kid_missing(&found.keys))
            {
                match self.mode {
                    Mode::Inline => lookup = Some(cache.refresh_for_kid(url, kid)),
                    Mode::Deferred => deferred.push(Deferred::RefreshJwks { url: url.clone(), kid: kid.to_string() }),
                }
            }
            match lookup {
                Some(found) => {
                    match found.error {
                        Some(error) => notes.push(format!("{url}: {error}")),
                        // "Not re-fetched yet" matters only when the last fetch gave keys.
                        None => notes.extend(found.notes.into_iter().filter(|note| note.contains("rate limit"))),
                    }
                    keys.extend(found.keys);
                }
                None => notes.push(format!("{url}: not fetched yet")),
            }
        }
        (keys, notes)
    }

    /// Runs deferred work; returns whether anything new was learnt (then re-examine).
    pub fn run_deferred(&self, work: &[Deferred]) -> bool {
        let mut changed = false;
        for item in work {
            match item {
                Deferred::Wordlist { compact } => {
                    // Something is learnt only when this search fills the cache.
                    if let Some(list) = &self.wordlist {
                        let fresh = weak::with_hmac_target(compact, |target| {
                            let fresh = list.covers(target) && weak::cached_wordlist_verdict(list, target).is_none();
                            if fresh {
                                weak::wordlist_verdict(list, target);
                            }
                            fresh
                        });
                        changed |= fresh == Some(true);
                    }
                }
                Deferred::RefreshJwks { url, kid } => {
                    if let Some(cache) = &self.remote {
                        changed |= cache.refresh_for_kid(url, kid).fetched;
                    }
                }
            }
        }
        changed
    }
}

/// The token's `kid` when it is a string.
fn kid_of(token: &Token) -> Option<&str> {
    token.header.get("kid").and_then(Value::as_str)
}

fn kid_sources(keys: &[&Key]) -> Vec<String> {
    dedupe(keys.iter().filter(|key| key.kid.is_some()).map(|key| key.source.describe()).collect())
}

/// Which text form of a public key, used as an HMAC secret, verifies the token.
fn confusion_text(target: &HmacTarget<'_>, key: &Key) -> Option<&'static str> {
    key.public_texts.iter().find(|text| target.verifies(text)).map(|text| {
        if text.starts_with(b"-----BEGIN") {
            if text.ends_with(b"\n") {
                "PEM text (with its trailing newline)"
            } else {
                "PEM text (without a trailing newline)"
            }
        } else if text.starts_with(b"{") {
            "JWK JSON"
        } else {
            "file text"
        }
    })
}

fn check_times(claims: Option<&serde_json::Map<String, Value>>, clock: Clock, exam: &mut Examination) {
    let Some(claims) = claims else {
        exam.push(5, "exp/nbf", Mark::Skip, "no claims".to_string());
        return;
    };
    let leeway = clock.leeway as i64;
    let leeway_note = format!(" (leeway {} s)", clock.leeway);
    let number = |name: &str| -> Result<Option<i64>, String> {
        match claims.get(name) {
            None => Ok(None),
            Some(Value::Number(number)) => match number.as_f64() {
                Some(value) if value.abs() < 1e11 => Ok(Some(value.floor() as i64)),
                _ => Err(format!("`{name}` is not a NumericDate in seconds")),
            },
            Some(_) => Err(format!("`{name}` is not a number")),
        }
    };
    let mut parts = Vec::new();
    let mut failed = false;
    match number("exp") {
        Err(reason) => {
            failed = true;
            parts.push(reason);
        }
        Ok(None) => parts.push("no `exp` (never expires)".to_string()),
        Ok(Some(exp)) if exp < clock.now.saturating_sub(leeway) => {
            failed = true;
            parts.push(format!("expired {} ago, {}", long_duration(clock.now - exp), format_utc(exp)));
        }
        Ok(Some(exp)) if exp < clock.now => {
            parts.push(format!("expired {} ago, within the leeway", long_duration(clock.now - exp)))
        }
        Ok(Some(exp)) => parts.push(format!("expires in {}, {}", long_duration(exp - clock.now), format_utc(exp))),
    }
    match number("nbf") {
        Err(reason) => {
            failed = true;
            parts.push(reason);
        }
        Ok(Some(nbf)) if nbf > clock.now.saturating_add(leeway) => {
            failed = true;
            parts.push(format!("not valid before {}, in {}", format_utc(nbf), long_duration(nbf - clock.now)));
        }
        _ => {}
    }
    exam.push(5, "exp/nbf", if failed { Mark::Fail } else { Mark::Pass }, format!("{}{leeway_note}", parts.join("; ")));
}

fn hmac_key_bytes(alg: &str) -> usize {
    match alg {
        "HS384" => 48,
        "HS512" => 64,
        _ => 32,
    }
}

fn quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("`{item}`")).collect();
    if quoted.len() == 1 { quoted[0].clone() } else { format!("one of {}", quoted.join(", ")) }
}

/// " (differs only by a trailing slash)" and similar hints for near misses.
fn near_miss(got: &str, expected: &[String]) -> String {
    for want in expected {
        if got.trim_end_matches('/') == want.trim_end_matches('/') {
            return " (they differ only by a trailing `/`: issuers are compared as exact strings)".to_string();
        }
        if got.eq_ignore_ascii_case(want) {
            return " (they differ only in letter case: issuers are compared as exact strings)".to_string();
        }
        if got.trim_start_matches("https://").trim_start_matches("http://")
            == want.trim_start_matches("https://").trim_start_matches("http://")
        {
            return " (they differ in the scheme, http vs https)".to_string();
        }
    }
    String::new()
}

fn dedupe(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// What the front end loaded for a verifier (`load::verifier` in the binary's crate): keys from
/// the configured files and `secretEnv` variables (with the errors of those that failed), keys
/// discovered in the workspace, the parsed wordlist, the JWKS URLs that passed the URL check, and
/// the JWKS cache to ask for them.
#[derive(Debug, Default)]
pub struct Sources {
    pub keys: KeyRing,
    pub discovered: Option<KeyRing>,
    pub wordlist: Option<Arc<Wordlist>>,
    pub jwks_urls: Vec<String>,
    pub remote: Option<Arc<dyn RemoteKeys>>,
}

impl Verifier {
    /// Puts a verifier together from loaded `sources`: discovered keys join the configured ones
    /// (duplicates dropped), and the JWKS cache is used only when `allow_network` is set and URLs
    /// are configured. Warnings say what is configured but not used.
    pub fn from_sources(
        expectations: Expectations,
        allow_network: bool,
        sources: Sources,
        mode: Mode,
    ) -> (Verifier, Vec<String>) {
        let Sources { keys: mut ring, discovered, wordlist, jwks_urls, remote } = sources;
        let mut warnings = Vec::new();
        if let Some(found) = discovered {
            ring.merge(found);
        }
        ring.drop_duplicate_keys();
        let remote = remote.filter(|_| allow_network && !jwks_urls.is_empty());
        if !allow_network && !jwks_urls.is_empty() {
            warnings.push(
                "jwksUrls are configured but network access is off (setting `allowNetwork`); they are not fetched"
                    .to_string(),
            );
        }
        let verifier = Verifier { expectations, keys: ring, jwks_urls, remote, wordlist, mode };
        (verifier, warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{KeyMaterial, KeySource};

    /// A JWKS source that counts how it is asked and answers with `keys`.
    #[derive(Debug, Default)]
    struct FakeJwks {
        keys: Vec<Key>,
        asked: std::sync::Mutex<Vec<&'static str>>,
    }

    impl FakeJwks {
        fn answer(&self, call: &'static str) -> Lookup {
            self.asked.lock().unwrap().push(call);
            Lookup { keys: self.keys.clone(), fetched: call != "cached", error: None, notes: Vec::new() }
        }
    }

    impl RemoteKeys for FakeJwks {
        fn keys(&self, _url: &str) -> Lookup {
            self.answer("keys")
        }
        fn cached(&self, _url: &str) -> Option<Lookup> {
            Some(self.answer("cached"))
        }
        fn refresh_for_kid(&self, _url: &str, _kid: &str) -> Lookup {
            self.answer("refresh_for_kid")
        }
    }

    #[test]
    fn jwks_keys_come_through_the_front_ends_source_and_deferred_mode_never_fetches() {
        let secret = b"a-jwks-secret-of-32-bytes-length";
        let mut key = Key::new(KeyMaterial::Secret(secret.to_vec()), KeySource::new("jwks", Origin::Remote));
        key.kid = Some("k1".into());
        let remote = Arc::new(FakeJwks { keys: vec![key], ..FakeJwks::default() });
        let sign = |kid: &str| {
            use base64::Engine;
            use hmac::{Hmac, KeyInit, Mac};
            let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
            let input = format!("{}.{}", b64(format!(r#"{{"alg":"HS256","kid":"{kid}"}}"#).as_bytes()), b64(b"{}"));
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
            mac.update(input.as_bytes());
            crate::jwt::decode::decode(&format!("{input}.{}", b64(&mac.finalize().into_bytes()))).unwrap()
        };
        let verifier = |mode| Verifier {
            jwks_urls: vec!["https://auth.example.com/jwks.json".into()],
            remote: Some(remote.clone()),
            mode,
            ..Verifier::default()
        };
        let clock = Clock { now: 0, leeway: 0 };
        let inline = verifier(Mode::Inline).examine(&sign("k1"), &[], clock, &|_| 0);
        assert_eq!(inline.verdict, Verdict::Verified, "{}", inline.plain());
        assert_eq!(*remote.asked.lock().unwrap(), ["keys"]);

        remote.asked.lock().unwrap().clear();
        let deferred = verifier(Mode::Deferred).examine(&sign("k2"), &[], clock, &|_| 0);
        assert_eq!(deferred.verdict, Verdict::KidUnknown);
        assert_eq!(*remote.asked.lock().unwrap(), ["cached"]);
        let refresh = Deferred::RefreshJwks { url: "https://auth.example.com/jwks.json".into(), kid: "k2".into() };
        assert_eq!(deferred.deferred, std::slice::from_ref(&refresh));
        assert!(verifier(Mode::Deferred).run_deferred(&[refresh]));
        assert_eq!(*remote.asked.lock().unwrap(), ["cached", "refresh_for_kid"]);
    }

    fn ring_of(name: &str, origin: Origin) -> KeyRing {
        let mut ring = KeyRing::default();
        let key = Key::new(KeyMaterial::Secret(b"configured-or-found".to_vec()), KeySource::new(name, origin));
        ring.add_source(KeySource::new(name, origin), Ok((vec![key], Vec::new())));
        ring
    }

    #[test]
    fn a_verifier_is_built_from_loaded_sources_without_reading_anything() {
        let urls = vec!["https://auth.example.com/jwks.json".to_string()];
        let sources = || Sources {
            keys: ring_of("keys/a.jwk", Origin::Configured),
            discovered: Some(ring_of("found.jwk", Origin::Discovered)),
            wordlist: Some(Arc::new(Wordlist::parse("list".into(), "alpha\nbeta\n"))),
            jwks_urls: urls.clone(),
            remote: Some(Arc::new(FakeJwks::default())),
        };
        let (verifier, warnings) = Verifier::from_sources(Expectations::default(), false, sources(), Mode::Inline);
        // The same key configured and discovered is tried once; both sources are reported.
        assert_eq!(verifier.keys.keys.len(), 1);
        assert_eq!(verifier.keys.sources.len(), 2);
        assert_eq!(verifier.wordlist.as_ref().map(|list| list.entries.len()), Some(2));
        assert!(verifier.remote.is_none(), "no JWKS cache without network access");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("network access is off"), "{warnings:?}");

        let (verifier, warnings) = Verifier::from_sources(Expectations::default(), true, sources(), Mode::Deferred);
        assert!(verifier.remote.is_some());
        assert_eq!(verifier.mode, Mode::Deferred);
        assert!(warnings.is_empty(), "{warnings:?}");
    }
}
