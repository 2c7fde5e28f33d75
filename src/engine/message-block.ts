/**
 * Messages as columns: what a chunk of phones sent in an epoch, packed into typed arrays so that
 * millions of heartbeats and triggers cross from the workers to the main thread, wait in the
 * network queue and are logged without one object each. A message becomes an object only for the
 * moment a server reads it (`MessageBlock.message`).
 */
import type { TriggerMessage } from '../plugin/index.js';
import { stableByTime } from '../core/clock.js';

const KINDS = ['trigger', 'update', 'heartbeat'] as const;
const KIND_CODE: Record<TriggerMessage['kind'], number> = { trigger: 0, update: 1, heartbeat: 2 };
/** Channels a message may name (index + 1 is stored; 0: none given). */
const CHANNELS = ['shaking', 'bump', 'crash', 'pressure'] as const;

/**
 * Packed messages. Optional numeric fields (score, speeds, pressure step) are null until some
 * message of the block sets one (heartbeats and trigger fidelity never do: 32 bytes a message
 * saved), then hold NaN where a message did not set them.
 */
export interface MessageBlock {
  count: number;
  device: Int32Array;
  /** 0 trigger, 1 update, 2 heartbeat (also the order of kinds at equal times). */
  kind: Uint8Array;
  monitoring: Uint8Array;
  channel: Uint8Array;
  time: Float64Array;
  deviceTime: Float64Array;
  onsetDeviceTime: Float64Array;
  amplitude: Float64Array;
  ratio: Float64Array;
  x: Float64Array;
  y: Float64Array;
  score: Float64Array | null;
  speed: Float64Array | null;
  speedAfter: Float64Array | null;
  step: Float64Array | null;
  /** Channels not in the built-in list, by message index (rare: plug-in detectors). */
  otherChannel?: Record<number, string>;
  /** When each message reaches the server (NaN: lost), when the worker that simulated its phone already delivered it on the uplink. */
  arrival?: Float64Array;
  /** With `arrival`: the rows that arrived, by arrival (ties in row order), as that worker sorted them (see arrivalOrder). */
  byArrival?: Int32Array;
}

const REQUIRED = ['time', 'deviceTime', 'onsetDeviceTime', 'amplitude', 'ratio', 'x', 'y'] as const;
const OPTIONAL = ['score', 'speed', 'speedAfter', 'step'] as const;
type Optional = (typeof OPTIONAL)[number];
const FIXED = ['device', 'kind', 'monitoring', 'channel', ...REQUIRED] as const;

function allocate(count: number, shared = false): MessageBlock {
  const buf = (bytes: number) => (shared ? new SharedArrayBuffer(bytes * count) : new ArrayBuffer(bytes * count));
  const b = { count, device: new Int32Array(buf(4)), kind: new Uint8Array(buf(1)), monitoring: new Uint8Array(buf(1)), channel: new Uint8Array(buf(1)) } as MessageBlock;
  for (const k of REQUIRED) (b as unknown as Record<string, Float64Array>)[k] = new Float64Array(buf(8));
  for (const k of OPTIONAL) b[k] = null;
  return b;
}

const kindOrder = (m: TriggerMessage) => KIND_CODE[m.kind];

/** The order the network sees messages in: by time, then device, then kind (trigger, update, heartbeat). */
export function compareMessages(a: TriggerMessage, b: TriggerMessage): number {
  return a.time - b.time || a.device - b.device || kindOrder(a) - kindOrder(b);
}

/** Writes message m into row i of block b. */
function writeMessage(b: MessageBlock, i: number, m: TriggerMessage): void {
  b.device[i] = m.device; b.kind[i] = KIND_CODE[m.kind]; b.monitoring[i] = m.monitoring;
  b.time[i] = m.time; b.deviceTime[i] = m.deviceTime; b.onsetDeviceTime[i] = m.onsetDeviceTime;
  b.amplitude[i] = m.amplitude; b.ratio[i] = m.ratio; b.x[i] = m.x; b.y[i] = m.y;
  for (const k of OPTIONAL) setOptional(b, k, i, m[k] ?? NaN);
  b.channel[i] = 0;
  if (m.channel !== undefined) {
    const c = CHANNELS.indexOf(m.channel as (typeof CHANNELS)[number]);
    if (c >= 0) b.channel[i] = c + 1;
    else { b.channel[i] = 255; (b.otherChannel ??= {})[i] = m.channel; }
  }
}

/** Sets optional field k of row i (a column is made, all NaN, when a first value needs it; NaN into an absent column is a no-op). */
function setOptional(b: MessageBlock, k: Optional, i: number, v: number): void {
  let col = b[k];
  if (!col) {
    if (Number.isNaN(v)) return;
    col = b[k] = new Float64Array(b.count).fill(NaN);
  }
  col[i] = v;
}

/** Copies column `from` (length ≤ the target's) into a new block's column of `count` rows (null stays null). */
function grownOptional(col: Float64Array | null, count: number): Float64Array | null {
  if (!col) return null;
  const c = new Float64Array(count).fill(NaN);
  c.set(col.subarray(0, Math.min(col.length, count)));
  return c;
}

/** Copies row i of block a into row j of block b. */
function copyRow(a: MessageBlock, i: number, b: MessageBlock, j: number, arrival = true): void {
  b.device[j] = a.device[i]!; b.kind[j] = a.kind[i]!; b.monitoring[j] = a.monitoring[i]!; b.channel[j] = a.channel[i]!;
  b.time[j] = a.time[i]!; b.deviceTime[j] = a.deviceTime[i]!; b.onsetDeviceTime[j] = a.onsetDeviceTime[i]!;
  b.amplitude[j] = a.amplitude[i]!; b.ratio[j] = a.ratio[i]!; b.x[j] = a.x[i]!; b.y[j] = a.y[i]!;
  for (const k of OPTIONAL) { const src = a[k]; setOptional(b, k, j, src ? src[i]! : NaN); }
  if (a.channel[i] === 255) (b.otherChannel ??= {})[j] = a.otherChannel![i]!;
  if (arrival && a.arrival) (b.arrival ??= new Float64Array(b.count).fill(NaN))[j] = a.arrival[i]!;
}

/** The buffers of a block's columns (to move the block to another thread instead of copying it). */
export function blockBuffers(b: MessageBlock): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const k of [...FIXED, ...OPTIONAL, 'arrival', 'byArrival'] as const) {
    const c = (b as unknown as Record<string, ArrayBufferView | null | undefined>)[k];
    if (c && c.buffer instanceof ArrayBuffer) out.add(c.buffer);
  }
  return [...out];
}

/**
 * Warm-up heartbeats (sent before the run's start) as a chunk keeps them apart when the run's
 * servers take them in bulk (ConsensusServer.warmup): columns in the chunk's order of phones, each
 * phone's in sending order; `arrival` once delivered (NaN: lost).
 */
export interface WarmupBlock {
  count: number;
  device: Int32Array;
  time: Float64Array;
  deviceTime: Float64Array;
  x: Float64Array;
  y: Float64Array;
  monitoring: Uint8Array;
  arrival: Float64Array;
}

function allocateWarmup(count: number): WarmupBlock {
  return { count: 0, device: new Int32Array(count), time: new Float64Array(count), deviceTime: new Float64Array(count), x: new Float64Array(count), y: new Float64Array(count), monitoring: new Uint8Array(count), arrival: new Float64Array(count) };
}

/** The buffers of a warm-up block's columns (moved to the main thread, not copied). */
export function warmupBuffers(w: WarmupBlock): ArrayBuffer[] {
  return [w.device, w.time, w.deviceTime, w.x, w.y, w.monitoring, w.arrival].map((c) => c.buffer as ArrayBuffer);
}

/**
 * A chunk's delivered warm-up heartbeats split by when they arrived: those heard before the run's
 * start stay in `w` (compacted, for the servers' warmup), those heard at or after it join the front
 * of the chunk's delivered block `b` (they were sent before anything in it), in (time, device)
 * order; lost ones are dropped. Returns the block and how many of w's heartbeats the block did not
 * take (sent: heard before the start, or lost).
 */
export function splitWarmup(w: WarmupBlock, b: MessageBlock): { messages: MessageBlock; sent: number } {
  const late: number[] = [];
  for (let i = 0; i < w.count; i++) { const a = w.arrival[i]!; if (a === a && !(a < 0)) late.push(i); }
  let messages = b;
  if (late.length) {
    late.sort((p, q) => w.time[p]! - w.time[q]! || w.device[p]! - w.device[q]!);
    const k = late.length, n = k + b.count, out = allocate(n);
    for (let j = 0; j < k; j++) {
      const i = late[j]!;
      out.device[j] = w.device[i]!; out.kind[j] = 2; out.monitoring[j] = w.monitoring[i]!; out.channel[j] = 0;
      out.time[j] = w.time[i]!; out.deviceTime[j] = w.deviceTime[i]!; out.onsetDeviceTime[j] = w.deviceTime[i]!;
      out.amplitude[j] = 0; out.ratio[j] = 0; out.x[j] = w.x[i]!; out.y[j] = w.y[i]!;
    }
    for (const c of FIXED) (out[c] as Float64Array).set(b[c] as Float64Array, k);
    for (const c of OPTIONAL) { const src = b[c]; if (src) { const dst = (out[c] = new Float64Array(n).fill(NaN)); dst.set(src, k); } }
    if (b.otherChannel) for (const [j, ch] of Object.entries(b.otherChannel)) (out.otherChannel ??= {})[k + Number(j)] = ch;
    const arrival = (out.arrival = new Float64Array(n));
    for (let j = 0; j < k; j++) arrival[j] = w.arrival[late[j]!]!;
    arrival.set(b.arrival!, k);
    messages = out;
  }
  // Heard before the start: moved down in place.
  let m = 0;
  for (let i = 0; i < w.count; i++) {
    if (!(w.arrival[i]! < 0)) continue;
    if (m !== i) { w.device[m] = w.device[i]!; w.time[m] = w.time[i]!; w.deviceTime[m] = w.deviceTime[i]!; w.x[m] = w.x[i]!; w.y[m] = w.y[i]!; w.monitoring[m] = w.monitoring[i]!; w.arrival[m] = w.arrival[i]!; }
    m++;
  }
  const sent = w.count - late.length;
  w.count = m;
  return { messages, sent };
}

/** Packs message objects (in their order). */
export function packMessages(list: readonly TriggerMessage[]): MessageBlock {
  const b = allocate(list.length);
  for (let i = 0; i < list.length; i++) writeMessage(b, i, list[i]!);
  return b;
}

/**
 * Where a chunk's phones put what they send: detectors' message objects and the engine's
 * heartbeats (written straight into columns, no object each), handed over as one block in
 * (time, device, kind) order, ties in the order they were sent.
 */
export class MessageBuilder {
  /**
   * The last finished builder's storage, kept for the next builder of this thread: a chunk task's
   * builder grew by doubling to its epoch's size, and every task doing so again in fresh memory cost
   * a national run millions of page faults (ten gigabytes of growth at ten million phones).
   */
  private static spare: MessageBlock | undefined;
  private static readonly SPARE_ROWS = 1 << 18;
  /** Its storage while it is filling (taken from the spare at its first message, given back by finish). */
  private b: MessageBlock | null = null;
  count = 0;

  private room(): number {
    let b = this.b;
    if (!b) {
      b = this.b = MessageBuilder.spare ?? allocate(1024);
      MessageBuilder.spare = undefined;
      // Optional columns start absent, as in a fresh block (a column appears when some message sets it).
      for (const k of OPTIONAL) b[k] = null;
      b.otherChannel = undefined;
    }
    if (this.count === b.count) {
      const n = allocate(2 * b.count);
      for (const k of FIXED) (n[k] as Float64Array).set(b[k] as Float64Array);
      for (const k of OPTIONAL) n[k] = grownOptional(b[k], n.count);
      n.otherChannel = b.otherChannel;
      this.b = n;
    }
    return this.count++;
  }

  push(m: TriggerMessage): void {
    const i = this.room(); // first: it may replace the block with a larger one
    writeMessage(this.b!, i, m);
  }

  /**
   * Heartbeats sent before the run's start go to a warm-up block of their own (takeWarmup) instead,
   * unsorted (a chunk's phones send them one after another): a run whose servers take them in bulk.
   */
  warmupApart = false;
  private w: WarmupBlock | null = null;

  /** Room for this many warm-up heartbeats (a guess; the block grows past it). */
  expectWarmup(rows: number): void {
    if (!this.w) this.w = allocateWarmup(Math.max(16, rows));
  }

  private warmupRow(device: number, time: number, deviceTime: number, x: number, y: number, monitoring: number): void {
    let w = this.w ??= allocateWarmup(1024);
    if (w.count === w.device.length) {
      const g = allocateWarmup(2 * w.count);
      g.device.set(w.device); g.time.set(w.time); g.deviceTime.set(w.deviceTime); g.x.set(w.x); g.y.set(w.y); g.monitoring.set(w.monitoring); g.arrival.set(w.arrival);
      g.count = w.count;
      w = this.w = g;
    }
    const i = w.count++;
    w.device[i] = device; w.time[i] = time; w.deviceTime[i] = deviceTime; w.x[i] = x; w.y[i] = y; w.monitoring[i] = monitoring; w.arrival[i] = NaN;
  }

  /** The warm-up heartbeats kept apart (undefined: none); the builder forgets them. */
  takeWarmup(): WarmupBlock | undefined {
    const w = this.w;
    this.w = null;
    return w && w.count ? w : undefined;
  }

  /** A heartbeat: "I am here (x, y) and monitoring (or not)", sent at `time` (`deviceTime` by the phone's clock). */
  heartbeat(device: number, time: number, deviceTime: number, x: number, y: number, monitoring: number): void {
    if (time < 0 && this.warmupApart) { this.warmupRow(device, time, deviceTime, x, y, monitoring); return; }
    const i = this.room(), b = this.b!;
    b.device[i] = device; b.kind[i] = 2; b.monitoring[i] = monitoring; b.channel[i] = 0;
    b.time[i] = time; b.deviceTime[i] = deviceTime; b.onsetDeviceTime[i] = deviceTime;
    b.amplitude[i] = 0; b.ratio[i] = 0; b.x[i] = x; b.y[i] = y;
    for (const k of OPTIONAL) if (b[k]) b[k]![i] = NaN;
  }

  /** Everything sent so far, sorted; the builder starts empty again. */
  finish(): MessageBlock {
    const b = this.b;
    if (!b) return allocate(0);
    const n = this.count, order = messageOrder(b, n);
    const out = allocate(n);
    // Column by column (a row at a time across a dozen columns was a tenth of a worker's time).
    for (const k of FIXED) { const src = b[k], dst = out[k]; for (let j = 0; j < n; j++) dst[j] = src[order[j]!]!; }
    for (const k of OPTIONAL) { const src = b[k]; if (src) { const dst = (out[k] = new Float64Array(n)); for (let j = 0; j < n; j++) dst[j] = src[order[j]!]!; } }
    if (b.otherChannel) for (let j = 0; j < n; j++) if (b.channel[order[j]!] === 255) (out.otherChannel ??= {})[j] = b.otherChannel[order[j]!]!;
    // Its storage stays with this thread for the next builder (rows are overwritten, optional columns
    // included: a message without a value writes NaN into a column that exists).
    b.otherChannel = undefined;
    this.b = null;
    this.count = 0;
    // Not the storage of a national run's first epoch (a million messages a chunk): kept for the whole
    // run, it would raise the peak for nothing (later epochs are a quarter of its size).
    if (b.count <= MessageBuilder.SPARE_ROWS) MessageBuilder.spare = b;
    return out;
  }
}

/** Blocks shorter than this are ordered by comparison; longer ones by radix passes (same order). */
const RADIX_FROM = 4096;

/**
 * Rows [0, n) of a block in (time, device, kind, row) order. A chunk's first epoch holds every one
 * of its phones' warm-up heartbeats (625,000 at 10 M phones); a comparison sort with a JS comparator
 * spent a tenth of a worker's time there. Long blocks are ordered by stable counting passes
 * instead: by kind, then device, then time (stableByTime), which gives the
 * same order (each pass is stable, and the last key sorted is the first compared).
 */
export function messageOrder(b: Pick<MessageBlock, 'time' | 'device' | 'kind'>, n: number): Int32Array {
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < RADIX_FROM) return sortByMessage(b, order);
  // A chunk steps its phones one after another, each in time order: its rows are then already in
  // (device, time, kind) order, and one stable pass by time gives (time, device, kind). Checked, not assumed.
  let deviceMajor = true;
  for (let i = 1; i < n && deviceMajor; i++) {
    const dp = b.device[i - 1]!, dq = b.device[i]!;
    if (dq < dp) deviceMajor = false;
    else if (dq === dp) { const tp = b.time[i - 1]!, tq = b.time[i]!; if (tq < tp || (tq === tp && b.kind[i]! < b.kind[i - 1]!) || !(tq === tq)) deviceMajor = false; }
  }
  if (deviceMajor) return stableByTime(b.time, order);
  let next = new Int32Array(n);
  /** One stable counting pass of `order` into `next` by key(row) in [0, size). */
  const pass = (size: number, key: (row: number) => number) => {
    const count = new Int32Array(size + 1);
    for (let i = 0; i < n; i++) count[key(order[i]!) + 1]!++;
    for (let k = 0; k < size; k++) count[k + 1]! += count[k]!;
    for (let i = 0; i < n; i++) { const r = order[i]!; next[count[key(r)]!++] = r; }
    [order, next] = [next, order];
  };
  pass(256, (r) => b.kind[r]!);
  let d0 = Infinity, d1 = -Infinity;
  for (let i = 0; i < n; i++) { const d = b.device[i]!; if (d < d0) d0 = d; if (d > d1) d1 = d; }
  pass(d1 - d0 + 1, (r) => b.device[r]! - d0);
  return stableByTime(b.time, order);
}

/**
 * `order` by comparison on (time, device, kind, row), for short blocks. Its own function: as a
 * closure inside messageOrder, whose long blocks never run it, it left that function's optimised
 * code without feedback and deoptimised it again at every short block (a hundred recompilations a run).
 */
function sortByMessage(b: Pick<MessageBlock, 'time' | 'device' | 'kind'>, order: Int32Array): Int32Array {
  return order.sort((p, q) => b.time[p]! - b.time[q]! || b.device[p]! - b.device[q]! || b.kind[p]! - b.kind[q]! || p - q);
}

/** Rows by arrival then row, by comparison (short blocks; see sortByMessage for why apart). */
function sortByArrival(arrival: Float64Array, rows: Int32Array): Int32Array {
  return rows.sort((p, q) => arrival[p]! - arrival[q]! || p - q);
}

/** Message i of a block as an object (the fields it was packed from). */
export function messageAt(b: MessageBlock, i: number): TriggerMessage {
  const m: TriggerMessage = {
    device: b.device[i]!, kind: KINDS[b.kind[i]!]!, time: b.time[i]!, deviceTime: b.deviceTime[i]!, onsetDeviceTime: b.onsetDeviceTime[i]!,
    amplitude: b.amplitude[i]!, ratio: b.ratio[i]!, x: b.x[i]!, y: b.y[i]!, monitoring: b.monitoring[i]!,
  };
  const c = b.channel[i]!;
  if (c === 255) m.channel = b.otherChannel![i]!;
  else if (c > 0) m.channel = CHANNELS[c - 1]!;
  for (const k of OPTIONAL) { const c = b[k]; if (c && !Number.isNaN(c[i]!)) m[k] = c[i]!; }
  return m;
}

/**
 * Message i of a block written into `m` (a server's `transientMessages`: one object for all): the
 * fields messageAt gives, those it would leave out set to undefined.
 */
export function messageInto(b: MessageBlock, i: number, m: TriggerMessage): TriggerMessage {
  m.device = b.device[i]!; m.kind = KINDS[b.kind[i]!]!; m.time = b.time[i]!; m.deviceTime = b.deviceTime[i]!; m.onsetDeviceTime = b.onsetDeviceTime[i]!;
  m.amplitude = b.amplitude[i]!; m.ratio = b.ratio[i]!; m.x = b.x[i]!; m.y = b.y[i]!; m.monitoring = b.monitoring[i]!;
  const c = b.channel[i]!;
  m.channel = c === 255 ? b.otherChannel![i]! : c > 0 ? CHANNELS[c - 1]! : undefined;
  // Named stores (a keyed store per optional field was a third of this function's time).
  const sc = b.score, sp = b.speed, sa = b.speedAfter, st = b.step;
  m.score = sc && sc[i] === sc[i] ? sc[i]! : undefined;
  m.speed = sp && sp[i] === sp[i] ? sp[i]! : undefined;
  m.speedAfter = sa && sa[i] === sa[i] ? sa[i]! : undefined;
  m.step = st && st[i] === st[i] ? st[i]! : undefined;
  return m;
}

/** Whether message i of block a goes before message j of block b: by time, then device, then kind. */
function before(a: MessageBlock, i: number, b: MessageBlock, j: number): boolean {
  const ta = a.time[i]!, tb = b.time[j]!;
  if (ta !== tb) return ta < tb;
  const da = a.device[i]!, db = b.device[j]!;
  if (da !== db) return da < db;
  return a.kind[i]! < b.kind[j]!;
}

/**
 * A binary heap of block indices keyed by each block's next value (k-way merges over an epoch's
 * chunks, a million messages at a time): keys compare as numbers, `tie` decides between equal keys.
 */
class BlockHeap {
  private readonly heap: Int32Array;
  readonly key: Float64Array;
  size = 0;

  constructor(k: number, private readonly tie: (p: number, q: number) => boolean) {
    this.heap = new Int32Array(k);
    this.key = new Float64Array(k);
  }

  private less(p: number, q: number): boolean {
    const a = this.key[p]!, b = this.key[q]!;
    return a < b || (a === b && this.tie(p, q));
  }

  /** Adds block q (its key set). */
  add(q: number): void {
    this.heap[this.size++] = q;
  }

  /** Orders what was added. */
  build(): void {
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i);
  }

  top(): number {
    return this.heap[0]!;
  }

  /** After the top block advanced (its key set anew): it moves down, or leaves when it has nothing more. */
  advanced(more: boolean): void {
    if (!more) this.heap[0] = this.heap[--this.size]!;
    if (this.size) this.down(0);
  }

  private down(at: number): void {
    const heap = this.heap, n = this.size;
    for (let i = at; ;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < n && this.less(heap[l]!, heap[m]!)) m = l;
      if (r < n && this.less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      const t = heap[i]!; heap[i] = heap[m]!; heap[m] = t;
      i = m;
    }
  }
}

/**
 * Blocks each already in (time, device, kind) order, merged into one block in that order (ties
 * keep block order): the order the network sees an epoch's messages in, whatever chunks they came
 * from — the same as one stable sort of all of them.
 */
export function mergeSorted(blocks: readonly MessageBlock[]): MessageBlock {
  let count = 0;
  for (const b of blocks) count += b.count;
  const out = allocate(count), k = blocks.length, head = new Int32Array(k);
  // The blocks by their next message, keyed by its time (equal times: device, kind, then lower block first): log k comparisons a message.
  const heap = new BlockHeap(k, (p, q) => before(blocks[p]!, head[p]!, blocks[q]!, head[q]!) || (!before(blocks[q]!, head[q]!, blocks[p]!, head[p]!) && p < q));
  for (let q = 0; q < k; q++) if (blocks[q]!.count > 0) { heap.key[q] = blocks[q]!.time[0]!; heap.add(q); }
  heap.build();
  // First the order (which block, which row), then each column gathered in one pass: faster than
  // copying message by message across fifteen columns.
  const fromBlock = new Int32Array(count), fromRow = new Int32Array(count);
  for (let j = 0; j < count; j++) {
    const best = heap.top(), b = blocks[best]!, i = head[best]!++;
    fromBlock[j] = best;
    fromRow[j] = i;
    const more = i + 1 < b.count;
    if (more) heap.key[best] = b.time[i + 1]!;
    heap.advanced(more);
  }
  const gather = (dst: { [i: number]: number }, pick: (b: MessageBlock) => ArrayLike<number> | null | undefined, fill: number) => {
    const src = blocks.map(pick);
    for (let j = 0; j < count; j++) { const s = src[fromBlock[j]!]; dst[j] = s ? s[fromRow[j]!]! : fill; }
  };
  for (const key of FIXED) gather(out[key], (b) => b[key], 0);
  for (const key of OPTIONAL) if (blocks.some((b) => b[key])) gather((out[key] = new Float64Array(count)), (b) => b[key], NaN);
  if (blocks.some((b) => b.arrival)) gather((out.arrival = new Float64Array(count)), (b) => b.arrival, NaN);
  if (blocks.some((b) => b.otherChannel)) for (let j = 0; j < count; j++) { const b = blocks[fromBlock[j]!]!; if (b.channel[fromRow[j]!] === 255) (out.otherChannel ??= {})[j] = b.otherChannel![fromRow[j]!]!; }
  return out;
}

/**
 * The rows of a delivered block (its `arrival` column) that reached the server, by arrival time, ties
 * in row order: a worker sorts its own chunk's so the main thread only merges them (arrivalMerge).
 */
export function arrivalOrder(b: MessageBlock): Int32Array {
  const arrival = b.arrival!;
  let n = 0;
  for (let i = 0; i < b.count; i++) if (arrival[i] === arrival[i]) n++;
  const rows = new Int32Array(n);
  for (let i = 0, k = 0; i < b.count; i++) if (arrival[i] === arrival[i]) rows[k++] = i;
  if (n < RADIX_FROM) return sortByArrival(arrival, rows);
  return stableByTime(arrival, rows);
}

/** The first row at or after `from` of block b that is a trigger or an update (b.count when none). */
function nextTrigger(b: MessageBlock, from: number): number {
  let i = from;
  while (i < b.count && b.kind[i] === 2) i++;
  return i;
}

/** What arrivalMerge makes of an epoch's delivered blocks. */
export interface ArrivalMerge {
  /** The epoch's blocks, numbered one after another: block c's row i is message offsets[c] + i (see chunkOf). */
  blocks: readonly MessageBlock[];
  offsets: Int32Array;
  /** The messages that reached the server (numbers, as above) and when, in the network queue's order. */
  rows: Int32Array;
  arrival: Float64Array;
  /** Triggers and updates (numbers, lost ones included), in sending order, for the log. */
  sent: Int32Array;
}

/** The block holding message number g of blocks numbered one after another (offsets[c] is block c's first number; offsets ends with the total). */
export function chunkOf(offsets: Int32Array, g: number): number {
  let lo = 0, hi = offsets.length - 2;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (offsets[mid]! <= g) lo = mid; else hi = mid - 1; }
  return lo;
}

/**
 * An epoch's blocks, each in sending order and delivered by the worker that made it (with its
 * arrival order), as the network queue and the log need them without a merged copy in sending order
 * first: the delivered messages in (arrival, time, device, kind, block, row) order — exactly what a
 * stable sort by arrival of mergeSorted(blocks) gives — and the triggers and updates in sending order.
 * `pause` is awaited every few thousand messages (the main thread lets the workers' next tasks start).
 */
export async function arrivalMerge(blocks: readonly MessageBlock[], pause?: () => Promise<void>): Promise<ArrivalMerge> {
  const k = blocks.length, offsets = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) offsets[c + 1] = offsets[c]! + blocks[c]!.count;
  // The blocks stay where they are (no merged copy: at ten million phones a first epoch's was 0.7 GB of fresh memory).
  for (let c = 0; c < k; c++) if (blocks[c]!.count && !blocks[c]!.byArrival) throw new Error('arrivalMerge: a block was not delivered by its worker');
  // Delivered messages: the blocks' arrival orders merged; equal arrivals in sending order, then block order.
  let delivered = 0;
  for (const b of blocks) delivered += b.byArrival?.length ?? 0;
  const rows = new Int32Array(delivered), arrival = new Float64Array(delivered), head = new Int32Array(k);
  const byArrival = new BlockHeap(k, (p, q) => {
    const i = blocks[p]!.byArrival![head[p]!]!, j = blocks[q]!.byArrival![head[q]!]!;
    return before(blocks[p]!, i, blocks[q]!, j) || (!before(blocks[q]!, j, blocks[p]!, i) && p < q);
  });
  for (let c = 0; c < k; c++) { const b = blocks[c]!; if (b.byArrival?.length) { byArrival.key[c] = b.arrival![b.byArrival[0]!]!; byArrival.add(c); } }
  byArrival.build();
  for (let n = 0; byArrival.size; n++) {
    if (pause && (n & 4095) === 4095) await pause();
    const c = byArrival.top(), b = blocks[c]!, order = b.byArrival!, h = head[c]!;
    rows[n] = offsets[c]! + order[h]!;
    arrival[n] = byArrival.key[c]!;
    const more = (head[c] = h + 1) < order.length;
    if (more) byArrival.key[c] = b.arrival![order[h + 1]!]!;
    byArrival.advanced(more);
  }
  // Triggers and updates in sending order: each block's own (already in that order) merged as mergeSorted would.
  let sentCount = 0;
  for (const b of blocks) for (let j = 0; j < b.count; j++) if (b.kind[j] !== 2) sentCount++;
  const sent = new Int32Array(sentCount), next = new Int32Array(k);
  const bySending = new BlockHeap(k, (p, q) => before(blocks[p]!, next[p]!, blocks[q]!, next[q]!) || (!before(blocks[q]!, next[q]!, blocks[p]!, next[p]!) && p < q));
  for (let c = 0; c < k; c++) {
    const i = nextTrigger(blocks[c]!, 0);
    next[c] = i;
    if (i < blocks[c]!.count) { bySending.key[c] = blocks[c]!.time[i]!; bySending.add(c); }
  }
  bySending.build();
  for (let n = 0; bySending.size; n++) {
    if (pause && (n & 4095) === 4095) await pause();
    const c = bySending.top(), b = blocks[c]!;
    sent[n] = offsets[c]! + next[c]!;
    const i = nextTrigger(b, next[c]! + 1);
    next[c] = i;
    if (i < b.count) bySending.key[c] = b.time[i]!;
    bySending.advanced(i < b.count);
  }
  return { blocks, offsets, rows, arrival, sent };
}

/** Rows per segment of a growing log (a log grows by whole segments: no copying, little slack). */
const SEGMENT_BITS = 18, SEGMENT = 1 << SEGMENT_BITS;

/** to[at + k] = from[blk[first + k]][row[first + k]] for k < len (one function per element type, each monomorphic). */
function gatherDoubles(to: Float64Array, at: number, from: readonly Float64Array[], blk: Int32Array, row: Int32Array, first: number, len: number): void {
  for (let k = 0; k < len; k++) to[at + k] = from[blk[first + k]!]![row[first + k]!]!;
}
/** As gatherDoubles, for Int32 columns. */
function gatherInts(to: Int32Array, at: number, from: readonly Int32Array[], blk: Int32Array, row: Int32Array, first: number, len: number): void {
  for (let k = 0; k < len; k++) to[at + k] = from[blk[first + k]!]![row[first + k]!]!;
}
/** As gatherDoubles, for byte columns. */
function gatherBytes(to: Uint8Array, at: number, from: readonly Uint8Array[], blk: Int32Array, row: Int32Array, first: number, len: number): void {
  for (let k = 0; k < len; k++) to[at + k] = from[blk[first + k]!]![row[first + k]!]!;
}

/**
 * The triggers and updates phones sent, in sending order, with when each reached the server (NaN:
 * lost): columns in segments of 262,144 rows. `at(i)` gives one as an object; iterating gives
 * them all so; `columns()` gives them as whole columns.
 */
export class TriggerLog implements Iterable<{ message: TriggerMessage; arrival: number }> {
  private readonly blocks: MessageBlock[] = [];
  private readonly arrivals: Float64Array[] = [];
  length = 0;

  /** Appends message i of block b, which arrived at `arrival`. */
  push(b: MessageBlock, i: number, arrival: number): void {
    const s = this.length >> SEGMENT_BITS, j = this.length & (SEGMENT - 1);
    // Segments on SharedArrayBuffers: a run's tables are written from them by other threads, uncopied.
    if (s === this.blocks.length) { this.blocks.push(allocate(SEGMENT, true)); this.arrivals.push(new Float64Array(new SharedArrayBuffer(8 * SEGMENT))); }
    const to = this.blocks[s]!;
    if (b.score || b.speed || b.speedAfter || b.step || b.otherChannel) copyRow(b, i, to, j, false);
    else {
      // No optional field and no channel outside the list (every trigger-fidelity and cell-server run): the fixed columns only.
      to.device[j] = b.device[i]!; to.kind[j] = b.kind[i]!; to.monitoring[j] = b.monitoring[i]!; to.channel[j] = b.channel[i]!;
      to.time[j] = b.time[i]!; to.deviceTime[j] = b.deviceTime[i]!; to.onsetDeviceTime[j] = b.onsetDeviceTime[i]!;
      to.amplitude[j] = b.amplitude[i]!; to.ratio[j] = b.ratio[i]!; to.x[j] = b.x[i]!; to.y[j] = b.y[i]!;
      for (const k of OPTIONAL) { const col = to[k]; if (col) col[j] = NaN; }
    }
    this.arrivals[s]![j] = arrival;
    this.length++;
  }

  /**
   * Appends messages `sent` of `blocks` (numbered one after another, see chunkOf), each block with
   * its `arrival` column, as push() one by one would. Blocks without optional fields or channels
   * outside the list are copied a column at a time: an epoch's triggers interleave its dozen or so
   * blocks, and a row at a time read eleven columns of each (two hundred streams of memory; most of
   * the log's time at ten million phones) where a column at a time reads one of each.
   */
  pushSent(blocks: readonly MessageBlock[], offsets: Int32Array, sent: Int32Array): void {
    const n = sent.length;
    if (blocks.some((b) => b.score || b.speed || b.speedAfter || b.step || b.otherChannel || !b.arrival)) {
      for (let k = 0; k < n; k++) { const g = sent[k]!, c = chunkOf(offsets, g), b = blocks[c]!, i = g - offsets[c]!; this.push(b, i, b.arrival ? b.arrival[i]! : NaN); }
      return;
    }
    const blk = new Int32Array(n), row = new Int32Array(n);
    for (let k = 0; k < n; k++) { const g = sent[k]!, c = chunkOf(offsets, g); blk[k] = c; row[k] = g - offsets[c]!; }
    for (let done = 0; done < n;) {
      const s = this.length >> SEGMENT_BITS, j = this.length & (SEGMENT - 1), len = Math.min(n - done, SEGMENT - j);
      if (s === this.blocks.length) { this.blocks.push(allocate(SEGMENT, true)); this.arrivals.push(new Float64Array(new SharedArrayBuffer(8 * SEGMENT))); }
      const to = this.blocks[s]!;
      gatherInts(to.device, j, blocks.map((b) => b.device), blk, row, done, len);
      for (const k of ['kind', 'monitoring', 'channel'] as const) gatherBytes(to[k], j, blocks.map((b) => b[k]), blk, row, done, len);
      for (const k of REQUIRED) gatherDoubles(to[k], j, blocks.map((b) => b[k]), blk, row, done, len);
      gatherDoubles(this.arrivals[s]!, j, blocks.map((b) => b.arrival!), blk, row, done, len);
      for (const k of OPTIONAL) { const col = to[k]; if (col) col.fill(NaN, j, j + len); }
      this.length += len;
      done += len;
    }
  }

  /** The log as whole columns, freshly made (the caller may keep or move them). */
  columns(): MessageBlock & { arrival: Float64Array } {
    const n = this.length, v = allocate(n) as MessageBlock & { arrival: Float64Array };
    const f64 = () => new Float64Array(n);
    v.arrival = f64();
    this.blocks.forEach((b, s) => {
      const from = s * SEGMENT, len = Math.min(SEGMENT, n - from);
      for (const k of FIXED) (v[k] as Float64Array).set((b[k] as Float64Array).subarray(0, len), from);
      for (const k of OPTIONAL) { const c = b[k]; if (c) (v[k] ??= f64().fill(NaN)).set(c.subarray(0, len), from); }
      v.arrival.set(this.arrivals[s]!.subarray(0, len), from);
      if (b.otherChannel) for (const [j, c] of Object.entries(b.otherChannel)) (v.otherChannel ??= {})[from + Number(j)] = c;
    });
    return v;
  }

  /** A column of the log where it is, in its segments (see tables.ts Segments); `arrival` too. */
  segments(column: keyof MessageBlock | 'arrival'): { segments: (Float64Array | Int32Array | Uint8Array | null)[]; bits: number } {
    return { bits: SEGMENT_BITS, segments: column === 'arrival' ? [...this.arrivals] : this.blocks.map((b) => (b as unknown as Record<string, Float64Array | Int32Array | Uint8Array | null>)[column] ?? null) };
  }

  /** Whether some entry has a value in optional column k (score, speed, speedAfter, step). */
  has(column: (typeof OPTIONAL)[number]): boolean {
    return this.blocks.some((b) => b[column] !== null);
  }

  /** Whether some entry names a channel outside the built-in list. */
  get otherChannels(): boolean {
    return this.blocks.some((b) => b.otherChannel !== undefined);
  }

  /** The channel entry i names (undefined: none given, which means shaking). */
  channelAt(i: number): string | undefined {
    const b = this.blocks[i >> SEGMENT_BITS]!, j = i & (SEGMENT - 1), c = b.channel[j]!;
    return c === 255 ? b.otherChannel![j] : c > 0 ? CHANNELS[c - 1] : undefined;
  }

  /** Entry i as objects. */
  at(i: number): { message: TriggerMessage; arrival: number } {
    const s = i >> SEGMENT_BITS, j = i & (SEGMENT - 1);
    return { message: messageAt(this.blocks[s]!, j), arrival: this.arrivals[s]![j]! };
  }

  *[Symbol.iterator](): Iterator<{ message: TriggerMessage; arrival: number }> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  /** Every entry as objects (small runs and tests). */
  toArray(): { message: TriggerMessage; arrival: number }[] {
    return Array.from(this);
  }
}

/**
 * Delivers a block's messages on `link` in the block's order, writing when each reaches the server
 * (NaN: lost) into its `arrival` column; returns the link's counts for the block. Each phone's
 * messages are in time order in a block, as the main thread would deliver them, so a worker doing
 * this for its own phones draws exactly what the main thread would.
 */
export function deliverBlock(b: MessageBlock, link: { deliver(device: number, time: number, x: number, y: number): number | undefined; sent: number; lost: number; lostToOutage: number }): { sent: number; lost: number; lostToOutage: number } {
  const before = { sent: link.sent, lost: link.lost, lostToOutage: link.lostToOutage };
  const arrival = (b.arrival = new Float64Array(b.count));
  for (let i = 0; i < b.count; i++) arrival[i] = link.deliver(b.device[i]!, b.time[i]!, b.x[i]!, b.y[i]!) ?? NaN;
  return { sent: link.sent - before.sent, lost: link.lost - before.lost, lostToOutage: link.lostToOutage - before.lostToOutage };
}
