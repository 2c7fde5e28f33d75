/** `hazardsim train`: trains a baseline classifier on a dataset folder and prints its test metrics. */
import { InputError } from '../core/errors.js';
import { trainModel } from '../train/train.js';
import { fmt, fmtInt } from './common.js';

export interface TrainCliOptions {
  dataset: string;
  out: string;
  model: string;
  features: string;
  positive: string;
  hidden: number;
  epochs: number;
  batch: number;
  lr?: number;
  l2: number;
  patience: number;
  seed: number;
  force: boolean;
  quiet?: boolean;
  /** Print the sidecar (metrics, threshold, training) as JSON instead of the human summary. */
  json?: boolean;
}

export async function trainCommand(o: TrainCliOptions): Promise<number> {
  if (o.model !== 'logistic' && o.model !== 'mlp') throw new InputError('--model', `expected logistic or mlp, found ${JSON.stringify(o.model)}`);
  if (o.features !== 'bands' && o.features !== 'raw') throw new InputError('--features', `expected bands or raw, found ${JSON.stringify(o.features)}`);
  if (o.lr !== undefined && !(o.lr > 0)) throw new InputError('--lr', `expected a learning rate above 0, found ${o.lr}`);
  const positive = o.positive.split(',').map((s) => s.trim()).filter(Boolean);
  if (!positive.length) throw new InputError('--positive', 'expected at least one label');
  const started = performance.now();
  const r = await trainModel({
    dataset: o.dataset, out: o.out, model: o.model, features: o.features, positive, hidden: o.hidden, epochs: o.epochs, batch: o.batch,
    learningRate: o.lr, l2: o.l2, patience: o.patience, seed: o.seed, force: o.force,
  });
  if (o.json) process.stdout.write(JSON.stringify(r.sidecar, null, 2) + '\n');
  else if (!o.quiet) {
    const w = (s: string) => process.stdout.write(s + '\n');
    const s = r.sidecar, t = s.metrics.test, tr = s.training as { windows: Record<string, number>; epochs_run: number; best_epoch: number };
    w(`hazardsim train: ${s.model.type} on ${s.features.pipeline} features, ${fmtInt(s.model.parameters)} parameters; ${tr.epochs_run} epochs (best ${tr.best_epoch}) in ${fmt((performance.now() - started) / 1000, 1)} s`);
    w(`  windows: train ${fmtInt(tr.windows.train!)}, val ${fmtInt(tr.windows.val!)}, test ${fmtInt(tr.windows.test!)}; threshold ${s.threshold.toFixed(3)} (max F1 on validation)`);
    if (t) w(`  test: precision ${fmt(t.precision, 3)}, recall ${fmt(t.recall, 3)}, F1 ${fmt(t.f1, 3)}, ROC AUC ${fmt(t.roc_auc, 3)}, false-positive rate ${fmt(t.false_positive_rate, 3)}`);
    else w('  test: the dataset has no test windows');
    const bins = s.metrics.test_recall_by_window_peak_g;
    if (bins.length) w(`  test recall by true peak in the window: ${bins.map((b) => `${b.to === null ? `≥${b.from}` : `${b.from}–${b.to}`} g ${fmt((100 * b.flagged) / b.windows, 0)}%`).join(', ')}`);
    const fooled = Object.entries(s.metrics.test_flagged_share_by_label).filter(([l]) => !positive.includes(l) ).filter(([, v]) => v.flagged > 0)
      .sort((a, b) => b[1].flagged / b[1].windows - a[1].flagged / a[1].windows).slice(0, 4);
    if (fooled.length) w(`  negatives flagged most: ${fooled.map(([l, v]) => `${l} ${fmt((100 * v.flagged) / v.windows, 0)}% of ${v.windows}`).join(', ')}`);
    w(`  wrote ${o.out} and ${r.sidecarFile.split('/').pop()}`);
  }
  return 0;
}
