/**
 * `dnsmc merge FILE...`: combines the JSON reports of `dnsmc simulate
 * --swarm i/N --json` shards into the result of the whole job.
 *
 *  - runs, steps, accepted ends and action counts are summed;
 *  - for each property, the shortest (shrunk) violation over the shards is
 *    kept, with the shard that found it;
 *  - distinct states cannot be added up: two shards may see the same state,
 *    and the reports carry counts, not fingerprints. The merge reports the
 *    honest bounds: at least the largest shard's count, at most the sum;
 *  - shards missing from 1..N make the result incomplete (exit 3).
 * Every file is untrusted input: a file that cannot be read, is not a
 * shard report, or belongs to another job gets one line naming it (exit 2).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Model } from '../checker/model/model.js';
import { formatTrace } from '../traces/text.js';
import { isObj, parseTrace, TraceError, type Trace } from '../traces/trace.js';
import { printable, UsageError } from './errors.js';
import { int, secs } from './format.js';
import type { Io } from './io.js';
import { outputFlag, refuseOverwrite } from './flags.js';
import { modelFromTrace } from './model.js';
import { actionsLine, exitCode, headerLine, printJson, writeTrace } from './report.js';
import { MAX_SHARDS } from './flags.js';
import { loadTraceJson, readJsonInput } from './trace-file.js';
import type { MergeReport, MergedViolation, ShardReport } from './json-reports.js';

/** The flags of `dnsmc merge`, as yargs hands them over (unvalidated). */
export interface MergeArgs {
  files?: unknown;
  json?: unknown;
  traceOut?: unknown;
  /** The user model module the shards were made with: their traces are checked against it (dnsmc never loads code a file names). */
  model?: unknown;
}

const isWhole = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Reads and checks one shard report. Throws UsageError naming the file and the field. */
export function readShard(file: string): ShardReport {
  let j: unknown;
  try {
    j = readJsonInput(file, 'simulate report (write one with dnsmc simulate --swarm i/N --json > FILE)');
  } catch (e) {
    throw new UsageError(`merge: ${(e as Error).message}`);
  }
  const bad = (what: string): never => {
    throw new UsageError(`merge: ${file}: ${what}`);
  };
  if (!isObj(j) || j.command !== 'simulate') bad('not a simulate report (write one with dnsmc simulate --swarm i/N --json > FILE)');
  const r = j as Record<string, unknown>;
  if (!isObj(r.swarm)) bad('field swarm must be an object: not a swarm shard (run simulate with --swarm i/N)');
  const sw = r.swarm as Record<string, unknown>;
  for (const k of ['shard', 'of', 'seed', 'runs', 'depth']) if (!isWhole(sw[k])) bad(`field swarm.${k} must be a whole number`);
  if ((sw.of as number) < 1 || (sw.of as number) > MAX_SHARDS) bad(`field swarm.of must be from 1 to ${MAX_SHARDS}`);
  if ((sw.shard as number) < 1 || (sw.shard as number) > (sw.of as number)) bad('field swarm.shard must be from 1 to swarm.of');
  if (typeof r.model !== 'string') bad('field model must be a string');
  if (r.variant !== null && typeof r.variant !== 'string') bad('field variant must be a string or null');
  if (r.module !== null && typeof r.module !== 'string') bad('field module must be a string or null');
  if (!isObj(r.params)) bad('field params must be an object');
  if (!Array.isArray(r.properties) || !r.properties.every((p) => typeof p === 'string')) bad('field properties must be an array of names');
  if (!['ok', 'violation', 'deadlock', 'incomplete'].includes(r.status as string)) bad('field status must be ok, violation, deadlock or incomplete');
  for (const k of ['runs', 'steps', 'distinctStates', 'terminalRuns', 'longestRun']) if (!isWhole(r[k])) bad(`field ${k} must be a whole number`);
  if (typeof r.durationMs !== 'number' || !(r.durationMs >= 0)) bad('field durationMs must be a number');
  if (!isObj(r.actions) || !Object.values(r.actions).every(isWhole)) bad('field actions must map action names to counts');
  if (!Array.isArray(r.violations)) bad('field violations must be an array');
  (r.violations as unknown[]).forEach((v, i) => {
    if (!isObj(v) || typeof v.property !== 'string' || !['invariant', 'step', 'deadlock'].includes(v.kind as string)) {
      bad(`violations[${i}] must have a property and a kind`);
    }
    const o = v as Record<string, unknown>;
    for (const k of ['run', 'runSeed', 'foundLength', 'length']) if (!isWhole(o[k])) bad(`violations[${i}].${k} must be a whole number`);
    try {
      const t = parseTrace(o.trace);
      if (t.steps.length !== o.length) bad(`violations[${i}].trace has ${t.steps.length} steps, but length says ${String(o.length)}`);
    } catch (e) {
      if (e instanceof TraceError) bad(`violations[${i}].${e.message}`);
      throw e;
    }
  });
  return j as unknown as ShardReport;
}

/** Merges shard reports (already read) into the job's report. Throws UsageError when they are not shards of one job. */
export function mergeReports(shards: readonly { file: string; report: ShardReport }[]): MergeReport {
  if (shards.length === 0) throw new UsageError('merge: give at least one shard report');
  const first = shards[0];
  const job = (r: ShardReport): string =>
    JSON.stringify([r.model, r.variant, r.params, r.module, r.properties, r.schedulerName, r.swarm.of, r.swarm.seed, r.swarm.runs, r.swarm.depth]);
  const seen = new Map<number, string>();
  for (const { file, report } of shards) {
    if (job(report) !== job(first.report)) {
      throw new UsageError(
        `merge: ${file} is not a shard of the same job as ${first.file} (model, variant, parameters, properties, scheduler, N, seed, runs and depth must all agree)`,
      );
    }
    const other = seen.get(report.swarm.shard);
    if (other !== undefined) throw new UsageError(`merge: ${file} and ${other} are both shard ${report.swarm.shard}/${report.swarm.of}`);
    seen.set(report.swarm.shard, file);
  }
  const r0 = first.report;
  const of = r0.swarm.of;
  const numbers = [...seen.keys()].sort((a, b) => a - b);
  const missing: number[] = [];
  for (let k = 1; k <= of; k++) if (!seen.has(k)) missing.push(k);
  const ordered = [...shards].sort((a, b) => a.report.swarm.shard - b.report.swarm.shard).map((s) => s.report);
  const actions: Record<string, number> = {};
  for (const r of ordered) for (const [a, n] of Object.entries(r.actions)) actions[a] = (actions[a] ?? 0) + n;
  const best = new Map<string, MergedViolation>();
  for (const r of ordered) {
    for (const v of r.violations) {
      const kept = best.get(v.property);
      if (!kept || v.length < kept.length) {
        best.set(v.property, {
          property: v.property,
          kind: v.kind,
          shard: r.swarm.shard,
          run: v.run,
          runSeed: v.runSeed,
          foundLength: v.foundLength,
          length: v.length,
          trace: v.trace,
        });
      }
    }
  }
  const violations = [...best.values()].sort((a, b) => a.length - b.length || a.shard - b.shard);
  const incompleteShards = ordered.filter((r) => r.status === 'incomplete').map((r) => r.swarm.shard);
  const propertyViolations = violations.filter((v) => v.kind !== 'deadlock');
  const status: MergeReport['status'] =
    propertyViolations.length > 0 ? 'violation' : violations.length > 0 ? 'deadlock' : missing.length > 0 || incompleteShards.length > 0 ? 'incomplete' : 'ok';
  const per = ordered.map((r) => r.distinctStates);
  return {
    command: 'merge',
    status,
    model: r0.model,
    variant: r0.variant,
    params: r0.params,
    module: r0.module,
    properties: r0.properties,
    property: propertyViolations[0]?.property ?? violations[0]?.property ?? null,
    seed: r0.swarm.seed,
    of,
    shards: numbers,
    missing,
    runs: ordered.reduce((s, r) => s + r.runs, 0),
    steps: ordered.reduce((s, r) => s + r.steps, 0),
    terminalRuns: ordered.reduce((s, r) => s + r.terminalRuns, 0),
    longestRun: Math.max(...ordered.map((r) => r.longestRun)),
    distinctStatesAtLeast: Math.max(...per),
    distinctStatesAtMost: per.reduce((s, n) => s + n, 0),
    distinctStatesPerShard: per,
    durationMsTotal: Math.round(ordered.reduce((s, r) => s + r.durationMs, 0) * 10) / 10,
    durationMsMax: Math.max(...ordered.map((r) => r.durationMs)),
    actions,
    unfired: Object.entries(actions)
      .filter(([, n]) => n === 0)
      .map(([a]) => a),
    incompleteShards,
    violations,
  };
}

/**
 * Refuses a kept violation whose trace was not made under the job's model:
 * another model, variant, module or parameters, or a property the job did
 * not check. The trace is then replayed under exactly the job's model.
 */
function refuseOtherJob(v: MergedViolation, m: MergeReport, file: string): void {
  const t = v.trace;
  const differs = (field: string, theirs: unknown, ours: unknown): never => {
    const show = (x: unknown): string => (x === undefined ? 'none' : printable(JSON.stringify(x) ?? String(x)));
    throw new UsageError(
      `merge: ${file}: the trace of ${v.property} was made with ${field} ${show(theirs)}, not the job's ${show(ours)}; a shard's violation must replay under the job's own model`,
    );
  };
  if (v.property !== t.property) differs('property', t.property, v.property);
  if (t.model !== m.model) differs('model', t.model, m.model);
  if ((t.variant ?? null) !== (m.variant ?? null)) differs('variant', t.variant ?? null, m.variant ?? null);
  if ((t.module ?? null) !== (m.module ?? null)) differs('module', t.module ?? null, m.module ?? null);
  if (!isDeepStrictEqual(t.params, m.params)) differs('parameters', t.params, m.params);
  if (v.kind !== 'deadlock' && !m.properties.includes(v.property)) differs('property', v.property, m.properties.join('|'));
}

/** How many shard numbers a line lists before it summarises the rest. */
const SHOWN_SHARDS = 10;

/** Shard numbers for a line: all of them when few, else the first few and how many more (`2, 3, 4, … (and 99,994 more)`). */
export function someOf(shards: readonly number[]): string {
  if (shards.length <= SHOWN_SHARDS) return shards.join(', ');
  return `${shards.slice(0, SHOWN_SHARDS).join(', ')}, … (and ${int(shards.length - SHOWN_SHARDS)} more)`;
}

/** The render function of the model a trace names, when dnsmc can rebuild it without loading code (the built-in model). */
async function renderFor(t: Trace): Promise<Model['render']> {
  if (t.module !== undefined) return undefined;
  try {
    return (await modelFromTrace(t)).model.render;
  } catch {
    return undefined;
  }
}

/** Runs `dnsmc merge` and resolves to its exit code. */
export async function runMerge(a: MergeArgs, io: Io): Promise<number> {
  const files = (Array.isArray(a.files) ? a.files : a.files === undefined ? [] : [a.files]).map(String);
  if (files.length === 0) throw new UsageError('merge: give the shard reports to merge (files written by dnsmc simulate --swarm i/N --json)');
  const traceOut = outputFlag('trace-out', a.traceOut);
  refuseOverwrite(
    [['trace-out', traceOut]],
    files.map((f) => ['a shard report', f] as const),
  );
  const shards = files.map((file) => ({ file, report: readShard(file) }));
  const m = mergeReports(shards);
  // Each kept counterexample is checked like a trace file: re-derived from the model, or refused naming its shard.
  for (const v of m.violations) {
    const file = shards.find((s) => s.report.swarm?.shard === v.shard)?.file ?? `shard ${v.shard}`;
    // The trace names the model it replays under: it must be the job's own, or a fixed job could be shown another variant's violation.
    refuseOtherJob(v, m, file);
    const { trace } = await loadTraceJson(v.trace, file, { model: a.model });
    if (trace.property !== v.property || trace.kind !== v.kind || trace.steps.length !== v.length)
      throw new UsageError(`merge: ${file}: the trace of ${v.property} is not the violation the report lists`);
  }
  if (traceOut && m.violations.length > 0) writeTrace(traceOut, m.violations[0].trace);
  const code = exitCode(m.status);
  if (a.json === true) {
    printJson(io, m);
    return code;
  }
  io.out(`${headerLine('merge', m)}\n`);
  io.out(
    `job seed ${m.seed}; shards ${someOf(m.shards)} of ${int(m.of)}${m.missing.length > 0 ? `; MISSING ${int(m.missing.length)} of ${int(m.of)}: ${someOf(m.missing)}` : ''}\n\n`,
  );
  for (const v of m.violations) {
    io.out(
      `shortest ${v.property === 'deadlock' ? 'deadlock' : `${v.property} violation`}: shard ${v.shard}, run ${v.run}, ${v.foundLength} steps shrunk to ${v.length}\n`,
    );
    io.out(`${formatTrace(v.trace, { render: await renderFor(v.trace) })}\n\n`);
  }
  const verdict =
    m.violations.length > 0
      ? `${m.status === 'deadlock' ? 'Deadlock' : 'Violation'}: ${m.violations.map((v) => `${v.property} (shortest ${v.length} steps, shard ${v.shard})`).join('; ')}.`
      : m.status === 'incomplete'
        ? `Incomplete: ${m.missing.length > 0 ? `missing ${int(m.missing.length)} of ${int(m.of)} shard${m.of === 1 ? '' : 's'}: ${someOf(m.missing)}` : ''}${m.missing.length > 0 && m.incompleteShards.length > 0 ? '; ' : ''}${m.incompleteShards.length > 0 ? `shard${m.incompleteShards.length === 1 ? '' : 's'} ${someOf(m.incompleteShards)} stopped by a time limit` : ''}; no violation so far.`
        : `No violation in ${int(m.runs)} runs over ${m.shards.length} shard${m.shards.length === 1 ? '' : 's'}: ${m.properties.join(', ')} held at every step.`;
  io.out(`${verdict}\n`);
  io.out(
    `${int(m.runs)} runs, ${int(m.steps)} steps, ${int(m.terminalRuns)} runs reached an accepted end, longest run ${m.longestRun} steps; ` +
      `distinct states between ${int(m.distinctStatesAtLeast)} and ${int(m.distinctStatesAtMost)} (shards: ${m.distinctStatesPerShard.map(int).join(', ')}; ` +
      `states seen by several shards cannot be told apart from counts); ${secs(m.durationMsTotal)} in all, longest shard ${secs(m.durationMsMax)}\n`,
  );
  io.out(`${actionsLine(m.actions)}\n`);
  if (traceOut && m.violations.length > 0) io.out(`trace written to ${traceOut}\n`);
  return code;
}
