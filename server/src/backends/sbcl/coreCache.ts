// Saved SBCL cores, one per workspace and Clysm source hash. Loading Clysm from fasls takes
// about half a second; starting from a core built after the load takes milliseconds, which
// makes restarts after a crash nearly free. A core is built in the background after a
// normal start, and used only while the files it was built from are unchanged.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
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
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
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
    const prefix = sha256(inputs.workspaceRoot).slice(0, 16);
    const core = path.join(this.dir, `${prefix}-${key.slice(0, 16)}.core`);
    const partial = `${core}.${process.pid}.partial`;
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
        this.writeManifest(inputs.workspaceRoot, { key, core, files: inputs.files, sbcl: inputs.sbcl });
        if (previous && previous.core !== core) fs.rmSync(previous.core, { force: true });
      } catch (error) {
        fs.rmSync(partial, { force: true });
        const reason = `it could not be put in place: ${(error as Error).message}`;
        this.log(`[sbcl] saving a core did not work (${reason}); starts will load from sources`);
        return { saved: false, reason, ms };
      }
      this.log(`[sbcl] saved core ${core} in ${ms} ms`);
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

  private manifestPath(workspaceRoot: string): string {
    return path.join(this.dir, `${sha256(workspaceRoot).slice(0, 16)}.json`);
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
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, JSON.stringify(manifest, null, 2));
    fs.renameSync(partial, file); // atomic: a reader never sees half a manifest
  }
}
