// Times in tooltips as people read them: "2 minutes ago (3 Dec 2026, 14:03)", in the local time
// zone, instead of the raw ISO strings the server sends. The wording is shared with the server (protocol/time.ts).
import { localTime, relativeTime } from '../../server/src/protocol';

/** "2 minutes ago (3 Dec 2026, 14:03)"; an unparsable string is returned as it is. */
export function describeTime(iso: string, now = new Date()): string {
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return iso;
  return `${relativeTime(then, now)} (${localTime(then)})`;
}

/** ISO-8601 date-times (as the server writes them, `2026-12-03T13:56:39.123Z`). */
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g;

/** Rewrites the ISO times inside a server message ("previous run (finished …)") as describeTime does. */
export function describeTimesIn(text: string, now = new Date()): string {
  return text.replace(ISO_TIME, (iso) => describeTime(iso, now));
}
