// WorkspaceSession.backendChosen(): what a request that needs the backend (Generate Stage 1) waits on
// right after start-up, instead of polling activeBackend(). It settles when the backend is
// chosen, not before; the backend here is a stand-in that never compiles.
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';
import type { SelectedBackend } from '../../server/src/backends/createBackend';
import { defaultServerSettings } from '../../server/src/protocol';
import { WorkspaceSession } from '../../server/src/workspaceSession';
import type { BackendStatus, CompilerBackend } from '../../server/src/types';
import { copyExampleWorkspace } from '../support/repo';

const unusable: BackendStatus = { state: 'error', message: 'stand-in backend', engine: { name: 'none', version: '' } };

const standIn: CompilerBackend = {
  kind: 'stage0',
  identity: () => 'stand-in',
  timeLimitMs: () => 1000,
  start: () => Promise.resolve(unusable),
  status: () => unusable,
  compileForm: () => Promise.reject(new Error('the stand-in backend compiles nothing')),
  generateStage1: () => Promise.reject(new Error('the stand-in backend generates nothing')),
  dispose: () => Promise.resolve(),
};

describe('WorkspaceSession.backendChosen', () => {
  const root = copyExampleWorkspace();
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('settles once the backend is chosen, and not before', async () => {
    const selecting = new EventEmitter();
    let choose: (selected: SelectedBackend) => void = () => undefined;
    const session = new WorkspaceSession(
      root,
      { ...defaultServerSettings },
      { log: () => undefined, statusChanged: () => undefined, resultsChanged: () => undefined, backendProblem: () => undefined, progress: () => undefined },
      {
        selectBackend: () => {
          selecting.emit('select');
          return new Promise((resolve) => (choose = resolve));
        },
      },
    );
    let chosen = false;
    void session.backendChosen().then(() => (chosen = true));
    const selected = once(selecting, 'select');
    const started = session.start();
    await selected;
    // Selection is under way (awaiting it let every queued callback run): still pending.
    assert.equal(chosen, false);
    assert.equal(session.activeBackend(), undefined);
    choose({ backend: standIn, status: unusable, reason: 'test' });
    await session.backendChosen();
    assert.equal(session.activeBackend(), standIn);
    await started;
    await session.dispose();
  });
});
