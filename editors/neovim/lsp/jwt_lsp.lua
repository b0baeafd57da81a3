---@brief
---
--- https://github.com/jwt-lsp/jwt-lsp
---
--- jwt-lsp finds JSON Web Tokens in any file: hover decodes them (header, payload, claims, expiry),
--- diagnostics flag expired, unsigned and damaged tokens and unsafe verification code (JS/TS,
--- Python, Go), and inlay hints summarise each token.
---
--- Neovim 0.11+: put this file on 'runtimepath' (e.g. ~/.config/nvim/lsp/jwt_lsp.lua), then
---
--- ```lua
--- vim.lsp.enable('jwt_lsp')
--- ```
---
--- Settings (all optional; names as in the server's README):
---
--- ```lua
--- vim.lsp.config('jwt_lsp', {
---   cmd = { '/path/to/jwt-lsp' },            -- when jwt-lsp is not on PATH
---   settings = { jwtLsp = { leeway = 60, severity = { ['token-no-expiry'] = 'off' } } },
---   -- diagnosticsScope: 'workspace' (default; files you have not opened get findings too) or 'openFiles'
---   -- settings = { jwtLsp = { diagnosticsScope = 'openFiles' } },
--- })
--- ```
---@type vim.lsp.Config
return {
  cmd = { 'jwt-lsp' },
  filetypes = {
    -- code the server analyses
    'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'python', 'go',
    'java', 'cs', 'ruby', 'php', 'rust',
    -- files that hold tokens (.env is `sh` in Neovim)
    'json', 'jsonc', 'json5', 'yaml', 'toml', 'sh', 'bash', 'zsh', 'conf', 'dosini', 'jproperties',
    'http', 'markdown', 'text', 'xml', 'html',
  },
  root_markers = { '.git', 'package.json', 'pyproject.toml', 'go.mod', 'Cargo.toml', 'pom.xml', 'build.gradle', 'Gemfile', 'composer.json' },
  settings = {
    jwtLsp = {},
  },
  -- The server also reads its settings from initializationOptions: sending them there too means the
  -- first diagnostics already use them (no flash of results computed with the defaults).
  before_init = function(params, config)
    params.initializationOptions = config.settings
  end,
}
