// Times as people read them, for the server's hovers and the client's tooltips alike: one rule,
// shared like the protocol so that the client does not import server code.

/** Local wall-clock time, in the product's language: "3 Dec 2026, 13:02". */
export function localTime(at: Date): string {
  return at.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

const relativeUnits: Array<[Intl.RelativeTimeFormatUnit, number]> = [['day', 86_400], ['hour', 3_600], ['minute', 60], ['second', 1]];

/** "2 hours ago", "yesterday", "now": the largest whole unit. */
export function relativeTime(at: Date, now: Date): string {
  const seconds = Math.round((at.getTime() - now.getTime()) / 1000);
  const [unit, size] = relativeUnits.find(([, n]) => Math.abs(seconds) >= n) ?? relativeUnits[relativeUnits.length - 1];
  return new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(Math.round(seconds / size), unit);
}
