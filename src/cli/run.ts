/** `hazardsim run`: runs a scenario and writes summary.json and manifest.json. */
import { withFleetScore } from '../fleet/score.js';
import { unreachableHazardWarnings } from '../engine/reach.js';
import { join, relative, resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { InputError } from '../core/errors.js';
import { loadScenario } from '../scenario/load.js';
import { runScenario, type RunResult } from '../engine/run.js';
import { score, type Summary } from '../score/score.js';
import { buildManifest, runCounts, runFigures, writeRunJson, type RunFigures } from '../output/write-run.js';
import { fmt, fmtInt, progressBar } from './common.js';
import { DeviceRows, startRunFiles } from '../output/run-files.js';
import { checkOutputFolder, writeFolderAtomically } from '../output/atomic.js';
import { checkEstimate, describeEstimate, estimateRun } from '../engine/estimate.js';
import { chooseThreads } from '../engine/thread-choice.js';
import { loadWorld } from '../world/load.js';
import { poolReplicates } from '../score/replicates.js';
import { formatDuration } from '../core/duration.js';
import { pluginsFrom } from './plugin-module.js';
import type { PluginSet } from '../plugin/index.js';

export interface RunCommandOptions {
  scenario: string;
  out?: string;
  seed?: number;
  threads?: number;
  set?: string[];
  json?: boolean;
  quiet?: boolean;
  /** Run seeds s, s+1, … s+N−1 into DIR/seed-<s>/ and pool them into DIR/replicates.json. */
  replicates?: number;
  /** A module exporting `plugins` (the built-in set extended with one's own). */
  plugins?: string;
  /** Run even when the estimate says the run does not fit this machine's memory. */
  force?: boolean;
}

/** Phone positions in degrees (where each phone was at the end of the run). */
export function phonePositions(result: RunResult): { lon: Float64Array; lat: Float64Array } {
  const x = result.state.columns.f64('x'), y = result.state.columns.f64('y'), n = result.state.columns.rows;
  // On SharedArrayBuffers: the devices table's writer threads read them where they are.
  const lon = new Float64Array(new SharedArrayBuffer(8 * n)), lat = new Float64Array(new SharedArrayBuffer(8 * n)), frame = result.state.world.frame;
  for (let d = 0; d < n; d++) [lon[d], lat[d]] = frame.unproject(x[d]!, y[d]!);
  return { lon, lat };
}

/** The run's summary.json; `devices` collects the per-phone rows while scoring. */
export function buildSummary(result: RunResult, devices?: DeviceRows): Record<string, unknown> & Summary {
  const s = result.state.scenario;
  const counts = runCounts(result);
  const scored = score({
    truths: result.truths,
    alerts: result.alerts,
    receipts: result.receipts,
    devices: result.state.columns.rows,
    durationS: s.config.duration,
    config: s.config.scoring,
    positions: devices?.positions ?? phonePositions(result),
    phoneHours: counts.device_hours,
    kmDriven: counts.km_driven,
    onDevice: devices?.add,
  });
  return withFleetScore({
    scenario: { name: s.config.name, hash: s.hash, seed: s.config.seed },
    ...counts,
    ...scored,
  }) as Record<string, unknown> & Summary;
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
    if (h.items) {
      const it = h.items;
      w(`  ${h.name}: reported ${it.found} of ${it.detectable} detectable (${it.total} in all), ${it.false_reports} false reports, ${it.duplicates} duplicates${it.delay_s.n ? `; delay p50 ${fmt(it.delay_s.p50, 1)} s` : ''}`);
      continue;
    }
    const e = h.estimate_first;
    const l = h.estimate_last;
    const est = e && l ? ` (first estimate M${fmt(e.magnitude, 1)}, ${fmt(e.location_error_km, 1)} km off; last M${fmt(l.magnitude, 1)}, ${fmt(l.location_error_km, 1)} km off)` : '';
    const quiet = h.deserving === 0 ? 'no alert, and none deserved: no phone was shaken to the alert level' : 'MISSED — no alert';
    w(`  ${h.name}: ${h.event === null ? quiet : `alert ${fmt(h.alert_latency_s, 1)} s after origin${est}`}`);
    const q = h.warning_time_s;
    if (h.deserving) {
      w(`    ${fmtInt(h.deserving)} people deserved an alert: timely ${fmtInt(h.outcomes.timely)}, late ${fmtInt(h.outcomes.late)}, missed ${fmtInt(h.outcomes.missed)}; unnecessary ${fmtInt(h.outcomes.unnecessary)}`);
      if (q.n) w(`    warning time p10/p50/p90: ${fmt(q.p10)} / ${fmt(q.p50)} / ${fmt(q.p90)} s`);
    }
  }
  w(`  false alerts: ${summary.false_alerts}`);
  const fleet = summary.fleet as { telemetry: { rows_received: number; rows_lost: number }; firmware_updates: { firmware: string; at_s: number; devices: number }[]; rollout?: Record<string, any> } | undefined;
  if (fleet) {
    w(`  fleet: ${fmtInt(fleet.telemetry.rows_received)} telemetry rows (${fmtInt(fleet.telemetry.rows_lost)} lost)${fleet.firmware_updates.map((u) => `; firmware ${u.firmware} reached ${fmtInt(u.devices)} phones at ${formatDuration(u.at_s)}`).join('')}`);
    const r = fleet.rollout;
    if (r) {
      const outcome = r.status === 'rolled_back' ? `ROLLED BACK at ${formatDuration(r.alarm_s)} (${r.alarm_reason}); every phone back ${fmt(r.time_to_roll_back_s, 0)} s later`
        : r.status === 'halted' ? `HALTED at ${formatDuration(r.alarm_s)} (${r.alarm_reason})` : r.status === 'completed' ? `reached 100 % at ${formatDuration(r.completed_s)}` : `${r.status}, at ${fmt(r.final_share * 100, 0)} %`;
      w(`  rollout of ${r.candidate}: ${outcome}`);
      w(`    ${fmt(r.candidate_phone_hours, 1)} phone-hours on it; false triggers ${fmtInt(r.candidate_false_triggers)} (${fmt(r.excess_false_triggers, 1)} beyond the baseline's rate); false alerts while it ran: ${r.false_alerts_during}`);
    }
  }
  w(`  wrote ${relative(process.cwd(), outDir) || '.'}/: summary.json, manifest.json, report.html, devices/triggers/alerts/receipts${fleet ? '/telemetry' : ''} (.parquet, and .csv up to 250,000 rows), alerts.geojson, truth.geojson`);
}

export async function runCommand(o: RunCommandOptions): Promise<number> {
  if (o.threads !== undefined && (!Number.isInteger(o.threads) || o.threads < 0 || o.threads > 256)) throw new InputError('--threads', `expected a whole number of threads from 0 (the main thread only) to 256, found ${o.threads}`);
  const replicates = o.replicates ?? 1;
  if (!Number.isInteger(replicates) || replicates < 1 || replicates > 1000) throw new InputError('--replicates', `expected a whole number of runs from 1 to 1000, found ${o.replicates}`);
  const builtinPlugins = await pluginsFrom(o.plugins);
  const scenario = loadScenario(o.scenario, { plugins: builtinPlugins, overrides: o.set ?? [], seed: o.seed });
  const outDir = resolve(o.out ?? `out/${scenario.config.name}`);
  checkOutputFolder(outDir); // before simulating: a bad --out should not cost a run
  const world = loadWorld(scenario.worldFile);
  scenario.warnings.push(...unreachableHazardWarnings(scenario, world));
  // Unless told, a run too small to repay starting worker threads runs in the main thread.
  const choice = o.threads === undefined ? chooseThreads({ singleThreadSeconds: estimateRun(scenario, builtinPlugins, world, 1).wallSeconds, fidelity: scenario.config.fidelity, models: scenario.detectors.some((d) => d.model) }) : undefined;
  const threads = o.threads ?? choice!.threads;
  // Large tables are written on writer threads whether or not the devices had workers.
  const writers = o.threads ?? Math.min(availableParallelism(), 4);
  const estimate = { ...estimateRun(scenario, builtinPlugins, world, threads), threadReason: choice?.reason };
  if (!o.quiet && !o.json) process.stdout.write(`hazardsim: ${describeEstimate(estimate)}\n`);
  checkEstimate(estimate, scenario.file, o.force ?? false);
  if (scenario.config.budget) scenario.warnings.push(...(await (await import('./budget.js')).budgetWarnings(scenario, builtinPlugins)));
  if (!o.quiet) for (const w of scenario.warnings) process.stderr.write(`hazardsim: warning: ${scenario.file}: ${w}\n`);
  if (replicates === 1) {
    const { summary, figures } = await runOnce(scenario, builtinPlugins, outDir, threads, writers, !o.quiet && !o.json);
    if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    else if (!o.quiet) printHuman(summary, figures, outDir);
    return 0;
  }
  // Replicates: each seed's run is a complete run folder; the pooled figures go beside them.
  const runs: { seed: number; summary: ReturnType<typeof buildSummary> }[] = [];
  const base = scenario.config.seed;
  await writeFolderAtomically(outDir, async (tmp) => {
    for (let k = 0; k < replicates; k++) {
      const seed = base + k;
      const sc = k === 0 ? scenario : loadScenario(o.scenario, { plugins: builtinPlugins, overrides: o.set ?? [], seed });
      const { summary } = await runOnce(sc, builtinPlugins, join(tmp, `seed-${seed}`), threads, writers, !o.quiet && !o.json);
      runs.push({ seed, summary });
      if (!o.quiet && !o.json) process.stdout.write(`  seed ${seed}: ${summary.hazards.map((h) => `${h.name}: ${h.event === null ? (h.alertable ? 'missed' : 'quiet') : `alert after ${fmt(h.alert_latency_s, 1)} s`}`).join('; ')}; false alerts ${summary.false_alerts}\n`);
    }
    writeFileSync(join(tmp, 'replicates.json'), JSON.stringify(poolReplicates(runs), null, 2) + '\n');
  });
  const pooled = poolReplicates(runs);
  if (o.json) process.stdout.write(JSON.stringify(pooled, null, 2) + '\n');
  else if (!o.quiet) {
    const ci = (i: { value: number | null; lo: number | null; hi: number | null }, k = 1, d = 1) => (i.value === null ? '–' : `${fmt(i.value * k, d)} (${fmt(i.lo! * k, d)}–${fmt(i.hi! * k, d)})`);
    process.stdout.write(`hazardsim run ${scenario.config.name}: ${replicates} replicates (seeds ${base}–${base + replicates - 1}), 95 % intervals\n`);
    for (const h of pooled.hazards) if (h.alertable) process.stdout.write(`  ${h.name}: detected ${ci(h.detected, 100, 0)} %; timely ${ci(h.timely_share, 100)} %; median warning ${ci(h.warning_p50_s)} s; alert latency ${ci(h.alert_latency_s)} s\n`);
    process.stdout.write(`  false alerts: ${pooled.false_alerts} in ${fmt(pooled.phone_hours, 0)} phone-hours: ${ci(pooled.false_alerts_per_million_phone_hours)} per million phone-hours\n  wrote ${outDir}/replicates.json and seed-*/\n`);
  }
  return 0;
}

/** One run of a resolved scenario into `outDir`: summary, manifest, row files, report. */
async function runOnce(scenario: ReturnType<typeof loadScenario>, plugins: PluginSet, outDir: string, threads: number, writers: number, progress: boolean) {
  const bar = progressBar({ enabled: progress, label: `${scenario.config.name} (seed ${scenario.config.seed})` });
  let result: RunResult;
  try {
    result = await runScenario(scenario, { plugins, threads, onProgress: (f) => bar.update(f) });
  } finally {
    bar.stop();
  }
  let summary!: ReturnType<typeof buildSummary>, figures!: RunFigures;
  await writeFolderAtomically(outDir, async (dir) => {
    // The tables that need only the run go to the writer threads now, while the run is scored here.
    const files = await startRunFiles(dir, result, { threads: writers });
    try {
      const devices = new DeviceRows(result.truths, phonePositions(result));
      summary = buildSummary(result, devices);
      figures = runFigures(result, threads);
      writeRunJson(dir, summary, buildManifest(result, figures));
      await files.finish(devices);
    } catch (err) {
      await files.abort();
      throw err;
    }
    // The report's modules (maps, coastlines, Parquet reading) load only now: a run that stops at bad input never needs them.
    await (await import('../report/build.js')).writeReport(dir);
  });
  return { summary, figures };
}
