/**
 * Earthquake hazard (point source): P and S arrivals, Boore & Atkinson (2008) median PGA/PGV with
 * optional aleatory variability, Worden et al. (2012) intensity, and a three-component waveform
 * with Cua & Heaton (2007) P and S envelopes filled with Brune-band-limited Gaussian noise, scaled so
 * the geometric mean of the two horizontal peaks equals the device's PGA.
 *
 * Rendering cost is proportional to affected devices × shaking duration: each device's shaking is
 * synthesised only inside its window [P arrival, end of S coda].
 */
import * as z from 'zod';
import { G } from '../../core/units.js';
import { FastRandom, fillGaussian, seedFastState } from '../../core/random.js';
import { highpass, lowpass, type Biquad } from '../../core/biquad.js';
import type { ColumnSpec } from '../../core/columns.js';
import { duration, latitude, longitude } from '../../scenario/fields.js';
import { vs30At } from '../../world/load.js';
import type { HazardPlugin, HazardRuntime, HazardTruth, StageContext } from '../../engine/types.js';
import { ba08 } from './ba08.js';
import { mmiFromPgaPgv } from './worden2012.js';
import { envelopeAt, envelopeDecayTime, phaseEnvelope, siteClassOf, type PhaseEnvelope } from './cua-heaton.js';
import { bruneCornerHz } from './source.js';

export const earthquakeSchema = z.strictObject({
  type: z.literal('earthquake'),
  name: z.string().optional(),
  /** Origin time after scenario start. */
  origin_time: duration({ min: 0 }),
  lon: longitude(),
  lat: latitude(),
  depth_km: z.number().min(0).max(700).default(8),
  /** Moment magnitude. BA08 is fitted for 5–8; 3–9.5 is accepted with a warning outside the fitted range. */
  magnitude: z.number().min(3, { error: 'expected a moment magnitude between 3 and 9.5 (BA08 is fitted for 5–8)' }).max(9.5, { error: 'expected a moment magnitude between 3 and 9.5 (BA08 is fitted for 5–8)' }),
  /** Rake in degrees; omit for an unspecified fault type. */
  rake: z.number().min(-180).max(180).optional(),
  vp_km_s: z.number().positive().default(6.1),
  vs_km_s: z.number().positive().default(3.55),
  /** Brune stress drop, bar (sets the corner frequency). */
  stress_drop_bar: z.number().positive().default(100),
  /** Aleatory variability drawn around the BA08 median: none, between-event, within-event, or both. */
  variability: z.enum(['none', 'inter', 'intra', 'both']).default('none'),
  /** Vs30 for every device (m/s); by default taken from the world's site features, else 760. */
  vs30: z.number().min(100).max(3000).optional(),
  /** Truth: a device deserves an alert when its MMI reaches this. */
  alert_mmi: z.number().min(1).max(10).default(4),
  /** Devices whose PGA is below this (g) get truth but no rendered shaking. */
  render_floor_g: z.number().min(0).default(0.0005),
  /** Upper corner of the band-limited noise, Hz (capped at 0.45 × sample rate). */
  fmax_hz: z.number().positive().default(10),
}).superRefine((c, ctx) => {
  if (c.vs_km_s >= c.vp_km_s) ctx.addIssue({ code: 'custom', path: ['vs_km_s'], message: `expected an S velocity below the P velocity (${c.vp_km_s} km/s), found ${c.vs_km_s}`, input: c.vs_km_s });
});

export type EarthquakeConfig = z.output<typeof earthquakeSchema>;

/** State of a device's field for this hazard. */
const enum FieldState { Pending = 0, Quiet = 1, Shaking = 2, Done = 3 }

/** Per-device columns (names are prefixed by the engine). */
function columns(): ColumnSpec[] {
  return [
    { name: 'state', type: 'u8' },
    { name: 'tp', type: 'f64', fill: NaN },
    { name: 'ts', type: 'f64', fill: NaN },
    { name: 'tend', type: 'f64', fill: NaN },
    { name: 'rjb_km', type: 'f32', fill: NaN },
    { name: 'pga_g', type: 'f32', fill: NaN },
    { name: 'pgv_cms', type: 'f32', fill: NaN },
    { name: 'mmi', type: 'f32', fill: NaN },
    { name: 'scale', type: 'f64', fill: NaN },
    { name: 'rng', type: 'i32', width: 4 },
    { name: 'filter', type: 'f64', width: 12 },
    // 4 envelopes (P-H, S-H, P-Z, S-Z) × (rise, plateau, tau, gamma, amplitude)
    { name: 'env', type: 'f32', width: 20 },
  ];
}

/** Source-to-site quantities for one position (exported for the `shaking` calculator and tests). */
export interface SiteShaking {
  rjbKm: number;
  hypoKm: number;
  pArrival: number;
  sArrival: number;
  pgaG: number;
  pgvCms: number;
  mmi: number;
  vs30: number;
}

/** Median (or ε-shifted) shaking at a site `rjbKm` from the epicentre. */
export function siteShaking(c: Pick<EarthquakeConfig, 'magnitude' | 'depth_km' | 'rake' | 'vp_km_s' | 'vs_km_s' | 'origin_time'>, rjbKm: number, vs30: number, epsilonPga = 0, epsilonPgv = 0): SiteShaking {
  const hypoKm = Math.sqrt(rjbKm * rjbKm + c.depth_km * c.depth_km);
  const input = { magnitude: c.magnitude, rjbKm, vs30, rake: c.rake };
  const a = ba08('pga', input);
  const v = ba08('pgv', input);
  const pgaG = Math.exp(a.lnMedian + epsilonPga);
  const pgvCms = Math.exp(v.lnMedian + epsilonPgv);
  return {
    rjbKm, hypoKm,
    pArrival: c.origin_time + hypoKm / c.vp_km_s,
    sArrival: c.origin_time + hypoKm / c.vs_km_s,
    pgaG, pgvCms, mmi: mmiFromPgaPgv(pgaG, pgvCms), vs30,
  };
}

const ENV_ORDER = [['P', 'H'], ['S', 'H'], ['P', 'Z'], ['S', 'Z']] as const;
/** Envelope end: where the S envelope has decayed to this fraction of its plateau. */
const CODA_FRACTION = 0.03;
/** Longest rendered shaking window, s. */
const MAX_WINDOW_S = 300;
/** Cosine taper at the end of the window, s. */
const TAPER_S = 2;
/** Envelope evaluation grid, s (envelopes vary on scales of seconds). */
const ENVELOPE_STEP_S = 0.1;
/** Calibration runs until the horizontal S envelope has decayed to this fraction: later noise cannot reach the peak. */
const CALIBRATION_FRACTION = 0.25;

class EarthquakeRuntime implements HazardRuntime {
  private readonly c: EarthquakeConfig;
  private readonly ctx: StageContext;
  private readonly key: string;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly state: Uint8Array;
  private readonly tp: Float64Array;
  private readonly ts: Float64Array;
  private readonly tend: Float64Array;
  private readonly rjb: Float32Array;
  private readonly pga: Float32Array;
  private readonly pgv: Float32Array;
  private readonly mmi: Float32Array;
  private readonly scale: Float64Array;
  private readonly rng: Int32Array;
  private readonly filter: Float64Array;
  private readonly env: Float32Array;
  private readonly epicentre: [number, number];
  private readonly interPga: number;
  private readonly interPgv: number;
  private readonly cornerHz: number;
  private filters = new Map<number, { hp: Biquad; lp: Biquad }>();
  private scratch = new Float64Array(0);
  private envH = new Float64Array(0);
  private envZ = new Float64Array(0);
  private readonly envScratch: PhaseEnvelope[] = [0, 1, 2, 3].map(() => ({ rise: 1, plateau: 0, tau: 1, gamma: 1, amplitude: 0 }));

  constructor(c: EarthquakeConfig, ctx: StageContext, index: number) {
    this.c = c;
    this.ctx = ctx;
    this.key = `hazard${index}/earthquake`;
    const col = ctx.columns, p = ctx.prefix;
    this.x = col.f64('x');
    this.y = col.f64('y');
    this.state = col.u8(p + 'state');
    this.tp = col.f64(p + 'tp');
    this.ts = col.f64(p + 'ts');
    this.tend = col.f64(p + 'tend');
    this.rjb = col.f32(p + 'rjb_km');
    this.pga = col.f32(p + 'pga_g');
    this.pgv = col.f32(p + 'pgv_cms');
    this.mmi = col.f32(p + 'mmi');
    this.scale = col.f64(p + 'scale');
    this.rng = col.i32(p + 'rng');
    this.filter = col.f64(p + 'filter');
    this.env = col.f32(p + 'env');
    this.epicentre = ctx.world.frame.project([c.lon, c.lat]);
    const inter = c.variability === 'inter' || c.variability === 'both' ? FastRandom.of(ctx.seed, this.key + '/inter').normal() : 0;
    const s = ba08('pga', { magnitude: c.magnitude, rjbKm: 10, vs30: 760, rake: c.rake });
    const sv = ba08('pgv', { magnitude: c.magnitude, rjbKm: 10, vs30: 760, rake: c.rake });
    this.interPga = inter * s.sigmaInter;
    this.interPgv = inter * sv.sigmaInter;
    this.cornerHz = bruneCornerHz(c.magnitude, { stressDropBar: c.stress_drop_bar, betaKmS: c.vs_km_s });
  }

  /** Computes device d's truth and envelope parameters from its current position. */
  private computeField(d: number): void {
    const c = this.c;
    const dx = this.x[d]! - this.epicentre[0], dy = this.y[d]! - this.epicentre[1];
    const rjbKm = Math.sqrt(dx * dx + dy * dy) / 1000;
    const vs30 = c.vs30 ?? vs30At(this.ctx.world, this.x[d]!, this.y[d]!);
    let epsA = this.interPga, epsV = this.interPgv;
    if (c.variability === 'intra' || c.variability === 'both') {
      const e = FastRandom.of(this.ctx.seed, this.key + '/intra', d).normal();
      epsA += e * ba08('pga', { magnitude: c.magnitude, rjbKm, vs30, rake: c.rake }).sigmaIntra;
      epsV += e * ba08('pgv', { magnitude: c.magnitude, rjbKm, vs30, rake: c.rake }).sigmaIntra;
    }
    const s = siteShaking(c, rjbKm, vs30, epsA, epsV);
    this.rjb[d] = rjbKm;
    this.tp[d] = s.pArrival;
    this.ts[d] = s.sArrival;
    this.pga[d] = s.pgaG;
    this.pgv[d] = s.pgvCms;
    this.mmi[d] = s.mmi;
    if (s.pgaG < c.render_floor_g) {
      this.state[d] = FieldState.Quiet;
      return;
    }
    const site = siteClassOf(vs30);
    const env = this.env, o = d * 20;
    let sDecay = 0;
    for (let e = 0; e < 4; e++) {
      const [phase, comp] = ENV_ORDER[e]!;
      const pe = phaseEnvelope(phase, comp, site, c.magnitude, s.hypoKm);
      env[o + 5 * e] = pe.rise;
      env[o + 5 * e + 1] = pe.plateau;
      env[o + 5 * e + 2] = pe.tau;
      env[o + 5 * e + 3] = pe.gamma;
      env[o + 5 * e + 4] = pe.amplitude;
      if (phase === 'S' && comp === 'H') sDecay = envelopeDecayTime(pe, CODA_FRACTION);
    }
    this.tend[d] = s.sArrival + Math.min(sDecay, MAX_WINDOW_S - (s.sArrival - s.pArrival));
    this.state[d] = FieldState.Shaking;
  }

  private filtersFor(fs: number): { hp: Biquad; lp: Biquad } {
    let f = this.filters.get(fs);
    if (!f) {
      const nyq = fs / 2;
      f = { hp: highpass(Math.min(this.cornerHz, 0.2 * nyq), fs), lp: lowpass(Math.min(this.c.fmax_hz, 0.9 * nyq), fs) };
      this.filters.set(fs, f);
    }
    return f;
  }

  private loadEnvelopes(d: number): PhaseEnvelope[] {
    const env = this.env, o = d * 20;
    for (let e = 0; e < 4; e++) {
      const pe = this.envScratch[e]!;
      pe.rise = env[o + 5 * e]!;
      pe.plateau = env[o + 5 * e + 1]!;
      pe.tau = env[o + 5 * e + 2]!;
      pe.gamma = env[o + 5 * e + 3]!;
      pe.amplitude = env[o + 5 * e + 4]!;
    }
    return this.envScratch;
  }

  /** Combined P+S envelope of the horizontal (h = 1) or vertical (h = 0) components at time t, with the end taper. */
  private envelopeValue(envs: PhaseEnvelope[], horizontal: boolean, t: number, tp: number, ts: number, tend: number): number {
    const pEnv = horizontal ? envs[0]! : envs[2]!;
    const sEnv = horizontal ? envs[1]! : envs[3]!;
    const ep = pEnv.amplitude * envelopeAt(pEnv, t - tp);
    const es = sEnv.amplitude * envelopeAt(sEnv, t - ts);
    let e = Math.sqrt(ep * ep + es * es);
    const toEnd = tend - t;
    if (toEnd < TAPER_S) e *= toEnd <= 0 ? 0 : 0.5 - 0.5 * Math.cos((Math.PI * toEnd) / TAPER_S);
    return e;
  }

  /**
   * Generates the unscaled waveform for samples [k0, k0+n) of device d into out (3 interleaved
   * components E, N, U), advancing its noise stream and filters. Envelopes are evaluated on a grid
   * of ENVELOPE_STEP_S aligned to absolute time and interpolated linearly, so the result does not
   * depend on how the window is cut into blocks.
   */
  private synthesize(d: number, k0: number, n: number, fs: number, out: Float64Array): void {
    const { hp, lp } = this.filtersFor(fs);
    const envs = this.loadEnvelopes(d);
    const tp = this.tp[d]!, ts = this.ts[d]!, tend = this.tend[d]!;
    fillGaussian(this.rng, d * 4, out, 0, 3 * n, 1, 1);
    // Envelopes at the sample times.
    const eh = this.envH.length >= n ? this.envH : (this.envH = new Float64Array(n));
    const ez = this.envZ.length >= n ? this.envZ : (this.envZ = new Float64Array(n));
    let cell = -1, h0 = 0, h1v = 0, z0 = 0, z1v = 0;
    for (let i = 0; i < n; i++) {
      const t = (k0 + i) / fs;
      const g = Math.floor(t / ENVELOPE_STEP_S);
      if (g !== cell) {
        const ta = g * ENVELOPE_STEP_S, tb = (g + 1) * ENVELOPE_STEP_S;
        if (g === cell + 1 && cell >= 0) { h0 = h1v; z0 = z1v; } else { h0 = this.envelopeValue(envs, true, ta, tp, ts, tend); z0 = this.envelopeValue(envs, false, ta, tp, ts, tend); }
        h1v = this.envelopeValue(envs, true, tb, tp, ts, tend);
        z1v = this.envelopeValue(envs, false, tb, tp, ts, tend);
        cell = g;
      }
      const f = (t - g * ENVELOPE_STEP_S) / ENVELOPE_STEP_S;
      eh[i] = h0 + f * (h1v - h0);
      ez[i] = z0 + f * (z1v - z0);
    }
    const st = this.filter, so = d * 12;
    for (let c = 0; c < 3; c++) {
      // Two biquads (Brune high-pass, f_max low-pass) per component, state at so + 4c.
      let h1 = st[so + 4 * c]!, h2 = st[so + 4 * c + 1]!, l1 = st[so + 4 * c + 2]!, l2 = st[so + 4 * c + 3]!;
      const env = c < 2 ? eh : ez;
      for (let i = 0; i < n; i++) {
        const v = out[3 * i + c]!;
        const y = hp.b0 * v + h1;
        h1 = hp.b1 * v - hp.a1 * y + h2;
        h2 = hp.b2 * v - hp.a2 * y;
        const w = lp.b0 * y + l1;
        l1 = lp.b1 * y - lp.a1 * w + l2;
        l2 = lp.b2 * y - lp.a2 * w;
        out[3 * i + c] = env[i]! * w;
      }
      st[so + 4 * c] = h1; st[so + 4 * c + 1] = h2; st[so + 4 * c + 2] = l1; st[so + 4 * c + 3] = l2;
    }
  }

  private resetStream(d: number): void {
    seedFastState(this.rng, d * 4, this.ctx.seed, this.key + '/waveform', d);
    this.filter.fill(0, d * 12, d * 12 + 12);
  }

  private ensureScratch(n: number): Float64Array {
    if (this.scratch.length < 3 * n) this.scratch = new Float64Array(3 * n);
    return this.scratch;
  }

  /** First pass: synthesise the whole window once to find the scale that puts the peak on the PGA. */
  private calibrate(d: number, fs: number): void {
    const kStart = Math.ceil(this.tp[d]! * fs - 1e-9);
    const sh = this.loadEnvelopes(d)[1]!;
    const tCal = Math.min(this.tend[d]!, this.ts[d]! + envelopeDecayTime(sh, CALIBRATION_FRACTION));
    const kEnd = Math.floor(tCal * fs);
    this.resetStream(d);
    const block = 1024;
    const buf = this.ensureScratch(block);
    let pe = 0, pn = 0;
    for (let k = kStart; k <= kEnd; k += block) {
      const n = Math.min(block, kEnd - k + 1);
      this.synthesize(d, k, n, fs, buf);
      for (let i = 0; i < n; i++) {
        const e = Math.abs(buf[3 * i]!), nn = Math.abs(buf[3 * i + 1]!);
        if (e > pe) pe = e;
        if (nn > pn) pn = nn;
      }
    }
    const geo = Math.sqrt(pe * pn);
    this.scale[d] = geo > 0 ? (this.pga[d]! * G) / geo : 0;
    this.resetStream(d);
  }

  render(d: number, k0: number, n: number, fs: number, ae: Float32Array, an: Float32Array, au: Float32Array): void {
    let state = this.state[d]!;
    if (state === FieldState.Pending) {
      if ((k0 + n) / fs <= this.c.origin_time) return;
      this.computeField(d);
      state = this.state[d]!;
    }
    if (state !== FieldState.Shaking) return;
    const kStart = Math.ceil(this.tp[d]! * fs - 1e-9);
    const kEnd = Math.floor(this.tend[d]! * fs);
    if (k0 + n <= kStart) return;
    if (k0 > kEnd) {
      this.state[d] = FieldState.Done;
      return;
    }
    if (Number.isNaN(this.scale[d]!)) this.calibrate(d, fs);
    const a = Math.max(k0, kStart), b = Math.min(k0 + n - 1, kEnd);
    const m = b - a + 1;
    const buf = this.ensureScratch(m);
    this.synthesize(d, a, m, fs, buf);
    const sc = this.scale[d]!;
    for (let i = 0, j = a - k0; i < m; i++, j++) {
      ae[j] = ae[j]! + sc * buf[3 * i]!;
      an[j] = an[j]! + sc * buf[3 * i + 1]!;
      au[j] = au[j]! + sc * buf[3 * i + 2]!;
    }
  }
}

export const earthquake: HazardPlugin<EarthquakeConfig> = {
  type: 'earthquake',
  category: 'hazard',
  schema: earthquakeSchema,
  columns: () => columns(),
  create(config, ctx) {
    const index = Number(/hazard(\d+)\./.exec(ctx.prefix)?.[1] ?? 0);
    return new EarthquakeRuntime(config, ctx, index);
  },
  truth(config, ctx, index): HazardTruth {
    const col = ctx.columns, p = ctx.prefix;
    const state = col.u8(p + 'state');
    const rows = col.rows;
    const reached = new Uint8Array(rows);
    const shouldAlert = new Uint8Array(rows);
    const mmi = col.f32(p + 'mmi');
    for (let d = 0; d < rows; d++) {
      reached[d] = state[d] !== FieldState.Pending ? 1 : 0;
      shouldAlert[d] = reached[d] && mmi[d]! >= config.alert_mmi ? 1 : 0;
    }
    return {
      index,
      type: 'earthquake',
      kind: 'earthquake',
      name: config.name ?? `M${config.magnitude} earthquake`,
      alertable: true,
      start: config.origin_time,
      facts: {
        origin_time: config.origin_time, lon: config.lon, lat: config.lat, depth_km: config.depth_km,
        magnitude: config.magnitude, rake: config.rake ?? null, alert_mmi: config.alert_mmi,
      },
      devices: {
        reached,
        pArrival: col.f64(p + 'tp'),
        sArrival: col.f64(p + 'ts'),
        pgaG: col.f32(p + 'pga_g'),
        mmi,
        shouldAlert,
      },
    };
  },
};
