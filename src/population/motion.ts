/**
 * Everyday motion: what phones feel when nothing is wrong, by context and activity.
 *
 * - Gait while walking or running (above 2.2 m/s; cadence 2.6–3.0 Hz, impacts about 2.5× a
 *   walk's): vertical acceleration at the step frequency with a second harmonic,
 *   fore-aft at the step frequency, sideways at half of it; cadence per person in the profile's
 *   range (1.6–2.2 Hz by default), faster when walking faster; amplitude by placement (largest in a
 *   trouser pocket, on the swinging thigh; smallest in the hand) with ±10 % step-to-step scatter;
 *   the thigh's swing rotates a pocketed phone at the stride frequency.
 * - A hand is never still: slow 0.5–2 Hz sway of a few hundredths of a g.
 * - Vehicle ride: road roughness (ISO 8608 classes A–E) through a quarter-car response (body bounce
 *   near 1.3 Hz, wheel hop near 11 Hz), RMS growing as √(roughness · speed), calibrated to about
 *   0.3 m/s² on a class-B road at 50 km/h, typical of cars (ISO 2631 ride measurements); plus the
 *   vehicle's own braking, acceleration and turning from its movement.
 * - Events at rates per hour (behaviour profile `motion`): door slams and desk knocks under phones
 *   on tables; drops from the hand (free fall, a 30–100 g floor impact, then the phone lies on the
 *   floor); elevator rides and stairs indoors (the barometer sees the altitude change); and a
 *   handling transient whenever the phone is picked up or put down.
 *
 * Draws are counter-based — (seed, `motion`, device, tick or event) — so motion does not depend on
 * which thread renders it.
 */
import { G } from '../core/units.js';
import { FastRandom, componentKey, fillGaussian, seedFastState, seedKeyed, stableUniform, type Seed } from '../core/random.js';
import type { ColumnSet, ColumnSpec } from '../core/columns.js';
import { biquadGain, type Biquad } from '../core/biquad.js';
import type { Block } from '../plugin/index.js';
import { addDampedSine, addHalfSine } from '../hazards/impulse.js';
import { CONTEXT_CODE, type BehaviourProfile } from './behaviour.js';
import { Activity } from './mobility.js';
import { drawPose } from '../sensors/pose.js';

const enum Ev { None = 0, DoorSlam = 1, Knock = 2, Drop = 3, Elevator = 4, Stairs = 5, Handling = 6 }
/** Names of everyday-motion events, by code. */
export const EVENT_NAMES = ['none', 'door-slam', 'knock', 'drop', 'elevator', 'stairs', 'handling'] as const;

export const MOTION_COLUMNS: ColumnSpec[] = [
  { name: 'motion.ev', type: 'u8' },
  { name: 'motion.ev_t', type: 'f64', fill: -Infinity },
  { name: 'motion.ev_a', type: 'f32' },
  { name: 'motion.ev_dur', type: 'f32' },
  /** Altitude of the phone above the ground, m (floor, elevator, stairs). */
  { name: 'motion.alt', type: 'f32', fill: NaN },
  /** Previous position (m), speed (m/s) and heading (rad), for vehicle dynamics and walking direction. */
  { name: 'motion.prev', type: 'f32', width: 4, fill: NaN },
  { name: 'motion.ride', type: 'f64', width: 8 },
  { name: 'motion.rng', type: 'i32', width: 4 },
  { name: 'motion.seeded', type: 'u8' },
  { name: 'motion.prev_ctx', type: 'u8', fill: 255 },
];

/** Vertical gait amplitude at the step frequency (m/s²) by context: table, hand, pocket, bag, mount. */
const GAIT_AMPLITUDE = [0, 1.5, 3.0, 2.0, 0.5];
/** Peak angular rate of a phone swinging with the walker (rad/s) by context. */
const GAIT_ROTATION = [0, 0.5, 2.5, 0.3, 0.05];
/** ISO 8608 roughness Gd(n0) at n0 = 0.1 cycles/m, geometric class means, m³. */
const ROUGHNESS = { A: 16e-6, B: 64e-6, C: 256e-6, D: 1024e-6, E: 4096e-6 } as const;
/** Ride RMS (m/s²) = K · √(Gd/1e-6 · v): 0.3 m/s² on class B at 13.9 m/s. */
const RIDE_K = 0.3 / Math.sqrt(64 * 13.9);
const RIDE_BODY = { f: 1.3, q: 1.2, w: 1 };
const RIDE_WHEEL = { f: 11, q: 2, w: 0.35 };

function bandpass(f: number, q: number, fs: number): Biquad {
  const w0 = (2 * Math.PI * Math.min(f, 0.45 * fs)) / fs;
  const alpha = Math.sin(w0) / (2 * q);
  const a0 = 1 + alpha;
  return { b0: alpha / a0, b1: 0, b2: -alpha / a0, a1: (-2 * Math.cos(w0)) / a0, a2: (1 - alpha) / a0 };
}

/** Output RMS of a biquad for unit white input (sum of its squared impulse response). */
function noiseGain(f: Biquad): number {
  let z1 = 0, z2 = 0, e = 0;
  for (let i = 0; i < 20000; i++) {
    const v = i === 0 ? 1 : 0;
    const y = f.b0 * v + z1;
    z1 = f.b1 * v - f.a1 * y + z2;
    z2 = f.b2 * v - f.a2 * y;
    e += y * y;
  }
  return Math.sqrt(e);
}

export class EverydayMotion {
  private readonly behaviours: readonly BehaviourProfile[];
  private readonly c: ColumnSet;
  private readonly behaviour: Uint8Array;
  private readonly context: Uint8Array;
  private readonly pose: Float32Array;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly ev: Uint8Array;
  private readonly evT: Float64Array;
  private readonly evA: Float32Array;
  private readonly evDur: Float32Array;
  readonly alt: Float32Array;
  private readonly prev: Float32Array;
  private readonly ride: Float64Array;
  private readonly rng: Int32Array;
  private readonly seeded: Uint8Array;
  private readonly prevCtx: Uint8Array;
  private readonly speedCol: Float32Array;
  private readonly seed: Seed;
  private readonly key: number;
  private readonly st = new Int32Array(4);
  private readonly r = new FastRandom(this.st);
  private readonly filters = new Map<number, { body: Biquad; wheel: Biquad; norm: number }>();
  private noise = new Float32Array(0);

  constructor(o: { seed: Seed; columns: ColumnSet; behaviours: readonly BehaviourProfile[] }) {
    const c = o.columns;
    this.c = c;
    this.behaviours = o.behaviours;
    this.behaviour = c.u8('behaviour');
    this.context = c.u8('ctx.context');
    this.pose = c.f32('pose');
    this.x = c.f64('x'); this.y = c.f64('y');
    this.ev = c.u8('motion.ev'); this.evT = c.f64('motion.ev_t'); this.evA = c.f32('motion.ev_a'); this.evDur = c.f32('motion.ev_dur');
    this.alt = c.f32('motion.alt'); this.prev = c.f32('motion.prev'); this.ride = c.f64('motion.ride');
    this.rng = c.i32('motion.rng'); this.seeded = c.u8('motion.seeded'); this.prevCtx = c.u8('motion.prev_ctx');
    this.speedCol = c.f32('mob.speed');
    this.seed = o.seed;
    this.key = componentKey(o.seed, 'motion');
  }

  private trait(d: number, salt: number): number {
    return stableUniform(this.key, d, salt);
  }

  private rideFilters(fs: number) {
    let f = this.filters.get(fs);
    if (!f) {
      const body = bandpass(RIDE_BODY.f, RIDE_BODY.q, fs), wheel = bandpass(RIDE_WHEEL.f, RIDE_WHEEL.q, fs);
      // The two paths are independent, so their variances add.
      const norm = 1 / Math.sqrt((RIDE_BODY.w * noiseGain(body)) ** 2 + (RIDE_WHEEL.w * noiseGain(wheel)) ** 2);
      f = { body, wheel, norm };
      this.filters.set(fs, f);
      void biquadGain;
    }
    return f;
  }

  /** Initial altitude: the floor a person is on (ground to 8th floor), phone 1 m above it. */
  private initAltitude(d: number): void {
    this.alt[d] = 3 * Math.floor(9 * this.trait(d, 1) ** 2) + 1;
  }

  /**
   * Adds device d's everyday motion to block b (specific force east/north/up; angular rate in the
   * device frame and east/north/up). Returns the altitude at the start and end of the tick.
   */
  render(d: number, b: Block, activity: number, tick: number): void {
    const beh = this.behaviours[this.behaviour[d]!]!;
    const m = beh.motion;
    const ctx = this.context[d]!;
    const t0 = b.t0, t1 = b.t1, dt = t1 - t0;
    if (Number.isNaN(this.alt[d]!)) this.initAltitude(d);
    b.alt0 = b.alt1 = this.alt[d]!;
    // Movement of the person over the tick (for walking direction and vehicle dynamics).
    const x = this.x[d]!, y = this.y[d]!, p = 4 * d;
    const px = this.prev[p]!, py = this.prev[p + 1]!;
    const moved = Number.isNaN(px) ? 0 : Math.sqrt((x - px) * (x - px) + (y - py) * (y - py));
    const speed = moved / dt;
    const heading = moved > 0.05 ? Math.atan2(x - px, y - py) : (Number.isNaN(this.prev[p + 3]!) ? 0 : this.prev[p + 3]!);
    const prevSpeed = Number.isNaN(this.prev[p + 2]!) ? speed : this.prev[p + 2]!;
    const prevHeading = Number.isNaN(this.prev[p + 3]!) ? heading : this.prev[p + 3]!;
    this.prev[p] = x; this.prev[p + 1] = y; this.prev[p + 2] = speed; this.prev[p + 3] = heading;

    // Picked up or put down since the last tick: a short handling transient.
    const before = this.prevCtx[d]!;
    this.prevCtx[d] = ctx;
    if (before !== 255 && before !== ctx && this.ev[d] === Ev.None) this.start(d, Ev.Handling, t0, 1, 1);

    // Events by rate: one draw decides whether an event starts in this tick (at most one does, at the
    // total rate of the events possible here), a second which one, in proportion to its rate.
    if (this.ev[d] === Ev.None) {
      const indoors = activity === Activity.Home || activity === Activity.Work;
      const onTable = ctx === CONTEXT_CODE.table, inHand = ctx === CONTEXT_CODE.hand;
      const rDoor = onTable ? m.door_slam_per_h : 0, rKnock = onTable ? m.knock_per_h : 0, rDrop = inHand ? m.drop_per_h : 0;
      const rElevator = indoors ? m.elevator_per_h : 0, rStairs = indoors ? m.stairs_per_h : 0;
      const total = rDoor + rKnock + rDrop + rElevator + rStairs;
      if (total > 0 && stableUniform(this.key, d, tick * 16) < (total / 3600) * dt) {
        seedKeyed(this.st, 0, this.key, d, tick * 16 + 8);
        let pick = this.r.uniform() * total;
        const kind = (pick -= rDoor) < 0 ? Ev.DoorSlam : (pick -= rKnock) < 0 ? Ev.Knock : (pick -= rDrop) < 0 ? Ev.Drop : (pick -= rElevator) < 0 ? Ev.Elevator : Ev.Stairs;
        const at = t0 + this.r.uniform() * dt;
        switch (kind) {
          case Ev.DoorSlam: this.start(d, kind, at, 0.003 + 0.017 * this.r.uniform(), 1); break;
          case Ev.Knock: this.start(d, kind, at, 0.02 + 0.13 * this.r.uniform(), 0.5); break;
          case Ev.Drop: this.start(d, kind, at, 30 + 70 * this.r.uniform(), 1.5); break;
          case Ev.Elevator: {
            const floors = 1 + Math.floor(9 * this.r.uniform());
            const dh = (this.alt[d]! > 4 && this.r.uniform() < 0.7 ? -1 : 1) * floors * 3;
            this.start(d, kind, at, Math.max(dh, 1 - this.alt[d]!), 6 + Math.abs(dh) / 1.5);
            break;
          }
          case Ev.Stairs: {
            const dh = (this.alt[d]! > 4 && this.r.uniform() < 0.5 ? -1 : 1) * 3 * (1 + Math.floor(2 * this.r.uniform()));
            this.start(d, kind, at, Math.max(dh, 1 - this.alt[d]!), Math.abs(dh) / 0.25);
            break;
          }
        }
      }
    }

    // Continuous motion.
    if (activity === Activity.Walk) {
      // Above 2.2 m/s people run: a faster cadence and about 2.5× the impacts.
      const running = speed > 2.2;
      // The cadence rises with speed across its range: 0.5–1.5 m/s walking, 2.5–3.5 m/s running.
      this.gait(d, b, ctx, running ? speed - 2 : speed, heading, running ? beh.motion.running_cadence_hz : beh.motion.cadence_hz, t0, running ? 2.5 : 1);
    }
    else if (ctx === CONTEXT_CODE.hand) this.sway(d, b, 0.25, 0.08);
    else if (ctx === CONTEXT_CODE.pocket) this.sway(d, b, 0.05, 0.02);
    if (activity === Activity.Drive) this.vehicle(d, b, speed, prevSpeed, heading, prevHeading, m.road_class);

    // The active event.
    if (this.ev[d] !== Ev.None) this.event(d, b, ctx, heading);
  }

  /** The everyday-motion event device d is in (or last had): its name, start and end; null when none. */
  currentEvent(d: number): { kind: string; from: number; to: number } | null {
    const k = this.ev[d]! as Ev;
    if (k === Ev.None) return null;
    return { kind: EVENT_NAMES[k]!, from: this.evT[d]!, to: this.evT[d]! + this.evDur[d]! };
  }

  private start(d: number, kind: Ev, at: number, amp: number, dur: number): void {
    this.ev[d] = kind;
    this.evT[d] = at;
    this.evA[d] = amp;
    this.evDur[d] = dur;
  }

  private gait(d: number, b: Block, ctx: number, speed: number, heading: number, cadence: readonly number[], t0: number, scale = 1): void {
    const [lo, hi] = cadence as [number, number];
    // Cadence: the person's own within the range, nudged up with walking speed (0.5–1.5 m/s).
    const base = lo + (hi - lo) * (0.5 * this.trait(d, 2) + 0.5 * Math.min(1, Math.max(0, (speed - 0.5) / 1.0)));
    const f = Math.min(base, 0.4 * b.fs);
    const A = scale * GAIT_AMPLITUDE[ctx]! * (0.85 + 0.3 * this.trait(d, 3));
    const W = GAIT_ROTATION[ctx]!;
    const phase0 = 2 * Math.PI * this.trait(d, 4);
    const fe = Math.sin(heading), fn = Math.cos(heading); // walking direction (east, north)
    for (let i = 0; i < b.n; i++) {
      const t = (b.k0 + i) / b.fs;
      const ph = 2 * Math.PI * f * t + phase0;
      const step = Math.floor(ph / (2 * Math.PI));
      const scatter = 0.9 + 0.2 * stableUniform(this.key, d, 1000 + (step & 0xfffff));
      const vert = A * scatter * (Math.sin(ph) + 0.5 * Math.sin(2 * ph + 0.8));
      const fore = 0.5 * A * scatter * Math.sin(ph + 1.2);
      const side = 0.3 * A * Math.sin(0.5 * ph);
      b.au[i] = b.au[i]! + vert;
      b.ae[i] = b.ae[i]! + fore * fe + side * fn;
      b.an[i] = b.an[i]! + fore * fn - side * fe;
      // The phone swings with the thigh (pocket) or the arm (hand) at the stride frequency.
      b.wx[i] = b.wx[i]! + W * Math.sin(0.5 * ph);
      b.wz[i] = b.wz[i]! + 0.3 * W * Math.sin(ph + 0.4);
    }
    void t0;
  }

  private sway(d: number, b: Block, acc: number, rot: number): void {
    for (let k = 0; k < 3; k++) {
      const f = 0.5 + 1.5 * this.trait(d, 10 + k), ph = 2 * Math.PI * this.trait(d, 20 + k);
      const a = acc * (0.5 + this.trait(d, 30 + k)), w = rot * (0.5 + this.trait(d, 40 + k));
      for (let i = 0; i < b.n; i++) {
        const s = Math.sin(2 * Math.PI * f * ((b.k0 + i) / b.fs) + ph);
        if (k === 0) b.au[i] = b.au[i]! + a * s;
        else if (k === 1) b.ae[i] = b.ae[i]! + a * s;
        else b.an[i] = b.an[i]! + a * s;
        if (k === 0) b.wx[i] = b.wx[i]! + w * s;
        else if (k === 1) b.wy[i] = b.wy[i]! + w * s;
        else b.wz[i] = b.wz[i]! + w * s;
      }
    }
  }

  private vehicle(d: number, b: Block, speed: number, prevSpeed: number, heading: number, prevHeading: number, cls: keyof typeof ROUGHNESS): void {
    const n = b.n, dt = b.t1 - b.t0;
    if (!this.seeded[d]) {
      seedFastState(this.rng, 4 * d, this.seed, 'ride', d);
      this.seeded[d] = 1;
    }
    // Road roughness through the quarter-car response.
    const { body, wheel, norm } = this.rideFilters(b.fs);
    const rms = RIDE_K * Math.sqrt((ROUGHNESS[cls] / 1e-6) * Math.max(speed, 0));
    if (this.noise.length < n) this.noise = new Float32Array(n);
    fillGaussian(this.rng, 4 * d, this.noise, 0, n, 1, 1);
    const st = this.ride, o = 8 * d;
    let b1 = st[o]!, b2 = st[o + 1]!, w1 = st[o + 2]!, w2 = st[o + 3]!;
    for (let i = 0; i < n; i++) {
      const v = this.noise[i]!;
      const yb = body.b0 * v + b1; b1 = body.b1 * v - body.a1 * yb + b2; b2 = body.b2 * v - body.a2 * yb;
      const yw = wheel.b0 * v + w1; w1 = wheel.b1 * v - wheel.a1 * yw + w2; w2 = wheel.b2 * v - wheel.a2 * yw;
      b.au[i] = b.au[i]! + rms * norm * (RIDE_BODY.w * yb + RIDE_WHEEL.w * yw);
    }
    st[o] = b1; st[o + 1] = b2; st[o + 2] = w1; st[o + 3] = w2;
    // Braking and acceleration along the travel direction; centripetal force and yaw rate in turns.
    const along = (speed - prevSpeed) / dt;
    let dh = heading - prevHeading;
    if (dh > Math.PI) dh -= 2 * Math.PI;
    if (dh < -Math.PI) dh += 2 * Math.PI;
    const yaw = speed > 1 ? dh / dt : 0;
    // The route model changes speed and heading from one tick to the next; a car cannot: braking
    // and cornering are held to what drivers do (under 0.5 g braking, 0.3 g speeding up, 0.5 g in
    // a turn), and each tick's force ramps from the last one's, so no step at a tick boundary
    // looks like a pothole or a crash to a detector.
    const alongG = Math.max(-0.5 * G, Math.min(0.3 * G, along));
    const lateral = Math.max(-0.5 * G, Math.min(0.5 * G, speed * yaw));
    // Ramped in east/north components: a force must not swing round when the heading does.
    const fe = Math.sin(heading), fn = Math.cos(heading);
    const east = alongG * fe + lateral * fn, north = alongG * fn - lateral * fe;
    const prevEast = st[o + 4]!, prevNorth = st[o + 5]!;
    st[o + 4] = east; st[o + 5] = north;
    for (let i = 0; i < n; i++) {
      const u = (i + 1) / n;
      b.ae[i] = b.ae[i]! + prevEast + u * (east - prevEast);
      b.an[i] = b.an[i]! + prevNorth + u * (north - prevNorth);
      b.wu[i] = b.wu[i]! - yaw; // heading is clockwise from north; yaw rate about up is counter-clockwise
    }
  }

  private event(d: number, b: Block, ctx: number, heading: number): void {
    const kind = this.ev[d]! as Ev, t = this.evT[d]!, a = this.evA[d]!, dur = this.evDur[d]!;
    const fs = b.fs;
    if (b.t0 > t + dur) {
      this.ev[d] = Ev.None;
      return;
    }
    switch (kind) {
      case Ev.DoorSlam:
        addDampedSine(b.au, b.k0, b.n, fs, t, a * G, 18, 0.2);
        addDampedSine(b.ae, b.k0, b.n, fs, t, 0.5 * a * G, 15, 0.2);
        break;
      case Ev.Knock:
        addDampedSine(b.au, b.k0, b.n, fs, t, a * G, 30, 0.15);
        break;
      case Ev.Handling:
        // Lifting or setting down: about 0.3 g and 2 rad/s over half a second.
        addHalfSine(b.au, b.k0, b.n, fs, t, 0.5, 0.3 * G);
        addHalfSine(b.ae, b.k0, b.n, fs, t + 0.1, 0.4, 0.15 * G);
        addHalfSine(b.wx, b.k0, b.n, fs, t, 0.5, 2);
        addHalfSine(b.wy, b.k0, b.n, fs, t + 0.2, 0.5, -1);
        break;
      case Ev.Drop: {
        // Free fall from hand height (0.45 s), tumbling; then the floor strikes back; the phone stays there.
        const fall = 0.45;
        for (let i = 0; i < b.n; i++) {
          const s = (b.k0 + i) / fs;
          if (s >= t && s < t + fall) {
            b.au[i] = b.au[i]! - G; // specific force vanishes in free fall
            b.wx[i] = b.wx[i]! + 6;
            b.wy[i] = b.wy[i]! + 3;
          }
        }
        addHalfSine(b.au, b.k0, b.n, fs, t + fall, 0.002, a * G);
        addHalfSine(b.au, b.k0, b.n, fs, t + fall + 0.12, 0.002, 0.3 * a * G);
        if (b.t1 > t + fall && ctx !== CONTEXT_CODE.table) {
          this.context[d] = CONTEXT_CODE.table; // lies on the floor until picked up
          this.prevCtx[d] = CONTEXT_CODE.table;
          seedKeyed(this.st, 0, this.key, d, 0x7fff0000 + Math.floor(t));
          drawPose(CONTEXT_CODE.table, this.r, this.pose, 3 * d);
        }
        break;
      }
      case Ev.Elevator: {
        // Accelerate for 2 s, cruise, decelerate for 2 s; the altitude follows.
        const acc = 1.0 * Math.sign(a), ramp = 2;
        for (let i = 0; i < b.n; i++) {
          const s = (b.k0 + i) / fs - t;
          if (s < 0 || s >= dur) continue;
          if (s < ramp) b.au[i] = b.au[i]! + acc * Math.sin((Math.PI * s) / ramp);
          else if (s > dur - ramp) b.au[i] = b.au[i]! - acc * Math.sin((Math.PI * (s - dur + ramp)) / ramp);
        }
        this.climb(d, b, t, dur, a);
        break;
      }
      case Ev.Stairs: {
        // Climbing at 0.25 m/s of height with a stair gait (about 1.8 steps/s), phone as placed.
        const A = GAIT_AMPLITUDE[ctx === CONTEXT_CODE.table ? CONTEXT_CODE.hand : ctx]! * 1.2;
        for (let i = 0; i < b.n; i++) {
          const s = (b.k0 + i) / fs - t;
          if (s < 0 || s >= dur) continue;
          const ph = 2 * Math.PI * 1.8 * s;
          b.au[i] = b.au[i]! + A * (Math.sin(ph) + 0.4 * Math.sin(2 * ph));
          b.ae[i] = b.ae[i]! + 0.4 * A * Math.sin(ph + 1) * Math.sin(heading);
          b.an[i] = b.an[i]! + 0.4 * A * Math.sin(ph + 1) * Math.cos(heading);
        }
        this.climb(d, b, t, dur, a);
        break;
      }
    }
  }

  /** Moves the altitude linearly by dh over [t, t + dur): this tick's share, from its start altitude. */
  private climb(d: number, b: Block, t: number, dur: number, dh: number): void {
    const frac = (s: number) => Math.min(1, Math.max(0, (s - t) / dur));
    b.alt0 = this.alt[d]!;
    b.alt1 = b.alt0 + dh * (frac(b.t1) - frac(b.t0));
    this.alt[d] = b.alt1;
  }
}
