// Bundles the extension client, the language server, the Stage 0 worker and the CLI,
// then builds the fixture Stage 0 binaries from this project's own source.
//   node esbuild.mjs               development build (source maps)
//   node esbuild.mjs --production  minified, no source maps (what the .vsix ships)
//   node esbuild.mjs --watch       rebuild on change
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Prints build start/end lines that VS Code's esbuild problem matcher understands. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => { if (watch) console.log('[watch] build started'); });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (watch) console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  sourcesContent: false,
  minify: production,
  logLevel: 'warning',
  plugins: [problemMatcher],
};

const targets = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['server/src/backends/stage0/worker.ts'], outfile: 'dist/stage0-worker.js' },
  { entryPoints: ['bin/src/clysm-check.ts'], outfile: 'dist/cli.js' },
  { entryPoints: ['test/fixtures/stage0/build-fixtures.ts'], outfile: 'dist/build-fixtures.js' },
  { entryPoints: ['scripts/bench/bench.ts'], outfile: 'dist/bench.js' },
  { entryPoints: ['scripts/bench/sbclCheckout.ts'], outfile: 'dist/bench-sbcl.js' },
  { entryPoints: ['scripts/bench/loopEntry.ts'], outfile: 'dist/bench-loop.js' },
  { entryPoints: ['scripts/bench/generatorEntry.ts'], outfile: 'dist/bench-generator.js' },
  // wasm-tools' printer (docs/wasm-printer.md): an ES module that loads its core Wasm files from
  // its own folder, so it stays ESM and is loaded lazily by server/src/wasm/text/wasmToolsLoader.ts.
  { entryPoints: ['node_modules/@bytecodealliance/jco-transpile/vendor/wasm-tools.js'], outfile: 'dist/wasm-tools/wasm-tools.mjs', format: 'esm', sourcemap: false },
];

/** The printer's core Wasm files and the shim's I/O worker, next to its bundle. */
function copyPrinterWasm() {
  const vendor = 'node_modules/@bytecodealliance/jco-transpile/vendor';
  fs.mkdirSync('dist/wasm-tools', { recursive: true });
  for (const file of fs.readdirSync(vendor).filter((f) => /^wasm-tools\.core\d*\.wasm$/.test(f))) fs.copyFileSync(`${vendor}/${file}`, `dist/wasm-tools/${file}`);
  // The WASI shim's I/O worker, which the shim starts from its own folder when a stream is disposed.
  fs.copyFileSync('node_modules/@bytecodealliance/preview2-shim/dist/io/worker-thread.bundle.js', 'dist/wasm-tools/worker-thread.bundle.js');
  fs.writeFileSync('dist/wasm-tools/package.json', '{ "type": "module" }\n'); // that worker is an ES module named .js
}

/** The fixture Stage 0 binaries are real WasmGC modules generated from test/fixtures/stage0/. */
function buildFixtures() {
  // The SBCL driver ships next to the server bundle, with json.lisp, which it loads from its own folder.
  fs.mkdirSync('dist/lisp', { recursive: true });
  for (const file of ['driver.lisp', 'json.lisp']) fs.copyFileSync(`server/lisp/${file}`, `dist/lisp/${file}`);
  execFileSync(process.execPath, ['dist/build-fixtures.js'], { stdio: 'inherit' });
}

if (watch) {
  const contexts = await Promise.all(targets.map((t) => esbuild.context({ ...common, ...t })));
  copyPrinterWasm();
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(targets.map((t) => esbuild.build({ ...common, ...t })));
  copyPrinterWasm();
  buildFixtures();
}
