//! The CI doors, walked through as a user does: SARIF for code scanning (validated against the
//! SARIF 2.1.0 schema in `tests/data/`), baselines, `--diff-base` on a real git repository, the
//! pre-commit hooks (ignored by default: they install pre-commit from PyPI; `scripts/test.sh`
//! runs them) and the composite action's steps run locally in order.
//!
//! Python runs the schema validator and reads `action.yml`: `JWT_LSP_PYTHON`, else `python3`,
//! with the `jsonschema` and `PyYAML` packages (`scripts/test.sh` installs them into a venv).

mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};
use support::{NOW, stderr, stdout, token, valid_token, write};

const NOW_ARG: &str = "2026-01-01T00:00:00Z";

fn jwt_lsp(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jwt-lsp")).args(args).current_dir(dir).output().expect("run jwt-lsp")
}

fn checkout() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// An unsecured token (`alg: none`, empty signature): an error finding, `token-alg-none`.
fn none_token(subject: &str) -> String {
    let signed = token(&json!({"alg": "none"}), &json!({"sub": subject, "exp": NOW + 3600}));
    format!("{}.", signed.rsplit_once('.').expect("three segments").0)
}

fn python() -> Command {
    Command::new(std::env::var_os("JWT_LSP_PYTHON").unwrap_or_else(|| "python3".into()))
}

/// Runs a Python snippet; fails the test with its stderr. A missing module is named with the
/// way to get it, so a fresh machine knows what to install.
fn run_python(script: &str, args: &[&str]) -> String {
    let output = python().arg("-c").arg(script).args(args).output().expect("run python3 (or JWT_LSP_PYTHON)");
    let log = stderr(&output);
    assert!(
        !log.contains("ModuleNotFoundError"),
        "{log}\nthese tests need Python with jsonschema and PyYAML: `pip install jsonschema pyyaml`, or run \
         scripts/test.sh (it makes a venv and sets JWT_LSP_PYTHON)"
    );
    assert!(output.status.success(), "python failed: {log}");
    stdout(&output)
}

/// Schema errors of `document` against the shipped SARIF 2.1.0 schema (draft-04), one a line.
fn sarif_schema_errors(document: &str) -> String {
    let schema = checkout().join("tests/data/sarif-2.1.0.json");
    let script = "import json, sys, jsonschema\n\
                  schema = json.load(open(sys.argv[1]))\n\
                  validator = jsonschema.Draft4Validator(schema)\n\
                  for error in validator.iter_errors(json.load(sys.stdin)):\n    \
                      print('/'.join(map(str, error.absolute_path)), error.message[:200])\n";
    let mut child = python()
        .arg("-c")
        .arg(script)
        .arg(&schema)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run python3");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), document.as_bytes()).expect("write SARIF");
    let output = child.wait_with_output().expect("python3 ran");
    let log = stderr(&output);
    assert!(!log.contains("ModuleNotFoundError"), "{log}\nneeds Python jsonschema: `pip install jsonschema`");
    assert!(output.status.success(), "{log}");
    stdout(&output)
}

fn sarif(dir: &Path, extra: &[&str]) -> (Value, Output) {
    let mut args = vec!["check", "--format", "sarif", "--now", NOW_ARG];
    args.extend_from_slice(extra);
    let output = jwt_lsp(dir, &args);
    let document = serde_json::from_str(&stdout(&output)).expect("one SARIF document");
    (document, output)
}

/// (ruleId, startLine, fingerprint) of every result.
fn results(sarif: &Value) -> Vec<(String, u64, String)> {
    sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|result| {
            (
                result["ruleId"].as_str().expect("ruleId").to_string(),
                result["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().expect("startLine"),
                result["partialFingerprints"]["jwtLsp/v1"].as_str().expect("a jwtLsp/v1 fingerprint").to_string(),
            )
        })
        .collect()
}

const VERIFY_JS: &str = "const jwt = require('jsonwebtoken');\n\
                         function check(token) {\n  return jwt.verify(token, 'hunter2hunter2');\n}\n";

#[test]
fn sarif_is_valid_for_the_schema_and_code_scanning() {
    let dir = tempfile::tempdir().unwrap();
    let none = none_token("admin");
    write(dir.path(), "a.env", format!("NONE={none}\nOK={}\n", valid_token()));
    write(dir.path(), "src/auth.js", VERIFY_JS);
    write(dir.path(), "dir with space/#odd?.txt", format!("t: {none}\n"));
    let (document, output) = sarif(dir.path(), &["--redact"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(sarif_schema_errors(&text), "", "SARIF 2.1.0 schema violations");
    assert!(!text.contains(&none), "--redact: no token text anywhere, fingerprints included");

    let run = &document["runs"][0];
    assert_eq!(run["invocations"], json!([{ "executionSuccessful": true, "exitCode": 1 }]));
    let found = results(&document);
    let rules: Vec<&str> = found.iter().map(|(rule, _, _)| rule.as_str()).collect();
    assert!(rules.contains(&"token-alg-none") && rules.contains(&"hardcoded-secret"), "{rules:?}");
    for (_, _, fingerprint) in &found {
        assert!(fingerprint.len() == 32 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()), "{fingerprint}");
    }
    // The same token in two files: two alerts, not one.
    let mut fingerprints: Vec<&str> = found.iter().map(|(_, _, f)| f.as_str()).collect();
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), found.len(), "fingerprints are distinct: {found:?}");

    for rule in run["tool"]["driver"]["rules"].as_array().expect("rules") {
        let id = rule["id"].as_str().expect("id");
        let severity: f64 =
            rule["properties"]["security-severity"].as_str().expect("a string").parse().expect("a number");
        assert!((0.0..=10.0).contains(&severity), "{id}: {severity}");
        let tags = rule["properties"]["tags"].as_array().expect("tags");
        assert_eq!(tags[0], "security", "{id}: code scanning reads security-severity only with this tag");
        assert!(rule["help"]["markdown"].as_str().is_some_and(|help| help.len() > 100), "{id}");
        assert!(rule["helpUri"].as_str().is_some_and(|uri| uri.ends_with(&format!("docs/rules/{id}.md"))), "{id}");
    }
    let rule = |id: &str| {
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        rules.iter().find(|rule| rule["id"] == id).expect("the rule").clone()
    };
    assert!(rule("token-alg-none")["properties"]["tags"].as_array().unwrap().contains(&json!("external/cwe/cwe-347")));
    assert!(
        rule("hardcoded-secret")["properties"]["tags"].as_array().unwrap().contains(&json!("external/cwe/cwe-798"))
    );
    assert!(rule("token-no-expiry")["properties"]["tags"].as_array().unwrap().contains(&json!("external/cwe/cwe-613")));

    // A clean tree: exit 0 in the invocation too, still valid.
    let clean = tempfile::tempdir().unwrap();
    write(clean.path(), "README.md", "nothing here\n");
    let (document, output) = sarif(clean.path(), &[]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(document["runs"][0]["invocations"][0]["exitCode"], 0);
    assert_eq!(sarif_schema_errors(&stdout(&output)), "");
}

#[test]
fn fingerprints_survive_line_moves_and_reindentation() {
    let dir = tempfile::tempdir().unwrap();
    let none = none_token("admin");
    write(dir.path(), "a.env", format!("NONE={none}\n"));
    write(dir.path(), "src/auth.js", VERIFY_JS);
    let (before, _) = sarif(dir.path(), &[]);
    write(dir.path(), "a.env", format!("# moved\n\n\nNONE={none}\n"));
    let moved_js = format!("// a header\n// of three\n// lines\n{}", VERIFY_JS.replace("  return", "      return"));
    write(dir.path(), "src/auth.js", moved_js);
    let (after, _) = sarif(dir.path(), &[]);
    let (before, after) = (results(&before), results(&after));
    assert_eq!(before.len(), after.len());
    for ((rule, line, fingerprint), (rule_after, line_after, fingerprint_after)) in before.iter().zip(&after) {
        assert_eq!(rule, rule_after);
        assert_eq!(line + 3, *line_after, "{rule} moved three lines down");
        assert_eq!(fingerprint, fingerprint_after, "{rule}: the fingerprint ignores the line");
    }
    // A different token is a different finding.
    write(dir.path(), "a.env", format!("# moved\n\n\nNONE={}\n", none_token("root")));
    let (changed, _) = sarif(dir.path(), &[]);
    let changed = results(&changed);
    let alg_none = |found: &[(String, u64, String)]| {
        found.iter().find(|(rule, _, _)| rule == "token-alg-none").map(|(_, _, f)| f.clone())
    };
    assert_ne!(alg_none(&before), alg_none(&changed));
}

#[test]
fn sarif_invocation_reports_the_exit_status_and_output_goes_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.env", format!("T={}\n", token(&json!({"alg": "HS256"}), &json!({"sub": "x"}))));
    // A hint only: exit 0 by default, 1 with --fail-on hint; the invocation says the same.
    for (fail_on, code) in [("error", 0), ("hint", 1)] {
        let output = jwt_lsp(
            dir.path(),
            &["check", "--format", "sarif", "--now", NOW_ARG, "--fail-on", fail_on, "--output", "out.sarif"],
        );
        assert_eq!(output.status.code(), Some(code));
        assert_eq!(stdout(&output), "", "--output: nothing on stdout");
        let document: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap()).unwrap();
        assert_eq!(document["runs"][0]["invocations"][0]["exitCode"], code);
        std::fs::remove_file(dir.path().join("out.sarif")).unwrap();
    }
}

fn check_text(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["check", "--now", NOW_ARG, "--color", "never"];
    args.extend_from_slice(extra);
    jwt_lsp(dir, &args)
}

#[test]
fn baseline_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let old = none_token("old");
    write(dir.path(), "config/.env", format!("A=1\nOLD={old}\n"));
    write(dir.path(), "src/auth.js", VERIFY_JS);

    let output = check_text(dir.path(), &["--write-baseline", "baseline.json"]);
    assert_eq!(output.status.code(), Some(0), "everything is accepted: {}", stderr(&output));
    assert_eq!(stdout(&output), "");
    let log = stderr(&output);
    assert!(log.contains("wrote ") && log.contains("to the baseline baseline.json"), "{log}");
    let text = std::fs::read_to_string(dir.path().join("baseline.json")).unwrap();
    assert!(!text.contains(&old) && !text.contains("hunter2"), "no token or secret text: {text}");
    let baseline: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(baseline["version"], 1);
    assert_eq!(baseline["fingerprint"], "jwtLsp/v1");
    let entries = baseline["findings"].as_array().unwrap();
    let accepted = entries.len();
    assert!(accepted >= 2, "{text}");
    let keys: Vec<(String, String, String)> = entries
        .iter()
        .map(|entry| {
            assert_eq!(entry.as_object().unwrap().len(), 3, "path, rule, fingerprint only: {entry}");
            (entry["path"].to_string(), entry["rule"].to_string(), entry["fingerprint"].to_string())
        })
        .collect();
    assert!(keys.windows(2).all(|pair| pair[0] < pair[1]), "sorted: {text}");
    // Stable: writing it again gives the same bytes.
    assert_eq!(check_text(dir.path(), &["--write-baseline", "again.json"]).status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(dir.path().join("again.json")).unwrap(), text);
    std::fs::remove_file(dir.path().join("again.json")).unwrap();

    // Unchanged tree: nothing reported, exit 0, the summary says what the baseline hid.
    let output = check_text(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).contains(&format!(
            "0 findings in 0 files (0 error, 0 warning, 0 info, 0 hint); {accepted} hidden by the baseline"
        )),
        "{}",
        stderr(&output)
    );

    // A new token: exactly one finding, exit 1.
    let new = none_token("new");
    write(dir.path(), "config/.env", format!("A=1\nOLD={old}\nNEW={new}\n"));
    let output = check_text(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output).lines().collect::<Vec<_>>(),
        [
            "config/.env:3:5: error[token-alg-none] Unsecured token: `alg` is `none`, so nothing protects its claims and anyone can forge it. Verifiers must reject it."
        ]
    );
    assert!(
        stderr(&output)
            .contains(&format!("1 finding in 1 file (1 error, 0 warning, 0 info, 0 hint); {accepted} hidden"))
    );

    // The old finding moved down three lines: still hidden.
    write(dir.path(), "config/.env", format!("# one\n# two\n# three\nA=1\nOLD={old}\n"));
    let output = check_text(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!((output.status.code(), stdout(&output)), (Some(0), String::new()), "{}", stderr(&output));

    // Fixed, the baseline refreshed (--baseline and --write-baseline together keep only what is
    // still found), then reintroduced: new again.
    write(dir.path(), "config/.env", "A=1\n");
    let output = check_text(dir.path(), &["--baseline", "baseline.json"]);
    assert!(stderr(&output).contains("1 baseline entry no longer found (fixed?)"), "{}", stderr(&output));
    let output = check_text(dir.path(), &["--baseline", "baseline.json", "--write-baseline", "baseline.json"]);
    assert_eq!(output.status.code(), Some(0));
    let refreshed: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("baseline.json")).unwrap()).unwrap();
    assert_eq!(refreshed["findings"].as_array().unwrap().len(), accepted - 1);
    // A new finding during a refresh is reported and not accepted.
    write(dir.path(), "config/.env", format!("A=1\nOLD={old}\n"));
    let output = check_text(dir.path(), &["--baseline", "baseline.json", "--write-baseline", "baseline.json"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("config/.env:2:5: error[token-alg-none]"), "{}", stdout(&output));
    let output = check_text(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(output.status.code(), Some(1), "reintroduced after the fix: reported again");

    // SARIF and JSON outputs honour it too; the note goes to stderr.
    let (document, output) = sarif(dir.path(), &["--baseline", "baseline.json"]);
    assert_eq!(results(&document).len(), 1);
    assert!(stderr(&output).contains(&format!("not reported: {} hidden by the baseline", accepted - 1)));
}

#[test]
fn a_bad_baseline_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.env", format!("T={}\n", none_token("x")));
    let output = check_text(dir.path(), &["--baseline", "missing.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--baseline missing.json"), "{}", stderr(&output));
    write(dir.path(), "old.json", r#"{"version": 7, "tool": "jwt-lsp", "fingerprint": "jwtLsp/v7", "findings": []}"#);
    let output = check_text(dir.path(), &["--baseline", "old.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("write it again with --write-baseline"), "{}", stderr(&output));
    write(dir.path(), "other.json", r#"{"results": []}"#);
    assert_eq!(check_text(dir.path(), &["--baseline", "other.json"]).status.code(), Some(2));
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .expect("git");
    assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
    stdout(&output)
}

fn git_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    dir
}

#[test]
fn diff_base_reports_only_changed_lines() {
    let repo = git_repo();
    let root = repo.path();
    let old = none_token("old");
    write(root, "app/.env", format!("OLD={old}\nA=1\nB=2\n"));
    write(root, "app/auth.js", VERIFY_JS);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "old findings"]);

    // Nothing changed: nothing reported, and the summary says why.
    let output = check_text(root, &["--diff-base", "HEAD"]);
    assert_eq!((output.status.code(), stdout(&output)), (Some(0), String::new()), "{}", stderr(&output));
    assert!(stderr(&output).contains("outside the lines changed since HEAD"), "{}", stderr(&output));

    // One line added below the old one (unstaged), a new untracked file, a committed change.
    let new = none_token("new");
    write(root, "app/.env", format!("OLD={old}\nA=1\nNEW={new}\nB=2\n"));
    write(root, "app/new.txt", format!("x {}\n", none_token("untracked")));
    let output = check_text(root, &["--diff-base", "HEAD"]);
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<String> = stdout(&output).lines().map(|line| line.split(": ").next().unwrap().to_string()).collect();
    assert_eq!(lines, ["app/.env:3:5", "app/new.txt:1:3"]);

    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "new findings"]);
    let output = check_text(root, &["--diff-base", "HEAD~1", "app"]);
    let lines: Vec<String> = stdout(&output).lines().map(|line| line.split(": ").next().unwrap().to_string()).collect();
    assert_eq!(lines, ["app/.env:3:5", "app/new.txt:1:3"]);
    // From a subfolder, paths relative to it.
    let output = check_text(&root.join("app"), &["--diff-base", "HEAD~1", ".env"]);
    assert_eq!(stdout(&output).lines().map(|line| &line[..line.find(": ").unwrap()]).collect::<Vec<_>>(), [".env:3:5"]);

    // A revision that does not exist, and no repository at all: usage errors (status 2).
    let output = check_text(root, &["--diff-base", "no-such-branch"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--diff-base no-such-branch: no such revision"), "{}", stderr(&output));
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "a.env", format!("T={old}\n"));
    let output = Command::new(env!("CARGO_BIN_EXE_jwt-lsp"))
        .args(["check", "--diff-base", "HEAD"])
        .current_dir(outside.path())
        .env("GIT_CEILING_DIRECTORIES", outside.path().parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--diff-base needs a git repository"), "{}", stderr(&output));
}

#[test]
fn many_file_arguments_as_pre_commit_passes_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for index in 0..40 {
        let name = format!("f{index:02}.txt");
        write(dir.path(), &name, "nothing\n");
        names.push(name);
    }
    write(dir.path(), "staged.env", format!("T={}\n", none_token("x")));
    let mut binary = format!("T={}\n", none_token("y")).into_bytes();
    binary.push(0);
    write(dir.path(), "image.bin", binary);
    let mut args: Vec<&str> = vec!["check", "--now", NOW_ARG, "--color", "never"];
    args.extend(names.iter().map(String::as_str));
    args.extend(["image.bin", "staged.env"]);
    let output = jwt_lsp(dir.path(), &args);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output).lines().count(), 1, "only staged.env; the binary file is not read as text");
    assert!(stdout(&output).starts_with("staged.env:1:3: error[token-alg-none]"));
    // Below --fail-on: passes.
    args.extend(["--fail-on", "never"]);
    assert_eq!(jwt_lsp(dir.path(), &args).status.code(), Some(0));
}

/// Puts the built binary first on PATH.
fn path_with_binary() -> std::ffi::OsString {
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_jwt-lsp")).parent().unwrap().to_path_buf();
    let mut paths = vec![binary_dir];
    paths.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(paths).unwrap()
}

/// `pre-commit try-repo <this checkout> <hook>` on a fresh repository, for both hooks: pre-commit
/// from PyPI in a temporary venv (network). `jwt-lsp-system` runs the built binary on `PATH`;
/// `jwt-lsp` (`language: rust`) has pre-commit build this checkout with `cargo install --path .`
/// (the system toolchain; `CARGO_TARGET_DIR` is passed through, so only our two crates compile).
#[test]
#[ignore = "installs pre-commit from PyPI and builds the crate through it; scripts/test.sh runs it (cargo test --test cli_ci -- --ignored)"]
fn pre_commit_hooks_block_an_alg_none_token_and_pass_a_clean_change() {
    let work = tempfile::tempdir().unwrap();
    let venv = work.path().join("venv");
    let status = python().args(["-m", "venv"]).arg(&venv).status().expect("python3 -m venv");
    assert!(status.success());
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", "pre-commit"])
        .output()
        .expect("pip");
    assert!(pip.status.success(), "pip install pre-commit: {}", stderr(&pip));
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| checkout().join("target"));
    let pre_commit = |repo: &Path, hook: &str| {
        let mut command = Command::new(venv.join("bin/pre-commit"));
        command
            .args(["try-repo"])
            .arg(checkout())
            .arg(hook)
            .current_dir(repo)
            .env("PRE_COMMIT_HOME", work.path().join("cache"))
            .env("CARGO_TARGET_DIR", target_dir.join("pre-commit"))
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1");
        if hook == "jwt-lsp-system" {
            command.env("PATH", path_with_binary());
        }
        command.output().expect("pre-commit")
    };

    for hook in ["jwt-lsp-system", "jwt-lsp"] {
        let repo = git_repo();
        write(repo.path(), "README.md", "hello\n");
        git(repo.path(), &["add", "."]);
        git(repo.path(), &["commit", "-q", "-m", "start"]);

        // A clean change passes.
        write(repo.path(), "notes.txt", format!("a valid token is fine: {}\n", valid_token()));
        git(repo.path(), &["add", "notes.txt"]);
        let output = pre_commit(repo.path(), hook);
        assert!(output.status.success(), "{hook}: {}{}", stdout(&output), stderr(&output));
        assert!(stdout(&output).contains("Passed"), "{hook}: {}", stdout(&output));

        // A staged `.env` with an `alg: none` token blocks it and names the rule.
        write(repo.path(), ".env", format!("API_TOKEN={}\n", none_token("admin")));
        git(repo.path(), &["add", ".env"]);
        let output = pre_commit(repo.path(), hook);
        assert_eq!(output.status.code(), Some(1), "{hook}: {}{}", stdout(&output), stderr(&output));
        let log = stdout(&output);
        assert!(log.contains("Failed") && log.contains(".env:1:11: error[token-alg-none]"), "{hook}: {log}");
    }
}

/// Runs the composite action's `run:` steps in order, as the runner would: `${{ … }}` replaced
/// from inputs, `github.action_path`, `runner.temp` and earlier steps' `$GITHUB_OUTPUT`; the
/// `uses:` upload step is checked, not run. Stops at the first failing step. Returns the upload
/// step's `with:` (when reached) and the failing step's name and output.
fn run_action(workspace: &Path, inputs: &[(&str, &str)]) -> (Option<BTreeMap<String, String>>, Option<String>) {
    let action_json = run_python(
        "import json, sys, yaml\nprint(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
        &[checkout().join("action.yml").to_str().unwrap()],
    );
    let action: Value = serde_json::from_str(&action_json).unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    let mut values: HashMap<String, String> = HashMap::new();
    for (name, input) in action["inputs"].as_object().unwrap() {
        values.insert(format!("inputs.{name}"), input["default"].as_str().unwrap_or_default().to_string());
    }
    for (name, value) in inputs {
        assert!(values.contains_key(&format!("inputs.{name}")), "the action has no input {name}");
        values.insert(format!("inputs.{name}"), value.to_string());
    }
    let runner_temp = tempfile::tempdir().unwrap();
    values.insert("github.action_path".into(), checkout().to_string_lossy().into_owned());
    values.insert("runner.temp".into(), runner_temp.path().to_string_lossy().into_owned());
    let expand = |text: &str, values: &HashMap<String, String>| -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            let end = rest[start..].find("}}").expect("a closed expression") + start;
            let key = rest[start + 3..end].trim();
            out.push_str(&rest[..start]);
            match values.get(key) {
                Some(value) => out.push_str(value),
                // An output a step did not write reads as empty, as on the runner.
                None if key.starts_with("steps.") => {}
                None => panic!("the test knows no `{key}`"),
            }
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    };

    let mut upload = None;
    for step in action["runs"]["steps"].as_array().unwrap() {
        let name = step["name"].as_str().unwrap_or_default().to_string();
        if let Some(uses) = step["uses"].as_str() {
            assert_eq!(uses, "github/codeql-action/upload-sarif@v3");
            let with = step["with"].as_object().unwrap();
            upload =
                Some(with.iter().map(|(key, value)| (key.clone(), expand(value.as_str().unwrap(), &values))).collect());
            continue;
        }
        assert!(step.get("if").is_none(), "{name}: a run step with a condition the test does not evaluate");
        assert_eq!(step["shell"], "bash");
        let script = step["run"].as_str().unwrap();
        assert!(!script.contains("${{"), "{name}: expressions belong in env:, not in the script");
        let github_output = runner_temp.path().join(format!("output-{name}"));
        std::fs::write(&github_output, "").unwrap();
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(workspace)
            .env("GITHUB_OUTPUT", &github_output)
            .env("RUNNER_TEMP", runner_temp.path());
        for (key, value) in step["env"].as_object().into_iter().flatten() {
            command.env(key, expand(value.as_str().unwrap(), &values));
        }
        let output = command.output().expect("bash");
        let id = step["id"].as_str();
        for line in std::fs::read_to_string(&github_output).unwrap().lines() {
            let (key, value) = line.split_once('=').expect("name=value");
            if let Some(id) = id {
                values.insert(format!("steps.{id}.outputs.{key}"), value.to_string());
            }
        }
        if !output.status.success() {
            return (upload, Some(format!("{name}: {}{}", stdout(&output), stderr(&output))));
        }
    }
    (upload, None)
}

#[test]
fn action_steps_run_in_order_and_fail_per_fail_on() {
    let binary = env!("CARGO_BIN_EXE_jwt-lsp");
    let workspace = tempfile::tempdir().unwrap();
    write(workspace.path(), "src/.env", format!("T={}\n", none_token("admin")));
    write(workspace.path(), "src/old.txt", format!("t: {}\n", support::expired_token()));
    write(workspace.path(), "docs/readme.md", "clean\n");

    // An error finding: the SARIF is written and uploaded, then the last step fails.
    let (upload, failed) = run_action(
        workspace.path(),
        &[("binary", binary), ("paths", "src\ndocs"), ("args", "--now 2026-01-01T00:00:00Z")],
    );
    let failed = failed.expect("fails on the alg-none token");
    assert!(failed.starts_with("Fail on findings:") && failed.contains("at or above 'error'"), "{failed}");
    let upload = upload.expect("the upload step comes before the verdict");
    assert_eq!(upload["sarif_file"], "jwt-lsp.sarif");
    let sarif = std::fs::read_to_string(workspace.path().join("jwt-lsp.sarif")).unwrap();
    assert_eq!(sarif_schema_errors(&sarif), "");
    let document: Value = serde_json::from_str(&sarif).unwrap();
    let rules: Vec<String> = results(&document).into_iter().map(|(rule, _, _)| rule).collect();
    assert_eq!(rules, ["token-alg-none", "token-expired"]);

    // fail-on never: the same findings, uploaded, and the job passes.
    let (_, failed) = run_action(workspace.path(), &[("binary", binary), ("paths", "src docs"), ("fail-on", "never")]);
    assert_eq!(failed, None);
    // Only the clean folder: passes at the strictest level.
    let (_, failed) = run_action(workspace.path(), &[("binary", binary), ("paths", "docs"), ("fail-on", "hint")]);
    assert_eq!(failed, None);
    // A usage error (a path that does not exist) stops at the scan, status 2.
    let (_, failed) = run_action(workspace.path(), &[("binary", binary), ("paths", "missing")]);
    let failed = failed.expect("fails");
    assert!(failed.starts_with("Scan with jwt-lsp:") && failed.contains("status 2"), "{failed}");
    assert!(!workspace.path().join("jwt-lsp.sarif").exists(), "no stale report for the upload step to send");
    // A binary that is not there: the install step says so.
    let (_, failed) = run_action(workspace.path(), &[("binary", "/nonexistent/jwt-lsp")]);
    assert!(failed.expect("fails").contains("is not an executable file"));
}
