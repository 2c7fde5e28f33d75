/**
 * Rendering an M7 earthquake's shaking for 100,000 devices scattered up to 150 km from the
 * epicentre: total time, shaking device-seconds rendered, and the cost per device-second of
 * shaking (rendering cost follows affected devices × shaking duration, not run length).
 */
import { ColumnSet } from '../src/core/columns.js';
import { FastRandom } from '../src/core/random.js';
import { parseWorld } from '../src/world/load.js';
import { buildGridCity } from '../src/world/build/grid-city.js';
import { earthquakeHazard as earthquake } from '../src/hazards/earthquake/index.js';
import type { Block, HazardContext } from '../src/plugin/index.js';
import { newBlock } from '../src/engine/block.js';
import type { Bench } from './harness.js';

export const hazardBench: Bench = {
  name: 'hazards.m7_render',
  description: 'render an M7 point-source earthquake for 100,000 devices within 150 km (50 Hz, 1 s blocks, from origin to the end of every window)',
  run(record) {
    const world = parseWorld(buildGridCity({ sizeKm: 400, cellKm: 50, roadSpacingKm: 100 }), 'bench');
    const n = 100_000;
    const c = earthquake.schema.parse({ type: 'earthquake', origin_time: 0, lon: world.frame.lon0, lat: world.frame.lat0, magnitude: 7, depth_km: 10, vs30: 760 });
    const cols = ColumnSet.allocate(n, [{ name: 'x', type: 'f64' }, { name: 'y', type: 'f64' }])
      .merge(ColumnSet.allocate(n, earthquake.columns(c, n).map((s) => ({ ...s, name: 'hazard0.' + s.name }))));
    const rng = FastRandom.of(1, 'bench-positions');
    for (let d = 0; d < n; d++) {
      const r = 150_000 * Math.sqrt(rng.uniform()), th = 2 * Math.PI * rng.uniform();
      cols.f64('x')[d] = r * Math.cos(th);
      cols.f64('y')[d] = r * Math.sin(th);
    }
    const ctx = { seed: 1, world, columns: cols, phones: [], behaviours: [], prefix: 'hazard0.', scenario: {}, report: () => {} } as unknown as HazardContext;
    const rt = earthquake.create(c, ctx);
    const fs = 50, seconds = 240;
    const b: Block = { ...newBlock(fs), fs };
    const state = cols.u8('hazard0.state');
    const t0 = performance.now();
    let shakingSeconds = 0;
    for (let d = 0; d < n; d++) {
      for (let s = 0; s < seconds; s++) {
        b.t0 = s; b.t1 = s + 1; b.k0 = s * fs;
        rt.render(d, b);
        if (state[d] === 3) break; // window over
      }
      const tp = cols.f64('hazard0.tp')[d]!, te = cols.f64('hazard0.tend')[d]!;
      if (state[d] === 2 || state[d] === 3) shakingSeconds += te - tp;
    }
    const wall = (performance.now() - t0) / 1000;
    let affected = 0;
    for (let d = 0; d < n; d++) if (state[d] === 2 || state[d] === 3) affected++;
    record('hazards.m7_render.wall_s', wall, 's');
    record('hazards.m7_render.affected_devices', affected, 'devices');
    record('hazards.m7_render.shaking_device_seconds', shakingSeconds, 'device-s');
    record('hazards.m7_render.us_per_shaking_device_second', (wall * 1e6) / shakingSeconds, 'µs');
    record('hazards.m7_render.mean_window_s', shakingSeconds / affected, 's');
  },
};
