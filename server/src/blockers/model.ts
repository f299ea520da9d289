// Shapes produced by the blocker analysis and consumed by the server (hover, tree view,
// workspace summary) and the headless CLI. Pure data: no VS Code, no I/O.

export type Priority = 'HIGH' | 'MEDIUM' | 'LOW';

/** Forms of one category that share a normalised message (see normalizeMessage). */
export interface BlockerPattern {
  pattern: string;
  count: number;
  formIds: string[];
}

/** One blocker category with its impact on the whole analysis. */
export interface Blocker {
  category: string;
  count: number;
  /** 100 × count / compilable forms of the analysis (total − skipped), 2 decimals. */
  impactPct: number;
  priority: Priority;
  /** Why: the priority rule applied to this count and impact, in words (for tooltips). */
  priorityReason: string;
  recommendation: string;
  /** Sorted by count, descending. */
  patterns: BlockerPattern[];
  formIds: string[];
}

/** Per-status counts for a set of analysed forms. */
export interface Summary {
  /** Forms: every top-level datum that was read. Read errors are not forms (see readErrors). */
  total: number;
  compiled: number;
  /** Only `failed` status; timeouts, read errors and crashes are counted separately. */
  failed: number;
  skipped: number;
  timeout: number;
  /** Text the reader could not read (a stray `)`, an unterminated string): counted apart, not in `total`. */
  readErrors: number;
  noOutput: number;
  crashed: number;
  /** 100 × compiled / (total − skipped), 2 decimals; 0 when nothing is compilable. */
  coveragePct: number;
}

/** What categorize() decides for a form that did not compile. */
export interface Categorization {
  category: string;
  /** Operator the failure is attributed to: an inner operator named by the message, else the top-level operator. */
  blameOperator?: string;
}

/** Where the workspace defines a name that a failure message says is missing. */
export interface NameDefinition {
  /** Upper-case, no package prefix. */
  name: string;
  /** Workspace-relative file and 1-based line of the defining form. */
  file: string;
  line: number;
  formId: string;
  /** False when the defining form fails itself (then the name's users wait on its fix). */
  compiled: boolean;
}

/**
 * One fix in the compiler: forms failing at the same site (origin function), with the same
 * condition type and message shape. Ranked by the forms its fix would unlock, transitively.
 */
export interface RootCause {
  /** Stable across runs while the site and the shape stay the same. */
  id: string;
  /** The message shape (see messageShape): one line, at most 200 characters. */
  message: string;
  /** The most common category among its forms. */
  category: string;
  /** Forms that fail with this cause. */
  count: number;
  /** Forms a fix would unlock: its own, and those of every cause that waits on it, transitively. */
  unlocks: number;
  /** 100 × unlocks / total forms, 2 decimals. */
  impactPct: number;
  /** Workspace coverage if this cause and all that wait on it were fixed, 2 decimals. */
  coverageIfFixedPct: number;
  origin?: import('../types.js').Origin;
  /** Host condition class, when the backend reports it. */
  condition?: string;
  formIds: string[];
  /** The missing function, macro or variable the message names, where the workspace defines it. */
  definition?: NameDefinition;
  /** The cause to fix first, when the missing name's own definition fails. */
  waitsOn?: { id: string; explanation: string };
  /** Ids of the causes that wait on this one. */
  blocks: string[];
}
