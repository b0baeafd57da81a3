//! `jwt-lsp explain` and `jwt-lsp check` with keys: the printed checklist, the verdict, exit
//! statuses, pasted-token repairs, and `.jwt-lsp.toml` found from the current directory upwards.

use std::path::Path;
use std::process::{Command, Output};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn jwt_lsp(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jwt-lsp"))
        .args(args)
        .current_dir(dir)
        .env_remove("JWT_LSP_TEST_SECRET")
        .output()
        .expect("run")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn rs256(private: &str, kid: &str, payload: &str) -> String {
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(&std::fs::read(repo().join(private)).unwrap()).unwrap();
    let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#));
    let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(payload));
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &key, jsonwebtoken::Algorithm::RS256).unwrap();
    format!("{input}.{signature}")
}

const PAYLOAD: &str = r#"{"sub":"alice","iss":"https://auth.example.com","aud":"api://orders","exp":1798761600}"#;
const NOW: &str = "2026-01-01T00:00:00Z";

#[test]
fn explain_passes_only_when_every_step_passes() {
    let keys = repo().join("tests/keys");
    let jwks = keys.join("fixture.jwks.json");
    let jwks = jwks.to_str().unwrap();
    let good = rs256("tests/keys/rsa-2048.private.pem", "2025-01", PAYLOAD);
    let output = jwt_lsp(
        &keys,
        &[
            "explain",
            &good,
            "--jwks",
            jwks,
            "--alg",
            "RS256,ES256",
            "--iss",
            "https://auth.example.com",
            "--aud",
            "api://orders",
            "--now",
            NOW,
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    let text = stdout(&output);
    for line in [
        "① decode",
        "② alg       ✓ `RS256` ∈ [RS256, ES256]",
        "③ kid       ✓ `2025-01` found",
        "④ iss/aud   ✓",
        "⑤ exp/nbf   ✓",
        "signature ✓ verified with",
        "Verdict: ✓ every step passes",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }

    // Pasted as a quoted, URL-encoded Authorization header: repaired and said so.
    let pasted = format!("\"Authorization: Bearer {}\"", good.replace('.', "%2E"));
    let output = jwt_lsp(&keys, &["explain", &pasted, "--key", "rsa-2048.public.pem", "--now", NOW]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(text.contains("repaired: removed surrounding \" quotes"), "{text}");
    assert!(text.contains("repaired: the token is percent-encoded"), "{text}");
    assert!(text.contains("Bearer"), "{text}");

    // The wrong key: the signature step fails, exit 1, the keys tried are named.
    let forged = rs256("tests/keys/other-rsa-2048.private.pem", "2025-01", PAYLOAD);
    let output = jwt_lsp(&keys, &["explain", &forged, "--jwks", jwks, "--now", NOW]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("Verdict: ✗ signature — invalid: tried"), "{text}");
    assert!(text.contains("fixture.jwks.json #1 (kid `2025-01`, RSA-2048)"), "{text}");

    // Expired: step ⑤ is the verdict even though the signature verifies.
    let expired = rs256("tests/keys/rsa-2048.private.pem", "2025-01", r#"{"sub":"a","exp":1767000000}"#);
    let output = jwt_lsp(&keys, &["explain", &expired, "--jwks", jwks, "--now", NOW]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("Verdict: ✗ ⑤ exp/nbf — expired"), "{}", stdout(&output));
    let output = jwt_lsp(&keys, &["explain", &expired, "--jwks", jwks, "--now", NOW, "--leeway", "300000"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));

    // Without keys nothing fails, but nothing is proven: exit 1.
    let output = jwt_lsp(&keys, &["explain", &good, "--now", NOW]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("Verdict: – nothing failed, but the signature was not verified"),
        "{}",
        stdout(&output)
    );

    // HMAC secret from the environment (never printed).
    let secret = "e4f1c9a27b3d5e8f0a6c2b9d4e7f1a3c";
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).unwrap();
    let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#), URL_SAFE_NO_PAD.encode(PAYLOAD));
    let hs = format!(
        "{input}.{}",
        jsonwebtoken::crypto::sign(input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256).unwrap()
    );
    let output = Command::new(env!("CARGO_BIN_EXE_jwt-lsp"))
        .args(["explain", &hs, "--secret-env", "JWT_LSP_TEST_SECRET", "--now", NOW])
        .env("JWT_LSP_TEST_SECRET", secret)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("verified with $JWT_LSP_TEST_SECRET (HMAC secret)"));
    assert!(!stdout(&output).contains(secret));
}

#[test]
fn explain_reads_stdin_and_reports_usage_errors() {
    let keys = repo().join("tests/keys");
    let mut child = Command::new(env!("CARGO_BIN_EXE_jwt-lsp"))
        .args(["explain", "-", "--now", NOW])
        .current_dir(&keys)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"not a token at all\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("Verdict: ✗ ① decode — not a JWT"), "{}", stdout(&output));

    let output = jwt_lsp(&keys, &["explain", "x.y.z", "--now", "yesterday"]);
    assert_eq!(output.status.code(), Some(2));
    let output = jwt_lsp(&keys, &["explain", "x.y.z", "--jwks", "http://auth.example.com/jwks"]);
    assert!(stderr(&output).contains("https://"), "{}", stderr(&output));
}

#[test]
fn check_reads_the_project_file_from_parent_directories() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("keys")).unwrap();
    std::fs::create_dir_all(root.join("src/deep")).unwrap();
    std::fs::create_dir_all(root.join("vendor")).unwrap();
    std::fs::copy(repo().join("tests/keys/rsa-2048.public.pem"), root.join("keys/public.pem")).unwrap();
    std::fs::write(
        root.join(".jwt-lsp.toml"),
        "keys = [\"keys/public.pem\"]\nalgorithms = [\"RS256\"]\nignore = [\"vendor/**\"]\nallowNetwork = true\n\n[severity]\ntoken-signature-invalid = \"warning\"\n",
    )
    .unwrap();
    let forged = rs256("tests/keys/other-rsa-2048.private.pem", "k", PAYLOAD);
    std::fs::write(root.join("src/deep/app.env"), format!("TOKEN={forged}\n")).unwrap();
    std::fs::write(root.join("vendor/lib.env"), format!("TOKEN={forged}\n")).unwrap();

    let output = jwt_lsp(&root.join("src"), &["check", "--format", "json", "--now", NOW, "--fail-on", "warning"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["code"], "token-signature-invalid");
    assert_eq!(findings[0]["severity"], "warning", "severity from the project file");
    let message = findings[0]["message"].as_str().unwrap();
    assert!(message.contains("tried keys/public.pem (RSA-2048)"), "named as in the project file: {message}");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("`allowNetwork` is ignored"), "{}", stderr(&output));

    // Command-line flags win over the file; the vendor folder stays ignored from the root.
    let output =
        jwt_lsp(root, &["check", "--format", "json", "--now", NOW, "--severity", "token-signature-invalid=off"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 0, "{report}");

    // A broken project file is a usage error naming the line.
    std::fs::write(root.join(".jwt-lsp.toml"), "keys = [\n").unwrap();
    let output = jwt_lsp(root, &["check", "--now", NOW]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains(".jwt-lsp.toml") && stderr(&output).contains("line"), "{}", stderr(&output));
}

#[test]
fn check_discovers_workspace_keys_for_key_confusion() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let pem = std::fs::read_to_string(repo().join("tests/keys/rsa-2048.public.pem")).unwrap();
    std::fs::write(root.join("service.pem"), &pem).unwrap();
    let key = jsonwebtoken::EncodingKey::from_secret(pem.as_bytes()).unwrap();
    let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#), URL_SAFE_NO_PAD.encode(PAYLOAD));
    let forged = format!(
        "{input}.{}",
        jsonwebtoken::crypto::sign(input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256).unwrap()
    );
    std::fs::write(root.join("request.log"), format!("got {forged}\n")).unwrap();
    let output = jwt_lsp(root, &["check", "--format", "json", "--now", NOW]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["code"], "token-key-confusion");
    assert!(findings[0]["message"].as_str().unwrap().contains("service.pem"));
    assert_eq!(output.status.code(), Some(1));
}

/// Answers on 127.0.0.1 by path — `/huge` (600 KB), `/redirect` (302 to `/jwks`), `/slow` (3 s
/// late), anything else 404 — one thread per connection, for at most 30 s.
fn loopback_jwks_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    let location = format!("http://{base}/jwks");
    std::thread::spawn(move || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            let Ok((mut stream, _)) = listener.accept() else {
                std::thread::sleep(std::time::Duration::from_millis(5));
                continue;
            };
            let location = location.clone();
            std::thread::spawn(move || {
                use std::io::{Read, Write};
                let _ = stream.set_nonblocking(false);
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
                let mut request = [0u8; 4096];
                let read = stream.read(&mut request).unwrap_or(0);
                let text = String::from_utf8_lossy(&request[..read]);
                let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                let (status, extra, body) = match path.as_str() {
                    "/huge" => {
                        ("200 OK", String::new(), format!(r#"{{"keys":[],"pad":"{}"}}"#, "x".repeat(600 * 1024)))
                    }
                    "/redirect" => ("302 Found", format!("Location: {location}\r\n"), String::new()),
                    "/slow" => {
                        std::thread::sleep(std::time::Duration::from_secs(3));
                        ("200 OK", String::new(), r#"{"keys":[]}"#.to_string())
                    }
                    _ => ("404 Not Found", String::new(), "no".to_string()),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    base
}

#[test]
fn explain_shows_why_a_jwks_url_gave_no_keys() {
    let base = loopback_jwks_server();
    let token = rs256("tests/keys/rsa-2048.private.pem", "2025-01", PAYLOAD);
    let dir = tempfile::tempdir().unwrap();
    for (url, expected) in [
        (format!("http://{base}/huge"), "response is larger than the 524288-byte limit"),
        (format!("http://{base}/redirect"), "redirected (HTTP 302 to http://"),
        // TLS spoken to a plain-HTTP server: the handshake fails.
        (format!("https://{base}/jwks"), "TLS failed"),
        (format!("http://{base}/slow"), "timed out"),
    ] {
        let output = jwt_lsp(dir.path(), &["explain", &token, "--jwks", &url, "--timeout", "1", "--now", NOW]);
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{text}{}", stderr(&output));
        let keys_line = text.lines().find(|line| line.starts_with("keys: ")).unwrap_or_default();
        assert!(keys_line.contains(&format!("{url} (unusable: ")) && keys_line.contains(expected), "{url}:\n{text}");
        assert!(!text.contains("(fetched)") && !text.contains("no keys configured"), "{url}:\n{text}");
        let signature = text.lines().find(|line| line.trim_start().starts_with("signature")).unwrap_or_default();
        assert!(signature.contains(expected), "the signature step names the error: {url}:\n{text}");
    }
}

fn hs256(secret: &str, payload: &str) -> String {
    use hmac::{KeyInit, Mac};
    let input =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#), URL_SAFE_NO_PAD.encode(payload));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

/// The 104k list compiled into the binary: `explain` tries it by default, `check` only with
/// `--wordlist builtin` (bulk scans keep to the short list). `34921C67` is in wallarm's list and
/// not a published default.
#[test]
fn the_builtin_wordlist_is_on_demand() {
    let dir = tempfile::tempdir().unwrap();
    let weak = hs256("34921C67", PAYLOAD);
    let explained = jwt_lsp(dir.path(), &["explain", &weak, "--now", NOW]);
    assert_eq!(explained.status.code(), Some(1), "{}", stderr(&explained));
    assert!(
        stdout(&explained)
            .contains("verifies with the weak secret `34921C67` (in the wordlist built-in (wallarm/jwt-secrets))"),
        "{}",
        stdout(&explained)
    );

    std::fs::write(dir.path().join("app.env"), format!("TOKEN={weak}\n")).unwrap();
    let plain = jwt_lsp(dir.path(), &["check", ".", "--now", NOW, "--format", "json"]);
    assert!(!stdout(&plain).contains("token-weak-secret"), "{}", stdout(&plain));
    let with_list = jwt_lsp(dir.path(), &["check", ".", "--now", NOW, "--format", "json", "--wordlist", "builtin"]);
    assert_eq!(with_list.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&with_list.stdout).unwrap();
    let codes: Vec<&str> = report["findings"].as_array().unwrap().iter().filter_map(|f| f["code"].as_str()).collect();
    assert_eq!(codes, ["token-weak-secret"]);

    let version = jwt_lsp(dir.path(), &["--version", "--verbose"]);
    assert!(stdout(&version).contains("103,781 secrets") && stdout(&version).contains("Copyright (c) 2020 Wallarm"));
}
