//! Go: `go.mod`. Its grammar is line-based (`require path version`, or a `require ( … )` block,
//! `// indirect` comments), and no maintained Rust crate parses it, so it is read here, line by
//! line. `replace` directives that pin another version of a module win over its `require`.

use super::{Ecosystem, Entry, Parsed};

pub fn go_mod(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut block: Option<&str> = None;
    let mut replaced: Vec<(String, String)> = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let line_range = start..start + line.len();
        let (code, comment) = match line.find("//") {
            Some(at) => (&line[..at], &line[at + 2..]),
            None => (line, ""),
        };
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let directive_and_rest = if let Some(current) = block {
            if code == ")" {
                block = None;
                continue;
            }
            (current, code)
        } else {
            let (directive, rest) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
            let rest = rest.trim();
            if rest == "(" {
                block = Some(match directive {
                    "require" => "require",
                    "replace" => "replace",
                    _ => "other",
                });
                continue;
            }
            (directive, rest)
        };
        match directive_and_rest {
            ("require", rest) => {
                let mut words = rest.split_whitespace();
                let (Some(path), Some(version)) = (words.next(), words.next()) else { continue };
                let path = path.trim_matches('"');
                // The version after the module path (a path may contain the same text).
                let after_path = line.find(path).map_or(0, |at| at + path.len());
                let version_start = line[after_path..].find(version).map(|at| start + after_path + at);
                parsed.entries.push(Entry {
                    ecosystem: Ecosystem::Go,
                    name: path.to_string(),
                    declared: Some(version.to_string()),
                    exact: Some(version.to_string()),
                    line: line_range,
                    version_range: version_start.map(|at| at..at + version.len()),
                    direct: !comment.trim_start().starts_with("indirect"),
                });
            }
            ("replace", rest) => {
                // `old [v] => new v`: only a module replaced by a version (not a folder) counts.
                let Some((old, new)) = rest.split_once("=>") else { continue };
                let old = old.split_whitespace().next().unwrap_or("").trim_matches('"');
                let mut new = new.split_whitespace();
                if let (Some(_), Some(version)) = (new.next(), new.next()) {
                    replaced.push((old.to_string(), version.to_string()));
                }
            }
            _ => {}
        }
    }
    for (module, version) in replaced {
        for entry in parsed.entries.iter_mut().filter(|entry| entry.name == module) {
            entry.exact = Some(version.clone());
        }
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_single_and_in_blocks_with_indirect_and_replace() {
        // Shape of a real go.mod (go 1.21 toolchain lines, a require block, an indirect one).
        let text = "module example.com/billing\n\ngo 1.21\n\ntoolchain go1.21.5\n\nrequire github.com/lestrrat-go/jwx/v2 v2.0.11\n\nrequire (\n\tgithub.com/golang-jwt/jwt/v4 v4.4.2\n\tgithub.com/go-jose/go-jose/v3 v3.0.0 // indirect\n\tgolang.org/x/crypto v0.17.0\n)\n\nreplace github.com/go-jose/go-jose/v3 => github.com/go-jose/go-jose/v3 v3.0.3\n";
        let parsed = go_mod(text);
        let found: Vec<String> = parsed
            .entries
            .iter()
            .map(|entry| {
                format!(
                    "{} {} {} {}",
                    entry.name,
                    entry.exact.as_deref().unwrap(),
                    &text[entry.version_range.clone().unwrap()],
                    entry.direct
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                "github.com/lestrrat-go/jwx/v2 v2.0.11 v2.0.11 true",
                "github.com/golang-jwt/jwt/v4 v4.4.2 v4.4.2 true",
                "github.com/go-jose/go-jose/v3 v3.0.3 v3.0.0 false",
                "golang.org/x/crypto v0.17.0 v0.17.0 true",
            ]
        );
        assert_eq!(&text[parsed.entries[1].line.clone()], "\tgithub.com/golang-jwt/jwt/v4 v4.4.2");
    }
}
