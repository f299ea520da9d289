// The one implementation of "write a file so no reader ever sees half of it": a hidden sibling
// temp file, then a rename over the target (atomic on one file system). Callers keep their own
// checks (sandbox, never replacing Stage 0); this module only writes.
import * as fs from 'node:fs';
import * as path from 'node:path';

let tempCounter = 0;

/** The temp name every atomic write uses, so stray ones can be recognised. */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${tempCounter++}.tmp`);
}

/** True for a name tempNameFor produced. */
export function isOurTempFile(name: string): boolean {
  return /^\..+\.\d+\.\d+\.tmp$/.test(name);
}

/** Fills a temp file next to `file` with `fill`, then renames it over `file`; the temp never outlives a failure. */
function replaceVia(file: string, fill: (temp: string) => void): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = tempNameFor(file);
  try {
    fill(temp);
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

/** Writes `data` to `file`: a reader sees the old file or the new one, never half. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  replaceVia(file, (temp) => fs.writeFileSync(temp, data));
}

/** Copies `source` to `target` the same way. */
export function copyFileAtomic(source: string, target: string): void {
  replaceVia(target, (temp) => fs.copyFileSync(source, temp));
}
