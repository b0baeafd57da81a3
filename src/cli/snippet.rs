//! `jwt-lsp snippet`: a verifier program for one pasted token (argument or stdin), printed to
//! stdout. Errors never quote the token.

use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::jwt::decode::decode_pasted;
use crate::snippet::{SnippetLanguage, snippet};
use crate::text::terminal_safe;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    /// Node.js with `jsonwebtoken` (and `jwks-rsa` when the token has a `kid`).
    Node,
    /// Python with PyJWT (`PyJWKClient` when the token has a `kid`).
    Python,
    /// Go with `golang-jwt/jwt/v5` (and `MicahParks/keyfunc/v3` when the token has a `kid`).
    Go,
}

impl From<Lang> for SnippetLanguage {
    fn from(lang: Lang) -> SnippetLanguage {
        match lang {
            Lang::Node => SnippetLanguage::Node,
            Lang::Python => SnippetLanguage::Python,
            Lang::Go => SnippetLanguage::Go,
        }
    }
}

#[derive(Debug, Args)]
pub struct SnippetArgs {
    /// The language of the verifier.
    #[arg(long, value_enum)]
    pub lang: Lang,

    /// The token, a `Bearer …` value or an `Authorization:` header; `-` or nothing reads stdin.
    pub token: Option<String>,
}

pub fn run(args: SnippetArgs) -> ExitCode {
    let input = match super::token_argument(args.token.as_deref()) {
        Ok(input) => input,
        Err(message) => return super::usage_error(&message),
    };
    let token = match decode_pasted(&input) {
        Ok((token, _notes)) => token,
        Err(reason) => {
            eprintln!("jwt-lsp: {}", terminal_safe(&reason));
            return ExitCode::from(1);
        }
    };
    match snippet(&token, args.lang.into()) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(reason) => {
            eprintln!("jwt-lsp: {}", terminal_safe(&reason));
            ExitCode::from(1)
        }
    }
}
