import { describe, expect, it } from 'vitest';
import { classQuotas, evenShares } from '../../src/dataset/select.js';

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
