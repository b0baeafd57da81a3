// An Express API with the verification mistakes jwt-lsp reports (run `jwt-lsp check examples/`).
const express = require('express');
const jwt = require('jsonwebtoken');
const { expressjwt } = require('express-jwt');

const app = express();
const SECRET = 'shhhhh'; // hardcoded-secret (error: a published default)

// verify-missing-algorithms, verify-bearer-prefix, verify-missing-audience/issuer
app.get('/me', (req, res) => {
  const claims = jwt.verify(req.headers.authorization, SECRET);
  res.json(claims);
});

// verify-allows-none, verify-expiry-disabled, verify-large-leeway
const lenient = { algorithms: ['HS256', 'none'], ignoreExpiration: true, clockTolerance: 3600, audience: 'api', issuer: 'https://issuer.example' };
app.get('/legacy', (req, res) => res.json(jwt.verify(req.cookies.session, process.env.JWT_SECRET, lenient)));

// decode-without-verify: claims trusted without a signature check
app.get('/role', (req, res) => res.send(jwt.decode(req.cookies.session).role));

// verify-mixed-algorithms: HS256 next to RS256 (key confusion)
app.use('/admin', expressjwt({ secret: process.env.JWT_PUBLIC_KEY, algorithms: ['RS256', 'HS256'], audience: 'api', issuer: 'https://issuer.example' }));

// Correct: pinned algorithm, audience, issuer.
app.get('/ok', (req, res) => {
  const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
  res.json(jwt.verify(token, process.env.JWT_PUBLIC_KEY, { algorithms: ['RS256'], audience: 'api', issuer: 'https://issuer.example' }));
});
