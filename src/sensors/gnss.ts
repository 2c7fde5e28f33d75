/**
 * GNSS and network positioning. Each phone takes a fix per tick (1 Hz by default): the position
 * error is a first-order Gauss–Markov process per axis (multipath and atmosphere change over about
 * a minute) whose size depends on the environment — open sky, urban canyon, indoors. The configured
 * accuracy is the 68 % horizontal radius (the "accuracy" phones report), so σ per axis is
 * accuracy / 1.509. Indoors, fixes come and go (a two-state Markov chain with the configured share
 * of time with a fix, 60 s mean fix spells); without a fix the phone falls back to Wi-Fi/cell
 * positioning with its own, larger error. Phones report these positions, never the true ones.
 */
import { componentKey, gaussianBlock, seedKeyed, uniformAt, type Seed } from '../core/random.js';
import type { ColumnSet, ColumnSpec } from '../core/columns.js';
import type { PhoneProfile } from './profile.js';

export type Environment = 'open-sky' | 'urban' | 'indoor';
const R68 = Math.sqrt(-2 * Math.log(0.32)); // 68 % radius of a 2-D Gaussian in units of σ

export const GNSS_COLUMNS: ColumnSpec[] = [
  { name: 'gnss.ex', type: 'f32' },
  { name: 'gnss.ey', type: 'f32' },
  { name: 'gnss.nx', type: 'f32' },
  { name: 'gnss.ny', type: 'f32' },
  { name: 'gnss.fix', type: 'u8' },
  /** The device's GNSS stream (xoshiro128** state), seeded at its first fix. */
  { name: 'gnss.rng', type: 'i32', width: 4 },
  /** Reported position (m), accuracy (m, NaN never), speed (m/s, NaN without a fix). */
  { name: 'gnss.x', type: 'f64' },
  { name: 'gnss.y', type: 'f64' },
  { name: 'gnss.acc', type: 'f32' },
  { name: 'gnss.speed', type: 'f32', fill: NaN },
  { name: 'gnss.px', type: 'f64', fill: NaN },
  { name: 'gnss.py', type: 'f64', fill: NaN },
];

/**
 * Probability that a two-state Markov chain that leaves its state at rate 1/stay and the other one
 * at rate 1/other is in the other state dt later: (stay⁻¹ / (stay⁻¹ + other⁻¹)) (1 − e^{−(stay⁻¹ + other⁻¹) dt})
 * (dt / stay to first order, the rule per-tick steps used before this was exact for any dt).
 */
export function switchProbability(dt: number, stay: number, other: number): number {
  const a = 1 / stay, b = 1 / other;
  return (a / (a + b)) * (1 - Math.exp(-(a + b) * dt));
}

export class Gnss {
  private readonly phones: readonly PhoneProfile[];
  private readonly phone: Uint8Array;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly ex: Float32Array;
  private readonly ey: Float32Array;
  private readonly nx: Float32Array;
  private readonly ny: Float32Array;
  private readonly fix: Uint8Array;
  readonly rx: Float64Array;
  readonly ry: Float64Array;
  readonly acc: Float32Array;
  readonly speed: Float32Array;
  private readonly px: Float64Array;
  private readonly py: Float64Array;
  private readonly key: number;
  private readonly st: Int32Array;
  /** Gauss–Markov factors per phone profile for the tick length `factorsDt`: a, √(1 − a²), and the network's. */
  private factorsDt = NaN;
  private readonly fa: Float64Array;
  private readonly fk: Float64Array;
  private an = 0;
  private kn = 0;
  private readonly z = new Float32Array(5);

  constructor(o: { seed: Seed; columns: ColumnSet; phones: readonly PhoneProfile[] }) {
    const c = o.columns;
    this.phones = o.phones;
    this.phone = c.u8('phone');
    this.x = c.f64('x'); this.y = c.f64('y');
    this.ex = c.f32('gnss.ex'); this.ey = c.f32('gnss.ey');
    this.nx = c.f32('gnss.nx'); this.ny = c.f32('gnss.ny');
    this.fix = c.u8('gnss.fix');
    this.rx = c.f64('gnss.x'); this.ry = c.f64('gnss.y');
    this.acc = c.f32('gnss.acc'); this.speed = c.f32('gnss.speed');
    this.px = c.f64('gnss.px'); this.py = c.f64('gnss.py');
    this.key = componentKey(o.seed, 'gnss');
    this.st = c.i32('gnss.rng');
    this.fa = new Float64Array(o.phones.length);
    this.fk = new Float64Array(o.phones.length);
  }

  private factors(dt: number): void {
    this.factorsDt = dt;
    this.phones.forEach((p, i) => {
      const a = Math.exp(-dt / p.gnss.correlation_time);
      this.fa[i] = a; this.fk[i] = Math.sqrt(1 - a * a);
    });
    this.an = Math.exp(-dt / 300); this.kn = Math.sqrt(1 - this.an * this.an);
  }

  /**
   * Updates device d's fix at the end of an interval of length dt in environment `env` (called in
   * order: every tick in signal fidelity; at a phone's events in trigger fidelity, when dt spans
   * the ticks since its last fix and the Gauss–Markov and fix-chain steps below are the exact
   * transitions over dt, so a phone at rest has the same statistics either way).
   */
  update(d: number, dt: number, env: Environment): void {
    const pi = this.phone[d]!, g = this.phones[pi]!.gnss;
    const first = Number.isNaN(this.px[d]!), st = this.st, so = 4 * d;
    if (first) seedKeyed(st, so, this.key, d, 0);
    // Availability: always outdoors; a Markov chain indoors.
    let fix = this.fix[d]!;
    if (env !== 'indoor') fix = 1;
    else if (first) fix = uniformAt(st, so) < g.indoor_fix_share ? 1 : 0;
    else {
      const onMean = 60, offMean = (onMean * (1 - g.indoor_fix_share)) / Math.max(g.indoor_fix_share, 1e-6);
      if (uniformAt(st, so) < switchProbability(dt, fix ? onMean : offMean, fix ? offMean : onMean)) fix = fix ? 0 : 1;
    }
    this.fix[d] = fix;
    // Errors: Gauss–Markov per axis, started in the stationary state.
    const accuracy = env === 'open-sky' ? g.accuracy_m.open_sky : env === 'urban' ? g.accuracy_m.urban : g.accuracy_m.indoor;
    const s = accuracy / R68, sn = g.network_accuracy_m / R68;
    if (!(Math.abs(dt - this.factorsDt) <= 1e-9)) this.factors(dt);
    const a = this.fa[pi]!, k = this.fk[pi]!, an = this.an, kn = this.kn;
    // Five normal deviates in one call: the four error innovations and the speed error.
    const z = this.z;
    gaussianBlock(st, so, z, 5, 1);
    if (first) {
      this.ex[d] = s * z[0]!; this.ey[d] = s * z[1]!;
      this.nx[d] = sn * z[2]!; this.ny[d] = sn * z[3]!;
    } else {
      // Rescale on environment changes so the error keeps its new size.
      this.ex[d] = a * this.ex[d]! + s * k * z[0]!;
      this.ey[d] = a * this.ey[d]! + s * k * z[1]!;
      this.nx[d] = an * this.nx[d]! + sn * kn * z[2]!;
      this.ny[d] = an * this.ny[d]! + sn * kn * z[3]!;
    }
    const x = this.x[d]!, y = this.y[d]!;
    if (fix) {
      this.rx[d] = x + this.ex[d]!;
      this.ry[d] = y + this.ey[d]!;
      this.acc[d] = accuracy;
      const dx = x - this.px[d]!, dy = y - this.py[d]!;
      this.speed[d] = first ? NaN : Math.max(0, Math.sqrt(dx * dx + dy * dy) / dt + g.speed_error_m_s * z[4]!);
    } else {
      this.rx[d] = x + this.nx[d]!;
      this.ry[d] = y + this.ny[d]!;
      this.acc[d] = g.network_accuracy_m;
      this.speed[d] = NaN;
    }
    this.px[d] = x;
    this.py[d] = y;
  }
}
