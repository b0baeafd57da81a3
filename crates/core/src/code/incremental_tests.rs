//! Analysis after a keystroke (parsed incrementally from the previous version's tree, with the
//! walk's cached kind tables) equals a fresh analysis of the same text, over sequences of edits
//! on a bench-like file and on every code fixture.

use std::path::{Path, PathBuf};

use tree_sitter::Parser;

use super::{
    Context, Language, Options, Sink, analyze, csharp, go, java, javascript, mentions_jwt_library, php, python, rust,
};
use crate::finding::Finding;

/// The findings of `text` from a tree parsed from scratch by a parser of its own (the recent-tree
/// cache is neither read nor written) and walked in full (the recent walks are forgotten first;
/// the next incremental analysis then reuses this walk).
fn fresh(text: &str, language: Language) -> Vec<Finding> {
    super::syntax::clear_walks();
    let options = Options { context: Context::default(), conventional_names: false };
    let mut sink = Sink::default();
    if !mentions_jwt_library(text, language, false) {
        return sink.findings;
    }
    let mut parser = Parser::new();
    parser.set_language(&language.grammar().expect("grammar")).expect("language");
    let tree = parser.parse(text, None).expect("tree");
    match language {
        Language::JavaScript | Language::TypeScript | Language::Tsx => {
            javascript::analyze(text, &tree, &options, &mut sink)
        }
        Language::Python => python::analyze(text, &tree, &options, &mut sink),
        Language::Go => go::analyze(text, &tree, &options, &mut sink),
        Language::Java => java::analyze(text, &tree, &options, &mut sink),
        Language::Rust => rust::analyze(text, &tree, &options, &mut sink),
        Language::CSharp => csharp::analyze(text, &tree, &options, &mut sink),
        Language::Php => php::analyze(text, &tree, &options, &mut sink),
        Language::Ruby => super::ruby::analyze(text, &tree, &options, &mut sink),
        Language::Markdown => unreachable!("not a source language"),
    }
    sink.findings
}

/// Types `line` one character at a time at the start of the line holding byte `at`, then
/// deletes it again, checking every intermediate version.
fn type_and_erase(base: &str, at: usize, line: &str, language: Language, label: &str) -> usize {
    let at = base[..super::syntax::floor_char_boundary(base, at)].rfind('\n').map_or(0, |newline| newline + 1);
    let mut versions: Vec<String> = Vec::new();
    for (end, _) in line.char_indices().skip(1).chain([(line.len(), ' ')]) {
        versions.push(format!("{}{}\n{}", &base[..at], &line[..end], &base[at..]));
    }
    let erased: Vec<String> = versions.iter().rev().skip(1).cloned().collect();
    versions.extend(erased);
    versions.push(base.to_string());
    let mut differing_findings = 0;
    analyze(base, language, &Context::default());
    for (step, text) in versions.iter().enumerate() {
        let incremental = analyze(text, language, &Context::default());
        let expected = fresh(text, language);
        assert_eq!(incremental, expected, "{label}: step {step} of typing {line:?} at byte {at}");
        differing_findings += usize::from(incremental.len() != fresh(base, language).len());
    }
    differing_findings
}

fn bench_like_js(lines: usize) -> String {
    let mut text = String::from(
        "'use strict';\nconst express = require('express');\nconst jwt = require('jsonwebtoken');\nconst PUBLIC_KEY = process.env.JWT_PUBLIC_KEY;\nconst app = express();\n",
    );
    let mut index = 0;
    while text.lines().count() < lines {
        text.push_str(&format!(
            "
function authenticate{index}(req, res, next) {{
  const header = req.headers.authorization || '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : null;
  try {{
    req.user = jwt.verify(token, PUBLIC_KEY, {{ algorithms: ['RS256'], issuer: 'iss', audience: 'api' }});
    return next();
  }} catch (err) {{
    return res.status(401).json({{ error: `invalid token ${{err.message}}` }});
  }}
}}

app.get('/orders{index}', authenticate{index}, async (req, res) => {{
  const limit = Math.min(Number(req.query.limit) || 50, 200);
  const {{ rows }} = await db.query('SELECT * FROM orders WHERE id = $1', [req.params.id, /x{index}/g]);
  res.json({{ items: rows, limit }});
}});
"
        ));
        index += 1;
    }
    text
}

/// Keystrokes in the middle and near both ends of a long file, typing lines that add findings
/// (a decode without verify, a literal secret, `algorithms` with `none`), a shadowing definition
/// and broken syntax.
#[test]
fn keystrokes_in_a_long_file_match_fresh_analysis() {
    let base = bench_like_js(1200);
    let lines = [
        "const claims = jwt.decode(req.headers.authorization);",
        "jwt.verify(t, 'secret', { algorithms: ['none', 'HS256'] });",
        "const jwt = { verify() {} };",
        "  } catch (e) { ((",
        "const PUBLIC_KEY = 'hunter2'; jwt.sign({}, PUBLIC_KEY);",
    ];
    let mut changed = 0;
    for (index, line) in lines.iter().enumerate() {
        let at = base.len() * (index + 1) / (lines.len() + 1);
        changed += type_and_erase(&base, at, line, Language::JavaScript, "bench-like file");
    }
    // The sequence must exercise findings appearing and disappearing, not only unchanged ones.
    assert!(changed > 0, "no edit changed the findings");
}

fn fixtures(directory: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(directory) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            fixtures(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every JS/TS/Python/Go/Ruby fixture, edited at its start, middle and end with a line of its own
/// language.
#[test]
fn keystrokes_in_fixtures_match_fresh_analysis() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut paths = Vec::new();
    fixtures(&root, &mut paths);
    paths.sort();
    let mut checked = 0;
    for path in paths {
        let name = path.to_string_lossy().to_string();
        let Some(language) = Language::detect(Some(&name), None).filter(|language| *language != Language::Markdown)
        else {
            continue;
        };
        let Ok(base) = std::fs::read_to_string(&path) else { continue };
        let line = match language {
            Language::Python => "claims = jwt.decode(token, options={\"verify_signature\": False})",
            Language::Go => "\tjwt.Parse(raw, nil)",
            Language::Ruby => "  JWT.decode(request.headers['Authorization'], 'secret', false)",
            _ => "jwt.verify(token, 'secret', { algorithms: ['none'] });",
        };
        for at in [0, base.len() / 2, base.len()] {
            type_and_erase(&base, at, line, language, &name);
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} code fixtures found under {}", root.display());
}
