/** The quickstart pipeline end to end: device-seconds simulated per wall second, on 1 and 2 threads. */
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/core/paths.js';
import { loadScenario } from '../src/scenario/load.js';
import { runScenario } from '../src/engine/run.js';
import type { Bench } from './harness.js';
import { builtinPlugins } from '../src/plugins.js';

export const pipelineBench: Bench = {
  name: 'pipeline.quickstart',
  description: 'scenarios/quickstart.yaml (20,000 phones, 10 simulated minutes, M6) end to end',
  async run(record) {
    const scenario = loadScenario(join(PACKAGE_ROOT, 'scenarios/quickstart.yaml'), { plugins: builtinPlugins });
    for (const threads of [1, 2]) {
      const r = await runScenario(scenario, { plugins: builtinPlugins, threads });
      const f = r.figures;
      record(`pipeline.quickstart.threads${threads}.wall_s`, f.wallSeconds, 's');
      record(`pipeline.quickstart.threads${threads}.device_seconds_per_s`, f.deviceSeconds / f.wallSeconds, 'device-s/s');
      record(`pipeline.quickstart.threads${threads}.samples_per_s`, f.samples / f.wallSeconds, '3-axis samples/s');
      record(`pipeline.quickstart.threads${threads}.server_s`, f.serverSeconds, 's');
    }
    record('pipeline.quickstart.peak_rss_mb', process.resourceUsage().maxRSS / 1024, 'MB');
  },
};
