// Joins a generator's per-form results (ids only, no positions) with the editor's reader, so
// every form gets its file, line and column, category and blame. Forms the generator never
// reported become `no-output` ("Form not processed", which Clysm counts as failed). Pure.
import { blameForm } from '../blockers';
import { innerOperators, LineIndex, readTopLevelForms } from '../reader';
import type { AnalyzedForm, FormResult } from '../types';
import type { GeneratedForm } from '../backends/generation';

export interface ModuleSource {
  /** 1-based position in the module list. */
  index: number;
  /** Workspace-relative path. */
  path: string;
  /** File text; undefined when the file could not be read. */
  text?: string;
}

export interface JoinedForms {
  forms: AnalyzedForm[];
  /** Forms the generator never reported. */
  notProcessed: number;
  warnings: string[];
}

export const NOT_PROCESSED_MESSAGE = 'Form not processed: the generator reported no result for this form';

export function formResultOf(generated: GeneratedForm | undefined): FormResult {
  if (!generated || generated.status === 'not-processed') return { status: 'no-output', message: generated?.message ?? NOT_PROCESSED_MESSAGE };
  switch (generated.status) {
    case 'compiled':
      return { status: 'compiled' };
    case 'skipped':
      return generated.message ? { status: 'skipped', message: generated.message } : { status: 'skipped' };
    case 'failed':
      return { status: 'failed', errorType: generated.errorType ?? 'compile-error', message: generated.message ?? 'failed' };
  }
}

export function joinGeneratedForms(modules: ModuleSource[], generated: GeneratedForm[]): JoinedForms {
  const byId = new Map(generated.map((g) => [g.id, g]));
  const seen = new Set<string>();
  const forms: AnalyzedForm[] = [];
  const warnings: string[] = [];
  let notProcessed = 0;
  for (const module of modules) {
    if (module.text === undefined) continue;
    const text = module.text;
    const lines = new LineIndex(text);
    for (const form of readTopLevelForms(text)) {
      const id = `${module.index}:${form.index}`;
      const g = byId.get(id);
      seen.add(id);
      if (!g) notProcessed++;
      const result = form.kind === 'read-error' && !g ? { status: 'read-error' as const, message: form.error ?? 'read error' } : formResultOf(g);
      const needsBlame = result.status !== 'compiled' && result.status !== 'skipped' && result.status !== 'no-output';
      const blame = needsBlame ? blameForm(form, result, innerOperators(text, form)) : {};
      forms.push({
        file: module.path,
        id,
        moduleIndex: module.index,
        form,
        result,
        category: blame.category,
        blameOperator: blame.blameOperator,
        blameRange: blame.blameRange ? { start: lines.positionAt(blame.blameRange.start), end: lines.positionAt(blame.blameRange.end) } : undefined,
        recommendation: blame.recommendation,
      });
    }
  }
  const unmatched = generated.filter((g) => !seen.has(g.id));
  if (unmatched.length > 0) {
    const sample = unmatched.slice(0, 5).map((g) => g.id).join(', ');
    warnings.push(`the generator reported ${unmatched.length} form id(s) the editor's reader does not find (${sample}${unmatched.length > 5 ? ', …' : ''}); they are not counted`);
  }
  return { forms, notProcessed, warnings };
}
