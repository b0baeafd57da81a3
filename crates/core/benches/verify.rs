//! Benchmarks for verification (divan): the weak-secret search of one HS256 token through the
//! 104k-entry wallarm list (worst case: the secret is not in it, so every entry is tried raw and,
//! where it decodes, as base64/base64url), and signature verification per algorithm.
//!
//!     cargo bench -p jwt-lsp-core --bench verify
//!
//! Compiles in `data/jwt.secrets.list` and `tests/keys/` (both in the repository): the core does
//! no file I/O, its benchmarks included.

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use jwt_lsp_core::jwt::Token;
use jwt_lsp_core::jwt::decode::decode;
use jwt_lsp_core::keys::{Key, KeySource, Origin, parse_key_text};
use jwt_lsp_core::verify::weak::{Candidates, HmacTarget, Wordlist, candidates, check_quick};
use p256::ecdsa::signature::Signer as _;

fn main() {
    divan::main();
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

const HEADER_PAYLOAD: &str = r#"{"sub":"1234567890","name":"John Doe","admin":true,"iat":1516239022,"exp":1798761600}"#;

fn mint(alg: &str, sign: impl Fn(&[u8]) -> Vec<u8>) -> Token {
    let input =
        format!("{}.{}", b64(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).as_bytes()), b64(HEADER_PAYLOAD.as_bytes()));
    let signature = sign(input.as_bytes());
    decode(&format!("{input}.{}", b64(&signature))).expect("token")
}

fn with_jsonwebtoken(key: EncodingKey, algorithm: Algorithm) -> impl Fn(&[u8]) -> Vec<u8> {
    move |input| URL_SAFE_NO_PAD.decode(jsonwebtoken::crypto::sign(input, &key, algorithm).expect("sign")).expect("b64")
}

fn wordlist() -> &'static Wordlist {
    static LIST: OnceLock<Wordlist> = OnceLock::new();
    LIST.get_or_init(|| Wordlist::parse("data/jwt.secrets.list".into(), include_str!("../../../data/jwt.secrets.list")))
}

fn strong_hs256() -> &'static Token {
    static TOKEN: OnceLock<Token> = OnceLock::new();
    TOKEN.get_or_init(|| {
        mint(
            "HS256",
            with_jsonwebtoken(
                EncodingKey::from_secret(b"Zr8q2LmV0xPe7TtB1yNc4KdWu9SfHa6G").expect("key"),
                Algorithm::HS256,
            ),
        )
    })
}

/// Worst case: the secret is not in the list, so all ~104k entries (and their decodings) are tried.
#[divan::bench(sample_count = 30)]
fn weak_secret_wordlist_104k(bencher: divan::Bencher) {
    let list = wordlist();
    let token = strong_hs256();
    let input = token.signing_input().expect("jws").as_bytes();
    bencher.bench(|| {
        let target = HmacTarget::new("HS256", input, &token.signature).expect("hs256");
        assert!(list.search(&target).is_none());
    });
}

/// The edit-path part: built-in list, empty string, and the file's candidates, per HS* token: 10
/// candidates (a config file), 100, and 256 (the per-document cap, reached by big YAML).
#[divan::bench(args = [10, 100, 256])]
fn weak_secret_quick(bencher: divan::Bencher, literal_count: usize) {
    let token = strong_hs256();
    let input = token.signing_input().expect("jws").as_bytes();
    let literals: Vec<(usize, String)> =
        (0..literal_count).map(|index| (index * 10, format!("literal-value-{index}"))).collect();
    let candidates = Candidates::from_literals(literals);
    bencher.bench(|| {
        let target = HmacTarget::new("HS256", input, &token.signature).expect("hs256");
        assert!(check_quick(&target, &candidates).is_none());
    });
}

/// Candidate extraction over a 5 MB YAML-like text of `key: value` lines (once per document).
#[divan::bench(sample_count = 10)]
fn weak_secret_candidates_5mb(bencher: divan::Bencher) {
    let mut text = String::with_capacity(5 << 20);
    let mut index = 0;
    while text.len() < 5 << 20 {
        text.push_str(&format!("  - name: client-{index}\n    note: \"rotated by team {index}\"\n"));
        index += 1;
    }
    bencher.bench(|| candidates(&text, &[]).len());
}

fn public_key(text: &str) -> Key {
    parse_key_text(text, KeySource::new("bench", Origin::Configured)).expect("key").0.remove(0)
}

fn fixture(alg: &str) -> &'static (Token, Key) {
    static FIXTURES: OnceLock<Vec<(String, (Token, Key))>> = OnceLock::new();
    let all = FIXTURES.get_or_init(|| {
        let rsa_private = include_bytes!("../../../tests/keys/rsa-2048.private.pem");
        let rsa_public = include_str!("../../../tests/keys/rsa-2048.public.pem");
        let mut out = Vec::new();
        let secret = b"Zr8q2LmV0xPe7TtB1yNc4KdWu9SfHa6G";
        for (name, algorithm) in [("HS256", Algorithm::HS256), ("HS512", Algorithm::HS512)] {
            let token = mint(name, with_jsonwebtoken(EncodingKey::from_secret(secret).expect("key"), algorithm));
            let key = public_key(&format!(r#"{{"kty":"oct","k":"{}"}}"#, b64(secret)));
            out.push((name.to_string(), (token, key)));
        }
        for (name, algorithm) in [("RS256", Algorithm::RS256), ("PS256", Algorithm::PS256)] {
            let token = mint(name, with_jsonwebtoken(EncodingKey::from_rsa_pem(rsa_private).expect("rsa"), algorithm));
            out.push((name.to_string(), (token, public_key(rsa_public))));
        }
        let ec = p256::ecdsa::SigningKey::from_slice(&[7; 32]).expect("p256");
        let ec_pem = p256::pkcs8::EncodePublicKey::to_public_key_pem(ec.verifying_key(), p256::pkcs8::LineEnding::LF)
            .expect("pem");
        let token = mint("ES256", |input| {
            let signature: p256::ecdsa::Signature = ec.sign(input);
            signature.to_bytes().to_vec()
        });
        out.push(("ES256".to_string(), (token, public_key(&ec_pem))));
        let ed = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
        let ed_jwk = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{}"}}"#, b64(ed.verifying_key().as_bytes()));
        let token = mint("EdDSA", |input| ed25519_dalek::Signer::sign(&ed, input).to_bytes().to_vec());
        out.push(("EdDSA".to_string(), (token, public_key(&ed_jwk))));
        out
    });
    &all.iter().find(|(name, _)| name == alg).expect("fixture").1
}

/// One signature verification (key parsing excluded), per algorithm.
#[divan::bench(args = ["HS256", "HS512", "RS256", "PS256", "ES256", "EdDSA"])]
fn verify_signature(bencher: divan::Bencher, alg: &str) {
    let (token, key) = fixture(alg);
    bencher.bench(|| assert_eq!(jwt_lsp_core::verify::signature::verify(token, key, alg), Ok(true)));
}

/// Collecting the weak-secret candidates (string literals, `key: value` values) of 1 MB of an
/// access log, as `analyze` does once per document that holds an HS* token.
#[divan::bench]
fn weak_secret_literals_1mb_log(bencher: divan::Bencher) {
    let mut text = String::new();
    let mut index = 0;
    while text.len() < 1024 * 1024 {
        text.push_str(&format!(
            "203.0.113.{} - - [01/Dec/2025:10:00:{:02} +0000] \"GET /api/v1/orders?page={index} HTTP/1.1\" 200 {} \"https://app.example.com/\" \"Mozilla/5.0 (X11; Linux x86_64)\" \"-\"\n",
            index % 250,
            index % 60,
            index * 37 % 90_000
        ));
        index += 1;
    }
    bencher.counter(divan::counter::BytesCount::of_str(&text)).bench(|| candidates(divan::black_box(&text), &[]).len());
}
