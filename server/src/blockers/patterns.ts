// Message normalisation, so that forms failing for the same reason group together and
// messages can be compared across runs. Clysm's pattern ids hash "the first line with
// every run of digits replaced by N"; this does the same, but keeps the name of an
// undefined function (it is the whole point of the message) and shortens structure dumps.

/** Messages with nothing in them group under this pattern. */
export const EMPTY_PATTERN = '(no message)';

const UNDEFINED_FUNCTION = /undefined[ -]function:?\s+/i;
export const SYMBOL_TOKEN = /^[^\s()'"`,;]+/;

/**
 * First line that has any text (a message that starts with a newline still says something).
 * SBCL prints a type error over four lines ("The value~%  X~%is not of type~%  NUMBER"), and
 * its first line alone would put every type error in one group, so those four are joined.
 */
function firstLine(message: string): string {
  const lines = message.split(/\r\n|\r|\n/).filter((line) => line.trim() !== '');
  if (lines.length >= 4 && lines[0].trim() === 'The value' && lines[2].trim().startsWith('is not of type')) {
    return lines.slice(0, 4).join(' ');
  }
  return lines[0] ?? '';
}

/** End (exclusive) of the list that opens at `open`, or the text length when unbalanced. */
export function listEnd(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
    } else if (c === '"' || c === '|') {
      // Strings and |escaped symbols| may hold parentheses.
      const close = text.indexOf(c, i + 1);
      if (close < 0) return text.length;
      i = close;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/**
 * `#S(TYPE :SLOT value ...)` → `#S(TYPE …)`. Printed AST structures run to kilobytes and
 * carry gensyms; the type says what went wrong, the slot values only make every message unique.
 */
export function truncateStructDumps(text: string): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf('#S(', from); at >= 0; at = text.indexOf('#S(', from)) {
    const end = listEnd(text, at + 2);
    const type = SYMBOL_TOKEN.exec(text.slice(at + 3).trimStart())?.[0] ?? '';
    const rest = text.slice(at + 3, end).replace(/\)$/, '').trim();
    out += text.slice(from, at) + (rest === type ? `#S(${type})` : `#S(${type} …)`);
    from = end;
  }
  return out + text.slice(from);
}

/** Gensym counters change from run to run: `#:LOOP-START-18171` → `#:LOOP-START-N`, `G123` → `GN`. */
function normalizeGensym(symbol: string): string {
  if (symbol.startsWith('#:')) return symbol.replace(/\d+$/, 'N');
  return /^G\d+$/i.test(symbol) ? `${symbol[0]}N` : symbol;
}

const digitsToN = (text: string): string => text.replace(/\d+/g, 'N');

/**
 * Grouping key for a message: first non-blank line, whitespace collapsed, `#S(...)` dumps
 * cut to their type, every run of digits → N (this covers gensym counters), except in the
 * symbol named by "Undefined function: X", which is kept (gensyms there are still normalised).
 */
export function normalizeMessage(message: string | undefined): string {
  const line = truncateStructDumps(firstLine(message ?? '').replace(/\s+/g, ' ').trim());
  if (line === '') return EMPTY_PATTERN;
  const m = UNDEFINED_FUNCTION.exec(line);
  if (m) {
    const symbolStart = m.index + m[0].length;
    const symbol = SYMBOL_TOKEN.exec(line.slice(symbolStart))?.[0];
    if (symbol !== undefined) {
      const symbolEnd = symbolStart + symbol.length;
      return digitsToN(line.slice(0, symbolStart)) + normalizeGensym(symbol) + digitsToN(line.slice(symbolEnd));
    }
  }
  return digitsToN(line);
}
