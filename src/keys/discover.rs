//! Finding keys in a workspace without configuration: JWKS files (`jwks.json`, `*.jwks.json`,
//! `.well-known/jwks.json`) and PEM public keys and certificates (`*.pem`, `*.crt`, `*.cer`,
//! `*.pub`, `*.key`). The walk honours `.gitignore` (also outside git repositories), skips
//! `.git` and `node_modules`, and is capped in depth, files visited, file size and keys found.

use std::path::Path;

use globset::GlobSet;

use super::{KeyRing, KeySource, Origin, parse_key_text};

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Candidate files larger than this are skipped (key files are a few KiB).
    pub max_file_bytes: u64,
    /// Stop after visiting this many directory entries.
    pub max_entries: usize,
    /// Stop after this many key files.
    pub max_key_files: usize,
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_file_bytes: 64 * 1024, max_entries: 200_000, max_key_files: 200, max_depth: 16 }
    }
}

/// What discovery found, and whether a cap cut it short.
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    pub ring: KeyRing,
    pub files_visited: usize,
    /// Set when a limit stopped the walk early; says which.
    pub truncated: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Candidate {
    /// Named like a JWKS: a file that fails to parse is reported.
    Jwks,
    /// A PEM-style extension: used only if it holds a public key or certificate.
    Pem,
}

fn candidate(path: &Path) -> Option<Candidate> {
    candidate_name(path.file_name()?.to_str()?)
}

/// Whether a file named `name` may hold keys: the cheap test a caller with many names (a walk's
/// list) can apply before handing them to [`discover_listed`].
pub fn may_hold_keys(name: &str) -> bool {
    candidate_name(name).is_some()
}

fn candidate_name(name: &str) -> Option<Candidate> {
    // Asked of every file of a walk: compared in place, without a lowercased copy of the name.
    let ends_with = |suffix: &str| {
        name.len() >= suffix.len()
            && name.is_char_boundary(name.len() - suffix.len())
            && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    if name.eq_ignore_ascii_case("jwks.json") || ends_with(".jwks.json") || name.eq_ignore_ascii_case("jwks.pub.json") {
        return Some(Candidate::Jwks);
    }
    let extension = name.rsplit_once('.')?.1;
    ["pem", "crt", "cer", "pub", "key"]
        .iter()
        .any(|known| extension.eq_ignore_ascii_case(known))
        .then_some(Candidate::Pem)
}

/// Walks `root` for key files. `ignore` holds extra globs (relative, `/`-separated) to skip;
/// `progress` is called with the number of entries visited every 500 entries.
pub fn discover(root: &Path, ignore: Option<&GlobSet>, limits: Limits, mut progress: impl FnMut(usize)) -> Discovery {
    let mut discoverer = Discoverer { root, ignore, limits, key_files: 0, discovery: Discovery::default() };
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .max_depth(Some(limits.max_depth))
        .filter_entry(|entry| !matches!(entry.file_name().to_str(), Some(".git" | "node_modules")))
        .build();
    for entry in walker {
        let visited = &mut discoverer.discovery.files_visited;
        *visited += 1;
        if visited.is_multiple_of(500) {
            progress(*visited);
        }
        if *visited > limits.max_entries {
            discoverer.discovery.truncated = Some(format!("stopped after {} entries", limits.max_entries));
            break;
        }
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_some_and(|kind| kind.is_file()) {
            continue;
        }
        if !discoverer.consider(entry.path(), || entry.metadata().ok().map(|metadata| metadata.len())) {
            break;
        }
    }
    discoverer.discovery
}

/// [`discover`] over the regular files a walk of `root` already listed, with their depth below
/// it (`check` walks its folders once, not once for keys and once for tokens): the same
/// filters (depth, `node_modules`, globs, caps), in the order given.
pub fn discover_listed<'a>(
    root: &Path,
    files: impl Iterator<Item = (&'a Path, usize)>,
    ignore: Option<&GlobSet>,
    limits: Limits,
) -> Discovery {
    let mut discoverer = Discoverer { root, ignore, limits, key_files: 0, discovery: Discovery::default() };
    for (path, depth) in files {
        discoverer.discovery.files_visited += 1;
        // The name first: a walk of 26k files holds a handful of key files, and splitting every
        // path into components cost more than the rest of discovery.
        if candidate(path).is_none() {
            continue;
        }
        let relative = path.strip_prefix(root).unwrap_or(path);
        if depth > limits.max_depth || relative.components().any(|part| part.as_os_str() == "node_modules") {
            continue;
        }
        if !discoverer.consider(path, || std::fs::metadata(path).ok().map(|metadata| metadata.len())) {
            break;
        }
    }
    discoverer.discovery
}

/// The part of discovery that judges one regular file.
struct Discoverer<'a> {
    root: &'a Path,
    ignore: Option<&'a GlobSet>,
    limits: Limits,
    key_files: usize,
    discovery: Discovery,
}

impl Discoverer<'_> {
    /// Reads `path` if it is a key file; `false` once a cap stops discovery. `size` is asked
    /// only of candidates (a `stat` per key-like name, not per file).
    fn consider(&mut self, path: &Path, size: impl FnOnce() -> Option<u64>) -> bool {
        let Some(kind) = candidate(path) else { return true };
        let relative = path.strip_prefix(self.root).unwrap_or(path).to_string_lossy().replace('\\', "/");
        if self.ignore.is_some_and(|globs| globs.is_match(&relative)) {
            return true;
        }
        let limits = self.limits;
        if self.key_files >= limits.max_key_files {
            self.discovery.truncated = Some(format!("stopped after {} key files", limits.max_key_files));
            return false;
        }
        let source = KeySource::new(relative, Origin::Discovered);
        let size = size().unwrap_or(u64::MAX);
        if size > limits.max_file_bytes {
            if kind == Candidate::Jwks {
                self.discovery.ring.add_source(
                    source,
                    Err(format!("{size} bytes, over the {}-byte discovery limit", limits.max_file_bytes)),
                );
            }
            return true;
        }
        // Judged again on the opened handle: the entry may have been swapped since the walk saw it.
        let Ok(bytes) = super::file::read_regular(path, limits.max_file_bytes, "key discovery") else { return true };
        let Ok(text) = String::from_utf8(bytes) else { return true };
        if kind == Candidate::Pem && !holds_public_pem(&text) {
            return true;
        }
        self.key_files += 1;
        self.discovery.ring.add_source(source.clone(), parse_key_text(&text, source));
        true
    }
}

fn holds_public_pem(text: &str) -> bool {
    ["-----BEGIN PUBLIC KEY-----", "-----BEGIN RSA PUBLIC KEY-----", "-----BEGIN CERTIFICATE-----"]
        .iter()
        .any(|marker| text.contains(marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EC_JWKS: &str = r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;

    #[test]
    fn key_file_names_match_in_any_case_and_nothing_else_does() {
        let kind = |name: &str| candidate(Path::new("some/dir").join(name).as_path());
        for name in ["jwks.json", "JWKS.JSON", "auth.jwks.json", "Auth.Jwks.Json", "jwks.pub.json", "ñ.jwks.json"] {
            assert_eq!(kind(name), Some(Candidate::Jwks), "{name}");
        }
        for name in ["server.pem", "SERVER.PEM", "ca.crt", "ca.Cer", "id_rsa.pub", "private.KEY", "é.pem"] {
            assert_eq!(kind(name), Some(Candidate::Pem), "{name}");
        }
        for name in ["pem", "notes.txt", "jwks.json.bak", "xjwks.json", "keys.json", "key", ".pemx", "ñ", "日本.json"]
        {
            assert_eq!(kind(name), None, "{name}");
        }
    }

    #[test]
    fn finds_jwks_files_and_honours_gitignore_and_caps() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".well-known")).unwrap();
        std::fs::create_dir_all(root.join("ignored")).unwrap();
        std::fs::create_dir_all(root.join("config")).unwrap();
        std::fs::write(root.join(".well-known/jwks.json"), EC_JWKS).unwrap();
        std::fs::write(root.join("config/auth.jwks.json"), EC_JWKS).unwrap();
        std::fs::write(root.join("ignored/jwks.json"), EC_JWKS).unwrap();
        std::fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
        std::fs::write(root.join("broken.jwks.json"), "{not json").unwrap();
        std::fs::write(root.join("huge.jwks.json"), " ".repeat(70 * 1024)).unwrap();
        std::fs::write(root.join("notes.pem"), "just text").unwrap();
        std::fs::write(root.join("private.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
            .unwrap();

        let found = discover(root, None, Limits::default(), |_| {});
        let mut locations: Vec<&str> = found.ring.keys.iter().map(|key| key.source.location.as_str()).collect();
        locations.sort();
        assert_eq!(locations, [".well-known/jwks.json", "config/auth.jwks.json"]);
        let errors = found.ring.errors();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().any(|error| error.starts_with("broken.jwks.json") && error.contains("JSON")));
        assert!(errors.iter().any(|error| error.starts_with("huge.jwks.json") && error.contains("limit")));
        assert!(found.truncated.is_none());

        let capped = discover(root, None, Limits { max_key_files: 1, ..Limits::default() }, |_| {});
        assert!(capped.truncated.as_deref().is_some_and(|why| why.contains("1 key files")));

        let mut globs = globset::GlobSetBuilder::new();
        globs.add(globset::Glob::new("config/**").unwrap());
        let skipped = discover(root, Some(&globs.build().unwrap()), Limits::default(), |_| {});
        assert_eq!(skipped.ring.keys.len(), 1);

        // The same from a list of the walked files, as `check` hands it over: node_modules and
        // files deeper than the limit are left out as the walk above leaves them out.
        std::fs::create_dir_all(root.join("node_modules/dep")).unwrap();
        std::fs::write(root.join("node_modules/dep/jwks.json"), EC_JWKS).unwrap();
        let deep = root.join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("jwks.json"), EC_JWKS).unwrap();
        let mut listed: Vec<(std::path::PathBuf, usize)> = ignore::WalkBuilder::new(root)
            .hidden(false)
            .require_git(false)
            .build()
            .flatten()
            .filter(|entry| entry.file_type().is_some_and(|kind| kind.is_file()))
            .map(|entry| (entry.path().to_path_buf(), entry.depth()))
            .collect();
        listed.sort();
        let shallow = Limits { max_depth: 2, ..Limits::default() };
        let from_list =
            discover_listed(root, listed.iter().map(|(path, depth)| (path.as_path(), *depth)), None, shallow);
        let walked = discover(root, None, shallow, |_| {});
        let sorted = |discovery: &Discovery| {
            let mut locations: Vec<String> =
                discovery.ring.keys.iter().map(|key| key.source.location.clone()).collect();
            locations.sort();
            locations
        };
        assert_eq!(sorted(&from_list), [".well-known/jwks.json", "config/auth.jwks.json"]);
        assert_eq!(sorted(&from_list), sorted(&walked));
        assert_eq!(from_list.ring.errors().len(), walked.ring.errors().len());
    }
}
