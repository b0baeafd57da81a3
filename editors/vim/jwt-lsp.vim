" jwt-lsp with ALE (Vim 8.2+/9 or Neovim; ALE 3.x: https://github.com/dense-analysis/ale).
" Copy into your vimrc (after ALE is loaded: `packadd! ale` for Debian's vim-ale or a pack/ install),
" or save this file and `source` it. `jwt-lsp` must be on $PATH, or set g:jwt_lsp_executable.
"
" Hover a token with :ALEHover; diagnostics show like any ALE linter. If you restrict linters with
" g:ale_linters for one of these filetypes, add 'jwt_lsp' to that list.

let g:jwt_lsp_executable = get(g:, 'jwt_lsp_executable', 'jwt-lsp')
" Settings for the server (e.g. {'jwtLsp': {'leeway': 60, 'severity': {'token-no-expiry': 'off'}}}).
" 'diagnosticsScope': the server's default, 'workspace', also publishes findings for files no buffer
" shows, and ALE drops those; 'openFiles' sends only the open buffers' ones.
let g:jwt_lsp_settings = get(g:, 'jwt_lsp_settings', {'jwtLsp': {'diagnosticsScope': 'openFiles'}})

function! JwtLspRoot(buffer) abort
  let l:dir = fnamemodify(bufname(a:buffer), ':p:h')
  for l:marker in ['.git', 'package.json', 'pyproject.toml', 'go.mod', 'Cargo.toml', 'pom.xml',
  \                'build.gradle', 'Gemfile', 'composer.json']
    let l:hit = finddir(l:marker, fnameescape(l:dir) . ';')
    if empty(l:hit) | let l:hit = findfile(l:marker, fnameescape(l:dir) . ';') | endif
    if !empty(l:hit) | return fnamemodify(l:hit, ':p:h:s?/\.git$??') | endif
  endfor
  return l:dir      " no marker: the file's folder (ALE needs a root to start an LSP server)
endfunction

for s:ft in ['sh', 'conf', 'dosini', 'jproperties', 'yaml', 'json', 'jsonc', 'toml', 'markdown', 'text', 'http',
\            'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'python', 'go',
\            'java', 'cs', 'ruby', 'php', 'rust']
  call ale#linter#Define(s:ft, {
  \   'name': 'jwt_lsp',
  \   'lsp': 'stdio',
  \   'executable': {b -> g:jwt_lsp_executable},
  \   'command': '%e',
  \   'project_root': function('JwtLspRoot'),
  \   'initialization_options': {b -> g:jwt_lsp_settings},
  \   'lsp_config': {b -> g:jwt_lsp_settings},
  \})
endfor
