// clysm-check --watch: the self-hosting loop in a terminal. After the full result, every saved
// change to the compiler (a file of the SBCL backend's system, or the Stage 0 binary the Stage 0
// backend loaded, rebuilt on disk) reloads it, re-checks every form, and prints the delta: text,
// or with --json one JSON object per line.
import * as path from 'node:path';
import type { LastChange } from '../../server/src/protocol';
import { reportSummary, type CheckReport } from '../../server/src/report/checkReport';
import type { CompilerBackend } from '../../server/src/types';
import { CompilerReloadLoop, type ReloadableCompiler } from '../../server/src/workspace/compilerReload';
import { watchCompilerFiles } from '../../server/src/workspace/compilerFileWatcher';
import { reloadableCompilerOf } from '../../server/src/workspace/stage0Reload';
import type { WorkspaceRun } from '../../server/src/workspace/workspaceRun';

export interface WatchOptions {
  run: WorkspaceRun;
  workspace: string;
  json: boolean;
  log?: (message: string) => void;
  write(line: string): void;
  /** Called once the files are watched (and their contents hashed): a change after this is never missed. */
  ready?: () => void;
  /** A change that could not be brought in (a rebuilt Stage 0 that does not load); default: stderr. */
  warn?: (message: string) => void;
}

/** The compiler --watch reloads: the SBCL backend's system, or the Stage 0 binary the backend loaded. */
function watchedCompiler(backend: CompilerBackend | undefined): ReloadableCompiler | undefined {
  const compiler = reloadableCompilerOf(backend, (stage0) => {
    const binary = stage0.status().stage0?.path;
    return { files: () => (binary ? [binary] : []), load: () => stage0.reload() };
  });
  return compiler && compiler.compilerFiles().length > 0 ? compiler : undefined;
}

/** The first --watch --json line: the whole --json result, one line, tagged. */
export function resultLine(report: CheckReport): string {
  return JSON.stringify({ event: 'result', ...report });
}

/** One --watch --json line per re-check. */
export function deltaLine(change: LastChange, summary: CheckReport['summary']): string {
  return JSON.stringify({
    event: 'delta',
    files: change.files,
    summary,
    reload: change.reload,
    ms: change.ms,
    changed: change.changed.map(({ id, file, line, name, before, after }) => ({ id, file, line, name, before, after })),
  });
}

/** Watches until SIGINT or SIGTERM; resolves then, with the watchers closed. */
export async function watchCompiler(options: WatchOptions): Promise<void> {
  const backend = options.run.backend;
  const compiler = watchedCompiler(backend);
  if (!compiler) throw new Error(`--watch needs the SBCL backend or a loaded Stage 0 (the ${backend?.kind ?? 'chosen'} backend has no compiler to reload)`);
  const model = options.run.model;
  const loop = new CompilerReloadLoop({
    compiler: () => compiler,
    forms: () => model.allForms(),
    recheckAll: async () => {
      await options.run.analyzeAll();
    },
    relativePath: (file) => {
      const rel = path.relative(options.workspace, file);
      return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel.split(path.sep).join('/');
    },
    log: (message) => options.log?.(message),
    changed: (change) => options.write(options.json ? deltaLine(change, reportSummary(model.summary())) : `${change.text} in ${change.ms} ms`),
    failed: (message) => (options.warn ?? ((m: string) => process.stderr.write(`clysm-check: ${m}\n`)))(message),
  });
  const files = compiler.compilerFiles();
  const watcher = watchCompilerFiles(files, (changed, firstSeen) => void loop.filesChanged(changed, firstSeen));
  options.log?.(`watching ${files.length} compiler files`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    options.ready?.();
  });
  watcher.close();
}
