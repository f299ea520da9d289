// A small public view of single data, for callers that need to look inside a form (the module
// list parser, the form describer): where the next datum is, what it reads as, its elements.

import {
  DATUM_DOT,
  DATUM_FUNCTION,
  DATUM_LIST,
  DATUM_QUASIQUOTE,
  DATUM_QUOTE,
  DATUM_STRING,
  DATUM_TOKEN,
  DATUM_UNINTERNED,
  DATUM_VECTOR,
  DatumReader,
  READ_DATUM,
} from './datumReader';
import { SBCL_FEATURES } from './features';
import { isNumberToken, stringValue, symbolName } from './symbols';

export type DatumKind =
  | 'symbol'
  | 'number'
  | 'string'
  | 'list'
  | 'vector'
  | 'quote'
  | 'function'
  | 'quasiquote'
  | 'dot'
  | 'other';

export interface Datum {
  kind: DatumKind;
  /** Offsets of the whole datum, including prefixes such as `#+sbcl` or `#1=`. */
  start: number;
  end: number;
  /** Where the object itself starts once transparent prefixes (`#+feature`, `#n=`) are skipped. */
  coreStart: number;
}

export interface ReaderOptions {
  /** Upper-cased feature names that `#+`/`#-` test against. Default: SBCL_FEATURES. */
  features?: ReadonlySet<string>;
}

export function createReader(text: string, options: ReaderOptions = {}): DatumReader {
  return new DatumReader(text, options.features ?? SBCL_FEATURES);
}

/** The next datum at or after `from` and before `limit`; undefined at the end, at a `)` or at a read error. */
export function nextDatum(reader: DatumReader, text: string, from: number, limit: number): Datum | undefined {
  if (reader.readOne(from, limit) !== READ_DATUM || reader.error !== undefined) return undefined;
  return { kind: kindOf(text, reader.type, reader.coreStart, reader.end), start: reader.start, end: reader.end, coreStart: reader.coreStart };
}

/** The next datum at or after `offset` in `text`. */
export function readDatumAt(text: string, offset: number, limit = text.length, options: ReaderOptions = {}): Datum | undefined {
  return nextDatum(createReader(text, options), text, Math.max(0, offset), limit);
}

/** The elements of a list or vector datum, in order; undefined for other kinds or when an element cannot be read. */
export function listElements(text: string, list: Datum, options: ReaderOptions = {}): Datum[] | undefined {
  if (list.kind !== 'list' && list.kind !== 'vector') return undefined;
  const reader = createReader(text, options);
  const open = text.indexOf('(', list.coreStart);
  if (open < 0 || open >= list.end) return undefined;
  const elements: Datum[] = [];
  let pos = open + 1;
  for (;;) {
    const element = nextDatum(reader, text, pos, list.end - 1);
    if (element === undefined) break;
    elements.push(element);
    pos = element.end;
  }
  return elements;
}

/** The datum a `'x` (or `#'x`, `` `x ``) applies to. */
export function prefixedDatum(text: string, datum: Datum, options: ReaderOptions = {}): Datum | undefined {
  if (datum.kind !== 'quote' && datum.kind !== 'function' && datum.kind !== 'quasiquote') return undefined;
  const prefixLength = datum.kind === 'function' ? 2 : 1;
  return readDatumAt(text, datum.coreStart + prefixLength, datum.end, options);
}

/** Symbol name (upper-cased, package prefix removed) of a symbol datum, contents of a string datum. */
export function datumName(text: string, datum: Datum): string | undefined {
  if (datum.kind === 'symbol') return symbolName(text, datum.coreStart, datum.end);
  if (datum.kind === 'string') return stringValue(text, datum.coreStart, datum.end);
  return undefined;
}

function kindOf(text: string, type: number, coreStart: number, end: number): DatumKind {
  switch (type) {
    case DATUM_TOKEN:
      return isNumberToken(text, coreStart, end) ? 'number' : 'symbol';
    case DATUM_UNINTERNED:
      return 'symbol';
    case DATUM_DOT:
      return 'dot';
    case DATUM_LIST:
      return 'list';
    case DATUM_VECTOR:
      return 'vector';
    case DATUM_STRING:
      return 'string';
    case DATUM_QUOTE:
      return 'quote';
    case DATUM_FUNCTION:
      return 'function';
    case DATUM_QUASIQUOTE:
      return 'quasiquote';
    default:
      return 'other';
  }
}
