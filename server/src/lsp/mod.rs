//! Protocol glue: the only module that knows LSP. It keeps documents, negotiates the position
//! encoding and turns analysis results into diagnostics, hovers and inlay hints.

pub mod convert;
pub mod documents;
mod server;

pub use server::Backend;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

/// Serves LSP over any byte streams (stdio in production, in-memory pipes in tests).
pub async fn serve<I, O>(input: I, output: O)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let (service, socket) = LspService::new(Backend::new);
    Server::new(input, output, socket).serve(service).await;
}

/// Entry point of `jwt-lsp` / `jwt-lsp --stdio`: logs go to stderr (RUST_LOG, default `warn`),
/// never stdout, which carries the protocol.
pub fn run_stdio() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(false).try_init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("jwt-lsp: cannot start the async runtime: {err}");
            return;
        }
    };
    runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
}
