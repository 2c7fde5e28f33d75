/** Renders one hazard plug-in at devices placed at given offsets from a world's centre (no engine). */
import { ColumnSet } from '../../src/core/columns.js';
import { parseWorld, type World } from '../../src/world/load.js';
import { buildGridCity } from '../../src/world/build/grid-city.js';
import type { HazardPlugin, HazardTruth, HazardContext, TruthRow } from '../../src/plugin/index.js';
import { newBlock } from '../../src/engine/block.js';

export interface Trace {
  e: Float32Array;
  n: Float32Array;
  u: Float32Array;
  p: Float32Array;
}

let bigWorld: World | undefined;
export function testWorld(): World {
  bigWorld ??= parseWorld(buildGridCity({ sizeKm: 400, cellKm: 50, roadSpacingKm: 100 }), 'test-world');
  return bigWorld;
}

export function renderHazard(
  plugin: HazardPlugin,
  config: Record<string, unknown>,
  offsetsKm: [number, number][],
  seconds: number,
  opts: { fs?: number; pfs?: number; world?: World; scenarioDir?: string } = {},
): { traces: Trace[]; truth: HazardTruth; rows: TruthRow[]; config: any; ctx: HazardContext } {
  const fs = opts.fs ?? 50, pfs = opts.pfs ?? 0;
  const world = opts.world ?? testWorld();
  const c = plugin.schema.parse({ type: plugin.type, ...config });
  const rows = offsetsKm.length;
  const cols = ColumnSet.allocate(rows, [{ name: 'x', type: 'f64' }, { name: 'y', type: 'f64' }])
    .merge(ColumnSet.allocate(rows, plugin.columns(c, rows).map((s) => ({ ...s, name: 'hazard0.' + s.name }))));
  offsetsKm.forEach(([x, y], i) => { cols.f64('x')[i] = x * 1000; cols.f64('y')[i] = y * 1000; });
  const reported: TruthRow[] = [];
  const ctx: HazardContext = {
    seed: 3, index: 0, world, columns: cols, phones: [], behaviours: [], prefix: 'hazard0.',
    file: 'test.yaml', files: {}, dir: opts.scenarioDir ?? process.cwd(), durationS: seconds,
    report: (r: TruthRow) => reported.push(r),
  };
  plugin.check?.(c, ctx, 'hazards[0]');
  const rt = plugin.create(c, ctx);
  const n = Math.round(seconds * fs), pn = Math.round(seconds * pfs);
  const traces = offsetsKm.map(() => ({ e: new Float32Array(n), n: new Float32Array(n), u: new Float32Array(n), p: new Float32Array(pn) }));
  for (let d = 0; d < rows; d++) {
    const t = traces[d]!;
    for (let s = 0; s < seconds; s++) {
      const k = s * fs, m = Math.min(fs, n - k), pk = s * pfs;
      rt.render(d, { ...newBlock(m, pfs), t0: s, t1: s + 1, k0: k, n: m, fs, ae: t.e.subarray(k), an: t.n.subarray(k), au: t.u.subarray(k), pk0: pk, pn: pfs, pfs, dp: t.p.subarray(pk) });
    }
  }
  return { traces, truth: plugin.truth(c, ctx, 0), rows: reported, config: c, ctx };
}

export const peak = (a: Float32Array, from = 0, to = a.length) => {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
};

export const rms = (a: Float32Array, from: number, to: number) => {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]! ** 2;
  return Math.sqrt(s / Math.max(1, to - from));
};
