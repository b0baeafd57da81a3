//! The server's side of signature verification: the project file `.jwt-lsp.toml` (loaded at
//! start, reloaded when it changes on disk or is saved), key discovery in the background with
//! work-done progress, JWKS prefetch and refresh, the slow work analyses defer (wordlist
//! searches, JWKS re-fetches for unknown `kid`s), the hover checklist, and the commands
//! `jwt-lsp.refreshJwks` and `jwt-lsp.explainToken`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};
use tower_lsp_server::ls_types::*;

use super::{Backend, Document};
use crate::analysis::{self, Analysis};
use crate::config::{Config, Settings};
use crate::jwt::Token;
use crate::keys::KeyRing;
use crate::keys::discover::{Limits, discover};
use crate::load;
use crate::project::{self, Project};
use crate::rules::Rule;
use crate::verify::weak::{Budget, Search};
use crate::verify::{Deferred, Examination, Mode, Weak, WeakSearch};

/// Re-fetches every configured JWKS (and re-reads key files). No arguments. Returns `{"text"}`.
pub const REFRESH_JWKS_COMMAND: &str = "jwt-lsp.refreshJwks";
/// The verification checklist of the token at `[{"uri", "position"}]`. Returns `{"text"}`.
pub const EXPLAIN_TOKEN_COMMAND: &str = "jwt-lsp.explainToken";

/// Verification state kept in the session, next to the resolved config.
#[derive(Default)]
pub(super) struct KeyState {
    /// Settings from the client (`initializationOptions`, then `didChangeConfiguration`).
    pub client_settings: Settings,
    /// `.jwt-lsp.toml` at the workspace root; its settings win over the client's.
    pub project: Option<Project>,
    /// Keys found in the workspace by the background discovery.
    pub discovered: Arc<KeyRing>,
    pub progress_supported: bool,
    pub watch_supported: bool,
}

impl Backend {
    /// Recomputes the config from the client settings with `.jwt-lsp.toml` on top, and the
    /// verifier from it (configured keys, secrets, wordlist, discovered keys, JWKS cache).
    pub(super) fn rebuild_config(&self) -> Vec<String> {
        // Held to the end: settings read and config stored as one step (see `Shared::rebuild`).
        let _rebuilding = self.shared.rebuild.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (settings, root, discovered) = {
            let session = self.shared.session.read().expect("session lock");
            let keys = &session.keys;
            let settings = match &keys.project {
                Some(project) => keys.client_settings.merged_with(&project.settings),
                None => keys.client_settings.clone(),
            };
            (settings, session.root.clone(), keys.discovered.clone())
        };
        let (config, mut warnings) = Config::resolve(&settings);
        let (verifier, more) = load::verifier(
            &config.verification,
            root.as_deref(),
            Some(&discovered),
            Some(self.shared.jwks.clone()),
            Mode::Deferred,
        );
        warnings.extend(more);
        let mut session = self.shared.session.write().expect("session lock");
        session.config = Arc::new(config);
        session.verifier = Arc::new(verifier);
        warnings
    }

    async fn show_warnings(&self, warnings: Vec<String>) {
        for warning in warnings {
            tracing::warn!("{warning}");
            self.shared.client.show_message(MessageType::WARNING, format!("jwt-lsp: {warning}")).await;
        }
    }

    fn refresh_views(&self) {
        self.reanalyze_all();
        let client = self.shared.client.clone();
        tokio::spawn(async move {
            let _ = client.inlay_hint_refresh().await;
        });
    }

    /// At `initialized`: the project file, file watchers, key discovery, JWKS prefetch.
    pub(super) fn start_verification(&self) {
        let backend = self.clone();
        tokio::spawn(async move {
            backend.reload_project().await;
            backend.register_watchers().await;
            backend.discover_keys().await;
            // After discovery: one walk of the workspace at a time at start-up.
            backend.index_workspace().await;
            backend.prefetch_jwks().await;
        });
    }

    fn root(&self) -> Option<std::path::PathBuf> {
        self.shared.session.read().expect("session lock").root.clone()
    }

    /// (Re)reads `.jwt-lsp.toml` at the workspace root and applies it. A broken file keeps the
    /// last good settings and says why.
    pub(super) async fn reload_project(&self) {
        let Some(root) = self.root() else { return };
        let path = root.join(project::FILE_NAME);
        let mut warnings = Vec::new();
        let loaded = if project::exists_as_file(&path) { Some(project::load(&path)) } else { None };
        {
            let mut session = self.shared.session.write().expect("session lock");
            match loaded {
                None => session.keys.project = None,
                Some(Ok(project)) => {
                    warnings.extend(project.warnings.iter().cloned());
                    session.keys.project = Some(project);
                }
                Some(Err(error)) => warnings.push(format!("{error} (keeping the previous settings)")),
            }
        }
        warnings.extend(self.rebuild_config());
        self.show_warnings(warnings).await;
        self.refresh_views();
    }

    async fn register_watchers(&self) {
        if !self.shared.session.read().expect("session lock").keys.watch_supported {
            return;
        }
        let watchers = json!({"watchers": [
            {"globPattern": format!("**/{}", project::FILE_NAME)},
            {"globPattern": "**/*jwks*.json"},
            {"globPattern": "**/*.{pem,crt,cer,pub,key}"},
            // The workspace index: verifier code, `.env` values, manifests (services), ignore files.
            {"globPattern": "**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx,py,go,java,cs,rb,php,rs}"},
            {"globPattern": "**/.env*"},
            {"globPattern": "**/{.gitignore,.ignore}"},
            // Manifests and lockfiles: library versions change code-rule severities.
            {"globPattern": format!("**/{{{}}}", crate::deps::WATCHED_FILE_NAMES.join(","))},
            {"globPattern": "**/requirements*.txt"},
            // .NET settings: the values C# code reads its keys from.
            {"globPattern": "**/appsettings*.json"},
            // Services the cross-check knows by their manifest alone.
            {"globPattern": "**/{setup.py,Cargo.toml,pom.xml,build.gradle,Gemfile,composer.json,*.csproj}"},
        ]});
        let registration = Registration {
            id: "jwt-lsp-key-files".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: Some(watchers),
        };
        if let Err(err) = self.shared.client.register_capability(vec![registration]).await {
            tracing::debug!("file watching not registered: {err}");
        }
    }

    /// Walks the workspace for JWKS and PEM files off the message loop, with work-done progress.
    pub(super) async fn discover_keys(&self) {
        let Some(root) = self.root() else { return };
        let client = self.shared.client.clone();
        let token = ProgressToken::String("jwt-lsp/discover-keys".to_string());
        let supported = self.shared.session.read().expect("session lock").keys.progress_supported;
        let progress = if supported && client.create_work_done_progress(token.clone()).await.is_ok() {
            Some(
                client
                    .progress(token, "jwt-lsp: finding keys")
                    .with_message("scanning the workspace for JWKS and PEM files")
                    .begin()
                    .await,
            )
        } else {
            None
        };
        let ignore = self.config().ignore_globs().clone();
        let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<usize>();
        let walk = tokio::task::spawn_blocking(move || {
            discover(&root, Some(&ignore), Limits::default(), |visited| {
                let _ = sender.send(visited);
            })
        });
        while let Some(visited) = receiver.recv().await {
            if let Some(progress) = &progress {
                progress.report(format!("{visited} files visited")).await;
            }
        }
        let found = match walk.await {
            Ok(found) => found,
            Err(err) => {
                tracing::error!("key discovery failed: {err}");
                if let Some(progress) = progress {
                    progress.finish_with_message("failed").await;
                }
                return;
            }
        };
        let summary = format!(
            "{} key{} in {} file{}{}",
            found.ring.keys.len(),
            if found.ring.keys.len() == 1 { "" } else { "s" },
            found.ring.sources.len(),
            if found.ring.sources.len() == 1 { "" } else { "s" },
            found.truncated.as_ref().map(|why| format!(" ({why})")).unwrap_or_default()
        );
        for error in found.ring.errors() {
            self.shared.client.log_message(MessageType::WARNING, format!("jwt-lsp: key discovery: {error}")).await;
        }
        self.shared.session.write().expect("session lock").keys.discovered = Arc::new(found.ring);
        let warnings = self.rebuild_config();
        self.show_warnings(warnings).await;
        self.refresh_views();
        if let Some(progress) = progress {
            progress.finish_with_message(summary).await;
        }
    }

    /// Fetches the configured JWKS URLs once at start (network access allowed only).
    async fn prefetch_jwks(&self) {
        let verifier = self.verifier();
        if verifier.remote.is_none() {
            return;
        }
        let cache = self.shared.jwks.clone();
        let urls = verifier.jwks_urls.clone();
        let errors = tokio::task::spawn_blocking(move || {
            urls.iter()
                .filter_map(|url| cache.get(url).error.map(|error| format!("JWKS {url}: {error}")))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        for error in errors {
            self.shared.client.log_message(MessageType::WARNING, format!("jwt-lsp: {error}")).await;
        }
        self.refresh_views();
    }

    /// `jwt-lsp.refreshJwks`: re-read key files and re-fetch every configured JWKS now.
    pub(super) async fn refresh_jwks_command(&self) -> Value {
        let warnings = self.rebuild_config();
        self.discover_keys().await;
        let verifier = self.verifier();
        let mut lines: Vec<String> = warnings;
        // The verifier uses the session's JWKS cache exactly when network access is on.
        match verifier.remote.as_ref().map(|_| self.shared.jwks.clone()) {
            None if verifier.jwks_urls.is_empty() => {
                lines.push("No JWKS URLs configured (setting `jwksUrls`); key files were re-read.".to_string())
            }
            None => lines.push("Network access is off (setting `allowNetwork`); key files were re-read.".to_string()),
            Some(cache) => {
                let urls = verifier.jwks_urls.clone();
                let fetched = tokio::task::spawn_blocking(move || {
                    urls.iter()
                        .map(|url| {
                            let lookup = cache.force_refresh(url);
                            match lookup.error {
                                None => format!(
                                    "{url}: {} key{}",
                                    lookup.keys.len(),
                                    if lookup.keys.len() == 1 { "" } else { "s" }
                                ),
                                Some(error) => format!("{url}: {error}"),
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .await
                .unwrap_or_default();
                lines.extend(fetched);
            }
        }
        lines.push(format!(
            "{} key{} known.",
            verifier.keys.keys.len(),
            if verifier.keys.keys.len() == 1 { "" } else { "s" }
        ));
        self.refresh_views();
        json!({ "text": lines.join("\n") })
    }

    /// `jwt-lsp.explainToken`: the checklist of the token at a position, as plain text.
    pub(super) fn explain_token_command(&self, arguments: &[Value]) -> Value {
        let Some((document, offset)) = self.document_position(arguments) else { return Value::Null };
        let analysis = self.analysis_of(&document);
        let Some(token) = analysis.token_at(offset) else { return Value::Null };
        let exam = self.examine(&document, &analysis, token);
        json!({ "text": exam.plain() })
    }

    /// The checklist for the hover.
    /// The hover's verification part: the token's checklist, then, for an HS* token that no
    /// configured wordlist covers, the built-in 104k list tried for this token alone (on demand:
    /// analyses of whole documents keep to the short list unless `wordlist = "builtin"`).
    pub(super) fn hover_verification(&self, document: &Document, analysis: &Analysis, token: &Token) -> String {
        let exam = self.examine(document, analysis, token);
        let mut markdown = exam.markdown();
        let (config, verifier) = self.analysis_inputs();
        let weak_found = exam.findings.iter().any(|finding| finding.rule == Rule::TokenWeakSecret);
        if !config.is_on(Rule::TokenWeakSecret) || verifier.wordlist.is_some() || weak_found {
            return markdown;
        }
        // A hover is a lookup: the verdict comes from the cache, and a missing one is searched
        // in the background (one search at a time) for the next hover.
        let cached = crate::bundled::builtin_wordlist_if_loaded().and_then(|list| {
            crate::verify::weak::with_hmac_target(&token.compact, |target| match list.covers(target) {
                false => Some(Search::OverBudget),
                true => crate::verify::weak::cached_wordlist_verdict(&list, target)
                    .map(|verdict| verdict.map_or(Search::NotFound, Search::Found)),
            })
            .flatten()
        });
        let is_hmac = crate::verify::weak::with_hmac_target(&token.compact, |_| ()).is_some();
        let entries = || crate::text::thousands(crate::bundled::builtin_wordlist().entries.len());
        match cached {
            Some(Search::Found(found)) => markdown.push_str(&format!(
                "\n**Built-in wordlist:** the signature verifies with the publicly known secret {}: anyone can mint tokens this key accepts. Set `wordlist` to `builtin` to report it as `token-weak-secret`.\n",
                found.describe(|offset| document.index.line_of(&document.text, offset)),
            )),
            Some(Search::NotFound) => {
                markdown.push_str(&format!("\n**Built-in wordlist:** not one of the {} publicly known JWT secrets.\n", entries()))
            }
            Some(Search::OverBudget | Search::SignerSearched) => markdown.push_str(
                "\n**Built-in wordlist:** not searched: the token is too long to try against the publicly known secrets.\n",
            ),
            None if is_hmac => {
                static SEARCHING: AtomicBool = AtomicBool::new(false);
                if !SEARCHING.swap(true, Ordering::AcqRel) {
                    let compact = token.compact.clone();
                    crate::background::spawn_idle("jwt-lsp-wordlist", move || {
                        // Cleared even if the search panics (the guard drops while unwinding).
                        let _searching = ClearOnDrop(&SEARCHING);
                        crate::verify::weak::token_wordlist_search(&crate::bundled::builtin_wordlist(), &compact);
                    });
                }
                markdown.push_str(
                    "\n**Built-in wordlist:** searching the publicly known JWT secrets in the background (about 20 ms); hover again for the verdict.\n",
                );
            }
            None => {}
        }
        markdown
    }

    /// The token's checklist: what the analysis of this version computed (a lookup, or a
    /// rendering of the kept weak-secret outcome). Examined now only when the analysis judged
    /// nothing for it (every verification rule off, or an analysis rebuilt from facts), with the
    /// candidates the analysis kept.
    fn examine(&self, document: &Document, analysis: &Analysis, token: &Token) -> Arc<Examination> {
        let (config, verifier) = self.analysis_inputs();
        let clock = config.clock(super::wall_clock());
        let line_of = |offset: usize| document.index.line_of(&document.text, offset);
        if let Some(exam) = analysis.checklist(token, &verifier, clock, &line_of) {
            return exam;
        }
        let extracted;
        let candidates = match &analysis.candidates {
            Some(candidates) => Some(candidates.as_ref()),
            None if config.is_on(Rule::TokenWeakSecret) => {
                let analysed = analysis::Document {
                    text: &document.text,
                    path: document.path.as_deref(),
                    language_id: Some(&document.language_id),
                    index: &document.index,
                };
                extracted = analysis::candidates_for(&analysis.tokens, &analysed);
                extracted.as_deref()
            }
            None => None,
        };
        let budget = Budget::per_document();
        let weak = candidates.map_or(Weak::Off, |candidates| Weak::Search(WeakSearch { candidates, budget: &budget }));
        Arc::new(verifier.examine_with(token, weak, clock, &line_of))
    }

    /// Runs what an analysis deferred (wordlist search, JWKS re-fetch) on the blocking pool and
    /// re-analyses the document if that taught us something.
    pub(super) fn run_deferred(&self, uri: Uri, document: Arc<Document>, work: Vec<Deferred>) {
        let backend = self.clone();
        let verifier = self.verifier();
        tokio::spawn(async move {
            let deferred = crate::background::spawn_idle("jwt-lsp-deferred", move || verifier.run_deferred(&work));
            let changed = deferred.await.unwrap_or(false);
            if changed && backend.shared.documents.is_current(&uri, document.version) {
                let fresh = Document::new(
                    document.version,
                    document.text.clone(),
                    document.language_id.clone(),
                    document.path.clone(),
                );
                let fresh = backend.shared.documents.open(uri.clone(), fresh);
                backend.schedule_analysis(uri, fresh);
            }
        });
    }

    /// A watched file changed: the project file is reloaded, keys discovered again when a key
    /// file changed (not for every source file: discovery walks the whole folder). Whether the
    /// project file changed.
    pub(super) async fn watched_files_changed(&self, params: &DidChangeWatchedFilesParams) -> bool {
        let project_changed = params.changes.iter().any(|change| change.uri.as_str().ends_with(project::FILE_NAME));
        if project_changed {
            self.reload_project().await;
        }
        let keys_changed = params
            .changes
            .iter()
            .any(|change| change.uri.to_file_path().is_some_and(|path| named_like_a_key_file(&path)));
        if keys_changed {
            self.discover_keys().await;
        }
        project_changed
    }

    pub(super) fn is_project_file(&self, uri: &Uri) -> bool {
        let Some(root) = self.root() else { return false };
        uri.to_file_path().is_some_and(|path| path == root.join(project::FILE_NAME))
    }
}

/// The names key discovery reads (the watcher's key patterns): `*jwks*.json`, PEM-style files.
fn named_like_a_key_file(path: &std::path::Path) -> bool {
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else { return false };
    let name = name.to_ascii_lowercase();
    (name.contains("jwks") && name.ends_with(".json"))
        || name
            .rsplit_once('.')
            .is_some_and(|(_, extension)| matches!(extension, "pem" | "crt" | "cer" | "pub" | "key"))
}

/// What the client supports, read at `initialize`.
pub(super) fn client_support(capabilities: &ClientCapabilities) -> (bool, bool) {
    let progress = capabilities.window.as_ref().and_then(|window| window.work_done_progress).unwrap_or(false);
    let watch = capabilities
        .workspace
        .as_ref()
        .and_then(|workspace| workspace.did_change_watched_files.as_ref())
        .and_then(|watched| watched.dynamic_registration)
        .unwrap_or(false);
    (progress, watch)
}

/// Clears a flag when dropped.
struct ClearOnDrop(&'static AtomicBool);

impl Drop for ClearOnDrop {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}
