//! Snapshot tests of the C# front end: source → call-site model (`Model::describe`).

use super::super::{Context, Expected, KeySource, Language, Options, parse, verifiers};

fn describe(source: &str) -> String {
    let tree = parse(source, Language::CSharp).expect("C# parses");
    let options = Options { context: Context::default(), conventional_names: false };
    super::model(source, &tree, &options).describe(source)
}

fn fixture(name: &str) -> String {
    let path = format!("{}/../../tests/fixtures/code/cs/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("fixture {name}"))
}

#[test]
fn bearer_options_across_statements_and_parameter_variables() {
    insta::assert_snapshot!(describe(&fixture("verify-expiry-disabled.fires.cs")));
    insta::assert_snapshot!(describe(&fixture("verify-large-leeway.fires.cs")));
}

#[test]
fn decodes_their_uses_and_peeks() {
    insta::assert_snapshot!(describe(&fixture("decode-without-verify.fires.cs")));
    insta::assert_snapshot!(describe(&fixture("decode-without-verify.silent.cs")));
}

#[test]
fn keys_literals_and_signing_credentials() {
    insta::assert_snapshot!(describe(&fixture("hardcoded-secret.fires.cs")));
    insta::assert_snapshot!(describe(&fixture("verify-mixed-algorithms.fires.cs")));
    insta::assert_snapshot!(describe(&fixture("verify-allows-none.fires.cs")));
}

#[test]
fn validate_calls_tokens_and_allow_lists() {
    insta::assert_snapshot!(describe(&fixture("verify-bearer-prefix.fires.cs")));
    insta::assert_snapshot!(describe(&fixture("verify-alg-from-token.fires.cs")));
}

#[test]
fn validators_that_accept_without_looking() {
    let source = "using Microsoft.IdentityModel.Tokens;\nusing System.IdentityModel.Tokens.Jwt;\n\nvar p = new TokenValidationParameters\n{\n    SignatureValidator = (token, parameters) => new JwtSecurityToken(token),\n    IssuerValidator = (issuer, token, parameters) => issuer,\n    AudienceValidator = delegate { return true; },\n};\nvar q = new TokenValidationParameters\n{\n    SignatureValidator = (token, parameters) => Check(token, parameters),\n};\n";
    insta::assert_snapshot!(describe(source));
}

/// What the workspace cross-check reads from C# verifiers (issue 11).
#[test]
fn verifier_expectations_and_key_sources() {
    let source = "using System;\nusing System.Text;\nusing Microsoft.IdentityModel.Tokens;\n\n\
        builder.Services.AddAuthentication().AddJwtBearer(o =>\n{\n    o.Audience = \"orders-api\";\n    \
        o.TokenValidationParameters = new TokenValidationParameters\n    {\n        \
        IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Environment.GetEnvironmentVariable(\"JWT_SECRET\")!)),\n        \
        ValidIssuers = new[] { \"https://a\", \"https://b\" },\n        ValidAlgorithms = new[] { SecurityAlgorithms.HmacSha256 },\n        \
        ClockSkew = TimeSpan.FromSeconds(45),\n    };\n});\n\
        var key = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(\"literal-secret-for-tests\"));\n\
        var p = new TokenValidationParameters { IssuerSigningKey = key, ValidIssuer = \"https://a\", ValidateAudience = false };\n";
    let calls = verifiers(source, Language::CSharp);
    // The key object is not a verifier of its own.
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0].library, "Microsoft.AspNetCore.Authentication.JwtBearer");
    assert_eq!(calls[0].key, KeySource::Env("JWT_SECRET".into()));
    assert_eq!(calls[0].audiences, Expected::AnyOf(vec!["orders-api".into()]));
    assert_eq!(calls[0].issuers, Expected::AnyOf(vec!["https://a".into(), "https://b".into()]));
    assert_eq!(calls[0].algorithms.as_deref(), Some(&["HS256".to_string()][..]));
    assert_eq!(calls[0].leeway, 45.0);
    assert_eq!(calls[1].key, KeySource::Literal);
    assert_eq!(calls[1].literal_secrets, vec!["literal-secret-for-tests".to_string()]);
    assert_eq!(calls[1].audiences, Expected::NotChecked);
    // `ClockSkew` unset: the library's 300 s.
    assert_eq!(calls[1].leeway, 300.0);
}

#[test]
fn detection_fences_and_prefilter() {
    assert_eq!(Language::detect(Some("src/Api/Program.cs"), None), Some(Language::CSharp));
    assert_eq!(Language::detect(None, Some("csharp")), Some(Language::CSharp));
    assert_eq!(Language::CSharp.name(), "csharp");
    for info in ["cs", "csharp", "C#", "{.cs}"] {
        assert_eq!(Language::from_fence_info(info), Some(Language::CSharp), "{info}");
    }
    let mentions = |text: &str| super::super::mentions_jwt_library(text, Language::CSharp, false);
    assert!(mentions("using Microsoft.IdentityModel.Tokens;"));
    assert!(mentions("services.AddAuthentication().AddJwtBearer(o => { });"));
    assert!(!mentions("using System.Text.Json;\nvar x = JsonSerializer.Serialize(y);"));
}

#[test]
fn no_panic_on_hostile_input() {
    let deep = format!(
        "using Microsoft.IdentityModel.Tokens;\nvar p = {}new TokenValidationParameters {{ ValidateLifetime = false }}{};",
        "(".repeat(20_000),
        ")".repeat(20_000)
    );
    let garbage = "TokenValidationParameters JwtSecurityTokenHandler IdentityModel ) ( { [ \" ' @\" $\" \\ \u{0} é 🙂"
        .repeat(200);
    for text in [deep.as_str(), garbage.as_str(), "new TokenValidationParameters {", "x.ReadJwtToken("] {
        let _ = super::super::analyze(text, Language::CSharp, &Context::default());
    }
}

#[test]
fn target_typed_creations_are_read_once() {
    let source = "using Microsoft.IdentityModel.Tokens;\n\nTokenValidationParameters p = new() { ValidateIssuer = false };\nservices.AddAuthentication().AddJwtBearer(o => o.TokenValidationParameters = new() { ValidateAudience = false });\n";
    insta::assert_snapshot!(describe(source));
}
