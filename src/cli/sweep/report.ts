/**
 * The sweep report (self-contained HTML, SVG plots): coverage curves against the first numeric swept
 * parameter — timely share and shares warned ≥ 5 s / ≥ 10 s with their 95 % bands, median warning
 * time, false alerts per day, timely share per distance band — one line per combination of the
 * other parameters (a log axis for adoption, or when the values span more than a factor of 20), and
 * the table of points.
 */
import { esc, fmtNum, scale, ticks } from '../../report/svg.js';
import type { MergedTable } from './merge.js';

type Row = Record<string, unknown>;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

interface Axis { log: boolean; lo: number; hi: number; label: string }

function xAxis(path: string, values: number[]): Axis {
  const lo = Math.min(...values), hi = Math.max(...values);
  const log = lo > 0 && (/adoption/.test(path) || hi / lo > 20);
  return { log, lo, hi, label: path + (log ? ' (log scale)' : '') };
}

/** One plot: lines (with optional bands) of y against x, per series. */
function plot(title: string, x: Axis, yLabel: string, series: { name: string; points: { x: number; y: number | null; lo?: number | null; hi?: number | null }[] }[], yRange?: [number, number]): string {
  const W = 520, H = 300, m = { l: 56, r: 16, t: 12, b: 40 };
  const ys = series.flatMap((s) => s.points.flatMap((p) => [p.y, p.lo, p.hi])).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (!ys.length) return `<figure><figcaption>${esc(title)}</figcaption><p>No values.</p></figure>`;
  const [y0, y1] = yRange ?? [Math.min(0, ...ys), Math.max(...ys) || 1];
  const tx = (v: number) => (x.log ? Math.log10(v) : v);
  const x0 = tx(x.lo), x1 = x.hi > x.lo ? tx(x.hi) : x0 + 1;
  const sx = scale(x0, x1, m.l, W - m.r), sy = scale(y0, y1, H - m.b, m.t);
  const parts: string[] = [
    `<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" stroke="#444"/>`, `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" stroke="#444"/>`,
  ];
  const xt = x.log ? ticks(Math.floor(x0), Math.ceil(x1), Math.max(1, Math.ceil(x1) - Math.floor(x0))).filter((t) => t >= x0 - 1e-9 && t <= x1 + 1e-9 && Number.isInteger(t)) : ticks(x0, x1);
  for (const t of xt) parts.push(`<line x1="${sx(t)}" y1="${H - m.b}" x2="${sx(t)}" y2="${H - m.b + 4}" stroke="#444"/><text x="${sx(t)}" y="${H - m.b + 16}" text-anchor="middle">${x.log ? esc(String(+(10 ** t).toPrecision(3))) : t}</text>`);
  for (const t of ticks(y0, y1)) parts.push(`<line x1="${m.l - 4}" y1="${sy(t)}" x2="${m.l}" y2="${sy(t)}" stroke="#444"/><text x="${m.l - 6}" y="${sy(t) + 4}" text-anchor="end">${t}</text><line x1="${m.l}" y1="${sy(t)}" x2="${W - m.r}" y2="${sy(t)}" stroke="#eee"/>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 6}" text-anchor="middle">${esc(x.label)}</text><text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const c = COLOURS[i % COLOURS.length]!, pts = s.points.filter((p) => typeof p.y === 'number' && Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
    const band = pts.filter((p) => typeof p.lo === 'number' && typeof p.hi === 'number');
    if (band.length > 1) parts.push(`<path d="M${band.map((p) => `${sx(tx(p.x))},${sy(p.hi!)}`).join('L')}L${[...band].reverse().map((p) => `${sx(tx(p.x))},${sy(p.lo!)}`).join('L')}Z" fill="${c}" fill-opacity="0.15" stroke="none"/>`);
    if (pts.length > 1) parts.push(`<path d="M${pts.map((p) => `${sx(tx(p.x))},${sy(p.y!)}`).join('L')}" fill="none" stroke="${c}" stroke-width="1.8"/>`);
    for (const p of pts) parts.push(`<circle cx="${sx(tx(p.x))}" cy="${sy(p.y!)}" r="3" fill="${c}"><title>${esc(`${s.name}: x=${p.x}, y=${fmtNum(p.y, 3)}`)}</title></circle>`);
  });
  const legend = series.length > 1 || series[0]?.name ? series.map((s, i) => `<span style="color:${COLOURS[i % COLOURS.length]}">■</span> ${esc(s.name)}`).join(' &nbsp; ') : '';
  return `<figure><figcaption>${esc(title)}</figcaption><svg class="plot" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${parts.join('')}</svg><div class="legend">${legend}</div></figure>`;
}

export function sweepReport(o: { name: string; description?: string; params: string[]; tables: MergedTable[]; runs: number; seeds: number }): string {
  const pooled = o.tables.find((t) => t.name === 'sweep-pooled')!, bands = o.tables.find((t) => t.name === 'sweep-bands')!;
  const numeric = o.params.filter((p) => pooled.rows.every((r) => typeof r[p] === 'number'));
  const xPath = numeric.find((p) => new Set(pooled.rows.map((r) => r[p])).size > 1) ?? numeric[0];
  const figures: string[] = [];
  if (xPath) {
    const x = xAxis(xPath, pooled.rows.map((r) => r[xPath] as number));
    const others = o.params.filter((p) => p !== xPath && new Set(pooled.rows.map((r) => JSON.stringify(r[p]))).size > 1);
    const groupOf = (r: Row) => others.map((p) => `${p}=${r[p]}`).join(', ');
    const groups = [...new Set(pooled.rows.map(groupOf))].slice(0, COLOURS.length);
    const lines = (metric: string, rows: Row[] = pooled.rows) => groups.map((g) => ({ name: g, points: rows.filter((r) => groupOf(r) === g).map((r) => ({ x: r[xPath] as number, y: r[metric] as number | null, lo: r[`${metric}_lo`] as number | null, hi: r[`${metric}_hi`] as number | null })) }));
    figures.push(plot('Timely share (warned before the shaking) with its 95 % band', x, 'timely share', lines('timely_share'), [0, 1]));
    const warned = groups.length === 1 ? [{ name: 'timely', m: 'timely_share' }, { name: 'warned ≥ 5 s', m: 'warned_5s_share' }, { name: 'warned ≥ 10 s', m: 'warned_10s_share' }].map((s) => ({ ...lines(s.m)[0]!, name: s.name })) : lines('warned_10s_share');
    figures.push(plot(groups.length === 1 ? 'Shares warned at all, ≥ 5 s and ≥ 10 s ahead' : 'Share warned ≥ 10 s ahead', x, 'share of those who deserved an alert', warned, [0, 1]));
    figures.push(plot('Median warning time (mean over seeds, 95 % band)', x, 'median warning time, s', lines('warning_p50_s')));
    figures.push(plot('False alerts per simulated day (95 % interval)', x, 'false alerts per day', lines('false_alerts_per_day')));
    // Timely share per distance band, averaged over seeds (first group of the other parameters).
    const byBand = new Map<string, Map<number, number[]>>();
    for (const r of bands.rows) {
      if (groupOf(r) !== groups[0] || typeof r.timely_share !== 'number') continue;
      const band = `${r.from_km}–${r.to_km ?? '∞'} km`;
      if (!byBand.has(band)) byBand.set(band, new Map());
      const m = byBand.get(band)!, xv = r[xPath] as number;
      m.set(xv, [...(m.get(xv) ?? []), r.timely_share as number]);
    }
    if (byBand.size) figures.push(plot(`Timely share by distance from the source${groups[0] ? ` (${groups[0]})` : ''}`, x, 'timely share', [...byBand].slice(0, COLOURS.length).map(([band, m]) => ({ name: band, points: [...m].map(([xv, v]) => ({ x: xv, y: v.reduce((a, b) => a + b, 0) / v.length })) })), [0, 1]));
  }
  const cols = ['point', ...o.params, ...(pooled.rows[0] && 'event' in pooled.rows[0] ? ['event'] : []), 'seeds', 'detected_share', 'timely_share', 'warned_10s_share', 'warning_p50_s', 'alert_latency_s', 'false_alerts_per_day'];
  const cell = (v: unknown, c: string) => (typeof v === 'number' ? (o.params.includes(c) ? String(+v.toPrecision(4)) : Number.isInteger(v) && !c.includes('share') ? String(v) : fmtNum(v, c.includes('share') ? 3 : 2)) : esc(v ?? '–'));
  const ci = (r: Row, c: string) => (typeof r[`${c}_lo`] === 'number' ? ` <small>[${fmtNum(r[`${c}_lo`] as number, c.includes('share') ? 3 : 2)}, ${fmtNum(r[`${c}_hi`] as number, c.includes('share') ? 3 : 2)}]</small>` : '');
  const table = `<table><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>${pooled.rows.map((r) => `<tr>${cols.map((c) => `<td>${cell(r[c], c)}${ci(r, c)}</td>`).join('')}</tr>`).join('')}</table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hazardsim sweep: ${esc(o.name)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:24px;max-width:1150px;color:#222}h1{font-size:22px}h2{font-size:17px;margin-top:28px}figure{display:inline-block;margin:8px 12px 8px 0;vertical-align:top}figcaption{font-weight:600;margin-bottom:4px}svg text{font-size:11px}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:3px 6px;text-align:right}th{background:#f4f4f4}.legend{font-size:12px;max-width:520px}</style></head>
<body><h1>Sweep ${esc(o.name)}</h1><p>${esc(o.description ?? '')}</p>
<p>${pooled.rows.length} points × ${o.seeds} seeds = ${o.runs} runs. Swept: ${o.params.map((p) => `<code>${esc(p)}</code>`).join(', ') || '–'}. Tables: <code>sweep.parquet</code> (one row per point × seed), <code>sweep-pooled.parquet</code> (pooled over seeds, 95 % intervals), <code>sweep-bands.parquet</code> (by distance band), each with a CSV beside it.</p>
<h2>Coverage curves</h2>${figures.join('\n') || '<p>No numeric parameter to draw curves against.</p>'}
<h2>Points</h2>${table}
</body></html>
`;
}
