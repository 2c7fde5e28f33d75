/** Road travel: vehicles' trips between population-weighted destinations and commuters' trips, on the road graph's shortest-travel-time routes. */
import type { TravelMode } from '../../world/roads.js';
import type { BehaviourProfile } from '../behaviour.js';
import { Activity } from './activity.js';
import { nextLocal, powerLawDraw } from './schedule.js';
import type { MobilityState } from './state.js';
import { hypot } from '../../core/geo.js';

type Traveller = Extract<BehaviourProfile, { kind: 'vehicle' | 'commuter' }>;
type Commuter = Extract<BehaviourProfile, { kind: 'commuter' }>;

/** A destination road node near a population-weighted place. */
export function drawDestination(m: MobilityState, d: number, car: boolean): number {
  m.places.sample(m.draw(d), m.pos);
  return m.c.roads!.nearestNode(m.pos[0]!, m.pos[1]!, car);
}

/** Starts a trip from the current node toward node `dest`. */
export function startTrip(m: MobilityState, d: number, b: Traveller, mode: TravelMode, dest: number, at: number): void {
  const roads = m.c.roads!;
  const from = roads.nearestNode(m.x[d]!, m.y[d]!, mode === 'car');
  const r = m.draw(d);
  const code = from === dest || dest < 0 ? -1 : roads.nextEdges(mode, dest)[from]!;
  if (code === -1) {
    // Already there, or no route (documented fallback): stay put until the next event.
    arrive(m, d, b, at, dest >= 0 ? dest : from, mode);
    return;
  }
  m.setPos(d, roads.nodeX[from]!, roads.nodeY[from]!);
  m.dest[d] = dest;
  m.edge[d] = code;
  m.off[d] = 0;
  m.seg[d] = 0;
  if (mode === 'car') {
    const f = b.speed_factor;
    m.speed[d] = f[0] + (f[1] - f[0]) * r.uniform();
    m.activity[d] = Activity.Drive;
  } else {
    const w = (b as Commuter).walk_speed_mps;
    m.speed[d] = w[0] + (w[1] - w[0]) * r.uniform();
    m.activity[d] = Activity.Walk;
  }
}

/** Moves along the route over [t0, t1), crossing nodes as needed. */
export function travelRoads(m: MobilityState, d: number, t0: number, t1: number): void {
  const roads = m.c.roads!;
  const walking = m.activity[d] === Activity.Walk;
  const mode: TravelMode = walking ? 'foot' : 'car';
  let remaining = t1 - t0;
  let code = m.edge[d]!;
  let off = m.off[d]!;
  let seg = m.seg[d]!;
  const dest = m.dest[d]!;
  for (let guard = 0; guard < 10_000; guard++) {
    const e = code >= 0 ? code : -code - 2;
    const len = roads.edgeLength[e]!;
    const v = walking ? m.speed[d]! : m.speed[d]! * roads.edgeSpeed[e]!;
    const toEnd = (len - off) / v;
    if (remaining < toEnd) {
      off += v * remaining;
      break;
    }
    remaining -= toEnd;
    const node = code >= 0 ? roads.edgeTo[e]! : roads.edgeFrom[e]!;
    if (node === dest) {
      m.setPos(d, roads.nodeX[node]!, roads.nodeY[node]!);
      m.edge[d] = -1;
      const b = m.c.behaviours[m.behaviour[d]!]! as Traveller;
      arrive(m, d, b, t1 - remaining, node, mode);
      return;
    }
    code = roads.nextEdges(mode, dest)[node]!;
    off = 0;
    seg = 0;
    if (code === -1) {
      // Route vanished (cannot happen inside one component); stop at this node.
      m.setPos(d, roads.nodeX[node]!, roads.nodeY[node]!);
      m.edge[d] = -1;
      const b = m.c.behaviours[m.behaviour[d]!]! as Traveller;
      arrive(m, d, b, t1 - remaining, node, mode);
      return;
    }
  }
  const e = code >= 0 ? code : -code - 2;
  const along = code >= 0 ? off : roads.edgeLength[e]! - off;
  seg = roads.positionOnEdge(e, along, seg, m.xy);
  m.setPos(d, m.xy[0]!, m.xy[1]!);
  m.edge[d] = code;
  m.off[d] = off;
  m.seg[d] = seg;
}

/** End of a trip at node `node` at time `at`. */
function arrive(m: MobilityState, d: number, b: Traveller, at: number, node: number, mode: TravelMode): void {
  void mode;
  const roads = m.c.roads!;
  if (b.kind === 'vehicle') {
    m.activity[d] = Activity.Parked;
    m.setPos(d, roads.nodeX[node]!, roads.nodeY[node]!);
    const r = m.draw(d);
    m.nextT[d] = at + powerLawDraw(r.uniform(), b.dwell.min, b.dwell.max, b.dwell.alpha);
    return;
  }
  // Commuter: step off the road to the workplace or home.
  const leaveHome = b.leave_home + (2 * m.trait(d, 2) - 1) * b.jitter;
  const leaveWork = b.leave_work + (2 * m.trait(d, 3) - 1) * b.jitter;
  const toWork = (m.flags[d]! & 1) === 1;
  m.activity[d] = toWork ? Activity.Work : Activity.Home;
  if (toWork) m.setPos(d, m.wx[d]!, m.wy[d]!);
  else m.setPos(d, m.hx[d]!, m.hy[d]!);
  m.nextT[d] = nextLocal(at, m.c.localStart, toWork ? leaveWork : leaveHome);
}

function commuterMode(m: MobilityState, d: number, b: Commuter): TravelMode {
  const far = hypot(m.wx[d]! - m.hx[d]!, m.wy[d]! - m.hy[d]!) > b.max_walk_km * 1000;
  return far || m.trait(d, 4) < b.car_share ? 'car' : 'foot';
}

function workNode(m: MobilityState, d: number, b: Commuter): number {
  return m.c.roads!.nearestNode(m.wx[d]!, m.wy[d]!, commuterMode(m, d, b) === 'car');
}

/** Leaves home for work or work for home, by the person's mode. */
export function startCommute(m: MobilityState, d: number, b: Commuter, at: number): void {
  const roads = m.c.roads!;
  const mode = commuterMode(m, d, b);
  const toWork = m.activity[d] === Activity.Home;
  m.flags[d] = toWork ? m.flags[d]! | 1 : m.flags[d]! & ~1;
  const target = toWork ? workNode(m, d, b) : roads.nearestNode(m.hx[d]!, m.hy[d]!, mode === 'car');
  startTrip(m, d, b, mode, target, at);
}
