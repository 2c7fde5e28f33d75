import { describe, expect, it } from 'vitest';
import { geoContains } from 'd3-geo';
import { mapSvg, type MapInput } from '../../src/report/map.js';
import { rjbKm } from '../../src/report/shakemap.js';
import { landPolygons } from '../../src/report/coast.js';
import { alertRadiusKm, predictedMmi } from '../../src/server/estimate.js';

/** A run with one M6 point source at (lon, lat) and phones on a ring of `ringKm` (which sets the map's extent). */
function quakeRun(lon: number, lat: number, ringKm: number, mmiOf: (km: number) => number = () => NaN): MapInput {
  const devices = [];
  for (let i = 0; i < 400; i++) {
    const km = ringKm * Math.sqrt((i % 20) / 19), a = (i * 2.399) % (2 * Math.PI);
    const dlon = (km * Math.sin(a)) / (111.195 * Math.cos((lat * Math.PI) / 180)), dlat = (km * Math.cos(a)) / 111.195;
    devices.push({ device: i, hazard: 0, lon: lon + dlon, lat: lat + dlat, reached: true, mmi: mmiOf(km), should_alert: false, warning_s: null, outcome: 'correctly_quiet' });
  }
  return {
    devices, alertFeatures: [], manifest: {},
    truthFeatures: [{ geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { role: 'source', hazard: 0, kind: 'earthquake', name: 'M6', magnitude: 6, depth_km: 8, rake: null } }] // mechanism unspecified, as the server's prediction,
  };
}

/** Vertices of SVG path data (M/L commands only). */
const vertices = (d: string): number[][] => [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);

/** The intensity band of `level` as drawn, and the map's km per px from its scale bar. */
function measure(svg: string, level: number) {
  const band = svg.match(new RegExp(`<path data-mmi="${level}" d="([^"]+)"`))![1]!;
  const starPts = vertices(svg.match(/<path class="truth" d="([^"]+)"/)![1]!);
  const cx = starPts.reduce((a, p) => a + p[0]!, 0) / starPts.length, cy = starPts.reduce((a, p) => a + p[1]!, 0) / starPts.length;
  const bar = svg.match(/<g class="scale-bar"><rect x="[\d.]+" y="\d+" width="([\d.]+)"[^>]*\/><text[^>]*>([\d.]+) km<\/text>/)!;
  const kmPerPx = Number(bar[2]) / Number(bar[1]);
  const radii = vertices(band).map(([x, y]) => Math.hypot(x! - cx, y! - cy) * kmPerPx);
  return { radii, mean: radii.reduce((a, r) => a + r, 0) / radii.length };
}

describe('report map', () => {
  it('Joyner–Boore distance to a trace: perpendicular inside a segment, to the nearer end beyond it (hand calculation)', () => {
    // A 50 km trace due north from (10°E, 45°N); 1° of latitude is 111.195 km on the mean sphere.
    const trace = [[[10, 45], [10, 45 + 50 / 111.195]]];
    const east = (km: number, lat: number) => [10 + km / (111.195 * Math.cos((lat * Math.PI) / 180)), lat];
    expect(rjbKm(trace, ...(east(12, 45 + 25 / 111.195) as [number, number]))).toBeCloseTo(12, 1);
    expect(rjbKm(trace, 10, 45 - 30 / 111.195)).toBeCloseTo(30, 1); // south of the start
    expect(rjbKm(trace, 10, 45 + 20 / 111.195)).toBeCloseTo(0, 6); // on the trace
    expect(rjbKm([[[10, 45], [10, 45]]], ...(east(7, 45) as [number, number]))).toBeCloseTo(7, 1); // a point source
  });

  it('draws the intensity band where the median MMI reaches its level, at the radius the server\'s 1-D bisection finds (through projection, contouring and the scale bar)', () => {
    const svg = mapSvg(quakeRun(10, 45, 60), { rings: [], roads: [], sites: [] });
    for (const level of [5, 6]) {
      const want = alertRadiusKm(6, level - 0.5); // km where predicted MMI falls to the band's lower edge
      const m = measure(svg, level);
      expect(want).toBeGreaterThan(5);
      expect(Math.abs(m.mean - want) / want).toBeLessThan(0.01);
      // A circle: every vertex within 1 % of it.
      for (const r of m.radii) expect(Math.abs(r - want) / want).toBeLessThan(0.01);
    }
  });

  it('shifts the field by the event term the phones\' true MMI shows (one unit stronger: the VI band reaches MMI 4.5\'s radius)', () => {
    const svg = mapSvg(quakeRun(10, 45, 60, (km) => predictedMmi(6, km) + 1), { rings: [], roads: [], sites: [] });
    const want = alertRadiusKm(6, 4.5);
    expect(Math.abs(measure(svg, 6).mean - want) / want).toBeLessThan(0.01);
  });

  it('land and coast come from Natural Earth: Santiago on land, the sea off Valparaíso not; drawn on a wide coastal map, not on a city', () => {
    const land = landPolygons()!; // the whole world's
    expect(land).not.toBeNull();
    expect(geoContains(land, [-70.65, -33.45])).toBe(true); // Santiago
    expect(geoContains(land, [-72.5, -33.0])).toBe(false); // Pacific, 90 km off Valparaíso
    expect(geoContains(land, [7.42, 43.6])).toBe(false); // the Ligurian Sea, 15 km south of Monaco
    // 150 km around Valparaíso: sea in frame, so land and coast are drawn; inland Spain shows no coast.
    expect(mapSvg(quakeRun(-71.6, -33.05, 150), { rings: [], roads: [], sites: [] })).toContain('class="land"');
    expect(mapSvg(quakeRun(-3.7, 40.4, 150), { rings: [], roads: [], sites: [] })).not.toContain('class="land"');
    // Monaco (a few km across) is finer than the 1:10 m coast: none drawn.
    expect(mapSvg(quakeRun(7.42, 43.73, 2), { rings: [], roads: [], sites: [] })).not.toContain('class="land"');
  });
});
