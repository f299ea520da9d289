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
function reloadErrorRange({ range, condition }: ReloadError): Range {
  if (condition !== 'READER-ERROR' || range.end.line === range.start.line) return range;
  return { start: range.start, end: { line: range.start.line + 1, character: 0 } };
}

/** The errors at their ranges in the file as the driver read it (the saved file, open or not). */
export function reloadDiagnostics(errors: readonly ReloadError[]): ReloadDiagnostic[] {
  return errors.map((error) => ({
    range: reloadErrorRange(error),
    severity: 1,
    code: 'reload-error',
    source: 'clysm',
    message: `Not applied to the running compiler (it keeps the previous definition): ${error.message}`,
  }));
}
