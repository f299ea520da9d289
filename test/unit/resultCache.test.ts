// The result cache and the time limit: a `timeout` or `crashed` result says only that the limit
// ran out, so it is reused under the same or a smaller limit and never under a larger one —
// in memory, through analyzeModule, and across a persisted snapshot.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GenerationFailed, type GeneratorResult } from '../../server/src/backends/generation';
import type { BackendStatus, CompileRequest, CompilerBackend, FormResult } from '../../server/src/types';
import { analyzeModule, type ModuleAnalysis } from '../../server/src/workspace/analyzeModule';
import { formCacheKey, ResultCache, withTimeLimit } from '../../server/src/workspace/resultCache';
import { seedCache, persistModule, type PersistedState } from '../../server/src/workspace/persistedState';

describe('result cache and the time limit', () => {
  const key = formCacheKey('stage0:v8:abc', 'CL-USER', '(spin)');

  it('does not reuse a timeout or a crash under a larger limit, and does under the same or a smaller one', () => {
    for (const status of ['timeout', 'crashed'] as const) {
      const cache = new ResultCache();
      cache.set(key, withTimeLimit({ status, message: 'ran out' }, 1));
      assert.equal(cache.get(key, 5000), undefined, `${status} under 1 ms, asked under 5000 ms`);
      assert.deepEqual(cache.get(key, 1), { status, message: 'ran out', timeLimitMs: 1 });
      cache.set(key, withTimeLimit({ status, message: 'ran out' }, 5000));
      assert.equal(cache.get(key, 400)?.status, status, 'a smaller limit would run out too');
      assert.deepEqual([cache.hits, cache.misses], [2, 1]);
    }
  });

  it('reuses every other outcome whatever the limit, and keeps no limit on it', () => {
    const cache = new ResultCache();
    for (const result of [{ status: 'compiled', bytes: 3 }, { status: 'failed', message: 'Undefined function: X' }] as FormResult[]) {
      cache.set(key, withTimeLimit(result, 1));
      assert.deepEqual(cache.get(key, 60_000), result);
    }
  });

  it('treats a stored timeout without a usable limit (an older file) as a miss', () => {
    const cache = new ResultCache();
    cache.set(key, { status: 'timeout' });
    assert.equal(cache.get(key, 1), undefined);
    cache.set(key, { status: 'timeout', timeLimitMs: '9999' as unknown as number });
    assert.equal(cache.get(key, 1), undefined);
  });
});

/** Times out on `(spin)` and compiles everything else, under whatever limit it is given. */
class LimitedBackend implements CompilerBackend {
  readonly kind = 'stage0' as const;
  readonly calls: string[] = [];
  constructor(public limitMs: number) {}
  identity(): string {
    return 'stage0:test:limit';
  }
  timeLimitMs(): number {
    return this.limitMs;
  }
  start(): Promise<BackendStatus> {
    return Promise.resolve(this.status());
  }
  status(): BackendStatus {
    return { state: 'ready', message: 'ready', engine: { name: 'test', version: '0' } };
  }
  compileForm(request: CompileRequest): Promise<FormResult> {
    this.calls.push(request.text);
    if (request.text === '(spin)') return Promise.resolve({ status: 'timeout', message: `did not finish within ${this.limitMs} ms` });
    return Promise.resolve({ status: 'compiled', bytes: 8 });
  }
  generateStage1(): Promise<GeneratorResult> {
    return Promise.reject(new GenerationFailed('this test backend has no Stage 1 generator'));
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

describe('analyzeModule with a changed time limit', () => {
  const text = '(defun f (x) x)\n(spin)\n';
  const analyze = (backend: CompilerBackend, cache: ResultCache): Promise<ModuleAnalysis> =>
    analyzeModule({ file: 'src/a.lisp', moduleIndex: 1, text, backend, cache });

  it('recompiles only the timed-out form when the limit grows, and stores the limit with it', async () => {
    const backend = new LimitedBackend(1);
    const cache = new ResultCache();
    const first = await analyze(backend, cache);
    assert.deepEqual(first.forms.map((f) => f.result.timeLimitMs), [undefined, 1]);

    backend.limitMs = 5000;
    const second = await analyze(backend, cache);
    assert.deepEqual(backend.calls, ['(defun f (x) x)', '(spin)', '(spin)'], 'the timeout under 1 ms was not reused under 5000 ms');
    assert.equal(second.forms[1].result.message, 'did not finish within 5000 ms');

    backend.limitMs = 400;
    await analyze(backend, cache);
    assert.equal(backend.calls.length, 3, 'a timeout under 5000 ms is reused under 400 ms');
  });

  it('keeps the limit across a persisted snapshot', async () => {
    const backend = new LimitedBackend(1);
    const analysis = await analyze(backend, new ResultCache());
    // Through JSON, as the cache file stores it.
    const state = JSON.parse(JSON.stringify({ analyses: [persistModule(analysis)] })) as PersistedState;
    const restored = new ResultCache();
    seedCache(restored, state);
    backend.limitMs = 5000;
    await analyze(backend, restored);
    assert.deepEqual(backend.calls.slice(2), ['(spin)'], 'only the timeout is compiled again');
  });
});
