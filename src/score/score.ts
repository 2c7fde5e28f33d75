/**
 * Scoring: a pure function of recorded outputs (hazard truth, server alerts, alert receipts on
 * phones). Server events are matched to hazards by time and place; unmatched events are false
 * alerts. For each earthquake, every person whose true intensity reaches the hazard's alert
 * threshold deserved an alert: warning time = S arrival − receipt of the first alert of the
 * matched event (S arrival, or the hazard's impact time); outcomes are timely (warning ≥ timely_min_s), late, missed (no receipt), and
 * unnecessary (receipt without deserving one); everyone else was correctly left quiet.
 */
import type { HazardTruth } from '../plugin/index.js';
import type { AlertRecord } from '../plugin/index.js';
import { haversineKm } from '../core/geo.js';
import { quantiles, type Quantiles } from './quantiles.js';
import { scoreItems, type ItemScore } from './items.js';
import { bootstrapQuantile, wilson, type Interval } from './intervals.js';

export { haversineKm, quantiles, type Quantiles };

export interface ScoringConfig {
  timely_min_s: number;
  match_window: number;
  match_distance_km: number;
}

export interface ReceiptRecord {
  device: number;
  event: number;
  seq: number;
  time: number;
  /** `be-aware`, `take-action`, or `cancel` (a withdrawal, not an alert). */
  tier?: string;
}

/** Receipts read where they are kept: `visit` gets each one's device, event, time and tier (0 be-aware, 1 take-action, 2 cancel), in the log's order. */
export interface ReceiptSource {
  forEachReceipt(visit: (device: number, event: number, time: number, tier: number) => void): void;
}

const TIER_CODE: Record<string, number> = { 'be-aware': 0, 'take-action': 1, cancel: 2 };

export interface HazardScore {
  index: number;
  kind: string;
  name: string;
  /** False for nuisance sources. */
  alertable: boolean;
  /** Server event matched to this hazard, or null when it was missed. */
  event: number | null;
  /** First alert of the matched event − hazard start, s. */
  alert_latency_s: number | null;
  warning_time_s: Quantiles;
  outcomes: { timely: number; late: number; missed: number; unnecessary: number; correctly_quiet: number };
  /** People who deserved an alert. */
  deserving: number;
  /** Of those alerted who deserved it: how many got the take-action tier (the rest only "be aware"). */
  take_action: number;
  facts: HazardTruth['facts'];
  estimate_first: EstimateError | null;
  estimate_last: EstimateError | null;
  /** Earthquakes: how the estimate evolved, one entry per alert and update of the matched event (time after origin, s). */
  estimate_evolution?: { t_after_origin_s: number; magnitude_error: number; location_error_km: number; origin_time_error_s: number }[];
  /** Hazards made of many targets (potholes, crashes): how many the server reported. */
  items?: ItemScore;
  /** Share of those who deserved an alert who got it in time, with its 95 % Wilson interval. */
  timely_share: Interval;
  /** Median warning time with a 95 % bootstrap interval, s. */
  warning_p50_s: Interval;
  /** Population-weighted coverage: share of those who deserved an alert warned at least `min_warning_s` before the impact. */
  coverage: { min_warning_s: number; share: Interval }[];
  /** Earthquakes: outcomes and warning times by epicentral distance band (needs phone positions). */
  by_distance?: { from_km: number; to_km: number | null; deserving: number; warned: number; timely: number; warning_time_s: Quantiles }[];
}

/** Warning times coverage is reported at, s. */
export const COVERAGE_WARNINGS = [0, 5, 10, 20];
/** Epicentral distance bands, km. */
export const DISTANCE_BANDS = [0, 10, 20, 40, 80, 160, Infinity];
/** Per-device outcome codes (devices table). */
export const OUTCOMES = ['timely', 'late', 'missed', 'unnecessary', 'correctly_quiet'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface EstimateError {
  time: number;
  magnitude: number;
  lon: number;
  lat: number;
  location_error_km: number;
  origin_time_error_s: number;
  magnitude_error: number;
}

export interface EventScore {
  event: number;
  kind: string;
  first_alert_time: number;
  updates: number;
  magnitude_first: number;
  magnitude_last: number;
  radius_km_last: number;
  take_action_radius_km_last: number;
  /** The server withdrew it. */
  cancelled: boolean;
  receipts: number;
  matched_hazard: number | null;
}

export interface Summary {
  schema_version: 1;
  hazards: HazardScore[];
  events: EventScore[];
  false_alerts: number;
  /** False alerts per simulated day. */
  false_alerts_per_day: number;
  /** False alerts that told someone to take action (not only "be aware"). */
  false_take_action_alerts: number;
  /** False alerts the server withdrew later. */
  false_alerts_cancelled: number;
  /** False alerts per million monitored phone-hours (null without phone-hours). */
  false_alerts_per_million_phone_hours: number | null;
  /** Alertable hazards no server event matched. */
  missed_hazards: number;
}


function estimateError(a: AlertRecord, facts: HazardTruth['facts']): EstimateError {
  const e = a.estimate;
  return {
    time: a.time,
    magnitude: e.magnitude,
    lon: e.lon,
    lat: e.lat,
    location_error_km: haversineKm(e.lon, e.lat, facts.lon as number, facts.lat as number),
    origin_time_error_s: e.originTime - (facts.origin_time as number),
    magnitude_error: e.magnitude - (facts.magnitude as number),
  };
}

/**
 * Scores a run. `durationS` is the simulated time (for rates); `devices` the number of people
 * represented by phones.
 */
export function score(input: {
  truths: HazardTruth[];
  alerts: AlertRecord[];
  /** Receipts as records, or a log that hands them over as columns (`forEachReceipt`, no object each). */
  receipts: Iterable<ReceiptRecord> | ReceiptSource;
  devices: number;
  durationS: number;
  config: ScoringConfig;
  /** Phone positions (degrees) for distance bands. */
  positions?: { lon: ArrayLike<number>; lat: ArrayLike<number> };
  /** Monitored phone-hours, for rates per phone-hour. */
  phoneHours?: number;
  /** Kilometres driven by the phones, for road-anomaly false reports per 1,000 km. */
  kmDriven?: number;
  /** Called for every phone a hazard reached: its outcome, first receipt and warning time (for the devices table). */
  onDevice?: (hazard: number, device: number, outcome: Outcome, receipt: number, warning: number, takeAction: boolean) => void;
}): Summary {
  const { truths, alerts, receipts, devices, config } = input;
  const byEvent = new Map<number, AlertRecord[]>();
  for (const a of alerts) {
    if (!byEvent.has(a.event)) byEvent.set(a.event, []);
    byEvent.get(a.event)!.push(a);
  }
  const eventIds = [...byEvent.keys()].sort((a, b) => a - b);
  // Match: each alertable hazard takes the earliest unmatched event in its time window and distance.
  const matchedHazard = new Map<number, number>();
  const hazardEvent = new Map<number, number>();
  // Hazards made of many targets match every event that reports one of them.
  const itemScores = new Map<number, ItemScore>();
  for (const t of truths) {
    if (!t.alertable) continue;
    const free = eventIds.filter((id) => !matchedHazard.has(id) && byEvent.get(id)![0]!.kind === t.kind).map((id) => ({ id, first: byEvent.get(id)![0]! }));
    const r = scoreItems(t, free);
    if (!r) continue;
    r.score.false_reports_per_1000_phone_hours = input.phoneHours && input.phoneHours > 0 ? (r.score.false_reports * 1000) / input.phoneHours : null;
    if (t.kind === 'road-anomaly') r.score.false_reports_per_1000_km = input.kmDriven && input.kmDriven > 0 ? (r.score.false_reports * 1000) / input.kmDriven : null;
    itemScores.set(t.index, r.score);
    for (const id of [...r.matched].sort((a, b) => a - b)) {
      matchedHazard.set(id, t.index);
      if (!hazardEvent.has(t.index)) hazardEvent.set(t.index, id);
    }
  }
  for (const t of truths) {
    if (!t.alertable || itemScores.has(t.index)) continue;
    for (const id of eventIds) {
      if (matchedHazard.has(id)) continue;
      const first = byEvent.get(id)![0]!;
      if (first.kind !== t.kind) continue;
      const dt = first.time - t.start;
      if (dt < 0 || dt > (t.matchWindowS ?? config.match_window)) continue;
      if (typeof t.facts.lon === 'number' && typeof t.facts.lat === 'number') {
        const km = haversineKm(first.estimate.lon, first.estimate.lat, t.facts.lon, t.facts.lat);
        if (km > config.match_distance_km) continue;
      }
      matchedHazard.set(id, t.index);
      hazardEvent.set(t.index, id);
      break;
    }
  }
  // Later events within the window of an already-matched hazard count as duplicates, not false alerts.
  for (const id of eventIds) {
    if (matchedHazard.has(id)) continue;
    const first = byEvent.get(id)![0]!;
    for (const t of truths) {
      if (!t.alertable || !hazardEvent.has(t.index) || itemScores.has(t.index) || first.kind !== t.kind) continue;
      const dt = first.time - t.start;
      const near = typeof t.facts.lon !== 'number' || haversineKm(first.estimate.lon, first.estimate.lat, t.facts.lon, t.facts.lat as number) <= config.match_distance_km;
      if (dt >= 0 && dt <= (t.matchWindowS ?? config.match_window) && near) { matchedHazard.set(id, t.index); break; }
    }
  }
  // First receipt per (event, device).
  const firstReceipt = new Map<number, Float64Array>();
  const receiptCount = new Map<number, number>();
  const tookAction = new Map<number, Uint8Array>();
  // Receipts come in long runs of one event: its tables are looked up once a run.
  let runEvent = NaN, runFirst: Float64Array | undefined;
  const take = (device: number, event: number, time: number, tier: number) => {
    if (tier === 2) return; // a cancel withdraws; it is no alert
    if (tier === 1) {
      let ta = tookAction.get(event);
      if (!ta) tookAction.set(event, (ta = new Uint8Array(devices)));
      ta[device] = 1;
    }
    if (event !== runEvent) {
      runEvent = event;
      runFirst = firstReceipt.get(event);
      if (!runFirst) firstReceipt.set(event, (runFirst = new Float64Array(devices).fill(Infinity)));
    }
    if (time < runFirst![device]!) runFirst![device] = time;
    receiptCount.set(event, (receiptCount.get(event) ?? 0) + 1);
  };
  if ('forEachReceipt' in receipts) receipts.forEachReceipt(take);
  else for (const r of receipts) take(r.device, r.event, r.time, TIER_CODE[r.tier ?? 'be-aware'] ?? 0);

  const hazards: HazardScore[] = truths.map((t) => {
    const id = hazardEvent.get(t.index);
    const rec = id !== undefined ? firstReceipt.get(id) : undefined;
    const outcomes = { timely: 0, late: 0, missed: 0, unnecessary: 0, correctly_quiet: 0 };
    const warnings: number[] = [];
    let deserving = 0, takeAction = 0;
    const ta = id !== undefined ? tookAction.get(id) : undefined;
    const dev = t.devices;
    // Earthquakes with phone positions: outcomes by epicentral distance band.
    const pos = input.positions, lon0 = t.facts.lon, lat0 = t.facts.lat;
    const banded = t.kind === 'earthquake' && pos && typeof lon0 === 'number' && typeof lat0 === 'number';
    const bands = DISTANCE_BANDS.slice(0, -1).map(() => ({ deserving: 0, warned: 0, timely: 0, warnings: [] as number[] }));
    // Warning of everyone who deserved an alert (missed: −∞), for coverage.
    const deservedWarnings: number[] = [];
    if (dev) {
      for (let d = 0; d < devices; d++) {
        if (!dev.reached[d]) continue;
        const got = rec ? rec[d]! : Infinity;
        const received = Number.isFinite(got);
        let outcome: Outcome, w = NaN;
        if (dev.shouldAlert[d]) {
          deserving++;
          if (!received) { outcome = 'missed'; deservedWarnings.push(-Infinity); }
          else {
            w = dev.impact[d]! - got;
            warnings.push(w);
            deservedWarnings.push(w);
            if (ta?.[d]) takeAction++;
            outcome = w >= config.timely_min_s ? 'timely' : 'late';
          }
          if (banded) {
            const km = haversineKm(pos.lon[d]!, pos.lat[d]!, lon0, lat0);
            let b = 0;
            while (km >= DISTANCE_BANDS[b + 1]!) b++;
            const band = bands[b]!;
            band.deserving++;
            if (received) { band.warned++; band.warnings.push(w); }
            if (outcome === 'timely') band.timely++;
          }
        } else outcome = received ? 'unnecessary' : 'correctly_quiet';
        outcomes[outcome]++;
        input.onDevice?.(t.index, d, outcome, got, w, !!ta?.[d]);
      }
    }
    const evAlerts = id !== undefined ? byEvent.get(id)! : undefined;
    const isQuake = t.kind === 'earthquake';
    return {
      index: t.index,
      kind: t.kind,
      name: t.name,
      alertable: t.alertable,
      event: id ?? null,
      alert_latency_s: evAlerts ? evAlerts[0]!.time - t.start : null,
      warning_time_s: quantiles(warnings),
      outcomes,
      deserving,
      take_action: takeAction,
      facts: t.facts,
      estimate_first: evAlerts && isQuake ? estimateError(evAlerts[0]!, t.facts) : null,
      estimate_last: evAlerts && isQuake ? estimateError(evAlerts[evAlerts.length - 1]!, t.facts) : null,
      ...(evAlerts && isQuake ? {
        estimate_evolution: evAlerts.filter((a) => !a.cancelled).map((a) => {
          const e = estimateError(a, t.facts);
          return { t_after_origin_s: a.time - (t.facts.origin_time as number), magnitude_error: e.magnitude_error, location_error_km: e.location_error_km, origin_time_error_s: e.origin_time_error_s };
        }),
      } : {}),
      ...(itemScores.has(t.index) ? { items: itemScores.get(t.index)! } : {}),
      timely_share: wilson(outcomes.timely, deserving),
      warning_p50_s: bootstrapQuantile(warnings, 0.5, { seed: t.index + 1 }),
      coverage: COVERAGE_WARNINGS.map((x) => { let n = 0; for (const w of deservedWarnings) if (w >= x) n++; return { min_warning_s: x, share: wilson(n, deserving) }; }),
      ...(banded ? {
        by_distance: bands.map((b, i) => ({ from_km: DISTANCE_BANDS[i]!, to_km: Number.isFinite(DISTANCE_BANDS[i + 1]!) ? DISTANCE_BANDS[i + 1]! : null, deserving: b.deserving, warned: b.warned, timely: b.timely, warning_time_s: quantiles(b.warnings) })),
      } : {}),
    };
  });

  const events: EventScore[] = eventIds.map((id) => {
    const list = byEvent.get(id)!;
    const last = list[list.length - 1]!;
    const issued = list.filter((a) => !a.cancelled);
    const lastIssued = issued[issued.length - 1] ?? last;
    return {
      event: id,
      kind: list[0]!.kind,
      first_alert_time: list[0]!.time,
      updates: list.length - 1,
      magnitude_first: list[0]!.estimate.magnitude,
      magnitude_last: lastIssued.estimate.magnitude,
      radius_km_last: lastIssued.radiusKm,
      take_action_radius_km_last: lastIssued.takeActionRadiusKm ?? 0,
      cancelled: list.some((a) => a.cancelled),
      receipts: receiptCount.get(id) ?? 0,
      matched_hazard: matchedHazard.get(id) ?? null,
    };
  });
  const falseEvents = events.filter((e) => e.matched_hazard === null);
  const falseAlerts = falseEvents.length;
  return {
    schema_version: 1,
    hazards,
    events,
    false_alerts: falseAlerts,
    false_alerts_per_day: input.durationS > 0 ? (falseAlerts * 86400) / input.durationS : 0,
    false_take_action_alerts: falseEvents.filter((e) => e.take_action_radius_km_last > 0).length,
    false_alerts_cancelled: falseEvents.filter((e) => e.cancelled).length,
    false_alerts_per_million_phone_hours: input.phoneHours && input.phoneHours > 0 ? (falseAlerts * 1e6) / input.phoneHours : null,
    // A hazard nobody deserved an alert for (none of its targets detectable, no phone shaken to the
    // alert level) cannot be missed: staying quiet was right.
    missed_hazards: hazards.filter((h) => h.alertable && h.event === null && (h.items ? h.items.detectable > 0 : h.deserving > 0)).length,
  };
}
