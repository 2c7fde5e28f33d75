/**
 * The server's phone directory finds every phone whose last reported position lies in a box
 * through the cells of its grid and its loose phones, checked against a scan of every phone while
 * phones drift (GNSS noise), travel far, are heard for the first time and the grid is rebuilt.
 */
import { describe, expect, it } from 'vitest';
import { FastRandom } from '../../src/core/random.js';
import { PhoneDirectory } from '../../src/server/directory.js';

/** Phones the directory offers for a box: members of the overlapping cells and the loose phones. */
function offered(dir: PhoneDirectory, x0: number, x1: number, y0: number, y1: number): Set<number> {
  const g = dir.index(), out = new Set<number>();
  const { cx0, cx1, cy0, cy1 } = dir.cellRange(g, x0, x1, y0, y1);
  for (let cy = cy0; cy <= cy1; cy++) for (let cx = cx0; cx <= cx1; cx++) { const c = cy * g.w + cx; for (let k = g.start[c]!; k < g.start[c + 1]!; k++) out.add(g.members[k]!); }
  for (const d of dir.loosePhones()) out.add(d);
  return out;
}

describe('phone directory', () => {
  it('offers every phone in a box (a scan of all phones is the reference), visiting far fewer than all', () => {
    const n = 20_000, r = FastRandom.of(7, 'directory-test', 0), dir = new PhoneDirectory(n);
    // Three quarters heard at the start, clustered in towns over 400 km.
    const towns = Array.from({ length: 12 }, () => [r.uniform() * 400_000, r.uniform() * 400_000] as const);
    for (let d = 0; d < n; d++) if (d % 4) { const [tx, ty] = towns[d % 12]!; dir.set(d, tx + 20_000 * r.normal(), ty + 20_000 * r.normal()); }
    let visitedShare = 0, boxes = 0;
    for (let round = 0; round < 40; round++) {
      // Everyone drifts a little; some travel; some are heard for the first time.
      for (let d = 0; d < n; d++) {
        const x = dir.xy[4 * d]!, y = dir.xy[4 * d + 1]!;
        if (Number.isNaN(x)) { if (r.uniform() < 0.02) dir.set(d, r.uniform() * 400_000, r.uniform() * 400_000); continue; }
        if (r.uniform() < 0.01) dir.set(d, x + 50_000 * r.normal(), y + 50_000 * r.normal());
        else if (r.uniform() < 0.3) dir.set(d, x + 200 * r.normal(), y + 200 * r.normal());
      }
      for (let b = 0; b < 5; b++) {
        const cx = r.uniform() * 400_000, cy = r.uniform() * 400_000, half = 5_000 + r.uniform() * 60_000;
        const x0 = cx - half, x1 = cx + half, y0 = cy - half, y1 = cy + half;
        const got = offered(dir, x0, x1, y0, y1);
        for (let d = 0; d < n; d++) {
          const x = dir.xy[4 * d]!, y = dir.xy[4 * d + 1]!;
          if (x >= x0 && x <= x1 && y >= y0 && y <= y1 && !got.has(d)) expect.fail(`phone ${d} in the box of round ${round} not offered`);
        }
        visitedShare += got.size / n; boxes++;
      }
    }
    expect(visitedShare / boxes).toBeLessThan(0.25);
    // Many phones travelled or were first heard over the rounds: the grid was rebuilt on the way.
    expect(dir.version).toBeGreaterThan(1);
  });

  it('offers a phone that drifted (within the slack) out of its cell into a box its cell does not touch', () => {
    const dir = new PhoneDirectory(10_000);
    for (let d = 0; d < 10_000; d++) dir.set(d, (d % 100) * 1000, Math.floor(d / 100) * 1000);
    const g = dir.index();
    // Every phone 900 m east, less than the 1 km slack: none is loose, all keep their cells.
    for (let d = 0; d < 10_000; d++) dir.set(d, dir.xy[4 * d]! + 900, dir.xy[4 * d + 1]!);
    expect(dir.loosePhones().length).toBe(0);
    // A box starting just east of a cell's east edge: the phones of that cell drifted into it.
    const edge = g.x0 + 3 * g.size, got = offered(dir, edge + 1, edge + 2 * g.size, -1e9, 1e9);
    let inBox = 0;
    for (let d = 0; d < 10_000; d++) if (dir.xy[4 * d]! >= edge + 1 && dir.xy[4 * d]! <= edge + 2 * g.size) { inBox++; expect(got.has(d), `phone ${d}`).toBe(true); }
    expect(inBox).toBeGreaterThan(0);
  });

  it('never offers a phone it has not heard from', () => {
    const dir = new PhoneDirectory(10);
    dir.set(3, 100, 100);
    expect([...offered(dir, -1e9, 1e9, -1e9, 1e9)]).toEqual([3]);
  });
});
