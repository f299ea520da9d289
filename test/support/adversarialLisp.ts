// Large adversarial inputs for the reader: each is about 150 KB and built to defeat a reader
// that rescans (every form unbalanced, a string or comment opened at the start, …). The fuzz
// test checks the reader's promises on them; `npm run bench` times them (speed is never
// asserted in tests).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The adversarial inputs, keyed by what makes each one hard, built from test/fixtures/reader/nasty.lisp. */
export function adversarialLispInputs(repoRoot: string): Record<string, string> {
  const unit = fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'reader', 'nasty.lisp'), 'utf8');
  const big = unit.repeat(100);
  return {
    'every form missing its last paren': big.replace(/\)\n\n/g, '\n\n'),
    'leading quote flips every string': '"' + big,
    'leading block comment opener': '#|' + big,
    'leading |': '|' + big,
    'column-0 parens only': '(\n'.repeat(50_000),
    'quotes only': '"\n('.repeat(50_000),
    'alternating prefixes': "'`,#'".repeat(30_000),
  };
}
