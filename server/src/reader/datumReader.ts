// Reads one Lisp datum at a time and reports its extent, its type and any read error, without
// building the datum. The reader is iterative (an explicit frame stack in parallel number
// arrays) so that deeply nested input cannot overflow the call stack, and it allocates nothing
// per character or per list.

import {
  CHAR_AT,
  CHAR_BACKQUOTE,
  CHAR_BACKSLASH,
  CHAR_BOM,
  CHAR_COLON,
  CHAR_COMMA,
  CHAR_DOT,
  CHAR_DQUOTE,
  CHAR_EQUALS,
  CHAR_HASH,
  CHAR_LPAREN,
  CHAR_LT,
  CHAR_MINUS,
  CHAR_PIPE,
  CHAR_PLUS,
  CHAR_QUOTE,
  CHAR_RPAREN,
  CHAR_SEMICOLON,
  CHAR_STAR,
  UNTERMINATED_SINGLE_ESCAPE,
  charLength,
  isDecimalDigit,
  isLineBreak,
  isWhitespace,
  scanBlockCommentEnd,
  scanCharacterEnd,
  scanLineCommentEnd,
  scanStringEnd,
  scanTokenEnd,
} from './scanner';
import { evaluateFeatureExpression } from './features';

// What a datum reads as.
/** A plain token: a symbol or a number. */
export const DATUM_TOKEN = 0;
/** `#:name` */
export const DATUM_UNINTERNED = 1;
/** A lone `.` token (the consing dot). */
export const DATUM_DOT = 2;
export const DATUM_LIST = 3;
export const DATUM_VECTOR = 4;
export const DATUM_STRING = 5;
/** `'x`, read as (QUOTE x). */
export const DATUM_QUOTE = 6;
/** `#'x`, read as (FUNCTION x). */
export const DATUM_FUNCTION = 7;
/** `` `x ``, read by SBCL as (SB-INT:QUASIQUOTE x). */
export const DATUM_QUASIQUOTE = 8;
/** Characters, radix numbers, bit vectors, `#p`, `#c`, `#.`, arrays, structures, commas, errors. */
export const DATUM_OTHER = 9;

// Results of readOne.
/** Only whitespace, comments and skipped `#+`/`#-` forms were left before the limit. */
export const READ_NOTHING = 0;
/** One datum was read (it may still carry a recoverable error in `error`). */
export const READ_DATUM = 1;
/** A `)` with no open list: [start, end) is that character. */
export const READ_STRAY_CLOSE = 2;
/** Input ended inside a construct (missing `)`, unterminated string, ...): [start, end) is what was read. */
export const READ_HARD_ERROR = 3;

// Frame kinds.
const FRAME_ROOT = 0;
const FRAME_LIST = 1;
const FRAME_VECTOR = 2;
const FRAME_PREFIX = 3;
/** `#+`/`#-` waiting for its feature expression. */
const FRAME_FEATURE = 4;

// Prefix kinds: a reader macro waiting for the one datum it applies to.
const PREFIX_QUOTE = 0;
const PREFIX_FUNCTION = 1;
const PREFIX_BACKQUOTE = 2;
const PREFIX_COMMA = 3;
const PREFIX_READ_EVAL = 4;
/** `#p`, `#c`, `#nA`, `#s`: the datum is data, the result is an atom. */
const PREFIX_DATA = 5;
/** `#n=`: transparent. */
const PREFIX_LABEL = 6;
/** `#+`/`#-` whose feature test kept the datum: transparent. */
const PREFIX_KEEP = 7;
/** `#+`/`#-` whose feature test dropped the datum: it is read with errors suppressed, then discarded. */
const PREFIX_DROP = 8;

// Context bits of a frame.
/** Inside quoted data: list heads there are not operators. */
const CONTEXT_QUOTED = 1;
/** Inside a datum dropped by `#+`/`#-`: no errors, no heads (like *read-suppress*). */
const CONTEXT_SUPPRESSED = 2;

// Internal results of the dispatch reader.
const DISPATCH_DONE = -1;
const DISPATCH_HARD_ERROR = -2;

export class DatumReader {
  /** Extent of the datum (or of the error item) found by the last readOne. */
  start = 0;
  end = 0;
  /** DATUM_* type of the datum read. */
  type = DATUM_OTHER;
  /** Where the object itself starts once transparent prefixes (`#+feature`, `#n=`) are skipped. */
  coreStart = -1;
  /** First read error, if any. Hard errors (end of input inside a construct) take precedence. */
  error: string | undefined;
  /**
   * Every `(` in column 0 met inside an unfinished list, in order: where a broken form is cut
   * (Lisp layout puts only top-level forms in column 0).
   */
  readonly columnZeroOpens: number[] = [];
  /**
   * After READ_HARD_ERROR: the column-0 `(` whose lists were still open when input ran out. A
   * fresh read from one of them sees the same tokens, so it is bound to fail the same way.
   */
  readonly unclosedColumnZeroOpens: number[] = [];
  /** When set, every list head token outside quoted data is recorded in `heads`. */
  collectHeads = false;
  /** Triples (list start, head token start, head token end), in document order. */
  readonly heads: number[] = [];

  private limit = 0;
  private errorAt = -1;
  private hardError = false;
  private datumStart = -1;
  private lastTokenEnd = 0;
  private listDepth = 0;
  /** List depth just outside each entry of unclosedColumnZeroOpens (kept while reading). */
  private readonly unclosedDepths: number[] = [];

  private sp = 0;
  private readonly frameKind: number[] = [FRAME_ROOT];
  private readonly frameSub: number[] = [0];
  private readonly frameStart: number[] = [0];
  /** Length of the prefix text for prefix frames (for messages). */
  private readonly frameLength: number[] = [0];
  private readonly frameCount: number[] = [0];
  /** 0: no dot yet, 1: dot seen, 2: the datum after the dot seen. */
  private readonly frameDot: number[] = [0];
  private readonly frameContext: number[] = [0];
  private readonly frameBackquote: number[] = [0];

  constructor(
    private readonly text: string,
    private readonly features: ReadonlySet<string>,
  ) {}

  /** Reads the next datum at or after `from`, not looking at text at or beyond `limit`. Returns READ_*. */
  readOne(from: number, limit: number): number {
    const text = this.text;
    this.limit = Math.min(limit, text.length);
    this.error = undefined;
    this.errorAt = -1;
    this.hardError = false;
    this.datumStart = -1;
    this.coreStart = -1;
    this.columnZeroOpens.length = 0;
    this.unclosedColumnZeroOpens.length = 0;
    this.unclosedDepths.length = 0;
    this.lastTokenEnd = from;
    this.listDepth = 0;
    this.sp = 0;
    let pos = from;
    for (;;) {
      pos = this.skipAtmosphere(pos);
      if (this.hardError) return this.finishHardError();
      if (pos >= this.limit) {
        if (this.sp === 0) return READ_NOTHING;
        this.lastTokenEnd = Math.max(this.lastTokenEnd, pos);
        this.failHard(this.pendingMessage(), pos);
        return this.finishHardError();
      }
      if (this.sp === 0 && this.datumStart < 0) this.datumStart = pos;
      const code = text.charCodeAt(pos);
      switch (code) {
        case CHAR_LPAREN:
          if (this.listDepth > 0 && pos > 0 && isLineBreak(text.charCodeAt(pos - 1))) {
            this.columnZeroOpens.push(pos);
            this.unclosedColumnZeroOpens.push(pos);
            this.unclosedDepths.push(this.listDepth);
          }
          this.push(FRAME_LIST, 0, pos, 1);
          pos++;
          break;
        case CHAR_RPAREN: {
          const status = this.closeParen(pos);
          if (status !== READ_NOTHING) return status;
          pos++;
          break;
        }
        case CHAR_QUOTE:
          this.push(FRAME_PREFIX, PREFIX_QUOTE, pos, 1);
          pos++;
          break;
        case CHAR_BACKQUOTE:
          this.push(FRAME_PREFIX, PREFIX_BACKQUOTE, pos, 1);
          pos++;
          break;
        case CHAR_COMMA: {
          const next = pos + 1 < this.limit ? text.charCodeAt(pos + 1) : 0;
          const length = next === CHAR_AT || next === CHAR_DOT ? 2 : 1;
          this.push(FRAME_PREFIX, PREFIX_COMMA, pos, length);
          pos += length;
          break;
        }
        case CHAR_DQUOTE: {
          const end = scanStringEnd(text, pos + 1, this.limit);
          if (end < 0) return this.failHardToLimit('unterminated string', pos);
          if (this.deliver(pos, end, DATUM_STRING)) return READ_DATUM;
          pos = end;
          break;
        }
        case CHAR_HASH: {
          const next = this.readDispatch(pos);
          if (next === DISPATCH_DONE) return READ_DATUM;
          if (next === DISPATCH_HARD_ERROR) return this.finishHardError();
          pos = next;
          break;
        }
        default: {
          const end = scanTokenEnd(text, pos, this.limit);
          if (end < 0) {
            const message = end === UNTERMINATED_SINGLE_ESCAPE ? 'end of file after \\' : 'unterminated |symbol|';
            return this.failHardToLimit(message, pos);
          }
          if (this.deliver(pos, end, this.tokenType(pos, end))) return READ_DATUM;
          pos = end;
        }
      }
    }
  }

  /** Skips whitespace, `;` and `#|...|#` comments (and a byte order mark at offset 0). */
  private skipAtmosphere(pos: number): number {
    const text = this.text;
    const limit = this.limit;
    while (pos < limit) {
      const code = text.charCodeAt(pos);
      if (isWhitespace(code) || (code === CHAR_BOM && pos === 0)) {
        pos++;
      } else if (code === CHAR_SEMICOLON) {
        pos = scanLineCommentEnd(text, pos + 1, limit);
      } else if (code === CHAR_HASH && pos + 1 < limit && text.charCodeAt(pos + 1) === CHAR_PIPE) {
        const end = scanBlockCommentEnd(text, pos + 2, limit);
        if (end < 0) {
          if (this.sp === 0 && this.datumStart < 0) this.datumStart = pos;
          this.failHardToLimit('unterminated block comment #|', pos);
          return limit;
        }
        pos = end;
      } else {
        break;
      }
    }
    return pos;
  }

  /** Handles `)`. Returns READ_NOTHING to go on reading, or the final status. */
  private closeParen(pos: number): number {
    this.lastTokenEnd = pos + 1;
    let kind = this.frameKind[this.sp];
    if (kind === FRAME_PREFIX || kind === FRAME_FEATURE) {
      // `(a ')` or `#+sbcl)`: the prefix has nothing to apply to. The list itself stays intact.
      this.softError(`missing object after ${this.prefixText(this.sp)}`, pos);
      let brokenStart = this.frameStart[this.sp];
      while (kind === FRAME_PREFIX || kind === FRAME_FEATURE) {
        brokenStart = this.frameStart[this.sp];
        this.sp--;
        kind = this.frameKind[this.sp];
      }
      if (this.sp === 0) {
        this.deliver(brokenStart, pos + 1, DATUM_OTHER);
        return READ_DATUM;
      }
    }
    if (this.sp === 0) {
      this.start = pos;
      this.end = pos + 1;
      this.error = 'unexpected )';
      return READ_STRAY_CLOSE;
    }
    if (this.frameDot[this.sp] === 1) this.softError('nothing after . in list', pos);
    const listStart = this.frameStart[this.sp];
    this.sp--;
    const depth = --this.listDepth;
    // Column-0 lists closed by this paren: a fresh read from them would succeed.
    const unclosed = this.unclosedDepths;
    while (unclosed.length > 0 && unclosed[unclosed.length - 1] >= depth) {
      unclosed.pop();
      this.unclosedColumnZeroOpens.pop();
    }
    return this.deliver(listStart, pos + 1, kind === FRAME_LIST ? DATUM_LIST : DATUM_VECTOR) ? READ_DATUM : READ_NOTHING;
  }

  /** Handles `#` syntax at pos. Returns the offset to go on from, DISPATCH_DONE or DISPATCH_HARD_ERROR. */
  private readDispatch(pos: number): number {
    const text = this.text;
    const limit = this.limit;
    let at = pos + 1;
    while (at < limit && isDecimalDigit(text.charCodeAt(at))) at++;
    if (at >= limit) {
      this.failHardToLimit('end of file after #', pos);
      return DISPATCH_HARD_ERROR;
    }
    const hasArgument = at > pos + 1;
    const prefixLength = at + 1 - pos;
    const sub = text.charCodeAt(at);
    switch (sub) {
      case CHAR_BACKSLASH: {
        const end = scanCharacterEnd(text, at + 1, limit);
        if (end < 0) {
          this.failHardToLimit('end of file after #\\', pos);
          return DISPATCH_HARD_ERROR;
        }
        return this.deliverAtom(pos, end, DATUM_OTHER);
      }
      case CHAR_QUOTE:
        this.push(FRAME_PREFIX, PREFIX_FUNCTION, pos, prefixLength);
        return at + 1;
      case CHAR_LPAREN:
        this.push(FRAME_VECTOR, 0, pos, prefixLength);
        return at + 1;
      case CHAR_COLON:
        return this.readTokenAfter(pos, at + 1, DATUM_UNINTERNED);
      case CHAR_DOT: // `#,` (load-time eval) left the standard: SBCL has no dispatch function for it
        this.push(FRAME_PREFIX, PREFIX_READ_EVAL, pos, prefixLength);
        return at + 1;
      case CHAR_PLUS:
      case CHAR_MINUS:
        this.push(FRAME_FEATURE, sub === CHAR_PLUS ? 1 : 0, pos, prefixLength);
        return at + 1;
      case CHAR_STAR:
      case 0x78: // x
      case 0x58: // X
      case 0x62: // b
      case 0x42: // B
      case 0x6f: // o
      case 0x4f: // O
      case 0x72: // r
      case 0x52: // R
        return this.readTokenAfter(pos, at + 1, DATUM_OTHER);
      case 0x70: // p: pathname
      case 0x50:
      case 0x63: // c: complex
      case 0x43:
      case 0x61: // a: array
      case 0x41:
      case 0x73: // s: structure
      case 0x53:
        this.push(FRAME_PREFIX, PREFIX_DATA, pos, prefixLength);
        return at + 1;
      case CHAR_PIPE: {
        // `#|` is handled as a comment before we get here; `#3|` is a comment too.
        const end = scanBlockCommentEnd(text, at + 1, limit);
        if (end < 0) {
          this.failHardToLimit('unterminated block comment #|', pos);
          return DISPATCH_HARD_ERROR;
        }
        return end;
      }
      case CHAR_EQUALS:
        if (!hasArgument) break;
        this.push(FRAME_PREFIX, PREFIX_LABEL, pos, prefixLength);
        return at + 1;
      case CHAR_HASH:
        if (!hasArgument) break;
        return this.deliverAtom(pos, at + 1, DATUM_OTHER);
      case CHAR_LT:
        this.softError('unreadable object #<', pos);
        return this.deliverAtom(pos, at + 1, DATUM_OTHER);
    }
    // Every other sub-character is undefined (CLHS 2.4.8). SBCL reads it before it signals
    // the error, so it is consumed too: `#"` opens no string and `#)` closes no list.
    const width = charLength(text, at, limit);
    this.softError(undefinedDispatchMessage(text.slice(at, at + width)), pos);
    // A consumed whitespace character is not shown as part of the broken item.
    return this.deliverAtom(pos, isWhitespace(sub) ? at : at + width, DATUM_OTHER);
  }

  private readTokenAfter(start: number, tokenStart: number, type: number): number {
    const end = scanTokenEnd(this.text, tokenStart, this.limit);
    if (end < 0) {
      this.failHardToLimit('unterminated |symbol|', start);
      return DISPATCH_HARD_ERROR;
    }
    return this.deliverAtom(start, end, type);
  }

  private deliverAtom(start: number, end: number, type: number): number {
    return this.deliver(start, end, type) ? DISPATCH_DONE : end;
  }

  /** A token made only of dots is the consing dot (one) or an error (several). */
  private tokenType(start: number, end: number): number {
    const text = this.text;
    if (text.charCodeAt(start) !== CHAR_DOT) return DATUM_TOKEN;
    for (let pos = start + 1; pos < end; pos++) {
      if (text.charCodeAt(pos) !== CHAR_DOT) return DATUM_TOKEN;
    }
    if (end - start === 1) return DATUM_DOT;
    this.softError('too many dots', start);
    return DATUM_OTHER;
  }

  private push(kind: number, sub: number, start: number, length: number): void {
    const parent = this.sp;
    let context = this.frameContext[parent];
    let backquote = this.frameBackquote[parent];
    if (kind === FRAME_FEATURE) {
      // SBCL reads a feature expression with *read-suppress* NIL, even inside dropped code.
      context = (context | CONTEXT_QUOTED) & ~CONTEXT_SUPPRESSED;
    } else if (kind === FRAME_VECTOR) {
      context |= CONTEXT_QUOTED;
    } else if (kind === FRAME_PREFIX) {
      if (sub === PREFIX_QUOTE || sub === PREFIX_DATA) {
        context |= CONTEXT_QUOTED;
      } else if (sub === PREFIX_BACKQUOTE) {
        backquote++;
      } else if (sub === PREFIX_COMMA) {
        if (backquote === 0) this.softError('comma not inside a backquote', start);
        else backquote--;
        context &= ~CONTEXT_QUOTED; // `(a ',(f x)): (f x) is evaluated
      }
    }
    if (kind === FRAME_LIST || kind === FRAME_VECTOR) this.listDepth++;
    const sp = parent + 1;
    this.frameKind[sp] = kind;
    this.frameSub[sp] = sub;
    this.frameStart[sp] = start;
    this.frameLength[sp] = length;
    this.frameCount[sp] = 0;
    this.frameDot[sp] = 0;
    this.frameContext[sp] = context;
    this.frameBackquote[sp] = backquote;
    this.sp = sp;
    this.lastTokenEnd = start + length;
  }

  /** Hands a complete datum to the innermost frame. Returns true when it completes the top-level datum. */
  private deliver(start: number, end: number, type: number): boolean {
    this.lastTokenEnd = end;
    let core = start;
    for (;;) {
      const sp = this.sp;
      const kind = this.frameKind[sp];
      if (kind === FRAME_ROOT) {
        if (type === DATUM_DOT) this.softError('dot context error', start);
        this.start = start;
        this.end = end;
        this.type = type;
        this.coreStart = core;
        return true;
      }
      if (kind === FRAME_LIST || kind === FRAME_VECTOR) {
        this.addElement(sp, core, end, type);
        return false;
      }
      if (type === DATUM_DOT) this.softError('dot context error', start);
      if (kind === FRAME_FEATURE) {
        const feature = evaluateFeatureExpression(this.text, start, end, this.features);
        if (feature.error !== undefined) {
          // As in SBCL, the error ends the `#+expression` item: the datum after it is read on its own.
          this.softError(feature.error, this.frameStart[sp], true);
          this.sp = sp - 1;
          start = core = this.frameStart[sp];
          type = DATUM_OTHER;
          continue;
        }
        const keep = feature.value === (this.frameSub[sp] === 1);
        this.frameKind[sp] = FRAME_PREFIX;
        this.frameSub[sp] = keep ? PREFIX_KEEP : PREFIX_DROP;
        this.frameContext[sp] = keep ? this.frameContext[sp - 1] : this.frameContext[sp - 1] | CONTEXT_SUPPRESSED;
        return false;
      }
      const sub = this.frameSub[sp];
      const prefixStart = this.frameStart[sp];
      this.sp = sp - 1;
      if (sub === PREFIX_DROP) {
        // At top level a dropped form is like a comment: the next datum starts afresh. Unless
        // its feature expressions were invalid: then the whole of it is the broken item.
        if (this.sp !== 0 || this.error === undefined) {
          if (this.sp === 0) this.datumStart = -1;
          return false;
        }
        type = DATUM_OTHER;
        core = prefixStart;
        start = prefixStart;
        continue;
      }
      if (sub !== PREFIX_LABEL && sub !== PREFIX_KEEP) {
        type =
          sub === PREFIX_QUOTE
            ? DATUM_QUOTE
            : sub === PREFIX_FUNCTION
              ? DATUM_FUNCTION
              : sub === PREFIX_BACKQUOTE
                ? DATUM_QUASIQUOTE
                : DATUM_OTHER;
        core = prefixStart;
      }
      start = prefixStart;
    }
  }

  private addElement(sp: number, start: number, end: number, type: number): void {
    if (type === DATUM_DOT) {
      if (this.frameKind[sp] === FRAME_VECTOR || this.frameCount[sp] === 0 || this.frameDot[sp] !== 0) {
        this.softError('misplaced . in list', start);
      } else {
        this.frameDot[sp] = 1;
      }
      return;
    }
    const dot = this.frameDot[sp];
    if (dot === 1) this.frameDot[sp] = 2;
    else if (dot === 2) this.softError('more than one object after . in list', start);
    if (
      this.collectHeads &&
      this.frameCount[sp] === 0 &&
      this.frameKind[sp] === FRAME_LIST &&
      (type === DATUM_TOKEN || type === DATUM_UNINTERNED) &&
      (this.frameContext[sp] & (CONTEXT_QUOTED | CONTEXT_SUPPRESSED)) === 0
    ) {
      this.heads.push(this.frameStart[sp], start, end);
    }
    this.frameCount[sp]++;
  }

  /** `evenSuppressed`: an error SBCL signals even inside a datum dropped by `#+`/`#-`. */
  private softError(message: string, at: number, evenSuppressed = false): void {
    if (this.error !== undefined || (!evenSuppressed && (this.frameContext[this.sp] & CONTEXT_SUPPRESSED) !== 0)) return;
    this.error = message;
    this.errorAt = at;
  }

  private failHard(message: string, at: number): void {
    this.hardError = true;
    this.error = message;
    this.errorAt = at;
  }

  /** A construct that runs to the limit: everything up to the limit belongs to the broken item. */
  private failHardToLimit(message: string, at: number): number {
    this.lastTokenEnd = this.limit;
    this.failHard(message, at);
    return this.finishHardError();
  }

  private finishHardError(): number {
    const start = this.datumStart >= 0 ? this.datumStart : Math.max(this.errorAt, 0);
    let end = Math.max(this.lastTokenEnd, start + 1);
    while (end > start + 1 && isWhitespace(this.text.charCodeAt(end - 1))) end--;
    this.start = start;
    this.end = Math.min(end, Math.max(this.limit, start + 1));
    this.type = DATUM_OTHER;
    return READ_HARD_ERROR;
  }

  /** Why the input ended too early, from the frames still open. */
  private pendingMessage(): string {
    if (this.listDepth > 0) {
      return this.listDepth === 1
        ? 'unbalanced parenthesis: missing )'
        : `unbalanced parenthesis: missing ${this.listDepth} )`;
    }
    return `end of file after ${this.prefixText(this.sp)}`;
  }

  private prefixText(sp: number): string {
    const start = this.frameStart[sp];
    return this.text.slice(start, start + Math.min(this.frameLength[sp], 12));
  }
}

const WHITESPACE_NAMES: ReadonlyMap<string, string> = new Map([
  [' ', 'Space'],
  ['\n', 'Newline'],
  ['\t', 'Tab'],
  ['\r', 'Return'],
  ['\f', 'Page'],
]);

/** SBCL's wording: whitespace and `)` after `#` are "illegal", other characters have no dispatch function. */
function undefinedDispatchMessage(char: string): string {
  const name = WHITESPACE_NAMES.get(char);
  if (name !== undefined || char === ')') return `illegal sharp macro character: #\\${name ?? char}`;
  return `no dispatch macro for #${char}`;
}

/** True for the datum types that read as a cons. */
export function isConsType(type: number): boolean {
  return type === DATUM_LIST || type === DATUM_QUOTE || type === DATUM_FUNCTION || type === DATUM_QUASIQUOTE;
}
