/**
 * Strongly connected components of a subgraph of a stored state graph, by
 * iterative Tarjan: no recursion, so no stack overflow on long paths. The
 * working arrays are allocated once per graph and reused for every call.
 */
import type { FieldSpec } from '../state/layout.js';
import type { StateGraph } from './graph.js';

export class Components<F extends FieldSpec = FieldSpec> {
  private readonly idx: Int32Array;
  private readonly low: Int32Array;
  private readonly onStack: Uint8Array;
  private readonly stack: Int32Array;
  private readonly call: Int32Array;
  private readonly iter: Int32Array;
  /** Membership stamps: a node is in the current subgraph iff `member[v] === stamp`. */
  readonly member: Int32Array;
  private stamp = 0;

  constructor(readonly g: StateGraph<F>) {
    const n = g.size;
    this.idx = new Int32Array(n);
    this.low = new Int32Array(n);
    this.onStack = new Uint8Array(n);
    this.stack = new Int32Array(n);
    this.call = new Int32Array(n);
    this.iter = new Int32Array(n);
    this.member = new Int32Array(n);
  }

  /** Makes `nodes` the current subgraph; returns its stamp (see {@link Components.member}). */
  enter(nodes: ArrayLike<number>): number {
    const s = ++this.stamp;
    for (let i = 0; i < nodes.length; i++) this.member[nodes[i]] = s;
    return s;
  }

  /**
   * The strongly connected components of the subgraph induced by `nodes`
   * that can hold a cycle (more than one state, or one with a self-loop).
   * Components come out in reverse topological order, each sorted.
   */
  of(nodes: Int32Array): Int32Array[] {
    const { g, idx, low, onStack, stack, call, iter, member } = this;
    const s = this.enter(nodes);
    for (let i = 0; i < nodes.length; i++) idx[nodes[i]] = -1;
    const out: Int32Array[] = [];
    let counter = 0;
    let sp = 0;
    for (let r = 0; r < nodes.length; r++) {
      const root = nodes[r];
      if (idx[root] !== -1) continue;
      let cp = 0;
      idx[root] = low[root] = counter++;
      stack[sp++] = root;
      onStack[root] = 1;
      iter[root] = g.offsets[root];
      call[cp++] = root;
      while (cp > 0) {
        const v = call[cp - 1];
        const end = g.offsets[v + 1];
        let descended = false;
        while (iter[v] < end) {
          const w = g.targets[iter[v]++];
          if (member[w] !== s) continue;
          if (idx[w] === -1) {
            idx[w] = low[w] = counter++;
            stack[sp++] = w;
            onStack[w] = 1;
            iter[w] = g.offsets[w];
            call[cp++] = w;
            descended = true;
            break;
          }
          if (onStack[w] && idx[w] < low[v]) low[v] = idx[w];
        }
        if (descended) continue;
        if (low[v] === idx[v]) {
          let k = sp;
          do k--;
          while (stack[k] !== v);
          for (let j = k; j < sp; j++) onStack[stack[j]] = 0;
          if (sp - k > 1 || this.selfLoop(v)) out.push(stack.slice(k, sp).sort());
          sp = k;
        }
        cp--;
        if (cp > 0) {
          const u = call[cp - 1];
          if (low[v] < low[u]) low[u] = low[v];
        }
      }
    }
    return out;
  }

  private selfLoop(v: number): boolean {
    const g = this.g;
    for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) if (g.targets[e] === v) return true;
    return false;
  }
}
