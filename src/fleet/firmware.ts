/**
 * When each phone model joins the fleet, and which firmware each phone runs at a given time: the scenario's firmware updates reach a share of
 * the named phone models at their time; a phone takes the last update that reached it. Which phones
 * take an update is a stable draw per (seed, update, device), so it does not depend on threads.
 */
import { componentKey, stableUniform } from '../core/random.js';
import { InputError } from '../core/errors.js';
import type { PhoneProfile } from '../sensors/profile.js';
import type { SensorVariant } from '../sensors/imu.js';
import type { FleetConfig } from './schema.js';

export class FirmwareMap {
  /** Version labels: the base firmware, then each update's. */
  readonly labels: string[];
  /** Accelerometer changes of each update (variant i + 1 is update i). */
  readonly variants: SensorVariant[];
  private readonly at: Float64Array;
  private readonly share: Float64Array;
  private readonly keys: number[];
  /** Per update, per phone profile: whether it reaches that profile. */
  private readonly reaches: Uint8Array[];
  /** The earliest update (before it every phone runs the base firmware). */
  private readonly first: number;
  /** Per phone profile: when its phones join the fleet (0: from the start). */
  readonly joinsAt: Float64Array;

  constructor(o: { seed: number; fleet?: FleetConfig; phones: readonly PhoneProfile[]; file?: string }) {
    const updates = o.fleet?.updates ?? [];
    const names = o.phones.map((p) => p.name);
    this.labels = [o.fleet?.firmware ?? 'base', ...updates.map((u) => u.firmware)];
    this.variants = updates.map((u) => ({ noiseScale: u.accelerometer.noise_scale, gain: u.accelerometer.gain, lowpassHz: u.accelerometer.lowpass_hz }));
    this.at = Float64Array.from(updates, (u) => u.at);
    this.share = Float64Array.from(updates, (u) => u.share);
    this.first = Math.min(Infinity, ...updates.map((u) => u.at));
    this.keys = updates.map((_, i) => componentKey(o.seed, `firmware.update.${i}`));
    this.joinsAt = Float64Array.from(names, (nm) => Math.max(0, ...(o.fleet?.arrivals ?? []).filter((a) => a.phones.includes(nm)).map((a) => a.at)));
    this.reaches = updates.map((u, i) => {
      for (const [j, name] of (u.phones ?? []).entries()) {
        if (!names.includes(name)) throw new InputError(o.file ?? 'scenario', { path: `fleet.updates[${i}].phones[${j}]`, message: `no phone profile named ${JSON.stringify(name)} in the population (its profiles: ${names.map((s) => JSON.stringify(s)).join(', ')})` });
      }
      return Uint8Array.from(names, (nm) => (!u.phones || u.phones.includes(nm) ? 1 : 0));
    });
  }

  /** Whether any update exists. */
  get any(): boolean {
    return this.at.length > 0;
  }

  /** The firmware variant (0 base, i + 1 update i) device d of phone profile `phone` runs at time t. */
  variant(d: number, phone: number, t: number): number {
    if (t < this.first) return 0; // called every tick: no hashing before any update
    let v = 0;
    for (let u = 0; u < this.at.length; u++) {
      if (t >= this.at[u]! && this.reaches[u]![phone] && stableUniform(this.keys[u]!, d, 0) < this.share[u]!) v = u + 1;
    }
    return v;
  }
}
