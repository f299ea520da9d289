// Stage 0 on wasmtime writes into a private folder preopened as /output. wasmtime's CLI grants
// read-write access to every preopen, so the engine does not let Stage 0 write into the real
// output folder directly: after each form it moves what appeared into the output folder with
// the same checks as clysm.output/write-bytes in the JS host (inside the folder, no symbolic
// link out of it, never the Stage 0 binary, atomic rename).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyFileAtomic } from '../../util/atomicWrite';
import { resolveWritable } from './sandbox';

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else found.push(full);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return found;
}

/** Moves every file under `privateDir` into `outputDir`; returns the workspace paths written. */
export function collectOutputs(
  privateDir: string,
  outputDir: string | undefined,
  protectedFiles: string[],
  log: (message: string) => void,
): string[] {
  const written: string[] = [];
  for (const file of filesUnder(privateDir)) {
    const relative = path.relative(privateDir, file);
    try {
      if (fs.lstatSync(file).isSymbolicLink()) {
        log(`Stage 0 output ${relative} refused: a symbolic link`);
        continue;
      }
      if (!outputDir) {
        log(`Stage 0 output ${relative} refused: no output folder is configured`);
        continue;
      }
      const resolved = resolveWritable(outputDir, relative, protectedFiles);
      if (!resolved.ok) {
        log(`Stage 0 output ${relative} refused: ${resolved.reason}`);
        continue;
      }
      copyFileAtomic(file, resolved.path);
      written.push(resolved.path);
    } catch (error) {
      log(`Stage 0 output ${relative} could not be moved: ${(error as Error).message}`);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }
  return written;
}
