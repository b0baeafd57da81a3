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
        "JWT.decode(token, PUBLIC_KEY, algorithm: 'RS256')\nJWT.decode(token, PUBLIC_KEY, true, algorithm: 'RS256')\n\
         JWT.decode token, PUBLIC_KEY, true, algorithms: %w[RS256 HS256], 'aud' => %w[api admin], verify_aud: true\n"
    ));
    assert_eq!(describe("module JWT\n  def self.decode(t, k) = t\nend\nJWT.decode(token, 'secret')\n"), "");
}

#[test]
fn detection_fences_and_prefilter() {
    use super::super::mentions_jwt_library;
    assert_eq!(Language::detect(Some("app/controllers/api_controller.rb"), None), Some(Language::Ruby));
    assert_eq!(Language::detect(None, Some("ruby")), Some(Language::Ruby));
    assert_eq!(Language::from_fence_info("rb"), Some(Language::Ruby));
    assert_eq!(Language::from_fence_info("ruby title=\"app.rb\""), Some(Language::Ruby));
    assert_eq!(Language::Ruby.name(), "ruby");
    assert!(mentions_jwt_library("JWT.decode(token, key)", Language::Ruby, false));
    assert!(mentions_jwt_library("config.jwt do |jwt|", Language::Ruby, false));
    assert!(!mentions_jwt_library("class User < ApplicationRecord\nend\n", Language::Ruby, false));
}

/// What the workspace cross-check reads from Ruby verifiers: keys from the environment, key
/// files and literals, expected audiences and issuers only where ruby-jwt checks them.
#[test]
fn verifier_expectations_and_key_sources() {
    use super::super::{Expected, KeySource, PathBase, verifiers};
    let source = "PUBLIC = OpenSSL::PKey::RSA.new(File.read(Rails.root.join('config', 'public.pem')))\n\
        JWT.decode(t, PUBLIC, true, algorithm: 'RS256', aud: ['orders-api', 'admin'], verify_aud: true, iss: 'https://auth', verify_iss: true, leeway: 30)\n\
        JWT.decode(t, ENV['JWT_SECRET'], true, algorithms: ['HS256'], verify_expiration: false, aud: 'ignored')\n\
        JWT.decode(t, 'literal-secret', true, { algorithm: 'HS256' })\n\
        Devise.setup do |config|\n  config.jwt do |jwt|\n    jwt.secret = ENV.fetch('DEVISE_JWT_SECRET_KEY')\n  end\nend\n";
    let calls = verifiers(source, Language::Ruby);
    assert_eq!(calls.len(), 4, "{calls:?}");
    let secret = &calls[0];
    assert_eq!(secret.key, KeySource::Env("DEVISE_JWT_SECRET_KEY".into()));
    let rs = &calls[1];
    assert_eq!(rs.key, KeySource::File { path: "config/public.pem".into(), base: PathBase::WorkingFolder });
    assert_eq!(rs.algorithms.as_deref(), Some(&["RS256".to_string()][..]));
    assert_eq!(rs.audiences, Expected::AnyOf(vec!["orders-api".into(), "admin".into()]));
    assert_eq!(rs.issuers, Expected::AnyOf(vec!["https://auth".into()]));
    assert_eq!(rs.leeway, 30.0);
    let env = &calls[2];
    assert_eq!(env.key, KeySource::Env("JWT_SECRET".into()));
    assert!(!env.checks_expiry);
    // `aud` without `verify_aud: true` is not checked by ruby-jwt.
    assert_eq!(env.audiences, Expected::NotChecked);
    assert_eq!(calls[3].key, KeySource::Literal);
    assert_eq!(calls[3].literal_secrets, vec!["literal-secret".to_string()]);
}

#[test]
fn no_panic_on_hostile_input() {
    use super::super::analyze;
    let deep = format!("x = {}JWT.decode(t, k){}\n", "[".repeat(20_000), "]".repeat(20_000));
    let chained = format!("h = JWT.decode(t, nil, false){}\n", "[1]".repeat(5_000));
    let garbage = "JWT.decode( JWT:: config.jwt do |jwt| jwt.secret = ' \" %w[ { ( \u{0} é 🙂 end".repeat(200);
    for text in [deep.as_str(), chained.as_str(), garbage.as_str(), "JWT.decode(", "JWT.decode t, nil, false do |h|"] {
        let _ = analyze(text, Language::Ruby, &Context::default());
    }
}
