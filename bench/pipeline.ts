/** The signal pipeline end to end: the quickstart on 1 and 2 threads, and moving phones (walking, driving). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { loadScenario } from '../src/scenario/load.js';
import { runScenario } from '../src/engine/run.js';
import type { Bench } from './harness.js';
import { builtinPlugins } from '../src/plugins.js';

export const pipelineBench: Bench = {
  name: 'pipeline.quickstart',
  description: 'scenarios/quickstart.yaml (20,000 phones, 10 simulated minutes, M6) end to end',
  async run(record) {
    const scenario = loadScenario(join(PACKAGE_ROOT, 'scenarios/quickstart.yaml'), { plugins: builtinPlugins });
    for (const threads of [1, 2]) {
      const r = await runScenario(scenario, { plugins: builtinPlugins, threads });
      const f = r.figures;
      record(`pipeline.quickstart.threads${threads}.wall_s`, f.wallSeconds, 's');
      record(`pipeline.quickstart.threads${threads}.device_seconds_per_s`, f.deviceSeconds / f.wallSeconds, 'device-s/s');
      record(`pipeline.quickstart.threads${threads}.samples_per_s`, f.samples / f.wallSeconds, '3-axis samples/s');
      record(`pipeline.quickstart.threads${threads}.server_s`, f.serverSeconds, 's');
    }
    record('pipeline.quickstart.peak_rss_mb', process.resourceUsage().maxRSS / 1024, 'MB');
  },
};

/** 20,000 phones of one behaviour on grid-city for 60 s of signal mode with STA/LTA on 2 threads; records speed and trigger rate under `name`. */
async function signalModeRun(name: string, behaviour: Record<string, unknown>, record: Parameters<Bench['run']>[0], what: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hazardsim-signal-'));
  try {
    const profile = join(dir, 'behaviour.yaml');
    writeFileSync(profile, stringify(behaviour));
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, stringify({
      name: 'signal-mode', seed: 1, duration: '60s', tick: '1s', world: join(PACKAGE_ROOT, 'worlds/grid-city.geojson'),
      population: { devices: 20_000, eligibility: 'all', phones: [{ profile: join(PACKAGE_ROOT, 'agents/phones/mid-range.yaml') }], behaviours: [{ profile }] },
      hazards: [], detector: { type: 'sta-lta' }, server: { type: 'cell-ratio' },
    }));
    const r = await runScenario(loadScenario(file, { plugins: builtinPlugins }), { plugins: builtinPlugins, threads: 2 });
    record(`${name}.threads2.wall_s`, r.figures.wallSeconds, 's');
    record(`${name}.threads2.device_seconds_per_s`, r.figures.deviceSeconds / r.figures.wallSeconds, 'device-s/s');
    record(`${name}.triggers_per_phone_hour`, r.messages.triggers / (20_000 * 60 / 3600), `STA/LTA triggers per phone-hour ${what}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Moving phones in signal mode: walkers who hardly stop, phones in hands, pockets and bags. */
export const movingBench: Bench = {
  name: 'pipeline.moving',
  description: '20,000 walkers on grid-city (pauses of 1–10 s), mid-range phones, 60 s of signal mode with STA/LTA, 2 threads',
  run: (record) => signalModeRun('pipeline.moving', {
    name: 'walker', description: 'walks with short pauses', kind: 'pedestrian', model: 'levy', speed_mps: [0.8, 1.6],
    flight_m: { min: 100, max: 3000, alpha: 1.6 }, pause: { min: '1s', max: '10s', alpha: 1.6 },
    context_moving: { hand: 0.3, pocket: 0.5, bag: 0.2 }, context_paused: { hand: 0.3, pocket: 0.5, bag: 0.2 },
  }, record, 'while walking'),
};

/** Moving phones in cars: the ride, the road under it, loose phones, on the grid-city roads. */
export const drivingBench: Bench = {
  name: 'pipeline.driving',
  description: '20,000 drivers on grid-city roads (short stops between trips), mid-range phones mounted, loose, in pockets and bags, 60 s of signal mode with STA/LTA, 2 threads',
  run: (record) => signalModeRun('pipeline.driving', {
    name: 'driver', description: 'drives with short stops', kind: 'vehicle', speed_factor: [0.7, 1.0],
    dwell: { min: '5s', max: '30s', alpha: 1.2 },
    context_driving: { 'vehicle-mount': 0.3, table: 0.2, pocket: 0.3, bag: 0.2 }, context_parked: { table: 0.3, hand: 0.3, pocket: 0.3, bag: 0.1 },
  }, record, 'while driving'),
};
