//! jwt-lsp: finds, decodes and diagnoses JSON Web Tokens and the code that verifies them.
//!
//! The analysis is the `jwt-lsp-core` crate (pure: no protocol, no I/O), re-exported here under
//! its own module names. This crate holds the two thin front ends, `cli` and `lsp`, and what they
//! read for it: `project` (`.jwt-lsp.toml`), `load` (key files, secrets, the wordlist) and the
//! `keys` I/O (`file`, `fetch` for JWKS over HTTPS, `discover`). See ARCHITECTURE.md.

pub use jwt_lsp_core::{
    analysis, code, config, crosscheck, finding, jwt, panic, rules, service, suppress, text, verify,
};

pub mod background;
pub mod bundled;
pub mod cli;
pub mod deps;
pub mod keys;
pub mod load;
pub mod lsp;
pub mod project;
pub mod snippet;
pub mod workspace;
