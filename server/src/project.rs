//! The project configuration file `.jwt-lsp.toml`: at the workspace root for the server, found
//! from the current directory upwards for `jwt-lsp check`. It uses the setting names in
//! snake_case (`jwks_urls`; the camelCase spelling `jwksUrls` is accepted too) and wins over
//! editor settings for the project. It can never enable network access: `allow_network` in the
//! file is ignored with a warning, so opening a cloned repository cannot make jwt-lsp fetch URLs.
//!
//! ```toml
//! leeway = 60
//! algorithms = ["RS256"]
//! issuers = ["https://auth.example.com/"]
//! audiences = ["api://orders"]
//! keys = ["keys/public.pem", "config/jwks.json"]
//! jwks_urls = ["https://auth.example.com/.well-known/jwks.json"]
//! secret_env = ["JWT_SECRET"]
//! wordlist = "tools/jwt.secrets.list"
//! ignore = ["vendor/**"]
//!
//! [severity]
//! token-no-expiry = "off"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::Settings;

pub const FILE_NAME: &str = ".jwt-lsp.toml";
/// A project file larger than this is refused.
const MAX_FILE_BYTES: u64 = 256 * 1024;

/// `.jwt-lsp.toml` as written.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
struct ProjectFile {
    leeway: Option<u64>,
    now: Option<toml::Value>,
    algorithms: Option<Vec<String>>,
    issuers: Option<Vec<String>>,
    audiences: Option<Vec<String>>,
    keys: Option<Vec<String>>,
    #[serde(alias = "jwksUrls")]
    jwks_urls: Option<Vec<String>>,
    #[serde(alias = "secretEnv")]
    secret_env: Option<Vec<String>>,
    wordlist: Option<String>,
    severity: Option<BTreeMap<String, String>>,
    ignore: Option<Vec<String>>,
    #[serde(alias = "testPaths")]
    test_paths: Option<Vec<String>>,
    #[serde(alias = "inlayHints")]
    inlay_hints: Option<bool>,
    #[serde(alias = "maxDiagnostics")]
    max_diagnostics: Option<usize>,
}

/// A loaded project file: its settings (key and wordlist paths made absolute against the
/// file's folder) and warnings for the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub path: PathBuf,
    /// The folder holding the file: globs (`ignore`, `test_paths`) are relative to it.
    pub root: PathBuf,
    pub settings: Settings,
    pub warnings: Vec<String>,
}

/// The nearest `.jwt-lsp.toml` in `start` or one of its parents.
pub fn find(start: &Path) -> Option<PathBuf> {
    start.ancestors().map(|dir| dir.join(FILE_NAME)).find(|candidate| candidate.is_file())
}

/// Reads and validates `path`. A syntax error or a wrong type is an error (with line and column);
/// unknown or forbidden keys are warnings.
pub fn load(path: &Path) -> Result<Project, String> {
    let size = std::fs::metadata(path).map_err(|err| format!("{}: {err}", path.display()))?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!("{}: {size} bytes, over the {MAX_FILE_BYTES}-byte limit", path.display()));
    }
    let text = std::fs::read_to_string(path).map_err(|err| format!("{}: {err}", path.display()))?;
    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    parse(&text, path, &root)
}

/// Parses project-file `text`; `root` is the folder relative paths resolve against.
pub fn parse(text: &str, path: &Path, root: &Path) -> Result<Project, String> {
    let shown = path.display();
    let mut table: toml::Table =
        toml::from_str(text).map_err(|err| format!("{shown}: {}", err.to_string().trim_end()))?;
    let mut warnings = Vec::new();
    for forbidden in ["allow_network", "allowNetwork"] {
        if table.remove(forbidden).is_some() {
            warnings.push(format!(
                "{shown}: `{forbidden}` is ignored: network access can only be enabled in editor settings or on the command line, never by a file in the repository"
            ));
        }
    }
    let known = [
        "leeway",
        "now",
        "algorithms",
        "issuers",
        "audiences",
        "keys",
        "jwks_urls",
        "jwksUrls",
        "secret_env",
        "secretEnv",
        "wordlist",
        "severity",
        "ignore",
        "test_paths",
        "testPaths",
        "inlay_hints",
        "inlayHints",
        "max_diagnostics",
        "maxDiagnostics",
    ];
    let unknown: Vec<String> = table.keys().filter(|key| !known.contains(&key.as_str())).cloned().collect();
    for key in unknown {
        table.remove(&key);
        let names: Vec<&str> = known.iter().copied().filter(|name| !name.contains(char::is_uppercase)).collect();
        warnings.push(format!("{shown}: unknown setting `{key}` ignored (known: {})", names.join(", ")));
    }
    let file: ProjectFile = toml::Value::Table(table)
        .try_into()
        .map_err(|err: toml::de::Error| format!("{shown}: {}", err.to_string().trim_end()))?;
    let absolute = |entry: &String| -> String {
        let candidate = Path::new(entry);
        if candidate.is_absolute() { entry.clone() } else { root.join(candidate).to_string_lossy().into_owned() }
    };
    let now = match file.now {
        None => None,
        Some(toml::Value::Integer(seconds)) => Some(serde_json::Value::from(seconds)),
        Some(toml::Value::String(text)) => Some(serde_json::Value::String(text)),
        Some(toml::Value::Datetime(moment)) => Some(serde_json::Value::String(moment.to_string())),
        Some(other) => {
            return Err(format!("{shown}: `now` must be Unix seconds or an RFC 3339 time, got a {}", other.type_str()));
        }
    };
    let settings = Settings {
        leeway: file.leeway,
        now,
        severity: file.severity.unwrap_or_default(),
        inlay_hints: file.inlay_hints,
        test_paths: file.test_paths,
        max_diagnostics: file.max_diagnostics,
        allow_network: None,
        jwks_urls: file.jwks_urls,
        keys: file.keys.map(|keys| keys.iter().map(absolute).collect()),
        secret_env: file.secret_env,
        wordlist: file.wordlist.as_ref().map(absolute),
        algorithms: file.algorithms,
        issuers: file.issuers,
        audiences: file.audiences,
        ignore: file.ignore,
    };
    Ok(Project { path: path.to_path_buf(), root: root.to_path_buf(), settings, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"
leeway = 60
now = 2026-01-01T00:00:00Z
algorithms = ["RS256", "ES256"]
issuers = ["https://auth.example.com/"]
audiences = ["api://orders"]
keys = ["keys/public.pem", "/etc/jwks.json"]
jwksUrls = ["https://auth.example.com/.well-known/jwks.json"]
secret_env = ["JWT_SECRET"]
wordlist = "tools/secrets.list"
ignore = ["vendor/**"]
test_paths = ["spec/**"]
inlay_hints = false
max_diagnostics = 50
allow_network = true
colour = "blue"

[severity]
token-no-expiry = "off"
"#;

    #[test]
    fn reads_every_setting_and_refuses_network() {
        let project = parse(FULL, Path::new("/repo/.jwt-lsp.toml"), Path::new("/repo")).unwrap();
        let settings = &project.settings;
        assert_eq!(settings.leeway, Some(60));
        assert_eq!(settings.now, Some(serde_json::Value::String("2026-01-01T00:00:00Z".into())));
        assert_eq!(settings.algorithms.as_deref(), Some(&["RS256".to_string(), "ES256".to_string()][..]));
        assert_eq!(
            settings.keys.as_deref(),
            Some(&["/repo/keys/public.pem".to_string(), "/etc/jwks.json".to_string()][..])
        );
        assert_eq!(settings.wordlist.as_deref(), Some("/repo/tools/secrets.list"));
        assert_eq!(settings.jwks_urls.as_ref().map(Vec::len), Some(1));
        assert_eq!(settings.secret_env.as_deref(), Some(&["JWT_SECRET".to_string()][..]));
        assert_eq!(settings.severity.get("token-no-expiry").map(String::as_str), Some("off"));
        assert_eq!(settings.allow_network, None);
        assert_eq!(settings.inlay_hints, Some(false));
        assert_eq!(project.warnings.len(), 2, "{:?}", project.warnings);
        assert!(project.warnings[0].contains("allow_network") && project.warnings[0].contains("never"));
        assert!(project.warnings[1].contains("colour"));
        let (config, warnings) = crate::config::Config::resolve(settings);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(config.is_ignored("vendor/lib/a.js"));
        assert!(!config.verification.allow_network);
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse("leeway = \"soon\"\n", Path::new("p/.jwt-lsp.toml"), Path::new("p")).unwrap_err();
        assert!(err.contains("leeway") || err.contains("invalid type"), "{err}");
        let err = parse("algorithms = [\n", Path::new("p/.jwt-lsp.toml"), Path::new("p")).unwrap_err();
        assert!(err.contains("line"), "{err}");
    }

    #[test]
    fn finds_the_file_upwards() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        assert_eq!(find(&nested), None);
        std::fs::write(dir.path().join(FILE_NAME), "leeway = 5\n").unwrap();
        assert_eq!(find(&nested), Some(dir.path().join(FILE_NAME)));
        assert_eq!(load(&dir.path().join(FILE_NAME)).unwrap().settings.leeway, Some(5));
    }
}
