//! Fixture-driven rule tests: every file under `tests/fixtures/` is analysed and its findings
//! must match its annotations exactly — annotated lines fire exactly the listed codes, every other
//! line stays silent. See `tests/fixtures/README.md` for the annotation format.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use jwt_lsp::analysis::{Document, Inputs, analyze};
use jwt_lsp::config::{Config, Settings};
use jwt_lsp::load;
use jwt_lsp::rules::Rule;
use jwt_lsp::text::LineIndex;
use jwt_lsp::verify::Mode;

const EXPECT: &str = "jwt-lsp-expect:";
const FIXTURE_SETTINGS: &str = "jwt-lsp-fixture:";
/// Every fixture is checked at this moment unless it says otherwise.
const FIXTURE_NOW: &str = "2026-01-01T00:00:00Z";

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every single-file fixture. `workspace/` holds whole workspaces whose findings depend on other
/// files (`token-rejected-by-verifier`): `tests/crosscheck.rs` checks their annotations.
fn fixture_files() -> Vec<PathBuf> {
    let workspace = fixtures_root().join("workspace");
    let mut files = all_fixture_files();
    files.retain(|path| !path.starts_with(&workspace));
    files
}

fn all_fixture_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> =
            std::fs::read_dir(dir).expect("fixture dir").map(|entry| entry.expect("entry").path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if !path.file_name().is_some_and(|name| name.to_string_lossy().starts_with("README")) {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&fixtures_root(), &mut out);
    out
}

fn relative(path: &Path) -> String {
    path.strip_prefix(fixtures_root()).expect("under root").to_string_lossy().replace('\\', "/")
}

/// Expected `(code, severity?)` per zero-based line.
type Expectations = BTreeMap<usize, BTreeSet<(String, Option<String>)>>;

fn parse_expectations(text: &str) -> Expectations {
    let lines: Vec<&str> = text.lines().collect();
    let mut expected = Expectations::new();
    for (number, line) in lines.iter().enumerate() {
        let Some(at) = line.find(EXPECT) else { continue };
        let before = line[..at].trim().trim_start_matches(['#', '/', '*', ';', '-', '<', '!', '%', '"']).trim();
        let target = if before.is_empty() {
            // Alone on its line: applies to the next line that is not an annotation.
            (number + 1..lines.len()).find(|&next| !lines[next].contains(EXPECT)).expect("annotation before a line")
        } else {
            number
        };
        // Codes run until the first word that is not a code (closing `-->`, `"}`, prose).
        let items = line[at + EXPECT.len()..]
            .split([',', ' '])
            .map(|item| item.trim_end_matches(|ch: char| !ch.is_ascii_alphanumeric()))
            .filter(|item| !item.is_empty())
            .take_while(|item| {
                item.bytes()
                    .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-' || byte == b'=')
            });
        for item in items {
            let (code, severity) = match item.split_once('=') {
                Some((code, severity)) => (code.to_string(), Some(severity.to_string())),
                None => (item.to_string(), None),
            };
            assert!(Rule::from_code(&code).is_some(), "unknown rule code `{code}` in an annotation");
            expected.entry(target).or_default().insert((code, severity));
        }
    }
    expected
}

fn fixture_settings(text: &str) -> Settings {
    let mut settings = Settings { now: Some(FIXTURE_NOW.into()), ..Settings::default() };
    for line in text.lines() {
        let Some(at) = line.find(FIXTURE_SETTINGS) else { continue };
        for pair in line[at + FIXTURE_SETTINGS.len()..].split_whitespace() {
            let Some((key, value)) = pair.split_once('=') else { continue };
            // Lists are comma-separated; key and wordlist paths are relative to tests/fixtures/.
            let value = value.trim_end_matches(['"', ',', '}']);
            let list = || Some(value.split(',').map(str::to_string).collect::<Vec<_>>());
            match key {
                "leeway" => settings.leeway = Some(value.parse().expect("leeway")),
                "now" => settings.now = Some(value.into()),
                "keys" => settings.keys = list(),
                "algorithms" => settings.algorithms = list(),
                "issuers" => settings.issuers = list(),
                "audiences" => settings.audiences = list(),
                "wordlist" => settings.wordlist = Some(value.to_string()),
                _ => panic!("unknown fixture setting `{key}`"),
            }
        }
    }
    settings
}

fn check_fixture(path: &Path) -> Vec<String> {
    let relative = relative(path);
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{relative}: {err}"));
    let (config, warnings) = Config::resolve(&fixture_settings(&text));
    assert!(warnings.is_empty(), "{relative}: {warnings:?}");
    let (verifier, warnings) = load::verifier(&config.verification, Some(&fixtures_root()), None, None, Mode::Inline);
    assert!(warnings.is_empty(), "{relative}: {warnings:?}");
    let index = LineIndex::new(&text);
    let document = Document { text: &text, path: Some(&relative), language_id: None, index: &index };
    // Fixtures under `deps/` are services: their manifests and lockfiles are read as `check` reads them.
    let dependencies = relative.starts_with("deps/").then(|| {
        let cache = jwt_lsp::deps::ServiceCache::new(
            fixtures_root(),
            |file: &Path| self::relative(file),
            jwt_lsp::deps::advisories(None).expect("built-in advisories"),
        );
        cache.for_file(path)
    });
    let inputs = Inputs::new(&config, &verifier, 0).with_dependencies(dependencies.as_deref()); // `now` is pinned by every fixture
    let analysis = analyze(&document, &inputs);

    let expected = parse_expectations(&text);
    let mut actual: BTreeMap<usize, Vec<(String, String, String)>> = BTreeMap::new();
    for finding in &analysis.findings {
        let line = index.line_of(&text, finding.range.start);
        actual.entry(line).or_default().push((
            finding.rule.code().to_string(),
            finding.severity.as_str().to_string(),
            finding.message.clone(),
        ));
    }
    let mut problems = Vec::new();
    let lines: BTreeSet<usize> = expected.keys().chain(actual.keys()).copied().collect();
    for line in lines {
        let want = expected.get(&line).cloned().unwrap_or_default();
        let got = actual.get(&line).cloned().unwrap_or_default();
        let got_codes: BTreeSet<&str> = got.iter().map(|(code, _, _)| code.as_str()).collect();
        let want_codes: BTreeSet<&str> = want.iter().map(|(code, _)| code.as_str()).collect();
        for (code, severity, message) in &got {
            if !want_codes.contains(code.as_str()) {
                problems.push(format!("{relative}:{}: unexpected {severity}[{code}] {message}", line + 1));
            }
        }
        for (code, severity) in &want {
            if !got_codes.contains(code.as_str()) {
                problems.push(format!("{relative}:{}: expected [{code}] did not fire", line + 1));
            } else if let Some(severity) = severity {
                let actual_severity = &got.iter().find(|(got_code, _, _)| got_code == code).expect("present").1;
                if actual_severity != severity {
                    problems.push(format!(
                        "{relative}:{}: [{code}] has severity {actual_severity}, expected {severity}",
                        line + 1
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn every_fixture_fires_exactly_where_annotated() {
    let files = fixture_files();
    assert!(!files.is_empty(), "no fixtures found");
    let problems: Vec<String> = files.iter().flat_map(|path| check_fixture(path)).collect();
    assert!(problems.is_empty(), "{} fixture mismatches:\n{}", problems.len(), problems.join("\n"));
}

/// Each rule has a fixture file where it must fire and one where it must stay silent; both are
/// found by name: the path contains the rule code, and `fires` or `silent`.
#[test]
fn every_rule_has_firing_and_silent_fixtures() {
    let files: Vec<(String, String)> = all_fixture_files()
        .into_iter()
        .map(|path| (relative(&path), std::fs::read_to_string(&path).expect("readable")))
        .collect();
    let mut missing = Vec::new();
    for rule in Rule::ALL {
        let code = rule.code();
        let annotated =
            |text: &str| parse_expectations(text).values().flatten().any(|(annotated, _)| annotated == code);
        if !files.iter().any(|(path, text)| path.contains(code) && path.contains("fires") && annotated(text)) {
            missing.push(format!("{code}: no `fires` fixture where it is expected"));
        }
        if !files.iter().any(|(path, text)| path.contains(code) && path.contains("silent") && !annotated(text)) {
            missing.push(format!("{code}: no `silent` fixture"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The languages of the rule × language matrix and the extensions that count as each. Markdown
/// fences count for nothing here: a rule is covered in a language by files of that language.
/// TypeScript (and TSX) runs through the JavaScript analyser but is its own column with its own
/// fixtures for every rule: type annotations, `as`/`!`/`satisfies` and type-only imports wrap the
/// same expressions in different syntax nodes, and only TypeScript fixtures show they are seen.
const MATRIX_LANGUAGES: &[(&str, &[&str])] = &[
    ("js", &["js", "jsx", "mjs", "cjs"]),
    ("ts", &["ts", "tsx", "mts", "cts"]),
    ("py", &["py"]),
    ("go", &["go"]),
    ("java", &["java"]),
    ("rs", &["rs"]),
    ("cs", &["cs"]),
    ("php", &["php"]),
    ("rb", &["rb"]),
];

/// Code rules that do not apply to a language at all, with the reason. Everything else applies.
const NOT_APPLICABLE: &[(&str, &str, &str)] = &[
    (
        "insecure-jwt-library",
        "js",
        "no recognised npm JWT library is archived with unfixed vulnerabilities (docs/rules: Go only)",
    ),
    (
        "insecure-jwt-library",
        "ts",
        "no recognised npm JWT library is archived with unfixed vulnerabilities (docs/rules: Go only)",
    ),
    (
        "insecure-jwt-library",
        "py",
        "no recognised Python JWT library is archived with unfixed vulnerabilities (docs/rules: Go only)",
    ),
    (
        "insecure-jwt-library",
        "java",
        "no recognised Java JWT library (jjwt, java-jwt, nimbus-jose-jwt, Spring Security) is archived with unfixed vulnerabilities",
    ),
    (
        "verify-missing-algorithms",
        "java",
        "no recognised Java library takes an allow-list: jjwt and nimbus bind the algorithm to the key's type, java-jwt to its `Algorithm` object, Spring's decoders default to one algorithm",
    ),
    (
        "insecure-jwt-library",
        "rs",
        "no recognised Rust JWT crate (jsonwebtoken, josekit) is archived with unfixed vulnerabilities",
    ),
    (
        "verify-missing-algorithms",
        "rs",
        "jsonwebtoken's `Validation` always carries algorithms (`new(alg)`, `default()` = HS256) and `decode` rejects a key of another family",
    ),
    (
        "insecure-jwt-library",
        "cs",
        "no recognised C# JWT package is archived with unfixed vulnerabilities (docs/rules/insecure-jwt-library.md)",
    ),
    (
        "verify-missing-algorithms",
        "cs",
        "Microsoft.IdentityModel accepts only algorithms the key supports when `ValidAlgorithms` is unset (docs/rules/verify-missing-algorithms.md)",
    ),
    (
        "insecure-jwt-library",
        "php",
        "no recognised PHP JWT package is archived with unfixed vulnerabilities (docs/rules/insecure-jwt-library.md)",
    ),
    (
        "insecure-jwt-library",
        "rb",
        "no recognised RubyGems JWT library (jwt, devise-jwt, warden-jwt_auth) is archived with unfixed vulnerabilities",
    ),
];

/// Code rules that apply to a language but that its analyser does not implement yet: planned
/// work, not a gap in the fixtures. A cell listed here must not be covered already.
const NOT_YET_IMPLEMENTED: &[(&str, &str, &str)] = &[];

fn is_code_rule(code: &str) -> bool {
    ["verify-", "decode-", "hardcoded-", "insecure-"].iter().any(|prefix| code.starts_with(prefix))
}

fn matrix_language(path: &str) -> Option<&'static str> {
    let extension = path.rsplit_once('.')?.1;
    MATRIX_LANGUAGES.iter().find(|(_, extensions)| extensions.contains(&extension)).map(|(language, _)| *language)
}

/// Every code rule that applies to a language has, in that language, a file whose name holds the
/// code and `fires` with at least one annotation of the code, and a file whose name holds the code
/// and `silent` with none. Prints every missing cell, then fails.
#[test]
fn every_code_rule_has_firing_and_silent_fixtures_in_each_language() {
    let files: Vec<(String, Expectations)> = fixture_files()
        .into_iter()
        .map(|path| (relative(&path), parse_expectations(&std::fs::read_to_string(&path).expect("readable"))))
        .collect();
    let code_rules: Vec<&str> = Rule::ALL.iter().map(|rule| rule.code()).filter(|code| is_code_rule(code)).collect();
    let listed = |table: &[(&str, &str, &str)], code: &str, language: &str| {
        table.iter().any(|(listed_code, listed_language, _)| *listed_code == code && *listed_language == language)
    };
    for (code, language, reason) in NOT_APPLICABLE.iter().chain(NOT_YET_IMPLEMENTED) {
        assert!(code_rules.contains(code), "`{code}` in a matrix table is not a code rule");
        assert!(matrix_language(&format!("x.{language}")).is_some(), "`{language}` in a matrix table");
        assert!(!reason.is_empty(), "{code} × {language}: a table entry needs its reason");
        assert!(
            !(listed(NOT_APPLICABLE, code, language) && listed(NOT_YET_IMPLEMENTED, code, language)),
            "{code} × {language} is in both tables"
        );
    }

    let mut missing = Vec::new();
    let mut stale = Vec::new();
    for code in &code_rules {
        for (language, _) in MATRIX_LANGUAGES {
            let annotates =
                |expected: &Expectations| expected.values().flatten().any(|(annotated, _)| annotated == code);
            let named = |path: &str, kind: &str| {
                let name = path.rsplit('/').next().unwrap_or(path);
                matrix_language(path) == Some(*language) && name.contains(code) && name.contains(kind)
            };
            let fires = files.iter().any(|(path, expected)| named(path, "fires") && annotates(expected));
            let silent = files.iter().any(|(path, expected)| named(path, "silent") && !annotates(expected));
            if listed(NOT_APPLICABLE, code, language) {
                if fires {
                    stale.push(format!("{code} × {language}: declared not applicable, yet a fixture fires it"));
                }
                continue;
            }
            if listed(NOT_YET_IMPLEMENTED, code, language) {
                if fires {
                    stale.push(format!("{code} × {language}: listed as not yet implemented, yet a fixture fires it"));
                }
                continue;
            }
            if !fires {
                missing.push(format!("{code} × {language}: no `fires` fixture (code/{language}/{code}.fires.<ext>)"));
            }
            if !silent {
                missing.push(format!("{code} × {language}: no `silent` fixture (code/{language}/{code}.silent.<ext>)"));
            }
        }
    }
    assert!(
        missing.is_empty() && stale.is_empty(),
        "{} missing and {} stale cells of the rule × language matrix:\n{}",
        missing.len(),
        stale.len(),
        missing.iter().chain(&stale).cloned().collect::<Vec<_>>().join("\n")
    );
}
