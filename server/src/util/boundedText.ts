// The one home for bounding what reaches the user: a message built from an unbounded list
// (imports, exports, file names) or an unbounded text (an engine's error, a process's output)
// names the first few items or characters and counts the rest, so a hostile input cannot turn
// one status line into megabytes.

/** How many items a list in a message names before it counts the rest. */
export const listedItems = 3;

/** How many characters of a foreign text (an engine error, a log line) a message keeps. */
export const keptCharacters = 2000;

const count = (n: number): string => n.toLocaleString('en-US');

/** "and 99,997 more" (or "and 5 more warnings"): the one wording for what a bound left out. */
export function andMore(rest: number, noun = ''): string {
  return `and ${count(rest)} more${noun ? ` ${noun}` : ''}`;
}

/**
 * "a, b and c"; beyond `shown` items: "a, b, c and 99,997 more". Each item is clipped too, so
 * one enormous name cannot defeat the bound.
 */
export function listSome(items: readonly string[], shown = listedItems): string {
  const named = items.slice(0, shown).map((item) => clipText(item, 200));
  const rest = items.length - named.length;
  if (rest > 0) return `${named.join(', ')} ${andMore(rest)}`;
  return named.length <= 1 ? named.join('') : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
}

/** `text` itself when short; else its start and "… (N more characters)". */
export function clipText(text: string, max = keptCharacters): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${count(text.length - max)} more characters)`;
}
