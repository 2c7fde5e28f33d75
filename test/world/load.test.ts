import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { InputError } from '../../src/core/errors.js';
import { parseWorld, loadWorld } from '../../src/world/load.js';

const square = (x0: number, y0: number, d: number) => [[[x0, y0], [x0 + d, y0], [x0 + d, y0 + d], [x0, y0 + d], [x0, y0]]];
const boundary = (coords: unknown) => ({ type: 'Feature', properties: { role: 'boundary' }, geometry: { type: 'Polygon', coordinates: coords } });
const world = (...features: unknown[]) => ({ type: 'FeatureCollection', metadata: { name: 't' }, features });

function message(fn: () => unknown): string {
  try { fn(); } catch (err) { expect(err).toBeInstanceOf(InputError); return (err as Error).message; }
  throw new Error('expected an InputError');
}

describe('world files', () => {
  it('load the shipped worlds', () => {
    const grid = loadWorld('worlds/grid-city.geojson');
    expect(grid.places).toHaveLength(900);
    expect(grid.roads.length).toBeGreaterThan(100);
    expect(grid.sites).toHaveLength(2);
    expect(grid.venues[0]!.name).toBe('Grid City Stadium');
    const monaco = loadWorld('worlds/monaco.geojson');
    expect(monaco.metadata.attribution).toContain('Map data © OpenStreetMap contributors, ODbL');
    expect(monaco.roads.length).toBe(860);
    const ca = loadWorld('worlds/california.geojson');
    // Total population within 1 % of the source rows (every selected GeoNames row is kept).
    expect(Math.abs(ca.totalPopulation / ca.metadata.source_population! - 1)).toBeLessThan(0.01);
    expect(ca.places.length).toBe(ca.metadata.source_rows);
  });

  it.each(['japan', 'turkiye', 'chile', 'mexico', 'us-west-coast'])('load the national world %s with every GeoNames row it was built from', (name) => {
    const w = loadWorld(`worlds/${name}.geojson`);
    // Within 1 % of the source rows' population (every selected row is kept, sections of places dropped).
    expect(Math.abs(w.totalPopulation / w.metadata.source_population! - 1)).toBeLessThan(0.01);
    expect(w.places.length).toBe(w.metadata.source_rows);
    expect(w.metadata.attribution!.join(' ')).toContain('GeoNames');
  });

  it('say once, with a count, that longitude and latitude look swapped', () => {
    const w = JSON.parse(readFileSync('worlds/california.geojson', 'utf8'));
    const swap = (c: any): any => (typeof c[0] === 'number' ? [c[1], c[0]] : c.map(swap));
    for (const f of w.features) f.geometry.coordinates = swap(f.geometry.coordinates);
    const m = message(() => parseWorld(w, 'ca.geojson'));
    expect(m.split('\n')).toHaveLength(1);
    expect(m).toMatch(/^ca\.geojson: \d{3,} coordinates have a latitude outside −90…90, e\.g\. features\[0\]\.geometry\.coordinates\[0\]\[0\]\[1\] \(-124\.\d+\).*: are longitude and latitude swapped\?/);
  });

  it('refuse a self-intersecting boundary', () => {
    const bowtie = [[[0, 0], [0.1, 0.1], [0.1, 0], [0, 0.1], [0, 0]]];
    expect(message(() => parseWorld(world(boundary(bowtie)), 'w.geojson'))).toMatch(/w\.geojson: features\[0\]\.geometry\.coordinates: polygon intersects itself/);
  });

  it('refuse an unclosed ring', () => {
    const open = [[[0, 0], [0.1, 0], [0.1, 0.1], [0, 0.1]]];
    expect(message(() => parseWorld(world(boundary(open)), 'w.geojson'))).toMatch(/features\[0\]\.geometry\.coordinates\[0\]: ring is not closed/);
  });

  it('refuse population outside the boundary, non-positive populations and unknown roles', () => {
    const b = boundary(square(0, 0, 0.1));
    const outside = { type: 'Feature', properties: { role: 'population', population: 500 }, geometry: { type: 'Point', coordinates: [0.5, 0.5] } };
    expect(message(() => parseWorld(world(b, outside), 'w.geojson'))).toMatch(/features\[1\]\.geometry: population point \(0\.5, 0\.5\) lies outside the boundary/);
    const negative = { type: 'Feature', properties: { role: 'population', population: -3 }, geometry: { type: 'Point', coordinates: [0.05, 0.05] } };
    expect(message(() => parseWorld(world(b, negative), 'w.geojson'))).toMatch(/features\[1\]\.properties\.population: expected a value > 0, found -3/);
    const polygonOut = { type: 'Feature', properties: { role: 'population', density_per_km2: 100 }, geometry: { type: 'Polygon', coordinates: square(0.05, 0.05, 0.1) } };
    expect(message(() => parseWorld(world(b, polygonOut), 'w.geojson'))).toMatch(/features\[1\]\.geometry: population polygon extends outside the boundary/);
    const odd = { type: 'Feature', properties: { role: 'lake' }, geometry: { type: 'Point', coordinates: [0.05, 0.05] } };
    expect(message(() => parseWorld(world(b, odd), 'w.geojson'))).toMatch(/features\[1\]\.properties\.role: expected one of "boundary", "population", "road", "site", "venue", found "lake"/);
    expect(message(() => parseWorld(world(), 'w.geojson'))).toMatch(/needs one feature with properties\.role "boundary"/);
  });
});
