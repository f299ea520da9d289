// The driver reports a reload error's form by character offsets (SBCL counts code points); the
// editor and the reader's LineIndex count UTF-16 code units. The one conversion happens where
// the driver's reply arrives (incrementalOutcome), so every range after it is right on lines
// that follow a character outside the BMP.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReloadedMessage } from '../../server/src/backends/sbcl/driverProtocol';
import { incrementalOutcome, utf16Offset } from '../../server/src/backends/sbcl/hotReload';
import { reloadDiagnostics } from '../../server/src/lsp/reloadDiagnostics';
import { LineIndex } from '../../server/src/reader/lineIndex';

/** Offsets as SBCL counts them: characters (code points). */
const characterOffset = (text: string, utf16: number): number => [...text.slice(0, utf16)].length;

describe('reload-error offsets', () => {
  const broken = '(defun broken (x) (+ x 1)';
  const text = `;; 🦀 the crab is one character for SBCL, two code units for the editor\n(defvar *s* "😀😀") ${broken}\n`;
  const start = text.indexOf(broken);

  it('converts character offsets to UTF-16 offsets past characters outside the BMP', () => {
    assert.equal(characterOffset(text, start), start - 3, 'three astral characters before the form');
    assert.equal(utf16Offset(text, characterOffset(text, start)), start);
    assert.equal(utf16Offset(text, characterOffset(text, text.length)), text.length);
    assert.equal(utf16Offset(text, 3), 3, 'before the first astral character nothing moves');
    assert.equal(utf16Offset(text, 4), 5, 'the crab takes two code units');
  });

  it('keeps offsets in text without astral characters, and clamps them to the text', () => {
    assert.equal(utf16Offset('(a) (b) é', 4), 4);
    assert.equal(utf16Offset('(a)', 10), 3);
    assert.equal(utf16Offset('🦀', 10), 2);
  });

  it('gives the reload-error diagnostic the range of the form in the editor', () => {
    const reply: ReloadedMessage = {
      type: 'reloaded',
      id: 1,
      mode: 'incremental',
      files: ['/ws/src/compiler.lisp'],
      ms: 1,
      forms: 2,
      errors: [{ path: '/ws/src/compiler.lisp', start: characterOffset(text, start), end: characterOffset(text, text.length), message: 'end of file' }],
    };
    const read: string[] = [];
    const outcome = incrementalOutcome(reply, false, (file) => (read.push(file), text));
    assert.deepEqual(read, ['/ws/src/compiler.lisp']);
    assert.deepEqual([outcome.errors[0].start, outcome.errors[0].end], [start, text.length]);

    const lines = new LineIndex(text);
    assert.deepEqual(outcome.errors[0].range, { start: lines.positionAt(start), end: lines.positionAt(text.length) });
    const [diagnostic] = reloadDiagnostics(outcome.errors);
    assert.deepEqual(diagnostic.range.start, { line: 1, character: '(defvar *s* "😀😀") '.length });
  });

  it('underlines only the first line of a form that does not read (SBCL runs it to the end of the file)', () => {
    const source = `(defun unclosed (x)\n  (+ x 1)\n;; more\n`;
    const reply: ReloadedMessage = {
      type: 'reloaded',
      id: 1,
      mode: 'incremental',
      files: ['/ws/a.lisp'],
      ms: 1,
      errors: [
        { path: '/ws/a.lisp', start: 0, end: source.length, message: 'end of file', condition: 'READER-ERROR' },
        { path: '/ws/a.lisp', start: 0, end: source.indexOf(';;'), message: 'signalled', condition: 'SIMPLE-ERROR' },
      ],
    };
    const [unread, signalled] = reloadDiagnostics(incrementalOutcome(reply, false, () => source).errors);
    assert.deepEqual(unread.range, { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } });
    assert.deepEqual(signalled.range, { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } }, 'a form that read keeps its whole range');
  });

  it('keeps the driver offsets when the file cannot be read any more', () => {
    const reply: ReloadedMessage = { type: 'reloaded', id: 1, mode: 'incremental', files: [], ms: 1, errors: [{ path: '/gone.lisp', start: 7, end: 9, message: 'x' }] };
    const outcome = incrementalOutcome(reply, false, () => undefined);
    assert.deepEqual([outcome.errors[0].start, outcome.errors[0].end], [7, 9]);
    assert.deepEqual(outcome.errors[0].range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
  });
});
