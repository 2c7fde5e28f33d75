import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { G } from '../../src/core/units.js';
import { InputError } from '../../src/core/errors.js';
import { loadScenario } from '../../src/scenario/load.js';
import { checkHazards, createRuntimes, createState } from '../../src/engine/setup.js';
import { simulateChunk } from '../../src/engine/simulate.js';
import type { Block } from '../../src/plugin/index.js';
import { ROOT, smallScenario, tempDir, writeScenario } from '../helpers.js';
import { builtinPlugins } from '../../src/plugins.js';

const agent = (b: string) => ({ profile: join(ROOT, 'agents/behaviours', b) });

/** Runs a scenario in-process tick by tick, recording what hazard 0 renders for every device. */
function run(patch: Record<string, unknown>, seconds: number) {
  const dir = tempDir();
  const s = loadScenario(writeScenario(dir, smallScenario(dir, { duration: `${seconds}s`, local_start: '08:00', ...patch })), { plugins: builtinPlugins });
  const state = createState(s, builtinPlugins);
  checkHazards(state);
  const rt = createRuntimes(state);
  const n = state.columns.rows;
  const fs = 50;
  const signal = Array.from({ length: n }, () => ({ e: new Float32Array(seconds * fs), n: new Float32Array(seconds * fs), u: new Float32Array(seconds * fs) }));
  const h = rt.hazards[0]!;
  const render = h.render.bind(h);
  h.render = (d: number, b: Block) => {
    const before = [b.ae.slice(0, b.n), b.an.slice(0, b.n), b.au.slice(0, b.n)];
    render(d, b);
    for (let i = 0; i < b.n; i++) {
      signal[d]!.e[b.k0 + i] = b.ae[i]! - before[0]![i]!;
      signal[d]!.n[b.k0 + i] = b.an[i]! - before[1]![i]!;
      signal[d]!.u[b.k0 + i] = b.au[i]! - before[2]![i]!;
    }
  };
  const rows: any[] = [];
  const positions: Float64Array[] = [];
  for (let t = 0; t < seconds; t += 10) {
    const r = simulateChunk(rt, { tickFrom: t, tickTo: t + 10, deviceFrom: 0, deviceTo: n });
    rows.push(...r.truth);
    positions.push(Float64Array.from(state.columns.f64('x')));
  }
  return { state, signal, rows, positions, scenario: s };
}

describe('road anomalies', () => {
  const { rows, signal, state } = run({
    world: join(ROOT, 'worlds/monaco.geojson'),
    population: { devices: 300, phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }], behaviours: [agent('vehicle.yaml')], eligibility: 'all' },
    hazards: [{ type: 'road-anomaly', random: { count: 120 }, anomalies: [{ lon: 7.4205, lat: 43.7365, kind: 'pothole', severity_g: 1.5 }] }],
  }, 900);
  const passes = rows.filter((r) => r.item === 'pass');

  it('records every pass, hitting about the share the lane geometry allows', () => {
    expect(passes.length).toBeGreaterThan(30);
    const hits = passes.filter((p) => p.hit).length / passes.length;
    expect(hits).toBeGreaterThan(0.2);
    expect(hits).toBeLessThan(0.8);
  });

  it('gives a hit vehicle a vertical double impulse one wheelbase/speed apart, growing with speed and severity', () => {
    const hits = passes.filter((p) => p.hit && p.kind === 'pothole' && p.speed_m_s > 3);
    expect(hits.length).toBeGreaterThan(5);
    for (const hit of hits) {
      const u = signal[hit.device]!.u;
      const i0 = Math.ceil(hit.time * 50);
      const p = Math.max(...u.slice(i0, i0 + 25).map(Math.abs));
      // Expected size: severity × g × speed / 10 m/s (wheel hop plus body bounce, sampled at 50 Hz).
      const expected = hit.severity_g * G * (hit.speed_m_s / 10);
      expect(p / expected).toBeGreaterThan(0.2);
      expect(p / expected).toBeLessThan(3);
      // The rear axle rings again one wheelbase (2.7 m) / speed later.
      const gap = (2.7 / hit.speed_m_s) * 50;
      const rear = Math.max(...u.slice(Math.floor(i0 + gap), Math.floor(i0 + gap) + 4).map(Math.abs));
      expect(rear).toBeGreaterThan(0.1 * p);
    }
  });

  it('refuses an anomaly placed away from every road', () => {
    expect(() => run({
      world: join(ROOT, 'worlds/monaco.geojson'),
      population: { devices: 20, phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }], behaviours: [agent('vehicle.yaml')] },
      hazards: [{ type: 'road-anomaly', anomalies: [{ lon: 7.40, lat: 43.70, kind: 'pothole', severity_g: 1 }] }],
    }, 10)).toThrow(/hazards\[0\]\.anomalies\[0\]: expected a place within 25 m of a drivable road/);
  });
});

describe('crashes', () => {
  const { rows, signal, state, positions } = run({
    world: join(ROOT, 'worlds/grid-city.geojson'),
    population: { devices: 200, phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }], behaviours: [agent('vehicle.yaml')], eligibility: 'all' },
    hazards: [{ type: 'crash', random: { count: 4, from: '60s', to: '120s' } }],
  }, 400);
  const crashes = rows.filter((r) => r.item === 'crash');

  it('happens to driving vehicles and records time, place and speed', () => {
    expect(crashes.length).toBeGreaterThanOrEqual(2);
    for (const c of crashes) {
      expect(c.time).toBeGreaterThanOrEqual(60);
      expect(c.speed_kmh).toBeGreaterThan(0);
      expect(c.peak_g).toBeGreaterThanOrEqual(20);
      expect(c.peak_g).toBeLessThanOrEqual(60);
    }
  });

  it('decelerates with the configured peak along the travel direction, then the vehicle stays put', () => {
    for (const c of crashes) {
      const s = signal[c.device]!;
      const i0 = Math.floor(c.time * 50) - 2, i1 = i0 + 12;
      let peak = 0;
      for (let i = i0; i < i1; i++) peak = Math.max(peak, Math.hypot(s.e[i]!, s.n[i]!));
      // Averaged over 20 ms samples, a 60–150 ms half-sine keeps 90–100 % of its peak (plus the loose-phone impact).
      expect(peak / G).toBeGreaterThan(0.85 * c.peak_g);
      const after = positions.findIndex((_, k) => k * 10 + 10 > c.time + 10);
      for (let k = after + 1; k < positions.length; k++) expect(positions[k]![c.device]).toBe(positions[after]![c.device]);
    }
    void state;
  });

  it('refuses a crash of a device that does not exist or is not in a vehicle', () => {
    const base = { population: { devices: 50, phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }], behaviours: [agent('on-table.yaml')] } };
    expect(() => run({ ...base, hazards: [{ type: 'crash', crashes: [{ device: 500, time: '5s' }] }] }, 10)).toThrow(InputError);
    expect(() => run({ ...base, hazards: [{ type: 'crash', crashes: [{ device: 500, time: '5s' }] }] }, 10)).toThrow(/hazards\[0\]\.crashes\[0\]\.device: expected a device id from 0 to 49, found 500/);
    expect(() => run({ ...base, hazards: [{ type: 'crash', crashes: [{ device: 3, time: '5s' }] }] }, 10)).toThrow(/expected a device in a vehicle, found device 3 with behaviour "on-table"/);
  });
});
