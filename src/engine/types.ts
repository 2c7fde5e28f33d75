/** Types shared by the engine and its plug-ins (hazards, detectors, consensus servers). */
import type { ColumnSet, ColumnSpec } from '../core/columns.js';
import type { Seed } from '../core/random.js';
import type { World } from '../world/load.js';
import type { PhoneProfile } from '../sensors/profile.js';
import type { BehaviourProfile } from '../population/behaviour.js';
import type { ResolvedScenario } from '../scenario/load.js';

/** What every stage can see when it is set up, in the main thread or in a worker. */
export interface StageContext {
  seed: Seed;
  scenario: ResolvedScenario;
  world: World;
  /** Device table (positions, profile indices) plus every stage's state columns. */
  columns: ColumnSet;
  phones: PhoneProfile[];
  behaviours: BehaviourProfile[];
  /** Column-name prefix reserved for this stage instance, e.g. `hazard0.`. */
  prefix: string;
}

/** A message a device sends to the server. */
export interface TriggerMessage {
  device: number;
  /**
   * `trigger` when a detector fires, `update` when its peak amplitude grew or the trigger ended,
   * `heartbeat` for the periodic "I am here and monitoring (or not)".
   */
  kind: 'trigger' | 'update' | 'heartbeat';
  /** True simulation time of the event the message reports (s). */
  time: number;
  /** The same instant as stamped by the device's clock (s). */
  deviceTime: number;
  /** Trigger onset by the device clock (s); equal to deviceTime for `trigger`. */
  onsetDeviceTime: number;
  /** Peak high-passed acceleration since the onset, m/s². */
  amplitude: number;
  /** Peak detector ratio or score since the onset. */
  ratio: number;
  /** Position the device reports (m, local frame). */
  x: number;
  y: number;
  /** 1 when the phone is eligible and monitoring. */
  monitoring: number;
}

/** Hazard truth, published for scoring only. */
export interface HazardTruth {
  index: number;
  type: string;
  /** What people would call it: `earthquake`, `crowd`, ... */
  kind: string;
  name: string;
  /** False for nuisance sources (crowds, construction): their truth says "no alert". */
  alertable: boolean;
  /** When the hazard starts, s. */
  start: number;
  /** Scalar facts: epicentre, magnitude, ... (JSON-serialisable). */
  facts: Record<string, number | string | boolean | null>;
  /** Per-device truth columns (only hazards that reach devices). */
  devices?: {
    /** Whether the device has truth (NaN-free) for this hazard. */
    reached: Uint8Array;
    pArrival: Float64Array;
    sArrival: Float64Array;
    pgaG: Float32Array;
    mmi: Float32Array;
    shouldAlert: Uint8Array;
  };
}

/** The per-device, per-block work a hazard does inside a worker. */
export interface HazardRuntime {
  /**
   * Adds this hazard's excitation (specific force, m/s², east/north/up) to device `d`'s block of
   * `n` samples starting at sample index `k0` at rate `fs`.
   */
  render(d: number, k0: number, n: number, fs: number, ae: Float32Array, an: Float32Array, au: Float32Array): void;
}

export interface HazardPlugin<C extends { type: string } = any> {
  type: string;
  /** `hazard` deserves alerts; `nuisance` excites sensors but its truth says "no alert". */
  category: 'hazard' | 'nuisance';
  schema: import('zod').ZodType<C, any>;
  /** Checks the configuration against the world and devices; throws InputError on problems. */
  check?(config: C, ctx: StageContext, where: string): void;
  /** Per-device state columns (names without prefix). */
  columns(config: C, rows: number): ColumnSpec[];
  create(config: C, ctx: StageContext): HazardRuntime;
  /** Reads the truth the runtime published (main thread, after the run). */
  truth(config: C, ctx: StageContext, index: number): HazardTruth;
}

/** Output of a detector for one block. */
export type Emit = (m: TriggerMessage) => void;

export interface DetectorRuntime {
  /**
   * Processes device `d`'s block of accelerometer samples (device frame, m/s²) starting at sample
   * `k0` (time k0/fs), emitting messages.
   */
  process(d: number, k0: number, n: number, fs: number, ax: Float32Array, ay: Float32Array, az: Float32Array, emit: Emit): void;
  /** Forgets device d's history (it stopped monitoring and starts again). */
  reset(d: number): void;
}

export interface DetectorPlugin<C extends { type: string } = any> {
  type: string;
  schema: import('zod').ZodType<C, any>;
  columns(config: C, rows: number): ColumnSpec[];
  create(config: C, ctx: StageContext): DetectorRuntime;
}
