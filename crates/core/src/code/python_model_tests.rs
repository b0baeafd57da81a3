//! Snapshots of the Python front end: source → call-site model (`Model::describe`), on the code
//! fixtures. A change here is a change in what the engine is told, reviewed as a diff.

use super::super::{Context, Language, Options, parse};
use super::model;

fn describe(source: &str) -> String {
    let tree = parse(source, Language::Python).expect("a Python parser");
    let options = Options { context: Context::default(), conventional_names: false };
    model(source, &tree, &options).describe(source)
}

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../../tests/fixtures/code/py/", $name))
    };
}

#[test]
fn pyjwt_python_jose_and_authlib_without_allow_lists() {
    insta::assert_snapshot!(describe(fixture!("verify-missing-algorithms.fires.py")));
}

#[test]
fn pyjwk_keys_splats_and_authlib_instances() {
    insta::assert_snapshot!(describe(fixture!("verify-missing-algorithms.silent.py")));
}

#[test]
fn options_dicts_become_switches() {
    insta::assert_snapshot!(describe(fixture!("verify-expiry-disabled.fires.py")));
}

#[test]
fn signature_off_and_unverified_claims() {
    insta::assert_snapshot!(describe(fixture!("decode-without-verify.fires.py")));
}

#[test]
fn literal_secrets_and_flask_settings() {
    insta::assert_snapshot!(describe(fixture!("hardcoded-secret.fires.py")));
}

#[test]
fn leeways_in_arguments_options_and_settings() {
    insta::assert_snapshot!(describe(fixture!("verify-large-leeway.fires.py")));
}

#[test]
fn algorithms_read_from_the_token_header() {
    insta::assert_snapshot!(describe(fixture!("verify-alg-from-token.fires.py")));
}

#[test]
fn raw_authorization_headers() {
    insta::assert_snapshot!(describe(fixture!("verify-bearer-prefix.fires.py")));
}

#[test]
fn unsigned_tokens_and_allow_lists_with_none() {
    insta::assert_snapshot!(describe(fixture!("verify-allows-none.fires.py")));
}

#[test]
fn decodes_read_only_for_the_header_or_times() {
    insta::assert_snapshot!(describe(fixture!("pyjwt-decode-without-verify.silent.py")));
}

#[test]
fn unpacked_and_defaulted_header_algorithms() {
    insta::assert_snapshot!(describe(fixture!("pyjwt-verify-alg-from-token.fires.py")));
}

#[test]
fn flask_jwt_extended_settings() {
    insta::assert_snapshot!(describe(fixture!("flask-jwt-extended-verify-allows-none.fires.py")));
}

#[test]
fn simple_jwt_settings() {
    insta::assert_snapshot!(describe(concat!(
        fixture!("simplejwt-hardcoded-secret.fires.py"),
        fixture!("simplejwt-verify-large-leeway.fires.py")
    )));
}

#[test]
fn pyjwt_instances_and_api_jwt() {
    insta::assert_snapshot!(describe(fixture!("pyjwt-verify-missing-algorithms.fires.py")));
}

#[test]
fn jwcrypto_constructors_and_deserialize() {
    insta::assert_snapshot!(describe(concat!(
        fixture!("jwcrypto-verify-missing-audience.silent.py"),
        fixture!("jwcrypto-verify-expiry-disabled.fires.py"),
        fixture!("jwcrypto-hardcoded-secret.fires.py")
    )));
}
