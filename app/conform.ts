/**
 * `dnsmc conform LOG... [model flags] [--skew MS] [--json]`: trace
 * validation of event logs (docs/conformance.md gives the format). Reads the
 * logs (JSON lines, one protocol step each, any number of processes per
 * file), groups the events by process in sequence order, and asks the
 * generic search (checker/runs/log-search.ts) for an interleaving the model
 * explains. Exit codes: 0 conforms, 4 an event no model step explains (the
 * event, its file and line, and the model states reachable just before it
 * are reported), 3 incomplete (`--time-limit`, `--max-memory` or the cap on
 * configurations stopped it; what was explained so far is reported), 2 bad
 * input (one line naming the file and line). Progress goes to stderr.
 */
import { readInputBytes } from '../traces/io.js';
import { conform, ConformInputError, MAX_CONFIGURATIONS, type ConformEvent, type ConformResult, type ConformStop } from '../checker/runs/log-search.js';
import type { Progress } from '../checker/explore/options.js';
import type { Json, JsonState } from '../checker/state/layout.js';
import { stateLines } from '../traces/format.js';
import { printable, UsageError } from './errors.js';
import { wholeFlag } from './flags.js';
import { int, secs } from './format.js';
import type { Io } from './io.js';
import { modelFromFlags, type PackageSource } from './model.js';
import { limitFlags } from './options.js';
import { progressReporter } from './progress.js';
import { headerLine, headerOf, printJson } from './report.js';
import { headFields, type ReportHead } from './json-reports.js';

export interface ConformArgs {
  [flag: string]: unknown;
  logs?: unknown;
  skew?: unknown;
  timeLimit?: unknown;
  maxMemory?: unknown;
  json?: unknown;
}

/** Limits on what a log may hold (a line longer than this is refused, not read). */
// A log file is read whole and decoded as one string: 256 MiB keeps it well within the longest string V8 holds (about 512 MiB).
export const LOG_LIMITS = { lineBytes: 65_536, fileBytes: 256 * 2 ** 20, events: 10_000_000, sawFields: 64, processName: 100 };

export const CONFORM_DEFAULTS = { skewMs: 50 };

const KEYS = new Set(['process', 'seq', 'ts', 'action', 'actor', 'saw', 'observation', 'meta']);

/** One line of a log, parsed and checked for shape: an event, an observation (skipped), or a blank line. */
function parseLine(file: string, n: number, text: string): ConformEvent | null {
  const bad = (why: string): never => {
    throw new UsageError(`${printable(file)}:${n}: ${why}`);
  };
  if (text.trim() === '') return null;
  if (Buffer.byteLength(text) > LOG_LIMITS.lineBytes) bad(`the line is longer than ${LOG_LIMITS.lineBytes} bytes`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    bad('not a JSON object (each line of a log is one JSON object)');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return bad('not a JSON object (each line of a log is one JSON object)');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!KEYS.has(k)) bad(`unknown key ${printable(JSON.stringify(k.slice(0, 40)))} (an event has process, seq, ts, action, actor, saw)`);
  if (typeof o.process !== 'string' || o.process === '' || o.process.length > LOG_LIMITS.processName)
    bad(`process must be a non-empty string of at most ${LOG_LIMITS.processName} characters`);
  if (typeof o.seq !== 'number' || !Number.isSafeInteger(o.seq) || o.seq < 1) bad("seq must be a whole number from 1 (the process's own sequence number)");
  if (typeof o.ts !== 'number' || !Number.isFinite(o.ts)) bad('ts must be a finite number (milliseconds)');
  if (o.observation !== undefined) {
    if (o.action !== undefined) bad('a line is an event (action) or an observation, not both');
    return null;
  }
  if (typeof o.action !== 'string' || o.action === '' || o.action.length > 100) bad("action must be the name of one of the model's actions");
  if (typeof o.actor !== 'number' || !Number.isSafeInteger(o.actor) || o.actor < 0) bad('actor must be a whole number from 0');
  const saw = o.saw ?? {};
  if (saw === null || typeof saw !== 'object' || Array.isArray(saw)) return bad('saw must be an object of state fields and values');
  if (Object.keys(saw).length > LOG_LIMITS.sawFields) bad(`saw names more than ${LOG_LIMITS.sawFields} fields`);
  return {
    file,
    line: n,
    process: o.process as string,
    seq: o.seq as number,
    ts: o.ts as number,
    action: o.action as string,
    actor: o.actor as number,
    saw: saw as Record<string, Json>,
  };
}

/** A log's bytes as text: UTF-8, a leading byte order mark skipped; bytes that are not UTF-8 are refused, naming the line. */
function utf8Text(file: string, bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let n = 1;
    let start = 0;
    for (;;) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.length;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, end));
      } catch {
        throw new UsageError(`${printable(file)}:${n}: not UTF-8 text (a log is UTF-8, one JSON object per line)`);
      }
      if (end >= bytes.length) break;
      start = end + 1;
      n++;
    }
    throw new UsageError(`${printable(file)}: not UTF-8 text (a log is UTF-8, one JSON object per line)`);
  }
}

/** Reads logs into per-process event lists in sequence order. Throws UsageError naming the file and line. */
export function readLogs(files: readonly string[]): ConformEvent[][] {
  const byProcess = new Map<string, ConformEvent[]>();
  let count = 0;
  for (const file of files) {
    const text = utf8Text(file, readInputBytes(file, { name: 'log file', maxBytes: LOG_LIMITS.fileBytes }));
    let n = 0;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      n++;
      const e = parseLine(file, n, text.slice(start, end));
      start = end + 1;
      if (!e) continue;
      if (++count > LOG_LIMITS.events) throw new UsageError(`${printable(file)}:${n}: more than ${LOG_LIMITS.events} events in all`);
      const list = byProcess.get(e.process);
      if (list) {
        if (list[0].actor !== e.actor)
          throw new UsageError(
            `${printable(file)}:${n}: process ${printable(e.process)} is actor ${list[0].actor} (${printable(list[0].file)}:${list[0].line}), not ${e.actor}`,
          );
        list.push(e);
      } else byProcess.set(e.process, [e]);
    }
  }
  const logs = [...byProcess.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, events]) => events.sort((x, y) => x.seq - y.seq));
  for (const log of logs) {
    for (let i = 0; i < log.length; i++) {
      const e = log[i];
      if (e.seq === i + 1) continue;
      if (i > 0 && e.seq === log[i - 1].seq)
        throw new UsageError(
          `${printable(e.file)}:${e.line}: process ${printable(e.process)} has two events with seq ${e.seq} (also ${printable(log[i - 1].file)}:${log[i - 1].line})`,
        );
      throw new UsageError(
        `${printable(e.file)}:${e.line}: process ${printable(e.process)} jumps to seq ${e.seq}: its events ${i + 1} to ${e.seq - 1} are missing`,
      );
    }
  }
  return logs;
}

export interface ConformReport extends ReportHead, Omit<ConformResult, 'failure'> {
  readonly command: 'conform';
  readonly conforms: boolean;
  readonly files: readonly string[];
  /** The first event no model step explains, with the model states reachable just before it and why each fails. */
  readonly failure: (ConformEvent & { readonly states: readonly JsonState[]; readonly statesTotal: number; readonly reasons: readonly string[] }) | null;
}

/** The progress line of a conformance search (depth: events explained; generated: the log's events; distinct: configurations). */
const progressLine = (p: Progress): string =>
  `progress: ${int(p.depth)} of ${int(p.generatedStates)} events explained, ${int(p.distinctStates)} configurations, stack ${int(p.queue)}, ${(p.elapsedMs / 1000).toFixed(0)} s`;

/** What stopped an incomplete search, in words. */
const STOPPED: Record<ConformStop, string> = {
  'time-limit': 'the time limit (--time-limit) stopped the search',
  'max-memory': 'the memory limit (--max-memory) stopped the search',
  'max-configurations': `the search stored ${int(MAX_CONFIGURATIONS)} configurations, its most`,
};

const sawText = (saw: Readonly<Record<string, Json>>): string =>
  Object.entries(saw)
    .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
    .join(', ');

/** Runs `dnsmc conform`; resolves to 0, 3 or 4. */
export async function runConform(a: ConformArgs, io: Io, pkgSource?: PackageSource): Promise<number> {
  const files = Array.isArray(a.logs) ? a.logs.map(String) : typeof a.logs === 'string' ? [a.logs] : [];
  if (files.length === 0) throw new UsageError('conform needs at least one log file: dnsmc conform LOG... [model flags]');
  const skew = a.skew === 'none' ? undefined : (wholeFlag('skew', a.skew, 0, 86_400_000) ?? CONFORM_DEFAULTS.skewMs);
  const limits = limitFlags(a);
  const { model } = await modelFromFlags(a, pkgSource);
  const logs = readLogs(files);
  let r: ConformResult;
  const progress = progressReporter(io, progressLine);
  const shown = progress.onProgress;
  try {
    r = conform(model, logs, {
      skewMs: skew,
      ...limits,
      progressIntervalMs: progress.intervalMs,
      onProgress: shown
        ? (p) => shown({ distinctStates: p.configurations, generatedStates: p.events, queue: p.stack, depth: p.explained, elapsedMs: p.elapsedMs })
        : undefined,
    });
  } catch (e) {
    if (e instanceof ConformInputError) throw new UsageError(`${printable(e.file)}:${e.line}: ${printable(e.message)}`);
    throw e;
  } finally {
    progress.done();
  }
  const f = r.failure;
  const report: ConformReport = {
    command: 'conform',
    status: r.status,
    stoppedBy: r.stoppedBy,
    conforms: r.status === 'conforms',
    ...headFields(model),
    files,
    events: r.events,
    processes: r.processes,
    explained: r.explained,
    configurations: r.configurations,
    maxWidth: r.maxWidth,
    durationMs: Math.round(r.durationMs * 10) / 10,
    failure: f
      ? {
          file: f.event.file,
          line: f.event.line,
          process: f.event.process,
          seq: f.event.seq,
          ts: f.event.ts,
          action: f.event.action,
          actor: f.event.actor,
          saw: f.event.saw,
          states: f.states,
          statesTotal: f.statesTotal,
          reasons: f.reasons,
        }
      : null,
  };
  const code = r.status === 'conforms' ? 0 : r.status === 'diverges' ? 4 : 3;
  if (a.json === true) {
    printJson(io, report);
    return code;
  }
  io.out(`${headerLine('conform', headerOf(model))}\n`);
  io.out(
    `${files.length} log${files.length === 1 ? '' : 's'}, ${r.processes} processes, ${int(r.events)} events${skew !== undefined ? `; clock skew at most ${skew} ms` : ''}\n\n`,
  );
  if (r.status === 'conforms') {
    io.out(`The events conform: some interleaving consistent with every process's order is a behaviour of the model.\n`);
  } else if (r.status === 'incomplete') {
    io.out(
      `Incomplete: ${STOPPED[r.stoppedBy ?? 'max-configurations']} before a verdict; the longest interleaving the model explains so far takes ${int(r.explained)} of the ${int(r.events)} events.${skew === undefined ? " Give --skew to bound the clocks' disagreement." : ''}\n`,
    );
  } else if (f) {
    const e = f.event;
    io.out(
      `The events diverge from the model at ${printable(e.file)}:${e.line}: ${printable(e.process)}'s event ${e.seq}, ${printable(e.action)} by actor ${e.actor}` +
        `${Object.keys(e.saw).length > 0 ? `, which saw ${printable(sawText(e.saw))}` : ''}.\n`,
    );
    io.out(
      `No model step explains it. The longest interleaving the model explains takes ${int(r.explained)} events; the model states reachable just before it (${f.statesTotal}${f.statesTotal > f.states.length ? `, the first ${f.states.length} shown` : ''}):\n`,
    );
    f.states.forEach((s, i) => {
      io.out(`  state ${i + 1}: ${stateLines(s).join('; ')}\n`);
      io.out(`    ${printable(f.reasons[i])}\n`);
    });
  }
  io.out(`${int(r.configurations)} configurations, widest layer ${int(r.maxWidth)}, ${secs(r.durationMs)}\n`);
  return code;
}
