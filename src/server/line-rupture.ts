/**
 * A large earthquake's rupture as a line from the epicentre, FinDer-style (Böse et al. 2012): the
 * phones with strong shaking lie along the fault. Their principal axis through the epicentre gives
 * the strike; the 95th percentile of their distances along it (on the side where most of them are)
 * gives the length. A rupture only grows: it keeps its longest length and its strike, except that a
 * fit more than 30° off replaces both (the new line's own length) when it fits the strongly shaken
 * phones better than the old one (a smaller median distance across the line). The first fits come from the phones nearest
 * the epicentre, whose S wave has passed first, and a town there can set a strike that the whole
 * fault's phones later contradict: Türkiye 2023's first fit ran east-south-east through Gaziantep,
 * while the later fits along the East Anatolian Fault ran north-east (51–56°) and were ignored.
 */
import type { Segment } from '../core/geo.js';
import { hypot } from '../core/geo.js';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b), n = s.length;
  return n % 2 ? s[(n - 1) >> 1]! : 0.5 * (s[n / 2 - 1]! + s[n / 2]!);
};

/**
 * The rupture the strongly shaken points say, or `prev` while they are too few (< 5), the line
 * shorter than 20 km, or not elongated (length under twice the width across it). `maxLengthM`
 * bounds the length (how far a rupture can have run since the origin).
 */
export function fitLineRupture(strong: readonly { x: number; y: number }[], epicentre: { x: number; y: number }, prev: Segment | null, maxLengthM: number): Segment | null {
  if (strong.length < 5) return prev;
  const e = epicentre;
  let sxx = 0, syy = 0, sxy = 0;
  for (const p of strong) {
    const dx = p.x - e.x, dy = p.y - e.y;
    sxx += dx * dx; syy += dy * dy; sxy += dx * dy;
  }
  const th = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  let ux = Math.cos(th), uy = Math.sin(th);
  const along = strong.map((p) => (p.x - e.x) * ux + (p.y - e.y) * uy);
  if (along.filter((a) => a > 0).length < along.length / 2) { ux = -ux; uy = -uy; for (let i = 0; i < along.length; i++) along[i] = -along[i]!; }
  const across = strong.map((p) => Math.abs(-(p.x - e.x) * uy + (p.y - e.y) * ux));
  const sorted = along.filter((a) => a > 0).sort((a, b) => a - b);
  let L = sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] ?? 0;
  L = Math.min(L, maxLengthM, 1_000_000);
  const width = 2 * median(across);
  if (L < 20_000 || L < 2 * width) return prev;
  if (prev) {
    const pl = hypot(prev.x2 - prev.x1, prev.y2 - prev.y1), pux = (prev.x2 - prev.x1) / pl, puy = (prev.y2 - prev.y1) / pl;
    if (pux * ux + puy * uy >= Math.cos(Math.PI / 6)) L = Math.max(L, pl);
    else if (median(strong.map((p) => Math.abs(-(p.x - e.x) * puy + (p.y - e.y) * pux))) <= median(across)) {
      // More than 30° off, and the old strike still fits the phones as well: it stays, as long as it was.
      ux = pux; uy = puy;
      L = Math.max(L, pl);
    }
    // Otherwise the phones now lie along another line: the rupture turns to it, with its length.
  }
  return { x1: e.x, y1: e.y, x2: e.x + L * ux, y2: e.y + L * uy };
}
