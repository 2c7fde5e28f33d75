/**
 * The inference pool: scores windows with ONNX models on worker threads (piscina, one session per
 * model per worker), or in-process when it has no threads.
 *
 * Windows are taken in the order given and cut into batches of at most `maxBatch` — the same
 * batches whatever the thread count, so the scores are too. Each batch is one float32 tensor
 * [batch, channels, samples] filled from the windows and moved to a worker (transferred, not
 * copied); at most `maxInFlight` batches are out at once (backpressure: the next tensor is built
 * only when a slot frees). Scores are mapped back by batch. A batch whose worker dies (or fails) is
 * rebuilt and retried once, on a fresh worker; a second failure fails the run with a message naming
 * the model and the cause.
 */
import { Piscina } from 'piscina';
import { compiledModule } from '../../core/paths.js';
import { InputError } from '../../core/errors.js';
import type { ModelInfo } from '../model.js';
import { runBatch, type InferenceResult, type InferenceTask } from './worker.js';

export interface InferencePoolOptions {
  /** Worker threads; 0 scores in the calling thread with one session per model.
  (Workers take two tasks at a time so the next batch is already waiting when one finishes: a
  session's run is synchronous on its thread, so this does not oversubscribe the cores.) */
  threads: number;
  /** Largest batch (windows per tensor). */
  maxBatch?: number;
  /** Batches out at once (default 2 per thread). */
  maxInFlight?: number;
  /** Tests only: whether the worker given this batch should die before running it (as a crash would). */
  crashOn?: (e: { batch: number; attempt: number }) => boolean;
}

/** What the pool measured for one model. */
export interface ModelStats {
  windows: number;
  batches: number;
  /** session.run time per batch, ms. */
  computeMs: number[];
  /** Batch sizes (parallel to computeMs). */
  batchSizes: number[];
  /** From handing a batch out to having its scores, ms. */
  latencyMs: number[];
  /** Largest V8 heap a worker reported, bytes. */
  heapPeakBytes: number;
  retries: number;
}

/** Something that can write window i into a batch tensor. */
export interface WindowSource {
  count: number;
  fill(i: number, out: Float32Array, offset: number): void;
  /** Optional: windows [from, from + count) at once, when they lie back to back (one copy per batch). */
  fillRange?(from: number, count: number, out: Float32Array): void;
}

export class InferencePool {
  private readonly pool: Piscina | undefined;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly stats = new Map<string, ModelStats>();

  constructor(private readonly models: readonly ModelInfo[], private readonly o: InferencePoolOptions) {
    this.maxBatch = Math.max(1, o.maxBatch ?? 256);
    this.maxInFlight = Math.max(1, o.maxInFlight ?? 2 * Math.max(1, o.threads));
    this.pool = o.threads > 0
      ? new Piscina({ filename: compiledModule('detect/inference/worker.js'), minThreads: o.threads, maxThreads: o.threads, idleTimeout: 60_000, concurrentTasksPerWorker: 2 })
      : undefined;
  }

  /** The pool's worker threads (empty in-process). */
  get threads() {
    return this.pool?.threads ?? [];
  }

  /** Loads every model once on every path it will run (a window of zeros): a model ONNX Runtime cannot run is refused here. */
  async start(): Promise<void> {
    for (const m of this.models) {
      const data = new Float32Array(m.channels.length * m.samples);
      try {
        await this.run(this.task(m, data, 1));
      } catch (err) {
        throw new InputError(m.path, `ONNX Runtime cannot run this model: ${(err as Error).message.split('\n')[0]}`);
      }
      this.stats.delete(m.path);
    }
  }

  statsOf(m: ModelInfo): ModelStats {
    let s = this.stats.get(m.path);
    if (!s) this.stats.set(m.path, (s = { windows: 0, batches: 0, computeMs: [], batchSizes: [], latencyMs: [], heapPeakBytes: 0, retries: 0 }));
    return s;
  }

  private task(m: ModelInfo, data: Float32Array, count: number): InferenceTask {
    return { model: m.path, inputName: m.inputName, outputName: m.outputName, data, count, channels: m.channels.length, samples: m.samples };
  }

  private run(task: InferenceTask): Promise<InferenceResult> {
    if (!this.pool) return runBatch(task);
    return this.pool.run(task, { transferList: [task.data.buffer as ArrayBuffer] }) as Promise<InferenceResult>;
  }

  /** Scores every window of `source` with model `m`; returns one probability per window, in order. */
  async score(m: ModelInfo, source: WindowSource): Promise<Float32Array> {
    const n = source.count, per = m.channels.length * m.samples;
    const scores = new Float32Array(n);
    const stats = this.statsOf(m);
    const batches = Math.ceil(n / this.maxBatch);
    const build = (b: number) => {
      const from = b * this.maxBatch, count = Math.min(this.maxBatch, n - from);
      const data = new Float32Array(count * per);
      if (source.fillRange) source.fillRange(from, count, data);
      else for (let i = 0; i < count; i++) source.fill(from + i, data, i * per);
      return { from, count, data };
    };
    const one = async (b: number): Promise<void> => {
      for (let attempt = 1; ; attempt++) {
        const { from, count, data } = build(b);
        const t0 = performance.now();
        try {
          const task = this.task(m, data, count);
          if (this.pool && this.o.crashOn?.({ batch: b, attempt })) task.crash = true;
          const r = await this.run(task);
          scores.set(r.scores, from);
          stats.latencyMs.push(performance.now() - t0);
          stats.computeMs.push(r.computeMs);
          stats.batchSizes.push(count);
          stats.heapPeakBytes = Math.max(stats.heapPeakBytes, r.heapBytes);
          stats.windows += count;
          stats.batches++;
          return;
        } catch (err) {
          if (attempt >= 2) throw new Error(`inference failed twice on batch ${b} (${count} windows) of model ${m.path}: ${(err as Error).message}`);
          stats.retries++;
        }
      }
    };
    // At most maxInFlight batches out at once; the next one is built when a slot frees.
    let next = 0;
    const lanes = Array.from({ length: Math.min(this.maxInFlight, batches) }, async () => {
      while (next < batches) await one(next++);
    });
    await Promise.all(lanes);
    // A model that answers NaN or ±∞ would drop every window it scores without a word: refuse it.
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(scores[i]!)) {
        let bad = 0;
        for (let k = i; k < n; k++) if (!Number.isFinite(scores[k]!)) bad++;
        throw new InputError(m.path, { path: 'output', message: `the model returned ${scores[i]} for window ${i} (${bad} of ${n} windows not finite): its scores cannot be thresholded; check the model's inputs and normalisation` });
      }
    }
    return scores;
  }

  async close(): Promise<void> {
    await this.pool?.destroy();
  }
}
