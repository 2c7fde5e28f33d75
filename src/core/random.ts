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
 * Gaussian deviates use the Marsaglia–Tsang (2000) ziggurat with 256 layers.
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

/** Component keys by `${seed}/${component}` (seedrandom is slow to hash a key; a run asks once per component). */
const componentKeys = new Map<string, number>();

/**
 * Writes the initial xoshiro128** state of stream (seed, component, id) into `state[offset..offset+4)`.
 * For an integer id (a device) the state is a hash of the component's key and the id (as
 * `seedKeyed`), cheap enough to seed millions of devices; other ids go through seedrandom.
 */
export function seedFastState(state: Int32Array, offset: number, seed: Seed, component: string, id: number | string = 0): void {
  if (typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < 2 ** 32) {
    const name = `${seed}/${component}`;
    let key = componentKeys.get(name);
    if (key === undefined) componentKeys.set(name, (key = componentKey(seed, component)));
    seedKeyed(state, offset, key, id, 0x3c6ef372);
    return;
  }
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
// Ziggurat tables (Marsaglia & Tsang 2000, "The Ziggurat Method for Generating Random Variables"),
// 256 layers (their r and v for 256): 98.5 % of draws fall in a layer's rectangle and cost one
// 32-bit draw, a compare and a multiply.
const LAYERS = 256;
const LAYER_MASK = LAYERS - 1;
const KN = new Float64Array(LAYERS);
const WN = new Float64Array(LAYERS);
const FN = new Float64Array(LAYERS);
const ZIG_R = 3.6541528853610088;
(() => {
  const m1 = 2147483648.0;
  const vn = 4.92867323399e-3;
  let dn = ZIG_R;
  let tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  KN[0] = (dn / q) * m1;
  KN[1] = 0;
  WN[0] = q / m1;
  WN[LAYERS - 1] = dn / m1;
  FN[0] = 1.0;
  FN[LAYERS - 1] = Math.exp(-0.5 * dn * dn);
  for (let i = LAYERS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2.0 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = (dn / tn) * m1;
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / m1;
  }
})();

const INV_2_32 = 1 / 4294967296;

/**
 * Squeezes for the wedges (as in McFarland 2016, "A modified ziggurat algorithm"): layer i's wedge
 * spans |x| in [x_{i−1}, x_i] (x_0 = 0 for the top layer), and a point u of the way from f(x_i) to
 * f(x_{i−1}) lies under the chord iff u ≤ (x_i − |x|)/(x_i − x_{i−1}). The density is concave for
 * |x| < 1 (the chord lies under it) and convex beyond (the chord lies over it).
 */
const WEDGE_OUT = new Float64Array(LAYERS), WEDGE_SPAN = new Float64Array(LAYERS), WEDGE_SHAPE = new Int8Array(LAYERS);
for (let i = 1; i < LAYERS; i++) {
  const xi = WN[i]! * 2147483648, xp = i === 1 ? 0 : WN[i - 1]! * 2147483648;
  WEDGE_OUT[i] = xi;
  WEDGE_SPAN[i] = 1 / (xi - xp);
  WEDGE_SHAPE[i] = xi <= 1 ? 1 : xp >= 1 ? -1 : 0;
}

/** The ziggurat's layer tables (for the WebAssembly noise kernel): rectangle thresholds KN and widths WN. */
export const ZIGGURAT = { layers: LAYERS, KN: KN as Readonly<Float64Array>, WN: WN as Readonly<Float64Array> };

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
  if (misses.length < 3 * n) misses = new Int32Array(3 * n);
  const miss = misses;
  let s0 = state[offset]!, s1 = state[offset + 1]!, s2 = state[offset + 2]!, s3 = state[offset + 3]!;
  let o = outOffset, nm = 0;
  // Pass 1, no calls (so V8 keeps the stream in registers): the ziggurat's rectangles, which take
  // 98.5 % of draws; a draw that misses its rectangle is noted for pass 2. (gaussianBlock is this
  // loop specialised for contiguous Float32 output: the sensor models' hot path.)
  for (let k = 0; k < n; k++) {
    // xoshiro128**
    let r = Math.imul(s1, 5);
    r = Math.imul((r << 7) | (r >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
    // |r| without a branch: the sign of r is a coin toss, and a branch on it would be mispredicted
    // every other draw, which costs more than the rest of the draw. (r ^ m) − m is 2^31 for r = −2^31.
    const m = r >> 31, iz = r & LAYER_MASK;
    if ((r ^ m) - m < KN[iz]!) {
      const v = sigma * (r * WN[iz]!);
      out[o] = accumulate ? out[o]! + v : v;
    } else {
      miss[nm] = o; miss[nm + 1] = r; miss[nm + 2] = s0 ^ s2;
      nm += 3;
    }
    o += stride;
  }
  state[offset] = s0; state[offset + 1] = s1; state[offset + 2] = s2; state[offset + 3] = s3;
  // Pass 2: the wedges and the tail, each from a sub-stream keyed by the state at its draw.
  for (let j = 0; j < nm; j += 3) {
    const at = miss[j]!, v = sigma * zigguratTail(miss[j + 1]!, miss[j + 2]!);
    out[at] = accumulate ? out[at]! + v : v;
  }
}

/**
 * `fillGaussian` specialised for the sensor models' innermost loop: `out[0..n)` = σ × standard
 * normal deviates, contiguous Float32 output, nothing accumulated. Same draws as `fillGaussian`
 * with stride 1; monomorphic, so V8 compiles it to a tight loop.
 */
export function gaussianBlock(state: Int32Array, offset: number, out: Float32Array, n: number, sigma: number): void {
  if (misses.length < 3 * n) misses = new Int32Array(3 * n);
  const miss = misses;
  let s0 = state[offset]!, s1 = state[offset + 1]!, s2 = state[offset + 2]!, s3 = state[offset + 3]!;
  let nm = 0;
  for (let k = 0; k < n; k++) {
    let r = Math.imul(s1, 5);
    r = Math.imul((r << 7) | (r >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
    const m = r >> 31, iz = r & LAYER_MASK;
    if ((r ^ m) - m < KN[iz]!) { out[k] = sigma * (r * WN[iz]!); continue; }
    miss[nm] = k; miss[nm + 1] = r; miss[nm + 2] = s0 ^ s2;
    nm += 3;
  }
  state[offset] = s0; state[offset + 1] = s1; state[offset + 2] = s2; state[offset + 3] = s3;
  for (let j = 0; j < nm; j += 3) out[miss[j]!] = sigma * zigguratTail(miss[j + 1]!, miss[j + 2]!);
}

/** Draws that missed their rectangle in the last fillGaussian: (output index, draw, stream key) triples. */
let misses = new Int32Array(192);

/**
 * The ziggurat's wedges and tail for a first draw `hz` that missed its layer's rectangle. Its
 * further uniforms are counter-based — the c-th is a hash of (`key`, `hz`, c), `key` being a word of
 * the main stream's state at that draw — so the main stream is not advanced and the fast loop needs
 * no call; draws of different misses are as independent as the hash (lowbias32) makes them.
 */
export function zigguratTail(hz: number, key: number): number {
  const base = mix32(key + Math.imul(hz, 0x9e3779b9));
  let c = 0, iz = hz & LAYER_MASK;
  for (;;) {
    if (iz === 0) return normalTail(hz, base, c);
    const x = hz * WN[iz]!, ax = x < 0 ? -x : x;
    const u = ((mix32(base + Math.imul(++c, 0x9e3779b9)) >>> 0) + 0.5) * INV_2_32;
    // Below the chord of a concave layer: under the density, accept; above the chord of a convex
    // layer: over it, reject. Only the rest needs the density itself.
    const w = (WEDGE_OUT[iz]! - ax) * WEDGE_SPAN[iz]!, shape = WEDGE_SHAPE[iz]!;
    if (shape > 0 && u <= w) return x;
    if (!(shape < 0 && u >= w) && FN[iz]! + u * (FN[iz - 1]! - FN[iz]!) < Math.exp(-0.5 * x * x)) return x;
    hz = mix32(base + Math.imul(++c, 0x9e3779b9));
    iz = hz & LAYER_MASK;
    if (Math.abs(hz) < KN[iz]!) return hz * WN[iz]!;
  }
}

/** The base layer's tail beyond ZIG_R (Marsaglia 1964), with uniforms c+1, c+2, … of the sub-stream `base`. */
function normalTail(hz: number, base: number, c: number): number {
  let x: number, y: number;
  do {
    const u1 = ((mix32(base + Math.imul(++c, 0x9e3779b9)) >>> 0) + 0.5) * INV_2_32;
    const u2 = ((mix32(base + Math.imul(++c, 0x9e3779b9)) >>> 0) + 0.5) * INV_2_32;
    x = -Math.log(u1) / ZIG_R;
    y = -Math.log(u2);
  } while (y + y < x * x);
  return hz > 0 ? ZIG_R + x : -ZIG_R - x;
}


/**
 * Scalar draws from a fast stream whose state lives in an Int32Array (its own, or a row of a
 * per-device column). Use for per-event draws (latencies, losses, positions), not per sample.
 */
export class FastRandom {
  readonly state: Int32Array;
  /** Where this stream's four words start in `state` (a caller may point one object at other streams in turn). */
  offset: number;

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

  /** Standard normal deviate (ziggurat; the same draws as `gaussianBlock`). */
  normal(): number {
    const r = this.nextInt32(), m = r >> 31, iz = r & LAYER_MASK;
    if ((r ^ m) - m < KN[iz]!) return r * WN[iz]!;
    return zigguratTail(r, this.state[this.offset]! ^ this.state[this.offset + 2]!);
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

/** A uniform in (0, 1) from the fast stream in `state[off..off+4)` (advanced in place), without a FastRandom. */
export function uniformAt(state: Int32Array, off: number): number {
  let s0 = state[off]!, s1 = state[off + 1]!, s2 = state[off + 2]!, s3 = state[off + 3]!;
  let r = Math.imul(s1, 5);
  r = Math.imul((r << 7) | (r >>> 25), 9);
  const t = s1 << 9;
  s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
  state[off] = s0; state[off + 1] = s1; state[off + 2] = s2; state[off + 3] = s3;
  return ((r >>> 0) + 0.5) * INV_2_32;
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
