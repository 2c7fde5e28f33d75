/** `hazardsim shaking`: median shaking and arrival times for one source–site pair (BA08 + Worden 2012). */
import { InputError } from '../core/errors.js';
import { siteShaking, earthquakeWarnings } from '../hazards/earthquake/index.js';

export interface ShakingOptions {
  magnitude: number;
  rjb: number;
  vs30: number;
  depth?: number;
  rake?: number;
  vp?: number;
  vs?: number;
  json?: boolean;
}

function check(name: string, v: number | undefined, lo: number, hi: number, what: string): void {
  if (v === undefined || !Number.isFinite(v) || v < lo || v > hi) throw new InputError(`--${name}`, `expected ${what} from ${lo} to ${hi}, found ${v}`);
}

export function shakingCommand(o: ShakingOptions): number {
  check('magnitude', o.magnitude, 3, 9.5, 'a moment magnitude');
  check('rjb', o.rjb, 0, 1000, 'a Joyner–Boore distance in km');
  check('vs30', o.vs30, 100, 3000, 'a Vs30 in m/s');
  if (o.depth !== undefined) check('depth', o.depth, 0, 700, 'a depth in km');
  if (o.rake !== undefined) check('rake', o.rake, -180, 180, 'a rake in degrees');
  const vp = o.vp ?? 6.1, vs = o.vs ?? 3.55;
  if (vs >= vp) throw new InputError('--vs', `expected an S velocity below the P velocity (${vp} km/s), found ${vs}`);
  for (const w of earthquakeWarnings({ magnitude: o.magnitude }, '')) process.stderr.write(`hazardsim: warning: ${w}\n`);
  const s = siteShaking({ magnitude: o.magnitude, depth_km: o.depth ?? 8, rake: o.rake, vp_km_s: vp, vs_km_s: vs, origin_time: 0 }, o.rjb, o.vs30);
  if (o.json) {
    process.stdout.write(JSON.stringify({ pga_g: s.pgaG, pgv_cms: s.pgvCms, mmi: s.mmi, p_arrival_s: s.pArrival, s_arrival_s: s.sArrival }) + '\n');
  } else {
    process.stdout.write(
      `M${o.magnitude} at Rjb ${o.rjb} km (depth ${o.depth ?? 8} km, hypocentral ${s.hypoKm.toFixed(1)} km), Vs30 ${o.vs30} m/s${o.rake === undefined ? '' : `, rake ${o.rake}°`}:\n` +
        `  median PGA   ${s.pgaG.toPrecision(3)} g   (Boore & Atkinson 2008)\n` +
        `  median PGV   ${s.pgvCms.toPrecision(3)} cm/s\n` +
        `  MMI          ${s.mmi.toFixed(1)}   (Worden et al. 2012)\n` +
        `  P arrival    ${s.pArrival.toFixed(2)} s after origin (${vp} km/s)\n` +
        `  S arrival    ${s.sArrival.toFixed(2)} s after origin (${vs} km/s)\n`,
    );
  }
  return 0;
}
