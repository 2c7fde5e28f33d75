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
  /** The road network, when the run has one. */
  roads?: import('../world/roads.js').RoadNetwork;
  phones: PhoneProfile[];
  behaviours: BehaviourProfile[];
  /** Column-name prefix reserved for this stage instance, e.g. `hazard0.`. */
  prefix: string;
  /** Publishes a ground-truth row (a pothole pass, a crash) from a worker; scoring reads them. */
  report(row: TruthRow): void;
}

/** A discrete ground-truth record; `time` and `device` order them. */
export type TruthRow = { hazard: number; time: number; device: number } & Record<string, number | string | boolean | null>;

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
  /** Model-based detectors: the model's probability for the window that decided. */
  score?: number;
  /** What the trigger is about: `shaking` (default), `bump`, `crash`, `pressure`. */
  channel?: string;
  /** Road and crash detectors: the phone's GNSS speed before the event and after it, m/s. */
  speed?: number;
  speedAfter?: number;
  /** Pressure detector: the step it saw, Pa. */
  step?: number;
}

/** Hazard truth, published for scoring only. */
export interface HazardTruth {
  index: number;
  type: string;
  /** What people would call it: `earthquake`, `road-anomaly`, `crash`, `pressure-front`, `crowd`, ... */
  kind: string;
  name: string;
  /** False for nuisance sources (crowds, construction, traffic): their truth says "no alert". */
  alertable: boolean;
  /** When the hazard starts, s. */
  start: number;
  /** How long after `start` a server event may come and still match it (default: scoring.match_window). */
  matchWindowS?: number;
  /** Scalar facts: epicentre, magnitude, ... (JSON-serialisable). */
  facts: Record<string, number | string | boolean | null>;
  /** Per-device exposure (hazards that reach people where they are). */
  devices?: {
    /** Whether the device has truth for this hazard. */
    reached: Uint8Array;
    /** First excitation (P arrival; onset of a pressure rise), s. */
    first: Float64Array;
    /** When the dangerous part arrives (S arrival; front passage), s: warning time is measured to it. */
    impact: Float64Array;
    /** Hazard-specific intensity (PGA in g for earthquakes, pressure change in hPa for fronts). */
    intensity: Float32Array;
    /** Instrumental intensity where it applies (earthquakes), else NaN. */
    mmi: Float32Array;
    shouldAlert: Uint8Array;
  };
  /** Discrete truth items: anomalies, crashes, passes... (JSON-serialisable rows). */
  items?: Record<string, number | string | boolean | null>[];
}

/** One tick of physical excitation of one device, filled by hazards and nuisance sources. */
export interface Block {
  /** Tick start and end, s. */
  t0: number;
  t1: number;
  /** Accelerometer-rate samples [k0, k0 + n) at fs Hz: specific force, m/s², east/north/up. */
  k0: number;
  n: number;
  fs: number;
  ae: Float32Array;
  an: Float32Array;
  au: Float32Array;
  /** Angular rate, rad/s, at the accelerometer's samples: of the body in east/north/up (a turning vehicle) ... */
  we: Float32Array;
  wn: Float32Array;
  wu: Float32Array;
  /** ... and of the phone in its own frame (a swinging thigh, a tumbling drop). */
  wx: Float32Array;
  wy: Float32Array;
  wz: Float32Array;
  /** Barometer-rate samples [pk0, pk0 + pn) at pfs Hz: pressure change from ambient, Pa (pn = 0 without a barometer). */
  pk0: number;
  pn: number;
  pfs: number;
  dp: Float32Array;
  /** Altitude of the phone above the ground at the tick's start and end, m. */
  alt0: number;
  alt1: number;
}

/** What a hazard or nuisance source does to one device over a span of time (for labelled datasets). */
export interface Exposure {
  /** `earthquake`, `crowd`, `road-anomaly`, ... */
  kind: string;
  /** When its excitation of this device starts and ends, s. */
  from: number;
  to: number;
  /** Earthquakes: when the S phase arrives (windows before it are labelled P, after it S). */
  split?: number;
  /** Hazard-specific intensity (PGA in g for earthquakes) and distance to the source, km. */
  intensity?: number;
  distanceKm?: number;
}

/** The per-device, per-block work a hazard does inside a worker. */
export interface HazardRuntime {
  /** Adds this hazard's excitation to device `d`'s block. */
  render(d: number, b: Block): void;
  /** What this hazard does to device d around [t0, t1) (null when nothing); read after rendering. */
  exposure?(d: number, t0: number, t1: number): Exposure | null;
  /** Optional: acts on device d before mobility moves it in [t0, t1) (a crash stops its vehicle). */
  preTick?(d: number, t0: number, t1: number): void;
}

export interface HazardPlugin<C extends { type: string } = any> {
  type: string;
  /** `hazard` deserves alerts; `nuisance` excites sensors but its truth says "no alert". */
  category: 'hazard' | 'nuisance';
  schema: import('zod').ZodType<C, any>;
  /** Files the configuration names (relative to the scenario), resolved, checked and hashed by the loader. */
  files?(config: C): { field: string; path: string }[];
  /** Warnings about options outside a model's fitted range (printed, recorded in the manifest). */
  warnings?(config: C, where: string): string[];
  /** Checks the configuration against the world and devices; throws InputError on problems. */
  check?(config: C, ctx: StageContext, where: string): void;
  /** Per-device state columns (names without prefix). */
  columns(config: C, rows: number): ColumnSpec[];
  create(config: C, ctx: StageContext): HazardRuntime;
  /** Reads the truth the runtime published (main thread, after the run). */
  truth(config: C, ctx: StageContext, index: number): HazardTruth;
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

/** Where a detector's output goes. */
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
  model?: import('../detect/model.js').ModelInfo;
}

/** Main-thread side of a model-based detector: turns scores into messages and vets its devices' messages. */
export interface DetectorCoordinator {
  /** Scores of windows (in time, device order) → messages to send. */
  resolve(windows: readonly WindowRequest[], scores: Float32Array): TriggerMessage[];
  /** Whether a message a device emitted goes out (two-stage: gate updates only after the model confirmed). */
  keep?(m: TriggerMessage): boolean;
}

export interface DetectorPlugin<C extends { type: string } = any> {
  type: string;
  schema: import('zod').ZodType<C, any>;
  /** Files the configuration names (relative to the scenario), resolved, checked and hashed by the loader. */
  files?(config: C): { field: string; path: string }[];
  /** Reads what those files hold (the model and its sidecar) and checks it; throws InputError naming `where`. */
  prepare?(config: C, files: Record<string, string>, where: { file: string; field: string }): Pick<ResolvedDetector, 'model'>;
  /** Per-device state columns (names without prefix); `phones` are the profiles that use this detector. */
  columns(det: ResolvedDetector, rows: number, phones: readonly import('../sensors/profile.js').PhoneProfile[], tick: number): ColumnSpec[];
  /** Whether it reads the gyroscope. */
  needsGyro?(det: ResolvedDetector): boolean;
  /** Whether it reads the barometer. */
  needsBarometer?(det: ResolvedDetector): boolean;
  /** What its triggers are about (`channel` of its messages): `shaking` unless said otherwise. */
  channel?: string;
  create(det: ResolvedDetector, ctx: StageContext): DetectorRuntime;
  /** Main thread: the coordinator of a model-based detector. */
  coordinator?(det: ResolvedDetector, ctx: { devices: number }): DetectorCoordinator;
}
