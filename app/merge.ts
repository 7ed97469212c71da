/**
 * `dnsmc merge FILE...`: combines the JSON reports of `dnsmc simulate
 * --swarm i/N --json` shards, or of `dnsmc check --swarm i/N --json`
 * shards, into the result of the whole job.
 *
 *  - runs, steps, accepted ends and action counts are summed;
 *  - for each property, the shortest (shrunk) violation over the shards is
 *    kept, with the shard that found it;
 *  - distinct states cannot be added up: two shards may see the same state,
 *    and the reports carry counts, not fingerprints. The merge reports the
 *    honest bounds: at least the largest shard's count, at most the sum;
 *  - shards missing from 1..N make the result incomplete (exit 3);
 *  - check shards (bitstate searches) carry sketches of the fingerprints
 *    they stored: the merge estimates from them how many states the shards
 *    stored together, how far they overlap, and (Chao2) how many states are
 *    reachable, and sums what their bit arrays are expected to have omitted.
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
import type { CheckMergeReport, CheckShardReport, MergeReport, MergedViolation, ShardReport } from './json-reports.js';
import { SKETCH_RANGE, sketchEstimate } from '../checker/explore/bitstate.js';
import { mb } from './format.js';
import { bySeverity, severityOf } from './severity.js';

/** The flags of `dnsmc merge`, as yargs hands them over (unvalidated). */
export interface MergeArgs {
  files?: unknown;
  json?: unknown;
  traceOut?: unknown;
  /** The user model module the shards were made with: their traces are checked against it (dnsmc never loads code a file names). */
  model?: unknown;
}

const isWhole = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** What `merge` reads: a shard of simulate or of check. */
const SHARD_HINT = 'write one with dnsmc simulate --swarm i/N --json > FILE or dnsmc check --swarm i/N --json > FILE';

/** A shard report read from a file. */
export type AnyShard = { readonly kind: 'simulate'; readonly report: ShardReport } | { readonly kind: 'check'; readonly report: CheckShardReport };

/** Reads and checks one simulate shard report. Throws UsageError naming the file and the field. */
export function readShard(file: string): ShardReport {
  const s = readAnyShard(file);
  if (s.kind !== 'simulate') throw new UsageError(`merge: ${file}: not a simulate report (${SHARD_HINT})`);
  return s.report;
}

/** Reads and checks one shard report, of simulate or of check. Throws UsageError naming the file and the field. */
export function readAnyShard(file: string): AnyShard {
  let j: unknown;
  try {
    j = readJsonInput(file, `shard report (${SHARD_HINT})`);
  } catch (e) {
    throw new UsageError(`merge: ${e instanceof Error ? e.message : String(e)}`);
  }
  const bad = (what: string): never => {
    throw new UsageError(`merge: ${file}: ${what}`);
  };
  if (!isObj(j) || (j.command !== 'simulate' && j.command !== 'check')) bad(`not a simulate report or a check --swarm report (${SHARD_HINT})`);
  const r = j as Record<string, unknown>;
  const kind = r.command as 'simulate' | 'check';
  if (!isObj(r.swarm)) bad(`field swarm must be an object: not a swarm shard (run ${kind} with --swarm i/N)`);
  const sw = r.swarm as Record<string, unknown>;
  const swarmFields = kind === 'simulate' ? ['shard', 'of', 'seed', 'runs', 'depth'] : ['shard', 'of', 'seed', 'bitstateBytes', 'hashes', 'maxDepth'];
  for (const k of swarmFields) if (!isWhole(sw[k])) bad(`field swarm.${k} must be a whole number`);
  if ((sw.of as number) < 1 || (sw.of as number) > MAX_SHARDS) bad(`field swarm.of must be from 1 to ${MAX_SHARDS}`);
  if ((sw.shard as number) < 1 || (sw.shard as number) > (sw.of as number)) bad('field swarm.shard must be from 1 to swarm.of');
  if (typeof r.model !== 'string') bad('field model must be a string');
  if (r.variant !== null && typeof r.variant !== 'string') bad('field variant must be a string or null');
  if (r.module !== null && typeof r.module !== 'string') bad('field module must be a string or null');
  if (!isObj(r.params)) bad('field params must be an object');
  if (!Array.isArray(r.properties) || !r.properties.every((p) => typeof p === 'string')) bad('field properties must be an array of names');
  if (!['ok', 'violation', 'deadlock', 'incomplete'].includes(r.status as string)) bad('field status must be ok, violation, deadlock or incomplete');
  const counts =
    kind === 'simulate'
      ? (['runs', 'steps', 'distinctStates', 'terminalRuns', 'longestRun'] satisfies (keyof ShardReport)[])
      : (['distinctStates', 'generatedStates', 'deepest', 'truncated'] satisfies (keyof CheckShardReport)[]);
  for (const k of counts) if (!isWhole(r[k])) bad(`field ${k} must be a whole number`);
  if (typeof r.durationMs !== 'number' || !(r.durationMs >= 0)) bad('field durationMs must be a number');
  if (!isObj(r.actions) || !Object.values(r.actions).every(isWhole)) bad('field actions must map action names to counts');
  if (kind === 'check') checkShardFields(r, bad);
  if (!Array.isArray(r.violations)) bad('field violations must be an array');
  (r.violations as unknown[]).forEach((v, i) => {
    if (!isObj(v) || typeof v.property !== 'string' || !['invariant', 'step', 'deadlock'].includes(v.kind as string)) {
      bad(`violations[${i}] must have a property and a kind`);
    }
    const o = v as Record<string, unknown>;
    const whole = kind === 'simulate' ? ['run', 'runSeed', 'foundLength', 'length'] : ['foundLength', 'length'];
    for (const k of whole) if (!isWhole(o[k])) bad(`violations[${i}].${k} must be a whole number`);
    try {
      const t = parseTrace(o.trace);
      if (t.steps.length !== o.length) bad(`violations[${i}].trace has ${t.steps.length} steps, but length says ${String(o.length)}`);
    } catch (e) {
      if (e instanceof TraceError) bad(`violations[${i}].${e.message}`);
      throw e;
    }
  });
  return kind === 'simulate' ? { kind, report: j as unknown as ShardReport } : { kind, report: j as unknown as CheckShardReport };
}

type Bitstate = keyof CheckShardReport['bitstate'];

/** The fields only a check shard has: its bit array's figures and its sketch. */
function checkShardFields(r: Record<string, unknown>, bad: (what: string) => never): void {
  if (typeof r.ended !== 'boolean') bad('field ended must be true or false');
  if (r.stoppedBy !== null && typeof r.stoppedBy !== 'string') bad('field stoppedBy must be a string or null');
  if (!isWhole(r.peakMemoryBytes)) bad('field peakMemoryBytes must be a whole number');
  if (!isObj(r.bitstate)) bad('field bitstate must be an object');
  const b = r.bitstate as Record<string, unknown>;
  for (const k of ['bytes', 'bits', 'hashes', 'bitsSet'] satisfies Bitstate[]) if (!isWhole(b[k])) bad(`field bitstate.${k} must be a whole number`);
  for (const k of ['fill', 'hashFactor', 'omissionProbability', 'expectedOmissions'] satisfies Bitstate[]) {
    if (typeof b[k] !== 'number' || !((b[k] as number) >= 0)) bad(`field bitstate.${k} must be a number of at least 0`);
  }
  if (!isObj(r.sketch) || !isWhole(r.sketch.size) || r.sketch.size < 1 || !Array.isArray(r.sketch.keys)) bad('field sketch must be {size, keys}');
  const sk = r.sketch as { size: number; keys: unknown[] };
  if (sk.keys.length > sk.size) bad(`field sketch.keys has ${sk.keys.length} keys, more than sketch.size ${sk.size}`);
  sk.keys.forEach((k, i) => {
    if (!isWhole(k) || k >= SKETCH_RANGE || (i > 0 && k <= (sk.keys[i - 1] as number)))
      bad(`field sketch.keys[${i}] must be a whole number below 2^53, greater than the one before`);
  });
}

/** The shards of one job, checked: no two of another job, no shard twice; their numbers, the ones missing, and the reports in shard order. */
function jobShards<R extends { swarm: { shard: number; of: number } }>(
  shards: readonly { file: string; report: R }[],
  job: (r: R) => string,
  agree: string,
): { numbers: number[]; missing: number[]; ordered: R[] } {
  if (shards.length === 0) throw new UsageError('merge: give at least one shard report');
  const first = shards[0];
  const seen = new Map<number, string>();
  for (const { file, report } of shards) {
    if (job(report) !== job(first.report)) throw new UsageError(`merge: ${file} is not a shard of the same job as ${first.file} (${agree} must all agree)`);
    const other = seen.get(report.swarm.shard);
    if (other !== undefined) throw new UsageError(`merge: ${file} and ${other} are both shard ${report.swarm.shard}/${report.swarm.of}`);
    seen.set(report.swarm.shard, file);
  }
  const of = first.report.swarm.of;
  const missing: number[] = [];
  for (let k = 1; k <= of; k++) if (!seen.has(k)) missing.push(k);
  return {
    numbers: [...seen.keys()].sort((a, b) => a - b),
    missing,
    ordered: [...shards].sort((a, b) => a.report.swarm.shard - b.report.swarm.shard).map((s) => s.report),
  };
}

/** Per property, the shortest violation over the shards (in shard order, the first of equal lengths). */
function shortestViolations<V extends { property: string; kind: MergedViolation['kind']; length: number; foundLength: number; trace: Trace }>(
  ordered: readonly { swarm: { shard: number }; violations: readonly V[] }[],
  extra: (v: V) => Partial<MergedViolation>,
): MergedViolation[] {
  const best = new Map<string, MergedViolation>();
  for (const r of ordered) {
    for (const v of r.violations) {
      const kept = best.get(v.property);
      if (!kept || v.length < kept.length) {
        best.set(v.property, {
          property: v.property,
          kind: v.kind,
          shard: r.swarm.shard,
          ...extra(v),
          foundLength: v.foundLength,
          length: v.length,
          trace: v.trace,
        });
      }
    }
  }
  return [...best.values()];
}

/** Action counts summed over the shards, and the actions none fired. */
function summedActions(ordered: readonly { actions: Record<string, number> }[]): { actions: Record<string, number>; unfired: string[] } {
  const actions: Record<string, number> = {};
  for (const r of ordered) for (const [a, n] of Object.entries(r.actions)) actions[a] = (actions[a] ?? 0) + n;
  return {
    actions,
    unfired: Object.entries(actions)
      .filter(([, n]) => n === 0)
      .map(([a]) => a),
  };
}

/** The status of a merge: a property violation, else a deadlock, else incomplete (shards missing or stopped early), else ok. */
function mergedStatus(violations: readonly MergedViolation[], incomplete: boolean): MergeReport['status'] {
  if (violations.some((v) => v.kind !== 'deadlock')) return 'violation';
  if (violations.length > 0) return 'deadlock';
  return incomplete ? 'incomplete' : 'ok';
}

/** Merges simulate shard reports (already read) into the job's report. Throws UsageError when they are not shards of one job. */
export function mergeReports(shards: readonly { file: string; report: ShardReport }[]): MergeReport {
  const { numbers, missing, ordered } = jobShards(
    shards,
    (r) => JSON.stringify([r.model, r.variant, r.params, r.module, r.properties, r.schedulerName, r.swarm.of, r.swarm.seed, r.swarm.runs, r.swarm.depth]),
    'model, variant, parameters, properties, scheduler, N, seed, runs and depth',
  );
  const r0 = ordered[0];
  const { actions, unfired } = summedActions(ordered);
  const violations = shortestViolations(ordered, (v) => ({ run: v.run, runSeed: v.runSeed })).sort((a, b) => a.length - b.length || a.shard - b.shard);
  const incompleteShards = ordered.filter((r) => r.status === 'incomplete').map((r) => r.swarm.shard);
  const propertyViolations = violations.filter((v) => v.kind !== 'deadlock');
  const per = ordered.map((r) => r.distinctStates);
  return {
    command: 'merge',
    status: mergedStatus(violations, missing.length > 0 || incompleteShards.length > 0),
    model: r0.model,
    variant: r0.variant,
    params: r0.params,
    module: r0.module,
    properties: r0.properties,
    property: propertyViolations[0]?.property ?? violations[0]?.property ?? null,
    seed: r0.swarm.seed,
    of: r0.swarm.of,
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
    unfired,
    incompleteShards,
    violations,
  };
}

/**
 * Merges check shard reports (already read): per property the shortest
 * shrunk violation, most severe first (each shard lists its own most severe
 * first; `order` is the package's severity order), states per shard, and
 * the estimates from the sketches. Throws UsageError when they are not
 * shards of one job.
 */
export function mergeCheckReports(shards: readonly { file: string; report: CheckShardReport }[], order: readonly string[] = []): CheckMergeReport {
  const { numbers, missing, ordered } = jobShards(
    shards,
    (r) =>
      JSON.stringify([
        r.model,
        r.variant,
        r.params,
        r.module,
        r.properties,
        r.swarm.of,
        r.swarm.seed,
        r.swarm.bitstateBytes,
        r.swarm.hashes,
        r.swarm.maxDepth,
        r.sketch.size,
      ]),
    'model, variant, parameters, properties, N, seed, bitstate size, bits per state and depth limit',
  );
  const r0 = ordered[0];
  const { actions, unfired } = summedActions(ordered);
  const violations = bySeverity(
    order,
    shortestViolations(ordered, () => ({})).sort((a, b) => a.length - b.length || a.shard - b.shard),
  );
  const incompleteShards = ordered.filter((r) => r.stoppedBy !== null).map((r) => r.swarm.shard);
  const est = sketchEstimate(
    ordered.map((r) => r.sketch.keys),
    r0.sketch.size,
  );
  const per = ordered.map((r) => r.distinctStates);
  return {
    command: 'merge',
    kind: 'check',
    status: mergedStatus(violations, missing.length > 0 || incompleteShards.length > 0),
    model: r0.model,
    variant: r0.variant,
    params: r0.params,
    module: r0.module,
    properties: r0.properties,
    property: violations[0]?.property ?? null,
    seed: r0.swarm.seed,
    of: r0.swarm.of,
    bitstateBytes: r0.swarm.bitstateBytes,
    hashes: r0.swarm.hashes,
    maxDepth: r0.swarm.maxDepth,
    shards: numbers,
    missing,
    perShard: ordered.map((r, i) => ({
      shard: r.swarm.shard,
      distinctStates: r.distinctStates,
      generatedStates: r.generatedStates,
      deepest: r.deepest,
      truncated: r.truncated,
      ended: r.ended,
      stoppedBy: r.stoppedBy,
      durationMs: r.durationMs,
      peakMemoryBytes: r.peakMemoryBytes,
      hashFactor: r.bitstate.hashFactor,
      fill: r.bitstate.fill,
      omissionProbability: r.bitstate.omissionProbability,
      expectedOmissions: r.bitstate.expectedOmissions,
      share: est.shares[i],
    })),
    distinctStatesAtLeast: Math.max(...per),
    distinctStatesAtMost: per.reduce((s, n) => s + n, 0),
    statesTogether: est.union,
    statesTogetherExact: est.exact,
    seenByOneShard: est.seenByOne,
    seenByAllShards: est.seenByAll,
    reachableEstimate: est.reachable,
    coverageEstimate: est.reachable === null || est.reachable === 0 ? null : est.union / est.reachable,
    expectedOmissions: ordered.reduce((s, r) => s + r.bitstate.expectedOmissions, 0),
    generatedStates: ordered.reduce((s, r) => s + r.generatedStates, 0),
    durationMsTotal: Math.round(ordered.reduce((s, r) => s + r.durationMs, 0) * 10) / 10,
    durationMsMax: Math.max(...ordered.map((r) => r.durationMs)),
    actions,
    unfired,
    incompleteShards,
    violations,
  };
}

/**
 * Refuses a kept violation whose trace was not made under the job's model:
 * another model, variant, module or parameters, or a property the job did
 * not check. The trace is then replayed under exactly the job's model.
 */
function refuseOtherJob(v: MergedViolation, m: Pick<MergeReport, 'model' | 'variant' | 'module' | 'params' | 'properties'>, file: string): void {
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
  if (files.length === 0) throw new UsageError(`merge: give the shard reports to merge (files written by dnsmc simulate|check --swarm i/N --json)`);
  const traceOut = outputFlag('trace-out', a.traceOut);
  refuseOverwrite(
    [['trace-out', traceOut]],
    files.map((f) => ['a shard report', f] as const),
  );
  const read = files.map((file) => ({ file, shard: readAnyShard(file) }));
  const other = read.find((r) => r.shard.kind !== read[0].shard.kind);
  if (other) {
    throw new UsageError(`merge: ${other.file} is a ${other.shard.kind} shard and ${read[0].file} a ${read[0].shard.kind} shard; merge the shards of one job`);
  }
  const sims = read.flatMap(({ file, shard }) => (shard.kind === 'simulate' ? [{ file, report: shard.report }] : []));
  const checks = read.flatMap(({ file, shard }) => (shard.kind === 'check' ? [{ file, report: shard.report }] : []));
  let m: MergeReport | CheckMergeReport = checks.length > 0 ? mergeCheckReports(checks) : mergeReports(sims);
  // Each kept counterexample is checked like a trace file: re-derived from the model, or refused naming its shard.
  let loaded: Awaited<ReturnType<typeof loadTraceJson>> | undefined;
  for (const v of m.violations) {
    const file = read.find((s) => s.shard.report.swarm.shard === v.shard)?.file ?? `shard ${v.shard}`;
    // The trace names the model it replays under: it must be the job's own, or a fixed job could be shown another variant's violation.
    refuseOtherJob(v, m, file);
    loaded = await loadTraceJson(v.trace, file, { model: a.model });
    const { trace } = loaded;
    if (trace.property !== v.property || trace.kind !== v.kind || trace.steps.length !== v.length)
      throw new UsageError(`merge: ${file}: the trace of ${v.property} is not the violation the report lists`);
  }
  // Check shards' violations are ordered as check orders them: the most severe first, by the package's order.
  if (checks.length > 0 && loaded?.source) m = mergeCheckReports(checks, severityOf(loaded.source.pkg, loaded.model));
  if (traceOut && m.violations.length > 0) writeTrace(traceOut, m.violations[0].trace);
  const code = exitCode(m.status);
  if (a.json === true) {
    printJson(io, m);
    return code;
  }
  if ('kind' in m) {
    await printCheckMerge(io, m, traceOut);
    return code;
  }
  io.out(`${headerLine('merge', m)}\n`);
  io.out(
    `job seed ${m.seed}; shards ${someOf(m.shards)} of ${int(m.of)}${m.missing.length > 0 ? `; MISSING ${int(m.missing.length)} of ${int(m.of)}: ${someOf(m.missing)}` : ''}\n\n`,
  );
  for (const v of m.violations) {
    io.out(
      `shortest ${v.property === 'deadlock' ? 'deadlock' : `${v.property} violation`}: shard ${v.shard}, run ${v.run ?? 0}, ${v.foundLength} steps shrunk to ${v.length}\n`,
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

/** A fraction as a percentage for a line: `87%`, `0.012%`. */
const pct = (x: number): string => `${x === 0 ? '0' : x >= 0.1 ? (100 * x).toFixed(0) : (100 * x).toPrecision(2)}%`;

/** The text report of a merge of check shards. */
async function printCheckMerge(io: Io, m: CheckMergeReport, traceOut: string | undefined): Promise<void> {
  io.out(`${headerLine('merge', m)}\n`);
  io.out(
    `check --swarm, job seed ${m.seed}; shards ${someOf(m.shards)} of ${int(m.of)}${m.missing.length > 0 ? `; MISSING ${int(m.missing.length)} of ${int(m.of)}: ${someOf(m.missing)}` : ''}; ` +
      `bitstate ${mb(m.bitstateBytes)} per shard, ${m.hashes} bits per state, depth limit ${int(m.maxDepth)}\n\n`,
  );
  for (const v of m.violations) {
    io.out(
      `shortest ${v.property === 'deadlock' ? 'deadlock' : `${v.property} violation`}: shard ${v.shard}, a search path of ${v.foundLength} steps shrunk to ${v.length}\n`,
    );
    io.out(`${formatTrace(v.trace, { render: await renderFor(v.trace) })}\n\n`);
  }
  const stopped = m.incompleteShards.length > 0 ? `shard${m.incompleteShards.length === 1 ? '' : 's'} ${someOf(m.incompleteShards)} stopped by a limit` : '';
  const verdict =
    m.violations.length > 0
      ? `${m.status === 'deadlock' ? 'Deadlock' : 'Violation'}: ${m.violations.map((v) => `${v.property} (shortest ${v.length} steps, shard ${v.shard})`).join('; ')}.`
      : m.status === 'incomplete'
        ? `Incomplete: ${[m.missing.length > 0 ? `missing ${int(m.missing.length)} of ${int(m.of)} shards: ${someOf(m.missing)}` : '', stopped].filter(Boolean).join('; ')}; no violation so far.`
        : `No violation found by ${m.shards.length} shard${m.shards.length === 1 ? '' : 's'}: a partial search (see the coverage below); ${m.properties.join(', ')} held in every state stored.`;
  io.out(`${verdict}\n`);
  for (const p of m.perShard.slice(0, SHOWN_SHARDS)) {
    io.out(
      `shard ${p.shard}: ${int(p.distinctStates)} states stored, deepest ${int(p.deepest)}, ${p.stoppedBy ? `stopped by ${p.stoppedBy}` : p.ended ? 'search ended' : 'stopped at a violation'}` +
        `${p.truncated > 0 ? ` (${int(p.truncated)} states at the depth limit not expanded)` : ''}; hash factor ${p.hashFactor.toFixed(1)}, ` +
        `omission probability ${p.omissionProbability.toExponential(2)}, expected omissions ${p.expectedOmissions.toExponential(2)}; ${secs(p.durationMs)}, peak memory ${mb(p.peakMemoryBytes)}\n`,
    );
  }
  if (m.perShard.length > SHOWN_SHARDS) io.out(`(and ${int(m.perShard.length - SHOWN_SHARDS)} more shards: see --json)\n`);
  io.out(
    `states: ${int(m.distinctStatesAtMost)} stored over the shards (the largest shard ${int(m.distinctStatesAtLeast)}); ` +
      `${m.statesTogetherExact ? '' : 'about '}${int(m.statesTogether)} distinct together (from the shards' fingerprint sketches); ` +
      `${pct(m.seenByOneShard)} of them stored by one shard only, ${pct(m.seenByAllShards)} by all\n`,
  );
  io.out(
    m.reachableEstimate === null || m.coverageEstimate === null
      ? m.shards.length < 2
        ? 'coverage: one shard cannot estimate the states it did not reach; merge several\n'
        : `coverage: no estimate: the shards overlap too little (no sketched state was stored by exactly two shards), so the space is much larger than what they stored; ` +
          `the bit arrays are expected to have omitted ${m.expectedOmissions.toExponential(2)} states in all\n`
      : `coverage: at most about ${pct(m.coverageEstimate)} of an estimated ${int(m.reachableEstimate)} reachable states or more (Chao2 over the sketches, a lower bound); ` +
          `the bit arrays are expected to have omitted ${m.expectedOmissions.toExponential(2)} states in all\n`,
  );
  io.out(`${int(m.generatedStates)} transitions; ${secs(m.durationMsTotal)} in all, longest shard ${secs(m.durationMsMax)}\n`);
  io.out(`${actionsLine(m.actions)}\n`);
  if (traceOut && m.violations.length > 0) io.out(`trace written to ${traceOut}\n`);
}
