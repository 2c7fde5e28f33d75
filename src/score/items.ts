/**
 * Scoring of hazards made of many discrete targets (the potholes of a road-anomaly hazard, the
 * crashes of a crash hazard): each server event of the hazard's kind is matched to the nearest
 * unmatched target within `match_m` whose detectable time lies before the report and at most
 * `window_s` earlier. A target is detectable from its first hit (a wheel over a pothole) or its
 * time (a crash). An event near a target already reported is a duplicate (it counts for the
 * hazard, not as a false alert); events matching no target are false reports.
 */
import type { HazardTruth } from '../plugin/index.js';
import type { AlertRecord } from '../plugin/index.js';
import { haversineKm } from '../core/geo.js';
import { quantiles, type Quantiles } from './quantiles.js';

/** Which truth rows are targets, and how close a report must be. */
export const ITEM_TARGETS: Record<string, { item: string; matchM: number; windowS: number; hits?: string }> = {
  'road-anomaly': { item: 'anomaly', matchM: 40, windowS: Infinity, hits: 'pass' },
  crash: { item: 'crash', matchM: 150, windowS: 120 },
};

export interface ItemScore {
  /** Targets in the truth, those a detector could have seen (hit at least once), and found. */
  total: number;
  detectable: number;
  found: number;
  /** found / detectable. */
  recall: number | null;
  /** Reports matching no target, and reports of a target already reported. */
  false_reports: number;
  duplicates: number;
  /** Report time − detectable time of the target, s. */
  delay_s: Quantiles;
  /** Distance from a report to its target, m. */
  location_error_m: Quantiles;
  /** False reports per 1,000 monitored phone-hours (null without phone-hours). */
  false_reports_per_1000_phone_hours?: number | null;
  /** Road anomalies: false reports per 1,000 km driven by the phones (null without driving). */
  false_reports_per_1000_km?: number | null;
}

/** Matches `events` (first alert of each event of the hazard's kind) to the hazard's targets. */
export function scoreItems(t: HazardTruth, events: { id: number; first: AlertRecord }[]): { score: ItemScore; matched: Set<number> } | null {
  const spec = ITEM_TARGETS[t.kind];
  if (!spec || !t.items) return null;
  const targets = t.items.filter((r) => r.item === spec.item && typeof r.lon === 'number' && typeof r.lat === 'number');
  const idOf = (r: Record<string, unknown>, k: number) => (typeof r.anomaly === 'number' ? r.anomaly : k);
  const from = new Map<number, number>();
  targets.forEach((r, k) => from.set(idOf(r, k), spec.hits ? Infinity : (r.time as number)));
  if (spec.hits) {
    for (const r of t.items) {
      if (r.item !== spec.hits || !r.hit || typeof r.anomaly !== 'number') continue;
      from.set(r.anomaly, Math.min(from.get(r.anomaly) ?? Infinity, r.time as number));
    }
  }
  const taken = new Set<number>(), matched = new Set<number>(), delays: number[] = [];
  let duplicates = 0;
  const errors: number[] = [];
  for (const { id, first } of [...events].sort((a, b) => a.first.time - b.first.time || a.id - b.id)) {
    let best = -1, bestM = spec.matchM;
    targets.forEach((r, k) => {
      const tid = idOf(r, k), t0 = from.get(tid)!;
      if (taken.has(tid) || !(t0 <= first.time) || first.time - t0 > spec.windowS) return;
      const m = haversineKm(first.estimate.lon, first.estimate.lat, r.lon as number, r.lat as number) * 1000;
      if (m <= bestM) { bestM = m; best = k; }
    });
    if (best < 0) {
      // Near a target already reported: a duplicate report of it.
      const dup = targets.some((r, k) => taken.has(idOf(r, k)) && haversineKm(first.estimate.lon, first.estimate.lat, r.lon as number, r.lat as number) * 1000 <= spec.matchM);
      if (dup) { matched.add(id); duplicates++; }
      continue;
    }
    const tid = idOf(targets[best]!, best);
    taken.add(tid);
    matched.add(id);
    delays.push(first.time - from.get(tid)!);
    errors.push(bestM);
  }
  const detectable = [...from.values()].filter((v) => Number.isFinite(v)).length;
  return {
    matched,
    score: { total: targets.length, detectable, found: taken.size, recall: detectable ? taken.size / detectable : null, false_reports: events.length - matched.size, duplicates, delay_s: quantiles(delays), location_error_m: quantiles(errors) },
  };
}
