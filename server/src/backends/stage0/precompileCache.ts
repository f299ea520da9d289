// The `.cwasm` cache of the wasmtime engine: `wasmtime compile` runs once per Stage 0 content
// hash (and wasmtime version and flags, which a .cwasm depends on), not on every start.
// Entries are written atomically (temp file + rename), so concurrent servers can share it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { diesWithParent } from '../../util/diesWithParent';
import { tempNameFor, writeFileAtomic } from '../../util/atomicWrite';
import { lastStderrLine } from './wasiProtocol';

/** How many cache files to keep (a .wasm and its .cwasm per Stage 0 version). */
const keepFiles = 8;

/** `<stage0 sha256>-<12 hex of version and flags>`: one name per compatible .cwasm. */
export function cacheEntryName(stage0Sha256: string, wasmtimeVersion: string, flags: string[]): string {
  const engine = createHash('sha256').update(`${wasmtimeVersion}\n${flags.join(' ')}`).digest('hex').slice(0, 12);
  return `${stage0Sha256}-${engine}`;
}

export type Precompiled = { ok: true; path: string; compiled: boolean } | { ok: false; message: string };

export class PrecompileCache {
  constructor(
    readonly dir: string,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  /** The exact bytes that were hashed, as a file wasmtime can read: `<sha>.wasm`. */
  moduleFile(bytes: Uint8Array, sha256: string): string {
    const file = path.join(this.dir, `${sha256}.wasm`);
    if (!fs.existsSync(file)) writeFileAtomic(file, bytes);
    else this.touch(file);
    return file;
  }

  private touch(file: string): void {
    const now = new Date();
    try {
      fs.utimesSync(file, now, now);
    } catch {
      // Only used to order pruning.
    }
  }

  /** The .cwasm for this module, running `wasmtime compile` when it is not cached yet. */
  async precompile(wasmtime: string, flags: string[], wasmtimeVersion: string, sha256: string, moduleFile: string): Promise<Precompiled> {
    const file = path.join(this.dir, `${cacheEntryName(sha256, wasmtimeVersion, flags)}.cwasm`);
    if (fs.existsSync(file)) {
      this.touch(file);
      return { ok: true, path: file, compiled: false };
    }
    fs.mkdirSync(this.dir, { recursive: true });
    const temp = tempNameFor(file);
    const started = Date.now();
    const compile = diesWithParent({ command: wasmtime, args: ['compile', ...flags, '-o', temp, moduleFile] });
    const result = await execa(compile.command, compile.args, { reject: false, timeout: 300_000, windowsHide: true });
    if (result.exitCode !== 0 || !fs.existsSync(temp)) {
      fs.rmSync(temp, { force: true });
      const stderr = typeof result.stderr === 'string' ? result.stderr : '';
      const why = lastStderrLine(stderr) ?? (result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode ?? 'unknown'}`);
      return { ok: false, message: `wasmtime compile failed for Stage 0: ${why}` };
    }
    fs.renameSync(temp, file);
    this.log(`precompiled Stage 0 with wasmtime compile in ${Date.now() - started} ms: ${file}`);
    this.prune();
    return { ok: true, path: file, compiled: true };
  }

  /** Drops an entry wasmtime refused to load (another build of the same version, a damaged file). */
  invalidate(file: string): void {
    fs.rmSync(file, { force: true });
  }

  /** Keeps the most recently used files. */
  prune(): void {
    let entries: Array<{ file: string; mtime: number }>;
    try {
      entries = fs.readdirSync(this.dir)
        .filter((name) => name.endsWith('.cwasm') || name.endsWith('.wasm'))
        .map((name) => {
          const file = path.join(this.dir, name);
          return { file, mtime: fs.statSync(file).mtimeMs };
        });
    } catch {
      return;
    }
    entries.sort((a, b) => b.mtime - a.mtime);
    for (const { file } of entries.slice(keepFiles)) fs.rmSync(file, { force: true });
  }
}
