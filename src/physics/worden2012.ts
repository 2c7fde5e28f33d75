/**
 * Instrumental intensity (MMI) from PGA and PGV after Worden, Gerstenberger, Rhoades & Wald (2012),
 * "Probabilistic relationships between ground-motion parameters and modified Mercalli intensity
 * in California", BSSA 102(1), 204–221 — the bilinear equations without distance/magnitude
 * residual terms (Table 1), plus the MMI 1–2 extension ShakeMap uses below the fitted range.
 *
 * Combining the two: PGA-based intensity below MMI 5, PGV-based above MMI 7, linearly weighted in
 * between, as ShakeMap did when both were available (PGV tracks damage better at high intensity).
 */

interface Gmice {
  c1: number; c2: number; c3: number; c4: number; t1: number;
  /** Low-intensity extension (MMI 1–2). */
  lowC1: number; lowC2: number; lowT1: number;
}

const PGA: Gmice = { c1: 1.78, c2: 1.55, c3: -1.6, c4: 3.7, t1: 1.57, lowC1: 1.71, lowC2: 2.08, lowT1: 0.14 };
const PGV: Gmice = { c1: 3.78, c2: 1.47, c3: 2.89, c4: 3.16, t1: 0.53, lowC1: 4.62, lowC2: 2.17, lowT1: -1.21 };

function convert(g: Gmice, log10y: number): number {
  let mmi: number;
  if (log10y < g.lowT1) mmi = g.lowC1 + g.lowC2 * log10y;
  else if (log10y < g.t1) mmi = g.c1 + g.c2 * log10y;
  else mmi = g.c3 + g.c4 * log10y;
  return Math.min(10, Math.max(1, mmi));
}

function invert(g: Gmice, mmi: number): number {
  const t2Lower = g.c1 + g.c2 * g.t1; // intensity at the break point
  if (mmi < 2) return Math.pow(10, (mmi - g.lowC1) / g.lowC2);
  if (mmi < t2Lower) return Math.pow(10, (mmi - g.c1) / g.c2);
  return Math.pow(10, (mmi - g.c3) / g.c4);
}

/** MMI from PGA in g. */
export function mmiFromPga(pgaG: number): number {
  return pgaG > 0 ? convert(PGA, Math.log10(pgaG * 980.665)) : 1;
}

/** MMI from PGV in cm/s. */
export function mmiFromPgv(pgvCms: number): number {
  return pgvCms > 0 ? convert(PGV, Math.log10(pgvCms)) : 1;
}

/** PGA in g at which the PGA relation reaches `mmi`. */
export function pgaForMmi(mmi: number): number {
  return invert(PGA, mmi) / 980.665;
}

/** PGV in cm/s at which the PGV relation reaches `mmi`. */
export function pgvForMmi(mmi: number): number {
  return invert(PGV, mmi);
}

/** Combined instrumental intensity from PGA (g) and PGV (cm/s). */
export function mmiFromPgaPgv(pgaG: number, pgvCms: number): number {
  const a = mmiFromPga(pgaG);
  const v = mmiFromPgv(pgvCms);
  const ref = Math.max(a, v);
  if (ref <= 5) return a;
  if (ref >= 7) return v;
  const w = (ref - 5) / 2;
  return (1 - w) * a + w * v;
}
