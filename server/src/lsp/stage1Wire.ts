// The Stage 1 outcomes as the protocol declares them (protocol/stage1.ts): the server edge maps
// the generator's, the fixed-point check's and the diff's own types onto the wire types here, so
// the protocol depends on no implementation and a change on either side fails to compile here.
import type * as wire from '../protocol';
import type { WasmDiffOutcome } from '../wasm/diffFiles';
import type { FixedPointOutcome } from '../stage1/fixedPoint';
import type { Stage1Outcome } from '../stage1/generateStage1';

export function wasmDiffToWire(o: WasmDiffOutcome): wire.WasmDiffOutcome {
  return { labels: o.labels, paths: o.paths, diff: o.diff, bytes: o.bytes, summaryText: o.summaryText, textA: o.textA, textB: o.textB };
}

export function stage1OutcomeToWire(o: Stage1Outcome): wire.Stage1Outcome {
  return {
    status: o.status,
    message: o.message,
    backend: o.backend,
    generator: o.generator,
    startedAt: o.startedAt,
    durationMs: o.durationMs,
    counts: o.counts,
    modules: o.modules,
    blockers: o.blockers,
    topBlockers: o.topBlockers,
    stage1: o.stage1,
    stale: o.stale,
    reportPath: o.reportPath,
    validation: o.validation,
    diff: o.diff && wasmDiffToWire(o.diff),
    diffProblem: o.diffProblem,
    clysmCounts: o.clysmCounts,
    formValidator: o.formValidator,
    warnings: o.warnings,
  };
}

export function fixedPointToWire(o: FixedPointOutcome): wire.FixedPointOutcome {
  return {
    status: o.status,
    message: o.message,
    startedAt: o.startedAt,
    durationMs: o.durationMs,
    stage1: o.stage1,
    probe: o.probe,
    stage2: o.stage2,
    comparison: o.comparison,
    structural: o.structural && wasmDiffToWire(o.structural),
    stage2Forms: o.stage2Forms,
  };
}
