//! Keys: the model, PEM and JWK parsing (`jwt_lsp_core::keys`, re-exported), and what reads keys
//! from outside: configured files (`file`: the safe open), the workspace walk (`discover`) and
//! JWKS over HTTPS (`fetch`, the verifier's `RemoteKeys`).

pub use jwt_lsp_core::keys::*;

pub mod discover;
pub mod fetch;
pub mod file;
