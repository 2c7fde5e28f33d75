/** Draws from a configured latency distribution (seconds); empirical tables are read once per file. */
import { readFileSync } from 'node:fs';
import type { FastRandom } from '../core/random.js';
import { InputError } from '../core/errors.js';
import { displayPath } from '../core/paths.js';
import type { LatencyDistribution } from '../plugin/fields.js';

/**
 * Reads a table of measured latencies: the first column of every line that holds a number
 * (a header line is skipped; `#` starts a comment), in seconds. Sorted ascending.
 */
export function readLatencyTable(file: string): Float64Array {
  const values: number[] = [];
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  lines.forEach((line, i) => {
    const text = line.replace(/#.*/, '').trim();
    if (!text) return;
    const first = text.split(/[,;\t ]+/)[0]!;
    const v = Number(first);
    if (!Number.isFinite(v)) {
      if (values.length === 0 && i === lines.findIndex((l) => l.replace(/#.*/, '').trim())) return; // header
      throw new InputError(displayPath(file), { path: `line ${i + 1}`, message: `expected a latency in seconds, found ${JSON.stringify(first)}` });
    }
    if (v < 0) throw new InputError(displayPath(file), { path: `line ${i + 1}`, message: `expected a latency ≥ 0 s, found ${v}` });
    values.push(v);
  });
  if (!values.length) throw new InputError(displayPath(file), 'expected measured latencies in seconds, one per line, found none (the table is empty)');
  return Float64Array.from(values).sort();
}

/** A value of a sorted table at quantile u ∈ [0, 1), interpolated linearly. */
export function tableQuantile(table: Float64Array, u: number): number {
  if (table.length === 1) return table[0]!;
  const pos = u * (table.length - 1), i = Math.floor(pos), f = pos - i;
  return table[i]! + f * ((table[Math.min(i + 1, table.length - 1)] ?? table[i]!) - table[i]!);
}

export function drawLatency(d: LatencyDistribution, rng: FastRandom, table?: Float64Array): number {
  switch (d.distribution) {
    case 'lognormal':
      return rng.lognormal(d.median, d.sigma);
    case 'fixed':
      return d.value;
    case 'uniform':
      return rng.range(d.min, d.max);
    case 'empirical':
      if (!table) throw new Error(`empirical latency table ${d.file} was not loaded`);
      return tableQuantile(table, rng.uniform());
  }
}

/** Median of a latency distribution, for summaries. */
export function latencyMedian(d: LatencyDistribution, table?: Float64Array): number {
  switch (d.distribution) {
    case 'lognormal':
      return d.median;
    case 'fixed':
      return d.value;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'empirical':
      return table ? tableQuantile(table, 0.5) : NaN;
  }
}
