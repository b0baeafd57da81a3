#!/usr/bin/env python3
"""A stand-in for features that land on other branches, for the editor suites' self-test only.

Wraps the real jwt-lsp (JWT_LSP_REAL) on stdio and adds, in the shapes the server contract promises:
  - `jwt-lsp.decodeToken` / `jwt-lsp.explainToken` (workspace/executeCommand) for the token under the cursor,
  - a `verify-missing-algorithms` diagnostic on `jwt.verify(token, key)` in .js files and its quick fix.
Everything else passes through untouched. It proves the editor-side steps work before those branches
merge; it is never a substitute for testing the real server.  `simulate.py --version` answers like jwt-lsp.
"""
import base64, json, os, re, subprocess, sys, threading

REAL = os.environ.get("JWT_LSP_REAL", "jwt-lsp")
if sys.argv[1:] == ["--version"]:
    out = subprocess.run([REAL, "--version"], capture_output=True, text=True)
    print(out.stdout.strip() + " (+ simulated decode/explain/code analysis)")
    sys.exit(out.returncode)

VERIFY = re.compile(r"jwt\.verify\((\w+), (\w+)\)")
TOKEN = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
docs = {}  # uri -> text (full sync is enough here: the tests only open files and apply one edit)
lock = threading.Lock()
to_client = sys.stdout.buffer
server = subprocess.Popen([REAL] + sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def read(stream):
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(stream.read(length))


def write(stream, msg):
    body = json.dumps(msg).encode()
    with lock:
        stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        stream.flush()


def b64json(part):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def token_at(uri, pos):
    lines = docs.get(uri, "").split("\n")
    if pos["line"] >= len(lines):
        return None
    for m in TOKEN.finditer(lines[pos["line"]]):
        if m.start() <= pos["character"] <= m.end():
            return m.group(0)
    return None


def verify_diags(uri):
    out = []
    for n, line in enumerate(docs.get(uri, "").split("\n")):
        for m in VERIFY.finditer(line):
            out.append({"range": {"start": {"line": n, "character": m.start()}, "end": {"line": n, "character": m.end()}},
                        "severity": 2, "code": "verify-missing-algorithms", "source": "jwt-lsp",
                        "message": "jwt.verify without an algorithms list accepts whatever the token's header says (simulated)."})
    return out


def apply_changes(uri, changes):
    text = docs.get(uri, "")
    for c in changes:
        if "range" not in c:
            text = c["text"]
            continue
        lines = text.split("\n")
        def off(p):
            return sum(len(l) + 1 for l in lines[:p["line"]]) + p["character"]
        s, e = off(c["range"]["start"]), off(c["range"]["end"])
        text = text[:s] + c["text"] + text[e:]
    docs[uri] = text


def from_client():
    while (msg := read(sys.stdin.buffer)) is not None:
        method, params = msg.get("method"), msg.get("params") or {}
        if method == "textDocument/didOpen":
            docs[params["textDocument"]["uri"]] = params["textDocument"]["text"]
        elif method == "textDocument/didChange":
            apply_changes(params["textDocument"]["uri"], params["contentChanges"])
        elif method == "workspace/executeCommand" and params.get("command") in ("jwt-lsp.decodeToken", "jwt-lsp.explainToken"):
            arg = (params.get("arguments") or [{}])[0]
            tok = token_at(arg.get("uri"), arg.get("position", {}))
            result = None
            if tok:
                header, payload = b64json(tok.split(".")[0]), b64json(tok.split(".")[1])
                if params["command"] == "jwt-lsp.decodeToken":
                    result = {"form": "JWS", "header": header, "payload": payload, "text": "simulated report"}
                else:
                    result = {"text": f"1. Algorithm: {header.get('alg')} (simulated checklist)\n"}
            write(to_client, {"jsonrpc": "2.0", "id": msg["id"], "result": result})
            continue
        elif method == "textDocument/codeAction":
            uri = params["textDocument"]["uri"]
            actions = []
            want = params["range"]["start"]["line"], params["range"]["end"]["line"]
            for d in verify_diags(uri):   # like the server: from its own findings in the range, not the context
                r = d["range"]
                if not want[0] <= r["start"]["line"] <= want[1]:
                    continue
                line = docs[uri].split("\n")[r["start"]["line"]]
                call = line[r["start"]["character"]:r["end"]["character"]]
                fixed = VERIFY.sub(lambda m: f"jwt.verify({m.group(1)}, {m.group(2)}, {{ algorithms: ['HS256'] }})", call)
                # the shapes of the real server: the fix first, then a suppression comment
                actions.append({"title": "Allow only `HS256`", "kind": "quickfix", "diagnostics": [d],
                                "isPreferred": True, "edit": {"changes": {uri: [{"range": r, "newText": fixed}]}}})
                indent = line[:len(line) - len(line.lstrip())]
                start = {"line": r["start"]["line"], "character": 0}
                actions.append({"title": "Ignore verify-missing-algorithms on this line", "kind": "quickfix", "diagnostics": [d],
                                "edit": {"changes": {uri: [{"range": {"start": start, "end": start},
                                                             "newText": f"{indent}// jwt-lsp-ignore: verify-missing-algorithms\n"}]}}})
            write(to_client, {"jsonrpc": "2.0", "id": msg["id"], "result": actions})
            continue
        write(server.stdin, msg)
    server.stdin.close()


def from_server():
    while (msg := read(server.stdout)) is not None:
        if "result" in msg and isinstance(msg["result"], dict) and "capabilities" in msg["result"]:
            caps = msg["result"]["capabilities"]
            caps["codeActionProvider"] = {"codeActionKinds": ["quickfix"]}
            commands = (caps.get("executeCommandProvider") or {}).get("commands", [])
            caps["executeCommandProvider"] = {"commands": sorted(set(commands) | {"jwt-lsp.decodeToken", "jwt-lsp.explainToken"})}
            caps["textDocumentSync"] = {"openClose": True, "change": 2}
        if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"].endswith(".js"):
            msg["params"]["diagnostics"] += verify_diags(msg["params"]["uri"])
        write(to_client, msg)


threading.Thread(target=from_client, daemon=True).start()
from_server()
os._exit(server.wait())  # daemon thread may still hold stdin: skip interpreter teardown
