/** `hazardsim dataset` on scenarios/dataset-quake.yaml: windows written per second, and the bytes behind them. */
import { statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { buildDataset } from '../src/dataset/build.js';
import type { Bench } from './harness.js';

export const datasetBench: Bench = {
  name: 'dataset',
  description: 'hazardsim dataset scenarios/dataset-quake.yaml (4,400 phones, 16 simulated minutes, 3 earthquakes): 20,000 windows of 2 s',
  async run(record) {
    const out = join(tmpdir(), `hazardsim-bench-dataset-${process.pid}`);
    for (const threads of [1, 2]) {
      const r = await buildDataset({
        scenarios: [join(PACKAGE_ROOT, 'scenarios/dataset-quake.yaml')], out, windows: 20_000, windowS: 2, hopS: 1, channels: 'accel',
        balance: 0.5, hardNegatives: 0.5, minSignalG: 0.005, split: 'device', stratify: 'label', valShare: 0.15, testShare: 0.15, force: true, threads,
      });
      record(`dataset.threads${threads}.wall_s`, r.seconds, 's');
      record(`dataset.threads${threads}.windows_per_s`, r.windows / r.seconds, 'windows/s');
      record(`dataset.threads${threads}.mb_per_s`, statSync(join(out, 'X.npy')).size / 1e6 / r.seconds, 'MB/s of X.npy');
    }
    rmSync(out, { recursive: true, force: true });
  },
};
