#!/usr/bin/env python3
"""Generates a large source tree for whole-process benchmarks (scripts/bench.sh).

    scripts/gen_bench_tree.py DIR [MEGABYTES]

Mostly code and config without JWT libraries (the common case `check` must be fast on), with a
token in one file of ten. Deterministic: the same arguments give the same tree.
"""
import os, random, sys

sys.path.insert(0, os.path.dirname(__file__))
from mint import mint

out, megabytes = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200
random.seed(7)
token = mint('{"alg":"HS256","typ":"JWT"}', '{"sub":"alice","exp":1764550800}', "bench")
words = "user order item request response handler config value index buffer stream token key cache".split()

def js_line(i):
    a, b = random.choice(words), random.choice(words)
    return f"export function {a}{i}({b}) {{ return {b}.map((x) => x.{a} + {i}).filter(Boolean); }}\n"

def py_line(i):
    a, b = random.choice(words), random.choice(words)
    return f"def {a}_{i}({b}):\n    return [x.{a} for x in {b} if x is not None]  # {i}\n"

def go_line(i):
    a, b = random.choice(words), random.choice(words)
    return f"func {a.title()}{i}({b} []string) int {{ return len({b}) + {i} }}\n"

def yaml_line(i):
    return f"  {random.choice(words)}_{i}: {random.choice(words)}-{i}.example.com:{8000 + i % 1000}\n"

def log_line(i):
    return f"2026-01-01T00:00:{i % 60:02d}Z INFO {random.choice(words)} id={i} took {i % 97} ms path=/api/v1/{random.choice(words)}\n"

kinds = [("js", js_line), ("py", py_line), ("go", go_line), ("yaml", yaml_line), ("log", log_line)]
file_size = 100 * 1024
files = megabytes * 1024 * 1024 // file_size
for n in range(files):
    ext, line = kinds[n % len(kinds)]
    directory = os.path.join(out, f"pkg{n // 100:03d}")
    os.makedirs(directory, exist_ok=True)
    parts, size, i = [], 0, 0
    while size < file_size:
        text = line(i)
        if n % 10 == 0 and i == 500:
            text = f"# auth: Bearer {token}\n" if ext in ("py", "yaml", "log") else f"// auth: Bearer {token}\n"
        parts.append(text)
        size += len(text)
        i += 1
    with open(os.path.join(directory, f"file{n:05d}.{ext}"), "w") as handle:
        handle.write("".join(parts))
print(f"{files} files, about {megabytes} MB, in {out}")
