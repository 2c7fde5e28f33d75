/**
 * Merges a sweep's job summaries into tidy tables: `sweep` (one row per point × seed: every swept
 * parameter and every headline metric), `sweep-pooled` (one row per point, pooled over its seeds
 * with 95 % intervals: Wilson for shares, bootstrap for means, a score interval for false-alert
 * rates) and `sweep-bands` (per point × seed × distance band). Rows follow the sweep's order, and
 * every value comes from the deterministic summaries, so the tables are byte-identical however the
 * jobs were run.
 */
import { readFileSync } from 'node:fs';
import type { TableColumn } from '../../output/tables.js';
import { poissonRate, wilson, type Interval } from '../../score/intervals.js';
import { poolReplicates } from '../../score/replicates.js';
import type { Summary } from '../../score/score.js';
import { jobFile } from './job.js';
import type { SweepPlan } from './plan.js';

type AnySummary = Summary & Record<string, any>;

export interface MergedTable {
  name: string;
  columns: TableColumn[];
  rows: Record<string, unknown>[];
}

/** The hazard a sweep's curves are about: the first one that deserves alerts (else the first). */
function mainHazard(s: AnySummary) {
  return s.hazards.find((h) => h.alertable) ?? s.hazards[0];
}

const share = (h: any, atLeast: number): number | null => h?.coverage?.find((c: any) => c.min_warning_s === atLeast)?.share?.value ?? null;

/** Headline metrics of one run (the columns every row of `sweep` carries). */
export const METRICS: TableColumn[] = [
  { name: 'devices', type: 'int', doc: 'Phones in the run' },
  { name: 'phone_hours', type: 'double', unit: 'h', doc: 'Phone-hours simulated' },
  { name: 'triggers_per_phone_hour', type: 'double', unit: '1/h', doc: 'Triggers sent per phone-hour' },
  { name: 'detected', type: 'bool', doc: 'The main hazard got an alert (an event was matched to it)' },
  { name: 'alert_latency_s', type: 'double', unit: 's', doc: 'First alert after the hazard began' },
  { name: 'deserving', type: 'int', doc: 'People (phones) who deserved an alert' },
  { name: 'timely', type: 'int', doc: '...of whom were warned before the shaking' },
  { name: 'timely_share', type: 'double', doc: 'timely / deserving' },
  { name: 'warned_5s_share', type: 'double', doc: 'Share of the deserving warned at least 5 s before the shaking' },
  { name: 'warned_10s_share', type: 'double', doc: 'Share of the deserving warned at least 10 s before the shaking' },
  { name: 'warning_p50_s', type: 'double', unit: 's', doc: 'Median warning time of the deserving who got an alert' },
  { name: 'take_action', type: 'int', doc: 'Phones told to take action' },
  { name: 'magnitude_error_first', type: 'double', doc: 'First estimate minus true magnitude' },
  { name: 'magnitude_error_last', type: 'double', doc: 'Last estimate minus true magnitude' },
  { name: 'location_error_km_first', type: 'double', unit: 'km', doc: 'First estimate\'s epicentre error' },
  { name: 'false_alerts', type: 'int', doc: 'Alerts of events matched to no hazard' },
  { name: 'false_alerts_per_day', type: 'double', unit: '1/d', doc: 'False alerts per simulated day' },
  { name: 'simulated_s', type: 'double', unit: 's', doc: 'Simulated time' },
];

/** The headline metrics of one run, by METRICS column. */
export function metrics(s: AnySummary): Record<string, unknown> {
  const h: any = mainHazard(s);
  return {
    devices: s.devices, phone_hours: s.device_hours, triggers_per_phone_hour: s.device_hours > 0 ? s.triggers / s.device_hours : null,
    detected: h ? h.event !== null : null, alert_latency_s: h?.alert_latency_s ?? null,
    deserving: h?.deserving ?? null, timely: h?.outcomes?.timely ?? null, timely_share: h && h.deserving > 0 ? h.outcomes.timely / h.deserving : null,
    warned_5s_share: share(h, 5), warned_10s_share: share(h, 10), warning_p50_s: h?.warning_time_s?.p50 ?? null, take_action: h?.take_action ?? null,
    magnitude_error_first: h?.estimate_first?.magnitude_error ?? null, magnitude_error_last: h?.estimate_last?.magnitude_error ?? null,
    location_error_km_first: h?.estimate_first?.location_error_km ?? null,
    false_alerts: s.false_alerts, false_alerts_per_day: s.false_alerts_per_day, simulated_s: s.simulated_s,
  };
}

const type = (v: unknown): TableColumn['type'] => (typeof v === 'number' ? 'double' : typeof v === 'boolean' ? 'bool' : 'string');

/** Reads the summaries of every job of the plan (all must be there). */
export function readSummaries(plan: SweepPlan): Map<string, AnySummary> {
  const out = new Map<string, AnySummary>();
  for (const p of plan.points) for (const seed of p.seeds) {
    const key = `${p.hash}/${seed}`;
    if (!out.has(key)) out.set(key, JSON.parse(readFileSync(jobFile(plan.outDir, p.hash, seed), 'utf8')));
  }
  return out;
}

const withInterval = (name: string, doc: string, unit = ''): TableColumn[] => [
  { name, type: 'double', unit, doc }, { name: `${name}_lo`, type: 'double', unit, doc: '95 % interval, low' }, { name: `${name}_hi`, type: 'double', unit, doc: '95 % interval, high' },
];
const spread = (name: string, i: Interval | undefined) => ({ [name]: i?.value ?? null, [`${name}_lo`]: i?.lo ?? null, [`${name}_hi`]: i?.hi ?? null });


export function mergeTables(plan: SweepPlan, summaries: Map<string, AnySummary>): MergedTable[] {
  const catalogue = plan.points.some((p) => p.event);
  const first = summaries.values().next().value as AnySummary;
  const paramCols: TableColumn[] = plan.params.map((k) => ({ name: k, type: type(plan.points.find((p) => p.params.some(([q]) => q === k))!.params.find(([q]) => q === k)![1]), doc: 'Swept parameter (its --set path)' }));
  const keyCols: TableColumn[] = [
    { name: 'point', type: 'int', doc: 'Point number, in the sweep\'s order' },
    { name: 'hash', type: 'string', doc: 'Content hash of the point\'s scenario (without the seed): its folder under points/' },
    ...(catalogue ? [{ name: 'event', type: 'string', doc: 'Catalogue event' } as TableColumn] : []),
    ...paramCols,
  ];
  const keyOf = (p: SweepPlan['points'][number]) => ({ point: p.index + 1, hash: p.hash, ...(catalogue ? { event: p.event?.name ?? null } : {}), ...Object.fromEntries(p.params) });
  const runs: Record<string, unknown>[] = [], pooled: Record<string, unknown>[] = [], bands: Record<string, unknown>[] = [];
  for (const p of plan.points) {
    const list = p.seeds.map((seed) => ({ seed, summary: summaries.get(`${p.hash}/${seed}`)! }));
    for (const { seed, summary } of list) {
      runs.push({ ...keyOf(p), seed, ...metrics(summary) });
      const h: any = mainHazard(summary);
      for (const b of h?.by_distance ?? []) bands.push({ ...keyOf(p), seed, from_km: b.from_km, to_km: b.to_km, deserving: b.deserving, warned: b.warned, timely: b.timely, timely_share: b.deserving > 0 ? b.timely / b.deserving : null, warning_p50_s: b.warning_time_s?.p50 ?? null });
    }
    const pool = poolReplicates(list), idx = first.hazards.indexOf(mainHazard(first) as never);
    const ph: any = pool.hazards[Math.max(0, idx)];
    const hs = list.map((r) => mainHazard(r.summary) as any);
    const deserving = hs.reduce((s, h) => s + (h?.deserving ?? 0), 0);
    const warnedAtLeast = (x: number) => wilson(hs.reduce((s, h) => s + Math.round((share(h, x) ?? 0) * (h?.deserving ?? 0)), 0), deserving);
    const days = list.reduce((s, r) => s + r.summary.simulated_s, 0) / 86400;
    pooled.push({
      ...keyOf(p), seeds: list.length,
      ...spread('detected_share', ph?.detected), ...spread('timely_share', ph?.timely_share), ...spread('warned_5s_share', warnedAtLeast(5)), ...spread('warned_10s_share', warnedAtLeast(10)),
      ...spread('warning_p50_s', ph?.warning_p50_s), ...spread('alert_latency_s', ph?.alert_latency_s),
      ...spread('false_alerts_per_day', poissonRate(pool.false_alerts, days, 1)),
    });
  }
  return [
    { name: 'sweep', columns: [...keyCols, { name: 'seed', type: 'int', doc: 'Seed of the run' }, ...METRICS], rows: runs },
    {
      name: 'sweep-pooled',
      columns: [...keyCols, { name: 'seeds', type: 'int', doc: 'Runs pooled' }, ...withInterval('detected_share', 'Share of runs in which the main hazard got an alert'), ...withInterval('timely_share', 'Pooled timely / deserving'), ...withInterval('warned_5s_share', 'Pooled share warned ≥ 5 s ahead'), ...withInterval('warned_10s_share', 'Pooled share warned ≥ 10 s ahead'), ...withInterval('warning_p50_s', 'Mean over seeds of the median warning time', 's'), ...withInterval('alert_latency_s', 'Mean over seeds of the first alert\'s latency', 's'), ...withInterval('false_alerts_per_day', 'False alerts per simulated day, pooled', '1/d')],
      rows: pooled,
    },
    {
      name: 'sweep-bands',
      columns: [...keyCols, { name: 'seed', type: 'int' }, { name: 'from_km', type: 'double', unit: 'km', doc: 'Distance band from the source' }, { name: 'to_km', type: 'double', unit: 'km' }, { name: 'deserving', type: 'int' }, { name: 'warned', type: 'int' }, { name: 'timely', type: 'int' }, { name: 'timely_share', type: 'double' }, { name: 'warning_p50_s', type: 'double', unit: 's' }],
      rows: bands,
    },
  ];
}
