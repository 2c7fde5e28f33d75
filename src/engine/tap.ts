/** What taps (hazardsim record, datasets, tests) see of a phone's sensors each tick. */
import type { Block } from '../plugin/index.js';

/** What a phone's sensors output in one tick (device frame; SI units), for taps (record, datasets). */
export interface SensorOutput {
  d: number;
  block: Block;
  /** Accelerometer (m/s²) and gyroscope (rad/s, or null without one) at the accelerometer rate. */
  ax: Float32Array;
  ay: Float32Array;
  az: Float32Array;
  gx: Float32Array | null;
  gy: Float32Array | null;
  gz: Float32Array | null;
  /** Barometer readings (Pa) at the barometer rate, or null. */
  p: Float32Array | null;
  /** Ground truth: magnitude of the acceleration hazards added (m/s², before the sensor), per accelerometer sample. */
  hazard: Float32Array;
}
