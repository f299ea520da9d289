// Workspace-wide blocker ranking and status summary over analysed forms.

import type { AnalyzedForm, FormStatus } from '../types.js';
import { categorize } from './categorize.js';
import type { Blocker, BlockerPattern, Summary } from './model.js';
import { normalizeMessage } from './patterns.js';
import { impactPct, priority, round2 } from './priority.js';
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

/**
 * One blocker per category over the forms that have one, sorted by count (descending),
 * then category name. `totalForms` is the size of the whole analysis (the impact base).
 */
export function aggregateBlockers(forms: readonly AnalyzedForm[], totalForms: number): Blocker[] {
  const groups = new Map<string, Group>();
  for (const form of forms) {
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
    blockers.push({
      category,
      count,
      impactPct: impactPct(count, totalForms),
      priority: priority(count, totalForms),
      recommendation: recommendation(category, subject),
      patterns: [...group.patterns.values()].sort(byCountThen((p) => p.pattern)),
      formIds: group.formIds,
    });
  }
  return blockers.sort(byCountThen((b) => b.category));
}

/**
 * Status counts. Coverage = compiled / (total − skipped) × 100, 2 decimals (Clysm's
 * Phase 13D-3 summary: directives are neither success nor failure); 0 when nothing is compilable.
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
  const total = forms.length;
  const compilable = total - counts.skipped;
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
