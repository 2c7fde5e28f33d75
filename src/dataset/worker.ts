/** Worker-thread entry (piscina) for datasets: simulates a device partition for the whole run, cutting windows. */
import { workerData } from 'node:worker_threads';
import { runtimesFromInit, type Runtimes, type WorkerInit } from '../engine/setup.js';
import { simulateCandidates, type PartitionTask } from './simulate.js';
import type { Candidates } from './cutter.js';

let runtimes: Runtimes | undefined;

export default function cut(task: PartitionTask): Candidates {
  runtimes ??= runtimesFromInit(workerData as WorkerInit);
  return simulateCandidates(runtimes, task);
}
