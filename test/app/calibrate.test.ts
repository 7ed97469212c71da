/**
 * `dnsmc risk --calibrate LOGS... --out FILE` (app/calibrate.ts): a real storm's logs (a 1-second as-was storm
 * on a private BIND 9, seed 9, committed as a fixture) give a profile of the
 * shared format with a sample for every step but the planner's first, which
 * `dnsmc risk --timing` simulates (pinned at small scale); log files given
 * one by one are the run their folder is; bad logs and flags are one line and
 * exit 2, and nothing is written.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLogs } from '../../app/conform.js';
import { calibrateDns, DNS_ACTIONS } from '../../systems/dns/calibrate.js';
import { run } from '../support/cli.js';

const FIXTURE = join('test', 'systems', 'dns', 'fixtures', 'storm-as-was-d0');
const FILES = readdirSync(FIXTURE)
  .filter((f) => f.endsWith('.jsonl'))
  .sort()
  .map((f) => join(FIXTURE, f));
const dir = mkdtempSync(join(tmpdir(), 'dnsmc-calibrate-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const profileAt = (f: string): { actions: Record<string, { dist: string; samples: number[] }>; [k: string]: unknown } => JSON.parse(readFileSync(f, 'utf8'));

describe('dnsmc risk --calibrate', () => {
  it("writes the profile of a storm's log folder: every action's samples, one per step but the planner's first", async () => {
    const out = join(dir, 'profile.json');
    const r = await run(['risk', '--calibrate', FIXTURE, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = profileAt(out);
    expect(p.format).toBe('dnsmc-timing-profile');
    expect(p.model).toBe('dns');
    expect(Object.keys(p.actions)).toEqual([...DNS_ACTIONS]);
    const counts = Object.fromEntries(Object.entries(p.actions).map(([a, d]) => [a, d.samples.length]));
    expect(counts).toEqual({ publishPlan: 3, pickPlan: 6, acquireLock: 15, retryLock: 9, buildTree: 5, flipAlias: 5, cleanupPlans: 4 });
    // 48 protocol steps (the prober's lines are observations): all but the planner's first give a sample.
    const steps = readLogs(FILES).flat();
    expect(steps).toHaveLength(48);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(47);
    for (const d of Object.values(p.actions)) {
      expect(d.dist).toBe('empirical');
      expect(d.samples).toEqual([...d.samples].sort((a, b) => a - b));
      for (const s of d.samples) expect(s).toBeGreaterThanOrEqual(0);
    }
    // The planner's gaps, read off its log directly.
    const planner = steps.filter((e) => e.action === 'publishPlan').map((e) => e.ts);
    expect(p.actions.publishPlan.samples).toEqual(
      planner
        .slice(1)
        .map((t, i) => Math.round((t - planner[i]) * 1000) / 1000)
        .sort((a, b) => a - b),
    );
    expect(p).toEqual(JSON.parse(JSON.stringify(calibrateDns([readLogs(FILES)]))));
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      `timing profile for dns written to ${out}, from 1 run`,
      "source: calibrated from 1 storm run (48 protocol steps): each action's samples are the ms its actor spent before it (pickPlan: since it could pick; retryLock: less the backoff 2 ms * 2^failures)",
    ]);
    expect(r.stdout).toMatch(/^ {2}retryLock +9 samples, median \d+\.\d{3} ms, 90th percentile \d+\.\d{3} ms$/m);
  });

  it('gives a profile dnsmc risk takes: the simulation of the storm it was measured in, at small scale, the same for a seed', async () => {
    const out = join(dir, 'profile.json');
    const args = ['risk', '--timing', out, '--variant', 'as-was,fixed', '--slow-ms', '50', '--horizon', '1', '--runs', '20', '--seed', '0'];
    const r = await run([...args, '--property', 'aliasResolves', '--workers', '1', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.profile.source).toBe(profileAt(out).source);
    const cells = j.cells.map((c: { variant: string; episodes: number; events: number; estimates: { broken: number }[] }) => [
      c.variant,
      c.episodes,
      c.events,
      c.estimates[0].broken,
    ]);
    expect(cells).toEqual([
      ['as-was', 50, 1814, 12],
      ['fixed', 103, 2912, 0],
    ]);
  });

  it('takes log files one by one as the run of their folder, and several folders as several runs', async () => {
    const one = join(dir, 'one.json');
    const two = join(dir, 'two.json');
    expect((await run(['risk', '--calibrate', ...FILES, '--out', one])).code).toBe(0);
    expect(profileAt(one).actions).toEqual(profileAt(join(dir, 'profile.json')).actions);
    const copy = join(dir, 'copy');
    mkdirSync(copy);
    for (const f of FILES) copyFileSync(f, join(copy, f.slice(FIXTURE.length + 1)));
    const r = await run(['risk', '--calibrate', FIXTURE, copy, '--out', two, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ command: 'risk', calibrate: true, model: 'dns', runs: 2, out: two });
    expect(j.samples).toEqual({ publishPlan: 6, pickPlan: 12, acquireLock: 30, retryLock: 18, buildTree: 10, flipAlias: 10, cleanupPlans: 8 });
  });

  it('refuses bad logs and flags with one line and exit 2, writing nothing', async () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    for (const f of FILES) copyFileSync(f, join(bad, f.slice(FIXTURE.length + 1)));
    const e1 = join(bad, 'enactor-1.jsonl');
    const lines = readFileSync(e1, 'utf8').split('\n');
    lines[2] = '{"process":"enactor-1","seq":3,"ts":"soon","action":"retryLock","actor":1}';
    writeFileSync(e1, lines.join('\n'));
    const out = join(dir, 'never.json');
    const cases: [string[], string][] = [
      [[bad], `dnsmc: ${e1}:3: ts must be a finite number (milliseconds)`],
      [[join(dir, 'missing')], `dnsmc: cannot read log ${join(dir, 'missing')}: ENOENT`],
      [[dir, '--model', 'counter'], `dnsmc: log folder ${dir} holds no .jsonl file (a storm's --out folder holds one per process)`],
      [[FIXTURE, '--model', 'counter'], "dnsmc: model counter's system cannot be calibrated (its adapter derives no timing from logs)"],
    ];
    for (const [args, line] of cases) {
      const r = await run(['risk', '--calibrate', ...args, '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`${line}\n`);
    }
    const noOut = await run(['risk', '--calibrate', FIXTURE]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toBe('dnsmc: --out FILE is needed: the file the timing profile is written to\n');
    const onLog = await run(['risk', '--calibrate', FIXTURE, '--out', FILES[0]]);
    expect(onLog.code).toBe(2);
    expect(onLog.stderr).toBe(`dnsmc: --out ${FILES[0]} would overwrite a log; name another file\n`);
    // Calibrating simulates nothing: an estimate's flags are refused, and --out belongs to --calibrate.
    const mixed = await run(['risk', '--calibrate', FIXTURE, '--out', out, '--runs', '5']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toBe('dnsmc: --calibrate writes a timing profile from storm logs and simulates nothing: it cannot go with --runs\n');
    const outAlone = await run(['risk', '--out', out, '--horizon', '0.1']);
    expect(outAlone.code).toBe(2);
    expect(outAlone.stderr).toBe('dnsmc: --out goes with --calibrate LOGS...: the file the timing profile is written to\n');
    // Logs of the wrong shape for the model: an action it does not have.
    const odd = join(dir, 'odd');
    mkdirSync(odd);
    writeFileSync(join(odd, 'planner.jsonl'), '{"process":"planner","seq":1,"ts":1,"action":"publish","actor":0,"saw":{"latest":1}}\n');
    const r = await run(['risk', '--calibrate', odd, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `dnsmc: ${join(odd, 'planner.jsonl')}:1: action "publish" is not one of the dns model's (publishPlan, pickPlan, acquireLock, retryLock, buildTree, flipAlias, cleanupPlans)\n`,
    );
    expect(existsSync(out)).toBe(false);
  });
});
