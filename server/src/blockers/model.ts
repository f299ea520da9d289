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
  /** 100 × count / total forms of the analysis, 2 decimals. */
  impactPct: number;
  priority: Priority;
  recommendation: string;
  /** Sorted by count, descending. */
  patterns: BlockerPattern[];
  formIds: string[];
}

/** Per-status counts for a set of analysed forms. */
export interface Summary {
  total: number;
  compiled: number;
  /** Only `failed` status; timeouts, read errors and crashes are counted separately. */
  failed: number;
  skipped: number;
  timeout: number;
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
