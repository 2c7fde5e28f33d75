/**
 * Plans a sweep before anything runs: reads the sweep file, its base scenario and catalogue,
 * expands the points, resolves every point's scenario (so a path that does not exist, or a value the
 * schema refuses, stops the sweep up front, naming the sweep field) and gives each its content hash
 * and seeds: the list of jobs.
 */
import { resolve } from 'node:path';
import { InputError, isInputError } from '../../core/errors.js';
import { loadScenario, type ResolvedScenario } from '../../scenario/load.js';
import { keepWorldsLoaded, loadWorld } from '../../world/load.js';
import { checkEstimate, estimateRun } from '../../engine/estimate.js';
import { builtinPlugins } from '../../plugins.js';
import { readCatalogue } from './catalogue.js';
import { pointHash, type PointJob } from './job.js';
import { expandPoints, type SweepPoint } from './points.js';
import { loadSweep, type Sweep } from './spec.js';

export interface PlannedPoint extends SweepPoint {
  hash: string;
  seeds: number[];
  /** Estimated wall time of one of its runs on one thread, s (progress weights and the order jobs start in). */
  cost: number;
}

export interface SweepPlan {
  sweep: Sweep;
  base: ResolvedScenario;
  points: PlannedPoint[];
  /** The swept parameter paths, in column order. */
  params: string[];
  jobs: PointJob[];
  outDir: string;
}

/** Where in the sweep file an override comes from (for messages). */
function origin(sweep: Sweep, override: string): string {
  const path = override.slice(0, override.indexOf('='));
  const c = sweep.config;
  const k = c.set.indexOf(override);
  if (k >= 0) return `set[${k}]`;
  for (let i = 0; i < c.grid.length; i++) {
    const a = c.grid[i]!;
    if ('zip' in a) { const j = a.zip.findIndex((l) => l.path === path); if (j >= 0) return `grid[${i}].zip[${j}].path`; }
    else if (a.path === path) return `grid[${i}].path`;
  }
  const j = c.sample?.parameters.findIndex((p) => p.path === path) ?? -1;
  if (j >= 0) return `sample.parameters[${j}].path`;
  return 'catalogue.file';
}

export function planSweep(file: string, options: { out?: string; force?: boolean } = {}): SweepPlan {
  const sweep = loadSweep(file);
  keepWorldsLoaded(); // every point's estimate reads its world: once each
  const c = sweep.config;
  const base = (() => {
    try { return loadScenario(sweep.scenarioFile, { plugins: builtinPlugins, overrides: c.set }); } catch (err) {
      if (isInputError(err)) throw new InputError(sweep.file, { path: 'scenario', message: `the base scenario (with the sweep's set) does not load: ${(err as Error).message}` });
      throw err;
    }
  })();
  if (c.catalogue && !base.config.hazards[c.catalogue.hazard]) throw new InputError(sweep.file, { path: 'catalogue.hazard', message: `expected the index of one of the scenario's ${base.config.hazards.length} hazards, found ${c.catalogue.hazard}` });
  const events = c.catalogue ? readCatalogue(resolve(sweep.dir, c.catalogue.file)) : undefined;
  const expanded = expandPoints(c, base, events);
  const seeds = typeof c.seeds === 'number' ? Array.from({ length: c.seeds }, (_, i) => base.config.seed + i) : c.seeds;
  const points: PlannedPoint[] = expanded.map((p) => {
    let scenario: ResolvedScenario;
    try {
      scenario = loadScenario(sweep.scenarioFile, { plugins: builtinPlugins, overrides: p.overrides });
    } catch (err) {
      if (!isInputError(err)) throw err;
      // Name the sweep field behind the first override the scenario refuses on its own.
      const culprit = p.overrides.find((o) => { try { loadScenario(sweep.scenarioFile, { plugins: builtinPlugins, overrides: [o] }); return false; } catch { return true; } }) ?? p.overrides.at(-1)!;
      const where = p.event ? `catalogue.file (line ${p.event.line})` : origin(sweep, culprit);
      throw new InputError(sweep.file, { path: where, message: `point ${p.index + 1} (${culprit}): ${(err as Error).message}` });
    }
    // A point that would not fit this machine's memory is refused up front, as `run` refuses it.
    const e = estimateRun(scenario, builtinPlugins, loadWorld(scenario.worldFile), 1);
    try { checkEstimate(e, sweep.file, options.force ?? false); } catch (err) {
      throw new InputError(sweep.file, { path: p.event ? `catalogue.file (line ${p.event.line})` : 'grid', message: `point ${p.index + 1} (${p.overrides.join(' ')}): ${(err as InputError).problems?.[0]?.message ?? (err as Error).message}` });
    }
    return { ...p, hash: pointHash(scenario), seeds, cost: e.wallSeconds };
  });
  const params: string[] = [];
  for (const p of points) for (const [k] of p.params) if (!params.includes(k)) params.push(k);
  const outDir = resolve(options.out ?? `out/${c.name}`);
  const jobs: PointJob[] = [];
  const seen = new Set<string>();
  for (const p of points) for (const seed of p.seeds) {
    // Two points that resolve to the same scenario (a parameter that changes nothing) share their runs.
    const key = `${p.hash}/${seed}`;
    if (seen.has(key)) continue;
    seen.add(key);
    jobs.push({ sweep: sweep.file, scenarioFile: sweep.scenarioFile, overrides: p.overrides, seed, hash: p.hash, outDir, cost: p.cost });
  }
  return { sweep, base, points, params, jobs, outDir };
}
