/**
 * `hazardsim compare <runA> <runB>`: the metrics of two runs side by side, each with a test of
 * whether B differs from A (two-proportion z tests for shares, Mann–Whitney U for warning-time
 * distributions, conditional Poisson tests for false alerts and for triggers per phone-hour) and a
 * verdict. When both runs share their seed and their phones (a candidate detector against the
 * current one on the same scenario), paired tests too: McNemar for each person's timely warning,
 * Wilcoxon signed-rank for each person's warning time and each phone's false triggers. Runs whose
 * scenarios differ beyond the detector are refused unless allowed. A detection team's CI gates on
 * it: `--fail-on timely_share false_triggers_per_phone_hour` exits 1 when B is significantly worse.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { readTable } from '../output/tables.js';
import { mannWhitney, mcnemarP, poissonRatesP, twoProportionP, wilcoxonSignedRank } from '../score/intervals.js';
import { readTableSample } from '../output/tables.js';
import { canonicalJson } from '../core/canonical.js';
import { quantileSorted } from 'simple-statistics';

export interface Comparison {
  metric: string;
  a: number | null;
  b: number | null;
  /** Which way is better. */
  better: 'higher' | 'lower';
  test: string;
  p: number | null;
  verdict: 'B better' | 'B worse' | 'no significant difference' | 'not testable';
}

type Row = Record<string, any>;

async function load(dir: string) {
  for (const f of ['summary.json', 'devices.parquet']) if (!existsSync(join(dir, f))) throw new InputError(join(dir, f), 'missing: is this a hazardsim run folder (written by `hazardsim run`)?');
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  const devices = (await readTable(dir, 'devices')) as Row[];
  const manifest = existsSync(join(dir, 'manifest.json')) ? JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) : undefined;
  const triggers = existsSync(join(dir, 'triggers.parquet')) ? (await readTableSample(dir, 'triggers', ['device', 'kind', 'time_s', 'score'], Infinity)).rows : [];
  return { summary, devices, manifest, triggers };
}

/** Scenario fields that may differ between two runs being compared (the detector is what is compared). */
function withoutDetector(config: Row | undefined): Row | undefined {
  if (!config) return undefined;
  const c = structuredClone(config);
  for (const k of ['name', 'description', 'detector', 'seed']) delete c[k];
  for (const p of c.population?.phones ?? []) delete p.detector;
  for (const g of c.population?.groups ?? []) delete g.detector;
  return c;
}

/** The top-level fields (and population's) in which two configurations differ. */
function differences(a: Row, b: Row): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) => {
    if (canonicalJson(a[k]) === canonicalJson(b[k])) return [];
    if (k === 'population' && a[k] && b[k]) return differences(a[k], b[k]).map((d) => `population.${d}`);
    return [k];
  });
}

/** When the first hazard begins (s), from the summary's facts; undefined when no hazard says. */
function firstStart(summary: Row): number | undefined {
  const starts = (summary.hazards as Row[]).map((h) => h.facts?.origin_time ?? h.facts?.start_s ?? h.facts?.onset_s).filter((v): v is number => typeof v === 'number');
  return summary.hazards.length === 0 ? Infinity : starts.length ? Math.min(...starts) : undefined;
}

const median = (xs: number[]) => (xs.length ? quantileSorted([...xs].sort((a, b) => a - b), 0.5) : null);

export async function compareRuns(dirA: string, dirB: string, o: { alpha?: number; allowDifferent?: boolean } = {}): Promise<Comparison[]> {
  const alpha = o.alpha ?? 0.05;
  const A = await load(dirA), B = await load(dirB);
  const ca = withoutDetector(A.manifest?.scenario?.config), cb = withoutDetector(B.manifest?.scenario?.config);
  if (ca && cb && !o.allowDifferent) {
    const diff = differences(ca, cb);
    if (diff.length) throw new InputError('compare', `the two runs' scenarios differ beyond the detector (in ${diff.join(', ')}): their metrics would not say which detector is better; pass --allow-different to compare them anyway`);
  }
  const out: Comparison[] = [];
  const verdict = (p: number | null, a: number | null, b: number | null, better: 'higher' | 'lower'): Comparison['verdict'] => {
    if (p === null || a === null || b === null) return 'not testable';
    if (p >= alpha || a === b) return 'no significant difference';
    return (b > a) === (better === 'higher') ? 'B better' : 'B worse';
  };
  const share = (metric: string, ka: number, na: number, kb: number, nb: number, better: 'higher' | 'lower') => {
    const a = na ? ka / na : null, b = nb ? kb / nb : null;
    const p = na && nb ? twoProportionP(ka, na, kb, nb) : null;
    out.push({ metric, a, b, better, test: 'two-proportion z', p, verdict: verdict(p, a, b, better) });
  };
  for (const ha of A.summary.hazards as Row[]) {
    const hb = (B.summary.hazards as Row[]).find((h) => h.index === ha.index && h.kind === ha.kind);
    if (!hb || !ha.alertable) continue;
    const key = `hazard${ha.index}`;
    if (ha.deserving || hb.deserving) {
      share(`${key}.timely_share`, ha.outcomes.timely, ha.deserving, hb.outcomes.timely, hb.deserving, 'higher');
      share(`${key}.missed_share`, ha.outcomes.missed, ha.deserving, hb.outcomes.missed, hb.deserving, 'lower');
      const wa = A.devices.filter((d) => d.hazard === ha.index && d.warning_s !== null && d.should_alert).map((d) => d.warning_s as number);
      const wb = B.devices.filter((d) => d.hazard === hb.index && d.warning_s !== null && d.should_alert).map((d) => d.warning_s as number);
      const mw = wa.length && wb.length ? mannWhitney(wa, wb).p : null;
      const ma = median(wa), mb = median(wb);
      out.push({ metric: `${key}.warning_time_s`, a: ma, b: mb, better: 'higher', test: 'Mann-Whitney U (medians shown)', p: mw, verdict: verdict(mw, ma, mb, 'higher') });
      const qa = ha.outcomes.unnecessary + ha.outcomes.correctly_quiet, qb = hb.outcomes.unnecessary + hb.outcomes.correctly_quiet;
      if (qa || qb) share(`${key}.unnecessary_share`, ha.outcomes.unnecessary, qa, hb.outcomes.unnecessary, qb, 'lower');
    }
    if (ha.items && hb.items) share(`${key}.recall`, ha.items.found, ha.items.detectable, hb.items.found, hb.items.detectable, 'higher');
    out.push({ metric: `${key}.alert_latency_s`, a: ha.alert_latency_s, b: hb.alert_latency_s, better: 'lower', test: 'one value per run', p: null, verdict: 'not testable' });
  }
  // Triggers: all of them, and the false ones (before any hazard begins; all of them in a run
  // without hazards) per phone-hour, with exact conditional Poisson tests.
  const rate = (metric: string, ka: number, ea: number, kb: number, eb: number) => {
    const p = ea > 0 && eb > 0 ? poissonRatesP(ka, ea, kb, eb) : null;
    const a = ea > 0 ? ka / ea : null, b = eb > 0 ? kb / eb : null;
    out.push({ metric, a, b, better: 'lower', test: 'conditional Poisson (exact)', p, verdict: verdict(p, a, b, 'lower') });
  };
  rate('triggers_per_phone_hour', A.summary.triggers, A.summary.device_hours, B.summary.triggers, B.summary.device_hours);
  const sa = firstStart(A.summary), sb = firstStart(B.summary);
  const falseOf = (run: typeof A, start: number) => run.triggers.filter((t) => t.kind === 'trigger' && (t.time_s as number) < start);
  if (sa !== undefined && sb !== undefined) {
    const share = (run: typeof A, start: number) => Math.min(1, start / run.summary.simulated_s);
    rate('false_triggers_per_phone_hour', falseOf(A, sa).length, A.summary.device_hours * share(A, sa), falseOf(B, sb).length, B.summary.device_hours * share(B, sb));
  }
  const calls = (run: typeof A) => { const b = (run.summary.detector_budget ?? []) as Row[]; const h = b.reduce((s, x) => s + (x.monitored_device_hours ?? 0), 0); return h > 0 ? b.reduce((s, x) => s + (x.inference_calls ?? 0), 0) / h : null; };
  out.push({ metric: 'inference_calls_per_device_hour', a: calls(A), b: calls(B), better: 'lower', test: 'one value per run', p: null, verdict: 'not testable' });
  // Model-based detectors: the share of the windows scored that the model confirmed (triggers sent with a score).
  const scored = (run: typeof A) => ((run.summary.detector_budget ?? []) as Row[]).reduce((s, x) => s + (x.inference_calls ?? 0), 0);
  const confirmed = (run: typeof A) => run.triggers.filter((t) => t.kind === 'trigger' && typeof t.score === 'number' && Number.isFinite(t.score)).length;
  if (scored(A) > 0 && scored(B) > 0) share('model_confirmation_share', confirmed(A), scored(A), confirmed(B), scored(B), 'lower');
  // Paired tests: the same seed and the same phones in the same places.
  const same = A.summary.scenario?.seed === B.summary.scenario?.seed && A.summary.devices === B.summary.devices && A.devices.length === B.devices.length && A.devices.every((d, i) => d.device === B.devices[i]!.device && d.lon === B.devices[i]!.lon && d.lat === B.devices[i]!.lat);
  if (same) {
    let b10 = 0, b01 = 0;
    const diffs: number[] = [];
    A.devices.forEach((d, i) => {
      const e = B.devices[i]!;
      if (!d.should_alert) return;
      const ta = d.outcome === 'timely', tb = e.outcome === 'timely';
      if (ta && !tb) b10++;
      if (!ta && tb) b01++;
      if (typeof d.warning_s === 'number' && typeof e.warning_s === 'number') diffs.push(e.warning_s - d.warning_s);
    });
    const pm = b10 + b01 > 0 ? mcnemarP(b10, b01) : null;
    out.push({ metric: 'paired.timely_people', a: b10, b: b01, better: 'higher', test: 'McNemar exact (A: timely only in A; B: timely only in B)', p: pm, verdict: pm === null ? 'not testable' : pm >= alpha ? 'no significant difference' : b01 > b10 ? 'B better' : 'B worse' });
    if (diffs.length) {
      const w = wilcoxonSignedRank(diffs), med = median(diffs);
      out.push({ metric: 'paired.warning_time_s', a: 0, b: med, better: 'higher', test: `Wilcoxon signed-rank on ${diffs.length} people warned in both (B − A, median shown)`, p: w.p, verdict: w.n === 0 ? 'no significant difference' : w.p >= alpha ? 'no significant difference' : (med ?? 0) > 0 ? 'B better' : 'B worse' });
    }
    if (sa !== undefined && sb !== undefined) {
      const n = A.summary.devices as number, ka = new Float64Array(n), kb = new Float64Array(n);
      for (const t of falseOf(A, sa)) ka[t.device as number]!++;
      for (const t of falseOf(B, sb)) kb[t.device as number]!++;
      const ids = Array.from({ length: n }, (_, d) => d);
      const w = wilcoxonSignedRank(ids.map((d) => kb[d]! - ka[d]!));
      const ma = ids.reduce((s, d) => s + ka[d]!, 0) / ids.length, mb = ids.reduce((s, d) => s + kb[d]!, 0) / ids.length;
      out.push({ metric: 'paired.false_triggers_per_device', a: ma, b: mb, better: 'lower', test: `Wilcoxon signed-rank over ${ids.length} phones (means shown)`, p: w.n ? w.p : null, verdict: !w.n ? 'no significant difference' : w.p >= alpha ? 'no significant difference' : mb < ma ? 'B better' : 'B worse' });
    }
  }
  const fa = A.summary.false_alerts, fb = B.summary.false_alerts, ta = A.summary.device_hours, tb = B.summary.device_hours;
  const p = ta > 0 && tb > 0 ? poissonRatesP(fa, ta, fb, tb) : null;
  const ra = ta > 0 ? (fa * 1e6) / ta : null, rb = tb > 0 ? (fb * 1e6) / tb : null;
  out.push({ metric: 'false_alerts_per_million_phone_hours', a: ra, b: rb, better: 'lower', test: 'conditional Poisson (exact)', p, verdict: verdict(p, ra, rb, 'lower') });
  return out;
}

/** Names `--fail-on` takes: every metric's full name, the part after its hazard, and false_alerts. */
export function failOnNames(rows: Comparison[]): string[] {
  return [...new Set([...rows.map((r) => r.metric), ...rows.map((r) => r.metric.split('.').slice(1).join('.')).filter(Boolean), 'false_alerts'])].sort();
}

/** Whether any metric named in `failOn` (by full name or by the part after the hazard) is significantly worse in B. */
export function failing(rows: Comparison[], failOn: string[]): Comparison[] {
  const names = failOn.map((f) => f.trim()).filter(Boolean);
  const valid = failOnNames(rows);
  const unknown = names.filter((n) => !valid.includes(n));
  if (unknown.length) throw new InputError('--fail-on', `unknown metric${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => JSON.stringify(n)).join(', ')}; these runs have: ${valid.join(', ')}`);
  return rows.filter((r) => r.verdict === 'B worse' && names.some((n) => r.metric === n || r.metric.endsWith(`.${n}`) || (n === 'false_alerts' && r.metric.startsWith('false_alerts'))));
}
