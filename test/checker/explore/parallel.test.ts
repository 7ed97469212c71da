/**
 * The parallel search must give exactly the single-threaded results. Run
 * from sources, the workers load the engine and the models as TypeScript
 * through tsx: no build is needed.
 */
import { describe, expect, it } from 'vitest';
import { check, type CheckResult } from '../../../checker/explore/bfs.js';
import { slotsFor } from '../../../checker/state/fingerprint.js';
import type { Model } from '../../../checker/model/model.js';
import { checkParallel, startWorkers, stopSpareWorkers } from '../../../checker/explore/parallel.js';
import { dnsModel } from '../../../models/dns/model.js';
import { naiveMutexModel, twoPhaseModel } from '../../../models/toys/index.js';
import { graphModel } from '../graph.js';

/** Everything but timing and memory. */
const figures = (r: CheckResult) => ({
  status: r.status,
  complete: r.complete,
  distinct: r.distinctStates,
  generated: r.generatedStates,
  diameter: r.diameter,
  actions: r.actions,
  violations: r.violations,
  stoppedBy: r.stoppedBy,
});

describe('parallel search (--workers)', () => {
  it('fixed dns: the single-worker counts, with 2 and 3 workers', async () => {
    const m = dnsModel({ variant: 'fixed' });
    const one = check(m);
    for (const workers of [2, 3]) {
      const r = await checkParallel(m, { workers });
      expect(r.workers).toBe(workers);
      expect(figures(r)).toEqual(figures(one));
    }
    expect(one.distinctStates).toBe(127_647);
  });

  it('as-was dns, stopping at the first violation: the same 12-step race and the same counts', async () => {
    const m = dnsModel({ variant: 'as-was' });
    const one = check(m, { properties: ['aliasResolves'] });
    const two = await checkParallel(m, { properties: ['aliasResolves'], workers: 2 });
    expect(figures(two)).toEqual(figures(one));
    expect(two.violations[0].schedule).toHaveLength(12);
  });

  it('stopping at the first violation, no progress report shows more states or edges than the final report', async () => {
    // The threads finish the violation's layer, while the report is a sequential search's, which stops part-way through it.
    for (const [m, properties] of [
      [dnsModel({ variant: 'as-was' }), ['aliasResolves']],
      [dnsModel({ variant: 'as-was', plans: 5, endpoints: 2 }), undefined],
    ] as const) {
      const seen: { distinctStates: number; generatedStates: number }[] = [];
      const r = await checkParallel(m, { workers: 2, properties, progressIntervalMs: 0, onProgress: (p) => seen.push(p) });
      expect(r.status).toBe('violation');
      expect(seen.length).toBeGreaterThan(0);
      expect(Math.max(...seen.map((p) => p.distinctStates))).toBeLessThanOrEqual(r.distinctStates);
      expect(Math.max(...seen.map((p) => p.generatedStates))).toBeLessThanOrEqual(r.generatedStates);
    }
  });

  it('as-was dns explored in full: the shortest violation of each property, identical', async () => {
    const m = dnsModel({ variant: 'as-was' });
    const one = check(m, { continueAfterViolation: true });
    const two = await checkParallel(m, { continueAfterViolation: true, workers: 2 });
    expect(figures(two)).toEqual(figures(one));
    expect(two.distinctStates).toBe(278_301);
  });

  it('toy models: identical figures', async () => {
    for (const m of [naiveMutexModel(3), twoPhaseModel(3)] as Model[]) {
      expect(figures(await checkParallel(m, { workers: 2, continueAfterViolation: true }))).toEqual(figures(check(m, { continueAfterViolation: true })));
    }
  });

  it('fixed dns with 5 plans and 2 endpoints: 1,507,896 states with 2 workers (profiled: its layers and threads account for every state)', async () => {
    const r = await checkParallel(dnsModel({ variant: 'fixed', plans: 5, endpoints: 2 }), { workers: 2, profile: true });
    expect([r.status, r.distinctStates, r.diameter, r.generatedStates]).toEqual(['ok', 1_507_896, 46, 4_945_987]);
    expect(r.bytesPerState).toBeLessThanOrEqual(16);
    const p = r.profile;
    if (p === undefined) throw new Error('no profile');
    expect(p.layers.map((l) => l.depth)).toEqual(Array.from({ length: 47 }, (_, d) => d));
    expect(p.layers.reduce((n, l) => n + l.states, 0)).toBe(1_507_896);
    for (const l of p.layers) expect(l.threads.reduce((n, t) => n + t.expanded, 0)).toBe(l.states);
    // The initial state is stored before the first layer; every other state in some layer, by its owner.
    expect(p.layers.reduce((n, l) => n + l.threads.reduce((k, t) => k + t.stored, 0), 0)).toBe(1_507_896 - 1);
    expect(p.workersReadyMs).toHaveLength(1);
    const joined = p.joinedDepth;
    if (joined === null || p.joinedMs === null) throw new Error('the worker never joined');
    expect(p.layers.filter((l) => l.threads.length === 2).map((l) => l.depth)[0]).toBe(joined);
    expect(p.layers.every((l) => l.threads.length === (l.depth < joined ? 1 : 2))).toBe(true);
    expect(p.joinedMs).toBeGreaterThanOrEqual(p.workersReadyMs[0]);
  });

  it('maxStates stops with exactly that many states', async () => {
    const r = await checkParallel(dnsModel({ variant: 'fixed' }), { workers: 2, maxStates: 5000 });
    expect([r.status, r.stoppedBy, r.distinctStates]).toEqual(['incomplete', 'max-states', 5000]);
  });

  it('full queues between the threads (room for 64 states each) change nothing', async () => {
    const m = dnsModel({ variant: 'fixed' });
    expect(figures(await checkParallel(m, { workers: 3 }, { queueRecords: 64 }))).toEqual(figures(check(m)));
  });

  it('workers started ahead (startWorkers) are taken by the next search', async () => {
    const m = dnsModel({ variant: 'fixed' });
    startWorkers(1);
    const r = await checkParallel(m, { workers: 2 });
    expect([r.workers, r.distinctStates, r.generatedStates]).toEqual([2, 127_647, 408_243]);
  });

  it('workers started ahead and then stopped (stopSpareWorkers, a run that does not use them) are not taken: the next search starts its own', async () => {
    const m = dnsModel({ variant: 'fixed' });
    startWorkers(1);
    stopSpareWorkers();
    const r = await checkParallel(m, { workers: 2 });
    expect([r.workers, r.distinctStates, r.generatedStates]).toEqual([2, 127_647, 408_243]);
  });

  it('a visited set sized up front (expectedStates) gives the same figures', async () => {
    const m = dnsModel({ variant: 'fixed' });
    expect(figures(await checkParallel(m, { workers: 2, expectedStates: 127_647 }))).toEqual(figures(check(m)));
    // On one thread: the table is sized for the count with 5% to spare, at most three quarters full.
    const one = check(m, { expectedStates: 127_647 });
    expect(figures(one)).toEqual(figures(check(m)));
    expect(one.engineBytes).toBeGreaterThanOrEqual(8 * slotsFor(1.05 * 127_647));
    expect(one.bytesPerState).toBeLessThan(16);
  });

  it('a worker that throws stops the search with its error (no hang)', async () => {
    const { failingModel } = await import('../fixtures/failing-worker-model.js');
    await expect(checkParallel(failingModel('guard', 5), { workers: 2 })).rejects.toThrow(/boom in a worker/);
    await expect(checkParallel(failingModel('build', 5), { workers: 3 })).rejects.toThrow(/cannot build the model in a worker/);
  });

  it('a model whose origin is a model package (createModel) runs on worker threads', async () => {
    const { dnsPackage } = await import('../fixtures/packages.js');
    const m = await dnsPackage.createModel({ plans: 4, endpoints: 1, failInWorker: false });
    const r = await checkParallel(m, { workers: 2 });
    expect(r.workers).toBe(2);
    expect(figures(r)).toEqual(figures(check(m)));
    expect(r.distinctStates).toBe(127_647);
    // The workers build their model through the package's createModel, with the parameters given.
    const failing = await dnsPackage.createModel({ plans: 5, endpoints: 2, failInWorker: true });
    await expect(checkParallel(failing, { workers: 2 })).rejects.toThrow(/the package built the model in a worker/);
  });

  it('a model without an origin is checked on one thread', async () => {
    const r = await checkParallel(graphModel({ nodes: 3, out: [[1], [2], []], initial: [0], bad: [], ends: [2] }), { workers: 2 });
    expect([r.workers, r.distinctStates]).toEqual([1, 3]);
  });

  it('a profiled search (profile) on one thread: the same figures; its layers account for every state', async () => {
    const m = dnsModel({ variant: 'fixed' });
    const one = check(m);
    expect(one.profile).toBeUndefined();
    const alone = check(m, { profile: true });
    expect(figures(alone)).toEqual(figures(one));
    const ap = alone.profile;
    if (ap === undefined) throw new Error('no profile');
    // One layer per depth from 0 to the diameter, each on one thread, its states all expanded there.
    expect(ap.layers.map((l) => l.depth)).toEqual(Array.from({ length: one.diameter + 1 }, (_, d) => d));
    expect(ap.layers.every((l) => l.threads.length === 1 && l.threads[0].expanded === l.states)).toBe(true);
    expect(ap.layers.reduce((n, l) => n + l.states, 0)).toBe(127_647);
    expect(ap.layers.reduce((n, l) => n + l.threads[0].stored, 0)).toBe(127_647 - 1);
    expect([ap.workersReadyMs, ap.joinedMs, ap.joinedDepth]).toEqual([[], null, null]);
    expect(ap.grows).toBeGreaterThan(0);
  });
});
