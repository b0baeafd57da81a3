//! Advisories as data (`data/jwt-advisories.toml`, compiled into the binary by the front end):
//! parsed and validated here, then matched against resolved versions.

use serde::Deserialize;

use super::Ecosystem;
use super::version::{Affected, Version};
use crate::rules::Severity;

/// What an advisory lets an attacker do, as a class: the first two forge tokens outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    SignatureBypass,
    AlgorithmConfusion,
    ClaimBypass,
    WeakKeys,
    ErrorHandling,
    DenialOfService,
}

impl Class {
    /// Error for signature bypass and algorithm confusion (forged tokens verify), else warning.
    pub fn severity(self) -> Severity {
        match self {
            Class::SignatureBypass | Class::AlgorithmConfusion => Severity::Error,
            _ => Severity::Warning,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    ecosystem: Ecosystem,
    package: String,
    affected: Vec<String>,
    fixed: String,
    allows: String,
    class: Class,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    advisory: Vec<Entry>,
}

/// One advisory for one package.
#[derive(Debug, Clone)]
pub struct Advisory {
    pub id: String,
    pub aliases: Vec<String>,
    pub ecosystem: Ecosystem,
    pub package: String,
    pub affected: Vec<Affected>,
    /// The first fixed version, or `None` when the advisory names none.
    pub fixed: Option<Version>,
    pub allows: String,
    pub class: Class,
    pub source: String,
}

impl Advisory {
    pub fn affects(&self, version: &Version) -> bool {
        self.affected.iter().any(|range| range.contains(version))
    }

    /// `GHSA-qwph-4952-7xr6 (CVE-2022-23540)`.
    pub fn name(&self) -> String {
        match self.aliases.first() {
            Some(alias) => format!("{} ({alias})", self.id),
            None => self.id.clone(),
        }
    }
}

/// A validated set of advisories.
#[derive(Debug, Clone, Default)]
pub struct Advisories {
    pub entries: Vec<Advisory>,
}

impl Advisories {
    /// Parses and validates an advisories file: every range must parse in its ecosystem, every
    /// entry needs a source URL and a fixed version or `none`. All problems are reported at once.
    pub fn parse(text: &str) -> Result<Advisories, String> {
        let file: File =
            toml::from_str(text).map_err(|err| format!("not a valid advisories file: {}", err.message()))?;
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        for entry in file.advisory {
            let at = format!("{} ({})", entry.id, entry.package);
            let mut problem = |text: String| problems.push(format!("{at}: {text}"));
            if entry.id.trim().is_empty() || entry.package.trim().is_empty() {
                problem("`id` and `package` must not be empty".into());
            }
            if !entry.source.starts_with("https://") {
                problem(format!("`source` must be an https URL, not `{}`", entry.source));
            }
            if entry.allows.trim().is_empty() {
                problem("`allows` must say what the advisory allows".into());
            }
            if entry.affected.is_empty() {
                problem("`affected` lists no range".into());
            }
            let mut affected = Vec::new();
            for range in &entry.affected {
                match Affected::parse(entry.ecosystem, range) {
                    Ok(parsed) => affected.push(parsed),
                    Err(err) => problem(err),
                }
            }
            let fixed = match entry.fixed.trim() {
                "none" => None,
                text => match Version::parse(entry.ecosystem, text) {
                    Some(version) => Some(version),
                    None => {
                        problem(format!("`fixed` is neither a version nor `none`: `{text}`"));
                        None
                    }
                },
            };
            if let Some(fixed) = &fixed
                && affected.iter().any(|range| range.contains(fixed))
            {
                problem(format!("the fixed version {fixed} is inside an affected range"));
            }
            entries.push(Advisory {
                id: entry.id,
                aliases: entry.aliases,
                ecosystem: entry.ecosystem,
                package: entry.package,
                affected,
                fixed,
                allows: entry.allows,
                class: entry.class,
                source: entry.source,
            });
        }
        if problems.is_empty() { Ok(Advisories { entries }) } else { Err(problems.join("; ")) }
    }

    /// Whether any advisory concerns this package (in any version).
    pub fn concerns(&self, ecosystem: Ecosystem, package: &str) -> bool {
        let package = ecosystem.normalize(package);
        self.entries
            .iter()
            .any(|advisory| advisory.ecosystem == ecosystem && ecosystem.normalize(&advisory.package) == package)
    }

    /// The advisories that affect `package` at `version`.
    pub fn affecting(&self, ecosystem: Ecosystem, package: &str, version: &Version) -> Vec<&Advisory> {
        let package = ecosystem.normalize(package);
        self.entries
            .iter()
            .filter(|advisory| {
                advisory.ecosystem == ecosystem
                    && ecosystem.normalize(&advisory.package) == package
                    && advisory.affects(version)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
[[advisory]]
id = "GHSA-qwph-4952-7xr6"
aliases = ["CVE-2022-23540"]
ecosystem = "npm"
package = "jsonwebtoken"
affected = ["<= 8.5.1"]
fixed = "9.0.0"
allows = "unsigned tokens verify"
class = "signature-bypass"
source = "https://github.com/advisories/GHSA-qwph-4952-7xr6"
"#;

    #[test]
    fn advisories_match_versions_in_their_ranges() {
        let advisories = Advisories::parse(ONE).unwrap();
        let version = |text| Version::parse(Ecosystem::Npm, text).unwrap();
        assert_eq!(advisories.affecting(Ecosystem::Npm, "jsonwebtoken", &version("8.5.1")).len(), 1);
        assert!(advisories.affecting(Ecosystem::Npm, "jsonwebtoken", &version("9.0.0")).is_empty());
        assert!(advisories.affecting(Ecosystem::Npm, "jose", &version("1.0.0")).is_empty());
        assert!(advisories.concerns(Ecosystem::Npm, "jsonwebtoken"));
        assert_eq!(advisories.entries[0].name(), "GHSA-qwph-4952-7xr6 (CVE-2022-23540)");
        assert_eq!(advisories.entries[0].class.severity(), Severity::Error);
    }

    #[test]
    fn a_bad_entry_is_refused_with_every_reason() {
        let bad = ONE
            .replace("<= 8.5.1", "<= eight")
            .replace("https://github.com", "http://github.com")
            .replace("\"9.0.0\"", "\"later\"");
        let err = Advisories::parse(&bad).unwrap_err();
        assert!(err.contains("`eight` in `<= eight` is not a npm version"), "{err}");
        assert!(err.contains("`source` must be an https URL"), "{err}");
        assert!(err.contains("`fixed` is neither a version nor `none`"), "{err}");
        let inside = ONE.replace("\"9.0.0\"", "\"8.0.0\"");
        assert!(Advisories::parse(&inside).unwrap_err().contains("inside an affected range"));
        assert!(Advisories::parse(&ONE.replace("class = ", "severity = \"x\"\nclass = ")).is_err());
    }
}
