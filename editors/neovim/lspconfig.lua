-- jwt-lsp with nvim-lspconfig.
--
-- nvim-lspconfig 2.x on Neovim 0.11+ reads configs from lsp/*.lua on 'runtimepath', so with
-- editors/neovim/lsp/jwt_lsp.lua installed (e.g. ~/.config/nvim/lsp/jwt_lsp.lua) this is all:
--
--   vim.lsp.enable('jwt_lsp')
--
-- nvim-lspconfig 1.x (Neovim 0.8 - 0.10), which does not ship jwt_lsp, needs the config registered once:
local lspconfig = require('lspconfig')
local configs = require('lspconfig.configs')
if not configs.jwt_lsp then
  configs.jwt_lsp = {
    default_config = {
      cmd = { 'jwt-lsp' },
      filetypes = {
        'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'python', 'go',
        'java', 'cs', 'ruby', 'php', 'rust',
        'json', 'jsonc', 'json5', 'yaml', 'toml', 'sh', 'bash', 'zsh', 'conf', 'dosini', 'jproperties',
        'http', 'markdown', 'text', 'xml', 'html',
      },
      root_dir = lspconfig.util.root_pattern('.git', 'package.json', 'pyproject.toml', 'go.mod', 'Cargo.toml', 'pom.xml', 'build.gradle', 'Gemfile', 'composer.json'),
      single_file_support = true,
      settings = { jwtLsp = {} },
    },
    docs = { description = 'https://github.com/jwt-lsp/jwt-lsp: decodes and diagnoses JSON Web Tokens in any file.' },
  }
end
lspconfig.jwt_lsp.setup({
  -- settings = { jwtLsp = { leeway = 60 } },
  -- settings = { jwtLsp = { diagnosticsScope = 'openFiles' } },  -- default 'workspace': unopened files too
})
