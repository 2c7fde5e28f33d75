/** Hazard plug-ins by the `type` name used in scenario files. Adding a hazard: one module, one line here. */
import type { HazardPlugin } from '../engine/types.js';
import { earthquake } from './earthquake/index.js';

export const HAZARDS: Record<string, HazardPlugin> = {
  [earthquake.type]: earthquake,
};
