import { describe, expect, it } from 'vitest';
import { hypot } from '../../src/core/geo.js';

describe('hypot', () => {
  it('gives the same bits as V8\'s Math.hypot for two arguments, over 60 decades and the edge values', () => {
    // A fixed xorshift stream, so the test is the same every run.
    let s = 0x9e3779b9;
    const next = () => { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; return (s >>> 0) / 2 ** 32; };
    let mismatches = 0;
    for (let i = 0; i < 200_000; i++) {
      const a = (next() - 0.5) * 10 ** Math.floor(next() * 60 - 30), b = (next() - 0.5) * 10 ** Math.floor(next() * 60 - 30);
      if (!Object.is(hypot(a, b), Math.hypot(a, b))) mismatches++;
      // Nearly equal magnitudes, where the order of the arguments matters most.
      const c = a * (1 + (next() - 0.5) * 1e-12);
      if (!Object.is(hypot(a, c), Math.hypot(a, c)) || !Object.is(hypot(c, a), Math.hypot(c, a))) mismatches++;
    }
    const edges = [0, -0, 5e-324, 1e-310, 1e-160, 1, -1, 3, 4, 1e160, 1.7e308, -1.7e308, Infinity, -Infinity, NaN];
    for (const a of edges) for (const b of edges) if (!Object.is(hypot(a, b), Math.hypot(a, b))) mismatches++;
    expect(mismatches).toBe(0);
    // A hand value: the 3-4-5 triangle, and no overflow where the squares would overflow.
    expect(hypot(3, 4)).toBe(5);
    expect(hypot(3e200, 4e200)).toBeCloseTo(5e200, -190);
  });
});
