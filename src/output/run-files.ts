/**
 * The per-row outputs of a run, next to summary.json: devices (one row per phone and hazard that
 * has per-phone truth: exposure, receipt, warning, outcome), triggers, alerts and receipts as
 * Parquet + CSV; truth.json (hazard facts and items, for `hazardsim score`); alerts.geojson (alert
 * regions, estimated and true epicentres) and truth.geojson (hazards, ruptures, potholes, crashes).
 * Columns are listed in the README ("What lands in out/<run>/").
 */
import { packageVersions } from './versions.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { circle } from '@turf/circle';
import { destination } from '@turf/destination';
import { lineString, point } from '@turf/helpers';
import type { RunResult } from '../engine/run.js';
import { TIERS } from '../engine/receipt-log.js';
import type { HazardTruth } from '../plugin/index.js';
import type { AlertRecord } from '../plugin/index.js';
import { OUTCOMES, type Outcome } from '../score/score.js';
import { shared, TableQueue, writesInParallel, type ColumnSource, type TableColumn } from './tables.js';
import { TELEMETRY_TABLE_COLUMNS } from '../fleet/telemetry-table.js';

const col = (name: string, type: TableColumn['type'], unit: string, doc: string): TableColumn => ({ name, type, unit, doc });
/** The device and alert tables' positions, as GeoParquet geometry (points in OGC:CRS84). */
const LON_LAT = { lon: 'lon', lat: 'lat' } as const;
const TIME = 's after the run start (simulation clock)';

export const DEVICE_COLUMNS: TableColumn[] = [
  col('device', 'int', '', 'device index'), col('hazard', 'int', '', 'hazard index in the scenario'),
  col('lon', 'double', 'degree', 'longitude (WGS84) where the phone was at the end of the run'), col('lat', 'double', 'degree', 'latitude (WGS84)'),
  col('reached', 'bool', '', 'the hazard reached this phone'), col('should_alert', 'bool', '', 'the phone deserved an alert (its intensity reached the alert level)'),
  col('pga_g', 'double', 'g', 'earthquakes: peak ground acceleration at the phone'), col('pressure_step_hpa', 'double', 'hPa', 'pressure fronts: the pressure step at the phone'),
  col('mmi', 'double', 'MMI', 'modified Mercalli intensity (earthquakes; Worden et al. 2012 from PGA and PGV)'),
  col('first_s', 'double', 's', `first arrival (P wave for earthquakes), ${TIME}`), col('impact_s', 'double', 's', `damaging arrival (S wave for earthquakes), ${TIME}`),
  col('receipt_s', 'double', 's', `first alert received, ${TIME}; empty when none`), col('warning_s', 'double', 's', 'impact_s − receipt_s: warning time (negative: the alert came late)'),
  col('outcome', 'string', '', 'timely, late, missed, unnecessary or correctly_quiet'), col('take_action', 'bool', '', 'the phone got a take-action alert'),
];
export const TRIGGER_COLUMNS: TableColumn[] = [
  col('device', 'int', '', 'device index'), col('kind', 'string', '', 'trigger or update'), col('channel', 'string', '', 'shaking, bump, crash or pressure'),
  col('time_s', 'double', 's', `when the phone sent it, ${TIME}`), col('device_time_s', 'double', 's', 'the same on the phone\'s own clock (offset and drift)'),
  col('onset_device_time_s', 'double', 's', 'onset of the event the trigger reports, on the phone\'s clock'), col('arrival_s', 'double', 's', `arrival at the server, ${TIME}; empty: lost`),
  col('amplitude_m_s2', 'double', 'm/s²', 'peak acceleration the detector measured'), col('ratio', 'double', '', 'detector ratio (STA/LTA, or amplitude over the threshold)'),
  col('score', 'double', '', 'model probability (two-stage and onnx-window detectors); empty otherwise'),
  col('lon', 'double', 'degree', 'longitude of the phone\'s own GNSS fix (WGS84)'), col('lat', 'double', 'degree', 'latitude of the phone\'s own GNSS fix (WGS84)'),
  col('speed_m_s', 'double', 'm/s', 'GNSS speed when the trigger began'), col('speed_after_m_s', 'double', 'm/s', 'crash: GNSS speed read again later'),
  col('step_pa', 'double', 'Pa', 'pressure step (pressure-step detector)'),
];
export const ALERT_COLUMNS: TableColumn[] = [
  col('event', 'int', '', 'server event index'), col('kind', 'string', '', 'alert, update or cancel'), col('seq', 'int', '', 'update number within the event'),
  col('time_s', 'double', 's', `when the server issued it, ${TIME}`), col('cancelled', 'bool', '', 'the event was cancelled'),
  col('lon', 'double', 'degree', 'estimated source longitude (WGS84)'), col('lat', 'double', 'degree', 'estimated source latitude (WGS84)'),
  col('x', 'double', 'm', 'estimated source east of the world\'s origin (metadata.origin, or the boundary\'s centre)'), col('y', 'double', 'm', 'estimated source north of the world\'s origin'),
  col('origin_time_s', 'double', 's', `estimated origin time, ${TIME}`), col('magnitude', 'double', 'Mw', 'estimated moment magnitude'), col('depth_km', 'double', 'km', 'estimated depth'),
  col('radius_km', 'double', 'km', 'radius of the be-aware region'), col('mmi_threshold', 'double', 'MMI', 'intensity the be-aware region is drawn for'),
  col('take_action_radius_km', 'double', 'km', 'radius of the take-action region'), col('take_action_mmi', 'double', 'MMI', 'intensity the take-action region is drawn for'),
  col('triggers', 'int', '', 'triggers behind the estimate'), col('rupture', 'string', '', 'fitted rupture (JSON), when the server fits one'), col('details', 'string', '', 'server-specific details (JSON)'),
];
export const RECEIPT_COLUMNS: TableColumn[] = [
  col('device', 'int', '', 'device index'), col('event', 'int', '', 'server event index'), col('seq', 'int', '', 'update number'),
  col('time_s', 'double', 's', `when the phone received it, ${TIME}`), col('tier', 'string', '', 'be-aware, take-action or cancel'),
];

/** Columns as arrays, filled row by row. */
function columnsOf(cols: TableColumn[]): Record<string, unknown[]> {
  return Object.fromEntries(cols.map((c) => [c.name, []]));
}

const OUTCOME_CODE = Object.fromEntries(OUTCOMES.map((o, i) => [o, i])) as Record<Outcome, number>;

/** Per-device rows, from the scoring pass (`onDevice`) over the run's truth: typed columns, grown as rows come. */
export class DeviceRows {
  rows = 0;
  private cap = 0;
  private device = new Int32Array(0);
  private hazard = new Int32Array(0);
  private flags = new Uint8Array(0);
  private receipt = new Float64Array(0);
  private warning = new Float64Array(0);
  /** Outcome codes (indices into OUTCOMES). */
  private outcome = new Uint8Array(0);
  /** `positions`: every phone's place in degrees (also what scoring bands distances by). */
  constructor(private readonly truths: HazardTruth[], readonly positions: { lon: Float64Array; lat: Float64Array }) {
    // Scoring gives a row per hazard and phone it reached: made that size at once (no doubling of
    // ten-million-row columns), on SharedArrayBuffers so that the writer threads read them as they are.
    let rows = 0;
    for (const t of truths) if (t.devices) for (const r of t.devices.reached) rows += r ? 1 : 0;
    this.grow(rows);
  }
  add = (hazard: number, d: number, outcome: Outcome, receipt: number, warning: number, takeAction: boolean): void => {
    if (this.rows === this.cap) this.grow();
    const i = this.rows++;
    this.device[i] = d; this.hazard[i] = hazard; this.receipt[i] = receipt; this.warning[i] = warning;
    this.flags[i] = (this.truths[hazard]!.devices!.shouldAlert[d] === 1 ? 1 : 0) | (takeAction ? 2 : 0);
    this.outcome[i] = OUTCOME_CODE[outcome];
  };

  private grow(to = Math.max(1024, 2 * this.cap)): void {
    this.cap = to;
    const more = <T extends Int32Array | Uint8Array | Float64Array>(a: T): T => {
      const C = a.constructor as (new (b: SharedArrayBuffer) => T) & { BYTES_PER_ELEMENT: number };
      const b = new C(new SharedArrayBuffer(C.BYTES_PER_ELEMENT * to));
      b.set(a);
      return b;
    };
    this.device = more(this.device); this.hazard = more(this.hazard); this.flags = more(this.flags); this.receipt = more(this.receipt); this.warning = more(this.warning); this.outcome = more(this.outcome);
  }

  /**
   * The table's columns as sources that can cross to a worker: per-hazard truth and positions read
   * through each row's device by the writer threads, a row group at a time (on SharedArrayBuffers,
   * so nothing of ten million rows is gathered or copied here while the threads wait).
   */
  sources(): Record<string, ColumnSource> {
    const n = this.rows, device = this.device.subarray(0, n), hazard = this.hazard.subarray(0, n);
    /** A per-device truth column of each row's hazard, at the row's device (NaN where the hazard has none). */
    const gather = (pick: (t: HazardTruth) => ArrayLike<number> | undefined): ColumnSource => ({ from: this.truths.map((t) => pick(t) ?? null), device, hazard });
    const at = (src: Float64Array): ColumnSource => ({ from: [src], device });
    const flags = this.flags.subarray(0, n);
    return {
      device: shared(device), hazard: shared(hazard),
      lon: at(this.positions.lon), lat: at(this.positions.lat),
      reached: { constant: true }, should_alert: { bitOf: flags, bit: 0 },
      pga_g: gather((t) => (t.kind === 'earthquake' ? t.devices?.intensity : undefined)),
      pressure_step_hpa: gather((t) => (t.kind === 'pressure-front' ? t.devices?.intensity : undefined)),
      mmi: gather((t) => t.devices?.mmi),
      first_s: gather((t) => t.devices?.first), impact_s: gather((t) => t.devices?.impact),
      receipt_s: shared(this.receipt.subarray(0, n)), warning_s: shared(this.warning.subarray(0, n)),
      outcome: { codes: this.outcome.subarray(0, n), labels: OUTCOMES }, take_action: { bitOf: flags, bit: 1 },
    };
  }

}

function alertRows(alerts: AlertRecord[]): Record<string, unknown[]> {
  const c = columnsOf(ALERT_COLUMNS);
  for (const a of alerts) {
    const e = a.estimate;
    c.event!.push(a.event); c.kind!.push(a.kind); c.seq!.push(a.seq); c.time_s!.push(a.time); c.cancelled!.push(a.cancelled);
    c.lon!.push(e.lon); c.lat!.push(e.lat); c.x!.push(e.x); c.y!.push(e.y); c.origin_time_s!.push(e.originTime); c.magnitude!.push(e.magnitude); c.depth_km!.push(e.depthKm);
    c.radius_km!.push(a.radiusKm); c.mmi_threshold!.push(a.mmiThreshold); c.take_action_radius_km!.push(a.takeActionRadiusKm); c.take_action_mmi!.push(a.takeActionMmi);
    c.triggers!.push(a.triggers); c.rupture!.push(a.rupture ? JSON.stringify(a.rupture) : null); c.details!.push(a.details ? JSON.stringify(a.details) : null);
  }
  return c;
}

/** turf's buffer (with JSTS, a tenth of a second to load), loaded when a first alert has a rupture. */
let turfBuffer: typeof import('@turf/buffer').buffer | undefined;

/** An alert region as a polygon: a circle around the epicentre, or a band around the rupture. */
function region(a: AlertRecord, km: number) {
  if (a.rupture) {
    const buffer = (turfBuffer ??= (createRequire(import.meta.url)('@turf/buffer') as typeof import('@turf/buffer')).buffer);
    return buffer(lineString([[a.rupture.lon1, a.rupture.lat1], [a.rupture.lon2, a.rupture.lat2]]), km, { units: 'kilometers', steps: 16 })!.geometry;
  }
  return circle([a.estimate.lon, a.estimate.lat], km, { units: 'kilometers', steps: 64 }).geometry;
}

/**
 * GeoJSON properties with times named as in the tables (`origin_time_s`, `time_s` …): a hazard's facts
 * keep its scenario's field names (`origin_time`, `time`, `start`), which read ambiguously in a GIS.
 */
function unitNames(props: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    const named = TIME_FACTS.has(k) ? `${k}_s` : k;
    if (!(named in out)) out[named] = v;
  }
  return out;
}
const TIME_FACTS = new Set(['origin_time', 'time', 'start', 'duration', 'planned_time']);

export function alertsGeoJson(alerts: AlertRecord[], truths: HazardTruth[]): object {
  const features: object[] = [];
  for (const a of alerts) {
    const props = { event: a.event, kind: a.kind, seq: a.seq, time_s: a.time, cancelled: a.cancelled, magnitude: Number.isFinite(a.estimate.magnitude) ? a.estimate.magnitude : null };
    features.push({ ...point([a.estimate.lon, a.estimate.lat]), properties: { role: 'estimate', ...props, origin_time_s: a.estimate.originTime, ...(a.details ?? {}) } });
    if (a.cancelled) continue;
    if (a.radiusKm > 0) features.push({ type: 'Feature', geometry: region(a, a.radiusKm), properties: { role: 'be-aware', ...props, radius_km: a.radiusKm, mmi: a.mmiThreshold } });
    if (a.takeActionRadiusKm > 0 && a.takeActionRadiusKm < a.radiusKm) features.push({ type: 'Feature', geometry: region(a, a.takeActionRadiusKm), properties: { role: 'take-action', ...props, radius_km: a.takeActionRadiusKm, mmi: a.takeActionMmi } });
  }
  for (const t of truths) if (typeof t.facts.lon === 'number' && typeof t.facts.lat === 'number') { const { rupture_trace: _trace, ...facts } = t.facts; features.push({ ...point([t.facts.lon, t.facts.lat]), properties: unitNames({ role: 'truth', hazard: t.index, kind: t.kind, name: t.name, ...facts }) }); }
  return { type: 'FeatureCollection', features };
}

export function truthGeoJson(truths: HazardTruth[]): object {
  const features: object[] = [];
  for (const t of truths) {
    const f = t.facts;
    const props = { hazard: t.index, kind: t.kind, name: t.name, alertable: t.alertable, start_s: t.start };
    if (typeof f.lon === 'number' && typeof f.lat === 'number') {
      const { rupture_trace: _trace, ...facts } = f;
      features.push({ ...point([f.lon, f.lat]), properties: unitNames({ role: 'source', ...props, ...facts }) });
      if (typeof f.rupture_trace === 'string') {
        // The surface trace the hazard ruptured (one segment, bilateral, or two from the hypocentre).
        const segments = JSON.parse(f.rupture_trace) as number[][][];
        features.push({ type: 'Feature', geometry: { type: 'MultiLineString', coordinates: segments }, properties: { role: 'rupture', ...props, length_km: f.rupture_length_km } });
      } else if (typeof f.rupture_length_km === 'number' && f.rupture_length_km > 0 && typeof f.strike_deg === 'number') {
        const end = destination([f.lon, f.lat], f.rupture_length_km, f.strike_deg > 180 ? f.strike_deg - 360 : f.strike_deg, { units: 'kilometers' });
        features.push({ ...lineString([[f.lon, f.lat], end.geometry.coordinates]), properties: { role: 'rupture', ...props, length_km: f.rupture_length_km } });
      }
    }
    for (const item of t.items ?? []) {
      if (typeof item.lon !== 'number' || typeof item.lat !== 'number') continue;
      features.push({ ...point([item.lon, item.lat]), properties: unitNames({ role: String(item.item ?? 'item'), ...props, ...item }) });
    }
  }
  return { type: 'FeatureCollection', features };
}

/**
 * GeoJSON text with positions at 7 decimals (about 1 cm; RFC 7946 §11.2 advises against more
 * precision than the data has): float noise in the 15th digit only bloats files and diffs.
 */
export function geoJsonText(fc: object): string {
  return JSON.stringify(fc, (key, value) => {
    if (key !== 'coordinates' || !Array.isArray(value)) return value;
    const round = (v: unknown): unknown => (Array.isArray(v) ? v.map(round) : typeof v === 'number' ? Math.round(v * 1e7) / 1e7 : v);
    return round(value);
  }) + '\n';
}

/** What `hazardsim score` needs of the truth besides the per-device columns. */
export function truthRecord(truths: HazardTruth[]): object[] {
  return truths.map(({ devices, ...rest }) => ({ ...rest, has_devices: devices !== undefined }));
}

/**
 * Writes the row outputs of a run into `dir` (devices rows come from the scoring pass); `threads`:
 * how many tables may be written at once on worker threads when the run is large.
 */
export async function writeRunFiles(dir: string, result: RunResult, devices: DeviceRows, options: { threads?: number } = {}): Promise<void> {
  await (await startRunFiles(dir, result, options)).finish(devices);
}

/**
 * Starts writing the row outputs of a run into `dir`: the tables that need only the run (triggers,
 * receipts, alerts, telemetry) go to the writer threads at once, so that a large run's scoring
 * (which makes the devices rows) overlaps with them; `finish(devices)` adds the devices table and
 * the JSON files and waits for everything.
 */
export async function startRunFiles(dir: string, result: RunResult, options: { threads?: number } = {}): Promise<{ finish(devices: DeviceRows): Promise<void>; abort(): Promise<void> }> {
  const frame = result.state.world.frame;
  const sc = result.state.scenario;
  const threads = options.threads ?? 2;
  const hazards = Math.max(1, sc.config.hazards.length);
  const queue = new TableQueue(writesInParallel(result.state.columns.rows * hazards + result.triggers.length + result.receipts.length, threads), threads);
  const meta: Record<string, string> = { 'hazardsim:version': packageVersions().hazardsim ?? '', 'hazardsim:scenario': sc.config.name, 'hazardsim:scenario_hash': sc.hash, 'hazardsim:seed': String(sc.config.seed) };
  if (sc.config.start_utc) meta['hazardsim:start_utc'] = new Date(Date.parse(sc.config.start_utc)).toISOString();
  const first = (async () => {
    // Every table as sources (typed columns, codes for repeated strings), written side by side on worker threads when large.
    // The logs' own segments (on SharedArrayBuffers): the writer threads read them where they are.
    const log = result.triggers, nt = log.length, seg = (k: Parameters<typeof log.segments>[0]) => log.segments(k);
    const tlon = new Float64Array(new SharedArrayBuffer(8 * nt)), tlat = new Float64Array(new SharedArrayBuffer(8 * nt));
    const xs = seg('x'), ys = seg('y'), mask = (1 << xs.bits) - 1;
    for (let i = 0; i < nt; i++) { const [lon, lat] = frame.unproject(xs.segments[i >> xs.bits]![i & mask]!, ys.segments[i >> ys.bits]![i & mask]!); tlon[i] = lon; tlat[i] = lat; }
    const channels = ['shaking', 'shaking', 'bump', 'crash', 'pressure'];
    const optional = (k: 'score' | 'speed' | 'speedAfter' | 'step'): ColumnSource => (log.has(k) ? seg(k) : { constant: null });
    const t: Record<string, ColumnSource> = {
      device: seg('device'), kind: { codes: seg('kind') as { segments: Uint8Array[]; bits: number }, labels: ['trigger', 'update'] },
      channel: log.otherChannels ? Array.from({ length: nt }, (_, i) => log.channelAt(i) ?? 'shaking') : { codes: seg('channel') as { segments: Uint8Array[]; bits: number }, labels: channels },
      time_s: seg('time'), device_time_s: seg('deviceTime'), onset_device_time_s: seg('onsetDeviceTime'), arrival_s: seg('arrival'),
      amplitude_m_s2: seg('amplitude'), ratio: seg('ratio'), score: optional('score'), lon: tlon, lat: tlat,
      speed_m_s: optional('speed'), speed_after_m_s: optional('speedAfter'), step_pa: optional('step'),
    };
    const rl = result.receipts, nr = rl.length;
    const r: Record<string, ColumnSource> = { device: rl.column('device'), event: rl.column('event'), seq: rl.column('seq'), time_s: rl.column('time'), tier: { codes: rl.column('tier') as { segments: Uint8Array[]; bits: number }, labels: TIERS } };
    // With an absolute start, each time_s gets its UTC time beside it.
    const start = sc.config.start_utc ? Date.parse(sc.config.start_utc) : undefined;
    const withUtc = (cols: TableColumn[], data: Record<string, ColumnSource>): TableColumn[] => {
      if (start === undefined) return cols;
      data.time_utc = { utcOf: 'time_s', startMs: start };
      const at = cols.findIndex((c) => c.name === 'time_s') + 1;
      return [...cols.slice(0, at), col('time_utc', 'string', 'ISO 8601', 'time_s as a UTC date and time (start_utc + time_s)'), ...cols.slice(at)];
    };
    const alerts = alertRows(result.alerts);
    await queue.add([
      { dir, name: 'triggers', columns: withUtc(TRIGGER_COLUMNS, t), data: t, rows: nt, meta },
      { dir, name: 'alerts', columns: withUtc(ALERT_COLUMNS, alerts), data: alerts, rows: result.alerts.length, meta, geometry: LON_LAT },
      { dir, name: 'receipts', columns: withUtc(RECEIPT_COLUMNS, r), data: r, rows: nr, meta },
      ...(result.telemetry ? [{ dir, name: 'telemetry', columns: TELEMETRY_TABLE_COLUMNS, data: result.telemetry.columns() as Record<string, ColumnSource>, rows: result.telemetry.rows, meta }] : []),
    ]);
  })();
  // A failure is thrown by finish(); until then nothing is left unhandled.
  first.catch(() => undefined);
  // One turn of the event loop: the writer threads take the queued tables before the caller scores.
  await new Promise<void>((resolve) => setImmediate(resolve));
  return {
    async finish(devices) {
      try {
        await first;
        await queue.add([{ dir, name: 'devices', columns: DEVICE_COLUMNS, data: devices.sources(), rows: devices.rows, meta, geometry: LON_LAT }]);
      } finally {
        await queue.done();
      }
      writeFileSync(join(dir, 'truth.json'), JSON.stringify(truthRecord(result.truths), null, 1) + '\n');
      writeFileSync(join(dir, 'alerts.geojson'), geoJsonText(alertsGeoJson(result.alerts, result.truths)));
      writeFileSync(join(dir, 'truth.geojson'), geoJsonText(truthGeoJson(result.truths)));
    },
    /** Stops the writer threads (scoring failed; the folder is abandoned). */
    async abort() {
      await first.catch(() => undefined);
      await queue.done().catch(() => undefined);
    },
  };
}

export { OUTCOMES };
