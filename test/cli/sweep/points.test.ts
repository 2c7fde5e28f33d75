/**
 * Expanding sweeps into points, against hand calculations: grid products in order, zipped lists,
 * log ranges (10^(a + k(b − a)/(n − 1))), Latin-hypercube strata (McKay et al. 1979: each of the n
 * equal strata of every dimension holds exactly one point), and catalogue events with their local
 * clock (Türkiye's 2023 M7.8 at 01:17:35 UTC was 04:17 in Istanbul's zone, UTC+3).
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandPoints, unitSample } from '../../../src/cli/sweep/points.js';
import { sweepSchema } from '../../../src/cli/sweep/spec.js';
import { localClock, readCatalogue } from '../../../src/cli/sweep/catalogue.js';
import { tempDir } from '../../helpers.js';

const base = { config: { hazards: [{ origin_time: 60 }], seed: 1 } } as never;
const expand = (raw: object) => expandPoints(sweepSchema.parse({ name: 's', scenario: 'x.yaml', ...raw }), base, undefined);

describe('sweep points', () => {
  it('crosses grid axes with the first axis varying slowest, and zips lists element by element', () => {
    const pts = expand({ grid: [{ path: 'population.adoption', values: [0.01, 0.02] }, { zip: [{ path: 'server.cell_km', values: [5, 10, 20] }, { path: 'server.min_active', values: [3, 5, 8] }] }] });
    expect(pts.map((p) => p.params.map(([, v]) => v))).toEqual([[0.01, 5, 3], [0.01, 10, 5], [0.01, 20, 8], [0.02, 5, 3], [0.02, 10, 5], [0.02, 20, 8]]);
    expect(pts[4]!.overrides).toEqual(['population.adoption=0.02', 'server.cell_km=10', 'server.min_active=5']);
  });

  it('spaces a log range evenly in log10: 0.01 % to 5 % in 8 steps', () => {
    const pts = expand({ grid: [{ path: 'population.adoption', range: { from: 0.0001, to: 0.05, steps: 8, scale: 'log' } }] });
    const hand = Array.from({ length: 8 }, (_, k) => 10 ** (-4 + (k * (Math.log10(0.05) + 4)) / 7));
    pts.forEach((p, k) => expect(p.params[0]![1] as number).toBeCloseTo(hand[k]!, 12));
    expect(pts[0]!.params[0]![1]).toBe(0.0001);
    expect(pts[7]!.params[0]![1]).toBe(0.05);
  });

  it('puts exactly one Latin-hypercube point in each stratum of every dimension, reproducibly', () => {
    const n = 37, u = unitSample('latin-hypercube', n, 3, 5);
    for (let j = 0; j < 3; j++) expect(u.map((p) => Math.floor(p[j]! * n)).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(unitSample('latin-hypercube', n, 3, 5)).toEqual(u);
    expect(unitSample('latin-hypercube', n, 3, 6)).not.toEqual(u);
    const pts = expand({ sample: { method: 'latin-hypercube', points: 10, parameters: [{ path: 'detector.ratio', min: 2, max: 6 }, { path: 'population.adoption', min: 0.001, max: 0.1, scale: 'log' }] } });
    expect(pts).toHaveLength(10);
    for (const p of pts) {
      expect(p.params[0]![1]).toBeGreaterThanOrEqual(2); expect(p.params[0]![1]).toBeLessThan(6);
      expect(p.params[1]![1]).toBeGreaterThanOrEqual(0.001); expect(p.params[1]![1]).toBeLessThan(0.1);
    }
    // Log scale: one point per decade-stratum in log10 (here 10 strata of 0.2 decades).
    expect(pts.map((p) => Math.floor(((Math.log10(p.params[1]![1] as number) + 3) / 2) * 10)).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('refuses an empty list, a sweep with nothing to sweep, zipped lists of unequal length', () => {
    const issues = (raw: object) => sweepSchema.safeParse({ name: 's', scenario: 'x.yaml', ...raw }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ grid: [{ path: 'population.adoption', values: [] }] }).join()).toMatch(/grid\.0\.values: expected at least one value/);
    expect(issues({}).join()).toMatch(/grid: expected something to sweep/);
    expect(issues({ grid: [{ zip: [{ path: 'a', values: [1, 2] }, { path: 'b', values: [1] }] }] }).join()).toMatch(/expected 2 values/);
  });
});

describe('catalogues', () => {
  it('gives each event its local clock at the run start, in a named zone or by solar time', () => {
    expect(localClock(new Date('2023-02-06T01:17:35Z'), 37.0, 'Europe/Istanbul')).toBe('04:17');
    expect(localClock(new Date('2019-07-06T03:19:53Z'), -117.6, 'America/Los_Angeles')).toBe('20:19');
    // Solar time: 37° east is 2 h 28 min ahead of UTC.
    expect(localClock(new Date('2023-02-06T01:17:35Z'), 37.0)).toBe('03:45');
  });

  it('makes one point per event: its source, its start (origin minus the hazard\'s onset in the run) and local hour', () => {
    const dir = tempDir(), file = join(dir, 'events.csv');
    writeFileSync(file, 'origin_time,lon,lat,depth_km,magnitude,name\n2019-07-06T03:19:53Z,-117.599,35.770,8,7.1,Ridgecrest\n2014-08-24T10:20:44Z,-122.31,38.22,11,6.0,"South Napa, CA"\n');
    const events = readCatalogue(file);
    const pts = expandPoints(sweepSchema.parse({ name: 's', scenario: 'x.yaml', catalogue: { file, time_zone: 'America/Los_Angeles' } }), base, events);
    expect(pts.map((p) => p.event!.name)).toEqual(['Ridgecrest', 'South Napa, CA']);
    expect(Object.fromEntries(pts[0]!.params)).toMatchObject({ 'hazards.0.magnitude': 7.1, 'hazards.0.lon': -117.599, start_utc: '2019-07-06T03:18:53.000Z', local_start: '20:18' });
  });

  it('names the file, line and column of a bad row', () => {
    const dir = tempDir(), file = join(dir, 'events.csv');
    writeFileSync(file, 'origin_time,lon,lat,depth_km,magnitude\n2019-07-06T03:19:53Z,-117.6,35.77,8,7.1\n2019-07-04T17:33:49Z,-117.5,35.70,10,big\n');
    expect(() => readCatalogue(file)).toThrow(/events\.csv: line 3, magnitude: expected a magnitude from 0 to 10, found "big"/);
  });
});
