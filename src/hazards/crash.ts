/**
 * Vehicle crashes: at a given time a chosen vehicle decelerates with a half-sine pulse (peak
 * 20–60 g over 60–150 ms) along its direction of travel and stops for good. A phone loose in the
 * cabin (anything but a vehicle mount) then hits the cabin: an extra impact of 40–100 g lasting a
 * few milliseconds, which the accelerometer's range clips. A named vehicle that is not driving at
 * the crash time crashes the next time it drives. Truth: time, place, vehicle, speed, peak.
 */
import * as z from 'zod';
import { G } from '../core/units.js';
import { FastRandom, stableUniform, componentKey } from '../core/random.js';
import { InputError } from '../core/errors.js';
import type { ColumnSpec } from '../core/columns.js';
import { duration } from '../plugin/fields.js';
import type { Block, Exposure, HazardPlugin, HazardRuntime, HazardContext } from '../plugin/index.js';
import { Activity, CRASHED } from '../population/mobility.js';
import { CONTEXT_CODE } from '../population/behaviour.js';
import { addHalfSine } from './impulse.js';
import { hypot } from '../core/geo.js';

const range = (lo: number, hi: number) => z.tuple([z.number().min(lo).max(hi), z.number().min(lo).max(hi)]).refine(([a, b]) => b >= a, { error: 'expected [low, high] with high ≥ low' });

export const crashSchema = z
  .strictObject({
    type: z.literal('crash'),
    name: z.string().optional().describe('Label shown in outputs.'),
    crashes: z
      .array(
        z.strictObject({
          device: z.number().int().min(0).describe('Index of the phone (device id) whose vehicle crashes.'),
          time: duration({ min: 0 }).describe('When, s after the start (or a duration).'),
          peak_g: z.number().min(5).max(100).default(35).describe('Peak deceleration the phone feels, g (a range [low, high] for random crashes).'),
          duration_ms: z.number().min(20).max(300).default(100).describe('Length of the impact pulse, ms (a range [low, high] for random crashes).'),
        }),
      )
      .default([])
      .describe('Crashes of given vehicles (device ids) at given times.'),
    random: z
      .strictObject({
        count: z.number().int().min(1).max(100_000).describe('How many vehicles crash.'),
        from: duration({ min: 0 }).describe('Earliest crash time, s after the start.'),
        to: duration({ min: 0 }).describe('Latest crash time, s after the start.'),
        peak_g: range(5, 100).default([20, 60]).describe('Peak deceleration the phone feels, g (a range [low, high] for random crashes).'),
        duration_ms: range(20, 300).default([60, 150]).describe('Length of the impact pulse, ms (a range [low, high] for random crashes).'),
      })
      .optional()
      .describe('...and/or crashes of random vehicles at random times in [from, to].'),
  })
  .refine((c) => c.crashes.length > 0 || c.random !== undefined, { error: 'expected crashes or random (or both)' });

export type CrashConfig = z.output<typeof crashSchema>;

interface PlannedCrash {
  device: number;
  time: number;
  peakG: number;
  durationS: number;
}

/** Devices whose behaviour drives. */
function vehicleDevices(ctx: HazardContext): number[] {
  const beh = ctx.columns.u8('behaviour');
  const out: number[] = [];
  for (let d = 0; d < ctx.columns.rows; d++) {
    const b = ctx.behaviours[beh[d]!]!;
    if (b.kind === 'vehicle' || (b.kind === 'commuter' && b.car_share > 0)) out.push(d);
  }
  return out;
}

/** The crashes of a configuration, checked against the devices (deterministic per seed). */
export function planCrashes(c: CrashConfig, ctx: HazardContext, where: string): PlannedCrash[] {
  const n = ctx.columns.rows;
  const beh = ctx.columns.u8('behaviour');
  const out: PlannedCrash[] = [];
  c.crashes.forEach((k, i) => {
    if (k.device >= n) throw new InputError(ctx.file, { path: `${where}.crashes[${i}].device`, message: `expected a device id from 0 to ${n - 1}, found ${k.device} (the run has ${n} devices)` });
    const b = ctx.behaviours[beh[k.device]!]!;
    if (b.kind !== 'vehicle' && b.kind !== 'commuter') throw new InputError(ctx.file, { path: `${where}.crashes[${i}].device`, message: `expected a device in a vehicle, found device ${k.device} with behaviour "${b.name}" (${b.kind})` });
    out.push({ device: k.device, time: k.time, peakG: k.peak_g, durationS: k.duration_ms / 1000 });
  });
  if (c.random) {
    const r = c.random;
    if (r.to < r.from) throw new InputError(ctx.file, { path: `${where}.random.to`, message: `expected to ≥ from (${r.from} s), found ${r.to} s` });
    const vehicles = vehicleDevices(ctx);
    if (!vehicles.length) throw new InputError(ctx.file, { path: `${where}.random`, message: 'no device drives: add a vehicle or commuter behaviour' });
    const rng = FastRandom.of(ctx.seed, `${where}/crashes`);
    for (let k = 0; k < r.count; k++) {
      out.push({
        device: vehicles[rng.int(vehicles.length)]!,
        time: rng.range(r.from, r.to),
        peakG: rng.range(r.peak_g[0], r.peak_g[1]),
        durationS: rng.range(r.duration_ms[0], r.duration_ms[1]) / 1000,
      });
    }
  }
  return out.sort((a, b) => a.device - b.device || a.time - b.time);
}

class CrashRuntime implements HazardRuntime {
  private readonly ctx: HazardContext;
  private readonly index: number;
  private readonly planned = new Map<number, PlannedCrash>();
  private readonly activity: Uint8Array;
  private readonly edge: Int32Array;
  private readonly seg: Uint16Array;
  private readonly flags: Uint8Array;
  private readonly nextT: Float32Array;
  private readonly speed: Float32Array;
  private readonly context: Uint8Array;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly at: Float64Array;
  private readonly dir: Float32Array;
  private readonly key: number;

  constructor(c: CrashConfig, ctx: HazardContext, index: number) {
    this.ctx = ctx;
    this.index = index;
    // One crash per vehicle: the earliest planned.
    for (const p of planCrashes(c, ctx, `hazards[${index}]`)) if (!this.planned.has(p.device)) this.planned.set(p.device, p);
    const col = ctx.columns, px = ctx.prefix;
    this.activity = col.u8('mob.activity');
    this.edge = col.i32('mob.edge');
    this.seg = col.u16('mob.seg');
    this.flags = col.u8('mob.flags');
    this.nextT = col.f32('mob.next_t');
    this.speed = col.f32('mob.speed');
    this.context = col.u8('ctx.context');
    this.x = col.f64('x');
    this.y = col.f64('y');
    this.at = col.f64(px + 'at');
    this.dir = col.f32(px + 'dir');
    this.key = componentKey(ctx.seed, `hazard${index}/impact`);
  }

  preTick(d: number, t0: number, t1: number): void {
    const p = this.planned.get(d);
    if (!p || !Number.isNaN(this.at[d]!) || p.time >= t1) return;
    const e = this.edge[d]!;
    if (this.activity[d] !== Activity.Drive || e < 0) return; // waits for the next drive
    const roads = this.ctx.roads!;
    const when = Math.max(p.time, t0);
    this.at[d] = when;
    this.flags[d] = this.flags[d]! | CRASHED;
    this.nextT[d] = when;
    // Direction of travel on the current polyline segment.
    const s = roads.edgeStart[e]! + Math.min(this.seg[d]!, roads.edgeCount[e]! - 2);
    const dx = roads.vx[s + 1]! - roads.vx[s]!, dy = roads.vy[s + 1]! - roads.vy[s]!;
    const len = hypot(dx, dy) || 1;
    this.dir[2 * d] = dx / len;
    this.dir[2 * d + 1] = dy / len;
    const v = this.speed[d]! * roads.edgeSpeed[e]!;
    const [lon, lat] = this.ctx.world.frame.unproject(this.x[d]!, this.y[d]!);
    this.ctx.report({ hazard: this.index, time: when, device: d, item: 'crash', lon, lat, speed_kmh: v * 3.6, peak_g: p.peakG, duration_ms: p.durationS * 1000, planned_time: p.time });
  }

  exposure(d: number, t0: number, t1: number): Exposure | null {
    const t = this.at[d]!;
    if (Number.isNaN(t) || t >= t1 || t + 1 <= t0) return null;
    return { kind: 'crash', from: t, to: t + 1, intensity: this.planned.get(d)!.peakG };
  }

  render(d: number, b: Block): void {
    const t = this.at[d]!;
    if (Number.isNaN(t) || b.t1 < t || b.t0 > t + 1) return;
    const p = this.planned.get(d)!;
    const dx = this.dir[2 * d]!, dy = this.dir[2 * d + 1]!;
    // Deceleration: the specific force points backwards along the travel direction.
    const a = p.peakG * G;
    addHalfSine(b.ae, b.k0, b.n, b.fs, t, p.durationS, -a * dx);
    addHalfSine(b.an, b.k0, b.n, b.fs, t, p.durationS, -a * dy);
    if (this.context[d] !== CONTEXT_CODE['vehicle-mount']) {
      // A loose phone flies on and strikes the cabin: 40–100 g for 4 ms, mostly forward, some up.
      const peak = (40 + 60 * stableUniform(this.key, d, 1)) * G;
      const ti = t + 0.7 * p.durationS;
      addHalfSine(b.ae, b.k0, b.n, b.fs, ti, 0.004, -peak * dx * 0.9);
      addHalfSine(b.an, b.k0, b.n, b.fs, ti, 0.004, -peak * dy * 0.9);
      addHalfSine(b.au, b.k0, b.n, b.fs, ti, 0.004, peak * 0.4);
    }
  }
}


export const crashHazard: HazardPlugin<CrashConfig> = {
  type: 'crash',
  summary: 'Vehicle crashes: a multi-g impact pulse on phones in a car, which then stops',
  reads: ['behaviour', 'mob.'],
  category: 'hazard',
  schema: crashSchema,
  check: (c, ctx, where) => void planCrashes(c, ctx, where),
  starts: (c) => [
    ...c.crashes.map((k, i) => ({ field: `crashes[${i}].time`, at: k.time })),
    ...(c.random ? [{ field: 'random.from', at: c.random.from }] : []),
  ],
  columns: (): ColumnSpec[] => [
    { name: 'at', type: 'f64', fill: NaN },
    { name: 'dir', type: 'f32', width: 2 },
  ],
  create: (c, ctx) => new CrashRuntime(c, ctx, ctx.index),
  truth(c, ctx, index) {
    const planned = planCrashes(c, ctx, `hazards[${index}]`);
    return {
      index, type: 'crash', kind: 'crash', name: c.name ?? `${planned.length} vehicle crashes`, alertable: true,
      start: Math.min(...planned.map((p) => p.time)),
      facts: { planned: planned.length },
      items: [],
    };
  },
};
