import { describe, expect, it } from 'vitest';
import { capsuleRow, hypot, segmentDistance } from '../../src/core/geo.js';

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

describe('capsuleRow', () => {
  it('gives the x interval of a row within r of a segment or a point, as distances to the segment say', () => {
    let z = 5;
    const rand = () => ((z = (Math.imul(z, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const out: [number, number] = [0, 0];
    let met = 0;
    for (let k = 0; k < 300; k++) {
      const x1 = rand() * 100, y1 = rand() * 100, point = k % 5 === 0;
      const s = point ? { x1, y1, x2: x1, y2: y1 } : { x1, y1, x2: rand() * 100, y2: rand() * 100 };
      const r = 1 + rand() * 30, yc = rand() * 140 - 20;
      const [lo, hi] = capsuleRow(s, r, yc, out);
      // Every point of the row at a 0.01 step: within r exactly when inside the interval (to rounding at its ends).
      const wrong: number[] = [];
      for (let x = -60; x <= 160; x += 0.01) {
        const d = segmentDistance(s, x, yc);
        if (Math.abs(d - r) > 1e-6 && d < r !== (x >= lo && x <= hi)) wrong.push(x);
      }
      expect(wrong, `r ${r} row ${yc} [${lo}, ${hi}]`).toEqual([]);
      if (lo <= hi) met++;
    }
    expect(met).toBeGreaterThan(100);
  });
});
