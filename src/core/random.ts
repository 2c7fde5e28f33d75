/**
 * Seeded random streams named by (seed, component, entity id).
 *
 * Every random draw in hazardsim comes from a stream whose key is `${seed}/${component}/${id}`.
 * Keys are turned into generator state by seedrandom (Alea), so streams are independent of one
 * another and of the order in which they are created. Two generators sit on top:
 *
 * - `stream()` returns a seedrandom PRNG for setup code (placement, scenario-level draws);
 * - `FastRandom` / `fillGaussian()` run xoshiro128** on a 4×int32 state that can live inside a
 *   typed-array column (one row per device), so hot loops draw without allocating and a device's
 *   stream continues exactly where it stopped, whichever thread renders its next block.
 *
 * Gaussian deviates use the Marsaglia–Tsang (2000) ziggurat with 128 layers.
 */
import seedrandom from 'seedrandom';

export type Seed = number | string;

/** Canonical key for a stream. */
export function streamKey(seed: Seed, component: string, id: number | string = 0): string {
  return `${seed}/${component}/${id}`;
}

/** A seedrandom Alea generator for the stream (seed, component, id): `()` gives [0, 1). */
export function stream(seed: Seed, component: string, id: number | string = 0): seedrandom.PRNG {
  return seedrandom.alea(streamKey(seed, component, id));
}

/** Number of int32 words of state per fast stream. */
export const FAST_STATE_WORDS = 4;

/** Writes the initial xoshiro128** state of stream (seed, component, id) into `state[offset..offset+4)`. */
export function seedFastState(state: Int32Array, offset: number, seed: Seed, component: string, id: number | string = 0): void {
  const alea = seedrandom.alea(streamKey(seed, component, id));
  let any = 0;
  for (let i = 0; i < 4; i++) {
    const v = alea.int32();
    state[offset + i] = v;
    any |= v;
  }
  if (any === 0) state[offset] = 0x9e3779b9 | 0; // xoshiro's state must not be all zero
}

// ---------------------------------------------------------------------------------------------
// Ziggurat tables (Marsaglia & Tsang 2000, "The Ziggurat Method for Generating Random Variables")
const KN = new Float64Array(128);
const WN = new Float64Array(128);
const FN = new Float64Array(128);
const ZIG_R = 3.442619855899;
(() => {
  const m1 = 2147483648.0;
  const vn = 9.91256303526217e-3;
  let dn = ZIG_R;
  let tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  KN[0] = (dn / q) * m1;
  KN[1] = 0;
  WN[0] = q / m1;
  WN[127] = dn / m1;
  FN[0] = 1.0;
  FN[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2.0 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = (dn / tn) * m1;
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / m1;
  }
})();

const INV_2_32 = 1 / 4294967296;

/**
 * Fills `out[outOffset + k*stride]` for k in [0, n) with `sigma ×` standard normal deviates drawn
 * from the fast stream stored in `state[offset..offset+4)` (or adds them when `accumulate`), and
 * stores the advanced state back. Allocation-free; this is the innermost noise loop of the sensor
 * models.
 */
export function fillGaussian(
  state: Int32Array,
  offset: number,
  out: Float32Array | Float64Array,
  outOffset: number,
  n: number,
  stride: number,
  sigma: number,
  accumulate = false,
): void {
  let s0 = state[offset]!, s1 = state[offset + 1]!, s2 = state[offset + 2]!, s3 = state[offset + 3]!;
  let o = outOffset;
  for (let k = 0; k < n; k++) {
    // xoshiro128**
    let r = Math.imul(s1, 5);
    r = Math.imul((r << 7) | (r >>> 25), 9);
    let t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
    let hz = r;
    let iz = hz & 127;
    let x: number;
    if (Math.abs(hz) < KN[iz]!) {
      x = hz * WN[iz]!;
    } else {
      // Rare path (about 2.5 % of draws): the wedges and the tail of the ziggurat.
      for (;;) {
        x = hz * WN[iz]!;
        if (iz === 0) {
          let y: number;
          do {
            r = Math.imul(s1, 5); r = Math.imul((r << 7) | (r >>> 25), 9);
            t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
            const u1 = ((r >>> 0) + 0.5) * INV_2_32;
            r = Math.imul(s1, 5); r = Math.imul((r << 7) | (r >>> 25), 9);
            t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
            const u2 = ((r >>> 0) + 0.5) * INV_2_32;
            x = -Math.log(u1) / ZIG_R;
            y = -Math.log(u2);
          } while (y + y < x * x);
          x = hz > 0 ? ZIG_R + x : -ZIG_R - x;
          break;
        }
        r = Math.imul(s1, 5); r = Math.imul((r << 7) | (r >>> 25), 9);
        t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        const u = ((r >>> 0) + 0.5) * INV_2_32;
        if (FN[iz]! + u * (FN[iz - 1]! - FN[iz]!) < Math.exp(-0.5 * x * x)) break;
        r = Math.imul(s1, 5); r = Math.imul((r << 7) | (r >>> 25), 9);
        t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        hz = r;
        iz = hz & 127;
        if (Math.abs(hz) < KN[iz]!) {
          x = hz * WN[iz]!;
          break;
        }
      }
    }
    out[o] = accumulate ? out[o]! + sigma * x : sigma * x;
    o += stride;
  }
  state[offset] = s0; state[offset + 1] = s1; state[offset + 2] = s2; state[offset + 3] = s3;
}

/**
 * Scalar draws from a fast stream whose state lives in an Int32Array (its own, or a row of a
 * per-device column). Use for per-event draws (latencies, losses, positions), not per sample.
 */
export class FastRandom {
  readonly state: Int32Array;
  readonly offset: number;
  private readonly one = new Float64Array(1);

  constructor(state: Int32Array, offset = 0) {
    this.state = state;
    this.offset = offset;
  }

  /** A standalone fast stream for (seed, component, id). */
  static of(seed: Seed, component: string, id: number | string = 0): FastRandom {
    const s = new Int32Array(4);
    seedFastState(s, 0, seed, component, id);
    return new FastRandom(s);
  }

  /** Next raw 32-bit output as a signed int32. */
  nextInt32(): number {
    const st = this.state, o = this.offset;
    let s0 = st[o]!, s1 = st[o + 1]!, s2 = st[o + 2]!, s3 = st[o + 3]!;
    let r = Math.imul(s1, 5);
    r = Math.imul((r << 7) | (r >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
    st[o] = s0; st[o + 1] = s1; st[o + 2] = s2; st[o + 3] = s3;
    return r;
  }

  /** Uniform in (0, 1), never exactly 0 or 1 (safe for logarithms). */
  uniform(): number {
    return ((this.nextInt32() >>> 0) + 0.5) * INV_2_32;
  }

  /** Uniform in [a, b). */
  range(a: number, b: number): number {
    return a + (b - a) * this.uniform();
  }

  /** Integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal deviate (ziggurat). */
  normal(): number {
    fillGaussian(this.state, this.offset, this.one, 0, 1, 1, 1);
    return this.one[0]!;
  }

  /** Lognormal deviate with the given median and sigma of the natural logarithm. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Exponential deviate with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(this.uniform());
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.uniform() < p;
  }
}

/**
 * Walker/Vose alias table: O(1) draws of an index with probability proportional to weights.
 * Used to place devices in proportion to population.
 */
export class AliasTable {
  readonly prob: Float64Array;
  readonly alias: Int32Array;
  readonly size: number;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new Error('AliasTable needs at least one weight');
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`AliasTable weight ${i} is ${w}`);
      total += w;
    }
    if (!(total > 0)) throw new Error('AliasTable weights sum to zero');
    this.size = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i]! * n) / total;
      (scaled[i]! < 1 ? small : large).push(i);
    }
    while (small.length && large.length) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
    for (let i = 0; i < n; i++) if (this.prob[i] === 1) this.alias[i] = i;
  }

  /** Draws an index using two uniforms from `rng`. */
  draw(rng: FastRandom): number {
    const i = rng.int(this.size);
    return rng.uniform() < this.prob[i]! ? i : this.alias[i]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Counter-based draws: a stream for (component key, entity id, event counter) without stored
// generator state, for components that draw only at rare events (mobility, context changes).

/** 32-bit integer hash (Wellons' lowbias32). */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x | 0;
}

/** A 32-bit key for (seed, component), from seedrandom, to combine with entity ids and counters. */
export function componentKey(seed: Seed, component: string): number {
  return seedrandom.alea(streamKey(seed, component, 'key')).int32();
}

/** Seeds `state[off..off+4)` for event `counter` of entity `id` under `key`. */
export function seedKeyed(state: Int32Array, off: number, key: number, id: number, counter: number): void {
  const a = mix32(key ^ mix32(id + 0x9e3779b9));
  const b = mix32(a ^ mix32(counter + 0x85ebca6b));
  const c = mix32(b + 0x27d4eb2f);
  const d = mix32(c ^ 0x165667b1);
  state[off] = a; state[off + 1] = b; state[off + 2] = c; state[off + 3] = d | 1;
}

/** A stable uniform in (0, 1) for (key, id, salt): the same every time it is asked for. */
export function stableUniform(key: number, id: number, salt: number): number {
  const h = mix32(mix32(key ^ mix32(id + 0x632be5ab)) ^ mix32(salt + 0x1b873593));
  return ((h >>> 0) + 0.5) * INV_2_32;
}
