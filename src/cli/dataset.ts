/** `hazardsim dataset`: parses the flags and builds a labelled window dataset. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { InputError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { buildDataset } from '../dataset/build.js';
import { loadScenario } from '../scenario/load.js';
import { builtinPlugins } from '../plugins.js';
import { fmt, fmtInt, progressBar } from './common.js';

export interface DatasetCommandOptions {
  scenarios: string[];
  out: string;
  windows: number;
  window: string;
  hop: string;
  rate?: number;
  channels: string;
  balance: number;
  hardNegatives: number;
  minSignalG: number;
  split: string;
  stratify: string;
  match?: 'context' | 'none';
  valShare: number;
  testShare: number;
  force: boolean;
  threads?: number;
  seed?: number;
  set?: string[];
  quiet?: boolean;
  /** Print the dataset summary as JSON instead of the human summary. */
  json?: boolean;
}

function seconds(flag: string, text: string): number {
  const s = parseDuration(text);
  if (s === undefined || !(s > 0)) throw new InputError(flag, `expected a duration longer than 0 such as 2s or 500ms, found ${JSON.stringify(text)}`);
  return s;
}

export async function datasetCommand(o: DatasetCommandOptions): Promise<number> {
  if (o.channels !== 'accel' && o.channels !== 'accel+gyro') throw new InputError('--channels', `expected accel or accel+gyro, found ${JSON.stringify(o.channels)}`);
  if (o.split !== 'device' && o.split !== 'scenario') throw new InputError('--split', `expected device or scenario, found ${JSON.stringify(o.split)}`);
  if (o.stratify !== 'label' && o.stratify !== 'none') throw new InputError('--stratify', `expected label or none, found ${JSON.stringify(o.stratify)}`);
  if (o.rate !== undefined && !(o.rate > 0)) throw new InputError('--rate', `expected a sample rate above 0 Hz, found ${o.rate}`);
  if (o.threads !== undefined && !(Number.isInteger(o.threads) && o.threads >= 0)) throw new InputError('--threads', `expected a whole number ≥ 0, found ${o.threads}`);
  const scenarios = o.scenarios.map((f) => loadScenario(f, { plugins: builtinPlugins, overrides: o.set ?? [], seed: o.seed, lateHazards: 'warn' }));
  if (!o.quiet && !o.json) for (const s of scenarios) for (const w of s.warnings) process.stderr.write(`hazardsim: warning: ${s.file}: ${w}\n`);
  const bar = progressBar({ enabled: !o.quiet && !o.json, label: `dataset (${scenarios.map((s) => s.config.name).join(', ')})` });
  const summary = await buildDataset({
    scenarios, onProgress: (f) => bar.update(f), plugins: builtinPlugins, out: o.out, windows: o.windows, windowS: seconds('--window', o.window), hopS: seconds('--hop', o.hop), rateHz: o.rate,
    channels: o.channels, balance: o.balance, hardNegatives: o.hardNegatives, minSignalG: o.minSignalG, split: o.split, stratify: o.stratify, match: o.match ?? 'context', valShare: o.valShare,
    testShare: o.testShare, force: o.force, threads: o.threads ?? Math.min(availableParallelism(), 4),
  });
  bar.stop();
  if (o.json) process.stdout.write(JSON.stringify({ ...summary, scenario_warnings: scenarios.flatMap((s) => s.warnings.map((w) => `${s.file}: ${w}`)) }, null, 2) + '\n');
  else if (!o.quiet) {
    const c = summary.counts;
    const w = (s: string) => process.stdout.write(s + '\n');
    w(`hazardsim dataset: ${fmtInt(summary.windows)} windows in ${fmt(summary.seconds, 1)} s (${fmtInt(summary.windows / summary.seconds)} windows/s) → ${summary.dir}`);
    const info = JSON.parse(readFileSync(join(summary.dir, 'dataset.json'), 'utf8'));
    w(`  context × motion mix: positives and negatives differ by ${fmt(100 * info.balance.positive_negative_total_variation, 1)} % (total variation; --match ${info.options.match}); a model given only context and motion reaches ROC AUC ${fmt(info.shortcut.context_only_test_auc, 3)} on the test split (0.5: no shortcut)`);
    w(`  classes: positive ${fmtInt(c['class:positive'] ?? 0)}, hard-negative ${fmtInt(c['class:hard-negative'] ?? 0)}, background ${fmtInt(c['class:background'] ?? 0)}`);
    w(`  splits: train ${fmtInt(c['split:train'] ?? 0)}, val ${fmtInt(c['split:val'] ?? 0)}, test ${fmtInt(c['split:test'] ?? 0)}`);
    const labels = Object.entries(c).filter(([k]) => k.startsWith('label:')).map(([k, v]) => `${k.slice(6)} ${fmtInt(v)}`);
    w(`  labels: ${labels.join(', ')}`);
    for (const warning of summary.warnings) w(`  warning: ${warning}`);
  }
  return 0;
}
