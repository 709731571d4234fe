/**
 * Exact transportation problem solver behind EMD (lib/metrics/emd.ts): a primal network simplex
 * (Dantzig; strongly feasible spanning trees, Cunningham 1976; block-search pricing as in LEMON,
 * Kovács 2015). Pure TypeScript over typed arrays; exact, not an approximation.
 */
import { MetricError } from './errors';

/** An arc enters the basis only if its reduced cost is below −this (in distance units). */
const REDUCED_COST_TOLERANCE = 1e-10;
const MIN_BLOCK = 10;

export interface TransportSolution {
  /** Minimum Σ flow·cost. */
  cost: number;
  /** Basic flows (from supply index, to demand index, amount), zero flows omitted. */
  flows: Array<{ from: number; to: number; amount: number }>;
  /** Dual potentials: u_i + v_j <= cost(i, j) up to the pricing tolerance, Σ a·u + Σ b·v = cost. */
  potentialsSupply: Float64Array;
  potentialsDemand: Float64Array;
}

/**
 * Spanning-tree state of the network simplex. Nodes: supplies 0..m−1, demands m..m+n−1, root m+n.
 * Arcs: real arc e = i·n + j (supply i → demand j), then one artificial arc per node (arcs + u).
 * Tree adjacency is a doubly linked list of half-edges: tree slot s holds one arc, half 2s hangs
 * off its source and half 2s+1 off its target; other[h] is the node at the far end.
 */
class TransportSimplex {
  readonly arcs: number;
  readonly root: number;
  readonly artificialCost: number;
  readonly flow: Float64Array;
  readonly inTree: Uint8Array;
  readonly parent: Int32Array;
  readonly pred: Int32Array; // arc to the parent
  readonly up: Uint8Array; // 1: pred arc points from the node to its parent
  readonly depth: Int32Array;
  readonly pi: Float64Array; // node potentials
  private readonly head: Int32Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly other: Int32Array;
  private readonly slotArc: Int32Array;
  private readonly arcSlot: Int32Array;
  private readonly stack: Int32Array;

  constructor(
    readonly m: number,
    readonly n: number,
    readonly cost: Float64Array,
    a: ArrayLike<number>,
    b: ArrayLike<number>,
  ) {
    const arcs = (this.arcs = m * n);
    const root = (this.root = m + n);
    // LEMON's artificial cost for floating costs: more than any path of real arcs.
    this.artificialCost = (cost.reduce((max, c) => Math.max(max, c), 0) + 1) * (root + 1);
    this.flow = new Float64Array(arcs + root);
    this.inTree = new Uint8Array(arcs);
    [this.parent, this.pred, this.head] = [0, 1, 2].map(() => new Int32Array(root + 1).fill(-1)) as [Int32Array, Int32Array, Int32Array];
    [this.next, this.prev, this.other] = [0, 1, 2].map(() => new Int32Array(2 * root)) as [Int32Array, Int32Array, Int32Array];
    this.up = new Uint8Array(root + 1);
    this.depth = new Int32Array(root + 1);
    this.pi = new Float64Array(root + 1);
    this.slotArc = new Int32Array(root);
    this.arcSlot = new Int32Array(arcs + root);
    this.stack = new Int32Array(root + 1);
    // Start: supplies send to the root at cost 0, the root feeds demands at the artificial cost.
    for (let u = 0; u < this.root; u++) {
      const e = this.arcs + u;
      this.parent[u] = this.root;
      this.pred[u] = e;
      this.depth[u] = 1;
      this.up[u] = u < m ? 1 : 0;
      this.flow[e] = u < m ? (a[u] as number) : (b[u - m] as number);
      this.pi[u] = u < m ? 0 : this.artificialCost;
      this.link(e, u);
    }
  }

  source(e: number): number {
    if (e < this.arcs) return Math.floor(e / this.n);
    return e - this.arcs < this.m ? e - this.arcs : this.root;
  }

  target(e: number): number {
    if (e < this.arcs) return this.m + (e % this.n);
    return e - this.arcs < this.m ? this.root : e - this.arcs;
  }

  arcCost(e: number): number {
    if (e < this.arcs) return this.cost[e] as number;
    return e - this.arcs < this.m ? 0 : this.artificialCost;
  }

  private attach(h: number, node: number, far: number): void {
    this.other[h] = far;
    this.prev[h] = -1;
    this.next[h] = this.head[node] as number;
    if (this.head[node] !== -1) this.prev[this.head[node] as number] = h;
    this.head[node] = h;
  }

  private detach(h: number, node: number): void {
    const p = this.prev[h] as number;
    const q = this.next[h] as number;
    if (p === -1) this.head[node] = q;
    else this.next[p] = q;
    if (q !== -1) this.prev[q] = p;
  }

  link(e: number, slot: number): void {
    this.slotArc[slot] = e;
    this.arcSlot[e] = slot;
    const s = this.source(e);
    const t = this.target(e);
    this.attach(2 * slot, s, t);
    this.attach(2 * slot + 1, t, s);
  }

  /** Replaces tree arc `leaving` by `entering` in the adjacency lists. */
  swap(leaving: number, entering: number): void {
    const slot = this.arcSlot[leaving] as number;
    this.detach(2 * slot, this.source(leaving));
    this.detach(2 * slot + 1, this.target(leaving));
    if (leaving < this.arcs) this.inTree[leaving] = 0;
    this.inTree[entering] = 1;
    this.link(entering, slot);
  }

  /** Hangs the subtree containing `top` under `above` through arc `link` and refreshes it. */
  rehang(top: number, above: number, link: number): void {
    const { parent, pred, up, depth, pi, head, next, other, slotArc, stack } = this;
    parent[top] = above;
    pred[top] = link;
    up[top] = this.source(link) === top ? 1 : 0;
    let size = 0;
    stack[size++] = top;
    while (size > 0) {
      const v = stack[--size] as number;
      const e = pred[v] as number;
      const c = this.arcCost(e);
      const p = parent[v] as number;
      depth[v] = (depth[p] as number) + 1;
      // Tree arcs have zero reduced cost: c + π_source − π_target = 0.
      pi[v] = (pi[p] as number) + (up[v] ? -c : c);
      for (let h = head[v] as number; h !== -1; h = next[h] as number) {
        const f = slotArc[h >> 1] as number;
        if (f === e) continue;
        const w = other[h] as number;
        parent[w] = v;
        pred[w] = f;
        up[w] = h & 1; // half hangs off the arc's target: the child is its source
        stack[size++] = w;
      }
    }
  }

  /** Block-search pricing from `start`; returns the entering arc or −1, and the resume point. */
  price(start: number, block: number, resume: Int32Array): number {
    const { m, n, arcs, cost, pi, inTree } = this;
    let entering = -1;
    let best = -REDUCED_COST_TOLERANCE;
    let scanned = 0;
    let e = start;
    let i = Math.floor(e / n);
    let j = e - i * n;
    let piSource = pi[i] as number;
    for (let k = 0; k < arcs; k++) {
      if (inTree[e] === 0) {
        const reduced = (cost[e] as number) + piSource - (pi[m + j] as number);
        if (reduced < best) {
          best = reduced;
          entering = e;
        }
      }
      e++;
      if (++j === n) {
        j = 0;
        if (++i === m) {
          i = 0;
          e = 0;
        }
        piSource = pi[i] as number;
      }
      if (++scanned === block) {
        if (entering >= 0) break;
        scanned = 0;
      }
    }
    resume[0] = e;
    return entering;
  }

  /** One pivot on `entering` (strongly feasible leaving rule, see solveTransport). */
  pivot(entering: number): void {
    const { parent, pred, up, depth, flow } = this;
    const first = Math.floor(entering / this.n);
    const second = this.m + (entering % this.n);
    let u = first;
    let v = second;
    while (u !== v) {
      if ((depth[u] as number) >= (depth[v] as number)) u = parent[u] as number;
      else v = parent[v] as number;
    }
    const join = u;
    let delta = Infinity;
    let out = -1;
    let outOnFirst = false;
    for (u = first; u !== join; u = parent[u] as number) {
      const d = up[u] ? (flow[pred[u] as number] as number) : Infinity;
      if (d < delta) {
        delta = d;
        out = u;
        outOnFirst = true;
      }
    }
    for (u = second; u !== join; u = parent[u] as number) {
      const d = up[u] ? Infinity : (flow[pred[u] as number] as number);
      if (d <= delta) {
        delta = d;
        out = u;
        outOnFirst = false;
      }
    }
    if (out < 0) throw new MetricError('emd', 'cost', 'unbounded transport problem (negative cost cycle)');
    if (delta > 0) {
      flow[entering] = (flow[entering] as number) + delta;
      for (u = first; u !== join; u = parent[u] as number) {
        const e = pred[u] as number;
        flow[e] = (flow[e] as number) + (up[u] ? -delta : delta);
      }
      for (u = second; u !== join; u = parent[u] as number) {
        const e = pred[u] as number;
        flow[e] = (flow[e] as number) + (up[u] ? delta : -delta);
      }
    }
    const leaving = pred[out] as number;
    flow[leaving] = 0;
    this.swap(leaving, entering);
    if (outOnFirst) this.rehang(first, second, entering);
    else this.rehang(second, first, entering);
  }
}

/**
 * Exact transportation problem: supply a (length m), demand b (length n, Σb = Σa), cost matrix
 * `cost` (m×n, row-major, non-negative). Primal network simplex on the bipartite graph plus an
 * artificial root joined to every node (LEMON's start: supply nodes send to the root at cost 0,
 * the root feeds demand nodes at a prohibitive cost). Leaving arc: the last blocking arc met going
 * round the cycle from the join node in the direction of flow, which keeps the tree strongly
 * feasible and rules out cycling in degenerate pivots.
 */
export function solveTransport(a: ArrayLike<number>, b: ArrayLike<number>, cost: Float64Array): TransportSolution {
  const m = a.length;
  const n = b.length;
  const simplex = new TransportSimplex(m, n, cost, a, b);
  const block = Math.max(MIN_BLOCK, Math.ceil(Math.sqrt(m * n)));
  const resume = new Int32Array(1);
  for (;;) {
    const entering = simplex.price(resume[0] as number, block, resume);
    if (entering < 0) break;
    simplex.pivot(entering);
  }
  let total = 0;
  const flows: TransportSolution['flows'] = [];
  for (let e = 0; e < m * n; e++) {
    const f = simplex.flow[e] as number;
    if (simplex.inTree[e] === 0 || f === 0) continue;
    total += f * (cost[e] as number);
    flows.push({ from: Math.floor(e / n), to: e % n, amount: f });
  }
  const potentialsSupply = Float64Array.from({ length: m }, (_, i) => -(simplex.pi[i] as number));
  const potentialsDemand = Float64Array.from({ length: n }, (_, j) => simplex.pi[m + j] as number);
  return { cost: total, flows, potentialsSupply, potentialsDemand };
}
