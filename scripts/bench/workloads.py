#!/usr/bin/env python3
"""Builds the benchmark workloads of issue 9 (stdlib only), cached under DIR.

    scripts/bench/workloads.py DIR [--short]

- corpus/   a copy of real source text (an installed Python's library: Python, stubs, JSON,
            Markdown/reST), ~184 MB, with one real HS256 token inserted per 64 KB of text;
- logs/     eight 9 MB access logs (combined log format plus the Authorization header), each with
            17,500 distinct tokens in quoted fields (query strings, referrers, `Bearer ...`);
- server/   a 5 MB YAML document with 10,000 tokens and a 5,000-line Express + jsonwebtoken file.

Deterministic: the same machine gives byte-identical workloads (fixed seeds, fixed signing key,
sorted source files). `--short` builds tiny versions of each for CI. A workload is rebuilt only
when its manifest (DIR/manifest.json) was written with other parameters.
"""
import hashlib, json, os, random, shutil, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from mint import mint  # noqa: E402  (scripts/mint.py: real HMAC signatures)

# A fixed key, so the tokens (and the workloads) are the same on every run. Not a weak secret:
# `check` must not find it in its built-in list, as a real deployment's key would not be.
SIGNING_KEY = "bench-fixed-key/7c1d0f5e3a9b4e2d8f6a1c3b5d7e9f02"
NOW = 1767225600  # 2026-01-01T00:00:00Z, what bench.sh passes as --now / the `now` setting.
MIB = 1024 * 1024

FULL = {
    "corpus_bytes": 184 * 1000 * 1000,
    "token_every": 64 * 1024,
    "log_bytes": 9 * MIB,
    "log_tokens": 17_500,
    "log_files": 8,
    "yaml_bytes": 5 * MIB,
    "yaml_tokens": 10_000,
    "js_lines": 5_000,
}
SHORT = {
    "corpus_bytes": 2 * 1000 * 1000,
    "token_every": 64 * 1024,
    "log_bytes": 256 * 1024,
    "log_tokens": 500,
    "log_files": 2,
    "yaml_bytes": 128 * 1024,
    "yaml_tokens": 250,
    "js_lines": 500,
}
# Real source text: the file kinds the corpus copies, and where to look for them (the first
# that exists wins per file; several roots are combined until the corpus is large enough).
CORPUS_EXTENSIONS = (".py", ".pyi", ".json", ".md", ".rst", ".txt")
CORPUS_ROOTS = [
    "~/.pyenv/versions/*/lib/python3.*",
    "/usr/local/lib/python3*",
    "/usr/lib/python3*",
    "~/.rustup/toolchains/*/lib/rustlib/src",
]
# `check` skips bigger files by default; rg would not, so neither tool sees them.
MAX_FILE = 10 * MIB


def b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# --- tokens ---------------------------------------------------------------------------------

FIRST = "alice bob carol dave erin frank grace heidi ivan judy mallory oscar peggy trent victor walter".split()
SCOPES = ["read:orders", "write:orders", "read:users", "admin", "openid profile email", "billing:read", "api"]
ISSUERS = ["https://auth.example.com/", "https://login.example.org/oauth2/default", "https://id.example.net"]


def payload(rng: random.Random, serial: int, issued: int, lifetime: int) -> str:
    """Claims shaped like real access tokens (Auth0/Okta-like: iss, sub, aud, iat, exp, scope)."""
    claims = {
        "iss": rng.choice(ISSUERS),
        "sub": f"{rng.choice(FIRST)}-{serial:06d}",
        "aud": rng.choice(["api.example.com", "https://api.example.com/v2", "orders-service"]),
        "iat": issued,
        "exp": issued + lifetime,
        "scope": rng.choice(SCOPES),
        "jti": hashlib.sha1(f"{serial}-{issued}".encode()).hexdigest()[:16],
    }
    if rng.random() < 0.3:
        claims["email"] = f"{claims['sub']}@example.com"
    return json.dumps(claims, separators=(",", ":"))


def hs256(rng: random.Random, serial: int, issued: int, lifetime: int) -> str:
    return mint('{"alg":"HS256","typ":"JWT"}', payload(rng, serial, issued, lifetime), SIGNING_KEY)


# --- corpus ---------------------------------------------------------------------------------


def corpus_sources(limit: int):
    """(source path, relative name) of real text files, sorted, until `limit` bytes."""
    import glob

    roots = []
    for pattern in CORPUS_ROOTS:
        roots.extend(sorted(glob.glob(os.path.expanduser(pattern))))
    # Largest first: one big installation gives the most coherent corpus.
    sized = []
    for root in roots:
        if os.path.isdir(root) and not os.path.islink(root):
            sized.append((-tree_size(root), root))
    chosen, total, seen = [], 0, set()
    for _, root in sorted(sized):
        for directory, subdirs, files in os.walk(root):
            subdirs[:] = sorted(d for d in subdirs if d != "__pycache__" and not d.startswith("."))
            for name in sorted(files):
                path = os.path.join(directory, name)
                if not name.endswith(CORPUS_EXTENSIONS) or os.path.islink(path):
                    continue
                real = os.path.realpath(path)
                size = os.path.getsize(path)
                if real in seen or size == 0 or size > MAX_FILE or is_binary(path):
                    continue
                seen.add(real)
                chosen.append((path, os.path.join(os.path.basename(root), os.path.relpath(path, root))))
                total += size
                if total >= limit:
                    return chosen, total
    return chosen, total


def tree_size(root: str) -> int:
    total = 0
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [d for d in subdirs if d != "__pycache__"]
        for name in files:
            if name.endswith(CORPUS_EXTENSIONS):
                try:
                    total += os.path.getsize(os.path.join(directory, name))
                except OSError:
                    pass
    return total


def is_binary(path: str) -> bool:
    with open(path, "rb") as handle:
        return b"\0" in handle.read(8192)


def token_line(extension: str, token: str, n: int) -> bytes:
    contexts = [
        "Authorization: Bearer {t}",
        'token = "{t}"',
        '"access_token": "{t}"',
        "curl -H 'Authorization: Bearer {t}' https://api.example.com/v1/me",
    ]
    line = contexts[n % len(contexts)].format(t=token)
    if extension in (".py", ".pyi"):
        line = "# " + line
    return (line + "\n").encode()


def build_corpus(out: str, params: dict) -> dict:
    sources, _ = corpus_sources(params["corpus_bytes"])
    if not sources:
        sys.exit("workloads.py: no Python or Rust sources found for the corpus (looked in " + ", ".join(CORPUS_ROOTS) + ")")
    rng = random.Random(9)
    every, next_at, offset, inserted, total = params["token_every"], params["token_every"], 0, 0, 0
    for source, relative in sources:
        data = open(source, "rb").read()
        extension = os.path.splitext(source)[1]
        pieces, cut = [], 0
        # Insert after the line that crosses each 64 KB mark of the whole corpus.
        while offset + len(data) >= next_at:
            at = data.find(b"\n", max(cut, next_at - offset))
            at = len(data) if at < 0 else at + 1
            pieces.append(data[cut:at])
            if at == len(data) and not data.endswith(b"\n"):
                pieces.append(b"\n")
            # Tokens issued during 2025: expired at --now, so each one yields a finding.
            issued = NOW - 86400 * rng.randint(30, 360)
            pieces.append(token_line(extension, hs256(rng, inserted, issued, 3600), inserted))
            inserted += 1
            cut = at
            next_at += every
        pieces.append(data[cut:])
        target = os.path.join(out, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        text = b"".join(pieces)
        with open(target, "wb") as handle:
            handle.write(text)
        offset += len(data)
        total += len(text)
    roots = sorted({relative.split(os.sep)[0] for _, relative in sources})
    return {"files": len(sources), "bytes": total, "tokens": inserted, "source_roots": roots}


# --- access logs ----------------------------------------------------------------------------

PATHS = ["/api/v1/orders", "/api/v1/users/me", "/api/v2/invoices", "/oauth/callback", "/graphql", "/static/app.js",
         "/api/v1/cart/items", "/healthz", "/api/v1/search", "/login"]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "okhttp/4.12.0",
    "python-requests/2.32.3",
    "curl/8.5.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def clf_time(seconds: int) -> str:
    import time

    t = time.gmtime(seconds)
    return f"{t.tm_mday:02d}/{MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"


def log_line(rng: random.Random, at: int, token: str | None) -> str:
    """nginx `combined` plus `"$http_authorization"`; a token sits in one of the quoted fields."""
    ip = f"{rng.choice([10, 172, 192, 203])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    path = rng.choice(PATHS)
    query = f"?page={rng.randint(1, 40)}&limit=50" if rng.random() < 0.4 else ""
    referer = f"https://app.example.com{rng.choice(PATHS)}"
    authorization = "-"
    if token is not None:
        where = rng.random()
        if where < 0.6:
            authorization = f"Bearer {token}"
        elif where < 0.85:
            query = f"?access_token={token}&page={rng.randint(1, 40)}"
        else:
            referer = f"https://app.example.com/oauth/callback?state={rng.getrandbits(48):012x}&id_token={token}"
    method = rng.choice(["GET", "GET", "GET", "POST", "PUT", "DELETE"])
    status = rng.choice([200, 200, 200, 201, 204, 301, 304, 401, 403, 404, 500])
    return (f'{ip} - - [{clf_time(at)}] "{method} {path}{query} HTTP/1.1" {status} {rng.randint(0, 90000)} '
            f'"{referer}" "{rng.choice(AGENTS)}" "{authorization}"\n')


def build_log(path: str, params: dict, index: int) -> dict:
    rng = random.Random(1000 + index)
    tokens, size, lines = params["log_tokens"], 0, []
    start = NOW - 86400 * (30 - index)  # one day of traffic in December 2025 per file
    for n in range(tokens):
        at = start + n * 86400 // tokens
        serial = index * 1_000_000 + n
        lines.append(log_line(rng, at, hs256(rng, serial, at - rng.randint(0, 3000), 3600)))
        size += len(lines[-1])
        # Requests without a token (static files, health checks) fill up to the size.
        while size < (n + 1) * params["log_bytes"] // tokens:
            lines.append(log_line(rng, at, None))
            size += len(lines[-1])
    with open(path, "w") as handle:
        handle.write("".join(lines))
    return {"bytes": size, "tokens": tokens, "lines": len(lines)}


# --- server documents -----------------------------------------------------------------------


def build_yaml(path: str, params: dict) -> dict:
    """A service registry: one client entry per token, with the fields such files carry."""
    rng = random.Random(5)
    tokens, size = params["yaml_tokens"], 0
    parts = ["# Generated service-client registry (jwt-lsp benchmark workload).\napiVersion: v1\nkind: ClientRegistry\nclients:\n"]
    for n in range(tokens):
        issued = NOW - rng.randint(0, 120) * 86400
        # Lifetimes from one hour to a year: some expired, some valid at --now.
        token = hs256(rng, 500_000 + n, issued, rng.choice([3600, 86400 * 30, 86400 * 365]))
        entry = (
            f"  - name: client-{n:05d}\n"
            f"    id: {hashlib.sha1(str(n).encode()).hexdigest()}\n"
            f"    environment: {rng.choice(['production', 'staging', 'dev'])}\n"
            f"    token: {token}\n"
            f"    scopes: [{', '.join(rng.sample(SCOPES, 2))}]\n"
            f"    owner: {rng.choice(FIRST)}@example.com\n"
        )
        parts.append(entry)
        size += len(entry)
        filler = 0
        while size < (n + 1) * params["yaml_bytes"] // tokens:
            line = f"    note{filler}: rotated by the {rng.choice(['platform', 'payments', 'search', 'identity'])} team\n"
            parts.append(line)
            size += len(line)
            filler += 1
    text = "".join(parts)
    with open(path, "w") as handle:
        handle.write(text)
    return {"bytes": len(text), "tokens": tokens, "lines": text.count("\n")}


JS_HEADER = """'use strict';

const express = require('express');
const jwt = require('jsonwebtoken');
const rateLimit = require('express-rate-limit');
const { Pool } = require('pg');

const app = express();
const router = express.Router();
const db = new Pool({ connectionString: process.env.DATABASE_URL });
const PUBLIC_KEY = process.env.JWT_PUBLIC_KEY;
const ISSUER = 'https://auth.example.com/';

app.use(express.json({ limit: '1mb' }));
app.use(rateLimit({ windowMs: 60 * 1000, max: 300 }));

function authenticate(req, res, next) {
  const header = req.headers.authorization || '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : null;
  if (!token) {
    return res.status(401).json({ error: 'missing token' });
  }
  try {
    req.user = jwt.verify(token, PUBLIC_KEY, { algorithms: ['RS256'], issuer: ISSUER, audience: 'api.example.com' });
    return next();
  } catch (err) {
    return res.status(401).json({ error: 'invalid token' });
  }
}

"""
JS_BLOCKS = [
    """router.get('/RESOURCE', authenticate, async (req, res, next) => {
  try {
    const limit = Math.min(Number(req.query.limit) || 50, 200);
    const offset = Number(req.query.offset) || 0;
    const { rows } = await db.query('SELECT * FROM RESOURCE WHERE owner_id = $1 ORDER BY id LIMIT $2 OFFSET $3', [req.user.sub, limit, offset]);
    res.json({ items: rows, limit, offset });
  } catch (err) {
    next(err);
  }
});

""",
    """router.get('/RESOURCE/:id', authenticate, async (req, res, next) => {
  const id = Number(req.params.id);
  if (!Number.isInteger(id)) {
    return res.status(400).json({ error: 'bad id' });
  }
  try {
    const { rows } = await db.query('SELECT * FROM RESOURCE WHERE id = $1 AND owner_id = $2', [id, req.user.sub]);
    if (rows.length === 0) {
      return res.status(404).json({ error: 'not found' });
    }
    return res.json(rows[0]);
  } catch (err) {
    return next(err);
  }
});

""",
    """router.post('/RESOURCE', authenticate, async (req, res, next) => {
  const { name, quantity = 1, note = '' } = req.body || {};
  if (typeof name !== 'string' || name.length === 0) {
    return res.status(422).json({ error: 'name is required' });
  }
  try {
    const { rows } = await db.query(
      'INSERT INTO RESOURCE (owner_id, name, quantity, note) VALUES ($1, $2, $3, $4) RETURNING *',
      [req.user.sub, name, quantity, note],
    );
    return res.status(201).json(rows[0]);
  } catch (err) {
    return next(err);
  }
});

""",
    """router.post('/RESOURCE/share', authenticate, (req, res) => {
  const { id, ttl = '15m' } = req.body || {};
  const link = jwt.sign({ sub: req.user.sub, resource: 'RESOURCE', id }, process.env.SHARE_SECRET, {
    algorithm: 'HS256',
    expiresIn: ttl,
    issuer: ISSUER,
  });
  res.json({ url: `https://app.example.com/shared/RESOURCE?token=${link}` });
});

router.get('/shared/RESOURCE', async (req, res) => {
  try {
    const claims = jwt.verify(String(req.query.token), process.env.SHARE_SECRET, { algorithms: ['HS256'], issuer: ISSUER });
    const { rows } = await db.query('SELECT * FROM RESOURCE WHERE id = $1', [claims.id]);
    res.json(rows[0] || null);
  } catch (err) {
    res.status(403).json({ error: 'link expired or invalid' });
  }
});

""",
    """function summariseRESOURCE(rows) {
  const byDay = new Map();
  for (const row of rows) {
    const day = new Date(row.created_at).toISOString().slice(0, 10);
    const entry = byDay.get(day) || { count: 0, total: 0 };
    entry.count += 1;
    entry.total += Number(row.amount || 0);
    byDay.set(day, entry);
  }
  return [...byDay.entries()].map(([day, { count, total }]) => ({ day, count, total }));
}

router.get('/RESOURCE/summary', authenticate, async (req, res, next) => {
  try {
    const { rows } = await db.query('SELECT created_at, amount FROM RESOURCE WHERE owner_id = $1', [req.user.sub]);
    res.json(summariseRESOURCE(rows));
  } catch (err) {
    next(err);
  }
});

""",
]
RESOURCES = "orders invoices users carts payments refunds shipments products reviews coupons sessions reports".split()
JS_FOOTER = """app.use('/api', router);

app.use((err, req, res, next) => {
  console.error(err);
  res.status(500).json({ error: 'internal error' });
});

module.exports = app;
"""


def build_js(path: str, params: dict) -> dict:
    body, n, lines = [JS_HEADER], 0, JS_HEADER.count("\n")
    footer_lines = JS_FOOTER.count("\n")
    while True:
        block = JS_BLOCKS[n % len(JS_BLOCKS)].replace("RESOURCE", f"{RESOURCES[n % len(RESOURCES)]}{n // len(RESOURCES)}")
        if lines + block.count("\n") + footer_lines > params["js_lines"]:
            break
        body.append(block)
        lines += block.count("\n")
        n += 1
    body.append("\n" * (params["js_lines"] - lines - footer_lines))
    body.append(JS_FOOTER)
    text = "".join(body)
    with open(path, "w") as handle:
        handle.write(text)
    return {"bytes": len(text), "lines": text.count("\n")}


# --- driver ---------------------------------------------------------------------------------


def cached(directory: str, key: dict, build) -> dict:
    """Runs `build(directory)` unless DIR/manifest.json records the same key (parameters + version)."""
    manifest = os.path.join(directory, "manifest.json")
    if os.path.exists(manifest):
        recorded = json.load(open(manifest))
        if recorded.get("key") == key:
            return recorded["built"]
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    built = build(directory)
    with open(manifest, "w") as handle:
        json.dump({"key": key, "built": built}, handle, indent=1)
    return built


# Bump when a generator changes, so cached workloads are rebuilt.
VERSION = 1


def main() -> None:
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    if len(args) != 1:
        sys.exit(__doc__)
    short = "--short" in sys.argv
    params = SHORT if short else FULL
    out = os.path.join(args[0], "short" if short else "full")
    os.makedirs(out, exist_ok=True)
    corpus = cached(os.path.join(out, "corpus"), {"v": VERSION, "bytes": params["corpus_bytes"], "every": params["token_every"]},
                    lambda d: build_corpus(os.path.join(d, "tree"), params))

    def logs(directory):
        return [build_log(os.path.join(directory, f"access-{i + 1}.log"), params, i) for i in range(params["log_files"])]

    log_key = {"v": VERSION, **{k: params[k] for k in ("log_bytes", "log_tokens", "log_files")}}
    built_logs = cached(os.path.join(out, "logs"), log_key, logs)

    def server(directory):
        return {"yaml": build_yaml(os.path.join(directory, "registry.yaml"), params),
                "js": build_js(os.path.join(directory, "app.js"), params)}

    server_key = {"v": VERSION, **{k: params[k] for k in ("yaml_bytes", "yaml_tokens", "js_lines")}}
    built_server = cached(os.path.join(out, "server"), server_key, server)
    summary = {"dir": out, "corpus": corpus, "logs": built_logs, "server": built_server}
    with open(os.path.join(out, "workloads.json"), "w") as handle:
        json.dump(summary, handle, indent=1)
    print(json.dumps({"corpus": corpus, "logs": len(built_logs), "server": built_server}))


if __name__ == "__main__":
    main()
