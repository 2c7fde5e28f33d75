/**
 * Phone orientation: each phone has a pose (roll, pitch, yaw: device frame relative to east/north/
 * up), drawn when its context changes — face up (or, 1 in 10, face down) on a table at any heading;
 * upright in a pocket; tilted 20–70° toward the user in a hand; anything in a bag; near-vertical in
 * a vehicle mount. Ground motion and gravity are rotated into the device frame with it.
 */
import { CONTEXT_CODE } from '../population/behaviour.js';
import type { FastRandom } from '../core/random.js';

export const POSE_COLUMNS = [
  { name: 'pose', type: 'f32' as const, width: 3 },
  /** The pose the phone had during the previous tick (NaN before the first). */
  { name: 'pose.prev', type: 'f32' as const, width: 3, fill: NaN },
];

/** Draws a pose (radians) for a context code into out[0..3): roll, pitch, yaw. */
export function drawPose(context: number, r: FastRandom, out: Float32Array, o: number): void {
  const yaw = 2 * Math.PI * r.uniform();
  let roll = 0, pitch = 0;
  switch (context) {
    case CONTEXT_CODE.table:
      roll = r.uniform() < 0.1 ? Math.PI : 0; // face down now and then
      pitch = 0.03 * (2 * r.uniform() - 1);
      break;
    case CONTEXT_CODE.pocket:
      pitch = (r.uniform() < 0.5 ? 1 : -1) * (Math.PI / 2 - 0.2 * r.uniform());
      roll = 0.3 * (2 * r.uniform() - 1);
      break;
    case CONTEXT_CODE.hand:
      pitch = ((20 + 50 * r.uniform()) * Math.PI) / 180;
      roll = 0.2 * (2 * r.uniform() - 1);
      break;
    case CONTEXT_CODE.bag:
      roll = Math.PI * (2 * r.uniform() - 1);
      pitch = Math.asin(2 * r.uniform() - 1);
      break;
    default: // vehicle mount
      pitch = ((70 + 20 * r.uniform()) * Math.PI) / 180;
      roll = 0.1 * (2 * r.uniform() - 1);
  }
  out[o] = roll;
  out[o + 1] = pitch;
  out[o + 2] = yaw;
}

/**
 * Rotation from east/north/up to the device frame for (roll, pitch, yaw), as a row-major 3×3
 * matrix R so that v_device = R · v_enu. Yaw turns the phone about up, pitch tilts its top up
 * about its x axis, roll turns it about its y axis.
 */
export function rotation(roll: number, pitch: number, yaw: number, R: Float64Array): void {
  const cy = Math.cos(yaw), sy = Math.sin(yaw), cp = Math.cos(pitch), sp = Math.sin(pitch), cr = Math.cos(roll), sr = Math.sin(roll);
  // R = Ry(roll) · Rx(pitch) · Rz(yaw), each rotating the frame (passive).
  const z00 = cy, z01 = sy, z10 = -sy, z11 = cy; // Rz
  // Rx(pitch) · Rz
  const a00 = z00, a01 = z01, a02 = 0;
  const a10 = cp * z10, a11 = cp * z11, a12 = sp;
  const a20 = -sp * z10, a21 = -sp * z11, a22 = cp;
  // Ry(roll) · (Rx · Rz)
  R[0] = cr * a00 - sr * a20; R[1] = cr * a01 - sr * a21; R[2] = cr * a02 - sr * a22;
  R[3] = a10; R[4] = a11; R[5] = a12;
  R[6] = sr * a00 + cr * a20; R[7] = sr * a01 + cr * a21; R[8] = sr * a02 + cr * a22;
}

/**
 * Rotates n samples of (e, n, u) into the device frame while the phone turns from pose R0 to R1
 * over the block (a phone picked up or put down moves over a second, it does not jump): the
 * rotation is blended linearly and each sample's result rescaled to the length of its input, so
 * gravity keeps its size while its direction in the phone's frame sweeps smoothly.
 */
export function rotateBlockBlend(R0: Float64Array, R1: Float64Array, n: number, e: Float32Array, no: Float32Array, u: Float32Array): void {
  for (let i = 0; i < n; i++) {
    const w = (i + 1) / n, v = 1 - w;
    const a = e[i]!, b = no[i]!, c = u[i]!;
    let x = v * (R0[0]! * a + R0[1]! * b + R0[2]! * c) + w * (R1[0]! * a + R1[1]! * b + R1[2]! * c);
    let y = v * (R0[3]! * a + R0[4]! * b + R0[5]! * c) + w * (R1[3]! * a + R1[4]! * b + R1[5]! * c);
    let z = v * (R0[6]! * a + R0[7]! * b + R0[8]! * c) + w * (R1[6]! * a + R1[7]! * b + R1[8]! * c);
    const len = Math.sqrt(x * x + y * y + z * z), want = Math.sqrt(a * a + b * b + c * c);
    if (len > 0) { const k = want / len; x *= k; y *= k; z *= k; }
    e[i] = x; no[i] = y; u[i] = z;
  }
}

/** Rotates n samples of (e, n, u) into the device frame in place. */
export function rotateBlock(R: Float64Array, n: number, e: Float32Array, no: Float32Array, u: Float32Array): void {
  const r0 = R[0]!, r1 = R[1]!, r2 = R[2]!, r3 = R[3]!, r4 = R[4]!, r5 = R[5]!, r6 = R[6]!, r7 = R[7]!, r8 = R[8]!;
  if (r2 === 0 && r5 === 0 && r6 === 0 && r7 === 0 && r8 === 1) {
    // A phone lying flat (no roll or pitch): up stays up, and only east/north turn by the yaw. The
    // general loop would give the same numbers (it adds exact zeros).
    for (let i = 0; i < n; i++) {
      const a = e[i]!, b = no[i]!;
      e[i] = r0 * a + r1 * b;
      no[i] = r3 * a + r4 * b;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const a = e[i]!, b = no[i]!, c = u[i]!;
    e[i] = r0 * a + r1 * b + r2 * c;
    no[i] = r3 * a + r4 * b + r5 * c;
    u[i] = r6 * a + r7 * b + r8 * c;
  }
}

/**
 * Expresses n samples of (x, y, z), given in the phone's resting frame, in the frame of the phone
 * turned away from rest by the rotation vector (sx, sy, sz) (radians, resting frame): v' = Rᵀ v,
 * by Rodrigues' formula.
 */
export function swingBlock(n: number, sx: Float32Array, sy: Float32Array, sz: Float32Array, x: Float32Array, y: Float32Array, z: Float32Array): void {
  for (let i = 0; i < n; i++) {
    const vx = sx[i]!, vy = sy[i]!, vz = sz[i]!;
    const th = Math.sqrt(vx * vx + vy * vy + vz * vz);
    if (th < 1e-12) continue;
    const kx = vx / th, ky = vy / th, kz = vz / th, c = Math.cos(th), s = Math.sin(th);
    const ax = x[i]!, ay = y[i]!, az = z[i]!;
    const dot = (kx * ax + ky * ay + kz * az) * (1 - c);
    // Rᵀ a = a cos θ − (k × a) sin θ + k (k · a)(1 − cos θ)
    x[i] = ax * c - (ky * az - kz * ay) * s + kx * dot;
    y[i] = ay * c - (kz * ax - kx * az) * s + ky * dot;
    z[i] = az * c - (kx * ay - ky * ax) * s + kz * dot;
  }
}

/**
 * Expresses n samples of east/north in the frame of a vehicle heading `heading[i]` (rad, clockwise
 * from north), in place: the vehicle's forward axis becomes north and its right axis east, so a
 * pose drawn for a phone in the vehicle turns with it.
 */
export function yawBlock(n: number, heading: Float32Array, e: Float32Array, no: Float32Array): void {
  for (let i = 0; i < n; i++) {
    const h = heading[i]!, c = Math.cos(h), s = Math.sin(h);
    const a = e[i]!, b = no[i]!;
    e[i] = c * a - s * b;
    no[i] = s * a + c * b;
  }
}
