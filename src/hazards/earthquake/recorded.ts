/**
 * `recorded` earthquake: replays a real accelerogram (K-NET, CSMIP, CDMG or ESM) around a chosen
 * epicentre in the scenario's world. A device at distance R from the epicentre gets the record
 * scaled by the BA08 median ratio PGA(M, R, its Vs30) / PGA(M, R_station, 760) and shifted in time
 * so the S arrival moves with distance: the record's P onset (picked on the record) is placed at
 * the station's theoretical P arrival, then every device gets a shift of (hypo_R − hypo_station)/V_S.
 * The record is rotated to east/north/up and resampled to each phone's rate.
 *
 * Truth per device: first excitation (the replayed P onset), impact (S arrival at its distance),
 * PGA (geometric mean of the replayed horizontal peaks), PGV (from the integrated record, scaled
 * the same way), MMI (Worden et al. 2012) and should_alert.
 */
import { resolve } from 'node:path';
import * as z from 'zod';
import { G } from '../../core/units.js';
import { InputError } from '../../core/errors.js';
import { resample } from '../../core/resample.js';
import { highpass, runBiquad } from '../../core/biquad.js';
import type { ColumnSpec } from '../../core/columns.js';
import { filePath } from '../../plugin/fields.js';
import { vs30At } from '../../world/load.js';
import type { Block, Exposure, HazardPlugin, HazardRuntime, HazardContext } from '../../plugin/index.js';
import { ba08 } from '../../physics/ba08.js';
import { mmiFromPgaPgv } from '../../physics/worden2012.js';
import { earthquakeFields, earthquakeTruth, earthquakeWarnings } from './index.js';
import { RECORD_FORMATS, eventNextTo, readAccelerogram, type Accelerogram, type EventInfo } from './records.js';
import { haversineKm, hypot } from '../../core/geo.js';

const { magnitude: _m, depth_km: _d, variability: _v, ...shared } = earthquakeFields;

export const recordedSchema = z.strictObject({
  type: z.literal('recorded'),
  ...shared,
  record: filePath().describe('The record file (for K-NET and ESM, any one component; the others are found next to it).'),
  format: z.enum(['auto', ...RECORD_FORMATS] as [string, ...string[]]).default('auto').describe('Record format: `auto` (from the file), `knet`, `csmip`, `cdmg` or `esm`.'),
  /** Magnitude and depth of the recorded event; by default from event.json next to the record, else its header. */
  magnitude: earthquakeFields.magnitude.optional().describe('Magnitude of the recorded event; by default from event.json next to the record, else its header.'),
  depth_km: z.number().min(0).max(700).optional().describe('Depth of the recorded event, km; by default from event.json next to the record, else its header.'),
  station_distance_km: z.number().min(0).optional().describe('Station\'s epicentral distance in the recorded event, km; by default from the event and station positions.'),
  max_distance_km: z.number().positive().default(300).describe('Devices further than this from the epicentre are not reached, km.'),
});

export type RecordedConfig = z.output<typeof recordedSchema>;

/** The record prepared for replay: event facts, station distance, P pick, peaks. */
export interface PreparedRecord {
  accelerogram: Accelerogram;
  event: EventInfo;
  stationKm: number;
  stationHypoKm: number;
  /** P onset in the record, s from its start. */
  pickS: number;
  /** Record rate of the prepared components (Hz) and east/north/up acceleration, m/s². */
  rate: number;
  e: Float64Array;
  n: Float64Array;
  u: Float64Array;
  /** Geometric mean of the horizontal peaks (g) and of the horizontal PGVs (cm/s). */
  pgaG: number;
  pgvCms: number;
}

/** Peak absolute value. */
const peak = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** PGV (cm/s) of an acceleration trace: integrate, then remove drift with a 0.1 Hz high-pass. */
export function pgvCms(acc: Float64Array, rate: number): number {
  const v = new Float64Array(acc.length);
  let s = 0;
  for (let i = 1; i < acc.length; i++) {
    s += (0.5 * (acc[i]! + acc[i - 1]!)) / rate;
    v[i] = s;
  }
  const f = highpass(0.1, rate);
  const st = new Float64Array(4);
  runBiquad(f, st, 0, v, 0, v.length);
  runBiquad(f, st, 2, v, 0, v.length);
  return peak(v) * 100;
}

/**
 * P onset of a record: the first time the 0.5 s moving RMS of the vertical exceeds both 4× the
 * pre-event noise (first 2 s) and 3 % of its largest value.
 */
export function pickOnset(u: Float64Array, rate: number): number {
  const w = Math.max(1, Math.round(0.5 * rate));
  const rms = new Float64Array(u.length);
  let acc = 0;
  for (let i = 0; i < u.length; i++) {
    acc += u[i]! * u[i]!;
    if (i >= w) acc -= u[i - w]! * u[i - w]!;
    rms[i] = Math.sqrt(Math.max(0, acc) / Math.min(i + 1, w));
  }
  const noiseEnd = Math.min(u.length, Math.round(2 * rate));
  let noise = 0;
  for (let i = w; i < noiseEnd; i++) noise = Math.max(noise, rms[i]!);
  const top = peak(rms);
  const threshold = Math.max(4 * noise, 0.03 * top);
  for (let i = 0; i < u.length; i++) if (rms[i]! > threshold) return Math.max(0, (i - w / 2) / rate);
  return 0;
}

/** Reads, orients and checks the record named by a `recorded` hazard. */
export function prepareRecord(c: RecordedConfig, file: string, where: string, scenarioFile: string): PreparedRecord {
  const a = readAccelerogram(file, c.format as never);
  const base = eventNextTo(file) ?? a.event;
  const event: EventInfo | undefined = base || (c.magnitude !== undefined && c.depth_km !== undefined)
    ? { lon: base?.lon ?? NaN, lat: base?.lat ?? NaN, depthKm: c.depth_km ?? base!.depthKm, magnitude: c.magnitude ?? base!.magnitude }
    : undefined;
  if (!event) throw new InputError(scenarioFile, { path: `${where}.magnitude`, message: `the record ${file} names no event (no event.json next to it, none in its header): set magnitude and depth_km` });
  let stationKm = c.station_distance_km;
  if (stationKm === undefined) {
    if (!Number.isFinite(event.lon)) throw new InputError(scenarioFile, { path: `${where}.station_distance_km`, message: 'the record names no epicentre: set station_distance_km' });
    stationKm = haversineKm(event.lon, event.lat, a.station.lon, a.station.lat);
  }
  const rates = a.components.map((k) => k.rate ?? (k.times!.length - 1) / (k.times![k.times!.length - 1]! - k.times![0]!));
  const rate = Math.max(...rates.map((r) => Math.round(r)));
  const series = a.components.map((k) => resample({ rate: k.rate, times: k.times, values: k.acc }, rate));
  const len = Math.min(...series.map((s) => s.length));
  const up = a.components.findIndex((k) => k.azimuth === 'up');
  const hor = a.components.map((k, i) => [k.azimuth, i] as const).filter(([az]) => az !== 'up') as [number, number][];
  if (up < 0 || hor.length < 2) throw new InputError(file, `expected two horizontal components and a vertical one, found ${a.components.map((k) => k.label).join(', ')}`);
  // Rotate the two horizontals (azimuths a1, a2, not necessarily 90° apart) to east and north.
  const [[a1, i1], [a2, i2]] = hor as [[number, number], [number, number]];
  const r1 = (a1 * Math.PI) / 180, r2 = (a2 * Math.PI) / 180;
  const det = Math.sin(r1) * Math.cos(r2) - Math.cos(r1) * Math.sin(r2);
  if (Math.abs(det) < 0.1) throw new InputError(file, `horizontal components at ${a1}° and ${a2}° are too close to parallel to rotate`);
  const e = new Float64Array(len), n = new Float64Array(len), u = series[up]!.subarray(0, len).slice();
  const h1 = series[i1]!, h2 = series[i2]!;
  for (let i = 0; i < len; i++) {
    // h_k = e·sin(a_k) + n·cos(a_k)
    e[i] = (h1[i]! * Math.cos(r2) - h2[i]! * Math.cos(r1)) / det;
    n[i] = (h2[i]! * Math.sin(r1) - h1[i]! * Math.sin(r2)) / det;
  }
  // A record ends (and starts) while the ground still moves: cut off, it would step to zero and every
  // phone would trigger on the step. Taper both ends as seismologists do (ObsPy Trace.taper: Hann
  // window over 5 % of the record at each end), after the onset pick and peaks are taken.
  const pickS = pickOnset(u, rate);
  const pgaG = Math.sqrt(peak(e) * peak(n)) / G, pgv = Math.sqrt(pgvCms(e, rate) * pgvCms(n, rate));
  for (const s of [e, n, u]) hannTaper(s, 0.05);
  return {
    accelerogram: a, event, stationKm, stationHypoKm: hypot(stationKm, event.depthKm),
    pickS, rate, e, n, u, pgaG, pgvCms: pgv,
  };
}

/** Multiplies both ends of `s` by half a Hann window spanning `share` of its length each (ObsPy's `taper(max_percentage=share, type='hann')`). */
export function hannTaper(s: Float64Array, share: number): void {
  const m = Math.floor(share * s.length);
  for (let i = 0; i < m; i++) {
    const w = 0.5 * (1 - Math.cos((Math.PI * i) / m));
    s[i] = s[i]! * w;
    s[s.length - 1 - i] = s[s.length - 1 - i]! * w;
  }
}

const enum FieldState { Pending = 0, Quiet = 1, Shaking = 2, Done = 3 }

class RecordedRuntime implements HazardRuntime {
  private readonly c: RecordedConfig;
  private readonly rec: PreparedRecord;
  private readonly ctx: HazardContext;
  private readonly epicentre: [number, number];
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly state: Uint8Array;
  private readonly tp: Float64Array;
  private readonly ts: Float64Array;
  private readonly start: Float64Array;
  private readonly scale: Float32Array;
  private readonly pga: Float32Array;
  private readonly pgv: Float32Array;
  private readonly mmi: Float32Array;
  private readonly stationLnPga: number;
  private readonly atRate = new Map<number, [Float32Array, Float32Array, Float32Array]>();

  constructor(c: RecordedConfig, ctx: HazardContext, rec: PreparedRecord) {
    this.c = c;
    this.ctx = ctx;
    this.rec = rec;
    this.epicentre = ctx.world.frame.project([c.lon, c.lat]);
    const col = ctx.columns, p = ctx.prefix;
    this.x = col.f64('x');
    this.y = col.f64('y');
    this.state = col.u8(p + 'state');
    this.tp = col.f64(p + 'tp');
    this.ts = col.f64(p + 'ts');
    this.start = col.f64(p + 'start');
    this.scale = col.f32(p + 'scale');
    this.pga = col.f32(p + 'pga_g');
    this.pgv = col.f32(p + 'pgv_cms');
    this.mmi = col.f32(p + 'mmi');
    this.stationLnPga = ba08('pga', { magnitude: rec.event.magnitude, rjbKm: rec.stationKm, vs30: 760, rake: c.rake }).lnMedian;
  }

  private traces(fs: number): [Float32Array, Float32Array, Float32Array] {
    let t = this.atRate.get(fs);
    if (!t) {
      const r = this.rec;
      t = [r.e, r.n, r.u].map((s) => Float32Array.from(resample({ rate: r.rate, values: s }, fs))) as [Float32Array, Float32Array, Float32Array];
      this.atRate.set(fs, t);
    }
    return t;
  }

  private computeField(d: number): void {
    const c = this.c, r = this.rec;
    const rKm = hypot(this.x[d]! - this.epicentre[0], this.y[d]! - this.epicentre[1]) / 1000;
    const hypo = hypot(rKm, r.event.depthKm);
    const vs30 = c.vs30 ?? vs30At(this.ctx.world, this.x[d]!, this.y[d]!);
    const ratio = Math.exp(ba08('pga', { magnitude: r.event.magnitude, rjbKm: rKm, vs30, rake: c.rake }).lnMedian - this.stationLnPga);
    const shift = (hypo - r.stationHypoKm) / c.vs_km_s;
    const start = c.origin_time + r.stationHypoKm / c.vp_km_s - r.pickS + shift;
    this.start[d] = start;
    this.tp[d] = start + r.pickS;
    this.ts[d] = c.origin_time + hypo / c.vs_km_s;
    this.scale[d] = ratio;
    this.pga[d] = r.pgaG * ratio;
    this.pgv[d] = r.pgvCms * ratio;
    this.mmi[d] = mmiFromPgaPgv(r.pgaG * ratio, r.pgvCms * ratio);
    this.state[d] = rKm > c.max_distance_km || r.pgaG * ratio < c.render_floor_g ? FieldState.Quiet : FieldState.Shaking;
  }

  exposure(d: number, t0: number, t1: number): Exposure | null {
    if (this.state[d] !== FieldState.Shaking && this.state[d] !== FieldState.Done) return null;
    const len = this.traces(50)[0].length / 50;
    const from = this.tp[d]!, to = this.start[d]! + len;
    if (t1 <= from || t0 >= to) return null;
    const rKm = hypot(this.x[d]! - this.epicentre[0], this.y[d]! - this.epicentre[1]) / 1000;
    return { kind: 'earthquake', from, to, split: this.ts[d]!, intensity: this.pga[d]!, distanceKm: rKm };
  }

  render(d: number, b: Block): void {
    if (this.state[d] === FieldState.Pending) {
      if (b.t1 <= this.c.origin_time) return;
      this.computeField(d);
    }
    if (this.state[d] !== FieldState.Shaking) return;
    const fs = b.fs;
    const [e, n, u] = this.traces(fs);
    const len = e.length;
    const s = this.start[d]! * fs; // record sample 0 sits at device sample s (fractional)
    const k0 = b.k0;
    if (k0 + b.n <= s) return;
    if (k0 > s + len) {
      this.state[d] = FieldState.Done;
      return;
    }
    // Shift by whole samples (timing within half a sample, 10 ms at 50 Hz): interpolating between
    // samples would smear the near-Nyquist content that carries a record's peak.
    const scale = this.scale[d]!;
    const shift = Math.round(s);
    for (let i = 0; i < b.n; i++) {
      const j = k0 + i - shift;
      if (j < 0 || j >= len) continue;
      b.ae[i] = b.ae[i]! + scale * e[j]!;
      b.an[i] = b.an[i]! + scale * n[j]!;
      b.au[i] = b.au[i]! + scale * u[j]!;
    }
  }
}

const prepared = new Map<string, PreparedRecord>();
function recordFor(c: RecordedConfig, ctx: HazardContext, where: string): PreparedRecord {
  const file = ctx.files.record ?? resolve(ctx.dir, c.record);
  const key = `${file}|${c.format}|${c.magnitude}|${c.depth_km}|${c.station_distance_km}`;
  let r = prepared.get(key);
  if (!r) {
    r = prepareRecord(c, file, where, ctx.file);
    prepared.set(key, r);
  }
  return r;
}


export const recordedEarthquakeHazard: HazardPlugin<RecordedConfig> = {
  type: 'recorded',
  summary: 'A real accelerogram replayed at every phone, scaled by distance with BA08',
  reads: ['x', 'y'],
  category: 'hazard',
  schema: recordedSchema,
  files: (c) => [{ field: 'record', path: c.record }],
  warnings: (c, where) => (c.magnitude !== undefined ? earthquakeWarnings({ magnitude: c.magnitude }, where) : []),
  starts: (c) => [{ field: 'origin_time', at: c.origin_time }],
  check(c, ctx, where) {
    recordFor(c, ctx, where);
  },
  columns: (): ColumnSpec[] => [
    { name: 'state', type: 'u8' },
    { name: 'tp', type: 'f64', fill: NaN },
    { name: 'ts', type: 'f64', fill: NaN },
    { name: 'start', type: 'f64', fill: NaN },
    { name: 'scale', type: 'f32' },
    { name: 'pga_g', type: 'f32', fill: NaN },
    { name: 'pgv_cms', type: 'f32', fill: NaN },
    { name: 'mmi', type: 'f32', fill: NaN },
  ],
  create(c, ctx) {
    return new RecordedRuntime(c, ctx, recordFor(c, ctx, `hazards[${ctx.index}]`));
  },
  truth(c, ctx, index) {
    const r = recordFor(c, ctx, `hazards[${index}]`);
    return earthquakeTruth({ ...c, magnitude: r.event.magnitude, depth_km: r.event.depthKm }, ctx, index, 'recorded', {
      record: r.accelerogram.file.split('/').slice(-2).join('/'), record_format: r.accelerogram.format, station: r.accelerogram.station.code,
      station_distance_km: r.stationKm, record_pga_g: r.pgaG,
    });
  },
};
