/**
 * Fast "is this point inside the world?" for hot loops: a raster over the boundary's bounding box
 * whose cells are classified once as fully inside, fully outside or on the edge; only points in
 * edge cells pay for an exact point-in-polygon test.
 */
import { distanceToPolygonEdge, inPolygon, type PlanarPolygon } from './geometry.js';

const OUTSIDE = 0, INSIDE = 1, EDGE = 2;

export class BoundaryIndex {
  private readonly polys: readonly PlanarPolygon[];
  private readonly x0: number;
  private readonly y0: number;
  private readonly cell: number;
  private readonly nx: number;
  private readonly ny: number;
  private readonly cls: Uint8Array;

  constructor(polys: readonly PlanarPolygon[], resolution = 256) {
    this.polys = polys;
    const x0 = Math.min(...polys.map((p) => p.bbox[0])), y0 = Math.min(...polys.map((p) => p.bbox[1]));
    const x1 = Math.max(...polys.map((p) => p.bbox[2])), y1 = Math.max(...polys.map((p) => p.bbox[3]));
    this.cell = Math.max(x1 - x0, y1 - y0, 1) / resolution;
    this.x0 = x0;
    this.y0 = y0;
    this.nx = Math.ceil((x1 - x0) / this.cell) + 1;
    this.ny = Math.ceil((y1 - y0) / this.cell) + 1;
    this.cls = new Uint8Array(this.nx * this.ny);
    const half = (this.cell * Math.SQRT2) / 2;
    for (let j = 0; j < this.ny; j++) {
      for (let i = 0; i < this.nx; i++) {
        const cx = x0 + (i + 0.5) * this.cell, cy = y0 + (j + 0.5) * this.cell;
        const inside = polys.some((p) => inPolygon(p, cx, cy));
        const near = polys.some((p) => distanceToPolygonEdge(p, cx, cy) <= half * 1.01);
        this.cls[j * this.nx + i] = near ? EDGE : inside ? INSIDE : OUTSIDE;
      }
    }
  }

  contains(x: number, y: number): boolean {
    const i = Math.floor((x - this.x0) / this.cell), j = Math.floor((y - this.y0) / this.cell);
    if (i < 0 || j < 0 || i >= this.nx || j >= this.ny) return false;
    const c = this.cls[j * this.nx + i]!;
    if (c !== EDGE) return c === INSIDE;
    for (const p of this.polys) if (inPolygon(p, x, y)) return true;
    return false;
  }
}
