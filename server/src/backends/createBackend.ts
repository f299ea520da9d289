// Builds and starts the configured compiler backend, and decides between them in "auto"
// mode. The one place that knows which backends exist, shared by the server and the CLI.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultOf } from '../protocol/settings';
import type { BackendStatus, CompilerBackend } from '../types';
import { SbclBackend } from './sbcl/sbclBackend';
import { Stage0Backend } from './stage0/backend';
import type { EngineKind } from './stage0/stage0Engine';

export type BackendMode = 'auto' | 'stage0' | 'sbcl';

export interface BackendConfig {
  mode: BackendMode;
  /** Where a non-auto mode came from, for the reason text; default `clysm.backend is "<mode>"`. */
  modeSource?: string;
  /**
   * Start a backend only when "auto" needs it to choose: for a caller that only generates
   * Stage 1 (on a process of the backend's own), an explicitly chosen backend stays unstarted.
   */
  startOnlyToChoose?: boolean;
  workspaceRoot: string;
  stage0Path: string;
  timeoutMs: number;
  modules: string[];
  /** Where Stage 0 may write (clysm.output write-bytes). */
  outputDir?: string;
  sbclPath?: string;
  sbclDynamicSpaceSizeMb?: number;
  sbclExtraArgs?: string[];
  /** Saved SBCL cores live here (the extension's global storage), so restarts are fast. */
  coreCacheDir?: string;
  /** Which engine runs Stage 0 (`clysm.stage0.engine`); default `embedded`. */
  stage0Engine?: EngineKind;
  /** The wasmtime executable (`clysm.wasmtime.path`): a name on PATH, or a path (relative to the workspace). */
  wasmtimePath?: string;
  /** Memory limit of the Stage 0 worker process in MB (`clysm.stage0.maxMemoryMb`). */
  stage0MaxMemoryMb?: number;
  /** Limit for loading Stage 0 (`clysm.stage0.loadTimeoutMs`). */
  stage0LoadTimeoutMs?: number;
  /** Cache of precompiled `.cwasm` files; default `clysm-wasmtime-cache` in the OS temp folder. */
  wasmtimeCacheDir?: string;
  /** dist/stage0-worker.js; default next to the bundle (the CLI's tests run from out/). */
  stage0WorkerScript?: string;
  log?: (message: string) => void;
}

export interface SelectedBackend {
  backend: CompilerBackend;
  status: BackendStatus;
  /** Why this backend is the one in use: shown in the status tooltip and the CLI report. */
  reason: string;
}

function createStage0(config: BackendConfig): Stage0Backend {
  return new Stage0Backend({
    workspaceRoot: config.workspaceRoot,
    stage0Path: config.stage0Path,
    timeoutMs: config.timeoutMs,
    modules: config.modules,
    outputDir: config.outputDir ?? path.join(config.workspaceRoot, 'dist'),
    workerScript: config.stage0WorkerScript,
    log: config.log,
    engine: config.stage0Engine,
    wasmtimePath: resolveCommand(config.workspaceRoot, config.wasmtimePath ?? 'wasmtime'),
    wasmtimeCacheDir: config.wasmtimeCacheDir,
    maxMemoryMb: config.stage0MaxMemoryMb,
    loadTimeoutMs: config.stage0LoadTimeoutMs,
  });
}

/** A compiler binary other than the configured Stage 0 (Stage 1, compiling Stage 2) run on Stage 0's host. */
export interface CompilerBinaryConfig {
  workspaceRoot: string;
  /** Absolute, or relative to workspaceRoot. */
  compilerPath: string;
  /** What the binary is called in messages (`Stage 1`). */
  label: string;
  modules: string[];
  /** Files its compile_all never overwrites besides the binary itself. */
  protectedFiles: string[];
  /** dist/stage0-worker.js; default next to the bundle. */
  workerScript?: string;
}

/**
 * A backend that only generates with `config`'s binary (never started: no per-form compiles).
 * The fixed-point check runs Stage 1's compile_all through it, as Generate Stage 1 runs Stage 0's.
 */
export function createGeneratorForBinary(config: CompilerBinaryConfig): Pick<CompilerBackend, 'generateStage1' | 'dispose'> {
  return new Stage0Backend({
    workspaceRoot: config.workspaceRoot,
    stage0Path: config.compilerPath,
    compilerLabel: config.label,
    protectedFiles: config.protectedFiles,
    timeoutMs: defaultOf('clysm.stage0.timeoutMs'),
    modules: config.modules,
    workerScript: config.workerScript,
  });
}

/** A bare name is looked up on PATH; anything with a slash is a path, relative to the workspace. */
function resolveCommand(workspaceRoot: string, command: string): string {
  if (command.startsWith('~/')) return path.join(os.homedir(), command.slice(2));
  return command.includes('/') || command.includes(path.sep) ? path.resolve(workspaceRoot, command) : command;
}

function createSbcl(config: BackendConfig): SbclBackend {
  return new SbclBackend({
    workspaceRoot: config.workspaceRoot,
    sbclPath: config.sbclPath,
    dynamicSpaceSizeMb: config.sbclDynamicSpaceSizeMb,
    extraArgs: config.sbclExtraArgs,
    timeoutMs: config.timeoutMs,
    coreCacheDir: config.coreCacheDir,
    log: config.log,
  });
}

/** Starts the backend the configuration asks for; "auto" prefers a Stage 0 that compiles. */
export async function selectBackend(config: BackendConfig): Promise<SelectedBackend> {
  if (config.mode !== 'auto') {
    const backend = config.mode === 'stage0' ? createStage0(config) : createSbcl(config);
    const status = config.startOnlyToChoose ? backend.status() : await backend.start();
    return { backend, status, reason: config.modeSource ?? `clysm.backend is "${config.mode}"` };
  }
  const stage0 = createStage0(config);
  const stage0Status = await stage0.start();
  if (stage0Status.state === 'ready') {
    return { backend: stage0, status: stage0Status, reason: 'auto: Stage 0 compiled the probe form (+ 1 2)' };
  }
  const stage0Why = `Stage 0 is not usable (${stage0Status.state}: ${stage0Status.message})`;
  if (!fs.existsSync(path.join(config.workspaceRoot, 'clysm.asd'))) {
    return { backend: stage0, status: stage0Status, reason: `auto: ${stage0Why}, and the workspace has no clysm.asd for the SBCL backend` };
  }
  const sbcl = createSbcl(config);
  const sbclStatus = await sbcl.start();
  if (sbclStatus.state === 'ready') {
    await stage0.dispose();
    return { backend: sbcl, status: sbclStatus, reason: `auto: ${stage0Why}; using Clysm on SBCL` };
  }
  await sbcl.dispose();
  return { backend: stage0, status: stage0Status, reason: `auto: ${stage0Why}, and SBCL failed too (${sbclStatus.message})` };
}
