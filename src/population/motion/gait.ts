/**
 * A walker's or runner's phone, and a hand's sway. Gait: vertical acceleration at the step frequency
 * with a second harmonic, fore-aft at the step frequency, sideways at half of it; at each foot
 * contact a heel strike (a 40 ms half-sine shock and a damped ring of tissue, cloth or bag); cadence
 * per person in the profile's range, faster when walking faster; amplitudes by placement with ±10 %
 * step-to-step scatter. The thigh (pocket), arm (hand) or strap (bag) swings the phone at the stride
 * frequency: the rates go to the gyroscope and the matching angles to the block's swing, so gravity
 * turns in the phone's frame as its gyroscope says (a rigid body). A hand is never still: slow
 * 0.5–2 Hz sway of a few hundredths of a g, turning the phone likewise. Amplitudes are calibrated on
 * real walks (calibration/motion/walking.json: scripts/reference_walking.py on the Oxford
 * step-counter data, three people, three phone models).
 */
import { stableUniform } from '../../core/random.js';
import type { Block } from '../../plugin/index.js';

/** Heel-strike peaks by placement, m/s² (see HEEL_STRIKE). */
const HEEL = { hand: 3, pocket: 11, bag: 10 };
/** Ring frequency (Hz) of the tissue, cloth or bag after a heel strike, by context. */
const RING_HZ = [0, 9, 7, 6, 12];
/** Decay time (s) of that ring, by context. */
const RING_DECAY = [0, 0.06, 0.09, 0.06, 0.04];
/** Ring amplitude relative to the strike, by context. */
const RING_GAIN = [0, 0.4, 1.0, 0.5, 0.4];

/** Vertical gait amplitude at the step frequency (m/s²) by context: table, hand, pocket, bag, mount. */
export const GAIT_AMPLITUDE = [0, 2.2, 3.0, 2.5, 0.5];
/** Peak angular rate of a phone swinging with the walker (rad/s) by context. */
export const GAIT_ROTATION = [0, 0.5, 1.8, 2.6, 0.05];
/**
 * Peak of the heel-strike transient at the phone (m/s², upward specific force) by context: the
 * shock of each foot contact, a ~40 ms half-sine then a ~18 Hz ring of soft tissue and cloth. Set so
 * rendered walking falls in the band of real phones (calibration/motion/walking.json, Oxford
 * step-counter data): largest on the thigh, damped by the arm in a hand, between in a bag.
 */
export const HEEL_STRIKE = [0, HEEL.hand, HEEL.pocket, HEEL.bag, 1];

/** Adds device d's gait over block b: placement `ctx`, walking `speed` (m/s) along `heading` (rad), cadence range (Hz), impact scale. `key` keys the person's traits. */
export function renderGait(key: number, d: number, b: Block, ctx: number, speed: number, heading: number, cadence: readonly number[], scale = 1): void {
  const [lo, hi] = cadence as [number, number];
  // Cadence: the person's own within the range, nudged up with walking speed (0.5–1.5 m/s).
  const base = lo + (hi - lo) * (0.5 * stableUniform(key, d, 2) + 0.5 * Math.min(1, Math.max(0, (speed - 0.5) / 1.0)));
  const f = Math.min(base, 0.4 * b.fs);
  const A = scale * GAIT_AMPLITUDE[ctx]! * (0.85 + 0.3 * stableUniform(key, d, 3));
  const H = scale * HEEL_STRIKE[ctx]! * (0.8 + 0.4 * stableUniform(key, d, 5));
  const W = GAIT_ROTATION[ctx]!;
  const phase0 = 2 * Math.PI * stableUniform(key, d, 4);
  const fe = Math.sin(heading), fn = Math.cos(heading); // walking direction (east, north)
  // The swing as an angle: the integral of the rates below, so the phone turns as its gyroscope says.
  const thx = W / (Math.PI * f), thz = (0.3 * W) / (2 * Math.PI * f);
  const tau = 0.04, ring = RING_HZ[ctx]!, decay = RING_DECAY[ctx]!, gain = RING_GAIN[ctx]!;
  // Sines by rotating phasors from exact values at the block's start (and at each step's contact for
  // the heel strike): a few multiplies a sample instead of a dozen transcendental calls.
  const dt = 1 / b.fs, w0 = 2 * Math.PI * f, t0 = b.k0 / b.fs;
  const hd = 0.5 * w0 * dt, hcd = Math.cos(hd), hsd = Math.sin(hd);
  let hc = Math.cos(0.5 * (w0 * t0 + phase0)), hs = Math.sin(0.5 * (w0 * t0 + phase0));
  const c08 = Math.cos(0.8), s08 = Math.sin(0.8), c12 = Math.cos(1.2), s12 = Math.sin(1.2), c04 = Math.cos(0.4), s04 = Math.sin(0.4);
  const envStep = Math.exp(-dt / decay), rd = 2 * Math.PI * ring * dt, rcd = Math.cos(rd), rsd = Math.sin(rd);
  let lastStep = NaN, scatter = 1, env = 0, rc = 1, rs = 0;
  for (let i = 0; i < b.n; i++) {
    const ph = w0 * (t0 + i * dt) + phase0;
    const step = Math.floor(ph / (2 * Math.PI));
    const since = (ph / (2 * Math.PI) - step) / f;
    if (step !== lastStep) {
      lastStep = step;
      scatter = 0.9 + 0.2 * stableUniform(key, d, 1000 + (step & 0xfffff));
      env = Math.exp(-since / decay); rc = Math.cos(2 * Math.PI * ring * since); rs = Math.sin(2 * Math.PI * ring * since);
    }
    const c = hc * hc - hs * hs, sn = 2 * hs * hc; // cos ph, sin ph
    const s2 = 2 * sn * c, c2 = c * c - sn * sn;
    const vert = A * scatter * (sn + 0.5 * (s2 * c08 + c2 * s08));
    const fore = 0.5 * A * scatter * (sn * c12 + c * s12);
    const side = 0.3 * A * hs;
    // Heel strike at the start of each step: a half-sine, then a damped ring.
    let shock = 0;
    if (H > 0 && since < 0.3) {
      const h = H * scatter;
      if (since < tau) shock = h * Math.sin((Math.PI * since) / tau);
      shock += gain * h * env * rs;
    }
    b.au[i] = b.au[i]! + vert + shock;
    b.ae[i] = b.ae[i]! + (fore - 0.3 * shock) * fe + side * fn;
    b.an[i] = b.an[i]! + (fore - 0.3 * shock) * fn - side * fe;
    // The phone swings with the thigh (pocket) or the arm (hand) at the stride frequency; the angle
    // is the integral of the rate, so the phone turns as its gyroscope says.
    const sp04 = sn * c04 + c * s04, cp04 = c * c04 - sn * s04;
    b.wx[i] = b.wx[i]! + W * hs;
    b.wz[i] = b.wz[i]! + 0.3 * W * sp04;
    b.sx[i] = b.sx[i]! - thx * hc;
    b.sz[i] = b.sz[i]! - thz * cp04;
    // Advance the phasors by one sample.
    const nhc = hc * hcd - hs * hsd;
    hs = hs * hcd + hc * hsd; hc = nhc;
    env *= envStep;
    const nrc = rc * rcd - rs * rsd;
    rs = rs * rcd + rc * rsd; rc = nrc;
  }
  if (W > 0) b.swung = true;
}

/** Adds a hand's (or pocket's) slow sway: three 0.5–2 Hz components of about `acc` (m/s²) and `rot` (rad/s), per person. */
export function renderSway(key: number, d: number, b: Block, acc: number, rot: number): void {
  for (let k = 0; k < 3; k++) {
    const f = 0.5 + 1.5 * stableUniform(key, d, 10 + k), ph = 2 * Math.PI * stableUniform(key, d, 20 + k);
    const a = acc * (0.5 + stableUniform(key, d, 30 + k)), w = rot * (0.5 + stableUniform(key, d, 40 + k));
    const th = w / (2 * Math.PI * f); // the angle whose rate is w·sin(…)
    const ax = k === 0 ? b.au : k === 1 ? b.ae : b.an, wr = k === 0 ? b.wx : k === 1 ? b.wy : b.wz, sr = k === 0 ? b.sx : k === 1 ? b.sy : b.sz;
    for (let i = 0; i < b.n; i++) {
      const arg = 2 * Math.PI * f * ((b.k0 + i) / b.fs) + ph;
      const s = Math.sin(arg);
      ax[i] = ax[i]! + a * s;
      wr[i] = wr[i]! + w * s;
      sr[i] = sr[i]! - th * Math.cos(arg);
    }
  }
  if (rot > 0) b.swung = true;
}
