#!/bin/bash
# Vim 9 + ALE (Debian) with editors/vim/jwt-lsp.vim, headless.   tests/editors/vim/run.sh <jwt-lsp>
SUITE=vim
. "$(dirname "$0")/../lib.sh"
BIN=$(server_bin "${1:-}") || exit 2
apt_need vim vim-ale
new_work vim
server_wrapper "$BIN"
say "$(vim --version | head -n 1)"
export JWT_LOG=$WORK/result.log
: >"$JWT_LOG"
HOME=$WORK/home PATH=$WORK:$PATH JWT_SNIPPET=$REPO_DIR/editors/vim/jwt-lsp.vim JWT_WS=$WORK/ws JWT_NOW=$NOW_PIN \
  run_limited 90 vim -Nu "$EDITORS_DIR/vim/test.vim" -i NONE -n -es
rc=$?
cat "$JWT_LOG" >&2
if [ "$rc" = 0 ] && ! grep -q 'all checks passed' "$JWT_LOG"; then say "vim exited 0 but the test did not finish"; rc=1; fi
kill_leftover_servers
finish "$rc"
