/** `hazardsim dataset` on scenarios/dataset-quake.yaml: windows written per second, and the bytes behind them. */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { buildDataset } from '../src/dataset/build.js';
import { loadScenario } from '../src/scenario/load.js';
import { builtinPlugins } from '../src/plugins.js';
import { trainModel } from '../src/train/train.js';
import type { Bench } from './harness.js';

export const datasetBench: Bench = {
  name: 'dataset',
  description: 'hazardsim dataset scenarios/dataset-quake.yaml (4,400 phones, 16 simulated minutes, 3 earthquakes): 20,000 windows of 2 s',
  async run(record) {
    const out = join(tmpdir(), `hazardsim-bench-dataset-${process.pid}`);
    for (const threads of [1, 2]) {
      const r = await buildDataset({
        scenarios: [loadScenario(join(PACKAGE_ROOT, 'scenarios/dataset-quake.yaml'), { plugins: builtinPlugins })], plugins: builtinPlugins, out, windows: 20_000, windowS: 2, hopS: 1, channels: 'accel',
        balance: 0.5, hardNegatives: 0.5, minSignalG: 0.005, split: 'device', stratify: 'label', valShare: 0.15, testShare: 0.15, force: true, threads,
      });
      record(`dataset.threads${threads}.wall_s`, r.seconds, 's');
      record(`dataset.threads${threads}.windows_per_s`, r.windows / r.seconds, 'windows/s');
      record(`dataset.threads${threads}.windows_labelled_per_s`, r.labelled / r.simulateSeconds, 'windows/s simulated, cut and labelled');
      record(`dataset.threads${threads}.write_windows_per_s`, r.windows / r.writeSeconds, 'windows/s chosen and written');
    }
    // Training the shipped baseline on it (features streamed from X.npy, MLP, early stopping).
    const started = performance.now();
    const t = await trainModel({ dataset: out, out: join(out, 'bench.onnx'), model: 'mlp', features: 'bands', positive: ['earthquake'], hidden: 16, epochs: 200, batch: 128, l2: 1e-4, patience: 15, seed: 1, force: true });
    const s = (performance.now() - started) / 1000;
    record('dataset.train_mlp.wall_s', s, 's');
    record('dataset.train_mlp.epochs', t.history.epochs, 'epochs');
    record('dataset.train_mlp.test_roc_auc', t.sidecar.metrics.test!.roc_auc!, '');
    rmSync(out, { recursive: true, force: true });
  },
};

/** Writing a large dataset: 36,000 windows of 4 s × 6 channels × 100 Hz (346 MB), negatives only. */
export const datasetWriteBench: Bench = {
  name: 'dataset-large',
  description: 'hazardsim dataset: 1,000 flagship phones × 150 s, 36,000 windows of 4 s accel+gyro at 100 Hz (346 MB X.npy), 2 threads',
  async run(record) {
    const dir = join(tmpdir(), `hazardsim-bench-dataset-large-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const scenario = join(dir, 'large.yaml');
    writeFileSync(scenario, stringify({
      name: 'large', seed: 3, duration: '150s', tick: '1s', world: join(PACKAGE_ROOT, 'worlds/grid-city.geojson'),
      population: {
        devices: 1000, phones: [{ profile: join(PACKAGE_ROOT, 'agents/phones/flagship.yaml') }],
        behaviours: [{ profile: join(PACKAGE_ROOT, 'agents/behaviours/stationary.yaml'), share: 0.5 }, { profile: join(PACKAGE_ROOT, 'agents/behaviours/pedestrian.yaml'), share: 0.5 }],
      },
      hazards: [], detector: { type: 'sta-lta' }, server: { type: 'cell-ratio' },
    }));
    const out = join(dir, 'out');
    const r = await buildDataset({
      scenarios: [loadScenario(scenario, { plugins: builtinPlugins })], plugins: builtinPlugins, out, windows: 36_000, windowS: 4, hopS: 1, channels: 'accel+gyro', balance: 0, hardNegatives: 0.5, minSignalG: 0.005,
      split: 'device', stratify: 'label', valShare: 0.15, testShare: 0.15, force: true, threads: 2,
    });
    record('dataset-large.windows_per_s', r.windows / r.seconds, 'windows/s end to end');
    record('dataset-large.write_windows_per_s', r.windows / r.writeSeconds, 'windows/s chosen and written');
    record('dataset-large.write_mb_per_s', statSync(join(out, 'X.npy')).size / 1e6 / r.writeSeconds, 'MB/s of X.npy');
    rmSync(dir, { recursive: true, force: true });
  },
};
