/**
 * Inference worker (piscina): one ONNX Runtime session per model, created on first use and reused,
 * with one intra-op thread so the pool's workers do not oversubscribe the cores. Takes a batch of
 * windows (moved, not copied) and moves the probabilities back with the time the session took.
 */
import * as ort from 'onnxruntime-node';
import { getHeapStatistics } from 'node:v8';
import { Piscina } from 'piscina';

export interface InferenceTask {
  model: string;
  inputName: string;
  outputName: string;
  data: Float32Array;
  count: number;
  channels: number;
  samples: number;
  /** Tests only: the worker exits before running the batch, as a crashing worker would. */
  crash?: boolean;
}

export interface InferenceResult {
  scores: Float32Array;
  /** Time session.run took, ms. */
  computeMs: number;
  /** V8 heap in use in this worker after the batch, bytes. */
  heapBytes: number;
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

/** The session of a model (one per model per thread). */
export function sessionFor(model: string): Promise<ort.InferenceSession> {
  let s = sessions.get(model);
  if (!s) {
    // logSeverityLevel 3: ONNX Runtime's own warnings stay off stderr (errors still come back as exceptions, named by the pool).
    s = ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 3 });
    sessions.set(model, s);
  }
  return s;
}

/** Runs one batch (also used in-process when the pool has no threads). */
export async function runBatch(task: InferenceTask): Promise<InferenceResult> {
  const session = await sessionFor(task.model);
  const t0 = performance.now();
  const out = await session.run({ [task.inputName]: new ort.Tensor('float32', task.data, [task.count, task.channels, task.samples]) });
  const computeMs = performance.now() - t0;
  const y = out[task.outputName];
  if (!y) throw new Error(`model ${task.model} gave no output "${task.outputName}"`);
  if (y.data.length !== task.count) throw new Error(`model ${task.model} gave ${y.data.length} values for ${task.count} windows (expected one probability per window)`);
  const scores = Float32Array.from(y.data as ArrayLike<number>);
  return { scores, computeMs, heapBytes: getHeapStatistics().used_heap_size };
}

export default async function infer(task: InferenceTask): Promise<InferenceResult> {
  if (task.crash) process.exit(70); // in a worker thread this ends the thread, not the process
  const r = await runBatch(task);
  return Piscina.move({ [Piscina.transferableSymbol]: [r.scores.buffer], [Piscina.valueSymbol]: r } as never) as never;
}
