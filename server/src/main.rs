//! The `jwt-lsp` binary: a language server on stdio by default, or a CLI command.

use std::process::ExitCode;

fn main() -> ExitCode {
    jwt_lsp::cli::main()
}
