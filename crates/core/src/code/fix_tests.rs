//! Every quick fix offered on the code fixtures is applied and checked: the edited text still
//! parses without syntax errors, and re-analysis no longer reports the finding. Preferred fixes
//! (the ones `check --fix` applies) must not introduce any other finding either. The fixed text
//! itself is compared with a reviewed snapshot per fixture (`snapshots/`; see
//! `tests/fixtures/README.md` for accepting changes).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Context, Language, analyze, markdown, parse};
use crate::finding::{Finding, Fix};
use crate::rules::Rule;

fn code_fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/code")
}

fn code_fixtures() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let mut entries: Vec<PathBuf> = entries.map(|entry| entry.expect("entry").path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&code_fixtures_root(), &mut out);
    out
}

pub(super) fn apply(text: &str, fix: &Fix) -> String {
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.range.start));
    for pair in edits.windows(2) {
        assert!(pair[1].range.end <= pair[0].range.start, "overlapping edits in fix `{}`", fix.title);
    }
    let mut out = text.to_string();
    for edit in edits {
        out.replace_range(edit.range.clone(), &edit.new_text);
    }
    out
}

/// Whether `text` parses without syntax errors (for Markdown: every analysed fence).
pub(super) fn parses_cleanly(text: &str, language: Language) -> bool {
    match language {
        Language::Markdown => {
            markdown::fence_sources(text).iter().all(|(source, language)| parses_cleanly(source, *language))
        }
        language => parse(text, language).is_some_and(|tree| !tree.root_node().has_error()),
    }
}

fn counts(findings: &[Finding]) -> BTreeMap<Rule, usize> {
    let mut out = BTreeMap::new();
    for finding in findings {
        *out.entry(finding.rule).or_default() += 1;
    }
    out
}

#[test]
fn every_fix_parses_and_removes_its_finding() {
    let files = code_fixtures();
    assert!(!files.is_empty(), "no code fixtures");
    let mut checked = 0;
    let mut problems = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let language = Language::detect(Some(&name), None).expect("fixture language");
        let text = std::fs::read_to_string(&path).expect("readable");
        assert!(parses_cleanly(&text, language), "{name}: the fixture itself does not parse cleanly");
        let context = Context { in_test_path: false, ..Context::default() };
        let before = analyze(&text, language, &context);
        let before_counts = counts(&before);
        for finding in &before {
            for fix in &finding.fixes {
                checked += 1;
                let fixed = apply(&text, fix);
                if !parses_cleanly(&fixed, language) {
                    problems.push(format!(
                        "{name}: fix `{}` for [{}] leaves a syntax error:\n{fixed}",
                        fix.title, finding.rule
                    ));
                    continue;
                }
                let after = counts(&analyze(&fixed, language, &context));
                let rule_before = before_counts.get(&finding.rule).copied().unwrap_or(0);
                let rule_after = after.get(&finding.rule).copied().unwrap_or(0);
                if rule_after >= rule_before {
                    problems.push(format!("{name}: fix `{}` did not remove its [{}] finding", fix.title, finding.rule));
                }
                if fix.preferred {
                    for (rule, count) in &after {
                        if *rule != finding.rule && *count > before_counts.get(rule).copied().unwrap_or(0) {
                            problems.push(format!(
                                "{name}: preferred fix `{}` for [{}] introduced [{rule}]",
                                fix.title, finding.rule
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} fix problems:\n{}", problems.len(), problems.join("\n"));
    eprintln!("{checked} fixes applied, re-parsed and re-analysed");
    assert!(checked >= 80, "only {checked} fixes were exercised; the fixtures should offer more");
}

/// The snapshot of one fixture: every offered fix as `code @ line:col — title` (one-based, columns
/// in characters as the CLI prints them), then a unified diff of the fixed text with two lines
/// of context.
fn fix_report(text: &str, language: Language) -> String {
    let index = crate::text::LineIndex::new(text);
    let mut report = String::new();
    for finding in analyze(text, language, &Context::default()) {
        let at = index.line_col(text, finding.range.start, crate::text::Encoding::Utf32);
        for fix in &finding.fixes {
            let preferred = if fix.preferred { " (preferred)" } else { "" };
            report.push_str(&format!("{} @ {}:{} — {}{preferred}\n", finding.rule, at.line + 1, at.col + 1, fix.title));
            let fixed = apply(text, fix);
            let diff = similar::TextDiff::from_lines(text, &fixed);
            report.push_str(&diff.unified_diff().context_radius(2).to_string());
            report.push('\n');
        }
    }
    if report.is_empty() {
        report.push_str("no fixes offered\n");
    }
    report
}

fn snapshot_name(relative: &str) -> String {
    relative.replace('/', "__")
}

const SNAPSHOT_PREFIX: &str = "jwt_lsp__code__fix_tests__";

/// One snapshot per code fixture (silent ones included: a fix appearing there is a change too).
/// Every mismatch is reported before the test fails, not only the first.
#[test]
fn fixed_texts_match_their_snapshots() {
    let root = code_fixtures_root();
    let mut mismatched = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for path in code_fixtures() {
        let relative = path.strip_prefix(&root).expect("under root").to_string_lossy().replace('\\', "/");
        let language = Language::detect(Some(&relative), None).expect("fixture language");
        let text = std::fs::read_to_string(&path).expect("readable");
        let report = fix_report(&text, language);
        let name = snapshot_name(&relative);
        names.insert(format!("{SNAPSHOT_PREFIX}{name}.snap"));
        let mut settings = insta::Settings::clone_current();
        settings.set_description(format!("fixes offered on tests/fixtures/code/{relative}"));
        settings.set_omit_expression(true);
        // A mismatch panics; catch it so every differing fixture is listed (and, when updating,
        // written) in one run.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(name.as_str(), report.as_str()))
        }));
        if outcome.is_err() {
            mismatched.push(relative);
        }
    }
    assert!(mismatched.is_empty(), "{} fix snapshots differ:\n{}", mismatched.len(), mismatched.join("\n"));

    // A snapshot whose fixture is gone would never be compared again: it must go too.
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/code/snapshots");
    let orphans: Vec<String> = std::fs::read_dir(&snapshots)
        .expect("snapshots folder")
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|file| file.starts_with(SNAPSHOT_PREFIX) && file.ends_with(".snap") && !names.contains(file))
        .collect();
    assert!(orphans.is_empty(), "snapshots without a fixture (delete them): {orphans:?}");
}

/// The report format itself: a fix's header and its diff with two lines of context.
#[test]
fn fix_report_lists_each_fix_with_a_unified_diff() {
    let text = "const jwt = require('jsonwebtoken');\n// 1\n// 2\n// 3\nconst s = process.env.JWT_SECRET;\njwt.verify(t, s, { audience: 'a', issuer: 'b' });\n// 4\n// 5\n// 6\n";
    let report = fix_report(text, Language::JavaScript);
    let first = report.lines().next().expect("a fix");
    assert!(first.starts_with("verify-missing-algorithms @ 6:1 — "), "{report}");
    assert!(report.contains("@@ -4,5 +4,5 @@\n // 3\n const s = process.env.JWT_SECRET;\n-jwt.verify(t, s, { audience: 'a', issuer: 'b' });\n"), "{report}");
    assert!(!report.contains("// 1\n") && !report.contains("// 6"), "only two lines of context: {report}");
    assert_eq!(fix_report("const x = 1;\n", Language::JavaScript), "no fixes offered\n");
}

/// The fix text itself, for the shapes users see most.
#[test]
fn fix_texts() {
    let preferred = |text: &str, language: Language, rule: Rule| -> String {
        let findings = analyze(text, language, &Context::default());
        let finding =
            findings.iter().find(|finding| finding.rule == rule).unwrap_or_else(|| panic!("no [{rule}] in {text}"));
        let fix =
            finding.fixes.iter().find(|fix| fix.preferred).unwrap_or_else(|| panic!("no preferred fix for [{rule}]"));
        apply(text, fix)
    };
    assert_eq!(
        preferred(
            "const jwt = require('jsonwebtoken');\njwt.verify(t, process.env.JWT_SECRET);\n",
            Language::JavaScript,
            Rule::VerifyMissingAlgorithms
        ),
        "const jwt = require('jsonwebtoken');\njwt.verify(t, process.env.JWT_SECRET, { algorithms: ['HS256'] });\n"
    );
    assert_eq!(
        preferred(
            "const jwt = require('jsonwebtoken');\njwt.verify(t, publicKey, { algorithms: ['RS256', 'none'], audience: 'a', issuer: 'b' });\n",
            Language::JavaScript,
            Rule::VerifyAllowsNone
        ),
        "const jwt = require('jsonwebtoken');\njwt.verify(t, publicKey, { algorithms: ['RS256'], audience: 'a', issuer: 'b' });\n"
    );
    assert_eq!(
        preferred("import jwt\njwt.decode(t, PUBLIC_KEY_PEM)\n", Language::Python, Rule::VerifyMissingAlgorithms),
        "import jwt\njwt.decode(t, PUBLIC_KEY_PEM, algorithms=[\"RS256\"])\n"
    );
    assert_eq!(
        preferred(
            "import jwt\njwt.decode(t, k, algorithms=[\"HS256\"], options={\"verify_aud\": True, \"verify_exp\": False})\n",
            Language::Python,
            Rule::VerifyExpiryDisabled
        ),
        "import jwt\njwt.decode(t, k, algorithms=[\"HS256\"], options={\"verify_aud\": True})\n"
    );
    let go = "package p\n\nimport (\n\t\"github.com/golang-jwt/jwt/v5\"\n)\n\nfunc f(s string) {\n\tjwt.Parse(s, func(t *jwt.Token) (any, error) {\n\t\treturn []byte(secret), nil\n\t})\n}\n";
    assert_eq!(
        preferred(go, Language::Go, Rule::VerifyMissingAlgorithms),
        "package p\n\nimport (\n\t\"github.com/golang-jwt/jwt/v5\"\n)\n\nfunc f(s string) {\n\tjwt.Parse(s, func(t *jwt.Token) (any, error) {\n\t\treturn []byte(secret), nil\n\t}, jwt.WithValidMethods([]string{\"HS256\"}))\n}\n"
    );
    let go_v3 = "package p\n\nimport \"github.com/golang-jwt/jwt\"\n\nfunc f(s string) {\n\tjwt.Parse(s, func(_ *jwt.Token) (interface{}, error) {\n\t\treturn publicKey, nil\n\t})\n}\n";
    assert_eq!(
        preferred(go_v3, Language::Go, Rule::VerifyMissingAlgorithms),
        "package p\n\nimport \"github.com/golang-jwt/jwt\"\nimport \"fmt\"\n\nfunc f(s string) {\n\tjwt.Parse(s, func(token *jwt.Token) (interface{}, error) {\n\t\tif _, ok := token.Method.(*jwt.SigningMethodRSA); !ok {\n\t\t\treturn nil, fmt.Errorf(\"unexpected signing method: %v\", token.Header[\"alg\"])\n\t\t}\n\t\treturn publicKey, nil\n\t})\n}\n"
    );
}

/// Java fixes: the scheme stripped with `replaceFirst`, a statement that switches checks off
/// removed with its line.
#[test]
fn java_fix_texts() {
    let preferred = |text: &str, rule: Rule| -> String {
        let findings = analyze(text, Language::Java, &Context::default());
        let finding = findings.iter().find(|finding| finding.rule == rule).unwrap_or_else(|| panic!("no [{rule}]"));
        apply(text, finding.fixes.iter().find(|fix| fix.preferred).expect("a preferred fix"))
    };
    let bearer = "import io.jsonwebtoken.Jwts;\nclass A {\n    Object f(HttpServletRequest request) {\n        return Jwts.parser().parseClaimsJws(request.getHeader(\"Authorization\"));\n    }\n}\n";
    assert_eq!(
        preferred(bearer, Rule::VerifyBearerPrefix),
        bearer.replace(
            "request.getHeader(\"Authorization\")",
            "request.getHeader(\"Authorization\").replaceFirst(\"^Bearer \", \"\")"
        )
    );
    let nimbus = "import com.nimbusds.jwt.proc.DefaultJWTProcessor;\nclass A {\n    void f(DefaultJWTProcessor<?> p) {\n        p.setJWTClaimsSetVerifier(null);\n        p.process(t, null);\n    }\n}\n";
    assert_eq!(
        preferred(nimbus, Rule::VerifyExpiryDisabled),
        "import com.nimbusds.jwt.proc.DefaultJWTProcessor;\nclass A {\n    void f(DefaultJWTProcessor<?> p) {\n        p.process(t, null);\n    }\n}\n"
    );
}

/// C# fixes: the scheme stripped from a `StringValues` header read, a switch removed with its line.
#[test]
fn fix_texts_csharp() {
    let preferred = |text: &str, rule: Rule| -> String {
        let findings = analyze(text, Language::CSharp, &Context::default());
        let finding =
            findings.iter().find(|finding| finding.rule == rule).unwrap_or_else(|| panic!("no [{rule}] in {text}"));
        let fix =
            finding.fixes.iter().find(|fix| fix.preferred).unwrap_or_else(|| panic!("no preferred fix for [{rule}]"));
        apply(text, fix)
    };
    let validate = "using System.IdentityModel.Tokens.Jwt;\nnew JwtSecurityTokenHandler().ValidateToken(Request.Headers[\"Authorization\"], p, out _);\n";
    assert_eq!(
        preferred(validate, Rule::VerifyBearerPrefix),
        "using System.IdentityModel.Tokens.Jwt;\nnew JwtSecurityTokenHandler().ValidateToken(Request.Headers[\"Authorization\"].ToString().Replace(\"Bearer \", \"\"), p, out _);\n"
    );
    let across = "using Microsoft.IdentityModel.Tokens;\nservices.AddAuthentication().AddJwtBearer(o =>\n{\n    o.Audience = \"api\";\n    o.TokenValidationParameters.ValidateIssuer = false;\n});\n";
    assert_eq!(
        preferred(across, Rule::VerifyMissingIssuer),
        "using Microsoft.IdentityModel.Tokens;\nservices.AddAuthentication().AddJwtBearer(o =>\n{\n    o.Audience = \"api\";\n});\n"
    );
    let inline = "var p = new TokenValidationParameters { ValidateLifetime = false, ValidIssuer = \"a\" };\n";
    assert_eq!(
        preferred(inline, Rule::VerifyExpiryDisabled),
        "var p = new TokenValidationParameters { ValidIssuer = \"a\" };\n"
    );
}

/// PHP fixes: `str_replace` for the scheme, a php-jwt key wrapped in a `Key` with its algorithm.
#[test]
fn fix_texts_php() {
    let preferred = |text: &str, rule: Rule| -> String {
        let findings = analyze(text, Language::Php, &Context::default());
        let finding =
            findings.iter().find(|finding| finding.rule == rule).unwrap_or_else(|| panic!("no [{rule}] in {text}"));
        let fix =
            finding.fixes.iter().find(|fix| fix.preferred).unwrap_or_else(|| panic!("no preferred fix for [{rule}]"));
        apply(text, fix)
    };
    let header =
        "<?php\nuse Firebase\\JWT\\JWT;\nuse Firebase\\JWT\\Key;\nJWT::decode($_SERVER['HTTP_AUTHORIZATION'], $key);\n";
    assert_eq!(
        preferred(header, Rule::VerifyBearerPrefix),
        "<?php\nuse Firebase\\JWT\\JWT;\nuse Firebase\\JWT\\Key;\nJWT::decode(str_replace('Bearer ', '', $_SERVER['HTTP_AUTHORIZATION']), $key);\n"
    );
    let plain = "<?php\nuse Firebase\\JWT\\JWT;\nuse Firebase\\JWT\\Key;\nJWT::decode($jwt, getenv('JWT_SECRET'));\n";
    assert_eq!(
        preferred(plain, Rule::VerifyMissingAlgorithms),
        "<?php\nuse Firebase\\JWT\\JWT;\nuse Firebase\\JWT\\Key;\nJWT::decode($jwt, new Key(getenv('JWT_SECRET'), 'HS256'));\n"
    );
}

/// Damaged versions of every code fixture (cut, spliced, with stray brackets and quotes) never
/// make the analysis panic, and every range it returns is a valid slice of the text.
#[test]
fn damaged_sources_never_panic_and_ranges_stay_valid() {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |bound: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % bound.max(1) as u64) as usize
    };
    const DEBRIS: [&str; 10] = ["(", ")", "{", "}", "[", "'", "\"", "`", "\n", "é"];
    for path in code_fixtures() {
        let name = path.display().to_string();
        let language = Language::detect(Some(&name), None).expect("fixture language");
        let original = std::fs::read_to_string(&path).expect("readable");
        for _ in 0..25 {
            let mut text = original.clone();
            for _ in 0..1 + next(4) {
                let mut at = next(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match next(3) {
                    0 => text.truncate(at),
                    1 => text.insert_str(at, DEBRIS[next(DEBRIS.len())]),
                    _ => {
                        let mut end = (at + next(40)).min(text.len());
                        while !text.is_char_boundary(end) {
                            end -= 1;
                        }
                        text.replace_range(at..end.max(at), "");
                    }
                }
            }
            for finding in analyze(&text, language, &Context::default()) {
                let valid =
                    |range: &std::ops::Range<usize>| range.start <= range.end && text.get(range.clone()).is_some();
                assert!(valid(&finding.range), "{name}: finding range {:?} outside the text", finding.range);
                for edit in finding.fixes.iter().flat_map(|fix| &fix.edits) {
                    assert!(valid(&edit.range), "{name}: edit range {:?} outside the text", edit.range);
                }
            }
        }
    }
}
