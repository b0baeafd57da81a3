-- Checks the Neovim snippets that the headless test does not start: lspconfig.lua runs against a stub
-- nvim-lspconfig and registers the same config as lsp/jwt_lsp.lua; the filetype lists agree.
-- Run: nvim --headless -u NONE -i NONE -n -c "luafile tests/editors/nvim/snippets.lua"   (env JWT_EDITORS_DIR)
local dir = os.getenv('JWT_EDITORS_DIR')
local failures = 0
local function check(name, ok, detail)
  io.stderr:write(string.format('[nvim-snippets] %s: %s%s\n', ok and 'ok' or 'FAIL', name, (not ok and detail) and (': ' .. detail) or ''))
  if not ok then failures = failures + 1 end
end
local native = dofile(dir .. '/lsp/jwt_lsp.lua')
check('lsp/jwt_lsp.lua has cmd, filetypes, root_markers, settings',
  native.cmd[1] == 'jwt-lsp' and #native.filetypes > 10 and #native.root_markers > 0 and native.settings.jwtLsp ~= nil)
local legacy = dofile(dir .. '/lua/jwt_lsp.lua')
check('lua/jwt_lsp.lua has the same filetypes and root markers',
  vim.deep_equal(legacy.defaults.filetypes, native.filetypes) and vim.deep_equal(legacy.defaults.root_markers, native.root_markers))
-- stub nvim-lspconfig: record what the snippet registers and sets up
local registered, setup_called = nil, nil
local configs = setmetatable({}, { __newindex = function(t, k, v) rawset(t, k, v); registered = v end })
package.loaded['lspconfig.configs'] = configs
package.loaded['lspconfig'] = setmetatable({ util = { root_pattern = function(...) return { markers = { ... } } end } },
  { __index = function(_, name) return { setup = function(opts) setup_called = { name = name, opts = opts } end } end })
local ok, err = pcall(dofile, dir .. '/lspconfig.lua')
check('lspconfig.lua runs', ok, tostring(err))
check('lspconfig.lua registers jwt_lsp like lsp/jwt_lsp.lua', registered ~= nil
  and vim.deep_equal(registered.default_config.cmd, native.cmd)
  and vim.deep_equal(registered.default_config.filetypes, native.filetypes)
  and vim.deep_equal(registered.default_config.root_dir.markers, native.root_markers)
  and registered.default_config.single_file_support == true)
check('lspconfig.lua calls jwt_lsp.setup', setup_called ~= nil and setup_called.name == 'jwt_lsp')
vim.cmd('cquit ' .. (failures > 0 and 1 or 0))
