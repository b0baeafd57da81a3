//! jwt-lsp: finds, decodes and diagnoses JSON Web Tokens and the code that verifies them.
//!
//! Layers (see ARCHITECTURE.md): `jwt` (token knowledge) and `analysis` are pure and know nothing
//! about the protocol; `cli` and `lsp` are thin front ends that render the same `Finding`s.

pub mod analysis;
pub mod cli;
pub mod code;
pub mod config;
pub mod finding;
pub mod jwt;
pub mod keys;
pub mod load;
pub mod lsp;
pub mod panic;
pub mod project;
pub mod rules;
pub mod snippet;
pub mod suppress;
pub mod text;
pub mod verify;
