//! Rendering findings for the CLI: text (`path:line:col: severity[code] message`), JSON and
//! SARIF 2.1.0. Lines and columns are 1-based; columns count Unicode characters; end columns
//! are exclusive (the column after the last character), as in SARIF.

use std::io::{self, IsTerminal, Write};

use serde_json::{Value, json};

use crate::finding::{Finding, Severity};
use crate::rules::Rule;
use crate::text::{Encoding, LineCol, LineIndex, terminal_safe};

pub struct Located {
    pub finding: Finding,
    /// Zero-based, columns in characters.
    pub start: LineCol,
    pub end: LineCol,
    /// [`FINGERPRINT_KIND`] of this finding: stable across line moves, never the text itself.
    pub fingerprint: String,
}

impl std::ops::Deref for Located {
    type Target = Finding;
    fn deref(&self) -> &Finding {
        &self.finding
    }
}

pub struct FileReport {
    pub path: String,
    pub findings: Vec<Located>,
}

impl FileReport {
    /// `fingerprinted`: compute [`Located::fingerprint`]s (SARIF and baselines need them; a
    /// hash per finding is a third of the time of a text or JSON report on a dense log).
    pub fn new(path: String, text: &str, index: &LineIndex, findings: Vec<Finding>, fingerprinted: bool) -> FileReport {
        // All offsets at once: one pass per line, not one per finding (long minified lines).
        let offsets: Vec<usize> =
            findings.iter().flat_map(|finding| [finding.range.start, finding.range.end]).collect();
        let positions = index.line_cols(text, &offsets, Encoding::Utf32);
        let fingerprints =
            if fingerprinted { fingerprints(&path, text, &findings) } else { vec![String::new(); findings.len()] };
        let findings = findings
            .into_iter()
            .zip(positions.chunks_exact(2))
            .zip(fingerprints)
            .map(|((finding, at), fingerprint)| Located { start: at[0], end: at[1], finding, fingerprint })
            .collect();
        FileReport { path, findings }
    }
}

/// The `partialFingerprints` key of SARIF results, and the kind of fingerprint a baseline holds.
/// A new version of the recipe below gets a new name, so old baselines are refused, not misread.
pub const FINGERPRINT_KIND: &str = "jwtLsp/v1";

/// One fingerprint per finding: SHA-256 of the path, the rule, the finding's text with
/// whitespace runs collapsed (a token, a call, a literal; the whole line when the range is
/// empty) and how many identical earlier findings the file has, hex, first 128 bits. Lines and
/// columns are left out, so code moving up or down keeps its fingerprint; the ordinal keeps a
/// second copy of the same token distinct from the first. Only a digest leaves the process:
/// neither a token nor a secret can be read back from it.
fn fingerprints(path: &str, text: &str, findings: &[Finding]) -> Vec<String> {
    use sha2::{Digest, Sha256};
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut seen: rustc_hash::FxHashMap<(crate::rules::Rule, String), u32> = Default::default();
    findings
        .iter()
        .map(|finding| {
            let code = !finding.rule.code().starts_with("token-");
            let content = fingerprint_content(text, finding.range.clone(), code);
            let mut hasher = Sha256::new();
            for part in [FINGERPRINT_KIND, path, finding.rule.code(), &content] {
                hasher.update(part.as_bytes());
                hasher.update([0]);
            }
            let ordinal = seen.entry((finding.rule, content)).or_insert(0);
            hasher.update(ordinal.to_string().as_bytes());
            *ordinal += 1;
            let digest = hasher.finalize();
            let mut hex = String::with_capacity(32);
            for byte in &digest[..16] {
                hex.push(HEX[usize::from(byte >> 4)] as char);
                hex.push(HEX[usize::from(byte & 15)] as char);
            }
            hex
        })
        .collect()
}

/// The finding's text with every whitespace run made one space (a token wrapped over lines, a
/// re-indented call), or its line's when the range is empty or only whitespace. For code
/// findings every string literal becomes `"_"`: a literal may be the secret itself
/// (`hardcoded-secret`), and a digest of a short or guessable text is a dictionary away from
/// it. A token's own text is kept: its signature makes the digest unguessable.
fn fingerprint_content(text: &str, range: std::ops::Range<usize>, code: bool) -> String {
    let content = finding_text(text, range);
    if code { mask_string_literals(&content) } else { content }
}

/// Replaces the inside of every `'…'`, `"…"` and `` `…` `` (backslash escapes honoured; an
/// unclosed one runs to the end) with `_`.
fn mask_string_literals(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if !matches!(c, '\'' | '"' | '`') {
            continue;
        }
        out.push('_');
        let mut escaped = false;
        for inner in chars.by_ref() {
            if escaped {
                escaped = false;
            } else if inner == '\\' {
                escaped = true;
            } else if inner == c {
                out.push(c);
                break;
            }
        }
    }
    out
}

fn finding_text(text: &str, range: std::ops::Range<usize>) -> String {
    let normalise = |part: &str| {
        if part.bytes().any(|byte| byte.is_ascii_whitespace()) || !part.is_ascii() {
            part.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            part.to_string()
        }
    };
    let range = range.start.min(text.len())..range.end.min(text.len());
    let own = text.get(range.clone()).map(normalise).unwrap_or_default();
    if !own.is_empty() {
        return own;
    }
    let (Some(before), Some(after)) = (text.get(..range.start), text.get(range.start..)) else { return own };
    let start = before.rfind('\n').map_or(0, |at| at + 1);
    let end = after.find('\n').map_or(text.len(), |at| range.start + at);
    normalise(&text[start..end])
}

pub struct Skipped {
    pub path: String,
    pub reason: String,
}

pub fn stdout_wants_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()) && io::stdout().is_terminal()
}

pub fn write_text(out: &mut impl Write, reports: &[FileReport], color: bool) -> io::Result<()> {
    for report in reports {
        write_text_report(out, report, color)?;
    }
    Ok(())
}

/// One file's lines of [`write_text`].
pub fn write_text_report(out: &mut impl Write, report: &FileReport, color: bool) -> io::Result<()> {
    let paint = |code: &str, text: &str| if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() };
    {
        for finding in &report.findings {
            let severity = finding.severity.as_str();
            let severity_color = match finding.severity {
                Severity::Error => "1;31",
                Severity::Warning => "1;33",
                Severity::Info => "1;34",
                Severity::Hint => "1;36",
            };
            writeln!(
                out,
                "{}: {}{} {}",
                paint(
                    "1",
                    &format!("{}:{}:{}", terminal_safe(&report.path), finding.start.line + 1, finding.start.col + 1)
                ),
                paint(severity_color, severity),
                paint("2", &format!("[{}]", finding.rule.code())),
                terminal_safe(&finding.message)
            )?;
        }
    }
    Ok(())
}

pub fn summary(reports: &[FileReport], skipped: usize) -> String {
    let mut tally = Tally::default();
    for report in reports {
        tally.add(report);
    }
    tally.summary(skipped)
}

/// Findings counted by severity, and the files reported: what the summary line and the
/// `--fail-on` gate read, kept while reports are written and freed one by one.
#[derive(Default)]
pub struct Tally {
    counts: [usize; 4],
    files: usize,
}

impl Tally {
    pub fn add(&mut self, report: &FileReport) {
        for finding in &report.findings {
            self.counts[finding.severity as usize] += 1;
        }
        self.files += 1;
    }

    /// Whether a finding of `threshold` or above was counted.
    pub fn any_at_least(&self, threshold: Severity) -> bool {
        [Severity::Error, Severity::Warning, Severity::Info, Severity::Hint]
            .into_iter()
            .any(|severity| severity >= threshold && self.counts[severity as usize] > 0)
    }

    pub fn summary(&self, skipped: usize) -> String {
        let counts = self.counts;
        let total: usize = counts.iter().sum();
        let files = self.files;
        let mut text = format!(
            "{total} finding{} in {files} file{} ({} error, {} warning, {} info, {} hint)",
            if total == 1 { "" } else { "s" },
            if files == 1 { "" } else { "s" },
            counts[Severity::Error as usize],
            counts[Severity::Warning as usize],
            counts[Severity::Info as usize],
            counts[Severity::Hint as usize],
        );
        if skipped > 0 {
            text.push_str(&format!("; {skipped} file{} skipped", if skipped == 1 { "" } else { "s" }));
        }
        text
    }
}

/// `{"findings":[…]}` written finding by finding: a log with 100k findings builds no tree.
/// Batches of findings are rendered on every core and written in order (one thread rendering
/// 49 MB of JSON after a parallel scan was a seventh of `check`'s time on dense logs).
pub fn write_json(out: &mut impl Write, reports: &[FileReport]) -> io::Result<()> {
    /// Findings rendered per batch; a round renders one batch per thread, then writes them.
    const BATCH: usize = 4096;
    let rows: Vec<(&str, &Located)> = reports
        .iter()
        .flat_map(|report| report.findings.iter().map(|finding| (report.path.as_str(), finding)))
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    out.write_all(b"{\"findings\":[")?;
    let mut first = true;
    for round in rows.chunks(BATCH * threads) {
        let rendered: Vec<io::Result<Vec<u8>>> = if round.len() <= BATCH {
            vec![render_json_rows(round)]
        } else {
            std::thread::scope(|scope| {
                let workers: Vec<_> =
                    round.chunks(BATCH).map(|batch| scope.spawn(move || render_json_rows(batch))).collect();
                workers
                    .into_iter()
                    .map(|worker| worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                    .collect()
            })
        };
        for batch in rendered {
            let batch = batch?;
            if !first {
                out.write_all(b",")?;
            }
            first = false;
            out.write_all(&batch)?;
        }
    }
    out.write_all(b"]}\n")
}

/// [`write_json`] one file at a time, as a run finishes them: `begin`, `report` per file (in
/// order), `end`. The same bytes as `write_json` of the same reports.
#[derive(Default)]
pub struct JsonStream {
    rows: usize,
}

impl JsonStream {
    pub fn begin(&mut self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(b"{\"findings\":[")
    }

    pub fn report(&mut self, out: &mut impl Write, report: &FileReport) -> io::Result<()> {
        if report.findings.is_empty() {
            return Ok(());
        }
        let rows: Vec<(&str, &Located)> =
            report.findings.iter().map(|finding| (report.path.as_str(), finding)).collect();
        if self.rows > 0 {
            out.write_all(b",")?;
        }
        self.rows += rows.len();
        out.write_all(&render_json_rows(&rows)?)
    }

    pub fn end(&mut self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(b"]}\n")
    }
}

/// The JSON rows of `rows`, comma-separated, fields in the order the format documents:
/// `{"path","line","column","end_line","end_column","code","severity","message"[,"related"]}`.
/// Written by hand rather than through a serialized struct: most strings need no escape, and
/// a log's rows repeat one path (`json_rows_match_serde` compares the bytes with serde_json's).
fn render_json_rows(rows: &[(&str, &Located)]) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(rows.len() * 400);
    let mut path_json: (Option<&str>, Vec<u8>) = (None, Vec::new());
    for (index, (path, finding)) in rows.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        if path_json.0 != Some(*path) {
            path_json.1.clear();
            json_string(&mut path_json.1, path)?;
            path_json.0 = Some(*path);
        }
        out.extend_from_slice(b"{\"path\":");
        out.extend_from_slice(&path_json.1);
        write!(
            out,
            ",\"line\":{},\"column\":{},\"end_line\":{},\"end_column\":{},\"code\":",
            finding.start.line + 1,
            finding.start.col + 1,
            finding.end.line + 1,
            finding.end.col + 1
        )?;
        json_string(&mut out, finding.rule.code())?;
        out.extend_from_slice(b",\"severity\":");
        json_string(&mut out, finding.severity.as_str())?;
        out.extend_from_slice(b",\"message\":");
        json_string(&mut out, &finding.message)?;
        if !finding.related.is_empty() {
            out.extend_from_slice(b",\"related\":[");
            for (index, related) in finding.related.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(b"{\"path\":");
                json_string(&mut out, &related.path)?;
                write!(out, ",\"line\":{},\"column\":{},\"message\":", related.line + 1, related.column + 1)?;
                json_string(&mut out, &related.message)?;
                out.push(b'}');
            }
            out.push(b']');
        }
        out.push(b'}');
    }
    Ok(out)
}

/// `text` as a JSON string: copied as is when nothing in it needs an escape (tested on every
/// byte without stopping early, so the compiler compares 32 at a time), else by serde_json.
fn json_string(out: &mut Vec<u8>, text: &str) -> io::Result<()> {
    let plain = text.bytes().fold(true, |plain, byte| plain & (byte >= 0x20) & (byte != b'"') & (byte != b'\\'));
    if !plain {
        return serde_json::to_writer(out, text).map_err(io::Error::other);
    }
    out.reserve(text.len() + 2);
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
    Ok(())
}

pub fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// A SARIF `artifactLocation` for a displayed path: a percent-encoded relative reference
/// against `%SRCROOT%`, or a `file://` URI (without a base) for a path outside the current
/// directory. SARIF requires a valid URI reference (RFC 3986): `#`, `?`, `%`, spaces and
/// non-ASCII bytes in file names must be encoded, or viewers cut or misread the path.
fn artifact_location(path: &str) -> Value {
    if std::path::Path::new(path).is_absolute() {
        // `/home/…` on Unix; `C:/…` on Windows (separators already `/`), whose drive colon stays.
        let (drive, rest) = match path.split_once(':') {
            Some((drive, rest)) if !path.starts_with('/') => (format!("/{drive}:"), rest),
            _ => (String::new(), path),
        };
        return json!({ "uri": format!("file://{drive}{}", percent_encode_path(rest)) });
    }
    json!({ "uri": percent_encode_path(path), "uriBaseId": "%SRCROOT%" })
}

/// Percent-encodes every byte of `path` except RFC 3986 unreserved characters and `/`. A `:`
/// is encoded too, so a relative path's first segment never reads as a URI scheme.
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// How the run ended, for SARIF `invocations`.
pub struct Invocation {
    /// False when an analysis stage failed: findings may be missing.
    pub successful: bool,
    pub exit_code: u8,
}

/// GitHub code scanning's `security-severity` (0–10, CVSS-like: 9+ critical, 7+ high, 4+ medium)
/// and CWE ids, one row per rule. A match, not a map: a new rule does not compile until it has
/// a row. Why each:
/// - CWE-347 (improper verification of a signature): forgeable tokens — `alg: none`, key
///   confusion, a key named by the token itself, verification skipped or steered by the token.
/// - CWE-327 (risky algorithm): `none` or an algorithm outside the allow-list is accepted.
/// - CWE-798 (hard-coded credentials): a token, or the secret that signs them, is in the source.
///   A committed token that is already expired is still a leak, but a minor one (low score).
/// - CWE-1391 (weak credentials): a secret from a published-defaults list or wordlist.
/// - CWE-613 (insufficient session expiration): no `exp`, expiry checks off, hour-long leeway.
/// - CWE-345 / CWE-287 (insufficient authenticity / improper authentication): a token for
///   another issuer or audience is accepted, or `iss`/`aud` are never checked.
/// - CWE-1104 / CWE-1395 (unmaintained / vulnerable dependency): an archived JWT library, a
///   dependency version with a known advisory.
///
/// Rules about damaged tokens or a misplaced `Bearer ` prefix break logins rather than open a
/// hole: low scores and no CWE.
pub fn security_properties(rule: Rule) -> (&'static str, &'static [u16]) {
    match rule {
        Rule::TokenAlgNone => ("9.1", &[347, 327]),
        Rule::TokenKeyConfusion => ("9.1", &[347, 327]),
        Rule::TokenWeakSecret => ("9.1", &[798, 1391]),
        Rule::TokenHeaderKey => ("7.5", &[347, 345]),
        Rule::TokenSignatureInvalid => ("5.3", &[347]),
        Rule::TokenKidUnknown => ("3.1", &[347]),
        Rule::TokenAlgNotAllowed => ("5.3", &[327]),
        Rule::TokenNoExpiry => ("5.3", &[613, 798]),
        Rule::TokenExpired => ("2.0", &[798]),
        Rule::TokenNotYetValid => ("3.1", &[798]),
        Rule::TokenIssuedInFuture => ("2.0", &[798]),
        Rule::TokenIssuerMismatch => ("4.3", &[345, 287]),
        Rule::TokenAudienceMismatch => ("4.3", &[345, 287]),
        // The project's own verifier rejects a token: a broken login, not a hole.
        Rule::TokenRejectedByVerifier => ("2.0", &[]),
        Rule::TokenMalformed => ("1.0", &[]),
        Rule::TokenInvalidClaims => ("2.0", &[]),
        Rule::VerifyAllowsNone => ("9.1", &[347, 327]),
        Rule::VerifyAlgFromToken => ("9.1", &[347, 327]),
        Rule::VerifyMixedAlgorithms => ("8.1", &[347, 327]),
        Rule::VerifyMissingAlgorithms => ("6.5", &[347, 327]),
        Rule::DecodeWithoutVerify => ("7.5", &[347, 345]),
        Rule::VerifyExpiryDisabled => ("6.5", &[613]),
        Rule::VerifyLargeLeeway => ("4.3", &[613]),
        Rule::VerifyMissingAudience => ("5.3", &[287, 345]),
        Rule::VerifyMissingIssuer => ("5.3", &[287, 345]),
        Rule::VerifyBearerPrefix => ("2.0", &[]),
        Rule::HardcodedSecret => ("7.5", &[798]),
        Rule::InsecureJwtLibrary => ("7.5", &[1104, 1395]),
        Rule::VulnerableJwtLibrary => ("7.5", &[1395]),
    }
}

/// Tags as code scanning reads them: `security` (needed for `security-severity` to count) and
/// `external/cwe/cwe-N` (shown as CWE links and filters).
fn rule_tags(rule: Rule) -> Vec<String> {
    let (_, cwes) = security_properties(rule);
    std::iter::once("security".to_string()).chain(cwes.iter().map(|cwe| format!("external/cwe/cwe-{cwe}"))).collect()
}

pub fn write_sarif(out: &mut impl Write, reports: &[FileReport], invocation: &Invocation) -> io::Result<()> {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.code(),
                "name": rule.code(),
                "shortDescription": { "text": rule.summary() },
                "fullDescription": { "text": rule.summary() },
                "helpUri": rule.help_uri(),
                "help": { "text": crate::bundled::documentation(*rule), "markdown": crate::bundled::documentation(*rule) },
                "defaultConfiguration": { "level": sarif_level(rule.default_severity()) },
                "properties": {
                    "security-severity": security_properties(*rule).0,
                    "tags": rule_tags(*rule),
                    "precision": "high",
                },
            })
        })
        .collect();
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|report| {
            report.findings.iter().map(move |finding| {
                let mut result = json!({
                    "ruleId": finding.rule.code(),
                    "ruleIndex": Rule::ALL.iter().position(|rule| *rule == finding.rule),
                    "level": sarif_level(finding.severity),
                    "message": { "text": finding.message },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": artifact_location(&report.path),
                            "region": {
                                "startLine": finding.start.line + 1,
                                "startColumn": finding.start.col + 1,
                                "endLine": finding.end.line + 1,
                                "endColumn": finding.end.col + 1,
                            }
                        }
                    }],
                    "partialFingerprints": { FINGERPRINT_KIND: finding.fingerprint },
                });
                if !finding.related.is_empty() {
                    let related: Vec<Value> = finding
                        .related
                        .iter()
                        .enumerate()
                        .map(|(id, related)| {
                            json!({
                                "id": id,
                                "message": { "text": related.message },
                                "physicalLocation": {
                                    "artifactLocation": artifact_location(&related.path),
                                    "region": { "startLine": related.line + 1, "startColumn": related.column + 1 },
                                },
                            })
                        })
                        .collect();
                    result["relatedLocations"] = Value::Array(related);
                }
                result
            })
        })
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "jwt-lsp",
                "informationUri": "https://github.com/jwt-lsp/jwt-lsp",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": invocation.successful,
                "exitCode": invocation.exit_code,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_content_collapses_whitespace_and_hides_code_literals() {
        let text = "x = 1\n  jwt.verify(t,\n     'hunter2')  \nTOKEN=abc.\n def.ghi\n";
        let call = text.find("jwt").unwrap()..text.find(")").unwrap() + 1;
        assert_eq!(fingerprint_content(text, call.clone(), true), "jwt.verify(t, '_')");
        assert_eq!(fingerprint_content(text, call, false), "jwt.verify(t, 'hunter2')");
        let token = text.find("abc").unwrap()..text.find("ghi").unwrap() + 3;
        assert_eq!(fingerprint_content(text, token, false), "abc. def.ghi");
        // An empty range: its line.
        let empty = text.find("x").unwrap() + 2;
        assert_eq!(fingerprint_content(text, empty..empty, true), "x = 1");
        assert_eq!(mask_string_literals(r#"f("a\"b", `c`, 'd) + "open"#), r#"f("_", `_`, '_"#);
        // Only a digest leaves: no secret in any fingerprint of any rule.
        let literal = text.find("'hunter2'").unwrap();
        let findings = [Finding::new(Rule::HardcodedSecret, literal..literal + 9, "literal")];
        let print = fingerprints("a.js", text, &findings);
        assert_eq!(print[0].len(), 32);
        assert!(!print[0].contains("hunter2"));
        // Another secret in the same place: the same finding (the literal is not part of it).
        let other = text.replace("hunter2", "s3cr3t!");
        assert_eq!(fingerprints("a.js", &other, &findings), print);
        assert_ne!(fingerprints("b.js", text, &findings), print, "the path is part of it");
    }

    #[test]
    fn json_is_one_valid_document_with_every_finding_in_order() {
        let text = "a \"quoted\" line\n\u{e9}t\u{e9} \u{1F600} tab\there\n";
        let index = LineIndex::new(text);
        let report =
            |path: &str, findings: Vec<Finding>| FileReport::new(path.to_string(), text, &index, findings, true);
        let reports = vec![
            report(
                "a b/\"c\".txt",
                vec![
                    Finding::new(Rule::TokenExpired, 2..8, "expired \"now\"\n\u{7}\u{202e}"),
                    Finding::new(Rule::TokenNoExpiry, 16..26, "no `exp` \u{e9}"),
                ],
            ),
            report("empty.txt", Vec::new()),
            report("z.txt", vec![Finding::new(Rule::TokenAlgNone, 0..1, "none")]),
        ];
        let mut out = Vec::new();
        write_json(&mut out, &reports).expect("written");
        let written = String::from_utf8(out).expect("UTF-8");
        assert!(written.ends_with("]}\n") && written.matches('\n').count() == 1);
        let parsed: Value = serde_json::from_str(&written).expect("one JSON document");
        let expected: Vec<Value> = reports
            .iter()
            .flat_map(|report| {
                report.findings.iter().map(|finding| {
                    json!({
                        "path": report.path,
                        "line": finding.start.line + 1,
                        "column": finding.start.col + 1,
                        "end_line": finding.end.line + 1,
                        "end_column": finding.end.col + 1,
                        "code": finding.rule.code(),
                        "severity": finding.severity.as_str(),
                        "message": finding.message,
                    })
                })
            })
            .collect();
        assert_eq!(parsed, json!({ "findings": expected }));
        // Byte for byte what the former whole-tree serialisation printed (key order included).
        assert_eq!(written, format!("{}\n", serde_json::to_string(&json!({ "findings": expected })).expect("JSON")));
        assert_eq!(parsed["findings"][1]["line"], 2);
        assert_eq!(parsed["findings"][1]["column"], 1);

        let mut out = Vec::new();
        write_json(&mut out, &[]).expect("written");
        assert_eq!(out, b"{\"findings\":[]}\n");

        // `related`, written only when present, with escapes in its path and message.
        let related = |path: &str, line, message: &str| crate::finding::Related {
            path: path.to_string(),
            line,
            column: 3,
            column_utf16: 3,
            message: message.to_string(),
        };
        let mut finding = Finding::new(Rule::TokenAudienceMismatch, 2..8, "rejected");
        finding.related = vec![related("src/a.js", 9, "`jwt.verify` \"x\"\t"), related("b\\c.py", 0, "\u{1F600}")];
        let reports = vec![report("a.log", vec![finding])];
        let mut out = Vec::new();
        write_json(&mut out, &reports).expect("written");
        let expected = json!({ "findings": [{
            "path": "a.log", "line": 1, "column": 3, "end_line": 1, "end_column": 9,
            "code": "token-audience-mismatch", "severity": reports[0].findings[0].severity.as_str(), "message": "rejected",
            "related": [
                { "path": "src/a.js", "line": 10, "column": 4, "message": "`jwt.verify` \"x\"\t" },
                { "path": "b\\c.py", "line": 1, "column": 4, "message": "\u{1F600}" },
            ],
        }]});
        assert_eq!(String::from_utf8(out).unwrap(), format!("{}\n", serde_json::to_string(&expected).unwrap()));

        // Many findings: rendered in parallel batches and rounds, written in order, the same
        // bytes as one document (and an empty report between two full ones changes nothing).
        let many = |path: &str, count: usize| {
            let findings = (0..count).map(|n| Finding::new(Rule::TokenExpired, 2..8, format!("finding {n}"))).collect();
            report(path, findings)
        };
        let reports = vec![many("a.log", 9_000), report("b.log", Vec::new()), many("c.log", 40_000)];
        let mut out = Vec::new();
        write_json(&mut out, &reports).expect("written");
        let expected: Vec<Value> = reports
            .iter()
            .flat_map(|report| report.findings.iter().map(move |finding| (report.path.as_str(), finding)))
            .map(|(path, finding)| {
                json!({
                    "path": path, "line": 1, "column": 3, "end_line": 1, "end_column": 9,
                    "code": "token-expired", "severity": finding.severity.as_str(), "message": finding.message,
                })
            })
            .collect();
        assert_eq!(
            String::from_utf8(out.clone()).expect("UTF-8"),
            format!("{}\n", serde_json::to_string(&json!({ "findings": expected })).expect("JSON"))
        );
        // Written file by file as a run finishes them: the same bytes.
        let mut streamed = Vec::new();
        let mut stream = JsonStream::default();
        stream.begin(&mut streamed).expect("written");
        for report in &reports {
            stream.report(&mut streamed, report).expect("written");
        }
        stream.end(&mut streamed).expect("written");
        assert!(streamed == out, "streamed JSON differs from the whole-run JSON");
    }
}
