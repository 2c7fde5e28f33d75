/**
 * `hazardsim calibrate --responses`: measures response curves (src/detect/response-curves.ts) from
 * two signal-mode runs of the calibration scenarios, one with earthquakes and one without, in which
 * every phone stays in one context. Calibration reads truth (PGA, P and S arrivals), as scoring
 * does; nothing here runs in a simulation.
 */
import { join, relative } from 'node:path';
import { sampleRankCorrelation } from 'simple-statistics';
import { G } from '../core/units.js';
import { canonicalJson, sha256 } from '../core/canonical.js';
import type { ResolvedScenario } from '../scenario/load.js';
import type { RunResult } from '../engine/run.js';
import { CONTEXT_SLOTS } from '../engine/setup.js';
import { PHONE_CONTEXTS } from '../population/behaviour.js';
import { CALIBRATION_DIR } from '../server/calibration.js';
import { wilson } from '../core/wilson.js';
import {
  AMP_OFFSETS_P, AMP_OFFSETS_S, MAG_CLASSES, MAG_EDGES, TABLES, TABLE_CONTEXTS, CONTEXT_TABLES, magClass, tableIndex, GRID, SP_CLASSES, SP_EDGES_S, gridIndex, spClass, PGA_BINS, PGA_LOG_MIN, PGA_LOG_STEP, QUANTILE_LEVELS, binCentre, detectorHash, empiricalQuantiles, isotonic, pgaBin, profileHash,
  type ResponseBin, type ResponseCurve, type ResponseCurves, type ResponseTables,
} from '../detect/response-curves.js';

/** A trigger as its phone sent it: the trigger message and the updates that followed. */
interface Sequence { t: number; a: number; times: number[]; amps: number[] }

/** Shaking window of a phone: from just before P to this long after S (s). */
export const WINDOW_AFTER_S = 30;
const WINDOW_BEFORE_P = 0.5;
/** Fewest values a bin needs for its own quantile tables. */
const MIN_VALUES = 20;

/** Every phone's triggers (with their updates) in time order. */
function sequences(result: RunResult): Map<number, Sequence[]> {
  const out = new Map<number, Sequence[]>();
  for (const s of result.triggers) {
    const m = s.message;
    if ((m.channel ?? 'shaking') !== 'shaking') continue;
    let list = out.get(m.device);
    if (!list) out.set(m.device, (list = []));
    if (m.kind === 'trigger') list.push({ t: m.time, a: m.amplitude, times: [m.time], amps: [m.amplitude] });
    else if (m.kind === 'update' && list.length) { const q = list[list.length - 1]!; q.times.push(m.time); q.amps.push(m.amplitude); }
  }
  return out;
}

/** The context each phone of a calibration run kept (its behaviour has one). */
function contextOf(result: RunResult, d: number): number {
  return result.state.columns.u8('ctx.context')[d]!;
}

/** What the triggered pairs of one bin measured. */
interface Values { beforeS: number[]; afterP: number[]; afterS: number[]; ampP: number[][]; ampS: number[][]; duration: number[] }
const newValues = (): Values => ({ beforeS: [], afterP: [], afterS: [], ampP: AMP_OFFSETS_P.map(() => []), ampS: AMP_OFFSETS_S.map(() => []), duration: [] });

interface Cell {
  profile: number;
  context: number;
  n: Float64Array;
  k: Float64Array;
  values: Values[];
  bg: { hours: number; triggers: number; amps: number[]; durations: number[] };
}

const newCell = (profile: number, context: number): Cell => ({
  profile, context, n: new Float64Array(GRID), k: new Float64Array(GRID),
  values: Array.from({ length: GRID }, newValues),
  bg: { hours: 0, triggers: 0, amps: [], durations: [] },
});

/** Spearman rank correlation of paired values (0 when fewer than MIN_VALUES pairs or no spread). */
function rankCorrelation(a: number[], b: number[]): number {
  if (a.length !== b.length || a.length < MIN_VALUES) return 0;
  const r = sampleRankCorrelation(a, b);
  return Number.isFinite(r) ? r : 0;
}

/** Builds the response curves of the runs' detector on its phone profiles. */
export function responseCurves(o: {
  quakes: { scenario: ResolvedScenario; result: RunResult };
  quiet: { scenario: ResolvedScenario; result: RunResult };
  version: string;
}): ResponseCurves {
  const sc = o.quakes.scenario;
  const cells = new Map<string, Cell>();
  const cellOf = (p: number, c: number) => {
    const key = `${p}/${c}`;
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = newCell(p, c)));
    return cell;
  };
  // Background: triggers per monitored phone-hour by profile and context, their amplitudes and lengths.
  {
    const r = o.quiet.result, cols = r.state.columns, phone = cols.u8('phone'), ctxS = cols.f64('truth.context_s');
    for (let d = 0; d < cols.rows; d++) {
      const cell = cellOf(phone[d]!, contextOf(r, d));
      for (let s = 0; s < CONTEXT_SLOTS; s++) cell.bg.hours += ctxS[CONTEXT_SLOTS * d + s]! / 3600;
    }
    for (const [d, list] of sequences(r)) {
      const cell = cellOf(phone[d]!, contextOf(r, d));
      for (const q of list) { cell.bg.triggers++; cell.bg.amps.push(Math.log10(Math.max(q.a, 1e-6))); cell.bg.durations.push(q.times[q.times.length - 1]! - q.t); }
    }
  }
  const rateOf = (cell: Cell) => (cell.bg.hours > 0 ? cell.bg.triggers / cell.bg.hours : 0);
  // Earthquakes: every phone–earthquake pair, by PGA bin.
  const r = o.quakes.result, phone = r.state.columns.u8('phone');
  const seqs = sequences(r);
  const magCheck = new Map<string, { bin: number; magnitude: number; n: number; k: number }>();
  const bgShare: { cell: Cell; bin: number; p: number }[] = [];
  // Timing and amplitude values by context × magnitude class × cell, over all profiles, and over all
  // contexts too (for a context the run did not have).
  const pooled: Values[] = Array.from({ length: CONTEXT_TABLES }, newValues);
  const overContexts: Values[] = Array.from({ length: TABLES }, newValues);
  for (const truth of r.truths) {
    const dv = truth.devices;
    if (truth.kind !== 'earthquake' || !dv) continue;
    const mag = Number(truth.facts.magnitude), magC = magClass(mag);
    for (let d = 0; d < dv.reached.length; d++) {
      if (!dv.reached[d]) continue;
      const pga = dv.intensity[d]!, tp = dv.first[d]!, ts = dv.impact[d]!;
      const ctx = contextOf(r, d), cell = cellOf(phone[d]!, ctx);
      const pb = pgaBin(pga), b = gridIndex(spClass(ts - tp), pb);
      const from = tp - WINDOW_BEFORE_P, to = Math.max(tp, ts) + WINDOW_AFTER_S;
      const q = seqs.get(d)?.find((s) => s.t >= from && s.t <= to);
      cell.n[b]++;
      const mk = `${pb}/${mag}`;
      const mc = magCheck.get(mk) ?? { bin: pb, magnitude: mag, n: 0, k: 0 };
      magCheck.set(mk, mc);
      mc.n++;
      bgShare.push({ cell, bin: b, p: 1 - Math.exp(-(rateOf(cell) * (to - from)) / 3600) });
      if (!q) continue;
      cell.k[b]++;
      mc.k++;
      const g = pga * G, before = q.t < ts;
      cell.values[b]!.beforeS.push(before ? 1 : 0);
      // The largest amplitude reported by each offset after the trigger while the P wave lasts, and
      // by each offset after the S arrival (messages come in time order).
      const reported = (until: number) => {
        let best = 0;
        for (let i = 0; i < q.times.length && q.times[i]! <= until + 1e-9; i++) best = Math.max(best, q.amps[i]!);
        return best;
      };
      const ampP = before ? AMP_OFFSETS_P.map((off) => Math.log10(reported(Math.min(q.t + off, ts - 1e-6)) / g)) : null;
      const ampS = AMP_OFFSETS_S.map((off) => (q.t <= ts + off ? Math.log10(reported(ts + off) / g) : NaN));
      // Into the phone's context's table, and the table over all contexts.
      const into = [overContexts[tableIndex(0, magC, b)]!];
      if (ctx < TABLE_CONTEXTS) into.push(pooled[tableIndex(ctx, magC, b)]!);
      for (const v of into) {
        v.beforeS.push(before ? 1 : 0);
        if (before) v.afterP.push(q.t - tp); else v.afterS.push(q.t - ts);
        ampP?.forEach((a, j) => v.ampP[j]!.push(a));
        ampS.forEach((a, j) => { if (a === a) v.ampS[j]!.push(a); });
        v.duration.push(q.times[q.times.length - 1]! - q.t);
      }
    }
  }
  // Mean background share of each cell's bins (removed from the trigger probability).
  const bgMean = new Map<Cell, Float64Array>();
  for (const { cell, bin, p } of bgShare) {
    let a = bgMean.get(cell);
    if (!a) bgMean.set(cell, (a = new Float64Array(GRID)));
    a[bin] += p / cell.n[bin]!;
  }
  /**
   * Values of table ti (context × magnitude class × cell); when it has too few, those of the nearest
   * table of its context with enough, by a distance that counts a PGA bin (0.1 decade) as 1 and an
   * S − P or magnitude class as 1.5: amplitudes are relative to PGA, so a far PGA bin is the worst
   * stand-in. A context without any (the run had no such phones) takes the tables over all contexts.
   */
  const pooledValues = (ti: number, pick: (v: Values) => number[]): number[] => {
    const ctx = Math.floor(ti / TABLES), within = ti % TABLES;
    const nearest = (from: Values[], offset: number): number[] | null => {
      const own = pick(from[offset + within]!);
      if (own.length >= MIN_VALUES) return own;
      const split = (t: number) => [Math.floor(t / GRID), Math.floor((t % GRID) / PGA_BINS), t % PGA_BINS] as const;
      const [m, c, b] = split(within);
      let best = -1, bestD = Infinity;
      for (let t = 0; t < TABLES; t++) {
        const [mm, cc, bb] = split(t);
        const dist = Math.abs(bb - b) + 1.5 * Math.abs(cc - c) + 1.5 * Math.abs(mm - m);
        if (dist < bestD && pick(from[offset + t]!).length >= MIN_VALUES) { bestD = dist; best = t; }
      }
      return best < 0 ? null : pick(from[offset + best]!);
    };
    return nearest(pooled, ctx * TABLES) ?? nearest(overContexts, 0) ?? pick(pooled[ti]!);
  };
  /** Quantile tables from a source of values (null when a table has none). */
  const tablesFrom = (get: (pick: (v: Values) => number[]) => number[]): ResponseTables | null => {
    // Each offset's quantiles at least those of the offset before: the largest amplitude so far never shrinks.
    const growth = (offsets: readonly number[], pick: (v: Values, j: number) => number[]) => {
      const amp = offsets.map((_, j) => empiricalQuantiles(get((v) => pick(v, j))));
      for (let j = 1; j < amp.length; j++) if (amp[j] && amp[j - 1]) amp[j] = amp[j]!.map((x, i) => Math.max(x, amp[j - 1]![i]!));
      return amp;
    };
    const t: ResponseTables = {
      delay_after_p_s: empiricalQuantiles(get((v) => v.afterP)),
      delay_after_s_s: empiricalQuantiles(get((v) => v.afterS)),
      log_amp_p: growth(AMP_OFFSETS_P, (v, j) => v.ampP[j]!),
      log_amp_s: growth(AMP_OFFSETS_S, (v, j) => v.ampS[j]!),
      duration_s: empiricalQuantiles(get((v) => v.duration)),
      delay_amp_rank_correlation: rankCorrelation(get((v) => v.afterP), get((v) => v.ampP[0]!)),
    };
    return t.log_amp_s[0] || t.log_amp_p[0] ? t : null;
  };
  const tables = Array.from({ length: CONTEXT_TABLES }, (_, i) => tablesFrom((pick) => pooledValues(i, pick))!);
  /** before_s of a curve cell with too few triggers: that of the cell over all curves (any magnitude class), or the nearest with data. */
  const beforeSOf = (i: number): number[] => {
    const all = (j: number) => Array.from({ length: MAG_CLASSES }, (_, m) => overContexts[tableIndex(0, m, j)]!.beforeS).flat();
    const c = Math.floor(i / PGA_BINS), b = i % PGA_BINS;
    for (let db = 0; db < PGA_BINS; db++) for (const bb of db ? [b - db, b + db] : [b]) if (bb >= 0 && bb < PGA_BINS && all(gridIndex(c, bb)).length >= MIN_VALUES) return all(gridIndex(c, bb));
    return all(i);
  };
  const curves: ResponseCurve[] = [];
  for (const cell of [...cells.values()].sort((a, b) => a.profile - b.profile || a.context - b.context)) {
    const bg = bgMean.get(cell) ?? new Float64Array(GRID);
    const corrected = (k: number, n: number, pb: number) => Math.max(0, (k / n - pb) / (1 - pb));
    // The curve over all S − P classes, for bins a class has too few pairs in.
    const all = Array.from({ length: PGA_BINS }, (_, b) => {
      let n = 0, k = 0, pb = 0;
      for (let c = 0; c < SP_CLASSES; c++) { const i = gridIndex(c, b); n += cell.n[i]!; k += cell.k[i]!; pb += bg[i]! * cell.n[i]!; }
      return n > 0 ? corrected(k, n, pb / n) : NaN;
    });
    // Empty bins take their neighbours' value (below the data: 0; above: the highest measured).
    const fill = (row: number[]) => { let last = 0; return row.map((p) => (Number.isNaN(p) ? last : (last = p))); };
    const allFilled = fill(all);
    const p = new Array<number>(GRID);
    for (let c = 0; c < SP_CLASSES; c++) {
      const idx = Array.from({ length: PGA_BINS }, (_, b) => gridIndex(c, b));
      const row = idx.map((i, b) => (cell.n[i]! >= MIN_VALUES ? corrected(cell.k[i]!, cell.n[i]!, bg[i]!) : allFilled[b]!));
      isotonic(row, idx.map((i) => Math.max(cell.n[i]!, 1))).forEach((v, b) => { p[idx[b]!] = v; });
    }
    const bins: ResponseBin[] = Array.from({ length: GRID }, (_, b) => {
      const n = cell.n[b]!, k = cell.k[b]!, own = cell.values[b]!;
      const beforeS = own.beforeS.length >= MIN_VALUES ? own.beforeS : beforeSOf(b);
      return {
        n, k, p: p[b]!, ci95: ((w) => [w.lo ?? 0, w.hi ?? 1] as [number, number])(wilson(k, n)),
        before_s: beforeS.length ? beforeS.reduce((s, x) => s + x, 0) / beforeS.length : null,
      };
    });
    const rate = rateOf(cell), se = Math.sqrt(Math.max(cell.bg.triggers, 1)) / Math.max(cell.bg.hours, 1e-9);
    curves.push({
      profile: sc.phones[cell.profile]!.name, profile_hash: profileHash(sc.phones[cell.profile]! as never), context: PHONE_CONTEXTS[cell.context]!, bins,
      background: {
        phone_hours: cell.bg.hours, triggers: cell.bg.triggers, per_phone_hour: rate, ci95: [Math.max(0, rate - 1.96 * se), rate + 1.96 * se],
        log_amp: empiricalQuantiles(cell.bg.amps), duration_s: empiricalQuantiles(cell.bg.durations),
      },
    });
  }
  const det = sc.detectors[0]!.config;
  const scenarios = [o.quakes.scenario, o.quiet.scenario].map((s) => ({ file: relative(CALIBRATION_DIR, join(s.dir, s.file.split('/').pop()!)), hash: s.hash }));
  return {
    kind: 'hazardsim-calibration/response-curves',
    version: 2,
    detector: { type: det.type, hash: detectorHash(det), config: det },
    produced_by: { command: 'hazardsim calibrate --responses', hazardsim: o.version, scenarios, hash: sha256(canonicalJson(scenarios.map((s) => s.hash))) },
    pga_bins: { log10_min_g: PGA_LOG_MIN, log10_step: PGA_LOG_STEP, count: PGA_BINS },
    s_minus_p_edges_s: [...SP_EDGES_S],
    quantile_levels: [...QUANTILE_LEVELS],
    amplitude_offsets_p_s: [...AMP_OFFSETS_P],
    amplitude_offsets_s_s: [...AMP_OFFSETS_S],
    shaking_measure: 'PGA (g, geometric mean of the horizontal peaks, BA08) at the phone × S − P time (s) class; trigger windows run from 0.5 s before P to 30 s after S',
    magnitude_check: [...magCheck.values()].filter((m) => m.n >= 50).sort((a, b) => a.bin - b.bin || a.magnitude - b.magnitude)
      .map((m) => ({ bin_log10_g: binCentre(m.bin), magnitude: m.magnitude, n: m.n, k: m.k, p: m.k / m.n })),
    magnitude_edges: [...MAG_EDGES],
    tables,
    curves,
  };
}
