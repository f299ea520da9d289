// WasmtimeEngine end to end against the stand-in runtime (test/support/fake-wasmtime, a test
// double for wasmtime's CLI that runs WASI commands on node:wasi) and the WASI-command build of
// the fixture Stage 0. Real processes, real pipes, real Wasm; no real wasmtime (none can be
// installed here: see README "Tested against a stand-in").
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Stage0Backend } from '../../server/src/backends/stage0/backend';
import { EmbeddedV8Engine } from '../../server/src/backends/stage0/v8Engine';
import { WasmtimeEngine, type WasmtimeEngineOptions } from '../../server/src/backends/stage0/wasmtimeEngine';
import type { FormResult } from '../../server/src/types';
import { exampleWorkspace, readFixture, workerScript } from './stage0-helpers';
import { fakeWasmtime, fakeWasmtimeWith, loggedCalls, tempDir } from './wasmtime-helpers';

const modules = ['src/backend/leb128.lisp'];

function newEngine(options: Partial<WasmtimeEngineOptions> & { cacheDir: string }): WasmtimeEngine {
  return new WasmtimeEngine({ workspaceRoot: exampleWorkspace, modules, wasmtimePath: fakeWasmtime, ...options });
}

/** What must be equal between engines: everything but the time taken. */
function comparable(result: FormResult): Omit<FormResult, 'durationMs' | 'wasm'> & { wasm?: number[] } {
  const { durationMs: _d, wasm, ...rest } = result;
  return wasm ? { ...rest, wasm: [...wasm] } : rest;
}

// Forms that exercise every per-form path of the fixture except traps, loops and memory.
const corpus: Array<{ text: string; package?: string }> = [
  { text: '(defun add1 (x) (+ x 1))' },
  { text: '(defun f () (g))' },
  { text: '(defmacro m () 1)' },
  { text: '(in-package :x)' },
  { text: '(defconstant +k+ 3)' },
  { text: '42' },
  { text: '"a string"' },
  { text: '' },
  { text: '   ; only a comment' },
  { text: '(defstruct point x y)' },
  { text: '(loop for i below 3 collect i)' },
  { text: '(+ "abc" 1)' },
  { text: "(let ((x 1) (y (car '(a b)))) (cons x y))" },
  { text: '(cond ((null x) 1) (t (frobnicate x)))' },
  { text: '#| block |# (defun g () #\\) 1)' },
  { text: '(defun ünïcode () "é😀 \u0001")' },
  { text: '(defvar *a-very-long-variable-name-that-is-longer-than-sixty-characters-in-total* 1)' },
  { text: '(%fixture-invalid-output)' },
  { text: '(%fixture-read-source "README.md")' },
  { text: '(%fixture-read-source "src/backend/leb128.lisp")' },
  { text: '(%fixture-read-source "no-such-file.lisp")' },
  { text: '(%fixture-read-source "../../package.json")' },
  { text: '(%fixture-read-source 42)' },
  { text: '(defun in-pkg () 1)', package: 'CLYSM/BACKEND' },
  { text: '(defun back () (h))', package: 'CL-USER' },
];

describe('wasmtime engine on the stand-in runtime', { timeout: 120_000 }, () => {
  let engine: WasmtimeEngine;
  const cache = tempDir('clysm-cwasm-');
  before(async () => {
    engine = newEngine({ cacheDir: cache.dir });
    const runtime = await engine.checkRuntime();
    assert.ok(runtime.ok, runtime.message);
    const info = await engine.load(readFixture('stage0-fixture.wasi.wasm'));
    assert.ok(info.exports.some((e) => e.name === '_start'));
    assert.deepEqual([...new Set(info.imports.map((i) => i.module))], ['wasi_snapshot_preview1']);
  });
  after(async () => {
    await engine.dispose();
    cache.cleanup();
  });

  it('names itself and the version wasmtime reported', () => {
    assert.equal(engine.info.name, 'wasmtime');
    assert.equal(engine.info.version, '37.0.0 (fake-wasmtime: a test double, not wasmtime)');
  });

  it('gives the same per-form results as the embedded engine on the JS-host build', async () => {
    const embedded = new EmbeddedV8Engine({ workerScript, workspaceRoot: exampleWorkspace, modules });
    try {
      await embedded.load(readFixture('stage0-fixture.wasm'));
      for (const form of corpus) {
        const options = { timeoutMs: 10_000, package: form.package };
        const expected = comparable(await embedded.compile(form.text, options));
        const actual = comparable(await engine.compile(form.text, options));
        assert.deepEqual(actual, expected, `form ${JSON.stringify(form.text)}`);
      }
    } finally {
      await embedded.dispose();
    }
  });

  it('a trap fails the form with wasmtime\'s trap text; a fresh process serves the next form', async () => {
    const restarts = engine.restarts;
    const trap = await engine.compile('(defun boom () (%fixture-trap))', { timeoutMs: 10_000 });
    assert.deepEqual([trap.status, trap.errorType, trap.message], ['failed', 'trap', 'wasm `unreachable` instruction executed']);
    assert.equal(engine.restarts, restarts + 1);
    assert.equal((await engine.compile('(defun after-trap () 1)', { timeoutMs: 10_000 })).status, 'compiled');
  });

  it('a looping form times out, the process is killed and restarted, and the next form compiles', async () => {
    const started = Date.now();
    const result = await engine.compile('(defun spin () (%fixture-loop))', { timeoutMs: 400 });
    const elapsed = Date.now() - started;
    assert.equal(result.status, 'timeout');
    assert.match(result.message ?? '', /within 400 ms \(the engine was restarted\)/);
    assert.ok(elapsed >= 390 && elapsed < 5000, `took ${elapsed} ms`);
    assert.equal((await engine.compile('(defun after-timeout () 1)', { timeoutMs: 10_000 })).status, 'compiled');
  });

  it('serves concurrent requests one at a time, in order', async () => {
    const texts = ['(defun a () 1)', '(defun b () (zz))', '(%fixture-trap)', '(in-package :x)', '(defun c () 2)'];
    const results = await Promise.all(texts.map((text) => engine.compile(text, { timeoutMs: 10_000 })));
    assert.deepEqual(results.map((r) => r.status), ['compiled', 'failed', 'failed', 'skipped', 'compiled']);
  });

  it('an aborted compile rejects, and the engine keeps working', async () => {
    const controller = new AbortController();
    const pending = engine.compile('(%fixture-loop)', { timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(pending, (error: Error) => error.name === 'AbortError');
    await assert.rejects(engine.compile('(defun x () 1)', { timeoutMs: 5000, signal: AbortSignal.abort() }), { name: 'AbortError' });
    assert.equal((await engine.compile('(defun y () 1)', { timeoutMs: 10_000 })).status, 'compiled');
  });
});

describe('wasmtime engine: crashes, versions, the .cwasm cache', { timeout: 120_000 }, () => {
  const work = tempDir('clysm-wasmtime-');
  after(() => work.cleanup());

  it('a process that dies (not a trap) is retried once, then the form is crashed; the next form compiles', async () => {
    // A 48 MB heap for the stand-in's V8: exhausting it aborts the process (SIGABRT), like an engine crash.
    const wasmtime = fakeWasmtimeWith(work.dir, { FAKE_WASMTIME_NODE_OPTIONS: '--max-old-space-size=48' }, 'small-heap-wasmtime');
    const engine = newEngine({ wasmtimePath: wasmtime, cacheDir: path.join(work.dir, 'cache-crash') });
    try {
      await engine.load(readFixture('stage0-fixture.wasi.wasm'));
      const restarts = engine.restarts;
      const result = await engine.compile('(%fixture-exhaust-memory)', { timeoutMs: 30_000 });
      assert.equal(result.status, 'crashed', JSON.stringify(result));
      assert.match(result.message ?? '', /^the Stage 0 engine died on this form twice: wasmtime was killed by SIG|exited with code/);
      assert.equal(engine.restarts, restarts + 2);
      assert.equal((await engine.compile('(defun after-crash () 1)', { timeoutMs: 10_000 })).status, 'compiled');
    } finally {
      await engine.dispose();
    }
  });

  it('a missing wasmtime and one older than 37 are refused, naming the version found and the one needed', async () => {
    const missing = newEngine({ wasmtimePath: path.join(work.dir, 'no-such-wasmtime'), cacheDir: work.dir });
    const m = await missing.checkRuntime();
    assert.equal(m.ok, false);
    assert.match(m.message, /^wasmtime not found \(no executable file at .*no-such-wasmtime\): .*found none, need ≥ 37\.0\.0/);
    await assert.rejects(missing.load(readFixture('stage0-fixture.wasi.wasm')), /wasmtime not found/);
    const old = newEngine({ wasmtimePath: fakeWasmtimeWith(work.dir, { FAKE_WASMTIME_VERSION: '36.0.2' }, 'old-wasmtime'), cacheDir: work.dir });
    const o = await old.checkRuntime();
    assert.equal(o.ok, false);
    assert.match(o.message, /^wasmtime 36\.0\.2 at .*old-wasmtime is too old: .*found 36\.0\.2, need ≥ 37\.0\.0/);
    const notWasmtime = newEngine({ wasmtimePath: '/bin/true', cacheDir: work.dir });
    assert.match((await notWasmtime.checkRuntime()).message, /did not print a wasmtime version .*need ≥ 37\.0\.0/);
  });

  it('wasmtime 37 gets -W gc,function-references,exceptions; 47 gets none', async () => {
    for (const [version, expected] of [['37.0.0', ['-W', 'gc=y,function-references=y,exceptions=y']], ['47.0.1', []]] as const) {
      const log = path.join(work.dir, `calls-${version}.log`);
      const wasmtime = fakeWasmtimeWith(work.dir, { FAKE_WASMTIME_VERSION: version, FAKE_WASMTIME_LOG: log }, `wasmtime-${version}`);
      const engine = newEngine({ wasmtimePath: wasmtime, cacheDir: path.join(work.dir, `cache-${version}`) });
      try {
        assert.ok((await engine.checkRuntime()).ok);
        await engine.load(readFixture('stage0-fixture.wasi.wasm'));
        assert.equal((await engine.compile('(defun v () 1)', { timeoutMs: 10_000 })).status, 'compiled');
      } finally {
        await engine.dispose();
      }
      const calls = loggedCalls(log);
      const compile = calls.find((c) => c[0] === 'compile');
      const run = calls.find((c) => c[0] === 'run');
      assert.ok(compile && run, JSON.stringify(calls));
      assert.deepEqual(compile.slice(1, 1 + expected.length), [...expected]);
      assert.deepEqual(run.slice(1, 1 + expected.length), [...expected]);
      assert.equal(run.includes('-W'), expected.length > 0);
    }
  });

  it('precompiles once per Stage 0 hash and runs the cached .cwasm with --allow-precompiled', async () => {
    const log = path.join(work.dir, 'cache.log');
    const wasmtime = fakeWasmtimeWith(work.dir, { FAKE_WASMTIME_LOG: log }, 'logging-wasmtime');
    const cacheDir = path.join(work.dir, 'cache-reuse');
    const load = async (): Promise<WasmtimeEngine> => {
      const engine = newEngine({ wasmtimePath: wasmtime, cacheDir });
      await engine.load(readFixture('stage0-fixture.wasi.wasm'));
      return engine;
    };
    const first = await load();
    assert.equal(first.lastPrecompile, 'compiled');
    await first.dispose();
    const second = await load();
    assert.equal(second.lastPrecompile, 'cached');
    assert.equal((await second.compile('(defun cached () 1)', { timeoutMs: 10_000 })).status, 'compiled');
    await second.dispose();
    const calls = loggedCalls(log);
    assert.equal(calls.filter((c) => c[0] === 'compile').length, 1, JSON.stringify(calls));
    const runs = calls.filter((c) => c[0] === 'run');
    assert.ok(runs.length >= 2);
    for (const run of runs) {
      assert.ok(run.includes('--allow-precompiled'));
      assert.match(run.at(-1) ?? '', /\.cwasm$/);
    }
    const cwasm = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.cwasm'));
    assert.equal(cwasm.length, 1);
    // Another Stage 0 (another hash) gets its own entry.
    const stub = newEngine({ wasmtimePath: wasmtime, cacheDir });
    await stub.load(readFixture('stage0-stub.wasi.wasm'));
    assert.equal(stub.lastPrecompile, 'compiled');
    await stub.dispose();
    assert.equal(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.cwasm')).length, 2);
  });

  it('a damaged .cwasm in the cache is dropped and Stage 0 runs from its .wasm', async () => {
    const cacheDir = path.join(work.dir, 'cache-damaged');
    const first = newEngine({ cacheDir });
    await first.load(readFixture('stage0-fixture.wasi.wasm'));
    await first.dispose();
    const [cwasm] = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.cwasm'));
    fs.writeFileSync(path.join(cacheDir, cwasm), 'not a precompiled module');
    const logs: string[] = [];
    const second = newEngine({ cacheDir, log: (m) => logs.push(m) });
    try {
      await second.load(readFixture('stage0-fixture.wasi.wasm'));
      assert.equal(second.lastPrecompile, 'none');
      assert.ok(logs.some((m) => /refused the precompiled Stage 0/.test(m)), logs.join('\n'));
      assert.equal(fs.existsSync(path.join(cacheDir, cwasm)), false);
      assert.equal((await second.compile('(defun from-wasm () 1)', { timeoutMs: 10_000 })).status, 'compiled');
    } finally {
      await second.dispose();
    }
  });

  it('a Stage 0 wasmtime cannot compile fails loading with wasmtime\'s own error', async () => {
    const engine = newEngine({ cacheDir: path.join(work.dir, 'cache-bad') });
    const truncated = readFixture('stage0-fixture.wasi.wasm').slice(0, 2000);
    await assert.rejects(engine.load(truncated), /Stage 0 is not a valid WebAssembly module|wasmtime compile failed for Stage 0/);
    await engine.dispose();
  });
});

describe('Stage0Backend with engine "wasmtime"', { timeout: 120_000 }, () => {
  const work = tempDir('clysm-wasmtime-backend-');
  after(() => work.cleanup());
  const backend = (stage0Path: string, root = exampleWorkspace): Stage0Backend => new Stage0Backend({
    workspaceRoot: root, stage0Path, timeoutMs: 10_000, modules, engine: 'wasmtime', wasmtimePath: fakeWasmtime, wasmtimeCacheDir: path.join(work.dir, 'cache'),
  });

  it('loads X.wasi.wasm next to the configured X.wasm and is ready', async () => {
    const b = backend('dist/clysm-stage0.wasm');
    try {
      const status = await b.start();
      assert.equal(status.state, 'ready', status.message);
      assert.equal(status.stage0?.path, path.join(exampleWorkspace, 'dist', 'clysm-stage0.wasi.wasm'));
      assert.equal(status.engine.name, 'wasmtime');
      assert.match(b.identity(), /^stage0:wasmtime:37\.0\.0 .*:[0-9a-f]{64}$/);
      const result = await b.compileForm({ formId: '1:0', text: '(defun f () (g))', package: 'CL-USER' });
      assert.deepEqual([result.status, result.message], ['failed', 'Undefined function: G']);
    } finally {
      await b.dispose();
    }
  });

  it('detects a stub through the (+ 1 2) probe', async () => {
    const b = backend(path.join(work.dir, 'stub.wasm'));
    fs.writeFileSync(path.join(work.dir, 'stub.wasi.wasm'), readFixture('stage0-stub.wasi.wasm'));
    try {
      const status = await b.start();
      assert.equal(status.state, 'stub');
      assert.equal(status.message, 'Stage 0 produced no output for (+ 1 2): this Stage 0 does not compile yet');
    } finally {
      await b.dispose();
    }
  });

  it('a Stage 0 that is not a WASI command is an error that says so', async () => {
    const file = path.join(work.dir, 'js-only.wasm');
    fs.writeFileSync(file, readFixture('stage0-fixture.wasm'));
    const b = backend(file);
    try {
      const status = await b.start();
      assert.equal(status.state, 'error');
      assert.match(status.message, /does not export _start .* runs Stage 0 as a WASI command/);
    } finally {
      await b.dispose();
    }
  });

  it('a wasmtime older than 37 puts the backend in error with both versions', async () => {
    const b = new Stage0Backend({
      workspaceRoot: exampleWorkspace, stage0Path: 'dist/clysm-stage0.wasm', timeoutMs: 10_000, modules, engine: 'wasmtime',
      wasmtimePath: fakeWasmtimeWith(work.dir, { FAKE_WASMTIME_VERSION: '30.0.0' }), wasmtimeCacheDir: path.join(work.dir, 'cache'),
    });
    try {
      const status = await b.start();
      assert.equal(status.state, 'error');
      assert.match(status.message, /found 30\.0\.0, need ≥ 37\.0\.0/);
    } finally {
      await b.dispose();
    }
  });
});
