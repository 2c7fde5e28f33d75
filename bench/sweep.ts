/**
 * Sweeps: points per hour of a 12-point sweep of small runs (2,000 phones, 90 s, signal fidelity) on
 * 1 and 2 local workers and through Redis with 2 `hazardsim worker`s (a real redis-server on a free
 * loopback port, when installed); the fixed cost of a sweep command (start, plan, merge: the same
 * sweep again with every run done) and the overhead per job beyond the run itself and that fixed
 * cost (ms); and the wall time
 * of the shipped sweeps/california-adoption.yaml (40 runs; HAZARDSIM_BENCH_SWEEP_CALIFORNIA=0 skips it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { planSweep } from '../src/cli/sweep/plan.js';
import { runPointJob } from '../src/cli/sweep/job.js';
import type { Bench } from './harness.js';

const CLI = join(PACKAGE_ROOT, 'dist', 'src', 'cli.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const port = (s.address() as { port: number }).port; s.close(() => resolve(port)); });
  });
}
const exited = (p: ChildProcess) => new Promise<void>((r) => (p.exitCode !== null || p.signalCode !== null ? r() : p.once('exit', () => r())));

/** Wall seconds of `hazardsim sweep` with these arguments. */
function sweepSeconds(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'sweep', ...args, '--quiet'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sweep failed: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

export const sweepBench: Bench = {
  name: 'sweep',
  description: 'sweeps: 12 small points on 1 and 2 local workers and through Redis with 2 workers; overhead per job; the california-adoption sweep',
  async run(record) {
    const dir = mkdtempSync(join(tmpdir(), 'hazardsim-sweep-bench-'));
    try {
      writeFileSync(join(dir, 'scenario.yaml'), stringify({
        name: 'small', seed: 7, duration: '90s', tick: '1s', world: join(PACKAGE_ROOT, 'worlds/grid-city.geojson'),
        population: { devices: 2000, phones: [{ profile: join(PACKAGE_ROOT, 'agents/phones/mid-range.yaml') }], behaviours: [{ profile: join(PACKAGE_ROOT, 'agents/behaviours/on-table.yaml') }] },
        hazards: [{ type: 'earthquake', origin_time: '20s', lon: -120.09, lat: 36.0, depth_km: 8, magnitude: 5.5 }],
        detector: { type: 'sta-lta' }, server: { type: 'cell-ratio', cell_km: 5, min_active: 5, min_fraction: 0.3 },
      }));
      const sweep = join(dir, 'sweep.yaml');
      writeFileSync(sweep, stringify({ name: 'bench', scenario: 'scenario.yaml', grid: [{ path: 'hazards.0.magnitude', range: { from: 5, to: 6.1, steps: 12 } }] }));
      const N = 12;
      // The run itself, in this process (warm): the reference the overheads are measured against.
      const plan = planSweep(sweep, { out: join(dir, 'ref') });
      await runPointJob(plan.jobs[0]!);
      let runS = 0;
      for (const j of plan.jobs.slice(1, 5)) { const r = await runPointJob(j); runS += r.seconds; }
      runS /= 4;
      record('run_s', runS, 's per run, in-process');
      const fixed = (() => { sweepSeconds([sweep, '--out', join(dir, 'fixed')]); return sweepSeconds([sweep, '--out', join(dir, 'fixed')]); })();
      record('fixed_s', fixed, 's per sweep command (start, plan, merge, report)');
      for (const jobs of [1, 2]) {
        const s = sweepSeconds([sweep, '--out', join(dir, `local-${jobs}`), '--jobs', String(jobs)]);
        record(`local_${jobs}_worker_points_per_hour`, (N / s) * 3600, 'points/h');
        record(`local_${jobs}_worker_overhead_per_job_ms`, (((s - fixed) * jobs) / N - runS) * 1000, 'ms');
      }
      if (!spawnSync('redis-server', ['--version']).error) {
        const port = await freePort();
        const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
        const url = `redis://127.0.0.1:${port}`;
        try {
          for (let i = 0; i < 100 && spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() !== 'PONG'; i++) await new Promise((r) => setTimeout(r, 100));
          const workers = [0, 1].map(() => spawn(process.execPath, [CLI, 'worker', '--redis', url, '--jobs', '1', '--quiet'], { stdio: 'ignore' }));
          await new Promise((r) => setTimeout(r, 1500)); // workers up (their start is not the sweep's cost)
          const s = sweepSeconds([sweep, '--out', join(dir, 'redis'), '--redis', url]);
          record('redis_2_workers_points_per_hour', (N / s) * 3600, 'points/h');
          record('redis_2_workers_overhead_per_job_ms', (((s - fixed) * 2) / N - runS) * 1000, 'ms');
          for (const w of workers) w.kill('SIGTERM');
          await Promise.all(workers.map(exited));
          if (readFileSync(join(dir, 'redis', 'sweep.csv'), 'utf8') !== readFileSync(join(dir, 'local-2', 'sweep.csv'), 'utf8')) throw new Error('the Redis sweep merged another table than the local one');
        } finally {
          redis.kill('SIGTERM');
          await exited(redis);
        }
      } else process.stdout.write('  (redis-server not installed: the Redis figures are skipped)\n');
      if (process.env.HAZARDSIM_BENCH_SWEEP_CALIFORNIA !== '0') {
        const s = sweepSeconds([join(PACKAGE_ROOT, 'sweeps/california-adoption.yaml'), '--out', join(dir, 'california')]);
        record('california_adoption_wall_s', s, 's (40 runs, 2 local workers)');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
