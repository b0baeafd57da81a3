//! Verifier snippets: from a decoded token, a small program in Node (`jsonwebtoken`), Python
//! (PyJWT) or Go (`golang-jwt/jwt/v5`) that verifies tokens like it — `alg` pinned, `iss`/`aud`
//! required when the token has them, a 30 s leeway, a key source that fits the algorithm, the
//! `Bearer ` prefix stripped. Pure: no I/O.
//!
//! A snippet never holds the token, its signature or any secret. The only token values it embeds
//! (`alg`, `iss`, `aud`) go through `string_literal`, which escapes every character outside
//! printable ASCII: a hostile `iss` can neither leave its string literal nor hide code behind
//! bidi controls.

use std::fmt::Write as _;

use serde_json::Value;

use crate::jwt::{Form, Token};

/// Clock skew the snippets accept, in seconds (the issue asks for 30 to 60).
pub const LEEWAY_SECONDS: u32 = 30;
/// Environment variable holding the HMAC secret.
pub const SECRET_ENV: &str = "JWT_SECRET";
/// Environment variable holding the path of the PEM public key (without it, `public.pem`).
pub const PUBLIC_KEY_FILE_ENV: &str = "JWT_PUBLIC_KEY_FILE";
/// Environment variable holding the JWKS URL (for tokens with a `kid`).
pub const JWKS_URL_ENV: &str = "JWKS_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SnippetLanguage {
    Node,
    Python,
    Go,
}

impl SnippetLanguage {
    pub const ALL: [SnippetLanguage; 3] = [SnippetLanguage::Node, SnippetLanguage::Python, SnippetLanguage::Go];

    pub fn name(self) -> &'static str {
        match self {
            SnippetLanguage::Node => "Node",
            SnippetLanguage::Python => "Python",
            SnippetLanguage::Go => "Go",
        }
    }

    /// The lower-case name used by the CLI flag and the LSP command argument.
    pub fn id(self) -> &'static str {
        match self {
            SnippetLanguage::Node => "node",
            SnippetLanguage::Python => "python",
            SnippetLanguage::Go => "go",
        }
    }

    pub fn from_id(id: &str) -> Option<SnippetLanguage> {
        SnippetLanguage::ALL.into_iter().find(|language| language.id() == id)
    }

    pub fn extension(self) -> &'static str {
        match self {
            SnippetLanguage::Node => "js",
            SnippetLanguage::Python => "py",
            SnippetLanguage::Go => "go",
        }
    }

    /// The LSP language identifier of the snippet.
    pub fn language_id(self) -> &'static str {
        match self {
            SnippetLanguage::Node => "javascript",
            SnippetLanguage::Python => "python",
            SnippetLanguage::Go => "go",
        }
    }
}

/// The kind of key an algorithm needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Hmac,
    Rsa,
    Ec,
    Ed,
}

/// What a snippet needs from the token.
#[derive(Debug, Clone, PartialEq)]
struct Requirements {
    alg: &'static str,
    key: KeyKind,
    /// The token names a key: look it up in a JWKS (asymmetric algorithms only).
    jwks: bool,
    issuer: Option<String>,
    audience: Option<String>,
    /// The token carries several audiences; the snippet pins the first.
    more_audiences: bool,
    require_exp: bool,
}

/// The algorithms a snippet can pin, with the key each needs. `none`, unknown names and ES256K
/// (supported by none of the three libraries in common) get no snippet.
const ALGORITHMS: [(&str, KeyKind); 13] = [
    ("HS256", KeyKind::Hmac),
    ("HS384", KeyKind::Hmac),
    ("HS512", KeyKind::Hmac),
    ("RS256", KeyKind::Rsa),
    ("RS384", KeyKind::Rsa),
    ("RS512", KeyKind::Rsa),
    ("PS256", KeyKind::Rsa),
    ("PS384", KeyKind::Rsa),
    ("PS512", KeyKind::Rsa),
    ("ES256", KeyKind::Ec),
    ("ES384", KeyKind::Ec),
    ("ES512", KeyKind::Ec),
    ("EdDSA", KeyKind::Ed),
];

/// The verifier snippet for `token` in `language`, or why there is none (a sentence that quotes
/// no token value except a short, escaped `alg`).
pub fn snippet(token: &Token, language: SnippetLanguage) -> Result<String, String> {
    let requirements = requirements(token)?;
    if language == SnippetLanguage::Node && requirements.key == KeyKind::Ed {
        return Err("jsonwebtoken (Node) does not support EdDSA; use the `jose` package to verify this token".into());
    }
    Ok(match language {
        SnippetLanguage::Node => node(&requirements),
        SnippetLanguage::Python => python(&requirements),
        SnippetLanguage::Go => go(&requirements),
    })
}

fn requirements(token: &Token) -> Result<Requirements, String> {
    if token.form == Form::Jwe {
        return Err("this is an encrypted token (JWE): decrypt it first; these snippets verify signed tokens".into());
    }
    let Some(alg) = token.alg() else { return Err("the token has no `alg`".into()) };
    if alg.eq_ignore_ascii_case("none") {
        return Err(
            "the token is unsigned (`alg: none`): there is nothing to verify, and a verifier must reject it".into()
        );
    }
    let Some(&(alg, key)) = ALGORITHMS.iter().find(|(name, _)| *name == alg) else {
        let shown: String = alg.chars().take(24).collect();
        return Err(format!(
            "no snippet for the algorithm {shown:?}: supported are HS*, RS*, PS*, ES256/384/512, EdDSA"
        ));
    };
    let claims = token.claims().ok_or("the payload is not a JSON object of claims")?;
    let issuer = claims.get("iss").and_then(Value::as_str).map(str::to_string);
    let (audience, more_audiences) = match claims.get("aud") {
        Some(Value::String(audience)) => (Some(audience.clone()), false),
        Some(Value::Array(audiences)) => {
            let strings: Vec<&str> = audiences.iter().filter_map(Value::as_str).collect();
            (strings.first().map(|first| first.to_string()), strings.len() > 1)
        }
        _ => (None, false),
    };
    let jwks = key != KeyKind::Hmac && token.header.get("kid").is_some_and(|kid| kid.is_string());
    Ok(Requirements {
        alg,
        key,
        jwks,
        issuer,
        audience,
        more_audiences,
        require_exp: claims.get("exp").is_some_and(Value::is_number),
    })
}

/// How a language writes a code point outside the Basic Multilingual Plane in a string literal.
#[derive(Clone, Copy)]
enum Astral {
    /// `\u{1F600}` (JavaScript).
    Braced,
    /// `\U0001F600` (Python, Go).
    Long,
}

/// A double-quoted string literal, valid in JavaScript, Python and Go, holding `value` exactly.
/// Everything outside printable ASCII is escaped, so no value can end the literal, start a new
/// line (JavaScript's U+2028 included) or reorder the displayed code (bidi controls).
fn string_literal(value: &str, astral: Astral) -> String {
    let mut literal = String::with_capacity(value.len() + 2);
    literal.push('"');
    for ch in value.chars() {
        match ch {
            '"' => literal.push_str("\\\""),
            '\\' => literal.push_str("\\\\"),
            '\n' => literal.push_str("\\n"),
            '\r' => literal.push_str("\\r"),
            '\t' => literal.push_str("\\t"),
            ' '..='~' => literal.push(ch),
            _ if (ch as u32) < 0x10000 => {
                let _ = write!(literal, "\\u{:04x}", ch as u32);
            }
            _ => match astral {
                Astral::Braced => {
                    let _ = write!(literal, "\\u{{{:x}}}", ch as u32);
                }
                Astral::Long => {
                    let _ = write!(literal, "\\U{:08x}", ch as u32);
                }
            },
        }
    }
    literal.push('"');
    literal
}

/// The audience comment, identical in the three languages but for the comment marker.
fn audience_note(requirements: &Requirements, comment: &str) -> String {
    if requirements.more_audiences {
        format!("{comment} The token names several audiences: keep the one that identifies this service.\n")
    } else {
        String::new()
    }
}

fn key_setup_note(requirements: &Requirements, comment: &str) -> String {
    let text = if requirements.key == KeyKind::Hmac {
        format!("the shared secret comes from the {SECRET_ENV} environment variable (never from source code)")
    } else if requirements.jwks {
        format!("the token has a `kid`: its key is fetched from the JWKS at the {JWKS_URL_ENV} environment variable")
    } else {
        format!("the public key is read from the PEM file named by {PUBLIC_KEY_FILE_ENV} (default public.pem)")
    };
    format!("{comment} Key: {text}.\n")
}

fn python(requirements: &Requirements) -> String {
    let literal = |value: &str| string_literal(value, Astral::Long);
    let mut out = String::new();
    out.push_str("\"\"\"Verifies a JWT like the one this was generated from (jwt-lsp snippet).\n\n");
    out.push_str("    pip install \"pyjwt[crypto]\"\n");
    out.push_str("    python verify_token.py \"$AUTHORIZATION\"   # or the token on stdin\n\"\"\"\n");
    out.push_str("import os\nimport sys\n\nimport jwt\n\n");
    out.push_str(&key_setup_note(requirements, "#"));
    let _ = writeln!(out, "ALGORITHMS = [{}]", literal(requirements.alg));
    if let Some(issuer) = &requirements.issuer {
        let _ = writeln!(out, "ISSUER = {}", literal(issuer));
    }
    if let Some(audience) = &requirements.audience {
        out.push_str(&audience_note(requirements, "#"));
        let _ = writeln!(out, "AUDIENCE = {}", literal(audience));
    }
    let _ = writeln!(out, "LEEWAY_SECONDS = {LEEWAY_SECONDS}");
    let mut required = Vec::new();
    if requirements.require_exp {
        required.push("\"exp\"");
    }
    if requirements.issuer.is_some() {
        required.push("\"iss\"");
    }
    if requirements.audience.is_some() {
        required.push("\"aud\"");
    }
    let _ = writeln!(out, "REQUIRED_CLAIMS = [{}]", required.join(", "));
    out.push_str("\n\ndef bearer_token(value: str) -> str:\n");
    out.push_str("    \"\"\"The token alone, from a bare token or an `Authorization: Bearer ...` value.\"\"\"\n");
    out.push_str("    value = value.strip()\n");
    out.push_str("    if value[:7].lower() == \"bearer \":\n        value = value[7:].strip()\n");
    out.push_str("    return value\n\n\n");
    match (requirements.key, requirements.jwks) {
        (KeyKind::Hmac, _) => {
            out.push_str("def verification_key(token: str):\n");
            let _ = writeln!(out, "    secret = os.environ.get({})", literal(SECRET_ENV));
            out.push_str("    if not secret:\n");
            let _ = writeln!(out, "        raise RuntimeError(\"set {SECRET_ENV} to the shared secret\")");
            out.push_str("    return secret\n");
        }
        (_, true) => {
            out.push_str("_jwks_client = None\n\n\n");
            out.push_str("def verification_key(token: str):\n");
            out.push_str("    global _jwks_client\n    if _jwks_client is None:\n");
            let _ = writeln!(out, "        url = os.environ.get({})", literal(JWKS_URL_ENV));
            out.push_str("        if not url:\n");
            let _ = writeln!(out, "            raise RuntimeError(\"set {JWKS_URL_ENV} to the issuer's JWKS URL\")");
            out.push_str("        # Caches keys; an unknown kid triggers one re-fetch.\n");
            out.push_str("        _jwks_client = jwt.PyJWKClient(url, cache_keys=True)\n");
            out.push_str("    return _jwks_client.get_signing_key_from_jwt(token).key\n");
        }
        (_, false) => {
            out.push_str("_public_key = None\n\n\n");
            out.push_str("def verification_key(token: str):\n");
            out.push_str("    global _public_key\n    if _public_key is None:\n");
            let _ = writeln!(
                out,
                "        with open(os.environ.get({}, \"public.pem\"), \"rb\") as pem:",
                literal(PUBLIC_KEY_FILE_ENV)
            );
            out.push_str("            _public_key = pem.read()\n");
            out.push_str("    return _public_key\n");
        }
    }
    out.push_str("\n\ndef verify(authorization: str) -> dict:\n");
    out.push_str("    \"\"\"The token's claims; raises jwt.PyJWTError when it must be rejected.\"\"\"\n");
    out.push_str("    token = bearer_token(authorization)\n");
    out.push_str("    return jwt.decode(\n        token,\n        verification_key(token),\n");
    out.push_str("        algorithms=ALGORITHMS,\n");
    if requirements.issuer.is_some() {
        out.push_str("        issuer=ISSUER,\n");
    }
    if requirements.audience.is_some() {
        out.push_str("        audience=AUDIENCE,\n");
    }
    out.push_str("        leeway=LEEWAY_SECONDS,\n");
    out.push_str("        options={\"require\": REQUIRED_CLAIMS},\n    )\n");
    out.push_str("\n\nif __name__ == \"__main__\":\n");
    out.push_str("    try:\n");
    out.push_str("        claims = verify(sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read())\n");
    out.push_str("    except jwt.PyJWTError as error:\n");
    out.push_str("        print(f\"rejected: {error}\", file=sys.stderr)\n        sys.exit(1)\n");
    out.push_str("    print(claims)\n");
    out
}

fn node(requirements: &Requirements) -> String {
    let literal = |value: &str| string_literal(value, Astral::Braced);
    let mut out = String::new();
    out.push_str("// Verifies a JWT like the one this was generated from (jwt-lsp snippet).\n//\n");
    if requirements.jwks {
        out.push_str("//   npm install jsonwebtoken jwks-rsa\n");
    } else {
        out.push_str("//   npm install jsonwebtoken\n");
    }
    out.push_str("//   node verify-token.js \"$AUTHORIZATION\"   # or the token on stdin\n");
    out.push_str("\"use strict\";\n");
    out.push_str("const fs = require(\"fs\");\n");
    out.push_str("const jwt = require(\"jsonwebtoken\");\n");
    if requirements.jwks {
        out.push_str("const jwksRsa = require(\"jwks-rsa\");\n");
    }
    out.push('\n');
    out.push_str(&key_setup_note(requirements, "//"));
    out.push_str("const OPTIONS = {\n");
    let _ = writeln!(out, "  algorithms: [{}],", literal(requirements.alg));
    if let Some(issuer) = &requirements.issuer {
        let _ = writeln!(out, "  issuer: {},", literal(issuer));
    }
    if let Some(audience) = &requirements.audience {
        out.push_str(&audience_note(requirements, "  //"));
        let _ = writeln!(out, "  audience: {},", literal(audience));
    }
    let _ = writeln!(out, "  clockTolerance: {LEEWAY_SECONDS}, // seconds");
    out.push_str("};\n");
    let _ = writeln!(out, "const REQUIRE_EXP = {};\n", requirements.require_exp);
    out.push_str("/** The token alone, from a bare token or an `Authorization: Bearer ...` value. */\n");
    out.push_str("function bearerToken(value) {\n  value = value.trim();\n");
    out.push_str("  return /^bearer /i.test(value) ? value.slice(7).trim() : value;\n}\n\n");
    match (requirements.key, requirements.jwks) {
        (KeyKind::Hmac, _) => {
            out.push_str("function verificationKey(header, callback) {\n");
            let _ = writeln!(out, "  const secret = process.env[{}];", literal(SECRET_ENV));
            let _ =
                writeln!(out, "  if (!secret) return callback(new Error(\"set {SECRET_ENV} to the shared secret\"));");
            out.push_str("  callback(null, secret);\n}\n");
        }
        (_, true) => {
            out.push_str("let jwksClient;\n\n");
            out.push_str("function verificationKey(header, callback) {\n");
            out.push_str("  if (!jwksClient) {\n");
            let _ = writeln!(out, "    const jwksUri = process.env[{}];", literal(JWKS_URL_ENV));
            let _ = writeln!(
                out,
                "    if (!jwksUri) return callback(new Error(\"set {JWKS_URL_ENV} to the issuer's JWKS URL\"));"
            );
            out.push_str("    // Caches keys and limits re-fetches when an unknown kid shows up.\n");
            out.push_str("    jwksClient = jwksRsa({ jwksUri, cache: true, rateLimit: true });\n  }\n");
            out.push_str(
                "  jwksClient.getSigningKey(header.kid).then((key) => callback(null, key.getPublicKey()), callback);\n",
            );
            out.push_str("}\n");
        }
        (_, false) => {
            out.push_str("let publicKey;\n\n");
            out.push_str("function verificationKey(header, callback) {\n");
            out.push_str("  try {\n");
            let _ = writeln!(
                out,
                "    publicKey ??= fs.readFileSync(process.env[{}] || \"public.pem\");",
                literal(PUBLIC_KEY_FILE_ENV)
            );
            out.push_str("  } catch (error) {\n    return callback(error);\n  }\n");
            out.push_str("  callback(null, publicKey);\n}\n");
        }
    }
    out.push_str("\n/** Resolves to the token's claims; rejects when the token must be rejected. */\n");
    out.push_str("function verify(authorization) {\n  return new Promise((resolve, reject) => {\n");
    out.push_str("    jwt.verify(bearerToken(authorization), verificationKey, OPTIONS, (error, claims) => {\n");
    out.push_str("      if (error) return reject(error);\n");
    out.push_str("      // jsonwebtoken accepts a token without exp; this service does not.\n");
    out.push_str(
        "      if (REQUIRE_EXP && typeof claims.exp !== \"number\") return reject(new Error(\"jwt has no exp\"));\n",
    );
    out.push_str("      resolve(claims);\n    });\n  });\n}\n\n");
    out.push_str("module.exports = { verify };\n\n");
    out.push_str("if (require.main === module) {\n");
    out.push_str("  verify(process.argv[2] ?? fs.readFileSync(0, \"utf8\")).then(\n");
    out.push_str("    (claims) => console.log(claims),\n");
    out.push_str("    (error) => {\n      console.error(`rejected: ${error.message}`);\n      process.exit(1);\n    },\n  );\n}\n");
    out
}

fn go(requirements: &Requirements) -> String {
    let literal = |value: &str| string_literal(value, Astral::Long);
    let mut out = String::new();
    out.push_str("// Verifies a JWT like the one this was generated from (jwt-lsp snippet).\n//\n");
    out.push_str("//\tgo get github.com/golang-jwt/jwt/v5\n");
    if requirements.jwks {
        out.push_str("//\tgo get github.com/MicahParks/keyfunc/v3\n");
    }
    out.push_str("//\tgo run . \"$AUTHORIZATION\"   # or the token on stdin\n");
    out.push_str("package main\n\nimport (\n");
    for import in ["errors", "fmt", "io", "os", "strings", "time"] {
        let _ = writeln!(out, "\t\"{import}\"");
    }
    out.push('\n');
    if requirements.jwks {
        out.push_str("\t\"github.com/MicahParks/keyfunc/v3\"\n");
    }
    out.push_str("\t\"github.com/golang-jwt/jwt/v5\"\n)\n\n");
    out.push_str(&key_setup_note(requirements, "//"));
    let _ = writeln!(out, "var algorithms = []string{{{}}}", literal(requirements.alg));
    out.push('\n');
    if let Some(issuer) = &requirements.issuer {
        let _ = writeln!(out, "const issuer = {}\n", literal(issuer));
    }
    if let Some(audience) = &requirements.audience {
        out.push_str(&audience_note(requirements, "//"));
        let _ = writeln!(out, "const audience = {}\n", literal(audience));
    }
    let _ = writeln!(out, "const leeway = {LEEWAY_SECONDS} * time.Second\n");
    out.push_str(
        "// bearerToken returns the token alone, from a bare token or an \"Authorization: Bearer ...\" value.\n",
    );
    out.push_str("func bearerToken(value string) string {\n\tvalue = strings.TrimSpace(value)\n");
    out.push_str("\tif len(value) > 7 && strings.EqualFold(value[:7], \"bearer \") {\n");
    out.push_str("\t\tvalue = strings.TrimSpace(value[7:])\n\t}\n\treturn value\n}\n\n");
    out.push_str("// newKeyfunc returns the function that gives the verification key of a token.\n");
    out.push_str("func newKeyfunc() (jwt.Keyfunc, error) {\n");
    match (requirements.key, requirements.jwks) {
        (KeyKind::Hmac, _) => {
            let _ = writeln!(out, "\tsecret := os.Getenv({})", literal(SECRET_ENV));
            out.push_str("\tif secret == \"\" {\n");
            let _ = writeln!(out, "\t\treturn nil, errors.New(\"set {SECRET_ENV} to the shared secret\")");
            out.push_str("\t}\n");
            out.push_str("\treturn func(*jwt.Token) (any, error) { return []byte(secret), nil }, nil\n");
        }
        (_, true) => {
            let _ = writeln!(out, "\turl := os.Getenv({})", literal(JWKS_URL_ENV));
            out.push_str("\tif url == \"\" {\n");
            let _ = writeln!(out, "\t\treturn nil, errors.New(\"set {JWKS_URL_ENV} to the issuer's JWKS URL\")");
            out.push_str("\t}\n");
            out.push_str("\t// Refreshes the JWKS in the background and on an unknown kid (rate limited).\n");
            out.push_str("\tjwks, err := keyfunc.NewDefault([]string{url})\n");
            out.push_str("\tif err != nil {\n\t\treturn nil, err\n\t}\n");
            out.push_str("\treturn jwks.Keyfunc, nil\n");
        }
        (key, false) => {
            let parse = match key {
                KeyKind::Rsa => "ParseRSAPublicKeyFromPEM",
                KeyKind::Ec => "ParseECPublicKeyFromPEM",
                _ => "ParseEdPublicKeyFromPEM",
            };
            let _ = writeln!(out, "\tpath := os.Getenv({})", literal(PUBLIC_KEY_FILE_ENV));
            out.push_str("\tif path == \"\" {\n\t\tpath = \"public.pem\"\n\t}\n");
            out.push_str("\tpem, err := os.ReadFile(path)\n");
            out.push_str("\tif err != nil {\n\t\treturn nil, err\n\t}\n");
            let _ = writeln!(out, "\tkey, err := jwt.{parse}(pem)");
            out.push_str("\tif err != nil {\n\t\treturn nil, errors.Join(errors.New(path), err)\n\t}\n");
            out.push_str("\treturn func(*jwt.Token) (any, error) { return key, nil }, nil\n");
        }
    }
    out.push_str("}\n\n");
    out.push_str("// verify returns the token's claims, or an error when the token must be rejected.\n");
    out.push_str("func verify(authorization string, keyFunc jwt.Keyfunc) (jwt.MapClaims, error) {\n");
    out.push_str("\tclaims := jwt.MapClaims{}\n");
    out.push_str("\t_, err := jwt.ParseWithClaims(bearerToken(authorization), claims, keyFunc,\n");
    out.push_str("\t\tjwt.WithValidMethods(algorithms),\n");
    if requirements.issuer.is_some() {
        out.push_str("\t\tjwt.WithIssuer(issuer),\n");
    }
    if requirements.audience.is_some() {
        out.push_str("\t\tjwt.WithAudience(audience),\n");
    }
    out.push_str("\t\tjwt.WithLeeway(leeway),\n");
    if requirements.require_exp {
        out.push_str("\t\tjwt.WithExpirationRequired(),\n");
    }
    out.push_str("\t)\n\treturn claims, err\n}\n\n");
    out.push_str(
        "func main() {\n\tvar authorization string\n\tif len(os.Args) > 1 {\n\t\tauthorization = os.Args[1]\n",
    );
    out.push_str("\t} else {\n\t\tinput, err := io.ReadAll(os.Stdin)\n\t\tif err != nil {\n");
    out.push_str(
        "\t\t\tfmt.Fprintln(os.Stderr, err)\n\t\t\tos.Exit(2)\n\t\t}\n\t\tauthorization = string(input)\n\t}\n",
    );
    out.push_str(
        "\tkeyFunc, err := newKeyfunc()\n\tif err != nil {\n\t\tfmt.Fprintln(os.Stderr, err)\n\t\tos.Exit(2)\n\t}\n",
    );
    out.push_str("\tclaims, err := verify(authorization, keyFunc)\n\tif err != nil {\n");
    out.push_str("\t\tfmt.Fprintf(os.Stderr, \"rejected: %v\\n\", err)\n\t\tos.Exit(1)\n\t}\n");
    out.push_str("\tfmt.Println(claims)\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    use super::*;
    use crate::jwt::decode::decode;

    const SIGNATURE: &str = "c2lnbmF0dXJlLWJ5dGVzLXRoYXQtbXVzdC1uZXZlci1sZWFr";

    fn token(header: Value, claims: Value) -> Token {
        let header = URL_SAFE_NO_PAD.encode(header.to_string());
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        decode(&format!("{header}.{claims}.{SIGNATURE}")).expect("a token")
    }

    fn all(token: &Token) -> Vec<String> {
        SnippetLanguage::ALL.iter().map(|&language| snippet(token, language).expect("a snippet")).collect()
    }

    fn full_claims() -> Value {
        json!({"iss": "https://auth.example.com/", "aud": "orders-api", "sub": "alice", "exp": 1_767_225_600})
    }

    #[test]
    fn hmac_snippets_pin_the_alg_require_iss_aud_exp_and_read_the_secret_from_the_environment() {
        let token = token(json!({"alg": "HS256", "typ": "JWT"}), full_claims());
        let python = snippet(&token, SnippetLanguage::Python).unwrap();
        assert!(python.contains("ALGORITHMS = [\"HS256\"]"), "{python}");
        assert!(python.contains("ISSUER = \"https://auth.example.com/\""));
        assert!(python.contains("AUDIENCE = \"orders-api\""));
        assert!(python.contains("REQUIRED_CLAIMS = [\"exp\", \"iss\", \"aud\"]"));
        assert!(python.contains("leeway=LEEWAY_SECONDS") && python.contains("LEEWAY_SECONDS = 30"));
        assert!(python.contains("os.environ.get(\"JWT_SECRET\")"));
        assert!(!python.contains("PyJWKClient") && !python.contains("public.pem"));

        let node = snippet(&token, SnippetLanguage::Node).unwrap();
        assert!(node.contains("algorithms: [\"HS256\"],"), "{node}");
        assert!(node.contains("issuer: \"https://auth.example.com/\","));
        assert!(node.contains("audience: \"orders-api\","));
        assert!(node.contains("clockTolerance: 30,"));
        assert!(node.contains("const REQUIRE_EXP = true;"));
        assert!(node.contains("process.env[\"JWT_SECRET\"]"));
        assert!(!node.contains("jwks-rsa") && !node.contains("readFileSync(process.env"));

        let go = snippet(&token, SnippetLanguage::Go).unwrap();
        assert!(go.contains("var algorithms = []string{\"HS256\"}"), "{go}");
        assert!(go.contains("const issuer = \"https://auth.example.com/\""));
        assert!(go.contains("jwt.WithIssuer(issuer),") && go.contains("jwt.WithAudience(audience),"));
        assert!(go.contains("jwt.WithExpirationRequired(),") && go.contains("const leeway = 30 * time.Second"));
        assert!(go.contains("os.Getenv(\"JWT_SECRET\")") && go.contains("[]byte(secret)"));
        assert!(!go.contains("keyfunc/v3"));
    }

    #[test]
    fn every_snippet_strips_a_bearer_prefix() {
        let token = token(json!({"alg": "HS256"}), full_claims());
        let [node, python, go] = <[String; 3]>::try_from(all(&token)).unwrap();
        assert!(node.contains("/^bearer /i.test(value) ? value.slice(7).trim() : value"));
        assert!(python.contains("if value[:7].lower() == \"bearer \":"));
        assert!(go.contains("strings.EqualFold(value[:7], \"bearer \")"));
    }

    #[test]
    fn asymmetric_tokens_without_kid_read_a_pem_file_that_fits_the_algorithm() {
        for (alg, parse) in [
            ("RS256", "ParseRSAPublicKeyFromPEM"),
            ("PS384", "ParseRSAPublicKeyFromPEM"),
            ("ES256", "ParseECPublicKeyFromPEM"),
            ("EdDSA", "ParseEdPublicKeyFromPEM"),
        ] {
            let token = token(json!({"alg": alg}), full_claims());
            let go = snippet(&token, SnippetLanguage::Go).unwrap();
            assert!(go.contains(&format!("jwt.{parse}(pem)")), "{alg}: {go}");
            assert!(go.contains("os.Getenv(\"JWT_PUBLIC_KEY_FILE\")") && !go.contains("keyfunc/v3"));
            let python = snippet(&token, SnippetLanguage::Python).unwrap();
            assert!(python.contains(&format!("ALGORITHMS = [\"{alg}\"]")));
            assert!(python.contains("os.environ.get(\"JWT_PUBLIC_KEY_FILE\", \"public.pem\")"));
            assert!(!python.contains("JWT_SECRET") && !python.contains("PyJWKClient"));
            if alg != "EdDSA" {
                let node = snippet(&token, SnippetLanguage::Node).unwrap();
                assert!(node.contains("fs.readFileSync(process.env[\"JWT_PUBLIC_KEY_FILE\"] || \"public.pem\")"));
                assert!(!node.contains("JWT_SECRET"));
            }
        }
    }

    #[test]
    fn asymmetric_tokens_with_a_kid_use_a_jwks_client() {
        for alg in ["RS256", "ES384"] {
            let token = token(json!({"alg": alg, "kid": "2025-01"}), full_claims());
            let [node, python, go] = <[String; 3]>::try_from(all(&token)).unwrap();
            assert!(node.contains("require(\"jwks-rsa\")") && node.contains("getSigningKey(header.kid)"), "{node}");
            assert!(node.contains("npm install jsonwebtoken jwks-rsa"));
            assert!(python.contains("jwt.PyJWKClient(url, cache_keys=True)"));
            assert!(python.contains("get_signing_key_from_jwt(token)"));
            assert!(
                go.contains("\"github.com/MicahParks/keyfunc/v3\"") && go.contains("keyfunc.NewDefault([]string{url})")
            );
            for text in [&node, &python, &go] {
                assert!(text.contains("\"JWKS_URL\"") && !text.contains("public.pem"), "{text}");
                // The kid is read from the token at run time, never embedded.
                assert!(!text.contains("2025-01"));
            }
        }
        // An HMAC kid names a shared secret, which no JWKS serves.
        let hmac = token(json!({"alg": "HS512", "kid": "k1"}), full_claims());
        assert!(all(&hmac).iter().all(|text| text.contains("JWT_SECRET") && !text.contains("JWKS_URL")));
    }

    #[test]
    fn without_iss_aud_or_exp_nothing_is_required_that_the_token_lacks() {
        let token = token(json!({"alg": "HS256"}), json!({"sub": "alice"}));
        let [node, python, go] = <[String; 3]>::try_from(all(&token)).unwrap();
        assert!(!python.contains("ISSUER") && !python.contains("AUDIENCE"), "{python}");
        assert!(python.contains("REQUIRED_CLAIMS = []"));
        assert!(!node.contains("issuer:") && !node.contains("audience:") && node.contains("REQUIRE_EXP = false"));
        assert!(!go.contains("WithIssuer") && !go.contains("WithAudience") && !go.contains("WithExpirationRequired"));
        // A non-string iss is not pinned either.
        let numeric = token_with_iss(json!(42));
        assert!(all(&numeric).iter().all(|text| !text.contains("ISSUER") && !text.contains("issuer")));
    }

    fn token_with_iss(iss: Value) -> Token {
        token(json!({"alg": "HS256"}), json!({"iss": iss, "exp": 1}))
    }

    #[test]
    fn several_audiences_pin_the_first_and_say_so() {
        let token = token(json!({"alg": "RS256"}), json!({"aud": ["orders", "billing"], "exp": 1}));
        for text in all(&token) {
            assert!(text.contains("\"orders\"") && !text.contains("billing"), "{text}");
            assert!(text.contains("keep the one that identifies this service"));
        }
    }

    #[test]
    fn no_snippet_holds_the_token_its_signature_or_payload() {
        let token = token(json!({"alg": "HS256", "kid": "k"}), full_claims());
        let header_segment = token.compact.split('.').next().unwrap().to_string();
        let payload_segment = token.compact.split('.').nth(1).unwrap().to_string();
        for text in all(&token) {
            assert!(!text.contains(SIGNATURE) && !text.contains(&payload_segment) && !text.contains(&header_segment));
        }
    }

    #[test]
    fn hostile_claim_values_stay_inside_their_string_literals() {
        let hostile =
            "x\"); require('child_process').exec('id'); //\n\"\"\"\nimport os\r`${x}`\\\u{2028}\u{202e}\u{1F600}\0";
        let token = token(json!({"alg": "HS256"}), json!({"iss": hostile, "aud": hostile, "exp": 1}));
        let benign = super::tests::token(json!({"alg": "HS256"}), json!({"iss": "a", "aud": "b", "exp": 1}));
        for (language, text) in SnippetLanguage::ALL.iter().zip(all(&token)) {
            let expected_lines = snippet(&benign, *language).unwrap().lines().count();
            assert_eq!(text.lines().count(), expected_lines, "{language:?}: a value added a line:\n{text}");
            assert!(!text.contains('\u{2028}') && !text.contains('\u{202e}') && !text.contains('\0'));
            let astral = if *language == SnippetLanguage::Node { Astral::Braced } else { Astral::Long };
            assert!(text.contains(&string_literal(hostile, astral)), "{text}");
        }
        // The literal holds the value exactly: its BMP form is a JSON string literal too.
        let bmp = "a\"b\\c\nd\re\tf\u{2028}\u{202e}\0é";
        for astral in [Astral::Braced, Astral::Long] {
            let literal = string_literal(bmp, astral);
            assert!(literal.bytes().all(|byte| (b' '..=b'~').contains(&byte)), "{literal}");
            assert_eq!(serde_json::from_str::<String>(&literal).unwrap(), bmp);
        }
        assert_eq!(string_literal("\u{1F600}", Astral::Braced), "\"\\u{1f600}\"");
        assert_eq!(string_literal("\u{1F600}", Astral::Long), "\"\\U0001f600\"");
    }

    #[test]
    fn tokens_that_cannot_be_verified_get_a_reason_instead() {
        let none = token(json!({"alg": "none"}), full_claims());
        assert!(snippet(&none, SnippetLanguage::Python).unwrap_err().contains("unsigned"));
        let unknown = token(json!({"alg": "HS999\"\n"}), full_claims());
        let reason = snippet(&unknown, SnippetLanguage::Go).unwrap_err();
        assert!(reason.contains("\"HS999\\\"\\n\"") && !reason.contains('\n'), "{reason}");
        let ed = token(json!({"alg": "EdDSA"}), full_claims());
        assert!(snippet(&ed, SnippetLanguage::Node).unwrap_err().contains("jose"));
        let not_claims = token(json!({"alg": "HS256"}), json!([1, 2]));
        assert!(snippet(&not_claims, SnippetLanguage::Node).is_err());
        let jwe = decode("eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a2V5.aXY.Y2lwaGVy.dGFn").expect("a JWE");
        assert!(snippet(&jwe, SnippetLanguage::Python).unwrap_err().contains("JWE"));
    }

    /// Every snippet parses without an error node in its language's tree-sitter grammar (the
    /// offline check; `tests/snippets.rs` runs them), hostile values included.
    #[test]
    fn every_snippet_parses_in_its_language() {
        let hostile = "\"'`${x}\\\n\u{2028}\u{202e}\u{1F600}*/ //";
        let tokens = [
            token(json!({"alg": "HS384"}), full_claims()),
            token(json!({"alg": "HS256"}), json!({"sub": "alice"})),
            token(json!({"alg": "RS512", "kid": "k"}), json!({"iss": hostile, "aud": [hostile, "b"], "exp": 1})),
            token(json!({"alg": "PS256"}), json!({"iss": hostile, "aud": hostile})),
            token(json!({"alg": "ES512"}), full_claims()),
            token(json!({"alg": "EdDSA", "kid": "k"}), full_claims()),
        ];
        for token in &tokens {
            for language in SnippetLanguage::ALL {
                let Ok(text) = snippet(token, language) else { continue };
                let grammar: tree_sitter::Language = match language {
                    SnippetLanguage::Node => tree_sitter_javascript::LANGUAGE.into(),
                    SnippetLanguage::Python => tree_sitter_python::LANGUAGE.into(),
                    SnippetLanguage::Go => tree_sitter_go::LANGUAGE.into(),
                };
                let mut parser = tree_sitter::Parser::new();
                parser.set_language(&grammar).unwrap();
                let tree = parser.parse(&text, None).unwrap();
                assert!(!tree.root_node().has_error(), "{language:?}:\n{text}");
            }
        }
    }

    /// jwt-lsp's own code rules find nothing to say about the verifiers it generates.
    #[test]
    fn the_code_analysis_finds_nothing_wrong_in_the_snippets() {
        let config = crate::config::Config::default();
        for header in [json!({"alg": "HS256"}), json!({"alg": "RS256"}), json!({"alg": "ES256", "kid": "k"})] {
            let token = token(header, full_claims());
            for language in SnippetLanguage::ALL {
                let text = snippet(&token, language).unwrap();
                let index = crate::text::LineIndex::new(&text);
                let path = format!("verify.{}", language.extension());
                let document = crate::analysis::Document {
                    text: &text,
                    path: Some(&path),
                    language_id: Some(language.language_id()),
                    index: &index,
                };
                let analysis = crate::analysis::analyze(
                    &document,
                    &crate::analysis::Inputs::new(&config, &crate::verify::Verifier::default(), 1_767_225_600),
                );
                let codes: Vec<&str> = analysis.findings.iter().map(|finding| finding.rule.code()).collect();
                assert!(codes.is_empty(), "{language:?} {:?}: {codes:?}\n{text}", token.alg());
            }
        }
    }
}
