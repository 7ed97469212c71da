import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exploreGraph } from '../../../checker/liveness/graph.js';
import { defineLayout, int, type StateOf } from '../../../checker/state/layout.js';
import { checkLiveness, checkModelLiveness, loopIsFair, type Lasso, type LivenessVerdict } from '../../../checker/liveness/liveness.js';
import type { Model } from '../../../checker/model/model.js';
import { replay } from '../../../checker/model/replay.js';
import { fairnessGroups, validateLiveness, type FairnessDecl, type FairnessMode } from '../../../checker/liveness/temporal.js';
import { climbModel, lossyChannelModel, petersonModel, starvingMutexModel } from '../../../models/toys/liveness.js';
import { check } from '../../../checker/explore/bfs.js';

// ---------------------------------------------------------------------------
// Random labelled graphs as models, and a naive reference written apart from
// the checker: it enumerates every subset of states as a candidate set of
// states visited infinitely often.

interface LGraph {
  nodes: number;
  /** out[v]: v's edges in order, each to a node by one of the actions 0..ACTIONS-1. */
  out: { to: number; a: number }[][];
  initial: number[];
  p: boolean[];
  q: boolean[];
  /** Fairness per group of one action, and optionally per actor (slot). */
  fair: { a: number; kind: 'weak' | 'strong' }[];
  slotFair: 'weak' | 'strong' | null;
}

const ACTIONS = 3;

const lgraphArb: fc.Arbitrary<LGraph> = fc.integer({ min: 1, max: 8 }).chain((nodes) =>
  fc.record({
    nodes: fc.constant(nodes),
    out: fc.array(fc.array(fc.record({ to: fc.nat(nodes - 1), a: fc.nat(ACTIONS - 1) }), { maxLength: 3 }), { minLength: nodes, maxLength: nodes }),
    initial: fc.array(fc.nat(nodes - 1), { minLength: 1, maxLength: 2 }),
    p: fc.array(fc.boolean(), { minLength: nodes, maxLength: nodes }),
    q: fc.array(fc.boolean(), { minLength: nodes, maxLength: nodes }),
    fair: fc.array(fc.record({ a: fc.nat(ACTIONS - 1), kind: fc.constantFrom('weak' as const, 'strong' as const) }), { maxLength: 3 }),
    slotFair: fc.constantFrom(null, 'weak' as const, 'strong' as const),
  }),
);

function lgraphModel(g: LGraph) {
  const layout = defineLayout({ node: int(0, g.nodes - 1) });
  type S = StateOf<typeof layout.fields>;
  const degree = Math.max(1, ...g.out.map((o) => o.length));
  const P = { description: 'p', holds: (s: S) => g.p[s.node] };
  const Q = { description: 'q', holds: (s: S) => g.q[s.node] };
  const fairness: FairnessDecl[] = g.fair.map((f) => ({ kind: f.kind, actions: [`act${f.a}`], per: 'group' as const }));
  if (g.slotFair) fairness.push({ kind: g.slotFair, role: 'slot' });
  const model: Model<typeof layout.fields> = {
    name: 'lgraph',
    params: {},
    layout,
    roles: { slot: degree },
    init: g.initial.map((node) => ({ node })),
    actions: [...Array(ACTIONS).keys()].map((a) => ({
      name: `act${a}`,
      role: 'slot',
      guard: (s: S, j: number) => j < g.out[s.node].length && g.out[s.node][j].a === a,
      effect: (s: S, j: number) => void (s.node = g.out[s.node][j].to),
    })),
    invariants: [],
    stepInvariants: [],
    liveness: [
      { kind: 'eventually', name: 'ev', description: 'F p', goal: P },
      { kind: 'alwaysEventually', name: 'gf', description: 'GF p', goal: P },
      { kind: 'leadsTo', name: 'lt', description: 'p ~> q', from: P, to: Q },
      { kind: 'alwaysReachable', name: 'ar', description: 'AG EF p', goal: P },
    ],
    fairness,
  };
  return model;
}

/** Reference fairness groups: which (action, slot) edges each covers. */
interface RefGroup {
  kind: 'weak' | 'strong';
  covers: (a: number, slot: number) => boolean;
}

function refGroups(g: LGraph, mode: FairnessMode): RefGroup[] {
  if (mode === 'none') return [];
  const kindOf = (k: 'weak' | 'strong'): 'weak' | 'strong' => (mode === 'declared' ? k : mode);
  const out: RefGroup[] = g.fair.map((f) => ({ kind: kindOf(f.kind), covers: (a: number) => a === f.a }));
  if (g.slotFair) {
    const degree = Math.max(1, ...g.out.map((o) => o.length));
    for (let j = 0; j < degree; j++) out.push({ kind: kindOf(g.slotFair), covers: (_a: number, slot: number) => slot === j });
  }
  return out;
}

function reachFrom(g: LGraph, sources: number[], allowed: (v: number) => boolean): Set<number> {
  const seen = new Set<number>(sources.filter(allowed));
  const queue = [...seen];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const { to } of g.out[v]) {
      if (allowed(to) && !seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

const enabledAt = (g: LGraph, gr: RefGroup, v: number): boolean => g.out[v].some((e, j) => gr.covers(e.a, j));

/** Whether some fair behaviour stays in R forever: a terminal state in R, or a strongly connected fair subset of R. */
function refFairStay(g: LGraph, R: Set<number>, groups: RefGroup[]): boolean {
  const list = [...R];
  if (list.some((v) => g.out[v].length === 0)) return true;
  for (let mask = 1; mask < 1 << list.length; mask++) {
    const S = new Set(list.filter((_, i) => mask & (1 << i)));
    const internal: { u: number; j: number; a: number; to: number }[] = [];
    for (const u of S) {
      g.out[u].forEach((e, j) => {
        if (S.has(e.to)) internal.push({ u, j, a: e.a, to: e.to });
      });
    }
    if (internal.length === 0) continue;
    const connected = [...S].every((u) => {
      const seen = new Set([u]);
      const queue = [u];
      while (queue.length > 0) {
        const v = queue.shift()!;
        for (const e of internal) {
          if (e.u === v && !seen.has(e.to)) {
            seen.add(e.to);
            queue.push(e.to);
          }
        }
      }
      return seen.size === S.size;
    });
    if (!connected) continue;
    const fair = groups.every((gr) => {
      if (internal.some((e) => gr.covers(e.a, e.j))) return true;
      return gr.kind === 'weak' ? [...S].some((v) => !enabledAt(g, gr, v)) : [...S].every((v) => !enabledAt(g, gr, v));
    });
    if (fair) return true;
  }
  return false;
}

function distances(g: LGraph): Map<number, number> {
  const dist = new Map<number, number>();
  const queue: number[] = [];
  for (const v of g.initial) {
    if (!dist.has(v)) {
      dist.set(v, 0);
      queue.push(v);
    }
  }
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const { to } of g.out[v]) {
      if (!dist.has(to)) {
        dist.set(to, dist.get(v)! + 1);
        queue.push(to);
      }
    }
  }
  return dist;
}

/** The reference verdicts, and the stuck states for `ar`. */
function reference(g: LGraph, mode: FairnessMode) {
  const groups = refGroups(g, mode);
  const dist = distances(g);
  const reachable = new Set(dist.keys());
  const ev = refFairStay(
    g,
    reachFrom(g, g.initial, (v) => !g.p[v]),
    groups,
  );
  const gf = refFairStay(g, new Set([...reachable].filter((v) => !g.p[v])), groups);
  const triggers = [...reachable].filter((v) => g.p[v] && !g.q[v]);
  const lt = refFairStay(
    g,
    reachFrom(g, triggers, (v) => !g.q[v]),
    groups,
  );
  const canRecover = (v: number): boolean => [...reachFrom(g, [v], () => true)].some((w) => g.p[w]);
  const stuck = [...reachable].filter((v) => !canRecover(v));
  return { groups, dist, ev, gf, lt, stuck, canRecover };
}

/** The nodes along a lasso, replayed through the model; checks that it replays and closes. */
function replayLasso(model: ReturnType<typeof lgraphModel>, g: LGraph, lasso: Lasso): { nodes: number[]; slots: number[]; actions: number[] } {
  const schedule = [...lasso.prefix, ...lasso.loop].map((t) => ({ action: t.name, actor: t.actor }));
  const run = replay(model, model.init[lasso.initial], schedule);
  expect(run.failure).toBeUndefined();
  const nodes = [run.initial.node, ...run.steps.map((s) => s.state.node)];
  expect(nodes[nodes.length - 1]).toBe(nodes[lasso.prefix.length]);
  expect(lasso.states[lasso.states.length - 1]).toBe(lasso.states[lasso.prefix.length]);
  if (lasso.loop.length === 0) expect(g.out[nodes[nodes.length - 1]]).toHaveLength(0);
  return { nodes, slots: schedule.map((s) => s.actor), actions: schedule.map((s) => Number(s.action.slice(3))) };
}

/** The reference's own judgement of a lasso's loop. */
function refLoopFair(g: LGraph, groups: RefGroup[], lasso: Lasso, r: { nodes: number[]; slots: number[]; actions: number[] }): boolean {
  const k = lasso.prefix.length;
  if (lasso.loop.length === 0) return g.out[r.nodes[k]].length === 0;
  const loopNodes = r.nodes.slice(k, r.nodes.length - 1);
  return groups.every((gr) => {
    for (let i = k; i < r.slots.length; i++) if (gr.covers(r.actions[i], r.slots[i])) return true;
    return gr.kind === 'weak' ? loopNodes.some((v) => !enabledAt(g, gr, v)) : loopNodes.every((v) => !enabledAt(g, gr, v));
  });
}

const modeArb = fc.constantFrom<FairnessMode>('declared', 'none', 'weak', 'strong');

describe('liveness against a naive reference on random graphs', () => {
  it('eventually, always eventually and leads to: verdicts agree; every lasso replays, closes, stays where it must and is fair', () => {
    fc.assert(
      fc.property(lgraphArb, modeArb, (g, mode) => {
        const model = lgraphModel(g);
        const graph = exploreGraph(model);
        const ref = reference(g, mode);
        const verdicts = checkLiveness(graph, { fairness: mode });
        const by = (name: string): LivenessVerdict => verdicts.find((v) => v.property === name)!;
        const groups = fairnessGroups(model, graph.transitions, mode);
        expect(by('ev').status).toBe(ref.ev ? 'violated' : 'holds');
        expect(by('gf').status).toBe(ref.gf ? 'violated' : 'holds');
        expect(by('lt').status).toBe(ref.lt ? 'violated' : 'holds');
        for (const name of ['ev', 'gf', 'lt']) {
          const v = by(name);
          if (v.status !== 'violated') continue;
          const lasso = v.lasso!;
          const r = replayLasso(model, g, lasso);
          const k = lasso.prefix.length;
          expect(refLoopFair(g, ref.groups, lasso, r)).toBe(true);
          expect(loopIsFair(graph, lasso, groups)).toBe(true);
          if (name === 'ev') expect(r.nodes.every((x) => !g.p[x])).toBe(true);
          if (name === 'gf') expect(r.nodes.slice(k).every((x) => !g.p[x])).toBe(true);
          if (name === 'lt') {
            // Some state up to the loop's start has p and not q, and no state from there on has q.
            const i = r.nodes.findIndex((x, j) => j <= k && g.p[x] && !g.q[x] && r.nodes.slice(j).every((y) => !g.q[y]));
            expect(i).toBeGreaterThanOrEqual(0);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('eventually P without fairness: violated iff a cycle or a terminal state lies among the non-P states reachable through non-P states', () => {
    fc.assert(
      fc.property(lgraphArb, (g) => {
        const R = reachFrom(g, g.initial, (v) => !g.p[v]);
        // A cycle in R: some v in R reaches itself in one or more steps inside R.
        const cycle = [...R].some((v) =>
          [
            ...reachFrom(
              g,
              g.out[v].map((e) => e.to),
              (w) => R.has(w),
            ),
          ].includes(v),
        );
        const terminal = [...R].some((v) => g.out[v].length === 0);
        const [ev] = checkLiveness(exploreGraph(lgraphModel(g)), { properties: ['ev'], fairness: 'none' });
        expect(ev.status).toBe(cycle || terminal ? 'violated' : 'holds');
      }),
      { numRuns: 300 },
    );
  });

  it('always reachable: stuck iff some reachable state cannot reach a goal; the counterexample is shortest and its evidence exact', () => {
    fc.assert(
      fc.property(lgraphArb, modeArb, (g, mode) => {
        const model = lgraphModel(g);
        const graph = exploreGraph(model);
        const ref = reference(g, mode);
        const [ar] = checkLiveness(graph, { properties: ['ar'], fairness: mode });
        if (ref.stuck.length === 0) {
          expect(ar.status).toBe('holds');
          return;
        }
        expect(ar.status).toBe('violated');
        const stuck = ar.stuck!;
        const vec = model.layout.vector();
        graph.unpackState(stuck.state, vec);
        const node = vec[0];
        expect(ref.stuck).toContain(node);
        expect(stuck.steps).toBe(Math.min(...ref.stuck.map((v) => ref.dist.get(v)!)));
        expect(stuck.reachable).toBe(reachFrom(g, [node], () => true).size);
        const r = replayLasso(model, g, ar.lasso!);
        expect(r.nodes[stuck.steps]).toBe(node);
        expect(r.nodes.slice(stuck.steps).every((x) => !ref.canRecover(x))).toBe(true);
        expect(refLoopFair(g, ref.groups, ar.lasso!, r)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('toy models with known liveness results', () => {
  const verdict = (m: Model, property: string, fairness: FairnessMode): LivenessVerdict =>
    checkModelLiveness(m, { properties: [property], fairness }).verdicts[0];
  const names = (ts: readonly { name: string; actor: number }[]): string[] => ts.map((t) => `${t.name}(${t.actor})`);

  it('Peterson: process 0 starves without fairness, and not under weak or strong fairness', () => {
    const m = petersonModel();
    const none = verdict(m, 'noStarvation', 'none');
    expect(none.status).toBe('violated');
    // Process 0 asks, then process 1 goes round forever with process 0's flag still down.
    expect(names(none.lasso!.prefix)).toEqual(['request(0)']);
    expect(names(none.lasso!.loop)).toEqual(['request(1)', 'raise(1)', 'yieldTurn(1)', 'enter(1)', 'exit(1)']);
    expect(verdict(m, 'noStarvation', 'declared').status).toBe('holds');
    expect(verdict(m, 'noStarvation', 'weak').status).toBe('holds');
    expect(verdict(m, 'noStarvation', 'strong').status).toBe('holds');
    // And it is a mutex: the safety search and the graph count the same states.
    const r = check(m);
    expect(r.status).toBe('ok');
    expect(exploreGraph(m).size).toBe(r.distinctStates);
  });

  it('the lock mutex needs strong fairness: process 0 starves under weak fairness, not under strong', () => {
    const m = starvingMutexModel();
    for (const f of ['none', 'weak'] as const) {
      const v = verdict(m, 'noStarvation', f);
      expect(v.status).toBe('violated');
      expect(names(v.lasso!.prefix)).toEqual(['request(0)']);
      expect(names(v.lasso!.loop)).toEqual(['request(1)', 'enter(1)', 'exit(1)']);
    }
    expect(verdict(m, 'noStarvation', 'strong').status).toBe('holds');
  });

  it('a lossy channel delivers under strong fairness of deliver (declared per group of actions), not under weak', () => {
    const m = lossyChannelModel();
    for (const p of ['eventuallyDelivered', 'deliveredOften', 'sentLeadsToDelivered']) {
      for (const f of ['none', 'weak'] as const) {
        const v = verdict(m, p, f);
        expect(v.status).toBe('violated');
        expect(names(v.lasso!.loop).sort()).toEqual(['lose(0)', 'send(0)']);
      }
      expect(verdict(m, p, 'declared').status).toBe('holds');
      expect(verdict(m, p, 'strong').status).toBe('holds');
    }
    const g = exploreGraph(m);
    expect(fairnessGroups(m, g.transitions, 'declared').map((x) => x.label)).toEqual(['SF(deliver)', 'WF(sender)', 'WF(receiver)']);
  });

  it('a terminal state repeats forever: the climb reaches its top, and then never returns to 0 (an empty loop)', () => {
    const m = climbModel(3);
    for (const f of ['none', 'declared', 'strong'] as const) {
      expect(verdict(m, 'reachesTop', f).status).toBe('holds');
      const v = verdict(m, 'returnsToZero', f);
      expect(v.status).toBe('violated');
      expect(v.lasso!.prefix).toHaveLength(3);
      expect(v.lasso!.loop).toHaveLength(0);
    }
  });

  it('Tarjan is iterative: a ring of 200,000 states is one component, checked without overflowing the stack', () => {
    const N = 200_000;
    const layout = defineLayout({ n: int(0, N - 1) });
    type S = StateOf<typeof layout.fields>;
    const ring: Model<typeof layout.fields> = {
      name: 'ring',
      params: {},
      layout,
      roles: { walker: 1 },
      init: [{ n: 0 }],
      actions: [{ name: 'step', role: 'walker', guard: () => true, effect: (s: S) => void (s.n = (s.n + 1) % N) }],
      invariants: [],
      stepInvariants: [],
      liveness: [
        { kind: 'alwaysEventually', name: 'passesZero', description: 'n = 0 infinitely often', goal: { description: 'n = 0', holds: (s: S) => s.n === 0 } },
        { kind: 'alwaysEventually', name: 'passesNowhere', description: 'never', goal: { description: 'false', holds: () => false } },
      ],
    };
    const r = checkModelLiveness(ring);
    expect(r.graph.size).toBe(N);
    expect(r.verdicts.map((v) => v.status)).toEqual(['holds', 'violated']);
    expect(r.verdicts[1].lasso!.loop).toHaveLength(N);
  });
});

describe('liveness declarations and results', () => {
  it('rejects bad declarations, naming them', () => {
    const base = climbModel(2);
    expect(() => validateLiveness({ ...base, liveness: [...base.liveness!, base.liveness![0]] })).toThrow(/liveness property reachesTop clashes/);
    expect(() => validateLiveness({ ...base, fairness: [{ kind: 'weak', role: 'nobody' }] })).toThrow(/fairness\[0\]\.role nobody is not one of climber/);
    expect(() => validateLiveness({ ...base, fairness: [{ kind: 'weak', role: 'climber', actions: ['fly'] }] })).toThrow(/fairness\[0\]\.actions names fly/);
    expect(() => validateLiveness({ ...base, fairness: [{ kind: 'fair' as never, role: 'climber' }] })).toThrow(/fairness\[0\]\.kind must be weak or strong/);
    expect(() => checkModelLiveness(base, { properties: ['nope'] })).toThrow(/nope is not a liveness property of model climb \(reachesTop, returnsToZero\)/);
  });

  it('an incomplete graph gives unknown verdicts', () => {
    const r = checkModelLiveness(climbModel(100), { maxStates: 10 });
    expect(r.graph.complete).toBe(false);
    expect(r.verdicts.map((v) => v.status)).toEqual(['unknown', 'unknown']);
  });

  it('is deterministic', () => {
    const a = checkModelLiveness(petersonModel(), { fairness: 'none' }).verdicts;
    const b = checkModelLiveness(petersonModel(), { fairness: 'none' }).verdicts;
    expect(a.map((v) => ({ ...v, durationMs: 0 }))).toEqual(b.map((v) => ({ ...v, durationMs: 0 })));
  });
});
