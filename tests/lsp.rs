//! End-to-end tests of the real `jwt-lsp` binary over stdio: the whole session an editor runs.

mod support;

use serde_json::{Value, json};
use support::{NOW, Server, expired_token, utf8_position, utf16_position, valid_token};

const URI: &str = "file:///workspace/config/app.env";

#[test]
fn negotiates_utf8_when_offered_and_utf16_otherwise() {
    let mut server = Server::spawn();
    let result = server.initialize(&["utf-8", "utf-16"], json!({}));
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(result["serverInfo"]["name"], "jwt-lsp");
    assert_eq!(server.shutdown(), Some(0));

    let mut server = Server::spawn();
    let result = server.initialize(&[], json!({}));
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(result["capabilities"]["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(server.shutdown(), Some(0));
}

/// A line with CJK text and an emoji before the token, and an emoji inside the line after it:
/// every range must land exactly, in UTF-16 and in UTF-8.
fn cjk_document(token: &str) -> String {
    format!("# 設定ファイル 🔑\nTOKEN_説明=\"🎉{token}\" # 期限切れ 😀\n")
}

#[test]
fn diagnostics_hover_and_inlay_hints_have_exact_utf16_positions() {
    let token = expired_token();
    let text = cjk_document(&token);
    let start = text.find(&token).unwrap();
    let end = start + token.len();

    let mut server = Server::spawn();
    server.initialize(&["utf-16"], json!({ "now": NOW }));
    server.open(URI, "dotenv", 1, &text);
    let diagnostics = server.diagnostics(URI, Some(1));
    let expired = diagnostics.iter().find(|d| d["code"] == "token-expired").expect("token-expired published");
    let (line, col) = utf16_position(&text, start);
    let (end_line, end_col) = utf16_position(&text, end);
    assert_eq!(
        expired["range"],
        json!({"start": {"line": line, "character": col}, "end": {"line": end_line, "character": end_col}})
    );
    assert_eq!((line, col), (1, 12), "sanity: 11 UTF-16 units of CJK + emoji precede the token");
    assert_eq!(expired["severity"], 2);
    assert_eq!(expired["source"], "jwt-lsp");
    assert!(expired["message"].as_str().unwrap().contains("expired 3 days ago, 2025-12-29 00:00:00 UTC"), "{expired}");
    assert!(expired["codeDescription"]["href"].as_str().unwrap().ends_with("docs/rules/token-expired.md"));

    // Hover in the middle of the token.
    let (line, col) = utf16_position(&text, start + 40);
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": col}}),
    );
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(markdown.contains("**Header**") && markdown.contains("\"alg\": \"HS256\""), "{markdown}");
    assert!(markdown.contains("\"sub\": \"alice\""), "{markdown}");
    assert!(markdown.contains("expired 3 days ago"), "{markdown}");
    assert!(markdown.contains("Expiration time"), "{markdown}");
    assert_eq!(hover["range"], expired["range"]);

    // Hover on the CJK text before the token: nothing.
    let nothing = server
        .request("textDocument/hover", json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": 3}}));
    assert!(nothing.is_null(), "{nothing}");

    let hints = server.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}}}),
    );
    let (line, col) = utf16_position(&text, end);
    assert_eq!(hints[0]["position"], json!({"line": line, "character": col}));
    assert_eq!(hints[0]["label"], "HS256 · sub=alice · expired 3 d ago");
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn positions_are_utf8_bytes_when_negotiated() {
    let token = expired_token();
    let text = cjk_document(&token);
    let start = text.find(&token).unwrap();
    let mut server = Server::spawn();
    server.initialize(&["utf-8"], json!({ "now": NOW }));
    server.open(URI, "dotenv", 1, &text);
    let diagnostics = server.diagnostics(URI, Some(1));
    let (line, col) = utf8_position(&text, start);
    assert_eq!((line, col), (1, 18), "sanity: 18 bytes of ASCII, CJK and emoji precede the token");
    assert_eq!(diagnostics[0]["range"]["start"], json!({"line": line, "character": col}));

    // A hover position inside the emoji's bytes before the token is not the token.
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": col - 2}}),
    );
    assert!(hover.is_null());
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 1, "character": col}}),
    );
    assert!(hover["contents"]["value"].as_str().unwrap().contains("alice"));
}

#[test]
fn incremental_edits_in_a_rapid_burst_end_in_the_right_diagnostics() {
    let expired = expired_token();
    let valid = valid_token();
    let text = format!("a = 1\n日本 😀 token: {expired}\n");
    let mut server = Server::spawn();
    server.initialize_default();
    server.open(URI, "plaintext", 1, &text);
    assert!(server.diagnostics(URI, Some(1)).iter().any(|d| d["code"] == "token-expired"));

    // Fifty single-character insertions at the start of line 0, then replace the token with a
    // valid one: only the final state matters.
    for version in 2..52 {
        server.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version},
                   "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}]}),
        );
    }
    let (line, col) = utf16_position(&text, text.find(&expired).unwrap());
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 52},
               "contentChanges": [{"range": {"start": {"line": line, "character": col},
                                             "end": {"line": line, "character": col + expired.len() as u32}},
                                   "text": valid}]}),
    );
    let diagnostics = server.diagnostics(URI, Some(52));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");

    // The document state is exact: a hover on the new token at its new place decodes it.
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": col + 5}}),
    );
    assert!(hover["contents"]["value"].as_str().unwrap().contains("expires in 2 hours"), "{hover}");

    // A stale (duplicate) version is ignored, not applied twice.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 52}, "contentChanges": [{"text": "garbage"}]}),
    );
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": col + 5}}),
    );
    assert!(!hover.is_null(), "stale change must not replace the text");

    // Whole-document replacement (a client using full sync) works too.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 53}, "contentChanges": [{"text": format!("T={expired}")}]}),
    );
    assert!(server.diagnostics(URI, Some(53)).iter().any(|d| d["code"] == "token-expired"));

    server.notify("textDocument/didClose", json!({"textDocument": {"uri": URI}}));
    let cleared = server
        .wait_for(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["diagnostics"] == json!([]));
    assert_eq!(cleared["params"]["uri"], URI);
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn settings_from_initialization_options_and_did_change_configuration() {
    let mut server = Server::spawn();
    server.initialize(
        &["utf-16"],
        json!({"jwtLsp": {"now": "2026-01-01T00:00:00Z", "severity": {"token-expired": "error"}, "inlayHints": false}}),
    );
    server.open(URI, "dotenv", 1, &format!("T={}", expired_token()));
    let diagnostics = server.diagnostics(URI, Some(1));
    assert_eq!(diagnostics[0]["severity"], 1, "severity override to error");
    let hints = server.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}}),
    );
    assert_eq!(hints, json!([]));

    // Turn the rule off and move the clock back: diagnostics are republished without a restart.
    server.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"jwtLsp": {"severity": {"token-expired": "off"}}}}),
    );
    let diagnostics = server.diagnostics(URI, Some(1));
    assert!(diagnostics.iter().all(|d| d["code"] != "token-expired"), "{diagnostics:?}");

    // A bad setting is reported to the user, and the rest still applies.
    server.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"jwtLsp": {"severity": {"bogus-rule": "error"}}}}),
    );
    let message = server.wait_for(|m| m["method"] == "window/showMessage");
    assert!(message["params"]["message"].as_str().unwrap().contains("bogus-rule"));
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn code_actions_offer_an_ignore_comment_and_decode_command_returns_the_token() {
    let token = expired_token();
    let text = format!("# config\n  TOKEN={token}\n");
    let mut server = Server::spawn();
    server.initialize_default();
    server.open(URI, "dotenv", 1, &text);
    let diagnostics = server.diagnostics(URI, Some(1));
    let actions = server.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": diagnostics[0]["range"], "context": {"diagnostics": diagnostics}}),
    );
    let ignore = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Ignore token-expired on this line")
        .expect("ignore action");
    let edit = &ignore["edit"]["changes"][URI][0];
    assert_eq!(edit["range"]["start"], json!({"line": 1, "character": 0}));
    assert_eq!(edit["newText"], "  # jwt-lsp-ignore: token-expired\n");

    let decoded = server.request(
        "workspace/executeCommand",
        json!({"command": "jwt-lsp.decodeToken", "arguments": [{"uri": URI, "position": {"line": 1, "character": 10}}]}),
    );
    assert_eq!(decoded["form"], "JWS");
    assert_eq!(decoded["header"]["alg"], "HS256");
    assert_eq!(decoded["payload"]["sub"], "alice");
    assert!(decoded["text"].as_str().unwrap().contains("expired 3 days ago"));
    let none = server.request(
        "workspace/executeCommand",
        json!({"command": "jwt-lsp.decodeToken", "arguments": [{"uri": URI, "position": {"line": 0, "character": 1}}]}),
    );
    assert!(none.is_null());
    let unknown = server.request_raw("workspace/executeCommand", json!({"command": "jwt-lsp.nope", "arguments": []}));
    assert!(unknown["error"]["message"].as_str().unwrap().contains("unknown command"));
}

#[test]
fn malformed_messages_get_errors_and_the_server_keeps_working() {
    let mut server = Server::spawn();
    server.initialize_default();
    // Not JSON.
    server.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let error = server.wait_for(|m| m.get("error").is_some());
    assert_eq!(error["error"]["code"], -32700);
    // JSON, but not a JSON-RPC message.
    server.send(&json!({"hello": "world"}));
    // Wrong params for a known method.
    let response = server.request_raw("textDocument/hover", json!({"textDocument": 42}));
    assert!(response.get("error").is_some(), "{response}");
    // Unknown request method.
    let response = server.request_raw("jwt/unknownMethod", json!({}));
    assert_eq!(response["error"]["code"], -32601);
    // Notifications for documents that were never opened are ignored.
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nope", "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    // Hover on an unknown document.
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nope"}, "position": {"line": 0, "character": 0}}),
    );
    assert!(hover.is_null());
    // Positions far outside the document clamp instead of failing.
    server.open(URI, "dotenv", 1, &format!("T={}\nend\n", expired_token()));
    server.diagnostics(URI, Some(1));
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": {"line": 999, "character": 999}}),
    );
    assert!(hover.is_null());
    assert!(server.is_running());
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn a_panic_while_analysing_one_document_does_not_take_the_server_down() {
    let mut server = Server::spawn_with_env(&[("JWT_LSP_TEST_PANIC", "1")]);
    server.initialize_default();
    server.open("file:///workspace/boom.txt", "plaintext", 1, "jwt-lsp-test-panic\n");
    let log = server.wait_for(|m| m["method"] == "window/logMessage");
    assert!(log["params"]["message"].as_str().unwrap().contains("internal error while analysing"), "{log}");
    // Hover on the broken document answers (nothing) instead of crashing.
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///workspace/boom.txt"}, "position": {"line": 0, "character": 1}}),
    );
    assert!(hover.is_null());
    // Other documents are still analysed.
    server.open(URI, "dotenv", 1, &format!("T={}", expired_token()));
    assert!(!server.diagnostics(URI, Some(1)).is_empty());
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn exit_without_shutdown_still_exits() {
    let mut server = Server::spawn();
    server.initialize_default();
    server.notify("exit", Value::Null);
    let deadline = std::time::Instant::now() + support::TIMEOUT;
    while server.is_running() {
        assert!(std::time::Instant::now() < deadline, "server ignored exit");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn code_diagnostics_come_with_quick_fixes_that_remove_them() {
    let uri = "file:///workspace/src/auth.js";
    let text = "import jwt from 'jsonwebtoken';\nconst key = process.env.PUBLIC_KEY_PEM;\nexport const check = (t) => jwt.verify(t, key);\n";
    let mut server = Server::spawn();
    server.initialize_default();
    server.open(uri, "javascript", 1, text);
    let diagnostics = server.diagnostics(uri, Some(1));
    let missing = diagnostics.iter().find(|d| d["code"] == "verify-missing-algorithms").expect("code diagnostic");
    assert_eq!(missing["range"]["start"]["line"], 2);
    let actions = server.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": missing["range"], "context": {"diagnostics": [missing]}}),
    );
    let actions = actions.as_array().unwrap();
    let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"Ignore verify-missing-algorithms on this line"), "{titles:?}");
    let fix = actions
        .iter()
        .find(|a| {
            a["diagnostics"][0]["code"] == "verify-missing-algorithms"
                && !a["title"].as_str().unwrap().starts_with("Ignore")
        })
        .expect("an allow-list fix");
    // Apply the edits like an editor would, then send the new text.
    let mut fixed = text.to_string();
    let mut edits: Vec<Value> = fix["edit"]["changes"][uri].as_array().unwrap().clone();
    edits.sort_by_key(|e| {
        std::cmp::Reverse((e["range"]["start"]["line"].as_u64(), e["range"]["start"]["character"].as_u64()))
    });
    for edit in edits {
        let offset = |p: &Value| {
            let line = p["line"].as_u64().unwrap() as usize;
            let start: usize = fixed.split_inclusive('\n').take(line).map(str::len).sum();
            start + p["character"].as_u64().unwrap() as usize
        };
        let (start, end) = (offset(&edit["range"]["start"]), offset(&edit["range"]["end"]));
        fixed.replace_range(start..end, edit["newText"].as_str().unwrap());
    }
    assert!(fixed.contains("algorithms: ["), "{fixed}");
    server.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let diagnostics = server.diagnostics(uri, Some(2));
    assert!(diagnostics.iter().all(|d| d["code"] != "verify-missing-algorithms"), "{diagnostics:?}");
    assert_eq!(server.shutdown(), Some(0));
}

/// The five languages of issue 14 over the protocol: each document, opened by the languageId
/// editors send (Neovim and Vim send `cs` for C#, Helix `c-sharp`), gets its code diagnostic at
/// the exact UTF-16 position, with a CJK comment before it on the same line.
#[test]
fn java_csharp_ruby_php_and_rust_documents_get_code_diagnostics() {
    let documents = [
        (
            "file:///w/src/Auth.java",
            "java",
            "import com.auth0.jwt.JWT;\nclass A { Object f(String t) { /* 検証 */ return JWT.decode(t).getClaim(\"user\").asString(); } }\n",
            "decode(t)",
        ),
        (
            "file:///w/Api/Auth.cs",
            "cs",
            "using System.IdentityModel.Tokens.Jwt;\nclass A { string F(string t) { /* 検証 */ return new JwtSecurityTokenHandler().ReadJwtToken(t).Subject; } }\n",
            "ReadJwtToken(t)",
        ),
        (
            "file:///w/Api/Other.cs",
            "c-sharp",
            "using System.IdentityModel.Tokens.Jwt;\nclass A { string F(string t) { /* 検証 */ return new JwtSecurityTokenHandler().ReadJwtToken(t).Subject; } }\n",
            "ReadJwtToken(t)",
        ),
        (
            "file:///w/app/auth.rb",
            "ruby",
            "require 'jwt'\ndef user(t)\n  x = '検証'; JWT.decode(t, nil, false)[0]['user']\nend\n",
            "false)[0]",
        ),
        (
            "file:///w/src/auth.php",
            "php",
            "<?php\nuse Firebase\\JWT\\JWT;\n/* 検証 */ $c = JWT::decode($t, 'secret', ['HS256']);\n",
            "'secret'",
        ),
        (
            "file:///w/src/auth.rs",
            "rust",
            "use jsonwebtoken::dangerous_insecure_decode;\nfn f(t: &str) { /* 検証 */ let c = dangerous_insecure_decode::<C>(t); }\n",
            "dangerous_insecure_decode::<C>(t)",
        ),
    ];
    let mut server = Server::spawn();
    server.initialize_default();
    for (uri, language_id, text, expected) in documents {
        server.open(uri, language_id, 1, text);
        let diagnostics = server.diagnostics(uri, Some(1));
        let at = text.find(expected).expect("expected text");
        let (line, character) = support::utf16_position(text, at);
        let starts: Vec<(u64, u64)> = diagnostics
            .iter()
            .map(|d| {
                (d["range"]["start"]["line"].as_u64().unwrap(), d["range"]["start"]["character"].as_u64().unwrap())
            })
            .collect();
        assert!(
            starts.contains(&(u64::from(line), u64::from(character))),
            "{uri}: nothing at {line}:{character} in {diagnostics:?}"
        );
    }
    assert_eq!(server.shutdown(), Some(0));
}
