/**
 * `dnsmc view TRACE [--compare TRACE2] [--out FILE.html]`: writes the trace
 * viewer, one self-contained HTML file (see traces/viewer.ts). Also used by
 * `dnsmc check --view FILE.html` for the counterexample it finds.
 */
import { basename } from 'node:path';
import type { FieldSpec } from '../checker/layout.js';
import type { Model } from '../checker/model.js';
import type { LaneOptions, ResourceLanes } from '../traces/export.js';
import { writeFileAtomic } from '../traces/io.js';
import type { Trace } from '../traces/trace.js';
import { viewerHtml, type ViewerPane } from '../traces/viewer.js';
import { EXIT, UsageError } from './errors.js';
import type { Io } from './io.js';
import { readTraceFile } from './trace-file.js';

/** The flags of `dnsmc view`, as yargs hands them over (unvalidated). */
export interface ViewArgs {
  trace?: unknown;
  compare?: unknown;
  out?: unknown;
  /** The user model module the traces were made with. */
  model?: unknown;
}

/** The state fields of the `dns` model that are an endpoint's Route 53 records. */
const RECORD_FIELDS = ['alias', 'trees', 'lockHolder'];

/**
 * For the `dns` model: one resource lane per endpoint (its Route 53 records:
 * top alias, plan trees, TXT lock), touched by every step that changes
 * `alias[k]`, `trees[k]` or `lockHolder[k]`. Undefined for other models.
 */
export function dnsRecordLanes(model: Model): ResourceLanes | undefined {
  const endpoints = model.params.endpoints;
  if (model.name !== 'dns' || typeof endpoints !== 'number') return undefined;
  const lanes = Array.from({ length: endpoints }, (_, k) => ({ id: `endpoint ${k}`, label: `endpoint ${k} (Route 53)` }));
  return {
    lanes,
    of: (path) => (RECORD_FIELDS.includes(String(path[0])) && typeof path[1] === 'number' && path[1] < endpoints ? `endpoint ${path[1]}` : undefined),
  };
}

/** Lanes for a model's traces: every actor of every role, named as the model names them, then its resource lanes. */
export function laneOptions(model: Model): LaneOptions {
  return {
    roles: model.roles,
    actorName: model.actorName ? (role, actor) => model.actorName!(role, actor) : undefined,
    resources: dnsRecordLanes(model),
  };
}

/** One trace to show, with the model it belongs to and a label (e.g. its file name). */
export interface ViewSource {
  readonly trace: Trace;
  readonly model: Model;
  readonly label?: string;
}

/** The viewer page for a trace, or for two side by side. */
export function viewerPage(a: ViewSource, b?: ViewSource): string {
  const pane = (s: ViewSource): ViewerPane => ({
    trace: s.trace,
    label: s.label,
    lanes: laneOptions(s.model),
    fields: s.model.layout.fields as FieldSpec,
  });
  return viewerHtml(b ? [pane(a), pane(b)] : [pane(a)]);
}

/** Writes a page atomically; a path that cannot be written is the flag's fault. */
export function writePage(file: string, html: string, flag: string): void {
  try {
    writeFileAtomic(file, html);
  } catch (e) {
    throw new UsageError(`--${flag}: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** A file flag's value: a non-empty string, or undefined when absent. */
export function fileFlag(flag: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${flag} must name a file`);
  return v;
}

const labelOf = (file: string, t: Trace): string => `${basename(file)}${t.variant ? ` (${t.variant})` : ''}`;

/** Runs `dnsmc view`; resolves to 0 once the page is written. Throws UsageError or TraceError for bad input. */
export async function runView(a: ViewArgs, io: Io): Promise<number> {
  if (typeof a.trace !== 'string' || a.trace === '') throw new UsageError('view needs a trace file: dnsmc view TRACE [--compare TRACE2] [--out FILE.html]');
  const compare = fileFlag('compare', a.compare);
  const out = fileFlag('out', a.out) ?? `${a.trace.replace(/\.json$/i, '')}.html`;
  if (out === a.trace || out === compare) throw new UsageError(`--out ${out} would overwrite a trace file; name another file`);
  const first = await readTraceFile(a.trace, { model: a.model });
  const second = compare === undefined ? undefined : await readTraceFile(compare, { model: a.model });
  const page = viewerPage(
    { trace: first.trace, model: first.model, label: labelOf(first.file, first.trace) },
    second && { trace: second.trace, model: second.model, label: labelOf(second.file, second.trace) },
  );
  writePage(out, page, 'out');
  io.out(`viewer written to ${out}\n`);
  return EXIT.ok;
}
