// The wasmtime engine inside a real VS Code: setting clysm.stage0.engine (a restart-only setting:
// the client offers "Restart now"; the test restarts through the same command) runs the server on
// the WASI-command build, run by the stand-in runtime (test/support/fake-wasmtime, a test
// double for wasmtime's CLI on node:wasi); the workspace gets the same coverage as with the
// embedded engine. Settings go to the workspace copy's .vscode/settings.json and are removed.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClysmApi } from '../../client/src/api';
import type { ServerStatus } from '../../server/src/protocol';

const EXT_ID = 'clysm-tools.clysm-vscode';
// out/test/integration → the repository, where the stand-in and its compiled script live.
const fakeWasmtime = path.resolve(__dirname, '..', '..', '..', 'test', 'support', 'fake-wasmtime');

/** The first status (current or coming) for which `done` holds; rejects after timeoutMs. */
function statusWhere(api: ClysmApi, done: (s: ServerStatus) => boolean, what: string, timeoutMs = 60_000): Promise<ServerStatus> {
  return new Promise((resolve, reject) => {
    let sub: vscode.Disposable | undefined;
    const timer = setTimeout(() => {
      sub?.dispose();
      const last = api.lastStatus();
      reject(new Error(`timed out waiting for ${what}; last status: ${last ? `${last.status.engine.name} ${last.status.state} ${last.modulesDone}/${last.modulesTotal} ${last.status.message}` : 'none'}`));
    }, timeoutMs);
    const check = (s: ServerStatus | undefined): void => {
      if (!s || !done(s)) return;
      clearTimeout(timer);
      sub?.dispose();
      resolve(s);
    };
    sub = api.onStatus(check);
    check(api.lastStatus());
  });
}

const settled = (engine: string) => (s: ServerStatus): boolean =>
  s.status.engine.name === engine && s.status.state === 'ready' && !s.busy && s.modulesTotal > 0 && s.modulesDone === s.modulesTotal;

suite('Stage 0 on wasmtime in a real VS Code (stand-in runtime)', () => {
  test('clysm.stage0.engine "wasmtime" runs the WASI build and gives the embedded engine\'s coverage; "embedded" again restores it', async () => {
    const ext = vscode.extensions.getExtension<ClysmApi>(EXT_ID);
    assert.ok(ext);
    const api = await ext.activate();
    await api.ready();
    const embedded = await statusWhere(api, settled('embedded-v8'), 'the embedded engine to finish the workspace');
    const config = vscode.workspace.getConfiguration('clysm');
    try {
      await config.update('wasmtime.path', fakeWasmtime, vscode.ConfigurationTarget.Workspace);
      await config.update('stage0.engine', 'wasmtime', vscode.ConfigurationTarget.Workspace);
      await vscode.commands.executeCommand('clysm.restartServer');
      const wasmtime = await statusWhere(api, settled('wasmtime'), 'the wasmtime engine to finish the workspace');
      assert.match(wasmtime.status.engine.version, /^37\.0\.0 \(fake-wasmtime/);
      assert.match(wasmtime.status.stage0?.path ?? '', /clysm-stage0\.wasi\.wasm$/);
      assert.deepEqual(wasmtime.summary, embedded.summary);
      assert.match(api.statusBar().tooltip, /wasmtime 37\.0\.0/);
    } finally {
      await config.update('stage0.engine', undefined, vscode.ConfigurationTarget.Workspace);
      await config.update('wasmtime.path', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await vscode.commands.executeCommand('clysm.restartServer');
    const back = await statusWhere(api, settled('embedded-v8'), 'the embedded engine after the settings were removed');
    assert.deepEqual(back.summary, embedded.summary);
  });
});
