/** Writes a finished run to its output folder: summary.json (metrics only) and manifest.json. */
import { fleetCounts } from '../fleet/score.js';
import { CONTEXT_SLOTS, contextSlot } from '../engine/setup.js';
import { PHONE_CONTEXTS } from '../population/behaviour.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { scenarioRecord } from './scenario-record.js';
import type { RunResult } from '../engine/run.js';
import type { Summary } from '../score/score.js';
import { packageVersions } from './versions.js';

export interface RunFigures {
  wall_time_s: number;
  simulate_time_s: number;
  server_time_s: number;
  inference_time_s: number;
  peak_rss_mb: number;
  threads: number;
  device_seconds: number;
  device_seconds_per_wall_second: number;
  samples_rendered: number;
  samples_per_wall_second: number;
}

export function runFigures(result: RunResult, threads: number): RunFigures {
  const f = result.figures;
  return {
    wall_time_s: f.wallSeconds,
    simulate_time_s: f.simulateSeconds,
    server_time_s: f.serverSeconds,
    inference_time_s: f.inferenceSeconds,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    threads,
    device_seconds: f.deviceSeconds,
    device_seconds_per_wall_second: f.deviceSeconds / f.wallSeconds,
    samples_rendered: f.samples,
    samples_per_wall_second: f.samples / f.wallSeconds,
  };
}

type ContextRate = { phone_hours: number; triggers: number; per_phone_hour: number | null };

/** Monitored phone-hours, triggers and triggers per phone-hour by true phone context, all and while driving. */
export function triggersByContext(result: RunResult): Record<string, ContextRate & { driving: ContextRate }> {
  const c = result.state.columns;
  const seconds = c.f64('truth.context_s'), triggers = c.u32('truth.context_triggers');
  // Every slot's sums in one pass over the phones (ten million at national scale), each added in device order as before.
  const S = new Float64Array(CONTEXT_SLOTS), T = new Float64Array(CONTEXT_SLOTS);
  for (let d = 0, o = 0; d < c.rows; d++) for (let k = 0; k < CONTEXT_SLOTS; k++, o++) { S[k] += seconds[o]!; T[k] += triggers[o]!; }
  const rate = (slot: number): ContextRate => {
    const s = S[slot]!, t = T[slot]!;
    return { phone_hours: s / 3600, triggers: t, per_phone_hour: s > 0 ? t / (s / 3600) : null };
  };
  const out: Record<string, ContextRate & { driving: ContextRate }> = {};
  PHONE_CONTEXTS.forEach((name, j) => {
    const still = rate(contextSlot(j, false)), driving = rate(contextSlot(j, true));
    const h = still.phone_hours + driving.phone_hours, t = still.triggers + driving.triggers;
    out[name] = { phone_hours: h, triggers: t, per_phone_hour: h > 0 ? t / h : null, driving };
  });
  return out;
}

/** Run-wide counts that belong in the summary (deterministic: no timings). */
export function runCounts(result: RunResult) {
  const cfg = result.state.scenario.config;
  const monitoring = result.state.columns.u8('monitoring').reduce((s, v) => s + v, 0);
  return {
    devices: result.state.columns.rows,
    monitoring_devices: monitoring,
    simulated_s: cfg.duration,
    device_hours: (monitoring * cfg.duration) / 3600,
    /** Kilometres the phones travelled in vehicles (the exposure of road-anomaly reports). */
    km_driven: result.state.columns.f64('mob.driven_m').reduce((s, v) => s + v, 0) / 1000,
    triggers: result.messages.triggers,
    /** Triggers sent per phone-hour monitored, by the phone's true context (in a run without hazards, every one is false). */
    triggers_by_context: triggersByContext(result),
    trigger_updates: result.messages.updates,
    heartbeats: result.messages.heartbeats,
    devices_triggered: result.messages.devicesTriggered,
    messages_lost: result.messages.lost,
    /** Of those, lost because their region's network was down. */
    messages_lost_to_outage: result.messages.lostToOutage,
    alerts_issued: result.alerts.length,
    alert_receipts: result.receipts.length,
    pushes_lost: result.pushes.lost,
    pushes_lost_to_outage: result.pushes.lostToOutage,
    /** The on-device budget view, per detector and phone profile (measured timings are in the manifest). */
    detector_budget: result.budget.map(({ timing: _timing, ...row }) => row),
    /** What the scenario was warned about (a hazard no phone could observe, a magnitude outside a model's range, a budget exceeded…). */
    ...(result.state.scenario.warnings.length ? { warnings: result.state.scenario.warnings } : {}),
    /** Fleet operations: telemetry, firmware updates, a staged rollout and what it cost (scenarios with a fleet section). */
    ...(result.state.scenario.config.fleet ? { fleet: fleetCounts(result) } : {}),
  };
}

export function buildManifest(result: RunResult, figures: RunFigures) {
  const s = result.state.scenario;
  return {
    hazardsim_manifest: 1,
    scenario_name: s.config.name,
    scenario_hash: s.hash,
    seed: s.config.seed,
    created: new Date().toISOString(),
    versions: packageVersions(),
    machine: { cpus: availableParallelism(), platform: process.platform, arch: process.arch },
    world: { file: s.files.find((f) => f.field === 'world')?.path, name: result.state.world.name, hash: result.state.world.hash },
    figures,
    /** The per-device loop this run used (fidelity and stages in order). */
    plan: result.plan,
    detector_budget: result.budget,
    /** What `hazardsim score` needs besides the row files: the run's counts and phone count. */
    counts: runCounts(result),
    scenario: scenarioRecord(s),
  };
}

/** Writes a run's summary.json (metrics only) and manifest.json into its folder. */
export function writeRunJson(dir: string, summary: object, manifest: object): void {
  writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
}
