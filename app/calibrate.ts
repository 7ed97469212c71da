/**
 * Calibration (`dnsmc risk --calibrate LOGS... --out FILE`): a timing profile derived from the
 * event logs of the package's real-timing workload (`dnsmc storm --out DIR`),
 * as the package's system adapter derives it (`SystemAdapter.calibrate`;
 * dns: systems/dns/calibrate.ts), written atomically to FILE. Each LOG is a
 * folder a storm wrote (its `*.jsonl` files are one run) or a log file (the
 * files given from one folder are one run). The logs are untrusted input,
 * read as `conform` reads them: a bad line is one line naming the file and
 * line, exit 2.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describeDist, type TimingProfile } from '../checker/package/timing.js';
import { readLogs } from './conform.js';
import { printable, UsageError } from './errors.js';
import { outputFlag, refuseOverwrite } from './flags.js';
import { int } from './format.js';
import type { Io } from './io.js';
import { modelFromFlags, type PackageSource } from './model.js';
import { printJson, writeOutput } from './report.js';

export interface CalibrateArgs {
  [flag: string]: unknown;
  logs?: unknown;
  out?: unknown;
  json?: unknown;
}

/** The runs the arguments name: per run, its log files (a folder's `*.jsonl`, sorted; files grouped by folder, in the order given). */
export function runsOfArgs(paths: readonly string[]): string[][] {
  const runs = new Map<string, string[]>();
  for (const p of paths) {
    let folder = false;
    try {
      folder = statSync(p).isDirectory();
    } catch (e) {
      throw new UsageError(`cannot read log ${printable(p)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (folder) {
      let names: string[];
      try {
        names = readdirSync(p);
      } catch (e) {
        throw new UsageError(`cannot read log folder ${printable(p)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const files = names.filter((n) => n.endsWith('.jsonl')).sort();
      if (files.length === 0) throw new UsageError(`log folder ${printable(p)} holds no .jsonl file (a storm's --out folder holds one per process)`);
      runs.set(
        `folder ${p}`,
        files.map((n) => join(p, n)),
      );
    } else {
      const key = `files ${dirname(p)}`;
      const l = runs.get(key);
      if (l) l.push(p);
      else runs.set(key, [p]);
    }
  }
  return [...runs.values()];
}

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** What the profile holds, for people: per action, its samples' count, median and 90th percentile (a distribution of another kind, in words). */
export function profileLines(p: TimingProfile): string[] {
  const lines = [`source: ${p.source ?? 'not given'}`];
  for (const [action, d] of Object.entries(p.actions)) {
    if (d.dist !== 'empirical') {
      lines.push(`  ${action.padEnd(13)} ${describeDist(d)}`);
      continue;
    }
    const s = [...d.samples].sort((x, y) => x - y);
    lines.push(
      `  ${action.padEnd(13)} ${int(s.length).padStart(7)} samples, median ${quantile(s, 0.5).toFixed(3)} ms, 90th percentile ${quantile(s, 0.9).toFixed(3)} ms`,
    );
  }
  return lines;
}

/** Runs the calibration; resolves to 0 (bad input throws: exit 2). */
export async function runCalibrate(a: CalibrateArgs, io: Io, pkgSource?: PackageSource): Promise<number> {
  const paths = Array.isArray(a.logs) ? a.logs.map(String) : typeof a.logs === 'string' ? [a.logs] : [];
  if (paths.length === 0) throw new UsageError('--calibrate needs at least one storm log folder or file: --calibrate LOGS... --out FILE');
  const out = outputFlag('out', a.out);
  if (out === undefined) throw new UsageError('--out FILE is needed: the file the timing profile is written to');
  const runs = runsOfArgs(paths);
  refuseOverwrite(
    [['out', out]],
    runs.flat().map((f) => ['a log', f] as const),
  );
  const { model, source } = await modelFromFlags(a, pkgSource);
  const calibrate = source.pkg.system?.calibrate;
  if (!calibrate) throw new UsageError(`model ${model.name}'s system cannot be calibrated (its adapter derives no timing from logs)`);
  const profile = calibrate(runs.map((files) => readLogs(files)));
  writeOutput(out, `${JSON.stringify(profile, null, 1)}\n`, 'out');
  if (a.json === true) {
    printJson(io, {
      command: 'risk',
      calibrate: true,
      model: model.name,
      runs: runs.length,
      out,
      source: profile.source,
      samples: Object.fromEntries(Object.entries(profile.actions).map(([k, d]) => [k, d.dist === 'empirical' ? d.samples.length : null])),
    });
    return 0;
  }
  io.out(`timing profile for ${model.name} written to ${out}, from ${runs.length} run${runs.length === 1 ? '' : 's'}\n`);
  for (const l of profileLines(profile)) io.out(`${l}\n`);
  return 0;
}
