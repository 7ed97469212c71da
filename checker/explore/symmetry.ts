/**
 * Symmetry reduction. When the actors of one role are interchangeable (the
 * enactors of the dns model are), states that differ only by a renaming of
 * those actors behave alike, and the search stores one representative of
 * each class: the state whose packed encoding is least over all renamings.
 *
 * A model declares the symmetry: the role, the array fields indexed by that
 * role's actors (their positions are permuted) and the fields that hold an
 * actor of that role (their values are renamed; "none", stored below the
 * field's minimum, stays none). Properties must not tell actors apart.
 */
import { kernelOf } from '../model/kernel.js';
import type { FieldSpec, StateOf } from '../state/layout.js';
import type { Model } from '../model/model.js';
import { ModelError } from '../model/model-error.js';
import type { ScheduleStep } from '../model/replay.js';

export type { Symmetry } from '../model/symmetry-decl.js';

/** Most actors a symmetric role may have: the canonicaliser tries every permutation. */
export const MAX_SYMMETRIC_ACTORS = 6;

function permutations(n: number): Int32Array[] {
  const out: Int32Array[] = [];
  const p = Array.from({ length: n }, (_, i) => i);
  const rec = (k: number): void => {
    if (k === n) {
      out.push(Int32Array.from(p));
      return;
    }
    for (let i = k; i < n; i++) {
      [p[k], p[i]] = [p[i], p[k]];
      rec(k + 1);
      [p[k], p[i]] = [p[i], p[k]];
    }
  };
  rec(0);
  // Identity first, so that ties keep a state as it is.
  out.sort((a, b) => {
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
    return 0;
  });
  return out;
}

/**
 * Maps states to their canonical representative. One per search thread: it
 * owns scratch buffers.
 */
export class Canonicalizer {
  private readonly perms: Int32Array[];
  /** For each permutation, slot moves: out[dst[j]] = in[src[j]] for indexed slots. */
  private readonly moves: { src: Int32Array; dst: Int32Array }[];
  /** Slots whose value is an actor id. */
  private readonly valueSlots: Int32Array;
  private readonly scratch: Int32Array;
  private readonly words: Uint32Array;
  /** Per slot: 1 when it holds an actor of the role (its value is renamed). */
  private readonly isValueSlot: Uint8Array;
  /** n!: the renamings tried, and the orbit of a state no renaming fixes. */
  private readonly group: number;
  /** The permutation that produced the last canonical form (actor i -> perm[i]). */
  lastPerm: Int32Array;

  constructor(private readonly model: Model) {
    const sym = model.symmetry;
    if (!sym) throw new ModelError(`model ${model.name} declares no symmetry`);
    const n = model.roles[sym.role];
    if (n === undefined) throw new ModelError(`model ${model.name}: symmetry role ${sym.role} is not a role`);
    if (n > MAX_SYMMETRIC_ACTORS) {
      throw new ModelError(
        `symmetry: at most ${MAX_SYMMETRIC_ACTORS} interchangeable ${sym.role}s are supported (all ${MAX_SYMMETRIC_ACTORS}! renamings are tried), got ${n}`,
      );
    }
    const layout = model.layout;
    this.perms = permutations(n);
    const offsets = layout.offsets;
    for (const f of sym.indexed) {
      const spec = layout.fields[f];
      if (spec?.kind !== 'array' || spec.length !== n) {
        throw new ModelError(`model ${model.name}: symmetry field ${f} must be an array of ${n} (one per ${sym.role})`);
      }
    }
    const values: number[] = [];
    for (const f of sym.holds) {
      const spec = layout.fields[f];
      if (!spec) throw new ModelError(`model ${model.name}: symmetry field ${f} is not a state field`);
      const len = spec.kind === 'array' ? spec.length : 1;
      for (let i = 0; i < len; i++) values.push(offsets[f] + i);
    }
    this.valueSlots = Int32Array.from(values);
    this.moves = this.perms.map((p) => {
      const src: number[] = [];
      const dst: number[] = [];
      for (const f of sym.indexed) {
        for (let i = 0; i < n; i++) {
          src.push(offsets[f] + i);
          dst.push(offsets[f] + p[i]);
        }
      }
      return { src: Int32Array.from(src), dst: Int32Array.from(dst) };
    });
    this.scratch = layout.vector();
    this.isValueSlot = new Uint8Array(this.scratch.length);
    for (const v of values) this.isValueSlot[v] = 1;
    this.group = this.perms.length;
    this.words = new Uint32Array(layout.words);
    this.lastPerm = this.perms[0];
  }

  /** Number of renamings tried per state. */
  get size(): number {
    return this.perms.length;
  }

  /**
   * The number of states in the class of the state in `vec`: n! divided by
   * the renamings that leave it as it is (its stabiliser). Summed over the
   * representatives a search stores, it is the number of states a search
   * without symmetry stores, since renaming maps reachable states to
   * reachable states when the initial states are each left as they are by
   * every renaming (as the dns model's are; the sum is checked against the
   * unreduced counts in the tests). A renaming fixes the state when every
   * slot it writes (see `canonical`) gets the value it had; most renamings
   * fail at their first moved slot.
   */
  orbitSize(vec: Int32Array): number {
    const isValue = this.isValueSlot;
    const vs = this.valueSlots;
    let fixing = 1;
    for (let k = 1; k < this.perms.length; k++) {
      const p = this.perms[k];
      const { src, dst } = this.moves[k];
      let fixed = true;
      for (let j = 0; j < src.length && fixed; j++) {
        const d = dst[j];
        // A slot that holds an actor gets its renamed value instead (when it holds one).
        if (isValue[d] === 1 && vec[d] >= 0 && vec[d] < p.length) continue;
        fixed = vec[src[j]] === vec[d];
      }
      for (let j = 0; j < vs.length && fixed; j++) {
        const v = vec[vs[j]];
        if (v >= 0 && v < p.length) fixed = p[v] === v;
      }
      if (fixed) fixing++;
    }
    return this.group / fixing;
  }

  /**
   * Writes into `out[at ..]` the least packed encoding over all renamings of
   * the state in `vec`, whose own packing is already in `out[at ..]`. Sets
   * `lastPerm` to the renaming that gave it.
   */
  canonical(vec: Int32Array, out: Uint32Array, at: number): void {
    const layout = this.model.layout;
    const W = layout.words;
    const tmp = this.scratch;
    const words = this.words;
    this.lastPerm = this.perms[0];
    for (let k = 1; k < this.perms.length; k++) {
      const p = this.perms[k];
      tmp.set(vec);
      const { src, dst } = this.moves[k];
      for (let j = 0; j < src.length; j++) tmp[dst[j]] = vec[src[j]];
      const vs = this.valueSlots;
      for (let j = 0; j < vs.length; j++) {
        const v = vec[vs[j]];
        if (v >= 0 && v < p.length) tmp[vs[j]] = p[v];
      }
      layout.pack(tmp, words, 0);
      let less = false;
      for (let w = W - 1; w >= 0; w--) {
        if (words[w] !== out[at + w]) {
          less = words[w] < out[at + w];
          break;
        }
      }
      if (less) {
        for (let w = 0; w < W; w++) out[at + w] = words[w];
        this.lastPerm = p;
      }
    }
  }
}

/**
 * Maps a schedule found under symmetry (each step taken from the canonical
 * representative of its state) back to one that replays without symmetry:
 * at each step, the actor is renamed by the inverse of the renaming that
 * made the actual state canonical.
 */
export function unsymmetrize<F extends FieldSpec>(model: Model<F>, initial: StateOf<F>, schedule: readonly ScheduleStep[]): ScheduleStep[] {
  const m: Model = model;
  const c = new Canonicalizer(m);
  const kernel = kernelOf(model);
  const layout = m.layout;
  const vec = layout.vector();
  const view = layout.view(vec) as StateOf<F>;
  const words = new Uint32Array(layout.words);
  layout.fromPlain(initial as never, vec);
  const out: ScheduleStep[] = [];
  for (const step of schedule) {
    layout.pack(vec, words, 0);
    c.canonical(vec, words, 0);
    const t0 = kernel.indexOf(step.action, 0);
    if (t0 < 0) throw new ModelError(`symmetry: unknown action ${step.action}`);
    let actor = step.actor;
    if (kernel.transitions[t0].role === m.symmetry?.role) actor = c.lastPerm.indexOf(step.actor);
    out.push({ action: step.action, actor });
    const t = kernel.indexOf(step.action, actor);
    if (t < 0 || !kernel.enabled(view, t)) {
      throw new ModelError(
        `symmetry: step ${out.length} (${step.action} by ${actor}) does not replay; does a property or action tell the ${m.symmetry?.role}s apart?`,
      );
    }
    kernel.apply(view, t);
  }
  return out;
}
