/**
 * Pooling replicate runs (`hazardsim run --replicates N`: the same scenario with seeds s, s+1, …):
 * shares pooled over replicates with Wilson intervals; per-replicate figures (median warning,
 * alert latency, estimate errors) as their mean with a bootstrap interval over replicates; false
 * alerts as a rate per million phone-hours with a score interval for a Poisson count.
 */
import { mean } from 'simple-statistics';
import { FastRandom } from '../core/random.js';
import { poissonRate, wilson, type Interval } from './intervals.js';
import type { Summary } from './score.js';

/** Mean of per-replicate values with a 95 % bootstrap interval over replicates. */
function meanInterval(values: (number | null | undefined)[], seed: number): Interval & { n: number } {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (!xs.length) return { value: null, lo: null, hi: null, n: 0 };
  const r = FastRandom.of(seed, 'replicates'), means: number[] = [];
  for (let k = 0; k < 1000; k++) {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[Math.floor(r.uniform() * xs.length)]!;
    means.push(s / xs.length);
  }
  means.sort((a, b) => a - b);
  return { value: mean(xs), lo: means[25]!, hi: means[974]!, n: xs.length };
}

export function poolReplicates(runs: { seed: number; summary: Summary & Record<string, any> }[]) {
  const first = runs[0]!.summary;
  const hazards = first.hazards.map((h0, i) => {
    const hs = runs.map((r) => r.summary.hazards[i]!);
    const sum = (f: (h: (typeof hs)[number]) => number) => hs.reduce((s, h) => s + f(h), 0);
    return {
      index: h0.index, name: h0.name, kind: h0.kind, alertable: h0.alertable,
      detected: wilson(hs.filter((h) => h.event !== null).length, hs.length),
      timely_share: wilson(sum((h) => h.outcomes.timely), sum((h) => h.deserving)),
      missed_share: wilson(sum((h) => h.outcomes.missed), sum((h) => h.deserving)),
      warning_p50_s: meanInterval(hs.map((h) => h.warning_time_s.p50), 11 + i),
      alert_latency_s: meanInterval(hs.map((h) => h.alert_latency_s), 12 + i),
      location_error_km_last: meanInterval(hs.map((h) => h.estimate_last?.location_error_km), 13 + i),
      magnitude_error_last: meanInterval(hs.map((h) => h.estimate_last?.magnitude_error), 14 + i),
      ...(h0.items ? { recall: wilson(sum((h) => h.items!.found), sum((h) => h.items!.detectable)) } : {}),
    };
  });
  const falseAlerts = runs.reduce((s, r) => s + r.summary.false_alerts, 0);
  const phoneHours = runs.reduce((s, r) => s + (r.summary.device_hours ?? 0), 0);
  return {
    schema_version: 1,
    scenario: first.scenario.name,
    replicates: runs.length,
    seeds: runs.map((r) => r.seed),
    hazards,
    false_alerts: falseAlerts,
    false_alerts_per_million_phone_hours: poissonRate(falseAlerts, phoneHours, 1e6),
    phone_hours: phoneHours,
  };
}
