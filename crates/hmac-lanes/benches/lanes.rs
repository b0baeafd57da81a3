//! Four lanes against `sha2` one key at a time (divan): the HMAC-SHA-256 search of 256 keys, none
//! matching, against a 200-byte signing input (four message blocks and one outer block per key),
//! and keying 256 candidate secrets (their two pad blocks each).
//!
//!     cargo bench -p jwt-lsp-hmac-lanes

use jwt_lsp_hmac_lanes::{Pads, first_match, first_match_portable};

fn main() {
    divan::main();
}

fn workload() -> (Vec<Pads>, Vec<[u8; 64]>) {
    let keys = (0..256u32).map(|n| ([n; 8], [n.wrapping_mul(7); 8])).collect();
    let mut message = vec![b'a'; 200];
    message.push(0x80);
    message.resize(248, 0);
    message.extend_from_slice(&(((64 + 200) as u64) * 8).to_be_bytes());
    (keys, message.chunks_exact(64).map(|chunk| chunk.try_into().unwrap()).collect())
}

#[divan::bench]
fn four_lanes(bencher: divan::Bencher) {
    let (keys, inner) = workload();
    bencher.bench(|| first_match(divan::black_box(&keys), &inner, &[0; 32]));
}

#[divan::bench]
fn one_key_at_a_time(bencher: divan::Bencher) {
    let (keys, inner) = workload();
    bencher.bench(|| first_match_portable(divan::black_box(&keys), &inner, &[0; 32]));
}

fn keys() -> Vec<Vec<u8>> {
    (0..256u32).map(|n| format!("candidate-secret-{n}").into_bytes()).collect()
}

#[divan::bench]
fn pads_four_lanes(bencher: divan::Bencher) {
    let keys = keys();
    bencher.bench(|| jwt_lsp_hmac_lanes::pads(divan::black_box(&keys).iter().map(Vec::as_slice)));
}

#[divan::bench]
fn pads_one_key_at_a_time(bencher: divan::Bencher) {
    let keys = keys();
    bencher.bench(|| jwt_lsp_hmac_lanes::pads_portable(divan::black_box(&keys).iter().map(Vec::as_slice)));
}
