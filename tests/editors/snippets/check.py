#!/usr/bin/env python3
"""Static checks of the editor configs that no headless editor here can run (Helix, Zed, Sublime),
and of the VS Code settings against the server's: each file parses and names jwt-lsp the same way.
Usage: check.py <repo-root>. Prints 'N passed, N failed'; exit 1 on any failure."""
import json, re, sys, tomllib
from pathlib import Path

root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
ed = root / "editors"
results = []

def check(name, fn):
    try:
        fn()
        results.append(True)
        print(f"[snippets] ok: {name}", file=sys.stderr)
    except Exception as e:  # noqa: BLE001 - report every kind of failure the same way
        results.append(False)
        print(f"[snippets] FAIL: {name}: {type(e).__name__}: {e}", file=sys.stderr)

def jsonc(path):
    text = re.sub(r"^\s*//.*$", "", path.read_text(), flags=re.M)
    return json.loads(text)

def helix():
    d = tomllib.loads((ed / "helix/languages.toml").read_text())
    assert d["language-server"]["jwt-lsp"]["command"] == "jwt-lsp"
    assert "jwtLsp" in d["language-server"]["jwt-lsp"]["config"]
    langs = d["language"]
    assert len(langs) >= 10, len(langs)
    for lang in langs:
        assert "jwt-lsp" in lang["language-servers"], lang["name"]
    custom = [l for l in langs if "file-types" in l]
    for l in custom:
        assert "scope" in l and "grammar" in l, f"new language {l['name']} needs scope and grammar"

def zed():
    ext = tomllib.loads((ed / "zed/extension.toml").read_text())
    assert ext["schema_version"] == 1 and ext["id"] == "jwt-lsp"
    assert "jwt-lsp" in ext["language_servers"] and ext["language_servers"]["jwt-lsp"]["languages"]
    cargo = tomllib.loads((ed / "zed/Cargo.toml").read_text())
    assert cargo["lib"]["crate-type"] == ["cdylib"] and "zed_extension_api" in cargo["dependencies"]
    assert "workspace" in cargo, "the Zed extension must not join the jwt-lsp workspace"
    settings = json.loads((ed / "zed/settings.json").read_text())
    assert "jwtLsp" in settings["lsp"]["jwt-lsp"]["settings"]
    src = (ed / "zed/src/lib.rs").read_text()
    for needle in ("register_extension!", "language_server_command", 'which("jwt-lsp")'):
        assert needle in src, needle

def sublime():
    d = jsonc(ed / "sublime/LSP.sublime-settings")
    c = d["clients"]["jwt-lsp"]
    assert c["command"] == ["jwt-lsp"] and c["enabled"] is True
    for scope in ("source.js", "source.python", "source.go", "source.yaml", "text.plain"):
        assert scope in c["selector"], scope
    assert "jwtLsp" in c["settings"]

def vscode_mirrors_server():
    # every field of the server's `Settings` struct (camelCase in JSON) is a jwtLsp.* VS Code setting
    config_rs = (root / "crates/core/src/config.rs").read_text()
    body = re.search(r"pub struct Settings \{(.*?)\n\}", config_rs, re.S).group(1)
    # Fields marked #[serde(skip)] are never read from editor JSON (e.g. `confined`, set by .jwt-lsp.toml).
    fields = re.findall(r"^\s*pub (\w+):", re.sub(r"#\[serde\(skip\)\]\s*pub \w+:", "", body), re.M)
    assert fields, "no fields found in crates/core/src/config.rs Settings"
    camel = [re.sub(r"_(\w)", lambda m: m.group(1).upper(), f) for f in fields]
    props = json.loads((ed / "vscode/package.json").read_text())["contributes"]["configuration"]["properties"]
    missing = [c for c in camel if f"jwtLsp.{c}" not in props]
    assert not missing, f"server settings without a VS Code setting: {missing} (add them to editors/vscode/package.json and src/settings.ts)"

def rule_codes_listed():
    # not a failure (any code is accepted); the per-rule entries only give descriptions and completion
    rules_rs = (root / "crates/core/src/rules.rs").read_text()
    codes = re.findall(r'^\s*\w+ => "([a-z0-9-]+)", (?:Error|Warning|Info|Hint),', rules_rs, re.M)
    props = json.loads((ed / "vscode/package.json").read_text())["contributes"]["configuration"]["properties"]
    listed = props["jwtLsp.severity"].get("properties", {})
    missing = [c for c in codes if c not in listed]
    if missing:
        print(f"[snippets] WARNING: rule codes without a jwtLsp.severity entry: {missing} "
              "(run: node editors/vscode/scripts/sync-rules.mjs)", file=sys.stderr)

check("Helix languages.toml", helix)
check("Zed extension and settings", zed)
check("Sublime LSP settings", sublime)
check("VS Code settings mirror the server's Settings", vscode_mirrors_server)
rule_codes_listed()
passed, failed = results.count(True), results.count(False)
print(f"snippets: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
