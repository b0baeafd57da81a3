//! The `jwt-lsp` binary: a language server on stdio by default, or a CLI command.

use std::process::ExitCode;

fn main() -> ExitCode {
    // Panic messages can quote source text (tokens): print where a panic happened, never what it says.
    jwt_lsp::panic::install();
    // The end-to-end tests' way to make an analysis stage panic (debug builds only).
    if cfg!(debug_assertions)
        && let Some(stage) = std::env::var_os("JWT_LSP_TEST_PANIC")
    {
        jwt_lsp::analysis::request_test_panic(stage.to_string_lossy().into_owned());
    }
    jwt_lsp::cli::main()
}
