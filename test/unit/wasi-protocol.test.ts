// The WASI-command protocol (docs/stage0-abi.md §10) and the wasmtime engine's pure parts:
// request encoding, answer parsing and interpretation, exit classification, run arguments,
// the module check, the WASI-build path rule and the cache key.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { wasiBuildPath } from '../../server/src/backends/stage0/backend';
import { cacheEntryName } from '../../server/src/backends/stage0/precompileCache';
import { collectOutputs } from '../../server/src/backends/stage0/wasiOutput';
import {
  answerToResult, classifyEnd, encodeRequest, parseAnswer, parseHandshake, protocolName, trapFromStderr, type Answer,
} from '../../server/src/backends/stage0/wasiProtocol';
import { describeWasiModule, runArguments } from '../../server/src/backends/stage0/wasmtimeEngine';
import { readFixture, tempWorkspace } from './stage0-helpers';

const valid = (): undefined => undefined;
const answer = (line: string): Answer => {
  const parsed = parseAnswer(line);
  assert.ok(parsed, line);
  return parsed;
};

describe('WASI protocol: requests and the handshake', () => {
  it('a request is one JSON line; every string survives, lone surrogates included', () => {
    const text = '(f "a\nb\t\\"q\\" é 😀 \ud800")';
    const line = encodeRequest(7, text);
    assert.ok(line.endsWith('\n'));
    assert.equal(line.indexOf('\n'), line.length - 1);
    assert.deepEqual(JSON.parse(line), { id: 7, text });
  });

  it('accepts its own protocol and version, and names a mismatch', () => {
    assert.deepEqual(parseHandshake(`{"protocol":"${protocolName}","version":1}`), { ok: true });
    assert.deepEqual(parseHandshake('{"protocol":"other","version":1}'), { ok: false, message: 'Stage 0 speaks protocol "other", not clysm-stage0-wasi' });
    assert.match((parseHandshake(`{"protocol":"${protocolName}","version":2}`) as { message: string }).message, /version 2; this extension speaks version 1/);
    assert.equal(parseHandshake('hello'), undefined);
    assert.equal(parseHandshake('{"id":1}'), undefined);
  });
});

describe('WASI protocol: answers', () => {
  it('interprets reports and the returned byte string by the JS-host rules', () => {
    const failed = answer('{"id":1,"reports":[{"formId":null,"success":false,"errorType":"compile-error","message":"Undefined function: G"}],"returned":null}');
    assert.deepEqual(answerToResult(failed, valid), { status: 'failed', errorType: 'compile-error', message: 'Undefined function: G' });
    const skipped = answer('{"id":2,"reports":[{"formId":null,"success":true,"errorType":"skipped","message":null}],"returned":null}');
    assert.deepEqual(answerToResult(skipped, valid), { status: 'skipped' });
    assert.equal(answerToResult(answer('{"id":3,"reports":[],"returned":null}'), valid).status, 'no-output');
    const compiled = answerToResult(answer('{"id":4,"reports":[],"returned":"\\u0000asm\\u0001\\u0000\\u0000\\u0000"}'), valid);
    assert.equal(compiled.status, 'compiled');
    assert.deepEqual([...(compiled.wasm ?? [])], [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const invalid = answerToResult(answer('{"id":5,"reports":[],"returned":"xyz"}'), () => 'bad magic');
    assert.deepEqual(invalid, { status: 'failed', errorType: 'wasm-validation-error', message: 'bad magic' });
  });

  it('a non-string result, a non-byte string, an error answer and a malformed one are ABI errors', () => {
    assert.match(answerToResult(answer('{"id":1,"reports":[],"returned":{"type":"non-string"}}'), valid).message ?? '', /returned an object/);
    assert.match(answerToResult(answer('{"id":1,"reports":[],"returned":"\\u0100"}'), valid).message ?? '', /char code 256/);
    assert.deepEqual(answerToResult(answer('{"id":null,"error":"bad request"}'), valid), {
      status: 'failed', errorType: 'abi-error', message: 'Stage 0 refused the request: bad request',
    });
    const malformed = answerToResult(answer('{"id":1,"reports":[{"success":"yes"}],"returned":null}'), valid);
    assert.equal(malformed.errorType, 'abi-error');
    assert.match(malformed.message ?? '', /does not understand/);
    assert.equal(answer('{"id":1}').kind, 'malformed');
  });

  it('lines that are not answers are not taken for one', () => {
    for (const line of ['', 'debug: hello', '[1,2]', '{"protocol":"clysm-stage0-wasi"}', 'null']) assert.equal(parseAnswer(line), undefined, line);
  });
});

describe('WASI protocol: how the process ended', () => {
  const trapStderr = 'Error: failed to run main module `s.wasm`\n\nCaused by:\n    0: failed to invoke command default\n' +
    '    1: error while executing at wasm backtrace:\n           0:   0x1f7f - <unknown>!_start\n    2: wasm trap: wasm `unreachable` instruction executed\n';

  it('exit 134 with a wasm trap is the form failing with the trap text', () => {
    assert.equal(trapFromStderr(trapStderr), 'wasm `unreachable` instruction executed');
    assert.deepEqual(classifyEnd({ exitCode: 134, stderr: trapStderr }), { kind: 'trap', message: 'wasm `unreachable` instruction executed' });
    assert.deepEqual(classifyEnd({ exitCode: 3, stderr: 'wasm trap: call stack exhausted' }), { kind: 'trap', message: 'call stack exhausted' });
  });

  it('a signal, another exit code or a silent exit is a crash, described from stderr', () => {
    assert.deepEqual(classifyEnd({ signal: 'SIGABRT', stderr: 'FATAL ERROR: Reached heap limit\n' }), {
      kind: 'crash', reason: 'wasmtime was killed by SIGABRT: FATAL ERROR: Reached heap limit',
    });
    assert.deepEqual(classifyEnd({ exitCode: 70, stderr: '' }), { kind: 'crash', reason: 'wasmtime exited with code 70 without answering' });
    assert.equal(classifyEnd({ exitCode: 1, stderr: trapStderr }).kind, 'crash');
    assert.equal(classifyEnd({ exitCode: 0, stderr: '' }).kind, 'crash');
  });
});

describe('wasmtime engine: pure parts', () => {
  it('runs Stage 0 with the flags, two preopens and --allow-precompiled for a .cwasm', () => {
    assert.deepEqual(runArguments({ flags: ['-W', 'gc=y'], workspaceRoot: '/ws', privateOutput: '/tmp/o', module: '/c/x.cwasm', precompiled: true }), [
      'run', '-W', 'gc=y', '--dir', '/ws::/workspace', '--dir', '/tmp/o::/output', '--allow-precompiled', '/c/x.cwasm',
    ]);
    assert.deepEqual(runArguments({ flags: [], workspaceRoot: '/ws', privateOutput: '/o', module: '/c/x.wasm', precompiled: false }), [
      'run', '--dir', '/ws::/workspace', '--dir', '/o::/output', '/c/x.wasm',
    ]);
    assert.throws(() => runArguments({ flags: [], workspaceRoot: '/a::b', privateOutput: '/o', module: 'm', precompiled: false }), /contains "::"/);
  });

  it('accepts a WASI command and refuses what wasmtime cannot run, saying why', () => {
    const info = describeWasiModule(readFixture('stage0-fixture.wasi.wasm'));
    assert.ok(info.exports.some((e) => e.name === '_start' && e.kind === 'function'));
    assert.ok(info.imports.every((i) => i.module === 'wasi_snapshot_preview1'));
    assert.throws(() => describeWasiModule(readFixture('stage0-fixture.wasm')), /does not export _start \(it exports: compile_form, compile_all and _initialize\): the wasmtime engine runs Stage 0 as a WASI command/);
    assert.throws(() => describeWasiModule(readFixture('stage0-corrupt.wasm')), /not a WebAssembly module: it does not start with the \\0asm magic/);
    assert.throws(() => describeWasiModule(readFixture('stage0-truncated.wasm')), /not a valid WebAssembly module: /);
  });

  it('prefers X.wasi.wasm next to X.wasm', () => {
    assert.equal(wasiBuildPath('/d/s.wasm', () => true), '/d/s.wasi.wasm');
    assert.equal(wasiBuildPath('/d/s.wasm', () => false), '/d/s.wasm');
    assert.equal(wasiBuildPath('/d/s.wasi.wasm', () => true), '/d/s.wasi.wasm');
    assert.equal(wasiBuildPath('/d/s.bin', () => true), '/d/s.bin');
  });

  it('the cache entry depends on the Stage 0 hash, the wasmtime version and the flags', () => {
    const a = cacheEntryName('aa', 'wasmtime 37.0.0', ['-W', 'gc=y']);
    assert.match(a, /^aa-[0-9a-f]{12}$/);
    assert.equal(a, cacheEntryName('aa', 'wasmtime 37.0.0', ['-W', 'gc=y']));
    assert.notEqual(a, cacheEntryName('bb', 'wasmtime 37.0.0', ['-W', 'gc=y']));
    assert.notEqual(a, cacheEntryName('aa', 'wasmtime 38.0.0', ['-W', 'gc=y']));
    assert.notEqual(a, cacheEntryName('aa', 'wasmtime 37.0.0', []));
  });

  it("moves Stage 0's /output files into the output folder with the JS host's checks", () => {
    const { root, cleanup } = tempWorkspace();
    try {
      const privateDir = path.join(root, 'private');
      const outputDir = path.join(root, 'out');
      fs.mkdirSync(path.join(privateDir, 'sub'), { recursive: true });
      fs.mkdirSync(outputDir);
      fs.writeFileSync(path.join(privateDir, 'clysm-stage1.wasm'), 'one');
      fs.writeFileSync(path.join(privateDir, 'sub', 'two.txt'), 'two');
      fs.writeFileSync(path.join(privateDir, 'stage0.wasm'), 'overwrite?');
      fs.writeFileSync(path.join(outputDir, 'stage0.wasm'), 'original');
      fs.symlinkSync('/etc/hostname', path.join(privateDir, 'link'));
      const logs: string[] = [];
      const { written } = collectOutputs(privateDir, { workspaceRoot: root, outputDir, protectedFiles: [path.join(outputDir, 'stage0.wasm')] }, (m) => logs.push(m));
      assert.deepEqual(written.map((f) => path.relative(outputDir, f)).sort(), ['clysm-stage1.wasm', path.join('sub', 'two.txt')]);
      assert.equal(fs.readFileSync(path.join(outputDir, 'clysm-stage1.wasm'), 'utf8'), 'one');
      assert.equal(fs.readFileSync(path.join(outputDir, 'stage0.wasm'), 'utf8'), 'original');
      assert.ok(logs.some((m) => /stage0\.wasm refused: .*never overwritten/.test(m)), logs.join('\n'));
      assert.ok(logs.some((m) => /link refused: a symbolic link/.test(m)), logs.join('\n'));
      assert.deepEqual(fs.readdirSync(privateDir).filter((f) => f !== 'sub'), [], 'the private folder is emptied');
      fs.writeFileSync(path.join(privateDir, 'x'), 'x');
      assert.deepEqual(collectOutputs(privateDir, { workspaceRoot: root }, (m) => logs.push(m)).written, []);
      assert.match(logs.at(-1) ?? '', /no output folder is configured/);
      // Issue 10 items 2 and 3 on wasmtime: an output folder linked out of the workspace, and the write caps.
      const elsewhere = fs.mkdtempSync(path.join(path.dirname(root), 'clysm-wasi-elsewhere-'));
      try {
        fs.symlinkSync(elsewhere, path.join(root, 'linked'));
        fs.writeFileSync(path.join(privateDir, 'authorized_keys'), 'key');
        assert.deepEqual(collectOutputs(privateDir, { workspaceRoot: root, outputDir: path.join(root, 'linked') }, (m) => logs.push(m)).written, []);
        assert.deepEqual(fs.readdirSync(elsewhere), []);
        assert.match(logs.at(-1) ?? '', /authorized_keys refused: the output folder .*linked \(it leads to .*\) is outside the workspace folder/);
      } finally {
        fs.rmSync(elsewhere, { recursive: true, force: true });
      }
      fs.writeFileSync(path.join(privateDir, 'a.bin'), '123456');
      fs.writeFileSync(path.join(privateDir, 'b.bin'), '123456');
      const capped = collectOutputs(privateDir, { workspaceRoot: root, outputDir, writeLimits: { maxBytes: 10, maxFiles: 5 } }, (m) => logs.push(m));
      assert.equal(capped.written.length, 1);
      assert.match(capped.overLimit ?? '', /over the limit of 10 bytes/);
      assert.deepEqual(fs.readdirSync(privateDir).filter((f) => f !== 'sub'), [], 'the private folder is emptied');
    } finally {
      cleanup();
    }
  });
});
