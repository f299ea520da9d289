// `node dist/bench-loop.js [CHECKOUT]`: the self-hosting loop bench alone. An entry of its own,
// because in the bundled dist/bench.js every module is `require.main`: a check there would run
// this bench a second time, at once, alongside the others.
import * as path from 'node:path';
import { benchSelfhostLoop } from './selfhostLoop';

const checkout = process.argv[2] ?? process.env.CLYSM_CHECKOUT;
if (!checkout) {
  console.error('usage: node dist/bench-loop.js CHECKOUT (or set CLYSM_CHECKOUT)');
  process.exitCode = 2;
} else {
  void benchSelfhostLoop(path.resolve(checkout)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
