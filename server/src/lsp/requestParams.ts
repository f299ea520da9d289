// The parameters of document requests, checked before use. A malformed URI or position is the
// client's mistake: it gets InvalidParams with a short message, never an internal error with
// a stack's wording, and a position outside the document never falls back to its first form.
import { fileURLToPath } from 'node:url';
import { ErrorCodes, ResponseError } from 'vscode-languageserver';

export interface Position {
  line: number;
  character: number;
}

const SHOWN_CHARS = 80;

/** A value quoted in a message, cut so that a huge parameter cannot make a huge answer. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}… (${text.length} characters)` : text;
}

function invalid(message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, message);
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

/** `params.textDocument.uri`, a string; InvalidParams otherwise. */
export function textDocumentUri(params: unknown): string {
  const uri = field(field(params, 'textDocument'), 'uri');
  if (typeof uri !== 'string' || uri.length === 0) throw invalid(`textDocument.uri must be a non-empty string, not ${shown(uri)}`);
  return uri;
}

/** `params.position`: non-negative integers (LSP uinteger); InvalidParams otherwise. */
export function requestPosition(params: unknown): Position {
  const position = field(params, 'position');
  const line = field(position, 'line');
  const character = field(position, 'character');
  const uinteger = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!uinteger(line) || !uinteger(character)) {
    throw invalid(`position must have a line and a character that are integers ≥ 0, not ${shown(position === undefined ? undefined : JSON.stringify(position))}`);
  }
  return { line, character };
}

/**
 * The file-system path of a `file:` URI; undefined for another scheme (untitled:, git:, …).
 * Throws InvalidParams for a URI that cannot be parsed.
 */
export function filePathOf(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalid(`not a URI: ${shown(uri)}`);
  }
  if (url.protocol !== 'file:') return undefined;
  try {
    return fileURLToPath(url);
  } catch (error) {
    throw invalid(`not a file URI of this machine: ${shown(uri)} (${(error as Error).message})`);
  }
}
