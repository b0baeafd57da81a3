//! Zed extension that starts jwt-lsp: `lsp.jwt-lsp.binary.path` from Zed's settings, else
//! `jwt-lsp` on the worktree's PATH. Settings pass through as initialization options and as the
//! answer to `workspace/configuration`.

use zed_extension_api::{self as zed, settings::LspSettings, LanguageServerId, Result};

struct JwtLsp;

impl zed::Extension for JwtLsp {
    fn new() -> Self {
        JwtLsp
    }

    fn language_server_command(&mut self, id: &LanguageServerId, worktree: &zed::Worktree) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(id.as_ref(), worktree).ok().and_then(|settings| settings.binary);
        let path = binary
            .as_ref()
            .and_then(|binary| binary.path.clone())
            .or_else(|| worktree.which("jwt-lsp"))
            .ok_or_else(|| {
                "jwt-lsp not found: install it on PATH (cargo install --path . in a jwt-lsp checkout) \
                 or set lsp.jwt-lsp.binary.path in Zed's settings"
                    .to_string()
            })?;
        Ok(zed::Command {
            command: path,
            args: binary.and_then(|binary| binary.arguments).unwrap_or_default(),
            env: worktree.shell_env(),
        })
    }

    fn language_server_initialization_options(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        let settings = LspSettings::for_worktree(id.as_ref(), worktree).ok();
        Ok(settings.and_then(|s| s.initialization_options.or(s.settings)))
    }

    fn language_server_workspace_configuration(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        Ok(LspSettings::for_worktree(id.as_ref(), worktree).ok().and_then(|s| s.settings))
    }
}

zed::register_extension!(JwtLsp);
