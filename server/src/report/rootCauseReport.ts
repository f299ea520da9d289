// Root causes in the `clysm-check` report: the JSON entries (snake_case, like the rest of the
// report) and the text lines. Pure: built from the blocker analysis's root causes.
import { shortFunctionName, type RootCause } from '../blockers';
import type { Origin } from '../types';

export interface ReportRootCause {
  id: string;
  /** The message shape: one line, at most 200 characters. */
  message: string;
  category: string;
  /** Forms that fail with this cause. */
  count: number;
  /** Forms a fix would unlock, counting those that wait on it (the ranking key). */
  unlocks: number;
  /** 100 × unlocks / total forms. */
  impact_pct: number;
  coverage_if_fixed_pct: number;
  /** Where the compiler raised it (1-based line and column), or null when the backend cannot say (V8 rejections). */
  origin: Origin | null;
  condition: string | null;
  /** The cause to fix first, when this one's missing name is defined by a failing form. */
  waits_on: { id: string; explanation: string } | null;
  forms: string[];
}

export function reportRootCauses(causes: readonly RootCause[]): ReportRootCause[] {
  return causes.map((c) => ({
    id: c.id,
    message: c.message,
    category: c.category,
    count: c.count,
    unlocks: c.unlocks,
    impact_pct: c.impactPct,
    coverage_if_fixed_pct: c.coverageIfFixedPct,
    origin: c.origin ?? null,
    condition: c.condition ?? null,
    waits_on: c.waitsOn ?? null,
    forms: c.formIds,
  }));
}

/** `func-section.lisp:120 COMPILE-CALL`: where to change the compiler, in one short phrase. */
export function originPhrase(origin: Origin): string {
  return `${shortFunctionName(origin.function)} (${origin.file}:${origin.line})`;
}

/** Text mode: the first `top` root causes, one line each, with where to fix them. */
export function formatRootCauseLines(causes: readonly ReportRootCause[], top = 10): string[] {
  if (causes.length === 0) return [];
  const lines = ['Top root causes (forms failing · forms unlocked · impact, % of compilable forms):'];
  for (const c of causes.slice(0, top)) {
    const where = c.origin ? ` — in ${originPhrase(c.origin)}` : '';
    lines.push(`  ${String(c.count).padStart(5)}  ${String(c.unlocks).padStart(5)}  ${c.impact_pct.toFixed(2).padStart(6)}%  ${c.category}: ${c.message}${where}`);
    if (c.waits_on) lines.push(`  ${''.padStart(5)}  ${''.padStart(5)}  ${''.padStart(7)}  ↳ ${c.waits_on.explanation}`);
  }
  return lines;
}
