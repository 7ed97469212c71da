/**
 * `dnsmc check`: resolve the model and the options, run the search (and,
 * for liveness properties, the state graph: see liveness.ts), and report as
 * text or as one JSON object.
 */
import type { CheckResult } from '../checker/explore/bfs.js';
import { checkParallel, stopSpareWorkers } from '../checker/explore/parallel.js';
import { propertyNames } from '../checker/model/model.js';
import { livenessNames } from '../checker/liveness/temporal.js';
import { formatTrace } from '../traces/text.js';
import { recordObservers, traceOf } from '../traces/trace.js';
import { baseModel, describeObservedBy, observedBy } from '../checker/package/scenario.js';
import { UsageError } from './errors.js';
import { interruptible, SIGNAL_EXIT } from './interrupt.js';
import type { Io } from './io.js';
import { modelFromFlags, type PackageSource, type ResolvedModel } from './model.js';
import { checkOptionsFromArgs, checkOutputs, propertiesFlag, propertyChoices, wantsLiveness, type CheckFlags } from './options.js';
import { progressReporter } from './progress.js';
import { exitCode, headerLine, headerOf, printJson, statsLines, verdict } from './report.js';
import { checkReport } from './json-reports.js';
import { bySeverity, type FollowUp, merged, moreSevere, severityLines, severityOf } from './severity.js';
import { paramFlag } from './model.js';
import { mark, phaseLine, phaseProfile } from './profile.js';
import { profileLines } from '../checker/explore/profile.js';
import { runCheckSwarm, wantsSwarm } from './check-swarm.js';
import { checkOutputLines, writeCheckOutputs } from './check-outputs.js';

/** The flags of `dnsmc check`: the model's (`--model` and its parameters) and the search's. */
export type CheckArgs = CheckFlags & Record<string, unknown>;

/** Runs `dnsmc check` and resolves to its exit code. Throws UsageError (or ParamError) for bad input. */
export async function runCheck(a: CheckArgs, io: Io, source?: PackageSource): Promise<number> {
  mark('parsed');
  const resolved = await modelFromFlags(a, source);
  mark('model');
  return checkResolved(resolved, a, io);
}

/** `dnsmc check` on a model already resolved. */
export async function checkResolved(resolved: ResolvedModel, a: CheckFlags & Record<string, unknown>, io: Io): Promise<number> {
  const { model } = resolved;
  if (wantsSwarm(a)) return runCheckSwarm(resolved, a, io);
  const live = observedBy(model) ? livenessNames(baseModel(model)) : [];
  const asked = (Array.isArray(a.property) ? a.property : [a.property]).find((p) => live.includes(p as string));
  if (asked !== undefined)
    throw new UsageError(`--property ${String(asked)}: a scenario or constraint restricts safety checks only; ${String(asked)} is a liveness property`);
  propertiesFlag(model, a.property, propertyChoices(model));
  if (wantsLiveness(model, a.property)) {
    if (a.profile === true) throw new UsageError('--profile measures the safety search: it cannot go with a liveness property');
    // The state graph is explored on this thread: workers started ahead of it would only take a core.
    stopSpareWorkers();
    return (await import('./liveness.js')).runLivenessCheck(resolved, a, io);
  }
  if (a.fairness !== undefined)
    throw new UsageError(`--fairness applies to liveness properties only: add --property ${[...livenessNames(model), 'all'].join('|')}`);
  const options = checkOptionsFromArgs(model, a, propertiesFlag(model, a.property, propertyNames(model)));
  const outputs = checkOutputs(a, resolved.source.module);
  const progress = progressReporter(io);
  const order = severityOf(resolved.source.pkg, model);
  let r: CheckResult;
  let signal: keyof typeof SIGNAL_EXIT | null;
  const followUps: FollowUp[] = [];
  try {
    ({ value: r, signal } = await interruptible(async (interrupt) => {
      const run = { interrupt, onProgress: progress.onProgress, progressIntervalMs: progress.intervalMs };
      let result = await checkParallel(model, { ...options, ...run });
      // Stopped at a first violation that is not the most severe: search on for the more severe properties only.
      for (let more = moreSevere(order, result); more.length > 0 && !interrupt.requested; ) {
        const left = options.timeLimitMs === undefined ? undefined : Math.max(0, options.timeLimitMs - result.durationMs);
        const follow = await checkParallel(model, { ...options, ...run, properties: more, checkDeadlock: false, timeLimitMs: left });
        followUps.push({ properties: more, result: follow });
        more = moreSevere(order, follow);
        result = merged(order, result, follow);
      }
      return { ...result, violations: bySeverity(order, result.violations) };
    }));
  } finally {
    progress.done();
  }
  mark('searched');
  // Stopped by a signal: the report says what was found, and the exit code which signal.
  const code = signal ? SIGNAL_EXIT[signal] : exitCode(r.status);
  // Traces are runs of the model itself; they record the scenario and constraints (see checker/package/scenario.ts).
  const base = baseModel(model);
  const by = observedBy(model);
  const traces = r.violations.map((v) => recordObservers(traceOf(base, v), by));
  await writeCheckOutputs(outputs, traces[0], base, resolved.source);
  const phases = r.profile && phaseProfile(r.profile);
  if (a.json === true) {
    const report = by ? { ...checkReport(model, r, traces), scenario: by.scenario, constraints: by.constraints } : checkReport(model, r, traces);
    printJson(io, phases ? { ...report, profile: phases } : report);
    return code;
  }
  io.out(`${headerLine('check', headerOf(model))}\n`);
  // Counts under a scenario or constraints are of another state space: say so in the header.
  if (by) io.out(`restricted to: ${describeObservedBy(by)}; counts include the observers' counters\n`);
  io.out(`properties: ${r.properties.join(', ')}; deadlock ${options.checkDeadlock ? 'checked' : 'not checked'}\n\n`);
  // After a follow-up search the other violations are named below the verdict, with the command that shows each.
  for (const t of followUps.length > 0 ? traces.slice(0, 1) : traces) io.out(`${formatTrace(t, { render: base.render })}\n\n`);
  io.out(`${verdict(r)}\n`);
  for (const l of severityLines(r, followUps, (p) => againFor(resolved, a, p))) io.out(`${l}\n`);
  for (const l of statsLines(r)) io.out(`${l}\n`);
  io.out(checkOutputLines(outputs, traces.length > 0));
  if (phases) for (const l of [phaseLine(phases), ...profileLines(phases.search)]) io.out(`${l}\n`);
  return code;
}

/** `dnsmc check [--model M] [the parameter flags given] --property P`: the command line that shows property P's counterexample. */
function againFor(resolved: ResolvedModel, a: CheckFlags & Record<string, unknown>, property: string): string {
  const flags: string[] = [];
  if (typeof a.model === 'string') flags.push(`--model ${a.model}`);
  for (const p of resolved.source.pkg.params) if (a[p.name] !== undefined) flags.push(`--${paramFlag(p)} ${String(a[p.name])}`);
  return ['dnsmc check', ...flags, `--property ${property}`].join(' ');
}
