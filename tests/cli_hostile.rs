//! `jwt-lsp check`, `decode` and `explain` under hostile input: escape sequences hidden in
//! tokens, file names that are not URI-safe, absurd numbers, unreadable paths and FIFOs, and
//! secrets that must not reach CI logs (`--redact`).

mod support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use support::{NOW, stderr, stdout, token, write};

const NOW_ARG: &str = "2026-01-01T00:00:00Z";

/// Runs the binary; a run that does not end within a minute (a blocking FIFO read) is killed
/// and fails the test instead of hanging it.
fn jwt_lsp(dir: &Path, args: &[&str]) -> Output {
    run(Command::new(env!("CARGO_BIN_EXE_jwt-lsp")).args(args).current_dir(dir), args)
}

fn run(command: &mut Command, args: &[&str]) -> Output {
    let child =
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run jwt-lsp");
    let pid = child.id();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match finished.recv_timeout(Duration::from_secs(60)) {
        Ok(output) => output.expect("output"),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("jwt-lsp {args:?} blocked for a minute");
        }
    }
}

/// No raw control character (other than line breaks) and no bidi override reaches the terminal.
fn assert_terminal_safe(what: &str, text: &str) {
    let bad = text.chars().find(|&ch| {
        (ch.is_control() && ch != '\n')
            || ('\u{202a}'..='\u{202e}').contains(&ch)
            || ('\u{2066}'..='\u{2069}').contains(&ch)
    });
    assert_eq!(bad, None, "{what} prints a raw control or bidi character: {text:?}");
}

const HOSTILE_ISS: &str = "https://evil\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}nigol";
const HOSTILE_KID: &str = "k\u{1b}[31m1\u{9b}0m\u{2066}";

fn hostile_token() -> String {
    token(&json!({"alg": "HS256", "kid": HOSTILE_KID}), &json!({"iss": HOSTILE_ISS, "sub": "a\nb", "exp": NOW - 60}))
}

#[test]
fn decode_and_explain_escape_control_characters_from_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let token = hostile_token();

    let output = jwt_lsp(dir.path(), &["decode", &token, "--now", NOW_ARG]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert_terminal_safe("decode", &text);
    assert!(text.contains("Findings:"), "{text}");

    let output = jwt_lsp(dir.path(), &["explain", &token, "--now", NOW_ARG, "--iss", "https://good"]);
    let text = stdout(&output);
    assert_terminal_safe("explain", &text);
    assert_terminal_safe("explain stderr", &stderr(&output));
    // The kid is shown, escaped rather than dropped.
    assert!(text.contains("kid: `k\\u{1b}[31m1\\u{9b}0m\\u{2066}`"), "{text}");

    // An `alg` is printed by both: the same escaping.
    let alg = token_with_alg("HS256\u{1b}[8m");
    for command in ["decode", "explain"] {
        let output = jwt_lsp(dir.path(), &[command, &alg, "--now", NOW_ARG]);
        let text = stdout(&output);
        assert_terminal_safe(command, &text);
        assert!(text.contains("HS256\\u{1b}[8m"), "{command}: {text}");
    }
}

fn token_with_alg(alg: &str) -> String {
    token(&json!({"alg": alg}), &json!({"sub": "x"}))
}

#[test]
fn check_text_output_escapes_paths_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    // A header value quoted in a finding message (`alg` outside the allow-list), and a file
    // name with an escape.
    write(dir.path(), ".jwt-lsp.toml", "algorithms = [\"RS256\"]\n");
    let quoted = token(&json!({"alg": "HS256\u{1b}]0;pwned\u{7}\u{202e}"}), &json!({"exp": NOW + 60}));
    write(dir.path(), "a\u{1b}[31m.env", format!("T={}\nU={quoted}\n", hostile_token()));
    let output = jwt_lsp(dir.path(), &["check", "--now", NOW_ARG, "--color", "never"]);
    let text = stdout(&output);
    assert!(text.contains("a\\u{1b}[31m.env:1:3: "), "{text}");
    assert!(text.contains("Algorithm `HS256\\u{1b}]0;pwned\\u{7}\\u{202e}` ∉ [RS256]"), "{text}");
    assert_terminal_safe("check", &text);
    assert_terminal_safe("check stderr", &stderr(&output));
    // JSON keeps the exact name: JSON escaping is enough there.
    let output = jwt_lsp(dir.path(), &["check", "--now", NOW_ARG, "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["findings"][0]["path"], "a\u{1b}[31m.env");
}

#[test]
fn sarif_uris_are_percent_encoded_relative_references() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["dir with space/a#1.env", "100%?.env", "日本/é.env", "c:d.env"];
    let token = support::expired_token();
    for name in names {
        write(dir.path(), name, format!("T={token}\n"));
    }
    let output = jwt_lsp(dir.path(), &["check", "--now", NOW_ARG, "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&stdout(&output)).expect("SARIF JSON");
    let uris: Vec<String> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| {
            let location = &result["locations"][0]["physicalLocation"]["artifactLocation"];
            assert_eq!(location["uriBaseId"], "%SRCROOT%");
            location["uri"].as_str().unwrap().to_string()
        })
        .collect();
    // Sorted by path: the order `check` reports in.
    assert_eq!(uris, ["100%25%3F.env", "c%3Ad.env", "dir%20with%20space/a%231.env", "%E6%97%A5%E6%9C%AC/%C3%A9.env"]);
    for uri in &uris {
        assert!(
            uri.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"-._~/%".contains(&byte)),
            "not a plain URI reference: {uri}"
        );
    }
    let mut decoded: Vec<String> = uris.iter().map(|uri| percent_decode(uri)).collect();
    let mut expected = names.map(str::to_string).to_vec();
    decoded.sort();
    expected.sort();
    assert_eq!(decoded, expected, "decoding gives the file names back");

    // A path outside the current directory is an absolute file:// URI, without a base.
    let outside = tempfile::tempdir().unwrap();
    let output =
        jwt_lsp(outside.path(), &["check", "--now", NOW_ARG, "--format", "sarif", dir.path().to_str().unwrap()]);
    let sarif: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let location = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert!(location["uri"].as_str().unwrap().starts_with("file:///"), "{location}");
    assert!(location.get("uriBaseId").is_none(), "{location}");
}

fn percent_decode(uri: &str) -> String {
    let bytes = uri.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            out.push(u8::from_str_radix(&uri[at + 1..at + 3], 16).unwrap());
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn numeric_flags_are_range_checked() {
    let dir = tempfile::tempdir().unwrap();
    let token = support::expired_token();
    write(dir.path(), "a.env", format!("T={token}\n"));
    for args in [
        vec!["check", "--leeway", "18446744073709551615"],
        vec!["check", "--leeway", "604801"],
        vec!["decode", &token, "--leeway", "18446744073709551615"],
        vec!["explain", &token, "--leeway", "18446744073709551615"],
    ] {
        let output = jwt_lsp(dir.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains("more than one week"), "{args:?}: {}", stderr(&output));
    }
    for size in ["0", "18446744073709551615", "-1", "1073741825"] {
        let output = jwt_lsp(dir.path(), &["check", &format!("--max-file-size={size}")]);
        assert_eq!(output.status.code(), Some(2), "{size}");
        assert!(stderr(&output).contains("1 GiB"), "{}", stderr(&output));
    }
    // A week of leeway is accepted, and means it: the token expired three days ago.
    for (leeway, expired) in [("604800", false), ("86400", true)] {
        let output = jwt_lsp(dir.path(), &["check", "--now", NOW_ARG, "--leeway", leeway, "--format", "json"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(stdout(&output).contains("token-expired"), expired, "{leeway}: {}", stdout(&output));
    }

    // `--now` stays in the calendar: i64::MIN made `decode` overflow.
    for args in [
        vec!["decode", &token, "--now=-9223372036854775808"],
        vec!["check", "--now=-9223372036854775808"],
        vec!["explain", &token, "--now=9223372036854775807"],
    ] {
        let output = jwt_lsp(dir.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stderr(&output).contains("outside 1970-01-01 to 9999-12-31"), "{args:?}: {}", stderr(&output));
    }

    // The same limit for `.jwt-lsp.toml`: a usage error for the CLI.
    write(dir.path(), ".jwt-lsp.toml", "leeway = 9223372036854775807\n");
    let output = jwt_lsp(dir.path(), &["check", "--now", NOW_ARG]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("one week"), "{}", stderr(&output));
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_reported_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/a.env", format!("T={}\n", support::expired_token()));
    mkfifo(&dir.path().join("src/pipe"));

    // Inside a walked folder: skipped with a reason, the rest is scanned, no block.
    let output = jwt_lsp(dir.path(), &["check", "--now", NOW_ARG, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("token-expired"));
    assert!(stderr(&output).contains("skipped src/pipe: not a regular file: a FIFO"), "{}", stderr(&output));

    // Named explicitly: an error, exit 2 (it was silently skipped with exit 0).
    let output = jwt_lsp(dir.path(), &["check", "src/pipe"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("src/pipe: not a regular file: a FIFO"), "{}", stderr(&output));
    let output = jwt_lsp(dir.path(), &["check", "/dev/null"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/dev/null: not a regular file: a character device"), "{}", stderr(&output));
}

#[cfg(unix)]
#[test]
fn unreadable_paths_say_permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "locked/inner.env", "x\n");
    write(dir.path(), "secret.env", "x\n");
    let secret = dir.path().join("secret.env");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(dir.path().join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads anything: as root, run the binary as `nobody` (util-linux `setpriv`).
    let privileged = std::fs::read(&secret).is_ok();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let unprivileged = |args: &[&str]| {
        if !privileged {
            return Some(jwt_lsp(dir.path(), args));
        }
        let setpriv = Path::new("/usr/bin/setpriv");
        if !setpriv.exists() {
            eprintln!("running as root without setpriv: the permission cases are not exercised");
            return None;
        }
        let mut command = Command::new(setpriv);
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_jwt-lsp")])
            .args(args)
            .current_dir(dir.path());
        Some(run(&mut command, args))
    };
    for path in ["secret.env", "locked/inner.env"] {
        let Some(output) = unprivileged(&["check", path]) else { break };
        let expected = format!("{path}: permission denied");
        assert_eq!(output.status.code(), Some(2), "{path}");
        assert!(stderr(&output).contains(&expected), "{path}: {}", stderr(&output));
        assert!(!stderr(&output).contains("no such file"), "{}", stderr(&output));
    }
    // Inside a walked folder: listed as skipped with the reason, the run goes on (exit 0).
    if let Some(output) = unprivileged(&["check", "."]) {
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        for expected in ["skipped locked: permission denied", "skipped secret.env: permission denied"] {
            assert!(stderr(&output).contains(expected), "{}", stderr(&output));
        }
    }
    // A path that truly is missing still says so.
    let output = jwt_lsp(dir.path(), &["check", "missing.env"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("missing.env: no such file or directory"), "{}", stderr(&output));
    std::fs::set_permissions(dir.path().join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn hs256(secret: &[u8], header: &Value, claims: &Value) -> String {
    use hmac::{KeyInit, Mac};
    let input =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

#[test]
fn redact_hides_cracked_secrets_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let claims = json!({"sub": "alice", "exp": NOW + 3600});
    let builtin = hs256(b"your-256-bit-secret", &json!({"alg": "HS256"}), &claims);
    // A secret from the same file that itself contains the "` (" of the message format.
    let literal_secret = "in-file-` (a string on line 9-secret";
    let literal = hs256(literal_secret.as_bytes(), &json!({"alg": "HS256", "typ": "JWT"}), &claims);
    write(
        dir.path(),
        "app.json",
        format!("{{\n  \"a\": \"{builtin}\",\n  \"signing\": \"{literal_secret}\",\n  \"b\": \"{literal}\"\n}}\n"),
    );
    let secrets = ["your-256-bit-secret", literal_secret, "in-file-", "9-secret"];

    for format in ["text", "json", "sarif"] {
        let plain = jwt_lsp(dir.path(), &["check", "--now", NOW_ARG, "--format", format]);
        let shown = stdout(&plain);
        assert!(shown.contains("`your-256-bit-secret`"), "{format} without --redact: {shown}");
        assert!(shown.contains("in-file-"), "{format} without --redact: {shown}");

        let redacted = jwt_lsp(dir.path(), &["check", "--now", NOW_ARG, "--format", format, "--redact"]);
        let mut text = stdout(&redacted) + &stderr(&redacted);
        if format == "sarif" {
            // The rule documentation in the SARIF driver names published defaults; the results
            // are what must not.
            let sarif: Value = serde_json::from_str(&stdout(&redacted)).unwrap();
            text = sarif["runs"][0]["results"].to_string() + &stderr(&redacted);
        }
        assert_eq!(redacted.status.code(), plain.status.code(), "{format}");
        for secret in secrets {
            assert!(!text.contains(secret), "{format} --redact shows {secret:?}: {text}");
        }
        for token in [&builtin, &literal] {
            assert!(!text.contains(token.as_str()), "{format} --redact shows a token");
        }
        assert_eq!(text.matches("verifies with `REDACTED` (").count(), 2, "{format}: {text}");
    }
}

#[test]
fn explain_redact_hides_the_cracked_secret_in_the_checklist() {
    let dir = tempfile::tempdir().unwrap();
    let token = hs256(b"your-256-bit-secret", &json!({"alg": "HS256"}), &json!({"sub": "alice"}));
    let plain = jwt_lsp(dir.path(), &["explain", "--now", NOW_ARG, &token]);
    assert!(stdout(&plain).contains("`your-256-bit-secret`"), "{}", stdout(&plain));

    let redacted = jwt_lsp(dir.path(), &["explain", "--now", NOW_ARG, "--redact", &token]);
    let text = stdout(&redacted) + &stderr(&redacted);
    assert_eq!(redacted.status.code(), plain.status.code());
    assert!(!text.contains("your-256-bit-secret"), "{text}");
    // Once on the signature line, once in the verdict.
    assert_eq!(text.matches("weak secret `REDACTED` (").count(), 2, "{text}");
}
