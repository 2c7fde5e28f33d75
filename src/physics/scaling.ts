/**
 * Source-scaling relations the server uses to keep a magnitude estimate physical: rupture length
 * from magnitude and back (Wells & Coppersmith 1994, BSSA 84(4), Table 2A, surface rupture length,
 * all slip types: M = 5.08 + 1.16 log10 SRL, σ = 0.28), and how much a ground-motion observation can
 * tell about magnitude (the BA08 slope d ln PGA / dM and its between-event scatter).
 */
import { ba08LnMedian } from './ba08.js';

/** Wells & Coppersmith (1994), surface rupture length, all slip types. */
export const WC94_SRL = { a: 5.08, b: 1.16, sigma: 0.28 } as const;

/** Moment magnitude of a rupture `lengthKm` long (Wells & Coppersmith 1994). */
export const magnitudeFromLength = (lengthKm: number): number => WC94_SRL.a + WC94_SRL.b * Math.log10(lengthKm);

/**
 * The largest magnitude a rupture can have reached `secondsSinceOrigin` after it started: the Wells &
 * Coppersmith magnitude of the longest rupture it could be, grown at `ruptureVelocityKmS` both ways
 * from the hypocentre (most ruptures grow one way at ~0.8 Vs, so this is a generous bound).
 */
export function magnitudeCeiling(secondsSinceOrigin: number, ruptureVelocityKmS: number): number {
  return magnitudeFromLength(2 * ruptureVelocityKmS * Math.max(1, secondsSinceOrigin));
}

/** BA08 between-event sigma of ln PGA, fault type unspecified (Boore & Atkinson 2008, Table 8). */
export const BA08_PGA_TAU = 0.265;

/** d ln PGA / dM of BA08 at a magnitude, Joyner–Boore distance and Vs30 (central difference). */
export function pgaMagnitudeSlope(magnitude: number, rjbKm: number, vs30: number): number {
  const h = 0.05;
  const up = ba08LnMedian('pga', magnitude + h, rjbKm, vs30);
  const down = ba08LnMedian('pga', magnitude - h, rjbKm, vs30);
  return (up - down) / (2 * h);
}
