// What the last change to the compiler did to the results: the self-hosting loop's delta.
import { RequestType0 } from 'vscode-languageserver-protocol';
import type { FormRef } from './analysis';

/** A form's outcome as the delta compares it. */
export interface FormOutcome {
  status: string;
  category: string | null;
  message: string | null;
}

/** How a form's result moved between the two compiler generations. */
export type ChangeKind = 'compiled' | 'regression' | 'message';

export interface ChangedForm {
  id: string;
  /** Workspace-relative path. */
  file: string;
  /** 1-based line of the form. */
  line: number;
  name: string | null;
  kind: ChangeKind;
  before: FormOutcome | null;
  after: FormOutcome;
  /** To reveal the form. */
  range: FormRef['range'];
}

export interface ReloadSummary {
  /**
   * How the new compiler came in. `incremental`: the changed forms were evaluated in the running
   * SBCL image; `full`: a fresh SBCL image loaded the system; `stage0`: a Stage 0 rebuilt on disk
   * was loaded in place of the old binary (nothing is evaluated form by form: `forms` is 0).
   */
  mode: 'incremental' | 'full' | 'stage0';
  /** Forms evaluated in place. */
  forms: number;
  errors: { file: string; line: number; name: string | null; message: string }[];
}

export interface LastChange {
  /** ISO time the re-check finished. */
  at: string;
  /** Files whose change caused it (workspace-relative when inside the workspace). */
  files: string[];
  /** `+12 compiled, 1 regression, 3 messages changed (func-section.lisp: COMPILE-IF)`. */
  text: string;
  compiled: number;
  regressions: number;
  messagesChanged: number;
  reload: ReloadSummary;
  /** From the change on disk to the delta. */
  ms: number;
  changed: ChangedForm[];
}

/** Client → server: the delta of the last compiler change, or null before the first one. */
export const LastChangeRequest = new RequestType0<LastChange | null, void>('clysm/lastChange');
