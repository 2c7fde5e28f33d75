/**
 * The per-device inner loop: for each device of a chunk and each tick of an epoch, render what the
 * phone experiences (gravity, hazards), pass it through the sensor model, run the detector.
 * Allocation-free per sample; per-device state lives in shared columns, so the result does not
 * depend on which thread runs a chunk or how time is cut into epochs.
 */
import { G } from '../core/units.js';
import { nextHeartbeat, type Runtimes } from './setup.js';
import type { Block, TriggerMessage, TruthRow } from './types.js';

export interface ChunkTask {
  /** First and last-plus-one tick of the epoch. */
  tickFrom: number;
  tickTo: number;
  /** Device range [deviceFrom, deviceTo). */
  deviceFrom: number;
  deviceTo: number;
}

export interface ChunkResult {
  messages: TriggerMessage[];
  /** Ground-truth rows hazards reported. */
  truth: TruthRow[];
  /** Accelerometer sample vectors rendered. */
  samples: number;
}

/** Sample index of time t at rate fs (ticks hold whole numbers of samples). */
export const sampleIndex = (t: number, fs: number): number => Math.ceil(t * fs - 1e-6);

let block: Block = { t0: 0, t1: 0, k0: 0, n: 0, fs: 0, ae: new Float32Array(0), an: new Float32Array(0), au: new Float32Array(0), pk0: 0, pn: 0, pfs: 0, dp: new Float32Array(0) };
/** The worker's reusable block, with room for n accelerometer and pn barometer samples. */
function blockFor(n: number, pn: number): Block {
  if (block.ae.length < n) block = { ...block, ae: new Float32Array(n), an: new Float32Array(n), au: new Float32Array(n) };
  if (block.dp.length < pn) block = { ...block, dp: new Float32Array(pn) };
  return block;
}

export function simulateChunk(rt: Runtimes, task: ChunkTask): ChunkResult {
  const { state, hazards, detector, accelerometer, mobility, contexts } = rt;
  const cols = state.columns;
  const phone = cols.u8('phone');
  const monitoring = cols.u8('monitoring');
  const rates = state.scenario.phones.map((p) => p.accelerometer.rate_hz);
  const baroRates = state.scenario.phones.map((p) => p.barometer?.rate_hz ?? 0);
  const clock = state.clock;
  const messages: TriggerMessage[] = [];
  const emit = (m: TriggerMessage) => { messages.push(m); };
  let samples = 0;
  const maxN = Math.max(...rates.map((fs) => Math.ceil(clock.tick * fs) + 1));
  const maxPn = Math.max(0, ...baroRates.map((fs) => Math.ceil(clock.tick * fs) + 1));
  const b = blockFor(maxN, maxPn);
  const ax = b.ae, ay = b.an, az = b.au;
  const hn = hazards.length;
  const preTick = hazards.filter((h) => h.preTick);
  const moving = mobility.anyMoving;
  const activity = mobility.activity;
  const x = cols.f64('x'), y = cols.f64('y');
  const hbEvery = state.scenario.config.network.heartbeat_every;
  for (let d = task.deviceFrom; d < task.deviceTo; d++) {
    const fs = rates[phone[d]!]!;
    const pfs = baroRates[phone[d]!]!;
    for (let i = task.tickFrom; i < task.tickTo; i++) {
      const t0 = clock.timeOf(i), t1 = clock.timeOf(i + 1);
      for (const h of preTick) h.preTick!(d, t0, t1);
      // Where the person is and what the phone is doing during this tick.
      const changed = moving ? mobility.step(d, t0, t1) : false;
      const wasMonitoring = monitoring[d]!;
      contexts.update(d, activity[d]!, t1, changed);
      if (monitoring[d] && !wasMonitoring) detector.reset(d);
      // Heartbeats due in this tick report the position and eligibility at the end of the tick.
      for (let hb = nextHeartbeat(rt.heartbeatKey, d, hbEvery, t0); hb < t1; hb += hbEvery) {
        messages.push({ device: d, kind: 'heartbeat', time: hb, deviceTime: hb, onsetDeviceTime: hb, amplitude: 0, ratio: 0, x: x[d]!, y: y[d]!, monitoring: monitoring[d]! });
      }
      const k0 = sampleIndex(t0, fs);
      const n = sampleIndex(t1, fs) - k0;
      if (n <= 0) continue;
      b.t0 = t0; b.t1 = t1; b.k0 = k0; b.n = n; b.fs = fs;
      b.pfs = pfs;
      b.pk0 = pfs > 0 ? sampleIndex(t0, pfs) : 0;
      b.pn = pfs > 0 ? sampleIndex(t1, pfs) - b.pk0 : 0;
      // Specific force of a phone lying face-up on a table: +1 g on its z axis.
      ax.fill(0, 0, n);
      ay.fill(0, 0, n);
      az.fill(G, 0, n);
      b.dp.fill(0, 0, b.pn);
      for (let h = 0; h < hn; h++) hazards[h]!.render(d, b);
      if (!monitoring[d]) continue;
      accelerometer.apply(d, n, ax, ay, az);
      detector.process(d, k0, n, fs, ax, ay, az, emit);
      samples += n;
    }
  }
  return { messages, samples, truth: rt.truth.take() };
}
