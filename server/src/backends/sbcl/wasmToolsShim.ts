// Clysm's generator validates every compiled form by running `wasm-tools validate` (and the
// final Stage 1 too); without wasm-tools on the PATH it would count every form as failed and
// then fail. When wasm-tools is missing, the SBCL process gets a stand-in `wasm-tools` first
// on its PATH that implements only `validate FILE`, with V8's `new WebAssembly.Module`
// (the same verdicts on Clysm's output: clysm-facts / sbcl-backend.md §2). Documented in
// docs/stage1.md; the report says which validator Clysm's generator used.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The stand-in's JavaScript: exit 0 valid, 1 invalid (message on stderr), 2 usage. */
export const validatorScript = `'use strict';
const fs = require('fs');
const args = process.argv.slice(2);
if (args[0] !== 'validate' || args.length < 2) {
  process.stderr.write('error: this wasm-tools stand-in (clysm-vscode) implements only "validate FILE"\\n');
  process.exit(2);
}
let bytes;
try { bytes = fs.readFileSync(args[args.length - 1]); } catch (e) { process.stderr.write('error: ' + e.message + '\\n'); process.exit(2); }
try { new WebAssembly.Module(bytes); process.exit(0); } catch (e) { process.stderr.write('error: ' + e.message + '\\n'); process.exit(1); }
`;

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Writes `<dir>/wasm-tools` (a POSIX shell script) and its script; returns the folder to put
 * first on the PATH. `node` is this process's own executable (Electron runs it as Node).
 */
export function writeWasmToolsShim(dir: string, node: string = process.execPath): string {
  fs.mkdirSync(dir, { recursive: true });
  const script = path.join(dir, 'clysm-wasm-validate.js');
  fs.writeFileSync(script, validatorScript);
  const launcher = path.join(dir, 'wasm-tools');
  fs.writeFileSync(launcher, `#!/bin/sh\nELECTRON_RUN_AS_NODE=1 exec ${shellQuote(node)} ${shellQuote(script)} "$@"\n`, { mode: 0o755 });
  return dir;
}
