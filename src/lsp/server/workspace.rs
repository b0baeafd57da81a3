//! The server's workspace index: at start-up, on a configuration change and when the root changes,
//! the workspace folder is walked in the background (`.gitignore`, `ignore` globs, size and count
//! caps, `$/progress`) and the tokens and verifier calls of every file are kept per file
//! (`FileTable`); on save and when watched files change only those files are read again (a
//! deleted file's facts go), and the cross-check (`crate::workspace`) runs again from the kept
//! facts. `token-rejected-by-verifier` findings reach the editor for every file, opened or not
//! (published diagnostics or the pull model; setting `diagnosticsScope`: `workspace` (default) or
//! `openFiles`). Hovers on a token list the verdict of each verifier that receives it; a code lens
//! above each verifier says how many of the workspace's tokens it accepts.
//!
//! Kept between runs: facts only (per file its tokens, verifier calls and each token's place in
//! the editor; findings with the hash of the token text they were made on, verdict lines, lens
//! counts), never file texts.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};
use tower_lsp_server::ls_types::*;

use super::{Backend, Document, convert, wall_clock};
use crate::code::Language;
use crate::config::Config;
use crate::crosscheck::Verdict;
use crate::finding::Finding;
use crate::jwt::checks::{Clock, check_token};
use crate::rules::Rule;
use crate::text::{Encoding, LineIndex};
use crate::workspace::{self, FileFacts, Index, Interner, KeptFacts};

/// Returns the tokens a verifier accepts and rejects: `[{"uri", "line"}]` (the code lens's
/// command; arguments `[{"uri", "line"}]` of the verifier).
pub const VERIFIER_TOKENS_COMMAND: &str = "jwt-lsp.verifierTokens";

/// Files larger than this are not indexed.
const MAX_INDEXED_FILE_BYTES: u64 = 2 * 1024 * 1024;
/// At most this many files are indexed per workspace folder.
const MAX_INDEXED_FILES: usize = 50_000;

/// Where workspace findings are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Scope {
    /// Every file of the workspace, opened or not.
    #[default]
    Workspace,
    /// Only open documents.
    OpenFiles,
}

impl Scope {
    /// `diagnosticsScope` from a settings object (`{"jwtLsp": {...}}` or the section itself).
    pub(super) fn from_settings(value: &Value) -> Option<Scope> {
        let inner = value.get("jwtLsp").or_else(|| value.get("jwt-lsp")).unwrap_or(value);
        match inner.get("diagnosticsScope")?.as_str()? {
            "openFiles" => Some(Scope::OpenFiles),
            "workspace" => Some(Scope::Workspace),
            _ => None,
        }
    }
}

/// A finding of the index on one file, with what it was made on.
#[derive(Clone)]
struct Kept {
    finding: Finding,
    /// Hash of the token's text: an open document whose text there differs no longer has it.
    token_hash: u64,
}

/// A code lens of a verifier call.
#[derive(Clone)]
struct Lens {
    line: u32,
    character: u32,
    accepted: usize,
    received: usize,
    /// The tokens it receives: (file, zero-based line, verdict).
    tokens: Vec<(PathBuf, u32, bool)>,
}

/// What the last index run found.
#[derive(Default)]
pub(super) struct WorkspaceState {
    pub scope: Scope,
    /// The client pulls diagnostics (`textDocument/diagnostic`, `workspace/diagnostic`): workspace
    /// findings are served there, and published diagnostics keep each document's own.
    pub pull: bool,
    /// Incremented per run; only the latest run stores its result.
    generation: u64,
    /// The run whose result is stored: the pull model's result id.
    stored: u64,
    findings: HashMap<PathBuf, Vec<Kept>>,
    /// Diagnostics of each file with findings, converted from its text on disk.
    diagnostics: HashMap<PathBuf, Vec<Diagnostic>>,
    /// Verdict lines per distinct token (by hash of its compact form).
    verdicts: HashMap<u64, Vec<String>>,
    lenses: HashMap<PathBuf, Vec<Lens>>,
    /// Files whose workspace diagnostics were published while not open.
    published: HashSet<PathBuf>,
    /// The running index's progress token and its cancel flag (the progress has a cancel button).
    cancel: Option<(String, Arc<AtomicBool>)>,
}

fn hash_of(text: &str) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    text.hash(&mut hasher);
    hasher.finish()
}

/// One index run's result, built off the message loop.
struct Built {
    findings: HashMap<PathBuf, Vec<Kept>>,
    verdicts: HashMap<u64, Vec<String>>,
    lenses: HashMap<PathBuf, Vec<Lens>>,
    /// Diagnostics for files that are not open, converted when their tokens were indexed.
    diagnostics: HashMap<PathBuf, Vec<Diagnostic>>,
    /// Files in the index, and how many of them this run read.
    files: usize,
    read: usize,
}

/// A file change reported by the editor (save, `workspace/didChangeWatchedFiles`).
pub(super) struct FileChange {
    pub path: PathBuf,
    pub deleted: bool,
}

/// The facts of every indexed file, kept between runs so that a change reads only the changed
/// files. Taken by the run that holds `Shared::index`; a run that fails leaves it empty, and the
/// next run walks the whole folder.
#[derive(Default)]
pub(super) struct FileTable {
    /// The folder the last full walk indexed; `None` before it (or after a failed run).
    root: Option<PathBuf>,
    /// Every indexed file by relative `/`-separated path (manifests make services, `.env` files
    /// hold key values), with its facts when it has tokens or verifier calls.
    files: BTreeMap<String, Option<FileEntry>>,
    interner: Interner,
}

struct FileEntry {
    facts: KeptFacts,
    /// One per token of `facts`, in the same order.
    places: Vec<TokenPlace>,
}

/// Where a token is in the editor, measured when its file was read.
struct TokenPlace {
    range: Range,
    /// Hash of the token's text in the file (an open document that differs there is stale).
    text_hash: u64,
    /// A `jwt-lsp-ignore` comment silences `token-rejected-by-verifier` on its line.
    suppressed: bool,
}

impl Backend {
    /// `window/workDoneProgress/cancel`: the cancel button of the indexing progress stops the walk.
    pub(crate) async fn work_done_progress_cancel(&self, params: WorkDoneProgressCancelParams) {
        let ProgressToken::String(name) = params.token else { return };
        let state = self.shared.workspace.lock().expect("workspace lock");
        if let Some((running, cancelled)) = &state.cancel
            && *running == name
        {
            cancelled.store(true, Ordering::Relaxed);
        }
    }

    fn workspace_root(&self) -> Option<PathBuf> {
        self.shared.session.read().expect("session lock").root.clone()
    }

    /// Walks the whole workspace in the background (start-up, configuration change) and
    /// publishes what changed.
    pub(super) async fn index_workspace(&self) {
        self.run_index(None).await;
    }

    /// Reads again only the files that changed (created, changed or deleted), then judges every
    /// token from the kept facts. Walks the whole folder when there is nothing kept yet, when a
    /// folder or an ignore file changed, or when the settings changed since the last walk.
    pub(super) async fn reindex_files(&self, changes: Vec<FileChange>) {
        if !changes.is_empty() {
            self.run_index(Some(changes)).await;
        }
    }

    async fn run_index(&self, changes: Option<Vec<FileChange>>) {
        let Some(root) = self.workspace_root() else { return };
        // One run at a time, each on the facts the previous one kept.
        let mut table = self.shared.index.lock().await;
        let generation = {
            let mut state = self.shared.workspace.lock().expect("workspace lock");
            state.generation += 1;
            state.generation
        };
        let config = self.config();
        let encoding = self.encoding();
        let client = self.shared.client.clone();
        let supported = self.shared.session.read().expect("session lock").keys.progress_supported;
        let token_name = format!("jwt-lsp/index-workspace/{generation}");
        let cancelled = Arc::new(AtomicBool::new(false));
        self.shared.workspace.lock().expect("workspace lock").cancel = Some((token_name.clone(), cancelled.clone()));
        let token = ProgressToken::String(token_name);
        let message = match &changes {
            None => "tokens and verifiers".to_string(),
            Some(changes) => format!("{} changed file{}", changes.len(), if changes.len() == 1 { "" } else { "s" }),
        };
        let progress = if supported && client.create_work_done_progress(token.clone()).await.is_ok() {
            Some(client.progress(token, "jwt-lsp: indexing").with_message(message).with_cancel_button().begin().await)
        } else {
            None
        };
        let taken = std::mem::take(&mut *table);
        let walk_cancelled = cancelled.clone();
        // At idle priority: the walk reads and analyses every file, and must not delay a hover
        // or a keystroke's diagnostics (it ran beside the first requests of every session).
        let built = crate::background::spawn_idle("jwt-lsp-index", move || {
            let mut table = taken;
            let clock = config.clock(wall_clock());
            let updated = match changes {
                Some(changes) if table.can_update(&root) => table.update(&root, &changes, &config, clock, encoding),
                _ => None,
            };
            let built = match updated {
                // Nothing the index holds changed (files outside it, ignored ones): no new verdicts.
                Some(Updated { read: 0, changed: false }) => None,
                Some(Updated { read, .. }) => Some(judge(&table, &root, &config, clock, read)),
                None => match FileTable::walk(&root, &config, clock, encoding, &walk_cancelled) {
                    Some(walked) => {
                        table = walked;
                        Some(judge(&table, &root, &config, clock, table.files.len()))
                    }
                    // Cancelled: nothing is judged on half a workspace (a token whose accepting
                    // verifier was not read yet would be reported); the next change walks again.
                    None => {
                        table = FileTable::default();
                        None
                    }
                },
            };
            (table, built)
        })
        .await;
        // The run's index, key rings and judgements were freed in many small blocks, in the
        // blocking thread's own malloc arena: hand them back (10,000 files: 275 MB → 92 MB
        // resident after 15 changes).
        super::release_free_memory();
        let built = match built {
            Ok((kept, Some(built))) => {
                *table = kept;
                built
            }
            Ok((kept, None)) => {
                *table = kept;
                if let Some(progress) = progress {
                    let said = if cancelled.load(Ordering::Relaxed) { "cancelled" } else { "nothing indexed changed" };
                    progress.finish_with_message(said).await;
                }
                return;
            }
            Err(_) => {
                // Not the JoinError itself: a panic's message can quote file text.
                tracing::error!("workspace index task failed");
                if let Some(progress) = progress {
                    progress.finish_with_message("failed").await;
                }
                return;
            }
        };
        let summary = format!(
            "{} of {} file{} read, {} with tokens a verifier rejects",
            built.read,
            built.files,
            if built.files == 1 { "" } else { "s" },
            built.findings.len()
        );
        self.store_and_publish(generation, built).await;
        drop(table);
        if let Some(progress) = progress {
            progress.finish_with_message(summary).await;
        }
    }

    async fn store_and_publish(&self, generation: u64, built: Built) {
        let (scope, stale, pull, to_publish) = {
            let mut state = self.shared.workspace.lock().expect("workspace lock");
            if state.generation != generation {
                return; // A newer run is under way.
            }
            let before: HashSet<PathBuf> = state.findings.keys().cloned().collect();
            // Files whose diagnostics are what was published already are not sent again (a
            // change of one file rarely changes the others').
            let to_publish: HashMap<PathBuf, Vec<Diagnostic>> = built
                .diagnostics
                .iter()
                .filter(|(path, diagnostics)| {
                    !(state.published.contains(*path) && state.diagnostics.get(*path) == Some(*diagnostics))
                })
                .map(|(path, diagnostics)| (path.clone(), diagnostics.clone()))
                .collect();
            state.findings = built.findings;
            state.verdicts = built.verdicts;
            state.lenses = built.lenses;
            state.diagnostics = built.diagnostics;
            state.stored = generation;
            let now: HashSet<PathBuf> = state.findings.keys().cloned().collect();
            let stale: Vec<PathBuf> =
                before.union(&state.published).filter(|path| !now.contains(*path)).cloned().collect();
            (state.scope, stale, state.pull, to_publish)
        };
        let client = self.shared.client.clone();
        tokio::spawn(async move {
            let _ = client.code_lens_refresh().await;
        });
        if pull {
            // The client asks again for what it shows.
            let client = self.shared.client.clone();
            tokio::spawn(async move {
                let _ = client.workspace_diagnostic_refresh().await;
            });
            return;
        }
        let open: HashMap<PathBuf, (Uri, Arc<Document>)> = self
            .shared
            .documents
            .all()
            .into_iter()
            .filter_map(|(uri, document)| Some((uri.to_file_path()?.to_path_buf(), (uri, document))))
            .collect();
        // Open documents: re-analysed, their diagnostics merge the workspace's.
        for (uri, document) in open.values() {
            self.schedule_analysis(uri.clone(), document.clone());
        }
        let _guard = self.shared.publish.lock().await;
        for (path, diagnostics) in to_publish {
            if open.contains_key(&path) || scope == Scope::OpenFiles {
                continue;
            }
            let Some(uri) = Uri::from_file_path(&path) else { continue };
            self.shared.client.publish_diagnostics(uri, diagnostics, None).await;
            self.shared.workspace.lock().expect("workspace lock").published.insert(path);
        }
        for path in stale {
            if open.contains_key(&path) {
                continue;
            }
            let Some(uri) = Uri::from_file_path(&path) else { continue };
            self.shared.client.publish_diagnostics(uri, Vec::new(), None).await;
            self.shared.workspace.lock().expect("workspace lock").published.remove(&path);
        }
    }

    /// The workspace findings to publish with an open document's own (none when the client
    /// pulls them).
    pub(super) fn workspace_findings(&self, uri: &Uri, document: &Document) -> Vec<Finding> {
        if self.shared.workspace.lock().expect("workspace lock").pull {
            return Vec::new();
        }
        self.findings_in(uri, document)
    }

    /// The workspace findings still true of an open document (its text at each token unchanged).
    fn findings_in(&self, uri: &Uri, document: &Document) -> Vec<Finding> {
        let Some(path) = uri.to_file_path() else { return Vec::new() };
        let state = self.shared.workspace.lock().expect("workspace lock");
        let Some(kept) = state.findings.get(path.as_ref() as &Path) else { return Vec::new() };
        kept.iter()
            .filter(|kept| {
                document.text.get(kept.finding.range.clone()).is_some_and(|text| hash_of(text) == kept.token_hash)
            })
            .map(|kept| kept.finding.clone())
            .collect()
    }

    /// No folder is indexed any more: its findings, verdicts and lenses go, and the files nobody
    /// opened are cleared.
    pub(super) async fn clear_workspace_index(&self) {
        let mut table = self.shared.index.lock().await;
        *table = FileTable::default();
        let (published, pull) = {
            let mut state = self.shared.workspace.lock().expect("workspace lock");
            state.generation += 1;
            state.stored = state.generation;
            state.findings.clear();
            state.diagnostics.clear();
            state.verdicts.clear();
            state.lenses.clear();
            (state.published.drain().collect::<Vec<PathBuf>>(), state.pull)
        };
        drop(table);
        let client = self.shared.client.clone();
        tokio::spawn(async move {
            let _ = client.code_lens_refresh().await;
            if pull {
                let _ = client.workspace_diagnostic_refresh().await;
            }
        });
        let _guard = self.shared.publish.lock().await;
        for path in published {
            if let Some(uri) = Uri::from_file_path(&path)
                && self.shared.documents.get(&uri).is_none()
            {
                self.shared.client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        }
    }

    /// What a file shows once it is closed: the index's diagnostics of it, converted from its
    /// text on disk when it was indexed (none when the client pulls them or only open files
    /// show them).
    pub(super) fn workspace_diagnostics_of_closed(&self, uri: &Uri) -> Vec<Diagnostic> {
        let Some(path) = uri.to_file_path().map(|path| path.to_path_buf()) else { return Vec::new() };
        let mut state = self.shared.workspace.lock().expect("workspace lock");
        if state.pull || state.scope == Scope::OpenFiles {
            return Vec::new();
        }
        match state.diagnostics.get(&path).cloned() {
            Some(diagnostics) => {
                state.published.insert(path);
                diagnostics
            }
            None => {
                state.published.remove(&path);
                Vec::new()
            }
        }
    }

    /// Markdown for a token's hover: the verdict of each workspace verifier that receives it.
    pub(super) fn workspace_verdicts_markdown(&self, compact: &str) -> Option<String> {
        let state = self.shared.workspace.lock().expect("workspace lock");
        let lines = state.verdicts.get(&hash_of(compact))?;
        let mut out = String::from("\n**Verifiers in this workspace**\n\n");
        for line in lines {
            out.push_str(&format!("- {line}\n"));
        }
        Some(out)
    }

    /// `diagnosticsScope` changed: publish or clear the diagnostics of files nobody opened.
    pub(super) async fn set_scope(&self, scope: Scope) {
        let changed = {
            let mut state = self.shared.workspace.lock().expect("workspace lock");
            let changed = state.scope != scope;
            state.scope = scope;
            changed
        };
        if changed {
            if self.shared.workspace.lock().expect("workspace lock").pull {
                let client = self.shared.client.clone();
                tokio::spawn(async move {
                    let _ = client.workspace_diagnostic_refresh().await;
                });
            } else if scope == Scope::OpenFiles {
                let published: Vec<PathBuf> =
                    self.shared.workspace.lock().expect("workspace lock").published.drain().collect();
                let _guard = self.shared.publish.lock().await;
                for path in published {
                    if let Some(uri) = Uri::from_file_path(&path)
                        && self.shared.documents.get(&uri).is_none()
                    {
                        self.shared.client.publish_diagnostics(uri, Vec::new(), None).await;
                    }
                }
            } else {
                // The last run's diagnostics are kept whatever the scope: published, not rebuilt.
                let stored: Vec<(PathBuf, Vec<Diagnostic>)> = {
                    let state = self.shared.workspace.lock().expect("workspace lock");
                    state.diagnostics.iter().map(|(path, diagnostics)| (path.clone(), diagnostics.clone())).collect()
                };
                let _guard = self.shared.publish.lock().await;
                for (path, diagnostics) in stored {
                    let Some(uri) = Uri::from_file_path(&path) else { continue };
                    if self.shared.documents.get(&uri).is_some() {
                        continue;
                    }
                    self.shared.client.publish_diagnostics(uri, diagnostics, None).await;
                    self.shared.workspace.lock().expect("workspace lock").published.insert(path);
                }
            }
        }
    }

    /// `textDocument/diagnostic` (pull model): the workspace findings of one document.
    pub(super) fn document_diagnostic_report(
        &self,
        params: &DocumentDiagnosticParams,
    ) -> DocumentDiagnosticReportResult {
        let uri = &params.text_document.uri;
        let (result_id, scope) = {
            let state = self.shared.workspace.lock().expect("workspace lock");
            (state.stored.to_string(), state.scope)
        };
        if params.previous_result_id.as_deref() == Some(result_id.as_str()) {
            return DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Unchanged(
                RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport { result_id },
                },
            ));
        }
        let items = match self.shared.documents.get(uri) {
            Some(document) => {
                let findings = self.findings_in(uri, &document);
                convert::diagnostics(&document.text, &document.index, &findings, self.encoding(), usize::MAX)
            }
            None if scope == Scope::OpenFiles => Vec::new(),
            None => uri
                .to_file_path()
                .and_then(|path| {
                    let state = self.shared.workspace.lock().expect("workspace lock");
                    state.diagnostics.get(path.as_ref() as &Path).cloned()
                })
                .unwrap_or_default(),
        };
        DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
            related_documents: None,
            full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: Some(result_id), items },
        }))
    }

    /// `workspace/diagnostic` (pull model): the workspace findings of every file nobody opened
    /// (open documents are pulled one by one), and empty reports for files that had some.
    pub(super) fn workspace_diagnostic_report(
        &self,
        params: &WorkspaceDiagnosticParams,
    ) -> WorkspaceDiagnosticReportResult {
        let open: HashSet<PathBuf> = self
            .shared
            .documents
            .all()
            .into_iter()
            .filter_map(|(uri, _)| Some(uri.to_file_path()?.to_path_buf()))
            .collect();
        let state = self.shared.workspace.lock().expect("workspace lock");
        let result_id = state.stored.to_string();
        let previous: HashMap<PathBuf, &str> = params
            .previous_result_ids
            .iter()
            .filter_map(|previous| Some((previous.uri.to_file_path()?.to_path_buf(), previous.value.as_str())))
            .collect();
        let mut items = Vec::new();
        let shown = |path: &PathBuf| state.scope == Scope::Workspace && !open.contains(path);
        for (path, diagnostics) in state.diagnostics.iter().filter(|(path, _)| shown(path)) {
            let Some(uri) = Uri::from_file_path(path) else { continue };
            items.push(if previous.get(path) == Some(&result_id.as_str()) {
                WorkspaceDocumentDiagnosticReport::Unchanged(WorkspaceUnchangedDocumentDiagnosticReport {
                    uri,
                    version: None,
                    unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                        result_id: result_id.clone(),
                    },
                })
            } else {
                WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                    uri,
                    version: None,
                    full_document_diagnostic_report: FullDocumentDiagnosticReport {
                        result_id: Some(result_id.clone()),
                        items: diagnostics.clone(),
                    },
                })
            });
        }
        // Files reported before that have nothing now: cleared.
        for path in previous.keys().filter(|path| !(shown(path) && state.diagnostics.contains_key(*path))) {
            if open.contains(path) {
                continue;
            }
            let Some(uri) = Uri::from_file_path(path) else { continue };
            items.push(WorkspaceDocumentDiagnosticReport::Full(WorkspaceFullDocumentDiagnosticReport {
                uri,
                version: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: Some(result_id.clone()),
                    items: Vec::new(),
                },
            }));
        }
        WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items })
    }

    /// `textDocument/codeLens`: above each verifier call, how many workspace tokens it accepts.
    pub(super) fn workspace_code_lenses(&self, uri: &Uri) -> Vec<CodeLens> {
        let Some(path) = uri.to_file_path() else { return Vec::new() };
        let state = self.shared.workspace.lock().expect("workspace lock");
        let Some(lenses) = state.lenses.get(path.as_ref() as &Path) else { return Vec::new() };
        lenses
            .iter()
            .map(|lens| {
                let at = Position { line: lens.line, character: lens.character };
                let title = format!(
                    "accepts {} of {} token{} in this workspace",
                    lens.accepted,
                    lens.received,
                    if lens.received == 1 { "" } else { "s" }
                );
                CodeLens {
                    range: Range { start: at, end: at },
                    command: Some(Command {
                        title,
                        command: VERIFIER_TOKENS_COMMAND.to_string(),
                        arguments: Some(vec![json!({"uri": uri, "line": lens.line})]),
                    }),
                    data: None,
                }
            })
            .collect()
    }

    /// `jwt-lsp.verifierTokens`: the tokens the verifier at `[{"uri", "line"}]` receives, as a
    /// location list with each verdict.
    pub(super) fn verifier_tokens_command(&self, arguments: &[Value]) -> Value {
        let Some(argument) = arguments.first() else { return Value::Null };
        let Some(uri) = argument.get("uri").cloned().and_then(|uri| serde_json::from_value::<Uri>(uri).ok()) else {
            return Value::Null;
        };
        let Some(line) = argument.get("line").and_then(Value::as_u64) else { return Value::Null };
        let Some(path) = uri.to_file_path() else { return Value::Null };
        let state = self.shared.workspace.lock().expect("workspace lock");
        let Some(lens) = state
            .lenses
            .get(path.as_ref() as &Path)
            .and_then(|lenses| lenses.iter().find(|lens| u64::from(lens.line) == line))
        else {
            return Value::Null;
        };
        let tokens: Vec<Value> = lens
            .tokens
            .iter()
            .filter_map(|(file, line, accepted)| {
                let uri = Uri::from_file_path(file)?;
                let at = Position { line: *line, character: 0 };
                Some(json!({
                    "uri": uri,
                    "range": Range { start: at, end: at },
                    "verdict": if *accepted { "accepts" } else { "rejects" },
                }))
            })
            .collect();
        json!(tokens)
    }
}

impl FileTable {
    /// Walks `root` and reads every file it may index.
    /// `None` when `cancelled` was set during the walk (the progress's cancel button).
    fn walk(
        root: &Path,
        config: &Config,
        clock: Clock,
        encoding: Encoding,
        cancelled: &AtomicBool,
    ) -> Option<FileTable> {
        let mut table = FileTable { root: Some(root.to_path_buf()), ..FileTable::default() };
        let mut walk = ignore::WalkBuilder::new(root);
        walk.hidden(false).require_git(false).filter_entry(|entry| entry.file_name() != ".git");
        for entry in walk.build().flatten() {
            if cancelled.load(Ordering::Relaxed) {
                return None;
            }
            if table.files.len() >= MAX_INDEXED_FILES {
                break;
            }
            if !entry.file_type().is_some_and(|kind| kind.is_file()) {
                continue;
            }
            let Ok(relative) = entry.path().strip_prefix(root) else { continue };
            let display = relative.to_string_lossy().replace('\\', "/");
            if config.is_ignored(&display) {
                continue;
            }
            let entry = index_file(entry.path(), &display, clock, encoding, &mut table.interner);
            table.files.insert(display, entry);
        }
        Some(table)
    }

    /// Whether the kept facts can be updated file by file: a full walk of this folder made them.
    /// (A settings change walks again: `Backend::settings_changed`.)
    fn can_update(&self, root: &Path) -> bool {
        self.root.as_deref() == Some(root)
    }

    /// Reads the changed files again and forgets the deleted ones; `None` when only a full walk
    /// is right (a folder or an ignore file changed).
    fn update(
        &mut self,
        root: &Path,
        changes: &[FileChange],
        config: &Config,
        clock: Clock,
        encoding: Encoding,
    ) -> Option<Updated> {
        let mut read = 0;
        let mut changed = false;
        for change in changes {
            let Ok(relative) = change.path.strip_prefix(root) else { continue };
            let display = relative.to_string_lossy().replace('\\', "/");
            if display.is_empty() || relative.components().any(|part| part.as_os_str() == ".git") {
                continue;
            }
            let name = relative.file_name().and_then(|name| name.to_str()).unwrap_or("");
            if name == ".gitignore" || name == ".ignore" {
                return None;
            }
            if change.deleted || !change.path.exists() {
                // A deleted folder takes the files under it.
                changed |= self.files.remove(&display).is_some();
                let under = format!("{display}/");
                let gone: Vec<String> = self
                    .files
                    .range(under.clone()..)
                    .take_while(|(path, _)| path.starts_with(&under))
                    .map(|(path, _)| path.clone())
                    .collect();
                changed |= !gone.is_empty();
                for path in gone {
                    self.files.remove(&path);
                }
                continue;
            }
            let Ok(metadata) = std::fs::symlink_metadata(&change.path) else { continue };
            if metadata.is_dir() {
                return None;
            }
            if !metadata.is_file() {
                // The walk does not follow links or read special files either.
                changed |= self.files.remove(&display).is_some();
                continue;
            }
            if config.is_ignored(&display) || git_ignored(root, &change.path) {
                changed |= self.files.remove(&display).is_some();
                continue;
            }
            if !self.files.contains_key(&display) && self.files.len() >= MAX_INDEXED_FILES {
                continue;
            }
            read += 1;
            let entry = index_file(&change.path, &display, clock, encoding, &mut self.interner);
            self.files.insert(display, entry);
        }
        self.interner.prune();
        Some(Updated { read, changed: changed || read > 0 })
    }
}

/// What `FileTable::update` did.
#[derive(Debug, PartialEq)]
struct Updated {
    /// Files read again.
    read: usize,
    /// Whether any file's facts were replaced or forgotten.
    changed: bool,
}

/// Whether a `.gitignore` or `.ignore` file between `root` and `path` ignores it, as the walk
/// would (the nearest file that decides wins).
fn git_ignored(root: &Path, path: &Path) -> bool {
    let Some(folder) = path.parent() else { return false };
    for ancestor in folder.ancestors() {
        if !ancestor.starts_with(root) {
            break;
        }
        for name in [".ignore", ".gitignore"] {
            let file = ancestor.join(name);
            if !file.is_file() {
                continue;
            }
            let (matcher, _) = ignore::gitignore::Gitignore::new(&file);
            let decision = matcher.matched_path_or_any_parents(path, false);
            if decision.is_ignore() {
                return true;
            }
            if decision.is_whitelist() {
                return false;
            }
        }
    }
    false
}

/// Reads one file and keeps its tokens (with their own findings and places) and verifier calls.
fn index_file(
    path: &Path,
    display: &str,
    clock: Clock,
    encoding: Encoding,
    interner: &mut Interner,
) -> Option<FileEntry> {
    let bytes = crate::keys::file::read_regular(path, MAX_INDEXED_FILE_BYTES, "indexed files").ok()?;
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return None;
    }
    let text = String::from_utf8_lossy(&bytes);
    let tokens = crate::jwt::scan::find_tokens(&text);
    let code = matches!(Language::detect(Some(display), None), Some(language) if language != Language::Markdown);
    if tokens.is_empty() && !code {
        return None;
    }
    let findings: Vec<Finding> = tokens.iter().flat_map(|token| check_token(token, clock)).collect();
    let line_index = LineIndex::new(&text);
    // The server's index reads no settings files yet: a C# key from configuration stays unknown here.
    let facts = FileFacts::from_parts(display, &text, &line_index, tokens, &findings, None, None).keep(interner);
    if facts.is_empty() {
        return None;
    }
    let spans: Vec<std::ops::Range<usize>> = facts.tokens().map(|token| token.span.clone()).collect();
    let offsets: Vec<usize> = spans.iter().flat_map(|span| [span.start, span.end]).collect();
    let positions = line_index.line_cols(&text, &offsets, encoding);
    let suppressions = crate::suppress::find_suppressions(&text, &line_index);
    let places = spans
        .iter()
        .zip(positions.chunks_exact(2))
        .map(|(span, at)| {
            let line = line_index.line_of(&text, span.start);
            TokenPlace {
                range: Range {
                    start: Position { line: at[0].line, character: at[0].col },
                    end: Position { line: at[1].line, character: at[1].col },
                },
                text_hash: text.get(span.clone()).map_or(0, hash_of),
                suppressed: suppressions.iter().any(|suppression| {
                    suppression.line == line
                        && (suppression.codes.is_empty()
                            || suppression.codes.iter().any(|code| code == Rule::TokenRejectedByVerifier.code()))
                }),
            }
        })
        .collect();
    Some(FileEntry { facts, places })
}

/// Judges every token from the kept facts; what the run stores and publishes.
fn judge(table: &FileTable, root: &Path, config: &Config, clock: Clock, read: usize) -> Built {
    let mut index = Index::default();
    for (path, entry) in &table.files {
        index.add_kept(path, entry.as_ref().map(|entry| &entry.facts));
    }
    index.sort();
    let cross = workspace::cross_check(&index, root, clock.now);
    let mut built = Built {
        findings: HashMap::new(),
        verdicts: HashMap::new(),
        lenses: HashMap::new(),
        diagnostics: HashMap::new(),
        files: table.files.len(),
        read,
    };
    let mut by_path: HashMap<String, Vec<(Finding, Range, u64)>> = HashMap::new();
    for (path, mut finding) in workspace::findings(&index, &cross, config) {
        let Some(Some(entry)) = table.files.get(&path) else { continue };
        let Some(place) = entry
            .facts
            .tokens()
            .position(|token| token.span == finding.range)
            .and_then(|number| entry.places.get(number))
        else {
            continue;
        };
        if place.suppressed {
            continue;
        }
        for related in &mut finding.related {
            related.path = root.join(&related.path).to_string_lossy().into_owned();
        }
        by_path.entry(path).or_default().push((finding, place.range, place.text_hash));
    }
    for (path, mut findings) in by_path {
        let absolute = root.join(&path);
        findings.sort_by_key(|(finding, _, _)| finding.range.start);
        let placed: Vec<(Finding, Range)> =
            findings.iter().map(|(finding, range, _)| (finding.clone(), *range)).collect();
        let diagnostics = convert::placed_diagnostics(&placed, config.max_diagnostics);
        let kept = findings.into_iter().map(|(finding, _, token_hash)| Kept { finding, token_hash }).collect();
        built.findings.insert(absolute.clone(), kept);
        built.diagnostics.insert(absolute, diagnostics);
    }
    let acceptance = crate::crosscheck::acceptance(&cross.judgements, index.verifiers.len());
    let mut receivers: Vec<Vec<(PathBuf, u32, bool)>> = vec![Vec::new(); index.verifiers.len()];
    for judgement in &cross.judgements {
        let token = &index.tokens[judgement.token];
        let mut lines = Vec::new();
        for (number, verdict) in &judgement.verdicts {
            let verifier = &index.verifiers[*number];
            let call = &verifier.call;
            let text = match verdict {
                Verdict::Accepts { signature_checked: true } => "accepts".to_string(),
                Verdict::Accepts { signature_checked: false } => "accepts (signature not checked)".to_string(),
                Verdict::Rejects { reason, .. } => format!("rejects: {reason}"),
            };
            lines.push(format!("`{}:{}` ({}) {text}", verifier.path, verifier.start.line + 1, call.library));
            receivers[*number].push((root.join(&token.path), token.start.line, !verdict.rejects()));
        }
        if !lines.is_empty() {
            built.verdicts.entry(hash_of(&token.token.compact)).or_insert(lines);
        }
    }
    for ((verifier, (accepted, received)), tokens) in index.verifiers.iter().zip(acceptance).zip(receivers) {
        built.lenses.entry(root.join(&verifier.path)).or_default().push(Lens {
            line: verifier.start.line,
            character: verifier.column_utf16,
            accepted,
            received,
            tokens,
        });
    }
    built
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJzdmMiLCJhdWQiOiJiaWxsaW5nLWFwaSIsImV4cCI6MTc2NzIyOTIwMH0.9tGICaqF14pA_IloHdEOSNS8P0pVnWir_nY4Wv_cs7c";

    /// Files read, or `None` for "walk again".
    fn update(table: &mut FileTable, root: &Path, path: &str, deleted: bool) -> Option<usize> {
        let changes = [FileChange { path: root.join(path), deleted }];
        let clock = Clock { now: 1_767_225_600, leeway: 0 };
        table.update(root, &changes, &Config::default(), clock, Encoding::Utf16).map(|updated| updated.read)
    }

    #[test]
    fn updates_read_only_changed_files_and_honour_ignore_files() {
        let folder = tempfile::tempdir().unwrap();
        let root = folder.path();
        std::fs::write(root.join(".gitignore"), "build/\n").unwrap();
        std::fs::create_dir_all(root.join("build")).unwrap();
        std::fs::create_dir_all(root.join("src/nested")).unwrap();
        std::fs::write(root.join("tokens.txt"), format!("TOKEN={TOKEN}\n")).unwrap();
        std::fs::write(root.join("src/nested/more.txt"), format!("TOKEN={TOKEN}\n")).unwrap();
        std::fs::write(root.join("build/out.txt"), format!("TOKEN={TOKEN}\n")).unwrap();
        let clock = Clock { now: 1_767_225_600, leeway: 0 };
        let mut table =
            FileTable::walk(root, &Config::default(), clock, Encoding::Utf16, &AtomicBool::new(false)).unwrap();
        let files = |table: &FileTable| table.files.keys().cloned().collect::<Vec<_>>();
        assert_eq!(files(&table), [".gitignore", "src/nested/more.txt", "tokens.txt"]);
        assert!(table.can_update(root));

        // A created file in an ignored folder is not read; one elsewhere is, with its token's place.
        std::fs::write(root.join("build/new.txt"), format!("TOKEN={TOKEN}\n")).unwrap();
        assert_eq!(update(&mut table, root, "build/new.txt", false), Some(0));
        std::fs::write(root.join("new.txt"), format!("# one line first\nTOKEN={TOKEN}\n")).unwrap();
        assert_eq!(update(&mut table, root, "new.txt", false), Some(1));
        let entry = table.files["new.txt"].as_ref().expect("facts of new.txt");
        assert_eq!(entry.places[0].range.start, Position { line: 1, character: 6 });
        assert_eq!(entry.places[0].text_hash, hash_of(TOKEN));

        // A deleted folder takes its files; a file with nothing to keep is still listed.
        std::fs::remove_dir_all(root.join("src")).unwrap();
        let changes = [FileChange { path: root.join("src"), deleted: true }];
        let updated = table.update(root, &changes, &Config::default(), clock, Encoding::Utf16);
        assert_eq!(updated, Some(Updated { read: 0, changed: true }));
        let outside = [FileChange { path: PathBuf::from("/elsewhere/x.js"), deleted: false }];
        let updated = table.update(root, &outside, &Config::default(), clock, Encoding::Utf16);
        assert_eq!(updated, Some(Updated { read: 0, changed: false }), "nothing to judge again");
        std::fs::write(root.join("tokens.txt"), "no token any more\n").unwrap();
        assert_eq!(update(&mut table, root, "tokens.txt", false), Some(1));
        assert!(table.files["tokens.txt"].is_none());
        assert_eq!(files(&table), [".gitignore", "new.txt", "tokens.txt"]);

        // An ignore file or a folder event: only a full walk is right.
        assert_eq!(update(&mut table, root, ".gitignore", false), None);
        std::fs::create_dir_all(root.join("lib")).unwrap();
        assert_eq!(update(&mut table, root, "lib", false), None);
    }

    #[test]
    fn a_suppressed_token_is_marked() {
        let folder = tempfile::tempdir().unwrap();
        let root = folder.path();
        let text = format!(
            "# jwt-lsp-ignore: token-rejected-by-verifier\nA={TOKEN}\n# jwt-lsp-ignore: token-expired\nB={TOKEN}\n"
        );
        std::fs::write(root.join("t.txt"), text).unwrap();
        let clock = Clock { now: 1_767_225_600, leeway: 0 };
        let table = FileTable::walk(root, &Config::default(), clock, Encoding::Utf16, &AtomicBool::new(false)).unwrap();
        let places = &table.files["t.txt"].as_ref().unwrap().places;
        assert_eq!(places.iter().map(|place| place.suppressed).collect::<Vec<_>>(), [true, false]);
    }

    #[test]
    fn a_cancelled_walk_keeps_nothing() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join("t.txt"), format!("A={TOKEN}\n")).unwrap();
        let clock = Clock { now: 1_767_225_600, leeway: 0 };
        let cancelled = AtomicBool::new(true);
        assert!(FileTable::walk(folder.path(), &Config::default(), clock, Encoding::Utf16, &cancelled).is_none());
    }
}
