import { describe, expect, it } from 'vitest';
import { G } from '../../../src/core/units.js';
import { earthquakeHazard as earthquake } from '../../../src/hazards/earthquake/index.js';
import { ruptureLengthKm } from '../../../src/hazards/earthquake/source.js';
import { peak, renderHazard, rms, testWorld } from '../render-helper.js';

describe('finite rupture', () => {
  const w = testWorld();
  // M7.8 rupturing north from the centre (strike 0°); devices near the hypocentre, midway and near the far end.
  const config = { origin_time: 5, lon: w.frame.lon0, lat: w.frame.lat0, magnitude: 7.8, depth_km: 10, vs30: 760, rupture: { strike_deg: 0 } };
  const L = ruptureLengthKm(7.8);
  const { traces, truth } = renderHazard(earthquake, config, [[10, 0], [10, L / 2], [10, L - 5]], 150);
  const fs = 50;

  it('lasts tens of seconds: rupture length and duration grow with magnitude', () => {
    expect(L).toBeGreaterThan(100); // Wells & Coppersmith: 145 km for M7.8
    expect(truth.facts.rupture_length_km).toBeCloseTo(L, 6);
    expect(truth.facts.rupture_duration_s as number).toBeGreaterThan(40);
  });

  it('measures PGA at the Joyner–Boore distance to the rupture, not to the epicentre', () => {
    // All three devices are 10 km from the trace, so their median PGAs are equal.
    const pga = [0, 1, 2].map((i) => truth.devices!.intensity[i]!);
    expect(pga[1]).toBeCloseTo(pga[0]!, 5);
    expect(pga[2]).toBeCloseTo(pga[0]!, 5);
    const geo = Math.sqrt(peak(traces[2]!.e) * peak(traces[2]!.n)) / G;
    expect(Math.abs(geo / pga[2]! - 1)).toBeLessThan(0.01);
  });

  it('keeps growing at the far end while the rupture approaches', () => {
    const t = traces[2]!;
    const first = truth.devices!.first[2]!, impact = truth.devices!.impact[2]!;
    expect(impact - first).toBeGreaterThan(20); // strong shaking arrives long after the first P (≈ 29 s here)
    const at = (s: number) => Math.round(s * fs);
    // Three windows from the first arrival up to the strong shaking: each stronger than the last.
    const step = (impact - first) / 3;
    const windows = [0, 1, 2].map((k) => rms(t.e, at(first + k * step), at(first + (k + 1) * step)));
    for (let i = 1; i < windows.length; i++) expect(windows[i]!).toBeGreaterThan(windows[i - 1]!);
    // ...while next to the hypocentre the strongest shaking comes within seconds.
    expect(truth.devices!.impact[0]! - truth.devices!.first[0]!).toBeLessThan(5);
  });
});

describe('a rupture in two segments from the hypocentre', () => {
  const w = testWorld();
  // 100 km north and 60 km east of the hypocentre, both breaking at once (a bend, as Kahramanmaraş 2023).
  const config = { origin_time: 5, lon: w.frame.lon0, lat: w.frame.lat0, magnitude: 7.5, depth_km: 10, vs30: 760, rupture: { strike_deg: 0, length_km: 100, second_segment: { strike_deg: 90, length_km: 60 } } };
  // Devices 10 km off each segment, 30 km along it, and one 10 km beyond the east end.
  const { truth } = renderHazard(earthquake, config, [[10, 30], [30, -10], [70, 0]], 60);

  it('measures PGA at the distance to the nearer segment, and the length is the sum', () => {
    expect(truth.facts.rupture_length_km).toBeCloseTo(160, 6);
    const pga = [0, 1, 2].map((i) => truth.devices!.intensity[i]!);
    // 10 km from the north segment and 10 km from the east one: the same median PGA.
    expect(pga[1]).toBeCloseTo(pga[0]!, 5);
    // 10 km beyond the east end (Rjb 10 km as well).
    expect(pga[2]).toBeCloseTo(pga[0]!, 5);
  });

  it('breaks both ways at once: the east segment\'s shaking arrives as early as the north segment\'s at the same distance', () => {
    const impact = [0, 1].map((i) => truth.devices!.impact[i]! - truth.devices!.first[i]!);
    expect(Math.abs(impact[1]! - impact[0]!)).toBeLessThan(4);
  });
});
