/**
 * The reliability classes, one describe each: outputs that would overwrite
 * inputs, forged traces, shard reports that lie, a closed or full stdout.
 * Every refusal is one line on stderr and exit 2 (74 for a failed write).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, run } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-reliability-'));
const file = (name: string): string => join(dir, name);

/** One line on stderr, exit 2, and the line contains `want`. */
function refused(r: { code: number | null; stderr: string }, want: string): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.split('\n')).toHaveLength(2);
  expect(r.stderr).toContain(want);
}

let race: Record<string, unknown> & { steps: Record<string, unknown>[]; breaks: Record<string, unknown>[]; initial: Record<string, unknown> };
beforeAll(async () => {
  expect((await run(['check', '--property', 'aliasResolves', '--trace-out', file('race.json')])).code).toBe(1);
  race = JSON.parse(readFileSync(file('race.json'), 'utf8'));
});

describe('no command overwrites one of its inputs, however the path is spelled', () => {
  it('the same file through ./, .., a symlink or a hard-to-see spelling is refused before anything is written', async () => {
    const sub = file('sub');
    mkdirSync(sub);
    symlinkSync(file('race.json'), file('link.json'));
    const before = readFileSync(file('race.json'), 'utf8');
    const rel = relative(ROOT, file('race.json'));
    const cases: string[][] = [
      ['view', file('race.json'), '--out', join(sub, '..', 'race.json')],
      ['view', file('race.json'), '--out', file('link.json')],
      ['export', file('race.json'), '--format', 'markdown', '--out', `./${rel}`],
      ['replay', file('race.json'), '--trace-out', join(sub, '..', '.', 'race.json')],
      ['replay', file('link.json'), '--trace-out', file('race.json')],
      ['reenact', file('race.json'), '--trace-out', file('link.json')],
    ];
    for (const args of cases) refused(await run(args), 'would overwrite');
    refused(await run(['check', '--property', 'aliasResolves', '--trace-out', file('same.out'), '--view', join(sub, '..', 'same.out')]), '--view');
    expect(readFileSync(file('race.json'), 'utf8')).toBe(before);
    expect(existsSync(file('same.out'))).toBe(false);
  });

  it('an output path that cannot be written is refused before the search', async () => {
    // A model whose guard counts its calls: the search never began (whatever the machine's speed).
    const counted = file('counted.mjs');
    writeFileSync(
      counted,
      `import { defineLayout, int } from '${join(ROOT, 'dist', 'index.js')}';
globalThis.dnsmcGuardCalls = 0;
export const model = {
  name: 'counted', params: {}, layout: defineLayout({ n: int(0, 3) }), roles: { r: 1 }, init: [{ n: 0 }],
  actions: [{ name: 'go', role: 'r', guard: (s) => { globalThis.dnsmcGuardCalls++; return s.n < 3; }, effect: (s) => { s.n++; } }],
  invariants: [], stepInvariants: [], terminalOk: () => true,
};\n`,
    );
    const calls = (): unknown => (globalThis as { dnsmcGuardCalls?: number }).dnsmcGuardCalls;
    refused(await run(['check', '--model', counted, '--workers', '1', '--trace-out', file('missing/t.json')]), '--trace-out: cannot write');
    expect(calls()).toBe(0);
    // The same model, with an output it can write, is searched: the count can move.
    expect((await run(['check', '--model', counted, '--workers', '1', '--trace-out', file('counted.json')])).code).toBe(0);
    expect(calls()).toBeGreaterThan(0);
    refused(
      await run(['check', '--variant', 'as-was', '--plans', '5', '--endpoints', '2', '--trace-out', file('missing/t.json')]),
      '--trace-out: cannot write',
    );
    refused(await run(['check', '--trace-out', dir]), 'is a folder');
  });
});

describe('a forged trace is refused at the first field the model does not derive', () => {
  const forged = (name: string, change: (t: typeof race) => void): string => {
    const t = JSON.parse(JSON.stringify(race));
    change(t);
    writeFileSync(file(name), JSON.stringify(t));
    return file(name);
  };
  const cases: [string, (t: typeof race) => void, string][] = [
    [
      'an initial state that is not the model’s (a dangling alias from the start, with no steps)',
      (t) => {
        t.initial.alias = [3];
        t.steps = [];
        t.breaks = [{ property: 'aliasResolves', step: 0, kind: 'invariant', explanation: 'made up' }];
      },
      'field initial is not an initial state of model dns',
    ],
    [
      'a made-up violation',
      (t) => {
        t.breaks = [{ property: 'lockExclusive', step: 3, kind: 'invariant', explanation: 'made up' }];
      },
      'field breaks',
    ],
    [
      'another property than the trace breaks, of the wrong kind',
      (t) => {
        t.property = 'noRollback';
        t.kind = 'invariant';
      },
      'field kind must be step',
    ],
    [
      'a narration the model does not give',
      (t) => {
        t.steps[3].narration = 'enactor 2 deletes everything';
      },
      'field steps[3].narration differs',
    ],
    [
      'patches that say another step',
      (t) => {
        t.steps[0].patches = [{ op: 'replace', path: ['latest'], value: 3 }];
      },
      'field steps[0].patches differ',
    ],
    [
      'the variant of another model',
      (t) => {
        t.variant = 'fixed';
      },
      "field variant must be the model's variant",
    ],
    [
      'a variant named like an object property',
      (t) => {
        t.variant = 'constructor';
        (t.params as Record<string, unknown>).variant = 'constructor';
      },
      'variant must be one of as-was|fixed|recheck-only|spare-active-only, got constructor',
    ],
    [
      'a state key that is not a field',
      (t) => {
        // An own property named like Object.prototype's, as JSON.parse would make it.
        Object.defineProperty(t.steps[2].state, 'constructor', { value: 1, enumerable: true, writable: true, configurable: true });
      },
      'constructor',
    ],
  ];
  for (const [name, change, want] of cases) {
    it(name, async () => {
      const f = forged(`${name.replace(/\W+/g, '-')}.json`, change);
      for (const args of [
        ['replay', f],
        ['view', f, '--out', `${f}.html`],
        ['export', f, '--format', 'itf'],
      ])
        refused(await run(args), want);
    });
  }

  it('a __proto__ state key is refused too (JSON.parse makes it an own key)', async () => {
    const text = JSON.stringify(race).replace('"initial":{', '"initial":{"__proto__":{"x":1},');
    writeFileSync(file('proto.json'), text);
    refused(await run(['replay', file('proto.json')]), '__proto__');
  });
});

describe('merge checks its shards like trace files', () => {
  const shard = async (name: string, ...args: string[]): Promise<Record<string, unknown>> => {
    const r = await run(['simulate', '--variant', 'as-was', '--runs', '200', '--seed', '3', '--json', ...args]);
    writeFileSync(file(name), r.stdout);
    return JSON.parse(r.stdout);
  };

  it('an absurd number of shards is refused by simulate and by merge', async () => {
    refused(await run(['simulate', '--swarm', '1/1000000000']), '--swarm must be i/N');
    const s = await shard('one.json', '--swarm', '1/2');
    writeFileSync(file('huge.json'), JSON.stringify({ ...s, swarm: { ...(s.swarm as object), of: 1_000_000_000 } }));
    refused(await run(['merge', file('huge.json')]), 'swarm.of must be from 1 to 100000');
  });

  it('a shard whose trace holds an impossible state, or a malformed initial state, is refused naming the file', async () => {
    const s = await shard('good.json', '--swarm', '1/1');
    const v = (s.violations as { trace: { initial: Record<string, unknown>; steps: { state: Record<string, unknown> }[] } }[])[0];
    const bad = JSON.parse(JSON.stringify(s));
    bad.violations[0].trace.steps[1].state.latest = 4;
    writeFileSync(file('impossible.json'), JSON.stringify(bad));
    refused(await run(['merge', file('impossible.json')]), 'impossible.json');
    const worse = JSON.parse(JSON.stringify(s));
    worse.violations[0].trace.initial = { latest: 'x' };
    writeFileSync(file('malformed.json'), JSON.stringify(worse));
    refused(await run(['merge', file('malformed.json')]), 'malformed.json');
    expect(v.trace.steps.length).toBeGreaterThan(1);
  });
});

describe('a closed or full stdout', () => {
  it('a reader that closes early (| head -1): the output ends quietly and the exit code is the verdict’s', async () => {
    for (const [args, code] of [
      // --quiet: on a loaded machine a run can pass a second and show progress.
      [['check', '--quiet', '--variant', 'fixed'], 0],
      [['check', '--quiet', '--variant', 'as-was', '--property', 'aliasResolves'], 1],
      [['simulate', '--quiet', '--variant', 'as-was', '--runs', '300'], 1],
      [['replay', '--quiet', file('race.json')], 1],
    ] as const) {
      const r = await new Promise<{ code: number | null; stderr: string; first: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT });
        let stderr = '';
        let first = '';
        child.stderr.on('data', (d) => {
          stderr += d;
        });
        // Read the first chunk, then close the pipe, as `head -1` does.
        child.stdout.once('data', (d) => {
          first = String(d).split('\n')[0];
          child.stdout.destroy();
        });
        child.on('exit', (c) => resolve({ code: c, stderr, first }));
      });
      expect(r.first).toMatch(/^dnsmc /);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(code);
    }
  });

  it('a full disk (/dev/full): one line and exit 74', () => {
    if (!existsSync('/dev/full')) return;
    const r = spawnSync('sh', ['-c', `exec "${process.execPath}" "${BIN}" check --quiet --variant fixed --json > /dev/full`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(74);
    expect(r.stderr).toBe('dnsmc: cannot write to stdout: ENOSPC\n');
  });
});

describe('what a run leaves', () => {
  it('no temporary file next to what it wrote', () => {
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
