//! What `check` reports in CI beyond the scan: baselines (`--baseline`, `--write-baseline`) and
//! changed lines only (`--diff-base`). Both narrow the reports after the scan; neither changes
//! a finding or its fingerprint.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use super::output::{FINGERPRINT_KIND, FileReport};

/// The baseline file format version. Bump it when the layout changes.
const BASELINE_VERSION: u32 = 1;

/// A baseline: what a team accepted. Holds fingerprints (digests), paths and rule codes only —
/// never a token, a secret, a message or a line number (a line would churn on every edit).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub tool: String,
    pub fingerprint: String,
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding. Sorted by path, rule, fingerprint: a re-written file diffs cleanly.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
}

impl Baseline {
    pub fn from_entries(entries: impl IntoIterator<Item = BaselineEntry>) -> Baseline {
        let findings: BTreeSet<BaselineEntry> = entries.into_iter().collect();
        Baseline {
            version: BASELINE_VERSION,
            tool: "jwt-lsp".to_string(),
            fingerprint: FINGERPRINT_KIND.to_string(),
            findings: findings.into_iter().collect(),
        }
    }

    /// Every finding of `reports`.
    pub fn of(reports: &[FileReport]) -> Baseline {
        Baseline::from_entries(reports.iter().flat_map(|report| {
            report.findings.iter().map(|finding| BaselineEntry {
                path: report.path.clone(),
                rule: finding.rule.code().to_string(),
                fingerprint: finding.fingerprint.clone(),
            })
        }))
    }

    pub fn read(path: &Path) -> Result<Baseline, String> {
        let shown = crate::text::terminal_safe(&path.to_string_lossy()).into_owned();
        let text = std::fs::read_to_string(path).map_err(|err| format!("--baseline {shown}: {err}"))?;
        let baseline: Baseline =
            serde_json::from_str(&text).map_err(|err| format!("--baseline {shown}: not a jwt-lsp baseline: {err}"))?;
        if baseline.version != BASELINE_VERSION || baseline.fingerprint != FINGERPRINT_KIND {
            return Err(format!(
                "--baseline {shown}: version {} with {} fingerprints; this jwt-lsp reads version {BASELINE_VERSION} \
                 with {FINGERPRINT_KIND}: write it again with --write-baseline",
                baseline.version, baseline.fingerprint
            ));
        }
        Ok(baseline)
    }

    /// Pretty JSON with a final newline, written through a temporary file beside it so a failed
    /// write never leaves half a baseline.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let shown = crate::text::terminal_safe(&path.to_string_lossy()).into_owned();
        let mut text = serde_json::to_string_pretty(self).map_err(|err| err.to_string())?;
        text.push('\n');
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(".tmp");
        let temporary = PathBuf::from(temporary);
        std::fs::write(&temporary, text)
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|err| format!("--write-baseline {shown}: {err}"))
    }

    fn fingerprints(&self) -> HashSet<&str> {
        self.findings.iter().map(|entry| entry.fingerprint.as_str()).collect()
    }

    /// The entries whose finding is still present: what `--baseline F --write-baseline F`
    /// keeps, so a fixed finding leaves the baseline and comes back as new if reintroduced.
    pub fn still_present(&self, reports: &[FileReport]) -> Baseline {
        let current: HashSet<&str> =
            reports.iter().flat_map(|report| &report.findings).map(|finding| finding.fingerprint.as_str()).collect();
        Baseline::from_entries(
            self.findings.iter().filter(|entry| current.contains(entry.fingerprint.as_str())).cloned(),
        )
    }

    /// Removes the findings the baseline holds; returns how many it hid, and how many of its
    /// entries matched nothing (fixed, or moved to another file).
    pub fn hide(&self, reports: &mut Vec<FileReport>) -> (usize, usize) {
        let known = self.fingerprints();
        let mut matched = HashSet::new();
        let hidden = retain_findings(reports, |_, finding| {
            let fingerprint = finding.fingerprint.as_str();
            let hide = known.contains(fingerprint);
            if hide {
                matched.insert(fingerprint.to_string());
            }
            !hide
        });
        (hidden, known.len() - matched.len())
    }
}

/// Keeps the findings `keep` accepts and the reports left with any; returns how many went.
pub fn retain_findings(
    reports: &mut Vec<FileReport>,
    mut keep: impl FnMut(&str, &super::output::Located) -> bool,
) -> usize {
    let mut removed = 0;
    for report in reports.iter_mut() {
        let before = report.findings.len();
        let path = report.path.clone();
        report.findings.retain(|finding| keep(&path, finding));
        removed += before - report.findings.len();
    }
    reports.retain(|report| !report.findings.is_empty());
    removed
}

/// Lines (1-based, inclusive ranges) added or changed since a git revision, per file.
pub struct ChangedLines {
    /// Canonical path → changed line ranges; `None` for a file git does not track (all new).
    files: HashMap<PathBuf, Option<Vec<(u32, u32)>>>,
}

impl ChangedLines {
    /// Runs `git diff --unified=0 REV -- PATHS` (and lists untracked files) in `cwd`.
    pub fn since(rev: &str, paths: &[PathBuf], cwd: &Path) -> Result<ChangedLines, String> {
        let top = git(cwd, &["rev-parse", "--show-toplevel"])
            .map_err(|err| format!("--diff-base needs a git repository: {err}"))?;
        let top = PathBuf::from(top.trim_end_matches(['\n', '\r']));
        if rev.starts_with('-') {
            return Err(format!("--diff-base {}: not a revision", crate::text::terminal_safe(rev)));
        }
        let verify = format!("{rev}^{{commit}}");
        git(cwd, &["rev-parse", "--verify", "--quiet", &verify])
            .map_err(|_| format!("--diff-base {}: no such revision", crate::text::terminal_safe(rev)))?;
        let pathspecs: Vec<String> = paths.iter().map(|path| path.to_string_lossy().into_owned()).collect();
        // Paths are paths, not pathspec globs (`[id].ts`).
        let mut diff_args = vec![
            "--literal-pathspecs",
            "-c",
            "core.quotePath=false",
            "diff",
            "--unified=0",
            "--no-color",
            "--no-ext-diff",
            "--no-renames",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            rev,
            "--",
        ];
        diff_args.extend(pathspecs.iter().map(String::as_str));
        let diff = git(cwd, &diff_args).map_err(|err| format!("--diff-base: git diff failed: {err}"))?;
        let mut files = HashMap::new();
        for (path, ranges) in parse_unified_zero(&diff) {
            let absolute = top.join(&path);
            let key = absolute.canonicalize().unwrap_or(absolute);
            files.insert(key, Some(ranges));
        }
        let mut untracked_args =
            vec!["--literal-pathspecs", "ls-files", "--others", "--exclude-standard", "--full-name", "-z", "--"];
        untracked_args.extend(pathspecs.iter().map(String::as_str));
        let untracked = git(cwd, &untracked_args).map_err(|err| format!("--diff-base: git ls-files failed: {err}"))?;
        for path in untracked.split('\0').filter(|path| !path.is_empty()) {
            let absolute = top.join(path);
            files.insert(absolute.canonicalize().unwrap_or(absolute), None);
        }
        Ok(ChangedLines { files })
    }

    /// Whether a finding on lines `first..=last` (1-based) of `path` touches a changed line.
    pub fn touches(&self, path: &Path, first: u32, last: u32) -> bool {
        let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        match self.files.get(&key) {
            None => false,
            Some(None) => true,
            Some(Some(ranges)) => ranges.iter().any(|&(start, end)| start <= last && first <= end),
        }
    }
}

/// Runs git and returns its stdout; the error is git's first stderr line, made terminal-safe.
fn git(cwd: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(cwd)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|err| format!("cannot run git: {err}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().find(|line| !line.trim().is_empty()).unwrap_or("git failed");
        return Err(crate::text::terminal_safe(first).into_owned());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The new-side line ranges of each file in `git diff --unified=0` output, paths relative to
/// the repository top. Deleted files and pure deletions add nothing.
fn parse_unified_zero(diff: &str) -> Vec<(String, Vec<(u32, u32)>)> {
    let mut files: Vec<(String, Vec<(u32, u32)>)> = Vec::new();
    let mut current: Option<usize> = None;
    for line in diff.lines() {
        if let Some(name) = line.strip_prefix("+++ ") {
            current = match unquote(name).strip_prefix("b/") {
                Some(path) => {
                    files.push((path.to_string(), Vec::new()));
                    Some(files.len() - 1)
                }
                // `+++ /dev/null`: the file was deleted.
                None => None,
            };
        } else if let (Some(at), Some(hunk)) = (current, line.strip_prefix("@@ "))
            && let Some(range) = hunk.split(' ').find_map(|part| part.strip_prefix('+'))
        {
            let (start, count) = match range.split_once(',') {
                Some((start, count)) => (start.parse::<u32>(), count.parse::<u32>()),
                None => (range.parse::<u32>(), Ok(1)),
            };
            if let (Ok(start), Ok(count)) = (start, count)
                && count > 0
            {
                files[at].1.push((start, start + count - 1));
            }
        }
    }
    files
}

/// A path as git prints it: as is, or C-quoted (`"b/tab\there"`) when it holds special bytes
/// (quotePath is off, so only control characters, `"` and `\` are escaped).
fn unquote(name: &str) -> String {
    let Some(inner) = name.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')) else {
        return name.to_string();
    };
    let mut bytes = Vec::with_capacity(inner.len());
    let mut chars = inner.bytes().peekable();
    while let Some(byte) = chars.next() {
        if byte != b'\\' {
            bytes.push(byte);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'r') => bytes.push(b'\r'),
            Some(b'a') => bytes.push(7),
            Some(b'b') => bytes.push(8),
            Some(b'f') => bytes.push(12),
            Some(b'v') => bytes.push(11),
            Some(digit @ b'0'..=b'7') => {
                let mut value = u32::from(digit - b'0');
                for _ in 0..2 {
                    if let Some(&next @ b'0'..=b'7') = chars.peek() {
                        value = value * 8 + u32::from(next - b'0');
                        chars.next();
                    }
                }
                bytes.push(value as u8);
            }
            Some(other) => bytes.push(other),
            None => bytes.push(b'\\'),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unified_zero_hunks_give_new_side_ranges() {
        let diff = "diff --git a/x.env b/x.env\n--- a/x.env\n+++ b/x.env\n@@ -1,0 +2,3 @@\n+a\n@@ -9 +12 @@\n-b\n+c\n\
                    @@ -20,2 +22,0 @@\n-d\ndiff --git a/gone b/gone\n--- a/gone\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n\
                    --- a/q\n+++ \"b/t\\tab \\303\\251\"\n@@ -1 +1 @@\n";
        assert_eq!(
            parse_unified_zero(diff),
            vec![("x.env".to_string(), vec![(2, 4), (12, 12)]), ("t\tab \u{e9}".to_string(), vec![(1, 1)])]
        );
    }
}
