/**
 * Tables written from typed columns, read back by DuckDB (another Parquet implementation) and by
 * hyparquet: every value, null and type as written, statistics that agree with the values, across
 * row groups, for the cases the direct encoding has to get right (negative and > 2³² integers in
 * two's complement, nulls between values, booleans past a byte, coded and free strings, points).
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { readTable, writeTable, type TableColumn } from '../../src/output/tables.js';
import { tempDir } from '../helpers.js';

const ROWS = 250_123; // three row groups, the last one partial; CSV beside it (at most 250,000 rows: no)
const col = (name: string, type: TableColumn['type']): TableColumn => ({ name, type });

describe('Parquet written from typed columns', () => {
  const dir = tempDir();
  let db: DuckDBConnection;
  const rows = async (q: string) => (await db.runAndReadAll(q)).getRowObjectsJson() as Record<string, unknown>[];
  // Values a hand calculation can give back for any row.
  const int = (i: number) => (i % 7 === 3 ? NaN : (i - 125_000) * 2 ** 33 + (i % 5)); // negative, zero, beyond 2³², missing
  const dbl = (i: number) => (i % 11 === 0 ? NaN : Math.sin(i) * 1e3);
  const flag = (i: number) => i % 3 === 0;
  const labels = ['timely', 'late', null, 'ünïcode ✓'];
  const free = (i: number) => (i % 13 === 0 ? '' : `row ${i % 100}`);
  const lon = (i: number) => (i === 5 ? NaN : -180 + (i % 3600) / 10);
  beforeAll(async () => {
    const data = {
      id: Float64Array.from({ length: ROWS }, (_, i) => int(i)),
      x: Float64Array.from({ length: ROWS }, (_, i) => dbl(i)),
      ok: Uint8Array.from({ length: ROWS }, (_, i) => (flag(i) ? 1 : 0)),
      label: { codes: Uint8Array.from({ length: ROWS }, (_, i) => i % 4), labels },
      note: (i: number) => free(i),
      unique: (i: number) => `u${i}`,
      none: { constant: null },
      lon: Float64Array.from({ length: ROWS }, (_, i) => lon(i)),
      lat: Float64Array.from({ length: ROWS }, (_, i) => (i % 1800) / 20 - 45),
    };
    await writeTable(dir, 't', [col('id', 'int'), col('x', 'double'), col('ok', 'bool'), col('label', 'string'), col('note', 'string'), col('unique', 'string'), col('none', 'double'), col('lon', 'double'), col('lat', 'double')], data, ROWS, {}, { lon: 'lon', lat: 'lat' });
    db = await (await DuckDBInstance.create(':memory:')).connect();
  });

  it('DuckDB reads every value and null as written', async () => {
    const file = `'${join(dir, 't.parquet')}'`;
    const types = Object.fromEntries((await rows(`DESCRIBE SELECT * FROM ${file}`)).map((r) => [r.column_name, r.column_type]));
    expect(types).toMatchObject({ id: 'BIGINT', x: 'DOUBLE', ok: 'BOOLEAN', label: 'VARCHAR', note: 'VARCHAR', none: 'DOUBLE' });
    const got = await rows(`SELECT id::VARCHAR AS id, x, ok, label, note, "unique", none FROM ${file}`);
    expect(got.length).toBe(ROWS);
    for (let i = 0; i < ROWS; i += 997) {
      const r = got[i]!;
      expect(r.id, `id ${i}`).toBe(Number.isNaN(int(i)) ? null : String(BigInt(int(i))));
      expect(r.x === null ? NaN : Number(r.x), `x ${i}`).toBe(dbl(i));
      expect(r.ok).toBe(flag(i));
      expect(r.label).toBe(labels[i % 4]);
      expect(r.note).toBe(free(i) || null);
      expect(r.unique).toBe(`u${i}`);
      expect(r.none).toBe(null);
    }
    // Sums over every row, against the same sums by hand.
    let ints = 0n, oks = 0, nulls = 0;
    for (let i = 0; i < ROWS; i++) { if (Number.isNaN(int(i))) nulls++; else ints += BigInt(int(i)); if (flag(i)) oks++; }
    const [s] = await rows(`SELECT sum(id)::VARCHAR AS s, count(*) - count(id) AS nulls, count_if(ok) AS oks FROM ${file}`);
    expect(s!.s).toBe(String(ints));
    expect(Number(s!.nulls)).toBe(nulls);
    expect(Number(s!.oks)).toBe(oks);
  });

  it('row-group statistics bound the values (DuckDB reads them from the footer)', async () => {
    const meta = await rows(`SELECT row_group_id AS g, path_in_schema AS c, stats_min_value AS lo, stats_max_value AS hi, stats_null_count AS nulls FROM parquet_metadata('${join(dir, 't.parquet')}') WHERE path_in_schema IN ('id', 'x', 'label', 'ok')`);
    expect(meta.length).toBe(12);
    for (const m of meta) {
      const from = Number(m.g) * 100_000, to = Math.min(ROWS, from + 100_000);
      if (m.c === 'id' || m.c === 'x') {
        const f = m.c === 'id' ? int : dbl;
        let lo = Infinity, hi = -Infinity, nulls = 0;
        for (let i = from; i < to; i++) { const v = f(i); if (Number.isNaN(v)) nulls++; else { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
        expect(Number(m.lo)).toBe(lo);
        expect(Number(m.hi)).toBe(hi);
        expect(Number(m.nulls)).toBe(nulls);
      }
      if (m.c === 'label') { expect(m.lo).toBe('late'); expect(m.hi).toBe('ünïcode ✓'); } // UTF-8 byte order
      if (m.c === 'ok') { expect(m.lo).toBe('false'); expect(m.hi).toBe('true'); }
    }
  });

  it('GeoParquet points at each row’s longitude and latitude, none where one is missing', async () => {
    const got = await readTable(dir, 't');
    expect(got.length).toBe(ROWS);
    for (const i of [0, 5, 99_999, 100_000, ROWS - 1]) {
      // hyparquet decodes the WKB (GeoParquet metadata says it is WKB) into a GeoJSON point.
      expect(got[i]!.geometry).toEqual(i === 5 ? null : { type: 'Point', coordinates: [lon(i), (i % 1800) / 20 - 45] });
      expect(got[i]!.id).toBe(Number.isNaN(int(i)) ? null : int(i));
    }
  });
});

describe('a large table written in parts on threads', () => {
  it('is the same file, byte for byte, as the table written in one go', async () => {
    const { writeTables, PART_ROWS } = await import('../../src/output/tables.js');
    const { readFileSync } = await import('node:fs');
    const rows = 2 * PART_ROWS + 12_345; // three parts, the last one short
    const make = () => ({
      device: Float64Array.from({ length: rows }, (_, i) => i),
      // Compressible in the first part, random after it: each part decides afresh whether to compress.
      x: Float64Array.from({ length: rows }, (_, i) => (i < PART_ROWS ? i % 10 : Math.sin(i) * 1e6)),
      tier: { codes: Uint8Array.from({ length: rows }, (_, i) => i % 3), labels: ['be-aware', 'take-action', 'cancel'] },
      lon: Float64Array.from({ length: rows }, (_, i) => (i % 360) - 180), lat: Float64Array.from({ length: rows }, (_, i) => (i % 180) - 90),
    });
    const columns = [col('device', 'int'), col('x', 'double'), col('tier', 'string'), col('lon', 'double'), col('lat', 'double')];
    const one = tempDir(), parts = tempDir();
    await writeTables([{ dir: one, name: 'big', columns, data: make(), rows, meta: { k: 'v' }, geometry: { lon: 'lon', lat: 'lat' } }], { parallel: false });
    await writeTables([{ dir: parts, name: 'big', columns, data: make(), rows, meta: { k: 'v' }, geometry: { lon: 'lon', lat: 'lat' } }], { parallel: true, threads: 2 });
    const a = readFileSync(join(one, 'big.parquet')), b = readFileSync(join(parts, 'big.parquet'));
    expect(b.length).toBe(a.length);
    expect(b.equals(a)).toBe(true);
    // And it reads back whole (DuckDB over every row).
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const [r] = (await db.runAndReadAll(`SELECT count(*) AS n, sum(device) AS s, count_if(tier = 'cancel') AS c FROM '${join(parts, 'big.parquet')}'`)).getRowObjectsJson() as Record<string, unknown>[];
    expect([Number(r!.n), Number(r!.s), Number(r!.c)]).toEqual([rows, (rows * (rows - 1)) / 2, Math.floor((rows - 3) / 3) + 1]);
  });
});

describe('a table from a log kept in segments', () => {
  it('is the same file as from whole columns (rows spanning segments, a missing optional segment, coded labels)', async () => {
    const { writeTables } = await import('../../src/output/tables.js');
    const { readFileSync } = await import('node:fs');
    const rows = 300_001, bits = 17, size = 1 << bits;
    const whole = { t: Float64Array.from({ length: rows }, (_, i) => i * 0.25), opt: Float64Array.from({ length: rows }, (_, i) => (i < size ? NaN : i)), k: Uint8Array.from({ length: rows }, (_, i) => i % 2) };
    const cut = <T extends Float64Array | Uint8Array>(a: T) => ({ bits, segments: Array.from({ length: Math.ceil(rows / size) }, (_, s) => a.slice(s * size, (s + 1) * size) as T) });
    const optSegs = cut(whole.opt);
    const segments = { t: cut(whole.t), opt: { bits, segments: [null, ...optSegs.segments.slice(1)] }, k: { codes: cut(whole.k), labels: ['a', 'b'] } };
    const columns = [col('t', 'double'), col('opt', 'double'), col('k', 'string')];
    const a = tempDir(), b = tempDir();
    await writeTables([{ dir: a, name: 'log', columns, data: { t: whole.t, opt: whole.opt, k: { codes: whole.k, labels: ['a', 'b'] } }, rows }], { parallel: false });
    await writeTables([{ dir: b, name: 'log', columns, data: segments, rows }], { parallel: true, threads: 2 });
    expect(readFileSync(join(b, 'log.parquet')).equals(readFileSync(join(a, 'log.parquet')))).toBe(true);
  });
});

describe('string statistics order', () => {
  it('is UTF-8 byte order (Buffer.compare is the reference), also where surrogate pairs meet U+E000–U+FFFF', async () => {
    const { compareUtf8 } = await import('../../src/output/parquet-chunks.js');
    const words = ['', 'a', 'ab', 'b', 'é', 'z', '\uE000', '\uFFFF', '😀', 'a😀', 'a\uFFFF', '2026-12-01T02:00:00.000Z', '2026-12-01T10:00:00.000Z', '日本', '日'];
    for (const a of words) for (const b of words) expect(Math.sign(compareUtf8(a, b)), `${a} vs ${b}`).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
  });
});
