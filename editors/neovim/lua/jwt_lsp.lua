-- jwt-lsp for Neovim 0.7 - 0.10 (on 0.11+ use lsp/jwt_lsp.lua and vim.lsp.enable('jwt_lsp') instead).
-- Copy this file to ~/.config/nvim/lua/jwt_lsp.lua and add to init.lua:
--
--   require('jwt_lsp').setup()
--   -- or with options (all optional):
--   require('jwt_lsp').setup({
--     cmd = { '/path/to/jwt-lsp' },
--     settings = { jwtLsp = { leeway = 60, severity = { ['token-no-expiry'] = 'off' } } },
--     -- diagnosticsScope: 'workspace' (default; files you have not opened get findings too) or 'openFiles'
--     -- settings = { jwtLsp = { diagnosticsScope = 'openFiles' } },
--   })
--
-- It starts one jwt-lsp per project root (the nearest folder with a marker below) for the file types
-- listed, using vim.lsp.start on 0.8+ and start_client + buf_attach_client on 0.7.
local M = {}

M.defaults = {
  name = 'jwt_lsp',
  cmd = { 'jwt-lsp' },
  filetypes = {
    'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'python', 'go',
    'java', 'cs', 'ruby', 'php', 'rust',
    'json', 'jsonc', 'json5', 'yaml', 'toml', 'sh', 'bash', 'zsh', 'conf', 'dosini', 'jproperties',
    'http', 'markdown', 'text', 'xml', 'html',
  },
  root_markers = { '.git', 'package.json', 'pyproject.toml', 'go.mod', 'Cargo.toml', 'pom.xml', 'build.gradle', 'Gemfile', 'composer.json' },
  settings = { jwtLsp = {} },
}

-- The folder of the first marker found upwards from `path` (markers in priority order), or nil.
local function find_root(path, markers)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  for _, marker in ipairs(markers) do
    local hit = vim.fn.finddir(marker, vim.fn.fnameescape(dir) .. ';')
    if hit == '' then hit = vim.fn.findfile(marker, vim.fn.fnameescape(dir) .. ';') end
    if hit ~= '' then return (vim.fn.fnamemodify(hit, ':p:h'):gsub('/%.git$', '')) end
  end
  return nil
end

local clients = {} -- root (or file folder) -> client id, for 0.7

function M.setup(opts)
  local config = vim.tbl_deep_extend('force', M.defaults, opts or {})
  local group = vim.api.nvim_create_augroup('jwt_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = config.filetypes,
    callback = function(args)
      local bufnr = args.buf
      local file = vim.api.nvim_buf_get_name(bufnr)
      if file == '' or vim.bo[bufnr].buftype ~= '' then return end
      local root = find_root(file, config.root_markers) or vim.fn.fnamemodify(file, ':p:h')
      local client_config = {
        name = config.name, cmd = config.cmd, root_dir = root, settings = config.settings,
        on_attach = config.on_attach, capabilities = config.capabilities,
        -- settings double as initializationOptions, so the first diagnostics already use them
        init_options = config.init_options or config.settings,
      }
      if vim.lsp.start then                         -- 0.8+: reuses a client with the same name and root
        vim.lsp.start(client_config, { bufnr = bufnr })
        return
      end
      local id = clients[root]                      -- 0.7
      if not id or not vim.lsp.get_client_by_id(id) then
        client_config.workspace_folders = { { uri = vim.uri_from_fname(root), name = root } }
        id = vim.lsp.start_client(client_config)
        clients[root] = id
      end
      if id then vim.lsp.buf_attach_client(bufnr, id) end
    end,
  })
end

return M
