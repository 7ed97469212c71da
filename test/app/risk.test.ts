/**
 * `dnsmc risk` through the command line run in process (test/support/cli.ts):
 * the done-when figures at small scale, pinned for a seed; the sequential
 * test's exits; traces of broken runs that `view` opens; sweeps; bad input.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseTrace } from '../../traces/trace.js';
import { DNS_TIMING } from '../../models/dns/timing.js';
import { notProgress, ROOT, run } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-risk-'));

interface Cell {
  variant: string;
  at: number | null;
  runs: number;
  end: string | null;
  workers: number;
  durationMs: number;
  episodes: number;
  events: number;
  estimates: { property: string; runs: number; broken: number; clopperPearson: { low: number; high: number }; unavailability: { mean: number } | null }[];
  sprt: { decision: string | null; runs: number; broken: number } | null;
  proof: { verdict: string; states: number; collisionProbability: number; runsSaved: number } | null;
  notEstimated: string[];
  traces: string[];
}
const cellsOf = (stdout: string): Cell[] => (JSON.parse(stdout) as { cells: Cell[] }).cells;
/** A cell without what depends on the machine. */
const stable = (c: Cell): Partial<Cell> => ({ ...c, durationMs: 0, workers: 0 });

describe('dnsmc risk', () => {
  it('as-was against fixed, slow enactor +50 ms, 20 runs of ten simulated minutes, seed 0: 20 of 20 against 0 of 20; the same with one worker or two', async () => {
    const args = ['risk', '--slow-ms', '50', '--property', 'aliasResolves', '--runs', '20', '--horizon', '600', '--json'];
    const two = await run([...args, '--workers', '2']);
    expect(notProgress(two.stderr)).toEqual([]);
    expect(two.code).toBe(0);
    const [asWas, fixed] = cellsOf(two.stdout);
    expect(asWas).toMatchObject({ variant: 'as-was', runs: 20, end: null, sprt: null });
    expect(asWas.estimates[0]).toMatchObject({ property: 'aliasResolves', runs: 20, broken: 20 });
    expect(asWas.estimates[0].clopperPearson.low).toBeCloseTo(0.831567, 5);
    expect(asWas.estimates[0].unavailability?.mean).toBeGreaterThan(0.99);
    expect(fixed).toMatchObject({ variant: 'fixed', runs: 20 });
    expect(fixed.estimates[0]).toMatchObject({ broken: 0, clopperPearson: { low: 0 }, unavailability: { mean: 0 } });
    expect(fixed.estimates[0].clopperPearson.high).toBeCloseTo(0.168433, 5);
    const one = await run([...args, '--workers', '1']);
    expect(cellsOf(one.stdout).map(stable)).toEqual([asWas, fixed].map(stable));
    // Pinned for the seed: the episodes and steps simulated (a change of semantics changes them).
    expect([asWas.episodes, asWas.events]).toEqual(PINNED_AS_WAS);
    expect([fixed.episodes, fixed.events]).toEqual(PINNED_FIXED);
  });

  it('the text report names the timing, the figures and the interval', async () => {
    const r = await run(['risk', '--slow-ms', '50', '--property', 'aliasResolves', '--runs', '8', '--horizon', '60', '--variant', 'as-was']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  slow: enactor 0 waits 50 ms more before acquireLock');
    expect(r.stdout).toContain('horizon 1.0 min of virtual time per run; 8 runs per variant; seed 0; 95% confidence');
    expect(r.stdout).toMatch(
      / {2}aliasResolves: broke in 8 of 8 runs within 1\.0 min: P = 1, 95% interval \[0\.6306, 1\] \(Clopper-Pearson; Wilson \[0\.6756, 1\]\)/,
    );
    expect(r.stdout).not.toContain('variant fixed');
    // A constraint restricts the runs, and the report says so.
    const c = await run(['risk', '--max-retries-total', '3', '--variant', 'fixed', '--runs', '2', '--horizon', '1']);
    expect(c.code).toBe(0);
    expect(c.stdout.split('\n')[1]).toMatch(/^restricted to: constraints maxRetriesTotal/);
  });

  it('--assert-below 1e-4 over one simulated hour: fixed proved (P = 0, exit 0, no runs) by searching the model first, as-was rejected (exit 1) after 3 broken runs', async () => {
    const r = await run(['risk', '--slow-ms', '50', '--property', 'aliasResolves', '--assert-below', '1e-4', '--json']);
    expect(r.code).toBe(1);
    const [asWas, fixed] = cellsOf(r.stdout);
    expect(fixed.variant).toBe('fixed');
    expect(fixed.proof).toMatchObject({ verdict: 'holds', states: 127_647, collisionProbability: 0, runsSaved: 29_442 });
    expect(fixed.sprt).toEqual({ decision: 'below', runs: 0, broken: 0 });
    expect(fixed.runs).toBe(0);
    expect(fixed.estimates[0]).toMatchObject({ property: 'aliasResolves', broken: 0, probability: 0, clopperPearson: { low: 0, high: 0 } });
    expect(asWas.proof).toMatchObject({ verdict: 'breaks', states: 16_098 });
    expect(asWas.sprt).toEqual({ decision: 'above', runs: 3, broken: 3 });
    const text = await run(['risk', '--variant', 'fixed', '--property', 'aliasResolves', '--assert-below', '1e-4']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      "variant fixed: accepted P(aliasResolves breaks within 1 h) < 0.0001: proved, P = 0, after 0 runs (none of the model's 127,647 reachable states breaks it; states stored whole); the sequential test alone would need at least 29,442 unbroken runs (--no-prove)",
    );
    const lone = await run(['risk', '--variant', 'fixed', '--no-prove']);
    expect(lone).toMatchObject({ code: 2, stderr: 'dnsmc: --no-prove goes with --assert-below: it skips the search that can prove P = 0 before the test\n' });
  });

  it('--assert-below: a proof is reused only for the same parameter values, proved cells name what they did not estimate, the chart says which points were proved', async () => {
    // A package whose models do not record their parameters (params: {}): the proof of one variant must not stand for the other.
    const pkg = join(dir, 'unrecorded.mjs');
    writeFileSync(
      pkg,
      `import { defineLayout, int } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)};
export const modelPackage = {
  name: 'unrecorded', description: 'x counts up to a limit the variant sets',
  params: [{ name: 'variant', type: 'enum', values: ['fixed', 'as-was'], default: 'fixed', help: 'the variant' }],
  createModel: (p) => {
    const limit = p.variant === 'fixed' ? 2 : 3;
    return {
      name: 'unrecorded', params: {}, layout: defineLayout({ x: int(0, 3) }), roles: { p: 1 }, init: [{ x: 0 }],
      actions: [
        { name: 'inc', role: 'p', guard: (s) => s.x < limit, effect: (s) => { s.x++; } },
        { name: 'reset', role: 'p', guard: (s) => s.x === limit, effect: (s) => { s.x = 0; } },
      ],
      invariants: [{ name: 'below3', description: 'x stays below 3', holds: (s) => s.x < 3 }],
      stepInvariants: [], terminalOk: () => true,
    };
  },
};
`,
    );
    const timing = join(dir, 'unrecorded-timing.json');
    writeFileSync(
      timing,
      JSON.stringify({
        format: 'dnsmc-timing-profile',
        version: 1,
        model: 'unrecorded',
        unit: 'ms',
        actions: { inc: { dist: 'fixed', ms: 1 }, reset: { dist: 'fixed', ms: 1 } },
      }),
    );
    const r = await run([
      'risk',
      '--model',
      pkg,
      '--timing',
      timing,
      '--variant',
      'fixed,as-was',
      '--horizon',
      '0.2',
      '--runs',
      '20',
      '--assert-below',
      '0.01',
      '--json',
    ]);
    expect(r.code).toBe(1);
    const [fixed, asWas] = cellsOf(r.stdout);
    expect(fixed.proof).toMatchObject({ verdict: 'holds', states: 3 });
    expect(asWas.proof).toMatchObject({ verdict: 'breaks', states: 4 });
    expect(asWas.sprt).toEqual({ decision: 'above', runs: 3, broken: 3 });
    // The dns model with every property followed: the proof is of aliasResolves only, so noRollback is not estimated.
    const all = await run(['risk', '--plans', '2', '--variant', 'fixed', '--assert-below', '0.01', '--horizon', '0.2', '--json']);
    expect(all.code).toBe(0);
    const [c] = cellsOf(all.stdout);
    expect(c.estimates.map((e) => e.property)).toEqual(['aliasResolves']);
    expect(c.notEstimated).toEqual(['lockExclusive', 'noRollback']);
    const text = await run(['risk', '--plans', '2', '--variant', 'fixed', '--assert-below', '0.01', '--horizon', '0.2']);
    expect(text.stdout).toContain('  not estimated, as no run was taken: lockExclusive, noRollback (--no-prove runs the test and estimates them)');
    // A chart over points some of which were proved.
    const svg = join(dir, 'proved.svg');
    const sweep = await run([
      'risk',
      '--sweep',
      'slow-ms=0:50:50',
      '--property',
      'aliasResolves',
      '--assert-below',
      '0.5',
      '--horizon',
      '0.2',
      '--runs',
      '20',
      '--svg',
      svg,
    ]);
    expect(sweep.code).toBe(0);
    expect(readFileSync(svg, 'utf8')).toContain('3 to 5 runs per point; 2 points proved (P = 0, no runs); bands: 95% Clopper-Pearson intervals');
  });

  it('--assert-below 1e-4 --no-prove, the test alone: fixed accepted (exit 0) after 29,442 unbroken runs, as-was rejected (exit 1) after 3 broken ones, undecided within 100 runs (exit 3)', async () => {
    const fixed = await run([
      'risk',
      '--variant',
      'fixed',
      '--property',
      'aliasResolves',
      '--assert-below',
      '1e-4',
      '--no-prove',
      '--horizon',
      '0.2',
      '--runs',
      '40000',
      '--json',
    ]);
    expect(fixed.code).toBe(0);
    expect(cellsOf(fixed.stdout)[0].sprt).toEqual({ decision: 'below', runs: 29_442, broken: 0 });
    expect(cellsOf(fixed.stdout)[0].proof).toBeNull();
    const asWas = await run([
      'risk',
      '--variant',
      'as-was',
      '--slow-ms',
      '50',
      '--property',
      'aliasResolves',
      '--assert-below',
      '1e-4',
      '--no-prove',
      '--horizon',
      '60',
      '--runs',
      '1000',
    ]);
    expect(asWas.code).toBe(1);
    expect(asWas.stdout).toContain('variant as-was: rejected P(aliasResolves breaks within 1.0 min) < 0.0001');
    expect(asWas.stdout).toContain('after 3 runs, 3 broken');
    const short = await run(['risk', '--variant', 'fixed', '--assert-below', '1e-4', '--no-prove', '--horizon', '0.2', '--runs', '100']);
    expect(short.code).toBe(3);
    expect(short.stdout).toContain(
      'variant fixed: undecided: P(aliasResolves breaks within 200.0 ms) < 0.0001 (sequential test, alpha 0.05, beta 0.05, indifference 0.00005 to 0.00015)',
    );
    expect(short.stdout).toContain('100 runs, 0 broken, when the --runs budget ran out');
  });

  it('--out-dir: every broken run as a trace that view opens', async () => {
    const out = join(dir, 'broken');
    const r = await run(['risk', '--variant', 'as-was', '--slow-ms', '50', '--property', 'aliasResolves', '--runs', '4', '--horizon', '60', '--out-dir', out]);
    expect(r.code).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toEqual(['as-was-run0.json', 'as-was-run1.json', 'as-was-run2.json', 'as-was-run3.json']);
    const t = parseTrace(JSON.parse(readFileSync(join(out, files[0]), 'utf8')));
    expect(t.property).toBe('aliasResolves');
    expect(t.steps.length).toBeGreaterThan(0);
    const html = join(dir, 'run0.html');
    const v = await run(['view', join(out, files[0]), '--out', html]);
    expect(v.code).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('aliasResolves');
  });

  it('--sweep slow-ms: a table, CSV, SVG and HTML; as-was and fixed at every point', async () => {
    const csv = join(dir, 'sweep.csv');
    const svg = join(dir, 'sweep.svg');
    const html = join(dir, 'sweep.html');
    const args = ['risk', '--sweep', 'slow-ms=0:50:25', '--property', 'aliasResolves', '--runs', '6', '--horizon', '60'];
    const r = await run([...args, '--csv', csv, '--svg', svg, '--html', html]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^slow-ms +variant +runs +broke +P +interval +false \(share\) +interval$/m);
    expect(r.stdout).toMatch(/^50 +as-was +6 +6 +1 +\[0\.5407, 1\]/m);
    expect(r.stdout).toMatch(/^50 +fixed +6 +0 +0 +\[0, 0\.4593\] +0% +\[0%, 0%\]$/m);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'slow-ms,variant,property,runs,broken,probability,cp_low,cp_high,wilson_low,wilson_high,mean_first_break_ms,unavailability,unavailability_low,unavailability_high',
    );
    expect(lines.length).toBe(1 + 3 * 2);
    expect(lines.filter((l) => l.startsWith('50,as-was,aliasResolves,6,6,1,'))).toHaveLength(1);
    const s = readFileSync(svg, 'utf8');
    expect(s.match(/<polygon class="band"/g)).toHaveLength(2);
    expect(s).toContain('slow actor’s extra delay (ms)');
    expect(readFileSync(html, 'utf8')).toContain(s.trim().split('\n')[0]);
    const j = await run([...args, '--json']);
    expect(cellsOf(j.stdout).map((c) => [c.at, c.variant, c.estimates[0].broken])).toEqual(PINNED_SWEEP);
  });

  it('--sweep over a model parameter (enactors)', async () => {
    const args = [
      'risk',
      '--sweep',
      'enactors=1:2:1',
      '--variant',
      'as-was',
      '--slow-ms',
      '50',
      '--property',
      'aliasResolves',
      '--runs',
      '4',
      '--horizon',
      '60',
    ];
    const r = await run([...args, '--json']);
    expect(r.code).toBe(0);
    const cells = cellsOf(r.stdout);
    expect(cells.map((c) => [c.at, (c as unknown as { params: { enactors: number } }).params.enactors])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    // One enactor cannot race itself.
    expect(cells[0].estimates[0].broken).toBe(0);
    // The chart of the share of time false instead of the probability.
    const svg = join(dir, 'share.svg');
    const c = await run([...args, '--chart', 'unavailability', '--svg', svg]);
    expect(c.code).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect(text).toContain('>share of time aliasResolves is false</text>');
    expect(text).toContain('bands: 95% normal intervals');
    expect(text).toMatch(/class="tick"[^>]*>100%<\/text>/);
    const bad = await run(['risk', '--sweep', 'enactors=1:2:1', '--property', 'noRollback', '--chart', 'unavailability', '--svg', svg]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('dnsmc: --chart unavailability: noRollback is a step property, never false for a while');
  });

  it('--timing FILE: a profile from a file; bad input is one line naming the field, exit 2', async () => {
    const good = join(dir, 'timing.json');
    writeFileSync(good, JSON.stringify({ ...DNS_TIMING, source: 'a test' }));
    const r = await run(['risk', '--timing', good, '--variant', 'fixed', '--runs', '2', '--horizon', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('timing: a test');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...DNS_TIMING, actions: { ...DNS_TIMING.actions, acquireLock: { dist: 'exponential', mean: -1 } } }));
    const b = await run(['risk', '--timing', bad]);
    expect(b.code).toBe(2);
    expect(b.stderr.trim()).toBe(`dnsmc: timing file ${bad}: actions.acquireLock.mean must be a positive number`);
    for (const [flags, message] of [
      [['--sweep', 'nope=1:2:3'], /^dnsmc: --sweep must be PARAM=FROM:TO:STEP with PARAM slow-ms\|enactors\|plans\|endpoints\|max-backoff\|keep/],
      [['--csv', join(dir, 'x.csv')], /^dnsmc: --csv, --svg and --html write the table and chart of a --sweep/],
      [['--variant', 'as-was,nope'], /^dnsmc: --variant must be as-was\|fixed\|recheck-only\|spare-active-only or a comma-separated list of them, got "nope"$/],
      [['--confidence', '1.5'], /^dnsmc: --confidence must be a number between 0 and 1/],
      [['--slow-ms', '-1'], /^dnsmc: --slow-ms must be a number of milliseconds from 0/],
      [['--property', 'converges'], /^dnsmc: --property converges is a liveness property/],
      [['--model', 'counter'], /^dnsmc: model counter declares no timing profile: give one with --timing FILE \(docs\/risk\.md\)$/],
    ] as const) {
      const x = await run(['risk', ...flags]);
      expect(x.code, flags.join(' ')).toBe(2);
      expect(x.stderr.trim().split('\n')).toHaveLength(1);
      expect(x.stderr.trim()).toMatch(message);
    }
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });
});

const PINNED_AS_WAS = [185, 6021];
const PINNED_FIXED = [94_599, 2_984_720];
const PINNED_SWEEP = [
  [0, 'as-was', 0],
  [0, 'fixed', 0],
  [25, 'as-was', 6],
  [25, 'fixed', 0],
  [50, 'as-was', 6],
  [50, 'fixed', 0],
];
