//! Snapshot tests of the Java front end: source → call-site model (`Model::describe`).

use super::super::{Context, Language, Options, parse};

fn describe(source: &str) -> String {
    let tree = parse(source, Language::Java).expect("Java parses");
    let options = Options { context: Context::default(), conventional_names: false };
    super::model(source, &tree, &options).describe(source)
}

fn fixture(name: &str) -> String {
    let path = format!("{}/../../tests/fixtures/code/java/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("fixture {name}"))
}

#[test]
fn builder_chains_through_locals_and_fields() {
    insta::assert_snapshot!(describe(&fixture("verify-missing-audience.fires.java")));
    insta::assert_snapshot!(describe(&fixture("verify-missing-audience.silent.java")));
}

#[test]
fn keys_and_literal_secrets() {
    insta::assert_snapshot!(describe(&fixture("hardcoded-secret.fires.java")));
    insta::assert_snapshot!(describe(&fixture("verify-mixed-algorithms.fires.java")));
}

#[test]
fn decodes_peeks_and_uses() {
    insta::assert_snapshot!(describe(&fixture("decode-without-verify.fires.java")));
    insta::assert_snapshot!(describe(&fixture("decode-without-verify.silent.java")));
}

#[test]
fn switches_leeways_and_unsigned_tokens() {
    insta::assert_snapshot!(describe(&fixture("verify-expiry-disabled.fires.java")));
    insta::assert_snapshot!(describe(&fixture("verify-large-leeway.fires.java")));
    insta::assert_snapshot!(describe(&fixture("verify-allows-none.fires.java")));
}

#[test]
fn injected_parsers_keep_unknown_options() {
    let source = "import io.jsonwebtoken.JwtParser;\n\nclass A {\n    private final JwtParser parser;\n\n    A(JwtParser parser) {\n        this.parser = parser;\n    }\n\n    String subject(String token) {\n        return parser.parseClaimsJws(token).getBody().getSubject();\n    }\n}\n";
    insta::assert_snapshot!(describe(source));
}
