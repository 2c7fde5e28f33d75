/** Simulates one partition of devices over a whole run with the window cutter as the tap. */
import type { Runtimes } from '../engine/setup.js';
import { simulateChunk } from '../engine/simulate.js';
import { WindowCutter, type Candidates, type CutterOptions } from './cutter.js';

export interface PartitionTask {
  deviceFrom: number;
  deviceTo: number;
  cutter: CutterOptions;
}

export function simulateCandidates(rt: Runtimes, task: PartitionTask): Candidates {
  const cutter = new WindowCutter(rt, task.cutter);
  rt.tap = cutter.tap;
  rt.wantGyro = task.cutter.channels === 6;
  try {
    const ticks = rt.state.clock.ticks;
    for (let t = 0; t < ticks; t += 10) simulateChunk(rt, { tickFrom: t, tickTo: Math.min(ticks, t + 10), deviceFrom: task.deviceFrom, deviceTo: task.deviceTo });
  } finally {
    rt.tap = undefined;
  }
  return cutter.finish();
}
