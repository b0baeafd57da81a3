//! `jwt-lsp check`: walk files (honouring .gitignore, including hidden files such as `.env`),
//! analyse each in isolation, print findings as text, JSON or SARIF.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use clap::{Args, ValueEnum};
use serde_json::Value;

use super::output::{self, FileReport, Skipped};
use super::{FailOn, gate};
use crate::analysis::{self, DependencySource, Document, Inputs};
use crate::config::{Config, Settings};
use crate::deps::Lookup;
use crate::finding::Finding;
use crate::finding::apply_fixes;
use crate::keys::{KeyRing, discover};
use crate::load;
use crate::rules::Rule;
use crate::text::{LineIndex, terminal_safe};
use crate::verify::{Mode, Verifier};
use crate::workspace::{self, CrossCheck, FileFacts, Index};

/// Files larger than this are skipped unless `--max-file-size` says otherwise.
const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;
/// The largest `--max-file-size`: 1 GiB. A file is held in memory whole with its line index,
/// and lines and columns are 32-bit; nothing larger is a config or source file.
const MAX_MAX_FILE_SIZE: u64 = 1 << 30;

/// What replaces secrets and token text in every output under `--redact`.
pub const REDACTED: &str = "REDACTED";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and folders to scan (default: the current directory).
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Exit with status 1 when a finding of at least this severity is present.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Pin the clock: RFC 3339 (2026-01-01T00:00:00Z) or Unix seconds.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,

    /// Accepted clock skew in seconds for exp/nbf/iat (0 to 604800, one week).
    #[arg(long, value_name = "SECONDS", value_parser = crate::config::parse_leeway_flag)]
    pub leeway: Option<u64>,

    /// Override a rule's severity: CODE=error|warning|info|hint|off (repeatable).
    #[arg(long = "severity", value_name = "CODE=LEVEL")]
    pub severities: Vec<String>,

    /// Skip files larger than this many bytes (1 to 1073741824, 1 GiB).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_FILE_SIZE, value_parser = parse_max_file_size)]
    pub max_file_size: u64,

    /// Also try every HS* token against a weak-secret wordlist (one secret a line); `builtin` is
    /// the 104k-entry list compiled into jwt-lsp (wallarm/jwt-secrets). Without it, `check` tries
    /// the short list of published defaults and the strings of each file (fast on large trees).
    #[arg(long, value_name = "FILE|builtin")]
    pub wordlist: Option<String>,

    /// Fetch the `jwks_urls` of `.jwt-lsp.toml` over the network (a project file alone never can).
    #[arg(long)]
    pub allow_network: bool,

    /// Apply the preferred quick fix of every finding that has one, then report what is left.
    #[arg(long)]
    pub fix: bool,

    /// Replace secrets with REDACTED in every output format (text, JSON, SARIF): weak HMAC
    /// secrets the scan cracked, and token text. Use it in CI: build logs and uploaded SARIF are
    /// read by more people, and kept longer, than the repository itself.
    #[arg(long)]
    pub redact: bool,

    /// Colour the text output: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Write the report to FILE instead of stdout (the summary and notes stay on stderr).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Judge dependency files against this JWT advisories file (the format of
    /// data/jwt-advisories.toml) instead of the built-in one.
    #[arg(long, value_name = "FILE")]
    pub advisories: Option<PathBuf>,

    /// Report only findings that are not in this baseline (written by --write-baseline).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the current findings in FILE (sorted JSON: paths, rule codes and fingerprints,
    /// never token text) and report none of them. With --baseline, keep only the entries still
    /// found: fixed findings leave the baseline, new ones are reported and not added.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Report only findings on lines added or changed since this git revision (and in files git
    /// does not track), for pull-request gates: `git diff --unified=0 REV -- PATHS`.
    #[arg(long, value_name = "REV")]
    pub diff_base: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub fn run(args: CheckArgs) -> ExitCode {
    super::tune_allocator_for_one_run();
    let cli_settings = match settings_from_args(&args) {
        Ok(settings) => settings,
        Err(message) => return super::usage_error(&message),
    };
    // `.jwt-lsp.toml` from the current directory upwards; command-line flags win over it.
    let (project, config) = match super::project_config(&cli_settings) {
        Ok(loaded) => loaded,
        Err(message) => return super::usage_error(&message),
    };
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let unreadable: Vec<String> = paths
        .iter()
        .filter_map(|path| {
            check_explicit_path(path)
                .err()
                .map(|reason| format!("{}: {reason}", terminal_safe(&path.to_string_lossy())))
        })
        .collect();
    if !unreadable.is_empty() {
        for problem in &unreadable[..unreadable.len() - 1] {
            eprintln!("jwt-lsp: {problem}");
        }
        return super::usage_error(&unreadable[unreadable.len() - 1]);
    }
    let project_root = project.as_ref().map(|project| project.root.clone());
    let walked = walk(&paths, &config, project_root.as_deref());
    let verifier = load_verifier(&config, project_root.as_deref(), &paths, &walked);

    let cwd = std::env::current_dir().unwrap_or_default();
    // Read before the scan: a missing or stale baseline is a usage error, not a finished scan.
    let changed = match &args.diff_base {
        Some(rev) => match gate::ChangedLines::since(rev, &paths, &cwd) {
            Ok(changed) => Some(changed),
            Err(message) => return super::usage_error(&message),
        },
        None => None,
    };
    let baseline = match args.baseline.as_deref().map(gate::Baseline::read).transpose() {
        Ok(baseline) => baseline,
        Err(message) => return super::usage_error(&message),
    };

    let fingerprints = args.format == Format::Sarif || args.baseline.is_some() || args.write_baseline.is_some();
    let advisories = match crate::deps::advisories(config.advisories.as_deref()) {
        Ok(advisories) => advisories,
        Err(message) => return super::usage_error(&message),
    };
    let naming_cwd = cwd.clone();
    let dependencies = crate::deps::ServiceCache::new(
        project_root.clone().unwrap_or_else(|| cwd.clone()),
        move |path| display_path(path, &naming_cwd),
        advisories,
    );
    let options = ScanOptions {
        max_file_size: args.max_file_size,
        fix: args.fix,
        redact: args.redact,
        fingerprints,
        dependencies: Some(dependencies),
        // Tokens are judged against the verifier calls of the walked source files: without one
        // (a folder of logs or configuration), there is nothing to collect them for.
        index: (config.is_on(Rule::TokenRejectedByVerifier)
            && walked.files.iter().any(|file| workspace::verifier_language(&file.display).is_some()))
        .then(|| Mutex::new(workspace::Index::lean())),
    };
    // One reading of the wall clock for the whole run: every file is judged at the same moment.
    let inputs = Inputs::new(&config, &verifier, super::wall_clock());
    // Nothing to do across files after the scan (no cross-check, diff, baseline; not SARIF, one
    // document with totals): each file's findings are written as soon as the files before it
    // are, while later files are still being read.
    let streamed = options.index.is_none()
        && changed.is_none()
        && baseline.is_none()
        && args.write_baseline.is_none()
        && args.output.is_none()
        && args.format != Format::Sarif;
    if streamed {
        return run_streamed(&args, walked, &inputs, &options);
    }
    let (mut reports, skipped, failed, _) = scan_and_cross_check(walked, &inputs, options);

    let outside_diff = changed.as_ref().map_or(0, |changed| {
        gate::retain_findings(&mut reports, |path, finding| {
            changed.touches(&cwd.join(path), finding.start.line + 1, finding.end.line + 1)
        })
    });
    // The baseline in effect is the one written, when one is: "accept what is here now".
    let baseline = match (&args.write_baseline, baseline) {
        (Some(file), baseline) => {
            let written = match &baseline {
                Some(baseline) => baseline.still_present(&reports),
                None => gate::Baseline::of(&reports),
            };
            if let Err(message) = written.write(file) {
                eprintln!("jwt-lsp: {message}");
                return ExitCode::from(2);
            }
            eprintln!(
                "jwt-lsp: wrote {} finding{} to the baseline {}",
                written.findings.len(),
                if written.findings.len() == 1 { "" } else { "s" },
                terminal_safe(&file.to_string_lossy())
            );
            Some(written)
        }
        (None, baseline) => baseline,
    };
    let (hidden, stale) = baseline.as_ref().map_or((0, 0), |baseline| baseline.hide(&mut reports));

    let mut tally = output::Tally::default();
    for report in &reports {
        tally.add(report);
    }
    let exit_code = exit_code(&args, &tally, &failed);

    // Stdout is line-buffered: one write per finding without this (100k findings on one log).
    let sink: Box<dyn Write> = match &args.output {
        Some(file) => match std::fs::File::create(file) {
            Ok(file) => Box::new(file),
            Err(err) => {
                eprintln!("jwt-lsp: --output {}: {err}", terminal_safe(&file.to_string_lossy()));
                return ExitCode::from(2);
            }
        },
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, sink);
    let written = match args.format {
        Format::Text => output::write_text(&mut out, &reports, wants_color(&args)),
        Format::Json => output::write_json(&mut out, &reports),
        Format::Sarif => {
            let invocation = output::Invocation { successful: failed.is_empty(), exit_code };
            output::write_sarif(&mut out, &reports, &invocation)
        }
    };
    let mut narrowed = Vec::new();
    if changed.is_some() {
        narrowed.push(format!(
            "{outside_diff} outside the lines changed since {}",
            terminal_safe(args.diff_base.as_deref().unwrap_or_default())
        ));
    }
    if baseline.is_some() {
        narrowed.push(format!("{hidden} hidden by the baseline"));
        if stale > 0 {
            let entries = if stale == 1 { "entry" } else { "entries" };
            narrowed.push(format!("{stale} baseline {entries} no longer found (fixed?)"));
        }
    }
    finish(&args, written.and_then(|()| out.flush()), &tally, &skipped, &failed, &narrowed, exit_code)
}

/// `run` when each file's findings can be written as the scan finishes it (see there).
fn run_streamed(args: &CheckArgs, walked: Walked, inputs: &Inputs<'_>, options: &ScanOptions) -> ExitCode {
    let color = wants_color(args);
    // Written by whichever scan thread finishes the file due next: `Stdout`, not its lock.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
    // Someone is watching: each file's findings show as soon as they are due.
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let mut json = output::JsonStream::default();
    let mut tally = output::Tally::default();
    // The first write error stops the writing, not the scan (its stderr notes still follow).
    let mut written = match args.format {
        Format::Json => json.begin(&mut out),
        _ => Ok(()),
    };
    let total = walked.files.len();
    let (skipped, failed, delivered) = scan_paths_in_order(walked, inputs, options, &mut |report| {
        if written.is_ok() {
            tally.add(&report);
            written = match args.format {
                Format::Json => json.report(&mut out, &report),
                _ => output::write_text_report(&mut out, &report, color),
            };
            if interactive && written.is_ok() {
                written = out.flush();
            }
        }
        // The reader is gone (`check . | head`): the rest of the scan would be written nowhere.
        match &written {
            Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    });
    if matches!(&written, Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe) {
        eprintln!("jwt-lsp: the output was closed: stopped at file {delivered} of {total}; the summary counts those");
    }
    if written.is_ok() && args.format == Format::Json {
        written = json.end(&mut out);
    }
    let exit_code = exit_code(args, &tally, &failed);
    finish(args, written.and_then(|()| out.flush()), &tally, &skipped, &failed, &[], exit_code)
}

fn wants_color(args: &CheckArgs) -> bool {
    match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => args.output.is_none() && output::stdout_wants_color(),
    }
}

/// 2 when a stage failed (it may have hidden findings: a CI gate must not pass on it), 1 when
/// a finding reaches `--fail-on`, else 0.
fn exit_code(args: &CheckArgs, tally: &output::Tally, failed: &[Skipped]) -> u8 {
    if !failed.is_empty() {
        2
    } else if args.fail_on.threshold().is_some_and(|threshold| tally.any_at_least(threshold)) {
        1
    } else {
        0
    }
}

/// The end of a run once its output is written: the write error if any, then the skipped files,
/// the summary (text) or what was not reported, and the failed stages on stderr.
fn finish(
    args: &CheckArgs,
    written: std::io::Result<()>,
    tally: &output::Tally,
    skipped: &[Skipped],
    failed: &[Skipped],
    narrowed: &[String],
    exit_code: u8,
) -> ExitCode {
    if let Err(err) = written
        && err.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("jwt-lsp: cannot write output: {err}");
        return ExitCode::from(2);
    }
    for skip in skipped {
        eprintln!("jwt-lsp: skipped {}: {}", terminal_safe(&skip.path), terminal_safe(&skip.reason));
    }
    if args.format == Format::Text {
        let mut summary = tally.summary(skipped.len());
        for part in narrowed {
            summary.push_str("; ");
            summary.push_str(part);
        }
        eprintln!("{summary}");
    } else if !narrowed.is_empty() {
        eprintln!("jwt-lsp: not reported: {}", narrowed.join("; "));
    }
    for failure in failed {
        eprintln!("jwt-lsp: {}: {}", failure.path, failure.reason);
    }
    ExitCode::from(exit_code)
}

/// Loads the configured keys, secrets and wordlist, and discovers key files in the project
/// root (or the scanned folders): the verifier `check` runs with. Problems go to stderr. The
/// folders `walked` already lists are not walked again (a second walk of a large tree was a
/// sixth of `check`'s time).
pub(super) fn load_verifier(
    config: &Config,
    project_root: Option<&Path>,
    paths: &[PathBuf],
    walked: &Walked,
) -> Verifier {
    let roots: Vec<PathBuf> = match project_root {
        Some(root) => vec![root.to_path_buf()],
        None => paths.iter().filter(|path| path.is_dir()).cloned().collect(),
    };
    let mut discovered = KeyRing::default();
    let cwd = std::env::current_dir().unwrap_or_default();
    let globs = Some(config.ignore_globs());
    for root in &roots {
        let mut found = match walked.root_of(root) {
            Some(walked_root) => {
                // Names first, from the display string: splitting 26k paths into components to
                // find their names was most of discovery's time.
                let files = walked.files.iter().filter(|file| {
                    file.root == walked_root
                        && discover::may_hold_keys(file.display.rsplit('/').next().unwrap_or(&file.display))
                });
                discover::discover_listed(root, files.map(|file| (file.path(), file.depth)), globs, Default::default())
            }
            None => discover::discover(root, globs, discover::Limits::default(), |_| {}),
        }
        .ring;
        let shown = display_path(root, &cwd);
        if project_root.is_none() && !shown.is_empty() && shown != "." {
            found.prefix_locations(&format!("{}/", shown.trim_end_matches('/')));
        }
        discovered.merge(found);
    }
    for error in discovered.errors() {
        eprintln!("jwt-lsp: key discovery: {}", terminal_safe(&error.to_string()));
    }
    let (verifier, warnings) =
        load::verifier(&config.verification, project_root, Some(&discovered), None, Mode::Inline);
    for warning in warnings {
        eprintln!("jwt-lsp: {}", terminal_safe(&warning));
    }
    verifier
}

fn parse_max_file_size(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(bytes) if (1..=MAX_MAX_FILE_SIZE).contains(&bytes) => Ok(bytes),
        _ => Err(format!("`{text}` is not a number of bytes from 1 to {MAX_MAX_FILE_SIZE} (1 GiB)")),
    }
}

/// Whether a path named on the command line can be scanned: it exists, we may read it, and it
/// is a regular file or a folder. Never opens anything but those two (opening a FIFO blocks).
pub(super) fn check_explicit_path(path: &Path) -> Result<(), String> {
    let metadata = std::fs::metadata(path).map_err(|err| describe_io_error(&err))?;
    if metadata.is_dir() {
        std::fs::read_dir(path).map_err(|err| describe_io_error(&err))?;
        return Ok(());
    }
    if !metadata.is_file() {
        return Err(not_regular(&metadata.file_type()));
    }
    crate::keys::file::open_nonblocking(path).map_err(|err| describe_io_error(&err))?;
    Ok(())
}

/// An I/O error in words a user acts on (std's `Display` adds "(os error 13)").
fn describe_io_error(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => err.to_string(),
    }
}

/// The path and the reason of a walk error (an unreadable folder, a symlink loop), so it is
/// listed like any skipped file rather than as "skipped : ./x: Permission denied (os error 13)".
fn describe_walk_error(err: &ignore::Error) -> (Option<PathBuf>, String) {
    match err {
        ignore::Error::WithPath { path, err } => (Some(path.clone()), describe_walk_error(err).1),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => describe_walk_error(err),
        ignore::Error::Io(err) => (None, describe_io_error(err)),
        other => (None, other.to_string()),
    }
}

/// Why a file that is neither regular nor a folder is not scanned.
fn not_regular(kind: &std::fs::FileType) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let what = if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_char_device() {
            "a character device"
        } else if kind.is_block_device() {
            "a block device"
        } else if kind.is_socket() {
            "a socket"
        } else {
            "a special file"
        };
        format!("not a regular file: {what}")
    }
    #[cfg(not(unix))]
    {
        let _ = kind;
        "not a regular file".to_string()
    }
}

fn settings_from_args(args: &CheckArgs) -> Result<Settings, String> {
    let mut settings = Settings {
        leeway: args.leeway,
        allow_network: args.allow_network.then_some(true),
        wordlist: args.wordlist.clone(),
        advisories: args.advisories.as_ref().map(|path| path.to_string_lossy().into_owned()),
        ..Settings::default()
    };
    if let Some(now) = &args.now {
        crate::jwt::time::parse_now(now).map_err(|err| format!("--now: {err}"))?;
        settings.now = Some(Value::String(now.clone()));
    }
    for entry in &args.severities {
        let (code, level) = entry.split_once('=').ok_or_else(|| format!("--severity {entry}: expected CODE=LEVEL"))?;
        settings.severity.insert(code.trim().to_string(), level.trim().to_string());
    }
    Ok(settings)
}

pub struct ScanOptions {
    pub max_file_size: u64,
    /// Apply preferred fixes and write the files back.
    pub fix: bool,
    /// Replace secrets and token text in finding messages with `REDACTED`.
    pub redact: bool,
    /// Fingerprint findings (for SARIF and baselines).
    pub fingerprints: bool,
    /// The dependency files of each service, read on first use (`vulnerable-jwt-library`, and
    /// library versions for the code rules); `None` reads none.
    pub dependencies: Option<crate::deps::ServiceCache>,
    /// Collect the workspace index (tokens, verifier calls, files) for the cross-check.
    pub index: Option<Mutex<Index>>,
}

/// Reports, skipped files, failed analysis stages, and the workspace index with its cross-check.
pub type Scanned = (Vec<FileReport>, Vec<Skipped>, Vec<Skipped>, Option<(Index, CrossCheck)>);

/// `scan_paths`, then the workspace cross-check over what it indexed: the
/// `token-rejected-by-verifier` findings join the reports of their files (ignore comments and
/// severity settings apply as to any finding).
pub fn scan_and_cross_check(walked: Walked, inputs: &Inputs<'_>, mut options: ScanOptions) -> Scanned {
    let (mut reports, skipped, failed) = scan_paths(walked, inputs, &options);
    let Some(index) = options.index.take() else { return (reports, skipped, failed, None) };
    let mut index = index.into_inner().expect("not poisoned");
    index.sort();
    let cwd = std::env::current_dir().unwrap_or_default();
    let check = workspace::cross_check(&index, &cwd, inputs.clock.now);
    let mut by_path: std::collections::BTreeMap<String, Vec<Finding>> = Default::default();
    for (path, finding) in workspace::findings(&index, &check, inputs.config) {
        by_path.entry(path).or_default().push(finding);
    }
    for (path, mut findings) in by_path {
        // The file was read moments ago; read it again for positions, fingerprints and ignore
        // comments rather than keep every text of the walk.
        let Ok(bytes) = read_regular_file(Path::new(&path), options.max_file_size) else { continue };
        let text = String::from_utf8_lossy(&bytes);
        let line_index = LineIndex::new(&text);
        let suppressions = crate::suppress::find_suppressions(&text, &line_index);
        crate::suppress::apply(&mut findings, &suppressions, &text, &line_index);
        if findings.is_empty() {
            continue;
        }
        let added = FileReport::new(path.clone(), &text, &line_index, findings, options.fingerprints);
        match reports.iter_mut().find(|report| report.path == path) {
            Some(report) => {
                report.findings.extend(added.findings);
                report.findings.sort_by_key(|finding| (finding.start.line, finding.start.col, finding.rule));
            }
            None => reports.push(added),
        }
    }
    reports.sort_by(|a: &FileReport, b: &FileReport| a.path.cmp(&b.path));
    (reports, skipped, failed, Some((index, check)))
}

/// The files under the paths given to `check` or `scan`, listed by one parallel walk before any
/// is read: key discovery takes its key files from the list, then the files are analysed.
pub struct Walked {
    /// The folders walked (a path given that is a folder), as given.
    roots: Vec<PathBuf>,
    /// Regular files not ignored, in path order.
    pub files: Vec<WalkedFile>,
    /// Entries that are not regular files, and walk errors.
    pub skipped: Vec<Skipped>,
}

pub struct WalkedFile {
    /// As shown in reports: relative to the current directory.
    pub display: String,
    /// The path to open when it is not `display` (absolute, not UTF-8, with a backslash). Most
    /// walked paths are their display: one string per file, not two (a walk of 26k files spent
    /// a tenth of its time allocating and freeing the second).
    other_path: Option<PathBuf>,
    /// Below its root (1 for a file directly in it; 0 for a file given by name).
    pub depth: usize,
    /// Index in `Walked::roots` of the folder it was found in.
    root: usize,
}

impl WalkedFile {
    /// A walked `path` and how reports show it, relative to `cwd`.
    fn new(path: PathBuf, cwd: &Path, depth: usize, root: usize) -> WalkedFile {
        // A relative UTF-8 path without backslashes is its own display, less a leading `./`
        // (which names the same file): the walk's string is kept, not copied.
        if path.is_relative() && path.to_str().is_some_and(|text| !text.contains('\\')) {
            let mut display = path.into_os_string().into_string().unwrap_or_default();
            if display.starts_with("./") {
                display.drain(..2);
            }
            return WalkedFile { display, other_path: None, depth, root };
        }
        WalkedFile { display: display_path(&path, cwd), other_path: Some(path), depth, root }
    }

    /// The path to open.
    pub fn path(&self) -> &Path {
        self.other_path.as_deref().unwrap_or(Path::new(&self.display))
    }
}

impl Walked {
    /// The index of `root` among the walked folders.
    fn root_of(&self, root: &Path) -> Option<usize> {
        let absolute = |path: &Path| std::path::absolute(path).ok();
        let wanted = absolute(root)?;
        self.roots.iter().position(|walked| absolute(walked).as_ref() == Some(&wanted))
    }
}

/// Walks `paths` in parallel (honouring `.gitignore`, skipping `.git`, not following symbolic
/// links, as ripgrep does) and lists what `check` analyses; the `ignore` globs apply, relative
/// to `project_root` (the folder of `.jwt-lsp.toml`) or else to the current directory.
pub fn walk(paths: &[PathBuf], config: &Config, project_root: Option<&Path>) -> Walked {
    let mut builder = ignore::WalkBuilder::new(&paths[0]);
    for path in &paths[1..] {
        builder.add(path);
    }
    builder
        .hidden(false)
        .require_git(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .threads(std::thread::available_parallelism().map_or(2, |n| n.get()).min(8));
    let roots: Vec<PathBuf> = paths.iter().filter(|path| path.is_dir()).cloned().collect();
    let cwd = std::env::current_dir().unwrap_or_default();
    let files = Mutex::new(Vec::new());
    let skipped = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let (files, skipped, cwd, roots) = (&files, &skipped, &cwd, &roots);
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let (path, reason) = describe_walk_error(&err);
                    let path = path.map(|path| display_path(&path, cwd)).unwrap_or_default();
                    skipped.lock().expect("not poisoned").push(Skipped { path, reason });
                    return ignore::WalkState::Continue;
                }
            };
            match entry.file_type() {
                Some(kind) if kind.is_file() => {}
                // Symbolic links are not followed (as in ripgrep), folders are walked into.
                None => return ignore::WalkState::Continue,
                Some(kind) if kind.is_dir() || kind.is_symlink() => return ignore::WalkState::Continue,
                // FIFOs, sockets and devices: listed as skipped, never opened.
                Some(kind) => {
                    let display = display_path(entry.path(), cwd);
                    if !is_ignored(entry.path(), &display, config, project_root) {
                        skipped
                            .lock()
                            .expect("not poisoned")
                            .push(Skipped { path: display, reason: not_regular(&kind) });
                    }
                    return ignore::WalkState::Continue;
                }
            }
            let root = roots.iter().position(|root| entry.path().starts_with(root)).unwrap_or(usize::MAX);
            let depth = entry.depth();
            let file = WalkedFile::new(entry.into_path(), cwd, depth, root);
            if is_ignored(file.path(), &file.display, config, project_root) {
                return ignore::WalkState::Continue;
            }
            files.lock().expect("not poisoned").push(file);
            ignore::WalkState::Continue
        })
    });
    let mut files = files.into_inner().expect("not poisoned");
    // Unstable (faster on 26k paths) orders the same: entries with one display path are one file.
    files.sort_unstable_by(|a: &WalkedFile, b: &WalkedFile| a.display.cmp(&b.display));
    let mut skipped = skipped.into_inner().expect("not poisoned");
    skipped.sort_by(|a: &Skipped, b: &Skipped| a.path.cmp(&b.path));
    Walked { roots, files, skipped }
}

/// Analyses the walked files in parallel; results come back sorted by path: reports, skipped
/// files, and analysis stages that failed (their file's other findings are in the reports).
pub fn scan_paths(
    walked: Walked,
    inputs: &Inputs<'_>,
    options: &ScanOptions,
) -> (Vec<FileReport>, Vec<Skipped>, Vec<Skipped>) {
    let mut reports = Vec::new();
    let (skipped, failed, _) = scan_paths_in_order(walked, inputs, options, &mut |report| {
        reports.push(report);
        ControlFlow::Continue(())
    });
    (reports, skipped, failed)
}

/// [`scan_paths`], handing each report to `deliver` in path order as soon as every file before
/// it is done: a run can write its output while later files are still being analysed, and free
/// each report once written. The thread that finishes the file due next delivers it (and any
/// that waited for it) under a lock: no thread waits for reports, and no wake-up per file (a
/// channel to a writer thread woke it 26,000 times on a source tree: 20 % more CPU).
/// When `deliver` returns `Break`, no file is delivered or started after it. Returns the skipped
/// files, the failed stages and how many files came to their turn.
pub fn scan_paths_in_order(
    walked: Walked,
    inputs: &Inputs<'_>,
    options: &ScanOptions,
    deliver: &mut (dyn FnMut(FileReport) -> ControlFlow<()> + Send),
) -> (Vec<Skipped>, Vec<Skipped>, usize) {
    let Walked { files, skipped, .. } = walked;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(8).min(files.len().max(1));
    // One file per core already: a large file's scan is not split over more threads.
    // The index's verifier calls come from the analysis' own parse.
    let inputs = &Inputs { keeps_verifier_calls: options.index.is_some(), ..*inputs };
    let one_per_core = inputs.one_thread_per_document();
    let inputs = if files.len() >= 2 * threads { &one_per_core } else { inputs };
    let skipped = Mutex::new(skipped);
    let failed = Mutex::new(Vec::new());
    let in_order = Mutex::new(InOrder { due: 0, waiting: Default::default(), deliver, stopped: false });
    // Each thread takes the next file: files differ in size by orders of magnitude.
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(file) = files.get(index) else { break };
                    // Every walked file, even one skipped below: the cross-check knows the tree
                    // (its services, its `.env` files) from these names.
                    if let Some(workspace) = &options.index
                        && workspace::Index::keeps(&file.display).is_some()
                    {
                        workspace.lock().expect("not poisoned").add_file(&file.display);
                    }
                    let report = match check_file(file.path(), &file.display, inputs, options, &failed) {
                        Ok(report) => report,
                        Err(reason) => {
                            skipped.lock().expect("not poisoned").push(Skipped { path: file.display.clone(), reason });
                            None
                        }
                    };
                    if in_order.lock().expect("not poisoned").finished(index, report).is_break() {
                        break;
                    }
                }
            });
        }
    });
    let mut skipped = skipped.into_inner().expect("not poisoned");
    let mut failed = failed.into_inner().expect("not poisoned");
    skipped.sort_by(|a: &Skipped, b: &Skipped| a.path.cmp(&b.path));
    failed.sort_by(|a: &Skipped, b: &Skipped| a.path.cmp(&b.path));
    let delivered = in_order.into_inner().expect("not poisoned").due;
    (skipped, failed, delivered)
}

/// The reports finished ahead of their turn, and where reports go in their turn.
struct InOrder<'d> {
    /// The index of the next file to deliver.
    due: usize,
    waiting: std::collections::BTreeMap<usize, Option<FileReport>>,
    deliver: &'d mut (dyn FnMut(FileReport) -> ControlFlow<()> + Send),
    /// `deliver` asked to stop (its reader went away): nothing more is delivered or scanned.
    stopped: bool,
}

impl InOrder<'_> {
    /// File `index` is done (with a report, or nothing to report): deliver what is now due.
    /// `Break` once `deliver` has asked to stop.
    fn finished(&mut self, index: usize, report: Option<FileReport>) -> ControlFlow<()> {
        if self.stopped {
            return ControlFlow::Break(());
        }
        if index != self.due {
            self.waiting.insert(index, report);
            return ControlFlow::Continue(());
        }
        let mut report = report;
        loop {
            self.due += 1;
            if let Some(report) = report
                && (self.deliver)(report).is_break()
            {
                self.stopped = true;
                self.waiting.clear();
                return ControlFlow::Break(());
            }
            match self.waiting.remove(&self.due) {
                Some(next) => report = next,
                None => return ControlFlow::Continue(()),
            }
        }
    }
}

/// Whether the `ignore` globs skip `path`: matched relative to the project root when there is
/// one, else as displayed (relative to the current directory).
fn is_ignored(path: &Path, display: &str, config: &Config, project_root: Option<&Path>) -> bool {
    let relative = project_root.and_then(|root| {
        let absolute = std::path::absolute(path).ok()?;
        Some(absolute.strip_prefix(root).ok()?.to_string_lossy().replace('\\', "/"))
    });
    config.is_ignored(relative.as_deref().unwrap_or(display))
}

/// Analyses one file. `Ok(None)` for files without findings; `Err(reason)` for skipped ones.
/// Analysis stages that fail go to `failed`; the other stages' findings are still reported.
fn check_file(
    path: &Path,
    display: &str,
    inputs: &Inputs<'_>,
    options: &ScanOptions,
    failed: &Mutex<Vec<Skipped>>,
) -> Result<Option<FileReport>, String> {
    // The walk saw a regular file (from the directory entry); the opened handle is checked again
    // (type and size) before a byte is read, so no separate `stat` of the path is needed.
    let bytes = read_regular_file(path, options.max_file_size)?;
    if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return Err("binary file".to_string());
    }
    let mut notes = Vec::new();
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            notes.push(format!(
                "not valid UTF-8 (first bad byte at offset {at}); invalid bytes were replaced with U+FFFD"
            ));
            String::from_utf8_lossy(err.as_bytes()).into_owned()
        }
    };
    let mut text = text;
    let mut index = LineIndex::new(&text);
    let mut failures = Vec::new();
    let dependencies =
        options.dependencies.as_ref().filter(|_| crate::deps::wants(display)).map(|cache| Lookup::new(cache, path));
    let inputs = &inputs.with_dependency_source(dependencies.as_ref().map(|lookup| lookup as &dyn DependencySource));
    let mut analyse = |text: &str, index: &LineIndex| {
        let isolated =
            analysis::analyze_isolated(&Document { text, path: Some(display), language_id: None, index }, inputs);
        for failure in isolated.failures {
            let reason = failure.to_string();
            if !failures.contains(&reason) {
                failures.push(reason);
            }
        }
        isolated.analysis
    };
    let mut analysis = analyse(&text, &index);
    if options.fix && notes.is_empty() {
        let fixes: Vec<_> =
            analysis.findings.iter().filter_map(|finding| finding.fixes.iter().find(|fix| fix.preferred)).collect();
        if !fixes.is_empty() {
            let (fixed, applied) = apply_fixes(&text, &fixes);
            std::fs::write(path, &fixed).map_err(|err| format!("cannot write the fixes: {err}"))?;
            let fixes = if applied == 1 { "fix" } else { "fixes" };
            eprintln!("jwt-lsp: {}: applied {applied} {fixes}", terminal_safe(display));
            text = fixed;
            index = LineIndex::new(&text);
            analysis = analyse(&text, &index);
        }
    }
    for note in notes {
        eprintln!("jwt-lsp: {}: {note}", terminal_safe(display));
    }
    let failures = failures.into_iter().map(|reason| Skipped { path: display.to_string(), reason });
    failed.lock().expect("not poisoned").extend(failures);
    // Before the index takes the tokens.
    let token_spans: Vec<std::ops::Range<usize>> =
        if options.redact { analysis.tokens.iter().map(|token| token.span.clone()).collect() } else { Vec::new() };
    if let Some(workspace) = &options.index {
        // With the verifier calls the analysis kept (`keeps_verifier_calls`) the facts parse
        // nothing and need no dependencies; without them (a code stage that failed) they parse
        // the file again and look the service up like the analysis would have.
        let kept_calls = analysis.verifier_calls.is_some();
        let dependencies = dependencies
            .as_ref()
            .and_then(|lookup| if kept_calls { lookup.looked_up() } else { lookup.dependencies() });
        let facts = FileFacts::of(display, &text, &index, &mut analysis, dependencies);
        // Most files hold neither: no lock taken for them.
        if !facts.is_empty() {
            let mut workspace = workspace.lock().expect("not poisoned");
            let facts = if workspace.is_lean() { facts.lean() } else { facts };
            workspace.add_facts(facts);
        }
    }
    if analysis.findings.is_empty() {
        return Ok(None);
    }
    let mut findings = analysis.findings;
    if options.redact {
        let token_texts: Vec<&str> = token_spans.iter().map(|span| &text[span.clone()]).collect();
        for finding in &mut findings {
            finding.message = redact_message(&finding.message, &token_texts);
        }
    }
    Ok(Some(FileReport::new(display.to_string(), &text, &index, findings, options.fingerprints)))
}

/// Reads a file checked to be regular, re-checking the opened handle (a path swapped for a
/// device or a FIFO since is caught here; the open is non-blocking, so a FIFO cannot stall it)
/// and never reading more than `max_file_size` bytes.
fn read_regular_file(path: &Path, max_file_size: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = crate::keys::file::open_nonblocking(path).map_err(|err| describe_io_error(&err))?;
    let metadata = file.metadata().map_err(|err| describe_io_error(&err))?;
    if !metadata.is_file() {
        return Err(not_regular(&metadata.file_type()));
    }
    let size = metadata.len();
    if size > max_file_size {
        return Err(format!("{size} bytes, over the {max_file_size}-byte limit (--max-file-size)"));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // The size the handle reported is what is read: reading on to prove the end cost one more
    // `read` per file. Pseudo-files report 0 and are read up to the limit.
    let limit = if size == 0 { max_file_size + 1 } else { size };
    file.take(limit).read_to_end(&mut bytes).map_err(|err| describe_io_error(&err))?;
    if bytes.len() as u64 > max_file_size {
        return Err(format!("over the {max_file_size}-byte limit (--max-file-size)"));
    }
    Ok(bytes)
}

/// `message` with secrets replaced by `REDACTED`: the text of any token of the file, and the
/// weak secret a `token-weak-secret` finding quotes (`verifies with `secret` (origin)`; the
/// verifier's wording, pinned by a test).
pub fn redact_message(message: &str, token_texts: &[&str]) -> String {
    let mut message = message.to_string();
    for token in token_texts {
        if !token.is_empty() && message.contains(token) {
            message = message.replace(token, REDACTED);
        }
    }
    // `check` says "verifies with `secret` (…)", `explain` "verifies with the weak secret `secret` (…)".
    const OPENS: [&str; 2] = ["verifies with `", "verifies with the weak secret `"];
    const ORIGINS: [&str; 4] =
        ["` (a published default", "` (an empty key", "` (a string on line", "` (in the wordlist"];
    let open = OPENS.iter().find_map(|open| message.find(open).map(|at| at + open.len()));
    if let Some(start) = open {
        // The last origin marker: the secret itself may contain "` (".
        let end = ORIGINS.iter().filter_map(|origin| message[start..].rfind(origin)).max();
        if let Some(end) = end {
            message.replace_range(start..start + end, REDACTED);
        }
    }
    message
}

/// The path as the user should see it: relative to the current directory when under it.
pub(super) fn display_path(path: &Path, cwd: &Path) -> String {
    let relative = if path.is_absolute() { path.strip_prefix(cwd).unwrap_or(path) } else { path };
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walked_file_opens_the_path_walked_and_shows_it_relative() {
        use std::os::unix::ffi::OsStrExt;
        let cwd = Path::new("/work/repo");
        let walked = |path: PathBuf| {
            let file = WalkedFile::new(path, cwd, 1, 0);
            (file.display.clone(), file.path().to_path_buf(), file.other_path.is_none())
        };
        // Its own display: one string.
        assert_eq!(walked("src/app.py".into()), ("src/app.py".into(), "src/app.py".into(), true));
        assert_eq!(walked("./src/app.py".into()), ("src/app.py".into(), "src/app.py".into(), true));
        assert_eq!(walked("./日本/🔑.py".into()), ("日本/🔑.py".into(), "日本/🔑.py".into(), true));
        // Shown otherwise: the walked path is kept to open.
        assert_eq!(
            walked("/work/repo/src/app.py".into()),
            ("src/app.py".into(), "/work/repo/src/app.py".into(), false)
        );
        assert_eq!(walked("a\\b.py".into()), ("a/b.py".into(), "a\\b.py".into(), false));
        let not_utf8 = PathBuf::from(std::ffi::OsStr::from_bytes(b"bad\xff.py"));
        assert_eq!(walked(not_utf8.clone()), ("bad\u{fffd}.py".into(), not_utf8, false));
    }

    #[test]
    fn redaction_replaces_token_text_and_the_quoted_secret_only() {
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig";
        assert_eq!(
            redact_message(&format!("Token {token} is bad; so is {token}."), &[token]),
            "Token REDACTED is bad; so is REDACTED."
        );
        let message = "Weak secret: this HS256 token verifies with `a` (b` (a string on line 2` (a string on line 3 of this file). Rotate.";
        assert_eq!(
            redact_message(message, &[]),
            "Weak secret: this HS256 token verifies with `REDACTED` (a string on line 3 of this file). Rotate."
        );
        // Nothing secret: unchanged.
        let empty =
            "Weak secret: this HS256 token verifies with the empty string (an empty key (CVE-2025-65945 class)).";
        assert_eq!(redact_message(empty, &[token]), empty);
    }

    #[test]
    fn io_errors_are_described_in_words() {
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(describe_io_error(&denied), "permission denied");
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(describe_io_error(&missing), "no such file or directory");
    }
}
