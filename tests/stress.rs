//! Bad and big input: the server and the CLI answer or skip with a reason, never panic, never
//! hang, never lose the document.

mod support;

use serde_json::{Value, json};
use support::{NOW, Server, expired_token, token, utf16_position};

const URI: &str = "file:///workspace/big.log";

fn filler_line(i: usize) -> String {
    format!("2026-01-01T00:00:00Z INFO request {i} served in 3 ms, user agent Mozilla/5.0 key.value=1.2.3\n")
}

#[test]
fn a_50_mb_document_is_analysed_and_stays_editable() {
    let expired = expired_token();
    let mut text = String::with_capacity(51 * 1024 * 1024);
    let mut i = 0;
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(&filler_line(i));
        if i % 100_000 == 0 {
            text.push_str(&format!("token={expired}\n"));
        }
        i += 1;
    }
    let mut server = Server::spawn();
    server.initialize_default();
    server.open(URI, "log", 1, &text);
    let diagnostics = server.diagnostics(URI, Some(1));
    let expected = text.matches(&expired).count();
    assert!(expected >= 5);
    assert_eq!(diagnostics.iter().filter(|d| d["code"] == "token-expired").count(), expected);

    // An edit at the end of the document applies and is analysed.
    let (line, _) = utf16_position(&text, text.len());
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2},
               "contentChanges": [{"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "text": format!("last={expired}\n")}]}),
    );
    let diagnostics = server.diagnostics(URI, Some(2));
    assert_eq!(diagnostics.iter().filter(|d| d["code"] == "token-expired").count(), expected + 1);
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": 8}}),
    );
    assert!(hover["contents"]["value"].as_str().unwrap().contains("alice"));
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn a_one_megabyte_token_and_deeply_nested_payloads_decode_without_trouble() {
    let big = token(&json!({"alg": "HS256"}), &json!({"sub": "big", "exp": NOW - 60, "blob": "x".repeat(1024 * 1024)}));
    let nested_payload = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let nested = format!("eyJhbGciOiJIUzI1NiJ9.{}.{}", base64_url(nested_payload.as_bytes()), base64_url(&[1u8; 32]));
    let text = format!("big={big}\nnested={nested}\n");
    let mut server = Server::spawn();
    server.initialize_default();
    server.open(URI, "log", 1, &text);
    let diagnostics = server.diagnostics(URI, Some(1));
    let codes: Vec<(u64, &str)> = diagnostics
        .iter()
        .map(|d| (d["range"]["start"]["line"].as_u64().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(codes, vec![(0, "token-expired"), (1, "token-malformed")]);
    let nested_message = diagnostics[1]["message"].as_str().unwrap();
    assert!(nested_message.contains("nested too deeply"), "{nested_message}");
    let hover = server
        .request("textDocument/hover", json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 10}}));
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(markdown.contains("more bytes)"), "huge payloads are cut in hovers");
    assert!(markdown.len() < 64 * 1024);
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn a_hundred_thousand_tokens_are_capped_in_the_editor_and_all_reported_by_check() {
    let expired = expired_token();
    let text: String = (0..100_000).map(|i| format!("{i} {expired}\n")).collect();
    let mut server = Server::spawn();
    server.initialize(&["utf-16"], json!({"now": NOW, "maxDiagnostics": 500}));
    server.open(URI, "log", 1, &text);
    let diagnostics = server.diagnostics(URI, Some(1));
    assert_eq!(diagnostics.len(), 501);
    assert!(diagnostics[500]["message"].as_str().unwrap().starts_with("99500 more findings"));
    let hints = server.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 10, "character": 0}, "end": {"line": 12, "character": 0}}}),
    );
    assert_eq!(hints.as_array().unwrap().len(), 2, "hints only for the requested range");
    assert_eq!(server.shutdown(), Some(0));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("many.log"), &text).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_jwt-lsp"))
        .args(["check", "--format", "json", "--now", "2026-01-01T00:00:00Z", "--max-file-size", "100000000"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 100_000);
}

#[test]
fn fifty_open_one_megabyte_documents_fit_in_300_mb_and_closing_frees_them() {
    let expired = expired_token();
    let mut server = Server::spawn();
    server.initialize_default();
    let baseline = server.rss_kib();
    let mut document = String::with_capacity(1024 * 1024 + 1024);
    let mut i = 0;
    while document.len() < 1024 * 1024 {
        document.push_str(&filler_line(i));
        if i % 500 == 0 {
            document.push_str(&format!("auth={expired}\n"));
        }
        i += 1;
    }
    for n in 0..50 {
        let uri = format!("file:///workspace/doc{n}.log");
        server.open(&uri, "log", 1, &format!("{n}\n{document}"));
        server.diagnostics(&uri, Some(1));
    }
    let loaded = server.rss_kib();
    assert!(loaded < 300 * 1024, "50 × 1 MB documents use {} MiB", loaded / 1024);
    for n in 0..50 {
        let uri = format!("file:///workspace/doc{n}.log");
        server.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
        server.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["diagnostics"] == json!([])
        });
    }
    // Let the allocator settle, then check most of the growth was returned.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let closed = server.rss_kib();
    let grown = loaded.saturating_sub(baseline);
    let kept = closed.saturating_sub(baseline);
    eprintln!("rss: baseline {baseline} KiB, 50 docs {loaded} KiB, after close {closed} KiB");
    assert!(kept * 4 < grown, "closing kept {kept} of {grown} KiB");
    assert_eq!(server.shutdown(), Some(0));
}

/// One megabyte of JavaScript dense with distinct tokens and jsonwebtoken calls (code findings
/// and token findings on almost every line): the worst realistic case for per-token memory.
fn dense_javascript(n: usize) -> String {
    let mut text = String::with_capacity(1024 * 1024 + 4096);
    text.push_str(&format!("// document {n}\nconst jwt = require('jsonwebtoken');\n"));
    let mut i = 0;
    while text.len() < 1024 * 1024 {
        let token = token(
            &json!({"alg": "HS256", "typ": "JWT"}),
            &json!({"sub": format!("user-{n}-{i}"), "role": "admin", "exp": NOW - 3 * 86_400}),
        );
        text.push_str(&format!(
            "const token{i} = \"{token}\";\n\
             function check{i}(req) {{ return jwt.verify(req.headers.auth, 'secret', {{ algorithms: ['HS256', 'none'] }}); }}\n\
             const claims{i} = jwt.decode(token{i});\n"
        ));
        i += 1;
    }
    text
}

#[test]
fn fifty_open_one_megabyte_documents_dense_with_tokens_and_code_fit_and_closing_frees_them() {
    let mut server = Server::spawn();
    server.initialize_default();
    let baseline = server.rss_kib();
    for n in 0..50 {
        let uri = format!("file:///workspace/src/dense{n}.js");
        server.open(&uri, "javascript", 1, &dense_javascript(n));
        let diagnostics = server.diagnostics(&uri, Some(1));
        assert!(diagnostics.len() > 500, "the workload is dense: {} diagnostics", diagnostics.len());
    }
    let loaded = server.rss_kib();
    let peak = server.peak_rss_kib();
    for n in 0..50 {
        let uri = format!("file:///workspace/src/dense{n}.js");
        server.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}}));
        server.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && m["params"]["diagnostics"] == json!([])
        });
    }
    // A request round trip after the last close: every close has been handled.
    server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///none"}, "position": {"line": 0, "character": 0}}),
    );
    let closed = server.rss_kib();
    eprintln!("rss: baseline {baseline} KiB, 50 dense docs {loaded} KiB, peak {peak} KiB, after close {closed} KiB");
    assert!(peak < 400 * 1024, "50 × 1 MB dense documents peak at {} MiB", peak / 1024);
    assert!(closed < 150 * 1024, "closing all documents left {} MiB resident", closed / 1024);
    assert_eq!(server.shutdown(), Some(0));
}

/// Documents keep compact facts and only the last few full analyses are kept: a document whose
/// analysis was dropped answers hovers, code actions and commands exactly as before.
#[test]
fn a_document_analysed_long_ago_answers_like_a_fresh_one() {
    let code = format!(
        "const jwt = require('jsonwebtoken');\nconst t = \"{}\";\njwt.verify(t, key, {{ algorithms: ['HS256', 'none'] }});\n",
        expired_token()
    );
    let mut server = Server::spawn();
    server.initialize_default();
    let first = "file:///workspace/src/first.js";
    server.open(first, "javascript", 1, &code);
    let diagnostics = server.diagnostics(first, Some(1));
    let query = |server: &mut Server| {
        let hover = server.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": first}, "position": {"line": 1, "character": 20}}),
        );
        let actions = server.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": first}, "range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 60}},
                   "context": {"diagnostics": []}}),
        );
        let decoded = server.request(
            "workspace/executeCommand",
            json!({"command": "jwt-lsp.decodeToken", "arguments": [{"uri": first, "position": {"line": 1, "character": 20}}]}),
        );
        (hover, actions, decoded)
    };
    let fresh = query(&mut server);
    assert!(fresh.0["contents"]["value"].as_str().unwrap().contains("alice"));
    assert!(
        fresh.1.as_array().unwrap().iter().any(|action| action["title"].as_str().unwrap().contains("none")),
        "{}",
        fresh.1
    );
    assert_eq!(fresh.2["payload"]["sub"], "alice");
    // Other documents take the places of the first one's full analysis.
    for n in 0..4 {
        let uri = format!("file:///workspace/src/other{n}.js");
        server.open(&uri, "javascript", 1, &code);
        server.diagnostics(&uri, Some(1));
    }
    assert_eq!(query(&mut server), fresh);
    // Its diagnostics are republished the same after a settings change.
    server.notify("workspace/didChangeConfiguration", json!({"settings": {"now": NOW}}));
    assert_eq!(server.diagnostics(first, Some(1)), diagnostics);
    assert_eq!(server.shutdown(), Some(0));
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
