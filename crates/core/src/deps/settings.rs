//! .NET configuration files (`appsettings.json`, `appsettings.{Environment}.json`): the values
//! code reads by key (`Configuration["Jwt:Key"]`), flattened to those keys. .NET compares keys
//! case-insensitively and its JSON provider accepts comments and trailing commas, so both are
//! allowed here. A key's value found in one of these files is a literal in the repository.

use serde_json::Value;

/// One parsed settings file of a service. Its values can be secrets: `Debug` prints the keys'
/// count only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SettingsFile {
    /// The path the analysis knows the file by.
    pub path: String,
    /// `(lower-cased key, value)`: `jwt:key` → the string, numbers and booleans as written.
    values: Vec<(String, String)>,
}

impl std::fmt::Debug for SettingsFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SettingsFile({}, {} values)", self.path, self.values.len())
    }
}

impl SettingsFile {
    /// The file's name for messages (`appsettings.json`).
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        let key = key.to_ascii_lowercase();
        self.values.iter().find(|(name, _)| *name == key).map(|(_, value)| value.as_str())
    }
}

/// Whether `file_name` is a settings file read for its values.
pub fn is_settings_file(file_name: &str) -> bool {
    file_name.eq_ignore_ascii_case("appsettings.json")
        || (file_name.starts_with("appsettings.") && file_name.ends_with(".json"))
}

/// The values of `text`; `None` when it is not a JSON object.
pub fn parse(path: &str, text: &str) -> Option<SettingsFile> {
    let value: Value = serde_json::from_str(&without_comments(text)).ok()?;
    let Value::Object(root) = value else { return None };
    let mut values = Vec::new();
    let mut stack: Vec<(String, &Value)> = root.iter().map(|(key, value)| (key.to_ascii_lowercase(), value)).collect();
    while let Some((key, value)) = stack.pop() {
        match value {
            Value::Object(map) => {
                stack.extend(map.iter().map(|(name, value)| (format!("{key}:{}", name.to_ascii_lowercase()), value)))
            }
            Value::Array(items) => {
                stack.extend(items.iter().enumerate().map(|(index, value)| (format!("{key}:{index}"), value)))
            }
            Value::String(text) => values.push((key, text.clone())),
            Value::Number(number) => values.push((key, number.to_string())),
            Value::Bool(flag) => values.push((key, flag.to_string())),
            Value::Null => {}
        }
    }
    Some(SettingsFile { path: path.to_string(), values })
}

/// `text` with `//` and `/* */` comments blanked and trailing commas before `}`/`]` removed,
/// outside strings; offsets are not kept (only values are read).
fn without_comments(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    let mut in_string = false;
    while index < bytes.len() {
        let byte = bytes[index];
        if in_string {
            let ch = text[index..].chars().next().unwrap_or(' ');
            out.push(ch);
            if byte == b'\\' {
                if let Some(next) = text[index + 1..].chars().next() {
                    out.push(next);
                    index += next.len_utf8();
                }
            } else if byte == b'"' {
                in_string = false;
            }
            index += ch.len_utf8();
            continue;
        }
        match (byte, bytes.get(index + 1)) {
            (b'"', _) => {
                in_string = true;
                out.push('"');
                index += 1;
            }
            (b'/', Some(b'/')) => {
                index = text[index..].find('\n').map_or(bytes.len(), |end| index + end);
            }
            (b'/', Some(b'*')) => {
                index = text[index + 2..].find("*/").map_or(bytes.len(), |end| index + 2 + end + 2);
            }
            (b',', _) if text[index + 1..].trim_start().starts_with(['}', ']']) => index += 1,
            _ => {
                let ch = text[index..].chars().next().unwrap_or(' ');
                out.push(ch);
                index += ch.len_utf8();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_flattened_and_compared_without_case() {
        let text = r#"{
  // .NET allows comments
  "Logging": { "LogLevel": { "Default": "Information" } },
  "Jwt": {
    "Key": "a-long-key-committed-to-the-repository", /* and this */
    "Issuer": "https://id.example.com",
    "Audiences": ["api", "admin",],
    "LifetimeMinutes": 30,
  },
  "Url": "http://example.com/a//b"
}"#;
        let file = parse("svc/appsettings.json", text).expect("parses");
        assert_eq!(file.get("Jwt:Key"), Some("a-long-key-committed-to-the-repository"));
        assert_eq!(file.get("JWT:KEY"), Some("a-long-key-committed-to-the-repository"));
        assert_eq!(file.get("jwt:audiences:1"), Some("admin"));
        assert_eq!(file.get("Jwt:LifetimeMinutes"), Some("30"));
        assert_eq!(file.get("Url"), Some("http://example.com/a//b"));
        assert_eq!(file.get("Jwt"), None);
        assert_eq!(file.name(), "appsettings.json");
        assert!(!format!("{file:?}").contains("committed"), "Debug prints a value: {file:?}");
        assert!(parse("appsettings.json", "[1, 2]").is_none());
        assert!(parse("appsettings.json", "{ \"a\": ").is_none());
    }

    #[test]
    fn settings_files_by_name() {
        for name in ["appsettings.json", "appsettings.Development.json", "AppSettings.json"] {
            assert!(is_settings_file(name), "{name}");
        }
        for name in ["settings.json", "appsettings.yaml", "package.json"] {
            assert!(!is_settings_file(name), "{name}");
        }
    }
}
