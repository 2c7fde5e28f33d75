/** Ground truth of an earthquake for scoring: per-phone arrivals, PGA, MMI and who deserves an alert. */
import type { HazardTruth, HazardContext } from '../../plugin/index.js';
import { FieldState } from './runtime.js';

/** Truth of an earthquake from its columns (shared by the synthetic and recorded types). */
export function earthquakeTruth(config: { name?: string; magnitude: number; origin_time: number; lon: number; lat: number; depth_km: number; rake?: number; alert_mmi: number }, ctx: HazardContext, index: number, type: string, extra: Record<string, number | string | boolean | null> = {}): HazardTruth {
  const col = ctx.columns, p = ctx.prefix;
  const state = col.u8(p + 'state');
  const rows = col.rows;
  const reached = new Uint8Array(rows);
  const shouldAlert = new Uint8Array(rows);
  const mmi = col.f32(p + 'mmi');
  for (let d = 0; d < rows; d++) {
    reached[d] = state[d] !== FieldState.Pending ? 1 : 0;
    shouldAlert[d] = reached[d] && mmi[d]! >= config.alert_mmi ? 1 : 0;
  }
  return {
    index,
    type,
    kind: 'earthquake',
    name: config.name ?? `M${config.magnitude} earthquake`,
    alertable: true,
    start: config.origin_time,
    facts: {
      origin_time: config.origin_time, lon: config.lon, lat: config.lat, depth_km: config.depth_km,
      magnitude: config.magnitude, rake: config.rake ?? null, alert_mmi: config.alert_mmi, ...extra,
    },
    devices: { reached, first: col.f64(p + 'tp'), impact: col.f64(p + 'ts'), intensity: col.f32(p + 'pga_g'), mmi, shouldAlert },
  };
}
