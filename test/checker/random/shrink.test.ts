import { describe, expect, it } from 'vitest';
import { check, type Violation } from '../../../checker/explore/bfs.js';
import { defineLayout, int, type StateOf } from '../../../checker/state/layout.js';
import type { Model } from '../../../checker/model/model.js';
import { ModelError } from '../../../checker/model/model.js';
import { LenientRunner, shrinkIndices, shrinkViolation } from '../../../checker/random/shrink.js';
import { simulate } from '../../../checker/random/simulate.js';
import { kernelOf } from '../../../checker/model/kernel.js';
import { transitionsOf, type Transition } from '../../../checker/model/transitions.js';
import { dnsModel } from '../../../models/dns/model.js';
import { counterModel, naiveMutexModel } from '../../../models/toys/index.js';

const step = (model: Model, spec: string): Transition => {
  const m = /^(\w+)\((\d+)\)$/.exec(spec)!;
  const k = kernelOf(model);
  return k.transitions[k.indexOf(m[1], Number(m[2]))];
};
const schedule = (model: Model, specs: string): Transition[] => specs.split(' ').map((s) => step(model, s));
const show = (ts: readonly Transition[]): string => ts.map((t) => `${t.name}(${t.actor})`).join(' ');

/** True when no single step can be removed (dropping steps that become disabled) with the property still broken. */
function oneMinimal(model: Model, v: Violation): boolean {
  const runner = new LenientRunner(model, v.initial, v.property, v.kind);
  const all = transitionsOf(model);
  const idx = v.schedule.map((t) => all.findIndex((u) => u.action === t.action && u.actor === t.actor));
  return idx.every((_, i) => runner.run([...idx.slice(0, i), ...idx.slice(i + 1)]) === null);
}

describe('shrinkViolation', () => {
  it('cuts a padded naive-mutex race down to the 4 steps every such race needs', () => {
    const model = naiveMutexModel(2);
    const padded = schedule(model, 'test(0) set(0) exit(0) test(1) set(1) exit(1) test(0) test(1) set(1) set(0)');
    const r = shrinkViolation(model, { property: 'mutualExclusion', kind: 'invariant', initial: 0, schedule: padded });
    expect(show(r.schedule)).toBe('test(0) test(1) set(1) set(0)');
    expect(r.tests).toBeGreaterThan(1);
    expect(oneMinimal(model, r)).toBe(true);
  });

  it('drops steps that become disabled once earlier steps are removed', () => {
    const model = counterModel(10, 4);
    const walk = schedule(model, 'increment(0) increment(0) reset(0) increment(0) increment(0) increment(0) increment(0)');
    const runner = new LenientRunner(model, 0, 'belowForbidden', 'invariant');
    const all = transitionsOf(model);
    const idx = walk.map((t) => all.indexOf(all.find((u) => u.action === t.action)!));
    // Without the first increment, reset stays enabled; without both, reset is disabled and dropped.
    expect(runner.run(idx.slice(2))?.map((i) => all[i].name)).toEqual(['increment', 'increment', 'increment', 'increment']);
    const r = shrinkViolation(model, { property: 'belowForbidden', kind: 'invariant', initial: 0, schedule: walk });
    expect(r.schedule.map((t) => t.name)).toEqual(['increment', 'increment', 'increment', 'increment']);
  });

  it('shrinks step-invariant violations and stops at the breaking step', () => {
    const model = dnsModel({ variant: 'as-was' });
    const bfs = check(model, { properties: ['noRollback'] });
    const shortest = bfs.violations[0];
    expect(shortest.schedule).toHaveLength(10);
    const r = shrinkViolation(model, shortest);
    expect(r.schedule).toEqual(shortest.schedule); // already minimal: nothing to remove
    expect(oneMinimal(model, r)).toBe(true);
  });

  it('is deterministic and leaves 1-minimal schedules on the dns done-when walks', () => {
    const model = dnsModel({ variant: 'as-was', plans: 8, endpoints: 3, enactors: 4 });
    const sim = simulate(model, { runs: 2000, seed: 1, shrink: false });
    expect(sim.violations.map((v) => v.schedule.length)).toEqual([31, 60]);
    for (const v of sim.violations) {
      const a = shrinkViolation(model, v);
      const b = shrinkViolation(model, v);
      expect(a).toEqual(b);
      expect(oneMinimal(model, a)).toBe(true);
    }
    expect(sim.violations.map((v) => shrinkViolation(model, v).schedule.length)).toEqual([10, 18]);
  });

  it('shrinks a deadlock to a schedule that still ends in one', () => {
    // Counts up to 3 and toggles a bit on the way; at 3 nothing is enabled and the model accepts no end.
    const layout = defineLayout({ n: int(0, 3), bit: int(0, 1) });
    type S = StateOf<typeof layout.fields>;
    const model: Model = {
      name: 'stuck',
      params: {},
      layout,
      roles: { counter: 1 },
      init: [{ n: 0, bit: 0 }],
      actions: [
        { name: 'up', role: 'counter', guard: (s: S) => s.n < 3, effect: (s: S) => void (s.n = s.n + 1) },
        { name: 'wiggle', role: 'counter', guard: (s: S) => s.n < 3, effect: (s: S) => void (s.bit = 1 - s.bit) },
      ],
      invariants: [],
      stepInvariants: [],
    };
    const walk = schedule(model, 'wiggle(0) up(0) wiggle(0) wiggle(0) up(0) wiggle(0) up(0)');
    const r = shrinkViolation(model, { property: 'deadlock', kind: 'deadlock', initial: 0, schedule: walk });
    expect(show(r.schedule)).toBe('up(0) up(0) up(0)');
    const runner = new LenientRunner(model, 0, 'deadlock', 'deadlock');
    expect(runner.run([0, 0])).toBeNull(); // n = 2: not stuck yet
    // The naive mutex never deadlocks.
    expect(new LenientRunner(naiveMutexModel(2), 0, 'deadlock', 'deadlock').run([0, 1, 2])).toBeNull();
  });

  it('refuses a schedule that does not violate the property', () => {
    const model = naiveMutexModel(2);
    const fine = schedule(model, 'test(0) set(0)');
    expect(() => shrinkViolation(model, { property: 'mutualExclusion', kind: 'invariant', initial: 0, schedule: fine })).toThrow(ModelError);
    const runner = new LenientRunner(model, 0, 'mutualExclusion', 'invariant');
    expect(() => shrinkIndices(runner, [])).toThrow('does not violate mutualExclusion');
  });

  it('refuses a property the model does not have', () => {
    const model = naiveMutexModel(2);
    expect(() => new LenientRunner(model, 0, 'nope', 'invariant')).toThrow('nope is not a state invariant');
    expect(() => new LenientRunner(model, 0, 'mutualExclusion', 'step')).toThrow('not a step invariant');
  });
});
