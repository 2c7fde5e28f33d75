/**
 * A lossy, late link between phones and the server (uplink for triggers, push for alerts).
 * Each device has its own stream (seed, `<name>`, device), consumed in the order of that device's
 * messages, so draws do not depend on how other devices' messages interleave.
 */
import * as z from 'zod';
import { FastRandom, type Seed } from '../core/random.js';
import { latencyDistribution, probability } from '../scenario/fields.js';
import { drawLatency } from './latency.js';

export const linkSchema = z.strictObject({
  latency: latencyDistribution(),
  /** Probability that a message is lost. */
  loss: probability().default(0),
});

export type LinkConfig = z.output<typeof linkSchema>;

export class Link {
  private readonly streams = new Map<number, FastRandom>();
  private readonly config: LinkConfig;
  private readonly seed: Seed;
  private readonly name: string;
  sent = 0;
  lost = 0;

  constructor(config: LinkConfig, seed: Seed, name: string) {
    this.config = config;
    this.seed = seed;
    this.name = name;
  }

  private rng(device: number): FastRandom {
    let r = this.streams.get(device);
    if (!r) {
      r = FastRandom.of(this.seed, this.name, device);
      this.streams.set(device, r);
    }
    return r;
  }

  /** Arrival time of a message sent by/to `device` at `time`, or undefined when it is lost. */
  deliver(device: number, time: number): number | undefined {
    const r = this.rng(device);
    this.sent++;
    const lost = r.uniform() < this.config.loss;
    const latency = drawLatency(this.config.latency, r);
    if (lost) {
      this.lost++;
      return undefined;
    }
    return time + latency;
  }
}
