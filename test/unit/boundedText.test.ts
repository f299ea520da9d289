// The one helper that bounds user-facing messages built from unbounded lists and texts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clipText, listSome } from '../../server/src/util/boundedText';

describe('listSome', () => {
  it('joins short lists in full', () => {
    assert.equal(listSome([]), '');
    assert.equal(listSome(['a.b']), 'a.b');
    assert.equal(listSome(['a.b', 'c.d']), 'a.b and c.d');
    assert.equal(listSome(['a.b', 'c.d', 'e.f']), 'a.b, c.d and e.f');
  });

  it('names the first few and counts the rest', () => {
    const names = Array.from({ length: 100_000 }, (_, i) => `m.f${i}`);
    assert.equal(listSome(names), 'm.f0, m.f1, m.f2 and 99,997 more');
    assert.equal(listSome(names.slice(0, 4)), 'm.f0, m.f1, m.f2 and 1 more');
    assert.equal(listSome(names, 1), 'm.f0 and 99,999 more');
  });

  it('clips each named item, so one huge name cannot defeat the bound', () => {
    const text = listSome(['x'.repeat(1_000_000), 'y']);
    assert.ok(text.length < 300, `${text.length} characters`);
    assert.match(text, /… \(999,800 more characters\) and y$/);
  });
});

describe('clipText', () => {
  it('keeps short text and clips long text, counting what it dropped', () => {
    assert.equal(clipText('short'), 'short');
    assert.equal(clipText('abcdef', 4), 'abcd… (2 more characters)');
    assert.equal(clipText('z'.repeat(2_900_000)).length, 2000 + '… (2,898,000 more characters)'.length);
  });
});
