"""A Flask API with the verification mistakes jwt-lsp reports."""
import jwt
from flask import Flask, request
from jose import jwt as jose_jwt

app = Flask(__name__)
app.config["JWT_SECRET_KEY"] = "super-secret"  # hardcoded-secret (error)


@app.get("/me")
def me():
    # verify-bearer-prefix, verify-missing-algorithms (PyJWT 2 raises DecodeError without them)
    return jwt.decode(request.headers["Authorization"], app.config["JWT_SECRET_KEY"], audience="api", issuer="iss")


@app.get("/legacy")
def legacy():
    # python-jose without algorithms accepts any alg (error); the token picks its own algorithm
    header = jwt.get_unverified_header(request.cookies["session"])
    jose_jwt.decode(request.cookies["session"], PUBLIC_KEY, audience="api", issuer="iss")
    # verify-alg-from-token
    return jwt.decode(request.cookies["session"], PUBLIC_KEY, algorithms=[header["alg"]], audience="api", issuer="iss")


@app.get("/peek")
def peek():
    # decode-without-verify, and PyJWT then also skips exp/aud/iss
    return jwt.decode(request.cookies["session"], options={"verify_signature": False})
