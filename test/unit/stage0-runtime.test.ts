import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { describeRuntime, probeRuntime, runtimeRequirement, v8SupportsWasmGc } from '../../server/src/wasm/runtimeProbe';

const systemNode = '/usr/bin/node';

function majorVersion(node: string): number | undefined {
  const run = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  return run.status === 0 ? Number(run.stdout.trim().split('.')[0]) : undefined;
}

describe('runtime probe', () => {
  it('passes on this Node (GC, exnref try_table, js-string builtins)', () => {
    const verdict = probeRuntime();
    assert.equal(verdict.ok, true, verdict.message);
    assert.ok(verdict.message.startsWith(describeRuntime()));
    assert.equal(v8SupportsWasmGc(), true);
  });

  it('names Electron when running inside VS Code', () => {
    const versions = { ...process.versions, electron: '37.3.1' };
    assert.match(describeRuntime(versions), /^Electron 37\.3\.1, Node \S+ \(V8 /);
  });

  const major = fs.existsSync(systemNode) ? majorVersion(systemNode) : undefined;
  const skip = major === undefined ? `${systemNode} is not available` : major >= 22 ? `${systemNode} is Node ${major}, which has WasmGC` : false;
  it('fails on the system Node 20 with a message naming it and the requirement; V8 there cannot validate WasmGC', { skip }, () => {
    const probeModule = path.join(__dirname, '..', '..', 'server', 'src', 'wasm', 'runtimeProbe.js');
    const script = `const p = require(${JSON.stringify(probeModule)}); process.stdout.write(JSON.stringify({ ...p.probeRuntime(), gc: p.v8SupportsWasmGc() }))`;
    const run = spawnSync(systemNode, ['-e', script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const verdict = JSON.parse(run.stdout) as { ok: boolean; message: string; gc: boolean };
    assert.equal(verdict.gc, false);
    assert.equal(verdict.ok, false);
    assert.match(verdict.message, /^Node 2\d\.\d+\.\d+ \(V8 [\d.]+\S*\) cannot run WasmGC: /);
    assert.ok(verdict.message.endsWith(`; ${runtimeRequirement}`));
  });
});
