import { describe, expect, it } from 'vitest';
import { ColumnSet } from '../../src/core/columns.js';
import { G } from '../../src/core/units.js';
import { bumpDetector, bumpSchema } from '../../src/detect/shock.js';
import type { DetectorSink, SensorBlock, TriggerMessage } from '../../src/plugin/index.js';

/**
 * A phone lying at 30° in a car at 10 m/s; at t = 5 s a 20 ms jolt of `g` g along `dir` (phone axes).
 * Returns the bump triggers it sends.
 */
function jolt(dir: [number, number, number], g: number, config: Record<string, unknown> = {}): TriggerMessage[] {
  const cfg = bumpSchema.parse({ type: 'bump', ...config });
  const specs = bumpDetector.columns({ config: cfg } as never, 1, [], 1).map((c) => ({ ...c, name: 'detector.' + c.name }));
  const columns = ColumnSet.allocate(1, [...specs, { name: 'gnss.speed', type: 'f32' }]);
  columns.f32('gnss.speed')[0] = 10;
  const det = bumpDetector.create({ config: cfg } as never, { seed: 1, prefix: 'detector.', columns, phones: [], tick: 1 });
  const out: TriggerMessage[] = [];
  const sink: DetectorSink = { emit: (m) => out.push(m), submit: () => {} };
  const fs = 100, up = [0, Math.sin(Math.PI / 6), Math.cos(Math.PI / 6)]; // gravity in the phone's frame
  const n = Math.hypot(...dir), u = dir.map((v) => v / n);
  for (let k = 0; k < 12; k++) {
    const b: SensorBlock = { k0: k * fs, n: fs, fs, ax: new Float32Array(fs), ay: new Float32Array(fs), az: new Float32Array(fs), gx: null, gy: null, gz: null, p: null, pfs: 0, pk0: 0, pn: 0 };
    for (let i = 0; i < fs; i++) {
      const t = k + i / fs, s = t >= 5 && t < 5.02 ? g * G * Math.sin((Math.PI * (t - 5)) / 0.02) : 0;
      b.ax[i] = up[0]! * G + s * u[0]!; b.ay[i] = up[1]! * G + s * u[1]!; b.az[i] = up[2]! * G + s * u[2]!;
    }
    det.process(0, b, sink);
  }
  return out;
}

describe('bump detector', () => {
  it('reports a vertical jolt and not the same jolt sideways (Pothole Patrol’s x–z ratio filter)', () => {
    const up: [number, number, number] = [0, Math.sin(Math.PI / 6), Math.cos(Math.PI / 6)];
    const side: [number, number, number] = [1, 0, 0];
    expect(jolt(up, 1.5)).toHaveLength(1);
    expect(jolt(side, 1.5)).toHaveLength(0);
    // 45° between: vertical and horizontal parts equal, on the edge of ratio 1; 30° off vertical passes.
    const tilted: [number, number, number] = [Math.sin(Math.PI / 6), up[1] * Math.cos(Math.PI / 6), up[2] * Math.cos(Math.PI / 6)];
    expect(jolt(tilted, 1.5)).toHaveLength(1);
    // With the filter off, sideways jolts are bumps too.
    expect(jolt(side, 1.5, { min_vertical_ratio: 0 })).toHaveLength(1);
  });
});
