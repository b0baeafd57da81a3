//! HMAC-SHA-2 for the weak-secret search, with each key's pads hashed once: the search tries
//! 10^5 keys against one token, so per key it should cost only the token's message blocks and
//! one outer block.
//!
//! HMAC(K, m) = H((K' ⊕ opad) ‖ H((K' ⊕ ipad) ‖ m)), K' = K (or H(K) when longer than a block),
//! zero-padded to the block size. The SHA-2 state after the one-block prefixes `K' ⊕ ipad` and
//! `K' ⊕ opad` is all a key needs: [`PadStates`] keeps those two states per key (64 bytes for
//! HS256, 128 for HS384/HS512, where the `hmac` crate's keyed state takes 144/288). The token's
//! message is padded once ([`Message`]). HS256 keys run through `jwt-lsp-hmac-lanes`, four at a
//! time where the processor has the SHA extensions (the search's largest cost on a source tree);
//! HS384/HS512 keys run `sha2`'s own compression function. `tests` check every result against
//! the `hmac` crate.

use sha2::Digest;
use sha2::block_api::{compress256, compress512};

use super::weak::HmacAlg;

/// One SHA-2 family: SHA-256 (HS256) or SHA-512 (HS384/HS512, which differ in IV and length).
trait Family {
    type State: Copy;
    const BLOCK: usize;
    /// Bytes of the message-length field in the final padding.
    const LENGTH_FIELD: usize;
    fn iv(alg: HmacAlg) -> Self::State;
    /// Compresses whole blocks (`blocks.len()` is a multiple of `BLOCK`).
    fn compress(state: &mut Self::State, blocks: &[u8]);
    /// The state's first `out.len()` bytes, big-endian (the digest, truncated for SHA-384).
    fn write(state: &Self::State, out: &mut [u8]);
}

struct Sha256Family;
struct Sha512Family;

impl Family for Sha256Family {
    type State = [u32; 8];
    const BLOCK: usize = 64;
    const LENGTH_FIELD: usize = 8;
    fn iv(_: HmacAlg) -> [u32; 8] {
        // FIPS 180-4 §5.3.3.
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    }
    fn compress(state: &mut [u32; 8], blocks: &[u8]) {
        compress256(state, blocks.as_chunks::<64>().0);
    }
    fn write(state: &[u32; 8], out: &mut [u8]) {
        for (chunk, word) in out.chunks_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes()[..chunk.len()]);
        }
    }
}

impl Family for Sha512Family {
    type State = [u64; 8];
    const BLOCK: usize = 128;
    const LENGTH_FIELD: usize = 16;
    fn iv(alg: HmacAlg) -> [u64; 8] {
        // FIPS 180-4 §5.3.4 (SHA-384) and §5.3.5 (SHA-512).
        match alg {
            HmacAlg::Hs384 => [
                0xcbbb9d5dc1059ed8,
                0x629a292a367cd507,
                0x9159015a3070dd17,
                0x152fecd8f70e5939,
                0x67332667ffc00b31,
                0x8eb44a8768581511,
                0xdb0c2e0d64f98fa7,
                0x47b5481dbefa4fa4,
            ],
            _ => [
                0x6a09e667f3bcc908,
                0xbb67ae8584caa73b,
                0x3c6ef372fe94f82b,
                0xa54ff53a5f1d36f1,
                0x510e527fade682d1,
                0x9b05688c2b3e6c1f,
                0x1f83d9abfb41bd6b,
                0x5be0cd19137e2179,
            ],
        }
    }
    fn compress(state: &mut [u64; 8], blocks: &[u8]) {
        compress512(state, blocks.as_chunks::<128>().0);
    }
    fn write(state: &[u64; 8], out: &mut [u8]) {
        for (chunk, word) in out.chunks_mut(8).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes()[..chunk.len()]);
        }
    }
}

fn digest_len(alg: HmacAlg) -> usize {
    match alg {
        HmacAlg::Hs256 => 32,
        HmacAlg::Hs384 => 48,
        HmacAlg::Hs512 => 64,
    }
}

/// `data` with SHA-2 padding, as if `prefix` bytes (one block) had been hashed before it.
fn padded<F: Family>(data: &[u8], prefix: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + F::BLOCK + F::LENGTH_FIELD);
    out.extend_from_slice(data);
    out.push(0x80);
    while !(out.len() + F::LENGTH_FIELD).is_multiple_of(F::BLOCK) {
        out.push(0);
    }
    let bits = ((prefix + data.len()) as u128) * 8;
    out.extend_from_slice(&bits.to_be_bytes()[16 - F::LENGTH_FIELD..]);
    out
}

/// The inner and outer states of one key.
fn key_states<F: Family>(alg: HmacAlg, key: &[u8]) -> (F::State, F::State) {
    let mut block = [0u8; 128];
    let block = &mut block[..F::BLOCK];
    if key.len() > F::BLOCK {
        let hashed = match alg {
            HmacAlg::Hs256 => sha2::Sha256::digest(key).to_vec(),
            HmacAlg::Hs384 => sha2::Sha384::digest(key).to_vec(),
            HmacAlg::Hs512 => sha2::Sha512::digest(key).to_vec(),
        };
        block[..hashed.len()].copy_from_slice(&hashed);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let state = |pad: u8| {
        let mut xored = [0u8; 128];
        for (out, byte) in xored.iter_mut().zip(block.iter()) {
            *out = byte ^ pad;
        }
        let mut state = F::iv(alg);
        F::compress(&mut state, &xored[..F::BLOCK]);
        state
    };
    (state(0x36), state(0x5c))
}

/// A token's signing input and signature, padded once for every key.
pub struct Message<'a> {
    alg: HmacAlg,
    /// The signing input with the inner hash's padding (after the one-block ipad prefix).
    inner: Vec<u8>,
    /// The outer hash's last block: room for the inner digest, then its padding.
    outer: Vec<u8>,
    signature: &'a [u8],
}

impl<'a> Message<'a> {
    pub fn new(alg: HmacAlg, signing_input: &[u8], signature: &'a [u8]) -> Message<'a> {
        let zeros = [0u8; 64];
        let digest = &zeros[..digest_len(alg)];
        let (inner, outer) = match alg {
            HmacAlg::Hs256 => (padded::<Sha256Family>(signing_input, 64), padded::<Sha256Family>(digest, 64)),
            _ => (padded::<Sha512Family>(signing_input, 128), padded::<Sha512Family>(digest, 128)),
        };
        Message { alg, inner, outer, signature }
    }
}

/// The pad states of a list of keys for one algorithm.
pub enum PadStates {
    Sha256(Vec<([u32; 8], [u32; 8])>),
    Sha512(HmacAlg, Vec<([u64; 8], [u64; 8])>),
}

impl PadStates {
    pub fn new<'k>(alg: HmacAlg, keys: impl Iterator<Item = &'k [u8]>) -> PadStates {
        // Keying a wordlist is as long as a search: it pauses between slices the same way.
        let keys = keys.enumerate().map(|(index, key)| {
            pause_every_slice(index);
            key
        });
        match alg {
            HmacAlg::Hs256 => PadStates::Sha256(jwt_lsp_hmac_lanes::pads(keys)),
            _ => PadStates::Sha512(alg, keys.map(|key| key_states::<Sha512Family>(alg, key)).collect()),
        }
    }

    /// The position of the first key whose HMAC of `message` is its signature.
    pub fn first_verifying(&self, message: &Message<'_>) -> Option<usize> {
        match self {
            PadStates::Sha256(states) if message.alg == HmacAlg::Hs256 => first_hs256(states, message),
            PadStates::Sha512(alg, states) if *alg == message.alg => first::<Sha512Family>(states, message),
            // Keyed for another algorithm: a caller bug, and no key can verify.
            _ => None,
        }
    }
}

/// Keys tried between two calls of the thread's pause (about a millisecond of hashing).
const KEYS_PER_SLICE: usize = 4096;

thread_local! {
    static PAUSE: std::cell::Cell<Option<fn()>> = const { std::cell::Cell::new(None) };
}

/// Installs `pause` for this thread: a long search (a wordlist of 10^5 keys) calls it between
/// slices of [`KEYS_PER_SLICE`] keys. A front end's background thread uses it to let requests
/// go first; the core itself never waits.
pub fn set_pause_between_slices(pause: Option<fn()>) {
    PAUSE.set(pause);
}

/// Calls the thread's pause before item `index` when it starts a slice (not before the first).
pub(super) fn pause_every_slice(index: usize) {
    if index > 0
        && index.is_multiple_of(KEYS_PER_SLICE)
        && let Some(pause) = PAUSE.get()
    {
        pause();
    }
}

/// HS256 through `jwt-lsp-hmac-lanes` (four keys at a time where the processor allows), in the
/// same slices as [`first`].
fn first_hs256(states: &[([u32; 8], [u32; 8])], message: &Message<'_>) -> Option<usize> {
    let mac: &[u8; 32] = message.signature.try_into().ok()?;
    let inner = message.inner.as_chunks::<64>().0;
    let pause = PAUSE.get();
    for (slice, keys) in states.chunks(KEYS_PER_SLICE).enumerate() {
        if let Some(position) = jwt_lsp_hmac_lanes::first_match(keys, inner, mac) {
            return Some(slice * KEYS_PER_SLICE + position);
        }
        if let Some(pause) = pause {
            pause();
        }
    }
    None
}

fn first<F: Family>(states: &[(F::State, F::State)], message: &Message<'_>) -> Option<usize> {
    let len = digest_len(message.alg);
    if message.signature.len() != len {
        return None;
    }
    let mut outer = message.outer.clone();
    let mut digest = [0u8; 64];
    let pause = PAUSE.get();
    for (slice, keys) in states.chunks(KEYS_PER_SLICE).enumerate() {
        let found = keys.iter().position(|(inner_state, outer_state)| {
            let mut inner = *inner_state;
            F::compress(&mut inner, &message.inner);
            F::write(&inner, &mut outer[..len]);
            let mut state = *outer_state;
            F::compress(&mut state, &outer);
            F::write(&state, &mut digest[..len]);
            // Not constant-time: the keys are a public list and the signature is the token's own.
            digest[..len] == *message.signature
        });
        if let Some(position) = found {
            return Some(slice * KEYS_PER_SLICE + position);
        }
        if let Some(pause) = pause {
            pause();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, KeyInit, Mac};

    fn reference(alg: HmacAlg, key: &[u8], message: &[u8]) -> Vec<u8> {
        fn mac<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
            let mut mac = <M as KeyInit>::new_from_slice(key).unwrap();
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        match alg {
            HmacAlg::Hs256 => mac::<Hmac<sha2::Sha256>>(key, message),
            HmacAlg::Hs384 => mac::<Hmac<sha2::Sha384>>(key, message),
            HmacAlg::Hs512 => mac::<Hmac<sha2::Sha512>>(key, message),
        }
    }

    #[test]
    fn a_long_search_pauses_between_slices_and_finds_the_same_key() {
        static PAUSES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        fn count() {
            PAUSES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let keys: Vec<Vec<u8>> = (0..2 * KEYS_PER_SLICE + 10).map(|n| format!("key-{n}").into_bytes()).collect();
        let states = PadStates::new(HmacAlg::Hs256, keys.iter().map(Vec::as_slice));
        let last = keys.len() - 1;
        let signature = reference(HmacAlg::Hs256, &keys[last], b"header.payload");
        let message = Message::new(HmacAlg::Hs256, b"header.payload", &signature);
        set_pause_between_slices(Some(count));
        assert_eq!(states.first_verifying(&message), Some(last));
        assert_eq!(PAUSES.load(std::sync::atomic::Ordering::Relaxed), 2, "after each of the two full slices");
        set_pause_between_slices(None);
        assert_eq!(states.first_verifying(&message), Some(last));
        assert_eq!(PAUSES.load(std::sync::atomic::Ordering::Relaxed), 2, "no pause once the hook is removed");
        // Keying the list pauses too, and keys the same states.
        set_pause_between_slices(Some(count));
        let keyed = PadStates::new(HmacAlg::Hs256, keys.iter().map(Vec::as_slice));
        set_pause_between_slices(None);
        assert_eq!(PAUSES.load(std::sync::atomic::Ordering::Relaxed), 4, "before keys 4096 and 8192");
        assert_eq!(keyed.first_verifying(&message), Some(last));
    }

    #[test]
    fn agrees_with_the_hmac_crate_at_every_block_boundary() {
        // Keys and messages of every length around the 64- and 128-byte blocks and the padding
        // boundaries (55/56, 111/112 bytes), keys longer than a block (hashed first).
        let lengths = [0, 1, 31, 32, 47, 48, 55, 56, 57, 63, 64, 65, 111, 112, 113, 127, 128, 129, 200, 256, 257, 1000];
        let bytes = |len: usize, seed: u8| -> Vec<u8> { (0..len).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect() };
        for alg in [HmacAlg::Hs256, HmacAlg::Hs384, HmacAlg::Hs512] {
            let keys: Vec<Vec<u8>> = lengths.iter().map(|&len| bytes(len, 7)).collect();
            let states = PadStates::new(alg, keys.iter().map(Vec::as_slice));
            for &message_len in &lengths {
                let message = bytes(message_len, 99);
                for (position, key) in keys.iter().enumerate() {
                    let signature = reference(alg, key, &message);
                    let padded = Message::new(alg, &message, &signature);
                    // Keys of equal HMAC earlier in the list would be found first; these are distinct.
                    assert_eq!(
                        states.first_verifying(&padded),
                        Some(position),
                        "{alg:?} key {} message {message_len}",
                        key.len()
                    );
                }
                let wrong = vec![0u8; reference(alg, b"", b"").len()];
                assert_eq!(states.first_verifying(&Message::new(alg, &message, &wrong)), None);
            }
        }
    }

    #[test]
    fn keyed_for_one_algorithm_never_matches_another() {
        let states = PadStates::new(HmacAlg::Hs384, [b"secret".as_slice()].into_iter());
        let signature = reference(HmacAlg::Hs512, b"secret", b"m");
        assert_eq!(states.first_verifying(&Message::new(HmacAlg::Hs512, b"m", &signature)), None);
        assert_eq!(states.first_verifying(&Message::new(HmacAlg::Hs384, b"m", &signature[..48])), None);
    }
}
