//! Dependency files for the server (issue 13): the service of an open document, its manifests and
//! lockfiles read from disk (the open document's own text wins), the hover on dependency lines.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Uri};

use super::Backend;
use crate::deps::{self, Dependencies, ServiceCache};
use crate::lsp::documents::Document;

/// The cache of one workspace root and advisories setting.
#[derive(Default)]
pub(super) struct DependencyState {
    current: Option<(PathBuf, Option<String>, Arc<ServiceCache>)>,
}

impl Backend {
    fn dependency_cache(&self) -> Option<Arc<ServiceCache>> {
        let (root, advisories) = {
            let session = self.shared.session.read().expect("session lock");
            (session.root.clone()?, session.config.advisories.clone())
        };
        let mut state = self.shared.dependencies.lock().expect("not poisoned");
        if let Some((known_root, known_advisories, cache)) = &state.current
            && *known_root == root
            && *known_advisories == advisories
        {
            return Some(cache.clone());
        }
        let loaded = deps::advisories(advisories.as_deref()).unwrap_or_else(|err| {
            tracing::warn!("{err}; using the built-in advisories");
            crate::bundled::advisories()
        });
        let naming_root = root.clone();
        let cache = Arc::new(ServiceCache::new(
            root.clone(),
            move |path| {
                let relative = path.strip_prefix(&naming_root).unwrap_or(path);
                relative.to_string_lossy().replace('\\', "/")
            },
            loaded,
        ));
        state.current = Some((root, advisories, cache.clone()));
        Some(cache)
    }

    /// The dependencies of the service the document at `uri` belongs to, when its analysis can
    /// use them (a dependency file or source code in a workspace folder). Reads files: call it
    /// off the async runtime.
    pub(super) fn dependencies_for(&self, path: Option<&str>) -> Option<Arc<Dependencies>> {
        let path = path?;
        if !deps::wants(path) {
            return None;
        }
        let root = self.shared.session.read().expect("session lock").root.clone()?;
        // Document paths are relative to the root (or absolute outside it: `join` keeps those).
        Some(self.dependency_cache()?.for_file(&root.join(path)))
    }

    /// Manifests and lockfiles among `uris` (saved, or changed on disk by `npm install`, `git
    /// pull`, …): the dependencies of their services are read again, and the open documents of
    /// those services analysed again (library versions change code-rule severities).
    pub(super) fn dependency_files_changed(&self, uris: &[Uri]) {
        let changed: Vec<PathBuf> = uris
            .iter()
            .filter_map(|uri| uri.to_file_path().map(|path| path.to_path_buf()))
            .filter(|path| is_read_as_dependency_file(path))
            .collect();
        if changed.is_empty() {
            return;
        }
        let Some(cache) = self.shared.dependencies.lock().expect("not poisoned").current.as_ref().map(|c| c.2.clone())
        else {
            return;
        };
        let folders: Vec<PathBuf> = changed.iter().filter_map(|path| path.parent().map(Path::to_path_buf)).collect();
        let mut forgotten: HashSet<PathBuf> = HashSet::new();
        for path in &changed {
            forgotten.extend(cache.forget_changed(path));
        }
        let Some(root) = self.shared.session.read().expect("session lock").root.clone() else { return };
        // Which service a document belongs to lists folders: off the message loop.
        let backend = self.clone();
        tokio::task::spawn_blocking(move || {
            let affected: Vec<Uri> = backend
                .shared
                .documents
                .all()
                .into_iter()
                .filter(|(_, document)| {
                    document.path.as_deref().is_some_and(|relative| {
                        let path = root.join(relative);
                        // In a service whose files changed, or below a changed manifest (one
                        // created or deleted there moves files between services).
                        deps::wants(relative)
                            && (forgotten.contains(&cache.service_folder(&path))
                                || folders.iter().any(|folder| path.starts_with(folder)))
                    })
                })
                .map(|(uri, _)| uri)
                .collect();
            backend.reanalyze(&affected);
        });
    }

    /// The hover on a dependency line: resolved version and its JWT advisories.
    pub(super) fn dependency_hover(&self, document: &Document, offset: usize) -> Option<Hover> {
        let path = document.path.as_deref()?;
        let name = path.rsplit('/').next().unwrap_or(path);
        if !deps::is_dependency_file(name) {
            return None;
        }
        let dependencies = self.dependencies_for(Some(path))?;
        let current = dependencies.with_document(path, &document.text)?;
        let value = deps::rule::hover(path, &current, offset)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }),
            range: None,
        })
    }
}

/// Whether the dependency reader reads `path` by its name (`requirements/base.txt` counts as an
/// include of a requirements file; `appsettings*.json` hold the values C# keys are read from).
fn is_read_as_dependency_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else { return false };
    deps::is_dependency_file(name)
        || deps::settings::is_settings_file(name)
        || (name.ends_with(".txt") && path.to_string_lossy().contains("requirements"))
}
