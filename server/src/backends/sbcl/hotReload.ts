// Hot reload of the workspace's `clysm` system into the running SBCL image: what a reload did,
// said once for the output channel, the protocol and the CLI. The driver decides which forms
// changed (server/lisp/driver.lisp, op `reload`); the backend decides where to apply them.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { LineIndex } from '../../reader/lineIndex';
import type { Range } from '../../types';
import type { ReloadedMessage, ReloadErrorEntry } from './driverProtocol';

/** A changed form that could not be applied; the image keeps its previous definition. */
export interface ReloadError {
  /** Absolute path of the file. */
  file: string;
  /**
   * Offsets of the form in UTF-16 code units, as the editor and the reader's LineIndex count
   * (to the end of the file for a form that does not read). The driver counts characters.
   */
  start: number;
  end: number;
  /** The same place as a range of the file as the driver read it (at its top when the file is gone). */
  range: Range;
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

/** `text` holds characters outside the Basic Multilingual Plane (two UTF-16 code units each). */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The UTF-16 offset of the character offset `characters` into `text`: SBCL counts characters
 * (code points), the editor counts UTF-16 code units, and they differ after each character
 * outside the BMP (an emoji in a comment or a string). Clamped to the text.
 */
export function utf16Offset(text: string, characters: number): number {
  if (!SURROGATE.test(text)) return Math.max(0, Math.min(characters, text.length));
  let offset = 0;
  for (let seen = 0; seen < characters && offset < text.length; seen++) {
    const code = text.codePointAt(offset) ?? 0;
    offset += code > 0xffff ? 2 : 1;
  }
  return offset;
}

/** The file as the driver read it, or undefined when it is gone (its offsets are kept then). */
function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

const TOP_OF_FILE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * The driver's error entries with their offsets in UTF-16 code units and their ranges: each
 * file is read once, here, so that no later reader of the errors reads it again.
 */
function toReloadErrors(entries: readonly ReloadErrorEntry[], textOf: (file: string) => string | undefined): ReloadError[] {
  const files = new Map<string, { text: string; lines: LineIndex } | undefined>();
  return entries.map((entry) => {
    if (!files.has(entry.path)) {
      const text = textOf(entry.path);
      files.set(entry.path, text === undefined ? undefined : { text, lines: new LineIndex(text) });
    }
    const file = files.get(entry.path);
    const start = file ? utf16Offset(file.text, entry.start) : entry.start;
    const end = file ? utf16Offset(file.text, entry.end) : entry.end;
    const range = file ? { start: file.lines.positionAt(start), end: file.lines.positionAt(end) } : TOP_OF_FILE;
    return { file: entry.path, start, end, range, message: entry.message, condition: entry.condition, name: entry.name };
  });
}

/**
 * The outcome of an in-place reload, from the driver's reply. `textOf` reads a changed file
 * (the disk, by default: the driver has just read it from there).
 */
export function incrementalOutcome(reply: ReloadedMessage, fromLastGoodCore = false, textOf: (file: string) => string | undefined = readText): ReloadOutcome {
  return {
    mode: 'incremental',
    files: reply.files,
    forms: reply.forms ?? 0,
    errors: toReloadErrors(reply.errors ?? [], textOf),
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
