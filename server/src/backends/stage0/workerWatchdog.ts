// Inside the Stage 0 worker process: a watchdog thread that kills the process when its parent
// dies or when it uses more memory than allowed. It is a thread because the worker's main
// thread may be stuck in a Wasm loop that never returns to the event loop, so a 'disconnect'
// handler there never runs; a worker_threads thread has its own event loop and keeps running.
//
// The parent's death is seen as the end of the lifeline: a pipe whose other end only the
// parent holds, so the kernel closes it when the parent dies, even by SIGKILL (which the parent
// cannot trap). Memory is the process's resident size, which counts Wasm linear memory too
// (--max-old-space-size does not).
import { Worker } from 'node:worker_threads';
import { memoryLimitMarker } from './workerProtocol';

export interface WatchdogOptions {
  /** File descriptor of the lifeline pipe. */
  lifelineFd: number;
  /** Resident-size limit of the whole process, in MB. */
  maxMemoryMb: number;
  /** How often the resident size is sampled. */
  sampleMs: number;
}

// Plain CommonJS run by the thread (eval: the worker is one bundled file). It writes the
// memory verdict to stderr synchronously before the kill, so the parent reads it before EOF.
const watchdogSource = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const net = require('node:net');
const die = () => process.kill(process.pid, 'SIGKILL');
const lifeline = new net.Socket({ fd: workerData.lifelineFd, readable: true, writable: false });
lifeline.on('data', () => undefined);
lifeline.on('end', die);
lifeline.on('close', die);
lifeline.on('error', die);
const limit = workerData.maxMemoryMb * 1024 * 1024;
setInterval(() => {
  const rss = process.memoryUsage.rss();
  if (rss <= limit) return;
  const mb = Math.round(rss / 1048576);
  try { fs.writeSync(2, '\\n' + workerData.marker + ' ' + mb + ' MB > ' + workerData.maxMemoryMb + ' MB\\n'); } catch {}
  die();
}, workerData.sampleMs);
`;

/** Starts the watchdog thread; it lives as long as the process and never keeps it alive. */
export function startWatchdog(options: WatchdogOptions): Worker {
  const thread = new Worker(watchdogSource, {
    eval: true,
    workerData: { ...options, marker: memoryLimitMarker },
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    stdout: false,
    stderr: false,
  });
  thread.unref();
  return thread;
}
