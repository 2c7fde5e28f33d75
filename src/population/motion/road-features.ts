/**
 * Road features that are not hazards — utility covers and patches, expansion joints, level crossings,
 * speed humps — fixed in place: each lane (a directed road edge) carries its own, drawn from (seed,
 * lane) at the rates of its road type, so every car on that lane meets the same ones at the same
 * spots, as on real roads (and as a crowd of phones would keep reporting them).
 */
import { componentKey, stableUniform, type Seed } from '../../core/random.js';
import { ROAD_CLASSES } from '../../world/load.js';
import type { RoadNetwork } from '../../world/roads.js';
import { FEATURE_KINDS, ROAD_FEATURES, featuresPerKm, type FeatureHit } from './road-surface.js';

export class RoadFeatureMap {
  private readonly key: number;

  constructor(seed: Seed, private readonly roads: RoadNetwork) {
    this.key = componentKey(seed, 'road-features');
  }

  /**
   * Appends to `out` the features of the lane a car follows on route code `code` (edge e, or edge
   * −code − 2 travelled backwards) that lie in (a0, a1] metres from where the lane starts, each
   * mapped onto sample ⌊(p − a0) / (a1 − a0) · n⌋ of an n-sample block.
   */
  between(code: number, a0: number, a1: number, n: number, out: FeatureHit[]): void {
    if (code === -1 || !(a1 > a0)) return;
    const e = code >= 0 ? code : -code - 2, lane = 2 * e + (code >= 0 ? 0 : 1);
    const road = ROAD_CLASSES[this.roads.edgeClass[e]!]!;
    const kinds = ROAD_FEATURES[road] ?? [], perKm = featuresPerKm(road);
    if (!(perKm > 0)) return;
    const len = this.roads.edgeLength[e]!, spacing = 1000 / perKm;
    let p = 0;
    for (let k = 0; k < 1_000_000; k++) {
      p += -Math.log(stableUniform(this.key, lane, 4 * k)) * spacing;
      if (p > len || p > a1) return;
      if (p <= a0) continue;
      let pick = stableUniform(this.key, lane, 4 * k + 1) * perKm, f = kinds[0]!;
      for (const g of kinds) { if ((pick -= g.perKm) < 0) { f = g; break; } }
      out.push({
        at: Math.min(n - 1, Math.floor(((p - a0) / (a1 - a0)) * n)),
        kind: FEATURE_KINDS.indexOf(f as (typeof FEATURE_KINDS)[number]),
        h: f.height[0] + (f.height[1] - f.height[0]) * stableUniform(this.key, lane, 4 * k + 2),
        len: f.length[0] + (f.length[1] - f.length[0]) * stableUniform(this.key, lane, 4 * k + 3),
      });
    }
  }
}
