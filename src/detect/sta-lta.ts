/**
 * On-device STA/LTA trigger, as MyShake-class phones run it.
 *
 * Characteristic function: the squared norm of the three accelerometer axes (or one squared axis)
 * after a high-pass that removes gravity and slow tilt (a 2nd-order Butterworth, or a one-pole RC). The STA/LTA ratio is
 * ObsPy's classic or recursive one (sta-lta-core.ts). A trigger needs ratio > on_ratio and the
 * high-passed amplitude at or above the phone's threshold (fixed, or drawn per phone around 0.01 g
 * as MyShake did); with `min_duration` it must also stay above on_ratio that long before the phone
 * reports it (a knock's ratio falls back within a second; an earthquake's does not). It ends when the ratio falls below off_ratio or after max_duration. The device sends a
 * `trigger` message (trigger time by its own clock, peak amplitude, ratio) and `update` messages when
 * the peak has grown (at most one per update_every) and at the end.
 */
import * as z from 'zod';
import { G } from '../core/units.js';
import { highpass, type Biquad } from '../core/biquad.js';
import type { ColumnSpec } from '../core/columns.js';
import { duration } from '../plugin/fields.js';
import type { DetectorPlugin, DetectorRuntime, DetectorSink, ResolvedDetector, SensorBlock, DetectorContext } from '../plugin/index.js';
import { StaLtaStream } from './sta-lta-core.js';
import { DeviceThreshold, thresholdG } from './threshold.js';

export const staLtaSchema = z
  .strictObject({
    type: z.literal('sta-lta'),
    method: z.enum(['recursive', 'classic']).default('recursive').describe('`recursive` (cheap, as phones run it) or `classic` (moving windows; keeps lta × rate samples per phone).'),
    channel: z.enum(['norm', 'x', 'y', 'z']).default('norm').describe('What the ratio is computed on: the norm of the three high-passed axes, or one axis.'),
    highpass_hz: z.number().positive().default(1).describe('High-pass corner applied to each axis before the characteristic function, Hz.'),
    highpass_order: z.union([z.literal(1), z.literal(2)], { error: 'expected 1 (a one-pole RC high-pass) or 2 (a Butterworth biquad)' }).default(2).describe('2: a Butterworth biquad (default); 1: a one-pole RC high-pass, y ← a·(y + x − x_prev) with a = RC/(RC + 1/fs), cheaper and what simple phone triggers run.'),
    sta: duration({ positive: true }).default(0.5).describe('Short-term average window, s.'),
    lta: duration({ positive: true }).default(10).describe('Long-term average window, s.'),
    on_ratio: z.number().gt(1).default(4).describe('STA/LTA ratio at which a trigger starts (dimensionless).'),
    off_ratio: z.number().positive().default(1.5).describe('STA/LTA ratio under which a trigger ends (dimensionless).'),
    min_amplitude_g: thresholdG().default(0.01).describe('Minimum high-passed acceleration at trigger, g: one value, or `{median, sigma}` drawn per phone.'),
    min_duration: duration({ min: 0 }).default(0).describe('The ratio must stay above on_ratio this long before the phone reports the trigger (rejects knocks), s.'),
    max_duration: duration({ positive: true }).default(30).describe('Longest trigger before it is closed, s.'),
    update_every: duration({ positive: true }).default(1).describe('Shortest gap between two messages of one trigger, s.'),
    update_growth: z.number().min(0).default(0.1).describe('Relative growth of the peak amplitude that warrants an update.'),
  })
  .superRefine((c, ctx) => {
    if (c.sta >= c.lta) ctx.addIssue({ code: 'custom', path: ['sta'], message: `expected the STA window to be shorter than the LTA window (${c.lta} s), found ${c.sta} s`, input: c.sta });
    if (c.off_ratio >= c.on_ratio) ctx.addIssue({ code: 'custom', path: ['off_ratio'], message: `expected off_ratio below on_ratio (${c.on_ratio}), found ${c.off_ratio}`, input: c.off_ratio });
  });

export type StaLtaConfig = z.output<typeof staLtaSchema>;

const enum State { Off = 0, Pending = 1, On = 2 }

const CHANNEL = { norm: 0, x: 1, y: 2, z: 3 } as const;

/**
 * Starts a device's three high-pass filters (transposed direct form II) in the steady state of a
 * constant input equal to the first sample: gravity then gives no start-up transient, which would
 * otherwise linger in the LTA for tens of seconds after every (re)start of monitoring.
 */
export function primeHighpass(st: Float64Array, so: number, f: Biquad, x: number, y: number, z: number): void {
  [x, y, z].forEach((v, k) => {
    st[so + 2 * k] = (f.b1 + f.b2) * v;
    st[so + 2 * k + 1] = f.b2 * v;
  });
}

/** High-pass filters per sample rate (phones of a run may differ). */
export class HighpassBank {
  private readonly filters = new Map<number, Biquad>();
  constructor(private readonly cornerHz: number) {}
  at(fs: number): Biquad {
    let f = this.filters.get(fs);
    if (!f) this.filters.set(fs, (f = highpass(Math.min(this.cornerHz, 0.45 * fs), fs)));
    return f;
  }
}

export class StaLtaRuntime implements DetectorRuntime {
  private readonly c: StaLtaConfig;
  private readonly hp: HighpassBank;
  private readonly core: StaLtaStream;
  private readonly thr: DeviceThreshold;
  private readonly filter: Float64Array;
  private readonly on: Uint8Array;
  private readonly onset: Float64Array;
  private readonly lastSent: Float64Array;
  private readonly sentPeak: Float32Array;
  private readonly peak: Float32Array;
  private readonly peakRatio: Float32Array;
  /** 0: norm, 1–3: one axis. */
  private readonly ch: number;
  /** Sample rate the windows and the one-pole coefficient below are for. */
  private fsFor = NaN;
  private nsta = 1;
  private nlta = 2;
  private pa = 0;

  constructor(c: StaLtaConfig, ctx: DetectorContext) {
    this.c = c;
    this.ch = CHANNEL[c.channel];
    const col = ctx.columns, p = ctx.prefix;
    this.hp = new HighpassBank(c.highpass_hz);
    this.core = new StaLtaStream(c.method, col, p);
    this.thr = new DeviceThreshold(c.min_amplitude_g, ctx.seed, `${p}threshold`);
    this.filter = col.f64(p + 'filter');
    this.on = col.u8(p + 'on');
    this.onset = col.f64(p + 'onset');
    this.lastSent = col.f64(p + 'last_sent');
    this.sentPeak = col.f32(p + 'sent_peak');
    this.peak = col.f32(p + 'peak');
    this.peakRatio = col.f32(p + 'peak_ratio');
  }

  /** Peak amplitude (m/s²) and ratio of device d's current (or last) trigger. */
  peakOf(d: number): { amplitude: number; ratio: number } {
    return { amplitude: this.peak[d]!, ratio: this.peakRatio[d]! };
  }

  reset(d: number): void {
    this.filter.fill(0, d * 6, d * 6 + 6);
    this.core.reset(d);
    this.on[d] = 0;
    this.peak[d] = 0;
    this.peakRatio[d] = 0;
  }

  process(d: number, b: SensorBlock, out: DetectorSink): void {
    const c = this.c, fs = b.fs, k0 = b.k0, n = b.n, ax = b.ax, ay = b.ay, az = b.az;
    const { b0, b1, b2, a1, a2 } = this.hp.at(fs);
    if (fs !== this.fsFor) {
      const rc = 1 / (2 * Math.PI * c.highpass_hz);
      this.fsFor = fs; this.pa = rc / (rc + 1 / fs);
      this.nsta = Math.max(1, Math.round(c.sta * fs)); this.nlta = Math.max(2, Math.round(c.lta * fs));
    }
    const onePole = c.highpass_order === 1, pa = this.pa;
    const core = this.core;
    core.load(d, this.nsta, this.nlta);
    const minAmp = this.thr.of(d) * G, minAmp2 = minAmp * minAmp;
    const st = this.filter, so = d * 6;
    if (core.samples === 0 && n > 0) {
      // Steady state of a constant input equal to the first sample (no start-up transient).
      if (onePole) { st[so] = 0; st[so + 1] = ax[0]!; st[so + 2] = 0; st[so + 3] = ay[0]!; st[so + 4] = 0; st[so + 5] = az[0]!; }
      else primeHighpass(st, so, this.hp.at(fs), ax[0]!, ay[0]!, az[0]!);
    }
    let x1 = st[so]!, x2 = st[so + 1]!, y1 = st[so + 2]!, y2 = st[so + 3]!, z1 = st[so + 4]!, z2 = st[so + 5]!;
    let on = this.on[d]! as State, peak = this.peak[d]!, peakRatio = this.peakRatio[d]!;
    // The recursive method runs inline on locals (the same arithmetic as StaLtaStream.step), the
    // classic one through the stream. ch: 0 norm, 1–3 one axis.
    const rec = core.method === 'recursive', ch = this.ch;
    const cs = core.cs, ics = core.ics, cl = core.cl, icl = core.icl, nl = core.nl, onRatio = c.on_ratio, onSafe = onRatio * (1 - 1e-9);
    let s = core.s, l = core.l, ci = core.i;
    // Filter state: biquad (z1, z2) per axis, or one-pole (y, x_prev) per axis, in the same slots.
    let i = 0;
    if (rec && ch === 0 && on === State.Off && ci >= nl) {
      // The common case, a quiet phone with the recursive ratio warmed up, in a tight loop: the same
      // arithmetic as the general loop below, which takes over at the first sample that might trigger.
      for (; i < n; i++) {
        let hx: number, hy: number, hz: number;
        const vx = ax[i]!, vy = ay[i]!, vz = az[i]!;
        if (onePole) {
          hx = pa * (x1 + vx - x2); hy = pa * (y1 + vy - y2); hz = pa * (z1 + vz - z2);
        } else {
          hx = b0 * vx + x1; hy = b0 * vy + y1; hz = b0 * vz + z1;
        }
        const cf = hx * hx + hy * hy + hz * hz;
        const s1 = cs * cf + ics * s, l1 = cl * cf + icl * l;
        if (s1 > onSafe * l1) break; // leave this sample, unprocessed, to the general loop
        if (onePole) { x1 = hx; x2 = vx; y1 = hy; y2 = vy; z1 = hz; z2 = vz; }
        else {
          x1 = b1 * vx - a1 * hx + x2; x2 = b2 * vx - a2 * hx;
          y1 = b1 * vy - a1 * hy + y2; y2 = b2 * vy - a2 * hy;
          z1 = b1 * vz - a1 * hz + z2; z2 = b2 * vz - a2 * hz;
        }
        s = s1; l = l1; ci++;
      }
    }
    for (; i < n; i++) {
      let hx: number, hy: number, hz: number;
      if (onePole) {
        let v = ax[i]!;
        hx = x1 = pa * (x1 + v - x2); x2 = v;
        v = ay[i]!;
        hy = y1 = pa * (y1 + v - y2); y2 = v;
        v = az[i]!;
        hz = z1 = pa * (z1 + v - z2); z2 = v;
      } else {
        let v = ax[i]!;
        hx = b0 * v + x1; x1 = b1 * v - a1 * hx + x2; x2 = b2 * v - a2 * hx;
        v = ay[i]!;
        hy = b0 * v + y1; y1 = b1 * v - a1 * hy + y2; y2 = b2 * v - a2 * hy;
        v = az[i]!;
        hz = b0 * v + z1; z1 = b1 * v - a1 * hz + z2; z2 = b2 * v - a2 * hz;
      }
      const cf = ch === 0 ? hx * hx + hy * hy + hz * hz : ch === 1 ? hx * hx : ch === 2 ? hy * hy : hz * hz;
      let ratio = 0;
      if (rec) {
        const i0 = ci++;
        if (i0 === 0) { if (on === State.Off) continue; } // ObsPy starts at the second sample
        else {
          s = cs * cf + ics * s; l = cl * cf + icl * l;
          // While off, most samples end here: s ≤ on_ratio·l (with a margin of rounding) needs no division.
          if (on === State.Off && (i0 < nl || s <= onSafe * l)) continue;
          if (i0 >= nl) ratio = s / l;
        }
      } else ratio = core.step(cf);
      if (on === State.Off && !(ratio > onRatio)) continue;
      const t = (k0 + i) / fs;
      if (on === State.Off) {
        if (cf >= minAmp2) {
          on = State.Pending;
          peak = Math.sqrt(cf);
          peakRatio = ratio;
          this.onset[d] = t;
        }
      } else {
        const a = Math.sqrt(cf);
        if (a > peak) peak = a;
        if (ratio > peakRatio) peakRatio = ratio;
      }
      const onset = this.onset[d]!;
      if (on === State.Pending) {
        if (ratio <= c.on_ratio) { on = State.Off; continue; }
        if (t - onset >= c.min_duration) {
          on = State.On;
          this.lastSent[d] = t;
          this.sentPeak[d] = peak;
          out.emit({ device: d, kind: 'trigger', time: t, deviceTime: t, onsetDeviceTime: onset, amplitude: peak, ratio: peakRatio, x: NaN, y: NaN, monitoring: 1 });
        }
        continue;
      }
      if (on === State.On) {
        const ended = ratio < c.off_ratio || t - onset >= c.max_duration;
        const grew = peak > this.sentPeak[d]! * (1 + c.update_growth) && t - this.lastSent[d]! >= c.update_every;
        if (ended || grew) {
          out.emit({ device: d, kind: 'update', time: t, deviceTime: t, onsetDeviceTime: onset, amplitude: peak, ratio: peakRatio, x: NaN, y: NaN, monitoring: 1 });
          this.lastSent[d] = t;
          this.sentPeak[d] = peak;
        }
        if (ended) on = State.Off;
      }
    }
    if (rec) core.setRecursive(s, l, ci);
    core.store(d);
    st[so] = x1; st[so + 1] = x2; st[so + 2] = y1; st[so + 3] = y2; st[so + 4] = z1; st[so + 5] = z2;
    this.on[d] = on;
    this.peak[d] = peak; this.peakRatio[d] = peakRatio;
  }
}

/** Longest LTA in samples over the phones that run this detector. */
const maxLtaSamples = (lta: number, phones: readonly { accelerometer: { rate_hz: number } }[]) =>
  Math.max(2, ...phones.map((p) => Math.round(lta * p.accelerometer.rate_hz)));

export function staLtaColumns(c: StaLtaConfig, phones: readonly { accelerometer: { rate_hz: number } }[]): ColumnSpec[] {
  return [
    ...StaLtaStream.columns(c.method, maxLtaSamples(c.lta, phones)),
    { name: 'filter', type: 'f64', width: 6 },
    { name: 'on', type: 'u8' },
    { name: 'onset', type: 'f64' },
    { name: 'last_sent', type: 'f64' },
    { name: 'sent_peak', type: 'f32' },
    { name: 'peak', type: 'f32' },
    { name: 'peak_ratio', type: 'f32' },
  ];
}

export const staLta: DetectorPlugin<StaLtaConfig> = {
  type: 'sta-lta',
  summary: 'STA/LTA trigger on the high-passed acceleration (ObsPy classic or recursive), with a per-phone amplitude floor',
  reads: [],
  /** Three high-pass biquads (5 each) or one-pole filters (1 each), the norm, the two averages and the ratio. */
  cost: (det) => ({ macsPerSample: (det.config as StaLtaConfig).highpass_order === 1 ? 12 : 24, windowsPerSecond: 0 }),
  schema: staLtaSchema,
  columns: (det: ResolvedDetector, _rows, phones) => staLtaColumns(det.config as StaLtaConfig, phones),
  create: (det, ctx) => new StaLtaRuntime(det.config as StaLtaConfig, ctx),
};
