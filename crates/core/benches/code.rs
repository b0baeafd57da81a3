//! Code-analysis benchmarks: analysis time per 1,000 lines for each language, and the full
//! re-analysis of a 5,000-line file (the keystroke budget is 20 ms on a 2-core machine).
//!
//! Inputs are generated: a realistic block of JWT verification code (imports once, then
//! functions that verify, decode and sign) repeated with distinct names until the line count
//! is reached, so every line is on the code path the analysis actually walks.

use jwt_lsp_core::analysis::{Document, Inputs, analyze};
use jwt_lsp_core::code::{self, Context, Language};
use jwt_lsp_core::config::Config;
use jwt_lsp_core::text::LineIndex;
use jwt_lsp_core::verify::Verifier;

/// The moment the benchmarks judge tokens at (the analysis never reads the wall clock).
const NOW: i64 = 1_767_225_600;

fn main() {
    divan::main();
}

const JS_HEADER: &str = "const jwt = require('jsonwebtoken');\nconst { expressjwt } = require('express-jwt');\nimport { jwtVerify, decodeJwt } from 'jose';\n";
const JS_BLOCK: &str = "
const options_N = { algorithms: ['RS256'], audience: 'api', issuer: 'https://issuer.example' };
function verifyN(req) {
  const token = req.headers.authorization;
  const claims = jwt.verify(token, process.env.JWT_PUBLIC_KEY, options_N);
  if (!claims.sub) {
    throw new Error('no subject');
  }
  return claims;
}
async function joseN(token) {
  const { payload } = await jwtVerify(token, keySet, { audience: 'api', issuer: 'iss', clockTolerance: 30 });
  return payload.sub;
}
function peekN(token) {
  return decodeJwt(token).iss;
}
function signN(user) {
  return jwt.sign({ sub: user.id, role: user.role }, process.env.JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
}
";

const PY_HEADER: &str = "import jwt\nfrom jose import jwt as jose_jwt\nfrom datetime import timedelta\n";
const PY_BLOCK: &str = "
OPTIONS_N = {\"verify_exp\": True, \"require\": [\"exp\"]}


def verify_n(request):
    token = request.headers[\"Authorization\"].removeprefix(\"Bearer \")
    claims = jwt.decode(token, PUBLIC_KEY, algorithms=[\"RS256\"], audience=\"api\", issuer=\"iss\", options=OPTIONS_N)
    if not claims.get(\"sub\"):
        raise ValueError(\"no subject\")
    return claims


def jose_n(token):
    return jose_jwt.decode(token, KEY, algorithms=[\"HS256\"], audience=\"api\", issuer=\"iss\")


def sign_n(user):
    return jwt.encode({\"sub\": user.id}, SECRET, algorithm=\"HS256\")
";

const GO_HEADER: &str =
    "package auth\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n\t\"time\"\n\n\t\"github.com/golang-jwt/jwt/v5\"\n)\n";
const GO_BLOCK: &str = "
func parseN(r *http.Request) (*jwt.Token, error) {
	raw := r.Header.Get(\"Authorization\")
	return jwt.Parse(raw, func(t *jwt.Token) (any, error) {
		if _, ok := t.Method.(*jwt.SigningMethodRSA); !ok {
			return nil, fmt.Errorf(\"unexpected method %v\", t.Header[\"alg\"])
		}
		return publicKey, nil
	}, jwt.WithValidMethods([]string{\"RS256\"}), jwt.WithLeeway(30*time.Second), jwt.WithAudience(\"api\"))
}

func signN(claims jwt.MapClaims) (string, error) {
	token := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	return token.SignedString(signingKey)
}
";

const JAVA_HEADER: &str = "package com.example.auth;\n\nimport com.auth0.jwt.JWT;\nimport com.auth0.jwt.algorithms.Algorithm;\nimport io.jsonwebtoken.Claims;\nimport io.jsonwebtoken.Jwts;\nimport io.jsonwebtoken.security.Keys;\nimport javax.servlet.http.HttpServletRequest;\n";
const JAVA_BLOCK: &str = "
class TokensN {
    private final java.security.Key key = Keys.hmacShaKeyFor(System.getenv(\"JWT_SECRET\").getBytes());

    public Claims verifyN(HttpServletRequest request) {
        String token = request.getHeader(\"Authorization\").substring(7);
        Claims claims = Jwts.parserBuilder()
            .setSigningKey(key)
            .requireAudience(\"api\")
            .requireIssuer(\"https://issuer.example\")
            .setAllowedClockSkewSeconds(30)
            .build()
            .parseClaimsJws(token)
            .getBody();
        if (claims.getSubject() == null) {
            throw new IllegalStateException(\"no subject\");
        }
        return claims;
    }

    public String peekN(String token) {
        return JWT.decode(token).getKeyId();
    }

    public String signN(String user) {
        return JWT.create().withSubject(user).sign(Algorithm.HMAC256(System.getenv(\"JWT_SECRET\")));
    }
}
";

const RUST_HEADER: &str =
    "use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};\n";
const RUST_BLOCK: &str = "
fn verify_N(token: &str, key: &DecodingKey) -> Result<Claims, Error> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[\"api\"]);
    validation.set_issuer(&[\"https://issuer.example\"]);
    validation.leeway = 30;
    let data = decode::<Claims>(token, key, &validation)?;
    Ok(data.claims)
}

fn kid_N(token: &str) -> Option<String> {
    decode_header(token).ok()?.kid
}

fn sign_N(claims: &Claims) -> Result<String, Error> {
    let key = EncodingKey::from_secret(std::env::var(\"JWT_SECRET\")?.as_bytes());
    encode(&Header::default(), claims, &key)
}
";

const CS_HEADER: &str = "using System;\nusing System.IdentityModel.Tokens.Jwt;\nusing System.Security.Claims;\nusing System.Text;\nusing Microsoft.IdentityModel.Tokens;\n";
const CS_BLOCK: &str = "
public class AuthN
{
    private static readonly TokenValidationParameters ParametersN = new TokenValidationParameters
    {
        IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Environment.GetEnvironmentVariable(\"JWT_SECRET\")!)),
        ValidAlgorithms = new[] { SecurityAlgorithms.HmacSha256 },
        ValidIssuer = \"https://issuer.example\",
        ValidAudience = \"api\",
        ClockSkew = TimeSpan.FromSeconds(30),
    };

    public ClaimsPrincipal ValidateN(string token)
    {
        var handler = new JwtSecurityTokenHandler();
        var principal = handler.ValidateToken(token, ParametersN, out _);
        if (principal.Identity is null)
        {
            throw new InvalidOperationException(\"no identity\");
        }
        return principal;
    }

    public string KeyIdN(string token) => new JwtSecurityTokenHandler().ReadJwtToken(token).Header.Kid;

    public SigningCredentials CredentialsN(SecurityKey key) => new SigningCredentials(key, SecurityAlgorithms.HmacSha256);
}
";

const PHP_HEADER: &str = "<?php\n\nuse Firebase\\JWT\\JWT;\nuse Firebase\\JWT\\Key;\n";
const PHP_BLOCK: &str = "
function verify_N(string $jwt): object
{
    $key = new Key(getenv('JWT_PUBLIC_KEY'), 'RS256');
    $claims = JWT::decode($jwt, $key);
    if (!isset($claims->sub)) {
        throw new RuntimeException('no subject');
    }
    return $claims;
}

function sign_N(array $user): string
{
    return JWT::encode(['sub' => $user['id']], getenv('JWT_SECRET'), 'HS256');
}
";

const RB_HEADER: &str = "require 'jwt'\n\nPUBLIC_KEY = OpenSSL::PKey::RSA.new(File.read('config/jwt_public.pem'))\n";
// No capital N outside the placeholders: `generate` replaces every one.
const RB_BLOCK: &str = "
class Verifier_N
  CHECKS = { algorithm: 'RS256', aud: 'api', verify_aud: true, iss: 'iss', verify_iss: true, leeway: 30 }.freeze

  def verify_N(request)
    token = request.headers['Authorization'].to_s.delete_prefix('Bearer ')
    payload, _header = JWT.decode(token, PUBLIC_KEY, true, CHECKS)
    raise ArgumentError, 'no subject' unless payload['sub']

    payload
  end

  def sign_N(user)
    JWT.encode({ sub: user.id }, Rails.application.credentials.jwt_secret!, 'HS256')
  end
end
";

/// `header` then `block` repeated (with `N` made unique) until `lines` lines.
fn generate(header: &str, block: &str, lines: usize) -> String {
    let mut out = header.to_string();
    let mut index = 0;
    while out.lines().count() < lines {
        out.push_str(&block.replace('N', &format!("_{index}")));
        index += 1;
    }
    out.lines().take(lines).collect::<Vec<_>>().join("\n") + "\n"
}

fn source(language: Language, lines: usize) -> String {
    match language {
        Language::JavaScript | Language::TypeScript | Language::Tsx => generate(JS_HEADER, JS_BLOCK, lines),
        Language::Python => generate(PY_HEADER, PY_BLOCK, lines),
        Language::Go => generate(GO_HEADER, GO_BLOCK, lines),
        Language::Java => generate(JAVA_HEADER, JAVA_BLOCK, lines),
        Language::Rust => generate(RUST_HEADER, RUST_BLOCK, lines),
        Language::CSharp => generate(CS_HEADER, CS_BLOCK, lines),
        Language::Php => generate(PHP_HEADER, PHP_BLOCK, lines),
        Language::Ruby => generate(RB_HEADER, RB_BLOCK, lines),
        Language::Markdown => {
            generate("", &format!("```js\n{JS_HEADER}{JS_BLOCK}```\n\nSome prose between the examples.\n\n"), lines)
        }
    }
}

const LANGUAGES: [Language; 11] = [
    Language::JavaScript,
    Language::TypeScript,
    Language::Tsx,
    Language::Python,
    Language::Go,
    Language::Java,
    Language::Rust,
    Language::CSharp,
    Language::Php,
    Language::Ruby,
    Language::Markdown,
];

/// Cold code analysis (parse from scratch + rules) of 1,000 lines, as `check` does per file.
#[divan::bench(args = LANGUAGES)]
fn per_1000_lines(bencher: divan::Bencher, language: Language) {
    let text = source(language, 1000);
    bencher.bench(|| {
        code::clear_parse_cache();
        code::analyze(divan::black_box(&text), language, &Context::default())
    });
}

fn document_path(language: Language) -> &'static str {
    match language {
        Language::Python => "src/auth.py",
        Language::Go => "src/auth.go",
        Language::Java => "src/Auth.java",
        Language::Rust => "src/auth.rs",
        Language::CSharp => "src/Auth.cs",
        Language::Php => "src/auth.php",
        Language::Ruby => "app/auth.rb",
        _ => "src/auth.js",
    }
}

/// What a keystroke costs in a 5,000-line file: the whole document analysis (token scan,
/// code analysis with an incremental re-parse, settings, ignore comments), as the server runs
/// it after a one-character edit in the middle of the file.
#[divan::bench(args = [
    Language::JavaScript,
    Language::Python,
    Language::Go,
    Language::Java,
    Language::Rust,
    Language::CSharp,
    Language::Php,
    Language::Ruby,
])]
fn reanalyze_5000_lines(bencher: divan::Bencher, language: Language) {
    let before = source(language, 5000);
    let middle = before[..before.len() / 2].rfind('\n').map_or(0, |at| at + 1);
    let after = format!("{}\n{}", &before[..middle], &before[middle..]);
    let texts = [before, after];
    let config = Config::default();
    let keystroke = std::cell::Cell::new(0usize);
    code::clear_parse_cache();
    bencher.bench_local(|| {
        let text = &texts[keystroke.get() % 2];
        keystroke.set(keystroke.get() + 1);
        let index = LineIndex::new(text);
        let document = Document { text, path: Some(document_path(language)), language_id: None, index: &index };
        analyze(divan::black_box(&document), &Inputs::new(&config, &Verifier::default(), NOW))
    });
}

/// Plain application code, for the typical file: JWT code in one block of ten.
const JS_PLAIN_BLOCK: &str = "
function handlerN(req, res) {
  const id = Number(req.params.id);
  if (!Number.isInteger(id)) {
    return res.status(400).json({ error: 'bad id' });
  }
  return db.query('SELECT * FROM orders WHERE id = $1', [id]).then((rows) => {
    const total = rows.reduce((sum, row) => sum + row.amount, 0);
    return res.json({ rows, total });
  });
}
";

/// The same keystroke in a typical 5,000-line JavaScript file: verification code in one block
/// of ten, ordinary code around it.
#[divan::bench]
fn reanalyze_5000_lines_typical_js(bencher: divan::Bencher) {
    let mut text = JS_HEADER.to_string();
    let mut index = 0;
    while text.lines().count() < 5000 {
        let block = if index % 10 == 0 { JS_BLOCK } else { JS_PLAIN_BLOCK };
        text.push_str(&block.replace('N', &format!("_{index}")));
        index += 1;
    }
    let middle = text[..text.len() / 2].rfind('\n').map_or(0, |at| at + 1);
    let after = format!("{}\n{}", &text[..middle], &text[middle..]);
    let texts = [text, after];
    let config = Config::default();
    let keystroke = std::cell::Cell::new(0usize);
    code::clear_parse_cache();
    bencher.bench_local(|| {
        let text = &texts[keystroke.get() % 2];
        keystroke.set(keystroke.get() + 1);
        let index = LineIndex::new(text);
        let document = Document { text, path: Some("src/app.js"), language_id: None, index: &index };
        analyze(divan::black_box(&document), &Inputs::new(&config, &Verifier::default(), NOW))
    });
}

/// Opening a 5,000-line file: the same, parsed from scratch.
#[divan::bench(args = [Language::JavaScript, Language::Python, Language::Go])]
fn open_5000_lines(bencher: divan::Bencher, language: Language) {
    let text = source(language, 5000);
    let config = Config::default();
    bencher.bench_local(|| {
        code::clear_parse_cache();
        let index = LineIndex::new(&text);
        let document = Document { text: &text, path: Some(document_path(language)), language_id: None, index: &index };
        analyze(divan::black_box(&document), &Inputs::new(&config, &Verifier::default(), NOW))
    });
}

/// The prefilter's cost on a file that names no JWT library (the common case in `check`).
#[divan::bench]
fn prefiltered_1000_lines(bencher: divan::Bencher) {
    let text = generate(
        "const express = require('express');\n",
        "function handlerN(req, res) {\n  res.send(req.params.id);\n}\n",
        1000,
    );
    bencher.bench(|| code::analyze(divan::black_box(&text), Language::JavaScript, &Context::default()));
}

/// Parsing alone, for comparison with `per_1000_lines`.
#[divan::bench(args = [Language::JavaScript, Language::Python, Language::Go])]
fn parse_only_1000_lines(bencher: divan::Bencher, language: Language) {
    let text = source(language, 1000);
    let grammar: tree_sitter::Language = match language {
        Language::Python => tree_sitter_python::LANGUAGE.into(),
        Language::Go => tree_sitter_go::LANGUAGE.into(),
        _ => tree_sitter_javascript::LANGUAGE.into(),
    };
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&grammar).expect("grammar");
    bencher.bench_local(|| parser.parse(divan::black_box(&text), None));
}

/// The code analysis alone (incremental re-parse, collection walk, rules) for the keystroke of
/// `reanalyze_5000_lines`: the part of a keystroke that `code` owns.
#[divan::bench(args = [Language::JavaScript, Language::Python, Language::Go, Language::Java, Language::Rust, Language::CSharp, Language::Php])]
fn code_keystroke_5000_lines(bencher: divan::Bencher, language: Language) {
    let before = source(language, 5000);
    let middle = before[..before.len() / 2].rfind('\n').map_or(0, |at| at + 1);
    let after = format!("{}\n{}", &before[..middle], &before[middle..]);
    let texts = [before, after];
    let keystroke = std::cell::Cell::new(0usize);
    code::clear_parse_cache();
    bencher.bench_local(|| {
        let text = &texts[keystroke.get() % 2];
        keystroke.set(keystroke.get() + 1);
        code::analyze(divan::black_box(text), language, &Context::default())
    });
}

/// The incremental re-parse alone for the same keystroke (tree edited, then re-parsed), the
/// floor under `code_keystroke_5000_lines`.
#[divan::bench]
fn parse_keystroke_5000_lines_js(bencher: divan::Bencher) {
    let before = source(Language::JavaScript, 5000);
    let middle = before[..before.len() / 2].rfind('\n').map_or(0, |at| at + 1);
    let after = format!("{}\n{}", &before[..middle], &before[middle..]);
    let row = before[..middle].matches('\n').count();
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&tree_sitter_javascript::LANGUAGE.into()).expect("grammar");
    let tree = parser.parse(&before, None).expect("tree");
    bencher.bench_local(|| {
        let mut old = tree.clone();
        old.edit(&tree_sitter::InputEdit {
            start_byte: middle,
            old_end_byte: middle,
            new_end_byte: middle + 1,
            start_position: tree_sitter::Point { row, column: 0 },
            old_end_position: tree_sitter::Point { row, column: 0 },
            new_end_position: tree_sitter::Point { row: row + 1, column: 0 },
        });
        parser.parse(divan::black_box(&after), Some(&old))
    });
}
