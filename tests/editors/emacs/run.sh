#!/bin/bash
# Emacs 28 + Eglot (Debian) with editors/emacs/jwt-lsp.el, headless.   tests/editors/emacs/run.sh <jwt-lsp>
SUITE=emacs
. "$(dirname "$0")/../lib.sh"
BIN=$(server_bin "${1:-}") || exit 2
apt_need emacs-nox elpa-eglot
new_work emacs
server_wrapper "$BIN"
say "$(emacs --version | head -n 1), eglot $(ls /usr/share/emacs/site-lisp/elpa/ 2>/dev/null | sed -n 's/^eglot-//p')"
HOME=$WORK/home PATH=$WORK:$PATH JWT_SNIPPET=$REPO_DIR/editors/emacs/jwt-lsp.el JWT_WS=$WORK/ws JWT_NOW=$NOW_PIN \
  run_limited 90 emacs --batch -q -l "$EDITORS_DIR/emacs/test.el" 2>&1 | grep -E '^\[emacs' >&2
rc=${PIPESTATUS[0]}
kill_leftover_servers
finish "$rc"
