//! Command-line front end: argument parsing and dispatch. `check` and `decode` live in their own
//! modules; with no command the binary serves LSP on stdio.

mod check;
mod decode;
mod explain;
mod gate;
pub mod output;
mod scan;
mod snippet;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::finding::Severity;
use crate::jwt::time::UnixSeconds;

/// The wall clock, for a command run without `--now`: the analysis never reads it itself.
pub fn wall_clock() -> UnixSeconds {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

const EXAMPLES: &str = "\
Examples:
  jwt-lsp                                  run the language server on stdin/stdout
  jwt-lsp check                            scan the current directory
  jwt-lsp check src/ .env --format sarif   SARIF 2.1.0 for code-scanning uploads
  jwt-lsp check . --now 2026-01-01T00:00:00Z --format json
  jwt-lsp decode 'Bearer eyJhbGciOi...'    decode a pasted token or header
  pbpaste | jwt-lsp decode -               decode from stdin
  jwt-lsp explain 'Bearer eyJ...' --jwks https://auth.example.com/.well-known/jwks.json --aud api
                                           why a token fails verification, step by step
  jwt-lsp snippet --lang python 'eyJ...'   a verifier for tokens like this one (node, python, go)
  jwt-lsp scan --format json               every token and verifier, and which verifier rejects what

Exit status: 0 no finding at or above --fail-on (explain: every step passes), 1 findings
(explain: a step fails), 2 usage error.";

#[derive(Debug, Parser)]
#[command(name = "jwt-lsp", about = "Finds, decodes and diagnoses JSON Web Tokens in code and configs.", after_help = EXAMPLES, disable_version_flag = true)]
pub struct Cli {
    /// Print the version (with --verbose: what the binary carries, and the licences of bundled data).
    #[arg(short = 'V', long)]
    pub version: bool,

    /// With --version: the bundled data and its licences.
    #[arg(long, requires = "version")]
    pub verbose: bool,

    /// Serve the Language Server Protocol on stdin/stdout (the default without a command).
    #[arg(long)]
    pub stdio: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and folders for tokens (and JWT code) and report findings.
    Check(check::CheckArgs),
    /// Decode one token: header, payload, times in human form, and what is wrong with it.
    Decode(decode::DecodeArgs),
    /// Explain why a token verifies or not: decode, alg, kid, iss/aud, exp/nbf, then the
    /// signature against your keys. Exit 0 only when every step passes.
    Explain(explain::ExplainArgs),
    /// Print a verifier program for a token: Node (jsonwebtoken), Python (PyJWT) or Go (golang-jwt).
    Snippet(snippet::SnippetArgs),
    /// List every token and verifier of the workspace, with each verifier's verdict on each token.
    Scan(scan::ScanArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Hint,
    /// Always exit 0 when the run completes.
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Hint => Some(Severity::Hint),
            FailOn::Never => None,
        }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.version {
        print!("{}", version_text(cli.verbose));
        return ExitCode::SUCCESS;
    }
    match cli.command {
        None => {
            crate::lsp::run_stdio();
            ExitCode::SUCCESS
        }
        Some(Command::Check(args)) => check::run(args),
        Some(Command::Decode(args)) => decode::run(args),
        Some(Command::Explain(args)) => explain::run(args),
        Some(Command::Snippet(args)) => snippet::run(args),
        Some(Command::Scan(args)) => scan::run(args),
    }
}

/// `jwt-lsp --version [--verbose]`: the verbose form lists what the binary carries and the
/// licence every copy of the bundled wordlist must keep.
fn version_text(verbose: bool) -> String {
    let mut text = format!("jwt-lsp {}\n", env!("CARGO_PKG_VERSION"));
    if verbose {
        let list = crate::bundled::builtin_wordlist();
        text.push_str(&format!(
            "rules: {}\nbuilt-in weak-secret list (`--wordlist builtin`): {} secrets, {} KiB compressed, from {}\n\n{}",
            crate::rules::Rule::ALL.len(),
            crate::text::thousands(list.entries.len()),
            crate::bundled::builtin_wordlist_bytes() / 1024,
            crate::bundled::BUILTIN_WORDLIST_SOURCE,
            crate::bundled::BUILTIN_WORDLIST_LICENSE,
        ));
    }
    text
}

/// Allocator settings for a run over many files (`check`, `scan`), a process that ends when the
/// run does: glibc grows its heaps in 64 MiB steps and keeps what is freed until exit, instead of
/// growing page by page and returning memory between files (`mprotect` and page faults were a
/// sixth of `check` on eight dense logs; 9 % less wall time with this). The server keeps glibc's
/// defaults: it lives long and returns memory.
pub(crate) fn tune_allocator_for_one_run() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets allocator parameters; called before the run's threads start.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 64 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

/// Prints a usage error and returns exit status 2.
pub(crate) fn usage_error(message: &str) -> ExitCode {
    // Escaped line by line: a TOML parse error spans lines, a path or a value may hold escapes.
    eprintln!("jwt-lsp: {}", crate::text::terminal_safe_lines(message));
    ExitCode::from(2)
}

/// The token a user passed: the argument, or stdin for `-` or no argument.
pub(crate) fn token_argument(argument: Option<&str>) -> Result<String, String> {
    match argument {
        Some("-") | None => {
            let mut input = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut input)
                .map_err(|err| format!("cannot read stdin: {err}"))?;
            Ok(input)
        }
        Some(token) => Ok(token.to_string()),
    }
}

/// The project file (from the current directory upwards) with the command line's settings over
/// it, resolved: the configuration a scan runs with, or the first problem as a usage error.
pub(crate) fn project_config(
    cli_settings: &crate::config::Settings,
) -> Result<(Option<crate::project::Project>, crate::config::Config), String> {
    let project = load_project()?;
    let settings =
        project.as_ref().map(|project| project.settings.clone()).unwrap_or_default().merged_with(cli_settings);
    let (config, warnings) = crate::config::Config::resolve(&settings);
    match warnings.into_iter().next() {
        Some(warning) => Err(warning),
        None => Ok((project, config)),
    }
}

/// The `.jwt-lsp.toml` found from the current directory upwards, if any; its warnings are
/// printed, a file that does not parse is an error.
pub(crate) fn load_project() -> Result<Option<crate::project::Project>, String> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let Some(path) = crate::project::find(&cwd) else { return Ok(None) };
    let project = crate::project::load(&path)?;
    for warning in &project.warnings {
        eprintln!("jwt-lsp: {}", crate::text::terminal_safe(warning));
    }
    Ok(Some(project))
}
