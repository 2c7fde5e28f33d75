import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLatencyTable } from '../../src/network/latency.js';
import { Link } from '../../src/network/link.js';
import { Outages } from '../../src/network/outage.js';
import { LocalFrame } from '../../src/core/frame.js';
import { cli, smallScenario, tempDir, writeScenario } from '../helpers.js';

describe('empirical latency tables', () => {
  const dir = tempDir();

  it('draws from a measured table by inverse CDF: same range, same median', () => {
    const file = join(dir, 'uplink.csv');
    // A skewed table: mostly fast, a slow tail (like cellular uplinks).
    const values = Array.from({ length: 200 }, (_, i) => (i < 180 ? 0.2 + 0.003 * i : 2 + 0.1 * (i - 180)));
    writeFileSync(file, 'latency_s,carrier\n' + values.map((v) => `${v},x`).join('\n') + '\n');
    const table = readLatencyTable(file);
    expect(table.length).toBe(200);
    const link = new Link({ latency: { distribution: 'empirical', file }, loss: 0 }, 1, 'uplink', { table });
    const draws = Array.from({ length: 20_000 }, (_, i) => link.deliver(i % 50, 0)!).sort((a, b) => a - b);
    expect(draws[0]).toBeGreaterThanOrEqual(0.2);
    expect(draws[draws.length - 1]).toBeLessThanOrEqual(3.9);
    const sortedTable = [...values].sort((a, b) => a - b);
    expect(draws[10_000]!).toBeCloseTo((sortedTable[99]! + sortedTable[100]!) / 2, 1);
    expect(draws.filter((d) => d >= 2).length / draws.length).toBeCloseTo(19 / 199, 1.5); // the slow tail keeps its share
  });

  it('refuses an empty table or a bad value, naming the file and line', () => {
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, 'latency_s\n\n# nothing measured yet\n');
    expect(() => readLatencyTable(empty)).toThrow(/empty\.csv: expected measured latencies in seconds, one per line, found none \(the table is empty\)/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, '0.5\n0.7\nfast\n');
    expect(() => readLatencyTable(bad)).toThrow(/bad\.csv: line 3: expected a latency in seconds, found "fast"/);
    const negative = join(dir, 'negative.csv');
    writeFileSync(negative, '0.5\n-1\n');
    expect(() => readLatencyTable(negative)).toThrow(/negative\.csv: line 2: expected a latency ≥ 0 s, found -1/);
  });

  it('an empty table in a scenario stops the run with the file named, exit 2', () => {
    const d = tempDir();
    writeFileSync(join(d, 'empty.csv'), '');
    const file = writeScenario(d, smallScenario(d, { network: { uplink: { latency: { distribution: 'empirical', file: 'empty.csv' } } } }));
    const r = cli(['run', file, '--out', join(d, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/empty\.csv: expected measured latencies in seconds, one per line, found none/);
  });
});

describe('regional outages', () => {
  const frame = new LocalFrame(-120, 36);

  it('lose messages from and to phones inside the region while it lasts, and only those', () => {
    const outages = new Outages({
      outages: [{ lon: -120, lat: 36, radius_km: 5, start: 100, duration: 60, links: ['uplink'] }],
      frame, seed: 1, durationS: 600, x: new Float64Array(0), y: new Float64Array(0),
    });
    const uplink = new Link({ latency: { distribution: 'fixed', value: 0.5 }, loss: 0 }, 1, 'uplink', { outages });
    const push = new Link({ latency: { distribution: 'fixed', value: 0.5 }, loss: 0 }, 1, 'push', { outages });
    expect(uplink.deliver(1, 120, 1000, 0)).toBeUndefined(); // inside, during
    expect(uplink.deliver(1, 99, 1000, 0)).toBe(99.5); // before
    expect(uplink.deliver(1, 161, 1000, 0)).toBe(161.5); // after
    expect(uplink.deliver(2, 120, 6000, 0)).toBe(120.5); // outside
    expect(push.deliver(1, 120, 1000, 0)).toBe(120.5); // the push link still works
    expect(uplink.lostToOutage).toBe(1);
  });

  it('draws random outages at the configured rate, centred on phones', () => {
    const x = Float64Array.from({ length: 1000 }, (_, i) => i * 10), y = new Float64Array(1000);
    const o = new Outages({ outages: [], random: { per_day: 48, radius_km: 2, duration: 600, links: ['uplink', 'push'] }, frame, seed: 3, durationS: 10 * 86400, x, y });
    expect(o.list.length).toBeGreaterThan(400); // 480 expected
    expect(o.list.length).toBeLessThan(560);
    expect(o.list.every((a) => a.y === 0 && a.x >= 0 && a.x <= 9990 && Math.abs(a.end - a.start - 600) < 1e-6)).toBe(true);
  });
});
