import { describe, expect, it } from 'vitest';
import { ActivePhones, GridCells } from '../../src/server/cells.js';

/**
 * The server's count of active phones per cell against a direct reading of its rule: a phone counts
 * in the cell of its last heartbeat while that heartbeat said it monitors and is at most `staleness`
 * old. Heartbeats come in time order (as the server hears them) or, in the second case, with some
 * told late.
 */
describe('ActivePhones', () => {
  for (const late of [false, true]) {
    it(`counts each cell's phones as the rule says (${late ? 'some heartbeats told out of order' : 'heartbeats in order'})`, () => {
      let s = late ? 7 : 3;
      const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
      const cells = new GridCells(1), staleness = 30, devices = 200;
      const active = new ActivePhones(cells, devices, staleness);
      const last: ({ t: number; x: number; monitoring: number } | undefined)[] = new Array(devices).fill(undefined);
      let now = 0;
      for (let step = 0; step < 20_000; step++) {
        now += rand() * 0.05;
        const d = Math.floor(rand() * devices), x = Math.floor(rand() * 4) * 1000 + 500, monitoring = rand() < 0.8 ? 1 : 0;
        const t = late && rand() < 0.05 ? now - rand() * 20 : now;
        active.heartbeat(d, x, 500, monitoring, t);
        last[d] = { t, x, monitoring };
        if (step % 97 === 0) {
          active.expire(now);
          for (let c = 0; c < 4; c++) {
            const key = cells.key(c * 1000 + 500, 500);
            const want = last.filter((h) => h && h.monitoring && h.x === c * 1000 + 500 && h.t + staleness >= now).length;
            expect(active.count(key), `cell ${c} at ${now.toFixed(2)} s`).toBe(want);
          }
        }
      }
    });
  }
});
