// The command palette, menus and walkthrough contributed in package.json: restricted mode hides
// what needs the server, each action has one entry, and the walkthrough's first step can tick.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

interface MenuEntry { command: string; when?: string }
interface Manifest {
  contributes: {
    commands: { command: string; title: string }[];
    menus: { commandPalette: MenuEntry[]; 'view/title': MenuEntry[] };
    walkthroughs: { steps: { id: string; completionEvents: string[] }[] }[];
  };
}

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as Manifest;
const palette = new Map(manifest.contributes.menus.commandPalette.map((e) => [e.command, e.when]));

/** Commands that send requests to the server or restart it: nothing runs in an untrusted workspace. */
const NEEDS_SERVER = [
  'clysm.restartServer', 'clysm.reanalyze', 'clysm.exportReport', 'clysm.generateStage1', 'clysm.diffStage0Stage1',
  'clysm.diffWasmFiles', 'clysm.verifyFixedPoint', 'clysm.openStage1TextDiff', 'clysm.blockers.filterActiveModule', 'clysm.blockers.showAllModules',
];

/** Commands that only make sense from a view, a tree item or a link. */
const VIEW_ONLY = ['clysm.revealForm', 'clysm.focusBlockers', 'clysm.blockers.refresh', 'clysm.modules.refresh', 'clysm.modules.sort'];

describe('package.json menus', () => {
  it('hides the commands that need the server from the palette of an untrusted workspace', () => {
    for (const command of NEEDS_SERVER) {
      assert.match(palette.get(command) ?? '', /(^|&& )isWorkspaceTrusted($| &&)/, `${command} shows in Restricted Mode`);
    }
  });

  it('hides them too in a window without a folder, where no server runs', () => {
    for (const command of NEEDS_SERVER.filter((c) => !c.startsWith('clysm.blockers.'))) {
      assert.match(palette.get(command) ?? '', /workbenchState != empty/, `${command} shows without a folder`);
    }
  });

  it('keeps view-only commands out of the palette (one entry per action)', () => {
    for (const command of VIEW_ONLY) assert.equal(palette.get(command), 'false', `${command} is in the palette`);
  });

  it('gives every palette command a distinct title', () => {
    const shown = manifest.contributes.commands.filter((c) => palette.get(c.command) !== 'false').map((c) => c.title.toLowerCase());
    assert.deepEqual(shown, [...new Set(shown)]);
    assert.ok(!shown.includes('show blockers'), 'duplicates the built-in "Focus on Blockers View"');
  });

  it('hides the server actions of the view title bars in an untrusted workspace', () => {
    for (const entry of manifest.contributes.menus['view/title'].filter((e) => NEEDS_SERVER.includes(e.command) && e.command.startsWith('clysm.re'))) {
      assert.match(entry.when ?? '', /isWorkspaceTrusted/, `${entry.command} in a view title bar`);
    }
  });

  it('ticks the first walkthrough step on a context key the extension sets at activation', () => {
    const open = manifest.contributes.walkthroughs[0].steps.find((s) => s.id === 'clysm.walkthrough.open');
    // A built-in key that already holds at startup (workbenchState) never ticks a step.
    assert.deepEqual(open?.completionEvents.filter((e) => e.startsWith('onContext:')), ['onContext:clysm.folderOpen']);
  });
});
