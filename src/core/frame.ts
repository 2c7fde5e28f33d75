/**
 * Local metric frame: east/north metres around an origin, for geometry in hot loops.
 *
 * Uses cheap-ruler's WGS84 scale factors at the origin latitude (the normal and meridional radii
 * of curvature), so x = Δlon·kx and y = Δlat·ky. Distance errors stay under 0.1 % within a few
 * hundred kilometres of the origin; geodesic libraries are used at the edges (loading worlds,
 * writing GeoJSON).
 */
import CheapRuler from 'cheap-ruler';

export class LocalFrame {
  readonly lon0: number;
  readonly lat0: number;
  /** Metres per degree of longitude at the origin latitude. */
  readonly kx: number;
  /** Metres per degree of latitude at the origin latitude. */
  readonly ky: number;

  constructor(lon0: number, lat0: number) {
    if (!Number.isFinite(lon0) || !Number.isFinite(lat0) || Math.abs(lat0) > 89) {
      throw new Error(`local frame origin must be a finite lon/lat away from the poles (got ${lon0}, ${lat0})`);
    }
    this.lon0 = lon0;
    this.lat0 = lat0;
    const ruler = new CheapRuler(lat0, 'meters');
    this.kx = ruler.kx;
    this.ky = ruler.ky;
  }

  /** East offset in metres of a longitude. */
  x(lon: number): number {
    let d = lon - this.lon0;
    if (d > 180) d -= 360;
    else if (d < -180) d += 360;
    return d * this.kx;
  }

  /** North offset in metres of a latitude. */
  y(lat: number): number {
    return (lat - this.lat0) * this.ky;
  }

  lon(x: number): number {
    return this.lon0 + x / this.kx;
  }

  lat(y: number): number {
    return this.lat0 + y / this.ky;
  }

  /** [x, y] in metres of a [lon, lat] position. */
  project(p: readonly number[]): [number, number] {
    return [this.x(p[0]!), this.y(p[1]!)];
  }

  /** [lon, lat] of a position in metres. */
  unproject(x: number, y: number): [number, number] {
    return [this.lon(x), this.lat(y)];
  }

  toJSON(): { lon0: number; lat0: number } {
    return { lon0: this.lon0, lat0: this.lat0 };
  }
}
