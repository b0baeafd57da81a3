//! The `LanguageServer` implementation: each handler updates the store, asks the analysis and
//! converts. Long work (analysis of a changed document) runs on the blocking pool, off the
//! message loop; only the latest version of a document is ever published.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, Weak};

use serde_json::Value;
use tokio::sync::Mutex;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::convert;
use super::documents::{Change, Document, DocumentStore, Facts, UpdateError};
use crate::analysis::{self, Analysis, Inputs};
use crate::config::{Config, Settings};
use crate::jwt::describe::plain_report;
use crate::jwt::time::UnixSeconds;
use crate::jwt::{Form, Payload};
use crate::keys::fetch::JwksCache;
use crate::suppress::{CommentStyle, ignore_fix};
use crate::text::Encoding;
use crate::verify::Verifier;

/// `workspace/executeCommand` commands. Arguments: `[{"uri": ..., "position": {...}}]`.
pub const DECODE_TOKEN_COMMAND: &str = "jwt-lsp.decodeToken";

mod dependencies;
mod snippet;
mod verification;
mod workspace;
pub use snippet::VERIFIER_SNIPPET_COMMAND;
pub use verification::{EXPLAIN_TOKEN_COMMAND, REFRESH_JWKS_COMMAND};
pub use workspace::VERIFIER_TOKENS_COMMAND;

/// The wall clock, for a session without the `now` setting: read here, at each analysis, hover and
/// inlay hint (a token expires while the editor is open), never inside the analysis.
fn wall_clock() -> UnixSeconds {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// State shared by handlers and background tasks.
pub struct Shared {
    pub client: Client,
    pub documents: DocumentStore,
    session: RwLock<Session>,
    /// Serialises "is this still the latest version? then publish", so a slow analysis of an old
    /// version can never publish after a newer one.
    publish: Mutex<()>,
    /// Serialises rebuilding the config and the verifier. Without it a slow rebuild (key
    /// discovery finishing) that read the settings before a `didChangeConfiguration` could store
    /// its config after the one built from the new settings: a lost update, found by CI.
    rebuild: std::sync::Mutex<()>,
    /// JWKS fetched over the network, kept across settings changes.
    jwks: Arc<JwksCache>,
    /// Full analyses (tokens decoded) of the documents used last: hovers, inlay hints and code
    /// actions come in bursts on the document being edited. Documents keep only `Facts`.
    recent: std::sync::Mutex<VecDeque<RecentAnalysis>>,
    /// The dependency files of services, read on first use (`dependencies.rs`).
    dependencies: std::sync::Mutex<dependencies::DependencyState>,
    /// The workspace index's findings, verdicts and code lenses (`workspace.rs`).
    workspace: std::sync::Mutex<workspace::WorkspaceState>,
    /// The per-file facts of the workspace index; held by the index run under way, so runs
    /// happen one at a time, each on what the previous one kept.
    index: Mutex<workspace::FileTable>,
}

/// Analysing a document this large frees enough memory to hand it back to the system at once.
const LARGE_DOCUMENT_BYTES: usize = 256 * 1024;

/// How many full analyses are kept (one per document; about 12 MB for 1 MB of dense code).
const RECENT_ANALYSES: usize = 2;

struct RecentAnalysis {
    uri: Uri,
    document: Weak<Document>,
    analysis: Arc<Analysis>,
}

struct Session {
    encoding: Encoding,
    root: Option<PathBuf>,
    /// Settings from `initializationOptions`; later `didChangeConfiguration` settings win.
    initial_settings: Settings,
    config: Arc<Config>,
    /// Built with `config` from the same settings (keys loaded, JWKS cache attached).
    verifier: Arc<Verifier>,
    keys: verification::KeyState,
    /// The client opens documents on request (`window/showDocument`).
    show_document: bool,
}

#[derive(Clone)]
pub struct Backend {
    shared: Arc<Shared>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend {
            shared: Arc::new(Shared {
                client,
                documents: DocumentStore::default(),
                session: RwLock::new(Session {
                    encoding: Encoding::Utf16,
                    root: None,
                    initial_settings: Settings::default(),
                    config: Arc::new(Config::default()),
                    verifier: Arc::new(Verifier::default()),
                    keys: verification::KeyState::default(),
                    show_document: false,
                }),
                publish: Mutex::new(()),
                rebuild: std::sync::Mutex::new(()),
                jwks: Arc::new(JwksCache::default()),
                recent: std::sync::Mutex::new(VecDeque::new()),
                dependencies: std::sync::Mutex::default(),
                workspace: std::sync::Mutex::new(workspace::WorkspaceState::default()),
                index: Mutex::new(workspace::FileTable::default()),
            }),
        }
    }

    fn encoding(&self) -> Encoding {
        self.shared.session.read().expect("session lock").encoding
    }

    fn config(&self) -> Arc<Config> {
        self.shared.session.read().expect("session lock").config.clone()
    }

    fn verifier(&self) -> Arc<Verifier> {
        self.shared.session.read().expect("session lock").verifier.clone()
    }

    /// The config and the verifier an analysis runs with, read together (one settings change).
    fn analysis_inputs(&self) -> (Arc<Config>, Arc<Verifier>) {
        let session = self.shared.session.read().expect("session lock");
        (session.config.clone(), session.verifier.clone())
    }

    fn relative_path(&self, uri: &Uri) -> Option<String> {
        let path = uri.to_file_path()?;
        let session = self.shared.session.read().expect("session lock");
        let relative = match &session.root {
            Some(root) => path.strip_prefix(root).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf()),
            None => path.to_path_buf(),
        };
        Some(relative.to_string_lossy().replace('\\', "/"))
    }

    /// Applies new settings; warnings (unknown codes, bad values) are shown to the user.
    fn apply_settings(&self, settings: Settings) -> Vec<String> {
        {
            let mut session = self.shared.session.write().expect("session lock");
            session.keys.client_settings = session.initial_settings.merged_with(&settings);
        }
        // `.jwt-lsp.toml` still wins over these; keys are reloaded.
        self.rebuild_config()
    }

    /// Analyses `document` in the background and publishes its diagnostics if it is still the
    /// latest version when done.
    fn schedule_analysis(&self, uri: Uri, document: Arc<Document>) {
        let backend = self.clone();
        let shared = self.shared.clone();
        let (config, verifier) = self.analysis_inputs();
        let encoding = self.encoding();
        tokio::spawn(async move {
            if !shared.documents.is_current(&uri, document.version) {
                return; // A newer version is already queued.
            }
            let analysed = document.clone();
            let reader = backend.clone();
            let result = tokio::task::spawn_blocking(move || {
                let dependencies = reader.dependencies_for(analysed.path.as_deref());
                let doc = analysis::Document {
                    text: &analysed.text,
                    path: analysed.path.as_deref(),
                    language_id: Some(&analysed.language_id),
                    index: &analysed.index,
                };
                let inputs = Inputs::new(&config, &verifier, wall_clock()).with_dependencies(dependencies.as_deref());
                (analysis::analyze_isolated(&doc, &inputs), config)
            })
            .await;
            let (analysis, config) = match result {
                Ok((isolated, config)) => {
                    // A failed stage costs only its own findings: log it, publish the rest.
                    for failure in &isolated.failures {
                        tracing::error!(uri = uri.as_str(), "{failure}");
                        shared.client.log_message(MessageType::ERROR, format!("{}: {failure}", uri.as_str())).await;
                    }
                    (isolated.analysis, config)
                }
                Err(join_error) => {
                    // Not `{join_error}`: a panic's JoinError quotes the panic message.
                    let reason = if join_error.is_panic() { "panicked" } else { "was cancelled" };
                    tracing::error!(uri = uri.as_str(), "analysis task {reason}");
                    return;
                }
            };
            let analysis = backend.keep_analysis(&uri, &document, analysis);
            if document.text.len() >= LARGE_DOCUMENT_BYTES {
                // Its analysis freed many times the text's size in small blocks.
                release_free_memory();
            }
            // The workspace index's findings on this document (tokens its verifiers reject).
            let workspace_findings = backend.workspace_findings(&uri, &document);
            let merged: Vec<crate::finding::Finding>;
            let findings = if workspace_findings.is_empty() {
                &analysis.findings
            } else {
                merged = analysis.findings.iter().cloned().chain(workspace_findings).collect();
                &merged
            };
            let diagnostics =
                convert::diagnostics(&document.text, &document.index, findings, encoding, config.max_diagnostics);
            let _guard = shared.publish.lock().await;
            // Made with a config that has since been replaced: the change scheduled a fresh
            // analysis, and this one must not publish over it.
            let current_config = Arc::ptr_eq(&config, &backend.config());
            if current_config && shared.documents.is_current(&uri, document.version) {
                shared.client.publish_diagnostics(uri.clone(), diagnostics, Some(document.version)).await;
            }
            if !analysis.deferred.is_empty() {
                backend.run_deferred(uri, document.clone(), analysis.deferred.clone());
            }
        });
    }

    /// The analysis of `document`: the one kept from its last use, else expanded from its facts,
    /// else computed now if the background task has not finished.
    fn analysis_of(&self, document: &Arc<Document>) -> Arc<Analysis> {
        if let Some(analysis) = self.recent_analysis(document) {
            return analysis;
        }
        if let Some(facts) = document.facts.get() {
            let analysis = Arc::new(facts.expand(&document.text));
            self.remember(None, document, analysis.clone());
            return analysis;
        }
        let analysis: Arc<Analysis> = {
            let (config, verifier) = self.analysis_inputs();
            let dependencies = self.dependencies_for(document.path.as_deref());
            let doc = analysis::Document {
                text: &document.text,
                path: document.path.as_deref(),
                language_id: Some(&document.language_id),
                index: &document.index,
            };
            let inputs = Inputs::new(&config, &verifier, wall_clock()).with_dependencies(dependencies.as_deref());
            Arc::new(analysis::analyze_isolated(&doc, &inputs).analysis)
        };
        document.facts.get_or_init(|| Facts::of(&analysis));
        self.remember(None, document, analysis.clone());
        analysis
    }

    /// Stores the facts of a finished analysis in its document and keeps the analysis itself
    /// among the recent ones.
    fn keep_analysis(&self, uri: &Uri, document: &Arc<Document>, analysis: Analysis) -> Arc<Analysis> {
        document.facts.get_or_init(|| Facts::of(&analysis));
        let analysis = Arc::new(analysis);
        self.remember(Some(uri), document, analysis.clone());
        analysis
    }

    fn recent_analysis(&self, document: &Arc<Document>) -> Option<Arc<Analysis>> {
        let recent = self.shared.recent.lock().ok()?;
        recent.iter().find(|entry| entry.document.as_ptr() == Arc::as_ptr(document)).map(|entry| entry.analysis.clone())
    }

    fn remember(&self, uri: Option<&Uri>, document: &Arc<Document>, analysis: Arc<Analysis>) {
        let Ok(mut recent) = self.shared.recent.lock() else { return };
        let uri = match uri {
            Some(uri) => uri.clone(),
            None => match self.shared.documents.uri_of(document) {
                Some(uri) => uri,
                None => return, // Closed or replaced meanwhile: nobody will ask again.
            },
        };
        // One entry per document: an older version's analysis is of no use any more.
        recent.retain(|entry| entry.uri != uri && entry.document.strong_count() > 0);
        if recent.len() >= RECENT_ANALYSES {
            recent.pop_front();
        }
        recent.push_back(RecentAnalysis { uri, document: Arc::downgrade(document), analysis });
    }

    /// Forgets everything kept for a closed document, and returns freed memory to the system.
    fn forget(&self, uri: &Uri) {
        if let Ok(mut recent) = self.shared.recent.lock() {
            recent.retain(|entry| &entry.uri != uri);
        }
        if self.shared.documents.is_empty() {
            // Parse trees kept for incremental re-parsing of recently analysed texts.
            crate::code::clear_parse_cache();
        }
        release_free_memory();
    }

    fn reanalyze_all(&self) {
        let all: Vec<Uri> = self.shared.documents.all().into_iter().map(|(uri, _)| uri).collect();
        self.reanalyze(&all);
    }

    /// Analyses these open documents again (their inputs changed, not their text).
    fn reanalyze(&self, uris: &[Uri]) {
        for uri in uris {
            let Some(document) = self.shared.documents.get(uri) else { continue };
            let uri = uri.clone();
            // A fresh snapshot: the cached analysis was made with the old settings.
            let fresh = Document::new(
                document.version,
                document.text.clone(),
                document.language_id.clone(),
                document.path.clone(),
            );
            let fresh = self.shared.documents.open(uri.clone(), fresh);
            self.schedule_analysis(uri, fresh);
        }
    }

    /// Asks the client for the `jwtLsp` settings section (pull model), off the message loop.
    fn pull_configuration(&self) {
        let backend = self.clone();
        tokio::spawn(async move {
            let items = vec![ConfigurationItem { scope_uri: None, section: Some("jwtLsp".to_string()) }];
            match backend.shared.client.configuration(items).await {
                Ok(values) => {
                    if let Some(value) = values.into_iter().next().filter(|value| !value.is_null()) {
                        backend.settings_changed(&value).await;
                    }
                }
                Err(err) => tracing::debug!("workspace/configuration not answered: {err}"),
            }
        });
    }

    async fn settings_changed(&self, value: &Value) {
        if let Some(scope) = workspace::Scope::from_settings(value) {
            self.set_scope(scope).await;
        }
        match Settings::from_json(value) {
            Ok(settings) => {
                let before = self.shared.session.read().expect("session lock").keys.client_settings.clone();
                let warnings = self.apply_settings(settings);
                let changed = self.shared.session.read().expect("session lock").keys.client_settings != before;
                if changed {
                    // Ignore globs, the clock and severities shape the index: walk it again.
                    let backend = self.clone();
                    tokio::spawn(async move { backend.index_workspace().await });
                }
                for warning in warnings {
                    self.shared.client.show_message(MessageType::WARNING, format!("jwt-lsp: {warning}")).await;
                }
                self.reanalyze_all();
                let client = self.shared.client.clone();
                tokio::spawn(async move {
                    let _ = client.inlay_hint_refresh().await;
                });
            }
            Err(err) => self.shared.client.show_message(MessageType::WARNING, format!("jwt-lsp: {err}")).await,
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let offered = params.capabilities.general.as_ref().and_then(|general| general.position_encodings.as_deref());
        let encoding = convert::negotiate_encoding(offered);
        #[allow(deprecated)]
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .and_then(|folder| folder.uri.to_file_path().map(|path| path.to_path_buf()))
            .or_else(|| params.root_uri.as_ref().and_then(|uri| uri.to_file_path().map(|path| path.to_path_buf())));
        // Clients that pull diagnostics (VS Code) get the workspace's findings that way.
        let pull = params.capabilities.text_document.as_ref().is_some_and(|text| text.diagnostic.is_some());
        {
            let mut state = self.shared.workspace.lock().expect("workspace lock");
            state.pull = pull;
            if let Some(scope) = params.initialization_options.as_ref().and_then(workspace::Scope::from_settings) {
                state.scope = scope;
            }
        }
        let (initial_settings, warning) = match params.initialization_options.as_ref().map(Settings::from_json) {
            None => (Settings::default(), None),
            Some(Ok(settings)) => (settings, None),
            Some(Err(err)) => (Settings::default(), Some(err)),
        };
        // Resolved again (with keys) by `rebuild_config` below.
        let (config, _) = Config::resolve(&initial_settings);
        let (progress_supported, watch_supported) = verification::client_support(&params.capabilities);
        {
            let mut session = self.shared.session.write().expect("session lock");
            let keys = verification::KeyState {
                client_settings: initial_settings.clone(),
                progress_supported,
                watch_supported,
                ..verification::KeyState::default()
            };
            let verifier = Arc::new(Verifier::default());
            let show_document = params.capabilities.window.as_ref().and_then(|window| window.show_document.as_ref());
            let show_document = show_document.is_some_and(|capability| capability.support);
            *session =
                Session { encoding, root, initial_settings, config: Arc::new(config), verifier, keys, show_document };
        }
        let mut warnings = self.rebuild_config();
        warnings.extend(warning);
        for warning in warnings {
            tracing::warn!("{warning}");
            let client = self.shared.client.clone();
            tokio::spawn(async move { client.show_message(MessageType::WARNING, format!("jwt-lsp: {warning}")).await });
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(convert::encoding_kind(encoding)),
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    // Saving `.jwt-lsp.toml` applies it (for clients that do not watch files).
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..TextDocumentSyncOptions::default()
                })),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
                diagnostic_provider: pull.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some("jwt-lsp-workspace".to_string()),
                        inter_file_dependencies: true,
                        workspace_diagnostics: true,
                        work_done_progress_options: WorkDoneProgressOptions::default(),
                    })
                }),
                inlay_hint_provider: Some(OneOf::Left(true)),
                // The first folder is the one indexed; when it is removed, the next one added is.
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, snippet::verifier_action_kind()]),
                    ..CodeActionOptions::default()
                })),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![
                        DECODE_TOKEN_COMMAND.to_string(),
                        REFRESH_JWKS_COMMAND.to_string(),
                        EXPLAIN_TOKEN_COMMAND.to_string(),
                        VERIFIER_SNIPPET_COMMAND.to_string(),
                        VERIFIER_TOKENS_COMMAND.to_string(),
                    ],
                    ..ExecuteCommandOptions::default()
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "jwt-lsp".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        tracing::info!("jwt-lsp {} initialised", env!("CARGO_PKG_VERSION"));
        self.pull_configuration();
        // Key discovery, then the workspace index (`verification.rs`).
        self.start_verification();
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let item = params.text_document;
        let path = self.relative_path(&item.uri);
        let document = self
            .shared
            .documents
            .open(item.uri.clone(), Document::new(item.version, item.text, item.language_id, path));
        self.schedule_analysis(item.uri, document);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let changes = params
            .content_changes
            .into_iter()
            .map(|change| Change {
                range: change.range.map(|range| (convert::line_col(range.start), convert::line_col(range.end))),
                text: change.text,
            })
            .collect();
        match self.shared.documents.update(&uri, params.text_document.version, changes, self.encoding()) {
            Ok(document) => self.schedule_analysis(uri, document),
            Err(UpdateError::UnknownDocument) => {
                tracing::warn!(uri = uri.as_str(), "didChange for a document that is not open")
            }
            Err(UpdateError::StaleVersion { held, got }) => {
                tracing::warn!(uri = uri.as_str(), "ignored didChange with version {got}: already at {held}")
            }
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        if self.shared.documents.close(&uri) {
            self.forget(&uri);
            // Its own findings go; the workspace index's stay unless only open files show them.
            let remaining = self.workspace_diagnostics_of_closed(&uri);
            let _guard = self.shared.publish.lock().await;
            self.shared.client.publish_diagnostics(uri, remaining, None).await;
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        self.dependency_files_changed(std::slice::from_ref(&uri));
        let backend = self.clone();
        if self.is_project_file(&uri) {
            // The project file's settings shape the whole index.
            self.reload_project().await;
            tokio::spawn(async move { backend.index_workspace().await });
            return;
        }
        let Some(path) = uri.to_file_path().map(|path| path.to_path_buf()) else { return };
        let changes = vec![workspace::FileChange { path, deleted: false }];
        tokio::spawn(async move { backend.reindex_files(changes).await });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let uris: Vec<Uri> = params.changes.iter().map(|change| change.uri.clone()).collect();
        self.dependency_files_changed(&uris);
        let project_changed = self.watched_files_changed(&params).await;
        let backend = self.clone();
        if project_changed {
            tokio::spawn(async move { backend.index_workspace().await });
            return;
        }
        let changes: Vec<workspace::FileChange> = params
            .changes
            .iter()
            .filter_map(|change| {
                let path = change.uri.to_file_path()?.to_path_buf();
                Some(workspace::FileChange { path, deleted: change.typ == FileChangeType::DELETED })
            })
            .collect();
        tokio::spawn(async move { backend.reindex_files(changes).await });
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let to_path = |folder: &WorkspaceFolder| folder.uri.to_file_path().map(|path| path.to_path_buf());
        let removed: Vec<PathBuf> = params.event.removed.iter().filter_map(to_path).collect();
        let added: Option<PathBuf> = params.event.added.iter().find_map(to_path);
        let root = {
            let mut session = self.shared.session.write().expect("session lock");
            if session.root.as_ref().is_some_and(|root| !removed.contains(root)) {
                return; // The indexed folder stays.
            }
            if session.root.is_none() && added.is_none() {
                return;
            }
            session.root = added;
            session.root.clone()
        };
        // Open documents are named relative to the new root (services, test paths, the index).
        for (uri, document) in self.shared.documents.all() {
            let path = self.relative_path(&uri);
            let fresh = Document::new(document.version, document.text.clone(), document.language_id.clone(), path);
            self.shared.documents.open(uri, fresh);
        }
        let backend = self.clone();
        tokio::spawn(async move {
            if root.is_none() {
                backend.clear_workspace_index().await;
            }
            // As at start-up: the project file, keys, then one walk of the new folder.
            backend.reload_project().await;
            backend.discover_keys().await;
            backend.index_workspace().await;
        });
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        Ok(self.document_diagnostic_report(&params))
    }

    async fn workspace_diagnostic(&self, params: WorkspaceDiagnosticParams) -> Result<WorkspaceDiagnosticReportResult> {
        Ok(self.workspace_diagnostic_report(&params))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        Ok(Some(self.workspace_code_lenses(&params.text_document.uri)))
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if params.settings.is_null() || params.settings.as_object().is_some_and(|object| object.is_empty()) {
            // Clients that use the pull model send an empty notification as a nudge.
            self.pull_configuration();
            return;
        }
        self.settings_changed(&params.settings).await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let Some(document) = self.shared.documents.get(&position.text_document.uri) else { return Ok(None) };
        let encoding = self.encoding();
        let offset = convert::offset(&document.text, &document.index, position.position, encoding);
        let analysis = self.analysis_of(&document);
        let now = self.config().clock(wall_clock()).now;
        let Some(token) = analysis.token_at(offset) else { return Ok(self.dependency_hover(&document, offset)) };
        let mut hover = convert::hover(&document.text, &document.index, token, now, encoding);
        if let HoverContents::Markup(markup) = &mut hover.contents {
            markup.value.push('\n');
            markup.value.push_str(&self.hover_verification(&document, &analysis, token));
            if let Some(verdicts) = self.workspace_verdicts_markdown(&token.compact) {
                markup.value.push_str(&verdicts);
            }
        }
        Ok(Some(hover))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let config = self.config();
        if !config.inlay_hints {
            return Ok(Some(Vec::new()));
        }
        let Some(document) = self.shared.documents.get(&params.text_document.uri) else { return Ok(None) };
        let encoding = self.encoding();
        let start = convert::offset(&document.text, &document.index, params.range.start, encoding);
        let end = convert::offset(&document.text, &document.index, params.range.end, encoding);
        let analysis = self.analysis_of(&document);
        let now = config.clock(wall_clock()).now;
        let visible = analysis.tokens.iter().filter(|token| token.span.end >= start && token.span.end <= end);
        let hints = convert::inlay_hints(&document.text, &document.index, visible, now, encoding);
        Ok(Some(hints))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let fixes_wanted = params.context.only.as_ref().is_none_or(|only| {
            only.iter().any(|kind| kind.as_str() == CodeActionKind::QUICKFIX.as_str() || kind.as_str().is_empty())
        });
        let verifiers_wanted = snippet::verifier_actions_wanted(params.context.only.as_deref());
        if !fixes_wanted && !verifiers_wanted {
            return Ok(None);
        }
        let uri = params.text_document.uri;
        let Some(document) = self.shared.documents.get(&uri) else { return Ok(None) };
        let encoding = self.encoding();
        let start = convert::offset(&document.text, &document.index, params.range.start, encoding);
        let end = convert::offset(&document.text, &document.index, params.range.end, encoding);
        let analysis = self.analysis_of(&document);
        let style = CommentStyle::for_file(document.path.as_deref(), Some(&document.language_id));
        let mut actions = Vec::new();
        for finding in analysis
            .findings
            .iter()
            .filter(|finding| fixes_wanted && finding.range.start <= end && finding.range.end >= start)
        {
            for fix in &finding.fixes {
                actions.push(CodeActionOrCommand::CodeAction(convert::code_action(
                    &uri,
                    &document.text,
                    &document.index,
                    finding,
                    fix,
                    encoding,
                )));
            }
            if let Some(style) = style {
                let fix = ignore_fix(&document.text, &document.index, finding, style);
                actions.push(CodeActionOrCommand::CodeAction(convert::code_action(
                    &uri,
                    &document.text,
                    &document.index,
                    finding,
                    &fix,
                    encoding,
                )));
            }
        }
        if verifiers_wanted {
            actions.extend(self.verifier_actions_in(&uri, &document, &analysis, start, end));
        }
        Ok(Some(actions))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        match params.command.as_str() {
            DECODE_TOKEN_COMMAND => Ok(Some(self.decode_token_command(&params.arguments))),
            REFRESH_JWKS_COMMAND => Ok(Some(self.refresh_jwks_command().await)),
            EXPLAIN_TOKEN_COMMAND => Ok(Some(self.explain_token_command(&params.arguments))),
            VERIFIER_SNIPPET_COMMAND => Ok(Some(self.verifier_snippet_command(&params.arguments).await)),
            VERIFIER_TOKENS_COMMAND => Ok(Some(self.verifier_tokens_command(&params.arguments))),
            other => Err(tower_lsp_server::jsonrpc::Error::invalid_params(format!("unknown command `{other}`"))),
        }
    }
}

impl Backend {
    /// `jwt-lsp.decodeToken`: the decoded token at a position, for editors' "decode at cursor".
    fn decode_token_command(&self, arguments: &[Value]) -> Value {
        let Some((document, offset)) = self.document_position(arguments) else { return Value::Null };
        let analysis = self.analysis_of(&document);
        let Some(token) = analysis.token_at(offset) else { return Value::Null };
        let now = self.config().clock(wall_clock()).now;
        let payload = match &token.payload {
            Payload::Claims(claims) => Value::Object(claims.map().clone()),
            Payload::NotObject(value) => value.clone(),
            _ => Value::Null,
        };
        serde_json::json!({
            "form": if token.form == Form::Jwe { "JWE" } else { "JWS" },
            "header": Value::Object(token.header.map().clone()),
            "payload": payload,
            "text": plain_report(token, now, &[]),
        })
    }

    /// Reads `[{"uri": ..., "position": {"line": .., "character": ..}}]` command arguments.
    fn document_position(&self, arguments: &[Value]) -> Option<(Arc<Document>, usize)> {
        let argument = arguments.first()?;
        let uri: Uri = serde_json::from_value(argument.get("uri")?.clone()).ok()?;
        let position: Position = serde_json::from_value(argument.get("position")?.clone()).ok()?;
        let document = self.shared.documents.get(&uri)?;
        let offset = convert::offset(&document.text, &document.index, position, self.encoding());
        Some((document, offset))
    }
}

/// Hands memory freed by closed documents back to the operating system. glibc's allocator keeps
/// freed blocks for reuse, and with a document's many small allocations freed between live ones
/// little is returned on its own: closing 50 large documents left the process at its peak size.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: glibc's malloc_trim only releases free memory; it has no preconditions.
        unsafe {
            malloc_trim(0);
        }
    }
}
