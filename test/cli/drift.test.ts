/**
 * `hazardsim drift` on a fleet whose phone model B got a firmware update at hour 60 that raised its
 * noise floor by 3 σ (made here, the reference): it names B's noise floor as drifted, from about
 * hour 60, and not model A's, nor the trigger rate; bad columns are bad input.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FastRandom } from '../../src/core/random.js';
import { ROOT, cli, smallScenario, tempDir, writeScenario } from '../helpers.js';

describe('hazardsim drift', () => {
  const dir = tempDir(), r = FastRandom.of(3, 'drift-fleet');
  const table = (file: string, shifted: boolean) => {
    const rows = ['hour,phone_model,noise_floor,trigger_rate'];
    for (let i = 0; i < 2000; i++) {
      const hour = Math.floor(i / 20), model = i % 2 ? 'A' : 'B';
      const noise = 1 + 0.1 * r.normal() + (shifted && model === 'B' && hour >= 60 ? 0.3 : 0);
      rows.push([hour, model, noise.toFixed(5), (2 + 0.5 * r.normal()).toFixed(5)].join(','));
    }
    writeFileSync(join(dir, file), rows.join('\n') + '\n');
  };
  table('reference.csv', false);
  table('current.csv', true);

  it('names the drifted slice and feature, and when it began', () => {
    const res = cli(['drift', join(dir, 'reference.csv'), join(dir, 'current.csv'), '--by', 'phone_model', '--time', 'hour', '--features', 'noise_floor', 'trigger_rate', '--json']);
    expect(res.code).toBe(0);
    const j = JSON.parse(res.stdout);
    expect(j.drifted).toContain('phone_model=B: noise_floor');
    expect(j.drifted).toContain('all: noise_floor');
    expect(j.drifted).not.toContain('phone_model=A: noise_floor');
    expect(j.drifted.some((d: string) => d.endsWith('trigger_rate'))).toBe(false);
    const b = j.results.find((x: any) => x.slice === 'phone_model=B' && x.feature === 'noise_floor');
    expect(b.since).toBeGreaterThanOrEqual(60);
    expect(b.since).toBeLessThan(66);
    expect(b.psi).toBeGreaterThan(0.25); // 40 % of B's rows moved by 3 σ
  });

  it('refuses a dataset as the reference, saying what to compare instead', () => {
    const ds = join(dir, 'dataset');
    mkdirSync(ds, { recursive: true });
    writeFileSync(join(ds, 'dataset.json'), JSON.stringify({ scenarios: [{ file: 'scenarios/dataset-quake.yaml' }] }));
    const res = cli(['drift', ds, join(dir, 'current.csv')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/dataset: a dataset: .* run each of them \(scenarios\/dataset-quake\.yaml\) with --set fleet\.telemetry_every=1h/);
  });

  it('refuses a slice column the tables lack', () => {
    const res = cli(['drift', join(dir, 'reference.csv'), join(dir, 'current.csv'), '--by', 'firmware']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--by: the reference table has no column "firmware"/);
  });
});

describe('hazardsim drift on telemetry from runs', () => {
  const dir = tempDir();
  const day = smallScenario(dir, {
    duration: '4h', local_start: '01:00', hazards: [], detector: { type: 'sta-lta', highpass_hz: 1, min_amplitude_g: 0.01 },
    population: {
      devices: 120,
      phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }, { profile: join(ROOT, 'agents/phones/budget.yaml') }],
      behaviours: [{ profile: join(ROOT, 'agents/behaviours/on-table.yaml'), share: 0.7 }, { profile: join(ROOT, 'agents/behaviours/stationary.yaml'), share: 0.3 }],
    },
    fleet: { telemetry_every: '30m', updates: [{ firmware: '2.0', at: '2h', phones: ['budget'], share: 0.3, accelerometer: { noise_scale: 2 } }] },
  });
  const file = writeScenario(dir, day);
  const run = (out: string, ...extra: string[]) => {
    const r = cli(['run', file, '--out', join(dir, out), '--quiet', ...extra]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return join(dir, out);
  };
  const reference = run('reference', '--seed', '2', '--set', 'fleet.updates=[]');

  it('names the updated phone model\'s noise floor, from the first period after the update', () => {
    const current = run('current', '--seed', '3');
    const res = cli(['drift', reference, current, '--json', '--out', join(dir, 'report')]);
    expect(res.code).toBe(0);
    const j = JSON.parse(res.stdout);
    expect(j.telemetry).toBe(true);
    expect(j.by).toEqual(['phone_model', 'firmware', 'context']);
    expect(j.drifted).toContain('phone_model=budget: accel_noise_floor_mg');
    expect(j.drifted.some((d: string) => d.startsWith('phone_model=mid-range'))).toBe(false);
    const b = j.results.find((x: any) => x.slice === 'phone_model=budget' && x.feature === 'accel_noise_floor_mg');
    // The update reaches phones at 2 h; the first telemetry it shows in ends at 2.5 h.
    expect(b.since).toBeGreaterThanOrEqual(2 * 3600);
    expect(b.since).toBeLessThanOrEqual(2.5 * 3600);
    // The new firmware is a slice the reference has never seen.
    expect(j.results.find((x: any) => x.slice === 'firmware=2.0').test).toMatch(/new slice/);
    expect(readFileSync(join(dir, 'report', 'drift.html'), 'utf8')).toMatch(/phone_model=budget: accel_noise_floor_mg/);
  });

  it('reports no drift on a day without the update', () => {
    const quiet = run('quiet', '--seed', '4', '--set', 'fleet.updates=[]');
    const j = JSON.parse(cli(['drift', reference, quiet, '--json']).stdout);
    expect(j.drifted).toEqual([]);
  });
});
