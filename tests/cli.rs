//! End-to-end tests of `jwt-lsp check` and `jwt-lsp decode`: output formats, exit statuses,
//! file walking (gitignore, hidden files, binary and oversized files, invalid UTF-8).

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};
use support::{NOW, expired_token, stderr, stdout, token, valid_token, write};

fn jwt_lsp(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jwt-lsp")).args(args).current_dir(dir).output().expect("run jwt-lsp")
}

const NOW_ARG: &str = "2026-01-01T00:00:00Z";

#[test]
fn json_output_has_exact_positions_in_characters() {
    let dir = tempfile::tempdir().unwrap();
    let token = expired_token();
    write(dir.path(), "config/app.yaml", format!("# 日本語 😀\nauth:\n  token: \"😀{token}\"\n"));
    let output = jwt_lsp(dir.path(), &["check", "--format", "json", "--now", NOW_ARG]);
    assert_eq!(output.status.code(), Some(0), "warnings only: exit 0; {}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).expect("one JSON object");
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    let chars = token.chars().count() as u64;
    assert_eq!(
        findings[0],
        json!({
            "path": "config/app.yaml", "line": 3, "column": 12, "end_line": 3, "end_column": 12 + chars,
            "code": "token-expired", "severity": "warning",
            "message": findings[0]["message"].clone(),
        })
    );
    assert!(findings[0]["message"].as_str().unwrap().starts_with("Token expired 3 days ago, 2025-12-29 00:00:00 UTC"));
}

#[test]
fn text_output_exit_status_and_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let none = token(&json!({"alg": "none"}), &json!({"sub": "admin", "exp": NOW + 60}))
        .rsplit_once('.')
        .unwrap()
        .0
        .to_string()
        + ".";
    write(dir.path(), "a.env", format!("OK={}\nBAD={none}\n", valid_token()));
    let output = jwt_lsp(dir.path(), &["check", "--now", NOW_ARG, "--color", "never"]);
    assert_eq!(output.status.code(), Some(1), "an error finding fails the run");
    let text = stdout(&output);
    assert!(text.starts_with("a.env:2:5: error[token-alg-none] Unsecured token"), "{text}");
    assert!(stderr(&output).contains("1 finding in 1 file (1 error"), "{}", stderr(&output));

    // Only a hint: passes by default, fails with --fail-on hint.
    write(dir.path(), "a.env", format!("T={}\n", token(&json!({"alg": "HS256"}), &json!({"sub": "x"}))));
    assert_eq!(jwt_lsp(dir.path(), &["check", "--now", NOW_ARG]).status.code(), Some(0));
    assert_eq!(jwt_lsp(dir.path(), &["check", "--now", NOW_ARG, "--fail-on", "hint"]).status.code(), Some(1));
    assert_eq!(
        jwt_lsp(dir.path(), &["check", "--now", NOW_ARG, "--severity", "token-no-expiry=error"]).status.code(),
        Some(1)
    );
    assert_eq!(
        jwt_lsp(dir.path(), &["check", "--now", NOW_ARG, "--severity", "token-no-expiry=off", "--fail-on", "hint"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["check", "--now", "yesterday"],
        vec!["check", "--format", "xml"],
        vec!["check", "does-not-exist"],
        vec!["check", "--severity", "bogus-rule=error"],
        vec!["check", "--severity", "no-equals-sign"],
        vec!["frobnicate"],
    ] {
        let output = jwt_lsp(dir.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(!stderr(&output).is_empty());
    }
    let help = jwt_lsp(dir.path(), &["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(stdout(&help).contains("Examples:"));
    let version = jwt_lsp(dir.path(), &["--version"]);
    assert!(stdout(&version).starts_with("jwt-lsp "));
}

#[test]
fn walking_honours_gitignore_scans_hidden_files_and_skips_binary_oversized_and_git() {
    let dir = tempfile::tempdir().unwrap();
    let token = expired_token();
    write(dir.path(), ".gitignore", "ignored/\n*.secret\n");
    write(dir.path(), ".env", format!("T={token}\n"));
    write(dir.path(), "ignored/a.txt", format!("T={token}\n"));
    write(dir.path(), "x.secret", format!("T={token}\n"));
    write(dir.path(), ".git/config", format!("T={token}\n"));
    write(dir.path(), "nested/.hidden/b.yaml", format!("t: {token}\n"));
    let mut binary = format!("T={token}\n").into_bytes();
    binary.push(0);
    write(dir.path(), "blob.bin", binary);
    write(dir.path(), "big.log", format!("T={token}\n{}", "x".repeat(2048)));
    let output = jwt_lsp(dir.path(), &["check", "--format", "json", "--now", NOW_ARG, "--max-file-size", "1024"]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let paths: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, vec![".env", "nested/.hidden/b.yaml"]);
    let log = stderr(&output);
    assert!(log.contains("skipped big.log:") && log.contains("--max-file-size"), "{log}");
    assert!(log.contains("skipped blob.bin: binary file"), "{log}");

    // An explicit path outside the current directory is shown as given.
    let output = jwt_lsp(dir.path(), &["check", "--format", "json", "--now", NOW_ARG, "nested"]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["findings"][0]["path"], "nested/.hidden/b.yaml");
}

#[test]
fn invalid_utf8_is_reported_and_scanning_continues() {
    let dir = tempfile::tempdir().unwrap();
    let token = expired_token();
    let mut bytes = b"bad \xff\xfe bytes\n".to_vec();
    bytes.extend_from_slice(format!("T={token}\n").as_bytes());
    write(dir.path(), "latin1.txt", bytes);
    write(dir.path(), "ok.txt", format!("T={token}\n"));
    let output = jwt_lsp(dir.path(), &["check", "--format", "json", "--now", NOW_ARG]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{report}");
    assert_eq!((findings[0]["path"].as_str(), findings[0]["line"].as_u64()), (Some("latin1.txt"), Some(2)));
    assert!(
        stderr(&output).contains("latin1.txt: not valid UTF-8 (first bad byte at offset 4)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn sarif_has_one_rule_per_code_and_results_with_regions() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.env", format!("T={}\n", expired_token()));
    let output = jwt_lsp(dir.path(), &["check", "--format", "sarif", "--now", NOW_ARG]);
    let sarif: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), jwt_lsp::rules::Rule::ALL.len());
    let expired = rules.iter().find(|rule| rule["id"] == "token-expired").unwrap();
    assert!(expired["help"]["markdown"].as_str().unwrap().starts_with("# token-expired"));
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "token-expired");
    assert_eq!(result["level"], "warning");
    assert_eq!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "a.env");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startColumn"], 3);
    assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"], "token-expired");
}

#[test]
fn decode_accepts_pasted_headers_and_says_what_it_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let token = expired_token();
    let pasted = format!("  \"Bearer {token}\"  ");
    let output = jwt_lsp(dir.path(), &["decode", &pasted, "--now", NOW_ARG]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("repaired: removed surrounding \" quotes"), "{text}");
    assert!(text.contains("repaired: removed the `Bearer ` prefix"), "{text}");
    assert!(text.contains("\"sub\": \"alice\""), "{text}");
    assert!(text.contains("exp       2025-12-29 00:00:00 UTC · 3 days ago"), "{text}");
    assert!(text.contains("warning[token-expired]"), "{text}");

    // From stdin, URL-encoded with padding.
    let (head, rest) = token.split_once('.').unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    let damaged = format!("Authorization: Bearer {head}.{payload}%3D%3D.{signature}\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_jwt-lsp"))
        .args(["decode", "-", "--now", NOW_ARG])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(damaged.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let text = stdout(&output);
    assert!(text.contains("removed the `Authorization:` header name"), "{text}");
    assert!(text.contains("is percent-encoded (`%3D`)"), "{text}");
    assert!(text.contains("\"sub\": \"alice\""), "{text}");

    let output = jwt_lsp(dir.path(), &["decode", "not.a.token"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("not a JWT"), "{}", stderr(&output));
}

#[test]
fn fix_applies_preferred_fixes_and_reports_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let source = "const jwt = require('jsonwebtoken');\nconst secret = process.env.JWT_SECRET;\nfunction auth(req) {\n  return jwt.verify(req.headers.authorization, secret, { ignoreExpiration: true });\n}\n";
    write(dir.path(), "app.js", source);
    let before = jwt_lsp(dir.path(), &["check", "--format", "json", "--now", NOW_ARG]);
    let codes = |output: &Output| -> Vec<String> {
        let report: Value = serde_json::from_str(&stdout(output)).unwrap();
        report["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
    };
    let found = codes(&before);
    for code in ["verify-missing-algorithms", "verify-bearer-prefix", "verify-expiry-disabled"] {
        assert!(found.iter().any(|c| c == code), "{code} in {found:?}");
    }
    let fixed = jwt_lsp(dir.path(), &["check", "--fix", "--format", "json", "--now", NOW_ARG]);
    assert!(stderr(&fixed).contains("app.js: applied 3 fixes"), "{}", stderr(&fixed));
    let left = codes(&fixed);
    assert!(left.iter().all(|c| c == "verify-missing-audience" || c == "verify-missing-issuer"), "{left:?}");
    let text = std::fs::read_to_string(dir.path().join("app.js")).unwrap();
    assert!(text.contains("algorithms: ['HS256']") && !text.contains("ignoreExpiration"), "{text}");
    assert!(text.contains(".replace(/^Bearer\\s+/i, '')"), "{text}");
    // A second run finds nothing more to fix and leaves the file alone.
    let again = jwt_lsp(dir.path(), &["check", "--fix", "--format", "json", "--now", NOW_ARG]);
    assert!(!stderr(&again).contains("applied"), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(dir.path().join("app.js")).unwrap(), text);
}

/// `check . | head`: once the reader has gone, the scan stops instead of analysing the rest of
/// the tree for nobody, and says where it stopped. The pipe's read end is closed before the run,
/// so the first write that reaches it (when the 64 KiB output buffer fills) fails.
#[test]
fn a_closed_output_stops_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let token = expired_token();
    for n in 0..1000 {
        write(dir.path(), &format!("f{n:04}.env"), format!("T={token}\n"));
    }
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = Command::new(env!("CARGO_BIN_EXE_jwt-lsp"))
        .args(["check", "--now", NOW_ARG])
        .current_dir(dir.path())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run jwt-lsp");
    let stderr = stderr(&output);
    assert!(output.status.code().is_some_and(|code| code < 2), "{:?}: {stderr}", output.status);
    let at: usize = stderr
        .split("stopped at file ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("no stop note: {stderr}"));
    assert!((1..1000).contains(&at), "stopped at file {at} of 1000: {stderr}");
    assert!(stderr.contains(&format!("stopped at file {at} of 1000;")), "{stderr}");
    assert!(!stderr.contains("1000 findings"), "the summary counts the files written: {stderr}");
}

/// Files finish out of order (the first by path is the largest); the findings are written as
/// they finish, and still come out in path order, the same in JSON, text and through `--output`
/// (which writes after the whole run).
#[test]
fn findings_stream_out_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    let token = expired_token();
    write(dir.path(), "a-big.log", format!("Bearer {token}\n").repeat(20_000));
    for name in ["b.log", "c/d.log", "c.e.log", "z.env"] {
        write(dir.path(), name, format!("T={token}\n"));
    }
    let output = jwt_lsp(dir.path(), &["check", "--format", "json", "--now", NOW_ARG]);
    let report: Value = serde_json::from_str(&stdout(&output)).expect("one JSON object");
    let paths: Vec<&str> =
        report["findings"].as_array().unwrap().iter().map(|finding| finding["path"].as_str().unwrap()).collect();
    assert_eq!(paths.len(), 20_004);
    let mut sorted = paths.clone();
    sorted.sort();
    assert!(paths == sorted, "not in path order");
    assert_eq!(paths[20_000..], ["b.log", "c.e.log", "c/d.log", "z.env"]);
    let elsewhere = tempfile::tempdir().unwrap();
    let whole = elsewhere.path().join("whole.json");
    jwt_lsp(dir.path(), &["check", "--format", "json", "--now", NOW_ARG, "--output", whole.to_str().unwrap()]);
    let whole = std::fs::read_to_string(whole).expect("written");
    assert!(whole == stdout(&output), "--output (whole run) and stdout (streamed) differ");
    let text = jwt_lsp(dir.path(), &["check", "--now", NOW_ARG]);
    assert!(stderr(&text).contains("20004 findings in 5 files"), "{}", stderr(&text));
}
