/**
 * Places devices in proportion to population: each device picks a place with probability
 * proportional to its population (Walker alias table), then a position inside it — uniform in a
 * polygon, Gaussian scatter around a point (redrawn while outside the boundary). Also assigns each
 * device a phone profile and a behaviour profile by their shares. Deterministic per seed.
 */
import { AliasTable, FastRandom, type Seed } from '../core/random.js';
import { ColumnSet } from '../core/columns.js';
import { inPolygon } from '../world/geometry.js';
import { insideWorld, type World } from '../world/load.js';

export interface PlacementOptions {
  seed: Seed;
  devices: number;
  /** Shares of phone profiles (need not sum to 1). */
  phoneShares: readonly number[];
  /** Shares of behaviour profiles. */
  behaviourShares: readonly number[];
}

/** Column names every device table has. */
export const DEVICE_COLUMNS = [
  { name: 'x', type: 'f64' }, // current east position, m
  { name: 'y', type: 'f64' }, // current north position, m
  { name: 'home_x', type: 'f64' },
  { name: 'home_y', type: 'f64' },
  { name: 'place', type: 'i32' },
  { name: 'phone', type: 'u8' },
  { name: 'behaviour', type: 'u8' },
] as const;

/** Draws the device index list of one share vector (alias table over shares). */
function assign(rng: FastRandom, shares: readonly number[], out: Uint8Array): void {
  if (shares.length === 1) return; // all zero already
  const table = new AliasTable(shares);
  for (let i = 0; i < out.length; i++) out[i] = table.draw(rng);
}

/** Places `devices` devices in `world`; returns shared columns (see DEVICE_COLUMNS). */
export function placeDevices(world: World, options: PlacementOptions): ColumnSet {
  const n = options.devices;
  const cols = ColumnSet.allocate(n, DEVICE_COLUMNS.map((c) => ({ ...c })));
  if (world.places.length === 0) throw new Error(`world ${world.file} has no population features to place devices in`);
  const x = cols.f64('x'), y = cols.f64('y'), hx = cols.f64('home_x'), hy = cols.f64('home_y');
  const place = cols.i32('place');
  const placeTable = new AliasTable(world.places.map((p) => p.population));
  // Per polygon place: alias over its parts by area.
  const partTables = world.places.map((p) => (p.kind === 'polygon' && p.polygons!.length > 1 ? new AliasTable(p.polygons!.map((q) => q.area)) : null));
  const rng = FastRandom.of(options.seed, 'placement');
  for (let i = 0; i < n; i++) {
    const pi = placeTable.draw(rng);
    const p = world.places[pi]!;
    let px = 0, py = 0;
    if (p.kind === 'polygon') {
      const part = p.polygons![partTables[pi] ? partTables[pi]!.draw(rng) : 0]!;
      const [x0, y0, x1, y1] = part.bbox;
      for (let tries = 0; ; tries++) {
        px = x0 + (x1 - x0) * rng.uniform();
        py = y0 + (y1 - y0) * rng.uniform();
        if (inPolygon(part, px, py)) break;
        if (tries > 10_000) throw new Error(`could not place a device inside population polygon ${p.name ?? pi} of ${world.file}`);
      }
    } else {
      let ok = false;
      for (let tries = 0; tries < 100 && !ok; tries++) {
        px = p.x! + p.spread! * rng.normal();
        py = p.y! + p.spread! * rng.normal();
        ok = insideWorld(world, px, py);
      }
      if (!ok) { px = p.x!; py = p.y!; }
    }
    x[i] = hx[i] = px;
    y[i] = hy[i] = py;
    place[i] = pi;
  }
  const phoneRng = FastRandom.of(options.seed, 'phone-profile');
  assign(phoneRng, options.phoneShares, cols.u8('phone'));
  const behaviourRng = FastRandom.of(options.seed, 'behaviour-profile');
  assign(behaviourRng, options.behaviourShares, cols.u8('behaviour'));
  return cols;
}
