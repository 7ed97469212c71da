/**
 * The dns calibration (systems/dns/calibrate.ts): a hand-made run with known
 * timestamps gives known samples exactly (each action's gap, pickPlan from
 * when it could pick, retryLock less the backoff, nothing after the run's
 * last flip or cleanup), and logs that do not fit are one line naming the
 * file and line.
 */
import { describe, expect, it } from 'vitest';
import type { Json } from '../../../checker/state/layout.js';
import { SystemError, type LoggedStep } from '../../../checker/package/system.js';
import { calibrateDns, DNS_ACTIONS } from '../../../systems/dns/calibrate.js';

type Saw = Record<string, Json>;
const enactor = (i: number, phase: string, plan: number, failures = 0, more: Saw = {}): Saw => ({
  [`phase[${i}]`]: phase,
  [`plan[${i}]`]: plan,
  [`endpoint[${i}]`]: 0,
  [`failures[${i}]`]: failures,
  ...more,
});

/** One process's log: its steps in order, as `readLogs` gives them. */
function log(process: string, actor: number, steps: [number, string, Saw][]): LoggedStep[] {
  return steps.map(([ts, action, saw], i) => ({ file: `${process}.jsonl`, line: i + 1, process, ts, action, actor, saw }));
}

/**
 * Two plans, two enactors, one endpoint. Enactor 1 takes the lock first and
 * gives up its build (idle at 106, while the alias is behind: it could pick
 * at once); enactor 0's flip at 115 brings the alias to the latest plan (it
 * cannot), and plan 2 at 120 lets it again: its pickPlan at 124 waited 4 ms,
 * not the 18 since its previous step.
 */
const RUN: LoggedStep[][] = [
  log('planner', 0, [
    [100, 'publishPlan', { latest: 1 }],
    [120, 'publishPlan', { latest: 2 }],
  ]),
  log('enactor-0', 0, [
    [103, 'pickPlan', enactor(0, 'lock', 1)],
    [105, 'acquireLock', enactor(0, 'backoff', 1, 1)],
    [110.5, 'retryLock', enactor(0, 'lock', 1, 1)],
    [112, 'acquireLock', enactor(0, 'build', 1, 0, { 'lockHolder[0]': 0 })],
    [114.25, 'buildTree', enactor(0, 'flip', 1)],
    [115, 'flipAlias', enactor(0, 'cleanup', 1, 0, { 'alias[0]': 1 })],
    [150, 'cleanupPlans', enactor(0, 'idle', 1)],
    [151, 'pickPlan', enactor(0, 'lock', 2)],
  ]),
  log('enactor-1', 1, [
    [101, 'pickPlan', enactor(1, 'lock', 1)],
    [104, 'acquireLock', enactor(1, 'build', 1, 0, { 'lockHolder[0]': 1 })],
    [106, 'buildTree', enactor(1, 'idle', 1)],
    [124, 'pickPlan', enactor(1, 'lock', 2)],
  ]),
];

describe('calibrateDns', () => {
  it('gives each action the gaps before it, exactly', () => {
    const p = calibrateDns([RUN]);
    expect(Object.keys(p.actions)).toEqual([...DNS_ACTIONS]);
    const samples = Object.fromEntries(Object.entries(p.actions).map(([a, d]) => [a, d.samples]));
    expect(samples).toEqual({
      publishPlan: [20],
      // enactor 1 at 101 and enactor 0 at 103 (plan 1 there since 100); enactor 1 at 124 (plan 2 at 120); enactor 0's at 151 is after the last cleanup.
      pickPlan: [1, 3, 4],
      acquireLock: [1.5, 2, 3],
      // 5.5 ms after the failed attempt, less 2 ms * 2^1.
      retryLock: [1.5],
      buildTree: [2, 2.25],
      flipAlias: [0.75],
      cleanupPlans: [35],
    });
    expect(p.actions.pickPlan.dist).toBe('empirical');
    expect(p).toMatchObject({
      format: 'dnsmc-timing-profile',
      version: 1,
      model: 'dns',
      unit: 'ms',
      slow: { role: 'enactor', actor: 0, actions: ['acquireLock'], extra: { dist: 'fixed', ms: 0 } },
      backoff: { retryLock: { baseMs: 2, field: 'failures' } },
    });
    expect(p.source).toBe(
      "calibrated from 1 storm run (14 protocol steps): each action's samples are the ms its actor spent before it (pickPlan: since it could pick; retryLock: less the backoff 2 ms * 2^failures)",
    );
  });

  it("leaves out a run's steps after its last flip or cleanup (a lost round's enactors retrying for good)", () => {
    const retrying = RUN.map((l) =>
      l[0].process === 'enactor-0'
        ? [
            ...l,
            ...log('enactor-0', 0, [
              [160, 'acquireLock', enactor(0, 'build', 2, 0, { 'lockHolder[0]': 0 })],
              [170, 'buildTree', enactor(0, 'idle', 0)],
            ]).map((e, i) => ({ ...e, line: 9 + i })),
          ]
        : l,
    );
    const p = calibrateDns([retrying]);
    expect(p.actions.acquireLock.samples).toEqual([1.5, 2, 3]);
    expect(p.actions.buildTree.samples).toEqual([2, 2.25]);
    expect(p.source).toContain('(16 protocol steps)');
  });

  it('counts an endpoint no flip has reached as behind, however large the number the logs give it', () => {
    // Enactor 1 names endpoint 4,000,000,000 in its first step: with it behind, enactor 1 could pick from its
    // give-up at 106 (18 ms before its pick at 124), and enactor 0 from its cleanup at 150 (its pick at 151 is after the last cleanup).
    const wide = RUN.map((l) => l.map((e) => (e.process === 'enactor-1' && e.line === 1 ? { ...e, saw: { ...e.saw, 'alias[4000000000]': 0 } } : e)));
    expect(calibrateDns([wide]).actions.pickPlan.samples).toEqual([1, 3, 18]);
  });

  it('pools runs, takes the backoff base given, and is a function of the logs alone', () => {
    const shifted = RUN.map((l) => l.map((e) => ({ ...e, ts: e.ts + 1e12 })));
    const p = calibrateDns([RUN, shifted], { backoffMs: 1 });
    expect(p.actions.publishPlan.samples).toEqual([20, 20]);
    expect(p.actions.retryLock.samples).toEqual([3.5, 3.5]);
    expect(p.backoff).toEqual({ retryLock: { baseMs: 1, field: 'failures' } });
    expect(calibrateDns([RUN, shifted], { backoffMs: 1 })).toEqual(p);
  });

  it('refuses logs it cannot use, naming the file and line', () => {
    const without = (action: string): LoggedStep[][] => RUN.map((l) => l.filter((e) => e.action !== action));
    expect(() => calibrateDns([without('retryLock')])).toThrow(
      new SystemError("the logs hold no sample of retryLock (a step with its actor's previous step before it): calibrate from longer storms"),
    );
    const renamed = RUN.map((l) => l.map((e) => (e.process === 'enactor-1' && e.line === 2 ? { ...e, action: 'grabLock' } : e)));
    expect(() => calibrateDns([renamed])).toThrow(
      'enactor-1.jsonl:2: action "grabLock" is not one of the dns model\'s (publishPlan, pickPlan, acquireLock, retryLock, buildTree, flipAlias, cleanupPlans)',
    );
    const badLatest = RUN.map((l) => l.map((e) => (e.action === 'publishPlan' && e.line === 2 ? { ...e, saw: { latest: -2 } } : e)));
    expect(() => calibrateDns([badLatest])).toThrow('planner.jsonl:2: saw latest must be a whole number from 0, got -2');
    // Enactor 1 picking plan 1 again right after its first pick: it is not idle.
    const twice = RUN.map((l) => (l[0].process === 'enactor-1' ? [l[0], { ...l[0], line: 2, ts: 102 }, ...l.slice(1)] : l));
    expect(() => calibrateDns([twice])).toThrow('enactor-1.jsonl:2: enactor 1 picks a plan while not idle (its previous step did not leave it idle)');
  });

  it('counts 0 ms for a pick stamped before the step that made it possible (stamps come as transactions end)', () => {
    const early = RUN.map((l) => l.map((e) => (e.process === 'enactor-1' && e.line === 4 ? { ...e, ts: 119 } : e)));
    expect(calibrateDns([early]).actions.pickPlan.samples).toEqual([0, 1, 3]);
  });
});
