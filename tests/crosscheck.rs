//! The workspace cross-check (`token-rejected-by-verifier`) and `jwt-lsp scan`, end to end over
//! the workspace fixtures (`tests/fixtures/workspace/`, written by its `make.py`): each
//! `<language>/<key source>/` folder is a service with one verifier and tokens that probe one
//! check each; `multi/` is two services.
//!
//! Annotations: `# jwt-lsp-expect: token-rejected-by-verifier <fragment>` before a token: the
//! finding is there and its message holds the fragment. Every other token is silent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

const EXPECT: &str = "jwt-lsp-expect: token-rejected-by-verifier";
const NOW: &str = "2026-01-01T00:00:00Z";
const RULE: &str = "token-rejected-by-verifier";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn fixture(name: &str) -> String {
    format!("tests/fixtures/workspace/{name}")
}

/// `jwt-lsp ARGS` run from the repository root (paths in the output are relative to it).
fn jwt_lsp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jwt-lsp")).args(args).current_dir(root()).output().expect("run jwt-lsp")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

/// `check --format json` of one fixture workspace. `--leeway 600`: `token-expired` stays silent
/// for a token two minutes past `exp`, which the verifiers' own 30 s leeway rejects.
fn check_json(workspace: &str) -> Value {
    let output = jwt_lsp(&["check", &fixture(workspace), "--format", "json", "--now", NOW, "--leeway", "600"]);
    assert!(output.status.code().is_some_and(|code| code < 2), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_str(&stdout(&output)).expect("one JSON document")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("fixture dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// (path relative to the repository, 1-based line) → expected message fragment.
fn annotations(workspace: &str) -> BTreeMap<(String, u64), String> {
    let mut files = Vec::new();
    files_under(&root().join(fixture(workspace)), &mut files);
    let mut out = BTreeMap::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let relative = file.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
        for (number, line) in text.lines().enumerate() {
            if let Some(at) = line.find(EXPECT) {
                // The annotation is alone on its line: it applies to the next one (1-based: +2).
                out.insert((relative.clone(), number as u64 + 2), line[at + EXPECT.len()..].trim().to_string());
            }
        }
    }
    out
}

fn assert_fires_exactly_where_annotated(workspace: &str) -> Vec<String> {
    let report = check_json(workspace);
    let mut got: BTreeMap<(String, u64), String> = BTreeMap::new();
    for finding in report["findings"].as_array().unwrap() {
        if finding["code"] == RULE {
            let key = (finding["path"].as_str().unwrap().to_string(), finding["line"].as_u64().unwrap());
            got.insert(key, finding["message"].as_str().unwrap().to_string());
        }
    }
    let want = annotations(workspace);
    assert!(!want.is_empty(), "{workspace}: no annotations");
    let mut problems = Vec::new();
    for ((path, line), fragment) in &want {
        match got.get(&(path.clone(), *line)) {
            None => problems.push(format!("{path}:{line}: expected [{RULE}] ({fragment}) did not fire")),
            Some(message) if !message.contains(fragment.as_str()) => {
                problems.push(format!("{path}:{line}: message `{message}` lacks `{fragment}`"))
            }
            Some(_) => {}
        }
    }
    for ((path, line), message) in &got {
        if !want.contains_key(&(path.clone(), *line)) {
            problems.push(format!("{path}:{line}: unexpected [{RULE}] {message}"));
        }
    }
    assert!(problems.is_empty(), "{workspace}:\n{}", problems.join("\n"));
    want.into_values().collect()
}

/// Every check fires (and a good token stays silent) for every language and every key source:
/// a literal secret, a secret from the service's `.env`, a PEM file read by a literal path, and
/// a JWKS file (`kid`).
#[test]
fn each_check_fires_and_stays_silent_for_each_language_and_key_source() {
    for language in ["js", "py", "go"] {
        let mut fragments = Vec::new();
        for source in ["literal", "env", "pem", "jwks"] {
            let found = assert_fires_exactly_where_annotated(&format!("{language}/{source}"));
            // Without a resolved key there would be no signature finding: each source resolves.
            assert!(
                found.iter().any(|fragment| fragment.contains("signature does not verify")),
                "{language}/{source}: no signature check, so its key was not resolved"
            );
            fragments.extend(found);
        }
        for check in ["`alg` is", "`kid` `rotated-away`", "`iss` is", "`aud` is", "beyond its leeway", "signature"] {
            assert!(fragments.iter().any(|fragment| fragment.contains(check)), "{language}: no `{check}` fixture");
        }
    }
}

/// Two services: a token goes to its own service's verifier and to any verifier whose audience
/// names its `aud`; one that accepts it is enough.
#[test]
fn a_token_is_rejected_only_when_every_verifier_that_receives_it_rejects_it() {
    assert_fires_exactly_where_annotated("multi");
    let report = check_json("multi");
    let both = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["code"] == RULE && finding["message"].as_str().unwrap().contains("all 2"))
        .expect("the token both services reject");
    assert_eq!(both["path"], fixture("multi/orders/fixtures/token-rejected-by-verifier.fires.txt"));
    let message = both["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("{}:7: the signature does not verify", fixture("multi/billing/billing/auth.py")))
    );
    assert!(message.contains(&format!(
        "{}:4: `aud` is `billing-api`, the verifier requires `orders-api`",
        fixture("multi/orders/src/auth.js")
    )));
    let related: Vec<(&str, u64)> = both["related"]
        .as_array()
        .expect("related locations")
        .iter()
        .map(|related| (related["path"].as_str().unwrap(), related["line"].as_u64().unwrap()))
        .collect();
    let (billing, orders) = (fixture("multi/billing/billing/auth.py"), fixture("multi/orders/src/auth.js"));
    assert_eq!(related, vec![(billing.as_str(), 7), (orders.as_str(), 4)]);
}

#[test]
fn sarif_points_at_the_rejecting_verifiers() {
    let output = jwt_lsp(&["check", &fixture("multi"), "--format", "sarif", "--now", NOW]);
    let sarif: Value = serde_json::from_str(&stdout(&output)).expect("SARIF");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let rejected: Vec<&Value> = results.iter().filter(|result| result["ruleId"] == RULE).collect();
    assert_eq!(rejected.len(), 3, "{results:?}");
    let both = rejected.iter().find(|result| result["relatedLocations"].as_array().is_some_and(|all| all.len() == 2));
    let related = &both.expect("two related locations")["relatedLocations"];
    assert_eq!(related[1]["physicalLocation"]["artifactLocation"]["uri"], fixture("multi/orders/src/auth.js"));
    assert_eq!(related[1]["physicalLocation"]["region"]["startLine"], 4);
    assert!(related[1]["message"]["text"].as_str().unwrap().contains("`aud` is `billing-api`"));
    // The rule is in the driver's rule list with its page.
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|rule| rule["id"] == RULE));
}

#[test]
fn ignore_comments_and_severity_settings_apply() {
    let output = jwt_lsp(&[
        "check",
        &fixture("multi"),
        "--format",
        "json",
        "--now",
        NOW,
        "--severity",
        "token-rejected-by-verifier=off",
    ]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(!report["findings"].as_array().unwrap().iter().any(|finding| finding["code"] == RULE));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package.json"), "{}").unwrap();
    std::fs::write(
        dir.path().join("auth.js"),
        "const jwt = require('jsonwebtoken');\njwt.verify(t, 'k', { algorithms: ['RS256'] });\n",
    )
    .unwrap();
    let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWJ5dGVzLWFyZS1oZXJlLTMyLWJ5dGVzISE";
    std::fs::write(dir.path().join("a.env"), format!("A={token}\nB={token} # jwt-lsp-ignore: {RULE}\n")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_jwt-lsp"))
        .args(["check", ".", "--format", "json", "--now", NOW])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let lines: Vec<u64> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["code"] == RULE)
        .map(|finding| finding["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![1], "{report}");
}

/// `scan --format json`, field by field: the shape, relative paths, 1-based lines, keys
/// described by their source.
#[test]
fn scan_json_lists_every_token_and_verifier() {
    let output = jwt_lsp(&["scan", &fixture("multi"), "--format", "json", "--now", NOW]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let scan: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let tokens = scan["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 8);
    let billing_tokens = fixture("multi/billing/tokens.txt");
    let billing_verifier = fixture("multi/billing/billing/auth.py");
    assert_eq!(
        tokens[1],
        json!({
            "path": billing_tokens,
            "line": 4,
            "column": 7,
            "alg": "HS256",
            "kid": null,
            "iss": null,
            "aud": "billing-api",
            "exp": 1767229200,
            "findings": [RULE],
            "verifiers": [{
                "path": billing_verifier,
                "line": 7,
                "verdict": "rejects",
                "reason": "the signature does not verify with its key",
                "signature_checked": false,
            }],
        })
    );
    assert_eq!(tokens[0]["verifiers"][0]["verdict"], "accepts");
    assert_eq!(tokens[0]["verifiers"][0]["signature_checked"], true);
    assert_eq!(tokens[0]["findings"], json!([]));
    // The token meant for billing but kept in orders: both verifiers receive it, billing accepts.
    let routed = &tokens[3];
    assert_eq!(routed["path"], fixture("multi/orders/fixtures/token-rejected-by-verifier.fires.txt"));
    let verdicts: Vec<&str> =
        routed["verifiers"].as_array().unwrap().iter().map(|v| v["verdict"].as_str().unwrap()).collect();
    assert_eq!(verdicts, vec!["accepts", "rejects"]);
    let verifiers = scan["verifiers"].as_array().unwrap();
    assert_eq!(
        verifiers[0],
        json!({
            "path": billing_verifier,
            "line": 7,
            "library": "PyJWT",
            "algorithms": ["HS256"],
            "issuers": null,
            "audiences": ["billing-api"],
            "leeway": 0.0,
            "key": format!("env BILLING_JWT_SECRET (value in {})", fixture("multi/billing/.env")),
            "accepts": 3,
            "receives": 5,
        })
    );
    assert_eq!(verifiers[1]["library"], "jsonwebtoken");
    assert_eq!((&verifiers[1]["accepts"], &verifiers[1]["receives"]), (&json!(2), &json!(6)));

    let pem = jwt_lsp(&["scan", &fixture("js/pem"), "--format", "json", "--now", NOW]);
    let pem: Value = serde_json::from_str(&stdout(&pem)).unwrap();
    assert_eq!(pem["verifiers"][0]["key"], format!("file {}", fixture("js/pem/keys/public.pem")));
    assert_eq!(pem["verifiers"][0]["leeway"], 30.0);
    assert_eq!(pem["verifiers"][0]["issuers"], json!(["https://auth.example"]));
    let literal = jwt_lsp(&["scan", &fixture("go/literal"), "--format", "json", "--now", NOW]);
    let literal: Value = serde_json::from_str(&stdout(&literal)).unwrap();
    assert_eq!(literal["verifiers"][0]["key"], "literal in the code");
    assert_eq!(literal["verifiers"][0]["library"], "golang-jwt");
}

#[test]
fn scan_text_is_a_table() {
    let output = jwt_lsp(&["scan", &fixture("multi"), "--now", NOW]);
    let text = stdout(&output);
    assert!(text.starts_with("TOKEN "), "{text}");
    assert!(text.contains("\nVERDICTS\n"));
    assert!(text.contains("\nVERIFIER "));
    assert!(text.contains("3 of 5"), "{text}");
}

/// No token text, secret or key material reaches any output: check (text, JSON, SARIF) and scan
/// (text, JSON), over every fixture workspace.
#[test]
fn no_token_or_key_material_in_any_output() {
    let mut secrets: Vec<String> = Vec::new();
    let mut files = Vec::new();
    files_under(&root().join("tests/fixtures/workspace"), &mut files);
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        for line in text.lines() {
            if name == "tokens.txt"
                && let Some(token) = line.strip_prefix("TOKEN=")
            {
                // Payload and signature, each alone: no part of a token is printed. (The header
                // `{"alg":"HS256","typ":"JWT"}` is everyone's: the rule pages in SARIF quote it.)
                secrets.extend(token.split('.').skip(1).filter(|part| part.len() > 8).map(str::to_string));
            }
            if name == ".env"
                && let Some((_, value)) = line.split_once('=')
            {
                secrets.push(value.to_string());
            }
            if name.ends_with(".pem") && !line.starts_with("-----") {
                secrets.push(line.to_string());
            }
        }
        if name == "jwks.json" {
            let jwks: Value = serde_json::from_str(&text).unwrap();
            secrets.push(jwks["keys"][0]["n"].as_str().unwrap()[..40].to_string());
        }
    }
    // The literal secrets of the `literal` services (hard-coded in their verifiers).
    secrets.extend(["js-literal-secret", "py-literal-secret", "go-literal-secret"].map(str::to_string));
    assert!(secrets.len() > 100, "the fixtures' secrets were found");
    for workspace in ["js", "py", "go", "multi"] {
        let path = fixture(workspace);
        let runs: [&[&str]; 5] = [
            &["check", &path, "--now", NOW],
            &["check", &path, "--format", "json", "--now", NOW],
            &["check", &path, "--format", "sarif", "--now", NOW],
            &["scan", &path, "--now", NOW],
            &["scan", &path, "--format", "json", "--now", NOW],
        ];
        for args in runs {
            let output = jwt_lsp(args);
            let all = format!("{}{}", stdout(&output), String::from_utf8_lossy(&output.stderr));
            assert!(all.contains(RULE) || args[0] == "scan", "{args:?}: the rule fired");
            for secret in &secrets {
                assert!(!all.contains(secret.as_str()), "{args:?} prints secret material");
            }
        }
    }
}
