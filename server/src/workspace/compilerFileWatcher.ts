// Watches files of the compiler on disk and reports, per burst of saves, the ones whose content
// changed. For `clysm-check --watch`, and for the server's compiler files outside the workspace
// folder (the editor's file watcher covers only the folder).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Editors save in bursts (write, rename, chmod): one report per burst. */
const SETTLE_MS = 40;

function contentHash(file: string): string | undefined {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return undefined;
  }
}

/** `changed(files, firstSeen)`: the files whose content changed, and when the burst began (ms since the epoch). */
export function watchCompilerFiles(files: readonly string[], changed: (files: string[], firstSeen: number) => void): { close(): void } {
  const hashes = new Map(files.map((file) => [file, contentHash(file)]));
  const pending = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    // Only files whose content changed: editors touch files without changing them.
    const touched = [...pending.keys()].filter((file) => {
      const hash = contentHash(file);
      if (hash === undefined || hash === hashes.get(file)) return false;
      hashes.set(file, hash);
      return true;
    });
    const firstSeen = Math.min(...pending.values());
    pending.clear();
    if (touched.length > 0) changed(touched, firstSeen);
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
  return {
    close(): void {
      if (timer) clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
