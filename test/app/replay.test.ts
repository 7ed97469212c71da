/**
 * Replaying a trace under another variant, reading untrusted trace files, and
 * the replay/view/export commands, run in process through the CLI's `main`.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../app/io.js';
import { replayTrace } from '../../app/replay.js';
import { main } from '../../bin/cli.js';
import { check } from '../../checker/explore/bfs.js';
import type { Model } from '../../checker/model/model.js';
import { replayAgainst } from '../../checker/runs/replay-compare.js';
import { dnsModel } from '../../models/dns/model.js';
import type { Variant } from '../../models/dns/params.js';
import { checkTraceAgainst, parseTrace, traceOf, type Trace } from '../../traces/trace.js';

const model = (variant: Variant): Model => dnsModel({ variant });
const asWas = model('as-was');
/** The 12-step October 2025 race: the shortest aliasResolves violation of the as-was protocol. */
const race = traceOf(asWas, check(asWas, { properties: ['aliasResolves'] }).violations[0]);
const states = (t: Trace) => [t.initial, ...t.steps.map((s) => s.state)];

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-replay-'));
const raceFile = join(dir, 'race.json');
writeFileSync(raceFile, JSON.stringify(race));

async function dnsmc(...argv: string[]) {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('replaying the as-was race', () => {
  it('under fixed: first diverges at step 10, where enactor 0’s buildTree gives up; no property breaks in the replayed run', () => {
    const r = replayTrace(race, model('fixed'));
    expect(r.firstDivergence?.text).toBe("step 10: enactor 0's buildTree gives up: plan 1 is not newer than the active plan 3; it releases the lock");
    expect(r.outcomes.map((o) => o.outcome)).toEqual([...Array(9).fill('same'), 'differs', 'not-enabled', 'differs']);
    expect(r.divergences.map((d) => d.text)).toEqual([
      "step 10: enactor 0's buildTree gives up: plan 1 is not newer than the active plan 3; it releases the lock",
      "step 11: enactor 0's flipAlias is not enabled here; skipped",
      "step 12: enactor 1's cleanupPlans cleans up after plan 3: nothing old enough to delete",
    ]);
    expect(r.divergences[0]).toMatchObject({
      outcome: 'differs',
      original: 'enactor 0 builds the tree of plan 1',
      fields: ['trees[0]', 'lockHolder[0]', 'phase[0]', 'plan[0]'],
    });
    expect(r).toMatchObject({
      status: 'ok',
      property: null,
      steps: 12,
      replayedSteps: 11,
      skipped: 1,
      reproduced: false,
      breaks: [],
      variant: 'fixed',
      traceVariant: 'as-was',
    });
    // The replayed run is a valid trace of the fixed model: the alias stays on plan 3, whose tree stands.
    const t = parseTrace(JSON.parse(JSON.stringify(r.trace)));
    expect(checkTraceAgainst(model('fixed'), t)).toEqual([]);
    expect(t.steps.map((s) => `${s.action} ${s.actor}`)).toEqual(race.steps.filter((_, i) => i !== 10).map((s) => `${s.action} ${s.actor}`));
    expect(t.steps[10].state).toMatchObject({ alias: [3], trees: [[3]], lockHolder: [null] });
    expect(t.breaks).toEqual([]);
  });

  it('under as-was: reproduces the violation exactly (the same 13 states, aliasResolves broken at step 12)', () => {
    const r = replayTrace(race, asWas);
    expect(r).toMatchObject({
      reproduced: true,
      firstDivergence: null,
      divergences: [],
      replayedSteps: 12,
      skipped: 0,
      status: 'violation',
      property: 'noRollback',
    });
    expect(r.outcomes.every((o) => o.outcome === 'same')).toBe(true);
    expect(states(r.trace)).toHaveLength(13);
    expect(states(r.trace)).toEqual(states(race));
    expect(r.trace.breaks.map((b) => [b.property, b.step])).toEqual([
      ['noRollback', 11],
      ['aliasResolves', 12],
    ]);
    expect(r.trace).toEqual(race);
  });

  it('under spare-active-only: the stale flip still rolls the alias back (noRollback at step 11), but cleanup spares plan 1, so it still resolves', () => {
    const r = replayTrace(race, model('spare-active-only'));
    expect(r.firstDivergence?.text).toBe("step 12: enactor 1's cleanupPlans cleans up after plan 3: nothing old enough to delete");
    expect(r.outcomes.map((o) => o.outcome)).toEqual([...Array(11).fill('same'), 'differs']);
    expect(r.breaks.map((b) => [b.property, b.step])).toEqual([['noRollback', 11]]);
    expect(r.status).toBe('violation');
    expect(r.trace.steps[11].state).toMatchObject({ alias: [1], trees: [[1, 3]] });
  });

  it('under recheck-only: stopped at step 10 as under fixed', () => {
    const r = replayTrace(race, model('recheck-only'));
    expect(r.firstDivergence?.step).toBe(10);
    expect(r.breaks).toEqual([]);
  });

  it('skips any step that is not enabled and runs the rest (replayAgainst, generic)', () => {
    const fixed = model('fixed');
    const schedule = [{ action: 'flipAlias', actor: 0 }, ...race.steps.slice(0, 2), { action: 'nosuch', actor: 0 }, { action: 'pickPlan', actor: 7 }];
    const cmp = replayAgainst(fixed, fixed.init[0], schedule, [race.steps[0].state, race.steps[0].state, race.steps[1].state]);
    expect(
      cmp.outcomes.map((o) => [o.step, o.outcome, o.outcome === 'not-enabled' ? undefined : o.replayStep, o.outcome === 'not-enabled' ? o.reason : undefined]),
    ).toEqual([
      [1, 'not-enabled', undefined, 'flipAlias by enactor 0 is not enabled'],
      [2, 'same', 1, undefined],
      [3, 'same', 2, undefined],
      [4, 'not-enabled', undefined, 'unknown action nosuch'],
      [5, 'not-enabled', undefined, 'pickPlan has no actor 7 (role enactor has 3)'],
    ]);
    expect(cmp.run.steps).toHaveLength(2);
  });
});

describe('dnsmc replay', () => {
  it('under fixed: names the first divergence, writes the replayed trace atomically, exit 0', async () => {
    const out = join(dir, 'fixed.json');
    const r = await dnsmc('replay', raceFile, '--variant', 'fixed', '--trace-out', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain("First divergence: step 10: enactor 0's buildTree gives up: plan 1 is not newer than the active plan 3; it releases the lock");
    expect(r.stdout).toContain("step 11  SKIPPED  enactor 0's flipAlias is not enabled here");
    expect(r.stdout).toContain('3 of 12 steps diverge (2 lead to another state, 1 not enabled and skipped); the replayed run has 11 steps.');
    expect(r.stdout).toContain('In the trace: noRollback breaks at step 11; aliasResolves breaks at step 12.');
    expect(r.stdout).toContain('In the replay: no property breaks (aliasResolves, lockExclusive, noRollback hold at every step).');
    const t = parseTrace(JSON.parse(readFileSync(out, 'utf8')));
    expect(t.steps).toHaveLength(11);
    expect(t.variant).toBe('fixed');
  });

  it('under as-was: reproduces, exit 1 (a property breaks in the replayed run); --json prints one object', async () => {
    const r = await dnsmc('replay', raceFile, '--variant', 'as-was', '--json');
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]);
    expect(j).toMatchObject({ status: 'violation', reproduced: true, firstDivergence: null, steps: 12, replayedSteps: 12 });
    expect(j.breaks.map((b: { property: string }) => b.property)).toEqual(['noRollback', 'aliasResolves']);
    expect(parseTrace(j.trace).steps).toHaveLength(12);
  });

  it('a bad variant or an unwritable --trace-out: one line, exit 2', async () => {
    const v = await dnsmc('replay', raceFile, '--variant', 'nope');
    expect(v.code).toBe(2);
    expect(v.stderr).toBe('dnsmc: --variant must be one of as-was|fixed|recheck-only|spare-active-only, got "nope"\n');
    const w = await dnsmc('replay', raceFile, '--variant', 'fixed', '--trace-out', join(dir, 'no', 'such', 'dir.json'));
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/^dnsmc: --trace-out: cannot write .*dir\.json: ENOENT \(its folder .* does not exist\)\n$/);
  });
});

describe('trace files are untrusted: each defect is one line naming the field, exit 2', () => {
  const write = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const good = JSON.parse(JSON.stringify(race));
  const cases: [string, string, string][] = [
    ['invalid JSON', '{"format": "dnsmc-trace", ', ': not a JSON document ('],
    ['an unknown version', JSON.stringify({ ...good, version: 7 }), ': trace: field version must be 1, got 7'],
    ['a missing field', JSON.stringify({ ...good, initial: undefined }), ': trace: field initial must be a state object'],
    [
      'a step without narration',
      JSON.stringify({ ...good, steps: good.steps.map((s: object, i: number) => (i === 4 ? { ...s, narration: 5 } : s)) }),
      ': trace: steps[4].narration must be a string',
    ],
    [
      'a state that does not fit the model',
      JSON.stringify({ ...good, steps: good.steps.map((s: { state: object }, i: number) => (i === 6 ? { ...s, state: { ...s.state, trees: [[9]] } } : s)) }),
      ': trace: steps[6].state: state field trees[0] must be a set (array of distinct integers) in 1..4, got [9]',
    ],
    [
      'a state that does not follow from the step before',
      JSON.stringify({ ...good, steps: good.steps.map((s: { state: object }, i: number) => (i === 6 ? { ...s, state: { ...s.state, trees: [[1]] } } : s)) }),
      ": trace: steps[6]: the recorded state differs from the one buildTree by enactor 1 leads to (the trace does not follow the model's rules)",
    ],
    [
      'an unknown model',
      JSON.stringify({ ...good, model: 'raft' }),
      ': trace: made with the user model "raft"; pass --model FILE to load it (dnsmc never loads code a trace names)',
    ],
    [
      'a parameter out of range',
      JSON.stringify({ ...good, params: { ...good.params, plans: 99 } }),
      ': trace: field params.plans: plans must be a whole number from 1 to 31',
    ],
    [
      'a break past the last step',
      JSON.stringify({ ...good, breaks: [{ ...good.breaks[0], step: 40 }] }),
      ': trace: breaks[0].step must be from 0 to 12, got 40',
    ],
    [
      'a patch without a path',
      JSON.stringify({ ...good, steps: good.steps.map((s: object, i: number) => (i === 0 ? { ...s, patches: [{ op: 'replace', value: 1 }] } : s)) }),
      ': trace: steps[0].patches[0].path must be a non-empty array of field names and indexes',
    ],
    [
      'a step whose role is not its action’s',
      JSON.stringify({ ...good, steps: good.steps.map((s: object, i: number) => (i === 3 ? { ...s, role: '<img src=x>' } : s)) }),
      ': trace: field steps[3].role must be planner (the role of publishPlan)',
    ],
    [
      'a loop that does not close',
      JSON.stringify({ ...good, loop: 3 }),
      ': trace: field loop is 3, but the last state (step 12) differs from the state at step 3: the loop does not close',
    ],
    [
      'a control character in a quoted value',
      JSON.stringify({ ...good, params: { ...good.params, variant: 'x\u001b[31m\ny' } }),
      'variant must be one of as-was|fixed|recheck-only|spare-active-only, got x\\u001b[31m\\u000ay',
    ],
  ];
  for (const [name, text, msg] of cases) {
    it(name, async () => {
      const f = write(`${name.replace(/\W+/g, '-')}.json`, text);
      for (const argv of [
        ['view', f, '--out', join(dir, 'x.html')],
        ['export', f, '--format', 'itf'],
        ['replay', f, '--variant', 'fixed'],
      ]) {
        const r = await dnsmc(...argv);
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr.split('\n')).toHaveLength(2); // one line and its newline
        expect(r.stderr.startsWith(`dnsmc: ${f}`)).toBe(true);
        expect(r.stderr).toContain(msg);
      }
      expect(existsSync(join(dir, 'x.html'))).toBe(false);
    });
  }

  it('a file that cannot be read', async () => {
    const r = await dnsmc('view', join(dir, 'missing.json'));
    expect(r).toEqual({ code: 2, stdout: '', stderr: `dnsmc: cannot read trace file ${join(dir, 'missing.json')}: ENOENT\n` });
  });
});

describe('dnsmc view and dnsmc export', () => {
  it('view writes one HTML file (default name: the trace’s, with .html), exit 0; --compare puts two side by side', async () => {
    const r = await dnsmc('view', raceFile);
    expect(r).toEqual({ code: 0, stdout: `viewer written to ${join(dir, 'race.html')}\n`, stderr: '' });
    expect(readFileSync(join(dir, 'race.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/);
    await dnsmc('replay', raceFile, '--variant', 'fixed', '--trace-out', join(dir, 'f.json'));
    const c = await dnsmc('view', raceFile, '--compare', join(dir, 'f.json'), '--out', join(dir, 'cmp.html'));
    expect(c.code).toBe(0);
    const html = readFileSync(join(dir, 'cmp.html'), 'utf8');
    const data = JSON.parse(/<script type="application\/json" id="dnsmc-data">(.*)<\/script>/.exec(html)![1]);
    expect(data.divergence).toBe(10);
    expect(data.panes.map((p: { label: string }) => p.label)).toEqual(['race.json (as-was)', 'f.json (fixed)']);
  });

  it('export prints markdown, mermaid or ITF; --out writes the file; an ITF file reads back as a trace', async () => {
    const md = await dnsmc('export', raceFile, '--format', 'markdown');
    expect(md.code).toBe(0);
    expect(md.stdout.split('\n')[0]).toBe('### dns (as-was): aliasResolves violated after 12 steps');
    const mm = await dnsmc('export', raceFile, '--format', 'mermaid');
    expect(mm.stdout.split('\n')[0]).toBe('sequenceDiagram');
    const itfFile = join(dir, 'race.itf.json');
    const itf = await dnsmc('export', raceFile, '--format', 'itf', '--out', itfFile);
    expect(itf).toEqual({ code: 0, stdout: `itf written to ${itfFile}\n`, stderr: '' });
    expect(JSON.parse(readFileSync(itfFile, 'utf8')).states).toHaveLength(13);
    // dnsmc reads the ITF it writes: replaying it under fixed gives the same divergence.
    const r = await dnsmc('replay', itfFile, '--variant', 'fixed', '--json');
    expect(JSON.parse(r.stdout).firstDivergence.step).toBe(10);
  });

  it('check --view writes the viewer for the counterexample, and says when there is none', async () => {
    const page = join(dir, 'check.html');
    const r = await dnsmc('check', '--variant', 'as-was', '--property', 'aliasResolves', '--view', page);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`viewer written to ${page}\n`);
    const data = JSON.parse(/<script type="application\/json" id="dnsmc-data">(.*)<\/script>/.exec(readFileSync(page, 'utf8'))![1]);
    expect(data.panes[0].trace.steps).toHaveLength(12);
    const none = await dnsmc('check', '--variant', 'fixed', '--property', 'aliasResolves', '--view', join(dir, 'none.html'));
    expect(none.code).toBe(0);
    expect(none.stdout).toContain(`no counterexample, so no viewer written to ${join(dir, 'none.html')}\n`);
    expect(existsSync(join(dir, 'none.html'))).toBe(false);
    expect(await dnsmc('check', '--view', '')).toEqual({ code: 2, stdout: '', stderr: 'dnsmc: --view must name a file\n' });
  });

  it('bad flags: one line, exit 2', async () => {
    expect(await dnsmc('export', raceFile, '--format', 'pdf')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'dnsmc: --format must be one of markdown|mermaid|itf|svg, got "pdf"\n',
    });
    expect((await dnsmc('export', raceFile)).stderr).toBe('dnsmc: --format must be one of markdown|mermaid|itf|svg, got nothing\n');
    expect((await dnsmc('view', raceFile, '--out', raceFile)).stderr).toBe(`dnsmc: --out ${raceFile} would overwrite the trace; name another file\n`);
    expect((await dnsmc('view')).code).toBe(2);
  });
});
