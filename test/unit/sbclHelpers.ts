// Shared set-up for the SBCL backend tests: the stand-in `clysm` system (a test double, not
// Clysm) and a backend factory that records its log.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SbclBackend, type SbclBackendOptions } from '../../server/src/backends/sbcl/sbclBackend';
import type { SbclFormResult } from '../../server/src/backends/sbcl/resultMapping';
import { webAssembly } from '../../server/src/wasm/webAssembly';
import { repoRoot } from '../support/repo';

// SBCL is never optional here: `npm test` installs it (scripts/setup-test-packages.sh), and
// without it these tests fail with the backend's own "sbcl not found" message.

export const standinWorkspace = path.join(repoRoot, 'test', 'fixtures', 'sbcl-workspace');
export const driverSource = path.join(repoRoot, 'server', 'lisp', 'driver.lisp');

export interface TestBackend {
  backend: SbclBackend;
  logs: string[];
  /** Resolves with the first log line (past or future) that matches. */
  logLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export function newBackend(options: Partial<SbclBackendOptions> = {}): TestBackend {
  const logs: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve(line: string): void }> = [];
  const backend = new SbclBackend({
    workspaceRoot: standinWorkspace,
    driverPath: driverSource,
    timeoutMs: 5000,
    dynamicSpaceSizeMb: 512,
    log: (line) => {
      logs.push(line);
      for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    },
    ...options,
  });
  const logLine = (pattern: RegExp, timeoutMs = 60_000): Promise<string> => {
    const seen = logs.find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no log line matching ${pattern}`)), timeoutMs);
      waiters.push({ pattern, resolve: (line) => { clearTimeout(timer); resolve(line); } });
    });
  };
  return { backend, logs, logLine };
}

let counter = 0;

/** Compiles one form text, with a fresh form id unless one is given. */
export function compile(backend: SbclBackend, text: string, pkg = 'CL-USER', formId?: string): Promise<SbclFormResult> {
  return backend.compileForm({ formId: formId ?? `99:${counter++}`, text, package: pkg });
}

/** Runs the stand-in's exported `main: () -> i32`. */
export function runMain(wasm: Uint8Array | undefined): number {
  if (!wasm) throw new Error('no bytes');
  const api = webAssembly();
  const instance = new api.Instance(new api.Module(wasm));
  return (instance.exports.main as () => number)();
}

/** A throwaway folder with the given files (relative path → content). */
export function tempDir(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-sbcl-test-'));
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return root;
}
