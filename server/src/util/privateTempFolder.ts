// The private folders Clysm makes in the temp folder: Stage 1 generation's and the
// fixed-point check's staging, wasmtime's output preopen, wasm-tools' input. Their names carry
// the creating process's pid (`clysm-stage1-<pid>-XXXXXX`), so a folder left by a killed run
// is recognised and removed the next time one of its kind is made, while the folder of a run
// still going in another live process is left alone.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const privateFolderKinds = ['stage1', 'stage2', 'wasi-output', 'validate'] as const;
export type PrivateFolderKind = (typeof privateFolderKinds)[number];

const privateFolderName = new RegExp(`^clysm-(${privateFolderKinds.join('|')})-(\\d+)-[A-Za-z0-9]{6}$`);

/** Whether a process with this pid exists (EPERM: it exists, it is just not ours to signal). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the private folders under `tempRoot` whose process is gone; returns their paths. */
export function removeStalePrivateFolders(tempRoot: string, alive: (pid: number) => boolean = isAlive): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(tempRoot);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = privateFolderName.exec(name);
    if (!match) continue;
    const pid = Number(match[2]);
    if (pid === process.pid || alive(pid)) continue;
    const folder = path.join(tempRoot, name);
    try {
      // lstat: a symbolic link with our name is not a folder we made; leave it.
      if (!fs.lstatSync(folder).isDirectory()) continue;
      fs.rmSync(folder, { recursive: true, force: true });
      removed.push(folder);
    } catch {
      // Another process removed it first, or it is not ours to remove.
    }
  }
  return removed;
}

/** Makes a fresh private folder for this process, after removing stale ones. */
export function makePrivateFolder(tempRoot: string, kind: PrivateFolderKind): string {
  fs.mkdirSync(tempRoot, { recursive: true });
  removeStalePrivateFolders(tempRoot);
  return fs.mkdtempSync(path.join(tempRoot, `clysm-${kind}-${process.pid}-`));
}
