import { describe, expect, it } from 'vitest';
import { EventQueue, RefQueue, SimClock } from '../../src/core/clock.js';
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
