/** Allocation of the per-tick excitation block. */
import type { Block } from '../plugin/index.js';

/** A block with room for n accelerometer-rate and pn barometer-rate samples. */
export function newBlock(n: number, pn = 0): Block {
  const f = () => new Float32Array(n);
  return {
    t0: 0, t1: 0, k0: 0, n, fs: 0,
    ae: f(), an: f(), au: f(), we: f(), wn: f(), wu: f(), wx: f(), wy: f(), wz: f(),
    pk0: 0, pn, pfs: 0, dp: new Float32Array(pn), alt0: 0, alt1: 0,
  };
}

/**
 * Resets a block for a new tick of n samples: gravity (+1 g up), no pressure change, and (when
 * `rates`, i.e. a gyroscope or a tap will read them) no rotation. Without `rates` the angular-rate
 * arrays hold leftovers that nothing reads: a phone without a gyroscope costs nothing for them.
 */
export function resetBlock(b: Block, n: number, pn: number, g: number, rates = true): void {
  b.ae.fill(0, 0, n); b.an.fill(0, 0, n); b.au.fill(g, 0, n);
  if (rates) {
    b.we.fill(0, 0, n); b.wn.fill(0, 0, n); b.wu.fill(0, 0, n);
    b.wx.fill(0, 0, n); b.wy.fill(0, 0, n); b.wz.fill(0, 0, n);
  }
  b.dp.fill(0, 0, pn);
}
