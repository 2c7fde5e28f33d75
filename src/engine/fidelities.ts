/**
 * The stage list of each fidelity: `signal` renders every sensor sample (move → context → excite →
 * sense → detect → report); `trigger` swaps excite/sense/detect for the trigger stage, which draws
 * triggers from response curves measured in signal mode (move → context → trigger → report).
 */
import type { Runtimes } from './setup.js';
import { contextStage, declared, detectStage, exciteStage, moveStage, reportStage, senseStage, type DeviceStage } from './stages.js';
import { TRIGGER_DECLARATION, triggerStage } from './trigger-stage.js';

/** Stage factories of each fidelity, in order. */
const FIDELITIES: Record<string, ((rt: Runtimes) => DeviceStage)[]> = {
  signal: [moveStage, contextStage, exciteStage, senseStage, detectStage, reportStage],
  trigger: [moveStage, contextStage, triggerStage, reportStage],
};

/** The fidelity's stage list, built for a worker's runtimes. */
export function deviceStages(fidelity: string, rt: Runtimes): DeviceStage[] {
  const list = FIDELITIES[fidelity];
  if (!list) throw new Error(`no stage list for fidelity "${fidelity}"`);
  return list.map((make) => make(rt));
}

/** A fidelity's stages as a manifest records them: name, reads, writes, in order. */
export function stagePlan(fidelity: string): { name: string; reads: readonly string[]; writes: readonly string[] }[] {
  return (FIDELITIES[fidelity] ?? []).map((make) => (make === triggerStage ? TRIGGER_DECLARATION : declared(make.name.replace(/Stage$/, ''))));
}
