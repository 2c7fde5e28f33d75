/**
 * The road network of a world as a routable graph: nodes where roads end or meet, directed edges
 * (both ways unless `oneway`) with their polylines, lengths and speeds. Routing uses graphology:
 * the largest strongly connected component of the drivable graph is what vehicles use (roads cut
 * off from it are left out, a documented fallback for disconnected networks), and shortest-path
 * trees toward a destination come from a Dijkstra on travel time over the same graph.
 */
import { DirectedGraph } from 'graphology';
import { stronglyConnectedComponents } from 'graphology-components';
import { ROAD_CLASSES, type Road, type RoadClass } from './load.js';
import { hypot } from '../core/geo.js';

/** Classes a car may drive on. */
export const DRIVABLE: ReadonlySet<RoadClass> = new Set(['motorway', 'trunk', 'primary', 'secondary', 'tertiary', 'residential', 'service', 'unclassified', 'living_street']);

export type TravelMode = 'car' | 'foot';

/** Walking speed used to weight footpaths when routing pedestrians, m/s. */
const WALK_MPS = 1.3;

export class RoadNetwork {
  /** Node positions (m). */
  readonly nodeX: Float64Array;
  readonly nodeY: Float64Array;
  /** Directed edges. */
  readonly edgeFrom: Int32Array;
  readonly edgeTo: Int32Array;
  readonly edgeLength: Float64Array;
  /** Speed limit, m/s. */
  readonly edgeSpeed: Float64Array;
  readonly edgeDrivable: Uint8Array;
  /** Polyline of edge e: vertices [edgeStart[e], edgeStart[e] + edgeCount[e]) of vx/vy, in travel order. */
  readonly edgeStart: Int32Array;
  readonly edgeCount: Int32Array;
  readonly vx: Float64Array;
  readonly vy: Float64Array;
  /** Cumulative distance along the edge at each polyline vertex. */
  readonly vd: Float64Array;
  /** Source road of each edge. */
  readonly edgeRoad: Int32Array;
  /** Road type of each edge (index into ROAD_CLASSES). */
  readonly edgeClass: Uint8Array;
  /** Outgoing edges of each node (CSR). */
  readonly outStart: Int32Array;
  readonly outEdges: Int32Array;
  /** 1 for nodes in the largest strongly connected drivable component. */
  readonly carNode: Uint8Array;
  /** Nodes in the car component, and all nodes (for walking). */
  readonly carNodes: Int32Array;
  readonly nodeCount: number;
  readonly edgeCount_: number;
  /** Nodes dropped from car routing because they are cut off from the largest component. */
  readonly disconnectedNodes: number;
  private readonly graphs = new Map<TravelMode, DirectedGraph>();
  private readonly trees = new Map<string, Int32Array>();
  private readonly grid: Map<number, number[]>;
  private readonly gridSize = 250;

  constructor(roads: readonly Road[]) {
    // 1. Nodes: road endpoints and vertices shared by two or more roads.
    const key = (x: number, y: number) => `${x.toFixed(3)},${y.toFixed(3)}`;
    const uses = new Map<string, number>();
    for (const r of roads) {
      const p = r.points;
      for (let i = 0; i < p.length; i += 2) uses.set(key(p[i]!, p[i + 1]!), (uses.get(key(p[i]!, p[i + 1]!)) ?? 0) + 1);
    }
    const nodeIndex = new Map<string, number>();
    const nx: number[] = [], ny: number[] = [];
    const nodeOf = (x: number, y: number) => {
      const k = key(x, y);
      let id = nodeIndex.get(k);
      if (id === undefined) {
        id = nx.length;
        nodeIndex.set(k, id);
        nx.push(x); ny.push(y);
      }
      return id;
    };
    // 2. Edges: split each road at nodes.
    const from: number[] = [], to: number[] = [], len: number[] = [], speed: number[] = [], drivable: number[] = [], roadOf: number[] = [], classOf: number[] = [];
    const start: number[] = [], count: number[] = [];
    const vx: number[] = [], vy: number[] = [], vd: number[] = [];
    const addEdge = (a: number, b: number, xs: number[], ys: number[], r: Road) => {
      let d = 0;
      const s = vx.length;
      for (let i = 0; i < xs.length; i++) {
        if (i > 0) d += hypot(xs[i]! - xs[i - 1]!, ys[i]! - ys[i - 1]!);
        vx.push(xs[i]!); vy.push(ys[i]!); vd.push(d);
      }
      if (d <= 0) { vx.length = vy.length = vd.length = s; return; }
      from.push(a); to.push(b); len.push(d); speed.push(r.speedKmh / 3.6); drivable.push(DRIVABLE.has(r.class) ? 1 : 0); roadOf.push(r.id); classOf.push(ROAD_CLASSES.indexOf(r.class));
      start.push(s); count.push(xs.length);
    };
    for (const r of roads) {
      const p = r.points;
      const n = p.length / 2;
      let xs: number[] = [p[0]!], ys: number[] = [p[1]!];
      let a = nodeOf(p[0]!, p[1]!);
      for (let i = 1; i < n; i++) {
        const x = p[2 * i]!, y = p[2 * i + 1]!;
        xs.push(x); ys.push(y);
        const isNode = i === n - 1 || (uses.get(key(x, y)) ?? 0) >= 2;
        if (!isNode) continue;
        const b = nodeOf(x, y);
        if (b !== a) {
          addEdge(a, b, xs, ys, r);
          if (!r.oneway) addEdge(b, a, [...xs].reverse(), [...ys].reverse(), r);
        }
        a = b;
        xs = [x]; ys = [y];
      }
    }
    this.nodeCount = nx.length;
    this.edgeCount_ = from.length;
    this.nodeX = Float64Array.from(nx); this.nodeY = Float64Array.from(ny);
    this.edgeFrom = Int32Array.from(from); this.edgeTo = Int32Array.from(to);
    this.edgeLength = Float64Array.from(len); this.edgeSpeed = Float64Array.from(speed);
    this.edgeDrivable = Uint8Array.from(drivable); this.edgeRoad = Int32Array.from(roadOf); this.edgeClass = Uint8Array.from(classOf);
    this.edgeStart = Int32Array.from(start); this.edgeCount = Int32Array.from(count);
    this.vx = Float64Array.from(vx); this.vy = Float64Array.from(vy); this.vd = Float64Array.from(vd);
    // CSR of outgoing edges.
    const outCount = new Int32Array(this.nodeCount + 1);
    for (const f of from) outCount[f + 1]!++;
    for (let i = 0; i < this.nodeCount; i++) outCount[i + 1]! += outCount[i]!;
    this.outStart = outCount;
    this.outEdges = new Int32Array(from.length);
    const fill = outCount.slice(0, this.nodeCount);
    from.forEach((f, e) => { this.outEdges[fill[f]!++] = e; });
    // Largest strongly connected component of the drivable graph.
    const car = this.graph('car');
    const comps = car.order ? stronglyConnectedComponents(car) : [];
    let best: string[] = [];
    for (const c of comps) if (c.length > best.length) best = c;
    this.carNode = new Uint8Array(this.nodeCount);
    for (const k of best) this.carNode[Number(k)] = 1;
    this.carNodes = Int32Array.from(best.map(Number).sort((a, b) => a - b));
    let drivableNodes = 0;
    const hasDrivable = new Uint8Array(this.nodeCount);
    from.forEach((f, e) => { if (drivable[e]) { hasDrivable[f] = 1; hasDrivable[to[e]!] = 1; } });
    for (let i = 0; i < this.nodeCount; i++) drivableNodes += hasDrivable[i]!;
    this.disconnectedNodes = drivableNodes - best.length;
    // Spatial buckets of nodes for nearest-node queries.
    this.grid = new Map();
    for (let i = 0; i < this.nodeCount; i++) {
      const k = this.cellKey(Math.floor(nx[i]! / this.gridSize), Math.floor(ny[i]! / this.gridSize));
      let b = this.grid.get(k);
      if (!b) this.grid.set(k, (b = []));
      b.push(i);
    }
  }

  private cellKey(ix: number, iy: number): number {
    return (ix + 1_000_000) * 2_000_003 + (iy + 1_000_000);
  }

  /** The graphology graph for a travel mode (car: drivable edges; foot: every edge, both ways). */
  graph(mode: TravelMode): DirectedGraph {
    let g = this.graphs.get(mode);
    if (g) return g;
    g = new DirectedGraph({ allowSelfLoops: false });
    for (let i = 0; i < this.nodeCount; i++) g.addNode(String(i));
    for (let e = 0; e < this.edgeFrom.length; e++) {
      if (mode === 'car' && !this.edgeDrivable[e]) continue;
      const a = String(this.edgeFrom[e]), b = String(this.edgeTo[e]);
      const w = mode === 'car' ? this.edgeLength[e]! / this.edgeSpeed[e]! : this.edgeLength[e]! / WALK_MPS;
      const add = (u: string, v: string) => {
        const existing = g!.edge(u, v);
        if (existing === undefined) g!.addDirectedEdge(u, v, { w, e });
        else if (g!.getEdgeAttribute(existing, 'w') > w) g!.mergeEdgeAttributes(existing, { w, e });
      };
      add(a, b);
      if (mode === 'foot') add(b, a);
    }
    this.graphs.set(mode, g);
    return g;
  }

  /**
   * Next edge to take from every node toward `dest` (−1 where `dest` is unreachable or the node is
   * `dest`): one Dijkstra on travel time over the reversed graph, in typed arrays (graphology's
   * single-source search materialises every path, which is far slower here; tests check these
   * trees against graphology-shortest-path). For `foot`, edges may be walked backwards: the value
   * is then −(e + 2).
   */
  nextEdges(mode: TravelMode, dest: number): Int32Array {
    const key = `${mode}:${dest}`;
    let tree = this.trees.get(key);
    if (tree) return tree;
    const rev = this.reverseAdjacency(mode);
    const n = this.nodeCount;
    const dist = new Float64Array(n).fill(Infinity);
    tree = new Int32Array(n).fill(-1);
    const heapKey = new Float64Array(rev.code.length + 1);
    const heapNode = new Int32Array(rev.code.length + 1);
    let size = 0;
    const push = (k: number, v: number) => {
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (heapKey[p]! < k || (heapKey[p] === k && heapNode[p]! <= v)) break;
        heapKey[i] = heapKey[p]!; heapNode[i] = heapNode[p]!; i = p;
      }
      heapKey[i] = k; heapNode[i] = v;
    };
    const pop = () => {
      const top = heapNode[0]!;
      const k = heapKey[--size]!, v = heapNode[size]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const c = r < size && (heapKey[r]! < heapKey[l]! || (heapKey[r] === heapKey[l] && heapNode[r]! < heapNode[l]!)) ? r : l;
        if (k < heapKey[c]! || (k === heapKey[c] && v <= heapNode[c]!)) break;
        heapKey[i] = heapKey[c]!; heapNode[i] = heapNode[c]!; i = c;
      }
      heapKey[i] = k; heapNode[i] = v;
      return top;
    };
    dist[dest] = 0;
    push(0, dest);
    const done = new Uint8Array(n);
    while (size > 0) {
      const k = heapKey[0]!;
      const u = pop();
      if (done[u] || k > dist[u]!) continue;
      done[u] = 1;
      for (let j = rev.start[u]!, end = rev.start[u + 1]!; j < end; j++) {
        const w = rev.node[j]!;
        const d = k + rev.weight[j]!;
        if (d < dist[w]!) {
          dist[w] = d;
          tree[w] = rev.code[j]!;
          push(d, w);
        }
      }
    }
    if (this.trees.size > 4096) this.trees.delete(this.trees.keys().next().value!);
    this.trees.set(key, tree);
    return tree;
  }

  private readonly revAdj = new Map<TravelMode, { start: Int32Array; node: Int32Array; code: Int32Array; weight: Float64Array }>();
  /** For each node v: the nodes u with a usable step u → v, the edge code of that step and its travel time. */
  private reverseAdjacency(mode: TravelMode) {
    let r = this.revAdj.get(mode);
    if (r) return r;
    const steps: [number, number, number, number][] = []; // [to, from, code, weight]
    for (let e = 0; e < this.edgeFrom.length; e++) {
      const u = this.edgeFrom[e]!, v = this.edgeTo[e]!;
      if (mode === 'car') {
        if (!this.edgeDrivable[e]) continue;
        steps.push([v, u, e, this.edgeLength[e]! / this.edgeSpeed[e]!]);
      } else {
        const w = this.edgeLength[e]! / WALK_MPS;
        steps.push([v, u, e, w]);
        steps.push([u, v, -(e + 2), w]);
      }
    }
    steps.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[3] - b[3] || a[2] - b[2]);
    const start = new Int32Array(this.nodeCount + 1);
    for (const s of steps) start[s[0] + 1]!++;
    for (let i = 0; i < this.nodeCount; i++) start[i + 1]! += start[i]!;
    r = {
      start,
      node: Int32Array.from(steps, (s) => s[1]),
      code: Int32Array.from(steps, (s) => s[2]),
      weight: Float64Array.from(steps, (s) => s[3]),
    };
    this.revAdj.set(mode, r);
    return r;
  }

  /** Travel time (s) of the route the trees give from `from` to `dest`, Infinity when unreachable. */
  routeTime(mode: TravelMode, from: number, dest: number): number {
    const tree = this.nextEdges(mode, dest);
    let t = 0, u = from;
    for (let hops = 0; u !== dest; hops++) {
      const c = tree[u]!;
      if (c === -1 || hops > this.nodeCount) return Infinity;
      const e = c >= 0 ? c : -c - 2;
      t += this.edgeLength[e]! / (mode === 'car' ? this.edgeSpeed[e]! : WALK_MPS);
      u = c >= 0 ? this.edgeTo[e]! : this.edgeFrom[e]!;
    }
    return t;
  }

  /** Nearest node to (x, y); with `carOnly`, only nodes of the car component. -1 when there is none. */
  nearestNode(x: number, y: number, carOnly = false): number {
    if (this.nodeCount === 0 || (carOnly && this.carNodes.length === 0)) return -1;
    const ix = Math.floor(x / this.gridSize), iy = Math.floor(y / this.gridSize);
    let best = -1, bestD = Infinity;
    const visit = (cx: number, cy: number) => {
      const b = this.grid.get(this.cellKey(cx, cy));
      if (!b) return;
      for (const i of b) {
        if (carOnly && !this.carNode[i]) continue;
        const d = (this.nodeX[i]! - x) ** 2 + (this.nodeY[i]! - y) ** 2;
        if (d < bestD || (d === bestD && i < best)) { bestD = d; best = i; }
      }
    };
    const maxR = this.maxRing(ix, iy);
    for (let r = 0; r <= maxR; r++) {
      if (r === 0) visit(ix, iy);
      else {
        for (let dx = -r; dx <= r; dx++) { visit(ix + dx, iy - r); visit(ix + dx, iy + r); }
        for (let dy = -r + 1; dy <= r - 1; dy++) { visit(ix - r, iy + dy); visit(ix + r, iy + dy); }
      }
      // Every cell of ring r+1 is at least r cells away.
      if (best >= 0 && Math.sqrt(bestD) <= r * this.gridSize) break;
    }
    return best;
  }

  private bounds?: [number, number, number, number];
  /** Rings needed from cell (ix, iy) to cover every node. */
  private maxRing(ix: number, iy: number): number {
    if (!this.bounds) {
      let a = Infinity, b = Infinity, c = -Infinity, d = -Infinity;
      for (let i = 0; i < this.nodeCount; i++) {
        const gx = Math.floor(this.nodeX[i]! / this.gridSize), gy = Math.floor(this.nodeY[i]! / this.gridSize);
        a = Math.min(a, gx); b = Math.min(b, gy); c = Math.max(c, gx); d = Math.max(d, gy);
      }
      this.bounds = [a, b, c, d];
    }
    const [a, b, c, d] = this.bounds;
    return Math.max(Math.abs(ix - a), Math.abs(ix - c), Math.abs(iy - b), Math.abs(iy - d));
  }

  /** Position at distance `off` along edge e, starting the search at polyline segment `seg`; returns the segment. */
  positionOnEdge(e: number, off: number, seg: number, out: Float64Array): number {
    const s = this.edgeStart[e]!, n = this.edgeCount[e]!;
    const vd = this.vd;
    let i = Math.min(Math.max(seg, 0), n - 2);
    while (i > 0 && vd[s + i]! > off) i--;
    while (i < n - 2 && vd[s + i + 1]! < off) i++;
    const d0 = vd[s + i]!, d1 = vd[s + i + 1]!;
    const f = d1 > d0 ? Math.min(1, Math.max(0, (off - d0) / (d1 - d0))) : 0;
    out[0] = this.vx[s + i]! + f * (this.vx[s + i + 1]! - this.vx[s + i]!);
    out[1] = this.vy[s + i]! + f * (this.vy[s + i + 1]! - this.vy[s + i]!);
    return i;
  }
}
