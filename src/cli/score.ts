/** `hazardsim score`, `hazardsim report` and `hazardsim compare`: read a run's saved outputs. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { summaryFromFiles } from '../score/from-files.js';
import { writeReport } from '../report/build.js';
import { compareRuns, failing } from '../report/compare.js';
import { InputError } from '../core/errors.js';
import { fmt } from './common.js';

export async function scoreCommand(o: { run: string; json: boolean; write: boolean }): Promise<number> {
  const dir = resolve(o.run);
  const summary = await summaryFromFiles(dir);
  const file = join(dir, 'summary.json');
  const same = existsSync(file) && isDeepStrictEqual(JSON.parse(JSON.stringify(summary)), JSON.parse(readFileSync(file, 'utf8')));
  if (o.write) writeFileSync(file, JSON.stringify(summary, null, 2) + '\n');
  if (o.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  else process.stdout.write(`${o.run}: summary recomputed from the saved outputs ${same ? 'is identical to summary.json' : o.write ? 'differs from the old summary.json: rewritten' : 'DIFFERS from summary.json (use --write to replace it)'}\n`);
  return 0;
}

export async function reportCommand(o: { run: string }): Promise<number> {
  const dir = resolve(o.run);
  await writeReport(dir);
  process.stdout.write(`wrote ${join(o.run, 'report.html')}\n`);
  return 0;
}

export async function compareCommand(o: { a: string; b: string; alpha: number; failOn: string[]; json: boolean; allowDifferent?: boolean }): Promise<number> {
  if (!(o.alpha > 0 && o.alpha < 1)) throw new InputError('--alpha', `expected a significance level between 0 and 1, found ${o.alpha}`);
  const rows = await compareRuns(resolve(o.a), resolve(o.b), { alpha: o.alpha, allowDifferent: o.allowDifferent });
  const bad = failing(rows, o.failOn);
  if (o.json) process.stdout.write(JSON.stringify({ a: o.a, b: o.b, alpha: o.alpha, metrics: rows, failed: bad.map((r) => r.metric) }, null, 2) + '\n');
  else {
    const w = (s: string) => process.stdout.write(s + '\n');
    w(`A = ${o.a}\nB = ${o.b}   (significance level ${o.alpha})`);
    w(`${'metric'.padEnd(40)} ${'A'.padStart(10)} ${'B'.padStart(10)}  ${'better'.padEnd(6)}  ${'p'.padStart(8)}  verdict`);
    for (const r of rows) w(`${r.metric.padEnd(40)} ${fmt(r.a, 3).padStart(10)} ${fmt(r.b, 3).padStart(10)}  ${r.better.padEnd(6)}  ${(r.p === null ? '–' : r.p < 1e-15 ? '<1e-15' : r.p < 1e-4 ? r.p.toExponential(1) : r.p.toFixed(4)).padStart(8)}  ${r.verdict}  [${r.test}]`);
    if (bad.length) w(`FAIL: B is significantly worse on ${bad.map((r) => r.metric).join(', ')}`);
  }
  return bad.length ? 1 : 0;
}
