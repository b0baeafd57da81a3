//! A guard in front of tower-lsp-server's transport. Its decoder ends the whole session on the
//! first malformed message (a bad header, a body that is not JSON-RPC), so a single garbled
//! write from a client would kill the server. The guard reads frames itself, forwards only
//! messages tower-lsp-server can parse, and answers the rest with a JSON-RPC error.
//!
//! A broken frame (a bad or missing `Content-Length`, NUL bytes in the header, a body longer or
//! shorter than its header says) must not leave the server deaf to every later message, so the
//! reader resynchronises on the next frame header. That is sound because a header line,
//! `Content-Length: <digits>` ended by a real line break, cannot occur inside a JSON body: JSON
//! strings cannot hold a raw line break and outside strings no letters but `true`, `false`,
//! `null` can appear. Where the broken frame's body is still a complete JSON value its `id` is
//! answered, so a client never waits forever on a request we could not read. When no header
//! follows for a long stretch of input, the session ends with an error (see [`SessionEnd`]) so
//! that the client restarts the server.
//!
//! Output from the server and the guard's own errors go through one writer, frame by frame, so
//! they never interleave.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::Response;
use tower_lsp_server::ls_types::Uri;

/// Larger messages are discarded with an error (a 50 MB document, JSON-escaped, fits).
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;
/// A header line longer than this is garbage.
const MAX_HEADER_LINE: usize = 8 * 1024;
/// Input discarded while looking for the next header before the guard gives up on the stream.
const MAX_RESYNC_BYTES: usize = MAX_MESSAGE_BYTES + 64 * 1024 * 1024;
/// Bodies up to this size are checked for ending early while they arrive.
const EARLY_CHECK_BYTES: usize = 1024 * 1024;
const READ_CHUNK: usize = 64 * 1024;
/// Above this, the read buffer is released after each message instead of being kept for reuse.
const KEEP_BUFFER_BYTES: usize = 4 * 1024 * 1024;

/// How a session ended, for the process exit status.
#[derive(Debug, Default)]
pub struct SessionEnd {
    /// A `shutdown` request was received (the LSP exit status is 0 only then).
    pub shutdown_requested: bool,
    /// The input could not be read as LSP frames any more.
    pub fatal: Option<String>,
}

impl SessionEnd {
    /// The process exit status: 0 after `shutdown`, 1 otherwise (LSP `exit` semantics).
    pub fn exit_status(&self) -> i32 {
        if self.fatal.is_none() && self.shutdown_requested { 0 } else { 1 }
    }
}

#[derive(Default)]
struct SessionState {
    shutdown_requested: AtomicBool,
    fatal: OnceLock<String>,
    uris: std::sync::Mutex<UriNames>,
}

/// Document URIs a client sent unencoded (`file:///tmp/my project/café.js`). The server sees
/// them percent-encoded, the one form its URI type accepts; the client gets its own spelling
/// back in everything we send, or it would not match our diagnostics to its document.
#[derive(Default)]
struct UriNames {
    /// Encoded form → the client's form.
    sent_as: rustc_hash::FxHashMap<String, String>,
    /// URIs we could not repair, each warned about once.
    warned: rustc_hash::FxHashSet<String>,
}

/// Serves `server` (a function of the server's input and output streams) behind the guard.
/// A message from the client has arrived: noted for background work, which waits while requests
/// come in ([`crate::background`]), then checked.
fn arrived(body: &[u8]) -> Checked {
    crate::background::note_client_message();
    check_message(body)
}

pub async fn guarded<I, O, F, Fut>(input: I, output: O, server: F) -> SessionEnd
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
    F: FnOnce(tokio::io::DuplexStream, tokio::io::DuplexStream) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (server_input, mut to_server) = tokio::io::duplex(64 * 1024);
    let (from_server, server_output) = tokio::io::duplex(64 * 1024);
    let (frames, frame_queue) = mpsc::channel::<Vec<u8>>(64);
    let state = Arc::new(SessionState::default());

    let writer = tokio::spawn(write_frames(frame_queue, output));
    let server_frames = frames.clone();
    let forward_state = state.clone();
    let forward = tokio::spawn(async move {
        let mut reader = FrameReader::new(from_server);
        while let Ok(Some(Frame::Message(body))) = reader.read_frame().await {
            let body = match forward_state.uris.lock() {
                Ok(uris) => uris.as_client_sent(body),
                Err(_) => body,
            };
            if server_frames.send(frame(&body)).await.is_err() {
                break;
            }
        }
    });
    let reader_state = state.clone();
    let reader = tokio::spawn(async move {
        let mut reader = FrameReader::new(input);
        // Lets the end-to-end tests reach the give-up path without writing hundreds of megabytes.
        #[cfg(debug_assertions)]
        if let Some(limit) = std::env::var("JWT_LSP_TEST_RESYNC_LIMIT").ok().and_then(|limit| limit.parse().ok()) {
            reader.resync_limit = limit;
        }
        loop {
            let reply = match reader.read_frame().await {
                Ok(Some(Frame::Message(body))) => match arrived(&body) {
                    Checked::Forward { shutdown } => {
                        if shutdown {
                            reader_state.shutdown_requested.store(true, Ordering::SeqCst);
                        }
                        let (body, unreadable) = match reader_state.uris.lock() {
                            Ok(mut uris) => uris.encode_uris(body),
                            Err(_) => (body, Vec::new()),
                        };
                        for uri in unreadable {
                            tracing::warn!("cannot parse the document URI {uri:?}");
                            let warning = log_message(&format!(
                                "jwt-lsp: cannot parse the document URI {uri:?}; requests naming it are not served"
                            ));
                            if frames.send(frame(&warning)).await.is_err() {
                                break;
                            }
                        }
                        if to_server.write_all(&frame(&body)).await.is_err() {
                            break;
                        }
                        continue;
                    }
                    Checked::Reply(reply) => reply,
                },
                Ok(Some(Frame::Invalid { reason, id })) => {
                    tracing::warn!("malformed message framing: {reason}");
                    error_reply(id, -32700, &format!("Parse error: {reason}"))
                }
                Ok(None) => break,
                Err(ReadError::Io(err)) => {
                    let _ = reader_state.fatal.set(format!("cannot read the client's messages: {err}"));
                    break;
                }
                Err(ReadError::Lost(reason)) => {
                    let _ = reader_state.fatal.set(reason);
                    break;
                }
            };
            if frames.send(frame(&reply)).await.is_err() {
                break;
            }
        }
        // End of input: closing the server's input lets it finish like on a real EOF.
        let _ = to_server.shutdown().await;
    });

    server(server_input, server_output).await;
    reader.abort();
    let _ = forward.await;
    let _ = writer.await;
    SessionEnd {
        shutdown_requested: state.shutdown_requested.load(Ordering::SeqCst),
        fatal: state.fatal.get().cloned(),
    }
}

async fn write_frames<O: AsyncWrite + Unpin>(mut queue: mpsc::Receiver<Vec<u8>>, mut output: O) {
    while let Some(bytes) = queue.recv().await {
        if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
            break;
        }
    }
}

#[derive(Debug, PartialEq)]
enum Frame {
    Message(Vec<u8>),
    /// A frame we could not read as a message: the reason for the error reply, and the `id` of
    /// the request inside it when its body could still be recovered (`null` otherwise).
    Invalid {
        reason: String,
        id: Value,
    },
}

#[derive(Debug)]
enum ReadError {
    Io(std::io::Error),
    /// No frame header anywhere in a long stretch of input: the stream cannot be trusted.
    Lost(String),
}

impl From<std::io::Error> for ReadError {
    fn from(err: std::io::Error) -> ReadError {
        ReadError::Io(err)
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// A buffered reader of `Content-Length`-framed messages that can look ahead and resynchronise.
struct FrameReader<R> {
    input: R,
    buffer: Vec<u8>,
    /// Bytes before this are consumed.
    start: usize,
    eof: bool,
    /// Bytes discarded since the last message that could be read.
    unreadable_run: usize,
    resync_limit: usize,
}

/// What a header block said.
enum Header {
    Length(usize),
    /// Header lines were there, but unusable for this reason.
    Broken(String),
    /// The bytes at a frame boundary are not a header at all.
    Garbage,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    fn new(input: R) -> FrameReader<R> {
        FrameReader {
            input,
            buffer: Vec::new(),
            start: 0,
            eof: false,
            unreadable_run: 0,
            resync_limit: MAX_RESYNC_BYTES,
        }
    }

    fn pending(&self) -> &[u8] {
        &self.buffer[self.start..]
    }

    fn consume(&mut self, count: usize) {
        self.start += count;
        if self.start == self.buffer.len() {
            self.buffer.clear();
            self.start = 0;
            if self.buffer.capacity() > KEEP_BUFFER_BYTES {
                self.buffer = Vec::new();
            }
        }
    }

    /// Reads more input; `false` at end of input.
    async fn fill(&mut self, at_least: usize) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 && self.start * 2 >= self.buffer.len() {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
        self.buffer.reserve(at_least.max(READ_CHUNK));
        let read = self.input.read_buf(&mut self.buffer).await?;
        if read == 0 {
            self.eof = true;
        }
        Ok(read > 0)
    }

    /// The next frame; `Ok(None)` at end of input.
    async fn read_frame(&mut self) -> Result<Option<Frame>, ReadError> {
        if !self.skip_whitespace().await? {
            return Ok(None);
        }
        let header = match self.read_header().await? {
            Some(header) => header,
            None => return Ok(None),
        };
        let reason = match header {
            Header::Length(length) if length <= MAX_MESSAGE_BYTES => return self.read_body(length).await,
            Header::Length(length) => format!("message of {length} bytes is over the {MAX_MESSAGE_BYTES}-byte limit"),
            Header::Broken(reason) => reason,
            Header::Garbage => "unexpected bytes where a message header should start".to_string(),
        };
        let id = self.recover().await?;
        Ok(Some(Frame::Invalid { reason, id }))
    }

    /// Skips blank space between messages; `false` at end of input.
    async fn skip_whitespace(&mut self) -> std::io::Result<bool> {
        loop {
            let blank = self.pending().iter().take_while(|byte| byte.is_ascii_whitespace()).count();
            self.consume(blank);
            if !self.pending().is_empty() {
                return Ok(true);
            }
            if !self.fill(0).await? {
                return Ok(false);
            }
        }
    }

    /// Reads header lines up to the blank line. A line that is not a header is left unread.
    async fn read_header(&mut self) -> std::io::Result<Option<Header>> {
        let mut length: Option<Result<usize, String>> = None;
        let mut problem: Option<String> = None;
        let mut lines = 0;
        loop {
            // A line that cannot start a header (a body after a missing blank line) is not read
            // to its end, which may be far off or not yet sent.
            if !self.pending().first().is_some_and(|byte| is_token_byte(byte) || *byte == b'\r' || *byte == b'\n') {
                if lines == 0 {
                    return Ok(Some(Header::Garbage));
                }
                problem.get_or_insert_with(|| "header not followed by a blank line".to_string());
                break;
            }
            let Some(line_end) = self.line_end().await? else {
                if self.pending().is_empty() {
                    return Ok(None);
                }
                // An over-long line, or input ending inside a header.
                return Ok(Some(if lines == 0 {
                    Header::Garbage
                } else {
                    Header::Broken("header not followed by a blank line".to_string())
                }));
            };
            let line = &self.pending()[..line_end];
            let content = line.strip_suffix(b"\n").unwrap_or(line);
            let content = content.strip_suffix(b"\r").unwrap_or(content);
            if content.is_empty() {
                self.consume(line_end);
                break;
            }
            let Some((name, value)) = header_line(content) else {
                if lines == 0 {
                    return Ok(Some(Header::Garbage));
                }
                // The body follows without the blank line: leave it for recovery.
                problem.get_or_insert_with(|| "header not followed by a blank line".to_string());
                break;
            };
            if content.iter().any(|&byte| byte < 0x20 && byte != b'\t') {
                problem.get_or_insert_with(|| "control characters in a header".to_string());
            }
            if name.eq_ignore_ascii_case(b"content-length") {
                let parsed = parse_length(value);
                if length.as_ref().is_some_and(|earlier| *earlier != parsed) {
                    problem.get_or_insert_with(|| "conflicting Content-Length headers".to_string());
                }
                length = Some(parsed);
            }
            self.consume(line_end);
            lines += 1;
        }
        Ok(Some(match (problem, length) {
            (Some(problem), _) => Header::Broken(problem),
            (None, None) => Header::Broken("missing Content-Length".to_string()),
            (None, Some(Err(reason))) => Header::Broken(reason),
            (None, Some(Ok(length))) => Header::Length(length),
        }))
    }

    /// Length of the next line including its `\n`, reading more input as needed; `None` when the
    /// line is over-long or input ends first.
    async fn line_end(&mut self) -> std::io::Result<Option<usize>> {
        let mut searched = 0;
        loop {
            if let Some(at) = memchr::memchr(b'\n', &self.pending()[searched..]) {
                return Ok(Some(searched + at + 1));
            }
            searched = self.pending().len();
            if searched > MAX_HEADER_LINE || !self.fill(0).await? {
                return Ok(None);
            }
        }
    }

    /// Reads a body of `length` bytes. If a frame header shows up inside it, the body was shorter
    /// than its header said: what came before is the broken message and the header starts the next.
    async fn read_body(&mut self, length: usize) -> Result<Option<Frame>, ReadError> {
        let mut searched = 0;
        loop {
            let available = self.pending().len();
            match find_header(&self.pending()[..available], searched) {
                Search::Found(at) if at < length => {
                    let id = request_id(&self.pending()[..at]);
                    self.consume(at);
                    let reason = format!("the body ended after {at} of the {length} bytes its header announced");
                    return Ok(Some(Frame::Invalid { reason, id }));
                }
                Search::Partial(at) if at < length => searched = at,
                _ if available >= length => break,
                _ => searched = available.saturating_sub(HEADER_NAME.len()),
            }
            // A complete JSON object before the announced length can only legitimately be
            // followed by padding, which clients do not send: answer now rather than wait for
            // bytes that may never come while the client waits for this answer.
            // (Only for small bodies: the check re-parses what has arrived; a large short body is
            // still caught by the next header.)
            if available < length
                && available <= EARLY_CHECK_BYTES
                && self.pending().last() == Some(&b'}')
                && serde_json::from_slice::<IgnoredAny>(self.pending()).is_ok()
            {
                let id = request_id(self.pending());
                self.consume(available);
                let reason = format!("the body ended after {available} of the {length} bytes its header announced");
                return Ok(Some(Frame::Invalid { reason, id }));
            }
            if !self.fill(length - available.min(length)).await? {
                if available >= length {
                    break; // A partial header at the very end of input: not a frame.
                }
                return Ok(None);
            }
        }
        if let Some(frame) = self.overlong_body(length).await? {
            return Ok(Some(frame));
        }
        let body = self.pending()[..length].to_vec();
        self.consume(length);
        self.unreadable_run = 0;
        Ok(Some(Frame::Message(body)))
    }

    /// When the announced body is not JSON but runs on into a complete JSON value (the header
    /// said too little), that value is the broken message.
    async fn overlong_body(&mut self, length: usize) -> Result<Option<Frame>, ReadError> {
        let after = &self.pending()[length..];
        let starts_next = after.first().is_none_or(u8::is_ascii_whitespace)
            || matches!(find_header(after, 0), Search::Found(0) | Search::Partial(0));
        if starts_next || serde_json::from_slice::<IgnoredAny>(&self.pending()[..length]).is_ok() {
            return Ok(None);
        }
        match self.json_value_end().await? {
            Some(end) if end > length => {
                let id = request_id(&self.pending()[..end]);
                self.consume(end);
                let reason = format!("the body is longer than the {length} bytes its header announced");
                Ok(Some(Frame::Invalid { reason, id }))
            }
            _ => Ok(None),
        }
    }

    /// After a broken header: consumes the body that follows it when that is a complete JSON
    /// value (whose `id` is returned), else discards line by line up to the next frame header.
    /// Returns once the buffered input is used up, so that the error reply is not held back until
    /// the client writes again.
    async fn recover(&mut self) -> Result<Value, ReadError> {
        loop {
            if !self.skip_whitespace().await? {
                return Ok(Value::Null);
            }
            if matches!(find_header(self.pending(), 0), Search::Found(0)) {
                return Ok(Value::Null);
            }
            if matches!(self.pending().first(), Some(b'{' | b'['))
                && let Some(end) = self.json_value_end().await?
            {
                let id = request_id(&self.pending()[..end]);
                self.discard(end)?;
                return Ok(id);
            }
            // From 1: the bytes here are known not to start a frame.
            let line_end = memchr::memchr(b'\n', self.pending()).map(|at| at + 1);
            let window = line_end.unwrap_or(self.pending().len());
            match find_header(&self.pending()[..window], 1) {
                Search::Found(at) => {
                    self.discard(at)?;
                    return Ok(Value::Null);
                }
                Search::Partial(at) if line_end.is_none() => {
                    self.discard(at)?;
                    if !self.fill(0).await? {
                        return Ok(Value::Null);
                    }
                }
                _ => {
                    self.discard(window)?;
                    if self.pending().is_empty() {
                        return Ok(Value::Null);
                    }
                }
            }
        }
    }

    /// Consumes unreadable input; too much of it in a row and the stream is given up on.
    fn discard(&mut self, count: usize) -> Result<(), ReadError> {
        self.consume(count);
        self.unreadable_run += count;
        if self.unreadable_run > self.resync_limit {
            return Err(ReadError::Lost(format!(
                "no readable message in the last {} bytes of input",
                self.unreadable_run
            )));
        }
        Ok(())
    }

    /// The end of the JSON value at the start of the pending input, reading more while the value
    /// is incomplete; `None` when it is not JSON or too large.
    async fn json_value_end(&mut self) -> std::io::Result<Option<usize>> {
        let mut tried_at: usize = 0;
        loop {
            let available = self.pending().len();
            // Retry only once the input has doubled: re-parsing a growing body stays linear.
            if tried_at == 0 || available >= tried_at.saturating_mul(2) {
                tried_at = available;
                let mut values = serde_json::Deserializer::from_slice(self.pending()).into_iter::<IgnoredAny>();
                match values.next() {
                    Some(Ok(_)) => return Ok(Some(values.byte_offset())),
                    Some(Err(err)) if !err.is_eof() => return Ok(None),
                    _ => {}
                }
            }
            if available > MAX_MESSAGE_BYTES || !self.fill(available).await? {
                return Ok(None);
            }
        }
    }
}

/// `name: value` when `line` is shaped like a header line (an HTTP token, a colon).
fn header_line(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = memchr::memchr(b':', line)?;
    let name = &line[..colon];
    (!name.is_empty() && name.iter().all(is_token_byte)).then(|| (name, &line[colon + 1..]))
}

fn parse_length(value: &[u8]) -> Result<usize, String> {
    let value = value.trim_ascii();
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Err("Content-Length is not a number of bytes".to_string());
    }
    std::str::from_utf8(value)
        .ok()
        .and_then(|digits| digits.parse().ok())
        .ok_or_else(|| "Content-Length is too large".to_string())
}

/// A byte of an HTTP token (a header name).
fn is_token_byte(byte: &u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(byte)
}

const HEADER_NAME: &[u8] = b"Content-Length:";

enum Search {
    /// A complete `Content-Length: <digits>` line starts here.
    Found(usize),
    /// What starts here could still become a header line once more input arrives.
    Partial(usize),
    None,
}

/// The first frame header line in `bytes` at or after `from` (the usual spellings of the name:
/// `Content-Length`, `content-length`).
fn find_header(bytes: &[u8], from: usize) -> Search {
    let mut at = from;
    while at < bytes.len() {
        let hit =
            [HEADER_NAME, b"content-length:"].iter().filter_map(|name| memchr::memmem::find(&bytes[at..], name)).min();
        let Some(hit) = hit else { break };
        let start = at + hit;
        match header_line_rest(&bytes[start + HEADER_NAME.len()..]) {
            Some(true) => return Search::Found(start),
            None => return Search::Partial(start),
            Some(false) => at = start + 1,
        }
    }
    // The name itself may be cut off at the end of the input.
    let tail_from = bytes.len().saturating_sub(HEADER_NAME.len() - 1).max(from);
    for start in tail_from..bytes.len() {
        let tail = &bytes[start..];
        if HEADER_NAME[..tail.len()].eq_ignore_ascii_case(tail) {
            return Search::Partial(start);
        }
    }
    Search::None
}

/// After the header name: `[ \t]*<digits>[ \t]*\r?\n`. `None` when the input ends too early.
fn header_line_rest(rest: &[u8]) -> Option<bool> {
    let mut i = 0;
    while rest.get(i).is_some_and(|byte| *byte == b' ' || *byte == b'\t') {
        i += 1;
    }
    let digits = i;
    while rest.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if i == digits {
        return rest.get(i).map(|_| false);
    }
    while rest.get(i).is_some_and(|byte| *byte == b' ' || *byte == b'\t') {
        i += 1;
    }
    if rest.get(i) == Some(&b'\r') {
        i += 1;
    }
    rest.get(i).map(|byte| *byte == b'\n')
}

/// The `id` of a request body, when it is a JSON object with a usable one; else `null`.
fn request_id(body: &[u8]) -> Value {
    #[derive(Deserialize)]
    struct WithId {
        id: Option<Value>,
    }
    serde_json::from_slice::<WithId>(body)
        .ok()
        .and_then(|message| message.id)
        .filter(|id| id.is_string() || id.is_i64())
        .unwrap_or(Value::Null)
}

enum Checked {
    Forward {
        shutdown: bool,
    },
    /// The error reply to send instead of forwarding.
    Reply(Vec<u8>),
}

/// Which messages tower-lsp-server can parse (checked without building the params: a 50 MB
/// document is not copied once more), and which the guard answers itself.
fn check_message(body: &[u8]) -> Checked {
    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        jsonrpc: Option<std::borrow::Cow<'a, str>>,
        #[serde(borrow)]
        method: Option<std::borrow::Cow<'a, str>>,
        id: Option<Value>,
        #[allow(dead_code)]
        params: Option<IgnoredAny>,
    }
    let envelope = match serde_json::from_slice::<Envelope>(body) {
        Ok(envelope) => envelope,
        Err(err) if err.is_syntax() || err.is_eof() => {
            return Checked::Reply(error_reply(Value::Null, -32700, &format!("Parse error: {err}")));
        }
        Err(_) => {
            return Checked::Reply(error_reply(
                request_id(body),
                -32600,
                "Invalid request: not a JSON-RPC 2.0 message",
            ));
        }
    };
    let valid_id = |id: &Value| id.is_string() || id.is_i64() || id.is_null();
    let Some(method) = envelope.method else {
        // A response to one of our requests.
        return if serde_json::from_slice::<Response>(body).is_ok() {
            Checked::Forward { shutdown: false }
        } else {
            Checked::Reply(error_reply(request_id(body), -32600, "Invalid request: not a JSON-RPC 2.0 message"))
        };
    };
    if envelope.jsonrpc.as_deref() != Some("2.0") || !envelope.id.as_ref().is_none_or(valid_id) {
        return Checked::Reply(error_reply(request_id(body), -32600, "Invalid request: not a JSON-RPC 2.0 message"));
    }
    let id = envelope.id.filter(|id| !id.is_null());
    // tower-lsp-server drops every unknown `$/` message, requests included, which leaves the
    // client waiting for an answer; the protocol wants MethodNotFound for those requests.
    if let Some(id) = &id
        && method.starts_with("$/")
    {
        return Checked::Reply(error_reply(id.clone(), -32601, &format!("Method not found: {method}")));
    }
    Checked::Forward { shutdown: id.is_some() && method == "shutdown" }
}

fn log_message(message: &str) -> Vec<u8> {
    serde_json::json!({"jsonrpc": "2.0", "method": "window/logMessage", "params": {"type": 2, "message": message}})
        .to_string()
        .into_bytes()
}

impl UriNames {
    /// Percent-encodes the `uri` and `rootUri` values of a client message that the server's URI
    /// type would reject; returns the message and the URIs that stay unreadable (new ones only).
    fn encode_uris(&mut self, body: Vec<u8>) -> (Vec<u8>, Vec<String>) {
        let mut replacements: Vec<(Range<usize>, String)> = Vec::new();
        let mut unreadable = Vec::new();
        for (range, uri) in uri_values(&body) {
            if uri.parse::<Uri>().is_ok() {
                continue;
            }
            let encoded = percent_encode(&uri);
            if encoded.parse::<Uri>().is_ok() {
                replacements.push((range, serde_json::to_string(&encoded).expect("a string serialises")));
                self.sent_as.insert(encoded, uri);
            } else if self.warned.insert(uri.clone()) {
                unreadable.push(uri);
            }
        }
        if replacements.is_empty() {
            return (body, unreadable);
        }
        let mut out = Vec::with_capacity(body.len() + 64);
        let mut copied = 0;
        for (range, json) in replacements {
            out.extend_from_slice(&body[copied..range.start]);
            out.extend_from_slice(json.as_bytes());
            copied = range.end;
        }
        out.extend_from_slice(&body[copied..]);
        (out, unreadable)
    }

    /// A server message with every encoded URI spelled as the client sent it.
    fn as_client_sent(&self, mut body: Vec<u8>) -> Vec<u8> {
        for (encoded, sent) in &self.sent_as {
            let quoted = format!("\"{encoded}\"");
            if memchr::memmem::find(&body, quoted.as_bytes()).is_none() {
                continue;
            }
            let replacement = serde_json::to_string(sent).expect("a string serialises");
            let mut out = Vec::with_capacity(body.len());
            let mut copied = 0;
            for at in memchr::memmem::find_iter(&body, quoted.as_bytes()) {
                out.extend_from_slice(&body[copied..at]);
                out.extend_from_slice(replacement.as_bytes());
                copied = at + quoted.len();
            }
            out.extend_from_slice(&body[copied..]);
            body = out;
        }
        body
    }
}

/// Every `"uri": "…"` and `"rootUri": "…"` string value in a JSON message: the byte range of
/// the string token and its value. Only real keys match: inside a JSON string a quote is
/// always escaped, so `"uri"` cannot occur there.
fn uri_values(body: &[u8]) -> Vec<(Range<usize>, String)> {
    let mut found = Vec::new();
    for key in [&b"\"uri\""[..], b"\"rootUri\""] {
        for at in memchr::memmem::find_iter(body, key) {
            let mut i = at + key.len();
            let skip_space = |i: &mut usize| {
                while body.get(*i).is_some_and(u8::is_ascii_whitespace) {
                    *i += 1;
                }
            };
            skip_space(&mut i);
            if body.get(i) != Some(&b':') {
                continue;
            }
            i += 1;
            skip_space(&mut i);
            let mut values = serde_json::Deserializer::from_slice(&body[i..]).into_iter::<String>();
            if body.get(i) == Some(&b'"')
                && let Some(Ok(value)) = values.next()
            {
                found.push((i..i + values.byte_offset(), value));
            }
        }
    }
    found.sort_by_key(|(range, _)| range.start);
    found
}

/// `uri` with every byte a URI cannot hold raw percent-encoded (spaces, non-ASCII, `"<>\^`{|}`,
/// and a `%` that does not start an escape); existing escapes stay as they are.
fn percent_encode(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out = String::with_capacity(uri.len() + 16);
    for (i, &byte) in bytes.iter().enumerate() {
        let escape_start = byte == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        let allowed = byte.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&byte) || escape_start;
        if allowed {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn error_reply(id: Value, code: i64, message: &str) -> Vec<u8> {
    serde_json::json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
        .to_string()
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Frame> {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(async {
            let mut reader = FrameReader::new(input);
            let mut out = Vec::new();
            while let Some(frame) = reader.read_frame().await.unwrap() {
                out.push(frame);
            }
            out
        })
    }

    fn message(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    const HOVER: &str = r#"{"jsonrpc":"2.0","id":7,"method":"textDocument/hover","params":{}}"#;

    fn assert_resyncs(broken: &[u8], expected_id: Value) {
        let mut input = broken.to_vec();
        input.extend_from_slice(message(HOVER).as_bytes());
        let read = frames(&input);
        assert_eq!(read.len(), 2, "{read:?} from {:?}", String::from_utf8_lossy(broken));
        assert!(matches!(&read[0], Frame::Invalid { id, .. } if *id == expected_id), "{read:?}");
        assert_eq!(read[1], Frame::Message(HOVER.as_bytes().to_vec()));
    }

    #[test]
    fn resynchronises_after_each_kind_of_broken_frame() {
        let body = r#"{"jsonrpc":"2.0","id":3,"method":"shutdown"}"#;
        assert_resyncs(format!("Content-Length: abc\r\n\r\n{body}").as_bytes(), 3.into());
        assert_resyncs(format!("Content-Length: -5\r\n\r\n{body}").as_bytes(), 3.into());
        assert_resyncs(format!("Content-Type: x\r\n\r\n{body}").as_bytes(), 3.into());
        assert_resyncs(format!("Content-Length: 44\0\r\n\r\n{body}").as_bytes(), 3.into());
        assert_resyncs(format!("Content-Length: 10\r\n\r\n{body}").as_bytes(), 3.into());
        assert_resyncs(format!("Content-Length: 90\r\n\r\n{body}").as_bytes(), 3.into());
        assert_resyncs(format!("Content-Length: 44\r\n{body}").as_bytes(), 3.into());
        assert_resyncs(format!("Content-Length: 99999999999999999999999\r\n\r\n{body}").as_bytes(), 3.into());
        assert_resyncs(format!("Con\0tent-Length: 44\r\n\r\n{body}").as_bytes(), 3.into());
        assert_resyncs(b"garbage\r\n\r\n", Value::Null);
        assert_resyncs(b"Content-Length: 5\r\n\r\n{\"a\"", Value::Null);
    }

    #[test]
    fn endless_garbage_ends_the_session_with_a_reason() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let garbage = b"garbage without any header\n".repeat(1000);
        let result = runtime.block_on(async {
            let mut reader = FrameReader::new(&garbage[..]);
            reader.resync_limit = 10_000;
            loop {
                match reader.read_frame().await {
                    Ok(Some(_)) => continue,
                    other => return other,
                }
            }
        });
        assert!(matches!(result, Err(ReadError::Lost(reason)) if reason.contains("no readable message")));
    }

    #[test]
    fn raw_uris_are_encoded_for_the_server_and_restored_for_the_client() {
        let mut names = UriNames::default();
        let sent = r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri" : "file:///tmp/my project/caf\u00e9.js","text":"\"uri\": \"x y\""}}}"#;
        let (body, unreadable) = names.encode_uris(sent.as_bytes().to_vec());
        assert!(unreadable.is_empty());
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["params"]["textDocument"]["uri"], "file:///tmp/my%20project/caf%C3%A9.js");
        assert_eq!(body["params"]["textDocument"]["text"], "\"uri\": \"x y\"", "document text untouched");
        let reply =
            br#"{"method":"textDocument/publishDiagnostics","params":{"uri":"file:///tmp/my%20project/caf%C3%A9.js"}}"#;
        let restored: Value = serde_json::from_slice(&names.as_client_sent(reply.to_vec())).unwrap();
        assert_eq!(restored["params"]["uri"], "file:///tmp/my project/café.js");
        // Already valid URIs pass untouched; hopeless ones are reported once.
        let valid = br#"{"params":{"textDocument":{"uri":"file:///a%20b.js"}}}"#.to_vec();
        assert_eq!(names.encode_uris(valid.clone()).0, valid);
        let hopeless = br#"{"params":{"textDocument":{"uri":"::: not a uri"}}}"#.to_vec();
        assert_eq!(names.encode_uris(hopeless.clone()).1, vec!["::: not a uri".to_string()]);
        assert!(names.encode_uris(hopeless).1.is_empty(), "warned once");
    }

    #[test]
    fn a_header_name_inside_a_json_string_is_not_a_header() {
        let body = r#"{"jsonrpc":"2.0","method":"x","params":{"text":"Content-Length: 5\r\n\r\nhi"}}"#;
        assert_eq!(frames(message(body).as_bytes()), vec![Frame::Message(body.as_bytes().to_vec())]);
    }

    #[test]
    fn unknown_dollar_requests_are_answered_and_shutdown_is_noticed() {
        let Checked::Reply(reply) = check_message(br#"{"jsonrpc":"2.0","id":1,"method":"$/unknown"}"#) else {
            panic!("not answered")
        };
        assert!(String::from_utf8(reply).unwrap().contains("-32601"));
        assert!(matches!(
            check_message(br#"{"jsonrpc":"2.0","method":"$/unknown"}"#),
            Checked::Forward { shutdown: false }
        ));
        assert!(matches!(
            check_message(br#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#),
            Checked::Forward { shutdown: true }
        ));
    }
}
