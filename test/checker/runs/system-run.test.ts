/**
 * The generic re-enactment against small systems written here for a toy
 * model (a real object with its own code, not the model's): conforming runs
 * with and without broken properties, a diverging system, a refused step,
 * a schedule the model cannot run, and fields the system does not observe.
 */
import { describe, expect, it } from 'vitest';
import { defineLayout, enumOf, int, type JsonState, type StateOf } from '../../../checker/state/layout.js';
import type { Model } from '../../../checker/model/model.js';
import type { RunningSystem } from '../../../checker/package/system.js';
import { ActionRefused } from '../../../checker/package/system.js';
import { diffStates, reenact, reenactExitCode } from '../../../checker/runs/system-run.js';

/** A gauge: `up` adds one (to 3), `down` subtracts one; `mode` flips on `toggle`. Invariant: below `forbidden`; step invariant: never down. */
function gaugeModel(forbidden: number) {
  const layout = defineLayout({ n: int(0, 3), mode: enumOf(['a', 'b']) });
  type S = StateOf<typeof layout.fields>;
  const model: Model<typeof layout.fields> = {
    name: 'gauge',
    params: { forbidden },
    layout,
    roles: { hand: 2 },
    init: [{ n: 0, mode: 0 }],
    actions: [
      { name: 'up', role: 'hand', guard: (s: S) => s.n < 3, effect: (s: S) => void (s.n = s.n + 1) },
      { name: 'down', role: 'hand', guard: (s: S) => s.n > 0, effect: (s: S) => void (s.n = s.n - 1) },
      { name: 'toggle', role: 'hand', guard: () => true, effect: (s: S) => void (s.mode = 1 - s.mode) },
    ],
    invariants: [{ name: 'below', description: `n stays below ${forbidden}`, holds: (s: S) => s.n < forbidden, explain: (s: S) => `n reached ${s.n}` }],
    stepInvariants: [{ name: 'neverDown', description: 'n never decreases', holds: (b: S, a: S) => a.n >= b.n }],
  };
  return model;
}

/** A real gauge, observed fully or only its `n`; `bug` makes `down` subtract two (from 2 up); `refuse` names an action it refuses. */
function gaugeSystem(opts: { bug?: boolean; refuse?: string; nOnly?: boolean } = {}): RunningSystem & { performed: string[] } {
  let n = 0;
  let mode = 'a';
  const performed: string[] = [];
  return {
    description: 'a gauge object',
    startMs: 1.5,
    performed,
    async perform(action, actor) {
      performed.push(`${action}/${actor}`);
      if (action === opts.refuse) throw new ActionRefused(`the gauge will not ${action}`);
      if (action === 'up') n++;
      else if (action === 'down') n -= opts.bug && n >= 2 ? 2 : 1;
      else if (action === 'toggle') mode = mode === 'a' ? 'b' : 'a';
      else throw new Error(`no ${action}`);
    },
    async observe(): Promise<JsonState> {
      return opts.nOnly ? { n } : { n, mode };
    },
    async resolve() {
      return [{ n }];
    },
    async stop() {},
  };
}

const up = (actor = 0) => ({ action: 'up', actor });
const down = (actor = 0) => ({ action: 'down', actor });

describe('reenact', () => {
  it('a conforming run where every property holds: status ok, exit 0, every step observed and compared', async () => {
    const sys = gaugeSystem();
    const r = await reenact(gaugeModel(9), { steps: [up(0), { action: 'toggle', actor: 1 }, up(1)] }, sys);
    expect(r.status).toBe('ok');
    expect(reenactExitCode(r)).toBe(0);
    expect(r.conforms).toBe(true);
    expect(r.divergence).toBeNull();
    expect(r.breaks).toEqual([]);
    expect(r.unobserved).toEqual([]);
    expect(r.steps.map((s) => [s.step, s.action, s.actor, s.observed, s.conforms])).toEqual([
      [0, null, null, { n: 0, mode: 'a' }, true],
      [1, 'up', 0, { n: 1, mode: 'a' }, true],
      [2, 'toggle', 1, { n: 1, mode: 'b' }, true],
      [3, 'up', 1, { n: 2, mode: 'b' }, true],
    ]);
    expect(r.steps.map((s) => s.model)).toEqual(r.steps.map((s) => s.observed));
    expect(r.resolution).toEqual([{ n: 2 }]);
    expect(r.server).toEqual({ description: 'a gauge object', startMs: 1.5 });
  });

  it('properties are evaluated on the observed states: the first failing step of each, exit 1', async () => {
    const r = await reenact(gaugeModel(2), { steps: [up(), up(), down(), up()] }, gaugeSystem());
    expect(r.status).toBe('violation');
    expect(reenactExitCode(r)).toBe(1);
    expect(r.conforms).toBe(true);
    expect(r.breaks).toEqual([
      { property: 'below', step: 2, kind: 'invariant', explanation: 'n reached 2' },
      { property: 'neverDown', step: 3, kind: 'step', explanation: 'n never decreases' },
    ]);
  });

  it('a system that diverges: the first step and field are named, nothing is performed after it, exit 4', async () => {
    const sys = gaugeSystem({ bug: true });
    const r = await reenact(gaugeModel(9), { steps: [up(), up(), up(), down(), up()] }, sys);
    expect(r.status).toBe('diverged');
    expect(reenactExitCode(r)).toBe(4);
    expect(r.conforms).toBe(false);
    expect(r.divergence).toEqual({ step: 4, fields: ['n'], text: 'step 4: n is 1 on the system, 2 in the model' });
    expect(r.steps).toHaveLength(5);
    expect(r.steps[4]).toMatchObject({ step: 4, action: 'down', conforms: false, diff: [{ field: 'n', model: 2, observed: 1 }] });
    expect(sys.performed).toEqual(['up/0', 'up/0', 'up/0', 'down/0']);
    // Properties are evaluated only on the conforming prefix.
    expect(r.breaks).toEqual([]);
  });

  it('a step the system refuses is a divergence with its reason', async () => {
    const r = await reenact(gaugeModel(9), { steps: [up(), { action: 'toggle', actor: 1 }, up()] }, gaugeSystem({ refuse: 'toggle' }));
    expect(r.status).toBe('diverged');
    expect(r.divergence).toEqual({ step: 2, fields: [], text: 'step 2: the system refused toggle by actor 1: the gauge will not toggle' });
    expect(r.steps[2]).toMatchObject({ observed: null, conforms: false, refused: 'the gauge will not toggle' });
  });

  it('a schedule the model cannot run is refused before anything is performed', async () => {
    const sys = gaugeSystem();
    await expect(reenact(gaugeModel(9), { steps: [up(), down(), down()] }, sys)).rejects.toThrow(
      'step 3 of the schedule cannot be taken in the model: down by hand 0 is not enabled',
    );
    expect(sys.performed).toEqual([]);
  });

  it('fields the system does not observe are listed and not compared; properties still see the model’s values for them', async () => {
    const r = await reenact(gaugeModel(9), { steps: [{ action: 'toggle', actor: 0 }, up()] }, gaugeSystem({ nOnly: true }));
    expect(r.status).toBe('ok');
    expect(r.unobserved).toEqual(['mode']);
    expect(r.steps[2]).toMatchObject({ model: { n: 1, mode: 'b' }, observed: { n: 1 }, conforms: true });
  });

  it('starts from the given initial state', async () => {
    const sys = gaugeSystem();
    await sys.perform('up', 0);
    sys.performed.length = 0;
    const r = await reenact(gaugeModel(9), { initial: { n: 1, mode: 'a' }, steps: [up()] }, sys);
    expect(r.status).toBe('ok');
    expect(r.steps.map((s) => s.model.n)).toEqual([1, 2]);
  });

  it('diffStates compares element by element and reports extra observed fields', () => {
    expect(diffStates({ a: [1, [2]], b: null }, { a: [1, [3]], b: null, c: 'x' })).toEqual([
      { field: 'a[1]', model: [2], observed: [3] },
      { field: 'c', model: null, observed: 'x' },
    ]);
    expect(diffStates({ a: [1, 2] }, { a: [1] })).toEqual([{ field: 'a', model: [1, 2], observed: [1] }]);
  });
});
