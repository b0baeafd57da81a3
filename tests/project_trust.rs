//! A cloned repository's `.jwt-lsp.toml` is not the user's: its `keys` and `wordlist` must stay
//! inside the project folder, and no configured path — the project's or the user's own — may
//! make jwt-lsp read a FIFO, a device, its own stdin or `/proc`. Each case runs against the real
//! binary: the language server over stdio (it must keep answering) and `check`/`explain` (they
//! must finish; a hang is killed and fails the test).

#![cfg(unix)]

mod support;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer as _;
use serde_json::{Value, json};
use support::Server;

const NOW: &str = "2026-01-01T00:00:00Z";
const OUTSIDE: &str = "refused: it is outside the project folder";

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn mkfifo(path: &Path) {
    let name = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0, "mkfifo {}", path.display());
}

fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// A project folder `root` inside `parent`, with `outside/exists.pem` next to it (outside) and
/// the hostile entries the cases name: a FIFO, links to /dev/zero and out of the folder.
struct Layout {
    _parent: tempfile::TempDir,
    root: std::path::PathBuf,
}

fn layout() -> Layout {
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("project");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(parent.path().join("outside")).unwrap();
    let public = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/keys/rsa-2048.public.pem"));
    std::fs::write(parent.path().join("outside/exists.pem"), public.unwrap()).unwrap();
    mkfifo(&root.join("pipe.pem"));
    mkfifo(&root.join("pipe.list"));
    symlink("/dev/zero", &root.join("zero.list"));
    symlink(parent.path().join("outside/exists.pem"), &root.join("link-exists.pem"));
    symlink(parent.path().join("outside/missing.pem"), &root.join("link-missing.pem"));
    std::fs::write(root.join("token.env"), format!("TOKEN={}\n", support::valid_token())).unwrap();
    Layout { _parent: parent, root }
}

/// Project files and a text every warning for it must contain, one case each.
fn project_cases() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        (
            "wordlist = \"/dev/stdin\"\n",
            vec!["`wordlist` entry `/dev/stdin` refused: it is outside the project folder"],
        ),
        ("wordlist = \"/proc/self/fd/0\"\n", vec!["`wordlist` entry `/proc/self/fd/0` refused"]),
        ("wordlist = \"/dev/zero\"\n", vec!["`wordlist` entry `/dev/zero` refused"]),
        ("wordlist = \"zero.list\"\n", vec!["zero.list: refused: it is outside the project folder"]),
        ("wordlist = \"pipe.list\"\n", vec!["pipe.list: refused: not a regular file (a FIFO or pipe)"]),
        ("keys = [\"pipe.pem\"]\n", vec!["key pipe.pem: refused: not a regular file (a FIFO or pipe)"]),
        (
            "keys = [\"/etc/shadow\", \"../outside/exists.pem\", \"../outside/missing.pem\", \"/proc/self/environ\"]\n",
            vec![
                "`keys` entry `/etc/shadow` refused",
                "`keys` entry `../outside/exists.pem` refused",
                "`keys` entry `../outside/missing.pem` refused",
                "`keys` entry `/proc/self/environ` refused",
            ],
        ),
        (
            "keys = [\"link-exists.pem\", \"link-missing.pem\"]\n",
            vec!["key link-exists.pem: refused: it is outside", "key link-missing.pem: refused: it is outside"],
        ),
    ]
}

fn start(server: &mut Server, root: &Path, options: Value) {
    server.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri_of(root),
            "capabilities": {
                "general": { "positionEncodings": ["utf-16"] },
                "workspace": { "configuration": false },
                "textDocument": { "publishDiagnostics": { "versionSupport": true } }
            },
            "initializationOptions": options,
        }),
    );
    server.notify("initialized", json!({}));
}

fn wait_for_warning(server: &mut Server, expected: &str) -> String {
    let message = server.wait_for(|message| {
        message["method"] == "window/showMessage"
            && message["params"]["message"].as_str().is_some_and(|text| text.contains(expected))
    });
    message["params"]["message"].as_str().unwrap().to_string()
}

/// The server still answers: diagnostics for an open document, then a hover, then shutdown.
fn still_answers(mut server: Server, root: &Path) {
    let document = root.join("token.env");
    let text = std::fs::read_to_string(&document).unwrap();
    let uri = uri_of(&document);
    server.open(&uri, "dotenv", 1, &text);
    server.diagnostics(&uri, Some(1));
    let hover = server
        .request("textDocument/hover", json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 10}}));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("**Verification**"), "{hover}");
    assert_eq!(server.shutdown(), Some(0));
}

#[test]
fn server_refuses_what_a_project_file_may_not_read_and_keeps_answering() {
    for (project, expected) in project_cases() {
        let layout = layout();
        std::fs::write(layout.root.join(".jwt-lsp.toml"), project).unwrap();
        let mut server = Server::spawn();
        start(&mut server, &layout.root, json!({"now": NOW}));
        for text in &expected {
            let warning = wait_for_warning(&mut server, text);
            assert!(!warning.contains("No such file") && !warning.contains("os error"), "{project}: {warning}");
        }
        still_answers(server, &layout.root);
    }
}

#[test]
fn server_refuses_special_files_in_editor_settings_and_keeps_answering() {
    let layout = layout();
    let cases = [
        (json!({"wordlist": "/dev/stdin"}), "wordlist /dev/stdin: refused: not a regular file (a FIFO or pipe)"),
        (json!({"wordlist": "/proc/self/fd/0"}), "refused: not a regular file (a FIFO or pipe)"),
        (json!({"wordlist": "/dev/zero"}), "wordlist /dev/zero: refused: not a regular file (a device)"),
        (json!({"wordlist": "zero.list"}), "zero.list: refused: not a regular file (a device)"),
        (json!({"keys": ["pipe.pem"]}), "key pipe.pem: refused: not a regular file (a FIFO or pipe)"),
        (json!({"keys": ["/proc/self/environ"]}), "key /proc/self/environ: refused: a /proc pseudo-file"),
    ];
    for (mut options, expected) in cases {
        options["now"] = json!(NOW);
        let mut server = Server::spawn();
        start(&mut server, &layout.root, options);
        wait_for_warning(&mut server, expected);
        still_answers(server, &layout.root);
    }
    // The user may name files outside the workspace: their own settings are trusted.
    let mut server = Server::spawn();
    start(&mut server, &layout.root, json!({"now": NOW, "keys": ["../outside/exists.pem"]}));
    still_answers(server, &layout.root);
}

/// Runs jwt-lsp in `dir` with stdin a pipe held open (so a read from it would block); kills it
/// and fails if it has not finished within 30 s. Returns (status, stdout, stderr).
fn run_bounded(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    run_bounded_with_env(dir, args, &[])
}

fn run_bounded_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jwt-lsp"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let _held_open = child.stdin.take();
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("jwt-lsp {args:?} hung in {}", dir.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.code(), stdout.join().unwrap(), stderr.join().unwrap())
}

#[test]
fn check_refuses_what_a_project_file_may_not_read_and_finishes() {
    for (project, expected) in project_cases() {
        let layout = layout();
        std::fs::write(layout.root.join(".jwt-lsp.toml"), project).unwrap();
        let (status, stdout, stderr) = run_bounded(&layout.root, &["check", "--format", "json", "--now", NOW]);
        assert_eq!(status, Some(0), "{project}\n{stdout}\n{stderr}");
        for text in &expected {
            assert!(stderr.contains(text), "{project}: missing {text:?} in\n{stderr}");
        }
        assert!(!stderr.contains("No such file") && !stderr.contains("os error"), "{project}: {stderr}");
    }
}

#[test]
fn refusals_do_not_say_whether_an_outside_file_exists() {
    let layout = layout();
    std::fs::write(
        layout.root.join(".jwt-lsp.toml"),
        "keys = [\"../outside/exists.pem\", \"../outside/missing.pem\", \"link-exists.pem\", \"link-missing.pem\"]\n",
    )
    .unwrap();
    let (_, _, stderr) = run_bounded(&layout.root, &["check", "--now", NOW]);
    let line = |name: &str| {
        stderr
            .lines()
            .find(|line| line.contains(name))
            .unwrap_or_else(|| panic!("{name} in {stderr}"))
            .replace(name, "X")
    };
    assert_eq!(line("../outside/exists.pem"), line("../outside/missing.pem"));
    assert_eq!(line("link-exists.pem"), line("link-missing.pem"));
    assert!(line("link-exists.pem").contains(OUTSIDE), "{stderr}");
}

#[test]
fn explain_refuses_special_files_on_the_command_line() {
    let layout = layout();
    let token = support::valid_token();
    for (flag, path, expected) in [
        ("--wordlist", "/dev/stdin", "wordlist /dev/stdin: refused: not a regular file (a FIFO or pipe)"),
        ("--wordlist", "/dev/zero", "refused: not a regular file (a device)"),
        ("--wordlist", "pipe.list", "refused: not a regular file (a FIFO or pipe)"),
        ("--key", "pipe.pem", "key pipe.pem: refused: not a regular file (a FIFO or pipe)"),
        ("--key", "/proc/self/environ", "refused: a /proc pseudo-file"),
    ] {
        let (status, stdout, stderr) = run_bounded(&layout.root, &["explain", &token, flag, path, "--now", NOW]);
        assert_eq!(status, Some(1), "{flag} {path}\n{stdout}\n{stderr}");
        assert!(stderr.contains(expected), "{flag} {path}: missing {expected:?} in\n{stderr}");
    }
}

fn p256_members(seed: u32) -> (p256::ecdsa::SigningKey, String) {
    let mut scalar = [0x11u8; 32];
    scalar[28..].copy_from_slice(&seed.to_be_bytes());
    let signing = p256::ecdsa::SigningKey::from_slice(&scalar).expect("scalar");
    let point = signing.verifying_key().to_sec1_point(false);
    let p256::elliptic_curve::sec1::Coordinates::Uncompressed { x, y } = point.coordinates() else { panic!("point") };
    let members =
        format!(r#""kty":"EC","crv":"P-256","x":"{}","y":"{}""#, URL_SAFE_NO_PAD.encode(x), URL_SAFE_NO_PAD.encode(y));
    (signing, members)
}

#[test]
fn one_key_file_listed_many_times_is_read_once_and_keys_tried_are_capped() {
    let layout = layout();
    let keys: Vec<String> = (1..=256).map(|seed| format!("{{{}}}", p256_members(seed).1)).collect();
    std::fs::write(layout.root.join("many.jwks.json"), format!(r#"{{"keys":[{}]}}"#, keys.join(","))).unwrap();
    let listed: Vec<String> = (0..80)
        .map(|index| if index % 2 == 0 { "many.jwks.json".to_string() } else { "./many.jwks.json".to_string() })
        .map(|entry| format!("\"{entry}\""))
        .collect();
    std::fs::write(layout.root.join(".jwt-lsp.toml"), format!("keys = [{}]\n", listed.join(", "))).unwrap();
    // Signed by a key that is not in the set: every candidate is tried, none verifies.
    let (signer, _) = p256_members(999);
    let input =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256"}"#), URL_SAFE_NO_PAD.encode(r#"{"sub":"a"}"#));
    let signature: p256::ecdsa::Signature = signer.sign(input.as_bytes());
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()));
    std::fs::write(layout.root.join("token.env"), format!("TOKEN={token}\n")).unwrap();

    let (_, stdout, stderr) = run_bounded(&layout.root, &["check", "--format", "json", "--now", NOW]);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stdout}\n{stderr}"));
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["code"] == "token-signature-invalid")
        .unwrap_or_else(|| panic!("{report}"));
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("only the first 64 of 256 candidate keys were tried"), "{message}");

    let (_, stdout, _) = run_bounded(&layout.root, &["explain", &token, "--now", NOW]);
    assert!(stdout.contains("keys: many.jwks.json (256 keys)\n"), "read once:\n{stdout}");
    assert!(stdout.contains("note: only the first 64 of 256 candidate keys were tried"), "{stdout}");
}

#[test]
fn a_project_file_may_read_only_jwt_named_environment_variables() {
    let layout = layout();
    let secret = "probe-value-7f3a9c21";
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).unwrap();
    let input =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#), URL_SAFE_NO_PAD.encode(r#"{"sub":"a"}"#));
    let token = format!(
        "{input}.{}",
        jsonwebtoken::crypto::sign(input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256).unwrap()
    );
    let env = [("PROBE_VALUE", secret), ("JWT_LSP_PROBE", secret)];

    // A repository naming an arbitrary variable learns nothing about it: not read, not reported.
    std::fs::write(layout.root.join(".jwt-lsp.toml"), "secret_env = [\"PROBE_VALUE\"]\n").unwrap();
    let (status, stdout, stderr) = run_bounded_with_env(&layout.root, &["explain", &token, "--now", NOW], &env);
    assert_eq!(status, Some(1), "{stdout}");
    assert!(!stdout.contains("$PROBE_VALUE") && !stdout.contains("verified with"), "{stdout}");
    assert!(stderr.contains("`secret_env` entry `PROBE_VALUE` is ignored"), "{stderr}");

    // A variable named for JWTs is what the setting is for.
    std::fs::write(layout.root.join(".jwt-lsp.toml"), "secret_env = [\"JWT_LSP_PROBE\"]\n").unwrap();
    let (status, stdout, _) = run_bounded_with_env(&layout.root, &["explain", &token, "--now", NOW], &env);
    assert_eq!(status, Some(0), "{stdout}");
    assert!(stdout.contains("verified with $JWT_LSP_PROBE (HMAC secret)"), "{stdout}");
    assert!(!stdout.contains(secret));

    // The user's own flag may name any variable.
    let (status, stdout, _) =
        run_bounded_with_env(&layout.root, &["explain", &token, "--secret-env", "PROBE_VALUE", "--now", NOW], &env);
    assert_eq!(status, Some(0), "{stdout}");
}
