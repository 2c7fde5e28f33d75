import { describe, expect, it } from 'vitest';
import { EventQueue, RefQueue, SimClock, SortedRuns, stableByTime } from '../../src/core/clock.js';
import { FastRandom } from '../../src/core/random.js';
import { parseDuration } from '../../src/core/duration.js';

describe('SimClock', () => {
  it('cuts the run into whole ticks with exact boundaries', () => {
    const c = new SimClock({ duration: 10, tick: 0.1 });
    expect(c.ticks).toBe(100);
    expect(c.timeOf(37)).toBe(3.7);
    const steps = [...c.steps(30)];
    expect(steps.map((s) => [s.start, s.end])).toEqual([[0, 3], [3, 6], [6, 9], [9, 10]]);
  });
});

describe('EventQueue', () => {
  it('pops events by time, ties in insertion order', () => {
    const q = new EventQueue<string>();
    q.push(2, 'c'); q.push(1, 'a'); q.push(2, 'd'); q.push(1, 'b'); q.push(0.5, 'z');
    expect([...q.drain(1.5)].map((e) => e.payload)).toEqual(['z', 'a', 'b']);
    expect(q.peekTime()).toBe(2);
    expect([...q.drain(Infinity)].map((e) => e.payload)).toEqual(['c', 'd']);
    expect(q.size).toBe(0);
  });
});

describe('RefQueue', () => {
  it('pops in the same order as EventQueue (by time, ties in insertion order) through growth and interleaved pops', () => {
    const r = FastRandom.of(3, 'ref-queue-test');
    const a = new EventQueue<number>(), b = new RefQueue();
    const got: number[] = [], want: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const t = Math.floor(r.uniform() * 500) / 4; // many equal times
      a.push(t, i); b.push(t, i);
      if (r.uniform() < 0.4) { expect(b.peekTime()).toBe(a.peekTime()); want.push(a.pop()!.payload); got.push(b.pop()); }
    }
    while (a.size) { want.push(a.pop()!.payload); got.push(b.pop()); }
    expect(b.size).toBe(0);
    expect(b.peekTime()).toBe(Infinity);
    expect(got).toEqual(want);
  });
});

describe('durations', () => {
  it.each([['90s', 90], ['10m', 600], ['2h', 7200], ['250ms', 0.25], ['1.5min', 90], ['1d', 86400], [42, 42], ['7', 7]])('%s is %s s', (text, s) => {
    expect(parseDuration(text as string)).toBeCloseTo(s as number, 12);
  });
  it('rejects what is not a duration', () => {
    expect(parseDuration('ten minutes')).toBeUndefined();
    expect(parseDuration('5 parsecs')).toBeUndefined();
  });
});

describe('SortedRuns', () => {
  it('pops in the same order as RefQueue (time, then insertion) when events come a run at a time, long runs and ties included', () => {
    let s = 11;
    const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const runs = new SortedRuns(), heap = new RefQueue();
    const got: number[] = [], want: number[] = [];
    let ref = 0;
    for (let epoch = 0; epoch < 6; epoch++) {
      const n = epoch % 2 ? 9000 : 300; // long runs take the radix path, short ones the comparison sort
      const t = new Float64Array(n), r = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        // Coarse times (many ties, also across runs), some -0 and negative ones.
        t[i] = rand() < 0.1 ? (rand() < 0.5 ? -0 : -rand() * 5) : epoch * 10 + Math.floor(rand() * 40) / 4;
        r[i] = ref++;
        heap.push(t[i]!, r[i]!);
      }
      runs.push(t, r, n);
      // Drain part of the way, as the server does at each epoch's end.
      const until = epoch * 10 + 5;
      while (heap.peekTime() <= until) { expect(runs.peekTime()).toBe(heap.peekTime()); want.push(heap.pop()); got.push(runs.pop()); }
    }
    while (heap.size) { want.push(heap.pop()); got.push(runs.pop()); }
    expect(runs.size).toBe(0);
    expect(got).toEqual(want);
  });

  it('pops runs that overlap in time (late messages keep older runs open) in RefQueue\'s order, equal times across runs included', () => {
    let s = 5;
    const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const runs = new SortedRuns(), heap = new RefQueue();
    const got: number[] = [], want: number[] = [];
    let ref = 0, ties = 0;
    for (let epoch = 0; epoch < 12; epoch++) {
      const n = 200 + Math.floor(rand() * 400), t = new Float64Array(n), r = new Float64Array(n);
      // Each run spans 30 s on a quarter-second grid from its epoch's start: a dozen runs overlap, ties are everywhere.
      for (let i = 0; i < n; i++) { t[i] = epoch * 2.5 + Math.floor(rand() * 120) / 4; r[i] = ref++; heap.push(t[i]!, r[i]!); }
      if (epoch % 2) runs.push(t, r, n);
      else {
        const order = Array.from({ length: n }, (_, i) => i).sort((p, q) => t[p]! - t[q]! || p - q);
        runs.pushSorted(Float64Array.from(order, (i) => t[i]!), Float64Array.from(order, (i) => r[i]!), n);
      }
      const until = epoch * 2.5 + 1.25;
      let last = NaN;
      while (heap.peekTime() <= until) { const tt = heap.peekTime(); if (tt === last) ties++; last = tt; want.push(heap.pop()); got.push(runs.pop()); }
    }
    while (heap.size) { want.push(heap.pop()); got.push(runs.pop()); }
    expect(ties).toBeGreaterThan(100);
    expect(got).toEqual(want);
  });
});

describe('stableByTime', () => {
  it('orders rows by time as a stable comparison sort does (negative times, -0 and 0 together, ties, a subset of rows in any order), in 11-bit passes below 32,768 rows and 16-bit ones above, skipping passes where every row has the same digit', () => {
    const rnd = lcg(7);
    const cases: [string, () => number][] = [
      ['spread over an epoch', () => -300 + 310 * rnd()],
      ['many ties', () => Math.round(rnd() * 20) / 4 - 2],
      ['signs and zeros', () => (rnd() < 0.1 ? -0 : rnd() < 0.3 ? 0 : (rnd() - 0.5) * 1e6)],
      ['one time for all (every pass skipped)', () => 5],
    ];
    for (const [name, draw] of cases) {
      for (const n of [2048, 70_000]) {
        const time = Float64Array.from({ length: n + 500 }, draw);
        // Rows in some order of their own (a subset of the times, shuffled): ties must keep it.
        const rows = Int32Array.from({ length: n }, (_, i) => i + 500);
        for (let i = n - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [rows[i], rows[j]] = [rows[j]!, rows[i]!]; }
        const want = Array.from(rows).sort((p, q) => time[p]! - time[q]!); // Array#sort is stable
        expect(Array.from(stableByTime(time, rows.slice())), `${name}, ${n} rows`).toEqual(want);
      }
    }
  });
});

/** A small deterministic uniform generator for test data. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 4294967296; };
}
