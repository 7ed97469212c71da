/**
 * The command line: its commands and flags run in process through the CLI's
 * `main` (test/support/cli.ts); what only a process shows runs the compiled
 * binary in a child process (`npm test` compiles first): the exit code the
 * shell sees, the `internal error` line, the early start of worker threads,
 * the resident-memory limit and the demo.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseTrace } from '../../traces/trace.js';
import { notProgress, ROOT, run, spawnCli } from '../support/cli.js';

describe('dnsmc check --json', () => {
  it('fixed: status ok, 127,647 states, diameter 28, exit 0, exactly one JSON object on stdout', async () => {
    const r = await run(['check', '--variant', 'fixed', '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]);
    expect(j).toMatchObject({ status: 'ok', property: null, distinctStates: 127_647, diameter: 28, generatedStates: 408_243 });
    expect(Object.keys(j.actions)).toEqual(['publishPlan', 'pickPlan', 'acquireLock', 'retryLock', 'buildTree', 'flipAlias', 'cleanupPlans']);
    expect(j.durationMs).toBeGreaterThan(0);
    expect(j.statesPerSecond).toBeGreaterThan(0);
    expect(j.trace).toBeUndefined();
  });

  it('as-was under aliasResolves: a violation with a 12-step trace, exit 1', async () => {
    const r = await run(['check', '--variant', 'as-was', '--property', 'aliasResolves', '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.status).toBe('violation');
    expect(j.property).toBe('aliasResolves');
    expect(j.trace.steps).toHaveLength(12);
    expect(j.trace.steps[10]).toMatchObject({ action: 'flipAlias', actor: 0 });
    expect(parseTrace(j.trace).steps[11].state.alias).toEqual([1]);
  });

  it('--continue reports the first violation of each property, the most severe (the package’s order) first', async () => {
    const j = JSON.parse((await run(['check', '--continue', '--json'])).stdout);
    expect(j.violations).toEqual([
      { property: 'aliasResolves', kind: 'invariant', length: 12 },
      { property: 'noRollback', kind: 'step', length: 10 },
    ]);
    expect([j.property, j.trace.property, j.trace.steps.length]).toEqual(['aliasResolves', 'aliasResolves', 12]);
    expect(j.distinctStates).toBe(278_301);
    expect(j.complete).toBe(true);
  });

  it('limits stop cleanly with status incomplete and exit 3', async () => {
    const r = await run(['check', '--variant', 'fixed', '--max-states', '1000', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'incomplete', stoppedBy: 'max-states', distinctStates: 1000 });
    const d = await run(['check', '--variant', 'fixed', '--max-depth', '5', '--json']);
    expect(d.code).toBe(3);
    expect(JSON.parse(d.stdout)).toMatchObject({ status: 'incomplete', stoppedBy: 'max-depth', diameter: 5 });
    const t = await run(['check', '--variant', 'fixed', '--plans', '6', '--endpoints', '2', '--time-limit', '0.5', '--json']);
    expect(t.code).toBe(3);
    expect(JSON.parse(t.stdout)).toMatchObject({ status: 'incomplete', stoppedBy: 'time-limit' });
  });
});

describe('dnsmc check (text)', () => {
  it('--view with every property: the page shows the outage (aliasResolves, 12 steps), not the first violation found (noRollback, 10), and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsmc-view-'));
    const file = join(dir, 'race.html');
    const r = await run(['check', '--view', file]);
    expect(r.code).toBe(1);
    const data = /<script type="application\/json" id="dnsmc-data">([^<]*)<\/script>/.exec(readFileSync(file, 'utf8'));
    const trace = parseTrace(JSON.parse(data![1]).panes[0].trace);
    expect([trace.property, trace.steps.length]).toEqual(['aliasResolves', 12]);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => / violated after \d+ steps$/.test(l))).toEqual(['dns (as-was): aliasResolves violated after 12 steps']);
    expect(r.stdout).toContain('Violation: aliasResolves violated after 12 steps; noRollback violated after 10 steps');
    expect(r.stdout).toContain('noRollback broke too (10 steps): dnsmc check --property noRollback\n');
    expect(r.stdout).toContain('a second search, for the more severe aliasResolves, lockExclusive, found aliasResolves');
    // --json's first violation is the same one; the list holds both.
    const j = JSON.parse((await run(['check', '--json'])).stdout);
    expect([j.property, j.trace.property, j.trace.steps.length]).toEqual(['aliasResolves', 'aliasResolves', 12]);
    expect(j.violations).toEqual([
      { property: 'aliasResolves', kind: 'invariant', length: 12 },
      { property: 'noRollback', kind: 'step', length: 10 },
    ]);
    // The command it names shows the other one, with the flags given.
    const again = await run(['check', '--variant', 'as-was', '--property', 'noRollback']);
    expect(again.stdout).toContain('dns (as-was): noRollback violated after 10 steps');
    expect((await run(['check', '--variant', 'as-was'])).stdout).toContain(
      'noRollback broke too (10 steps): dnsmc check --variant as-was --property noRollback\n',
    );
  });

  it('prints the narrated race, the verdict and coverage', async () => {
    const r = await run(['check', '--property', 'aliasResolves']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('step 12  enactor 1 cleans up after plan 3: deletes tree 1');
    expect(r.stdout).toContain('Violation: aliasResolves violated after 12 steps');
    expect(r.stdout).toMatch(/actions fired: publishPlan [\d,]+, pickPlan/);
  });

  it('writes the trace atomically with --trace-out, leaving no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsmc-'));
    const file = join(dir, 'race.json');
    const r = await run(['check', '--property', 'aliasResolves', '--trace-out', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`trace written to ${file}`);
    const t = parseTrace(JSON.parse(readFileSync(file, 'utf8')));
    expect(t.steps).toHaveLength(12);
    expect(t).toMatchObject({ model: 'dns', variant: 'as-was', property: 'aliasResolves', params: { plans: 4 } });
    expect(readdirSync(dir)).toEqual(['race.json']);
  });

  it('reports progress on stderr for runs longer than a second', async () => {
    for (const workers of ['1', '2']) {
      const r = await run(['check', '--variant', 'fixed', '--plans', '7', '--endpoints', '2', '--time-limit', '2', '--workers', workers, '--json']);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^progress: [\d,]+ distinct states, [\d,]+ generated, queue [\d,]+, depth \d+, [\d,]+ states\/s/m);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: 'incomplete', stoppedBy: 'time-limit', workers: Number(workers) });
    }
    // --quiet and --progress never: nothing on stderr, however long the run.
    for (const flags of [['--quiet'], ['--progress', 'never']]) {
      const r = await run(['check', '--variant', 'fixed', '--plans', '7', '--endpoints', '2', '--time-limit', '2', ...flags, '--json']);
      expect([r.code, r.stderr]).toEqual([3, '']);
    }
  });

  it('--symmetry and --workers: the reduced count, with the trace mapped back', async () => {
    const j = JSON.parse((await run(['check', '--variant', 'fixed', '--symmetry', '--workers', '2', '--json'])).stdout);
    expect(j).toMatchObject({ status: 'ok', distinctStates: 22_512, symmetry: true, workers: 2 });
    const r = await run(['check', '--symmetry', '--property', 'aliasResolves', '--json']);
    expect(JSON.parse(r.stdout).trace.steps).toHaveLength(12);
  });

  it('the same options give the same JSON, timings aside, on every run and worker count, a state limit included', async () => {
    const strip = (text: string) => {
      const { durationMs: _d, statesPerSecond: _s, peakMemoryBytes: _p, engineBytes: _e, bytesPerState: _b, workers: _w, ...rest } = JSON.parse(text);
      return rest;
    };
    const args = ['check', '--variant', 'as-was', '--plans', '5', '--endpoints', '2', '--property', 'aliasResolves', '--max-states', '90000', '--json'];
    const runs = [];
    for (const w of ['1', '2', '2', '3']) runs.push(strip((await run([...args, '--workers', w])).stdout));
    expect(runs[0]).toMatchObject({ status: 'incomplete', stoppedBy: 'max-states', distinctStates: 90_000 });
    for (const r of runs) expect(r).toEqual(runs[0]);
  });

  it('--max-memory holds for liveness too: the state graph stops before the limit (spawned)', () => {
    const r = spawnCli(['check', '--variant', 'as-was', '--plans', '5', '--endpoints', '2', '--property', 'converges', '--max-memory', '200', '--json']);
    expect(r.code).toBe(3);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ status: 'incomplete', stoppedBy: 'max-memory', verdicts: [{ property: 'converges', verdict: 'unknown' }] });
    // Unlimited, this graph runs past 2 GiB. With the limit it stops near it: resident memory is sampled as the
    // graph grows, so on a loaded machine (a late garbage collection) the peak can pass the limit by a little, and
    // such a run is still reported incomplete, never complete (the guarantee; see the README).
    expect(j.peakMemoryBytes).toBeLessThan(2 * 200 * 2 ** 20);
  });

  it('--max-memory stops cleanly as incomplete (spawned: the limit is on the resident memory of the process)', () => {
    const r = spawnCli(['check', '--variant', 'fixed', '--plans', '7', '--endpoints', '2', '--max-memory', '128', '--workers', '1', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'incomplete', stoppedBy: 'max-memory' });
  });
});

describe('bad input: one line naming the flag, exit 2, no stack trace', () => {
  const cases: [string[], string][] = [
    [['check', '--variant', 'nope'], 'dnsmc: --variant must be one of as-was|fixed|recheck-only|spare-active-only, got "nope"'],
    [['check', '--property', 'nope'], 'dnsmc: --property must be one of aliasResolves|lockExclusive|noRollback|recoverable|converges|all, got "nope"'],
    [['check', '--workers', '0'], 'dnsmc: --workers must be a whole number from 1 to 64, got "0"'],
    [['check', '--max-memory', '10'], 'dnsmc: --max-memory must be a whole number of at least 64, got "10"'],
    [['check', '--expect-states', '0'], 'dnsmc: --expect-states must be a whole number from 1 to 500000000, got "0"'],
    [['check', '--expect-states', '5000000000'], 'dnsmc: --expect-states must be a whole number from 1 to 500000000, got "5000000000"'],
    [['check', '--enactors', '0'], 'dnsmc: --enactors must be a whole number from 1 to 250 (enactor ids and the transition table stay small), got 0'],
    [['check', '--plans', 'abc'], 'dnsmc: --plans must be a whole number, got "abc"'],
    [['check', '--plans', '40'], 'dnsmc: --plans must be a whole number from 1 to 31 (the set of plan trees is one 31-bit field of the state layout), got 40'],
    [['check', '--max-backoff', '-1'], 'dnsmc: --max-backoff must be a whole number from 0 to 1000000 (the counter is a bounded field), got -1'],
    [['check', '--max-states', '0'], 'dnsmc: --max-states must be a whole number of at least 1, got "0"'],
    [['check', '--time-limit', 'soon'], 'dnsmc: --time-limit must be a number of seconds above 0, got "soon"'],
    [['check', '--bogus'], 'dnsmc: --bogus: no such flag (model dns takes --variant, --enactors, --plans, --endpoints, --max-backoff, --keep; see --help)'],
    [['frobnicate'], 'dnsmc: Unknown argument: frobnicate'],
    [['chek'], 'dnsmc: Unknown argument: chek. Did you mean check?'],
    [['--quiet', 'simulat', '--runs', '3'], 'dnsmc: Unknown argument: simulat. Did you mean simulate?'],
    [['check', 'chek'], 'dnsmc: Unknown argument: chek'],
    [['check', '--trace-out', ''], 'dnsmc: --trace-out must name a file'],
    [['check', '--progress', 'sometimes'], 'dnsmc: --progress must be never, auto, always, not "sometimes"'],
    [['simulate', '--quiet', '--progress', 'always'], 'dnsmc: --quiet shows no progress: it cannot go with --progress always'],
  ];
  for (const [args, line] of cases) {
    it(args.join(' '), async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`${line}\n`);
    });
  }

  it('--help shows numeric flags as [number], while a value that is not one is still named as typed (spawned: yargs prints help to the console)', () => {
    const help = spawnCli(['check', '--help']);
    expect(help.code).toBe(0);
    const typeOf = (flag: string) => {
      const lines = help.stdout.split('\n');
      const at = lines.findIndex((l) => l.trimStart().startsWith(`--${flag} `));
      expect(at, flag).toBeGreaterThanOrEqual(0);
      // The type closes the flag's entry, which may wrap onto following lines.
      const end = lines.findIndex((l, i) => i > at && (l.trim() === '' || l.trimStart().startsWith('--')));
      const entry = lines.slice(at, end);
      return /\[(\w+)\]\s*$/.exec(entry.join(' '))?.[1];
    };
    for (const f of ['plans', 'enactors', 'max-states', 'max-depth', 'workers', 'time-limit', 'max-memory', 'expect-states'])
      expect(typeOf(f), f).toBe('number');
    for (const f of ['variant', 'trace-out', 'view']) expect(typeOf(f), f).toBe('string');
    expect(typeOf('json')).toBe('boolean');
    const sim = spawnCli(['simulate', '--help']).stdout;
    expect(sim).toMatch(/--seed[^[]*\[0\]\s+\[number\]/);
  });

  it('an unwritable --trace-out is reported on one line', async () => {
    const r = await run(['check', '--property', 'aliasResolves', '--trace-out', '/nonexistent-dir/t.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dnsmc: --trace-out: cannot write \/nonexistent-dir\/t\.json: ENOENT/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync('/nonexistent-dir')).toBe(false);
  });
});

describe('dnsmc (the postmortem demo)', () => {
  it('finds the race, verifies the fix over 127,647 states, and ends with a table of every variant and the commands to try next (spawned: the binary end to end)', () => {
    const r = spawnCli([]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    // Four plain lines on the actors and the records, before the first section.
    expect(lines.slice(2, 6)).toEqual([
      'The planner publishes numbered plans: each is the set of IP addresses an endpoint should answer with.',
      'Enactors (three, independent) each pick up the newest plan, check once that it is the newest, then install it.',
      "Installing means building the plan's tree of records, then pointing the endpoint's top alias (its DNS name) at that tree.",
      'After installing, an enactor cleans up: it deletes the trees of plans much older than its own, as stale.',
    ]);
    expect(lines[7]).toMatch(/^1\. /);
    expect(r.stdout).toContain('dns (as-was): aliasResolves violated after 12 steps');
    // The root cause, with the steps of the trace shown.
    expect(r.stdout).toContain(
      "Violation: aliasResolves violated after 12 steps (search stopped at the first violation).\n\nRoot cause: enactor 0's one-time freshness check, passed at step 2 for plan 1, was still trusted at step 11, when it installed plan 1 over the newer plan 3; at step 12 enactor 1's cleanup deleted plan 1's tree under the live alias.\n",
    );
    expect(r.stdout).toContain('step  2  enactor 0 picks up plan 1');
    expect(r.stdout).toContain('step 11  enactor 0 points the top alias at plan 1');
    expect(r.stdout).toContain('step 12  enactor 1 cleans up after plan 3: deletes tree 1');
    expect(r.stdout).toContain('2. The fixed protocol (recheck the plan under the lock; cleanup spares the active plan), every safety property:');
    expect(r.stdout).toContain('No violation: aliasResolves, lockExclusive, noRollback hold in all 127,647 reachable states.');
    // Section 3: an aligned table, variant by property.
    const at = lines.findIndex((l) => l.startsWith('3. '));
    const table = lines.slice(at + 1, at + 7);
    const cells = (l: string) => l.trim().split(/\s{2,}/);
    expect(cells(table[0])).toEqual(['variant', 'aliasResolves', 'lockExclusive', 'noRollback', 'recoverable', 'converges', 'states', 'time']);
    expect(table[1]).toMatch(/^ {3}-+( {2}-+){7}$/);
    expect(table.slice(2).map((l) => cells(l)[0])).toEqual(['as-was', 'fixed', 'recheck-only', 'spare-active-only']);
    expect(cells(table[2]).slice(1, 7)).toEqual([
      'VIOLATED (12 steps)',
      'holds',
      'VIOLATED (10 steps)',
      'VIOLATED (stuck after 12 steps)',
      'VIOLATED (lasso 14 + loop 9)',
      '278,301',
    ]);
    expect(cells(table[3]).slice(1, 7)).toEqual(['holds', 'holds', 'holds', 'holds', 'holds', '127,647']);
    // Every column starts where its header does.
    for (const h of ['aliasResolves', 'noRollback', 'converges', 'states']) {
      const col = table[0].indexOf(h);
      for (const row of table.slice(2)) expect(row[col - 1], `${h} in ${row}`).toBe(' ');
      for (const row of table.slice(2)) expect(row[col], `${h} in ${row}`).not.toBe(' ');
    }
    // It ends with the three next commands.
    expect(lines.slice(-5).map((l) => l.split('  #')[0].trim())).toEqual([
      'Next:',
      'dnsmc check --property aliasResolves --trace-out race.json --view race.html',
      'dnsmc reenact race.json',
      'dnsmc explain race.json',
      '',
    ]);
  });

  it('the commands it ends with work: check writes race.json and race.html, explain reads race.json (spawned)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsmc-demo-next-'));
    const c = spawnCli(['check', '--quiet', '--property', 'aliasResolves', '--trace-out', join(dir, 'race.json'), '--view', join(dir, 'race.html')]);
    expect(c.code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['race.html', 'race.json']);
    const e = spawnCli(['explain', '--quiet', join(dir, 'race.json')]);
    expect(e.code).toBe(0);
    expect(e.stdout).toContain('Outcome: aliasResolves breaks in the last state. 12 steps:');
  });
});

describe('the binary, bin/dnsmc.js, in a child process', () => {
  /**
   * Runs the binary with `--progress always` and sends it `signal` once a progress line shows the
   * search at depth `depth` or deeper (so however fast the machine, the search is under way and past
   * its first violations); resolves to its exit code and output.
   */
  const interrupted = (args: string[], signal: NodeJS.Signals, depth: number): Promise<{ code: number | null; stdout: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'dnsmc.js'), ...args, '--progress', 'always'], { cwd: ROOT });
      let stdout = '';
      let stderr = '';
      let sent = false;
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
        const deepest = Math.max(0, ...[...stderr.matchAll(/, depth (\d+),/g)].map((m) => Number(m[1])));
        if (!sent && deepest >= depth) {
          sent = true;
          child.kill(signal);
        }
      });
      child.on('exit', (code) => resolve({ code, stdout }));
    });

  it('Ctrl-C (SIGINT) or SIGTERM during a search: it stops, reports what it found as incomplete, writes its files whole, exits 130 or 143', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsmc-signal-'));
    const big = ['check', '--variant', 'as-was', '--plans', '5', '--endpoints', '2', '--continue', '--json'];
    for (const [workers, signal, code] of [
      ['1', 'SIGINT', 130],
      ['2', 'SIGTERM', 143],
    ] as const) {
      const trace = join(dir, `t${workers}.json`);
      const r = await interrupted([...big, '--workers', workers, '--trace-out', trace], signal, 12);
      expect(r.code).toBe(code);
      const j = JSON.parse(r.stdout);
      expect(j).toMatchObject({ complete: false, stoppedBy: 'interrupted' });
      // The whole space has 18,185,160 states; the first violations come early, and are reported.
      expect(j.distinctStates).toBeLessThan(18_185_160);
      expect(j.violations.map((v: { property: string }) => v.property)).toContain('noRollback');
      // The trace is the first violation's: the most severe found before the signal (noRollback, 10 steps, or aliasResolves).
      expect(parseTrace(JSON.parse(readFileSync(trace, 'utf8'))).steps).toHaveLength(j.violations[0].length);
    }
    expect(readdirSync(dir).sort()).toEqual(['t1.json', 't2.json']);
  });

  it('the shell sees exit codes 1, 2 and 3; stdout carries the report and nothing else', () => {
    const v = spawnCli(['check', '--quiet', '--property', 'aliasResolves', '--json']);
    expect([v.code, v.stderr]).toEqual([1, '']);
    expect(v.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(v.stdout).trace.steps).toHaveLength(12);
    // The binary peeks at --workers to start threads early; a bad value is left to the command to report.
    expect(spawnCli(['check', '--workers', 'many'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'dnsmc: --workers must be a whole number from 1 to 64, got "many"\n',
    });
    const i = spawnCli(['check', '--quiet', '--variant', 'fixed', '--max-states', '1000', '--json']);
    expect([i.code, i.stderr]).toEqual([3, '']);
    expect(JSON.parse(i.stdout)).toMatchObject({ status: 'incomplete', stoppedBy: 'max-states', distinctStates: 1000 });
  });

  it('check starts its worker threads before reading the command line: --workers 2 and --workers=2 search on two threads, exit 0', () => {
    for (const flag of [['--workers', '2'], ['--workers=2']]) {
      const r = spawnCli(['check', '--variant', 'fixed', '--symmetry', ...flag, '--json']);
      expect([r.code, notProgress(r.stderr)]).toEqual([0, []]);
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok', distinctStates: 22_512, symmetry: true, workers: 2 });
    }
  });

  it('under a limit on address space (ulimit -v, 1.5 GB) the visited set reserves less and grows by copying: the same counts', () => {
    // A table reserves 1 GiB of address space to grow into; here that fails, and it reserves 16 times its size.
    // (With 2 workers Node itself does not run under this limit, before and after that reservation.)
    const r = spawnSync('bash', ['-c', `ulimit -v 1500000 && exec "${process.execPath}" bin/dnsmc.js check --variant fixed --json --workers 1`], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect([r.status, notProgress(r.stderr)]).toEqual([0, []]);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'ok', distinctStates: 127_647, diameter: 28, generatedStates: 408_243 });
  });

  it('check --profile: the same JSON with a profile of the phases, from the process start to the report; text adds the breakdown', () => {
    const args = ['check', '--quiet', '--variant', 'fixed', '--workers', '2', '--json'];
    const plain = JSON.parse(spawnCli(args).stdout);
    expect(plain.profile).toBeUndefined();
    const r = spawnCli([...args, '--profile']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const { profile: p, ...rest } = JSON.parse(r.stdout);
    const timing = ['durationMs', 'statesPerSecond', 'peakMemoryBytes', 'engineBytes', 'bytesPerState'];
    const untimed = (j: Record<string, unknown>) => Object.fromEntries(Object.entries(j).filter(([k]) => !timing.includes(k)));
    expect(Object.keys(rest)).toEqual(Object.keys(plain));
    expect(untimed(rest)).toEqual(untimed(plain));
    const phases = ['startMs', 'loadMs', 'parseMs', 'modelMs', 'searchMs', 'reportMs'];
    for (const k of phases) expect(p[k]).toBeGreaterThanOrEqual(0);
    // The phases follow one another: their sum is the total, from the process start to the report.
    expect(phases.reduce((n, k) => n + p[k], 0)).toBeCloseTo(p.totalMs, 0);
    expect(p.searchMs).toBeGreaterThanOrEqual(rest.durationMs - 1);
    expect(p.workers.startedMs).toBeGreaterThanOrEqual(p.startMs);
    expect(p.workers.startedMs).toBeLessThanOrEqual(p.startMs + p.loadMs);
    expect(p.layersAlone.states + p.layersTogether.states).toBe(127_647);
    expect(p.layersAlone.layers + p.layersTogether.layers).toBe(29);
    expect(p.search.layers).toHaveLength(29);
    const text = spawnCli(['check', '--quiet', '--variant', 'fixed', '--workers', '1', '--profile']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^profile \(ms\): start [\d.]+, modules [\d.]+, command line [\d.]+, model [\d.]+, search [\d.]+, report [\d.]+; total [\d.]+$/m,
    );
    expect(text.stdout).toMatch(/^layers on one thread: 29, 127,647 states, \d+ ms$/m);
    expect(text.stdout).toMatch(/^visited set grew \d+ times: \d+ ms; counterexamples rebuilt in \d+ ms$/m);
    expect(spawnCli(['check', '--quiet', '--property', 'converges', '--profile'])).toMatchObject({
      code: 2,
      stderr: 'dnsmc: --profile measures the safety search: it cannot go with a liveness property\n',
    });
  });

  it('a failure outside the model’s actions and properties (here its narration throws) is one "internal error" line and exit code 70; DNSMC_DEBUG adds the stack (a throwing effect is a model error: test/app/hostile.test.ts)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsmc-bug-'));
    const file = join(dir, 'throws.mjs');
    writeFileSync(
      file,
      `import { defineLayout, int } from '${pathToFileURL(join(ROOT, 'dist', 'index.js')).href}';
       export const model = {
         name: 'buggy', params: {}, layout: defineLayout({ n: int(0, 3) }), roles: { r: 1 }, init: [{ n: 0 }],
         actions: [{ name: 'up', role: 'r', guard: (s) => s.n < 3, effect: (s) => { s.n += 1; } }],
         invariants: [{ name: 'belowThree', description: 'n < 3', holds: (s) => s.n < 3 }], stepInvariants: [], terminalOk: () => true,
         narrate: () => { throw new Error('the narration broke'); },
       };`,
    );
    const r = spawnCli(['check', '--model', file], { env: { ...process.env, DNSMC_DEBUG: '' } });
    expect([r.code, r.stdout, r.stderr]).toEqual([70, '', 'dnsmc: internal error: the narration broke\n']);
    const d = spawnCli(['check', '--model', file], { env: { ...process.env, DNSMC_DEBUG: '1' } });
    expect(d.code).toBe(70);
    expect(d.stderr).toMatch(/^dnsmc: internal error: the narration broke\nError: the narration broke\n\s+at /);
    expect(d.stderr).toContain(file);
  });
});

describe('--out-itf: the counterexample as ITF, as export --format itf writes it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'out-itf-'));
  const f = (name: string) => join(dir, name);

  it('check --out-itf writes the same bytes as export --format itf of its --trace-out, and says so', async () => {
    const r = await run(['check', '--property', 'aliasResolves', '--trace-out', f('race.json'), '--out-itf', f('race.itf.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`ITF trace written to ${f('race.itf.json')}\n`);
    const exported = await run(['export', f('race.json'), '--format', 'itf']);
    expect(exported.code).toBe(0);
    const itf = readFileSync(f('race.itf.json'), 'utf8');
    expect(itf).toBe(exported.stdout);
    expect(JSON.parse(itf).states).toHaveLength(13);
  });

  it('simulate --out-itf writes the shrunk counterexample as ITF', async () => {
    const r = await run(['simulate', '--seed', '1', '--runs', '200', '--trace-out', f('sim.json'), '--out-itf', f('sim.itf.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`ITF trace written to ${f('sim.itf.json')}\n`);
    expect(readFileSync(f('sim.itf.json'), 'utf8')).toBe((await run(['export', f('sim.json'), '--format', 'itf'])).stdout);
  });

  it('no counterexample, no file; an --out-itf that would overwrite an input or another output is refused in one line before the search', async () => {
    const ok = await run(['check', '--variant', 'fixed', '--plans', '2', '--out-itf', f('none.itf.json')]);
    expect(ok.code).toBe(0);
    expect(existsSync(f('none.itf.json'))).toBe(false);
    expect(ok.stdout).toContain(`no counterexample, so no ITF trace written to ${f('none.itf.json')}\n`);
    const model = f('model.ts');
    writeFileSync(model, readFileSync(join(ROOT, 'examples', 'two-enactor-lock.ts'), 'utf8'));
    for (const cmd of ['check', 'simulate']) {
      const r = await run([cmd, '--model', model, '--out-itf', model]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`dnsmc: --out-itf ${model} would overwrite the model module; name another file\n`);
    }
    const both = await run(['check', '--trace-out', f('same'), '--out-itf', f('same')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^dnsmc: --out-itf .*same would overwrite .*; name another file\n$/);
    expect(existsSync(f('same'))).toBe(false);
  });
});
