//! HMAC-SHA-256 of one message under many keys, for a search that tries every key of a list
//! against one token's signature.
//!
//! HMAC(K, m) = H((K' ⊕ opad) ‖ H((K' ⊕ ipad) ‖ m)). [`pads`] hashes each key's two one-block
//! prefixes once (its *pad states*); [`first_match`] then costs per key the message's blocks and
//! one outer block.
//!
//! What is left is latency-bound: SHA-256's rounds form one dependency chain per hash, and the
//! SHA extensions' round instruction waits for the one before it. With four keys in flight the
//! processor overlaps four chains, and the message schedule, the same for every key, is computed
//! once per block instead of once per key (where each lane has its own block, its schedule is
//! computed between the rounds, in the other lanes' latency). That is the x86-64 path here,
//! chosen at run time when the processor has the SHA extensions; anywhere else [`pads`] and
//! [`first_match`] run `sha2`'s compression function one key at a time. The tests compare both
//! paths with the `hmac` crate.
//!
//! The SIMD intrinsics need `unsafe`; they live here, apart, so that the analysis core can
//! forbid `unsafe` code altogether.

#![deny(unsafe_op_in_unsafe_fn)]

use sha2::block_api::compress256;

/// A SHA-256 chaining state.
pub type State = [u32; 8];

/// The inner and outer pad states of one key.
pub type Pads = (State, State);

/// SHA-256's initial state (FIPS 180-4 §5.3.3).
const IV: State = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/// The two blocks HMAC hashes first for `key`: K' ⊕ ipad and K' ⊕ opad, where K' is the key, or
/// its SHA-256 digest when longer than a block, zero-padded to 64 bytes.
fn pad_blocks(key: &[u8]) -> [[u8; 64]; 2] {
    let mut block = [0u8; 64];
    match key.len() > 64 {
        true => {
            let mut state = IV;
            let (whole, rest) = key.as_chunks::<64>();
            compress256(&mut state, whole);
            let mut tail = rest.to_vec();
            tail.push(0x80);
            while tail.len() % 64 != 56 {
                tail.push(0);
            }
            tail.extend_from_slice(&(key.len() as u64 * 8).to_be_bytes());
            compress256(&mut state, tail.as_chunks::<64>().0);
            for (chunk, word) in block[..32].chunks_mut(4).zip(state) {
                chunk.copy_from_slice(&word.to_be_bytes());
            }
        }
        false => block[..key.len()].copy_from_slice(key),
    }
    [block.map(|byte| byte ^ 0x36), block.map(|byte| byte ^ 0x5c)]
}

/// The pad states of each key, in order.
pub fn pads<'k>(keys: impl IntoIterator<Item = &'k [u8]>) -> Vec<Pads> {
    let blocks = keys.into_iter().map(pad_blocks);
    #[cfg(target_arch = "x86_64")]
    if x86::available() {
        // SAFETY: `available` checked that the processor has every feature `x86::pads` enables.
        return unsafe { x86::pads(blocks) };
    }
    pads_portable_of(blocks)
}

/// [`pads`] one key at a time with `sha2`'s compression function.
pub fn pads_portable<'k>(keys: impl IntoIterator<Item = &'k [u8]>) -> Vec<Pads> {
    pads_portable_of(keys.into_iter().map(pad_blocks))
}

fn pads_portable_of(blocks: impl Iterator<Item = [[u8; 64]; 2]>) -> Vec<Pads> {
    blocks
        .map(|[inner, outer]| {
            let (mut inner_state, mut outer_state) = (IV, IV);
            compress256(&mut inner_state, &[inner]);
            compress256(&mut outer_state, &[outer]);
            (inner_state, outer_state)
        })
        .collect()
}

/// The outer hash's only block: the 32-byte inner digest, then SHA-256 padding for 64 + 32 bytes.
fn outer_block(inner_digest: &State) -> [u8; 64] {
    let mut block = [0u8; 64];
    for (chunk, word) in block[..32].chunks_mut(4).zip(inner_digest) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    block[32] = 0x80;
    block[62..].copy_from_slice(&(((64 + 32) * 8) as u16).to_be_bytes());
    block
}

/// The position of the first key in `keys` whose HMAC-SHA-256 of the message is `mac`.
///
/// `inner` is the message with SHA-256 padding for a hash that had one 64-byte block before it
/// (the ipad block): its length field counts 64 bytes more than the message.
pub fn first_match(keys: &[Pads], inner: &[[u8; 64]], mac: &[u8; 32]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if x86::available() {
        // SAFETY: `available` checked that the processor has every feature `x86::first_match` enables.
        return unsafe { x86::first_match(keys, inner, mac) };
    }
    first_match_portable(keys, inner, mac)
}

/// Whether [`first_match`] runs the four-lane path on this processor.
pub fn accelerated() -> bool {
    #[cfg(target_arch = "x86_64")]
    return x86::available();
    #[cfg(not(target_arch = "x86_64"))]
    return false;
}

/// [`first_match`] one key at a time with `sha2`'s compression function.
pub fn first_match_portable(keys: &[Pads], inner: &[[u8; 64]], mac: &[u8; 32]) -> Option<usize> {
    let expected = words(mac);
    keys.iter().position(|(inner_pad, outer_pad)| {
        let mut state = *inner_pad;
        compress256(&mut state, inner);
        let mut outer = *outer_pad;
        compress256(&mut outer, &[outer_block(&state)]);
        outer == expected
    })
}

/// A digest's bytes as the state words that produce it.
fn words(digest: &[u8; 32]) -> State {
    let mut out = [0u32; 8];
    for (word, chunk) in out.iter_mut().zip(digest.chunks_exact(4)) {
        *word = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    out
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{Pads, State};

    /// Keys hashed side by side: enough chains to cover the round instruction's latency while
    /// their states (two registers each) and a shared schedule word fit the 16 registers the
    /// legacy-encoded SHA instructions can name.
    const LANES: usize = 4;

    pub fn available() -> bool {
        is_x86_feature_detected!("sha") && is_x86_feature_detected!("ssse3") && is_x86_feature_detected!("sse4.1")
    }

    /// FIPS 180-4 §4.2.2, four words per vector.
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    /// A state as the round instruction wants it: words A, B, E, F in one vector, C, D, G, H in
    /// the other.
    #[derive(Clone, Copy)]
    struct Lane {
        abef: __m128i,
        cdgh: __m128i,
    }

    /// A block's message schedule with the round constants added: 16 vectors of 4 words.
    type Schedule = [__m128i; 16];

    #[inline]
    #[target_feature(enable = "sha,ssse3,sse4.1")]
    fn lane(state: &State) -> Lane {
        // SAFETY: both loads read 16 of the 32 bytes of `state` (unaligned loads).
        let (abcd, efgh) =
            unsafe { (_mm_loadu_si128(state.as_ptr().cast()), _mm_loadu_si128(state.as_ptr().add(4).cast())) };
        let cdab = _mm_shuffle_epi32(abcd, 0xB1);
        let efgh = _mm_shuffle_epi32(efgh, 0x1B);
        Lane { abef: _mm_alignr_epi8(cdab, efgh, 8), cdgh: _mm_blend_epi16(efgh, cdab, 0xF0) }
    }

    /// The state's words in order: A, B, C, D and E, F, G, H (the digest as big-endian words).
    #[inline]
    #[target_feature(enable = "sha,ssse3,sse4.1")]
    fn words(lane: Lane) -> (__m128i, __m128i) {
        let feba = _mm_shuffle_epi32(lane.abef, 0x1B);
        let dchg = _mm_shuffle_epi32(lane.cdgh, 0xB1);
        (_mm_blend_epi16(feba, dchg, 0xF0), _mm_alignr_epi8(dchg, feba, 8))
    }

    /// The schedule of a block from its first four vectors of big-endian words, with the round
    /// constants added (the message blocks every key shares).
    #[inline]
    #[target_feature(enable = "sha,ssse3,sse4.1")]
    fn schedule(first: [__m128i; 4]) -> Schedule {
        let mut w = [_mm_setzero_si128(); 16];
        w[..4].copy_from_slice(&first);
        for i in 4..16 {
            let sum = _mm_add_epi32(_mm_sha256msg1_epu32(w[i - 4], w[i - 3]), _mm_alignr_epi8(w[i - 1], w[i - 2], 4));
            w[i] = _mm_sha256msg2_epu32(sum, w[i - 1]);
        }
        for (i, word) in w.iter_mut().enumerate() {
            // SAFETY: reads K[4i..4i+4], within the 64 constants.
            *word = _mm_add_epi32(*word, unsafe { _mm_loadu_si128(K.as_ptr().add(4 * i).cast()) });
        }
        w
    }

    /// One compression of each lane over one shared schedule; the lanes' rounds are interleaved
    /// so that their chains overlap.
    #[inline]
    #[target_feature(enable = "sha,ssse3,sse4.1")]
    fn compress_shared(lanes: &mut [Lane; LANES], schedule: &Schedule) {
        let start = *lanes;
        for wk in schedule {
            let high = _mm_shuffle_epi32(*wk, 0x0E);
            for lane in lanes.iter_mut() {
                lane.cdgh = _mm_sha256rnds2_epu32(lane.cdgh, lane.abef, *wk);
                lane.abef = _mm_sha256rnds2_epu32(lane.abef, lane.cdgh, high);
            }
        }
        add(lanes, &start);
    }

    /// One compression of each lane over its own block, given as its first four vectors of
    /// big-endian words; each lane's schedule is computed between its rounds, where it overlaps
    /// the other lanes' round latency.
    #[inline]
    #[target_feature(enable = "sha,ssse3,sse4.1")]
    fn compress_own(lanes: &mut [Lane; LANES], mut words: [[__m128i; 4]; LANES]) {
        let start = *lanes;
        for i in 0..16 {
            // SAFETY: reads K[4i..4i+4], within the 64 constants.
            let k = unsafe { _mm_loadu_si128(K.as_ptr().add(4 * i).cast()) };
            for l in 0..LANES {
                // `words[l][j % 4]` holds the schedule's vector j for the last four j.
                let w = &mut words[l];
                if i >= 4 {
                    let sum = _mm_add_epi32(
                        _mm_sha256msg1_epu32(w[i % 4], w[(i + 1) % 4]),
                        _mm_alignr_epi8(w[(i + 3) % 4], w[(i + 2) % 4], 4),
                    );
                    w[i % 4] = _mm_sha256msg2_epu32(sum, w[(i + 3) % 4]);
                }
                let wk = _mm_add_epi32(w[i % 4], k);
                let lane = &mut lanes[l];
                lane.cdgh = _mm_sha256rnds2_epu32(lane.cdgh, lane.abef, wk);
                lane.abef = _mm_sha256rnds2_epu32(lane.abef, lane.cdgh, _mm_shuffle_epi32(wk, 0x0E));
            }
        }
        add(lanes, &start);
    }

    #[inline]
    #[target_feature(enable = "sha,ssse3,sse4.1")]
    fn add(lanes: &mut [Lane; LANES], start: &[Lane; LANES]) {
        for l in 0..LANES {
            lanes[l].abef = _mm_add_epi32(lanes[l].abef, start[l].abef);
            lanes[l].cdgh = _mm_add_epi32(lanes[l].cdgh, start[l].cdgh);
        }
    }

    /// A block as four vectors of big-endian words.
    #[inline]
    #[target_feature(enable = "sha,ssse3,sse4.1")]
    fn block_words(block: &[u8; 64]) -> [__m128i; 4] {
        let byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0b, 0x0405060700010203);
        let mut out = [_mm_setzero_si128(); 4];
        for (i, word) in out.iter_mut().enumerate() {
            // SAFETY: reads bytes 16i..16i+16 of the block's 64.
            *word = _mm_shuffle_epi8(unsafe { _mm_loadu_si128(block.as_ptr().add(16 * i).cast()) }, byte_swap);
        }
        out
    }

    /// [`super::pads`] four keys at a time, from each key's two pad blocks.
    ///
    /// # Safety
    /// The processor must have the SHA extensions, SSSE3 and SSE4.1 ([`available`]).
    #[target_feature(enable = "sha,ssse3,sse4.1")]
    pub unsafe fn pads(mut blocks: impl Iterator<Item = [[u8; 64]; 2]>) -> Vec<Pads> {
        let mut out = Vec::with_capacity(blocks.size_hint().0);
        let zero = _mm_setzero_si128();
        loop {
            let (mut inner, mut outer) = ([[zero; 4]; LANES], [[zero; 4]; LANES]);
            let mut count = 0;
            while count < LANES
                && let Some([inner_block, outer_block]) = blocks.next()
            {
                inner[count] = block_words(&inner_block);
                outer[count] = block_words(&outer_block);
                count += 1;
            }
            if count == 0 {
                return out;
            }
            let mut inner_lanes = [lane(&super::IV); LANES];
            compress_own(&mut inner_lanes, inner);
            let mut outer_lanes = [lane(&super::IV); LANES];
            compress_own(&mut outer_lanes, outer);
            for l in 0..count {
                out.push((state(inner_lanes[l]), state(outer_lanes[l])));
            }
        }
    }

    #[inline]
    #[target_feature(enable = "sha,ssse3,sse4.1")]
    fn state(lane: Lane) -> State {
        let (abcd, efgh) = words(lane);
        let mut state = [0u32; 8];
        // SAFETY: each store writes 16 of the 32 bytes of `state`.
        unsafe {
            _mm_storeu_si128(state.as_mut_ptr().cast(), abcd);
            _mm_storeu_si128(state.as_mut_ptr().add(4).cast(), efgh);
        }
        state
    }

    /// [`super::first_match`] four keys at a time.
    ///
    /// # Safety
    /// The processor must have the SHA extensions, SSSE3 and SSE4.1 ([`available`]).
    #[target_feature(enable = "sha,ssse3,sse4.1")]
    pub unsafe fn first_match(keys: &[Pads], inner: &[[u8; 64]], mac: &[u8; 32]) -> Option<usize> {
        let mut schedules = Vec::with_capacity(inner.len());
        for block in inner {
            schedules.push(schedule(block_words(block)));
        }
        let mac = super::words(mac);
        // SAFETY: both loads read 16 of the 32 bytes of `mac`.
        let expected = unsafe { (_mm_loadu_si128(mac.as_ptr().cast()), _mm_loadu_si128(mac.as_ptr().add(4).cast())) };
        // The outer block after the digest: 0x80, zeros, the length of 64 + 32 bytes in bits.
        let padding = [_mm_set_epi32(0, 0, 0, 0x8000_0000u32 as i32), _mm_set_epi32((64 + 32) * 8, 0, 0, 0)];
        for (group, chunk) in keys.chunks(LANES).enumerate() {
            // A short last group repeats its last key; the repeats' results are not read.
            let mut lanes = [lane(&chunk[0].0); LANES];
            let mut outer_lanes = [lane(&chunk[0].1); LANES];
            for l in 1..LANES {
                let key = &chunk[l.min(chunk.len() - 1)];
                lanes[l] = lane(&key.0);
                outer_lanes[l] = lane(&key.1);
            }
            for schedule in &schedules {
                compress_shared(&mut lanes, schedule);
            }
            let mut outer = [[padding[0]; 4]; LANES];
            for l in 0..LANES {
                let (abcd, efgh) = words(lanes[l]);
                outer[l] = [abcd, efgh, padding[0], padding[1]];
            }
            compress_own(&mut outer_lanes, outer);
            for (l, result) in outer_lanes.into_iter().enumerate().take(chunk.len()) {
                let (abcd, efgh) = words(result);
                let equal = _mm_and_si128(_mm_cmpeq_epi32(abcd, expected.0), _mm_cmpeq_epi32(efgh, expected.1));
                if _mm_movemask_epi8(equal) == 0xFFFF {
                    return Some(group * LANES + l);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::Digest;

    /// The pad states of one key the slow way: `sha2`'s hasher over the key block.
    fn reference_pads(key: &[u8]) -> Pads {
        let mut block = [0u8; 64];
        match key.len() > 64 {
            true => block[..32].copy_from_slice(&sha2::Sha256::digest(key)),
            false => block[..key.len()].copy_from_slice(key),
        }
        let state = |pad: u8| {
            let mut state = IV;
            compress256(&mut state, &[block.map(|byte| byte ^ pad)]);
            state
        };
        (state(0x36), state(0x5c))
    }

    fn one_pads(key: &[u8]) -> Pads {
        pads([key])[0]
    }

    #[test]
    fn pads_four_at_a_time_agree_with_one_at_a_time() {
        for count in 0..=9 {
            let keys: Vec<Vec<u8>> = (0..count).map(|n| bytes(n * 37 % 150, n as u8)).collect();
            let expected: Vec<Pads> = keys.iter().map(|key| reference_pads(key)).collect();
            assert_eq!(pads(keys.iter().map(Vec::as_slice)), expected, "{count} keys");
            assert_eq!(pads_portable(keys.iter().map(Vec::as_slice)), expected, "{count} keys");
        }
    }

    fn padded(message: &[u8]) -> Vec<[u8; 64]> {
        let mut bytes = message.to_vec();
        bytes.push(0x80);
        while bytes.len() % 64 != 56 {
            bytes.push(0);
        }
        bytes.extend_from_slice(&(((64 + message.len()) as u64) * 8).to_be_bytes());
        bytes.chunks_exact(64).map(|chunk| chunk.try_into().unwrap()).collect()
    }

    fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap();
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    fn bytes(len: usize, seed: u8) -> Vec<u8> {
        (0..len).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()
    }

    #[test]
    fn both_paths_find_every_key_at_every_position_and_length() {
        // Whole groups of four and short last groups; messages around the padding boundaries.
        let key_lengths = [0, 1, 5, 31, 32, 55, 63, 64, 65, 100, 200];
        let keys: Vec<Vec<u8>> = key_lengths.iter().map(|&len| bytes(len, 7)).collect();
        let all: Vec<Pads> = keys.iter().map(|key| one_pads(key)).collect();
        for message_len in [0, 1, 55, 56, 63, 64, 119, 120, 200, 1000] {
            let message = bytes(message_len, 99);
            let inner = padded(&message);
            for count in 1..=all.len() {
                let keys_here = &all[..count];
                for (position, key) in keys[..count].iter().enumerate() {
                    let mac = hmac(key, &message);
                    assert_eq!(
                        first_match(keys_here, &inner, &mac),
                        Some(position),
                        "{count} keys, message {message_len}"
                    );
                    assert_eq!(first_match_portable(keys_here, &inner, &mac), Some(position));
                }
                let mut wrong = hmac(&keys[0], &message);
                wrong[31] ^= 1;
                assert_eq!(first_match(keys_here, &inner, &wrong), None);
                assert_eq!(first_match_portable(keys_here, &inner, &wrong), None);
            }
        }
    }

    #[test]
    fn the_first_of_equal_keys_is_found_and_every_word_of_the_mac_counts() {
        let key = b"secret".as_slice();
        let message = b"header.payload";
        let inner = padded(message);
        let mac = hmac(key, message);
        let keys = [one_pads(b"a"), one_pads(key), one_pads(b"b"), one_pads(key), one_pads(key)];
        assert_eq!(first_match(&keys, &inner, &mac), Some(1));
        for byte in 0..32 {
            let mut wrong = mac;
            wrong[byte] ^= 0x80;
            assert_eq!(first_match(&keys, &inner, &wrong), None, "byte {byte} changed");
        }
        assert_eq!(first_match(&[], &inner, &mac), None);
    }

    #[test]
    fn random_keys_and_messages_agree_with_the_hmac_crate() {
        let mut seed = 0x9e3779b97f4a7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        eprintln!("four-lane path: {}", accelerated());
        for _ in 0..300 {
            let keys: Vec<Vec<u8>> =
                (0..(next() % 11 + 1)).map(|_| (0..next() % 90).map(|_| next() as u8).collect()).collect();
            let message: Vec<u8> = (0..next() % 400).map(|_| next() as u8).collect();
            let all: Vec<Pads> = keys.iter().map(|key| one_pads(key)).collect();
            let pick = (next() as usize) % keys.len();
            let mac = hmac(&keys[pick], &message);
            let expected = keys.iter().position(|key| hmac(key, &message) == mac);
            assert_eq!(first_match(&all, &padded(&message), &mac), expected);
        }
    }
}
