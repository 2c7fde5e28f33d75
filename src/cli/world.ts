/** `hazardsim world build`: writes world files from synthetic or real sources. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildGridCity } from '../world/build/grid-city.js';
import { parseWorld } from '../world/load.js';

export function worldBuildGrid(o: { out: string; name?: string; lon?: number; lat?: number; sizeKm?: number; cellKm?: number }): number {
  const fc = buildGridCity({ name: o.name, lon: o.lon, lat: o.lat, sizeKm: o.sizeKm, cellKm: o.cellKm });
  parseWorld(fc, o.out); // validate before writing
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, JSON.stringify(fc) + '\n');
  process.stdout.write(`wrote ${o.out}: ${fc.features.length} features\n`);
  return 0;
}
