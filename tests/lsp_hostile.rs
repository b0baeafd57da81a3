//! The real binary against hostile or sloppy clients: broken framing, unknown `$/` requests,
//! `exit` without `shutdown`, raw non-ASCII URIs, requests on unknown documents or with
//! parameters of the wrong shape. The server answers, resynchronises or exits with a status;
//! it never stays alive and deaf.

mod support;

use serde_json::{Value, json};
use support::{Server, expired_token};

const URI: &str = "file:///workspace/app.env";

fn open_token_document(server: &mut Server) {
    server.open(URI, "dotenv", 1, &format!("TOKEN={}\n", expired_token()));
    server.diagnostics(URI, Some(1));
}

/// A hover on the token: a real answer, not an error.
fn hover_answers(server: &mut Server) {
    let hover = server
        .request("textDocument/hover", json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 20}}));
    assert!(hover["contents"]["value"].as_str().is_some_and(|markdown| markdown.contains("alice")), "{hover}");
}

/// Writes a broken frame around a request body.
type BreakFrame = fn(&str) -> Vec<u8>;

#[test]
fn after_each_kind_of_broken_frame_the_next_request_gets_its_real_answer() {
    let mut server = Server::spawn();
    server.initialize_default();
    open_token_document(&mut server);
    let request = |id: i64| {
        json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": {"textDocument": {"uri": URI}, "position": {"line": 0, "character": 20}}}).to_string()
    };
    let cases: Vec<(&str, BreakFrame, bool)> = vec![
        ("non-numeric length", |body: &str| format!("Content-Length: abc\r\n\r\n{body}").into_bytes(), true),
        ("negative length", |body: &str| format!("Content-Length: -5\r\n\r\n{body}").into_bytes(), true),
        ("missing length", |body: &str| format!("Content-Type: application/json\r\n\r\n{body}").into_bytes(), true),
        (
            "NUL in the header",
            |body: &str| format!("Content-Length: {}\0\r\n\r\n{body}", body.len()).into_bytes(),
            true,
        ),
        (
            "NUL in the header name",
            |body: &str| format!("Content\0-Length: {}\r\n\r\n{body}", body.len()).into_bytes(),
            true,
        ),
        (
            "body longer than the header says",
            |body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len() - 20).into_bytes(),
            true,
        ),
        (
            "body shorter than the header says",
            |body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len() + 20).into_bytes(),
            true,
        ),
        (
            "no blank line after the header",
            |body: &str| format!("Content-Length: {}\r\n{body}", body.len()).into_bytes(),
            true,
        ),
        ("a huge length", |body: &str| format!("Content-Length: 99999999999999\r\n\r\n{body}").into_bytes(), true),
        ("garbage between messages", |_: &str| b"\x00\x01garbage}\r\n".to_vec(), false),
    ];
    for (n, (case, broken, answers_id)) in cases.iter().enumerate() {
        let id = 1000 + n as i64;
        server.send_raw(&broken(&request(id)));
        let error = server.wait_for(|m| m.get("error").is_some());
        assert_eq!(error["error"]["code"], -32700, "{case}: {error}");
        if *answers_id {
            assert_eq!(error["id"], json!(id), "{case}: the broken request is answered with an error");
        }
        hover_answers(&mut server);
        assert!(server.is_running(), "{case}");
    }
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn unknown_dollar_requests_get_method_not_found_and_notifications_are_ignored() {
    let mut server = Server::spawn();
    server.initialize_default();
    open_token_document(&mut server);
    let response = server.request_raw("$/unknownRequest", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    server.notify("$/unknownNotification", json!({}));
    server.notify("$/setTrace", json!({"value": "off"}));
    hover_answers(&mut server);
    let errors: Vec<Value> = server.unconsumed().into_iter().filter(|m| m.get("error").is_some()).collect();
    assert!(errors.is_empty(), "notifications are not answered: {errors:?}");
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn exit_without_shutdown_exits_with_status_1() {
    let mut server = Server::spawn();
    server.initialize_default();
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_for_exit(), Some(1));

    let mut server = Server::spawn();
    server.initialize_default();
    assert_eq!(server.shutdown(), Some(0), "with shutdown first: 0");
}

#[test]
fn a_document_uri_with_raw_spaces_and_non_ascii_is_served_under_the_clients_spelling() {
    let raw = "file:///tmp/my project/café.js";
    let mut server = Server::spawn();
    server.initialize_default();
    let text = format!("const token = \"{}\";\n", expired_token());
    server.open(raw, "javascript", 1, &text);
    let diagnostics = server.diagnostics(raw, Some(1));
    assert!(diagnostics.iter().any(|d| d["code"] == "token-expired"), "{diagnostics:?}");
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": raw, "version": 2},
               "contentChanges": [{"text": format!("{text}const again = \"{}\";\n", expired_token())}]}),
    );
    let diagnostics = server.diagnostics(raw, Some(2));
    assert_eq!(diagnostics.iter().filter(|d| d["code"] == "token-expired").count(), 2);
    let hover = server
        .request("textDocument/hover", json!({"textDocument": {"uri": raw}, "position": {"line": 0, "character": 20}}));
    assert!(hover["contents"]["value"].as_str().is_some_and(|markdown| markdown.contains("alice")), "{hover}");
    // The percent-encoded spelling names the same document.
    let encoded = "file:///tmp/my%20project/caf%C3%A9.js";
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": encoded}, "position": {"line": 0, "character": 20}}),
    );
    assert!(hover["contents"]["value"].as_str().is_some(), "{hover}");
    server.notify("textDocument/didClose", json!({"textDocument": {"uri": raw}}));
    let cleared = server.diagnostics(raw, None);
    assert!(cleared.is_empty());
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn a_uri_that_cannot_be_parsed_is_reported_once_not_dropped_silently() {
    let mut server = Server::spawn();
    server.initialize_default();
    for version in 1..=2 {
        server.open("not a uri", "plaintext", version, "x");
    }
    let warning = server.wait_for(|m| m["method"] == "window/logMessage");
    assert!(warning["params"]["message"].as_str().unwrap().contains("cannot parse the document URI"), "{warning}");
    let hover = server.request_raw(
        "textDocument/hover",
        json!({"textDocument": {"uri": "not a uri"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(hover["error"]["code"], -32602, "a request naming it fails with InvalidParams: {hover}");
    let warnings = server.unconsumed().into_iter().filter(|m| m["method"] == "window/logMessage").count();
    assert_eq!(warnings, 0, "warned once");
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn every_request_answers_for_unknown_documents_out_of_range_positions_and_wrong_params() {
    let mut server = Server::spawn();
    server.initialize_default();
    open_token_document(&mut server);
    let far = json!({"line": u32::MAX, "character": u32::MAX});
    let reversed = json!({"start": {"line": 0, "character": 30}, "end": {"line": 0, "character": 2}});
    let huge = json!({"start": {"line": 0, "character": 0}, "end": far});
    let no_context = json!({"diagnostics": []});
    for uri in [URI, "file:///workspace/never-opened.env"] {
        let document = json!({"uri": uri});
        for (method, params) in [
            ("textDocument/hover", json!({"textDocument": document, "position": far})),
            ("textDocument/inlayHint", json!({"textDocument": document, "range": huge})),
            ("textDocument/inlayHint", json!({"textDocument": document, "range": reversed})),
            ("textDocument/codeAction", json!({"textDocument": document, "range": huge, "context": no_context})),
            ("textDocument/codeAction", json!({"textDocument": document, "range": reversed, "context": no_context})),
            (
                "workspace/executeCommand",
                json!({"command": "jwt-lsp.decodeToken", "arguments": [{"uri": uri, "position": far}]}),
            ),
            (
                "workspace/executeCommand",
                json!({"command": "jwt-lsp.explainToken", "arguments": [{"uri": uri, "position": far}]}),
            ),
        ] {
            let response = server.request_raw(method, params.clone());
            assert!(response.get("error").is_none(), "{method} {params}: {response}");
        }
    }
    for (method, params) in [
        ("textDocument/hover", json!({"textDocument": {"uri": URI}, "position": {"line": -1, "character": 0}})),
        ("textDocument/hover", json!({"textDocument": {"uri": URI}})),
        ("textDocument/hover", json!([1, 2])),
        ("textDocument/inlayHint", json!({"textDocument": {"uri": URI}, "range": "all"})),
        ("textDocument/codeAction", json!({"textDocument": {"uri": URI}, "range": reversed})),
        ("textDocument/codeAction", Value::Null),
        ("workspace/executeCommand", json!({"command": 7})),
    ] {
        let response = server.request_raw(method, params.clone());
        assert_eq!(response["error"]["code"], -32602, "{method} {params}: {response}");
    }
    // Command arguments of the wrong shape answer null rather than fail or hang.
    for arguments in [json!([]), json!([42]), json!([{"uri": 5, "position": "here"}])] {
        let response = server
            .request("workspace/executeCommand", json!({"command": "jwt-lsp.decodeToken", "arguments": arguments}));
        assert!(response.is_null(), "{arguments}: {response}");
    }
    // Notifications with the wrong shape are dropped without harm.
    server.notify("textDocument/didChange", json!({"textDocument": {"uri": URI}, "contentChanges": 5}));
    server.notify("textDocument/didOpen", json!({"textDocument": {"uri": URI}}));
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 9},
               "contentChanges": [{"range": {"start": far, "end": {"line": 0, "character": 0}}, "text": "!"}]}),
    );
    server.diagnostics(URI, Some(9));
    hover_answers(&mut server);
    assert!(server.is_running());
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn input_with_no_header_for_too_long_ends_the_server_with_a_reason_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.log");
    let mut server =
        Server::spawn_with_stderr(&[("JWT_LSP_TEST_RESYNC_LIMIT", "100000")], std::fs::File::create(&log).unwrap());
    server.initialize_default();
    server.send_raw(b"Content-Length: abc\r\n\r\n");
    let mut sent = 0;
    while sent < 1_000_000 && server.try_send_raw(&[b'x'; 1000]) {
        sent += 1000;
    }
    assert!(sent > 100_000 && sent < 1_000_000, "the server gave up after the limit, not before: {sent}");
    assert_eq!(server.wait_for_exit(), Some(1));
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert!(stderr.contains("jwt-lsp: exiting: no readable message"), "{stderr}");
}
