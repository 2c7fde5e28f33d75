/**
 * The fleet stages in a small run: telemetry rows for every phone and period (less what the uplink
 * lost), a noise floor that matches the profile's noise by hand calculation and doubles for the
 * phones a firmware update reached (and only from the update on), identical telemetry and rollout
 * decisions whatever the threads and epochs, and a bad candidate rolled back end to end.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/engine/run.js';
import { buildSummary } from '../../src/cli/run.js';
import { builtinPlugins } from '../../src/plugins.js';
import { summarySchema } from '../../src/score/summary-schema.js';
import { ROOT, cli, smallScenario, tempDir, writeScenario } from '../helpers.js';

const staLta = { type: 'sta-lta', highpass_hz: 1, sta: '0.5s', lta: '10s', on_ratio: 4, off_ratio: 1.5, min_amplitude_g: 0.01 };

describe('fleet stages', () => {
  const dir = tempDir();
  const base = smallScenario(dir, {
    duration: '2h', local_start: '01:00', hazards: [], detector: staLta,
    population: {
      devices: 80,
      phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }, { profile: join(ROOT, 'agents/phones/budget.yaml') }],
      behaviours: [{ profile: join(ROOT, 'agents/behaviours/on-table.yaml') }],
    },
    fleet: { telemetry_every: '30m', firmware: '1.0', updates: [{ firmware: '1.1', at: '1h', phones: ['budget'], share: 0.5, accelerometer: { noise_scale: 2 } }] },
  });
  const file = writeScenario(dir, base);

  it('writes telemetry whose noise floor follows the profile and the firmware update', async () => {
    const s = loadScenario(file, { plugins: builtinPlugins });
    const r = await runScenario(s, { plugins: builtinPlugins, threads: 2 });
    const t = r.telemetry!, c = t.columns();
    expect(t.rows + t.lost).toBe(80 * 4); // 80 phones × 4 half-hours
    expect(t.lost / (t.rows + t.lost)).toBeLessThan(0.06); // uplink loss 2 %
    const floor = (model: string, fw: string, from: number) => {
      const v: number[] = [];
      for (let i = 0; i < t.rows; i++) if (c.phone_model![i] === model && c.firmware![i] === fw && (c.start_s![i] as number) >= from && c.monitored_s![i] === 1800) v.push(c.accel_noise_floor_mg![i] as number);
      v.sort((a, b) => a - b);
      return v[v.length >> 1]!;
    };
    // Hand calculation: σ = 180 µg/√Hz × √25 Hz = 0.90 mg per axis (the magnitude of a phone at rest
    // moves with its vertical axis), with 16-bit codes over ±8 g (0.244 mg, /√12 = 0.070 mg) in
    // quadrature: 0.903 mg. The 10th percentile of an RMS of 50 samples about their mean is
    // σ √(χ²₄₉(0.1) / 50) = 0.860 σ (Wilson–Hilferty): 0.776 mg.
    const sigma = Math.hypot(0.9, (16 * 1000) / 65536 / Math.sqrt(12));
    const q10 = Math.sqrt((49 * (1 - 2 / (9 * 49) - 1.2816 * Math.sqrt(2 / (9 * 49))) ** 3) / 50);
    expect(floor('budget', '1.0', 0) / (sigma * q10)).toBeGreaterThan(0.94);
    expect(floor('budget', '1.0', 0) / (sigma * q10)).toBeLessThan(1.06);
    expect(floor('budget', '1.1', 3600) / floor('budget', '1.0', 3600)).toBeGreaterThan(1.85);
    expect(floor('budget', '1.1', 3600) / floor('budget', '1.0', 3600)).toBeLessThan(2.15);
    // The mid-range phones (110 µg/√Hz) are untouched: 0.55 mg × 0.860 with their quantisation.
    expect(floor('mid-range', '1.0', 3600) / floor('mid-range', '1.0', 0)).toBeCloseTo(1, 1);
    // Before the update no phone reports 1.1; after it, half the budget phones (± 3 σ of 40 × 0.5).
    const updated = new Set<number>();
    for (let i = 0; i < t.rows; i++) {
      if (c.firmware![i] !== '1.1') continue;
      expect(c.start_s![i]).toBeGreaterThanOrEqual(3600);
      updated.add(c.device![i] as number);
    }
    const budget = new Set<number>();
    for (let i = 0; i < t.rows; i++) if (c.phone_model![i] === 'budget') budget.add(c.device![i] as number);
    expect(Math.abs(updated.size - budget.size / 2)).toBeLessThan(3 * Math.sqrt(budget.size / 4));
    const summary = buildSummary(r) as Record<string, any>;
    expect(summary.fleet.firmware_updates[0].devices).toBe(updated.size);
  });

  it('rolls back a more sensitive candidate, and decides the same whatever the threads and epochs', async () => {
    const rolloutFile = writeScenario(dir, {
      ...base, duration: '45m', population: { ...(base.population as object), devices: 200 },
      fleet: {
        telemetry_every: '10m',
        rollout: {
          name: 'sensitive', candidate: { ...staLta, sta: '0.2s', on_ratio: 2.5, min_amplitude_g: 0.003 },
          steps: [{ share: 0.1, at: '10m' }, { share: 0.5, at: '30m' }, { share: 1, at: '40m' }],
          monitor: { delay: '2m' },
        },
      },
    }, 'rollout.yaml');
    const s = loadScenario(rolloutFile, { plugins: builtinPlugins });
    const runs = [
      await runScenario(s, { plugins: builtinPlugins, threads: 2 }),
      await runScenario(s, { plugins: builtinPlugins, threads: 1, chunkSize: 37, epochTicks: 7 }),
    ];
    const [a, b] = runs.map((r) => buildSummary(r) as Record<string, any>);
    expect(JSON.stringify(b!.fleet)).toBe(JSON.stringify(a!.fleet));
    expect(summarySchema.safeParse(a).success).toBe(true); // the fleet block as schema/summary.schema.json describes it
    const ro = a!.fleet.rollout;
    expect(ro.status).toBe('rolled_back');
    expect(ro.final_step).toBe(0); // before 50 %
    expect(ro.alarm_reason).toMatch(/false triggers/);
    expect(ro.time_to_roll_back_s).toBeLessThanOrEqual(61); // every phone's next heartbeat (every 60 s)
    expect(ro.candidate_false_triggers).toBeGreaterThan(0);
    expect(ro.excess_false_triggers).toBeGreaterThan(0);
    expect(ro.candidate_false_triggers_per_phone_hour.lo).toBeGreaterThan(ro.baseline_false_triggers_per_phone_hour.hi);
    // After the roll-back no phone runs the candidate.
    const model = runs[0]!.state.columns.u8('fleet.model');
    expect(model.every((v) => v === 0)).toBe(true);
  });

  it('refuses a fleet section that names no phone model of the population, or trigger fidelity, naming the field', () => {
    const bad = writeScenario(dir, { ...base, fleet: { updates: [{ firmware: '2', at: '1h', phones: ['nokia-3310'] }] } }, 'bad-phone.yaml');
    const r = cli(['validate', bad]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/bad-phone\.yaml: fleet\.updates\[0\]\.phones\[0\]: expected the name of a phone profile of the population \("mid-range", "budget"\), found "nokia-3310"/);
    const trig = writeScenario(dir, { ...base, fidelity: 'trigger' }, 'trigger-fleet.yaml');
    const t = cli(['validate', trig]);
    expect(t.code).toBe(2);
    expect(t.stdout + t.stderr).toMatch(/trigger-fleet\.yaml: fleet: expected signal fidelity/);
    const steps = writeScenario(dir, { ...base, fleet: { rollout: { candidate: staLta, steps: [{ share: 0.5, at: '1h' }, { share: 0.1, at: '2h' }] } } }, 'steps.yaml');
    const u = cli(['validate', steps]);
    expect(u.code).toBe(2);
    expect(u.stdout + u.stderr).toMatch(/steps\.yaml: fleet\.rollout\.steps\[1\]\.share: expected a share above the previous step's 0\.5/);
  });

  it('keeps a new phone model silent until it joins, and rolls out only inside a region', async () => {
    const file2 = writeScenario(dir, {
      ...base, duration: '1h', population: { ...(base.population as object), devices: 120 },
      fleet: {
        telemetry_every: '15m', arrivals: [{ phones: ['budget'], at: '30m' }],
        // The candidate is the baseline itself (nothing to alarm on); only phones west of the city's centre meridian are eligible.
        rollout: { candidate: staLta, steps: [{ share: 1, at: '10m' }], region: [-121, 35, -120, 37] },
      },
    }, 'arrivals.yaml');
    const s = loadScenario(file2, { plugins: builtinPlugins });
    const r = await runScenario(s, { plugins: builtinPlugins, threads: 2 });
    const c = r.telemetry!.columns(), phone = r.state.columns.u8('phone');
    const budget = s.phones.findIndex((p) => p.name === 'budget');
    let early = 0, late = 0;
    for (let i = 0; i < r.telemetry!.rows; i++) if (c.phone_model![i] === 'budget') (c.start_s![i] as number) < 1800 ? early++ : late++;
    expect(early).toBe(0);
    expect(late).toBeGreaterThan(0);
    // No message of any kind from a budget phone before it joined.
    const log = r.triggers.columns();
    for (let i = 0; i < log.count; i++) if (phone[log.device[i]!] === budget) expect(log.time[i]).toBeGreaterThanOrEqual(1800);
    // The candidate ran only on phones the backend last heard from west of −120° (the grid city's centre).
    let west = 0, eastOnCandidate = 0;
    for (let i = 0; i < r.telemetry!.rows; i++) {
      if (c.model![i] !== 'candidate') continue;
      if ((c.lon![i] as number) <= -120.0005) west++; else if ((c.lon![i] as number) > -119.9995) eastOnCandidate++;
    }
    expect(west).toBeGreaterThan(20);
    expect(eastOnCandidate).toBe(0);
    const ro = (buildSummary(r) as Record<string, any>).fleet.rollout;
    expect(ro.status).toBe('completed');
  });
});
