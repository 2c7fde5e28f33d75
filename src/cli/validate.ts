/** `hazardsim validate`: checks scenario, world and profile files; exit 0 when all are valid, 2 otherwise. */
import { unreachableHazardWarnings } from '../engine/reach.js';
import { chooseThreads } from '../engine/thread-choice.js';
import { checkEstimate, describeEstimate, estimateRun } from '../engine/estimate.js';
import { isInputError, type InputError } from '../core/errors.js';
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

/** One file's verdict, as `--json` prints it. */
interface Verdict {
  file: string;
  kind: 'world' | 'phone' | 'behaviour' | 'scenario';
  ok: boolean;
  warnings: string[];
  problems: { path: string; message: string }[];
  estimate?: { phones: number; device_hours: number; memory_bytes: number; limit_bytes: number; wall_seconds: number; threads: number };
}

export async function validateCommand(files: string[], quiet = false, plugins: PluginSet = builtinPlugins, force = false, json = false): Promise<number> {
  let bad = 0;
  const verdicts: Verdict[] = [];
  for (const file of files) {
    const kind = kindOf(file);
    const v: Verdict = { file: displayPath(file), kind, ok: true, warnings: [], problems: [] };
    verdicts.push(v);
    try {
      let note = '';
      if (kind === 'world') loadWorld(file);
      else if (kind === 'phone') loadPhoneProfile(file);
      else if (kind === 'behaviour') loadBehaviourProfile(file);
      else {
        const s = loadScenario(file, { plugins });
        const world = loadWorld(s.worldFile);
        s.warnings.push(...unreachableHazardWarnings(s, world));
        // The threads `hazardsim run` would choose for it.
        const choice = chooseThreads({ singleThreadSeconds: estimateRun(s, plugins, world, 1).wallSeconds, fidelity: s.config.fidelity, models: s.detectors.some((d) => d.model) });
        const e = { ...estimateRun(s, plugins, world, choice.threads), threadReason: choice.reason };
        v.estimate = { phones: e.phones, device_hours: e.deviceHours, memory_bytes: e.memoryBytes, limit_bytes: e.limitBytes, wall_seconds: e.wallSeconds, threads: e.threads };
        checkEstimate(e, s.file, force);
        note = ` — ${describeEstimate(e)}`;
        v.warnings = [...s.warnings, ...(s.config.budget ? await (await import('./budget.js')).budgetWarnings(s, plugins) : [])];
      }
      if (json) continue;
      for (const w of v.warnings) process.stderr.write(`hazardsim: warning: ${displayPath(file)}: ${w}\n`);
      if (!quiet) process.stdout.write(`ok  ${displayPath(file)} (${kind})${note}\n`);
    } catch (err) {
      if (!isInputError(err)) throw err;
      bad++;
      v.ok = false;
      v.problems = (err as InputError).problems.map((p) => ({ path: p.path, message: p.message }));
      if (!json) process.stderr.write(`${(err as Error).message}\n`);
    }
  }
  if (json) process.stdout.write(JSON.stringify(verdicts, null, 2) + '\n');
  return bad ? EXIT_INPUT : 0;
}
