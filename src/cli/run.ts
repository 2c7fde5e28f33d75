/** `hazardsim run`: runs a scenario and writes summary.json and manifest.json. */
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { InputError } from '../core/errors.js';
import { loadScenario } from '../scenario/load.js';
import { runScenario, type RunResult } from '../engine/run.js';
import { score, type Summary } from '../score/score.js';
import { buildManifest, runCounts, runFigures, writeRun, type RunFigures } from '../output/write-run.js';
import { fmt, fmtInt, progressBar } from './common.js';
import { formatDuration } from '../core/duration.js';

export interface RunCommandOptions {
  scenario: string;
  out?: string;
  seed?: number;
  threads?: number;
  set?: string[];
  json?: boolean;
  quiet?: boolean;
}

export function buildSummary(result: RunResult): Record<string, unknown> & Summary {
  const s = result.state.scenario;
  const scored = score({
    truths: result.truths,
    alerts: result.alerts,
    receipts: result.receipts,
    devices: result.state.columns.rows,
    durationS: s.config.duration,
    config: s.config.scoring,
  });
  return {
    scenario: { name: s.config.name, hash: s.hash, seed: s.config.seed },
    ...runCounts(result),
    ...scored,
  } as Record<string, unknown> & Summary;
}

function printHuman(summary: ReturnType<typeof buildSummary>, figures: RunFigures, outDir: string): void {
  const w = (s: string) => process.stdout.write(s + '\n');
  const sc = summary.scenario as { name: string; seed: number };
  const counts = summary as unknown as ReturnType<typeof runCounts>;
  w(`hazardsim run ${sc.name} (seed ${sc.seed}): ${fmtInt(counts.devices)} phones, ${formatDuration(counts.simulated_s)} simulated in ${fmt(figures.wall_time_s, 1)} s (${fmtInt(figures.device_seconds_per_wall_second)} device-s per s, ${figures.threads} threads)`);
  w(`  triggers: ${fmtInt(counts.triggers)} from ${fmtInt(counts.devices_triggered)} phones; alerts issued: ${counts.alerts_issued}; alert receipts: ${fmtInt(counts.alert_receipts)}`);
  for (const h of summary.hazards) {
    if (!h.alertable) {
      w(`  ${h.name}: nuisance (not a hazard: any alert it causes is a false alert)`);
      continue;
    }
    const e = h.estimate_first;
    const est = e ? ` (first estimate M${fmt(e.magnitude, 1)}, ${fmt(e.location_error_km, 1)} km off)` : '';
    w(`  ${h.name}: ${h.event === null ? 'MISSED — no alert' : `alert ${fmt(h.alert_latency_s, 1)} s after origin${est}`}`);
    const q = h.warning_time_s;
    if (h.deserving) {
      w(`    ${fmtInt(h.deserving)} people deserved an alert: timely ${fmtInt(h.outcomes.timely)}, late ${fmtInt(h.outcomes.late)}, missed ${fmtInt(h.outcomes.missed)}; unnecessary ${fmtInt(h.outcomes.unnecessary)}`);
      if (q.n) w(`    warning time p10/p50/p90: ${fmt(q.p10)} / ${fmt(q.p50)} / ${fmt(q.p90)} s`);
    }
  }
  w(`  false alerts: ${summary.false_alerts}`);
  w(`  wrote ${outDir}/summary.json and manifest.json`);
}

export async function runCommand(o: RunCommandOptions): Promise<number> {
  const threads = o.threads ?? Math.min(availableParallelism(), 4);
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new InputError('--threads', `expected a whole number of threads from 1 to 256, found ${o.threads}`);
  const scenario = loadScenario(o.scenario, { overrides: o.set ?? [], seed: o.seed });
  const outDir = resolve(o.out ?? `out/${scenario.config.name}`);
  if (!o.quiet) for (const w of scenario.warnings) process.stderr.write(`hazardsim: warning: ${scenario.file}: ${w}\n`);
  const bar = progressBar({ enabled: !o.quiet && !o.json, label: scenario.config.name });
  let result: RunResult;
  try {
    result = await runScenario(scenario, { threads, onProgress: (f) => bar.update(f) });
  } finally {
    bar.stop();
  }
  const summary = buildSummary(result);
  const figures = runFigures(result, threads);
  await writeRun(outDir, summary, buildManifest(result, figures));
  if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else if (!o.quiet) printHuman(summary, figures, outDir);
  return 0;
}
