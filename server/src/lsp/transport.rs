//! A guard in front of tower-lsp-server's transport. Its decoder ends the whole session on the
//! first malformed message (a bad header, a body that is not JSON-RPC), so a single garbled
//! write from a client would kill the server. The guard reads frames itself, forwards only
//! messages tower-lsp-server can parse, and answers the rest with a JSON-RPC error.
//!
//! Output from the server and the guard's own errors go through one writer, frame by frame, so
//! they never interleave.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Larger messages are discarded with an error (a 50 MB document, JSON-escaped, fits).
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;
/// A header line longer than this is garbage.
const MAX_HEADER_LINE: u64 = 8 * 1024;

/// Serves `server` (a function of the server's input and output streams) behind the guard.
pub async fn guarded<I, O, F, Fut>(input: I, output: O, server: F)
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
    F: FnOnce(tokio::io::DuplexStream, tokio::io::DuplexStream) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (server_input, mut to_server) = tokio::io::duplex(64 * 1024);
    let (from_server, server_output) = tokio::io::duplex(64 * 1024);
    let (frames, frame_queue) = mpsc::channel::<Vec<u8>>(64);

    let writer = tokio::spawn(write_frames(frame_queue, output));
    let server_frames = frames.clone();
    let forward = tokio::spawn(async move {
        let mut reader = BufReader::new(from_server);
        while let Ok(Some(Frame::Message(body))) = read_frame(&mut reader).await {
            if server_frames.send(frame(&body)).await.is_err() {
                break;
            }
        }
    });
    let reader = tokio::spawn(async move {
        let mut reader = BufReader::new(input);
        loop {
            match read_frame(&mut reader).await {
                Ok(Some(Frame::Message(body))) => match check_message(&body) {
                    Ok(()) => {
                        if to_server.write_all(&frame(&body)).await.is_err() {
                            break;
                        }
                    }
                    Err(reply) => {
                        tracing::warn!("rejected a malformed message ({} bytes)", body.len());
                        if frames.send(frame(&reply)).await.is_err() {
                            break;
                        }
                    }
                },
                Ok(Some(Frame::Invalid(reason))) => {
                    tracing::warn!("malformed message framing: {reason}");
                    let reply = error_reply(serde_json::Value::Null, -32700, &format!("Parse error: {reason}"));
                    if frames.send(frame(&reply)).await.is_err() {
                        break;
                    }
                }
                Ok(None) | Err(_) => break,
            }
        }
        // End of input: closing the server's input lets it finish like on a real EOF.
        let _ = to_server.shutdown().await;
    });

    server(server_input, server_output).await;
    reader.abort();
    let _ = forward.await;
    let _ = writer.await;
}

async fn write_frames<O: AsyncWrite + Unpin>(mut queue: mpsc::Receiver<Vec<u8>>, mut output: O) {
    while let Some(bytes) = queue.recv().await {
        if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
            break;
        }
    }
}

enum Frame {
    Message(Vec<u8>),
    /// A header block or body we could not read as a message; the reason is for the error reply.
    Invalid(String),
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Reads one `Content-Length`-framed message. `Ok(None)` at end of input.
async fn read_frame<R: AsyncRead + Unpin>(reader: &mut BufReader<R>) -> std::io::Result<Option<Frame>> {
    let mut content_length: Option<usize> = None;
    let mut saw_header = false;
    let mut garbage = false;
    loop {
        let mut line = Vec::new();
        let read = (&mut *reader).take(MAX_HEADER_LINE).read_until(b'\n', &mut line).await?;
        if read == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !saw_header {
                continue; // Stray blank lines between messages.
            }
            break;
        }
        saw_header = true;
        match text.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("content-length") => {
                content_length = value.trim().parse().ok()
            }
            Some((name, _)) if name.eq_ignore_ascii_case("content-type") => {}
            _ => garbage = true,
        }
        if !line.ends_with(b"\n") {
            garbage = true;
        }
    }
    let Some(length) = content_length else {
        return Ok(Some(Frame::Invalid(
            if garbage { "unreadable header" } else { "missing Content-Length" }.to_string(),
        )));
    };
    if length > MAX_MESSAGE_BYTES {
        tokio::io::copy(&mut (&mut *reader).take(length as u64), &mut tokio::io::sink()).await?;
        return Ok(Some(Frame::Invalid(format!(
            "message of {length} bytes is over the {MAX_MESSAGE_BYTES}-byte limit"
        ))));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await?;
    Ok(Some(Frame::Message(body)))
}

/// `Ok` when tower-lsp-server can parse the body; otherwise the error reply to send.
fn check_message(body: &[u8]) -> Result<(), Vec<u8>> {
    if serde_json::from_slice::<Request>(body).is_ok() || serde_json::from_slice::<Response>(body).is_ok() {
        return Ok(());
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Err(err) => Err(error_reply(serde_json::Value::Null, -32700, &format!("Parse error: {err}"))),
        Ok(value) => {
            let id = value
                .get("id")
                .filter(|id| id.is_string() || id.is_number())
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            Err(error_reply(id, -32600, "Invalid request: not a JSON-RPC 2.0 message"))
        }
    }
}

fn error_reply(id: serde_json::Value, code: i64, message: &str) -> Vec<u8> {
    serde_json::json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
        .to_string()
        .into_bytes()
}
