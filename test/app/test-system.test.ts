/**
 * `dnsmc test-system` on a private BIND 9 (a real `named`, never a mock):
 * the reference implementation follows the fixed model; the drifted
 * implementations are caught, shrunk and written as traces that reenact,
 * replay and view open; the same seed gives the same result.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { notProgress, ROOT, run } from '../support/cli.js';
import { namedRunningIn, namedsStartedHere } from '../support/named.js';
import { planPublishedIn, runDirsIn, spawnDnsmc, waitForOrExit } from '../systems/dns/helpers.js';
import { FRESHNESS_DRIFT_SHRUNK } from '../support/figures.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-test-system-'));
const file = (name: string): string => join(dir, name);

interface Report {
  status: string;
  impl: string;
  runsDone: number;
  steps: number;
  failure: null | {
    run: number;
    length: number;
    status: string;
    report: { divergence: { step: number; fields: string[] } | null; steps: { action: string | null; actor: number | null }[] };
    trace: { steps: { action: string; actor: number }[]; reenacted: { observed: unknown[] } };
  };
}
const json = (text: string): Report => JSON.parse(text) as Report;

const nameds = namedsStartedHere;

describe('dnsmc test-system', () => {
  const before = nameds();
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('the reference implementation follows the fixed model on 30 generated schedules (exact, for the seed)', async () => {
    const r = await run(['test-system', '--variant', 'fixed', '--runs', '30', '--seed', '1', '--json']);
    expect(notProgress(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    const j = json(r.stdout);
    expect(j.status).toBe('ok');
    expect(j.impl).toBe('reference');
    expect(j.runsDone).toBe(30);
    expect(j.steps).toBe(391);
    expect(j.failure).toBeNull();
  });

  it('recheck-before-lock is caught under the fixed model: exit 4, shrunk to 7 steps, the same for the same seed', async () => {
    const a = await run(['test-system', '--variant', 'fixed', '--impl', 'recheck-before-lock', '--seed', '1', '--json', '--trace-out', file('rb.json')]);
    const b = await run(['test-system', '--variant', 'fixed', '--impl', 'recheck-before-lock', '--seed', '1', '--json']);
    expect(a.code).toBe(4);
    expect(b.code).toBe(4);
    const j = json(a.stdout);
    const k = json(b.stdout);
    expect(j.status).toBe('diverged');
    expect(j.runsDone).toBe(4);
    expect(j.failure?.length).toBe(7);
    expect(j.failure?.length).toBeLessThanOrEqual(15);
    expect(j.failure?.report.divergence).toMatchObject({ step: 7, fields: ['lockHolder[0]', 'phase[1]', 'plan[1]'] });
    expect(j.failure?.trace.steps.map((s) => `${s.action}(${s.actor})`)).toEqual([...FRESHNESS_DRIFT_SHRUNK]);
    expect(k.failure?.trace.steps).toEqual(j.failure?.trace.steps);
    expect(k.steps).toBe(j.steps);
    expect(j.failure?.trace.reenacted.observed).toHaveLength(8);
  });

  it('the shrunk trace is a trace: reenact (on the reference: it conforms), replay and view open it', async () => {
    expect(existsSync(file('rb.json'))).toBe(true);
    const re = await run(['reenact', file('rb.json'), '--json']);
    expect(re.code).toBe(0);
    expect((JSON.parse(re.stdout) as { conforms: boolean }).conforms).toBe(true);
    const rp = await run(['replay', file('rb.json'), '--variant', 'as-was']);
    expect(rp.code).toBe(0);
    const v = await run(['view', file('rb.json'), '--out', file('rb.html')]);
    expect(v.code).toBe(0);
    expect(readFileSync(file('rb.html'), 'utf8')).toContain('<html');
  });

  it('the text report narrates the shrunk schedule with the model and the system side by side', async () => {
    const r = await run(['test-system', '--variant', 'fixed', '--impl', 'recheck-before-lock', '--seed', '1']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('Run 4 diverged from the model; shrunk to 7 steps');
    expect(r.stdout).toMatch(/step 7 {2}DIFFERS {2}enactor 1 takes the lock/);
    expect(r.stdout).toContain('phase[1]: model build, system idle   <- differs');
  });

  it('cleanup-unguarded is caught under spare-active-only as docs/conformance.md says (the command and figures quoted there): the cleanup deletes the active tree', async () => {
    const doc = readFileSync(join(ROOT, 'docs', 'conformance.md'), 'utf8').replace(/\s+/g, ' ');
    const m = /`dnsmc (test-system [^`]*--impl cleanup-unguarded[^`]*)` exits (\d) at run (\d+), shrunk to (\d+) steps/.exec(doc);
    expect(m, 'docs/conformance.md quotes the command that catches cleanup-unguarded, with its run and length').not.toBeNull();
    const [, command, code, runNo, length] = m!;
    const r = await run([...command.split(' '), '--json']);
    expect(r.code).toBe(Number(code));
    const j = json(r.stdout);
    expect(j.failure?.run).toBe(Number(runNo));
    expect(j.failure?.length).toBe(Number(length));
    const last = j.failure?.report.steps.at(-1);
    expect(last?.action).toBe('cleanupPlans');
    expect(j.failure?.report.divergence?.fields).toEqual(['trees[0]']);
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} (the binary): reports the runs done (stoppedBy interrupted), exit ${code}; no folder or named left`, async () => {
      const s = spawnDnsmc(['test-system', '--variant', 'fixed', '--runs', '1000000', '--seed', '3', '--json']);
      expect(await waitForOrExit(() => planPublishedIn(s.tmp, 'plans'), s)).toBe(true);
      expect(runDirsIn(s.tmp)).toHaveLength(2);
      s.child.kill(signal);
      const r = await s.done;
      expect(r.code).toBe(code);
      const j = JSON.parse(r.stdout) as Report & { stoppedBy: string; runs: number };
      expect(j).toMatchObject({ status: 'ok', stoppedBy: 'interrupted', runs: 1000000, failure: null });
      expect(j.runsDone).toBeLessThan(1000000);
      expect(runDirsIn(s.tmp)).toEqual([]);
      expect(namedRunningIn([s.tmp])).toEqual([]);
    });
  }

  it('progress on stderr as check shows it: --progress always reports from the first run on, --quiet never', async () => {
    const shown = await run(['test-system', '--variant', 'fixed', '--runs', '3', '--seed', '1', '--progress', 'always']);
    expect(shown.code).toBe(0);
    const lines = shown.stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^progress: \d+ schedules? performed \(shrinking included\), [\d,]+ steps on the system, \d+ s$/);
    const quiet = await run(['test-system', '--variant', 'fixed', '--runs', '3', '--seed', '1', '--quiet']);
    expect(quiet).toMatchObject({ code: 0, stderr: '' });
  });

  it('bad flags: one line, exit 2', async () => {
    const r = await run(['test-system', '--impl', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('dnsmc: --impl must be one of reference|recheck-before-lock|cleanup-unguarded, got "nope"\n');
    const s = await run(['test-system', '--runs', '0']);
    expect(s.code).toBe(2);
    expect(s.stderr.trim().split('\n')).toHaveLength(1);
    expect(s.stderr).toContain('--runs');
  });

  it('leaves no named behind', () => {
    expect(nameds().filter((p) => !before.includes(p))).toEqual([]);
  });
});
