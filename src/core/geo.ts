/** Geodesy at the edges: great-circle distances between longitude/latitude positions. */

/** Great-circle distance in km (haversine on a sphere of the mean Earth radius, 6371.0088 km). */
export function haversineKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const r = Math.PI / 180;
  const dLat = (lat2 - lat1) * r, dLon = (lon2 - lon1) * r;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * √(a² + b²) exactly as V8's Math.hypot computes it for two arguments (the larger magnitude
 * factored out, a Kahan-compensated sum of squares; the same bits, tested), without its cost: V8's
 * builtin allocates for its arguments, which on the server's hot paths came to hundreds of megabytes
 * of garbage per national run, and is three times slower.
 */
export function hypot(a: number, b: number): number {
  a = Math.abs(a); b = Math.abs(b);
  if (a === Infinity || b === Infinity) return Infinity;
  if (a !== a || b !== b) return NaN;
  const max = a > b ? a : b;
  if (max === 0) return 0;
  // The builtin's compensated loop over two arguments, unrolled: the first square leaves no
  // compensation (it is at most 1, so exact to subtract), so the sum is the plain one.
  const x = a / max, y = b / max;
  return Math.sqrt(x * x + y * y) * max;
}

/** A line rupture from the epicentre (x1, y1) to its tip (x2, y2), local metres. */
export interface Segment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * Where the horizontal line y = yc meets the points within r of segment s (a capsule: a disc at
 * each end and the band between): the interval [lo, hi] of x, written into `out` (lo > hi: it
 * misses). A point source is a segment of length 0.
 */
export function capsuleRow(s: Segment, r: number, yc: number, out: [number, number]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  // The end discs.
  for (let e = 0; e < 2; e++) {
    const x = e ? s.x2 : s.x1, dy = yc - (e ? s.y2 : s.y1);
    if (Math.abs(dy) <= r) { const w = Math.sqrt(r * r - dy * dy); if (x - w < lo) lo = x - w; if (x + w > hi) hi = x + w; }
  }
  // The band: a rectangle (corners x1 + n, x2 + n, x2 − n, x1 − n), its edges cut by the line.
  const dx = s.x2 - s.x1, dy = s.y2 - s.y1, len = Math.sqrt(dx * dx + dy * dy);
  if (len > 0) {
    const nx = (-dy / len) * r, ny = (dx / len) * r;
    const px = [s.x1 + nx, s.x2 + nx, s.x2 - nx, s.x1 - nx], py = [s.y1 + ny, s.y2 + ny, s.y2 - ny, s.y1 - ny];
    for (let k = 0; k < 4; k++) {
      const ax = px[k]!, ay = py[k]!, bx = px[(k + 1) & 3]!, by = py[(k + 1) & 3]!;
      if ((ay - yc) * (by - yc) > 0) continue;
      if (ay === by) { lo = Math.min(lo, ax, bx); hi = Math.max(hi, ax, bx); continue; }
      const x = ax + ((yc - ay) / (by - ay)) * (bx - ax);
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  out[0] = lo; out[1] = hi;
  return out;
}

/** Horizontal distance from (x, y) to a segment (Joyner–Boore-like), m. */
export function segmentDistance(s: Segment, x: number, y: number): number {
  const dx = s.x2 - s.x1, dy = s.y2 - s.y1, len2 = dx * dx + dy * dy;
  const u = len2 > 0 ? Math.min(1, Math.max(0, ((x - s.x1) * dx + (y - s.y1) * dy) / len2)) : 0;
  return hypot(x - (s.x1 + u * dx), y - (s.y1 + u * dy));
}
