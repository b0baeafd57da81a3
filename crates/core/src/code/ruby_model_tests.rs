//! Snapshot tests of the Ruby front end: source → call-site model (`Model::describe`).

use super::super::{Context, Language, Options, parse};

fn describe(source: &str) -> String {
    let tree = parse(source, Language::Ruby).expect("Ruby parses");
    let options = Options { context: Context::default(), conventional_names: false };
    super::model(source, &tree, &options).describe(source)
}

fn fixture(name: &str) -> String {
    let path = format!("{}/../../tests/fixtures/code/rb/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("fixture {name}"))
}

#[test]
fn decodes_and_their_uses() {
    insta::assert_snapshot!(describe(&fixture("decode-without-verify.fires.rb")));
    insta::assert_snapshot!(describe(&fixture("decode-without-verify.silent.rb")));
}

#[test]
fn options_hashes_pairs_and_properties() {
    insta::assert_snapshot!(describe(&fixture("verify-expiry-disabled.fires.rb")));
    insta::assert_snapshot!(describe(&fixture("verify-large-leeway.fires.rb")));
    insta::assert_snapshot!(describe(&fixture("verify-missing-audience.fires.rb")));
}

#[test]
fn keys_and_their_sources() {
    insta::assert_snapshot!(describe(&fixture("hardcoded-secret.fires.rb")));
    insta::assert_snapshot!(describe(&fixture("hardcoded-secret.silent.rb")));
    insta::assert_snapshot!(describe(&fixture("devise-jwt-hardcoded-secret.fires.rb")));
}

#[test]
fn allow_lists_and_signing() {
    insta::assert_snapshot!(describe(&fixture("verify-alg-from-token.fires.rb")));
    insta::assert_snapshot!(describe(&fixture("verify-allows-none.fires.rb")));
    insta::assert_snapshot!(describe(&fixture("verify-missing-algorithms.fires.rb")));
}

/// Pairs after two arguments are Ruby's `verify` argument, not options: the allow-list there is
/// never read by ruby-jwt, and a file with its own `JWT` module is not ruby-jwt.
#[test]
fn pairs_in_the_verify_place_and_own_jwt_modules() {
    insta::assert_snapshot!(describe(
        "JWT.decode(token, PUBLIC_KEY, algorithm: 'RS256')\nJWT.decode(token, PUBLIC_KEY, true, algorithm: 'RS256')\n"
    ));
    assert_eq!(describe("module JWT\n  def self.decode(t, k) = t\nend\nJWT.decode(token, 'secret')\n"), "");
}
