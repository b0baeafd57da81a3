" Headless Vim + ALE test of editors/vim/jwt-lsp.vim. Started by run.sh:
"   vim -Nu tests/editors/vim/test.vim -i NONE -n -es     (prints nothing: results go to $JWT_LOG)
" Env: JWT_SNIPPET, JWT_WS, JWT_NOW, JWT_LOG, LSP_TIMEOUT (s). `jwt-lsp` must be on PATH.
set nocompatible
let s:failures = 0
function! s:Log(msg) abort
  call writefile(['[vim ' . v:versionlong . '] ' . a:msg], $JWT_LOG, 'a')
endfunction
function! s:Check(name, ok, detail) abort
  if a:ok | call s:Log('ok: ' . a:name) | else | let s:failures += 1 | call s:Log('FAIL: ' . a:name . ': ' . a:detail) | endif
  return a:ok
endfunction
function! s:Finish() abort
  call s:Log(s:failures == 0 ? 'all checks passed' : s:failures . ' check(s) failed')
  if s:failures | cquit 1 | else | qall! | endif
endfunction
function! s:Wait(expr, ms) abort       " :sleep runs job and channel callbacks
  let l:t = 0
  while !eval(a:expr) && l:t < a:ms | sleep 20m | let l:t += 20 | endwhile
  return eval(a:expr)
endfunction
let s:timeout = str2nr(empty($LSP_TIMEOUT) ? '15' : $LSP_TIMEOUT) * 1000

" 1. the user's vimrc: ALE, the snippet, the clock pin
silent! packadd ale
if exists(':ALELint') != 2 | call s:Check('ALE is installed', 0, 'apt-get install vim-ale') | call s:Finish() | endif
let g:jwt_lsp_settings = {'jwtLsp': {'now': $JWT_NOW}}
execute 'source ' . fnameescape($JWT_SNIPPET)
let g:ale_lint_delay = 0
filetype on

" 2. open the .env file (filetype sh): ALE starts jwt-lsp for it
execute 'edit ' . fnameescape($JWT_WS . '/config.env')
let s:buf = bufnr('')
call s:Log('filetype: ' . &filetype)
ALELint
function! s:Expired() abort
  for l:d in ale#engine#GetLoclist(s:buf)
    if get(l:d, 'linter_name', '') ==# 'jwt_lsp' && stridx(l:d.text, 'Token expired 30 days ago') >= 0 | return l:d | endif
  endfor
  return {}
endfunction
call s:Wait('!empty(s:Expired())', s:timeout)
let s:d = s:Expired()
if s:Check('ALE lists the token-expired diagnostic from jwt_lsp', !empty(s:d), string(map(copy(ale#engine#GetLoclist(s:buf)), 'v:val.text')))
  call s:Check('  on line 2 as a warning with code token-expired', s:d.lnum == 2 && s:d.type ==# 'W' && get(s:d, 'code', '') ==# 'token-expired', string(s:d))
endif

" 3. hover through ALE's LSP plumbing (:ALEHover only echoes, which -es hides)
let s:hover = v:null
function! s:HoverText(c) abort
  if type(a:c) == v:t_string | return a:c | endif
  if type(a:c) == v:t_list | return join(map(copy(a:c), 's:HoverText(v:val)'), "\n") | endif
  return get(a:c, 'value', '')
endfunction
function! s:OnHover(response) abort
  let l:result = get(a:response, 'result', v:null)
  let s:hover = type(l:result) == v:t_dict ? s:HoverText(get(l:result, 'contents', '')) : ''
endfunction
call ale#lsp_linter#SendRequest(s:buf, 'jwt_lsp', ale#lsp#message#Hover(s:buf, 2, 21), function('s:OnHover'))
call s:Wait('s:hover isnot v:null', s:timeout)
let s:h = s:hover is v:null ? '' : s:hover
call s:Check('hover has the payload and expiry', stridx(s:h, '"sub": "alice"') >= 0 && stridx(s:h, 'expired 30 days ago') >= 0, s:h[:200])
call s:Finish()
