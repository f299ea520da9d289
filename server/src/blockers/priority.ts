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
 * `total` is the number of compilable forms (total − skipped), the base of every percentage.
 * impact > 10 % → HIGH; impact > 5 % → MEDIUM; count > 10 → MEDIUM; else LOW, with the reason
 * in words (the views show it; the client holds no copy of the rule).
 * The rounded impact is compared, so the number shown and the priority never disagree.
 */
export function priorityDecision(count: number, total: number): { priority: Priority; reason: string } {
  const impact = impactPct(count, total);
  const share = `${impact.toFixed(2)} % of compilable forms`;
  if (impact > 10) return { priority: 'HIGH', reason: `impact ${share} is above 10 %` };
  if (impact > 5) return { priority: 'MEDIUM', reason: `impact ${share} is above 5 %` };
  if (count > 10) return { priority: 'MEDIUM', reason: `${count} forms is more than 10 (impact ${share})` };
  return { priority: 'LOW', reason: `impact ${share} is at most 5 % and ${count} forms at most 10` };
}

export function priority(count: number, total: number): Priority {
  return priorityDecision(count, total).priority;
}
