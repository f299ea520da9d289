#!/usr/bin/env node
// Rewrites test/fixtures/grammar/*.lisp.tokens.txt from the current grammar:
// compiles test/unit/grammar.test.ts and runs it with UPDATE_BASELINES=1.
// Review the resulting diff before committing it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The pinned Node from devDependencies when present (a .cmd shim on Windows,
// which spawnSync cannot run directly), else whatever runs this script.
const pinnedNode = path.join(root, 'node_modules', '.bin', 'node');
const node = process.platform !== 'win32' && existsSync(pinnedNode) ? pinnedNode : process.execPath;
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function run(command, args, env = process.env) {
  return spawnSync(command, args, { cwd: root, stdio: 'inherit', env }).status === 0;
}

// Compile only the grammar test, so half-finished files elsewhere in the
// project cannot block a baseline update.
const compiled = run(node, [
  tsc,
  '--outDir', 'out', '--rootDir', '.', '--module', 'nodenext', '--moduleResolution', 'nodenext',
  '--target', 'ES2022', '--strict', '--esModuleInterop', '--skipLibCheck', '--types', 'node',
  '--sourceMap', 'test/unit/grammar.test.ts',
]);
if (!compiled) process.exit(1);

const ok = run(node, ['--test', 'out/test/unit/grammar.test.js'], { ...process.env, UPDATE_BASELINES: '1' });
process.exit(ok ? 0 : 1);
