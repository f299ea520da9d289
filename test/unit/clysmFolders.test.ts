// Multi-root workspaces (issue 11 item 16): which folders get an analysis, and which one the
// status bar follows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { folderToShow, foldersToAnalyse, type FolderFacts } from '../../client/src/folders/clysmFolders';

const folder = (name: string, facts: Partial<FolderFacts> = {}): FolderFacts => ({ uri: `file:///w/${name}`, name, hasClysmAsd: false, modulesConfigured: false, ...facts });

describe('folders to analyse', () => {
  it('analyses a single folder whatever it holds', () => {
    assert.deepEqual(foldersToAnalyse([folder('plain')]).map((f) => f.name), ['plain']);
    assert.deepEqual(foldersToAnalyse([]), []);
  });

  it('with several folders, analyses each Clysm checkout and each folder configured with clysm.modules, in order', () => {
    const folders = [folder('notes'), folder('clysm', { hasClysmAsd: true }), folder('docs'), folder('example', { modulesConfigured: true })];
    assert.deepEqual(foldersToAnalyse(folders).map((f) => f.name), ['clysm', 'example']);
  });

  it('with several folders and none of them Clysm, analyses the first rather than nothing', () => {
    assert.deepEqual(foldersToAnalyse([folder('a'), folder('b')]).map((f) => f.name), ['a']);
  });
});

describe('the folder the status bar follows', () => {
  const analysed = ['file:///w/a', 'file:///w/b'];

  it("follows the active editor's folder when it is analysed", () => {
    assert.equal(folderToShow(analysed, 'file:///w/b', 'file:///w/a'), 'file:///w/b');
  });

  it('keeps the folder it showed when the editor is elsewhere, else shows the first', () => {
    assert.equal(folderToShow(analysed, 'file:///w/notes', 'file:///w/b'), 'file:///w/b');
    assert.equal(folderToShow(analysed, undefined, 'file:///w/b'), 'file:///w/b');
    assert.equal(folderToShow(analysed, undefined, undefined), 'file:///w/a');
    assert.equal(folderToShow([], 'file:///w/a', undefined), undefined);
  });
});
