// Benchmark for the Wasm section reader and the structural diff (design target: a 6 MB
// module read in under 50 ms). Builds two synthetic Clysm-like GC modules with the test
// builder; the second one differs (one function inserted at the front, 500 appended,
// every body one byte longer, 50 more exports), so the diff has real work to do.
import { diffModules } from '../../server/src/wasm/wasmDiff';
import { readModule } from '../../server/src/wasm/wasmReader';
import { buildSyntheticGcModule } from '../../test/support/wasm';

const RUNS = 20;

function median(samples: number[]): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median time in ms over RUNS runs, after a short warm-up. */
function timeMedian(work: () => unknown): number {
  for (let i = 0; i < 3; i++) work();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    work();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

export function benchWasmReader(): string {
  const a = buildSyntheticGcModule({ functions: 50_000, exports: 5_000, rounds: 4 });
  const b = buildSyntheticGcModule({ functions: 50_500, exports: 5_050, rounds: 4, padding: 1, leading: 1 });
  const infoA = readModule(a.bytes);
  const infoB = readModule(b.bytes);
  const readMs = timeMedian(() => readModule(a.bytes));
  const diffMs = timeMedian(() => diffModules(infoA, infoB));
  const bothMs = timeMedian(() => diffModules(readModule(a.bytes), readModule(b.bytes)));
  const mb = (a.bytes.length / 1e6).toFixed(2);
  const verdict = readMs < 50 ? 'ok' : 'OVER TARGET';
  return (
    `wasm    readModule ${mb} MB (${infoA.functions.length} functions, ${infoA.exports.length} exports, ${infoA.types.length} types): ` +
    `median ${readMs.toFixed(2)} ms · diffModules median ${diffMs.toFixed(2)} ms · read both + diff median ${bothMs.toFixed(2)} ms ` +
    `(n=${RUNS})   target < 50 ms: ${verdict}`
  );
}
