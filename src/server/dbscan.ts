/**
 * Space-time DBSCAN (Ester et al. 1996; Birant & Kut 2007): points are neighbours when they lie
 * within `epsM` metres and `epsS` seconds of each other; a point with at least `minPts` neighbours
 * (itself included) is a core point, and clusters grow from core points through their neighbours.
 * Used on lit cells (a few dozen at a time), so the O(n²) neighbour search is fine.
 */

export interface StPoint {
  x: number;
  y: number;
  t: number;
}

/** Cluster label of every point (0, 1, ...), or −1 for noise. */
export function dbscan(points: readonly StPoint[], o: { epsM: number; epsS: number; minPts: number }): number[] {
  const n = points.length, labels = new Array<number>(n).fill(-2); // −2 unvisited
  const eps2 = o.epsM * o.epsM;
  const neighbours = (i: number): number[] => {
    const p = points[i]!, out: number[] = [];
    for (let j = 0; j < n; j++) {
      const q = points[j]!;
      const dx = p.x - q.x, dy = p.y - q.y;
      if (dx * dx + dy * dy <= eps2 && Math.abs(p.t - q.t) <= o.epsS) out.push(j);
    }
    return out;
  };
  let cluster = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== -2) continue;
    const nb = neighbours(i);
    if (nb.length < o.minPts) { labels[i] = -1; continue; }
    labels[i] = cluster;
    const queue = nb.filter((j) => j !== i);
    for (let k = 0; k < queue.length; k++) {
      const j = queue[k]!;
      if (labels[j] === -1) labels[j] = cluster; // border point
      if (labels[j] !== -2) continue;
      labels[j] = cluster;
      const nj = neighbours(j);
      if (nj.length >= o.minPts) for (const m of nj) if (labels[m] === -2 || labels[m] === -1) queue.push(m);
    }
    cluster++;
  }
  return labels;
}
