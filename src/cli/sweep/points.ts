/**
 * Expands a sweep into its points: the product of the grid's axes (first axis slowest), crossed with
 * the sample's points and the catalogue's events. Each point is a list of `--set` overrides plus the
 * parameter values shown in the merged table.
 */
import { FastRandom } from '../../core/random.js';
import type { ResolvedScenario } from '../../scenario/load.js';
import { localClock, type CatalogueEvent } from './catalogue.js';
import type { SweepConfig } from './spec.js';

/** A swept value as the table shows it. */
export type ParamValue = number | string | boolean;

export interface SweepPoint {
  /** Position in the sweep's order (rows of the merged table follow it). */
  index: number;
  /** Swept paths and their values, in column order. */
  params: [string, ParamValue][];
  /** Every override this point's runs get: the sweep's fixed `set`, then the swept values. */
  overrides: string[];
  /** The catalogue event, when the sweep has a catalogue. */
  event?: { name: string; line: number };
}

/** Twelve significant digits: a range's 10^(k/4) prints and hashes the same everywhere. */
const tidy = (v: number): number => Number(v.toPrecision(12));

function rangeValues(r: { from: number; to: number; steps: number; scale: 'linear' | 'log'; integer: boolean }): number[] {
  return Array.from({ length: r.steps }, (_, k) => {
    const u = k / (r.steps - 1);
    const v = r.scale === 'log' ? 10 ** (Math.log10(r.from) + u * (Math.log10(r.to) - Math.log10(r.from))) : r.from + u * (r.to - r.from);
    return r.integer ? Math.round(v) : tidy(v);
  });
}

/**
 * Sample points in [0, 1)^d: independent uniforms, or a Latin hypercube (McKay, Beckman & Conover
 * 1979): in each dimension the n points fall one in each of the n equal strata, in a random order.
 */
export function unitSample(method: 'random' | 'latin-hypercube', n: number, d: number, seed: number): number[][] {
  const r = FastRandom.of(seed, 'sweep-sample');
  if (method === 'random') return Array.from({ length: n }, () => Array.from({ length: d }, () => r.uniform()));
  const out = Array.from({ length: n }, () => new Array<number>(d).fill(0));
  for (let j = 0; j < d; j++) {
    const perm = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) { const k = Math.floor(r.uniform() * (i + 1)); [perm[i], perm[k]] = [perm[k]!, perm[i]!]; }
    for (let i = 0; i < n; i++) out[i]![j] = (perm[i]! + r.uniform()) / n;
  }
  return out;
}

/** One axis of the product: its alternatives, each a list of (path, value). */
type Axis = [string, ParamValue][][];

export function expandPoints(config: SweepConfig, base: ResolvedScenario, events: CatalogueEvent[] | undefined): SweepPoint[] {
  const axes: Axis[] = config.grid.map((a) => {
    if ('zip' in a) return a.zip[0]!.values.map((_, i) => a.zip.map((l) => [l.path, l.values[i]!] as [string, ParamValue]));
    if ('range' in a) return rangeValues(a.range).map((v) => [[a.path, v]]);
    return a.values.map((v) => [[a.path, v]]);
  });
  if (config.sample) {
    const s = config.sample;
    axes.push(unitSample(s.method, s.points, s.parameters.length, s.seed).map((u) => s.parameters.map((p, j) => {
      const v = p.scale === 'log' ? 10 ** (Math.log10(p.min) + u[j]! * (Math.log10(p.max) - Math.log10(p.min))) : p.min + u[j]! * (p.max - p.min);
      return [p.path, p.integer ? Math.round(v) : tidy(v)] as [string, ParamValue];
    })));
  }
  let combos: { params: [string, ParamValue][]; event?: CatalogueEvent }[] = [{ params: [] }];
  for (const axis of axes) combos = combos.flatMap((c) => axis.map((alt) => ({ params: [...c.params, ...alt] })));
  if (events && config.catalogue) {
    const h = config.catalogue.hazard, hazard = base.config.hazards[h] as { origin_time?: number } | undefined;
    const offset = hazard?.origin_time ?? 0;
    combos = combos.flatMap((c) => events.map((e) => {
      const start = new Date(e.originUtc.getTime() - offset * 1000);
      const params: [string, ParamValue][] = [
        ...c.params,
        [`hazards.${h}.lon`, e.lon], [`hazards.${h}.lat`, e.lat], [`hazards.${h}.depth_km`, e.depthKm], [`hazards.${h}.magnitude`, e.magnitude],
        ['start_utc', start.toISOString()], ['local_start', localClock(start, e.lon, config.catalogue!.time_zone)],
        ...(e.world ? [['world', e.world] as [string, ParamValue]] : []),
      ];
      return { params, event: e };
    }));
  }
  return combos.map((c, index) => ({
    index,
    params: c.params,
    overrides: [...config.set, ...c.params.map(([p, v]) => `${p}=${JSON.stringify(v)}`)],
    ...(c.event ? { event: { name: c.event.name, line: c.event.line } } : {}),
  }));
}
