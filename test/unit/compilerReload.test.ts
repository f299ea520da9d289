// The self-hosting loop's one home for "results before → reload → re-check → delta", driven by
// fake compilers (no SBCL, no Stage 0): an SBCL-like reload in place, a Stage 0 rebuilt on disk
// through stage0Reload, and a rebuild that does not load.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { LastChange } from '../../server/src/protocol';
import type { AnalyzedForm, BackendStatus } from '../../server/src/types';
import { CompilerReloadLoop, type CompilerReloadOutcome, type ReloadableCompiler } from '../../server/src/workspace/compilerReload';
import { stage0Reload, UnusableStage0Error } from '../../server/src/workspace/stage0Reload';
import { syntheticForm } from './workspaceHelpers';

const STAGE0 = path.resolve('/ws/dist/clysm-stage0.wasm');

/** The workspace's results, which `recheck` replaces as a re-check with the new compiler would. */
class FakeWorkspace {
  forms: AnalyzedForm[] = [
    syntheticForm({ index: 0, name: 'A', status: 'failed', message: 'Undefined function: LOGAND' }),
    syntheticForm({ index: 1, name: 'B', status: 'compiled' }),
    syntheticForm({ index: 2, name: 'C', status: 'compiled' }),
  ];
  rechecks = 0;
  readonly changes: LastChange[] = [];
  readonly failures: string[] = [];
  readonly logged: string[] = [];

  constructor(private readonly next: AnalyzedForm[]) {}

  loop(compiler: () => ReloadableCompiler | undefined): CompilerReloadLoop {
    return new CompilerReloadLoop({
      compiler,
      forms: () => this.forms,
      recheckAll: async () => {
        this.rechecks++;
        this.forms = this.next;
      },
      relativePath: (file) => (file.startsWith(path.resolve('/ws')) ? path.relative(path.resolve('/ws'), file).split(path.sep).join('/') : undefined),
      log: (message) => this.logged.push(message),
      changed: (change) => this.changes.push(change),
      failed: (message) => this.failures.push(message),
    });
  }
}

const afterRebuild = [
  syntheticForm({ index: 0, name: 'A', status: 'compiled' }),
  syntheticForm({ index: 1, name: 'B', status: 'failed', message: 'Undefined function: CAR' }),
  syntheticForm({ index: 2, name: 'C', status: 'compiled' }),
];

const status = (state: BackendStatus['state'], message: string = state): BackendStatus => ({ state, message, engine: { name: 'fake', version: '1' } });

describe('CompilerReloadLoop', () => {
  it('compares the results just before the reload with the re-check after it', async () => {
    const workspace = new FakeWorkspace(afterRebuild);
    const outcome: CompilerReloadOutcome = { mode: 'incremental', forms: 1, errors: [], names: ['FOLD'] };
    const reloaded: string[][] = [];
    const compiler: ReloadableCompiler = {
      compilerFiles: () => [path.resolve('/ws/src/compiler.lisp')],
      reload: async (files) => {
        reloaded.push(files);
        return outcome;
      },
      reloadErrors: () => [],
    };
    const loop = workspace.loop(() => compiler);
    assert.equal(loop.isCompilerFile('/ws/src/compiler.lisp'), true);
    assert.equal(loop.isCompilerFile('/ws/src/other.lisp'), false);

    const change = await loop.filesChanged([path.resolve('/ws/src/compiler.lisp')], Date.now());
    assert.ok(change);
    assert.deepEqual(reloaded, [[path.resolve('/ws/src/compiler.lisp')]]);
    assert.equal(change.text, '+1 compiled, 1 regression, 0 messages changed (compiler.lisp: FOLD)');
    assert.deepEqual(change.files, ['src/compiler.lisp']);
    assert.deepEqual(change.reload, { mode: 'incremental', forms: 1, errors: [] });
    assert.deepEqual(change.changed.map((c) => [c.name, c.kind]), [['A', 'compiled'], ['B', 'regression']]);
    assert.deepEqual(workspace.changes, [change]);
    assert.equal(loop.lastChange(), change);
    assert.equal(loop.changeOf('1:1')?.kind, 'regression');
    assert.equal(loop.changeOf('1:2'), undefined);
  });

  it('turns a Stage 0 rebuilt on disk into a delta with the reload mode "stage0"', async () => {
    const workspace = new FakeWorkspace(afterRebuild);
    let loads = 0;
    const loop = workspace.loop(() => stage0Reload({ files: () => [STAGE0], load: async () => (loads++, status('ready')) }));
    assert.equal(loop.isCompilerFile(STAGE0), true);

    const change = await loop.filesChanged([STAGE0]);
    assert.equal(loads, 1);
    assert.equal(change?.text, '+1 compiled, 1 regression, 0 messages changed (clysm-stage0.wasm)');
    assert.deepEqual(change?.files, ['dist/clysm-stage0.wasm']);
    assert.deepEqual(change?.reload, { mode: 'stage0', forms: 0, errors: [] });
  });

  it('gives no delta, keeps every result and reports the failure when the rebuilt Stage 0 does not load', async () => {
    const workspace = new FakeWorkspace(afterRebuild);
    const before = workspace.forms;
    const loop = workspace.loop(() => stage0Reload({ files: () => [STAGE0], load: async () => status('error', 'not a WebAssembly module (dist/clysm-stage0.wasm)') }));

    assert.equal(await loop.filesChanged([STAGE0]), undefined);
    assert.equal(workspace.rechecks, 0, 'nothing is re-checked with a Stage 0 that does not load');
    assert.equal(workspace.forms, before);
    assert.equal(loop.lastChange(), undefined);
    assert.deepEqual(workspace.changes, []);
    assert.deepEqual(workspace.failures, [
      'compiler reload failed: the rebuilt Stage 0 is not usable (error: not a WebAssembly module (dist/clysm-stage0.wasm)); the results of the previous Stage 0 stay',
    ]);
    assert.deepEqual(workspace.logged, workspace.failures);
  });

  it('runs the changes one at a time, in the order they came, and goes on after a failed one', async () => {
    const workspace = new FakeWorkspace(afterRebuild);
    const pending: Array<(status: BackendStatus) => void> = [];
    let loadCalled: () => void = () => undefined;
    const nextLoad = (): Promise<void> => new Promise((resolve) => (loadCalled = resolve));
    const loop = workspace.loop(() =>
      stage0Reload({
        files: () => [STAGE0],
        load: () =>
          new Promise((resolve) => {
            pending.push(resolve);
            loadCalled();
          }),
      }),
    );
    let called = nextLoad();
    const first = loop.filesChanged([STAGE0]);
    const second = loop.filesChanged([STAGE0]);
    await called;
    assert.equal(pending.length, 1, 'the second change waits for the first');
    called = nextLoad();
    pending[0](status('error'));
    assert.equal(await first, undefined);
    await called;
    assert.equal(pending.length, 2);
    pending[1](status('ready'));
    assert.equal((await second)?.reload.mode, 'stage0');
  });

  it('does nothing while there is no compiler to reload', async () => {
    const workspace = new FakeWorkspace(afterRebuild);
    const loop = workspace.loop(() => undefined);
    assert.equal(loop.isCompilerFile(STAGE0), false);
    assert.equal(await loop.filesChanged([STAGE0]), undefined);
    assert.equal(workspace.rechecks, 0);
  });
});

describe('stage0Reload', () => {
  it('names the binaries as absolute paths and has no reload errors', () => {
    const compiler = stage0Reload({ files: () => ['dist/x.wasm'], load: async () => status('ready') });
    assert.deepEqual(compiler.compilerFiles(), [path.resolve('dist/x.wasm')]);
    assert.deepEqual(compiler.reloadErrors(), []);
  });

  it('rejects with the backend status when the rebuilt Stage 0 is a stub', async () => {
    const compiler = stage0Reload({ files: () => [STAGE0], load: async () => status('stub', 'this Stage 0 does not compile yet') });
    await assert.rejects(compiler.reload([STAGE0]), (error: unknown) => error instanceof UnusableStage0Error && error.status.state === 'stub' && /does not compile yet/.test(error.message));
  });
});
