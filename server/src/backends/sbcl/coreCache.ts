// Saved SBCL cores, one per workspace and Clysm source hash. Loading Clysm from fasls takes
// about half a second; starting from a core built after the load takes milliseconds, which
// makes restarts after a crash nearly free. A core is built in the background after a
// normal start, and used only while the files it was built from are unchanged. Each saved core
// prunes the folder of what no workspace can use any more (coreFolder.ts says what).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatBytes } from '../../util/formatBytes';
import { isAlive } from '../../util/privateTempFolder';
import {
  coreFileName, describeRemovals, isCoreFolderFile, isManifestFile, manifestFileName, ownCoreName, partialFileName, rootHash, staleCoreFiles, type CoreFolderEntry,
} from './coreFolder';
import { SbclProcess, describeExit, type LaunchSpec } from './sbclProcess';

export interface CoreKeyInputs {
  workspaceRoot: string;
  /** The system's source files and the driver. */
  files: string[];
  /** The SBCL runtime: a core only runs on the runtime that saved it. */
  sbcl: string;
}

/** How a background build ended: saved (and where), or why not; `ms` from its start. */
export type CoreBuildOutcome = { saved: true; core: string; ms: number } | { saved: false; reason: string; ms: number };

interface Manifest {
  key: string;
  core: string;
  files: string[];
  sbcl: string;
  /** The workspace folder, so that pruning knows when it is gone (absent from older manifests). */
  root?: string;
}

/** True only when `folder` is known to be gone: a folder that cannot be checked is kept. */
function folderGone(folder: string): boolean {
  try {
    return !fs.statSync(folder).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR';
  }
}

/** Hash of the runtime binary's identity and every file's content; undefined if one is missing. */
export function coreKey(files: readonly string[], sbcl: string): string | undefined {
  const hash = createHash('sha256');
  try {
    const runtime = fs.statSync(fs.realpathSync(sbcl));
    hash.update(`${fs.realpathSync(sbcl)}\0${runtime.size}\0${runtime.mtimeMs}\0`);
    for (const file of [...files].sort()) hash.update(file).update('\0').update(fs.readFileSync(file)).update('\0');
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}

export class CoreCache {
  private builder: SbclProcess | undefined;
  /** The last build started in this session; settles once its core is in place or cleaned up. */
  private build: Promise<CoreBuildOutcome> | undefined;
  private readonly rejected = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly log: (line: string) => void,
  ) {}

  /** A core that matches the workspace's current files, if one was saved. */
  coreFor(inputs: CoreKeyInputs): string | undefined {
    const manifest = this.readManifest(inputs.workspaceRoot);
    if (!manifest || manifest.sbcl !== inputs.sbcl || this.rejected.has(manifest.core)) return undefined;
    if (!fs.existsSync(manifest.core)) return undefined;
    return coreKey(manifest.files, inputs.sbcl) === manifest.key ? manifest.core : undefined;
  }

  /**
   * The core saved after the last load that worked, even if the sources changed since: the
   * start-up to fall back on when the sources no longer load (hot reload applies the changes).
   */
  lastGoodCore(inputs: Pick<CoreKeyInputs, 'workspaceRoot' | 'sbcl'>): string | undefined {
    const manifest = this.readManifest(inputs.workspaceRoot);
    if (!manifest || manifest.sbcl !== inputs.sbcl || this.rejected.has(manifest.core)) return undefined;
    return fs.existsSync(manifest.core) ? manifest.core : undefined;
  }

  /** Never offers `core` again in this session (it failed to start). */
  reject(core: string): void {
    this.rejected.add(core);
    this.log(`[sbcl] saved core ${core} did not start; loading from sources instead`);
  }

  /** Builds a core in the background unless a valid one exists or a build is running. */
  ensure(inputs: CoreKeyInputs, specFor: (saveCore: string) => LaunchSpec): void {
    if (this.builder || inputs.files.length === 0 || this.coreFor(inputs)) return;
    const key = coreKey(inputs.files, inputs.sbcl);
    if (!key) return;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
    } catch (error) {
      // A core only saves time: without a folder for it, starts load from sources.
      this.log(`[sbcl] no core can be saved in ${this.dir}: ${(error as Error).message}`);
      return;
    }
    const core = path.join(this.dir, coreFileName(inputs.workspaceRoot, key));
    const partial = partialFileName(core, process.pid);
    const started = Date.now();
    const builder = new SbclProcess(specFor(partial), () => undefined);
    this.builder = builder;
    this.log(`[sbcl] saving a core for the next starts in ${this.dir}`);
    this.build = builder.exited.then((exit): CoreBuildOutcome => {
      this.builder = undefined;
      const ms = Date.now() - started;
      const ok = exit.code === 0 && fs.existsSync(partial) && coreKey(inputs.files, inputs.sbcl) === key;
      if (!ok) {
        fs.rmSync(partial, { force: true });
        const reason = coreKey(inputs.files, inputs.sbcl) === key ? `the builder ${describeExit(exit)}` : 'the sources changed while it was built';
        this.log(`[sbcl] saving a core did not work (${reason}); starts will load from sources`);
        return { saved: false, reason, ms };
      }
      try {
        const previous = this.readManifest(inputs.workspaceRoot);
        fs.renameSync(partial, core);
        this.writeManifest(inputs.workspaceRoot, { key, core, files: inputs.files, sbcl: inputs.sbcl, root: inputs.workspaceRoot });
        const previousCore = previous && previous.core !== core ? this.ownCore(previous.core, inputs.workspaceRoot) : undefined;
        if (previousCore) fs.rmSync(previousCore, { force: true });
      } catch (error) {
        fs.rmSync(partial, { force: true });
        const reason = `it could not be put in place: ${(error as Error).message}`;
        this.log(`[sbcl] saving a core did not work (${reason}); starts will load from sources`);
        return { saved: false, reason, ms };
      }
      this.log(`[sbcl] saved core ${core} in ${ms} ms`);
      try {
        this.prune();
      } catch (error) {
        this.log(`[sbcl] the saved-cores folder was not pruned: ${(error as Error).message}`); // the core is saved all the same
      }
      return { saved: true, core, ms };
    });
  }

  /** The build started in this session, if any: pending while it runs, then its outcome. */
  lastBuild(): Promise<CoreBuildOutcome> | undefined {
    return this.build;
  }

  async dispose(): Promise<void> {
    const builder = this.builder;
    if (builder) {
      builder.kill();
      await this.build; // its partial file is removed by then
    }
  }

  /**
   * Removes the cores, manifests and partial files no workspace can use any more, and logs one
   * line when it removed something. Only files named as this folder names them are looked at.
   */
  private prune(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter(isCoreFolderFile);
    } catch {
      return; // pruning only saves space
    }
    const entries: CoreFolderEntry[] = [];
    const manifests = new Map<string, unknown>();
    for (const name of names) {
      const file = path.join(this.dir, name);
      try {
        const stat = fs.lstatSync(file);
        if (!stat.isFile()) continue; // a link or a folder by that name is not ours
        entries.push({ name, size: stat.size, mtimeMs: stat.mtimeMs });
        if (isManifestFile(name)) manifests.set(name, JSON.parse(fs.readFileSync(file, 'utf8')));
      } catch {
        continue; // gone meanwhile, or a manifest that does not parse: kept
      }
    }
    const removals = staleCoreFiles({ dir: this.dir, entries, manifests, now: Date.now(), folderGone, exists: fs.existsSync, running: isAlive });
    const removed = removals.filter((r) => {
      try {
        fs.rmSync(path.join(this.dir, r.name));
        return true;
      } catch {
        return false; // removed by another process meanwhile, or in use (Windows)
      }
    });
    if (removed.length === 0) return;
    const freed = removed.reduce((sum, r) => sum + r.size, 0);
    this.log(`[sbcl] removed ${removed.length} saved-core file${removed.length === 1 ? '' : 's'} from ${this.dir} (${describeRemovals(removed)}): ${formatBytes(freed)} freed`);
  }

  /** `core` when it is a core this folder saved for `workspaceRoot`: never remove another file. */
  private ownCore(core: string, workspaceRoot: string): string | undefined {
    const name = ownCoreName(this.dir, core, rootHash(workspaceRoot));
    return name && path.join(this.dir, name);
  }

  private manifestPath(workspaceRoot: string): string {
    return path.join(this.dir, manifestFileName(workspaceRoot));
  }

  private readManifest(workspaceRoot: string): Manifest | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.manifestPath(workspaceRoot), 'utf8')) as Manifest;
    } catch {
      return undefined;
    }
  }

  private writeManifest(workspaceRoot: string, manifest: Manifest): void {
    const file = this.manifestPath(workspaceRoot);
    const partial = partialFileName(file, process.pid);
    fs.writeFileSync(partial, JSON.stringify(manifest, null, 2));
    fs.renameSync(partial, file); // atomic: a reader never sees half a manifest
  }
}
