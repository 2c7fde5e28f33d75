/**
 * The composition root: every built-in plug-in, by the `type` name scenario files use. The scenario
 * schema and the engine receive this set; nothing below it imports a registry. Adding a plug-in is
 * one module and one line here — or, outside the repo, a module exporting `plugins` built with
 * `extendPlugins(builtinPlugins, {...}, import.meta.url)` and passed as `--plugins file.js`.
 */
import type { PluginSet } from './plugin/index.js';
import { earthquakeHazard } from './hazards/earthquake/index.js';
import { recordedEarthquakeHazard } from './hazards/earthquake/recorded.js';
import { roadAnomalyHazard } from './hazards/road-anomaly.js';
import { crashHazard } from './hazards/crash.js';
import { pressureFrontHazard } from './hazards/pressure-front.js';
import { crowdNuisance } from './hazards/crowd.js';
import { trafficVibrationNuisance } from './hazards/traffic-vibration.js';
import { constructionNuisance } from './hazards/construction.js';
import { staLta } from './detect/sta-lta.js';
import { amplitude } from './detect/amplitude.js';
import { twoStage } from './detect/two-stage.js';
import { onnxWindow } from './detect/onnx-window.js';
import { bumpDetector, crashDetector } from './detect/shock.js';
import { pressureStep } from './detect/pressure-step.js';
import { cellRatioServer } from './server/cell-ratio.js';
import { binomialServer } from './server/binomial.js';
import { roadAnomalyServer } from './server/road-anomaly.js';
import { crashServer } from './server/crash.js';
import { pressureFrontServer } from './server/pressure-front.js';

const byType = <T extends { type: string }>(list: T[]): Record<string, T> => Object.fromEntries(list.map((p) => [p.type, p]));

/** The built-in plug-ins. */
export const builtinPlugins: PluginSet = {
  hazards: byType([earthquakeHazard, recordedEarthquakeHazard, roadAnomalyHazard, crashHazard, pressureFrontHazard, crowdNuisance, trafficVibrationNuisance, constructionNuisance]),
  detectors: byType([staLta, amplitude, twoStage, onnxWindow, bumpDetector, crashDetector, pressureStep]),
  servers: byType([cellRatioServer, binomialServer, roadAnomalyServer, crashServer, pressureFrontServer]),
  module: import.meta.url,
};

/** Workers import the module named by a PluginSet and take this export. */
export const plugins = builtinPlugins;
