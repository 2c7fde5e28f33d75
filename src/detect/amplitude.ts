/**
 * The cheapest trigger: high-passed acceleration (norm of the three axes) at or above a threshold.
 * It re-arms once the amplitude has stayed below the threshold for `rearm` seconds. Messages are as
 * the STA/LTA trigger sends them (ratio = amplitude / threshold). Mostly used as the gate of a
 * two-stage detector, where a model decides what the amplitude alone cannot.
 */
import * as z from 'zod';
import { G } from '../core/units.js';
import type { ColumnSpec } from '../core/columns.js';
import { duration } from '../plugin/fields.js';
import type { DetectorPlugin, DetectorRuntime, DetectorSink, SensorBlock, DetectorContext } from '../plugin/index.js';
import { HighpassBank, primeHighpass } from './sta-lta.js';
import { DeviceThreshold, thresholdG } from './threshold.js';

export const amplitudeSchema = z.strictObject({
  type: z.literal('amplitude'),
  highpass_hz: z.number().positive().default(1).describe('High-pass corner applied to each axis before the norm, Hz.'),
  min_amplitude_g: thresholdG().default(0.01).describe('Trigger threshold on the high-passed norm, g: one value, or `{median, sigma}` drawn per phone.'),
  rearm: duration({ positive: true }).default(5).describe('Quiet time below the threshold before the next trigger, s.'),
  max_duration: duration({ positive: true }).default(30).describe('Longest trigger before it is closed, s.'),
  update_every: duration({ positive: true }).default(1).describe('Shortest gap between two messages of one trigger, s.'),
  update_growth: z.number().min(0).default(0.1).describe('Relative growth of the peak amplitude that warrants an update (0.1: 10 %).'),
  settle: duration({ min: 0 }).default(1).describe('Samples ignored after the phone starts monitoring, s.'),
});

export type AmplitudeConfig = z.output<typeof amplitudeSchema>;

export class AmplitudeRuntime implements DetectorRuntime {
  private readonly hp: HighpassBank;
  private readonly thr: DeviceThreshold;
  private readonly filter: Float64Array;
  private readonly count: Float64Array;
  private readonly on: Uint8Array;
  private readonly onset: Float64Array;
  private readonly lastLoud: Float64Array;
  private readonly lastSent: Float64Array;
  private readonly sentPeak: Float32Array;
  private readonly peak: Float32Array;

  constructor(private readonly c: AmplitudeConfig, ctx: DetectorContext) {
    const col = ctx.columns, p = ctx.prefix;
    this.hp = new HighpassBank(c.highpass_hz);
    this.thr = new DeviceThreshold(c.min_amplitude_g, ctx.seed, `${p}threshold`);
    this.filter = col.f64(p + 'filter');
    this.count = col.f64(p + 'count');
    this.on = col.u8(p + 'on');
    this.onset = col.f64(p + 'onset');
    this.lastLoud = col.f64(p + 'last_loud');
    this.lastSent = col.f64(p + 'last_sent');
    this.sentPeak = col.f32(p + 'sent_peak');
    this.peak = col.f32(p + 'peak');
  }

  /** Peak amplitude (m/s²) and amplitude/threshold of device d's current (or last) trigger. */
  peakOf(d: number): { amplitude: number; ratio: number } {
    return { amplitude: this.peak[d]!, ratio: this.peak[d]! / (this.thr.of(d) * G) };
  }

  reset(d: number): void {
    this.filter.fill(0, d * 6, d * 6 + 6);
    this.count[d] = 0;
    this.on[d] = 0;
    this.peak[d] = 0;
  }

  process(d: number, b: SensorBlock, out: DetectorSink): void {
    const c = this.c, fs = b.fs;
    const { b0, b1, b2, a1, a2 } = this.hp.at(fs);
    const thr = this.thr.of(d) * G, thr2 = thr * thr;
    const settle = Math.round(c.settle * fs);
    const st = this.filter, so = d * 6;
    if (this.count[d] === 0 && b.n > 0) primeHighpass(st, so, this.hp.at(fs), b.ax[0]!, b.ay[0]!, b.az[0]!);
    let x1 = st[so]!, x2 = st[so + 1]!, y1 = st[so + 2]!, y2 = st[so + 3]!, z1 = st[so + 4]!, z2 = st[so + 5]!;
    let on = this.on[d]!, peak = this.peak[d]!, count = this.count[d]!;
    for (let i = 0; i < b.n; i++) {
      let v = b.ax[i]!;
      const hx = b0 * v + x1; x1 = b1 * v - a1 * hx + x2; x2 = b2 * v - a2 * hx;
      v = b.ay[i]!;
      const hy = b0 * v + y1; y1 = b1 * v - a1 * hy + y2; y2 = b2 * v - a2 * hy;
      v = b.az[i]!;
      const hz = b0 * v + z1; z1 = b1 * v - a1 * hz + z2; z2 = b2 * v - a2 * hz;
      if (count++ < settle) continue;
      const a2n = hx * hx + hy * hy + hz * hz;
      const t = (b.k0 + i) / fs;
      if (a2n >= thr2) this.lastLoud[d] = t;
      if (!on) {
        if (a2n < thr2) continue;
        on = 1;
        peak = Math.sqrt(a2n);
        this.onset[d] = t;
        this.lastSent[d] = t;
        this.sentPeak[d] = peak;
        out.emit({ device: d, kind: 'trigger', time: t, deviceTime: t, onsetDeviceTime: t, amplitude: peak, ratio: peak / thr, x: NaN, y: NaN, monitoring: 1 });
        continue;
      }
      const a = Math.sqrt(a2n);
      if (a > peak) peak = a;
      const onset = this.onset[d]!;
      const ended = t - this.lastLoud[d]! >= c.rearm || t - onset >= c.max_duration;
      const grew = peak > this.sentPeak[d]! * (1 + c.update_growth) && t - this.lastSent[d]! >= c.update_every;
      if (ended || grew) {
        out.emit({ device: d, kind: 'update', time: t, deviceTime: t, onsetDeviceTime: onset, amplitude: peak, ratio: peak / thr, x: NaN, y: NaN, monitoring: 1 });
        this.lastSent[d] = t;
        this.sentPeak[d] = peak;
      }
      if (ended) on = 0;
    }
    st[so] = x1; st[so + 1] = x2; st[so + 2] = y1; st[so + 3] = y2; st[so + 4] = z1; st[so + 5] = z2;
    this.on[d] = on;
    this.peak[d] = peak;
    this.count[d] = count;
  }
}

export const AMPLITUDE_COLUMNS: ColumnSpec[] = [
  { name: 'filter', type: 'f64', width: 6 },
  { name: 'count', type: 'f64' },
  { name: 'on', type: 'u8' },
  { name: 'onset', type: 'f64' },
  { name: 'last_loud', type: 'f64' },
  { name: 'last_sent', type: 'f64' },
  { name: 'sent_peak', type: 'f32' },
  { name: 'peak', type: 'f32' },
];

export const amplitude: DetectorPlugin<AmplitudeConfig> = {
  type: 'amplitude',
  summary: 'Triggers when the high-passed acceleration exceeds a per-phone threshold (MyShake-style 0.01 g)',
  reads: [],
  /** Three high-pass biquads (5 each), the norm and the comparison. */
  cost: () => ({ macsPerSample: 19, windowsPerSecond: 0 }),
  schema: amplitudeSchema,
  columns: () => AMPLITUDE_COLUMNS,
  create: (det, ctx) => new AmplitudeRuntime(det.config as AmplitudeConfig, ctx),
};
