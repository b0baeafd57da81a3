//! The generated verifiers run: `jwt-lsp snippet` writes the Python (PyJWT) and Node
//! (`jsonwebtoken`, `jwks-rsa`) verifiers of real tokens, which then accept those tokens and
//! reject tampered, wrongly signed and wrongly issued copies. The Go snippets are checked with
//! `gofmt` when Go is installed.
//!
//! The Python and Node tests install their libraries from PyPI and npm into a temporary folder,
//! so they are `#[ignore]`d (`cargo test` stays offline); `scripts/test.sh` runs them:
//!
//!     cargo test --locked --test snippets -- --ignored

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer as _;
use serde_json::{Value, json};

const SECRET: &str = "snippet-test-secret-of-at-least-32-bytes";
const ISSUER: &str = "https://auth.example.com/";
const AUDIENCE: &str = "orders-api";
/// The kid of `tests/keys/fixture.jwks.json` (the public half of `rsa-2048.private.pem`).
const JWKS_KID: &str = "2025-01";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn keys() -> PathBuf {
    repo().join("tests/keys")
}

/// Claims valid for an hour from now: the libraries check `exp` against the real clock.
fn claims(issuer: &str) -> Value {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs();
    json!({"sub": "alice", "iss": issuer, "aud": AUDIENCE, "iat": now, "exp": now + 3600})
}

fn mint(header: &Value, claims: &Value, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let input =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let signature = sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn jsonwebtoken_signer(key: jsonwebtoken::EncodingKey, alg: jsonwebtoken::Algorithm) -> impl Fn(&[u8]) -> Vec<u8> {
    move |input| {
        let signature = jsonwebtoken::crypto::sign(input, &key, alg).expect("sign");
        URL_SAFE_NO_PAD.decode(signature).expect("base64url signature")
    }
}

fn hs256(claims: &Value) -> String {
    let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).expect("hmac key");
    mint(&json!({"alg": "HS256", "typ": "JWT"}), claims, jsonwebtoken_signer(key, jsonwebtoken::Algorithm::HS256))
}

fn rs256(private_pem: &str, kid: Option<&str>, claims: &Value) -> String {
    let pem = std::fs::read(keys().join(private_pem)).expect("key file");
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(&pem).expect("rsa key");
    let header = match kid {
        Some(kid) => json!({"alg": "RS256", "typ": "JWT", "kid": kid}),
        None => json!({"alg": "RS256", "typ": "JWT"}),
    };
    mint(&header, claims, jsonwebtoken_signer(key, jsonwebtoken::Algorithm::RS256))
}

/// A P-256 key made here (deterministic): the signer and its SPKI PEM.
fn p256_key(seed: u8) -> (p256::ecdsa::SigningKey, String) {
    let mut secret = [seed; 32];
    secret[0] = 1;
    let signing = p256::ecdsa::SigningKey::from_slice(&secret).expect("scalar");
    let pem = p256::pkcs8::EncodePublicKey::to_public_key_pem(signing.verifying_key(), p256::pkcs8::LineEnding::LF)
        .expect("pem");
    (signing, pem)
}

fn es256(signing: &p256::ecdsa::SigningKey, claims: &Value) -> String {
    mint(&json!({"alg": "ES256", "typ": "JWT"}), claims, |input| {
        let signature: p256::ecdsa::Signature = signing.sign(input);
        signature.to_bytes().to_vec()
    })
}

/// The same token with another subject in its payload and the original signature.
fn tampered(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    payload["sub"] = json!("mallory");
    format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(payload.to_string()), parts[2])
}

/// `jwt-lsp snippet --lang LANG` for `token`, passed on stdin (`-`).
fn snippet(lang: &str, token: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jwt-lsp"))
        .args(["snippet", "--lang", lang, "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run jwt-lsp");
    child.stdin.take().expect("stdin").write_all(token.as_bytes()).expect("write token");
    let output = child.wait_with_output().expect("jwt-lsp output");
    assert!(
        output.status.success(),
        "jwt-lsp snippet --lang {lang} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 snippet")
}

/// Serves `body` as JSON to every request on a local port, for the JWKS clients; returns the URL.
fn serve_json(body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/.well-known/jwks.json", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buffer = [0u8; 1024];
            while !request.windows(4).any(|window| window == b"\r\n\r\n") {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(read) => request.extend_from_slice(&buffer[..read]),
                }
            }
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    url
}

/// A verifier program and how to run it.
struct Runner {
    program: PathBuf,
    script: PathBuf,
}

impl Runner {
    /// Runs the verifier on `input` (the argument) with only `env` among the key variables set.
    fn run(&self, input: &str, env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(&self.program);
        command.arg(&self.script).arg(input);
        for name in ["JWT_SECRET", "JWT_PUBLIC_KEY_FILE", "JWKS_URL"] {
            command.env_remove(name);
        }
        command.envs(env.iter().copied());
        command.output().expect("run the verifier")
    }

    fn accepts(&self, case: &str, input: &str, env: &[(&str, &str)]) {
        let output = self.run(input, env);
        assert!(
            output.status.success(),
            "{case}: the verifier rejected a valid token: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(String::from_utf8_lossy(&output.stdout).contains("alice"), "{case}: claims not printed");
    }

    fn rejects(&self, case: &str, input: &str, env: &[(&str, &str)]) {
        let output = self.run(input, env);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{case}: expected a rejection, got: {stderr}");
        assert!(stderr.contains("rejected:"), "{case}: {stderr}");
    }
}

/// Every case, for one language: `write` stores a snippet in the work folder and returns the
/// runner for it.
fn check_verifiers(lang: &str, write: impl Fn(&str, &str) -> Runner) {
    // HS256: the secret from the environment, the Bearer prefix stripped, iss and aud pinned.
    let token = hs256(&claims(ISSUER));
    let verifier = write("hs256", &snippet(lang, &token));
    let secret = [("JWT_SECRET", SECRET)];
    verifier.accepts("HS256", &token, &secret);
    verifier.accepts("HS256 with Bearer", &format!("Bearer {token}"), &secret);
    verifier.rejects("HS256 tampered", &tampered(&token), &secret);
    verifier.rejects("HS256 other issuer", &hs256(&claims("https://evil.example.com/")), &secret);
    verifier.rejects("HS256 wrong secret", &token, &[("JWT_SECRET", "another-secret-of-at-least-32-bytes!!")]);

    // RS256 without kid: the public key from a PEM file.
    let token = rs256("rsa-2048.private.pem", None, &claims(ISSUER));
    let verifier = write("rs256", &snippet(lang, &token));
    let public = keys().join("rsa-2048.public.pem");
    let pem = [("JWT_PUBLIC_KEY_FILE", public.to_str().expect("utf-8 path"))];
    verifier.accepts("RS256 PEM", &token, &pem);
    verifier.rejects("RS256 PEM tampered", &tampered(&token), &pem);
    verifier.rejects("RS256 PEM other key", &rs256("other-rsa-2048.private.pem", None, &claims(ISSUER)), &pem);
    // The allow-list is pinned: an HS256 token "signed" with the public key's text is refused.
    let confused = {
        let key = jsonwebtoken::EncodingKey::from_secret(&std::fs::read(&public).unwrap()).unwrap();
        mint(&json!({"alg": "HS256"}), &claims(ISSUER), jsonwebtoken_signer(key, jsonwebtoken::Algorithm::HS256))
    };
    verifier.rejects("RS256 PEM alg confusion", &confused, &pem);

    // RS256 with kid: the key from a JWKS served over HTTP.
    let token = rs256("rsa-2048.private.pem", Some(JWKS_KID), &claims(ISSUER));
    let verifier = write("rs256-jwks", &snippet(lang, &token));
    let url = serve_json(std::fs::read_to_string(keys().join("fixture.jwks.json")).expect("jwks"));
    let jwks = [("JWKS_URL", url.as_str())];
    verifier.accepts("RS256 JWKS", &token, &jwks);
    verifier.rejects("RS256 JWKS tampered", &tampered(&token), &jwks);
    verifier.rejects(
        "RS256 JWKS other key",
        &rs256("other-rsa-2048.private.pem", Some(JWKS_KID), &claims(ISSUER)),
        &jwks,
    );

    // ES256: an EC public key from a PEM file.
    let (signing, public_pem) = p256_key(7);
    let token = es256(&signing, &claims(ISSUER));
    let verifier = write("es256", &snippet(lang, &token));
    let folder = verifier.script.parent().expect("work folder").to_path_buf();
    let pem_path = folder.join("es256.public.pem");
    std::fs::write(&pem_path, public_pem).expect("write pem");
    let pem = [("JWT_PUBLIC_KEY_FILE", pem_path.to_str().expect("utf-8 path"))];
    verifier.accepts("ES256 PEM", &token, &pem);
    verifier.rejects("ES256 PEM tampered", &tampered(&token), &pem);
    verifier.rejects("ES256 PEM other key", &es256(&p256_key(8).0, &claims(ISSUER)), &pem);
}

fn run_checked(command: &mut Command, what: &str) {
    let output = command.output().unwrap_or_else(|err| panic!("{what}: {err}"));
    assert!(output.status.success(), "{what} failed: {}", String::from_utf8_lossy(&output.stderr));
}

#[test]
#[ignore = "installs PyJWT from PyPI; run by scripts/test.sh"]
fn python_snippets_accept_their_tokens_and_reject_tampered_ones() {
    let work = tempfile::tempdir().expect("temp dir");
    let venv = work.path().join("venv");
    run_checked(Command::new("python3").args(["-m", "venv"]).arg(&venv), "python3 -m venv");
    run_checked(
        Command::new(venv.join("bin/pip")).args(["install", "--quiet", "--disable-pip-version-check", "pyjwt[crypto]"]),
        "pip install pyjwt[crypto]",
    );
    let python = venv.join("bin/python");
    check_verifiers("python", |name, text| {
        let script = work.path().join(format!("{name}.py"));
        std::fs::write(&script, text).expect("write snippet");
        Runner { program: python.clone(), script }
    });
}

#[test]
#[ignore = "installs jsonwebtoken and jwks-rsa from npm; run by scripts/test.sh"]
fn node_snippets_accept_their_tokens_and_reject_tampered_ones() {
    let work = tempfile::tempdir().expect("temp dir");
    run_checked(
        Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(work.path())
            .args(["jsonwebtoken", "jwks-rsa"]),
        "npm install jsonwebtoken jwks-rsa",
    );
    check_verifiers("node", |name, text| {
        let script = work.path().join(format!("{name}.js"));
        std::fs::write(&script, text).expect("write snippet");
        Runner { program: PathBuf::from("node"), script }
    });
}

#[test]
fn go_snippets_are_gofmt_clean() {
    if Command::new("gofmt").arg("-l").arg("/dev/null").output().is_err() {
        eprintln!("skipped: gofmt is not on PATH (install Go to check the Go snippets)");
        return;
    }
    let work = tempfile::tempdir().expect("temp dir");
    let (signing, _) = p256_key(7);
    let tokens = [
        ("hs256", hs256(&claims(ISSUER))),
        ("rs256", rs256("rsa-2048.private.pem", None, &claims(ISSUER))),
        ("rs256_jwks", rs256("rsa-2048.private.pem", Some(JWKS_KID), &claims(ISSUER))),
        ("es256", es256(&signing, &claims("evil\"\n\u{202e}"))),
    ];
    for (name, token) in &tokens {
        std::fs::write(work.path().join(format!("{name}.go")), snippet("go", token)).expect("write snippet");
    }
    let output = Command::new("gofmt").arg("-l").arg(work.path()).output().expect("gofmt");
    // gofmt exits non-zero on a syntax error and lists the files whose formatting differs.
    assert!(output.status.success(), "gofmt: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "", "not gofmt-clean");
}

fn jwt_lsp_snippet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jwt-lsp")).args(["snippet"]).args(args).output().expect("run jwt-lsp")
}

#[test]
fn the_cli_explains_a_refusal_without_echoing_the_token() {
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
        URL_SAFE_NO_PAD.encode(r#"{"sub":"alice-secret-subject"}"#)
    );
    let output = jwt_lsp_snippet(&["--lang", "python", &unsigned]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("unsigned") && output.stdout.is_empty(), "{stderr}");
    assert!(!stderr.contains(unsigned.split('.').nth(1).unwrap()) && !stderr.contains("alice-secret-subject"));

    let not_a_token = "sk_live_not-a-jwt-but-a-secret";
    let output = jwt_lsp_snippet(&["--lang", "go", not_a_token]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not a JWT") && !stderr.contains(not_a_token), "{stderr}");

    let output = jwt_lsp_snippet(&["--lang", "ruby", &hs256(&claims(ISSUER))]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn the_cli_takes_a_bearer_value_as_argument() {
    let token = hs256(&claims(ISSUER));
    let output = jwt_lsp_snippet(&["--lang", "node", &format!("Authorization: Bearer {token}")]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("algorithms: [\"HS256\"],") && text.contains("issuer: \"https://auth.example.com/\","));
    assert_eq!(text, snippet("node", &token), "argument and stdin give the same snippet");
}
