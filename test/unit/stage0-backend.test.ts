// Stage0Backend end to end: runtime probe, file, engine, probe compile, reload and watch.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Stage0Backend, type Stage0BackendOptions } from '../../server/src/backends/stage0/backend';
import { readFixture, replaceFile, tempWorkspace, workerScript } from './stage0-helpers';

const stage0Rel = 'dist/clysm-stage0.wasm';
const request = (text: string) => ({ formId: '1:1', text, package: 'CL-USER' });

describe('Stage 0 backend', { timeout: 60_000 }, () => {
  let root = '';
  let cleanup: () => void = () => undefined;
  const backends: Stage0Backend[] = [];

  const makeBackend = (overrides: Partial<Stage0BackendOptions> = {}): Stage0Backend => {
    const backend = new Stage0Backend({
      workspaceRoot: root, stage0Path: stage0Rel, timeoutMs: 2000, modules: [], outputDir: 'dist', workerScript, ...overrides,
    });
    backends.push(backend);
    return backend;
  };
  const install = (fixture: string): Uint8Array => {
    const bytes = readFixture(fixture);
    replaceFile(path.join(root, stage0Rel), bytes);
    return bytes;
  };

  beforeEach(() => {
    ({ root, cleanup } = tempWorkspace());
  });
  afterEach(async () => {
    await Promise.all(backends.splice(0).map((b) => b.dispose()));
    cleanup();
  });

  it('is ready with the fixture, with identity stage0:embedded-v8:<engine version>:<sha256>', async () => {
    const bytes = install('stage0-fixture.wasm');
    const backend = makeBackend();
    assert.equal(backend.kind, 'stage0');
    assert.equal(backend.status().state, 'stopped');
    const status = await backend.start();
    assert.equal(status.state, 'ready', status.message);
    assert.match(status.message, /\(\+ 1 2\) gave a valid \d+-byte module/);
    const sha = createHash('sha256').update(bytes).digest('hex');
    assert.equal(backend.identity(), `stage0:embedded-v8:${backend.status().engine.version}:${sha}`);
    assert.deepEqual(status.stage0, { path: path.join(root, stage0Rel), sha256: sha, size: bytes.length, status: 'ready', message: status.message });
    assert.equal(status.engine.name, 'embedded-v8');
    assert.equal(backend.probeResult()?.status, 'compiled');
    assert.equal((await backend.compileForm(request('(defun f () (g))'))).message, 'Undefined function: G');
  });

  it('reports a stub once, and returns no-output per form', async () => {
    install('stage0-stub.wasm');
    const backend = makeBackend();
    const status = await backend.start();
    assert.equal(status.state, 'stub');
    assert.equal(status.message, 'Stage 0 produced no output for (+ 1 2): this Stage 0 does not compile yet');
    assert.equal(status.stage0?.status, 'stub');
    const result = await backend.compileForm(request('(defun f (x) (+ x 1))'));
    assert.equal(result.status, 'no-output');
  });

  it('a missing file is an error naming the path; compileForm then rejects', async () => {
    const backend = makeBackend();
    const status = await backend.start();
    assert.equal(status.state, 'error');
    assert.equal(status.message, `Stage 0 not found at ${path.join(root, stage0Rel)}`);
    assert.match(backend.identity(), /^stage0:embedded-v8:.*:none$/);
    await assert.rejects(backend.compileForm(request('(+ 1 2)')), /not ready \(error\): Stage 0 not found/);
  });

  const broken: Array<[string, RegExp]> = [
    ['stage0-corrupt.wasm', /not a WebAssembly module/],
    ['stage0-no-compile-form.wasm', /does not export compile_form/],
    ['stage0-unknown-import.wasm', /Stage 0 imports clysm\.fs\/bogus, which this host does not provide/],
  ];
  for (const [fixture, expected] of broken) {
    it(`${fixture} puts the backend in error with a clear message`, async () => {
      install(fixture);
      const status = await makeBackend().start();
      assert.equal(status.state, 'error');
      assert.match(status.message, expected);
      assert.equal(status.stage0?.status, 'error');
    });
  }

  it('an absolute Stage 0 path works too', async () => {
    install('stage0-fixture.wasm');
    const status = await makeBackend({ stage0Path: path.join(root, stage0Rel) }).start();
    assert.equal(status.state, 'ready');
  });

  it('a failed runtime probe is an error with its message', async () => {
    install('stage0-fixture.wasm');
    const message = 'Node 20.20.2 (V8 11.3.244.8) cannot run WasmGC: test; Clysm needs Node ≥ 22.22 / 24.15 or VS Code ≥ 1.103';
    const status = await makeBackend({ probeRuntime: () => ({ ok: false, message }) }).start();
    assert.equal(status.state, 'error');
    assert.equal(status.message, message);
  });

  it('times out a looping form and recovers for the next one', async () => {
    install('stage0-fixture.wasm');
    const backend = makeBackend({ timeoutMs: 250 });
    await backend.start();
    const started = Date.now();
    const result = await backend.compileForm(request('(%fixture-loop)'));
    assert.equal(result.status, 'timeout');
    assert.ok(Date.now() - started < 3000);
    assert.equal((await backend.compileForm(request('(defun ok () 1)'))).status, 'compiled');
  });

  it('reload() picks up a changed file and changes the identity', async () => {
    install('stage0-stub.wasm');
    const backend = makeBackend();
    assert.equal((await backend.start()).state, 'stub');
    const before = backend.identity();
    install('stage0-fixture.wasm');
    const status = await backend.reload();
    assert.equal(status.state, 'ready');
    assert.notEqual(backend.identity(), before);
    assert.equal((await backend.compileForm(request('(defun f () 1)'))).status, 'compiled');
    fs.rmSync(path.join(root, stage0Rel));
    assert.equal((await backend.reload()).state, 'error');
  });

  it('dispose stops the backend', async () => {
    install('stage0-fixture.wasm');
    const backend = makeBackend();
    await backend.start();
    await backend.dispose();
    assert.equal(backend.status().state, 'stopped');
    await assert.rejects(backend.compileForm(request('(+ 1 2)')), /not ready \(stopped\)/);
  });
});
