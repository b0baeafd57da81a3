//! Crash regressions (issue 8): inputs that once panicked, and what must happen when analysis
//! does panic — the stage is named, its panic message (which can quote a token) is never shown,
//! the other stages' findings survive, and `check` exits 2 so a CI gate cannot pass on it.
//! Generated inputs live in `fuzz.rs`; what it finds ends up here.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use jwt_lsp::analysis::{Document, Inputs, analyze};
use jwt_lsp::config::{Config, Settings};
use jwt_lsp::text::LineIndex;
use jwt_lsp::verify::Verifier;
use serde_json::{Value, json};
use support::{Server, expired_token};

const NOW_ARG: &str = "2026-01-01T00:00:00Z";

fn fixture(name: &str) -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unicode").join(name);
    let text = std::fs::read_to_string(&path).expect("fixture");
    (path, text)
}

fn fixture_config() -> Config {
    let settings = Settings { now: Some(Value::String(NOW_ARG.to_string())), ..Settings::default() };
    Config::resolve(&settings).0
}

/// The non-ASCII identifier fixtures (also checked line by line by `fixtures.rs`): every finding
/// covers exactly the expression it is about, on character boundaries.
#[test]
fn findings_around_non_ascii_identifiers_have_exact_ranges() {
    let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImlhdCI6MTc2NDU0NzIwMCwiZXhwIjoxNzY0NTUwODAwfQ.pnvgXORFkj8e89U-k11y5NUQCW_CqRt9V5d2PnJmknA";
    let config = fixture_config();
    for name in
        ["identifiers.js", "identifiers.ts", "identifiers.tsx", "identifiers.py", "identifiers.go", "identifiers.md"]
    {
        let (_, text) = fixture(name);
        // As many findings as the annotations list codes.
        let expected_codes: usize = text
            .lines()
            .filter_map(|line| line.split_once("jwt-lsp-expect:"))
            .map(|(_, codes)| codes.trim_end_matches("-->").split(',').count())
            .sum();
        let index = LineIndex::new(&text);
        let analysis = analyze(
            &Document { text: &text, path: Some(name), language_id: None, index: &index },
            &Inputs::new(&config, &Verifier::default(), 0),
        );
        assert_eq!(analysis.findings.len(), expected_codes, "{name}: {:#?}", analysis.findings);
        for finding in &analysis.findings {
            let covered =
                text.get(finding.range.clone()).unwrap_or_else(|| panic!("{name}: {finding:?} off characters"));
            let code = finding.rule.code();
            let expected: &[&str] = match code {
                "token-expired" => &[token],
                "hardcoded-secret" => &["'ﾋﾐﾂの鍵'"],
                "decode-without-verify" => &["\"verify_signature\": False"],
                "verify-missing-algorithms" if name.ends_with(".py") => &["jwt.decode"],
                _ if name.ends_with(".go") => &["jwt.Parse"],
                _ => &["jwt.verify", "jwt.decode"],
            };
            assert!(expected.contains(&covered), "{name}: {code} covers {covered:?}");
        }
    }
}

/// A Latin-1 file read by `check` has U+FFFD where its accents were; a callee ending in one once
/// sliced inside it.
#[test]
fn latin1_callee_is_checked_not_crashed() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"const jwt = require('jsonwebtoken');\nconst r = obj.caf".to_vec();
    bytes.push(0xE9); // `é` in Latin-1: invalid UTF-8, replaced with U+FFFD
    bytes.extend_from_slice(b"(t) + caf");
    bytes.push(0xE9);
    bytes.extend_from_slice(b".verify(t);\nconst c = jwt.verify(t, process.env.JWT_SECRET);\n");
    std::fs::write(dir.path().join("legacy.js"), bytes).unwrap();
    let output = jwt_lsp(dir.path(), &[], &["check", "--format", "json", "--now", NOW_ARG, "--fail-on", "never"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let codes: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"verify-missing-algorithms"), "{codes:?}");
}

fn jwt_lsp(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jwt-lsp"));
    command.args(args).current_dir(dir).env_remove("JWT_LSP_TEST_PANIC");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run jwt-lsp")
}

/// A file with a token and verification code; the marker arms the debug-only panic trigger.
fn panicking_source(token: &str) -> String {
    format!(
        "// jwt-lsp-test-panic\nconst jwt = require('jsonwebtoken');\nconst t = '{token}';\nconst c = jwt.verify(t, process.env.JWT_SECRET);\n"
    )
}

#[test]
fn check_keeps_token_findings_when_code_analysis_panics_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let token = expired_token();
    std::fs::write(dir.path().join("app.js"), panicking_source(&token)).unwrap();
    std::fs::write(dir.path().join("other.env"), format!("T={token}\n")).unwrap();
    let output =
        jwt_lsp(dir.path(), &[("JWT_LSP_TEST_PANIC", "code")], &["check", "--format", "json", "--now", NOW_ARG]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).expect("all findings printed as JSON");
    let found: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["code"].as_str().unwrap().to_string()))
        .collect();
    assert!(found.contains(&("app.js".into(), "token-expired".into())), "{found:?}");
    assert!(found.contains(&("other.env".into(), "token-expired".into())), "{found:?}");
    // The code stage's findings are the ones lost.
    assert!(!found.iter().any(|(_, code)| code.starts_with("verify-")), "{found:?}");
    assert!(stderr.contains("app.js:") && stderr.contains("code analysis (javascript) failed"), "{stderr}");
    assert!(stderr.contains("src/analysis.rs:"), "the location is given: {stderr}");
    assert!(!stderr.contains(&token) && !stderr.contains("jsonwebtoken"), "source text leaked: {stderr}");
    // Without the trigger the same tree passes the stage and finds the code issue.
    let output = jwt_lsp(dir.path(), &[], &["check", "--format", "json", "--now", NOW_ARG, "--fail-on", "never"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("verify-missing-algorithms"));
}

#[test]
fn check_reports_every_failing_stage_without_source_text() {
    let dir = tempfile::tempdir().unwrap();
    let token = expired_token();
    std::fs::write(dir.path().join("app.js"), panicking_source(&token)).unwrap();
    for (stage, named, kept) in [
        ("tokens", "token scan and checks failed", "verify-missing-algorithms"),
        ("settings", "settings and ignore comments failed", "token-expired"),
    ] {
        let output =
            jwt_lsp(dir.path(), &[("JWT_LSP_TEST_PANIC", stage)], &["check", "--format", "text", "--now", NOW_ARG]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stage}: {stderr}");
        assert!(stderr.contains(named), "{stage}: {stderr}");
        assert!(!stderr.contains(&token), "{stage}: token leaked: {stderr}");
        assert!(String::from_utf8_lossy(&output.stdout).contains(kept), "{stage}: lost {kept}");
    }
}

#[test]
fn server_publishes_token_findings_when_code_analysis_panics() {
    let token = expired_token();
    let uri = "file:///workspace/app.js";
    let mut server = Server::spawn_with_env(&[("JWT_LSP_TEST_PANIC", "code")]);
    server.initialize_default();
    server.open(uri, "javascript", 1, &panicking_source(&token));
    let log = server.wait_for(|m| m["method"] == "window/logMessage");
    let message = log["params"]["message"].as_str().unwrap();
    assert!(message.contains("code analysis (javascript) failed"), "{message}");
    assert!(!message.contains(&token) && !message.contains("jsonwebtoken"), "source text leaked: {message}");
    let diagnostics = server.diagnostics(uri, Some(1));
    let codes: Vec<&Value> = diagnostics.iter().map(|d| &d["code"]).collect();
    assert!(codes.contains(&&json!("token-expired")), "{diagnostics:?}");
    assert!(!codes.contains(&&json!("verify-missing-algorithms")), "{diagnostics:?}");
    assert_eq!(server.shutdown(), Some(0));
}
