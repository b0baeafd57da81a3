//! `jwt-lsp decode`: one pasted token (argument or stdin) in, a readable report out.

use std::process::ExitCode;

use clap::Args;

use crate::jwt::checks::{Clock, check_token};
use crate::jwt::decode::decode_pasted;
use crate::jwt::describe::plain_report;
use crate::jwt::time::parse_now;
use crate::text::{terminal_safe, terminal_safe_lines};

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The token, a `Bearer …` value or an `Authorization:` header; `-` or nothing reads stdin.
    pub token: Option<String>,

    /// Pin the clock: RFC 3339 or Unix seconds.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,

    /// Accepted clock skew in seconds (0 to 604800, one week).
    #[arg(long, value_name = "SECONDS", default_value_t = 0, value_parser = crate::config::parse_leeway_flag)]
    pub leeway: u64,
}

pub fn run(args: DecodeArgs) -> ExitCode {
    let now = match args.now.as_deref().map(|now| parse_now(now).and_then(crate::config::validate_now)) {
        None => super::wall_clock(),
        Some(Ok(now)) => now,
        Some(Err(err)) => return super::usage_error(&format!("--now: {err}")),
    };
    let input = match super::token_argument(args.token.as_deref()) {
        Ok(input) => input,
        Err(message) => return super::usage_error(&message),
    };
    match decode_pasted(&input) {
        Ok((token, notes)) => {
            // Every value in the report comes from the token: escaped line by line.
            print!("{}", terminal_safe_lines(&plain_report(&token, now, &notes)));
            let findings = check_token(&token, Clock { now, leeway: args.leeway });
            if !findings.is_empty() {
                println!("\nFindings:");
                for finding in findings {
                    let message = terminal_safe(&finding.message);
                    println!("  {}[{}] {message}", finding.severity.as_str(), finding.rule.code());
                }
            }
            ExitCode::SUCCESS
        }
        Err(reason) => {
            eprintln!("jwt-lsp: {}", terminal_safe(&reason));
            ExitCode::from(1)
        }
    }
}
