/**
 * Places devices in proportion to population: each device picks a place with probability
 * proportional to its population (Walker alias table), then a position inside it — uniform in a
 * polygon, Gaussian scatter around a point (redrawn while outside the boundary). Also assigns each
 * device a phone profile and a behaviour profile by their shares. Deterministic per seed.
 */
import { AliasTable, FastRandom, type Seed } from '../core/random.js';
import { ColumnSet } from '../core/columns.js';
import { inPolygon } from '../world/geometry.js';
import { BoundaryIndex } from '../world/boundary-index.js';
import type { World } from '../world/load.js';

export interface PlacementOptions {
  seed: Seed;
  devices: number;
  /** Extra devices placed uniformly inside venues, after the main population. */
  groups?: { venue: string; devices: number; phone: number; behaviour: number }[];
  /** Shares of phone profiles (need not sum to 1). */
  phoneShares: readonly number[];
  /** Shares of behaviour profiles. */
  behaviourShares: readonly number[];
}

/** Column names every device table has. */
export const DEVICE_COLUMNS = [
  { name: 'x', type: 'f64' }, // current east position, m
  { name: 'y', type: 'f64' }, // current north position, m
  { name: 'phone', type: 'u8' },
  { name: 'behaviour', type: 'u8' },
] as const;

/** Draws positions of people: a place by population, then a point in it. */
export class PlaceSampler {
  private readonly world: World;
  private readonly places: AliasTable;
  private readonly parts: (AliasTable | null)[];
  private readonly boundary: BoundaryIndex;

  constructor(world: World, boundary?: BoundaryIndex) {
    if (world.places.length === 0) throw new Error(`world ${world.file} has no population features to place devices in`);
    this.world = world;
    this.places = new AliasTable(world.places.map((p) => p.population));
    this.parts = world.places.map((p) => (p.kind === 'polygon' && p.polygons!.length > 1 ? new AliasTable(p.polygons!.map((q) => q.area)) : null));
    this.boundary = boundary ?? new BoundaryIndex(world.boundary);
  }

  /** Draws a place and a position in it into out[0], out[1]; returns the place index. */
  sample(rng: FastRandom, out: Float64Array): number {
    const pi = this.places.draw(rng);
    const p = this.world.places[pi]!;
    let px = 0, py = 0;
    if (p.kind === 'polygon') {
      const part = p.polygons![this.parts[pi] ? this.parts[pi]!.draw(rng) : 0]!;
      const [x0, y0, x1, y1] = part.bbox;
      for (let tries = 0; ; tries++) {
        px = x0 + (x1 - x0) * rng.uniform();
        py = y0 + (y1 - y0) * rng.uniform();
        if (inPolygon(part, px, py)) break;
        if (tries > 10_000) throw new Error(`could not place a device inside population polygon ${p.name ?? pi} of ${this.world.file}`);
      }
    } else {
      let ok = false;
      for (let tries = 0; tries < 100 && !ok; tries++) {
        px = p.x! + p.spread! * rng.normal();
        py = p.y! + p.spread! * rng.normal();
        ok = this.boundary.contains(px, py);
      }
      if (!ok) { px = p.x!; py = p.y!; }
    }
    out[0] = px;
    out[1] = py;
    return pi;
  }
}

function assign(rng: FastRandom, shares: readonly number[], out: Uint8Array): void {
  if (shares.length === 1) return; // all zero already
  const table = new AliasTable(shares);
  for (let i = 0; i < out.length; i++) out[i] = table.draw(rng);
}

/** Places `devices` devices in `world`; returns shared columns (see DEVICE_COLUMNS). */
export function placeDevices(world: World, options: PlacementOptions, boundary?: BoundaryIndex): ColumnSet {
  const groups = options.groups ?? [];
  const main = options.devices;
  const n = main + groups.reduce((s, g) => s + g.devices, 0);
  const cols = ColumnSet.allocate(n, DEVICE_COLUMNS.map((c) => ({ ...c })));
  const sampler = new PlaceSampler(world, boundary);
  const x = cols.f64('x'), y = cols.f64('y');
  const rng = FastRandom.of(options.seed, 'placement');
  const pos = new Float64Array(2);
  for (let i = 0; i < main; i++) {
    sampler.sample(rng, pos);
    x[i] = pos[0]!;
    y[i] = pos[1]!;
  }
  assign(FastRandom.of(options.seed, 'phone-profile'), options.phoneShares, cols.u8('phone').subarray(0, main));
  assign(FastRandom.of(options.seed, 'behaviour-profile'), options.behaviourShares, cols.u8('behaviour').subarray(0, main));
  let i = main;
  groups.forEach((g, gi) => {
    const venue = world.venues.find((v) => v.name === g.venue);
    if (!venue) throw new Error(`venue "${g.venue}" is not in world ${world.name}`);
    const areas = new AliasTable(venue.polygons.map((p) => p.area));
    const grng = FastRandom.of(options.seed, 'venue-group', gi);
    for (let k = 0; k < g.devices; k++, i++) {
      const part = venue.polygons[areas.draw(grng)]!;
      const [x0, y0, x1, y1] = part.bbox;
      do {
        x[i] = x0 + (x1 - x0) * grng.uniform();
        y[i] = y0 + (y1 - y0) * grng.uniform();
      } while (!inPolygon(part, x[i]!, y[i]!));
      cols.u8('phone')[i] = g.phone;
      cols.u8('behaviour')[i] = g.behaviour;
    }
  });
  return cols;
}
