// The Stage 0 worker's limits against hostile binaries: memory (Wasm linear memory included),
// the load time limit, and the size of the messages a Stage 0 can make the host write.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Stage0Backend } from '../../server/src/backends/stage0/backend';
import { CompileAllCollector, runCompileAll } from '../../server/src/backends/stage0/compileAll';
import { EmbeddedV8Engine } from '../../server/src/backends/stage0/v8Engine';
import { describeWasiModule } from '../../server/src/backends/stage0/wasmtimeEngine';
import { describeWorkerEnd } from '../../server/src/backends/stage0/workerTransport';
import { memoryLimitMarker } from '../../server/src/backends/stage0/workerProtocol';
import { buildLoopingInitStage0, buildManyUnknownImportsStage0, buildMemoryGrowStage0 } from '../fixtures/stage0/variants';
import { exampleWorkspace, tempWorkspace, workerScript } from './stage0-helpers';

describe('Stage 0 worker memory limit (clysm.stage0.maxMemoryMb)', { timeout: 60_000 }, () => {
  let engine: EmbeddedV8Engine | undefined;
  after(() => engine?.dispose());

  it('a form that takes the worker over its limit is crashed with the reason, once, never no-output', async () => {
    // 1 GiB of linear memory per form, written; --max-old-space-size alone would let it through.
    engine = new EmbeddedV8Engine({ workerScript, workspaceRoot: exampleWorkspace, modules: [], maxMemoryMb: 256 });
    await engine.load(buildMemoryGrowStage0(1024));
    const result = await engine.compile('(grow)', { timeoutMs: 30_000 });
    assert.equal(result.status, 'crashed', result.message);
    assert.match(result.message ?? '', /out of memory: the engine process went over its memory limit \(clysm\.stage0\.maxMemoryMb = 256; \d+ MB > 256 MB\)/);
    // Not retried on a fresh worker (where it would have "passed"): one replacement only.
    assert.equal(engine.restarts, 1);
    await engine.dispose();
  });

  it('a worker left above half its limit after a form is replaced, so the next form has room', async () => {
    // 192 MB per form under a 320 MB limit: the first form fits, two on one worker would not.
    engine = new EmbeddedV8Engine({ workerScript, workspaceRoot: exampleWorkspace, modules: [], maxMemoryMb: 320 });
    await engine.load(buildMemoryGrowStage0(192));
    const first = await engine.compile('(grow)', { timeoutMs: 30_000 });
    assert.equal(first.status, 'no-output', first.message);
    assert.equal(engine.restarts, 1, 'the bloated worker was recycled after the form');
    const second = await engine.compile('(grow)', { timeoutMs: 30_000 });
    assert.equal(second.status, 'no-output', second.message);
    await engine.dispose();
  });

  it('names the limit when the watchdog killed the worker, and V8 heap exhaustion is memory too', () => {
    const tail = `some output\n${memoryLimitMarker} 300 MB > 256 MB\n`;
    assert.deepEqual(describeWorkerEnd(null, 'SIGKILL', tail, 256), {
      cause: 'memory',
      reason: 'out of memory: the engine process went over its memory limit (clysm.stage0.maxMemoryMb = 256; 300 MB > 256 MB) and was killed',
    });
    assert.equal(describeWorkerEnd(134, null, 'FATAL ERROR: Reached heap limit Allocation failed', 256).cause, 'memory');
    assert.deepEqual(describeWorkerEnd(null, 'SIGKILL', '', 256), { cause: 'other', reason: 'the engine process was killed by SIGKILL' });
  });
});

describe('Stage 0 load time limit', { timeout: 60_000 }, () => {
  it('a looping _initialize ends loading at clysm.stage0.loadTimeoutMs, and the message names that limit', async () => {
    const ws = tempWorkspace();
    const stage0 = path.join(ws.root, 'looping-init.wasm');
    fs.writeFileSync(stage0, buildLoopingInitStage0());
    const backend = new Stage0Backend({ workspaceRoot: ws.root, stage0Path: stage0, modules: [], timeoutMs: 5000, loadTimeoutMs: 400, workerScript });
    try {
      const status = await backend.start();
      assert.equal(status.state, 'error');
      assert.match(status.message, /did not finish loading \(instantiation and _initialize or its start function\) within 400 ms, the load time limit \(clysm\.stage0\.loadTimeoutMs/);
    } finally {
      await backend.dispose();
      ws.cleanup();
    }
  });
});

describe('messages from a Stage 0 with 100,000 unknown imports', { timeout: 120_000 }, () => {
  const count = 100_000;
  let bytes: Uint8Array;
  let ws: { root: string; cleanup: () => void };
  before(() => {
    bytes = buildManyUnknownImportsStage0(count);
    ws = tempWorkspace();
    fs.writeFileSync(path.join(ws.root, 'many.wasm'), bytes);
  });
  after(() => ws.cleanup());

  const bounded = /junk\/f0, junk\/f1, junk\/f2 and 99,997 more/;

  it('the backend status names three imports and counts the rest', async () => {
    const backend = new Stage0Backend({ workspaceRoot: ws.root, stage0Path: 'many.wasm', modules: [], timeoutMs: 5000, workerScript });
    try {
      const status = await backend.start();
      assert.equal(status.state, 'error');
      assert.match(status.message, bounded);
      assert.ok(status.message.length < 500, `${status.message.length} characters`);
      assert.ok(JSON.stringify(status).length < 2000, 'the whole status stays small');
    } finally {
      await backend.dispose();
    }
  });

  it('Stage 1 generation fails with the same bounded message', async () => {
    const staging = fs.mkdtempSync(path.join(ws.root, 'staging-'));
    await assert.rejects(
      runCompileAll({ compilerPath: path.join(ws.root, 'many.wasm'), label: 'Stage 0', workspaceRoot: ws.root, modules: [], stagingDir: staging, protectedFiles: [], timeoutMs: 60_000, workerScript }),
      (error: Error) => bounded.test(error.message) && error.message.length < 500,
    );
  });

  it('the wasmtime engine names three foreign imports and counts the rest', () => {
    assert.throws(() => describeWasiModule(bytes), (error: Error) => bounded.test(error.message) && error.message.length < 500);
  });
});

describe('Stage 1 generation warnings', () => {
  it('a compiler that makes the host refuse 100,000 reads gets 20 warnings and a count, not 100,000', () => {
    const collector = new CompileAllCollector([], 'clysm-stage1.wasm');
    for (let i = 0; i < 100_000; i++) collector.add({ kind: 'read', path: `../x${i}${'y'.repeat(i === 0 ? 1_000_000 : 0)}`, ok: false, reason: 'outside' });
    const warnings = collector.warnings;
    assert.equal(warnings.length, 21);
    assert.equal(warnings[20], '… and 99,980 more warnings');
    assert.ok(warnings[0].length < 2100, 'a huge path is clipped');
    assert.match(warnings[1], /^could not read \.\.\/x1: outside$/);
  });
});
