import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { G } from '../../../src/core/units.js';
import { prepareRecord, recordedEarthquakeHazard as recorded, recordedSchema } from '../../../src/hazards/earthquake/recorded.js';
import { resample } from '../../../src/core/resample.js';
import { ba08 } from '../../../src/physics/ba08.js';
import { peak, renderHazard, testWorld } from '../render-helper.js';
import { ROOT } from '../../helpers.js';

describe('recorded earthquake (Ridgecrest M7.1 at CCC, 34.5 km)', () => {
  const w = testWorld();
  const record = join(ROOT, 'data/strong-motion/ridgecrest-2019-m7.1/CICCC.RAW');
  const base = { origin_time: 10, lon: w.frame.lon0, lat: w.frame.lat0, record, vs30: 760 };
  const { traces, truth } = renderHazard(recorded, base, [[34.5, 0], [80, 0], [0.5, 0]], 120);

  it('replays the record unchanged at the station distance (what a 50 Hz phone can see of it)', () => {
    expect(truth.facts.station_distance_km as number).toBeCloseTo(34.5, 0);
    const rec = prepareRecord(recordedSchema.parse({ type: 'recorded', ...base }), record, 'hazards[0]', 'test.yaml');
    expect(truth.devices!.intensity[0]).toBeCloseTo(rec.pgaG, 2); // the ground's PGA, at the record's own rate
    const at50 = (x: Float64Array) => resample({ rate: rec.rate, values: x }, 50).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const scale = truth.devices!.intensity[0]! / rec.pgaG;
    expect(peak(traces[0]!.e) / (scale * at50(rec.e))).toBeCloseTo(1, 4);
    expect(peak(traces[0]!.n) / (scale * at50(rec.n))).toBeCloseTo(1, 4);
    // Energy above the phone's 20 Hz anti-alias corner is invisible to it: CCC loses about a fifth of its peak.
    const seen = Math.sqrt(peak(traces[0]!.e) * peak(traces[0]!.n)) / G / truth.devices!.intensity[0]!;
    expect(seen).toBeGreaterThan(0.6);
    expect(seen).toBeLessThan(1.01);
  });

  it('scales other distances by the BA08 ratio and moves the S arrival with distance', () => {
    const ratio = ba08('pga', { magnitude: 7.1, rjbKm: 80, vs30: 760 }).median / ba08('pga', { magnitude: 7.1, rjbKm: 34.5, vs30: 760 }).median;
    expect(truth.devices!.intensity[1]! / truth.devices!.intensity[0]!).toBeCloseTo(ratio, 2);
    expect(peak(traces[1]!.e) / peak(traces[0]!.e)).toBeCloseTo(ratio, 4);
    const s = (r: number) => 10 + Math.hypot(r, 8) / 3.55;
    expect(truth.devices!.impact[1]).toBeCloseTo(s(80), 6);
    expect(truth.devices!.impact[2]).toBeCloseTo(s(0.5), 6);
    expect(truth.devices!.first[1]!).toBeGreaterThan(truth.devices!.first[0]!);
    // Near the epicentre the record is scaled up (stronger than at 34.5 km).
    expect(truth.devices!.intensity[2]!).toBeGreaterThan(truth.devices!.intensity[0]!);
  });

  it('is silent before its replayed P onset', () => {
    const t = traces[1]!;
    const onset = Math.floor(truth.devices!.first[1]! * 50) - 100; // 2 s before the picked onset
    expect(peak(t.e, 0, onset)).toBeLessThan(0.01 * peak(t.e));
  });
});
