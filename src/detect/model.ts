/**
 * ONNX detector models and their sidecar JSON: reads both and checks that they agree with each
 * other and with the model contract (one float32 input [batch, channels, samples], one output with
 * a probability per window). The graph is read with onnx-proto, so a mismatch is found when the
 * scenario loads, before any simulation, with a message that says what differs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type onnxProto from 'onnx-proto';
import { InputError } from '../core/errors.js';
import { displayPath } from '../core/paths.js';
import { CHANNELS, sidecarSchema } from './sidecar.js';
import { issuesToProblems } from '../plugin/issues.js';

/** onnx-proto, loaded on first use: worker threads import this module but never read a graph. */
let proto: typeof onnxProto | undefined;
const onnxOf = (): typeof onnxProto.onnx => (proto ??= createRequire(import.meta.url)('onnx-proto') as typeof onnxProto).onnx;

export const CHANNEL_NAMES = CHANNELS;

export type { ModelInfo } from '../plugin/model.js';
import type { ModelInfo } from '../plugin/model.js';

type Dim = number | string | null;

function dims(t: onnxProto.onnx.IValueInfoProto): Dim[] | null {
  const shape = t.type?.tensorType?.shape;
  if (!shape) return null;
  return (shape.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null && String(d.dimValue) !== '0' ? Number(d.dimValue) : d.dimParam ? String(d.dimParam) : null));
}

const showDims = (d: Dim[] | null) => (d ? `[${d.map((x) => (x === null ? '?' : x)).join(', ')}]` : '[unknown shape]');

/** Reads a model and its sidecar (default: the same name ending .json) and checks them; throws InputError. */
export function loadModel(modelPath: string, sidecarPath = modelPath.replace(/\.onnx$/i, '') + '.json'): ModelInfo {
  const shown = displayPath(modelPath), shownSide = displayPath(sidecarPath);
  const bytes = readFileSync(modelPath);
  const onnx = onnxOf();
  let model: InstanceType<typeof onnxProto.onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new InputError(shown, `not an ONNX model (${(err as Error).message})`);
  }
  const graph = model.graph;
  if (!graph) throw new InputError(shown, 'not an ONNX model (no graph)');
  if (!existsSync(sidecarPath)) throw new InputError(shown, `its sidecar JSON is missing: expected ${shownSide} (input name and shape, channels, rate_hz, threshold)`);
  let side: Record<string, any>;
  try {
    side = JSON.parse(readFileSync(sidecarPath, 'utf8'));
  } catch (err) {
    throw new InputError(shownSide, `expected JSON, found a file that does not parse (${(err as Error).message})`);
  }
  const need = (ok: boolean, path: string, what: string, found: unknown) => {
    if (!ok) throw new InputError(shownSide, { path, message: `expected ${what}, found ${JSON.stringify(found) ?? 'nothing'}` });
  };
  // The contract's fields (schema/sidecar.schema.json), then what ties them to each other and to the graph.
  const checked = sidecarSchema.safeParse(side, { reportInput: true });
  if (!checked.success) throw new InputError(shownSide, issuesToProblems(checked.error.issues, sidecarSchema, side));
  const channels: string[] = side.channels;
  const [, C, S] = side.input.shape as [unknown, number, number];
  need(C === channels.length, 'input.shape', `${channels.length} channels (the channels list)`, C);
  need(Number.isInteger(S) && S > 0, 'input.shape', 'a whole number of samples', S);
  if (side.window_s !== undefined) need(Math.abs(side.window_s * side.rate_hz - S) < 1e-6, 'window_s', `${S / side.rate_hz} s (${S} samples at ${side.rate_hz} Hz)`, side.window_s);

  // The graph against the sidecar.
  const init = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((i) => !init.has(i.name));
  const outputs = graph.output ?? [];
  const differ = (msg: string) => new InputError(shown, `${msg} (its sidecar ${shownSide} says input "${side.input.name}" [batch, ${C}, ${S}], output "${side.output.name}")`);
  if (inputs.length !== 1) throw differ(`expected one input, found ${inputs.length}: ${inputs.map((i) => `"${i.name}"`).join(', ')}`);
  if (outputs.length < 1) throw differ('expected an output, found none');
  const input = inputs[0]!, output = outputs.find((o) => o.name === side.output.name) ?? outputs[0]!;
  if (input.name !== side.input.name) throw differ(`input is named "${input.name}", not "${side.input.name}"`);
  if (output.name !== side.output.name) throw differ(`output is named ${outputs.map((o) => `"${o.name}"`).join(', ')}, not "${side.output.name}"`);
  if (input.type?.tensorType?.elemType !== onnx.TensorProto.DataType.FLOAT) throw differ('input is not float32');
  const id = dims(input);
  if (id && (id.length !== 3 || (typeof id[1] === 'number' && id[1] !== C) || (typeof id[2] === 'number' && id[2] !== S))) throw differ(`input has shape ${showDims(id)}`);
  const od = dims(output);
  if (od && !(od.length === 1 || (od.length === 2 && (od[1] === 1 || od[1] === null)))) throw differ(`output has shape ${showDims(od)}, not one probability per window ([batch] or [batch, 1])`);

  // Size and cost.
  let parameters = 0, lower = 0;
  const sizes = new Map<string, number[]>();
  for (const t of graph.initializer ?? []) {
    const d = (t.dims ?? []).map(Number);
    sizes.set(t.name ?? '', d);
    parameters += d.reduce((a, b) => a * b, 1);
  }
  for (const n of graph.node ?? []) {
    if (n.opType !== 'MatMul' && n.opType !== 'Gemm') continue;
    const w = sizes.get(n.input?.[1] ?? '');
    if (w && w.length === 2) lower += w[0]! * w[1]!;
  }
  const sideMacs = side.model?.multiply_adds_per_window;
  return {
    path: modelPath, sidecarPath, sha256: createHash('sha256').update(bytes).digest('hex'),
    inputName: input.name!, outputName: output.name!, channels, channelIndex: channels.map((c) => CHANNEL_NAMES.indexOf(c as never)),
    rateHz: side.rate_hz, samples: S, windowS: S / side.rate_hz, threshold: side.threshold ?? null,
    parameters: typeof side.model?.parameters === 'number' ? side.model.parameters : parameters,
    macsPerWindow: typeof sideMacs === 'number' ? sideMacs : lower, macsSource: typeof sideMacs === 'number' ? 'sidecar' : 'graph-lower-bound',
  };
}
