import { describe, expect, it } from 'vitest';
import { bestF1Threshold, binaryMetrics, rocAuc } from '../../src/train/metrics.js';

describe('classification metrics', () => {
  it('ROC AUC is the share of positive–negative pairs ranked right, ties half', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(rocAuc([0.5, 0.5, 0.5], [1, 0, 1])).toBeCloseTo(0.5, 12);
    expect(rocAuc([0.9, 0.1], [1, 0])).toBe(1);
    expect(rocAuc([0.9, 0.1], [1, 1])).toBeNull();
  });
  it('precision, recall and F1 at a threshold', () => {
    const m = binaryMetrics([0.9, 0.8, 0.7, 0.2, 0.6, 0.1], [1, 1, 0, 1, 0, 0], 0.65);
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
    expect(m.false_positive_rate).toBeCloseTo(1 / 3, 12);
  });
  it('picks the threshold of best F1 on the scores', () => {
    // Cutting at 0.8 catches both positives with no false alarm.
    expect(bestF1Threshold([0.9, 0.8, 0.7, 0.2], [1, 1, 0, 0])).toEqual({ threshold: 0.8, f1: 1 });
  });
});
