import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../helpers.js';
import { G } from '../../src/core/units.js';
import { newBlock, resetBlock } from '../../src/engine/block.js';
import { ENGINE, GOLDEN_CAR, RoadSurface, quarterCar, type RoughnessClass } from '../../src/population/motion/road-surface.js';
import type { RoadClass } from '../../src/world/load.js';
import { RoadNetwork } from '../../src/world/roads.js';
import { RoadFeatureMap } from '../../src/population/motion/road-features.js';
import type { FeatureHit } from '../../src/population/motion/road-surface.js';
import { builtinPlugins } from '../../src/plugins.js';
import { recordPhone, type RecordedRow } from '../../src/engine/record.js';

type Stats = { windows: number; vertical_rms_5_20_hz: number[]; vertical_rms_0_5_5_hz: number[]; vertical_peak: number[] };
const real = JSON.parse(readFileSync(join(ROOT, 'calibration/motion/road.json'), 'utf8')) as {
  gonzalez_2017: Record<string, Stats>;
  citroen_c1: Record<string, Stats>;
};

/** Statistics of a vertical series at 50 Hz by scripts/reference_road.py (the same code that measured the real drives). */
function pyStats(t: number[], az: number[]): Stats {
  const file = join(tempDir(), 'road.csv');
  writeFileSync(file, 't,ax,ay,az\n' + t.map((v, i) => `${v},0,0,${az[i]! + G}`).join('\n'));
  const py = spawnSync('python3', [join(ROOT, 'scripts/reference_road.py'), '--record', file], { encoding: 'utf8' });
  expect(py.stderr).toBe('');
  return JSON.parse(py.stdout) as Stats;
}

/** Drives the road surface alone: speed(t) in m/s along one straight 50 km road of type `road`, per 1 s tick, meeting its fixed features; returns time and vertical force. */
function ride(o: { fs: number; seconds: number; road: RoadClass; speed: (t: number) => number; seed?: number; cls?: RoughnessClass; features?: boolean; onSeat?: boolean }) {
  const state = new Float64Array(10).fill(NaN), feature = new Uint8Array(1);
  const lane = new RoadNetwork([{ id: 0, class: o.road, speedKmh: 50, oneway: true, points: Float64Array.of(0, 0, 50_000, 0), lonlat: [[0, 0], [0.45, 0]] }]);
  const map = new RoadFeatureMap(o.seed ?? 0, lane), hits: FeatureHit[] = [];
  let along = 0;
  const surface = new RoadSurface(state, feature, 12345 + (o.seed ?? 0));
  const b = newBlock(o.fs);
  let s = 0x9e3779b9 ^ (o.seed ?? 0);
  const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const t: number[] = [], az: number[] = [];
  const speeds = new Float64Array(o.fs), noise = new Float32Array(o.fs);
  for (let k = 0; k < o.seconds; k++) {
    resetBlock(b, o.fs, 0, G, true);
    b.t0 = k; b.t1 = k + 1; b.k0 = k * o.fs; b.n = o.fs; b.fs = o.fs;
    for (let i = 0; i < o.fs; i++) { speeds[i] = o.speed(k + i / o.fs); noise[i] = normal(); }
    const from = along;
    for (let i = 0; i < o.fs; i++) along += speeds[i]! / o.fs;
    hits.length = 0;
    if (o.features !== false) map.between(0, from, along, o.fs, hits);
    surface.render(0, b, speeds, noise, o.road, 7, o.cls, hits, o.onSeat);
    for (let i = 0; i < o.fs; i++) { t.push(k + i / o.fs); az.push(b.au[i]! - G); }
  }
  return { t, az };
}

describe('quarter car', () => {
  it('the discrete golden car has the continuous one’s gain at body bounce, between, and wheel hop', () => {
    // |H(jω)| by hand from the published golden-car equations (Sayers 1995): body acceleration per
    // unit profile velocity, k1 (c s² + k2 s) / (u s⁴ + (1+u) c s³ + ((1+u) k2 + k1) s² + k1 c s + k1 k2).
    const { k1, k2, u, c } = GOLDEN_CAR;
    const continuous = (f: number) => {
      const w = 2 * Math.PI * f;
      const nr = -k1 * c * w * w, ni = k1 * k2 * w;
      const dr = u * w ** 4 - ((1 + u) * k2 + k1) * w * w + k1 * k2, di = -(1 + u) * c * w ** 3 + k1 * c * w;
      return Math.hypot(nr, ni) / Math.hypot(dr, di);
    };
    const fs = 200, { b, a } = quarterCar(fs);
    const discrete = (f: number) => {
      const w = (2 * Math.PI * f) / fs;
      let nr = 0, ni = 0, dr = 0, di = 0;
      for (let k = 0; k < 5; k++) { nr += b[k]! * Math.cos(-k * w); ni += b[k]! * Math.sin(-k * w); dr += a[k]! * Math.cos(-k * w); di += a[k]! * Math.sin(-k * w); }
      return Math.hypot(nr, ni) / Math.hypot(dr, di);
    };
    for (const f of [0.5, 1.3, 4, 11]) expect(Math.abs(discrete(f) / continuous(f) - 1), `${f} Hz`).toBeLessThan(0.02);
    // Away from the pre-warp frequency the bilinear map bends the axis a little.
    expect(Math.abs(discrete(20) / continuous(20) - 1)).toBeLessThan(0.1);
    // Wheel hop stays where it is at a phone's 50 Hz (pre-warped): the discrete peak lies within 5 % of the continuous one (unwarped, 12 % low).
    const g50 = quarterCar(50);
    const peakOf = (gain: (f: number) => number) => {
      let peak = 0, best = 0;
      for (let f = 6; f < 20; f += 0.02) if (gain(f) > best) { best = gain(f); peak = f; }
      return peak;
    };
    const d50 = (f: number) => {
      const w = (2 * Math.PI * f) / 50;
      let nr = 0, ni = 0, dr = 0, di = 0;
      for (let k = 0; k < 5; k++) { nr += g50.b[k]! * Math.cos(-k * w); ni += g50.b[k]! * Math.sin(-k * w); dr += g50.a[k]! * Math.cos(-k * w); di += g50.a[k]! * Math.sin(-k * w); }
      return Math.hypot(nr, ni) / Math.hypot(dr, di);
    };
    expect(Math.abs(peakOf(d50) / peakOf(continuous) - 1)).toBeLessThan(0.05);
  });
});

describe('road roughness against real drives', () => {
  it('a town street at town speeds shakes a phone as real streets do (González 2017; a Citroën C1)', () => {
    // Residential street, 30–50 km/h with stops: the golden car and ISO 8608 class B — no constant set on these drives.
    const town = ride({ fs: 50, seconds: 600, road: 'residential', speed: (t) => (t % 60 < 8 ? 0 : 8 + 5 * Math.sin(t / 9)) });
    const ours = pyStats(town.t, town.az);
    const g = real.gonzalez_2017.regular_road!, c1 = real.citroen_c1.town!;
    // The median window lies inside both real sources' 10–90 % bands, for road texture and for body bounce.
    for (const key of ['vertical_rms_5_20_hz', 'vertical_rms_0_5_5_hz'] as const) {
      const m = ours[key][1]!;
      expect(m, `${key}: ${m} vs González ${g[key]}`).toBeGreaterThan(g[key][0]!);
      expect(m, `${key}: ${m} vs González ${g[key]}`).toBeLessThan(g[key][2]!);
      expect(m, `${key}: ${m} vs C1 ${c1[key]}`).toBeGreaterThan(c1[key][0]!);
      expect(m, `${key}: ${m} vs C1 ${c1[key]}`).toBeLessThan(c1[key][2]!);
    }
    // Real streets vary; so do ours (per-road roughness and discrete features): windows spread.
    expect(ours.vertical_rms_5_20_hz[2]! / ours.vertical_rms_5_20_hz[0]!).toBeGreaterThan(1.3);
  });

  it('a speed hump at crossing speed jolts the car as real ones do (González 2017 asphalt bumps)', () => {
    // One 75 mm × 3.7 m hump (UK TRL LR 1019) at 20 km/h, fed as profile velocity through the golden car.
    const fs = 50, { b, a } = quarterCar(fs);
    const v = 20 / 3.6, h = 0.075, L = 3.7, z = new Float64Array(4), out: number[] = [];
    for (let i = 0; i < 8 * fs; i++) {
      const x0 = v * (i / fs - 1), x1 = v * ((i + 1) / fs - 1);
      const prof = (x: number) => (x <= 0 ? 0 : h * Math.sin((Math.PI * Math.min(x, L)) / L) ** 2);
      const input = (prof(x1) - prof(x0)) * fs;
      const y = b[0]! * input + z[0]!;
      z[0] = b[1]! * input - a[1]! * y + z[1]!; z[1] = b[2]! * input - a[2]! * y + z[2]!; z[2] = b[3]! * input - a[3]! * y + z[3]!; z[3] = b[4]! * input - a[4]! * y;
      out.push(y);
    }
    const stats = pyStats(out.map((_, i) => i / fs), out);
    const bumps = real.gonzalez_2017.asphalt_bumps!;
    expect(stats.vertical_peak[1]!).toBeGreaterThan(bumps.vertical_peak[0]!);
    expect(stats.vertical_peak[1]!).toBeLessThan(bumps.vertical_peak[2]!);
    // Body bounce over the 6 s window: within a factor of two of the real median (Mexican topes are
    // often taller and sharper than the UK hump, so ours sits at the gentle end).
    expect(stats.vertical_rms_0_5_5_hz[1]!).toBeGreaterThan(bumps.vertical_rms_0_5_5_hz[1]! / 2);
    expect(stats.vertical_rms_0_5_5_hz[1]!).toBeLessThan(bumps.vertical_rms_0_5_5_hz[1]! * 2);
    // A class-A road's texture at the same speed comes nowhere near that.
    const smooth = ride({ fs: 50, seconds: 60, road: 'motorway', cls: 'A', speed: () => 20 / 3.6, features: false });
    expect(Math.max(...smooth.az.map(Math.abs))).toBeLessThan(bumps.vertical_peak[0]! / 2);
  });

  it('motorways are smoother than streets at the same speed, and a stopped car only hums', () => {
    const rms = (x: number[]) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
    const motorway = ride({ fs: 50, seconds: 120, road: 'motorway', speed: () => 15 });
    const street = ride({ fs: 50, seconds: 120, road: 'residential', speed: () => 15 });
    // Class A against class B: a quarter of the PSD, half the RMS (within the per-road spread).
    expect(rms(motorway.az) / rms(street.az)).toBeLessThan(0.9);
    // Stopped with the engine idling: 800 rpm fires at 26.7 Hz — above a 50 Hz phone's cut-off, seen at 100 Hz.
    const idle50 = ride({ fs: 50, seconds: 20, road: 'residential', speed: () => 0 });
    const idle100 = ride({ fs: 100, seconds: 20, road: 'residential', speed: () => 0 });
    expect(rms(idle50.az)).toBeLessThan(1e-6); // float32 rounding of g only
    expect(Math.abs(rms(idle100.az) - ENGINE.rms)).toBeLessThan(0.005);
  });

  it('a recorded drive (hazardsim record) shakes a phone within the real drives’ bands', () => {
    const rows: RecordedRow[] = [];
    recordPhone({ plugins: builtinPlugins, profile: 'agents/phones/mid-range.yaml', duration: 300, activity: 'driving', seed: 5, rateHz: 50 }, (r) => rows.push(r));
    const file = join(tempDir(), 'drive.csv');
    writeFileSync(file, 't,ax,ay,az\n' + rows.map((r) => [r.t, ...r.a].join(',')).join('\n'));
    const py = spawnSync('python3', [join(ROOT, 'scripts/reference_road.py'), '--record', file], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    const ours = JSON.parse(py.stdout) as Stats;
    const g = real.gonzalez_2017.regular_road!, c1 = real.citroen_c1.open_road!;
    // The record world's roads are primary roads at 70 km/h (class A): inside the real 10–90 % bands.
    const m = ours.vertical_rms_5_20_hz[1]!;
    expect(m).toBeGreaterThan(Math.max(g.vertical_rms_5_20_hz[0]!, 0.5 * c1.vertical_rms_5_20_hz[0]!));
    expect(m).toBeLessThan(Math.min(g.vertical_rms_5_20_hz[2]!, c1.vertical_rms_5_20_hz[2]!));
  });
});

describe('a seat between the car and a pocket', () => {
  it('amplifies the body’s shake near 4 Hz and cuts it above 8 Hz as a base-excited oscillator does', async () => {
    const { seatTransmissibility, SEAT } = await import('../../src/population/motion/road-surface.js');
    // Hand calculation: |T(f)| = √((1 + (2ζr)²) / ((1 − r²)² + (2ζr)²)), r = f / 4 Hz, ζ = 0.3.
    const hand = (f: number) => {
      const r = f / SEAT.resonanceHz, z = SEAT.damping;
      return Math.sqrt((1 + (2 * z * r) ** 2) / ((1 - r * r) ** 2 + (2 * z * r) ** 2));
    };
    const fs = 100, q = seatTransmissibility(fs);
    const gain = (f: number) => {
      const w = (2 * Math.PI * f) / fs;
      const nr = q.b0 + q.b1 * Math.cos(w) + q.b2 * Math.cos(2 * w), ni = -(q.b1 * Math.sin(w) + q.b2 * Math.sin(2 * w));
      const dr = 1 + q.a1 * Math.cos(w) + q.a2 * Math.cos(2 * w), di = -(q.a1 * Math.sin(w) + q.a2 * Math.sin(2 * w));
      return Math.hypot(nr, ni) / Math.hypot(dr, di);
    };
    for (const f of [1, 4, 8]) expect(Math.abs(gain(f) / hand(f) - 1), `${f} Hz`).toBeLessThan(0.03);
    expect(gain(4)).toBeGreaterThan(1.8); // resonance
    expect(gain(16)).toBeLessThan(0.4); // cut: wheel hop reaches a pocket weakened
    // On the road: a town street's 5–20 Hz shake in a pocket is well under a mounted phone's, its body bounce is not.
    const mounted = pyStats(...Object.values(ride({ fs: 50, seconds: 120, road: 'residential', speed: () => 12, features: false })) as [number[], number[]]);
    const pocket = pyStats(...Object.values(ride({ fs: 50, seconds: 120, road: 'residential', speed: () => 12, features: false, onSeat: true })) as [number[], number[]]);
    expect(pocket.vertical_rms_5_20_hz[1]! / mounted.vertical_rms_5_20_hz[1]!).toBeLessThan(0.6);
    expect(pocket.vertical_rms_0_5_5_hz[1]! / mounted.vertical_rms_0_5_5_hz[1]!).toBeGreaterThan(1);
  });
});
