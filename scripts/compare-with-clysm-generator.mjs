#!/usr/bin/env node
// Measures the SBCL backend against Clysm's own Stage 1 generator on a real Clysm checkout:
//   node scripts/compare-with-clysm-generator.mjs <clysm-checkout>
//        [--generator-report=FILE [--generator-defun-errors=FILE]] [--splitter=driver|reader]
//        [--with-core] [--json=FILE]
// A measurement tool, not part of CI. It
// 1. runs SbclBackend over every top-level form of list B (`*module-paths*` in the checkout's
//    src/clysm/stage1/reader.lisp), in order: cold (SBCL start + load + check), then warm
//    (same process), pipelined and one form at a time; with --with-core also cold from a
//    saved core;
// 2. reads the outputs of Clysm's own generator from a run you made yourself
//    (--generator-report=stage1-report.json, --generator-defun-errors=defun-errors.json);
//    this project never builds Clysm or its binaries;
// 3. prints both sets of counts, the DEFUN error messages compared one by one, and timings.
// Forms are split by SBCL's own reader in the driver (generator-faithful, the default) or by
// the editor's splitter (--splitter=reader).
import * as esbuild from 'esbuild';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const checkout = args.find((a) => !a.startsWith('--'));
const flag = (name) => args.includes(`--${name}`);
const option = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
if (!checkout) {
  console.error('usage: node scripts/compare-with-clysm-generator.mjs <clysm-checkout> [--generator-report=FILE [--generator-defun-errors=FILE]] [--splitter=driver|reader] [--with-core] [--json=FILE]');
  process.exit(2);
}
const root = resolve(checkout);
const splitter = option('splitter', 'driver');
const driverPath = join(repoRoot, 'server', 'lisp', 'driver.lisp');

/** Bundles the backend, the reader and the module list (TypeScript) into a temporary ES module. */
async function loadModules() {
  const dir = mkdtempSync(join(tmpdir(), 'clysm-compare-'));
  const outfile = join(dir, 'modules.mjs');
  try {
    await esbuild.build({
      stdin: {
        contents: [
          "export { SbclBackend } from './server/src/backends/sbcl/sbclBackend.ts';",
          "export { readTopLevelForms } from './server/src/reader/index.ts';",
          "export { parseModulePaths } from './server/src/workspace/moduleList.ts';",
        ].join('\n'),
        resolveDir: repoRoot,
        loader: 'ts',
        sourcefile: 'compare-entry.ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'warning',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const { SbclBackend, readTopLevelForms, parseModulePaths } = await loadModules();
const modules = parseModulePaths(readFileSync(join(root, 'src/clysm/stage1/reader.lisp'), 'utf8'));
if (!modules) throw new Error('no *module-paths* in src/clysm/stage1/reader.lisp');

/** The forms to check, per module: { id, text, package, operator, name, readError }. */
async function enumerate(backend) {
  const all = [];
  for (const [m, module] of modules.entries()) {
    const file = join(root, module);
    const text = readFileSync(file, 'utf8');
    if (splitter === 'reader') {
      for (const form of readTopLevelForms(text)) {
        all.push({ id: `${m + 1}:${form.index}`, module, text: form.text, package: form.package, operator: form.operator, name: form.name, readError: form.kind === 'read-error' ? form.error : undefined });
      }
    } else {
      for (const form of await backend.listForms(file)) {
        all.push({ id: `${m + 1}:${form.index}`, module, text: text.slice(form.start, form.end), package: form.package, operator: form.operator, name: form.name, readError: form.read_error });
      }
    }
  }
  return all;
}

async function check(backend, forms, pipelined) {
  const one = (form) =>
    form.readError !== undefined
      ? Promise.resolve({ status: 'read-error', message: form.readError })
      : backend.compileForm({ formId: form.id, text: form.text, package: form.package });
  if (pipelined) return Promise.all(forms.map(one));
  const results = [];
  for (const form of forms) results.push(await one(form));
  return results;
}

function counts(results) {
  const c = { total: results.length, compiled: 0, failed: 0, skipped: 0, 'read-error': 0, timeout: 0, crashed: 0, returnedBytes: 0, invalidBytes: 0, directives: 0 };
  for (const r of results) {
    c[r.status] = (c[r.status] ?? 0) + 1;
    if (r.wasm) c.returnedBytes++;
    if (r.errorType === 'wasm-validation-error') c.invalidBytes++;
    if (r.directive) c.directives++;
  }
  return c;
}

const ms = (t) => Math.round(performance.now() - t);

async function runBackend(coreCacheDir) {
  const timings = {};
  let t = performance.now();
  let coreSaved;
  const coreDone = new Promise((r) => (coreSaved = r));
  const log = (line) => {
    if (/saved core|saving a core did not work/.test(line)) coreSaved(line);
  };
  const backend = new SbclBackend({ workspaceRoot: root, driverPath, wasmTools: null, coreCacheDir, log });
  const status = await backend.start();
  if (status.state !== 'ready') throw new Error(status.message);
  timings.start = ms(t);
  const t1 = performance.now();
  const forms = await enumerate(backend);
  timings.enumerate = ms(t1);
  const t2 = performance.now();
  const cold = await check(backend, forms, true);
  timings.checkCold = ms(t2);
  timings.coldTotal = ms(t);
  t = performance.now();
  const warm = await check(backend, forms, true);
  timings.warmPipelined = ms(t);
  t = performance.now();
  await check(backend, forms, false);
  timings.warmSequential = ms(t);
  return { backend, status, forms, cold, warm, timings, coreDone };
}

function defunErrors(file) {
  if (!existsSync(file)) return undefined;
  // Clysm writes raw newlines inside strings; escape control characters found inside strings.
  let text = '';
  let inString = false;
  let escaped = false;
  for (const ch of readFileSync(file, 'utf8')) {
    if (inString && !escaped && ch === '\n') text += '\\n';
    else if (inString && !escaped && ch === '\r') text += '\\r';
    else if (inString && !escaped && ch === '\t') text += '\\t';
    else text += ch;
    if (escaped) escaped = false;
    else if (ch === '\\' && inString) escaped = true;
    else if (ch === '"') inString = !inString;
  }
  return JSON.parse(text).entries;
}

/**
 * The generator's outputs from a run the user made themselves (this project never builds
 * Clysm): its stage1-report.json and, optionally, its dist/defun-errors.json.
 */
function loadGeneratorOutputs(reportFile, defunErrorsFile) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const defuns = defunErrorsFile && existsSync(defunErrorsFile) ? defunErrors(defunErrorsFile) : undefined;
  return { summary: report?.summary, defunErrors: defuns };
}

/** Gensym counters differ between runs, so compare messages with digits blanked. */
const normalise = (message) => (message ?? '').replace(/\d+/g, 'N').trim();

function compareDefunErrors(forms, results, entries) {
  const ours = new Map();
  forms.forEach((form, i) => {
    const r = results[i];
    if (form.operator === 'DEFUN' && r.status === 'failed' && r.errorType !== 'wasm-validation-error') {
      // Clysm logs (defun (setf x) ...) under the name UNKNOWN.
      const key = `${form.module}|${form.name === 'SETF' ? 'UNKNOWN' : form.name}`;
      ours.set(key, [...(ours.get(key) ?? []), normalise(r.message)]);
    }
  });
  let same = 0;
  const different = [];
  const missing = [];
  for (const entry of entries) {
    const key = `${entry.module_path}|${entry.function_name}`;
    const mine = ours.get(key);
    if (!mine || mine.length === 0) {
      missing.push(key);
      continue;
    }
    const index = mine.indexOf(normalise(entry.error_message));
    if (index >= 0) {
      same++;
      mine.splice(index, 1);
    } else {
      const backend = mine.shift() ?? '';
      const theirs = normalise(entry.error_message);
      let at = 0;
      while (at < theirs.length && theirs[at] === backend[at]) at++;
      different.push({ key, firstDifferenceAt: at, generator: theirs.slice(Math.max(0, at - 60), at + 100), backend: backend.slice(Math.max(0, at - 60), at + 100) });
    }
  }
  const extra = [...ours].filter(([, list]) => list.length > 0).map(([key]) => key);
  // Our messages are bounded (*print-length* 20, *print-level* 6, 4000 characters); Clysm's are not.
  const bounded = different.filter((d) => {
    const at = Math.min(60, d.firstDifferenceAt);
    const elided = /^(#[^S(]| \.\.\.|…)/;
    return elided.test(d.backend.slice(at - 1)) || elided.test(d.backend.slice(at));
  });
  return {
    generatorEntries: entries.length,
    same,
    different: different.length,
    differentOnlyWhereOursIsBounded: bounded.length,
    missingInBackend: missing.length,
    extraInBackend: extra.length,
    missing,
    extra,
    examples: different,
  };
}

const report = { checkout: root, modules: modules.length, splitter };
console.log(`Clysm checkout ${root}: list B has ${modules.length} modules; forms split by ${splitter === 'reader' ? "the editor's reader" : "SBCL's reader (driver)"}`);

const coreDir = flag('with-core') ? mkdtempSync(join(tmpdir(), 'clysm-core-')) : undefined;
const run = await runBackend(coreDir);
const backendCounts = counts(run.cold);
report.backend = { status: run.status.message, identity: run.backend.identity(), counts: backendCounts, warmCounts: counts(run.warm), timings: run.timings };
console.log(`\nSbclBackend: ${run.status.message}`);
console.log(`  counts (cold): ${JSON.stringify(backendCounts)}`);
console.log(`  timings (ms): ${JSON.stringify(run.timings)}`);
const sameWarm = run.cold.every((r, i) => r.status === run.warm[i].status);
console.log(`  warm pass gives the same status for every form: ${sameWarm}`);

if (splitter === 'driver') {
  // How the editor's splitter agrees with SBCL's reader on ids and packages.
  let agree = 0;
  let total = 0;
  for (const [m, module] of modules.entries()) {
    const mine = readTopLevelForms(readFileSync(join(root, module), 'utf8'));
    const theirs = run.forms.filter((f) => f.id.startsWith(`${m + 1}:`));
    total += theirs.length;
    theirs.forEach((form, i) => {
      if (mine[i] && mine[i].package === form.package.replace(/^COMMON-LISP-USER$/, 'CL-USER')) agree++;
    });
  }
  report.splitterAgreement = { agree, total };
  console.log(`  editor splitter agrees with SBCL's reader on form and package for ${agree}/${total} forms`);
}

if (coreDir) {
  console.log(`  core: ${await run.coreDone}`);
  await run.backend.dispose();
  const again = await runBackend(coreDir);
  report.fromCore = { status: again.status.message, timings: again.timings, counts: counts(again.cold) };
  console.log(`\nFrom a saved core: ${again.status.message}`);
  console.log(`  timings (ms): ${JSON.stringify(again.timings)}`);
  await again.backend.dispose();
  rmSync(coreDir, { recursive: true, force: true });
} else {
  await run.backend.dispose();
}

const generatorReport = option('generator-report', undefined);
if (generatorReport) {
  console.log(`\nClysm's generator outputs: ${generatorReport}`);
  const generator = loadGeneratorOutputs(generatorReport, option('generator-defun-errors', undefined));
  report.generator = { summary: generator.summary };
  if (generator.summary) {
    const { total_forms, compiled, failed, skipped } = generator.summary;
    console.log(`  report summary: total ${total_forms}, compiled ${compiled}, failed ${failed}, skipped ${skipped}`);
    const ours = backendCounts;
    const oursSkipped = ours.skipped + ours['read-error'];
    console.log('\n                 generator   backend');
    console.log(`  total          ${String(total_forms).padStart(9)} ${String(ours.total).padStart(9)}`);
    console.log(`  compiled       ${String(compiled).padStart(9)} ${String(ours.compiled).padStart(9)}`);
    console.log(`  failed         ${String(failed).padStart(9)} ${String(ours.failed + ours.timeout + ours.crashed).padStart(9)}`);
    console.log(`  skipped        ${String(skipped).padStart(9)} ${String(oursSkipped).padStart(9)}`);
    report.agree = total_forms === ours.total && compiled === ours.compiled && failed === ours.failed + ours.timeout + ours.crashed && skipped === oursSkipped;
    console.log(`  counts agree: ${report.agree}`);
  } else {
    console.log('  the report has no summary');
  }
  if (generator.defunErrors) {
    report.defunErrors = compareDefunErrors(run.forms, run.cold, generator.defunErrors);
    const { examples, missing, extra, ...numbers } = report.defunErrors;
    console.log(`  DEFUN error messages (dist/defun-errors.json vs backend, digits ignored): ${JSON.stringify(numbers)}`);
    for (const example of examples.slice(0, 3)) console.log(`    ${example.key} differs at character ${example.firstDifferenceAt}`);
    if (missing.length > 0) console.log(`    only in the generator's log: ${missing.join(', ')}`);
    if (extra.length > 0) console.log(`    only in the backend: ${extra.join(', ')}`);
  }
}

const jsonFile = option('json', undefined);
if (jsonFile) writeFileSync(jsonFile, JSON.stringify(report, null, 2));
