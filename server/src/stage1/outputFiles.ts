// Where Stage 1 generation writes, and how: the output folder (a setting, `dist` by default),
// every write a sibling temp file plus a rename, the previous Stage 1 kept as
// clysm-stage1.prev.wasm, Stage 0 never replaced, and proof that the file on disk is the one
// this run produced (its sha256 is checked after the rename).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultStage1Settings, type Stage1Settings } from '../protocol/settings';
import { copyFileAtomic, writeFileAtomic } from '../util/atomicWrite';

/** The output part of the `clysm.stage1.*` settings (defaults in protocol/settings.ts). */
export type OutputSettings = Pick<Stage1Settings, 'outputDir' | 'outputName' | 'reportName'>;

export const defaultOutputSettings: OutputSettings = { outputDir: defaultStage1Settings.outputDir, outputName: defaultStage1Settings.outputName, reportName: defaultStage1Settings.reportName };

export interface OutputPaths {
  dir: string;
  stage1: string;
  /** The Stage 1 before this run (`<name>.prev.wasm`). */
  previous: string;
  report: string;
  /** Written by the fixed-point check. */
  stage2: string;
}

function withSuffix(file: string, suffix: string): string {
  const ext = path.extname(file);
  return ext ? `${file.slice(0, -ext.length)}${suffix}${ext}` : `${file}${suffix}`;
}

export function outputPaths(workspaceRoot: string, settings: OutputSettings): OutputPaths {
  const dir = path.resolve(workspaceRoot, settings.outputDir);
  const stage1 = path.join(dir, settings.outputName);
  return {
    dir,
    stage1,
    previous: withSuffix(stage1, '.prev'),
    report: path.join(dir, settings.reportName),
    stage2: path.join(dir, settings.outputName.includes('stage1') ? settings.outputName.replace('stage1', 'stage2') : withSuffix(settings.outputName, '.stage2')),
  };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function realpathOrResolved(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    // Not there yet: resolve the parent instead, so a symlinked folder still compares equal.
    try {
      return path.join(fs.realpathSync(path.dirname(file)), path.basename(file));
    } catch {
      return path.resolve(file);
    }
  }
}

export class OutputRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputRefused';
  }
}

/** Refuses a target that is (or links to) a protected file such as Stage 0. */
export function assertNotProtected(target: string, protectedFiles: string[]): void {
  const real = realpathOrResolved(target);
  for (const file of protectedFiles) {
    if (realpathOrResolved(file) === real) throw new OutputRefused(`${target} is the Stage 0 binary, which is never overwritten`);
  }
}

export interface ExistingFile {
  path: string;
  size: number;
  sha256: string;
  modified: string;
}

export function describeExisting(file: string): ExistingFile | undefined {
  try {
    const bytes = fs.readFileSync(file);
    return { path: file, size: bytes.length, sha256: sha256(bytes), modified: fs.statSync(file).mtime.toISOString() };
  } catch {
    return undefined;
  }
}

export interface CommittedStage1 {
  path: string;
  size: number;
  sha256: string;
  /** Where the Stage 1 from before this run was kept, if there was one. */
  previous?: string;
}

/**
 * Puts this run's bytes in place as the Stage 1: the old Stage 1 is copied to `previous`
 * first (so there is never a moment without a Stage 1), then the new one is renamed over it.
 * The file is read back and its sha256 compared with `expectedSha256`, so the result is
 * known to be this run's output.
 */
export function commitStage1(bytes: Uint8Array, expectedSha256: string, paths: OutputPaths, protectedFiles: string[]): CommittedStage1 {
  if (sha256(bytes) !== expectedSha256) {
    throw new OutputRefused('the staged Stage 1 changed after it was written; nothing was committed');
  }
  assertNotProtected(paths.stage1, protectedFiles);
  assertNotProtected(paths.previous, protectedFiles);
  fs.mkdirSync(paths.dir, { recursive: true });
  let previous: string | undefined;
  if (fs.existsSync(paths.stage1)) {
    copyFileAtomic(paths.stage1, paths.previous);
    previous = paths.previous;
  }
  writeFileAtomic(paths.stage1, bytes);
  const onDisk = fs.readFileSync(paths.stage1);
  const actual = sha256(onDisk);
  if (actual !== expectedSha256) {
    throw new OutputRefused(`${paths.stage1} does not hold this run's output after writing (sha256 ${actual.slice(0, 12)}…, expected ${expectedSha256.slice(0, 12)}…)`);
  }
  return { path: paths.stage1, size: onDisk.length, sha256: actual, previous };
}
