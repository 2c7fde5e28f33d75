/**
 * The plug-in SDK: the interfaces every hazard, detector and consensus server implements, and the
 * set of plug-ins a run uses. The composition root (`src/plugins.ts`) builds the built-in set; a
 * plug-in from outside the repo is added by a module that exports a PluginSet (`--plugins file.js`).
 */
import type { HazardPlugin } from './hazard.js';
import type { DetectorPlugin } from './detector.js';
import type { ConsensusPlugin } from './server.js';

export type { HazardPlugin, HazardContext, HazardRuntime, HazardTruth, TruthRow, Block, Exposure, SiteShaking } from './hazard.js';
export type { DetectorPlugin, DetectorContext, DetectorRuntime, DetectorSink, DetectorCoordinator, DetectorCost, SensorBlock, WindowRequest, ResolvedDetector } from './detector.js';
export type { ConsensusPlugin, ConsensusServer, HeartbeatColumns, WarmupHeartbeats, ServerContext, AlertRecord, SourceEstimate } from './server.js';
export type { TriggerMessage } from './message.js';
export type { ModelInfo } from './model.js';
export type { PluginDeclaration } from './declaration.js';
export type { Columns } from './columns.js';

/** The plug-ins a run may use, by the `type` name scenario files give them. */
export interface PluginSet {
  hazards: Readonly<Record<string, HazardPlugin>>;
  detectors: Readonly<Record<string, DetectorPlugin>>;
  servers: Readonly<Record<string, ConsensusPlugin>>;
  /**
   * The module whose `plugins` export is this set (a file URL): worker threads import it to rebuild
   * the set, since functions do not cross threads.
   */
  module: string;
}

/** A set with the plug-ins of `extra` added to (or replacing same-named ones of) `base`. */
export function extendPlugins(base: PluginSet, extra: Partial<Omit<PluginSet, 'module'>>, module: string): PluginSet {
  return {
    hazards: { ...base.hazards, ...extra.hazards },
    detectors: { ...base.detectors, ...extra.detectors },
    servers: { ...base.servers, ...extra.servers },
    module,
  };
}
