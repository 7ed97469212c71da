import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertSchedule, runSchedule, scheduleArb, scheduleOf, ScheduleViolation } from '../../../checker/random/arbitrary.js';
import { check } from '../../../checker/explore/bfs.js';
import { defineLayout, int, type StateOf } from '../../../checker/state/layout.js';
import type { Model } from '../../../checker/model/model.js';
import { OptionError } from '../../../checker/explore/options.js';
import { replay } from '../../../checker/model/replay.js';
import { dnsModel } from '../../../models/dns/model.js';
import { naiveMutexModel } from '../../../models/toys/index.js';

const asWas = dnsModel({ variant: 'as-was' });
const names = (s: { steps: readonly { action: string; actor: number }[] }): string[] => s.steps.map((x) => `${x.action}(${x.actor})`);

describe('scheduleOf: reading choices against the model', () => {
  it('takes the chosen transition when enabled, else the next enabled one, wrapping around', () => {
    // dns transitions: publishPlan(0) = 0, pickPlan(0..2) = 1..3, acquireLock(0..2) = 4..6, ...
    // Initially only publishPlan is enabled: every choice takes it. Then pickPlan(0..2) too.
    const s = scheduleOf(asWas, [5, 2, 0, 3]);
    expect(names(s)).toEqual(['publishPlan(0)', 'pickPlan(1)', 'publishPlan(0)', 'pickPlan(2)']);
  });

  it('ends early when nothing is enabled', () => {
    const m = naiveMutexModel(1);
    // One process: test, set, exit cycle forever; never stuck. A 0-choice schedule is empty.
    expect(scheduleOf(m, []).steps).toEqual([]);
    expect(names(scheduleOf(m, [0, 0, 0, 0]))).toEqual(['test(0)', 'set(0)', 'exit(0)', 'test(0)']);
  });

  it('prints as a compact list (what fast-check shows for a counterexample)', () => {
    expect(fc.stringify(scheduleOf(asWas, [0, 1]))).toBe('[publishPlan, pickPlan(0)]');
  });
});

describe('runSchedule and assertSchedule', () => {
  const race = check(asWas, { properties: ['aliasResolves'] }).violations[0];
  const raceSteps = race.schedule.map((t) => ({ action: t.name, actor: t.actor }));

  it('finds the break at the step BFS reports, and nothing on a prefix', () => {
    const r = runSchedule(asWas, { initial: 0, steps: raceSteps }, { properties: ['aliasResolves'] });
    expect(r.broken).toMatchObject({ property: 'aliasResolves', step: 12, kind: 'invariant' });
    expect(runSchedule(asWas, { initial: 0, steps: raceSteps.slice(0, 11) }, { properties: ['aliasResolves'] }).broken).toBeNull();
    // With every property checked, noRollback breaks first, at step 11.
    expect(runSchedule(asWas, { initial: 0, steps: raceSteps }).broken).toMatchObject({ property: 'noRollback', step: 11, kind: 'step' });
  });

  it('assertSchedule throws the narrated steps up to the break', () => {
    let err: unknown;
    try {
      assertSchedule(asWas, { initial: 0, steps: raceSteps }, { properties: ['aliasResolves'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScheduleViolation);
    const v = err as ScheduleViolation;
    expect(v.property).toBe('aliasResolves');
    expect(v.steps).toHaveLength(12);
    const lines = v.message.split('\n');
    expect(lines[0]).toBe('dns (as-was): aliasResolves violated after 12 steps');
    expect(lines[1]).toBe('   1. the planner publishes plan 1');
    expect(lines[12]).toBe('  12. enactor 1 cleans up after plan 3: deletes tree 1');
    expect(lines[13]).toBe("  >> endpoint 0's top alias points at plan 1, whose tree has been deleted: the name resolves to nothing");
    expect(() => assertSchedule(asWas, { initial: 0, steps: raceSteps.slice(0, 5) })).not.toThrow();
  });

  it('reports a deadlock when the schedule ends in one', () => {
    const layout = defineLayout({ n: int(0, 2) });
    type S = StateOf<typeof layout.fields>;
    const stuck: Model<typeof layout.fields> = {
      name: 'stuck',
      params: {},
      layout,
      roles: { counter: 1 },
      init: [{ n: 0 }],
      actions: [{ name: 'up', role: 'counter', guard: (s: S) => s.n < 2, effect: (s: S) => void (s.n = s.n + 1) }],
      invariants: [],
      stepInvariants: [],
    };
    const up = { action: 'up', actor: 0 };
    expect(runSchedule(stuck, { initial: 0, steps: [up, up] })).toEqual({ length: 2, broken: null, deadlock: true });
    expect(runSchedule(stuck, { initial: 0, steps: [up] }).deadlock).toBe(false);
    expect(runSchedule(stuck, { initial: 0, steps: [up, up] }, { checkDeadlock: false }).deadlock).toBe(false);
    expect(() => assertSchedule(stuck, { initial: 0, steps: [up, up] })).toThrow('stuck: deadlock after 2 steps');
    // The dns as-was race ends where enactors can still move: no deadlock.
    expect(runSchedule(asWas, { initial: 0, steps: raceSteps }, { properties: [] }).deadlock).toBe(false);
  });

  it('refuses a step that is not enabled, and unknown properties', () => {
    expect(() => runSchedule(asWas, { initial: 0, steps: [{ action: 'flipAlias', actor: 0 }] })).toThrow(OptionError);
    expect(() => runSchedule(asWas, { initial: 0, steps: [{ action: 'nope', actor: 0 }] })).toThrow('step 1 (nope by actor 0)');
    expect(() => runSchedule(asWas, { initial: 0, steps: [] }, { properties: ['nope'] })).toThrow('property nope is not a property of model dns');
    expect(() => scheduleArb(asWas, { maxSteps: -1 })).toThrow('option maxSteps');
  });
});

describe('scheduleArb', () => {
  it('generates only executable schedules of at most maxSteps steps', () => {
    fc.assert(
      fc.property(scheduleArb(asWas, { maxSteps: 30 }), (s) => {
        expect(s.steps.length).toBeLessThanOrEqual(30);
        expect(replay(asWas, asWas.init[s.initial], s.steps).failure).toBeUndefined();
      }),
      { seed: 3, numRuns: 300 },
    );
  });

  it('shrinks the as-was race to the 12-step shortest schedule (seeds 1 to 5)', () => {
    const lengths = [1, 2, 3, 4, 5].map((seed) => {
      const d = fc.check(
        fc.property(scheduleArb(asWas, { maxSteps: 40 }), (s) => assertSchedule(asWas, s, { properties: ['aliasResolves'] })),
        { seed, numRuns: 2000 },
      );
      expect(d.failed).toBe(true);
      return runSchedule(asWas, d.counterexample![0], { properties: ['aliasResolves'] }).broken!.step;
    });
    expect(lengths).toEqual([12, 12, 12, 12, 12]);
  });

  it('every candidate it offers when shrinking is executable and shorter', () => {
    const arb = scheduleArb(asWas, { maxSteps: 40 });
    const [value] = fc.sample(arb, { seed: 11, numRuns: 1 });
    expect(value.steps.length).toBeGreaterThan(10);
    expect(arb.canShrinkWithoutContext(value)).toBe(true);
    let n = 0;
    for (const c of arb.shrink(value, undefined)) {
      n++;
      expect(c.value.steps.length).toBeLessThan(value.steps.length);
      expect(replay(asWas, asWas.init[0], c.value.steps).failure).toBeUndefined();
    }
    expect(n).toBeGreaterThan(value.steps.length); // halves, quarters, ..., every single step
  });
});
