/**
 * `hazardsim train`: trains a baseline classifier on a dataset folder and writes it as ONNX plus a
 * sidecar JSON (the contract a detector reads: input name and shape, channel order, rate, units,
 * feature pipeline, threshold, the training data's hashes, and the test metrics).
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { FEATURE_NAMES, rawFeatures, spectralBasis, windowFeatures } from './features.js';
import { openDataset, streamWindows, SPLITS } from './dataset-read.js';
import { parameterCount, predict, trainClassifier, type Classifier, type ModelKind, type TrainHistory } from './model.js';
import { bestF1Threshold, binaryMetrics, type BinaryMetrics } from './metrics.js';
import { exportOnnx, flopsPerWindow, INPUT_NAME, OPSET, OUTPUT_NAME } from './onnx-export.js';
import { packageVersions } from '../output/versions.js';

export interface TrainCommandOptions {
  dataset: string;
  out: string;
  model: ModelKind;
  features: 'bands' | 'raw';
  /** Labels that count as positive. */
  positive: string[];
  hidden: number;
  epochs: number;
  batch: number;
  learningRate?: number;
  l2: number;
  patience: number;
  seed: number;
  force: boolean;
}

export interface TrainResult {
  model: Classifier;
  onnxFile: string;
  sidecarFile: string;
  sidecar: Sidecar;
  history: TrainHistory;
  /** Features and labels of the test split (for checks). */
  test: { x: Float64Array; y: Uint8Array; rows: number; windows: Int32Array };
}

export interface Sidecar {
  hazardsim_model: 1;
  name: string;
  created: string;
  task: string;
  positive_labels: string[];
  input: { name: string; shape: (string | number)[]; dtype: 'float32'; layout: string };
  output: { name: string; shape: string[]; meaning: string };
  channels: string[];
  rate_hz: number;
  window_s: number;
  units: Record<string, string>;
  features: { in_graph: boolean; pipeline: 'bands' | 'raw'; names: string[]; description: string };
  model: { type: ModelKind; hidden: number | null; parameters: number; multiply_adds_per_window: number; opset: number };
  threshold: number;
  threshold_rule: string;
  training: Record<string, unknown>;
  metrics: {
    validation: BinaryMetrics;
    test: BinaryMetrics | null;
    /** Test windows of every label, and how many the model flags at the threshold. */
    test_flagged_share_by_label: Record<string, { windows: number; flagged: number }>;
    /** Test positives by earthquake phase and by true hazard peak in the window (g): how many, how many caught. */
    test_recall_by_phase: Record<string, { windows: number; flagged: number }>;
    test_recall_by_window_peak_g: { from: number; to: number | null; windows: number; flagged: number }[];
  };
}

const FEATURE_TEXT = {
  bands: 'computed inside the graph from the raw window: accelerometer channels (the first three) with their means removed; ln RMS and ln peak of the dynamic acceleration, ln Hann-windowed power in 0.5–2, 2–5, 5–10 and 10–20 Hz, the spectral centroid, the onset rise (ln RMS second half − first half), the tilt (ln change of the mean vector between halves) and the vertical share of power; then standardized with the training mean and scale (src/train/features.ts)',
  raw: 'computed inside the graph: every channel with its window mean removed, flattened to channels × samples, scaled by one training standard deviation',
};

export async function trainModel(o: TrainCommandOptions): Promise<TrainResult> {
  const out = resolve(o.out);
  if (!/\.onnx$/i.test(out)) throw new InputError('--out', `expected a file ending .onnx, found ${JSON.stringify(o.out)}`);
  const sidecarFile = out.replace(/\.onnx$/i, '.json');
  if ((existsSync(out) || existsSync(sidecarFile)) && !o.force) throw new InputError(o.out, 'model file exists: choose another name or pass --force to replace it');
  if (!Number.isInteger(o.hidden) || o.hidden < 1) throw new InputError('--hidden', `expected a whole number of hidden units ≥ 1, found ${o.hidden}`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new InputError('--epochs', `expected a whole number ≥ 1, found ${o.epochs}`);
  if (!Number.isInteger(o.batch) || o.batch < 1) throw new InputError('--batch', `expected a whole number ≥ 1, found ${o.batch}`);

  const ds = openDataset(resolve(o.dataset));
  for (const p of o.positive) {
    if (!ds.labelVocabulary.includes(p)) throw new InputError('--positive', `expected labels from the dataset's vocabulary (${ds.labelVocabulary.join(', ')}), found ${JSON.stringify(p)}`);
  }
  const C = ds.channels.length, S = ds.samples, N = ds.windows;
  if (o.features === 'bands' && ds.channels.slice(0, 3).join(',') !== 'ax,ay,az') {
    throw new InputError(resolve(o.dataset, 'dataset.json'), { path: 'channels', message: `band features need the accelerometer (ax, ay, az) as the first channels, found ${ds.channels.join(', ')}` });
  }
  const F = o.features === 'bands' ? FEATURE_NAMES.length : C * S;
  const positiveIds = new Set(o.positive.map((p) => ds.labelVocabulary.indexOf(p)));
  const yBin = Uint8Array.from(ds.y, (l) => (positiveIds.has(l) ? 1 : 0));

  // Features of every window (streamed from X.npy), sorted into splits.
  const rows = SPLITS.map((_, s) => ds.split.reduce((a, v) => a + (v === s ? 1 : 0), 0));
  if (rows[0] === 0) throw new InputError(o.dataset, 'the dataset has no training windows');
  if (rows[1] === 0) throw new InputError(o.dataset, 'the dataset has no validation windows (early stopping and the threshold need them): rebuild it with --val-share above 0');
  const xs = rows.map((n) => new Float64Array(n * F));
  const ys = rows.map((n) => new Uint8Array(n));
  const ids = rows.map((n) => new Int32Array(n));
  const fill = [0, 0, 0];
  const basis = o.features === 'bands' ? spectralBasis(S, ds.rateHz) : undefined;
  const scratch = new Float64Array(6 * S);
  streamWindows(ds, (chunk, first, count) => {
    for (let k = 0; k < count; k++) {
      const w = first + k, s = ds.split[w]!, r = fill[s]!++;
      if (basis) windowFeatures(chunk, k * C * S, S, basis, xs[s]!, r * F, scratch);
      else rawFeatures(chunk, k * C * S, C, S, xs[s]!, r * F);
      ys[s]![r] = yBin[w]!;
      ids[s]![r] = w;
    }
  });
  const count = (y: Uint8Array) => y.reduce((a, v) => a + v, 0);
  if (count(ys[0]!) === 0 || count(ys[0]!) === rows[0]) {
    throw new InputError(o.dataset, `the training split needs both classes: it has ${count(ys[0]!)} windows labelled ${o.positive.join('/')} of ${rows[0]}`);
  }

  const { model, history, posWeight } = trainClassifier(
    { xTrain: xs[0]!, yTrain: ys[0]!, nTrain: rows[0]!, xVal: xs[1]!, yVal: ys[1]!, nVal: rows[1]!, inputs: F, sharedScale: o.features === 'raw' },
    { kind: o.model, hidden: o.hidden, epochs: o.epochs, batch: o.batch, learningRate: o.learningRate ?? (o.model === 'mlp' ? 0.003 : 0.01), l2: o.l2, patience: o.patience, seed: o.seed },
  );
  const pVal = predict(model, xs[1]!, rows[1]!);
  const threshold = bestF1Threshold(pVal, ys[1]!).threshold;
  const pTest = predict(model, xs[2]!, rows[2]!);
  const flagged: Record<string, { windows: number; flagged: number }> = {};
  for (let r = 0; r < rows[2]!; r++) {
    const label = ds.labelVocabulary[ds.y[ids[2]![r]!]!]!;
    const e = (flagged[label] ??= { windows: 0, flagged: 0 });
    e.windows++;
    if (pTest[r]! >= threshold) e.flagged++;
  }

  const byPhase: Record<string, { windows: number; flagged: number }> = {};
  const peakBins = [0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2].map((from, i, a) => ({ from, to: a[i + 1] ?? null, windows: 0, flagged: 0 }));
  for (let r = 0; r < rows[2]!; r++) {
    if (!ys[2]![r]) continue;
    const w = ids[2]![r]!, hit = pTest[r]! >= threshold ? 1 : 0;
    const ph = ds.phase[w] || 'none';
    const e = (byPhase[ph] ??= { windows: 0, flagged: 0 });
    e.windows++; e.flagged += hit;
    const pk = ds.peakG[w]!;
    const bin = peakBins.find((b) => pk >= b.from && (b.to === null || pk < b.to));
    if (bin) { bin.windows++; bin.flagged += hit; }
  }

  const name = basename(out).replace(/\.onnx$/i, '');
  const sidecar: Sidecar = {
    hazardsim_model: 1,
    name,
    created: new Date().toISOString(),
    task: `binary: does the window hold ${o.positive.join(' or ')}?`,
    positive_labels: o.positive,
    input: { name: INPUT_NAME, shape: ['batch', C, S], dtype: 'float32', layout: '[batch, channels, samples]: each window channel by channel, oldest sample first' },
    output: { name: OUTPUT_NAME, shape: ['batch'], meaning: `probability that the window holds ${o.positive.join(' or ')}` },
    channels: ds.channels,
    rate_hz: ds.rateHz,
    window_s: ds.windowS,
    units: Object.fromEntries(ds.channels.map((c) => [c, ds.units[c] ?? (c.startsWith('g') ? 'rad/s' : 'm/s^2')])),
    features: { in_graph: true, pipeline: o.features, names: o.features === 'bands' ? [...FEATURE_NAMES] : [`${C}×${S} demeaned samples`], description: FEATURE_TEXT[o.features] },
    model: {
      type: o.model, hidden: o.model === 'mlp' ? o.hidden : null, parameters: parameterCount(model),
      multiply_adds_per_window: flopsPerWindow({ features: o.features, channels: C, samples: S, rateHz: ds.rateHz, inputs: F, hidden: model.hidden, kind: o.model }) / 2,
      opset: OPSET,
    },
    threshold,
    threshold_rule: 'maximum F1 on the validation split',
    training: {
      dataset: o.dataset,
      dataset_sha256: ds.sha256,
      scenarios: ds.scenarios,
      windows: { train: rows[0], val: rows[1], test: rows[2] },
      positives: { train: count(ys[0]!), val: count(ys[1]!), test: count(ys[2]!) },
      positive_weight: posWeight,
      epochs_run: history.epochs,
      best_epoch: history.bestEpoch,
      final_validation_loss: history.valLoss[history.bestEpoch - 1] ?? null,
      options: { model: o.model, features: o.features, hidden: o.hidden, epochs: o.epochs, batch: o.batch, learning_rate: o.learningRate ?? null, l2: o.l2, patience: o.patience, seed: o.seed },
      versions: packageVersions(),
    },
    metrics: {
      validation: binaryMetrics(pVal, ys[1]!, threshold),
      test: rows[2]! > 0 ? binaryMetrics(pTest, ys[2]!, threshold) : null,
      test_flagged_share_by_label: flagged,
      test_recall_by_phase: byPhase,
      test_recall_by_window_peak_g: peakBins.filter((b) => b.windows > 0),
    },
  };
  const bytes = exportOnnx({
    model, features: o.features, channels: C, samples: S, rateHz: ds.rateHz, name,
    docString: `hazardsim ${o.model} on ${o.features} features: ${sidecar.task} Sidecar: ${basename(sidecarFile)}.`,
    metadata: { threshold: String(threshold), channels: ds.channels.join(','), rate_hz: String(ds.rateHz), dataset_x_sha256: ds.sha256['X.npy'] },
  });

  // Both files appear together or not at all.
  mkdirSync(dirname(out), { recursive: true });
  const tmpModel = `${out}.tmp-${process.pid}`, tmpSidecar = `${sidecarFile}.tmp-${process.pid}`;
  try {
    writeFileSync(tmpModel, bytes);
    writeFileSync(tmpSidecar, JSON.stringify(sidecar, null, 2) + '\n');
    renameSync(tmpModel, out);
    renameSync(tmpSidecar, sidecarFile);
  } catch (err) {
    rmSync(tmpModel, { force: true });
    rmSync(tmpSidecar, { force: true });
    throw err;
  }
  return { model, onnxFile: out, sidecarFile, sidecar, history, test: { x: xs[2]!, y: ys[2]!, rows: rows[2]!, windows: ids[2]! } };
}
