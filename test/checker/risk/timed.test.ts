import { describe, expect, it } from 'vitest';
import { defineLayout, int, array, type StateOf } from '../../../checker/state/layout.js';
import type { Model } from '../../../checker/model/model.js';
import { withSlowDelay, type TimingProfile } from '../../../checker/package/timing.js';
import { TimedSim } from '../../../checker/risk/timed.js';
import { runTimed } from '../../../checker/risk/runner.js';
import { dnsModel } from '../../../models/dns/model.js';
import { DNS_TIMING } from '../../../models/dns/timing.js';

/**
 * A ticking clock: `tick` (role clock) adds one to x until x = 3, the
 * model's accepted end; `poke` (role poker, one actor) sets y once, when
 * x = 1. Invariant small: x < 2.
 */
function clock() {
  const layout = defineLayout({ x: int(0, 3), y: int(0, 1), n: array(1, int(0, 3)) });
  type S = StateOf<typeof layout.fields>;
  const model: Model<typeof layout.fields> = {
    name: 'clock',
    params: {},
    layout,
    roles: { clock: 1, poker: 1 },
    init: [{ x: 0, y: 0, n: [0] }],
    actions: [
      { name: 'tick', role: 'clock', guard: (s: Readonly<S>) => s.x < 3, effect: (s: S) => void (s.x = s.x + 1) },
      { name: 'poke', role: 'poker', guard: (s: Readonly<S>) => s.x === 1 && s.y === 0, effect: (s: S) => void (s.y = 1) },
    ],
    invariants: [{ name: 'small', description: 'x < 2', holds: (s: Readonly<S>) => s.x < 2 }],
    stepInvariants: [{ name: 'noPoke', description: 'y stays 0', holds: (b: Readonly<S>, a: Readonly<S>) => a.y === b.y }],
    terminalOk: (s: Readonly<S>) => s.x === 3,
  };
  return model;
}

const clockTiming = (extra?: TimingProfile['slow']): TimingProfile => ({
  format: 'dnsmc-timing-profile',
  version: 1,
  model: 'clock',
  unit: 'ms',
  actions: { tick: { dist: 'fixed', ms: 10 }, poke: { dist: 'fixed', ms: 4 } },
  ...(extra ? { slow: extra } : {}),
});

describe('the timed simulation', () => {
  it('fires each actor after its drawn delay; episodes restart at the accepted end; records first breaks and time false', () => {
    // Ticks at 10, 20, 30 (x = 3: the end; a new episode starts at 30), then 40, 50, 60, ...; the poker, enabled at x = 1 (t = 10), fires at 14.
    const sim = new TimedSim(clock(), clockTiming(), { horizonMs: 95 });
    const o = sim.run(0, 0);
    expect(sim.properties).toEqual(['small', 'noPoke']);
    expect(o.firstBreakMs).toEqual([20, 14]);
    // small is false for x = 2, 3: from 20 to 30 (then the episode restarts at x = 0), from 80 to 90 and from 90 to 95... x = 2 at 80, 3 at 90, reset at 90.
    expect(o.episodes).toBe(4);
    expect(o.events).toBe(9 + 3);
    expect(o.falseMs[0]).toBe(10 + 10 + 10);
    expect(o.falseMs[1]).toBe(0);
    expect(o.deadlocks).toBe(0);
    expect(o.broken).toEqual({ property: 'noPoke', initial: 0, schedule: [0, 1], atMs: 14 });
  });

  it('adds the slow actor’s extra delay before its slowed actions', () => {
    const sim = new TimedSim(clock(), clockTiming({ role: 'clock', actor: 0, actions: ['tick'], extra: { dist: 'fixed', ms: 5 } }), { horizonMs: 95 });
    const o = sim.run(0, 0);
    // Ticks every 15 ms: x = 2 at 30, the end at 45; the poker fires at 15 + 4.
    expect(o.firstBreakMs).toEqual([30, 19]);
    expect(o.episodes).toBe(3);
  });

  it('dns as-was, slow enactor delayed 50 ms, seed 0: every one of 8 runs loses the name within the hour, and stays down from then on', () => {
    const sim = new TimedSim(dnsModel({ variant: 'as-was' }), withSlowDelay(DNS_TIMING, 50), { horizonMs: 3_600_000, properties: ['aliasResolves'] });
    const runs = Array.from({ length: 8 }, (_, r) => sim.run(0, r));
    expect(runs.every((o) => o.firstBreakMs[0] > 0)).toBe(true);
    // In the as-was protocol a dangling alias is never repaired: the run is settled at once, false to the horizon.
    for (const o of runs) {
      expect(o.settledAtMs).toBeGreaterThanOrEqual(o.firstBreakMs[0]);
      expect(o.falseMs[0]).toBeLessThanOrEqual(3_600_000 - o.firstBreakMs[0]);
      expect(o.falseMs[0]).toBeGreaterThanOrEqual(3_600_000 - o.settledAtMs);
    }
    // Pinned for the seed: episodes and steps of each run (a change of the simulation's semantics changes them).
    expect(runs.map((o) => o.episodes)).toEqual(PINNED_EPISODES);
    expect(runs.map((o) => o.events)).toEqual(PINNED_EVENTS);
    // The same seed, the same runs.
    expect(sim.run(0, 3)).toEqual(runs[3]);
  });

  it('dns fixed: no break in 8 runs of five simulated minutes; the outcomes do not depend on the number of workers', async () => {
    const model = dnsModel({ variant: 'fixed' });
    const profile = withSlowDelay(DNS_TIMING, 50);
    const o = { horizonMs: 300_000, seed: 7, runs: 8 };
    const one = await runTimed(model, profile, { ...o, workers: 1 });
    const two = await runTimed(model, profile, { ...o, workers: 2 });
    expect(two.workers).toBe(2);
    expect(two.outcomes).toEqual(one.outcomes);
    expect(one.outcomes.map((x) => x.firstBreakMs)).toEqual(Array.from({ length: 8 }, () => [-1, -1, -1]));
    expect(one.outcomes.every((x) => x.episodes > 500)).toBe(true);
  });

  it('stops where the caller says, in run order, whatever the workers', async () => {
    const model = dnsModel({ variant: 'as-was' });
    const take = (seen: number[]) => (x: { run: number }) => {
      seen.push(x.run);
      return x.run === 5;
    };
    const a: number[] = [];
    const b: number[] = [];
    const r1 = await runTimed(model, withSlowDelay(DNS_TIMING, 50), { horizonMs: 10_000, seed: 1, runs: 50, workers: 1 }, take(a));
    const r2 = await runTimed(model, withSlowDelay(DNS_TIMING, 50), { horizonMs: 10_000, seed: 1, runs: 50, workers: 2 }, take(b));
    expect(a).toEqual([0, 1, 2, 3, 4, 5]);
    expect(b).toEqual(a);
    expect(r1.end).toBe('stopped');
    expect(r2.outcomes).toEqual(r1.outcomes);
  });
});

const PINNED_EPISODES = [1, 9, 31, 7, 5, 7, 4, 10];
const PINNED_EVENTS = [32, 287, 988, 206, 178, 206, 130, 330];
