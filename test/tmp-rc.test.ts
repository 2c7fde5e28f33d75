import { it } from 'vitest';
import { loadScenario } from '../src/scenario/load.js';
import { runScenario } from '../src/engine/run.js';
import { builtinPlugins } from '../src/plugins.js';
it('x', async () => {
  const scenario = loadScenario('scenarios/replay-ridgecrest.yaml', { plugins: builtinPlugins, overrides: (process.env.OV ?? '').split(' ').filter(Boolean) });
  const r = await runScenario(scenario, { plugins: builtinPlugins, threads: 2 });
  console.log(r.alerts.map((a) => `${a.time.toFixed(1)} M${a.estimate.magnitude.toFixed(2)} r${a.radiusKm.toFixed(0)} n${a.triggers} L${a.rupture?.lengthKm?.toFixed(0)} ${a.estimate.x.toFixed(0)},${a.estimate.y.toFixed(0)}`).join('\n'));
}, 300000);
