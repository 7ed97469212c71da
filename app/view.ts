/**
 * `dnsmc view TRACE [--compare TRACE2] [--out FILE.html]`: writes the trace
 * viewer, one self-contained HTML file (see traces/viewer.ts). Also used by
 * `dnsmc check --view FILE.html` for the counterexample it finds.
 */
import { basename } from 'node:path';
import type { Model } from '../checker/model.js';
import type { Presentation, ResourceLanes } from '../checker/package.js';
import { dnsPresentation } from '../models/dns/picture.js';
import { laneOptionsFor, type LaneOptions } from '../traces/lanes.js';
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

// TODO(package): the presentation of the model's package, once app/ resolves packages; until then the dns one by name.
function presentationOf(model: Model): Presentation | undefined {
  return model.name === 'dns' ? dnsPresentation : undefined;
}

/**
 * The resource lanes of a model's presentation (for the `dns` model, one per
 * endpoint's Route 53 records). Undefined for models without them.
 * @deprecated Use the package's `presentation.lanes`.
 */
export function dnsRecordLanes(model: Model): ResourceLanes | undefined {
  return presentationOf(model)?.lanes?.(model);
}

/** Lanes for a model's traces: every actor of every role, named as the model names them, then its presentation's resource lanes. */
export function laneOptions(model: Model, presentation: Presentation | undefined = presentationOf(model)): LaneOptions {
  return laneOptionsFor(model, presentation);
}

/** One trace to show, with the model it belongs to and a label (e.g. its file name). */
export interface ViewSource {
  readonly trace: Trace;
  readonly model: Model;
  readonly label?: string;
  /** How the model's package presents states (lanes, a picture). Absent: the model's own package's; present but undefined: none. */
  readonly presentation?: Presentation;
}

/** The viewer page for a trace, or for two side by side. */
export function viewerPage(a: ViewSource, b?: ViewSource): string {
  const pane = (s: ViewSource): ViewerPane => ({
    trace: s.trace,
    label: s.label,
    model: s.model,
    presentation: 'presentation' in s ? s.presentation : presentationOf(s.model),
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
