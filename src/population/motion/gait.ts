/**
 * A walker's or runner's phone, and a hand's sway. Gait: vertical acceleration at the step frequency
 * with a second harmonic, fore-aft at the step frequency, sideways at half of it; cadence per person
 * in the profile's range, faster when walking faster; amplitude by placement (largest in a trouser
 * pocket, on the swinging thigh; smallest in the hand) with ±10 % step-to-step scatter; the thigh's
 * swing rotates a pocketed phone at the stride frequency. A hand is never still: slow 0.5–2 Hz sway
 * of a few hundredths of a g.
 */
import { stableUniform } from '../../core/random.js';
import type { Block } from '../../plugin/index.js';

/** Vertical gait amplitude at the step frequency (m/s²) by context: table, hand, pocket, bag, mount. */
export const GAIT_AMPLITUDE = [0, 1.5, 3.0, 2.0, 0.5];
/** Peak angular rate of a phone swinging with the walker (rad/s) by context. */
export const GAIT_ROTATION = [0, 0.5, 2.5, 0.3, 0.05];
/** Adds device d's gait over block b: placement `ctx`, walking `speed` (m/s) along `heading` (rad), cadence range (Hz), impact scale. `key` keys the person's traits. */
export function renderGait(key: number, d: number, b: Block, ctx: number, speed: number, heading: number, cadence: readonly number[], scale = 1): void {
  const [lo, hi] = cadence as [number, number];
  // Cadence: the person's own within the range, nudged up with walking speed (0.5–1.5 m/s).
  const base = lo + (hi - lo) * (0.5 * stableUniform(key, d, 2) + 0.5 * Math.min(1, Math.max(0, (speed - 0.5) / 1.0)));
  const f = Math.min(base, 0.4 * b.fs);
  const A = scale * GAIT_AMPLITUDE[ctx]! * (0.85 + 0.3 * stableUniform(key, d, 3));
  const W = GAIT_ROTATION[ctx]!;
  const phase0 = 2 * Math.PI * stableUniform(key, d, 4);
  const fe = Math.sin(heading), fn = Math.cos(heading); // walking direction (east, north)
  for (let i = 0; i < b.n; i++) {
    const t = (b.k0 + i) / b.fs;
    const ph = 2 * Math.PI * f * t + phase0;
    const step = Math.floor(ph / (2 * Math.PI));
    const scatter = 0.9 + 0.2 * stableUniform(key, d, 1000 + (step & 0xfffff));
    const vert = A * scatter * (Math.sin(ph) + 0.5 * Math.sin(2 * ph + 0.8));
    const fore = 0.5 * A * scatter * Math.sin(ph + 1.2);
    const side = 0.3 * A * Math.sin(0.5 * ph);
    b.au[i] = b.au[i]! + vert;
    b.ae[i] = b.ae[i]! + fore * fe + side * fn;
    b.an[i] = b.an[i]! + fore * fn - side * fe;
    // The phone swings with the thigh (pocket) or the arm (hand) at the stride frequency.
    b.wx[i] = b.wx[i]! + W * Math.sin(0.5 * ph);
    b.wz[i] = b.wz[i]! + 0.3 * W * Math.sin(ph + 0.4);
  }
}

/** Adds a hand's (or pocket's) slow sway: three 0.5–2 Hz components of about `acc` (m/s²) and `rot` (rad/s), per person. */
export function renderSway(key: number, d: number, b: Block, acc: number, rot: number): void {
  for (let k = 0; k < 3; k++) {
    const f = 0.5 + 1.5 * stableUniform(key, d, 10 + k), ph = 2 * Math.PI * stableUniform(key, d, 20 + k);
    const a = acc * (0.5 + stableUniform(key, d, 30 + k)), w = rot * (0.5 + stableUniform(key, d, 40 + k));
    for (let i = 0; i < b.n; i++) {
      const s = Math.sin(2 * Math.PI * f * ((b.k0 + i) / b.fs) + ph);
      if (k === 0) b.au[i] = b.au[i]! + a * s;
      else if (k === 1) b.ae[i] = b.ae[i]! + a * s;
      else b.an[i] = b.an[i]! + a * s;
      if (k === 0) b.wx[i] = b.wx[i]! + w * s;
      else if (k === 1) b.wy[i] = b.wy[i]! + w * s;
      else b.wz[i] = b.wz[i]! + w * s;
    }
  }
}
