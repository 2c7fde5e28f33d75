/**
 * On-device STA/LTA trigger, as MyShake-class phones run it.
 *
 * Characteristic function: the squared norm of the three accelerometer axes (or one squared axis)
 * after a 2nd-order Butterworth high-pass that removes gravity and slow tilt. The STA/LTA ratio is
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
    /** `recursive` (cheap, as phones run it) or `classic` (moving windows; keeps lta × rate samples per phone). */
    method: z.enum(['recursive', 'classic']).default('recursive'),
    /** What the ratio is computed on: the norm of the three high-passed axes, or one axis. */
    channel: z.enum(['norm', 'x', 'y', 'z']).default('norm'),
    /** High-pass corner applied to each axis before the characteristic function, Hz. */
    highpass_hz: z.number().positive().default(1),
    sta: duration({ positive: true }).default(0.5),
    lta: duration({ positive: true }).default(10),
    on_ratio: z.number().gt(1).default(4),
    off_ratio: z.number().positive().default(1.5),
    /** Minimum high-passed acceleration at trigger, g: one value, or `{median, sigma}` drawn per phone. */
    min_amplitude_g: thresholdG().default(0.01),
    /** The ratio must stay above on_ratio this long before the phone reports the trigger (rejects knocks), s. */
    min_duration: duration({ min: 0 }).default(0),
    /** Longest trigger before it is closed, s. */
    max_duration: duration({ positive: true }).default(30),
    /** Shortest gap between two messages of one trigger, s. */
    update_every: duration({ positive: true }).default(1),
    /** Relative growth of the peak amplitude that warrants an update. */
    update_growth: z.number().min(0).default(0.1),
  })
  .superRefine((c, ctx) => {
    if (c.sta >= c.lta) ctx.addIssue({ code: 'custom', path: ['sta'], message: `expected the STA window to be shorter than the LTA window (${c.lta} s), found ${c.sta} s`, input: c.sta });
    if (c.off_ratio >= c.on_ratio) ctx.addIssue({ code: 'custom', path: ['off_ratio'], message: `expected off_ratio below on_ratio (${c.on_ratio}), found ${c.off_ratio}`, input: c.off_ratio });
  });

export type StaLtaConfig = z.output<typeof staLtaSchema>;

const enum State { Off = 0, Pending = 1, On = 2 }

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

  constructor(c: StaLtaConfig, ctx: DetectorContext) {
    this.c = c;
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
    const core = this.core;
    core.load(d, Math.max(1, Math.round(c.sta * fs)), Math.max(2, Math.round(c.lta * fs)));
    const minAmp = this.thr.of(d) * G, minAmp2 = minAmp * minAmp;
    const channel = c.channel;
    const st = this.filter, so = d * 6;
    if (core.samples === 0 && n > 0) primeHighpass(st, so, this.hp.at(fs), ax[0]!, ay[0]!, az[0]!);
    let x1 = st[so]!, x2 = st[so + 1]!, y1 = st[so + 2]!, y2 = st[so + 3]!, z1 = st[so + 4]!, z2 = st[so + 5]!;
    let on = this.on[d]! as State, peak = this.peak[d]!, peakRatio = this.peakRatio[d]!;
    for (let i = 0; i < n; i++) {
      let v = ax[i]!;
      const hx = b0 * v + x1; x1 = b1 * v - a1 * hx + x2; x2 = b2 * v - a2 * hx;
      v = ay[i]!;
      const hy = b0 * v + y1; y1 = b1 * v - a1 * hy + y2; y2 = b2 * v - a2 * hy;
      v = az[i]!;
      const hz = b0 * v + z1; z1 = b1 * v - a1 * hz + z2; z2 = b2 * v - a2 * hz;
      const cf = channel === 'norm' ? hx * hx + hy * hy + hz * hz : channel === 'x' ? hx * hx : channel === 'y' ? hy * hy : hz * hz;
      const ratio = core.step(cf);
      if (ratio === 0 && on === State.Off) continue;
      const t = (k0 + i) / fs;
      if (on === State.Off) {
        if (ratio > c.on_ratio && cf >= minAmp2) {
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
  /** Three high-pass biquads (5 each), the norm, the two averages and the ratio. */
  cost: () => ({ macsPerSample: 24, windowsPerSecond: 0 }),
  schema: staLtaSchema,
  columns: (det: ResolvedDetector, _rows, phones) => staLtaColumns(det.config as StaLtaConfig, phones),
  create: (det, ctx) => new StaLtaRuntime(det.config as StaLtaConfig, ctx),
};
