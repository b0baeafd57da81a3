//! One signature check: a token, a key, an algorithm, through the `jsonwebtoken` crate
//! (rust_crypto backend). The library is used only for the cryptography; headers and claims
//! are decoded by our own code, which accepts what the library refuses to parse.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::jwt::Token;
use crate::keys::Key;

/// `Ok(true)` when `key` verifies `token` under `alg`; `Ok(false)` when it does not; `Err` when
/// the key cannot be used for `alg` (with the reason). Never panics.
pub fn verify(token: &Token, key: &Key, alg: &str) -> Result<bool, String> {
    let Some(message) = token.signing_input() else { return Err("not a JWS".to_string()) };
    let Some(signature) = token.compact.rsplit('.').next() else { return Err("no signature".to_string()) };
    let Some((decoding_key, algorithm)) = key.material.decoding_key(alg) else {
        return Err(format!("this {} key cannot verify `{alg}`", key.material.kind()));
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        jsonwebtoken::crypto::verify(signature, message.as_bytes(), &decoding_key, algorithm)
    }));
    match outcome {
        Ok(Ok(valid)) => Ok(valid),
        Ok(Err(err)) => Err(format!("the key is unusable ({err})")),
        Err(_) => Err("the verification library failed on this key".to_string()),
    }
}
