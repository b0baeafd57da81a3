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
# The same scanner on text dense with tokens: a 64 MB log with a distinct token on every line.
dense=target/bench-dense.log
[[ -f $dense ]] || python3 - "$dense" <<'PY'
import base64, sys
b64 = lambda data: base64.urlsafe_b64encode(data).rstrip(b"=").decode()
header = b64(b'{"alg":"RS256","typ":"JWT"}')
signature = b64(bytes(256))
size, i, lines = 0, 0, []
while size < 64 * 1024 * 1024:
    payload = b64(('{"sub":"user%d","exp":%d}' % (i, 4102444800 + i)).encode())
    line = f"2026-01-01T00:00:00Z INFO authorized Bearer {header}.{payload}.{signature}\n"
    lines.append(line)
    size += len(line)
    i += 1
open(sys.argv[1], "w").write("".join(lines))
PY
regex='(?:ey[JIAL]|ew[ok0])[A-Za-z0-9_\-+/=%]*(?:\.[A-Za-z0-9_\-+/=%]*)+'
# Warm the page cache, then compare. Both walk the tree honouring .gitignore and hidden files.
hyperfine --warmup 2 --runs ${RUNS:-10} --export-json target/bench-check.json \
  -n "rg (equivalent regex)" "rg --hidden -c '$regex' $tree" \
  -n "jwt-lsp check" "target/release/jwt-lsp check $tree --format json --fail-on never --now 2026-01-01T00:00:00Z" \
  -n "rg dense (equivalent regex)" "rg -c '$regex' $dense" \
  -n "jwt-lsp check dense" "target/release/jwt-lsp check $dense --format json --fail-on never --max-file-size 100000000 --now 2026-01-01T00:00:00Z"
python3 - <<'PY'
import json, statistics
results = json.load(open("target/bench-check.json"))["results"]
medians = {r["command"]: statistics.median(r["times"]) * 1000 for r in results}
for name, ms in medians.items():
    print(f"{name:24} median {ms:7.1f} ms")
for label, rg, ours in [("tree", "rg (equivalent regex)", "jwt-lsp check"), ("dense", "rg dense (equivalent regex)", "jwt-lsp check dense")]:
    print(f"{label}: jwt-lsp check / rg = {medians[ours] / medians[rg]:.2f}")
PY
