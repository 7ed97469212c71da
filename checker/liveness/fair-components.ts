/**
 * Fair components: which strongly connected components of a region of the
 * state graph a fair behaviour can stay in forever. Weak fairness of a group
 * holds in a component iff the group is taken on an internal edge or
 * disabled in some state of it; for strong fairness, a group that is enabled
 * in the component but never taken inside it rules out the states where it
 * is enabled, and what remains is decomposed again (the Emerson-Lei /
 * Streett refinement). A terminal state is a fair component of its own (it
 * stutters forever, which every fairness constraint allows).
 */
import type { StateGraph } from './graph.js';
import type { FieldSpec } from '../state/layout.js';
import { Components } from './scc.js';
import type { FairnessGroup } from './temporal.js';

/** Working arrays shared by the analyses of one graph. */
export class FairAnalysis<F extends FieldSpec = FieldSpec> {
  readonly n: number;
  readonly terminal: Uint8Array;
  readonly components: Components<F>;
  /** CSR over transitions: the fairness groups each transition belongs to. */
  private readonly tgOff: Int32Array;
  private readonly tgIds: Int32Array;
  // Per-group scratch
  readonly gTaken: Uint8Array;
  readonly gEnabled: Uint8Array;
  readonly gDisabled: Uint8Array;
  private readonly gHere: Int32Array;
  private hereStamp = 0;

  constructor(
    readonly g: StateGraph<F>,
    readonly groups: readonly FairnessGroup[],
  ) {
    const n = g.size;
    this.n = n;
    this.terminal = new Uint8Array(n);
    for (let v = 0; v < g.expanded; v++) if (g.offsets[v] === g.offsets[v + 1]) this.terminal[v] = 1;
    const T = g.transitions.length;
    const count = new Int32Array(T + 1);
    for (const gr of groups) for (const t of gr.transitions) count[t + 1]++;
    for (let t = 0; t < T; t++) count[t + 1] += count[t];
    this.tgOff = count;
    this.tgIds = new Int32Array(count[T]);
    const fill = count.slice(0, T);
    groups.forEach((gr, id) => {
      for (const t of gr.transitions) this.tgIds[fill[t]++] = id;
    });
    this.components = new Components(g);
    const G = groups.length;
    this.gTaken = new Uint8Array(G);
    this.gEnabled = new Uint8Array(G);
    this.gDisabled = new Uint8Array(G);
    this.gHere = new Int32Array(G);
  }

  /** The member stamps of the current subgraph (see {@link Components.member}). */
  get member(): Int32Array {
    return this.components.member;
  }

  /** Fills gTaken / gEnabled / gDisabled for the component whose nodes carry stamp `s`. Returns whether it has an internal edge. */
  survey(comp: Int32Array, s: number): boolean {
    const { g, member, gTaken, gEnabled, gDisabled, gHere, tgOff, tgIds } = this;
    gTaken.fill(0);
    gEnabled.fill(0);
    gDisabled.fill(0);
    let internal = false;
    for (let i = 0; i < comp.length; i++) {
      const u = comp[i];
      const here = ++this.hereStamp;
      for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
        const t = g.labels[e];
        const inside = member[g.targets[e]] === s;
        if (inside) internal = true;
        for (let k = tgOff[t]; k < tgOff[t + 1]; k++) {
          const id = tgIds[k];
          gHere[id] = here;
          if (inside) gTaken[id] = 1;
        }
      }
      for (let id = 0; id < gHere.length; id++) {
        if (gHere[id] === here) gEnabled[id] = 1;
        else gDisabled[id] = 1;
      }
    }
    return internal;
  }

  /**
   * Marks the states of the region (`region[v] = 1`) that lie in a fair
   * component, or are terminal: `fair[v]` gets the component's number, -1
   * elsewhere. Returns the number of fair components.
   */
  fairComponents(region: Uint8Array): { fair: Int32Array; count: number } {
    const fair = new Int32Array(this.n).fill(-1);
    let count = 0;
    const nodes: number[] = [];
    for (let v = 0; v < this.n; v++) {
      if (!region[v]) continue;
      if (this.terminal[v]) fair[v] = count++;
      else nodes.push(v);
    }
    const work = this.components.of(Int32Array.from(nodes));
    while (work.length > 0) {
      const comp = work.pop() as Int32Array;
      const s = this.components.enter(comp);
      if (!this.survey(comp, s)) continue; // a single state without a self-loop: no cycle
      const bad: number[] = [];
      this.groups.forEach((gr, id) => {
        if (gr.kind === 'strong' && this.gEnabled[id] && !this.gTaken[id]) bad.push(id);
      });
      if (bad.length > 0) {
        const rest: number[] = [];
        for (let i = 0; i < comp.length; i++) if (!this.enablesAny(comp[i], bad)) rest.push(comp[i]);
        if (rest.length > 0) for (const c of this.components.of(Int32Array.from(rest))) work.push(c);
        continue;
      }
      let weakOk = true;
      this.groups.forEach((gr, id) => {
        if (gr.kind === 'weak' && !this.gTaken[id] && !this.gDisabled[id]) weakOk = false;
      });
      if (!weakOk) continue;
      const id = count++;
      for (let i = 0; i < comp.length; i++) fair[comp[i]] = id;
    }
    return { fair, count };
  }

  /** Whether state `u` enables a transition of group `id`. */
  enables(u: number, id: number): boolean {
    const { g, tgOff, tgIds } = this;
    for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
      const t = g.labels[e];
      for (let k = tgOff[t]; k < tgOff[t + 1]; k++) if (tgIds[k] === id) return true;
    }
    return false;
  }

  private enablesAny(u: number, ids: readonly number[]): boolean {
    for (const id of ids) if (this.enables(u, id)) return true;
    return false;
  }

  /** Whether edge `e`'s transition belongs to group `id`. */
  inGroup(e: number, id: number): boolean {
    const t = this.g.labels[e];
    for (let k = this.tgOff[t]; k < this.tgOff[t + 1]; k++) if (this.tgIds[k] === id) return true;
    return false;
  }
}
