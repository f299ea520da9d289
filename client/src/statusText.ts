// The status bar item's text for a server status: pure, so each state is unit-tested.
import type { ServerStatus } from '../../server/src/protocol';

export interface StatusText {
  text: string;
  /** Shown on the warning background: the results cannot be trusted. */
  warning: boolean;
  /** The compiler is still loading (SBCL loading Clysm, Stage 0 instantiating): there are no fresh results. */
  loading: boolean;
}

/** "41.2% · 17/41": coverage and compiled / (total − skipped), as everywhere else. */
export function coverageText(summary: ServerStatus['summary']): string {
  return `${summary.coveragePct.toFixed(1)}% · ${summary.compiled}/${summary.total - summary.skipped}`;
}

/** @param folderName the folder the status is of, named when several folders are analysed. */
export function statusBarText(status: ServerStatus, folderName?: string): StatusText {
  const clysm = folderName ? `Clysm (${folderName})` : 'Clysm';
  const s = status.summary;
  const state = status.status.state;
  if (state === 'error' || state === 'stub') {
    return { text: `$(warning) ${clysm}: ${state === 'stub' ? 'Stage 0 is a stub' : 'backend error'}`, warning: true, loading: false };
  }
  if (state === 'starting') {
    // Zero counts here would read as "nothing compiles": say what is going on, with the last known coverage.
    const last = status.restoredResults && s.total > 0 ? ` (last ${s.coveragePct.toFixed(1)}%)` : '';
    return { text: `$(sync~spin) ${clysm}: loading compiler…${last}`, warning: false, loading: true };
  }
  if (status.busy && s.total === 0) {
    return { text: `$(sync~spin) ${clysm}: checking modules…`, warning: false, loading: false };
  }
  const icon = status.busy ? '$(sync~spin)' : '$(pulse)';
  return { text: `${icon} ${clysm} ${coverageText(s)}`, warning: false, loading: false };
}
