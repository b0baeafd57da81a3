#!/usr/bin/env bash
# The issue-9 benchmarks in one command: builds the release binary and the workloads (cached,
# deterministic, under target/bench-data/), runs `jwt-lsp check` and ripgrep alternately, drives
# the language server over stdio, and prints one table: workload, jwt-lsp median, reference
# median, ratio, target, PASS/MISS, and the load average around each figure (the machine is shared).
#
#   scripts/bench.sh [--runs N] [--short] [--json FILE]
#
#   --runs N   alternating runs per `check` workload and server sessions (default 5; medians)
#   --short    tiny workloads, one run, no targets judged: for scripts/test.sh, so this cannot rot.
#              Fails only on errors (a tool failing, a token missed, a server timeout).
#   --json F   also write every figure (CPU times, percentiles, loads) to F
#
# Workloads (scripts/bench/workloads.py): a ~184 MB copy of an installed Python's library (real
# .py/.pyi/.json/.md/.rst/.txt files) with one real HS256 token per 64 KB; eight 9 MB access logs
# with 17,500 distinct tokens each; a 5 MB YAML document with 10,000 tokens and a 5,000-line
# Express + jsonwebtoken file for the server (scripts/bench/lsp_client.py).
# Micro-benchmarks (scanner, decoder, weak-secret search, code analysis): `cargo bench -p jwt-lsp-core`.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
short=
json=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --short) short=--short; runs=1; shift ;;
    --json) json=(--json "${2:?--json needs a file}"); shift 2 ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scripts/bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

if ! command -v rg >/dev/null; then
  if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "installing ripgrep (the reference) with apt-get ..."
    apt-get install -y -q ripgrep >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q ripgrep >/dev/null; }
  else
    echo "scripts/bench.sh: ripgrep (rg) is the reference and is not installed; as root: apt-get install ripgrep" >&2
    echo "(or: cargo install ripgrep). Not installing it here: this is not running as root with apt-get." >&2
    exit 2
  fi
fi
command -v python3 >/dev/null || { echo "scripts/bench.sh: python3 is required" >&2; exit 2; }

cargo build --release --locked -q
python3 scripts/bench/workloads.py target/bench-data $short >/dev/null
# `--now` inside: results must not depend on the clock (the tokens' expiry is fixed).
python3 scripts/bench/bench.py target/release/jwt-lsp target/bench-data --runs "$runs" $short "${json[@]}"
