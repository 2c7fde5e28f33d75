import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { compiledModule } from '../../src/core/paths.js';
import { lowerThreadPriority, WORKER_NICE } from '../../src/core/thread-priority.js';

/** A thread's nice value as the kernel reports it (/proc/<pid>/task/<tid>/stat, field 19). */
const niceOf = (tid: number): number => {
  const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
};

/** Loads compiled modules in a fresh worker thread; resolves with its kernel thread id once they are loaded. */
const workerLoading = (modules: string[]): Promise<{ tid: number; worker: Worker }> => new Promise((resolve, reject) => {
  const worker = new Worker(`
    const { parentPort, workerData } = require('node:worker_threads');
    const { readlinkSync } = require('node:fs');
    Promise.all(workerData.map((m) => import(m))).then(() => {
      parentPort.postMessage(Number(readlinkSync('/proc/thread-self').split('/').pop()));
      parentPort.once('message', () => process.exit(0));
    });`, { eval: true, workerData: modules });
  worker.once('message', (tid: number) => resolve({ tid, worker }));
  worker.once('error', reject);
});

describe.runIf(process.platform === 'linux')('thread priority', () => {
  it('the device and table workers run nicer than the main thread, which keeps its priority', async () => {
    const main = niceOf(process.pid);
    for (const mod of ['engine/device-worker.js', 'output/table-worker.js']) {
      const { tid, worker } = await workerLoading([compiledModule(mod)]);
      try {
        expect(tid).not.toBe(process.pid);
        expect(niceOf(tid)).toBe(Math.min(19, main + WORKER_NICE));
        expect(niceOf(process.pid)).toBe(main);
      } finally {
        worker.postMessage('stop');
        await worker.terminate();
      }
    }
  });

  it('never lowers the whole process from its main thread', () => {
    const main = niceOf(process.pid);
    expect(lowerThreadPriority()).toBeUndefined();
    expect(niceOf(process.pid)).toBe(main);
  });
});
