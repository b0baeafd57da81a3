#!/usr/bin/env bash
# Runs every test suite of jwt-lsp on a fresh machine: Rust unit, fixture, CLI, LSP and stress
# tests; the bundled examples; and the real-editor suites (which install what they need).
#
#   scripts/test.sh            everything
#   scripts/test.sh --rust     only the Rust suites (fast inner loop)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
started=$SECONDS

if ! command -v cargo >/dev/null; then
  echo "scripts/test.sh: cargo is required (https://rustup.rs); the toolchain is pinned in rust-toolchain.toml" >&2
  exit 2
fi

# tests/cli_ci.rs validates SARIF with Python's jsonschema and reads action.yml with PyYAML.
step "Python venv for the CI-door tests (jsonschema, PyYAML from PyPI)"
python3 -m venv target/ci-venv && target/ci-venv/bin/pip install --quiet --disable-pip-version-check jsonschema pyyaml
export JWT_LSP_PYTHON="$PWD/target/ci-venv/bin/python"

# First: it takes a second and names the file, where a diff in review would not.
step "rustfmt (cargo fmt --check; rustfmt.toml)"
cargo fmt --all --check

step "cargo test (unit, fixtures, CLI, LSP over stdio, stress)"
cargo test --workspace --locked

# Bounded fuzzing (issue 8): every target of tests/fuzz.rs for 15 s instead of the ~2 s of
# the run above: 17 targets x 15 s = 255 s of fuzzing, about 130 s of wall time on two threads.
# A failure prints `Seed: 0x...`; the header of tests/fuzz.rs says how to replay it.
step "fuzz targets, 15 s each (17 targets on 2 threads: about 130 s)"
JWT_LSP_FUZZ_SECONDS=15 cargo test --locked --test fuzz -- --test-threads 2

step "generated verifier snippets run with PyJWT and jsonwebtoken (installs both into a temp folder)"
cargo test --locked --test snippets -- --ignored

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "benchmarks compile"
cargo bench --workspace --locked --no-run >/dev/null 2>&1 || { echo "benchmarks do not compile" >&2; cargo bench --workspace --locked --no-run; exit 1; }

if [[ "${1:-}" == "--rust" ]]; then
  printf '\nRust suites passed in %ss\n' $((SECONDS - started))
  exit 0
fi

step "release build and the bundled examples"
cargo build --release --locked
status=0
./target/release/jwt-lsp check examples/ --format json --fail-on error >/tmp/jwt-lsp-examples.json || status=$?
if [[ $status -ne 1 ]]; then
  echo "check examples/ should report findings with errors (exit 1), got $status" >&2
  exit 1
fi
python3 - <<'PY'
import json
findings = json.load(open("/tmp/jwt-lsp-examples.json"))["findings"]
codes = {f["code"] for f in findings}
token_rules = {"token-expired", "token-not-yet-valid", "token-issued-in-future", "token-no-expiry",
               "token-alg-none", "token-malformed", "token-invalid-claims", "token-header-key",
               "token-kid-unknown", "token-signature-invalid", "token-key-confusion", "token-weak-secret",
               "token-rejected-by-verifier", "vulnerable-jwt-library"}
missing = token_rules - codes
assert not missing, f"examples/ no longer shows: {sorted(missing)}"
print(f"examples/: {len(findings)} findings, {len(codes)} rule codes")
PY

# Both hooks of .pre-commit-hooks.yaml through pre-commit itself: `jwt-lsp-system` with the built
# binary on PATH, and `jwt-lsp` (`language: rust`), which pre-commit builds with `cargo install
# --path .`; after the release build above, so its dependencies are mostly compiled already.
step "pre-commit hooks on a temporary git repository (pre-commit from PyPI; the rust hook builds the crate)"
cargo test --locked --test cli_ci -- --ignored

# The crates as published and installed (issue 12): `cargo package --workspace` packages the
# crates and builds each from its package alone (the core through a temporary local registry);
# the binary's package holds only sources, build.rs, the rule pages, the bundled wordlist and the
# licences; `cargo install --path .` (the README's install line) reuses the release build.
step "cargo package --workspace (every crate builds from its package); cargo install --path ."
# Cargo verifies `jwt-lsp` against the core through a temporary local registry and unpacks it into
# $CARGO_HOME/registry/src/-<hash of the registry path>/; a copy left by an earlier run from the same
# checkout path is reused as is (stale sources, false errors), so it goes first.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/jwt-lsp-core-* "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/jwt-lsp-hmac-lanes-*
cargo package --workspace --locked --allow-dirty 2>&1 | grep -E '^ *(Packaged|Verifying|Finished)' || { cargo package --workspace --locked --allow-dirty; exit 1; }
cargo package -p jwt-lsp --locked --allow-dirty --no-verify --list 2>/dev/null | python3 -c '
import re, sys
files = sys.stdin.read().split()
meta = {"Cargo.toml", "Cargo.toml.orig", "Cargo.lock", "README.md", "LICENSE", "build.rs", ".cargo_vcs_info.json",
        "data/jwt.secrets.list", "data/jwt.secrets.list.LICENSE", "data/jwt-advisories.toml"}
stray = [f for f in files if f not in meta and not re.fullmatch(r"src/[\w/]+\.rs|docs/rules/[a-z-]+\.md", f)]
missing = {"Cargo.toml", "README.md", "src/lib.rs", "src/main.rs", "build.rs", "data/jwt.secrets.list.LICENSE"} - set(files)
assert not stray and not missing, f"cargo package: stray {stray}, missing {sorted(missing)}"
print(f"cargo package: {len(files)} files, only sources, rule pages, the wordlist and metadata")
'
install_root=$(mktemp -d)
cargo install --locked --quiet --path . --root "$install_root" --target-dir "${CARGO_TARGET_DIR:-target}"
status=0
"$install_root/bin/jwt-lsp" check examples/ --fail-on error >/dev/null 2>&1 || status=$?
rm -rf "$install_root"
if [[ $status -ne 1 ]]; then
  echo "the installed jwt-lsp should report the examples' errors (exit 1), got $status" >&2
  exit 1
fi
echo "cargo install --path .: the installed binary runs"

# The whole-process benchmarks on tiny workloads, one run, no targets judged: keeps
# scripts/bench.sh and its workload generator and LSP client working (a few seconds). It fails
# only on errors (a tool failing, a token missed, a server timeout), never on slowness.
step "benchmarks run (scripts/bench.sh --short)"
scripts/bench.sh --short

if [[ -x tests/editors/run.sh ]]; then
  step "real editors (VS Code, Neovim, Emacs, Vim)"
  tests/editors/run.sh "$PWD/target/release/jwt-lsp"
fi

printf '\nAll suites passed in %ss\n' $((SECONDS - started))
