// Hot reload of the workspace's `clysm` system into the running SBCL image: what a reload did,
// said once for the output channel, the protocol and the CLI. The driver decides which forms
// changed (server/lisp/driver.lisp, op `reload`); the backend decides where to apply them.
import { createHash } from 'node:crypto';
import type { ReloadedMessage, ReloadErrorEntry } from './driverProtocol';

/** A changed form that could not be applied; the image keeps its previous definition. */
export interface ReloadError {
  /** Absolute path of the file. */
  file: string;
  /** Character offsets of the form (to the end of the file for a form that does not read). */
  start: number;
  end: number;
  message: string;
  condition?: string;
  name?: string;
}

export interface ReloadOutcome {
  /** `incremental`: changed forms evaluated in place; `full`: a fresh image loaded the system. */
  mode: 'incremental' | 'full';
  /** Why a full reload was needed, or how it went. */
  reason?: string;
  files: string[];
  /** Forms evaluated in place (incremental only). */
  forms: number;
  errors: ReloadError[];
  removed: string[];
  /** Names of the definitions evaluated in place (what the change was, for the delta). */
  names: string[];
  /** The image runs on the last good saved core because the sources do not load. */
  fromLastGoodCore: boolean;
  ms: number;
}

function toReloadError(entry: ReloadErrorEntry): ReloadError {
  return { file: entry.path, start: entry.start, end: entry.end, message: entry.message, condition: entry.condition, name: entry.name };
}

/** The outcome of an in-place reload, from the driver's reply. */
export function incrementalOutcome(reply: ReloadedMessage, fromLastGoodCore = false): ReloadOutcome {
  return {
    mode: 'incremental',
    files: reply.files,
    forms: reply.forms ?? 0,
    errors: (reply.errors ?? []).map(toReloadError),
    removed: reply.removed ?? [],
    names: reply.names ?? [],
    fromLastGoodCore,
    ms: reply.ms,
  };
}

/** One line for the output channel: which path was taken and why. */
export function describeReload(outcome: ReloadOutcome): string {
  const names = outcome.files.map((file) => file.split(/[\\/]/).pop()).join(', ');
  const how =
    outcome.mode === 'incremental'
      ? `incremental reload of ${names}: ${outcome.forms} changed form(s) evaluated in place`
      : `full reload (${outcome.reason ?? 'requested'})`;
  const core = outcome.fromLastGoodCore ? '; the sources do not load, so the image runs on the last good saved core with what could be applied' : '';
  const removed = outcome.removed.length > 0 ? `; removed ${outcome.removed.join(', ')}` : '';
  const errors = outcome.errors.length > 0 ? `; ${outcome.errors.length} form(s) not applied (reload-error)` : '';
  return `[sbcl] ${how}${removed}${errors}${core} in ${Math.round(outcome.ms)} ms`;
}

/**
 * The reload errors still in force, per file: a file's errors are replaced each time that file
 * is reloaded (its failed forms are tried again then); a full load from sources clears them all.
 */
export class ReloadErrors {
  private readonly byFile = new Map<string, ReloadError[]>();

  record(outcome: ReloadOutcome): void {
    if (outcome.mode === 'full' && !outcome.fromLastGoodCore) this.byFile.clear();
    for (const file of outcome.files) this.byFile.delete(file);
    for (const error of outcome.errors) this.byFile.set(error.file, [...(this.byFile.get(error.file) ?? []), error]);
  }

  clear(): void {
    this.byFile.clear();
  }

  all(): ReloadError[] {
    return [...this.byFile.values()].flat();
  }

  /**
   * A fingerprint of what the image lacks compared with the sources on disk: part of the
   * compiler generation, so results computed while a form is broken are not taken for
   * results of the sources as saved.
   */
  fingerprint(): string {
    const all = this.all();
    if (all.length === 0) return '';
    const hash = createHash('sha256');
    for (const error of all) hash.update(`${error.file}\0${error.start}\0${error.message}\0`);
    return hash.digest('hex').slice(0, 12);
  }
}
