/** `hazardsim validate`: checks scenario, world and profile files; exit 0 when all are valid, 2 otherwise. */
import { availableParallelism } from 'node:os';
import { checkEstimate, describeEstimate, estimateRun } from '../engine/estimate.js';
import { isInputError } from '../core/errors.js';
import { loadScenario, loadPhoneProfile, loadBehaviourProfile, readYaml, displayPath } from '../scenario/load.js';
import { loadWorld } from '../world/load.js';
import { EXIT_INPUT } from './common.js';
import type { PluginSet } from '../plugin/index.js';
import { builtinPlugins } from '../plugins.js';

/** Guesses what a file is: a world (GeoJSON), a phone or behaviour profile, or a scenario. */
function kindOf(file: string): 'world' | 'phone' | 'behaviour' | 'scenario' {
  if (/\.(geo)?json$/i.test(file)) return 'world';
  let doc: any;
  try {
    doc = readYaml(file);
  } catch {
    return 'scenario'; // let the scenario loader report the syntax error
  }
  if (doc && typeof doc === 'object') {
    if ('accelerometer' in doc) return 'phone';
    if ('kind' in doc && !('hazards' in doc) && !('world' in doc)) return 'behaviour';
  }
  return 'scenario';
}

export function validateCommand(files: string[], quiet = false, plugins: PluginSet = builtinPlugins, force = false): number {
  let bad = 0;
  for (const file of files) {
    try {
      const kind = kindOf(file);
      let warnings: string[] = [], note = '';
      if (kind === 'world') loadWorld(file);
      else if (kind === 'phone') loadPhoneProfile(file);
      else if (kind === 'behaviour') loadBehaviourProfile(file);
      else {
        const s = loadScenario(file, { plugins });
        const estimate = estimateRun(s, plugins, loadWorld(s.worldFile), Math.min(availableParallelism(), 4));
        checkEstimate(estimate, s.file, force);
        note = ` — ${describeEstimate(estimate)}`;
        warnings = s.warnings;
      }
      for (const w of warnings) process.stderr.write(`hazardsim: warning: ${displayPath(file)}: ${w}\n`);
      if (!quiet) process.stdout.write(`ok  ${displayPath(file)} (${kind})${note}\n`);
    } catch (err) {
      if (!isInputError(err)) throw err;
      bad++;
      process.stderr.write(`${(err as Error).message}\n`);
    }
  }
  return bad ? EXIT_INPUT : 0;
}
