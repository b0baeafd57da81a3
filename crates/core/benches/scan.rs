//! Scanner throughput: `find_tokens` (find + decode + validate) against a baseline that only
//! counts matches of the equivalent regex (what `rg` does), on text with few tokens, on text with
//! the same token on every line, and on an access log with a distinct token per ~540 bytes (the
//! density of issue 9's 9 MB log with 17,500 tokens). Run: `cargo bench -p jwt-lsp-core --bench scan`.

use std::hint::black_box;
use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use divan::Bencher;
use divan::counter::BytesCount;
use jwt_lsp_core::analysis::{Document, Inputs, analyze};
use jwt_lsp_core::config::Config;
use jwt_lsp_core::jwt::scan::{find_tokens, find_tokens_chunked};
use jwt_lsp_core::text::LineIndex;
use jwt_lsp_core::verify::Verifier;

fn main() {
    divan::main();
}

const TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImlhdCI6MTc2NDU0NzIwMCwiZXhwIjoxNzY0NTUwODAwfQ.pnvgXORFkj8e89U-k11y5NUQCW_CqRt9V5d2PnJmknA";
/// The moment the benchmarks judge tokens at (the analysis never reads the wall clock).
const NOW: i64 = 1_767_225_600;
const SIZE: usize = 8 * 1024 * 1024;

/// Logs and configs: one token per ~1,000 lines.
static SPARSE: LazyLock<String> = LazyLock::new(|| build(1000));
/// Every line carries a token.
static DENSE: LazyLock<String> = LazyLock::new(|| build(1));
/// Combined-format access log lines, seven in nine with a distinct token in a quoted field.
static LOG: LazyLock<String> = LazyLock::new(access_log);

const INPUTS: [&str; 3] = ["sparse", "dense", "log"];

fn input(name: &str) -> &'static str {
    match name {
        "sparse" => &SPARSE,
        "dense" => &DENSE,
        _ => &LOG,
    }
}

fn access_log() -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let signature = URL_SAFE_NO_PAD.encode([0x5a; 32]);
    let mut text = String::with_capacity(SIZE + 1024);
    let mut i = 0;
    while text.len() < SIZE {
        let request = format!(
            r#"203.0.113.{} - - [01/Dec/2025:10:{:02}:{:02} +0000] "GET /api/v1/orders?page={} HTTP/1.1" 200 {} "https://app.example.com/orders" "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0""#,
            i % 250,
            i / 60 % 60,
            i % 60,
            i % 40,
            i * 37 % 90_000
        );
        if i % 9 < 7 {
            let claims = format!(
                r#"{{"iss":"https://auth.example.com/","sub":"user-{i:06}","aud":"api.example.com","iat":{},"exp":{},"scope":"read:orders"}}"#,
                1_764_000_000 + i,
                1_764_003_600 + i
            );
            let token = format!("{header}.{}.{signature}", URL_SAFE_NO_PAD.encode(claims));
            text.push_str(&format!("{request} \"Bearer {token}\"\n"));
        } else {
            text.push_str(&format!("{request} \"-\"\n"));
        }
        i += 1;
    }
    text
}

fn build(every: usize) -> String {
    let mut text = String::with_capacity(SIZE + 1024);
    let mut i = 0;
    while text.len() < SIZE {
        if i % every == 0 {
            text.push_str(&format!("{i} auth: Bearer {TOKEN}\n"));
        } else {
            text.push_str(&format!("2026-01-01T00:00:00Z INFO req={i} path=/api/v1/users key=value they.said 1.2.3\n"));
        }
        i += 1;
    }
    text
}

/// The regex a peer scanner (or `rg`) would run, counting matches only.
static BASELINE: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r"(?:ey[JIAL]|ew[ok0])[A-Za-z0-9_\-+/=%]*(?:\.[A-Za-z0-9_\-+/=%]*)+").unwrap());

#[divan::bench(args = INPUTS)]
fn scan(bencher: Bencher, density: &str) {
    let text = input(density);
    bencher.counter(BytesCount::of_str(text)).bench(|| find_tokens(black_box(text)).len());
}

/// `scan` on one thread (no chunking): the per-core throughput.
#[divan::bench(args = INPUTS)]
fn scan_one_thread(bencher: Bencher, density: &str) {
    let text = input(density);
    bencher.counter(BytesCount::of_str(text)).bench(|| find_tokens_chunked(black_box(text), 1, usize::MAX).len());
}

#[divan::bench(args = INPUTS)]
fn baseline_regex_count(bencher: Bencher, density: &str) {
    let text = input(density);
    bencher.counter(BytesCount::of_str(text)).bench(|| BASELINE.find_iter(black_box(text)).count());
}

/// The whole per-document analysis the server runs on a change (scan, checks, settings).
#[divan::bench(args = INPUTS)]
fn analyze_document(bencher: Bencher, density: &str) {
    let text = input(density);
    let config = Config::default();
    bencher.counter(BytesCount::of_str(text)).bench(|| {
        let index = LineIndex::new(text);
        let document = Document { text, path: Some("bench.log"), language_id: None, index: &index };
        analyze(black_box(&document), &Inputs::new(&config, &Verifier::default(), NOW)).findings.len()
    });
}

/// Line starts of 4 MiB of source lines, with `\n` and with Windows `\r\n` line ends (the index
/// positions are looked up in when a document has many of them, or a `\r` anywhere).
#[divan::bench(args = ["\n", "\r\n"])]
fn line_index(bencher: Bencher, line_end: &str) {
    let line = format!("        value = compute(first, second)  # a comment{line_end}");
    let text = line.repeat(4 * 1024 * 1024 / line.len());
    bencher.counter(BytesCount::of_str(&text)).bench(|| LineIndex::new(black_box(&text)).line_count(&text));
}
