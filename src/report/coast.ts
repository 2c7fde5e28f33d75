/**
 * Land and coastline for the report's map: Natural Earth's 1:10 m land polygons (public domain) as
 * shipped by the world-atlas package, read once and kept. At 1:10 m the coast is good to about a
 * kilometre, so maps narrower than MIN_SPAN_KM (a city such as Monaco) draw none rather than a wrong one.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import { geoArea, geoBounds } from 'd3-geo';
import { bboxClip } from '@turf/bbox-clip';
import type { Topology, GeometryCollection } from 'topojson-specification';
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';

/** Narrowest map (km across) on which the 1:10 m coast is drawn. */
export const MIN_SPAN_KM = 20;

export const COAST_SOURCE = 'Natural Earth 1:10 m land (public domain), via world-atlas';

let land: { polygon: Polygon; bounds: [[number, number], [number, number]] }[] | null | undefined;

/** Every land polygon with its lon/lat bounds, or null when the data cannot be read. */
function allLand() {
  if (land !== undefined) return land;
  try {
    const file = createRequire(import.meta.url).resolve('world-atlas/land-10m.json');
    const topo = JSON.parse(readFileSync(file, 'utf8')) as Topology<{ land: GeometryCollection }>;
    const f = feature(topo, topo.objects.land) as unknown as FeatureCollection<Polygon | MultiPolygon>;
    land = [];
    for (const g of f.features) {
      const polys = g.geometry.type === 'MultiPolygon' ? g.geometry.coordinates : [g.geometry.coordinates];
      for (const coordinates of polys) {
        const polygon: Polygon = { type: 'Polygon', coordinates };
        // A few rings of the 1:10 m file are degenerate (four points, no area); d3-geo reads such a
        // ring as the whole sphere, which would paint every sea as land. No real land exceeds a hemisphere.
        if (geoArea(polygon) < 2 * Math.PI) land.push({ polygon, bounds: geoBounds(polygon) });
      }
    }
  } catch {
    land = null;
  }
  return land;
}

/**
 * The land inside [west, south]–[east, north] (degrees; cut to the box in lon/lat, so give it a
 * margin beyond what is drawn), as one MultiPolygon; without a box, all of it. Null when the data
 * cannot be read (the map then draws no coast).
 */
export function landPolygons(box?: [[number, number], [number, number]]): MultiPolygon | null {
  const all = allLand();
  if (!all) return null;
  if (!box) return { type: 'MultiPolygon', coordinates: all.map((l) => l.polygon.coordinates) };
  const out: Polygon['coordinates'][] = [];
  for (const l of all) {
    const b = l.bounds;
    // Off the box? geoBounds gives west > east for land across the antimeridian (Afro-Eurasia, whose east end is Chukotka).
    const lonHit = b[0][0] <= b[1][0] ? b[0][0] <= box[1][0] && b[1][0] >= box[0][0] : box[1][0] >= b[0][0] || box[0][0] <= b[1][0];
    if (!lonHit || b[0][1] > box[1][1] || b[1][1] < box[0][1]) continue;
    const clipped = bboxClip(l.polygon, [box[0][0], box[0][1], box[1][0], box[1][1]]).geometry as Polygon | MultiPolygon;
    const polys = clipped.type === 'Polygon' ? [clipped.coordinates] : clipped.coordinates;
    for (const p of polys) if (p.length && p[0]!.length >= 4) out.push(p);
  }
  return { type: 'MultiPolygon', coordinates: out };
}
