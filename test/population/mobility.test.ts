import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { bidirectional } from 'graphology-shortest-path/dijkstra.js';
import { InputError } from '../../src/core/errors.js';
import { loadScenario } from '../../src/scenario/load.js';
import { createPopulationRuntimes, createState } from '../../src/engine/setup.js';
import { RoadNetwork } from '../../src/world/roads.js';
import { loadWorld, insideWorld } from '../../src/world/load.js';
import { segmentDistance2 } from '../../src/world/geometry.js';
import { Activity } from '../../src/population/mobility.js';
import { CONTEXT_CODE } from '../../src/population/behaviour.js';
import { ROOT, smallScenario, tempDir, writeScenario } from '../helpers.js';
import { builtinPlugins } from '../../src/plugins.js';

const agent = (name: string) => join(ROOT, 'agents/behaviours', name);

/** A state for `behaviours` on a world, plus a stepper that advances every device tick by tick. */
function simulate(world: string, behaviours: string[], opts: { devices?: number; localStart?: string; seed?: number } = {}) {
  const dir = tempDir();
  const s = smallScenario(dir, {
    world,
    local_start: opts.localStart ?? '07:30',
    seed: opts.seed ?? 1,
    hazards: [],
    population: { devices: opts.devices ?? 300, phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }], behaviours: behaviours.map((b) => ({ profile: agent(b) })) },
  });
  const state = createState(loadScenario(writeScenario(dir, s), { plugins: builtinPlugins }), builtinPlugins);
  const { mobility, contexts } = createPopulationRuntimes(state);
  const n = state.columns.rows;
  let t = 0;
  return {
    state, mobility, n,
    get t() { return t; },
    tick(dt = 1) {
      for (let d = 0; d < n; d++) {
        const changed = mobility.step(d, t, t + dt);
        contexts.update(d, mobility.activity[d]!, t + dt, changed);
      }
      t += dt;
    },
  };
}

function distanceToRoads(roads: RoadNetwork, x: number, y: number): number {
  let best = Infinity;
  for (let e = 0; e < roads.edgeFrom.length; e++) {
    const s = roads.edgeStart[e]!, c = roads.edgeCount[e]!;
    for (let i = s; i < s + c - 1; i++) best = Math.min(best, segmentDistance2(x, y, roads.vx[i]!, roads.vy[i]!, roads.vx[i + 1]!, roads.vy[i + 1]!));
  }
  return Math.sqrt(best);
}

describe('mobility', () => {
  it('vehicles stay on roads (< 1 m) and never exceed the speed limit', () => {
    const sim = simulate(join(ROOT, 'worlds/monaco.geojson'), ['vehicle.yaml'], { devices: 60 });
    const roads = sim.state.roads!;
    const x = sim.state.columns.f64('x'), y = sim.state.columns.f64('y');
    const edge = sim.state.columns.i32('mob.edge');
    const maxLimit = Math.max(...roads.edgeSpeed);
    let checked = 0, driving = 0;
    for (let step = 0; step < 1800; step++) {
      const px = Float64Array.from(x), py = Float64Array.from(y);
      const before = Int32Array.from(edge);
      sim.tick();
      for (let d = 0; d < sim.n; d++) {
        if (sim.mobility.activity[d] !== Activity.Drive) continue;
        driving++;
        if (step % 30 === 0) {
          expect(distanceToRoads(roads, x[d]!, y[d]!)).toBeLessThan(1);
          checked++;
        }
        const e0 = before[d]! >= 0 ? before[d]! : -1, e1 = edge[d]!;
        const limit = Math.max(e0 >= 0 ? roads.edgeSpeed[e0]! : 0, roads.edgeSpeed[e1 >= 0 ? e1 : -e1 - 2]!);
        const moved = Math.hypot(x[d]! - px[d]!, y[d]! - py[d]!);
        expect(moved).toBeLessThanOrEqual((e0 >= 0 ? limit : maxLimit) * 1 + 1e-6);
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(driving).toBeGreaterThan(10_000);
  });

  it('pedestrians never leave a non-convex boundary', () => {
    // An L-shaped world: the straight line between two points can leave it.
    const dir = tempDir();
    const L = [[[0, 45], [0.03, 45], [0.03, 45.01], [0.01, 45.01], [0.01, 45.03], [0, 45.03], [0, 45]]];
    const file = join(dir, 'l.geojson');
    writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', metadata: { name: 'L' }, features: [
      { type: 'Feature', properties: { role: 'boundary' }, geometry: { type: 'Polygon', coordinates: L } },
      { type: 'Feature', properties: { role: 'population', density_per_km2: 1000 }, geometry: { type: 'Polygon', coordinates: L } },
    ] }));
    const sim = simulate(file, ['pedestrian.yaml'], { devices: 200 });
    const world = loadWorld(file);
    const x = sim.state.columns.f64('x'), y = sim.state.columns.f64('y');
    let walked = 0;
    for (let step = 0; step < 3600; step++) {
      sim.tick();
      for (let d = 0; d < sim.n; d++) {
        if (sim.mobility.activity[d] === Activity.Walk) walked++;
        if (step % 10 === 0) expect(insideWorld(world, x[d]!, y[d]!)).toBe(true);
      }
    }
    expect(walked).toBeGreaterThan(50_000);
  });

  it('commuters are at work between their personal leave times and home outside them', () => {
    const sim = simulate(join(ROOT, 'worlds/grid-city.geojson'), ['commuter.yaml'], { devices: 200, localStart: '06:00' });
    const act = sim.mobility.activity;
    const hx = sim.state.columns.f32('mob.home_x'), wx = sim.state.columns.f32('mob.work_x');
    const x = sim.state.columns.f64('x');
    for (let d = 0; d < sim.n; d++) expect(act[d]).toBe(Activity.Home); // 06:00: before the earliest departure (07:30)
    // 06:00 → 11:00: everyone leaves between 07:30 and 08:30 and arrives well before 11:00.
    let travelling = 0;
    for (let s = 0; s < 5 * 3600; s += 10) {
      sim.tick(10);
      for (let d = 0; d < sim.n; d++) if (act[d] === Activity.Drive || act[d] === Activity.Walk) travelling++;
      if (sim.t <= 1.5 * 3600) for (let d = 0; d < sim.n; d++) expect(act[d]).toBe(Activity.Home); // before 07:30
    }
    expect(travelling).toBeGreaterThan(0);
    for (let d = 0; d < sim.n; d++) {
      expect(act[d]).toBe(Activity.Work);
      expect(x[d]).toBeCloseTo(wx[d]!, 0);
    }
    void hx;
  });

  it('stationary workers spend personal work hours (09:00–17:00 ± 45 min) at work and nights at home', () => {
    const sim = simulate(join(ROOT, 'worlds/grid-city.geojson'), ['stationary.yaml'], { devices: 2000, localStart: '08:00' });
    const x = sim.state.columns.f64('x'), hx = sim.state.columns.f32('mob.home_x'), wx = sim.state.columns.f32('mob.work_x');
    const at = () => {
      let work = 0, home = 0;
      for (let d = 0; d < sim.n; d++) {
        if (sim.mobility.activity[d] === Activity.Work) { work++; expect(x[d]).toBeCloseTo(wx[d]!, 0); } else { home++; expect(x[d]).toBeCloseTo(hx[d]!, 0); }
      }
      return work / sim.n;
    };
    sim.tick(60);
    expect(at()).toBe(0); // 08:01: nobody starts before 08:15
    for (let i = 0; i < 4 * 60; i++) sim.tick(60); // → 12:01
    const share = at();
    expect(Math.abs(share - 0.55)).toBeLessThan(4 * Math.sqrt(0.55 * 0.45 / sim.n)); // work.share 0.55
    for (let i = 0; i < 14 * 60; i++) sim.tick(60); // → 02:01
    expect(at()).toBe(0);
  });

  it('draws phone context by local hour with the profile shares', () => {
    // stationary.yaml: 82 % of phones on a table at 02:00, 35 % at 08:00.
    for (const [time, share] of [['02:00', 0.82], ['08:00', 0.35]] as const) {
      const sim = simulate(join(ROOT, 'worlds/grid-city.geojson'), ['stationary.yaml'], { devices: 4000, localStart: time });
      const ctx = sim.state.columns.u8('ctx.context');
      let table = 0;
      for (let d = 0; d < sim.n; d++) if (ctx[d] === CONTEXT_CODE.table) table++;
      const p = table / sim.n;
      const sigma = Math.sqrt((share * (1 - share)) / sim.n);
      expect(Math.abs(p - share)).toBeLessThan(4 * sigma);
    }
  });

  it('myshake-steady.yaml: the share of steady phones by local hour is the one MyShake measured on its phones', () => {
    // MyShake's hourly steady-phone ratio over a year of its phones (means of the simulation
    // platform's steady_phone_ratio_hourly table, Kong, Martin-Short & Allen 2020; see the profile).
    const measured: Record<string, number> = { '03:00': 0.9706, '07:00': 0.5294, '13:00': 0.1964, '22:00': 0.4149 };
    for (const [time, share] of Object.entries(measured)) {
      const sim = simulate(join(ROOT, 'worlds/grid-city.geojson'), ['myshake-steady.yaml'], { devices: 4000, localStart: time });
      sim.tick(60); // one minute: workers start where their hours put them, so nobody moves and restarts its steadiness
      const steady = sim.state.columns.u8('ctx.steady');
      let n = 0;
      for (let d = 0; d < sim.n; d++) n += steady[d]!;
      const p = n / sim.n, sigma = Math.sqrt((share * (1 - share)) / sim.n);
      // Four binomial standard deviations, and the profile's rounding to 0.001.
      expect(Math.abs(p - share), time).toBeLessThan(4 * sigma + 0.001);
    }
  });

  it('marks phones steady only after they have rested for steady_after, and monitors steady phones', () => {
    const sim = simulate(join(ROOT, 'worlds/grid-city.geojson'), ['pedestrian.yaml'], { devices: 500 });
    const steady = sim.state.columns.u8('ctx.steady'), mon = sim.state.columns.u8('monitoring');
    for (let s = 0; s < 600; s++) {
      sim.tick();
      for (let d = 0; d < sim.n; d++) {
        if (sim.mobility.activity[d] === Activity.Walk) expect(steady[d]).toBe(0);
        expect(mon[d]).toBe(steady[d]); // eligibility: steady
      }
    }
  });

  it('routes along shortest travel-time paths (checked against graphology-shortest-path)', () => {
    const roads = new RoadNetwork(loadWorld(join(ROOT, 'worlds/monaco.geojson')).roads);
    const g = roads.graph('car');
    const nodes = roads.carNodes;
    for (let i = 0; i < 25; i++) {
      const a = nodes[(i * 97) % nodes.length]!, b = nodes[(i * 211 + 13) % nodes.length]!;
      if (a === b) continue;
      const path = bidirectional(g, String(a), String(b), 'w') as string[];
      let lib = 0;
      for (let k = 1; k < path.length; k++) lib += g.getEdgeAttribute(g.edge(path[k - 1]!, path[k]!)!, 'w') as number;
      expect(roads.routeTime('car', a, b)).toBeCloseTo(lib, 6);
    }
  });

  it('keeps vehicles on the largest connected road component (documented fallback)', () => {
    const dir = tempDir();
    const file = join(dir, 'islands.geojson');
    const road = (coords: number[][]) => ({ type: 'Feature', properties: { role: 'road', class: 'primary', speed_kmh: 50 }, geometry: { type: 'LineString', coordinates: coords } });
    writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', metadata: { name: 'islands' }, features: [
      { type: 'Feature', properties: { role: 'boundary' }, geometry: { type: 'Polygon', coordinates: [[[0, 45], [0.05, 45], [0.05, 45.05], [0, 45.05], [0, 45]]] } },
      { type: 'Feature', properties: { role: 'population', density_per_km2: 500 }, geometry: { type: 'Polygon', coordinates: [[[0, 45], [0.05, 45], [0.05, 45.05], [0, 45.05], [0, 45]]] } },
      // A square of four streets: the big component.
      road([[0.001, 45.001], [0.02, 45.001]]), road([[0.02, 45.001], [0.02, 45.02]]),
      road([[0.02, 45.02], [0.001, 45.02]]), road([[0.001, 45.02], [0.001, 45.001]]),
      road([[0.04, 45.04], [0.045, 45.04]]), // an island
    ] }));
    const sim = simulate(file, ['vehicle.yaml'], { devices: 100 });
    const roads = sim.state.roads!;
    expect(roads.disconnectedNodes).toBe(2);
    for (let s = 0; s < 1200; s++) sim.tick();
    const x = sim.state.columns.f64('x');
    for (let d = 0; d < sim.n; d++) expect(x[d]).toBeLessThan(roads.nodeX[0]! + 2000); // never on the island at 0.04°
  });

  it('refuses vehicle behaviours in a world without roads', () => {
    const dir = tempDir();
    const s = smallScenario(dir, { population: { devices: 10, phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }], behaviours: [{ profile: agent('vehicle.yaml') }] } });
    const world = join(dir, 'small-city.geojson');
    const json = JSON.parse(readFileSync(world, 'utf8'));
    json.features = json.features.filter((f: any) => f.properties.role !== 'road');
    writeFileSync(world, JSON.stringify(json));
    expect(() => createState(loadScenario(writeScenario(dir, s), { plugins: builtinPlugins }), builtinPlugins)).toThrow(InputError);
    expect(() => createState(loadScenario(writeScenario(dir, s), { plugins: builtinPlugins }), builtinPlugins)).toThrow(/population\.behaviours\[0\]\.profile: behaviour "vehicle" \(vehicle\) travels on roads, but world small-city .* has no road features/);
  });
});
