import { beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, cpSync, existsSync, readFileSync, writeFileSync, openSync, writeSync, closeSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ROOT, cli, smallScenario, tempDir, writeScenario } from '../helpers.js';
import { trainModel, type TrainCommandOptions } from '../../src/train/train.js';
import { predict } from '../../src/train/model.js';
import { readNpyHeader } from '../../src/output/npy.js';

/** Windows of X.npy by index, as one float32 tensor [n, channels, samples]. */
function windowsOf(dir: string, index: Int32Array): { data: Float32Array; dims: number[] } {
  const h = readNpyHeader(join(dir, 'X.npy'));
  const [, C, S] = h.shape as [number, number, number];
  const bytes = readFileSync(join(dir, 'X.npy'));
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset + h.dataOffset, bytes.byteOffset + bytes.length));
  const data = new Float32Array(index.length * C * S);
  index.forEach((w, i) => data.set(all.subarray(w * C * S, (w + 1) * C * S), i * C * S));
  return { data, dims: [index.length, C, S] };
}

async function onnxProbabilities(model: string, dir: string, index: Int32Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const { data, dims } = windowsOf(dir, index);
  const r = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', data, dims) });
  return r[session.outputNames[0]!]!.data as Float32Array;
}

const base = (dataset: string, out: string, patch: Partial<TrainCommandOptions> = {}): TrainCommandOptions => ({
  dataset, out, model: 'mlp', features: 'bands', positive: ['earthquake'], hidden: 8, epochs: 60, batch: 64, l2: 1e-4, patience: 10, seed: 1, force: true, ...patch,
});

describe('hazardsim train', () => {
  let dir: string, ds: string;
  beforeAll(() => {
    dir = tempDir();
    const scenario = writeScenario(dir, smallScenario(dir, {
      duration: '80s',
      population: {
        devices: 300,
        phones: [{ profile: join(ROOT, 'agents/phones/mid-range.yaml') }],
        behaviours: [
          { profile: join(ROOT, 'agents/behaviours/on-table.yaml'), share: 0.5 },
          { profile: join(ROOT, 'agents/behaviours/stationary.yaml'), share: 0.5 },
        ],
      },
    }));
    ds = join(dir, 'ds');
    const r = cli(['dataset', scenario, '--out', ds, '--windows', '1500', '--quiet']);
    expect(r.stderr).toBe('');
  });

  it('exports an MLP on band features that ONNX Runtime runs to the same probabilities (1e-5), and that separates earthquakes', async () => {
    const r = await trainModel(base(ds, join(dir, 'models', 'mlp.onnx')));
    const ts = predict(r.model, r.test.x, r.test.rows);
    const onnx = await onnxProbabilities(r.onnxFile, ds, r.test.windows);
    expect(onnx.length).toBe(r.test.rows);
    let worst = 0;
    for (let i = 0; i < ts.length; i++) worst = Math.max(worst, Math.abs(ts[i]! - onnx[i]!));
    expect(worst).toBeLessThan(1e-5);
    const t = r.sidecar.metrics.test!;
    expect(t.roc_auc!).toBeGreaterThan(0.9);
    expect(t.precision!).toBeGreaterThan(0.8);
    expect(t.recall!).toBeGreaterThan(0.7);
  });

  it('does the same for logistic regression on raw windows', async () => {
    const r = await trainModel(base(ds, join(dir, 'models', 'raw.onnx'), { model: 'logistic', features: 'raw', epochs: 20 }));
    const ts = predict(r.model, r.test.x, r.test.rows);
    const onnx = await onnxProbabilities(r.onnxFile, ds, r.test.windows);
    let worst = 0;
    for (let i = 0; i < ts.length; i++) worst = Math.max(worst, Math.abs(ts[i]! - onnx[i]!));
    expect(worst).toBeLessThan(1e-5);
    expect(r.sidecar.model.parameters).toBe(3 * 100 + 1);
  });

  it('writes a sidecar that states the contract, and the model graph agrees with it', async () => {
    const out = join(dir, 'models', 'contract.onnx');
    const r = cli(['train', ds, '--out', out, '--epochs', '30', '--hidden', '4']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/test: precision \d\.\d{3}, recall \d\.\d{3}, F1 \d\.\d{3}, ROC AUC \d\.\d{3}/);
    const side = JSON.parse(readFileSync(join(dir, 'models', 'contract.json'), 'utf8'));
    const info = JSON.parse(readFileSync(join(ds, 'dataset.json'), 'utf8'));
    expect(side.input).toMatchObject({ name: 'window', shape: ['batch', 3, 100], dtype: 'float32' });
    expect(side.output).toMatchObject({ name: 'probability', shape: ['batch'] });
    expect(side.channels).toEqual(['ax', 'ay', 'az']);
    expect(side.rate_hz).toBe(50);
    expect(side.units).toEqual({ ax: 'm/s^2', ay: 'm/s^2', az: 'm/s^2' });
    expect(side.features.in_graph).toBe(true);
    expect(side.threshold).toBeGreaterThan(0);
    expect(side.threshold).toBeLessThan(1);
    expect(side.training.dataset_sha256).toEqual(info.sha256);
    expect(side.model.parameters).toBe(10 * 4 + 4 + 4 + 1);
    const session = await ort.InferenceSession.create(out);
    expect(session.inputNames).toEqual([side.input.name]);
    expect(session.outputNames).toEqual([side.output.name]);
  });

  it('gives a byte-identical model for the same dataset and seed', async () => {
    // Same file name (it is the graph's name) in another folder.
    await trainModel(base(ds, join(dir, 'again', 'mlp.onnx')));
    expect(readFileSync(join(dir, 'again', 'mlp.onnx')).equals(readFileSync(join(dir, 'models', 'mlp.onnx')))).toBe(true);
  });

  it('refuses a corrupt dataset with a clear error and writes no model', () => {
    const out = join(dir, 'models', 'bad.onnx');
    const copy = (name: string) => {
      const d = join(dir, name);
      cpSync(ds, d, { recursive: true });
      return d;
    };
    // X.npy cut short.
    const cut = copy('cut');
    truncateSync(join(cut, 'X.npy'), statSync(join(cut, 'X.npy')).size - 1000);
    let r = cli(['train', cut, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cut\/X\.npy: expected 1800000 bytes of data for shape \[1500, 3, 100\], found 1799000 \(truncated or corrupt\)/);
    // One flipped byte in the data.
    const flipped = copy('flipped');
    const fd = openSync(join(flipped, 'X.npy'), 'r+');
    writeSync(fd, Buffer.from([0x7f]), 0, 1, 5000);
    closeSync(fd);
    r = cli(['train', flipped, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/flipped\/X\.npy: contents do not match the SHA-256 in dataset\.json/);
    // dataset.json that is not JSON, and a folder that is not a dataset.
    const garbled = copy('garbled');
    writeFileSync(join(garbled, 'dataset.json'), '{"shape": [1500, 3,');
    r = cli(['train', garbled, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/garbled\/dataset\.json: expected JSON, found a file that does not parse/);
    r = cli(['train', join(dir, 'models'), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a dataset folder: dataset\.json is missing/);
    // A label the dataset never saw.
    r = cli(['train', ds, '--out', out, '--positive', 'tsunami']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--positive: expected labels from the dataset's vocabulary/);
    // No positive windows of that label.
    r = cli(['train', ds, '--out', out, '--positive', 'crash']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the training split needs both classes: it has 0 windows labelled crash/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 'models', 'bad.json'))).toBe(false);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('regenerates a tiny quake-baseline from the shipped scenario with the documented commands', async () => {
    const tiny = join(dir, 'tiny');
    let r = cli(['dataset', 'scenarios/dataset-quake.yaml', '--set', 'population.devices=400', '--set', 'population.groups.0.devices=40', '--set', 'duration=170s',
      '--out', tiny, '--windows', '1200', '--json']);
    expect(r.stderr).toBe('');
    // --json: the dataset summary, the hazards the shortened run leaves out named as warnings.
    const ds = JSON.parse(r.stdout);
    expect(ds.windows).toBe(1200);
    expect(ds.scenario_warnings.join(' ')).toMatch(/hazards\[1\]\.origin_time: begins at 360 s, at or after the end of the run .* it is left out/);
    const out = join(dir, 'models', 'quake-baseline-tiny.onnx');
    r = cli(['train', tiny, '--out', out, '--model', 'mlp', '--features', 'bands', '--positive', 'earthquake', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).threshold).toBeGreaterThan(0);
    const side = JSON.parse(readFileSync(join(dir, 'models', 'quake-baseline-tiny.json'), 'utf8'));
    const shipped = JSON.parse(readFileSync(join(ROOT, 'models', 'quake-baseline.json'), 'utf8'));
    // Same contract as the shipped model.
    expect(side.input).toEqual(shipped.input);
    expect(side.output).toEqual(shipped.output);
    expect(side.channels).toEqual(shipped.channels);
    expect(side.rate_hz).toBe(shipped.rate_hz);
    expect(side.features.names).toEqual(shipped.features.names);
    const session = await ort.InferenceSession.create(out);
    expect(session.inputNames).toEqual(['window']);
    copyFileSync(out, join(dir, 'copy.onnx'));
  });
});
