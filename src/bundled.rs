//! What the binary carries so that an installed `jwt-lsp` needs no data files beside it (`build.rs`
//! compiles both in): the rule pages and the built-in weak-secret list.

use std::sync::{Arc, OnceLock};

use crate::deps::Advisories;
use crate::rules::Rule;
use crate::verify::weak::Wordlist;

include!(concat!(env!("OUT_DIR"), "/rule_pages.rs"));

/// The rule's page, `docs/rules/<code>.md` (every rule has one: `tests/fixtures.rs` checks it).
pub fn documentation(rule: Rule) -> &'static str {
    rule_page(rule.code()).unwrap_or("")
}

/// The JWT advisories compiled in (`data/jwt-advisories.toml`); `--advisories FILE` and the
/// `advisories` setting load a newer file instead.
pub const BUILTIN_ADVISORIES: &str = include_str!("../data/jwt-advisories.toml");

/// The built-in advisories, parsed once per process.
pub fn advisories() -> Arc<Advisories> {
    static PARSED: OnceLock<Arc<Advisories>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            // Validated by `tests/deps.rs`: a file that does not parse is a build defect.
            Arc::new(Advisories::parse(BUILTIN_ADVISORIES).expect("the built-in advisories file is valid"))
        })
        .clone()
}

/// The value of `--wordlist` and the `wordlist` setting that selects the list below.
pub const BUILTIN_WORDLIST: &str = "builtin";

/// Where the built-in list comes from, for messages and `--version --verbose`.
pub const BUILTIN_WORDLIST_SOURCE: &str = "wallarm/jwt-secrets (MIT, Copyright (c) 2020 Wallarm)";

/// Its licence, shipped with every copy of the list.
pub const BUILTIN_WORDLIST_LICENSE: &str = include_str!("../data/jwt.secrets.list.LICENSE");

const BUILTIN_WORDLIST_DEFLATED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/jwt.secrets.list.deflate"));

/// The compressed size the list adds to the binary.
pub fn builtin_wordlist_bytes() -> usize {
    BUILTIN_WORDLIST_DEFLATED.len()
}

static BUILTIN_LIST: OnceLock<Arc<Wordlist>> = OnceLock::new();

/// The built-in list when something has inflated it already (a hover never waits for that).
pub fn builtin_wordlist_if_loaded() -> Option<Arc<Wordlist>> {
    BUILTIN_LIST.get().cloned()
}

/// The built-in list (104k publicly known JWT secrets), inflated and parsed once per process on
/// first use: only hovers, `explain` and `check --wordlist builtin` ask for it.
pub fn builtin_wordlist() -> Arc<Wordlist> {
    BUILTIN_LIST
        .get_or_init(|| {
            // The bytes are ours, compressed by build.rs: failing to inflate them is a build defect.
            let text = miniz_oxide::inflate::decompress_to_vec(BUILTIN_WORDLIST_DEFLATED)
                .expect("the built-in wordlist inflates (build.rs deflated it)");
            // The name findings show: "in the wordlist built-in (wallarm/jwt-secrets)".
            Arc::new(Wordlist::parse("built-in (wallarm/jwt-secrets)".into(), &String::from_utf8_lossy(&text)))
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_its_page_and_every_page_a_rule() {
        for rule in Rule::ALL {
            let page = documentation(*rule);
            assert!(page.starts_with("# "), "docs/rules/{}.md is missing or has no title", rule.code());
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let code = name.strip_suffix(".md").unwrap();
            assert!(Rule::ALL.iter().any(|rule| rule.code() == code), "docs/rules/{name} documents no rule");
        }
    }

    #[test]
    fn the_builtin_wordlist_is_the_whole_published_list() {
        let list = builtin_wordlist();
        let published = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/jwt.secrets.list")).unwrap();
        assert_eq!(list.entries, Wordlist::parse("copy".into(), &published).entries);
        assert!(list.entries.len() > 100_000, "{} entries", list.entries.len());
        assert!(builtin_wordlist_bytes() < published.len() / 2, "{} bytes deflated", builtin_wordlist_bytes());
        assert!(Arc::ptr_eq(&list, &builtin_wordlist()), "inflated once per process");
    }
}
