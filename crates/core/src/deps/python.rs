//! Python: `requirements*.txt` (pins, ranges, extras, markers, `-r` includes), `pyproject.toml`
//! (PEP 621 `[project]`, PEP 735 `[dependency-groups]`, Poetry), `poetry.lock`, `uv.lock`
//! and `Pipfile.lock`.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::Deserialize;
use serde_json::Value;
use toml::Spanned;

use super::{Ecosystem, Entry, Parsed, find_json_key, line_at, within};

/// `requirements.txt`, `requirements-dev.txt`, `requirements_test.txt`.
pub fn is_requirements(file_name: &str) -> bool {
    file_name.starts_with("requirements") && file_name.ends_with(".txt")
}

/// One PEP 508 requirement's name and specifiers (`PyJWT[crypto]>=2.4,<3 ; python_version>"3.7"`
/// → `PyJWT`, `>=2.4,<3`). URLs and paths give no name.
fn requirement(text: &str) -> Option<(&str, &str)> {
    let text = text.trim();
    let name_end =
        text.find(|ch: char| !(ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))).unwrap_or(text.len());
    let name = &text[..name_end];
    if name.is_empty() || !name.starts_with(|ch: char| ch.is_ascii_alphanumeric()) {
        return None;
    }
    let mut rest = text[name_end..].trim_start();
    if let Some(after) = rest.strip_prefix('[') {
        rest = after.split_once(']').map_or("", |(_, after)| after).trim_start();
    }
    // A URL or path (`git+https://…`, `./pkg`) is not a named requirement.
    if !rest.is_empty() && !rest.starts_with(['=', '<', '>', '!', '~', ';', '@', '(']) {
        return None;
    }
    // `name @ url` is a direct reference, not a version.
    if rest.starts_with('@') {
        return Some((name, ""));
    }
    let specifiers = rest.split(';').next().unwrap_or("").trim();
    // PEP 508 allows the specifiers in parentheses.
    let specifiers = specifiers.strip_prefix('(').and_then(|inner| inner.strip_suffix(')')).unwrap_or(specifiers);
    Some((name, specifiers.trim()))
}

/// The exact version of `==1.7.1` or `===1.7.1` (not `==1.*`), else `None`.
fn exact_pin(specifiers: &str) -> Option<String> {
    let parsed = pep440_rs::VersionSpecifiers::from_str(specifiers).ok()?;
    let [only] = &parsed[..] else { return None };
    matches!(only.operator(), pep440_rs::Operator::Equal | pep440_rs::Operator::ExactEqual)
        .then(|| only.version().to_string())
}

fn entry(
    name: &str,
    specifiers: &str,
    line: std::ops::Range<usize>,
    version_range: Option<std::ops::Range<usize>>,
) -> Entry {
    Entry {
        ecosystem: Ecosystem::PyPI,
        name: name.to_string(),
        declared: (!specifiers.is_empty()).then(|| specifiers.to_string()),
        exact: exact_pin(specifiers),
        line,
        version_range,
        direct: true,
    }
}

pub fn requirements(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        // A comment starts at `#` at the line's start or after whitespace (`pkg==1 # why`).
        let code = match line.match_indices('#').find(|(at, _)| *at == 0 || line[..*at].ends_with(char::is_whitespace))
        {
            Some((at, _)) => &line[..at],
            None => line,
        };
        let code = code.trim().trim_end_matches('\\').trim();
        if code.is_empty() {
            continue;
        }
        if let Some(option) = code.strip_prefix('-') {
            let include = option
                .strip_prefix("r ")
                .or_else(|| option.strip_prefix("r"))
                .filter(|_| !option.starts_with("-"))
                .or_else(|| option.strip_prefix("-requirement=").or_else(|| option.strip_prefix("-requirement ")));
            if let Some(path) = include.map(str::trim).filter(|path| !path.is_empty()) {
                parsed.includes.push(path.to_string());
            }
            continue;
        }
        let Some((name, specifiers)) = requirement(code) else { continue };
        let line_range = start..start + line.len();
        let version_range = exact_pin(specifiers).and_then(|version| {
            let after_name = start + line.find(name).unwrap_or(0) + name.len();
            within(text, &(after_name..line_range.end), &version)
        });
        parsed.entries.push(entry(name, specifiers, line_range, version_range));
    }
    parsed
}

#[derive(Deserialize, Default)]
struct Pyproject {
    #[serde(default)]
    project: Option<Project>,
    #[serde(default, rename = "dependency-groups")]
    dependency_groups: BTreeMap<String, Vec<Spanned<toml::Value>>>,
    #[serde(default)]
    tool: Option<Tool>,
}

#[derive(Deserialize, Default)]
struct Project {
    #[serde(default)]
    dependencies: Vec<Spanned<String>>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: BTreeMap<String, Vec<Spanned<String>>>,
}

#[derive(Deserialize, Default)]
struct Tool {
    #[serde(default)]
    poetry: Option<Poetry>,
}

type PoetryTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize, Default)]
struct Poetry {
    #[serde(default)]
    dependencies: PoetryTable,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: PoetryTable,
    #[serde(default)]
    group: BTreeMap<String, PoetryGroup>,
}

#[derive(Deserialize, Default)]
struct PoetryGroup {
    #[serde(default)]
    dependencies: PoetryTable,
}

fn toml_error(err: toml::de::Error) -> String {
    format!("not valid TOML: {}", err.message())
}

pub fn pyproject(text: &str) -> Result<Parsed, String> {
    let file: Pyproject = toml::from_str(text).map_err(toml_error)?;
    let mut parsed = Parsed::default();
    let mut pep_508 = |spanned: &Spanned<String>| {
        let Some((name, specifiers)) = requirement(spanned.get_ref()) else { return };
        let line = line_at(text, spanned.span().start);
        let version_range = exact_pin(specifiers).and_then(|version| within(text, &spanned.span(), &version));
        parsed.entries.push(entry(name, specifiers, line, version_range));
    };
    if let Some(project) = &file.project {
        project.dependencies.iter().for_each(&mut pep_508);
        project.optional_dependencies.values().flatten().for_each(&mut pep_508);
    }
    for value in file.dependency_groups.values().flatten() {
        if let toml::Value::String(requirement) = value.get_ref() {
            pep_508(&Spanned::new(value.span(), requirement.clone()));
        }
    }
    if let Some(poetry) = file.tool.and_then(|tool| tool.poetry) {
        let tables = [&poetry.dependencies, &poetry.dev_dependencies]
            .into_iter()
            .chain(poetry.group.values().map(|group| &group.dependencies));
        for table in tables {
            for (name, value) in table {
                if name.get_ref().eq_ignore_ascii_case("python") {
                    continue;
                }
                // `pyjwt = "^1.7"` or `pyjwt = { version = "^1.7", extras = ["crypto"] }`.
                let constraint = match value.get_ref() {
                    toml::Value::String(constraint) => constraint.clone(),
                    toml::Value::Table(table) => {
                        table.get("version").and_then(toml::Value::as_str).unwrap_or("").to_string()
                    }
                    _ => String::new(),
                };
                let line = line_at(text, name.span().start);
                let bare = constraint.trim().trim_start_matches("==");
                let exact = bare.starts_with(|ch: char| ch.is_ascii_digit())
                    && !bare.contains([',', '<', '>', '=', '|', '*', '^', '~'])
                    && pep440_rs::Version::from_str(bare).is_ok();
                let version_range = exact.then(|| within(text, &value.span(), bare)).flatten();
                parsed.entries.push(Entry {
                    ecosystem: Ecosystem::PyPI,
                    name: name.get_ref().clone(),
                    declared: (!constraint.is_empty()).then(|| constraint.clone()),
                    exact: exact.then(|| bare.to_string()),
                    line,
                    version_range,
                    direct: true,
                });
            }
        }
    }
    Ok(parsed)
}

#[derive(Deserialize)]
struct TomlLock {
    #[serde(default)]
    package: Vec<LockedPackage>,
}

#[derive(Deserialize)]
struct LockedPackage {
    name: Spanned<String>,
    #[serde(default)]
    version: Option<String>,
}

/// `poetry.lock` and `uv.lock`: both list `[[package]]` tables with `name` and `version`.
pub fn toml_lock(text: &str) -> Result<Parsed, String> {
    let file: TomlLock = toml::from_str(text).map_err(toml_error)?;
    let mut parsed = Parsed::default();
    for package in file.package {
        let Some(version) = package.version else { continue };
        parsed.entries.push(Entry::locked(
            Ecosystem::PyPI,
            package.name.get_ref().clone(),
            version,
            line_at(text, package.name.span().start),
            false,
        ));
    }
    Ok(parsed)
}

/// `Pipfile.lock`: JSON, `default` and `develop` map names to `{ "version": "==1.7.1" }`.
pub fn pipfile_lock(text: &str) -> Result<Parsed, String> {
    let root: Value = serde_json::from_str(text).map_err(|err| format!("not valid JSON: {err}"))?;
    let mut parsed = Parsed::default();
    for section in ["default", "develop"] {
        let Some(packages) = root.get(section).and_then(Value::as_object) else { continue };
        let Some(section_at) = find_json_key(text, 0, section, b'{') else { continue };
        let mut cursor = section_at;
        for (name, package) in packages {
            let Some(version) = package.get("version").and_then(Value::as_str) else { continue };
            let Some(at) = find_json_key(text, cursor, name, b'{') else { continue };
            cursor = at;
            parsed.entries.push(Entry::locked(
                Ecosystem::PyPI,
                name.clone(),
                version.trim_start_matches('=').to_string(),
                line_at(text, at),
                // Pipenv locks exactly what the Pipfile asks for, transitive packages included.
                false,
            ));
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(parsed: &Parsed, text: &str) -> Vec<String> {
        super::super::describe_entries(parsed, text)
    }

    #[test]
    fn requirements_pins_ranges_extras_markers_and_includes() {
        let text = "# production\n-r base.txt\n--requirement=shared/auth.txt\n-c constraints.txt\n--index-url https://pypi.org/simple\nPyJWT==1.7.1  # pinned for py2\npython-jose[cryptography]>=3.0,<3.4 ; python_version >= \"3.8\"\nAuthlib~=1.2\nrequests\ngit+https://github.com/x/y.git#egg=y\n";
        let parsed = requirements(text);
        assert_eq!(parsed.includes, ["base.txt", "shared/auth.txt"]);
        assert_eq!(
            found(&parsed, text),
            [
                "PyJWT ==1.7.1 1.7.1 @6 direct [1.7.1]",
                "python-jose >=3.0,<3.4 - @7 direct",
                "Authlib ~=1.2 - @8 direct",
                "requests - - @9 direct",
            ]
        );
    }

    #[test]
    fn pyproject_pep_621_groups_and_poetry() {
        let text = r#"[project]
name = "billing"
dependencies = [
    "PyJWT[crypto]==2.3.0",
    "httpx>=0.25",
]

[project.optional-dependencies]
jose = ["python-jose>=3.3.0"]

[dependency-groups]
dev = ["pytest>=8", {include-group = "lint"}]

[tool.poetry.dependencies]
python = "^3.10"
authlib = { version = "1.2.1", extras = ["crypto"] }

[tool.poetry.group.test.dependencies]
pyjwt = "^1.7"
"#;
        let parsed = pyproject(text).unwrap();
        assert_eq!(
            found(&parsed, text),
            [
                "PyJWT ==2.3.0 2.3.0 @4 direct [2.3.0]",
                "httpx >=0.25 - @5 direct",
                "python-jose >=3.3.0 - @9 direct",
                "pytest >=8 - @12 direct",
                "authlib 1.2.1 1.2.1 @16 direct [1.2.1]",
                "pyjwt ^1.7 - @19 direct",
            ]
        );
    }

    #[test]
    fn poetry_and_uv_lockfiles() {
        let poetry = r#"# This file is automatically @generated by Poetry 1.8.2 and should not be changed by hand.

[[package]]
name = "pyjwt"
version = "1.7.1"
description = "JSON Web Token implementation in Python"
optional = false
python-versions = "*"
files = [
    {file = "PyJWT-1.7.1-py2.py3-none-any.whl", hash = "sha256:5c6eca3c2940464d106b99ba83b00c6add741c9becaec087fb7ccdefea71350e"},
]

[package.extras]
crypto = ["cryptography (>=1.4)"]

[metadata]
lock-version = "2.0"
python-versions = "^3.8"
content-hash = "abc"
"#;
        assert_eq!(found(&toml_lock(poetry).unwrap(), poetry), ["pyjwt - 1.7.1 @4"]);
        let uv = r#"version = 1
requires-python = ">=3.12"

[[package]]
name = "billing"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "pyjwt" },
]

[[package]]
name = "pyjwt"
version = "2.8.0"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files.pythonhosted.org/packages/pyjwt-2.8.0.tar.gz", hash = "sha256:57e28d156e3d5c10088e0c68abb90bfac3df82b40a71bd0daa20c65ccd5c23de", size = 78313 }
"#;
        assert_eq!(found(&toml_lock(uv).unwrap(), uv), ["billing - 0.1.0 @5", "pyjwt - 2.8.0 @13"]);
    }

    #[test]
    fn pipfile_lock_default_and_develop() {
        let text = r#"{
    "_meta": {
        "hash": { "sha256": "abc" },
        "pipfile-spec": 6,
        "requires": { "python_version": "3.11" }
    },
    "default": {
        "pyjwt": {
            "hashes": ["sha256:abc"],
            "index": "pypi",
            "markers": "python_version >= '3.7'",
            "version": "==2.3.0"
        }
    },
    "develop": {
        "python-jose": {
            "version": "==3.3.0"
        }
    }
}
"#;
        assert_eq!(found(&pipfile_lock(text).unwrap(), text), ["pyjwt - 2.3.0 @8", "python-jose - 3.3.0 @16"]);
    }
}
