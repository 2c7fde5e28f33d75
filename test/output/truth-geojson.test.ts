import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { destination } from '@turf/destination';
import { distance } from '@turf/distance';
import { cli, smallScenario, tempDir, writeScenario } from '../helpers.js';

/** The rupture feature truth.geojson holds for one scenario rupture (a short, small run). */
function ruptureOf(dir: string, name: string, rupture: object) {
  const quake = { type: 'earthquake', origin_time: '5s', lon: -120.03, lat: 36.0, depth_km: 8, magnitude: 6.5, rupture };
  const file = writeScenario(dir, smallScenario(dir, { duration: '15s', population: { devices: 50, phones: [{ profile: join(process.cwd(), 'agents/phones/mid-range.yaml') }], behaviours: [{ profile: join(process.cwd(), 'agents/behaviours/on-table.yaml') }] }, hazards: [quake] }), `${name}.yaml`);
  const r = cli(['run', file, '--out', join(dir, name), '--quiet']);
  expect(r.code, r.stderr).toBe(0);
  const fc = JSON.parse(readFileSync(join(dir, name, 'truth.geojson'), 'utf8'));
  const source = fc.features.find((f: any) => f.properties.role === 'source');
  // Times are named as in the tables (origin_time_s), not as the scenario field (origin_time).
  expect(source.properties.origin_time_s).toBe(5);
  expect(source.properties).not.toHaveProperty('origin_time');
  expect(source.properties).not.toHaveProperty('rupture_trace');
  return fc.features.find((f: any) => f.properties.role === 'rupture');
}

describe('truth.geojson', () => {
  it('draws the rupture the hazard broke: bilateral about the hypocentre, or two segments from it (turf destination as reference)', () => {
    const dir = tempDir();
    const epi = [-120.03, 36.0];
    const near = (a: number[], b: number[]) => distance(a, b, { units: 'kilometers' });
    // Bilateral, 30 km along 90°: from 15 km west of the hypocentre to 15 km east of it.
    const bi = ruptureOf(dir, 'bilateral', { strike_deg: 90, length_km: 30, direction: 'bilateral' });
    expect(bi.geometry.type).toBe('MultiLineString');
    expect(bi.geometry.coordinates).toHaveLength(1);
    const [a, b] = bi.geometry.coordinates[0];
    expect(near(a, destination(epi, 15, -90, { units: 'kilometers' }).geometry.coordinates)).toBeLessThan(0.3);
    expect(near(b, destination(epi, 15, 90, { units: 'kilometers' }).geometry.coordinates)).toBeLessThan(0.3);
    // Two segments from the hypocentre, as the Kahramanmaraş scenario has: 20 km along 55°, 15 km along 215°.
    const two = ruptureOf(dir, 'two', { strike_deg: 55, length_km: 20, second_segment: { strike_deg: 215, length_km: 15 } });
    expect(two.geometry.coordinates).toHaveLength(2);
    const ends = two.geometry.coordinates.map((s: number[][]) => s[1]);
    for (const s of two.geometry.coordinates) expect(near(s[0], epi)).toBeLessThan(0.05);
    expect(near(ends[0], destination(epi, 20, 55, { units: 'kilometers' }).geometry.coordinates)).toBeLessThan(0.3);
    expect(near(ends[1], destination(epi, 15, -145, { units: 'kilometers' }).geometry.coordinates)).toBeLessThan(0.3);
    expect(two.properties.length_km).toBeCloseTo(35, 6);
  }, 60_000);
});
