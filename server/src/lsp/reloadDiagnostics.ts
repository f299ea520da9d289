// Changed compiler forms that the backend's image could not take (hot reload), as Error
// diagnostics with the category `reload-error` and SBCL's message.
import type { ReloadError } from '../backends/sbcl/hotReload';
import type { Range } from '../types';

export interface ReloadDiagnostic {
  range: Range;
  severity: 1;
  code: 'reload-error';
  source: 'clysm';
  message: string;
}

/**
 * The range to underline. A form that does not read runs, for SBCL, to the end of the file (an
 * unclosed parenthesis); underlining thousands of lines hides where the form starts, so only
 * its first line is marked.
 */
function reloadErrorRange(error: ReloadError, positionAt: (offset: number) => Range['start']): Range {
  const start = positionAt(error.start);
  const end = positionAt(error.end);
  if (error.condition !== 'READER-ERROR' || end.line === start.line) return { start, end };
  return { start, end: { line: start.line + 1, character: 0 } };
}

/** `positionAt` maps a UTF-16 offset of the file (ReloadError's) to a position in the document. */
export function reloadDiagnostics(errors: readonly ReloadError[], positionAt: (offset: number) => Range['start']): ReloadDiagnostic[] {
  return errors.map((error) => ({
    range: reloadErrorRange(error, positionAt),
    severity: 1,
    code: 'reload-error',
    source: 'clysm',
    message: `Not applied to the running compiler (it keeps the previous definition): ${error.message}`,
  }));
}
