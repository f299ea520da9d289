// Blocker data for one form: category, blamed operator and where it is, recommendation.

import type { FormResult, InnerOperator, TopLevelForm } from '../types.js';
import { categorize } from './categorize.js';
import { symbolName } from './names.js';
import { recommendation, recommendationSubject } from './recommendations.js';

export interface FormBlame {
  category?: string;
  blameOperator?: string;
  /** Document offsets of the blamed subform's head token, when the blamed operator is an inner one. */
  blameRange?: { start: number; end: number };
  recommendation?: string;
}

/** Ties categorisation, blame location and recommendation together for one form. */
export function blameForm(form: TopLevelForm, result: FormResult, inner: readonly InnerOperator[]): FormBlame {
  const message = result.message ?? form.error;
  const cat = categorize({
    status: result.status,
    message,
    errorType: result.errorType,
    operator: form.operator,
    innerOperators: inner.map((op) => op.name),
  });
  if (cat === undefined) return {};
  const blame: FormBlame = { category: cat.category };
  if (cat.blameOperator !== undefined) {
    blame.blameOperator = cat.blameOperator;
    // The top-level head is already the diagnostic's own range; point only into the form.
    if (form.operator === undefined || cat.blameOperator !== symbolName(form.operator)) {
      const site = inner.find((op) => symbolName(op.name) === cat.blameOperator);
      if (site !== undefined) blame.blameRange = { start: site.start, end: site.end };
    }
  }
  blame.recommendation = recommendation(cat.category, recommendationSubject(cat.category, cat.blameOperator, message));
  return blame;
}
