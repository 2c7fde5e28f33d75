/**
 * Scoring of fleet operations (truth side, after the run): how many phones each firmware update
 * reached, and for a staged rollout what it cost — phone-hours on the candidate, the triggers and
 * false triggers (outside every hazard's match window) it sent against the rate of the eligible phone models on the baseline, false alerts while it ran, the time to detect
 * a bad candidate and to roll it back, and the candidate's share when a hazard struck.
 */
import type { RunResult } from '../engine/run.js';
import { stableUniform, componentKey } from '../core/random.js';
import { poissonRate } from '../score/intervals.js';

/** The fleet block of a run's counts (deterministic; kept in the manifest so `hazardsim score` gives it back). */
export function fleetCounts(result: RunResult): Record<string, unknown> | undefined {
  const sc = result.state.scenario, fleet = sc.config.fleet;
  if (!fleet) return undefined;
  const cols = result.state.columns, n = cols.rows, phone = cols.u8('phone');
  const names = sc.phones.map((p) => p.name);
  const updates = fleet.updates.map((u, i) => {
    const key = componentKey(sc.config.seed, `firmware.update.${i}`);
    let devices = 0;
    for (let d = 0; d < n; d++) if ((!u.phones || u.phones.includes(names[phone[d]!]!)) && stableUniform(key, d, 0) < u.share) devices++;
    return { firmware: u.firmware, at_s: u.at, phones: u.phones ?? names, share: u.share, devices };
  });
  const out: Record<string, unknown> = {
    telemetry: { every_s: fleet.telemetry_every, rows_received: result.telemetry?.rows ?? 0, rows_lost: result.telemetry?.lost ?? 0 },
    firmware_updates: updates,
  };
  const r = result.rollout;
  if (!r || !fleet.rollout) return out;
  // Truth: monitored time and triggers on the candidate, and on the baseline.
  const candS = cols.f64('truth.candidate_s'), candT = cols.u32('truth.candidate_triggers'), ctxS = cols.f64('truth.context_s');
  const width = ctxS.length / n;
  // The baseline is what phones of the eligible models sent on their own detector (other models trigger at their own rates).
  const eligible = new Set(sc.candidate!.phones);
  let candSeconds = 0, candTriggers = 0, allSeconds = 0;
  for (let d = 0; d < n; d++) {
    candSeconds += candS[d]!; candTriggers += candT[d]!;
    if (eligible.has(phone[d]!)) for (let k = 0; k < width; k++) allSeconds += ctxS[width * d + k]!;
  }
  // False triggers: those sent outside every hazard's match window (start to start + scoring.match_window).
  const windows = result.truths.map((t) => [t.start, t.start + (t.matchWindowS ?? sc.config.scoring.match_window)] as const);
  let candFalse = 0, baseFalse = 0;
  const log = result.triggers.columns();
  for (let i = 0; i < log.count; i++) {
    const t = log.time[i]!;
    if (log.kind[i] !== 0 || windows.some(([a, b]) => t >= a && t <= b)) continue;
    if (r.modelAt(log.device[i]!, t)) candFalse++; else if (eligible.has(phone[log.device[i]!]!)) baseFalse++;
  }
  // Exposure outside the windows: the phone-hours scaled by the share of the run outside them (minutes of a run of hours).
  const covered = windows.reduce((s, [a, b]) => s + Math.max(0, Math.min(sc.config.duration, b) - Math.max(0, a)), 0);
  const outside = Math.max(0, 1 - covered / sc.config.duration);
  const candHours = (candSeconds / 3600) * outside, baseHours = ((allSeconds - candSeconds) / 3600) * outside;
  const baseRate = baseHours > 0 ? baseFalse / baseHours : NaN;
  const expected = baseRate * candHours;
  const end = Number.isFinite(r.settledBy) && r.status === 'rolled_back' ? r.settledBy : sc.config.duration;
  const fin = (v: number) => (Number.isFinite(v) ? v : null);
  return {
    ...out,
    rollout: {
      candidate: fleet.rollout.name,
      baseline: fleet.rollout.baseline_name,
      status: r.status,
      final_step: r.step,
      /** The largest share it reached, and the share it ended on (0 after a roll-back). */
      reached_share: r.step >= 0 ? fleet.rollout.steps[r.step]!.share : 0,
      final_share: r.step >= 0 && r.status !== 'rolled_back' ? fleet.rollout.steps[r.step]!.share : 0,
      started_s: fin(r.startedAt),
      completed_s: fin(r.completedAt),
      alarm_s: fin(r.alarmAt),
      alarm_reason: r.alarmReason || null,
      rolled_back_by_s: r.status === 'rolled_back' ? fin(r.settledBy) : null,
      time_to_detect_s: Number.isFinite(r.alarmAt) ? r.alarmAt - r.startedAt : null,
      time_to_roll_back_s: r.status === 'rolled_back' ? r.settledBy - r.alarmAt : null,
      candidate_phone_hours: candSeconds / 3600,
      candidate_triggers: candTriggers,
      candidate_false_triggers: candFalse,
      candidate_false_triggers_per_phone_hour: poissonRate(candFalse, candHours, 1),
      baseline_false_triggers_per_phone_hour: poissonRate(baseFalse, baseHours, 1),
      /** False triggers the candidate sent beyond what the baseline would have sent in the same phone-hours. */
      excess_false_triggers: Number.isFinite(expected) ? candFalse - expected : null,
      exposure_window_s: [fin(r.startedAt), end],
      hazards: result.truths.map((t, i) => ({ hazard: i, start_s: t.start, candidate_share: r.shareAt(t.start) })),
      decisions: r.decisions,
    },
  };
}

/** Adds what depends on scoring to the fleet block: false alerts issued while the candidate ran. */
export function withFleetScore(summary: Record<string, unknown>): Record<string, unknown> {
  const rollout = (summary.fleet as { rollout?: Record<string, unknown> } | undefined)?.rollout;
  if (!rollout) return summary;
  const [from, to] = rollout.exposure_window_s as [number | null, number];
  const events = (summary.events ?? []) as { first_alert_time: number; matched_hazard: number | null }[];
  rollout.false_alerts_during = from === null ? 0 : events.filter((e) => e.matched_hazard === null && e.first_alert_time >= from && e.first_alert_time <= to).length;
  return summary;
}
