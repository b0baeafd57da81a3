//! The workspace index of `check` and `scan`: the tokens and verifier calls of every scanned
//! file, the service folders, and each verifier's key resolved from its source (I/O); then the
//! core's `crosscheck::judge` decides `token-rejected-by-verifier`.
//!
//! Facts, not texts: a token is kept once however often it repeats (logs), a verifier as its
//! expectations. Key material is read only from inside the current folder (`keys::file`), from
//! `.env` files of the verifier's service and key files the code names by a literal path; it is
//! never printed: keys are described by their source.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::Analysis;
use crate::code::{self, KeySource, Language, PathBase, VerifierCall};
use crate::config::Config;
use crate::crosscheck::{self, Judgement, Keys, TokenAt, VerifierAt};
use crate::finding::Finding;
use crate::jwt::time::UnixSeconds;
use crate::jwt::{Form, Token};
use crate::keys::{self, KeyMaterial, KeyRing, Origin};
use crate::rules::Rule;
use crate::service::Services;
use crate::text::{Encoding, LineCol, LineIndex};

/// Key files and `.env` files larger than this are not read.
const MAX_KEY_FILE_BYTES: u64 = 1024 * 1024;

/// A token of the index: where it is and what its own analysis said about it.
pub struct IndexedToken {
    /// As displayed (relative to the current folder).
    pub path: String,
    pub token: Arc<Token>,
    /// Zero-based, columns in characters.
    pub start: LineCol,
    /// Rule codes of the token's own findings (`token-expired`, …).
    pub findings: Vec<Rule>,
}

/// A verifier call of the index.
#[derive(Clone)]
pub struct IndexedVerifier {
    pub path: String,
    /// Zero-based line, column in characters and in UTF-16 units.
    pub start: LineCol,
    pub column_utf16: u32,
    pub call: VerifierCall,
}

/// A walked file the cross-check reads the name of ([`Index::keeps`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeFile {
    Manifest,
    Env,
}

/// What `check` and `scan` collect while they walk.
#[derive(Default)]
pub struct Index {
    /// The walked manifests: they make the services keys are looked up in.
    manifests: Vec<String>,
    /// The walked `.env` / `.env.*` files (key values), looked up per verifier.
    env_files: Vec<String>,
    pub tokens: Vec<IndexedToken>,
    pub verifiers: Vec<IndexedVerifier>,
    /// One decoded token per distinct compact form.
    distinct: rustc_hash::FxHashMap<Box<str>, Arc<Token>>,
    /// `check`'s index: tokens are kept as text until the walk is over and decoded again only
    /// when it found a verifier (a dense log's 10^5 decoded tokens held to judge nothing cost 3×
    /// the time and 450 MB).
    lean: bool,
    pending: Vec<PendingToken>,
}

/// A token of a lean index, before the walk's end decides whether it is judged.
struct PendingToken {
    /// Shared by the file's tokens: a dense log has 10^4 of them.
    path: Arc<str>,
    compact: Box<str>,
    span: std::ops::Range<usize>,
    start: LineCol,
    findings: Vec<Rule>,
}

/// The language of a file the cross-check reads verifier calls from: source code (a Markdown
/// file's code blocks are examples, not the service's verifiers).
pub fn verifier_language(display: &str) -> Option<Language> {
    Language::detect(Some(display), None).filter(|language| *language != Language::Markdown)
}

/// One file's facts, gathered outside the index lock.
pub struct FileFacts {
    path: String,
    tokens: Vec<(Token, LineCol, Vec<Rule>)>,
    /// The tokens as a lean index keeps them (see [`FileFacts::lean`]).
    pending: Vec<PendingToken>,
    verifiers: Vec<IndexedVerifier>,
}

impl FileFacts {
    /// No token and no verifier call: nothing for the index (most files of a tree).
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty() && self.pending.is_empty() && self.verifiers.is_empty()
    }

    /// The JWS tokens (with their own findings) and the verifier calls of an analysed file; the
    /// analysis gives its tokens up (a dense log's 10^4 decoded tokens are not copied).
    pub fn of(
        display: &str,
        text: &str,
        index: &LineIndex,
        analysis: &mut Analysis,
        dependencies: Option<&crate::deps::Dependencies>,
    ) -> FileFacts {
        let tokens = std::mem::take(&mut analysis.tokens);
        let calls = analysis.verifier_calls.take();
        FileFacts::from_parts(display, text, index, tokens, &analysis.findings, dependencies, calls)
    }

    /// The same from a file's tokens and their findings (the server's index runs only the
    /// token rules, not a whole analysis), and the verifier calls an analysis already found
    /// (`None`: the file is parsed for them here).
    pub fn from_parts(
        display: &str,
        text: &str,
        index: &LineIndex,
        tokens: Vec<Token>,
        findings: &[Finding],
        dependencies: Option<&crate::deps::Dependencies>,
        calls: Option<Vec<code::VerifierCall>>,
    ) -> FileFacts {
        let tokens: Vec<Token> = tokens.into_iter().filter(|token| token.form == Form::Jws).collect();
        let calls = match verifier_language(display) {
            Some(language) => calls.unwrap_or_else(|| {
                code::verifiers_in(text, language, &code::Context { in_test_path: false, dependencies })
            }),
            None => Vec::new(),
        };
        let mut offsets: Vec<usize> = tokens.iter().map(|token| token.span.start).collect();
        offsets.extend(calls.iter().map(|call| call.range.start));
        let chars = index.line_cols(text, &offsets, Encoding::Utf32);
        let utf16 = if calls.is_empty() { Vec::new() } else { index.line_cols(text, &offsets, Encoding::Utf16) };
        // A token's own findings share its span: one pass, not tokens × findings.
        let mut own: rustc_hash::FxHashMap<(usize, usize), Vec<Rule>> = Default::default();
        for finding in findings {
            own.entry((finding.range.start, finding.range.end)).or_default().push(finding.rule);
        }
        let tokens: Vec<(Token, LineCol, Vec<Rule>)> = tokens
            .into_iter()
            .zip(&chars)
            .map(|(token, at)| {
                let rules = own.remove(&(token.span.start, token.span.end)).unwrap_or_default();
                (token, *at, rules)
            })
            .collect();
        let token_count = tokens.len();
        let verifiers = calls
            .into_iter()
            .enumerate()
            .map(|(number, call)| {
                // Verifier offsets follow the tokens' in `offsets`.
                let position = token_count + number;
                IndexedVerifier {
                    path: display.to_string(),
                    start: chars[position],
                    column_utf16: utf16[position].col,
                    call,
                }
            })
            .collect();
        FileFacts { path: display.to_string(), tokens, pending: Vec::new(), verifiers }
    }

    /// The facts as `check`'s lean index keeps them: tokens as text. Done before taking the
    /// index lock, so the walk's threads do not free 10^4 decoded tokens of a log one at a time
    /// while the others wait for the lock.
    pub fn lean(mut self) -> FileFacts {
        let path: Arc<str> = Arc::from(self.path.as_str());
        self.pending.extend(std::mem::take(&mut self.tokens).into_iter().map(|(token, start, findings)| {
            PendingToken {
                path: Arc::clone(&path),
                compact: token.compact.into_boxed_str(),
                span: token.span,
                start,
                findings,
            }
        }));
        self
    }
}

/// One file's facts as the server keeps them between index runs (issue 11: only changed files are
/// read again): its JWS tokens, shared with identical copies elsewhere, and its verifier calls.
pub struct KeptFacts {
    tokens: Vec<(Arc<Token>, LineCol, Vec<Rule>)>,
    verifiers: Vec<IndexedVerifier>,
}

impl KeptFacts {
    /// The kept tokens, in the order of the file.
    pub fn tokens(&self) -> impl Iterator<Item = &Token> {
        self.tokens.iter().map(|(token, _, _)| token.as_ref())
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty() && self.verifiers.is_empty()
    }
}

/// Decoded tokens shared between the kept files (a file copied across services is decoded once);
/// entries whose files are gone are dropped by `prune`.
#[derive(Default)]
pub struct Interner {
    distinct: rustc_hash::FxHashMap<Box<str>, std::sync::Weak<Token>>,
}

impl Interner {
    fn share(&mut self, token: Token) -> Arc<Token> {
        if let Some(known) = self.distinct.get(token.compact.as_str()).and_then(std::sync::Weak::upgrade)
            && known.span == token.span
        {
            return known;
        }
        let shared = Arc::new(token);
        self.distinct.insert(Box::from(shared.compact.as_str()), Arc::downgrade(&shared));
        shared
    }

    /// Forgets tokens no kept file holds any more.
    pub fn prune(&mut self) {
        self.distinct.retain(|_, token| token.strong_count() > 0);
    }
}

impl FileFacts {
    /// What the server keeps of a file between runs.
    pub fn keep(self, interner: &mut Interner) -> KeptFacts {
        let tokens =
            self.tokens.into_iter().map(|(token, start, findings)| (interner.share(token), start, findings)).collect();
        KeptFacts { tokens, verifiers: self.verifiers }
    }
}

impl Index {
    /// Adds a walked file and the facts kept of it (the server's index, rebuilt from kept facts
    /// after each change without reading the files again).
    pub fn add_kept(&mut self, display: &str, kept: Option<&KeptFacts>) {
        self.add_file(display);
        let Some(kept) = kept else { return };
        self.tokens.extend(kept.tokens.iter().map(|(token, start, findings)| IndexedToken {
            path: display.to_string(),
            token: Arc::clone(token),
            start: *start,
            findings: findings.clone(),
        }));
        self.verifiers.extend(kept.verifiers.iter().cloned());
    }

    pub fn add_file(&mut self, display: &str) {
        if let Some(kind) = Index::keeps(display) {
            match kind {
                TreeFile::Manifest => self.manifests.push(display.to_string()),
                TreeFile::Env => self.env_files.push(display.to_string()),
            }
        }
    }

    /// What the cross-check reads of a walked file's name: a manifest (its folder is a
    /// service), a `.env` file (key values), or nothing (most files). Asked by `check`'s scan
    /// threads as they take each file, so the index never visits 26k names once more.
    pub fn keeps(display: &str) -> Option<TreeFile> {
        let name = display.rsplit('/').next().unwrap_or(display);
        if name == ".env" || (name.starts_with(".env.") && !name.ends_with(".example") && !name.ends_with(".sample")) {
            Some(TreeFile::Env)
        } else if crate::service::is_manifest(name) {
            Some(TreeFile::Manifest)
        } else {
            None
        }
    }

    /// An index for `check`: see `lean`.
    pub fn lean() -> Index {
        Index { lean: true, ..Index::default() }
    }

    pub fn is_lean(&self) -> bool {
        self.lean
    }

    pub fn add_facts(&mut self, facts: FileFacts) {
        let facts = if self.lean && !facts.tokens.is_empty() { facts.lean() } else { facts };
        self.pending.extend(facts.pending);
        for (token, start, findings) in facts.tokens {
            let shared = match self.distinct.get(token.compact.as_str()) {
                Some(known) if known.span == token.span => Arc::clone(known),
                _ => {
                    let shared = Arc::new(token);
                    self.distinct.entry(Box::from(shared.compact.as_str())).or_insert_with(|| Arc::clone(&shared));
                    shared
                }
            };
            self.tokens.push(IndexedToken { path: facts.path.clone(), token: shared, start, findings });
        }
        self.verifiers.extend(facts.verifiers);
    }

    /// Sorted by path and position, so the output does not depend on the walk's threads. A lean
    /// index decodes its tokens here, and only when the walk found a verifier to judge them.
    pub fn sort(&mut self) {
        for pending in std::mem::take(&mut self.pending) {
            if self.verifiers.is_empty() {
                break;
            }
            let Some(mut token) = crate::jwt::decode::decode(&pending.compact) else { continue };
            token.span = pending.span;
            let shared = match self.distinct.get(&*pending.compact) {
                Some(known) if known.span == token.span => Arc::clone(known),
                _ => {
                    let shared = Arc::new(token);
                    self.distinct.entry(pending.compact).or_insert_with(|| Arc::clone(&shared));
                    shared
                }
            };
            self.tokens.push(IndexedToken {
                path: pending.path.to_string(),
                token: shared,
                start: pending.start,
                findings: pending.findings,
            });
        }
        self.manifests.sort();
        self.tokens.sort_by(|a, b| (&a.path, a.start.line, a.start.col).cmp(&(&b.path, b.start.line, b.start.col)));
        self.verifiers.sort_by(|a, b| (&a.path, a.start.line, a.start.col).cmp(&(&b.path, b.start.line, b.start.col)));
    }
}

/// A verifier's key as resolved: how to name it, and the keys when they could be read.
pub struct ResolvedKey {
    /// `env JWT_SECRET (value in billing/.env)`, `file keys/public.pem`, `literal`: never the
    /// material.
    pub description: String,
    /// Shared by the verifiers with the same source, so a token's signature is checked once per
    /// source.
    pub ring: Option<Arc<KeyRing>>,
}

/// The cross-check's result.
pub struct CrossCheck {
    pub services: Services,
    pub keys: Vec<ResolvedKey>,
    pub judgements: Vec<Judgement>,
}

/// Resolves every verifier's key and judges every token, at `now`. The index's paths are
/// relative to `root` (the current folder for the CLI, the workspace folder for the server),
/// and no file outside it is read.
pub fn cross_check(index: &Index, root: &Path, now: UnixSeconds) -> CrossCheck {
    let services = Services::from_files(index.manifests.iter().map(Path::new));
    let mut rings: rustc_hash::FxHashMap<String, Arc<KeyRing>> = Default::default();
    let keys: Vec<ResolvedKey> = index
        .verifiers
        .iter()
        .map(|verifier| {
            let mut key = resolve_key(verifier, index, &services, root);
            // One ring per source (its description names it: variable and file, or path).
            if let Some(ring) = key.ring.take() {
                key.ring = Some(rings.entry(key.description.clone()).or_insert(ring).clone());
            }
            key
        })
        .collect();
    let tokens: Vec<TokenAt<'_>> = index
        .tokens
        .iter()
        .map(|token| TokenAt { path: Path::new(&token.path), token: &token.token, reported: &token.findings })
        .collect();
    let verifiers: Vec<VerifierAt<'_>> = index
        .verifiers
        .iter()
        .zip(&keys)
        .map(|(verifier, key)| VerifierAt {
            path: Path::new(&verifier.path),
            line: verifier.start.line as usize,
            column: verifier.start.col as usize,
            column_utf16: verifier.column_utf16 as usize,
            call: &verifier.call,
            keys: key.ring.as_deref().map_or(Keys::Unresolved, |ring| Keys::Resolved { ring }),
        })
        .collect();
    let judgements = crosscheck::judge(&tokens, &verifiers, &services, now);
    CrossCheck { services, keys, judgements }
}

/// The `token-rejected-by-verifier` findings per file, with the configured severity; files in
/// test paths get theirs as the config says.
pub fn findings(index: &Index, check: &CrossCheck, config: &Config) -> Vec<(String, Finding)> {
    check
        .judgements
        .iter()
        .filter_map(|judgement| {
            let token = &index.tokens[judgement.token];
            let mut finding = judgement.finding.clone()?;
            finding.range = token.token.span.clone();
            let severity = config.level_for(finding.rule, finding.severity, config.is_test_path(&token.path))?;
            finding.severity = severity;
            Some((token.path.clone(), finding))
        })
        .collect()
}

fn resolve_key(verifier: &IndexedVerifier, index: &Index, services: &Services, root: &Path) -> ResolvedKey {
    let unresolved = |description: String| ResolvedKey { description, ring: None };
    let path = Path::new(&verifier.path);
    let service = services.service_of(path).map(Path::to_path_buf);
    match &verifier.call.key {
        KeySource::Unknown => unresolved("unknown".to_string()),
        KeySource::Literal => unresolved("literal in the code".to_string()),
        KeySource::JwksUrl(url) => unresolved(format!("JWKS {url} (not fetched)")),
        KeySource::Env(name) => match env_value(name, service.as_deref(), path, index, root) {
            Some((value, file)) => {
                let source = keys::KeySource::new(name.clone(), Origin::Environment);
                let ring = ring_from_text(&value, source);
                ResolvedKey { description: format!("env {name} (value in {file})"), ring: Some(Arc::new(ring)) }
            }
            None => unresolved(format!("env {name} (no value in the service's .env files)")),
        },
        KeySource::File { path: file, base } => {
            let folder = match base {
                PathBase::SourceFile => path.parent().map(Path::to_path_buf),
                PathBase::WorkingFolder => service.clone().or_else(|| path.parent().map(Path::to_path_buf)),
            }
            .unwrap_or_default();
            let Some(joined) = keys::file::lexically_inside(&folder, file).or_else(|| normalize(&folder.join(file)))
            else {
                return unresolved(format!("file {file} (outside the workspace, not read)"));
            };
            let shown = joined.to_string_lossy().replace('\\', "/");
            let confined = keys::file::confine(root, &root.join(&joined));
            let text = confined
                .and_then(|real| keys::file::read_regular(&real, MAX_KEY_FILE_BYTES, "key files"))
                .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "not UTF-8".to_string()));
            match text {
                Ok(text) => {
                    let mut ring = KeyRing::default();
                    let source = keys::KeySource::new(shown.clone(), Origin::Discovered);
                    ring.add_source(source.clone(), keys::parse_key_text(&text, source));
                    if ring.is_empty() {
                        return unresolved(format!("file {shown} (no usable key in it)"));
                    }
                    ResolvedKey { description: format!("file {shown}"), ring: Some(Arc::new(ring)) }
                }
                Err(reason) => unresolved(format!("file {shown} ({reason})")),
            }
        }
    }
}

/// `.` and `..` applied to a relative path; `None` when it climbs above its start.
fn normalize(path: &Path) -> Option<PathBuf> {
    keys::file::lexically_inside(Path::new(""), &path.to_string_lossy())
}

/// The value of `name` in the `.env` / `.env.*` files of the verifier's service folder (or its
/// own folder when it belongs to no service): `.env` first, then the others by name.
fn env_value(
    name: &str,
    service: Option<&Path>,
    verifier: &Path,
    index: &Index,
    root: &Path,
) -> Option<(String, String)> {
    let folder = service.or_else(|| verifier.parent()).unwrap_or(Path::new(""));
    let mut candidates: Vec<&String> =
        index.env_files.iter().filter(|file| Path::new(file).parent().unwrap_or(Path::new("")) == folder).collect();
    candidates.sort_by_key(|file| (!file.ends_with("/.env") && file.as_str() != ".env", file.to_string()));
    for file in candidates {
        let Ok(real) = keys::file::confine(root, &root.join(file)) else { continue };
        let Ok(bytes) = keys::file::read_regular(&real, MAX_KEY_FILE_BYTES, ".env files") else { continue };
        let text = String::from_utf8_lossy(&bytes);
        if let Some(value) = dotenv_lookup(&text, name) {
            return Some((value, file.clone()));
        }
    }
    None
}

/// `NAME=value`, `export NAME="value"`, `NAME='value'` (last assignment wins); `\n` escapes in a
/// double-quoted value become newlines (PEM keys in one line).
fn dotenv_lookup(text: &str, name: &str) -> Option<String> {
    let mut found = None;
    for line in text.lines() {
        let line = line.trim_start();
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else { continue };
        if key.trim() != name {
            continue;
        }
        let value = value.trim();
        let unquoted = if let Some(inner) = value.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')) {
            inner.replace("\\n", "\n")
        } else if let Some(inner) = value.strip_prefix('\'').and_then(|rest| rest.strip_suffix('\'')) {
            inner.to_string()
        } else {
            // An unquoted value ends at a comment.
            value.split(" #").next().unwrap_or(value).trim().to_string()
        };
        found = Some(unquoted);
    }
    found
}

/// A key value: PEM or JWK/JWKS text, else an HMAC secret (its bytes as written).
fn ring_from_text(value: &str, source: keys::KeySource) -> KeyRing {
    let mut ring = KeyRing::default();
    let trimmed = value.trim_start();
    if trimmed.starts_with('{') || trimmed.contains("-----BEGIN") {
        ring.add_source(source.clone(), keys::parse_key_text(value, source));
    } else {
        let key = keys::Key::new(KeyMaterial::Secret(value.as_bytes().to_vec()), source.clone());
        ring.add_source(source, Ok((vec![key], Vec::new())));
    }
    ring
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_keeps_the_names_of_manifests_and_env_files_only() {
        for (display, kept) in [
            ("svc/package.json", Some(TreeFile::Manifest)),
            ("requirements.txt", Some(TreeFile::Manifest)),
            ("サービス/api/App.csproj", Some(TreeFile::Manifest)),
            ("svc/.env", Some(TreeFile::Env)),
            (".env.production", Some(TreeFile::Env)),
            ("svc/.env.example", None),
            ("svc/requirements/base.txt", None),
            ("svc/app.py", None),
            ("svc/package.json.bak", None),
        ] {
            assert_eq!(Index::keeps(display), kept, "{display}");
        }
        let mut index = Index::default();
        for display in ["a/package.json", "a/src/app.js", "a/.env", "b/notes.md"] {
            index.add_file(display);
        }
        assert_eq!(
            (index.manifests.as_slice(), index.env_files.as_slice()),
            (&["a/package.json".to_string()][..], &["a/.env".to_string()][..])
        );
    }

    #[test]
    fn dotenv_values_quoted_exported_and_commented() {
        let text = "# c\nA=1\nexport B=\"x\\ny\"\nC='z # not a comment'\nD=plain # comment\nA=2\n";
        assert_eq!(dotenv_lookup(text, "A").as_deref(), Some("2"));
        assert_eq!(dotenv_lookup(text, "B").as_deref(), Some("x\ny"));
        assert_eq!(dotenv_lookup(text, "C").as_deref(), Some("z # not a comment"));
        assert_eq!(dotenv_lookup(text, "D").as_deref(), Some("plain"));
        assert_eq!(dotenv_lookup(text, "E"), None);
    }
}
