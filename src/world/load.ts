/**
 * World files: a GeoJSON FeatureCollection whose features say what they are in `properties.role`
 * (boundary, population, road, site, venue), with attribution and licence in `metadata`.
 * The loader validates geometry (closed, non-self-intersecting rings; features inside the
 * boundary; positive populations) and projects everything into the world's local metric frame.
 * The format is documented in worlds/README.md.
 */
import { readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { kinks } from '@turf/kinks';
import { polygon as turfPolygon } from '@turf/helpers';
import { InputError, type InputProblem } from '../core/errors.js';
import { LocalFrame } from '../core/frame.js';
import { issuesToProblems } from '../plugin/issues.js';
import { distanceToPolygonEdge, inPolygon, makePolygon, type PlanarPolygon, type Ring } from './geometry.js';

const position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)], { error: 'expected [longitude, latitude]' }).rest(z.number());
const ring = z.array(position).min(4, { error: 'expected a closed ring of at least 4 positions' });
const polygonGeometry = z.object({ type: z.literal('Polygon'), coordinates: z.array(ring).min(1) });
const multiPolygonGeometry = z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(ring).min(1)).min(1) });
const pointGeometry = z.object({ type: z.literal('Point'), coordinates: position });
const lineGeometry = z.object({ type: z.literal('LineString'), coordinates: z.array(position).min(2) });

export const ROAD_CLASSES = ['motorway', 'trunk', 'primary', 'secondary', 'tertiary', 'residential', 'service', 'unclassified', 'living_street', 'track', 'path', 'footway', 'steps', 'pedestrian', 'cycleway'] as const;

const boundaryFeature = z.object({
  type: z.literal('Feature'),
  properties: z.strictObject({ role: z.literal('boundary'), name: z.string().optional() }),
  geometry: z.discriminatedUnion('type', [polygonGeometry, multiPolygonGeometry]),
});
const populationPoint = z.object({
  type: z.literal('Feature'),
  properties: z.strictObject({
    role: z.literal('population'),
    name: z.string().optional(),
    population: z.number().positive(),
    spread_m: z.number().positive().optional().describe('Standard deviation (m) of the Gaussian scatter around the point; default from population.'),
    source_id: z.union([z.string(), z.number()]).optional(),
  }),
  geometry: pointGeometry,
});
const populationPolygon = z.object({
  type: z.literal('Feature'),
  properties: z.strictObject({
    role: z.literal('population'),
    name: z.string().optional(),
    density_per_km2: z.number().positive(),
  }),
  geometry: z.discriminatedUnion('type', [polygonGeometry, multiPolygonGeometry]),
});
const roadFeature = z.object({
  type: z.literal('Feature'),
  properties: z.strictObject({
    role: z.literal('road'),
    class: z.enum(ROAD_CLASSES),
    speed_kmh: z.number().positive().max(200),
    name: z.string().optional(),
    oneway: z.boolean().optional(),
    osm_id: z.union([z.string(), z.number()]).optional(),
  }),
  geometry: lineGeometry,
});
const siteFeature = z.object({
  type: z.literal('Feature'),
  properties: z.strictObject({ role: z.literal('site'), vs30: z.number().min(100).max(3000), name: z.string().optional() }),
  geometry: z.discriminatedUnion('type', [polygonGeometry, multiPolygonGeometry]),
});
const venueFeature = z.object({
  type: z.literal('Feature'),
  properties: z.strictObject({
    role: z.literal('venue'),
    name: z.string(),
    kind: z.string().optional(),
    capacity: z.number().int().positive().optional(),
  }),
  geometry: z.discriminatedUnion('type', [polygonGeometry, multiPolygonGeometry]),
});

const metadataSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  attribution: z.array(z.string()).default([]),
  licence: z.string().optional(),
  built_with: z.string().optional(),
  source_population: z.number().optional().describe('Total population and row count of the source the world was built from (for checks).'),
  source_rows: z.number().int().optional(),
  stats: z.record(z.string(), z.number()).optional().describe('Counts of what a builder kept and dropped.'),
  origin: z.tuple([z.number(), z.number()]).optional().describe('Optional frame origin; defaults to the boundary\'s bounding-box centre.'),
});

const ROLE_SCHEMAS: Record<string, z.ZodType[]> = {
  boundary: [boundaryFeature],
  population: [populationPoint, populationPolygon],
  road: [roadFeature],
  site: [siteFeature],
  venue: [venueFeature],
};

export type RoadClass = (typeof ROAD_CLASSES)[number];

export interface PopulationPlace {
  kind: 'point' | 'polygon';
  name?: string;
  /** People living here. */
  population: number;
  /** Point places: centre (m) and Gaussian scatter sigma (m). */
  x?: number;
  y?: number;
  spread?: number;
  /** Polygon places. */
  polygons?: PlanarPolygon[];
}

export interface Road {
  id: number;
  class: RoadClass;
  speedKmh: number;
  name?: string;
  oneway: boolean;
  /** Vertices in metres, flat [x0, y0, x1, y1, ...]. */
  points: Float64Array;
  /** Vertices as [lon, lat]. */
  lonlat: number[][];
}

export interface Site {
  vs30: number;
  polygons: PlanarPolygon[];
}

export interface Venue {
  name: string;
  kind?: string;
  capacity?: number;
  polygons: PlanarPolygon[];
  /** Centroid in metres. */
  x: number;
  y: number;
}

export interface World {
  file: string;
  /** sha256 of the file's bytes. */
  hash: string;
  name: string;
  metadata: z.output<typeof metadataSchema>;
  frame: LocalFrame;
  boundary: PlanarPolygon[];
  /** Boundary as GeoJSON rings ([lon, lat]) for writing outputs. */
  boundaryLonLat: number[][][][];
  places: PopulationPlace[];
  roads: Road[];
  sites: Site[];
  venues: Venue[];
  totalPopulation: number;
  /** Bounding box of the boundary in metres. */
  bbox: [number, number, number, number];
}

/** Default scatter (m) of a point place: a Gaussian whose central density is 2,000 people/km². */
export function defaultSpreadM(population: number): number {
  return 1000 * Math.sqrt(population / (2 * Math.PI * 2000));
}

function polygonRings(geometry: { type: string; coordinates: unknown }): number[][][][] {
  return geometry.type === 'Polygon' ? [geometry.coordinates as number[][][]] : (geometry.coordinates as number[][][][]);
}

function checkRings(polys: number[][][][], where: string, problems: InputProblem[]): void {
  polys.forEach((rings, pi) => {
    rings.forEach((r, ri) => {
      const a = r[0]!, b = r[r.length - 1]!;
      if (a[0] !== b[0] || a[1] !== b[1]) {
        problems.push({ path: `${where}.coordinates${polys.length > 1 ? `[${pi}]` : ''}[${ri}]`, message: 'ring is not closed: the first and last positions must be equal' });
      }
    });
    if (problems.length) return;
    try {
      const k = kinks(turfPolygon(rings));
      if (k.features.length) {
        const [lon, lat] = k.features[0]!.geometry.coordinates;
        problems.push({ path: `${where}.coordinates${polys.length > 1 ? `[${pi}]` : ''}`, message: `polygon intersects itself (first crossing near ${lon!.toFixed(5)}, ${lat!.toFixed(5)})` });
      }
    } catch (err) {
      problems.push({ path: `${where}.coordinates`, message: `invalid polygon: ${(err as Error).message}` });
    }
  });
}

/**
 * Many latitudes outside −90…90 mean longitude and latitude were swapped (GeoJSON is [lon, lat]):
 * one message with the count and the first few places, instead of one line per coordinate.
 */
function summariseLatitudes(problems: InputProblem[]): InputProblem[] {
  const lat = problems.filter((p) => /geometry\.coordinates(\[\d+\])*\[1\]$/.test(p.path) && /^expected a value [≥≤] -?90/.test(p.message));
  if (lat.length < 3) return problems;
  const first = lat.slice(0, 3).map((p) => `${p.path} (${p.message.replace(/^.*found /, '')})`).join(', ');
  return [
    { path: '', message: `${lat.length} coordinates have a latitude outside −90…90, e.g. ${first}: are longitude and latitude swapped? GeoJSON positions are [longitude, latitude]` },
    ...problems.filter((p) => !lat.includes(p)),
  ];
}

/** Loads and validates a world file. Throws InputError naming the file and feature on any problem. */
/** Worlds kept loaded, by path (with the size and mtime they had), once keepWorldsLoaded() is called. */
let kept: Map<string, { stamp: string; world: World }> | undefined;

/**
 * Keeps every world this process loads in memory for later loads of the same unchanged file (a
 * sweep's workers load each world once, not once per point). Runs never change a World.
 */
export function keepWorldsLoaded(): void {
  kept ??= new Map();
}

export function loadWorld(file: string): World {
  if (kept) {
    let stamp = '';
    try { const st = statSync(file); stamp = `${st.size}:${st.mtimeMs}`; } catch { /* reported by the load below */ }
    const hit = kept.get(file);
    if (hit && stamp && hit.stamp === stamp) return hit.world;
    const world = readWorld(file);
    if (stamp) kept.set(file, { stamp, world });
    return world;
  }
  return readWorld(file);
}

function readWorld(file: string): World {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(file, `cannot read world file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: any;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(file, `not valid JSON: ${(err as Error).message}`);
  }
  return parseWorld(json, file, createHash('sha256').update(text).digest('hex'));
}

/** Validates an already-parsed world object. */
export function parseWorld(json: any, file: string, hash = ''): World {
  const problems: InputProblem[] = [];
  if (!json || json.type !== 'FeatureCollection' || !Array.isArray(json.features)) {
    throw new InputError(file, 'expected a GeoJSON FeatureCollection with a "features" list');
  }
  const meta = metadataSchema.safeParse(json.metadata ?? {}, { reportInput: true });
  if (!meta.success) {
    for (const p of issuesToProblems(meta.error.issues, metadataSchema, json.metadata)) problems.push({ path: `metadata${p.path ? '.' + p.path : ''}`, message: p.message });
  }
  const features: any[] = json.features;
  const parsed: { role: string; f: any; index: number }[] = [];
  features.forEach((f, i) => {
    const where = `features[${i}]`;
    const role = f?.properties?.role;
    const schemas = ROLE_SCHEMAS[role as string];
    if (!schemas) {
      problems.push({ path: `${where}.properties.role`, message: `expected one of ${Object.keys(ROLE_SCHEMAS).map((r) => `"${r}"`).join(', ')}, found ${JSON.stringify(role)}` });
      return;
    }
    let result = schemas[0]!.safeParse(f, { reportInput: true });
    for (let s = 1; !result.success && s < schemas.length; s++) {
      const alt = schemas[s]!.safeParse(f, { reportInput: true });
      // prefer the alternative matching the geometry type
      if (alt.success || (f?.geometry?.type !== 'Point' && role === 'population')) result = alt;
    }
    if (!result.success) {
      for (const issue of result.error.issues) {
        for (const p of issuesToProblems([issue])) problems.push({ path: `${where}${p.path ? '.' + p.path : ''}`, message: p.message });
      }
      return;
    }
    parsed.push({ role, f: result.data, index: i });
  });
  if (problems.length) throw new InputError(file, summariseLatitudes(problems));

  const boundaries = parsed.filter((p) => p.role === 'boundary');
  if (boundaries.length === 0) throw new InputError(file, 'a world needs one feature with properties.role "boundary"');
  if (boundaries.length > 1) throw new InputError(file, { path: `features[${boundaries[1]!.index}]`, message: 'a world has exactly one boundary feature (use a MultiPolygon for several parts)' });
  for (const p of parsed) {
    if (p.f.geometry.type === 'Polygon' || p.f.geometry.type === 'MultiPolygon') checkRings(polygonRings(p.f.geometry), `features[${p.index}].geometry`, problems);
  }
  if (problems.length) throw new InputError(file, problems);

  const boundaryLonLat = polygonRings(boundaries[0]!.f.geometry);
  let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
  for (const poly of boundaryLonLat) for (const [lon, lat] of poly[0]!) {
    minLon = Math.min(minLon, lon!); maxLon = Math.max(maxLon, lon!);
    minLat = Math.min(minLat, lat!); maxLat = Math.max(maxLat, lat!);
  }
  const metadata = meta.data!;
  const origin = metadata.origin ?? [(minLon + maxLon) / 2, (minLat + maxLat) / 2];
  const frame = new LocalFrame(origin[0], origin[1]);
  const project = (polys: number[][][][]): PlanarPolygon[] =>
    polys.map((rings) => makePolygon(rings.map((r) => {
      const out = new Float64Array(r.length * 2) as Ring;
      r.forEach((p, i) => { out[2 * i] = frame.x(p[0]!); out[2 * i + 1] = frame.y(p[1]!); });
      return out;
    })));
  const boundary = project(boundaryLonLat);
  const insideBoundary = (x: number, y: number) => boundary.some((b) => inPolygon(b, x, y));
  const bbox: [number, number, number, number] = [
    Math.min(...boundary.map((b) => b.bbox[0])), Math.min(...boundary.map((b) => b.bbox[1])),
    Math.max(...boundary.map((b) => b.bbox[2])), Math.max(...boundary.map((b) => b.bbox[3])),
  ];
  // Tolerance for features on the boundary edge: 1 m.
  const near = (x: number, y: number) => insideBoundary(x, y) || boundary.some((b) => distanceToPolygonEdge(b, x, y) <= 1);

  const places: PopulationPlace[] = [];
  const roads: Road[] = [];
  const sites: Site[] = [];
  const venues: Venue[] = [];
  for (const { role, f, index } of parsed) {
    const where = `features[${index}]`;
    const props = f.properties;
    if (role === 'population') {
      if (f.geometry.type === 'Point') {
        const [lon, lat] = f.geometry.coordinates;
        const x = frame.x(lon), y = frame.y(lat);
        if (!near(x, y)) { problems.push({ path: `${where}.geometry`, message: `population point (${lon}, ${lat}) lies outside the boundary` }); continue; }
        places.push({ kind: 'point', name: props.name, population: props.population, x, y, spread: props.spread_m ?? defaultSpreadM(props.population) });
      } else {
        const polygons = project(polygonRings(f.geometry));
        const outside = polygons.some((p) => { const r = p.rings[0]!; for (let i = 0; i < r.length; i += 2) if (!near(r[i]!, r[i + 1]!)) return true; return false; });
        if (outside) { problems.push({ path: `${where}.geometry`, message: 'population polygon extends outside the boundary' }); continue; }
        const areaKm2 = polygons.reduce((s, p) => s + p.area, 0) / 1e6;
        places.push({ kind: 'polygon', name: props.name, population: props.density_per_km2 * areaKm2, polygons });
      }
    } else if (role === 'road') {
      const coords: number[][] = f.geometry.coordinates;
      const pts = new Float64Array(coords.length * 2);
      coords.forEach((c, i) => { pts[2 * i] = frame.x(c[0]!); pts[2 * i + 1] = frame.y(c[1]!); });
      roads.push({ id: roads.length, class: props.class, speedKmh: props.speed_kmh, name: props.name, oneway: props.oneway ?? false, points: pts, lonlat: coords.map((c) => [c[0]!, c[1]!]) });
    } else if (role === 'site') {
      sites.push({ vs30: props.vs30, polygons: project(polygonRings(f.geometry)) });
    } else if (role === 'venue') {
      const polygons = project(polygonRings(f.geometry));
      const r = polygons[0]!.rings[0]!;
      let cx = 0, cy = 0;
      for (let i = 0; i < r.length; i += 2) { cx += r[i]!; cy += r[i + 1]!; }
      venues.push({ name: props.name, kind: props.kind, capacity: props.capacity, polygons, x: cx / (r.length / 2), y: cy / (r.length / 2) });
    }
  }
  if (problems.length) throw new InputError(file, problems);
  const totalPopulation = places.reduce((s, p) => s + p.population, 0);
  return {
    file, hash, name: metadata.name, metadata, frame, boundary, boundaryLonLat, places, roads, sites, venues, totalPopulation, bbox,
  };
}

/** Vs30 (m/s) at a position: the first site polygon containing it, else `fallback`. */
export function vs30At(world: World, x: number, y: number, fallback = 760): number {
  for (const s of world.sites) for (const p of s.polygons) if (inPolygon(p, x, y)) return s.vs30;
  return fallback;
}

/** True when (x, y) metres lies inside the world's boundary. */
export function insideWorld(world: World, x: number, y: number): boolean {
  return world.boundary.some((b) => inPolygon(b, x, y));
}

