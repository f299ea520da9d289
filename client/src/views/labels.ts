// Text for the views, kept free of VS Code so it is unit-tested directly. It formats what the
// server sent; it computes no analysis results.
import type { BlockerCategoryNode, ChangedForm, FormRef, ModuleRow, ReloadSummary } from '../../../server/src/protocol';

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** "37 forms · 4.4% of compilable": the percentage says what it is of, as coverage does. */
export function categoryDescription(c: Pick<BlockerCategoryNode, 'count' | 'impactPct'>): string {
  return `${plural(c.count, 'form')} · ${c.impactPct.toFixed(1)}% of compilable`;
}

/** "2 read errors (not forms)" */
export function readErrorsDescription(count: number): string {
  return `${plural(count, 'read error')} (not forms)`;
}

/** Last path segment without the `.lisp` extension: the module's short name. */
export function moduleName(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return base.replace(/\.(lisp|lsp|cl)$/i, '');
}

/**
 * "#3:8": a form id (module 3 of the module list, its form 8). The `#` keeps it from reading as
 * line:column next to a `file:line` label.
 */
export function formIdLabel(id: string): string {
  return `#${id}`;
}

/** "#3:8 (form 8 of module 3 in the module list)", for tooltips. */
export function formIdExplained(id: string): string {
  const [moduleIndex, formIndex] = id.split(':');
  return formIndex === undefined ? formIdLabel(id) : `${formIdLabel(id)} (form ${formIndex} of module ${moduleIndex} in the module list)`;
}

/** "leb128:27 ENCODE-UNSIGNED-LEB128" (1-based line, as editors show it). */
export function formLabel(form: Pick<FormRef, 'file' | 'range' | 'name' | 'operator' | 'id'>): string {
  const what = form.name ?? (form.operator ? `(${form.operator.toLowerCase()} …)` : formIdLabel(form.id));
  return `${moduleName(form.file)}:${form.range.start.line + 1} ${what}`;
}

/** compiled/(total − skipped) and the coverage, as the status bar counts them. */
export function moduleDescription(row: ModuleRow): string {
  if (row.problem) return row.problem;
  if (!row.analysed) return 'not analysed yet';
  const compilable = row.total - row.skipped;
  if (compilable === 0) return `${plural(row.total, 'form')}, all skipped`;
  // Stale: counts from the persisted cache, not re-checked yet in this session.
  const readErrors = row.readErrors > 0 ? ` · ${readErrorsDescription(row.readErrors)}` : '';
  return `${row.compiled}/${compilable} · ${row.coveragePct.toFixed(1)}%${readErrors}${row.stale ? ' · cached' : ''}`;
}

/** Coverage bucket for the pie icons in media/: 0, 25, 50, 75 or 100 (100 only when all compile). */
export function coverageBucket(row: Pick<ModuleRow, 'coveragePct' | 'compiled' | 'total' | 'skipped'>): 0 | 25 | 50 | 75 | 100 {
  const compilable = row.total - row.skipped;
  if (compilable <= 0 || row.compiled >= compilable) return 100;
  if (row.compiled === 0) return 0;
  const pct = row.coveragePct;
  // Never round a partial module up to "all" or down to "none".
  if (pct >= 62.5) return 75;
  if (pct >= 37.5) return 50;
  return 25;
}

/** Counts failing forms in a tree (one category per form, so the sum does not double count). */
export function failingCount(categories: readonly Pick<BlockerCategoryNode, 'count'>[]): number {
  return categories.reduce((n, c) => n + c.count, 0);
}

/** Markdown-safe text for tooltips built from compiler messages. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** "105 forms · unlocks 207 → 26.4% · EMIT-INSTRUCTION": what a fix is worth and where it goes. */
export function fixDescription(c: { count: number; unlocks: number; coverageIfFixedPct: number; origin: { name: string } | null }): string {
  const parts = [plural(c.count, 'form')];
  if (c.unlocks > c.count) parts.push(`unlocks ${c.unlocks}`);
  parts.push(`→ ${c.coverageIfFixedPct.toFixed(1)}%`);
  parts.push(c.origin ? c.origin.name : 'rejected by the Wasm engine');
  return parts.join(' · ');
}

/** How the last compiler change came in, for the Last change node's tooltip. */
export function reloadDescription(reload: Pick<ReloadSummary, 'mode' | 'forms'>): string {
  switch (reload.mode) {
    case 'incremental':
      return `Reloaded in place (${plural(reload.forms, 'form')} evaluated)`;
    case 'full':
      return 'Reloaded in a fresh image';
    case 'stage0':
      return 'The rebuilt Stage 0 was loaded in place of the previous one';
  }
}

const changeKindWords: Record<ChangedForm['kind'], string> = { compiled: 'newly compiled', regression: 'newly failing', message: 'message changed' };

/**
 * A Last change row's description: the status move, or for a changed message (the status is the
 * same on both sides, "failed → failed" says nothing) the new message's first line.
 */
export function changedFormDescription(change: Pick<ChangedForm, 'kind' | 'before' | 'after'>): string {
  const what = change.kind === 'message' && change.after.message
    ? change.after.message.split('\n')[0]
    : `${change.before?.status ?? '—'} → ${change.after.status}`;
  return `${changeKindWords[change.kind]}: ${what}`;
}

const CHANGE_KIND_ORDER: Record<ChangedForm['kind'], number> = { compiled: 0, regression: 1, message: 2 };

/** Last change rows: what now compiles, then what broke, then changed messages; file order within each. */
export function changedFormsInOrder(changed: readonly ChangedForm[]): ChangedForm[] {
  return [...changed].sort((a, b) => CHANGE_KIND_ORDER[a.kind] - CHANGE_KIND_ORDER[b.kind]);
}
