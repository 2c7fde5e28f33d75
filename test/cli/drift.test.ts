/**
 * `hazardsim drift` on a fleet whose phone model B got a firmware update at hour 60 that raised its
 * noise floor by 3 σ (made here, the reference): it names B's noise floor as drifted, from about
 * hour 60, and not model A's, nor the trigger rate; bad columns are bad input.
 */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FastRandom } from '../../src/core/random.js';
import { cli, tempDir } from '../helpers.js';

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

  it('refuses a slice column the tables lack', () => {
    const res = cli(['drift', join(dir, 'reference.csv'), join(dir, 'current.csv'), '--by', 'firmware']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--by: the reference table has no column "firmware"/);
  });
});
