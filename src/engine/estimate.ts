/**
 * An up-front estimate of a run's size — phones, device-hours, memory and wall time on this machine —
 * printed before a run starts and used to refuse one that cannot fit in memory (exit 2, with the
 * estimate, the limit and how to override), instead of growing until the machine swaps or dies.
 */
import { totalmem } from 'node:os';
import { InputError } from '../core/errors.js';
import type { ColumnSpec } from '../core/columns.js';
import type { PluginSet } from '../plugin/index.js';
import type { ResolvedScenario } from '../scenario/load.js';
import type { World } from '../world/load.js';
import { deviceCount, stageColumnSpecs } from './setup.js';

const BYTES: Record<string, number> = { f64: 8, i32: 4, u32: 4, f32: 4, u16: 2, i16: 2, u8: 1, i8: 1 };

/**
 * Memory beyond the per-phone columns, measured with `hazardsim run scenarios/quickstart.yaml
 * --set duration=60s --set hazards.0.origin_time=10s` on this 2-core machine: peak RSS 373 MB at
 * 20,000 phones and 857 MB at 100,000, i.e. 6.05 KB per phone in all (1.26 KB of it the columns)
 * over a base of about 250 MB. Every quickstart phone is reached by the quake, so its output rows
 * make this an upper estimate (california-m7 used 1.56 GB where this says 2.5 GB).
 */
export const MEMORY_MODEL = { baseBytes: 250e6, perPhoneBeyondColumnsBytes: 4.8e3 } as const;
/**
 * Trigger fidelity, measured with `npm run bench -- trigger` and turkiye-m78 (event stepping,
 * messages and receipts as columns): beyond its columns (432 bytes a phone) a run took 0.69 KB a
 * phone at 1,000,000 phones (peak 1.4 GB), 0.73 KB for turkiye-m78's 1.26 M phones with its files
 * and report (1.7 GB) and 0.35 KB at 10 M (7.9 GB); 1.0 KB is the upper estimate. Speed: 180 M
 * device-seconds in 10.4 s of run at 1 M phones on 2 threads, 8.6 M device-seconds per second per thread.
 */
export const TRIGGER_MEMORY_MODEL = { baseBytes: 250e6, perPhoneBeyondColumnsBytes: 1.0e3 } as const;
export const TRIGGER_DEVICE_SECONDS_PER_THREAD = 8_600_000;
/**
 * Signal-mode speed per worker thread, device-seconds per second: the benches on this machine give
 * 182k (walkers), 107k (drivers) and far more for phones at rest per thread; 150k is the middle.
 */
export const SIGNAL_DEVICE_SECONDS_PER_THREAD = 150_000;
/** Share of this machine's memory a run may plan to use. */
export const MEMORY_SHARE = 0.85;

export interface RunEstimate {
  phones: number;
  deviceHours: number;
  columnBytesPerPhone: number;
  memoryBytes: number;
  limitBytes: number;
  wallSeconds: number;
  threads: number;
  fidelity: string;
  /** Why this many threads, when they were chosen for the user (src/engine/thread-choice.ts). */
  threadReason?: string;
}

/** Bytes per row of a set of column specs. */
export const bytesPerRow = (specs: readonly ColumnSpec[]): number => specs.reduce((s, c) => s + (c.width ?? 1) * (BYTES[c.type] ?? 8), 0);

/** Estimates a run of `scenario` on `threads` worker threads (0: in the main thread, as fast as one worker). */
export function estimateRun(scenario: ResolvedScenario, plugins: PluginSet, world: World, threads: number): RunEstimate {
  const phones = deviceCount(scenario, world) + scenario.config.population.groups.reduce((s, g) => s + g.devices, 0);
  // The device table itself (positions, profile and behaviour codes) is about 40 bytes a phone.
  const columnBytesPerPhone = bytesPerRow(stageColumnSpecs(scenario, plugins, 1)) + 40;
  const trigger = scenario.config.fidelity === 'trigger';
  const model = trigger ? TRIGGER_MEMORY_MODEL : MEMORY_MODEL;
  const memoryBytes = model.baseBytes + phones * (columnBytesPerPhone + model.perPhoneBeyondColumnsBytes);
  const deviceSeconds = phones * scenario.config.duration;
  return {
    phones, deviceHours: deviceSeconds / 3600, columnBytesPerPhone, memoryBytes, limitBytes: MEMORY_SHARE * totalmem(),
    wallSeconds: deviceSeconds / ((trigger ? TRIGGER_DEVICE_SECONDS_PER_THREAD : SIGNAL_DEVICE_SECONDS_PER_THREAD) * Math.max(1, threads)), threads, fidelity: scenario.config.fidelity,
  };
}

const gb = (b: number) => `${(b / 1e9).toFixed(1)} GB`;
const span = (s: number) => (s < 90 ? `${Math.round(s)} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

/** One line for the terminal. */
export function describeEstimate(e: RunEstimate): string {
  return `estimate: ${e.phones.toLocaleString('en-US')} phones, ${Math.round(e.deviceHours).toLocaleString('en-US')} device-hours, about ${gb(e.memoryBytes)} of memory (limit ${gb(e.limitBytes)}: ${Math.round(MEMORY_SHARE * 100)} % of this machine's ${gb(totalmem())}) and about ${span(e.wallSeconds)} ${e.threads === 0 ? 'in the main thread' : `on ${e.threads} thread${e.threads === 1 ? '' : 's'}`}${e.threadReason ? ` (${e.threadReason})` : ''}`;
}

/** Refuses (exit 2) a run whose estimate does not fit this machine's memory, unless forced. */
export function checkEstimate(e: RunEstimate, file: string, force: boolean): void {
  if (force || e.memoryBytes <= e.limitBytes) return;
  const field = 'population';
  throw new InputError(file, {
    path: field,
    message: `${e.phones.toLocaleString('en-US')} phones need about ${gb(e.memoryBytes)} of memory in ${e.fidelity} fidelity; this machine allows ${gb(e.limitBytes)} (${Math.round(MEMORY_SHARE * 100)} % of ${gb(totalmem())}). Lower population.devices or population.adoption${e.fidelity === 'signal' ? ', use fidelity: trigger for an earthquake scenario' : ''}, or pass --force to try anyway`,
  });
}
