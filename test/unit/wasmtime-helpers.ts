// The stand-in wasmtime for the tests (test/support/fake-wasmtime: a test double speaking
// wasmtime's command line on Node's node:wasi), and wrappers that give it an environment.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from './stage0-helpers';

export const fakeWasmtime = path.join(repoRoot, 'test', 'support', 'fake-wasmtime');

/** A temporary folder; removed by cleanup(). */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** An executable in `dir` that runs fake-wasmtime with `env` (FAKE_WASMTIME_VERSION, _LOG, _NODE_OPTIONS). */
export function fakeWasmtimeWith(dir: string, env: Record<string, string>, name = 'wasmtime'): string {
  const file = path.join(dir, name);
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${JSON.stringify(v)} `).join('');
  fs.writeFileSync(file, `#!/bin/sh\n${assignments}exec ${JSON.stringify(fakeWasmtime)} "$@"\n`, { mode: 0o755 });
  return file;
}

/** The argv of every fake-wasmtime call logged to `logFile`. */
export function loggedCalls(logFile: string): string[][] {
  if (!fs.existsSync(logFile)) return [];
  return fs.readFileSync(logFile, 'utf8').trim().split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { argv: string[] }).argv);
}
