/** Hazard and nuisance plug-ins by the `type` name used in scenario files. Adding one: one module, one line here. */
import type { HazardPlugin } from '../engine/types.js';
import { earthquake } from './earthquake/index.js';
import { recorded } from './earthquake/recorded.js';
import { roadAnomaly } from './road-anomaly.js';
import { crash } from './crash.js';
import { pressureFront } from './pressure-front.js';
import { crowd } from './crowd.js';
import { trafficVibration } from './traffic-vibration.js';
import { construction } from './construction.js';

export const HAZARDS: Record<string, HazardPlugin> = {
  [earthquake.type]: earthquake,
  [recorded.type]: recorded,
  [roadAnomaly.type]: roadAnomaly,
  [crash.type]: crash,
  [pressureFront.type]: pressureFront,
  [crowd.type]: crowd,
  [trafficVibration.type]: trafficVibration,
  [construction.type]: construction,
};
