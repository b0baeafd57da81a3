//! `jwt-lsp explain`: one token from a log or a ticket, walked through the five steps a
//! verifier takes — ① decode, ② alg, ③ kid, ④ iss/aud, ⑤ exp/nbf — then the signature, with
//! the first failing step as the verdict. Exit status 0 only when every step passes and the
//! signature verifies; 1 otherwise; 2 for usage errors.
//!
//! Keys come from `--key`/`--jwks`/`--secret-env` and from `.jwt-lsp.toml` (found from the
//! current directory upwards); flags win. `--jwks https://…` fetches that URL (the flag is the
//! user's explicit consent to network access).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use serde_json::Value;

use crate::config::{Config, Settings};
use crate::jwt::decode::decode_pasted;
use crate::jwt::describe::describe_alg;
use crate::jwt::time::parse_now;
use crate::keys::fetch::{FetchOptions, JwksCache};
use crate::load;
use crate::text::{terminal_safe, terminal_safe_lines};
use crate::verify::Mode;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The token, a `Bearer …` value or an `Authorization:` header (quotes and URL-encoding are
    /// repaired); `-` or nothing reads stdin.
    pub token: Option<String>,

    /// A public key or key set: PEM (SPKI, PKCS#1, X.509 certificate), JWK or JWKS (repeatable).
    #[arg(long = "key", value_name = "FILE")]
    pub keys: Vec<String>,

    /// A JWKS file, or an https:// URL to fetch it from (repeatable).
    #[arg(long = "jwks", value_name = "FILE|URL")]
    pub jwks: Vec<String>,

    /// An environment variable holding an HMAC secret (repeatable; the value is never printed).
    #[arg(long = "secret-env", value_name = "VAR")]
    pub secret_env: Vec<String>,

    /// An allowed algorithm (repeatable, or comma-separated).
    #[arg(long = "alg", value_name = "ALG")]
    pub algorithms: Vec<String>,

    /// The expected issuer (repeatable).
    #[arg(long = "iss", value_name = "ISS")]
    pub issuers: Vec<String>,

    /// The expected audience (repeatable).
    #[arg(long = "aud", value_name = "AUD")]
    pub audiences: Vec<String>,

    /// Accepted clock skew in seconds for exp/nbf (0 to 604800, one week).
    #[arg(long, value_name = "SECONDS", value_parser = crate::config::parse_leeway_flag)]
    pub leeway: Option<u64>,

    /// Pin the clock: RFC 3339 or Unix seconds.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,

    /// A weak-secret wordlist (one candidate per line) for HS* tokens; default: `builtin`, the
    /// 104k-entry list compiled into jwt-lsp (wallarm/jwt-secrets), unless the project sets one.
    #[arg(long, value_name = "FILE|builtin")]
    pub wordlist: Option<String>,

    /// Replace a cracked weak secret with REDACTED in the checklist (for CI logs and shared reports).
    #[arg(long)]
    pub redact: bool,

    /// Give up on a `--jwks` URL after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,
}

pub fn run(args: ExplainArgs) -> ExitCode {
    if let Some(now) = &args.now
        && let Err(err) = parse_now(now)
    {
        return super::usage_error(&format!("--now: {err}"));
    }
    let input = match super::token_argument(args.token.as_deref()) {
        Ok(input) => input,
        Err(message) => return super::usage_error(&message),
    };

    let project = match super::load_project() {
        Ok(project) => project,
        Err(message) => return super::usage_error(&message),
    };
    let base = project.as_ref().map(|project| project.settings.clone()).unwrap_or_default();
    let mut settings = base.merged_with(&settings_from_args(&args));
    // One token: the whole built-in list costs milliseconds, so explain always tries it.
    settings.wordlist.get_or_insert_with(|| crate::bundled::BUILTIN_WORDLIST.to_string());
    let (config, warnings) = Config::resolve(&settings);
    if let Some(warning) = warnings.first() {
        return super::usage_error(warning);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let total_timeout = Duration::from_secs(args.timeout.max(1));
    let options = FetchOptions {
        total_timeout,
        connect_timeout: total_timeout.min(Duration::from_secs(5)),
        ..FetchOptions::default()
    };
    let cache = Arc::new(JwksCache::new(options));
    let (verifier, warnings) = load::verifier(&config.verification, Some(&cwd), None, Some(cache), Mode::Inline);
    for warning in &warnings {
        eprintln!("jwt-lsp: {}", terminal_safe(warning));
    }
    // Fetched now, so that the key list below says what each URL gave (or why it gave nothing);
    // the examination then reads the same answer from the cache.
    let remote: Vec<String> = match &verifier.remote {
        None => Vec::new(),
        Some(cache) => verifier
            .jwks_urls
            .iter()
            .map(|url| {
                let lookup = cache.keys(url);
                match lookup.error {
                    Some(error) if lookup.keys.is_empty() => format!("{url} (unusable: {error})"),
                    Some(error) => format!("{url} ({} key{}; {error})", lookup.keys.len(), plural(lookup.keys.len())),
                    None => format!("{url} ({} key{}, fetched)", lookup.keys.len(), plural(lookup.keys.len())),
                }
            })
            .collect(),
    };

    let (token, notes) = match decode_pasted(&input) {
        Ok(decoded) => decoded,
        Err(reason) => {
            let reason = terminal_safe(&reason);
            println!("① decode     ✗ {reason}\n\nVerdict: ✗ ① decode — {reason}");
            return ExitCode::from(1);
        }
    };
    let alg = token.alg().unwrap_or("?");
    println!(
        "Token: {} `{}` — {}",
        if token.form == crate::jwt::Form::Jwe { "JWE" } else { "JWS" },
        terminal_safe(alg),
        describe_alg(alg)
    );
    for note in &notes {
        println!("repaired: {}", terminal_safe(note));
    }
    for repair in &token.repairs {
        println!("repaired: the token {}", repair.problem());
    }
    if let Some(Value::String(kid)) = token.header.get("kid") {
        println!("kid: `{}`", terminal_safe(kid));
    }
    let sources: Vec<String> = verifier
        .keys
        .sources
        .iter()
        .map(|report| match &report.error {
            None => format!("{} ({} key{})", report.source.describe(), report.keys, plural(report.keys)),
            Some(error) => format!("{} (unusable: {error})", report.source.describe()),
        })
        .chain(remote)
        .collect();
    if sources.is_empty() {
        println!("keys: none (give --key, --jwks or --secret-env to check the signature)");
    } else {
        println!("keys: {}", terminal_safe(&sources.join(", ")));
    }
    println!();

    let exam = verifier.examine(&token, &[], config.clock(super::wall_clock()), &|_| 0);
    // The checklist quotes the token's own `kid`, `iss`, `aud`…: escaped line by line.
    let mut checklist = exam.plain();
    if args.redact {
        // Line by line: the secret is quoted on the signature line and again in the verdict.
        checklist = checklist.lines().map(|line| super::check::redact_message(line, &[]) + "\n").collect();
    }
    print!("{}", terminal_safe_lines(&checklist));
    if exam.all_passed() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

fn settings_from_args(args: &ExplainArgs) -> Settings {
    let mut keys = args.keys.clone();
    let mut urls = Vec::new();
    for source in &args.jwks {
        if source.contains("://") {
            urls.push(source.clone());
        } else {
            keys.push(source.clone());
        }
    }
    let list = |items: &[String]| (!items.is_empty()).then(|| items.to_vec());
    let algorithms: Vec<String> = args
        .algorithms
        .iter()
        .flat_map(|alg| alg.split(','))
        .map(str::trim)
        .filter(|alg| !alg.is_empty())
        .map(str::to_string)
        .collect();
    Settings {
        leeway: args.leeway,
        now: args.now.clone().map(Value::String),
        keys: list(&keys),
        jwks_urls: list(&urls),
        // `--jwks URL` on the command line is the user's own, explicit request to fetch it.
        allow_network: (!urls.is_empty()).then_some(true),
        secret_env: list(&args.secret_env),
        wordlist: args.wordlist.clone(),
        algorithms: list(&algorithms),
        issuers: list(&args.issuers),
        audiences: list(&args.audiences),
        ..Settings::default()
    }
}
