// The Stage 0 engine worker (bundled to dist/stage0-worker.js). Running Stage 0 in a
// worker_threads Worker (or, with isolation 'process', a forked Node process) keeps the
// language server responsive, and lets the engine stop a form that loops by terminating the
// whole worker. Nothing may escape: every failure is posted back as a message.
import { parentPort } from 'node:worker_threads';
import type { FormResult } from '../../types';
import { describeThrown } from './resultFromReports';
import { Stage0Instance } from './stage0Instance';
import type { FromWorker, ToWorker } from './workerProtocol';

interface Channel {
  post(message: FromWorker): void;
  listen(handler: (message: ToWorker) => void): void;
}

function openChannel(): Channel {
  const port = parentPort;
  if (port) return { post: (m) => port.postMessage(m), listen: (h) => port.on('message', h) };
  const send = process.send?.bind(process);
  if (send) {
    // A forked engine process ends with its parent.
    process.on('disconnect', () => process.exit(0));
    return { post: (m) => send(m), listen: (h) => process.on('message', h as (m: unknown) => void) };
  }
  throw new Error('stage0-worker must run in a worker thread or a forked process');
}

const channel = openChannel();
let stage0: Stage0Instance | undefined;

function post(message: FromWorker): void {
  channel.post(message);
}

const log = (message: string): void => post({ type: 'log', message });

function handle(message: ToWorker): void {
  switch (message.type) {
    case 'load': {
      try {
        stage0 = Stage0Instance.load(message.bytes, message.host, log);
        post({ type: 'loaded', info: stage0.info });
      } catch (error) {
        stage0 = undefined;
        post({ type: 'load-failed', message: error instanceof Error ? error.message : String(error) });
      }
      return;
    }
    case 'compile': {
      let result: FormResult;
      try {
        result = stage0
          ? stage0.compile(message.text, message.package)
          : { status: 'crashed', message: 'no Stage 0 is loaded in the engine worker' };
      } catch (error) {
        // Only a host bug gets here (traps are results); report it on this form.
        result = { status: 'failed', errorType: 'host-error', message: describeThrown(error) };
      }
      post({ type: 'result', id: message.id, result });
      return;
    }
  }
}

channel.listen((message: ToWorker) => {
  try {
    handle(message);
  } catch (error) {
    // postMessage itself failed (e.g. a value that cannot be cloned): say so instead of dying.
    const text = error instanceof Error ? error.message : String(error);
    if (message.type === 'compile') {
      post({ type: 'result', id: message.id, result: { status: 'failed', errorType: 'host-error', message: text } });
    } else {
      post({ type: 'load-failed', message: text });
    }
  }
});
