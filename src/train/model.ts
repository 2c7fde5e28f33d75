/**
 * The baseline classifiers: logistic regression and a one-hidden-layer MLP (ReLU) on standardized
 * features, trained with Adam on class-weighted binary cross-entropy, with early stopping on the
 * validation loss. Everything is float64 and seeded, so the same data and seed give the same model.
 */
import { stream } from '../core/random.js';

export type ModelKind = 'logistic' | 'mlp';

/** A trained classifier: weights row-major, as the ONNX graph uses them. */
export interface Classifier {
  kind: ModelKind;
  inputs: number;
  hidden: number;
  /** Standardization: z = (f − mean) × scale. */
  mean: Float64Array;
  scale: Float64Array;
  /** logistic: w1 [inputs × 1], b1 [1] (w2, b2 empty); mlp: w1 [inputs × hidden], b1 [hidden], w2 [hidden × 1], b2 [1]. */
  w1: Float64Array;
  b1: Float64Array;
  w2: Float64Array;
  b2: Float64Array;
}

export interface TrainOptions {
  kind: ModelKind;
  hidden: number;
  epochs: number;
  batch: number;
  learningRate: number;
  /** L2 penalty on weights (not biases). */
  l2: number;
  /** Stop after this many epochs without a better validation loss. */
  patience: number;
  seed: number;
}

export interface TrainHistory {
  epochs: number;
  bestEpoch: number;
  trainLoss: number[];
  valLoss: number[];
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Mean and 1/std of every feature over the rows (features of row r at r × F). */
export function standardization(x: Float64Array, rows: number, F: number, shared = false): { mean: Float64Array; scale: Float64Array } {
  const mean = new Float64Array(F), scale = new Float64Array(F);
  if (shared) {
    // One mean and scale for all inputs (raw windows: every sample is alike).
    let s = 0, s2 = 0;
    for (let i = 0; i < rows * F; i++) { s += x[i]!; s2 += x[i]! * x[i]!; }
    const m = s / (rows * F), sd = Math.sqrt(Math.max(s2 / (rows * F) - m * m, 0));
    mean.fill(0);
    scale.fill(sd > 0 ? 1 / sd : 1);
    return { mean, scale };
  }
  for (let f = 0; f < F; f++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += x[r * F + f]!;
    const m = s / rows;
    let v = 0;
    for (let r = 0; r < rows; r++) v += (x[r * F + f]! - m) ** 2;
    const sd = Math.sqrt(v / rows);
    mean[f] = m;
    scale[f] = sd > 1e-12 ? 1 / sd : 1;
  }
  return { mean, scale };
}

/** Probabilities for rows of (unstandardized) features. */
export function predict(m: Classifier, x: Float64Array, rows: number, out = new Float64Array(rows)): Float64Array {
  const F = m.inputs, H = m.hidden;
  const z = new Float64Array(F), h = new Float64Array(H);
  for (let r = 0; r < rows; r++) {
    for (let f = 0; f < F; f++) z[f] = (x[r * F + f]! - m.mean[f]!) * m.scale[f]!;
    out[r] = sigmoid(logit(m, z, h));
  }
  return out;
}

function logit(m: Classifier, z: Float64Array, h: Float64Array): number {
  const F = m.inputs;
  if (m.kind === 'logistic') {
    let s = m.b1[0]!;
    for (let f = 0; f < F; f++) s += z[f]! * m.w1[f]!;
    return s;
  }
  const H = m.hidden;
  for (let j = 0; j < H; j++) h[j] = m.b1[j]!;
  for (let f = 0; f < F; f++) {
    const zf = z[f]!;
    if (zf === 0) continue;
    const row = f * H;
    for (let j = 0; j < H; j++) h[j] += zf * m.w1[row + j]!;
  }
  let s = m.b2[0]!;
  for (let j = 0; j < H; j++) s += Math.max(0, h[j]!) * m.w2[j]!;
  return s;
}

/** Class-weighted mean binary cross-entropy of a model on rows. */
export function loss(m: Classifier, x: Float64Array, y: Uint8Array, rows: number, posWeight: number): number {
  const p = predict(m, x, rows);
  let s = 0, w = 0;
  for (let r = 0; r < rows; r++) {
    const q = Math.min(1 - 1e-12, Math.max(1e-12, p[r]!));
    const wr = y[r] ? posWeight : 1;
    s -= wr * (y[r] ? Math.log(q) : Math.log(1 - q));
    w += wr;
  }
  return s / w;
}

function clone(m: Classifier): Classifier {
  return { ...m, w1: m.w1.slice(), b1: m.b1.slice(), w2: m.w2.slice(), b2: m.b2.slice() };
}

/**
 * Trains on (xTrain, yTrain) and stops early on the validation loss; returns the best model.
 * Positives are weighted by negatives/positives so unbalanced datasets still train both classes.
 */
export function trainClassifier(
  data: { xTrain: Float64Array; yTrain: Uint8Array; nTrain: number; xVal: Float64Array; yVal: Uint8Array; nVal: number; inputs: number; sharedScale?: boolean },
  o: TrainOptions,
): { model: Classifier; history: TrainHistory; posWeight: number } {
  const F = data.inputs, N = data.nTrain;
  const H = o.kind === 'mlp' ? o.hidden : 0;
  const rng = stream(o.seed, 'train');
  const { mean, scale } = standardization(data.xTrain, N, F, data.sharedScale);
  const m: Classifier = {
    kind: o.kind, inputs: F, hidden: H, mean, scale,
    w1: new Float64Array(o.kind === 'mlp' ? F * H : F), b1: new Float64Array(o.kind === 'mlp' ? H : 1),
    w2: new Float64Array(H), b2: new Float64Array(o.kind === 'mlp' ? 1 : 0),
  };
  if (o.kind === 'mlp') {
    // He-uniform for the ReLU layer, Glorot-uniform for the output.
    const a1 = Math.sqrt(6 / F), a2 = Math.sqrt(6 / (H + 1));
    for (let i = 0; i < m.w1.length; i++) m.w1[i] = (2 * rng() - 1) * a1;
    for (let i = 0; i < H; i++) m.w2[i] = (2 * rng() - 1) * a2;
    m.b1.fill(0.01);
  }
  let pos = 0;
  for (let r = 0; r < N; r++) pos += data.yTrain[r]!;
  if (pos === 0 || pos === N) throw new Error('training needs both positive and negative windows');
  const posWeight = (N - pos) / pos;
  // Standardized training inputs, computed once.
  const z = new Float64Array(N * F);
  for (let r = 0; r < N; r++) for (let f = 0; f < F; f++) z[r * F + f] = (data.xTrain[r * F + f]! - mean[f]!) * scale[f]!;
  // Adam state per parameter array.
  const params = [m.w1, m.b1, m.w2, m.b2];
  const grads = params.map((p) => new Float64Array(p.length));
  const m1 = params.map((p) => new Float64Array(p.length));
  const m2 = params.map((p) => new Float64Array(p.length));
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  let step = 0;
  const order = new Int32Array(N);
  for (let i = 0; i < N; i++) order[i] = i;
  const h = new Float64Array(H), zr = new Float64Array(F);
  const history: TrainHistory = { epochs: 0, bestEpoch: 0, trainLoss: [], valLoss: [] };
  let best = clone(m), bestLoss = Infinity, since = 0;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    // Fisher–Yates shuffle from the seeded stream.
    for (let i = N - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      const t = order[i]!; order[i] = order[j]!; order[j] = t;
    }
    let epochLoss = 0, epochW = 0;
    for (let b0 = 0; b0 < N; b0 += o.batch) {
      const b1 = Math.min(N, b0 + o.batch);
      for (const g of grads) g.fill(0);
      let wsum = 0;
      for (let k = b0; k < b1; k++) {
        const r = order[k]!;
        for (let f = 0; f < F; f++) zr[f] = z[r * F + f]!;
        const p = sigmoid(logit(m, zr, h));
        const yr = data.yTrain[r]!, wr = yr ? posWeight : 1;
        const q = Math.min(1 - 1e-12, Math.max(1e-12, p));
        epochLoss -= wr * (yr ? Math.log(q) : Math.log(1 - q));
        epochW += wr;
        wsum += wr;
        const dl = wr * (p - yr); // d loss / d logit
        if (o.kind === 'logistic') {
          for (let f = 0; f < F; f++) grads[0]![f] += dl * zr[f]!;
          grads[1]![0] += dl;
        } else {
          // h holds the pre-activations from logit().
          for (let j = 0; j < H; j++) {
            const a = h[j]! > 0 ? h[j]! : 0;
            grads[2]![j] += dl * a;
            if (h[j]! <= 0) continue;
            const dh = dl * m.w2[j]!;
            grads[1]![j] += dh;
            for (let f = 0; f < F; f++) grads[0]![f * H + j] += dh * zr[f]!;
          }
          grads[3]![0] += dl;
        }
      }
      step++;
      const c1 = 1 - beta1 ** step, c2 = 1 - beta2 ** step;
      params.forEach((p, pi) => {
        const g = grads[pi]!, a = m1[pi]!, v = m2[pi]!;
        const isWeight = pi === 0 || pi === 2;
        for (let i = 0; i < p.length; i++) {
          const gi = g[i]! / wsum + (isWeight ? o.l2 * p[i]! : 0);
          a[i] = beta1 * a[i]! + (1 - beta1) * gi;
          v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
          p[i] -= (o.learningRate * (a[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
        }
      });
    }
    const valLoss = loss(m, data.xVal, data.yVal, data.nVal, posWeight);
    history.trainLoss.push(epochLoss / epochW);
    history.valLoss.push(valLoss);
    history.epochs = epoch;
    if (valLoss < bestLoss - 1e-6) {
      bestLoss = valLoss;
      best = clone(m);
      history.bestEpoch = epoch;
      since = 0;
    } else if (++since >= o.patience) break;
  }
  return { model: best, history, posWeight };
}

/** Number of trainable parameters (weights and biases; standardization constants excluded). */
export const parameterCount = (m: Classifier): number => m.w1.length + m.b1.length + m.w2.length + m.b2.length;
