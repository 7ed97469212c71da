/**
 * The CI artifact example of docs/library.md: a property test that, when its
 * property fails, writes the viewer page of the failing schedule before it
 * fails the test. Run twice: against the built package (dist/index.js, what
 * `dnsmc` resolves to once installed), and as a user runs it: the example
 * taken from docs/library.md as it stands, in a scratch project where the
 * tarball `npm pack` makes is installed, under that project's own vitest.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertSchedule, dnsModel, dnsPackage, ScheduleViolation, scheduleArb, type Trace, traceOfSchedule, writeViewer } from '../dist/index.js';

describe('a failing property test leaves the viewer page as a CI artifact (the built package)', () => {
  it('as-was: the page of the shrunk race is written, and the test still fails with the narrated race', () => {
    const dir = mkdtempSync(join(tmpdir(), 'artifact-'));
    const page = join(dir, 'race.html');
    const written: Trace[] = [];

    // --- the example in docs/library.md ---
    const model = dnsModel({ variant: 'as-was' });
    const property = fc.property(scheduleArb(model, { maxSteps: 40 }), (schedule) => {
      try {
        assertSchedule(model, schedule, { properties: ['aliasResolves'] });
      } catch (e) {
        if (e instanceof ScheduleViolation) {
          // fast-check calls this for each failing schedule as it shrinks: the page ends as the shortest.
          const trace = traceOfSchedule(model, schedule, { properties: ['aliasResolves'] });
          writeViewer(trace, page, { model, presentation: dnsPackage.presentation });
          written.push(trace);
        }
        throw e;
      }
    });
    // --- end of the example (in your suite: fc.assert(property, ...) alone) ---

    let failure: unknown;
    try {
      fc.assert(property, { seed: 1, numRuns: 2000 });
    } catch (e) {
      failure = e;
    }
    // The test still fails, with fast-check's shrunk counterexample and the narrated race as its cause.
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/^Property failed after \d+ tests/);
    expect((failure as Error).cause).toBeInstanceOf(ScheduleViolation);
    expect(((failure as Error).cause as Error).message).toMatch(/aliasResolves violated after \d+ steps/);
    expect(written.length).toBeGreaterThan(1);
    const last = written[written.length - 1];
    expect(last.property).toBe('aliasResolves');
    expect(last.steps.length).toBeLessThanOrEqual(14);
    expect(last.steps.length).toBeLessThan(written[0].steps.length);
    // The trace ends at the break: its last step is the one that breaks the property.
    expect(last.breaks.find((b) => b.property === 'aliasResolves')?.step).toBe(last.steps.length);
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    // The page is the last trace's: the shrunk race, step for step.
    expect(html).toContain(JSON.stringify(last.steps[last.steps.length - 1].narration).slice(1, -1));
  });

  it('traceOfSchedule refuses a schedule that breaks nothing, in one line', () => {
    const model = dnsModel({ variant: 'fixed' });
    expect(() => traceOfSchedule(model, { initial: 0, steps: [{ action: 'publishPlan', actor: 0 }] })).toThrow(
      "traceOfSchedule: the schedule's 1 steps break no property of model dns: a trace records a counterexample",
    );
  });
});

const ROOT = join(import.meta.dirname, '..');

/** A command's result; its output is kept for the failure message. */
function sh(cmd: string, args: readonly string[], cwd: string): { code: number | null; out: string } {
  // The scratch project's npm and vitest see none of this run's own settings (npm_config_*, VITEST_*, NODE_OPTIONS).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|VITEST|NODE_OPTIONS$)/i.test(k)));
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** The version of a package installed here (what the scratch project installs beside dnsmc). */
const versionOf = (name: string): string => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

describe('the docs/library.md example, from the installed tarball', () => {
  it('npm pack, npm install in a scratch project, the example as the doc gives it: the test fails and race.html is written', () => {
    expect(existsSync(join(ROOT, 'dist', 'index.js')), 'dist/index.js: npm run build first (npm test does)').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'dnsmc-tarball-'));
    try {
      // The tarball, as published (dist/ as built; prepare's build is not run again).
      const pack = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], ROOT);
      expect(pack.code, pack.out).toBe(0);
      const tgz = join(dir, (JSON.parse(pack.out.slice(pack.out.indexOf('['))) as { filename: string }[])[0].filename);
      expect(existsSync(tgz)).toBe(true);
      // A scratch project with dnsmc from the tarball, and vitest and fast-check as a user's project has them.
      const project = join(dir, 'project');
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
      const install = ['install', tgz, `vitest@${versionOf('vitest')}`, `fast-check@${versionOf('fast-check')}`, '--no-audit', '--no-fund', '--ignore-scripts'];
      // From the npm cache; if something is not in it, from the registry (said in the failure output, never skipped).
      let installed = sh('npm', [...install, '--offline'], project);
      if (installed.code !== 0) installed = sh('npm', [...install, '--prefer-offline'], project);
      expect(installed.code, installed.out).toBe(0);
      // dnsmc is the tarball's, a copy in node_modules (not a link to this checkout), with its docs.
      const pkg = join(project, 'node_modules', 'dnsmc');
      expect(lstatSync(pkg).isSymbolicLink()).toBe(false);
      expect(existsSync(join(pkg, 'docs', 'library.md'))).toBe(true);
      expect(existsSync(join(pkg, 'test'))).toBe(false);
      // The example, as docs/library.md gives it today.
      const doc = readFileSync(join(ROOT, 'docs', 'library.md'), 'utf8');
      const section = doc.slice(doc.indexOf('### A viewer page when a property fails (CI artifacts)'));
      const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
      expect(example).toContain("from 'dnsmc'");
      writeFileSync(join(project, 'race.test.ts'), example ?? '');
      // fast-check's seed fixed for every property, so that the run is the same each time (the example is unchanged).
      writeFileSync(join(project, 'seed.mjs'), "import fc from 'fast-check';\nfc.configureGlobal({ seed: 1 });\n");
      writeFileSync(join(project, 'vitest.config.mjs'), "export default { test: { setupFiles: ['./seed.mjs'] } };\n");
      const vitest = sh(process.execPath, [join(project, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter', 'default'], project);
      // The property fails, so the user's test fails: with the narrated race as the cause.
      expect(vitest.code, vitest.out).toBe(1);
      expect(vitest.out).toContain('Property failed after');
      expect(vitest.out).toMatch(/aliasResolves violated after \d+ steps/);
      // ... and the page is left for the CI job to upload: the shrunk race's.
      const html = readFileSync(join(project, 'race.html'), 'utf8');
      expect(html).toMatch(/^<!DOCTYPE html>/);
      const data = JSON.parse(/<script type="application\/json" id="dnsmc-data">(.*?)<\/script>/s.exec(html)?.[1] ?? 'null') as {
        panes: { trace: { property: string; steps: unknown[] }; verdict: { text: string } }[];
      };
      expect(data.panes[0].trace.property).toBe('aliasResolves');
      expect(data.panes[0].verdict.text).toMatch(/^aliasResolves violated at step \d+/);
      expect(data.panes[0].trace.steps.length).toBeLessThanOrEqual(14);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
