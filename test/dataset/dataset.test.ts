import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { ROOT, cli, smallScenario, tempDir, writeScenario } from '../helpers.js';

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

/** 300 phones of three kinds doing three things, an M5.5 near the city at 20 s. */
function datasetScenario(dir: string, patch: Record<string, unknown> = {}, name = 'scenario.yaml'): string {
  return writeScenario(dir, smallScenario(dir, {
    duration: '80s',
    population: {
      devices: 300,
      phones: [
        { profile: join(ROOT, 'agents/phones/budget.yaml'), share: 0.4 },
        { profile: join(ROOT, 'agents/phones/flagship.yaml'), share: 0.6 },
      ],
      behaviours: [
        { profile: join(ROOT, 'agents/behaviours/on-table.yaml'), share: 0.4 },
        { profile: join(ROOT, 'agents/behaviours/stationary.yaml'), share: 0.3 },
        { profile: join(ROOT, 'agents/behaviours/pedestrian.yaml'), share: 0.3 },
      ],
    },
    ...patch,
  }), name);
}

describe('hazardsim dataset', () => {
  let dir: string, scenario: string, a: string;
  beforeAll(() => {
    dir = tempDir();
    scenario = datasetScenario(dir);
    a = join(dir, 'a');
    const r = cli(['dataset', scenario, '--out', a, '--windows', '800', '--threads', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('writes X.npy, y.npy and metadata that numpy reads as-is, with the counts dataset.json claims', () => {
    const info = JSON.parse(readFileSync(join(a, 'dataset.json'), 'utf8'));
    const py = spawnSync('python3', [join(ROOT, 'test/dataset/check_dataset.py'), a], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    const got = JSON.parse(py.stdout);
    expect(got.X_shape).toEqual([800, 3, 100]); // 2 s at 50 Hz (budget phones set the rate), 3 channels
    expect(got.X_dtype).toBe('float32');
    expect(got.y_shape).toEqual([800]);
    expect(got.y_dtype).toBe('int32');
    expect(got.X_finite).toBe(true);
    expect(got.metadata_rows).toBe(800);
    expect(got.metadata_labels_match_y).toBe(true);
    for (const [label, n] of Object.entries(got.label_counts)) expect(info.counts[`label:${label}`]).toBe(n);
    // Half positives (earthquake windows), the rest negatives split between hard and background.
    expect(info.counts['class:positive']).toBe(400);
    expect(info.counts['class:hard-negative'] + info.counts['class:background']).toBe(400);
    expect(info.shape).toEqual([800, 3, 100]);
    expect(info.channels).toEqual(['ax', 'ay', 'az']);
    expect(info.rate_hz).toBe(50);
    expect(info.scenarios[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(info.sha256['X.npy']).toBe(sha(join(a, 'X.npy')));
    // A phone at rest reads about 1 g.
    expect(got.mean_vertical_quiet).toBeGreaterThan(9.3);
    expect(got.mean_vertical_quiet).toBeLessThan(10.3);
  });

  it('labels windows from ground truth: P before S, shaking strong enough, quiet windows quiet', async () => {
    const rows = await parquetReadObjects({ file: new Uint8Array(readFileSync(join(a, 'metadata.parquet'))).buffer });
    expect(rows.length).toBe(800);
    const csv = readFileSync(join(a, 'metadata.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(Object.keys(rows[0]!).join(','));
    const quakes = rows.filter((r) => r.label === 'earthquake');
    expect(quakes.every((r) => r.class === 'positive' && (r.phase === 'P' || r.phase === 'S'))).toBe(true);
    expect(quakes.every((r) => (r.window_peak_g as number) >= 0.005 && (r.pga_g as number) > 0.005 && (r.distance_km as number) < 20)).toBe(true);
    // The earthquake starts at 20 s: no earthquake window ends before it, and P windows come first at every device.
    expect(quakes.every((r) => (r.start_s as number) + 2 > 20)).toBe(true);
    const firstS = new Map<number, number>();
    for (const r of quakes) if (r.phase === 'S') firstS.set(r.device as number, Math.min(firstS.get(r.device as number) ?? Infinity, r.start_s as number));
    for (const r of quakes) if (r.phase === 'P' && firstS.has(r.device as number)) expect(r.start_s).toBeLessThan(firstS.get(r.device as number)!);
    expect(quakes.filter((r) => r.phase === 'P').length).toBeGreaterThan(50);
    // Quiet windows carry no hazard signal.
    const quiet = rows.filter((r) => r.label === 'quiet' && !r.triggered);
    expect(quiet.length).toBeGreaterThan(20);
    expect(Math.max(...quiet.map((r) => r.window_peak_g as number))).toBeLessThan(0.002);
    // Every row has the phone, behaviour, context and a position inside the small city.
    for (const r of rows) {
      expect(['budget', 'flagship']).toContain(r.phone);
      expect(['on-table', 'stationary', 'pedestrian']).toContain(r.behaviour);
      expect(Math.abs((r.lon as number) + 120)).toBeLessThan(0.1);
    }
    // Rare labels are oversampled: hard negatives are spread over several kinds of events.
    expect(new Set(rows.filter((r) => r.class === 'hard-negative').map((r) => r.label)).size).toBeGreaterThanOrEqual(3);
  });

  it('gives every class the same mix of context and motion by default, so context alone cannot tell them apart', () => {
    // The mix read back from metadata.csv (not from dataset.json), positives against negatives: context × (walking, driving, still).
    const mix = (dirOf: string) => {
      const [head, ...rows] = readFileSync(join(dirOf, 'metadata.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
      const at = (n: string) => head!.indexOf(n);
      const by = new Map<string, Map<string, number>>();
      for (const r of rows) {
        const cls = r[at('class')] === 'positive' ? 'positive' : 'negative', act = r[at('activity')]!, cell = `${r[at('context')]}/${act === 'walk' ? 'walk' : act === 'drive' ? 'drive' : 'still'}`;
        const m = by.get(cls) ?? new Map<string, number>();
        m.set(cell, (m.get(cell) ?? 0) + 1);
        by.set(cls, m);
      }
      let tv = 0;
      for (const [, a] of by) for (const [, b] of by) {
        const na = [...a.values()].reduce((x, y) => x + y, 0), nb = [...b.values()].reduce((x, y) => x + y, 0);
        const cells = new Set([...a.keys(), ...b.keys()]);
        tv = Math.max(tv, 0.5 * [...cells].reduce((s, c) => s + Math.abs((a.get(c) ?? 0) / na - (b.get(c) ?? 0) / nb), 0));
      }
      return tv;
    };
    const info = JSON.parse(readFileSync(join(a, 'dataset.json'), 'utf8'));
    expect(info.options.match).toBe('context');
    expect(mix(a)).toBeLessThan(0.03);
    expect(info.balance.positive_negative_total_variation).toBeCloseTo(mix(a), 6);
    expect(Math.abs(info.shortcut.context_only_test_auc - 0.5)).toBeLessThan(0.1);
    // Without matching, positives sit on tables far more often than background windows (walkers): a shortcut.
    const none = join(dir, 'unmatched');
    expect(cli(['dataset', scenario, '--out', none, '--windows', '800', '--match', 'none', '--quiet']).code).toBe(0);
    const raw = JSON.parse(readFileSync(join(none, 'dataset.json'), 'utf8'));
    expect(mix(none)).toBeGreaterThan(0.2);
    expect(raw.shortcut.context_only_test_auc).toBeGreaterThan(0.6);
  });

  it('never puts one device in two splits', async () => {
    const rows = await parquetReadObjects({ file: new Uint8Array(readFileSync(join(a, 'metadata.parquet'))).buffer });
    const splitOf = new Map<number, unknown>();
    for (const r of rows) {
      const prev = splitOf.get(r.device as number);
      if (prev !== undefined) expect(r.split).toBe(prev);
      splitOf.set(r.device as number, r.split);
    }
    const n = (s: string) => rows.filter((r) => r.split === s).length;
    expect(n('train')).toBeGreaterThan(400);
    expect(n('val')).toBeGreaterThan(40);
    expect(n('test')).toBeGreaterThan(40);
  });

  it('gives byte-identical X.npy and y.npy for the same scenario and seed, whatever the thread count', () => {
    const b = join(dir, 'b');
    expect(cli(['dataset', scenario, '--out', b, '--windows', '800', '--threads', '0', '--quiet']).code).toBe(0);
    expect(sha(join(b, 'X.npy'))).toBe(sha(join(a, 'X.npy')));
    expect(sha(join(b, 'y.npy'))).toBe(sha(join(a, 'y.npy')));
    expect(readFileSync(join(b, 'metadata.csv'), 'utf8')).toBe(readFileSync(join(a, 'metadata.csv'), 'utf8'));
    // Another seed: other windows.
    const c = join(dir, 'c');
    expect(cli(['dataset', scenario, '--out', c, '--windows', '800', '--threads', '2', '--seed', '8', '--quiet']).code).toBe(0);
    expect(sha(join(c, 'X.npy'))).not.toBe(sha(join(a, 'X.npy')));
  });

  it('holds out whole scenarios with --split scenario', async () => {
    const other = datasetScenario(dir, { name: 'other', seed: 9 }, 'other.yaml');
    const out = join(dir, 'by-scenario');
    const r = cli(['dataset', scenario, other, '--out', out, '--windows', '600', '--split', 'scenario', '--quiet']);
    expect(r.stderr).toBe('');
    const rows = await parquetReadObjects({ file: new Uint8Array(readFileSync(join(out, 'metadata.parquet'))).buffer });
    expect(new Set(rows.filter((x) => x.scenario === 'other').map((x) => x.split))).toEqual(new Set(['test']));
    expect(new Set(rows.filter((x) => x.scenario === 'small').map((x) => x.split))).toEqual(new Set(['train', 'val']));
    expect(rows.filter((x) => x.scenario === 'other').length).toBeGreaterThan(100);
  });

  it('refuses an existing output folder unless --force, leaving it untouched', () => {
    const out = join(dir, 'existing');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    const r = cli(['dataset', scenario, '--out', out, '--windows', '50']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/existing: output folder exists: choose another or pass --force/);
    expect(readdirSync(out)).toEqual(['keep.txt']);
    expect(cli(['dataset', scenario, '--out', out, '--windows', '50', '--force', '--quiet']).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['X.npy', 'dataset.json', 'metadata.csv', 'metadata.parquet', 'y.npy']);
  });

  it('refuses positives from a scenario without a hazard, naming the file and field', () => {
    const file = datasetScenario(dir, { hazards: [], name: 'no-hazard' }, 'no-hazard.yaml');
    const out = join(dir, 'none');
    const r = cli(['dataset', file, '--out', out, '--windows', '50']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no-hazard\.yaml: hazards: no hazard to cut positive windows from \(--balance 0\.5 asks for positives\)/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('refuses an empty window set and leaves nothing behind', () => {
    const file = datasetScenario(dir, { duration: '4s', hazards: [] }, 'short.yaml');
    const out = join(dir, 'empty');
    const r = cli(['dataset', file, '--out', out, '--window', '5s', '--balance', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the window set is empty/);
    expect(r.stderr).not.toMatch(/at .*\.js/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('rejects bad flags with the flag named', () => {
    expect(cli(['dataset', scenario, '--out', join(dir, 'x'), '--balance', '1.5']).stderr).toMatch(/--balance: expected a share from 0 to 1, found 1\.5/);
    expect(cli(['dataset', scenario, '--out', join(dir, 'x'), '--window', 'two']).stderr).toMatch(/--window: expected a duration/);
    expect(cli(['dataset', scenario, '--out', join(dir, 'x'), '--window', '2.01s']).stderr).toMatch(/--window: expected a window holding a whole number of samples at 50 Hz/);
  });

  it('streams a dataset larger than its heap to disk', () => {
    // Flagship phones, accelerometer + gyroscope, 4 s windows: 9.6 kB each; 36,000 windows make a 346 MB X.npy,
    // written by a process whose JavaScript heap is capped at 64 MB and whose whole memory stays far below the file.
    const file = writeScenario(dir, smallScenario(dir, {
      name: 'stream', duration: '150s', hazards: [],
      population: {
        devices: 1000,
        phones: [{ profile: join(ROOT, 'agents/phones/flagship.yaml') }],
        behaviours: [{ profile: join(ROOT, 'agents/behaviours/stationary.yaml'), share: 0.5 }, { profile: join(ROOT, 'agents/behaviours/pedestrian.yaml'), share: 0.5 }],
      },
    }), 'stream.yaml');
    const out = join(dir, 'stream');
    const peak = join(dir, 'peak-rss');
    const r = cli(['dataset', file, '--out', out, '--windows', '36000', '--balance', '0', '--channels', 'accel+gyro', '--window', '4s', '--threads', '0', '--quiet'], {
      env: { NODE_OPTIONS: `--max-old-space-size=64 --require ${join(ROOT, 'test/dataset/peak-rss.cjs')}`, PEAK_RSS_FILE: peak },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const size = statSync(join(out, 'X.npy')).size;
    expect(size).toBe(128 + 36000 * 6 * 400 * 4);
    const peakBytes = Number(readFileSync(peak, 'utf8')) * 1024;
    expect(peakBytes).toBeLessThan(0.7 * size);
  });
});
