// The root causes of the session's workspace, for hovers, code actions and the Fixes list:
// computed once per set of results (RootCauseMemo), mapped onto the wire here.
import { RootCauseMemo, type RootCause } from '../blockers';
import type { RootCauseList } from '../protocol';
import type { Summary } from '../blockers';
import type { AnalyzedForm } from '../types';
import { codeActionsFor, rootCauseNode, type ClysmCodeAction } from './rootCausePresentation';

/** What the service reads from the workspace model. */
export interface AnalysedWorkspace {
  allForms(): AnalyzedForm[];
  summary(): Summary;
}

export class WorkspaceRootCauses {
  private readonly memo = new RootCauseMemo();

  constructor(private readonly root: string) {}

  all(model: AnalysedWorkspace): RootCause[] {
    return this.memo.all(model.allForms(), () => model.summary());
  }

  ofForm(model: AnalysedWorkspace, formId: string): RootCause | undefined {
    return this.memo.ofForm(formId, model.allForms(), () => model.summary());
  }

  /** The Fixes list; with `file`, only the causes of that module's forms, with only those forms. */
  list(model: AnalysedWorkspace, regressionIds: ReadonlySet<string>, file?: string): RootCauseList {
    const forms = model.allForms();
    const byId = new Map(forms.map((f) => [f.id, f]));
    const summary = model.summary();
    const causes = this.memo.all(forms, () => summary).flatMap((cause) => {
      const own = cause.formIds.map((id) => byId.get(id)).filter((f): f is AnalyzedForm => f !== undefined && (file === undefined || f.file === file));
      return own.length === 0 ? [] : [rootCauseNode(cause, own, this.root, regressionIds)];
    });
    return { causes, coveragePct: summary.coveragePct, totalForms: summary.total };
  }

  codeActions(model: AnalysedWorkspace, formId: string): ClysmCodeAction[] {
    const cause = this.ofForm(model, formId);
    return cause ? codeActionsFor(cause, this.root) : [];
  }
}
