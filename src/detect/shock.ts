/**
 * Shock triggers for phones in vehicles: `bump` (a road anomaly under the wheels, Pothole Patrol
 * style) and `crash` (a collision). Both watch the high-passed acceleration norm for a spike over a
 * threshold and read the phone's own GNSS speed, which is what tells a pothole or a crash from a
 * phone dropped on the floor:
 * - `bump` reports spikes of `min_amplitude_g` and more that stand `min_ratio` times above the
 *   ride's own vibration (the RMS of the last few seconds: a rough road shakes a car all the
 *   time, a pothole is one jolt), that are more vertical than horizontal by `min_vertical_ratio`
 *   (Pothole Patrol's x–z ratio filter: a road jolts the car up, a phone knocking about a console
 *   or a door closing jolts it sideways; "up" is the phone's own gravity estimate, a 2 s low-pass),
 *   while the phone moves at `min_speed_m_s` or faster, before and `confirm_after` seconds after
 *   (channel `bump`, with the speed);
 * - `crash` reports spikes of `min_amplitude_g` (4 g by default: far above driving and walking),
 *   waits `confirm_after` seconds and reports the GNSS speed before and after (channel `crash`);
 *   the server decides whether the speed drop confirms it.
 */
import * as z from 'zod';
import { G } from '../core/units.js';
import type { ColumnSpec } from '../core/columns.js';
import { duration } from '../plugin/fields.js';
import type { DetectorPlugin, DetectorRuntime, DetectorSink, SensorBlock, DetectorContext } from '../plugin/index.js';
import { HighpassBank, primeHighpass } from './sta-lta.js';
import { DeviceThreshold, thresholdG } from './threshold.js';

const common = {
  highpass_hz: z.number().positive().default(2).describe('High-pass corner applied to each axis before the spike test, Hz.'),
  peak_window: duration({ positive: true }).default(0.25).describe('Time after the threshold crossing over which the peak is taken, s.'),
  rearm: duration({ positive: true }).default(2).describe('Quiet time after a report before the next one, s.'),
  settle: duration({ min: 0 }).default(1).describe('Samples ignored after the phone starts monitoring, s.'),
};

export const bumpSchema = z.strictObject({
  type: z.literal('bump'),
  ...common,
  min_amplitude_g: thresholdG().default(0.5).describe('Spike threshold on the high-passed norm, g (one value or `{median, sigma}` per phone).'),
  min_speed_m_s: z.number().min(0).default(4).describe('Only while the phone\'s GNSS speed is at least this, m/s (a vehicle, not a walker).'),
  min_ratio: z.number().min(0).default(5).describe('The spike must be this many times the RMS of the ride\'s vibration (0: off).'),
  rms_window: duration({ positive: true }).default(5).describe('Time constant of that RMS, s.'),
  /**
   * The spike's vertical part must be at least this many times its horizontal part (0: off).
   * Pothole Patrol's x–z ratio filter (Eriksson et al. 2008, MobiSys, §4.2) learned its value; 1
   * here is the plain geometric rule "more up than sideways", set on no scenario.
   */
  min_vertical_ratio: z.number().min(0).default(1).describe('The spike\'s vertical part must be at least this many times its horizontal part (0: off; dimensionless).'),
  confirm_after: duration({ positive: true }).default(1.5).describe('The speed is read again this long after the spike and must still be min_speed_m_s (a car drives on over a pothole; one parking does not), s.'),
});

export const crashSchema = z.strictObject({
  type: z.literal('crash'),
  ...common,
  min_amplitude_g: thresholdG().default(4).describe('Impact threshold on the high-passed norm, g (one value or `{median, sigma}` per phone).'),
  confirm_after: duration({ positive: true }).default(5).describe('How long after the spike the speed is read again, s.'),
});

export type BumpConfig = z.output<typeof bumpSchema>;
export type CrashConfig = z.output<typeof crashSchema>;

const IDLE = 0, PEAK = 1, CONFIRM = 2;

export class ShockRuntime implements DetectorRuntime {
  private readonly hp: HighpassBank;
  private readonly thr: DeviceThreshold;
  private readonly filter: Float64Array;
  private readonly count: Float64Array;
  private readonly phase: Uint8Array;
  private readonly onset: Float64Array;
  private readonly last: Float64Array;
  private readonly peak: Float32Array;
  private readonly speedBefore: Float32Array;
  private readonly meanSquare: Float64Array;
  private readonly gnssSpeed: Float32Array;
  private readonly gravity: Float64Array;

  constructor(private readonly c: BumpConfig | CrashConfig, ctx: DetectorContext) {
    const col = ctx.columns, p = ctx.prefix;
    this.hp = new HighpassBank(c.highpass_hz);
    this.thr = new DeviceThreshold(c.min_amplitude_g, ctx.seed, `${p}threshold`);
    this.filter = col.f64(p + 'filter');
    this.count = col.f64(p + 'count');
    this.phase = col.u8(p + 'phase');
    this.onset = col.f64(p + 'onset');
    this.last = col.f64(p + 'last');
    this.peak = col.f32(p + 'peak');
    this.speedBefore = col.f32(p + 'speed');
    this.meanSquare = col.f64(p + 'ms');
    this.gnssSpeed = col.f32('gnss.speed');
    this.gravity = col.f64(p + 'gravity');
  }

  reset(d: number): void {
    this.filter.fill(0, d * 6, d * 6 + 6);
    this.count[d] = 0;
    this.phase[d] = IDLE;
    this.meanSquare[d] = 0;
  }

  private emit(d: number, t: number, out: DetectorSink): void {
    const c = this.c, peak = this.peak[d]!, speed = this.speedBefore[d]!;
    const m = { device: d, kind: 'trigger' as const, time: t, deviceTime: t, onsetDeviceTime: this.onset[d]!, amplitude: peak, ratio: peak / (this.thr.of(d) * G), x: NaN, y: NaN, monitoring: 1 };
    if (c.type === 'bump') out.emit({ ...m, channel: 'bump', speed });
    else out.emit({ ...m, channel: 'crash', speed, speedAfter: this.gnssSpeed[d]! });
    this.last[d] = t;
  }

  process(d: number, b: SensorBlock, out: DetectorSink): void {
    const c = this.c, fs = b.fs, f = this.hp.at(fs);
    const { b0, b1, b2, a1, a2 } = f;
    const thr = this.thr.of(d) * G, thr2 = thr * thr;
    const settle = Math.round(c.settle * fs);
    const st = this.filter, so = d * 6;
    const gv = this.gravity, go = 3 * d;
    if (this.count[d] === 0 && b.n > 0) {
      primeHighpass(st, so, f, b.ax[0]!, b.ay[0]!, b.az[0]!);
      gv[go] = b.ax[0]!; gv[go + 1] = b.ay[0]!; gv[go + 2] = b.az[0]!;
    }
    let gx = gv[go]!, gy = gv[go + 1]!, gz = gv[go + 2]!;
    const beta = 1 - Math.exp(-1 / (2 * fs)); // the phone's "up": a 2 s low-pass of what it measures
    const vr = c.type === 'bump' ? c.min_vertical_ratio : 0, vr2 = vr * vr;
    let x1 = st[so]!, x2 = st[so + 1]!, y1 = st[so + 2]!, y2 = st[so + 3]!, z1 = st[so + 4]!, z2 = st[so + 5]!;
    let phase = this.phase[d]!, count = this.count[d]!;
    const minSpeed = c.type === 'bump' ? c.min_speed_m_s : 0;
    const ratio2 = c.type === 'bump' ? c.min_ratio * c.min_ratio : 0;
    const alpha = c.type === 'bump' ? 1 - Math.exp(-1 / (c.rms_window * fs)) : 0;
    let ms = this.meanSquare[d]!;
    for (let i = 0; i < b.n; i++) {
      let v = b.ax[i]!;
      const hx = b0 * v + x1; x1 = b1 * v - a1 * hx + x2; x2 = b2 * v - a2 * hx;
      v = b.ay[i]!;
      const hy = b0 * v + y1; y1 = b1 * v - a1 * hy + y2; y2 = b2 * v - a2 * hy;
      v = b.az[i]!;
      const hz = b0 * v + z1; z1 = b1 * v - a1 * hz + z2; z2 = b2 * v - a2 * hz;
      gx += beta * (b.ax[i]! - gx); gy += beta * (b.ay[i]! - gy); gz += beta * (b.az[i]! - gz);
      if (count++ < settle) continue;
      const t = (b.k0 + i) / fs, a2n = hx * hx + hy * hy + hz * hz;
      const background = ms;
      ms += alpha * (a2n - ms);
      if (phase === IDLE) {
        if (a2n < thr2 || a2n < ratio2 * background || t - this.last[d]! < c.rearm) continue;
        const speed = this.gnssSpeed[d]!;
        if (minSpeed > 0 && !(speed >= minSpeed)) continue;
        if (vr2 > 0) {
          // Vertical part: along the gravity estimate; horizontal: the rest.
          const g2 = gx * gx + gy * gy + gz * gz, hv = (hx * gx + hy * gy + hz * gz), v2 = g2 > 0 ? (hv * hv) / g2 : 0;
          if (v2 < vr2 * (a2n - v2)) continue;
        }
        phase = PEAK;
        this.onset[d] = t;
        this.peak[d] = Math.sqrt(a2n);
        this.speedBefore[d] = speed;
      } else if (phase === PEAK) {
        const a = Math.sqrt(a2n);
        if (a > this.peak[d]!) this.peak[d] = a;
        if (t - this.onset[d]! >= c.peak_window) phase = CONFIRM;
      } else if (t - this.onset[d]! >= c.confirm_after) {
        if (!(minSpeed > 0) || this.gnssSpeed[d]! >= minSpeed) this.emit(d, t, out);
        else this.last[d] = t;
        phase = IDLE;
      }
    }
    st[so] = x1; st[so + 1] = x2; st[so + 2] = y1; st[so + 3] = y2; st[so + 4] = z1; st[so + 5] = z2;
    gv[go] = gx; gv[go + 1] = gy; gv[go + 2] = gz;
    this.phase[d] = phase;
    this.count[d] = count;
    this.meanSquare[d] = ms;
  }
}

const SHOCK_COLUMNS: ColumnSpec[] = [
  { name: 'filter', type: 'f64', width: 6 },
  { name: 'count', type: 'f64' },
  { name: 'phase', type: 'u8' },
  { name: 'onset', type: 'f64' },
  { name: 'last', type: 'f64', fill: -Infinity },
  { name: 'peak', type: 'f32' },
  { name: 'speed', type: 'f32' },
  { name: 'ms', type: 'f64' },
  { name: 'gravity', type: 'f64', width: 3 },
];

export const bumpDetector: DetectorPlugin<BumpConfig> = {
  type: 'bump',
  summary: 'Road bumps: a high-passed spike well above the ride\'s own roughness while the phone\'s GNSS says it moves',
  reads: ['gnss.speed'],
  /** Three high-pass biquads, the norm, the running mean square, the gravity low-pass and the peak. */
  cost: () => ({ macsPerSample: 28, windowsPerSecond: 0 }),
  channel: 'bump',
  schema: bumpSchema,
  columns: () => SHOCK_COLUMNS,
  create: (det, ctx) => new ShockRuntime(det.config as BumpConfig, ctx),
};

export const crashDetector: DetectorPlugin<CrashConfig> = {
  type: 'crash',
  summary: 'Vehicle crashes: a multi-g spike followed by the phone\'s GNSS speed dropping to a stop',
  reads: ['gnss.speed'],
  cost: () => ({ macsPerSample: 22, windowsPerSecond: 0 }),
  channel: 'crash',
  schema: crashSchema,
  columns: () => SHOCK_COLUMNS,
  create: (det, ctx) => new ShockRuntime(det.config as CrashConfig, ctx),
};
