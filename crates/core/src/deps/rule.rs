//! `vulnerable-jwt-library`: a dependency line whose resolved version an advisory affects, and
//! the hover on dependency lines.

use std::collections::HashSet;

use super::{Advisory, Dependencies, DependencyFile, Ecosystem, Entry, FileKind, Resolved, Source, Version};
use crate::finding::{Finding, Fix, Severity, TextEdit};
use crate::rules::Rule;

/// JWT libraries by package name, beyond those the advisories name: a hover on their line says
/// "no known JWT advisories" rather than nothing.
const JWT_PACKAGES: &[(Ecosystem, &str)] = &[
    (Ecosystem::Npm, "jsonwebtoken"),
    (Ecosystem::Npm, "jose"),
    (Ecosystem::Npm, "express-jwt"),
    (Ecosystem::Npm, "koa-jwt"),
    (Ecosystem::Npm, "passport-jwt"),
    (Ecosystem::Npm, "@nestjs/jwt"),
    (Ecosystem::Npm, "@fastify/jwt"),
    (Ecosystem::Npm, "fastify-jwt"),
    (Ecosystem::Npm, "jwt-simple"),
    (Ecosystem::Npm, "jws"),
    (Ecosystem::Npm, "node-jose"),
    (Ecosystem::PyPI, "pyjwt"),
    (Ecosystem::PyPI, "python-jose"),
    (Ecosystem::PyPI, "authlib"),
    (Ecosystem::PyPI, "jwcrypto"),
    (Ecosystem::PyPI, "flask-jwt-extended"),
    (Ecosystem::PyPI, "djangorestframework-simplejwt"),
    (Ecosystem::Go, "github.com/golang-jwt/jwt"),
    (Ecosystem::Go, "github.com/golang-jwt/jwt/v4"),
    (Ecosystem::Go, "github.com/golang-jwt/jwt/v5"),
    (Ecosystem::Go, "github.com/dgrijalva/jwt-go"),
    (Ecosystem::Go, "github.com/lestrrat-go/jwx"),
    (Ecosystem::Go, "github.com/lestrrat-go/jwx/v2"),
    (Ecosystem::Go, "github.com/lestrrat-go/jwx/v3"),
    (Ecosystem::Go, "github.com/go-jose/go-jose/v3"),
    (Ecosystem::Go, "github.com/go-jose/go-jose/v4"),
    (Ecosystem::Go, "gopkg.in/go-jose/go-jose.v2"),
    (Ecosystem::Go, "gopkg.in/square/go-jose.v2"),
];

fn is_jwt_library(dependencies: &Dependencies, ecosystem: Ecosystem, name: &str) -> bool {
    let normalized = ecosystem.normalize(name);
    JWT_PACKAGES.iter().any(|(known, package)| *known == ecosystem && *package == normalized)
        || dependencies.advisories.concerns(ecosystem, name)
}

/// The version an entry of `file` stands for: a manifest line stands for what the service
/// resolves; a lockfile entry for its own version.
fn resolved_for(dependencies: &Dependencies, file: &DependencyFile, entry: &Entry) -> Option<Resolved> {
    if file.parsed.kind == Some(FileKind::Lockfile) {
        return Some(Resolved {
            ecosystem: entry.ecosystem,
            name: entry.name.clone(),
            version: Version::parse(entry.ecosystem, entry.exact.as_deref()?)?,
            source: Source::Locked { file: file.name().to_string() },
        });
    }
    dependencies.resolve(entry.ecosystem, &entry.name)
}

/// The findings on the dependency file at `path` (which `dependencies` must hold, with the
/// document's current text: `Dependencies::with_document`).
pub fn findings(path: &str, dependencies: &Dependencies) -> Vec<Finding> {
    let Some(file) = dependencies.files.iter().find(|file| file.path == path) else { return Vec::new() };
    let mut out = Vec::new();
    let mut reported: HashSet<(Ecosystem, String, String)> = HashSet::new();
    for entry in &file.parsed.entries {
        if !dependencies.advisories.concerns(entry.ecosystem, &entry.name) {
            continue;
        }
        // A lockfile entry is reported only for a transitive dependency: a declared one is
        // reported on the manifest line that declares it.
        if file.parsed.kind == Some(FileKind::Lockfile) && dependencies.declares(entry.ecosystem, &entry.name) {
            continue;
        }
        let Some(resolved) = resolved_for(dependencies, file, entry) else { continue };
        let advisories = dependencies.advisories.affecting(entry.ecosystem, &entry.name, &resolved.version);
        if advisories.is_empty()
            || !reported.insert((entry.ecosystem, entry.ecosystem.normalize(&entry.name), resolved.version.to_string()))
        {
            continue;
        }
        out.push(finding(file, entry, &resolved, &advisories));
    }
    out
}

/// The first version that every one of `advisories` says is fixed, if each names one.
fn first_fixed_for_all(advisories: &[&Advisory]) -> Option<Version> {
    let mut fixed: Option<Version> = None;
    for advisory in advisories {
        let version = advisory.fixed.clone()?;
        if fixed.as_ref().is_none_or(|current| version.compare(current) == Some(std::cmp::Ordering::Greater)) {
            fixed = Some(version);
        }
    }
    fixed
}

fn finding(file: &DependencyFile, entry: &Entry, resolved: &Resolved, advisories: &[&Advisory]) -> Finding {
    let listed: Vec<String> =
        advisories.iter().map(|advisory| format!("{}: {}", advisory.name(), advisory.allows)).collect();
    let fixed = first_fixed_for_all(advisories);
    let remedy = match &fixed {
        Some(version) => format!("First fixed version: {}.", bare(version)),
        None => {
            let unfixed: Vec<&str> = advisories
                .iter()
                .filter(|advisory| advisory.fixed.is_none())
                .map(|advisory| advisory.id.as_str())
                .collect();
            format!("No fixed version of {} exists for {}: replace the library.", entry.name, unfixed.join(", "))
        }
    };
    let message = format!(
        "{} {} is affected by {} known JWT advisor{}: {}. {remedy}",
        entry.name,
        resolved.describe_version(),
        advisories.len(),
        if advisories.len() == 1 { "y" } else { "ies" },
        listed.join("; "),
    );
    let severity = advisories.iter().map(|advisory| advisory.class.severity()).max().unwrap_or(Severity::Warning);
    let mut finding = Finding::new(Rule::VulnerableJwtLibrary, entry.line.clone(), message).with_severity(severity);
    // A pinned manifest version can be bumped in place; ranges and lockfiles are the package
    // manager's to rewrite.
    if file.parsed.kind == Some(FileKind::Manifest)
        && entry.exact.is_some()
        && let (Some(range), Some(fixed)) = (&entry.version_range, &fixed)
    {
        let new_text = match entry.ecosystem {
            Ecosystem::Go => format!("v{}", bare(fixed)),
            _ => bare(fixed),
        };
        finding = finding.with_fix(Fix {
            title: format!("Upgrade {} to {new_text}", entry.name),
            edits: vec![TextEdit { range: range.clone(), new_text }],
            // Changes a dependency: offered, never applied by `check --fix`.
            preferred: false,
        });
    }
    finding
}

/// A version as manifests write it (Go's without its `v`, which the caller adds back).
fn bare(version: &Version) -> String {
    let text = version.to_string();
    text.strip_prefix('v').map(str::to_string).unwrap_or(text)
}

/// Hover Markdown for the dependency line at `offset` of the file at `path`: the resolved
/// version and its JWT advisories, or "no known JWT advisories". `None` off dependency lines
/// and for packages that are not JWT libraries.
pub fn hover(path: &str, dependencies: &Dependencies, offset: usize) -> Option<String> {
    let file = dependencies.files.iter().find(|file| file.path == path)?;
    let entry = file.parsed.entries.iter().find(|entry| entry.line.start <= offset && offset <= entry.line.end)?;
    if !is_jwt_library(dependencies, entry.ecosystem, &entry.name) {
        return None;
    }
    let Some(resolved) = resolved_for(dependencies, file, entry) else {
        return Some(format!(
            "**{}** ({}): version unknown (`{}` names no version jwt-lsp can resolve).",
            entry.name,
            entry.ecosystem.name(),
            entry.declared.as_deref().unwrap_or("")
        ));
    };
    let advisories = dependencies.advisories.affecting(entry.ecosystem, &entry.name, &resolved.version);
    let mut out = format!("**{}** {}\n\n", entry.name, resolved.describe_version());
    if advisories.is_empty() {
        out.push_str("No known JWT advisories for this version.");
        return Some(out);
    }
    for advisory in &advisories {
        let fixed =
            advisory.fixed.as_ref().map_or("no fixed version".to_string(), |fixed| format!("fixed in {}", bare(fixed)));
        out.push_str(&format!("- [{}]({}): {} ({fixed})\n", advisory.name(), advisory.source, advisory.allows));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::deps::Advisories;

    const ADVISORIES: &str = r#"
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

[[advisory]]
id = "GHSA-mh63-6h87-95cp"
ecosystem = "Go"
package = "github.com/golang-jwt/jwt/v4"
affected = ["< 4.5.2"]
fixed = "4.5.2"
allows = "unbounded allocation"
class = "denial-of-service"
source = "https://github.com/advisories/GHSA-mh63-6h87-95cp"
"#;

    fn service(files: &[(&str, &str)]) -> Dependencies {
        crate::deps::service_of_texts(files, Arc::new(Advisories::parse(ADVISORIES).unwrap()))
    }

    #[test]
    fn a_manifest_line_reports_the_locked_version_and_its_advisories() {
        let manifest = "{\n  \"dependencies\": {\n    \"jsonwebtoken\": \"^8.0.0\"\n  }\n}\n";
        let lock = r#"{ "lockfileVersion": 3, "packages": { "node_modules/jsonwebtoken": { "version": "8.5.1" } } }"#;
        let deps = service(&[("svc/package.json", manifest), ("svc/package-lock.json", lock)]);
        let found = findings("svc/package.json", &deps);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Error);
        assert_eq!(&manifest[found[0].range.clone()], "    \"jsonwebtoken\": \"^8.0.0\"");
        assert_eq!(
            found[0].message,
            "jsonwebtoken 8.5.1 from package-lock.json is affected by 1 known JWT advisory: GHSA-qwph-4952-7xr6 (CVE-2022-23540): unsigned tokens verify. First fixed version: 9.0.0."
        );
        // A range is not pinned: no quick fix; the lockfile entry is not reported twice.
        assert!(found[0].fixes.is_empty());
        assert!(findings("svc/package-lock.json", &deps).is_empty());
    }

    #[test]
    fn a_pinned_go_module_gets_a_bump_and_a_fixed_one_is_silent() {
        let text = "module x\n\nrequire github.com/golang-jwt/jwt/v4 v4.4.2\n";
        let deps = service(&[("go.mod", text)]);
        let found = findings("go.mod", &deps);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Warning);
        let fix = &found[0].fixes[0];
        assert_eq!(fix.title, "Upgrade github.com/golang-jwt/jwt/v4 to v4.5.2");
        assert_eq!(&text[fix.edits[0].range.clone()], "v4.4.2");
        assert_eq!(fix.edits[0].new_text, "v4.5.2");
        let fixed = service(&[("go.mod", "module x\n\nrequire github.com/golang-jwt/jwt/v4 v4.5.2\n")]);
        assert!(findings("go.mod", &fixed).is_empty());
    }

    #[test]
    fn a_transitive_dependency_is_reported_on_its_lockfile_entry() {
        let manifest = r#"{ "dependencies": { "express-jwt": "^5.3.1" } }"#;
        let lock = "{\n \"lockfileVersion\": 3,\n \"packages\": {\n  \"node_modules/express-jwt\": { \"version\": \"5.3.1\" },\n  \"node_modules/jsonwebtoken\": { \"version\": \"8.5.1\" }\n }\n}\n";
        let deps = service(&[("package.json", manifest), ("package-lock.json", lock)]);
        let found = findings("package-lock.json", &deps);
        assert_eq!(found.len(), 1);
        assert!(lock[found[0].range.clone()].contains("node_modules/jsonwebtoken"));
    }

    #[test]
    fn hovers_name_the_version_and_its_advisories() {
        let text = "PyJWT==2.8.0\nrequests==2.0\n";
        let deps = service(&[("requirements.txt", text)]);
        let hover = hover("requirements.txt", &deps, 3).unwrap();
        assert!(hover.contains("2.8.0 pinned in requirements.txt"), "{hover}");
        assert!(hover.contains("No known JWT advisories"), "{hover}");
        assert!(super::hover("requirements.txt", &deps, 15).is_none());
        let manifest = "{ \"dependencies\": { \"jsonwebtoken\": \"8.5.1\" } }";
        let deps = service(&[("package.json", manifest)]);
        let hover = super::hover("package.json", &deps, 5).unwrap();
        assert!(
            hover.contains("[GHSA-qwph-4952-7xr6 (CVE-2022-23540)](https://github.com/advisories/GHSA-qwph-4952-7xr6)"),
            "{hover}"
        );
        assert!(hover.contains("fixed in 9.0.0"), "{hover}");
    }
}
