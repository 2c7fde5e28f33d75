import { describe, expect, it } from 'vitest';
import { score } from '../../src/score/score.js';
import type { HazardTruth } from '../../src/plugin/index.js';
import type { AlertRecord } from '../../src/plugin/index.js';
import { ReceiptLog } from '../../src/engine/receipt-log.js';

const truth = (shouldAlert: number[], sArrival: number[]): HazardTruth => ({
  index: 0, type: 'earthquake', kind: 'earthquake', name: 'test quake', alertable: true, start: 100,
  facts: { origin_time: 100, lon: 10, lat: 45, depth_km: 8, magnitude: 6 },
  devices: {
    reached: new Uint8Array(shouldAlert.map(() => 1)),
    first: new Float64Array(sArrival.map((s) => s - 3)),
    impact: new Float64Array(sArrival),
    intensity: new Float32Array(shouldAlert.map((a) => (a ? 0.1 : 0.001))),
    mmi: new Float32Array(shouldAlert.map((a) => (a ? 6 : 2))),
    shouldAlert: new Uint8Array(shouldAlert),
  },
});

const alert = (event: number, seq: number, time: number, lon = 10.01, lat = 45, magnitude = 5.8): AlertRecord => ({
  event, kind: 'earthquake', seq, time, radiusKm: 50, mmiThreshold: 3, takeActionRadiusKm: 30, takeActionMmi: 4, triggers: 10, cancelled: false,
  estimate: { x: 0, y: 0, lon, lat, originTime: 100.5, magnitude, depthKm: 8 },
});

const config = { timely_min_s: 0, match_window: 120, match_distance_km: 100 };

describe('scoring', () => {
  // Devices: 0 timely (S 110, receipt 105), 1 late (S 104, receipt 106), 2 missed (deserving, no receipt),
  // 3 unnecessary (not deserving, receipt), 4 correctly quiet, 5 timely (S 120, receipt 104).
  const t = truth([1, 1, 1, 0, 0, 1], [110, 104, 108, 130, 130, 120]);
  const alerts = [alert(0, 0, 103.5, 10.01, 45, 5.2), alert(0, 1, 105, 10.02, 45.01, 6.1), alert(1, 0, 500, 12, 47)];
  const receipts = [
    { device: 0, event: 0, seq: 0, time: 105 },
    { device: 0, event: 0, seq: 1, time: 107 }, // later receipts of the same event do not count
    { device: 1, event: 0, seq: 1, time: 106 },
    { device: 3, event: 0, seq: 0, time: 105 },
    { device: 5, event: 0, seq: 0, time: 104 },
    { device: 4, event: 1, seq: 0, time: 501 }, // from the false alert
  ];
  const s = score({ truths: [t], alerts, receipts, devices: 6, durationS: 3600, config });
  const h = s.hazards[0]!;

  it('counts each outcome', () => {
    expect(h.outcomes).toEqual({ timely: 2, late: 1, missed: 1, unnecessary: 1, correctly_quiet: 1 });
    expect(h.deserving).toBe(4);
  });

  it('measures warning time as S arrival minus the first receipt', () => {
    // warnings: device 0 → 5, device 1 → −2, device 5 → 16
    expect(h.warning_time_s.n).toBe(3);
    expect(h.warning_time_s.p50).toBe(5);
    expect(h.warning_time_s.p10).toBeLessThan(h.warning_time_s.p50!);
    expect(h.warning_time_s.p90).toBeGreaterThan(h.warning_time_s.p50!);
  });

  it('measures alert latency and estimate errors against truth', () => {
    expect(h.event).toBe(0);
    expect(h.alert_latency_s).toBeCloseTo(3.5, 12);
    expect(h.estimate_first!.magnitude_error).toBeCloseTo(-0.8, 12);
    expect(h.estimate_last!.magnitude_error).toBeCloseTo(0.1, 12);
    expect(h.estimate_first!.origin_time_error_s).toBeCloseTo(0.5, 12);
    expect(h.estimate_first!.location_error_km).toBeCloseTo(0.786, 2); // 0.01° of longitude at 45°N
    expect(h.estimate_evolution!.map((e) => [e.t_after_origin_s, +e.magnitude_error.toFixed(6)])).toEqual([[3.5, -0.8], [5, 0.1]]);
  });

  it('counts events that match no hazard as false alerts', () => {
    expect(s.false_alerts).toBe(1);
    expect(s.false_alerts_per_day).toBe(24);
    expect(s.events.map((e) => e.matched_hazard)).toEqual([0, null]);
  });

  it('reports coverage, distance bands and false alerts per phone-hour, all counted by hand', () => {
    // Devices 0–5 at 5, 15, 15, 30, 30, 50 km east of the epicentre (1° of longitude at 45°N ≈ 78.7 km).
    const km = [5, 15, 15, 30, 30, 50];
    const positions = { lon: Float64Array.from(km, (k) => 10 + k / 78.71), lat: new Float64Array(6).fill(45) };
    const q = score({ truths: [t], alerts, receipts, devices: 6, durationS: 3600, config, positions, phoneHours: 500 });
    const g = q.hazards[0]!;
    // Deserving: 0 (w 5), 1 (w −2), 2 (missed), 5 (w 16).
    expect(g.coverage.map((c) => [c.min_warning_s, c.share.value])).toEqual([[0, 0.5], [5, 0.5], [10, 0.25], [20, 0]]);
    expect(g.timely_share.value).toBe(0.5);
    // Wilson 95 % for 2 of 4: 0.150–0.850.
    expect(g.timely_share.lo).toBeCloseTo(0.1500, 3);
    expect(g.timely_share.hi).toBeCloseTo(0.8500, 3);
    const bands = g.by_distance!.map((b) => [b.from_km, b.deserving, b.warned, b.timely]);
    expect(bands).toEqual([[0, 1, 1, 1], [10, 2, 1, 0], [20, 0, 0, 0], [40, 1, 1, 1], [80, 0, 0, 0], [160, 0, 0, 0]]);
    expect(q.false_alerts_per_million_phone_hours).toBe(2000); // 1 false alert in 500 phone-hours
    expect(q.missed_hazards).toBe(0);
  });

  it('reads the run\'s receipt log in place as it reads records: events interleaved, take-action and cancel tiers', () => {
    // The same receipts with the false alert's in between, device 5's as take-action, and a cancel that reaches device 2 (still missed).
    const log = new ReceiptLog();
    log.push(0, 0, 0, 105, 'be-aware'); log.push(4, 1, 0, 501, 'be-aware'); log.push(0, 0, 1, 107, 'be-aware'); log.push(1, 0, 1, 106, 'be-aware');
    log.push(2, 0, 2, 106.5, 'cancel'); log.push(3, 0, 0, 105, 'be-aware'); log.push(5, 0, 0, 104, 'take-action');
    const seen: number[][] = [];
    log.forEachReceipt((d, e, t, tier) => seen.push([d, e, t, tier]));
    expect(seen).toEqual([[0, 0, 105, 0], [4, 1, 501, 0], [0, 0, 107, 0], [1, 0, 106, 0], [2, 0, 106.5, 2], [3, 0, 105, 0], [5, 0, 104, 1]]);
    for (const receipts of [log, log.toArray()]) {
      const g = score({ truths: [t], alerts, receipts, devices: 6, durationS: 3600, config }).hazards[0]!;
      expect(g.outcomes).toEqual({ timely: 2, late: 1, missed: 1, unnecessary: 1, correctly_quiet: 1 });
      expect(g.warning_time_s.p50).toBe(5);
      expect(g.take_action).toBe(1);
    }
  });

  it('does not count a hazard nobody deserved an alert for as missed', () => {
    // A quake far outside the world: every phone reached, none shaken to the alert level.
    const far = truth([0, 0, 0, 0, 0, 0], [400, 400, 400, 400, 400, 400]);
    const q = score({ truths: [far], alerts: [], receipts: [], devices: 6, durationS: 600, config });
    expect(q.hazards[0]!.event).toBeNull();
    expect(q.hazards[0]!.deserving).toBe(0);
    expect(q.missed_hazards).toBe(0);
  });

  it('treats a run with no alert as a missed hazard', () => {
    const q = score({ truths: [t], alerts: [], receipts: [], devices: 6, durationS: 600, config });
    expect(q.missed_hazards).toBe(1);
    expect(q.hazards[0]!.event).toBeNull();
    expect(q.hazards[0]!.outcomes.missed).toBe(4);
    expect(q.hazards[0]!.warning_time_s).toEqual({ p10: null, p50: null, p90: null, n: 0 });
  });
});

describe('scoring hazards made of targets', () => {
  // Three potholes 100 m apart on a street at 45°N; pothole 2 is never hit by a wheel.
  const pothole = (id: number) => ({ item: 'anomaly', anomaly: id, lon: 10 + (id * 100) / 78710, lat: 45, kind: 'pothole' });
  const road: HazardTruth = {
    index: 0, type: 'road-anomaly', kind: 'road-anomaly', name: 'potholes', alertable: true, start: 0, facts: {},
    items: [pothole(0), pothole(1), pothole(2),
      { item: 'pass', anomaly: 0, time: 100, device: 1, hit: true }, { item: 'pass', anomaly: 1, time: 300, device: 2, hit: true }, { item: 'pass', anomaly: 2, time: 50, device: 3, hit: false }],
  };
  const report = (event: number, time: number, metresEast: number): AlertRecord => ({
    ...alert(event, 0, time, 10 + metresEast / 78710, 45), kind: 'road-anomaly', radiusKm: 0, takeActionRadiusKm: 0,
  });

  it('counts found, missed, duplicate and false reports, with delays from the first hit', () => {
    // Pothole 0 reported 10 m off at 400 s and again at 900 s (a duplicate); pothole 1 at 350 s;
    // a report 50 m from any pothole is false; pothole 2 was never hit, so it is not detectable.
    const q = score({ truths: [road], alerts: [report(0, 400, 10), report(1, 350, 100), report(2, 900, 5), report(3, 600, 150)], receipts: [], devices: 4, durationS: 3600, config, phoneHours: 4 });
    const it = q.hazards[0]!.items!;
    expect([it.total, it.detectable, it.found, it.false_reports, it.duplicates]).toEqual([3, 2, 2, 1, 1]);
    expect(it.recall).toBe(1);
    expect(it.delay_s.p50).toBe(175); // 50 s (pothole 1) and 300 s (pothole 0)
    expect(it.location_error_m.p50!).toBeCloseTo(5, 0);
    expect(it.false_reports_per_1000_phone_hours).toBe(250);
    expect(q.false_alerts).toBe(1);
  });
});
