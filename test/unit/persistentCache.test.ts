// The persistent result cache through the language-server WorkspaceSession: reopening a workspace
// publishes the previous results before the backend exists, and revalidates without a single
// backend call; bad cache files are ignored; edits are written after a debounce; regressions
// against the previous session or a report are counted. Runs the real fixture Stage 0.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BackendConfig, SelectedBackend } from '../../server/src/backends/createBackend';
import { Stage0Backend } from '../../server/src/backends/stage0/backend';
import { diagnosticFor, hoverMarkdown, stalePrefix, type Staleness } from '../../server/src/lsp/formPresentation';
import { defaultServerSettings, type ServerSettings, type ServerStatus } from '../../server/src/protocol';
import { readTopLevelForms } from '../../server/src/reader';
import type { Stage1Report } from '../../server/src/report/stage1Report';
import { WorkspaceSession } from '../../server/src/workspaceSession';
import { textHash } from '../../server/src/workspace/analyzeModule';
import { CacheStore } from '../../server/src/workspace/cacheStore';
import { copyExampleWorkspace } from '../support/repo';
import type { AnalyzedForm, CompilerBackend } from '../../server/src/types';
import { fixturePath, workerScript } from './stage0-helpers';
import { CountingBackend, fixtureStage0Backend, when } from './workspaceHelpers';

interface Run {
  session: WorkspaceSession;
  events: string[];
  statuses: ServerStatus[];
  logs: string[];
  /** Emits `log` for each line the session logs. */
  logEvents: EventEmitter;
  backends: CountingBackend[];
  calls(): number;
  /** Runs when the session asks for its backend, i.e. before any backend exists. */
  onSelect?: () => void;
}

/** `backendFor` replaces the fixture Stage 0, e.g. by one that cannot run. */
function openSession(root: string, settings: Partial<ServerSettings>, backendFor: (config: BackendConfig) => CompilerBackend = (config) => fixtureStage0Backend(root, config.modules)): Run {
  const events: string[] = [];
  const statuses: ServerStatus[] = [];
  const logs: string[] = [];
  const logEvents = new EventEmitter();
  const backends: CountingBackend[] = [];
  const select = async (config: BackendConfig): Promise<SelectedBackend> => {
    events.push('select backend');
    run.onSelect?.();
    const backend = new CountingBackend(backendFor(config));
    backend.onCompile = () => events.push('compile');
    backends.push(backend);
    const status = await backend.start();
    events.push('backend ready');
    return { backend, status, reason: 'test' };
  };
  const session = new WorkspaceSession(
    root,
    { ...defaultServerSettings, diagnosticsDelayMs: 0, ...settings },
    {
      log: (m) => {
        logs.push(m);
        logEvents.emit('log', m);
      },
      statusChanged: (s) => {
        statuses.push(s);
        if (s.summary.total > 0) events.push(`status ${s.summary.total}`);
      },
      resultsChanged: () => undefined,
      backendProblem: () => undefined,
      progress: () => undefined,
    },
    { selectBackend: select, cacheWriteDelayMs: 30 },
  );
  const run: Run = { session, events, statuses, logs, logEvents, backends, calls: () => backends.reduce((n, b) => n + b.calls.length, 0) };
  return run;
}

async function startAndSettle(run: Run): Promise<void> {
  await run.session.start();
  await when(run.logEvents, 'log', () => run.logs.some((l) => l.startsWith('workspace analysed')), 'the whole-workspace run');
}

describe('persistent result cache across sessions', { timeout: 120_000 }, () => {
  let root = '';
  let storageDir = '';
  let first: Run;
  let firstStatus: ServerStatus;

  before(async () => {
    root = fs.realpathSync(copyExampleWorkspace());
    storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-storage-'));
    first = openSession(root, { storageDir });
    await startAndSettle(first);
    firstStatus = first.session.status();
    await first.session.dispose();
  });

  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(storageDir, { recursive: true, force: true });
  });

  it('compiles every form cold and writes the cache after the run', () => {
    assert.equal(firstStatus.summary.total, 49);
    assert.ok(first.calls() >= 49, `${first.calls()} backend calls`);
    const stored = new CacheStore(storageDir, root).load();
    assert.ok(stored, 'the cache file exists and parses');
    assert.equal(stored.analyses.length, 4);
    // The first run becomes its own baseline, so later edits are still compared with something.
    assert.match(firstStatus.baselineSource, /^first run \(finished /);
    assert.equal(firstStatus.regressions, 0);
  });

  it('reopening shows the previous results before the backend starts, and revalidates with no backend call', async () => {
    const second = openSession(root, { storageDir });
    const rel = 'src/compiler/emit.lisp';
    let storedDiagnostics = -1;
    let otherText: unknown = 'not asked';
    second.onSelect = () => {
      const stored = second.session.storedFormsFor(rel, fs.readFileSync(path.join(root, rel), 'utf8'));
      storedDiagnostics = (stored ?? []).filter((f) => diagnosticFor(f) !== undefined).length;
      otherText = second.session.storedFormsFor(rel, '(defun edited-since ())');
    };
    try {
      await startAndSettle(second);
      assert.ok(storedDiagnostics > 0, 'an open document gets the stored diagnostics before the backend exists');
      assert.equal(storedDiagnostics, second.session.workspace()!.analysisOf(rel)!.forms.filter((f) => diagnosticFor(f) !== undefined).length);
      assert.equal(otherText, undefined, 'not for a text that differs from the stored one');
      assert.equal(second.session.storedFormsFor(rel, fs.readFileSync(path.join(root, rel), 'utf8')), undefined, 'not once the backend is ready');
      const shown = second.events.indexOf('status 49');
      assert.ok(shown >= 0, second.events.join(', '));
      assert.ok(shown < second.events.indexOf('select backend'), `results before the backend: ${second.events.join(', ')}`);
      assert.equal(second.calls(), 0, 'no form was sent to the backend');
      assert.ok(!second.events.includes('compile'));

      const early = second.statuses.find((s) => s.summary.total > 0)!;
      assert.deepEqual(early.summary, firstStatus.summary);
      assert.equal(early.restoredResults?.staleModules, 4);
      assert.equal(early.backend, 'none', 'published before any backend existed');

      const settled = second.session.status();
      assert.deepEqual(settled.summary, firstStatus.summary);
      assert.equal(settled.restoredResults, undefined, 'every module was revalidated');
      assert.equal(settled.regressions, 0);
      assert.match(settled.baselineSource, /^previous session \(saved /);
      assert.ok(second.session.moduleRows().every((r) => r.analysed && !r.stale));
    } finally {
      await second.session.dispose();
    }
  });

  it('says that restored results are stale, and from when, while the backend cannot re-check them', async () => {
    const saved = new CacheStore(storageDir, root).load()!.savedAt;
    // A Stage 0 that is not Wasm at all: the backend ends in error, the snapshot stays on show.
    const run = openSession(root, { storageDir }, (config) =>
      new Stage0Backend({ workspaceRoot: root, stage0Path: fixturePath('stage0-corrupt.wasm'), timeoutMs: 5000, modules: config.modules, workerScript }),
    );
    let whileStarting: Staleness | undefined;
    run.onSelect = () => {
      whileStarting = run.session.staleness();
    };
    const rel = 'src/compiler/emit.lisp';
    const failing = (): AnalyzedForm => run.session.workspace()!.analysisOf(rel)!.forms.find((f) => f.result.status === 'failed')!;
    try {
      await run.session.start();
      assert.equal(run.session.status().status.state, 'error');
      assert.equal(whileStarting?.reason, 'the backend is still starting');
      const stale = run.session.staleness(new Date(Date.parse(saved) + 3 * 3_600_000));
      assert.ok(stale, 'results restored from the snapshot and never re-checked');
      assert.equal(stale.savedAt.toISOString(), saved);
      assert.match(stale.reason, /^the backend is not usable \(error: .*not a WebAssembly module/);

      const form = failing();
      const model = run.session.workspace()!;
      const hover = hoverMarkdown(form, { blockers: model.blockers(), summary: model.summary(), stale });
      assert.match(hover.split('\n\n')[1], /^\*\*Stale:\*\* this result is from the last session, saved .+ \(3 hours ago\); not re-checked: the backend is not usable/);
      const diagnostic = diagnosticFor(form, false, stale)!;
      assert.ok(diagnostic.message.startsWith(stalePrefix(stale)), diagnostic.message);
      assert.equal(diagnostic.data.stale, true);
    } finally {
      await run.session.dispose();
    }
    // Once a backend re-checked every module, nothing is stale.
    const fresh = openSession(root, { storageDir });
    try {
      await startAndSettle(fresh);
      assert.equal(fresh.session.staleness(), undefined);
    } finally {
      await fresh.session.dispose();
    }
  });

  it('flags a form that compiled before and fails after an edit, and writes the edit after a debounce', async () => {
    const run = openSession(root, { storageDir });
    try {
      await startAndSettle(run);
      const rel = 'src/compiler/emit.lisp';
      const text = fs.readFileSync(path.join(root, rel), 'utf8');
      const form = readTopLevelForms(text).find((f) => f.name === 'EMIT-HEADER')!;
      const edited = `${text.slice(0, form.start)}(defun emit-header () (no-such-function-here))${text.slice(form.end)}`;
      const analysis = await run.session.analyzeDocument(rel, edited);
      const broken = analysis!.forms.find((f) => f.form.name === 'EMIT-HEADER')!;
      assert.equal(broken.result.status, 'failed');
      assert.ok(run.session.isRegression(broken));
      assert.equal(run.session.status().regressions, 1);
      const tree = run.session.blockerTree();
      assert.deepEqual(tree.regressions.map((f) => f.name), ['EMIT-HEADER']);
      assert.equal(tree.regressions[0].regression, true);
      const diagnostic = diagnosticFor(broken, run.session.isRegression(broken))!;
      assert.match(diagnostic.message, /^Regression: Undefined function: NO-SUCH-FUNCTION-HERE/);
      assert.equal(diagnostic.data.regression, true);
      assert.equal(run.calls(), 1, 'only the edited form was compiled');

      const out = path.join(storageDir, 'export', 'report.json');
      assert.deepEqual(run.session.exportReport(out), { path: out, forms: 49 });
      const report = JSON.parse(fs.readFileSync(out, 'utf8')) as Stage1Report;
      assert.deepEqual(report.regressions.map((r) => r.name), ['EMIT-HEADER']);
      assert.equal(report.forms.find((f) => f.name === 'EMIT-HEADER')?.regression, true);

      // The write is atomic (a rename into the storage folder): watch the folder for it.
      const store = new CacheStore(storageDir, root);
      const folder = fs.watch(storageDir);
      try {
        await when(folder, 'change', () => store.load()?.analyses.find((m) => m.file === rel)?.textHash === textHash(edited), 'the debounced cache write');
      } finally {
        folder.close();
      }
    } finally {
      await run.session.dispose();
    }
  });

  it('ignores a corrupt or version-mismatched cache file, says so, and starts cold', async () => {
    const file = new CacheStore(storageDir, root).file;
    const valid = fs.readFileSync(file, 'utf8');
    for (const [label, content] of [
      ['corrupt', '{"format": "clysm-result-cache", "version": 1, "ro'],
      ['version-mismatched', valid.replace('"version":1', '"version":999')],
    ] as const) {
      fs.writeFileSync(file, content);
      const run = openSession(root, { storageDir });
      try {
        await startAndSettle(run);
        assert.ok(run.logs.some((l) => l.includes('ignored')), `${label}: ${run.logs.join('\n')}`);
        assert.ok(run.calls() >= 49, `${label}: compiled cold`);
        assert.equal(run.session.status().summary.total, 49);
      } finally {
        await run.session.dispose();
      }
    }
  });

  it('compares with a report given as clysm.baselineReport', async () => {
    const exported = path.join(storageDir, 'baseline.json');
    const run = openSession(root, {});
    try {
      await startAndSettle(run);
      run.session.exportReport(exported);
    } finally {
      await run.session.dispose();
    }
    // Pretend one failing defun compiled in the baseline.
    const report = JSON.parse(fs.readFileSync(exported, 'utf8')) as Stage1Report;
    const failing = report.forms.find((f) => f.status === 'failed' && f.operator === 'DEFUN')!;
    failing.status = 'compiled';
    fs.writeFileSync(exported, JSON.stringify(report));
    const withBaseline = openSession(root, { baselineReport: exported });
    try {
      await startAndSettle(withBaseline);
      const status = withBaseline.session.status();
      assert.equal(status.regressions, 1);
      assert.equal(status.baselineSource, `report ${exported}`);
      assert.deepEqual(withBaseline.session.blockerTree().regressions.map((f) => f.id), [failing.id]);
    } finally {
      await withBaseline.session.dispose();
    }
  });
});
