// One item per hover position (issue 11 item 12): where a form ends and a stray `)` begins, the
// character under the pointer decides, and the two are never mixed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { itemAtOffset } from '../../server/src/lsp/hoverTarget';
import { readTopLevelForms } from '../../server/src/reader';

describe('the item a hover position designates', () => {
  // "(defun f () 1))" then a form on the next line: the second `)` of the first line is a stray.
  const text = '(defun f () 1))\n(defun g () 2)\n';
  const items = readTopLevelForms(text).map((form) => ({ form }));
  const at = (offset: number) => itemAtOffset(items, offset)?.form;

  it('reads the stray `)` as its own item right after the form', () => {
    assert.deepEqual(items.map((i) => [i.form.kind, text.slice(i.form.start, i.form.end)]), [
      ['list', '(defun f () 1)'],
      ['read-error', ')'],
      ['list', '(defun g () 2)'],
    ]);
  });

  it('on the stray `)` gives the read error only, not the form that ends there', () => {
    const strayOffset = text.indexOf('))') + 1;
    assert.equal(at(strayOffset)?.kind, 'read-error');
  });

  it('on the last `)` of the form gives the form', () => {
    assert.equal(at(text.indexOf('))'))?.name, 'F');
    assert.equal(at(0)?.name, 'F');
  });

  it('just after a form that ends a line still gives that form; between forms nothing', () => {
    const endOfG = text.lastIndexOf(')') + 1;
    assert.equal(at(endOfG)?.name, 'G');
    assert.equal(itemAtOffset([{ form: { start: 0, end: 3 } }, { form: { start: 5, end: 8 } }], 4), undefined);
  });
});
