// The server edge maps the Stage 1 implementation types onto the protocol's wire types: nothing
// the report view reads is lost, and what crosses is plain JSON.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixedPointToWire, stage1OutcomeToWire, wasmDiffToWire } from '../../server/src/lsp/stage1Wire';
import { diffWasmBytes } from '../../server/src/wasm/diffFiles';
import { buildStartBeforeCompileForm } from '../support/wasm';
import type { FixedPointOutcome } from '../../server/src/stage1/fixedPoint';
import type { Stage1Outcome } from '../../server/src/stage1/generateStage1';

const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
// A custom section "x" with one payload byte.
const withCustom = [...header, 0x00, 0x03, 0x01, 0x78, 0x2a];
const diff = diffWasmBytes(new Uint8Array(header), new Uint8Array(withCustom), { a: 'Stage 0', b: 'Stage 1' }, { a: '/a.wasm', b: '/b.wasm' });
const validation = { valid: true, verdicts: [{ validator: 'v8' as const, ran: true, valid: true, note: 'node' }] };

const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('Stage 1 wire mapping', () => {
  it('a diff crosses whole, as plain data', () => {
    const wire = wasmDiffToWire(diff);
    assert.equal(wire.diff.identical, false);
    assert.deepEqual(json(wire), json(diff));
  });

  it('a diff says how each function pair was made and names the added ones', () => {
    const { stage0, stage1 } = buildStartBeforeCompileForm();
    const wire = wasmDiffToWire(diffWasmBytes(stage0.bytes, stage1.bytes, { a: 'Stage 0', b: 'Stage 1' }, { a: '/a.wasm', b: '/b.wasm' }));
    const fn = wire.diff.functions;
    assert.deepEqual(fn.pairedBy, { export: 1, name: 0, index: 0 });
    assert.deepEqual(fn.listed, { changed: ['compile_form'], added: ['_start'], removed: [] });
    assert.deepEqual(fn.largest.map((f) => [f.key, f.pairedBy ?? null, f.indexA, f.indexB]), [['_start', null, null, 0], ['compile_form', 'export', 0, 1]]);
    assert.match(wire.summaryText, /^Functions: 1 paired \(1 by export name, 0 by name section, 0 by index\); 1 changed, 1 added, 0 removed;/m);
  });

  it('a generation outcome keeps every field, its diff included', () => {
    const outcome: Required<Stage1Outcome> = {
      status: 'generated',
      message: 'Stage 1 written',
      backend: 'sbcl',
      generator: 'clysm',
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 12,
      counts: { total: 3, compiled: 2, failed: 1, skipped: 0, notProcessed: 0, readErrors: 0, coveragePct: 66.67 },
      modules: [{ path: 'a.lisp', compiled: 2, failed: 1, total: 3 }],
      blockers: [{ category: 'missing-function', count: 1, impactPct: 33.33, priority: 'HIGH' }],
      topBlockers: [{ operator: 'DEFUN', count: 1, priority: 'LOW' }],
      stage1: { path: '/d/clysm-stage1.wasm', size: 8, sha256: 'ab', previous: '/d/clysm-stage1.prev.wasm', fresh: true },
      stale: { path: '/d/old.wasm', size: 8, sha256: 'cd', modified: '2025-01-01T00:00:00.000Z' },
      reportPath: '/d/stage1-report.json',
      validation,
      diff,
      diffProblem: 'none',
      clysmCounts: { total_forms: 3, compiled: 2, failed: 1, skipped: 0 },
      formValidator: 'v8',
      warnings: ['w'],
    };
    assert.deepEqual(json(stage1OutcomeToWire(outcome)), json(outcome));
  });

  it('a fixed-point outcome keeps every field, its structural diff included', () => {
    const outcome: Required<FixedPointOutcome> = {
      status: 'not-achieved',
      message: 'Stage 2 differs',
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 5,
      stage1: { path: '/d/s1.wasm', size: 8, sha256: 'ab', validation },
      probe: { exports: ['compile_all'], imports: [], hasCompileAll: true, hasCompileForm: false, unknownImports: [] },
      stage2: { path: '/d/s2.wasm', size: 13, sha256: 'cd', validation, fresh: true },
      comparison: diff.bytes,
      structural: diff,
      stage2Forms: { reported: 3, compiled: 2, failed: 1, skipped: 0 },
    };
    assert.deepEqual(json(fixedPointToWire(outcome)), json(outcome));
  });
});
