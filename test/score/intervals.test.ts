import { describe, expect, it } from 'vitest';
import { bootstrapQuantile, mannWhitney, poissonRatesP, twoProportionP, wilson } from '../../src/score/intervals.js';

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
});
