// EmbeddedV8Engine against the bundled worker (dist/stage0-worker.js) and the fixture
// binaries. Real worker processes (the only transport, as in production), real Wasm.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EmbeddedV8Engine } from '../../server/src/backends/stage0/v8Engine';
import { exampleWorkspace, readFixture, workerScript } from './stage0-helpers';

function newEngine(): EmbeddedV8Engine {
  return new EmbeddedV8Engine({ workerScript, workspaceRoot: exampleWorkspace, modules: ['src/backend/leb128.lisp'] });
}

describe('embedded V8 engine', { timeout: 60_000 }, () => {
  let engine: EmbeddedV8Engine;
  before(async () => {
    engine = newEngine();
    const info = await engine.load(readFixture('stage0-fixture.wasm'));
    assert.deepEqual(info.exports.map((e) => e.name), ['compile_form', 'compile_all', '_initialize']);
    assert.equal(info.initialized, true);
  });
  after(() => engine.dispose());

  it('names itself and its V8', () => {
    assert.equal(engine.info.name, 'embedded-v8');
    assert.ok(engine.info.version.includes(process.versions.v8));
    assert.ok(engine.info.version.includes(process.versions.node));
  });

  it('compiles, fails, skips and traps per form', async () => {
    const compiled = await engine.compile('(defun add1 (x) (+ x 1))', { timeoutMs: 5000 });
    assert.equal(compiled.status, 'compiled');
    assert.ok(compiled.wasm instanceof Uint8Array && compiled.wasm.length === compiled.bytes);
    assert.deepEqual(await engine.compile('(defun f () (g))', { timeoutMs: 5000 }).then((r) => [r.status, r.message]), ['failed', 'Undefined function: G']);
    assert.equal((await engine.compile('(defmacro m () 1)', { timeoutMs: 5000 })).status, 'skipped');
    const trap = await engine.compile('(%fixture-trap)', { timeoutMs: 5000 });
    assert.equal(trap.errorType, 'trap');
    assert.match(trap.message ?? '', /unreachable/);
  });

  it('a looping form times out, the worker is restarted, and the next form compiles', async () => {
    const restarts = engine.restarts;
    const started = Date.now();
    const result = await engine.compile('(defun spin () (%fixture-loop))', { timeoutMs: 300 });
    const elapsed = Date.now() - started;
    assert.equal(result.status, 'timeout');
    assert.match(result.message ?? '', /within 300 ms/);
    assert.ok(elapsed >= 290 && elapsed < 3000, `took ${elapsed} ms`);
    assert.equal(engine.restarts, restarts + 1);
    const next = await engine.compile('(defun after-timeout () 1)', { timeoutMs: 5000 });
    assert.equal(next.status, 'compiled');
  });

  it('serves concurrent requests one at a time, in order', async () => {
    const texts = ['(defun a () 1)', '(defun b () (zz))', '(%fixture-trap)', '(in-package :x)', '(defun c () 2)'];
    const results = await Promise.all(texts.map((text) => engine.compile(text, { timeoutMs: 5000 })));
    assert.deepEqual(results.map((r) => r.status), ['compiled', 'failed', 'failed', 'skipped', 'compiled']);
  });

  it('an aborted compile rejects, restarts the worker, and the engine keeps working', async () => {
    const controller = new AbortController();
    const pending = engine.compile('(%fixture-loop)', { timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(pending, (error: Error) => error.name === 'AbortError');
    await assert.rejects(engine.compile('(defun x () 1)', { timeoutMs: 5000, signal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.equal((await engine.compile('(defun y () 1)', { timeoutMs: 5000 })).status, 'compiled');
  });
});

describe('embedded V8 engine: loading errors', { timeout: 60_000 }, () => {
  const cases: Array<[string, RegExp]> = [
    ['stage0-corrupt.wasm', /^Stage 0 is not a WebAssembly module: it does not start with the \\0asm magic/],
    ['stage0-truncated.wasm', /^Stage 0 is not a valid WebAssembly module for V8 .*: WebAssembly\.Module\(\)/],
    ['stage0-no-compile-form.wasm', /^Stage 0 does not export compile_form \(it exports: compile_all and _initialize\)$/],
    ['stage0-unknown-import.wasm', /^Stage 0 imports clysm\.fs\/bogus, which this host does not provide$/],
    ['stage0-init-trap.wasm', /^Stage 0 _initialize failed: unreachable$/],
  ];
  for (const [file, expected] of cases) {
    it(`${file} is refused with a clear message`, async () => {
      const engine = newEngine();
      try {
        await assert.rejects(engine.load(readFixture(file)), (error: Error) => {
          assert.match(error.message, expected);
          return true;
        });
        await assert.rejects(engine.compile('(+ 1 2)', { timeoutMs: 1000 }), /no Stage 0 is loaded/);
      } finally {
        await engine.dispose();
      }
    });
  }

  it('a failed load can be followed by a good one', async () => {
    const engine = newEngine();
    try {
      await assert.rejects(engine.load(readFixture('stage0-corrupt.wasm')));
      await engine.load(readFixture('stage0-stub.wasm'));
      assert.equal((await engine.compile('(+ 1 2)', { timeoutMs: 1000 })).status, 'no-output');
    } finally {
      await engine.dispose();
    }
  });

  it('dispose rejects a pending compile instead of hanging', async () => {
    const engine = newEngine();
    await engine.load(readFixture('stage0-fixture.wasm'));
    const pending = engine.compile('(%fixture-loop)', { timeoutMs: 60_000 });
    setTimeout(() => void engine.dispose(), 100);
    await assert.rejects(pending, /disposed/);
  });
});

describe('embedded V8 engine: a worker process with a small heap', { timeout: 60_000 }, () => {
  let engine: EmbeddedV8Engine;
  before(async () => {
    engine = new EmbeddedV8Engine({ workerScript, workspaceRoot: exampleWorkspace, modules: [], maxMemoryMb: 192 });
    await engine.load(readFixture('stage0-fixture.wasm'));
  });
  after(() => engine.dispose());

  it('gives per-form results in the package asked for', async () => {
    const texts = ['(defun a () 1)', '(defun b () (zz))', '(%fixture-trap)', '(in-package :x)', '(%fixture-invalid-output)'];
    const results = await Promise.all(texts.map((text) => engine.compile(text, { timeoutMs: 5000, package: 'CLYSM' })));
    assert.deepEqual(results.map((r) => r.errorType ?? r.status), ['compiled', 'compile-error', 'trap', 'skipped', 'wasm-validation-error']);
    assert.ok(results[0].wasm instanceof Uint8Array);
  });

  it('stops a loop that V8 would not interrupt in a worker thread (large allocations)', async () => {
    const result = await engine.compile('(%fixture-large-allocations)', { timeoutMs: 300 });
    assert.equal(result.status, 'timeout');
    assert.doesNotMatch(result.message ?? '', /could not be stopped/);
    assert.equal(engine.stuckWorkers, 0);
    assert.equal((await engine.compile('(defun ok () 1)', { timeoutMs: 5000 })).status, 'compiled');
  });

  it('a Stage 0 that exhausts memory crashes its process, not the server: crashed, then recovers', async () => {
    const result = await engine.compile('(%fixture-exhaust-memory)', { timeoutMs: 30_000 });
    assert.equal(result.status, 'crashed');
    assert.match(result.message ?? '', /died on this form: out of memory/);
    assert.equal((await engine.compile('(defun ok () 1)', { timeoutMs: 5000 })).status, 'compiled');
  });
});
