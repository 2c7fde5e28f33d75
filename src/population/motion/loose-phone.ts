/**
 * A phone lying loose in a car — on a seat, the console or in a cup holder (context `table` while
 * driving): Coulomb friction holds it while the car's horizontal acceleration stays under μs·g;
 * beyond that it slides, dragged at μk·g, until it stops or strikes the edge of its tray and bounces
 * back (restitution e), so hard braking and sharp corners show as a slide and a knock, not as the
 * car's smooth force. Everything happens in the car's frame, from the car's heading per sample.
 */
import { G } from '../../core/units.js';
import type { Block } from '../../plugin/index.js';
import { hypot } from '../../core/geo.js';

/**
 * Friction of a phone (glass back or TPU case) on a car's plastic console or seat: static μs ≈ 0.35,
 * kinetic μk ≈ 0.25 (plastic on plastic 0.2–0.4, Engineering ToolBox "Friction and friction
 * coefficients"; polycarbonate on ABS ≈ 0.3); free play to the tray's edge L = 8 cm (a console tray
 * or seat pan's lip); restitution of a phone on plastic e ≈ 0.3.
 */
export const LOOSE = { muStatic: 0.35, muKinetic: 0.25, play: 0.08, restitution: 0.3 } as const;
/** Below this speed into the edge (m/s) the phone comes to rest against it instead of bouncing. */
const KNOCK_SPEED = 0.05;

/** Columns: position (2, m) and velocity (2, m/s) relative to the car, forward and right; sliding flag. */
export const LOOSE_PHONE_COLUMNS = [
  { name: 'motion.loose', type: 'f64' as const, width: 4 },
  { name: 'motion.loose_sliding', type: 'u8' as const },
];

export class LoosePhone {
  constructor(private readonly state: Float64Array, private readonly sliding: Uint8Array, private readonly p: { muStatic: number; muKinetic: number; play: number; restitution: number } = LOOSE) {}

  /**
   * Replaces the car's horizontal specific force in block b (east/north; the car's heading per
   * sample in b.dyaw) by what a loose phone feels.
   */
  apply(d: number, b: Block): void {
    const { muStatic, muKinetic, play, restitution } = this.p;
    const st = this.state, o = 4 * d, dt = 1 / b.fs, hold = muStatic * G, drag = muKinetic * G;
    let x = st[o]!, y = st[o + 1]!, vx = st[o + 2]!, vy = st[o + 3]!, slide = this.sliding[d]!;
    for (let i = 0; i < b.n; i++) {
      const psi = b.dyaw[i]!, s = Math.sin(psi), c = Math.cos(psi);
      const e = b.ae[i]!, n = b.an[i]!;
      // The car's horizontal force along its forward (x) and right (y) axes.
      const fx = e * s + n * c, fy = e * c - n * s, fc = hypot(fx, fy);
      let px = fx, py = fy; // what the phone feels: the car's force while it grips
      if (!slide && fc > hold) slide = 1;
      if (slide) {
        const v = hypot(vx, vy);
        // Kinetic friction against the slip; from rest, along the car's force (the car drags it).
        if (v > 1e-6) { px = (-drag * vx) / v; py = (-drag * vy) / v; } else { px = (drag * fx) / fc; py = (drag * fy) / fc; }
        const nvx = vx + (px - fx) * dt, nvy = vy + (py - fy) * dt;
        if (v > 1e-6 && nvx * vx + nvy * vy <= 0 && fc <= hold) {
          // Friction would reverse the slip within this step: the phone stops and grips again.
          vx = vy = 0; px = fx; py = fy; slide = 0;
        } else {
          vx = nvx; vy = nvy;
          x += vx * dt; y += vy * dt;
          const r = hypot(x, y);
          if (r > play) {
            const nx = x / r, ny = y / r, vn = vx * nx + vy * ny;
            x = nx * play; y = ny * play;
            if (vn > KNOCK_SPEED) {
              // A knock on the tray's edge: the slip reverses at e, and the phone's velocity change falls in this sample.
              const dv = (1 + restitution) * vn;
              vx -= dv * nx; vy -= dv * ny;
              px -= (dv * nx) / dt; py -= (dv * ny) / dt;
            } else if (vn > 0) {
              // Resting against the edge: it pushes the phone along with the car.
              vx -= vn * nx; vy -= vn * ny;
              const fn = fx * nx + fy * ny, pn = px * nx + py * ny;
              px += (fn - pn) * nx; py += (fn - pn) * ny;
            }
          }
          if (hypot(vx, vy) < 0.005 && fc <= hold) { vx = vy = 0; px = fx; py = fy; slide = 0; }
        }
      }
      b.ae[i] = px * s + py * c;
      b.an[i] = px * c - py * s;
    }
    st[o] = x; st[o + 1] = y; st[o + 2] = vx; st[o + 3] = vy;
    this.sliding[d] = slide;
  }
}
