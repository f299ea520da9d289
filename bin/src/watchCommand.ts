// clysm-check --watch: the self-hosting loop in a terminal. After the full result, every saved
// change to a file of the compiler (the SBCL backend's system) reloads it, re-checks every
// form, and prints the delta: text, or with --json one JSON object per line.
import * as path from 'node:path';
import type { LastChange } from '../../server/src/protocol';
import { reportSummary, type CheckReport } from '../../server/src/report/checkReport';
import { CompilerReloadLoop, isReloadable } from '../../server/src/workspace/compilerReload';
import { watchCompilerFiles } from '../../server/src/workspace/compilerFileWatcher';
import type { WorkspaceRun } from '../../server/src/workspace/workspaceRun';

export interface WatchOptions {
  run: WorkspaceRun;
  workspace: string;
  json: boolean;
  log?: (message: string) => void;
  write(line: string): void;
  /** Called once the files are watched (and their contents hashed): a change after this is never missed. */
  ready?: () => void;
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
  if (!isReloadable(backend)) throw new Error(`--watch needs the SBCL backend (the ${backend?.kind ?? 'chosen'} backend has no compiler to reload)`);
  const model = options.run.model;
  const loop = new CompilerReloadLoop({
    backend: () => backend,
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
  });
  const files = backend.compilerFiles();
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
