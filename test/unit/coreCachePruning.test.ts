// Pruning of the saved-cores folder: each saved core removes the cores and manifests of
// workspace folders that no longer exist, manifests whose core is missing, unfinished partial
// files an hour old whose process is gone, and old cores no manifest names; never a fresh
// partial, one of a live process, a manifest it cannot place, or a file not named as the folder
// names its own. The "builder" is a Node one-liner that writes the partial core, so a real
// save (rename, manifest, prune) runs without SBCL.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CoreCache } from '../../server/src/backends/sbcl/coreCache';
import { formatBytes } from '../../server/src/util/formatBytes';
import { coreFileName, manifestFileName, partialFileName, STALE_AFTER_MS } from '../../server/src/backends/sbcl/coreFolder';

const KEY = 'abcdef0123456789'.repeat(4);

/** The pid of a process that has exited. */
function deadPid(): number {
  const run = spawnSync(process.execPath, ['-e', '']);
  assert.ok(run.pid);
  return run.pid;
}

function makeOld(file: string): void {
  const then = (Date.now() - STALE_AFTER_MS - 60_000) / 1000;
  fs.utimesSync(file, then, then);
}

describe('CoreCache prunes its folder when it saves a core', () => {
  let base: string;
  let dir: string;
  let workspace: string;
  let source: string;
  let lines: string[];

  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-core-prune-'));
    dir = path.join(base, 'cores');
    workspace = path.join(base, 'workspace');
    fs.mkdirSync(dir);
    fs.mkdirSync(workspace);
    source = path.join(workspace, 'a.lisp');
    fs.writeFileSync(source, '(defun a () 1)\n');
    lines = [];
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  /** A manifest as a CoreCache saves it for `root` (with `root` unless `legacy`), and its core of `coreBytes` bytes unless undefined. */
  function savedFor(root: string, options: { legacy?: boolean; coreBytes?: number; core?: string } = {}): { manifest: string; core: string } {
    const core = options.core ?? path.join(dir, coreFileName(root, KEY));
    const manifest = path.join(dir, manifestFileName(root));
    fs.writeFileSync(manifest, JSON.stringify({ key: KEY, core, files: [], sbcl: 'sbcl', ...(options.legacy ? {} : { root }) }));
    if (options.coreBytes !== undefined) fs.writeFileSync(core, Buffer.alloc(options.coreBytes));
    return { manifest, core };
  }

  /** A workspace folder that existed and was deleted. */
  function deletedFolder(name: string): string {
    const folder = path.join(base, name);
    fs.mkdirSync(folder);
    fs.rmSync(folder, { recursive: true });
    return folder;
  }

  /** Saves a core for `workspace` through ensure(), the builder being a Node one-liner that writes the partial. */
  async function saveCore(): Promise<string> {
    const cache = new CoreCache(dir, (line) => lines.push(line));
    cache.ensure({ workspaceRoot: workspace, files: [source], sbcl: process.execPath }, (partial) => ({
      command: process.execPath,
      args: ['-e', "require('node:fs').writeFileSync(process.argv[1], 'core')", partial],
      cwd: workspace,
    }));
    const outcome = await cache.lastBuild();
    assert.ok(outcome?.saved, JSON.stringify({ outcome, lines }));
    return outcome.core;
  }

  const listing = (): string[] => fs.readdirSync(dir).sort();
  const pruneLines = (): string[] => lines.filter((l) => l.includes('saved-core file'));

  it('records the workspace root in the manifest, and logs nothing more when nothing is stale', async () => {
    const other = savedFor(path.join(base, 'workspace'), { coreBytes: 10 }); // the same root: replaced by the new save
    fs.mkdirSync(path.join(base, 'live'));
    const live = savedFor(path.join(base, 'live'), { coreBytes: 10 });
    const core = await saveCore();
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, manifestFileName(workspace)), 'utf8')) as { root?: string; core: string };
    assert.equal(manifest.root, workspace);
    assert.equal(manifest.core, core);
    assert.equal(fs.existsSync(other.core), core === other.core, 'the previous core of this workspace is replaced');
    assert.deepEqual(listing(), [path.basename(core), path.basename(live.core), path.basename(live.manifest), manifestFileName(workspace)].sort());
    assert.deepEqual(pruneLines(), []);
  });

  it('removes the manifest and core of a deleted workspace, and says how much it freed', async () => {
    const gone = savedFor(deletedFolder('deleted'), { coreBytes: 3000 });
    const moved = savedFor(deletedFolder('moved-away'), { coreBytes: 2000 });
    const freed = 3000 + 2000 + fs.statSync(gone.manifest).size + fs.statSync(moved.manifest).size;
    const core = await saveCore();
    assert.deepEqual(listing(), [path.basename(core), manifestFileName(workspace)].sort());
    assert.deepEqual(pruneLines(), [`[sbcl] removed 4 saved-core files from ${dir} (4 of workspaces that no longer exist): ${formatBytes(freed)} freed`]);
  });

  it('keeps a manifest without a root (saved by an older version) while its core exists, and removes it once the core is missing', async () => {
    fs.mkdirSync(path.join(base, 'unknown'));
    const kept = savedFor(deletedFolder('legacy-with-core'), { legacy: true, coreBytes: 10 });
    const dangling = savedFor(path.join(base, 'unknown'), { legacy: true });
    const core = await saveCore();
    assert.ok(fs.existsSync(kept.manifest) && fs.existsSync(kept.core), 'a root it cannot know is not guessed');
    assert.equal(fs.existsSync(dangling.manifest), false);
    assert.match(pruneLines()[0] ?? '', /removed 1 saved-core file from .* \(1 manifest whose core is missing\): \d+ bytes freed$/);
    assert.deepEqual(listing(), [path.basename(core), manifestFileName(workspace), path.basename(kept.core), path.basename(kept.manifest)].sort());
  });

  it('removes partial files an hour old whose process is gone, never a fresh one or one of a live process', async () => {
    const root = path.join(base, 'other');
    fs.mkdirSync(root);
    const otherCore = path.join(dir, coreFileName(root, KEY));
    const dead = deadPid();
    const oldDead = partialFileName(otherCore, dead);
    const freshDead = partialFileName(path.join(dir, manifestFileName(root)), dead);
    const oldLive = partialFileName(path.join(dir, coreFileName(root, 'f'.repeat(64))), process.pid);
    for (const file of [oldDead, freshDead, oldLive]) fs.writeFileSync(file, Buffer.alloc(700));
    makeOld(oldDead);
    makeOld(oldLive);
    const core = await saveCore();
    assert.deepEqual(listing(), [path.basename(core), manifestFileName(workspace), path.basename(freshDead), path.basename(oldLive)].sort());
    assert.match(pruneLines()[0] ?? '', /\(1 unfinished partial file\): 700 bytes freed$/);
  });

  it('removes a core an hour old that no manifest names, not a fresh one', async () => {
    const root = path.join(base, 'crashed');
    fs.mkdirSync(root);
    const old = path.join(dir, coreFileName(root, KEY));
    const fresh = path.join(dir, coreFileName(root, '0'.repeat(64)));
    fs.writeFileSync(old, Buffer.alloc(1500));
    fs.writeFileSync(fresh, Buffer.alloc(10));
    makeOld(old);
    const core = await saveCore();
    assert.deepEqual(listing(), [path.basename(core), manifestFileName(workspace), path.basename(fresh)].sort());
    assert.match(pruneLines()[0] ?? '', /\(1 core no manifest names\): 1\.5 kB freed$/);
  });

  it('touches no file it does not name itself: foreign files, links, manifests it cannot place, cores outside the folder', async () => {
    const outside = path.join(base, 'elsewhere');
    fs.mkdirSync(outside);
    const goneRoot = deletedFolder('gone');
    // A manifest of a deleted workspace whose core lies outside the folder: the manifest goes, the core stays.
    const outsideCore = path.join(outside, coreFileName(goneRoot, KEY));
    const foreign = savedFor(goneRoot, { core: outsideCore, coreBytes: 10 });
    // A manifest whose root does not hash to its name (copied by hand): that root is not trusted, and its core exists: kept.
    const misnamed = path.join(dir, manifestFileName(path.join(base, 'somewhere')));
    fs.writeFileSync(misnamed, JSON.stringify({ key: KEY, core: path.join(dir, coreFileName(goneRoot, KEY)), files: [], sbcl: 'sbcl', root: goneRoot }));
    fs.writeFileSync(path.join(dir, coreFileName(goneRoot, KEY)), 'named by the misnamed manifest');
    const broken = path.join(dir, manifestFileName(deletedFolder('broken')));
    fs.writeFileSync(broken, '{ not json');
    const strangers = ['notes.txt', 'ABCDEF0123456789.json', '0123456789abcdef.json.bak', 'x-0123456789abcdef.core', '0123456789abcdef-0123456789abcdef.core.partial'];
    for (const name of strangers) {
      fs.writeFileSync(path.join(dir, name), 'not ours');
      makeOld(path.join(dir, name));
    }
    const target = path.join(outside, 'precious');
    fs.writeFileSync(target, 'keep');
    const link = path.join(dir, coreFileName(path.join(base, 'linked'), KEY));
    fs.symlinkSync(target, link);
    fs.lutimesSync(link, (Date.now() - 2 * STALE_AFTER_MS) / 1000, (Date.now() - 2 * STALE_AFTER_MS) / 1000);

    const core = await saveCore();
    assert.equal(fs.existsSync(foreign.manifest), false);
    assert.equal(fs.readFileSync(outsideCore).length, 10, 'a core outside the folder is never removed');
    assert.ok(fs.existsSync(misnamed) && fs.existsSync(broken));
    assert.equal(fs.readFileSync(target, 'utf8'), 'keep');
    assert.deepEqual(
      listing(),
      [path.basename(core), manifestFileName(workspace), path.basename(misnamed), path.basename(broken), coreFileName(goneRoot, KEY), path.basename(link), ...strangers].sort(),
    );
    assert.match(pruneLines()[0] ?? '', /removed 1 saved-core file .*\(1 of workspaces that no longer exist\)/);
  });
});
