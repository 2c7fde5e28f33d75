/**
 * A lossy, late link between phones and the server (uplink for triggers, push for alerts).
 * Each device has its own stream (seed, `<name>`, device), consumed in the order of that device's
 * messages, so draws do not depend on how other devices' messages interleave.
 */
import * as z from 'zod';
import { FastRandom, componentKey, seedFastState, seedKeyed, type Seed } from '../core/random.js';
import { latencyDistribution, probability } from '../plugin/fields.js';
import { drawLatency } from './latency.js';
import type { Outages } from './outage.js';

export const linkSchema = z.strictObject({
  latency: latencyDistribution().describe('Delay of each message, s: lognormal `{median, sigma}`, `fixed`, `uniform`, or `empirical` (a file of measured latencies).'),
  loss: probability().default(0).describe('Probability that a message is lost.'),
});

export type LinkConfig = z.output<typeof linkSchema>;

/** Per-device stream state of a link: 4 words each, and whether it was seeded yet. */
export interface LinkState {
  states: Int32Array;
  seeded: Uint8Array;
}

/** A link's state on SharedArrayBuffers, for `n` devices. */
export function sharedLinkState(n: number): LinkState {
  return { states: new Int32Array(new SharedArrayBuffer(16 * Math.max(1, n))), seeded: new Uint8Array(new SharedArrayBuffer(Math.max(1, n))) };
}

export class Link {
  private readonly streams = new Map<number, FastRandom>();
  private view: FastRandom | undefined;
  /** With a known number of devices: every device's stream state in one column (seeded at its first message). */
  private readonly states: Int32Array | undefined;
  private readonly seeded: Uint8Array | undefined;
  private readonly config: LinkConfig;
  private readonly seed: Seed;
  private readonly name: 'uplink' | 'push';
  private readonly table: Float64Array | undefined;
  private readonly outages: Outages | undefined;
  /** Component name of the random streams (the link's name unless told). */
  private readonly stream: string;
  /** Its key (componentKey), made at the first device's first message. */
  private streamKey: number | undefined;
  sent = 0;
  lost = 0;
  /** Of the lost: lost to an outage. */
  lostToOutage = 0;

  /**
   * `shared`: every device's stream state in arrays the caller made (on SharedArrayBuffers, so that
   * worker threads deliver their own phones' messages: each phone's stream is only ever advanced by
   * the thread simulating it, in its messages' order).
   */
  constructor(config: LinkConfig, seed: Seed, name: 'uplink' | 'push', options: { table?: Float64Array; outages?: Outages; devices?: number; stream?: string; shared?: LinkState } = {}) {
    this.stream = options.stream ?? name;
    if (options.shared) { this.states = options.shared.states; this.seeded = options.shared.seeded; } else if (options.devices !== undefined) { this.states = new Int32Array(4 * options.devices); this.seeded = new Uint8Array(options.devices); }
    this.config = config;
    this.seed = seed;
    this.name = name;
    this.table = options.table;
    this.outages = options.outages;
  }

  private rng(device: number): FastRandom {
    const states = this.states;
    if (states && device < this.seeded!.length) {
      if (!this.seeded![device]) {
        // As seedFastState(states, 4 * device, seed, stream, device) seeds it, without a key string per device (ten million at a national run).
        if (device >= 0 && device < 2 ** 32) seedKeyed(states, 4 * device, (this.streamKey ??= componentKey(this.seed, this.stream)), device, 0x3c6ef372);
        else seedFastState(states, 4 * device, this.seed, this.stream, device);
        this.seeded![device] = 1;
      }
      // One view, pointed at the device's words (a delivery draws from it and lets it go): no object per message.
      const v = (this.view ??= new FastRandom(states, 0));
      v.offset = 4 * device;
      return v;
    }
    let r = this.streams.get(device);
    if (!r) {
      r = FastRandom.of(this.seed, this.stream, device);
      this.streams.set(device, r);
    }
    return r;
  }

  /**
   * Arrival time of a message sent by/to `device` at `time` from/to (x, y), or undefined when it is
   * lost (at random, or to an outage there). The device's stream advances the same way either way.
   */
  deliver(device: number, time: number, x = NaN, y = NaN): number | undefined {
    const r = this.rng(device);
    this.sent++;
    const lost = r.uniform() < this.config.loss;
    const latency = drawLatency(this.config.latency, r, this.table);
    if (lost) {
      this.lost++;
      return undefined;
    }
    if (this.outages?.down(this.name, x, y, time)) {
      this.lost++;
      this.lostToOutage++;
      return undefined;
    }
    return time + latency;
  }
}
