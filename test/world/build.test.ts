import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { osmRoads, parseMaxspeed, readOsm } from '../../src/world/build/osm.js';
import { selectPlaces } from '../../src/world/build/places.js';
import { loadWorld } from '../../src/world/load.js';
import { ROOT, cli, tempDir } from '../helpers.js';

describe('world build', () => {
  it('places: keeps every selected GeoNames row, so the total is the source sum', () => {
    const dir = tempDir();
    const out = join(dir, 'nv.geojson');
    const r = cli(['world', 'build', 'places', '--country', 'US', '--admin', 'NV', '--name', 'nevada', '--out', out]);
    expect(r.code).toBe(0);
    const rows = selectPlaces({ country: 'US', admin: 'NV' });
    const w = loadWorld(out);
    expect(w.places).toHaveLength(rows.length);
    expect(w.totalPopulation).toBe(rows.reduce((s, c) => s + c.population, 0));
    expect(rows.every((c) => c.featureCode !== 'PPLX')).toBe(true);
    expect(JSON.parse(readFileSync(out, 'utf8')).metadata.built_with).toBe(`hazardsim world build places --country US --admin NV --name nevada --out ${out}`);
  });

  it('osm: highway ways become roads with class, speed and one-way direction', () => {
    const { features, stats } = osmRoads(readOsm(join(ROOT, 'data/roads/bautzen.osm')));
    expect(stats.roads).toBeGreaterThan(10);
    for (const f of features) {
      expect(f.properties.speed_kmh).toBeGreaterThan(0);
      expect(f.geometry.coordinates.length).toBeGreaterThanOrEqual(2);
    }
    const classes = new Set(features.map((f) => f.properties.class));
    expect(classes.has('residential')).toBe(true);
  });

  it('osm: parses maxspeed values', () => {
    expect(parseMaxspeed('50')).toBe(50);
    expect(parseMaxspeed('30 mph')).toBeCloseTo(48.28, 2);
    expect(parseMaxspeed('DE:urban')).toBe(50);
    expect(parseMaxspeed('signals')).toBeUndefined();
  });

  it('osm + places: builds a world with roads and population and the ODbL line', () => {
    const dir = tempDir();
    const out = join(dir, 'bautzen.geojson');
    const r = cli(['world', 'build', 'osm', '--osm', 'data/roads/bautzen.osm', '--bbox', '14.40,51.18,14.42,51.20', '--spread-m', '100', '--name', 'bautzen', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const w = loadWorld(out);
    expect(w.roads.length).toBeGreaterThan(10);
    expect(w.metadata.attribution[0]).toBe('Map data © OpenStreetMap contributors, ODbL');
  });

  it('refuses a bad bounding box with exit 2', () => {
    const r = cli(['world', 'build', 'places', '--bbox', '10,50,9,51', '--out', join(tempDir(), 'x.geojson')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--bbox: expected west,south,east,north/);
  });
});
