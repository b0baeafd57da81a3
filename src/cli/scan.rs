//! `jwt-lsp scan`: the workspace inventory. Every token (where, `alg`, `kid`, `iss`, `aud`,
//! `exp`, its findings, the verdict of each verifier that receives it) and every verifier call
//! (library, allow-list, issuers, audiences, leeway, where its key comes from). Paths are relative
//! to the current folder, lines 1-based; keys are described by their source, never printed, and
//! token text never appears.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde_json::{Value, json};

use super::check::{self, ScanOptions};
use super::output::FileReport;
use crate::analysis::Inputs;
use crate::code::Expected;
use crate::config::Settings;
use crate::crosscheck::{self, Verdict};
use crate::rules::Rule;
use crate::text::terminal_safe;
use crate::workspace::{CrossCheck, Index};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and folders to scan (default: the current directory).
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,

    /// Pin the clock: RFC 3339 (2026-01-01T00:00:00Z) or Unix seconds.
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,

    /// Accepted clock skew in seconds for the token rules (`token-expired`, …).
    #[arg(long, value_name = "SECONDS", value_parser = crate::config::parse_leeway_flag)]
    pub leeway: Option<u64>,
}

pub fn run(args: ScanArgs) -> ExitCode {
    super::tune_allocator_for_one_run();
    let mut cli_settings = Settings { leeway: args.leeway, ..Settings::default() };
    if let Some(now) = &args.now {
        if let Err(err) = crate::jwt::time::parse_now(now) {
            return super::usage_error(&format!("--now: {err}"));
        }
        cli_settings.now = Some(Value::String(now.clone()));
    }
    let (project, config) = match super::project_config(&cli_settings) {
        Ok(loaded) => loaded,
        Err(message) => return super::usage_error(&message),
    };
    let paths = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    for path in &paths {
        if let Err(reason) = check::check_explicit_path(path) {
            return super::usage_error(&format!("{}: {reason}", terminal_safe(&path.to_string_lossy())));
        }
    }
    let project_root = project.as_ref().map(|project| project.root.clone());
    let walked = check::walk(&paths, &config, project_root.as_deref());
    let verifier = check::load_verifier(&config, project_root.as_deref(), &paths, &walked);
    let cwd = std::env::current_dir().unwrap_or_default();
    let naming_cwd = cwd.clone();
    let service_root = project_root.clone().unwrap_or_else(|| cwd.clone());
    let options = ScanOptions {
        max_file_size: 10 * 1024 * 1024,
        fix: false,
        redact: false,
        fingerprints: false,
        // Service files: a C# verifier's key read from configuration is the value its
        // `appsettings*.json` commits (library versions change no entry of the inventory).
        dependencies: Some(crate::deps::ServiceCache::new(
            service_root,
            move |path| check::display_path(path, &naming_cwd),
            crate::bundled::advisories(),
        )),
        index: Some(Default::default()),
    };
    let inputs = Inputs::new(&config, &verifier, super::wall_clock());
    let (reports, skipped, _failed, indexed) = check::scan_and_cross_check(walked, &inputs, options);
    let Some((index, cross)) = indexed else { return ExitCode::from(2) };
    let inventory = inventory(&index, &cross, &reports);
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        ScanFormat::Json => serde_json::to_writer_pretty(&mut out, &inventory).map_err(std::io::Error::from),
        ScanFormat::Text => write_text(&mut out, &inventory),
    };
    if let Err(err) = written.and_then(|()| writeln!(out))
        && err.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("jwt-lsp: cannot write output: {err}");
        return ExitCode::from(2);
    }
    for skip in &skipped {
        eprintln!("jwt-lsp: skipped {}: {}", terminal_safe(&skip.path), terminal_safe(&skip.reason));
    }
    ExitCode::SUCCESS
}

/// An expectation as JSON: the values, `null` when not checked, `"unknown"` when the code does
/// not say.
fn expected(expected: &Expected) -> Value {
    match expected {
        Expected::AnyOf(values) => json!(values),
        Expected::NotChecked => Value::Null,
        Expected::Unknown => json!("unknown"),
    }
}

/// The inventory as the JSON document `scan --format json` prints.
pub fn inventory(index: &Index, cross: &CrossCheck, reports: &[FileReport]) -> Value {
    let tokens: Vec<Value> = index
        .tokens
        .iter()
        .zip(&cross.judgements)
        .map(|(token, judgement)| {
            let header = &token.token.header;
            let claims = token.token.claims();
            let claim = |name: &str| claims.and_then(|claims| claims.get(name)).cloned().unwrap_or(Value::Null);
            let mut findings: Vec<&str> = token.findings.iter().map(|rule| rule.code()).collect();
            let rejected = reports.iter().filter(|report| report.path == token.path).any(|report| {
                report
                    .findings
                    .iter()
                    .any(|finding| finding.rule == Rule::TokenRejectedByVerifier && finding.start == token.start)
            });
            if rejected {
                findings.push(Rule::TokenRejectedByVerifier.code());
            }
            let verifiers: Vec<Value> = judgement
                .verdicts
                .iter()
                .map(|(number, verdict)| {
                    let verifier = &index.verifiers[*number];
                    let (name, reason, signature) = match verdict {
                        Verdict::Accepts { signature_checked } => ("accepts", Value::Null, *signature_checked),
                        Verdict::Rejects { reason, .. } => ("rejects", json!(reason), false),
                    };
                    json!({
                        "path": verifier.path,
                        "line": verifier.start.line + 1,
                        "verdict": name,
                        "reason": reason,
                        "signature_checked": signature,
                    })
                })
                .collect();
            json!({
                "path": token.path,
                "line": token.start.line + 1,
                "column": token.start.col + 1,
                "alg": token.token.alg(),
                "kid": header.get("kid").cloned().unwrap_or(Value::Null),
                "iss": claim("iss"),
                "aud": claim("aud"),
                "exp": claim("exp"),
                "findings": findings,
                "verifiers": verifiers,
            })
        })
        .collect();
    let acceptance = crosscheck::acceptance(&cross.judgements, index.verifiers.len());
    let verifiers: Vec<Value> = index
        .verifiers
        .iter()
        .zip(&cross.keys)
        .zip(acceptance)
        .map(|((verifier, key), (accepted, received))| {
            let call = &verifier.call;
            json!({
                "path": verifier.path,
                "line": verifier.start.line + 1,
                "library": call.library,
                "algorithms": call.algorithms,
                "issuers": expected(&call.issuers),
                "audiences": expected(&call.audiences),
                "leeway": call.leeway,
                "key": key.description,
                "accepts": accepted,
                "receives": received,
            })
        })
        .collect();
    json!({ "tokens": tokens, "verifiers": verifiers })
}

/// A table a person reads: tokens with their verdicts, then verifiers.
fn write_text(out: &mut impl Write, inventory: &Value) -> std::io::Result<()> {
    let text = |value: &Value| match value {
        Value::Null => "-".to_string(),
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().map_or(item.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    };
    let empty = Vec::new();
    let tokens = inventory["tokens"].as_array().unwrap_or(&empty);
    let verifiers = inventory["verifiers"].as_array().unwrap_or(&empty);
    let mut rows = vec![["TOKEN", "ALG", "KID", "ISS", "AUD", "EXP", "FINDINGS"].map(str::to_string).to_vec()];
    let mut verdict_lines = Vec::new();
    for token in tokens {
        let location = format!("{}:{}:{}", text(&token["path"]), token["line"], token["column"]);
        rows.push(vec![
            location.clone(),
            text(&token["alg"]),
            text(&token["kid"]),
            text(&token["iss"]),
            text(&token["aud"]),
            text(&token["exp"]),
            text(&token["findings"]),
        ]);
        for verdict in token["verifiers"].as_array().unwrap_or(&empty) {
            let reason = verdict["reason"].as_str().map(|reason| format!(": {reason}")).unwrap_or_default();
            verdict_lines.push(format!(
                "  {location} {} by {}:{}{reason}",
                text(&verdict["verdict"]).replace("accepts", "accepted").replace("rejects", "rejected"),
                text(&verdict["path"]),
                verdict["line"]
            ));
        }
    }
    write_table(out, &rows)?;
    if !verdict_lines.is_empty() {
        writeln!(out, "\nVERDICTS")?;
        for line in verdict_lines {
            writeln!(out, "{}", terminal_safe(&line))?;
        }
    }
    let mut rows = vec![
        ["VERIFIER", "LIBRARY", "ALGORITHMS", "ISSUERS", "AUDIENCES", "LEEWAY", "KEY", "ACCEPTS"]
            .map(str::to_string)
            .to_vec(),
    ];
    for verifier in verifiers {
        rows.push(vec![
            format!("{}:{}", text(&verifier["path"]), verifier["line"]),
            text(&verifier["library"]),
            text(&verifier["algorithms"]),
            text(&verifier["issuers"]),
            text(&verifier["audiences"]),
            format!("{} s", verifier["leeway"]),
            text(&verifier["key"]),
            format!("{} of {}", verifier["accepts"], verifier["receives"]),
        ]);
    }
    writeln!(out)?;
    write_table(out, &rows)
}

fn write_table(out: &mut impl Write, rows: &[Vec<String>]) -> std::io::Result<()> {
    let rows: Vec<Vec<String>> =
        rows.iter().map(|row| row.iter().map(|cell| terminal_safe(cell).into_owned()).collect()).collect();
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> =
        (0..columns).map(|column| rows.iter().map(|row| row[column].chars().count()).max().unwrap_or(0)).collect();
    for row in &rows {
        let cells: Vec<String> =
            row.iter().zip(&widths).map(|(cell, width)| format!("{cell:<width$}", width = *width)).collect();
        writeln!(out, "{}", cells.join("  ").trim_end())?;
    }
    Ok(())
}
