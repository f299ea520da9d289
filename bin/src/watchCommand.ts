// clysm-check --watch: the self-hosting loop in a terminal. After the full result, every saved
// change to a file of the compiler (the SBCL backend's system) reloads it, re-checks every
// form, and prints the delta: text, or with --json one JSON object per line.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LastChange } from '../../server/src/protocol';
import { reportSummary, type CheckReport } from '../../server/src/report/checkReport';
import { CompilerReloadLoop, isReloadable } from '../../server/src/workspace/compilerReload';
import type { WorkspaceRun } from '../../server/src/workspace/workspaceRun';

/** Editors save in bursts (write, rename, chmod): one reload per burst. */
const SETTLE_MS = 40;

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

function contentHash(file: string): string | undefined {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
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
  const hashes = new Map(files.map((file) => [file, contentHash(file)]));
  const pending = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    // Only files whose content changed: editors touch files without changing them.
    const changed = [...pending.keys()].filter((file) => {
      const hash = contentHash(file);
      if (hash === undefined || hash === hashes.get(file)) return false;
      hashes.set(file, hash);
      return true;
    });
    const firstSeen = Math.min(...pending.values());
    pending.clear();
    if (changed.length > 0) void loop.filesChanged(changed, firstSeen);
  };
  // Folders, not files: an editor that saves by renaming replaces the file a watch would follow.
  const watchers = [...new Set(files.map((file) => path.dirname(file)))].map((dir) =>
    fs.watch(dir, (_event, name) => {
      const file = name ? path.join(dir, name.toString()) : undefined;
      if (!file || !hashes.has(file)) return;
      if (!pending.has(file)) pending.set(file, Date.now());
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, SETTLE_MS);
    }),
  );
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
  if (timer) clearTimeout(timer);
  for (const watcher of watchers) watcher.close();
}
