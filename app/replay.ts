/**
 * `dnsmc replay TRACE --variant V`: runs a trace's schedule (its sequence of
 * action and actor) from the trace's initial state under another variant's
 * rules, and reports every step whose outcome differs from the trace: the
 * action is not enabled there (the step is skipped, and the rest of the
 * schedule runs on), or it is taken but leads to another state. The first
 * divergence is named in the model's words, and the replayed run is checked
 * against every property.
 *
 * Exit codes: 0 the replay ran and no property breaks in the replayed run,
 * 1 a property breaks in it (or, for a deadlock trace, it ends in a
 * deadlock), 2 bad input.
 */
import type { JsonState, StateOf } from '../checker/state/layout.js';
import { actorName, propertyNames, type Model } from '../checker/model/model.js';
import { firstBreaks } from '../checker/model/replay.js';
import { isDeadlock, replayAgainst } from '../checker/runs/replay-compare.js';
import { showValue } from '../traces/text.js';
import { traceFromReplay, type Trace, type TraceBreak } from '../traces/trace.js';
import { EXIT, UsageError } from './errors.js';
import { outputFlag, refuseOverwrite } from './flags.js';
import type { Io } from './io.js';
import { modelFromTrace, paramsFromFlags } from './model.js';
import { printJson, writeTrace } from './report.js';
import { readTraceFile } from './trace-file.js';
import type { ReplayDivergence, ReplayReport } from './json-reports.js';

/**
 * The flags of `dnsmc replay`, as yargs hands them over (unvalidated): the
 * trace, and the model's parameter flags (e.g. `--variant`) whose values
 * replace the trace's.
 */
export interface ReplayArgs {
  trace?: unknown;
  json?: unknown;
  traceOut?: unknown;
  /** The user model module the trace was made with (its `createModel` gets the trace's parameters, overridden by the flags). */
  model?: unknown;
  [param: string]: unknown;
}

/** `alias[0]`, `trees[0]`: the fields (and elements) where two JSON states differ. */
function differingFields(a: JsonState, b: JsonState): string[] {
  const out: string[] = [];
  for (const f of Object.keys(a)) {
    const x = a[f];
    const y = b[f];
    if (Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
      x.forEach((v, i) => {
        if (JSON.stringify(v) !== JSON.stringify(y[i])) out.push(`${f}[${i}]`);
      });
    } else if (JSON.stringify(x) !== JSON.stringify(y)) out.push(f);
  }
  return out;
}

/** `worker 0's commit gives up: ...` from the actor, the action and a narration that starts with the actor's name. */
function tell(who: string, action: string, narration: string): string {
  return narration.startsWith(`${who} `) ? `${who}'s ${action} ${narration.slice(who.length + 1)}` : `${who}'s ${action}: ${narration}`;
}

/**
 * Replays `trace`'s schedule under `model` (typically the trace's model with
 * another variant) from the trace's initial state, and compares. The trace
 * must fit `model`'s layout (the CLI checks it against its own model first).
 */
export function replayTrace(trace: Trace, model: Model): ReplayReport {
  const vec = model.layout.vector();
  model.layout.fromJson(trace.initial, vec);
  const initial = model.layout.toPlain(vec) as StateOf<typeof model.layout.fields>;
  const cmp = replayAgainst(
    model,
    initial,
    trace.steps,
    trace.steps.map((s) => s.state),
  );
  const { run } = cmp;
  const last = run.steps.length > 0 ? run.steps[run.steps.length - 1].state : run.initial;
  const deadlocked = trace.kind === 'deadlock' && isDeadlock(model, last);
  const found = firstBreaks(model, run);
  const main = found.find((b) => b.property === trace.property) ?? found[0];
  // A lasso's liveness verdict is not recomputed here (that takes the whole state graph: dnsmc check), only the safety properties along the run.
  const kind: Trace['kind'] = deadlocked ? 'deadlock' : (main?.kind ?? (trace.kind === 'deadlock' || trace.kind === 'liveness' ? 'invariant' : trace.kind));
  const replayed = traceFromReplay(model, run, deadlocked ? 'deadlock' : (main?.property ?? trace.property), kind);
  const divergences: ReplayDivergence[] = [];
  for (const o of cmp.outcomes) {
    if (o.outcome === 'same') continue;
    const orig = trace.steps[o.step - 1];
    const who = actorName(model, orig.role, orig.actor);
    if (o.outcome === 'not-enabled') {
      divergences.push({
        step: o.step,
        action: o.action,
        role: orig.role,
        actor: o.actor,
        outcome: o.outcome,
        text: `step ${o.step}: ${who}'s ${o.action} is not enabled here; skipped`,
        original: orig.narration,
      });
      continue;
    }
    const now = replayed.steps[o.replayStep - 1];
    const fields = differingFields(now.state, orig.state);
    const same = now.narration === orig.narration;
    divergences.push({
      step: o.step,
      action: o.action,
      role: now.role,
      actor: o.actor,
      outcome: o.outcome,
      text: `step ${o.step}: ${tell(who, o.action, now.narration)}${same ? ` (as in the trace, but from another state: ${fields.join(', ')} differ)` : ''}`,
      narration: now.narration,
      original: orig.narration,
      fields,
    });
  }
  const skipped = cmp.outcomes.filter((o) => o.outcome === 'not-enabled').length;
  return {
    model: model.name,
    traceVariant: trace.variant,
    variant: model.variant ?? null,
    params: { ...model.params },
    status: replayed.breaks.length > 0 ? 'violation' : 'ok',
    property: replayed.breaks[0]?.property ?? null,
    steps: trace.steps.length,
    replayedSteps: run.steps.length,
    skipped,
    reproduced: divergences.length === 0,
    firstDivergence: divergences[0] ?? null,
    divergences,
    outcomes: cmp.outcomes.map((o) => ({
      step: o.step,
      action: o.action,
      actor: o.actor,
      outcome: o.outcome,
      ...(o.outcome !== 'not-enabled' ? { replayStep: o.replayStep } : {}),
    })),
    breaks: replayed.breaks,
    traceBreaks: trace.breaks,
    trace: replayed,
  };
}

const breakList = (bs: readonly TraceBreak[]): string =>
  bs.map((b) => (b.kind === 'deadlock' ? `a deadlock occurs at step ${b.step}` : `${b.property} breaks at step ${b.step}`)).join('; ');

/** The text report of a replay. */
export function replayText(r: ReplayReport, model: Model, source: string): string[] {
  const lines: string[] = [];
  const trace = `${source} (${r.model}${r.traceVariant ? `, ${r.traceVariant}` : ''}, ${r.steps} steps)`;
  lines.push(`dnsmc replay: the schedule of ${trace} under ${r.variant ? `variant ${r.variant}` : `model ${r.model}`}`, '');
  const width = String(r.steps).length;
  const byStep = new Map(r.divergences.map((d) => [d.step, d]));
  for (const o of r.outcomes) {
    const d = byStep.get(o.step);
    const tag = o.outcome === 'same' ? '=' : o.outcome === 'differs' ? 'DIFFERS' : 'SKIPPED';
    const head = `step ${String(o.step).padStart(width)}  ${tag.padEnd(7)}  `;
    const pad = ' '.repeat(head.length);
    if (!d) {
      // A step with no divergence was taken, to the same state.
      lines.push(`${head}${o.replayStep === undefined ? '' : r.trace.steps[o.replayStep - 1].narration}`);
    } else if (d.outcome === 'not-enabled') {
      lines.push(`${head}${actorName(model, d.role, d.actor)}'s ${d.action} is not enabled here`);
      lines.push(`${pad}in the trace: ${d.original}`);
    } else {
      lines.push(`${head}${d.narration}`);
      if (d.narration !== d.original) lines.push(`${pad}in the trace: ${d.original}`);
      if (d.fields && d.fields.length > 0) lines.push(`${pad}differs from the trace in ${d.fields.join(', ')}`);
    }
  }
  lines.push('');
  if (r.reproduced || r.firstDivergence === null) {
    lines.push(`The replay reproduces the trace exactly: all ${r.steps} steps lead to the same states.`);
  } else {
    lines.push(`First divergence: ${r.firstDivergence.text}`);
    const differ = r.divergences.length - r.skipped;
    lines.push(
      `${r.divergences.length} of ${r.steps} steps diverge (${differ} lead${differ === 1 ? 's' : ''} to another state, ${r.skipped} not enabled and skipped); the replayed run has ${r.replayedSteps} steps.`,
    );
  }
  lines.push(`In the trace: ${r.traceBreaks.length > 0 ? breakList(r.traceBreaks) : 'no property breaks'}.`);
  if (r.traceBreaks.some((b) => b.kind === 'liveness')) {
    lines.push(
      'The trace is a lasso: the replay runs its steps once and checks the safety properties along them; to check liveness under these rules, run dnsmc check.',
    );
  }
  if (r.breaks.length > 0) {
    lines.push(`In the replay: ${breakList(r.breaks)}:`);
    for (const b of r.breaks) lines.push(`  ${b.property}: ${b.explanation}`);
  } else {
    const props = propertyNames(model);
    lines.push(`In the replay: no property breaks (${props.join(', ')} hold${props.length === 1 ? 's' : ''} at every step).`);
  }
  const final = r.trace.steps.length > 0 ? r.trace.steps[r.trace.steps.length - 1].state : r.trace.initial;
  lines.push('', 'final state of the replay:');
  const rendered = model.render ? model.render(final) : Object.entries(final).map(([k, v]) => `${k} = ${showValue(v)}`);
  for (const l of rendered) lines.push(`  ${l}`);
  return lines;
}

/** Runs `dnsmc replay` and resolves to its exit code. Throws UsageError or TraceError for bad input. */
export async function runReplay(a: ReplayArgs, io: Io): Promise<number> {
  if (typeof a.trace !== 'string' || a.trace === '') throw new UsageError('replay needs a trace file: dnsmc replay TRACE --variant V');
  const traceOut = outputFlag('trace-out', a.traceOut);
  refuseOverwrite([['trace-out', traceOut]], [['the trace being replayed', a.trace]]);
  const loaded = await readTraceFile(a.trace, { model: a.model });
  const overrides = paramsFromFlags(loaded.source.pkg, a);
  const model = Object.keys(overrides).length === 0 ? loaded.model : (await modelFromTrace(loaded.trace, a.model, overrides)).model;
  const report = replayTrace(loaded.trace, model);
  if (traceOut) writeTrace(traceOut, report.trace);
  if (a.json === true) {
    printJson(io, report);
  } else {
    for (const l of replayText(report, model, a.trace)) io.out(`${l}\n`);
    if (traceOut) io.out(`replayed trace written to ${traceOut}\n`);
  }
  return report.status === 'ok' ? EXIT.ok : EXIT.violation;
}
