// Splits a document into its top-level data, numbered exactly as Clysm numbers forms, with
// ranges, head operator, defined name and current package; plus the list heads inside a form.

import type { InnerOperator, TopLevelForm } from '../types';
import {
  DATUM_FUNCTION,
  DATUM_LIST,
  DATUM_QUASIQUOTE,
  DATUM_QUOTE,
  DatumReader,
  READ_DATUM,
  READ_HARD_ERROR,
  READ_NOTHING,
  READ_STRAY_CLOSE,
  isConsType,
} from './datumReader';
import { type Datum, type ReaderOptions, createReader, datumName, nextDatum } from './datum';
import { LineIndex } from './lineIndex';
import { CHAR_LPAREN, findColumnZeroOpenParen, isWhitespace } from './scanner';
import { isNumberToken, symbolName } from './symbols';

export const DEFAULT_PACKAGE = 'CL-USER';

/**
 * Every top-level datum of `text`, in order. Never throws: text that cannot be read becomes a
 * `read-error` item and reading resumes after it (a broken form is cut before the next `(` in
 * column 0, the usual Lisp layout), so the forms around it are still returned.
 */
export function readTopLevelForms(text: string, options: ReaderOptions = {}): TopLevelForm[] {
  const reader = createReader(text, options);
  const lines = new LineIndex(text);
  const forms: TopLevelForm[] = [];
  const length = text.length;
  let packageName = DEFAULT_PACKAGE;
  let pos = 0;
  const push = (kind: TopLevelForm['kind'], start: number, end: number, details: Partial<TopLevelForm>): void => {
    forms.push({
      index: forms.length,
      kind,
      range: lines.rangeOf(start, end),
      start,
      end,
      text: text.slice(start, end),
      package: packageName,
      ...details,
    });
  };

  const recovery = new Recovery();

  while (pos < length) {
    const knownBrokenUntil = recovery.cutAfterKnownBroken(pos);
    if (knownBrokenUntil > pos) {
      const broken = readBrokenPiece(reader, text, pos, knownBrokenUntil, 'read error');
      push('read-error', broken.start, broken.end, { error: broken.error });
      pos = knownBrokenUntil;
      continue;
    }
    const status = reader.readOne(pos, length);
    if (status === READ_NOTHING) break;
    if (status === READ_HARD_ERROR) {
      const broken = recoverBrokenForm(reader, text, recovery);
      push('read-error', broken.start, broken.end, { error: broken.error });
      pos = broken.resumeAt;
      continue;
    }
    const start = reader.start;
    const end = reader.end;
    if (status === READ_STRAY_CLOSE || reader.error !== undefined) {
      push('read-error', start, end, { error: reader.error ?? 'read error' });
      pos = end;
      continue;
    }
    const description = describeDatum(reader, text, reader.type, reader.coreStart, end);
    push(description.isCons ? 'list' : 'atom', start, end, {
      ...(description.operator !== undefined && { operator: description.operator }),
      ...(description.name !== undefined && { name: description.name }),
    });
    if (description.inPackage !== undefined) packageName = description.inPackage;
    pos = end;
  }
  return forms;
}

interface BrokenForm {
  start: number;
  end: number;
  error: string;
  resumeAt: number;
}

/**
 * What a failed read taught us about the text after it, so that a run of broken forms costs
 * one pass instead of one pass each: the column-0 `(` it met (the cut points) and which of
 * them start lists that never close (a fresh read from those fails the same way).
 */
class Recovery {
  private cuts: number[] = [];
  private readonly knownBroken = new Set<number>();

  learn(reader: DatumReader): void {
    this.cuts = reader.columnZeroOpens.slice();
    for (const offset of reader.unclosedColumnZeroOpens) this.knownBroken.add(offset);
  }

  /** When a read from `pos` is known to fail: the next cut point after it (else -1). */
  cutAfterKnownBroken(pos: number): number {
    if (!this.knownBroken.has(pos)) return -1;
    this.knownBroken.delete(pos);
    return this.firstCutAfter(pos);
  }

  firstCutAfter(pos: number): number {
    const cuts = this.cuts;
    let low = 0;
    let high = cuts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cuts[mid] <= pos) low = mid + 1;
      else high = mid;
    }
    return low < cuts.length ? cuts[low] : -1;
  }
}

/**
 * After input ended inside a construct: cut the broken form at the first `(` in column 0 that
 * the reader met inside it (or, failing that, anywhere after its start, e.g. inside a runaway
 * string), and resume there.
 */
function recoverBrokenForm(reader: DatumReader, text: string, recovery: Recovery): BrokenForm {
  const start = reader.start;
  const firstError = reader.error ?? 'read error';
  const failedEnd = reader.end;
  recovery.learn(reader);
  let cut = recovery.firstCutAfter(start);
  if (cut < 0) cut = findColumnZeroOpenParen(text, start + 1, text.length);
  if (cut <= start) return { start, end: failedEnd, error: firstError, resumeAt: text.length };
  return readBrokenPiece(reader, text, start, cut, firstError);
}

/** Re-reads a broken piece up to its cut, which gives the piece's own error and extent. */
function readBrokenPiece(reader: DatumReader, text: string, start: number, cut: number, fallbackError: string): BrokenForm {
  if (reader.readOne(start, cut) === READ_HARD_ERROR && reader.end > reader.start && reader.end <= cut) {
    return { start: reader.start, end: reader.end, error: reader.error ?? fallbackError, resumeAt: cut };
  }
  return { start, end: trimEnd(text, start, cut), error: fallbackError, resumeAt: cut };
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start + 1 && isWhitespace(text.charCodeAt(end - 1))) end--;
  return end;
}

interface DatumDescription {
  isCons: boolean;
  operator?: string;
  name?: string;
  /** For `(in-package X)`: the package designator X, as a name. */
  inPackage?: string;
}

/** Operator, defined name and in-package target of a top-level datum, read from its first elements. */
function describeDatum(reader: DatumReader, text: string, type: number, coreStart: number, end: number): DatumDescription {
  if (type === DATUM_QUOTE) return { isCons: true, operator: 'QUOTE' };
  if (type === DATUM_FUNCTION) return { isCons: true, operator: 'FUNCTION' };
  if (type === DATUM_QUASIQUOTE) return { isCons: true, operator: 'QUASIQUOTE' };
  if (type !== DATUM_LIST) return { isCons: isConsType(type) };
  const listEnd = end - 1; // the closing parenthesis
  const head = nextDatum(reader, text, coreStart + 1, listEnd);
  if (head === undefined) {
    // `()` is NIL, an atom; a list whose first element cannot be read has no operator.
    return { isCons: reader.readOne(coreStart + 1, listEnd) !== READ_NOTHING };
  }
  if (head.kind !== 'symbol') return { isCons: true };
  const operator = symbolName(text, head.coreStart, head.end);
  const description: DatumDescription = { isCons: true, operator };
  if (operator === 'IN-PACKAGE') {
    const designator = nextDatum(reader, text, head.end, listEnd);
    const target = designator === undefined ? undefined : datumName(text, designator);
    // An empty name (`""`, `||`, `#:`) names no package; Clysm only switches to packages that exist.
    if (target !== undefined && target !== '') description.inPackage = target;
  } else if (operator.startsWith('DEF')) {
    const second = nextDatum(reader, text, head.end, listEnd);
    if (second !== undefined) description.name = definedName(reader, text, second);
  }
  return description;
}

/** `foo` gives FOO, `(setf foo)` gives (SETF FOO), `(foo (:conc-name f-))` (defstruct) gives FOO. */
function definedName(reader: DatumReader, text: string, datum: Datum): string | undefined {
  if (datum.kind !== 'list') return datumName(text, datum);
  const first = nextDatum(reader, text, datum.coreStart + 1, datum.end - 1);
  if (first === undefined || first.kind !== 'symbol') return undefined;
  const firstName = symbolName(text, first.coreStart, first.end);
  if (firstName !== 'SETF') return firstName;
  const second = nextDatum(reader, text, first.end, datum.end - 1);
  const secondName = second === undefined ? undefined : datumName(text, second);
  return secondName === undefined ? firstName : `(SETF ${secondName})`;
}

/**
 * Every list head symbol inside `form` (not the form's own operator), with its document
 * offsets, upper-cased and without package prefix. Heads of quoted data are skipped (but
 * `,` inside a backquoted `'` re-enables them); heads inside backquote templates are included.
 */
export function innerOperators(text: string, form: TopLevelForm, options: ReaderOptions = {}): InnerOperator[] {
  const start = Math.max(0, Math.min(form.start, text.length));
  const end = Math.max(start, Math.min(form.end, text.length));
  const reader = createReader(text, options);
  reader.collectHeads = true;
  const status = reader.readOne(start, end);
  const ownList =
    status === READ_DATUM && reader.type === DATUM_LIST
      ? reader.coreStart
      : text.charCodeAt(start) === CHAR_LPAREN
        ? start
        : -1;
  const heads = reader.heads;
  const operators: InnerOperator[] = [];
  for (let i = 0; i < heads.length; i += 3) {
    const headStart = heads[i + 1];
    const headEnd = heads[i + 2];
    if (heads[i] === ownList || isNumberToken(text, headStart, headEnd)) continue;
    const name = symbolName(text, headStart, headEnd);
    if (name !== '') operators.push({ name, start: headStart, end: headEnd });
  }
  return operators;
}

/** The package a top-level `(in-package X)` form switches to, or undefined for any other form. */
export function inPackageTarget(text: string, form: TopLevelForm, options: ReaderOptions = {}): string | undefined {
  if (form.kind !== 'list' || form.operator !== 'IN-PACKAGE') return undefined;
  const reader = createReader(text, options);
  if (reader.readOne(form.start, form.end) !== READ_DATUM) return undefined;
  return describeDatum(reader, text, reader.type, reader.coreStart, reader.end).inPackage;
}

/** The form whose extent contains `offset` (a cursor just after a form's last character counts), or undefined. */
export function findFormAt(forms: readonly TopLevelForm[], offset: number): TopLevelForm | undefined {
  const index = lastFormStartingAtOrBefore(forms, offset);
  if (index < 0) return undefined;
  const form = forms[index];
  return offset <= form.end ? form : undefined;
}

/** The package in effect for a datum starting at `offset`: Clysm reads each file from CL-USER and follows its in-package forms. */
export function packageAt(text: string, forms: readonly TopLevelForm[], offset: number, options: ReaderOptions = {}): string {
  let index = lastFormStartingAtOrBefore(forms, offset);
  while (index >= 0 && forms[index].end > offset) index--;
  if (index < 0) return DEFAULT_PACKAGE;
  const previous = forms[index];
  return inPackageTarget(text, previous, options) ?? previous.package;
}

function lastFormStartingAtOrBefore(forms: readonly TopLevelForm[], offset: number): number {
  let low = 0;
  let high = forms.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (forms[mid].start <= offset) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found;
}
