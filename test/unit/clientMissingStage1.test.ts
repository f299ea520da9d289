// The client offers "Generate Stage 1" when the server's answer means "no Stage 1 yet": checked
// against the messages the server really produces, so a change of wording on either side fails here.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { isMissingStage1 } from '../../client/src/stage1/missingStage1';
import { diffWasmFiles } from '../../server/src/wasm/diffFiles';

/** What the clysm/diffStage1 handler answers for these files (server/src/stage1/handlers.ts). */
function diffAnswer(stage0: string, stage1: string): { problem?: string } {
  try {
    diffWasmFiles(stage0, stage1, { a: 'Stage 0', b: 'Stage 1' });
    return {};
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

describe('missing Stage 1', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-missing-stage1-'));
  const stage0 = path.join(dir, 'stage0.wasm');
  fs.writeFileSync(stage0, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));

  it('is recognised in the diff answer when the Stage 1 file does not exist', () => {
    const answer = diffAnswer(stage0, path.join(dir, 'clysm-stage1.wasm'));
    assert.match(answer.problem ?? '', /not found/);
    assert.equal(isMissingStage1(answer), true);
  });

  it('is not claimed for other problems (a missing Stage 0, an unreadable Stage 1)', () => {
    assert.equal(isMissingStage1(diffAnswer(path.join(dir, 'none.wasm'), stage0)), false);
    assert.equal(isMissingStage1({ problem: 'Stage 1 could not be read (x): EACCES' }), false);
    assert.equal(isMissingStage1({}), false);
  });

  it('is the fixed-point status missing-stage1 and no other', () => {
    assert.equal(isMissingStage1({ status: 'missing-stage1' }), true);
    assert.equal(isMissingStage1({ status: 'not-achieved' }), false);
  });

  it('cleans up', () => fs.rmSync(dir, { recursive: true, force: true }));
});
