import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../checker/explore/bfs.js';
import type { StateOf } from '../../checker/state/layout.js';
import { baseModel, combine, observedBy } from '../../checker/package/scenario.js';
import { dnsModel } from '../../models/dns/model.js';
import { dnsPackage } from '../../models/dns/package.js';
import { parseTrace, traceOf } from '../../traces/trace.js';
import { verifyTrace } from '../../traces/verify.js';
import { run } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-scenarios-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Plain = Record<string, number | number[]>;
interface Step {
  action: string;
  actor: number;
  before: Plain;
}

/**
 * The postmortem's story decided on a whole run, written without the
 * observer: the enactor that flips an alias to an older plan lost the lock
 * at least `r` times, since it picked up its plan, on each of at least
 * min(2, endpoints) endpoints.
 */
function tellsPostmortem(steps: readonly Step[], r: number, endpoints: number): boolean {
  const lost = new Map<number, Map<number, number>>();
  for (const { action, actor: e, before } of steps) {
    const at = (f: string, i: number): number => (before[f] as number[])[i];
    if (action === 'pickPlan') lost.set(e, new Map());
    if (action === 'acquireLock' && at('lockHolder', at('endpoint', e)) !== -1) {
      const m = lost.get(e) ?? new Map<number, number>();
      m.set(at('endpoint', e), (m.get(at('endpoint', e)) ?? 0) + 1);
      lost.set(e, m);
    }
    if (action === 'flipAlias') {
      const k = at('endpoint', e);
      const slowOn = [...(lost.get(e) ?? new Map<number, number>()).values()].filter((n) => n >= r).length;
      if (at('plan', e) < at('alias', k) && slowOn >= Math.min(2, endpoints)) return true;
    }
  }
  return false;
}

/** The part of a run's history the story depends on (losses capped at r, per enactor and endpoint; told), recomputed from the whole run. */
function digest(steps: readonly Step[], r: number, endpoints: number): string {
  if (tellsPostmortem(steps, r, endpoints)) return 'told';
  const lost = new Map<number, Map<number, number>>();
  for (const { action, actor: e, before } of steps) {
    const at = (f: string, i: number): number => (before[f] as number[])[i];
    if (action === 'pickPlan') lost.set(e, new Map());
    if (action === 'acquireLock' && at('lockHolder', at('endpoint', e)) !== -1) {
      const m = lost.get(e) ?? new Map<number, number>();
      m.set(at('endpoint', e), Math.min(r, (m.get(at('endpoint', e)) ?? 0) + 1));
      lost.set(e, m);
    }
  }
  return JSON.stringify([...lost.entries()].map(([e, m]) => [e, [...m.entries()].sort()]).sort());
}

/**
 * A naive breadth-first search over the model's own graph (plain objects,
 * JSON keys, whole runs kept): the length of the shortest run that tells the
 * story and ends with an alias that resolves to nothing.
 */
function naiveShortest(params: Parameters<typeof dnsModel>[0], r: number): number {
  const m = dnsModel(params);
  const endpoints = m.config.endpoints;
  const broken = (s: Plain): boolean => !m.invariants[0].holds(s as unknown as StateOf<typeof m.layout.fields>);
  let frontier: { s: Plain; steps: Step[] }[] = [{ s: structuredClone(m.init[0]) as unknown as Plain, steps: [] }];
  const seen = new Set<string>();
  for (let depth = 0; depth < 60; depth++) {
    const next: typeof frontier = [];
    for (const { s, steps } of frontier) {
      for (const a of m.actions) {
        for (let actor = 0; actor < m.roles[a.role]; actor++) {
          const st = s as unknown as StateOf<typeof m.layout.fields>;
          if (!a.guard(st, actor)) continue;
          const after = structuredClone(s);
          a.effect(after as unknown as StateOf<typeof m.layout.fields>, actor);
          const run = [...steps, { action: a.name, actor, before: s }];
          if (broken(after) && tellsPostmortem(run, r, endpoints)) return run.length;
          const key = JSON.stringify(after) + digest(run, r, endpoints);
          if (seen.has(key)) continue;
          seen.add(key);
          next.push({ s: after, steps: run });
        }
      }
    }
    frontier = next;
  }
  throw new Error('no run tells the story within 60 steps');
}

describe('scenario postmortem', () => {
  it('the shortest violation it accepts equals a naive search over the unconstrained graph filtered by the story (2 enactors, 3 plans, 2 endpoints, retries 1)', () => {
    const params = { variant: 'as-was' as const, enactors: 2, plans: 3, endpoints: 2 };
    const inner = dnsModel(params);
    const model = combine(inner, dnsPackage, 'postmortem', { retries: 1 }, {});
    const r = check(model, { properties: ['aliasResolves'] });
    expect(r.status).toBe('violation');
    expect(r.violations[0].schedule).toHaveLength(22);
    expect(naiveShortest(params, 1)).toBe(22);
    // The trace is a run of the model itself, and tells the story.
    const t = traceOf(baseModel(model), r.violations[0]);
    let before = t.initial;
    const steps: Step[] = t.steps.map((s) => {
      const step = { action: s.action, actor: s.actor, before: before as unknown as Plain };
      before = s.state;
      return step;
    });
    expect(tellsPostmortem(steps, 1, 2)).toBe(true);
    expect(tellsPostmortem(steps.slice(0, -1), 1, 2)).toBe(true);
    // Without the scenario the same configuration breaks sooner: the story costs steps.
    expect(check(inner, { properties: ['aliasResolves'] }).violations[0].schedule.length).toBeLessThan(22);
  });

  it('the counters are part of the searched state: another count than the model alone, the same with symmetry on both sides of a renaming', () => {
    const inner = dnsModel({ variant: 'fixed', enactors: 2, plans: 3, endpoints: 2 });
    const model = combine(inner, dnsPackage, 'postmortem', {}, {});
    const plain = check(inner);
    const withStory = check(model);
    expect(withStory.status).toBe('ok');
    expect(withStory.distinctStates).toBeGreaterThan(plain.distinctStates);
    expect(observedBy(model)).toEqual({ scenario: { name: 'postmortem', params: { retries: 2 } }, constraints: {} });
    expect(model.symmetry?.indexed).toEqual([...(inner.symmetry?.indexed ?? []), 'scLost', 'scSlowOn']);
    expect(check(model, { symmetry: true }).distinctStates).toBeLessThan(withStory.distinctStates);
  });

  it('dnsmc check --variant as-was --endpoints 2 --property aliasResolves --scenario postmortem: exit 1, 26 steps, the stale enactor lost the lock twice on each endpoint first', async () => {
    const out = join(dir, 'pm.json');
    const r = await run(['check', '--variant', 'as-was', '--endpoints', '2', '--property', 'aliasResolves', '--scenario', 'postmortem', '--trace-out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('restricted to: scenario postmortem (retries 2)');
    expect(r.stdout).toContain('aliasResolves violated after 26 steps');
    expect(r.stdout).toContain('2,104,409 distinct states');
    const t = parseTrace(JSON.parse(readFileSync(out, 'utf8')));
    expect(t.scenario).toEqual({ name: 'postmortem', params: { retries: 2 } });
    expect(t.steps).toHaveLength(26);
    expect(Object.keys(t.initial)).toEqual(Object.keys(dnsModel().layout.fields));
    verifyTrace(dnsModel({ variant: 'as-was', endpoints: 2 }), t);
    // Who flips stale, and its lost races before that flip, per endpoint.
    const isStale = (i: number): boolean => {
      const s = t.steps[i];
      const b = i === 0 ? t.initial : t.steps[i - 1].state;
      return s.action === 'flipAlias' && (b.plan as number[])[s.actor] < (b.alias as number[])[(b.endpoint as number[])[s.actor]];
    };
    const stale = t.steps.filter((_s, i) => isStale(i)).at(-1)!;
    const losses = [0, 0];
    for (const s of t.steps.slice(0, stale.step - 1)) {
      if (s.actor === stale.actor && s.action === 'acquireLock' && s.narration.includes('loses the lock race of endpoint')) {
        losses[Number(/endpoint (\d)/.exec(s.narration)![1])]++;
      }
    }
    expect(losses[0]).toBeGreaterThanOrEqual(2);
    expect(losses[1]).toBeGreaterThanOrEqual(2);
  });

  it('--variant fixed: exit 0', async () => {
    const r = await run(['check', '--variant', 'fixed', '--endpoints', '2', '--property', 'aliasResolves', '--scenario', 'postmortem', '--workers', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('holds in all 2,047,339 reachable states');
    expect(r.stdout).toContain('2 workers');
    // Workers rebuild the combined model from its origin: one thread counts the same (a smaller configuration, to keep the suite short).
    const small = [
      'check',
      '--variant',
      'fixed',
      '--plans',
      '3',
      '--endpoints',
      '2',
      '--property',
      'aliasResolves',
      '--scenario',
      'postmortem',
      '--retries',
      '1',
      '--json',
    ];
    const [one, two] = [await run([...small, '--workers', '1']), await run([...small, '--workers', '2'])].map((x) => JSON.parse(x.stdout));
    expect(two.workers).toBe(2);
    expect(two.distinctStates).toBe(one.distinctStates);
    expect(two.generatedStates).toBe(one.generatedStates);
  });
});

describe('scenario cleanup-while-flipping', () => {
  it('spare-active-only: exit 1 with the 12-step trace in which a cleanup deletes the tree another enactor has built and not yet flipped to', async () => {
    const out = join(dir, 'cwf.json');
    const r = await run(['check', '--variant', 'spare-active-only', '--property', 'aliasResolves', '--scenario', 'cleanup-while-flipping', '--trace-out', out]);
    expect(r.code).toBe(1);
    const t = parseTrace(JSON.parse(readFileSync(out, 'utf8')));
    expect(t.steps).toHaveLength(12);
    expect(t.steps.map((s) => `${s.action}(${s.actor})`).slice(8)).toEqual(['acquireLock(0)', 'buildTree(0)', 'cleanupPlans(1)', 'flipAlias(0)']);
    expect(t.steps[10].narration).toBe('enactor 1 cleans up after plan 3: deletes tree 1');
    expect(t.steps[11].narration).toContain('points the top alias at plan 1');
    verifyTrace(dnsModel({ variant: 'spare-active-only' }), t);
  });
});

describe('simulate --scenario', () => {
  it('finds and shrinks a run the scenario accepts; the trace records it', async () => {
    const out = join(dir, 'sim.json');
    const r = await run([
      'simulate',
      '--variant',
      'spare-active-only',
      '--property',
      'aliasResolves',
      '--scenario',
      'cleanup-while-flipping',
      '--runs',
      '2000',
      '--trace-out',
      out,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('restricted to: scenario cleanup-while-flipping');
    const t = parseTrace(JSON.parse(readFileSync(out, 'utf8')));
    expect(t.scenario).toEqual({ name: 'cleanup-while-flipping', params: {} });
    expect(t.steps).toHaveLength(12);
    verifyTrace(dnsModel({ variant: 'spare-active-only' }), t);
  });
});

describe('constraint --max-retries-total', () => {
  it('forbids retries past the bound, counts its counter, and is reported', async () => {
    const inner = dnsModel({ variant: 'fixed', enactors: 2, plans: 3 });
    const none = check(combine(inner, dnsPackage, null, {}, { maxRetriesTotal: 0 }));
    expect(none.actions.retryLock).toBe(0);
    const one = check(combine(inner, dnsPackage, null, {}, { maxRetriesTotal: 1 }));
    expect(one.actions.retryLock).toBeGreaterThan(0);
    expect(one.distinctStates).toBeGreaterThan(none.distinctStates);
    // A constraint's edge is not a deadlock of the model.
    expect(none.status).toBe('ok');
    const r = await run(['check', '--variant', 'fixed', '--max-retries-total', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('restricted to: constraints maxRetriesTotal 1');
  });

  it('bad values and misplaced flags: one line, exit 2', async () => {
    for (const [args, line] of [
      [['--max-retries-total', '99'], '--max-retries-total must be a whole number from 0 to 15, got "99"'],
      [['--scenario', 'nope'], '--scenario must be one of postmortem|cleanup-while-flipping, got "nope"'],
      [['--retries', '3'], '--retries is a parameter of scenario postmortem: add --scenario postmortem'],
      [['--scenario', 'postmortem', '--retries', '9'], '--retries must be a whole number from 1 to 7'],
      [['--scenario', 'postmortem', '--property', 'converges'], '--property converges: a scenario or constraint restricts safety checks only'],
    ] as const) {
      const r = await run(['check', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(line);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
