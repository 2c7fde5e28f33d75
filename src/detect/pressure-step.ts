/**
 * Barometer step trigger: a fast and a slow exponential average of the phone's pressure; when
 * they part by `min_step_hpa` the phone reports a pressure step (channel `pressure`, `step` in Pa,
 * signed). Two numbers per phone, whatever the time constants, so it scales to a million phones.
 * Floors, stairs and lifts step the pressure too (−12 Pa per metre): the server tells a front,
 * which moves across many cells in order, from those.
 */
import * as z from 'zod';
import type { ColumnSpec } from '../core/columns.js';
import { duration } from '../plugin/fields.js';
import type { DetectorPlugin, DetectorRuntime, DetectorSink, SensorBlock, DetectorContext } from '../plugin/index.js';

export const pressureStepSchema = z.strictObject({
  type: z.literal('pressure-step'),
  fast: duration({ positive: true }).default(30).describe('Time constants of the fast and slow averages, s.'),
  slow: duration({ positive: true }).default(600).describe('Time constant of the slow average (the baseline the step is measured from), s.'),
  min_step_hpa: z.number().positive().default(1).describe('Step (fast − slow) that triggers, hPa.'),
  rearm: duration({ positive: true }).default(300).describe('A trigger ends when the step falls under half the threshold; the next waits at least this long, s.'),
  settle: duration({ min: 0 }).default(60).describe('Readings ignored after the phone starts monitoring while the averages settle, s.'),
}).refine((c) => c.fast < c.slow, { message: 'fast must be shorter than slow', path: ['fast'] });

export type PressureStepConfig = z.output<typeof pressureStepSchema>;

export class PressureStepRuntime implements DetectorRuntime {
  private readonly fast: Float64Array;
  private readonly slow: Float64Array;
  private readonly count: Float64Array;
  private readonly on: Uint8Array;
  private readonly last: Float64Array;

  constructor(private readonly c: PressureStepConfig, ctx: DetectorContext) {
    const col = ctx.columns, p = ctx.prefix;
    this.fast = col.f64(p + 'fast');
    this.slow = col.f64(p + 'slow');
    this.count = col.f64(p + 'count');
    this.on = col.u8(p + 'on');
    this.last = col.f64(p + 'last');
  }

  reset(d: number): void {
    this.count[d] = 0;
    this.on[d] = 0;
  }

  process(d: number, b: SensorBlock, out: DetectorSink): void {
    const p = b.p;
    if (!p || b.pn === 0) return;
    const c = this.c, fs = b.pfs;
    const af = 1 - Math.exp(-1 / (c.fast * fs)), as = 1 - Math.exp(-1 / (c.slow * fs));
    const thr = c.min_step_hpa * 100, settle = Math.round(c.settle * fs);
    let fast = this.fast[d]!, slow = this.slow[d]!, count = this.count[d]!, on = this.on[d]!;
    for (let i = 0; i < b.pn; i++) {
      const v = p[i]!;
      if (count === 0) { fast = v; slow = v; }
      fast += af * (v - fast);
      slow += as * (v - slow);
      if (count++ < settle) continue;
      const step = fast - slow, t = (b.pk0 + i) / fs;
      if (on) {
        if (Math.abs(step) < thr / 2) on = 0;
        continue;
      }
      if (Math.abs(step) < thr || t - this.last[d]! < c.rearm) continue;
      on = 1;
      this.last[d] = t;
      out.emit({ device: d, kind: 'trigger', time: t, deviceTime: t, onsetDeviceTime: t, amplitude: 0, ratio: Math.abs(step) / thr, x: NaN, y: NaN, monitoring: 1, channel: 'pressure', step });
    }
    this.fast[d] = fast; this.slow[d] = slow; this.count[d] = count; this.on[d] = on;
  }
}

export const pressureStep: DetectorPlugin<PressureStepConfig> = {
  type: 'pressure-step',
  summary: 'Pressure jumps: a fast barometer average departing from a slow one',
  reads: [],
  /** Works on barometer samples only (two averages, about 4 multiply–adds each at 1–25 Hz): nothing per accelerometer sample. */
  cost: () => ({ macsPerSample: 0, windowsPerSecond: 0 }),
  channel: 'pressure',
  schema: pressureStepSchema,
  columns: (): ColumnSpec[] => [
    { name: 'fast', type: 'f64' },
    { name: 'slow', type: 'f64' },
    { name: 'count', type: 'f64' },
    { name: 'on', type: 'u8' },
    { name: 'last', type: 'f64', fill: -Infinity },
  ],
  needsBarometer: () => true,
  create: (det, ctx) => new PressureStepRuntime(det.config as PressureStepConfig, ctx),
};
