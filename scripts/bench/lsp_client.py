#!/usr/bin/env python3
"""Server benchmark client: drives `jwt-lsp` over stdio like an editor (stdlib only).

    scripts/bench/lsp_client.py BINARY WORKLOAD_DIR [--hovers N] [--keystrokes N] [--sessions N] [--json]

WORKLOAD_DIR holds `registry.yaml` (the big YAML document) and `app.js` (the 5,000-line Express
file), as scripts/bench/workloads.py builds them. One session:

1. open the YAML document → the first publishDiagnostics of that version (open_ms);
2. N hovers on tokens, each followed by a no-op round trip (an unknown method, which the server
   answers with "method not found"; tower-lsp-server never answers unknown `$/` requests) and a
   hover outside any token: the same run, the same load;
3. inlay hints for 100-line ranges spread over the document;
4. peak RSS of the server (VmHWM) with the YAML document open;
5. open the JS file, then type a line of code one character at a time, each keystroke sent as
   a full-text change; the time to the publishDiagnostics tagged with that version.

Latencies are measured from just before the request's bytes are written to when the response's
bytes have been read (by a reader thread, before JSON parsing). Errors (a hover on a token that
returns nothing, a timeout, the server exiting) raise; slowness never does.
"""
import json, os, queue, random, subprocess, sys, threading, time

NOW = 1767225600  # 2026-01-01T00:00:00Z: the clock pin (the `now` setting), as in the tests.
TIMEOUT = 120.0
TYPED = "  const claims = jwt.decode(String(req.query.token), { complete: true });"


class ServerError(Exception):
    pass


class Server:
    def __init__(self, binary: str):
        self.proc = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.messages: "queue.Queue[tuple[float, dict | None]]" = queue.Queue()
        self.pending: list[tuple[float, dict]] = []
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put((time.perf_counter(), None))
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            body = stream.read(length)
            received = time.perf_counter()  # before parsing: the client's JSON cost is not the server's
            self.messages.put((received, json.loads(body)))

    def encode(self, message: dict) -> bytes:
        body = json.dumps(message).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    def write(self, data: bytes) -> float:
        sent = time.perf_counter()
        self.proc.stdin.write(data)
        self.proc.stdin.flush()
        return sent

    def request_bytes(self, method: str, params) -> tuple[int, bytes]:
        ident = self.next_id
        self.next_id += 1
        return ident, self.encode({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})

    def notify(self, method: str, params) -> float:
        return self.write(self.encode({"jsonrpc": "2.0", "method": method, "params": params}))

    def request(self, method: str, params) -> tuple[float, dict]:
        """Sends a request; returns (latency in ms, response message)."""
        ident, data = self.request_bytes(method, params)
        sent = self.write(data)
        received, message = self.wait_for(lambda m: m.get("id") == ident and "method" not in m)
        return (received - sent) * 1000, message

    def wait_for(self, predicate) -> tuple[float, dict]:
        for index, (received, message) in enumerate(self.pending):
            if predicate(message):
                del self.pending[index]
                return received, message
        deadline = time.monotonic() + TIMEOUT
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ServerError("timed out waiting for the server")
            try:
                received, message = self.messages.get(timeout=left)
            except queue.Empty:
                raise ServerError("timed out waiting for the server") from None
            if message is None:
                raise ServerError(f"the server closed its output (exit status {self.proc.poll()})")
            if "method" in message and "id" in message:
                self.answer(message)
                continue
            if predicate(message):
                return received, message
            # Keep only what a later wait may want; diagnostics of old versions are dropped.
            self.pending.append((received, message))
            if len(self.pending) > 1000:
                self.pending = self.pending[-1000:]

    def answer(self, message: dict) -> None:
        result = [None] * len(message.get("params", {}).get("items", [])) if message["method"] == "workspace/configuration" else None
        self.write(self.encode({"jsonrpc": "2.0", "id": message["id"], "result": result}))

    def diagnostics(self, uri: str, version: int) -> tuple[float, list]:
        received, message = self.wait_for(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") == version
        )
        return received, message["params"]["diagnostics"]

    def status(self, field: str) -> int:
        """A `VmHWM:`-style field of /proc/PID/status, in KiB."""
        with open(f"/proc/{self.proc.pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise ServerError(f"no {field} in /proc status")

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    rank = max(1, -(-int(fraction * 1000) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]


def uri_of(path: str) -> str:
    return "file://" + os.path.abspath(path)


def session(binary: str, directory: str, hovers: int, keystrokes: int) -> dict:
    yaml_path, js_path = os.path.join(directory, "registry.yaml"), os.path.join(directory, "app.js")
    yaml_text, js_text = open(yaml_path).read(), open(js_path).read()
    server = Server(binary)
    try:
        _, response = server.request("initialize", {
            "processId": os.getpid(),
            "rootUri": uri_of(directory),
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "workspace": {"configuration": True},
                "textDocument": {"publishDiagnostics": {"versionSupport": True}, "inlayHint": {}},
            },
            "initializationOptions": {"now": NOW},
        })
        if "error" in response:
            raise ServerError(f"initialize failed: {response['error']}")
        server.notify("initialized", {})
        result = {}

        # 1. Open the YAML document.
        yaml_uri = uri_of(yaml_path)
        opened = server.encode({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": yaml_uri, "languageId": "yaml", "version": 1, "text": yaml_text}}})
        sent = server.write(opened)
        received, diagnostics = server.diagnostics(yaml_uri, 1)
        result["open_ms"] = (received - sent) * 1000
        result["open_diagnostics"] = len(diagnostics)
        if not diagnostics:
            raise ServerError("the YAML document got no diagnostics: the workload's expired tokens were not found")

        # 2. Hovers on tokens, each paired with a no-op round trip and a hover off any token.
        lines = yaml_text.split("\n")
        token_lines = [n for n, line in enumerate(lines) if line.startswith("    token: ")]
        plain_lines = [n for n, line in enumerate(lines) if line.startswith("    environment: ")]
        rng = random.Random(3)
        result.update(hover_ms=[], noop_ms=[], hover_miss_ms=[])
        for _ in range(hovers):
            line = rng.choice(token_lines)
            column = len("    token: ") + rng.randint(0, len(lines[line]) - len("    token: ") - 1)
            latency, response = server.request("textDocument/hover", {
                "textDocument": {"uri": yaml_uri}, "position": {"line": line, "character": column}})
            if not (response.get("result") or {}).get("contents"):
                raise ServerError(f"no hover on the token at line {line + 1}")
            result["hover_ms"].append(latency)
            latency, response = server.request("jwtLspBench/noop", {})
            if response.get("error", {}).get("code") != -32601:
                raise ServerError(f"the no-op request got {response}, not 'method not found'")
            result["noop_ms"].append(latency)
            line = rng.choice(plain_lines)
            latency, response = server.request("textDocument/hover", {
                "textDocument": {"uri": yaml_uri}, "position": {"line": line, "character": 6}})
            if response.get("result"):
                raise ServerError(f"a hover off any token (line {line + 1}) returned something")
            result["hover_miss_ms"].append(latency)

        # 3. Inlay hints for a visible 100-line range, at places spread over the document.
        result["inlay_ms"], result["inlay_hints"] = [], []
        for n in range(max(10, hovers // 4)):
            start = (n * 7919) % max(1, len(lines) - 100)
            latency, response = server.request("textDocument/inlayHint", {
                "textDocument": {"uri": yaml_uri},
                "range": {"start": {"line": start, "character": 0}, "end": {"line": start + 100, "character": 0}}})
            hints = response.get("result")
            if hints is None:
                raise ServerError(f"inlay hints failed: {response.get('error')}")
            result["inlay_ms"].append(latency)
            result["inlay_hints"].append(len(hints))
        if not any(result["inlay_hints"]):
            raise ServerError("no inlay hints in any 100-line range of the YAML document")

        # 4. Memory with the YAML document open.
        result["peak_rss_kib"] = server.status("VmHWM")
        result["rss_kib"] = server.status("VmRSS")

        # 5. Keystrokes in the JS file: full-text changes, diagnostics tagged with the version.
        js_uri = uri_of(js_path)
        sent = server.notify("textDocument/didOpen", {
            "textDocument": {"uri": js_uri, "languageId": "javascript", "version": 1, "text": js_text}})
        received, _ = server.diagnostics(js_uri, 1)
        result["js_open_ms"] = (received - sent) * 1000
        js_lines = js_text.split("\n")
        # Type on a new line inside a route handler in the middle of the file.
        at = next(n for n in range(len(js_lines) // 2, len(js_lines)) if js_lines[n].startswith("  try {")) + 1
        result["keystroke_ms"] = []
        for n in range(1, keystrokes + 1):
            typed = TYPED[: n % len(TYPED) or len(TYPED)]
            text = "\n".join(js_lines[:at] + [typed] + js_lines[at:])
            version = n + 1
            change = server.encode({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": js_uri, "version": version}, "contentChanges": [{"text": text}]}})
            sent = server.write(change)
            received, _ = server.diagnostics(js_uri, version)
            result["keystroke_ms"].append((received - sent) * 1000)
        result["peak_rss_after_js_kib"] = server.status("VmHWM")
        return result
    finally:
        server.close()


def run(binary: str, directory: str, hovers: int = 200, keystrokes: int = 60, sessions: int = 1) -> dict:
    """Runs `sessions` sessions; pools the samples, keeps the median open time and the highest peak RSS."""
    results = [session(binary, directory, hovers, keystrokes) for _ in range(sessions)]
    pooled = {key: [value for result in results for value in result[key]]
              for key in ("hover_ms", "noop_ms", "hover_miss_ms", "inlay_ms", "keystroke_ms")}
    opens = sorted(result["open_ms"] for result in results)
    return {
        "sessions": sessions,
        "open_ms": opens[len(opens) // 2],
        "open_diagnostics": results[0]["open_diagnostics"],
        "js_open_ms": sorted(r["js_open_ms"] for r in results)[len(results) // 2],
        **{f"{key[:-3]}_p{int(p * 100)}_ms": percentile(pooled[key], p)
           for key in pooled for p in (0.5, 0.95, 0.99)},
        "hovers": len(pooled["hover_ms"]),
        "keystrokes": len(pooled["keystroke_ms"]),
        "inlay_requests": len(pooled["inlay_ms"]),
        "inlay_hints_median": sorted(n for r in results for n in r["inlay_hints"])[len(pooled["inlay_ms"]) // 2],
        "peak_rss_mib": max(r["peak_rss_kib"] for r in results) / 1024,
        "rss_mib": max(r["rss_kib"] for r in results) / 1024,
        "peak_rss_after_js_mib": max(r["peak_rss_after_js_kib"] for r in results) / 1024,
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="jwt-lsp server benchmark client")
    parser.add_argument("binary")
    parser.add_argument("workload_dir")
    parser.add_argument("--hovers", type=int, default=200)
    parser.add_argument("--keystrokes", type=int, default=60)
    parser.add_argument("--sessions", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    summary = run(args.binary, args.workload_dir, args.hovers, args.keystrokes, args.sessions)
    if args.json:
        print(json.dumps(summary))
    else:
        for key, value in summary.items():
            print(f"{key:28} {value:.3f}" if isinstance(value, float) else f"{key:28} {value}")


if __name__ == "__main__":
    try:
        main()
    except ServerError as err:
        sys.exit(f"lsp_client.py: {err}")
