/**
 * The per-device loop: for each device of a chunk and each tick of an epoch, run the fidelity's
 * declared list of stages (signal: move → context → excite → sense → detect → report; see
 * stages.ts). Allocation-free per sample; per-device state lives in shared columns, so the result
 * does not depend on which thread runs a chunk or how time is cut into epochs.
 */
import type { Runtimes } from './setup.js';
import { TickFrame, type DeviceStage } from './stages.js';
import { deviceStages } from './fidelities.js';
import type { TriggerMessage, TruthRow, WindowRequest } from '../plugin/index.js';
import type { MessageBlock, WarmupBlock } from './message-block.js';
import type { TelemetryRows } from '../fleet/telemetry.js';

export interface ChunkTask {
  /** First and last-plus-one tick of the epoch. */
  tickFrom: number;
  tickTo: number;
  /** Device range [deviceFrom, deviceTo). */
  deviceFrom: number;
  deviceTo: number;
  /** Step every device at every tick even when its stages could skip ticks (a check on event stepping). */
  everyTick?: boolean;
  /** Keep heartbeats sent before the run's start apart (ChunkResult.warmup): the run's servers take them in bulk. */
  warmupApart?: boolean;
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
  /** Scoring truth: the phone's context at each window (for triggers by context; never sent). */
  context: Uint8Array;
  /** The detector (index into the scenario's detectors) that submitted each window. */
  detector: Uint8Array;
}

export interface ChunkResult {
  /** What the chunk's phones sent, in (time, device, kind) order. */
  messages: MessageBlock;
  /** Ground-truth rows hazards reported. */
  truth: TruthRow[];
  /** Accelerometer sample vectors rendered. */
  samples: number;
  /** Ticks phones of each profile spent monitoring (integers, so sums do not depend on chunking). */
  monitoredTicks: Float64Array;
  windows: ChunkWindows;
  /** Telemetry rows of periods that ended in the chunk (scenarios with a fleet section). */
  telemetry?: TelemetryRows;
  /** Times a device went through the stage list (devices × ticks, fewer with event stepping). */
  steps: number;
  /** Milliseconds the chunk took on its thread. */
  busyMs: number;
  /**
   * With `warmupApart`: the warm-up heartbeats; once the worker delivered them, those heard before
   * the run's start, and `warmupSent` of them sent and not in `messages` (heard before the start, or lost).
   */
  warmup?: WarmupBlock;
  warmupSent?: number;
  /** Uplink counts, when the worker delivered the messages itself (their arrivals are in `messages.arrival`). */
  uplink?: { sent: number; lost: number; lostToOutage: number };
}

/** Packs windows for transfer. */
export function packWindows(list: WindowRequest[], contexts: readonly number[] = [], detectors: readonly number[] = []): ChunkWindows {
  const count = list.length;
  const offset = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) offset[i + 1] = offset[i]! + list[i]!.data.length;
  const data = new Float32Array(offset[count]!);
  list.forEach((w, i) => data.set(w.data, offset[i]!));
  return {
    count, data, offset, device: Int32Array.from(list, (w) => w.device), time: Float64Array.from(list, (w) => w.time), messages: list.map((w) => w.message), context: Uint8Array.from(list, (_, i) => contexts[i] ?? 0),
    detector: Uint8Array.from(list, (_, i) => detectors[i] ?? 0),
  };
}

/** Window i of packed windows as a request (its data a view into the packed array). */
export function unpackWindow(w: ChunkWindows, i: number): WindowRequest {
  return { device: w.device[i]!, time: w.time[i]!, message: w.messages[i]!, data: w.data.subarray(w.offset[i]!, w.offset[i + 1]!) };
}

export type { SensorOutput } from './tap.js';

export { sampleIndex } from './stages.js';


/** Runs a chunk's devices through the stages, tick by tick (kept apart from simulateChunk so V8 optimises this loop once, not per chunk). */
function runDevices(frame: TickFrame, stages: DeviceStage[], rt: Runtimes, task: ChunkTask): number {
  const ns = stages.length;
  const clock = rt.state.clock;
  for (let d = task.deviceFrom; d < task.deviceTo; d++) {
    frame.device(d);
    for (let i = task.tickFrom; i < task.tickTo; i++) {
      frame.tick(i, clock.timeOf(i), clock.timeOf(i + 1));
      for (let s = 0; s < ns; s++) stages[s]!.step(frame);
    }
  }
  return (task.deviceTo - task.deviceFrom) * (task.tickTo - task.tickFrom);
}

/**
 * Event stepping, for fidelities whose stages all say when they next have work (trigger): each
 * device is stepped only at the ticks where one of its stages does; its time up to the run's end
 * is accounted for at the last tick, by a step there or, when no stage has work left before the
 * end and all can, by their `close` (the same sums without the rest of a step: a national run's
 * millions of phones mostly fall quiet after the shaking). Which ticks a device steps depends on
 * its own state only (`step.last`, `step.next` columns), never on how devices and ticks are cut into tasks.
 */
function runDevicesByEvent(frame: TickFrame, stages: DeviceStage[], rt: Runtimes, task: ChunkTask): number {
  const ns = stages.length;
  let steps = 0;
  const clock = rt.state.clock, tick = clock.tick, lastTick = clock.ticks - 1;
  const cols = rt.state.columns, stepLast = cols.i32('step.last'), stepNext = cols.i32('step.next');
  const closable = stages.every((s) => s.canClose && s.close), closesRun = task.tickTo === clock.ticks;
  for (let d = task.deviceFrom; d < task.deviceTo; d++) {
    let i = Math.max(task.tickFrom, stepNext[d]!);
    if (i >= task.tickTo && !(i === clock.ticks && closesRun && stepLast[d]! < lastTick)) continue;
    frame.device(d);
    while (i < task.tickTo) {
      const prev = stepLast[d]!;
      frame.tick(i, clock.timeOf(i), clock.timeOf(i + 1));
      if (prev >= 0 && prev < i - 1) { frame.since = clock.timeOf(prev + 1); frame.gapTicks = i - 1 - prev; }
      for (let s = 0; s < ns; s++) stages[s]!.step(frame);
      stepLast[d] = i;
      steps++;
      let e = Infinity;
      for (let s = 0; s < ns; s++) { const t = stages[s]!.next!(frame); if (t < e) e = t; }
      // The first tick whose end reaches e (its end is (j + 1) × tick).
      const j = e === Infinity ? Infinity : Math.ceil(e / tick - 1e-9) - 1;
      // Nothing before the run ends: only its close at the last tick remains (one step there when a stage cannot close).
      if (j > lastTick && i < lastTick && closable) { i = clock.ticks; break; }
      i = Math.max(i + 1, Math.min(lastTick, j));
    }
    if (i === clock.ticks && closesRun && stepLast[d]! < lastTick) {
      // The last tick: closed by the stages' accounting, or stepped when one of them cannot close.
      const prev = stepLast[d]!;
      frame.tick(lastTick, clock.timeOf(lastTick), clock.timeOf(lastTick + 1));
      if (prev >= 0 && prev < lastTick - 1) { frame.since = clock.timeOf(prev + 1); frame.gapTicks = lastTick - 1 - prev; }
      let canClose = true;
      for (let s = 0; s < ns && canClose; s++) canClose = stages[s]!.canClose!(frame);
      if (canClose) for (let s = 0; s < ns; s++) stages[s]!.close!(frame);
      else { for (let s = 0; s < ns; s++) stages[s]!.step(frame); steps++; }
      stepLast[d] = lastTick;
    }
    stepNext[d] = i;
  }
  return steps;
}

/** Simulates one chunk (devices × ticks of an epoch) and packs what it produced. */
export function simulateChunk(rt: Runtimes, task: ChunkTask): ChunkResult {
  const started = performance.now();
  const frame = TickFrame.of(rt);
  frame.everyTick = task.everyTick === true;
  if (task.warmupApart) {
    frame.messages.warmupApart = true;
    // Room for each phone's warm-up heartbeats: one per heartbeat interval of the warm-up (one by default).
    const net = rt.state.scenario.config.network;
    frame.messages.expectWarmup((task.deviceTo - task.deviceFrom) * Math.ceil(net.warmup / net.heartbeat_every - 1e-9));
  }
  const stages = deviceStages(rt.state.scenario.config.fidelity, rt);
  const steps = !task.everyTick && stages.every((s) => s.next) ? runDevicesByEvent(frame, stages, rt, task) : runDevices(frame, stages, rt, task);
  return { messages: frame.messages.finish(), warmup: frame.messages.takeWarmup(), samples: frame.samples, truth: rt.truth.take(), monitoredTicks: frame.monitoredTicks, steps, windows: packWindows(frame.windows, frame.windowContexts, frame.windowDetectors), telemetry: frame.telemetry?.rows, busyMs: performance.now() - started };
}
