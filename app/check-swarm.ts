/**
 * `dnsmc check --swarm i/N --bitstate MiB`: one shard of a swarm
 * verification (Holzmann's method) for state spaces too large to store. The
 * shard runs a depth-first bitstate search (checker/explore/bitstate.ts)
 * with a bit array of the given size, hash functions seeded from (seed, i)
 * and, for every shard but the first, a successor order seeded from
 * (seed, i); shards never talk to each other. Each violation's path is
 * shrunk (as `simulate` shrinks its walks) before it is reported; `dnsmc
 * merge` combines the shards' `--json` reports.
 */
import { bitstateSearchAsync, DEFAULT_HASHES, type BitstateResult } from '../checker/explore/bitstate.js';
import type { Violation } from '../checker/explore/bfs.js';
import { propertyNames, type Model } from '../checker/model/model.js';
import { baseModel, describeObservedBy, observedBy } from '../checker/package/scenario.js';
import { deriveSeed } from '../checker/random/random.js';
import { shrinkViolation } from '../checker/random/shrink.js';
import { formatTrace } from '../traces/text.js';
import { recordObservers, traceOf, type Trace } from '../traces/trace.js';
import { UsageError } from './errors.js';
import { checkOutputLines, writeCheckOutputs } from './check-outputs.js';
import { seedFlag, swarmFlag, wholeFlag } from './flags.js';
import { int, mb, secs } from './format.js';
import { interruptible, SIGNAL_EXIT } from './interrupt.js';
import type { Io } from './io.js';
import { headFields, type CheckShardReport } from './json-reports.js';
import type { ResolvedModel } from './model.js';
import { checkOutputs, limitFlags, propertiesFlag, wantsLiveness, type CheckFlags } from './options.js';
import { progressReporter } from './progress.js';
import { actionsLine, exitCode, headerLine, headerOf, printJson } from './report.js';
import { rankOf, severityOf } from './severity.js';

/** The flags a swarm shard adds to `dnsmc check`'s. */
export interface SwarmFlags {
  swarm?: unknown;
  bitstate?: unknown;
  seed?: unknown;
}

/** The most MiB `--bitstate` takes: the largest typed array (2^32 - 1 words) is just under 16 GiB. */
export const MAX_BITSTATE_MIB = 16_383;
/** MiB of a shard's bit array when `--bitstate` is not given: 2^29 bits. */
export const DEFAULT_BITSTATE_MIB = 64;
/** The depth bound of a shard's search when `--max-depth` is not given (Spin's `-m` default). */
export const SWARM_MAX_DEPTH = 10_000;

/** Whether `check` runs as a swarm shard. */
export function wantsSwarm(a: Readonly<Record<string, unknown>>): boolean {
  return a.swarm !== undefined || a.bitstate !== undefined || a.seed !== undefined;
}

/** The seeds of shard `shard` of a job with seed `seed`: its hash functions', and its search order's (none for shard 1: the kernel's order). */
export function shardSeeds(seed: number, shard: number): { hashSeed: number; orderSeed: number | null } {
  return { hashSeed: deriveSeed(seed, 0xb175, shard), orderSeed: shard === 1 ? null : deriveSeed(seed, 0x0d3e, shard) };
}

/** The flags `check` takes that a shard cannot honour, with why. */
const REFUSED: readonly [keyof CheckFlags, string][] = [
  ['workers', 'a shard searches on one thread; run more shards instead'],
  ['symmetry', 'a shard stores every state as it is'],
  ['expectStates', 'the bit array has the size --bitstate gives'],
  ['fairness', 'liveness properties need the whole state graph'],
  ['profile', "it measures the breadth-first search's layers and threads; a shard reports its own time"],
];

/** Runs one shard of `check --swarm` and resolves to its exit code. Throws UsageError for bad input. */
export async function runCheckSwarm(resolved: ResolvedModel, a: CheckFlags & SwarmFlags & Record<string, unknown>, io: Io): Promise<number> {
  const { model } = resolved;
  const sw = swarmFlag(a.swarm);
  if (sw === undefined) {
    throw new UsageError(`--${a.bitstate !== undefined ? 'bitstate' : 'seed'} applies to swarm shards: add --swarm i/N (--swarm 1/1 for one bitstate search)`);
  }
  const mib = wholeFlag('bitstate', a.bitstate, 1, MAX_BITSTATE_MIB) ?? DEFAULT_BITSTATE_MIB;
  for (const [flag, why] of REFUSED) {
    if (a[flag] !== undefined && a[flag] !== false)
      throw new UsageError(`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} does not go with --swarm: ${why}`);
  }
  if (wantsLiveness(model, a.property))
    throw new UsageError('--swarm checks safety properties: liveness properties need the whole state graph (dnsmc check without --swarm)');
  const properties = propertiesFlag(model, a.property, propertyNames(model));
  const seed = seedFlag(a.seed) ?? 0;
  const maxDepth = wholeFlag('max-depth', a.maxDepth, 1) ?? SWARM_MAX_DEPTH;
  const { timeLimitMs, maxMemoryBytes } = limitFlags(a);
  const outputs = checkOutputs(a, resolved.source.module);
  const checked = properties.length > 0 ? properties : propertyNames(model);
  // The shard searches on after a violation while a more severe property is undecided, as check's follow-up search does.
  const order = severityOf(resolved.source.pkg, model);
  const most = [...checked].sort((p, q) => rankOf(order, { property: p, kind: 'invariant' }) - rankOf(order, { property: q, kind: 'invariant' }))[0];
  const stopOn = order.length > 0 && most !== undefined && order.includes(most) ? [most] : undefined;
  const seeds = shardSeeds(seed, sw.shard);
  const progress = progressReporter(io);
  let r: BitstateResult;
  let signal: keyof typeof SIGNAL_EXIT | null;
  try {
    ({ value: r, signal } = await interruptible((interrupt) =>
      bitstateSearchAsync(model, {
        bytes: mib * 2 ** 20,
        ...seeds,
        properties: properties.length > 0 ? properties : undefined,
        continueAfterViolation: a.continue === true,
        checkDeadlock: a.deadlock !== false,
        maxStates: wholeFlag('max-states', a.maxStates, 1),
        maxDepth,
        timeLimitMs,
        maxMemoryBytes,
        stopOn,
        interrupt,
        onProgress: progress.onProgress,
        progressIntervalMs: progress.intervalMs,
      }),
    ));
  } finally {
    progress.done();
  }
  const code = signal ? SIGNAL_EXIT[signal] : exitCode(r.status);
  const base = baseModel(model);
  const by = observedBy(model);
  // Each path is shrunk to a minimal schedule that still breaks the property (deterministic), as simulate does.
  const shrunk = r.violations.map((v) => ({ found: v, ...shrinkViolation(model, v) }));
  const shown = [...shrunk].sort((x, y) => rankOf(order, x) - rankOf(order, y));
  const traces = shown.map((v) => recordObservers(traceOf(base, v), by));
  await writeCheckOutputs(outputs, traces[0], base, resolved.source);
  const swarm = { shard: sw.shard, of: sw.of, seed, bitstateBytes: mib * 2 ** 20, hashes: DEFAULT_HASHES, maxDepth };
  if (a.json === true) {
    const report = shardReport(model, r, swarm, shown, traces);
    printJson(io, by ? { ...report, scenario: by.scenario, constraints: by.constraints } : report);
    return code;
  }
  io.out(`${headerLine('check', headerOf(model))}\n`);
  if (by) io.out(`restricted to: ${describeObservedBy(by)}; counts include the observers' counters\n`);
  io.out(
    `swarm shard ${sw.shard}/${sw.of} of a job with seed ${seed}: bitstate ${mb(swarm.bitstateBytes)}, ${swarm.hashes} bits per state, ` +
      `hash seed ${seeds.hashSeed}, ${seeds.orderSeed === null ? "successors in the model's order" : `successor order seed ${seeds.orderSeed}`}, depth limit ${int(maxDepth)}\n`,
  );
  io.out(`properties: ${r.properties.join(', ')}; deadlock ${a.deadlock === false ? 'not checked' : 'checked'}\n\n`);
  for (const t of traces) io.out(`${formatTrace(t, { render: base.render })}\n\n`);
  for (const l of shardLines(r, shown)) io.out(`${l}\n`);
  io.out(`${actionsLine(r.actions)}\n`);
  io.out(checkOutputLines(outputs, traces.length > 0));
  return code;
}

/** A shrunk violation and the path the search found it by. */
type Shrunk = Violation & { readonly found: Violation; readonly tests: number };

/** The verdict and statistics of a shard's text report. */
function shardLines(r: BitstateResult, shown: readonly Shrunk[]): string[] {
  const b = r.bitstate;
  const vs = shown.map(
    (v) =>
      `${v.kind === 'deadlock' ? 'deadlock' : `${v.property} violated`} on a path of ${v.found.schedule.length} steps, shrunk to ${v.schedule.length} (${int(v.tests)} schedules tried)`,
  );
  const end = r.stoppedBy
    ? `stopped by ${r.stoppedBy}`
    : r.violations.length > 0 && !r.ended
      ? 'stopped at the violation'
      : r.truncated > 0
        ? `ended, ${int(r.truncated)} states at the depth limit not expanded`
        : 'ended';
  const verdict =
    shown.length > 0
      ? `${r.status === 'deadlock' ? 'Deadlock' : 'Violation'}: ${vs.join('; ')}.`
      : r.stoppedBy
        ? `Incomplete: stopped by ${r.stoppedBy}; no violation so far.`
        : `No violation found by this shard: a partial search (states may be omitted; see below), ${r.properties.join(', ')} held in every state it stored.`;
  return [
    verdict,
    `${int(r.distinctStates)} states stored, ${int(r.generatedStates)} transitions, deepest ${int(r.deepest)}; search ${end}; ${secs(r.durationMs)}` +
      `${r.durationMs > 0 ? ` (${int(r.statesPerSecond)} states/s)` : ''}, peak memory ${mb(r.peakMemoryBytes)}`,
    `bitstate: ${int(b.bitsSet)} of ${int(b.bits)} bits set (${(100 * b.fill).toFixed(2)}%), hash factor ${b.hashFactor.toFixed(1)} (best if > 100), ` +
      `omission probability ${b.omissionProbability.toExponential(2)} per unseen state, expected omissions ${b.expectedOmissions.toExponential(2)}`,
  ];
}

/** The `--json` report of a shard: what `dnsmc merge` reads. */
export function shardReport(
  model: Model,
  r: BitstateResult,
  swarm: CheckShardReport['swarm'],
  shown: readonly Shrunk[],
  traces: readonly Trace[],
): CheckShardReport {
  return {
    command: 'check',
    status: r.status,
    ...headFields(model),
    properties: r.properties,
    property: shown[0]?.property ?? null,
    swarm,
    hashSeed: r.bitstate.hashSeed,
    orderSeed: r.bitstate.orderSeed,
    distinctStates: r.distinctStates,
    generatedStates: r.generatedStates,
    deepest: r.deepest,
    truncated: r.truncated,
    ended: r.ended,
    stoppedBy: r.stoppedBy,
    durationMs: Math.round(r.durationMs * 10) / 10,
    statesPerSecond: r.statesPerSecond,
    peakMemoryBytes: r.peakMemoryBytes,
    engineBytes: r.engineBytes,
    bitstate: {
      bytes: r.bitstate.bytes,
      bits: r.bitstate.bits,
      hashes: r.bitstate.hashes,
      bitsSet: r.bitstate.bitsSet,
      fill: r.bitstate.fill,
      hashFactor: r.bitstate.hashFactor,
      omissionProbability: r.bitstate.omissionProbability,
      expectedOmissions: r.bitstate.expectedOmissions,
    },
    sketch: { size: r.sketchSize, keys: [...r.sketch] },
    actions: { ...r.actions },
    unfired: [...r.unfired],
    violations: shown.map((v, i) => ({
      property: v.property,
      kind: v.kind,
      foundLength: v.found.schedule.length,
      length: v.schedule.length,
      shrinkTests: v.tests,
      trace: traces[i],
    })),
  };
}
