// "Verify Fixed Point": Stage 1 compiles the same sources into Stage 2, and the two binaries
// are compared byte for byte. Only a Stage 1 that can compile gets that far: it must export
// compile_all, import nothing beyond the Stage 0 host ABI, and its compile_all must write a
// module. Otherwise the answer is `cannot-compile`, with the reason, and no comparison is made
// up. Today's Clysm Stage 1 has stub exports, so that is what it gets.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stage0CompileOptions, webAssembly } from '../wasm/webAssembly';
import { writeFileAtomic } from '../util/atomicWrite';
import { diffWasmBytes, type WasmDiffOutcome } from '../wasm/diffFiles';
import { createGeneratorForBinary } from '../backends/createBackend';
import { GenerationCancelled, type GenerationProgress } from '../backends/generation';
import { describeExisting, OutputRefused, planOrRefusal, planOutputs, sha256, type OutputRequest } from './outputFiles';
import { makePrivateFolder } from '../util/privateTempFolder';
import { validateWasm, type ValidationResult } from '../wasm/validate';
import { compareBytes, type ByteComparison } from '../wasm/wasmDiff';

/** The imports a compiler binary may declare: the Stage 0 host ABI (docs/stage0-abi.md §3). */
export const HOST_ABI_IMPORTS = new Set([
  'clysm.fs/read-source',
  'clysm.fs/list-modules',
  'clysm.compile/report-start',
  'clysm.compile/report-form-result',
  'clysm.compile/report-module-complete',
  'clysm.output/write-bytes',
]);

/** Where Stage 1 is and Stage 2 goes (OutputRequest), and how to run Stage 1. */
export interface FixedPointOptions extends OutputRequest {
  timeoutMs?: number;
  wasmTools?: string | null;
  workerScript?: string;
  tempRoot?: string;
  now?: () => Date;
}

export interface Stage1Probe {
  exports: string[];
  /** Host imports (engine builtins are not listed). */
  imports: string[];
  hasCompileAll: boolean;
  hasCompileForm: boolean;
  /** Imports outside the host ABI. */
  unknownImports: string[];
}

export interface FixedPointOutcome {
  status: 'achieved' | 'not-achieved' | 'cannot-compile' | 'missing-stage1' | 'stage1-invalid' | 'failed' | 'cancelled';
  message: string;
  startedAt: string;
  durationMs: number;
  stage1?: { path: string; size: number; sha256: string; validation?: ValidationResult };
  probe?: Stage1Probe;
  stage2?: { path: string; size: number; sha256: string; validation: ValidationResult; fresh: true };
  /** Stage 1 → Stage 2, byte for byte (offsets 0-based). */
  comparison?: ByteComparison;
  structural?: WasmDiffOutcome;
  /** Forms Stage 1's compile_all reported, by status. */
  stage2Forms?: { reported: number; compiled: number; failed: number; skipped: number };
}

export function probeCompiler(bytes: Uint8Array): Stage1Probe {
  const wasm = webAssembly();
  const module = new wasm.Module(bytes, stage0CompileOptions);
  // Not named `exports`: in CommonJS output that would shadow the module's own exports.
  const exported = wasm.Module.exports(module);
  const imports = wasm.Module.imports(module).map((i) => `${i.module}/${i.name}`);
  return {
    exports: exported.map((e) => e.name),
    imports,
    hasCompileAll: exported.some((e) => e.name === 'compile_all' && e.kind === 'function'),
    hasCompileForm: exported.some((e) => e.name === 'compile_form' && e.kind === 'function'),
    unknownImports: imports.filter((i) => !HOST_ABI_IMPORTS.has(i)),
  };
}

/** Why a probed Stage 1 cannot compile Stage 2, or undefined when it may. */
export function cannotCompileReason(probe: Stage1Probe): string | undefined {
  if (!probe.hasCompileAll) {
    const also = probe.hasCompileForm ? ' (it has compile_form, but a whole-program Stage 2 needs compile_all)' : '';
    return `Stage 1 does not export compile_all${also}; it exports: ${probe.exports.join(', ') || 'nothing'}`;
  }
  if (probe.unknownImports.length > 0) return `Stage 1 imports ${probe.unknownImports.join(', ')}, which the Stage 0 host ABI does not provide, so it cannot be run here`;
  return undefined;
}

export async function verifyFixedPoint(options: FixedPointOptions, onProgress: (p: GenerationProgress) => void = () => undefined, signal?: AbortSignal): Promise<FixedPointOutcome> {
  const started = (options.now ?? (() => new Date()))();
  const t0 = performance.now();
  const done = (o: Omit<FixedPointOutcome, 'startedAt' | 'durationMs'>): FixedPointOutcome => ({ ...o, startedAt: started.toISOString(), durationMs: Math.round(performance.now() - t0) });
  const root = path.resolve(options.workspaceRoot);
  const stage0Abs = path.resolve(root, options.stage0Path);
  const planned = planOrRefusal(options);
  if (planned instanceof OutputRefused) return done({ status: 'failed', message: `Fixed-point output refused: ${planned.message}; nothing was written` });
  let paths = planned;
  const existing = describeExisting(paths.stage1);
  if (!existing) return done({ status: 'missing-stage1', message: `There is no Stage 1 at ${paths.stage1}: run "Generate Stage 1" first` });
  const stage1Bytes = fs.readFileSync(paths.stage1);
  const validation = await validateWasm(stage1Bytes, options.wasmTools);
  const stage1 = { path: paths.stage1, size: existing.size, sha256: existing.sha256, validation };
  if (!validation.valid) return done({ status: 'stage1-invalid', message: `Stage 1 (${paths.stage1}) is not a valid module, so it cannot compile anything`, stage1 });
  let probe: Stage1Probe;
  try {
    probe = probeCompiler(stage1Bytes);
  } catch (error) {
    return done({ status: 'stage1-invalid', message: `Stage 1 cannot be compiled by V8 with the js-string builtins: ${(error as Error).message}`, stage1 });
  }
  const reason = cannotCompileReason(probe);
  if (reason) {
    return done({ status: 'cannot-compile', message: `Stage 1 cannot compile: ${reason}. There is no Stage 2, so there is no fixed-point result.`, stage1, probe });
  }
  const staging = makePrivateFolder(options.tempRoot ?? os.tmpdir(), 'stage2');
  try {
    let result;
    const stage1Generator = createGeneratorForBinary({
      workspaceRoot: root,
      compilerPath: paths.stage1,
      label: 'Stage 1',
      modules: options.modules,
      protectedFiles: [stage0Abs],
      workerScript: options.workerScript,
    });
    try {
      result = await stage1Generator.generateStage1({ stagingDir: staging, timeoutMs: options.timeoutMs ?? 10 * 60_000 }, onProgress, signal);
    } catch (error) {
      if (error instanceof GenerationCancelled) return done({ status: 'cancelled', message: 'Fixed-point verification was cancelled; nothing was written', stage1, probe });
      const message = (error as Error).message;
      // A trap or a load failure of Stage 1 means it cannot compile; a timeout is just a failure.
      const status = /did not finish within/.test(message) ? 'failed' : 'cannot-compile';
      return done({ status, message: `Stage 1 cannot compile: ${message}. There is no Stage 2, so there is no fixed-point result.`, stage1, probe });
    } finally {
      await stage1Generator.dispose();
    }
    const stage2Forms = {
      reported: result.forms.length,
      compiled: result.forms.filter((f) => f.status === 'compiled').length,
      failed: result.forms.filter((f) => f.status === 'failed').length,
      skipped: result.forms.filter((f) => f.status === 'skipped').length,
    };
    if (!result.output) {
      return done({
        status: 'cannot-compile',
        message: `Stage 1's compile_all ran (${stage2Forms.reported} forms reported) but wrote no module, so there is no Stage 2 and no fixed-point result.`,
        stage1,
        probe,
        stage2Forms,
      });
    }
    const stage2Bytes = fs.readFileSync(result.output.file);
    if (sha256(stage2Bytes) !== result.output.sha256) throw new Error('the staged Stage 2 changed after it was written');
    const stage2Validation = await validateWasm(stage2Bytes, options.wasmTools);
    if (signal?.aborted) return done({ status: 'cancelled', message: 'Fixed-point verification was cancelled; nothing was written', stage1, probe });
    // Checked again before writing: a symbolic link may have appeared during the run.
    paths = planOutputs(options);
    writeFileAtomic(paths.stage2, stage2Bytes);
    const comparison = compareBytes(stage1Bytes, stage2Bytes);
    let structural: WasmDiffOutcome | undefined;
    try {
      structural = diffWasmBytes(stage1Bytes, stage2Bytes, { a: 'Stage 1', b: 'Stage 2' }, { a: paths.stage1, b: paths.stage2 });
    } catch {
      structural = undefined; // an unreadable Stage 2 still has a byte comparison
    }
    const stage2 = { path: paths.stage2, size: stage2Bytes.length, sha256: sha256(stage2Bytes), validation: stage2Validation, fresh: true as const };
    if (comparison.identical) {
      return done({ status: 'achieved', message: `FIXED POINT ACHIEVED: Stage 1 and Stage 2 are byte-identical (${stage2Bytes.length} bytes)`, stage1, probe, stage2, comparison, structural, stage2Forms });
    }
    const size = comparison.sizeDelta === 0 ? 'same size' : `size ${comparison.sizeDelta > 0 ? '+' : ''}${comparison.sizeDelta} bytes`;
    return done({
      status: 'not-achieved',
      message: `Fixed point NOT achieved: first difference at byte offset ${comparison.firstDiffOffset} (0-based), ${comparison.diffBytes} differing bytes in ${comparison.regionCount} region(s), ${size}`,
      stage1,
      probe,
      stage2,
      comparison,
      structural,
      stage2Forms,
    });
  } catch (error) {
    return done({ status: 'failed', message: `Fixed-point verification failed: ${(error as Error).message}`, stage1, probe });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
