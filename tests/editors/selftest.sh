#!/bin/bash
# Self-test of the editor suites (not part of tests/editors/run.sh; run it after changing them):
#  1. with a simulator of the features still landing elsewhere (decodeToken, explainToken, code analysis:
#     selftest/simulate.py wraps the real server), every step must pass with nothing pending;
#  2. against a server that starts but never answers, every suite must FAIL.
#   tests/editors/selftest.sh target/release/jwt-lsp [suite...]     (default: nvim-0.11 nvim-0.7 emacs vim vscode)
SUITE=selftest
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
BIN=$(server_bin "${1:-}") || exit 2
shift
[ $# -gt 0 ] || set -- nvim-0.11 nvim-0.7 emacs vim vscode
T=$(mktemp -d /tmp/jle-selftest.XXXXXX)
PY=$(command -v python3)
printf '#!/bin/sh\nJWT_LSP_REAL=%q exec %q %q "$@"\n' "$BIN" "$PY" "$HERE/selftest/simulate.py" >"$T/jwt-lsp-simulated"
printf '#!/bin/sh\n[ "$1" = --version ] && { echo "jwt-lsp 0.0.0 (silent fake)"; exit 0; }\nexec cat >/dev/null\n' >"$T/jwt-lsp-silent"
chmod +x "$T"/jwt-lsp-*
bad=0
say "1. simulated features, nothing pending: every suite must pass"
JWT_LSP_PENDING= SERVER_CMDLINE_MATCH='selftest/simulate\.py' bash "$HERE/run.sh" "$T/jwt-lsp-simulated" "$@" || { bad=1; say "FAIL: a suite failed with the simulator"; }
say "2. a server that never answers: every suite must fail"
for s in "$@"; do
  JWT_LSP_PENDING= LSP_TIMEOUT=3 STEP_TIMEOUT_MS=4000 bash "$HERE/run.sh" "$T/jwt-lsp-silent" "$s" >/dev/null 2>"$T/$s.log"
  if [ $? = 1 ]; then say "ok: $s fails against the silent server"
  else bad=1; say "FAIL: $s did not fail against the silent server (log: $T/$s.log)"; fi
done
[ "$bad" = 0 ] && rm -rf "$T" && say "PASS" && exit 0
say "FAIL (files kept in $T)"; exit 1
