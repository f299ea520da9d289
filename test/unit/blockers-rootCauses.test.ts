// Root causes and message shapes, on message SHAPES like those Clysm and V8 print (written
// here, not copied): SBCL's four-line type errors, printed AST structures, gensyms, V8's
// "Compiling function #N failed" reports.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildRootCauses, messageShape, summarize, summarizeMessage, SUMMARY_LIMIT } from '../../server/src/blockers/index.js';
import { blameForm } from '../../server/src/blockers/index.js';
import type { AnalyzedForm, FormResult, Origin, TopLevelForm } from '../../server/src/types.js';

let line = 0;

interface FormSpec {
  status?: FormResult['status'];
  message?: string;
  errorType?: string;
  origin?: Origin;
  condition?: string;
  operator?: string;
  name?: string;
  file?: string;
}

function form(id: string, spec: FormSpec): AnalyzedForm {
  const operator = spec.operator ?? 'DEFUN';
  const text = `(${operator.toLowerCase()} ${spec.name ?? 'f'} ())`;
  const at = line++;
  const top: TopLevelForm = {
    index: at,
    kind: 'list',
    range: { start: { line: at, character: 0 }, end: { line: at, character: text.length } },
    start: 0,
    end: text.length,
    text,
    operator,
    name: spec.name,
    package: 'CL-USER',
  };
  const result: FormResult = { status: spec.status ?? 'failed' };
  if (spec.message !== undefined) result.message = spec.message;
  if (spec.errorType !== undefined) result.errorType = spec.errorType;
  if (spec.origin !== undefined) result.origin = spec.origin;
  if (spec.condition !== undefined) result.condition = spec.condition;
  const blame = blameForm(top, result, []);
  return { file: spec.file ?? 'src/a.lisp', id, moduleIndex: 1, form: top, result, category: blame.category, blameOperator: blame.blameOperator };
}

const site = (fn: string, at = 10): Origin => ({ function: fn, file: 'src/compiler/codegen.lisp', line: at, column: 1 });
const v8 = (fn: number, what: string, offset = 40): string => `WebAssembly.Module(): Compiling function #${fn} failed: ${what} @+${offset}`;
const sbclTypeError = (datum: string, type: string): string => `The value\n  ${datum}\nis not of type\n  ${type}`;
const astDump = (depth: number): string =>
  depth === 0
    ? '#S(PKG/AST:AST-VAR-REF :SOURCE-LOCATION NIL :NAME #:TMP-4821 :BINDING NIL)'
    : `#S(PKG/AST:AST-CALL\n   :SOURCE-LOCATION NIL\n   :FUNCTION LIST\n   :ARGUMENTS (${astDump(depth - 1)} ${astDump(depth - 1)}))`;

describe('messageShape', () => {
  test('keeps type names and Wasm opcodes with digits (i32, i31.get_s, f64.add)', () => {
    assert.equal(
      messageShape(v8(17, 'local.set[0] expected type anyref, found i31.get_s of type i32')),
      'local.set[N] expected type anyref, found i31.get_s of type i32',
    );
    assert.equal(messageShape('Undefined function: F64-TO-I32'), 'Undefined function: F64-TO-I32');
    assert.equal(messageShape('CONS requires exactly 2 arguments'), 'CONS requires exactly 2 arguments');
  });

  test("V8 reports lose the function index, offsets and indexes, whatever the function", () => {
    const shapes = new Set([4, 5, 6, 12].map((n) => messageShape(v8(n, 'start-arity and end-arity of one-armed if must match', n * 7))));
    assert.deepEqual([...shapes], ['start-arity and end-arity of one-armed if must match']);
    assert.equal(messageShape(v8(2, 'Invalid global index: 4')), 'Invalid global index: N');
    assert.equal(messageShape('Compiling function #0:"f" failed: expected type i32, found global.get of type (ref null 3)'), 'expected type i32, found global.get of type (ref null N)');
  });

  test('gensym counters are elided, the gensym name kept', () => {
    assert.equal(messageShape('Unknown branch label: #:LOOP-START-18167'), 'Unknown branch label: #:LOOP-START-…');
    assert.equal(messageShape('Unknown branch label: #:LOOP-START-205'), messageShape('Unknown branch label: #:LOOP-START-18167'));
    assert.equal(messageShape('undefined tag: G123'), 'undefined tag: G…');
    assert.notEqual(messageShape('Unknown branch label: #:LOOP-END-1'), messageShape('Unknown branch label: #:LOOP-START-1'));
  });

  test("SBCL's four-line type error: one shape per kind of datum and type", () => {
    const a = messageShape(sbclTypeError(':$ENV-ADD-LOCAL-RT', 'NUMBER'));
    assert.equal(a, 'The value :$…-RT is not of type NUMBER');
    assert.equal(messageShape(sbclTypeError(':$MEMBER-RT', 'NUMBER')), a);
    assert.notEqual(messageShape(sbclTypeError(':$MEMBER-RT', 'LIST')), a);
    assert.equal(
      messageShape(`${sbclTypeError('(PKG::PREV PKG::CURR)', 'SYMBOL')}\nwhen setting slot PKG::VAR of structure PKG:LOOP-ITER`),
      'The value (…) is not of type SYMBOL when setting slot PKG::VAR of structure PKG:LOOP-ITER',
    );
    assert.equal(messageShape(sbclTypeError('3', 'LIST')), 'The value <number> is not of type LIST');
    assert.equal(messageShape(sbclTypeError('NIL', 'NUMBER')), 'The value NIL is not of type NUMBER');
  });

  test('printed structures are cut to their type, and the shape stays within the limit', () => {
    const shape = messageShape(`${astDump(5)}\nfell through ETYPECASE expression.`);
    assert.equal(shape, '#S(PKG/AST:AST-CALL …) fell through ETYPECASE expression.');
    const wanted = `NIL fell through ETYPECASE expression.\nWanted one of (${Array.from({ length: 30 }, (_, i) => `PKG/AST:AST-KIND-${'X'.repeat(i % 5)}`).join('\n   ')})`;
    assert.ok(messageShape(wanted).length <= SUMMARY_LIMIT);
    assert.match(messageShape(wanted), /^NIL fell through ETYPECASE expression\. Wanted one of \(PKG\/AST:AST-KIND- …\)$/);
  });
});

describe('summarizeMessage', () => {
  test('one line, whitespace collapsed, driver clip markers shortened', () => {
    assert.equal(summarizeMessage(sbclTypeError(':$MEMBER-RT', 'NUMBER')), 'The value :$MEMBER-RT is not of type NUMBER');
    assert.equal(summarizeMessage('Unknown instruction: (IF (RESULT ANY… [291 more characters]'), 'Unknown instruction: (IF (RESULT ANY…');
  });

  test('never longer than the limit; never cuts inside a printed object without …', () => {
    const corpus = [
      astDump(6),
      `Unsupported make-hash-table keyword: ${astDump(4)}`,
      `Error in (${'A '.repeat(300)}) and (${'B '.repeat(300)})`,
      'word '.repeat(100),
      `"a string with ( parens ${'x'.repeat(400)}"`,
    ];
    for (const message of corpus) {
      const s = summarizeMessage(message);
      assert.ok(s.length <= SUMMARY_LIMIT, `${s.length}: ${s}`);
      assert.ok(!s.includes('\n'));
      // Every list opened in the summary is closed, or the summary says it left text out.
      let depth = 0;
      for (const c of s) depth += c === '(' ? 1 : c === ')' ? -1 : 0;
      assert.ok(depth === 0 || s.endsWith('…'), s);
    }
    assert.equal(summarizeMessage(`Error in (${'A '.repeat(300)}) and (B C)`), 'Error in (A …) and (B C)');
  });
});

describe('buildRootCauses', () => {
  test('the one-armed-if V8 failure over many function indexes is ONE root cause, ranked first', () => {
    const forms = [
      ...[1, 4, 5, 6, 7].map((n, i) => form(`1:${i}`, { message: v8(n, 'start-arity and end-arity of one-armed if must match', 90 + i), errorType: 'wasm-validation-error' })),
      form('1:9', { message: 'Undefined function: FOO' }),
      form('1:10', { status: 'compiled' }),
    ];
    const causes = buildRootCauses(forms, summarize(forms));
    assert.equal(causes.length, 2);
    assert.equal(causes[0].message, 'start-arity and end-arity of one-armed if must match');
    assert.equal(causes[0].count, 5);
    assert.equal(causes[0].category, 'wasm-validation-error');
    assert.deepEqual(causes[0].formIds, ['1:0', '1:1', '1:2', '1:3', '1:4']);
    assert.equal(causes[0].impactPct, round(100 * 5 / 7));
    assert.equal(causes[0].coverageIfFixedPct, round(100 * 6 / 7));
    assert.equal(causes[0].id, buildRootCauses(forms.slice(0, 3), summarize(forms)).at(0)?.id, 'the id does not depend on the other forms');
  });

  test(':$X-RT type errors: one cause per raising site, whatever runtime function they name', () => {
    const names = ['ENV-ADD-LOCAL', 'COMPILE-TO-INSTRUCTIONS', 'MEMBER', 'ASSOC', 'POSITION'];
    const forms = [
      ...names.map((n, i) => form(`2:${i}`, { message: sbclTypeError(`:$${n}-RT`, 'NUMBER'), origin: site('PKG::EMIT-CALL'), condition: 'TYPE-ERROR' })),
      form('2:7', { message: sbclTypeError(':$MEMBER-RT', 'NUMBER'), origin: site('PKG::EMIT-FUNCREF', 90), condition: 'TYPE-ERROR' }),
    ];
    const causes = buildRootCauses(forms, summarize(forms));
    assert.deepEqual(causes.map((c) => [c.origin?.function, c.count, c.message]), [
      ['PKG::EMIT-CALL', 5, 'The value :$…-RT is not of type NUMBER'],
      ['PKG::EMIT-FUNCREF', 1, 'The value :$…-RT is not of type NUMBER'],
    ]);
  });

  test('same shape but another condition type is another cause', () => {
    const forms = [
      form('3:0', { message: 'Bad form: (X)', origin: site('PKG::F'), condition: 'SIMPLE-ERROR' }),
      form('3:1', { message: 'Bad form: (Y)', origin: site('PKG::F'), condition: 'PROGRAM-ERROR' }),
    ];
    assert.equal(buildRootCauses(forms, summarize(forms)).length, 2);
  });

  test('a missing name defined by a failing form waits on that form, and counts towards it transitively', () => {
    const forms = [
      // C: DEFMACRO WITH-COLLECTOR fails because LOOP-FINISH is missing.
      form('4:0', { operator: 'DEFMACRO', name: 'WITH-COLLECTOR', message: 'Undefined function: LOOP-FINISH', file: 'src/codegen/func-section.lisp' }),
      // B: three users of WITH-COLLECTOR, one of them defines EMIT-ALL.
      form('4:1', { name: 'EMIT-ALL', message: 'Undefined function: WITH-COLLECTOR' }),
      form('4:2', { name: 'G2', message: 'Undefined function: WITH-COLLECTOR' }),
      form('4:3', { name: 'G3', message: 'Undefined function: WITH-COLLECTOR' }),
      // A: users of EMIT-ALL wait on B, so on C too.
      form('4:4', { name: 'H1', message: 'Undefined function: EMIT-ALL' }),
      form('4:5', { name: 'H2', message: 'Undefined function: EMIT-ALL' }),
      // Larger on its own, but unlocks fewer forms than C.
      ...[0, 1, 2, 3].map((i) => form(`4:${6 + i}`, { message: v8(i, 'trailing code after function end') })),
      // Missing, but the workspace's definition compiles: nothing to wait on.
      form('4:10', { name: 'OK', operator: 'DEFUN', status: 'compiled' }),
      form('4:11', { message: 'Undefined function: OK' }),
    ];
    const causes = buildRootCauses(forms, summarize(forms));
    const byMessage = new Map(causes.map((c) => [c.message, c]));
    const c = byMessage.get('Undefined function: LOOP-FINISH');
    const b = byMessage.get('Undefined function: WITH-COLLECTOR');
    const a = byMessage.get('Undefined function: EMIT-ALL');
    assert.ok(a && b && c);
    assert.deepEqual([c.count, c.unlocks, b.unlocks, a.unlocks], [1, 6, 5, 2]);
    assert.equal(causes[0], c, 'ranked by forms unlocked, transitively');
    assert.deepEqual(
      causes.map((x) => x.message),
      ['Undefined function: LOOP-FINISH', 'Undefined function: WITH-COLLECTOR', 'trailing code after function end', 'Undefined function: EMIT-ALL', 'Undefined function: OK'],
    );
    assert.equal(b.waitsOn?.id, c.id);
    assert.equal(a.waitsOn?.id, b.id);
    assert.deepEqual(c.blocks, [b.id]);
    assert.equal(b.waitsOn?.explanation, 'WITH-COLLECTOR is defined in func-section.lisp:1 but fails itself (missing-function LOOP-FINISH): fix that first; 5 forms wait on it'.replace(':1 ', `:${forms[0].form.range.start.line + 1} `));
    const ok = byMessage.get('Undefined function: OK');
    assert.equal(ok?.definition?.compiled, true);
    assert.equal(ok?.waitsOn, undefined);
  });

  test('forms that wait on each other count once each', () => {
    const forms = [
      form('5:0', { name: 'P', message: 'Undefined function: Q' }),
      form('5:1', { name: 'Q', message: 'Undefined function: P' }),
    ];
    const causes = buildRootCauses(forms, summarize(forms));
    assert.deepEqual(causes.map((c) => c.unlocks), [2, 2]);
  });

  test('every summary and message of a cause stays within 200 characters', () => {
    const forms = [form('6:0', { message: astDump(7) }), form('6:1', { message: `Unsupported keyword: ${astDump(5)}` })];
    for (const c of buildRootCauses(forms, summarize(forms))) assert.ok(c.message.length <= SUMMARY_LIMIT, c.message);
  });
});

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
