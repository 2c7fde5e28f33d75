/** Consensus plug-ins by the `type` name used in scenario files. */
import type { ConsensusPlugin } from './types.js';
import { cellRatio } from './cell-ratio.js';
import { binomial } from './binomial.js';

export const CONSENSUS: Record<string, ConsensusPlugin> = {
  [cellRatio.type]: cellRatio,
  [binomial.type]: binomial,
};
