// Fingerprint of what the SBCL image compiles with: the system's source files (as the driver
// listed them) plus the driver itself. Part of the backend identity, so cached results from
// another version of the compiler are never reused.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

/** sha256 over (path relative to `root`, content) of every file, in a stable order. */
export async function hashSourceFiles(root: string, files: readonly string[], extraFiles: readonly string[] = []): Promise<string> {
  const hash = createHash('sha256');
  const all = [...new Set([...files, ...extraFiles])].sort();
  const contents = await Promise.all(all.map((file) => fsp.readFile(file).catch(() => undefined)));
  all.forEach((file, i) => {
    const relative = path.relative(root, file).split(path.sep).join('/');
    hash.update(relative).update('\0');
    const content = contents[i];
    hash.update(content ?? 'missing').update('\0');
  });
  return hash.digest('hex');
}
