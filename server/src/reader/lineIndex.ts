// Offset <-> LSP position conversion. Offsets and characters are UTF-16 code units, lines end
// at `\n`, `\r\n` or `\r` (as in LSP and vscode-languageserver-textdocument).

import type { Position, Range } from '../types';
import { CHAR_CR, CHAR_LF } from './scanner';

export class LineIndex {
  /** Offset of the first character of every line; always starts with 0. */
  private readonly lineStarts: number[];

  constructor(private readonly text: string) {
    this.lineStarts = text.indexOf('\r') < 0 ? lineStartsLf(text) : lineStartsAnyBreak(text);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** Position of an offset; offsets outside the text are clamped to it. */
  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(Math.floor(offset), this.text.length));
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid] <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: clamped - starts[low] };
  }

  /** Offset of a position; a line past the end gives the text length, a character past the end of its line gives the line's end (before the line break). */
  offsetAt(position: Position): number {
    const starts = this.lineStarts;
    if (position.line >= starts.length) return this.text.length;
    if (position.line < 0) return 0;
    const lineStart = starts[position.line];
    const contentEnd = this.lineContentEnd(position.line);
    return Math.min(lineStart + Math.max(0, position.character), contentEnd);
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  /** Offset just before the line break that ends `line` (or the text length on the last line). */
  private lineContentEnd(line: number): number {
    const starts = this.lineStarts;
    if (line + 1 >= starts.length) return this.text.length;
    let end = starts[line + 1];
    if (end > starts[line] && this.text.charCodeAt(end - 1) === CHAR_LF) end--;
    if (end > starts[line] && this.text.charCodeAt(end - 1) === CHAR_CR) end--;
    return end;
  }
}

/** Fast path for text without `\r`: indexOf jumps from line to line. */
function lineStartsLf(text: string): number[] {
  const starts = [0];
  let at = text.indexOf('\n');
  while (at >= 0) {
    starts.push(at + 1);
    at = text.indexOf('\n', at + 1);
  }
  return starts;
}

function lineStartsAnyBreak(text: string): number[] {
  const starts = [0];
  const length = text.length;
  for (let pos = 0; pos < length; pos++) {
    const code = text.charCodeAt(pos);
    if (code === CHAR_CR) {
      if (pos + 1 < length && text.charCodeAt(pos + 1) === CHAR_LF) pos++;
      starts.push(pos + 1);
    } else if (code === CHAR_LF) {
      starts.push(pos + 1);
    }
  }
  return starts;
}
