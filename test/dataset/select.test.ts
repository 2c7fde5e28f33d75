import { describe, expect, it } from 'vitest';
import { classQuotas, evenShares, matchedTakes } from '../../src/dataset/select.js';

describe('class quotas', () => {
  it('splits windows into positives, hard negatives and background as asked', () => {
    expect(classQuotas({ windows: 1000, balance: 0.5, hardNegatives: 0.4, available: [5000, 5000, 5000] })).toEqual([500, 200, 300]);
  });
  it('fills a short class from the others, positives last', () => {
    // 100 positives only: negatives fill the rest; too few hard negatives: background fills in.
    expect(classQuotas({ windows: 1000, balance: 0.5, hardNegatives: 0.5, available: [100, 50, 5000] })).toEqual([100, 50, 850]);
    // Not enough negatives at all: positives take up the slack.
    expect(classQuotas({ windows: 1000, balance: 0.5, hardNegatives: 0.5, available: [5000, 100, 100] })).toEqual([800, 100, 100]);
  });
});

describe('even shares over strata', () => {
  it('gives rare strata all they have and spreads the rest evenly', () => {
    expect(evenShares([1000, 10, 1000, 0], 300)).toEqual([145, 10, 145, 0]);
  });
  it('never takes more than there is', () => {
    expect(evenShares([3, 4], 100)).toEqual([3, 4]);
  });
  it('hands out the remainder deterministically', () => {
    expect(evenShares([10, 10, 10], 4)).toEqual([2, 1, 1]);
  });
});

describe('matched context × motion cells', () => {
  it('gives every class the same cell mix, as large as the scarcest class allows', () => {
    // Positives: 300 on tables, 100 in pockets; negatives: 100 on tables, 900 in pockets; quotas 200 and 200.
    // min(avail / quota): tables min(1.5, 0.5) = 0.5, pockets min(0.5, 4.5) = 0.5 → shares ½ and ½, scale 1.
    const r = matchedTakes([[300, 100], [100, 900]], [200, 200]);
    expect(r.shares).toEqual([0.5, 0.5]);
    expect(r.scale).toBe(1);
    expect(r.take).toEqual([[100, 100], [100, 100]]);
  });
  it('shrinks every class alike when the classes share too few cells', () => {
    // Tables: min(200/100, 0/100) = 0; pockets: min(10/100, 100/100) = 0.1 → one cell, scale 0.1.
    const r = matchedTakes([[200, 10], [0, 100]], [100, 100]);
    expect(r.shares).toEqual([0, 1]);
    expect(r.scale).toBeCloseTo(0.1, 12);
    expect(r.take).toEqual([[0, 10], [0, 10]]);
  });
  it('apportions by largest remainders and ignores a class with no quota', () => {
    const r = matchedTakes([[10, 10, 10], [0, 0, 0]], [10, 0]);
    expect(r.take[0]).toEqual([4, 3, 3]);
    expect(r.take[1]).toEqual([0, 0, 0]);
  });
});
