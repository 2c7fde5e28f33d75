import { describe, expect, it } from 'vitest';
import { ColumnSet } from '../../../src/core/columns.js';
import { G } from '../../../src/core/units.js';
import { parseWorld } from '../../../src/world/load.js';
import { buildGridCity } from '../../../src/world/build/grid-city.js';
import { earthquakeHazard as earthquake, earthquakeSchema, siteShaking } from '../../../src/hazards/earthquake/index.js';
import type { HazardContext } from '../../../src/plugin/index.js';
import { newBlock } from '../../../src/engine/block.js';

/** Renders `seconds` of one earthquake at devices placed `distancesKm` east of the epicentre. */
export function renderQuake(config: Record<string, unknown>, distancesKm: number[], seconds: number, fs = 50) {
  const world = parseWorld(buildGridCity({ sizeKm: 400, cellKm: 50, roadSpacingKm: 100 }), 'test-world');
  const c = earthquakeSchema.parse({ type: 'earthquake', origin_time: 5, lon: world.frame.lon0, lat: world.frame.lat0, ...config });
  const rows = distancesKm.length;
  const cols = ColumnSet.allocate(rows, [{ name: 'x', type: 'f64' }, { name: 'y', type: 'f64' }])
    .merge(ColumnSet.allocate(rows, earthquake.columns(c, rows).map((s) => ({ ...s, name: 'hazard0.' + s.name }))));
  distancesKm.forEach((d, i) => { cols.f64('x')[i] = d * 1000; });
  const ctx = { seed: 3, world, columns: cols, phones: [], behaviours: [], prefix: 'hazard0.', scenario: {} } as unknown as HazardContext;
  const rt = earthquake.create(c, ctx);
  const n = Math.round(seconds * fs);
  const traces = distancesKm.map(() => ({ e: new Float32Array(n), n: new Float32Array(n), u: new Float32Array(n) }));
  for (let d = 0; d < rows; d++) {
    const t = traces[d]!;
    for (let k = 0; k < n; k += fs) {
      const m = Math.min(fs, n - k);
      rt.render(d, { ...newBlock(m), t0: k / fs, t1: (k + m) / fs, k0: k, n: m, fs, ae: t.e.subarray(k), an: t.n.subarray(k), au: t.u.subarray(k) });
    }
  }
  return { traces, truth: earthquake.truth(c, ctx, 0), config: c };
}

const peak = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const rms = (a: Float32Array, from: number, to: number) => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]! ** 2;
  return Math.sqrt(s / Math.max(1, to - from));
};

describe('earthquake waveform synthesis', () => {
  const { traces, truth, config } = renderQuake({ magnitude: 6, depth_km: 8, vs30: 760 }, [5, 20, 60], 70);
  const fs = 50;

  it('publishes P and S arrivals at hypocentral distance / velocity after origin', () => {
    for (const [i, dKm] of [5, 20, 60].entries()) {
      const hypo = Math.hypot(dKm, 8);
      expect(truth.devices!.first[i]).toBeCloseTo(5 + hypo / 6.1, 9);
      expect(truth.devices!.impact[i]).toBeCloseTo(5 + hypo / 3.55, 9);
    }
  });

  it('puts the geometric mean of the horizontal peaks on the GMPE PGA', () => {
    for (let i = 0; i < 3; i++) {
      const t = traces[i]!;
      const geo = Math.sqrt(peak(t.e) * peak(t.n)) / G;
      const pga = truth.devices!.intensity[i]!;
      expect(Math.abs(geo / pga - 1)).toBeLessThan(0.01);
      const median = siteShaking(config, [5, 20, 60][i]!, 760).pgaG;
      expect(pga).toBeCloseTo(median, 6); // no variability requested: the median
    }
  });

  it('is silent before P, rises at P, grows at S and decays afterwards', () => {
    const t = traces[2]!; // 60 km: P at ~15 s, S at ~22 s
    const tp = truth.devices!.first[2]!, ts = truth.devices!.impact[2]!;
    const at = (s: number) => Math.round(s * fs);
    expect(peak(t.u.subarray(0, at(tp) - 1))).toBe(0);
    const beforeS = rms(t.u, at(tp), at(ts) - 1);
    expect(beforeS).toBeGreaterThan(0);
    const hp = rms(t.e, at(tp), at(ts) - 1);
    const hs = rms(t.e, at(ts), at(ts + 5));
    expect(hs).toBeGreaterThan(2 * hp); // S dominates the horizontals
    const coda = rms(t.e, at(ts + 30), at(ts + 40));
    expect(coda).toBeLessThan(0.3 * hs);
  });

  it('renders nothing for devices below the render floor but still publishes their truth', () => {
    const far = renderQuake({ magnitude: 4, render_floor_g: 0.01 }, [150], 60);
    expect(peak(far.traces[0]!.e)).toBe(0);
    expect(far.truth.devices!.reached[0]).toBe(1);
    expect(far.truth.devices!.intensity[0]).toBeGreaterThan(0);
    expect(far.truth.devices!.shouldAlert[0]).toBe(0);
  });
});
