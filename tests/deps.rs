//! Dependency files end to end (issue 13): the advisories file, `check` over a monorepo (text and
//! SARIF), `--advisories FILE`. The per-format fixtures (firing and silent) live in
//! `tests/fixtures/deps/` and run in `tests/fixtures.rs`; the parsers' unit tests in
//! `crates/core/src/deps/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use jwt_lsp::deps::{Advisories, Ecosystem};
use serde_json::json;
use support::Server;

mod support;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deps/vulnerable-jwt-library")
}

fn check(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_jwt-lsp"))
        .arg("check")
        .args(["--now", "2026-01-01T00:00:00Z", "--color", "never"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("jwt-lsp runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_advisories_file_parses_and_covers_the_libraries_of_the_issue() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/jwt-advisories.toml"))
        .expect("data/jwt-advisories.toml");
    // `parse` refuses any range that does not parse, a missing or non-https source, and a fixed
    // version that is neither a version nor `none`.
    let advisories = Advisories::parse(&text).unwrap_or_else(|err| panic!("invalid advisories: {err}"));
    for advisory in &advisories.entries {
        assert!(advisory.source.starts_with("https://"), "{}", advisory.id);
        assert!(!advisory.affected.is_empty(), "{}", advisory.id);
        assert!(advisory.id.starts_with("GHSA-") || advisory.id.starts_with("CVE-"), "{}", advisory.id);
    }
    for (ecosystem, package) in [
        (Ecosystem::Npm, "jsonwebtoken"),
        (Ecosystem::Npm, "express-jwt"),
        (Ecosystem::Npm, "jwt-simple"),
        (Ecosystem::Npm, "jose"),
        (Ecosystem::PyPI, "PyJWT"),
        (Ecosystem::PyPI, "python-jose"),
        (Ecosystem::PyPI, "Authlib"),
        (Ecosystem::Go, "github.com/golang-jwt/jwt"),
        (Ecosystem::Go, "github.com/golang-jwt/jwt/v4"),
        (Ecosystem::Go, "github.com/golang-jwt/jwt/v5"),
        (Ecosystem::Go, "github.com/dgrijalva/jwt-go"),
        (Ecosystem::Go, "github.com/lestrrat-go/jwx/v2"),
        (Ecosystem::Go, "gopkg.in/go-jose/go-jose.v2"),
        (Ecosystem::Go, "github.com/go-jose/go-jose/v3"),
        (Ecosystem::Go, "github.com/go-jose/go-jose/v4"),
        (Ecosystem::Maven, "com.nimbusds:nimbus-jose-jwt"),
        (Ecosystem::NuGet, "System.IdentityModel.Tokens.Jwt"),
        (Ecosystem::NuGet, "microsoft.identitymodel.jsonwebtokens"),
        (Ecosystem::Packagist, "firebase/php-jwt"),
    ] {
        assert!(advisories.concerns(ecosystem, package), "no advisory for {package}");
    }
    // passport-jwt has no published advisory: nothing to cover.
    assert!(!advisories.concerns(Ecosystem::Npm, "passport-jwt"));
    // The binary carries the same file.
    assert_eq!(jwt_lsp::bundled::BUILTIN_ADVISORIES, text);
}

#[test]
fn a_monorepo_judges_each_service_by_its_own_versions() {
    let (code, stdout, stderr) = check(&fixtures().join("monorepo.fires"), &[]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    let line = |prefix: &str| lines.iter().find(|line| line.starts_with(prefix)).copied().unwrap_or("");
    assert!(
        line(
            "services/orders/package.json:4:1: error[vulnerable-jwt-library] jsonwebtoken 8.5.1 pinned in package.json"
        )
        .contains("First fixed version: 9.0.0."),
        "{stdout}"
    );
    assert!(
        line("services/orders/src/auth.js:4:34: error[verify-missing-algorithms]")
            .contains("jsonwebtoken 8.5.1 pinned in package.json accepts whatever algorithm the token names"),
        "{stdout}"
    );
    assert!(
        line("services/billing/src/auth.js:4:34: warning[verify-missing-algorithms]")
            .contains("jsonwebtoken 9.0.2 pinned in package.json derives the allowed algorithms"),
        "{stdout}"
    );
    assert!(!stdout.contains("services/billing/package.json"), "{stdout}");
}

#[test]
fn sarif_carries_the_dependency_findings_and_the_rule() {
    let (_, stdout, stderr) = check(&fixtures().join("go.fires"), &["--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|err| panic!("{err}: {stderr}"));
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().expect("results");
    let ours: Vec<&serde_json::Value> =
        results.iter().filter(|result| result["ruleId"] == "vulnerable-jwt-library").collect();
    assert_eq!(ours.len(), 2, "{stdout}");
    let location = &ours[0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "go.mod");
    assert_eq!(location["region"]["startLine"], 6);
    assert_eq!(ours[0]["level"], "warning");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|rule| rule["id"] == "vulnerable-jwt-library"));
}

#[test]
fn a_newer_advisories_file_replaces_the_built_in_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("advisories.toml");
    std::fs::write(
        &file,
        r#"[[advisory]]
id = "GHSA-test-test-test"
ecosystem = "npm"
package = "jsonwebtoken"
affected = ["< 10.0.0"]
fixed = "10.0.0"
allows = "a test advisory"
class = "claim-bypass"
source = "https://example.com/GHSA-test-test-test"
"#,
    )
    .expect("write");
    let billing = fixtures().join("monorepo.fires/services/billing");
    let (code, stdout, _) = check(&billing, &["--advisories", file.to_str().unwrap(), "--fail-on", "warning"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("package.json:4:1: warning[vulnerable-jwt-library] jsonwebtoken 9.0.2 pinned in package.json is affected by 1 known JWT advisory: GHSA-test-test-test: a test advisory. First fixed version: 10.0.0."),
        "{stdout}"
    );
    // With the built-in advisories 9.0.2 is clean.
    let (_, stdout, _) = check(&billing, &[]);
    assert!(!stdout.contains("vulnerable-jwt-library"), "{stdout}");
    // A broken file is a usage error that says why, not a silent fallback.
    std::fs::write(&file, "[[advisory]]\nid = \"x\"\n").expect("write");
    let (code, _, stderr) = check(&billing, &["--advisories", file.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("advisories file"), "{stderr}");
}

#[test]
fn requirements_includes_are_read_inside_the_project_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join("requirements")).expect("mkdir");
    std::fs::write(dir.path().join("outside.txt"), "PyJWT==1.4.0\n").expect("write");
    std::fs::write(project.join("requirements/base.txt"), "python-jose==3.3.0\n").expect("write");
    std::fs::write(project.join("requirements.txt"), "-r ../outside.txt\n-r requirements/base.txt\nAuthlib==1.3.1\n")
        .expect("write");
    let cache = jwt_lsp::deps::ServiceCache::new(
        project.clone(),
        |path: &Path| path.to_string_lossy().replace('\\', "/"),
        jwt_lsp::deps::advisories(None).expect("built-in advisories"),
    );
    let dependencies = cache.for_file(&project.join("requirements.txt"));
    let names: Vec<&str> = dependencies.files.iter().map(|file| file.path.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().all(|name| !name.contains("outside")), "{names:?}");
    assert!(names[1].ends_with("requirements/base.txt"), "{names:?}");
    assert!(dependencies.resolve(Ecosystem::PyPI, "python-jose").is_some());
    assert!(dependencies.resolve(Ecosystem::PyPI, "pyjwt").is_none());
    // `check` reports the included file's pin on the included file.
    let (_, stdout, _) = check(&project, &[]);
    assert!(stdout.contains("requirements/base.txt:1:1: error[vulnerable-jwt-library] python-jose 3.3.0"), "{stdout}");
    assert!(!stdout.contains("PyJWT"), "{stdout}");
}

#[test]
fn the_server_reports_and_hovers_dependency_lines_and_judges_code_by_the_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let manifest = "{\n  \"dependencies\": {\n    \"jsonwebtoken\": \"8.5.1\"\n  }\n}\n";
    std::fs::write(root.join("package.json"), manifest).expect("write");
    let code = "const jwt = require('jsonwebtoken');\nmodule.exports = (t, k) => jwt.verify(t, k, { audience: 'a', issuer: 'i' });\n";
    std::fs::write(root.join("auth.js"), code).expect("write");
    let mut server = Server::spawn();
    server.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": format!("file://{}", root.display()),
            "capabilities": { "general": { "positionEncodings": ["utf-16"] }, "workspace": { "configuration": false } },
            "initializationOptions": { "now": "2026-01-01T00:00:00Z" },
        }),
    );
    server.notify("initialized", json!({}));
    let manifest_uri = format!("file://{}/package.json", root.display());
    server.open(&manifest_uri, "json", 1, manifest);
    let diagnostics = server.diagnostics(&manifest_uri, Some(1));
    let ours: Vec<&serde_json::Value> =
        diagnostics.iter().filter(|diagnostic| diagnostic["code"] == "vulnerable-jwt-library").collect();
    assert_eq!(ours.len(), 1, "{diagnostics:?}");
    assert_eq!(ours[0]["severity"], 1);
    assert_eq!(ours[0]["range"]["start"]["line"], 2);
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": manifest_uri}, "position": {"line": 2, "character": 8}}),
    );
    let text = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(text.contains("8.5.1 pinned in package.json"), "{hover}");
    assert!(text.contains("GHSA-qwph-4952-7xr6"), "{hover}");
    let code_uri = format!("file://{}/auth.js", root.display());
    server.open(&code_uri, "javascript", 1, code);
    let diagnostics = server.diagnostics(&code_uri, Some(1));
    let missing = diagnostics
        .iter()
        .find(|diagnostic| diagnostic["code"] == "verify-missing-algorithms")
        .unwrap_or_else(|| panic!("{diagnostics:?}"));
    assert_eq!(missing["severity"], 1, "{missing}");
    assert!(missing["message"].as_str().unwrap_or_default().contains("jsonwebtoken 8.5.1 pinned in package.json"));
    server.shutdown();
}

/// C#: a key read from configuration is the value the service's `appsettings.json` commits, and
/// `check` reports it where the code reads it, naming the setting, never the value; a settings
/// file edited to leave the key out makes the finding go.
#[test]
fn a_csharp_key_from_configuration_is_the_literal_appsettings_commits() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deps/appsettings-hardcoded-secret.fires");
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["Api.csproj", "appsettings.json", "Program.cs"] {
        std::fs::copy(source.join(name), dir.path().join(name)).expect("copy");
    }
    let (code, stdout, stderr) = check(dir.path(), &[]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("Program.cs:15:76: warning[hardcoded-secret]")
            && stdout.contains("(`Jwt:Key` in appsettings.json, read as `IssuerSigningKey`"),
        "{stdout}"
    );
    assert!(stdout.contains("Program.cs:26:76: error[hardcoded-secret]"), "{stdout}");
    assert!(!stdout.contains("b7f3c1e9") && !stderr.contains("b7f3c1e9"), "the secret is printed: {stdout}");
    // The cross-check verifies with the committed value: a token it signs is accepted by the
    // `Jwt:Key` verifier, one signed with another secret is rejected by both.
    let claims = json!({"sub": "a", "iss": "https://id.example.com", "aud": "orders-api", "exp": support::NOW + 3600});
    let committed = support::hs256_token(b"b7f3c1e9-5d2a-4c8e-9f61-2a4d7e0c3b58-orders", &claims);
    let other = support::hs256_token(b"another-secret-entirely-0000", &claims);
    std::fs::write(dir.path().join("tokens.env"), format!("GOOD={committed}\nBAD={other}\n")).expect("write");
    let (_, stdout, _) = check(dir.path(), &[]);
    let rejected: Vec<&str> = stdout.lines().filter(|line| line.contains("token-rejected-by-verifier")).collect();
    assert!(rejected.len() == 1 && rejected[0].starts_with("tokens.env:2:5:"), "{stdout}");
    std::fs::write(dir.path().join("appsettings.json"), "{ \"Jwt\": { \"Issuer\": \"https://id.example.com\" } }")
        .expect("write");
    let (_, stdout, _) = check(dir.path(), &[]);
    assert!(!stdout.contains("hardcoded-secret"), "{stdout}");
}
