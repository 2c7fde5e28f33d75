import { describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../src/detect/model.js';
import { InferencePool } from '../../src/detect/inference/pool.js';
import { ROOT, tempDir } from '../helpers.js';

const MODEL = join(ROOT, 'models/quake-baseline.onnx');

/** 300 windows: quiet phones on a table and phones shaking at 2–8 Hz, 0.01–0.3 g. */
function windows(n = 300): { data: Float32Array; source: { count: number; fill(i: number, out: Float32Array, off: number): void } } {
  const per = 300, data = new Float32Array(n * per);
  let seed = 7;
  const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) - 0.5;
  for (let w = 0; w < n; w++) {
    const shake = w % 2 === 1, f = 2 + (w % 7), amp = shake ? 0.1 + (w % 30) * 0.1 : 0;
    for (let c = 0; c < 3; c++) for (let i = 0; i < 100; i++) {
      data[w * per + c * 100 + i] = (c === 2 ? 9.81 : 0) + 0.005 * rnd() + amp * Math.sin(2 * Math.PI * f * (i / 50) + c) * Math.min(1, i / 20);
    }
  }
  return { data, source: { count: n, fill: (i, out, off) => out.set(data.subarray(i * per, (i + 1) * per), off) } };
}

describe('the inference pool', () => {
  const model = loadModel(MODEL);

  it('gives the in-process scores for the same batches, whatever the thread count, and separates shaking from quiet', async () => {
    const { source } = windows();
    let expected: Float32Array = new Float32Array(0);
    for (const maxBatch of [64, 7]) {
      const ref = new InferencePool([model], { threads: 0, maxBatch });
      await ref.start();
      const inProcess = await ref.score(model, source);
      await ref.close();
      if (maxBatch === 64) expected = inProcess;
      for (const threads of [1, 2]) {
        const pool = new InferencePool([model], { threads, maxBatch });
        await pool.start();
        const got = await pool.score(model, source);
        const stats = pool.statsOf(model);
        await pool.close();
        expect(got).toEqual(inProcess);
        expect(stats.batches).toBe(Math.ceil(300 / maxBatch));
        expect(stats.windows).toBe(300);
      }
      // Another batch size: the same probabilities to float32 rounding.
      for (let i = 0; i < 300; i++) expect(Math.abs(inProcess[i]! - expected[i]!)).toBeLessThan(1e-5);
    }
    // Phones at rest are never flagged; shaking ones score far higher on average.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const quiet = [...expected].filter((_, i) => i % 2 === 0), shaking = [...expected].filter((_, i) => i % 2 === 1);
    expect(Math.max(...quiet)).toBeLessThan(model.threshold!);
    expect(mean(shaking)).toBeGreaterThan(5 * mean(quiet));
  });

  it('replaces a worker that dies (exits mid-run) and retries its batch once', async () => {
    const { source } = windows();
    const ref = new InferencePool([model], { threads: 0, maxBatch: 32 });
    await ref.start();
    const expected = await ref.score(model, source);
    await ref.close();
    const pool = new InferencePool([model], {
      threads: 1, maxBatch: 32, maxInFlight: 1,
      crashOn: ({ batch, attempt }) => batch === 3 && attempt === 1,
    });
    await pool.start();
    const got = await pool.score(model, source);
    expect(got).toEqual(expected);
    expect(pool.statsOf(model).retries).toBe(1);
    // The replacement worker keeps serving.
    expect(await pool.score(model, source)).toEqual(expected);
    await pool.close();
  });

  it('fails the run with a clear error when the retry fails too', async () => {
    const { source } = windows();
    const pool = new InferencePool([model], {
      threads: 1, maxBatch: 32, maxInFlight: 1,
      crashOn: ({ batch }) => batch === 2,
    });
    await pool.start();
    await expect(pool.score(model, source)).rejects.toThrow(/inference failed twice on batch 2 \(32 windows\) of model .*quake-baseline\.onnx/);
    await pool.close();
  });
});

describe('models and their sidecars', () => {
  const dir = tempDir();
  /** A copy of the baseline model with its sidecar changed. */
  const variant = (name: string, change: (side: Record<string, any>) => void): string => {
    const onnx = join(dir, `${name}.onnx`);
    copyFileSync(MODEL, onnx);
    const side = JSON.parse(readFileSync(join(ROOT, 'models/quake-baseline.json'), 'utf8'));
    change(side);
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(side));
    return onnx;
  };

  it('reads the contract of the shipped model', () => {
    const m = loadModel(MODEL);
    expect(m).toMatchObject({ inputName: 'window', outputName: 'probability', channels: ['ax', 'ay', 'az'], rateHz: 50, samples: 100, windowS: 2, parameters: 193, macsSource: 'sidecar' });
    expect(m.threshold).toBeGreaterThan(0.3);
  });

  it('refuses a sidecar whose input name, shape or output name differ from the graph, saying what differs', () => {
    expect(() => loadModel(variant('name', (s) => { s.input.name = 'x'; }))).toThrow(/name\.onnx: input is named "window", not "x" \(its sidecar .*name\.json says input "x" \[batch, 3, 100\], output "probability"\)/);
    expect(() => loadModel(variant('shape', (s) => { s.input.shape = ['batch', 3, 200]; delete s.window_s; }))).toThrow(/shape\.onnx: input has shape \[batch, 3, 100\]/);
    expect(() => loadModel(variant('channels', (s) => { s.channels = ['ax', 'ay']; }))).toThrow(/channels\.json: input\.shape: expected 2 channels \(the channels list\), found 3/);
    expect(() => loadModel(variant('output', (s) => { s.output.name = 'p'; }))).toThrow(/output\.onnx: output is named "probability", not "p"/);
    expect(() => loadModel(variant('rate', (s) => { s.window_s = 3; }))).toThrow(/rate\.json: window_s: expected 2 s \(100 samples at 50 Hz\), found 3/);
  });

  it('refuses a missing sidecar and a file that is not ONNX', () => {
    const lone = join(dir, 'lone.onnx');
    copyFileSync(MODEL, lone);
    expect(() => loadModel(lone)).toThrow(/lone\.onnx: its sidecar JSON is missing: expected .*lone\.json/);
    const junk = join(dir, 'junk.onnx');
    writeFileSync(junk, 'this is not a model');
    writeFileSync(join(dir, 'junk.json'), readFileSync(join(ROOT, 'models/quake-baseline.json')));
    expect(() => loadModel(junk)).toThrow(/junk\.onnx: not an ONNX model/);
  });
});
