//! Versions and ranges per ecosystem, each read by the crate that implements its rules: npm
//! (node-semver), PyPI (PEP 440), Go (semantic versions with a `v`), crates.io (Cargo's semver).
//! Maven, NuGet, RubyGems and Packagist versions are dotted numbers with an optional qualifier
//! (`9.37.3`, `8.0.0-preview1`, `2.8.0.beta1`, `v6.10.0`): `Dotted` orders them the way those
//! ecosystems agree on for releases (numerically, missing parts are zero, a qualifier other than a
//! release marker sorts before its release), which is all an advisory range needs.

use std::cmp::Ordering;
use std::str::FromStr;

use super::Ecosystem;

/// A version of one ecosystem, ordered by that ecosystem's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    Npm(nodejs_semver::Version),
    PyPI(pep440_rs::Version),
    Go(semver::Version),
    Cargo(semver::Version),
    Dotted(Dotted),
}

/// `1.2.3`, `v6.10.0`, `8.0.0-preview1`, `2.8.0.beta1`, `5.3.1.RELEASE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dotted {
    numbers: Vec<u64>,
    /// Lower-cased, without its separator; empty for a release.
    qualifier: String,
    text: String,
}

impl Dotted {
    pub fn parse(text: &str) -> Option<Dotted> {
        let original = text.trim();
        let text = original.strip_prefix(['v', 'V']).unwrap_or(original);
        let mut numbers = Vec::new();
        let mut rest = text;
        loop {
            let digits = rest.find(|ch: char| !ch.is_ascii_digit()).unwrap_or(rest.len());
            if digits == 0 || digits > 18 {
                return None;
            }
            numbers.push(rest[..digits].parse().ok()?);
            rest = &rest[digits..];
            match rest.strip_prefix('.') {
                Some(after) if after.starts_with(|ch: char| ch.is_ascii_digit()) => rest = after,
                _ => break,
            }
        }
        let qualifier = rest.trim_start_matches(['-', '.', '+', '_']).to_ascii_lowercase();
        if qualifier.contains(char::is_whitespace) || numbers.len() > 6 {
            return None;
        }
        Some(Dotted { numbers, qualifier, text: original.to_string() })
    }

    fn is_release(&self) -> bool {
        matches!(self.qualifier.as_str(), "" | "release" | "final" | "ga")
    }

    fn cmp(&self, other: &Dotted) -> Ordering {
        let parts = self.numbers.len().max(other.numbers.len());
        let part = |numbers: &[u64], index: usize| numbers.get(index).copied().unwrap_or(0);
        (0..parts)
            .map(|index| part(&self.numbers, index).cmp(&part(&other.numbers, index)))
            .find(|ordering| ordering.is_ne())
            .unwrap_or_else(|| match (self.is_release(), other.is_release()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.qualifier.cmp(&other.qualifier),
            })
    }
}

impl Version {
    pub fn parse(ecosystem: Ecosystem, text: &str) -> Option<Version> {
        let text = text.trim();
        match ecosystem {
            Ecosystem::Npm => nodejs_semver::Version::parse(text.trim_start_matches(['=', 'v'])).ok().map(Version::Npm),
            Ecosystem::PyPI => pep440_rs::Version::from_str(text).ok().map(Version::PyPI),
            Ecosystem::Go => semver::Version::parse(text.strip_prefix('v').unwrap_or(text)).ok().map(Version::Go),
            Ecosystem::CratesIo => semver::Version::parse(text).ok().map(Version::Cargo),
            Ecosystem::Maven | Ecosystem::NuGet | Ecosystem::RubyGems | Ecosystem::Packagist => {
                Dotted::parse(text).map(Version::Dotted)
            }
        }
    }

    /// The major version (`8` of `8.5.1`, `1` of PyJWT `1.7.1`).
    pub fn major(&self) -> u64 {
        match self {
            Version::Npm(version) => version.major(),
            Version::PyPI(version) => version.release().first().copied().unwrap_or(0),
            Version::Go(version) | Version::Cargo(version) => version.major,
            Version::Dotted(version) => version.numbers.first().copied().unwrap_or(0),
        }
    }

    /// Compares versions of the same ecosystem (`None` across ecosystems).
    pub fn compare(&self, other: &Version) -> Option<Ordering> {
        match (self, other) {
            (Version::Npm(a), Version::Npm(b)) => Some(a.cmp(b)),
            (Version::PyPI(a), Version::PyPI(b)) => Some(a.cmp(b)),
            (Version::Go(a), Version::Go(b)) | (Version::Cargo(a), Version::Cargo(b)) => Some(a.cmp_precedence(b)),
            (Version::Dotted(a), Version::Dotted(b)) => Some(a.cmp(b)),
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
            Version::Cargo(version) => write!(f, "{version}"),
            Version::Dotted(version) => write!(f, "{}", version.text),
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
        Ecosystem::CratesIo => {
            // Every comparator must hold: the highest lower bound is the lowest admitted version.
            let requirement = semver::VersionReq::parse(range).ok()?;
            requirement
                .comparators
                .iter()
                .filter(|comparator| {
                    use semver::Op::*;
                    matches!(comparator.op, Exact | GreaterEq | Tilde | Caret | Wildcard)
                })
                .map(|comparator| {
                    semver::Version::new(comparator.major, comparator.minor.unwrap_or(0), comparator.patch.unwrap_or(0))
                })
                .max()
                .map(Version::Cargo)
        }
        Ecosystem::Maven | Ecosystem::NuGet => {
            // `[1.0,2.0)`: the lower bound when inclusive; a bare version is that version (Maven's
            // soft requirement, NuGet's minimum, both what a build without conflicts resolves).
            match range.strip_prefix('[') {
                Some(interval) => Version::parse(ecosystem, interval.split([',', ']']).next()?),
                None if range.starts_with('(') => None,
                None => Version::parse(ecosystem, range),
            }
        }
        Ecosystem::RubyGems | Ecosystem::Packagist => {
            // Composer: `^5.0 || ^6.0`, `>=5.2 <6`, `6.*`; RubyGems: `~> 2.7, >= 2.7.1`.
            range
                .split("||")
                .flat_map(|alternative| alternative.split('|'))
                .filter_map(|alternative| {
                    // `>= 2.7` is one comparator: an operator written apart joins the next word.
                    let mut parts: Vec<String> = Vec::new();
                    for word in alternative.split([',', ' ']).map(str::trim).filter(|word| !word.is_empty()) {
                        match parts.last_mut() {
                            Some(last) if last.chars().all(|ch| "<>=~^!".contains(ch)) => last.push_str(word),
                            _ => parts.push(word.to_string()),
                        }
                    }
                    parts
                        .iter()
                        .map(String::as_str)
                        .filter_map(|part| {
                            let bare = part
                                .strip_prefix("~>")
                                .or_else(|| part.strip_prefix(">="))
                                .or_else(|| part.strip_prefix("=="))
                                .or_else(|| part.strip_prefix(['^', '~', '=']))
                                .unwrap_or(part)
                                .trim();
                            if part.starts_with(['<', '>', '!']) && !part.starts_with(">=") {
                                return None;
                            }
                            Version::parse(ecosystem, bare.trim_end_matches(".*").trim_end_matches(".x"))
                        })
                        .max_by(|a, b| a.compare(b).unwrap_or(Ordering::Equal))
                })
                .min_by(|a, b| a.compare(b).unwrap_or(Ordering::Equal))
        }
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
    fn lowest_versions_of_cargo_maven_nuget_rubygems_and_composer_ranges() {
        assert_eq!(lowest(Ecosystem::CratesIo, "9").as_deref(), Some("9.0.0"));
        assert_eq!(lowest(Ecosystem::CratesIo, "^8.3.0").as_deref(), Some("8.3.0"));
        assert_eq!(lowest(Ecosystem::CratesIo, ">=7.1, <9").as_deref(), Some("7.1.0"));
        assert_eq!(lowest(Ecosystem::CratesIo, "=9.2.0").as_deref(), Some("9.2.0"));
        assert_eq!(lowest(Ecosystem::CratesIo, "<9"), None);
        assert_eq!(lowest(Ecosystem::Maven, "0.11.5").as_deref(), Some("0.11.5"));
        assert_eq!(lowest(Ecosystem::Maven, "[9.0,10.0)").as_deref(), Some("9.0"));
        assert_eq!(lowest(Ecosystem::NuGet, "7.0.3").as_deref(), Some("7.0.3"));
        assert_eq!(lowest(Ecosystem::NuGet, "(6.0,)"), None);
        assert_eq!(lowest(Ecosystem::RubyGems, "~> 2.7, >= 2.7.1").as_deref(), Some("2.7.1"));
        assert_eq!(lowest(Ecosystem::RubyGems, "< 3"), None);
        assert_eq!(lowest(Ecosystem::Packagist, "^5.0 || ^6.0").as_deref(), Some("5.0"));
        assert_eq!(lowest(Ecosystem::Packagist, ">=5.2 <6").as_deref(), Some("5.2"));
        assert_eq!(lowest(Ecosystem::Packagist, "6.*").as_deref(), Some("6"));
        assert_eq!(lowest(Ecosystem::Packagist, "dev-main"), None);
    }

    #[test]
    fn dotted_versions_order_releases_numerically_and_qualifiers_before_their_release() {
        let v = |text| Dotted::parse(text).unwrap();
        assert_eq!(v("9.37.3").cmp(&v("9.4")), Ordering::Greater);
        assert_eq!(v("v6.10.0").cmp(&v("6.9.9")), Ordering::Greater);
        assert_eq!(v("1.0").cmp(&v("1.0.0")), Ordering::Equal);
        assert_eq!(v("8.0.0-preview1").cmp(&v("8.0.0")), Ordering::Less);
        assert_eq!(v("2.8.0.beta1").cmp(&v("2.7.9")), Ordering::Greater);
        assert_eq!(v("5.3.1.RELEASE").cmp(&v("5.3.1")), Ordering::Equal);
        for text in ["", "x1", "dev-main", "1.0 beta"] {
            assert!(Dotted::parse(text).is_none(), "{text}");
        }
        let range = Affected::parse(Ecosystem::Packagist, "< 6.0.0").unwrap();
        assert!(range.contains(&Version::parse(Ecosystem::Packagist, "v5.5.1").unwrap()));
        assert!(!range.contains(&Version::parse(Ecosystem::Packagist, "v6.0.0").unwrap()));
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
