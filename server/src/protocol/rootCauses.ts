// Root causes on the wire: the Fixes mode of the Blockers view, the commands that diagnostics'
// code actions and hovers run, and the full text of a form's message.
import { RequestType } from 'vscode-languageserver-protocol';
import type { BlockerTreeParams, FormRef } from './analysis';

/** A place in a file the client can open: an absolute path and a 1-based line and column. */
export interface SourceLocation {
  path: string;
  line: number;
  column: number;
}

export interface RootCauseNode {
  id: string;
  /** The message shape: one line, at most 200 characters. */
  message: string;
  category: string;
  /** Forms failing with this cause (in the view's scope). */
  count: number;
  /** Forms a fix would unlock, counting those that wait on it. */
  unlocks: number;
  impactPct: number;
  coverageIfFixedPct: number;
  /** The compiler function to change, and where it is defined; null when the backend cannot say (V8 rejections). */
  origin: (SourceLocation & { function: string; name: string; file: string }) | null;
  /** Why this cause waits on another one, and which. */
  waitsOn: { id: string; explanation: string } | null;
  /** Where the workspace defines the missing name this cause is about. */
  definition: (SourceLocation & { name: string; file: string }) | null;
  forms: FormRef[];
}

export interface RootCauseList {
  causes: RootCauseNode[];
  coveragePct: number;
  totalForms: number;
}

/** The Fixes mode: root causes across categories, most forms unlocked first. `file` limits them to one module's forms. */
export const RootCausesRequest = new RequestType<BlockerTreeParams, RootCauseList, void>('clysm/rootCauses');

/** The full message of one form (hovers and diagnostics show a bounded part of it). */
export const FormMessageRequest = new RequestType<{ id: string }, { id: string; message: string } | null, void>('clysm/formMessage');

/** Client commands the server names in code actions and hover links. */
export const ClientCommands = {
  /** Arguments: one SourceLocation. */
  openLocation: 'clysm.openLocation',
  /** Arguments: a root cause id; reveals it in the Blockers view's Fixes mode. */
  showRootCause: 'clysm.showRootCause',
  /** Arguments: a form id; opens its full message in an editor. */
  openFullMessage: 'clysm.openFullMessage',
} as const;
