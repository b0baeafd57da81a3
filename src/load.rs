//! The front ends' side of building a `Verifier`: everything it needs from outside the document.
//! Reads the configured key files and the `secretEnv` variables, loads the wordlist (cached
//! while its size and mtime are unchanged), checks the JWKS URLs and supplies the HTTPS cache;
//! `Verifier::from_sources` (pure) puts the result together. The CLI and the server call
//! [`verifier`]; the analysis itself never reads a file, the environment or the network.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use crate::config::Verification;
use crate::keys::fetch::{self, JwksCache};
use crate::keys::file::{confine, open_regular, read_regular};
use crate::keys::{Key, KeyMaterial, KeyRing, KeySource, Origin, parse_key_text};
use crate::verify::weak::Wordlist;
use crate::verify::{Mode, RemoteKeys, Sources, Verifier};

/// Files read as keys are capped at this size (a JWKS or PEM file is a few KiB).
pub const MAX_KEY_FILE_BYTES: u64 = 1024 * 1024;
/// Wordlist files above this size are refused (the wallarm list is 1.2 MB).
pub const MAX_WORDLIST_BYTES: u64 = 64 * 1024 * 1024;
/// Entries of `keys` read; the rest are ignored with a warning.
const MAX_KEY_FILES: usize = 100;

/// Builds a `Verifier` from the verification settings: reads the configured key files (relative
/// to `base`), the `secretEnv` variables and the wordlist, adds `discovered` keys, and uses
/// `remote` (or a new cache) for `jwksUrls` when network access is allowed. Problems come back as
/// warnings (never key material); one bad source never stops the others.
pub fn verifier(
    verification: &Verification,
    base: Option<&Path>,
    discovered: Option<&KeyRing>,
    remote: Option<Arc<JwksCache>>,
    mode: Mode,
) -> (Verifier, Vec<String>) {
    let mut warnings = Vec::new();
    let mut ring = KeyRing::default();
    let mut files_read = std::collections::HashSet::new();
    if verification.keys.len() > MAX_KEY_FILES {
        warnings.push(format!("keys: {} entries; only the first {MAX_KEY_FILES} are read", verification.keys.len()));
    }
    for path in verification.keys.iter().take(MAX_KEY_FILES) {
        let resolved = resolve_path(base, path);
        // Shown relative to the workspace (project paths arrive absolute).
        let shown = base
            .and_then(|base| resolved.strip_prefix(base).ok())
            .map(|relative| relative.to_string_lossy().replace('\\', "/"))
            .unwrap_or_else(|| path.clone());
        let source = KeySource::new(shown.clone(), Origin::Configured);
        // Project-file paths must still be inside the project now that the files are read.
        let real = match &verification.confined.keys {
            Some(root) => confine(root, &resolved),
            None => Ok(std::fs::canonicalize(&resolved).unwrap_or(resolved)),
        };
        match real {
            // The same file listed twice (or through two names) is read, and tried, once.
            Ok(real) if !files_read.insert(real.clone()) => {}
            Ok(real) => ring.add_source(source, key_file(&real, &shown, Origin::Configured)),
            Err(refusal) => ring.add_source(source, Err(refusal)),
        }
    }
    for name in &verification.secret_env {
        ring.add_source(KeySource::new(name.clone(), Origin::Environment), secret_from_env(name));
    }
    warnings.extend(ring.errors().into_iter().map(|error| format!("key {error}")));
    let wordlist = match &verification.wordlist {
        None => None,
        Some(name) if name == crate::bundled::BUILTIN_WORDLIST => Some(crate::bundled::builtin_wordlist()),
        Some(path) => {
            let resolved = resolve_path(base, path);
            let real = match &verification.confined.wordlist {
                Some(root) => confine(root, &resolved).map_err(|refusal| format!("wordlist {path}: {refusal}")),
                None => Ok(resolved),
            };
            match real.and_then(|real| wordlist(&real)) {
                Ok(list) => Some(list),
                Err(err) => {
                    warnings.push(err);
                    None
                }
            }
        }
    };
    let mut jwks_urls = Vec::new();
    for url in &verification.jwks_urls {
        match fetch::check_url(url) {
            Ok(()) => jwks_urls.push(url.clone()),
            Err(err) => warnings.push(format!("jwksUrls: {err}")),
        }
    }
    let remote: Arc<dyn RemoteKeys> = remote.unwrap_or_default();
    let sources = Sources { keys: ring, discovered: discovered.cloned(), wordlist, jwks_urls, remote: Some(remote) };
    let (verifier, more) =
        Verifier::from_sources(verification.expectations.clone(), verification.allow_network, sources, mode);
    warnings.extend(more);
    (verifier, warnings)
}

/// Reads a key file of any supported kind: JWK/JWKS JSON, or PEM (`PUBLIC KEY`,
/// `RSA PUBLIC KEY`, `CERTIFICATE`). `display` names it in messages.
pub fn key_file(path: &Path, display: &str, origin: Origin) -> Result<(Vec<Key>, Vec<String>), String> {
    let bytes = read_regular(path, MAX_KEY_FILE_BYTES, "key files")?;
    let text = String::from_utf8(bytes).map_err(|_| {
        "not UTF-8 text (DER key files are not supported; convert with `openssl pkey -pubin -inform DER`)".to_string()
    })?;
    parse_key_text(&text, KeySource::new(display, origin))
}

/// An HMAC secret from the environment variable `name`.
pub fn secret_from_env(name: &str) -> Result<(Vec<Key>, Vec<String>), String> {
    match std::env::var_os(name) {
        None => Err("environment variable is not set".to_string()),
        Some(value) if value.is_empty() => Err("environment variable is empty".to_string()),
        Some(value) => {
            let bytes = value.into_encoded_bytes();
            Ok((vec![Key::new(KeyMaterial::Secret(bytes), KeySource::new(name, Origin::Environment))], Vec::new()))
        }
    }
}

/// `path` against `base` unless absolute; `~/` is not expanded (configs are per project).
pub fn resolve_path(base: Option<&Path>, path: &str) -> PathBuf {
    let path = Path::new(path);
    match base {
        Some(base) if path.is_relative() => base.join(path),
        _ => path.to_path_buf(),
    }
}

/// A loaded list with the size and mtime it was read at.
type LoadedWordlist = (u64, Option<SystemTime>, Arc<Wordlist>);

/// Loads the wordlist at `path`, reusing an earlier load while the file's size and mtime are
/// unchanged. Only a regular file under the size cap is read (never a FIFO, a device or `/proc`).
pub fn wordlist(path: &Path) -> Result<Arc<Wordlist>, String> {
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, LoadedWordlist>>> = OnceLock::new();
    let opened = open_regular(path, MAX_WORDLIST_BYTES, "wordlists")
        .map_err(|err| format!("wordlist {}: {err}", path.display()))?;
    let stamp = (opened.len, opened.modified);
    let loaded = LOADED.get_or_init(Default::default);
    if let Ok(cache) = loaded.lock()
        && let Some((len, modified, list)) = cache.get(path)
        && (*len, *modified) == stamp
    {
        return Ok(list.clone());
    }
    let bytes = opened.read().map_err(|err| format!("wordlist {}: {err}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let list = Arc::new(Wordlist::parse(path.to_path_buf(), &text));
    if let Ok(mut cache) = loaded.lock() {
        cache.insert(path.to_path_buf(), (stamp.0, stamp.1, list.clone()));
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_and_binary_key_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let huge = dir.path().join("huge.pem");
        std::fs::File::create(&huge).unwrap().set_len(MAX_KEY_FILE_BYTES + 1).unwrap();
        assert!(key_file(&huge, "huge.pem", Origin::Configured).unwrap_err().contains("limit"));
        let binary = dir.path().join("key.der");
        std::fs::write(&binary, [0x30, 0x82, 0xff, 0xfe, 0x00]).unwrap();
        assert!(key_file(&binary, "key.der", Origin::Configured).unwrap_err().contains("DER"));
        assert!(
            key_file(&dir.path().join("missing.pem"), "missing.pem", Origin::Configured)
                .unwrap_err()
                .contains("cannot read")
        );
    }

    #[test]
    fn the_wordlist_is_read_again_only_when_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.txt");
        std::fs::write(&path, "alpha\nbeta\n").unwrap();
        let first = wordlist(&path).unwrap();
        assert!(Arc::ptr_eq(&first, &wordlist(&path).unwrap()));
        std::fs::write(&path, "alpha\nbeta\ngamma\n").unwrap();
        let changed = wordlist(&path).unwrap();
        assert_eq!(changed.entries, ["alpha", "beta", "gamma"]);
    }
}
