import { describe, expect, it } from 'vitest';
import { AliasTable, FastRandom, fillGaussian, gaussianBlock, seedFastState, stream } from '../../src/core/random.js';

describe('random streams', () => {
  it('are reproducible per (seed, component, id) and independent across keys', () => {
    const a = stream(1, 'placement', 3), b = stream(1, 'placement', 3), c = stream(1, 'placement', 4), d = stream(2, 'placement', 3);
    const va = [a(), a(), a()], vb = [b(), b(), b()];
    expect(va).toEqual(vb);
    expect(c()).not.toBe(va[0]);
    expect(d()).not.toBe(va[0]);
  });

  it('continue a stream exactly across blocks of any size', () => {
    const s1 = new Int32Array(4), s2 = new Int32Array(4);
    seedFastState(s1, 0, 5, 'accelerometer', 11);
    seedFastState(s2, 0, 5, 'accelerometer', 11);
    const whole = new Float32Array(1000);
    fillGaussian(s1, 0, whole, 0, 1000, 1, 1);
    const parts = new Float32Array(1000);
    let o = 0;
    for (const n of [1, 7, 50, 333, 609]) {
      fillGaussian(s2, 0, parts, o, n, 1, 1);
      o += n;
    }
    expect(Array.from(parts)).toEqual(Array.from(whole));
  });

  it('draw standard normal deviates (ziggurat): mean, variance, kurtosis and tail mass', () => {
    const s = new Int32Array(4);
    seedFastState(s, 0, 1, 'gauss-test');
    const n = 2_000_000;
    const x = new Float64Array(n);
    fillGaussian(s, 0, x, 0, n, 1, 1);
    let m1 = 0, m2 = 0, m4 = 0, tail = 0;
    for (const v of x) { m1 += v; m2 += v * v; m4 += v ** 4; if (Math.abs(v) > 3) tail++; }
    m1 /= n; m2 /= n; m4 /= n;
    expect(Math.abs(m1)).toBeLessThan(0.003); // 4σ of the mean is 0.0028
    expect(Math.abs(m2 - 1)).toBeLessThan(0.004);
    expect(Math.abs(m4 / (m2 * m2) - 3)).toBeLessThan(0.03);
    expect(tail / n).toBeGreaterThan(0.0027 * 0.9); // P(|Z| > 3) = 0.0027
    expect(tail / n).toBeLessThan(0.0027 * 1.1);
  });

  it('draw the same deviates through fillGaussian, gaussianBlock and FastRandom.normal', () => {
    const a = new Int32Array(4), b = new Int32Array(4), c = new Int32Array(4);
    for (const s of [a, b, c]) seedFastState(s, 0, 2, 'same-draws', 7);
    const viaFill = new Float64Array(5000), viaBlock = new Float32Array(5000);
    fillGaussian(a, 0, viaFill, 0, 5000, 1, 1);
    gaussianBlock(b, 0, viaBlock, 5000, 1);
    const r = new FastRandom(c);
    for (let k = 0; k < 5000; k++) {
      expect(viaBlock[k]).toBe(Math.fround(viaFill[k]!));
      expect(r.normal()).toBe(viaFill[k]);
    }
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it('alias tables draw indices in proportion to weights', () => {
    const w = [1, 2, 3, 4, 0];
    const t = new AliasTable(w);
    const r = FastRandom.of(3, 'alias');
    const counts = [0, 0, 0, 0, 0];
    const n = 200_000;
    for (let i = 0; i < n; i++) counts[t.draw(r)]!++;
    expect(counts[4]).toBe(0);
    for (let i = 0; i < 4; i++) expect(Math.abs(counts[i]! / n - w[i]! / 10)).toBeLessThan(0.005);
  });
});
