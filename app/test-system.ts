/**
 * `dnsmc test-system`: model-based testing of the real system behind a
 * model. fast-check's schedule arbitrary (checker/random/arbitrary.ts) generates
 * schedules of the model; each one is performed on the real system through
 * the package's system adapter (one system started for the whole command,
 * reset before every run), and re-enacted step by step (checker/runs/system-run.ts):
 * after every step the observed state must equal the model's, and the
 * chosen properties must hold on what was observed. A failing schedule is
 * shrunk by fast-check to a minimal one, performed once more for the
 * report, printed narrated with the real state beside the model's, and
 * written as a trace (`--trace-out`) that reenact, view and replay open.
 *
 * Exit codes: 0 every run conformed and every property held; 1 a property
 * broke on the real system; 4 the system diverged from the model; 2 bad
 * input, or no system. SIGINT or SIGTERM stops it after the run in progress
 * (no further run or shrink): it reports the runs done and the failure found
 * so far, unshrunk further and not performed again (`stoppedBy:
 * "interrupted"`), writes its trace, stops the system and exits with 130 or
 * 143.
 */
import fc from 'fast-check';
import { scheduleArb, type Schedule } from '../checker/random/arbitrary.js';
import type { JsonState } from '../checker/state/layout.js';
import type { Model } from '../checker/model/model.js';
import type { Progress } from '../checker/explore/options.js';
import { propertyNames } from '../checker/model/model.js';
import type { RunningSystem } from '../checker/package/system.js';
import { reenact, type ReenactReport } from '../checker/runs/system-run.js';
import { replay } from '../checker/model/replay.js';
import { traceFromReplay } from '../traces/trace.js';
import { interruptible, SIGNAL_EXIT } from './interrupt.js';
import { outputFlag, refuseOverwrite, seedFlag, wholeFlag } from './flags.js';
import { int, secs } from './format.js';
import type { Io } from './io.js';
import { modelFromFlags, type PackageSource } from './model.js';
import { propertiesFlag } from './options.js';
import { progressReporter } from './progress.js';
import { driverFailure, systemOf, systemOptions } from './system.js';
import { annotate, reenactText } from './reenact.js';
import { headerLine, headerOf, printJson, writeTrace } from './report.js';
import { headFields, type ReenactedTrace, type TestSystemFailure, type TestSystemReport } from './json-reports.js';
import { TEST_SYSTEM_DEFAULTS } from './command-defaults.js';

/** The flags of `dnsmc test-system`, as yargs hands them over (unvalidated). */
export interface TestSystemArgs {
  /** `--model`, the model's parameter flags, and the system's own flags (its adapter reads them). */
  [flag: string]: unknown;
  runs?: unknown;
  seed?: unknown;
  depth?: unknown;
  property?: unknown;
  json?: unknown;
  traceOut?: unknown;
}

export { TEST_SYSTEM_DEFAULTS };

/** Whether a re-enactment fails the test, given the properties checked. */
function verdictOf(r: ReenactReport, properties: readonly string[]): 'ok' | 'violation' | 'diverged' {
  if (!r.conforms) return 'diverged';
  return r.breaks.some((b) => properties.includes(b.property)) ? 'violation' : 'ok';
}

/** The trace of a schedule under the model, annotated with what the system held after each step. */
function traceOfRun(model: Model, s: Schedule, r: ReenactReport, properties: readonly string[]): ReenactedTrace {
  const run = replay(model, model.init[s.initial], s.steps);
  if (run.failure) throw new Error(`the shrunk schedule does not run in the model at step ${run.failure.step}: ${run.failure.reason}`);
  const stepNames = new Set(model.stepInvariants.map((p) => p.name));
  const observedBreak = r.breaks.find((b) => properties.includes(b.property));
  const property = observedBreak?.property ?? properties[0] ?? propertyNames(model)[0];
  return annotate(traceFromReplay(model, run, property, stepNames.has(property) ? 'step' : 'invariant'), r);
}

/** test-system's progress line: schedules performed (as `depth`), steps (as `generatedStates`), time. */
function runsLine(p: Progress): string {
  return `progress: ${int(p.depth)} schedules performed (shrinking included), ${int(p.generatedStates)} steps on the system, ${(p.elapsedMs / 1000).toFixed(0)} s`;
}

const initialJson = (model: Model, i: number): JsonState | undefined => {
  if (i === 0) return undefined;
  const v = model.layout.vector();
  model.layout.fromPlain(model.init[i], v);
  return model.layout.toJson(v);
};

/** Runs `dnsmc test-system`; resolves to its exit code (0, 1 or 4). */
export async function runTestSystem(a: TestSystemArgs, io: Io, pkgSource?: PackageSource): Promise<number> {
  const { model, source } = await modelFromFlags(a, pkgSource);
  const all = propertyNames(model);
  const chosen = propertiesFlag(model, a.property, all, 'test-system checks the safety properties on each run');
  const properties = chosen.length > 0 ? chosen : all;
  const runs = wholeFlag('runs', a.runs, 1, 1_000_000) ?? TEST_SYSTEM_DEFAULTS.runs;
  const seed = seedFlag(a.seed) ?? TEST_SYSTEM_DEFAULTS.seed;
  const depth = wholeFlag('depth', a.depth, 1, 10_000) ?? TEST_SYSTEM_DEFAULTS.depth;
  const traceOut = outputFlag('trace-out', a.traceOut);
  refuseOverwrite([['trace-out', traceOut]], [['the model module', source.module]]);
  const system = systemOf(source, model, 'test');
  const options = systemOptions(system, 'test-system', a, model);
  const progress = progressReporter(io, runsLine);
  const started = performance.now();
  let steps = 0;
  let runsDone = 0;
  // Set inside the interruptible run (declared with their whole types: they are assigned in a closure).
  let failure = null as TestSystemFailure | null;
  let status = 'ok' as TestSystemReport['status'];
  let stoppedBy = null as TestSystemReport['stoppedBy'];
  let description = '';
  let implName = 'default';
  let stderr: readonly string[] = [];
  let lastReport = -Infinity;
  /** A progress line after the first run, then about every interval (progressReporter decides whether it shows). */
  let performed = 0;
  const tick = (): void => {
    const elapsedMs = performance.now() - started;
    if (!progress.onProgress || (performed > 1 && elapsedMs - lastReport < progress.intervalMs)) return;
    lastReport = elapsedMs;
    progress.onProgress({ distinctStates: 0, generatedStates: steps, queue: 0, depth: performed, elapsedMs });
  };
  let ran: { signal: keyof typeof SIGNAL_EXIT | null };
  try {
    ran = await interruptible(async (interrupt) => {
      const running: RunningSystem = await system.start(model, options);
      description = running.description;
      implName = running.implementation ?? implName;
      let fatal: unknown = null;
      /** The last failing run (fast-check's counterexample so far), kept for an interruption during shrinking. */
      let lastFailing = null as { s: Schedule; report: ReenactReport } | null;
      const perform = async (s: Schedule): Promise<ReenactReport> => {
        if (running.reset) await running.reset();
        steps += s.steps.length;
        const r = await reenact(model, { initial: initialJson(model, s.initial), steps: s.steps }, running);
        performed++;
        tick();
        return r;
      };
      try {
        const arb = scheduleArb(model, { maxSteps: depth });
        const property = fc.asyncProperty(arb, async (s) => {
          if (fatal !== null) return true;
          // A stop request: fast-check ends the runs (or the shrinking) here, as interrupted.
          if (interrupt.requested) throw new fc.PreconditionFailure(true);
          try {
            const report = await perform(s);
            const ok = verdictOf(report, properties) === 'ok';
            if (!ok) lastFailing = { s, report };
            return ok;
          } catch (e) {
            // An error of the system (not a divergence) ends the command with one line; it must not be shrunk.
            fatal = e;
            return true;
          }
        });
        const out = await fc.check(property, { seed, numRuns: runs });
        progress.done();
        if (fatal !== null) throw fatal;
        if (out.interrupted) stoppedBy = 'interrupted';
        runsDone = out.numRuns;
        if (out.failed && out.counterexample) {
          // Interrupted while shrinking: the smallest failing schedule so far, as it was performed (not again).
          const kept = out.interrupted ? lastFailing : null;
          const shrunk = kept ? kept.s : out.counterexample[0];
          const report = kept ? kept.report : await perform(shrunk);
          const v = verdictOf(report, properties);
          if (v === 'ok') throw new Error('the shrunk schedule passed when performed again: is the system deterministic?');
          status = v;
          failure = {
            run: out.numRuns,
            length: shrunk.steps.length,
            shrinks: out.numShrinks,
            status: v,
            report,
            trace: traceOfRun(model, shrunk, report, properties),
          };
        }
      } finally {
        stderr = running.stderr?.() ?? [];
        await running.stop();
      }
    });
  } catch (e) {
    progress.done();
    const code = driverFailure(e, io);
    if (code === undefined) throw e;
    return code;
  }
  const { signal } = ran;
  const durationMs = performance.now() - started;
  if (failure && traceOut) writeTrace(traceOut, failure.trace);
  const report: TestSystemReport = {
    command: 'test-system',
    status,
    ...headFields(model),
    impl: implName,
    system: description,
    seed,
    runs,
    runsDone,
    depth,
    properties,
    steps,
    durationMs: Math.round(durationMs),
    failure,
    stoppedBy,
    systemStderr: stderr,
  };
  const code = signal ? SIGNAL_EXIT[signal] : status === 'ok' ? 0 : status === 'violation' ? 1 : 4;
  if (a.json === true) {
    printJson(io, report);
  } else {
    io.out(`${headerLine('test-system', headerOf(model))}\n`);
    io.out(`implementation ${implName} on ${description}; seed ${seed}; ${int(runs)} runs of at most ${depth} steps; properties: ${properties.join(', ')}\n\n`);
    if (failure) {
      io.out(
        `Run ${failure.run} ${failure.status === 'diverged' ? 'diverged from the model' : 'broke a property on the real system'}; ` +
          `shrunk to ${failure.length} step${failure.length === 1 ? '' : 's'} (${failure.shrinks} shrinks). The shrunk schedule, performed again:\n\n`,
      );
      for (const l of reenactText(failure.report, failure.trace, model, 'the shrunk schedule').slice(2)) io.out(`${l}\n`);
      io.out('\n');
    } else if (stoppedBy) {
      io.out(
        `Interrupted after ${int(runsDone)} of ${int(runs)} runs; each followed the model at every step, and ${properties.join(', ')} held on the real system.\n`,
      );
    } else {
      io.out(`All ${int(runsDone)} runs followed the model at every step, and ${properties.join(', ')} held on the real system.\n`);
    }
    io.out(`${int(runsDone)} runs, ${int(steps)} steps performed on the system, ${secs(durationMs)}\n`);
    if (failure && traceOut) io.out(`trace written to ${traceOut} (open it with dnsmc reenact, view or replay)\n`);
    const said = stderr.filter((l) => l.trim() !== '');
    if (said.length > 0) {
      io.out(`\nthe implementation wrote on stderr${said.length > 20 ? ` (its last 20 of ${int(said.length)} lines; --json has up to 64 KiB)` : ''}:\n`);
      for (const l of said.slice(-20)) io.out(`  ${l}\n`);
    }
  }
  return code;
}
