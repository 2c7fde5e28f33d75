/**
 * Trigger fidelity's one stage in place of excite → sense → detect: it draws each monitoring
 * phone's triggers, their times and amplitudes from response curves measured in signal mode
 * (src/detect/response-curves.ts), and background triggers as a Poisson process whose rate follows
 * the phone's context.
 *
 * TRUTH FIREWALL: this is the one named place outside scoring that reads truth to make observations.
 * It asks each hazard for the shaking at the phone (`siteShaking`: P and S arrivals, PGA) and turns
 * it into what the phone's detector would have sent; the messages then cross the same network to the
 * same server as in signal mode. Nothing downstream can tell which fidelity made them, except by
 * their statistics, which a test keeps in agreement.
 *
 * Every draw is a counter-based uniform keyed by (seed, hazard or background, device, counter), so
 * results do not depend on threads, chunks or epochs. State is columns only (`tf.*`).
 */
import { errorFunction, probit } from 'simple-statistics';
import { componentKey, stableUniform } from '../core/random.js';
import { G } from '../core/units.js';
import { PHONE_CONTEXTS } from '../population/behaviour.js';
import { Activity } from '../population/mobility.js';
import { AMP_OFFSETS_P, AMP_OFFSETS_S, TABLE_CONTEXTS, magClass, tableIndex, gridIndex, spClass, pgaBin, profileHash, quantileAt, PGA_LOG_MIN, PGA_LOG_STEP, PGA_BINS, type ResponseCurve, type ResponseCurves, type ResponseTables } from '../detect/response-curves.js';
import type { SiteShaking } from '../plugin/index.js';
import type { DeviceStage, TickFrame } from './stages.js';
import type { Runtimes } from './setup.js';

import { TRIGGER_STAGE_COLUMNS } from './trigger-columns.js';
export { TRIGGER_STAGE_COLUMNS };

const T_TRIG = 0, T_END = 1, T_LAST = 2, T_S = 3;
const A_SCALE = 0, A_SENT = 1;
const BACKGROUND = 0xffff;

/** The curves of every phone profile of the scenario, by context code (contexts without their own use the table curve). */
export function curvesByProfile(curves: ResponseCurves, profileHashes: readonly string[]): ResponseCurve[][] {
  return profileHashes.map((h) => {
    const mine = curves.curves.filter((c) => c.profile_hash === h);
    const table = mine.find((c) => c.context === 'table') ?? mine[0]!;
    return PHONE_CONTEXTS.map((ctx) => mine.find((c) => c.context === ctx) ?? table);
  });
}

/** Trigger probability at PGA g in S − P class c: linear in log10 PGA between bin centres. */
export function triggerProbability(curve: ResponseCurve, g: number, c: number): number {
  const x = (Math.log10(Math.max(g, 1e-12)) - PGA_LOG_MIN) / PGA_LOG_STEP - 0.5;
  const b = Math.floor(x), row = gridIndex(c, 0);
  if (b < 0) return curve.bins[row]!.p;
  if (b >= PGA_BINS - 1) return curve.bins[row + PGA_BINS - 1]!.p;
  const f = x - b;
  return curve.bins[row + b]!.p * (1 - f) + curve.bins[row + b + 1]!.p * f;
}

/** A growth table's values at quantile u, one per offset (NaN where the table has none). */
export function growthQuantiles(tables: readonly (readonly number[] | null)[], u: number, out: Float64Array): Float64Array {
  for (let j = 0; j < out.length; j++) { const q = tables[j]; out[j] = q ? quantileAt(q, u) : NaN; }
  return out;
}

/** A growth curve (its values q at the offsets) at offset `off`: linear between offsets, flat beyond. */
function growthOf(q: Float64Array, offsets: readonly number[], off: number): number {
  if (off <= 0) return q[0]!;
  for (let j = 1; j < offsets.length; j++) {
    if (off < offsets[j]!) {
      const f = (off - offsets[j - 1]!) / (offsets[j]! - offsets[j - 1]!);
      return q[j - 1]! * (1 - f) + q[j]! * f;
    }
  }
  return q[offsets.length - 1]!;
}

/**
 * The smallest offset at which a growth curve (its values q at the offsets, nondecreasing) reaches
 * `level`, linear between offsets as growthOf: 0 when its first value does, Infinity when none
 * does, NaN when the curve has a gap (NaN) or falls (the caller then searches instead).
 */
export function offsetOfLevel(q: Float64Array, offsets: readonly number[], level: number): number {
  if (!(q[0]! === q[0]!)) return NaN;
  if (q[0]! >= level) return 0;
  for (let j = 1; j < offsets.length; j++) {
    const a = q[j - 1]!, b = q[j]!;
    if (!(b >= a)) return NaN;
    if (b >= level) return offsets[j - 1]! + ((level - a) / (b - a)) * (offsets[j]! - offsets[j - 1]!);
  }
  return Infinity;
}

/**
 * The first time at which logAmplitudeFrom(b, pq, sq, t, tTrig, ts) reaches `lg`: the P part's
 * crossing (while it grows, until the S arrival) or the S part's (from the S arrival), whichever
 * comes first; Infinity when neither reaches it, NaN when a curve has a gap or falls.
 */
export function timeOfLogLevel(b: ResponseTables, pq: Float64Array, sq: Float64Array, tTrig: number, ts: number, lg: number): number {
  let t = Infinity;
  if (tTrig < ts && b.log_amp_p[0]) {
    const o = offsetOfLevel(pq, AMP_OFFSETS_P, lg);
    if (Number.isNaN(o)) return NaN;
    if (tTrig + o <= ts) t = tTrig + o; // the P part stops growing at the S arrival
  }
  if (b.log_amp_s[0]) {
    const o = offsetOfLevel(sq, AMP_OFFSETS_S, lg);
    if (Number.isNaN(o)) return NaN;
    t = Math.min(t, Math.max(ts + o, ts, tTrig));
  }
  return t;
}

/**
 * log10(largest amplitude reported by time t / PGA) for a trigger at tTrig and an S arrival at ts,
 * from bin b's growth curves at the trigger's quantile (pq, sq: growthQuantiles of its P and S
 * tables): the P-wave growth after the trigger until S, then the S-wave growth.
 */
export function logAmplitudeFrom(b: ResponseTables, pq: Float64Array, sq: Float64Array, t: number, tTrig: number, ts: number): number {
  const pPart = tTrig < ts && b.log_amp_p[0] ? growthOf(pq, AMP_OFFSETS_P, Math.min(t, ts) - tTrig) : -Infinity;
  if ((t < ts && tTrig < ts) || !b.log_amp_s[0]) return pPart;
  return Math.max(pPart, growthOf(sq, AMP_OFFSETS_S, Math.max(t, tTrig) - ts));
}

/** logAmplitudeFrom at quantile u of bin b (the curves read for this one call). */
export function reportedLogAmplitude(b: ResponseTables, u: number, t: number, tTrig: number, ts: number): number {
  return logAmplitudeFrom(b, growthQuantiles(b.log_amp_p, u, new Float64Array(AMP_OFFSETS_P.length)), growthQuantiles(b.log_amp_s, u, new Float64Array(AMP_OFFSETS_S.length)), t, tTrig, ts);
}

/**
 * A uniform correlated with u through a Gaussian copula of Spearman rank correlation rs (v: an
 * independent uniform): the amplitude quantile of a trigger whose delay quantile is u.
 */
export function copula(u: number, v: number, rs: number): number {
  if (rs === 0) return v;
  const rho = 2 * Math.sin((Math.PI * rs) / 6);
  const z = rho * probit(u) + Math.sqrt(Math.max(0, 1 - rho * rho)) * probit(v);
  return Math.min(1 - 1e-9, Math.max(1e-9, 0.5 * (1 + errorFunction(z / Math.SQRT2))));
}

/** Message cadence of the detector (the sta-lta options; defaults elsewhere). */
interface Cadence { every: number; growth: number; maxDuration: number; thresholdMs2: number }

/** What the trigger stage reads and writes (recorded in every run's manifest). */
export const TRIGGER_DECLARATION = {
  name: 'trigger',
  reads: ['monitoring', 'ctx.context', 'mob.activity', 'hazard*. (truth: P and S arrivals and PGA at the phone, via siteShaking)', 'response curves'],
  writes: ['tf.*', 'trigger messages'],
} as const;

/** trigger: draws the phone's triggers from the response curves (truth read here, and only here). */
export function triggerStage(rt: Runtimes): DeviceStage {
  const st = rt.state, cols = st.columns, cfg = st.scenario.config;
  const curves = curvesByProfile(st.scenario.responses!, st.scenario.phones.map((p) => profileHash(p as never)));
  const monitoring = cols.u8('monitoring'), context = cols.u8('ctx.context'), activity = rt.mobility.activity;
  const drawn = cols.u8('tf.drawn'), on = cols.u8('tf.on'), tt = cols.f64('tf.t'), aa = cols.f32('tf.a');
  const uu = cols.f32('tf.u'), bins = cols.u16('tf.bin');
  const bgLeft = cols.f32('tf.bg_left'), bgN = cols.u32('tf.bg_n');
  const H = Math.max(1, cfg.hazards.length);
  const quakes = rt.hazards.map((h, i) => ({ i, h, key: componentKey(cfg.seed, `trigger-fidelity/hazard${i}`), mag: magClass(Number((cfg.hazards[i] as { magnitude?: number }).magnitude ?? 0)) })).filter((q) => q.h.siteShaking);
  const tables = st.scenario.responses!.tables;
  const bgKey = componentKey(cfg.seed, 'trigger-fidelity/background');
  const cadence: Cadence[] = st.scenario.detectors.map((d) => {
    // The detector's amplitude threshold (its median when drawn per phone): messages report amplitude / threshold as their ratio.
    const thr = d.config.min_amplitude_g as number | { median: number } | undefined;
    const thresholdG = typeof thr === 'number' ? thr : thr?.median ?? 0.01;
    return { every: Number(d.config.update_every ?? 1), growth: Number(d.config.update_growth ?? 0.1), maxDuration: Number(d.config.max_duration ?? 30), thresholdMs2: Math.max(thresholdG, 1e-6) * G };
  });
  const site: SiteShaking = { first: NaN, impact: NaN, pgaG: NaN };
  // Settling a quake early (see `quiet`): what can change a phone before its shaking is known.
  const clock = st.clock, joinsAt = rt.firmware.joinsAt, preTick = rt.hazards.some((h) => h.preTick), moving = rt.mobility.anyMoving;
  /** For the device just stepped (event stepping): when its trigger sends next, and when a quake's shaking becomes known. */
  let pendingMessage = Infinity, pendingShaking = Infinity;

  // The growth tables of device d's trigger at its quantile u, read once per device and trigger (an
  // update's time and amplitude, and the bisection when it is needed, all read them).
  const pq = new Float64Array(AMP_OFFSETS_P.length), sq = new Float64Array(AMP_OFFSETS_S.length);
  let qDevice = -1, qBin = -1, qU = NaN;
  /** Reads device d's growth curves at its trigger's quantile into pq, sq (unless they are there). */
  const loadCurves = (d: number, b: number): ResponseTables => {
    const tb = tables[b]!, u = uu[d]!;
    if (d !== qDevice || b !== qBin || u !== qU) { qDevice = d; qBin = b; qU = u; growthQuantiles(tb.log_amp_p, u, pq); growthQuantiles(tb.log_amp_s, u, sq); }
    return tb;
  };
  /** The last amplitude computed (an update's time is checked there, then sent with it); `start` forgets it. */
  let memoDevice = -1, memoT = NaN, memoA = NaN;
  /** The largest amplitude device d has reported by time t of its trigger in progress (m/s²). */
  const amplitudeAt = (d: number, t: number): number => {
    const b = bins[d]!, scale = aa[2 * d + A_SCALE]!;
    if (b === BACKGROUND) return scale;
    if (d === memoDevice && t === memoT) return memoA;
    memoDevice = d; memoT = t;
    return (memoA = scale * 10 ** logAmplitudeFrom(loadCurves(d, b), pq, sq, t, tt[4 * d + T_TRIG]!, tt[4 * d + T_S]!));
  };
  /**
   * When that amplitude first reaches `level`, at or after `from` and at or before `to` (Infinity
   * when it does not). The growth curves are piecewise linear and nondecreasing (largest amplitude
   * so far), so the P part and the S part each cross a level once, where their segment says: the
   * first of the two crossings (the S part counting from the S arrival) is the time, checked with
   * one evaluation of the amplitude there. A curve with a gap or a fall (a user's own calibration),
   * or a crossing that rounding leaves in doubt, is searched by bisection instead, to a millisecond.
   */
  const timeOfLevel = (d: number, level: number, from: number, to: number): number => {
    const b = bins[d]!;
    if (b !== BACKGROUND) {
      const t = timeOfLogLevel(loadCurves(d, b), pq, sq, tt[4 * d + T_TRIG]!, tt[4 * d + T_S]!, Math.log10(level / aa[2 * d + A_SCALE]!));
      if (t <= from) { if (amplitudeAt(d, from) >= level) return from; }
      else if (t > to) { if (!(from < to) || amplitudeAt(d, to) < level) return Infinity; }
      else if (t === t) {
        // Rounding can leave the exact crossing a hair short of the level: nudged up to where the amplitude has it.
        for (let k = 0, u = t; k < 4; k++, u = Math.min(to, u + 1e-9 * Math.max(1, Math.abs(u)) * 4 ** k)) if (amplitudeAt(d, u) >= level) return u;
      }
    }
    if (amplitudeAt(d, from) >= level) return from;
    if (!(from < to) || amplitudeAt(d, to) < level) return Infinity;
    let lo = from, hi = to;
    while (hi - lo > 1e-3) { const m = 0.5 * (lo + hi); if (amplitudeAt(d, m) >= level) hi = m; else lo = m; }
    return hi;
  };

  /**
   * Sends the messages of device d's trigger that fall before t1, by the detector's rule: the
   * trigger, an update when the amplitude has grown by `growth` and `every` has passed, and a last
   * update when the trigger ends.
   */
  const emitUntil = (f: TickFrame, d: number, t1: number, cad: Cadence) => {
    const o = 4 * d, oa = 2 * d;
    for (;;) {
      const last = tt[o + T_LAST]!, end = tt[o + T_END]!;
      let next: number, kind: 'trigger' | 'update';
      if (Number.isNaN(last)) { next = tt[o + T_TRIG]!; kind = 'trigger'; } else {
        kind = 'update';
        next = Math.min(end, timeOfLevel(d, aa[oa + A_SENT]! * (1 + cad.growth) * (1 + 1e-6), last + cad.every, end));
      }
      if (next >= t1) { pendingMessage = next; return; }
      const amp = amplitudeAt(d, next);
      if (monitoring[d]) {
        f.sink.emit({ device: d, kind, time: next, deviceTime: next, onsetDeviceTime: tt[o + T_TRIG]!, amplitude: amp, ratio: amp / cad.thresholdMs2, x: NaN, y: NaN, monitoring: 1 });
      }
      tt[o + T_LAST] = next;
      aa[oa + A_SENT] = amp;
      if (next >= end) { on[d] = 0; pendingMessage = Infinity; return; }
    }
  };

  /** Starts a trigger of device d at t, ending at tEnd, its amplitude from bin b (or constant, BACKGROUND). */
  const start = (d: number, t: number, ts: number, tEnd: number, scale: number, u: number, b: number) => {
    const o = 4 * d;
    on[d] = 1; memoDevice = -1;
    tt[o + T_TRIG] = t; tt[o + T_END] = Math.max(t, tEnd); tt[o + T_LAST] = NaN; tt[o + T_S] = ts;
    aa[2 * d + A_SCALE] = scale; uu[d] = u; bins[d] = b;
  };

  /**
   * Whether device d, stepped now (the tick ending at f.t1), is sure not to trigger on the quake whose
   * shaking becomes known at `known`: the phone stays where and as it is until the tick that learns
   * it (no move, no context or monitoring change is due by then, with a tick to spare), and there it
   * would not monitor, or its draw would miss. That tick's step would then only mark the quake drawn,
   * so it is marked now, and a national run's quiet millions are not stepped at the origin. (A phone
   * whose draw hits is left for that tick: its trigger must start there, after any background one.)
   * Stepping every tick (the check on event stepping) draws every phone at that tick instead.
   */
  const quiet = (f: TickFrame, d: number, q: number, known: number, curve: ResponseCurve): boolean => {
    const h = quakes[q]!.h;
    if (f.everyTick || !h.siteShakingAhead || preTick || f.t0 < joinsAt[f.profile]!) return false;
    const learnt = clock.timeOf(Math.floor(known / clock.tick + 1e-9) + 1) + clock.tick;
    if (moving && !(rt.mobility.nextChange(d, f.t1) > learnt)) return false;
    if (!(rt.contexts.nextChange(d, activity[d]!, f.t1) > learnt)) return false;
    // The shaking is truth for scoring at every phone, monitoring or not (as the tick that learns it computes it).
    h.siteShakingAhead(d, site);
    if (!monitoring[d]) return true;
    return stableUniform(quakes[q]!.key, d, 0) >= triggerProbability(curve, site.pgaG, spClass(site.impact - site.first));
  };

  return {
    ...TRIGGER_DECLARATION,
    step(f) {
      const d = f.d, t0 = f.t0, t1 = f.t1, p = f.profile;
      const cad = cadence[rt.phoneDetector[p]!]!;
      const ctx = context[d]!;
      const ci = activity[d] === Activity.Drive ? 0 : ctx, curve = curves[p]![ci]!;
      pendingMessage = Infinity; pendingShaking = Infinity;
      // Skipped ticks (event stepping): the phone monitored, or not, in the context it held; its
      // background clock ran at that context's rate (no event fell inside: this tick was stepped for the first).
      if (f.gapTicks > 0 && f.heldMonitoring) {
        f.monitoredTicks[p] += f.gapTicks;
        const heldRate = curves[p]![f.heldContext]!.background.per_phone_hour / 3600;
        if (heldRate > 0 && bgLeft[d]! > 0) bgLeft[d] = Math.max(1e-9, bgLeft[d]! - heldRate * (t0 - f.since));
      }
      // Earthquakes: the shaking at every phone once it is known (truth for scoring, as signal mode
      // computes it for every phone), and one draw per monitoring phone and earthquake.
      for (let q = 0; q < quakes.length; q++) {
        const { i, h, key, mag } = quakes[q]!;
        if (drawn[H * d + i]) continue;
        if (!h.siteShaking!(d, t1, site)) {
          const known = site.first;
          if (quiet(f, d, q, known, curve)) drawn[H * d + i] = 1;
          else pendingShaking = Math.min(pendingShaking, known);
          continue;
        }
        drawn[H * d + i] = 1;
        if (!monitoring[d]) continue;
        const g = site.pgaG, sp = spClass(site.impact - site.first), gi = gridIndex(sp, pgaBin(g)), b = curve.bins[gi]!;
        if (stableUniform(key, d, 0) >= triggerProbability(curve, g, sp)) continue;
        const ti = tableIndex(ci < TABLE_CONTEXTS ? ci : 0, mag, gi), tb = tables[ti]!;
        const before = b.before_s !== null && stableUniform(key, d, 1) < b.before_s && tb.delay_after_p_s;
        const u = stableUniform(key, d, 2);
        let t = before ? site.first + quantileAt(tb.delay_after_p_s!, u) : site.impact + (tb.delay_after_s_s ? quantileAt(tb.delay_after_s_s, u) : 0);
        if (before && t >= site.impact) t = site.impact;
        if (t < t0 - 1e-9) continue; // the phone began monitoring after it would have triggered
        const dur = tb.duration_s ? quantileAt(tb.duration_s, stableUniform(key, d, 4)) : 0;
        start(d, t, site.impact, t + Math.min(cad.maxDuration, dur), g * G, copula(u, stableUniform(key, d, 3), tb.delay_amp_rank_correlation), ti);
      }
      if (monitoring[d]) {
        f.monitoredTicks[p]++;
        // Background: a Poisson process at the context's rate, by the remaining unit-exponential time.
        const rate = curve.background.per_phone_hour / 3600;
        if (rate > 0) {
          let left = bgLeft[d]!;
          if (left === 0) left = -Math.log(stableUniform(bgKey, d, 3 * bgN[d]!));
          left -= rate * (t1 - t0);
          if (left <= 0) {
            const t = t1 + left / rate, k = bgN[d]!;
            if (!on[d] && curve.background.log_amp) {
              const a = 10 ** quantileAt(curve.background.log_amp, stableUniform(bgKey, d, 3 * k + 1));
              const dur = curve.background.duration_s ? quantileAt(curve.background.duration_s, stableUniform(bgKey, d, 3 * k + 2)) : 0;
              start(d, t, t, t + dur, a, 0, BACKGROUND);
            }
            bgN[d] = k + 1;
            // The next event's unit-exponential time, less what remains of this tick (at most one event per tick).
            left = Math.max(1e-9, -Math.log(stableUniform(bgKey, d, 3 * (k + 1))) - rate * (t1 - t));
          }
          bgLeft[d] = left;
        }
      }
      if (on[d]) emitUntil(f, d, t1, cad);
    },
    // Every earthquake's shaking known and drawn, no trigger in progress: only the monitored time.
    canClose(f) {
      const d = f.d;
      if (on[d]) return false;
      for (let q = 0; q < quakes.length; q++) if (!drawn[H * d + quakes[q]!.i]) return false;
      return true;
    },
    close(f) {
      if (f.gapTicks > 0 && f.heldMonitoring) f.monitoredTicks[f.profile] += f.gapTicks;
      if (monitoring[f.d]) f.monitoredTicks[f.profile]++;
    },
    next(f) {
      const d = f.d, p = f.profile;
      let e = Math.min(pendingShaking, on[d] ? pendingMessage : Infinity);
      if (monitoring[d]) {
        const ci = activity[d] === Activity.Drive ? 0 : context[d]!;
        const rate = curves[p]![ci]!.background.per_phone_hour / 3600;
        if (rate > 0) e = Math.min(e, f.t1 + bgLeft[d]! / rate);
      }
      return e;
    },
  };
}
