#!/usr/bin/env python3
"""Mint test tokens for fixtures (stdlib only; HS* signatures are real, others are filler).

    scripts/mint.py '{"alg":"HS256"}' '{"sub":"alice","exp":1767225600}' [secret]

Prints header.payload.signature. The header and payload are used byte for byte, so key order and
whitespace (pretty-printed headers) are preserved. Fixture tokens in tests/ were made with it.
"""
import base64, hashlib, hmac, json, sys

def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

def mint(header: str, payload: str, secret: str = "secret") -> str:
    alg = json.loads(header).get("alg", "")
    signing_input = f"{b64(header.encode())}.{b64(payload.encode())}"
    if alg in ("HS256", "HS384", "HS512"):
        digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
        signature = hmac.new(secret.encode(), signing_input.encode(), digest).digest()
    elif str(alg).lower() == "none":
        signature = b""
    else:
        length = {"ES256": 64, "ES384": 96, "ES512": 132, "EdDSA": 64}.get(alg, 256)
        signature = hashlib.shake_256(signing_input.encode()).digest(length)
    return f"{signing_input}.{b64(signature)}"

if __name__ == "__main__":
    print(mint(*sys.argv[1:]))
