// The delta of a compiler change: which forms' results moved between the results just before
// the change and the re-check after it. Pure: the session records the two sets of outcomes.
import * as path from 'node:path';
import type { ChangedForm, ChangeKind, FormOutcome, ReloadSummary } from '../protocol';
import type { AnalyzedForm } from '../types';

export function outcomeOf(form: AnalyzedForm): FormOutcome {
  return { status: form.result.status, category: form.category ?? null, message: form.result.message ?? null };
}

/** The outcomes to compare the next re-check with, by form id. */
export function outcomesById(forms: readonly AnalyzedForm[]): Map<string, FormOutcome> {
  return new Map(forms.map((form) => [form.id, outcomeOf(form)]));
}

/**
 * A message as the delta compares it: gensym counters and object addresses differ from one
 * image to the next, so digit runs and `{…}` addresses do not make a change.
 */
export function comparableMessage(message: string | null): string | null {
  return message === null ? null : message.replace(/\{[0-9A-Fa-f]+\}/g, '{…}').replace(/\d+/g, 'N');
}

function changeKind(before: FormOutcome, after: FormOutcome): ChangeKind | undefined {
  const compiledBefore = before.status === 'compiled';
  const compiledAfter = after.status === 'compiled';
  if (compiledAfter && !compiledBefore) return 'compiled';
  if (compiledBefore && !compiledAfter) return 'regression';
  const messageChanged = comparableMessage(before.message) !== comparableMessage(after.message);
  if (before.status !== after.status || messageChanged || before.category !== after.category) return 'message';
  return undefined;
}

/**
 * Forms whose outcome changed, in the order of `after`. A form that did not exist before (its
 * text was edited too) is left out: the compiler change is not what changed it.
 */
export function changedForms(before: ReadonlyMap<string, FormOutcome>, after: readonly AnalyzedForm[]): ChangedForm[] {
  const changed: ChangedForm[] = [];
  for (const form of after) {
    const previous = before.get(form.id);
    if (!previous) continue;
    const now = outcomeOf(form);
    const kind = changeKind(previous, now);
    if (!kind) continue;
    changed.push({
      id: form.id,
      file: form.file,
      line: form.form.range.start.line + 1,
      name: form.form.name ?? null,
      kind,
      before: previous,
      after: now,
      range: form.form.range,
    });
  }
  return changed;
}

export interface DeltaCounts {
  compiled: number;
  regressions: number;
  messagesChanged: number;
}

export function deltaCounts(changed: readonly ChangedForm[]): DeltaCounts {
  const count = (kind: ChangeKind): number => changed.filter((c) => c.kind === kind).length;
  return { compiled: count('compiled'), regressions: count('regression'), messagesChanged: count('message') };
}

/** `+12 compiled, 1 regression, 3 messages changed (func-section.lisp: COMPILE-IF)`. */
export function deltaText(counts: DeltaCounts, files: readonly string[], names: readonly string[]): string {
  const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  const parts = [
    `+${counts.compiled} compiled`,
    plural(counts.regressions, 'regression', 'regressions'),
    plural(counts.messagesChanged, 'message changed', 'messages changed'),
  ];
  const shownNames = names.length > 3 ? [...names.slice(0, 3), `+${names.length - 3} more`] : names;
  const where = files.map((file) => path.basename(file)).join(', ');
  const cause = where ? ` (${where}${shownNames.length > 0 ? `: ${shownNames.join(', ')}` : ''})` : '';
  return `${parts.join(', ')}${cause}`;
}

/** What a hover says about a form the last compiler change (`mode`: how it was applied) moved. */
export function changeHoverLine(change: ChangedForm, mode: ReloadSummary['mode']): string {
  const was = change.before ? `${change.before.status}${change.before.message ? `: ${change.before.message}` : ''}` : 'no result';
  const how = change.kind === 'compiled' ? 'now compiles' : change.kind === 'regression' ? 'no longer compiles' : 'has a different result';
  const since = mode === 'stage0' ? 'Since Stage 0 was rebuilt' : 'Since the last compiler edit';
  return `${since}, this form ${how} (before: ${was}).`;
}
