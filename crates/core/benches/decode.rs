//! Decoder benchmarks: `decode` (repair, base64url, header and payload JSON) per token shape, the
//! token rules on a decoded token, and both over 10,000 distinct tokens (the issue-9 YAML
//! document's count), the per-token cost that dominates `check` on token-dense logs.
//!
//!     cargo bench -p jwt-lsp-core --bench decode

use std::hint::black_box;
use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use divan::Bencher;
use divan::counter::ItemsCount;
use jwt_lsp_core::jwt::checks::{Clock, check_token};
use jwt_lsp_core::jwt::decode::decode;

fn main() {
    divan::main();
}

/// 2026-01-01T00:00:00Z, the clock every benchmark and test pins.
const NOW: i64 = 1_767_225_600;

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Claims shaped like a real access token (iss, sub, aud, iat, exp, scope, jti), made distinct by `serial`.
fn claims(serial: usize) -> String {
    format!(
        r#"{{"iss":"https://auth.example.com/","sub":"user-{serial:06}","aud":"api.example.com","iat":{},"exp":{},"scope":"read:orders write:orders","jti":"{serial:016x}"}}"#,
        NOW - 86_400 - serial as i64,
        NOW - 82_800 - serial as i64,
    )
}

fn jws(header: &str, payload: &str, signature_len: usize) -> String {
    format!("{}.{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()), b64(&vec![0x5a; signature_len]))
}

/// One token per shape the scanner meets; the damaged ones exercise each repair.
fn shape(name: &str) -> String {
    let hs256 = jws(r#"{"alg":"HS256","typ":"JWT"}"#, &claims(1), 32);
    match name {
        "hs256" => hs256,
        "rs256_kid" => jws(r#"{"alg":"RS256","typ":"JWT","kid":"2025-11-key-1"}"#, &claims(2), 256),
        "large_claims" => {
            let roles: Vec<String> = (0..60).map(|n| format!(r#""role-{n}""#)).collect();
            let payload = format!(
                r#"{{"sub":"user-1","exp":{},"roles":[{}],"profile":{{"name":"Alice Example","locale":"en-GB","email":"alice@example.com"}}}}"#,
                NOW + 3600,
                roles.join(",")
            );
            jws(r#"{"alg":"ES256","typ":"JWT"}"#, &payload, 64)
        }
        "jwe" => format!(
            "{}.{}.{}.{}.{}",
            b64(br#"{"alg":"RSA-OAEP-256","enc":"A256GCM"}"#),
            b64(&[1; 256]),
            b64(&[2; 12]),
            b64(&[3; 300]),
            b64(&[4; 16])
        ),
        // A token wrapped over three lines, as in a pasted log or a YAML block scalar.
        "wrapped" => {
            let (first, rest) = hs256.split_at(60);
            let (second, third) = rest.split_at(60);
            format!("{first}\n    {second}\n    {third}")
        }
        // URL-encoded padding and standard-alphabet characters, as in query strings.
        "percent_padded" => {
            let mut parts = hs256.split('.').map(str::to_string).collect::<Vec<_>>();
            parts[1].push_str("%3D");
            parts[2] = parts[2].replace('-', "+").replace('_', "/") + "==";
            parts.join(".")
        }
        other => panic!("unknown shape {other}"),
    }
}

const SHAPES: [&str; 6] = ["hs256", "rs256_kid", "large_claims", "jwe", "wrapped", "percent_padded"];

#[divan::bench(args = SHAPES)]
fn decode_one(bencher: Bencher, name: &str) {
    let text = shape(name);
    assert!(decode(&text).is_some(), "{name} must decode");
    bencher.bench(|| decode(black_box(&text)));
}

/// The token rules (time, alg, header keys, claims) on one decoded token.
#[divan::bench(args = SHAPES)]
fn check_one(bencher: Bencher, name: &str) {
    let token = decode(&shape(name)).expect("decodes");
    let clock = Clock { now: NOW, leeway: 0 };
    bencher.bench(|| check_token(black_box(&token), clock));
}

/// 10,000 distinct HS256 tokens (no per-text cache can help): decode, then decode and check.
static DISTINCT: LazyLock<Vec<String>> =
    LazyLock::new(|| (0..10_000).map(|serial| jws(r#"{"alg":"HS256","typ":"JWT"}"#, &claims(serial), 32)).collect());

#[divan::bench(sample_count = 20)]
fn decode_10k_distinct(bencher: Bencher) {
    bencher
        .counter(ItemsCount::new(DISTINCT.len()))
        .bench(|| DISTINCT.iter().filter(|text| decode(black_box(text)).is_some()).count());
}

#[divan::bench(sample_count = 20)]
fn decode_and_check_10k_distinct(bencher: Bencher) {
    let clock = Clock { now: NOW, leeway: 0 };
    bencher.counter(ItemsCount::new(DISTINCT.len())).bench(|| {
        DISTINCT
            .iter()
            .filter_map(|text| decode(black_box(text)))
            .map(|token| check_token(&token, clock).len())
            .sum::<usize>()
    });
}
