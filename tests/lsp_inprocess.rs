//! The language server in this test process: `jwt_lsp::lsp::serve` over in-memory pipes
//! (`tokio::io::duplex`), driven by a small typed client, with whole responses compared against
//! reviewed snapshots in `snapshots/` (accepting changes: `tests/fixtures/README.md`). Beside
//! `lsp.rs`, which drives the real binary: no process spawn, so a session costs milliseconds.
//! Every session pins the clock through the `now` initialization option.

mod support;

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{Value, json};
use support::{NOW, token, utf16_position};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, WriteHalf};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio::task::JoinHandle;

/// Generous: a response that takes this long is a hang, not a slow machine.
const TIMEOUT: Duration = Duration::from_secs(20);

/// A JavaScript document with several code findings.
const JS_URI: &str = "file:///workspace/src/auth.js";
const JS_TEXT: &str = "\
const jwt = require('jsonwebtoken');

function currentUser(req) {
  return jwt.verify(req.headers.authorization, 'shhhhh', { audience: 'api', issuer: 'https://issuer.example' });
}

function peek(cookie) {
  return jwt.decode(cookie).sub;
}

jwt.verify(token, publicKey, { algorithms: ['RS256', 'none'], audience: 'api', issuer: 'iss', ignoreExpiration: true });
jwt.verify(token, publicKey, { algorithms: ['RS256'], audience: 'api', issuer: 'iss', clockTolerance: 3600 });
";

/// A client on the other end of the pipes: sends requests and notifications, matches responses by
/// id, and keeps the notifications it reads on the way (`publishDiagnostics`) for later waits.
struct Client {
    writer: WriteHalf<DuplexStream>,
    messages: UnboundedReceiver<Value>,
    pending: VecDeque<Value>,
    next_id: i64,
    server: JoinHandle<i32>,
}

impl Client {
    fn start() -> Client {
        let (client_end, server_end) = tokio::io::duplex(1 << 16);
        let (server_input, server_output) = tokio::io::split(server_end);
        let server = tokio::spawn(jwt_lsp::lsp::serve(server_input, server_output));
        let (reader, writer) = tokio::io::split(client_end);
        let (sender, messages) = unbounded_channel();
        tokio::spawn(async move {
            let mut reader = BufReader::new(reader);
            while let Some(message) = read_message(&mut reader).await {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Client { writer, messages, pending: VecDeque::new(), next_id: 1, server }
    }

    /// `initialize` (UTF-16 only, clock pinned, no pull configuration) + `initialized`.
    async fn initialize(&mut self) -> Value {
        self.initialize_with(json!({ "now": NOW })).await
    }

    async fn initialize_with(&mut self, options: Value) -> Value {
        let result = self
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": null,
                    "capabilities": {
                        "general": { "positionEncodings": ["utf-16"] },
                        "workspace": { "configuration": false },
                        "textDocument": { "publishDiagnostics": { "versionSupport": true } }
                    },
                    "initializationOptions": options,
                }),
            )
            .await;
        self.notify("initialized", json!({})).await;
        result
    }

    /// `initialize` with a workspace folder (the workspace index runs) and extra options.
    async fn initialize_in(&mut self, root: &std::path::Path, options: Value) -> Value {
        self.initialize_in_with(root, options, false).await
    }

    /// `initialize_in`; `pull`: the client pulls diagnostics (`textDocument.diagnostic`).
    async fn initialize_in_with(&mut self, root: &std::path::Path, options: Value, pull: bool) -> Value {
        self.initialize_in_with_capabilities(root, options, pull, json!({})).await
    }

    /// `initialize_in_with`, with `window` capabilities (`workDoneProgress`: the index reports
    /// how many files each run read).
    async fn initialize_in_with_capabilities(
        &mut self,
        root: &std::path::Path,
        options: Value,
        pull: bool,
        window: Value,
    ) -> Value {
        let mut text_document = json!({ "publishDiagnostics": { "versionSupport": true, "relatedInformation": true } });
        if pull {
            text_document["diagnostic"] = json!({ "dynamicRegistration": false, "relatedDocumentSupport": false });
        }
        let mut initialization_options = json!({ "now": NOW });
        if let (Some(all), Some(extra)) = (initialization_options.as_object_mut(), options.as_object()) {
            all.extend(extra.clone());
        }
        let result = self
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": file_uri(root),
                    "capabilities": {
                        "general": { "positionEncodings": ["utf-16"] },
                        "workspace": { "configuration": false },
                        "textDocument": text_document,
                        "window": window,
                    },
                    "initializationOptions": initialization_options,
                }),
            )
            .await;
        self.notify("initialized", json!({})).await;
        result
    }

    async fn send(&mut self, message: &Value) {
        let body = message.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.writer.write_all(frame.as_bytes()).await.expect("write to the server");
        self.writer.flush().await.expect("flush");
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params})).await;
    }

    /// Sends a request, awaits the response with its id and returns its `result`.
    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
        let response =
            self.wait_for(|message| message.get("id") == Some(&json!(id)) && message.get("method").is_none()).await;
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    async fn open(&mut self, uri: &str, language_id: &str, text: &str) {
        let document = json!({"uri": uri, "languageId": language_id, "version": 1, "text": text});
        self.notify("textDocument/didOpen", json!({ "textDocument": document })).await;
    }

    /// The diagnostics published for version 1 of `uri`.
    async fn diagnostics(&mut self, uri: &str) -> Value {
        let message = self
            .wait_for(|message| {
                message["method"] == "textDocument/publishDiagnostics"
                    && message["params"]["uri"] == uri
                    && message["params"]["version"] == 1
            })
            .await;
        message["params"]["diagnostics"].clone()
    }

    async fn wait_for(&mut self, predicate: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.pending.iter().position(&predicate) {
            return self.pending.remove(index).expect("present");
        }
        loop {
            let message = tokio::time::timeout(TIMEOUT, self.messages.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out; unconsumed messages: {:?}", self.pending))
                .unwrap_or_else(|| panic!("the server closed its output; unconsumed: {:?}", self.pending));
            if message.get("method").is_some() && message.get("id").is_some() {
                // A server request (progress, capability registration, refresh): acknowledge it.
                self.send(&json!({"jsonrpc": "2.0", "id": message["id"], "result": null})).await;
            }
            if predicate(&message) {
                return message;
            }
            self.pending.push_back(message);
        }
    }

    /// `shutdown` + `exit`; the exit status of `serve`.
    async fn shutdown(mut self) -> i32 {
        self.request("shutdown", Value::Null).await;
        self.notify("exit", Value::Null).await;
        tokio::time::timeout(TIMEOUT, self.server).await.expect("serve ends after `exit`").expect("serve task")
    }
}

async fn read_message(reader: &mut BufReader<tokio::io::ReadHalf<DuplexStream>>) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
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
    reader.read_exact(&mut body).await.ok()?;
    serde_json::from_slice(&body).ok()
}

/// `file:///…` for an absolute path (the fixtures' paths are plain ASCII).
fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.to_string_lossy())
}

/// The two-service workspace fixture (`tests/fixtures/workspace/multi`), absolute.
fn multi_workspace() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workspace/multi")
}

/// A copy of a folder in a temporary one (tests that change files on disk).
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).expect("fixture folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The end of the next workspace index run's `$/progress`: its summary ("1 of 12 files read,
/// …").
async fn index_run_summary(client: &mut Client) -> String {
    let end = client
        .wait_for(|message| {
            message["method"] == "$/progress"
                && message["params"]["token"]
                    .as_str()
                    .is_some_and(|token| token.starts_with("jwt-lsp/index-workspace/"))
                && message["params"]["value"]["kind"] == "end"
        })
        .await;
    end["params"]["value"]["message"].as_str().expect("a summary").to_string()
}

/// The indexing progress has a cancel button; the client's `window/workDoneProgress/cancel` reaches
/// the server (tower-lsp-server does not route it itself) and the session goes on. (That a cancelled
/// walk keeps nothing is `a_cancelled_walk_keeps_nothing` in `src/lsp/server/workspace.rs`: here the
/// walk of a small folder may end before the cancel arrives.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_index_progress_can_be_cancelled() {
    let folder = tempfile::tempdir().expect("temp dir");
    let root = folder.path().canonicalize().expect("canonical");
    copy_tree(&multi_workspace(), &root);
    let mut client = Client::start();
    client.initialize_in_with_capabilities(&root, json!({}), false, json!({"workDoneProgress": true})).await;
    let begin = client
        .wait_for(|message| {
            message["method"] == "$/progress"
                && message["params"]["value"]["kind"] == "begin"
                && message["params"]["token"]
                    .as_str()
                    .is_some_and(|token| token.starts_with("jwt-lsp/index-workspace/"))
        })
        .await;
    assert_eq!(begin["params"]["value"]["cancellable"], true, "{begin}");
    let token = begin["params"]["token"].clone();
    client.notify("window/workDoneProgress/cancel", json!({ "token": token })).await;
    let end = client
        .wait_for(|message| {
            message["method"] == "$/progress"
                && message["params"]["token"] == token
                && message["params"]["value"]["kind"] == "end"
        })
        .await;
    let said = end["params"]["value"]["message"].as_str().expect("a message");
    assert!(said == "cancelled" || said.contains("files read"), "{said}");
    // The server still answers.
    let symbols = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": file_uri(&root.join("none.txt"))}, "position": {"line": 0, "character": 0}}),
        )
        .await;
    assert!(symbols.is_null(), "{symbols}");
    assert_eq!(client.shutdown().await, 0);
}

/// `workspace/didChangeWatchedFiles` for one file (`typ`: 1 created, 2 changed, 3 deleted).
async fn watched_file_changed(client: &mut Client, path: &std::path::Path, typ: u8) {
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": file_uri(path), "type": typ}]})).await;
}

fn position(text: &str, offset: usize) -> Value {
    let (line, character) = utf16_position(text, offset);
    json!({"line": line, "character": character})
}

/// An expired HS256 token (filler signature) on a line where CJK text and emoji precede it: 11
/// UTF-16 code units, 18 bytes. Returns the document and the token's byte range.
fn cjk_token_document() -> (String, std::ops::Range<usize>) {
    let token = token(
        &json!({"alg": "HS256", "typ": "JWT"}),
        &json!({"sub": "alice", "iss": "https://issuer.example", "iat": NOW - 4 * 86_400, "exp": NOW - 3 * 86_400}),
    );
    let text = format!("# 設定ファイル 🔑\nTOKEN_説明=\"🎉{token}\" # 期限切れ 😀\n");
    let start = text.find(&token).expect("token in the document");
    (text, start..start + token.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialize_result() {
    let mut client = Client::start();
    let mut result = client.initialize().await;
    // The crate version changes with every release and says nothing about the protocol.
    assert_eq!(result["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
    result["serverInfo"]["version"] = json!("[version]");
    insta::assert_json_snapshot!("initialize_result", result);
    assert_eq!(client.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_for_javascript_code_findings() {
    let mut client = Client::start();
    client.initialize().await;
    client.open(JS_URI, "javascript", JS_TEXT).await;
    let diagnostics = client.diagnostics(JS_URI).await;
    let codes: Vec<&str> = diagnostics.as_array().expect("array").iter().filter_map(|d| d["code"].as_str()).collect();
    for code in ["verify-bearer-prefix", "hardcoded-secret", "decode-without-verify", "verify-allows-none"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    insta::assert_json_snapshot!("diagnostics_javascript", diagnostics);
    assert_eq!(client.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_actions_on_a_finding() {
    let mut client = Client::start();
    client.initialize().await;
    client.open(JS_URI, "javascript", JS_TEXT).await;
    let diagnostics = client.diagnostics(JS_URI).await;
    let missing = diagnostics
        .as_array()
        .expect("array")
        .iter()
        .find(|d| d["code"] == "verify-missing-algorithms")
        .expect("verify-missing-algorithms on currentUser")
        .clone();
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": JS_URI},
                "range": missing["range"],
                "context": {"diagnostics": [missing], "only": ["quickfix"]},
            }),
        )
        .await;
    assert!(
        actions.as_array().expect("array").iter().any(|action| action["isPreferred"] == true),
        "a preferred fix: {actions}"
    );
    insta::assert_json_snapshot!("code_actions_verify_missing_algorithms", actions);
    assert_eq!(client.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_on_a_token_after_cjk_and_emoji() {
    let (text, token) = cjk_token_document();
    let uri = "file:///workspace/config/app.env";
    let mut client = Client::start();
    client.initialize().await;
    client.open(uri, "dotenv", &text).await;
    client.diagnostics(uri).await;
    assert_eq!(position(&text, token.start), json!({"line": 1, "character": 12}), "sanity: 11 units precede it");
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position(&text, token.start + 40)}),
        )
        .await;
    assert_eq!(hover["range"], json!({"start": position(&text, token.start), "end": position(&text, token.end)}));
    insta::assert_json_snapshot!("hover_token_after_cjk", hover);

    // The last UTF-16 unit of the emoji before the token is not the token.
    let before = client
        .request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 11}}))
        .await;
    assert!(before.is_null(), "{before}");
    assert_eq!(client.shutdown().await, 0);
}

/// An HS256 token signed with `secret`.
fn signed_hs256(secret: &str) -> String {
    use base64::Engine;
    use hmac::{KeyInit, Mac};
    let unsigned = token(&json!({"alg": "HS256", "typ": "JWT"}), &json!({"sub": "alice", "exp": NOW + 3600}));
    let input = &unsigned[..unsigned.rfind('.').unwrap()];
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{input}.{signature}")
}

/// The built-in 104k list: tried on hover for the hovered token alone, and for every token when
/// the `wordlist` setting is `builtin`. `34921C67` is in wallarm's list, not among the published
/// defaults the quick search tries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_tries_the_builtin_wordlist_and_the_setting_reports_it() {
    let uri = "file:///workspace/config/app.env";
    let weak = signed_hs256("34921C67");
    let strong = signed_hs256("a long random secret nobody published 8f1c2a");
    let text = format!("WEAK={weak}\nSTRONG={strong}\n");

    let mut client = Client::start();
    client.initialize().await;
    client.open(uri, "dotenv", &text).await;
    let diagnostics = client.diagnostics(uri).await;
    assert!(
        !diagnostics.to_string().contains("token-weak-secret"),
        "bulk analysis keeps to the short list: {diagnostics}"
    );
    let hover_at = |offset: usize| json!({"textDocument": {"uri": uri}, "position": position(&text, offset)});
    // A hover is a lookup: the first one starts the search in the background and says so; a later
    // one shows the verdict (one search at a time, so the strong token may wait for the weak one's).
    let mut verdicts = Vec::new();
    for token in [&weak, &strong] {
        let at = hover_at(text.find(token.as_str()).unwrap() + 20);
        let first = client.request("textDocument/hover", at.clone()).await;
        let first = first["contents"]["value"].as_str().expect("markdown").to_string();
        assert!(first.contains("**Built-in wordlist:** searching"), "{first}");
        let deadline = std::time::Instant::now() + TIMEOUT;
        loop {
            let hover = client.request("textDocument/hover", at.clone()).await;
            let markdown = hover["contents"]["value"].as_str().expect("markdown").to_string();
            if !markdown.contains("**Built-in wordlist:** searching") {
                verdicts.push(markdown);
                break;
            }
            assert!(std::time::Instant::now() < deadline, "no verdict: {markdown}");
            client.request("textDocument/hover", at.clone()).await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    assert!(
        verdicts[0].contains("**Built-in wordlist:** the signature verifies with the publicly known secret `34921C67`"),
        "{}",
        verdicts[0]
    );
    assert!(
        verdicts[1].contains("**Built-in wordlist:** not one of the 103,781 publicly known JWT secrets"),
        "{}",
        verdicts[1]
    );
    assert_eq!(client.shutdown().await, 0);

    let mut client = Client::start();
    client.initialize_with(json!({ "now": NOW, "wordlist": "builtin" })).await;
    client.open(uri, "dotenv", &text).await;
    let weak_line = client
        .wait_for(|message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["diagnostics"].to_string().contains("token-weak-secret")
        })
        .await;
    let diagnostics = weak_line["params"]["diagnostics"].as_array().expect("array").clone();
    let weak_secrets: Vec<&Value> = diagnostics.iter().filter(|d| d["code"] == "token-weak-secret").collect();
    assert_eq!(weak_secrets.len(), 1, "{diagnostics:?}");
    assert_eq!(weak_secrets[0]["range"]["start"]["line"], 0);
    assert!(weak_secrets[0]["message"].as_str().unwrap().contains("built-in (wallarm/jwt-secrets)"));
    assert_eq!(client.shutdown().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inlay_hints_for_a_range() {
    let (text, first) = cjk_token_document();
    let second = token(&json!({"alg": "HS256", "kid": "k1"}), &json!({"sub": "bob", "exp": NOW + 7_200}));
    let text = format!("{text}OTHER=\"{second}\"\n\nLAST=\"{second}\"\n");
    let uri = "file:///workspace/config/app.env";
    let mut client = Client::start();
    client.initialize().await;
    client.open(uri, "dotenv", &text).await;
    client.diagnostics(uri).await;
    // Lines 0–2: the first two tokens, not the one on line 4.
    let hints = client
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri},
                   "range": {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}}}),
        )
        .await;
    assert_eq!(hints.as_array().expect("array").len(), 2, "{hints}");
    assert_eq!(hints[0]["position"], position(&text, first.end));
    insta::assert_json_snapshot!("inlay_hints_lines_0_to_2", hints);
    assert_eq!(client.shutdown().await, 0);
}

/// The workspace index reports tokens its verifiers reject in files nobody opened, with the
/// rejecting verifier as related information.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_findings_reach_files_nobody_opened() {
    let root = multi_workspace();
    let tokens = file_uri(&root.join("billing/tokens.txt"));
    let mut client = Client::start();
    client.initialize_in(&root, json!({})).await;
    let published = client
        .wait_for(|message| {
            message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == tokens.as_str()
        })
        .await;
    let diagnostics = published["params"]["diagnostics"].as_array().expect("array").clone();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["code"], "token-rejected-by-verifier");
    assert_eq!(diagnostic["range"]["start"], json!({"line": 3, "character": 6}));
    assert!(diagnostic["message"].as_str().unwrap().contains("billing/billing/auth.py:7"), "{diagnostic}");
    let related = &diagnostic["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], file_uri(&root.join("billing/billing/auth.py")));
    assert_eq!(related["location"]["range"]["start"], json!({"line": 6, "character": 11}));
    assert!(related["message"].as_str().unwrap().contains("signature does not verify"));

    // The verifier's code lens and hover on a token, once the index is there.
    let auth = file_uri(&root.join("billing/billing/auth.py"));
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": auth}})).await;
    assert_eq!(lenses[0]["command"]["title"], "accepts 3 of 5 tokens in this workspace", "{lenses}");
    assert_eq!(lenses[0]["range"]["start"]["line"], 6);
    let listed = client
        .request(
            "workspace/executeCommand",
            json!({"command": "jwt-lsp.verifierTokens", "arguments": lenses[0]["command"]["arguments"].clone()}),
        )
        .await;
    let verdicts: Vec<&str> =
        listed.as_array().unwrap().iter().map(|entry| entry["verdict"].as_str().unwrap()).collect();
    assert_eq!(verdicts.iter().filter(|verdict| **verdict == "accepts").count(), 3, "{listed}");
    assert_eq!(verdicts.len(), 5);

    let text = std::fs::read_to_string(root.join("billing/tokens.txt")).unwrap();
    client.open(&tokens, "dotenv", &text).await;
    let opened = client.diagnostics(&tokens).await;
    assert!(opened.as_array().unwrap().iter().any(|d| d["code"] == "token-rejected-by-verifier"), "merged: {opened}");
    let offset = text.find("TOKEN=").unwrap() + 10;
    let hover = client
        .request("textDocument/hover", json!({"textDocument": {"uri": tokens}, "position": position(&text, offset)}))
        .await;
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(markdown.contains("**Verifiers in this workspace**"), "{markdown}");
    assert!(markdown.contains("`billing/billing/auth.py:7` (PyJWT) accepts"), "{markdown}");
    assert_eq!(client.shutdown().await, 0);
}

/// `diagnosticsScope: openFiles`: workspace findings only in open documents.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_scope_open_files_keeps_unopened_files_quiet() {
    let root = multi_workspace();
    let tokens = root.join("orders/fixtures/token-rejected-by-verifier.fires.txt");
    let uri = file_uri(&tokens);
    let text = std::fs::read_to_string(&tokens).unwrap();
    let mut client = Client::start();
    client.initialize_in(&root, json!({"diagnosticsScope": "openFiles"})).await;
    client.open(&uri, "plaintext", &text).await;
    // Published once with the document's own findings, again when the index adds its own.
    let merged = client
        .wait_for(|message| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri.as_str()
                && message["params"]["diagnostics"]
                    .as_array()
                    .is_some_and(|all| all.iter().any(|d| d["code"] == "token-rejected-by-verifier"))
        })
        .await;
    let lines: Vec<u64> = merged["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "token-rejected-by-verifier")
        .map(|d| d["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![4, 6]);
    let billing = file_uri(&root.join("billing/tokens.txt"));
    assert!(
        !client.pending.iter().any(|message| message["params"]["uri"] == billing.as_str()),
        "an unopened file got diagnostics"
    );
    assert_eq!(client.shutdown().await, 0);
}

/// A client that pulls diagnostics (VS Code) gets the workspace's findings from
/// `workspace/diagnostic` and `textDocument/diagnostic`, with result ids, after a refresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_diagnostics_serve_workspace_findings_with_result_ids() {
    let root = multi_workspace();
    let tokens = file_uri(&root.join("billing/tokens.txt"));
    let mut client = Client::start();
    let result = client.initialize_in_with(&root, json!({}), true).await;
    assert_eq!(result["capabilities"]["diagnosticProvider"]["workspaceDiagnostics"], true);
    client.wait_for(|message| message["method"] == "workspace/diagnostic/refresh").await;
    let report = client.request("workspace/diagnostic", json!({"previousResultIds": []})).await;
    let items = report["items"].as_array().expect("items");
    let item = items.iter().find(|item| item["uri"] == tokens.as_str()).expect("the billing tokens");
    assert_eq!(item["kind"], "full");
    assert_eq!(item["items"][0]["code"], "token-rejected-by-verifier");
    assert_eq!(item["items"][0]["range"]["start"]["line"], 3);
    let result_id = item["resultId"].as_str().expect("a result id").to_string();
    assert_eq!(items.len(), 2, "billing's and orders' token files: {report}");

    let again = client
        .request("workspace/diagnostic", json!({"previousResultIds": [{"uri": tokens, "value": result_id}]}))
        .await;
    let item = again["items"].as_array().unwrap().iter().find(|item| item["uri"] == tokens.as_str()).unwrap().clone();
    assert_eq!(item["kind"], "unchanged");

    let document = client.request("textDocument/diagnostic", json!({"textDocument": {"uri": tokens}})).await;
    assert_eq!(document["kind"], "full");
    assert_eq!(document["items"].as_array().unwrap().len(), 1);
    let unchanged = client
        .request("textDocument/diagnostic", json!({"textDocument": {"uri": tokens}, "previousResultId": result_id}))
        .await;
    assert_eq!(unchanged["kind"], "unchanged");
    // Nothing was pushed for the file nobody opened.
    assert!(
        !client.pending.iter().any(|message| message["method"] == "textDocument/publishDiagnostics"
            && message["params"]["uri"] == tokens.as_str())
    );
    assert_eq!(client.shutdown().await, 0);
}

/// Issue 11: a change reads only the changed file again; every token is judged again from the
/// kept facts. A token removed from a file goes from its findings, and files whose findings stay
/// the same are not sent again; a new secret in billing's `.env` makes its verifier reject the
/// billing token it accepted, in a file that was not read again; a deleted file's findings go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watched_file_changes_reindex_only_those_files() {
    let folder = tempfile::tempdir().expect("temp dir");
    let root = folder.path().canonicalize().expect("canonical");
    copy_tree(&multi_workspace(), &root);
    let tokens = file_uri(&root.join("billing/tokens.txt"));
    let orders = root.join("orders/fixtures/token-rejected-by-verifier.fires.txt");
    let orders_uri = file_uri(&orders);
    let mut client = Client::start();
    client.initialize_in_with_capabilities(&root, json!({}), false, json!({"workDoneProgress": true})).await;
    let summary = index_run_summary(&mut client).await;
    let files: usize = summary.split(" of ").nth(1).and_then(|rest| rest.split(' ').next()).unwrap().parse().unwrap();
    assert!(summary.starts_with(&format!("{files} of {files} files read")), "the first run walks: {summary}");
    let published = |uri: String, count: usize| {
        move |message: &Value| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri.as_str()
                && message["params"]["diagnostics"].as_array().is_some_and(|all| all.len() == count)
        }
    };
    client.wait_for(published(tokens.clone(), 1)).await;
    client.wait_for(published(orders_uri.clone(), 2)).await;

    // One token fewer in the orders file: its findings change, billing's are not sent again.
    let text = std::fs::read_to_string(&orders).unwrap();
    let kept: Vec<&str> = text.lines().take(5).collect();
    std::fs::write(&orders, kept.join("\n") + "\n").unwrap();
    watched_file_changed(&mut client, &orders, 2).await;
    let summary = index_run_summary(&mut client).await;
    assert!(summary.starts_with(&format!("1 of {files} files read")), "{summary}");
    let one = client.wait_for(published(orders_uri.clone(), 1)).await;
    assert_eq!(one["params"]["diagnostics"][0]["range"]["start"]["line"], 4);
    assert!(
        !client.pending.iter().any(|message| message["params"]["uri"] == tokens.as_str()),
        "billing's findings did not change and were not sent again"
    );

    // Another secret: the billing token its verifier accepted no longer verifies, in a file
    // that is not read again.
    let env = root.join("billing/.env");
    let values = std::fs::read_to_string(&env).unwrap();
    assert!(values.contains("BILLING_JWT_SECRET="), "the fixture's variable");
    std::fs::write(&env, "BILLING_JWT_SECRET=another-secret-than-the-tokens-were-signed-with\n").unwrap();
    watched_file_changed(&mut client, &env, 2).await;
    let summary = index_run_summary(&mut client).await;
    assert!(summary.starts_with(&format!("1 of {files} files read")), "{summary}");
    let both = client.wait_for(published(tokens.clone(), 2)).await;
    for diagnostic in both["params"]["diagnostics"].as_array().unwrap() {
        assert_eq!(diagnostic["code"], "token-rejected-by-verifier");
        assert!(diagnostic["message"].as_str().unwrap().contains("signature does not verify"), "{diagnostic}");
    }

    std::fs::remove_file(&orders).unwrap();
    watched_file_changed(&mut client, &orders, 3).await;
    let summary = index_run_summary(&mut client).await;
    assert!(summary.starts_with(&format!("0 of {} files read", files - 1)), "{summary}");
    client.wait_for(published(orders_uri.clone(), 0)).await;
    assert_eq!(client.shutdown().await, 0);
}

/// Issue 13: a lockfile rewritten outside the editor (`npm install`) changes the version the
/// open code is judged by: without an allow-list, `jwt.verify` is an error under jsonwebtoken
/// 8.5.1 and a warning under 9.0.2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lockfile_changed_on_disk_reanalyses_the_services_open_code() {
    let folder = tempfile::tempdir().expect("temp dir");
    let root = folder.path().canonicalize().expect("canonical");
    let lockfile = |version: &str| {
        json!({
            "name": "orders", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
            "packages": {
                "": {"name": "orders", "version": "1.0.0", "dependencies": {"jsonwebtoken": "^8.5.0"}},
                "node_modules/jsonwebtoken": {"version": version},
            },
        })
        .to_string()
    };
    std::fs::write(root.join("package.json"), r#"{"name": "orders", "dependencies": {"jsonwebtoken": "^8.5.0"}}"#)
        .unwrap();
    std::fs::write(root.join("package-lock.json"), lockfile("8.5.1")).unwrap();
    std::fs::create_dir(root.join("src")).unwrap();
    let code = "const jwt = require('jsonwebtoken');\n\nmodule.exports = (token, key) => jwt.verify(token, key, { audience: 'orders', issuer: 'https://auth.example.com' });\n";
    let source = root.join("src/auth.js");
    std::fs::write(&source, code).unwrap();
    let uri = file_uri(&source);
    let mut client = Client::start();
    client.initialize_in(&root, json!({})).await;
    client.open(&uri, "javascript", code).await;
    let severity_of_missing_algorithms = |uri: String, severity: u64| {
        move |message: &Value| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri.as_str()
                && message["params"]["diagnostics"].as_array().is_some_and(|all| {
                    all.iter().any(|d| d["code"] == "verify-missing-algorithms" && d["severity"] == severity)
                })
        }
    };
    let before = client.wait_for(severity_of_missing_algorithms(uri.clone(), 1)).await;
    let message = before["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "verify-missing-algorithms")
        .unwrap()["message"]
        .clone();
    assert!(message.as_str().unwrap().contains("8.5.1"), "{message}");

    std::fs::write(root.join("package-lock.json"), lockfile("9.0.2")).unwrap();
    watched_file_changed(&mut client, &root.join("package-lock.json"), 2).await;
    let after = client.wait_for(severity_of_missing_algorithms(uri.clone(), 2)).await;
    let message = after["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "verify-missing-algorithms")
        .unwrap()["message"]
        .clone();
    assert!(message.as_str().unwrap().contains("9.0.2"), "{message}");
    assert_eq!(client.shutdown().await, 0);
}

/// The indexed folder is removed and another added (`workspace/didChangeWorkspaceFolders`): the
/// new folder is walked, and the old one's findings are cleared.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workspace_folder_change_walks_the_new_folder() {
    let old_root = multi_workspace();
    let folder = tempfile::tempdir().expect("temp dir");
    let new_root = folder.path().canonicalize().expect("canonical");
    copy_tree(&old_root.join("orders"), &new_root);
    let billing = file_uri(&old_root.join("billing/tokens.txt"));
    let orders = file_uri(&new_root.join("fixtures/token-rejected-by-verifier.fires.txt"));
    let mut client = Client::start();
    let result = client.initialize_in(&old_root, json!({})).await;
    assert_eq!(result["capabilities"]["workspace"]["workspaceFolders"]["changeNotifications"], true);
    let is_published = |uri: String, empty: bool| {
        move |message: &Value| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == uri.as_str()
                && message["params"]["diagnostics"].as_array().is_some_and(|all| all.is_empty() == empty)
        }
    };
    client.wait_for(is_published(billing.clone(), false)).await;
    client
        .notify(
            "workspace/didChangeWorkspaceFolders",
            json!({"event": {
                "added": [{"uri": file_uri(&new_root), "name": "orders"}],
                "removed": [{"uri": file_uri(&old_root), "name": "multi"}],
            }}),
        )
        .await;
    client.wait_for(is_published(billing, true)).await;
    let published = client.wait_for(is_published(orders, false)).await;
    // Alone, the orders service's verifier is the only one that receives its tokens.
    let messages: Vec<&str> = published["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|diagnostic| diagnostic["message"].as_str().unwrap())
        .collect();
    assert!(messages.iter().all(|message| message.starts_with("Rejected by src/auth.js:4")), "{messages:?}");
    assert_eq!(client.shutdown().await, 0);
}

/// The indexed folder is removed and none added: its findings are cleared, nothing is walked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_the_only_workspace_folder_clears_its_findings() {
    let root = multi_workspace();
    let billing = file_uri(&root.join("billing/tokens.txt"));
    let mut client = Client::start();
    client.initialize_in(&root, json!({})).await;
    let published = |empty: bool| {
        let billing = billing.clone();
        move |message: &Value| {
            message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["uri"] == billing.as_str()
                && message["params"]["diagnostics"].as_array().is_some_and(|all| all.is_empty() == empty)
        }
    };
    client.wait_for(published(false)).await;
    let event = json!({"event": {"added": [], "removed": [{"uri": file_uri(&root), "name": "multi"}]}});
    client.notify("workspace/didChangeWorkspaceFolders", event).await;
    client.wait_for(published(true)).await;
    let lenses = client
        .request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": file_uri(&root.join("billing/billing/auth.py"))}}),
        )
        .await;
    assert_eq!(lenses, json!([]), "no lens once nothing is indexed");
    assert_eq!(client.shutdown().await, 0);
}
