//! Code examples for `jwt-lsp check examples/`: each function shows one Rust finding.

use axum::http::{HeaderMap, header::AUTHORIZATION};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, dangerous_insecure_decode, decode};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
}

// hardcoded-secret: a literal HMAC key (and a known-weak one).
const JWT_SECRET: &[u8] = b"changeit";

// verify-bearer-prefix, verify-missing-audience, verify-large-leeway.
fn authenticate(headers: &HeaderMap) -> Option<Claims> {
    let raw = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&["https://auth.example.com"]);
    validation.leeway = 3600;
    decode::<Claims>(raw, &DecodingKey::from_secret(JWT_SECRET), &validation).ok().map(|data| data.claims)
}

// verify-expiry-disabled: expired tokens pass.
fn forever(token: &str) -> Option<Claims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&["orders-api"]);
    validation.set_issuer(&["https://auth.example.com"]);
    validation.validate_exp = false;
    decode::<Claims>(token, &DecodingKey::from_secret(JWT_SECRET), &validation).ok().map(|data| data.claims)
}

// decode-without-verify: the claims of an unverified token decide who the user is.
fn user(token: &str) -> Option<String> {
    let data = dangerous_insecure_decode::<Claims>(token).ok()?;
    Some(data.claims.sub)
}
