// The server's `workspace/executeCommand` commands and what the extension shows for their
// results. Pure: no `vscode` import (unit-tested in test/commands.test.ts).

export const SERVER_COMMANDS = {
  decode: 'jwt-lsp.decodeToken',
  explain: 'jwt-lsp.explainToken',
  refreshJwks: 'jwt-lsp.refreshJwks',
  verifierTokens: 'jwt-lsp.verifierTokens',
} as const;

/** One token a verifier receives, from `jwt-lsp.verifierTokens` (a code lens's command). */
export interface VerifierToken {
  uri: string;
  line: number;
  character: number;
  verdict: 'accepts' | 'rejects';
}

/**
 * The tokens in `jwt-lsp.verifierTokens`'s result (`[{uri, range, verdict}]`), rejected ones first:
 * the extension shows them as a references list at the verifier. Malformed entries are dropped.
 */
export function verifierTokens(result: unknown): VerifierToken[] {
  if (!Array.isArray(result)) return [];
  const out: VerifierToken[] = [];
  for (const entry of result) {
    const start = entry?.range?.start;
    if (typeof entry?.uri !== 'string' || typeof start?.line !== 'number' || typeof start?.character !== 'number') continue;
    out.push({ uri: entry.uri, line: start.line, character: start.character, verdict: entry.verdict === 'accepts' ? 'accepts' : 'rejects' });
  }
  return out.sort((a, b) => Number(a.verdict === 'accepts') - Number(b.verdict === 'accepts'));
}

/** `jwt-lsp.decodeToken`'s result (null when no token is at the position). */
export interface DecodeResult {
  form: 'JWS' | 'JWE' | string;
  header: Record<string, unknown>;
  payload: Record<string, unknown> | null;
  text?: string;
}

export interface PositionArgs {
  uri: string;
  position: { line: number; character: number };
}

/** Arguments of `jwt-lsp.decodeToken` / `jwt-lsp.explainToken`. */
export function positionArguments(uri: string, line: number, character: number): [PositionArgs] {
  return [{ uri, position: { line, character } }];
}

/** True when the server advertised `command` in `executeCommandProvider.commands`. */
export function serverSupports(capabilities: { executeCommandProvider?: { commands?: string[] } } | undefined, command: string): boolean {
  return !!capabilities?.executeCommandProvider?.commands?.includes(command);
}

export function unsupportedMessage(command: string, serverVersion: string | undefined): string {
  return `This jwt-lsp${serverVersion ? ` (${serverVersion})` : ''} does not provide "${command}". ` +
    'Update the server (or "jwtLsp.server.path"), then run "JWT: Restart server".';
}

function isDecodeResult(value: unknown): value is DecodeResult {
  return !!value && typeof value === 'object' && typeof (value as DecodeResult).header === 'object' && (value as DecodeResult).header !== null;
}

/**
 * The read-only JSON document for a decoded token: `form`, `header` and `payload` (an encrypted
 * JWE's payload is `null`). The token itself is never part of it.
 */
export function decodedDocument(result: unknown): string | undefined {
  if (!isDecodeResult(result)) return undefined;
  const doc: Record<string, unknown> = { form: result.form, header: result.header, payload: result.payload ?? null };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** The text of `jwt-lsp.explainToken`'s result (`{text}`), if any. */
export function explainText(result: unknown): string | undefined {
  if (result && typeof result === 'object' && typeof (result as { text?: unknown }).text === 'string') {
    return (result as { text: string }).text;
  }
  return undefined;
}
