// wasmtime version parsing and flag choice (pure): 37 is the minimum, -W flags until 46, none from 47.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clysmWasmOptions, missingWasmtimeMessage, parseWasmtimeVersion, wasmtimeFlags, type WasmtimeVersion,
} from '../../server/src/backends/stage0/wasmtimeVersion';

const v = (text: string): WasmtimeVersion => {
  const parsed = parseWasmtimeVersion(text);
  assert.ok(parsed, `should parse ${text}`);
  return parsed;
};

describe('wasmtime --version parsing', () => {
  it('reads the release format clap prints (version, git hash, date)', () => {
    assert.deepEqual(parseWasmtimeVersion('wasmtime 37.0.0 (8e0b9a3b1 2025-09-20)\n'), {
      major: 37, minor: 0, patch: 0, text: 'wasmtime 37.0.0 (8e0b9a3b1 2025-09-20)',
    });
  });

  it('reads older and development formats', () => {
    assert.equal(v('wasmtime-cli 14.0.4').major, 14);
    assert.equal(v('wasmtime 48.0.0-dev (abc 2026-08-21)').major, 48);
    assert.equal(v('\n  wasmtime 47.0.4\n').patch, 4);
    assert.equal(v('wasmtime v41.2.3').minor, 2);
    assert.equal(v('wasmtime 37.0.0 (fake-wasmtime: a test double, not wasmtime)').major, 37);
  });

  it('refuses anything else', () => {
    for (const text of ['', 'wasmer 4.3.0', 'wasmtime', 'wasmtime x.y.z', 'error: unexpected argument', 'Wasmtime 37.0.0']) {
      assert.equal(parseWasmtimeVersion(text), undefined, text);
    }
  });
});

describe('wasmtime flag choice', () => {
  it('37 to 46 need gc, function-references and exceptions switched on', () => {
    for (const text of ['wasmtime 37.0.0', 'wasmtime 40.1.2', 'wasmtime 46.9.9']) {
      assert.deepEqual(wasmtimeFlags(v(text), '/usr/bin/wasmtime'), { ok: true, flags: ['-W', clysmWasmOptions] });
    }
    assert.equal(clysmWasmOptions, 'gc=y,function-references=y,exceptions=y');
  });

  it('47 and later need no flags (the proposals are on by default)', () => {
    for (const text of ['wasmtime 47.0.0', 'wasmtime 48.0.0-dev', 'wasmtime 100.0.0']) {
      assert.deepEqual(wasmtimeFlags(v(text), '/usr/bin/wasmtime'), { ok: true, flags: [] });
    }
  });

  it('an older wasmtime is refused with the version found and the one needed', () => {
    const choice = wasmtimeFlags(v('wasmtime 36.0.2 (abc 2025-08-20)'), '/opt/wasmtime');
    assert.equal(choice.ok, false);
    assert.ok(!choice.ok);
    assert.match(choice.message, /^wasmtime 36\.0\.2 at \/opt\/wasmtime is too old/);
    assert.match(choice.message, /found 36\.0\.2, need ≥ 37\.0\.0/);
    assert.equal(wasmtimeFlags(v('wasmtime 27.0.0'), 'x').ok, false);
  });

  it('a missing wasmtime names what was found (none) and what is needed', () => {
    const message = missingWasmtimeMessage('"wasmtime" is not on the PATH');
    assert.match(message, /^wasmtime not found \("wasmtime" is not on the PATH\)/);
    assert.match(message, /found none, need ≥ 37\.0\.0/);
    assert.match(message, /clysm\.wasmtime\.path/);
  });
});
