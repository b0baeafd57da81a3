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

#[test]
fn after_each_kind_of_broken_frame_the_next_request_gets_its_real_answer() {
    let mut server = Server::spawn();
    server.initialize_default();
    open_token_document(&mut server);
    let request = |id: i64| {
        json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": {"textDocument": {"uri": URI}, "position": {"line": 0, "character": 20}}}).to_string()
    };
    let cases: Vec<(&str, Box<dyn Fn(&str) -> Vec<u8>>, bool)> = vec![
        ("non-numeric length", Box::new(|body: &str| format!("Content-Length: abc\r\n\r\n{body}").into_bytes()), true),
        ("negative length", Box::new(|body: &str| format!("Content-Length: -5\r\n\r\n{body}").into_bytes()), true),
        (
            "missing length",
            Box::new(|body: &str| format!("Content-Type: application/json\r\n\r\n{body}").into_bytes()),
            true,
        ),
        (
            "NUL in the header",
            Box::new(|body: &str| format!("Content-Length: {}\0\r\n\r\n{body}", body.len()).into_bytes()),
            true,
        ),
        (
            "NUL in the header name",
            Box::new(|body: &str| format!("Content\0-Length: {}\r\n\r\n{body}", body.len()).into_bytes()),
            true,
        ),
        (
            "body longer than the header says",
            Box::new(|body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len() - 20).into_bytes()),
            true,
        ),
        (
            "body shorter than the header says",
            Box::new(|body: &str| format!("Content-Length: {}\r\n\r\n{body}", body.len() + 20).into_bytes()),
            true,
        ),
        (
            "no blank line after the header",
            Box::new(|body: &str| format!("Content-Length: {}\r\n{body}", body.len()).into_bytes()),
            true,
        ),
        (
            "a huge length",
            Box::new(|body: &str| format!("Content-Length: 99999999999999\r\n\r\n{body}").into_bytes()),
            true,
        ),
        ("garbage between messages", Box::new(|_: &str| b"\x00\x01garbage}\r\n".to_vec()), false),
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
