/**
 * The driver protocol (docs/drivers.md): `dnsmc test-system --driver CMD`
 * runs an implementation in any language as a child process speaking JSON
 * lines, against a private BIND 9. The Python driver (dnspython) passes in
 * its correct mode and is caught, shrunk, the same for the same seed, in its
 * drifted mode; a driver that crashes, says nothing or says what the
 * protocol does not allow ends the run with one line and its own exit code.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { notProgress, run } from '../support/cli.js';
import { namedsStartedHere } from '../support/named.js';
import { FRESHNESS_DRIFT_SHRUNK } from '../support/figures.js';

const dir = mkdtempSync(join(tmpdir(), 'dnsmc-drivers-'));
const PYTHON = '/usr/bin/python3 examples/drivers/python/enactor.py';

interface Report {
  status: string;
  impl: string;
  runsDone: number;
  steps: number;
  systemStderr: string[];
  failure: null | {
    run: number;
    length: number;
    report: { divergence: { step: number; fields: string[] } | null };
    trace: { steps: { action: string; actor: number }[] };
  };
}

/** A driver script in Node.js: it answers start and reset, and does `onStep` (JavaScript, with the message `m`) for a step. */
function nodeDriver(name: string, onStep: string): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(
    file,
    `import { createInterface } from 'node:readline';
for await (const line of createInterface({ input: process.stdin })) {
  const m = JSON.parse(line);
  if (m.type === 'start' || m.type === 'reset') { process.stdout.write('{"ok":true}\\n'); continue; }
  ${onStep}
}
`,
  );
  return `${process.execPath} ${file}`;
}

describe('dnsmc test-system --driver', () => {
  const before = namedsStartedHere();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the Python driver (correct mode) follows the fixed model on 50 generated schedules: exit 0, its stderr kept in the report', async () => {
    const r = await run(['test-system', '--driver', PYTHON, '--variant', 'fixed', '--runs', '50', '--seed', '1', '--json']);
    expect(notProgress(r.stderr)).toEqual([]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as Report;
    expect(j).toMatchObject({ status: 'ok', runsDone: 50, impl: PYTHON, failure: null });
    expect(j.systemStderr.join('\n')).toMatch(/^enactor\.py: dnspython \S+, mode correct, server 127\.0\.0\.1:\d+, names under ddb\.example\.$/);
  });

  it('the Python driver in drifted mode (the freshness check once, before the lock) is caught: exit 4, shrunk to 7 steps, the same on a second run', async () => {
    const args = ['test-system', '--driver', `${PYTHON} --mode drifted`, '--variant', 'fixed', '--seed', '1', '--json'];
    const a = await run(args);
    const b = await run(args);
    expect(a.code).toBe(4);
    expect(b.code).toBe(4);
    const j = JSON.parse(a.stdout) as Report;
    const k = JSON.parse(b.stdout) as Report;
    expect(j.status).toBe('diverged');
    expect(j.failure?.length).toBe(7);
    expect(j.failure?.trace.steps.map((s) => `${s.action}(${s.actor})`)).toEqual([...FRESHNESS_DRIFT_SHRUNK]);
    expect(j.failure?.report.divergence).toMatchObject({ step: 7, fields: ['lockHolder[0]', 'phase[1]', 'plan[1]'] });
    // The same result (the server's port and start time aside).
    expect([k.failure?.run, k.failure?.length, k.failure?.trace.steps, k.failure?.report.divergence]).toEqual([
      j.failure?.run,
      j.failure?.length,
      j.failure?.trace.steps,
      j.failure?.report.divergence,
    ]);
    expect(k.steps).toBe(j.steps);
  });

  it('a driver that exits: one line with its exit status and last stderr lines, exit 5', async () => {
    const d = nodeDriver('crash', "process.stderr.write('about to fail\\nTraceback: boom\\n'); process.exit(3);");
    const r = await run(['test-system', '--driver', d, '--runs', '3', '--quiet']);
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`dnsmc: the driver ${d} exited with status 3; its last stderr lines: about to fail | Traceback: boom\n`);
  });

  it('a driver that gives no reply within --driver-timeout, to start or to a step: one line, exit 6 (never a hang)', async () => {
    const mute = join(dir, 'mute.mjs');
    writeFileSync(mute, "process.stdin.on('data', () => {});\n");
    const d0 = `${process.execPath} ${mute}`;
    const r0 = await run(['test-system', '--driver', d0, '--driver-timeout', '300', '--runs', '3', '--quiet']);
    expect(r0).toMatchObject({ code: 6, stdout: '', stderr: `dnsmc: the driver ${d0} gave no reply to start within 300 ms\n` });
    // Time enough to start (a loaded machine is slow to start Node.js), none to answer a step it never answers.
    const d = nodeDriver('silent', '// never replies to a step');
    const r = await run(['test-system', '--driver', d, '--driver-timeout', '3000', '--runs', '3', '--quiet']);
    expect(r).toMatchObject({ code: 6, stdout: '', stderr: `dnsmc: the driver ${d} gave no reply to step 1 (publishPlan by actor 0) within 3000 ms\n` });
  });

  it('a driver that replies what the protocol does not allow: one line naming what, exit 7', async () => {
    const cases: [string, string][] = [
      ["process.stdout.write('not json\\n');", 'replied to step 1 (publishPlan by actor 0) a line that is not JSON: "not json"'],
      [
        "process.stdout.write(JSON.stringify({ step: m.step, outcome: 'exploded' }) + '\\n');",
        'replied to step 1 (publishPlan by actor 0) with the outcome "exploded", not one of published',
      ],
      ["process.stdout.write(JSON.stringify({ step: m.step + 1, outcome: 'published' }) + '\\n');", 'replied to step 1 (publishPlan by actor 0) for step 2'],
    ];
    for (const [i, [onStep, said]] of cases.entries()) {
      const d = nodeDriver(`malformed-${i}`, onStep);
      const r = await run(['test-system', '--driver', d, '--runs', '3', '--quiet']);
      expect(r.code, said).toBe(7);
      expect(r.stderr).toBe(`dnsmc: the driver ${d} ${said} (docs/drivers.md)\n`);
    }
  });

  it('reenact --driver: the as-was race performed by the Python driver (which implements the fixed protocol) diverges at step 10, where it gives up under the lock', async () => {
    const race = join(dir, 'race.json');
    expect((await run(['check', '--variant', 'as-was', '--property', 'aliasResolves', '--trace-out', race, '--quiet'])).code).toBe(1);
    const r = await run(['reenact', race, '--driver', PYTHON, '--json']);
    expect(r.code).toBe(4);
    const j = JSON.parse(r.stdout) as { divergence: { step: number; fields: string[] }; systemStderr: string[] };
    expect(j.divergence).toMatchObject({ step: 10, fields: ['trees[0]', 'lockHolder[0]', 'phase[0]', 'plan[0]'] });
    expect(j.systemStderr).toHaveLength(1);
    expect(j.systemStderr[0]).toMatch(/^enactor\.py: dnspython /);
  });

  it('bad driver flags: one line, exit 2', async () => {
    const both = await run(['test-system', '--impl', 'reference', '--driver', PYTHON]);
    expect(both).toMatchObject({ code: 2, stderr: 'dnsmc: --impl and --driver both name the implementation to run: give one\n' });
    const quote = await run(['test-system', '--driver', '/usr/bin/python3 "x']);
    expect(quote).toMatchObject({ code: 2, stderr: 'dnsmc: --driver "/usr/bin/python3 \\"x": an unclosed " quote\n' });
    const missing = await run(['test-system', '--driver', join(dir, 'no-such-driver'), '--runs', '1']);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toBe(`dnsmc: the driver ${join(dir, 'no-such-driver')} could not be started (ENOENT)\n`);
  });

  it('leaves no named behind', () => {
    expect(namedsStartedHere().filter((p) => !before.includes(p))).toEqual([]);
  });
});
