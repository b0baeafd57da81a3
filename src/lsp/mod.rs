//! Protocol glue: the only module that knows LSP. It keeps documents, negotiates the position
//! encoding and turns analysis results into diagnostics, hovers and inlay hints.

pub mod convert;
pub mod documents;
mod server;
mod transport;

pub use server::Backend;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

/// Serves LSP over any byte streams (stdio in production, in-memory pipes in tests), behind
/// the guard that answers malformed messages instead of ending the session. Returns the process
/// exit status: 0 after `shutdown`, 1 after `exit` or end of input without it, or when the input
/// could not be read as messages any more (then with the reason on stderr).
pub async fn serve<I, O>(input: I, output: O) -> i32
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let end = transport::guarded(input, output, |server_input, server_output| async move {
        // tower-lsp-server 0.23 does not route the progress cancel notification to the trait yet.
        let (service, socket) = LspService::build(Backend::new)
            .custom_method("window/workDoneProgress/cancel", Backend::work_done_progress_cancel)
            .finish();
        Server::new(server_input, server_output, socket).serve(service).await;
    })
    .await;
    if let Some(reason) = &end.fatal {
        tracing::error!("{reason}");
        // Whatever the log level: the client (or the person reading its log) learns why we quit.
        eprintln!("jwt-lsp: exiting: {reason}");
    }
    end.exit_status()
}

/// Entry point of `jwt-lsp` / `jwt-lsp --stdio`: logs go to stderr (RUST_LOG, default `warn`),
/// never stdout, which carries the protocol.
pub fn run_stdio() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"))
        // tower-lsp-server traces whole message bodies (tokens included) at `trace`: never log them.
        .add_directive("tower_lsp_server::codec=warn".parse().expect("valid directive"))
        .add_directive("tower_lsp_server::transport=warn".parse().expect("valid directive"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(false).try_init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("jwt-lsp: cannot start the async runtime: {err}");
            return;
        }
    };
    let status = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // A read of stdin may still be pending on a blocking thread; do not wait for it after `exit`.
    runtime.shutdown_background();
    if status != 0 {
        // The LSP exit status (1 without `shutdown`) tells the client to restart us.
        std::process::exit(status);
    }
}
