/**
 * `dnsmc reenact TRACE [system flags]`: performs a trace's steps on the real
 * system behind its model (the package's system adapter, which declares the
 * system's own flags and reads them), observes the real state after every step, compares
 * it field by field with the model's, checks the properties on what was
 * observed, and at the end prints what the system answers for its names.
 *
 * Exit codes: 0 the system followed the model and every property held on
 * it; 1 it followed the model and a property broke on it (the outage,
 * reproduced); 4 it diverged from the model (the first step and field are
 * named); 2 bad input, or no system (one line). SIGINT or SIGTERM stops it
 * before the next step: it reports the steps performed (`stoppedBy:
 * "interrupted"`), writes its outputs, stops the system and exits with 130
 * or 143.
 *
 * A driver (the process running the system's implementation) that crashes,
 * gives no reply in time, or replies what its protocol does not allow ends
 * the run with one line and exit 5, 6 or 7 (docs/drivers.md).
 */
import type { Json, JsonState } from '../checker/state/layout.js';
import type { Model } from '../checker/model/model.js';
import { reenact, reenactExitCode, type ReenactReport } from '../checker/runs/system-run.js';
import { pathName, showValue } from '../traces/format.js';
import type { Trace } from '../traces/trace.js';
import { UsageError } from './errors.js';
import { outputFlag, refuseOverwrite } from './flags.js';
import { interruptible, SIGNAL_EXIT } from './interrupt.js';
import type { Io } from './io.js';
import { headerLine, headerOf, printJson, writeTrace } from './report.js';
import { readTraceFile } from './trace-file.js';
import { driverFailure, systemOf, systemOptions } from './system.js';
import { besideObserved, writeViewer } from './view.js';
import { headFields, type ReenactJson, type ReenactedTrace } from './json-reports.js';

/** The flags of `dnsmc reenact`, as yargs hands them over (unvalidated), the system's own included. */
export interface ReenactArgs {
  [flag: string]: unknown;
  trace?: unknown;
  json?: unknown;
  traceOut?: unknown;
  view?: unknown;
  model?: unknown;
}

/** The trace with what the system held after each step, and what it answered at the end (`reenacted`). */
export function annotate(trace: Trace, r: ReenactReport): ReenactedTrace {
  return {
    ...trace,
    reenacted: {
      status: r.status,
      server: r.server.description,
      observed: r.steps.map((s) => s.observed),
      resolution: r.resolution,
      ...(r.stoppedBy ? { stoppedBy: r.stoppedBy } : {}),
    },
  };
}

/** One line for a name's resolution: `e0.ddb.example.: NXDOMAIN (CNAME plan-1.e0.ddb.example.)`. */
export function resolutionLine(r: Json): string {
  const o = r as { name?: unknown; rcode?: unknown; answers?: unknown };
  if (typeof o?.name !== 'string' || typeof o.rcode !== 'string' || !Array.isArray(o.answers)) return JSON.stringify(r);
  const answers = (o.answers as { type?: unknown; data?: unknown }[]).map((a) => `${String(a.type)} ${String(a.data)}`);
  return `${o.name}: ${o.rcode}${answers.length > 0 ? ` (${answers.join(', ')})` : ', no answer'}`;
}

/** The fields a step wrote (from the trace's patches), as `alias[0]`. */
function written(trace: Trace, step: number): string[] {
  if (step === 0) return [];
  return trace.steps[step - 1].patches.map((p) => pathName(p.path));
}

const valueAt = (s: JsonState, field: string): Json | undefined => {
  const m = /^([^[]+)(?:\[(\d+)\])?$/.exec(field);
  if (!m) return undefined;
  const v = s[m[1]];
  return m[2] === undefined ? v : Array.isArray(v) ? v[Number(m[2])] : undefined;
};

/** The text report: each step's narration, the fields it wrote in the model and on the system, and the divergence. */
export function reenactText(r: ReenactReport, trace: Trace, model: Model, source: string): string[] {
  const lines = [
    `${headerLine('reenact', headerOf(model))}`,
    `trace ${source}; system: ${r.server.description}${r.server.startMs !== null ? ` (ready in ${Math.round(r.server.startMs)} ms)` : ''}`,
    '',
  ];
  const width = String(trace.steps.length).length;
  for (const s of r.steps) {
    const tag = s.conforms ? '=' : 'DIFFERS';
    const narration = s.step === 0 ? 'initial state' : trace.steps[s.step - 1].narration;
    lines.push(`step ${String(s.step).padStart(width)}  ${tag.padEnd(7)}  ${narration}`);
    const pad = ' '.repeat(width + 16);
    if (s.refused !== undefined) {
      lines.push(`${pad}the system refused it: ${s.refused}`);
      continue;
    }
    const fields = [...new Set([...written(trace, s.step), ...s.diff.map((d) => d.field)])];
    for (const f of fields) {
      const m = valueAt(s.model, f);
      const o = s.observed ? valueAt(s.observed, f) : undefined;
      const same = JSON.stringify(m) === JSON.stringify(o);
      lines.push(
        `${pad}${f}: model ${m === undefined ? '-' : showValue(m)}, system ${o === undefined ? '(not observed)' : showValue(o)}${same || o === undefined ? '' : '   <- differs'}`,
      );
    }
  }
  lines.push('');
  if (r.divergence) lines.push(`The system diverged from the model: ${r.divergence.text}`);
  else if (r.stoppedBy) lines.push(`Interrupted after ${r.steps.length - 1} of ${trace.steps.length} steps; the system followed the model at each of them.`);
  else
    lines.push(
      `The system followed the model at every one of the ${r.steps.length - 1} steps${r.unobserved.length > 0 ? ` (not observed: ${r.unobserved.join(', ')})` : ''}.`,
    );
  if (r.breaks.length > 0) {
    lines.push('On the real system:');
    for (const b of r.breaks) lines.push(`  ${b.property} breaks at step ${b.step}: ${b.explanation}`);
  } else if (r.conforms) {
    lines.push('On the real system, every property held at every step.');
  }
  if (r.resolution) {
    lines.push('', 'What the system answers now:');
    for (const x of r.resolution) lines.push(`  ${resolutionLine(x)}`);
  }
  return lines;
}

/** Runs `dnsmc reenact`; resolves to its exit code (0, 1 or 4; 130 or 143 when a signal stopped it). */
export async function runReenact(a: ReenactArgs, io: Io): Promise<number> {
  if (typeof a.trace !== 'string' || a.trace === '') throw new UsageError('reenact needs a trace file: dnsmc reenact TRACE [system flags]');
  const traceOut = outputFlag('trace-out', a.traceOut);
  const view = outputFlag('view', a.view);
  refuseOverwrite(
    [
      ['trace-out', traceOut],
      ['view', view],
    ],
    [['the trace', a.trace]],
  );
  const loaded = await readTraceFile(a.trace, { model: a.model });
  const { trace, model, source } = loaded;
  const system = systemOf(source, model, 're-enact its traces on');
  const options = systemOptions(system, 'reenact', a, model);
  let r: ReenactReport;
  let stderr: readonly string[] = [];
  let signal: keyof typeof SIGNAL_EXIT | null;
  try {
    ({ value: r, signal } = await interruptible(async (interrupt) => {
      const running = await system.start(model, options);
      try {
        return await reenact(model, trace, running, { interrupt });
      } finally {
        stderr = running.stderr?.() ?? [];
        await running.stop();
      }
    }));
  } catch (e) {
    const code = driverFailure(e, io);
    if (code === undefined) throw e;
    return code;
  }
  const annotated = annotate(trace, r);
  if (traceOut) writeTrace(traceOut, annotated);
  if (view)
    writeViewer(
      view,
      { trace, model, source, presentation: besideObserved(source.pkg.presentation, annotated.reenacted.observed, `on ${r.server.description}`) },
      'view',
    );
  if (a.json === true) {
    const { server: s, ...rest } = r;
    const out: ReenactJson = {
      ...headFields(model),
      ...rest,
      server: { version: s.description, startMs: s.startMs },
      systemStderr: stderr,
    };
    printJson(io, out);
  } else {
    for (const l of reenactText(r, trace, model, a.trace)) io.out(`${l}\n`);
    if (traceOut) io.out(`trace with the observations written to ${traceOut}\n`);
    if (view) io.out(`viewer written to ${view}\n`);
    const said = stderr.filter((l) => l.trim() !== '');
    if (said.length > 0) {
      io.out(`\nthe implementation wrote on stderr${said.length > 20 ? ` (its last 20 of ${said.length} lines; --json has up to 64 KiB)` : ''}:\n`);
      for (const l of said.slice(-20)) io.out(`  ${l}\n`);
    }
  }
  return signal ? SIGNAL_EXIT[signal] : reenactExitCode(r);
}
