// Feature expressions for `#+` / `#-` (CLHS 24.1.2.1). Clysm's per-form results come from
// SBCL reading the sources, so by default the reader evaluates them as SBCL on x86-64 Linux
// with ASDF loaded would: `#-sbcl (foo)` is then skipped exactly as SBCL skips it, which keeps
// form indices equal to Clysm's form ids.

import {
  CHAR_DQUOTE,
  CHAR_HASH,
  CHAR_LPAREN,
  CHAR_PIPE,
  CHAR_RPAREN,
  CHAR_SEMICOLON,
  SYNTAX_CONSTITUENT,
  SYNTAX_MULTIPLE_ESCAPE,
  SYNTAX_SINGLE_ESCAPE,
  scanBlockCommentEnd,
  scanLineCommentEnd,
  scanStringEnd,
  scanTokenEnd,
  syntaxOf,
  isWhitespace,
} from './scanner';
import { symbolName } from './symbols';

/** Upper-cased feature names present in a typical SBCL 2.4 image on x86-64 Linux with ASDF. */
export const SBCL_FEATURES: ReadonlySet<string> = new Set([
  'SBCL',
  'COMMON-LISP',
  'ANSI-CL',
  'IEEE-FLOATING-POINT',
  'X86-64',
  '64-BIT',
  'LITTLE-ENDIAN',
  'UNIX',
  'LINUX',
  'ELF',
  'GENCGC',
  'SB-THREAD',
  'SB-UNICODE',
  'SB-LDB',
  'SB-PACKAGE-LOCKS',
  'SB-CORE-COMPRESSION',
  'PACKAGE-LOCAL-NICKNAMES',
  'NON-BASE-CHARS-EXIST-P',
  'OS-UNIX',
  'ASDF',
  'ASDF2',
  'ASDF3',
  'ASDF3.1',
  'ASDF3.2',
  'ASDF3.3',
  'ASDF-UNICODE',
]);

/** Deeper feature expressions than this are treated as false rather than risking the stack. */
const MAX_FEATURE_DEPTH = 32;

/** Evaluates the feature expression spanning [start, end): a symbol, or `(and ...)`, `(or ...)`, `(not x)`. */
export function evaluateFeatureExpression(
  text: string,
  start: number,
  end: number,
  features: ReadonlySet<string>,
): boolean {
  return new FeatureExpressionParser(text, start, end, features).expression(0);
}

class FeatureExpressionParser {
  constructor(
    private readonly text: string,
    private pos: number,
    private readonly end: number,
    private readonly features: ReadonlySet<string>,
  ) {}

  expression(depth: number): boolean {
    this.skipBlank();
    if (this.pos >= this.end) return false;
    const code = this.text.charCodeAt(this.pos);
    if (code === CHAR_LPAREN) return this.compound(depth);
    const syntax = syntaxOf(code);
    if (syntax === SYNTAX_CONSTITUENT || syntax === SYNTAX_SINGLE_ESCAPE || syntax === SYNTAX_MULTIPLE_ESCAPE) {
      if (code !== CHAR_HASH) return this.features.has(this.symbol());
    }
    this.skipOther();
    return false;
  }

  private compound(depth: number): boolean {
    this.pos++; // (
    this.skipBlank();
    const operator = this.symbol();
    let anyTrue = false;
    let allTrue = true;
    let count = 0;
    for (;;) {
      this.skipBlank();
      if (this.pos >= this.end) break;
      if (this.text.charCodeAt(this.pos) === CHAR_RPAREN) {
        this.pos++;
        break;
      }
      const value = depth < MAX_FEATURE_DEPTH ? this.expression(depth + 1) : (this.skipOther(), false);
      anyTrue ||= value;
      allTrue &&= value;
      count++;
    }
    if (operator === 'OR') return anyTrue;
    if (operator === 'AND') return allTrue;
    if (operator === 'NOT') return count === 1 && !anyTrue;
    return false;
  }

  /** Reads a token at pos (possibly empty) and returns its symbol name. */
  private symbol(): string {
    const start = this.pos;
    const tokenEnd = scanTokenEnd(this.text, start, this.end);
    this.pos = tokenEnd < 0 ? this.end : tokenEnd;
    return symbolName(this.text, start, this.pos);
  }

  private skipBlank(): void {
    const { text, end } = this;
    while (this.pos < end) {
      const code = text.charCodeAt(this.pos);
      if (isWhitespace(code)) {
        this.pos++;
      } else if (code === CHAR_SEMICOLON) {
        this.pos = scanLineCommentEnd(text, this.pos + 1, end);
      } else if (code === CHAR_HASH && this.pos + 1 < end && text.charCodeAt(this.pos + 1) === CHAR_PIPE) {
        const commentEnd = scanBlockCommentEnd(text, this.pos + 2, end);
        this.pos = commentEnd < 0 ? end : commentEnd;
      } else {
        return;
      }
    }
  }

  /** Skips something that is not a valid feature (a string, a `#` syntax, a stray macro char); always advances. */
  private skipOther(): void {
    const { text, end } = this;
    if (text.charCodeAt(this.pos) === CHAR_DQUOTE) {
      const stringEnd = scanStringEnd(text, this.pos + 1, end);
      this.pos = stringEnd < 0 ? end : stringEnd;
      return;
    }
    this.pos++;
    while (this.pos < end) {
      const code = text.charCodeAt(this.pos);
      if (isWhitespace(code) || code === CHAR_LPAREN || code === CHAR_RPAREN) return;
      this.pos++;
    }
  }
}
