/** Allocation of the per-tick excitation block. */
import type { Block } from '../plugin/index.js';

/** A block with room for n accelerometer-rate and pn barometer-rate samples. */
export function newBlock(n: number, pn = 0): Block {
  const f = () => new Float32Array(n);
  return {
    t0: 0, t1: 0, k0: 0, n, fs: 0,
    ae: f(), an: f(), au: f(), we: f(), wn: f(), wu: f(), wx: f(), wy: f(), wz: f(), sx: f(), sy: f(), sz: f(), swung: false, dyaw: f(), yawed: false,
    pk0: 0, pn, pfs: 0, dp: new Float32Array(pn), alt0: 0, alt1: 0,
  };
}

/**
 * Resets a block for a new tick of n samples: gravity (+1 g up), no pressure change, and (when
 * `rates`, i.e. a gyroscope or a tap will read them) no rotation. Without `rates` the angular-rate
 * arrays hold leftovers that nothing reads: a phone without a gyroscope costs nothing for them.
 */
export function resetBlock(b: Block, n: number, pn: number, g: number, rates = true): void {
  // Plain loops: for the tens of samples of a tick, TypedArray.prototype.fill costs more in its call than in its work.
  const ae = b.ae, an = b.an, au = b.au;
  for (let k = 0; k < n; k++) { ae[k] = 0; an[k] = 0; au[k] = g; }
  if (rates) {
    const we = b.we, wn = b.wn, wu = b.wu, wx = b.wx, wy = b.wy, wz = b.wz;
    for (let k = 0; k < n; k++) { we[k] = 0; wn[k] = 0; wu[k] = 0; wx[k] = 0; wy[k] = 0; wz[k] = 0; }
  }
  const dp = b.dp;
  for (let k = 0; k < pn; k++) dp[k] = 0;
  if (b.swung) {
    const sx = b.sx, sy = b.sy, sz = b.sz;
    // The whole buffer: phones of other rates (longer ticks) share it, and a renderer adds to it.
    for (let k = 0; k < sx.length; k++) { sx[k] = 0; sy[k] = 0; sz[k] = 0; }
    b.swung = false;
  }
  b.yawed = false; // dyaw is written whole by whoever sets yawed
}
