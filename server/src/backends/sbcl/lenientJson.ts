// Clysm's Lisp writers build JSON with `format` and `~S`, which escapes only `"` and `\`: a
// message with a newline makes the file invalid JSON (clysm-facts.md §3). This escapes raw
// control characters inside strings, then parses. Pure.

export function escapeControlCharsInStrings(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') {
        out += ch + (text[i + 1] ?? '');
        i++;
        continue;
      }
      if (ch === '"') inString = false;
      const code = ch.charCodeAt(0);
      out += code < 0x20 ? `\\u${code.toString(16).padStart(4, '0')}` : ch;
    } else {
      if (ch === '"') inString = true;
      out += ch;
    }
  }
  return out;
}

/** Parses Clysm-written JSON; undefined when it is not an object even after repair. */
export function parseLenientJson(text: string): Record<string, unknown> | undefined {
  for (const candidate of [text, escapeControlCharsInStrings(text)]) {
    try {
      const value: unknown = JSON.parse(candidate);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
      return undefined;
    } catch {
      // try the repaired text next
    }
  }
  return undefined;
}
