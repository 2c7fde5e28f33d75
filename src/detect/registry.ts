/** Detector plug-ins by the `type` name used in scenario files. */
import type { DetectorPlugin } from '../engine/types.js';
import { staLta } from './sta-lta.js';

export const DETECTORS: Record<string, DetectorPlugin> = {
  [staLta.type]: staLta,
};
