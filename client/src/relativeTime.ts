// Times as people read them: "2 min ago · 14:03" in the local time zone, instead of raw ISO strings.
// Pure, so it is unit-tested with a fixed "now".

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "3 h ago", "2 days ago" (or "in …" for a clock that runs ahead). */
export function relativeTime(then: Date, now: Date): string {
  const ms = now.getTime() - then.getTime();
  const past = ms >= 0;
  const abs = Math.abs(ms);
  const say = (n: number, unit: string) => (past ? `${n} ${unit} ago` : `in ${n} ${unit}`);
  if (abs < 45_000) return 'just now';
  if (abs < 90 * MINUTE) return say(Math.max(1, Math.round(abs / MINUTE)), 'min');
  if (abs < 36 * HOUR) return say(Math.round(abs / HOUR), 'h');
  const days = Math.round(abs / DAY);
  return say(days, days === 1 ? 'day' : 'days');
}

/** The local clock time, with the date when it is not today. */
export function localTime(then: Date, now: Date): string {
  const time = then.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return then.toDateString() === now.toDateString() ? time : `${then.toLocaleDateString()} ${time}`;
}

/** "2 min ago · 14:03"; an unparsable string is returned as it is. */
export function describeTime(iso: string, now = new Date()): string {
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return iso;
  return `${relativeTime(then, now)} · ${localTime(then, now)}`;
}

/** ISO-8601 date-times (as the server writes them, `2026-12-03T13:56:39.123Z`). */
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** Rewrites the ISO times inside a server message ("previous run (finished …)") as describeTime does. */
export function describeTimesIn(text: string, now = new Date()): string {
  return text.replace(ISO_TIME, (iso) => describeTime(iso, now));
}
