//! Versions and ranges per ecosystem, each read by the crate that implements its rules: npm
//! (node-semver), PyPI (PEP 440), Go (semantic versions with a `v`).

use std::cmp::Ordering;
use std::str::FromStr;

use super::Ecosystem;

/// A version of one ecosystem, ordered by that ecosystem's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    Npm(nodejs_semver::Version),
    PyPI(pep440_rs::Version),
    Go(semver::Version),
}

impl Version {
    pub fn parse(ecosystem: Ecosystem, text: &str) -> Option<Version> {
        let text = text.trim();
        match ecosystem {
            Ecosystem::Npm => nodejs_semver::Version::parse(text.trim_start_matches(['=', 'v'])).ok().map(Version::Npm),
            Ecosystem::PyPI => pep440_rs::Version::from_str(text).ok().map(Version::PyPI),
            Ecosystem::Go => semver::Version::parse(text.strip_prefix('v').unwrap_or(text)).ok().map(Version::Go),
        }
    }

    /// The major version (`8` of `8.5.1`, `1` of PyJWT `1.7.1`).
    pub fn major(&self) -> u64 {
        match self {
            Version::Npm(version) => version.major(),
            Version::PyPI(version) => version.release().first().copied().unwrap_or(0),
            Version::Go(version) => version.major,
        }
    }

    /// Compares versions of the same ecosystem (`None` across ecosystems).
    pub fn compare(&self, other: &Version) -> Option<Ordering> {
        match (self, other) {
            (Version::Npm(a), Version::Npm(b)) => Some(a.cmp(b)),
            (Version::PyPI(a), Version::PyPI(b)) => Some(a.cmp(b)),
            (Version::Go(a), Version::Go(b)) => Some(a.cmp_precedence(b)),
            _ => None,
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Version::Npm(version) => write!(f, "{version}"),
            Version::PyPI(version) => write!(f, "{version}"),
            Version::Go(version) => write!(f, "v{version}"),
        }
    }
}

/// One bound of an advisory's range as GitHub publishes them (`>= 4.0.0`, `< 4.5.2`).
#[derive(Debug, Clone)]
pub struct Bound {
    pub operator: Ordering,
    pub inclusive: bool,
    pub version: Version,
}

/// An advisory range as published: comparators joined by commas, all of which must hold
/// (`>= 4.0.0, < 4.5.2`; `<= 0.4.1`; `= 1.0.0`).
#[derive(Debug, Clone)]
pub struct Affected {
    pub text: String,
    pub bounds: Vec<Bound>,
}

impl Affected {
    pub fn parse(ecosystem: Ecosystem, text: &str) -> Result<Affected, String> {
        let mut bounds = Vec::new();
        for part in text.split(',').map(str::trim) {
            let (operator, inclusive, rest) = if let Some(rest) = part.strip_prefix(">=") {
                (Ordering::Greater, true, rest)
            } else if let Some(rest) = part.strip_prefix("<=") {
                (Ordering::Less, true, rest)
            } else if let Some(rest) = part.strip_prefix('>') {
                (Ordering::Greater, false, rest)
            } else if let Some(rest) = part.strip_prefix('<') {
                (Ordering::Less, false, rest)
            } else if let Some(rest) = part.strip_prefix('=') {
                (Ordering::Equal, true, rest)
            } else {
                return Err(format!("`{part}` in `{text}` has no comparison operator"));
            };
            let version = Version::parse(ecosystem, rest)
                .ok_or_else(|| format!("`{}` in `{text}` is not a {} version", rest.trim(), ecosystem.name()))?;
            bounds.push(Bound { operator, inclusive, version });
        }
        Ok(Affected { text: text.to_string(), bounds })
    }

    pub fn contains(&self, version: &Version) -> bool {
        self.bounds.iter().all(|bound| match version.compare(&bound.version) {
            Some(Ordering::Equal) => bound.inclusive,
            Some(ordering) => ordering == bound.operator,
            None => false,
        })
    }
}

/// The lowest version a declared range admits (`^8.5.1` → 8.5.1, `>=2,<3` → 2, `~=1.7` → 1.7),
/// or `None` when the range has no lower bound (`*`, `<3`, `latest`) or does not parse.
pub fn lowest_admitted(ecosystem: Ecosystem, range: &str) -> Option<Version> {
    let range = range.trim();
    match ecosystem {
        Ecosystem::Npm => {
            let parsed = nodejs_semver::Range::parse(range).ok()?;
            // `*`, `x` and `>=0.0.0` admit everything: that says nothing about the version.
            let lowest = parsed.min_version()?;
            if parsed == nodejs_semver::Range::any() || lowest.to_string() == "0.0.0" {
                return None;
            }
            Some(Version::Npm(lowest))
        }
        Ecosystem::PyPI => {
            let specifiers = pep440_rs::VersionSpecifiers::from_str(range).ok()?;
            specifiers
                .iter()
                .filter(|specifier| {
                    use pep440_rs::Operator::*;
                    matches!(specifier.operator(), Equal | EqualStar | ExactEqual | TildeEqual | GreaterThanEqual)
                })
                .map(|specifier| specifier.version().clone())
                .max()
                .map(Version::PyPI)
        }
        Ecosystem::Go => Version::parse(ecosystem, range),
    }
}

/// Poetry's constraint syntax (`^1.7`, `~1.7.1`, `1.7.1`, `>=1.7,<2`, `*`) → its lowest version.
pub fn poetry_lowest(constraint: &str) -> Option<Version> {
    let constraint = constraint.trim();
    // `^1.7` and `~1.7` admit 1.7 and up (to the next major / minor); a bare version is exact.
    let bare = constraint.trim_start_matches(['^', '~']).trim();
    if bare.chars().next().is_some_and(|ch| ch.is_ascii_digit()) && !bare.contains([',', '<', '>', '=', '|', '*']) {
        return Version::parse(Ecosystem::PyPI, bare);
    }
    // `||` alternatives: the lowest of their lowest versions.
    constraint
        .split("||")
        .filter_map(|alternative| lowest_admitted(Ecosystem::PyPI, alternative))
        .min_by(|a, b| a.compare(b).unwrap_or(Ordering::Equal))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowest(ecosystem: Ecosystem, range: &str) -> Option<String> {
        lowest_admitted(ecosystem, range).map(|version| version.to_string())
    }

    #[test]
    fn lowest_versions_of_npm_ranges() {
        assert_eq!(lowest(Ecosystem::Npm, "^8.5.1").as_deref(), Some("8.5.1"));
        assert_eq!(lowest(Ecosystem::Npm, "~8.2").as_deref(), Some("8.2.0"));
        assert_eq!(lowest(Ecosystem::Npm, "8.x").as_deref(), Some("8.0.0"));
        assert_eq!(lowest(Ecosystem::Npm, ">=4.0.0 <5").as_deref(), Some("4.0.0"));
        assert_eq!(lowest(Ecosystem::Npm, "^7.0.0 || ^8.0.0").as_deref(), Some("7.0.0"));
        assert_eq!(lowest(Ecosystem::Npm, "1.2.3 - 2.0.0").as_deref(), Some("1.2.3"));
        assert_eq!(lowest(Ecosystem::Npm, "^0.4.0").as_deref(), Some("0.4.0"));
        assert_eq!(lowest(Ecosystem::Npm, "*"), None);
        assert_eq!(lowest(Ecosystem::Npm, "latest"), None);
        assert_eq!(lowest(Ecosystem::Npm, "github:auth0/node-jsonwebtoken"), None);
    }

    #[test]
    fn lowest_versions_of_pep_440_and_poetry_ranges() {
        assert_eq!(lowest(Ecosystem::PyPI, "==1.7.1").as_deref(), Some("1.7.1"));
        assert_eq!(lowest(Ecosystem::PyPI, ">=2.0,<3").as_deref(), Some("2.0"));
        assert_eq!(lowest(Ecosystem::PyPI, "~=1.7").as_deref(), Some("1.7"));
        assert_eq!(lowest(Ecosystem::PyPI, "<3"), None);
        assert_eq!(poetry_lowest("^1.7").map(|v| v.to_string()).as_deref(), Some("1.7"));
        assert_eq!(poetry_lowest("2.8.0").map(|v| v.to_string()).as_deref(), Some("2.8.0"));
        assert_eq!(poetry_lowest(">=2.4,<3").map(|v| v.to_string()).as_deref(), Some("2.4"));
        assert_eq!(poetry_lowest("*"), None);
    }

    #[test]
    fn affected_ranges_follow_each_ecosystems_order() {
        let range = Affected::parse(Ecosystem::Go, ">= 4.0.0, < 4.5.2").unwrap();
        let go = |text| Version::parse(Ecosystem::Go, text).unwrap();
        assert!(range.contains(&go("v4.4.2")));
        assert!(range.contains(&go("v4.0.0")));
        assert!(!range.contains(&go("v4.5.2")));
        assert!(!range.contains(&go("v3.2.2+incompatible")));
        let pypi = Affected::parse(Ecosystem::PyPI, "< 2.4.0").unwrap();
        assert!(pypi.contains(&Version::parse(Ecosystem::PyPI, "2.4.0rc1").unwrap()));
        assert!(!pypi.contains(&Version::parse(Ecosystem::PyPI, "2.4.0").unwrap()));
        let npm = Affected::parse(Ecosystem::Npm, "<= 8.5.1").unwrap();
        assert!(npm.contains(&Version::parse(Ecosystem::Npm, "8.5.1").unwrap()));
        assert!(Affected::parse(Ecosystem::Npm, "~> 1.0").is_err());
        assert!(Affected::parse(Ecosystem::Npm, "< one").is_err());
    }
}
