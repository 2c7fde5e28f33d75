import { describe, expect, it } from 'vitest';
import { EventQueue, SimClock } from '../../src/core/clock.js';
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

describe('durations', () => {
  it.each([['90s', 90], ['10m', 600], ['2h', 7200], ['250ms', 0.25], ['1.5min', 90], ['1d', 86400], [42, 42], ['7', 7]])('%s is %s s', (text, s) => {
    expect(parseDuration(text as string)).toBeCloseTo(s as number, 12);
  });
  it('rejects what is not a duration', () => {
    expect(parseDuration('ten minutes')).toBeUndefined();
    expect(parseDuration('5 parsecs')).toBeUndefined();
  });
});
