// Public surface of the blocker analysis (pure: no VS Code, no I/O).

export type { Blocker, BlockerPattern, Categorization, Priority, Summary } from './model.js';
export type { CategorizeInput } from './categorize.js';
export { shortFunctionName } from './names.js';
export { categorize, extractNamedOperator, extractNamedVariable, UNSUPPORTED_MACROS, DECLARATION_OPERATORS } from './categorize.js';
export { recommendation, recommendationSubject } from './recommendations.js';
export { impactPct, priority, priorityDecision } from './priority.js';
export { normalizeMessage, truncateStructDumps, EMPTY_PATTERN } from './patterns.js';
export { aggregateBlockers, compilableCount, isReadError, summarize } from './aggregate.js';
export type { FormBlame } from './analyze.js';
export { blameForm } from './analyze.js';
export type { NameDefinition, RootCause } from './model.js';
export { buildRootCauses, rootCauseByForm, rootCauseKey, RootCauseMemo } from './rootCauses.js';
export { messageShape, isV8ValidationMessage } from './messageShape.js';
export { summarizeMessage, flattenMessage, SUMMARY_LIMIT } from './summary.js';
