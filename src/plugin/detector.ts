/** The detector plug-in interface: what an on-device detector is given (its own columns and its phone's sensors, nothing else), what it emits, and what it costs. */
import type { ColumnSpec } from '../core/columns.js';
import type { Seed } from '../core/random.js';
import type { PhoneProfile } from '../sensors/profile.js';
import type { Columns } from './columns.js';
import type { PluginDeclaration } from './declaration.js';
import type { TriggerMessage } from './message.js';
import type { ModelInfo } from './model.js';

/**
 * What a detector sees when it is set up: its seed, its column prefix, a view of the device table
 * restricted to its own columns and the sensor outputs it declared in `reads` (any other column
 * throws), the phone profiles and the tick. No positions, no hazards, no scenario.
 */
export interface DetectorContext {
  seed: Seed;
  /** Column-name prefix reserved for this detector: `detector.`, `detector1.`, ... */
  prefix: string;
  columns: Columns;
  /** The run's phone profiles (a phone's profile index is its own hardware, not truth). */
  phones: readonly PhoneProfile[];
  /** Engine tick, s. */
  tick: number;
}

/** One phone's sensor samples for a tick, device frame: accelerometer m/s², gyroscope rad/s (null without one or when no detector needs it). */
export interface SensorBlock {
  /** Index of the first sample (its time is k0/fs) and the number of samples. */
  k0: number;
  n: number;
  fs: number;
  ax: Float32Array;
  ay: Float32Array;
  az: Float32Array;
  gx: Float32Array | null;
  gy: Float32Array | null;
  gz: Float32Array | null;
  /** Barometer readings (Pa) of this tick at `pfs` Hz, the first with index `pk0`; null unless the detector reads the barometer. */
  p: Float32Array | null;
  pfs: number;
  pk0: number;
  pn: number;
}

/** A window a detector wants its model to score: scored on the inference pool, answered on the main thread. */
export interface WindowRequest {
  device: number;
  /** True time at which the window ends (its last sample plus one sample period). */
  time: number;
  /** What the device would send if the model says yes (the engine stamps clock time and position). */
  message: TriggerMessage;
  /** The window at the model's rate, [channels][samples]. */
  data: Float32Array;
}

/** Where a detector's output goes. The engine stamps every message with the phone's clock and its GNSS position. */
export interface DetectorSink {
  emit(m: TriggerMessage): void;
  /** Asks for a window to be scored (model-based detectors). */
  submit(w: WindowRequest): void;
}

export interface DetectorRuntime {
  /** Processes device `d`'s block of samples, emitting messages or submitting windows. */
  process(d: number, b: SensorBlock, out: DetectorSink): void;
  /** Forgets device d's history (it stopped monitoring and starts again). */
  reset(d: number): void;
}

/** A detector as a scenario configures it, after its files (a model and its sidecar) were read and checked. */
export interface ResolvedDetector {
  config: { type: string } & Record<string, any>;
  /** Where it is configured, e.g. `detector` or `population.phones[1].detector`. */
  field: string;
  /** Its model, for model-based detectors. */
  model?: ModelInfo;
}

/** Main-thread side of a model-based detector: turns scores into messages and vets its devices' messages. */
export interface DetectorCoordinator {
  /** Scores of windows (in time, device order) → messages to send. */
  resolve(windows: readonly WindowRequest[], scores: Float32Array): TriggerMessage[];
  /** Whether a message a device emitted goes out (two-stage: gate updates only after the model confirmed). */
  keep?(m: TriggerMessage): boolean;
}

/** What a detector costs a phone, for the budget view and for sizing epochs. */
export interface DetectorCost {
  /** Multiply–adds per accelerometer sample of the always-on part (filters, averages). */
  macsPerSample: number;
  /** Model windows it may submit per monitored second at most (0 for classic triggers). */
  windowsPerSecond: number;
}

export interface DetectorPlugin<C extends { type: string } = any> extends PluginDeclaration {
  type: string;
  schema: import('zod').ZodType<C, any>;
  /** Files the configuration names (relative to the scenario), resolved, checked and hashed by the loader. */
  files?(config: C): { field: string; path: string }[];
  /** Reads what those files hold (the model and its sidecar) and checks it; throws InputError naming `where`. */
  prepare?(config: C, files: Record<string, string>, where: { file: string; field: string }): Pick<ResolvedDetector, 'model'>;
  /** Per-device state columns (names without prefix); `phones` are the profiles that use this detector. */
  columns(det: ResolvedDetector, rows: number, phones: readonly PhoneProfile[], tick: number): ColumnSpec[];
  /** Whether it reads the gyroscope. */
  needsGyro?(det: ResolvedDetector): boolean;
  /** Whether it reads the barometer. */
  needsBarometer?(det: ResolvedDetector): boolean;
  /** What its triggers are about (`channel` of its messages): `shaking` unless said otherwise. */
  channel?: string;
  /** Its cost on a phone. */
  cost(det: ResolvedDetector): DetectorCost;
  create(det: ResolvedDetector, ctx: DetectorContext): DetectorRuntime;
  /** Main thread: the coordinator of a model-based detector. */
  coordinator?(det: ResolvedDetector, ctx: { devices: number }): DetectorCoordinator;
}
