/** The consensus-server plug-in interface: a server knows phones only from the messages that crossed the network, and turns them into alerts. */
import type { World } from '../world/load.js';
import type { Seed } from '../core/random.js';
import type { TriggerMessage } from './message.js';

/** Source estimate attached to an alert. */
export interface SourceEstimate {
  x: number;
  y: number;
  lon: number;
  lat: number;
  originTime: number;
  magnitude: number;
  depthKm: number;
}

/** An alert issued (or updated, or cancelled) by the server. */
export interface AlertRecord {
  /** Server event id (0, 1, ...). */
  event: number;
  /** What the server believes happened (`earthquake`, ...); scoring matches it to hazards of the same kind. */
  kind: string;
  /** 0 for the first alert of an event, then 1, 2, ... for updates. */
  seq: number;
  /** Time the alert leaves the server, s. */
  time: number;
  estimate: SourceEstimate;
  /** Alert region ("be aware" tier): circle around the estimated epicentre where predicted intensity reaches `mmiThreshold`, km. */
  radiusKm: number;
  /** Predicted intensity that defines the region. */
  mmiThreshold: number;
  /** Inner "take action" region (predicted intensity ≥ `takeActionMmi`), km; 0 when none. */
  takeActionRadiusKm: number;
  takeActionMmi: number;
  /** Triggers behind the estimate. */
  triggers: number;
  /** True when the server withdraws the event. */
  cancelled: boolean;
  /** A large earthquake's fitted line rupture (the far end of a rear arm, or the epicentre when it runs one way → the main arm's tip): regions are measured from it. */
  rupture?: { x1: number; y1: number; x2: number; y2: number; lon1: number; lat1: number; lon2: number; lat2: number; lengthKm: number };
  /** Non-earthquake events: what the alert is about (a road anomaly's place, a front's speed...). */
  details?: Record<string, number | string>;
}

/**
 * What a consensus server is given when it starts: no phones. It learns them from heartbeats and
 * triggers (`receive`); the world's map (its frame and site conditions) is public knowledge.
 */
export interface ServerContext {
  seed: Seed;
  world: World;
  /** Simulated duration, s. */
  durationS: number;
  /** Size of the phone-id space (ids are 0 .. devices − 1), for sizing tables; says nothing of where phones are or whether they monitor. */
  devices: number;
}

export interface ConsensusServer {
  /** A message arrives at the server at `now`; returns alerts issued in response. */
  receive(message: TriggerMessage, now: number): AlertRecord[];
  /**
   * Optional: `receive` keeps nothing of the message object past the call (it copies what it
   * needs), so the engine may hand it one object, refilled, for each message: a national run's
   * ten million triggers and updates then make no object each.
   */
  readonly transientMessages?: boolean;
  /** Periodic housekeeping at `now` (closing events, re-estimating). */
  tick(now: number): AlertRecord[];
  /**
   * Optional: a heartbeat arrives at `now` (what `receive` would get as a `heartbeat` message).
   * A server that has it takes the millions of heartbeats of a national run without a message
   * object each; heartbeats never raise alerts.
   */
  heartbeat?(device: number, x: number, y: number, monitoring: number, now: number): void;
  /**
   * Optional, with `heartbeat`: a run of heartbeats that arrived one after another (no other message
   * and no tick between them), given as columns: heartbeat k is row `rows[k]` of `columns` (device,
   * reported x and y, monitoring) and arrived at `times[k]`, for k < count. The same as calling
   * `heartbeat` for each in turn, without a call (and its boxed numbers) per heartbeat.
   */
  heartbeats?(columns: HeartbeatColumns, rows: Int32Array, times: Float64Array, count: number): void;
  /**
   * Optional, with `warmupDone`: heartbeats that reached the server before the run's start (the
   * warm-up, see `network.warmup`), in batches. Each phone's are in one batch, together, in the
   * order it sent them; batches come in no particular order, before any other call. Nothing else
   * arrives before the start and the server has no tick there, so after `warmupDone` the server must
   * be as hearing them one by one in arrival order (ties: in sending order, then by phone) would
   * leave it. A national run's ten million warm-up heartbeats then skip the network queue.
   */
  warmup?(batch: WarmupHeartbeats): void;
  /** After the last warm-up batch (see `warmup`). */
  warmupDone?(): void;
}

/** A batch of warm-up heartbeats (see ConsensusServer.warmup): row i sent at time[i], heard at arrival[i] (< 0). */
export interface WarmupHeartbeats extends HeartbeatColumns {
  count: number;
  time: Float64Array;
  arrival: Float64Array;
}

/** Heartbeats as the engine holds them (see ConsensusServer.heartbeats). */
export interface HeartbeatColumns {
  device: Int32Array;
  x: Float64Array;
  y: Float64Array;
  monitoring: Uint8Array;
}

export interface ConsensusPlugin<C extends { type: string } = any> {
  type: string;
  /** One line for `hazardsim plugins` and the docs. */
  summary: string;
  /** Trigger channels it listens to (`shaking` unless said otherwise). */
  channels?: string[];
  schema: import('zod').ZodType<C, any>;
  /** Files the configuration names (a calibration file), resolved against the scenario, checked and hashed by the loader. */
  files?(config: C): { field: string; path: string }[];
  /** Reads those files and returns the configuration with what they hold filled in; throws InputError naming `where`. */
  prepare?(config: C, files: Record<string, string>, where: { file: string; field: string }): C;
  /**
   * Settings that do not stop a run but rarely do what their author meant, given what the scenario
   * says about the phones' protocol (how often they send heartbeats, s); `where` names the field.
   */
  warnings?(config: C, scenario: { heartbeatEvery: number; where: string }): string[];
  create(config: C, ctx: ServerContext): ConsensusServer;
}
