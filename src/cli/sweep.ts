/** `hazardsim sweep` (plan, run locally or through Redis, merge, report) and `hazardsim worker` (take sweep jobs from Redis). */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { displayPath } from '../core/paths.js';
import { writeTable } from '../output/tables.js';
import { connectRedis, runDistributed, runLocal, startWorker, type Progress } from './sweep/execute.js';
import { mergeTables, readSummaries } from './sweep/merge.js';
import { planSweep } from './sweep/plan.js';
import { sweepReport } from './sweep/report.js';
import { fmt } from './common.js';

export interface SweepOptions {
  sweep: string;
  out?: string;
  jobs?: number;
  redis?: string;
  quiet?: boolean;
  force?: boolean;
}

/** Progress of a sweep (or a regression suite) on stderr: a line rewritten in place on a TTY, plain lines every 10 s (HAZARDSIM_PROGRESS_MS) in a log. */
export function progressPrinter(name: string, enabled: boolean, what = 'sweep') {
  const tty = process.stderr.isTTY === true, every = Number(process.env.HAZARDSIM_PROGRESS_MS ?? 10_000);
  const started = Date.now();
  let lastLine = 0, shown = false, first: number | undefined;
  return {
    update(p: Progress) {
      if (!enabled) return;
      const now = Date.now(), secs = (now - started) / 1000, ran = p.done - p.already;
      // Time left from the estimated work done (big runs weigh more), measured since this invocation began.
      first ??= p.fraction;
      const rate = secs > 0 ? ran / secs : 0, workRate = secs > 0 ? (p.fraction - first) / secs : 0, left = workRate > 0 ? (1 - p.fraction) / workRate : NaN;
      const eta = Number.isFinite(left) && p.done < p.total ? `, about ${left < 90 ? `${Math.round(left)} s` : `${Math.round(left / 60)} min`} left` : '';
      const line = `hazardsim ${what} ${name}: ${p.done}/${p.total} runs done${p.already ? ` (${p.already} from before)` : ''}, ${fmt(rate * 60, 1)} runs/min${eta}`;
      if (tty) { process.stderr.write(`\r${line}\x1b[K`); shown = true; }
      else if (now - lastLine >= every || p.done === p.total) { process.stderr.write(`${line}\n`); lastLine = now; }
    },
    stop() { if (shown) process.stderr.write('\n'); },
  };
}

/** The sweep's output folder may hold earlier points of it, but nothing else of the user's. */
function checkSweepFolder(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new InputError('--out', `${displayPath(dir)} is an existing file, not a folder; choose a folder path`);
  const entries = readdirSync(dir);
  if (entries.length && !entries.includes('points') && !entries.includes('sweep.json')) throw new InputError('--out', `${displayPath(dir)} is a folder hazardsim did not write (no points/ or sweep.json in it) and is not empty; choose a new or empty folder`);
}

export async function sweepCommand(o: SweepOptions): Promise<number> {
  if (o.jobs !== undefined && (!Number.isInteger(o.jobs) || o.jobs < 1 || o.jobs > 256)) throw new InputError('--jobs', `expected a whole number of parallel runs from 1 to 256, found ${o.jobs}`);
  const plan = planSweep(o.sweep, { out: o.out, force: o.force });
  checkSweepFolder(plan.outDir);
  // An unreachable Redis is bad input, found before anything is written.
  if (o.redis) (await connectRedis(o.redis)).disconnect();
  const name = plan.sweep.config.name, started = Date.now();
  const progress = progressPrinter(name, !o.quiet);
  mkdirSync(join(plan.outDir, 'points'), { recursive: true });
  try {
    if (o.redis) await runDistributed(plan.jobs, { redis: o.redis, onProgress: (p) => progress.update(p) });
    else await runLocal(plan.jobs, { jobs: o.jobs, onProgress: (p) => progress.update(p) });
  } finally {
    progress.stop();
  }
  const tables = mergeTables(plan, readSummaries(plan));
  // Merged files go to a temporary folder first, then into place: never half-merged.
  const tmp = join(plan.outDir, `.merge-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const written: string[] = [];
  for (const t of tables) written.push(...(await writeTable(tmp, t.name, t.columns, Object.fromEntries(t.columns.map((c) => [c.name, t.rows.map((r) => r[c.name] ?? null)])), t.rows.length)));
  const seeds = plan.points[0]?.seeds.length ?? 0;
  const meta = {
    schema_version: 1, sweep: name, file: plan.sweep.file, scenario: displayPath(plan.sweep.scenarioFile), params: plan.params, seeds: plan.points[0]?.seeds ?? [],
    points: plan.points.map((p) => ({ point: p.index + 1, hash: p.hash, params: Object.fromEntries(p.params), ...(p.event ? { event: p.event.name } : {}) })),
    pooled: tables.find((t) => t.name === 'sweep-pooled')!.rows,
  };
  writeFileSync(join(tmp, 'sweep.json'), JSON.stringify(meta, null, 2) + '\n');
  writeFileSync(join(tmp, 'report.html'), sweepReport({ name, description: plan.sweep.config.description, params: plan.params, tables, runs: plan.points.length * seeds, seeds }));
  for (const f of readdirSync(tmp)) renameSync(join(tmp, f), join(plan.outDir, f));
  rmSync(tmp, { recursive: true, force: true });
  if (!o.quiet) {
    const w = (s: string) => process.stdout.write(s + '\n');
    w(`hazardsim sweep ${name}: ${plan.points.length} points × ${seeds} seeds = ${plan.jobs.length} runs${o.redis ? ' through Redis' : ''} in ${fmt((Date.now() - started) / 1000, 1)} s`);
    const pooled = tables.find((t) => t.name === 'sweep-pooled')!.rows;
    for (const r of pooled.slice(0, 20)) {
      const params = plan.params.filter((p) => !p.startsWith('start_utc') && !p.startsWith('local_start')).map((p) => `${p}=${r[p]}`).join(' ');
      w(`  ${r.event ? `${r.event} ` : ''}${params}: timely ${fmt(r.timely_share as number, 3)} [${fmt(r.timely_share_lo as number, 3)}, ${fmt(r.timely_share_hi as number, 3)}], median warning ${fmt(r.warning_p50_s as number, 1)} s, false alerts/day ${fmt(r.false_alerts_per_day as number, 2)}`);
    }
    if (pooled.length > 20) w(`  … ${pooled.length - 20} more points in sweep-pooled.csv`);
    w(`  wrote ${displayPath(plan.outDir)}/: sweep, sweep-pooled, sweep-bands (.parquet and .csv), sweep.json, report.html; runs under points/<hash>/seed-<s>/`);
  }
  return 0;
}

export interface WorkerOptions {
  redis: string;
  jobs?: number;
  lockS?: number;
  idleExitS?: number;
  quiet?: boolean;
}

export async function workerCommand(o: WorkerOptions): Promise<number> {
  if (o.jobs !== undefined && (!Number.isInteger(o.jobs) || o.jobs < 1 || o.jobs > 256)) throw new InputError('--jobs', `expected a whole number of parallel runs from 1 to 256, found ${o.jobs}`);
  if (o.lockS !== undefined && !(o.lockS >= 1)) throw new InputError('--lock', `expected at least 1 s, found ${o.lockS}`);
  if (o.idleExitS !== undefined && !(o.idleExitS >= 0)) throw new InputError('--idle-exit', `expected a number of seconds ≥ 0, found ${o.idleExitS}`);
  const log = o.quiet ? undefined : (line: string) => process.stderr.write(line + '\n');
  log?.(`hazardsim worker: taking sweep jobs from ${o.redis}`);
  const r = await startWorker({ redis: o.redis, jobs: o.jobs, lockS: o.lockS, idleExitS: o.idleExitS, log });
  log?.(`hazardsim worker: stopped after ${r.processed} jobs`);
  return 0;
}
