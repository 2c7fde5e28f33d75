import { describe, expect, it } from 'vitest';
import { FastRandom } from '../../src/core/random.js';
import { G } from '../../src/core/units.js';
import { LocalFrame } from '../../src/core/frame.js';
import type { World } from '../../src/world/load.js';
import type { TriggerMessage } from '../../src/plugin/index.js';
import type { AlertRecord, ConsensusPlugin } from '../../src/plugin/index.js';
import { roadAnomalyServer as roadAnomaly } from '../../src/server/road-anomaly.js';
import { crashServer, crashServerSchema } from '../../src/server/crash.js';
import { fitPlaneWave, pressureFrontServer as pressureFront, pressureFrontSchema } from '../../src/server/pressure-front.js';
import { loadScenario } from '../../src/scenario/load.js';
import { ROOT, cli } from '../helpers.js';
import { builtinPlugins } from '../../src/plugins.js';

const frame = new LocalFrame(7.42, 43.74);
/** Two roads: a 2 km east–west street split into two OSM ways at x = 0, and a north–south one. */
const world = {
  frame,
  roads: [
    { id: 1, points: Float64Array.from([-1000, 0, 0, 0]) },
    { id: 2, points: Float64Array.from([0, 0, 1000, 0]) },
    { id: 3, points: Float64Array.from([500, -1000, 500, 1000]) },
  ],
} as unknown as World;

/** A server context, and the heartbeat every phone sent just before t = 0 (the run's warm-up), when positions are given. */
const ctxOf = (n: number, x?: Float64Array, y?: Float64Array) => ({ ctx: { seed: 1, world, durationS: 86400, devices: n }, warm: x && y ? Array.from(x, (_, d) => ({ ...base(d, 0, x[d]!, y[d]!), kind: 'heartbeat' as const })) : [] });

const base = (device: number, t: number, x: number, y: number): TriggerMessage => ({ device, kind: 'trigger', time: t, deviceTime: t, onsetDeviceTime: t, amplitude: 0, ratio: 2, x, y, monitoring: 1 });
/** Heartbeats every `every` seconds from each phone over [0, until): the server's count of active phones. */
const heartbeats = (x: Float64Array, y: Float64Array, until: number, every = 300): TriggerMessage[] => {
  const out: TriggerMessage[] = [];
  for (let t = every / 2; t < until; t += every) for (let d = 0; d < x.length; d++) out.push({ ...base(d, t + (d % 100), x[d]!, y[d]!), kind: 'heartbeat' });
  return out;
};
const bump = (device: number, t: number, x: number, y: number, g = 0.8): TriggerMessage => ({ ...base(device, t, x, y), amplitude: g * G, channel: 'bump', speed: 12 });

function feed<C extends { type: string }>(plugin: ConsensusPlugin<C>, config: unknown, n: number, messages: TriggerMessage[], ctx = ctxOf(n)): AlertRecord[] {
  const server = plugin.create(plugin.schema.parse(config), ctx.ctx);
  const out: AlertRecord[] = [];
  for (const m of ctx.warm) server.receive(m, 0);
  for (const m of [...messages].sort((a, b) => a.time - b.time || a.device - b.device)) out.push(...server.receive(m, m.time + 0.5));
  return out;
}

describe('road-anomaly consensus', () => {
  it('reports a pothole once three different vehicles bumped there, at the pothole, and only once', () => {
    // A pothole at (-5, 0), right where OSM splits the street: GNSS scatters the bumps by ~8 m
    // onto both ways; five vehicles, two of them bumping twice.
    const r = FastRandom.of(4, 'gnss');
    const msgs = [0, 1, 2, 3, 4, 0, 1].map((d, i) => bump(d, 60 * i, -5 + 8 * r.normal(), 8 * r.normal()));
    const alerts = feed(roadAnomaly, { type: 'road-anomaly' }, 5, msgs);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.time).toBeCloseTo(120.5, 6); // at the third distinct vehicle
    expect(Math.hypot(alerts[0]!.estimate.x + 5, alerts[0]!.estimate.y)).toBeLessThan(15);
    expect(alerts[0]!.details!.vehicles).toBe(3);
    expect(alerts[0]!.radiusKm).toBe(0);
  });

  it('one vehicle bumping over and over, or bumps off every road, report nothing', () => {
    expect(feed(roadAnomaly, { type: 'road-anomaly' }, 1, [0, 1, 2, 3, 4, 5].map((k) => bump(0, 60 * k, 200, 0)))).toHaveLength(0);
    expect(feed(roadAnomaly, { type: 'road-anomaly' }, 5, [0, 1, 2, 3, 4].map((d) => bump(d, 10 * d, 200, 300)))).toHaveLength(0);
  });

  it('random bumps at a realistic rate along the roads: few false reports in a day', () => {
    // 300 vehicles, each with one stray bump per hour of driving somewhere on the 4 km of road: a
    // cluster of 3 vehicles within 25 m and an hour arises by chance only rarely.
    const r = FastRandom.of(9, 'stray');
    const msgs: TriggerMessage[] = [];
    for (let k = 0; k < 300 * 24; k++) {
      const t = r.uniform() * 86400, u = r.uniform() * 4000;
      const [x, y] = u < 2000 ? [u - 1000, 0] : [500, u - 3000];
      msgs.push(bump(k % 300, t, x + 5 * r.normal(), y + 5 * r.normal()));
    }
    const alerts = feed(roadAnomaly, { type: 'road-anomaly' }, 300, msgs);
    // Expected chance clusters: a 50 m stretch (±25 m) of the 4 km gets 300 × 50 / 4000 ≈ 3.8 stray
    // bumps an hour, so three vehicles in an hour happen there all the time — at this density stray
    // bumps do confirm (about 100 a day). Five vehicles within ±10 m and 30 minutes (0.75 expected)
    // is far rarer: the knob a researcher tunes against the real stray-bump rate of their detector.
    const strict = feed(roadAnomaly, { type: 'road-anomaly', min_vehicles: 5, cluster_m: 10, window: '30m' }, 300, msgs);
    expect(alerts.length).toBeGreaterThan(50);
    expect(strict.length).toBeLessThan(alerts.length / 3);
  });
});

describe('crash consensus', () => {
  const crash = (device: number, t: number, x: number, speed: number, after: number): TriggerMessage => ({ ...base(device, t, x, 0), amplitude: 25 * G, channel: 'crash', speed, speedAfter: after });

  it('a high-g trigger whose own speed dropped to a stop is a crash; the other phones in the car update it', () => {
    const alerts = feed(crashServer, { type: 'crash' }, 3, [crash(0, 100, 0, 14, 0.5), crash(1, 100.4, 5, 14, 1)]);
    expect(alerts.map((a) => [a.kind, a.seq, a.details!.phones])).toEqual([['crash', 0, 1], ['crash', 1, 2]]);
    expect(alerts[0]!.estimate.originTime).toBe(100);
  });

  it('a phone dropped by a walker, or a car that kept driving, is not a crash', () => {
    expect(feed(crashServer, { type: 'crash' }, 2, [crash(0, 10, 0, 1.2, 0), crash(1, 50, 900, 15, 14)])).toHaveLength(0);
  });

  it('without GNSS speeds, two phones of one vehicle confirm it; one does not', () => {
    expect(feed(crashServer, { type: 'crash' }, 2, [crash(0, 10, 0, NaN, NaN)])).toHaveLength(0);
    expect(feed(crashServer, { type: 'crash' }, 2, [crash(0, 10, 0, NaN, NaN), crash(1, 11, 3, NaN, NaN)])).toHaveLength(1);
  });

  it('thresholds that no speed drop can meet are refused', () => {
    const r = crashServerSchema.safeParse({ type: 'crash', min_speed_m_s: 5, max_speed_after_m_s: 8 });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues)).toMatch(/max_speed_after_m_s/);
  });
});

describe('pressure-front consensus', () => {
  it('fits a plane wave: speed and heading of a front from cell times', () => {
    const pts = [];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
      const x = i * 5000, y = j * 5000;
      // 12 m/s towards 60° (east-north-east): t = (x sin60 + y cos60) / 12
      pts.push({ x, y, t: 1000 + (x * Math.sin(Math.PI / 3) + y * Math.cos(Math.PI / 3)) / 12 });
    }
    const f = fitPlaneWave(pts)!;
    expect(1 / Math.hypot(f.sx, f.sy)).toBeCloseTo(12, 6);
    expect((Math.atan2(f.sx, f.sy) * 180) / Math.PI).toBeCloseTo(60, 6);
    expect(f.rms).toBeLessThan(1e-6);
    expect(fitPlaneWave(pts.filter((p) => p.y === 0))).toBeNull(); // collinear cells cannot tell a direction
  });

  /** 2,000 phones over 30 × 30 km; each steps +2 hPa when a front moving east at 15 m/s reaches it (40 % of them notice). */
  function front(): { x: Float64Array; y: Float64Array; msgs: TriggerMessage[] } {
    const r = FastRandom.of(2, 'front');
    const n = 2000, x = new Float64Array(n), y = new Float64Array(n), msgs: TriggerMessage[] = [];
    for (let d = 0; d < n; d++) {
      x[d] = r.uniform() * 30000; y[d] = r.uniform() * 30000;
      if (r.uniform() < 0.4) msgs.push({ ...base(d, 600 + x[d]! / 15 + 60 + 20 * r.normal(), x[d]!, y[d]!), channel: 'pressure', step: 200 });
    }
    return { x, y, msgs };
  }

  it('a front moving east at 15 m/s is declared with its speed and heading, and the alert lies ahead of it', () => {
    const f = front();
    const alerts = feed(pressureFront, { type: 'pressure-front' }, f.x.length, [...f.msgs, ...heartbeats(f.x, f.y, 4000)], ctxOf(f.x.length, f.x, f.y));
    expect(alerts.length).toBeGreaterThan(0);
    const a = alerts[0]!, last = alerts[alerts.length - 1]!;
    expect(a.kind).toBe('pressure-front');
    expect(Math.abs((a.details!.speed_m_s as number) - 15)).toBeLessThan(3);
    expect(Math.abs((last.details!.speed_m_s as number) - 15)).toBeLessThan(1.5);
    expect(Math.abs((last.details!.heading_deg as number) - 90)).toBeLessThan(5);
    // The front is at x = 15 (t − 660) when the alert goes out; the alert circle lies east of it.
    const frontX = 15 * (a.time - 660);
    expect(a.estimate.x - a.radiusKm * 1000).toBeGreaterThan(frontX - 5000);
  });

  it('lifts and stairs (steps scattered in time and place) never declare a front', () => {
    const r = FastRandom.of(5, 'lifts');
    const n = 2000, x = new Float64Array(n), y = new Float64Array(n), msgs: TriggerMessage[] = [];
    for (let d = 0; d < n; d++) { x[d] = r.uniform() * 30000; y[d] = r.uniform() * 30000; }
    // Each phone rides a lift 4 times a day: a ±1.2 hPa step each time.
    for (let k = 0; k < 4 * n; k++) {
      const d = k % n;
      msgs.push({ ...base(d, r.uniform() * 86400, x[d]!, y[d]!), channel: 'pressure', step: r.uniform() < 0.5 ? 120 : -120 });
    }
    expect(feed(pressureFront, { type: 'pressure-front' }, n, [...msgs, ...heartbeats(x, y, 86400, 600)], ctxOf(n, x, y))).toHaveLength(0);
    // The same phones do light up for a front: the quiet above is not for want of phones.
    const f = front();
    expect(feed(pressureFront, { type: 'pressure-front' }, f.x.length, [...f.msgs, ...heartbeats(f.x, f.y, 4000)], ctxOf(f.x.length, f.x, f.y)).length).toBeGreaterThan(0);
  });

  it('a fraction above 1 is refused', () => {
    expect(pressureFrontSchema.safeParse({ type: 'pressure-front', min_fraction: 1.5 }).success).toBe(false);
  });
});

describe('detectors and servers that do not meet', () => {
  it('a crash detector under an earthquake server is valid but warned about, naming the server to add', () => {
    const r = cli(['validate', 'scenarios/crash.yaml']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const s = loadScenario(`${ROOT}/scenarios/crash.yaml`, { plugins: builtinPlugins, overrides: ['server.type=cell-ratio'] });
    expect(s.warnings).toEqual(['detector "crash" sends crash triggers but no server listens to them (server: cell-ratio); add a server of type crash']);
  });
});
