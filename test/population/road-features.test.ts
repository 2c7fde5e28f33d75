import { describe, expect, it } from 'vitest';
import { RoadNetwork } from '../../src/world/roads.js';
import { RoadFeatureMap } from '../../src/population/motion/road-features.js';
import { FEATURE_KINDS, featuresPerKm, type FeatureHit } from '../../src/population/motion/road-surface.js';

const lane = (cls: 'residential' | 'motorway', km: number) =>
  new RoadNetwork([{ id: 0, class: cls, speedKmh: 50, oneway: true, points: Float64Array.of(0, 0, km * 1000, 0), lonlat: [[0, 0], [km / 111, 0]] }]);

describe('fixed road features', () => {
  it('every car on a lane meets the same features at the same spots, whatever its speed and tick', () => {
    const map = new RoadFeatureMap(3, lane('residential', 20));
    // One car passes 20 km in 100 m steps, another in 37 m steps: the same features, at the same distances.
    const where = (step: number) => {
      const out: number[] = [];
      for (let a = 0; a < 20_000; a += step) {
        const hits: FeatureHit[] = [];
        map.between(0, a, a + step, 1000, hits);
        for (const h of hits) out.push(Math.round(a + ((h.at + 0.5) / 1000) * step), h.kind, h.h);
      }
      return out;
    };
    const slow = where(37), fast = where(100);
    expect(slow.length).toBe(fast.length);
    for (let i = 0; i < slow.length; i += 3) {
      expect(Math.abs(slow[i]! - fast[i]!)).toBeLessThanOrEqual(1); // metres (the sample grid)
      expect(slow[i + 1]).toBe(fast[i + 1]);
      expect(slow[i + 2]).toBe(fast[i + 2]);
    }
    // At the road type's rate: 3.35 per km on a residential street (Poisson: 67 ± 3 σ over 20 km).
    const n = slow.length / 3, expected = featuresPerKm('residential') * 20;
    expect(Math.abs(n - expected)).toBeLessThan(3 * Math.sqrt(expected));
    // Another seed is another street.
    const other: FeatureHit[] = [];
    new RoadFeatureMap(4, lane('residential', 20)).between(0, 0, 20_000, 20_000, other);
    expect(other.map((h) => h.at)).not.toEqual(slow.filter((_, i) => i % 3 === 0));
  });

  it('motorways carry only expansion joints, no humps or covers', () => {
    const hits: FeatureHit[] = [];
    new RoadFeatureMap(1, lane('motorway', 100)).between(0, 0, 100_000, 100_000, hits);
    expect(hits.length).toBeGreaterThan(20); // 0.5 per km
    for (const h of hits) expect(FEATURE_KINDS[h.kind]!.name).toBe('expansion-joint');
  });
});
