//! Open documents: text, line index and what the analysis of the current version found.
//!
//! Each version is an immutable `Arc<Document>` snapshot; an edit builds the next one. Handlers
//! mutate the store synchronously (before any `.await`), so notifications apply in the order
//! they arrive even though tower-lsp-server runs handlers concurrently.
//!
//! Memory: a document keeps facts, not copies. A full `Analysis` holds every decoded token
//! (header and claims as JSON maps, the compact form, the signature) and one message string per
//! finding, about 12 KB per line of a file dense with tokens and verification code. A document
//! keeps only its findings, with each distinct message stored once ([`Facts`]); tokens are
//! decoded again from the text when a request needs them (the server keeps the last few such
//! analyses, see `Backend::analysis_of`).

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use dashmap::DashMap;
use tower_lsp_server::ls_types::Uri;

use crate::analysis::Analysis;
use crate::finding::{Finding, Fix, Severity};
use crate::rules::Rule;
use crate::text::{Encoding, LineCol, LineIndex};
use crate::verify::Deferred;
use crate::verify::weak::Candidates;

#[derive(Debug)]
pub struct Document {
    pub version: i32,
    pub text: String,
    pub index: LineIndex,
    pub language_id: String,
    /// Relative path for test-path globs and language detection.
    pub path: Option<String>,
    /// Filled once by the background analysis (or by the first request that needs it).
    pub facts: OnceLock<Facts>,
}

impl Document {
    pub fn new(version: i32, text: String, language_id: String, path: Option<String>) -> Document {
        let index = LineIndex::new(&text);
        Document { version, text, index, language_id, path, facts: OnceLock::new() }
    }
}

/// The findings of one analysis, compact: each distinct message is stored once (a file repeats
/// the same few messages for every call and every copy of a token).
#[derive(Debug, Default)]
pub struct Facts {
    findings: Vec<StoredFinding>,
    messages: Vec<Box<str>>,
    deferred: Vec<Deferred>,
    /// The weak-secret candidates, kept so a checklist computed later (for a hover on an
    /// expanded analysis) does not extract them again. A few KB at most (capped).
    candidates: Option<Arc<Candidates>>,
    /// Whether the analysis had tokens: an analysis that failed has none, and expanding must
    /// not find some.
    had_tokens: bool,
}

#[derive(Debug)]
struct StoredFinding {
    range: Range<usize>,
    /// Index into `Facts::messages`.
    message: u32,
    rule: Rule,
    severity: Severity,
    fixes: Option<Box<[Fix]>>,
}

impl Facts {
    pub fn of(analysis: &Analysis) -> Facts {
        let mut index: rustc_hash::FxHashMap<&str, u32> = rustc_hash::FxHashMap::default();
        let mut messages = Vec::new();
        let findings = analysis
            .findings
            .iter()
            .map(|finding| {
                let message = *index.entry(finding.message.as_str()).or_insert_with(|| {
                    messages.push(Box::from(finding.message.as_str()));
                    (messages.len() - 1) as u32
                });
                StoredFinding {
                    range: finding.range.clone(),
                    message,
                    rule: finding.rule,
                    severity: finding.severity,
                    fixes: (!finding.fixes.is_empty()).then(|| finding.fixes.clone().into_boxed_slice()),
                }
            })
            .collect();
        Facts {
            findings,
            messages,
            deferred: analysis.deferred.clone(),
            candidates: analysis.candidates.clone(),
            had_tokens: !analysis.tokens.is_empty(),
        }
    }

    /// The full analysis again: findings as stored, tokens as the scanner finds them in `text`
    /// (the same `scan::find_tokens` the analysis ran on the same text).
    pub fn expand(&self, text: &str) -> Analysis {
        let tokens = if self.had_tokens {
            std::panic::catch_unwind(|| crate::jwt::scan::find_tokens(text)).unwrap_or_default()
        } else {
            Vec::new()
        };
        let findings = self
            .findings
            .iter()
            .map(|stored| Finding {
                rule: stored.rule,
                severity: stored.severity,
                range: stored.range.clone(),
                message: self.messages[stored.message as usize].to_string(),
                fixes: stored.fixes.as_deref().map(<[Fix]>::to_vec).unwrap_or_default(),
                // A document's own analysis points nowhere else (workspace findings are not stored here).
                related: Vec::new(),
            })
            .collect();
        // The checklists are not kept (about 1 KB per distinct token): hovers on an expanded
        // analysis examine their token with the kept candidates.
        Analysis {
            tokens,
            findings,
            deferred: self.deferred.clone(),
            examinations: Default::default(),
            weak_outcomes: Default::default(),
            candidates: self.candidates.clone(),
            hmac_attempts: 0,
            verifier_calls: None,
        }
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

    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    pub fn get(&self, uri: &Uri) -> Option<Arc<Document>> {
        self.documents.get(uri).map(|entry| entry.value().clone())
    }

    /// The URI under which `document` is the current version.
    pub fn uri_of(&self, document: &Arc<Document>) -> Option<Uri> {
        self.documents.iter().find(|entry| Arc::ptr_eq(entry.value(), document)).map(|entry| entry.key().clone())
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
