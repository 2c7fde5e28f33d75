/** The resolved scenario as manifests record it. */
import { relative } from 'node:path';
import type { ResolvedScenario } from '../scenario/load.js';

/** JSON form of a resolved scenario for manifests (paths relative to the scenario's directory). */
export function scenarioRecord(s: ResolvedScenario): Record<string, unknown> {
  return {
    file: s.file,
    hash: s.hash,
    overrides: s.overrides,
    config: s.config,
    files: s.files.map((f) => ({ field: f.field, path: relative(s.dir, f.path), sha256: f.sha256 })),
    warnings: s.warnings,
    phones: s.phones,
    behaviours: s.behaviours,
  };
}
