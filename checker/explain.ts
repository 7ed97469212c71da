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
import type { FieldSpec, Json, JsonState, StateOf } from './layout.js';
import { actorName, type Model } from './model.js';
import { replay, type ScheduleStep } from './path.js';

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

/** How a reordered run ends: the step it could not take, or whether the property breaks at its end, and its last state. */
interface Ending {
  readonly stuckAt?: number;
  readonly breaks: boolean;
  readonly last: string;
}

function ending(model: Model, initial: Plain, property: string, schedule: readonly ScheduleStep[]): Ending {
  const run = replay(model, initial as unknown as StateOf<FieldSpec>, schedule);
  if (run.failure) return { stuckAt: run.failure.step, breaks: false, last: '' };
  const states = [run.initial, ...run.steps.map((s) => s.state)];
  const last = states[states.length - 1];
  const before = states[states.length - 2] ?? last;
  const inv = model.invariants.find((p) => p.name === property);
  const stepInv = model.stepInvariants.find((p) => p.name === property);
  const breaks = inv ? !inv.holds(last) : stepInv ? !stepInv.holds(before, last) : false;
  const v = model.layout.vector();
  model.layout.fromPlain(last, v);
  return { breaks, last: JSON.stringify(model.layout.toJson(v)) };
}

/** Explains a run of `model` (see the module comment). */
export function explainRun(model: Model, run: RunToExplain): Explanation {
  const n = run.steps.length;
  const initial = plainOf(model, run.initial);
  const steps: StepAccess[] = [];
  let state = structuredClone(initial);
  run.steps.forEach((st, i) => {
    const action = model.actions.find((a) => a.name === st.action);
    if (!action) throw new Error(`step ${i + 1}: ${st.action} is not an action of model ${model.name}`);
    const reads: string[] = [];
    const writes: string[] = [];
    const next = structuredClone(state);
    const view = recording(model, next, reads, writes) as unknown as StateOf<FieldSpec>;
    if (!action.guard(view, st.actor)) throw new Error(`step ${i + 1}: ${st.action} by ${st.actor} is not enabled`);
    action.effect(view, st.actor);
    steps.push({
      step: i + 1,
      action: st.action,
      role: action.role,
      actor: st.actor,
      who: actorName(model, action.role, st.actor),
      narration: st.narration,
      reads,
      writes,
    });
    state = next;
  });

  // Direct dependencies, then the transitive closure (ancestors as bitsets over step indices).
  const direct: { reasons: EdgeReason[]; on: string[] }[][] = steps.map(() => []);
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
  const anc: Set<number>[] = steps.map(() => new Set<number>());
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < j; i++) {
      const d = depends(i, j);
      direct[j][i] = d ?? { reasons: [], on: [] };
      if (d) {
        anc[j].add(i);
        for (const k of anc[i]) anc[j].add(k);
      }
    }
  }
  // The transitive reduction: i -> j directly dependent with no k between them on a path.
  const edges: HbEdge[] = [];
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < j; i++) {
      const d = direct[j][i];
      if (d.reasons.length === 0) continue;
      let implied = false;
      for (let k = i + 1; k < j && !implied; k++) if (anc[j].has(k) && anc[k].has(i)) implied = true;
      if (!implied) edges.push({ from: i + 1, to: j + 1, reasons: d.reasons, on: d.on });
    }
  }

  const schedule: ScheduleStep[] = run.steps.map((s) => ({ action: s.action, actor: s.actor }));
  const original = ending(model, initial, run.property, schedule);
  const order = (idx: readonly number[]): ScheduleStep[] => idx.map((k) => schedule[k]);

  // Movable steps: between the last step it depends on and the first that depends on it; checked by replay at both ends.
  const movable: Movable[] = [];
  for (let i = 0; i < n; i++) {
    let earliest = 0;
    for (const k of anc[i]) earliest = Math.max(earliest, k + 1);
    let latest = n - 1;
    for (let j = i + 1; j < n; j++) {
      if (anc[j].has(i)) {
        latest = j - 1;
        break;
      }
    }
    if (earliest === i && latest === i) continue;
    const moved = (to: number): number[] => {
      const rest = [...Array(n).keys()].filter((k) => k !== i);
      rest.splice(to, 0, i);
      return rest;
    };
    const same = (to: number): boolean => {
      const e = ending(model, initial, run.property, order(moved(to)));
      return e.stuckAt === undefined && e.last === original.last;
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
    const lifted = between.filter((k) => anc[j].has(k));
    const idx = [...Array(i).keys(), ...lifted, j, i, ...between.filter((k) => !anc[j].has(k)), ...[...Array(n - j - 1).keys()].map((k) => k + j + 1)];
    const r = ending(model, initial, run.property, order(idx));
    let reversed: string | null = null;
    if (r.stuckAt !== undefined) {
      const k = idx[r.stuckAt - 1];
      reversed = `step ${k + 1} (${steps[k].who}: ${steps[k].action}) could no longer be taken`;
    } else if (original.breaks && !r.breaks) reversed = `${run.property} would no longer break`;
    if (reversed === null) continue;
    const a = steps[i];
    const b = steps[j];
    critical.push({
      before: e.from,
      after: e.to,
      on: e.on,
      reversed,
      words: `step ${b.step} (${b.narration}) must come after step ${a.step} (${a.narration})${e.on.length > 0 ? `, through ${e.on.join(', ')}` : ''}: reversed, ${reversed}`,
    });
  }

  return {
    property: run.property,
    outcome: original.breaks ? `${run.property} breaks in the last state` : `the run ends in its last state`,
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
