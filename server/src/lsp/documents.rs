//! Open documents: text, line index and the analysis of the current version.
//!
//! Each version is an immutable `Arc<Document>` snapshot; an edit builds the next one. Handlers
//! mutate the store synchronously (before any `.await`), so notifications apply in the order
//! they arrive even though tower-lsp-server runs handlers concurrently.

use std::sync::{Arc, OnceLock};

use dashmap::DashMap;
use tower_lsp_server::ls_types::Uri;

use crate::analysis::Analysis;
use crate::text::{Encoding, LineCol, LineIndex};

#[derive(Debug)]
pub struct Document {
    pub version: i32,
    pub text: String,
    pub index: LineIndex,
    pub language_id: String,
    /// Relative path for test-path globs and language detection.
    pub path: Option<String>,
    /// Filled once by the background analysis (or by the first request that needs it).
    pub analysis: OnceLock<Arc<Analysis>>,
}

impl Document {
    pub fn new(version: i32, text: String, language_id: String, path: Option<String>) -> Document {
        let index = LineIndex::new(&text);
        Document { version, text, index, language_id, path, analysis: OnceLock::new() }
    }
}

/// One edit from `didChange`: a range (in the negotiated encoding) or the whole text.
pub struct Change {
    pub range: Option<(LineCol, LineCol)>,
    pub text: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum UpdateError {
    UnknownDocument,
    /// The version is not newer than the one we hold (a duplicate or reordered notification).
    StaleVersion {
        held: i32,
        got: i32,
    },
}

#[derive(Default)]
pub struct DocumentStore {
    documents: DashMap<Uri, Arc<Document>>,
}

impl DocumentStore {
    pub fn open(&self, uri: Uri, document: Document) -> Arc<Document> {
        let document = Arc::new(document);
        self.documents.insert(uri, document.clone());
        document
    }

    pub fn close(&self, uri: &Uri) -> bool {
        self.documents.remove(uri).is_some()
    }

    pub fn get(&self, uri: &Uri) -> Option<Arc<Document>> {
        self.documents.get(uri).map(|entry| entry.value().clone())
    }

    pub fn is_current(&self, uri: &Uri, version: i32) -> bool {
        self.documents.get(uri).is_some_and(|entry| entry.version == version)
    }

    pub fn all(&self) -> Vec<(Uri, Arc<Document>)> {
        self.documents.iter().map(|entry| (entry.key().clone(), entry.value().clone())).collect()
    }

    /// Applies `changes` in order and stores the result as `version`.
    pub fn update(
        &self,
        uri: &Uri,
        version: i32,
        changes: Vec<Change>,
        encoding: Encoding,
    ) -> Result<Arc<Document>, UpdateError> {
        let mut entry = self.documents.get_mut(uri).ok_or(UpdateError::UnknownDocument)?;
        let current = entry.value().clone();
        if version <= current.version {
            return Err(UpdateError::StaleVersion { held: current.version, got: version });
        }
        let mut text = current.text.clone();
        // The index of the text as it is before each change: the stored one for the first change,
        // rebuilt only when several ranged changes arrive in one notification.
        let mut rebuilt: Option<LineIndex> = None;
        let count = changes.len();
        for (position, change) in changes.into_iter().enumerate() {
            match change.range {
                None => text = change.text,
                Some((start, end)) => {
                    let line_index = rebuilt.as_ref().unwrap_or(&current.index);
                    let start = line_index.offset(&text, start, encoding);
                    let end = line_index.offset(&text, end, encoding).max(start);
                    text.replace_range(start..end, &change.text);
                }
            }
            if position + 1 < count {
                rebuilt = Some(LineIndex::new(&text));
            }
        }
        let next = Arc::new(Document::new(version, text, current.language_id.clone(), current.path.clone()));
        *entry.value_mut() = next.clone();
        Ok(next)
    }
}
