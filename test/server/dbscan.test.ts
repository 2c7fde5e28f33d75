/**
 * Space-time DBSCAN against a reference clustering computed another way, from the definition (Ester
 * et al. 1996): core points are those with ≥ minPts neighbours; clusters are the connected components
 * of core points under the neighbour relation (union–find); a non-core point is noise unless it
 * neighbours a core point. The two must agree on which points are noise and partition core points alike.
 */
import { describe, expect, it } from 'vitest';
import { FastRandom } from '../../src/core/random.js';
import { dbscan, type StPoint } from '../../src/server/dbscan.js';

function reference(points: StPoint[], o: { epsM: number; epsS: number; minPts: number }) {
  const n = points.length;
  const near = (i: number, j: number) => Math.hypot(points[i]!.x - points[j]!.x, points[i]!.y - points[j]!.y) <= o.epsM && Math.abs(points[i]!.t - points[j]!.t) <= o.epsS;
  const core = points.map((_, i) => points.filter((_, j) => near(i, j)).length >= o.minPts);
  const parent = points.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (core[i] && core[j] && near(i, j)) parent[find(i)] = find(j);
  const noise = points.map((_, i) => !core[i] && !points.some((_, j) => core[j] && near(i, j)));
  return { core, root: points.map((_, i) => find(i)), noise };
}

describe('space-time DBSCAN', () => {
  it.each([1, 2, 3, 4, 5])('agrees with the reference on blobs and scattered noise (seed %i)', (seed) => {
    const r = FastRandom.of(seed, 'dbscan');
    const points: StPoint[] = [];
    // Three blobs in space and time, one pair that is close in space but 60 s apart, and noise.
    for (const [cx, cy, ct, k] of [[0, 0, 0, 12], [40_000, 0, 3, 8], [0, 50_000, 1, 6], [80_000, 80_000, 0, 5], [80_000, 80_000, 60, 5]] as const) {
      for (let i = 0; i < k; i++) points.push({ x: cx + 8_000 * r.normal(), y: cy + 8_000 * r.normal(), t: ct + 2 * r.uniform() });
    }
    for (let i = 0; i < 15; i++) points.push({ x: 200_000 * r.uniform() - 50_000, y: 200_000 * r.uniform() - 50_000, t: 100 * r.uniform() });
    const o = { epsM: 15_000, epsS: 10, minPts: 3 };
    const labels = dbscan(points, o), ref = reference(points, o);
    points.forEach((_, i) => expect(labels[i] === -1, `point ${i}`).toBe(ref.noise[i]));
    for (let i = 0; i < points.length; i++) {
      for (let j = 0; j < points.length; j++) {
        if (ref.core[i] && ref.core[j]) expect(labels[i] === labels[j], `core points ${i}, ${j}`).toBe(ref.root[i] === ref.root[j]);
      }
    }
    // The blobs 60 s apart at the same place are two clusters, not one.
    expect(new Set(labels.slice(26, 31).filter((l) => l >= 0)).size).toBe(1);
    expect(new Set(labels.slice(26, 36).filter((l) => l >= 0)).size).toBe(2);
  });
});
