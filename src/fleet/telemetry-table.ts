/**
 * The fleet backend's telemetry table: the rows phones upload at the end of each period cross the
 * uplink (lost or late like any message, on their own random stream), joined with what the main
 * thread knows of the same phone and period (model scores and the triggers a model confirmed).
 * Only rows that arrived are in it — what a real backend would hold.
 */
import type { Link } from '../network/link.js';
import { PHONE_CONTEXTS } from '../population/behaviour.js';
import { BANDS, THERMAL, type TelemetryRows } from './telemetry.js';
import type { TableColumn } from '../output/tables.js';

export const SCORE_BINS = 10;

const col = (name: string, type: TableColumn['type'], unit: string, doc: string): TableColumn => ({ name, type, unit, doc });

/** Columns of telemetry.parquet / .csv. */
export const TELEMETRY_TABLE_COLUMNS: TableColumn[] = [
  col('device', 'int', '', 'device index'), col('period', 'int', '', 'telemetry period index (start_s / telemetry_every)'),
  col('start_s', 'double', 's', 'start of the period, s after the run start'), col('end_s', 'double', 's', 'end of the period (the upload), s after the run start'),
  col('received_s', 'double', 's', 'when the row reached the server'),
  col('phone_model', 'string', '', 'phone profile name'), col('firmware', 'string', '', 'firmware version at the end of the period'),
  col('model', 'string', '', 'detector the phone ran at the end of the period (rollout baseline or candidate name)'),
  col('context', 'string', '', 'context the phone spent most of the period in (table, hand, pocket, bag, vehicle-mount)'),
  col('monitored_s', 'double', 's', 'seconds the phone monitored for hazards'), col('triggers', 'int', '', 'triggers the phone sent'),
  col('trigger_rate_per_h', 'double', '1/h', 'triggers per monitored hour (empty when it did not monitor)'),
  col('accel_noise_floor_mg', 'double', 'mg', '10th percentile of the per-tick RMS of the accelerometer magnitude about its mean'),
  col('accel_rms_p50_mg', 'double', 'mg', 'median of the per-tick RMS of the accelerometer magnitude about its mean'),
  ...BANDS.map(([lo, hi]) => col(`band_${lo}_${hi}hz_db`, 'double', 'dB re 1 mg²', `mean over monitored ticks of the power of the accelerometer magnitude between ${lo} and ${hi} Hz`)),
  col('windows', 'int', '', 'windows a model scored (model-based detectors)'), col('score_mean', 'double', '', 'mean model score of those windows'),
  ...Array.from({ length: SCORE_BINS }, (_, i) => col(`score_bin_${i}`, 'int', '', `windows scored in [${i / SCORE_BINS}, ${(i + 1) / SCORE_BINS}${i === SCORE_BINS - 1 ? ']' : ')'}`)),
  col('charging_s', 'double', 's', 'seconds on a charger'), col('battery_pct', 'double', '%', 'battery level at the end of the period (coarse model, see src/fleet/telemetry.ts)'),
  col('thermal', 'string', '', 'worst thermal status in the period (Android: nominal, light, moderate)'),
  col('lon', 'double', 'degree', 'longitude of the phone\'s GNSS fix at upload (WGS84)'), col('lat', 'double', 'degree', 'latitude of the phone\'s GNSS fix at upload'),
];

/** One received telemetry row, as the rollout monitor reads it. */
export interface TelemetryRow {
  device: number;
  period: number;
  end: number;
  received: number;
  phone: number;
  model: number;
  monitored: number;
  triggers: number;
  scores: Float64Array | undefined;
  /** Where the phone said it was at upload (world frame, m). */
  x: number;
  y: number;
}

export class TelemetryCollector {
  private readonly cols: Record<string, unknown[]> = Object.fromEntries(TELEMETRY_TABLE_COLUMNS.map((c) => [c.name, []]));
  private pending: TelemetryRows[] = [];
  /** Per (device, period): score bins and their sum (the last slot). */
  private readonly scores = new Map<number, Float64Array>();
  private readonly modelTriggers = new Map<number, number>();
  rows = 0;
  lost = 0;

  constructor(private readonly o: {
    every: number; link: Link; periods: number;
    labels: { phones: readonly string[]; firmware: readonly string[]; models: readonly string[] };
    unproject: (x: number, y: number) => [number, number];
  }) {}

  private key(d: number, time: number): number {
    return d * (this.o.periods + 1) + Math.min(this.o.periods, Math.floor(time / this.o.every + 1e-9));
  }

  /** A model scored a window of device d ending at `time`. */
  addScore(d: number, time: number, score: number): void {
    const k = this.key(d, time);
    let s = this.scores.get(k);
    if (!s) this.scores.set(k, (s = new Float64Array(SCORE_BINS + 1)));
    if (!Number.isFinite(score)) return;
    s[Math.min(SCORE_BINS - 1, Math.max(0, Math.floor(score * SCORE_BINS)))]!++;
    s[SCORE_BINS]! += score;
  }

  /** A trigger a model confirmed for device d at `time` (the phone counts it in its telemetry). */
  addModelTrigger(d: number, time: number): void {
    const k = this.key(d, time);
    this.modelTriggers.set(k, (this.modelTriggers.get(k) ?? 0) + 1);
  }

  /** Rows a chunk produced. */
  take(rows: TelemetryRows | undefined): void {
    if (rows?.device.length) this.pending.push(rows);
  }

  /** Uploads the rows produced so far, in (end, device) order, across the link; returns those that arrived. */
  deliver(): TelemetryRow[] {
    const all: [TelemetryRows, number][] = [];
    for (const r of this.pending) for (let i = 0; i < r.device.length; i++) all.push([r, i]);
    this.pending = [];
    all.sort(([a, i], [b, j]) => a.end[i]! - b.end[j]! || a.device[i]! - b.device[j]!);
    const out: TelemetryRow[] = [];
    const c = this.cols, L = this.o.labels;
    for (const [r, i] of all) {
      const d = r.device[i]!, end = r.end[i]!, period = r.period[i]!;
      const received = this.o.link.deliver(d, end, r.x[i]!, r.y[i]!);
      const k = d * (this.o.periods + 1) + Math.min(this.o.periods, period);
      const s = this.scores.get(k), extra = this.modelTriggers.get(k) ?? 0;
      this.scores.delete(k); this.modelTriggers.delete(k);
      if (received === undefined) { this.lost++; continue; }
      const triggers = r.triggers[i]! + extra, monitored = r.monitored[i]!;
      let windows = 0;
      if (s) for (let b = 0; b < SCORE_BINS; b++) windows += s[b]!;
      const [lon, lat] = this.o.unproject(r.x[i]!, r.y[i]!);
      const values: Record<string, unknown> = {
        device: d, period, start_s: period * this.o.every, end_s: end, received_s: received,
        phone_model: L.phones[r.phone[i]!], firmware: L.firmware[r.firmware[i]!], model: L.models[r.model[i]!], context: PHONE_CONTEXTS[r.context[i]!],
        monitored_s: monitored, triggers, trigger_rate_per_h: monitored > 0 ? (3600 * triggers) / monitored : NaN,
        accel_noise_floor_mg: r.noiseFloor[i], accel_rms_p50_mg: r.rmsP50[i],
        windows, score_mean: windows > 0 ? s![SCORE_BINS]! / windows : NaN,
        charging_s: r.charging[i], battery_pct: 100 * r.battery[i]!, thermal: THERMAL[r.thermal[i]!], lon, lat,
      };
      BANDS.forEach(([lo, hi], b) => { values[`band_${lo}_${hi}hz_db`] = r.bands[b]![i]; });
      for (let b = 0; b < SCORE_BINS; b++) values[`score_bin_${b}`] = s ? s[b]! : 0;
      for (const name of Object.keys(c)) c[name]!.push(values[name]);
      this.rows++;
      out.push({ device: d, period, end, received, phone: r.phone[i]!, model: r.model[i]!, monitored, triggers, scores: s, x: r.x[i]!, y: r.y[i]! });
    }
    return out;
  }

  /** The table's columns (rows in upload order). */
  columns(): Record<string, unknown[]> {
    return this.cols;
  }
}
