/** What taps (hazardsim record, datasets, tests) see of a phone's sensors each tick. */
import type { Block, SensorBlock } from '../plugin/index.js';

/**
 * What a phone's sensors output in one tick (device frame; SI units), for taps (record, datasets):
 * the samples a detector gets (accelerometer and gyroscope at the accelerometer rate, barometer at
 * its own), plus the block and the truth a detector must never see.
 */
export interface SensorOutput extends Pick<SensorBlock, 'ax' | 'ay' | 'az' | 'gx' | 'gy' | 'gz' | 'p'> {
  d: number;
  block: Block;
  /** Ground truth: magnitude of the acceleration hazards added (m/s², before the sensor), per accelerometer sample. */
  hazard: Float32Array;
}
