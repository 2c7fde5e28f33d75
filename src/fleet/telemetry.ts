/**
 * On-device telemetry: what each phone summarises over every telemetry period (an hour by default)
 * and uploads, as real fleets report — seconds monitored, triggers sent, accelerometer features
 * (noise floor and RMS from per-tick RMS of the gravity-free magnitude, band energies by DFT),
 * dominant context, charging, battery and thermal state, phone model, firmware and the detector it
 * runs. The phone computes these from its own sensor samples and state (nothing of the truth).
 *
 * Battery and thermal state are a coarse model: a phone at rest draws about 70 mW (Carroll & Heiser
 * 2010, USENIX ATC, suspended Freerunner: 68.6 mW), 0.45 % an hour of a 15.4 Wh battery (4,000 mAh
 * at 3.85 V); monitoring keeps the accelerometer on (LSM6DSO: 0.55 mA at 1.8 V, about 1 mW) and
 * wakes the CPU to read batches (assumed 20 mW on average: no published figure), 0.14 % more; a
 * charger adds 40 % an hour (a 10 W charger into 15.4 Wh at 60 % effective); charging is thermal
 * status LIGHT, charging in a pocket or bag MODERATE (Android's PowerManager thermal statuses).
 */
import type { ColumnSpec } from '../core/columns.js';
import { stableUniform } from '../core/random.js';
import { PHONE_CONTEXTS } from '../population/behaviour.js';

/** Per-tick RMS histogram: log10(RMS / mg) from −1.5 to 3.5 (0.03 mg to 3 g) in twentieths of a decade. */
export const RMS_BINS = 100;
const RMS_LOG_MIN = -1.5, RMS_BIN = 0.05;
/** Bands of the telemetry's band energies, Hz: [lo, hi). */
export const BANDS: readonly (readonly [number, number])[] = [[1, 4], [4, 10], [10, 20]];
export const THERMAL = ['nominal', 'light', 'moderate'] as const;

const IDLE_PER_S = 0.0045 / 3600, MONITOR_PER_S = 0.0014 / 3600, CHARGE_PER_S = 0.4 / 3600;

/** Per-device accumulators of the current period. */
export const TELEMETRY_COLUMNS: ColumnSpec[] = [
  { name: 'tel.period', type: 'i32', fill: -1 },
  { name: 'tel.ticks', type: 'u32' },
  { name: 'tel.monitored_s', type: 'f64' },
  { name: 'tel.rms_hist', type: 'u32', width: RMS_BINS },
  { name: 'tel.band_db', type: 'f64', width: BANDS.length },
  { name: 'tel.band_ticks', type: 'u32' },
  { name: 'tel.triggers', type: 'u32' },
  { name: 'tel.context_s', type: 'f32', width: PHONE_CONTEXTS.length },
  { name: 'tel.charging_s', type: 'f32' },
  { name: 'tel.battery', type: 'f32', fill: NaN },
  { name: 'tel.thermal', type: 'u8' },
];

/** Telemetry rows a chunk produced (plain arrays: they cross threads by structured clone). */
export interface TelemetryRows {
  device: number[];
  period: number[];
  /** End of the period (or of the run), s: when the phone uploads it. */
  end: number[];
  monitored: number[];
  triggers: number[];
  noiseFloor: number[];
  rmsP50: number[];
  bands: number[][];
  context: number[];
  charging: number[];
  battery: number[];
  thermal: number[];
  firmware: number[];
  model: number[];
  phone: number[];
  x: number[];
  y: number[];
}

export const emptyTelemetryRows = (): TelemetryRows => ({
  device: [], period: [], end: [], monitored: [], triggers: [], noiseFloor: [], rmsP50: [], bands: BANDS.map(() => []),
  context: [], charging: [], battery: [], thermal: [], firmware: [], model: [], phone: [], x: [], y: [],
});

/** The q-quantile of a log-RMS histogram, in mg (interpolated within its bin); NaN when empty. */
export function histogramQuantile(h: ArrayLike<number>, offset: number, q: number): number {
  let total = 0;
  for (let i = 0; i < RMS_BINS; i++) total += h[offset + i]!;
  if (total === 0) return NaN;
  const target = q * total;
  let acc = 0;
  for (let i = 0; i < RMS_BINS; i++) {
    const c = h[offset + i]!;
    if (c > 0 && acc + c >= target) return 10 ** (RMS_LOG_MIN + RMS_BIN * (i + (target - acc) / c));
    acc += c;
  }
  return 10 ** (RMS_LOG_MIN + RMS_BIN * RMS_BINS);
}

/** Cosine and sine tables of an n-point DFT, bins 0..n/2 (cached by n). */
const twiddles = new Map<number, { cos: Float64Array; sin: Float64Array }>();
function twiddlesOf(n: number) {
  let t = twiddles.get(n);
  if (!t) {
    const cos = new Float64Array(n), sin = new Float64Array(n);
    for (let k = 0; k < n; k++) { cos[k] = Math.cos((2 * Math.PI * k) / n); sin[k] = Math.sin((2 * Math.PI * k) / n); }
    twiddles.set(n, (t = { cos, sin }));
  }
  return t;
}

/**
 * The RMS of one tick's accelerometer magnitude about its mean, mg; `scratch` keeps the de-meaned
 * magnitude (mg) for bandPowers.
 */
export function tickRms(ax: Float32Array, ay: Float32Array, az: Float32Array, n: number, scratch: Float64Array): number {
  let mean = 0;
  for (let k = 0; k < n; k++) { const m = Math.sqrt(ax[k]! * ax[k]! + ay[k]! * ay[k]! + az[k]! * az[k]!); scratch[k] = m; mean += m; }
  mean /= n;
  let ss = 0;
  for (let k = 0; k < n; k++) { const v = (scratch[k]! - mean) / 9.80665e-3; scratch[k] = v; ss += v * v; }
  return Math.sqrt(ss / n);
}

/** Power of the de-meaned magnitude in `scratch` (n samples at fs) in each band, mg² (one-sided DFT); fills `bandPower`. */
export function bandPowers(scratch: Float64Array, n: number, fs: number, bandPower: Float64Array): void {
  const { cos, sin } = twiddlesOf(n);
  bandPower.fill(0);
  const df = fs / n;
  for (let b = 0; b < BANDS.length; b++) {
    const [lo, hi] = BANDS[b]!;
    for (let j = Math.max(1, Math.ceil(lo / df - 1e-9)); j * df < hi - 1e-9 && 2 * j < n; j++) {
      let re = 0, im = 0;
      for (let k = 0, idx = 0; k < n; k++) {
        re += scratch[k]! * cos[idx]!; im -= scratch[k]! * sin[idx]!;
        idx += j; if (idx >= n) idx -= n;
      }
      bandPower[b] += (2 * (re * re + im * im)) / (n * n);
    }
  }
}

/** Band energies are computed on one tick in this many (per device, at a fixed phase): an hour's mean needs no more, and the DFT is the stage's main cost. */
export const BAND_EVERY = 10;

/** Accumulates one device's period and writes a row when it ends (worker side). */
export class TelemetryRecorder {
  readonly rows = emptyTelemetryRows();
  private scratch = new Float64Array(1024);
  private readonly bandPower = new Float64Array(BANDS.length);
  private readonly period: Int32Array;
  private readonly ticks: Uint32Array;
  private readonly monitored: Float64Array;
  private readonly hist: Uint32Array;
  private readonly band: Float64Array;
  private readonly bandTicks: Uint32Array;
  private readonly triggers: Uint32Array;
  private readonly contextS: Float32Array;
  private readonly chargingS: Float32Array;
  private readonly battery: Float32Array;
  private readonly thermal: Uint8Array;

  constructor(private readonly o: { columns: import('../core/columns.js').ColumnSet; every: number; batteryKey: number }) {
    const c = o.columns;
    this.period = c.i32('tel.period'); this.ticks = c.u32('tel.ticks'); this.monitored = c.f64('tel.monitored_s');
    this.hist = c.u32('tel.rms_hist'); this.band = c.f64('tel.band_db'); this.bandTicks = c.u32('tel.band_ticks'); this.triggers = c.u32('tel.triggers');
    this.contextS = c.f32('tel.context_s'); this.chargingS = c.f32('tel.charging_s'); this.battery = c.f32('tel.battery'); this.thermal = c.u8('tel.thermal');
  }

  /** A trigger device d sent (counted into its current period). */
  countTrigger(d: number): void {
    this.triggers[d]!++;
  }

  /**
   * One tick [t0, t1) of device d: its context and charging state, whether it monitored, and (when it
   * did) its accelerometer samples.
   */
  tick(d: number, i: number, t0: number, t1: number, context: number, charging: boolean, monitoring: boolean, samples: { ax: Float32Array; ay: Float32Array; az: Float32Array; n: number; fs: number } | undefined): void {
    const dt = t1 - t0;
    if (this.period[d]! < 0) this.period[d] = Math.floor(t0 / this.o.every + 1e-9);
    if (Number.isNaN(this.battery[d]!)) this.battery[d] = 0.3 + 0.7 * stableUniform(this.o.batteryKey, d, 0);
    this.contextS[PHONE_CONTEXTS.length * d + context]! += dt;
    const inBag = PHONE_CONTEXTS[context] === 'pocket' || PHONE_CONTEXTS[context] === 'bag';
    if (charging) {
      this.chargingS[d]! += dt;
      this.battery[d] = Math.min(1, this.battery[d]! + CHARGE_PER_S * dt);
      const th = inBag ? 2 : 1;
      if (th > this.thermal[d]!) this.thermal[d] = th;
    } else {
      this.battery[d] = Math.max(0, this.battery[d]! - (IDLE_PER_S + (monitoring ? MONITOR_PER_S : 0)) * dt);
    }
    if (!monitoring) return;
    this.monitored[d]! += dt;
    if (!samples || samples.n < 4) return;
    if (this.scratch.length < samples.n) this.scratch = new Float64Array(samples.n);
    const rms = tickRms(samples.ax, samples.ay, samples.az, samples.n, this.scratch);
    const bin = rms > 0 ? Math.min(RMS_BINS - 1, Math.max(0, Math.floor((Math.log10(rms) - RMS_LOG_MIN) / RMS_BIN))) : 0;
    this.hist[RMS_BINS * d + bin]!++;
    this.ticks[d]!++;
    if ((i + d) % BAND_EVERY !== 0) return;
    bandPowers(this.scratch, samples.n, samples.fs, this.bandPower);
    for (let b = 0; b < BANDS.length; b++) this.band[BANDS.length * d + b]! += 10 * Math.log10(Math.max(this.bandPower[b]!, 1e-12));
    this.bandTicks[d]!++;
  }

  /** Whether device d's period ends with the tick ending at t1 (or the run does). */
  ends(d: number, t1: number, last: boolean): boolean {
    return last || Math.floor(t1 / this.o.every + 1e-9) > this.period[d]!;
  }

  /** Writes device d's row for its current period, ending at `end`, and starts the next period. */
  flush(d: number, end: number, labels: { phone: number; firmware: number; model: number; x: number; y: number }): void {
    const r = this.rows, ticks = this.ticks[d]!, C = PHONE_CONTEXTS.length;
    let ctx = 0;
    for (let c = 1; c < C; c++) if (this.contextS[C * d + c]! > this.contextS[C * d + ctx]!) ctx = c;
    r.device.push(d); r.period.push(this.period[d]!); r.end.push(end);
    r.monitored.push(this.monitored[d]!); r.triggers.push(this.triggers[d]!);
    r.noiseFloor.push(ticks ? histogramQuantile(this.hist, RMS_BINS * d, 0.1) : NaN);
    r.rmsP50.push(ticks ? histogramQuantile(this.hist, RMS_BINS * d, 0.5) : NaN);
    const bt = this.bandTicks[d]!;
    BANDS.forEach((_, b) => r.bands[b]!.push(bt ? this.band[BANDS.length * d + b]! / bt : NaN));
    r.context.push(ctx); r.charging.push(this.chargingS[d]!); r.battery.push(this.battery[d]!); r.thermal.push(this.thermal[d]!);
    r.firmware.push(labels.firmware); r.model.push(labels.model); r.phone.push(labels.phone); r.x.push(labels.x); r.y.push(labels.y);
    // The next period.
    this.period[d] = Math.floor(end / this.o.every + 1e-9);
    this.ticks[d] = 0; this.bandTicks[d] = 0; this.monitored[d] = 0; this.triggers[d] = 0; this.chargingS[d] = 0; this.thermal[d] = 0;
    this.hist.fill(0, RMS_BINS * d, RMS_BINS * (d + 1));
    this.band.fill(0, BANDS.length * d, BANDS.length * (d + 1));
    this.contextS.fill(0, C * d, C * (d + 1));
  }
}
