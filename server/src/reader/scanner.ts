// Low-level lexical scanning over UTF-16 char codes, following the standard Common Lisp
// readtable (CLHS 2.1.4). Every function is pure: it takes the text, a start offset and a
// limit, and returns an end offset, or a negative code when the construct runs past the limit.
// Nothing here allocates per character.

export const CHAR_TAB = 9;
export const CHAR_LF = 10;
export const CHAR_FF = 12;
export const CHAR_CR = 13;
export const CHAR_SPACE = 32;
export const CHAR_DQUOTE = 34;
export const CHAR_HASH = 35;
export const CHAR_QUOTE = 39;
export const CHAR_LPAREN = 40;
export const CHAR_RPAREN = 41;
export const CHAR_STAR = 42;
export const CHAR_PLUS = 43;
export const CHAR_COMMA = 44;
export const CHAR_MINUS = 45;
export const CHAR_DOT = 46;
export const CHAR_COLON = 58;
export const CHAR_SEMICOLON = 59;
export const CHAR_LT = 60;
export const CHAR_EQUALS = 61;
export const CHAR_AT = 64;
export const CHAR_BACKSLASH = 92;
export const CHAR_BACKQUOTE = 96;
export const CHAR_PIPE = 124;
export const CHAR_BOM = 0xfeff;

/** Syntax types of the standard readtable. */
export const SYNTAX_CONSTITUENT = 0;
export const SYNTAX_WHITESPACE = 1;
/** Terminating macro characters: they end a token. `#` is a non-terminating macro, so it is a constituent inside tokens. */
export const SYNTAX_TERMINATING = 2;
export const SYNTAX_SINGLE_ESCAPE = 3;
export const SYNTAX_MULTIPLE_ESCAPE = 4;

const ASCII_SYNTAX = (() => {
  const table = new Uint8Array(128);
  for (const code of [CHAR_TAB, CHAR_LF, CHAR_FF, CHAR_CR, CHAR_SPACE]) table[code] = SYNTAX_WHITESPACE;
  for (const code of [CHAR_DQUOTE, CHAR_QUOTE, CHAR_LPAREN, CHAR_RPAREN, CHAR_COMMA, CHAR_SEMICOLON, CHAR_BACKQUOTE]) {
    table[code] = SYNTAX_TERMINATING;
  }
  table[CHAR_BACKSLASH] = SYNTAX_SINGLE_ESCAPE;
  table[CHAR_PIPE] = SYNTAX_MULTIPLE_ESCAPE;
  return table;
})();

/** Syntax type of a UTF-16 code unit. Everything outside ASCII is a constituent, as in SBCL. */
export function syntaxOf(code: number): number {
  return code < 128 ? ASCII_SYNTAX[code] : SYNTAX_CONSTITUENT;
}

export function isWhitespace(code: number): boolean {
  return code < 128 && ASCII_SYNTAX[code] === SYNTAX_WHITESPACE;
}

export function isLineBreak(code: number): boolean {
  return code === CHAR_LF || code === CHAR_CR;
}

export function isDecimalDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

export function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Code units of the character at `pos`: 2 for a surrogate pair, else 1. A lone high surrogate
 * is a character of its own (as in SBCL, whose characters are code points): it never takes
 * the next code unit, which may be a `)` or a `"`.
 */
export function charLength(text: string, pos: number, limit: number): number {
  return isHighSurrogate(text.charCodeAt(pos)) && pos + 1 < limit && isLowSurrogate(text.charCodeAt(pos + 1)) ? 2 : 1;
}

/** Returned by scanTokenEnd when a `|...` multiple escape is not closed before the limit. */
export const UNTERMINATED_MULTIPLE_ESCAPE = -1;
/** Returned by scanTokenEnd when a `\` single escape is the last character before the limit. */
export const UNTERMINATED_SINGLE_ESCAPE = -2;
/** Returned by the other scanners when their construct is not closed before the limit. */
export const UNTERMINATED = -1;

/**
 * Scans a token (symbol or number) from `pos`: constituents, `\x` single escapes and
 * `|...|` multiple escapes, up to whitespace or a terminating macro character.
 */
export function scanTokenEnd(text: string, pos: number, limit: number): number {
  while (pos < limit) {
    const code = text.charCodeAt(pos);
    const syntax = code < 128 ? ASCII_SYNTAX[code] : SYNTAX_CONSTITUENT;
    if (syntax === SYNTAX_CONSTITUENT) {
      pos++;
    } else if (syntax === SYNTAX_SINGLE_ESCAPE) {
      if (pos + 1 >= limit) return UNTERMINATED_SINGLE_ESCAPE;
      pos += 2;
    } else if (syntax === SYNTAX_MULTIPLE_ESCAPE) {
      pos = scanDelimitedEnd(text, pos + 1, limit, CHAR_PIPE);
      if (pos < 0) return UNTERMINATED_MULTIPLE_ESCAPE;
    } else {
      break;
    }
  }
  return pos;
}

/**
 * From just after an opening delimiter (`"` of a string, `|` of a multiple escape), returns the
 * offset just past the closing one; a backslash escapes the character after it in both.
 */
function scanDelimitedEnd(text: string, pos: number, limit: number, delimiter: number): number {
  while (pos < limit) {
    const code = text.charCodeAt(pos);
    if (code === delimiter) return pos + 1;
    pos += code === CHAR_BACKSLASH ? 2 : 1;
  }
  return UNTERMINATED;
}

/** From just after an opening `"`, returns the offset just past the closing `"`. */
export function scanStringEnd(text: string, pos: number, limit: number): number {
  return scanDelimitedEnd(text, pos, limit, CHAR_DQUOTE);
}

/**
 * From just after a `;`, returns the offset of the line break that ends the comment (or the
 * limit). A lone `\r` also ends it, because editors (and LSP) treat it as a line break.
 */
export function scanLineCommentEnd(text: string, pos: number, limit: number): number {
  while (pos < limit) {
    const code = text.charCodeAt(pos);
    if (code === CHAR_LF || code === CHAR_CR) return pos;
    pos++;
  }
  return limit;
}

/** From just after an opening `#|`, returns the offset just past the matching `|#`; block comments nest. */
export function scanBlockCommentEnd(text: string, pos: number, limit: number): number {
  let depth = 1;
  while (pos < limit) {
    const code = text.charCodeAt(pos);
    if (code === CHAR_PIPE && pos + 1 < limit && text.charCodeAt(pos + 1) === CHAR_HASH) {
      pos += 2;
      if (--depth === 0) return pos;
    } else if (code === CHAR_HASH && pos + 1 < limit && text.charCodeAt(pos + 1) === CHAR_PIPE) {
      pos += 2;
      depth++;
    } else {
      pos++;
    }
  }
  return UNTERMINATED;
}

/**
 * From just after `#\`: always takes one character (so `#\(`, `#\)`, `#\"`, `#\;` work),
 * then continues while constituent, which covers names such as `#\Newline`.
 */
export function scanCharacterEnd(text: string, pos: number, limit: number): number {
  if (pos >= limit) return UNTERMINATED;
  pos += charLength(text, pos, limit);
  const end = scanTokenEnd(text, pos, limit);
  return end < 0 ? UNTERMINATED : end;
}

/** Offset of the first `(` after `from` that sits in column 0, or -1. Used to recover from broken forms. */
export function findColumnZeroOpenParen(text: string, from: number, limit: number): number {
  let best = -1;
  for (const breakChar of ['\n', '\r']) {
    const at = text.indexOf(breakChar + '(', Math.max(from - 1, 0));
    if (at >= 0 && at + 1 >= from && at + 1 < limit && (best < 0 || at + 1 < best)) best = at + 1;
  }
  return best;
}
