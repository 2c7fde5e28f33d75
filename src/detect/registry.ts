/** Detector plug-ins by the `type` name used in scenario files. */
import type { DetectorPlugin } from '../engine/types.js';
import { staLta } from './sta-lta.js';
import { amplitude } from './amplitude.js';
import { twoStage } from './two-stage.js';
import { onnxWindow } from './onnx-window.js';
import { bump, crash } from './shock.js';
import { pressureStep } from './pressure-step.js';

export const DETECTORS: Record<string, DetectorPlugin> = {
  [staLta.type]: staLta,
  [amplitude.type]: amplitude,
  [twoStage.type]: twoStage,
  [onnxWindow.type]: onnxWindow,
  [bump.type]: bump,
  [crash.type]: crash,
  [pressureStep.type]: pressureStep,
};
