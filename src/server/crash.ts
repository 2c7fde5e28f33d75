/**
 * `crash` consensus: a high-g trigger from a moving phone is a crash when the phone's own GNSS
 * speed dropped (from at least `min_speed_m_s` to at most `max_speed_after_m_s`, as car crash
 * detection on phones does), or, without usable speeds, when another phone in the same vehicle (within
 * `vehicle_m` and `vehicle_s`) felt it too. Phones that trigger together are one crash: later ones
 * update the report with how many phones felt it. A phone dropped on the floor has no speed to lose.
 */
import * as z from 'zod';
import { duration } from '../plugin/fields.js';
import type { TriggerMessage } from '../plugin/index.js';
import type { AlertRecord, ConsensusPlugin, ConsensusServer, ServerContext } from '../plugin/index.js';
import { plainAlert } from './plain-alert.js';
import { G } from '../core/units.js';
import { hypot } from '../core/geo.js';

export const crashServerSchema = z.strictObject({
  type: z.literal('crash'),
  min_speed_m_s: z.number().min(0).default(5).describe('A speed drop confirms a crash: from at least this before the impact, m/s...'),
  max_speed_after_m_s: z.number().min(0).default(2).describe('...to at most this when the speed is read again (the vehicle stopped), m/s.'),
  vehicle_m: z.number().positive().default(50).describe('Triggers this close in space and onset time are the same vehicle.'),
  vehicle_s: duration({ positive: true }).default(3).describe('Triggers this close in onset time (and vehicle_m in space) are the same vehicle, s.'),
  phones_without_speed: z.number().int().min(0).default(2).describe('Phones needed when none shows a speed drop (0: a speed drop is required).'),
  alert_radius_km: z.number().min(0).default(0).describe('Radius of the alert pushed to phones around the crash, km (0: a report to dispatch only).'),
}).superRefine((c, ctx) => {
  if (c.max_speed_after_m_s >= c.min_speed_m_s && c.min_speed_m_s > 0) ctx.addIssue({ code: 'custom', path: ['max_speed_after_m_s'], message: `must be below min_speed_m_s (${c.min_speed_m_s}), or no speed drop could confirm a crash`, input: c.max_speed_after_m_s });
});
export type CrashServerConfig = z.output<typeof crashServerSchema>;

interface Group {
  id: number;
  x: number;
  y: number;
  onset: number;
  phones: Set<number>;
  dropped: number;
  peakG: number;
  speedBefore: number;
  speedAfter: number;
  seq: number;
}

export class CrashServer implements ConsensusServer {
  private readonly groups: Group[] = [];
  private nextId = 0;

  constructor(private readonly c: CrashServerConfig, private readonly ctx: ServerContext) {}

  receive(m: TriggerMessage, now: number): AlertRecord[] {
    if (m.kind !== 'trigger' || m.channel !== 'crash') return [];
    const c = this.c;
    const speed = m.speed ?? NaN, after = m.speedAfter ?? NaN;
    const dropped = speed >= c.min_speed_m_s && after <= c.max_speed_after_m_s ? 1 : 0;
    // Forget groups long past, then join the one of the same vehicle.
    while (this.groups.length && this.groups[0]!.onset < now - 600) this.groups.shift();
    let g = this.groups.find((k) => Math.abs(k.onset - m.onsetDeviceTime) <= c.vehicle_s && hypot(k.x - m.x, k.y - m.y) <= c.vehicle_m);
    const wasConfirmed = g ? this.confirmed(g) : false;
    if (!g) this.groups.push((g = { id: -1, x: m.x, y: m.y, onset: m.onsetDeviceTime, phones: new Set(), dropped: 0, peakG: 0, speedBefore: NaN, speedAfter: NaN, seq: -1 }));
    if (g.phones.has(m.device)) return [];
    g.phones.add(m.device);
    g.dropped += dropped;
    g.peakG = Math.max(g.peakG, m.amplitude / G);
    if (Number.isFinite(speed) && !(g.speedBefore >= speed)) { g.speedBefore = speed; g.speedAfter = after; }
    if (!this.confirmed(g)) return [];
    if (g.id < 0) g.id = this.nextId++;
    if (wasConfirmed && g.seq >= 4) return []; // a few updates with more phones, not one per phone of a bus
    g.seq++;
    return [plainAlert({
      frame: this.ctx.world.frame, event: g.id, kind: 'crash', seq: g.seq, time: now, x: g.x, y: g.y, at: g.onset, triggers: g.phones.size, radiusKm: c.alert_radius_km,
      details: { phones: g.phones.size, phones_speed_drop: g.dropped, peak_g: +g.peakG.toFixed(1), speed_before_kmh: +(g.speedBefore * 3.6).toFixed(0), speed_after_kmh: +(g.speedAfter * 3.6).toFixed(0) },
    })];
  }

  private confirmed(g: Group): boolean {
    return g.dropped > 0 || (this.c.phones_without_speed > 0 && g.phones.size >= this.c.phones_without_speed);
  }

  tick(): AlertRecord[] {
    return [];
  }
}

export const crashServer: ConsensusPlugin<CrashServerConfig> = {
  type: 'crash',
  summary: 'Crash reports confirmed by the phone\'s own speed drop, or by two phones in one car',
  channels: ['crash'],
  schema: crashServerSchema,
  create: (config, ctx) => new CrashServer(config, ctx),
};
