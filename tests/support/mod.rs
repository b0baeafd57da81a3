//! Test support: drive the real `jwt-lsp` binary over stdio like an editor does, and mint tokens.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// Fixture clock: 2026-01-01T00:00:00Z.
pub const NOW: i64 = 1_767_225_600;
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A token with the given header and claims and a filler signature of the right length for
/// HS256 (signatures are not checked by the core rules).
pub fn token(header: &Value, claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(header.to_string());
    let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{claims}.{}", URL_SAFE_NO_PAD.encode([7u8; 32]))
}

/// An HS256 token really signed with `secret`.
pub fn hs256_token(secret: &[u8], claims: &Value) -> String {
    use hmac::{KeyInit, Mac};
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "typ": "JWT"}).to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

pub fn expired_token() -> String {
    token(&json!({"alg": "HS256", "typ": "JWT"}), &json!({"sub": "alice", "exp": NOW - 3 * 86_400}))
}

pub fn valid_token() -> String {
    token(&json!({"alg": "HS256", "typ": "JWT"}), &json!({"sub": "alice", "exp": NOW + 7_200}))
}

pub struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Notifications and server requests read while waiting for something else.
    pending: VecDeque<Value>,
    next_id: i64,
}

impl Server {
    pub fn spawn() -> Server {
        Server::spawn_with_env(&[])
    }

    pub fn spawn_with_env(env: &[(&str, &str)]) -> Server {
        Server::spawn_command(env, Stdio::null())
    }

    fn spawn_command(env: &[(&str, &str)], stderr: Stdio) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_jwt-lsp"));
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(stderr);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("spawn jwt-lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Server { child, stdin, messages, pending: VecDeque::new(), next_id: 1 }
    }

    /// `initialize` + `initialized`; returns the initialize result.
    pub fn initialize(&mut self, position_encodings: &[&str], options: Value) -> Value {
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": {
                    "general": { "positionEncodings": position_encodings },
                    "workspace": { "configuration": false },
                    "textDocument": { "publishDiagnostics": { "versionSupport": true } }
                },
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    pub fn initialize_default(&mut self) -> Value {
        self.initialize(&["utf-16"], json!({ "now": NOW }))
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write");
        self.stdin.flush().expect("flush");
    }

    pub fn send(&mut self, message: &Value) {
        let body = message.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response; returns the whole response message.
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(|message| message.get("id") == Some(&json!(id)) && message.get("method").is_none())
    }

    /// Sends a request and returns its `result`, panicking on an error response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    pub fn open(&mut self, uri: &str, language_id: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language_id, "version": version, "text": text}}),
        );
    }

    /// The next `publishDiagnostics` for `uri` whose version is `version` (or any version when
    /// `None`). Earlier, stale publications are skipped.
    pub fn diagnostics(&mut self, uri: &str, version: Option<i32>) -> Vec<Value> {
        let message = self.wait_for(|message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri
                && version.is_none_or(|version| message["params"]["version"] == json!(version))
        });
        message["params"]["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    /// Waits for a message matching `predicate`, answering server requests on the way and keeping
    /// other messages for later waits.
    pub fn wait_for(&mut self, predicate: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.pending.iter().position(&predicate) {
            return self.pending.remove(index).expect("present");
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(message) => {
                    if message.get("method").is_some() && message.get("id").is_some() {
                        self.answer_server_request(&message);
                    }
                    if predicate(&message) {
                        return message;
                    }
                    self.pending.push_back(message);
                }
                Err(RecvTimeoutError::Timeout) => panic!("timed out; unconsumed messages: {:?}", self.pending),
                Err(RecvTimeoutError::Disconnected) => panic!("server closed stdout; unconsumed: {:?}", self.pending),
            }
        }
    }

    fn answer_server_request(&mut self, message: &Value) {
        let result = match message["method"].as_str() {
            Some("workspace/configuration") => json!([null]),
            _ => Value::Null,
        };
        self.send(&json!({"jsonrpc": "2.0", "id": message["id"], "result": result}));
    }

    /// Resident memory of the server process in KiB (Linux).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("proc status");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .expect("VmRSS")
    }

    /// `shutdown` + `exit`; returns the exit status code.
    pub fn shutdown(mut self) -> Option<i32> {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            assert!(Instant::now() < deadline, "server did not exit after `exit`");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("wait").is_none()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Byte offset of `needle` in `text` → (line, UTF-16 column) and (line, UTF-8 column).
pub fn utf16_position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    (line, before[line_start..].encode_utf16().count() as u32)
}

pub fn utf8_position(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    (line, (offset - line_start) as u32)
}

impl Server {
    /// Peak resident memory of the server process so far in KiB (Linux `VmHWM`).
    pub fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("proc status");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .expect("VmHWM")
    }
}

impl Server {
    /// Waits for the process to end on its own; returns its exit status code.
    pub fn wait_for_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Messages received so far that nobody waited for (drains what has arrived).
    pub fn unconsumed(&mut self) -> Vec<Value> {
        while let Ok(message) = self.messages.try_recv() {
            self.pending.push_back(message);
        }
        self.pending.iter().cloned().collect()
    }
}

impl Server {
    /// Writes raw bytes; `false` once the server has closed its input (it exited).
    pub fn try_send_raw(&mut self, bytes: &[u8]) -> bool {
        self.stdin.write_all(bytes).and_then(|()| self.stdin.flush()).is_ok()
    }

    /// Like `spawn_with_env`, with the server's stderr written to `stderr`.
    pub fn spawn_with_stderr(env: &[(&str, &str)], stderr: std::fs::File) -> Server {
        Server::spawn_command(env, stderr.into())
    }
}

/// A CLI run's standard output (the tests' output is UTF-8: anything else is a bug).
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

/// A CLI run's standard error.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8 stderr")
}

/// Writes `contents` to `dir/name`, creating folders on the way.
pub fn write(dir: &std::path::Path, name: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}
