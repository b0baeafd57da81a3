// The server's `workspace/executeCommand` commands and what the extension shows for their
// results. Pure: no `vscode` import (unit-tested in test/commands.test.ts).

export const SERVER_COMMANDS = {
  decode: 'jwt-lsp.decodeToken',
  explain: 'jwt-lsp.explainToken',
  refreshJwks: 'jwt-lsp.refreshJwks',
} as const;

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
