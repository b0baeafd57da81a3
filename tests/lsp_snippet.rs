//! "Open a verifier for this token" over stdio: the code actions on a token, and the
//! `jwt-lsp.verifierSnippet` command that writes the snippet to a private temporary file and
//! asks the client to show it.

mod support;

use serde_json::{Value, json};
use support::{NOW, Server, token};

const URI: &str = "file:///project/.env";

fn initialize(server: &mut Server, show_document: bool) {
    server.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": null,
            "capabilities": {
                "general": { "positionEncodings": ["utf-16"] },
                "workspace": { "configuration": false },
                "window": { "showDocument": { "support": show_document } }
            },
            "initializationOptions": { "now": NOW },
        }),
    );
    server.notify("initialized", json!({}));
}

fn code_actions(server: &mut Server, line: u32, only: Option<&[&str]>) -> Vec<Value> {
    let mut context = json!({"diagnostics": []});
    if let Some(only) = only {
        context["only"] = json!(only);
    }
    let range = {
        let position = json!({"line": line, "character": 12});
        json!({"start": position, "end": position})
    };
    let actions = server
        .request("textDocument/codeAction", json!({"textDocument": {"uri": URI}, "range": range, "context": context}));
    actions.as_array().cloned().unwrap_or_default()
}

fn verifier_actions(actions: &[Value]) -> Vec<Value> {
    actions.iter().filter(|action| action["kind"] == "refactor.extract.verifier").cloned().collect()
}

fn document() -> (String, String) {
    let signed = token(
        &json!({"alg": "RS256", "kid": "2025-01"}),
        &json!({"iss": "https://auth.example.com/\"\n", "aud": "orders", "exp": NOW + 3600}),
    );
    let unsigned = token(&json!({"alg": "none"}), &json!({"sub": "alice"}));
    (format!("# tokens\nTOKEN={signed}\nUNSIGNED={unsigned}\n"), signed)
}

#[test]
fn a_token_offers_one_verifier_per_language_and_the_command_opens_it() {
    let temp = tempfile::tempdir().unwrap();
    let mut server = Server::spawn_with_env(&[("TMPDIR", temp.path().to_str().unwrap())]);
    initialize(&mut server, true);
    let (text, signed) = document();
    server.open(URI, "dotenv", 1, &text);
    server.diagnostics(URI, Some(1));

    let actions = verifier_actions(&code_actions(&mut server, 1, None));
    let titles: Vec<&str> = actions.iter().map(|action| action["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "Open a verifier for this token: Node",
            "Open a verifier for this token: Python",
            "Open a verifier for this token: Go"
        ]
    );
    // The command points at the token's start (line 1, after `TOKEN=`), not at the cursor.
    let command = &actions[1]["command"];
    assert_eq!(command["command"], "jwt-lsp.verifierSnippet");
    assert_eq!(command["arguments"][0]["position"], json!({"line": 1, "character": 6}));
    assert_eq!(command["arguments"][0]["language"], "python");

    let result = server.request("workspace/executeCommand", command.clone());
    let snippet = result["text"].as_str().unwrap();
    assert!(snippet.contains("ALGORITHMS = [\"RS256\"]") && snippet.contains("PyJWKClient"));
    assert!(snippet.contains("ISSUER = \"https://auth.example.com/\\\"\\n\""), "{snippet}");
    assert!(!snippet.contains(signed.rsplit('.').next().unwrap()), "the signature leaked");

    let shown = server.wait_for(|message| message["method"] == "window/showDocument");
    assert_eq!(shown["params"]["uri"], result["uri"]);
    assert_eq!(shown["params"]["takeFocus"], true);
    let uri = result["uri"].as_str().unwrap();
    let path = uri.strip_prefix("file://").unwrap();
    assert!(path.starts_with(temp.path().to_str().unwrap()) && path.ends_with(".py"), "{path}");
    assert_eq!(std::fs::read_to_string(path).unwrap(), snippet);

    // Quick-fix-only requests (VS Code's auto-fix on save) do not get them; `refactor` does.
    assert!(verifier_actions(&code_actions(&mut server, 1, Some(&["quickfix"]))).is_empty());
    assert_eq!(verifier_actions(&code_actions(&mut server, 1, Some(&["refactor"]))).len(), 3);
    // An unsigned token has nothing to verify; the comment line has no token.
    assert!(verifier_actions(&code_actions(&mut server, 2, None)).is_empty());
    assert!(verifier_actions(&code_actions(&mut server, 0, None)).is_empty());
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn without_show_document_the_command_returns_the_text_only() {
    let temp = tempfile::tempdir().unwrap();
    let mut server = Server::spawn_with_env(&[("TMPDIR", temp.path().to_str().unwrap())]);
    initialize(&mut server, false);
    let (text, _) = document();
    server.open(URI, "dotenv", 1, &text);
    let arguments = json!([{"uri": URI, "position": {"line": 1, "character": 9}, "language": "go"}]);
    let result = server
        .request("workspace/executeCommand", json!({"command": "jwt-lsp.verifierSnippet", "arguments": arguments}));
    assert!(result["text"].as_str().unwrap().contains("keyfunc.NewDefault"));
    assert!(result.get("uri").is_none());
    assert_eq!(std::fs::read_dir(temp.path()).unwrap().count(), 0, "nothing written");

    // A token that gets no snippet is explained; a position without a token returns null.
    let arguments = json!([{"uri": URI, "position": {"line": 2, "character": 12}, "language": "node"}]);
    let result = server
        .request("workspace/executeCommand", json!({"command": "jwt-lsp.verifierSnippet", "arguments": arguments}));
    assert!(result.is_null());
    let message = server.wait_for(|message| message["method"] == "window/showMessage");
    assert!(message["params"]["message"].as_str().unwrap().contains("unsigned"));
    let arguments = json!([{"uri": URI, "position": {"line": 0, "character": 1}, "language": "node"}]);
    let result = server
        .request("workspace/executeCommand", json!({"command": "jwt-lsp.verifierSnippet", "arguments": arguments}));
    assert!(result.is_null());
    assert_eq!(server.shutdown(), Some(0));
}
