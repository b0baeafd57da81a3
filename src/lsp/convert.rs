//! Conversions between the analysis (byte offsets, `Finding`, `Token`) and LSP types. Every
//! `ls_types` construction of a range, diagnostic, hover or hint lives here.

use std::ops::Range as ByteRange;
use std::str::FromStr;

use std::collections::HashMap;

use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Hover,
    HoverContents, InlayHint, InlayHintLabel, Location, MarkupContent, MarkupKind, NumberOrString, Position,
    PositionEncodingKind, Range, TextEdit, Uri, WorkspaceEdit,
};

use crate::finding::{Finding, Fix, Severity};
use crate::jwt::Token;
use crate::jwt::describe::{hover_markdown, inlay_label};
use crate::jwt::time::UnixSeconds;
use crate::text::{Encoding, LineCol, LineIndex};

/// UTF-8 when the client offers it (no conversion cost), otherwise UTF-16, the LSP default.
pub fn negotiate_encoding(offered: Option<&[PositionEncodingKind]>) -> Encoding {
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

pub fn encoding_kind(encoding: Encoding) -> PositionEncodingKind {
    match encoding {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

pub fn position(text: &str, index: &LineIndex, offset: usize, encoding: Encoding) -> Position {
    let at = index.line_col(text, offset, encoding);
    Position { line: at.line, character: at.col }
}

pub fn range(text: &str, index: &LineIndex, bytes: &ByteRange<usize>, encoding: Encoding) -> Range {
    Range { start: position(text, index, bytes.start, encoding), end: position(text, index, bytes.end, encoding) }
}

pub fn line_col(position: Position) -> LineCol {
    LineCol { line: position.line, col: position.character }
}

pub fn offset(text: &str, index: &LineIndex, position: Position, encoding: Encoding) -> usize {
    index.offset(text, line_col(position), encoding)
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub fn diagnostic(text: &str, index: &LineIndex, finding: &Finding, encoding: Encoding) -> Diagnostic {
    diagnostic_at(finding, range(text, index, &finding.range, encoding))
}

fn diagnostic_at(finding: &Finding, range: Range) -> Diagnostic {
    Diagnostic {
        range,
        severity: Some(severity(finding.severity)),
        code: Some(NumberOrString::String(finding.rule.code().to_string())),
        code_description: Uri::from_str(&finding.rule.help_uri()).ok().map(|href| CodeDescription { href }),
        source: Some("jwt-lsp".to_string()),
        message: finding.message.clone(),
        related_information: related_information(finding),
        ..Diagnostic::default()
    }
}

/// A finding's other places (the verifiers that reject a token) as `relatedInformation`; the
/// server names them by absolute path. Columns are UTF-16 units, as LSP positions are.
fn related_information(finding: &Finding) -> Option<Vec<DiagnosticRelatedInformation>> {
    let related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .filter_map(|related| {
            let uri = Uri::from_file_path(std::path::Path::new(&related.path))?;
            let at = Position { line: related.line as u32, character: related.column_utf16 as u32 };
            Some(DiagnosticRelatedInformation {
                location: Location { uri, range: Range { start: at, end: at } },
                message: related.message.clone(),
            })
        })
        .collect();
    (!related.is_empty()).then_some(related)
}

fn to_position(at: LineCol) -> Position {
    Position { line: at.line, character: at.col }
}

/// Diagnostics for a document, at most `limit`; past it, one note says how many were left out.
/// Positions are converted in one sorted batch: one pass per line, however many findings it has.
pub fn diagnostics(
    text: &str,
    index: &LineIndex,
    findings: &[Finding],
    encoding: Encoding,
    limit: usize,
) -> Vec<Diagnostic> {
    let shown = &findings[..findings.len().min(limit)];
    let mut offsets: Vec<usize> = shown.iter().flat_map(|finding| [finding.range.start, finding.range.end]).collect();
    let hidden = findings.get(limit);
    offsets.extend(hidden.map(|first| first.range.start));
    let positions = index.line_cols(text, &offsets, encoding);
    let mut out: Vec<Diagnostic> = shown
        .iter()
        .zip(positions.chunks_exact(2))
        .map(|(finding, at)| diagnostic_at(finding, Range { start: to_position(at[0]), end: to_position(at[1]) }))
        .collect();
    if hidden.is_some() {
        out.push(not_shown_note(to_position(positions[positions.len() - 1]), findings.len() - limit, limit));
    }
    out
}

/// Diagnostics for findings whose ranges were converted earlier (the workspace index keeps each
/// token's range, not the file's text), at most `limit`, as `diagnostics` does.
pub fn placed_diagnostics(placed: &[(Finding, Range)], limit: usize) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> =
        placed.iter().take(limit).map(|(finding, range)| diagnostic_at(finding, *range)).collect();
    if let Some((_, first_hidden)) = placed.get(limit) {
        out.push(not_shown_note(first_hidden.start, placed.len() - limit, limit));
    }
    out
}

fn not_shown_note(at: Position, more: usize, limit: usize) -> Diagnostic {
    Diagnostic {
        range: Range { start: at, end: at },
        severity: Some(DiagnosticSeverity::INFORMATION),
        source: Some("jwt-lsp".to_string()),
        message: format!(
            "{more} more findings in this file are not shown (setting `maxDiagnostics` = {limit}); run `jwt-lsp check` for all."
        ),
        ..Diagnostic::default()
    }
}

pub fn hover(text: &str, index: &LineIndex, token: &Token, now: UnixSeconds, encoding: Encoding) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: hover_markdown(token, now),
        }),
        range: Some(range(text, index, &token.span, encoding)),
    }
}

pub fn inlay_hint(text: &str, index: &LineIndex, token: &Token, now: UnixSeconds, encoding: Encoding) -> InlayHint {
    inlay_hint_at(token, now, position(text, index, token.span.end, encoding))
}

/// Inlay hints for many tokens, their positions converted in one sorted batch (one pass per
/// line: 20,000 tokens on one minified line were quadratic one by one).
pub fn inlay_hints<'t>(
    text: &str,
    index: &LineIndex,
    tokens: impl IntoIterator<Item = &'t Token>,
    now: UnixSeconds,
    encoding: Encoding,
) -> Vec<InlayHint> {
    let tokens: Vec<&Token> = tokens.into_iter().collect();
    let offsets: Vec<usize> = tokens.iter().map(|token| token.span.end).collect();
    let positions = index.line_cols(text, &offsets, encoding);
    tokens.into_iter().zip(positions).map(|(token, at)| inlay_hint_at(token, now, to_position(at))).collect()
}

fn inlay_hint_at(token: &Token, now: UnixSeconds, position: Position) -> InlayHint {
    InlayHint {
        position,
        label: InlayHintLabel::String(inlay_label(token, now)),
        kind: None,
        text_edits: None,
        tooltip: None,
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}

/// A quick fix for `finding` as a code action carrying its edits.
pub fn code_action(
    uri: &Uri,
    text: &str,
    index: &LineIndex,
    finding: &Finding,
    fix: &Fix,
    encoding: Encoding,
) -> CodeAction {
    let edits = fix
        .edits
        .iter()
        .map(|edit| TextEdit { range: range(text, index, &edit.range, encoding), new_text: edit.new_text.clone() })
        .collect();
    CodeAction {
        title: fix.title.clone(),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic(text, index, finding, encoding)]),
        edit: Some(WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), edits)])), ..WorkspaceEdit::default() }),
        is_preferred: Some(fix.preferred),
        ..CodeAction::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::scan::find_tokens;
    use crate::rules::Rule;

    const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJlc2lnbmE";

    #[test]
    fn batched_positions_match_one_by_one_conversion() {
        // Many tokens on one line between CJK, emoji and combining marks, in unsorted findings.
        let line: Vec<String> = (0..40).map(|i| format!("日本{i}😀e\u{301} {TOKEN} ")).collect();
        let text = format!("ä\r\n{}\n{TOKEN}\n", line.concat());
        let index = LineIndex::new(&text);
        let tokens = find_tokens(&text);
        assert_eq!(tokens.len(), 41);
        let mut findings: Vec<Finding> =
            tokens
                .iter()
                .map(|token| Finding::new(Rule::TokenNoExpiry, token.span.clone(), "m".to_string()))
                .chain(tokens.iter().map(|token| {
                    Finding::new(Rule::TokenNoExpiry, token.span.start + 3..token.span.end, "n".to_string())
                }))
                .collect();
        findings.reverse();
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let one_by_one: Vec<Range> =
                findings.iter().map(|finding| diagnostic(&text, &index, finding, encoding).range).collect();
            let batched: Vec<Range> =
                diagnostics(&text, &index, &findings, encoding, usize::MAX).into_iter().map(|d| d.range).collect();
            assert_eq!(batched, one_by_one, "{encoding:?}");
            // Past the limit, the note sits at the first hidden finding.
            let limited = diagnostics(&text, &index, &findings, encoding, 10);
            assert_eq!(limited.len(), 11);
            assert_eq!(limited[10].range.start, one_by_one[10].start, "{encoding:?}");

            let one_by_one: Vec<Position> =
                tokens.iter().map(|token| inlay_hint(&text, &index, token, 0, encoding).position).collect();
            let batched: Vec<Position> =
                inlay_hints(&text, &index, &tokens, 0, encoding).into_iter().map(|hint| hint.position).collect();
            assert_eq!(batched, one_by_one, "{encoding:?}");
        }
    }
}
