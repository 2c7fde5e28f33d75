/** The warm-up heartbeats a server takes in bulk (ConsensusServer.warmup): which of them each phone was last heard by. */
import type { WarmupHeartbeats } from '../plugin/index.js';

/**
 * The row of a warm-up batch each phone was last heard by: its latest arrival, equal arrivals going
 * to the later sent (a phone's rows are together, in sending order). One row per phone, in the
 * batch's order of phones.
 */
export function latestPerPhone(b: WarmupHeartbeats): Int32Array {
  const out = new Int32Array(b.count), device = b.device, arrival = b.arrival;
  let n = 0;
  for (let i = 0; i < b.count;) {
    const d = device[i]!;
    let last = i, j = i + 1;
    for (; j < b.count && device[j] === d; j++) if (arrival[j]! >= arrival[last]!) last = j;
    out[n++] = last;
    i = j;
  }
  return out.subarray(0, n);
}
