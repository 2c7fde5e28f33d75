/**
 * Runs a sweep's jobs: on a pool of worker threads on this machine (several points at a time, each
 * in-process), or through BullMQ on a Redis server, whose workers (`hazardsim worker`, on any machine
 * that sees the same files) take them. Jobs whose summary exists are not run again, so a sweep can
 * be stopped and continued; a worker killed mid-job has its job retried once its lock lapses.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { InputError } from '../../core/errors.js';
import { compiledModule } from '../../core/paths.js';
import { jobFile, type JobResult, type PointJob } from './job.js';

/** The BullMQ queue every sweep's jobs go through (jobs carry their sweep). */
export const QUEUE = 'hazardsim-sweep';

export interface Progress {
  done: number;
  total: number;
  /** Jobs found done before this invocation started. */
  already: number;
  /** Share of the estimated work done (jobs weighted by their estimated cost). */
  fraction: number;
}

/** Progress of `all` given which jobs are done. */
function progressOf(all: readonly PointJob[], doneJobs: readonly PointJob[], already: number): Progress {
  const total = all.reduce((s, j) => s + j.cost, 0), done = doneJobs.reduce((s, j) => s + j.cost, 0);
  return { done: doneJobs.length, total: all.length, already, fraction: total > 0 ? done / total : doneJobs.length / Math.max(1, all.length) };
}

const pending = (jobs: readonly PointJob[]) => jobs.filter((j) => !existsSync(jobFile(j.outDir, j.hash, j.seed)));

/** A pool of point workers (worlds stay loaded in each). */
export function pointPool(threads: number): Piscina {
  return new Piscina({ filename: compiledModule('cli/sweep/point-worker.js'), minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
}

/** Runs the jobs on `jobs` worker threads of this machine. */
export async function runLocal(all: readonly PointJob[], o: { jobs?: number; onProgress?: (p: Progress) => void } = {}): Promise<void> {
  const todo = pending(all), already = all.length - todo.length;
  const waiting = new Set(todo), finished = all.filter((j) => !waiting.has(j));
  o.onProgress?.(progressOf(all, finished, already));
  if (!todo.length) return;
  const pool = pointPool(Math.max(1, Math.min(o.jobs ?? availableParallelism(), todo.length)));
  try {
    // The largest runs start first, so the last minutes are not one big run on one thread.
    const order = [...todo].sort((a, b) => b.cost - a.cost);
    await Promise.all(order.map(async (job) => {
      await (pool.run(job) as Promise<JobResult>);
      finished.push(job);
      o.onProgress?.(progressOf(all, finished, already));
    }));
  } finally {
    await pool.destroy();
  }
}

/** A connection to Redis at `url`, checked: an unreachable or malformed URL is bad input (exit 2). */
export async function connectRedis(url: string, flag = '--redis'): Promise<Redis> {
  if (!/^rediss?:\/\/[^/\s]+/.test(url)) throw new InputError(flag, `expected a Redis URL such as redis://127.0.0.1:6379, found ${JSON.stringify(url)}`);
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    probe.disconnect();
    throw new InputError(flag, `cannot reach Redis at ${url} (${(err as Error).message}); start one (redis-server) or check the address`);
  }
  probe.disconnect();
  const conn = new Redis(url, { maxRetriesPerRequest: null });
  conn.on('error', () => undefined);
  return conn;
}

const jobId = (j: PointJob) => `${j.hash}-s${j.seed}`;

/**
 * Enqueues the jobs not done yet on Redis and waits until every summary exists; a job that failed on
 * every attempt stops the wait with its reason.
 */
export async function runDistributed(all: readonly PointJob[], o: { redis: string; onProgress?: (p: Progress) => void; pollMs?: number }): Promise<void> {
  const conn = await connectRedis(o.redis);
  const queue = new Queue(QUEUE, { connection: conn });
  try {
    const todo = pending(all), already = all.length - todo.length;
    const fresh: PointJob[] = [];
    for (const j of todo) {
      // A job left from an earlier sweep (done but its files gone, or failed) goes in again; one
      // still waiting or running is left to the workers.
      const old = await queue.getJob(jobId(j));
      if (old) {
        const state = await old.getState();
        if (state !== 'completed' && state !== 'failed') continue;
        await old.remove();
      }
      fresh.push(j);
    }
    await queue.addBulk([...fresh].sort((a, b) => b.cost - a.cost).map((j) => ({ name: 'point', data: j, opts: { jobId: jobId(j), attempts: 3, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: { count: 10_000 }, removeOnFail: { count: 10_000 } } })));
    let last = -1;
    for (;;) {
      const left = pending(all);
      const done = all.length - left.length;
      if (done !== last) { const open = new Set(left); o.onProgress?.(progressOf(all, all.filter((j) => !open.has(j)), already)); last = done; }
      if (!left.length) return;
      for (const j of left.slice(0, 200)) {
        const job = await queue.getJob(jobId(j));
        if (job && (await job.getState()) === 'failed' && job.attemptsMade >= (job.opts.attempts ?? 1)) {
          throw new Error(`${j.sweep}: the run of point ${j.hash.slice(0, 12)} (seed ${j.seed}) failed on every attempt: ${job.failedReason}`);
        }
      }
      await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
    }
  } finally {
    await queue.close();
    conn.disconnect();
  }
}

/**
 * A worker taking sweep jobs from Redis until stopped (SIGINT/SIGTERM close it cleanly, finishing
 * nothing half: an interrupted job is retried elsewhere) or, with `idleExitS`, once the queue has been
 * empty that long. `lockS`: how long a job stays locked without a heartbeat before another worker
 * may retry it (a killed worker's job waits this long).
 */
export async function startWorker(o: { redis: string; jobs?: number; lockS?: number; idleExitS?: number; log?: (line: string) => void }): Promise<{ processed: number }> {
  const conn = await connectRedis(o.redis);
  const threads = Math.max(1, o.jobs ?? availableParallelism());
  const pool = pointPool(threads);
  const lock = (o.lockS ?? 30) * 1000;
  let processed = 0, lastActive = Date.now();
  const worker = new Worker(QUEUE, async (job: Job<PointJob>) => {
    lastActive = Date.now();
    o.log?.(`hazardsim worker: running ${job.data.sweep} point ${job.data.hash.slice(0, 12)} seed ${job.data.seed}`);
    const r = (await pool.run(job.data)) as JobResult;
    processed++;
    lastActive = Date.now();
    o.log?.(`hazardsim worker: done ${job.data.sweep} point ${job.data.hash.slice(0, 12)} seed ${job.data.seed}: ${r.skipped ? 'already there' : `${r.seconds.toFixed(1)} s`}`);
    return r;
  }, { connection: conn, concurrency: threads, lockDuration: lock, stalledInterval: lock, maxStalledCount: 5 });
  worker.on('error', () => undefined);
  const queue = new Queue(QUEUE, { connection: conn });
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (o.idleExitS !== undefined) {
      const timer = setInterval(async () => {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        const busy = Object.values(counts).some((n) => n > 0);
        if (busy) lastActive = Date.now();
        else if (Date.now() - lastActive >= o.idleExitS! * 1000) { clearInterval(timer); stop(); }
      }, 250);
      timer.unref();
    }
  });
  await worker.close();
  await queue.close();
  await pool.destroy();
  conn.disconnect();
  return { processed };
}
