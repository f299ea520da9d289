// Where Stage 1 generation writes, and how: the output folder (a setting, `dist` by default),
// every path checked by one rule before anything is written (planOutputs), every write a
// sibling temp file plus a rename, the previous Stage 1 kept as clysm-stage1.prev.wasm, and
// proof that the file on disk is the one this run produced (its sha256 is checked after the
// rename).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isInside, outputFolderOutsideWorkspace, realPathOf } from '../sandbox/paths';
import { defaultStage1Settings, type Stage1Settings } from '../protocol/settings';
import { copyFileAtomic, writeFileAtomic } from '../util/atomicWrite';

/** The output part of the `clysm.stage1.*` settings (defaults in protocol/settings.ts). */
export type OutputSettings = Pick<Stage1Settings, 'outputDir' | 'outputName' | 'reportName'>;

export const defaultOutputSettings: OutputSettings = { outputDir: defaultStage1Settings.outputDir, outputName: defaultStage1Settings.outputName, reportName: defaultStage1Settings.reportName };

/** Files other than the Stage 1 and its report that a generator may leave (Clysm's SBCL generator). */
export const ARTIFACT_NAMES = ['defun-errors.json'] as const;

export interface OutputPaths {
  dir: string;
  stage1: string;
  /** The Stage 1 before this run (`<name>.prev.wasm`). */
  previous: string;
  report: string;
  /** Written by the fixed-point check. */
  stage2: string;
  /** Where each generator artifact (ARTIFACT_NAMES) is kept. */
  artifacts: Record<string, string>;
}

function withSuffix(file: string, suffix: string): string {
  const ext = path.extname(file);
  return ext ? `${file.slice(0, -ext.length)}${suffix}${ext}` : `${file}${suffix}`;
}

/** Every path generation may write, derived from the settings; not checked (see planOutputs). */
export function outputPaths(workspaceRoot: string, settings: OutputSettings): OutputPaths {
  const dir = path.resolve(workspaceRoot, settings.outputDir);
  const stage1 = path.join(dir, settings.outputName);
  return {
    dir,
    stage1,
    previous: withSuffix(stage1, '.prev'),
    report: path.join(dir, settings.reportName),
    stage2: path.join(dir, settings.outputName.includes('stage1') ? settings.outputName.replace('stage1', 'stage2') : withSuffix(settings.outputName, '.stage2')),
    artifacts: Object.fromEntries(ARTIFACT_NAMES.map((name) => [name, path.join(dir, name)])),
  };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class OutputRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputRefused';
  }
}

/** What a run asks to write, and what the output must stay clear of. */
export interface OutputRequest {
  workspaceRoot: string;
  /** The Stage 0 binary (absolute, or relative to the workspace): never written. */
  stage0Path: string;
  /** The module list (workspace-relative): never written. */
  modules: string[];
  output: OutputSettings;
  /** The user (never the workspace) allowed an output folder outside the workspace. */
  allowOutputOutsideWorkspace?: boolean;
  /** How messages name each setting: the `clysm.stage1.*` keys (default), or the CLI's flags. */
  outputNames?: Partial<Record<keyof OutputSettings, string>>;
}

const settingNames: Record<keyof OutputSettings, string> = { outputDir: 'clysm.stage1.outputDir', outputName: 'clysm.stage1.outputName', reportName: 'clysm.stage1.reportName' };

/** A setting's value for a message: quoted, and clipped so a huge value gives a short message. */
function quoted(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 100)}… (${text.length} characters)` : text;
}

function plainNameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name.trim() === '') return 'is empty';
  if (name.includes('\0')) return 'contains a NUL character';
  if (name === '.' || name === '..' || /[\\/]/.test(name)) return 'must be a plain file name (no folder) inside the output folder';
  return undefined;
}

// Case-insensitive file systems (macOS, Windows) would make two spellings one file.
const pathKey = (file: string): string => (process.platform === 'darwin' || process.platform === 'win32' ? file.toLowerCase() : file);

/**
 * The one check of where generation and the fixed-point check write. Every output (Stage 1,
 * its .prev copy, the report, Stage 2, generator artifacts) must be a plain name that really
 * lands inside the output folder (no symbolic link out), must not be Stage 0 or a module, and
 * must not be the same file as another output; the output folder must really be inside the
 * workspace unless the user allowed otherwise. Throws OutputRefused naming the setting and the
 * path; returns the paths to write.
 */
export function planOutputs(request: OutputRequest): OutputPaths {
  const settings = request.output;
  const names = { ...settingNames, ...request.outputNames };
  const root = path.resolve(request.workspaceRoot);
  if (typeof settings.outputDir !== 'string' || settings.outputDir.trim() === '' || settings.outputDir.includes('\0')) {
    throw new OutputRefused(`${names.outputDir} ${quoted(settings.outputDir)} is not a usable folder name`);
  }
  for (const key of ['outputName', 'reportName'] as const) {
    const problem = plainNameProblem(settings[key]);
    if (problem) throw new OutputRefused(`${names[key]} ${quoted(settings[key])} ${problem}`);
  }
  const paths = outputPaths(root, settings);
  if (!request.allowOutputOutsideWorkspace) {
    const outside = outputFolderOutsideWorkspace(root, paths.dir);
    if (outside) throw new OutputRefused(`${names.outputDir} ${quoted(settings.outputDir)}: ${outside}; a user setting (clysm.stage1.allowOutputOutsideWorkspace) can allow it`);
  }
  const protectedFiles = new Map<string, string>([[pathKey(realPathOf(path.resolve(root, request.stage0Path))), 'Stage 0']]);
  for (const module of request.modules) protectedFiles.set(pathKey(realPathOf(path.resolve(root, module))), `the module ${module}`);
  const realDir = realPathOf(paths.dir);
  const targets: [string, string][] = [
    [paths.stage1, names.outputName],
    [paths.previous, `the previous-Stage 1 copy (from ${names.outputName})`],
    [paths.report, names.reportName],
    [paths.stage2, `the Stage 2 of the fixed-point check (from ${names.outputName})`],
    ...Object.values(paths.artifacts).map((file): [string, string] => [file, `the generator's ${path.basename(file)}`]),
  ];
  const taken = new Map<string, string>();
  for (const [file, label] of targets) {
    const real = realPathOf(file);
    if (real === realDir || !isInside(realDir, real)) throw new OutputRefused(`${label}: ${file} is a symbolic link to ${real}, outside the output folder`);
    const key = pathKey(real);
    const owner = protectedFiles.get(key);
    if (owner) throw new OutputRefused(`${label}: ${file} is ${owner}, which is never overwritten`);
    const other = taken.get(key);
    if (other) throw new OutputRefused(`${label}: ${file} is the same file as ${other}; every output needs a file of its own`);
    taken.set(key, label);
  }
  return paths;
}

/** planOutputs for callers that report a refusal as their outcome rather than throw it. */
export function planOrRefusal(request: OutputRequest): OutputPaths | OutputRefused {
  try {
    return planOutputs(request);
  } catch (error) {
    if (error instanceof OutputRefused) return error;
    throw error;
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
 * Puts this run's bytes in place as the Stage 1 (`paths` from planOutputs): the old Stage 1 is copied to `previous`
 * first (so there is never a moment without a Stage 1), then the new one is renamed over it.
 * The file is read back and its sha256 compared with `expectedSha256`, so the result is
 * known to be this run's output.
 */
export function commitStage1(bytes: Uint8Array, expectedSha256: string, paths: OutputPaths): CommittedStage1 {
  if (sha256(bytes) !== expectedSha256) {
    throw new OutputRefused('the staged Stage 1 changed after it was written; nothing was committed');
  }
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
