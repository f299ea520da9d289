// Shared by the workspace, persistence and view tests: synthetic analysed forms, the real
// fixture Stage 0 behind a counting wrapper, and a wait on events.
import type { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stage0Backend } from '../../server/src/backends/stage0/backend';
import type { AnalyzedForm, FormResult, FormStatus } from '../../server/src/types';
import { fixturePath, workerScript } from './stage0-helpers';

export interface FormSpec {
  file?: string;
  index: number;
  operator?: string;
  name?: string;
  status: FormStatus;
  message?: string;
  category?: string;
  moduleIndex?: number;
}

/** An analysed form with plausible ranges (one line per form), for the pure builders. */
export function syntheticForm(spec: FormSpec): AnalyzedForm {
  const moduleIndex = spec.moduleIndex ?? 1;
  const result: FormResult = { status: spec.status };
  if (spec.message !== undefined) result.message = spec.message;
  if (spec.status === 'compiled') result.bytes = 40;
  const failing = spec.status !== 'compiled' && spec.status !== 'skipped' && spec.status !== 'no-output';
  return {
    file: spec.file ?? 'src/a.lisp',
    id: `${moduleIndex}:${spec.index}`,
    moduleIndex,
    form: {
      index: spec.index,
      kind: spec.status === 'read-error' ? 'read-error' : 'list',
      range: { start: { line: spec.index * 2, character: 0 }, end: { line: spec.index * 2, character: 30 } },
      start: spec.index * 40,
      end: spec.index * 40 + 30,
      text: `(${(spec.operator ?? 'progn').toLowerCase()} ${spec.name?.toLowerCase() ?? ''})`,
      operator: spec.operator,
      name: spec.name,
      package: 'CL-USER',
    },
    result,
    category: failing ? (spec.category ?? 'missing-function') : undefined,
  };
}

export { CountingBackend } from '../support/countingBackend';

/** The real fixture Stage 0 (a WasmGC test double) installed as `dist/clysm-stage0.wasm` of `root`. */
export function fixtureStage0Backend(root: string, modules: string[] = []): Stage0Backend {
  const target = path.join(root, 'dist', 'clysm-stage0.wasm');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(fixturePath('stage0-fixture.wasm'), target);
  return new Stage0Backend({ workspaceRoot: root, stage0Path: 'dist/clysm-stage0.wasm', timeoutMs: 5000, modules, outputDir: 'dist', workerScript });
}

/** A temporary folder with the given workspace-relative files. */
export function workspaceWith(files: Record<string, string>): { root: string; cleanup: () => void } {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-wsm-')));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return { root, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/**
 * Resolves once `holds()` is true: checked at once, then after every `event` of `emitter` (a
 * session's log, an `fs.watch` of a folder). Never polls; the deadline only turns a missing
 * event into a failure that names what was awaited, instead of a hung test.
 */
export function when(emitter: EventEmitter, event: string, holds: () => boolean, what: string, deadlineMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (error?: Error): void => {
      emitter.off(event, check);
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const check = (): void => {
      try {
        if (holds()) finish();
      } catch (error) {
        finish(error as Error);
      }
    };
    const timer = setTimeout(() => finish(new Error(`no ${event} event brought ${what}`)), deadlineMs);
    emitter.on(event, check);
    check();
  });
}
