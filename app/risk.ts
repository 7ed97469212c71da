/**
 * `dnsmc risk`: how likely a property is to break, in virtual time. The
 * timed simulation (checker/risk/) runs the model with delays drawn from a
 * timing profile (the package's, or `--timing FILE`) over a horizon (one
 * simulated hour by default), many runs, on every core; per property it
 * reports the probability of breaking within the horizon with a confidence
 * interval, the time to the first break, and the share of time a state
 * invariant is false (the unavailability). Several values of the package's
 * `variant` parameter run side by side (`--variant A,B`).
 *
 *  - `--assert-below P`: Wald's sequential test per variant, stopping as
 *    soon as it decides; exit 0 (below P), 1 (above), 3 (undecided within
 *    `--runs` or `--time-limit`).
 *  - `--sweep PARAM=FROM:TO:STEP`: the same at every value of a timing
 *    parameter (`slow-ms`) or a whole-number model parameter; a table (text,
 *    `--csv`, `--json`) and a chart (`--svg`, `--html`).
 *  - `--out-dir DIR`: every run that broke a property, as a trace `view` opens.
 */
import { join } from 'node:path';
import { check } from '../checker/explore/bfs.js';
import { kernelOf } from '../checker/model/kernel.js';
import type { Model } from '../checker/model/model.js';
import { propertyNames } from '../checker/model/model.js';
import { baseModel, describeObservedBy, observedBy } from '../checker/package/scenario.js';
import { describeDist, parseTimingText, withSlowDelay, type TimingProfile, type TimingTarget } from '../checker/package/timing.js';
import type { ModelPackage } from '../checker/package/package.js';
import { estimate, type PropertyEstimate } from '../checker/risk/estimate.js';
import { runTimed, type TimedRunResult } from '../checker/risk/runner.js';
import { Sprt } from '../checker/risk/stats.js';
import type { RunOutcome } from '../checker/risk/timed.js';
import { riskHtml, riskSvg, type RiskChart } from '../traces/risk-chart.js';
import { readInputFile } from '../traces/io.js';
import { recordObservers, traceOf } from '../traces/trace.js';
import { EXIT, UsageError } from './errors.js';
import { PROOF_STATES, RISK_DEFAULTS, SLOW_PARAM } from './risk-defaults.js';
import { fileFlag, outputDirFlag, outputFlag, refuseOverwrite, seedFlag, shown, wholeFlag } from './flags.js';
import { int, secs } from './format.js';
import type { Io } from './io.js';
import { modelFromFlags, paramFlag, paramsFromFlags, resolvePackage, type PackageSource } from './model.js';
import { propertiesFlag } from './options.js';
import { headerLine, headerOf, printJson, writeOutput, writeTrace } from './report.js';

/** The flags of `dnsmc risk`, as yargs hands them over (unvalidated). */
export interface RiskArgs {
  [flag: string]: unknown;
  timing?: unknown;
  slowMs?: unknown;
  horizon?: unknown;
  runs?: unknown;
  seed?: unknown;
  confidence?: unknown;
  property?: unknown;
  workers?: unknown;
  timeLimit?: unknown;
  assertBelow?: unknown;
  alpha?: unknown;
  beta?: unknown;
  indifference?: unknown;
  sweep?: unknown;
  csv?: unknown;
  svg?: unknown;
  html?: unknown;
  chart?: unknown;
  outDir?: unknown;
  json?: unknown;
  calibrate?: unknown;
  out?: unknown;
  prove?: unknown;
}

/** The flags of a risk estimate, none of which `--calibrate` (which writes a profile and simulates nothing) takes. */
const ESTIMATE_FLAGS = [
  ['timing', 'timing'],
  ['horizon', 'horizon'],
  ['runs', 'runs'],
  ['seed', 'seed'],
  ['confidence', 'confidence'],
  ['property', 'property'],
  ['workers', 'workers'],
  ['timeLimit', 'time-limit'],
  ['assertBelow', 'assert-below'],
  ['alpha', 'alpha'],
  ['beta', 'beta'],
  ['indifference', 'indifference'],
  ['sweep', 'sweep'],
  ['chart', 'chart'],
  ['csv', 'csv'],
  ['svg', 'svg'],
  ['html', 'html'],
  ['outDir', 'out-dir'],
  ['slowMs', 'slow-ms'],
  ['prove', 'prove'],
] as const;

/** Most points a sweep may have. */
const MAX_POINTS = 200;

/** A number flag within (lo, hi) (or [lo, hi] where `closed`). */
function numberFlag(flag: string, v: unknown, lo: number, hi: number, what: string, closed = false): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'number' ? v : NaN;
  const ok = Number.isFinite(n) && (closed ? n >= lo && n <= hi : n > lo && n < hi);
  if (!ok) throw new UsageError(`--${flag} must be ${what}, got ${shown(v)}`);
  return n;
}

/** What the model's profile is checked against. */
function targetOf(pkg: ModelPackage, model: Model): TimingTarget {
  const fields = Object.entries(model.layout.fields)
    .filter(([, f]) => f.kind === 'array')
    .map(([n]) => n);
  return { model: pkg.name, actions: model.actions.map((a) => a.name), roles: model.roles, fields };
}

/** The profile the flags select: `--timing FILE` or the package's, with `--slow-ms` applied. */
export function profileFromFlags(pkg: ModelPackage, model: Model, a: RiskArgs): TimingProfile {
  const file = fileFlag('timing', a.timing);
  let p: TimingProfile;
  if (file !== undefined)
    p = parseTimingText(readInputFile(file, { name: 'timing file', maxBytes: 64 * 2 ** 20 }), `timing file ${file}`, targetOf(pkg, model));
  else if (pkg.timing) p = parseTimingProfile(pkg.timing, pkg, model);
  else throw new UsageError(`model ${pkg.name} declares no timing profile: give one with --timing FILE (docs/risk.md)`);
  const slow = numberFlag('slow-ms', a.slowMs, 0, 1e9, 'a number of milliseconds from 0', true);
  return slow === undefined ? p : slowed(p, slow);
}

/** The package's own profile, checked like a file (a package's mistake is named as its). */
function parseTimingProfile(p: TimingProfile, pkg: ModelPackage, model: Model): TimingProfile {
  return parseTimingText(JSON.stringify(p), `the timing profile of model ${pkg.name}`, targetOf(pkg, model));
}

function slowed(p: TimingProfile, ms: number): TimingProfile {
  if (!p.slow) throw new UsageError(`--slow-ms: the timing profile (${p.source ?? p.model}) names no slow actor; add "slow" to it (docs/risk.md)`);
  return withSlowDelay(p, ms);
}

/** The profile as lines for people. */
export function profileLines(p: TimingProfile): string[] {
  const lines = [`timing: ${p.source ?? 'a profile'}`];
  for (const [a, d] of Object.entries(p.actions)) {
    const b = p.backoff?.[a];
    lines.push(`  ${a}: ${describeDist(d)}${b ? `, plus ${b.baseMs} ms * 2^${b.field}` : ''}`);
  }
  if (p.slow) lines.push(`  slow: ${p.slow.role} ${p.slow.actor} waits ${describeDist(p.slow.extra)} more before ${p.slow.actions.join(', ')}`);
  return lines;
}

/** `--sweep PARAM=FROM:TO:STEP`, its values. */
export function sweepFlag(v: unknown, pkg: ModelPackage): { param: string; values: number[] } | undefined {
  if (v === undefined) return undefined;
  const ints = pkg.params.filter((p) => p.type === 'int').map(paramFlag);
  const usage = `--sweep must be PARAM=FROM:TO:STEP with PARAM ${[SLOW_PARAM, ...ints].join('|')} and STEP above 0 (e.g. ${SLOW_PARAM}=0:100:10)`;
  const m = typeof v === 'string' ? /^([\w-]+)=([^:]+):([^:]+):([^:]+)$/.exec(v.trim()) : null;
  if (!m) throw new UsageError(`${usage}, got ${shown(v)}`);
  const [, param, a, b, c] = m;
  if (param !== SLOW_PARAM && !ints.includes(param)) throw new UsageError(`${usage}, got ${shown(v)}`);
  const [from, to, step] = [a, b, c].map(Number);
  if (![from, to, step].every(Number.isFinite) || step <= 0 || to < from || from < 0) throw new UsageError(`${usage}, got ${shown(v)}`);
  if (param !== SLOW_PARAM && ![from, to, step].every(Number.isInteger)) throw new UsageError(`--sweep ${param} takes whole numbers, got ${shown(v)}`);
  const n = Math.floor((to - from) / step + 1e-9) + 1;
  if (n > MAX_POINTS) throw new UsageError(`--sweep has ${n} points; at most ${MAX_POINTS}`);
  return { param, values: Array.from({ length: n }, (_, i) => +(from + i * step).toPrecision(12)) };
}

/** The values of the package's `variant` parameter to run: `--variant A,B`, or its first two values (dns: as-was, fixed). */
export function variantsFlag(pkg: ModelPackage, v: unknown): (string | undefined)[] {
  const spec = pkg.params.find((p) => p.name === 'variant');
  if (spec?.type !== 'enum') return [v === undefined ? undefined : String(v)];
  if (v === undefined) return spec.values.slice(0, 2);
  if (typeof v !== 'string') throw new UsageError(`--variant must be given once, as one value or a comma-separated list (${spec.values.join('|')})`);
  const list = [...new Set(v.split(',').map((s) => s.trim()))];
  for (const x of list)
    if (!spec.values.includes(x)) throw new UsageError(`--variant must be ${spec.values.join('|')} or a comma-separated list of them, got ${shown(x)}`);
  return list;
}

/** One variant at one point of the sweep: what was run and what it says. */
export interface RiskCell {
  readonly variant: string | null;
  /** The swept parameter's value, or null. */
  readonly at: number | null;
  readonly params: Readonly<Record<string, unknown>>;
  readonly runs: number;
  readonly end: TimedRunResult['end'];
  readonly workers: number;
  readonly durationMs: number;
  readonly episodes: number;
  readonly events: number;
  readonly deadlocks: number;
  readonly estimates: readonly PropertyEstimate[];
  /** Followed properties without an estimate: when the proof decided, no run was taken (`--no-prove` estimates them). */
  readonly notEstimated: readonly string[];
  /** With `--assert-below`: the test's decision (null: undecided) and the runs it took (0 when proved). */
  readonly sprt: { readonly decision: 'below' | 'above' | null; readonly runs: number; readonly broken: number } | null;
  /** With `--assert-below` (unless `--no-prove`): what the exhaustive search of the untimed model found first. */
  readonly proof: Proof | null;
  /** Trace files written for this cell. */
  readonly traces: readonly string[];
}

/**
 * The search before a sequential test (PRISM's "prob0" precomputation, in
 * its simplest form): every timed run is a run of the model from an initial
 * state (restarted there when nothing is enabled), so if no reachable state
 * of the model breaks the property, no timed run does, whatever the timing,
 * and P = 0 exactly. `holds`: the search was complete and found no break;
 * `breaks`: a reachable state breaks it (the test then decides how likely);
 * `unknown`: stopped at its bound or the time limit before either.
 */
export interface Proof {
  readonly verdict: 'holds' | 'breaks' | 'unknown';
  /** Distinct states the search stored. */
  readonly states: number;
  readonly durationMs: number;
  /** The chance that two states shared a fingerprint, so that one was never explored (the search stores 64-bit fingerprints). */
  readonly collisionProbability: number;
  /** Unbroken runs the test would need to accept instead (its shortest way to `below`). */
  readonly runsSaved: number;
  /** Whether the time limit stopped the search (else a verdict `unknown` means it reached its bound). */
  readonly timedOut: boolean;
}

const EXACT_ZERO = { low: 0, high: 0 } as const;

/** Searches the model for a state that breaks `property` (see {@link Proof}). */
function proofOf(model: Model, property: string, timeLimitMs: number | undefined, sprt: Sprt): Proof {
  const r = check(model, { properties: [property], checkDeadlock: false, maxStates: PROOF_STATES, timeLimitMs });
  const verdict = r.violations.length > 0 ? 'breaks' : r.complete ? 'holds' : 'unknown';
  return {
    verdict,
    states: r.distinctStates,
    durationMs: r.durationMs,
    collisionProbability: r.collisionProbability,
    runsSaved: sprt.runsToAcceptBelow,
    timedOut: r.stoppedBy === 'time-limit',
  };
}

/** The runs behind a chart's points: one figure when every point had the same, else the range; proved points said apart. */
function runsText(cells: readonly RiskCell[]): string {
  const ran = cells.filter((c) => c.proof?.verdict !== 'holds').map((c) => c.runs);
  const proved = cells.length - ran.length;
  const lo = Math.min(...ran);
  const hi = Math.max(...ran);
  const runs = ran.length === 0 ? '' : lo === hi ? `${int(lo)} runs per point` : `${int(lo)} to ${int(hi)} runs per point`;
  const by = proved === 0 ? '' : `${proved} point${proved === 1 ? '' : 's'} proved (P = 0, no runs)`;
  return [runs, by].filter((x) => x !== '').join('; ');
}

/** Percent with enough digits for small shares. */
const pct = (x: number): string => (x === 0 ? '0%' : x >= 0.001 ? `${(x * 100).toFixed(2)}%` : `${(x * 100).toPrecision(2)}%`);
const prob = (x: number): string => (x === 0 || x === 1 ? String(x) : x >= 0.001 ? x.toFixed(4) : x.toPrecision(3));
const dur = (ms: number): string => (ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const horizonText = (ms: number): string => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : dur(ms));

/** One property's estimate as lines. */
export function estimateLines(e: PropertyEstimate, horizonMs: number, confidence: number): string[] {
  const c = `${+(confidence * 100).toFixed(4)}%`;
  const lines = [
    `  ${e.property}: broke in ${int(e.broken)} of ${int(e.runs)} runs within ${horizonText(horizonMs)}: P = ${prob(e.probability)}, ${c} interval [${prob(e.clopperPearson.low)}, ${prob(e.clopperPearson.high)}] (Clopper-Pearson; Wilson [${prob(e.wilson.low)}, ${prob(e.wilson.high)}])`,
  ];
  if (e.meanFirstBreakMs !== null && e.rateMeanFirstBreakMs !== null) {
    lines.push(
      `    first break after ${dur(e.meanFirstBreakMs)} on average (runs that broke); mean time to first break at a constant rate ${dur(e.rateMeanFirstBreakMs)}`,
    );
  }
  if (e.unavailability)
    lines.push(`    false ${pct(e.unavailability.mean)} of the time, ${c} interval [${pct(e.unavailability.low)}, ${pct(e.unavailability.high)}]`);
  return lines;
}

/** A file name part from a label. */
const slug = (s: string): string => s.replace(/[^\w.-]+/g, '_');

/** Runs `dnsmc risk` and resolves to its exit code. Throws UsageError for bad input. */
export async function runRisk(a: RiskArgs, io: Io, pkgSource?: PackageSource): Promise<number> {
  if (a.calibrate !== undefined) {
    const other = ESTIMATE_FLAGS.find(([key]) => a[key] !== undefined);
    if (other) {
      const flag = other[0] === 'prove' && a.prove === false ? 'no-prove' : other[1];
      throw new UsageError(`--calibrate writes a timing profile from storm logs and simulates nothing: it cannot go with --${flag}`);
    }
    const logs = (Array.isArray(a.calibrate) ? a.calibrate : [a.calibrate]).filter((l) => l !== '' && l !== undefined);
    return (await import('./calibrate.js')).runCalibrate({ ...a, logs }, io, pkgSource);
  }
  if (a.out !== undefined) throw new UsageError('--out goes with --calibrate LOGS...: the file the timing profile is written to');
  const source = pkgSource ?? (await resolvePackage(a.model));
  const pkg = source.pkg;
  const variants = variantsFlag(pkg, a.variant);
  const sweep = sweepFlag(a.sweep, pkg);
  const horizonS = numberFlag('horizon', a.horizon, 0, 1e9, 'a number of simulated seconds above 0') ?? RISK_DEFAULTS.horizonS;
  const horizonMs = horizonS * 1000;
  const seed = seedFlag(a.seed) ?? RISK_DEFAULTS.seed;
  const confidence = numberFlag('confidence', a.confidence, 0, 1, 'a number between 0 and 1 (e.g. 0.95)') ?? RISK_DEFAULTS.confidence;
  const assertBelow = numberFlag('assert-below', a.assertBelow, 0, 1, 'a probability between 0 and 1 (e.g. 1e-4)');
  const alpha = numberFlag('alpha', a.alpha, 0, 0.5, 'a probability between 0 and 0.5') ?? RISK_DEFAULTS.alpha;
  const beta = numberFlag('beta', a.beta, 0, 0.5, 'a probability between 0 and 0.5') ?? RISK_DEFAULTS.beta;
  const indifference =
    numberFlag('indifference', a.indifference, 0, 1, 'a number between 0 and 1 (the half-width of the indifference region, relative to P)') ??
    RISK_DEFAULTS.indifference;
  const runs = wholeFlag('runs', a.runs, 1, 100_000_000) ?? (assertBelow !== undefined ? RISK_DEFAULTS.assertRuns : RISK_DEFAULTS.runs);
  const workers = wholeFlag('workers', a.workers, 1, 64);
  const timeLimit = numberFlag('time-limit', a.timeLimit, 0, 1e9, 'a number of seconds above 0');
  const csv = outputFlag('csv', a.csv);
  const svg = outputFlag('svg', a.svg);
  const html = outputFlag('html', a.html);
  if ((csv || svg || html) && !sweep) throw new UsageError('--csv, --svg and --html write the table and chart of a --sweep: add --sweep PARAM=FROM:TO:STEP');
  refuseOverwrite(
    [
      ['csv', csv],
      ['svg', svg],
      ['html', html],
    ],
    [['the timing file', typeof a.timing === 'string' ? a.timing : undefined]],
  );
  const outDir = outputDirFlag('out-dir', a.outDir);
  const metric = chartMetric(a.chart);

  const prove = a.prove !== false;
  if (!prove && assertBelow === undefined)
    throw new UsageError('--no-prove goes with --assert-below: it skips the search that can prove P = 0 before the test');
  const proofs = new Map<string, Proof>();
  const cells: RiskCell[] = [];
  let profileShown: TimingProfile | null = null;
  let properties: string[] = [];
  let header = '';
  const points: (number | null)[] = sweep ? sweep.values : [null];
  const started = performance.now();
  for (const at of points) {
    for (const variant of variants) {
      const flags: Record<string, unknown> = { ...a, variant };
      if (sweep && at !== null && sweep.param !== SLOW_PARAM) {
        const spec = pkg.params.find((p) => paramFlag(p) === sweep.param);
        if (spec) flags[spec.name] = String(at);
      }
      const { model } = await modelFromFlags(flags, source);
      let profile = profileFromFlags(pkg, model, a);
      if (sweep && at !== null && sweep.param === SLOW_PARAM) profile = slowed(profile, at);
      profileShown ??= profile;
      const all = propertyNames(model).filter((n) => model.invariants.some((p) => p.name === n) || model.stepInvariants.some((p) => p.name === n));
      const chosen = propertiesFlag(model, a.property, all, `check it with dnsmc check; risk follows ${all.join('|')}`);
      properties = chosen.length > 0 ? chosen : all;
      const asserted = properties.length === 1 ? properties[0] : ((pkg.severity ?? []).find((p) => properties.includes(p)) ?? properties[0]);
      if (metric === 'unavailability' && !model.invariants.some((p) => p.name === asserted)) {
        throw new UsageError(`--chart unavailability: ${asserted} is a step property, never false for a while`);
      }
      if (!header) {
        header = headerLine('risk', headerOf(model));
        const by = observedBy(model);
        if (by) header += `\nrestricted to: ${describeObservedBy(by)}`;
      }
      let sprt: Sprt | null = null;
      if (assertBelow !== undefined) sprt = new Sprt(assertBelow * (1 - indifference), Math.min(1, assertBelow * (1 + indifference)), alpha, beta);
      const ai = properties.indexOf(asserted);
      const timeLeft = (): number | undefined => (timeLimit === undefined ? undefined : Math.max(0, timeLimit * 1000 - (performance.now() - started)));
      // The parameter values the model is built from decide the proof (a slow actor's delay does not; the
      // scenario and constraints are the same for every cell): one search per set of values and property.
      const proofKey = `${JSON.stringify(paramsFromFlags(pkg, flags))} ${asserted}`;
      let proof: Proof | null = null;
      if (sprt !== null && prove) {
        proof = proofs.get(proofKey) ?? proofOf(model, asserted, timeLeft(), sprt);
        // A search stopped by the clock may decide with more time; one stopped at its bound would stop there again.
        if (proof.verdict !== 'unknown' || !proof.timedOut) proofs.set(proofKey, proof);
      }
      const proved = proof?.verdict === 'holds';
      const r = proved
        ? { outcomes: [], end: null, workers: 0, durationMs: 0 }
        : await runTimed(
            model,
            profile,
            { horizonMs, properties, seed, runs, workers, timeLimitMs: timeLeft(), keepBroken: outDir !== undefined },
            (o) => sprt !== null && sprt.add(o.firstBreakMs[ai] >= 0) !== null,
          );
      const kinds = properties.map((n) => (model.invariants.some((p) => p.name === n) ? ('invariant' as const) : ('step' as const)));
      // Proved: the asserted property's probability is exactly 0; the others, not searched for and not run, are not estimated.
      const estimates = proved
        ? [
            {
              ...estimate([asserted], [kinds[ai]], [], horizonMs, confidence)[0],
              wilson: EXACT_ZERO,
              clopperPearson: EXACT_ZERO,
              unavailability: kinds[ai] === 'invariant' ? { mean: 0, ...EXACT_ZERO } : null,
            },
          ]
        : estimate(properties, kinds, r.outcomes, horizonMs, confidence);
      const notEstimated = proved ? properties.filter((p) => p !== asserted) : [];
      const label = [variant ?? pkg.name, ...(sweep && at !== null ? [`${sweep.param}=${at}`] : [])].join('-');
      const traces = outDir ? writeBroken(model, r.outcomes, outDir, label) : [];
      const sum = (f: (o: RunOutcome) => number): number => r.outcomes.reduce((n, o) => n + f(o), 0);
      cells.push({
        variant: variant ?? null,
        at,
        params: { ...model.params },
        runs: r.outcomes.length,
        end: r.end,
        workers: r.workers,
        durationMs: r.durationMs,
        episodes: sum((o) => o.episodes),
        events: sum((o) => o.events),
        deadlocks: sum((o) => o.deadlocks),
        estimates,
        notEstimated,
        sprt: sprt ? { decision: proved ? 'below' : sprt.decision, runs: sprt.n, broken: sprt.k } : null,
        proof,
        traces,
      });
    }
  }
  const profile = profileShown as TimingProfile;
  const focus = properties.length === 1 ? properties[0] : ((pkg.severity ?? []).find((p) => properties.includes(p)) ?? properties[0]);
  const chart = sweep ? chartOf(cells, sweep.param, focus, horizonMs, confidence, metric) : null;
  if (csv) writeOutput(csv, csvOf(cells, sweep?.param ?? null), 'csv');
  if (svg && chart) writeOutput(svg, riskSvg(chart), 'svg');
  if (html && chart) writeOutput(html, riskHtml(chart), 'html');

  const decisions = cells.map((c) => c.sprt?.decision);
  const incomplete = cells.some((c) => c.end === 'time-limit');
  const code =
    assertBelow !== undefined
      ? decisions.includes('above')
        ? EXIT.violation
        : decisions.includes(null)
          ? EXIT.incomplete
          : EXIT.ok
      : incomplete
        ? EXIT.incomplete
        : EXIT.ok;
  if (a.json === true) {
    printJson(io, {
      command: 'risk',
      model: pkg.name,
      horizonMs,
      seed,
      confidence,
      runsAsked: runs,
      properties,
      profile,
      sweep: sweep ? { param: sweep.param, values: sweep.values } : null,
      assertBelow:
        assertBelow === undefined
          ? null
          : {
              p: assertBelow,
              property: focus,
              alpha,
              beta,
              indifference,
              p0: assertBelow * (1 - indifference),
              p1: Math.min(1, assertBelow * (1 + indifference)),
            },
      cells,
      exitCode: code,
    });
    return code;
  }
  io.out(`${header}\n`);
  for (const l of profileLines(profile)) io.out(`${l}\n`);
  io.out(
    `horizon ${horizonText(horizonMs)} of virtual time per run; ${assertBelow !== undefined ? `at most ${int(runs)}` : int(runs)} runs per ${variants[0] !== undefined ? 'variant' : 'model'}${sweep ? ' and point' : ''}; seed ${seed}; ${+(confidence * 100).toFixed(4)}% confidence\n\n`,
  );
  if (sweep) for (const l of sweepTable(cells, sweep.param, focus)) io.out(`${l}\n`);
  else {
    for (const c of cells) {
      if (c.proof?.verdict === 'holds') {
        io.out(
          `${c.variant !== null ? `variant ${c.variant}` : pkg.name}: no runs needed: ${focus} holds in all ${int(c.proof.states)} reachable states of the model (exhaustive search, ${secs(c.proof.durationMs)}), so in every timed run: P = 0\n`,
        );
        if (c.notEstimated.length > 0)
          io.out(`  not estimated, as no run was taken: ${c.notEstimated.join(', ')} (--no-prove runs the test and estimates them)\n`);
        continue;
      }
      io.out(
        `${c.variant !== null ? `variant ${c.variant}` : pkg.name}: ${int(c.runs)} runs (${int(c.episodes)} episodes, ${int(c.events)} steps; ${c.workers} worker${c.workers === 1 ? '' : 's'}, ${secs(c.durationMs)} wall${c.end === 'time-limit' ? '; stopped by the time limit' : ''})${c.deadlocks > 0 ? `; ${int(c.deadlocks)} deadlocks` : ''}\n`,
      );
      for (const e of c.estimates) for (const l of estimateLines(e, horizonMs, confidence)) io.out(`${l}\n`);
      if (c.traces.length > 0) io.out(`  ${c.traces.length} trace${c.traces.length === 1 ? '' : 's'} of broken runs written to ${outDir}\n`);
    }
  }
  if (assertBelow !== undefined) {
    io.out('\n');
    for (const c of cells) {
      const s = c.sprt;
      if (!s) continue;
      const who = `${c.variant !== null ? `variant ${c.variant}` : pkg.name}${c.at !== null && sweep ? ` at ${sweep.param}=${c.at}` : ''}`;
      const test = `P(${focus} breaks within ${horizonText(horizonMs)}) < ${assertBelow} (sequential test, alpha ${alpha}, beta ${beta}, indifference ${+(assertBelow * (1 - indifference)).toPrecision(12)} to ${+Math.min(1, assertBelow * (1 + indifference)).toPrecision(12)})`;
      const pf = c.proof;
      if (pf?.verdict === 'holds') {
        io.out(
          `${who}: accepted P(${focus} breaks within ${horizonText(horizonMs)}) < ${assertBelow}: proved, P = 0, after 0 runs (none of the model's ${int(pf.states)} reachable states breaks it; ${pf.collisionProbability === 0 ? 'states stored whole' : `fingerprint collision probability ${pf.collisionProbability.toPrecision(2)}`}); the sequential test alone would need at least ${int(pf.runsSaved)} unbroken runs (--no-prove)\n`,
        );
        continue;
      }
      if (pf?.verdict === 'breaks')
        io.out(`${who}: the model reaches a state that breaks ${focus} (found by a search of ${int(pf.states)} states): the test decides how likely\n`);
      if (pf?.verdict === 'unknown')
        io.out(`${who}: the search for a state that breaks ${focus} stopped at ${int(pf.states)} states, undecided: the test decides alone\n`);
      io.out(
        s.decision === 'below'
          ? `${who}: accepted ${test} after ${int(s.runs)} runs, ${int(s.broken)} broken\n`
          : s.decision === 'above'
            ? `${who}: rejected ${test} after ${int(s.runs)} runs, ${int(s.broken)} broken\n`
            : `${who}: undecided: ${test}; ${int(s.runs)} runs, ${int(s.broken)} broken, when the ${c.end === 'time-limit' ? 'time limit' : '--runs budget'} ran out\n`,
      );
    }
  }
  if (sweep && csv) io.out(`table written to ${csv}\n`);
  if (svg) io.out(`chart written to ${svg}\n`);
  if (html) io.out(`chart page written to ${html}\n`);
  if (sweep && outDir) io.out(`${cells.reduce((n, c) => n + c.traces.length, 0)} traces of broken runs written to ${outDir}\n`);
  return code;
}

/** Writes every run that broke a property as a trace file in `dir`; returns the files. */
function writeBroken(model: Model, outcomes: readonly RunOutcome[], dir: string, label: string): string[] {
  const base = baseModel(model);
  const kernelTransitions = kernelOf(model).transitions;
  const by = observedBy(model);
  const files: string[] = [];
  for (const o of outcomes) {
    const b = o.broken;
    if (!b) continue;
    const kind = model.invariants.some((p) => p.name === b.property) ? 'invariant' : 'step';
    const trace = recordObservers(traceOf(base, { property: b.property, kind, initial: b.initial, schedule: b.schedule.map((t) => kernelTransitions[t]) }), by);
    const file = join(dir, `${slug(label)}-run${o.run}.json`);
    writeTrace(file, trace, 'out-dir');
    files.push(file);
  }
  return files;
}

/** Which measure the chart shows: `--chart probability|unavailability` (default: probability). */
function chartMetric(v: unknown): 'probability' | 'unavailability' {
  if (v === undefined || v === 'probability') return 'probability';
  if (v !== 'unavailability') throw new UsageError(`--chart must be probability|unavailability, got ${shown(v)}`);
  return 'unavailability';
}

function chartOf(
  cells: readonly RiskCell[],
  param: string,
  focus: string,
  horizonMs: number,
  confidence: number,
  metric: 'probability' | 'unavailability',
): RiskChart {
  const names = [...new Set(cells.map((c) => c.variant ?? 'model'))];
  const c = `${+(confidence * 100).toFixed(4)}%`;
  return {
    title:
      metric === 'probability' ? `P(${focus} breaks within ${horizonText(horizonMs)}) against ${param}` : `Share of time ${focus} is false against ${param}`,
    subtitle: `${runsText(cells)}; bands: ${c} ${metric === 'probability' ? 'Clopper-Pearson' : 'normal'} intervals`,
    xLabel: param === SLOW_PARAM ? 'slow actor’s extra delay (ms)' : param,
    yLabel: metric === 'probability' ? `P(${focus} breaks within ${horizonText(horizonMs)})` : `share of time ${focus} is false`,
    yKind: metric === 'probability' ? 'probability' : 'share',
    series: names.map((name) => ({
      name,
      points: cells
        .filter((x) => (x.variant ?? 'model') === name)
        .map((x) => {
          const e = x.estimates.find((y) => y.property === focus) as PropertyEstimate;
          const u = e.unavailability;
          return metric === 'probability' || !u
            ? { x: x.at ?? 0, y: e.probability, low: e.clopperPearson.low, high: e.clopperPearson.high, runs: e.runs, broken: e.broken }
            : { x: x.at ?? 0, y: u.mean, low: u.low, high: u.high, runs: e.runs, broken: e.broken };
        }),
    })),
  };
}

/** The sweep as a text table, the focus property's figures. */
function sweepTable(cells: readonly RiskCell[], param: string, focus: string): string[] {
  const head = [param, 'variant', 'runs', 'broke', 'P', 'interval', 'false (share)', 'interval'];
  const rows = cells.map((c) => {
    const e = c.estimates.find((x) => x.property === focus) as PropertyEstimate;
    const u = e.unavailability;
    return [
      String(c.at),
      c.variant ?? '-',
      int(c.runs),
      int(e.broken),
      prob(e.probability),
      `[${prob(e.clopperPearson.low)}, ${prob(e.clopperPearson.high)}]`,
      u ? pct(u.mean) : '-',
      u ? `[${pct(u.low)}, ${pct(u.high)}]` : '-',
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string =>
    r
      .map((x, i) => x.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [`${focus}:`, line(head), ...rows.map(line)];
}

/** The cells as CSV: one row per cell and property. */
export function csvOf(cells: readonly RiskCell[], param: string | null): string {
  const head = [
    ...(param ? [param] : []),
    'variant',
    'property',
    'runs',
    'broken',
    'probability',
    'cp_low',
    'cp_high',
    'wilson_low',
    'wilson_high',
    'mean_first_break_ms',
    'unavailability',
    'unavailability_low',
    'unavailability_high',
  ];
  const rows = cells.flatMap((c) =>
    c.estimates.map((e) =>
      [
        ...(param ? [String(c.at)] : []),
        c.variant ?? '',
        e.property,
        e.runs,
        e.broken,
        e.probability,
        e.clopperPearson.low,
        e.clopperPearson.high,
        e.wilson.low,
        e.wilson.high,
        e.meanFirstBreakMs ?? '',
        e.unavailability?.mean ?? '',
        e.unavailability?.low ?? '',
        e.unavailability?.high ?? '',
      ].join(','),
    ),
  );
  return `${[head.join(','), ...rows].join('\n')}\n`;
}
