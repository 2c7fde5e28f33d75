import { describe, expect, it } from 'vitest';
import { parseWorld } from '../../src/world/load.js';
import { placeDevices } from '../../src/population/place.js';
import { inPolygon } from '../../src/world/geometry.js';

const rect = (x0: number, y0: number, x1: number, y1: number) => [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]];

describe('placement', () => {
  // Four 0.01° cells with densities 100, 200, 300, 400 people/km² (equal areas), and a point town.
  const w = parseWorld({
    type: 'FeatureCollection',
    metadata: { name: 'cells' },
    features: [
      { type: 'Feature', properties: { role: 'boundary' }, geometry: { type: 'Polygon', coordinates: rect(0, 45, 0.04, 45.02) } },
      ...[100, 200, 300, 400].map((d, i) => ({ type: 'Feature', properties: { role: 'population', density_per_km2: d }, geometry: { type: 'Polygon', coordinates: rect(0.01 * i, 45, 0.01 * (i + 1), 45.01) } })),
      { type: 'Feature', properties: { role: 'population', population: 1500, spread_m: 150 }, geometry: { type: 'Point', coordinates: [0.02, 45.015] } },
    ],
  }, 'cells.geojson');

  it('puts devices in proportion to population (chi-square test, p > 0.001)', () => {
    const n = 40_000;
    const cols = placeDevices(w, { seed: 3, devices: n, phoneShares: [1], behaviourShares: [1] });
    const x = cols.f64('x'), y = cols.f64('y');
    const counts = new Array(5).fill(0);
    for (let d = 0; d < n; d++) {
      const i = w.places.findIndex((p) => p.kind === 'polygon' && p.polygons!.some((q) => inPolygon(q, x[d]!, y[d]!)));
      counts[i >= 0 ? i : 4]++;
    }
    const total = w.totalPopulation;
    let chi2 = 0;
    w.places.forEach((p, i) => {
      const expected = (n * p.population) / total;
      chi2 += (counts[i] - expected) ** 2 / expected;
    });
    expect(chi2).toBeLessThan(18.47); // chi-square, 4 degrees of freedom, p = 0.001
  });

  it('scatters devices around point places with the configured spread', () => {
    const n = 40_000;
    const cols = placeDevices(w, { seed: 4, devices: n, phoneShares: [1], behaviourShares: [1] });
    const town = w.places[4]!;
    const x = cols.f64('x'), y = cols.f64('y');
    const near: number[] = [];
    for (let d = 0; d < n; d++) {
      if (Math.hypot(x[d]! - town.x!, y[d]! - town.y!) < 600 && y[d]! > w.places[0]!.polygons![0]!.bbox[3]) near.push(d);
    }
    // The town holds 1500 of ~2,740 people… and its devices sit within a few σ of its centre, above the cells.
    const sx = Math.sqrt(near.reduce((s, d) => s + (x[d]! - town.x!) ** 2, 0) / near.length);
    expect(sx).toBeGreaterThan(120);
    expect(sx).toBeLessThan(180);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = placeDevices(w, { seed: 9, devices: 500, phoneShares: [1, 2], behaviourShares: [3, 1] });
    const b = placeDevices(w, { seed: 9, devices: 500, phoneShares: [1, 2], behaviourShares: [3, 1] });
    const c = placeDevices(w, { seed: 10, devices: 500, phoneShares: [1, 2], behaviourShares: [3, 1] });
    expect(Array.from(a.f64('x'))).toEqual(Array.from(b.f64('x')));
    expect(Array.from(a.u8('phone'))).toEqual(Array.from(b.u8('phone')));
    expect(Array.from(a.f64('x'))).not.toEqual(Array.from(c.f64('x')));
    const phones = a.u8('phone').reduce((s, v) => s + v, 0) / 500;
    expect(phones).toBeGreaterThan(0.55); // share 2/3 of profile 1
    expect(phones).toBeLessThan(0.78);
  });
});
