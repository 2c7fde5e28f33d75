/**
 * Earthquake hazard: a point source, or a finite line rupture for large events.
 *
 * Ground truth per device: P and S arrivals (hypocentral distance / velocity), median PGA and PGV
 * from Boore & Atkinson (2008) at the Joyner–Boore distance with the site's Vs30 (optional
 * aleatory variability), MMI from Worden et al. (2012), and `should_alert` (MMI ≥ alert_mmi).
 *
 * Waveforms: three components whose envelope is the root-sum-square of Cua & Heaton (2007) P and S
 * envelopes of every subevent (one for a point source), filled with Gaussian noise band-limited
 * between the Brune corner frequency and f_max, and scaled so the geometric mean of the two
 * horizontal peaks equals the device's PGA. A finite rupture is a row of equal-moment subevents
 * along strike that fire as the rupture front (velocity ≈ 0.8 V_S) reaches them, so at a site
 * the shaking keeps growing while the rupture approaches and lasts about as long as the rupture.
 *
 * Rendering cost is proportional to affected devices × shaking duration: each device's shaking is
 * synthesised only inside its window [P arrival, end of the coda].
 */
import { G } from '../../core/units.js';
import { FastRandom, fillGaussian, seedFastState } from '../../core/random.js';
import { highpass, lowpass, type Biquad } from '../../core/biquad.js';
import type { ColumnSpec } from '../../core/columns.js';
import { vs30At } from '../../world/load.js';
import { segmentDistance2 } from '../../world/geometry.js';
import type { Block, Exposure, HazardRuntime, HazardContext, SiteShaking } from '../../plugin/index.js';
import { ba08 } from '../../physics/ba08.js';
import { envelopeAt, envelopeDecayTime, phaseEnvelope, siteClassOf, type PhaseEnvelope } from './cua-heaton.js';
import { bruneCornerHz } from './source.js';
import type { EarthquakeConfig } from './config.js';
import { siteShaking, sourceModel, type SourceModel } from './site-source.js';
import { hypot } from '../../core/geo.js';

export const enum FieldState { Pending = 0, Quiet = 1, Shaking = 2, Done = 3 }

/** Per-device columns; trigger fidelity, which renders nothing, leaves out the waveform state (128 bytes a phone). */
export function columns(fidelity: 'signal' | 'trigger' = 'signal'): ColumnSpec[] {
  const truth: ColumnSpec[] = [
    { name: 'state', type: 'u8' },
    { name: 'tp', type: 'f64', fill: NaN },
    { name: 'ts', type: 'f64', fill: NaN },
    { name: 'rjb_km', type: 'f32', fill: NaN },
    /** Where the device was when its field was computed (envelopes derive from it, not from later moves). */
    { name: 'fx', type: 'f64' },
    { name: 'fy', type: 'f64' },
    { name: 'vs30', type: 'f32', fill: NaN },
    { name: 'pga_g', type: 'f32', fill: NaN },
    { name: 'pgv_cms', type: 'f32', fill: NaN },
    { name: 'mmi', type: 'f32', fill: NaN },
  ];
  if (fidelity === 'trigger') return truth;
  return [
    ...truth,
    { name: 'tend', type: 'f64', fill: NaN },
    { name: 'scale', type: 'f64', fill: NaN },
    { name: 'rng', type: 'i32', width: 4 },
    { name: 'filter', type: 'f64', width: 12 },
  ];
}

/**
 * End of the rendered window: where the last S envelope has decayed to this fraction of its plateau
 * (−20 dB). Cua & Heaton codas decay as slow power laws (γ ≈ 0.8 for an M7 at 100 km), so going on
 * to 3 % would render minutes of faint coda holding about 1 % of the energy, below phone noise.
 */
const CODA_FRACTION = 0.1;
/** Longest rendered shaking window, s. */
const MAX_WINDOW_S = 400;
/** Cosine taper at the end of the window, s. */
const TAPER_S = 2;
/** Calibration runs until the last horizontal S envelope has decayed to this fraction: later noise cannot reach the peak. */
const CALIBRATION_FRACTION = 0.25;
const ENV_KINDS = [['P', 'H'], ['S', 'H'], ['P', 'Z'], ['S', 'Z']] as const;

/** Subevent envelopes of the device being rendered (recomputed when the device changes). */
interface DeviceEnvelopes {
  device: number;
  /** Per subevent: P and S arrival times. */
  tp: Float64Array;
  ts: Float64Array;
  /** Per subevent × 4 kinds (P-H, S-H, P-Z, S-Z). */
  env: PhaseEnvelope[];
}

export class EarthquakeRuntime implements HazardRuntime {
  private readonly c: EarthquakeConfig;
  private readonly ctx: HazardContext;
  private readonly key: string;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly state: Uint8Array;
  private readonly tp: Float64Array;
  private readonly ts: Float64Array;
  private readonly tend: Float64Array;
  private readonly rjb: Float32Array;
  private readonly fx: Float64Array;
  private readonly fy: Float64Array;
  private readonly vs30: Float32Array;
  private readonly pga: Float32Array;
  private readonly pgv: Float32Array;
  private readonly mmi: Float32Array;
  private readonly scale: Float64Array;
  private readonly rng: Int32Array;
  private readonly filter: Float64Array;
  readonly source: SourceModel;
  private readonly interPga: number;
  private readonly interPgv: number;
  private readonly cornerHz: number;
  private readonly step: number;
  private filters = new Map<number, { hp: Biquad; lp: Biquad }>();
  private scratch = new Float64Array(0);
  private envH = new Float64Array(0);
  private envZ = new Float64Array(0);
  private cache: DeviceEnvelopes;

  constructor(c: EarthquakeConfig, ctx: HazardContext, index: number) {
    this.c = c;
    this.ctx = ctx;
    this.key = `hazard${index}/earthquake`;
    const col = ctx.columns, p = ctx.prefix;
    this.x = col.f64('x');
    this.y = col.f64('y');
    this.state = col.u8(p + 'state');
    this.tp = col.f64(p + 'tp');
    this.ts = col.f64(p + 'ts');
    this.tend = col.has(p + 'tend') ? col.f64(p + 'tend') : new Float64Array(0);
    this.rjb = col.f32(p + 'rjb_km');
    this.fx = col.f64(p + 'fx');
    this.fy = col.f64(p + 'fy');
    this.vs30 = col.f32(p + 'vs30');
    this.pga = col.f32(p + 'pga_g');
    this.pgv = col.f32(p + 'pgv_cms');
    this.mmi = col.f32(p + 'mmi');
    this.scale = col.has(p + 'scale') ? col.f64(p + 'scale') : new Float64Array(0);
    this.rng = col.has(p + 'rng') ? col.i32(p + 'rng') : new Int32Array(0);
    this.filter = col.has(p + 'filter') ? col.f64(p + 'filter') : new Float64Array(0);
    this.source = sourceModel(c, ctx.world.frame.project([c.lon, c.lat]));
    const inter = c.variability === 'inter' || c.variability === 'both' ? FastRandom.of(ctx.seed, this.key + '/inter').normal() : 0;
    this.interPga = inter * ba08('pga', { magnitude: c.magnitude, rjbKm: 10, vs30: 760, rake: c.rake }).sigmaInter;
    this.interPgv = inter * ba08('pgv', { magnitude: c.magnitude, rjbKm: 10, vs30: 760, rake: c.rake }).sigmaInter;
    this.cornerHz = bruneCornerHz(c.magnitude, { stressDropBar: c.stress_drop_bar, betaKmS: c.vs_km_s });
    const n = this.source.sx.length;
    this.step = n > 1 ? 0.25 : 0.1;
    this.cache = { device: -1, tp: new Float64Array(n), ts: new Float64Array(n), env: Array.from({ length: 4 * n }, () => ({ rise: 1, plateau: 0, tau: 1, gamma: 1, amplitude: 0 })) };
  }

  /** Joyner–Boore distance (km) from (x, y) to the rupture's surface trace. */
  private rjbKm(x: number, y: number): number {
    let d2 = Infinity;
    for (const [ax, ay, bx, by] of this.source.traces) d2 = Math.min(d2, segmentDistance2(x, y, ax, ay, bx, by));
    return Math.sqrt(d2) / 1000;
  }

  /** Subevent envelopes of device d at its field position (cached while d is being rendered). */
  private envelopes(d: number): DeviceEnvelopes {
    const e = this.cache;
    if (e.device === d) return e;
    const src = this.source, c = this.c;
    const x = this.fx[d]!, y = this.fy[d]!;
    const site = siteClassOf(this.vs30[d]!);
    for (let k = 0; k < src.sx.length; k++) {
      const rKm = hypot(x - src.sx[k]!, y - src.sy[k]!) / 1000;
      const hypo = Math.sqrt(rKm * rKm + src.depthKm * src.depthKm);
      e.tp[k] = c.origin_time + src.st[k]! + hypo / c.vp_km_s;
      e.ts[k] = c.origin_time + src.st[k]! + hypo / c.vs_km_s;
      for (let j = 0; j < 4; j++) {
        const [phase, comp] = ENV_KINDS[j]!;
        Object.assign(e.env[4 * k + j]!, phaseEnvelope(phase, comp, site, src.magnitude, hypo, rKm));
      }
    }
    e.device = d;
    return e;
  }

  /**
   * Computes device d's truth and window from its current position. Without `envelopes` (trigger
   * fidelity, which renders nothing) only the arrivals are computed: the shaking window's end, which
   * needs every subevent's Cua–Heaton envelope, is left unset.
   */
  private computeField(d: number, envelopes = true): void {
    const c = this.c;
    const x = this.x[d]!, y = this.y[d]!;
    const rjbKm = this.rjbKm(x, y);
    const vs30 = c.vs30 ?? vs30At(this.ctx.world, x, y);
    let epsA = this.interPga, epsV = this.interPgv;
    if (c.variability === 'intra' || c.variability === 'both') {
      const e = FastRandom.of(this.ctx.seed, this.key + '/intra', d).normal();
      epsA += e * ba08('pga', { magnitude: c.magnitude, rjbKm, vs30, rake: c.rake }).sigmaIntra;
      epsV += e * ba08('pgv', { magnitude: c.magnitude, rjbKm, vs30, rake: c.rake }).sigmaIntra;
    }
    const s = siteShaking(c, rjbKm, vs30, epsA, epsV);
    this.rjb[d] = rjbKm;
    this.fx[d] = x;
    this.fy[d] = y;
    this.vs30[d] = vs30;
    this.pga[d] = s.pgaG;
    this.pgv[d] = s.pgvCms;
    this.mmi[d] = s.mmi;
    this.cache.device = -1;
    if (!envelopes) {
      const src = this.source, n = src.sx.length;
      let first = Infinity, best = Infinity, impact = NaN;
      for (let k = 0; k < n; k++) {
        const r = hypot(x - src.sx[k]!, y - src.sy[k]!), rKm = r / 1000, hypo = Math.sqrt(rKm * rKm + src.depthKm * src.depthKm);
        first = Math.min(first, c.origin_time + src.st[k]! + hypo / c.vp_km_s);
        if (r < best) { best = r; impact = c.origin_time + src.st[k]! + hypo / c.vs_km_s; }
      }
      this.tp[d] = first;
      this.ts[d] = impact;
      this.state[d] = s.pgaG < c.render_floor_g ? FieldState.Quiet : FieldState.Shaking;
      return;
    }
    const env = this.envelopes(d);
    const n = this.source.sx.length;
    // First arrival: the earliest P of any subevent (the hypocentre's, since the rupture is slower than P).
    // Impact: the S arrival from the subevent closest to the device (the strongest shaking).
    let first = Infinity, closest = 0, best = Infinity, end = 0;
    for (let k = 0; k < n; k++) {
      first = Math.min(first, env.tp[k]!);
      const r = hypot(x - this.source.sx[k]!, y - this.source.sy[k]!);
      if (r < best) { best = r; closest = k; }
      end = Math.max(end, env.ts[k]! + envelopeDecayTime(env.env[4 * k + 1]!, CODA_FRACTION));
    }
    this.tp[d] = first;
    this.ts[d] = env.ts[closest]!;
    this.tend[d] = Math.min(end, first + MAX_WINDOW_S);
    this.state[d] = s.pgaG < c.render_floor_g ? FieldState.Quiet : FieldState.Shaking;
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

  /** Combined envelope (RSS over subevents and phases) of horizontal or vertical motion at time t. */
  private envelopeValue(e: DeviceEnvelopes, horizontal: boolean, t: number, tend: number): number {
    const n = e.tp.length;
    const po = horizontal ? 0 : 2, so = horizontal ? 1 : 3;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const pe = e.env[4 * k + po]!, se = e.env[4 * k + so]!;
      const ep = pe.amplitude * envelopeAt(pe, t - e.tp[k]!);
      const es = se.amplitude * envelopeAt(se, t - e.ts[k]!);
      sum += ep * ep + es * es;
    }
    let v = Math.sqrt(sum);
    const toEnd = tend - t;
    if (toEnd < TAPER_S) v *= toEnd <= 0 ? 0 : 0.5 - 0.5 * Math.cos((Math.PI * toEnd) / TAPER_S);
    return v;
  }

  /**
   * Generates the unscaled waveform for samples [k0, k0+n) of device d into out (3 interleaved
   * components E, N, U), advancing its noise stream and filters. Envelopes are evaluated on a grid
   * aligned to absolute time and interpolated linearly, so the result does not depend on how the
   * window is cut into blocks.
   */
  private synthesize(d: number, k0: number, n: number, fs: number, out: Float64Array): void {
    const { hp, lp } = this.filtersFor(fs);
    const env = this.envelopes(d);
    const tend = this.tend[d]!;
    const step = this.step;
    fillGaussian(this.rng, d * 4, out, 0, 3 * n, 1, 1);
    const eh = this.envH.length >= n ? this.envH : (this.envH = new Float64Array(n));
    const ez = this.envZ.length >= n ? this.envZ : (this.envZ = new Float64Array(n));
    let cell = -1, h0 = 0, h1v = 0, z0 = 0, z1v = 0;
    for (let i = 0; i < n; i++) {
      const t = (k0 + i) / fs;
      const g = Math.floor(t / step);
      if (g !== cell) {
        if (g === cell + 1 && cell >= 0) { h0 = h1v; z0 = z1v; } else { h0 = this.envelopeValue(env, true, g * step, tend); z0 = this.envelopeValue(env, false, g * step, tend); }
        h1v = this.envelopeValue(env, true, (g + 1) * step, tend);
        z1v = this.envelopeValue(env, false, (g + 1) * step, tend);
        cell = g;
      }
      const f = (t - g * step) / step;
      eh[i] = h0 + f * (h1v - h0);
      ez[i] = z0 + f * (z1v - z0);
    }
    const st = this.filter, so = d * 12;
    for (let c = 0; c < 3; c++) {
      // Two biquads (Brune high-pass, f_max low-pass) per component, state at so + 4c.
      let h1 = st[so + 4 * c]!, h2 = st[so + 4 * c + 1]!, l1 = st[so + 4 * c + 2]!, l2 = st[so + 4 * c + 3]!;
      const e = c < 2 ? eh : ez;
      for (let i = 0; i < n; i++) {
        const v = out[3 * i + c]!;
        const y = hp.b0 * v + h1;
        h1 = hp.b1 * v - hp.a1 * y + h2;
        h2 = hp.b2 * v - hp.a2 * y;
        const w = lp.b0 * y + l1;
        l1 = lp.b1 * y - lp.a1 * w + l2;
        l2 = lp.b2 * y - lp.a2 * w;
        out[3 * i + c] = e[i]! * w;
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

  /** First pass: synthesise the strong part of the window once to find the scale that puts the peak on the PGA. */
  private calibrate(d: number, fs: number): void {
    const env = this.envelopes(d);
    const kStart = Math.ceil(this.tp[d]! * fs - 1e-9);
    let tCal = 0;
    for (let k = 0; k < env.ts.length; k++) tCal = Math.max(tCal, env.ts[k]! + envelopeDecayTime(env.env[4 * k + 1]!, CALIBRATION_FRACTION));
    const kEnd = Math.floor(Math.min(this.tend[d]!, tCal) * fs);
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

  exposure(d: number, t0: number, t1: number): Exposure | null {
    const st = this.state[d]!;
    if (st !== FieldState.Shaking && st !== FieldState.Done) return null;
    if (t1 <= this.tp[d]! || t0 >= this.tend[d]!) return null;
    return { kind: 'earthquake', from: this.tp[d]!, to: this.tend[d]!, split: this.ts[d]!, intensity: this.pga[d]!, distanceKm: this.rjb[d]! };
  }

  siteShaking(d: number, t: number, out: SiteShaking): boolean {
    if (t <= this.c.origin_time) { out.first = this.c.origin_time; return false; }
    this.siteShakingAhead(d, out);
    return true;
  }

  siteShakingAhead(d: number, out: SiteShaking): void {
    if (this.state[d] === FieldState.Pending) this.computeField(d, false);
    out.first = this.tp[d]!; out.impact = this.ts[d]!; out.pgaG = this.pga[d]!;
  }

  render(d: number, b: Block): void {
    const fs = b.fs, k0 = b.k0, n = b.n;
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
    const a = Math.max(k0, kStart), e = Math.min(k0 + n - 1, kEnd);
    const m = e - a + 1;
    const buf = this.ensureScratch(m);
    this.synthesize(d, a, m, fs, buf);
    const sc = this.scale[d]!;
    const ae = b.ae, an = b.an, au = b.au;
    for (let i = 0, j = a - k0; i < m; i++, j++) {
      ae[j] = ae[j]! + sc * buf[3 * i]!;
      an[j] = an[j]! + sc * buf[3 * i + 1]!;
      au[j] = au[j]! + sc * buf[3 * i + 2]!;
    }
  }
}
