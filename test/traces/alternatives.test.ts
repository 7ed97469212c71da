/**
 * The alternatives panel's data: at each step, every action the model
 * enabled before it and where each leads. Checked against the model's own
 * guards (not through the kernel the panel uses), and the step taken against
 * the trace.
 */
import { describe, expect, it } from 'vitest';
import { viewerPage } from '../../app/view.js';
import { check } from '../../checker/explore/bfs.js';
import type { FieldSpec, JsonState } from '../../checker/state/layout.js';
import type { Model } from '../../checker/model/model.js';
import { dnsModel } from '../../models/dns/model.js';
import { dnsPresentation } from '../../models/dns/picture.js';
import { naiveMutexModel } from '../../models/toys/index.js';
import { alternativesOf } from '../../traces/alternatives.js';
import type { PageData } from '../../traces/client/data.js';
import { traceOf, type Trace } from '../../traces/trace.js';
import { MAX_VIEW_STEPS } from '../../traces/viewer.js';

const asWas = dnsModel({ variant: 'as-was' });
const race = traceOf(asWas, check(asWas, { properties: ['aliasResolves'] }).violations[0]);

/** Every (action, actor) whose guard holds in the JSON state, straight from the model's actions. */
function enabledByGuards(model: Model, s: JsonState): string[] {
  const vec = model.layout.vector();
  model.layout.fromJson(s, vec);
  const plain = model.layout.toPlain(vec) as never;
  const out: string[] = [];
  for (const a of (model as Model<FieldSpec>).actions) {
    for (let actor = 0; actor < model.roles[a.role]; actor++) if (a.guard(plain, actor)) out.push(`${a.name}/${actor}`);
  }
  return out.sort();
}

function checkAgainstModel(model: Model, trace: Trace): number {
  const alts = alternativesOf(trace, model, dnsPresentation);
  expect(alts).toHaveLength(trace.steps.length + 1);
  expect(alts[0]).toEqual([]);
  const states = [trace.initial, ...trace.steps.map((s) => s.state)];
  let n = 0;
  for (let i = 1; i < states.length; i++) {
    expect(alts[i].map((a) => `${a.action}/${a.actor}`).sort(), `step ${i}`).toEqual(enabledByGuards(model, states[i - 1]));
    const taken = alts[i].filter((a) => a.taken);
    expect(taken.map((a) => [a.action, a.actor])).toEqual([[trace.steps[i - 1].action, trace.steps[i - 1].actor]]);
    expect(taken[0].narration).toBe(trace.steps[i - 1].narration);
    n += alts[i].length;
  }
  return n;
}

describe('the alternatives at each step', () => {
  it('list every action the model enables before each step of the race (checked against its guards), the taken one marked', () => {
    expect(checkAgainstModel(asWas, race)).toBe(42);
    const at11 = alternativesOf(race, asWas, dnsPresentation)[11];
    expect(at11.map((a) => [a.action, a.actor, a.taken, a.label, a.breaks])).toEqual([
      ['publishPlan', 0, false, 'publish plan 4', []],
      ['flipAlias', 0, true, 'flip → plan 1 (active 3), rollback, releases lock', ['noRollback']],
      ['cleanupPlans', 1, false, 'cleanup deletes tree 1', []],
    ]);
    expect(at11[2].changes).toEqual(['phase[1]: cleanup → idle', 'trees[0]: {1, 3} → {3}', 'plan[1]: 3 → 0']);
  });

  it('hold for other models and variants too', () => {
    const two = dnsModel({ variant: 'as-was', endpoints: 2, plans: 3 });
    for (const m of [two, naiveMutexModel(3) as Model]) {
      for (const v of check(m, { continueAfterViolation: true }).violations.slice(0, 2)) expect(checkAgainstModel(m, traceOf(m, v))).toBeGreaterThan(0);
    }
  });

  it('the page carries them; a trace too large for the viewer is refused with one clear line', () => {
    const html = viewerPage({ trace: race, model: asWas, presentation: dnsPresentation });
    const data: PageData = JSON.parse(/<script type="application\/json" id="dnsmc-data">([^<]*)<\/script>/.exec(html)![1]);
    expect(data.panes[0].alternatives!.map((l) => l.length)).toEqual([0, 1, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 4]);
    const long: Trace = { ...race, steps: Array.from({ length: MAX_VIEW_STEPS + 1 }, () => race.steps[0]) };
    expect(() => viewerPage({ trace: long, model: asWas, presentation: dnsPresentation })).toThrow(
      `trace: ${MAX_VIEW_STEPS + 1} steps are more than the viewer can show usefully (at most ${MAX_VIEW_STEPS}); read it with dnsmc export --format markdown instead`,
    );
  });
});
