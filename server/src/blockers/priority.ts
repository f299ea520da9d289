// Impact and priority of a blocker, with Clysm's `estimate-priority` rule (blocker.lisp).
// Clysm has two other rules (progress.lisp by count only, error-analysis by pattern share);
// this one is the one its blocker report uses, and it weighs impact on the whole run.

import type { Priority } from './model.js';

/** Rounds to 2 decimals, as Clysm prints (`~,2F`); EPSILON keeps 1.005 from rounding down. */
export function round2(x: number): number {
  return Math.round((x + Number.EPSILON) * 100) / 100;
}

/** 100 × count / total, 2 decimals; 0 when total is 0 (an empty analysis has no impact). */
export function impactPct(count: number, total: number): number {
  if (!(total > 0)) return 0;
  return round2((100 * count) / total);
}

/**
 * impact > 10 % → HIGH; impact > 5 % → MEDIUM; count > 10 → MEDIUM; else LOW.
 * The rounded impact is compared, so the number shown and the priority never disagree.
 */
export function priority(count: number, total: number): Priority {
  const impact = impactPct(count, total);
  if (impact > 10) return 'HIGH';
  if (impact > 5) return 'MEDIUM';
  if (count > 10) return 'MEDIUM';
  return 'LOW';
}
