// Workspaces far larger than Clysm's own: hundreds of thousands of forms must not overflow the
// stack (issue 10 item 10), and the per-module directive contexts must cost one digest per
// module, not one per preceding module, and a run must not summarise every form once per
// module (issue 10 item 11). An in-memory file set (or a small temp folder for the WorkspaceSession)
// and a backend that answers at once.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { defaultServerSettings } from '../../server/src/protocol';
import { WorkspaceSession } from '../../server/src/workspaceSession';
import { EMPTY_CONTEXT, modulePrefixContext, PrefixContextChain } from '../../server/src/workspace/directives';
import { ResultCache } from '../../server/src/workspace/resultCache';
import { diffSummaryText } from '../../server/src/wasm/diffText';
import { diffModules } from '../../server/src/wasm/wasmDiff';
import { readModule } from '../../server/src/wasm/wasmReader';
import { publishesStatus, STATUS_UPDATES_PER_RUN, WorkspaceModel } from '../../server/src/workspace/workspaceModel';
import { InstantBackend, MemoryFiles } from '../support/memoryWorkspace';

describe('a workspace of 300,000 forms', { timeout: 120_000 }, () => {
  it('lists, summarises and ranks every form without overflowing the stack', async () => {
    // One module of 300,000 forms (each a directive, so the directive digest sees them all too).
    const count = 300_000;
    const text = Array.from({ length: count }, (_, i) => (i % 2 === 0 ? `(defmacro m${i} ())` : `(defun f${i} ())`)).join('\n');
    const files = new MemoryFiles(new Map([['src/big.lisp', text], ['src/after.lisp', '(defun g ())']]));
    const backend = new InstantBackend();
    const model = new WorkspaceModel(files, backend, new ResultCache(), ['src/big.lisp', 'src/after.lisp']);
    await model.analyzeAll();
    const forms = model.allForms();
    assert.equal(forms.length, count + 1);
    assert.equal(forms[count - 1].id, `1:${count - 1}`);
    assert.equal(forms[count].id, '2:0');
    const summary = model.summary();
    assert.deepEqual([summary.total, summary.compiled, summary.failed], [count + 1, count / 2, count / 2 + 1]);
    const [top] = model.blockers();
    assert.equal(top.count, count / 2 + 1);
  });
});

describe('a Wasm diff with 300,000 changed sections', () => {
  it('is summarised without overflowing the stack (a hostile binary may have any number)', () => {
    const empty = readModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    const sections = Array.from({ length: 300_000 }, (_, i) => ({ name: `custom:s${i}`, a: null, b: 1, delta: 1 }));
    const summary = diffSummaryText({ ...diffModules(empty, empty), sections });
    assert.match(summary, /^Sections: 300000 compared, 300000 changed$/m);
    assert.match(summary, /^ {2}custom:s299999 {2}absent → 1 bytes \(\+1\)$/m);
  });
});

describe('PrefixContextChain', () => {
  const digests = Array.from({ length: 200 }, (_, i) => `digest-${i}`);

  it('gives the same contexts as hashing every preceding digest', () => {
    const chain = new PrefixContextChain((i) => digests[i]);
    assert.equal(chain.contextAt(0), EMPTY_CONTEXT);
    for (const i of [1, 2, 57, 199]) assert.equal(chain.contextAt(i), modulePrefixContext(digests.slice(0, i)), `module ${i}`);
  });

  it('reads each digest once over a pass in list order: linear, not quadratic', () => {
    let lookups = 0;
    const chain = new PrefixContextChain((i) => {
      lookups++;
      return digests[i];
    });
    for (let i = 0; i < digests.length; i++) chain.contextAt(i);
    assert.equal(lookups, digests.length - 1);
    for (let i = 0; i < digests.length; i++) chain.contextAt(i);
    assert.equal(lookups, digests.length - 1, 'a second pass is served from the chain');
  });

  it('recomputes only after a changed digest, once per pass', () => {
    const current = digests.slice();
    let lookups = 0;
    const chain = new PrefixContextChain((i) => {
      lookups++;
      return current[i];
    });
    for (let i = 0; i < current.length; i++) chain.contextAt(i);
    current[100] = 'changed';
    chain.digestChanged(100);
    lookups = 0;
    for (let i = 0; i < current.length; i++) assert.equal(chain.contextAt(i), modulePrefixContext(current.slice(0, i)), `module ${i}`);
    // Rebuilding the running hash reads digests 0..99 once, then 100..198 extend it.
    assert.equal(lookups, current.length - 1);
  });
});

describe('WorkspaceModel directive contexts', () => {
  it('re-keys the modules after a changed directive and no others', async () => {
    const sources = new Map<string, string>();
    const modules = Array.from({ length: 30 }, (_, i) => `src/m${i}.lisp`);
    modules.forEach((m, i) => sources.set(m, `(defmacro mac${i} ())\n(defun f${i} ())`));
    const backend = new InstantBackend();
    const model = new WorkspaceModel(new MemoryFiles(sources), backend, new ResultCache(), modules);
    await model.analyzeAll();
    const keysBefore = modules.map((m) => model.analysisOf(m)!.keys.slice());
    sources.set('src/m10.lisp', '(defmacro mac10 (x) x)\n(defun f10 ())');
    await model.analyzeAll();
    const keysAfter = modules.map((m) => model.analysisOf(m)!.keys.slice());
    modules.forEach((m, i) => {
      if (i < 10) assert.deepEqual(keysAfter[i], keysBefore[i], `${m} keeps its keys`);
      else assert.notDeepEqual(keysAfter[i], keysBefore[i], `${m} is re-keyed`);
    });
  });
});

describe('status updates during a whole-workspace run', () => {
  it('are about STATUS_UPDATES_PER_RUN per run whatever the module count, the last included', () => {
    for (const moduleCount of [1, 7, STATUS_UPDATES_PER_RUN, STATUS_UPDATES_PER_RUN + 1, 1000, 5000, 300_000]) {
      let published = 0;
      for (let moduleNumber = 1; moduleNumber <= moduleCount; moduleNumber++) {
        if (publishesStatus({ moduleNumber, moduleCount, file: 'a.lisp' })) published++;
      }
      assert.ok(published <= STATUS_UPDATES_PER_RUN + 1, `${moduleCount} modules: ${published} updates`);
      assert.ok(published >= Math.min(moduleCount, STATUS_UPDATES_PER_RUN / 2), `${moduleCount} modules: ${published} updates`);
      assert.ok(publishesStatus({ moduleNumber: moduleCount, moduleCount, file: 'a.lisp' }), `${moduleCount} modules: the last one`);
    }
  });

  it('are bounded in a WorkspaceSession analysing 1,000 modules (each summarises every form)', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-scale-'));
    try {
      const modules = Array.from({ length: 1000 }, (_, i) => `src/m${String(i).padStart(4, '0')}.lisp`);
      fs.mkdirSync(path.join(root, 'src'));
      for (const m of modules) fs.writeFileSync(path.join(root, m), '(defun f ())\n');
      let statuses = 0;
      let settled: () => void = () => undefined;
      const analysed = new Promise<void>((resolve) => (settled = resolve));
      const backend = new InstantBackend();
      const session = new WorkspaceSession(
        root,
        { ...defaultServerSettings, modules, diagnosticsDelayMs: 0 },
        {
          log: (m) => m.startsWith('workspace analysed') && settled(),
          statusChanged: () => statuses++,
          resultsChanged: () => undefined,
          backendProblem: () => undefined,
          progress: () => undefined,
        },
        { selectBackend: async () => ({ backend, status: backend.status(), reason: 'test' }) },
      );
      await session.start();
      await analysed;
      assert.equal(session.status().summary.total, 1000);
      assert.ok(statuses <= STATUS_UPDATES_PER_RUN + 10, `${statuses} status updates for 1,000 modules`);
      await session.dispose();
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
