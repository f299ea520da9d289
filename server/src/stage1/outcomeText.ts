// Text and JSON renderings of a generation or fixed-point outcome, for the CLI and the
// output channel. Pure.
import { diffOutcomeJson } from '../wasm/diffFiles';
import type { Json } from '../wasm/diffText';
import type { FixedPointOutcome } from './fixedPoint';
import type { Stage1Outcome } from './generateStage1';
import { validationText } from '../wasm/validate';

function indent(text: string, prefix = '  '): string {
  return text.trimEnd().split('\n').map((l) => `${prefix}${l}`).join('\n');
}

export function stage1OutcomeText(o: Stage1Outcome, backendReason?: string): string {
  const out: string[] = [`Stage 1 (${o.backend} backend${backendReason ? `; ${backendReason}` : ''}): ${o.status}`, `  ${o.message}`];
  if (o.generator) out.push(`  generator: ${o.generator}`);
  if (o.formValidator) out.push(`  forms validated inside the generator by: ${o.formValidator}`);
  const c = o.counts;
  if (c) {
    const np = c.notProcessed > 0 ? `, ${c.notProcessed} not processed (counted as failed)` : '';
    const re = c.readErrors > 0 ? `; ${c.readErrors} read error${c.readErrors === 1 ? '' : 's'} (not forms)` : '';
    out.push(`  forms: ${c.total} total, ${c.compiled} compiled, ${c.failed} failed, ${c.skipped} skipped${np}; coverage ${c.coveragePct.toFixed(2)}% (compiled / (total − skipped))${re}`);
  }
  if (o.blockers && o.blockers.length > 0) {
    out.push(`  top blockers (category: forms, % of compilable forms): ${o.blockers.map((b) => `${b.category} ${b.count} (${b.impactPct.toFixed(2)}%)`).join(', ')}`);
  }
  if (o.clysmCounts) {
    const k = o.clysmCounts;
    const same = c && k.total_forms === c.total && k.compiled === c.compiled && k.failed === c.failed && k.skipped === c.skipped;
    out.push(`  Clysm's own report: ${k.total_forms} total, ${k.compiled} compiled, ${k.failed} failed, ${k.skipped} skipped${same ? ' (same)' : ' (differs: see clysm-facts §1.4 on inflated counts)'}`);
  }
  if (o.stage1) {
    out.push(`  output: ${o.stage1.path} (${o.stage1.size} bytes, sha256 ${o.stage1.sha256}), produced by this run`);
    if (o.stage1.previous) out.push(`  previous Stage 1 kept as ${o.stage1.previous}`);
  }
  if (o.stale) out.push(`  NOT from this run: ${o.stale.path} (${o.stale.size} bytes, modified ${o.stale.modified}) is an earlier Stage 1`);
  if (o.reportPath) out.push(`  report: ${o.reportPath}`);
  if (o.validation) out.push('  validation:', indent(validationText(o.validation), '    '));
  if (o.diff) out.push(indent(o.diff.summaryText));
  else if (o.diffProblem) out.push(`  no diff with Stage 0: ${o.diffProblem}`);
  for (const w of o.warnings) out.push(`  warning: ${w}`);
  out.push(`  took ${o.durationMs} ms`);
  return `${out.join('\n')}\n`;
}

/** The `--json` shape: the outcome, with the diff in the CLI's diff JSON form. */
export function stage1OutcomeJson(o: Stage1Outcome): Json {
  const { diff, ...rest } = o;
  return { ...(JSON.parse(JSON.stringify(rest)) as { [key: string]: Json }), diff: diff ? diffOutcomeJson(diff) : null };
}

export function fixedPointText(o: FixedPointOutcome): string {
  const out: string[] = [`Fixed point: ${o.status}`, `  ${o.message}`];
  if (o.stage1) out.push(`  Stage 1: ${o.stage1.path} (${o.stage1.size} bytes, sha256 ${o.stage1.sha256})`);
  if (o.probe) out.push(`  Stage 1 exports: ${o.probe.exports.join(', ') || 'nothing'}; imports: ${o.probe.imports.join(', ') || 'nothing'}`);
  if (o.stage2Forms) out.push(`  Stage 1's compile_all reported ${o.stage2Forms.reported} forms: ${o.stage2Forms.compiled} compiled, ${o.stage2Forms.failed} failed, ${o.stage2Forms.skipped} skipped`);
  if (o.stage2) out.push(`  Stage 2: ${o.stage2.path} (${o.stage2.size} bytes, sha256 ${o.stage2.sha256}), produced by this run`, indent(validationText(o.stage2.validation), '    '));
  if (o.comparison && !o.comparison.identical) {
    const regions = o.comparison.regions.slice(0, 10).map((r) => `${r.start}+${r.length}`).join(', ');
    out.push(`  differing regions (offset+length, 0-based): ${regions}${o.comparison.regionCount > 10 ? `, … (${o.comparison.regionCount} in all)` : ''}`);
  }
  out.push(`  took ${o.durationMs} ms`);
  return `${out.join('\n')}\n`;
}
