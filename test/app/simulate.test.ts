/**
 * `dnsmc simulate` and `dnsmc merge` on the dns model, through the command
 * line run in process (`main` with buffered output; test/support/cli.ts).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrace } from '../../traces/trace.js';
import { notProgress, run } from '../support/cli.js';

const BIG = ['--plans', '8', '--endpoints', '3', '--enactors', '4'];

/** The fields of a `simulate --swarm --json` report these tests read. */
interface ShardReport {
  runs: number;
  steps: number;
  seed: number;
  depth: number;
  distinctStates: number;
  swarm: unknown;
  scheduler: { kind: string; weights: Record<string, number> };
  actions: Record<string, number>;
  violations: { property: string; length: number; trace: unknown }[];
}
/** The report without its timings (which differ run to run). */
const stable = (j: Record<string, unknown>): Record<string, unknown> => ({ ...j, durationMs: 0, stepsPerSecond: 0 });

/** Nothing on stderr but progress lines. */
const onlyProgress = (stderr: string): void => expect(notProgress(stderr)).toEqual([]);

describe('dnsmc simulate: the done-when commands', () => {
  it('as-was, 2000 runs, seed 1: aliasResolves violated and shrunk to 18 steps; noRollback to 10; deterministic', async () => {
    const r = await run(['simulate', '--variant', 'as-was', ...BIG, '--runs', '2000', '--seed', '1', '--json']);
    onlyProgress(r.stderr);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      command: 'simulate',
      status: 'violation',
      model: 'dns',
      variant: 'as-was',
      params: { enactors: 4, plans: 8, endpoints: 3 },
      property: 'noRollback',
      seed: 1,
      schedulerName: 'uniform',
      runs: 2000,
      depth: 100,
      steps: 199_938,
      distinctStates: 178_668,
      terminalRuns: 11,
      swarm: null,
    });
    expect(j.violations.map((v: Record<string, unknown>) => [v.property, v.kind, v.run, v.foundLength, v.length])).toEqual([
      ['noRollback', 'step', 0, 31, 10],
      ['aliasResolves', 'invariant', 0, 60, 18],
    ]);
    const trace = parseTrace(j.violations[1].trace);
    expect(trace.steps).toHaveLength(18);
    expect(trace.breaks.find((b) => b.property === 'aliasResolves')?.step).toBe(18);
    // The same command again gives the same report.
    const again = JSON.parse((await run(['simulate', '--variant', 'as-was', ...BIG, '--runs', '2000', '--seed', '1', '--json'])).stdout);
    expect(stable(again)).toEqual(stable(j));
  });

  it('fixed, 2000 runs, seed 1: no violation, exit 0, pinned counts', async () => {
    const r = await run(['simulate', '--variant', 'fixed', ...BIG, '--runs', '2000', '--seed', '1', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      status: 'ok',
      property: null,
      runs: 2000,
      steps: 182_979,
      distinctStates: 151_537,
      terminalRuns: 1_144,
      violations: [],
    });
  });

  it('text report: the shrunk traces, the verdict, the counts and the seed', async () => {
    const r = await run(['simulate', '--variant', 'as-was', ...BIG, '--runs', '2000', '--seed', '1', '--property', 'aliasResolves']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('scheduler uniform; seed 1; 2,000 runs of at most 100 steps; properties: aliasResolves; deadlock checked');
    expect(r.stdout).toContain('dns (as-was): aliasResolves violated after 18 steps');
    expect(r.stdout).toContain('>> aliasResolves VIOLATED here');
    expect(r.stdout).toContain('Violation: aliasResolves violated in run 0 after 60 steps, shrunk to 18');
    expect(r.stdout).toMatch(/2,000 runs, [\d,]+ steps, [\d,]+ distinct states/);
  });

  it('--trace-out writes the shrunk trace atomically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsmc-sim-'));
    const file = join(dir, 'race.json');
    const r = await run(['simulate', '--variant', 'as-was', ...BIG, '--runs', '2000', '--seed', '1', '--property', 'aliasResolves', '--trace-out', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`trace written to ${file}`);
    const t = parseTrace(JSON.parse(readFileSync(file, 'utf8')));
    expect([t.property, t.kind, t.steps.length]).toEqual(['aliasResolves', 'invariant', 18]);
    expect(t.module).toBeUndefined();
  });

  it('slow-enactor on the default configuration finds the 12-step race after shrinking', async () => {
    const j = JSON.parse(
      (await run(['simulate', '--scheduler', 'slow-enactor', '--property', 'aliasResolves', '--runs', '500', '--seed', '2', '--json'])).stdout,
    );
    expect(j).toMatchObject({ status: 'violation', schedulerName: 'slow-enactor', scheduler: { kind: 'slow-actor', role: 'enactor', actor: 0 } });
    expect(j.violations[0].length).toBe(12);
  });
});

describe('dnsmc simulate: bad input gets one line and exit 2', () => {
  it.each([
    [['--seed', 'abc'], '--seed must be a whole number from 0 to 4294967295, got "abc"'],
    [['--seed', '-1'], '--seed must be a whole number from 0 to 4294967295'],
    [['--seed', '4294967296'], '--seed must be a whole number from 0 to 4294967295'],
    [['--scheduler', 'fastest'], '--scheduler must be one of uniform|slow-enactor, got "fastest"'],
    [['--swarm', '0/4'], '--swarm must be i/N'],
    [['--swarm', '5/4'], '--swarm must be i/N'],
    [['--swarm', '1/0'], '--swarm must be i/N'],
    [['--swarm', '1.5/4'], '--swarm must be i/N'],
    [['--swarm', 'x'], '--swarm must be i/N: shard i of N, whole numbers with 1 <= N <= 100000 and 1 <= i <= N (e.g. 2/8), got "x"'],
    [['--runs', '0'], '--runs must be a whole number of at least 1'],
    [['--depth', 'deep'], '--depth must be a whole number of at least 1'],
    [['--property', 'nope'], '--property must be one of aliasResolves|lockExclusive|noRollback'],
    [['--time-limit', '0'], '--time-limit must be a number of seconds above 0'],
    [['--trace-out', ''], '--trace-out must name a file'],
  ])('%j', async (args, msg) => {
    const r = await run(['simulate', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(msg);
  });
});

describe('swarm shards and dnsmc merge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dnsmc-swarm-'));
  const shard = async (i: number, n: number, ...extra: string[]): Promise<string> => {
    const r = await run(['simulate', '--variant', 'as-was', ...BIG, '--runs', '400', '--seed', '9', '--swarm', `${i}/${n}`, '--json', ...extra]);
    onlyProgress(r.stderr);
    const f = join(dir, `shard-${i}-of-${n}${extra.length > 0 ? '-x' : ''}.json`);
    writeFileSync(f, r.stdout);
    return f;
  };
  const files: string[] = [];
  let reports: ShardReport[] = [];
  beforeAll(async () => {
    for (const i of [1, 2, 3, 4]) files.push(await shard(i, 4));
    reports = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
  });

  it('each shard runs its share of the runs, with its own seed, depth and scheduler', async () => {
    expect(reports.map((r) => r.runs)).toEqual([100, 100, 100, 100]);
    expect(reports.map((r) => r.swarm)).toEqual([1, 2, 3, 4].map((i) => ({ shard: i, of: 4, seed: 9, runs: 400, depth: 100, firstRun: (i - 1) * 100 })));
    expect(reports[0].seed).toBe(9);
    expect(new Set(reports.map((r) => r.seed)).size).toBe(4);
    expect(reports.map((r) => r.depth)).toEqual([100, 200, 50, 100]);
    expect(reports[1].scheduler.kind).toBe('uniform');
    expect(Object.keys(reports[1].scheduler.weights)).toHaveLength(7);
  });

  it('merge sums runs, steps and actions, keeps the shortest violation, and bounds distinct states honestly', async () => {
    const r = await run(['merge', ...files, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const m = JSON.parse(r.stdout);
    expect(m).toMatchObject({ command: 'merge', status: 'violation', model: 'dns', of: 4, shards: [1, 2, 3, 4], missing: [], seed: 9 });
    expect(m.runs).toBe(reports.reduce((s, x) => s + x.runs, 0));
    expect(m.steps).toBe(reports.reduce((s, x) => s + x.steps, 0));
    expect(m.actions.flipAlias).toBe(reports.reduce((s, x) => s + x.actions.flipAlias, 0));
    expect(m.distinctStatesPerShard).toEqual(reports.map((x) => x.distinctStates));
    expect(m.distinctStatesAtLeast).toBe(Math.max(...reports.map((x) => x.distinctStates)));
    expect(m.distinctStatesAtMost).toBe(reports.reduce((s, x) => s + x.distinctStates, 0));
    for (const p of ['noRollback', 'aliasResolves']) {
      const lengths = reports.flatMap((x) => x.violations.filter((v: { property: string }) => v.property === p).map((v: { length: number }) => v.length));
      expect(m.violations.find((v: { property: string }) => v.property === p).length).toBe(Math.min(...lengths));
    }
    expect(m.violations.map((v: { property: string; length: number }) => [v.property, v.length])).toEqual([
      ['noRollback', 10],
      ['aliasResolves', 18],
    ]);
  });

  it('merge text names the shortest violations and writes the shortest trace', async () => {
    const out = join(dir, 'merged-trace.json');
    const r = await run(['merge', ...files, '--trace-out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('job seed 9; shards 1, 2, 3, 4 of 4');
    expect(r.stdout).toContain('dns (as-was): noRollback violated after 10 steps');
    expect(r.stdout).toMatch(/distinct states between [\d,]+ and [\d,]+/);
    expect(parseTrace(JSON.parse(readFileSync(out, 'utf8'))).steps).toHaveLength(10);
  });

  it('missing shards make the merge incomplete (exit 3) when nothing was violated', async () => {
    const fixed: string[] = [];
    for (const i of [1, 3]) {
      const r = await run(['simulate', '--variant', 'fixed', '--runs', '30', '--seed', '4', '--swarm', `${i}/3`, '--json']);
      const f = join(dir, `fixed-${i}.json`);
      writeFileSync(f, r.stdout);
      fixed.push(f);
    }
    const r = await run(['merge', ...fixed, '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'incomplete', shards: [1, 3], missing: [2], runs: 20 });
  });

  it.each<[string, () => string[] | Promise<string[]>, string]>([
    ['a missing file', () => [join(dir, 'nope.json')], 'merge: cannot read'],
    ['not JSON', () => [writeAndName('bad.json', '{')], 'not a JSON document'],
    ['a check report', () => [writeAndName('check.json', JSON.stringify({ status: 'ok' }))], 'not a simulate report'],
    ['an unsharded simulate report', async () => [writeAndName('plain.json', (await run(['simulate', '--runs', '5', '--json'])).stdout)], 'not a swarm shard'],
    ['the same shard twice', () => [files[0], files[0]], 'are both shard 1/4'],
    ['shards of different jobs', async () => [files[0], await shard(2, 4, '--depth', '50')], 'is not a shard of the same job'],
    [
      'a tampered trace',
      () => [writeAndName('tampered.json', JSON.stringify({ ...reports[0], violations: [{ ...reports[0].violations[0], trace: { format: 'x' } }] }))],
      'violations[0].trace: field format',
    ],
  ])('%s: one line, exit 2', async (_what, args, msg) => {
    const r = await run(['merge', ...(await args())]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(msg);
  });

  function writeAndName(name: string, text: string): string {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  }
});
