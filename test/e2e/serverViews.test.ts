// The view requests of the real language server (dist/server.js over stdio): clysm/blockerTree,
// clysm/modules and clysm/exportReport agree with the CLI, and a second server on the same
// storage folder publishes the previous results before its own analysis.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BlockerTree, ModuleRow } from '../../server/src/protocol';
import type { CheckReport } from '../../server/src/report/checkReport';
import type { Stage1Report } from '../../server/src/report/stage1Report';
import { LanguageServerProcess } from '../support/languageServerProcess';
import { copyExampleWorkspace, distDir } from '../support/repo';

describe('view requests and the persistent cache over stdio (fixture Stage 0)', () => {
  let workspace = '';
  let storage = '';
  let check: CheckReport;
  let server: LanguageServerProcess;

  before(async () => {
    workspace = copyExampleWorkspace();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-e2e-storage-'));
    const cli = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), workspace, '--json'], { encoding: 'utf8' });
    check = JSON.parse(cli.stdout) as CheckReport;
    server = new LanguageServerProcess(workspace, { diagnosticsDelayMs: 0, storageDir: storage });
    await server.initialize();
    await server.settled();
  });

  after(async () => {
    await server.close();
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(storage, { recursive: true, force: true });
  });

  it('clysm/blockerTree has the CLI blockers, and filters by file', async () => {
    const tree = (await server.connection.sendRequest('clysm/blockerTree', {})) as BlockerTree;
    assert.deepEqual(tree.categories.map((c) => [c.category, c.count, c.impactPct, c.priority]), check.blockers.map((b) => [b.category, b.count, b.impact_pct, b.priority]));
    assert.equal(tree.compilableForms, check.summary.total - check.summary.skipped);
    const formsInTree = tree.categories.flatMap((c) => c.patterns.flatMap((p) => p.forms.map((f) => f.id))).sort();
    assert.deepEqual(formsInTree, check.blockers.flatMap((b) => b.forms).sort());
    const one = (await server.connection.sendRequest('clysm/blockerTree', { file: 'src/compiler/ast.lisp' })) as BlockerTree;
    assert.ok(one.categories.flatMap((c) => c.patterns.flatMap((p) => p.forms)).every((f) => f.file === 'src/compiler/ast.lisp'));
  });

  it('clysm/modules lists every module with the CLI counts', async () => {
    const rows = (await server.connection.sendRequest('clysm/modules')) as ModuleRow[];
    assert.deepEqual(rows.map((r) => r.file), check.module_list.modules);
    for (const row of rows) {
      const forms = check.forms.filter((f) => f.file === row.file);
      assert.equal(row.total, forms.length, row.file);
      assert.equal(row.compiled, forms.filter((f) => f.status === 'compiled').length, row.file);
      assert.ok(row.analysed);
    }
  });

  it('clysm/exportReport writes the report atomically', async () => {
    const file = path.join(storage, 'exported', 'report.json');
    const answer = (await server.connection.sendRequest('clysm/exportReport', { path: file })) as { path: string; forms: number };
    assert.deepEqual(answer, { path: file, forms: check.summary.total });
    const report = JSON.parse(fs.readFileSync(file, 'utf8')) as Stage1Report;
    assert.equal(report.summary.coverage_pct, check.summary.coverage_pct);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['report.json']);
  });

  it('a new server on the same storage publishes the previous results before it analyses', async () => {
    const reopened = new LanguageServerProcess(workspace, { diagnosticsDelayMs: 0, storageDir: storage });
    try {
      await reopened.initialize();
      const settled = await reopened.settled();
      const first = reopened.statuses.find((s) => s.summary.total > 0);
      assert.ok(first, 'a status with results was published');
      assert.equal(first.restoredResults?.staleModules, check.module_list.modules.length, 'the first results came from the cache');
      assert.equal(first.summary.coveragePct, check.summary.coverage_pct);
      assert.deepEqual(settled.summary, first.summary);
      assert.equal(settled.regressions, 0);
    } finally {
      await reopened.close();
    }
  });
});
