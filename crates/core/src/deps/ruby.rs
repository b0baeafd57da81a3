//! RubyGems: `Gemfile` (`gem 'name', 'requirement', ...`) and `Gemfile.lock` (the `GEM` section's
//! `specs:`, four spaces in, and the `DEPENDENCIES` section, which names the direct ones). Both
//! are line-based; no maintained Rust crate reads them.

use super::{Ecosystem, Entry, Parsed, lines, within};

pub fn gemfile(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    for (line, body) in lines(text) {
        let code = body.split('#').next().unwrap_or("").trim();
        let Some(rest) = code.strip_prefix("gem").filter(|rest| rest.starts_with([' ', '('])) else { continue };
        // `gem 'jwt', '~> 2.7', '>= 2.7.1', require: false`: the leading quoted strings.
        let mut strings = Vec::new();
        for argument in rest.trim_start_matches(['(', ' ']).split(',') {
            let argument = argument.trim().trim_end_matches(')');
            match argument.strip_prefix(['\'', '"']).and_then(|inner| inner.strip_suffix(['\'', '"'])) {
                Some(inner) => strings.push(inner),
                None => break,
            }
        }
        let Some((name, requirements)) = strings.split_first() else { continue };
        let declared = requirements.join(", ");
        let exact = match requirements {
            [single] => {
                let bare = single.trim_start_matches('=').trim();
                bare.starts_with(|ch: char| ch.is_ascii_digit()).then(|| bare.to_string())
            }
            _ => None,
        };
        let version_range = exact.as_deref().and_then(|version| within(text, &line, version));
        let declared = (!declared.is_empty()).then_some(declared);
        parsed.entries.push(Entry::declared(Ecosystem::RubyGems, *name, declared, exact, line, version_range));
    }
    parsed
}

pub fn gemfile_lock(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    let mut section = "";
    let mut direct = Vec::new();
    for (line, body) in lines(text) {
        if !body.starts_with(' ') {
            section = body.trim();
            continue;
        }
        match section {
            "GEM" if body.starts_with("    ") && !body.starts_with("     ") => {
                // `    jwt (2.7.1)`, `    nokogiri (1.15.4-x86_64-linux)`: the platform is not the version.
                let Some((name, version)) = body.trim().split_once(" (") else { continue };
                let version = version.trim_end_matches(')');
                let version = version.split_once('-').map_or(version, |(number, _platform)| number);
                parsed.entries.push(Entry::locked(Ecosystem::RubyGems, name, version, line, false));
            }
            "DEPENDENCIES" => {
                let name = body.trim().split([' ', '!']).next().unwrap_or("");
                direct.push(name.to_string());
            }
            _ => {}
        }
    }
    for entry in &mut parsed.entries {
        entry.direct = direct.contains(&entry.name);
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::super::{describe_entries, parse};

    #[test]
    fn gemfile_and_its_lockfile() {
        let gemfile = "source 'https://rubygems.org'\n\ngem 'rails', '~> 7.1'\ngem \"jwt\", \"2.2.1\"\ngem 'devise-jwt' # auth\ngem('puma', '>= 5', '< 7', require: false)\n";
        let parsed = parse("Gemfile", gemfile).unwrap();
        assert_eq!(
            describe_entries(&parsed, gemfile),
            [
                "rails ~> 7.1 - @3 direct",
                "jwt 2.2.1 2.2.1 @4 direct [2.2.1]",
                "devise-jwt - - @5 direct",
                "puma >= 5, < 7 - @6 direct"
            ]
        );
        let lock = "GEM\n  remote: https://rubygems.org/\n  specs:\n    jwt (2.2.1)\n    nokogiri (1.15.4-x86_64-linux)\n      racc (~> 1.4)\n    racc (1.7.1)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  jwt (= 2.2.1)\n  nokogiri!\n";
        let parsed = parse("Gemfile.lock", lock).unwrap();
        assert_eq!(
            describe_entries(&parsed, lock),
            ["jwt - 2.2.1 @4 direct", "nokogiri - 1.15.4 @5 direct", "racc - 1.7.1 @7"]
        );
    }
}
