/**
 * One job of a sweep: a point's scenario run with one seed, in-process (the sweep's parallelism is
 * across points), its summary written atomically into points/<hash>/seed-<s>/summary.json. The same
 * code runs on the local pool and on a BullMQ worker; a job whose summary exists is not run again.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, sha256 } from '../../core/canonical.js';
import { loadScenario, type ResolvedScenario } from '../../scenario/load.js';
import { builtinPlugins } from '../../plugins.js';
import { runScenario } from '../../engine/run.js';
import { buildSummary } from '../run.js';

export interface PointJob {
  /** The sweep's name and file (for messages). */
  sweep: string;
  /** Absolute path of the base scenario. */
  scenarioFile: string;
  overrides: string[];
  seed: number;
  /** The point's content hash as planned; the job refuses to run a scenario that resolves to another. */
  hash: string;
  /** Absolute folder of the sweep's output (points/ lies in it). */
  outDir: string;
  /** Estimated wall time on one thread, s (weights progress; the largest start first). */
  cost: number;
}

export interface JobResult {
  /** Whether the summary was there already. */
  skipped: boolean;
  /** Wall time of the run, s (0 when skipped). */
  seconds: number;
}

/** Content hash of a point: its resolved configuration without the seed and the hashes of the files it reads. */
export function pointHash(s: ResolvedScenario): string {
  return sha256(canonicalJson({ config: { ...s.config, seed: undefined }, files: s.files.map((f) => ({ field: f.field, sha256: f.sha256 })) }));
}

/** Where a job's summary lands. */
export function jobFile(outDir: string, hash: string, seed: number): string {
  return join(outDir, 'points', hash, `seed-${seed}`, 'summary.json');
}

export async function runPointJob(job: PointJob): Promise<JobResult> {
  const file = jobFile(job.outDir, job.hash, job.seed);
  if (existsSync(file)) return { skipped: true, seconds: 0 };
  const started = performance.now();
  const scenario = loadScenario(job.scenarioFile, { plugins: builtinPlugins, overrides: job.overrides, seed: job.seed });
  const hash = pointHash(scenario);
  if (hash !== job.hash) throw new Error(`${job.sweep}: the point resolves to ${hash.slice(0, 12)} here, not ${job.hash.slice(0, 12)} as planned: this machine sees other scenario, world or profile files than the one that planned the sweep`);
  const result = await runScenario(scenario, { plugins: builtinPlugins, threads: 0 });
  const summary = buildSummary(result);
  mkdirSync(join(file, '..'), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, JSON.stringify(summary, null, 2) + '\n');
  renameSync(tmp, file);
  return { skipped: false, seconds: (performance.now() - started) / 1000 };
}
