import { describe, expect, it } from 'vitest';
import { quantileSorted, sampleWithReplacement } from 'simple-statistics';
import { FastRandom } from '../../src/core/random.js';
import { bootstrapQuantile, mannWhitney, mcnemarP, poissonRatesP, twoProportionP, wilcoxonSignedRank, wilson } from '../../src/score/intervals.js';

describe('intervals and tests', () => {
  it('Wilson interval matches the textbook value (Newcombe 1998: 81 of 263 → 0.2553–0.3662)', () => {
    const w = wilson(81, 263);
    expect(w.lo).toBeCloseTo(0.2553, 4);
    expect(w.hi).toBeCloseTo(0.3662, 4);
    expect(wilson(0, 0).value).toBeNull();
  });

  it('two-proportion z test: 45/100 vs 60/100 gives p ≈ 0.034', () => {
    expect(twoProportionP(45, 100, 60, 100)).toBeCloseTo(0.0339, 3);
    expect(twoProportionP(50, 100, 50, 100)).toBe(1);
  });

  it('Mann–Whitney U agrees with scipy.stats.mannwhitneyu (normal approximation, continuity corrected)', () => {
    // scipy 1.x: mannwhitneyu([1,2,3,4,5,6,7,8], [5,6,7,8,9,10,11,12], method='asymptotic') → U = 8, p = 0.013313
    const r = mannWhitney([1, 2, 3, 4, 5, 6, 7, 8], [5, 6, 7, 8, 9, 10, 11, 12]);
    expect(r.u).toBe(8);
    expect(r.p).toBeCloseTo(0.013313, 5);
  });

  it('conditional Poisson test: 2 vs 12 events over equal exposure is significant, 5 vs 6 is not', () => {
    // Binomial(14, 0.5): P(X ≤ 2) × 2 = 0.01294
    expect(poissonRatesP(2, 1000, 12, 1000)).toBeCloseTo(0.01294, 4);
    expect(poissonRatesP(5, 1000, 6, 1000)).toBeGreaterThan(0.5);
  });

  it('bootstrap interval of a median brackets it and is reproducible', () => {
    const xs = Array.from({ length: 400 }, (_, i) => (i * 37) % 101);
    const a = bootstrapQuantile(xs, 0.5), b = bootstrapQuantile(xs, 0.5);
    expect(a).toEqual(b);
    expect(a.lo!).toBeLessThanOrEqual(a.value!);
    expect(a.hi!).toBeGreaterThanOrEqual(a.value!);
    expect(a.hi! - a.lo!).toBeLessThan(20);
  });

  it('bootstrap interval: the same as resampling with simple-statistics and sorting each resample (ties and more values than one resample holds)', () => {
    const xs = Array.from({ length: 12_000 }, (_, i) => Math.round(100 * Math.sin(i * 0.37)) / 10); // many ties
    for (const q of [0.5, 0.1]) {
      const r = FastRandom.of(3, 'bootstrap'), sorted = [...xs].sort((a, b) => a - b), stats: number[] = [];
      for (let k = 0; k < 50; k++) stats.push(quantileSorted(sampleWithReplacement(sorted, 5000, () => r.uniform()).sort((a, b) => a - b), q));
      stats.sort((a, b) => a - b);
      expect(bootstrapQuantile(xs, q, { seed: 3, resamples: 50 })).toEqual({ value: quantileSorted(sorted, q), lo: quantileSorted(stats, 0.025), hi: quantileSorted(stats, 0.975) });
    }
  });
});

describe('paired tests against scipy 1.x (stats.binomtest, stats.wilcoxon approx with continuity correction)', () => {
  it("McNemar's exact test is the two-sided binomial test of the discordant pairs", () => {
    expect(mcnemarP(3, 12)).toBeCloseTo(0.03515625, 10); // binomtest(3, 15, 0.5)
    expect(mcnemarP(30, 10)).toBeCloseTo(0.0022214337732293643, 10); // binomtest(10, 40, 0.5)
    expect(mcnemarP(0, 0)).toBe(1);
  });

  it('Wilcoxon signed-rank: statistic and p-value as scipy gives them, zeros dropped, ties averaged', () => {
    const d = [1.5, -0.3, 2.2, 0.7, -1.1, 0.4, 0.9, 0, 1.3, -0.2, 0.8, 0.6, 2.0, -0.5, 1.0, 0.4];
    const r = wilcoxonSignedRank(d);
    expect(Math.min(r.w, (r.n * (r.n + 1)) / 2 - r.w)).toBe(19);
    expect(r.p).toBeCloseTo(0.021408066479066686, 6);
    const x = [0.6, 1.1, 0.6, -1.0, 1.2, 0.7, -0.2, 0.9, 0.7, 0.6, 0.3, 0.8, -0.4, 0.1, -0.2, 0.9, 0.3, 0.0, -0.5, 0.0, 0.3, 0.0, 1.6, 1.3, -2.4, -1.6, 0.1, -0.1, 0.5, 0.5, 2.4, -0.8, -0.1, 2.3, 0.9, 1.0, -0.2, -1.3, 0.5, 0.4, -0.9, -0.4, 0.2, -0.6, 0.2, 0.4, 0.3, -0.2, 0.9, 1.2, 0.6, -0.5, 1.0, -0.2, 1.2, -0.8, 1.2, 0.3, -0.9, -0.0];
    const s = wilcoxonSignedRank(x);
    expect(Math.min(s.w, (s.n * (s.n + 1)) / 2 - s.w)).toBe(502.5);
    expect(s.p).toBeCloseTo(0.016028164070130677, 6);
  });
});
