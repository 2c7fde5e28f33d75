/**
 * `hazardsim drift <reference> <current>`: which features of a current table (a telemetry table, a
 * dataset's metadata, a run's rows) moved away from a reference one, overall and per slice, by how
 * much and since when. Per numeric feature: PSI, the two-sample KS statistic and p-value and the
 * Wasserstein distance (normed by the reference's standard deviation); drifted as production tools
 * decide it (Evidently's defaults: KS p < 0.05 up to 1,000 reference rows, Bonferroni-corrected here
 * over the slices tested; normed Wasserstein ≥ the threshold, 0.1, above). With a time column, Page–Hinkley on the current values (standardised by
 * the reference) says when a drifted feature began to move. Ranked, printed, and as JSON.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { standardDeviation, mean } from 'simple-statistics';
import { csvFields } from '../core/csv.js';
import { InputError } from '../core/errors.js';
import { displayPath } from '../core/paths.js';
import { ks2, pageHinkley, psi, wasserstein } from '../score/drift.js';
import { fmt } from './common.js';

export interface DriftOptions {
  reference: string;
  current: string;
  features?: string[];
  by?: string;
  time?: string;
  threshold?: number;
  json?: boolean;
  out?: string;
}

type Row = Record<string, unknown>;

async function readRows(file: string): Promise<Row[]> {
  const shown = displayPath(file);
  let bytes: Buffer;
  try { bytes = readFileSync(file); } catch (err) { throw new InputError(shown, `cannot read the table (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`); }
  if (/\.parquet$/i.test(file)) {
    try { return (await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer })) as Row[]; } catch (err) { throw new InputError(shown, `not a readable Parquet file (${(err as Error).message})`); }
  }
  if (!/\.csv$/i.test(file)) throw new InputError(shown, 'expected a .parquet or .csv table');
  const lines = bytes.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim());
  if (lines.length < 2) throw new InputError(shown, 'the table is empty (a header and rows expected)');
  const head = csvFields(lines[0]!).map((h) => h.trim());
  return lines.slice(1).map((l) => { const f = csvFields(l); return Object.fromEntries(head.map((h, i) => { const s = (f[i] ?? '').trim(); const v = Number(s); return [h, s !== '' && Number.isFinite(v) ? v : s]; })); });
}

const numeric = (rows: Row[], c: string) => rows.map((r) => r[c]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

export async function driftCommand(o: DriftOptions): Promise<number> {
  const threshold = o.threshold ?? 0.1;
  if (!(threshold > 0)) throw new InputError('--threshold', `expected a positive drift threshold, found ${o.threshold}`);
  const ref = await readRows(resolve(o.reference)), cur = await readRows(resolve(o.current));
  const cols = (rows: Row[]) => new Set(Object.keys(rows[0] ?? {}));
  const rc = cols(ref), cc = cols(cur);
  for (const [flag, c] of [['--by', o.by], ['--time', o.time]] as const) {
    if (c && !rc.has(c) && flag === '--by') throw new InputError(flag, `the reference table has no column ${JSON.stringify(c)} (it has ${[...rc].join(', ')})`);
    if (c && !cc.has(c)) throw new InputError(flag, `the current table has no column ${JSON.stringify(c)} (it has ${[...cc].join(', ')})`);
  }
  const features = o.features?.length ? o.features : [...rc].filter((c) => cc.has(c) && c !== o.by && c !== o.time && numeric(ref, c).length > 0 && numeric(ref, c).length >= 0.5 * ref.length);
  for (const f of features) if (!rc.has(f) || !cc.has(f)) throw new InputError('--features', `${JSON.stringify(f)} is not a column of both tables`);
  const slices: [string, Row[], Row[]][] = [['all', ref, cur]];
  if (o.by) for (const v of [...new Set(cur.map((r) => String(r[o.by!])))].sort()) slices.push([`${o.by}=${v}`, ref.filter((r) => String(r[o.by!]) === v), cur.filter((r) => String(r[o.by!]) === v)]);
  // KS decisions are Bonferroni-corrected over every feature slice tested: a fleet report scans
  // many slices, and 5 % of unchanged ones would otherwise be flagged by chance.
  const tests = slices.length * features.length;
  const results = slices.flatMap(([slice, r, c]) => features.map((f) => {
    const a = numeric(r, f), b = numeric(c, f);
    if (a.length < 2 || b.length < 2) return { slice, feature: f, n_reference: a.length, n_current: b.length, drifted: null as boolean | null, score: null as number | null, psi: null, ks: null, ks_p: null, wasserstein: null, wasserstein_normed: null, test: 'too few rows', since: null as unknown };
    const k = ks2(a, b), w = wasserstein(a, b), sd = standardDeviation(a), wn = sd > 0 ? w / sd : w > 0 ? Infinity : 0;
    const useKs = a.length <= 1000;
    const drifted = useKs ? k.p < 0.05 / tests : wn >= threshold;
    let since: unknown = null;
    if (drifted && o.time) {
      const mu = mean(a), s = sd > 0 ? sd : 1;
      const ordered = c.filter((row) => typeof row[f] === 'number').sort((x, y) => (x[o.time!] as number) - (y[o.time!] as number));
      const at = pageHinkley(ordered.map((row) => ((row[f] as number) - mu) / s));
      since = at >= 0 ? ordered[at]![o.time!] : null;
    }
    return { slice, feature: f, n_reference: a.length, n_current: b.length, drifted, score: useKs ? k.d : wn, psi: psi(a, b), ks: k.d, ks_p: k.p, wasserstein: w, wasserstein_normed: wn, test: useKs ? `KS p < 0.05 / ${tests} (≤ 1,000 reference rows; Bonferroni over the slices)` : `normed Wasserstein ≥ ${threshold}`, since };
  }));
  results.sort((x, y) => Number(y.drifted) - Number(x.drifted) || (y.psi ?? 0) - (x.psi ?? 0));
  const out = { schema_version: 1, reference: displayPath(resolve(o.reference)), current: displayPath(resolve(o.current)), threshold, by: o.by ?? null, time: o.time ?? null, drifted: results.filter((r) => r.drifted).map((r) => `${r.slice}: ${r.feature}`), results };
  if (o.out) { mkdirSync(resolve(o.out), { recursive: true }); writeFileSync(join(resolve(o.out), 'drift.json'), JSON.stringify(out, null, 2) + '\n'); }
  if (o.json) process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  else {
    const w = (s: string) => process.stdout.write(s + '\n');
    w(`hazardsim drift: ${out.current} against ${out.reference}: ${out.drifted.length} of ${results.length} feature slices drifted`);
    for (const r of results.slice(0, 40)) w(`  ${r.drifted === null ? '  ?' : r.drifted ? 'DRIFT' : '   ok'}  ${`${r.slice}: ${r.feature}`.padEnd(44)} PSI ${fmt(r.psi, 3).padStart(7)}  KS ${fmt(r.ks, 3)} (p ${r.ks_p === null ? '–' : (r.ks_p as number) < 1e-4 ? (r.ks_p as number).toExponential(1) : fmt(r.ks_p, 4)})  W/σ ${fmt(r.wasserstein_normed, 3)}${r.since !== null && r.since !== undefined ? `  since ${o.time} = ${r.since}` : ''}`);
  }
  return 0;
}
