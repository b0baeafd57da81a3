#!/usr/bin/env python3
"""Runs the issue-9 benchmarks on built workloads and prints one table (stdlib only).

    scripts/bench/bench.py BINARY DATA_DIR [--runs N] [--short] [--json FILE]

DATA_DIR is what scripts/bench/workloads.py built (DATA_DIR/full or DATA_DIR/short). `check`
and ripgrep run alternately, one after the other, N times per workload (after one warm-up run
each that also validates the outputs); the table shows medians. The server figures come from
scripts/bench/lsp_client.py. Exits non-zero on errors only (a tool failing, a token missed,
a server timeout), never on slowness; `--short` judges no targets at all.
"""
import argparse, json, os, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lsp_client  # noqa: E402

NOW = "2026-01-01T00:00:00Z"
# The reference: what a user would grep for (header `eyJ`, three dot-separated parts).
RG_REGEX = r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*"


class BenchError(Exception):
    pass


def timed(command: list[str], output: str) -> tuple[float, float, int]:
    """Runs `command` with stdout to `output`; returns (wall ms, user+system CPU ms, exit status)."""
    with open(output, "wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        wall = (time.perf_counter() - started) * 1000
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr = process.stderr.read().decode(errors="replace")
        process.stderr.close()
    if process.returncode not in (0, 1) or (process.returncode == 1 and command[0] != "rg"):
        raise BenchError(f"{' '.join(command[:2])} exited with {process.returncode}: {stderr.strip()[:500]}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1000, process.returncode


def count_expired(output: str) -> int:
    """`token-expired` findings in a `check --format json` output."""
    findings = json.load(open(output))["findings"]
    return sum(1 for finding in findings if finding["code"] == "token-expired")


def count_rg(output: str) -> int:
    """Total of `rg -c` output (`path:count` lines, or a bare count for one file)."""
    total = 0
    for line in open(output, errors="replace"):
        total += int(line.rsplit(":", 1)[-1])
    return total


def compare(name: str, binary: str, paths: list[str], expected_tokens: int, runs: int, scratch: str) -> dict:
    """`check` and `rg` on the same paths, alternately; validates that both found the tokens."""
    ours = [binary, "check", *paths, "--format", "json", "--fail-on", "never", "--now", NOW]
    reference = ["rg", "-uu", "-c", RG_REGEX, *paths]
    ours_out, reference_out = os.path.join(scratch, f"{name}.check.json"), os.path.join(scratch, f"{name}.rg.txt")
    # Warm-up: the page cache, and a check that both tools see the inserted tokens.
    timed(ours, ours_out)
    timed(reference, reference_out)
    found, matched = count_expired(ours_out), count_rg(reference_out)
    if found < expected_tokens:
        raise BenchError(f"{name}: check reported {found} expired tokens, the workload has {expected_tokens}")
    if matched < expected_tokens:
        raise BenchError(f"{name}: rg matched {matched} lines, the workload has {expected_tokens} tokens")
    load_before = os.getloadavg()[0]
    samples = {"ours": [], "ours_cpu": [], "reference": [], "reference_cpu": []}
    for _ in range(runs):
        wall, cpu, _ = timed(ours, ours_out)
        samples["ours"].append(wall)
        samples["ours_cpu"].append(cpu)
        wall, cpu, _ = timed(reference, reference_out)
        samples["reference"].append(wall)
        samples["reference_cpu"].append(cpu)
    result = {key: statistics.median(values) for key, values in samples.items()}
    result.update(runs=runs, found=found, rg_lines=matched, load=(load_before, os.getloadavg()[0]))
    result["ratio"] = result["ours"] / result["reference"]
    return result


def builtin_wordlist(binary: str, runs: int, scratch: str, short: bool) -> dict:
    """The 104k built-in list per HS256 token: `check --wordlist builtin` on a file of distinct
    tokens with unlisted secrets (each searches the whole list) minus plain `check` of the same
    file, alternately; the list's compressed size from `--version --verbose`."""
    import base64, hashlib, hmac
    count = 3 if short else 20
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    lines = []
    for i in range(count):
        signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(json.dumps({"sub": f"user-{i}", "exp": 1900000000}).encode())
        signature = hmac.new(f"unlisted secret {i} 8c1f0e".encode(), signing_input.encode(), hashlib.sha256).digest()
        lines.append(f"TOKEN_{i}={signing_input}.{b64(signature)}")
    path = os.path.join(scratch, "hs256-tokens.env")
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    base = [binary, "check", path, "--format", "json", "--fail-on", "never", "--now", NOW]
    with_list, without = [], []
    for _ in range(max(1, runs)):
        with_list.append(timed(base + ["--wordlist", "builtin"], os.path.join(scratch, "builtin.json"))[0])
        without.append(timed(base, os.path.join(scratch, "plain.json"))[0])
    if json.load(open(os.path.join(scratch, "builtin.json")))["findings"]:
        raise BenchError("builtin wordlist: a token with an unlisted secret was reported")
    version = subprocess.run([binary, "--version", "--verbose"], capture_output=True, text=True, check=True).stdout
    kib = int(version.split(" KiB compressed")[0].rsplit(" ", 1)[-1])
    ours, reference = statistics.median(with_list), statistics.median(without)
    return {"tokens": count, "ours": ours, "reference": reference, "per_token": (ours - reference) / count, "kib": kib}


def size(count: int) -> str:
    """Decimal megabytes above 100 MB (how the issue counts the corpus), else MiB/KiB."""
    if count >= 100 * 10**6:
        return f"{count / 10**6:.0f} MB"
    return f"{count / 2**20:.0f} MiB" if count >= 2**20 else f"{count / 1024:.0f} KiB"


def row(workload, ours, reference, ratio, target, verdict, load="") -> list[str]:
    return [workload, ours, reference, ratio, target, verdict, load]


def judge(ok: bool, short: bool) -> str:
    return "-" if short else ("PASS" if ok else "MISS")


def main() -> None:
    parser = argparse.ArgumentParser(description="issue-9 benchmarks")
    parser.add_argument("binary")
    parser.add_argument("data_dir")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--short", action="store_true")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args()
    data = os.path.join(args.data_dir, "short" if args.short else "full")
    built = json.load(open(os.path.join(data, "workloads.json")))
    scratch = os.path.join(data, "out")
    os.makedirs(scratch, exist_ok=True)
    short = args.short
    corpus_dir = os.path.join(data, "corpus", "tree")
    logs = sorted(os.path.join(data, "logs", name) for name in os.listdir(os.path.join(data, "logs")) if name.endswith(".log"))
    corpus, log_info = built["corpus"], built["logs"]
    figures = {"load_start": os.getloadavg()}

    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)", flush=True)
    print(f"check vs rg, {args.runs} alternating run(s) each ...", flush=True)
    figures["corpus"] = compare("corpus", args.binary, [corpus_dir], corpus["tokens"], args.runs, scratch)
    figures["log1"] = compare("log1", args.binary, logs[:1], log_info[0]["tokens"], args.runs, scratch)
    figures["logs"] = compare("logs", args.binary, logs, sum(log["tokens"] for log in log_info), args.runs, scratch)
    figures["wordlist"] = builtin_wordlist(args.binary, args.runs, scratch, short)
    print("server session(s) ...", flush=True)
    load_before = os.getloadavg()[0]
    sessions = 1 if short else max(1, args.runs)
    server = lsp_client.run(args.binary, os.path.join(data, "server"), hovers=20 if short else 200,
                            keystrokes=8 if short else 60, sessions=sessions)
    server["load"] = (load_before, os.getloadavg()[0])
    figures["server"] = server
    figures["load_end"] = os.getloadavg()

    def load(result) -> str:
        return f"{result['load'][0]:.1f}→{result['load'][1]:.1f}"

    def ms(value: float) -> str:
        return f"{value:,.1f} ms" if value >= 10 else f"{value:.2f} ms"

    c, l1, l8, w = figures["corpus"], figures["log1"], figures["logs"], figures["wordlist"]
    yaml, js = built["server"]["yaml"], built["server"]["js"]
    rows = [
        row("workload", "jwt-lsp", "reference", "ratio", "target", "", "load"),
        row(f"check: {size(corpus['bytes'])} real source, {corpus['files']:,} files, {corpus['tokens']:,} tokens",
            ms(c["ours"]), f"rg {ms(c['reference'])}", f"{c['ratio']:.2f}×", "≤ 2×", judge(c["ratio"] <= 2, short), load(c)),
        row(f"check: one {size(log_info[0]['bytes'])} access log, {log_info[0]['tokens']:,} tokens",
            ms(l1["ours"]), f"rg {ms(l1['reference'])}", f"{l1['ratio']:.2f}×", "", "", load(l1)),
        row(f"check: {len(logs)} such logs ({sum(log['tokens'] for log in log_info):,} tokens)",
            ms(l8["ours"]), f"rg {ms(l8['reference'])}", f"{l8['ratio']:.2f}×", "≤ 5×", judge(l8["ratio"] <= 5, short), load(l8)),
        row(f"check --wordlist builtin: {w['tokens']} HS256 tokens, unlisted secrets (104k list, {w['kib']} KiB in the binary)",
            f"{ms(w['ours'])} ({ms(w['per_token'])}/token)", f"plain check {ms(w['reference'])}", "", "≤ 30 ms/token",
            judge(w["per_token"] <= 30, short), ""),
        row(f"server: open {size(yaml['bytes'])} YAML ({yaml['tokens']:,} tokens) → first diagnostics",
            ms(server["open_ms"]), "", "", "≤ 300 ms", judge(server["open_ms"] <= 300, short), load(server)),
        row(f"server: hover on a token, p50 / p99 ({server['hovers']} hovers)",
            f"{ms(server['hover_p50_ms'])} / {ms(server['hover_p99_ms'])}",
            f"no-op {ms(server['noop_p50_ms'])} / {ms(server['noop_p99_ms'])}",
            f"{server['hover_p99_ms'] / server['noop_p99_ms']:.1f}× (p99)", "p99 ≤ 2 ms",
            judge(server["hover_p99_ms"] <= 2, short), ""),
        row("server: hover off any token, p50 / p99", f"{ms(server['hover_miss_p50_ms'])} / {ms(server['hover_miss_p99_ms'])}",
            "", "", "", "", ""),
        row(f"server: inlay hints, 100-line range, p50 / p99 ({server['inlay_requests']} ranges)",
            f"{ms(server['inlay_p50_ms'])} / {ms(server['inlay_p99_ms'])}", "", "", "p50 ≤ 5 ms",
            judge(server["inlay_p50_ms"] <= 5, short), ""),
        row(f"server: keystroke in {js['lines']:,}-line JS → diagnostics, p50 / p95 ({server['keystrokes']} keys)",
            f"{ms(server['keystroke_p50_ms'])} / {ms(server['keystroke_p95_ms'])}", "", "", "p95 ≤ 15 ms",
            judge(server["keystroke_p95_ms"] <= 15, short), ""),
        row("server: peak RSS (VmHWM) with the YAML document open", f"{server['peak_rss_mib']:.1f} MiB", "", "",
            "≤ 100 MB", judge(server["peak_rss_mib"] <= 100, short), ""),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print()
    for index, cells in enumerate(rows):
        print(" | ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip())
        if index == 0:
            print("-+-".join("-" * width for width in widths))
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"CPU (user+sys) medians: check corpus {ms(c['ours_cpu'])}, {len(logs)} logs {ms(l8['ours_cpu'])}; "
          f"rg corpus {ms(c['reference_cpu'])}, {len(logs)} logs {ms(l8['reference_cpu'])}")
    if short:
        print("(--short: tiny workloads, one run, targets not judged)")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(figures, handle, indent=1)


if __name__ == "__main__":
    try:
        main()
    except (BenchError, lsp_client.ServerError) as err:
        sys.exit(f"bench: {err}")
