#!/usr/bin/env node
// Checks the top-level form reader and the module-list parser against a real Clysm checkout:
//   node scripts/check-clysm-forms.mjs <clysm-checkout>
// Resolves lists A, B and C from the checkout's own files, splits every module, compares the
// counts with the ones measured independently (reference/clysm-facts.md §1.2, embedded below as
// numbers), and times the reader on the largest module. Exit code 1 on any mismatch.
import * as esbuild from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const checkout = process.argv[2];
if (!checkout) {
  console.error('usage: node scripts/check-clysm-forms.mjs <clysm-checkout>');
  process.exit(2);
}

/** Expected [top-level forms, stage1-compilable forms, defun forms] per module at Clysm HEAD 35fb3196. */
const EXPECTED = {
  'src/clysm/backend/leb128.lisp': [7, 6, 6],
  'src/clysm/backend/sections.lisp': [34, 33, 17],
  'src/clysm/backend/wasm-emit.lisp': [6, 5, 3],
  'src/clysm/backend/wat-print.lisp': [3, 2, 2],
  'src/clysm/reader/tokenizer.lisp': [22, 21, 19],
  'src/clysm/reader/parser.lisp': [18, 17, 15],
  'src/clysm/reader/package.lisp': [38, 37, 33],
  'src/clysm/reader/reader.lisp': [4, 3, 3],
  'src/clysm/compiler/ast.lisp': [143, 142, 93],
  'src/clysm/compiler/env.lisp': [12, 11, 7],
  'src/clysm/compiler/analyzer/free-vars.lisp': [4, 3, 2],
  'src/clysm/compiler/analyzer/tail-call.lisp': [2, 1, 1],
  'src/clysm/compiler/analyzer/type-infer.lisp': [2, 1, 1],
  'src/clysm/compiler/analyzer/io-usage.lisp': [4, 3, 2],
  'src/clysm/compiler/transform/closure.lisp': [2, 1, 1],
  'src/clysm/compiler/transform/macro.lisp': [49, 48, 38],
  'src/clysm/compiler/codegen/wasm-ir.lisp': [6, 5, 0],
  'src/clysm/compiler/codegen/gc-types.lisp': [83, 82, 44],
  'src/clysm/compiler/codegen/type-section.lisp': [2, 1, 1],
  'src/clysm/compiler/codegen/func-section.lisp': [409, 407, 368],
  'src/clysm/compiler/compiler.lisp': [44, 43, 41],
  'src/clysm/runtime/objects.lisp': [30, 29, 19],
  'src/clysm/runtime/special-vars.lisp': [4, 3, 2],
  'src/clysm/runtime/multi-value.lisp': [5, 4, 2],
  'src/clysm/runtime/printer.lisp': [4, 3, 3],
  'src/clysm/runtime/condition-runtime.lisp': [17, 15, 6],
  'src/clysm/clos/mop.lisp': [19, 18, 14],
  'src/clysm/clos/defclass.lisp': [7, 6, 4],
  'src/clysm/clos/instance.lisp': [5, 4, 4],
  'src/clysm/clos/slot-access.lisp': [12, 11, 10],
  'src/clysm/clos/generic.lisp': [9, 8, 5],
  'src/clysm/clos/defmethod.lisp': [6, 5, 4],
  'src/clysm/clos/combination.lisp': [10, 9, 5],
  'src/clysm/clos/dispatch.lisp': [15, 14, 13],
  'src/clysm/clos/method-combination.lisp': [2, 1, 1],
  'src/clysm/conditions/package.lisp': [7, 6, 0],
  'src/clysm/conditions/types.lisp': [20, 19, 1],
  'src/clysm/conditions/handlers.lisp': [5, 4, 2],
  'src/clysm/conditions/restarts.lisp': [12, 11, 8],
  'src/clysm/conditions/signaling.lisp': [9, 8, 8],
  'src/clysm/conditions/standard.lisp': [6, 5, 5],
  'src/clysm/lib/utf8.lisp': [15, 13, 8],
  'src/clysm/lib/setf-expanders.lisp': [47, 46, 36],
  'src/clysm/lib/destructuring.lisp': [12, 11, 7],
  'src/clysm/lib/macros.lisp': [89, 87, 66],
  'src/clysm/package.lisp': [57, 57, 0],
  'src/clysm/eval/interpreter.lisp': [85, 84, 67],
  'src/clysm/eval/interpreter-macros.lisp': [15, 14, 10],
  'src/clysm/eval/interpreter-builtins.lisp': [2, 1, 1],
  'src/clysm/eval/interpreter-file.lisp': [12, 11, 8],
  'src/clysm/eval/jit.lisp': [21, 20, 14],
  'src/clysm/eval/eval.lisp': [2, 1, 1],
  'src/clysm/eval/compile.lisp': [20, 19, 14],
  'src/clysm/repl.lisp': [8, 7, 5],
};
const EXPECTED_TOTALS = { A: [41, 1098, 1055, 813], B: [45, 1261, 1212, 930], C: [45, 1276, 1229, 917] };
/**
 * `(defun (setf ...) ...)` forms: 8 in list B and 9 over all 54 files (the ninth is in
 * eval/compile.lisp, list C only; clysm-facts.md §1.2 says "9 in list B", which is the union count).
 */
const EXPECTED_SETF_DEFUNS_B = 8;
const EXPECTED_SETF_DEFUNS_ALL = 9;
/** Top-level in-package forms in list B. */
const EXPECTED_IN_PACKAGE_B = 47;
/** Operators clysm/stage1::compilable-form-p excludes. */
const NOT_COMPILABLE = new Set(['IN-PACKAGE', 'DECLARE', 'EVAL-WHEN', 'PROVIDE', 'REQUIRE']);

const api = await loadReaderAndModuleList();
let mismatches = 0;
const readText = (rel) => {
  try {
    return readFileSync(join(checkout, rel), 'utf8');
  } catch {
    return undefined;
  }
};

const listB = api.resolveModuleList({ override: null, readFile: readText, listLispFiles: () => [] });
const listA = api.parseCompilationOrder(readText(api.COMPILER_ORDER_FILE) ?? '');
const listC = api.parseStringListVariable(readText('src/clysm/stage0/modules.lisp') ?? '', '*COMPILER-MODULES*');
check(listB.source === 'stage1/reader.lisp', `list B comes from ${listB.source}`);

const countsByFile = new Map();
function countsOf(rel) {
  if (!countsByFile.has(rel)) {
    const text = readText(rel);
    const forms = text === undefined ? [] : api.readTopLevelForms(text);
    countsByFile.set(rel, {
      missing: text === undefined,
      forms: forms.length,
      compilable: forms.filter((f) => f.kind === 'list' && f.operator !== undefined && !NOT_COMPILABLE.has(f.operator)).length,
      defuns: forms.filter((f) => f.kind === 'list' && f.operator === 'DEFUN').length,
      setfDefuns: forms.filter((f) => f.operator === 'DEFUN' && f.name?.startsWith('(SETF ')).length,
      inPackage: forms.filter((f) => f.operator === 'IN-PACKAGE').length,
      readErrors: forms.filter((f) => f.kind === 'read-error').length,
      atoms: forms.filter((f) => f.kind === 'atom').length,
    });
  }
  return countsByFile.get(rel);
}

console.log(`List B (${listB.modules.length} modules, from ${listB.source}):`);
console.log('  #  forms compilable defun  module');
listB.modules.forEach((rel, i) => {
  const c = countsOf(rel);
  console.log(`${String(i + 1).padStart(3)} ${String(c.forms).padStart(6)} ${String(c.compilable).padStart(10)} ${String(c.defuns).padStart(5)}  ${rel}${c.missing ? '  (missing)' : ''}`);
});

console.log('\nEvery file of lists A, B and C against clysm-facts.md §1.2:');
for (const [rel, expected] of Object.entries(EXPECTED)) {
  const c = countsOf(rel);
  const actual = [c.forms, c.compilable, c.defuns];
  const ok = actual.every((value, i) => value === expected[i]) && c.readErrors === 0 && c.atoms === 0;
  if (!ok) mismatches++;
  console.log(`  ${ok ? 'OK      ' : 'MISMATCH'} ${rel}: ${actual.join('/')}${ok ? '' : ` (expected ${expected.join('/')}, read errors ${c.readErrors}, atoms ${c.atoms})`}`);
}

console.log('\nTotals (modules / forms / stage1-compilable / defun):');
for (const [name, list] of [['A', listA ?? []], ['B', listB.modules], ['C', listC ?? []]]) {
  const sum = (key) => list.reduce((total, rel) => total + countsOf(rel)[key], 0);
  const actual = [list.length, sum('forms'), sum('compilable'), sum('defuns')];
  const expected = EXPECTED_TOTALS[name];
  const ok = actual.every((value, i) => value === expected[i]);
  if (!ok) mismatches++;
  console.log(`  ${ok ? 'OK      ' : 'MISMATCH'} list ${name}: ${actual.join(' / ')}${ok ? '' : ` (expected ${expected.join(' / ')})`}`);
}
const sumB = (key) => listB.modules.reduce((total, rel) => total + countsOf(rel)[key], 0);
check(sumB('setfDefuns') === EXPECTED_SETF_DEFUNS_B, `(defun (setf ...)) forms in list B: ${sumB('setfDefuns')} (expected ${EXPECTED_SETF_DEFUNS_B})`);
const setfDefunsAll = Object.keys(EXPECTED).reduce((total, rel) => total + countsOf(rel).setfDefuns, 0);
check(setfDefunsAll === EXPECTED_SETF_DEFUNS_ALL, `(defun (setf ...)) forms in all 54 files: ${setfDefunsAll} (expected ${EXPECTED_SETF_DEFUNS_ALL})`);
check(sumB('inPackage') === EXPECTED_IN_PACKAGE_B, `in-package forms in list B: ${sumB('inPackage')} (expected ${EXPECTED_IN_PACKAGE_B})`);
check(listB.modules.every((rel, i) => api.moduleIndexOf(listB.modules, rel) === i + 1), 'moduleIndexOf numbers list B 1..45');

const largest = 'src/clysm/compiler/codegen/func-section.lisp';
const largestText = readText(largest);
if (largestText !== undefined) {
  for (let i = 0; i < 10; i++) api.readTopLevelForms(largestText); // warm-up
  const samples = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    api.readTopLevelForms(largestText);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const median = (samples[9] + samples[10]) / 2;
  const lines = largestText.split('\n').length - (largestText.endsWith('\n') ? 1 : 0);
  console.log(`\nReader on ${largest} (${lines} lines, ${largestText.length} chars): median ${median.toFixed(2)} ms over 20 runs (min ${samples[0].toFixed(2)}, max ${samples[19].toFixed(2)}); Node ${process.version}`);
  check(median < 10, `median under 10 ms`);
}

console.log(mismatches === 0 ? '\nAll checks passed.' : `\n${mismatches} mismatch(es).`);
process.exit(mismatches === 0 ? 0 : 1);

function check(ok, label) {
  if (!ok) mismatches++;
  console.log(`  ${ok ? 'OK      ' : 'MISMATCH'} ${label}`);
}

/** Bundles the reader and the module list (TypeScript) into a temporary ES module and imports it. */
async function loadReaderAndModuleList() {
  const dir = mkdtempSync(join(tmpdir(), 'clysm-check-forms-'));
  const outfile = join(dir, 'reader.mjs');
  try {
    await esbuild.build({
      stdin: {
        contents: "export * from './server/src/reader/index.ts';\nexport * from './server/src/workspace/moduleList.ts';\n",
        resolveDir: repoRoot,
        loader: 'ts',
        sourcefile: 'check-entry.ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'warning',
    });
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
