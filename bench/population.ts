/**
 * Population benchmarks: placing 1,000,000 devices on the California world, and one 1-second
 * mobility tick (movement + phone context) for 1,000,000 mixed devices on grid-city at 08:00,
 * with the population state held per device.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { loadScenario } from '../src/scenario/load.js';
import { loadWorld } from '../src/world/load.js';
import { placeDevices, DEVICE_COLUMNS } from '../src/population/place.js';
import { MOBILITY_COLUMNS } from '../src/population/mobility.js';
import { CONTEXT_COLUMNS } from '../src/population/context.js';
import { createPopulationRuntimes, createState } from '../src/engine/setup.js';
import { ColumnSet } from '../src/core/columns.js';
import type { Bench } from './harness.js';
import { builtinPlugins } from '../src/plugins.js';

const N = 1_000_000;

export const placementBench: Bench = {
  name: 'population.placement',
  description: `placing ${N.toLocaleString('en-US')} devices in proportion to population on worlds/california.geojson`,
  run(record) {
    const world = loadWorld(join(PACKAGE_ROOT, 'worlds/california.geojson'));
    placeDevices(world, { seed: 0, devices: 10_000, phoneShares: [1], behaviourShares: [1] }); // warm up
    const t0 = performance.now();
    placeDevices(world, { seed: 1, devices: N, phoneShares: [1, 1, 1], behaviourShares: [1, 1] });
    record('population.placement.california_1M_s', (performance.now() - t0) / 1000, 's');
  },
};

export const mobilityBench: Bench = {
  name: 'population.mobility',
  description: `one 1-s tick of movement and phone context for ${N.toLocaleString('en-US')} mixed devices (25 % each of stationary, pedestrian, vehicle, commuter) on grid-city at 08:00, one core`,
  run(record) {
    const dir = mkdtempSync(join(tmpdir(), 'hazardsim-bench-'));
    const agent = (b: string) => ({ profile: join(PACKAGE_ROOT, 'agents/behaviours', b) });
    const file = join(dir, 'mixed.yaml');
    writeFileSync(file, stringify({
      name: 'mixed', duration: '1h', local_start: '07:55', world: join(PACKAGE_ROOT, 'worlds/grid-city.geojson'),
      population: { devices: N, phones: [{ profile: join(PACKAGE_ROOT, 'agents/phones/mid-range.yaml') }], behaviours: ['stationary.yaml', 'pedestrian.yaml', 'vehicle.yaml', 'commuter.yaml'].map(agent) },
      detector: { type: 'sta-lta' }, server: { type: 'cell-ratio' },
    }));
    const t0 = performance.now();
    const state = createState(loadScenario(file, { plugins: builtinPlugins }), builtinPlugins);
    record('population.mobility.setup_1M_s', (performance.now() - t0) / 1000, 's');
    const { mobility, contexts } = createPopulationRuntimes(state);
    const act = mobility.activity;
    const n = state.columns.rows;
    const tick = (t: number) => {
      for (let d = 0; d < n; d++) {
        const changed = mobility.step(d, t, t + 1);
        contexts.update(d, act[d]!, t + 1, changed);
      }
    };
    // Run 5 minutes so commuters and drivers are on the roads, then time 30 ticks.
    for (let t = 0; t < 300; t++) tick(t);
    let moving = 0;
    for (let d = 0; d < n; d++) if (act[d] === 2 || act[d] === 4) moving++;
    const t1 = performance.now();
    for (let t = 300; t < 330; t++) tick(t);
    const perTick = (performance.now() - t1) / 30;
    record('population.mobility.tick_1M_ms', perTick, 'ms');
    record('population.mobility.moving_share', moving / n, 'fraction walking or driving');
    const specs = [...DEVICE_COLUMNS.map((c) => ({ ...c })), ...MOBILITY_COLUMNS, ...CONTEXT_COLUMNS, { name: 'monitoring', type: 'u8' as const }];
    const bytes = ColumnSet.allocate(1, specs).bytes();
    record('population.mobility.state_bytes_per_device', bytes, 'bytes');
  },
};
