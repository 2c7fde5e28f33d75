/** Alert records for events that are not earthquakes (a road anomaly, a crash, a pressure front): no magnitude, one region. */
import type { LocalFrame } from '../core/frame.js';
import type { AlertRecord } from '../plugin/index.js';

export function plainAlert(o: {
  frame: LocalFrame;
  event: number;
  kind: string;
  seq: number;
  time: number;
  x: number;
  y: number;
  /** When the server believes it happened, s. */
  at: number;
  triggers: number;
  /** Radius of the region pushed to phones, km (0: a report to the operator, nobody's phone rings). */
  radiusKm?: number;
  details: Record<string, number | string>;
}): AlertRecord {
  const [lon, lat] = o.frame.unproject(o.x, o.y);
  const r = o.radiusKm ?? 0;
  return {
    event: o.event, kind: o.kind, seq: o.seq, time: o.time,
    estimate: { x: o.x, y: o.y, lon, lat, originTime: o.at, magnitude: NaN, depthKm: 0 },
    radiusKm: r, mmiThreshold: NaN, takeActionRadiusKm: r, takeActionMmi: NaN,
    triggers: o.triggers, cancelled: false, details: o.details,
  };
}
