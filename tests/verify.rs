//! Signature verification against real keys: RFC 7515 vectors, keys generated here (P-256,
//! Ed25519, HMAC) and pre-generated RSA-2048 test keys (`tests/keys/`, see its README), through
//! every verdict of the checklist: verified, invalid, unknown kid, key confusion, weak secret.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::EncodePublicKey as _;
use jsonwebtoken::{Algorithm, EncodingKey};
use jwt_lsp::jwt::checks::Clock;
use jwt_lsp::jwt::decode::decode;
use jwt_lsp::keys::{Key, KeyRing, KeySource, Origin, parse_key_text};
use jwt_lsp::verify::{Deferred, Examination, Expectations, Mark, Mode, Verdict, Verifier};
use p256::ecdsa::signature::Signer as _;
use serde_json::Value;

/// 2026-01-01T00:00:00Z
const NOW: i64 = 1_767_225_600;
const CLOCK: Clock = Clock { now: NOW, leeway: 0 };

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo().join(relative)).unwrap_or_else(|err| panic!("{relative}: {err}"))
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `header.payload.signature` with `sign` over the signing input.
fn mint(header: &str, payload: &str, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let signature = sign(input.as_bytes());
    format!("{input}.{}", b64(&signature))
}

fn jsonwebtoken_sign(key: &EncodingKey, algorithm: Algorithm) -> impl Fn(&[u8]) -> Vec<u8> + '_ {
    move |input| URL_SAFE_NO_PAD.decode(jsonwebtoken::crypto::sign(input, key, algorithm).expect("sign")).expect("b64")
}

fn hs256(secret: &[u8], header: &str, payload: &str) -> String {
    let key = EncodingKey::from_secret(secret).expect("non-empty secret");
    mint(header, payload, jsonwebtoken_sign(&key, Algorithm::HS256))
}

fn rsa(private_pem: &str, algorithm: Algorithm, header: &str, payload: &str) -> String {
    let key = EncodingKey::from_rsa_pem(read(private_pem).as_bytes()).expect("rsa pem");
    mint(header, payload, jsonwebtoken_sign(&key, algorithm))
}

/// A P-256 key derived from `seed` (generated here, deterministic): the signer, its JWK members
/// and its SPKI PEM (encoded by the p256 crate, so our parser is checked against another encoder).
fn p256_key(seed: u8) -> (p256::ecdsa::SigningKey, String, String) {
    let mut secret = [seed; 32];
    secret[0] = 1;
    let signing = p256::ecdsa::SigningKey::from_slice(&secret).expect("scalar");
    let point = signing.verifying_key().to_sec1_point(false);
    let p256::elliptic_curve::sec1::Coordinates::Uncompressed { x, y } = point.coordinates() else {
        panic!("uncompressed")
    };
    let jwk_members = format!(r#""kty":"EC","crv":"P-256","x":"{}","y":"{}""#, b64(x), b64(y));
    let pem = p256::pkcs8::EncodePublicKey::to_public_key_pem(signing.verifying_key(), p256::pkcs8::LineEnding::LF)
        .expect("pem");
    (signing, jwk_members, pem)
}

fn es256(signing: &p256::ecdsa::SigningKey, header: &str, payload: &str) -> String {
    mint(header, payload, |input| {
        let signature: p256::ecdsa::Signature = signing.sign(input);
        signature.to_bytes().to_vec()
    })
}

fn ed25519_key(seed: u8) -> (ed25519_dalek::SigningKey, String, String) {
    let signing = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let jwk_members = format!(r#""kty":"OKP","crv":"Ed25519","x":"{}""#, b64(signing.verifying_key().as_bytes()));
    let pem =
        signing.verifying_key().to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF).expect("pem");
    (signing, jwk_members, pem)
}

fn eddsa(signing: &ed25519_dalek::SigningKey, header: &str, payload: &str) -> String {
    mint(header, payload, |input| ed25519_dalek::Signer::sign(signing, input).to_bytes().to_vec())
}

fn ring(sources: &[(&str, &str, Origin)]) -> KeyRing {
    let mut ring = KeyRing::default();
    for (name, text, origin) in sources {
        ring.add_source(KeySource::new(*name, *origin), parse_key_text(text, KeySource::new(*name, *origin)));
    }
    assert!(ring.errors().is_empty(), "{:?}", ring.errors());
    ring
}

fn verifier(keys: KeyRing) -> Verifier {
    Verifier { keys, ..Verifier::default() }
}

fn examine(verifier: &Verifier, token: &str) -> Examination {
    let token = decode(token).expect("decodes");
    verifier.examine(&token, &[], CLOCK, &|_| 0)
}

fn codes(exam: &Examination) -> Vec<&'static str> {
    exam.findings.iter().map(|finding| finding.rule.code()).collect()
}

fn signature_text(exam: &Examination) -> String {
    exam.steps.iter().find(|step| step.number == 6).map(|step| step.text.clone()).unwrap_or_default()
}

const PAYLOAD: &str = r#"{"sub":"alice","iss":"https://auth.example.com/","aud":"api://orders","exp":1798761600}"#;

#[test]
fn rfc_7515_a1_to_a3_and_rfc_8037_verify() {
    let vectors: Value = serde_json::from_str(&read("tests/data/vectors.json")).expect("vectors.json");
    for name in ["RFC7515-A.1", "RFC7515-A.2", "RFC7515-A.3", "RFC8037-A.4"] {
        let vector = &vectors["standard"][name];
        let token = decode(vector["token"].as_str().unwrap()).expect(name);
        let (keys, _) =
            parse_key_text(vector["key"].as_str().unwrap(), KeySource::new(name, Origin::Configured)).expect(name);
        let alg = token.alg().unwrap().to_string();
        assert_eq!(jwt_lsp::verify::signature::verify(&token, &keys[0], &alg), Ok(true), "{name}");
        // One bit off and it must fail.
        let mut tampered = token.clone();
        let last = tampered.compact.pop().unwrap();
        tampered.compact.push(if last == 'A' { 'B' } else { 'A' });
        assert_ne!(jwt_lsp::verify::signature::verify(&tampered, &keys[0], &alg), Ok(true), "{name} tampered");
    }
    // Through the checklist: A.2 and A.3 verify; A.1's key is the published RFC example, so the
    // most specific verdict is the weak (public) secret.
    for (name, verdict) in
        [("RFC7515-A.2", Verdict::Verified), ("RFC7515-A.3", Verdict::Verified), ("RFC7515-A.1", Verdict::WeakSecret)]
    {
        let vector = &vectors["standard"][name];
        let keys = ring(&[(name, vector["key"].as_str().unwrap(), Origin::Configured)]);
        let exam = examine(&verifier(keys), vector["token"].as_str().unwrap());
        assert_eq!(exam.verdict, verdict, "{name}: {:?}", exam.steps);
    }
    // A.2's public key as SPKI PEM (from vectors.md) verifies too.
    let spki = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAofgWCuLjybRlzo0tZWJj\nNiuSfb4p4fAkd/wWJcyQoTbji9k0l8W26mPddxHmfHQp+Vaw+4qPCJrcS2mJPMEz\nP1Pt0Bm4d4QlL+yRT+SFd2lZS+pCgNMsD1W/YpRPEwOWvG6b32690r2jZ47soMZo\n9wGzjb/7OMg0LOL+bSf63kpaSHSXndS5z5rexMdbBYUsLA9e+KXBdQOS+UTo7WTB\nEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6/I5IhlJH7aGhyxX\nFvUK+DWNmoudF8NAco9/h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXp\noQIDAQAB\n-----END PUBLIC KEY-----\n";
    let exam = examine(
        &verifier(ring(&[("a2.pem", spki, Origin::Configured)])),
        vectors["standard"]["RFC7515-A.2"]["token"].as_str().unwrap(),
    );
    assert_eq!(exam.verdict, Verdict::Verified);
}

#[test]
fn rsa_verifies_with_spki_pkcs1_certificate_and_jwks() {
    let token = rsa("tests/keys/rsa-2048.private.pem", Algorithm::RS256, r#"{"alg":"RS256","typ":"JWT"}"#, PAYLOAD);
    for file in ["tests/keys/rsa-2048.public.pem", "tests/keys/rsa-2048.pkcs1.pem", "tests/keys/rsa-2048.cert.pem"] {
        let exam = examine(&verifier(ring(&[(file, &read(file), Origin::Configured)])), &token);
        assert_eq!(exam.verdict, Verdict::Verified, "{file}: {:?}", exam.steps);
        assert!(exam.findings.is_empty());
        assert!(signature_text(&exam).contains(file));
    }
    let ps = rsa("tests/keys/rsa-2048.private.pem", Algorithm::PS256, r#"{"alg":"PS256"}"#, PAYLOAD);
    let exam =
        examine(&verifier(ring(&[("pub.pem", &read("tests/keys/rsa-2048.public.pem"), Origin::Configured)])), &ps);
    assert_eq!(exam.verdict, Verdict::Verified);
}

#[test]
fn wrong_rsa_key_is_an_invalid_signature_naming_keys_not_material() {
    let token = rsa("tests/keys/other-rsa-2048.private.pem", Algorithm::RS256, r#"{"alg":"RS256"}"#, PAYLOAD);
    let public = read("tests/keys/rsa-2048.public.pem");
    let exam = examine(&verifier(ring(&[("keys/public.pem", &public, Origin::Configured)])), &token);
    assert_eq!(exam.verdict, Verdict::Invalid);
    assert_eq!(codes(&exam), ["token-signature-invalid"]);
    let message = &exam.findings[0].message;
    assert!(message.contains("keys/public.pem (RSA-2048)"), "{message}");
    for library in ["invalid signature", "Signature verification failed", "token signature is invalid"] {
        assert!(message.contains(library), "{message}");
    }
    let body_line = public.lines().nth(1).unwrap();
    assert!(!message.contains(&body_line[..20]), "key material leaked: {message}");
}

#[test]
fn es256_and_eddsa_generated_keys() {
    let (signing, members, pem) = p256_key(7);
    let token = es256(&signing, r#"{"alg":"ES256","kid":"ec-1"}"#, PAYLOAD);
    let jwks = format!(r#"{{"keys":[{{{members},"kid":"ec-1","use":"sig"}}]}}"#);
    assert_eq!(
        examine(&verifier(ring(&[("jwks.json", &jwks, Origin::Configured)])), &token).verdict,
        Verdict::Verified
    );
    let no_kid = es256(&signing, r#"{"alg":"ES256"}"#, PAYLOAD);
    assert_eq!(examine(&verifier(ring(&[("ec.pem", &pem, Origin::Configured)])), &no_kid).verdict, Verdict::Verified);
    let (other, _, other_pem) = p256_key(9);
    let forged = es256(&other, r#"{"alg":"ES256"}"#, PAYLOAD);
    let exam = examine(&verifier(ring(&[("ec.pem", &pem, Origin::Configured)])), &forged);
    assert_eq!(codes(&exam), ["token-signature-invalid"]);
    assert_ne!(pem, other_pem);

    let (ed, ed_members, ed_pem) = ed25519_key(3);
    let token = eddsa(&ed, r#"{"alg":"EdDSA"}"#, PAYLOAD);
    for text in [ed_pem.clone(), format!("{{{ed_members}}}")] {
        assert_eq!(
            examine(&verifier(ring(&[("ed", &text, Origin::Configured)])), &token).verdict,
            Verdict::Verified,
            "{text}"
        );
    }
    let (other_ed, _, _) = ed25519_key(4);
    let forged = eddsa(&other_ed, r#"{"alg":"EdDSA"}"#, PAYLOAD);
    assert_eq!(
        codes(&examine(&verifier(ring(&[("ed.pem", &ed_pem, Origin::Configured)])), &forged)),
        ["token-signature-invalid"]
    );
}

#[test]
fn hmac_secret_from_the_environment() {
    let secret = b"5d9f1c0b7e2a4c6f8a1b3d5e7f9a0c2e4b6d8f0a";
    // SAFETY: set before any thread of this test reads it; the name is unique to this test.
    unsafe { std::env::set_var("JWT_LSP_TEST_HS_SECRET", std::str::from_utf8(secret).unwrap()) };
    let (keys, _) = jwt_lsp::load::secret_from_env("JWT_LSP_TEST_HS_SECRET").unwrap();
    let mut keyring = KeyRing::default();
    keyring.keys.extend(keys);
    let good = hs256(secret, r#"{"alg":"HS256"}"#, PAYLOAD);
    let exam = examine(&verifier(keyring.clone()), &good);
    assert_eq!(exam.verdict, Verdict::Verified, "{:?}", exam.steps);
    assert!(signature_text(&exam).contains("$JWT_LSP_TEST_HS_SECRET"));
    let bad = hs256(b"another-random-secret-of-sufficient-length!", r#"{"alg":"HS256"}"#, PAYLOAD);
    let exam = examine(&verifier(keyring), &bad);
    assert_eq!(codes(&exam), ["token-signature-invalid"]);
    assert!(!exam.findings[0].message.contains("5d9f1c0b"));
    assert!(jwt_lsp::load::secret_from_env("JWT_LSP_TEST_UNSET_VARIABLE").unwrap_err().contains("not set"));
}

fn rsa_jwks(kid: &str) -> String {
    // The RSA test key as a JWK, computed from its PKCS#1 form by our own parser.
    let (keys, _) =
        parse_key_text(&read("tests/keys/rsa-2048.pkcs1.pem"), KeySource::new("x", Origin::Configured)).unwrap();
    let jwt_lsp::keys::KeyMaterial::Rsa { n, e } = &keys[0].material else { panic!("rsa") };
    format!(r#"{{"keys":[{{"kty":"RSA","kid":"{kid}","use":"sig","alg":"RS256","n":"{}","e":"{}"}}]}}"#, b64(n), b64(e))
}

#[test]
fn unknown_kid_is_its_own_verdict() {
    let jwks = rsa_jwks("2025-01");
    let token = rsa("tests/keys/rsa-2048.private.pem", Algorithm::RS256, r#"{"alg":"RS256","kid":"2025-07"}"#, PAYLOAD);
    let exam = examine(&verifier(ring(&[("keys/jwks.json", &jwks, Origin::Configured)])), &token);
    assert_eq!(exam.verdict, Verdict::KidUnknown);
    assert_eq!(codes(&exam), ["token-kid-unknown"], "one verdict, not also signature-invalid");
    let kid_step = exam.steps.iter().find(|step| step.number == 3).unwrap();
    assert_eq!(kid_step.mark, Mark::Fail);
    assert!(kid_step.text.contains("`2025-07` not in keys/jwks.json"), "{}", kid_step.text);
    assert!(exam.findings[0].message.contains("refresh"));
    // The right kid verifies; a JWKS `alg` that disagrees is an alg/key mismatch.
    let good = rsa("tests/keys/rsa-2048.private.pem", Algorithm::RS256, r#"{"alg":"RS256","kid":"2025-01"}"#, PAYLOAD);
    assert_eq!(
        examine(&verifier(ring(&[("keys/jwks.json", &jwks, Origin::Configured)])), &good).verdict,
        Verdict::Verified
    );
    let ps = rsa("tests/keys/rsa-2048.private.pem", Algorithm::PS256, r#"{"alg":"PS256","kid":"2025-01"}"#, PAYLOAD);
    let exam = examine(&verifier(ring(&[("keys/jwks.json", &jwks, Origin::Configured)])), &ps);
    assert_eq!(codes(&exam), ["token-signature-invalid"]);
    assert!(exam.findings[0].message.contains("alg/key mismatch"), "{}", exam.findings[0].message);
}

#[test]
fn key_confusion_by_kid_and_by_public_key_text() {
    let jwks = rsa_jwks("rsa-1");
    let strong = b"9b1f3e5d7c2a4f6e8d0b1a3c5e7f9d2b4a6c8e0f";
    // (a) the kid names an RSA key, the token says HS256.
    let by_kid = hs256(strong, r#"{"alg":"HS256","kid":"rsa-1"}"#, PAYLOAD);
    let exam = examine(&verifier(ring(&[("jwks.json", &jwks, Origin::Discovered)])), &by_kid);
    assert_eq!(codes(&exam), ["token-key-confusion"]);
    assert!(exam.findings[0].message.contains("kid `rsa-1`"));

    // (b) HMAC with the PEM text (with and without the trailing newline) or the JWK JSON.
    let pem = read("tests/keys/rsa-2048.public.pem");
    let keys = ring(&[("keys/public.pem", &pem, Origin::Discovered)]);
    for secret in [pem.as_str(), pem.trim_end()] {
        let forged = hs256(secret.as_bytes(), r#"{"alg":"HS256"}"#, PAYLOAD);
        let exam = examine(&verifier(keys.clone()), &forged);
        assert_eq!(codes(&exam), ["token-key-confusion"], "{:?}", exam.steps);
        assert!(exam.findings[0].message.contains("keys/public.pem"));
    }
    let (_, members, _) = p256_key(11);
    let jwk_text = format!("{{{members}}}");
    let forged = hs256(jwk_text.as_bytes(), r#"{"alg":"HS256"}"#, PAYLOAD);
    let exam = examine(&verifier(ring(&[("ec.jwk.json", &jwk_text, Origin::Discovered)])), &forged);
    assert_eq!(codes(&exam), ["token-key-confusion"]);
    assert!(signature_text(&exam).contains("JWK JSON"));

    // Negative: a strong secret with public keys around is not confusion (and, with no HMAC
    // key configured, not checked).
    let fine = hs256(strong, r#"{"alg":"HS256"}"#, PAYLOAD);
    let exam = examine(&verifier(keys), &fine);
    assert!(exam.findings.is_empty(), "{:?}", exam.findings);
    assert_eq!(exam.verdict, Verdict::NotChecked);
}

#[test]
fn weak_secrets_built_in_empty_literal_and_wordlist() {
    let none = verifier(KeyRing::default());
    let jwt_io = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    let exam = examine(&none, jwt_io);
    assert_eq!(codes(&exam), ["token-weak-secret"]);
    assert!(exam.findings[0].message.contains("`your-256-bit-secret`"), "{}", exam.findings[0].message);

    let empty = mint(r#"{"alg":"HS256"}"#, PAYLOAD, |input| {
        use hmac::{KeyInit, Mac};
        let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(b"").unwrap();
        mac.update(input);
        mac.finalize().into_bytes().to_vec()
    });
    assert!(examine(&none, &empty).findings[0].message.contains("the empty string"));

    let literal = hs256(b"not-in-any-list-but-in-this-file", r#"{"alg":"HS256"}"#, PAYLOAD);
    let token = decode(&literal).unwrap();
    let exam =
        none.examine(&token, &[(40, "not-in-any-list-but-in-this-file".to_string())], CLOCK, &|offset| offset / 20);
    assert_eq!(codes(&exam), ["token-weak-secret"]);
    assert!(exam.findings[0].message.contains("line 3 of this file"), "{}", exam.findings[0].message);

    // An entry deep in the 104k wordlist: found inline, and deferred then cached.
    let list_path = repo().join("data/jwt.secrets.list");
    let list = jwt_lsp::load::wordlist(&list_path).expect("wordlist");
    assert!(list.entries.len() > 100_000);
    let deep = list.entries[list.entries.len() - 17].clone();
    let token = hs256(deep.as_bytes(), r#"{"alg":"HS256"}"#, r#"{"sub":"wordlist"}"#);
    let inline = Verifier { wordlist: Some(list.clone()), ..Verifier::default() };
    let exam = examine(&inline, &token);
    assert_eq!(codes(&exam), ["token-weak-secret"]);
    assert!(exam.findings[0].message.contains("jwt.secrets.list"));

    let other = hs256(deep.as_bytes(), r#"{"alg":"HS256","typ":"JWT"}"#, r#"{"sub":"deferred"}"#);
    let deferred = Verifier { wordlist: Some(list), mode: Mode::Deferred, ..Verifier::default() };
    let first = examine(&deferred, &other);
    assert!(first.findings.is_empty());
    assert!(matches!(first.deferred.as_slice(), [Deferred::Wordlist { .. }]));
    assert!(deferred.run_deferred(&first.deferred));
    let second = examine(&deferred, &other);
    assert_eq!(codes(&second), ["token-weak-secret"]);
    assert!(second.deferred.is_empty());
    assert!(!deferred.run_deferred(&first.deferred), "already cached: nothing new");

    let strong = hs256(b"Zr8q2LmV0xPe7TtB1yNc4KdWu9SfHa6G", r#"{"alg":"HS256"}"#, PAYLOAD);
    assert!(examine(&inline, &strong).findings.is_empty());
}

#[test]
fn allow_list_issuer_audience_and_times() {
    let (signing, _, pem) = p256_key(21);
    let keys = ring(&[("ec.pem", &pem, Origin::Configured)]);
    let strict = |algorithms: &[&str]| Verifier {
        expectations: Expectations {
            algorithms: algorithms.iter().map(|alg| alg.to_string()).collect(),
            issuers: vec!["https://auth.example.com".to_string()],
            audiences: vec!["api://orders".to_string()],
        },
        keys: keys.clone(),
        ..Verifier::default()
    };
    let token = es256(&signing, r#"{"alg":"ES256"}"#, PAYLOAD);
    let exam = examine(&strict(&["RS256"]), &token);
    assert_eq!(codes(&exam), ["token-alg-not-allowed", "token-issuer-mismatch"]);
    assert!(exam.findings[1].message.contains("trailing `/`"), "{}", exam.findings[1].message);
    assert_eq!(exam.first_failure().unwrap().number, 2);
    assert!(!exam.all_passed());

    let good_payload = r#"{"iss":"https://auth.example.com","aud":["other","api://orders"],"exp":1798761600}"#;
    let exam = examine(&strict(&["ES256"]), &es256(&signing, r#"{"alg":"ES256"}"#, good_payload));
    assert!(exam.findings.is_empty(), "{:?}", exam.findings);
    assert!(exam.all_passed(), "{}", exam.plain());
    assert!(exam.plain().contains("Verdict: ✓"));

    let wrong_aud = r#"{"iss":"https://auth.example.com","aud":"api://billing","exp":1798761600}"#;
    let exam = examine(&strict(&["ES256"]), &es256(&signing, r#"{"alg":"ES256"}"#, wrong_aud));
    assert_eq!(codes(&exam), ["token-audience-mismatch"]);

    let expired = r#"{"iss":"https://auth.example.com","aud":"api://orders","exp":1767225000}"#;
    let exam = examine(&strict(&["ES256"]), &es256(&signing, r#"{"alg":"ES256"}"#, expired));
    assert!(exam.findings.is_empty(), "expiry is the core rule's finding, not a verification one");
    assert_eq!(exam.first_failure().unwrap().number, 5);
    assert_eq!(exam.verdict, Verdict::Verified);
    assert!(exam.verdict_line().contains("⑤ exp/nbf"), "{}", exam.verdict_line());
    let lenient = Clock { now: NOW, leeway: 900 };
    let token = decode(&es256(&signing, r#"{"alg":"ES256"}"#, expired)).unwrap();
    assert!(strict(&["ES256"]).examine(&token, &[], lenient, &|_| 0).all_passed());
}

#[test]
fn discovered_keys_are_trusted_only_through_a_kid() {
    let token = rsa("tests/keys/other-rsa-2048.private.pem", Algorithm::RS256, r#"{"alg":"RS256"}"#, PAYLOAD);
    let keys = ring(&[("somewhere/pub.pem", &read("tests/keys/rsa-2048.public.pem"), Origin::Discovered)]);
    let exam = examine(&verifier(keys.clone()), &token);
    assert!(exam.findings.is_empty(), "{:?}", exam.findings);
    assert_eq!(exam.verdict, Verdict::NotChecked);
    assert!(signature_text(&exam).contains("trusted only through a matching `kid`"));
    let good = rsa("tests/keys/rsa-2048.private.pem", Algorithm::RS256, r#"{"alg":"RS256"}"#, PAYLOAD);
    assert_eq!(examine(&verifier(keys.clone()), &good).verdict, Verdict::Verified);

    // A configured key that does not fit, a discovered one that does: verified, not invalid.
    let (_, _, ec_pem) = p256_key(30);
    let mut mixed = ring(&[
        ("keys/other.pem", &read("tests/keys/other-rsa-2048.public.pem"), Origin::Configured),
        ("ec.pem", &ec_pem, Origin::Configured),
    ]);
    mixed.merge(keys);
    let exam = examine(&verifier(mixed.clone()), &good);
    assert_eq!(exam.verdict, Verdict::Verified, "{}", exam.plain());
    // ...and when neither verifies, the configured key makes it a finding listing both.
    let parts: Vec<&str> = good.split('.').collect();
    let tampered = format!("{}.{}.{}", parts[0], b64(br#"{"sub":"admin"}"#), parts[2]);
    let exam = examine(&verifier(mixed), &tampered);
    assert_eq!(codes(&exam), ["token-signature-invalid"]);
    assert!(
        exam.findings[0].message.contains("keys/other.pem") && exam.findings[0].message.contains("somewhere/pub.pem")
    );
}

#[test]
fn unverifiable_and_odd_inputs_never_panic() {
    let vectors: Value = serde_json::from_str(&read("tests/data/vectors.json")).unwrap();
    let es512 = &vectors["standard"]["RFC7515-A.4"];
    let exam = examine(
        &verifier(ring(&[("p521", es512["key"].as_str().unwrap(), Origin::Configured)])),
        es512["token"].as_str().unwrap(),
    );
    assert_eq!(exam.verdict, Verdict::NotChecked);
    assert!(signature_text(&exam).contains("ES512"), "{}", signature_text(&exam));

    // Keys with absurd members, a token with a garbage signature: verdicts, not panics.
    let garbage = r#"{"keys":[{"kty":"RSA","kid":"x","n":"AA","e":"AQAB"},{"kty":"EC","crv":"P-256","kid":"x","x":"AA","y":"AA"},{"kty":"OKP","crv":"Ed25519","kid":"x","x":"AA"}]}"#;
    let keys = ring(&[("garbage.json", garbage, Origin::Configured)]);
    for (header, length) in [
        (r#"{"alg":"RS256","kid":"x"}"#, 256),
        (r#"{"alg":"ES256","kid":"x"}"#, 64),
        (r#"{"alg":"EdDSA","kid":"x"}"#, 64),
    ] {
        let token = mint(header, PAYLOAD, |_| vec![0x42; length]);
        let exam = examine(&verifier(keys.clone()), &token);
        assert_eq!(exam.verdict, Verdict::Invalid, "{header}: {:?}", exam.steps);
    }
    let none = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
    let exam = examine(&verifier(keys), none);
    assert_eq!(exam.verdict, Verdict::NotChecked);
    assert_eq!(exam.steps[1].mark, Mark::Fail);
    let _ = Arc::new(Key::new(jwt_lsp::keys::KeyMaterial::Secret(vec![1]), KeySource::new("k", Origin::Configured)));
}

#[test]
fn checklist_renders_every_step_in_order() {
    let jwks = rsa_jwks("2025-01");
    let token = rsa("tests/keys/rsa-2048.private.pem", Algorithm::RS256, r#"{"alg":"RS256","kid":"2025-07"}"#, PAYLOAD);
    let verifier = Verifier {
        expectations: Expectations { algorithms: vec!["RS256".into()], ..Expectations::default() },
        keys: ring(&[("keys/jwks.json", &jwks, Origin::Configured)]),
        ..Verifier::default()
    };
    let exam = examine(&verifier, &token);
    let numbers: Vec<u8> = exam.steps.iter().map(|step| step.number).collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
    let markdown = exam.markdown();
    assert!(markdown.contains("② alg ✓ `RS256` ∈ [RS256]"), "{markdown}");
    assert!(markdown.contains("③ kid ✗ `2025-07` not in keys/jwks.json (rotated? refresh the JWKS)"), "{markdown}");
    let plain = exam.plain();
    assert!(plain.contains("Verdict: ✗ ③ kid"), "{plain}");
}

/// Analyses `text` (a `.env` file) with `severity` levels.
fn analyze_env(text: &str, severity: Value) -> jwt_lsp::analysis::Analysis {
    analyze_env_with(text, serde_json::json!({"now": NOW, "severity": severity})).0
}

/// The analysis, and the verifier it ran with (the settings' expectations, no keys).
fn analyze_env_with(text: &str, settings: Value) -> (jwt_lsp::analysis::Analysis, Verifier) {
    let settings = jwt_lsp::config::Settings::from_json(&settings).expect("settings");
    let (config, warnings) = jwt_lsp::config::Config::resolve(&settings);
    assert!(warnings.is_empty(), "{warnings:?}");
    let verifier = Verifier { expectations: config.verification.expectations.clone(), ..Verifier::default() };
    let index = jwt_lsp::text::LineIndex::new(text);
    let document = jwt_lsp::analysis::Document { text, path: Some("app.env"), language_id: None, index: &index };
    (jwt_lsp::analysis::analyze(&document, &jwt_lsp::analysis::Inputs::new(&config, &verifier, NOW)), verifier)
}

fn rule_codes(analysis: &jwt_lsp::analysis::Analysis) -> Vec<&'static str> {
    analysis.findings.iter().map(|finding| finding.rule.code()).collect()
}

#[test]
fn checklists_are_computed_once_per_distinct_token_and_kept_with_the_analysis() {
    let weak = hs256(b"d3v-0nly-file-secret", r#"{"alg":"HS256"}"#, PAYLOAD);
    let other = hs256(b"Zr8q2LmV0xPe7TtB1yNc4KdWu9SfHa6G", r#"{"alg":"HS256"}"#, PAYLOAD);
    let text = format!("A={weak}\nB={weak}\nC={other}\nJWT_SECRET=d3v-0nly-file-secret\n");
    let line_of = |offset: usize| text[..offset].matches('\n').count();

    // Nothing configured: only the weak-secret outcome of each token is kept (searched once per
    // distinct token), and the checklist is rendered from it.
    let (analysis, verifier) = analyze_env_with(&text, serde_json::json!({"now": NOW}));
    assert_eq!(rule_codes(&analysis), ["token-weak-secret", "token-weak-secret"]);
    assert!(analysis.examinations.is_empty());
    // One outcome per token, by offset; the copy of the first token shares its outcome (searched once).
    assert_eq!(analysis.weak_outcomes.len(), 3);
    assert_eq!(
        analysis.weak_outcomes[&analysis.tokens[0].span.start],
        analysis.weak_outcomes[&analysis.tokens[1].span.start]
    );
    let checklist = |analysis: &jwt_lsp::analysis::Analysis, verifier: &Verifier, index: usize| {
        analysis.checklist(&analysis.tokens[index], verifier, CLOCK, &line_of).expect("checklist")
    };
    let first = checklist(&analysis, &verifier, 0);
    assert_eq!(first.verdict, Verdict::WeakSecret);
    assert!(first.markdown().contains("line 4 of this file"), "{}", first.markdown());
    assert_eq!(checklist(&analysis, &verifier, 2).verdict, Verdict::NotChecked);
    // One candidate (the secret; the token values are never candidates), and one search per
    // distinct token: 2 × (empty + built-in list + the candidate).
    let candidates = analysis.candidates.as_ref().expect("candidates");
    assert_eq!(candidates.literals().map(|(_, text)| text).collect::<Vec<_>>(), ["d3v-0nly-file-secret"]);
    assert_eq!(analysis.hmac_attempts, 2 * candidates.attempts_per_token());
    // Rendering checklists costs no HMAC and finds the same as the analysis.
    let before = analysis.hmac_attempts;
    assert_eq!(checklist(&analysis, &verifier, 1).findings[0].message, first.findings[0].message);
    assert_eq!(analysis.hmac_attempts, before);

    // With expectations configured the whole checklist is kept, once per distinct token.
    let (analysis, verifier) =
        analyze_env_with(&text, serde_json::json!({"now": NOW, "issuers": ["https://auth.example.com/"]}));
    assert_eq!(rule_codes(&analysis), ["token-weak-secret", "token-weak-secret"]);
    assert_eq!(analysis.examinations.len(), 2);
    let first = analysis.examination(&analysis.tokens[0]).expect("checklist");
    assert!(Arc::ptr_eq(first, analysis.examination(&analysis.tokens[1]).expect("checklist")));
    assert!(Arc::ptr_eq(first, &checklist(&analysis, &verifier, 0)));
    assert_eq!(first.verdict, Verdict::WeakSecret);
    assert_eq!(analysis.hmac_attempts, 2 * analysis.candidates.as_ref().expect("candidates").attempts_per_token());
}

#[test]
fn an_off_rule_costs_nothing() {
    let weak = hs256(b"d3v-0nly-file-secret", r#"{"alg":"HS256"}"#, PAYLOAD);
    let text = format!("A={weak}\nJWT_SECRET=d3v-0nly-file-secret\n");

    let weak_off = analyze_env(&text, serde_json::json!({"token-weak-secret": "off"}));
    assert!(rule_codes(&weak_off).is_empty());
    assert!(weak_off.candidates.is_none(), "no candidate extraction");
    assert_eq!(weak_off.hmac_attempts, 0, "no HMAC");
    assert!(weak_off.weak_outcomes.is_empty());
    // Nothing configured and weak secrets off: nothing can be found, so nothing is examined.
    assert!(weak_off.examinations.is_empty());
    // With an expectation configured the rest of the checklist still runs.
    let (with_issuer, _) = analyze_env_with(
        &text,
        serde_json::json!({"now": NOW, "issuers": ["https://auth.example.com/"], "severity": {"token-weak-secret": "off"}}),
    );
    assert!(with_issuer.candidates.is_none());
    assert_eq!(with_issuer.hmac_attempts, 0);
    assert_eq!(with_issuer.examinations.len(), 1);

    let all_off: serde_json::Map<String, Value> =
        jwt_lsp::verify::RULES.iter().map(|rule| (rule.code().to_string(), Value::from("off"))).collect();
    let verification_off = analyze_env(&text, Value::Object(all_off));
    assert!(verification_off.examinations.is_empty(), "no examination");
    assert!(verification_off.weak_outcomes.is_empty());
    assert!(verification_off.candidates.is_none());
    assert_eq!(verification_off.hmac_attempts, 0);
    assert_eq!(verification_off.tokens.len(), 1);
}

#[test]
fn the_document_budget_bounds_hmac_attempts_and_says_so() {
    // Many distinct strong tokens: the quick search stops when the budget is spent, and the
    // checklists of the tokens it could not pay for say so; every token is still examined.
    let per_token = jwt_lsp::verify::weak::Candidates::default().attempts_per_token();
    let count = (jwt_lsp::verify::weak::MAX_HMAC_ATTEMPTS_PER_DOCUMENT / per_token) as usize + 5;
    let mut text = String::new();
    for index in 0..count {
        let token = hs256(b"Zr8q2LmV0xPe7TtB1yNc4KdWu9SfHa6G", r#"{"alg":"HS256"}"#, &format!(r#"{{"n":{index}}}"#));
        text.push_str(&format!("T{index}={token}\n"));
    }
    let (analysis, verifier) = analyze_env_with(&text, serde_json::json!({"now": NOW}));
    assert_eq!(analysis.weak_outcomes.len(), count);
    assert!(analysis.hmac_attempts <= jwt_lsp::verify::weak::MAX_HMAC_ATTEMPTS_PER_DOCUMENT);
    let checklist = |token| analysis.checklist(token, &verifier, CLOCK, &|_| 0).expect("checklist");
    let last = checklist(analysis.tokens.last().expect("tokens"));
    assert!(last.markdown().contains("budget"), "{}", last.markdown());
    let first = checklist(&analysis.tokens[0]);
    assert!(!first.markdown().contains("budget"), "{}", first.markdown());
}
