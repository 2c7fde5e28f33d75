/** The earthquake hazard plug-in: its options (config.ts), its per-device rendering (runtime.ts) and its truth (truth.ts). */
import type { HazardPlugin } from '../../plugin/index.js';
import { earthquakeSchema, earthquakeWarnings, type EarthquakeConfig } from './config.js';
import { columns, EarthquakeRuntime } from './runtime.js';
import { earthquakeTruth } from './truth.js';
import { sourceModel } from './site-source.js';
export * from './config.js';
export { siteShaking, sourceModel, type SiteShaking, type SourceModel } from './site-source.js';
export { earthquakeTruth } from './truth.js';
export { EarthquakeRuntime } from './runtime.js';

export const earthquakeHazard: HazardPlugin<EarthquakeConfig> = {
  type: 'earthquake',
  summary: 'An earthquake: BA08 peak motion, Cua–Heaton envelopes, point or finite rupture, P and S arrivals at every phone',
  reads: ['x', 'y'],
  category: 'hazard',
  schema: earthquakeSchema,
  warnings: (c, where) => earthquakeWarnings(c, where),
  starts: (c) => [{ field: 'origin_time', at: c.origin_time }],
  triggerFidelity: true,
  columns: (_config, _rows, fidelity) => columns(fidelity),
  create(config, ctx) {
    const index = ctx.index;
    return new EarthquakeRuntime(config, ctx, index);
  },
  truth(config, ctx, index) {
    const frame = ctx.world.frame, src = sourceModel(config, frame.project([config.lon, config.lat]));
    // The surface trace as lon/lat segments (JSON, as facts are scalars): one line, bilateral, or two segments.
    const trace = src.traces.map(([ax, ay, bx, by]) => [frame.unproject(ax, ay), frame.unproject(bx, by)].map((p) => p.map((v) => Math.round(v * 1e6) / 1e6)));
    return earthquakeTruth(config, ctx, index, 'earthquake', src.lengthKm > 0 ? { rupture_length_km: src.lengthKm, rupture_duration_s: src.durationS, strike_deg: config.rupture!.strike_deg, rupture_trace: JSON.stringify(trace) } : {});
  },
};
