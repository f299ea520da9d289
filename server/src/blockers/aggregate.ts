// Workspace-wide blocker ranking and status summary over analysed forms.

import type { AnalyzedForm, FormStatus } from '../types.js';
import { categorize } from './categorize.js';
import type { Blocker, BlockerPattern, Summary } from './model.js';
import { normalizeMessage } from './patterns.js';
import { impactPct, priorityDecision, round2 } from './priority.js';
import { recommendation, recommendationSubject } from './recommendations.js';

export function messageOf(form: AnalyzedForm): string | undefined {
  return form.result.message ?? form.form.error;
}

/** The form's category as analysed, or derived from its result alone when it was not (no inner operators). */
export function categoryOf(form: AnalyzedForm): { category: string; blameOperator?: string } | undefined {
  if (form.category !== undefined) return { category: form.category, blameOperator: form.blameOperator };
  return categorize({
    status: form.result.status,
    message: messageOf(form),
    errorType: form.result.errorType,
    operator: form.form.operator,
    innerOperators: [],
  });
}

function byCountThen<T extends { count: number }>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => b.count - a.count || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

interface Group {
  formIds: string[];
  /** Recommendation subject of every form; one value when they all agree. */
  subjects: Set<string | undefined>;
  patterns: Map<string, BlockerPattern>;
}

/** A read error is text the reader could not read: not a form, so it is counted apart from forms. */
export function isReadError(form: AnalyzedForm): boolean {
  return form.result.status === 'read-error';
}

/**
 * The denominator of every percentage over forms (coverage, blocker impact): the compilable
 * forms, that is every form except skipped directives. Read errors are not forms.
 */
export function compilableCount(summary: Pick<Summary, 'total' | 'skipped'>): number {
  return summary.total - summary.skipped;
}

/**
 * One blocker per category over the forms that have one, sorted by count (descending),
 * then category name. Impact is relative to the compilable forms of `forms` (compilableCount),
 * the same base as coverage, so fixing a blocker of impact x % raises coverage by up to x points.
 * Read errors are not forms: they are counted apart (Summary.readErrors), not as a blocker.
 */
export function aggregateBlockers(forms: readonly AnalyzedForm[]): Blocker[] {
  const base = compilableCount(summarize(forms));
  const groups = new Map<string, Group>();
  for (const form of forms) {
    if (isReadError(form)) continue;
    const cat = categoryOf(form);
    if (cat === undefined) continue;
    let group = groups.get(cat.category);
    if (group === undefined) {
      group = { formIds: [], subjects: new Set(), patterns: new Map() };
      groups.set(cat.category, group);
    }
    group.formIds.push(form.id);
    group.subjects.add(recommendationSubject(cat.category, cat.blameOperator, messageOf(form)));
    const key = normalizeMessage(messageOf(form));
    let pattern = group.patterns.get(key);
    if (pattern === undefined) {
      pattern = { pattern: key, count: 0, formIds: [] };
      group.patterns.set(key, pattern);
    }
    pattern.count++;
    pattern.formIds.push(form.id);
  }

  const blockers: Blocker[] = [];
  for (const [category, group] of groups) {
    const count = group.formIds.length;
    // Name the operator or function only when it is the same for every form of the category.
    const [only] = group.subjects;
    const subject = group.subjects.size === 1 ? only : undefined;
    const decision = priorityDecision(count, base);
    blockers.push({
      category,
      count,
      impactPct: impactPct(count, base),
      priority: decision.priority,
      priorityReason: decision.reason,
      recommendation: recommendation(category, subject),
      patterns: [...group.patterns.values()].sort(byCountThen((p) => p.pattern)),
      formIds: group.formIds,
    });
  }
  return blockers.sort(byCountThen((b) => b.category));
}

/**
 * Status counts. `total` counts forms; read errors are not forms and are only in `readErrors`.
 * Coverage = compiled / (total − skipped) × 100, 2 decimals (Clysm's Phase 13D-3 summary:
 * directives are neither success nor failure); 0 when nothing is compilable.
 */
export function summarize(forms: readonly AnalyzedForm[]): Summary {
  const counts: Record<FormStatus, number> = {
    compiled: 0,
    failed: 0,
    skipped: 0,
    timeout: 0,
    'no-output': 0,
    'read-error': 0,
    crashed: 0,
  };
  for (const form of forms) counts[form.result.status]++;
  const total = forms.length - counts['read-error'];
  const compilable = compilableCount({ total, skipped: counts.skipped });
  return {
    total,
    compiled: counts.compiled,
    failed: counts.failed,
    skipped: counts.skipped,
    timeout: counts.timeout,
    readErrors: counts['read-error'],
    noOutput: counts['no-output'],
    crashed: counts.crashed,
    coveragePct: compilable > 0 ? round2((100 * counts.compiled) / compilable) : 0,
  };
}
