// The Stage 0 engine worker (bundled to dist/stage0-worker.js). Running Stage 0 in a forked
// Node process keeps the language server responsive, and lets the engine stop a form that
// loops by killing the whole worker. It serves per-form compiles (load, compile) and Stage 1
// generation (compile-all). Nothing may escape: every failure is posted back as a message.
import type { FormResult } from '../../types';
import { clipText } from '../../util/boundedText';
import { runCompileAllInWorker } from './compileAllRun';
import { describeThrown } from './resultFromReports';
import { Stage0Instance } from './stage0Instance';
import { startWatchdog } from './workerWatchdog';
import { lifelineFd, parseWorkerArguments, type FromWorker, type ToWorker } from './workerProtocol';

interface Channel {
  post(message: FromWorker): void;
  listen(handler: (message: ToWorker) => void): void;
}

function openChannel(): Channel {
  const send = process.send?.bind(process);
  if (send) {
    // A forked engine process ends with its parent.
    process.on('disconnect', () => process.exit(0));
    return { post: (m) => send(m), listen: (h) => process.on('message', h as (m: unknown) => void) };
  }
  throw new Error('stage0-worker must run as a forked process');
}

const channel = openChannel();
const launch = parseWorkerArguments(process.argv);
if (!launch) throw new Error('stage0-worker must be started by the engine (workerTransport.ts)');
// Before any Wasm runs: once Stage 0 loops, this thread is the only code here that still runs.
startWatchdog({ lifelineFd, maxMemoryMb: launch.maxMemoryMb, sampleMs: 20 });
let stage0: Stage0Instance | undefined;

function post(message: FromWorker): void {
  channel.post(message);
}

const log = (message: string): void => post({ type: 'log', message: clipText(message) });

const residentMb = (): number => Math.round(process.memoryUsage.rss() / 1048576);

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
      post({ type: 'result', id: message.id, result, residentMb: residentMb() });
      return;
    }
    case 'compile-all':
      // Stage 1 generation: a whole-program run on a worker of its own (compileAll.ts).
      runCompileAllInWorker(message, post);
      return;
  }
}

channel.listen((message: ToWorker) => {
  try {
    handle(message);
  } catch (error) {
    // postMessage itself failed (e.g. a value that cannot be cloned): say so instead of dying.
    const text = error instanceof Error ? error.message : String(error);
    if (message.type === 'compile') {
      post({ type: 'result', id: message.id, result: { status: 'failed', errorType: 'host-error', message: clipText(text) }, residentMb: residentMb() });
    } else if (message.type === 'compile-all') {
      post({ type: 'compile-all-failed', stage: 'run', message: `generation worker error: ${text}` });
    } else {
      post({ type: 'load-failed', message: text });
    }
  }
});
