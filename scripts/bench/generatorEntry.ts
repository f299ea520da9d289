// `node dist/bench-generator.js [CHECKOUT] [--runs N]`: clysm-check against Clysm's generator
// alone. An entry of its own for the same reason as loopEntry.ts.
import { benchGeneratorRace } from './generatorRace';

const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 5;
const checkout = argv.find((arg, i) => !arg.startsWith('--') && i !== runsAt + 1) ?? process.env.CLYSM_CHECKOUT;
if (!checkout || !Number.isInteger(runs) || runs <= 0) {
  console.error('usage: node dist/bench-generator.js CHECKOUT [--runs N]   (or set CLYSM_CHECKOUT)');
  process.exitCode = 2;
} else {
  void benchGeneratorRace(checkout, runs).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
