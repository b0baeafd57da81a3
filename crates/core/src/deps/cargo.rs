//! crates.io: `Cargo.toml` (`[dependencies]`, `[dev-dependencies]`, `[build-dependencies]`,
//! `[workspace.dependencies]` and their `[target.….*]` forms; `package = "…"` renames) and
//! `Cargo.lock` (`[[package]]`; the direct ones are those the workspace's own packages, which
//! have no `source`, depend on).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Ecosystem, Entry, Parsed, line_at, within};

type Table = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct Dependencies {
    #[serde(default)]
    dependencies: Table,
    #[serde(default)]
    dev_dependencies: Table,
    #[serde(default)]
    build_dependencies: Table,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Manifest {
    #[serde(default)]
    dependencies: Table,
    #[serde(default)]
    dev_dependencies: Table,
    #[serde(default)]
    build_dependencies: Table,
    #[serde(default)]
    target: BTreeMap<String, Dependencies>,
    workspace: Option<Workspace>,
}

#[derive(Deserialize)]
struct Workspace {
    #[serde(default)]
    dependencies: Table,
}

pub fn cargo_toml(text: &str) -> Result<Parsed, String> {
    let manifest: Manifest = toml::from_str(text).map_err(|err| err.message().to_string())?;
    let mut parsed = Parsed::default();
    let tables = [&manifest.dependencies, &manifest.dev_dependencies, &manifest.build_dependencies]
        .into_iter()
        .chain(
            manifest
                .target
                .values()
                .flat_map(|set| [&set.dependencies, &set.dev_dependencies, &set.build_dependencies]),
        )
        .chain(manifest.workspace.as_ref().map(|workspace| &workspace.dependencies));
    for table in tables {
        for (key, value) in table {
            // `jwt = "9"`, `jwt = { version = "9", features = [...] }`, `jwt = { package = "jsonwebtoken", ... }`.
            let (requirement, name) = match value.get_ref() {
                toml::Value::String(requirement) => (Some(requirement.as_str()), key.get_ref().as_str()),
                toml::Value::Table(table) => (
                    table.get("version").and_then(toml::Value::as_str),
                    table.get("package").and_then(toml::Value::as_str).unwrap_or(key.get_ref()),
                ),
                _ => continue,
            };
            let Some(requirement) = requirement else { continue }; // path or git only
            let exact = requirement.trim().strip_prefix('=').map(|version| version.trim().to_string());
            let line = line_at(text, key.span().start);
            let version_range = exact.as_deref().and_then(|version| within(text, &value.span(), version));
            let declared = Some(requirement.to_string());
            parsed.entries.push(Entry::declared(Ecosystem::CratesIo, name, declared, exact, line, version_range));
        }
    }
    Ok(parsed)
}

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<LockedPackage>,
}

#[derive(Deserialize)]
struct LockedPackage {
    name: Spanned<String>,
    version: String,
    source: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

pub fn cargo_lock(text: &str) -> Result<Parsed, String> {
    let lock: Lock = toml::from_str(text).map_err(|err| err.message().to_string())?;
    // `"jsonwebtoken"` or `"jsonwebtoken 9.3.0"` (when two versions are locked).
    let direct: Vec<&str> = lock
        .package
        .iter()
        .filter(|package| package.source.is_none())
        .flat_map(|package| package.dependencies.iter().map(|dependency| dependency.split(' ').next().unwrap_or("")))
        .collect();
    let mut parsed = Parsed::default();
    for package in lock.package.iter().filter(|package| package.source.is_some()) {
        let name = package.name.get_ref();
        let line = line_at(text, package.name.span().start);
        parsed.entries.push(Entry::locked(
            Ecosystem::CratesIo,
            name,
            &package.version,
            line,
            direct.contains(&name.as_str()),
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::super::{describe_entries, parse};

    #[test]
    fn cargo_manifest_and_lockfile() {
        let manifest = "[package]\nname = \"api\"\n\n[dependencies]\njsonwebtoken = \"=8.3.0\"\nserde = { version = \"1\", features = [\"derive\"] }\njwt = { package = \"jwt-simple\", version = \"0.12\" }\nlocal = { path = \"../local\" }\n\n[target.'cfg(unix)'.dev-dependencies]\nlibc = \"0.2\"\n";
        let parsed = parse("Cargo.toml", manifest).unwrap();
        let mut described = describe_entries(&parsed, manifest);
        described.sort();
        assert_eq!(
            described,
            [
                "jsonwebtoken =8.3.0 8.3.0 @5 direct [8.3.0]",
                "jwt-simple 0.12 - @7 direct",
                "libc 0.2 - @11 direct",
                "serde 1 - @6 direct"
            ]
        );
        let lock = "version = 4\n\n[[package]]\nname = \"api\"\nversion = \"0.1.0\"\ndependencies = [\n \"jsonwebtoken\",\n]\n\n[[package]]\nname = \"jsonwebtoken\"\nversion = \"8.3.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\ndependencies = [\n \"ring\",\n]\n\n[[package]]\nname = \"ring\"\nversion = \"0.16.20\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
        let parsed = parse("Cargo.lock", lock).unwrap();
        assert_eq!(describe_entries(&parsed, lock), ["jsonwebtoken - 8.3.0 @11 direct", "ring - 0.16.20 @19"]);
    }
}
