/**
 * The execution kernel: the transition table, enabled transitions, one step
 * on both state forms, the deadlock predicate, property selection and checks,
 * and the status a run ends with.
 */
import { describe, expect, it } from 'vitest';
import { brokenInvariant, brokenStep, checkNames, explainInvariant, explainStep, kernelOf, selectProperties, statusOf } from '../../../checker/model/kernel.js';
import { OptionError } from '../../../checker/explore/options.js';
import { counterModel, lockMutexModel, naiveMutexModel } from '../../../models/toys/index.js';
import { dnsModel } from '../../../models/dns/model.js';
import { graphModel } from '../graph.js';

describe('transition table', () => {
  it('each action once per actor, action by action, actor by actor', () => {
    const k = kernelOf(lockMutexModel(3));
    expect(k.size).toBe(9);
    expect(k.transitions.map((t) => `${t.name}(${t.actor})`)).toEqual([
      'request(0)',
      'request(1)',
      'request(2)',
      'enter(0)',
      'enter(1)',
      'enter(2)',
      'exit(0)',
      'exit(1)',
      'exit(2)',
    ]);
    expect(Array.from(k.actionOf)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    expect(Array.from(k.actors)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect([k.indexOf('enter', 2), k.transitionOf(2, 1), k.indexOf('enter', 3), k.indexOf('nope', 0), k.indexOf('exit', 0.5)]).toEqual([5, 7, -1, -1, -1]);
  });

  it('one kernel per model object', () => {
    const m = counterModel(3);
    expect(kernelOf(m)).toBe(kernelOf(m));
    expect(kernelOf(counterModel(3))).not.toBe(kernelOf(m));
  });
});

describe('stepping', () => {
  it('the enabled transitions of a state, in order', () => {
    const m = lockMutexModel(3);
    const k = kernelOf(m);
    const out = new Int32Array(k.size);
    const plain = structuredClone(m.init[0]);
    expect(Array.from(out.subarray(0, k.enabledList(plain, out)))).toEqual([0, 1, 2]);
    k.apply(plain, 1); // request(1)
    k.apply(plain, 4); // enter(1)
    expect(plain).toEqual({ proc: [0, 2, 0], lock: 1 });
    expect(Array.from(out.subarray(0, k.enabledList(plain, out)))).toEqual([0, 2, 7]);
    expect([k.enabled(plain, 3), k.enabled(plain, 7), k.anyEnabled(plain)]).toEqual([false, true, true]);
  });

  it('a step on the typed-array view equals the same step on a plain object', () => {
    const m = dnsModel({ variant: 'as-was' });
    const k = kernelOf(m);
    const { layout } = m;
    const cur = layout.vector();
    const next = layout.vector();
    const curView = layout.view(cur);
    const nextView = layout.view(next);
    layout.fromPlain(m.init[0], cur);
    let plain = layout.toPlain(cur);
    const out = new Int32Array(k.size);
    // Follow the first enabled transition for 30 steps, on both forms.
    for (let i = 0; i < 30; i++) {
      const n = k.enabledList(curView, out);
      expect(n).toBeGreaterThan(0);
      expect(k.enabledList(plain, new Int32Array(k.size))).toBe(n);
      const t = out[i % n];
      k.step(cur, next, nextView, t);
      k.apply(plain, t);
      expect(layout.toPlain(next)).toEqual(plain);
      cur.set(next);
      plain = layout.toPlain(cur);
    }
  });

  it('resolve says why a named step cannot be taken', () => {
    const m = lockMutexModel(2);
    const k = kernelOf(m);
    const s = m.init[0];
    expect(k.resolve(s, 'request', 1)).toBe(1);
    expect(k.resolve(s, 'nope', 0)).toEqual({ reason: 'unknown action nope' });
    expect(k.resolve(s, 'request', 2)).toEqual({ reason: 'request has no actor 2 (role process has 2)' });
    expect(k.resolve(s, 'enter', 0)).toEqual({ reason: 'enter by process 0 is not enabled' });
  });
});

describe('deadlock', () => {
  const g = graphModel({ nodes: 4, out: [[1, 2], [], [3], []], initial: [0], bad: [], ends: [3] });
  const k = kernelOf(g);
  it('no enabled transition and not an accepted end', () => {
    expect([0, 1, 2, 3].map((node) => k.deadlocked({ node }))).toEqual([false, true, false, false]);
    expect([0, 1, 2, 3].map((node) => k.terminalOk({ node }))).toEqual([false, false, false, true]);
  });
  it('a model without terminalOk accepts no end', () => {
    const m = lockMutexModel(1);
    const k1 = kernelOf({ ...m, actions: [] });
    expect(k1.deadlocked(m.init[0])).toBe(true);
    expect(kernelOf(counterModel(2)).deadlocked({ n: 2 })).toBe(false); // counter accepts every end; reset is enabled anyway
  });
});

describe('properties', () => {
  const m = naiveMutexModel(2);
  it('selection by name, validated, without repeats', () => {
    expect(selectProperties('check', m).names).toEqual(['mutualExclusion']);
    expect(selectProperties('check', m, ['mutualExclusion', 'mutualExclusion']).names).toEqual(['mutualExclusion']);
    expect(selectProperties('check', m, []).invariants).toEqual([]);
    expect(() => selectProperties('check', m, ['nope'])).toThrow(OptionError);
    expect(() => selectProperties('simulate', m, ['nope'])).toThrow('simulate: property nope is not a property of model naive-mutex (mutualExclusion)');
    expect(() => checkNames('x', [], ['a'], 'liveness property', 'm')).toThrow('x: liveness property a is not a liveness property of model m (none)');
  });

  it('the first broken invariant, and why', () => {
    const both = { proc: [2, 2], flag: 1 };
    const one = { proc: [2, 0], flag: 1 };
    expect([brokenInvariant(m.invariants, one), brokenInvariant(m.invariants, both)]).toEqual([-1, 0]);
    expect(explainInvariant(m.invariants[0], both)).toBe('at most one process is in its critical section');
    const steps = [
      {
        name: 'up',
        description: 'the counter only grows',
        holds: (a: { n: number }, b: { n: number }) => b.n >= a.n,
        explain: (a: { n: number }, b: { n: number }) => `${a.n} -> ${b.n}`,
      },
    ];
    expect([brokenStep(steps, { n: 1 }, { n: 2 }), brokenStep(steps, { n: 2 }, { n: 0 })]).toEqual([-1, 0]);
    expect(explainStep(steps[0], { n: 2 }, { n: 0 })).toBe('2 -> 0');
  });
});

describe('status', () => {
  it('a property violation wins over a deadlock, which wins over stopping early', () => {
    expect(statusOf([{ kind: 'deadlock' }, { kind: 'step' }], true)).toBe('violation');
    expect(statusOf([{ kind: 'deadlock' }], true)).toBe('deadlock');
    expect(statusOf([], true)).toBe('incomplete');
    expect(statusOf([], false)).toBe('ok');
  });
});
