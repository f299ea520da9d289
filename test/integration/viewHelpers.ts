// Helpers shared by the integration suites: the extension's id and time limit, clysm
// diagnostics, the headless CLI as the source of truth, waiting on the extension's events
// (never on sleeps), and locating forms in Lisp text.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClysmApi } from '../../client/src/api';

export const EXT_ID = 'clysm-tools.clysm-vscode';
export const WAIT_MS = 30_000;

/** The extension, activated, once its servers have started (or failed to). */
export async function activatedApi(): Promise<ClysmApi> {
  const ext = vscode.extensions.getExtension<ClysmApi>(EXT_ID);
  assert.ok(ext, `extension ${EXT_ID} is not installed`);
  const api = await ext.activate();
  await api.ready();
  return api;
}

/** A diagnostic's code as a string (the server sends categories as codes). */
export const codeOf = (d: vscode.Diagnostic): string | undefined =>
  d.code === undefined ? undefined : String(typeof d.code === 'object' ? d.code.value : d.code);

export const clysmDiagnostics = (uri: vscode.Uri): vscode.Diagnostic[] =>
  vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'clysm');

/** Hover text at a position, all providers' contents joined. */
export async function hoverText(uri: vscode.Uri, pos: vscode.Position): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos)) ?? [];
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n---\n');
}

/** The part of `clysm-check --json` the views are compared with (bin/src, checkReport.ts). */
export interface CliReport {
  backend: string;
  module_list: { modules: string[] };
  summary: { total: number; compiled: number; failed: number; skipped: number; timeout: number; read_errors: number; coverage_pct: number };
  forms: { file: string; id: string; line: number; column: number; status: string; category: string | null; operator: string | null; name: string | null }[];
  blockers: { category: string; count: number; impact_pct: number; priority: string; recommendation: string; forms: string[] }[];
  root_causes: { id: string; message: string; count: number; unlocks: number; forms: string[]; origin: { file: string; line: number; function: string } | null }[];
}

/**
 * Runs the bundled `dist/cli.js WORKSPACE --json` with this extension host's own runtime (Node 24
 * in code-server; under Electron, ELECTRON_RUN_AS_NODE makes the binary act as Node).
 * Exit code 1 only means "some form failed", which the example workspace has.
 */
export async function runCli(extensionPath: string, workspace: string): Promise<CliReport> {
  // An installed .vsix ships no CLI: then use the one built in this repository (out/test/integration/../../..).
  const shipped = path.join(extensionPath, 'dist', 'cli.js');
  const cli = fs.existsSync(shipped) ? shipped : path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');
  // The CLI reads the disk, the server the editor's buffers: an earlier test's restored (or
  // auto-saved) buffer must be on disk before both are compared.
  await vscode.workspace.saveAll(false);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [cli, workspace, '--json'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error && error.code !== 1) {
        reject(new Error(`clysm-check failed (${String(error.code)}): ${stderr || error.message}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as CliReport);
      } catch (e) {
        reject(new Error(`clysm-check printed no JSON: ${String(e)}\n${stdout.slice(0, 500)}\n${stderr}`));
      }
    });
  });
}

/**
 * Resolves with probe()'s first defined value: checked now, then after each of `events`.
 * Rejects after timeoutMs with what() describing the last state.
 */
export function waitFor<T>(
  events: vscode.Event<unknown>[],
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  describe: () => string = () => '',
  timeoutMs = 30_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    let checking = false;
    let again = false;
    const subs: vscode.Disposable[] = [];
    const finish = (error: Error | undefined, value?: T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const s of subs) s.dispose();
      if (error) reject(error);
      else resolve(value as T);
    };
    // Probes may be async: never run two at once, but re-run when an event came in meanwhile.
    const check = async (): Promise<void> => {
      if (done) return;
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        const value = await probe();
        if (value !== undefined) finish(undefined, value);
      } catch (e) {
        finish(e instanceof Error ? e : new Error(String(e)));
      } finally {
        checking = false;
      }
      if (again && !done) {
        again = false;
        void check();
      }
    };
    // Subscribe before the first check so no event can fall between the two.
    for (const event of events) subs.push(event(() => void check()));
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describeSafely(describe)}`)), timeoutMs);
    void check();
  });
}

function describeSafely(describe: () => string): string {
  try {
    const text = describe();
    return text ? `; now: ${text}` : '';
  } catch (e) {
    return `; (describe failed: ${String(e)})`;
  }
}

export interface Span {
  start: number;
  end: number;
}

/**
 * Offsets of the top-level list forms of Lisp text, skipping comments, strings, `|symbols|` and
 * character literals: enough to find the whole form around a blamed range in the example modules.
 */
export function topLevelForms(text: string): Span[] {
  const forms: Span[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ';') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '#' && text[i + 1] === '|') {
      let nest = 1;
      for (i += 2; i < text.length && nest > 0; i++) {
        if (text[i] === '|' && text[i + 1] === '#') {
          nest--;
          i++;
        } else if (text[i] === '#' && text[i + 1] === '|') {
          nest++;
          i++;
        }
      }
      i--;
    } else if (c === '#' && text[i + 1] === '\\') {
      i += 2;
    } else if (c === '"' || c === '|') {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (c === '\\') {
      i++;
    } else if (c === '(') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === ')' && depth > 0) {
      depth--;
      if (depth === 0) forms.push({ start, end: i + 1 });
    }
  }
  return forms;
}

export async function replaceText(doc: vscode.TextDocument, span: Span, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end)), text);
  assert.ok(await vscode.workspace.applyEdit(edit), 'applyEdit refused the edit');
}

/** Category → count, in order: the shape both the tree and the CLI's `blockers` have. */
export const countsOf = (categories: readonly { category: string; count: number }[]): string[] => categories.map((c) => `${c.category}=${c.count}`);

/** The workspace folder and the activated extension's API (ready): the setup of a suite on the example workspace. */
export async function activateClysm(): Promise<{ api: import('../../client/src/api').ClysmApi; extensionPath: string; folder: vscode.WorkspaceFolder }> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the example workspace is not open');
  const ext = vscode.extensions.getExtension<import('../../client/src/api').ClysmApi>(EXT_ID);
  assert.ok(ext, `extension ${EXT_ID} is not installed`);
  const api = await ext.activate();
  await api.ready();
  return { api, extensionPath: ext.extensionPath, folder };
}
