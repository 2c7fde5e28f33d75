/**
 * `hazardsim sweep` on this machine: each merged row is what `hazardsim run` gives for that point and
 * seed (the reference: the single-run command), runs already done are not run again, and bad input
 * (a path the scenario does not have, an empty grid, an unreachable Redis, a bad catalogue row)
 * exits 2 naming the file and field, with nothing written.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { cli, smallScenario, tempDir, writeScenario } from '../helpers.js';

const csv = (file: string) => {
  const [head, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = head!.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i]!, v])));
};

describe('hazardsim sweep (local)', () => {
  const dir = tempDir(), scenario = writeScenario(dir, smallScenario(dir));
  const sweep = join(dir, 'sweep.yaml'), out = join(dir, 'out');
  writeFileSync(sweep, stringify({ name: 'mag', scenario: 'scenario.yaml', seeds: 2, grid: [{ path: 'hazards.0.magnitude', values: [5, 6] }] }));

  it('merges one row per point × seed that matches `hazardsim run` of that point, pooled rows with intervals, and a report', () => {
    const r = cli(['sweep', sweep, '--out', out, '--jobs', '2']);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.stdout).toMatch(/2 points × 2 seeds = 4 runs/);
    const rows = csv(join(out, 'sweep.csv'));
    expect(rows.map((x) => [Number(x['hazards.0.magnitude']), Number(x.seed)])).toEqual([[5, 7], [5, 8], [6, 7], [6, 8]]);
    const single = cli(['run', scenario, '--set', 'hazards.0.magnitude=6', '--seed', '8', '--out', join(dir, 'single'), '--quiet']);
    expect(single.code).toBe(0);
    const s = JSON.parse(readFileSync(join(dir, 'single', 'summary.json'), 'utf8')), h = s.hazards[0];
    expect(Number(rows[3]!.timely)).toBe(h.outcomes.timely);
    expect(Number(rows[3]!.deserving)).toBe(h.deserving);
    expect(Number(rows[3]!.alert_latency_s)).toBeCloseTo(h.alert_latency_s, 9);
    expect(Number(rows[3]!.triggers_per_phone_hour)).toBeCloseTo(s.triggers / s.device_hours, 9);
    const pooled = csv(join(out, 'sweep-pooled.csv'));
    expect(pooled).toHaveLength(2);
    for (const p of pooled) {
      expect(Number(p.timely_share_lo)).toBeLessThanOrEqual(Number(p.timely_share));
      expect(Number(p.timely_share)).toBeLessThanOrEqual(Number(p.timely_share_hi));
    }
    // Pooled timely share = summed timely over summed deserving (hand check from the rows).
    const m6 = rows.slice(2), share = m6.reduce((a, x) => a + Number(x.timely), 0) / m6.reduce((a, x) => a + Number(x.deserving), 0);
    expect(Number(pooled[1]!.timely_share)).toBeCloseTo(share, 12);
    expect(csv(join(out, 'sweep-bands.csv')).length).toBeGreaterThanOrEqual(4);
    expect(existsSync(join(out, 'sweep.parquet'))).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<svg class="plot"/);
  }, 120_000);

  it('runs again only what is missing, and merges byte-identical tables', () => {
    const before = readFileSync(join(out, 'sweep.parquet'));
    const file = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')).points[0].hash;
    rmSync(join(out, 'points', file, 'seed-8'), { recursive: true });
    const kept = statSync(join(out, 'points', file, 'seed-7', 'summary.json')).mtimeMs;
    const r = cli(['sweep', sweep, '--out', out], { env: { HAZARDSIM_PROGRESS_MS: '0' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/4\/4 runs done \(3 from before\)/);
    expect(statSync(join(out, 'points', file, 'seed-7', 'summary.json')).mtimeMs).toBe(kept);
    expect(readFileSync(join(out, 'sweep.parquet')).equals(before)).toBe(true);
  }, 120_000);
});

describe('hazardsim sweep: bad input exits 2 naming the file and field, writing nothing', () => {
  const dir = tempDir();
  writeScenario(dir, smallScenario(dir));
  const run = (sweep: object | string, extra: string[] = []) => {
    const file = join(dir, 'bad.yaml'), out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, typeof sweep === 'string' ? sweep : stringify({ name: 'bad', scenario: 'scenario.yaml', ...sweep }));
    const r = cli(['sweep', file, '--out', out, ...extra]);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    return r.stderr;
  };

  it('a path the scenario does not have', () => {
    expect(run({ grid: [{ path: 'population.adoptionn', values: [0.1] }] })).toMatch(/bad\.yaml: grid\[0\]\.path: point 1 \(population\.adoptionn=0\.1\): .*adoptionn/);
  });
  it('an empty grid', () => {
    expect(run({ grid: [{ path: 'population.devices', values: [] }] })).toMatch(/bad\.yaml: grid\[0\]\.values: expected at least one value/);
  });
  it('an unreachable Redis', () => {
    expect(run({ grid: [{ path: 'population.devices', values: [100] }] }, ['--redis', 'redis://127.0.0.1:1'])).toMatch(/--redis: cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  });
  it('a catalogue row with a bad magnitude', () => {
    writeFileSync(join(dir, 'events.csv'), 'origin_time,lon,lat,depth_km,magnitude\n2020-01-01T00:00:00Z,-120.03,36,8,5.5\n2020-01-02T00:00:00Z,-120.03,36,8,11\n');
    expect(run({ catalogue: { file: 'events.csv' } })).toMatch(/events\.csv: line 3, magnitude: expected a magnitude from 0 to 10, found "11"/);
  });
});
