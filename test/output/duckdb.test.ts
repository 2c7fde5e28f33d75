/**
 * A run's tables as DuckDB reads them (another implementation of Parquet and CSV): the same type
 * for every column in the Parquet and the CSV beside it, self-description in the key-value metadata
 * (units, scenario hash), and GeoParquet geometry that DuckDB itself recognises as points in
 * OGC:CRS84 at each row's longitude and latitude.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { cli, smallScenario, tempDir, writeScenario } from '../helpers.js';

describe('run tables in DuckDB', () => {
  const dir = tempDir(), out = join(dir, 'run');
  let db: DuckDBConnection;
  const rows = async (q: string) => (await db.runAndReadAll(q)).getRowObjectsJson() as Record<string, unknown>[];
  beforeAll(async () => {
    const r = cli(['run', writeScenario(dir, smallScenario(dir)), '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    db = await (await DuckDBInstance.create(':memory:')).connect();
  });

  it.each(['devices', 'triggers', 'alerts', 'receipts'])('%s: the same column types in Parquet and CSV', async (t) => {
    const types = async (from: string) => Object.fromEntries((await rows(`DESCRIBE SELECT * FROM ${from}`)).map((r) => [r.column_name, r.column_type]));
    const parquet = await types(`'${join(out, `${t}.parquet`)}'`), csv = await types(`read_csv_auto('${join(out, `${t}.csv`)}')`);
    expect(Object.keys(csv)).toEqual(Object.keys(parquet).filter((c) => c !== 'geometry'));
    for (const [c, type] of Object.entries(csv)) {
      // A column that is empty in every row carries no type in a CSV; the others must agree.
      const filled = Number((await rows(`SELECT count("${c}") AS n FROM '${join(out, `${t}.parquet`)}'`))[0]!.n);
      if (filled > 0) expect(type, `${t}.${c}`).toBe(parquet[c]);
    }
    expect(Object.values(parquet).every((x) => ['BIGINT', 'DOUBLE', 'VARCHAR', 'BOOLEAN', "GEOMETRY('OGC:CRS84')"].includes(String(x)))).toBe(true);
  });

  it('describes itself: units, descriptions and the scenario hash in the key-value metadata', async () => {
    const kv = Object.fromEntries((await rows(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${join(out, 'triggers.parquet')}')`)).map((r) => [r.k, r.v]));
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(kv['hazardsim:scenario_hash']).toBe(summary.scenario.hash);
    const columns = JSON.parse(String(kv['hazardsim:columns']));
    expect(columns.speed_m_s.unit).toBe('m/s');
    expect(columns.amplitude_m_s2.unit).toBe('m/s²');
    expect(columns.time_s.description).toMatch(/after the run start/);
  });

  it.each(['devices', 'alerts'])('%s: GeoParquet points at each row\'s longitude and latitude', async (t) => {
    const file = join(out, `${t}.parquet`);
    const kv = Object.fromEntries((await rows(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${file}')`)).map((r) => [r.k, r.v]));
    const geo = JSON.parse(String(kv.geo));
    expect(geo.version).toBe('1.1.0');
    expect(geo.primary_column).toBe('geometry');
    expect(geo.columns.geometry).toMatchObject({ encoding: 'WKB', geometry_types: ['Point'] });
    const [{ type }] = (await rows(`SELECT typeof(geometry) AS type FROM '${file}' LIMIT 1`)) as { type: string }[];
    expect(type).toBe("GEOMETRY('OGC:CRS84')");
    const points = await rows(`SELECT lon, lat, ST_AsText(geometry) AS wkt FROM '${file}' WHERE lon IS NOT NULL LIMIT 50`);
    expect(points.length).toBeGreaterThan(0);
    for (const p of points) {
      const [x, y] = /POINT \(([-\d.e]+) ([-\d.e]+)\)/.exec(String(p.wkt))!.slice(1).map(Number);
      expect(x).toBeCloseTo(Number(p.lon), 9);
      expect(y).toBeCloseTo(Number(p.lat), 9);
    }
    const [bb] = await rows(`SELECT min(lon) AS x0, max(lon) AS x1, min(lat) AS y0, max(lat) AS y1 FROM '${file}'`);
    expect(geo.columns.geometry.bbox.map((v: number) => +v.toFixed(9))).toEqual([bb!.x0, bb!.y0, bb!.x1, bb!.y1].map((v) => +Number(v).toFixed(9)));
  });
});
