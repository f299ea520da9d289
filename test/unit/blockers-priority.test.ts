import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { impactPct, priority, priorityDecision, recommendation, recommendationSubject } from '../../server/src/blockers/index.js';

describe('impactPct', () => {
  test('100 × count / total, 2 decimals', () => {
    assert.equal(impactPct(118, 873), 13.52); // Clysm's P114 percentage
    assert.equal(impactPct(830, 1261), 65.82); // Clysm's legacy DEFUN blocker
    assert.equal(impactPct(1, 3), 33.33);
    assert.equal(impactPct(2, 3), 66.67);
    assert.equal(impactPct(0, 10), 0);
  });

  test('zero or negative total gives 0, never NaN or Infinity', () => {
    assert.equal(impactPct(0, 0), 0);
    assert.equal(impactPct(5, 0), 0);
    assert.equal(impactPct(5, -1), 0);
  });
});

describe('priority (estimate-priority)', () => {
  test('impact > 10 % → HIGH, exactly 10 % is not', () => {
    assert.equal(priority(11, 100), 'HIGH');
    assert.equal(priority(10, 100), 'MEDIUM');
    assert.equal(priority(101, 1000), 'HIGH');
  });

  test('impact > 5 % → MEDIUM, exactly 5 % is not', () => {
    assert.equal(priority(6, 100), 'MEDIUM');
    assert.equal(priority(5, 100), 'LOW');
  });

  test('count > 10 → MEDIUM even at low impact; exactly 10 is LOW', () => {
    assert.equal(priority(11, 10_000), 'MEDIUM');
    assert.equal(priority(10, 10_000), 'LOW');
    assert.equal(priority(1, 1261), 'LOW');
  });

  test('the rounded impact decides, so shown number and priority agree', () => {
    // 100 × 1000 / 9999.5 = 10.0005 → shown as 10 → not HIGH.
    assert.equal(impactPct(1000, 9999.5), 10);
    assert.equal(priority(1000, 9999.5), 'MEDIUM');
  });

  test('empty analysis', () => {
    assert.equal(priority(0, 0), 'LOW');
    assert.equal(priority(20, 0), 'MEDIUM');
  });
});

describe('recommendation', () => {
  test("Clysm's operator texts", () => {
    assert.equal(recommendation('unsupported-macro', 'LOOP'), 'Implement LOOP macro expansion to blessed subset');
    assert.equal(recommendation('unsupported-macro', 'format'), 'Extend FORMAT directive support');
    assert.equal(recommendation('unsupported-macro', 'DEFSTRUCT'), 'Add DEFSTRUCT compilation or expand to DEFCLASS');
    assert.equal(recommendation('unsupported-macro', 'DEFINE-CONDITION'), 'Expand DEFINE-CONDITION to DEFCLASS');
    assert.equal(recommendation('unsupported-macro', 'HANDLER-CASE'), 'Implement HANDLER-CASE for condition handling');
    assert.equal(recommendation('unsupported-macro', 'HANDLER-BIND'), 'Implement HANDLER-BIND for dynamic handlers');
    assert.equal(recommendation('unsupported-macro', 'RESTART-CASE'), 'Implement RESTART-CASE for restart handlers');
    assert.equal(recommendation('unsupported-macro', 'WITH-SLOTS'), 'Expand WITH-SLOTS to SLOT-VALUE calls');
    assert.equal(recommendation('unsupported-macro', 'WITH-ACCESSORS'), 'Expand WITH-ACCESSORS to accessor calls');
    assert.equal(recommendation('unsupported-declaration', 'DECLARE'), 'Handle DECLARE forms (skip or process declarations)');
    assert.equal(recommendation('unsupported-declaration', 'DECLAIM'), 'Handle DECLAIM forms (skip or process declarations)');
    assert.equal(recommendation('unsupported-macro'), 'Implement macro expansion for this form');
  });

  test("Clysm's category texts", () => {
    assert.equal(recommendation('missing-function'), 'Define missing function or add import');
    assert.equal(recommendation('missing-variable'), 'Define missing variable or add special declaration');
    assert.equal(recommendation('type-error', 'DEFUN'), 'Fix type mismatch in form compilation');
    assert.equal(recommendation('wasm-validation-error'), 'Check generated Wasm bytecode for spec compliance');
    assert.equal(recommendation('unknown-error'), 'Investigate error and add specific handling');
    assert.equal(recommendation('unsupported-defun', 'DEFUN'), 'Implement DEFUN support');
    assert.equal(recommendation('unsupported-defvar'), 'Implement DEFVAR support');
    assert.equal(recommendation('something-new'), 'Investigate error and add specific handling');
  });

  test('names the missing function or variable when known', () => {
    assert.equal(recommendation('missing-function', 'WHITESPACE-CHAR-P'), 'Define WHITESPACE-CHAR-P or add it as a runtime import');
    assert.equal(recommendation('missing-variable', '*ENV*'), 'Define *ENV* with DEFVAR or DEFPARAMETER, or add a special declaration');
  });

  test('extra categories', () => {
    assert.match(recommendation('timeout'), /clysm\.stage0\.timeoutMs/);
    assert.match(recommendation('timeout'), /infinite loop/);
    assert.match(recommendation('compiler-trap'), /bug in the compiler, not in the form/);
    assert.match(recommendation('read-error'), /syntax/);
    assert.match(recommendation('crashed'), /compiler/);
  });

  test('recommendationSubject picks the missing name, else the blamed operator', () => {
    assert.equal(recommendationSubject('missing-function', 'DEFUN', 'Undefined function: WHITESPACE-CHAR-P'), 'WHITESPACE-CHAR-P');
    assert.equal(recommendationSubject('missing-variable', 'DEFUN', 'Unbound variable: *X*'), '*X*');
    assert.equal(recommendationSubject('unsupported-macro', 'LOOP', 'whatever'), 'LOOP');
  });
});

describe('priorityDecision (the reason the views show)', () => {
  test('names the branch of the rule that decided, with the rounded impact', () => {
    assert.deepEqual(priorityDecision(11, 100), { priority: 'HIGH', reason: 'impact 11.00 % of compilable forms is above 10 %' });
    assert.deepEqual(priorityDecision(6, 100), { priority: 'MEDIUM', reason: 'impact 6.00 % of compilable forms is above 5 %' });
    assert.deepEqual(priorityDecision(11, 10_000), { priority: 'MEDIUM', reason: '11 forms is more than 10 (impact 0.11 % of compilable forms)' });
    assert.deepEqual(priorityDecision(5, 100), { priority: 'LOW', reason: 'impact 5.00 % of compilable forms is at most 5 % and 5 forms at most 10' });
  });

  test('agrees with priority() everywhere', () => {
    for (const total of [1, 7, 100, 1261]) {
      for (let count = 0; count <= total; count += Math.max(1, Math.floor(total / 50))) {
        assert.equal(priorityDecision(count, total).priority, priority(count, total), `${count}/${total}`);
      }
    }
  });
});
