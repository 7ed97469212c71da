import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldSpec, JsonState, StateOf } from '../../checker/state/layout.js';
import type { Model } from '../../checker/model/model.js';
import { replay, type ScheduleStep } from '../../checker/model/replay.js';
import { explainMermaid } from '../../app/explain.js';
import { ExplainStopped, explainRun } from '../../checker/runs/explain.js';
import { locationNamer, type Presentation } from '../../checker/package/presentation.js';
import { dnsModel } from '../../models/dns/model.js';
import { dnsPresentation } from '../../models/dns/picture.js';
import { parseTrace, traceFromReplay, type Trace } from '../../traces/trace.js';
import { ROOT, run, spawnCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-explain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const racePath = join(dir, 'race.json');
let race: Trace;

interface X {
  property: string;
  steps: { step: number; action: string; actor: number; reads: string[]; writes: string[] }[];
  edges: { from: number; to: number; on: string[]; reasons: string[] }[];
  movable: { step: number; earliest: number; latest: number }[];
  critical: { before: number; after: number; words: string; reversed: string }[];
}
let x: X;

beforeAll(async () => {
  const r = await run(['check', '--variant', 'as-was', '--property', 'aliasResolves', '--trace-out', racePath]);
  expect(r.code).toBe(1);
  race = parseTrace(JSON.parse(readFileSync(racePath, 'utf8')));
  const e = await run(['explain', racePath, '--format', 'json']);
  expect(e.code).toBe(0);
  x = JSON.parse(e.stdout) as X;
});

/** Replays `order` (0-based indices into the race) on the model: where it gets stuck, whether aliasResolves breaks at the end, the last state. */
function outcome(model: Model, order: readonly number[]): { stuck: boolean; breaks: boolean; last: string } {
  const v = model.layout.vector();
  model.layout.fromJson(race.initial, v);
  const schedule: ScheduleStep[] = order.map((k) => ({ action: race.steps[k].action, actor: race.steps[k].actor }));
  const r = replay(model, model.layout.toPlain(v) as StateOf<FieldSpec>, schedule);
  if (r.failure) return { stuck: true, breaks: false, last: '' };
  const last = r.steps.at(-1)!.state;
  model.layout.fromPlain(last, v);
  return { stuck: false, breaks: !model.invariants[0].holds(last), last: JSON.stringify(model.layout.toJson(v)) };
}

const ids = (n: number): number[] => [...Array(n).keys()];

describe('dnsmc explain on the 12-step race', () => {
  const model = dnsModel({ variant: 'as-was' });

  it('records what each step read and wrote, by running the guard and effect through a recording view', () => {
    expect(x.steps).toHaveLength(12);
    expect(x.steps[1]).toMatchObject({ action: 'pickPlan', actor: 0, reads: ['phase[0]', 'alias[0]', 'latest'] });
    expect(x.steps[1].writes.sort()).toEqual(['endpoint[0]', 'failures[0]', 'phase[0]', 'plan[0]']);
    expect(x.steps[11]).toMatchObject({ action: 'cleanupPlans', actor: 1 });
    expect(x.steps[11].writes).toContain('trees[0]');
    // The as-was cleaner does not look at the alias.
    expect(x.steps[11].reads).not.toContain('alias[0]');
  });

  it('the steps that can move: the stale flip and the cleanup, each checked by moving it and replaying to the same last state', () => {
    expect(x.movable).toEqual([
      { step: 11, earliest: 11, latest: 12 },
      { step: 12, earliest: 11, latest: 12 },
    ]);
    const original = outcome(model, ids(12));
    expect(original.breaks).toBe(true);
    for (const m of x.movable) {
      for (const to of [m.earliest, m.latest]) {
        const order = ids(12).filter((k) => k !== m.step - 1);
        order.splice(to - 1, 0, m.step - 1);
        const o = outcome(model, order);
        expect(o.stuck).toBe(false);
        expect(o.last).toBe(original.last);
        expect(o.breaks).toBe(true);
      }
    }
    // A step not listed cannot move one place without losing the run (step 10, the stale build, for one).
    const swapped = [...ids(9), 10, 9, 11];
    const o = outcome(model, swapped);
    expect(o.stuck || o.last !== original.last).toBe(true);
  });

  it('names the critical orderings, and each one, reversed by replay, loses the violation or the run', () => {
    const pairs = x.critical.map((c) => `${c.before}<${c.after}`);
    // Enactor 0 picks up plan 1 before plan 2 (and so plan 3) is published.
    expect(pairs).toContain('2<3');
    // Enactor 1's cleanup comes after enactor 0 has built plan 1's tree.
    expect(pairs).toContain('10<12');
    expect(pairs).toEqual(['1<2', '2<3', '4<5', '8<9', '10<12']);
    expect(x.critical.find((c) => c.before === 2)!.words).toBe(
      'step 3 (the planner publishes plan 2) must come after step 2 (enactor 0 picks up plan 1 (newest; the one-time freshness check passes)), through the latest plan number: reversed, aliasResolves would no longer break',
    );
    // Independently of the tool: put `after` (with what it depends on in between) right before `before`, replay.
    const ancestors = (j: number): Set<number> => {
      const out = new Set<number>();
      const walk = (k: number): void => {
        for (const e of x.edges) if (e.to === k && !out.has(e.from)) out.add(e.from) && walk(e.from);
      };
      walk(j);
      return out;
    };
    for (const c of x.critical) {
      const anc = ancestors(c.after);
      const between = ids(12).filter((k) => k + 1 > c.before && k + 1 < c.after);
      const order = [
        ...ids(c.before - 1),
        ...between.filter((k) => anc.has(k + 1)),
        c.after - 1,
        c.before - 1,
        ...between.filter((k) => !anc.has(k + 1)),
        ...ids(12).filter((k) => k + 1 > c.after),
      ];
      expect(order.slice().sort((a, b) => a - b)).toEqual(ids(12));
      const o = outcome(model, order);
      expect(o.stuck || !o.breaks).toBe(true);
      expect(c.reversed).toBe(o.stuck ? c.reversed : 'aliasResolves would no longer break');
    }
  });

  it('text: the orderings in words and the movable steps marked', async () => {
    const r = await run(['explain', racePath]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Outcome: aliasResolves breaks in the last state. 12 steps:');
    expect(r.stdout).toContain('[can move: anywhere from step 11 to 12]');
    expect(r.stdout).toContain(
      '  - step 12 (enactor 1 cleans up after plan 3: deletes tree 1) must come after step 10 (enactor 0 builds the tree of plan 1), through the plan trees of endpoint 0: reversed, aliasResolves would no longer break',
    );
  });

  it("names the fields in the model's words when its package has presentation.fieldName, and by their raw names otherwise", () => {
    const model = dnsModel({ variant: 'as-was' });
    const raw = explainRun(model, race).critical.map((c) => c.words);
    expect(raw[3]).toContain(', through lockHolder[0]: reversed');
    const named = explainRun(model, race, { locationName: locationNamer(dnsPresentation, model) }).critical.map((c) => c.words);
    expect(named[3]).toContain(', through the lock of endpoint 0: reversed');
    // Only the words change: the same orderings, each the raw sentence with its locations renamed.
    expect(
      named.map((w) =>
        w.replace('the lock of endpoint 0', 'lockHolder[0]').replace('the latest plan number', 'latest').replace('the plan trees of endpoint 0', 'trees[0]'),
      ),
    ).toEqual(raw);
    // A hook that throws, or answers with nothing, leaves the raw name; no hook, every name as it is.
    const name = (fieldName: Presentation['fieldName']) => locationNamer({ fieldName }, model);
    expect(
      name(() => {
        throw new Error('no');
      })('lockHolder[0]'),
    ).toBe('lockHolder[0]');
    expect(name(() => '')('latest')).toBe('latest');
    expect(name((_m, f, i) => `${f}/${i}`)('lockHolder[0]')).toBe('lockHolder/0');
    expect(name((_m, f, i) => `${f}/${i}`)('latest')).toBe('latest/undefined');
    expect(locationNamer(undefined, model)('alias[0]')).toBe('alias[0]');
  });

  it("mermaid: every line fits the flowchart grammar's node, edge and class statements; every edge joins declared nodes", async () => {
    const r = await run(['explain', racePath, '--format', 'mermaid']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('flowchart TD');
    const nodes = new Set<string>();
    // A quoted label: no raw quote, no line break (entity codes such as #quot; stand for them).
    const label = '"[^"\\n]*"';
    for (const l of lines.slice(1)) {
      let m = new RegExp(`^  (s\\d+)\\[${label}\\]$`).exec(l);
      if (m) {
        nodes.add(m[1]);
        continue;
      }
      m = new RegExp(`^  (s\\d+) (-->|==>)\\|${label}\\| (s\\d+)$`).exec(l);
      if (m) {
        expect(nodes.has(m[1]) && nodes.has(m[3])).toBe(true);
        continue;
      }
      if (/^ {2}classDef movable stroke-dasharray: 5 5$/.test(l)) continue;
      m = /^ {2}class (s\d+(?:,s\d+)*) movable$/.exec(l);
      if (m) {
        for (const id of m[1].split(',')) expect(nodes.has(id)).toBe(true);
        continue;
      }
      throw new Error(`not a flowchart statement: ${l}`);
    }
    expect(nodes.size).toBe(12);
    expect(lines.filter((l) => l.includes('==>'))).toHaveLength(5);
    expect(lines).toContain('  s10 ==>|"trees#91;0#93;"| s12');
  });

  it('mermaid labels escape what would end or break a label', () => {
    const out = explainMermaid({
      property: 'p',
      outcome: 'o',
      steps: [{ step: 1, action: 'a', role: 'r', actor: 0, who: 'r', narration: 'say "hi" <b>#1</b> | [x] {y}\nend', reads: [], writes: [] }],
      edges: [],
      movable: [],
      critical: [],
    });
    expect(out.split('\n')[1]).toBe('  s1["1. say #quot;hi#quot; #lt;b#gt;#35;1#lt;/b#gt; #124; #91;x#93; #123;y#125; end"]');
  });

  it('dot: a digraph with one node per step, critical edges thick, movable steps dashed', async () => {
    const r = await run(['explain', racePath, '--format', 'dot']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('digraph explain {\n')).toBe(true);
    expect(r.stdout.trimEnd().endsWith('}')).toBe(true);
    expect(r.stdout).toContain('  s10 -> s12 [label="trees[0]", penwidth=3];');
    expect(r.stdout).toContain(
      '  s11 [label="11. enactor 0 points the top alias at plan 1, older than the active plan 3, and releases the lock", style=dashed];',
    );
  });

  it('bad input: one line, exit 2', async () => {
    const f = await run(['explain', racePath, '--format', 'svg']);
    expect(f.code).toBe(2);
    expect(f.stderr.trim()).toBe('dnsmc: --format must be one of text|mermaid|dot|json, got "svg"');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...race, steps: race.steps.slice(0, 3).map((s, i) => (i === 2 ? { ...s, actor: 1 } : s)) }));
    const b = await run(['explain', bad]);
    expect(b.code).toBe(2);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('scenarios, constraints and explain with --model', () => {
  // A user's module: a counter two actors bump, with a scenario (actor 1 bumps first) and a constraint (at most N bumps by actor 0).
  const file = join(dir, 'bumps.mjs');
  beforeAll(() => {
    writeFileSync(
      file,
      `import { array, defineLayout, int } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)};
export const modelPackage = {
  name: 'bumps',
  description: 'two actors bump a counter',
  params: [{ name: 'top', type: 'int', min: 1, max: 9, default: 3, help: 'the largest value' }],
  createModel: ({ top }) => ({
    name: 'bumps',
    params: { top },
    layout: defineLayout({ n: int(0, top), by: array(2, int(0, top)) }),
    roles: { bumper: 2 },
    init: [{ n: 0, by: [0, 0] }],
    actions: [{ name: 'bump', role: 'bumper', guard: (s) => s.n < top, effect: (s, a) => { s.n = s.n + 1; s.by[a] = s.by[a] + 1; } }],
    invariants: [{ name: 'small', description: 'n stays below 2', holds: (s) => s.n < 2 }],
    stepInvariants: [],
    terminalOk: () => true,
  }),
  scenarios: [{
    name: 'one-first', description: 'actor 1 bumps before actor 0 does', params: [],
    observer: () => ({
      fields: { first: int(0, 2) }, init: { first: 0 },
      update: (b, action, actor, a) => { if (b.first === 0) a.first = actor + 1; },
      accepts: (s) => s.first === 2,
    }),
  }],
  constraints: [{ name: 'maxZero', help: 'at most this many bumps by actor 0', min: 0, max: 9,
    observer: (_m, n) => ({ fields: {}, init: {}, allows: (s, _a, actor) => actor !== 0 || s.by[0] < n }) }],
};
`,
    );
  });

  it('check --scenario and a constraint flag from the module, on one thread and on two', async () => {
    for (const workers of ['1', '2']) {
      const out = join(dir, `bumps-${workers}.json`);
      const r = await run(['check', '--model', file, '--scenario', 'one-first', '--workers', workers, '--trace-out', out]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('restricted to: scenario one-first');
      const t = parseTrace(JSON.parse(readFileSync(out, 'utf8')));
      expect(t.steps.map((s) => s.actor)).toEqual([1, 0]);
      expect(t.scenario).toEqual({ name: 'one-first', params: {} });
      expect(Object.keys(t.initial as JsonState)).toEqual(['n', 'by']);
    }
    const c = await run(['check', '--model', file, '--max-zero', '0', '--json']);
    expect(c.code).toBe(1);
    const j = JSON.parse(c.stdout) as { constraints: unknown; violations: { steps: { actor: number }[] }[] };
    expect(j.constraints).toEqual({ maxZero: 0 });
    const help = spawnCli(['check', '--model', file, '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--max-zero');
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('one-first: actor 1 bumps before actor 0 does');
  });

  it('a scenario parameter or constraint whose flag clashes with another flag is refused in one line', async () => {
    const src = readFileSync(file, 'utf8');
    const clash = join(dir, 'clash.mjs');
    writeFileSync(clash, src.replace("name: 'maxZero'", "name: 'top'"));
    const r = await run(['check', '--model', clash]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`dnsmc: --model ${clash}: constraints[0] (top): --top is already a flag; name it otherwise`);
    const clash2 = join(dir, 'clash2.mjs');
    writeFileSync(
      clash2,
      src.replace(
        "description: 'actor 1 bumps before actor 0 does', params: []",
        "description: 'x', params: [{ name: 'seed', type: 'int', min: 0, max: 1, default: 0, help: 'h' }]",
      ),
    );
    const r2 = await run(['check', '--model', clash2]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('--seed is a flag of dnsmc');
  });

  it('explain --model reads the module again (a trace never names code that runs)', async () => {
    const out = join(dir, 'bumps-1.json');
    const no = await run(['explain', out]);
    expect(no.code).toBe(2);
    const r = await run(['explain', out, '--model', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('reads n, by[1]; writes n, by[1]');
  });
});

describe('explain on a long run: bounded cost, limits', () => {
  // Six hands raise their own counters and now and then mark a shared field: 3,000 steps, valid.
  const module = join(dir, 'marks.mjs');
  const long = join(dir, 'long.json');
  beforeAll(async () => {
    writeFileSync(
      module,
      `import { array, defineLayout, int } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)};
export const model = {
  name: 'marks', params: {}, layout: defineLayout({ c: array(6, int(0, 1000)), last: int(0, 5) }), roles: { hand: 6 },
  init: [{ c: [0, 0, 0, 0, 0, 0], last: 0 }],
  actions: [
    { name: 'up', role: 'hand', guard: (s, a) => s.c[a] < 1000, effect: (s, a) => { s.c[a] = s.c[a] + 1; } },
    { name: 'mark', role: 'hand', guard: (s, a) => s.c[a] >= 0, effect: (s, a) => { s.last = a; } },
  ],
  invariants: [{ name: 'below', description: 'counters stay below 1000', holds: (s) => s.c.every((x) => x < 1000) }],
  stepInvariants: [],
  terminalOk: () => true,
};
`,
    );
    const { model } = (await import(pathToFileURL(module).href)) as { model: Model };
    const schedule: ScheduleStep[] = [...Array(3000).keys()].map((i) => ({ action: i % 5 === 4 ? 'mark' : 'up', actor: (i * 7 + (i >> 3)) % 6 }));
    const r = replay(model, model.init[0] as StateOf<FieldSpec>, schedule);
    expect(r.failure).toBeUndefined();
    writeFileSync(long, JSON.stringify({ ...traceFromReplay(model, r, 'below', 'invariant'), module }));
  });

  it('a valid 3,000-step run is explained: every step, the orderings through the shared field, the steps that can move', async () => {
    const r = await run(['explain', long, '--model', module, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as X;
    expect(j.steps).toHaveLength(3000);
    // Each mark overwrites the last mark and reads its hand's counter; each up follows its hand's step before.
    const marks = j.steps.filter((s) => s.action === 'mark').map((s) => s.step);
    for (let k = 1; k < marks.length; k++) expect(j.edges).toContainEqual(expect.objectContaining({ from: marks[k - 1], to: marks[k] }));
    expect(j.edges.every((e) => e.from < e.to)).toBe(true);
    expect(j.movable.length).toBeGreaterThan(1000);
    expect(j.critical).toEqual([]);
  });

  it('--time-limit stops it: exit 3, one line, nothing on stdout; a bad value is refused', async () => {
    // The explanation itself stops at the limit (a limit of 0 stops it at its first check, on any machine).
    const { model } = (await import(pathToFileURL(module).href)) as { model: Model };
    const trace = parseTrace(JSON.parse(readFileSync(long, 'utf8')));
    expect(() => explainRun(model, trace, { timeLimitMs: 0 })).toThrow(new ExplainStopped('time-limit', 'the time limit (--time-limit) stopped explain'));
    // From the command line: exit 3, one line naming the limit, nothing on stdout. (Loading the module counts
    // against the limit too, so on a loaded machine the line can name the import instead of the explanation.)
    const r = await run(['explain', long, '--model', module, '--time-limit', '0.001']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^dnsmc: (explain: incomplete: the time limit \(--time-limit\) stopped explain; nothing is reported|--model .*marks\.mjs: importing the module did not finish within --time-limit 0\.001 s; no verdict)\n$/,
    );
    const bad = await run(['explain', long, '--model', module, '--max-memory', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--max-memory');
  });
});
