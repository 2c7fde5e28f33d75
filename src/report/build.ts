/**
 * `out/<run>/report.html`: one self-contained page (inline SVG and CSS, no script, no network)
 * built from a run's saved outputs: a map (map.ts), warning time against distance, a timeline of triggers, alerts
 * and the evolving estimate, the false-alarm table and the run's own figures.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { FastRandom } from '../core/random.js';
import { quantileSorted } from 'simple-statistics';
import { readTable, readTableSample } from '../output/tables.js';

/** Phones' rows a report reads at most (an even stride of a larger run's): the map shows 4,000, the plots 3,000. */
const REPORT_ROWS = 500_000;
import { axes, esc, fmtNum, scale } from './svg.js';
import { mapSvg, OUTCOME_COLOUR, worldShapes } from './map.js';
import { hypot } from '../core/geo.js';

const REQUIRED = ['summary.json', 'manifest.json', 'devices.parquet', 'alerts.parquet', 'triggers.parquet', 'alerts.geojson', 'truth.geojson'];

type Row = Record<string, any>;
type Feature = { geometry: { type: string; coordinates: any }; properties: Row };

/** Reads what a report needs from a run folder; a missing file is an InputError naming it. */
async function readRun(dir: string) {
  for (const f of REQUIRED) if (!existsSync(join(dir, f))) throw new InputError(join(dir, f), 'missing: is this a hazardsim run folder (written by `hazardsim run`)?');
  const json = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
  return {
    summary: json('summary.json'), manifest: json('manifest.json'),
    // At most REPORT_ROWS phones' rows (an even stride on larger runs) and only the columns drawn.
    devices: (await readTableSample(dir, 'devices', ['device', 'hazard', 'lon', 'lat', 'reached', 'mmi', 'should_alert', 'warning_s', 'outcome'], REPORT_ROWS)).rows as Row[],
    alerts: (await readTable(dir, 'alerts')) as Row[],
    triggers: (await readTableSample(dir, 'triggers', ['kind', 'time_s'], Infinity)).rows as Row[],
    alertFeatures: json('alerts.geojson').features as Feature[], truthFeatures: json('truth.geojson').features as Feature[],
  };
}

function warningSvg(run: Awaited<ReturnType<typeof readRun>>): string {
  // The first hazard with a source point and people who deserved an alert (an earthquake, a front...).
  const deserving = new Set(run.devices.filter((d) => d.should_alert).map((d) => d.hazard));
  const quake = run.truthFeatures.find((f) => f.properties.role === 'source' && deserving.has(f.properties.hazard));
  const rows = quake ? run.devices.filter((d) => d.should_alert && d.hazard === quake.properties.hazard) : [];
  if (!rows.length || !quake) return `<svg class="plot" data-plot="warning" viewBox="0 0 720 80" width="720" height="80"><text x="10" y="40">No hazard with a source and people who deserved an alert in this run.</text></svg>`;
  const [qlon, qlat] = quake.geometry.coordinates;
  const r = FastRandom.of(2, 'report-sample'), keep = Math.min(1, 3000 / rows.length);
  const pts = rows.filter(() => r.uniform() < keep).map((d) => [hypot((d.lon - qlon) * 111.32 * Math.cos((qlat * Math.PI) / 180), (d.lat - qlat) * 110.54), d.warning_s as number | null] as const);
  const xs = pts.map((p) => p[0]), ws = pts.map((p) => p[1]).filter((w): w is number => w !== null && Number.isFinite(w));
  const yLo = Math.min(-5, ...ws), yHi = Math.max(5, ...ws);
  const a = axes({ width: 720, height: 320, x: [0, Math.max(1, ...xs)], y: [yLo - 2, yHi], xLabel: quake.properties.kind === 'earthquake' ? 'distance from the epicentre, km' : `distance from the ${quake.properties.kind} source point, km`, yLabel: 'warning time, s' });
  const dots = pts.map(([x, w]) => w === null || !Number.isFinite(w) ? `<circle cx="${a.sx(x).toFixed(1)}" cy="${a.sy(yLo - 1).toFixed(1)}" r="1.5" fill="${OUTCOME_COLOUR.missed}"/>` : `<circle cx="${a.sx(x).toFixed(1)}" cy="${a.sy(w).toFixed(1)}" r="1.5" fill="${w >= 0 ? OUTCOME_COLOUR.timely : OUTCOME_COLOUR.late}"/>`);
  return `<svg class="plot" data-plot="warning" viewBox="0 0 720 320" width="720" height="320">${a.parts.join('')}<line x1="${a.sx(0)}" y1="${a.sy(0)}" x2="${a.sx(Math.max(1, ...xs))}" y2="${a.sy(0)}" stroke="#000" stroke-dasharray="3 3"/>${dots.join('')}</svg>`;
}

/**
 * Triggers, alerts and the magnitude estimate over [t0, t1) — the whole run, or the window around
 * one hazard (from 20 s before it starts to 20 s after its event's last alert, a minute at least), so the
 * event fills the figure instead of a few pixels of a long run.
 */
function timelineSvg(run: Awaited<ReturnType<typeof readRun>>, t0: number, t1: number, label = 'timeline'): string {
  const trig = run.triggers.filter((t) => t.kind === 'trigger').map((t) => t.time_s as number);
  const alerts = run.alerts.filter((al) => al.time_s >= t0 && al.time_s < t1);
  const span = Math.max(1, t1 - t0);
  const binS = Math.max(1, Math.ceil(span / 300));
  const counts = new Array(Math.ceil(span / binS)).fill(0);
  for (const t of trig) if (t >= t0 && t < t1) counts[Math.floor((t - t0) / binS)]++;
  const a = axes({ width: 720, height: 300, x: [t0, t0 + span], y: [0, Math.max(1, ...counts)], xLabel: 's after the run start', yLabel: `triggers per ${binS} s`, yInteger: true });
  const bars = counts.map((c, i) => (c ? `<rect x="${a.sx(t0 + i * binS).toFixed(1)}" y="${a.sy(c).toFixed(1)}" width="${Math.max(0.5, a.sx(t0 + binS) - a.sx(t0)).toFixed(1)}" height="${(a.sy(0) - a.sy(c)).toFixed(1)}" fill="#74add1"/>` : ''));
  const marks = alerts.map((al) => `<line x1="${a.sx(al.time_s).toFixed(1)}" y1="12" x2="${a.sx(al.time_s).toFixed(1)}" y2="${a.sy(0)}" stroke="${al.cancelled ? '#7b3294' : '#d73027'}" stroke-width="${al.seq === 0 ? 2 : 0.7}"><title>event ${al.event} ${al.cancelled ? 'cancelled' : al.seq === 0 ? 'first alert' : 'update ' + al.seq} at ${fmtNum(al.time_s)} s${Number.isFinite(al.magnitude) ? ', M' + fmtNum(al.magnitude) : ''}</title></line>`);
  // The magnitude estimate as it evolves, on a right-hand scale from M3 to M9.
  const mags = alerts.filter((al) => al.kind === 'earthquake' && al.magnitude !== null && !al.cancelled);
  const sm = scale(3, 9, a.sy(0), 12);
  const byEvent = new Map<number, Row[]>();
  for (const m of mags) { if (!byEvent.has(m.event)) byEvent.set(m.event, []); byEvent.get(m.event)!.push(m); }
  const lines = [...byEvent.values()].map((ms) => `<polyline points="${ms.map((m) => `${a.sx(m.time_s).toFixed(1)},${sm(m.magnitude).toFixed(1)}`).join(' ')}" fill="none" stroke="#000" stroke-width="1.5"/>` + ms.map((m) => `<circle cx="${a.sx(m.time_s).toFixed(1)}" cy="${sm(m.magnitude).toFixed(1)}" r="2.5"><title>M${fmtNum(m.magnitude, 2)} at ${fmtNum(m.time_s)} s</title></circle>`).join('')).join('');
  const right = mags.length ? [3, 5, 7, 9].map((m) => `<text x="704" y="${sm(m) + 4}" text-anchor="end">M${m}</text>`).join('') + `<text transform="translate(714,${((a.sy(0) + 12) / 2).toFixed(0)}) rotate(90)" text-anchor="middle">magnitude estimate</text>` : '';
  return `<svg class="plot" data-plot="timeline" data-label="${esc(label)}" viewBox="0 0 720 300" width="720" height="300">${a.parts.join('')}${bars.join('')}${marks.join('')}${lines}${right}</svg>`;
}

const table = (head: string[], rows: (string | number)[][]): string =>
  `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('') || `<tr><td colspan="${head.length}">none</td></tr>`}</tbody></table>`;

const ci = (i: Row | undefined, k = 100, d = 1) => (i && i.value !== null ? `${fmtNum(i.value * k, d)} (${fmtNum(i.lo * k, d)}–${fmtNum(i.hi * k, d)})` : '–');

/** The fleet section: telemetry, firmware updates, and a rollout's decisions and cost. */
function fleetSection(fleet: Row | undefined): string {
  if (!fleet) return '';
  const t = fleet.telemetry ?? {}, r = fleet.rollout as Row | undefined;
  const updates = ((fleet.firmware_updates ?? []) as Row[]).map((u) => [u.firmware, fmtNum(u.at_s / 3600, 2), (u.phones ?? []).join(', '), fmtNum(u.share * 100, 0), u.devices]);
  let out = `<h2>Fleet</h2>
<p>Telemetry every ${fmtNum(t.every_s / 60, 0)} min: ${esc(t.rows_received)} rows received, ${esc(t.rows_lost)} lost on the uplink (telemetry.parquet; <code>hazardsim drift</code> compares two of them).</p>
${updates.length ? table(['firmware update', 'at, h', 'phone models', 'share %', 'phones reached'], updates) : ''}`;
  if (!r) return out;
  const rate = (i: Row | undefined) => (i && i.value !== null ? `${fmtNum(i.value, 2)} (${fmtNum(i.lo, 2)}–${fmtNum(i.hi, 2)})` : '–');
  const facts = [
    ['candidate / baseline', `${r.candidate} / ${r.baseline}`], ['outcome', `${String(r.status).replace('_', ' ')}; reached step ${r.final_step + 1} (${fmtNum(r.reached_share * 100, 0)} % of eligible phones), ended on ${fmtNum(r.final_share * 100, 0)} %`],
    ['alarm', r.alarm_s === null ? 'none' : `${fmtNum(r.alarm_s / 3600, 2)} h: ${r.alarm_reason}`],
    ['time to detect / to roll back', `${r.time_to_detect_s === null ? '–' : `${fmtNum(r.time_to_detect_s / 60, 1)} min`} / ${r.time_to_roll_back_s === null ? '–' : `${fmtNum(r.time_to_roll_back_s, 0)} s`}`],
    ['phone-hours on the candidate', fmtNum(r.candidate_phone_hours, 1)],
    ['false triggers per phone-hour: candidate / baseline (95 % CI)', `${rate(r.candidate_false_triggers_per_phone_hour)} / ${rate(r.baseline_false_triggers_per_phone_hour)}`],
    ['false triggers the candidate sent (beyond the baseline\'s rate)', `${r.candidate_false_triggers} (${r.excess_false_triggers === null ? '–' : fmtNum(r.excess_false_triggers, 1)})`],
    ['false alerts while it ran', r.false_alerts_during ?? '–'],
    ...((r.hazards ?? []) as Row[]).map((h) => [`hazard ${h.hazard} at ${fmtNum(h.start_s / 3600, 2)} h`, `candidate on ${fmtNum(h.candidate_share * 100, 0)} % of eligible phones`]),
  ];
  const decisions = ((r.decisions ?? []) as Row[]).filter((d) => d.action !== 'watch' || d.candidate_phone_hours > 0).map((d) => [fmtNum(d.time_s / 3600, 2), d.action, fmtNum(d.share * 100, 0), fmtNum(d.log_lr, 2), fmtNum(d.candidate_phone_hours, 1), d.candidate_triggers, fmtNum(d.control_phone_hours, 1), d.control_triggers, d.score_psi === null ? '–' : fmtNum(d.score_psi, 3), d.reason ?? '']);
  out += `<h3>Staged rollout</h3>${table(['', ''], facts)}
<p class="muted">Decisions (Wald SPRT on triggers per phone-hour, candidate against control; alarm at log LR ≥ ln((1 − β)/α), a step starts when it is ≤ ln(β/(1 − α))):</p>
${table(['time, h', 'action', 'share %', 'log LR', 'candidate phone-h', 'candidate triggers', 'control phone-h', 'control triggers', 'score PSI', 'reason'], decisions)}`;
  return out;
}

/** The report's HTML for the run in `dir`; `svgs` receives each figure's SVG by name. */
export async function buildReport(dir: string, svgs: Record<string, string> = {}): Promise<string> {
  const run = await readRun(dir);
  const s = run.summary, m = run.manifest, f = m.figures ?? {};
  const hazards = (s.hazards as Row[]).map((h) => [
    h.name, h.kind, h.event === null ? (h.alertable ? 'MISSED' : 'nuisance') : `event ${h.event}`, fmtNum(h.alert_latency_s),
    h.items ? `${h.items.found}/${h.items.detectable} found, ${h.items.false_reports} false` : ci(h.timely_share),
    h.warning_p50_s?.value !== null && h.warning_p50_s ? `${fmtNum(h.warning_p50_s.value)} (${fmtNum(h.warning_p50_s.lo)}–${fmtNum(h.warning_p50_s.hi)})` : '–',
    h.estimate_first ? `M${fmtNum(h.estimate_first.magnitude)} · ${fmtNum(h.estimate_first.location_error_km)} km · ${fmtNum(h.estimate_first.origin_time_error_s)} s` : '–',
    h.estimate_last ? `M${fmtNum(h.estimate_last.magnitude)} · ${fmtNum(h.estimate_last.location_error_km)} km · ${fmtNum(h.estimate_last.origin_time_error_s)} s` : '–',
  ]);
  const falseRows = (s.events as Row[]).filter((e) => e.matched_hazard === null).map((e) => [e.event, e.kind, fmtNum(e.first_alert_time), e.updates, e.magnitude_first === null ? '–' : fmtNum(e.magnitude_first), e.take_action_radius_km_last > 0 ? 'yes' : 'no', e.cancelled ? 'yes' : 'no', e.receipts]);
  const bands = (s.hazards as Row[]).flatMap((h) => (h.by_distance ?? []).filter((b: Row) => b.deserving).map((b: Row) => [h.name, `${b.from_km}–${b.to_km ?? '∞'} km`, b.deserving, b.warned, b.timely, fmtNum(b.warning_time_s.p10), fmtNum(b.warning_time_s.p50), fmtNum(b.warning_time_s.p90)]));
  const figures = [
    ['wall time', `${fmtNum(f.wall_time_s)} s`], ['threads', f.threads], ['device-seconds per wall second', Math.round(f.device_seconds_per_wall_second ?? 0).toLocaleString('en-US')],
    ['peak RSS', `${fmtNum(f.peak_rss_mb, 0)} MB`], ['server time', `${fmtNum(f.server_time_s)} s`], ['inference time', `${fmtNum(f.inference_time_s)} s`],
    ['phones', s.devices], ['phone-hours monitored', fmtNum(s.device_hours, 0)], ['triggers', s.triggers], ['messages lost (to outages)', `${s.messages_lost} (${s.messages_lost_to_outage ?? 0})`],
  ];
  const budget = ((m.detector_budget ?? []) as Row[]).map((b) => [b.detector, b.phone, b.model ?? '–', fmtNum(b.inference_calls_per_device_hour, 2), Math.round(b.macs_per_device_hour ?? 0).toLocaleString('en-US')]);
  const duration = m.scenario?.config?.duration ?? s.simulated_s;
  // One timeline per hazard with a start, zoomed to it; the whole run when there is none.
  const windows = (s.hazards as Row[]).flatMap((h) => {
    const start = run.truthFeatures.find((f) => f.properties.hazard === h.index && typeof f.properties.start_s === 'number')?.properties.start_s as number | undefined;
    if (start === undefined) return [];
    // Hazards made of targets found over the whole run (potholes, crashes): the whole run.
    if (h.items) return [{ name: h.name as string, t0: 0, t1: duration }];
    const last = run.alerts.filter((al) => al.event === h.event).reduce((t, al) => Math.max(t, al.time_s), start);
    return [{ name: h.name as string, t0: Math.max(0, start - 20), t1: Math.min(duration, Math.max(start + 60, last + 20)) }];
  });
  const timelines = windows.length ? windows.map((w) => ({ caption: `${w.name}: ${fmtNum(w.t0, 0)}–${fmtNum(w.t1, 0)} s`, svg: timelineSvg(run, w.t0, w.t1, w.name) })) : [{ caption: 'the whole run', svg: timelineSvg(run, 0, duration) }];
  // The warning-time figure only where some hazard had people who deserved an alert (earthquakes, fronts).
  const warning = (s.hazards as Row[]).some((h) => h.deserving > 0) ? warningSvg(run) : '';
  svgs.map = mapSvg(run, worldShapes(m));
  if (warning) svgs.warning = warning;
  timelines.forEach((t, i) => { svgs[`timeline-${i + 1}`] = t.svg; });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hazardsim report: ${esc(s.scenario.name)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:24px;max-width:1100px;color:#222}h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#f3f3f3}svg{font:11px system-ui,sans-serif;background:#fff;border:1px solid #ddd}.muted{color:#666}</style></head>
<body>
<h1>hazardsim report: ${esc(s.scenario.name)}</h1>
<p class="muted">seed ${esc(s.scenario.seed)} · scenario hash ${esc(String(s.scenario.hash).slice(0, 12))} · ${esc(m.created ?? '')} · hazardsim ${esc(m.versions?.hazardsim ?? '')}</p>
${(s.warnings ?? []).length ? `<p class="warning"><b>Warnings:</b> ${(s.warnings as string[]).map(esc).join('; ')}</p>` : ''}
<h2>Hazards</h2>
${table(['hazard', 'kind', 'matched', 'alert latency, s', 'timely share % (95 % CI) / targets', 'median warning, s (95 % CI)', 'first estimate', 'last estimate'], hazards)}
<p>False alerts: <b>${s.false_alerts}</b> (${fmtNum(s.false_alerts_per_day, 2)} per day; ${fmtNum(s.false_alerts_per_million_phone_hours, 1)} per million phone-hours) · missed hazards: <b>${s.missed_hazards ?? '–'}</b></p>
<h2>Map</h2>
${svgs.map}
${warning ? `<h2>Warning time against distance</h2>
${warning}
${bands.length ? table(['hazard', 'distance', 'deserved', 'warned', 'timely', 'p10, s', 'p50, s', 'p90, s'], bands) : ''}` : ''}
<h2>Timeline</h2>
<p class="muted">Triggers per bin (blue), alerts (red; first alert thick, cancellations purple)${run.alerts.some((al) => al.kind === 'earthquake' && al.magnitude !== null) ? ' and the magnitude estimate (black, right-hand scale)' : ''}, ${windows.length ? 'around each hazard' : 'over the whole run'}. Every figure is also in figures/ as its own SVG.</p>
${timelines.map((t) => `<p class="muted">${esc(t.caption)}</p>\n${t.svg}`).join('\n')}
<h2>False alarms</h2>
${table(['event', 'kind', 'first alert, s', 'updates', 'first magnitude', 'take action', 'cancelled', 'receipts'], falseRows)}
<h2>The run</h2>
${table(['figure', 'value'], figures)}
${budget.length ? table(['detector', 'phone', 'model', 'inference calls per phone-hour', 'multiply–adds per phone-hour'], budget) : ''}
${fleetSection(s.fleet as Row | undefined)}
</body></html>
`;
}

/** A figure of the page as a file of its own: SVG with its namespace, font and background, for papers and slides. */
export function standaloneSvg(svg: string): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + svg.replace(/^<svg /, '<svg xmlns="http://www.w3.org/2000/svg" ').replace(/^(<svg[^>]*>)/, '$1<style>text{font:11px system-ui,Helvetica,Arial,sans-serif}</style><rect width="100%" height="100%" fill="#fff"/>') + '\n';
}

/** Writes report.html and each of its figures as figures/<name>.svg. */
export async function writeReport(dir: string): Promise<void> {
  const figures: Record<string, string> = {};
  writeFileSync(join(dir, 'report.html'), await buildReport(dir, figures));
  mkdirSync(join(dir, 'figures'), { recursive: true });
  for (const [name, svg] of Object.entries(figures)) writeFileSync(join(dir, 'figures', `${name}.svg`), standaloneSvg(svg));
}
