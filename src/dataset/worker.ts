/** Worker-thread entry (piscina) for datasets: simulates a device partition for the whole run, cutting windows. */
import { workerData } from 'node:worker_threads';
import { runtimesFromInit, type Runtimes, type WorkerInit } from '../engine/setup.js';
import { simulateCandidates, type PartitionTask } from './simulate.js';
import type { Candidates } from './cutter.js';

let runtimes: Promise<Runtimes> | undefined;

export default async function cut(task: PartitionTask): Promise<Candidates> {
  runtimes ??= runtimesFromInit(workerData as WorkerInit);
  return simulateCandidates(await runtimes, task);
}
