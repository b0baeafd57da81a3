//! The `jwt-lsp` binary: a language server on stdio by default, or a CLI command.

use std::process::ExitCode;

fn main() -> ExitCode {
    // Panic messages can quote source text (tokens): print where a panic happened, never what it says.
    jwt_lsp::panic::install();
    jwt_lsp::cli::main()
}
