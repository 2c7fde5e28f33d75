import { describe, expect, it } from 'vitest';
import { MessageBuilder, TriggerLog, arrivalMerge, arrivalOrder, chunkOf, compareMessages, mergeSorted, messageAt, messageInto, messageOrder, packMessages } from '../../src/engine/message-block.js';
import type { TriggerMessage } from '../../src/plugin/index.js';
import { FastRandom } from '../../src/core/random.js';

const KINDS = ['trigger', 'update', 'heartbeat'] as const;

/** Messages with coarse times and few devices, so that ties in time and device are common. */
function messages(n: number, seed: number): TriggerMessage[] {
  const r = FastRandom.of(seed, 'message-block-test');
  return Array.from({ length: n }, (_, i) => {
    const m: TriggerMessage = {
      device: Math.floor(r.uniform() * 5), kind: KINDS[Math.floor(r.uniform() * 3)]!, time: Math.floor(r.uniform() * 8) / 2,
      deviceTime: r.uniform(), onsetDeviceTime: r.uniform(), amplitude: r.uniform(), ratio: i, x: r.uniform() * 1e5, y: -r.uniform() * 1e5, monitoring: i % 2,
    };
    if (i % 7 === 0) m.score = 0.25;
    if (i % 11 === 0) m.channel = i % 22 === 0 ? 'crash' : 'my-plugin-channel';
    if (i % 13 === 0) { m.speed = 12.5; m.speedAfter = 0; }
    if (i % 17 === 0) m.step = -80;
    return m;
  });
}

describe('messages as columns', () => {
  it('give back every field of every message, optional ones only where they were set', () => {
    const list = messages(300, 1);
    const b = packMessages(list);
    expect(b.count).toBe(300);
    for (let i = 0; i < list.length; i++) expect(messageAt(b, i)).toEqual(list[i]);
    // One object refilled for every message (servers that keep none): the same fields, those not set undefined.
    const one = {} as TriggerMessage;
    for (let i = 0; i < list.length; i++) {
      messageInto(b, i, one);
      expect(Object.fromEntries(Object.entries(one).filter(([, v]) => v !== undefined))).toEqual(list[i]);
    }
  });

  it('merge chunks each sorted on their own into the order one stable sort of all of them gives', () => {
    const chunks = [messages(500, 2), messages(0, 3), messages(333, 4), messages(1, 5)];
    const merged = mergeSorted(chunks.map((c) => packMessages([...c].sort(compareMessages))));
    // The reference: Array.prototype.sort (stable) of the chunks concatenated in order.
    const reference = chunks.flat().sort(compareMessages);
    expect(merged.count).toBe(reference.length);
    expect(Array.from({ length: merged.count }, (_, i) => messageAt(merged, i))).toEqual(reference);
  });

  it('build a chunk\'s block from message objects and heartbeats written as columns, in the order a stable sort of the objects gives', () => {
    const list = messages(2500, 7), builder = new MessageBuilder(), objects: TriggerMessage[] = [];
    for (const m of list) {
      if (m.kind === 'heartbeat') {
        builder.heartbeat(m.device, m.time, m.deviceTime, m.x, m.y, m.monitoring);
        objects.push({ device: m.device, kind: 'heartbeat', time: m.time, deviceTime: m.deviceTime, onsetDeviceTime: m.deviceTime, amplitude: 0, ratio: 0, x: m.x, y: m.y, monitoring: m.monitoring });
      } else { builder.push(m); objects.push(m); }
    }
    const b = builder.finish();
    expect(Array.from({ length: b.count }, (_, i) => messageAt(b, i))).toEqual(objects.sort(compareMessages));
    expect(builder.finish().count).toBe(0); // it starts over
    // A later builder of the thread reuses the storage: nothing of the earlier messages shows through
    // (optional fields and plug-in channels included).
    const next = new MessageBuilder(), few = messages(40, 9).filter((m) => m.kind !== 'heartbeat' && m.score === undefined && m.channel === undefined);
    for (const m of few) next.push(m);
    const c = next.finish();
    expect(Array.from({ length: c.count }, (_, i) => messageAt(c, i))).toEqual([...few].sort(compareMessages));
    expect(c.score).toBeNull();
    expect(c.otherChannel).toBeUndefined();
  });

  it('log triggers across segments, with arrivals, and read back as columns and as objects', () => {
    const list = messages(3000, 6), b = packMessages(list), log = new TriggerLog();
    const rows = 300_000; // past the first segment of 262,144 rows
    for (let k = 0; k < rows; k++) log.push(b, k % 3000, k % 5 === 0 ? NaN : k + 0.5);
    expect(log.length).toBe(rows);
    const c = log.columns();
    expect(c.count).toBe(rows);
    for (const k of [0, 10, 11, 262_143, 262_144, 262_155, 299_999]) {
      expect(c.device[k]).toBe(list[k % 3000]!.device);
      expect(c.ratio[k]).toBe(list[k % 3000]!.ratio);
      expect(Number.isNaN(c.arrival[k]!) ? NaN : c.arrival[k]).toEqual(k % 5 === 0 ? NaN : k + 0.5);
      expect(log.at(k).message).toEqual(list[k % 3000]);
    }
    expect(log.toArray().slice(0, 3000).map((e) => e.message)).toEqual(list);
    expect(log.channelAt(0)).toBe('crash');
    expect(log.channelAt(11)).toBe('my-plugin-channel');
    expect(log.channelAt(262_144 + 2 * 3000 - 262_144 % 3000 + 11)).toBe('my-plugin-channel'); // a plug-in channel in the second segment
    expect(c.otherChannel![262_144 + 2 * 3000 - 262_144 % 3000 + 11]).toBe('my-plugin-channel');
    expect(log.channelAt(1)).toBeUndefined();
  });
});

describe('the log taken an epoch at a time', () => {
  it('pushSent gives the log push() gives one by one: plain blocks column by column across a segment, others row by row', () => {
    // Three blocks of plain triggers (no optional field, built-in channels) with arrivals, numbered
    // one after another, and a sending order that interleaves them (as an epoch's merge does).
    const plain = messages(6000, 3).filter((m) => m.kind !== 'heartbeat' && m.score === undefined && m.speed === undefined && m.speedAfter === undefined && m.step === undefined && (m.channel === undefined || m.channel === 'shaking'));
    const blocks = [0, 1, 2].map((c) => packMessages(plain.filter((_, i) => i % 3 === c)));
    blocks.forEach((b, c) => { b.arrival = Float64Array.from({ length: b.count }, (_, i) => (i % 7 === 0 ? NaN : 1000 * c + i + 0.25)); });
    const offsets = Int32Array.of(0, blocks[0]!.count, blocks[0]!.count + blocks[1]!.count, blocks[0]!.count + blocks[1]!.count + blocks[2]!.count);
    const total = offsets[3]!;
    let x = 12345;
    const sent = Int32Array.from({ length: 100_000 }, () => ((x = (x * 1103515245 + 12345) >>> 0) % total));
    const one = new TriggerLog(), bulk = new TriggerLog();
    // Start both mid-segment, so that an epoch's rows cross into the next one.
    for (let k = 0; k < 200_000; k++) { one.push(blocks[0]!, k % blocks[0]!.count, k); bulk.push(blocks[0]!, k % blocks[0]!.count, k); }
    for (let k = 0; k < sent.length; k++) { const g = sent[k]!, c = chunkOf(offsets, g), i = g - offsets[c]!; one.push(blocks[c]!, i, blocks[c]!.arrival![i]!); }
    bulk.pushSent(blocks, offsets, sent);
    expect(bulk.length).toBe(300_000);
    const a = one.columns(), b = bulk.columns();
    for (const k of ['device', 'kind', 'monitoring', 'channel', 'time', 'deviceTime', 'onsetDeviceTime', 'amplitude', 'ratio', 'x', 'y', 'arrival'] as const) {
      expect(Buffer.from(b[k].buffer).equals(Buffer.from(a[k].buffer)), k).toBe(true);
    }
    // A hand check of one row past the segment's end: the message it names, and its arrival.
    const k = 262_144 + 17 - 200_000, g = sent[k]!, c = chunkOf(offsets, g), i = g - offsets[c]!;
    expect(bulk.at(262_144 + 17)).toEqual({ message: messageAt(blocks[c]!, i), arrival: blocks[c]!.arrival![i]! });
    // Blocks with optional fields or plug-in channels go row by row, as push() takes them.
    const rich = packMessages(messages(3000, 6));
    rich.arrival = Float64Array.from({ length: rich.count }, (_, i) => i + 0.5);
    const r1 = new TriggerLog(), r2 = new TriggerLog(), order = Int32Array.from({ length: 3000 }, (_, i) => (i * 7) % 3000);
    for (const i of order) r1.push(rich, i, rich.arrival[i]!);
    r2.pushSent([rich], Int32Array.of(0, rich.count), order);
    expect(r2.toArray()).toEqual(r1.toArray());
  });
});

describe('warm-up heartbeats kept apart', () => {
  it('go to their own block in the order sent, past the room expected, while the rest are ordered as before', () => {
    const mb = new MessageBuilder();
    mb.warmupApart = true;
    mb.expectWarmup(3);
    const rows: [number, number][] = [];
    for (let d = 0; d < 40; d++) for (const t of [-250 + d, -130 + d, -10 + d / 8]) { mb.heartbeat(d, t, t + 0.5, d * 10, -d, d % 2); rows.push([d, t]); }
    mb.heartbeat(7, 0.25, 0.75, 1, 2, 1);
    mb.push({ device: 3, kind: 'trigger', time: 0.5, deviceTime: 0.5, onsetDeviceTime: 0.5, amplitude: 1, ratio: 2, x: 0, y: 0, monitoring: 1 });
    const w = mb.takeWarmup()!;
    expect(w.count).toBe(120);
    expect(Array.from(w.device.subarray(0, w.count))).toEqual(rows.map((r) => r[0]));
    expect(Array.from(w.time.subarray(0, w.count))).toEqual(rows.map((r) => r[1]));
    expect(Array.from(w.deviceTime.subarray(0, w.count))).toEqual(rows.map((r) => r[1] + 0.5));
    expect(Array.from(w.monitoring.subarray(0, w.count))).toEqual(rows.map((r) => r[0] % 2));
    const b = mb.finish();
    expect(Array.from(b.time)).toEqual([0.25, 0.5]);
    expect(mb.takeWarmup()).toBeUndefined();
  });
});

describe('arrivalMerge', () => {
  it('gives the network queue the order a stable sort by arrival of the sending-order merge gives, and the log its triggers in sending order', async () => {
    // Chunks each sorted by sending order, with arrivals on a coarse grid (ties across chunks are common) and some lost.
    const r = FastRandom.of(3, 'arrival-merge-test');
    const chunks = [messages(5000, 11), messages(0, 12), messages(4500, 13), messages(1, 14), messages(300, 15)].map((c) => packMessages([...c].sort(compareMessages)));
    for (const b of chunks) {
      b.arrival = new Float64Array(b.count);
      for (let i = 0; i < b.count; i++) b.arrival[i] = r.uniform() < 0.1 ? NaN : b.time[i]! + Math.floor(r.uniform() * 6) / 4;
      b.byArrival = arrivalOrder(b);
    }
    const got = await arrivalMerge(chunks, async () => undefined);
    // The reference: the sending-order merge (itself tested against one stable sort above), then Array.prototype.sort
    // (stable) of its delivered rows by arrival.
    const ref = mergeSorted(chunks);
    const want = Array.from({ length: ref.count }, (_, i) => i).filter((i) => !Number.isNaN(ref.arrival![i]!)).sort((p, q) => ref.arrival![p]! - ref.arrival![q]!);
    // Message number g is row g − offsets[c] of block c = chunkOf(offsets, g).
    const at = (g: number) => { const c = chunkOf(got.offsets, g); return { m: messageAt(got.blocks[c]!, g - got.offsets[c]!), arrival: got.blocks[c]!.arrival![g - got.offsets[c]!] }; };
    expect(got.rows.length).toBe(want.length);
    expect(Array.from(got.rows, (g) => at(g).m)).toEqual(want.map((i) => messageAt(ref, i)));
    expect(Array.from(got.arrival)).toEqual(want.map((i) => ref.arrival![i]!));
    const sentWant = Array.from({ length: ref.count }, (_, i) => i).filter((i) => ref.kind[i] !== 2);
    expect(Array.from(got.sent, (g) => at(g).m)).toEqual(sentWant.map((i) => messageAt(ref, i)));
    expect(Array.from(got.sent, (g) => at(g).arrival)).toEqual(sentWant.map((i) => ref.arrival![i]));
    expect(got.offsets[got.offsets.length - 1]).toBe(ref.count);
    // chunkOf against a scan, empty blocks included (two blocks share a first number then).
    for (let g = 0; g < ref.count; g += 7) { let c = 0; while (got.offsets[c + 1]! <= g) c++; expect(chunkOf(got.offsets, g)).toBe(c); }
  });
});

describe('messageOrder', () => {
  it('orders a long block by (time, device, kind, row) exactly as the comparison sort does, ties, negative times and -0 included', () => {
    for (const seed of [1, 2, 3]) {
      let s = seed;
      const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
      const n = 20_000;
      // Few distinct times and devices so that ties are common; warm-up times are negative.
      const times = [-300.25, -0.5, -0, 0, 0.125, 1, 1 + 1e-12, 59.99, 60, 1e6];
      const b = { time: new Float64Array(n), device: new Int32Array(n), kind: new Uint8Array(n) };
      for (let i = 0; i < n; i++) {
        b.time[i] = rand() < 0.5 ? times[Math.floor(rand() * times.length)]! : (rand() - 0.3) * 400;
        b.device[i] = 5000 + Math.floor(rand() * 300);
        b.kind[i] = Math.floor(rand() * 3);
      }
      const want = Array.from({ length: n }, (_, i) => i).sort((p, q) => b.time[p]! - b.time[q]! || b.device[p]! - b.device[q]! || b.kind[p]! - b.kind[q]! || p - q);
      expect(Array.from(messageOrder(b, n))).toEqual(want);
    }
  });

  it('orders rows a chunk wrote phone after phone (one pass by time) as the comparison sort does, and falls back when they are not', () => {
    let s = 7;
    const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const n = 12_000, times = [-300.25, -0.5, -0, 0, 0.125, 60];
    const rows: [number, number, number][] = [];
    for (let i = 0; i < n; i++) rows.push([100 + Math.floor(rand() * 2000), rand() < 0.5 ? times[Math.floor(rand() * times.length)]! : (rand() - 0.3) * 400, Math.floor(rand() * 3)]);
    // Phone after phone, each phone's messages by (time, kind): as a chunk's builder writes them.
    rows.sort((p, q) => p[0] - q[0] || p[1] - q[1] || p[2] - q[2]);
    for (const broken of [false, true]) {
      if (broken) rows.push([50, 0.125, 0]); // a phone out of turn at the end, at a time others share: the check must see it
      const m = rows.length, b = { time: Float64Array.from(rows, (r) => r[1]), device: Int32Array.from(rows, (r) => r[0]), kind: Uint8Array.from(rows, (r) => r[2]) };
      const want = Array.from({ length: m }, (_, i) => i).sort((p, q) => b.time[p]! - b.time[q]! || b.device[p]! - b.device[q]! || b.kind[p]! - b.kind[q]! || p - q);
      expect(Array.from(messageOrder(b, m))).toEqual(want);
    }
  });
});
