import { describe, expect, it } from 'vitest';
import { ActivePhones, GridCells } from '../../src/server/cells.js';
import { latestPerPhone } from '../../src/server/warmup.js';

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

/**
 * A run's warm-up heartbeats taken in bulk (batches of phones, in any order) leave the counts the
 * rule gives and the cells listed in the order heartbeats heard one by one in arrival order list
 * them; later heartbeats and expiry then go on identically. The warm-up (10 min) is longer than the
 * staleness (3 min), phones send several heartbeats each, some out of order on the way (latency).
 */
describe('ActivePhones warm-up in bulk', () => {
  it('gives the state of the heartbeats heard one by one in arrival order', () => {
    let s = 11;
    const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const cells = new GridCells(1), staleness = 180, devices = 3000, every = 120, warmup = 600;
    const rows: { d: number; t: number; a: number; x: number; y: number; m: number }[] = [];
    for (let d = 0; d < devices; d++) {
      const phase = rand() * every, x0 = rand() * 8000, y0 = rand() * 8000, on = rand() < 0.7 ? 1 : 0;
      // A tenth of the phones fall silent after their first heartbeat (switched off): stale by the start.
      const until = rand() < 0.1 ? phase - warmup + 1 : 0;
      for (let t = phase - warmup; t < until; t += every) {
        // Latency up to 20 s: a phone's heartbeats keep their order (every 2 min) but interleave with other phones'.
        const a = t + rand() * 20;
        if (a >= 0) continue; // heard after the start: not warm-up
        const moved = rand() < 0.1; // a few phones move to another cell, or stop monitoring
        rows.push({ d, t, a, x: moved ? rand() * 8000 : x0, y: moved ? rand() * 8000 : y0, m: moved && rand() < 0.5 ? 1 - on : on });
      }
    }
    // One by one, as the server hears them (arrival, then sending time, then phone).
    const one = new ActivePhones(cells, devices, staleness);
    for (const r of [...rows].sort((p, q) => p.a - q.a || p.t - q.t || p.d - q.d)) { one.expire(r.a); one.heartbeat(r.d, r.x, r.y, r.m, r.a); }
    // In bulk: three batches of phones (each phone's rows together, in sending order), given last first.
    const bulk = new ActivePhones(cells, devices, staleness);
    const batch = (from: number, to: number) => {
      const mine = rows.filter((r) => r.d >= from && r.d < to);
      return {
        count: mine.length, device: Int32Array.from(mine, (r) => r.d), time: Float64Array.from(mine, (r) => r.t), arrival: Float64Array.from(mine, (r) => r.a),
        x: Float64Array.from(mine, (r) => r.x), y: Float64Array.from(mine, (r) => r.y), monitoring: Uint8Array.from(mine, (r) => r.m),
      };
    };
    for (const b of [batch(2000, 3000), batch(0, 1000), batch(1000, 2000)]) bulk.warmup(b, latestPerPhone(b));
    bulk.warmupDone();
    // The rule, read directly at the last arrival: each phone's latest heartbeat, if it monitors and is fresh.
    const lastArrival = Math.max(...rows.map((r) => r.a)), latest = new Map<number, (typeof rows)[0]>();
    for (const r of [...rows].sort((p, q) => p.a - q.a || p.t - q.t)) latest.set(r.d, r);
    const want = new Map<number, number>();
    for (const r of latest.values()) if (r.m && r.a + staleness >= lastArrival) want.set(cells.key(r.x, r.y), (want.get(cells.key(r.x, r.y)) ?? 0) + 1);
    const counted = [...bulk.entries()].filter(([, n]) => n > 0);
    expect(counted.length).toBeGreaterThan(50);
    expect(new Map(counted)).toEqual(want);
    // The same cells, in the same order (zeros included), as one by one.
    expect([...bulk.entries()]).toEqual([...one.entries()]);
    // Then the run: the same heartbeats and expiry on both give the same counts throughout.
    let now = 0;
    for (let step = 0; step < 5000; step++) {
      now += rand() * 0.2;
      const d = Math.floor(rand() * devices), x = rand() * 8000, y = rand() * 8000, m = rand() < 0.8 ? 1 : 0;
      for (const a of [one, bulk]) { a.expire(now); a.heartbeat(d, x, y, m, now); }
      if (step % 250 === 0) expect([...bulk.entries()]).toEqual([...one.entries()]);
    }
    expect(now).toBeGreaterThan(staleness * 2); // every warm-up heartbeat went stale on the way
  });
});
