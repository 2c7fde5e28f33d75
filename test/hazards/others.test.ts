import { describe, expect, it } from 'vitest';
import { G } from '../../src/core/units.js';
import { pressureFrontHazard as pressureFront, pressureFrontSchema } from '../../src/hazards/pressure-front.js';
import { crowdNuisance as crowd } from '../../src/hazards/crowd.js';
import { constructionNuisance as construction } from '../../src/hazards/construction.js';
import { trafficVibrationNuisance as trafficVibration } from '../../src/hazards/traffic-vibration.js';
import { parseWorld } from '../../src/world/load.js';
import { buildGridCity } from '../../src/world/build/grid-city.js';
import { peak, renderHazard, rms, testWorld } from './render-helper.js';

/** Frequency (Hz) of the largest spectral line of x (direct DFT over a band). */
function dominant(x: Float32Array, fs: number, lo: number, hi: number): number {
  let best = 0, bestF = 0;
  for (let f = lo; f <= hi; f += 0.02) {
    let re = 0, im = 0;
    for (let i = 0; i < x.length; i++) { re += x[i]! * Math.cos((2 * Math.PI * f * i) / fs); im += x[i]! * Math.sin((2 * Math.PI * f * i) / fs); }
    const p = re * re + im * im;
    if (p > best) { best = p; bestF = f; }
  }
  return bestF;
}

describe('pressure front', () => {
  const w = testWorld();
  const cfg = { time: 100, lon: w.frame.lon0, lat: w.frame.lat0, heading_deg: 90, speed_m_s: 20, jump_hpa: 3, rise_time: 60 };

  it('passes every place at (distance along the heading) / speed, with the configured jump', () => {
    const { traces, truth } = renderHazard(pressureFront, cfg, [[0, 0], [2, 5], [-1, 0]], 400, { pfs: 1 });
    expect(truth.devices!.impact[0]).toBeCloseTo(100, 9);
    expect(truth.devices!.impact[1]).toBeCloseTo(100 + 2000 / 20, 9);
    expect(truth.devices!.impact[2]).toBeCloseTo(100 - 1000 / 20, 9);
    const p = traces[1]!.p;
    expect(p[150]).toBe(0); // before the ramp (passage at 200 s, rise ±30 s)
    expect(p[200]).toBeCloseTo(150, 3); // half the jump at the passage, Pa
    expect(p[260]).toBeCloseTo(300, 3);
  });

  it('adds a Rankine vortex whose central deficit is ρV² (tens of hPa)', () => {
    const { traces, truth } = renderHazard(pressureFront, { ...cfg, jump_hpa: 0.001, vortex: { offset_km: 0, max_wind_m_s: 60, core_radius_m: 150 } }, [[0, 0], [0, 1]], 200, { pfs: 1 });
    const centre = traces[0]!.p[100]!; // the vortex sits on the reference point at t = 100 s
    expect(centre).toBeCloseTo(-1.2 * 60 * 60 + 0.1 * 0.5, 0);
    expect(truth.devices!.intensity[0]).toBeGreaterThan(40); // hPa
    // 1 km away (outside the core): ρV²R²/(2r²) = 4320 × 0.0225 / 2 ≈ 48.6 Pa.
    expect(Math.min(...traces[1]!.p)).toBeCloseTo(-48.6, 0);
  });

  it('refuses a front that does not move', () => {
    const r = pressureFrontSchema.safeParse({ type: 'pressure-front', time: 0, lon: 0, lat: 0, heading_deg: 0, speed_m_s: 0 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/expected a front speed above 0 m\/s/);
  });
});

describe('nuisance sources', () => {
  it('crowd: phones in the venue jump at 2–3 Hz with 0.1–0.5 g, phones outside feel nothing, truth says no alert', () => {
    const w = parseWorld(buildGridCity({ sizeKm: 20, cellKm: 2, roadSpacingKm: 10 }), 'city');
    const venue = w.venues[0]!;
    const inside: [number, number][] = Array.from({ length: 12 }, (_, i) => [venue.x / 1000 + (i % 4 - 1.5) * 0.04, venue.y / 1000 + (Math.floor(i / 4) - 1) * 0.04]);
    const { traces, truth } = renderHazard(crowd, { venue: venue.name, start: 10, duration: 200, on: 180, off: 20 }, [...inside, [-5, -5]], 120, { world: w });
    expect(truth.alertable).toBe(false);
    const jumping = traces.slice(0, 12).filter((t) => peak(t.u) > 0);
    expect(jumping.length).toBeGreaterThanOrEqual(6); // share 0.8 jump
    for (const t of jumping) {
      const p = peak(t.u.subarray(50 * 30)) / G;
      expect(p).toBeGreaterThan(0.08);
      expect(p).toBeLessThan(0.6);
      const f = dominant(t.u.subarray(50 * 30, 50 * 90), 50, 1.5, 3.5);
      expect(f).toBeGreaterThanOrEqual(2 - 0.05);
      expect(f).toBeLessThanOrEqual(3 + 0.05);
    }
    expect(peak(traces[12]!.u)).toBe(0);
  });

  it('construction: blows at the configured rate, decaying with distance', () => {
    const w = testWorld();
    // 1 kHz sampling resolves each 15 Hz oscillation's crest (about 0.8 × its envelope amplitude at ζ = 0.15).
    const { traces, truth } = renderHazard(construction, { lon: w.frame.lon0, lat: w.frame.lat0, start: 0, duration: 60, blows_per_min: 30 }, [[0.01, 0], [0.1, 0], [0.4, 0], [5, 0]], 60, { fs: 1000 });
    expect(truth.alertable).toBe(false);
    const [a10, a100, a400, far] = traces.map((t) => peak(t.u));
    expect(a10! / G).toBeGreaterThan(0.2);
    expect(a10! / G).toBeLessThan(0.3);
    expect(a100! / a10!).toBeCloseTo(Math.pow(0.1, 1.3), 2);
    expect(a400!).toBeLessThan(a100!);
    expect(far).toBe(0);
    // 30 blows per minute: one every 2 s.
    let blows = 0;
    const u = traces[1]!.u.filter((_, i) => i % 20 === 0); // back to 50 Hz for counting
    for (let i = 1; i < u.length; i++) if (Math.abs(u[i]!) > 0.5 * a100! && Math.abs(u[i - 1]!) <= 0.5 * a100!) blows++;
    expect(blows).toBeGreaterThanOrEqual(28);
    expect(blows).toBeLessThanOrEqual(62);
  });

  it('traffic vibration: only near busy roads, weaker with distance', () => {
    const w = parseWorld(buildGridCity({ sizeKm: 20, cellKm: 2, roadSpacingKm: 2, primarySpacingKm: 6 }), 'city');
    // A primary road runs along x = 0 (north–south); devices 10 m, 60 m and 800 m from it.
    const { traces } = renderHazard(trafficVibration, { heavy_per_hour: 600 }, [[0.01, 1], [0.06, 1], [0.8, 1]], 600, { world: w });
    const [near, mid, far] = traces.map((t) => rms(t.u, 0, t.u.length));
    expect(near!).toBeGreaterThan(0);
    expect(mid!).toBeLessThan(near!);
    expect(far).toBe(0);
  });
});
