import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
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
        expect(columns.speed_ms.unit).toBe('m/s');
        expect(columns.amplitude_ms2.unit).toBe('m/s²');
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
