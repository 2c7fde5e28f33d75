/**
 * Everyday events at rates per hour (behaviour profile `motion`): door slams and desk knocks under
 * phones on tables; drops from the hand (free fall, a 30–100 g floor impact, then the phone lies on
 * the floor); elevator rides and stairs indoors (the barometer sees the altitude change); and a
 * handling transient whenever the phone is picked up or put down. Draws are counter-based — (seed,
 * `motion`, device, tick) — so events do not depend on which thread renders them.
 */
import { G } from '../../core/units.js';
import { FastRandom, seedKeyed, stableUniform } from '../../core/random.js';
import type { ColumnSet } from '../../core/columns.js';
import type { Block } from '../../plugin/index.js';
import { addDampedSine, addHalfSine } from '../../hazards/impulse.js';
import { CONTEXT_CODE, type BehaviourProfile } from '../behaviour.js';
import { Activity } from '../mobility.js';
import { drawPose } from '../../sensors/pose.js';
import { GAIT_AMPLITUDE } from './gait.js';

export const enum Ev { None = 0, DoorSlam = 1, Knock = 2, Drop = 3, Elevator = 4, Stairs = 5, Handling = 6, SitDown = 7, StandUp = 8 }
/** Names of everyday-motion events, by code. */
export const EVENT_NAMES = ['none', 'door-slam', 'knock', 'drop', 'elevator', 'stairs', 'handling', 'sit-down', 'stand-up'] as const;

/**
 * Sitting down and standing up with the phone in a trouser pocket (Matey-Sanz et al. 2023
 * timed-up-and-go data, calibration/motion/walking-tug.json's source, pocketed phones: sitting
 * down takes 1.0–1.85 s (median 1.3 s) and turns the phone 48–82° (median 69°); standing up
 * 0.9–1.4 s). The thigh turns about the hip with the pocket ~0.25 m from it, and the hip drops or
 * rises by the seat's height below standing hip height (~0.45 m: seat 0.45 m, hip 0.9 m). That
 * kinematics alone peaks at 1.4 m/s² of |a| − g where the real sit-downs peak at 2.8–8.5 (median
 * 4.8): the seat stops the body. A 0.15 s half-sine of 3.5 m/s² up as the hip lands is set on that
 * median (the one constant here fitted to the data, not read from it).
 */
export const POSTURE = { sitSeconds: [1.0, 1.85], standSeconds: [0.9, 1.4], angleRad: [(48 * Math.PI) / 180, (82 * Math.PI) / 180], pocketRadius: 0.25, drop: 0.45, seatContact: 3.5, seatContactSeconds: 0.15 } as const;

export class EverydayEvents {
  private readonly ev: Uint8Array;
  private readonly evT: Float64Array;
  private readonly evA: Float32Array;
  private readonly evDur: Float32Array;
  private readonly context: Uint8Array;
  private readonly prevCtx: Uint8Array;
  private readonly pose: Float32Array;
  /** The angle (rad) a seated person's pocketed phone is turned by the thigh; 0 standing. */
  private readonly seated: Float32Array;
  private readonly st = new Int32Array(4);
  private readonly r = new FastRandom(this.st);

  constructor(private readonly key: number, c: ColumnSet, readonly alt: Float32Array) {
    this.ev = c.u8('motion.ev'); this.evT = c.f64('motion.ev_t'); this.evA = c.f32('motion.ev_a'); this.evDur = c.f32('motion.ev_dur');
    this.context = c.u8('ctx.context'); this.prevCtx = c.u8('motion.prev_ctx');
    this.pose = c.f32('pose');
    this.seated = c.f32('motion.seated');
  }

  /** Holds a seated person's pocketed phone turned with the thigh over block b (when no sit or stand is under way). */
  holdPosture(d: number, b: Block, ctx: number): void {
    const th = this.seated[d]!;
    if (th === 0 || ctx !== CONTEXT_CODE.pocket) return;
    const k = this.ev[d];
    if (k === Ev.SitDown || k === Ev.StandUp) return;
    for (let i = 0; i < b.n; i++) b.sx[i] = b.sx[i]! + th;
    b.swung = true;
  }

  /** Device d's owner leaves while seated: a stand-up now (or at once, when another event is under way). */
  leaveSeat(d: number, at: number): void {
    if (this.seated[d] === 0 || this.ev[d] === Ev.StandUp) return;
    if (this.ev[d] !== Ev.None) { this.seated[d] = 0; return; }
    const [d0, d1] = POSTURE.standSeconds;
    this.start(d, Ev.StandUp, at, this.seated[d]!, (d0 + d1) / 2);
  }

  /** Whether device d is in an event. */
  active(d: number): boolean {
    return this.ev[d] !== Ev.None;
  }

  /** Starts a handling transient (picked up or put down) unless another event is running. */
  handle(d: number, at: number): void {
    if (this.ev[d] === Ev.None) this.start(d, Ev.Handling, at, 1, 1);
  }

  /** Maybe starts an event in tick `tick` = [t0, t0 + dt) for a phone in context `ctx` doing `activity`. */
  maybeStart(d: number, m: BehaviourProfile['motion'], activity: number, ctx: number, tick: number, t0: number, dt: number): void {
    if (this.ev[d] !== Ev.None) return;
    // One draw decides whether an event starts in this tick (at most one does, at the total rate of
    // the events possible here), a second which one, in proportion to its rate.
    const indoors = activity === Activity.Home || activity === Activity.Work;
    const onTable = ctx === CONTEXT_CODE.table, inHand = ctx === CONTEXT_CODE.hand;
    const rDoor = onTable ? m.door_slam_per_h : 0, rKnock = onTable ? m.knock_per_h : 0, rDrop = inHand ? m.drop_per_h : 0;
    const rElevator = indoors ? m.elevator_per_h : 0, rStairs = indoors ? m.stairs_per_h : 0;
    const rPosture = indoors && ctx === CONTEXT_CODE.pocket ? m.sit_stand_per_h : 0;
    const total = rDoor + rKnock + rDrop + rElevator + rStairs + rPosture;
    if (!(total > 0) || stableUniform(this.key, d, tick * 16) >= (total / 3600) * dt) return;
    seedKeyed(this.st, 0, this.key, d, tick * 16 + 8);
    let pick = this.r.uniform() * total;
    const kind = (pick -= rDoor) < 0 ? Ev.DoorSlam : (pick -= rKnock) < 0 ? Ev.Knock : (pick -= rDrop) < 0 ? Ev.Drop : (pick -= rElevator) < 0 ? Ev.Elevator
      : (pick -= rStairs) < 0 ? Ev.Stairs : this.seated[d] ? Ev.StandUp : Ev.SitDown;
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
      case Ev.SitDown: {
        // The angle the thigh turns (signed toward the way this pocketed phone points), and how long it takes.
        const sign = this.pose[3 * d + 1]! >= 0 ? -1 : 1, [a0, a1] = POSTURE.angleRad, [d0, d1] = POSTURE.sitSeconds;
        this.start(d, kind, at, sign * (a0 + (a1 - a0) * this.r.uniform()), d0 + (d1 - d0) * this.r.uniform());
        break;
      }
      case Ev.StandUp: {
        const [d0, d1] = POSTURE.standSeconds;
        this.start(d, kind, at, this.seated[d]!, d0 + (d1 - d0) * this.r.uniform());
        break;
      }
    }
  }

  /** The everyday-motion event device d is in (or last had): its name, start and end; null when none. */
  currentEvent(d: number): { kind: string; from: number; to: number } | null {
    const k = this.ev[d]! as Ev;
    if (k === Ev.None) return null;
    return { kind: EVENT_NAMES[k]!, from: this.evT[d]!, to: this.evT[d]! + this.evDur[d]! };
  }

  start(d: number, kind: Ev, at: number, amp: number, dur: number): void {
    this.ev[d] = kind;
    this.evT[d] = at;
    this.evA[d] = amp;
    this.evDur[d] = dur;
  }

  /** Adds the running event's signal over block b. */
  render(d: number, b: Block, ctx: number, heading: number): void {
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
      case Ev.SitDown:
      case Ev.StandUp: {
        // The thigh turns about the hip by the event's angle (a cycloid in time: quick in the middle,
        // gentle at both ends), and the hip drops or rises by the seat height; the pocket, a lever
        // arm r from the hip, adds tangential (r·α) and centripetal (r·ω²) forces. The phone's
        // gyroscope reports the turn about its own x axis; the angle goes to the block's swing.
        const sitting = kind === Ev.SitDown, from = sitting ? 0 : a, to = sitting ? a : 0;
        const r = POSTURE.pocketRadius, H = (sitting ? -1 : 1) * POSTURE.drop;
        const m0 = Math.abs(from), dm = Math.abs(to) - m0, fe = Math.sin(heading), fn = Math.cos(heading);
        for (let i = 0; i < b.n; i++) {
          const s = (b.k0 + i) / fs - t;
          if (s < 0) { b.sx[i] = b.sx[i]! + from; continue; }
          if (s >= dur) { b.sx[i] = b.sx[i]! + to; continue; }
          const u = s / dur, sw = Math.sin(2 * Math.PI * u), cw = Math.cos(2 * Math.PI * u);
          const shape = u - sw / (2 * Math.PI), rate = (1 - cw) / dur, acc = (2 * Math.PI * sw) / (dur * dur);
          b.sx[i] = b.sx[i]! + from + (to - from) * shape;
          b.wx[i] = b.wx[i]! + (to - from) * rate;
          // The pocket at r·(sin θ forward − cos θ up) from the hip, θ the thigh's angle from hanging.
          const th = m0 + dm * shape, w = dm * rate, al = dm * acc, c = Math.cos(th), sn = Math.sin(th);
          const fwd = r * (c * al - sn * w * w), up = r * (sn * al + c * w * w) + H * acc;
          b.au[i] = b.au[i]! + up;
          b.ae[i] = b.ae[i]! + fwd * fe;
          b.an[i] = b.an[i]! + fwd * fn;
        }
        if (sitting) addHalfSine(b.au, b.k0, b.n, fs, t + dur - POSTURE.seatContactSeconds, POSTURE.seatContactSeconds, POSTURE.seatContact);
        b.swung = true;
        if (b.t1 >= t + dur) this.seated[d] = to;
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
