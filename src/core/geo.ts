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

/** Horizontal distance from (x, y) to a segment (Joyner–Boore-like), m. */
export function segmentDistance(s: Segment, x: number, y: number): number {
  const dx = s.x2 - s.x1, dy = s.y2 - s.y1, len2 = dx * dx + dy * dy;
  const u = len2 > 0 ? Math.min(1, Math.max(0, ((x - s.x1) * dx + (y - s.y1) * dy) / len2)) : 0;
  return hypot(x - (s.x1 + u * dx), y - (s.y1 + u * dy));
}
