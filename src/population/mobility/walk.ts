/** Pedestrians: Lévy walks (truncated power-law flights and pauses, Rhee et al. 2011) or random waypoints, never leaving the boundary. */
import type { BehaviourProfile } from '../behaviour.js';
import { Activity } from './activity.js';
import { powerLawDraw } from './schedule.js';
import type { MobilityState } from './state.js';
import { hypot } from '../../core/geo.js';

type Pedestrian = Extract<BehaviourProfile, { kind: 'pedestrian' }>;

/** Starts a flight toward a point inside the boundary (after 20 misses, pauses instead). */
export function startFlight(m: MobilityState, d: number, b: Pedestrian, at: number): void {
  const r = m.draw(d);
  const x = m.x[d]!, y = m.y[d]!;
  let ok = false, tx = x, ty = y;
  for (let tries = 0; tries < 20 && !ok; tries++) {
    if (b.model === 'levy') {
      const len = powerLawDraw(r.uniform(), b.flight_m.min, b.flight_m.max, b.flight_m.alpha);
      const th = 2 * Math.PI * r.uniform();
      tx = x + len * Math.cos(th);
      ty = y + len * Math.sin(th);
    } else {
      const [x0, y0, x1, y1] = m.c.world.bbox;
      tx = x0 + (x1 - x0) * r.uniform();
      ty = y0 + (y1 - y0) * r.uniform();
    }
    ok = m.c.boundary.contains(tx, ty);
  }
  if (!ok) {
    pause(m, d, b, at, r);
    return;
  }
  m.tx[d] = tx;
  m.ty[d] = ty;
  m.speed[d] = r.uniform() < b.running_share ? 2.5 + r.uniform() : b.speed_mps[0] + (b.speed_mps[1] - b.speed_mps[0]) * r.uniform();
  m.activity[d] = Activity.Walk;
}

/** Pauses from `at` for a power-law time. */
export function pause(m: MobilityState, d: number, b: Pedestrian, at: number, r = m.draw(d)): void {
  m.activity[d] = Activity.Pause;
  m.nextT[d] = at + powerLawDraw(r.uniform(), b.pause.min, b.pause.max, b.pause.alpha);
}

/** Walks toward the flight's target over [t0, t1), pausing on arrival or at the boundary. */
export function walkStraight(m: MobilityState, d: number, b: Pedestrian, t0: number, t1: number): void {
  const x = m.x[d]!, y = m.y[d]!;
  const dx = m.tx[d]! - x, dy = m.ty[d]! - y;
  const dist = hypot(dx, dy);
  const step = m.speed[d]! * (t1 - t0);
  if (step >= dist) {
    m.setPos(d, m.tx[d]!, m.ty[d]!);
    pause(m, d, b, t0 + dist / m.speed[d]!);
    return;
  }
  const nx = x + (dx / dist) * step, ny = y + (dy / dist) * step;
  if (!m.c.boundary.contains(nx, ny)) {
    // The straight line leaves a non-convex boundary: stop here and pause.
    pause(m, d, b, t1);
    return;
  }
  m.setPos(d, nx, ny);
}
