/**
 * Benchmark harness: named benchmarks print figures and merge them into out/bench.json as
 * {"name": {"value": n, "unit": "..."}}. `npm run bench -- <prefix>` runs the benchmarks whose
 * name starts with a prefix.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/core/paths.js';

export interface Figure {
  value: number;
  unit: string;
}

export interface Bench {
  name: string;
  description: string;
  run(record: (name: string, value: number, unit: string) => void): Promise<void> | void;
}

export const BENCH_FILE = join(PACKAGE_ROOT, 'out', 'bench.json');

export async function runBenches(benches: Bench[], prefixes: string[]): Promise<Record<string, Figure>> {
  const selected = prefixes.length ? benches.filter((b) => prefixes.some((p) => b.name.startsWith(p))) : benches;
  if (!selected.length) {
    throw new Error(`no benchmark matches ${prefixes.join(', ')}; available: ${benches.map((b) => b.name).join(', ')}`);
  }
  mkdirSync(join(PACKAGE_ROOT, 'out'), { recursive: true });
  const all: Record<string, Figure> = existsSync(BENCH_FILE) ? JSON.parse(readFileSync(BENCH_FILE, 'utf8')) : {};
  const figures: Record<string, Figure> = {};
  for (const b of selected) {
    process.stdout.write(`\n${b.name}: ${b.description}\n`);
    await b.run((name, value, unit) => {
      const full = name.startsWith(b.name) ? name : `${b.name}.${name}`;
      figures[full] = { value, unit };
      all[full] = { value, unit };
      const shown = Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en-US') : +value.toPrecision(4);
      process.stdout.write(`  ${full.padEnd(56)} ${String(shown).padStart(14)} ${unit}\n`);
    });
    writeFileSync(BENCH_FILE, JSON.stringify(all, null, 2) + '\n');
  }
  process.stdout.write(`\nwrote ${BENCH_FILE}\n`);
  return figures;
}
