/** Planar geometry in the local metric frame: rings, point-in-polygon, areas, bounding boxes. */

/** A ring as flat [x0, y0, x1, y1, ...] metres; closed implicitly (last point ≠ first). */
export type Ring = Float64Array;

/** A polygon: outer ring then holes. */
export interface PlanarPolygon {
  rings: Ring[];
  /** [minX, minY, maxX, maxY] of the outer ring. */
  bbox: [number, number, number, number];
  /** Area in m² (outer minus holes). */
  area: number;
}

/** Signed area of a ring (positive when counter-clockwise). */
export function ringArea(r: Ring): number {
  let s = 0;
  const n = r.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) s += r[2 * j]! * r[2 * i + 1]! - r[2 * i]! * r[2 * j + 1]!;
  return s / 2;
}

/** Even-odd ray casting test of (x, y) against one ring. */
export function inRing(r: Ring, x: number, y: number): boolean {
  let inside = false;
  const n = r.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = r[2 * i]!, yi = r[2 * i + 1]!, xj = r[2 * j]!, yj = r[2 * j + 1]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function inPolygon(p: PlanarPolygon, x: number, y: number): boolean {
  const b = p.bbox;
  if (x < b[0] || x > b[2] || y < b[1] || y > b[3]) return false;
  if (!inRing(p.rings[0]!, x, y)) return false;
  for (let h = 1; h < p.rings.length; h++) if (inRing(p.rings[h]!, x, y)) return false;
  return true;
}

/** Builds a planar polygon from projected rings (each ring may repeat its first point at the end). */
export function makePolygon(rings: Ring[]): PlanarPolygon {
  const clean = rings.map((r) => {
    const n = r.length;
    return n >= 4 && r[0] === r[n - 2] && r[1] === r[n - 1] ? r.slice(0, n - 2) : r;
  });
  const outer = clean[0]!;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < outer.length; i += 2) {
    minX = Math.min(minX, outer[i]!);
    maxX = Math.max(maxX, outer[i]!);
    minY = Math.min(minY, outer[i + 1]!);
    maxY = Math.max(maxY, outer[i + 1]!);
  }
  let area = Math.abs(ringArea(outer));
  for (let h = 1; h < clean.length; h++) area -= Math.abs(ringArea(clean[h]!));
  return { rings: clean, bbox: [minX, minY, maxX, maxY], area };
}

/** Squared distance from (px, py) to segment (ax, ay)–(bx, by). */
export function segmentDistance2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = ax + t * dx - px, ey = ay + t * dy - py;
  return ex * ex + ey * ey;
}

/** Distance (m) from a point to the boundary of a polygon's rings (0 on the edge). */
export function distanceToPolygonEdge(p: PlanarPolygon, x: number, y: number): number {
  let best = Infinity;
  for (const r of p.rings) {
    const n = r.length / 2;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      best = Math.min(best, segmentDistance2(x, y, r[2 * j]!, r[2 * j + 1]!, r[2 * i]!, r[2 * i + 1]!));
    }
  }
  return Math.sqrt(best);
}
