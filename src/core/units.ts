/** Physical constants and unit conversions used across stages (SI inside the engine). */

/** Standard gravity, m/s². */
export const G = 9.80665;
/** Sea-level standard pressure, Pa. */
export const P0 = 101_325;

export const gToMs2 = (g: number): number => g * G;
export const ms2ToG = (a: number): number => a / G;
/** Micro-g to m/s². */
export const ugToMs2 = (ug: number): number => ug * 1e-6 * G;
/** gal (cm/s²) to m/s². */
export const galToMs2 = (gal: number): number => gal * 0.01;
export const degToRad = (d: number): number => (d * Math.PI) / 180;
export const radToDeg = (r: number): number => (r * 180) / Math.PI;
