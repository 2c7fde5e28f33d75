/** Binary classification metrics: precision, recall, F1 at a threshold, ROC AUC, and the threshold of best F1. */

export interface BinaryMetrics {
  windows: number;
  positives: number;
  threshold: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  false_positive_rate: number | null;
  roc_auc: number | null;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

export function binaryMetrics(p: ArrayLike<number>, y: ArrayLike<number>, threshold: number): BinaryMetrics {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let i = 0; i < p.length; i++) {
    const hit = p[i]! >= threshold;
    if (y[i]) { if (hit) tp++; else fn++; } else if (hit) fp++; else tn++;
  }
  const precision = ratio(tp, tp + fp), recall = ratio(tp, tp + fn);
  return {
    windows: p.length, positives: tp + fn, threshold, precision, recall,
    f1: precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : null,
    false_positive_rate: ratio(fp, fp + tn),
    roc_auc: rocAuc(p, y),
  };
}

/** Area under the ROC curve (the Mann–Whitney U statistic, ties counted half); null without both classes. */
export function rocAuc(p: ArrayLike<number>, y: ArrayLike<number>): number | null {
  const idx = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  let pos = 0, neg = 0, rankSum = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && p[idx[j + 1]!] === p[idx[i]!]) j++;
    const rank = (i + j) / 2 + 1; // average rank of the tie group, 1-based
    for (let k = i; k <= j; k++) if (y[idx[k]!]) { rankSum += rank; pos++; } else neg++;
    i = j + 1;
  }
  if (!pos || !neg) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** The threshold (one of the scores) that maximizes F1; ties go to the higher threshold (fewer false alarms). */
export function bestF1Threshold(p: ArrayLike<number>, y: ArrayLike<number>): { threshold: number; f1: number } {
  const idx = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => p[b]! - p[a]!);
  let positives = 0;
  for (let i = 0; i < p.length; i++) positives += y[i] ? 1 : 0;
  let tp = 0, fp = 0, best = { threshold: 0.5, f1: -1 };
  for (let i = 0; i < idx.length; i++) {
    if (y[idx[i]!]) tp++; else fp++;
    // Only between distinct scores can a threshold separate windows.
    if (i + 1 < idx.length && p[idx[i + 1]!] === p[idx[i]!]) continue;
    const f1 = positives ? (2 * tp) / (tp + fp + positives) : 0;
    if (f1 > best.f1) best = { threshold: p[idx[i]!]!, f1 };
  }
  return best;
}
