//! Scanner throughput: `find_tokens` (find + decode + validate) against a baseline that only
//! counts matches of the equivalent regex (what `rg` does), on text with few tokens and on text
//! dense with tokens. Run: `cargo bench -p jwt-lsp --bench scan`.

use std::hint::black_box;
use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::BytesCount;
use jwt_lsp::analysis::{Document, analyze};
use jwt_lsp::config::Config;
use jwt_lsp::jwt::scan::find_tokens;
use jwt_lsp::text::LineIndex;

fn main() {
    divan::main();
}

const TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImlhdCI6MTc2NDU0NzIwMCwiZXhwIjoxNzY0NTUwODAwfQ.pnvgXORFkj8e89U-k11y5NUQCW_CqRt9V5d2PnJmknA";
const SIZE: usize = 8 * 1024 * 1024;

/// Logs and configs: one token per ~1,000 lines.
static SPARSE: LazyLock<String> = LazyLock::new(|| build(1000));
/// Every line carries a token.
static DENSE: LazyLock<String> = LazyLock::new(|| build(1));

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

#[divan::bench(args = ["sparse", "dense"])]
fn scan(bencher: Bencher, density: &str) {
    let text: &str = if density == "sparse" { &SPARSE } else { &DENSE };
    bencher.counter(BytesCount::of_str(text)).bench(|| find_tokens(black_box(text)).len());
}

#[divan::bench(args = ["sparse", "dense"])]
fn baseline_regex_count(bencher: Bencher, density: &str) {
    let text: &str = if density == "sparse" { &SPARSE } else { &DENSE };
    bencher.counter(BytesCount::of_str(text)).bench(|| BASELINE.find_iter(black_box(text)).count());
}

/// The whole per-document analysis the server runs on a change (scan, checks, settings).
#[divan::bench(args = ["sparse", "dense"])]
fn analyze_document(bencher: Bencher, density: &str) {
    let text: &str = if density == "sparse" { &SPARSE } else { &DENSE };
    let config = Config::default();
    bencher.counter(BytesCount::of_str(text)).bench(|| {
        let index = LineIndex::new(text);
        let document = Document { text, path: Some("bench.log"), language_id: None, index: &index };
        analyze(black_box(&document), &config).findings.len()
    });
}
