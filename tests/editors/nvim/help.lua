-- editors/neovim/doc/jwt-lsp.txt as a user installs it: `:helptags` on a copy accepts it (no duplicate
-- or malformed tags), every |link| in it resolves, and `:help jwt-lsp` opens it.
-- Env: JWT_HELP_RTP (a folder whose doc/ holds a copy of the help file). Exit 0 pass, 1 fail.
local rtp = os.getenv('JWT_HELP_RTP')
local failures = {}
local function check(ok, msg) if not ok then table.insert(failures, msg) end end

vim.opt.runtimepath:prepend(rtp)
local ok, err = pcall(vim.cmd, 'helptags ' .. vim.fn.fnameescape(rtp .. '/doc'))
check(ok, 'helptags: ' .. tostring(err))

local tags = {}
for _, line in ipairs(vim.fn.readfile(rtp .. '/doc/tags')) do
  tags[line:match('^([^\t]+)\t')] = true
end
for _, want in ipairs({ 'jwt-lsp', 'jwt-lsp.txt', 'jwt-lsp-setup', 'jwt-lsp-settings', 'jwt-lsp-commands',
                        'jwt-lsp-troubleshooting' }) do
  check(tags[want], 'no tag *' .. want .. '*')
end

-- links to the file's own tags must resolve to them; links to Neovim's own help must exist in this Neovim
-- (version-specific ones such as |vim.lsp.config()| only on 0.11+)
local text = table.concat(vim.fn.readfile(rtp .. '/doc/jwt-lsp.txt'), '\n')
for link in text:gmatch('|([^|%s]+)|') do
  if link:match('^jwt%-lsp') then
    check(tags[link], 'link |' .. link .. '| has no tag in the file')
  elseif vim.fn.has('nvim-0.11') == 1 then
    check(#vim.fn.getcompletion(link, 'help') > 0, 'link |' .. link .. '| is not a help tag of this Neovim')
  end
end

ok, err = pcall(vim.cmd, 'help jwt-lsp-settings')
check(ok and vim.fn.expand('%:t') == 'jwt-lsp.txt', ':help jwt-lsp-settings did not open jwt-lsp.txt: ' .. tostring(err))

local count = 0
for _ in pairs(tags) do count = count + 1 end
if #failures == 0 then
  io.stdout:write(string.format('[nvim-help] ok: :helptags accepts jwt-lsp.txt (%d tags), its links resolve, :help jwt-lsp opens it\n', count))
  vim.cmd('qall!')
else
  for _, f in ipairs(failures) do io.stdout:write('[nvim-help] FAIL: ' .. f .. '\n') end
  vim.cmd('cquit 1')
end
