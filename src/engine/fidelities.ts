/**
 * The stage list of each fidelity: `signal` renders every sensor sample (move → context → excite →
 * sense → detect → report, with the fleet stages update and telemetry when the scenario has a
 * fleet section); `trigger` swaps excite/sense/detect for the trigger stage, which draws triggers
 * from response curves measured in signal mode (move → context → trigger → report).
 */
import type { Runtimes } from './setup.js';
import type { ResolvedScenario } from '../scenario/load.js';
import { contextStage, declared, detectStage, exciteStage, moveStage, reportStage, senseStage, type DeviceStage } from './stages.js';
import { TRIGGER_DECLARATION, triggerStage } from './trigger-stage.js';
import { FLEET_DECLARATIONS, telemetryStage, updateStage } from './fleet-stages.js';

/** A stage factory; the fleet stages give none when the scenario does not need them. */
type StageFactory = (rt: Runtimes) => DeviceStage | undefined;

/** Stage factories of each fidelity, in order. */
const FIDELITIES: Record<string, StageFactory[]> = {
  signal: [moveStage, updateStage, contextStage, exciteStage, senseStage, detectStage, telemetryStage, reportStage],
  trigger: [moveStage, contextStage, triggerStage, reportStage],
};

/** The fidelity's stage list, built for a worker's runtimes. */
export function deviceStages(fidelity: string, rt: Runtimes): DeviceStage[] {
  const list = FIDELITIES[fidelity];
  if (!list) throw new Error(`no stage list for fidelity "${fidelity}"`);
  return list.map((make) => make(rt)).filter((s): s is DeviceStage => s !== undefined);
}

/** Whether a fleet stage runs for this scenario (as its factory decides). */
function fleetStageRuns(name: string, s: ResolvedScenario): boolean {
  if (name === 'telemetry') return s.config.fleet !== undefined;
  return (s.config.fleet?.updates.length ?? 0) > 0 || s.candidate !== undefined;
}

/** A scenario's stages as a manifest records them: name, reads, writes, in order. */
export function stagePlan(scenario: ResolvedScenario): { name: string; reads: readonly string[]; writes: readonly string[] }[] {
  return (FIDELITIES[scenario.config.fidelity] ?? []).flatMap((make) => {
    if (make === triggerStage) return [TRIGGER_DECLARATION];
    const name = make.name.replace(/Stage$/, '');
    if (FLEET_DECLARATIONS[name]) return fleetStageRuns(name, scenario) ? [{ name, ...FLEET_DECLARATIONS[name]! }] : [];
    return [declared(name)];
  });
}
