//! npm: `package.json`, `package-lock.json` (lockfile v1–v3, and `npm-shrinkwrap.json`),
//! `yarn.lock` (v1 and Berry) and `pnpm-lock.yaml` (v5–v9).

use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

use super::{Ecosystem, Entry, Parsed, find_json_key, line_at, within};

const SECTIONS: &[&str] = &["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"];

fn json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|err| format!("not valid JSON: {err}"))
}

fn is_exact(version: &str) -> bool {
    let version = version.trim().trim_start_matches('=');
    version.chars().next().is_some_and(|ch| ch.is_ascii_digit()) && nodejs_semver::Version::parse(version).is_ok()
}

pub fn package_json(text: &str) -> Result<Parsed, String> {
    let root = json(text)?;
    let mut parsed = Parsed::default();
    for section in SECTIONS {
        let Some(dependencies) = root.get(*section).and_then(Value::as_object) else { continue };
        let Some(section_at) = find_json_key(text, 0, section, b'{') else { continue };
        for (name, range) in dependencies {
            let Some(range) = range.as_str() else { continue };
            let Some(at) = find_json_key(text, section_at, name, b'"') else { continue };
            let line = line_at(text, at);
            let after_key = at + serde_json::to_string(name).map_or(0, |key| key.len());
            let version_range = within(text, &(after_key..line.end), &format!("\"{range}\""))
                .map(|quoted| quoted.start + 1..quoted.end - 1);
            parsed.entries.push(Entry {
                ecosystem: Ecosystem::Npm,
                name: name.clone(),
                declared: Some(range.to_string()),
                exact: is_exact(range).then(|| range.trim().trim_start_matches('=').to_string()),
                line,
                version_range,
                direct: true,
            });
        }
    }
    Ok(parsed)
}

pub fn package_lock(text: &str) -> Result<Parsed, String> {
    let root = json(text)?;
    let mut parsed = Parsed::default();
    // v2 and v3 list every installed folder under `packages`; v1 nests `dependencies`.
    if let Some(packages) = root.get("packages").and_then(Value::as_object) {
        let mut cursor = find_json_key(text, 0, "packages", b'{').unwrap_or(0);
        for (key, package) in packages {
            let Some((folder, name)) = key.rsplit_once("node_modules/") else { continue };
            if package.get("link").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let Some(version) = package.get("version").and_then(Value::as_str) else { continue };
            let Some(at) = find_json_key(text, cursor, key, b'{') else { continue };
            cursor = at;
            parsed.entries.push(Entry::locked(
                Ecosystem::Npm,
                name.to_string(),
                version.to_string(),
                line_at(text, at),
                // `node_modules/x` at the top is what the project's own `require('x')` loads.
                folder.is_empty(),
            ));
        }
    } else if let Some(dependencies) = root.get("dependencies").and_then(Value::as_object) {
        let mut cursor = find_json_key(text, 0, "dependencies", b'{').unwrap_or(0);
        lock_v1(text, dependencies, 0, &mut cursor, &mut parsed.entries);
    }
    Ok(parsed)
}

fn lock_v1(
    text: &str,
    dependencies: &serde_json::Map<String, Value>,
    depth: usize,
    cursor: &mut usize,
    out: &mut Vec<Entry>,
) {
    // Keys appear in document order (serde_json keeps it), so each is found after the previous.
    for (name, package) in dependencies {
        let Some(at) = find_json_key(text, *cursor, name, b'{') else { continue };
        *cursor = at + 1;
        if let Some(version) = package.get("version").and_then(Value::as_str) {
            out.push(Entry::locked(Ecosystem::Npm, name.clone(), version.to_string(), line_at(text, at), depth == 0));
        }
        if let Some(nested) = package.get("dependencies").and_then(Value::as_object) {
            lock_v1(text, nested, depth + 1, cursor, out);
        }
    }
}

/// The package name of a yarn/pnpm specifier (`jsonwebtoken@^8.5.1`, `@scope/x@npm:1.0.0`).
fn spec_name(spec: &str) -> &str {
    let spec = spec.trim().trim_matches(['"', '\'']);
    let search_from = usize::from(spec.starts_with('@'));
    match spec[search_from..].find('@') {
        Some(at) => &spec[..search_from + at],
        None => spec,
    }
}

pub fn yarn_lock(text: &str) -> Result<Parsed, String> {
    if text.contains("\n__metadata:") || text.starts_with("__metadata:") {
        yarn_berry(text)
    } else {
        Ok(yarn_classic(text))
    }
}

/// Yarn 1's own format (not YAML): an unindented header of specifiers ending in `:`, then
/// indented fields, `version "8.5.1"` among them. Line-based, so read line by line.
fn yarn_classic(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut header: Option<(usize, String)> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let start = offset;
        offset += raw.len();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            header = line
                .strip_suffix(':')
                .and_then(|specs| specs.split(',').next())
                .map(|first| (start, spec_name(first).to_string()));
            continue;
        }
        let Some(version) = line.trim().strip_prefix("version ") else { continue };
        let Some((at, name)) = header.take() else { continue };
        parsed.entries.push(Entry {
            ecosystem: Ecosystem::Npm,
            name,
            declared: None,
            exact: Some(version.trim().trim_matches('"').to_string()),
            line: line_at(text, at),
            version_range: None,
            direct: false,
        });
    }
    parsed
}

fn yaml(text: &str) -> Result<Yaml, String> {
    let mut documents = YamlLoader::load_from_str(text).map_err(|err| format!("not valid YAML: {err}"))?;
    if documents.is_empty() { Ok(Yaml::Null) } else { Ok(documents.swap_remove(0)) }
}

/// The offset of the line, at or after `from`, whose first text is `key` (bare or quoted)
/// followed by `:`.
fn yaml_key_line(text: &str, from: usize, key: &str) -> Option<usize> {
    let mut offset = from.min(text.len());
    // Start at a line boundary.
    offset = text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
    for line in text[offset..].split_inclusive('\n') {
        let trimmed = line.trim_start();
        let unquoted = trimmed
            .strip_prefix(['"', '\''])
            .and_then(|rest| rest.strip_prefix(key))
            .and_then(|rest| rest.strip_prefix(['"', '\'']))
            .or_else(|| trimmed.strip_prefix(key));
        if unquoted.is_some_and(|rest| rest.starts_with(':')) {
            return Some(offset + (line.len() - trimmed.len()));
        }
        offset += line.len();
    }
    None
}

fn yarn_berry(text: &str) -> Result<Parsed, String> {
    let root = yaml(text)?;
    let mut parsed = Parsed::default();
    let Some(map) = root.as_hash() else { return Ok(parsed) };
    let mut cursor = 0;
    for (key, value) in map {
        let (Some(key), Some(version)) = (key.as_str(), value["version"].as_str()) else { continue };
        if key == "__metadata" {
            continue;
        }
        let resolution = value["resolution"].as_str().unwrap_or(key);
        // Workspaces and linked folders are the project itself, not an installed version.
        if resolution.contains("@workspace:") || resolution.contains("@link:") || resolution.contains("@portal:") {
            continue;
        }
        let Some(at) = yaml_key_line(text, cursor, key) else { continue };
        cursor = at;
        parsed.entries.push(Entry::locked(
            Ecosystem::Npm,
            spec_name(resolution).to_string(),
            version.to_string(),
            line_at(text, at),
            false,
        ));
    }
    Ok(parsed)
}

/// A pnpm version without its peer-dependency suffix (`8.5.1(react@18.2.0)`, v5's `8.5.1_react@18`).
fn pnpm_version(version: &str) -> &str {
    let end = version.find(['(', '_']).unwrap_or(version.len());
    &version[..end]
}

/// A `packages:` key of pnpm-lock.yaml → name and version: `/jsonwebtoken/8.5.1` (v5),
/// `/jsonwebtoken@8.5.1` (v6), `jsonwebtoken@8.5.1` (v9).
fn pnpm_package_key(key: &str) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    let name = spec_name(key);
    if name.len() < key.len() {
        return Some((name, pnpm_version(&key[name.len() + 1..])));
    }
    // v5: the version is the last path segment.
    let (name, version) = key.rsplit_once('/')?;
    Some((name, pnpm_version(version)))
}

pub fn pnpm_lock(text: &str) -> Result<Parsed, String> {
    let root = yaml(text)?;
    let mut parsed = Parsed::default();
    // Direct dependencies: under each importer (workspaces and v9), or at the top (v5/v6).
    let mut importers: Vec<(usize, &Yaml)> = Vec::new();
    if let Some(map) = root["importers"].as_hash() {
        let importers_at = yaml_key_line(text, 0, "importers").unwrap_or(0);
        for (name, importer) in map {
            let at = name.as_str().and_then(|name| yaml_key_line(text, importers_at, name)).unwrap_or(importers_at);
            importers.push((at, importer));
        }
    } else {
        importers.push((0, &root));
    }
    for (importer_at, importer) in importers {
        for section in ["dependencies", "devDependencies", "optionalDependencies"] {
            let Some(map) = importer[section].as_hash() else { continue };
            let Some(section_at) = yaml_key_line(text, importer_at, section) else { continue };
            for (name, value) in map {
                let Some(name) = name.as_str() else { continue };
                // v6/v9: `{ specifier, version }`; v5: the version itself.
                let version = value["version"].as_str().or_else(|| value.as_str());
                let Some(version) = version.filter(|version| !version.starts_with("link:")) else { continue };
                let Some(at) = yaml_key_line(text, section_at, name) else { continue };
                parsed.entries.push(Entry::locked(
                    Ecosystem::Npm,
                    name.to_string(),
                    pnpm_version(version).to_string(),
                    line_at(text, at),
                    true,
                ));
            }
        }
    }
    if let Some(map) = root["packages"].as_hash() {
        let mut cursor = yaml_key_line(text, 0, "packages").unwrap_or(0);
        for key in map.keys() {
            let Some(key) = key.as_str() else { continue };
            let Some((name, version)) = pnpm_package_key(key) else { continue };
            let Some(at) = yaml_key_line(text, cursor, key) else { continue };
            cursor = at;
            parsed.entries.push(Entry::locked(
                Ecosystem::Npm,
                name.to_string(),
                version.to_string(),
                line_at(text, at),
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
    fn package_json_declares_ranges_on_their_lines() {
        let text = r#"{
  "name": "orders",
  "version": "1.0.0",
  "scripts": { "jsonwebtoken": "node x" },
  "dependencies": {
    "express": "^4.18.2",
    "jsonwebtoken": "^8.5.1"
  },
  "devDependencies": {
    "jose": "4.15.4"
  }
}
"#;
        let parsed = package_json(text).unwrap();
        assert_eq!(
            found(&parsed, text),
            [
                "express ^4.18.2 - @6 direct [^4.18.2]",
                "jsonwebtoken ^8.5.1 - @7 direct [^8.5.1]",
                "jose 4.15.4 4.15.4 @10 direct [4.15.4]"
            ]
        );
        let jose = &parsed.entries[2];
        assert_eq!(&text[jose.version_range.clone().unwrap()], "4.15.4");
    }

    #[test]
    fn package_lock_v3_and_v2_packages() {
        // Trimmed from a real npm 9 lockfile (lockfileVersion 3).
        let text = r#"{
  "name": "orders",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "orders",
      "version": "1.0.0",
      "dependencies": {
        "jsonwebtoken": "^8.5.1"
      }
    },
    "node_modules/jsonwebtoken": {
      "version": "8.5.1",
      "resolved": "https://registry.npmjs.org/jsonwebtoken/-/jsonwebtoken-8.5.1.tgz",
      "integrity": "sha512-XjwVfRS6jTMsqYs0EsuJ4LGxXV14zQybNd4L2r0UvbVnSF9Af8x7p5MzbJ90Ioz/9TI41/hTCvznF/loiSzn8w==",
      "dependencies": {
        "jws": "^3.2.2"
      }
    },
    "node_modules/express-jwt/node_modules/jsonwebtoken": {
      "version": "7.4.3"
    },
    "node_modules/linked": {
      "resolved": "../linked",
      "link": true
    }
  }
}
"#;
        let parsed = package_lock(text).unwrap();
        assert_eq!(found(&parsed, text), ["jsonwebtoken - 8.5.1 @14 direct", "jsonwebtoken - 7.4.3 @22"]);
    }

    #[test]
    fn package_lock_v1_nests_dependencies() {
        let text = r#"{
  "name": "legacy",
  "lockfileVersion": 1,
  "dependencies": {
    "express-jwt": {
      "version": "5.3.1",
      "requires": {
        "jsonwebtoken": "^8.1.0"
      },
      "dependencies": {
        "jsonwebtoken": {
          "version": "8.1.0"
        }
      }
    },
    "jsonwebtoken": {
      "version": "7.4.3"
    }
  }
}
"#;
        let parsed = package_lock(text).unwrap();
        assert_eq!(
            found(&parsed, text),
            ["express-jwt - 5.3.1 @5 direct", "jsonwebtoken - 8.1.0 @11", "jsonwebtoken - 7.4.3 @16 direct"]
        );
    }

    #[test]
    fn yarn_classic_lockfile() {
        // Yarn 1 shape: several specifiers share one entry; scoped names keep their `@`.
        let text = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@nestjs/jwt@^10.0.0":
  version "10.2.0"
  resolved "https://registry.yarnpkg.com/@nestjs/jwt/-/jwt-10.2.0.tgz#abc"
  dependencies:
    jsonwebtoken "9.0.2"

jsonwebtoken@9.0.2, jsonwebtoken@^9.0.0:
  version "9.0.2"
  resolved "https://registry.yarnpkg.com/jsonwebtoken/-/jsonwebtoken-9.0.2.tgz#65ff91f4abef1784697d40952bb1998c504caaf3"
"#;
        let parsed = yarn_lock(text).unwrap();
        assert_eq!(found(&parsed, text), ["@nestjs/jwt - 10.2.0 @5", "jsonwebtoken - 9.0.2 @11"]);
    }

    #[test]
    fn yarn_berry_lockfile() {
        let text = r#"# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 8
  cacheKey: 10c0

"jose@npm:^4.10.0":
  version: 4.14.6
  resolution: "jose@npm:4.14.6"
  checksum: 10c0/abc
  languageName: node
  linkType: hard

"orders@workspace:.":
  version: 0.0.0-use.local
  resolution: "orders@workspace:."
  languageName: unknown
  linkType: soft
"#;
        let parsed = yarn_lock(text).unwrap();
        assert_eq!(found(&parsed, text), ["jose - 4.14.6 @8"]);
    }

    #[test]
    fn pnpm_lockfiles_v5_v6_v9() {
        let v9 = r#"lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      jsonwebtoken:
        specifier: ^8.5.1
        version: 8.5.1

packages:

  jsonwebtoken@8.5.1:
    resolution: {integrity: sha512-XjwVfRS6jTMsqYs0EsuJ4LGxXV14zQybNd4L2r0UvbVnSF9Af8x7p5MzbJ90Ioz/9TI41/hTCvznF/loiSzn8w==}
    engines: {node: '>=4', npm: '>=1.4.28'}

snapshots:

  jsonwebtoken@8.5.1:
    dependencies:
      jws: 3.2.2
"#;
        let parsed = pnpm_lock(v9).unwrap();
        assert_eq!(found(&parsed, v9), ["jsonwebtoken - 8.5.1 @11 direct", "jsonwebtoken - 8.5.1 @17"]);
        let v6 = r#"lockfileVersion: '6.0'

dependencies:
  jose:
    specifier: ^4.0.0
    version: 4.15.4(encoding@0.1.13)

packages:

  /jose@4.15.4(encoding@0.1.13):
    resolution: {integrity: sha512-abc}
    dev: false
"#;
        let parsed = pnpm_lock(v6).unwrap();
        assert_eq!(found(&parsed, v6), ["jose - 4.15.4 @4 direct", "jose - 4.15.4 @10"]);
        let v5 = r#"lockfileVersion: 5.4

specifiers:
  jsonwebtoken: ^8.5.1

dependencies:
  jsonwebtoken: 8.5.1

packages:

  /jsonwebtoken/8.5.1:
    resolution: {integrity: sha512-abc}
    dev: false
"#;
        let parsed = pnpm_lock(v5).unwrap();
        assert_eq!(found(&parsed, v5), ["jsonwebtoken - 8.5.1 @7 direct", "jsonwebtoken - 8.5.1 @11"]);
    }
}
