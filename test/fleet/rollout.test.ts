/**
 * The rollout backend on telemetry made here (Poisson trigger counts, not the simulator): Wald's
 * log likelihood ratio against a hand calculation; a candidate that triggers three times as often
 * as the control is rolled back at the first 1 % decision; one that triggers as often reaches
 * 100 % step by step; phones switch at their next heartbeat after a decision.
 */
import { describe, expect, it } from 'vitest';
import { RolloutController } from '../../src/fleet/rollout.js';
import { FastRandom } from '../../src/core/random.js';
import type { RolloutConfig } from '../../src/fleet/schema.js';
import type { TelemetryRow } from '../../src/fleet/telemetry-table.js';

const cfg = (o: Partial<RolloutConfig['monitor']> = {}): RolloutConfig => ({
  candidate: { type: 'sta-lta' } as never, name: 'cand', baseline_name: 'base',
  steps: [{ share: 0.01, at: 3600 }, { share: 0.1, at: 2 * 3600 }, { share: 0.5, at: 3 * 3600 }, { share: 1, at: 4 * 3600 }],
  monitor: { delay: 300, min_windows: 200, false_trigger_ratio: 2, alpha: 0.05, beta: 0.1, score_psi: 0.25, ...o },
  on_alarm: 'rollback',
});

function poisson(r: FastRandom, mean: number): number {
  let k = 0, p = Math.exp(-mean), s = p;
  const u = r.uniform();
  while (u > s) { k++; p *= mean / k; s += p; }
  return k;
}

/** Runs the controller over hours of telemetry from n phones triggering `base` times an hour (the candidate `ratio` times that). */
function simulate(ratio: number, n = 4000, hours = 6) {
  const phone = new Uint8Array(n), target = new Uint8Array(n), switchAt = new Float64Array(n).fill(Infinity);
  const c = new RolloutController(cfg(), { seed: 1, devices: n, phone, eligible: [0], tick: 1, target, switchAt, heartbeat: (d, t) => t + ((d * 7) % 60) });
  const r = FastRandom.of(9, 'rollout-test');
  const times = c.decisionTimes(3600, hours * 3600);
  let period = 0;
  for (const t of times) {
    const rows: TelemetryRow[] = [];
    // The hour that ended before this decision: each phone's count under the detector it ran then.
    const end = Math.floor(t / 3600) * 3600;
    if (end > period * 3600) {
      for (let d = 0; d < n; d++) {
        const m = c.modelAt(d, end - 1);
        rows.push({ device: d, period, end, received: end + 1, phone: 0, model: m, monitored: 3600, triggers: poisson(r, m ? 2 * ratio : 2), scores: undefined, x: 0, y: 0 });
      }
      period++;
    }
    c.decide(t, rows);
  }
  return { c, switchAt, target };
}

describe('rollout controller', () => {
  it('computes Wald\'s log likelihood ratio as by hand', () => {
    const c = new RolloutController(cfg(), { seed: 1, devices: 1, phone: new Uint8Array(1), eligible: [0], tick: 1, target: new Uint8Array(1), switchAt: new Float64Array(1), heartbeat: (_, t) => t });
    c.decide(3600, []); // starts the first step
    const row = (model: number, hours: number, triggers: number): TelemetryRow => ({ device: 0, period: 1, end: 7200, received: 7201, phone: 0, model, monitored: hours * 3600, triggers, scores: undefined, x: 0, y: 0 });
    c.decide(7500, [row(1, 10, 30), row(0, 90, 90)]);
    // p0 = 10/100 = 0.1, p1 = 20/110; 30 ln(p1/p0) + 90 ln((1 − p1)/(1 − p0)) = 9.356
    expect(c.logLr()).toBeCloseTo(30 * Math.log((20 / 110) / 0.1) + 90 * Math.log((90 / 110) / 0.9), 9);
    expect(c.logLr()).toBeCloseTo(9.36, 2);
    expect(c.status).toBe('rolled_back');
  });

  it('rolls back a candidate that triggers three times as often, at 1 %', () => {
    const { c, target } = simulate(3);
    expect(c.status).toBe('rolled_back');
    expect(c.step).toBe(0);
    expect(c.alarmReason).toMatch(/false triggers/);
    expect(c.alarmAt - c.startedAt).toBeLessThanOrEqual(3600 + 300);
    expect(target.every((v) => v === 0)).toBe(true);
    // Every phone is back on the baseline within a heartbeat interval of the alarm.
    expect(c.settledBy - c.alarmAt).toBeLessThanOrEqual(60);
  });

  it('takes a candidate that triggers as often to 100 %, one step at a time', () => {
    const { c, target } = simulate(1);
    expect(c.status).toBe('completed');
    expect(c.decisions.filter((d) => d.action === 'start' || d.action === 'advance' || d.action === 'complete').map((d) => d.share)).toEqual([0.01, 0.1, 0.5, 1]);
    expect(target.every((v) => v === 1)).toBe(true);
    // Cohorts are nested and the size asked for: 10 % of 4,000 phones ± 3 σ.
    const ten = c.decisions.find((d) => d.share === 0.1)!;
    expect(ten.time_s).toBeGreaterThanOrEqual(7200);
    let on = 0;
    for (let d = 0; d < 4000; d++) on += c.modelAt(d, ten.time_s + 60);
    expect(Math.abs(on - 400)).toBeLessThan(3 * Math.sqrt(4000 * 0.1 * 0.9));
  });
});
