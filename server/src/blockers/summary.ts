// One-line summaries of compiler messages: what a diagnostic, a tree label or a report line
// shows. SBCL wraps its reports over lines and prints whole AST structures; a summary keeps
// the words and the shape of each printed object, and says with `…` wherever it left text out.
import { listEnd, truncateStructDumps } from './patterns.js';

/** The longest summary anywhere in the product. */
export const SUMMARY_LIMIT = 200;

/** The SBCL driver's own clipping marker ("… [291 more characters]"): the `…` says enough. */
const CLIP_MARKER = /…\s*\[\d+ more characters\]/g;

/** Whitespace collapsed, driver clip markers shortened, `#S(...)` dumps cut to their type. */
export function flattenMessage(message: string | undefined): string {
  return truncateStructDumps((message ?? '').replace(CLIP_MARKER, '…').replace(/\s+/g, ' ').trim());
}

interface PrintedList {
  start: number;
  end: number;
}

/** Lists outside any other list (and outside strings), in order. */
function outerLists(text: string): PrintedList[] {
  const lists: PrintedList[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const close = text.indexOf('"', i + 1);
      if (close < 0) break;
      i = close;
    } else if (c === '(') {
      const end = listEnd(text, i);
      lists.push({ start: i, end });
      i = end - 1;
    }
  }
  return lists;
}

/** `(HEAD …)` when the list starts with a word, else `(…)`. */
function elidedList(list: string): string {
  const head = /^\(\s*([^\s()"]+)/.exec(list)?.[1];
  return head === undefined ? '(…)' : `(${head} …)`;
}

/** Cuts at a word boundary near `limit` and says so with `…` (the only way text is dropped mid-object). */
function hardCut(text: string, limit: number): string {
  let cut = text.slice(0, limit - 1);
  const space = cut.lastIndexOf(' ');
  if (space > limit - 40) cut = cut.slice(0, space);
  return `${cut.trimEnd()}…`;
}

/**
 * One line of at most `limit` characters. Printed lists are shortened to `(HEAD …)`, the
 * longest first, until the text fits; only then is the end cut, with `…`.
 */
export function summarizeMessage(message: string | undefined, limit = SUMMARY_LIMIT): string {
  let text = flattenMessage(message);
  while (text.length > limit) {
    const candidates = outerLists(text)
      .map((l) => ({ ...l, short: elidedList(text.slice(l.start, l.end)) }))
      .filter((l) => l.short.length < l.end - l.start)
      .sort((a, b) => b.end - b.start - (a.end - a.start));
    const longest = candidates[0];
    if (longest === undefined) return hardCut(text, limit);
    text = text.slice(0, longest.start) + longest.short + text.slice(longest.end);
  }
  return text;
}
