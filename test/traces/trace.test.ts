import { applyPatches, enablePatches } from 'immer';
import { describe, expect, it } from 'vitest';
import { check } from '../../checker/explore/bfs.js';
import type { Model } from '../../checker/model/model.js';
import { dnsModel } from '../../models/dns/model.js';
import { VARIANT_NAMES } from '../../models/dns/params.js';
import { naiveMutexModel, counterModel } from '../../models/toys/index.js';
import { graphModel } from '../checker/graph.js';
import { formatTrace } from '../../traces/text.js';
import { checkTraceAgainst, parseTrace, traceOf, TraceError, type Trace } from '../../traces/trace.js';

enablePatches();

/** Every trace the checker emits for a model, with --continue so each property gets one. */
function tracesOf(model: Model): Trace[] {
  const r = check(model, { continueAfterViolation: true });
  return r.violations.map((v) => traceOf(model, v));
}

// The variants whose properties break (fixed and recheck-only have no counterexample to replay).
const models: [string, () => Model][] = [
  ...VARIANT_NAMES.filter((v) => v !== 'fixed' && v !== 'recheck-only').map((variant): [string, () => Model] => [
    `dns ${variant}`,
    () => dnsModel({ variant }),
  ]),
  ['dns as-was, 2 endpoints', () => dnsModel({ variant: 'as-was', endpoints: 2, plans: 3 })],
  ['naive mutex', () => naiveMutexModel(3)],
  ['counter', () => counterModel(9, 6)],
];

describe('traces the checker emits', () => {
  for (const [name, make] of models) {
    it(`${name}: replay step by step from the initial state through the model's own actions`, () => {
      const model = make();
      const traces = tracesOf(model);
      expect(traces.length).toBeGreaterThan(0);
      for (const t of traces) {
        // Through JSON, as a file would carry it.
        const parsed = parseTrace(JSON.parse(JSON.stringify(t)));
        expect(checkTraceAgainst(model, parsed)).toEqual([]);
        // The violated property breaks at the last step, and nowhere before.
        const main = parsed.breaks.find((b) => b.property === parsed.property);
        expect(main?.step).toBe(parsed.steps.length);
      }
    });
  }

  it('dns fixed and recheck-only: no property breaks, so there is no trace', () => {
    for (const variant of ['fixed', 'recheck-only'] as const) expect(tracesOf(dnsModel({ variant }))).toEqual([]);
  });

  it('a 12-step trace holds 13 states, and each step’s patches turn the previous state into the next', () => {
    const model = dnsModel({ variant: 'as-was' });
    const t = traceOf(model, check(model, { properties: ['aliasResolves'] }).violations[0]);
    expect(t.steps).toHaveLength(12);
    expect([t.initial, ...t.steps.map((s) => s.state)]).toHaveLength(13);
    let prev = t.initial;
    for (const s of t.steps) {
      expect(s.patches.length).toBeGreaterThan(0);
      expect(applyPatches(prev, s.patches as never)).toEqual(s.state);
      prev = s.state;
    }
    expect(t.steps[11].patches).toContainEqual({ op: 'replace', path: ['trees', 0], value: [3] });
    expect(t.breaks.map((b) => [b.property, b.step])).toEqual([
      ['noRollback', 11],
      ['aliasResolves', 12],
    ]);
  });

  it('a trace whose states were edited no longer replays, and says where', () => {
    const model = dnsModel({ variant: 'as-was' });
    const t = JSON.parse(JSON.stringify(traceOf(model, check(model, { properties: ['aliasResolves'] }).violations[0])));
    t.steps[6].state.trees = [[1]];
    expect(checkTraceAgainst(model, parseTrace(t))).toEqual([{ step: 7, reason: 'the recorded state differs from the one buildTree by enactor 1 leads to' }]);
    t.steps[3].action = 'retryLock';
    expect(checkTraceAgainst(model, parseTrace(t))[0]).toEqual({ step: 4, reason: 'retryLock by enactor 0 is not enabled' });
  });

  it('deadlocks are traced too, ending at the stuck state', () => {
    const model = graphModel({ nodes: 4, out: [[1], [2, 3], [], [3]], initial: [0], bad: [], ends: [] });
    const [t] = tracesOf(model);
    expect(t.kind).toBe('deadlock');
    expect(t.steps.map((s) => [s.action, s.actor, s.state.node])).toEqual([
      ['follow', 0, 1],
      ['follow', 0, 2],
    ]);
    expect(t.breaks).toEqual([
      { property: 'deadlock', step: 2, kind: 'deadlock', explanation: 'no action is enabled, and the model does not accept this state as an end' },
    ]);
    expect(checkTraceAgainst(model, parseTrace(JSON.parse(JSON.stringify(t))))).toEqual([]);
  });
});

describe('parseTrace rejects malformed traces, naming the field', () => {
  const model = dnsModel({ variant: 'as-was' });
  const good = JSON.parse(JSON.stringify(traceOf(model, check(model, { properties: ['aliasResolves'] }).violations[0])));
  const cases: [string, unknown, RegExp][] = [
    ['not an object', [], /must hold a JSON object/],
    ['wrong format', { ...good, format: 'x' }, /field format must be "dnsmc-trace"/],
    ['unknown version', { ...good, version: 99 }, /field version must be 1, got 99/],
    ['missing model', { ...good, model: undefined }, /field model must be a string/],
    ['steps not an array', { ...good, steps: {} }, /field steps must be an array/],
    ['bad step number', { ...good, steps: [{ ...good.steps[0], step: 5 }] }, /steps\[0\]\.step must be 1/],
    ['negative actor', { ...good, steps: [{ ...good.steps[0], actor: -1 }] }, /steps\[0\]\.actor/],
  ];
  for (const [name, json, msg] of cases) {
    it(name, () => {
      expect(() => parseTrace(json)).toThrow(TraceError);
      expect(() => parseTrace(json)).toThrow(msg);
    });
  }

  it('a state that does not fit the model', () => {
    const bad = {
      ...good,
      steps: good.steps.map((s: Trace['steps'][number], i: number) => (i === 2 ? { ...s, state: { ...s.state, phase: ['idle', 'dancing', 'idle'] } } : s)),
    };
    expect(() => checkTraceAgainst(model, parseTrace(bad))).toThrow(
      'trace: steps[2].state: state field phase[1] must be one of idle|lock|backoff|build|flip|cleanup, got "dancing"',
    );
  });
});

describe('text rendering', () => {
  const model = dnsModel({ variant: 'as-was' });
  const text = formatTrace(traceOf(model, check(model, { properties: ['aliasResolves'] }).violations[0]), { render: model.render });

  it('narrates each step in the domain’s words', () => {
    expect(text).toContain('step  1  the planner publishes plan 1');
    expect(text).toContain('step  2  enactor 0 picks up plan 1');
    expect(text).toContain('step 11  enactor 0 points the top alias at plan 1, older than the active plan 3, and releases the lock');
    expect(text).toContain('step 12  enactor 1 cleans up after plan 3: deletes tree 1');
  });

  it('shows only what changed under each step', () => {
    const step11 = text.slice(text.indexOf('step 11'), text.indexOf('step 12'));
    expect(step11).toContain('alias[0]: 3 -> 1');
    expect(step11).not.toContain('trees[0]');
    expect(step11).not.toContain('latest');
  });

  it('marks the step where the property breaks', () => {
    expect(text).toMatch(/step 12 .*\n(.*\n)*\s+>> aliasResolves VIOLATED here: endpoint 0's top alias points at plan 1, whose tree has been deleted/);
    expect(text).toContain('!  noRollback also breaks here');
    expect(text.split('\n')[0]).toBe('dns (as-was): aliasResolves violated after 12 steps');
  });
});
