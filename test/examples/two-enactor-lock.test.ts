/**
 * The user model in examples/ (written only against the public API), run
 * through the command line in process (`main` with buffered output;
 * test/support/cli.ts), the model loaded with --model from its .ts source
 * (compiled on the fly), as the binary loads it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrace } from '../../traces/trace.js';
import { ROOT, run, spawnCli, type CliResult } from '../support/cli.js';

const MODEL = 'examples/two-enactor-lock.ts';

/**
 * An independent count of the example's states: a plain breadth-first
 * enumeration over tuples, written from the model's header comment, sharing
 * no code with dnsmc.
 */
function enumerate(fencing: boolean, tokens = 3): { states: number; edges: number; depth: number; lost: number } {
  type T = [lease: number, granted: number, p0: number, p1: number, t0: number, t1: number, stored: number, newest: number];
  const next = (s: T): T[] => {
    const [lease, granted, , , , , stored, newest] = s;
    const out: T[] = [];
    const ph = (e: number) => s[2 + e];
    const tk = (e: number) => s[4 + e];
    const set = (base: T, e: number, phase: number, token: number): T => {
      const c = [...base] as T;
      c[2 + e] = phase;
      c[4 + e] = token;
      return c;
    };
    for (const e of [0, 1]) if (ph(e) === 0 && lease === -1 && granted < tokens) out.push(set([e, granted + 1, ...s.slice(2)] as T, e, 1, granted + 1));
    if (lease !== -1) out.push([-1, ...s.slice(1)] as T);
    for (const e of [0, 1]) {
      if (ph(e) !== 1) continue;
      const c = set(s, e, 2, tk(e));
      if (!(fencing && tk(e) < stored)) {
        c[6] = tk(e);
        c[7] = Math.max(newest, tk(e));
      }
      out.push(c);
    }
    for (const e of [0, 1]) {
      if (ph(e) !== 2) continue;
      const c = set(s, e, 0, 0);
      if (lease === e) c[0] = -1;
      out.push(c);
    }
    return out;
  };
  const init: T = [-1, 0, 0, 0, 0, 0, 0, 0];
  const depth = new Map<string, number>([[init.join(), 0]]);
  const queue: T[] = [init];
  let edges = 0;
  let lost = 0;
  for (let i = 0; i < queue.length; i++) {
    const s = queue[i];
    if (s[6] !== s[7]) lost++;
    for (const t of next(s)) {
      edges++;
      if (!depth.has(t.join())) {
        depth.set(t.join(), depth.get(s.join())! + 1);
        queue.push(t);
      }
    }
  }
  return { states: queue.length, edges, depth: Math.max(...depth.values()), lost };
}

describe('examples/two-enactor-lock.ts through the CLI', () => {
  it('type-checks as a user project would (dnsmc resolved as a package)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'examples/tsconfig.json'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('check, fixed: no violation in all 88 states (186 transitions, diameter 9), as an independent enumeration counts', async () => {
    const ref = enumerate(true);
    expect(ref).toEqual({ states: 88, edges: 186, depth: 9, lost: 0 });
    const r = await run(['check', '--quiet', '--model', MODEL, '--variant', 'fixed', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ status: 'ok', model: 'two-enactor-lock', variant: 'fixed', params: { variant: 'fixed', tokens: 3 } });
    expect([j.distinctStates, j.generatedStates, j.diameter]).toEqual([ref.states, ref.edges, ref.depth]);
  });

  it('the binary loads the .ts module too (spawned: plain Node.js, not the test runner, imports it)', () => {
    const r = spawnCli(['check', '--model', MODEL, '--variant', 'fixed', '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok', model: 'two-enactor-lock', distinctStates: 88, generatedStates: 186, diameter: 9 });
  });

  it('check, as-was: the stale write after 5 steps; --continue explores all 133 states', async () => {
    const ref = enumerate(false);
    expect(ref).toMatchObject({ states: 133, edges: 272, depth: 10 });
    expect(ref.lost).toBeGreaterThan(0);
    const r = await run(['check', '--model', MODEL]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('two-enactor-lock (as-was): storeNeverOlder violated after 5 steps');
    expect(r.stdout).toContain('step 2  the lease of enactor 0 expires (it is not told)');
    expect(r.stdout).toContain('>> storeNeverOlder VIOLATED here: the store went back from token 2 to token 1');
    const all = JSON.parse((await run(['check', '--model', MODEL, '--continue', '--json'])).stdout);
    expect([all.distinctStates, all.generatedStates, all.diameter]).toEqual([ref.states, ref.edges, ref.depth]);
    expect(all.violations).toEqual([
      { property: 'storeNeverOlder', kind: 'step', length: 5 },
      { property: 'noLostUpdate', kind: 'invariant', length: 5 },
    ]);
  });

  it('check --trace-out records the module, and the trace replays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsmc-example-'));
    const file = join(dir, 'lock.json');
    const r = await run(['check', '--model', MODEL, '--trace-out', file]);
    expect(r.code).toBe(1);
    const t = parseTrace(JSON.parse(readFileSync(file, 'utf8')));
    expect(t.module).toBe(MODEL);
    expect(t.steps.map((s) => `${s.action}(${s.actor})`)).toEqual(['acquire(0)', 'expire(0)', 'acquire(1)', 'write(1)', 'write(0)']);
  });

  it('simulate, as-was: finds both properties broken and shrinks each to the 5-step race (pinned for seed 3)', async () => {
    const r = await run(['simulate', '--quiet', '--model', MODEL, '--runs', '200', '--seed', '3', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ command: 'simulate', status: 'violation', model: 'two-enactor-lock', module: MODEL, seed: 3, runs: 200 });
    expect(j.violations.map((v: { property: string; length: number }) => [v.property, v.length])).toEqual([
      ['storeNeverOlder', 5],
      ['noLostUpdate', 5],
    ]);
    expect(j.violations[0].trace.module).toBe(MODEL);
    expect(j.distinctStates).toBeLessThanOrEqual(133);
  });

  it('simulate, fixed: no violation; uniform walks see every reachable state (88), slow-enactor walks fewer', async () => {
    const u = JSON.parse((await run(['simulate', '--model', MODEL, '--variant', 'fixed', '--runs', '1000', '--seed', '1', '--json'])).stdout);
    expect(u).toMatchObject({ status: 'ok', runs: 1000, distinctStates: 88, steps: 11_240, terminalRuns: 1000 });
    const r = await run(['simulate', '--model', MODEL, '--variant', 'fixed', '--scheduler', 'slow-enactor', '--runs', '500', '--seed', '1', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ status: 'ok', schedulerName: 'slow-enactor', scheduler: { kind: 'slow-actor', role: 'enactor', actor: 0 } });
    // Enactor 0 rarely moves, so fewer interleavings are seen (pinned for seed 1).
    expect(j.distinctStates).toBe(67);
  });

  it('simulate text: the shrunk race narrated in the model’s words', async () => {
    const r = await run(['simulate', '--model', MODEL, '--runs', '200', '--seed', '3', '--property', 'noLostUpdate']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`model two-enactor-lock, variant as-was from ${MODEL} (tokens 3)`);
    expect(r.stdout).toContain('two-enactor-lock (as-was): noLostUpdate violated after 5 steps');
    expect(r.stdout).toContain('>> noLostUpdate VIOLATED here: the store holds the write of token 1, but it accepted token 2');
  });
});

describe('examples/library.ts (the runnable example of docs/library.md)', () => {
  it('runs with tsx and prints the race, the shrunk simulation and where the fix stops the race', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'examples/library.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('dns (as-was): aliasResolves violated after 12 steps');
    expect(r.stdout).toContain('simulate: aliasResolves broken in run 0 after 60 steps, shrunk to 18');
    expect(r.stdout).toContain('simulate: 2000 runs, 199938 steps, 178668 distinct states');
    expect(r.stdout).toContain('fixed: the race stops at step 11: flipAlias by enactor 0 is not enabled');
  });
});

describe('replay, view and export of a trace of the example', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dnsmc-example-trace-'));
  const trace = join(dir, 'lock.json');
  beforeAll(async () => {
    expect((await run(['check', '--model', MODEL, '--trace-out', trace])).code).toBe(1);
  });

  it('need --model: the module a trace names is quoted, never loaded', async () => {
    for (const cmd of [['replay'], ['view'], ['export', '--format', 'markdown']]) {
      const r = await run([...cmd, trace]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`made with the user model "two-enactor-lock" from ${MODEL}; pass --model ${MODEL}`);
    }
  });

  it('replay under the fencing fix: the stale write is rejected at step 5', async () => {
    const same = await run(['replay', trace, '--model', MODEL]);
    expect(same.code).toBe(1);
    expect(same.stdout).toContain('The replay reproduces the trace exactly');
    const fixed = await run(['replay', trace, '--model', MODEL, '--variant', 'fixed']);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('First divergence: step 5');
    expect(fixed.stdout).toContain('the store holds token 2 and rejects it');
  });

  it('view writes the viewer page, export writes markdown', async () => {
    const html = join(dir, 'lock.html');
    expect((await run(['view', trace, '--model', MODEL, '--out', html])).code).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('two-enactor-lock');
    const md = await run(['export', trace, '--model', MODEL, '--format', 'markdown']);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('two-enactor-lock (as-was): storeNeverOlder violated after 5 steps');
  });

  it('a module building another model is refused', async () => {
    const r = await run(['replay', trace, '--model', join(ROOT, 'test', 'examples', 'fixtures', 'other-name.mjs')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('builds model "other", but the trace is of model "two-enactor-lock"');
  });
});

describe('--model: modules that are not valid models get one line and exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dnsmc-models-'));
  const DIST = pathToFileURL(join(ROOT, 'dist', 'index.js')).href;
  const write = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const oneLine = (r: CliResult, ...want: string[]): void => {
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    for (const w of want) expect(r.stderr).toContain(w);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  };

  it('a plain JavaScript module exporting a fixed model loads and checks', async () => {
    const f = write(
      'counter.mjs',
      `import { defineLayout, int } from '${DIST}';
       const layout = defineLayout({ n: int(0, 3) });
       export const model = {
         name: 'js-counter', params: {}, layout, roles: { counter: 1 }, init: [{ n: 0 }],
         actions: [{ name: 'up', role: 'counter', guard: (s) => s.n < 3, effect: (s) => { s.n += 1; } }],
         invariants: [{ name: 'belowThree', description: 'n stays below 3', holds: (s) => s.n < 3 }],
         stepInvariants: [], terminalOk: () => true,
       };`,
    );
    const r = await run(['check', '--model', f, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ model: 'js-counter', property: 'belowThree', violations: [{ property: 'belowThree', length: 3 }] });
    const s = await run(['simulate', '--model', f, '--json', '--runs', '5']);
    expect(JSON.parse(s.stdout).violations[0]).toMatchObject({ property: 'belowThree', length: 3 });
    oneLine(await run(['check', '--model', f, '--enactors', '2']), '--enactors: no such flag (model ', 'counter.mjs takes no parameters; see --help)');
  });

  it('a missing file', async () => oneLine(await run(['check', '--model', join(dir, 'nope.ts')]), '--model: no such file'));
  it('a file of another kind', async () =>
    oneLine(await run(['check', '--model', write('m.txt', 'x')]), '--model must be a .js, .mjs, .cjs, .ts, .mts or .cts module'));
  it('a TypeScript syntax error', async () => oneLine(await run(['check', '--model', write('bad.ts', 'export const model = {;\n')]), 'cannot load the module'));
  it('a module that throws as it loads', async () =>
    oneLine(await run(['check', '--model', write('throws.mjs', "throw new Error('boom');\n")]), 'cannot load the module: boom'));
  it('no model export', async () =>
    oneLine(
      await run(['check', '--model', write('other.mjs', 'export const x = 1;\n')]),
      'must export modelPackage, createModel(params) or model',
      'it exports x',
    ));
  it('a model missing its actions', async () =>
    oneLine(
      await run([
        'check',
        '--model',
        write(
          'noactions.mjs',
          `import { defineLayout, int } from '${DIST}';\nexport const model = { name: 'm', params: {}, layout: defineLayout({ n: int(0, 1) }), roles: { r: 1 }, init: [{ n: 0 }], invariants: [], stepInvariants: [] };\n`,
        ),
      ]),
      'not a valid model: model m: field actions must be an array',
    ));
  it('an action of an unknown role (validateModel)', async () =>
    oneLine(
      await run([
        'check',
        '--model',
        write(
          'role.mjs',
          `import { defineLayout, int } from '${DIST}';\nexport const model = { name: 'm', params: {}, layout: defineLayout({ n: int(0, 1) }), roles: { r: 1 }, init: [{ n: 0 }], actions: [{ name: 'a', role: 'q', guard: () => true, effect: (s) => { s.n = 1; } }], invariants: [], stepInvariants: [] };\n`,
        ),
      ]),
      'not a valid model: model m: action a has role q, not one of r',
    ));
  it('an initial state outside the layout', async () =>
    oneLine(
      await run([
        'check',
        '--model',
        write(
          'init.mjs',
          `import { defineLayout, int } from '${DIST}';\nexport const model = { name: 'm', params: {}, layout: defineLayout({ n: int(0, 1) }), roles: { r: 1 }, init: [{ n: 5 }], actions: [], invariants: [], stepInvariants: [] };\n`,
        ),
      ]),
      'init[0]',
      'field n = 5 is outside its declared range 0..1',
    ));
  it('a declared parameter out of its range', async () =>
    oneLine(await run(['check', '--model', MODEL, '--variant', 'nope']), '--variant must be one of as-was|fixed, got "nope"'));
  it('createModel refusing a parameter', async () => {
    const f = write(
      'refuses.mjs',
      `import { defineLayout, int } from '${DIST}';
export const params = [{ name: 'n', type: 'int', min: 0, max: 9, default: 0, help: 'n' }];
export function createModel(p) { if (p.n === 3) throw new Error('n must not be 3'); return { name: 'm', params: p, layout: defineLayout({ x: int(0, 1) }), roles: { r: 1 }, init: [{ x: 0 }], actions: [], invariants: [], stepInvariants: [], terminalOk: () => true }; }
`,
    );
    oneLine(await run(['check', '--model', f, '--n', '3']), 'createModel({"n":3}) failed: n must not be 3');
  });
  it('a scheduler the package does not offer', async () => {
    const f = write(
      'noenactor.mjs',
      `import { defineLayout, int } from '${DIST}';
export const model = { name: 'm', params: {}, layout: defineLayout({ n: int(0, 1) }), roles: { r: 1 }, init: [{ n: 0 }], actions: [], invariants: [], stepInvariants: [], terminalOk: () => true };
`,
    );
    oneLine(await run(['simulate', '--model', f, '--scheduler', 'slow-enactor']), '--scheduler must be one of uniform, got "slow-enactor"');
  });
});
