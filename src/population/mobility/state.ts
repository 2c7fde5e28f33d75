/** The columns and counter-based draws the movers share (mobility.ts, walk.ts, road-trips.ts). */
import type { ColumnSet } from '../../core/columns.js';
import { FastRandom, componentKey, seedKeyed, stableUniform, type Seed } from '../../core/random.js';
import type { World } from '../../world/load.js';
import type { RoadNetwork } from '../../world/roads.js';
import type { BoundaryIndex } from '../../world/boundary-index.js';
import { PlaceSampler } from '../place.js';
import type { BehaviourProfile } from '../behaviour.js';
import { DAY } from './schedule.js';

export interface MobilityContext {
  seed: Seed;
  world: World;
  columns: ColumnSet;
  behaviours: readonly BehaviourProfile[];
  /** Local time of day at t = 0, s after midnight. */
  localStart: number;
  boundary: BoundaryIndex;
  roads?: RoadNetwork;
}

export class MobilityState {
  readonly c: MobilityContext;
  readonly x: Float64Array;
  readonly driven: Float64Array;
  readonly y: Float64Array;
  readonly behaviour: Uint8Array;
  readonly hx: Float32Array;
  readonly hy: Float32Array;
  readonly wx: Float32Array;
  readonly wy: Float32Array;
  readonly tx: Float32Array;
  readonly ty: Float32Array;
  readonly speed: Float32Array;
  readonly nextT: Float32Array;
  readonly edge: Int32Array;
  readonly off: Float32Array;
  readonly seg: Uint16Array;
  readonly dest: Int32Array;
  readonly counter: Uint16Array;
  readonly activity: Uint8Array;
  readonly flags: Uint8Array;
  readonly key: number;
  readonly stableKey: number;
  private readonly rngState = new Int32Array(4);
  private readonly rng = new FastRandom(this.rngState);
  readonly places: PlaceSampler;
  readonly pos = new Float64Array(2);
  readonly xy = new Float64Array(2);

  constructor(c: MobilityContext) {
    this.c = c;
    const col = c.columns;
    this.x = col.f64('x'); this.y = col.f64('y'); this.driven = col.f64('mob.driven_m'); this.behaviour = col.u8('behaviour');
    this.hx = col.f32('mob.home_x'); this.hy = col.f32('mob.home_y');
    this.wx = col.f32('mob.work_x'); this.wy = col.f32('mob.work_y');
    this.tx = col.f32('mob.tx'); this.ty = col.f32('mob.ty');
    this.speed = col.f32('mob.speed'); this.nextT = col.f32('mob.next_t');
    this.edge = col.i32('mob.edge'); this.off = col.f32('mob.off'); this.seg = col.u16('mob.seg');
    this.dest = col.i32('mob.dest'); this.counter = col.u16('mob.counter'); this.activity = col.u8('mob.activity');
    this.flags = col.u8('mob.flags');
    this.key = componentKey(c.seed, 'mobility');
    this.stableKey = componentKey(c.seed, 'mobility-traits');
    this.places = new PlaceSampler(c.world, c.boundary);
  }

  /** A fresh counter-based stream for device d's next event. */
  draw(d: number): FastRandom {
    seedKeyed(this.rngState, 0, this.key, d, this.counter[d]!);
    this.counter[d] = (this.counter[d]! + 1) & 0xffff;
    return this.rng;
  }

  /** A per-person constant in (0, 1) (e.g. personal schedule offsets), without stored state. */
  trait(d: number, salt: number): number {
    return stableUniform(this.stableKey, d, salt);
  }

  localTime(t: number): number {
    return (((this.c.localStart + t) % DAY) + DAY) % DAY;
  }

  setPos(d: number, x: number, y: number): void {
    this.x[d] = x;
    this.y[d] = y;
  }

}
