/**
 * `dnsmc check --swarm i/N` and `dnsmc merge` over its shards. The shards
 * run as separate processes (the compiled binary), as a CI matrix or a
 * Kubernetes Indexed Job runs them; bad input runs in process.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrace } from '../../traces/trace.js';
import { notProgress, run, spawnCli } from '../support/cli.js';

/** The fields of a `check --swarm --json` report these tests read. */
interface CheckShard {
  command: string;
  status: string;
  swarm: { shard: number; of: number; seed: number; bitstateBytes: number; hashes: number; maxDepth: number };
  hashSeed: number;
  orderSeed: number | null;
  distinctStates: number;
  ended: boolean;
  stoppedBy: string | null;
  peakMemoryBytes: number;
  bitstate: { bytes: number; bits: number; bitsSet: number; hashFactor: number; omissionProbability: number };
  sketch: { size: number; keys: number[] };
  violations: { property: string; kind: string; foundLength: number; length: number; trace: unknown }[];
}

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-check-swarm-'));

/** Runs shard i of n in its own process and writes its report to a file; returns the file. */
function shard(name: string, i: number, n: number, args: readonly string[]): string {
  const r = spawnCli(['check', ...args, '--swarm', `${i}/${n}`, '--json', '--quiet']);
  expect(r.stderr).toBe('');
  expect([0, 1]).toContain(r.code);
  const f = join(dir, `${name}-${i}-of-${n}.json`);
  writeFileSync(f, r.stdout);
  return f;
}

const read = (f: string): CheckShard => JSON.parse(readFileSync(f, 'utf8'));
/** A merge report without its timings. */
const stable = (m: Record<string, unknown>): unknown => ({
  ...m,
  durationMsTotal: 0,
  durationMsMax: 0,
  perShard: (m.perShard as Record<string, unknown>[]).map((p) => ({ ...p, durationMs: 0, peakMemoryBytes: 0 })),
});

describe('check --swarm 1/4 .. 4/4 on as-was (3 enactors, 4 plans), 4 MiB each, and merge', () => {
  const AS_WAS = ['--variant', 'as-was', '--bitstate', '4', '--max-memory', '400'];
  const files: string[] = [];
  let shards: CheckShard[] = [];
  beforeAll(() => {
    for (const i of [1, 2, 3, 4]) files.push(shard('as-was', i, 4, AS_WAS));
    shards = files.map(read);
  });

  it('each shard searches with its own hash seed and order (shard 1: the model order), within its memory bound', () => {
    expect(shards.map((s) => s.command)).toEqual(['check', 'check', 'check', 'check']);
    expect(shards.map((s) => s.swarm)).toEqual(
      [1, 2, 3, 4].map((i) => ({ shard: i, of: 4, seed: 0, bitstateBytes: 4 * 2 ** 20, hashes: 3, maxDepth: 10_000 })),
    );
    expect(new Set(shards.map((s) => s.hashSeed)).size).toBe(4);
    expect(shards[0].orderSeed).toBeNull();
    expect(new Set(shards.slice(1).map((s) => s.orderSeed)).size).toBe(3);
    for (const s of shards) {
      expect(s.bitstate.bits).toBe(4 * 2 ** 23);
      expect(s.stoppedBy).toBeNull();
      expect(s.peakMemoryBytes).toBeLessThan(400 * 2 ** 20);
    }
  });

  it('the figures are fixed by the seeds: states stored per shard, search paths and their shrunk lengths', () => {
    expect(shards.map((s) => s.distinctStates)).toEqual([9268, 802, 1134, 11_758]);
    expect(shards.map((s) => s.violations.map((v) => [v.property, v.foundLength, v.length]))).toEqual([
      [
        ['aliasResolves', 25, 12],
        ['noRollback', 24, 10],
      ],
      [
        ['aliasResolves', 25, 12],
        ['noRollback', 24, 10],
      ],
      [
        ['aliasResolves', 33, 12],
        ['noRollback', 33, 10],
      ],
      [
        ['aliasResolves', 40, 12],
        ['noRollback', 40, 10],
      ],
    ]);
  });

  it('merge keeps the shortest trace per property, verified by replay, most severe first; deterministic', async () => {
    const out = join(dir, 'merged-trace.json');
    const r = await run(['merge', ...files, '--json', '--trace-out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const m = JSON.parse(r.stdout);
    expect(m).toMatchObject({
      command: 'merge',
      kind: 'check',
      status: 'violation',
      property: 'aliasResolves',
      seed: 0,
      of: 4,
      shards: [1, 2, 3, 4],
      missing: [],
      bitstateBytes: 4 * 2 ** 20,
      distinctStatesAtLeast: 11_758,
      distinctStatesAtMost: 9268 + 802 + 1134 + 11_758,
      incompleteShards: [],
    });
    expect(
      m.violations.map((v: { property: string; shard: number; foundLength: number; length: number }) => [v.property, v.shard, v.foundLength, v.length]),
    ).toEqual([
      ['aliasResolves', 1, 25, 12],
      ['noRollback', 1, 24, 10],
    ]);
    expect(m.perShard.map((p: { distinctStates: number }) => p.distinctStates)).toEqual([9268, 802, 1134, 11_758]);
    // The union lies between the largest shard and the sum; the shares and overlaps are fractions of it.
    expect(m.statesTogether).toBeGreaterThanOrEqual(11_758 * 0.9);
    expect(m.statesTogether).toBeLessThanOrEqual(22_962 * 1.1);
    expect(m.seenByOneShard).toBeGreaterThan(0);
    expect(m.seenByOneShard).toBeLessThan(1);
    expect(m.expectedOmissions).toBeCloseTo(
      shards.reduce((s, x) => s + (x as unknown as { bitstate: { expectedOmissions: number } }).bitstate.expectedOmissions, 0),
      12,
    );
    const trace = parseTrace(JSON.parse(readFileSync(out, 'utf8')));
    expect(trace.steps).toHaveLength(12);
    expect(trace.property).toBe('aliasResolves');
    const again = await run(['merge', ...[...files].reverse(), '--json']);
    expect(stable(JSON.parse(again.stdout))).toEqual(stable(m));
  });

  it('merge text names the shortest trace, each shard and the coverage estimate', async () => {
    const r = await run(['merge', ...files]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('check --swarm, job seed 0; shards 1, 2, 3, 4 of 4; bitstate 4.0 MiB per shard, 3 bits per state, depth limit 10,000');
    expect(r.stdout).toContain('shortest aliasResolves violation: shard 1, a search path of 25 steps shrunk to 12');
    expect(r.stdout).toContain('Violation: aliasResolves (shortest 12 steps, shard 1); noRollback (shortest 10 steps, shard 1).');
    expect(r.stdout).toContain('shard 4: 11,758 states stored');
    expect(r.stdout).toMatch(/coverage: /);
  });

  it('missing shards: still a violation when one was found (exit 1), and named', async () => {
    const r = await run(['merge', files[1], files[3], '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'violation', shards: [2, 4], missing: [1, 3] });
  });
});

describe('check --swarm on fixed (no violation): every shard stores the whole space', () => {
  it('two shards of 16 MiB store all 127,647 states each; the merge sees them all shared: coverage 1', async () => {
    const files = [1, 2].map((i) => shard('fixed', i, 2, ['--variant', 'fixed', '--bitstate', '16']));
    const s = files.map(read);
    expect(s.map((x) => [x.status, x.distinctStates, x.ended])).toEqual([
      ['ok', 127_647, true],
      ['ok', 127_647, true],
    ]);
    const r = await run(['merge', ...files, '--json']);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m).toMatchObject({ status: 'ok', seenByOneShard: 0, seenByAllShards: 1, coverageEstimate: 1, violations: [] });
    expect(m.reachableEstimate).toBe(m.statesTogether);
    const text = await run(['merge', ...files]);
    expect(text.stdout).toContain('No violation found by 2 shards: a partial search');
    expect(text.stdout).toContain('coverage: at most about 100% of an estimated');
  });
});

describe('a check --swarm shard on its own', () => {
  it('--max-states stops it as incomplete (exit 3) at exactly that many states', async () => {
    const r = await run(['check', '--variant', 'fixed', '--swarm', '2/4', '--bitstate', '1', '--max-states', '500', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'incomplete', stoppedBy: 'max-states', distinctStates: 500, ended: false });
  });

  it('the text report names the shard, its seeds and bit array, the shrunk race and what the array may have missed; --trace-out writes it', async () => {
    const out = join(dir, 'shard-trace.json');
    const r = await run(['check', '--swarm', '1/4', '--bitstate', '4', '--property', 'aliasResolves', '--trace-out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^swarm shard 1\/4 of a job with seed 0: bitstate 4\.0 MiB, 3 bits per state, hash seed \d+, successors in the model's order, depth limit 10,000$/m,
    );
    expect(r.stdout).toContain('Violation: aliasResolves violated on a path of 25 steps, shrunk to 12');
    expect(r.stdout).toMatch(
      /bitstate: [\d,]+ of 33,554,432 bits set .*hash factor [\d.]+ \(best if > 100\), omission probability [\d.e+-]+ per unseen state, expected omissions/,
    );
    expect(r.stdout).toContain(`trace written to ${out}`);
    expect(parseTrace(JSON.parse(readFileSync(out, 'utf8'))).steps).toHaveLength(12);
  });
});

describe('check --swarm: bad input, one line, exit 2', () => {
  it.each<[string, string[], string]>([
    ['shard above N', ['--swarm', '5/4'], '--swarm must be i/N'],
    ['shard 0', ['--swarm', '0/4'], '--swarm must be i/N'],
    ['not i/N', ['--swarm', 'env/4'], '--swarm must be i/N'],
    ['a bit array of 0 MiB', ['--swarm', '1/4', '--bitstate', '0'], '--bitstate must be a whole number from 1 to 16383, got "0"'],
    ['a bit array too large', ['--swarm', '1/4', '--bitstate', '16384'], '--bitstate must be a whole number from 1 to 16383'],
    ['a bit array in words', ['--swarm', '1/4', '--bitstate', 'big'], '--bitstate must be a whole number'],
    ['--bitstate without --swarm', ['--bitstate', '4'], '--bitstate applies to swarm shards: add --swarm i/N'],
    ['--seed without --swarm', ['--seed', '4'], '--seed applies to swarm shards'],
    ['a bad seed', ['--swarm', '1/4', '--seed', '-1'], '--seed must be a whole number from 0 to 4294967295'],
    ['workers', ['--swarm', '1/4', '--workers', '2'], '--workers does not go with --swarm'],
    ['symmetry', ['--swarm', '1/4', '--symmetry'], '--symmetry does not go with --swarm'],
    ['profile', ['--swarm', '1/4', '--profile'], '--profile does not go with --swarm'],
    ['a liveness property', ['--swarm', '1/4', '--property', 'converges'], '--swarm checks safety properties'],
  ])('%s', async (_what, args, msg) => {
    const r = await run(['check', ...args]);
    expect(r.code).toBe(2);
    expect(notProgress(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain(msg);
  });

  it.each<[string, () => Promise<string[]>, string]>([
    [
      'a check shard with a simulate shard',
      async () => [
        await writeRun('c.json', ['check', '--swarm', '1/2', '--bitstate', '1', '--json']),
        await writeRun('s.json', ['simulate', '--swarm', '2/2', '--runs', '4', '--json']),
      ],
      'is a simulate shard and',
    ],
    [
      'shards of different bit arrays',
      async () => [
        await writeRun('b1.json', ['check', '--swarm', '1/2', '--bitstate', '1', '--json']),
        await writeRun('b2.json', ['check', '--swarm', '2/2', '--bitstate', '2', '--json']),
      ],
      'is not a shard of the same job',
    ],
    [
      'a sketch out of order',
      async () => {
        const f = await writeRun('k.json', ['check', '--swarm', '1/2', '--bitstate', '1', '--json']);
        const j = JSON.parse(readFileSync(f, 'utf8'));
        j.sketch.keys = [5, 3];
        writeFileSync(f, JSON.stringify(j));
        return [f];
      },
      'field sketch.keys[1] must be a whole number below 2^53, greater than the one before',
    ],
    ['a plain check report', async () => [await writeRun('plain.json', ['check', '--json'])], 'not a simulate report or a check --swarm report'],
  ])('merge: %s', async (_what, args, msg) => {
    const r = await run(['merge', ...(await args())]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(msg);
  });
});

/** Runs a command in process and writes its stdout to a file in the test folder. */
async function writeRun(name: string, args: string[]): Promise<string> {
  const r = await run(args);
  const f = join(dir, name);
  writeFileSync(f, r.stdout);
  return f;
}
