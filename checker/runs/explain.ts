/**
 * The causal structure of a run (`dnsmc explain`): which state locations
 * each step read and wrote, the happens-before order that follows, the
 * steps that could take other places without changing the outcome, and the
 * orderings the outcome depends on.
 *
 * Reads and writes are recorded by running each step's guard and effect once
 * more, on a plain copy of the state seen through a recording proxy: never
 * in the search. A location is a scalar field (`latest`) or one element of
 * an array field (`alias[0]`); a set field is one location (its bitmask).
 *
 * Step i happens before a later step j (an edge i -> j) when they are taken
 * by the same actor, or j reads a location i wrote, or j overwrites a
 * location i wrote or read (moving j before i would change what i read or
 * what is left). Steps unordered by the transitive closure of these edges
 * commute: they can be swapped without changing the final state. Every claim
 * is also checked here by replaying the reordered run; a claim that does not
 * replay is not made.
 *
 * Nothing here knows any particular model.
 */
import type { FieldSpec, Json, JsonState, StateOf } from '../state/layout.js';
import { actorName, type Model } from '../model/model.js';
import { kernelOf } from '../model/kernel.js';
import { breaksAlong } from '../model/replay.js';

/** One step as recorded: what it read and wrote. */
export interface StepAccess {
  /** 1-based. */
  readonly step: number;
  readonly action: string;
  readonly role: string;
  readonly actor: number;
  readonly who: string;
  readonly narration: string;
  /** Locations the guard or the effect read, in the order first read. */
  readonly reads: readonly string[];
  /** Locations the effect assigned. */
  readonly writes: readonly string[];
}

/** Why a later step is ordered after an earlier one. */
export type EdgeReason = 'same actor' | 'reads what it wrote' | 'overwrites what it wrote' | 'overwrites what it read';

/** A happens-before edge of the transitive reduction (no shorter path explains it). */
export interface HbEdge {
  readonly from: number;
  readonly to: number;
  readonly reasons: readonly EdgeReason[];
  /** The locations the two steps share (empty for `same actor` alone). */
  readonly on: readonly string[];
}

/** A step that can take other places: any position from `earliest` to `latest` (1-based), the others keeping their order. */
export interface Movable {
  readonly step: number;
  readonly earliest: number;
  readonly latest: number;
}

/** An ordering the outcome depends on: `before` must come before `after`. */
export interface CriticalOrdering {
  readonly before: number;
  readonly after: number;
  readonly on: readonly string[];
  /** What happens when the two are reversed (the others keeping every order they can): in words. */
  readonly reversed: string;
  /** The step (1-based) that could no longer be taken when the two are reversed; absent when the property no longer breaks instead. */
  readonly stuck?: number;
  /** The sentence for people. */
  readonly words: string;
}

export interface Explanation {
  readonly property: string;
  /** What the run ends in: the property broken in the last state, in words. */
  readonly outcome: string;
  readonly steps: readonly StepAccess[];
  readonly edges: readonly HbEdge[];
  readonly movable: readonly Movable[];
  readonly critical: readonly CriticalOrdering[];
}

/** A run to explain: a trace's initial state and steps (JSON states, as traces hold them). */
export interface RunToExplain {
  readonly property: string;
  readonly initial: JsonState;
  readonly steps: readonly { readonly action: string; readonly actor: number; readonly narration: string }[];
}

type Plain = Record<string, number | number[]>;

/** A proxy over `s` that notes every field (and element) read and assigned. */
function recording(model: Model, s: Plain, reads: string[], writes: string[]): Plain {
  const note = (list: string[], loc: string): void => {
    if (!list.includes(loc)) list.push(loc);
  };
  const arrays: Record<string, number[]> = {};
  for (const [name, f] of Object.entries(model.layout.fields)) {
    if (f.kind !== 'array') continue;
    arrays[name] = new Proxy(s[name] as number[], {
      get(t, p) {
        if (typeof p === 'string' && /^\d+$/.test(p)) note(reads, `${name}[${p}]`);
        return Reflect.get(t, p);
      },
      set(t, p, v) {
        if (typeof p === 'string' && /^\d+$/.test(p)) note(writes, `${name}[${p}]`);
        return Reflect.set(t, p, v);
      },
    });
  }
  return new Proxy(s, {
    get(t, p) {
      if (typeof p !== 'string' || !Object.hasOwn(t, p)) return Reflect.get(t, p);
      if (Object.hasOwn(arrays, p)) return arrays[p];
      note(reads, p);
      return t[p];
    },
    set(t, p, v) {
      if (typeof p === 'string') note(writes, p);
      return Reflect.set(t, p, v);
    },
  });
}

function plainOf(model: Model, json: JsonState): Plain {
  const v = model.layout.vector();
  model.layout.fromJson(json, v);
  return model.layout.toPlain(v) as unknown as Plain;
}

/** The longest run {@link explainRun} takes: its memory grows with the square of the steps (an ancestor bitset per step). */
export const MAX_EXPLAIN_STEPS = 20_000;

/** Limits on one explanation (see {@link explainRun}). */
export interface ExplainOptions {
  /** Stop (throw {@link ExplainStopped}) after this many milliseconds. */
  readonly timeLimitMs?: number;
  /** Stop before resident memory passes this many bytes. */
  readonly maxMemoryBytes?: number;
  /** A location (`latest`, `lockHolder[0]`) in the model's words, for the orderings' `words` (default: as it is; see `locationNamer`). */
  readonly locationName?: (location: string) => string;
}

/** A limit stopped an explanation before it was complete: nothing partial is claimed. */
export class ExplainStopped extends Error {
  override name = 'ExplainStopped';
  constructor(
    readonly stoppedBy: 'time-limit' | 'max-memory' | 'max-steps',
    message: string,
  ) {
    super(message);
  }
}

/** How a reordered run ends: the position (1-based) of the step it could not take, or whether the property breaks at its end. */
interface Ending {
  readonly stuckAt?: number;
  readonly breaks: boolean;
  /** Whether it ends in the original run's last state. */
  readonly same: boolean;
}

/** Explains a run of `model` (see the module comment). Throws ExplainStopped when a limit stops it. */
export function explainRun(model: Model, run: RunToExplain, options: ExplainOptions = {}): Explanation {
  const n = run.steps.length;
  if (n > MAX_EXPLAIN_STEPS)
    throw new ExplainStopped('max-steps', `the run has ${n} steps; explain takes at most ${MAX_EXPLAIN_STEPS} (its memory grows with the square of the steps)`);
  const started = performance.now();
  const timeLimitMs = options.timeLimitMs ?? Infinity;
  const maxMemoryBytes = options.maxMemoryBytes ?? Infinity;
  const named = options.locationName ?? ((l: string): string => l);
  let work = 0;
  /** Counts `units` of work; every few thousand, the limits. */
  const spend = (units: number): void => {
    work += units;
    if (work < 4096) return;
    work = 0;
    if (performance.now() - started >= timeLimitMs) throw new ExplainStopped('time-limit', 'the time limit (--time-limit) stopped explain');
    if (maxMemoryBytes !== Infinity && process.memoryUsage.rss() > maxMemoryBytes)
      throw new ExplainStopped('max-memory', 'the memory limit (--max-memory) stopped explain');
  };
  const layout = model.layout;
  const kernel = kernelOf(model);
  const initial = plainOf(model, run.initial);
  const steps: StepAccess[] = [];
  const S = layout.size;
  // The state before each step, and after the last: prefix[k * S ...] (unpacked: a replay compares against it slot by slot).
  const prefix = new Int32Array((n + 1) * S);
  const ts = new Int32Array(n);
  let state = structuredClone(initial);
  const vec = layout.vector();
  layout.fromPlain(initial as never, prefix.subarray(0, S));
  run.steps.forEach((st, i) => {
    const reads: string[] = [];
    const writes: string[] = [];
    const next = structuredClone(state);
    const view = recording(model, next, reads, writes) as unknown as StateOf<FieldSpec>;
    // Through the kernel, as every run of a model: the guard's reads and the effect's writes are recorded.
    const t = kernel.resolve(view, st.action, st.actor);
    if (typeof t !== 'number') throw new Error(`step ${i + 1}: ${t.reason}`);
    kernel.apply(view, t);
    const { role } = kernel.transitions[t];
    steps.push({ step: i + 1, action: st.action, role, actor: st.actor, who: actorName(model, role, st.actor), narration: st.narration, reads, writes });
    ts[i] = t;
    state = next;
    layout.fromPlain(next as never, vec);
    prefix.set(vec, (i + 1) * S);
    spend(1);
  });

  const depends = (i: number, j: number): { reasons: EdgeReason[]; on: string[] } | null => {
    const a = steps[i];
    const b = steps[j];
    const reasons: EdgeReason[] = [];
    const on: string[] = [];
    const add = (r: EdgeReason, locs: string[]): void => {
      if (locs.length === 0) return;
      reasons.push(r);
      for (const l of locs) if (!on.includes(l)) on.push(l);
    };
    if (a.role === b.role && a.actor === b.actor) reasons.push('same actor');
    add(
      'reads what it wrote',
      b.reads.filter((l) => a.writes.includes(l)),
    );
    add(
      'overwrites what it wrote',
      b.writes.filter((l) => a.writes.includes(l)),
    );
    add(
      'overwrites what it read',
      b.writes.filter((l) => a.reads.includes(l) && !a.writes.includes(l)),
    );
    return reasons.length > 0 ? { reasons, on } : null;
  };

  // The steps a step may be directly ordered after without the order following from others: the same actor's step
  // before it, the last writer of each location it reads or writes, and the readers of each location it writes since
  // that location was last written. (An earlier writer or reader is ordered before that last writer, so before it.)
  const lastWriter = new Map<string, number>();
  const readersSince = new Map<string, number[]>();
  const lastOfActor = new Map<string, number>();
  const candidates: number[][] = [];
  for (let j = 0; j < n; j++) {
    const s = steps[j];
    const c = new Set<number>();
    const actorKey = `${s.role}#${s.actor}`;
    const prev = lastOfActor.get(actorKey);
    if (prev !== undefined) c.add(prev);
    lastOfActor.set(actorKey, j);
    for (const l of s.reads) {
      const w = lastWriter.get(l);
      if (w !== undefined) c.add(w);
    }
    for (const l of s.writes) {
      const w = lastWriter.get(l);
      if (w !== undefined) c.add(w);
      for (const r of readersSince.get(l) ?? []) c.add(r);
    }
    for (const l of s.reads) {
      if (s.writes.includes(l)) continue;
      const list = readersSince.get(l);
      if (list) list.push(j);
      else readersSince.set(l, [j]);
    }
    for (const l of s.writes) {
      lastWriter.set(l, j);
      readersSince.set(l, []);
    }
    candidates.push([...c].sort((x, y) => x - y));
  }

  // Ancestors as bitsets over step indices (the transitive closure of the direct orderings).
  const WB = (n + 31) >>> 5;
  const anc = new Uint32Array(n * WB);
  const has = (j: number, i: number): boolean => (anc[j * WB + (i >>> 5)] & (1 << (i & 31))) !== 0;
  for (let j = 0; j < n; j++) {
    const row = j * WB;
    for (const m of candidates[j]) {
      const from = m * WB;
      for (let w = 0, top = (m >>> 5) + 1; w < top; w++) anc[row + w] |= anc[from + w];
      anc[row + (m >>> 5)] |= 1 << (m & 31);
    }
    spend(candidates[j].length * (1 + (j >>> 10)));
  }
  // The transitive reduction: a direct ordering i -> j that no other path implies (no other candidate of j descends from i).
  const edges: HbEdge[] = [];
  const firstAfter = new Int32Array(n).fill(n);
  for (let j = 0; j < n; j++) {
    for (const i of candidates[j]) {
      if (j < firstAfter[i]) firstAfter[i] = j;
      const d = depends(i, j);
      if (!d) continue;
      if (candidates[j].some((m) => m !== i && m > i && has(m, i))) continue;
      edges.push({ from: i + 1, to: j + 1, reasons: d.reasons, on: d.on });
    }
  }

  // Replays: from the recorded state before position `start`, the steps in `order` (one per position from `start`),
  // then the original steps; stops as soon as the state is the original one again at the same position.
  const cur = layout.vector();
  const curView = layout.view(cur);
  const packed = new Uint32Array(layout.words);
  const property = run.property;
  const isInvariant = model.invariants.some((p) => p.name === property);
  // Whether the run's property breaks at its last step: a state invariant in the last state, a step invariant on the last step.
  const breaksAt = (before: Int32Array, last: Int32Array): boolean =>
    breaksAlong(model, isInvariant ? [layout.toPlain(last)] : [layout.toPlain(before), layout.toPlain(last)], [property]).length > 0;
  const before = layout.vector();
  const lastOriginal = prefix.slice(n * S, n * S + S);
  const beforeOriginal = prefix.slice(Math.max(0, n - 1) * S, Math.max(0, n - 1) * S + S);
  const originalBreaks = breaksAt(beforeOriginal, lastOriginal);
  const ending = (start: number, order: readonly number[]): Ending => {
    cur.set(prefix.subarray(start * S, start * S + S));
    const windowEnd = start + order.length;
    for (let p = start; p < n; p++) {
      const k = p < windowEnd ? order[p - start] : p;
      spend(1);
      if (!kernel.enabled(curView, ts[k])) return { stuckAt: p + 1, breaks: false, same: false };
      if (p === n - 1) before.set(cur);
      kernel.apply(curView, ts[k]);
      if (p + 1 >= windowEnd) {
        let same = true;
        for (let x = 0, o = (p + 1) * S; x < S; x++)
          if (cur[x] !== prefix[o + x]) {
            same = false;
            break;
          }
        // The same state at the same position, after the same steps: the rest is the original run.
        if (same && p + 1 < n) return { breaks: originalBreaks, same: true };
        if (same) return { breaks: breaksAt(before, cur), same: true };
      }
    }
    layout.pack(cur, packed, 0); // throws on a value outside its range, as replay does
    return { breaks: n > 0 && breaksAt(before, cur), same: false };
  };

  // Movable steps: between the last step it depends on and the first that depends on it; checked by replay at both ends.
  const movable: Movable[] = [];
  for (let i = 0; i < n; i++) {
    let earliest = 0;
    for (const k of candidates[i]) earliest = Math.max(earliest, k + 1);
    const latest = firstAfter[i] - 1;
    if (earliest === i && latest === i) continue;
    const range = (a: number, b: number): number[] => [...Array(Math.max(0, b - a)).keys()].map((k) => k + a);
    const same = (to: number): boolean => {
      if (to === i) return true;
      const e = to < i ? ending(to, [i, ...range(to, i)]) : ending(i, [...range(i + 1, to + 1), i]);
      return e.stuckAt === undefined && e.same;
    };
    if (same(earliest) && same(latest)) movable.push({ step: i + 1, earliest: earliest + 1, latest: latest + 1 });
  }

  // Critical orderings: an edge between two actors whose reversal loses the outcome.
  const critical: CriticalOrdering[] = [];
  for (const e of edges) {
    const i = e.from - 1;
    const j = e.to - 1;
    if (steps[i].role === steps[j].role && steps[i].actor === steps[j].actor) continue;
    const between = [...Array(j - i - 1).keys()].map((k) => k + i + 1);
    const lifted = between.filter((k) => has(j, k));
    const window = [...lifted, j, i, ...between.filter((k) => !has(j, k))];
    const r = ending(i, window);
    let reversed: string | null = null;
    let stuck: number | undefined;
    if (r.stuckAt !== undefined) {
      const p = r.stuckAt - 1;
      const k = p < i + window.length ? window[p - i] : p;
      stuck = k + 1;
      reversed = `step ${k + 1} (${steps[k].who}: ${steps[k].action}) could no longer be taken`;
    } else if (originalBreaks && !r.breaks) reversed = `${run.property} would no longer break`;
    if (reversed === null) continue;
    const a = steps[i];
    const b = steps[j];
    critical.push({
      before: e.from,
      after: e.to,
      on: e.on,
      reversed,
      ...(stuck === undefined ? {} : { stuck }),
      words: `step ${b.step} (${b.narration}) must come after step ${a.step} (${a.narration})${e.on.length > 0 ? `, through ${e.on.map(named).join(', ')}` : ''}: reversed, ${reversed}`,
    });
  }

  return {
    property: run.property,
    outcome: originalBreaks ? `${run.property} breaks in the last state` : `the run ends in its last state`,
    steps,
    edges,
    movable,
    critical,
  };
}

/** The explanation as JSON (every field plain data). */
export function explanationJson(x: Explanation): Json {
  return JSON.parse(JSON.stringify(x)) as Json;
}
