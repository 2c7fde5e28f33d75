/**
 * Exports a trained classifier as an ONNX model (opset 13, IR 8) whose graph holds the whole
 * pipeline: raw window `[batch, channels, samples]` float32 in, feature extraction (features.ts,
 * the same formulas), standardization, the classifier, and a probability `[batch]` out.
 * Written with onnx-proto (the ONNX protobuf schema compiled for protobufjs).
 */
import onnxProto from 'onnx-proto';
import { BANDS, EPS, spectralBasis, type SpectralBasis } from './features.js';
import type { Classifier } from './model.js';

const { onnx } = onnxProto;
type INode = InstanceType<typeof onnx.NodeProto>;
type ITensor = InstanceType<typeof onnx.TensorProto>;

export const INPUT_NAME = 'window';
export const OUTPUT_NAME = 'probability';
export const OPSET = 13;

export interface ExportOptions {
  model: Classifier;
  features: 'bands' | 'raw';
  channels: number;
  samples: number;
  rateHz: number;
  /** Model name and a one-line description (ONNX metadata). */
  name: string;
  docString: string;
  /** Extra key/value metadata (e.g. threshold, dataset hash). */
  metadata?: Record<string, string>;
}

/** Builds nodes and constants with generated names. */
class GraphBuilder {
  readonly nodes: INode[] = [];
  readonly initializers: ITensor[] = [];
  private n = 0;

  private name(prefix: string): string {
    return `${prefix}_${this.n++}`;
  }

  /** A float32 constant of the given shape. */
  f32(values: ArrayLike<number>, dims: number[], prefix = 'const'): string {
    const name = this.name(prefix);
    const data = Float32Array.from(values as ArrayLike<number>);
    this.initializers.push(onnx.TensorProto.create({ name, dataType: onnx.TensorProto.DataType.FLOAT, dims, rawData: new Uint8Array(data.buffer) }));
    return name;
  }

  /** An int64 constant (axes, slice bounds). */
  i64(values: number[], prefix = 'axes'): string {
    const name = this.name(prefix);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push(onnx.TensorProto.create({ name, dataType: onnx.TensorProto.DataType.INT64, dims: [values.length], rawData: new Uint8Array(data.buffer) }));
    return name;
  }

  /** Adds a node; returns its (single) output name. */
  op(type: string, inputs: string[], attrs: Record<string, number | number[]> = {}, output?: string): string {
    const out = output ?? this.name(type.toLowerCase());
    const attribute = Object.entries(attrs).map(([name, v]) =>
      Array.isArray(v)
        ? onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v })
        : onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: v }));
    this.nodes.push(onnx.NodeProto.create({ opType: type, input: inputs, output: [out], name: out, attribute }));
    return out;
  }

  slice(x: string, start: number, end: number, axis: number): string {
    return this.op('Slice', [x, this.i64([start], 'start'), this.i64([end], 'end'), this.i64([axis])]);
  }
  reduceMean(x: string, axis: number, keepdims: 0 | 1): string {
    return this.op('ReduceMean', [x], { axes: [axis], keepdims });
  }
  reduceSum(x: string, axis: number, keepdims: 0 | 1): string {
    return this.op('ReduceSum', [x, this.i64([axis])], { keepdims });
  }
  /** ln(x + eps). */
  logEps(x: string, eps: number): string {
    return this.op('Log', [this.op('Add', [x, this.f32([eps], [])])]);
  }
}

/**
 * Removes each channel's window mean. In float32 the mean of values near 9.8 m/s² is off by ~1e-6,
 * as much as the quietest phones' peaks move the features; so the first sample is subtracted first
 * (exact in float32 for nearby values) and the mean is taken of what remains, which is small.
 */
function demean(g: GraphBuilder, x: string): { D: string; mean: string } {
  const first = g.slice(x, 0, 1, 2); // [B,C,1]
  const rel = g.op('Sub', [x, first]);
  const m = g.reduceMean(rel, 2, 1);
  return { D: g.op('Sub', [rel, m]), mean: g.op('Add', [first, m]) };
}

/** The feature graph of features.ts: [B, C, S] → [B, 10]. */
function bandFeatures(g: GraphBuilder, input: string, S: number, basis: SpectralBasis): string {
  const half = S >> 1;
  const K = basis.freqs.length, B = BANDS.length;
  const A = g.slice(input, 0, 3, 1); // accelerometer [B,3,S]
  const { D, mean } = demean(g, A);
  const P = g.reduceSum(g.op('Mul', [D, D]), 1, 0); // [B,S]
  const ms = g.reduceMean(P, 1, 1); // [B,1]
  const logRms = g.logEps(g.op('Sqrt', [ms]), EPS.amplitude);
  const logPeak = g.logEps(g.op('ReduceMax', [g.op('Sqrt', [P])], { axes: [1], keepdims: 1 }), EPS.amplitude);
  // Spectrum.
  const Dw = g.op('Mul', [D, g.f32(basis.hann, [S], 'hann')]);
  const re = g.op('MatMul', [Dw, g.f32(basis.cos, [S, K], 'dft_cos')]); // [B,3,K]
  const im = g.op('MatMul', [Dw, g.f32(basis.sin, [S, K], 'dft_sin')]);
  const pw = g.reduceSum(g.op('Add', [g.op('Mul', [re, re]), g.op('Mul', [im, im])]), 1, 0); // [B,K]
  const bands = g.logEps(g.op('MatMul', [pw, g.f32(basis.band, [K, B], 'bands')]), EPS.power); // [B,4]
  const total = g.reduceSum(pw, 1, 1); // [B,1]
  const centroid = g.op('Div', [g.op('MatMul', [pw, g.f32(basis.freqs, [K, 1], 'freqs')]), g.op('Add', [total, g.f32([EPS.power], [])])]);
  // Onset: RMS of the second half against the first.
  const ms1 = g.reduceMean(g.slice(P, 0, half, 1), 1, 1);
  const ms2 = g.reduceMean(g.slice(P, half, S, 1), 1, 1);
  const rise = g.op('Sub', [g.logEps(g.op('Sqrt', [ms2]), EPS.amplitude), g.logEps(g.op('Sqrt', [ms1]), EPS.amplitude)]);
  // Tilt: the mean vector moved between halves.
  const m1 = g.reduceMean(g.slice(D, 0, half, 2), 2, 0); // [B,3]
  const m2 = g.reduceMean(g.slice(D, half, S, 2), 2, 0);
  const dm = g.op('Sub', [m2, m1]);
  const tilt = g.logEps(g.op('Sqrt', [g.reduceSum(g.op('Mul', [dm, dm]), 1, 1)]), EPS.amplitude);
  // Vertical share: power along gravity.
  const gn = g.op('Add', [g.op('Sqrt', [g.reduceSum(g.op('Mul', [mean, mean]), 1, 1)]), g.f32([EPS.norm], [])]); // [B,1,1]
  const v = g.reduceSum(g.op('Mul', [D, g.op('Div', [mean, gn])]), 1, 0); // [B,S]
  const vs = g.reduceMean(g.op('Mul', [v, v]), 1, 1);
  const share = g.op('Div', [vs, g.op('Add', [ms, g.f32([EPS.share], [])])]);
  return g.op('Concat', [logRms, logPeak, bands, centroid, rise, tilt, share], { axis: 1 });
}

/** The raw feature graph of features.ts: [B, C, S] → [B, C × S], each channel's mean removed. */
function rawFeatureGraph(g: GraphBuilder, input: string): string {
  return g.op('Flatten', [demean(g, input).D], { axis: 1 });
}

/** Serializes the model to ONNX bytes. */
export function exportOnnx(o: ExportOptions): Uint8Array {
  const g = new GraphBuilder();
  const m = o.model;
  const feats = o.features === 'bands' ? bandFeatures(g, INPUT_NAME, o.samples, spectralBasis(o.samples, o.rateHz)) : rawFeatureGraph(g, INPUT_NAME);
  const z = g.op('Mul', [g.op('Sub', [feats, g.f32(m.mean, [m.inputs], 'feature_mean')]), g.f32(m.scale, [m.inputs], 'feature_scale')]);
  let logit: string;
  if (m.kind === 'logistic') {
    logit = g.op('Add', [g.op('MatMul', [z, g.f32(m.w1, [m.inputs, 1], 'w1')]), g.f32(m.b1, [1], 'b1')]);
  } else {
    const h = g.op('Relu', [g.op('Add', [g.op('MatMul', [z, g.f32(m.w1, [m.inputs, m.hidden], 'w1')]), g.f32(m.b1, [m.hidden], 'b1')])]);
    logit = g.op('Add', [g.op('MatMul', [h, g.f32(m.w2, [m.hidden, 1], 'w2')]), g.f32(m.b2, [1], 'b2')]);
  }
  g.op('Squeeze', [g.op('Sigmoid', [logit]), g.i64([1])], {}, OUTPUT_NAME);

  const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
  const tensorType = (dims: (number | string)[]) => ({ tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: dims.map(dim) } } });
  const graph = onnx.GraphProto.create({
    name: o.name,
    node: g.nodes,
    initializer: g.initializers,
    input: [onnx.ValueInfoProto.create({ name: INPUT_NAME, type: tensorType(['batch', o.channels, o.samples]), docString: 'sensor windows, float32 [batch, channels, samples]' })],
    output: [onnx.ValueInfoProto.create({ name: OUTPUT_NAME, type: tensorType(['batch']), docString: 'probability that the window holds the positive class' })],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'hazardsim',
    modelVersion: 1,
    docString: o.docString,
    graph,
    metadataProps: Object.entries(o.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Multiply–adds per window of the exported graph (an energy proxy for the budget view), counted by stage. */
export function flopsPerWindow(o: { features: 'bands' | 'raw'; channels: number; samples: number; rateHz: number; inputs: number; hidden: number; kind: 'logistic' | 'mlp' }): number {
  const S = o.samples;
  let f = 0;
  if (o.features === 'bands') {
    const K = spectralBasis(S, o.rateHz).freqs.length;
    f += 3 * S * 8; // demean, squares, norms, vertical projection
    f += 2 * 3 * S * K * 2; // DFT cos and sin, multiply + add
    f += K * (BANDS.length + 4) * 2; // power, bands, centroid
  } else {
    f += o.channels * S * 2;
  }
  f += o.inputs * 2; // standardization
  f += o.kind === 'mlp' ? 2 * o.inputs * o.hidden + 2 * o.hidden + 2 * o.hidden : 2 * o.inputs;
  return f;
}
