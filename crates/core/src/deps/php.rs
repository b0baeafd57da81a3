//! Packagist: `composer.json` (`require`, `require-dev`) and `composer.lock` (`packages`,
//! `packages-dev`). Both are JSON; lines are found by the package's quoted name.

use serde_json::Value;

use super::{Ecosystem, Entry, Parsed, find_json_key, line_at, within};

pub fn composer_json(text: &str) -> Result<Parsed, String> {
    let value: Value = serde_json::from_str(text).map_err(|err| format!("not valid JSON: {err}"))?;
    let mut parsed = Parsed::default();
    for section in ["require", "require-dev"] {
        let Some(requirements) = value.get(section).and_then(Value::as_object) else { continue };
        let section_at = find_json_key(text, 0, section, b'{').unwrap_or(0);
        for (name, constraint) in requirements {
            // The platform (`php`, `ext-openssl`) is not a package; a package is `vendor/name`.
            let is_package =
                name.split_once('/').is_some_and(|(vendor, package)| !vendor.is_empty() && !package.is_empty());
            let (Some(constraint), true) = (constraint.as_str(), is_package) else { continue };
            let Some(at) = find_json_key(text, section_at, name, b'"') else { continue };
            let line = line_at(text, at);
            let bare = constraint.trim().trim_start_matches('v');
            let exact = bare.starts_with(|ch: char| ch.is_ascii_digit())
                && bare.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '.' || ch == '-');
            let version_range = if exact { within(text, &line, bare) } else { None };
            let (declared, exact) = (Some(constraint.to_string()), exact.then(|| bare.to_string()));
            parsed.entries.push(Entry::declared(Ecosystem::Packagist, name, declared, exact, line, version_range));
        }
    }
    Ok(parsed)
}

pub fn composer_lock(text: &str) -> Result<Parsed, String> {
    let value: Value = serde_json::from_str(text).map_err(|err| format!("not valid JSON: {err}"))?;
    let mut parsed = Parsed::default();
    let mut from = 0;
    for section in ["packages", "packages-dev"] {
        for package in value.get(section).and_then(Value::as_array).into_iter().flatten() {
            let (Some(name), Some(version)) =
                (package.get("name").and_then(Value::as_str), package.get("version").and_then(Value::as_str))
            else {
                continue;
            };
            // Packages are listed in file order: search on from the previous one.
            let at = find_json_key_value(text, from, "name", name).unwrap_or(from);
            from = at;
            parsed.entries.push(Entry::locked(
                Ecosystem::Packagist,
                name,
                version.trim_start_matches('v'),
                line_at(text, at),
                false,
            ));
        }
    }
    Ok(parsed)
}

/// The offset of `"key": "value"` at or after `from`.
fn find_json_key_value(text: &str, from: usize, key: &str, value: &str) -> Option<usize> {
    let quoted = serde_json::to_string(value).ok()?;
    let mut at = from;
    while let Some(start) = find_json_key(text, at, key, b'"') {
        let rest = text[start..].split_once(':')?.1.trim_start();
        if rest.starts_with(&quoted) {
            return Some(start);
        }
        at = start + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::{describe_entries, parse};

    #[test]
    fn composer_manifest_and_lockfile() {
        let manifest = r#"{
    "require": {
        "php": "^8.1",
        "firebase/php-jwt": "5.5.1",
        "lcobucci/jwt": "^4.0 || ^5.0"
    },
    "require-dev": { "phpunit/phpunit": "^10" }
}"#;
        let parsed = parse("composer.json", manifest).unwrap();
        assert_eq!(
            describe_entries(&parsed, manifest),
            [
                "firebase/php-jwt 5.5.1 5.5.1 @4 direct [5.5.1]",
                "lcobucci/jwt ^4.0 || ^5.0 - @5 direct",
                "phpunit/phpunit ^10 - @7 direct"
            ]
        );
        let lock = r#"{
    "packages": [
        {
            "name": "firebase/php-jwt",
            "version": "v5.5.1",
            "source": { "type": "git" }
        }
    ],
    "packages-dev": [
        { "name": "phpunit/phpunit", "version": "10.5.0" }
    ]
}"#;
        let parsed = parse("composer.lock", lock).unwrap();
        assert_eq!(describe_entries(&parsed, lock), ["firebase/php-jwt - 5.5.1 @4", "phpunit/phpunit - 10.5.0 @10"]);
        assert!(parse("composer.lock", "{").unwrap().problem.is_some());
    }
}
