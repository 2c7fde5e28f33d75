#!/usr/bin/env node
// How often `hazardsim drift` reports drift on a day without any change: runs the firmware-update
// scenario without its update for N seeds (3, 4, …) and compares each day's telemetry with the
// seed-2 reference day. Prints the runs with any drift and the false-positive rate; writes
// out/drift-false-positives.json. About 75 s a day on 2 cores.
//   node scripts/drift-false-positives.mjs [N=20]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';

const n = Number(process.argv[2] ?? 20);
const cli = (args) => execFileSync(process.execPath, ['dist/src/cli.js', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
const day = (seed, withUpdate = false) => {
  const out = `out/drift-fp/seed-${seed}${withUpdate ? '-update' : ''}`;
  if (!existsSync(`${out}/telemetry.parquet`)) cli(['run', 'scenarios/firmware-update.yaml', '--seed', String(seed), ...(withUpdate ? [] : ['--set', 'fleet.updates=[]']), '--out', out, '--quiet', '--force']);
  return out;
};
mkdirSync('out/drift-fp', { recursive: true });
const reference = day(2);
const results = [];
for (let s = 3; s < 3 + n; s++) {
  const j = JSON.parse(cli(['drift', reference, day(s), '--json']));
  results.push({ seed: s, drifted: j.drifted });
  process.stdout.write(`seed ${s}: ${j.drifted.length ? `DRIFT ${j.drifted.join('; ')}` : 'no drift'}\n`);
}
const fp = results.filter((r) => r.drifted.length).length;
const summary = { reference_seed: 2, days: n, days_with_drift: fp, false_positive_rate: fp / n, results };
writeFileSync('out/drift-false-positives.json', JSON.stringify(summary, null, 2) + '\n');
process.stdout.write(`false-positive rate: ${fp} of ${n} days without a change (${(100 * fp / n).toFixed(0)} %)\n`);
