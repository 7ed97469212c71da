/**
 * `dnsmc storm [model flags] --duration S --seed S [--slow-enactor E --delay MS] [--out DIR]`:
 * the dns reference implementation running for real against a private
 * BIND 9 (systems/dns/storm.ts), with a progress line while it runs, then a
 * summary: plans published and applied, lock contention, and each endpoint
 * name's availability (first NXDOMAIN, total time unresolvable). `--out`
 * receives one event log per component (docs/conformance.md), which
 * `dnsmc conform` reads. Exit 0 (the storm ran; its findings are in the
 * report), 2 bad input or no server, 3 the server stopped answering during
 * the storm (the report says so, with what ran until then). SIGINT or
 * SIGTERM ends the storm early: it reports what ran (`stoppedBy:
 * "interrupted"`), writes the logs gathered so far, stops the server and
 * exits with 130 or 143.
 */
import { join, relative } from 'node:path';
import { EXIT, UsageError } from './errors.js';
import { outputDirFlag, seedFlag, wholeFlag } from './flags.js';
import { int } from './format.js';
import { interruptible, SIGNAL_EXIT } from './interrupt.js';
import type { Io } from './io.js';
import { modelFromFlags, type PackageSource } from './model.js';
import { headerLine, headerOf, headFields, printJson, writeOutput } from './report.js';

export interface StormArgs {
  [flag: string]: unknown;
  duration?: unknown;
  seed?: unknown;
  slowEnactor?: unknown;
  delay?: unknown;
  out?: unknown;
  json?: unknown;
}

export async function runStorm(a: StormArgs, io: Io, pkgSource?: PackageSource): Promise<number> {
  const { model } = await modelFromFlags(a, pkgSource);
  const duration = wholeFlag('duration', a.duration, 1, 3600) ?? 10;
  const seed = seedFlag(a.seed) ?? 0;
  const delay = wholeFlag('delay', a.delay, 0, 60_000);
  const slow = wholeFlag('slow-enactor', a.slowEnactor, 0);
  if ((slow === undefined) !== (delay === undefined))
    throw new UsageError('--slow-enactor and --delay go together: which enactor is slowed, and by how many milliseconds per step');
  const storm = await import('../systems/dns/storm.js');
  const config = storm.stormConfig(model);
  if (slow !== undefined && slow >= config.enactors) throw new UsageError(`--slow-enactor must be an enactor, 0 to ${config.enactors - 1}, got ${slow}`);
  const out = outputDirFlag('out', a.out);
  const { value: r, signal } = await interruptible((interrupt) =>
    storm.runStorm({
      config,
      durationMs: duration * 1000,
      seed,
      slowEnactor: slow,
      delayMs: delay,
      interrupt,
      onProgress: a.json === true || io.progress === 'never' ? undefined : (l) => io.err(`${l}\n`),
    }),
  );
  const code = signal ? SIGNAL_EXIT[signal] : r.stoppedBy === 'server' ? EXIT.incomplete : EXIT.ok;
  const files: string[] = [];
  if (out !== undefined) {
    for (const [process, events] of [...r.logs].sort(([x], [y]) => (x < y ? -1 : 1))) {
      const f = join(out, `${process}.jsonl`);
      writeOutput(f, events.map((e) => `${JSON.stringify(e)}\n`).join(''), 'out');
      files.push(f);
    }
  }
  const events = [...r.logs].filter(([p]) => p !== 'prober').reduce((n, [, l]) => n + l.length, 0);
  const { logs: _logs, ...summary } = r;
  if (a.json === true) {
    printJson(io, { command: 'storm', ...headFields(model), seed, duration, slowEnactor: slow ?? null, delayMs: delay ?? null, ...summary, events, files });
    return code;
  }
  io.out(`${headerLine('storm', headerOf(model))}\n`);
  io.out(
    `${r.server}; ${duration} s, seed ${seed}${slow !== undefined ? `; enactor ${slow} slowed by ${delay} ms before each lock attempt` : ''}\n\n` +
      `rounds ${r.rounds} (each the model's ${config.plans} plans from scratch; the event logs are the last round's); plans published ${r.plansPublished}; flips ${r.flips}; trees built ${r.builds}, builds given up ${r.gaveUp}; cleanups ${r.cleanups}\n` +
      `lock attempts ${int(r.lockAttempts)}, failed (contention) ${int(r.lockFailures)}\n` +
      `protocol events logged ${int(events)}\n` +
      (r.stoppedBy === 'interrupted'
        ? `interrupted after ${(r.durationMs / 1000).toFixed(1)} s\n`
        : r.stoppedBy === 'server'
          ? `the storm ended after ${(r.durationMs / 1000).toFixed(1)} s: the server failed: ${r.serverError}\n`
          : '') +
      '\n',
  );
  for (const x of r.availability) {
    io.out(
      `${x.name}: ${int(x.probes)} probes; ${x.firstResolvedMs === null ? 'never resolved' : `first resolved at ${Math.round(x.firstResolvedMs)} ms`}; ` +
        `${x.firstNxdomainMs === null ? 'never NXDOMAIN after that' : `first NXDOMAIN at ${Math.round(x.firstNxdomainMs)} ms, ${int(x.nxdomainProbes)} NXDOMAIN probes`}; ` +
        `unresolvable for ${int(x.unresolvableMs)} ms; last answer ${x.last}\n`,
    );
  }
  if (files.length > 0) io.out(`\nevent logs written to ${out}: ${files.map((f) => relative(out ?? '', f)).join(', ')}\n`);
  return code;
}
