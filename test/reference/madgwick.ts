/**
 * Madgwick's orientation filter, IMU update (gradient-descent step), written out from the report
 * (S. Madgwick 2010, "An efficient orientation filter for inertial and inertial/magnetic sensor
 * arrays"), as an independent check of rendered gyroscope and accelerometer: it returns, per sample,
 * the filter's estimate of "up" in the phone's frame. It starts from the first reading's tilt.
 */
export function madgwickUp(acc: readonly number[][], gyr: readonly number[][], fs: number, beta: number): [number, number, number][] {
  let q0 = 1, q1 = 0, q2 = 0, q3 = 0;
  {
    const [ax, ay, az] = acc[0]!, n = Math.hypot(ax!, ay!, az!);
    const roll = Math.atan2(ay! / n, az! / n), pitch = Math.asin(-ax! / n);
    const cr = Math.cos(roll / 2), sr = Math.sin(roll / 2), cp = Math.cos(pitch / 2), sp = Math.sin(pitch / 2);
    q0 = cr * cp; q1 = sr * cp; q2 = cr * sp; q3 = -sr * sp;
  }
  const dt = 1 / fs, out: [number, number, number][] = [];
  for (let i = 0; i < acc.length; i++) {
    const [gx, gy, gz] = gyr[i]!;
    let [ax, ay, az] = acc[i]!;
    let qd0 = 0.5 * (-q1 * gx! - q2 * gy! - q3 * gz!), qd1 = 0.5 * (q0 * gx! + q2 * gz! - q3 * gy!);
    let qd2 = 0.5 * (q0 * gy! - q1 * gz! + q3 * gx!), qd3 = 0.5 * (q0 * gz! + q1 * gy! - q2 * gx!);
    const an = Math.hypot(ax!, ay!, az!);
    ax = ax! / an; ay = ay! / an; az = az! / an;
    const f1 = 2 * (q1 * q3 - q0 * q2) - ax, f2 = 2 * (q0 * q1 + q2 * q3) - ay, f3 = 2 * (0.5 - q1 * q1 - q2 * q2) - az;
    let s0 = -2 * q2 * f1 + 2 * q1 * f2, s1 = 2 * q3 * f1 + 2 * q0 * f2 - 4 * q1 * f3;
    let s2 = -2 * q0 * f1 + 2 * q3 * f2 - 4 * q2 * f3, s3 = 2 * q1 * f1 + 2 * q2 * f2;
    const sn = Math.hypot(s0, s1, s2, s3) || 1;
    s0 /= sn; s1 /= sn; s2 /= sn; s3 /= sn;
    qd0 -= beta * s0; qd1 -= beta * s1; qd2 -= beta * s2; qd3 -= beta * s3;
    q0 += qd0 * dt; q1 += qd1 * dt; q2 += qd2 * dt; q3 += qd3 * dt;
    const qn = Math.hypot(q0, q1, q2, q3);
    q0 /= qn; q1 /= qn; q2 /= qn; q3 /= qn;
    out.push([2 * (q1 * q3 - q0 * q2), 2 * (q0 * q1 + q2 * q3), 1 - 2 * (q1 * q1 + q2 * q2)]);
  }
  return out;
}

/** Angle (°) between two vectors. */
export function angleDeg(a: readonly number[], b: readonly number[]): number {
  const cos = (a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!) / (Math.hypot(a[0]!, a[1]!, a[2]!) * Math.hypot(b[0]!, b[1]!, b[2]!));
  return (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
}
