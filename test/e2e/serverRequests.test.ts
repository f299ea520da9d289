// Diagnostic pulls and malformed requests against the real language server (dist/server.js over
// stdio, fixture Stage 0): a cancelled or superseded pull is answered with a cancellation, never
// with a list; an unchanged document is answered `unchanged` with the same result id; bad URIs
// and positions get InvalidParams (or null), never internal error text or the first form.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import { LanguageServerProcess } from '../support/languageServerProcess';
import { copyExampleWorkspace } from '../support/repo';

const REQUEST_CANCELLED = -32800;
const SERVER_CANCELLED = -32802;
const INVALID_PARAMS = -32602;
const MODULE = 'src/compiler/emit.lisp';

interface PullReport {
  kind: 'full' | 'unchanged';
  resultId?: string;
  items?: { message: string }[];
}

/** The error a request was answered with (fails when it was answered with a result). */
async function errorOf(answer: Promise<unknown>): Promise<ResponseError<unknown>> {
  try {
    const result = await answer;
    assert.fail(`answered with a result instead of an error: ${JSON.stringify(result)?.slice(0, 200)}`);
  } catch (error) {
    if (!(error instanceof ResponseError)) throw error;
    return error;
  }
}

interface OpenServer {
  server: LanguageServerProcess;
  /** The module opened in it, and its text. */
  uri: string;
  text: string;
}

/** A server on a fresh copy of the example workspace for the enclosing suite, with MODULE open. */
function serverForSuite(diagnosticsDelayMs: number): () => OpenServer {
  let workspace = '';
  let open: OpenServer | undefined;
  before(async () => {
    workspace = copyExampleWorkspace();
    const server = new LanguageServerProcess(workspace, { diagnosticsDelayMs });
    await server.initialize();
    await server.settled();
    const file = path.join(workspace, MODULE);
    const text = fs.readFileSync(file, 'utf8');
    open = { server, uri: server.open(file, text), text };
  });
  after(async () => {
    await open?.server.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });
  return () => {
    assert.ok(open, 'the server started');
    return open;
  };
}

function pull(server: LanguageServerProcess, uri: string, previousResultId?: string, token?: CancellationTokenSource): Promise<PullReport> {
  const params = { textDocument: { uri }, previousResultId };
  // An `undefined` token would be sent as a second, positional parameter.
  const answer = token ? server.connection.sendRequest('textDocument/diagnostic', params, token.token) : server.connection.sendRequest('textDocument/diagnostic', params);
  return answer as Promise<PullReport>;
}

describe('diagnostic pulls under edits (real server)', () => {
  // A wrong server sleeps through the debounce: fail then, rather than hang.
  describe('with a long debounce', { timeout: 30_000 }, () => {
    // The pulls below wait in the debounce: nothing is analysed before they are cancelled.
    const current = serverForSuite(600_000);

    it('answers a pull the client cancels with RequestCancelled, not with a list', async () => {
      const { server, uri } = current();
      const source = new CancellationTokenSource();
      const answer = pull(server, uri, undefined, source);
      source.cancel();
      const error = await errorOf(answer);
      assert.equal(error.code, REQUEST_CANCELLED, error.message);
    });

    it('answers a pull superseded by an edit with ServerCancelled and asks for a new pull', async () => {
      const { server, uri, text } = current();
      const answer = pull(server, uri);
      await server.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: 2 },
        contentChanges: [{ text: `${text}\n;; edited\n` }],
      });
      const error = await errorOf(answer);
      assert.equal(error.code, SERVER_CANCELLED, error.message);
      assert.deepEqual(error.data, { retriggerRequest: true });
    });
  });

  describe('with no debounce', { timeout: 30_000 }, () => {
    const current = serverForSuite(0);

    it('answers an unchanged document with an `unchanged` report and the same result id', async () => {
      const { server, uri, text } = current();
      const first = await pull(server, uri);
      assert.equal(first.kind, 'full');
      assert.ok(first.items && first.items.length > 0, 'the fixture Stage 0 finds failing forms in this module');
      assert.equal(typeof first.resultId, 'string');
      const again = await pull(server, uri, first.resultId);
      assert.deepEqual(again, { kind: 'unchanged', resultId: first.resultId });

      // A change that adds a failing form: a full report with a new id.
      await server.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: 2 },
        contentChanges: [{ text: `${text}\n(defun broken-by-test () (no-such-function-in-test))\n` }],
      });
      const changed = await pull(server, uri, first.resultId);
      assert.equal(changed.kind, 'full');
      assert.notEqual(changed.resultId, first.resultId);
      assert.equal(changed.items!.length, first.items.length + 1);
    });

    it('answers malformed document URIs with InvalidParams, in a short message without internal wording', async () => {
      const { server } = current();
      const position = { line: 0, character: 0 };
      const uris: unknown[] = ['file://some-host/x.lisp', 'not a uri', 'file:///a%2Fb.lisp', `file:///${'x'.repeat(100_000)}%2F`, 42, null];
      for (const bad of uris) {
        for (const [method, params] of [
          ['textDocument/hover', { textDocument: { uri: bad }, position }],
          ['textDocument/diagnostic', { textDocument: { uri: bad } }],
        ] as const) {
          const error = await errorOf(server.connection.sendRequest(method, params));
          const label = `${method} ${String(bad).slice(0, 40)}`;
          assert.equal(error.code, INVALID_PARAMS, `${label}: ${error.message}`);
          assert.doesNotMatch(error.message, /failed with message|Cannot read|TypeError|at .*\.js/, label);
          assert.ok(error.message.length < 400, `${label}: ${error.message.length} characters`);
        }
      }
      const missing = await errorOf(server.connection.sendRequest('textDocument/hover', { position }));
      assert.equal(missing.code, INVALID_PARAMS, missing.message);
    });

    it('answers null, negative and fractional positions with InvalidParams, and a hover past the end with null', async () => {
      const { server, uri, text } = current();
      for (const position of [null, undefined, { line: -1, character: 0 }, { line: 0, character: -1 }, { line: 0.5, character: 0 }, { line: '0', character: 0 }]) {
        const error = await errorOf(server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position }));
        assert.equal(error.code, INVALID_PARAMS, `${JSON.stringify(position)}: ${error.message}`);
      }
      const lines = text.split('\n').length;
      assert.equal(await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: lines + 10, character: 0 } }), null);
    });
  });
});
