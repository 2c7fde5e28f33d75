/**
 * `pressure-front` consensus: barometer steps moving across cells. A cell lights when at least
 * `min_fraction` of at least `min_active` active phones in it report a pressure step of the same
 * sign within `window` (one phone riding a lift does not light a cell); its time is the median of
 * those onsets. With `min_cells` lit cells a plane wave t = t0 + s·(x, y) is fitted by least
 * squares: the front's speed is 1/|s| and its heading the direction of s. It is declared when the
 * speed is plausible for a weather front and the fit explains the cells' times within
 * `max_residual`; the alert goes to phones ahead of the front, in a circle of `alert_radius_km`
 * that touches the front's current position, and is updated as more cells light.
 */
import * as z from 'zod';
import { duration } from '../plugin/fields.js';
import type { TriggerMessage } from '../plugin/index.js';
import type { AlertRecord, ConsensusPlugin, ConsensusServer, ServerContext } from '../plugin/index.js';
import { plainAlert } from './plain-alert.js';
import { ActivePhones, GridCells, WindowCount } from './cells.js';
import { median } from 'simple-statistics';
import { hypot } from '../core/geo.js';

export const pressureFrontSchema = z.strictObject({
  type: z.literal('pressure-front'),
  cell_km: z.number().positive().default(5).describe('Side of the square cells phones are grouped in, km.'),
  min_active: z.number().int().min(1).default(5).describe('Least monitoring phones a cell needs before it can fire.'),
  min_fraction: z.number().positive().default(0.3).describe('Share of a cell\'s active phones that must report a step within `window` for the cell to fire.'),
  window: duration({ positive: true }).default(600).describe('Time over which a cell\'s reports count together, s.'),
  staleness: duration({ positive: true }).default(900).describe('A fired cell older than this no longer takes part in the fit, s.'),
  min_cells: z.number().int().min(3).default(4).describe('Fired cells needed to fit a plane wave (the front\'s speed and heading).'),
  max_residual: duration({ positive: true }).default(90).describe('Largest RMS misfit of the cells\' times to the plane wave, s.'),
  min_speed_m_s: z.number().positive().default(2).describe('Plausible speeds of a front, m/s.'),
  max_speed_m_s: z.number().positive().default(60).describe('...up to this, m/s.'),
  alert_radius_km: z.number().positive().default(20).describe('Radius of the alert circle, centred this far ahead of the front, km.'),
  update_every: duration({ positive: true }).default(60).describe('Least time between updates, s.'),
}).superRefine((c, ctx) => {
  if (c.min_fraction > 1) ctx.addIssue({ code: 'custom', path: ['min_fraction'], message: `expected a fraction ≤ 1 (a cell could never light), found ${c.min_fraction}`, input: c.min_fraction });
  if (c.min_speed_m_s >= c.max_speed_m_s) ctx.addIssue({ code: 'custom', path: ['min_speed_m_s'], message: 'must be below max_speed_m_s', input: c.min_speed_m_s });
});
export type PressureFrontConfig = z.output<typeof pressureFrontSchema>;

/** Least-squares plane wave through (x, y, t) points: origin (mean place and time), slowness, RMS misfit. */
export function fitPlaneWave(pts: readonly { x: number; y: number; t: number }[]): { x0: number; y0: number; t0: number; sx: number; sy: number; rms: number } | null {
  const n = pts.length;
  if (n < 3) return null;
  let x0 = 0, y0 = 0, t0 = 0;
  for (const p of pts) { x0 += p.x / n; y0 += p.y / n; t0 += p.t / n; }
  let sxx = 0, syy = 0, sxy = 0, sxt = 0, syt = 0;
  for (const p of pts) {
    const dx = p.x - x0, dy = p.y - y0, dt = p.t - t0;
    sxx += dx * dx; syy += dy * dy; sxy += dx * dy; sxt += dx * dt; syt += dy * dt;
  }
  const det = sxx * syy - sxy * sxy;
  // Cells on one line cannot tell a direction: demand a spread in both directions.
  if (!(det > 1e-6 * (sxx + syy) ** 2)) return null;
  const sx = (sxt * syy - syt * sxy) / det, sy = (syt * sxx - sxt * sxy) / det;
  let ss = 0;
  for (const p of pts) ss += (p.t - t0 - sx * (p.x - x0) - sy * (p.y - y0)) ** 2;
  return { x0, y0, t0, sx, sy, rms: Math.sqrt(ss / n) };
}

interface Cell { key: number; up: WindowCount; down: WindowCount; lit: { t: number; sign: number } | null }

export class PressureFrontServer implements ConsensusServer {
  private readonly cells: GridCells;
  private readonly active: ActivePhones;
  private readonly state = new Map<number, Cell>();
  private lit: { x: number; y: number; t: number; sign: number }[] = [];
  private event: { id: number; seq: number; last: number } | null = null;
  private nextId = 0;

  constructor(private readonly c: PressureFrontConfig, private readonly ctx: ServerContext) {
    this.cells = new GridCells(c.cell_km);
    this.active = new ActivePhones(this.cells, ctx.devices, c.staleness);
  }

  receive(m: TriggerMessage, now: number): AlertRecord[] {
    this.active.expire(now);
    if (m.kind === 'heartbeat') { this.active.heartbeat(m.device, m.x, m.y, m.monitoring, now); return []; }
    if (m.kind !== 'trigger' || m.channel !== 'pressure' || !m.step) return [];
    const key = this.cells.key(m.x, m.y);
    let cell = this.state.get(key);
    if (!cell) this.state.set(key, (cell = { key, up: new WindowCount(this.c.window), down: new WindowCount(this.c.window), lit: null }));
    const sign = m.step > 0 ? 1 : -1, w = sign > 0 ? cell.up : cell.down;
    w.add(m.device, m.onsetDeviceTime, now);
    const active = this.active.count(key);
    if (cell.lit || active < this.c.min_active || w.count < this.c.min_fraction * active) return [];
    const t = median([...w.latest.values()]);
    cell.lit = { t, sign };
    const [x, y] = this.cells.centre(key);
    this.lit.push({ x, y, t, sign });
    return this.assess(now);
  }

  /** Fits the lit cells of the commonest sign; declares or updates the front when the fit holds. */
  private assess(now: number): AlertRecord[] {
    const c = this.c;
    const recent = this.lit.filter((p) => p.t >= now - 3 * c.window);
    const up = recent.filter((p) => p.sign > 0), down = recent.filter((p) => p.sign < 0);
    const pts = up.length >= down.length ? up : down;
    if (pts.length < c.min_cells) return [];
    if (this.event && now - this.event.last < c.update_every) return [];
    const fit = fitPlaneWave(pts);
    if (!fit) return [];
    const s = hypot(fit.sx, fit.sy), speed = 1 / s;
    if (!(speed >= c.min_speed_m_s && speed <= c.max_speed_m_s) || fit.rms > c.max_residual) return [];
    const ux = fit.sx / s, uy = fit.sy / s;
    // Where the front is now (it passed the cells' mean place at t0), and the circle ahead of it.
    const ahead = speed * (now - fit.t0), R = c.alert_radius_km * 1000;
    const fx = fit.x0 + ux * ahead, fy = fit.y0 + uy * ahead;
    if (!this.event) this.event = { id: this.nextId++, seq: -1, last: now };
    this.event.seq++;
    this.event.last = now;
    const heading = ((Math.atan2(ux, uy) * 180) / Math.PI + 360) % 360;
    return [plainAlert({
      frame: this.ctx.world.frame, event: this.event.id, kind: 'pressure-front', seq: this.event.seq, time: now, x: fx + ux * R, y: fy + uy * R, at: fit.t0, triggers: pts.length, radiusKm: c.alert_radius_km,
      details: { speed_m_s: +speed.toFixed(2), heading_deg: +heading.toFixed(1), cells: pts.length, residual_s: +fit.rms.toFixed(1), sign: pts[0]!.sign > 0 ? 'rise' : 'fall' },
    })];
  }

  tick(): AlertRecord[] {
    return [];
  }
}

export const pressureFrontServer: ConsensusPlugin<PressureFrontConfig> = {
  type: 'pressure-front',
  summary: 'Pressure fronts: a plane wave fitted to lit cells gives speed and heading; alerts go ahead of it',
  channels: ['pressure'],
  schema: pressureFrontSchema,
  create: (config, ctx) => new PressureFrontServer(config, ctx),
};
