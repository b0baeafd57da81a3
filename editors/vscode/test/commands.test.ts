import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decodedDocument, explainText, positionArguments, serverSupports, unsupportedMessage, verifierTokens } from '../src/commands';

test('decodeToken arguments are [{uri, position}]', () => {
  assert.deepEqual(positionArguments('file:///ws/a.env', 3, 14), [{ uri: 'file:///ws/a.env', position: { line: 3, character: 14 } }]);
});

test('the decoded document holds form, header and payload as pretty JSON, never the plain report', () => {
  const text = decodedDocument({ form: 'JWS', header: { alg: 'HS256' }, payload: { sub: 'alice' }, text: 'report' });
  assert.equal(text, '{\n  "form": "JWS",\n  "header": {\n    "alg": "HS256"\n  },\n  "payload": {\n    "sub": "alice"\n  }\n}\n');
  assert.deepEqual(JSON.parse(decodedDocument({ form: 'JWE', header: { alg: 'dir', enc: 'A256GCM' }, payload: null })!),
    { form: 'JWE', header: { alg: 'dir', enc: 'A256GCM' }, payload: null });
  assert.equal(decodedDocument(null), undefined);
  assert.equal(decodedDocument({ text: 'x' }), undefined);
});

test('explainText reads {text}', () => {
  assert.equal(explainText({ text: '1. …' }), '1. …');
  assert.equal(explainText({}), undefined);
  assert.equal(explainText(null), undefined);
});

test('serverSupports reads executeCommandProvider.commands', () => {
  assert.equal(serverSupports({ executeCommandProvider: { commands: ['jwt-lsp.decodeToken'] } }, 'jwt-lsp.decodeToken'), true);
  assert.equal(serverSupports({ executeCommandProvider: { commands: [] } }, 'jwt-lsp.decodeToken'), false);
  assert.equal(serverSupports({}, 'jwt-lsp.decodeToken'), false);
  assert.equal(serverSupports(undefined, 'jwt-lsp.decodeToken'), false);
  assert.match(unsupportedMessage('jwt-lsp.explainToken', '0.1.0'), /0\.1\.0.*jwt-lsp\.explainToken.*Restart/);
});

test('verifierTokens reads the lens command result, rejected tokens first, malformed entries dropped', () => {
  const at = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 0 } });
  const result = [
    { uri: 'file:///ws/a/tokens.txt', range: at(1), verdict: 'accepts' },
    { uri: 'file:///ws/b/tokens.txt', range: at(4), verdict: 'rejects' },
    { uri: 42, range: at(2), verdict: 'rejects' },
    { uri: 'file:///ws/c.txt', verdict: 'rejects' },
  ];
  assert.deepEqual(verifierTokens(result), [
    { uri: 'file:///ws/b/tokens.txt', line: 4, character: 0, verdict: 'rejects' },
    { uri: 'file:///ws/a/tokens.txt', line: 1, character: 0, verdict: 'accepts' },
  ]);
  assert.deepEqual(verifierTokens(null), []);
  assert.deepEqual(verifierTokens({}), []);
});
