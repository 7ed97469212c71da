/**
 * User model modules, shard reports and crashes (issue 19): a forged
 * violation in a shard, modules that never settle, print to stdout, allocate
 * without end or leave a timer running, presentations of the wrong shape,
 * errors that cannot be printed, and a merge with thousands of missing
 * shards. Each ends with a verdict or one line on stderr, never exit 0
 * without a verdict and never a stack.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-modules-'));
const file = (name: string): string => join(dir, name);

/** One line on stderr, exit `code`, and the line contains `want`. */
function oneLine(r: { code: number | null; stderr: string }, want: string, code = 2): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.split('\n'), r.stderr).toHaveLength(2);
  expect(r.stderr).toMatch(/^dnsmc: /);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at |node:internal/);
  expect(r.stderr).toContain(want);
}

describe('merge replays a claimed violation under the job’s own model', () => {
  const shardOf = async (variant: string): Promise<Record<string, unknown> & { violations: Record<string, unknown>[] }> =>
    JSON.parse((await run(['simulate', '--variant', variant, '--runs', '200', '--seed', '3', '--swarm', '1/1', '--json'])).stdout);

  it('a shard of a fixed job edited to claim another variant’s violation is refused in one line, exit 2', async () => {
    const fixed = await shardOf('fixed');
    const asWas = await shardOf('as-was');
    expect(fixed.status).toBe('ok');
    expect(asWas.violations.length).toBeGreaterThan(0);
    writeFileSync(file('forged.json'), JSON.stringify({ ...fixed, status: 'violation', violations: [asWas.violations[0]] }));
    const r = await run(['merge', file('forged.json')]);
    oneLine(r, 'variant "as-was", not the job\'s "fixed"');
    expect(r.stdout).toBe('');
  });

  it('a violation whose trace names other parameters, or a property the job did not check, is refused', async () => {
    const asWas = await shardOf('as-was');
    const v = asWas.violations[0] as { trace: { params: Record<string, unknown> } };
    const params = { ...asWas, params: { ...(asWas.params as object), keep: 2 } };
    writeFileSync(file('params.json'), JSON.stringify(params));
    oneLine(await run(['merge', file('params.json')]), 'made with parameters');
    expect(v.trace.params.keep).toBe(1);
    const only = JSON.parse(
      (await run(['simulate', '--variant', 'as-was', '--runs', '200', '--seed', '3', '--swarm', '1/1', '--property', 'lockExclusive', '--json'])).stdout,
    );
    writeFileSync(file('property.json'), JSON.stringify({ ...only, violations: [asWas.violations[0]] }));
    oneLine(await run(['merge', file('property.json')]), "a shard's violation must replay under the job's own model");
  });

  it('the genuine shard still merges to its violation', async () => {
    const asWas = await shardOf('as-was');
    writeFileSync(file('genuine.json'), JSON.stringify(asWas));
    const r = await run(['merge', file('genuine.json')]);
    expect(r.code, r.stderr).toBe(1);
  });
});

describe('merge with many missing shards', () => {
  it('swarm.of 100000 with one shard: the missing ones are counted and the first few listed, not all 99,999', async () => {
    const one = JSON.parse((await run(['simulate', '--variant', 'fixed', '--runs', '20', '--seed', '4', '--swarm', '1/100000', '--json'])).stdout);
    writeFileSync(file('one-of-many.json'), JSON.stringify(one));
    const r = await run(['merge', file('one-of-many.json')]);
    expect(r.code, r.stderr).toBe(3);
    const lines = r.stdout.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(400);
    expect(r.stdout).toContain('MISSING 99,999 of 100,000: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … (and 99,989 more)');
    expect(r.stdout).toContain('Incomplete: missing 99,999 of 100,000 shards: 2, 3,');
    // The JSON report keeps the whole list: it is data, not a line to read.
    const j = JSON.parse((await run(['merge', file('one-of-many.json'), '--json'])).stdout);
    expect(j.missing).toHaveLength(99_999);
  });
});
