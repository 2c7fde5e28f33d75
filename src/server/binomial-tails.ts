/** The two tails of the binomial distribution, summed in log space (precise far out in either tail). */
import { gammaln } from 'simple-statistics';

/** log of the Binomial(n, p) probability of exactly i. */
function logTerm(n: number, i: number, lp: number, lq: number): number {
  return gammaln(n + 1) - gammaln(i + 1) - gammaln(n - i + 1) + i * lp + (n - i) * lq;
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomialTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const lp = Math.log(p), lq = Math.log1p(-p);
  let sum = 0;
  for (let i = k; i <= n; i++) {
    const term = Math.exp(logTerm(n, i, lp, lq));
    sum += term;
    if (i > n * p && term < sum * 1e-15) break;
  }
  return Math.min(1, sum);
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialHead(n: number, k: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const lp = Math.log(p), lq = Math.log1p(-p);
  let sum = 0;
  for (let i = k; i >= 0; i--) {
    const term = Math.exp(logTerm(n, i, lp, lq));
    sum += term;
    if (i < n * p && term < sum * 1e-15) break;
  }
  return Math.min(1, sum);
}
