//! The rule registry: every stable rule code, its default severity, a one-line summary and its
//! documentation page (`docs/rules/<code>.md`; the `jwt-lsp` binary compiles the pages in, see
//! its `bundled.rs`).
//!
//! Codes are part of the public interface (settings, ignore comments, CI configs): never rename
//! one; deprecate it instead.

/// How bad a finding is: each rule has a default, settings can change it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    // Ordered from least to most severe so `>=` means "at least as bad as".
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "info" | "information" | "note" => Some(Severity::Info),
            "hint" => Some(Severity::Hint),
            _ => None,
        }
    }
}

macro_rules! rules {
    ($($variant:ident => $code:literal, $severity:ident, $time_based:literal, $summary:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule { $($variant,)* }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            pub fn code(self) -> &'static str {
                match self { $(Rule::$variant => $code,)* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$severity,)* }
            }

            /// Time-dependent findings drop to `info` in test paths, where fixture tokens are normal.
            pub fn is_time_based(self) -> bool {
                match self { $(Rule::$variant => $time_based,)* }
            }

            pub fn summary(self) -> &'static str {
                match self { $(Rule::$variant => $summary,)* }
            }
        }
    };
}

rules! {
    TokenExpired => "token-expired", Warning, true, "The token's `exp` is in the past.";
    TokenNotYetValid => "token-not-yet-valid", Warning, true, "The token's `nbf` is in the future.";
    TokenIssuedInFuture => "token-issued-in-future", Warning, true, "The token's `iat` is in the future (a clock-skew symptom).";
    TokenNoExpiry => "token-no-expiry", Hint, false, "The token has no `exp` claim and never expires.";
    TokenAlgNone => "token-alg-none", Error, false, "Unsecured token: `alg` is `none`, or the signature does not match the algorithm.";
    TokenMalformed => "token-malformed", Warning, false, "The token string is damaged (padding, alphabet, percent-encoding, whitespace, segments, JSON).";
    TokenInvalidClaims => "token-invalid-claims", Warning, false, "Registered claims have the wrong type or contradict each other.";
    TokenHeaderKey => "token-header-key", Warning, false, "The header names its own key (`jku`, `x5u` or `jwk`): a key-injection vector.";
    TokenSignatureInvalid => "token-signature-invalid", Error, false, "No known key for the token verifies its signature.";
    TokenKidUnknown => "token-kid-unknown", Warning, false, "The header `kid` matches no known key (a rotated or foreign key).";
    TokenAlgNotAllowed => "token-alg-not-allowed", Warning, false, "The token's `alg` is not in the configured allow-list.";
    TokenKeyConfusion => "token-key-confusion", Error, false, "An HS* token whose key is a public key: the HS/RS algorithm-confusion forgery.";
    TokenWeakSecret => "token-weak-secret", Error, false, "An HS* token that verifies with a known default or guessable secret.";
    TokenIssuerMismatch => "token-issuer-mismatch", Warning, false, "The token's `iss` is not one of the expected issuers.";
    TokenAudienceMismatch => "token-audience-mismatch", Warning, false, "The token's `aud` names none of the expected audiences.";
    TokenRejectedByVerifier => "token-rejected-by-verifier", Warning, false, "Every verifier in the workspace that receives the token would reject it.";
    // Code analysis (JS/TS, Python, Go, Markdown fences): how verification code is configured.
    VerifyMissingAlgorithms => "verify-missing-algorithms", Warning, false, "A verify/decode call has no algorithm allow-list.";
    VerifyAllowsNone => "verify-allows-none", Error, false, "Unsigned (`alg: none`) tokens are accepted or produced.";
    VerifyMixedAlgorithms => "verify-mixed-algorithms", Error, false, "The allow-list mixes HMAC with public-key algorithms, or pairs HMAC with a public key (key confusion).";
    VerifyAlgFromToken => "verify-alg-from-token", Error, false, "The algorithm allow-list is taken from the token's own header.";
    DecodeWithoutVerify => "decode-without-verify", Warning, false, "Claims are read without verifying the signature.";
    VerifyExpiryDisabled => "verify-expiry-disabled", Warning, false, "Expiry (`exp`/`nbf`) or all claim checks are switched off.";
    VerifyLargeLeeway => "verify-large-leeway", Warning, false, "The clock tolerance is over 5 minutes.";
    VerifyBearerPrefix => "verify-bearer-prefix", Warning, false, "The raw `Authorization` header, `Bearer ` prefix included, is passed as the token.";
    VerifyMissingAudience => "verify-missing-audience", Info, false, "The verifier never checks the `aud` claim.";
    VerifyMissingIssuer => "verify-missing-issuer", Info, false, "The verifier never checks the `iss` claim.";
    HardcodedSecret => "hardcoded-secret", Warning, false, "A string literal is used as the signing or verification secret.";
    InsecureJwtLibrary => "insecure-jwt-library", Warning, false, "An archived JWT library with unfixed vulnerabilities is imported.";
    // Dependency files (manifests and lockfiles).
    VulnerableJwtLibrary => "vulnerable-jwt-library", Warning, false, "A dependency resolves to a JWT library version with a known advisory.";
}

impl Rule {
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|rule| rule.code() == code)
    }

    pub fn help_uri(self) -> String {
        format!("https://github.com/jwt-lsp/jwt-lsp/blob/main/docs/rules/{}.md", self.code())
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}
