//! Snapshot tests of the Rust front end: source → call-site model (`Model::describe`).

use super::super::{Context, Language, Options, parse};

fn describe(source: &str) -> String {
    let tree = parse(source, Language::Rust).expect("Rust parses");
    let options = Options { context: Context::default(), conventional_names: false };
    super::model(source, &tree, &options).describe(source)
}

fn fixture(name: &str) -> String {
    let path = format!("{}/../../tests/fixtures/code/rs/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("fixture {name}"))
}

#[test]
fn validations_from_constructors_statements_and_struct_expressions() {
    insta::assert_snapshot!(describe(&fixture("verify-missing-audience.fires.rs")));
    insta::assert_snapshot!(describe(&fixture("verify-missing-audience.silent.rs")));
    insta::assert_snapshot!(describe(&fixture("verify-expiry-disabled.fires.rs")));
}

#[test]
fn keys_literals_and_allow_lists() {
    insta::assert_snapshot!(describe(&fixture("hardcoded-secret.fires.rs")));
    insta::assert_snapshot!(describe(&fixture("verify-mixed-algorithms.fires.rs")));
    insta::assert_snapshot!(describe(&fixture("verify-alg-from-token.fires.rs")));
}

#[test]
fn decodes_and_unsecured_tokens() {
    insta::assert_snapshot!(describe(&fixture("decode-without-verify.fires.rs")));
    insta::assert_snapshot!(describe(&fixture("verify-allows-none.fires.rs")));
}

#[test]
fn jwt_simple_keys_and_verification_options() {
    insta::assert_snapshot!(describe(&fixture("jwt-simple-verify-large-leeway.fires.rs")));
    insta::assert_snapshot!(describe(&fixture("jwt-simple-hardcoded-secret.fires.rs")));
}
