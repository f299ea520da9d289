// clysm-check's use of saved SBCL cores: the folder a run may use (checked up front, so a bad
// cache folder costs a warning and never the run), and, at the end of a one-shot run that
// found no core, the wait for the core being saved, so that the next run starts from it.
// The builder is never detached: a process outliving the CLI would break the rule that every
// child dies with its parent, and a killed run removes the partial core (CoreCache.dispose).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CompilerBackend } from '../../server/src/types';
import { SbclBackend } from '../../server/src/backends/sbcl/sbclBackend';
import type { CheckArgs } from './args';
import { coresFolder, defaultCacheFolder } from './cacheFolder';

/** The folder itself, or the nearest folder above it that exists (where it would be created). */
function nearestExisting(folder: string): string {
  let at = folder;
  while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  return at;
}

/**
 * The folder for saved cores, or undefined (after one warning line) when it cannot be used.
 * It is only checked here: CoreCache creates it when it saves the first core, so a run that
 * ends up on Stage 0 leaves nothing behind.
 */
export function coreFolderForRun(args: Pick<CheckArgs, 'cacheDir' | 'noCache' | 'backend'>, warn: (line: string) => void): string | undefined {
  // Only SBCL has cores.
  if (args.noCache || args.backend === 'stage0') return undefined;
  const folder = coresFolder(args.cacheDir ?? defaultCacheFolder({ platform: process.platform, env: process.env, home: os.homedir() }));
  try {
    const existing = nearestExisting(folder);
    if (!fs.statSync(existing).isDirectory()) throw new Error(`${existing} is not a folder`);
    fs.accessSync(existing, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK);
  } catch (error) {
    warn(`clysm-check: warning: the cache folder ${folder} cannot be used (${(error as Error).message.split('\n')[0]}); running without a saved core`);
    return undefined;
  }
  return folder;
}

/** Waits for the core this run started saving, if any, then says on one stderr line how that went. */
export async function waitForCoreSave(backend: CompilerBackend, write: (line: string) => void): Promise<void> {
  const build = backend instanceof SbclBackend ? backend.coreBuild() : undefined;
  if (!build) return;
  // One line once it is done: --verbose lines of the build would otherwise split it.
  const outcome = await build;
  const seconds = (outcome.ms / 1000).toFixed(1);
  write(
    outcome.saved
      ? `clysm-check: saved an SBCL core for the next runs in ${seconds} s (${outcome.core})`
      : `clysm-check: no SBCL core saved for the next runs (after ${seconds} s: ${outcome.reason})`,
  );
}

/**
 * Until the returned function is called, SIGINT and SIGTERM run `cleanUp` (which ends the
 * children and removes partial files), then end this process by the same signal.
 */
export function cleanUpOnSignal(cleanUp: () => Promise<void>): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  const remove = (): void => signals.forEach((s) => process.off(s, onSignal));
  function onSignal(signal: NodeJS.Signals): void {
    remove(); // a second signal ends the process at once
    void cleanUp().finally(() => process.kill(process.pid, signal));
  }
  signals.forEach((s) => process.on(s, onSignal));
  return remove;
}
