// The host side of compile_all (docs/stage0-abi.md §6), used by the Stage 0 worker for
// Stage 1 generation. Same sandbox as the per-form host (reads under the workspace, writes only into the folder given),
// but here the writes go to a private staging folder: the orchestrator commits the Stage 1
// to the output folder only after the run succeeded, so a cancelled or failed run leaves
// nothing behind. Every call becomes an event for the parent process.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveReadable, resolveWritable } from '../../sandbox/paths';
import { asBytes, hostImports, type ProvidedImports } from './hostImports';
import { WriteBudget, WriteLimitExceeded, type WriteLimits } from '../../sandbox/writeBudget';

export interface CompileAllHostConfig {
  workspaceRoot: string;
  /** Workspace-relative module paths, in order. */
  modules: string[];
  /** Fresh, private folder for write-bytes. */
  stagingDir: string;
  /** Files write-bytes must never replace (the Stage 0 binary). */
  protectedFiles: string[];
  /** What the whole run may write (default: the clysm.stage1.maxOutput* defaults). */
  writeLimits?: WriteLimits;
}

export type HostEvent =
  | { kind: 'list-modules'; count: number }
  | { kind: 'read'; path: string; ok: boolean; reason?: string }
  | { kind: 'report-start'; module: string | null; formCount: number }
  | { kind: 'form'; formId: string | null; success: boolean; errorType: string | null; message: string | null }
  | { kind: 'module-complete'; module: string | null; compiled: number; failed: number }
  | { kind: 'write'; path: string; ok: true; file: string; size: number; sha256: string }
  | { kind: 'write'; path: string; ok: false; reason: string }
  /** The run went over its write limits: it fails with `reason`. */
  | { kind: 'write-limit'; path: string; reason: string };

/**
 * The import functions for a compile_all run. `list-modules` returns one string with a path
 * per line: Wasm cannot index a JS array (the same reason bytes cross as byte strings, §5).
 */
export function compileAllImports(config: CompileAllHostConfig, emit: (event: HostEvent) => void): ProvidedImports {
  const budget = new WriteBudget(config.writeLimits);
  return hostImports({
    listModules: () => {
      emit({ kind: 'list-modules', count: config.modules.length });
      return config.modules.join('\n');
    },
    readSource: (requested) => {
      const resolved = resolveReadable(config.workspaceRoot, requested);
      if (!resolved.ok) {
        emit({ kind: 'read', path: String(requested), ok: false, reason: resolved.reason });
        return null;
      }
      try {
        const text = fs.readFileSync(resolved.path, 'utf8');
        emit({ kind: 'read', path: String(requested), ok: true });
        return text;
      } catch (error) {
        emit({ kind: 'read', path: String(requested), ok: false, reason: (error as Error).message });
        return null;
      }
    },
    reportStart: (module, formCount) => emit({ kind: 'report-start', module, formCount }),
    reportFormResult: (report) => emit({ kind: 'form', ...report }),
    reportModuleComplete: (module, compiled, failed) => emit({ kind: 'module-complete', module, compiled, failed }),
    writeBytes: (bytes, requested) => writeStaged(config, budget, bytes, requested, emit),
  });
}

function writeStaged(config: CompileAllHostConfig, budget: WriteBudget, bytes: unknown, requested: unknown, emit: (event: HostEvent) => void): number {
  const label = String(requested);
  const resolved = resolveWritable(config.stagingDir, requested, config.protectedFiles);
  if (!resolved.ok) {
    emit({ kind: 'write', path: label, ok: false, reason: resolved.reason });
    return -1;
  }
  const data = asBytes(bytes);
  if (typeof data === 'string') {
    emit({ kind: 'write', path: label, ok: false, reason: data });
    return -1;
  }
  const overLimit = budget.charge(resolved.path, data.length);
  if (overLimit) {
    emit({ kind: 'write-limit', path: label, reason: overLimit });
    throw new WriteLimitExceeded(overLimit);
  }
  try {
    fs.mkdirSync(path.dirname(resolved.path), { recursive: true });
    // The staging folder is private to this run, so a plain write is enough here; the commit
    // into the output folder is the atomic step.
    fs.writeFileSync(resolved.path, data);
    const sha256 = createHash('sha256').update(data).digest('hex');
    emit({ kind: 'write', path: label, ok: true, file: resolved.path, size: data.length, sha256 });
    return data.length;
  } catch (error) {
    emit({ kind: 'write', path: label, ok: false, reason: (error as Error).message });
    return -1;
  }
}
