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
 * share of time unresolvable with a 95% Student-t interval over the runs,
 * and the rounds (each the model's plans from scratch; a run's last round
 * counts when it lost the name, not when the run's end cut it) with the
 * share of them that lost it (95% Wilson).
 *
 * `node dist/bench/storm-risk.js [--delays 0,10,25,50] [--runs 20] [--duration 10]
 * [--first-seed 1] [--variant as-was] [--fixed-delays 50] [--fixed-runs 10] [--out docs/storm-risk.csv] [--logs DIR]`
 * (`npm run bench:storm-risk`). `--logs DIR` keeps each run's event logs in
 * DIR/<variant>-d<delay>-s<seed>/ (what `dnsmc calibrate` reads);
 * `--summarise CSV...` prints the summary of rows measured before (pooled).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
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

/** The 95% Wilson score interval of `k` successes in `n` trials. */
export function wilson95(k: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

/** Two-sided 95% Student-t quantiles for 1..30 degrees of freedom (then 1.96). */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The mean of `xs` and its 95% Student-t interval (clamped to [0, 1]: the values are shares). */
export function meanInterval(xs: readonly number[]): { mean: number; lo: number; hi: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, lo: 0, hi: 1 };
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const h = (T95[n - 2] ?? 1.96) * (sd / Math.sqrt(n));
  return { mean, lo: Math.max(0, mean - h), hi: Math.min(1, mean + h) };
}

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

export function summaryLines(rows: readonly StormRiskRow[]): string[] {
  const keys = [...new Set(rows.map((r) => `${r.variant} ${r.delayMs}`))];
  const lines = ['variant  delay  runs  lost  P(lost) [95% Wilson]   share unresolvable [95% t]  rounds  P(lost per round) [95% Wilson]  load1 median'];
  for (const key of keys) {
    const rs = rows.filter((r) => `${r.variant} ${r.delayMs}` === key);
    const k = rs.filter((r) => r.lost).length;
    const [lo, hi] = wilson95(k, rs.length);
    const s = meanInterval(rs.map((r) => r.share));
    const loads = rs.map((r) => r.load1).sort((a, b) => a - b);
    // Rounds run to their end or to the loss: a run's last round, cut by its end without a loss, is left out.
    const rounds = rs.reduce((n, r) => n + (r.lost ? r.rounds : r.rounds - 1), 0);
    const [rlo, rhi] = wilson95(k, rounds);
    const f = (x: number): string => x.toFixed(3);
    lines.push(
      `${rs[0].variant.padEnd(7)} ${String(rs[0].delayMs).padStart(5)}  ${String(rs.length).padStart(4)}  ${String(k).padStart(4)}  ${f(k / rs.length)} [${f(lo)}, ${f(hi)}]     ${f(s.mean)} [${f(s.lo)}, ${f(s.hi)}]        ${String(rounds).padStart(5)}  ${(k / rounds).toFixed(4)} [${rlo.toFixed(4)}, ${rhi.toFixed(4)}]        ${loads[loads.length >> 1].toFixed(2)}`,
    );
  }
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
    .option('delays', { type: 'string', default: '0,10,25,50' })
    .option('runs', { type: 'number', default: 20 })
    .option('first-seed', { type: 'number', default: 1 })
    .option('duration', { type: 'number', default: 10 })
    .option('variant', { type: 'string', default: 'as-was' })
    .option('fixed-delays', { type: 'string', default: '50' })
    .option('fixed-runs', { type: 'number', default: 10 })
    .option('out', { type: 'string', default: join(ROOT, 'docs', 'storm-risk.csv') })
    .option('logs', { type: 'string' })
    .option('summarise', { type: 'string', array: true, describe: 'only print the summary of these CSVs (rows pooled)' })
    .strict()
    .parse();
  if (a.summarise) {
    const rows = a.summarise.flatMap((f) => rowsOfCsv(readFileSync(f, 'utf8')));
    for (const l of summaryLines(rows)) process.stdout.write(`${l}\n`);
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
