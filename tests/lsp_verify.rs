//! The server end to end with keys: workspace discovery with work-done progress, the hover
//! checklist, `jwt-lsp.explainToken`, `.jwt-lsp.toml` applied and re-applied without a restart,
//! the background wordlist search, and `jwt-lsp.refreshJwks` against a loopback JWKS server.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::Server;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A token signed for real with `scripts/mint.py`-compatible code: RS256 with the test key.
fn rs256(kid: &str, payload: &str) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(
        &std::fs::read(repo().join("tests/keys/rsa-2048.private.pem")).unwrap(),
    )
    .unwrap();
    let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#));
    let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(payload));
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &key, jsonwebtoken::Algorithm::RS256).unwrap();
    format!("{input}.{signature}")
}

fn hs256(secret: &[u8], payload: &str) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let key = jsonwebtoken::EncodingKey::from_secret(secret).unwrap();
    let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#), URL_SAFE_NO_PAD.encode(payload));
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256).unwrap();
    format!("{input}.{signature}")
}

const PAYLOAD: &str = r#"{"sub":"alice","iss":"https://auth.example.com","aud":"api://orders","exp":1798761600}"#;

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// `initialize` with a workspace root and the client capabilities the verification uses.
fn start(server: &mut Server, root: &Path, options: Value) {
    server.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri_of(root),
            "capabilities": {
                "general": { "positionEncodings": ["utf-16"] },
                "window": { "workDoneProgress": true },
                "workspace": { "configuration": false, "didChangeWatchedFiles": { "dynamicRegistration": true } },
                "textDocument": { "publishDiagnostics": { "versionSupport": true } }
            },
            "initializationOptions": options,
        }),
    );
    server.notify("initialized", json!({}));
}

fn codes(message: &Value) -> Vec<String> {
    message["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Waits for a publication for `uri` whose codes satisfy `predicate`.
fn diagnostics_where(server: &mut Server, uri: &str, predicate: impl Fn(&[String]) -> bool) -> Vec<String> {
    let message = server.wait_for(|message| {
        message["method"] == "textDocument/publishDiagnostics"
            && message["params"]["uri"] == uri
            && predicate(&codes(message))
    });
    codes(&message)
}

#[test]
fn discovered_jwks_drives_diagnostics_hover_and_explain() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".well-known")).unwrap();
    std::fs::copy(repo().join("tests/keys/fixture.jwks.json"), root.join(".well-known/jwks.json")).unwrap();
    let document = root.join("request.http");
    let text = format!("Authorization: Bearer {}\n", rs256("2025-07", PAYLOAD));
    std::fs::write(&document, &text).unwrap();
    let uri = uri_of(&document);

    let mut server = Server::spawn();
    start(&mut server, root, json!({"now": "2026-01-01T00:00:00Z"}));
    server.open(&uri, "http", 1, &text);
    let begin = server.wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin");
    assert!(begin["params"]["value"]["title"].as_str().unwrap().contains("finding keys"));
    let end = server.wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
    assert!(end["params"]["value"]["message"].as_str().unwrap().starts_with("1 key in 1 file"), "{end}");
    let found = diagnostics_where(&mut server, &uri, |codes| codes.iter().any(|code| code == "token-kid-unknown"));
    assert_eq!(found, ["token-kid-unknown"]);

    let hover = server
        .request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 30}}));
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(markdown.contains("**Verification**"), "{markdown}");
    assert!(
        markdown.contains("③ kid ✗ `2025-07` not in .well-known/jwks.json (rotated? refresh the JWKS)"),
        "{markdown}"
    );

    let explained = server.request(
        "workspace/executeCommand",
        json!({"command": "jwt-lsp.explainToken", "arguments": [{"uri": uri, "position": {"line": 0, "character": 30}}]}),
    );
    let plain = explained["text"].as_str().unwrap();
    assert!(plain.contains("Verdict: ✗ ③ kid"), "{plain}");
    let nothing = server.request(
        "workspace/executeCommand",
        json!({"command": "jwt-lsp.explainToken", "arguments": [{"uri": uri, "position": {"line": 5, "character": 0}}]}),
    );
    assert!(nothing.is_null());
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn project_file_applies_and_changes_apply_without_restart() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let project = root.join(".jwt-lsp.toml");
    std::fs::write(&project, "audiences = [\"api://billing\"]\nallow_network = true\nkeys = [\"pub.pem\"]\n").unwrap();
    std::fs::copy(repo().join("tests/keys/rsa-2048.public.pem"), root.join("pub.pem")).unwrap();
    let document = root.join("token.env");
    let text = format!("TOKEN={}\n", rs256("any", PAYLOAD));
    std::fs::write(&document, &text).unwrap();
    let uri = uri_of(&document);

    let mut server = Server::spawn();
    start(&mut server, root, json!({"now": "2026-01-01T00:00:00Z", "audiences": ["api://orders"]}));
    let warning = server.wait_for(|m| {
        m["method"] == "window/showMessage" && m["params"]["message"].as_str().unwrap().contains("allow_network")
    });
    assert!(warning["params"]["message"].as_str().unwrap().contains("never by a file in the repository"));
    server.open(&uri, "dotenv", 1, &text);
    // The file wins over the client's `audiences`.
    diagnostics_where(&mut server, &uri, |codes| codes == ["token-audience-mismatch"]);

    std::fs::write(&project, "audiences = [\"api://orders\"]\nkeys = [\"pub.pem\"]\n").unwrap();
    server.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": uri_of(&project), "type": 2}]}));
    diagnostics_where(&mut server, &uri, |codes| codes.is_empty());

    // Saving the file applies it too (clients that do not watch files).
    std::fs::write(&project, "issuers = [\"https://other.example.com\"]\nkeys = [\"pub.pem\"]\n").unwrap();
    server.notify("textDocument/didSave", json!({"textDocument": {"uri": uri_of(&project)}}));
    diagnostics_where(&mut server, &uri, |codes| codes == ["token-issuer-mismatch"]);

    // A broken file keeps the last good settings and says why, with the line.
    std::fs::write(&project, "issuers = [\n").unwrap();
    server.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": uri_of(&project), "type": 2}]}));
    let broken = server.wait_for(|m| {
        m["method"] == "window/showMessage" && m["params"]["message"].as_str().unwrap().contains("keeping the previous")
    });
    assert!(broken["params"]["message"].as_str().unwrap().contains("line"), "{broken}");
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn the_wordlist_is_searched_in_the_background() {
    let list = std::fs::read_to_string(repo().join("data/jwt.secrets.list")).unwrap();
    let deep = list.lines().nth(100_000).unwrap().trim_end_matches('\r').to_string();
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("a.env");
    let text = format!("T={}\n", hs256(deep.as_bytes(), PAYLOAD));
    let uri = uri_of(&document);
    let mut server = Server::spawn();
    let wordlist = repo().join("data/jwt.secrets.list");
    start(&mut server, dir.path(), json!({"now": "2026-01-01T00:00:00Z", "wordlist": wordlist.to_string_lossy()}));
    server.open(&uri, "dotenv", 1, &text);
    let found = diagnostics_where(&mut server, &uri, |codes| codes.iter().any(|code| code == "token-weak-secret"));
    assert_eq!(found, ["token-weak-secret"]);
    assert_eq!(server.shutdown(), Some(0));
}

/// Serves one JWKS body (swappable) on 127.0.0.1 until dropped (at most 60 s), a thread per
/// request, each answered after `delay`; counts requests.
struct JwksServer {
    url: String,
    body: Arc<Mutex<String>>,
    stop: Arc<Mutex<bool>>,
    hits: Arc<Mutex<usize>>,
}

impl JwksServer {
    fn start(body: &str) -> JwksServer {
        JwksServer::start_slow(body, Duration::ZERO)
    }

    fn start_slow(body: &str, delay: Duration) -> JwksServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
        let body = Arc::new(Mutex::new(body.to_string()));
        let stop = Arc::new(Mutex::new(false));
        let hits = Arc::new(Mutex::new(0));
        let (served, stopping, counted) = (body.clone(), stop.clone(), hits.clone());
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !*stopping.lock().unwrap() && Instant::now() < deadline {
                let Ok((mut stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                let (served, counted) = (served.clone(), counted.clone());
                std::thread::spawn(move || {
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                    let mut request = [0u8; 4096];
                    let _ = stream.read(&mut request);
                    *counted.lock().unwrap() += 1;
                    std::thread::sleep(delay);
                    let body = served.lock().unwrap().clone();
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        JwksServer { url, body, stop, hits }
    }

    fn hits(&self) -> usize {
        *self.hits.lock().unwrap()
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        *self.stop.lock().unwrap() = true;
    }
}

#[test]
fn refresh_jwks_refetches_a_rotated_key_set() {
    let rotated = std::fs::read_to_string(repo().join("tests/keys/fixture.jwks.json")).unwrap();
    let before = rotated.replace("2025-01", "2024-12");
    let jwks = JwksServer::start(&before);
    let dir = tempfile::tempdir().unwrap();
    let document = dir.path().join("token.txt");
    let text = format!("{}\n", rs256("2025-01", PAYLOAD));
    let uri = uri_of(&document);
    let mut server = Server::spawn();
    start(
        &mut server,
        dir.path(),
        json!({"now": "2026-01-01T00:00:00Z", "allowNetwork": true, "jwksUrls": [jwks.url]}),
    );
    server.open(&uri, "plaintext", 1, &text);
    diagnostics_where(&mut server, &uri, |codes| codes == ["token-kid-unknown"]);

    *jwks.body.lock().unwrap() = rotated;
    let refreshed =
        server.request("workspace/executeCommand", json!({"command": "jwt-lsp.refreshJwks", "arguments": []}));
    let text = refreshed["text"].as_str().unwrap();
    assert!(text.contains(&format!("{}: 1 key", jwks.url)), "{text}");
    diagnostics_where(&mut server, &uri, |codes| codes.is_empty());
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn documents_opened_at_start_up_share_one_jwks_fetch() {
    let jwks = JwksServer::start_slow(
        &std::fs::read_to_string(repo().join("tests/keys/fixture.jwks.json")).unwrap(),
        Duration::from_millis(500),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::spawn();
    start(
        &mut server,
        dir.path(),
        json!({"now": "2026-01-01T00:00:00Z", "allowNetwork": true, "jwksUrls": [jwks.url]}),
    );
    let mut uris = Vec::new();
    for index in 0..20 {
        let document = dir.path().join(format!("token{index}.txt"));
        let text = format!("{}\n", rs256("2025-01", PAYLOAD));
        let uri = uri_of(&document);
        server.open(&uri, "plaintext", 1, &text);
        uris.push(uri);
    }
    // Every document ends up verified with the fetched key set.
    let deadline = Instant::now() + support::TIMEOUT;
    for uri in &uris {
        loop {
            let explained = server.request(
                "workspace/executeCommand",
                json!({"command": "jwt-lsp.explainToken", "arguments": [{"uri": uri, "position": {"line": 0, "character": 5}}]}),
            );
            let text = explained["text"].as_str().unwrap_or_default().to_string();
            if text.contains("signature ✓ verified with") {
                break;
            }
            assert!(Instant::now() < deadline, "{uri} never verified:\n{text}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    assert_eq!(jwks.hits(), 1, "one fetch of the URL for 20 documents");
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn hovers_render_the_checklist_the_analysis_computed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let document = root.join("app.env");
    let token = hs256(b"d3v-0nly-file-secret", PAYLOAD);
    let text = format!("TOKEN={token}\nJWT_SECRET=d3v-0nly-file-secret\nCOPY={token}\n");
    std::fs::write(&document, &text).unwrap();
    let uri = uri_of(&document);

    let mut server = Server::spawn();
    start(&mut server, root, json!({"now": "2026-01-01T00:00:00Z"}));
    server.open(&uri, "dotenv", 1, &text);
    let found = diagnostics_where(&mut server, &uri, |codes| !codes.is_empty());
    assert_eq!(found, ["token-weak-secret", "token-weak-secret"]);
    for line in [0, 2] {
        let hover = server.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": 12}}),
        );
        let markdown = hover["contents"]["value"].as_str().unwrap();
        assert!(
            markdown.contains(
                "**signature** ✗ verifies with the weak secret `d3v-0nly-file-secret` (a string on line 2 of this file)"
            ),
            "{markdown}"
        );
    }
    let explained = server.request(
        "workspace/executeCommand",
        json!({"command": "jwt-lsp.explainToken", "arguments": [{"uri": uri, "position": {"line": 2, "character": 12}}]}),
    );
    assert!(explained["text"].as_str().unwrap().contains("Verdict: ✗ signature — verifies with the weak secret"));

    // Weak secrets off: no finding, and the hover's checklist says nothing about them.
    server.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"now": "2026-01-01T00:00:00Z", "severity": {"token-weak-secret": "off"}}}),
    );
    diagnostics_where(&mut server, &uri, |codes| codes.is_empty());
    let hover = server
        .request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 12}}));
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(markdown.contains("**Verification**") && !markdown.contains("weak secret"), "{markdown}");
    assert_eq!(server.shutdown(), Some(0));
}
