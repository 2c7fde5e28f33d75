/** The hazard plug-in interface: what a hazard or nuisance source is given, what it renders, and the truth it publishes for scoring. */
import type { ColumnSpec } from '../core/columns.js';
import type { Seed } from '../core/random.js';
import type { World } from '../world/load.js';
import type { RoadNetwork } from '../world/roads.js';
import type { PhoneProfile } from '../sensors/profile.js';
import type { BehaviourProfile } from '../population/behaviour.js';
import type { Columns } from './columns.js';
import type { PluginDeclaration } from './declaration.js';

/** A discrete ground-truth record; `time` and `device` order them. */
export type TruthRow = { hazard: number; time: number; device: number } & Record<string, number | string | boolean | null>;

/** What a hazard sees when it is set up (main thread or worker). Hazards are the truth, so they see the whole device table. */
export interface HazardContext {
  seed: Seed;
  /** Position of this hazard in the scenario's `hazards` list. */
  index: number;
  /** Column-name prefix reserved for it: `hazard<index>.`. */
  prefix: string;
  /** The scenario file, for messages. */
  file: string;
  /** Files the configuration names (see HazardPlugin.files), by field, as absolute paths. */
  files: Record<string, string>;
  /** Directory of the scenario file (relative paths in the configuration start there). */
  dir: string;
  /** Simulated duration, s. */
  durationS: number;
  world: World;
  /** The road network, when the run has one. */
  roads?: RoadNetwork;
  /** Device table (true positions, profiles) plus every stage's state columns. */
  columns: Columns;
  phones: readonly PhoneProfile[];
  behaviours: readonly BehaviourProfile[];
  /** Publishes a ground-truth row (a pothole pass, a crash) from a worker; only scoring reads them. */
  report(row: TruthRow): void;
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

/** One tick of physical excitation of one device, filled by everyday motion, hazards and nuisance sources. */
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
  /**
   * The phone's rotation away from its resting pose, as a rotation vector in its own frame (rad),
   * when `swung`: a thigh's or an arm's swing. The sense stage turns the specific force by it, so
   * gravity moves in the phone's frame exactly as the rates in wx/wy/wz say it turns.
   */
  sx: Float32Array;
  sy: Float32Array;
  sz: Float32Array;
  swung: boolean;
  /**
   * The heading (rad, clockwise from north) of the vehicle the phone rides in, when `yawed`: the
   * phone's pose is then relative to the vehicle and turns with it.
   */
  dyaw: Float32Array;
  yawed: boolean;
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

/** The shaking a hazard brings to one phone (trigger fidelity reads it; see HazardRuntime.siteShaking). */
export interface SiteShaking {
  /** P arrival and S arrival (of the strongest part), s. */
  first: number;
  impact: number;
  /** PGA at the phone, g. */
  pgaG: number;
}

/** The per-device, per-block work a hazard does inside a worker. */
export interface HazardRuntime {
  /** Adds this hazard's excitation to device `d`'s block. */
  render(d: number, b: Block): void;
  /** What this hazard does to device d around [t0, t1) (null when nothing); read after rendering. */
  exposure?(d: number, t0: number, t1: number): Exposure | null;
  /**
   * Trigger fidelity: fills `out` with the shaking at device d once it is known at time t (after
   * the origin), else returns false and sets `out.first` to the time after which to ask again
   * (the origin: phones at rest are not stepped until then). Truth: only the trigger stage (src/engine/trigger-stage.ts)
   * calls it. Hazards without it run in signal fidelity only.
   */
  siteShaking?(d: number, t: number, out: SiteShaking): boolean;
  /**
   * Trigger fidelity, optional: fills `out` with the shaking device d will get if it stays where it
   * is now (what siteShaking gives once the shaking is known, for a phone that does not move before).
   * The trigger stage asks it ahead of time only for phones whose position and context cannot change
   * before then, to settle early those that will not trigger (a national run's millions of quiet
   * phones then need no step at the origin). Truth, as siteShaking.
   */
  siteShakingAhead?(d: number, out: SiteShaking): void;
  /** Optional: acts on device d before mobility moves it in [t0, t1) (a crash stops its vehicle). */
  preTick?(d: number, t0: number, t1: number): void;
}

export interface HazardPlugin<C extends { type: string } = any> extends PluginDeclaration {
  type: string;
  /** `hazard` deserves alerts; `nuisance` excites sensors but its truth says "no alert". */
  category: 'hazard' | 'nuisance';
  schema: import('zod').ZodType<C, any>;
  /** Files the configuration names (relative to the scenario), resolved, checked and hashed by the loader. */
  files?(config: C): { field: string; path: string }[];
  /** Its runtime implements siteShaking, so scenarios with it can run in trigger fidelity. */
  triggerFidelity?: boolean;
  /** Warnings about options outside a model's fitted range (printed, recorded in the manifest). */
  warnings?(config: C, where: string): string[];
  /**
   * When the hazard (or each part of it) begins, s after the run's start, with the field that sets it:
   * the loader refuses one that begins at or after the run's end, since it could never be observed.
   */
  starts?(config: C): { field: string; at: number }[];
  /** Checks the configuration against the world and devices; throws InputError on problems. */
  check?(config: C, ctx: HazardContext, where: string): void;
  /**
   * Per-device state columns (names without prefix). `fidelity` is the run's: a hazard may leave
   * out the state only rendering needs when the run renders nothing (trigger fidelity).
   */
  columns(config: C, rows: number, fidelity?: 'signal' | 'trigger'): ColumnSpec[];
  create(config: C, ctx: HazardContext): HazardRuntime;
  /** Reads the truth the runtime published (main thread, after the run). */
  truth(config: C, ctx: HazardContext, index: number): HazardTruth;
}
