//! Settings: what a user can change (leeway, the clock pin, severities per rule, inlay hints, test
//! paths), how they arrive (LSP `initializationOptions` / `didChangeConfiguration` JSON, CLI
//! flags) and the resolved `Config` the analysis reads.

use std::collections::BTreeMap;
use std::path::PathBuf;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use serde_json::Value;

use crate::finding::Severity;
use crate::jwt::checks::Clock;
use crate::jwt::time::{UnixSeconds, parse_now};
use crate::rules::Rule;
use crate::verify::Expectations;

/// Paths where fixture tokens are normal; time-based rules drop to `info` there.
pub const DEFAULT_TEST_PATHS: &[&str] = &[
    "**/test/**",
    "**/tests/**",
    "**/test*/**",
    // .NET test projects: `Tests/`, `UnitTests/`, `Shop.Api.Tests/`.
    "**/*Tests/**",
    "**/__tests__/**",
    "**/spec/**",
    "**/fixtures/**",
    "**/testdata/**",
    "*_test.go",
    "**/test_*.py",
    "*_test.py",
    "*.test.*",
    "*.spec.*",
];

/// The largest accepted leeway: one week. Leeway absorbs clock skew, which NTP keeps under a
/// second and misconfigured hosts under minutes (code analysis flags more than 5 minutes as a
/// finding: that is policy). This bound is sanity, not policy: a week still lets `explain` ask
/// "would last week's token pass apart from its age?", while anything beyond is a typo or a
/// unit mistake (milliseconds), and values near `u64::MAX` wrapped to a negative leeway.
pub const MAX_LEEWAY_SECONDS: u64 = 7 * 86_400;
/// `maxDiagnostics` bounds: at least one (turn rules off to silence them), at most 100,000
/// (more would only freeze the editor; `jwt-lsp check` lists everything).
pub const MAX_DIAGNOSTICS_LIMIT: usize = 100_000;
pub const DEFAULT_MAX_DIAGNOSTICS: usize = 1000;

/// The latest accepted `now`: 9999-12-31T23:59:59Z, the end of the calendar range dates are
/// printed in. Together with 0 (1970) as the earliest, "now minus exp" cannot overflow: `now`
/// at `i64::MIN` made `decode` panic on a subtraction.
pub const MAX_NOW: UnixSeconds = 253_402_300_799;

/// Checks a pinned clock in Unix seconds; the error names the range.
pub fn validate_now(seconds: UnixSeconds) -> Result<UnixSeconds, String> {
    if (0..=MAX_NOW).contains(&seconds) {
        return Ok(seconds);
    }
    Err(format!("{seconds} is outside 1970-01-01 to 9999-12-31 (Unix seconds 0 to {MAX_NOW})"))
}

/// Checks a leeway in seconds; the error names the limit and why.
pub fn validate_leeway(seconds: u64) -> Result<u64, String> {
    if seconds > MAX_LEEWAY_SECONDS {
        return Err(format!(
            "leeway {seconds} s is more than one week ({MAX_LEEWAY_SECONDS} s); leeway is for clock skew, which is seconds or minutes"
        ));
    }
    Ok(seconds)
}

/// A `--leeway` flag value: a whole number of seconds, 0 to one week (for clap's `value_parser`).
pub fn parse_leeway_flag(text: &str) -> Result<u64, String> {
    let seconds: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number of seconds from 0 to {MAX_LEEWAY_SECONDS} (one week)"))?;
    validate_leeway(seconds)
}

/// A rule's configured level: a severity, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        match text.trim().to_ascii_lowercase().as_str() {
            "off" | "none" | "ignore" | "false" => Some(Level::Off),
            other => Severity::parse(other).map(Level::On),
        }
    }
}

/// User settings as they arrive, all optional. Field names are camelCase in JSON.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    /// Accepted clock skew in seconds for `exp`, `nbf` and `iat`.
    pub leeway: Option<u64>,
    /// Pins "now": Unix seconds or RFC 3339. Unset means the real clock.
    pub now: Option<Value>,
    /// Per-rule level: `"error" | "warning" | "info" | "hint" | "off"`.
    pub severity: BTreeMap<String, String>,
    /// Inlay hints after tokens (default on).
    pub inlay_hints: Option<bool>,
    /// Globs of test paths (replace the defaults when set).
    pub test_paths: Option<Vec<String>>,
    /// At most this many diagnostics are published per document (default 1000).
    pub max_diagnostics: Option<usize>,
    /// Fetch `jwksUrls` over the network (default off; never enabled by `.jwt-lsp.toml`).
    pub allow_network: Option<bool>,
    /// JWKS URLs (https://, or http:// for localhost) fetched when `allowNetwork` is on.
    pub jwks_urls: Option<Vec<String>>,
    /// Key files: PEM (SPKI, PKCS#1, X.509 certificates), JWK or JWKS JSON.
    pub keys: Option<Vec<String>>,
    /// Names of environment variables that hold HMAC secrets (never the secrets themselves).
    pub secret_env: Option<Vec<String>>,
    /// A weak-secret wordlist file, one candidate per line.
    pub wordlist: Option<String>,
    /// The verifier's algorithm allow-list.
    pub algorithms: Option<Vec<String>>,
    /// Expected `iss` values.
    pub issuers: Option<Vec<String>>,
    /// Expected `aud` values (a token passes when it names one of them).
    pub audiences: Option<Vec<String>>,
    /// Globs of paths to skip entirely (scanning and key discovery).
    pub ignore: Option<Vec<String>>,
    /// A JWT advisories file (the format of `data/jwt-advisories.toml`) used instead of the
    /// built-in one, for `vulnerable-jwt-library`.
    pub advisories: Option<String>,
    /// Set by `.jwt-lsp.toml` only, never from editor JSON: the folder its `keys` and `wordlist`
    /// must stay inside.
    #[serde(skip)]
    pub confined: Confinement,
}

impl Settings {
    /// Reads settings from LSP JSON: either the object itself or wrapped as `{"jwtLsp": {...}}`
    /// (the shape VS Code and Neovim send for a settings section).
    pub fn from_json(value: &Value) -> Result<Settings, String> {
        let inner = value.get("jwtLsp").or_else(|| value.get("jwt-lsp")).unwrap_or(value);
        if inner.is_null() {
            return Ok(Settings::default());
        }
        Settings::deserialize(inner).map_err(|err| format!("invalid jwt-lsp settings: {err}"))
    }

    /// Settings in `other` win over `self`.
    pub fn merged_with(&self, other: &Settings) -> Settings {
        let mut severity = self.severity.clone();
        severity.extend(other.severity.clone());
        Settings {
            leeway: other.leeway.or(self.leeway),
            now: other.now.clone().or_else(|| self.now.clone()),
            severity,
            inlay_hints: other.inlay_hints.or(self.inlay_hints),
            test_paths: other.test_paths.clone().or_else(|| self.test_paths.clone()),
            max_diagnostics: other.max_diagnostics.or(self.max_diagnostics),
            allow_network: other.allow_network.or(self.allow_network),
            jwks_urls: other.jwks_urls.clone().or_else(|| self.jwks_urls.clone()),
            keys: other.keys.clone().or_else(|| self.keys.clone()),
            secret_env: other.secret_env.clone().or_else(|| self.secret_env.clone()),
            wordlist: other.wordlist.clone().or_else(|| self.wordlist.clone()),
            advisories: other.advisories.clone().or_else(|| self.advisories.clone()),
            algorithms: other.algorithms.clone().or_else(|| self.algorithms.clone()),
            issuers: other.issuers.clone().or_else(|| self.issuers.clone()),
            audiences: other.audiences.clone().or_else(|| self.audiences.clone()),
            ignore: other.ignore.clone().or_else(|| self.ignore.clone()),
            // The rule travels with the setting it guards.
            confined: Confinement {
                keys: if other.keys.is_some() { &other.confined } else { &self.confined }.keys.clone(),
                wordlist: if other.wordlist.is_some() { &other.confined } else { &self.confined }.wordlist.clone(),
            },
        }
    }
}

/// Which file settings came from a project file, with the folder they must stay inside. Carried
/// by `Settings` (never read from editor JSON) so that it follows whichever source won a merge,
/// and checked again when the files are read: a path that was inside when the project file was
/// loaded can become a symlink out later (a branch switch).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Confinement {
    pub keys: Option<PathBuf>,
    pub wordlist: Option<PathBuf>,
}

/// The verification part of the settings, as the front ends need it to load keys and build the
/// `Verifier` (paths are resolved against the workspace root by `load::verifier`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    pub allow_network: bool,
    pub jwks_urls: Vec<String>,
    pub keys: Vec<String>,
    pub secret_env: Vec<String>,
    pub wordlist: Option<String>,
    pub expectations: Expectations,
    /// Set when `keys` or `wordlist` came from `.jwt-lsp.toml`.
    pub confined: Confinement,
}

/// Resolved settings, ready for the analysis.
#[derive(Debug, Clone)]
pub struct Config {
    pub leeway: u64,
    pub now: Option<UnixSeconds>,
    pub levels: BTreeMap<Rule, Level>,
    pub inlay_hints: bool,
    pub max_diagnostics: usize,
    test_paths: GlobSet,
    ignore: GlobSet,
    /// What the front ends build the `Verifier` from; the analysis takes that as its own input.
    pub verification: Verification,
    /// The advisories file to load instead of the built-in one (the front end reads it).
    pub advisories: Option<String>,
}

impl Default for Config {
    fn default() -> Config {
        Config::resolve(&Settings::default()).0
    }
}

impl Config {
    /// Resolves settings; problems (an unknown rule code, a bad glob) are returned as warnings and
    /// the offending entry is ignored, so one typo never disables the server.
    pub fn resolve(settings: &Settings) -> (Config, Vec<String>) {
        let mut warnings = Vec::new();
        let now = match &settings.now {
            None | Some(Value::Null) => None,
            Some(Value::Number(number)) => match number.as_i64().map(validate_now) {
                Some(Ok(now)) => Some(now),
                Some(Err(err)) => {
                    warnings.push(format!("setting `now`: {err}"));
                    None
                }
                None => {
                    warnings.push(format!("setting `now`: {number} is not a whole number of Unix seconds"));
                    None
                }
            },
            Some(Value::String(text)) if text.trim().is_empty() => None,
            Some(Value::String(text)) => match parse_now(text).and_then(validate_now) {
                Ok(now) => Some(now),
                Err(err) => {
                    warnings.push(format!("setting `now`: {err}"));
                    None
                }
            },
            Some(other) => {
                warnings.push(format!("setting `now`: expected Unix seconds or an RFC 3339 string, got {other}"));
                None
            }
        };
        let mut levels = BTreeMap::new();
        for (code, level) in &settings.severity {
            match (Rule::from_code(code), Level::parse(level)) {
                (Some(rule), Some(level)) => {
                    levels.insert(rule, level);
                }
                (None, _) => warnings.push(format!("setting `severity`: unknown rule code `{code}`")),
                (_, None) => warnings.push(format!(
                    "setting `severity.{code}`: `{level}` is not one of error, warning, info, hint, off"
                )),
            }
        }
        let globs: Vec<String> = settings
            .test_paths
            .clone()
            .unwrap_or_else(|| DEFAULT_TEST_PATHS.iter().map(|glob| glob.to_string()).collect());
        let mut builder = GlobSetBuilder::new();
        for glob in &globs {
            match Glob::new(glob) {
                Ok(glob) => {
                    builder.add(glob);
                }
                Err(err) => warnings.push(format!("setting `testPaths`: {err}")),
            }
        }
        let test_paths = builder.build().unwrap_or_else(|_| GlobSet::empty());
        let mut ignore = GlobSetBuilder::new();
        for glob in settings.ignore.iter().flatten() {
            match Glob::new(glob) {
                Ok(glob) => {
                    ignore.add(glob);
                }
                Err(err) => warnings.push(format!("setting `ignore`: {err}")),
            }
        }
        let ignore = ignore.build().unwrap_or_else(|_| GlobSet::empty());
        let expectations = Expectations {
            algorithms: settings.algorithms.clone().unwrap_or_default(),
            issuers: settings.issuers.clone().unwrap_or_default(),
            audiences: settings.audiences.clone().unwrap_or_default(),
        };
        let verification = Verification {
            allow_network: settings.allow_network.unwrap_or(false),
            jwks_urls: settings.jwks_urls.clone().unwrap_or_default(),
            keys: settings.keys.clone().unwrap_or_default(),
            secret_env: settings.secret_env.clone().unwrap_or_default(),
            wordlist: settings.wordlist.clone().filter(|path| !path.trim().is_empty()),
            expectations: expectations.clone(),
            confined: settings.confined.clone(),
        };
        let leeway = match settings.leeway.map(validate_leeway) {
            None => 0,
            Some(Ok(seconds)) => seconds,
            Some(Err(err)) => {
                warnings.push(format!("setting `leeway`: {err}; using 0"));
                0
            }
        };
        let max_diagnostics = match settings.max_diagnostics {
            None => DEFAULT_MAX_DIAGNOSTICS,
            Some(limit) if (1..=MAX_DIAGNOSTICS_LIMIT).contains(&limit) => limit,
            Some(limit) => {
                warnings.push(format!(
                    "setting `maxDiagnostics`: {limit} is not between 1 and {MAX_DIAGNOSTICS_LIMIT}; using {DEFAULT_MAX_DIAGNOSTICS}"
                ));
                DEFAULT_MAX_DIAGNOSTICS
            }
        };
        let config = Config {
            leeway,
            now,
            levels,
            inlay_hints: settings.inlay_hints.unwrap_or(true),
            max_diagnostics,
            test_paths,
            ignore,
            verification,
            advisories: settings.advisories.clone().filter(|path| !path.trim().is_empty()),
        };
        (config, warnings)
    }

    /// The clock of one analysis: the pinned `now` when set, otherwise `wall_now`, the front end's
    /// reading of the wall clock (the analysis never reads it itself).
    pub fn clock(&self, wall_now: UnixSeconds) -> Clock {
        Clock { now: self.now.unwrap_or(wall_now), leeway: self.leeway }
    }

    /// `path` is relative to the workspace root (or as given on the command line), `/`-separated.
    pub fn is_test_path(&self, path: &str) -> bool {
        self.test_paths.is_match(path)
    }

    /// Whether `path` (relative, `/`-separated) matches the `ignore` globs.
    pub fn is_ignored(&self, path: &str) -> bool {
        self.ignore.is_match(path)
    }

    pub fn ignore_globs(&self) -> &GlobSet {
        &self.ignore
    }

    /// The severity a finding of `rule` gets, or `None` when the rule is off. `proposed` is the
    /// severity the rule chose (its default, or a stronger one such as `error` for a known-weak
    /// secret); a configured level replaces it.
    pub fn level_for(&self, rule: Rule, proposed: Severity, in_test_path: bool) -> Option<Severity> {
        let severity = match self.levels.get(&rule) {
            Some(Level::Off) => return None,
            Some(Level::On(severity)) => *severity,
            None => proposed,
        };
        if in_test_path && rule.is_time_based() {
            return Some(severity.min(Severity::Info));
        }
        Some(severity)
    }

    /// Whether findings of `rule` can be reported at all (its level is not `off`); work only
    /// that rule needs is skipped otherwise.
    pub fn is_on(&self, rule: Rule) -> bool {
        self.levels.get(&rule) != Some(&Level::Off)
    }

    pub fn severity_for(&self, rule: Rule, in_test_path: bool) -> Option<Severity> {
        self.level_for(rule, rule.default_severity(), in_test_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_clock_is_the_pin_or_the_front_ends_wall_clock() {
        let (unpinned, _) = Config::resolve(&Settings { leeway: Some(30), ..Settings::default() });
        assert_eq!(unpinned.clock(1_700_000_000), Clock { now: 1_700_000_000, leeway: 30 });
        let (pinned, _) = Config::resolve(&Settings { now: Some(json!(1_000)), ..Settings::default() });
        assert_eq!(pinned.clock(1_700_000_000).now, 1_000);
    }

    #[test]
    fn reads_wrapped_and_flat_settings() {
        let flat = Settings::from_json(&json!({"leeway": 30, "severity": {"token-no-expiry": "off"}})).unwrap();
        let wrapped =
            Settings::from_json(&json!({"jwtLsp": {"leeway": 30, "severity": {"token-no-expiry": "off"}}})).unwrap();
        assert_eq!(flat, wrapped);
        let (config, warnings) = Config::resolve(&flat);
        assert!(warnings.is_empty());
        assert_eq!(config.leeway, 30);
        assert_eq!(config.severity_for(Rule::TokenNoExpiry, false), None);
        assert!(Settings::from_json(&json!({"leeway": "soon"})).is_err());
    }

    #[test]
    fn bad_entries_warn_and_are_ignored() {
        let settings = Settings::from_json(&json!({
            "now": "tomorrow", "severity": {"bogus-rule": "error", "token-expired": "loud"}
        }))
        .unwrap();
        let (config, warnings) = Config::resolve(&settings);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert_eq!(config.now, None);
        assert_eq!(config.severity_for(Rule::TokenExpired, false), Some(Severity::Warning));
    }

    #[test]
    fn out_of_range_numbers_warn_and_fall_back_to_the_default() {
        let settings = Settings::from_json(
            &json!({"leeway": u64::MAX, "maxDiagnostics": 0, "severity": {"token-expired": "hint"}}),
        )
        .unwrap();
        let (config, warnings) = Config::resolve(&settings);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("`leeway`") && warnings[0].contains("one week"), "{warnings:?}");
        assert!(warnings[1].contains("`maxDiagnostics`"), "{warnings:?}");
        assert_eq!((config.leeway, config.max_diagnostics), (0, DEFAULT_MAX_DIAGNOSTICS));
        // The other settings still apply, and the largest leeway is accepted.
        assert_eq!(config.severity_for(Rule::TokenExpired, false), Some(Severity::Hint));
        let settings = Settings::from_json(&json!({"leeway": MAX_LEEWAY_SECONDS, "maxDiagnostics": 100_001})).unwrap();
        let (config, warnings) = Config::resolve(&settings);
        assert_eq!(config.leeway, MAX_LEEWAY_SECONDS);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(parse_leeway_flag("18446744073709551615").unwrap_err().contains("more than one week"));
        assert!(parse_leeway_flag("-1").is_err());
        for now in [json!(i64::MIN), json!(-1), json!(u64::MAX), json!(1.5e9), json!("-9223372036854775808")] {
            let (config, warnings) = Config::resolve(&Settings::from_json(&json!({ "now": now })).unwrap());
            assert_eq!(config.now, None, "{now}");
            assert_eq!(warnings.len(), 1, "{now}: {warnings:?}");
        }
        let (config, warnings) = Config::resolve(&Settings::from_json(&json!({ "now": MAX_NOW })).unwrap());
        assert_eq!((config.now, warnings.len()), (Some(MAX_NOW), 0));
        assert_eq!(parse_leeway_flag("60"), Ok(60));
    }

    #[test]
    fn time_rules_drop_to_info_in_test_paths() {
        let config = Config::default();
        for path in
            ["tests/auth.env", "src/__tests__/a.ts", "pkg/auth_test.go", "web/login.spec.ts", "a/fixtures/x.json"]
        {
            assert!(config.is_test_path(path), "{path}");
        }
        for path in ["src/auth.ts", ".env", "config/prod.yaml", "contest/app.py"] {
            assert!(!config.is_test_path(path), "{path}");
        }
        assert_eq!(config.severity_for(Rule::TokenExpired, true), Some(Severity::Info));
        assert_eq!(config.severity_for(Rule::TokenAlgNone, true), Some(Severity::Error));
        assert_eq!(config.severity_for(Rule::TokenNoExpiry, true), Some(Severity::Hint));
    }
}
