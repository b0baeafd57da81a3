//! Snapshot tests of the PHP front end: source → call-site model (`Model::describe`).

use super::super::{Context, Expected, KeySource, Language, Options, parse, verifiers};

fn describe(source: &str) -> String {
    let tree = parse(source, Language::Php).expect("PHP parses");
    let options = Options { context: Context::default(), conventional_names: false };
    super::model(source, &tree, &options).describe(source)
}

fn fixture(name: &str) -> String {
    let path = format!("{}/../../tests/fixtures/code/php/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("fixture {name}"))
}

#[test]
fn php_jwt_keys_allow_lists_and_leeway() {
    insta::assert_snapshot!(describe(&fixture("hardcoded-secret.fires.php")));
    insta::assert_snapshot!(describe(&fixture("verify-missing-algorithms.silent.php")));
    insta::assert_snapshot!(describe(&fixture("verify-alg-from-token.fires.php")));
}

#[test]
fn lcobucci_parse_and_constraints() {
    insta::assert_snapshot!(describe(&fixture("decode-without-verify.silent.php")));
    insta::assert_snapshot!(describe(&fixture("verify-large-leeway.fires.php")));
    insta::assert_snapshot!(describe(&fixture("verify-expiry-disabled.silent.php")));
}

#[test]
fn bearer_tokens() {
    insta::assert_snapshot!(describe(&fixture("verify-bearer-prefix.fires.php")));
}

/// What the workspace cross-check reads from PHP verifiers.
#[test]
fn verifier_expectations_and_key_sources() {
    let source = "<?php\nuse Firebase\\JWT\\JWT;\nuse Firebase\\JWT\\Key;\n\n\
        JWT::decode($jwt, new Key(getenv('JWT_SECRET'), 'HS256'));\n\
        JWT::decode($jwt, file_get_contents('keys/public.pem'), ['RS256']);\n";
    let calls = verifiers(source, Language::Php);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0].key, KeySource::Env("JWT_SECRET".into()));
    assert_eq!(calls[0].algorithms.as_deref(), Some(&["HS256".to_string()][..]));
    // php-jwt never checks `aud`/`iss`.
    assert_eq!(calls[0].audiences, Expected::NotChecked);
    assert_eq!(
        calls[1].key,
        KeySource::File { path: "keys/public.pem".into(), base: super::super::PathBase::WorkingFolder }
    );
    assert_eq!(calls[1].algorithms.as_deref(), Some(&["RS256".to_string()][..]));
}

/// `InMemory::file('path')` names a key file, not a secret.
#[test]
fn lcobucci_key_files_are_sources_not_secrets() {
    let source = "<?php\nuse Lcobucci\\JWT\\Configuration;\nuse Lcobucci\\JWT\\Signer\\Hmac\\Sha256;\nuse Lcobucci\\JWT\\Signer\\Key\\InMemory;\n\
        Configuration::forSymmetricSigner(new Sha256(), InMemory::file('keys/hmac.key'));\n";
    let described = describe(source);
    assert!(described.contains("from=file:keys/hmac.key"), "{described}");
    assert!(!described.contains("literal("), "{described}");
}

#[test]
fn detection_fences_and_hostile_input() {
    assert_eq!(Language::detect(Some("app/Http/Auth.php"), None), Some(Language::Php));
    assert_eq!(Language::detect(None, Some("php")), Some(Language::Php));
    assert_eq!(Language::from_fence_info("php"), Some(Language::Php));
    let garbage = "<?php JWT::decode( Firebase\\JWT Key ) ( { [ \" ' $ \\ \u{0} é 🙂".repeat(200);
    for text in [garbage.as_str(), "<?php\nuse Firebase\\JWT\\JWT;\nJWT::decode(", "<?php JWT::$leeway = "] {
        let _ = super::super::analyze(text, Language::Php, &Context::default());
    }
}
