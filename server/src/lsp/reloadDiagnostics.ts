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

/** `positionAt` maps a UTF-16 offset of the file (ReloadError's) to a position in the document. */
export function reloadDiagnostics(errors: readonly ReloadError[], positionAt: (offset: number) => Range['start']): ReloadDiagnostic[] {
  return errors.map((error) => ({
    range: { start: positionAt(error.start), end: positionAt(error.end) },
    severity: 1,
    code: 'reload-error',
    source: 'clysm',
    message: `Not applied to the running compiler (it keeps the previous definition): ${error.message}`,
  }));
}
