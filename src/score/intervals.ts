/**
 * Uncertainty and significance for scores: Wilson intervals for shares, bootstrap intervals for
 * quantiles (seeded, so reports are reproducible), two-proportion z tests, Mann–Whitney U tests
 * and a conditional test for two Poisson rates (false alerts per phone-hour).
 */
import { errorFunction, quantileSorted } from 'simple-statistics';
import { FastRandom } from '../core/random.js';

/** Standard normal CDF (simple-statistics' own is a two-decimal table; its error function is precise). */
const normalCdf = (z: number): number => Math.min(1, Math.max(0, 0.5 * (1 + errorFunction(z / Math.SQRT2))));

import type { Interval } from '../core/wilson.js';
export { wilson, type Interval } from '../core/wilson.js';

/** Quantile q of `values` with a 95 % percentile-bootstrap interval (`resamples` draws of at most 5,000 values, seeded). */
export function bootstrapQuantile(values: readonly number[], q: number, o: { resamples?: number; seed?: number } = {}): Interval {
  if (!values.length) return { value: null, lo: null, hi: null };
  // Numeric typed sorts (a national run scores a million warnings): the same order as sorting by value.
  const sorted = Float64Array.from(values).sort();
  const r = FastRandom.of(o.seed ?? 1, 'bootstrap');
  const n = sorted.length, m = Math.min(n, 5000), stats = new Float64Array(o.resamples ?? 200);
  const picks = new Int32Array(m), s = new Float64Array(m);
  for (let k = 0; k < stats.length; k++) {
    // A resample with replacement (the draws of simple-statistics' sampleWithReplacement); over
    // sorted values, sorting the drawn indices sorts the resample.
    for (let i = 0; i < m; i++) picks[i] = Math.floor(r.uniform() * n);
    picks.sort();
    for (let i = 0; i < m; i++) s[i] = sorted[picks[i]!]!;
    stats[k] = quantileSorted(s as unknown as number[], q);
  }
  stats.sort();
  return { value: quantileSorted(sorted as unknown as number[], q), lo: quantileSorted(stats as unknown as number[], 0.025), hi: quantileSorted(stats as unknown as number[], 0.975) };
}

/** Score interval (95 %) of a Poisson count k, as a rate per `exposure` × `per`. */
export function poissonRate(k: number, exposure: number, per: number): Interval {
  if (!(exposure > 0)) return { value: null, lo: null, hi: null };
  const z2 = 1.959964 ** 2, c = k + z2 / 2, h = Math.sqrt(z2 * (k + z2 / 4));
  return { value: (k / exposure) * per, lo: (Math.max(0, c - h) / exposure) * per, hi: ((c + h) / exposure) * per };
}

/** Two-sided p-value that k1/n1 and k2/n2 share one proportion (pooled z test). */
export function twoProportionP(k1: number, n1: number, k2: number, n2: number): number {
  if (n1 <= 0 || n2 <= 0) return 1;
  const p = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (!(se > 0)) return k1 / n1 === k2 / n2 ? 1 : 0;
  const z = Math.abs(k1 / n1 - k2 / n2) / se;
  return Math.min(1, 2 * (1 - normalCdf(z)));
}

/** Mann–Whitney U test of two samples (normal approximation with tie correction): U of `a`, and the two-sided p-value. */
export function mannWhitney(a: readonly number[], b: readonly number[]): { u: number; p: number } {
  const n1 = a.length, n2 = b.length;
  if (!n1 || !n2) return { u: NaN, p: 1 };
  const all = [...a.map((v) => [v, 0] as const), ...b.map((v) => [v, 1] as const)].sort((x, y) => x[0] - y[0]);
  let rankA = 0, ties = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]![0] === all[i]![0]) j++;
    const rank = (i + 1 + j) / 2, t = j - i;
    ties += t * t * t - t;
    for (let k = i; k < j; k++) if (all[k]![1] === 0) rankA += rank;
    i = j;
  }
  const u = rankA - (n1 * (n1 + 1)) / 2, n = n1 + n2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))));
  if (!(sd > 0)) return { u, p: 1 };
  const z = (Math.abs(u - (n1 * n2) / 2) - 0.5) / sd;
  return { u, p: Math.min(1, 2 * (1 - normalCdf(Math.max(0, z)))) };
}

/**
 * Two-sided p-value that counts k1 over exposure t1 and k2 over t2 share one Poisson rate: given
 * k1 + k2 events, k1 is binomial with p = t1 / (t1 + t2) (exact, summing the tails).
 */
export function poissonRatesP(k1: number, t1: number, k2: number, t2: number): number {
  const n = k1 + k2;
  if (n === 0 || t1 <= 0 || t2 <= 0) return 1;
  const p = t1 / (t1 + t2);
  const logPmf = (k: number) => lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
  const observed = logPmf(k1);
  let sum = 0;
  for (let k = 0; k <= n; k++) { const l = logPmf(k); if (l <= observed + 1e-9) sum += Math.exp(l); }
  return Math.min(1, sum);
}

/** log Γ(x) (Lanczos). */
function lgamma(x: number): number {
  const g = [676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  x -= 1;
  let a = 0.99999999999980993;
  const t = x + 7.5;
  for (let i = 0; i < 8; i++) a += g[i]! / (x + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * McNemar's exact test of paired binary outcomes: of the pairs that disagree, `b` went one way and
 * `c` the other; under no difference b is Binomial(b + c, ½). Two-sided p-value (twice the smaller tail).
 */
export function mcnemarP(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(lgamma(n + 1) - lgamma(i + 1) - lgamma(n - i + 1) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/**
 * Wilcoxon signed-rank test of paired differences (zero differences dropped, average ranks for
 * ties, normal approximation with the tie correction and a continuity correction, as scipy's
 * `wilcoxon(..., zero_method='wilcox', correction=True, method='approx')`): W+ and the two-sided p-value.
 */
export function wilcoxonSignedRank(diffs: readonly number[]): { w: number; p: number; n: number } {
  const d = diffs.filter((v) => v !== 0 && Number.isFinite(v)).map((v) => [Math.abs(v), v > 0] as const).sort((a, b) => a[0] - b[0]);
  const n = d.length;
  if (n === 0) return { w: 0, p: 1, n };
  let wPlus = 0, ties = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j < n && d[j]![0] === d[i]![0]) j++;
    const rank = (i + 1 + j) / 2, t = j - i;
    ties += t * t * t - t;
    for (let k = i; k < j; k++) if (d[k]![1]) wPlus += rank;
    i = j;
  }
  const mean = (n * (n + 1)) / 4, sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - ties / 48);
  if (!(sd > 0)) return { w: wPlus, p: 1, n };
  // scipy tests the smaller of W+ and W−; the two give the same |W − mean|.
  const z = Math.max(0, Math.abs(wPlus - mean) - 0.5) / sd;
  return { w: wPlus, p: Math.min(1, 2 * (1 - normalCdf(z))), n };
}
