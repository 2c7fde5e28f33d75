/** Geodesy at the edges: great-circle distances between longitude/latitude positions. */

/** Great-circle distance in km (haversine on a sphere of the mean Earth radius, 6371.0088 km). */
export function haversineKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const r = Math.PI / 180;
  const dLat = (lat2 - lat1) * r, dLon = (lon2 - lon1) * r;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(a)));
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
  return Math.hypot(x - (s.x1 + u * dx), y - (s.y1 + u * dy));
}
