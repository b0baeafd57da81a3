//! The project configuration file `.jwt-lsp.toml`: at the workspace root for the server, found
//! from the current directory upwards for `jwt-lsp check`. It uses the setting names in
//! snake_case (`jwks_urls`; the camelCase spelling `jwksUrls` is accepted too) and wins over
//! editor settings for the project.
//!
//! The file comes with the repository, so whoever wrote it is not necessarily the user: opening
//! a cloned repository must not let it reach beyond that repository. What it may do:
//! - `allow_network` is ignored with a warning: it cannot make jwt-lsp fetch URLs.
//! - `keys` and `wordlist` must name files inside the project folder (the file's own folder),
//!   after following symlinks; the file itself must be inside that folder too. Anything else is
//!   refused with one message that does not say whether the target exists. Like every
//!   configured file they must also be regular files under a size cap (`keys::file`), which
//!   keeps out FIFOs, devices and `/proc`. Editor settings and command-line flags may name files
//!   anywhere (the user typed them), but the file-type and size checks still apply.
//! - `secret_env` may name only variables with `JWT` in their name (`JWT_SECRET`,
//!   `SUPABASE_JWT_SECRET`). A verdict "verifies with $NAME" or "$NAME is not set" would turn any
//!   other variable (`AWS_SECRET_ACCESS_KEY`, `GITHUB_TOKEN`, `USER`) into an oracle for whoever
//!   can commit tokens and read the output, e.g. in CI. Other names belong in editor settings or
//!   `--secret-env`.
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
use crate::keys::file::{OUTSIDE_PROJECT, confine, lexically_inside, read_regular};

pub const FILE_NAME: &str = ".jwt-lsp.toml";
/// A project file larger than this is refused.
const MAX_FILE_BYTES: u64 = 256 * 1024;

pub use crate::config::Confinement;

/// Whether a project file may name the environment variable `name` in `secret_env`: only names
/// that say they hold a JWT secret (see the module documentation).
pub fn project_may_read_env(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
        && name.to_ascii_uppercase().contains("JWT")
}

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
    // Any entry but a directory counts, so that `load` can say why a link or a FIFO is refused.
    start.ancestors().map(|dir| dir.join(FILE_NAME)).find(|candidate| exists_as_file(candidate))
}

/// Whether `path` is there and not a directory, without following a final symlink.
pub fn exists_as_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|metadata| !metadata.is_dir())
}

/// Reads and validates `path`. A syntax error or a wrong type is an error (with line and column);
/// unknown or forbidden keys are warnings. A project file that is a symlink out of its folder is
/// refused: its parse errors would quote lines of whatever it points at.
pub fn load(path: &Path) -> Result<Project, String> {
    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let shown = path.display();
    let real = confine(&root, path).map_err(|err| format!("{shown}: {err}"))?;
    let bytes = read_regular(&real, MAX_FILE_BYTES, "project files").map_err(|err| format!("{shown}: {err}"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{shown}: not UTF-8 text"))?;
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
    // Made absolute against the project folder, and refused when they leave it on paper (`..`,
    // absolute paths elsewhere); symlinks are followed and checked when the files are read.
    let mut inside = |setting: &str, entry: &String| -> Option<String> {
        let path = lexically_inside(root, entry);
        if path.is_none() {
            warnings.push(format!("{shown}: `{setting}` entry `{entry}` {OUTSIDE_PROJECT}"));
        }
        path.map(|path| path.to_string_lossy().into_owned())
    };
    let keys = file.keys.as_ref().map(|keys| keys.iter().filter_map(|key| inside("keys", key)).collect());
    // `builtin` names the list compiled into the binary, not a file in the project.
    let wordlist = file.wordlist.as_ref().and_then(|wordlist| match wordlist.as_str() {
        crate::bundled::BUILTIN_WORDLIST => Some(wordlist.clone()),
        _ => inside("wordlist", wordlist),
    });
    let secret_env = file.secret_env.map(|names| {
        names
            .into_iter()
            .filter(|name| {
                let allowed = project_may_read_env(name);
                if !allowed {
                    warnings.push(format!(
                        "{shown}: `secret_env` entry `{name}` is ignored: a project file may only name variables with `JWT` in their name (such as JWT_SECRET); name others in editor settings or with --secret-env"
                    ));
                }
                allowed
            })
            .collect()
    });
    let confined = Confinement {
        keys: keys.is_some().then(|| root.to_path_buf()),
        wordlist: wordlist
            .as_ref()
            .filter(|name| *name != crate::bundled::BUILTIN_WORDLIST)
            .map(|_| root.to_path_buf()),
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
        keys,
        secret_env,
        wordlist,
        algorithms: file.algorithms,
        issuers: file.issuers,
        audiences: file.audiences,
        ignore: file.ignore,
        // A repository cannot swap the advisories it is judged by.
        advisories: None,
        confined,
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
        assert_eq!(settings.keys.as_deref(), Some(&["/repo/keys/public.pem".to_string()][..]));
        assert_eq!(settings.wordlist.as_deref(), Some("/repo/tools/secrets.list"));
        assert_eq!(settings.jwks_urls.as_ref().map(Vec::len), Some(1));
        assert_eq!(settings.secret_env.as_deref(), Some(&["JWT_SECRET".to_string()][..]));
        assert_eq!(settings.severity.get("token-no-expiry").map(String::as_str), Some("off"));
        assert_eq!(settings.allow_network, None);
        assert_eq!(settings.inlay_hints, Some(false));
        assert_eq!(project.warnings.len(), 3, "{:?}", project.warnings);
        assert!(project.warnings[0].contains("allow_network") && project.warnings[0].contains("never"));
        assert!(project.warnings[1].contains("colour"));
        assert!(project.warnings[2].contains("`/etc/jwks.json` refused: it is outside the project folder"));
        assert_eq!(settings.confined.keys.as_deref(), Some(Path::new("/repo")));
        assert_eq!(settings.confined.wordlist.as_deref(), Some(Path::new("/repo")));
        let (config, warnings) = crate::config::Config::resolve(settings);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(config.is_ignored("vendor/lib/a.js"));
        assert!(!config.verification.allow_network);
    }

    #[test]
    fn the_builtin_wordlist_is_a_name_not_a_project_file() {
        let project = parse("wordlist = \"builtin\"\n", Path::new("/repo/.jwt-lsp.toml"), Path::new("/repo")).unwrap();
        assert_eq!(project.settings.wordlist.as_deref(), Some("builtin"));
        assert_eq!(project.settings.confined.wordlist, None);
        assert!(project.warnings.is_empty(), "{:?}", project.warnings);
        // A file of that name is still reachable as a path.
        let project =
            parse("wordlist = \"./builtin\"\n", Path::new("/repo/.jwt-lsp.toml"), Path::new("/repo")).unwrap();
        assert_eq!(project.settings.wordlist.as_deref(), Some("/repo/builtin"));
    }

    #[test]
    fn paths_and_variables_a_repository_may_not_name_are_refused() {
        let text = r#"
keys = ["/etc/shadow", "../../other/key.pem", "keys/../../x.pem", "/proc/self/environ", "keys/ok.pem", "/repo/in.pem"]
wordlist = "/dev/stdin"
secret_env = ["JWT_SECRET", "AWS_SECRET_ACCESS_KEY", "supabase_jwt_secret", "HOME", "JWT-X"]
"#;
        let project = parse(text, Path::new("/repo/.jwt-lsp.toml"), Path::new("/repo")).unwrap();
        let settings = &project.settings;
        assert_eq!(settings.keys.as_deref(), Some(&["/repo/keys/ok.pem".to_string(), "/repo/in.pem".to_string()][..]));
        assert_eq!(settings.wordlist, None);
        assert_eq!(settings.confined.wordlist, None);
        assert_eq!(
            settings.secret_env.as_deref(),
            Some(&["JWT_SECRET".to_string(), "supabase_jwt_secret".to_string()][..])
        );
        let refused: Vec<&String> =
            project.warnings.iter().filter(|warning| warning.contains("outside the project folder")).collect();
        assert_eq!(refused.len(), 5, "{:?}", project.warnings);
        assert!(project.warnings.iter().any(|warning| warning.contains("`AWS_SECRET_ACCESS_KEY` is ignored")));
        assert!(project.warnings.iter().any(|warning| warning.contains("`HOME` is ignored")));

        // Editor settings merged under the file keep the file's rule for the settings it won;
        // editor settings that win are free.
        let editor = Settings { keys: Some(vec!["/anywhere/key.pem".into()]), ..Settings::default() };
        let merged = editor.merged_with(&settings.clone());
        assert_eq!(merged.confined.keys.as_deref(), Some(Path::new("/repo")));
        let merged = settings.merged_with(&editor);
        assert_eq!(merged.confined.keys, None);
    }

    #[cfg(unix)]
    #[test]
    fn a_project_file_linked_from_elsewhere_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("private.toml"), "token = \"hunter2\"\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path().join("private.toml"), dir.path().join(FILE_NAME)).unwrap();
        let err = load(&dir.path().join(FILE_NAME)).unwrap_err();
        assert!(err.contains("outside the project folder") && !err.contains("hunter2"), "{err}");
        std::fs::remove_file(dir.path().join(FILE_NAME)).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.path().join(FILE_NAME)).unwrap();
        assert_eq!(find(dir.path()), Some(dir.path().join(FILE_NAME)));
        assert!(load(&dir.path().join(FILE_NAME)).unwrap_err().contains("outside the project folder"));
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
