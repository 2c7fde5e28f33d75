/**
 * Drift measures against scipy 1.x (stats.ks_2samp asymptotic, stats.wasserstein_distance) and
 * hand calculations (PSI of a known split; Page–Hinkley on a step in the mean).
 */
import { describe, expect, it } from 'vitest';
import { ks2, pageHinkley, psi, wasserstein } from '../../src/score/drift.js';

const a = Array.from({ length: 300 }, (_, i) => Math.sin(i * 1.7) * 2);
const b = Array.from({ length: 250 }, (_, i) => Math.sin(i * 2.3) * 2 + 0.25);

describe('drift measures', () => {
  it('two-sample KS: the statistic scipy gives (0.16) and its asymptotic p-value (scipy 0.00165, within 0.001)', () => {
    const r = ks2(a, b);
    expect(r.d).toBeCloseTo(0.16, 12);
    expect(Math.abs(r.p - 0.001651437713669596)).toBeLessThan(0.001);
    const small = ks2([0.1, 0.5, 0.9, 1.3, 2.0, 2.2, 3.1, 0.4, 0.8, 1.7], [0.6, 1.1, 1.9, 2.5, 3.3, 2.9, 1.4, 2.2, 3.8, 1.0, 2.6]);
    expect(small.d).toBeCloseTo(0.40909090909090906, 12);
    expect(Math.abs(small.p - 0.28547775549360166)).toBeLessThan(0.03);
  });

  it('Wasserstein-1 as scipy computes it (0.255336 and 0.818182)', () => {
    expect(wasserstein(a, b)).toBeCloseTo(0.25533621364450004, 10);
    expect(wasserstein([0.1, 0.5, 0.9, 1.3, 2.0, 2.2, 3.1, 0.4, 0.8, 1.7], [0.6, 1.1, 1.9, 2.5, 3.3, 2.9, 1.4, 2.2, 3.8, 1.0, 2.6])).toBeCloseTo(0.8181818181818181, 12);
  });

  it('PSI: 0 for the same sample; for half the current mass moved from the lowest to the highest decile, 2 × (0.05 − 0.1)·ln(0.5) … by hand', () => {
    const ref = Array.from({ length: 1000 }, (_, i) => i);
    expect(psi(ref, ref)).toBeCloseTo(0, 12);
    // Current: the lowest decile holds 5 % (not 10 %), the highest 15 %.
    const cur = [...Array.from({ length: 50 }, (_, i) => i), ...Array.from({ length: 800 }, (_, i) => 100 + i), ...Array.from({ length: 150 }, (_, i) => 900 + (i % 100))];
    const hand = (0.05 - 0.1) * Math.log(0.05 / 0.1) + (0.15 - 0.1) * Math.log(0.15 / 0.1);
    expect(psi(ref, cur)).toBeCloseTo(hand, 10);
  });

  it('Page–Hinkley flags a step in the mean soon after it, and nothing on a flat stream', () => {
    const flat = Array.from({ length: 500 }, (_, i) => Math.sin(i * 1.3));
    expect(pageHinkley(flat)).toBe(-1);
    const step = flat.map((v, i) => v + (i >= 300 ? 3 : 0));
    const at = pageHinkley(step);
    expect(at).toBeGreaterThanOrEqual(300);
    expect(at).toBeLessThan(330);
  });
});
