//! Robustness: thousands of damaged variants of real tokens (bytes flipped, cut, duplicated,
//! percent-encoded, wrapped, multi-byte characters spliced in) go through the scanner, the
//! checks and the describers. Nothing may panic, and every span must lie on char boundaries.

mod support;

use jwt_lsp::jwt::checks::{Clock, check_token};
use jwt_lsp::jwt::describe::{hover_markdown, inlay_label, plain_report};
use jwt_lsp::jwt::scan::find_tokens;
use serde_json::json;
use support::{NOW, token};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SPLICES: &[&str] = &[
    "%3D", "%253D", "=", "==", "+", "/", ".", "..", "\n", "\r\n", " ", "\\\n", "😀", "日本", "%", "%2", "\"", "…",
    "\u{0}", "eyJ", "ewog",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut out = text.to_string();
    for _ in 0..1 + rng.below(4) {
        let mut at = rng.below(out.len() + 1);
        while !out.is_char_boundary(at) {
            at -= 1;
        }
        match rng.below(4) {
            0 => out.insert_str(at, SPLICES[rng.below(SPLICES.len())]),
            1 => out.truncate(at),
            2 => {
                let end = (at + rng.below(12)).min(out.len());
                if out.is_char_boundary(end) {
                    out.replace_range(at..end, "");
                }
            }
            _ => {
                let copy = out[at..].chars().take(rng.below(40)).collect::<String>();
                out.insert_str(at, &copy);
            }
        }
    }
    out
}

#[test]
fn damaged_tokens_never_panic_and_spans_stay_on_char_boundaries() {
    let seeds = [
        token(&json!({"alg": "HS256", "typ": "JWT"}), &json!({"sub": "alice", "exp": NOW - 10, "aud": ["a", "b"]})),
        token(&json!({"alg": "none"}), &json!({"sub": "admin", "nbf": "soon", "iat": 1e300})),
        token(&json!({"alg": "ES256", "jwk": {"kty": "EC"}}), &json!([1, 2, 3])),
        "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d".to_string(),
    ];
    let clock = Clock { now: NOW, leeway: 30 };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut found = 0;
    for round in 0..20_000 {
        let seed = &seeds[round % seeds.len()];
        let text = format!("x = \"{}\" 😀 {}", mutate(&mut rng, seed), mutate(&mut rng, seed));
        for token in find_tokens(&text) {
            assert!(text.is_char_boundary(token.span.start) && text.is_char_boundary(token.span.end), "{text:?}");
            let _ = check_token(&token, clock);
            let _ = hover_markdown(&token, NOW);
            let _ = inlay_label(&token, NOW);
            let _ = plain_report(&token, NOW, &[]);
            found += 1;
        }
    }
    assert!(found > 10_000, "the mutations should still leave many decodable tokens ({found})");
}
