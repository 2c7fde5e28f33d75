import { describe, expect, it } from 'vitest';

import { FastRandom } from '../../src/core/random.js';
import { G } from '../../src/core/units.js';
import { loadWorld, type World } from '../../src/world/load.js';
import { ba08 } from '../../src/physics/ba08.js';
import { cellRatioServer as cellRatio, cellRatioSchema } from '../../src/server/cell-ratio.js';
import { binomialServer as binomial, binomialSchema, binomialTail } from '../../src/server/binomial.js';
import type { AlertRecord, ConsensusPlugin } from '../../src/plugin/index.js';
import type { TriggerMessage } from '../../src/plugin/index.js';
import { smallWorld, tempDir } from '../helpers.js';
import { QUAKE_SERVER_CALIBRATION } from '../../src/server/calibration.js';

/** A 60 × 60 km synthetic city (uniform rock outside its basin) for the server to map phones on. */
const world: World = loadWorld(smallWorld(tempDir(), { sizeKm: 60, cellKm: 2 }));

/** Phones scattered uniformly over a square of `sizeKm` around the world's origin. */
function phones(n: number, sizeKm: number, seed = 1): { x: Float64Array; y: Float64Array } {
  const r = FastRandom.of(seed, 'test-phones');
  const x = new Float64Array(n), y = new Float64Array(n);
  for (let i = 0; i < n; i++) { x[i] = (r.uniform() - 0.5) * sizeKm * 1000; y[i] = (r.uniform() - 0.5) * sizeKm * 1000; }
  return { x, y };
}

const msg = (device: number, kind: TriggerMessage['kind'], t: number, onset: number, x: number, y: number, amplitude: number): TriggerMessage => ({
  device, kind, time: t, deviceTime: t, onsetDeviceTime: onset, amplitude, ratio: 5, x, y, monitoring: 1,
});

/** Background false triggers: Poisson at `perHour` per phone over [t0, t1), amplitudes 0.01–0.05 g. */
function background(p: { x: Float64Array; y: Float64Array }, perHour: number, t0: number, t1: number, seed = 3): TriggerMessage[] {
  const r = FastRandom.of(seed, 'background');
  const out: TriggerMessage[] = [];
  const n = p.x.length, rate = (perHour / 3600) * n;
  for (let t = t0 + r.exponential(1 / rate); t < t1; t += r.exponential(1 / rate)) {
    const d = Math.min(n - 1, Math.floor(r.uniform() * n));
    out.push(msg(d, 'trigger', t, t, p.x[d]!, p.y[d]!, (0.01 + 0.04 * r.uniform()) * G));
  }
  return out;
}

/**
 * What phones would send for a point-source quake: a trigger at the P arrival where P shaking (a
 * third of the PGA) reaches 0.01 g, else at the S arrival where the PGA does; an update with the
 * full peak (1.2 × BA08 PGA, as hazardsim's phones report it) 2 s after the S arrival.
 */
function quake(p: { x: Float64Array; y: Float64Array }, q: { x: number; y: number; t0: number; m: number; depthKm?: number }): TriggerMessage[] {
  const out: TriggerMessage[] = [];
  const depth = (q.depthKm ?? 8) * 1000;
  for (let d = 0; d < p.x.length; d++) {
    const r = Math.hypot(p.x[d]! - q.x, p.y[d]! - q.y), hypo = Math.hypot(r, depth);
    const pga = ba08('pga', { magnitude: q.m, rjbKm: r / 1000, vs30: 760 }).median;
    if (pga < 0.01) continue;
    const tp = q.t0 + hypo / 6100, ts = q.t0 + hypo / 3550;
    const onset = pga / 3 >= 0.01 ? tp : ts;
    out.push(msg(d, 'trigger', onset, onset, p.x[d]!, p.y[d]!, 0.01 * G));
    out.push(msg(d, 'update', ts + 2, onset, p.x[d]!, p.y[d]!, 1.2 * pga * G));
  }
  return out;
}

/** Feeds messages (sent at m.time, arriving 0.5 s later) and a tick every second; returns the alerts. */
function serve(plugin: ConsensusPlugin, config: unknown, p: { x: Float64Array; y: Float64Array }, messages: TriggerMessage[], until: number): AlertRecord[] {
  const calibrated = plugin.prepare ? plugin.prepare(config as never, { calibration: QUAKE_SERVER_CALIBRATION }, { file: 'test', field: 'server' }) : config;
  const server = plugin.create(calibrated as never, { seed: 1, world, durationS: until, devices: p.x.length });
  // The run's warm-up: every phone's heartbeat reached the server just before t = 0.
  for (let d = 0; d < p.x.length; d++) server.receive({ ...msg(d, 'heartbeat', 0, 0, p.x[d]!, p.y[d]!, 0) }, 0);
  const sorted = [...messages].sort((a, b) => a.time - b.time || a.device - b.device);
  const alerts: AlertRecord[] = [];
  let i = 0;
  for (let tick = 1; tick <= until; tick++) {
    while (i < sorted.length && sorted[i]!.time + 0.5 <= tick) { const m = sorted[i++]!; alerts.push(...server.receive(m, m.time + 0.5)); }
    alerts.push(...server.tick(tick));
  }
  return alerts;
}

const km = (a: AlertRecord, x: number, y: number) => Math.hypot(a.estimate.x - x, a.estimate.y - y) / 1000;

describe('crowd consensus on a scripted quake', () => {
  const p = phones(3000, 60);
  const src = { x: 5000, y: -3000, t0: 100, m: 5.5 };
  const messages = [...quake(p, src), ...background(p, 2.3, 0, 200)];

  it.each([
    ['cell-ratio on a grid', cellRatio, cellRatioSchema.parse({ type: 'cell-ratio' })],
    ['cell-ratio on H3 hexagons', cellRatio, cellRatioSchema.parse({ type: 'cell-ratio', cells: 'h3' })],
    ['binomial', binomial, binomialSchema.parse({ type: 'binomial' })],
  ] as const)('%s: one event, alerted within seconds, located within 3 km, magnitude within 0.3', (_name, plugin, config) => {
    const alerts = serve(plugin, config, p, messages, 200);
    expect(new Set(alerts.map((a) => a.event)).size).toBe(1);
    const first = alerts[0]!, last = alerts[alerts.length - 1]!;
    expect(first.time - src.t0).toBeGreaterThan(1);
    expect(first.time - src.t0).toBeLessThan(9);
    expect(km(first, src.x, src.y)).toBeLessThan(3);
    expect(km(last, src.x, src.y)).toBeLessThan(3);
    expect(Math.abs(last.estimate.originTime - src.t0)).toBeLessThan(1);
    expect(Math.abs(last.estimate.magnitude - src.m)).toBeLessThan(0.3);
    // Two tiers: "take action" inside "be aware"; regions only grow; nothing cancelled.
    expect(last.takeActionRadiusKm).toBeGreaterThan(0);
    expect(last.radiusKm).toBeGreaterThan(last.takeActionRadiusKm);
    for (let i = 1; i < alerts.length; i++) expect(alerts[i]!.radiusKm).toBeGreaterThanOrEqual(alerts[i - 1]!.radiusKm);
    expect(alerts.some((a) => a.cancelled)).toBe(false);
  });

  it('issues nothing below min_magnitude', () => {
    const alerts = serve(cellRatio, cellRatioSchema.parse({ type: 'cell-ratio', min_magnitude: 6 }), p, messages, 200);
    expect(alerts).toEqual([]);
  });
});

describe('background noise', () => {
  it.each([
    ['cell-ratio', cellRatio, cellRatioSchema.parse({ type: 'cell-ratio', staleness: '2d' })],
    ['binomial', binomial, binomialSchema.parse({ type: 'binomial', staleness: '2d' })],
  ] as const)('%s: 24 simulated hours of scattered false triggers at 2.3 per phone-hour raise no alert', (_name, plugin, config) => {
    const p = phones(5000, 100, 9);
    const noise = background(p, 2.3, 0, 86_400, 11);
    expect(noise.length).toBeGreaterThan(270_000); // 5,000 phones × 24 h × 2.3
    expect(serve(plugin, config, p, noise, 86_400)).toEqual([]);
  });
});

describe('a crowd', () => {
  it('is cancelled when the phones around it stay quiet, and its next jumps are absorbed, not re-alerted', () => {
    // 3,000 phones over 60 km plus 800 in a 4 × 4 km fan zone that jump together every 20 s for 5 minutes.
    const city = phones(3000, 60, 5), fans = phones(800, 4, 6);
    const p = { x: Float64Array.from([...city.x, ...fans.x.map((v) => v + 5000)]), y: Float64Array.from([...city.y, ...fans.y]) };
    const jumps: TriggerMessage[] = [];
    for (let t = 100; t < 400; t += 20) for (let i = 0; i < 800; i++) if ((i + t) % 3 !== 0) jumps.push(msg(3000 + i, 'trigger', t + (i % 10) * 0.1, t + (i % 10) * 0.1, p.x[3000 + i]!, p.y[3000 + i]!, 0.15 * G));
    const alerts = serve(cellRatio, cellRatioSchema.parse({ type: 'cell-ratio', min_cells: 1 }), p, [...jumps, ...background(p, 2.3, 0, 420)], 420);
    // It fools the trigger stage once, then the check against the cells it should have shaken cancels it.
    expect(new Set(alerts.map((a) => a.event)).size).toBe(1);
    const cancel = alerts.find((a) => a.cancelled)!;
    expect(cancel).toBeDefined();
    expect(cancel.time - alerts[0]!.time).toBeLessThanOrEqual(12);
  });

  it('does not even declare an event from a crowd in one venue (the triggers cover no area)', () => {
    const city = phones(3000, 60, 5), fans = phones(800, 0.4, 6);
    const p = { x: Float64Array.from([...city.x, ...fans.x.map((v) => v + 9990)]), y: Float64Array.from([...city.y, ...fans.y]) };
    const jumps: TriggerMessage[] = [];
    for (let t = 100; t < 300; t += 20) for (let i = 0; i < 800; i++) jumps.push(msg(3000 + i, 'trigger', t + (i % 10) * 0.1, t + (i % 10) * 0.1, p.x[3000 + i]!, p.y[3000 + i]!, 0.15 * G));
    expect(serve(cellRatio, cellRatioSchema.parse({ type: 'cell-ratio' }), p, jumps, 320)).toEqual([]);
  });
});

describe('the binomial test', () => {
  it('gives exact binomial tail probabilities', () => {
    // P(X ≥ 3) for n = 10, p = 0.1: 1 − (0.9^10 + 10·0.1·0.9^9 + 45·0.01·0.9^8)
    expect(binomialTail(10, 3, 0.1)).toBeCloseTo(1 - (0.9 ** 10 + 0.9 ** 9 + 0.45 * 0.9 ** 8), 12);
    expect(binomialTail(10, 0, 0.1)).toBe(1);
    expect(binomialTail(10, 11, 0.1)).toBe(0);
    expect(binomialTail(2000, 40, 0.0064)).toBeLessThan(1e-6);
  });
});

describe('consensus parameters', () => {
  it('refuses parameters that can never fire or contradict each other', () => {
    const r = cellRatioSchema.safeParse({ type: 'cell-ratio', min_fraction: 1.5 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/expected a fraction ≤ 1 \(a cell can never have more than all its phones triggered, so it could never fire\), found 1\.5/);
    const t = binomialSchema.safeParse({ type: 'binomial', be_aware_mmi: 5, take_action_mmi: 4 });
    expect(t.success).toBe(false);
    expect(t.error!.issues[0]!.path).toEqual(['take_action_mmi']);
  });
});

