import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { cli, smallScenario, tempDir, writeScenario } from '../helpers.js';

describe('self-describing tables', () => {
  it('carry each column’s unit and description and the run’s provenance in their Parquet metadata', () => {
    const dir = tempDir();
    const file = writeScenario(dir, smallScenario(dir, { duration: '60s' }));
    const out = join(dir, 'run');
    expect(cli(['run', file, '--out', out, '--quiet']).code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    for (const table of ['devices', 'triggers', 'alerts', 'receipts']) {
      const b = readFileSync(join(out, `${table}.parquet`));
      const kv = Object.fromEntries((parquetMetadata(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)).key_value_metadata ?? []).map((x) => [x.key, x.value]));
      expect(kv['hazardsim:scenario_hash']).toBe(summary.scenario.hash);
      expect(kv['hazardsim:seed']).toBe(String(summary.scenario.seed));
      const columns = JSON.parse(kv['hazardsim:columns']!);
      // Every column of the CSV header is described.
      const header = readFileSync(join(out, `${table}.csv`), 'utf8').split('\n')[0]!.split(',');
      expect(Object.keys(columns)).toEqual(header);
      for (const name of header) expect(columns[name].description, `${table}.${name}`).not.toBe('');
      if (table === 'triggers') {
        // The names that read as milliseconds say what they are.
        expect(columns.speed_m_s.unit).toBe('m/s');
        expect(columns.amplitude_m_s2.unit).toBe('m/s²');
        expect(columns.time_s.unit).toBe('s');
      }
      if (table === 'alerts') expect(columns.x.description).toMatch(/east of the world's origin/);
    }
    // GeoJSON positions carry at most 7 decimals (about 1 cm).
    for (const g of ['alerts.geojson', 'truth.geojson']) {
      const fc = JSON.parse(readFileSync(join(out, g), 'utf8'));
      expect(fc.features.length).toBeGreaterThan(0);
      const flat = (c: unknown): number[] => (Array.isArray(c) ? c.flatMap(flat) : [c as number]);
      for (const f of fc.features) for (const v of flat(f.geometry.coordinates)) expect(Math.abs(v * 1e7 - Math.round(v * 1e7))).toBeLessThan(1e-6);
    }
  });
});

describe('absolute time', () => {
  it('with start_utc, every time_s has its UTC time beside it; a bad start is refused', () => {
    const dir = tempDir();
    const file = writeScenario(dir, smallScenario(dir, { duration: '60s', start_utc: '2023-02-06T01:17:00+03:00' }));
    const out = join(dir, 'run');
    expect(cli(['run', file, '--out', out, '--quiet']).code).toBe(0);
    for (const table of ['triggers', 'alerts', 'receipts']) {
      const [header, ...rows] = readFileSync(join(out, `${table}.csv`), 'utf8').trim().split('\n');
      const names = header!.split(',');
      const ts = names.indexOf('time_s'), utc = names.indexOf('time_utc');
      expect(utc, table).toBe(ts + 1);
      expect(rows.length, table).toBeGreaterThan(0);
      for (const row of rows.slice(0, 20)) {
        const cells = row.split(',');
        // Hand check: 01:17 at UTC+3 is 22:17 UTC the day before, plus time_s.
        expect(Date.parse(cells[utc]!)).toBe(Date.parse('2023-02-05T22:17:00Z') + Math.round(Number(cells[ts]) * 1000));
      }
    }
    const bad = cli(['run', file, '--out', join(dir, 'bad'), '--set', 'start_utc=6 Feb 2023']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/start_utc: expected an ISO 8601 date and time with a zone, e\.g\. 2023-02-06T01:17:00Z/);
  });
});

describe('tables written on worker threads', () => {
  it('are byte for byte the files written in the calling thread, from typed columns, codes, constants and UTC times', async () => {
    const { writeTables, readTable, PART_ROWS } = await import('../../src/output/tables.js');
    // Past the CSV limit for one table, under it for the other; three parts (PART_ROWS), stitched on the threads.
    const n = 2 * PART_ROWS + 50_001;
    const columns = [
      { name: 'device', type: 'int' as const }, { name: 'time_s', type: 'double' as const }, { name: 'time_utc', type: 'string' as const },
      { name: 'tier', type: 'string' as const }, { name: 'ok', type: 'bool' as const }, { name: 'always', type: 'bool' as const },
      { name: 'pga', type: 'double' as const }, { name: 'second_bit', type: 'bool' as const },
    ];
    // Per-device columns of two hazards (the second has none), read through each row's device and hazard; flags by bit.
    const perDevice = Float64Array.from({ length: 977 }, (_, d) => d / 4);
    const device = () => Int32Array.from({ length: n }, (_, i) => (i * 7) % 977), hazard = () => Int32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0));
    const data = () => ({
      device: Int32Array.from({ length: n }, (_, i) => i % 977), time_s: Float64Array.from({ length: n }, (_, i) => (i % 13 === 0 ? NaN : i / 7)),
      time_utc: { utcOf: 'time_s', startMs: Date.parse('2023-02-06T01:16:35Z') }, tier: { codes: Uint8Array.from({ length: n }, (_, i) => i % 3), labels: ['be-aware', 'take-action', 'cancel'] },
      ok: Uint8Array.from({ length: n }, (_, i) => i % 2), always: { constant: true },
      pga: { from: [perDevice, null], device: device(), hazard: hazard() }, second_bit: { bitOf: Uint8Array.from({ length: n }, (_, i) => i % 4), bit: 1 },
    });
    const tasks = (dir: string) => [{ dir, name: 'big', columns, data: data(), rows: n }, { dir, name: 'small', columns, data: data(), rows: 1000 }];
    const [a, b] = [tempDir(), tempDir()];
    await writeTables(tasks(a), { parallel: false });
    await writeTables(tasks(b), { parallel: true, threads: 2 });
    for (const f of ['big.parquet', 'small.parquet', 'small.csv']) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    expect(() => readFileSync(join(a, 'big.csv'))).toThrow(); // over CSV_MAX_ROWS: Parquet only
    expect(readdirSync(b).sort()).toEqual(['big.parquet', 'small.csv', 'small.parquet']); // no part left behind
    expect((await readTable(b, 'big')).length).toBe(n);
    expect(readFileSync(join(b, 'small.csv'), 'utf8').split('\n')[15]).toBe('14,2.0,2023-02-06T01:16:37.000Z,cancel,false,true,24.5,true');
    const rows = await readTable(b, 'small');
    // Row 14: device (14 × 7) mod 977 = 98 of hazard 0, so 98 / 4; its flags 14 mod 4 = 2 have bit 1 set.
    expect(rows[14]).toEqual({ device: 14, time_s: 2, time_utc: '2023-02-06T01:16:37.000Z', tier: 'cancel', ok: false, always: true, pga: 24.5, second_bit: true });
    expect(rows[15]!.pga).toBeNull(); // hazard 1, which has no such column
    expect(rows[13]!.second_bit).toBe(false);
    const big = await readTable(b, 'big');
    expect(big[2 * PART_ROWS + 3]!.pga).toBe(((2 * PART_ROWS + 3) * 7 % 977) / 4);
    expect(rows[13]!.time_s).toBeNull();
    expect(rows[13]!.time_utc).toBeNull();
  });
});
