// How root causes look in the editor: the Fixes list's nodes, the hover's root-cause part,
// the full message in a bounded fenced block, code actions and the docs link of a category.
// Pure: the server passes the workspace root and the causes it computed.
import * as path from 'node:path';
import type { RootCause } from '../blockers';
import { extractNamedOperator, extractNamedVariable, shortFunctionName } from '../blockers';
import { ClientCommands, type RootCauseNode, type SourceLocation } from '../protocol';
import type { AnalyzedForm, Origin } from '../types';
import { formRef } from './viewData';

/** Lines of a message a hover shows before it sends the reader to Open Full Message. */
export const HOVER_MESSAGE_LINES = 30;

/** Where the category docs live (docs/blockers.md in the extension's repository). */
const BLOCKERS_DOCS = 'https://github.com/clysm-tools/clysm-vscode/blob/main/docs/blockers.md';

/** The docs section of a category: each has its own heading in docs/blockers.md ("Category reference"). */
export function categoryDocsUrl(category: string): string {
  const anchor = category.startsWith('unsupported-') && !['unsupported-macro', 'unsupported-declaration'].includes(category) ? 'unsupported-op' : category;
  return `${BLOCKERS_DOCS}#${anchor}`;
}

/** An absolute path for a workspace-relative one (origins outside the workspace are absolute already). */
export function absoluteIn(root: string, file: string): string {
  return path.isAbsolute(file) ? file : path.join(root, ...file.split('/'));
}

export function originLocation(root: string, origin: Origin): SourceLocation & { function: string; name: string; file: string } {
  return { path: absoluteIn(root, origin.file), line: origin.line, column: origin.column, function: origin.function, name: shortFunctionName(origin.function), file: origin.file };
}

/** Text shown as Markdown prose (a summary): compiler messages are full of `*`, `_`, backquotes and brackets. */
export function escapeMarkdownText(text: string): string {
  return text.replace(/[\\`*_{}[\]<>#|]/g, '\\$&');
}

function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

export function rootCauseNode(cause: RootCause, forms: readonly AnalyzedForm[], root: string, regressionIds: ReadonlySet<string>): RootCauseNode {
  const def = cause.definition;
  return {
    id: cause.id,
    message: cause.message,
    category: cause.category,
    count: forms.length,
    unlocks: cause.unlocks,
    impactPct: cause.impactPct,
    coverageIfFixedPct: cause.coverageIfFixedPct,
    origin: cause.origin ? originLocation(root, cause.origin) : null,
    waitsOn: cause.waitsOn ?? null,
    definition: def ? { name: def.name, file: def.file, path: absoluteIn(root, def.file), line: def.line, column: 1 } : null,
    forms: forms.map((f) => formRef(f, regressionIds.has(f.id))),
  };
}

/**
 * The message in a fenced block of at most 30 lines (each cut at 200 characters), then a
 * link that opens all of it. Compiler messages print whole AST structures.
 */
export function fullMessageBlock(formId: string, message: string): string {
  const lines = message.split(/\r\n|\r|\n/);
  const shown = lines.slice(0, HOVER_MESSAGE_LINES).map((l) => (l.length > 200 ? `${l.slice(0, 199)}…` : l));
  const hidden = lines.length - shown.length;
  const fence = '```text\n' + shown.join('\n').replace(/```/g, '`\u200b``') + (hidden > 0 ? `\n… ${hidden} more lines` : '') + '\n```';
  return `${fence}\n[Open Full Message](${commandUri(ClientCommands.openFullMessage, [formId])})`;
}

/** The hover's root-cause part: impact, where to fix it, what it waits on. */
export function rootCauseHoverLines(cause: RootCause, coveragePct: number, root: string): string[] {
  const lines: string[] = [];
  const others = cause.count - 1;
  lines.push(
    `**Root cause** \`${cause.category}\`: ${cause.count} form${cause.count === 1 ? '' : 's'} fail${cause.count === 1 ? 's' : ''} with it` +
      (others > 0 ? ` (this one and ${others} more)` : '') +
      `; fixing it unlocks ${cause.unlocks} form${cause.unlocks === 1 ? '' : 's'}: coverage ${coveragePct.toFixed(2)}% → ${cause.coverageIfFixedPct.toFixed(2)}%. ` +
      `[Show All Forms with This Root Cause](${commandUri(ClientCommands.showRootCause, [cause.id])})`,
  );
  if (cause.origin) {
    const at = originLocation(root, cause.origin);
    lines.push(`Raised in \`${shortFunctionName(at.function)}\` (${at.file}:${at.line}) · [Go to Compiler Source](${commandUri(ClientCommands.openLocation, [at])})`);
  }
  if (cause.waitsOn) lines.push(`**Fix first:** ${cause.waitsOn.explanation}.`);
  return lines;
}

export interface ClysmCodeAction {
  title: string;
  kind: 'quickfix';
  diagnostics?: unknown[];
  command: { title: string; command: string; arguments: unknown[] };
}

/** The name a failure says is missing, for "Go to Definition of X". */
function missingName(cause: RootCause): string | undefined {
  return cause.category === 'missing-function' ? extractNamedOperator(cause.message) : cause.category === 'missing-variable' ? extractNamedVariable(cause.message) : undefined;
}

/** Code actions of one Clysm diagnostic, from its root cause. */
export function codeActionsFor(cause: RootCause, root: string): ClysmCodeAction[] {
  const actions: ClysmCodeAction[] = [];
  const action = (title: string, command: string, args: unknown[]): void => {
    actions.push({ title, kind: 'quickfix', command: { title, command, arguments: args } });
  };
  if (cause.origin) {
    action(`Go to Compiler Source (${shortFunctionName(cause.origin.function)})`, ClientCommands.openLocation, [originLocation(root, cause.origin)]);
  }
  action('Show All Forms with This Root Cause', ClientCommands.showRootCause, [cause.id]);
  const def = cause.definition;
  if (def !== undefined && def.name === missingName(cause)) {
    action(`Go to Definition of ${def.name}`, ClientCommands.openLocation, [{ path: absoluteIn(root, def.file), line: def.line, column: 1 }]);
  }
  return actions;
}

/** Position of `offset` in `text`, counted from `origin` (the text's own start position). */
function positionIn(text: string, offset: number, origin: { line: number; character: number }): { line: number; character: number } {
  const before = text.slice(0, offset);
  const newline = before.lastIndexOf('\n');
  if (newline < 0) return { line: origin.line, character: origin.character + offset };
  return { line: origin.line + (before.match(/\n/g)?.length ?? 0), character: offset - newline - 1 };
}

/**
 * The operator and name of a form (`defun compile-foo`, `defmethod (setf x)`): where a failure
 * blamed on the defining operator is squiggled, rather than the whole body. Undefined for
 * atoms and read errors.
 */
export function definitionHeadRange(form: AnalyzedForm['form']): AnalyzedForm['form']['range'] | undefined {
  if (form.kind !== 'list' || form.operator === undefined) return undefined;
  const head = /\(\s*([^\s()'"`,;]+)(?:\s+(\([^()]*\)|[^\s()'"`,;]+))?/.exec(form.text);
  if (!head) return undefined;
  const start = head.index + head[0].indexOf(head[1]);
  const end = head.index + head[0].length;
  return { start: positionIn(form.text, start, form.range.start), end: positionIn(form.text, end, form.range.start) };
}
