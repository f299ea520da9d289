// Stage 0 on wasmtime writes into a private folder preopened as /output. wasmtime's CLI grants
// read-write access to every preopen, so the engine does not let Stage 0 write into the real
// output folder directly: after each form it moves what appeared into the output folder with
// the same checks as clysm.output/write-bytes in the JS host (a folder really inside the
// workspace, no symbolic link out of it, never the Stage 0 binary, the same write limits,
// atomic rename).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyFileAtomic } from '../../util/atomicWrite';
import type { HostConfig } from './hostImports';
import { outputFolderOutsideWorkspace, resolveWritable } from '../../sandbox/paths';
import { WriteBudget } from '../../sandbox/writeBudget';

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

/** What collectOutputs did: the paths written, and why it stopped when the form went over its write limits. */
export interface CollectedOutputs {
  written: string[];
  overLimit?: string;
}

/**
 * Moves every file under `privateDir` into the host's output folder (which must really be
 * inside the workspace), within the host's write limits for one form; the private folder is
 * emptied either way.
 */
export function collectOutputs(
  privateDir: string,
  host: Pick<HostConfig, 'workspaceRoot' | 'outputDir' | 'protectedFiles' | 'writeLimits'>,
  log: (message: string) => void,
): CollectedOutputs {
  const written: string[] = [];
  const budget = new WriteBudget(host.writeLimits);
  const { outputDir } = host;
  const outside = outputDir === undefined ? undefined : outputFolderOutsideWorkspace(host.workspaceRoot, outputDir);
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
      if (outside) {
        log(`Stage 0 output ${relative} refused: ${outside}`);
        continue;
      }
      const resolved = resolveWritable(outputDir, relative, host.protectedFiles ?? []);
      if (!resolved.ok) {
        log(`Stage 0 output ${relative} refused: ${resolved.reason}`);
        continue;
      }
      const overLimit = budget.charge(resolved.path, fs.statSync(file).size);
      if (overLimit) {
        log(`Stage 0 output ${relative}: ${overLimit}`);
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
  return { written, overLimit: budget.exceeded };
}
