/**
 * Trigger fidelity at national scale: N phones across Türkiye under an M7.8 on a 350 km bilateral
 * rupture, end to end in one process (placement, triggers, network and server, scoring, the run's
 * files), on 2 threads. Prints the split by stage, peak memory and bytes per phone.
 * `npm run bench -- trigger` runs it for 100,000 and 1,000,000 phones (HAZARDSIM_BENCH_TRIGGER_PHONES
 * takes another list, e.g. 10000000), each in a process of its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { loadScenario } from '../src/scenario/load.js';
import { runScenario } from '../src/engine/run.js';
import { buildSummary, phonePositions } from '../src/cli/run.js';
import { DeviceRows, startRunFiles } from '../src/output/run-files.js';

import type { Bench } from './harness.js';
import { builtinPlugins } from '../src/plugins.js';
import { tunedEnv, wantsRestart } from '../src/cli/malloc-tuning.js';

export const triggerBench: Bench = {
  name: 'trigger',
  description: 'trigger fidelity: N phones across Türkiye, M7.8 on a 350 km bilateral rupture, 3 simulated minutes, 2 threads, end to end',
  async run(record) {
    const list = process.env.HAZARDSIM_BENCH_TRIGGER_PHONES ?? '100000,1000000', sizes = list.split(',').map((v) => Number(v.trim()));
    if (!sizes.every((v) => Number.isInteger(v) && v > 0)) throw new Error(`HAZARDSIM_BENCH_TRIGGER_PHONES: expected phone counts separated by commas, e.g. 1000000,10000000; found ${JSON.stringify(list)}`);
    // Each size in a process of its own: the peak is the process's maximum resident memory, which
    // would otherwise count the memory an earlier size left behind.
    for (const n of sizes) {
      // With glibc's malloc tuned as the simulating `hazardsim` commands have it (src/cli/malloc-tuning.ts).
      const env = wantsRestart(process.platform, process.env, 'run') ? { ...process.env, GLIBC_TUNABLES: tunedEnv(process.env.GLIBC_TUNABLES) } : process.env;
      const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), String(n)], { encoding: 'utf8', maxBuffer: 1 << 24, env });
      if (child.status !== 0) throw new Error(`trigger bench at ${n} phones failed (exit ${child.status}): ${child.stderr.trim().split('\n').pop()}`);
      const figures = JSON.parse(child.stdout.trim().split('\n').pop()!) as [string, number, string][];
      for (const [name, value, unit] of figures) record(name, value, unit);
    }
  },
};

/** One size, end to end in this process: the figures as [name, value, unit]. */
async function measure(n: number): Promise<[string, number, string][]> {
  const out: [string, number, string][] = [];
  const record = (name: string, value: number, unit: string) => { out.push([name, value, unit]); };
  const dir = mkdtempSync(join(tmpdir(), 'hazardsim-trigger-'));
  try {
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, stringify({
      name: 'trigger-bench', seed: 1, duration: '3m', tick: '1s', local_start: '04:17', fidelity: 'trigger',
      world: join(PACKAGE_ROOT, 'worlds/turkiye.geojson'),
      population: { devices: n, phones: [{ profile: join(PACKAGE_ROOT, 'agents/phones/mid-range.yaml') }], behaviours: [{ profile: join(PACKAGE_ROOT, 'agents/behaviours/stationary.yaml') }] },
      hazards: [{ type: 'earthquake', origin_time: '30s', lon: 37.014, lat: 37.226, depth_km: 10, magnitude: 7.8, rupture: { strike_deg: 50, length_km: 350, direction: 'bilateral' } }],
      detector: { type: 'sta-lta' }, network: { heartbeat_every: '5m' }, server: { type: 'cell-ratio', cell_km: 10, min_active: 5, min_fraction: 0.3, min_cells: 2, staleness: '15m' },
    }));
    const scenario = loadScenario(file, { plugins: builtinPlugins });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await runScenario(scenario, { plugins: builtinPlugins, threads: 2 });
    const t1 = performance.now();
    // As `hazardsim run` does: the run's own tables are written while the run is scored.
    mkdirSync(join(dir, 'out'));
    const files = await startRunFiles(join(dir, 'out'), r);
    const devices = new DeviceRows(r.truths, phonePositions(r));
    buildSummary(r, devices);
    const t2 = performance.now();
    await files.finish(devices);
    const t3 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const rss = process.resourceUsage().maxRSS * 1024;
    const k = `trigger.phones${n}`;
    record(`${k}.wall_s`, (t3 - t0) / 1000, 's (run + scoring + files)');
    record(`${k}.placement_s`, r.figures.setupSeconds, 's');
    record(`${k}.devices_s`, r.figures.simulateSeconds, 's (trigger stages, per thread)');
    record(`${k}.server_s`, r.figures.serverSeconds, 's');
    record(`${k}.run_s`, (t1 - t0) / 1000, 's');
    record(`${k}.scoring_s`, (t2 - t1) / 1000, 's (the run\'s own tables being written alongside)');
    record(`${k}.files_s`, (t3 - t2) / 1000, 's (after scoring: the devices table, and what remains of the others)');
    // Against wall_s, how much of the cores the run kept busy (a change that spreads the work, or one that cuts it).
    record(`${k}.cpu_s`, (cpu.user + cpu.system) / 1e6, 'core-seconds over wall_s (all threads; the kernel\'s share in kernel_s)');
    record(`${k}.kernel_s`, cpu.system / 1e6, 'core-seconds in the kernel (at a national size mostly page faults, about 30 µs each on this host)');
    record(`${k}.triggers`, r.messages.triggers, 'triggers');
    record(`${k}.messages`, r.messages.sent, 'messages over the uplink (heartbeats, triggers, updates)');
    record(`${k}.device_steps_per_phone`, r.figures.deviceSteps / n, `times a phone went through the stage list (of ${r.state.clock.ticks} ticks)`);
    record(`${k}.peak_rss_mb`, rss / 2 ** 20, 'MB (this size\'s own process, its maximum)');
    record(`${k}.bytes_per_phone`, r.state.columns.bytes() / n, 'bytes of columns per phone');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

// Run as a child of the bench (`node trigger.js <phones>`): one size, its figures as a JSON line.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  measure(Number(process.argv[2])).then((figures) => process.stdout.write(JSON.stringify(figures) + '\n'), (err) => {
    process.stderr.write(`${(err as Error).message ?? err}\n`);
    process.exitCode = 1;
  });
}
