/** Small SVG plotting helpers for the self-contained report: scales and ticks (d3-scale), axes, escaping. */
import { scaleLinear } from 'd3-scale';

export const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Linear scale from [d0, d1] to [r0, r1] (d3-scale). */
export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const s = scaleLinear().domain([d0, d1]).range([r0, r1]);
  return d0 === d1 ? () => r0 : (v) => s(v);
}

/** About `count` round tick values covering [lo, hi] (d3-scale's 1-2-5 ticks). */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  return scaleLinear().domain([lo, hi]).ticks(count);
}

export const fmtNum = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));

/** A plot frame: axes with ticks and labels; returns the SVG pieces and the scales of the plotting area. */
export function axes(o: { width: number; height: number; x: [number, number]; y: [number, number]; xLabel: string; yLabel: string; yInteger?: boolean }) {
  const m = { l: 56, r: 16, t: 12, b: 40 };
  const sx = scale(o.x[0], o.x[1], m.l, o.width - m.r), sy = scale(o.y[0], o.y[1], o.height - m.b, m.t);
  const parts: string[] = [];
  parts.push(`<line x1="${m.l}" y1="${o.height - m.b}" x2="${o.width - m.r}" y2="${o.height - m.b}" stroke="#444"/>`);
  parts.push(`<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${o.height - m.b}" stroke="#444"/>`);
  const fx = scaleLinear().domain(o.x).tickFormat(5), fy = scaleLinear().domain(o.y).tickFormat(5, o.yInteger ? ',d' : undefined);
  for (const t of ticks(o.x[0], o.x[1])) parts.push(`<line x1="${sx(t)}" y1="${o.height - m.b}" x2="${sx(t)}" y2="${o.height - m.b + 4}" stroke="#444"/><text x="${sx(t)}" y="${o.height - m.b + 16}" text-anchor="middle">${fx(t)}</text>`);
  for (const t of ticks(o.y[0], o.y[1]).filter((v) => !o.yInteger || Number.isInteger(v))) parts.push(`<line x1="${m.l - 4}" y1="${sy(t)}" x2="${m.l}" y2="${sy(t)}" stroke="#444"/><text x="${m.l - 6}" y="${sy(t) + 4}" text-anchor="end">${fy(t)}</text><line x1="${m.l}" y1="${sy(t)}" x2="${o.width - m.r}" y2="${sy(t)}" stroke="#eee"/>`);
  parts.push(`<text x="${(m.l + o.width - m.r) / 2}" y="${o.height - 6}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(m.t + o.height - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  return { parts, sx, sy };
}
