import { describe, expect, it } from 'vitest';
import { chiSquaredDistributionTable, errorFunction } from 'simple-statistics';
import { NOISE_STATE_WORDS, NoiseKernel, seedNoiseState } from '../../src/core/noise-kernel.js';
import { componentKey } from '../../src/core/random.js';

const Phi = (z: number) => 0.5 * (1 + errorFunction(z / Math.SQRT2));

function stream(id: number): Int32Array {
  const s = new Int32Array(NOISE_STATE_WORDS);
  seedNoiseState(s, 0, componentKey(1, 'noise-test'), id);
  return s;
}

describe('the SIMD noise kernel', () => {
  const kernel = NoiseKernel.get();

  it('draws standard normal deviates: a χ² test against Φ in 41 bins, and the mass beyond the ziggurat\'s base layer', () => {
    const s = stream(1), n = 50, blocks = 40_000;
    const x = new Float32Array(n), y = new Float32Array(n), z = new Float32Array(n);
    const edges = Array.from({ length: 40 }, (_, i) => -4.875 + 0.25 * i); // 41 bins
    const counts = new Float64Array(edges.length + 1);
    let beyond = 0, total = 0;
    for (let b = 0; b < blocks; b++) {
      kernel.noise3(s, 0, x, y, z, n, 1, 100, false);
      for (const a of [x, y, z]) for (let k = 0; k < n; k++) {
        const v = a[k]!;
        let bin = 0;
        while (bin < edges.length && v >= edges[bin]!) bin++;
        counts[bin]++;
        if (Math.abs(v) > 3.6541528853610088) beyond++;
        total++;
      }
    }
    let chi2 = 0;
    for (let i = 0; i < counts.length; i++) {
      const lo = i === 0 ? 0 : Phi(edges[i - 1]!), hi = i === edges.length ? 1 : Phi(edges[i]!);
      const e = (hi - lo) * total;
      chi2 += (counts[i]! - e) ** 2 / e;
    }
    expect(chi2).toBeLessThan(chiSquaredDistributionTable[40]![0.005]!); // 40 degrees of freedom, p = 0.005
    const tail = 2 * (1 - Phi(3.6541528853610088)); // 2.58e-4: drawn by the wedge/tail code, not the SIMD loop
    expect(beyond / total).toBeGreaterThan(tail * 0.85);
    expect(beyond / total).toBeLessThan(tail * 1.15);
  });

  it('finishes every draw that missed its rectangle (no slot left as it was)', () => {
    const s = stream(2), n = 37;
    const x = new Float32Array(n).fill(NaN), y = new Float32Array(n).fill(NaN), z = new Float32Array(n).fill(NaN);
    for (let b = 0; b < 2000; b++) {
      kernel.noise3(s, 0, x, y, z, n, 1, 100, false);
      for (const a of [x, y, z]) { expect(a.some(Number.isNaN)).toBe(false); a.fill(NaN); }
    }
  });

  it('adds in place and clips to ±range: the sum of what it would have written and the input', () => {
    const n = 50, base = 9.8, range = 9.81;
    const a = stream(3), b = stream(3);
    const fx = new Float32Array(n), fy = new Float32Array(n), fz = new Float32Array(n);
    const x = new Float32Array(n).fill(base), y = new Float32Array(n).fill(-base), z = new Float32Array(n).fill(0);
    kernel.noise3(a, 0, fx, fy, fz, n, 0.01, range, false);
    kernel.noise3(b, 0, x, y, z, n, 0.01, range, true);
    const clip = (v: number) => Math.min(range, Math.max(-range, v));
    let clipped = 0;
    for (let k = 0; k < n; k++) {
      expect(x[k]).toBeCloseTo(clip(base + fx[k]!), 5);
      expect(y[k]).toBeCloseTo(clip(-base + fy[k]!), 5);
      expect(z[k]).toBeCloseTo(fz[k]!, 7);
      if (x[k] === Math.fround(range)) clipped++;
    }
    expect(clipped).toBeGreaterThan(0); // σ = 0.01 puts some of 9.8 + noise over 9.81
    expect(Array.from(a)).toEqual(Array.from(b)); // both streams advanced alike
  });

  it('gives the same numbers whether the arrays live in its memory or not, and continues a stream where it stopped', () => {
    const n = 50, own = kernel.scratch;
    const a = stream(4), b = stream(4);
    const x = new Float32Array(n), y = new Float32Array(n), z = new Float32Array(n);
    for (let rep = 0; rep < 3; rep++) {
      kernel.noise3(a, 0, x, y, z, n, 1, 100, false);
      kernel.noise3(b, 0, own.x, own.y, own.z, n, 1, 100, false);
      expect(Array.from(own.x.subarray(0, n))).toEqual(Array.from(x));
      expect(Array.from(own.z.subarray(0, n))).toEqual(Array.from(z));
    }
    // Streams of other devices differ.
    const c = stream(5);
    kernel.noise3(c, 0, own.x, own.y, own.z, n, 1, 100, false);
    expect(Array.from(own.x.subarray(0, n))).not.toEqual(Array.from(x));
  });
});
