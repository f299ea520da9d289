// The checks of document request parameters: what is valid passes through, anything else is
// InvalidParams with a short message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCodes, ResponseError } from 'vscode-languageserver';
import { filePathOf, requestPosition, textDocumentUri } from '../../server/src/lsp/requestParams';

function invalidParams(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    assert.ok(error instanceof ResponseError, String(error));
    assert.equal(error.code, ErrorCodes.InvalidParams);
    assert.ok(error.message.length < 300, `${error.message.length} characters`);
    return error.message;
  }
  assert.fail('no error');
}

describe('request parameters', () => {
  it('passes a well-formed URI and position through', () => {
    assert.equal(textDocumentUri({ textDocument: { uri: 'file:///ws/a.lisp' } }), 'file:///ws/a.lisp');
    assert.deepEqual(requestPosition({ position: { line: 3, character: 0 } }), { line: 3, character: 0 });
    assert.equal(filePathOf('file:///ws/a%20b.lisp'), '/ws/a b.lisp');
    assert.equal(filePathOf('untitled:Untitled-1'), undefined, 'another scheme is no file, not an error');
  });

  it('rejects a missing or non-string URI', () => {
    for (const params of [undefined, null, {}, { textDocument: null }, { textDocument: { uri: 7 } }, { textDocument: { uri: '' } }]) {
      assert.match(invalidParams(() => textDocumentUri(params)), /textDocument\.uri/);
    }
  });

  it('rejects null, negative, fractional and non-numeric positions', () => {
    for (const position of [null, undefined, {}, { line: -1, character: 0 }, { line: 0, character: -1 }, { line: 1.5, character: 0 }, { line: '1', character: 0 }, { line: Infinity, character: 0 }]) {
      assert.match(invalidParams(() => requestPosition({ position })), /position/);
    }
  });

  it('rejects URIs that do not parse or name no file of this machine, quoting them cut short', () => {
    for (const uri of ['not a uri', 'file://other-host/a.lisp', 'file:///a%2Fb.lisp']) invalidParams(() => filePathOf(uri));
    const huge = invalidParams(() => filePathOf(`nope ${'x'.repeat(100_000)}`));
    assert.match(huge, /100007 characters/);
  });
});
