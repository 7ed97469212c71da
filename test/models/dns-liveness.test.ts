/**
 * The dns model's liveness: `recoverable` (AG EF healthy) and `converges`
 * (latest = plans leads to healthy, under weak fairness per enactor), in
 * every variant, through the library and through the command line.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWithLiveness } from '../../app/liveness.js';
import { exploreGraph, markStates } from '../../checker/liveness/graph.js';
import { checkLiveness, checkModelLiveness, loopIsFair } from '../../checker/liveness/liveness.js';
import { fairnessGroups } from '../../checker/liveness/temporal.js';
import { dnsModel, type DnsFields, type DnsState } from '../../models/dns/model.js';
import { VARIANT_NAMES } from '../../models/dns/params.js';
import { formatTrace } from '../../traces/text.js';
import { checkTraceAgainst, parseTrace, traceOfLasso, TraceError } from '../../traces/trace.js';
import { run } from '../support/cli.js';
import type { VerdictRow } from '../../app/json-reports.js';

const names = (ts: readonly { name: string; role: string; actor: number }[]): string[] =>
  ts.map((t) => (t.role === 'planner' ? t.name : `${t.name}(${t.actor})`));
const healthy = (s: DnsState): boolean => s.alias[0] === s.latest && (s.trees[0] & (1 << (s.alias[0] - 1))) !== 0 && s.alias[0] > 0;

// What dnsmc finds with the default parameters and the declared fairness (weak per enactor).
const STUCK = { steps: 12, reachable: 344 };
const EXPECTED: Record<string, Record<string, Partial<VerdictRow>>> = {
  'as-was': {
    aliasResolves: { verdict: 'violated', steps: 12 },
    lockExclusive: { verdict: 'holds' },
    noRollback: { verdict: 'violated', steps: 10 },
    deadlock: { verdict: 'holds' },
    recoverable: { verdict: 'violated', steps: 23, loop: 14, stuck: STUCK },
    converges: { verdict: 'violated', steps: 23, loop: 14 },
  },
  fixed: {
    aliasResolves: { verdict: 'holds' },
    lockExclusive: { verdict: 'holds' },
    noRollback: { verdict: 'holds' },
    deadlock: { verdict: 'holds' },
    recoverable: { verdict: 'holds' },
    converges: { verdict: 'holds' },
  },
  'recheck-only': {
    aliasResolves: { verdict: 'holds' },
    lockExclusive: { verdict: 'holds' },
    noRollback: { verdict: 'holds' },
    deadlock: { verdict: 'holds' },
    recoverable: { verdict: 'holds' },
    converges: { verdict: 'holds' },
  },
  // The cleanup spares the active plan, but the stale enactor still moves the alias onto a deleted tree: stuck all the same.
  'spare-active-only': {
    aliasResolves: { verdict: 'violated', steps: 12 },
    lockExclusive: { verdict: 'holds' },
    noRollback: { verdict: 'violated', steps: 10 },
    deadlock: { verdict: 'holds' },
    recoverable: { verdict: 'violated', steps: 23, loop: 14, stuck: STUCK },
    converges: { verdict: 'violated', steps: 23, loop: 14 },
  },
};

describe('dns liveness: every variant, every property (--property all)', () => {
  for (const variant of VARIANT_NAMES) {
    it(`${variant}`, async () => {
      const model = dnsModel({ variant });
      const o = await checkWithLiveness(model, { property: ['all'] });
      expect(o.rows.map((r) => r.property)).toEqual(Object.keys(EXPECTED[variant]));
      for (const r of o.rows) expect(r).toEqual({ property: r.property, kind: r.kind, ...EXPECTED[variant][r.property] });
      expect(o.status).toBe(variant === 'fixed' || variant === 'recheck-only' ? 'ok' : 'violation');
      expect(o.fairness).toEqual(['WF(enactor 0)', 'WF(enactor 1)', 'WF(enactor 2)']);
    });
  }
});

describe('dns recoverable: the as-was protocol gets stuck', () => {
  const model = dnsModel({ variant: 'as-was' });
  const graph = exploreGraph(model);
  const [rec] = checkLiveness(graph, { properties: ['recoverable'] });

  it('the first stuck state in BFS order is 12 steps in: the stale enactor holds the lock over a tree the cleanup has just deleted', () => {
    expect(rec.status).toBe('violated');
    expect(rec.stuck).toMatchObject(STUCK);
    expect(names(rec.lasso!.prefix.slice(0, 12))).toEqual([
      'publishPlan',
      'pickPlan(0)', // takes plan 1
      'publishPlan',
      'publishPlan',
      'pickPlan(1)', // takes plan 3
      'publishPlan', // plan 4: the last
      'acquireLock(1)',
      'buildTree(1)',
      'flipAlias(1)', // alias -> 3
      'acquireLock(0)',
      'buildTree(0)', // tree 1 rebuilt; enactor 0 holds the lock, about to flip to plan 1
      'cleanupPlans(1)', // deletes tree 1 (1 + 1 < 3)
    ]);
  });

  it('evidence: 344 states reachable from it, none healthy, checked over the stored edges', () => {
    const ok = markStates<DnsFields>(graph, healthy);
    const seen = new Set([rec.stuck!.state]);
    const queue = [rec.stuck!.state];
    while (queue.length > 0) {
      const v = queue.shift()!;
      expect(ok[v]).toBe(0);
      for (let e = graph.offsets[v]; e < graph.offsets[v + 1]; e++) {
        if (!seen.has(graph.targets[e])) {
          seen.add(graph.targets[e]);
          queue.push(graph.targets[e]);
        }
      }
    }
    expect(seen.size).toBe(344);
  });

  it('the lasso: the alias dangles, then every enactor retries forever (pick, lock, build fails), and the loop closes', () => {
    const lasso = rec.lasso!;
    expect(names(lasso.prefix.slice(12))).toEqual(['flipAlias(0)', 'cleanupPlans(0)']);
    expect(names(lasso.loop)).toEqual([
      'pickPlan(0)',
      'pickPlan(1)',
      'pickPlan(2)',
      'acquireLock(0)',
      'buildTree(0)',
      'acquireLock(1)',
      'buildTree(1)',
      'acquireLock(2)',
      'buildTree(2)',
    ]);
    expect(loopIsFair(graph, lasso, fairnessGroups(model, graph.transitions, 'declared'))).toBe(true);
    const t = traceOfLasso(model, rec); // throws unless the replay returns to the loop's first state
    expect(t.loop).toBe(14);
    expect(t.steps).toHaveLength(23);
    expect(t.steps[13].state).toEqual(t.steps[22].state);
    expect(t.steps[22].state).toMatchObject({ latest: 4, alias: [1], trees: [[3]], phase: ['idle', 'idle', 'idle'] });
    expect(checkTraceAgainst(model, parseTrace(JSON.parse(JSON.stringify(t))))).toEqual([]);
    expect(t.breaks.map((b) => [b.property, b.step])).toEqual([
      ['recoverable', 12],
      ['aliasResolves', 13],
      ['noRollback', 13],
    ]);
  });

  it('the text marks the stuck state and the loop', () => {
    const text = formatTrace(traceOfLasso(model, rec), { render: model.render });
    expect(text.split('\n')[0]).toBe('dns (as-was): recoverable violated: a lasso of 23 steps; steps 15-23 repeat forever');
    expect(text).toContain(
      '>> recoverable VIOLATED here: stuck: no state where every endpoint’s alias equals latest and resolves can be reached from here; 344 states are reachable from it',
    );
    expect(text).toContain('~~ the loop starts here: steps 15-23 repeat forever');
    expect(text).toContain('~~ back to the state of step 14: the loop repeats forever');
  });
});

describe('dns converges: fairness matters', () => {
  it('fixed: holds under weak and strong fairness; fails without: an enactor spins on a lock whose holder is never scheduled', () => {
    const model = dnsModel({ variant: 'fixed' });
    const graph = exploreGraph(model);
    expect(checkLiveness(graph, { properties: ['converges'], fairness: 'declared' })[0].status).toBe('holds');
    expect(checkLiveness(graph, { properties: ['converges'], fairness: 'strong' })[0].status).toBe('holds');
    const [none] = checkLiveness(graph, { properties: ['converges'], fairness: 'none' });
    expect(none.status).toBe('violated');
    expect(names(none.lasso!.prefix)).toEqual([
      'publishPlan',
      'publishPlan',
      'publishPlan',
      'publishPlan',
      'pickPlan(0)',
      'pickPlan(1)',
      'acquireLock(0)',
      'acquireLock(1)',
      'retryLock(1)',
      'acquireLock(1)',
    ]);
    expect(names(none.lasso!.loop)).toEqual(['retryLock(1)', 'acquireLock(1)']);
    // recoverable does not depend on fairness.
    expect(checkLiveness(graph, { properties: ['recoverable'], fairness: 'none' })[0].status).toBe('holds');
  });

  it('as-was: fails under strong fairness too', () => {
    const r = checkModelLiveness(dnsModel({ variant: 'as-was' }), { properties: ['converges'], fairness: 'strong' });
    expect(r.verdicts[0].status).toBe('violated');
    expect(r.verdicts[0].lasso!.loop).toHaveLength(9);
  });
});

describe('lasso traces: the loop field', () => {
  const model = dnsModel({ variant: 'as-was' });
  const t = traceOfLasso(model, checkModelLiveness(model, { properties: ['converges'] }).verdicts[0]);
  const json = (): Record<string, unknown> => JSON.parse(JSON.stringify(t));

  it('parseTrace accepts a lasso and rejects a loop that is out of range, not a number, or does not close', () => {
    expect(parseTrace(json()).loop).toBe(14);
    expect(() => parseTrace({ ...json(), loop: 24 })).toThrow(new TraceError('trace: field loop must be a step index from 0 to 23, got 24'));
    expect(() => parseTrace({ ...json(), loop: '3' })).toThrow(/^trace: field loop must be a step index from 0 to 23, got "3"$/);
    expect(() => parseTrace({ ...json(), loop: 13 })).toThrow(
      /^trace: field loop is 13, but the last state \(step 23\) differs from the state at step 13: the loop does not close$/,
    );
    const { loop: _loop, ...noLoop } = json();
    expect(() => parseTrace(noLoop)).toThrow(/^trace: field loop is required when kind is liveness$/);
  });
});

describe('dnsmc check with liveness properties (the command line)', () => {
  it('--variant as-was --property recoverable: exit 1, the stuck state and the lasso', async () => {
    const r = await run(['check', '--variant', 'as-was', '--property', 'recoverable']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('>> recoverable VIOLATED here: stuck');
    expect(r.stdout).toContain('~~ back to the state of step 14: the loop repeats forever');
    expect(r.stdout).toContain('recoverable  always reachable (AG EF)  VIOLATED: stuck after 12 steps (344 states reachable, none a goal); lasso 14 + loop 9');
    expect(r.stdout).toMatch(
      /^state graph: 278,301 states, 884,101 edges, stored in [\d.]+ MiB, built in [\d.]+ s; liveness analysis [\d.]+ s; peak memory [\d.]+ MiB$/m,
    );
  });

  it('--variant fixed --property recoverable: exit 0', async () => {
    const r = await run(['check', '--variant', 'fixed', '--property', 'recoverable']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No violation: recoverable holds in all 127,647 reachable states.');
  });

  it('--property all prints the table of verdicts', async () => {
    const r = await run(['check', '--variant', 'as-was', '--property', 'all']);
    expect(r.code).toBe(1);
    const table = r.stdout.split('\n').filter((l) => /^(property|aliasResolves|lockExclusive|noRollback|deadlock|recoverable|converges) /.test(l));
    expect(table.map((l) => l.split(/\s{2,}/))).toEqual([
      ['property', 'form', 'verdict'],
      ['aliasResolves', 'invariant', 'VIOLATED: 12 steps'],
      ['lockExclusive', 'invariant', 'holds'],
      ['noRollback', 'step invariant', 'VIOLATED: 10 steps'],
      ['deadlock', 'deadlock', 'none'],
      ['recoverable', 'always reachable (AG EF)', 'VIOLATED: stuck after 12 steps (344 states reachable, none a goal); lasso 14 + loop 9'],
      ['converges', 'leads to (~>)', 'VIOLATED: lasso 14 + loop 9'],
    ]);
  });

  it('--json: one object with verdicts, fairness and the graph cost; --trace-out writes the lasso', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsmc-'));
    const file = join(dir, 'lasso.json');
    const r = await run(['check', '--variant', 'as-was', '--property', 'converges', '--fairness', 'strong', '--json', '--trace-out', file]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      status: 'violation',
      property: 'converges',
      fairness: ['SF(enactor 0)', 'SF(enactor 1)', 'SF(enactor 2)'],
      distinctStates: 278_301,
      complete: true,
    });
    expect(j.graph).toMatchObject({ states: 278_301, edges: 884_101 });
    expect(j.graph.bytes).toBeGreaterThan(0);
    expect(j.trace.loop).toBe(14);
    const t = parseTrace(JSON.parse(readFileSync(file, 'utf8')));
    expect([t.kind, t.property, t.loop, t.steps.length]).toEqual(['liveness', 'converges', 14, 23]);
    expect(readdirSync(dir)).toEqual(['lasso.json']);
  });

  it('limits stop the graph exploration cleanly: exit 3, verdict unknown', async () => {
    const m = await run(['check', '--variant', 'fixed', '--property', 'recoverable', '--max-states', '1000', '--json']);
    expect(m.code).toBe(3);
    expect(JSON.parse(m.stdout)).toMatchObject({
      status: 'incomplete',
      stoppedBy: 'max-states',
      distinctStates: 1000,
      verdicts: [{ property: 'recoverable', verdict: 'unknown' }],
    });
    const t = await run(['check', '--variant', 'fixed', '--plans', '6', '--endpoints', '2', '--property', 'converges', '--time-limit', '0.5']);
    expect(t.code).toBe(3);
    expect(t.stdout).toContain('Incomplete: stopped by time-limit; converges unknown, no violation so far.');
  });

  it('bad --fairness input: one line, exit 2', async () => {
    const bad = await run(['check', '--property', 'converges', '--fairness', 'fair']);
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([2, '', 'dnsmc: --fairness must be one of weak|strong|none, got "fair"\n']);
    const alone = await run(['check', '--fairness', 'weak']);
    expect([alone.code, alone.stderr]).toEqual([2, 'dnsmc: --fairness applies to liveness properties only: add --property recoverable|converges|all\n']);
  });
});
