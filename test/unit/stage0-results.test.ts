import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  byteStringToBytes, describeThrown, interpretFormCall, type FormReport,
} from '../../server/src/backends/stage0/resultFromReports';

const valid = (): undefined => undefined;
const report = (success: boolean, errorType: string | null, message: string | null): FormReport => ({ formId: null, success, errorType, message });

describe('Stage 0 result interpretation', () => {
  it('a failure report wins, with the reported type and message', () => {
    const result = interpretFormCall({ reports: [report(false, 'compile-error', 'Undefined function: FOO')], returned: 'ignored' }, valid);
    assert.deepEqual(result, { status: 'failed', errorType: 'compile-error', message: 'Undefined function: FOO' });
  });

  it('a failure report wins over a trap', () => {
    const result = interpretFormCall({ reports: [report(false, 'compile-error', 'boom')], thrown: new Error('x') }, valid);
    assert.equal(result.status, 'failed');
    assert.equal(result.message, 'boom');
  });

  it('a failure without type or message still says something', () => {
    const result = interpretFormCall({ reports: [report(false, null, null)], returned: null }, valid);
    assert.equal(result.errorType, 'compile-error');
    assert.match(result.message ?? '', /without a message/);
  });

  it('report(1, "skipped") is skipped', () => {
    assert.equal(interpretFormCall({ reports: [report(true, 'skipped', null)], returned: null }, valid).status, 'skipped');
  });

  it('a thrown RuntimeError is a trap with V8 text', () => {
    const trap = new Error('unreachable');
    trap.name = 'RuntimeError';
    assert.deepEqual(interpretFormCall({ reports: [], thrown: trap }, valid), { status: 'failed', errorType: 'trap', message: 'unreachable' });
  });

  it('null with no report is no-output; success without bytes says so', () => {
    assert.equal(interpretFormCall({ reports: [], returned: null }, valid).status, 'no-output');
    const reported = interpretFormCall({ reports: [report(true, null, null)], returned: null }, valid);
    assert.equal(reported.status, 'no-output');
    assert.match(reported.message ?? '', /reported success but returned no bytes/);
  });

  it('a byte string becomes bytes and is validated', () => {
    const seen: Uint8Array[] = [];
    const result = interpretFormCall({ reports: [], returned: '\0asm\x01\0\0\0' }, (bytes) => {
      seen.push(bytes);
      return undefined;
    });
    assert.equal(result.status, 'compiled');
    assert.equal(result.bytes, 8);
    assert.deepEqual([...seen[0]], [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  });

  it('invalid bytes are a wasm-validation-error with the validator text', () => {
    const result = interpretFormCall({ reports: [], returned: 'junk' }, () => 'expected magic word 00 61 73 6d');
    assert.deepEqual(result, { status: 'failed', errorType: 'wasm-validation-error', message: 'expected magic word 00 61 73 6d' });
  });

  it('non-strings and wide strings are ABI errors', () => {
    assert.equal(interpretFormCall({ reports: [], returned: 42 }, valid).errorType, 'abi-error');
    const wide = interpretFormCall({ reports: [], returned: 'ab\u0100' }, valid);
    assert.equal(wide.errorType, 'abi-error');
    assert.match(wide.message ?? '', /char code 256 at offset 2/);
  });

  it('byteStringToBytes maps each unit to one byte', () => {
    const converted = byteStringToBytes('\xff\x00A');
    assert.ok(converted.ok);
    assert.deepEqual([...converted.bytes], [255, 0, 65]);
  });

  it('describes stack overflow, other errors and Wasm exceptions', () => {
    assert.match(describeThrown(new RangeError('Maximum call stack size exceeded')), /^stack overflow: /);
    assert.equal(describeThrown(new TypeError('bad')), 'TypeError: bad');
    class Exception {}
    assert.match(describeThrown(new Exception()), /uncaught Wasm exception/);
    assert.match(describeThrown('text'), /uncaught string: text/);
  });
});
