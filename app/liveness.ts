/**
 * `dnsmc check` with liveness properties (`--property recoverable`,
 * `--property converges`, `--property all`): the safety search (bfs.ts) for
 * the invariants asked for, then the stored state graph (graph.ts) and the
 * liveness analysis (liveness.ts) under the fairness `--fairness` selects;
 * a verdict per property, lassos as traces, and what the graph cost.
 */
import { passedMemoryLimit, peakRss, type CheckResult } from '../checker/explore/bfs.js';
import { exploreGraph, type StateGraph } from '../checker/liveness/graph.js';
import { checkLiveness, type LivenessVerdict } from '../checker/liveness/liveness.js';
import { propertyNames, type Model } from '../checker/model/model.js';
import { checkParallel } from '../checker/explore/parallel.js';
import { fairnessGroups, livenessNames, validateLiveness } from '../checker/liveness/temporal.js';
import { formatTrace } from '../traces/text.js';
import { traceOf, traceOfLasso, type Trace } from '../traces/trace.js';
import { listFlag } from './flags.js';
import { int, mb, secs } from './format.js';
import type { Io } from './io.js';
import type { ResolvedModel } from './model.js';
import { checkOptionsFromArgs, checkOutputs, fairnessFromArgs, propertiesFlag, propertyChoices, type CheckFlags } from './options.js';
import { progressReporter } from './progress.js';
import { exitCode, headerLine, headerOf, printJson, statsLines } from './report.js';
import { checkOutputLines, writeCheckOutputs } from './check-outputs.js';
import { checkReport, headFields, type GraphCost, type LivenessReport, type VerdictRow } from './json-reports.js';

const FORM: Record<string, string> = {
  invariant: 'invariant',
  step: 'step invariant',
  deadlock: 'deadlock',
  alwaysReachable: 'always reachable (AG EF)',
  eventually: 'eventually (F)',
  alwaysEventually: 'always eventually (GF)',
  leadsTo: 'leads to (~>)',
};

/** The text cell of a verdict. */
export function verdictCell(r: VerdictRow): string {
  if (r.verdict !== 'violated') return r.verdict === 'holds' ? (r.kind === 'deadlock' ? 'none' : 'holds') : 'unknown (incomplete)';
  const lasso = (): string => {
    const n = (r.steps ?? 0) - (r.loop ?? 0);
    return `lasso ${r.loop} + ${n === 0 ? 'stutter' : `loop ${n}`}`;
  };
  if (r.stuck) return `VIOLATED: stuck after ${r.stuck.steps} steps (${int(r.stuck.reachable)} states reachable, none a goal); ${lasso()}`;
  if (r.loop !== undefined) return `VIOLATED: ${lasso()}`;
  return `VIOLATED: ${r.steps} steps`;
}

/** The verdict table, one row per property. */
export function verdictTable(rows: readonly VerdictRow[]): string[] {
  const head = ['property', 'form', 'verdict'];
  const cells = rows.map((r) => [r.property, FORM[r.kind] ?? r.kind, verdictCell(r)]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(w[i]))).join('  ');
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...cells.map(line)];
}

/** The outcome of a check with liveness properties, for callers that want more than the printed report. */
export interface LivenessCheckOutcome {
  readonly rows: VerdictRow[];
  readonly safety: CheckResult | null;
  readonly graph: StateGraph | null;
  readonly verdicts: readonly LivenessVerdict[];
  readonly traces: Trace[];
  readonly status: CheckResult['status'];
  readonly cost: GraphCost | null;
  readonly fairness: string[];
}

/**
 * Checks the safety and liveness properties the flags select. `--property
 * all` selects every property and deadlocks (unless `--no-deadlock`). Every
 * selected property gets a verdict: the safety search continues after a
 * violation. The time limit covers both phases; a limit that stops either
 * leaves the liveness verdicts unknown.
 */
export async function checkWithLiveness(model: Model, a: CheckFlags, io?: Io): Promise<LivenessCheckOutcome> {
  validateLiveness(model);
  const fairness = fairnessFromArgs(a.fairness);
  const asked = propertiesFlag(model, a.property, propertyChoices(model));
  const all = asked.includes('all');
  const safetyNames = propertyNames(model).filter((p) => all || asked.includes(p));
  const liveNames = livenessNames(model).filter((p) => all || asked.includes(p));
  const options = checkOptionsFromArgs(model, a, safetyNames);
  const start = performance.now();
  const progress = io ? progressReporter(io) : undefined;
  let safety: CheckResult | null = null;
  let graph: StateGraph | null = null;
  let verdicts: LivenessVerdict[] = [];
  try {
    // `all` on a model with no liveness property still searches, for its deadlocks.
    if (safetyNames.length > 0 || (all && liveNames.length === 0)) {
      safety = await checkParallel(model, {
        ...options,
        properties: safetyNames,
        checkDeadlock: all && options.checkDeadlock,
        continueAfterViolation: true,
        onProgress: progress?.onProgress,
        progressIntervalMs: progress?.intervalMs,
      });
    }
    if (liveNames.length > 0 && (safety === null || safety.stoppedBy === null)) {
      const left = options.timeLimitMs === undefined ? undefined : Math.max(0, options.timeLimitMs - (performance.now() - start));
      graph = exploreGraph(model, {
        maxStates: options.maxStates,
        maxDepth: options.maxDepth,
        maxMemoryBytes: options.maxMemoryBytes,
        timeLimitMs: left,
        onProgress: progress?.onProgress,
        progressIntervalMs: progress?.intervalMs,
      });
    }
  } finally {
    progress?.done();
  }
  const analysisStart = performance.now();
  if (graph) {
    verdicts = checkLiveness(graph, { properties: liveNames, fairness });
    // The analysis takes memory of its own: if the run passed --max-memory, what it found holds stands unproven (a lasso found is still a violation).
    if (graph.stoppedBy === null && passedMemoryLimit(options.maxMemoryBytes)) {
      graph = { ...graph, complete: false, stoppedBy: 'max-memory' };
      verdicts = verdicts.map((v) => (v.status === 'holds' ? { ...v, status: 'unknown' } : v));
    }
  } else
    verdicts = (model.liveness ?? [])
      .filter((x) => liveNames.includes(x.name))
      .sort((x, y) => liveNames.indexOf(x.name) - liveNames.indexOf(y.name))
      .map((x) => ({ property: x.name, kind: x.kind, status: 'unknown', durationMs: 0 }));
  const analysisMs = performance.now() - analysisStart;

  const rows: VerdictRow[] = [];
  const traces: Trace[] = [];
  for (const p of safetyNames) {
    const v = safety?.violations.find((x) => x.property === p);
    const kind = model.invariants.some((x) => x.name === p) ? 'invariant' : 'step';
    rows.push(
      v ? { property: p, kind, verdict: 'violated', steps: v.schedule.length } : { property: p, kind, verdict: safety?.complete ? 'holds' : 'unknown' },
    );
  }
  if (safety && all && options.checkDeadlock) {
    const v = safety.violations.find((x) => x.kind === 'deadlock');
    rows.push(
      v
        ? { property: 'deadlock', kind: 'deadlock', verdict: 'violated', steps: v.schedule.length }
        : { property: 'deadlock', kind: 'deadlock', verdict: safety.complete ? 'holds' : 'unknown' },
    );
  }
  if (safety) for (const v of safety.violations) traces.push(traceOf(model, v));
  for (const v of verdicts) {
    const row: VerdictRow = { property: v.property, kind: v.kind, verdict: v.status };
    if (v.lasso) {
      const t = traceOfLasso(model, v);
      traces.push(t);
      row.steps = t.steps.length;
      row.loop = t.loop;
    }
    if (v.stuck) row.stuck = { steps: v.stuck.steps, reachable: v.stuck.reachable };
    rows.push(row);
  }
  const violated = rows.some((r) => r.verdict === 'violated' && r.kind !== 'deadlock');
  const deadlock = rows.some((r) => r.verdict === 'violated' && r.kind === 'deadlock');
  const unknown = rows.some((r) => r.verdict === 'unknown');
  const status: CheckResult['status'] = violated ? 'violation' : deadlock ? 'deadlock' : unknown ? 'incomplete' : 'ok';
  const groups = fairnessGroups(model, graph?.transitions ?? [], fairness).map((g) => g.label);
  const cost = graph ? { states: graph.size, edges: graph.edgeCount, bytes: graph.bytes, durationMs: graph.durationMs, analysisMs } : null;
  return { rows, safety, graph, verdicts, traces, status, cost, fairness: groups };
}

/** Runs `dnsmc check` for a property list that includes liveness properties (or `all`); resolves to the exit code. */
export async function runLivenessCheck(resolved: ResolvedModel, a: CheckFlags, io: Io): Promise<number> {
  const { model } = resolved;
  const outputs = checkOutputs(a, resolved.source.module);
  const start = performance.now();
  const o = await checkWithLiveness(model, a, io);
  const durationMs = performance.now() - start;
  await writeCheckOutputs(outputs, o.traces[0], model, resolved.source);
  const firstViolated = o.rows.find((r) => r.verdict === 'violated');
  const stopped = o.safety?.stoppedBy ?? o.graph?.stoppedBy ?? null;
  if (a.json === true) {
    const safety = o.safety ? (({ trace: _t, ...rest }) => rest)(checkReport(model, o.safety, [])) : undefined;
    const report: LivenessReport = {
      status: o.status,
      ...headFields(model),
      properties: o.rows.map((r) => r.property),
      fairness: o.fairness,
      property: firstViolated?.property ?? null,
      verdicts: o.rows,
      distinctStates: o.graph?.size ?? o.safety?.distinctStates ?? 0,
      diameter: o.graph?.diameter ?? o.safety?.diameter ?? 0,
      complete: (o.safety?.complete ?? true) && (o.graph?.complete ?? true),
      stoppedBy: stopped,
      durationMs: Math.round(durationMs * 10) / 10,
      peakMemoryBytes: peakRss(),
      graph: o.cost,
      ...(safety ? { safety } : {}),
      ...(o.traces.length > 0 ? { trace: o.traces[0] } : {}),
    };
    printJson(io, report);
    return exitCode(o.status);
  }
  const all = listFlag(a.property).includes('all');
  io.out(`${headerLine('check', headerOf(model))}\n`);
  io.out(`properties: ${o.rows.map((r) => r.property).join(', ')}\n`);
  if (o.verdicts.length > 0) io.out(`fairness: ${o.fairness.length > 0 ? o.fairness.join(', ') : 'none'}\n`);
  io.out('\n');
  if (!all) for (const t of o.traces) io.out(`${formatTrace(t, { render: model.render })}\n\n`);
  for (const l of verdictTable(o.rows)) io.out(`${l}\n`);
  if (all && o.traces.length > 0) io.out(`(check one property, e.g. --property ${firstViolated?.property}, to see its counterexample)\n`);
  io.out('\n');
  const verdictLine =
    o.status === 'ok'
      ? `No violation: ${o.rows.map((r) => r.property).join(', ')} hold${o.rows.length === 1 ? 's' : ''} in all ${int(o.graph?.size ?? o.safety?.distinctStates ?? 0)} reachable states.`
      : o.status === 'incomplete'
        ? `Incomplete: stopped by ${stopped}; ${o.rows
            .filter((r) => r.verdict === 'unknown')
            .map((r) => r.property)
            .join(', ')} unknown, no violation so far.`
        : `Violation: ${o.rows
            .filter((r) => r.verdict === 'violated')
            .map((r) => r.property)
            .join(', ')}.`;
  io.out(`${verdictLine}\n`);
  if (o.safety) for (const l of statsLines(o.safety)) io.out(`safety search: ${l}\n`);
  if (o.graph && o.cost) {
    io.out(
      `state graph: ${int(o.cost.states)} states, ${int(o.cost.edges)} edges${o.graph.complete ? '' : ` (incomplete: stopped by ${o.graph.stoppedBy})`}, ` +
        `stored in ${mb(o.cost.bytes)}, built in ${secs(o.cost.durationMs)}; liveness analysis ${secs(o.cost.analysisMs)}; ` +
        `peak memory ${mb(peakRss())}\n`,
    );
  }
  io.out(checkOutputLines(outputs, o.traces.length > 0));
  return exitCode(o.status);
}
