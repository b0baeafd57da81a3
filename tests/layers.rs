//! The layers the compiler enforces (issue 10, ARCHITECTURE.md "Invariants"): the analysis core
//! (`crates/core`, package `jwt-lsp-core`) depends on neither the LSP framework nor an HTTP client
//! nor the async runtime, and its modules import each other without cycles. (That it does no
//! file, environment, clock, network or process access is clippy's job: `crates/core/clippy.toml`.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Packages that must never be in the core's normal dependency tree, directly or not.
const FORBIDDEN: &[&str] =
    &["tower-lsp-server", "tokio", "ureq", "rustls", "hyper", "clap", "ignore", "tracing-subscriber"];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

#[test]
fn the_core_depends_on_no_protocol_runtime_or_network_crate() {
    let output = Command::new(env!("CARGO"))
        .args(["tree", "-p", "jwt-lsp-core", "-e", "normal", "--locked", "--prefix", "none", "--format", "{p}"])
        .current_dir(workspace_root())
        .output()
        .expect("cargo runs");
    let tree = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&output.stderr));
    let packages: BTreeSet<&str> = tree.lines().filter_map(|line| line.split_whitespace().next()).collect();
    assert!(packages.contains("jwt-lsp-core") && packages.contains("jsonwebtoken"), "unexpected tree: {tree}");
    let found: Vec<&&str> = FORBIDDEN.iter().filter(|name| packages.contains(**name)).collect();
    assert!(found.is_empty(), "jwt-lsp-core depends on {found:?}; only the `jwt-lsp` package (the root) may");
}

/// Each top-level module of the core (`config`, `verify`, `jwt`, ...) and the modules it names
/// through `crate::`.
fn module_imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = vec![src.to_path_buf()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).expect("readable").map(|entry| entry.expect("entry").path()));
            continue;
        }
        let relative = path.strip_prefix(src).expect("inside src");
        let first = relative.components().next().expect("a component").as_os_str().to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || path.extension().is_none_or(|extension| extension != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let imports = graph.entry(module.clone()).or_default();
        for line in text.lines().filter(|line| !line.trim_start().starts_with("//")) {
            for (at, _) in line.match_indices("crate::") {
                let name: String = line[at + "crate::".len()..]
                    .chars()
                    .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    imports.insert(name);
                }
            }
        }
    }
    graph
}

/// A cycle through `start`, as the modules on it, if there is one.
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_string(), vec![start.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((module, path)) = stack.pop() {
        for next in graph.get(&module).into_iter().flatten() {
            if next == start {
                return Some([path.clone(), vec![start.to_string()]].concat());
            }
            if seen.insert(next.clone()) {
                stack.push((next.clone(), [path.clone(), vec![next.clone()]].concat()));
            }
        }
    }
    None
}

#[test]
fn core_modules_import_each_other_without_cycles() {
    let graph = module_imports(&workspace_root().join("crates/core/src"));
    for module in ["analysis", "config", "finding", "rules", "verify", "keys", "jwt", "code"] {
        assert!(graph.contains_key(module), "no module `{module}` found in crates/core/src: {graph:?}");
    }
    let cycles: Vec<String> =
        graph.keys().filter_map(|module| cycle_from(&graph, module)).map(|c| c.join(" -> ")).collect();
    assert!(cycles.is_empty(), "import cycles between core modules: {cycles:#?}");
}
