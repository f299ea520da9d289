// Turning token and string text into the names the Lisp reader would produce. Only called
// for the few tokens that matter (list heads, defined names, package designators).

import { CHAR_BACKSLASH, CHAR_COLON, CHAR_DQUOTE, CHAR_HASH, CHAR_PIPE, charLength } from './scanner';

/**
 * The symbol name a token reads as under readtable case :upcase: unescaped characters are
 * upper-cased, `|...|` and `\x` keep their case, and any package prefix (`pkg:`, `pkg::`,
 * `:` for keywords, `#:` for uninterned symbols) is removed.
 */
export function symbolName(text: string, start: number, end: number): string {
  if (end - start >= 2 && text.charCodeAt(start) === CHAR_HASH && text.charCodeAt(start + 1) === CHAR_COLON) start += 2;
  let name = '';
  let inMultipleEscape = false;
  let pos = start;
  while (pos < end) {
    const code = text.charCodeAt(pos);
    if (code === CHAR_PIPE) {
      inMultipleEscape = !inMultipleEscape;
      pos++;
    } else if (code === CHAR_BACKSLASH && pos + 1 < end) {
      const width = charLength(text, pos + 1, end);
      name += text.slice(pos + 1, pos + 1 + width);
      pos += 1 + width;
    } else if (code === CHAR_COLON && !inMultipleEscape) {
      name = ''; // everything so far was the package prefix
      pos++;
    } else {
      const width = charLength(text, pos, end);
      const char = text.slice(pos, pos + width);
      name += inMultipleEscape ? char : upcaseChar(char);
      pos += width;
    }
  }
  return name;
}

/**
 * The package prefix of a symbol token, as a name (`cl-user::x` gives CL-USER, `:x` gives
 * KEYWORD), or undefined when the token has none. Not for `#:` tokens.
 */
export function packagePrefix(text: string, start: number, end: number): string | undefined {
  let inMultipleEscape = false;
  for (let pos = start; pos < end; pos++) {
    const code = text.charCodeAt(pos);
    if (code === CHAR_PIPE) inMultipleEscape = !inMultipleEscape;
    else if (code === CHAR_BACKSLASH) pos++;
    else if (code === CHAR_COLON && !inMultipleEscape) return pos === start ? 'KEYWORD' : symbolName(text, start, pos);
  }
  return undefined;
}

/** The contents of a string literal `"..."` spanning [start, end), with `\x` escapes resolved. */
export function stringValue(text: string, start: number, end: number): string {
  let value = '';
  let pos = start + 1;
  const stop = end > start + 1 && text.charCodeAt(end - 1) === CHAR_DQUOTE ? end - 1 : end;
  let runStart = pos;
  while (pos < stop) {
    if (text.charCodeAt(pos) === CHAR_BACKSLASH && pos + 1 < stop) {
      value += text.slice(runStart, pos);
      runStart = pos + 1;
      pos += 2;
    } else {
      pos++;
    }
  }
  return value + text.slice(runStart, stop);
}

const POTENTIAL_NUMBER = /^[+-]?(?:\d+\.?|\d*\.\d+(?:[esfdl][+-]?\d+)?|\d+(?:\.\d*)?[esfdl][+-]?\d+|\d+\/\d+)$/i;

/** True when a token reads as a number in base 10 (integers, ratios, floats), not as a symbol. */
export function isNumberToken(text: string, start: number, end: number): boolean {
  return POTENTIAL_NUMBER.test(text.slice(start, end));
}

/** Like CL's char-upcase: a character whose upper case is not a single character (ß) is left alone. */
function upcaseChar(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 128) return code >= 97 && code <= 122 ? String.fromCharCode(code - 32) : char;
  const upper = char.toUpperCase();
  return upper.length === char.length ? upper : char;
}
