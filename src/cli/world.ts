/** `hazardsim world build`: writes world files from synthetic or real sources, validated before writing. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../core/errors.js';
import { buildGridCity } from '../world/build/grid-city.js';
import { buildPlacesWorld, placeFeatures, selectPlaces } from '../world/build/places.js';
import { buildOsmWorld } from '../world/build/osm.js';
import { insideWorld, parseWorld } from '../world/load.js';

export interface WorldBuildOptions {
  source: 'grid' | 'places' | 'osm';
  out: string;
  name?: string;
  lon?: number;
  lat?: number;
  sizeKm?: number;
  cellKm?: number;
  country?: string;
  admin?: string;
  bbox?: string;
  dropCodes?: string;
  minPopulation?: number;
  bufferKm?: number;
  spreadM?: number;
  osm?: string;
  bufferM?: number;
}

function parseBbox(text: string | undefined): [number, number, number, number] | undefined {
  if (text === undefined) return undefined;
  const v = text.split(',').map(Number);
  if (v.length !== 4 || v.some((n) => !Number.isFinite(n)) || v[0]! >= v[2]! || v[1]! >= v[3]!) {
    throw new InputError('--bbox', `expected west,south,east,north in degrees with west < east and south < north, found ${JSON.stringify(text)}`);
  }
  return v as [number, number, number, number];
}

const dropList = (t: string | undefined) => (t === undefined ? undefined : t.split(',').map((s) => s.trim()).filter(Boolean));

export function worldBuild(o: WorldBuildOptions): number {
  const command = `hazardsim ${process.argv.slice(2).join(' ')}`;
  let fc: any;
  if (o.source === 'grid') {
    fc = buildGridCity({ name: o.name, lon: o.lon, lat: o.lat, sizeKm: o.sizeKm, cellKm: o.cellKm });
  } else if (o.source === 'places') {
    if (!o.country && !o.bbox) throw new InputError('world build places', 'expected --country (with optional --admin) or --bbox to select places');
    fc = buildPlacesWorld({
      name: o.name ?? 'places', country: o.country, admin: o.admin, bbox: parseBbox(o.bbox), dropCodes: dropList(o.dropCodes),
      minPopulation: o.minPopulation, bufferKm: o.bufferKm, spreadM: o.spreadM, command,
    });
  } else {
    if (!o.osm) throw new InputError('world build osm', 'expected --osm FILE (.osm or .osm.gz)');
    let population: any[] | undefined;
    let note: string | undefined;
    if (o.country || o.bbox) {
      const rows = selectPlaces({ country: o.country, admin: o.admin, bbox: parseBbox(o.bbox), dropCodes: dropList(o.dropCodes), minPopulation: o.minPopulation });
      population = placeFeatures(rows, o.spreadM);
      note = `Population: ${rows.length} GeoNames places${o.country ? ' in ' + o.country : ''}.`;
    }
    try {
      fc = buildOsmWorld({ osmFile: o.osm, name: o.name ?? 'osm', bufferM: o.bufferM, command, population, populationNote: note });
    } catch (err) {
      throw new InputError(o.osm, (err as Error).message);
    }
    if (population) {
      // Keep the places inside the road hull; say how many were outside.
      const probe = parseWorld({ ...fc, features: fc.features.filter((f: any) => f.properties.role !== 'population') }, o.out);
      const inside = population.filter((f) => insideWorld(probe, probe.frame.x(f.geometry.coordinates[0]), probe.frame.y(f.geometry.coordinates[1])));
      fc.features = fc.features.filter((f: any) => f.properties.role !== 'population' || inside.includes(f));
      fc.metadata.source_population = inside.reduce((s: number, f: any) => s + f.properties.population, 0);
      fc.metadata.source_rows = inside.length;
      fc.metadata.stats.places_outside_boundary = population.length - inside.length;
    }
  }
  const world = parseWorld(fc, o.out); // validate before writing
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, JSON.stringify(fc) + '\n');
  process.stdout.write(`wrote ${o.out}: ${fc.features.length} features, ${world.places.length} population places (${Math.round(world.totalPopulation).toLocaleString('en-US')} people), ${world.roads.length} roads\n`);
  return 0;
}
