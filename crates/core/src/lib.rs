//! jwt-lsp-core: everything jwt-lsp knows about JWTs and the code that verifies them, as pure
//! functions from text (plus settings, keys and a clock passed in) to findings with byte ranges.
//!
//! No protocol, no network, no file, environment or clock access: the front ends (the `jwt-lsp`
//! crate: language server and CLI) read those and pass the results in — `analysis::Inputs`,
//! `verify::Sources`, `verify::RemoteKeys`. Cargo keeps the LSP framework and the HTTP client out
//! of this crate's dependencies, and `clippy.toml` refuses the standard library's file, environment,
//! clock, network and process calls here (see ARCHITECTURE.md).

// SIMD for the weak-secret search lives in `jwt-lsp-hmac-lanes`; nothing here needs `unsafe`.
#![forbid(unsafe_code)]
// Unit tests may read fixture files (the code fixtures, walked by `code::fix_tests`); the library
// itself is linted without this (clippy --all-targets checks both builds).
#![cfg_attr(
    test,
    allow(
        clippy::disallowed_methods,
        clippy::disallowed_types,
        reason = "tests read fixture files and time themselves"
    )
)]

pub mod analysis;
pub mod code;
pub mod config;
pub mod crosscheck;
pub mod deps;
pub mod finding;
pub mod jwt;
pub mod keys;
pub mod panic;
pub mod rules;
pub mod service;
pub mod suppress;
pub mod text;
pub mod verify;

/// A deterministic stream of numbers for the property tests (xorshift64): the same inputs on
/// every run, so a failure replays.
#[cfg(test)]
pub(crate) fn test_random(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
