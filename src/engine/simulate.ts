/**
 * The per-device inner loop: for each device of a chunk and each tick of an epoch, move the person,
 * update the phone's context, render what the phone experiences (gravity, everyday motion, hazards)
 * in east/north/up, rotate it into the phone's frame by its pose, pass it through the phone's
 * sensors, run the detector, take a GNSS fix, and send heartbeats. Allocation-free per sample;
 * per-device state lives in shared columns, so the result does not depend on which thread runs a
 * chunk or how time is cut into epochs.
 */
import { G } from '../core/units.js';
import { nextHeartbeat, type Runtimes } from './setup.js';
import { newBlock, resetBlock } from './block.js';
import { rotateBlock, rotateBlockBlend, rotation } from '../sensors/pose.js';
import { Activity } from '../population/mobility.js';
import type { Block, DetectorSink, SensorBlock, TriggerMessage, TruthRow, WindowRequest } from '../plugin/index.js';

export interface ChunkTask {
  /** First and last-plus-one tick of the epoch. */
  tickFrom: number;
  tickTo: number;
  /** Device range [deviceFrom, deviceTo). */
  deviceFrom: number;
  deviceTo: number;
}

/** Windows model-based detectors submitted during a chunk, packed for transfer to the main thread. */
export interface ChunkWindows {
  count: number;
  /** All windows' samples back to back; window i is data[offset[i] .. offset[i + 1]). */
  data: Float32Array;
  offset: Int32Array;
  device: Int32Array;
  /** Window end times, s. */
  time: Float64Array;
  /** What each device would send if its model says yes. */
  messages: TriggerMessage[];
}

export interface ChunkResult {
  messages: TriggerMessage[];
  /** Ground-truth rows hazards reported. */
  truth: TruthRow[];
  /** Accelerometer sample vectors rendered. */
  samples: number;
  /** Seconds phones of each profile spent monitoring. */
  monitoredSeconds: Float64Array;
  windows: ChunkWindows;
}

/** Packs windows for transfer. */
export function packWindows(list: WindowRequest[]): ChunkWindows {
  const count = list.length;
  const offset = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) offset[i + 1] = offset[i]! + list[i]!.data.length;
  const data = new Float32Array(offset[count]!);
  list.forEach((w, i) => data.set(w.data, offset[i]!));
  return {
    count, data, offset, device: Int32Array.from(list, (w) => w.device), time: Float64Array.from(list, (w) => w.time), messages: list.map((w) => w.message),
  };
}

/** Window i of packed windows as a request (its data a view into the packed array). */
export function unpackWindow(w: ChunkWindows, i: number): WindowRequest {
  return { device: w.device[i]!, time: w.time[i]!, message: w.messages[i]!, data: w.data.subarray(w.offset[i]!, w.offset[i + 1]!) };
}

/** What a phone's sensors output in one tick (device frame; SI units), for taps (record, datasets). */
export interface SensorOutput {
  d: number;
  block: Block;
  /** Accelerometer (m/s²) and gyroscope (rad/s, or null without one) at the accelerometer rate. */
  ax: Float32Array;
  ay: Float32Array;
  az: Float32Array;
  gx: Float32Array | null;
  gy: Float32Array | null;
  gz: Float32Array | null;
  /** Barometer readings (Pa) at the barometer rate, or null. */
  p: Float32Array | null;
  /** Ground truth: magnitude of the acceleration hazards added (m/s², before the sensor), per accelerometer sample. */
  hazard: Float32Array;
}

/** Sample index of time t at rate fs (ticks hold whole numbers of samples). */
export const sampleIndex = (t: number, fs: number): number => Math.ceil(t * fs - 1e-6);

let block: Block = newBlock(0, 0);
let gyro = { x: new Float32Array(0), y: new Float32Array(0), z: new Float32Array(0) };
let baro = new Float32Array(0);
/** Taps only: the block before hazards rendered, to measure what they added. */
let before = { e: new Float32Array(0), n: new Float32Array(0), u: new Float32Array(0), m: new Float32Array(0) };
const R = new Float64Array(9);
const R0 = new Float64Array(9);

function buffers(n: number, pn: number): Block {
  if (block.ae.length < n || block.dp.length < pn) block = newBlock(Math.max(n, block.ae.length), Math.max(pn, block.dp.length));
  if (gyro.x.length < n) gyro = { x: new Float32Array(n), y: new Float32Array(n), z: new Float32Array(n) };
  if (baro.length < pn) baro = new Float32Array(pn);
  if (before.e.length < n) before = { e: new Float32Array(n), n: new Float32Array(n), u: new Float32Array(n), m: new Float32Array(n) };
  return block;
}

export function simulateChunk(rt: Runtimes, task: ChunkTask): ChunkResult {
  const { state, hazards, detectors, phoneDetector, detectorGyro, detectorBaro, accelerometer, gyroscope, barometer, gnss, clocks, motion, mobility, contexts } = rt;
  const cols = state.columns;
  const phone = cols.u8('phone');
  const monitoring = cols.u8('monitoring');
  const pose = cols.f32('pose');
  const posePrev = cols.f32('pose.prev');
  const rates = state.scenario.phones.map((p) => p.accelerometer.rate_hz);
  const baroRates = state.scenario.phones.map((p) => p.barometer?.rate_hz ?? 0);
  const clock = state.clock;
  const messages: TriggerMessage[] = [];
  const windows: WindowRequest[] = [];
  const triggerOnset = cols.f64('trigger.onset');
  let current = 0;
  // Phones stamp messages with their own clock and report where their GNSS says they are.
  const stamp = (m: TriggerMessage) => {
    m.deviceTime = clocks.time(current, m.time);
    m.onsetDeviceTime = clocks.time(current, m.onsetDeviceTime);
    m.x = gnss.rx[current]!;
    m.y = gnss.ry[current]!;
  };
  const sink: DetectorSink = {
    emit(m) {
      if (m.kind === 'trigger') triggerOnset[current] = m.onsetDeviceTime;
      stamp(m);
      messages.push(m);
    },
    submit(w) {
      triggerOnset[current] = w.message.onsetDeviceTime;
      stamp(w.message);
      windows.push(w);
    },
  };
  const sb: SensorBlock = { k0: 0, n: 0, fs: 0, ax: gyro.x, ay: gyro.x, az: gyro.x, gx: null, gy: null, gz: null, p: null, pfs: 0, pk0: 0, pn: 0 };
  const monitoredSeconds = new Float64Array(rates.length);
  let samples = 0;
  const maxN = Math.max(...rates.map((fs) => Math.ceil(clock.tick * fs) + 1));
  const maxPn = Math.max(0, ...baroRates.map((fs) => Math.ceil(clock.tick * fs) + 1));
  const b = buffers(maxN, maxPn);
  const hn = hazards.length;
  const preTick = hazards.filter((h) => h.preTick);
  const moving = mobility.anyMoving;
  const activity = mobility.activity;
  const hbEvery = state.scenario.config.network.heartbeat_every;
  const outdoor = state.scenario.config.environment.outdoor;
  const tap = rt.tap;
  const wantGyro = rt.wantGyro;
  const wantBaro = rt.wantBaro;
  for (let d = task.deviceFrom; d < task.deviceTo; d++) {
    current = d;
    const fs = rates[phone[d]!]!;
    const pfs = (wantBaro || detectorBaro[phone[d]!]!) && barometer.has(d) ? baroRates[phone[d]!]! : 0;
    const hasGyro = (wantGyro || detectorGyro[phone[d]!]!) && gyroscope.has(d);
    const detector = detectors[phoneDetector[phone[d]!]!]!;
    for (let i = task.tickFrom; i < task.tickTo; i++) {
      const t0 = clock.timeOf(i), t1 = clock.timeOf(i + 1);
      for (const h of preTick) h.preTick!(d, t0, t1);
      // Where the person is and what the phone is doing during this tick.
      const changed = moving ? mobility.step(d, t0, t1) : false;
      const wasMonitoring = monitoring[d]!;
      contexts.update(d, activity[d]!, t1, changed);
      if (monitoring[d] && !wasMonitoring) detector.reset(d);
      const k0 = sampleIndex(t0, fs);
      const n = sampleIndex(t1, fs) - k0;
      if (n > 0) {
        b.t0 = t0; b.t1 = t1; b.k0 = k0; b.n = n; b.fs = fs;
        b.pfs = pfs;
        b.pk0 = pfs > 0 ? sampleIndex(t0, pfs) : 0;
        b.pn = pfs > 0 ? sampleIndex(t1, pfs) - b.pk0 : 0;
        resetBlock(b, n, b.pn, G);
        // Physics in east/north/up: everyday motion, then hazards.
        motion.render(d, b, activity[d]!, i);
        if (tap) { before.e.set(b.ae.subarray(0, n)); before.n.set(b.an.subarray(0, n)); before.u.set(b.au.subarray(0, n)); }
        for (let h = 0; h < hn; h++) hazards[h]!.render(d, b);
        if (tap) {
          for (let k = 0; k < n; k++) {
            const e = b.ae[k]! - before.e[k]!, nn = b.an[k]! - before.n[k]!, u = b.au[k]! - before.u[k]!;
            before.m[k] = Math.sqrt(e * e + nn * nn + u * u);
          }
        }
        if (monitoring[d] || tap) {
          // Into the phone's frame.
          rotation(pose[3 * d]!, pose[3 * d + 1]!, pose[3 * d + 2]!, R);
          // A new pose since the last tick (picked up, put down, put away): turn into it over this tick.
          const p0 = 3 * d, turning = !Number.isNaN(posePrev[p0]!) && (posePrev[p0] !== pose[p0] || posePrev[p0 + 1] !== pose[p0 + 1] || posePrev[p0 + 2] !== pose[p0 + 2]);
          if (turning) rotation(posePrev[p0]!, posePrev[p0 + 1]!, posePrev[p0 + 2]!, R0);
          posePrev[p0] = pose[p0]!; posePrev[p0 + 1] = pose[p0 + 1]!; posePrev[p0 + 2] = pose[p0 + 2]!;
          if (hasGyro) {
            const gx = gyro.x, gy = gyro.y, gz = gyro.z;
            for (let k = 0; k < n; k++) { gx[k] = b.we[k]!; gy[k] = b.wn[k]!; gz[k] = b.wu[k]!; }
            rotateBlock(R, n, gx, gy, gz);
            for (let k = 0; k < n; k++) { gx[k] = gx[k]! + b.wx[k]!; gy[k] = gy[k]! + b.wy[k]!; gz[k] = gz[k]! + b.wz[k]!; }
          }
          if (turning) rotateBlockBlend(R0, R, n, b.ae, b.an, b.au);
          else rotateBlock(R, n, b.ae, b.an, b.au);
          const dt = t1 - t0;
          if (hasGyro) gyroscope.apply(d, n, dt, gyro.x, gyro.y, gyro.z, b.ae, b.an, b.au);
          accelerometer.apply(d, n, dt, b.ae, b.an, b.au);
          if (b.pn > 0) barometer.read(d, t0, t1, b.pk0, b.pn, pfs, b.alt0, b.alt1, b.dp, baro);
          tap?.({ d, block: b, ax: b.ae, ay: b.an, az: b.au, gx: hasGyro ? gyro.x : null, gy: hasGyro ? gyro.y : null, gz: hasGyro ? gyro.z : null, p: b.pn > 0 ? baro : null, hazard: before.m });
          if (monitoring[d]) {
            sb.k0 = k0; sb.n = n; sb.fs = fs; sb.ax = b.ae; sb.ay = b.an; sb.az = b.au;
            sb.gx = hasGyro ? gyro.x : null; sb.gy = hasGyro ? gyro.y : null; sb.gz = hasGyro ? gyro.z : null;
            sb.p = b.pn > 0 ? baro : null; sb.pfs = pfs; sb.pk0 = b.pk0; sb.pn = b.pn;
            detector.process(d, sb, sink);
            samples += n;
            monitoredSeconds[phone[d]!] += t1 - t0;
          }
        }
      }
      // A GNSS (or network) fix, then heartbeats due in this tick report it.
      const a = activity[d]!;
      gnss.update(d, i, t1 - t0, a === Activity.Home || a === Activity.Work ? 'indoor' : outdoor);
      for (let hb = nextHeartbeat(rt.heartbeatKey, d, hbEvery, t0); hb < t1; hb += hbEvery) {
        messages.push({ device: d, kind: 'heartbeat', time: hb, deviceTime: clocks.time(d, hb), onsetDeviceTime: clocks.time(d, hb), amplitude: 0, ratio: 0, x: gnss.rx[d]!, y: gnss.ry[d]!, monitoring: monitoring[d]! });
      }
    }
  }
  return { messages, samples, truth: rt.truth.take(), monitoredSeconds, windows: packWindows(windows) };
}
