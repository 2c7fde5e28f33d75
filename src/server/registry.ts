/** Consensus plug-ins by the `type` name used in scenario files. */
import type { ConsensusPlugin } from './types.js';
import { cellRatio } from './cell-ratio.js';
import { binomial } from './binomial.js';
import { roadAnomaly } from './road-anomaly.js';
import { crashServer } from './crash.js';
import { pressureFront } from './pressure-front.js';

export const CONSENSUS: Record<string, ConsensusPlugin> = {
  [cellRatio.type]: cellRatio,
  [binomial.type]: binomial,
  [roadAnomaly.type]: roadAnomaly,
  [crashServer.type]: crashServer,
  [pressureFront.type]: pressureFront,
};
