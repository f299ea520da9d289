// Feature expressions for `#+` / `#-` (CLHS 24.1.2.1). Clysm's per-form results come from
// SBCL reading the sources, so by default the reader evaluates them as SBCL on x86-64 Linux
// with ASDF loaded would: `#-sbcl (foo)` is then skipped exactly as SBCL skips it, which keeps
// form indices equal to Clysm's form ids. Expressions that SBCL rejects (an unknown operator,
// `(not a b)`, a string or a number) are read errors here too (docs/reader.md).

import {
  CHAR_BACKSLASH,
  CHAR_COLON,
  CHAR_DOT,
  CHAR_DQUOTE,
  CHAR_HASH,
  CHAR_LPAREN,
  CHAR_MINUS,
  CHAR_PIPE,
  CHAR_PLUS,
  CHAR_RPAREN,
  CHAR_SEMICOLON,
  SYNTAX_CONSTITUENT,
  SYNTAX_MULTIPLE_ESCAPE,
  SYNTAX_SINGLE_ESCAPE,
  charLength,
  scanBlockCommentEnd,
  scanLineCommentEnd,
  scanStringEnd,
  scanTokenEnd,
  syntaxOf,
  isWhitespace,
} from './scanner';
import { isNumberToken, packagePrefix, symbolName } from './symbols';

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

/** Deeper feature expressions than this are a read error rather than a risk to the stack. */
const MAX_FEATURE_DEPTH = 32;

/** Packages in which `and`, `or` and `not` name the operators: KEYWORD, and CL (which CL-USER uses). */
const OPERATOR_PACKAGES: ReadonlySet<string> = new Set(['KEYWORD', 'CL', 'COMMON-LISP', 'CL-USER', 'COMMON-LISP-USER']);

/** What `operator()` returns for `()`, which is the symbol NIL (and `(nil)` an unknown operator). */
const EMPTY_LIST = '()';

export interface FeatureTest {
  value: boolean;
  /** Set when SBCL would signal an error for this expression; `value` is then false. */
  error?: string;
}

/**
 * Evaluates the feature expression spanning [start, end): a symbol, or `(and ...)`, `(or ...)`,
 * `(not x)`. Feature names are keywords: `sbcl` and `:sbcl` name the feature SBCL, while
 * `cl-user::sbcl` and `#:sbcl` are other symbols, never features (as in SBCL).
 */
export function evaluateFeatureExpression(
  text: string,
  start: number,
  end: number,
  features: ReadonlySet<string>,
): FeatureTest {
  const parser = new FeatureExpressionParser(text, start, end, features);
  const value = parser.expression(0);
  return parser.error === undefined ? { value } : { value: false, error: parser.error };
}

class FeatureExpressionParser {
  /** The first reason SBCL would reject the expression. */
  error: string | undefined;

  constructor(
    private readonly text: string,
    private pos: number,
    private readonly end: number,
    private readonly features: ReadonlySet<string>,
  ) {}

  expression(depth: number): boolean {
    this.skipBlank();
    if (this.pos >= this.end) return this.fail('missing feature expression');
    if (depth > MAX_FEATURE_DEPTH) {
      this.pos = this.end;
      return this.fail(`feature expression nested deeper than ${MAX_FEATURE_DEPTH}`);
    }
    const { text } = this;
    const code = text.charCodeAt(this.pos);
    if (code === CHAR_LPAREN) return this.compound(depth);
    if (code === CHAR_HASH) return this.sharpsign(depth);
    const syntax = syntaxOf(code);
    if (syntax === SYNTAX_CONSTITUENT || syntax === SYNTAX_SINGLE_ESCAPE || syntax === SYNTAX_MULTIPLE_ESCAPE) {
      const start = this.pos;
      this.skipToken();
      if (isNumberToken(text, start, this.pos)) return this.fail(`invalid feature expression: ${text.slice(start, this.pos)} is a number, not a feature name`);
      if (this.pos - start === 1 && code === CHAR_DOT) return this.fail('invalid feature expression: a dotted list');
      const prefix = packagePrefix(text, start, this.pos);
      // Only keywords can be features: a symbol of another package is simply not one.
      return (prefix === undefined || prefix === 'KEYWORD') && this.features.has(symbolName(text, start, this.pos));
    }
    const start = this.pos;
    this.skipOther();
    const what = code === CHAR_DQUOTE ? 'a string' : code === CHAR_RPAREN ? 'an unexpected )' : 'not a symbol or a list';
    return this.fail(`invalid feature expression: ${this.clip(start)} is ${what}`);
  }

  private compound(depth: number): boolean {
    const start = this.pos;
    this.pos++; // (
    this.skipBlank();
    const operatorStart = this.pos;
    const operator = this.operator();
    if (operator === EMPTY_LIST) {
      this.pos++;
      return false; // `()` is the symbol NIL, not a feature
    }
    if (operator !== 'AND' && operator !== 'OR' && operator !== 'NOT') {
      // SBCL looks at the operator first, so its message names it rather than an argument.
      this.pos = start;
      this.skipList();
      const name = operator ?? this.text.slice(operatorStart, operatorStart + 1);
      return this.fail(`unknown operator ${name} in feature expression ${this.clip(start)}: only AND, OR and NOT are defined`);
    }
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
      if (this.atConditional()) {
        // `#+x y` inside the list: y is an element only when the condition keeps it.
        if (!this.conditionKeeps(depth)) this.skipExpression(depth);
        continue;
      }
      const value = this.expression(depth + 1);
      anyTrue ||= value;
      allTrue &&= value;
      count++;
    }
    if (operator === 'OR') return anyTrue;
    if (operator === 'AND') return allTrue;
    if (count !== 1) return this.fail(`${count === 0 ? 'too few' : 'too many'} subexpressions in feature expression ${this.clip(start)}: NOT takes one`);
    return !anyTrue;
  }

  /** The operator at pos: a symbol's name (with its package unless that package has CL's AND/OR/NOT), EMPTY_LIST before `)`, else undefined. */
  private operator(): string | undefined {
    if (this.text.charCodeAt(this.pos) === CHAR_RPAREN) return EMPTY_LIST;
    const code = this.text.charCodeAt(this.pos);
    const syntax = syntaxOf(code);
    if (code === CHAR_LPAREN || code === CHAR_HASH || code === CHAR_DQUOTE || (syntax !== SYNTAX_CONSTITUENT && syntax !== SYNTAX_SINGLE_ESCAPE && syntax !== SYNTAX_MULTIPLE_ESCAPE)) {
      return undefined;
    }
    const start = this.pos;
    this.skipToken();
    const prefix = packagePrefix(this.text, start, this.pos);
    const name = symbolName(this.text, start, this.pos);
    return prefix === undefined || OPERATOR_PACKAGES.has(prefix) ? name : `${prefix}:${name}`;
  }

  /** `#:name` (an uninterned symbol: never a feature), `#+`/`#-` inside the expression, or anything else (an error). */
  private sharpsign(depth: number): boolean {
    const { text, end } = this;
    const start = this.pos;
    const sub = this.pos + 1 < end ? text.charCodeAt(this.pos + 1) : 0;
    if (sub === CHAR_COLON) {
      this.pos += 2;
      this.skipToken();
      return false;
    }
    if (sub === CHAR_PLUS || sub === CHAR_MINUS) {
      if (!this.conditionKeeps(depth)) this.skipExpression(depth);
      return this.expression(depth + 1);
    }
    this.skipOther();
    if (sub === CHAR_DOT) return this.fail(`cannot evaluate ${this.clip(start)} in a feature expression: the reader does not evaluate #.`);
    return this.fail(`invalid feature expression: ${this.clip(start)} is not a symbol or a list`);
  }

  private atConditional(): boolean {
    const { text, pos } = this;
    if (text.charCodeAt(pos) !== CHAR_HASH || pos + 1 >= this.end) return false;
    const sub = text.charCodeAt(pos + 1);
    return sub === CHAR_PLUS || sub === CHAR_MINUS;
  }

  /** At `#+`/`#-`: reads its condition and says whether the expression after it counts. */
  private conditionKeeps(depth: number): boolean {
    const wanted = this.text.charCodeAt(this.pos + 1) === CHAR_PLUS;
    this.pos += 2;
    return this.expression(depth + 1) === wanted;
  }

  /** Reads past an expression that a nested `#+`/`#-` drops: SBCL reads it with *read-suppress*, so it cannot fail. */
  private skipExpression(depth: number): void {
    const error = this.error;
    this.expression(depth + 1);
    this.error = error;
  }

  private fail(message: string): false {
    this.error ??= message;
    return false;
  }

  /** The text from `start` to pos, clipped for messages. */
  private clip(start: number): string {
    const text = this.text.slice(start, this.pos);
    return text.length <= 40 ? text : `${text.slice(0, 40)}…`;
  }

  private skipToken(): void {
    const tokenEnd = scanTokenEnd(this.text, this.pos, this.end);
    this.pos = tokenEnd < 0 ? this.end : tokenEnd;
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
    if (text.charCodeAt(this.pos) === CHAR_HASH && this.pos + 1 < end && text.charCodeAt(this.pos + 1) === CHAR_LPAREN) {
      this.pos++;
      this.skipList();
      return;
    }
    this.pos += charLength(text, this.pos, end);
    while (this.pos < end) {
      const code = text.charCodeAt(this.pos);
      if (isWhitespace(code) || code === CHAR_RPAREN) return;
      if (code === CHAR_LPAREN) {
        this.skipList();
        return;
      }
      this.pos++;
    }
  }

  /** From a `(`: past its matching `)`, strings and comments included (the datum reader checked the balance). */
  private skipList(): void {
    const { text, end } = this;
    let depth = 0;
    while (this.pos < end) {
      this.skipBlank();
      if (this.pos >= end) return;
      const code = text.charCodeAt(this.pos);
      if (code === CHAR_LPAREN) {
        depth++;
        this.pos++;
      } else if (code === CHAR_RPAREN) {
        this.pos++;
        if (--depth === 0) return;
      } else if (code === CHAR_DQUOTE) {
        const stringEnd = scanStringEnd(text, this.pos + 1, end);
        this.pos = stringEnd < 0 ? end : stringEnd;
      } else if (code === CHAR_HASH && this.pos + 1 < end && text.charCodeAt(this.pos + 1) === CHAR_BACKSLASH) {
        this.pos += 2 + charLength(text, this.pos + 2, end); // #\x: the character may be a paren
      } else {
        const tokenEnd = scanTokenEnd(text, this.pos, end);
        this.pos = tokenEnd < 0 ? end : Math.max(tokenEnd, this.pos + 1);
      }
    }
  }
}
