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
 *
 * Logs may begin anywhere: `--initial FILE` (a state in the model's JSON
 * form) or `--initial-from-server` (the package's system adapter reads the
 * running system) gives the state they begin at, and the package may map the
 * system's numbering to the model's (dns: plan generations). When they
 * diverge, the explained prefix is printed narrated and `--trace-out` writes
 * it, with the event named, as a trace that `view` opens; when they conform,
 * `--state-out` writes the state after the last event (a snapshot to go on from).
 */
import { readInputBytes } from '../traces/io.js';
import { propertyNames, type Model } from '../checker/model/model.js';
import { firstBreaks, replay } from '../checker/model/replay.js';
import { systemFlags } from '../checker/package/system.js';
import { LayoutError } from '../checker/state/layout.js';
import { isObj, traceFromReplay, type Trace } from '../traces/trace.js';
import { conform, ConformInputError, MAX_CONFIGURATIONS, type ConformEvent, type ConformResult, type ConformStop } from '../checker/runs/log-search.js';
import type { Progress } from '../checker/explore/options.js';
import type { Json, JsonState } from '../checker/state/layout.js';
import { stateLines } from '../traces/format.js';
import { kebab, printable, UsageError } from './errors.js';
import { outputFlag, refuseOverwrite, wholeFlag } from './flags.js';
import { int, secs } from './format.js';
import type { Io } from './io.js';
import { modelFromFlags, type PackageSource } from './model.js';
import { limitFlags } from './options.js';
import { progressReporter } from './progress.js';
import { headerLine, headerOf, printJson, writeOutput, writeTrace } from './report.js';
import { headFields, type ConformReport, type EventRef } from './json-reports.js';
import { systemOf, systemOptions } from './system.js';
import { readJsonInput } from './trace-file.js';
import { CONFORM_DEFAULTS } from './command-defaults.js';

export interface ConformArgs {
  [flag: string]: unknown;
  logs?: unknown;
  skew?: unknown;
  timeLimit?: unknown;
  maxMemory?: unknown;
  json?: unknown;
  initial?: unknown;
  initialFromServer?: unknown;
  stateOut?: unknown;
  traceOut?: unknown;
}

/** Limits on what a log may hold (a line longer than this is refused, not read). */
// A log file is read whole and decoded as one string: 256 MiB keeps it well within the longest string V8 holds (about 512 MiB).
export const LOG_LIMITS = { lineBytes: 65_536, fileBytes: 256 * 2 ** 20, events: 10_000_000, sawFields: 64, processName: 100 };

export { CONFORM_DEFAULTS };

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

/**
 * Reads logs into per-process event lists in sequence order. Throws
 * UsageError naming the file and line. A process's events run 1, 2, 3...;
 * with `fromSnapshot` (logs that begin at a snapshot) they may start at any
 * number, without gaps from there.
 */
export function readLogs(files: readonly string[], fromSnapshot = false): ConformEvent[][] {
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
    const start = fromSnapshot ? log[0].seq : 1;
    for (let i = 0; i < log.length; i++) {
      const e = log[i];
      if (e.seq === start + i) continue;
      if (i > 0 && e.seq === log[i - 1].seq)
        throw new UsageError(
          `${printable(e.file)}:${e.line}: process ${printable(e.process)} has two events with seq ${e.seq} (also ${printable(log[i - 1].file)}:${log[i - 1].line})`,
        );
      throw new UsageError(
        `${printable(e.file)}:${e.line}: process ${printable(e.process)} jumps to seq ${e.seq}: its events ${start + i} to ${e.seq - 1} are missing${fromSnapshot || i > 0 ? '' : ' (logs that begin later need the state they begin at: --initial FILE or --initial-from-server)'}`,
      );
    }
  }
  return logs;
}

const refOf = (e: ConformEvent): EventRef => ({ file: e.file, line: e.line, process: e.process, seq: e.seq, action: e.action, actor: e.actor });

/** A trace of the explained prefix, as `conform --trace-out` writes it: the failing event beside it (`conform`). */
export interface ConformTrace extends Trace {
  readonly conform: {
    /** The trace's initial state is a snapshot the logs began at, not one of the model's initial states. */
    readonly snapshot: boolean;
    readonly files: readonly string[];
    /** The event named, which no step from the trace's last state explains, and why. */
    readonly failure: ConformEvent & { readonly alone: boolean; readonly reason: string };
    readonly culprits: readonly EventRef[];
    /** Each step's event, in order. */
    readonly events: readonly EventRef[];
  };
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

/** Reads `--initial FILE`: a JSON object (checked against the layout after the package's renumbering). */
function readSnapshot(file: string): JsonState {
  const json = readJsonInput(file, 'state of the model in its JSON form (as traces write states)');
  if (!isObj(json)) throw new UsageError(`--initial ${printable(file)}: must hold a JSON object, a state of the model (as traces write states)`);
  return json as JsonState;
}

/** The snapshot the logs begin at, if one is given: from `--initial FILE` or the system (`--initial-from-server`). */
async function snapshotOf(a: ConformArgs, model: Model, source: PackageSource): Promise<{ state: JsonState; from: string } | null> {
  const fromServer = a.initialFromServer === true;
  if (a.initialFromServer !== undefined && typeof a.initialFromServer !== 'boolean')
    throw new UsageError('--initial-from-server is a switch (the system adapter reads the running system)');
  const file = a.initial === undefined ? undefined : outputlessFile(a.initial);
  if (file !== undefined && fromServer) throw new UsageError('--initial and --initial-from-server both give the state the logs begin at: give one');
  const system = source.pkg.system;
  if (!fromServer && system)
    for (const f of systemFlags(system, 'conform'))
      if (a[f.name] !== undefined) throw new UsageError(`--${kebab(f.name)} goes with --initial-from-server (it says where to read the snapshot)`);
  if (file !== undefined) return { state: readSnapshot(file), from: file };
  if (!fromServer) return null;
  const sys = systemOf(source, model, 'read a snapshot of');
  if (!sys.snapshot) throw new UsageError(`model ${model.name}'s system offers no snapshot: give --initial FILE`);
  return { state: await sys.snapshot(model, systemOptions(sys, 'conform', a, model)), from: 'server' };
}

const outputlessFile = (v: unknown): string => {
  if (typeof v !== 'string' || v === '') throw new UsageError('--initial must be a file: a state of the model in its JSON form');
  return v;
};

/** The explained prefix replayed as a trace (narrated by the model), annotated with the failing event. */
function prefixTrace(model: Model, f: NonNullable<ConformResult['failure']>, snapshot: boolean, files: readonly string[]): ConformTrace {
  const vec = model.layout.vector();
  model.layout.fromJson(f.prefix.initial, vec);
  const run = replay(model, model.layout.toPlain(vec), f.prefix.events);
  if (run.failure) throw new Error(`the explained prefix does not replay at step ${run.failure.step}: ${run.failure.reason}`);
  const stepNames = new Set(model.stepInvariants.map((p) => p.name));
  const property = firstBreaks(model, run)[0]?.property ?? propertyNames(model)[0];
  const trace = traceFromReplay(model, run, property, stepNames.has(property) ? 'step' : 'invariant');
  const last = JSON.stringify(trace.steps.length > 0 ? trace.steps[trace.steps.length - 1].state : trace.initial);
  const i = f.states.findIndex((s) => JSON.stringify(s) === last);
  return {
    ...trace,
    conform: {
      snapshot,
      files,
      failure: { ...f.event, alone: f.alone, reason: f.reasons[i] ?? f.reasons[0] },
      culprits: f.culprits.map(refOf),
      events: f.prefix.events.map(refOf),
    },
  };
}

/** Runs `dnsmc conform`; resolves to 0, 3 or 4. */
export async function runConform(a: ConformArgs, io: Io, pkgSource?: PackageSource): Promise<number> {
  const files = Array.isArray(a.logs) ? a.logs.map(String) : typeof a.logs === 'string' ? [a.logs] : [];
  if (files.length === 0) throw new UsageError('conform needs at least one log file: dnsmc conform LOG... [model flags]');
  const skew = a.skew === 'none' ? undefined : (wholeFlag('skew', a.skew, 0, 86_400_000) ?? CONFORM_DEFAULTS.skewMs);
  const limits = limitFlags(a);
  const stateOut = outputFlag('state-out', a.stateOut);
  const traceOut = outputFlag('trace-out', a.traceOut);
  refuseOverwrite(
    [
      ['state-out', stateOut],
      ['trace-out', traceOut],
    ],
    [...files.map((f) => ['a log', f] as const), ['the snapshot (--initial)', typeof a.initial === 'string' ? a.initial : undefined]],
  );
  const { model, source } = await modelFromFlags(a, pkgSource);
  const snap = await snapshotOf(a, model, source);
  let logs = readLogs(files, snap !== null);
  // The package maps the system's numbering to the model's (the snapshot, and what each event saw).
  let initial = snap?.state;
  let renumbered: string | null = null;
  // Logs that begin at a snapshot are in the system's numbering; from the model's initial states, in the model's.
  const normalise = source.pkg.system?.normaliseLogs;
  if (normalise && initial) {
    const n = normalise(model, initial, logs.flat());
    let i = 0;
    logs = logs.map((log) => log.map((e) => ({ ...e, saw: n.saws[i++] })));
    initial = n.initial;
    renumbered = n.note;
  }
  if (initial && snap) {
    try {
      model.layout.fromJson(initial, model.layout.vector());
    } catch (e) {
      if (!(e instanceof LayoutError)) throw e;
      throw new UsageError(`${snap.from === 'server' ? '--initial-from-server' : `--initial ${printable(snap.from)}`}: ${printable(e.message)}`);
    }
  }
  let r: ConformResult;
  const progress = progressReporter(io, progressLine);
  const shown = progress.onProgress;
  try {
    r = conform(model, logs, {
      skewMs: skew,
      ...limits,
      initial,
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
  const trace = f ? prefixTrace(model, f, snap !== null, files) : null;
  const report: ConformReport = {
    command: 'conform',
    status: r.status,
    stoppedBy: r.stoppedBy,
    conforms: r.status === 'conforms',
    ...headFields(model),
    files,
    initial: snap?.from ?? 'model',
    renumbered,
    events: r.events,
    processes: r.processes,
    explained: r.explained,
    configurations: r.configurations,
    maxWidth: r.maxWidth,
    durationMs: Math.round(r.durationMs * 10) / 10,
    final: r.final,
    failure: f
      ? {
          ...f.event,
          alone: f.alone,
          culprits: f.culprits.map(refOf),
          culpritsTotal: f.culpritsTotal,
          prefix: f.prefix.events.map((e, i) => ({ ...refOf(e), narration: trace ? trace.steps[i].narration : '' })),
          states: f.states,
          statesTotal: f.statesTotal,
          reasons: f.reasons,
        }
      : null,
  };
  if (stateOut && r.final) writeOutput(stateOut, `${JSON.stringify(r.final)}\n`, 'state-out');
  if (traceOut && trace) writeTrace(traceOut, trace);
  const code = r.status === 'conforms' ? 0 : r.status === 'diverges' ? 4 : 3;
  if (a.json === true) {
    printJson(io, report);
    return code;
  }
  io.out(`${headerLine('conform', headerOf(model))}\n`);
  io.out(
    `${files.length} log${files.length === 1 ? '' : 's'}, ${r.processes} processes, ${int(r.events)} events${skew !== undefined ? `; clock skew at most ${skew} ms` : ''}` +
      `${snap ? `; beginning at the snapshot ${snap.from === 'server' ? 'read from the server' : printable(snap.from)}` : ''}\n`,
  );
  if (renumbered) io.out(`${printable(renumbered)}\n`);
  io.out('\n');
  if (r.status === 'conforms') {
    io.out(`The events conform: some interleaving consistent with every process's order is a behaviour of the model.\n`);
    if (stateOut) io.out(`the state after the last event written to ${stateOut}\n`);
  } else if (r.status === 'incomplete') {
    io.out(
      `Incomplete: ${STOPPED[r.stoppedBy ?? 'max-configurations']} before a verdict; the longest interleaving the model explains so far takes ${int(r.explained)} of the ${int(r.events)} events.${skew === undefined ? " Give --skew to bound the clocks' disagreement." : ''}\n`,
    );
  } else if (f && trace) {
    const e = f.event;
    const where = (x: EventRef): string =>
      `${printable(x.file)}:${x.line} (${printable(x.process)}'s event ${x.seq}, ${printable(x.action)} by actor ${x.actor})`;
    io.out(
      `The events diverge from the model at ${printable(e.file)}:${e.line}: ${printable(e.process)}'s event ${e.seq}, ${printable(e.action)} by actor ${e.actor}` +
        `${Object.keys(e.saw).length > 0 ? `, which saw ${printable(sawText(e.saw))}` : ''}.\n`,
    );
    if (f.alone)
      io.out(
        f.culpritsTotal === 1
          ? 'No explained prefix can take it next: every interleaving the model explains that reaches it stops there.\n'
          : `No explained prefix can take it next; ${f.culpritsTotal} events are so (one per process at most), any of which could be the culprit:\n`,
      );
    else
      io.out(
        `Each event pending there is taken by some interleaving the model explains, but none explains them together; ${f.culpritsTotal} could be the culprit:\n`,
      );
    if (f.culpritsTotal > 1) {
      for (const x of f.culprits) io.out(`  ${where(x)}\n`);
      if (f.culpritsTotal > f.culprits.length) io.out(`  ... and ${f.culpritsTotal - f.culprits.length} more\n`);
    }
    io.out(`\nThe longest explained prefix before it (${int(f.prefix.events.length)} events${snap ? ', from the snapshot' : ''}):\n`);
    const width = String(f.prefix.events.length).length;
    const shownSteps = Math.min(40, f.prefix.events.length);
    if (shownSteps < f.prefix.events.length) io.out(`  (its last ${shownSteps} shown; --trace-out writes it whole)\n`);
    for (let i = f.prefix.events.length - shownSteps; i < f.prefix.events.length; i++) {
      const x = f.prefix.events[i];
      io.out(`  ${String(i + 1).padStart(width)}. ${printable(trace.steps[i].narration)}  [${printable(x.file)}:${x.line}]\n`);
    }
    io.out(
      `\nNo model step explains ${printable(e.process)}'s event ${e.seq} from the model states where it is pending (${f.statesTotal}${f.statesTotal > f.states.length ? `, the first ${f.states.length} shown` : ''}):\n`,
    );
    f.states.forEach((s, i) => {
      io.out(`  state ${i + 1}: ${stateLines(s).join('; ')}\n`);
      io.out(`    ${printable(f.reasons[i])}\n`);
    });
    if (traceOut) io.out(`the explained prefix, with the event named, written to ${traceOut} (open it with dnsmc view)\n`);
  }
  io.out(`${int(r.configurations)} configurations, widest layer ${int(r.maxWidth)}, ${secs(r.durationMs)}\n`);
  return code;
}
