/**
 * Crowd consensus for earthquakes, shared by the cell plug-ins (cell-ratio, binomial): phones are
 * counted per cell from heartbeats; a shaking trigger either joins an event whose travel-time curve
 * it fits, or counts in its cell. When a cell fires (each plug-in has its own rule) the server looks
 * for fired cells close together in space and time (space-time DBSCAN, at least `min_cells`); such a
 * cluster declares an event from its cells' recent triggers. Events then update, confirm or cancel,
 * and close on their own (quake-event.ts). Several events can run at once.
 */
import * as z from 'zod';
import { duration } from '../plugin/fields.js';
import type { TriggerMessage } from '../plugin/index.js';
import type { AlertRecord, ConsensusServer, HeartbeatColumns, ServerContext, WarmupHeartbeats } from '../plugin/index.js';
import { latestPerPhone } from './warmup.js';
import { ActivePhones, GridCells, HexCells, WindowCount, type CellIndex } from './cells.js';
import { dbscan } from './dbscan.js';
import { vs30At } from '../world/load.js';
import { QuakeEvent, quakeEventOptions, type QuakeEventConfig, type Surroundings } from './quake-event.js';
import { applyQuakeServerCalibration, QUAKE_SERVER_CALIBRATION, readQuakeServerCalibration, type QuakeServerCalibration } from './calibration.js';
import { hypot } from '../core/geo.js';

/** Options every cell plug-in shares. */
export const cellConsensusOptions = {
  calibration: z.string().min(1).optional().describe('Calibration file with the constants the server assumes (relative to the scenario; default: the shipped calibration/quake-server.json).'),
  cells: z.enum(['grid', 'h3']).default('grid').describe('`grid`: square cells on the local metric frame; `h3`: H3 hexagons of about the same area.'),
  cell_km: z.number().positive().default(10).describe('Side of a cell (grid) or the size of a hexagon of about that area (h3), km.'),
  window: duration({ positive: true }).default(10).describe('A trigger counts in its cell for this long after its onset.'),
  staleness: duration({ positive: true }).default(180).describe('A phone counts as active in its cell while its last heartbeat (saying it monitors) is at most this old.'),
  min_active: z.number().int().min(1).default(5).describe('Active (monitoring) phones a cell needs before it can fire.'),
  min_cells: z.number().int().min(1).default(2).describe('Fired cells an event needs, close together in space (neighbour_km) and time (window).'),
  neighbour_km: z.number().positive().default(30).describe('Fired cells within this distance of each other count together, km.'),
  declare_spread_km: z.number().min(0).default(2).describe('The triggers that declare an event must cover an area: their 90th-percentile distance from their median point, km (a crowd in one venue does not).'),
  ...quakeEventOptions,
};

export interface CellConsensusConfig extends QuakeEventConfig {
  calibration?: string;
  cells: 'grid' | 'h3';
  cell_km: number;
  window: number;
  staleness: number;
  min_active: number;
  min_cells: number;
  neighbour_km: number;
  declare_spread_km: number;
}

interface Cell {
  key: number;
  x: number;
  y: number;
  recent: WindowCount;
  /** When the cell last started firing. */
  firedAt: number;
}

/** What receive returns when it raises no alert (shared: the engine only reads it). */
const NO_ALERTS: AlertRecord[] = [];

export abstract class CellConsensusServer implements ConsensusServer {
  /** receive() reads a message and keeps none of it (picks and counts copy what they need). */
  readonly transientMessages = true;
  protected readonly cells: CellIndex;
  protected readonly active: ActivePhones;
  private readonly cellState = new Map<number, Cell>();
  private readonly events: QuakeEvent[] = [];
  private nextId = 0;
  /**
   * Per phone, side by side (a national run's messages come in no order of phones: one memory fetch
   * per message, not three): [4d], [4d + 1] its latest reported position (NaN: none yet); [4d + 2]
   * its current trigger's peak amplitude; [4d + 3] the event its current trigger belongs to (−1: none).
   */
  private readonly ph: Float64Array;

  constructor(protected readonly c: CellConsensusConfig, protected readonly ctx: ServerContext) {
    requireCalibrated(c, ['amplitude_to_pga', 'p_to_s_amplitude']);
    this.cells = c.cells === 'h3' ? new HexCells(c.cell_km, ctx.world.frame) : new GridCells(c.cell_km);
    const n = ctx.devices;
    this.active = new ActivePhones(this.cells, n, c.staleness);
    // The server starts knowing no phone: heartbeats and triggers tell it where phones are.
    this.ph = new Float64Array(4 * n);
    for (let d = 0; d < n; d++) { this.ph[4 * d] = NaN; this.ph[4 * d + 1] = NaN; this.ph[4 * d + 3] = -1; }
  }

  /** Whether a cell with `active` phones and `triggered` of them triggered within the window fires. */
  protected abstract fires(key: number, active: number, triggered: number, now: number): boolean;

  /** Called for every shaking trigger not taken by an event (binomial learns its background from these). */
  protected observeFree(_key: number, _m: TriggerMessage): void {}

  private cell(key: number): Cell {
    let c = this.cellState.get(key);
    if (!c) {
      const [x, y] = this.cells.centre(key);
      c = { key, x, y, recent: new WindowCount(this.c.window), firedAt: -Infinity };
      this.cellState.set(key, c);
    }
    return c;
  }

  /** Cells with at least min_active active phones whose centre lies within r metres of (x, y). */
  private cellsWithin(x: number, y: number, r: number): { key: number; active: number }[] {
    const out: { key: number; active: number }[] = [];
    // forEach, not entries(): no [key, value] array per cell (a national grid has thousands, asked every second).
    this.active.forEach((active, key) => {
      if (active < this.c.min_active) return;
      const [cx, cy] = this.cells.centre(key);
      if (hypot(cx - x, cy - y) <= r) out.push({ key, active });
    });
    return out;
  }

  /** What events may ask about the phones around them (quake-event.ts: the not-yet-arrived test). */
  private surroundings(): Surroundings {
    return {
      cellsAround: (x, y, r) => {
        const out: { key: number; x: number; y: number; active: number; free: number }[] = [];
        this.active.forEach((active, key) => {
          if (active < this.c.min_active) return;
          const [cx, cy] = this.cells.centre(key);
          if (hypot(cx - x, cy - y) > r) return;
          const s = this.cellState.get(key);
          out.push({ key, x: cx, y: cy, active, free: s?.recent.count ?? 0 });
        });
        return out;
      },
      active: (key) => this.active.count(key),
      cellOf: (x, y) => this.cells.key(x, y),
      // Square cells' half diagonal (an H3 hexagon of the same area reaches less far).
      cellReach: this.c.cell_km * 1000 * Math.SQRT1_2,
      minActive: this.c.min_active,
    };
  }

  /** Active phones the server counts in the cell holding (x, y) now (for tests and reports). */
  activeAt(x: number, y: number, now: number): number {
    this.active.expire(now);
    return this.active.count(this.cells.key(x, y));
  }

  heartbeat(d: number, x: number, y: number, monitoring: number, now: number): void {
    this.active.expire(now);
    this.active.heartbeat(d, x, y, monitoring, now);
    this.ph[4 * d] = x;
    this.ph[4 * d + 1] = y;
  }

  heartbeats(c: HeartbeatColumns, rows: Int32Array, times: Float64Array, count: number): void {
    const active = this.active, ph = this.ph;
    for (let k = 0; k < count; k++) {
      const j = rows[k]!, d = c.device[j]!, x = c.x[j]!, y = c.y[j]!, now = times[k]!;
      active.expire(now);
      active.heartbeat(d, x, y, c.monitoring[j]!, now);
      ph[4 * d] = x;
      ph[4 * d + 1] = y;
    }
  }

  warmup(b: WarmupHeartbeats): void {
    const latest = latestPerPhone(b), ph = this.ph;
    this.active.warmup(b, latest);
    for (let k = 0; k < latest.length; k++) {
      const r = latest[k]!, d = b.device[r]!;
      ph[4 * d] = b.x[r]!;
      ph[4 * d + 1] = b.y[r]!;
    }
  }

  warmupDone(): void {
    this.active.warmupDone();
  }

  receive(m: TriggerMessage, now: number): AlertRecord[] {
    if (m.kind === 'heartbeat') {
      this.heartbeat(m.device, m.x, m.y, m.monitoring, now);
      return NO_ALERTS;
    }
    this.active.expire(now);
    if ((m.channel ?? 'shaking') !== 'shaking') return NO_ALERTS;
    const d = m.device;
    this.ph[4 * d] = m.x;
    this.ph[4 * d + 1] = m.y;
    // An update of a trigger that joined an event stays with it; a phone's new trigger joins an event
    // only when it fits its travel times (the phone's false trigger minutes later is not the quake).
    let own: QuakeEvent | undefined;
    if (this.ph[4 * d + 3]! >= 0) for (const e of this.events) if (e.id === this.ph[4 * d + 3]) { own = e; break; }
    if (own && m.kind === 'trigger' && !own.fits(m)) { own = undefined; this.ph[4 * d + 3] = -1; }
    this.ph[4 * d + 2] = m.kind === 'trigger' && this.ph[4 * d + 3] < 0 ? m.amplitude : Math.max(this.ph[4 * d + 2]!, m.amplitude);
    const pick = { x: m.x, y: m.y, t: m.onsetDeviceTime, amplitude: this.ph[4 * d + 2]! };
    let ev = own;
    if (!ev) for (const e of this.events) if (e.fits(m)) { ev = e; break; }
    if (ev) {
      ev.add(d, pick, now);
      this.ph[4 * d + 3] = ev.id;
      const a = ev.update(now);
      return a ? [a] : NO_ALERTS;
    }
    // Otherwise it counts in its cell.
    const key = this.cells.key(m.x, m.y);
    const cell = this.cell(key);
    cell.recent.add(d, m.onsetDeviceTime, now);
    this.observeFree(key, m);
    if (!this.fires(key, this.active.count(key), cell.recent.count, now)) return NO_ALERTS;
    let fresh = false;
    if (cell.firedAt < now - this.c.window) { cell.firedAt = now; fresh = true; }
    // While cells keep firing, look again for a cluster when one newly fires, or once a second.
    if (!fresh && now - this.lastDeclare < 1) return NO_ALERTS;
    this.lastDeclare = now;
    return this.declare(now);
  }

  private lastDeclare = -Infinity;

  /** Looks for a space-time cluster of fired cells; declares an event from it. */
  private declare(now: number): AlertRecord[] {
    const fired = [...this.cellState.values()].filter((c) => c.firedAt >= now - this.c.window && c.recent.count > 0);
    if (fired.length < this.c.min_cells) return NO_ALERTS;
    const labels = dbscan(fired.map((c) => ({ x: c.x, y: c.y, t: c.firedAt })), { epsM: this.c.neighbour_km * 1000, epsS: this.c.window, minPts: this.c.min_cells });
    const sizes = new Map<number, number>();
    labels.forEach((l) => { if (l >= 0) sizes.set(l, (sizes.get(l) ?? 0) + 1); });
    let best = -1;
    for (const [l, n] of sizes) if (n >= this.c.min_cells && (best < 0 || n > sizes.get(best)!)) best = l;
    if (best < 0) return NO_ALERTS;
    // A cluster next to a live event is more of it (its estimate may still be rough), not a new one.
    const members = fired.filter((_, i) => labels[i] === best);
    if (this.c.declare_spread_km > 0) {
      const xs: number[] = [], ys: number[] = [];
      for (const c of members) for (const d of c.recent.latest.keys()) { xs.push(this.ph[4 * d]!); ys.push(this.ph[4 * d + 1]!); }
      const med = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]!; };
      const mx = med(xs), my = med(ys);
      const r = xs.map((x, i) => hypot(x - mx, ys[i]! - my)).sort((a, b) => a - b);
      if ((r[Math.floor(0.9 * (r.length - 1))] ?? 0) < this.c.declare_spread_km * 1000) return NO_ALERTS;
    }
    const near = this.events.find((e) => !e.cancelled && e.estimate && members.some((c) => e.distance(c.x, c.y) <= this.c.neighbour_km * 1000 + this.c.cell_km * 1000));
    const ev = near ?? new QuakeEvent(this.nextId++, now, this.c, this.ctx.world.frame, (x, y) => vs30At(this.ctx.world, x, y), this.surroundings());
    fired.forEach((cell, i) => {
      if (labels[i] !== best) return;
      for (const [d, t] of [...cell.recent.latest]) {
        ev.add(d, { x: this.ph[4 * d]!, y: this.ph[4 * d + 1]!, t, amplitude: this.ph[4 * d + 2]! }, now);
        this.ph[4 * d + 3] = ev.id;
        cell.recent.remove(d);
      }
      cell.firedAt = -Infinity;
    });
    if (!near) this.events.push(ev);
    const a = ev.update(now, !near);
    return a ? [a] : NO_ALERTS;
  }

  tick(now: number): AlertRecord[] {
    this.active.expire(now);
    const out: AlertRecord[] = [];
    for (const ev of this.events) {
      const c = ev.confirm(now, (x, y, r) => this.cellsWithin(x, y, r), (x, y) => this.cells.key(x, y));
      if (c) out.push(c);
      const a = ev.update(now);
      if (a) out.push(a);
    }
    // Events without new triggers for event_timeout are over; their phones may trigger afresh.
    for (let i = this.events.length - 1; i >= 0; i--) {
      const ev = this.events[i]!;
      if (now - ev.lastPickAt < this.c.event_timeout) continue;
      for (const d of ev.picks.devices()) if (this.ph[4 * d + 3] === ev.id) this.ph[4 * d + 3] = -1;
      this.events.splice(i, 1);
    }
    return out;
  }
}

/** Refinements shared by the plug-in schemas. */
export function cellConsensusChecks(c: { min_fraction?: number; be_aware_mmi: number; take_action_mmi: number }, ctx: z.RefinementCtx): void {
  if (c.take_action_mmi < c.be_aware_mmi) {
    ctx.addIssue({ code: 'custom', path: ['take_action_mmi'], message: `expected the take-action intensity to be at least the be-aware one (${c.be_aware_mmi}), found ${c.take_action_mmi}`, input: c.take_action_mmi });
  }
}

/**
 * A staleness shorter than the heartbeat interval leaves phones out of their cells' counts between
 * heartbeats: a share 1 − staleness / interval of the monitoring phones is missing at any moment,
 * so `min_active` asks for more phones and a cell's trigger share is measured against too few (at a
 * 5 min heartbeat and the 3 min default, 40 % are missing and 30 % of the counted phones is 18 %
 * of those monitoring). Three intervals (the default's ratio to the default heartbeat) count a
 * phone until it has missed two.
 */
export function cellConsensusWarnings(c: { staleness: number }, scenario: { heartbeatEvery: number; where: string }): string[] {
  if (!(c.staleness < scenario.heartbeatEvery)) return [];
  const missing = Math.round(100 * (1 - c.staleness / scenario.heartbeatEvery));
  return [`${scenario.where}.staleness (${c.staleness} s) is shorter than network.heartbeat_every (${scenario.heartbeatEvery} s): a phone counts as active for only ${c.staleness} s after each heartbeat, so about ${missing} % of the monitoring phones are missing from their cells' counts at any moment; set ${scenario.where}.staleness to at least ${scenario.heartbeatEvery} s (${3 * scenario.heartbeatEvery} s, three intervals, counts a phone until it has missed two)`];
}

/** Files and preparation shared by the earthquake consensus plug-ins: the calibration they read their constants from. */
export function calibratedServer(keys: readonly (keyof QuakeServerCalibration['constants'])[]) {
  return {
    /** No file when the scenario sets every constant itself (as the calibration scenarios do while they are measured). */
    files: (c: { calibration?: string } & Record<string, unknown>) => (!c.calibration && keys.every((k) => c[k] !== undefined) ? [] : [{ field: 'calibration', path: c.calibration ?? QUAKE_SERVER_CALIBRATION }]),
    prepare<C extends Record<string, unknown>>(c: C, files: Record<string, string>, where: { file: string; field: string }): C {
      if (!files.calibration) return c;
      return applyQuakeServerCalibration(c, readQuakeServerCalibration(files.calibration, `${files.calibration} (${where.file}: ${where.field}.calibration)`), keys);
    },
  };
}

/**
 * A server built from a configuration nobody prepared (no calibration read, no constant set) would
 * estimate NaN magnitudes and never alert, silently: refuse it instead.
 */
export function requireCalibrated(c: object, keys: readonly string[]): void {
  const missing = keys.filter((k) => !(Number.isFinite((c as Record<string, unknown>)[k])));
  if (missing.length) throw new Error(`earthquake server configuration lacks ${missing.join(', ')}: prepare it with its calibration file (plugin.prepare, as the scenario loader does) or set them`);
}
