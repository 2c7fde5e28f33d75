/**
 * On-device STA/LTA trigger on high-passed acceleration, as MyShake-class phones run it.
 *
 * Characteristic function: the squared norm of the three accelerometer axes after a 2nd-order
 * Butterworth high-pass (removes gravity and slow tilt). Recursive STA/LTA (Withers et al. 1998;
 * ObsPy `recursive_sta_lta`): sta += (cf − sta)/n_sta, lta += (cf − lta)/n_lta, no trigger during
 * the first n_lta samples. A trigger needs ratio > on_ratio and the high-passed amplitude at or
 * above min_amplitude_g (MyShake used about 0.01 g); it ends when the ratio falls below
 * off_ratio or after max_duration. The device sends a `trigger` message at onset and `update`
 * messages when the peak amplitude has grown (at most one per update_every) and at the end.
 */
import * as z from 'zod';
import { G } from '../core/units.js';
import { highpass, type Biquad } from '../core/biquad.js';
import type { ColumnSpec } from '../core/columns.js';
import { duration } from '../scenario/fields.js';
import type { DetectorPlugin, DetectorRuntime, Emit, StageContext } from '../engine/types.js';

export const staLtaSchema = z
  .strictObject({
    type: z.literal('sta-lta'),
    /** High-pass corner applied to each axis before the characteristic function, Hz. */
    highpass_hz: z.number().positive().default(1),
    sta: duration({ positive: true }).default(0.5),
    lta: duration({ positive: true }).default(10),
    on_ratio: z.number().gt(1).default(4),
    off_ratio: z.number().positive().default(1.5),
    /** Minimum high-passed acceleration at trigger, g. */
    min_amplitude_g: z.number().min(0).default(0.01),
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

class StaLtaRuntime implements DetectorRuntime {
  private readonly c: StaLtaConfig;
  private readonly hp = new Map<number, Biquad>();
  private readonly filter: Float64Array;
  private readonly sta: Float64Array;
  private readonly lta: Float64Array;
  private readonly count: Uint32Array;
  private readonly on: Uint8Array;
  private readonly onset: Float64Array;
  private readonly lastSent: Float64Array;
  private readonly sentPeak: Float32Array;
  private readonly peak: Float32Array;
  private readonly peakRatio: Float32Array;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly minAmp2: number;

  constructor(c: StaLtaConfig, ctx: StageContext) {
    this.c = c;
    const col = ctx.columns, p = ctx.prefix;
    this.filter = col.f64(p + 'filter');
    this.sta = col.f64(p + 'sta');
    this.lta = col.f64(p + 'lta');
    this.count = col.u32(p + 'count');
    this.on = col.u8(p + 'on');
    this.onset = col.f64(p + 'onset');
    this.lastSent = col.f64(p + 'last_sent');
    this.sentPeak = col.f32(p + 'sent_peak');
    this.peak = col.f32(p + 'peak');
    this.peakRatio = col.f32(p + 'peak_ratio');
    this.x = col.f64('x');
    this.y = col.f64('y');
    const a = c.min_amplitude_g * G;
    this.minAmp2 = a * a;
  }

  reset(d: number): void {
    this.filter.fill(0, d * 6, d * 6 + 6);
    this.sta[d] = 0;
    this.lta[d] = 0;
    this.count[d] = 0;
    this.on[d] = 0;
    this.peak[d] = 0;
    this.peakRatio[d] = 0;
  }

  private filterFor(fs: number): Biquad {
    let f = this.hp.get(fs);
    if (!f) {
      f = highpass(Math.min(this.c.highpass_hz, 0.45 * fs), fs);
      this.hp.set(fs, f);
    }
    return f;
  }

  process(d: number, k0: number, n: number, fs: number, ax: Float32Array, ay: Float32Array, az: Float32Array, emit: Emit): void {
    const c = this.c;
    const f = this.filterFor(fs);
    const nsta = Math.max(1, Math.round(c.sta * fs)), nlta = Math.max(2, Math.round(c.lta * fs));
    const csta = 1 / nsta, clta = 1 / nlta;
    const st = this.filter, so = d * 6;
    let x1 = st[so]!, x2 = st[so + 1]!, y1 = st[so + 2]!, y2 = st[so + 3]!, z1 = st[so + 4]!, z2 = st[so + 5]!;
    let sta = this.sta[d]!, lta = this.lta[d]!, count = this.count[d]!, on = this.on[d]!;
    let peak = this.peak[d]!, peakRatio = this.peakRatio[d]!;
    const { b0, b1, b2, a1, a2 } = f;
    for (let i = 0; i < n; i++) {
      let v = ax[i]!;
      const hx = b0 * v + x1; x1 = b1 * v - a1 * hx + x2; x2 = b2 * v - a2 * hx;
      v = ay[i]!;
      const hy = b0 * v + y1; y1 = b1 * v - a1 * hy + y2; y2 = b2 * v - a2 * hy;
      v = az[i]!;
      const hz = b0 * v + z1; z1 = b1 * v - a1 * hz + z2; z2 = b2 * v - a2 * hz;
      const cf = hx * hx + hy * hy + hz * hz;
      sta += csta * (cf - sta);
      lta += clta * (cf - lta);
      if (count < nlta) {
        count++;
        continue;
      }
      const ratio = lta > 0 ? sta / lta : 0;
      if (on === 0) {
        if (ratio > c.on_ratio && cf >= this.minAmp2) {
          on = 1;
          const t = (k0 + i) / fs;
          peak = Math.sqrt(cf);
          peakRatio = ratio;
          this.onset[d] = t;
          this.lastSent[d] = t;
          this.sentPeak[d] = peak;
          emit({ device: d, kind: 'trigger', time: t, deviceTime: t, onsetDeviceTime: t, amplitude: peak, ratio, x: this.x[d]!, y: this.y[d]!, monitoring: 1 });
        }
      } else {
        const a = Math.sqrt(cf);
        if (a > peak) peak = a;
        if (ratio > peakRatio) peakRatio = ratio;
        const t = (k0 + i) / fs;
        const onset = this.onset[d]!;
        const ended = ratio < c.off_ratio || t - onset >= c.max_duration;
        const grew = peak > this.sentPeak[d]! * (1 + c.update_growth) && t - this.lastSent[d]! >= c.update_every;
        if (ended || grew) {
          emit({ device: d, kind: 'update', time: t, deviceTime: t, onsetDeviceTime: onset, amplitude: peak, ratio: peakRatio, x: this.x[d]!, y: this.y[d]!, monitoring: 1 });
          this.lastSent[d] = t;
          this.sentPeak[d] = peak;
        }
        if (ended) on = 0;
      }
    }
    st[so] = x1; st[so + 1] = x2; st[so + 2] = y1; st[so + 3] = y2; st[so + 4] = z1; st[so + 5] = z2;
    this.sta[d] = sta; this.lta[d] = lta; this.count[d] = count; this.on[d] = on;
    this.peak[d] = peak; this.peakRatio[d] = peakRatio;
  }
}

export const staLta: DetectorPlugin<StaLtaConfig> = {
  type: 'sta-lta',
  schema: staLtaSchema,
  columns: (): ColumnSpec[] => [
    { name: 'filter', type: 'f64', width: 6 },
    { name: 'sta', type: 'f64' },
    { name: 'lta', type: 'f64' },
    { name: 'count', type: 'u32' },
    { name: 'on', type: 'u8' },
    { name: 'onset', type: 'f64' },
    { name: 'last_sent', type: 'f64' },
    { name: 'sent_peak', type: 'f32' },
    { name: 'peak', type: 'f32' },
    { name: 'peak_ratio', type: 'f32' },
  ],
  create: (config, ctx) => new StaLtaRuntime(config, ctx),
};
