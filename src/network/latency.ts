/** Draws from a configured latency distribution (seconds). */
import type { FastRandom } from '../core/random.js';
import type { LatencyDistribution } from '../scenario/fields.js';

export function drawLatency(d: LatencyDistribution, rng: FastRandom): number {
  switch (d.distribution) {
    case 'lognormal':
      return rng.lognormal(d.median, d.sigma);
    case 'fixed':
      return d.value;
    case 'uniform':
      return rng.range(d.min, d.max);
  }
}

/** Median of a latency distribution, for summaries. */
export function latencyMedian(d: LatencyDistribution): number {
  switch (d.distribution) {
    case 'lognormal':
      return d.median;
    case 'fixed':
      return d.value;
    case 'uniform':
      return (d.min + d.max) / 2;
  }
}
