//! Which library versions a service runs, from its manifests and lockfiles, and what the
//! advisories say about them (issue 13).
//!
//! Pure: `parse(file name, text)` turns one dependency file into its entries (ecosystem, name,
//! declared range, exact version, the byte range of the line that declares it); `Dependencies`
//! holds the parsed files of one service (`crate::service::Services` decides which files belong
//! together) and the advisories, and resolves a library's version: the lockfile's version wins
//! over the manifest's range, and a range alone gives the lowest version it admits, said as such.
//! The front ends read the files (`jwt-lsp`'s `src/deps.rs`); nothing here touches the disk.

pub mod advisory;
mod cargo;
mod dotnet;
mod go;
mod jvm;
mod npm;
mod php;
mod python;
mod ruby;
pub mod rule;
pub mod settings;
pub mod version;

use std::ops::Range;
use std::sync::Arc;

pub use advisory::{Advisories, Advisory};
pub use version::Version;

/// A package ecosystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Ecosystem {
    #[serde(rename = "npm")]
    Npm,
    #[serde(rename = "PyPI")]
    PyPI,
    #[serde(rename = "Go")]
    Go,
    #[serde(rename = "Maven")]
    Maven,
    #[serde(rename = "NuGet")]
    NuGet,
    #[serde(rename = "RubyGems")]
    RubyGems,
    #[serde(rename = "Packagist")]
    Packagist,
    #[serde(rename = "crates.io")]
    CratesIo,
}

impl Ecosystem {
    /// The name OSV and GitHub advisories use.
    pub fn name(self) -> &'static str {
        match self {
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
            Ecosystem::Maven => "Maven",
            Ecosystem::NuGet => "NuGet",
            Ecosystem::RubyGems => "RubyGems",
            Ecosystem::Packagist => "Packagist",
            Ecosystem::CratesIo => "crates.io",
        }
    }

    /// Package names as the ecosystem compares them: PyPI folds case and `-_.` (PEP 503), NuGet
    /// and Packagist fold case.
    pub fn normalize(self, name: &str) -> String {
        match self {
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                for ch in name.trim().chars() {
                    if matches!(ch, '-' | '_' | '.') {
                        if !out.ends_with('-') {
                            out.push('-');
                        }
                    } else {
                        out.push(ch.to_ascii_lowercase());
                    }
                }
                out
            }
            Ecosystem::NuGet | Ecosystem::Packagist => name.trim().to_ascii_lowercase(),
            Ecosystem::Npm | Ecosystem::Go | Ecosystem::Maven | Ecosystem::RubyGems | Ecosystem::CratesIo => {
                name.trim().to_string()
            }
        }
    }
}

/// Whether a file declares dependencies (a manifest) or pins what was installed (a lockfile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Manifest,
    Lockfile,
}

/// One dependency as one file states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub ecosystem: Ecosystem,
    /// The package name as written (`jsonwebtoken`, `PyJWT`, `github.com/golang-jwt/jwt/v4`).
    pub name: String,
    /// The declared range as written (`^8.5.1`, `>=2,<3`); manifests only.
    pub declared: Option<String>,
    /// The exact version: a lockfile's, or a manifest's exact pin (`==1.7.1`, go.mod's).
    pub exact: Option<String>,
    /// The line that declares it (without its line break).
    pub line: Range<usize>,
    /// The byte range of the version text inside `line`, where a manifest pins it and a quick
    /// fix can rewrite it.
    pub version_range: Option<Range<usize>>,
    /// A lockfile entry the project depends on directly (when the lockfile says).
    pub direct: bool,
}

impl Entry {
    /// A manifest's entry of a direct dependency: the range as written, the exact version when
    /// the manifest pins one, and where that pin can be rewritten.
    pub fn declared(
        ecosystem: Ecosystem,
        name: impl Into<String>,
        declared: Option<String>,
        exact: Option<String>,
        line: Range<usize>,
        version_range: Option<Range<usize>>,
    ) -> Entry {
        Entry { ecosystem, name: name.into(), declared, exact, line, version_range, direct: true }
    }

    /// A lockfile's entry: an exact version, no declared range, nothing to rewrite in place.
    pub fn locked(
        ecosystem: Ecosystem,
        name: impl Into<String>,
        exact: impl Into<String>,
        line: Range<usize>,
        direct: bool,
    ) -> Entry {
        Entry {
            ecosystem,
            name: name.into(),
            declared: None,
            exact: Some(exact.into()),
            line,
            version_range: None,
            direct,
        }
    }
}

/// A service made of `(path, text)` dependency files, for tests.
#[cfg(test)]
fn service_of_texts(files: &[(&str, &str)], advisories: Arc<Advisories>) -> Dependencies {
    Dependencies {
        files: files
            .iter()
            .map(|(path, text)| DependencyFile {
                path: path.to_string(),
                parsed: parse(path.rsplit('/').next().unwrap(), text).unwrap(),
            })
            .collect(),
        advisories,
        settings: Vec::new(),
    }
}

/// `name declared exact @line[ direct][ [pinned text]]` per entry, for the parsers' tests.
#[cfg(test)]
fn describe_entries(parsed: &Parsed, text: &str) -> Vec<String> {
    parsed
        .entries
        .iter()
        .map(|entry| {
            format!(
                "{} {} {} @{}{}{}",
                entry.name,
                entry.declared.as_deref().unwrap_or("-"),
                entry.exact.as_deref().unwrap_or("-"),
                text[..entry.line.start].matches('\n').count() + 1,
                if entry.direct { " direct" } else { "" },
                entry.version_range.clone().map(|range| format!(" [{}]", &text[range])).unwrap_or_default()
            )
        })
        .collect()
}

/// One dependency file, parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub kind: Option<FileKind>,
    pub entries: Vec<Entry>,
    /// Files this one includes (`-r other.txt` in requirements files), as written: the caller
    /// reads them, confined to the project folder.
    pub includes: Vec<String>,
    /// Why the file could not be read as its format (a syntax error): no entries then.
    pub problem: Option<String>,
}

/// Whether `file_name` is a dependency file this module reads.
pub fn is_dependency_file(file_name: &str) -> bool {
    kind_of(file_name).is_some()
}

fn kind_of(file_name: &str) -> Option<FileKind> {
    Some(match file_name {
        "package.json"
        | "go.mod"
        | "pyproject.toml"
        | "composer.json"
        | "Gemfile"
        | "Cargo.toml"
        | "pom.xml"
        | "build.gradle"
        | "build.gradle.kts"
        | "Directory.Packages.props" => FileKind::Manifest,
        "package-lock.json"
        | "npm-shrinkwrap.json"
        | "yarn.lock"
        | "pnpm-lock.yaml"
        | "poetry.lock"
        | "Pipfile.lock"
        | "uv.lock"
        | "composer.lock"
        | "Gemfile.lock"
        | "Cargo.lock"
        | "packages.lock.json"
        | "gradle.lockfile" => FileKind::Lockfile,
        name if name.ends_with(".csproj") => FileKind::Manifest,
        name if python::is_requirements(name) => FileKind::Manifest,
        _ => return None,
    })
}

/// The dependencies `text` declares or pins, if `file_name` (the last path component) is a
/// dependency file; `None` otherwise.
pub fn parse(file_name: &str, text: &str) -> Option<Parsed> {
    let kind = kind_of(file_name)?;
    let result = match file_name {
        "package.json" => npm::package_json(text),
        "package-lock.json" | "npm-shrinkwrap.json" => npm::package_lock(text),
        "yarn.lock" => npm::yarn_lock(text),
        "pnpm-lock.yaml" => npm::pnpm_lock(text),
        "go.mod" => Ok(go::go_mod(text)),
        "pyproject.toml" => python::pyproject(text),
        "poetry.lock" | "uv.lock" => python::toml_lock(text),
        "Pipfile.lock" => python::pipfile_lock(text),
        "composer.json" => php::composer_json(text),
        "composer.lock" => php::composer_lock(text),
        "Gemfile" => Ok(ruby::gemfile(text)),
        "Gemfile.lock" => Ok(ruby::gemfile_lock(text)),
        "Cargo.toml" => cargo::cargo_toml(text),
        "Cargo.lock" => cargo::cargo_lock(text),
        "packages.lock.json" => dotnet::packages_lock(text),
        "pom.xml" => jvm::pom(text),
        "build.gradle" | "build.gradle.kts" => Ok(jvm::build_gradle(text)),
        "gradle.lockfile" => Ok(jvm::gradle_lockfile(text)),
        name if name.ends_with(".csproj") || name == "Directory.Packages.props" => dotnet::project_file(text),
        _ => Ok(python::requirements(text)),
    };
    Some(match result {
        Ok(mut parsed) => {
            parsed.kind = Some(kind);
            parsed
        }
        Err(problem) => Parsed { kind: Some(kind), problem: Some(problem), ..Parsed::default() },
    })
}

/// A requirements file reached through `-r` (any name: `base.txt`, `requirements/prod.in.txt`).
pub fn parse_requirements(text: &str) -> Parsed {
    Parsed { kind: Some(FileKind::Manifest), ..python::requirements(text) }
}

/// One parsed dependency file of a service.
#[derive(Debug, Clone)]
pub struct DependencyFile {
    /// The path the analysis knows the file by (relative to the workspace, `/`-separated).
    pub path: String,
    pub parsed: Parsed,
}

impl DependencyFile {
    /// The file's name for messages (`package-lock.json`).
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

/// The dependency files of one service, and the advisories to judge them by: what the front end
/// hands the analysis (`analysis::Inputs::dependencies`).
#[derive(Debug, Clone, Default)]
pub struct Dependencies {
    pub files: Vec<DependencyFile>,
    pub advisories: Arc<Advisories>,
    /// The service's .NET settings files, `appsettings.json` first: values code reads by key.
    pub settings: Vec<settings::SettingsFile>,
}

/// Where a resolved version comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A lockfile's entry.
    Locked { file: String },
    /// An exact pin in a manifest (`==1.7.1`, `"8.5.1"`, go.mod's require).
    Pinned { file: String },
    /// No lockfile: the lowest version the declared range admits.
    Lowest { range: String, file: String },
}

/// A library's version in one service, and where it was read.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: Version,
    pub source: Source,
}

impl Resolved {
    /// `8.5.1 from package-lock.json`, `1.7.1 pinned in requirements.txt`, `at least 8.5.1 (the
    /// lowest version \`^8.5.1\` in package.json admits; no lockfile)`.
    pub fn describe_version(&self) -> String {
        match &self.source {
            Source::Locked { file } => format!("{} from {file}", self.version),
            Source::Pinned { file } => format!("{} pinned in {file}", self.version),
            Source::Lowest { range, file } => format!(
                "at least {} (the lowest version `{range}` in {file} admits; no lockfile says which is installed)",
                self.version
            ),
        }
    }
}

impl Dependencies {
    /// A setting's value and the file it is written in (the first settings file that has it).
    pub fn setting(&self, key: &str) -> Option<(&str, &settings::SettingsFile)> {
        self.settings.iter().find_map(|file| Some((file.get(key)?, file)))
    }

    /// The service's files with `document` (path and current text) in place of the stored copy
    /// of the same path: an open manifest is judged as edited, not as saved.
    pub fn with_document(&self, path: &str, text: &str) -> Option<Dependencies> {
        let file_name = path.rsplit('/').next().unwrap_or(path);
        // A file read as a `-r` include is a requirements file whatever its name.
        let included = self.files.iter().any(|file| file.path == path);
        let parsed = parse(file_name, text).or_else(|| included.then(|| parse_requirements(text)))?;
        let mut files: Vec<DependencyFile> = self.files.iter().filter(|file| file.path != path).cloned().collect();
        files.push(DependencyFile { path: path.to_string(), parsed });
        Some(Dependencies { files, advisories: self.advisories.clone(), settings: self.settings.clone() })
    }

    /// Every lockfile entry for `name`, with its file.
    fn locked<'a>(
        &'a self,
        ecosystem: Ecosystem,
        name: &'a str,
    ) -> impl Iterator<Item = (&'a DependencyFile, &'a Entry)> {
        self.entries(ecosystem, name).filter(|(file, _)| file.parsed.kind == Some(FileKind::Lockfile))
    }

    fn entries<'a>(
        &'a self,
        ecosystem: Ecosystem,
        name: &'a str,
    ) -> impl Iterator<Item = (&'a DependencyFile, &'a Entry)> {
        let wanted = ecosystem.normalize(name);
        self.files.iter().flat_map(move |file| {
            let wanted = wanted.clone();
            file.parsed
                .entries
                .iter()
                .filter(move |entry| entry.ecosystem == ecosystem && ecosystem.normalize(&entry.name) == wanted)
                .map(move |entry| (file, entry))
        })
    }

    /// The version the service runs of `name`: the lockfile's (the direct entry when the lockfile
    /// has several), else the manifest's exact pin, else the lowest version its range admits.
    pub fn resolve(&self, ecosystem: Ecosystem, name: &str) -> Option<Resolved> {
        let resolved = |version: &str, source: Source| {
            Some(Resolved { ecosystem, name: name.to_string(), version: Version::parse(ecosystem, version)?, source })
        };
        let mut locked: Vec<(&DependencyFile, &Entry)> = self.locked(ecosystem, name).collect();
        locked.sort_by_key(|(_, entry)| !entry.direct);
        if let Some((file, entry)) = locked.first()
            && let Some(version) = &entry.exact
            && let Some(found) = resolved(version, Source::Locked { file: file.name().to_string() })
        {
            return Some(found);
        }
        let declared: Vec<(&DependencyFile, &Entry)> =
            self.entries(ecosystem, name).filter(|(file, _)| file.parsed.kind == Some(FileKind::Manifest)).collect();
        if let Some((file, entry)) = declared.iter().find(|(_, entry)| entry.exact.is_some()) {
            return resolved(entry.exact.as_deref()?, Source::Pinned { file: file.name().to_string() });
        }
        declared.iter().find_map(|(file, entry)| {
            let range = entry.declared.as_deref()?;
            let lowest = if file.name() == "pyproject.toml" && !range.starts_with(['<', '>', '=', '!', '~']) {
                version::poetry_lowest(range)
            } else {
                version::lowest_admitted(ecosystem, range)
            }?;
            Some(Resolved {
                ecosystem,
                name: name.to_string(),
                version: lowest,
                source: Source::Lowest { range: range.to_string(), file: file.name().to_string() },
            })
        })
    }

    /// Whether some manifest of the service declares `name` (so lockfile entries of it are not
    /// transitive).
    pub fn declares(&self, ecosystem: Ecosystem, name: &str) -> bool {
        self.entries(ecosystem, name).any(|(file, _)| file.parsed.kind == Some(FileKind::Manifest))
    }
}

// ---- Text helpers shared by the parsers ----

/// Each line's range (without its line break) and text, for the line-based formats.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (Range<usize>, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |raw| {
        let start = offset;
        offset += raw.len();
        let body = raw.trim_end_matches(['\n', '\r']);
        (start..start + body.len(), body)
    })
}

/// The line around `offset`, without its line break.
pub(crate) fn line_at(text: &str, offset: usize) -> Range<usize> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |newline| offset + newline);
    let end = if text[start..end].ends_with('\r') { end - 1 } else { end };
    start..end
}

/// The offset of the JSON object key `"key"` followed by `:` at or after `from`, when the value
/// starts with `opening` (`{` for objects, `"` for strings).
pub(crate) fn find_json_key(text: &str, from: usize, key: &str, opening: u8) -> Option<usize> {
    let quoted = serde_json::to_string(key).ok()?;
    let mut at = from.min(text.len());
    while let Some(found) = text[at..].find(&quoted) {
        let start = at + found;
        let rest = text[start + quoted.len()..].trim_start();
        if let Some(value) = rest.strip_prefix(':')
            && value.trim_start().as_bytes().first() == Some(&opening)
        {
            return Some(start);
        }
        at = start + quoted.len();
    }
    None
}

/// The range of `needle` inside `line` of `text`, if it is there.
pub(crate) fn within(text: &str, line: &Range<usize>, needle: &str) -> Option<Range<usize>> {
    if needle.is_empty() {
        return None;
    }
    let found = text[line.clone()].find(needle)?;
    Some(line.start + found..line.start + found + needle.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_dependency_files_are_parsed() {
        for name in [
            "package.json",
            "yarn.lock",
            "go.mod",
            "requirements-dev.txt",
            "uv.lock",
            "Pipfile.lock",
            "pom.xml",
            "build.gradle.kts",
            "gradle.lockfile",
            "Api.csproj",
            "packages.lock.json",
            "Gemfile",
            "Gemfile.lock",
            "composer.json",
            "composer.lock",
            "Cargo.toml",
            "Cargo.lock",
        ] {
            assert!(is_dependency_file(name), "{name}");
        }
        for name in ["go.sum", "tsconfig.json", "requirements.in", "notes.txt", "settings.gradle", "composer.phar"] {
            assert!(!is_dependency_file(name), "{name}");
        }
        assert!(parse("README.md", "x").is_none());
    }

    #[test]
    fn a_broken_file_says_why_and_has_no_entries() {
        let parsed = parse("package.json", "{ \"dependencies\": ").unwrap();
        assert!(parsed.entries.is_empty());
        assert!(parsed.problem.is_some());
    }

    #[test]
    fn pypi_names_compare_as_pep_503_says() {
        assert_eq!(Ecosystem::PyPI.normalize("PyJWT"), "pyjwt");
        assert_eq!(Ecosystem::PyPI.normalize("python_jose"), Ecosystem::PyPI.normalize("Python.Jose"));
        assert_eq!(Ecosystem::Npm.normalize("@nestjs/jwt"), "@nestjs/jwt");
    }

    fn service(files: &[(&str, &str)]) -> Dependencies {
        super::service_of_texts(files, Arc::default())
    }

    #[test]
    fn the_lockfile_wins_over_the_range_and_a_range_alone_gives_its_lowest_version() {
        let manifest = r#"{ "dependencies": { "jsonwebtoken": "^8.1.0" } }"#;
        let lock = r#"{ "lockfileVersion": 3, "packages": { "": { "dependencies": { "jsonwebtoken": "^8.1.0" } },
            "node_modules/jsonwebtoken": { "version": "8.5.1" } } }"#;
        let both = service(&[("package.json", manifest), ("package-lock.json", lock)]);
        let resolved = both.resolve(Ecosystem::Npm, "jsonwebtoken").unwrap();
        assert_eq!(resolved.describe_version(), "8.5.1 from package-lock.json");
        let alone = service(&[("package.json", manifest)]);
        let resolved = alone.resolve(Ecosystem::Npm, "jsonwebtoken").unwrap();
        assert_eq!(resolved.version.to_string(), "8.1.0");
        assert!(resolved.describe_version().starts_with("at least 8.1.0 (the lowest version `^8.1.0` in package.json"));
        let pinned = service(&[("requirements.txt", "PyJWT==1.7.1\n")]);
        assert_eq!(
            pinned.resolve(Ecosystem::PyPI, "pyjwt").unwrap().describe_version(),
            "1.7.1 pinned in requirements.txt"
        );
        assert!(alone.resolve(Ecosystem::Npm, "jose").is_none());
    }

    #[test]
    fn the_open_document_replaces_its_saved_copy() {
        let saved = service(&[("svc/package.json", r#"{ "dependencies": { "jose": "^4.0.0" } }"#)]);
        let edited = saved.with_document("svc/package.json", r#"{ "dependencies": { "jose": "^5.1.0" } }"#).unwrap();
        assert_eq!(edited.files.len(), 1);
        assert_eq!(edited.resolve(Ecosystem::Npm, "jose").unwrap().version.to_string(), "5.1.0");
        assert!(saved.with_document("svc/index.js", "x").is_none());
    }
}
