/**
 * The real storm's risk, measured: `dnsmc storm` run again and again (each on
 * its own private BIND 9 `named`) with enactor 0 slowed by each delay given,
 * the configurations taken in turn (round-robin, so that the machine's load
 * drifts over all of them alike). Per run it records what the storm's JSON
 * report says of the one public name: whether it was lost (unresolvable at
 * some point after first resolving), when it first answered NXDOMAIN, and the
 * share of the run's time it was unresolvable (its `unresolvableMs` over its
 * `durationMs`), with the load average of the machine as the run began. The
 * rows are written (atomically, after every run, so that an interrupted
 * measurement keeps what it has) to a CSV; at the end, per configuration: the
 * runs, the runs that lost the name with a 95% Wilson interval, the mean
 * share of time unresolvable with a 95% interval over the runs (the normal
 * approximation, as `dnsmc risk` gives the simulation's; checker/risk/stats.ts),
 * and the rounds (each the model's plans from scratch; a run's last round
 * counts when it lost the name, not when the run's end cut it) with the
 * share of them that lost it (95% Wilson).
 *
 * `node dist/bench/storm-risk.js [--delays 0,10,25,50,100] [--runs 16] [--duration 10]
 * [--first-seed 1] [--variant as-was] [--fixed-delays 50] [--fixed-runs 8] [--out docs/storm-risk.csv] [--logs DIR]`
 * (`npm run bench:storm-risk`). `--logs DIR` keeps each run's event logs in
 * DIR/<variant>-d<delay>-s<seed>/ (what `dnsmc risk --calibrate` reads);
 * `--summarise CSV...` prints the summary of rows measured before (pooled);
 * with `--simulate PROFILE [--sim-runs 1000] [--sim-seed 0]` it runs `dnsmc
 * risk --timing PROFILE --slow-ms D --horizon <the storms' duration>` at each
 * configuration and prints the storm against the simulation (a Markdown
 * table: P(lost within a run), the share of time unresolvable, P(lost per
 * round or episode), each with its 95% interval, and whether they overlap).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { meanInterval, wilson } from '../checker/risk/stats.js';
import { writeFileAtomic } from '../traces/io.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'dnsmc.js');

export interface StormRiskRow {
  readonly variant: string;
  readonly delayMs: number;
  readonly seed: number;
  readonly durationMs: number;
  readonly rounds: number;
  readonly lost: boolean;
  readonly firstNxdomainMs: number | null;
  readonly unresolvableMs: number;
  readonly share: number;
  readonly load1: number;
}

const COLUMNS = ['variant', 'delayMs', 'seed', 'durationMs', 'rounds', 'lost', 'firstNxdomainMs', 'unresolvableMs', 'share', 'load1'] as const;

export const csvOf = (rows: readonly StormRiskRow[]): string =>
  `${COLUMNS.join(',')}\n${rows.map((r) => COLUMNS.map((c) => (r[c] === null ? '' : String(r[c]))).join(',')).join('\n')}\n`;

interface StormJson {
  durationMs: number;
  rounds: number;
  stoppedBy: string | null;
  serverError: string | null;
  availability: { firstNxdomainMs: number | null; unresolvableMs: number }[];
  lost: string[];
}

function storm(variant: string, delayMs: number, seed: number, durationS: number, logs: string | undefined): StormRiskRow {
  const load1 = loadavg()[0];
  const args = [BIN, 'storm', '--variant', variant, '--duration', String(durationS), '--seed', String(seed), '--slow-enactor', '0', '--delay', String(delayMs)];
  if (logs) args.push('--out', join(logs, `${variant}-d${delayMs}-s${seed}`));
  const p = spawnSync(process.execPath, [...args, '--json', '--quiet'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (p.status !== 0) throw new Error(`storm ${args.slice(1).join(' ')} exited ${p.status}: ${p.stderr.trim()}`);
  const r = JSON.parse(p.stdout) as StormJson;
  if (r.stoppedBy !== null) throw new Error(`storm ${args.slice(1).join(' ')} stopped early: ${r.stoppedBy} ${r.serverError ?? ''}`);
  const a = r.availability[0];
  return {
    variant,
    delayMs,
    seed,
    durationMs: Math.round(r.durationMs),
    rounds: r.rounds,
    lost: r.lost.length > 0,
    firstNxdomainMs: a.firstNxdomainMs === null ? null : Math.round(a.firstNxdomainMs),
    unresolvableMs: a.unresolvableMs,
    share: Math.round((a.unresolvableMs / r.durationMs) * 1e4) / 1e4,
    load1: Math.round(load1 * 100) / 100,
  };
}

/** An estimate and its 95% interval. */
export interface Estimate {
  readonly value: number;
  readonly lo: number;
  readonly hi: number;
}

/** What runs of one configuration (a variant at a delay) measured: the storm's or the simulation's. */
export interface Figures {
  readonly variant: string;
  readonly delayMs: number;
  readonly runs: number;
  readonly lost: number;
  /** P(the name is lost within a run), Wilson. */
  readonly pLost: Estimate;
  /** The mean share of a run's time the name is unresolvable. */
  readonly share: Estimate;
  /** Rounds (episodes) run to their end or to the loss, and the share of them that lost the name (Wilson). */
  readonly rounds: number;
  readonly pRound: Estimate;
}

const wilsonEstimate = (k: number, n: number): Estimate => {
  const w = wilson(k, n, 0.95);
  return { value: k / n, lo: w.low, hi: w.high };
};

/** The storm's figures per configuration, in the order the rows first name them. */
export function stormFigures(rows: readonly StormRiskRow[]): Figures[] {
  const keys = [...new Set(rows.map((r) => `${r.variant} ${r.delayMs}`))];
  return keys.map((key) => {
    const rs = rows.filter((r) => `${r.variant} ${r.delayMs}` === key);
    const k = rs.filter((r) => r.lost).length;
    const s = meanInterval(
      rs.reduce((a, r) => a + r.share, 0),
      rs.reduce((a, r) => a + r.share * r.share, 0),
      rs.length,
      0.95,
    );
    // A run's last round, cut by its end without a loss, is left out.
    const rounds = rs.reduce((n, r) => n + (r.lost ? r.rounds : r.rounds - 1), 0);
    return {
      variant: rs[0].variant,
      delayMs: rs[0].delayMs,
      runs: rs.length,
      lost: k,
      pLost: wilsonEstimate(k, rs.length),
      share: { value: s.mean, lo: s.low, hi: s.high },
      rounds,
      pRound: wilsonEstimate(k, rounds),
    };
  });
}

const f3 = (x: number): string => x.toFixed(3);
const est = (e: Estimate, digits = 3): string => `${e.value.toFixed(digits)} [${e.lo.toFixed(digits)}, ${e.hi.toFixed(digits)}]`;

export function summaryLines(rows: readonly StormRiskRow[]): string[] {
  const lines = ['variant  delay  runs  lost  P(lost) [95% Wilson]   share unresolvable [95% normal]  rounds  P(lost per round) [95% Wilson]  load1 median'];
  for (const f of stormFigures(rows)) {
    const loads = rows
      .filter((r) => r.variant === f.variant && r.delayMs === f.delayMs)
      .map((r) => r.load1)
      .sort((a, b) => a - b);
    lines.push(
      `${f.variant.padEnd(7)} ${String(f.delayMs).padStart(5)}  ${String(f.runs).padStart(4)}  ${String(f.lost).padStart(4)}  ${est(f.pLost)}     ${est(f.share)}        ${String(f.rounds).padStart(5)}  ${est(f.pRound, 4)}        ${f3(loads[loads.length >> 1])}`,
    );
  }
  return lines;
}

interface RiskJson {
  horizonMs: number;
  cells: {
    variant: string;
    runs: number;
    episodes: number;
    estimates: {
      property: string;
      broken: number;
      probability: number;
      wilson: { low: number; high: number };
      unavailability: { mean: number; low: number; high: number };
    }[];
  }[];
}

/** `dnsmc risk` with `profile` at one configuration, over the storm's duration: the same figures. */
export function simulatedFigures(bin: string, profile: string, variant: string, delayMs: number, horizonS: number, runs: number, seed: number): Figures {
  const args = [
    bin,
    'risk',
    ...(profile === 'default' ? [] : ['--timing', profile]),
    '--variant',
    variant,
    '--slow-ms',
    String(delayMs),
    '--horizon',
    String(horizonS),
    '--runs',
    String(runs),
  ];
  args.push('--seed', String(seed), '--property', 'aliasResolves', '--json', '--quiet');
  const p = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (p.status !== 0) throw new Error(`dnsmc ${args.slice(1).join(' ')} exited ${p.status}: ${p.stderr.trim()}`);
  const cell = (JSON.parse(p.stdout) as RiskJson).cells[0];
  const e = cell.estimates[0];
  // An episode cut by the horizon without a loss is left out, as a storm's last round.
  const rounds = cell.episodes - (cell.runs - e.broken);
  return {
    variant,
    delayMs,
    runs: cell.runs,
    lost: e.broken,
    pLost: { value: e.probability, lo: e.wilson.low, hi: e.wilson.high },
    share: { value: e.unavailability.mean, lo: e.unavailability.low, hi: e.unavailability.high },
    rounds,
    pRound: wilsonEstimate(e.broken, rounds),
  };
}

const overlap = (a: Estimate, b: Estimate): string => (a.lo <= b.hi && b.lo <= a.hi ? (a.value >= b.lo && a.value <= b.hi ? 'yes, inside' : 'yes') : 'no');

/**
 * The storm's estimate less the simulation's, with a 95% interval for the
 * difference: each estimate's standard error read off its own 95% interval
 * (half its width over 1.96, a normal approximation), combined as for two
 * independent samples. The two agree when the interval holds 0.
 */
export function difference(a: Estimate, b: Estimate): Estimate {
  const se = (e: Estimate): number => (e.hi - e.lo) / (2 * 1.96);
  const d = a.value - b.value;
  const half = 1.96 * Math.hypot(se(a), se(b));
  return { value: d, lo: d - half, hi: d + half };
}

const signed = (x: number, digits: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
const agreement = (a: Estimate, b: Estimate, digits: number): string => {
  const d = difference(a, b);
  return `${signed(d.value, digits)} [${signed(d.lo, digits)}, ${signed(d.hi, digits)}]${d.lo <= 0 && d.hi >= 0 ? ', agree' : ''}`;
};

/**
 * The storm against the simulation, as a Markdown table: per configuration
 * and measure, both with their intervals, whether they overlap (`inside`: the
 * storm's estimate lies within the simulation's interval), and their
 * difference with its interval (`agree`: it holds 0).
 */
export function comparisonTable(storm: readonly Figures[], sim: readonly Figures[]): string[] {
  const lines = ['| variant | delay (ms) | measure | storm | simulation | overlap | storm − simulation |', '| --- | ---: | --- | --- | --- | --- | --- |'];
  storm.forEach((s, i) => {
    const m = sim[i];
    const row = (measure: string, a: Estimate, b: Estimate, digits = 3): string =>
      `| ${s.variant} | ${s.delayMs} | ${measure} | ${est(a, digits)} | ${est(b, digits)} | ${overlap(a, b)} | ${agreement(a, b, digits)} |`;
    lines.push(row(`P(lost within the run): storm ${s.lost}/${s.runs}, simulation ${m.lost}/${m.runs}`, s.pLost, m.pLost));
    lines.push(row('share of time unresolvable', s.share, m.share));
    lines.push(row(`P(lost per round): storm ${s.lost}/${s.rounds}, simulation ${m.lost}/${m.rounds}`, s.pRound, m.pRound, 4));
  });
  return lines;
}

const list = (s: string): number[] => (s === '' ? [] : s.split(',').map(Number));

/** The rows of a CSV {@link csvOf} wrote. */
export function rowsOfCsv(text: string): StormRiskRow[] {
  const [head, ...lines] = text.trim().split('\n');
  if (head !== COLUMNS.join(',')) throw new Error(`not a storm-risk CSV: its header is ${head}`);
  return lines.map((l) => {
    const v = l.split(',');
    const num = (i: number): number => Number(v[i]);
    return {
      variant: v[0],
      delayMs: num(1),
      seed: num(2),
      durationMs: num(3),
      rounds: num(4),
      lost: v[5] === 'true',
      firstNxdomainMs: v[6] === '' ? null : num(6),
      unresolvableMs: num(7),
      share: num(8),
      load1: num(9),
    };
  });
}

async function main(): Promise<void> {
  const a = await yargs(hideBin(process.argv))
    .option('delays', { type: 'string', default: '0,10,25,50,100' })
    .option('runs', { type: 'number', default: 16 })
    .option('first-seed', { type: 'number', default: 1 })
    .option('duration', { type: 'number', default: 10 })
    .option('variant', { type: 'string', default: 'as-was' })
    .option('fixed-delays', { type: 'string', default: '50' })
    .option('fixed-runs', { type: 'number', default: 8 })
    .option('out', { type: 'string', default: join(ROOT, 'docs', 'storm-risk.csv') })
    .option('logs', { type: 'string' })
    .option('summarise', { type: 'string', array: true, describe: 'only print the summary of these CSVs (rows pooled)' })
    .option('simulate', {
      type: 'string',
      describe: "with --summarise: a timing profile to simulate each configuration with (dnsmc risk), compared; 'default': the package's",
    })
    .option('sim-runs', { type: 'number', default: 1000 })
    .option('sim-seed', { type: 'number', default: 0 })
    .option('dnsmc', { type: 'string', default: BIN, describe: 'the dnsmc binary that simulates' })
    .strict()
    .parse();
  if (a.summarise) {
    const rows = a.summarise.flatMap((f) => rowsOfCsv(readFileSync(f, 'utf8')));
    for (const l of summaryLines(rows)) process.stdout.write(`${l}\n`);
    if (a.simulate === undefined) return;
    const storm = stormFigures(rows);
    const horizonS = Math.round(rows[0].durationMs / 1000);
    const sim = storm.map((s) => simulatedFigures(a.dnsmc, a.simulate as string, s.variant, s.delayMs, horizonS, a.simRuns, a.simSeed));
    process.stdout.write(`\nsimulated: ${a.simRuns} runs of ${horizonS} s per configuration, seed ${a.simSeed}, profile ${a.simulate}\n\n`);
    for (const l of comparisonTable(storm, sim)) process.stdout.write(`${l}\n`);
    return;
  }
  const configs = [
    ...list(a.delays).map((d) => ({ variant: a.variant, delayMs: d, runs: a.runs })),
    ...list(a.fixedDelays).map((d) => ({ variant: 'fixed', delayMs: d, runs: a.fixedRuns })),
  ];
  const rows: StormRiskRow[] = [];
  const most = Math.max(...configs.map((c) => c.runs));
  for (let i = 0; i < most; i++) {
    for (const c of configs) {
      if (i >= c.runs) continue;
      const row = storm(c.variant, c.delayMs, a.firstSeed + i, a.duration, a.logs);
      rows.push(row);
      writeFileAtomic(a.out, csvOf(rows));
      process.stderr.write(`${JSON.stringify(row)}\n`);
    }
  }
  for (const l of summaryLines(rows)) process.stdout.write(`${l}\n`);
  process.stdout.write(`rows written to ${a.out}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
