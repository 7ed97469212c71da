/**
 * `dnsmc storm [model flags] [system flags] --duration S --seed S [--slow-ROLE A --delay MS] [--out DIR] [--fail-on-loss]`:
 * the system's real-timing workload (the package's adapter declares it: for
 * dns, systems/dns/storm.ts), run for a duration with a seed and faults
 * given as data (a slow actor), with a progress line while it runs, then the
 * workload's summary. `--out` receives one event log per process
 * (docs/conformance.md), which `dnsmc conform` reads. Exit 0 (the storm ran;
 * its findings are in the report), 1 with `--fail-on-loss` when a public name
 * was unavailable at some point, 2 bad input or no system, 3 the system
 * stopped answering during the storm (the report says so, with what ran until
 * then). SIGINT or SIGTERM ends the storm early: it reports what ran
 * (`stoppedBy: "interrupted"`), writes the logs gathered so far, stops the
 * system and exits with 130 or 143.
 */
import { join, relative } from 'node:path';
import type { Fault } from '../checker/package/system.js';
import { EXIT, UsageError } from './errors.js';
import { outputDirFlag, seedFlag, wholeFlag } from './flags.js';
import { int } from './format.js';
import { interruptible, SIGNAL_EXIT } from './interrupt.js';
import type { Io } from './io.js';
import { modelFromFlags, type PackageSource } from './model.js';
import type { StormReport } from './json-reports.js';
import { headerLine, headerOf, printJson, writeOutput } from './report.js';
import { systemOf, systemOptions } from './system.js';
import { headFields } from './json-reports.js';
import { slowFlag } from './command-defaults.js';

export interface StormArgs {
  [flag: string]: unknown;
  duration?: unknown;
  seed?: unknown;
  delay?: unknown;
  out?: unknown;
  json?: unknown;
  failOnLoss?: unknown;
}

/** The flag of a `slow` fault on `role`: `slow-<role>` (camelCase as yargs hands it over: `slow<Role>`). */
export { slowFlag };
const camel = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const article = (word: string): string => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

export async function runStorm(a: StormArgs, io: Io, pkgSource?: PackageSource): Promise<number> {
  const { model, source } = await modelFromFlags(a, pkgSource);
  const system = systemOf(source, model, 'run a storm on');
  const workload = system.workload;
  if (!workload) throw new UsageError(`model ${model.name}'s system has no workload to run for real`);
  const duration = wholeFlag('duration', a.duration, 1, 3600) ?? 10;
  const seed = seedFlag(a.seed) ?? 0;
  const delay = wholeFlag('delay', a.delay, 0, 60_000);
  const faults: Fault[] = [];
  for (const f of workload.faults) {
    const flag = slowFlag(f.role);
    const n = model.roles[f.role] ?? 0;
    const actor = wholeFlag(flag, a[camel(flag)], 0);
    if (actor === undefined) continue;
    if (actor >= n) throw new UsageError(`--${flag} must be ${article(f.role)}, 0 to ${n - 1}, got ${actor}`);
    if (delay === undefined) throw new UsageError(`--${flag} and --delay go together: which ${f.role} is slowed, and by how many milliseconds per step`);
    faults.push({ kind: 'slow', role: f.role, actor, delayMs: delay });
  }
  if (delay !== undefined && faults.length === 0)
    throw new UsageError(
      `${workload.faults.map((f) => `--${slowFlag(f.role)}`).join(' or ')} and --delay go together: which actor is slowed, and by how many milliseconds per step`,
    );
  const options = systemOptions(system, 'storm', a, model);
  const out = outputDirFlag('out', a.out);
  const { value: r, signal } = await interruptible((interrupt) =>
    workload.run(model, options, {
      durationMs: duration * 1000,
      seed,
      faults,
      interrupt,
      onProgress: a.json === true || io.progress === 'never' ? undefined : (l) => io.err(`${l}\n`),
    }),
  );
  const failOnLoss = a.failOnLoss === true;
  const code = signal ? SIGNAL_EXIT[signal] : r.stoppedBy === 'server' ? EXIT.incomplete : failOnLoss && r.lost.length > 0 ? EXIT.violation : EXIT.ok;
  const files: string[] = [];
  if (out !== undefined) {
    for (const [process, events] of [...r.logs].sort(([x], [y]) => (x < y ? -1 : 1))) {
      const f = join(out, `${process}.jsonl`);
      writeOutput(f, events.map((e) => `${JSON.stringify(e)}\n`).join(''), 'out');
      files.push(f);
    }
  }
  // Protocol events: the lines that are steps (observations, such as probes, are not).
  const events = [...r.logs.values()].reduce((n, l) => n + l.filter((e) => typeof e === 'object' && e !== null && 'action' in e).length, 0);
  if (a.json === true) {
    const report: StormReport = {
      command: 'storm',
      ...headFields(model),
      seed,
      duration,
      faults,
      ...r.summary,
      durationMs: r.durationMs,
      stoppedBy: r.stoppedBy,
      serverError: r.failure,
      lost: r.lost,
      events,
      files,
    };
    printJson(io, report);
    return code;
  }
  io.out(`${headerLine('storm', headerOf(model))}\n`);
  const faultText = faults.map((f) => `; ${f.role} ${f.actor} slowed by ${f.delayMs} ms`).join('');
  io.out(`${r.system}; ${duration} s, seed ${seed}${faultText}\n\n`);
  for (const l of r.lines) io.out(`${l}\n`);
  if (files.length > 0) io.out(`\nevent logs written to ${out}: ${files.map((f) => relative(out ?? '', f)).join(', ')}\n`);
  if (failOnLoss)
    io.out(
      r.lost.length > 0
        ? `\n--fail-on-loss: ${r.lost.join(', ')} ${r.lost.length === 1 ? 'was' : 'were'} unavailable at some point (exit 1)\n`
        : `\n--fail-on-loss: every name stayed available (${int(events)} events)\n`,
    );
  return code;
}
