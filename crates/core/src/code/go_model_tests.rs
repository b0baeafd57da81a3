//! Snapshot tests of the Go front end: source → call-site model (`Model::describe`).

use super::super::{Context, Language, Options, parse};

fn describe(source: &str) -> String {
    let tree = parse(source, Language::Go).expect("Go parses");
    let options = Options { context: Context::default(), conventional_names: false };
    super::model(source, &tree, &options).describe(source)
}

fn fixture(name: &str) -> String {
    let path = format!("{}/../../tests/fixtures/code/go/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("fixture {name}"))
}

#[test]
fn keyfuncs_options_and_keys() {
    insta::assert_snapshot!(describe(&fixture("verify-mixed-algorithms.fires.go")));
}

#[test]
fn parsers_options_and_versions() {
    insta::assert_snapshot!(describe(&fixture("verify-missing-algorithms.fires.go")));
}

#[test]
fn switches_and_struct_literal_parsers() {
    insta::assert_snapshot!(describe(&fixture("verify-expiry-disabled.fires.go")));
}

#[test]
fn decodes_and_peeks() {
    insta::assert_snapshot!(describe(&fixture("decode-without-verify.fires.go")));
    insta::assert_snapshot!(describe(&fixture("decode-without-verify.silent.go")));
}

#[test]
fn signing_literals_and_unsigned_markers() {
    insta::assert_snapshot!(describe(&fixture("verify-allows-none.fires.go")));
    insta::assert_snapshot!(describe(&fixture("hardcoded-secret.fires.go")));
}

#[test]
fn archived_imports_bearer_tokens_and_leeways() {
    insta::assert_snapshot!(describe(&fixture("insecure-jwt-library.fires.go")));
    insta::assert_snapshot!(describe(&fixture("verify-bearer-prefix.fires.go")));
    insta::assert_snapshot!(describe(&fixture("verify-large-leeway.fires.go")));
}

#[test]
fn dot_imports_resolve_like_named_imports() {
    let source = "package p\n\nimport (\n\t. \"github.com/golang-jwt/jwt/v5\"\n)\n\nfunc f(s string) {\n\tParse(s, func(t *Token) (any, error) {\n\t\treturn UnsafeAllowNoneSignatureType, nil\n\t}, WithLeeway(3600))\n\tp := &Parser{}\n\tp.ParseUnverified(s, MapClaims{})\n}\n";
    insta::assert_snapshot!(describe(source));
}

#[test]
fn algorithms_read_from_the_token_header() {
    let source = "package p\n\nimport \"github.com/golang-jwt/jwt/v5\"\n\nfunc f(s string, t *jwt.Token) {\n\talg, _ := t.Header[\"alg\"].(string)\n\tjwt.Parse(s, kf, jwt.WithValidMethods([]string{alg, t.Method.Alg(), \"RS256\"}))\n}\n";
    insta::assert_snapshot!(describe(source));
}

#[test]
fn options_of_a_parser_used_only_for_parse_unverified_are_not_sites() {
    let source = "package p\n\nimport \"github.com/golang-jwt/jwt/v5\"\n\nfunc f(s string) {\n\tpeek := jwt.NewParser(jwt.WithoutClaimsValidation())\n\tpeek.ParseUnverified(s, jwt.MapClaims{})\n\tjwt.NewParser(jwt.WithoutClaimsValidation()).ParseUnverified(s, jwt.MapClaims{})\n\tstrict := jwt.NewParser(jwt.WithoutClaimsValidation())\n\tstrict.Parse(s, kf)\n}\n";
    insta::assert_snapshot!(describe(source));
}

#[test]
fn framework_configs_and_constructors() {
    insta::assert_snapshot!(describe(&fixture("go-oidc-verify-expiry-disabled.fires.go")));
    insta::assert_snapshot!(describe(&fixture("jwtauth-hardcoded-secret.fires.go")));
    insta::assert_snapshot!(describe(&fixture("echo-jwt-hardcoded-secret.fires.go")));
}

#[test]
fn middleware_structs_and_jwks_keyfuncs() {
    insta::assert_snapshot!(describe(&fixture("gin-jwt-hardcoded-secret.fires.go")));
    insta::assert_snapshot!(describe(&fixture("fiber-jwt-hardcoded-secret.fires.go")));
    insta::assert_snapshot!(describe(&fixture("keyfunc-verify-mixed-algorithms.fires.go")));
}
