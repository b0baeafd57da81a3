#!/usr/bin/env python3
"""Mint test tokens for fixtures (stdlib only; HS* signatures are real, others are filler).

    scripts/mint.py '{"alg":"HS256"}' '{"sub":"alice","exp":1767225600}' [secret]

A secret of the form `@path/to/private.pem` signs RS*/PS*/ES* for real (needs `cryptography`).
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
    elif secret.startswith("@") and alg[:2] in ("RS", "PS", "ES"):
        signature = sign_with_key(alg, secret[1:], signing_input.encode())
    else:
        length = {"ES256": 64, "ES384": 96, "ES512": 132, "EdDSA": 64}.get(alg, 256)
        signature = hashlib.shake_256(signing_input.encode()).digest(length)
    return f"{signing_input}.{b64(signature)}"

def sign_with_key(alg: str, pem_path: str, data: bytes) -> bytes:
    """Real RS/PS/ES signatures with a private PEM key (needs the `cryptography` package)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
    key = serialization.load_pem_private_key(open(pem_path, "rb").read(), password=None)
    digest = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}[alg[2:]]
    if alg.startswith("RS"):
        return key.sign(data, padding.PKCS1v15(), digest)
    if alg.startswith("PS"):
        return key.sign(data, padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size), digest)
    r, s = utils.decode_dss_signature(key.sign(data, ec.ECDSA(digest)))
    size = (key.curve.key_size + 7) // 8
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")

if __name__ == "__main__":
    print(mint(*sys.argv[1:]))
