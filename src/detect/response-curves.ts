/**
 * Response curves: how a detector configuration on a phone profile in a context answers shaking,
 * measured in signal mode by `hazardsim calibrate` and drawn from by trigger fidelity. Holds the
 * file format (versioned, with the hashes of the detector, the profiles and the runs that made it),
 * the keys that tie a scenario to a calibration, and the draws.
 *
 * Per PGA bin (tenths of a decade) it keeps: trigger probability with its Wilson 95 % band (background
 * removed), the share of triggers before the S wave, empirical quantiles of the delay after P (or
 * after S), of the largest amplitude reported so far (relative to PGA) at fixed times after the
 * trigger — what a server has heard from the phone by then — and of how long the trigger lasts. Per context: the background trigger rate
 * per monitored phone-hour with its Poisson band, and the amplitude and length of those triggers.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { canonicalJson, sha256 } from '../core/canonical.js';
import { InputError } from '../core/errors.js';

/**
 * Lower edge of the first PGA bin and the bin width, log10 g; PGA_BINS bins (1e-4 g … 3.2 g).
 * A tenth of a decade: a quarter decade was too coarse near a 0.01 g threshold, where the trigger
 * share climbs from 0.45 to 0.99 within one bin and bins then mix differently by magnitude.
 */
export const PGA_LOG_MIN = -4;
export const PGA_LOG_STEP = 0.1;
export const PGA_BINS = 45;
/**
 * S − P time classes (s): edges of the second dimension of the curves. At the same PGA, a phone
 * with a long S − P time feels a weak, long P wave (its trigger comes later, on the P or the S),
 * one near the source a short, strong one: the delay after P at 0.056 g was 1.3 s 35 km from an
 * M6.5 and 0.7 s 10 km from an M5.6. Finite ruptures: P from the hypocentre, S from the nearest part.
 */
export const SP_EDGES_S = [1.5, 3, 6, 12] as const;
export const SP_CLASSES = SP_EDGES_S.length + 1;
/** Cells of a curve: SP_CLASSES rows of PGA_BINS bins. */
export const GRID = SP_CLASSES * PGA_BINS;
/** S − P class of an S − P time (s). */
export const spClass = (sp: number): number => { let c = 0; while (c < SP_EDGES_S.length && sp >= SP_EDGES_S[c]!) c++; return c; };
/** Index into a curve's bins of S − P class c and PGA bin b. */
export const gridIndex = (c: number, b: number): number => c * PGA_BINS + b;

/**
 * Magnitude classes of the timing and amplitude tables. At the same PGA and S − P time, a larger
 * earthquake's P wave rises more slowly: an M7 25 km away reported 0.1 log units less at trigger
 * than the M5.6–6.3 quakes did, enough to hold its first magnitude estimate under M4.5 a second longer.
 * M6.9 and up are the calibration's finite ruptures (30–80 km long), whose P wave starts from the
 * first subevents: an M7 on a 50 km rupture reported 0.09 log units less a second after triggering
 * than one class for all of M6.5 and up (three point sources, two ruptures) gave.
 */
export const MAG_EDGES = [5.5, 6.5, 6.9] as const;
export const MAG_CLASSES = MAG_EDGES.length + 1;
export const TABLES = MAG_CLASSES * GRID;
/**
 * Phone contexts the timing and amplitude tables are kept for (PHONE_CONTEXTS' order: table,
 * hand, pocket, bag). At the same PGA and S − P time a phone on a table triggers sooner than one
 * carried: 35 km from an M6.5 the median delay after P was 0.86 s on tables, 1.78 s in pockets and
 * 2.5 s in hands; tables pooled over contexts made steady phones trigger 0.3 s late.
 */
export const TABLE_CONTEXTS = 4;
/** Tables in a file: TABLE_CONTEXTS blocks of TABLES. */
export const CONTEXT_TABLES = TABLE_CONTEXTS * TABLES;
/** Magnitude class of a magnitude. */
export const magClass = (m: number): number => { let c = 0; while (c < MAG_EDGES.length && m >= MAG_EDGES[c]!) c++; return c; };
/** Index into a file's tables of context code ctx, magnitude class m and curve cell i. */
export const tableIndex = (ctx: number, m: number, i: number): number => ctx * TABLES + m * GRID + i;

/** Bin of a PGA (g), clamped to the table. */
export const pgaBin = (g: number): number => Math.max(0, Math.min(PGA_BINS - 1, Math.floor((Math.log10(Math.max(g, 1e-12)) - PGA_LOG_MIN) / PGA_LOG_STEP)));
/** Centre of bin b, log10 g. */
export const binCentre = (b: number): number => PGA_LOG_MIN + (b + 0.5) * PGA_LOG_STEP;

/**
 * Times (s) at which the amplitude a phone has reported so far is tabulated: after a trigger during
 * the P wave, and after the S arrival. Tying the growth to the S arrival (not to the trigger) keeps
 * it right whatever the S − P time: at the same PGA an M5.5 at 10 km has 1 s of P, an M6.3 at 25 km
 * 3 s. (Scaling the P offsets by the Cua–Heaton P rise time instead was tried: it made phones 35 km
 * from an M6.5 trigger 0.3 s late and report 0.25 log units low a second after triggering.)
 */
export const AMP_OFFSETS_P = [0, 0.5, 1, 1.5, 2, 3, 4, 6, 8] as const;
export const AMP_OFFSETS_S = [0, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 20, 30] as const;

/** Probability levels of every stored quantile table. */
export const QUANTILE_LEVELS = [0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1] as const;

const quantiles = z.array(z.number()).length(QUANTILE_LEVELS.length).nullable();
const band = z.tuple([z.number(), z.number()]);

/** Timing and amplitude of the triggers of one cell (S − P class × PGA bin). */
const tablesSchema = z.strictObject({
  delay_after_p_s: quantiles.describe('Quantiles of trigger time − P arrival, triggers before S, s.'),
  delay_after_s_s: quantiles.describe('Quantiles of trigger time − S arrival, triggers at or after S, s.'),
  log_amp_p: z.array(quantiles).length(AMP_OFFSETS_P.length).describe('Triggers before S, per offset of AMP_OFFSETS_P after the trigger: quantiles of log10(largest amplitude reported by then, and before S, / PGA).'),
  log_amp_s: z.array(quantiles).length(AMP_OFFSETS_S.length).describe('Per offset of AMP_OFFSETS_S after the S arrival: quantiles of log10(largest amplitude reported by then / PGA), over triggers reported by then.'),
  duration_s: quantiles.describe('Quantiles of the last message of the trigger − the trigger, s.'),
  delay_amp_rank_correlation: z.number().min(-1).max(1).describe('Spearman rank correlation between a P trigger\'s delay after P and its amplitude at trigger (drawn through a Gaussian copula): phones that trigger early report the P wave as it starts.'),
});
export type ResponseTables = z.infer<typeof tablesSchema>;

/**
 * A table that is another's (a sparse cell takes the nearest one with data, so most are): the index
 * of that table, which is written in full. Keeps the file a few MB instead of ten.
 */
const sameAsSchema = z.strictObject({ same_as: z.number().int().min(0).describe('Index of the table (written in full) this one repeats.') });
type TableEntry = ResponseTables | z.infer<typeof sameAsSchema>;
const isSameAs = (t: TableEntry): t is { same_as: number } => 'same_as' in t;

/** Every `same_as` names a table written in full. */
function checkSameAs(list: TableEntry[], ctx: z.RefinementCtx): void {
  list.forEach((t, i) => {
    if (!isSameAs(t)) return;
    const to = list[t.same_as];
    if (!to || isSameAs(to)) ctx.addIssue({ code: 'custom', path: [i, 'same_as'], message: `expected the index of a table written in full, found ${t.same_as}`, input: t.same_as });
  });
}

/** The tables with each `same_as` replaced by the table it names. */
const resolveSameAs = (list: TableEntry[]): ResponseTables[] => list.map((t) => (isSameAs(t) ? (list[t.same_as] as ResponseTables) : t));

/** The tables to write: a repeat of an earlier table as its `same_as` index (the reverse of reading). */
export function withSameAs(list: readonly ResponseTables[], key: (t: ResponseTables) => string): TableEntry[] {
  const first = new Map<string, number>();
  return list.map((t, i) => {
    const k = key(t), j = first.get(k);
    if (j !== undefined) return { same_as: j };
    first.set(k, i);
    return t;
  });
}

const binSchema = z.strictObject({
  n: z.number().int().min(0).describe('Phone–earthquake pairs whose PGA and S − P time fell in the cell.'),
  k: z.number().int().min(0).describe('Of them, pairs that triggered within the shaking window.'),
  p: z.number().min(0).max(1).describe('Trigger probability with background removed, made non-decreasing in PGA (pool-adjacent-violators); a cell with few pairs takes the value of its PGA bin over all S − P classes.'),
  ci95: band.describe('Wilson 95 % interval of the raw k / n.'),
  before_s: z.number().min(0).max(1).nullable().describe('Share of triggers before the S arrival.'),
});
export type ResponseBin = z.infer<typeof binSchema>;


const curveSchema = z.strictObject({
  profile: z.string(),
  profile_hash: z.string(),
  context: z.string(),
  bins: z.array(binSchema).length(GRID).describe('SP_CLASSES rows (S − P time classes) of PGA_BINS bins each.'),
  background: z.strictObject({
    phone_hours: z.number().min(0),
    triggers: z.number().int().min(0),
    per_phone_hour: z.number().min(0),
    ci95: band,
    log_amp: quantiles.describe('Quantiles of log10(amplitude of a background trigger, m/s²).'),
    duration_s: quantiles.describe('Quantiles of last message − trigger, s.'),
  }),
});
export type ResponseCurve = z.infer<typeof curveSchema>;

export const responseCurvesSchema = z.strictObject({
  kind: z.literal('hazardsim-calibration/response-curves'),
  version: z.literal(2).describe('2: timing and amplitude tables per context (1 pooled them over contexts).'),
  detector: z.strictObject({ type: z.string(), hash: z.string(), config: z.record(z.string(), z.unknown()) }),
  produced_by: z.strictObject({
    command: z.string(),
    hazardsim: z.string(),
    scenarios: z.array(z.strictObject({ file: z.string(), hash: z.string() })),
    hash: z.string(),
  }),
  pga_bins: z.strictObject({ log10_min_g: z.number(), log10_step: z.number(), count: z.number().int() }),
  s_minus_p_edges_s: z.array(z.number()),
  quantile_levels: z.array(z.number()),
  amplitude_offsets_p_s: z.array(z.number()),
  amplitude_offsets_s_s: z.array(z.number()),
  shaking_measure: z.string(),
  magnitude_check: z.array(z.strictObject({ bin_log10_g: z.number(), magnitude: z.number(), n: z.number(), k: z.number(), p: z.number() })).describe('Trigger share per PGA bin split by magnitude: the evidence for PGA alone as the shaking measure.'),
  magnitude_edges: z.array(z.number()),
  tables: z.array(z.union([tablesSchema, sameAsSchema])).length(CONTEXT_TABLES).superRefine(checkSameAs).transform(resolveSameAs).describe('Timing and amplitude tables per context (table, hand, pocket, bag) × magnitude class × S − P class × PGA bin, pooled over profiles (a sparse cell takes the nearest one of its context with data; a context the calibration did not run, those pooled over contexts).'),
  curves: z.array(curveSchema),
});
export type ResponseCurves = z.infer<typeof responseCurvesSchema>;

/** The hash of a detector configuration (resolved, defaults included) that a calibration is tied to. */
export const detectorHash = (config: Record<string, unknown>): string => sha256(canonicalJson(config));
/** The hash of a resolved phone profile that a calibration is tied to (its name and power figures left out: they do not change what the sensors record). */
export const profileHash = (profile: Record<string, unknown>): string => sha256(canonicalJson({ ...profile, name: undefined, power: undefined }));

/** Where `hazardsim calibrate` keeps the response curves of a detector configuration. */
export const responseFileName = (config: Record<string, unknown>): string => `responses/${config.type as string}-${detectorHash(config).slice(0, 12)}.json`;

/** Reads and checks a response-curve file; InputError naming it and the field otherwise. */
export function readResponseCurves(file: string, shown = file): ResponseCurves {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(shown, `expected response curves made by "hazardsim calibrate --responses" (JSON), could not read it: ${(err as Error).message}`);
  }
  const r = responseCurvesSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new InputError(shown, { path: i.path.join('.'), message: `${i.message} (make response curves with "hazardsim calibrate --responses <scenario>")` });
  }
  if (r.data.pga_bins.count !== PGA_BINS || r.data.pga_bins.log10_min_g !== PGA_LOG_MIN || r.data.pga_bins.log10_step !== PGA_LOG_STEP || r.data.s_minus_p_edges_s.join() !== SP_EDGES_S.join() || r.data.magnitude_edges.join() !== MAG_EDGES.join()) {
    throw new InputError(shown, { path: 'pga_bins', message: `expected ${PGA_BINS} bins of ${PGA_LOG_STEP} decades from 10^${PGA_LOG_MIN} g in S − P classes split at ${SP_EDGES_S.join(', ')} s and magnitude classes split at M${MAG_EDGES.join(', M')} (this version's layout); re-make the file with "hazardsim calibrate --responses <scenario>"` });
  }
  return r.data;
}

/** Value of a quantile table at probability u (linear between the stored levels). */
export function quantileAt(q: readonly number[], u: number): number {
  const L = QUANTILE_LEVELS;
  for (let i = 1; i < L.length; i++) {
    if (u <= L[i]!) {
      const f = (u - L[i - 1]!) / (L[i]! - L[i - 1]!);
      return q[i - 1]! + f * (q[i]! - q[i - 1]!);
    }
  }
  return q[q.length - 1]!;
}

/** Empirical quantiles of values at QUANTILE_LEVELS (null when there are fewer than `min`). */
export function empiricalQuantiles(values: number[], min = 1): number[] | null {
  if (values.length < min) return null;
  const s = Float64Array.from(values).sort();
  return QUANTILE_LEVELS.map((p) => {
    const h = (s.length - 1) * p, lo = Math.floor(h);
    return lo + 1 < s.length ? s[lo]! + (h - lo) * (s[lo + 1]! - s[lo]!) : s[lo]!;
  });
}

/** Weighted pool-adjacent-violators: the closest non-decreasing sequence (weights w). */
export function isotonic(y: readonly number[], w: readonly number[]): number[] {
  const blocks: { v: number; w: number; len: number }[] = [];
  y.forEach((v, i) => {
    blocks.push({ v, w: w[i]!, len: 1 });
    while (blocks.length > 1 && blocks[blocks.length - 2]!.v > blocks[blocks.length - 1]!.v) {
      const b = blocks.pop()!, a = blocks[blocks.length - 1]!;
      const tw = a.w + b.w;
      a.v = tw > 0 ? (a.v * a.w + b.v * b.w) / tw : (a.v + b.v) / 2;
      a.w = tw;
      a.len += b.len;
    }
  });
  return blocks.flatMap((b) => Array<number>(b.len).fill(b.v));
}
