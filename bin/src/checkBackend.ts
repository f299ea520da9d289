// The backend the checker's options ask for, over the workspace's module list: one place for
// `clysm-check` and `clysm-check wat`.
import { selectBackend, type SelectedBackend } from '../../server/src/backends/createBackend';
import type { WorkspaceFiles } from '../../server/src/workspace/workspaceFiles';
import { resolveWorkspaceModules } from '../../server/src/workspace/workspaceModel';
import type { CheckArgs } from './args';

/** `coreCacheDir`: where the SBCL backend finds and saves cores (savedCores.ts); none without it. */
export function backendForArgs(args: CheckArgs, files: WorkspaceFiles, log: ((m: string) => void) | undefined, coreCacheDir?: string): Promise<SelectedBackend> {
  // The module list is needed by the backend (clysm.fs list-modules), so resolve it first.
  const moduleList = resolveWorkspaceModules(files, args.modules ?? null);
  return selectBackend({
    mode: args.backend,
    workspaceRoot: args.workspace,
    stage0Path: args.stage0,
    timeoutMs: args.timeoutMs,
    modules: moduleList.modules,
    sbclPath: args.sbclPath,
    stage0Engine: args.engine,
    wasmtimePath: args.wasmtimePath,
    stage0MaxMemoryMb: args.maxMemoryMb,
    stage0LoadTimeoutMs: args.loadTimeoutMs,
    coreCacheDir,
    log,
  });
}
