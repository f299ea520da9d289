// The `clysm.*` settings the server needs, read once per server start.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerSettings } from '../../server/src/protocol';

/** Settings whose change needs a new server (the server reads them at start). */
export const restartOnChange = [
  'clysm.backend',
  'clysm.sbcl',
  'clysm.stage0Path',
  'clysm.stage0.timeoutMs',
  'clysm.stage0.engine',
  'clysm.wasmtime.path',
  'clysm.modules',
  'clysm.diagnostics.delayMs',
  'clysm.baselineReport',
];

export function serverSettings(folder: vscode.WorkspaceFolder, context: vscode.ExtensionContext): ServerSettings {
  const config = vscode.workspace.getConfiguration('clysm', folder.uri);
  const baseline = config.get<string>('baselineReport', '').trim();
  return {
    backend: config.get<'auto' | 'stage0' | 'sbcl'>('backend', 'auto'),
    sbclPath: config.get<string>('sbcl.path', 'sbcl'),
    sbclDynamicSpaceSizeMb: config.get<number>('sbcl.dynamicSpaceSize', 4096),
    sbclExtraArgs: config.get<string[]>('sbcl.extraArgs', []),
    coreCacheDir: vscode.Uri.joinPath(context.globalStorageUri, 'sbcl-cores').fsPath,
    stage0Path: config.get<string>('stage0Path', 'dist/clysm-stage0.wasm'),
    stage0TimeoutMs: config.get<number>('stage0.timeoutMs', 5000),
    stage0Engine: config.get<'embedded' | 'wasmtime'>('stage0.engine', 'embedded'),
    wasmtimePath: config.get<string>('wasmtime.path', 'wasmtime'),
    modules: config.get<string[] | null>('modules', null),
    diagnosticsDelayMs: config.get<number>('diagnostics.delayMs', 300),
    // Relative paths are relative to the workspace folder, like clysm.stage0Path.
    baselineReport: baseline ? path.resolve(folder.uri.fsPath, baseline) : undefined,
    // Per-workspace storage for the persistent result cache (undefined only without a folder).
    storageDir: context.storageUri?.fsPath,
  };
}
