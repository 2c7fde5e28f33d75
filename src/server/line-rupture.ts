/**
 * A large earthquake's rupture as a line through the epicentre, FinDer-style (Böse et al. 2012): the
 * phones with strong shaking lie along the fault. Their principal axis through the epicentre gives
 * the strike; the 95th percentile of their distances along it on the side where most of them are
 * gives the length of that arm. The rupture may also run the other way (bilateral, as Türkiye 2023
 * broke ~200 km north-east and ~150 km south-west of its epicentre): the points behind the epicentre
 * make a second arm when they reach farther along the line than strong shaking reaches across it,
 * not when they are only the patch of strong shaking around the epicentre.
 * A rupture only grows: it keeps its strike and each arm's longest length, except that a fit more
 * than 30° off replaces both (the new line's own arms) when it fits the strongly shaken phones
 * better than the old one (a smaller median distance across the line). The first fits come from the
 * phones nearest the epicentre, whose S wave has passed first, and a town there can set a strike
 * that the whole fault's phones later contradict: Türkiye 2023's first fit ran east-south-east
 * through Gaziantep, while the later fits along the East Anatolian Fault ran north-east.
 *
 * The line is returned as a segment from the far end of the rear arm (the epicentre itself when the
 * rupture is unilateral) to the tip of the main arm; the epicentre lies on it.
 */
import type { Segment } from '../core/geo.js';
import { hypot } from '../core/geo.js';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b), n = s.length;
  return n ? (n % 2 ? s[(n - 1) >> 1]! : 0.5 * (s[n / 2 - 1]! + s[n / 2]!)) : NaN;
};
const q95 = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(0.95 * s.length))] ?? 0;
};

/** Shortest arm (and line) that counts, m. */
const MIN_ARM_M = 20_000;

/**
 * The two arms of a line through e along (ux, uy): `ahead` from the points on the positive side,
 * `behind` from those on the negative side when they make an arm of their own (else 0), each the
 * 95th percentile of their distances along it, capped at `cap`; `width` is twice the median
 * distance across the line of all points.
 */
function arms(strong: readonly { x: number; y: number }[], e: { x: number; y: number }, ux: number, uy: number, cap: number, nearField: number) {
  const pos: number[] = [], neg: number[] = [], across: number[] = [];
  for (const p of strong) {
    const a = (p.x - e.x) * ux + (p.y - e.y) * uy, c = Math.abs(-(p.x - e.x) * uy + (p.y - e.y) * ux);
    across.push(c);
    if (a > 0) pos.push(a);
    else if (a < 0) neg.push(-a);
  }
  const ahead = Math.min(q95(pos), cap);
  // Strong shaking also surrounds the epicentre: the points behind make an arm only when they reach
  // farther along the line than strong shaking reaches across it (its 95th percentile) and than it
  // reaches from a point source of the event's magnitude (`nearField`), and at least 20 km.
  const reach = Math.max(q95(across), nearField);
  let behind = 0;
  if (neg.length >= 5) {
    const b = q95(neg);
    if (b >= MIN_ARM_M && b > reach) behind = Math.min(b, cap);
  }
  return { ahead, behind, width: 2 * median(across), medianAcross: median(across), positives: pos.length, count: strong.length };
}

/**
 * The rupture the strongly shaken points say, or `prev` while they are too few (< 5), the line
 * shorter than 20 km, or not elongated (length under twice the width across it). `maxLengthM`
 * bounds each arm (how far a rupture can have run from the epicentre since the origin);
 * `nearFieldM` is how far strong shaking reaches from a point source of the event's magnitude (a
 * rear arm must reach farther).
 */
export function fitLineRupture(strong: readonly { x: number; y: number }[], epicentre: { x: number; y: number }, prev: Segment | null, maxLengthM: number, nearFieldM = 0): Segment | null {
  if (strong.length < 5) return prev;
  const e = epicentre, cap = Math.min(maxLengthM, 1_000_000);
  let sxx = 0, syy = 0, sxy = 0;
  for (const p of strong) {
    const dx = p.x - e.x, dy = p.y - e.y;
    sxx += dx * dx; syy += dy * dy; sxy += dx * dy;
  }
  const th = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  let ux = Math.cos(th), uy = Math.sin(th);
  let fit = arms(strong, e, ux, uy, cap, nearFieldM);
  // The main arm points to the side where most of the points are.
  if (fit.positives < fit.count / 2) { ux = -ux; uy = -uy; fit = arms(strong, e, ux, uy, cap, nearFieldM); }
  const length = fit.ahead + fit.behind;
  if (fit.ahead < MIN_ARM_M || length < 2 * fit.width) return prev;
  let ahead = fit.ahead, behind = fit.behind;
  if (prev) {
    const pl = hypot(prev.x2 - prev.x1, prev.y2 - prev.y1), pux = (prev.x2 - prev.x1) / pl, puy = (prev.y2 - prev.y1) / pl;
    // The old arms, measured from this epicentre along the old line.
    const pAhead = (prev.x2 - e.x) * pux + (prev.y2 - e.y) * puy, pBehind = Math.max(0, -((prev.x1 - e.x) * pux + (prev.y1 - e.y) * puy));
    const dot = pux * ux + puy * uy;
    if (Math.abs(dot) >= Math.cos(Math.PI / 6)) {
      // Nearly the old line: the new strike, each arm never shorter than the old one on its side.
      if (dot < 0) { ux = -ux; uy = -uy; [ahead, behind] = [behind, ahead]; }
      ahead = Math.max(ahead, pAhead); behind = Math.max(behind, pBehind);
    } else {
      const old = arms(strong, e, pux, puy, cap, nearFieldM);
      if (old.medianAcross <= fit.medianAcross) {
        // More than 30° off, and the old line still fits the phones as well: it stays, its arms only growing.
        ux = pux; uy = puy;
        ahead = Math.max(old.ahead, pAhead); behind = Math.max(old.behind, pBehind);
      }
      // Otherwise the phones now lie along another line: the rupture turns to it, with its arms.
    }
  }
  return { x1: e.x - behind * ux, y1: e.y - behind * uy, x2: e.x + ahead * ux, y2: e.y + ahead * uy };
}
