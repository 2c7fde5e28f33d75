/**
 * Boore & Atkinson (2008) ground-motion prediction equations for PGA and PGV.
 *
 * Boore, D. M. and G. M. Atkinson (2008). Ground-motion prediction equations for the average
 * horizontal component of PGA, PGV, and 5%-damped PSA at spectral periods between 0.01 s and
 * 10.0 s. Earthquake Spectra 24(1), 99–138. Equations 1–13; coefficients from Tables 3, 6, 7, 8
 * (with the 2008 erratum: Rref = 1 km for pga4nl too). The response is GMRotI50, which is close
 * to the geometric mean of the two as-recorded horizontal components.
 *
 * ln Y = F_M(M) + F_D(R_JB, M) + F_S(V_S30, R_JB, M) + ε σ_T
 */

export type Imt = 'pga' | 'pgv';

interface Coefficients {
  c1: number; c2: number; c3: number; h: number;
  e1: number; e2: number; e3: number; e4: number; e5: number; e6: number; e7: number; mh: number;
  blin: number; b1: number; b2: number;
  /** Intra-event sigma (ln units). */
  sigma: number;
  /** Inter-event sigma for a specified fault type (ln units). */
  tau: number;
  /** Total sigma for a specified fault type (ln units). */
  total: number;
  /** Inter-event and total sigma when the fault type is unspecified. */
  tauU: number;
  totalU: number;
}

/** Table 6 (distance), 7 (magnitude), 8 (sigma), 3 (site) rows for PGA and PGV. */
export const BA08_COEFFICIENTS: Record<Imt, Coefficients> = {
  pga: {
    c1: -0.6605, c2: 0.1197, c3: -0.01151, h: 1.35,
    e1: -0.53804, e2: -0.5035, e3: -0.75472, e4: -0.5097, e5: 0.28805, e6: -0.10164, e7: 0.0, mh: 6.75,
    blin: -0.36, b1: -0.64, b2: -0.14,
    sigma: 0.502, tau: 0.26, total: 0.564, tauU: 0.265, totalU: 0.566,
  },
  pgv: {
    c1: -0.8737, c2: 0.1006, c3: -0.00334, h: 2.54,
    e1: 5.00121, e2: 5.04727, e3: 4.63188, e4: 5.0821, e5: 0.18322, e6: -0.12736, e7: 0.0, mh: 8.5,
    blin: -0.6, b1: -0.5, b2: -0.06,
    sigma: 0.5, tau: 0.256, total: 0.56, tauU: 0.286, totalU: 0.576,
  },
};

/** Magnitudes and distances the model was fitted to (BA08 "Applicability"). */
export const BA08_RANGE = { magnitude: [5, 8], rjbKm: [0, 200], vs30: [180, 1300] } as const;

export type FaultType = 'unspecified' | 'strike-slip' | 'normal' | 'reverse';

/** Fault type from rake (BA08 §"Predictor variables": within 30° of horizontal is strike-slip). */
export function faultTypeFromRake(rake: number | undefined): FaultType {
  if (rake === undefined || !Number.isFinite(rake)) return 'unspecified';
  const r = ((((rake + 180) % 360) + 360) % 360) - 180; // (-180, 180]
  if (Math.abs(r) <= 30 || 180 - Math.abs(r) <= 30) return 'strike-slip';
  if (r > 30 && r < 150) return 'reverse';
  return 'normal';
}

function magnitudeTerm(c: Coefficients, m: number, ft: FaultType): number {
  const e = ft === 'unspecified' ? c.e1 : ft === 'strike-slip' ? c.e2 : ft === 'normal' ? c.e3 : c.e4;
  const dm = m - c.mh;
  return m <= c.mh ? e + c.e5 * dm + c.e6 * dm * dm : e + c.e7 * dm;
}

function distanceTerm(c: Coefficients, m: number, rjb: number): number {
  const r = Math.sqrt(rjb * rjb + c.h * c.h);
  return (c.c1 + c.c2 * (m - 4.5)) * Math.log(r) + c.c3 * (r - 1);
}

/** Non-linear site slope b_nl, eq. 13a–d. */
function nonlinearSlope(c: Coefficients, vs30: number): number {
  const v1 = 180, v2 = 300, vref = 760;
  if (vs30 <= v1) return c.b1;
  if (vs30 <= v2) return (c.b1 - c.b2) * (Math.log(vs30 / v2) / Math.log(v1 / v2)) + c.b2;
  if (vs30 < vref) return c.b2 * (Math.log(vs30 / vref) / Math.log(v2 / vref));
  return 0;
}

/** Non-linear site term F_NL, eq. 8a–c (pga4nl in g). */
function nonlinearTerm(bnl: number, pga4nl: number): number {
  const a1 = 0.03, a2 = 0.09, pgaLow = 0.06;
  if (pga4nl <= a1) return bnl * Math.log(pgaLow / 0.1);
  if (pga4nl <= a2) {
    const dx = Math.log(a2 / a1);
    const dy = bnl * Math.log(a2 / pgaLow);
    const cc = (3 * dy - bnl * dx) / (dx * dx);
    const dd = -(2 * dy - bnl * dx) / (dx * dx * dx);
    const l = Math.log(pga4nl / a1);
    return bnl * Math.log(pgaLow / 0.1) + cc * l * l + dd * l * l * l;
  }
  return bnl * Math.log(pga4nl / 0.1);
}

export interface Ba08Input {
  magnitude: number;
  /** Joyner–Boore distance, km. */
  rjbKm: number;
  /** Time-averaged shear-wave velocity of the top 30 m, m/s. */
  vs30: number;
  /** Rake in degrees; omitted means an unspecified fault type. */
  rake?: number;
}

export interface Ba08Result {
  /** Natural logarithm of the median (g for PGA, cm/s for PGV). */
  lnMedian: number;
  /** Median: g for PGA, cm/s for PGV. */
  median: number;
  /** Intra-event (within-event) sigma, ln units. */
  sigmaIntra: number;
  /** Inter-event (between-event) sigma, ln units. */
  sigmaInter: number;
  /** Total sigma, ln units. */
  sigmaTotal: number;
}

/**
 * ln of the median PGA (g) or PGV (cm/s) for one source–site pair: what ba08 gives as lnMedian,
 * without an input or a result object (per phone and per pick on national runs).
 */
export function ba08LnMedian(imt: Imt, magnitude: number, rjbKm: number, vs30: number, rake?: number): number {
  const c = BA08_COEFFICIENTS[imt];
  const ft = faultTypeFromRake(rake);
  const m = magnitude;
  const rjb = Math.max(0, rjbKm);
  const pgaC = BA08_COEFFICIENTS.pga;
  const pga4nl = Math.exp(magnitudeTerm(pgaC, m, ft) + distanceTerm(pgaC, m, rjb));
  const flin = c.blin * Math.log(vs30 / 760);
  const fnl = nonlinearTerm(nonlinearSlope(c, vs30), pga4nl);
  return magnitudeTerm(c, m, ft) + distanceTerm(c, m, rjb) + flin + fnl;
}

/** Median and sigmas of PGA (g) or PGV (cm/s) for one source–site pair. */
export function ba08(imt: Imt, input: Ba08Input): Ba08Result {
  const c = BA08_COEFFICIENTS[imt];
  const ft = faultTypeFromRake(input.rake);
  const lnMedian = ba08LnMedian(imt, input.magnitude, input.rjbKm, input.vs30, input.rake);
  const unspecified = ft === 'unspecified';
  return {
    lnMedian,
    median: Math.exp(lnMedian),
    sigmaIntra: c.sigma,
    sigmaInter: unspecified ? c.tauU : c.tau,
    sigmaTotal: unspecified ? c.totalU : c.total,
  };
}

/** Median PGA in g. */
export const ba08Pga = (input: Ba08Input): number => ba08('pga', input).median;
/** Median PGV in cm/s. */
export const ba08Pgv = (input: Ba08Input): number => ba08('pgv', input).median;
