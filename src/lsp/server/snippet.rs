//! "Open a verifier for this token": code actions on a token and the `jwt-lsp.verifierSnippet`
//! command behind them.
//!
//! LSP has no clipboard, and an edit that inserts a 60-line program into a `.env`, a log or a
//! JSON file would break that file. So the command writes the snippet to a file of the right
//! extension in a private temporary folder (the snippet holds no token, signature or secret) and
//! asks the client to open it with `window/showDocument`: VS Code and Neovim open it in a new
//! editor with the language's highlighting, to copy or save where it belongs — and jwt-lsp
//! analyses it like any other file. The text is also the command's result, for clients without
//! `showDocument` and for editor scripts.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower_lsp_server::ls_types::*;

use super::{Backend, convert};
use crate::jwt::Token;
use crate::snippet::{SnippetLanguage, snippet};

/// Arguments: `[{"uri", "position", "language": "node" | "python" | "go"}]`. Returns
/// `{"language", "text", "uri"}` (`uri` when the snippet was written to a file), or null when no
/// token is there; a token that gets no snippet is explained in a message.
pub const VERIFIER_SNIPPET_COMMAND: &str = "jwt-lsp.verifierSnippet";

/// The code action kind: a refactoring that extracts a new file, shown with the quick fixes in
/// VS Code's light bulb and listed by Neovim's `vim.lsp.buf.code_action()`.
pub fn verifier_action_kind() -> CodeActionKind {
    CodeActionKind::new("refactor.extract.verifier")
}

/// Whether a `codeAction` request's `only` filter admits the verifier actions (kinds are
/// hierarchical: `refactor` admits `refactor.extract.verifier`).
pub fn verifier_actions_wanted(only: Option<&[CodeActionKind]>) -> bool {
    let kind = verifier_action_kind();
    only.is_none_or(|only| {
        only.iter().any(|wanted| {
            let wanted = wanted.as_str();
            wanted.is_empty()
                || kind.as_str() == wanted
                || kind.as_str().strip_prefix(wanted).is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

impl Backend {
    /// One code action per language that can verify `token`.
    pub(super) fn verifier_actions(&self, uri: &Uri, position: Position, token: &Token) -> Vec<CodeActionOrCommand> {
        SnippetLanguage::ALL
            .into_iter()
            .filter(|&language| snippet(token, language).is_ok())
            .map(|language| {
                let title = format!("Open a verifier for this token: {}", language.name());
                CodeActionOrCommand::CodeAction(CodeAction {
                    title: title.clone(),
                    kind: Some(verifier_action_kind()),
                    command: Some(Command {
                        title,
                        command: VERIFIER_SNIPPET_COMMAND.to_string(),
                        arguments: Some(vec![json!({
                            "uri": uri,
                            "position": position,
                            "language": language.id(),
                        })]),
                    }),
                    ..CodeAction::default()
                })
            })
            .collect()
    }

    /// The code actions for the first token that overlaps `start..end`, if any.
    pub(super) fn verifier_actions_in(
        &self,
        uri: &Uri,
        document: &super::Document,
        analysis: &crate::analysis::Analysis,
        start: usize,
        end: usize,
    ) -> Vec<CodeActionOrCommand> {
        let Some(token) = analysis.tokens.iter().find(|token| token.span.start <= end && token.span.end >= start)
        else {
            return Vec::new();
        };
        let position = convert::position(&document.text, &document.index, token.span.start, self.encoding());
        self.verifier_actions(uri, position, token)
    }

    /// `jwt-lsp.verifierSnippet`.
    pub(super) async fn verifier_snippet_command(&self, arguments: &[Value]) -> Value {
        let Some(language) = arguments
            .first()
            .and_then(|argument| argument.get("language"))
            .and_then(Value::as_str)
            .and_then(SnippetLanguage::from_id)
        else {
            return Value::Null;
        };
        let Some((document, offset)) = self.document_position(arguments) else { return Value::Null };
        let text = {
            let analysis = self.analysis_of(&document);
            let Some(token) = analysis.token_at(offset) else { return Value::Null };
            snippet(token, language)
        };
        let text = match text {
            Ok(text) => text,
            Err(reason) => {
                self.shared.client.show_message(MessageType::WARNING, format!("jwt-lsp: {reason}")).await;
                return Value::Null;
            }
        };
        let mut result = json!({ "language": language.id(), "text": text });
        if !self.shared.session.read().expect("session lock").show_document {
            return result;
        }
        let uri = match write_snippet(&std::env::temp_dir(), language, &text) {
            Ok(path) => Uri::from_file_path(&path),
            Err(err) => {
                tracing::warn!("cannot write the verifier snippet: {err}");
                None
            }
        };
        if let Some(uri) = uri {
            result["uri"] = json!(uri);
            let params = ShowDocumentParams { uri, external: Some(false), take_focus: Some(true), selection: None };
            if let Err(err) = self.shared.client.show_document(params).await {
                tracing::warn!("window/showDocument failed: {err}");
            }
        }
        result
    }
}

/// Writes `text` to `<temp>/jwt-lsp-<uid>/verify_token_<hash>.<ext>` and returns the path. The
/// folder is created private (0700) and must be ours and private, so nobody else can plant or
/// read a file there; the name is the content's hash, so asking twice opens the same file.
pub fn write_snippet(temp: &Path, language: SnippetLanguage, text: &str) -> std::io::Result<PathBuf> {
    let folder = private_folder(temp)?;
    let hash = Sha256::digest(text.as_bytes());
    let short: String = hash.iter().take(4).map(|byte| format!("{byte:02x}")).collect();
    // Node file names are camel-cased by convention; Python and Go use snake case.
    let stem = if language == SnippetLanguage::Node { "verifyToken" } else { "verify_token" };
    let path = folder.join(format!("{stem}_{short}.{}", language.extension()));
    std::fs::write(&path, text)?;
    Ok(path)
}

#[cfg(unix)]
fn private_folder(temp: &Path) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    let folder = temp.join(format!("jwt-lsp-{uid}"));
    match std::fs::DirBuilder::new().mode(0o700).create(&folder) {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(err) => return Err(err),
    }
    let metadata = std::fs::symlink_metadata(&folder)?;
    if !metadata.is_dir() || metadata.uid() != uid || metadata.mode() & 0o077 != 0 {
        return Err(std::io::Error::other(format!("{} is not a private folder of this user", folder.display())));
    }
    Ok(folder)
}

#[cfg(not(unix))]
fn private_folder(temp: &Path) -> std::io::Result<PathBuf> {
    let folder = temp.join("jwt-lsp");
    std::fs::create_dir_all(&folder)?;
    Ok(folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_filters_admit_the_verifier_kind_by_prefix() {
        assert!(verifier_actions_wanted(None));
        for admitted in ["refactor", "refactor.extract", "refactor.extract.verifier", ""] {
            assert!(verifier_actions_wanted(Some(&[CodeActionKind::new(admitted)])), "{admitted}");
        }
        for refused in ["quickfix", "source", "refactor.inline", "refactor.extractor"] {
            assert!(!verifier_actions_wanted(Some(&[CodeActionKind::new(refused)])), "{refused}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn snippets_are_written_to_a_private_folder_and_a_foreign_folder_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let temp = tempfile::tempdir().unwrap();
        let path = write_snippet(temp.path(), SnippetLanguage::Python, "print('x')\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "print('x')\n");
        assert!(path.file_name().unwrap().to_str().unwrap().starts_with("verify_token_"));
        assert_eq!(path.extension().unwrap(), "py");
        let folder = path.parent().unwrap();
        assert_eq!(std::fs::metadata(folder).unwrap().permissions().mode() & 0o777, 0o700);
        // The same text gives the same file.
        assert_eq!(write_snippet(temp.path(), SnippetLanguage::Python, "print('x')\n").unwrap(), path);

        // A folder others can write to (or a symlink planted in its place) is not used.
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(write_snippet(temp.path(), SnippetLanguage::Go, "package main\n").is_err());
        let other = tempfile::tempdir().unwrap();
        let planted = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(planted.path(), other.path().join(folder.file_name().unwrap())).unwrap();
        assert!(write_snippet(other.path(), SnippetLanguage::Go, "package main\n").is_err());
        assert_eq!(std::fs::read_dir(planted.path()).unwrap().count(), 0);
    }
}
