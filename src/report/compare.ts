/**
 * `hazardsim compare <runA> <runB>`: the metrics of two runs side by side, each with a test of
 * whether B differs from A (two-proportion z tests for shares, Mann–Whitney U for warning-time
 * distributions, a conditional Poisson test for false alerts per phone-hour) and a verdict. A
 * detection team's CI gates on it: `--fail-on timely_share false_alerts` exits 1 when B is
 * significantly worse than A on one of those.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { readTable } from '../output/tables.js';
import { mannWhitney, poissonRatesP, twoProportionP } from '../score/intervals.js';
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
  return { summary, devices };
}

const median = (xs: number[]) => (xs.length ? quantileSorted([...xs].sort((a, b) => a - b), 0.5) : null);

export async function compareRuns(dirA: string, dirB: string, o: { alpha?: number } = {}): Promise<Comparison[]> {
  const alpha = o.alpha ?? 0.05;
  const A = await load(dirA), B = await load(dirB);
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
  const fa = A.summary.false_alerts, fb = B.summary.false_alerts, ta = A.summary.device_hours, tb = B.summary.device_hours;
  const p = ta > 0 && tb > 0 ? poissonRatesP(fa, ta, fb, tb) : null;
  const ra = ta > 0 ? (fa * 1e6) / ta : null, rb = tb > 0 ? (fb * 1e6) / tb : null;
  out.push({ metric: 'false_alerts_per_million_phone_hours', a: ra, b: rb, better: 'lower', test: 'conditional Poisson (exact)', p, verdict: verdict(p, ra, rb, 'lower') });
  return out;
}

/** Whether any metric named in `failOn` (by full name or by the part after the hazard) is significantly worse in B. */
export function failing(rows: Comparison[], failOn: string[]): Comparison[] {
  const names = failOn.map((f) => f.trim()).filter(Boolean);
  return rows.filter((r) => r.verdict === 'B worse' && names.some((n) => r.metric === n || r.metric.endsWith(`.${n}`) || (n === 'false_alerts' && r.metric.startsWith('false_alerts'))));
}
