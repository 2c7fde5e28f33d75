/**
 * Phone context per device over time: where the phone sits (table, hand, pocket, bag,
 * vehicle-mount), whether it is charging, and whether it is steady (at rest for longer than
 * `steady_after`). Contexts are redrawn at every local-hour boundary and whenever the person's
 * activity changes, from the behaviour profile's shares for that activity and hour. The
 * eligibility rule then decides which phones monitor for hazards.
 */
import type { ColumnSpec, ColumnSet } from '../core/columns.js';
import { FastRandom, componentKey, seedKeyed, type Seed } from '../core/random.js';
import { CONTEXT_CODE, atHour, contextTable, drawContext, type BehaviourProfile } from './behaviour.js';
import { Activity } from './mobility.js';
import { POSE_COLUMNS, drawPose } from '../sensors/pose.js';

export const CONTEXT_COLUMNS: ColumnSpec[] = [
  { name: 'ctx.context', type: 'u8' },
  { name: 'ctx.charging', type: 'u8' },
  { name: 'ctx.steady', type: 'u8' },
  { name: 'ctx.still_since', type: 'f32' },
  { name: 'ctx.next_t', type: 'f32' },
  { name: 'ctx.counter', type: 'u16' },
  ...POSE_COLUMNS,
];

export const ELIGIBILITY = ['steady', 'steady-charging', 'charging', 'all'] as const;
export type Eligibility = (typeof ELIGIBILITY)[number];

const TABLE = CONTEXT_CODE.table, BAG = CONTEXT_CODE.bag, MOUNT = CONTEXT_CODE['vehicle-mount'];

/** Context tables per behaviour and activity. */
interface Tables {
  byActivity: (Float64Array | undefined)[];
  charging: Float64Array;
}

function compile(b: BehaviourProfile): Tables {
  const byActivity: (Float64Array | undefined)[] = [];
  const charging = Float64Array.from({ length: 24 }, (_, h) => atHour(b.charging, h));
  switch (b.kind) {
    case 'stationary':
      byActivity[Activity.Home] = byActivity[Activity.Work] = contextTable(b.context);
      break;
    case 'pedestrian':
      byActivity[Activity.Walk] = contextTable(b.context_moving);
      byActivity[Activity.Pause] = contextTable(b.context_paused);
      break;
    case 'vehicle':
      byActivity[Activity.Drive] = contextTable(b.context_driving);
      byActivity[Activity.Parked] = contextTable(b.context_parked);
      break;
    case 'commuter':
      byActivity[Activity.Home] = byActivity[Activity.Work] = contextTable(b.context);
      byActivity[Activity.Drive] = contextTable(b.context_driving);
      byActivity[Activity.Walk] = contextTable(b.context_walking);
      break;
  }
  return { byActivity, charging };
}

export class PhoneContexts {
  private readonly tables: Tables[];
  private readonly behaviour: Uint8Array;
  private readonly context: Uint8Array;
  private readonly charging: Uint8Array;
  private readonly steady: Uint8Array;
  private readonly stillSince: Float32Array;
  private readonly nextT: Float32Array;
  private readonly counter: Uint16Array;
  private readonly monitoring: Uint8Array;
  private readonly pose: Float32Array;
  private readonly key: number;
  private readonly rngState = new Int32Array(4);
  private readonly rng = new FastRandom(this.rngState);
  private readonly localStart: number;
  private readonly steadyAfter: number;
  /** The eligibility rule as a code: 0 all, 1 steady, 2 steady and charging, 3 charging. */
  private readonly rule: number;

  constructor(o: { seed: Seed; columns: ColumnSet; behaviours: readonly BehaviourProfile[]; localStart: number; steadyAfter: number; eligibility: Eligibility }) {
    this.tables = o.behaviours.map(compile);
    const c = o.columns;
    this.behaviour = c.u8('behaviour');
    this.context = c.u8('ctx.context');
    this.charging = c.u8('ctx.charging');
    this.steady = c.u8('ctx.steady');
    this.stillSince = c.f32('ctx.still_since');
    this.nextT = c.f32('ctx.next_t');
    this.counter = c.u16('ctx.counter');
    this.monitoring = c.u8('monitoring');
    this.pose = c.f32('pose');
    this.key = componentKey(o.seed, 'phone-context');
    this.localStart = o.localStart;
    this.steadyAfter = o.steadyAfter;
    this.rule = o.eligibility === 'steady' ? 1 : o.eligibility === 'steady-charging' ? 2 : o.eligibility === 'charging' ? 3 : 0;
  }

  private hour(t: number): number {
    return Math.floor(((((this.localStart + t) % 86400) + 86400) % 86400) / 3600);
  }

  /** Start of the next local hour after t. */
  private nextHour(t: number): number {
    const now = ((((this.localStart + t) % 86400) + 86400) % 86400);
    return t + (3600 - (now % 3600));
  }

  private redraw(d: number, activity: number, t: number, first = false): void {
    seedKeyed(this.rngState, 0, this.key, d, this.counter[d]!);
    this.counter[d] = (this.counter[d]! + 1) & 0xffff;
    const tb = this.tables[this.behaviour[d]!]!;
    const h = this.hour(t);
    const table = tb.byActivity[activity];
    const before = this.context[d]!;
    this.context[d] = table ? drawContext(table, h, this.rng.uniform()) : CONTEXT_CODE.pocket;
    this.charging[d] = activity === Activity.Walk ? 0 : this.rng.uniform() < tb.charging[h]! ? 1 : 0;
    this.nextT[d] = this.nextHour(t);
    // A phone that is moved somewhere new lands in a new pose; one left where it was keeps its pose.
    if (before !== this.context[d] || Number.isNaN(this.pose[3 * d]!) || first) drawPose(this.context[d]!, this.rng, this.pose, 3 * d);
  }

  /** A phone is at rest on a table, or in a bag or a mount that is not travelling. */
  private atRest(d: number, activity: number): boolean {
    const c = this.context[d]!;
    if (activity === Activity.Walk || activity === Activity.Drive) return false;
    return c === TABLE || c === BAG || c === MOUNT;
  }

  /** Initial context at t0; phones at rest count as settled (steady from the start). */
  init(d: number, activity: number, t0: number): void {
    this.redraw(d, activity, t0, true);
    this.stillSince[d] = t0 - this.steadyAfter;
    this.update(d, activity, t0, false);
  }

  /**
   * When device d's context next changes by itself: the next local hour (a redraw), or the moment a
   * phone at rest becomes steady; `t` for a phone being carried (its stillness restarts every tick).
   */
  nextChange(d: number, activity: number, t: number): number {
    if (activity === Activity.Walk || activity === Activity.Drive) return t;
    const next = this.nextT[d]!;
    return this.atRest(d, activity) && !this.steady[d] ? Math.min(next, this.stillSince[d]! + this.steadyAfter) : next;
  }

  /** Updates device d at the end of a tick (time t); `changed` when its activity just changed. */
  update(d: number, activity: number, t: number, changed: boolean): void {
    if (changed || t >= this.nextT[d]!) {
      const before = this.context[d];
      this.redraw(d, activity, t);
      if (before !== this.context[d]) this.stillSince[d] = t; // picked up or put down
    }
    if (!this.atRest(d, activity)) this.stillSince[d] = t;
    const steady = this.atRest(d, activity) && t - this.stillSince[d]! >= this.steadyAfter ? 1 : 0;
    this.steady[d] = steady;
    const charging = this.charging[d]!;
    let eligible: number;
    switch (this.rule) {
      case 1: eligible = steady; break;
      case 2: eligible = steady & charging; break;
      case 3: eligible = charging; break;
      default: eligible = 1;
    }
    this.monitoring[d] = eligible;
  }
}
