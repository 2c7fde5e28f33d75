/**
 * The per-device loop as a declared list of stages, like FLAME GPU's layers. Each stage says what
 * it reads and writes; a fidelity is a list of stages. `signal` renders every sensor sample:
 *
 *   move → context → excite → sense → detect → report
 *
 * The stages share one TickFrame (the current device, tick and sample buffers), so the loop
 * allocates nothing per sample. The trigger-fidelity mode replaces excite/sense/detect with one
 * stage that draws triggers from measured response curves (trigger-stage.ts); fidelities.ts lists
 * the stages of each fidelity.
 */
import { G } from '../core/units.js';
import { CONTEXT_SLOTS, contextSlot, heartbeatAfter, heartbeatPhase, type Runtimes } from './setup.js';
import { newBlock, resetBlock } from './block.js';
import { NoiseKernel } from '../core/noise-kernel.js';
import { rotateBlock, rotateBlockBlend, rotation, swingBlock, yawBlock } from '../sensors/pose.js';
import { Activity } from '../population/mobility.js';
import type { Block, DetectorRuntime, DetectorSink, SensorBlock, TriggerMessage, WindowRequest } from '../plugin/index.js';
import type { SensorOutput } from './tap.js';
import { MessageBuilder } from './message-block.js';
import { TelemetryRecorder } from '../fleet/telemetry.js';

/** Sample index of time t at rate fs (ticks hold whole numbers of samples). */
export const sampleIndex = (t: number, fs: number): number => Math.ceil(t * fs - 1e-6);

/** One stage of the per-device loop. */
export interface DeviceStage {
  name: string;
  /** Columns or buffers it reads and writes (recorded in every run's manifest). */
  reads: readonly string[];
  writes: readonly string[];
  step(f: TickFrame): void;
  /**
   * Event stepping (trigger fidelity): called right after `step`, the earliest time this stage
   * needs device f.d stepped again — the first tick whose end reaches it is stepped (Infinity:
   * never by itself). Returning f.t1 asks for the next tick. A fidelity whose stages all have it
   * steps each phone only at its events; a skipped span of ticks is reported to the next step as
   * f.since / f.gapTicks, and stages account for it there (nothing of theirs changes inside it).
   */
  next?(f: TickFrame): number;
  /**
   * Event stepping: the run's last tick for a device none of whose stages has work before the run
   * ends. When every stage can (`canClose`), each accounts for the span since the device's last
   * step and the last tick itself (f.since / f.gapTicks as for a step, f set to the last tick)
   * exactly as `step` would there, without the rest of a step; else the device steps there.
   */
  canClose?(f: TickFrame): boolean;
  close?(f: TickFrame): void;
}

let shared: { block: Block; gyro: { x: Float32Array; y: Float32Array; z: Float32Array }; baro: Float32Array; before: { e: Float32Array; n: Float32Array; u: Float32Array; m: Float32Array }; generation: number } | undefined;

/**
 * Preallocated buffers of a thread, grown to the largest tick any phone profile needs. The specific
 * force (ae, an, au) lives in the noise kernel's memory, so the sensor models add noise in place.
 */
function buffers(n: number, pn: number) {
  const kernel = NoiseKernel.get();
  if (!shared || shared.block.dp.length < pn || kernel.capacity < n || shared.generation !== kernel.generation || shared.gyro.x.length < n) {
    kernel.ensure(Math.max(n, kernel.capacity));
    const N = kernel.capacity, PN = Math.max(pn, shared?.block.dp.length ?? 0);
    const block = newBlock(N, PN);
    block.ae = kernel.block.ae; block.an = kernel.block.an; block.au = kernel.block.au;
    shared = {
      block, gyro: { x: new Float32Array(N), y: new Float32Array(N), z: new Float32Array(N) }, baro: new Float32Array(PN),
      before: { e: new Float32Array(N), n: new Float32Array(N), u: new Float32Array(N), m: new Float32Array(N) }, generation: kernel.generation,
    };
  }
  return shared;
}

/** What the stages share while they process one device's tick: the device, the tick, the buffers, the outputs. */
export class TickFrame {
  /** What the chunk's phones send (heartbeats straight into columns). */
  readonly messages = new MessageBuilder();
  readonly windows: WindowRequest[] = [];
  /** Scoring truth: the phone's true context slot (context, driving or not) when it submitted each window (never sent anywhere). */
  readonly windowContexts: number[] = [];
  /** The detector (index into the scenario's detectors) that submitted each window. */
  readonly windowDetectors: number[] = [];
  samples = 0;
  /** Ticks phones of each profile spent monitoring. */
  readonly monitoredTicks: Float64Array;
  /** Current device and its profile's rates. */
  d = 0;
  fs = 0;
  pfs = 0;
  hasGyro = false;
  detector: DetectorRuntime | undefined;
  /** Its index into the scenario's detectors. */
  detectorIndex = 0;
  /** The firmware variant the current device runs this tick (0: its profile as it is). */
  firmware = 0;
  /** Per-period telemetry of the chunk's phones (scenarios with a fleet section). */
  readonly telemetry: TelemetryRecorder | undefined;
  /** Which detector each phone runs in a staged rollout (0 its own, 1 the candidate). */
  readonly model: Uint8Array | undefined;
  /** Every phone is stepped at every tick (the check on event stepping): no stage settles anything ahead of its tick. */
  everyTick = false;
  /** Current tick. */
  i = 0;
  t0 = 0;
  t1 = 0;
  /**
   * End of the device's previous stepped tick (t0 unless ticks were skipped) and how many ticks
   * were skipped; what the phone was doing during them (set by the context stage before it updates).
   */
  since = 0;
  gapTicks = 0;
  heldMonitoring = 0;
  heldContext = 0;
  /** Samples of this tick at fs, and whether mobility changed the device's state. */
  k0 = 0;
  n = 0;
  changed = false;
  /** Whether the phone's sensors were rendered this tick (it monitors, or a tap listens). */
  sensed = false;
  readonly block: Block;
  readonly gyro: { x: Float32Array; y: Float32Array; z: Float32Array };
  readonly baro: Float32Array;
  readonly before: { e: Float32Array; n: Float32Array; u: Float32Array; m: Float32Array };
  readonly sensor: SensorBlock;
  readonly sink: DetectorSink;
  private readonly phone: Uint8Array;
  private readonly rates: number[];
  private readonly baroRates: number[];

  private constructor(readonly rt: Runtimes) {
    const cols = rt.state.columns, clock = rt.state.clock;
    this.phone = cols.u8('phone');
    this.rates = rt.state.scenario.phones.map((p) => p.accelerometer.rate_hz);
    this.baroRates = rt.state.scenario.phones.map((p) => p.barometer?.rate_hz ?? 0);
    this.monitoredTicks = new Float64Array(this.rates.length);
    const maxN = Math.max(...this.rates.map((fs) => Math.ceil(clock.tick * fs) + 1));
    const maxPn = Math.max(0, ...this.baroRates.map((fs) => Math.ceil(clock.tick * fs) + 1));
    const buf = buffers(maxN, maxPn);
    this.block = buf.block; this.gyro = buf.gyro; this.baro = buf.baro; this.before = buf.before;
    this.sensor = { k0: 0, n: 0, fs: 0, ax: buf.gyro.x, ay: buf.gyro.x, az: buf.gyro.x, gx: null, gy: null, gz: null, p: null, pfs: 0, pk0: 0, pn: 0 };
    const triggerOnset = cols.f64('trigger.onset');
    // Scoring truth: triggers counted under the context the phone is really in when it sends them.
    const trueContext = cols.u8('ctx.context'), contextTriggers = cols.u32('truth.context_triggers'), activity = rt.mobility.activity;
    const slot = () => contextSlot(trueContext[this.d]!, activity[this.d] === Activity.Drive);
    const { clocks, gnss } = rt;
    const fleet = rt.state.scenario.config.fleet;
    this.telemetry = fleet ? new TelemetryRecorder({ columns: cols, every: fleet.telemetry_every, batteryKey: rt.batteryKey }) : undefined;
    this.model = rt.state.scenario.candidate ? cols.u8('fleet.model') : undefined;
    const candidateTriggers = this.model ? cols.u32('truth.candidate_triggers') : undefined;
    // Phones stamp messages with their own clock and report where their GNSS says they are.
    const stamp = (m: TriggerMessage) => {
      m.deviceTime = clocks.time(this.d, m.time);
      m.onsetDeviceTime = clocks.time(this.d, m.onsetDeviceTime);
      m.x = gnss.rx[this.d]!;
      m.y = gnss.ry[this.d]!;
    };
    this.sink = {
      emit: (m) => {
        if (m.kind === 'trigger') {
          triggerOnset[this.d] = m.onsetDeviceTime;
          contextTriggers[CONTEXT_SLOTS * this.d + slot()]!++;
          this.telemetry?.countTrigger(this.d);
          if (candidateTriggers && this.model![this.d]) candidateTriggers[this.d]!++;
        }
        stamp(m);
        this.messages.push(m);
      },
      submit: (w) => {
        triggerOnset[this.d] = w.message.onsetDeviceTime;
        stamp(w.message);
        this.windows.push(w);
        this.windowContexts.push(slot());
        this.windowDetectors.push(this.detectorIndex);
      },
    };
  }

  static of(rt: Runtimes): TickFrame {
    return new TickFrame(rt);
  }

  /** Starts device d. */
  device(d: number): void {
    const rt = this.rt, p = this.phone[d]!;
    this.d = d;
    this.fs = this.rates[p]!;
    this.pfs = (rt.wantBaro || rt.detectorBaro[p]!) && rt.barometer.has(d) ? this.baroRates[p]! : 0;
    this.hasGyro = (rt.wantGyro || rt.detectorGyro[p]!) && rt.gyroscope.has(d);
    this.detectorIndex = this.model?.[d] ? rt.state.scenario.candidate!.detector : rt.phoneDetector[p]!;
    this.detector = rt.detectors[this.detectorIndex];
  }

  /** Starts tick i = [t0, t1) of the current device. */
  tick(i: number, t0: number, t1: number): void {
    this.i = i; this.t0 = t0; this.t1 = t1;
    this.since = t0; this.gapTicks = 0;
    this.k0 = sampleIndex(t0, this.fs);
    this.n = sampleIndex(t1, this.fs) - this.k0;
    this.changed = false;
    this.sensed = false;
  }

  /** The current device's phone profile index. */
  get profile(): number {
    return this.phone[this.d]!;
  }
}

/** What each stage reads and writes (recorded in every run's manifest). */
const DECLARATIONS: Record<string, { reads: readonly string[]; writes: readonly string[] }> = {
  move: { reads: ['mob.*', 'x', 'y'], writes: ['mob.*', 'x', 'y'] },
  context: { reads: ['mob.activity'], writes: ['ctx.*', 'pose', 'monitoring', 'truth.context_s'] },
  excite: { reads: ['mob.*', 'ctx.*', 'hazard*.'], writes: ['block (specific force, angular rate, pressure change)'] },
  sense: { reads: ['block', 'pose', 'accel.*', 'gyro.*', 'baro.*'], writes: ['sensor samples (device frame)', 'accel.*', 'gyro.*', 'baro.*'] },
  detect: { reads: ['sensor samples', 'detector*.', 'gnss.*'], writes: ['detector*.', 'trigger messages', 'model windows'] },
  report: { reads: ['mob.activity', 'monitoring', 'gnss.*'], writes: ['gnss.*', 'heartbeat messages'] },
};

export const declared = (name: string) => ({ name, ...DECLARATIONS[name]! });

/** move: hazards that act before motion (a crash stops its car), then mobility moves the person. */
export function moveStage(rt: Runtimes): DeviceStage {
  const preTick = rt.hazards.filter((h) => h.preTick);
  const moving = rt.mobility.anyMoving;
  return {
    ...declared('move'),
    step(f) {
      for (const h of preTick) h.preTick!(f.d, f.t0, f.t1);
      f.changed = moving ? rt.mobility.step(f.d, f.t0, f.t1) : false;
    },
    next(f) {
      if (preTick.length) return f.t1;
      return moving ? rt.mobility.nextChange(f.d, f.t1) : Infinity;
    },
    // Nothing moves before the run ends (walkers and drivers step every tick): nothing to account.
    canClose: () => preTick.length === 0,
    close() {},
  };
}

/** context: what the phone is doing (table, pocket, hand, vehicle), whether it is steady and monitoring. */
export function contextStage(rt: Runtimes): DeviceStage {
  const monitoring = rt.state.columns.u8('monitoring');
  const activity = rt.mobility.activity;
  const context = rt.state.columns.u8('ctx.context');
  const exposure = rt.state.columns.f64('truth.context_s');
  const joinsAt = rt.firmware.joinsAt;
  return {
    ...declared('context'),
    step(f) {
      const was = monitoring[f.d]!;
      // Skipped ticks: the phone stayed as it was (at rest, not driving: walkers and drivers step every tick) until this one.
      f.heldMonitoring = was; f.heldContext = context[f.d]!;
      if (f.gapTicks > 0 && was) exposure[CONTEXT_SLOTS * f.d + contextSlot(f.heldContext, false)]! += f.t0 - f.since;
      rt.contexts.update(f.d, activity[f.d]!, f.t1, f.changed);
      if (f.t0 < joinsAt[f.profile]!) monitoring[f.d] = 0; // a phone model that has not joined the fleet yet
      if (monitoring[f.d] && !was) f.detector?.reset(f.d);
      if (monitoring[f.d]) exposure[CONTEXT_SLOTS * f.d + contextSlot(context[f.d]!, activity[f.d] === Activity.Drive)]! += f.t1 - f.t0;
    },
    next(f) {
      return rt.contexts.nextChange(f.d, activity[f.d]!, f.t1);
    },
    // No change is due before the run ends, so update() would leave the phone as it is: only the exposure.
    canClose: () => true,
    close(f) {
      const was = monitoring[f.d]!;
      f.heldMonitoring = was; f.heldContext = context[f.d]!;
      if (f.gapTicks > 0 && was) exposure[CONTEXT_SLOTS * f.d + contextSlot(f.heldContext, false)]! += f.t0 - f.since;
      if (monitoring[f.d]) exposure[CONTEXT_SLOTS * f.d + contextSlot(context[f.d]!, activity[f.d] === Activity.Drive)]! += f.t1 - f.t0;
    },
  };
}

/** excite: physics in east/north/up — gravity, everyday motion, then every hazard and nuisance source. */
export function exciteStage(rt: Runtimes): DeviceStage {
  const hazards = rt.hazards, hn = hazards.length;
  const activity = rt.mobility.activity;
  return {
    ...declared('excite'),
    step(f) {
      const n = f.n;
      if (n <= 0) return;
      const b = f.block, pfs = f.pfs;
      b.t0 = f.t0; b.t1 = f.t1; b.k0 = f.k0; b.n = n; b.fs = f.fs;
      b.pfs = pfs;
      b.pk0 = pfs > 0 ? sampleIndex(f.t0, pfs) : 0;
      b.pn = pfs > 0 ? sampleIndex(f.t1, pfs) - b.pk0 : 0;
      resetBlock(b, n, b.pn, G, f.hasGyro || rt.tap !== undefined);
      rt.motion.render(f.d, b, activity[f.d]!, f.i);
      const tap = rt.tap, before = f.before;
      if (tap) { before.e.set(b.ae.subarray(0, n)); before.n.set(b.an.subarray(0, n)); before.u.set(b.au.subarray(0, n)); }
      for (let h = 0; h < hn; h++) hazards[h]!.render(f.d, b);
      if (tap) {
        for (let k = 0; k < n; k++) {
          const e = b.ae[k]! - before.e[k]!, nn = b.an[k]! - before.n[k]!, u = b.au[k]! - before.u[k]!;
          before.m[k] = Math.sqrt(e * e + nn * nn + u * u);
        }
      }
    },
  };
}

/** sense: into the phone's frame by its pose, then through its accelerometer, gyroscope and barometer models. */
export function senseStage(rt: Runtimes): DeviceStage {
  const cols = rt.state.columns;
  const monitoring = cols.u8('monitoring');
  const pose = cols.f32('pose'), posePrev = cols.f32('pose.prev');
  const R = new Float64Array(9), R0 = new Float64Array(9);
  let rRoll = NaN, rPitch = NaN, rYaw = NaN;
  const { accelerometer, gyroscope, barometer } = rt;
  return {
    ...declared('sense'),
    step(f) {
      const n = f.n, d = f.d, b = f.block, tap = rt.tap;
      if (n <= 0 || !(monitoring[d] || tap)) return;
      f.sensed = true;
      // The rotation of the last pose computed (a device's ticks run one after another, and its pose rarely changes).
      const roll = pose[3 * d]!, pitch = pose[3 * d + 1]!, yaw = pose[3 * d + 2]!;
      if (roll !== rRoll || pitch !== rPitch || yaw !== rYaw) { rotation(roll, pitch, yaw, R); rRoll = roll; rPitch = pitch; rYaw = yaw; }
      // A new pose since the last tick (picked up, put down, put away): turn into it over this tick.
      const p0 = 3 * d, turning = !Number.isNaN(posePrev[p0]!) && (posePrev[p0] !== pose[p0] || posePrev[p0 + 1] !== pose[p0 + 1] || posePrev[p0 + 2] !== pose[p0 + 2]);
      if (turning) rotation(posePrev[p0]!, posePrev[p0 + 1]!, posePrev[p0 + 2]!, R0);
      posePrev[p0] = pose[p0]!; posePrev[p0 + 1] = pose[p0 + 1]!; posePrev[p0 + 2] = pose[p0 + 2]!;
      const hasGyro = f.hasGyro, gyro = f.gyro;
      if (hasGyro) {
        const gx = gyro.x, gy = gyro.y, gz = gyro.z;
        for (let k = 0; k < n; k++) { gx[k] = b.we[k]!; gy[k] = b.wn[k]!; gz[k] = b.wu[k]!; }
        rotateBlock(R, n, gx, gy, gz);
        for (let k = 0; k < n; k++) { gx[k] = gx[k]! + b.wx[k]!; gy[k] = gy[k]! + b.wy[k]!; gz[k] = gz[k]! + b.wz[k]!; }
      }
      // A phone in a vehicle: its pose is relative to the vehicle, which turns.
      if (b.yawed) yawBlock(n, b.dyaw, b.ae, b.an);
      if (turning) rotateBlockBlend(R0, R, n, b.ae, b.an, b.au);
      else rotateBlock(R, n, b.ae, b.an, b.au);
      // A phone swinging with a thigh or an arm: gravity turns in its frame as its gyroscope says.
      if (b.swung) swingBlock(n, b.sx, b.sy, b.sz, b.ae, b.an, b.au);
      const dt = f.t1 - f.t0;
      if (hasGyro) gyroscope.apply(d, n, dt, gyro.x, gyro.y, gyro.z, b.ae, b.an, b.au);
      accelerometer.apply(d, n, dt, b.ae, b.an, b.au, undefined, undefined, undefined, f.firmware);
      if (b.pn > 0) barometer.read(d, f.t0, f.t1, b.pk0, b.pn, f.pfs, b.alt0, b.alt1, b.dp, f.baro);
      tap?.({ d, block: b, ax: b.ae, ay: b.an, az: b.au, gx: hasGyro ? gyro.x : null, gy: hasGyro ? gyro.y : null, gz: hasGyro ? gyro.z : null, p: b.pn > 0 ? f.baro : null, hazard: f.before.m } satisfies SensorOutput);
    },
  };
}

/** detect: the phone's detector on its own sensor samples (only while the phone monitors). */
export function detectStage(rt: Runtimes): DeviceStage {
  const monitoring = rt.state.columns.u8('monitoring');
  return {
    ...declared('detect'),
    step(f) {
      if (!f.sensed || !monitoring[f.d]) return;
      const b = f.block, sb = f.sensor, hasGyro = f.hasGyro;
      sb.k0 = f.k0; sb.n = f.n; sb.fs = f.fs; sb.ax = b.ae; sb.ay = b.an; sb.az = b.au;
      sb.gx = hasGyro ? f.gyro.x : null; sb.gy = hasGyro ? f.gyro.y : null; sb.gz = hasGyro ? f.gyro.z : null;
      sb.p = b.pn > 0 ? f.baro : null; sb.pfs = f.pfs; sb.pk0 = b.pk0; sb.pn = b.pn;
      f.detector!.process(f.d, sb, f.sink);
      f.samples += f.n;
      f.monitoredTicks[f.profile]++;
    },
  };
}

/**
 * report: a GNSS (or network) fix, then the heartbeats due in this tick report it. In the first
 * tick, the heartbeats of the warm-up before t = 0 go out too (with the phone's state at t = 0),
 * so the server's directory is as full at the start as in steady operation.
 */
export function reportStage(rt: Runtimes): DeviceStage {
  const cfg = rt.state.scenario.config;
  const monitoring = rt.state.columns.u8('monitoring');
  const activity = rt.mobility.activity;
  const every = cfg.network.heartbeat_every, warmup = cfg.network.warmup, outdoor = cfg.environment.outdoor;
  const { gnss, clocks } = rt;
  const joinsAt = rt.firmware.joinsAt;
  let phaseOf = -1, phase = 0;
  return {
    ...declared('report'),
    step(f) {
      const d = f.d, a = activity[d]!;
      gnss.update(d, f.t1 - f.since, a === Activity.Home || a === Activity.Work ? 'indoor' : outdoor);
      // A phone model that has not joined the fleet sends nothing (its first heartbeat comes when it joins).
      const joins = joinsAt[f.profile]!;
      const from = joins > 0 ? Math.max(f.t0, joins) : f.i === 0 ? f.t0 - warmup : f.t0;
      // The device's heartbeat phase, kept while its ticks run one after another.
      if (d !== phaseOf) { phaseOf = d; phase = heartbeatPhase(rt.heartbeatKey, d, every); }
      for (let hb = heartbeatAfter(phase, every, from); hb < f.t1; hb += every) {
        f.messages.heartbeat(d, hb, clocks.time(d, hb), gnss.rx[d]!, gnss.ry[d]!, monitoring[d]!);
      }
    },
    next(f) {
      // The phone's phase is current: step() just ran for this device.
      return heartbeatAfter(phase, every, f.t1);
    },
    // No heartbeat is due before the run ends, and nothing reads a fix after it.
    canClose: () => true,
    close() {},
  };
}

