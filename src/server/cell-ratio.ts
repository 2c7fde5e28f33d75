/**
 * `cell-ratio` crowd consensus after MyShake (Kong et al. 2016; Kong, Martin-Short & Allen 2020):
 * the region is cut into square cells (10 km by default); a cell lights up when at least
 * `min_fraction` of at least `min_active` monitoring phones in it triggered within `window`; an
 * event is declared when `min_cells` cells are lit within `neighbour_km` of each other. The server
 * then locates the source from P onsets, estimates the magnitude from peak amplitudes, and alerts
 * everyone where predicted intensity reaches `alert_mmi`. While the event lasts it re-estimates at
 * most every `update_every` and issues an update when the magnitude or region changes; the event
 * closes after `event_timeout` without new triggers.
 */
import * as z from 'zod';
import { duration } from '../scenario/fields.js';
import type { TriggerMessage } from '../engine/types.js';
import type { AlertRecord, ConsensusPlugin, ConsensusServer, ServerContext } from './types.js';
import { alertRadiusKm, estimateMagnitude, locate, type Pick } from './estimate.js';

export const cellRatioSchema = z
  .strictObject({
    type: z.literal('cell-ratio'),
    cell_km: z.number().positive().default(10),
    /** A trigger counts in its cell for this long after its onset. */
    window: duration({ positive: true }).default(10),
    /** A phone counts as active in its cell while its last heartbeat (saying it monitors) is at most this old. */
    staleness: duration({ positive: true }).default(180),
    /** Active (monitoring) phones a cell needs before it can light up. */
    min_active: z.number().int().min(1).default(5),
    /** Share of a cell's active phones that must trigger. */
    min_fraction: z.number().positive().default(0.3),
    /** Lit cells needed to declare an event. */
    min_cells: z.number().int().min(1).default(1),
    /** Lit cells further apart than this do not count together, km. */
    neighbour_km: z.number().positive().default(50),
    /** Triggers within this distance of the estimate join the event, km. */
    associate_km: z.number().positive().default(200),
    /** Re-estimate at most this often. */
    update_every: duration({ positive: true }).default(1),
    /** Close the event after this long without new triggers. */
    event_timeout: duration({ positive: true }).default(60),
    /** Alert region: where predicted MMI reaches this. */
    alert_mmi: z.number().min(1).max(10).default(4),
    /** Server-side delay between a decision and the alert leaving, s. */
    processing_delay: duration({ min: 0 }).default(0),
    /** Assumed source depth and P velocity for locating. */
    depth_km: z.number().min(0).default(8),
    vp_km_s: z.number().positive().default(6.1),
    /** Onsets used to locate (the earliest ones). */
    max_locate_picks: z.number().int().min(3).default(60),
  })
  .superRefine((c, ctx) => {
    if (c.min_fraction > 1) ctx.addIssue({ code: 'custom', path: ['min_fraction'], message: `expected a fraction ≤ 1 (a cell can never have more than all its phones triggered), found ${c.min_fraction}`, input: c.min_fraction });
  });

export type CellRatioConfig = z.output<typeof cellRatioSchema>;

interface Onset {
  /** Onset time (reported clock). */
  t: number;
  /** Position the phone reported with the trigger. */
  x: number;
  y: number;
}

interface CellState {
  active: number;
  /** device → its latest onset. */
  onsets: Map<number, Onset>;
  cx: number;
  cy: number;
}

interface EventState {
  id: number;
  seq: number;
  picks: Map<number, Pick>;
  lastTrigger: number;
  lastEstimate: number;
  dirty: boolean;
  estimate?: AlertRecord['estimate'];
  radiusKm: number;
}

class CellRatioServer implements ConsensusServer {
  private readonly c: CellRatioConfig;
  private readonly ctx: ServerContext;
  private readonly cells = new Map<number, CellState>();
  private readonly size: number;
  private event: EventState | null = null;
  private nextId = 0;
  /** Per phone: arrival time of its last heartbeat, the cell it counted in, whether it counts. */
  private readonly hbTime: Float64Array;
  private readonly hbCell: (CellState | undefined)[];
  private readonly counted: Uint8Array;
  /** Heartbeats in arrival order, for expiry. */
  private readonly hbQueue: { t: number[]; d: number[]; head: number } = { t: [], d: [], head: 0 };

  constructor(c: CellRatioConfig, ctx: ServerContext) {
    this.c = c;
    this.ctx = ctx;
    this.size = c.cell_km * 1000;
    const n = ctx.x.length;
    this.hbTime = new Float64Array(n).fill(-Infinity);
    this.hbCell = new Array(n);
    this.counted = new Uint8Array(n);
    // What the server knows when the run starts: every phone's heartbeat from just before t = 0.
    for (let d = 0; d < n; d++) this.heartbeat(d, ctx.x[d]!, ctx.y[d]!, ctx.monitoring[d]!, 0);
  }

  private heartbeat(d: number, x: number, y: number, monitoring: number, now: number): void {
    if (this.counted[d]) this.hbCell[d]!.active--;
    const cell = this.cell(x, y);
    this.hbTime[d] = now;
    this.hbCell[d] = cell;
    this.counted[d] = monitoring ? 1 : 0;
    if (monitoring) cell.active++;
    this.hbQueue.t.push(now);
    this.hbQueue.d.push(d);
  }

  /** Stops counting phones whose last heartbeat is older than the staleness limit. */
  private expire(now: number): void {
    const q = this.hbQueue;
    const limit = now - this.c.staleness;
    while (q.head < q.t.length && q.t[q.head]! < limit) {
      const d = q.d[q.head]!, t = q.t[q.head]!;
      if (this.hbTime[d] === t && this.counted[d]) {
        this.hbCell[d]!.active--;
        this.counted[d] = 0;
      }
      q.head++;
    }
    if (q.head > 65_536 && q.head * 2 > q.t.length) {
      q.t.splice(0, q.head);
      q.d.splice(0, q.head);
      q.head = 0;
    }
  }

  /** Active phones the server currently counts in the cell containing (x, y) (for tests and reports). */
  activeAt(x: number, y: number, now: number): number {
    this.expire(now);
    return this.cell(x, y).active;
  }

  private key(x: number, y: number): [number, number, number] {
    const ix = Math.floor(x / this.size), iy = Math.floor(y / this.size);
    return [(ix + 50_000) * 100_000 + (iy + 50_000), ix, iy];
  }

  private cell(x: number, y: number): CellState {
    const [k, ix, iy] = this.key(x, y);
    let c = this.cells.get(k);
    if (!c) {
      c = { active: 0, onsets: new Map(), cx: (ix + 0.5) * this.size, cy: (iy + 0.5) * this.size };
      this.cells.set(k, c);
    }
    return c;
  }

  private lit(c: CellState, now: number): boolean {
    if (c.active < this.c.min_active) return false;
    let n = 0;
    for (const o of c.onsets.values()) if (o.t >= now - this.c.window) n++;
    return n >= this.c.min_fraction * c.active;
  }

  private litCells(now: number): CellState[] {
    const out: CellState[] = [];
    for (const c of this.cells.values()) if (c.onsets.size && this.lit(c, now)) out.push(c);
    return out;
  }

  /** Largest group of lit cells whose centres are within neighbour_km of its first member. */
  private cluster(lit: CellState[]): CellState[] {
    let best: CellState[] = [];
    const lim = this.c.neighbour_km * 1000;
    for (const a of lit) {
      const group = lit.filter((b) => Math.hypot(a.cx - b.cx, a.cy - b.cy) <= lim);
      if (group.length > best.length) best = group;
    }
    return best;
  }

  receive(m: TriggerMessage, now: number): AlertRecord[] {
    this.expire(now);
    if (m.kind === 'heartbeat') {
      this.heartbeat(m.device, m.x, m.y, m.monitoring, now);
      return [];
    }
    const cell = this.cell(m.x, m.y);
    const prev = cell.onsets.get(m.device);
    if (m.kind === 'trigger' || prev === undefined || m.onsetDeviceTime > prev.t) cell.onsets.set(m.device, { t: m.onsetDeviceTime, x: m.x, y: m.y });
    const ev = this.event;
    if (ev) {
      const e = ev.estimate!;
      const near = Math.hypot(m.x - e.x, m.y - e.y) <= this.c.associate_km * 1000;
      if (near) {
        const existing = ev.picks.get(m.device);
        if (!existing || m.kind === 'trigger') ev.picks.set(m.device, { x: m.x, y: m.y, t: m.onsetDeviceTime, amplitude: m.amplitude });
        else existing.amplitude = Math.max(existing.amplitude, m.amplitude);
        ev.lastTrigger = now;
        ev.dirty = true;
      }
      return this.maybeUpdate(now);
    }
    const group = this.cluster(this.litCells(now));
    if (group.length < this.c.min_cells) return [];
    // Declare an event from the recent onsets in the lit cells.
    const picks = new Map<number, Pick>();
    for (const c of group) {
      for (const [d, o] of c.onsets) if (o.t >= now - this.c.window) picks.set(d, { x: o.x, y: o.y, t: o.t, amplitude: 0 });
    }
    const mine = picks.get(m.device);
    if (mine) mine.amplitude = m.amplitude;
    this.event = { id: this.nextId++, seq: 0, picks, lastTrigger: now, lastEstimate: -Infinity, dirty: true, radiusKm: 0 };
    this.amplitudes.forEach((a, d) => { const p = picks.get(d); if (p) p.amplitude = Math.max(p.amplitude, a); });
    return this.maybeUpdate(now, true);
  }

  /** Latest amplitude reported by each device (kept so a new event can use earlier updates). */
  private readonly amplitudes = new Map<number, number>();

  private estimate(now: number): AlertRecord | null {
    const ev = this.event!;
    const all = [...ev.picks.values()].sort((a, b) => a.t - b.t);
    const early = all.slice(0, this.c.max_locate_picks);
    const loc = locate(early, { depthKm: this.c.depth_km, vpKmS: this.c.vp_km_s });
    const magnitude = estimateMagnitude(all, loc.x, loc.y);
    const radiusKm = alertRadiusKm(magnitude, this.c.alert_mmi);
    const [lon, lat] = this.ctx.world.frame.unproject(loc.x, loc.y);
    ev.estimate = { x: loc.x, y: loc.y, lon, lat, originTime: loc.originTime, magnitude, depthKm: this.c.depth_km };
    ev.lastEstimate = now;
    ev.dirty = false;
    const grew = radiusKm > ev.radiusKm + 1 || ev.seq === 0;
    ev.radiusKm = Math.max(ev.radiusKm, radiusKm);
    if (!grew && ev.seq > 0) return null;
    return {
      event: ev.id, kind: 'earthquake', seq: ev.seq++, time: now + this.c.processing_delay, estimate: { ...ev.estimate }, radiusKm: ev.radiusKm,
      mmiThreshold: this.c.alert_mmi, triggers: all.length, cancelled: false,
    };
  }

  private maybeUpdate(now: number, force = false): AlertRecord[] {
    const ev = this.event!;
    if (!force && (!ev.dirty || now - ev.lastEstimate < this.c.update_every)) return [];
    const a = this.estimate(now);
    return a ? [a] : [];
  }

  tick(now: number): AlertRecord[] {
    this.expire(now);
    const ev = this.event;
    if (!ev) return [];
    if (now - ev.lastTrigger >= this.c.event_timeout) {
      this.event = null;
      return [];
    }
    return this.maybeUpdate(now);
  }

  /** Records amplitudes even outside events. */
  observe(m: TriggerMessage): void {
    this.amplitudes.set(m.device, Math.max(this.amplitudes.get(m.device) ?? 0, m.amplitude));
  }
}

export const cellRatio: ConsensusPlugin<CellRatioConfig> = {
  type: 'cell-ratio',
  schema: cellRatioSchema,
  create(config, ctx) {
    const s = new CellRatioServer(config, ctx);
    return {
      receive: (m, now) => {
        if (m.kind !== 'heartbeat') s.observe(m);
        return s.receive(m, now);
      },
      tick: (now) => s.tick(now),
    };
  },
};
