/**
 * The report's map figure (d3-geo): a transverse Mercator fitted to the world and the true sources,
 * land and coast, the world's boundary and roads, a labelled graticule, ShakeMap-like intensity bands,
 * alert regions as outlines, a sample of phones by outcome, warning-time contours, true sources and
 * estimates, a scale bar, and a legend in a margin of its own listing only what is drawn.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { geoArea, geoCircle, geoDistance, geoGraticule, geoPath, geoTransverseMercator, type GeoProjection } from 'd3-geo';
import type { Geometry, MultiPolygon, Polygon } from 'geojson';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { quantileSorted } from 'simple-statistics';
import { FastRandom } from '../core/random.js';
import { esc, fmtNum } from './svg.js';
import { landPolygons, MIN_SPAN_KM } from './coast.js';
import { eventTerm, intensityBands, ROMAN, type QuakeSource } from './shakemap.js';

type Row = Record<string, any>;
type Feature = { geometry: { type: string; coordinates: any }; properties: Row };

export const OUTCOME_COLOUR: Record<string, string> = { timely: '#1a9850', late: '#fdae61', missed: '#d73027', unnecessary: '#7b3294', correctly_quiet: '#bababa' };

/** What the map draws from a run folder. */
export interface MapInput {
  devices: Row[];
  alertFeatures: Feature[];
  truthFeatures: Feature[];
  manifest: Row;
}

/** The world file's shapes: boundary rings, road lines and ground (Vs30) sites, in lon/lat. */
export interface WorldShapes {
  rings: number[][][];
  roads: number[][][];
  sites: { vs30: number; polygon: Polygon }[];
}

/** Most road lines a map draws (a national road network would bloat the page; the main classes come first). */
const MAX_ROADS = 5000;
const ROAD_RANK: Record<string, number> = { motorway: 0, trunk: 1, primary: 2, secondary: 3, tertiary: 4 };

/** The world's shapes, read from the run's world file (none when it has moved away). */
export function worldShapes(manifest: Row): WorldShapes {
  const none: WorldShapes = { rings: [], roads: [], sites: [] };
  const file = manifest.world?.file, base = manifest.scenario?.file;
  if (typeof file !== 'string') return none;
  for (const p of [file, base ? resolve(base, '..', file) : '']) {
    if (!p || !existsSync(p)) continue;
    try {
      const gj = JSON.parse(readFileSync(p, 'utf8'));
      const out: WorldShapes = { rings: [], roads: [], sites: [] };
      const roads: [number, number[][]][] = [];
      for (const f of gj.features ?? []) {
        const role = f.properties?.role, polys = f.geometry?.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry?.type === 'MultiPolygon' ? f.geometry.coordinates : [];
        if (role === 'road' && f.geometry?.type === 'LineString') roads.push([ROAD_RANK[f.properties.class] ?? 9, f.geometry.coordinates]);
        else if (role === 'boundary') for (const poly of polys) out.rings.push(poly[0]);
        else if (role === 'site' && typeof f.properties.vs30 === 'number') for (const poly of polys) out.sites.push({ vs30: f.properties.vs30, polygon: { type: 'Polygon', coordinates: poly } });
      }
      roads.sort((a, b) => a[0] - b[0]);
      out.roads = roads.slice(0, MAX_ROADS).map(([, c]) => c);
      return out;
    } catch { return none; }
  }
  return none;
}

/** A polygon wound as d3-geo wants it (exterior clockwise on the sphere), whatever the file's winding. */
function sphericalPolygon(ring: number[][]): Polygon {
  const p: Polygon = { type: 'Polygon', coordinates: [ring] };
  return geoArea(p) > 2 * Math.PI ? { type: 'Polygon', coordinates: [[...ring].reverse()] } : p;
}

/** The land (cut to the frame's box), when some of the frame is sea on a 16 × 12 grid; null otherwise (an inland map draws no coast). */
function seaInFrame(land: MultiPolygon | null, invert: (p: [number, number]) => [number, number] | null, w: number, h: number): MultiPolygon | null {
  if (!land) return null;
  const polys = land.coordinates.map((c) => ({ type: 'Polygon' as const, coordinates: c }));
  for (let j = 0; j <= 12; j++) for (let i = 0; i <= 16; i++) {
    const ll = invert([(i * w) / 16, (j * h) / 12]);
    if (ll && !polys.some((p) => booleanPointInPolygon(ll, p))) return land;
  }
  return null;
}

/** A five-pointed star of outer radius r centred on (x, y), as path data. */
function star(x: number, y: number, r: number): string {
  const pts: string[] = [];
  for (let k = 0; k < 10; k++) {
    const a = (k * Math.PI) / 5 - Math.PI / 2, rr = k % 2 ? r * 0.42 : r;
    pts.push(`${(x + rr * Math.cos(a)).toFixed(1)},${(y + rr * Math.sin(a)).toFixed(1)}`);
  }
  return 'M' + pts.join('L') + 'Z';
}

/** An ✕ of half-size r centred on (x, y), as path data. */
const cross = (x: number, y: number, r: number): string => `M${(x - r).toFixed(1)},${(y - r).toFixed(1)}L${(x + r).toFixed(1)},${(y + r).toFixed(1)}M${(x - r).toFixed(1)},${(y + r).toFixed(1)}L${(x + r).toFixed(1)},${(y - r).toFixed(1)}`;

/** The true earthquakes of a run with what the intensity field needs (none for other hazards). */
function quakeSources(run: MapInput, vs30At: (lon: number, lat: number) => number): QuakeSource[] {
  const hazards = (run.manifest.scenario?.config?.hazards ?? []) as Row[];
  const out: QuakeSource[] = [];
  for (const f of run.truthFeatures) {
    const p = f.properties;
    if (p.role !== 'source' || p.kind !== 'earthquake' || typeof p.magnitude !== 'number' || f.geometry.type !== 'Point') continue;
    const rupture = run.truthFeatures.find((r) => r.properties.role === 'rupture' && r.properties.hazard === p.hazard);
    const epi = f.geometry.coordinates as number[];
    const trace: number[][][] = !rupture ? [[epi, epi]] : rupture.geometry.type === 'MultiLineString' ? rupture.geometry.coordinates : [rupture.geometry.coordinates];
    const vs30 = typeof hazards[p.hazard]?.vs30 === 'number' ? hazards[p.hazard]!.vs30 as number : undefined;
    const q: QuakeSource = { magnitude: p.magnitude, depthKm: p.depth_km ?? 8, rake: p.rake ?? null, trace, vs30, eventTerm: 0 };
    q.eventTerm = eventTerm(q, run.devices.filter((d) => d.hazard === p.hazard && d.reached !== false).map((d) => ({ lon: d.lon, lat: d.lat, mmi: d.mmi })), vs30At);
    out.push(q);
  }
  return out;
}

/** The map as SVG (720 px of map, a 170 px legend margin, 560 px high). */
export function mapSvg(run: MapInput, world: WorldShapes): string {
  const MW = 720, W = MW + 170, H = 560, PAD = 24;
  // Extent: the world (else the phones), and always the hazards' true sources (a quake offshore or beyond the world stays in frame).
  const pts: number[][] = world.rings.flat();
  if (!pts.length) for (const d of run.devices) pts.push([d.lon, d.lat]);
  for (const f of run.truthFeatures) if (f.geometry.type === 'Point' && f.properties.role === 'source') pts.push(f.geometry.coordinates);
  if (!pts.length) pts.push([0, 0]);
  const lons = pts.map((p) => p[0]!), lats = pts.map((p) => p[1]!);
  const [x0, x1, y0, y1] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const extent = { type: 'MultiPoint' as const, coordinates: [[x0, y0], [x1, y1], [x0, y1], [x1, y0], ...(pts.length < 5000 ? pts : [])] };
  const projection: GeoProjection = geoTransverseMercator().rotate([-(x0 + x1) / 2, 0]).fitExtent([[PAD, PAD], [MW - PAD, H - PAD]], extent).clipExtent([[0, 0], [MW, H]]);
  const path = geoPath(projection).digits(1);
  const d = (g: Geometry | object) => path(g as Geometry) ?? '';
  const xy = (lon: number, lat: number) => projection([lon, lat]) ?? [NaN, NaN];
  const invert = (p: [number, number]) => projection.invert!(p) as [number, number] | null;
  // Kilometres per pixel at the centre (for the scale bar and the coast's cut-off).
  const c0 = invert([MW / 2 - 50, H / 2]), c1 = invert([MW / 2 + 50, H / 2]);
  const kmPerPx = c0 && c1 ? (geoDistance(c0, c1) * 6371.0088) / 100 : 1;
  const spanKm = kmPerPx * MW;
  const vs30At = (lon: number, lat: number) => world.sites.find((s) => booleanPointInPolygon([lon, lat], s.polygon))?.vs30 ?? 760;

  const out: string[] = [`<defs><clipPath id="map-frame"><rect width="${MW}" height="${H}"/></clipPath></defs>`];
  // Land and sea when the map is wide enough for Natural Earth's coast; else a plain ground.
  // The frame's lon/lat box (its corners and edge midpoints), with a margin, to pick the land polygons that matter.
  const edge = [[0, 0], [MW / 2, 0], [MW, 0], [MW, H / 2], [MW, H], [MW / 2, H], [0, H], [0, H / 2]].map((p) => invert(p as [number, number])).filter((p): p is [number, number] => !!p);
  const box: [[number, number], [number, number]] = [[Math.min(...edge.map((p) => p[0])) - 1, Math.min(...edge.map((p) => p[1])) - 1], [Math.max(...edge.map((p) => p[0])) + 1, Math.max(...edge.map((p) => p[1])) + 1]];
  const land = spanKm >= MIN_SPAN_KM ? seaInFrame(landPolygons(box), invert, MW, H) : null;
  if (land) out.push(`<rect width="${MW}" height="${H}" fill="#dbe8f1"/><path class="land" d="${d(land)}" fill="#fbfaf6" stroke="#6f8fa6" stroke-width="0.7"/>`);
  for (const r of world.rings) out.push(`<path class="world" d="${d(sphericalPolygon(r))}" fill="#f4f1ea" fill-opacity="${land ? 0.6 : 1}" stroke="#888"/>`);
  // Intensity: ShakeMap colours under everything that carries data.
  const quakes = quakeSources(run, vs30At);
  const shaking = quakes.length ? intensityBands(quakes, invert, MW, H, vs30At) : null;
  if (shaking?.bands.length) {
    out.push(`<g class="intensity" clip-path="url(#map-frame)"><g opacity="0.55">${shaking.bands.map((b) => `<path data-mmi="${b.level}" d="${b.path}" fill="${b.colour}"/>`).join('')}</g>`
      + `<g fill="none" stroke="#5a5a5a" stroke-width="0.5">${shaking.bands.map((b) => `<path d="${b.path}"><title>MMI ${ROMAN[b.level]}</title></path>`).join('')}</g></g>`);
  }
  // Graticule: meridians and parallels at a round step (about six of each), labelled at the frame's edges.
  const gstep = (span: number) => [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20].find((g) => span / g <= 6) ?? 30;
  const ll0 = invert([0, H]) ?? [x0, y0], ll1 = invert([MW, 0]) ?? [x1, y1];
  const gx = gstep(ll1[0] - ll0[0]), gy = gstep(ll1[1] - ll0[1]);
  const graticule = geoGraticule().extent([[ll0[0] - gx, ll0[1] - gy], [ll1[0] + gx, ll1[1] + gy]]).step([gx, gy]).precision(Math.min(gx, gy) / 10);
  const deg = (v: number, pos: string, neg: string, g: number) => `${Math.abs(v).toFixed(Math.max(0, -Math.floor(Math.log10(g) + 1e-9)))}°${Math.abs(v) < 1e-9 ? '' : v >= 0 ? pos : neg}`;
  const labels: string[] = [];
  const bottomLat = invert([MW / 2, H - 1])?.[1] ?? y0, leftLon = invert([1, H / 2])?.[0] ?? x0;
  for (let v = Math.ceil(ll0[0] / gx) * gx; v <= ll1[0] + 1e-9; v += gx) { const [px] = xy(v, bottomLat); if (px! > 34 && px! < MW - 34) labels.push(`<text class="tick" x="${px!.toFixed(1)}" y="${H - 3}" text-anchor="middle" fill="#555">${deg(v, 'E', 'W', gx)}</text>`); }
  for (let v = Math.ceil(ll0[1] / gy) * gy; v <= ll1[1] + 1e-9; v += gy) { const [, py] = xy(leftLon, v); if (py! > 14 && py! < H - 14) labels.push(`<text class="tick" x="3" y="${(py! - 2).toFixed(1)}" fill="#555">${deg(v, 'N', 'S', gy)}</text>`); }
  out.push(`<g class="graticule"><path d="${d(graticule())}" fill="none" stroke="#9a9a9a" stroke-width="0.6" stroke-opacity="0.7"/>${labels.join('')}</g>`);
  // The world's roads, thin and grey.
  if (world.roads.length) out.push(`<path class="roads" d="${d({ type: 'MultiLineString', coordinates: world.roads })}" stroke="#a8a294" stroke-width="0.7" fill="none"/>`);
  // Alert regions: the last issued alert of each event, as outlines (the phones under them stay readable).
  const last = new Map<number, Feature[]>();
  for (const f of run.alertFeatures) {
    const p = f.properties;
    if (p.role !== 'be-aware' && p.role !== 'take-action') continue;
    const prev = last.get(p.event);
    if (!prev || prev[0]!.properties.seq < p.seq) last.set(p.event, [f]);
    else if (prev[0]!.properties.seq === p.seq) prev.push(f);
  }
  for (const fs of last.values()) for (const f of fs) {
    const rings = (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates).map((poly: number[][][]) => poly[0]);
    out.push(`<path class="alert-region" d="${d({ type: 'MultiLineString', coordinates: rings })}" fill="none" stroke="${f.properties.role === 'take-action' ? '#b2182b' : '#f46d43'}" stroke-width="1.3" stroke-dasharray="5 3"><title>event ${f.properties.event} ${esc(f.properties.role)} (${fmtNum(f.properties.radius_km)} km)</title></path>`);
  }
  // A sample of at most 4,000 phones, coloured by outcome for the first hazard with per-phone truth.
  const hazard = run.devices.length ? run.devices[0]!.hazard : -1;
  const rows = run.devices.filter((r) => r.hazard === hazard);
  const rnd = FastRandom.of(1, 'report-sample'), keep = Math.min(1, 4000 / Math.max(1, rows.length));
  for (const r of rows) {
    if (rnd.uniform() >= keep) continue;
    const [px, py] = xy(r.lon, r.lat);
    if (px! >= 0 && px! <= MW && py! >= 0 && py! <= H) out.push(`<circle class="phone" cx="${px!.toFixed(1)}" cy="${py!.toFixed(1)}" r="1.7" fill="${OUTCOME_COLOUR[r.outcome] ?? '#999'}" stroke="#333" stroke-width="0.25"${Number.isFinite(r.mmi) ? ` data-mmi="${(r.mmi as number).toFixed(1)}"` : ''}/>`);
  }
  // Warning-time contours: for an earthquake, the distance at which the median warning first reaches 0, 10, 20 s.
  const quake = run.truthFeatures.find((f) => f.properties.role === 'source' && f.properties.kind === 'earthquake');
  let contours = 0;
  if (quake && rows.length) {
    const [qlon, qlat] = quake.geometry.coordinates;
    const bins = new Map<number, number[]>();
    for (const r of rows) {
      if (r.warning_s === null || r.warning_s === undefined) continue;
      const b = Math.floor((geoDistance([qlon, qlat], [r.lon, r.lat]) * 6371.0088) / 2);
      if (!bins.has(b)) bins.set(b, []);
      bins.get(b)!.push(r.warning_s);
    }
    const med = [...bins.entries()].filter(([, v]) => v.length >= 5).map(([b, v]) => [b * 2 + 1, quantileSorted(v.sort((a, c) => a - c), 0.5)] as const).sort((a, c) => a[0] - c[0]);
    for (const w of [0, 10, 20]) {
      const hit = med.find(([, m]) => m >= w);
      if (!hit) continue;
      const circle = geoCircle().center([qlon, qlat]).radius((hit[0] / 6371.0088) * (180 / Math.PI)).precision(2)();
      const ring = circle.coordinates[0]!, top = ring.reduce((a, p) => (p[1]! > a[1]! ? p : a), ring[0]!);
      const [tx, ty] = xy(top[0]!, top[1]!);
      out.push(`<path class="contour" d="${d({ type: 'LineString', coordinates: ring })}" fill="none" stroke="#2166ac" stroke-width="1" stroke-dasharray="2 2"/>${ty! > 10 ? `<text x="${tx!.toFixed(1)}" y="${(ty! - 3).toFixed(1)}" text-anchor="middle" fill="#2166ac">${w} s</text>` : ''}`);
      contours++;
    }
  }
  for (const f of run.truthFeatures) {
    const p = f.properties;
    if (p.role === 'rupture') out.push(`<path class="rupture" d="${d(f.geometry)}" stroke="#000" stroke-width="2.5" fill="none"><title>true rupture (${fmtNum(p.length_km, 0)} km)</title></path>`);
    else if (f.geometry.type !== 'Point') continue;
    else if (p.role === 'source') { const [px, py] = xy(...(f.geometry.coordinates as [number, number])); out.push(`<path class="truth" d="${star(px!, py!, 9)}" fill="#000" stroke="#fff" stroke-width="1"><title>${esc(p.name)} (truth)</title></path>`); }
    else { const [px, py] = xy(...(f.geometry.coordinates as [number, number])); out.push(`<rect x="${(px! - 2.5).toFixed(1)}" y="${(py! - 2.5).toFixed(1)}" width="5" height="5" fill="none" stroke="#000"><title>${esc(p.role)} (truth)</title></rect>`); }
  }
  for (const f of run.alertFeatures) {
    if (f.properties.role !== 'estimate') continue;
    const [px, py] = xy(...(f.geometry.coordinates as [number, number]));
    out.push(`<path class="estimate" d="${cross(px!, py!, 4)}" stroke="#2166ac" stroke-width="2" fill="none"><title>event ${f.properties.event} update ${f.properties.seq}: ${esc(f.properties.kind)} ${f.properties.magnitude ? 'M' + fmtNum(f.properties.magnitude) : ''}</title></path>`);
  }
  // Scale bar: a round number of km near a fifth of the map's width, true at the map's centre.
  const target = (MW / 5) * kmPerPx, step = 10 ** Math.floor(Math.log10(target)), km = [1, 2, 5, 10].map((m) => m * step).filter((v) => v <= target).pop() ?? step;
  const bar = km / kmPerPx;
  const scaleBar = `<g class="scale-bar"><rect x="${(MW - 20 - bar).toFixed(1)}" y="${H - 30}" width="${bar.toFixed(1)}" height="4" fill="#333"/><text x="${(MW - 20 - bar / 2).toFixed(1)}" y="${H - 36}" text-anchor="middle">${km >= 1 ? km : km.toFixed(1)} km</text></g>`;
  out.push(`<rect width="${MW}" height="${H}" fill="none" stroke="#999"/>`);
  return `<svg class="plot" data-plot="map" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${out.join('')}${scaleBar}${legend()}</svg>`;

  /** The legend, in its own margin, listing what this map draws. */
  function legend(): string {
    const L = MW + 12, parts: string[] = [`<g class="legend"><rect x="${MW}" y="0" width="${W - MW}" height="${H}" fill="#fff"/>`];
    let y = 18;
    const line = (t: string, extra = '') => { parts.push(`<text x="${L}" y="${y}"${extra}>${t}</text>`); y += 15; };
    if (rows.length) {
      for (const [k, c] of Object.entries(OUTCOME_COLOUR)) { parts.push(`<circle cx="${L + 5}" cy="${y - 4}" r="4" fill="${c}" stroke="#333" stroke-width="0.25"/><text x="${L + 14}" y="${y}">${k.replace('_', ' ')}</text>`); y += 15; }
      y += 6;
    }
    const sym = (svg: string, t: string, extra = '') => { parts.push(svg); parts.push(`<text x="${L + 14}" y="${y}"${extra}>${t}</text>`); y += 15; };
    if (run.truthFeatures.some((f) => f.properties.role === 'source')) sym(`<path d="${star(L + 5, y - 4, 6)}" fill="#000"/>`, 'true source');
    if (run.truthFeatures.some((f) => f.properties.role === 'rupture')) sym(`<line x1="${L}" y1="${y - 4}" x2="${L + 10}" y2="${y - 4}" stroke="#000" stroke-width="2.5"/>`, 'true rupture');
    if (run.truthFeatures.some((f) => f.geometry.type === 'Point' && f.properties.role !== 'source' && f.properties.role !== 'rupture')) sym(`<rect x="${L + 2.5}" y="${y - 6.5}" width="5" height="5" fill="none" stroke="#000"/>`, 'true targets');
    if (run.alertFeatures.some((f) => f.properties.role === 'estimate')) sym(`<path d="${cross(L + 5, y - 4, 4)}" stroke="#2166ac" stroke-width="2"/>`, 'estimates', ' fill="#2166ac"');
    if (last.size) { sym(`<line x1="${L}" y1="${y - 4}" x2="${L + 10}" y2="${y - 4}" stroke="#f46d43" stroke-width="1.3" stroke-dasharray="3 2"/>`, 'alert regions', ' fill="#d6604d"'); line('(last update)', ' fill="#666" dx="14"'); }
    if (contours) { sym(`<line x1="${L}" y1="${y - 4}" x2="${L + 10}" y2="${y - 4}" stroke="#2166ac" stroke-dasharray="2 2"/>`, 'median warning', ' fill="#2166ac"'); line('contours', ' fill="#2166ac" dx="14"'); }
    if (shaking?.bands.length) {
      y += 6;
      line('intensity (MMI)');
      for (const b of shaking.bands) { parts.push(`<rect x="${L}" y="${y - 10}" width="14" height="12" fill="${b.colour}" fill-opacity="0.55" stroke="#999" stroke-width="0.5"/><text x="${L + 20}" y="${y}">${ROMAN[b.level]}</text>`); y += 14; }
      line('median from the true', ' fill="#666" font-size="9"'); line('source, BA08 + Worden', ' fill="#666" font-size="9"'); line('2012, event-corrected', ' fill="#666" font-size="9"');
    }
    if (land) { y += 4; line('coast: Natural Earth', ' fill="#666" font-size="9"'); }
    parts.push('</g>');
    return parts.join('');
  }
}

