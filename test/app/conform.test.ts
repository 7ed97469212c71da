/**
 * `dnsmc conform` on log files: the as-was race, logged by its processes,
 * conforms to as-was and not to fixed (the stale build under the lock is
 * the first event no step explains); hostile logs get one line naming the
 * file and the line, exit 2.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { conform as conformLogs, logsOfSchedule } from '../../checker/runs/log-search.js';
import { readLogs } from '../../app/conform.js';
import { dnsModel } from '../../models/dns/model.js';
import { startNamed } from '../../systems/dns/server.js';
import { notProgress, ROOT, run } from '../support/cli.js';
import { writeKeyFile } from '../systems/dns/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-conform-'));
const file = (name: string): string => join(dir, name);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RACE = [
  ['publishPlan', 0],
  ['pickPlan', 0],
  ['publishPlan', 0],
  ['publishPlan', 0],
  ['pickPlan', 1],
  ['acquireLock', 1],
  ['buildTree', 1],
  ['flipAlias', 1],
  ['acquireLock', 0],
  ['buildTree', 0],
  ['flipAlias', 0],
  ['cleanupPlans', 1],
] as const;

/** The race's logs, one file per process, as JSON lines (stamped 10 ms apart). */
function writeRace(): string[] {
  const logs = logsOfSchedule(
    dnsModel({ variant: 'as-was' }),
    RACE.map(([action, actor]) => ({ action, actor })),
    { msPerStep: 10 },
  );
  return logs.map((log) => {
    const f = file(`${log[0].process}.jsonl`);
    writeFileSync(f, log.map(({ process, seq, ts, action, actor, saw }) => `${JSON.stringify({ process, seq, ts, action, actor, saw })}\n`).join(''));
    return f;
  });
}

describe('dnsmc conform', () => {
  const files = writeRace();

  it('the race conforms to as-was (exit 0)', async () => {
    const r = await run(['conform', ...files, '--variant', 'as-was', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { status: string; events: number; processes: number; explained: number };
    expect(j).toMatchObject({ status: 'conforms', events: 12, processes: 3, explained: 12 });
  });

  it('and not to fixed (exit 4): the first event no step explains is enactor 0 building its stale plan under the lock', async () => {
    const r = await run(['conform', ...files, '--variant', 'fixed']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain(
      `The events diverge from the model at ${file('enactor-0.jsonl')}:3: enactor-0's event 3, buildTree by actor 0, which saw trees[0] [1,3], phase[0] "flip".`,
    );
    expect(r.stdout).toContain('The longest explained prefix before it (10 events):');
    expect(r.stdout).toContain('the step leads to trees[0] = [3], phase[0] = "idle", but the process saw trees[0] = [1,3], phase[0] = "flip"');
    const j = JSON.parse((await run(['conform', ...files, '--variant', 'fixed', '--json'])).stdout) as {
      status: string;
      failure: { line: number; process: string; action: string; states: { alias: number[]; latest: number }[] };
    };
    expect(j.status).toBe('diverges');
    expect(j.failure).toMatchObject({ line: 3, process: 'enactor-0', action: 'buildTree' });
    expect(j.failure.states).toHaveLength(1);
    expect(j.failure.states[0]).toMatchObject({ latest: 3, alias: [3] });
  });

  it('hostile logs: one line naming the file and line, exit 2', async () => {
    const cases: [string, string, string][] = [
      ['malformed.jsonl', '{"process":"enactor-0","seq":1,\n', ':1: not a JSON object'],
      ['array.jsonl', '[1,2]\n', ':1: not a JSON object'],
      ['unknown-action.jsonl', '{"process":"p","seq":1,"ts":0,"action":"format","actor":0}\n', ':1: action "format" is not an action of model dns'],
      ['unknown-key.jsonl', '{"process":"p","seq":1,"ts":0,"action":"pickPlan","actor":0,"rm":"-rf"}\n', ':1: unknown key "rm"'],
      ['actor.jsonl', '{"process":"p","seq":1,"ts":0,"action":"pickPlan","actor":7}\n', ':1: actor 7 is out of range for pickPlan'],
      [
        'range.jsonl',
        '{"process":"p","seq":1,"ts":0,"action":"publishPlan","actor":0,"saw":{"latest":99}}\n',
        ':1: saw: latest: 99 is not a value of this field',
      ],
      [
        'field.jsonl',
        '{"process":"p","seq":1,"ts":0,"action":"publishPlan","actor":0,"saw":{"__proto__":1}}\n',
        ':1: saw: "__proto__" is not a field of model dns',
      ],
      [
        'seq.jsonl',
        '{"process":"p","seq":1,"ts":0,"action":"publishPlan","actor":0}\n{"process":"p","seq":3,"ts":1,"action":"publishPlan","actor":0}\n',
        ':2: process p jumps to seq 3',
      ],
      ['ts.jsonl', '{"process":"p","seq":1,"ts":"now","action":"publishPlan","actor":0}\n', ':1: ts must be a finite number'],
      [
        'huge.jsonl',
        `{"process":"p","seq":1,"ts":0,"action":"publishPlan","actor":0}\n{"process":"${'x'.repeat(100_000)}"}\n`,
        ':2: the line is longer than 65536 bytes',
      ],
    ];
    for (const [name, text, expected] of cases) {
      writeFileSync(file(name), text);
      const r = await run(['conform', file(name)]);
      expect(r.code, name).toBe(2);
      expect(r.stdout, name).toBe('');
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(r.stderr, name).toContain(`${file(name)}${expected}`);
    }
    const missing = await run(['conform', file('nope.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`dnsmc: cannot read log file ${file('nope.jsonl')}: ENOENT\n`);
  });

  it('a leading byte order mark is skipped; bytes that are not UTF-8 are refused naming the line; format characters such as U+202E are escaped in what is echoed', async () => {
    const race = files.map((f) => readFileSync(f, 'utf8'));
    writeFileSync(file('bom.jsonl'), `\uFEFF${race[0]}`);
    const bom = await run(['conform', file('bom.jsonl'), ...files.slice(1), '--variant', 'as-was', '--json']);
    expect(bom.stderr).toBe('');
    expect(bom.code).toBe(0);
    const line = '{"process":"p","seq":1,"ts":0,"action":"publishPlan","actor":0}\n';
    writeFileSync(file('latin1.jsonl'), Buffer.concat([Buffer.from(line), Buffer.from('{"process":"caf'), Buffer.from([0xe9]), Buffer.from('","seq":2}\n')]));
    const bad = await run(['conform', file('latin1.jsonl')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`dnsmc: ${file('latin1.jsonl')}:2: not UTF-8 text (a log is UTF-8, one JSON object per line)\n`);
    writeFileSync(file('bidi.jsonl'), '{"process":"p","seq":1,"ts":0,"action":"publishPlan","actor":0,"txt\u202Egpj.exe":1}\n');
    const bidi = await run(['conform', file('bidi.jsonl')]);
    expect(bidi.code).toBe(2);
    expect(bidi.stderr).toContain('unknown key "txt\\u202egpj.exe"');
    expect(bidi.stderr).not.toMatch(/[\u202e\u200b\ufeff]/);
  });

  it('--time-limit stops a search that would take very long: exit 3, with what was explained so far, and progress on stderr meanwhile', async () => {
    // Six hands raising their own counters: without a skew bound every interleaving is open, 13^6 of them, and the last event is impossible.
    writeFileSync(
      file('hands.mjs'),
      `import { array, defineLayout, int } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)};
export const model = {
  name: 'hands', params: {}, layout: defineLayout({ c: array(6, int(0, 60)) }), roles: { hand: 6 }, init: [{ c: [0, 0, 0, 0, 0, 0] }],
  actions: [{ name: 'up', role: 'hand', guard: (s, a) => s.c[a] < 60, effect: (s, a) => { s.c[a] = s.c[a] + 1; } }],
  invariants: [], stepInvariants: [],
};
`,
    );
    const lines: string[] = [];
    for (let h = 0; h < 6; h++)
      for (let i = 1; i <= 12; i++) lines.push(JSON.stringify({ process: `hand-${h}`, seq: i, ts: i, action: 'up', actor: h, saw: { [`c[${h}]`]: i } }));
    lines.push(JSON.stringify({ process: 'hand-0', seq: 13, ts: 13, action: 'up', actor: 0, saw: { 'c[0]': 0 } }));
    writeFileSync(file('long.jsonl'), `${lines.join('\n')}\n`);
    const r = await run(['conform', file('long.jsonl'), '--skew', 'none', '--model', file('hands.mjs'), '--time-limit', '3', '--json']);
    expect(notProgress(r.stderr)).toEqual([]);
    expect(r.stderr).toMatch(/^progress: \d+ of 73 events explained, [\d,]+ configurations, stack \d+, \d+ s$/m);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.stdout) as { status: string; stoppedBy: string; events: number; explained: number };
    expect(j).toMatchObject({ status: 'incomplete', stoppedBy: 'time-limit', events: 73 });
    const text = await run(['conform', file('long.jsonl'), '--skew', 'none', '--model', file('hands.mjs'), '--time-limit', '0.5']);
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(
      /Incomplete: the time limit \(--time-limit\) stopped the search before a verdict; the longest interleaving the model explains so far takes \d+ of the 73 events/,
    );
    const mem = await run(['conform', file('long.jsonl'), '--skew', 'none', '--model', file('hands.mjs'), '--max-memory', '64', '--json']);
    expect(mem.code).toBe(3);
    expect(JSON.parse(mem.stdout)).toMatchObject({ status: 'incomplete', stoppedBy: 'max-memory' });
    const flag = await run(['conform', file('long.jsonl'), '--time-limit', 'soon']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe('dnsmc: --time-limit must be a number of seconds above 0, got "soon"\n');
  });
});

describe('dnsmc conform on arbitrary input (fuzz)', () => {
  const event = fc.record(
    {
      process: fc.oneof(fc.constantFrom('planner', 'enactor-0', 'enactor-1'), fc.string({ maxLength: 8 })),
      seq: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.double(), fc.string({ maxLength: 3 })),
      ts: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double(), fc.constant(null)),
      action: fc.oneof(
        fc.constantFrom('publishPlan', 'pickPlan', 'acquireLock', 'retryLock', 'buildTree', 'flipAlias', 'cleanupPlans'),
        fc.string({ maxLength: 8 }),
      ),
      actor: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer(), fc.double()),
      saw: fc.oneof(
        fc.dictionary(fc.constantFrom('latest', 'phase[0]', 'plan[1]', 'alias[0]', 'trees[0]', 'x', '__proto__', 'phase'), fc.jsonValue({ maxDepth: 2 }), {
          maxKeys: 3,
        }),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      observation: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  );
  const line = fc.oneof(
    { weight: 5, arbitrary: event.map((e) => JSON.stringify(e)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  );
  const content = fc.oneof(
    { weight: 4, arbitrary: fc.array(line, { maxLength: 12 }).map((ls) => Buffer.from(ls.join('\n'))) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.array(line, { maxLength: 6 }).map((ls) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ls.join('\r\n'))])) },
  );

  it('any bytes as a log: exit 0, 2, 3 or 4, one line naming the file on error, never an internal error or a stack trace', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(content, fc.constantFrom([], ['--skew', 'none'], ['--skew', '0']), async (bytes, flags) => {
        const f = file(`fuzz-${n++}.jsonl`);
        writeFileSync(f, bytes);
        const r = await run(['conform', f, '--time-limit', '5', ...flags]);
        expect([0, 2, 3, 4]).toContain(r.code);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
        if (r.code === 2) {
          expect(notProgress(r.stderr)).toHaveLength(1);
          expect(r.stderr.startsWith(`dnsmc: ${f}`)).toBe(true);
          expect(r.stdout).toBe('');
        } else expect(notProgress(r.stderr)).toEqual([]);
        // Nothing echoed raw that a terminal would act on.
        // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
        expect(r.stderr + r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      }),
      { numRuns: 150, seed: 19 },
    );
  });
});

/** The events of log files, one JSON object a line (observations skipped). */
interface Line {
  process: string;
  seq: number;
  ts: number;
  action: string;
  actor: number;
  saw?: Record<string, unknown>;
}
const eventsOf = (files: readonly string[]): Line[] =>
  files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Line & { observation?: unknown })
      .filter((e) => e.observation === undefined),
  );
const writeEvents = (name: string, events: readonly Line[]): string => {
  const f = file(name);
  writeFileSync(f, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return f;
};
/** Every plan generation an event saw (latest, plan[i], alias[k], trees[k]) moved by `by` (0 stays 0, none). */
const shiftSaw = (saw: Record<string, unknown> | undefined, by: number): Record<string, unknown> | undefined => {
  if (!saw) return saw;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(saw)) {
    const f = k.replace(/\[.*$/, '');
    out[k] =
      (f === 'latest' || f === 'plan' || f === 'alias') && typeof v === 'number' && v > 0
        ? v + by
        : f === 'trees' && Array.isArray(v)
          ? v.map((g: number) => g + by)
          : v;
  }
  return out;
};
const shiftState = (s: Record<string, unknown>, by: number): Record<string, unknown> => ({
  ...s,
  latest: (s.latest as number) > 0 ? (s.latest as number) + by : 0,
  alias: (s.alias as number[]).map((g) => (g > 0 ? g + by : 0)),
  trees: (s.trees as number[][]).map((t) => t.map((g) => g + by)),
  plan: (s.plan as number[]).map((g) => (g > 0 ? g + by : 0)),
});

/** A snapshot of the default dns configuration (3 enactors, 1 endpoint) with every enactor idle and nothing built yet, at plan `latest`. */
const idleSnapshot = (latest: number) => ({
  latest,
  alias: [0],
  trees: [[]],
  lockHolder: [null],
  phase: ['idle', 'idle', 'idle'],
  plan: [0, 0, 0],
  endpoint: [0, 0, 0],
  failures: [0, 0, 0],
});

describe('dnsmc conform: logs that begin anywhere', () => {
  const race = writeRace();

  it("a storm's logs cut in two: the first half conforms and gives the state at the cut; the second half, from that state, conforms; so do both with plans numbered from 500,000", async () => {
    // The logs are the storm's last round, which the duration may cut short: a machine too slow for 10 events in a round gets a few more tries.
    let all: Line[] = [];
    let files: string[] = [];
    for (let seed = 1; seed <= 5 && all.length < 10; seed++) {
      const out = file(`storm-${seed}`);
      const s = await run(['storm', '--variant', 'fixed', '--enactors', '3', '--duration', '1', '--seed', String(seed), '--out', out]);
      expect(s.code, s.stderr).toBe(0);
      files = readdirSync(out)
        .filter((f) => f.endsWith('.jsonl'))
        .map((f) => join(out, f));
      all = eventsOf(files);
    }
    expect(all.length).toBeGreaterThanOrEqual(10);
    // The cut: the first half of the interleaving the model explains the logs by. A cut by time alone is not
    // consistent: a step's stamp is taken when its answer arrives (docs/conformance.md), so on a loaded machine a
    // read stamped after the cut can have taken effect before a write stamped before it. (Each process is cut in two.)
    // Every conform here takes --skew none: a skew bound must cover the longest round trip (docs/conformance.md),
    // which a loaded machine does not bound.
    const explained = conformLogs(dnsModel({ variant: 'fixed', enactors: 3 }), readLogs(files));
    expect(explained.status).toBe('conforms');
    const key = (e: { process: string; seq: number }): string => `${e.process}#${e.seq}`;
    const firstHalf = new Set((explained.order ?? []).slice(0, Math.floor(all.length / 2)).map(key));
    const early = new Set(all.filter((e) => firstHalf.has(key(e))));
    const first = writeEvents(
      'first.jsonl',
      all.filter((e) => early.has(e)),
    );
    const second = writeEvents(
      'second.jsonl',
      all.filter((e) => !early.has(e)),
    );
    const snap = file('cut.json');
    const a = await run(['conform', first, '--variant', 'fixed', '--enactors', '3', '--skew', 'none', '--state-out', snap, '--json']);
    expect(a.code, a.stdout).toBe(0);
    expect(JSON.parse(readFileSync(snap, 'utf8'))).toEqual((JSON.parse(a.stdout) as { final: unknown }).final);
    // The second half alone does not begin at the model's initial state...
    expect((await run(['conform', second, '--variant', 'fixed', '--enactors', '3', '--skew', 'none'])).code).not.toBe(0);
    // ...and conforms from the state at the cut.
    const b = await run(['conform', second, '--variant', 'fixed', '--enactors', '3', '--skew', 'none', '--initial', snap, '--json']);
    expect(b.code, b.stdout).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ status: 'conforms', initial: snap, events: all.length - early.size });

    // The same logs with plans numbered from 500,000: the whole, from the initial state as a snapshot...
    const by = 499_999;
    const whole = writeEvents(
      'shifted.jsonl',
      all.map((e) => ({ ...e, saw: shiftSaw(e.saw, by) })),
    );
    const init = writeEvents('init.json', []);
    writeFileSync(init, JSON.stringify(idleSnapshot(0)));
    const w = await run(['conform', whole, '--variant', 'fixed', '--enactors', '3', '--skew', 'none', '--initial', init, '--json']);
    expect(w.code, w.stdout).toBe(0);
    expect((JSON.parse(w.stdout) as { renumbered: string }).renumbered).toMatch(/^plan generations renumbered: 500000 to 5000\d\d are the model's 1 to \d+$/);
    // ...and the second half from the shifted state at the cut.
    const snap2 = file('cut-shifted.json');
    writeFileSync(snap2, JSON.stringify(shiftState(JSON.parse(readFileSync(snap, 'utf8')) as Record<string, unknown>, by)));
    const half = writeEvents(
      'second-shifted.jsonl',
      all.filter((e) => !early.has(e)).map((e) => ({ ...e, saw: shiftSaw(e.saw, by) })),
    );
    const h = await run(['conform', half, '--variant', 'fixed', '--enactors', '3', '--skew', 'none', '--initial', snap2, '--json']);
    expect(h.code, h.stdout).toBe(0);
    // Without renumbering (from the model's initial state) such plans are out of the model's range.
    const r = await run(['conform', whole, '--variant', 'fixed', '--enactors', '3', '--skew', 'none']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a value of this field/);
  }, 60_000);

  it('a window of plans wider than --plans, an event older than the snapshot, a snapshot that does not fit: one line naming it, exit 2', async () => {
    const shifted = race.map((f, i) =>
      writeEvents(
        `race-shifted-${i}.jsonl`,
        eventsOf([f]).map((e) => ({ ...e, saw: shiftSaw(e.saw, 499_999) })),
      ),
    );
    const snap = (name: string, latest: number): string => {
      const f = file(name);
      writeFileSync(f, JSON.stringify(idleSnapshot(latest)));
      return f;
    };
    // From the initial state the race's shifted plans (500,000 to 500,002) fit --plans 4 and conform to as-was.
    expect((await run(['conform', ...shifted, '--variant', 'as-was', '--initial', snap('zero.json', 0)])).code).toBe(0);
    const cases: [string[], RegExp][] = [
      [
        ['--initial', snap('old.json', 499_990)],
        /^dnsmc: --plans 4: the snapshot and the logs name plans 499990 to 500002, a window of 13 plans, wider than the model's bound/,
      ],
      [
        ['--initial', snap('ahead.json', 500_001)],
        /^dnsmc: \S+race-shifted-\d\.jsonl:\d+: saw plan 500000, older than the snapshot's oldest live plan 500001 /,
      ],
    ];
    for (const [flags, message] of cases) {
      const r = await run(['conform', ...shifted, '--variant', 'as-was', ...flags]);
      expect(r.code, r.stdout).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    const bad = file('bad-state.json');
    writeFileSync(bad, JSON.stringify({ latest: 0 }));
    const b = await run(['conform', ...race, '--variant', 'as-was', '--initial', bad]);
    expect(b.code).toBe(2);
    expect(b.stderr.trim()).toBe(`dnsmc: --initial ${bad}: state field alias is missing`);
    const both = await run(['conform', ...race, '--initial', bad, '--initial-from-server']);
    expect(both.code).toBe(2);
    expect(both.stderr.trim().split('\n')).toHaveLength(1);
    const stray = await run(['conform', ...race, '--server', '127.0.0.1:53']);
    expect(stray.code).toBe(2);
    expect(stray.stderr.trim()).toBe('dnsmc: --server goes with --initial-from-server (it says where to read the snapshot)');
  });

  it('--trace-out writes the explained prefix with the event named, and view opens it (also from a snapshot)', async () => {
    const t = file('race-trace.json');
    const r = await run(['conform', ...race, '--variant', 'fixed', '--trace-out', t]);
    expect(r.code).toBe(4);
    const trace = JSON.parse(readFileSync(t, 'utf8')) as {
      steps: { action: string; actor: number }[];
      conform: { snapshot: boolean; failure: { file: string; line: number; action: string; alone: boolean; reason: string } };
    };
    expect(trace.steps).toHaveLength(10);
    expect(trace.conform.snapshot).toBe(false);
    expect(trace.conform.failure).toMatchObject({ file: file('enactor-0.jsonl'), line: 3, action: 'buildTree', alone: true });
    expect(trace.conform.failure.reason).toContain('but the process saw trees[0] = [1,3]');
    const v = await run(['view', t, '--out', file('race-view.html')]);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);

    // From a snapshot: the race's first four events give the state; the rest, against fixed, diverge at the same build.
    const all = eventsOf(race);
    const order = [...all].sort((x, y) => x.ts - y.ts);
    const early = new Set(order.slice(0, 4));
    const snap = file('race-cut.json');
    expect(
      (
        await run([
          'conform',
          writeEvents(
            'race-first.jsonl',
            all.filter((e) => early.has(e)),
          ),
          '--variant',
          'as-was',
          '--state-out',
          snap,
        ])
      ).code,
    ).toBe(0);
    const rest = writeEvents(
      'race-rest.jsonl',
      all.filter((e) => !early.has(e)),
    );
    const t2 = file('race-trace-snapshot.json');
    const s = await run(['conform', rest, '--variant', 'fixed', '--initial', snap, '--trace-out', t2]);
    expect(s.code).toBe(4);
    expect(s.stdout).toContain(`The events diverge from the model at ${rest}:`);
    expect(s.stdout).toContain("enactor-0's event 3, buildTree by actor 0");
    const trace2 = JSON.parse(readFileSync(t2, 'utf8')) as { initial: unknown; conform: { snapshot: boolean } };
    expect(trace2.conform.snapshot).toBe(true);
    expect(trace2.initial).toEqual(JSON.parse(readFileSync(snap, 'utf8')));
    const v2 = await run(['view', t2, '--out', file('race-view-2.html')]);
    expect(v2.stderr).toBe('');
    expect(v2.code).toBe(0);
  });
});

describe('dnsmc conform --initial-from-server', () => {
  it('reads the snapshot from a running server and plan store: a fresh zone and an empty store are the initial state; a store holding plan 7 is the snapshot the logs go on from', async () => {
    const server = await startNamed();
    const key = writeKeyFile(server);
    const store = mkdtempSync(join(tmpdir(), 'dnsmc-store-'));
    try {
      const flags = ['--initial-from-server', '--server', `127.0.0.1:${server.port}`, '--tsig-key', key.file, '--plan-store', store];
      // The race's logs begin at the model's initial state, which a fresh zone and an empty plan store are.
      const fresh = await run(['conform', ...writeRace(), '--variant', 'as-was', ...flags, '--state-out', file('after-race.json'), '--json']);
      expect(fresh.code, fresh.stderr).toBe(0);
      expect(JSON.parse(fresh.stdout)).toMatchObject({ status: 'conforms', initial: 'server' });
      // A store whose newest plan is 7: the planner's next publication is plan 8, renumbered into the model's window.
      writeFileSync(join(store, 'plan-000007.json'), JSON.stringify({ generation: 7, addresses: [] }));
      const next = writeEvents('after-7.jsonl', [{ process: 'planner', seq: 1, ts: 1, action: 'publishPlan', actor: 0, saw: { latest: 8 } }]);
      const later = await run(['conform', next, '--variant', 'fixed', ...flags, '--state-out', file('after-7.json'), '--json']);
      expect(later.code, later.stderr).toBe(0);
      const j = JSON.parse(later.stdout);
      expect(j).toMatchObject({ status: 'conforms', initial: 'server' });
      expect(j.renumbered).not.toBeNull();
    } finally {
      key.remove();
      rmSync(store, { recursive: true, force: true });
      await server.stop();
    }
  });
});
