/** Worker-thread entry (piscina): simulates chunks of devices over epochs on shared columns. */
import { workerData } from 'node:worker_threads';
import { runtimesFromInit, type Runtimes, type WorkerInit } from './setup.js';
import { simulateChunk, type ChunkResult, type ChunkTask } from './simulate.js';

let runtimes: Runtimes | undefined;

export default function simulate(task: ChunkTask): ChunkResult {
  runtimes ??= runtimesFromInit(workerData as WorkerInit);
  return simulateChunk(runtimes, task);
}
