import { describe, expect, it } from 'vitest';
import { check } from '../../checker/explore/bfs.js';
import type { FieldSpec } from '../../checker/state/layout.js';
import type { Model } from '../../checker/model/model.js';
import { replay } from '../../checker/model/replay.js';
import { dnsModel } from '../../models/dns/model.js';
import { lockMutexModel, naiveMutexModel } from '../../models/toys/index.js';
import { traceFromItf, toItf } from '../../traces/itf.js';
import { sequenceOf, type LaneOptions } from '../../traces/lanes.js';
import { markdownText, toMarkdown } from '../../traces/markdown.js';
import { mermaidText, toMermaid } from '../../traces/mermaid.js';
import { traceTitle } from '../../traces/text.js';
import { parseTrace, traceFromReplay, traceOf, TraceError, type Trace } from '../../traces/trace.js';

const dns = dnsModel({ variant: 'as-was' });
const race = traceOf(dns, check(dns, { properties: ['aliasResolves'] }).violations[0]);
const fields = dns.layout.fields as FieldSpec;
/** The dns lanes as app/view.ts makes them: every actor, then endpoint 0's Route 53 records. */
const lanes: LaneOptions = {
  roles: dns.roles,
  actorName: (r, a) => dns.actorName!(r, a),
  resources: {
    lanes: [{ id: 'endpoint 0', label: 'endpoint 0 (Route 53)' }],
    of: (p) => (['alias', 'trees', 'lockHolder'].includes(String(p[0])) ? 'endpoint 0' : undefined),
  },
};
const HOSTILE = '</script><script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> | # ; & $x$ `c` *b* [l](u)';

/** A lasso of the lock mutex: process 0 requests, enters and exits, back in the initial state (loop at step 0). */
function mutexLasso(): { model: Model; trace: Trace } {
  const model = lockMutexModel(2);
  const run = replay(model, model.init[0], [
    { action: 'request', actor: 0 },
    { action: 'enter', actor: 0 },
    { action: 'exit', actor: 0 },
  ]);
  const t = traceFromReplay(model, run, 'mutualExclusion', 'invariant');
  return { model, trace: parseTrace(JSON.parse(JSON.stringify({ ...t, loop: 0 }))) };
}

describe('lanes', () => {
  it('one lane per actor (the planner, each enactor, even one that never acts), then the endpoint records; steps that change alias, trees or lockHolder point at them', () => {
    const seq = sequenceOf(race, lanes);
    expect(seq.lanes.map((l) => l.label)).toEqual(['the planner', 'enactor 0', 'enactor 1', 'enactor 2', 'endpoint 0 (Route 53)']);
    expect(seq.steps.map((s) => `${s.step} ${s.action} ${s.targets.length}`)).toEqual([
      '1 publishPlan 0',
      '2 pickPlan 0',
      '3 publishPlan 0',
      '4 publishPlan 0',
      '5 pickPlan 0',
      '6 acquireLock 1',
      '7 buildTree 1',
      '8 flipAlias 1',
      '9 acquireLock 1',
      '10 buildTree 1',
      '11 flipAlias 1',
      '12 cleanupPlans 1',
    ]);
  });

  it('without a model, lanes come from the steps: each role, actors up to the highest that acts', () => {
    expect(sequenceOf(race).lanes.map((l) => l.label)).toEqual(['planner', 'enactor 0', 'enactor 1']);
  });
});

describe('markdown', () => {
  const md = toMarkdown(race, { ...lanes, render: (s) => dns.render!(s) });
  const lines = md.split('\n');

  it('a table of the 12 steps and the initial state, narrated, with what each changed', () => {
    expect(lines[0]).toBe('### dns (as-was): aliasResolves violated after 12 steps');
    expect(lines).toContain('| step | actor | action | what happens | what changed |');
    expect(lines.filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(13);
    expect(lines).toContain('| 10 | enactor 0 | buildTree | enactor 0 builds the tree of plan 1 | phase\\[0\\]: build → flip<br>trees\\[0\\]: {3} → {1, 3} |');
    expect(lines).toContain(
      "| 12 | enactor 1 | cleanupPlans | enactor 1 cleans up after plan 3: deletes tree 1<br>**aliasResolves violated:** endpoint 0's top alias points at plan 1, whose tree has been deleted: the name resolves to nothing | phase\\[1\\]: cleanup → idle<br>trees\\[0\\]: {1, 3} → {3}<br>plan\\[1\\]: 3 → 0 |",
    );
    expect(md).toContain("**noRollback also breaks:** endpoint 0's top alias rolled back from plan 3 to plan 1");
    expect(lines.find((l) => l.startsWith('| 0 |'))).toContain('endpoint 0: alias -\\> unset; trees {}; lock free');
  });

  it('escapes what markdown or HTML would read as syntax, and keeps a cell on one line', () => {
    expect(markdownText(HOSTILE)).toBe(
      '\\</script\\>\\<script\\>window.\\_\\_pwned=1\\</script\\> \\<img src=x onerror="window.\\_\\_pwned=2"\\> \\| # ; \\& \\$x\\$ \\`c\\` \\*b\\* \\[l\\](u)',
    );
    expect(markdownText('a\nb\r\nc')).toBe('a b c');
    const hostile = { ...race, steps: race.steps.map((s, i) => (i === 2 ? { ...s, narration: `${HOSTILE}\nsecond line` } : s)) };
    const row = toMarkdown(hostile, lanes)
      .split('\n')
      .find((l) => l.startsWith('| 3 |'))!;
    expect(row.split(/(?<!\\)\|/)).toHaveLength(7); // still five cells
    expect(row).not.toMatch(/(?<!\\)[<>&`*_[\]$]/); // every one escaped
  });

  it('marks a lasso’s loop', () => {
    const { trace } = mutexLasso();
    const out = toMarkdown(trace);
    expect(out).toContain('| 0 ↻ |');
    expect(out).toContain('↻ The run is a lasso: after step 3 the run is back in the state of step 0, and steps 1 to 3 repeat forever.');
  });
});

describe('mermaid', () => {
  const mm = toMermaid(race, lanes);
  const lines = mm.trimEnd().split('\n');

  it('a sequenceDiagram: a participant per lane, a message per step from its actor to the records it changes, the narration as a note', () => {
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines.filter((l) => l.includes('participant'))).toEqual([
      '  participant p0 as the planner',
      '  participant p1 as enactor 0',
      '  participant p2 as enactor 1',
      '  participant p3 as enactor 2',
      '  participant p4 as endpoint 0 (Route 53)',
    ]);
    expect(lines.filter((l) => l.includes('->>'))).toHaveLength(12);
    expect(lines).toContain('  p0->>p0: 1. publishPlan');
    expect(lines).toContain('  p1->>p4: 11. flipAlias');
    expect(lines).toContain('  Note over p2: enactor 1 cleans up after plan 3: deletes tree 1');
  });

  it('no text carries a character that ends a statement or starts markup: # ; < > & " and line breaks become entity codes', () => {
    expect(lines).toContain('  Note over p1: enactor 0 picks up plan 1 (newest#59; the one-time freshness check passes)');
    expect(mermaidText(HOSTILE)).toBe(
      '#60;/script#62;#60;script#62;window.__pwned=1#60;/script#62; #60;img src=x onerror=#34;window.__pwned=2#34;#62; #124; #35; #59; #38; $x$ #96;c#96; *b* [l](u)',
    );
    expect(mermaidText('a\nb')).toBe('a b');
    expect(mermaidText('wrap: x')).toBe('#119;rap: x');
    for (const l of lines.slice(1)) {
      const text = l.slice(l.indexOf(':') + 1).replaceAll('<br/>', ' ');
      expect(text.replace(/#\d+;/g, '')).not.toMatch(/[#;<>&"\n]/);
    }
  });

  it('the breaking step stands out: its message, narration and a VIOLATION note in a red rect; another property on amber', () => {
    expect(lines[1]).toBe("  %%{init: {'sequence': {'wrap': true, 'noteAlign': 'left', 'wrapPadding': 30}}}%%");
    // Steps 10 to 12 as written: noRollback breaks at step 10 (amber), aliasResolves, the trace's property, at step 12.
    expect(lines.slice(lines.indexOf('  p1->>p4: 10. buildTree'))).toEqual([
      '  p1->>p4: 10. buildTree',
      '  Note over p1: enactor 0 builds the tree of plan 1',
      '  p1->>p4: 11. flipAlias',
      '  Note over p1: enactor 0 points the top alias at plan 1, older than the active plan 3, and releases the lock',
      '  rect rgb(255, 244, 229)',
      "  Note over p0,p4: noRollback also breaks: endpoint 0's top alias rolled back<br/>from plan 3 to plan 1",
      '  end',
      '  rect rgb(255, 205, 205)',
      '  p2->>p4: 12. cleanupPlans',
      '  Note over p2: enactor 1 cleans up after plan 3: deletes tree 1',
      "  Note over p0,p4: VIOLATION: aliasResolves breaks here: endpoint 0's top alias<br/>points at plan 1, whose tree has been deleted: the name<br/>resolves to nothing",
      '  end',
    ]);
    // Only the breaking step is inside a rect: every other narration note is not.
    const notes = lines.filter((l) => /^ {2}Note over p\d:/.test(l));
    expect(notes).toHaveLength(12);
    const inRect = notes.filter((n) => {
      const opened = lines.slice(0, lines.indexOf(n)).filter((l) => /^ {2}(rect|end)\b/.test(l));
      return opened[opened.length - 1]?.startsWith('  rect');
    });
    expect(inRect).toEqual(['  Note over p2: enactor 1 cleans up after plan 3: deletes tree 1']);
  });

  it('every note across the lanes wraps at 60 characters at word boundaries with <br/>, the only markup dnsmc writes; a note over one lane is left to mermaid; a hostile <br/> stays text', () => {
    const read = (l: string): string[] => l.slice(l.indexOf(':', l.indexOf('Note over')) + 2).split('<br/>');
    const across = lines.filter((l) => /^ {2}Note over p\d+,p\d+:/.test(l));
    const pieces = across.flatMap(read);
    expect(pieces.length).toBeGreaterThan(across.length);
    for (const p of pieces) expect(p.replace(/#\d+;/g, 'x').length).toBeLessThanOrEqual(60);
    // A note over one lane is as narrow as the lane: mermaid's own wrapping fits it there (test/browser/mermaid.test.ts
    // renders it), which it does not do to lines already broken, so dnsmc writes it on one line.
    const narrow = lines.filter((l) => /^ {2}Note over p\d+:/.test(l));
    expect(narrow).toHaveLength(12);
    for (const l of narrow) expect(l).not.toContain('<br/>');
    // A long word (a URL, say) is cut rather than left to overflow.
    const long = toMermaid(
      { ...race, breaks: race.breaks.map((b) => (b.property === race.property ? { ...b, explanation: `${'a'.repeat(130)} <br/> ${HOSTILE}` } : b)) },
      lanes,
    );
    const note = long.split('\n').find((l) => l.startsWith('  Note over p0,p4: VIOLATION'))!;
    expect(read(note).map((p) => p.replace(/#\d+;/g, 'x').length)).toEqual([37, 60, 60, 59, 58, 6]);
    expect(note).toContain('#60;br/#62;');
    expect(note).toContain('aaaaaaaaaa #60;br/#62; #60;/script#62;');
  });

  it('a lasso’s loop is a loop block', () => {
    const out = toMermaid(mutexLasso().trace).trimEnd().split('\n');
    expect(out).toContain('  loop steps 1 to 3 repeat forever');
    expect(out[out.length - 1]).toBe('  end');
  });
});

describe('ITF', () => {
  const itf = toItf(race, fields);
  const b = (n: number) => ({ '#bigint': String(n) });

  it('has the ITF structure: #meta with the format, vars (the state fields) and one state per step, each with #meta {index, action, actor}', () => {
    expect(itf['#meta']).toMatchObject({ format: 'ITF', source: 'dnsmc', description: 'dns (as-was): aliasResolves violated after 12 steps' });
    expect(itf['#meta'].dnsmc).toMatchObject({ model: 'dns', variant: 'as-was', property: 'aliasResolves', kind: 'invariant' });
    // ADR-015 as Quint writes it: the state fields, then the action taken and the nondeterministic picks.
    expect(itf.vars).toEqual(['latest', 'alias', 'trees', 'lockHolder', 'phase', 'plan', 'endpoint', 'failures', 'mbt::actionTaken', 'mbt::nondetPicks']);
    expect(itf.params).toEqual(['variant', 'enactors', 'plans', 'endpoints', 'maxBackoff', 'keep']);
    expect(itf.states).toHaveLength(13);
    expect(itf.loop).toBeUndefined();
    expect(itf.states.map((s) => s['#meta'].index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(itf.states[12]['#meta']).toEqual({ index: 12, action: 'cleanupPlans', role: 'enactor', actor: 1 });
    expect(itf.states[0]['#meta']).toEqual({ index: 0, action: 'init' });
  });

  it('integers are #bigint, sets #set, arrays #map from #bigint index, enums strings, a free lock the variant None', () => {
    const idle3 = { '#map': [0, 1, 2].map((i) => [b(i), 'idle']) };
    const zero3 = { '#map': [0, 1, 2].map((i) => [b(i), b(0)]) };
    expect(itf.states[0]).toEqual({
      '#meta': { index: 0, action: 'init' },
      latest: b(0),
      alias: { '#map': [[b(0), b(0)]] },
      trees: { '#map': [[b(0), { '#set': [] }]] },
      lockHolder: { '#map': [[b(0), { tag: 'None', value: { '#tup': [] } }]] },
      phase: idle3,
      plan: zero3,
      endpoint: zero3,
      failures: zero3,
      // The parameters are set in the first state (ADR-015), and each state names the step that led to it as Quint does.
      variant: 'as-was',
      enactors: b(3),
      plans: b(4),
      endpoints: b(1),
      maxBackoff: b(2),
      keep: b(1),
      'mbt::actionTaken': 'init',
      'mbt::nondetPicks': { actor: { tag: 'None', value: { '#tup': [] } } },
    });
    expect(itf.states[11]['mbt::actionTaken']).toBe('flipAlias');
    expect(itf.states[11]['mbt::nondetPicks']).toEqual({ actor: { tag: 'Some', value: b(0) } });
    expect(itf.states[6].lockHolder).toEqual({ '#map': [[b(0), { tag: 'Some', value: b(1) }]] });
    expect(itf.states[11].trees).toEqual({ '#map': [[b(0), { '#set': [b(1), b(3)] }]] });
    expect(itf.states[12].trees).toEqual({ '#map': [[b(0), { '#set': [b(3)] }]] });
    expect(itf.states[12].alias).toEqual({ '#map': [[b(0), b(1)]] });
    // No bare JSON number anywhere in a state (outside #meta).
    const bare = (v: unknown): boolean =>
      typeof v === 'number' || (Array.isArray(v) ? v.some(bare) : v !== null && typeof v === 'object' && Object.values(v).some(bare));
    for (const s of itf.states) for (const [k, v] of Object.entries(s)) if (k !== '#meta') expect(bare(v)).toBe(false);
  });

  it('reads back into the same trace (through JSON text)', () => {
    expect(traceFromItf(JSON.parse(JSON.stringify(itf)), dns)).toEqual(race);
  });

  it('round trips every trace of the toy models and the dns variants, and a lasso with its loop', () => {
    const models: Model[] = [naiveMutexModel(3), dnsModel({ variant: 'spare-active-only' }), dnsModel({ variant: 'as-was', endpoints: 2, plans: 3 })];
    let n = 0;
    for (const m of models) {
      for (const v of check(m, { continueAfterViolation: true }).violations) {
        const t = traceOf(m, v);
        expect(traceFromItf(JSON.parse(JSON.stringify(toItf(t, m.layout.fields as FieldSpec))), m)).toEqual(t);
        n++;
      }
    }
    expect(n).toBe(5);
    const { model, trace } = mutexLasso();
    const doc = toItf(trace, model.layout.fields as FieldSpec);
    expect(doc.loop).toBe(0);
    expect(doc.states[0].lock).toEqual({ tag: 'None', value: { '#tup': [] } });
    expect(doc.states[2].lock).toEqual({ tag: 'Some', value: b(0) });
    expect(traceFromItf(JSON.parse(JSON.stringify(doc)), model)).toEqual(trace);
  });

  it('rejects documents that do not fit the model, naming the place', () => {
    const doc = (): Record<string, unknown> & { states: Record<string, unknown>[] } => JSON.parse(JSON.stringify(itf));
    const bad = (d: unknown, msg: string): void => {
      expect(() => traceFromItf(d, dns)).toThrow(TraceError);
      expect(() => traceFromItf(d, dns)).toThrow(msg);
    };
    bad([], 'itf: the document must be a JSON object');
    bad({ ...doc(), vars: ['latest'] }, "itf: vars must list the model's state fields: latest, alias, trees, lockHolder, phase, plan, endpoint, failures");
    const d1 = doc();
    d1.states[3].latest = 3;
    bad(d1, 'itf: states[3].latest must be an integer as {"#bigint": "<digits>"}');
    const d2 = doc();
    delete d2.states[4].trees;
    bad(d2, 'itf: states[4].trees is missing');
    const d3 = doc();
    d3.states[7].trees = { '#map': [[b(0), { '#set': [b(1)] }]] };
    bad(d3, 'itf: states[7] differs from the state buildTree by enactor 1 leads to');
    const d4 = doc();
    d4.states[5]['#meta'] = { index: 5 };
    bad(d4, 'itf: states[5]["#meta"] must name the action (a string) and the actor (a whole number) that led to the state');
    const d5 = doc();
    d5.states[0].lockHolder = { '#map': [[b(0), null]] };
    bad(d5, 'itf: states[0].lockHolder[0] must be {"tag": "Some", "value": {"#bigint": ...}} or {"tag": "None", "value": {"#tup": []}}');
    bad({ ...doc(), loop: 3 }, 'the loop does not close');
  });
});

describe('titles', () => {
  it('a trace whose property does not break says so instead of claiming a violation', () => {
    expect(traceTitle(race)).toBe('dns (as-was): aliasResolves violated after 12 steps');
    expect(traceTitle({ ...race, variant: 'fixed', breaks: [] })).toBe('dns (fixed): 12 steps, no property breaks');
    expect(traceTitle({ ...race, breaks: [race.breaks[0]] })).toBe('dns (as-was): 12 steps, noRollback breaks');
  });
});
