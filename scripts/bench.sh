#!/usr/bin/env bash
# Whole-process benchmarks: `jwt-lsp check` over a generated 200 MB tree, side by side with
# ripgrep running the equivalent regex, in one hyperfine run (medians and the ratio).
# Micro-benchmarks: `cargo bench -p jwt-lsp`.
#
#   scripts/bench.sh [MEGABYTES]
set -euo pipefail
cd "$(dirname "$0")/.."
megabytes=${1:-200}
for tool in rg hyperfine; do
  command -v $tool >/dev/null || sudo_apt=1
done
if [[ -n "${sudo_apt:-}" ]]; then
  apt-get install -y -q ripgrep hyperfine >/dev/null
fi
cargo build --release --locked -q
tree=target/bench-tree-$megabytes
[[ -d $tree ]] || python3 scripts/gen_bench_tree.py "$tree" "$megabytes"
regex='(?:ey[JIAL]|ew[ok0])[A-Za-z0-9_\-+/=%]*(?:\.[A-Za-z0-9_\-+/=%]*)+'
# Warm the page cache, then compare. Both walk the tree honouring .gitignore and hidden files.
hyperfine --warmup 2 --runs ${RUNS:-10} --export-markdown target/bench-check.md \
  -n "rg (equivalent regex)" "rg --hidden -c '$regex' $tree" \
  -n "jwt-lsp check" "target/release/jwt-lsp check $tree --format json --fail-on never --now 2026-01-01T00:00:00Z"
cat target/bench-check.md
