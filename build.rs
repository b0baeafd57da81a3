//! Compiles two kinds of data into the binary, so that an installed `jwt-lsp` needs no data files:
//! - the rule pages `docs/rules/<code>.md` (SARIF `help`, hovers): `rule_pages.rs`, a `match` from
//!   each rule code to its page;
//! - the 104k-entry weak-secret list `data/jwt.secrets.list` (wallarm/jwt-secrets, MIT), deflated
//!   (1.1 MB → the size printed by `jwt-lsp --version --verbose`) and inflated on first use.

use std::path::Path;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let root = Path::new(&root);
    let out = Path::new(&out);

    let rules = root.join("docs/rules");
    println!("cargo::rerun-if-changed={}", rules.display());
    let mut pages: Vec<String> = std::fs::read_dir(&rules)
        .expect("docs/rules/ is readable")
        .map(|entry| entry.expect("a directory entry").file_name().to_string_lossy().into_owned())
        .filter_map(|name| name.strip_suffix(".md").map(str::to_owned))
        .collect();
    pages.sort();
    let mut source = String::from("/// The page `docs/rules/<code>.md` of a rule code.\npub fn rule_page(code: &str) -> Option<&'static str> {\n    match code {\n");
    for code in &pages {
        let path = rules.join(format!("{code}.md"));
        source.push_str(&format!("        {code:?} => Some(include_str!({:?})),\n", path.display().to_string()));
    }
    source.push_str("        _ => None,\n    }\n}\n");
    std::fs::write(out.join("rule_pages.rs"), source).expect("OUT_DIR is writable");

    let list = root.join("data/jwt.secrets.list");
    println!("cargo::rerun-if-changed={}", list.display());
    let text = std::fs::read(&list).expect("data/jwt.secrets.list is readable");
    std::fs::write(out.join("jwt.secrets.list.deflate"), miniz_oxide::deflate::compress_to_vec(&text, 9))
        .expect("OUT_DIR is writable");
}
