/**
 * `hazardsim drift <reference> <current>`: which features of a current table (a telemetry table, a
 * dataset's metadata, a run's rows) moved away from a reference one, overall and per slice, by how
 * much and since when. Per numeric feature: PSI, the two-sample KS statistic and p-value and the
 * Wasserstein distance (normed by the reference's standard deviation); drifted as production tools
 * decide it (Evidently's defaults: KS p < 0.05 up to 1,000 reference rows, Bonferroni-corrected here
 * over the slices tested; normed Wasserstein ≥ the threshold, 0.1, above). With a time column, Page–Hinkley on the current values (standardised by
 * the reference) says when a drifted feature began to move. Ranked, printed, and as JSON.
 *
 * On telemetry tables (a run's telemetry.parquet, or a run folder holding one) it also tests the
 * trigger rate per phone-hour of each slice (exact conditional Poisson test, Bonferroni over the
 * slices) and the model-score histogram (PSI ≥ 0.25, the conventional "major shift"; Siddiqi 2006,
 * Credit Risk Scorecards), and by default tests the sensor features, slices by phone model,
 * firmware and context, and dates changes by end_s.
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { PARQUET_COMPRESSORS, plainRows } from '../output/tables.js';
import { standardDeviation, mean } from 'simple-statistics';
import { csvFields } from '../core/csv.js';
import { InputError } from '../core/errors.js';
import { displayPath } from '../core/paths.js';
import { ks2, pageHinkley, psi, wasserstein } from '../score/drift.js';
import { poissonRatesP } from '../score/intervals.js';
import { histogramPsi } from '../fleet/rollout.js';
import { SCORE_BINS } from '../fleet/telemetry-table.js';
import { fmt } from './common.js';

export interface DriftOptions {
  reference: string;
  current: string;
  features?: string[];
  /** Columns to slice by (each column's values are slices). */
  by?: string[];
  time?: string;
  threshold?: number;
  json?: boolean;
  out?: string;
}

type Row = Record<string, unknown>;

/** A run folder stands for its telemetry table. */
function tableFile(path: string): string {
  const abs = resolve(path);
  if (existsSync(abs) && statSync(abs).isDirectory()) {
    const t = join(abs, 'telemetry.parquet');
    if (!existsSync(t) && existsSync(join(abs, 'dataset.json'))) {
      const names = (JSON.parse(readFileSync(join(abs, 'dataset.json'), 'utf8')).scenarios ?? []).map((x: { file: string }) => x.file).join(' ');
      throw new InputError(displayPath(abs), `a dataset: its 2 s windows and a fleet's per-period telemetry summarise the sensors at different scales, so they would differ with no drift at all; compare against telemetry of the scenarios the dataset was cut from instead: run ${names ? `each of them (${names})` : 'them'} with --set fleet.telemetry_every=1h and give drift that run's folder`);
    }
    if (!existsSync(t)) throw new InputError(displayPath(abs), 'a folder without telemetry.parquet: give a table (.parquet or .csv) or a run folder of a scenario with a fleet section');
    return t;
  }
  return abs;
}

async function readRows(file: string): Promise<Row[]> {
  const shown = displayPath(file);
  let bytes: Buffer;
  try { bytes = readFileSync(file); } catch (err) { throw new InputError(shown, `cannot read the table (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`); }
  if (/\.parquet$/i.test(file)) {
    try { return plainRows((await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, compressors: PARQUET_COMPRESSORS })) as Row[]); } catch (err) { throw new InputError(shown, `not a readable Parquet file (${(err as Error).message})`); }
  }
  if (!/\.csv$/i.test(file)) throw new InputError(shown, 'expected a .parquet or .csv table');
  const lines = bytes.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim());
  if (lines.length < 2) throw new InputError(shown, 'the table is empty (a header and rows expected)');
  const head = csvFields(lines[0]!).map((h) => h.trim());
  return lines.slice(1).map((l) => { const f = csvFields(l); return Object.fromEntries(head.map((h, i) => { const s = (f[i] ?? '').trim(); const v = Number(s); return [h, s !== '' && Number.isFinite(v) ? v : s]; })); });
}

/** Telemetry columns that are features (what a model reads, summarised); the rest are identifiers, times, exposure and fleet state. */
const TELEMETRY_FEATURES = ['accel_noise_floor_mg', 'accel_rms_p50_mg', 'band_1_4hz_db', 'band_4_10hz_db', 'band_10_20hz_db', 'score_mean'];
const isTelemetry = (cols: Set<string>) => ['received_s', 'period', 'monitored_s', 'triggers'].every((c) => cols.has(c));

const numeric = (rows: Row[], c: string) => rows.map((r) => r[c]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

export async function driftCommand(o: DriftOptions): Promise<number> {
  const threshold = o.threshold ?? 0.1;
  if (!(threshold > 0)) throw new InputError('--threshold', `expected a positive drift threshold, found ${o.threshold}`);
  const refFile = tableFile(o.reference), curFile = tableFile(o.current);
  const ref = await readRows(refFile), cur = await readRows(curFile);
  const cols = (rows: Row[]) => new Set(Object.keys(rows[0] ?? {}));
  const rc = cols(ref), cc = cols(cur);
  const telemetry = isTelemetry(rc) && isTelemetry(cc);
  // Telemetry defaults: its sensor and score features, sliced by phone model, firmware and context, dated by the upload time.
  const by = o.by?.length ? o.by : telemetry ? ['phone_model', 'firmware', 'context'].filter((c) => rc.has(c) && cc.has(c)) : [];
  const time = o.time ?? (telemetry ? 'end_s' : undefined);
  for (const c of by) {
    if (!rc.has(c)) throw new InputError('--by', `the reference table has no column ${JSON.stringify(c)} (it has ${[...rc].join(', ')})`);
    if (!cc.has(c)) throw new InputError('--by', `the current table has no column ${JSON.stringify(c)} (it has ${[...cc].join(', ')})`);
  }
  if (time && !cc.has(time)) throw new InputError('--time', `the current table has no column ${JSON.stringify(time)} (it has ${[...cc].join(', ')})`);
  const features = o.features?.length ? o.features
    : telemetry ? TELEMETRY_FEATURES.filter((c) => rc.has(c) && cc.has(c) && numeric(ref, c).length > 0)
    : [...rc].filter((c) => cc.has(c) && !by.includes(c) && c !== time && numeric(ref, c).length > 0 && numeric(ref, c).length >= 0.5 * ref.length);
  for (const f of features) if (!rc.has(f) || !cc.has(f)) throw new InputError('--features', `${JSON.stringify(f)} is not a column of both tables`);
  const slices: [string, Row[], Row[]][] = [['all', ref, cur]];
  for (const c of by) for (const v of [...new Set(cur.map((r) => String(r[c])))].sort()) slices.push([`${c}=${v}`, ref.filter((r) => String(r[c]) === v), cur.filter((r) => String(r[c]) === v)]);
  // KS decisions are Bonferroni-corrected over every feature slice tested: a fleet report scans
  // many slices, and 5 % of unchanged ones would otherwise be flagged by chance.
  const tests = slices.length * features.length;
  const results = slices.flatMap(([slice, r, c]) => features.map((f) => {
    const a = numeric(r, f), b = numeric(c, f);
    if (a.length < 2 || b.length < 2) return { slice, feature: f, n_reference: a.length, n_current: b.length, drifted: null as boolean | null, score: null as number | null, psi: null, ks: null, ks_p: null, wasserstein: null, wasserstein_normed: null, test: a.length < 2 && b.length >= 2 ? 'new slice: not in the reference' : 'too few rows', since: null as unknown };
    const k = ks2(a, b), w = wasserstein(a, b), sd = standardDeviation(a), wn = sd > 0 ? w / sd : w > 0 ? Infinity : 0;
    const useKs = a.length <= 1000;
    const drifted = useKs ? k.p < 0.05 / tests : wn >= threshold;
    let since: unknown = null;
    if (drifted && time) {
      const mu = mean(a), s = sd > 0 ? sd : 1;
      const ordered = c.filter((row) => typeof row[f] === 'number').sort((x, y) => (x[time] as number) - (y[time] as number));
      const at = pageHinkley(ordered.map((row) => ((row[f] as number) - mu) / s));
      since = at >= 0 ? ordered[at]![time] : null;
    }
    return { slice, feature: f, n_reference: a.length, n_current: b.length, drifted, score: useKs ? k.d : wn, psi: psi(a, b), ks: k.d, ks_p: k.p, wasserstein: w, wasserstein_normed: wn, test: useKs ? `KS p < 0.05 / ${tests} (≤ 1,000 reference rows; Bonferroni over the slices)` : `normed Wasserstein ≥ ${threshold}`, since };
  }));
  results.sort((x, y) => Number(y.drifted) - Number(x.drifted) || (y.psi ?? 0) - (x.psi ?? 0));
  // Telemetry: trigger rates per phone-hour and model-score histograms, per slice.
  const sum = (rows: Row[], c: string) => rows.reduce((t, row) => t + (typeof row[c] === 'number' && Number.isFinite(row[c]) ? (row[c] as number) : 0), 0);
  const rates = telemetry ? slices.map(([slice, r, c]) => {
    const kr = sum(r, 'triggers'), hr = sum(r, 'monitored_s') / 3600, kc = sum(c, 'triggers'), hc = sum(c, 'monitored_s') / 3600;
    const p = hr > 0 && hc > 0 ? poissonRatesP(kc, hc, kr, hr) : null;
    return { slice, reference_per_phone_hour: hr > 0 ? kr / hr : null, current_per_phone_hour: hc > 0 ? kc / hc : null, ratio: hr > 0 && hc > 0 && kr > 0 ? kc / hc / (kr / hr) : null, reference_phone_hours: hr, current_phone_hours: hc, p, drifted: p === null ? null : p < 0.05 / slices.length };
  }) : [];
  const bins = (rows: Row[]) => { const h = new Float64Array(SCORE_BINS); for (const row of rows) for (let b = 0; b < SCORE_BINS; b++) h[b] += Number(row[`score_bin_${b}`]) || 0; return h; };
  const hasScores = telemetry && rc.has('score_bin_0') && cc.has('score_bin_0');
  const scores = hasScores ? slices.map(([slice, r, c]) => {
    const hr = bins(r), hc = bins(c), nr = hr.reduce((a, b) => a + b, 0), nc = hc.reduce((a, b) => a + b, 0);
    const value = nr >= 200 && nc >= 200 ? histogramPsi(hr, hc, SCORE_BINS) : null;
    return { slice, reference_windows: nr, current_windows: nc, psi: value, drifted: value === null ? null : value >= 0.25 };
  }).filter((x) => x.reference_windows + x.current_windows > 0) : [];
  const drifted = [
    ...results.filter((r) => r.drifted).map((r) => `${r.slice}: ${r.feature}`),
    ...rates.filter((r) => r.drifted).map((r) => `${r.slice}: trigger rate`),
    ...scores.filter((r) => r.drifted).map((r) => `${r.slice}: model scores`),
  ];
  const out = { schema_version: 2, reference: displayPath(refFile), current: displayPath(curFile), telemetry, threshold, by, time: time ?? null, drifted, results, trigger_rates: rates, model_scores: scores };
  if (o.out) { mkdirSync(resolve(o.out), { recursive: true }); writeFileSync(join(resolve(o.out), 'drift.json'), JSON.stringify(out, null, 2) + '\n'); writeFileSync(join(resolve(o.out), 'drift.html'), driftHtml(out)); }
  if (o.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  else {
    const w = (s: string) => process.stdout.write(s + '\n');
    w(`hazardsim drift: ${out.current} against ${out.reference}: ${drifted.length} drifted (${results.filter((r) => r.drifted).length} of ${results.length} feature slices${rates.length ? `, ${rates.filter((r) => r.drifted).length} of ${rates.length} trigger rates` : ''}${scores.length ? `, ${scores.filter((r) => r.drifted).length} of ${scores.length} score histograms` : ''})`);
    for (const r of results.slice(0, 40)) w(`  ${r.drifted === null ? '  ?' : r.drifted ? 'DRIFT' : '   ok'}  ${`${r.slice}: ${r.feature}`.padEnd(44)} PSI ${fmt(r.psi, 3).padStart(7)}  KS ${fmt(r.ks, 3)} (p ${r.ks_p === null ? '–' : (r.ks_p as number) < 1e-4 ? (r.ks_p as number).toExponential(1) : fmt(r.ks_p, 4)})  W/σ ${fmt(r.wasserstein_normed, 3)}${r.since !== null && r.since !== undefined ? `  since ${time} = ${r.since}` : ''}`);
    for (const r of rates.filter((x) => x.drifted)) w(`  DRIFT  ${`${r.slice}: trigger rate`.padEnd(44)} ${fmt(r.reference_per_phone_hour, 2)} → ${fmt(r.current_per_phone_hour, 2)} per phone-hour (p ${(r.p as number).toExponential(1)})`);
    for (const r of scores.filter((x) => x.drifted)) w(`  DRIFT  ${`${r.slice}: model scores`.padEnd(44)} PSI ${fmt(r.psi, 3)}`);
  }
  return 0;
}

const esc = (s: unknown) => String(s ?? '–').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The drift report as a standalone page (drift.html): verdicts ranked, one table per test. */
function driftHtml(out: { reference: string; current: string; drifted: string[]; results: Row[]; trigger_rates: Row[]; model_scores: Row[] }): string {
  const table = (title: string, rows: Row[], cols: [string, string, number?][]) => rows.length ? `<h2>${esc(title)}</h2><table><tr>${cols.map(([, h]) => `<th>${esc(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr class="${r.drifted ? 'drift' : ''}">${cols.map(([k, , d]) => `<td>${typeof r[k] === 'number' && d !== undefined ? fmt(r[k] as number, d) : esc(r[k] === true ? 'DRIFT' : r[k] === false ? 'ok' : r[k])}</td>`).join('')}</tr>`).join('')}</table>` : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>hazardsim drift</title><style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin:1em 0}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child,td:nth-child(2){text-align:left}tr.drift{background:#fde8e8}</style></head><body>
<h1>Drift: ${esc(out.current)} against ${esc(out.reference)}</h1>
<p>${out.drifted.length ? `Drifted: ${out.drifted.map(esc).join('; ')}` : 'No drift.'}</p>
${table('Features', out.results, [['slice', 'slice'], ['feature', 'feature'], ['drifted', 'verdict'], ['n_reference', 'ref rows'], ['n_current', 'rows'], ['psi', 'PSI', 3], ['ks', 'KS', 3], ['ks_p', 'KS p', 4], ['wasserstein_normed', 'W/σ', 3], ['since', 'since']])}
${table('Trigger rate per phone-hour', out.trigger_rates, [['slice', 'slice'], ['drifted', 'verdict'], ['reference_per_phone_hour', 'reference', 3], ['current_per_phone_hour', 'current', 3], ['ratio', 'ratio', 2], ['p', 'p (exact conditional Poisson)', 4]])}
${table('Model scores', out.model_scores, [['slice', 'slice'], ['drifted', 'verdict'], ['reference_windows', 'ref windows', 0], ['current_windows', 'windows', 0], ['psi', 'PSI', 3]])}
</body></html>
`;
}
