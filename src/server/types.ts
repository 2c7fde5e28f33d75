/** Interfaces of the server stage: consensus plug-ins turn trigger messages into alerts. */
import type { TriggerMessage } from '../engine/types.js';
import type { World } from '../world/load.js';
import type { Seed } from '../core/random.js';

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
  /** A large earthquake's fitted line rupture (epicentre → tip): regions are measured from it. */
  rupture?: { x1: number; y1: number; x2: number; y2: number; lon1: number; lat1: number; lon2: number; lat2: number; lengthKm: number };
  /** Non-earthquake events: what the alert is about (a road anomaly's place, a front's speed...). */
  details?: Record<string, number | string>;
}

/** What a consensus server knows about the phones when it starts (from heartbeats). */
export interface ServerContext {
  seed: Seed;
  world: World;
  /** Simulated duration, s. */
  durationS: number;
  /** Positions of the phones reporting heartbeats (m), and whether each one monitors. */
  x: Float64Array;
  y: Float64Array;
  monitoring: Uint8Array;
}

export interface ConsensusServer {
  /** A message arrives at the server at `now`; returns alerts issued in response. */
  receive(message: TriggerMessage, now: number): AlertRecord[];
  /** Periodic housekeeping at `now` (closing events, re-estimating). */
  tick(now: number): AlertRecord[];
}

export interface ConsensusPlugin<C extends { type: string } = any> {
  type: string;
  /** Trigger channels it listens to (`shaking` unless said otherwise). */
  channels?: string[];
  schema: import('zod').ZodType<C, any>;
  create(config: C, ctx: ServerContext): ConsensusServer;
}
