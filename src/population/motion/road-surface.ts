/**
 * What the road does to a car's body, and so to every phone in it: the road's profile (ISO 8608
 * roughness by road class, plus the discrete things roads have — utility covers and patches,
 * expansion joints, rail crossings, speed humps; fixed in place on each lane, motion/road-features.ts)
 * fed as profile velocity through a quarter-car model (Sayers' "golden car", the IRI reference
 * vehicle), at the car's own speed sample by sample; and the engine's firing vibration. None of this
 * is a hazard: it is what road detectors must not report.
 */
import type { Block } from '../../plugin/index.js';
import type { RoadClass } from '../../world/load.js';
import { stableUniform } from '../../core/random.js';

/** A feature the wheel meets in this block: at sample `at`, a feature of kind `kind` (index into FEATURE_KINDS), height h and length len (m). */
export interface FeatureHit { at: number; kind: number; h: number; len: number }

/** ISO 8608 displacement PSD Gd(n0) at n0 = 0.1 cycles/m, geometric class means (m³). */
export const ROUGHNESS = { A: 16e-6, B: 64e-6, C: 256e-6, D: 1024e-6, E: 4096e-6 } as const;
export type RoughnessClass = keyof typeof ROUGHNESS;
const N0 = 0.1;

/**
 * ISO 8608 class of each road type. Measured networks put motorways and main roads in class A,
 * ordinary paved streets in B, service lanes and car parks in C and unpaved tracks in D (Múčka 2017,
 * J. Test. Eval. 45(5), "Simulated road profiles according to ISO 8608 in vibration analysis",
 * Table 1 survey; Agostinacchio et al. 2014, Transp. Res. Procedia 3, classes by road category).
 * Not set on the real drives in calibration/motion/road.json; those check it.
 */
export const ROAD_ROUGHNESS: Record<RoadClass, RoughnessClass> = {
  motorway: 'A', trunk: 'A', primary: 'A',
  secondary: 'B', tertiary: 'B', residential: 'B', unclassified: 'B', living_street: 'B',
  service: 'C', pedestrian: 'C', cycleway: 'B', footway: 'C', path: 'D', steps: 'D', track: 'D',
};

/**
 * The golden car per unit sprung mass (Sayers 1995, "On the calculation of IRI from longitudinal
 * road profile", TRR 1501; ASTM E1926): tyre k1 = 653 s⁻², spring k2 = 63.3 s⁻², mass ratio
 * u = 0.15, damper c = 6 s⁻¹ — body bounce near 1.3 Hz, wheel hop near 11 Hz.
 */
export const GOLDEN_CAR = { k1: 653, k2: 63.3, u: 0.15, c: 6 } as const;

/** Discrete road features: rate per km driven, height (m, negative for dips), length along the road (m). */
export interface RoadFeature { name: string; perKm: number; height: [number, number]; length: [number, number]; maxSpeed?: number }

/**
 * Features a car's wheels meet, by road type, per km of lane (fixed in place by
 * motion/road-features.ts). Rates: urban streets carry a utility cover or patch every ~100 m of
 * which a wheel track meets about a third (≈3 per km); bridges' expansion joints
 * on main roads ≈0.5 per km; level crossings ≈0.05 per km; speed humps on residential streets
 * ≈0.3 per km, crossed at ≤ 20 km/h (the 75 mm × 3.7 m Watts hump, UK TRL LR 1019). Heights and
 * lengths are effective ones after tyre enveloping (a ~0.2 m contact patch bridges shorter gaps).
 */
const COVER: RoadFeature = { name: 'utility-cover', perKm: 3, height: [-0.02, 0.012], length: [0.5, 1.0] };
const JOINT: RoadFeature = { name: 'expansion-joint', perKm: 0.5, height: [-0.012, 0.008], length: [0.25, 0.4] };
const RAIL: RoadFeature = { name: 'rail-crossing', perKm: 0.05, height: [0.01, 0.025], length: [2.5, 3.5] };
const HUMP: RoadFeature = { name: 'speed-hump', perKm: 0.3, height: [0.06, 0.08], length: [3.5, 3.9], maxSpeed: 20 / 3.6 };
export const ROAD_FEATURES: Partial<Record<RoadClass, readonly RoadFeature[]>> = {
  motorway: [JOINT], trunk: [JOINT], primary: [JOINT, COVER, RAIL],
  secondary: [COVER, RAIL], tertiary: [COVER, RAIL], unclassified: [COVER, RAIL],
  residential: [COVER, HUMP, RAIL], living_street: [COVER, HUMP], service: [COVER, HUMP],
};
/** Feature kinds by code (0 = none); the code is kept per device while a feature is under the wheel. */
export const FEATURE_KINDS = [COVER, JOINT, RAIL, HUMP] as const;
/** Features per km of a road type, all kinds together. */
export const featuresPerKm = (road: RoadClass): number => (ROAD_FEATURES[road] ?? []).reduce((s, f) => s + f.perKm, 0);

/**
 * Engine firing vibration of a four-cylinder engine felt in the cabin: twice the crankshaft rate,
 * ≈0.05 m/s² RMS (the Citroën C1 idle windows in calibration/motion/road.json: 5–20 Hz RMS
 * 0.02–0.09 m/s²). Idle 800 rpm; driving rpm rises with speed within a gear (1,200–3,000 rpm).
 * A phone's accelerometer low-pass removes what lies above its Nyquist rate, so at 50 Hz only idle
 * (26.7 Hz) is near the edge and is left out; at 100 Hz and above it shows.
 */
export const ENGINE = { rms: 0.05, idleRpm: 800, minRpm: 1200, maxRpm: 3000 } as const;

/** Output RMS of a 4th-order IIR (b, a normalised, a[0] = 1) for unit white input. */
function noiseGain(b: Float64Array, a: Float64Array): number {
  const z = new Float64Array(4);
  let e = 0;
  for (let i = 0; i < 40000; i++) {
    const x = i === 0 ? 1 : 0;
    const y = b[0]! * x + z[0]!;
    for (let k = 0; k < 3; k++) z[k] = b[k + 1]! * x - a[k + 1]! * y + z[k + 1]!;
    z[3] = b[4]! * x - a[4]! * y;
    e += y * y;
  }
  return Math.sqrt(e);
}

/** Coefficients (ascending powers of z⁻¹) of Σ p[k] K^k (1 − z⁻¹)^k (1 + z⁻¹)^(N − k): the bilinear map of a polynomial in s. */
function bilinearPoly(p: readonly number[], K: number, N: number): Float64Array {
  const out = new Float64Array(N + 1);
  const mul = (x: number[], y: number[]) => {
    const r = new Array<number>(x.length + y.length - 1).fill(0);
    x.forEach((xv, i) => y.forEach((yv, j) => { r[i + j]! += xv * yv; }));
    return r;
  };
  p.forEach((c, k) => {
    let q = [c * K ** k];
    for (let i = 0; i < k; i++) q = mul(q, [1, -1]);
    for (let i = k; i < N; i++) q = mul(q, [1, 1]);
    q.forEach((v, i) => { out[i]! += v; });
  });
  return out;
}

/**
 * The golden car's body acceleration per unit road-profile velocity, H(s) = k1 (c s² + k2 s) / D(s),
 * D = u s⁴ + (1+u) c s³ + ((1+u) k2 + k1) s² + k1 c s + k1 k2, discretised by the bilinear transform
 * pre-warped at the wheel-hop frequency (so the hop stays at 11 Hz even at 50 Hz sampling).
 */
export function quarterCar(fs: number): { b: Float64Array; a: Float64Array; gain: number } {
  const { k1, k2, u, c } = GOLDEN_CAR;
  const num = [0, k1 * k2, k1 * c, 0, 0]; // ascending powers of s
  const den = [k1 * k2, k1 * c, (1 + u) * k2 + k1, (1 + u) * c, u];
  const hop = Math.min(Math.sqrt((k1 + k2) / u) / (2 * Math.PI), 0.4 * fs);
  const w = 2 * Math.PI * hop;
  const K = w / Math.tan(w / (2 * fs));
  const b = bilinearPoly(num, K, 4), a = bilinearPoly(den, K, 4);
  const a0 = a[0]!;
  for (let i = 0; i < 5; i++) { b[i]! /= a0; a[i]! /= a0; }
  return { b, a, gain: noiseGain(b, a) };
}

/**
 * One-sided PSD of road-profile velocity seen at speed v (m²/s² per Hz): for ISO 8608's waviness
 * w = 2, Gd(n) = Gd(n0) (n / n0)⁻², the profile's slope is white: S = 4π² Gd(n0) n0² v.
 */
export const profileVelocityPsd = (gd: number, v: number): number => 4 * Math.PI * Math.PI * gd * N0 * N0 * v;

/**
 * A car seat: foam cushions resonate near 4 Hz with a transmissibility near 2 and attenuate above
 * about 8 Hz (Griffin 1990, Handbook of Human Vibration, ch. 9; Paddan & Griffin 2002, J. Sound
 * Vib. 253(1):195–213: car seats' vertical SEAT values 0.6–1.0). Modelled as a base-excited
 * single-degree-of-freedom oscillator: resonance 4 Hz, damping ratio 0.3 (transmissibility 1.9 at
 * resonance).
 */
export const SEAT = { resonanceHz: 4, damping: 0.3 } as const;

/** Seat transmissibility H(s) = (2ζωs + ω²) / (s² + 2ζωs + ω²) as a biquad at fs, pre-warped at the resonance. */
export function seatTransmissibility(fs: number): { b0: number; b1: number; b2: number; a1: number; a2: number } {
  const w = 2 * Math.PI * Math.min(SEAT.resonanceHz, 0.4 * fs), z = SEAT.damping;
  const K = w / Math.tan(w / (2 * fs));
  // Numerator 2ζw s + w², denominator s² + 2ζw s + w², with s = K (1 − z⁻¹) / (1 + z⁻¹).
  const n0 = 2 * z * w * K + w * w, n1 = 2 * w * w, n2 = -2 * z * w * K + w * w;
  const d0 = K * K + 2 * z * w * K + w * w, d1 = 2 * w * w - 2 * K * K, d2 = K * K - 2 * z * w * K + w * w;
  return { b0: n0 / d0, b1: n1 / d0, b2: n2 / d0, a1: d1 / d0, a2: d2 / d0 };
}

/** Height (m) of a feature's profile h·sin²(πx/L) at x metres into it. */
const bumpProfile = (x: number, h: number, len: number): number => h * Math.sin((Math.PI * Math.min(x, len)) / len) ** 2;

/** Columns the road surface keeps per device. */
export const ROAD_SURFACE_COLUMNS = [
  /** Quarter-car filter state (4), engine phase (rad), position within the feature under the wheel (m), its height (m), its length (m), seat filter state (2). */
  { name: 'motion.road', type: 'f64' as const, width: 10, fill: NaN },
  /** The feature under the wheel (index into FEATURE_KINDS + 1; 0 none). */
  { name: 'motion.road_feature', type: 'u8' as const },
];

/** Renders road, features and engine into the vertical specific force of block b. */
export class RoadSurface {
  private readonly filters = new Map<number, ReturnType<typeof quarterCar>>();

  constructor(private readonly state: Float64Array, private readonly feature: Uint8Array, private readonly key: number) {}

  private readonly seats = new Map<number, { b0: number; b1: number; b2: number; a1: number; a2: number }>();
  /** The seat cushion as a base-excited oscillator (SEAT below), by the bilinear transform pre-warped at its resonance. */
  private seatFilter(fs: number) {
    let f = this.seats.get(fs);
    if (!f) this.seats.set(fs, (f = seatTransmissibility(fs)));
    return f;
  }

  private filter(fs: number) {
    let f = this.filters.get(fs);
    if (!f) this.filters.set(fs, (f = quarterCar(fs)));
    return f;
  }

  /**
   * Adds device d's road response over block b. `speed[i]` is the car's speed at sample i (m/s),
   * `noise[i]` a standard normal draw per sample; `road` is the road type being driven, `roadId` the road, `hits` the fixed features the
   * wheel reaches during this block (in sample order); `onSeat` for a phone on the seat or on its
   * occupant (a pocket, a bag on the lap), which feels the body's vertical shake through the cushion.
   */
  render(d: number, b: Block, speed: Float64Array, noise: Float32Array, road: RoadClass, roadId: number, cls: RoughnessClass | undefined, hits: readonly FeatureHit[], onSeat = false): void {
    const n = b.n, fs = b.fs, dt = 1 / fs, st = this.state, o = 10 * d;
    const { b: B, a: A } = this.filter(fs);
    if (Number.isNaN(st[o]!)) {
      for (let k = 0; k < 4; k++) st[o + k] = 0;
      st[o + 4] = 2 * Math.PI * stableUniform(this.key, d, 1); // the engine's phase, per device
      st[o + 5] = st[o + 6] = st[o + 7] = st[o + 8] = st[o + 9] = 0;
    }
    // Each road lies somewhere in its class: ISO 8608 classes span a factor of two either side of
    // their geometric mean, so a road's Gd(n0) is the mean × 2^U(−1, 1), fixed per road.
    const gd = ROUGHNESS[cls ?? ROAD_ROUGHNESS[road]] * 2 ** (2 * stableUniform(this.key, roadId, 0) - 1);
    // White profile velocity: σ per sample = √(S fs / 2) with S ∝ v.
    const sigmaPerSqrtV = Math.sqrt((profileVelocityPsd(gd, 1) * fs) / 2);
    const engineOn = ENGINE.idleRpm / 30 < 0.45 * fs; // firing frequency at idle below the phone's cut-off
    let z0 = st[o]!, z1 = st[o + 1]!, z2 = st[o + 2]!, z3 = st[o + 3]!, ph = st[o + 4]!;
    let x = st[o + 5]!, h = st[o + 6]!, len = st[o + 7]!, q1 = st[o + 8]!, q2 = st[o + 9]!;
    const seat = onSeat ? this.seatFilter(fs) : undefined;
    let kind = this.feature[d]!, next = 0;
    for (let i = 0; i < n; i++) {
      const v = speed[i]!;
      let input = sigmaPerSqrtV * Math.sqrt(v) * noise[i]!;
      // A fixed feature reached at this sample (one at a time: one arriving under a running one is bridged).
      while (next < hits.length && hits[next]!.at <= i) {
        const f = hits[next++]!;
        if (kind === 0) { kind = f.kind + 1; h = f.h; len = f.len; x = 0; }
      }
      if (kind !== 0) {
        // The profile h·sin²(πx/L) under the wheel; its velocity is the input. Humps are crossed
        // slowly: the wheel covers them at no more than their crossing speed.
        const vmax = FEATURE_KINDS[kind - 1]!.maxSpeed ?? Infinity;
        const xs = x + Math.max(Math.min(v, vmax), 0.5) * dt;
        input += (bumpProfile(xs, h, len) - bumpProfile(x, h, len)) * fs;
        x = xs;
        if (x >= len) kind = 0;
      }
      // Golden car, direct form II transposed.
      const y = B[0]! * input + z0;
      z0 = B[1]! * input - A[1]! * y + z1;
      z1 = B[2]! * input - A[2]! * y + z2;
      z2 = B[3]! * input - A[3]! * y + z3;
      z3 = B[4]! * input - A[4]! * y;
      let e = 0;
      if (engineOn) {
        const rpm = v < 0.5 ? ENGINE.idleRpm : ENGINE.minRpm + ((ENGINE.maxRpm - ENGINE.minRpm) * ((v * 3.6) % 30)) / 30;
        const f = rpm / 30;
        if (f < 0.45 * fs) e = ENGINE.rms * Math.SQRT2 * Math.sin(ph);
        ph += 2 * Math.PI * f * dt;
      }
      let felt = y + e;
      if (seat) {
        // Through the seat cushion (direct form II transposed).
        const out = seat.b0 * felt + q1;
        q1 = seat.b1 * felt - seat.a1 * out + q2;
        q2 = seat.b2 * felt - seat.a2 * out;
        felt = out;
      }
      b.au[i] = b.au[i]! + felt;
    }
    st[o] = z0; st[o + 1] = z1; st[o + 2] = z2; st[o + 3] = z3; st[o + 4] = ph % (2 * Math.PI);
    st[o + 5] = x; st[o + 6] = h; st[o + 7] = len; st[o + 8] = q1; st[o + 9] = q2;
    this.feature[d] = kind;
  }
}
