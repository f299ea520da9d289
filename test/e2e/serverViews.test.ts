// The view requests of the real language server (dist/server.js over stdio): clysm/blockerTree,
// clysm/modules and clysm/exportReport agree with the CLI, and a second server on the same
// storage folder publishes the previous results before its own analysis.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { BlockerTree, ModuleRow, ServerStatus } from '../../server/src/protocol';
import type { CheckReport } from '../../server/src/report/checkReport';
import type { Stage1Report } from '../../server/src/report/stage1Report';
import { copyExampleWorkspace, distDir } from '../support/repo';

class Server {
  readonly connection: MessageConnection;
  readonly statuses: ServerStatus[] = [];
  private readonly child: ChildProcess;

  constructor(private readonly root: string) {
    this.child = spawn(process.execPath, [path.join(distDir, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('workspace/diagnostic/refresh', () => null);
    for (const method of ['$/progress', 'window/logMessage', 'window/showMessage']) this.connection.onNotification(method, () => undefined);
    this.connection.onNotification('clysm/status', (s: ServerStatus) => {
      this.statuses.push(s);
    });
    this.connection.listen();
  }

  async initialize(initializationOptions: Record<string, unknown>): Promise<void> {
    const uri = pathToFileURL(this.root).href;
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri,
      workspaceFolders: [{ uri, name: 'ws' }],
      capabilities: { window: { workDoneProgress: true } },
      initializationOptions,
    });
    await this.connection.sendNotification('initialized', {});
  }

  /** Waits for the end of a whole-workspace run: a status that is idle, ready and has nothing stale. */
  async settled(): Promise<ServerStatus> {
    for (let i = 0; i < 400; i++) {
      const s = (await this.connection.sendRequest('clysm/getStatus')) as ServerStatus;
      if (s.status.state === 'ready' && !s.busy && s.lastRun && !s.snapshot && s.modulesDone === s.modulesTotal) return s;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('the server never settled');
  }

  async close(): Promise<void> {
    await this.connection.sendRequest('shutdown').catch(() => undefined);
    await this.connection.sendNotification('exit').catch(() => undefined);
    this.connection.dispose();
    this.child.kill();
  }
}

describe('view requests and the persistent cache over stdio (fixture Stage 0)', () => {
  let workspace = '';
  let storage = '';
  let check: CheckReport;
  let server: Server;

  before(async () => {
    workspace = copyExampleWorkspace();
    storage = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-e2e-storage-'));
    const cli = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), workspace, '--json'], { encoding: 'utf8' });
    check = JSON.parse(cli.stdout) as CheckReport;
    server = new Server(workspace);
    await server.initialize({ diagnosticsDelayMs: 0, storageDir: storage });
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
    assert.equal(tree.totalForms, check.summary.total);
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
    const reopened = new Server(workspace);
    try {
      await reopened.initialize({ diagnosticsDelayMs: 0, storageDir: storage });
      const settled = await reopened.settled();
      const first = reopened.statuses.find((s) => s.summary.total > 0);
      assert.ok(first, 'a status with results was published');
      assert.equal(first.snapshot?.staleModules, check.module_list.modules.length, 'the first results came from the cache');
      assert.equal(first.summary.coveragePct, check.summary.coverage_pct);
      assert.deepEqual(settled.summary, first.summary);
      assert.equal(settled.regressions, 0);
    } finally {
      await reopened.close();
    }
  });
});
