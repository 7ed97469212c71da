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
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notProgress, run, spawnCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-modules-'));
const file = (name: string): string => join(dir, name);
const DIST = resolve('dist/index.js');

/** Writes a model module: `top` runs at import, `guard` in the guard of its one action; it exports `exportLine` (a model by default). */
function moduleFile(name: string, parts: { top?: string; guard?: string; exportLine?: string } = {}): string {
  const f = file(`${name}.mjs`);
  writeFileSync(
    f,
    `import { defineLayout, int } from '${DIST}';
const build = () => ({
  name: 'tiny', params: {}, layout: defineLayout({ n: int(0, 3) }), roles: { r: 1 }, init: [{ n: 0 }],
  actions: [{ name: 'go', role: 'r', guard: (s) => { ${parts.guard ?? ''}; return s.n < 2; }, effect: (s) => { s.n += 1; } }],
  invariants: [{ name: 'fine', description: 'fine', holds: () => true }], stepInvariants: [], terminalOk: () => true,
});
${parts.top ?? ''}
${parts.exportLine ?? 'export const model = build();'}
`,
  );
  return f;
}

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

describe('a model module that never settles', () => {
  const never = 'await new Promise(() => {});';
  it('a top-level await that never resolves: one line naming the module, exit 2, for every command that loads it', () => {
    const f = moduleFile('never-import', { top: never });
    for (const args of [['check'], ['check', '--workers', '2'], ['simulate'], ['test-system'], ['conform', f], ['replay', f], ['check', '--json']]) {
      const r = spawnCli([args[0], '--model', f, ...args.slice(1)]);
      oneLine(r, `--model ${f}: importing the module never settled`);
      expect(r.stdout, args.join(' ')).toBe('');
    }
  });

  it('an async createModel that never returns: one line naming it, exit 2', () => {
    const f = moduleFile('never-create', { exportLine: `export async function createModel() { ${never} return build(); }` });
    for (const cmd of ['check', 'simulate', 'test-system']) {
      const r = spawnCli([cmd, '--model', f]);
      oneLine(r, `createModel({}) never settled`);
    }
  });

  it('a module that waits on a timer longer than --time-limit: one line, exit 3', () => {
    const f = moduleFile('slow-import', { top: 'await new Promise((r) => setTimeout(r, 1e9));' });
    oneLine(spawnCli(['check', '--model', f, '--time-limit', '1']), 'importing the module did not finish within --time-limit 1 s', 3);
    const g = moduleFile('slow-create', {
      exportLine: 'export async function createModel() { await new Promise((r) => setTimeout(r, 1e9)); return build(); }',
    });
    oneLine(spawnCli(['simulate', '--model', g, '--time-limit', '1']), 'createModel({}) did not finish within --time-limit 1 s', 3);
  });
});

describe('stdout holds the report alone', () => {
  it('a module that prints at import and in a guard: --json stdout is one object; what it printed is on stderr', () => {
    const f = moduleFile('printer', { top: "console.log('hello from import'); process.stdout.write('raw write\\n');", guard: "console.log('guard ran')" });
    for (const args of [
      ['check', '--workers', '1'],
      ['simulate', '--runs', '3'],
    ]) {
      const r = spawnCli([args[0], '--model', f, '--json', ...args.slice(1)]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok', model: 'tiny' });
      expect(r.stderr).toContain('hello from import');
      expect(r.stderr).toContain('raw write');
      expect(r.stderr).toContain('guard ran');
    }
  });

  it('a guard that prints on a worker thread: its output goes to stderr too', () => {
    const f = file('printer-big.mjs');
    writeFileSync(
      f,
      `import { defineLayout, int } from '${DIST}';
export const model = {
  name: 'big', params: {}, layout: defineLayout({ a: int(0, 300), b: int(0, 300) }), roles: { r: 1 }, init: [{ a: 0, b: 0 }],
  actions: [{ name: 'a', role: 'r', guard: (s) => { if (s.a === 250 && s.b === 250) console.log('guard at 250'); return s.a < 300; }, effect: (s) => { s.a += 1; } },
            { name: 'b', role: 'r', guard: (s) => s.b < 300, effect: (s) => { s.b += 1; } }],
  invariants: [{ name: 'fine', description: 'fine', holds: () => true }], stepInvariants: [], terminalOk: () => true,
};
`,
    );
    const r = spawnCli(['check', '--model', f, '--workers', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok', distinctStates: 301 * 301 });
    expect(r.stderr).toContain('guard at 250');
  });

  it('--help still prints to stdout', () => {
    const r = spawnCli(['check', '--model', moduleFile('plain'), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dnsmc check');
  });
});

describe('a module that leaves a timer running', () => {
  it('the command exits with its verdict once it has reported', () => {
    const f = moduleFile('timer', { top: 'setInterval(() => {}, 1000);' });
    const r = spawnCli(['check', '--model', f, '--workers', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok' });
    expect(notProgress(r.stderr)).toEqual([]);
  });
});

describe('what a model or its package gives back is checked, and any throw is shown', () => {
  it('a presentation whose lanes returns an array, or lanes without ids: one line naming presentation.lanes, exit 2', async () => {
    const pkg = (name: string, lanes: string): string =>
      moduleFile(name, {
        exportLine: `export const modelPackage = { name: 'tiny', description: 'x', params: [], presentation: { lanes: () => ${lanes} }, createModel: () => ({ ...build(), invariants: [{ name: 'fine', description: 'fine', holds: (s) => s.n < 2 }] }) };`,
      });
    for (const [name, lanes, want] of [
      ['lanes-array', '[]', 'not an array'],
      ['lanes-ids', "({ lanes: [{ label: 'x' }], of: () => 'x' })", 'lanes[0] must have a string id and a string label'],
      ['lanes-of', "({ lanes: [], of: 'x' })", 'its of must be a function'],
    ]) {
      const f = pkg(name, lanes);
      oneLine(await run(['check', '--model', f, '--view', file(`${name}.html`)]), `presentation.lanes(model) must return undefined or { lanes:`);
      expect(want.length).toBeGreaterThan(0);
      const r = await run(['check', '--model', f, '--view', file(`${name}.html`)]);
      expect(r.stderr).toContain(want);
      expect((await run(['check', '--model', f, '--trace-out', file(`${name}.json`)])).code).toBe(1);
      oneLine(await run(['export', file(`${name}.json`), '--model', f, '--format', 'mermaid']), want);
    }
  });

  it('a thrown object whose toString throws, from a guard, createModel or the import: one line, exit 2', async () => {
    const bad = "const bad = { toString() { throw new Error('no'); } };";
    const guard = moduleFile('throws-guard', { top: bad, guard: 'if (s.n === 1) throw bad' });
    for (const workers of ['1', '2']) {
      oneLine(await run(['check', '--model', guard, '--workers', workers]), 'the guard of go by r 0 threw: a thrown object that cannot be shown');
    }
    oneLine(await run(['simulate', '--model', guard]), 'a thrown object that cannot be shown');
    const getter = moduleFile('throws-message', {
      top: "class Odd extends Error { get message() { throw new Error('no'); } }",
      guard: 'if (s.n === 1) throw new Odd()',
    });
    oneLine(await run(['check', '--model', getter, '--workers', '1']), 'cannot be shown');
    const create = moduleFile('throws-create', { top: bad, exportLine: 'export function createModel() { throw bad; }' });
    oneLine(await run(['check', '--model', create]), 'createModel({}) failed: a thrown object that cannot be shown');
    const atImport = moduleFile('throws-import', { top: `${bad} throw bad;` });
    oneLine(await run(['check', '--model', atImport]), 'cannot load the module: a thrown object that cannot be shown');
  });
});

describe('--max-memory covers loading a module, and a run that passed it is never complete', () => {
  it('a module that allocates without end at import: one line, exit 3, no native stack', () => {
    const f = moduleFile('alloc', { top: 'const hoard = []; for (;;) hoard.push(new Array(1e5).fill(1.5));' });
    const r = spawnCli(['check', '--model', f, '--max-memory', '100']);
    oneLine(r, 'loading the module took more than --max-memory 100 MiB', 3);
    expect(r.stderr).not.toMatch(/FATAL|Native stack|heap out of memory/);
  });

  it('a module that loads within the limit runs as before', () => {
    const r = spawnCli(['check', '--model', moduleFile('small'), '--max-memory', '300', '--workers', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok', complete: true });
  });

  it('a run whose peak memory passed --max-memory reports incomplete (exit 3), for a safety and for a liveness property', () => {
    // 160 MiB held by the module, outside the search's own accounting: the peak passes 128 MiB however small the search.
    const f = moduleFile('ballast', {
      top: 'globalThis.ballast = Buffer.alloc(160 * 2 ** 20, 1);',
      exportLine: "export const model = { ...build(), liveness: [{ name: 'ends', description: 'ends', kind: 'alwaysReachable', goal: (s) => s.n === 2 }] };",
    });
    for (const property of ['fine', 'ends']) {
      const r = spawnCli(['check', '--model', f, '--property', property, '--max-memory', '128', '--workers', '1', '--json']);
      expect(r.code, `${property}: ${r.stderr}`).toBe(3);
      const j = JSON.parse(r.stdout);
      expect(j).toMatchObject({ status: 'incomplete', complete: false, stoppedBy: 'max-memory' });
      expect(j.peakMemoryBytes).toBeGreaterThan(128 * 2 ** 20);
    }
  });
});
